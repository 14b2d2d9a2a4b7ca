//! The home page, a tag's page and an author's page, each read in **one** round trip: one
//! page of public articles, newest first, with what else the page shows — the tracker's coming
//! deadlines ([`home_page`]), or who or what the page is about, if it has a public page at
//! all ([`tag_page`], [`author_page`]).
//!
//! The tag's and the author's are PL/pgSQL functions (the `section_pages` migration) whose one
//! query has one shape whatever its values (no optional filter), so PostgreSQL's generic plan
//! is the right one: the functions say so (`set plan_cache_mode = force_generic_plan`) and
//! keep that plan for the connection's life, unlike [`super::public::list_published`]'s
//! filtered lists, which the API uses with any combination of filters. Both walk a date index,
//! so page 50 costs what page 1 costs: the tag's copy of the publication time
//! (`article_tag_published_idx`), the author's own articles (`article_author_published_idx`)
//! beside those they co-signed. The index's copy of the rule finds candidates; the
//! `public_article` view's rule decides.

use sqlx::PgPool;
use sqlx::types::Json;

use super::public::{Cursor, Summary};
use crate::domain::{Lang, Slug, TagKind};
use crate::store::tags::Tag;
use crate::store::users::Author;
use crate::store::{Byline, TagRef};

/// The article of a row of either statement (none on a row that only names the tag or author:
/// a page past the last article).
macro_rules! summary {
    ($r:expr) => {
        Some(Summary {
            id: $r.id?,
            slug: $r.slug?,
            title: $r.title?,
            dek: $r.dek?,
            excerpt: $r.excerpt?,
            lang: $r.lang?,
            published_at: $r.published_at?,
            updated_at: $r.updated_at?,
            author_name: $r.author_name?,
            author_slug: $r.author_slug?,
            bylines: $r.bylines?,
            tags: $r.tags?,
            featured_media_id: $r.featured_media_id,
        })
    };
}

/// The public tag at `slug` and up to `limit` of its articles older than `before`; `None` when
/// no article readers can see carries it (a tag only drafts use could reveal a story).
pub async fn tag_page(
    pool: &PgPool,
    slug: &Slug,
    before: Cursor,
    limit: i64,
) -> Result<Option<(Tag, Vec<Summary>)>, sqlx::Error> {
    let rows = sqlx::query!(
        r#"
        select tag_id as "tag_id!", tag_slug as "tag_slug!", tag_name as "tag_name!",
               tag_kind as "tag_kind!: TagKind", tag_description as "tag_description!",
               id as "id?", slug as "slug?", title as "title?", dek as "dek?",
               excerpt as "excerpt?", lang as "lang?: Lang", published_at as "published_at?",
               updated_at as "updated_at?", author_name as "author_name?",
               author_slug as "author_slug?", bylines as "bylines?: Json<Vec<Byline>>",
               tags as "tags?: Json<Vec<TagRef>>", featured_media_id as "featured_media_id?"
        from tag_page($1, $2, $3, $4)
        "#,
        slug.as_str(),
        before.published_at,
        before.id,
        i32::try_from(limit).unwrap_or(i32::MAX)
    )
    .fetch_all(pool)
    .await?;
    let Some(first) = rows.first() else {
        return Ok(None);
    };
    let tag = Tag {
        id: first.tag_id,
        slug: first.tag_slug.clone(),
        name: first.tag_name.clone(),
        kind: first.tag_kind,
        description: first.tag_description.clone(),
    };
    let articles = rows.into_iter().filter_map(|r| summary!(r)).collect();
    Ok(Some((tag, articles)))
}

/// The author at `slug` and up to `limit` of the public articles they sign (as author or
/// co-author) older than `before`; `None` when they sign none (staff who have published
/// nothing have no public page).
pub async fn author_page(
    pool: &PgPool,
    slug: &Slug,
    before: Cursor,
    limit: i64,
) -> Result<Option<(Author, Vec<Summary>)>, sqlx::Error> {
    let rows = sqlx::query!(
        r#"
        select user_id as "user_id!", user_slug as "user_slug!", display_name as "display_name!",
               bio as "bio!",
               id as "id?", slug as "slug?", title as "title?", dek as "dek?",
               excerpt as "excerpt?", lang as "lang?: Lang", published_at as "published_at?",
               updated_at as "updated_at?", author_name as "author_name?",
               author_slug as "author_slug?", bylines as "bylines?: Json<Vec<Byline>>",
               tags as "tags?: Json<Vec<TagRef>>", featured_media_id as "featured_media_id?"
        from author_page($1, $2, $3, $4)
        "#,
        slug.as_str(),
        before.published_at,
        before.id,
        i32::try_from(limit).unwrap_or(i32::MAX)
    )
    .fetch_all(pool)
    .await?;
    let Some(first) = rows.first() else {
        return Ok(None);
    };
    let author = Author {
        id: first.user_id,
        slug: first.user_slug.clone(),
        display_name: first.display_name.clone(),
        bio: first.bio.clone(),
    };
    let articles = rows.into_iter().filter_map(|r| summary!(r)).collect();
    Ok(Some((author, articles)))
}

/// A coming milestone of a regulation readers can see, as the home page lists it.
#[derive(Debug, Clone, serde::Deserialize)]
pub struct Deadline {
    /// `YYYY-MM-DD`: the day, or the first day of the month or quarter.
    pub on_date: String,
    /// `day`, `month` or `quarter`.
    pub precision: String,
    pub label: String,
    pub regulation_slug: String,
    pub regulation_name: String,
    pub regulation_short_name: String,
}

/// The home page in **one** statement: up to `limit` of the newest public articles older than
/// `before`, and the first `upcoming` milestones of public regulations that have not ended
/// before `today`, in date order. Planned as PostgreSQL chooses (forced onto its generic plan,
/// the articles' tags and bylines were hashed whole for every page).
pub async fn home_page(
    pool: &PgPool,
    before: Cursor,
    limit: i64,
    today: time::Date,
    upcoming: i64,
) -> Result<(Vec<Summary>, Vec<Deadline>), sqlx::Error> {
    let rows = sqlx::query!(
        r#"
        select d.coming as "coming!: Json<Vec<Deadline>>",
               a.id as "id?", a.slug as "slug?", a.title as "title?", a.dek as "dek?",
               a.excerpt as "excerpt?", a.lang as "lang?: Lang", a.published_at as "published_at?",
               a.updated_at as "updated_at?", a.author_name as "author_name?",
               a.author_slug as "author_slug?", a.bylines as "bylines?: Json<Vec<Byline>>",
               a.tags as "tags?: Json<Vec<TagRef>>", a.featured_media_id as "featured_media_id?"
        from (
            select coalesce(json_agg(json_build_object(
                       'on_date', m.on_date, 'precision', m.precision, 'label', m.label,
                       'regulation_slug', m.slug, 'regulation_name', m.name,
                       'regulation_short_name', m.short_name)
                   order by m.on_date, m.precision, m.name, m.label), '[]') as coming
            from (select m.on_date, m.precision, m.label, r.slug, r.name, r.short_name
                  from regulation_milestone m
                  join public_regulation r on r.id = m.regulation_id
                  where milestone_ends(m.on_date, m.precision) >= $4
                  order by m.on_date, m.precision, r.name, m.label
                  limit $5) m
        ) d
        left join lateral (
            select id, slug, title, dek, excerpt, lang, published_at, updated_at, author_name,
                   author_slug, bylines, tags, featured_media_id
            from public_article
            where (published_at, id) < ($1, $2)
            order by published_at desc, id desc
            limit $3
        ) a on true
        order by a.published_at desc, a.id desc
        "#,
        before.published_at,
        before.id,
        limit,
        today,
        upcoming
    )
    .fetch_all(pool)
    .await?;
    let coming = rows.first().map(|r| r.coming.0.clone()).unwrap_or_default();
    let articles = rows.into_iter().filter_map(|r| summary!(r)).collect();
    Ok((articles, coming))
}

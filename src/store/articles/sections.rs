//! A tag's page and an author's page, each read in **one** statement: who or what the page is
//! about (if it has a public page at all) and one page of its public articles, newest first.
//!
//! Each statement has one shape whatever its values (no optional filter), so PostgreSQL's
//! generic plan is the right one, and they run on it ([`db::planned_once`], whose `begin` is
//! the one other round trip): prepared once per connection, not planned again per request,
//! unlike [`super::public::list_published`]'s filtered lists, which the API uses with any
//! combination of filters. Both walk a date index, so page 50 costs what page 1 costs: the
//! tag's copy of the publication time (`article_tag_published_idx`), the author's own articles
//! (`article_author_published_idx`) beside those they co-signed. The index's copy of the rule
//! finds candidates; the `public_article` view's rule decides.

use sqlx::PgPool;
use sqlx::types::Json;

use super::public::{Cursor, Summary};
use crate::db;
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
        select t.id as "tag_id!", t.slug as "tag_slug!", t.name as "tag_name!",
               t.kind as "tag_kind!: TagKind", t.description as "tag_description!",
               a.id as "id?", a.slug as "slug?", a.title as "title?", a.dek as "dek?",
               a.excerpt as "excerpt?", a.lang as "lang?: Lang", a.published_at as "published_at?",
               a.updated_at as "updated_at?", a.author_name as "author_name?",
               a.author_slug as "author_slug?", a.bylines as "bylines?: Json<Vec<Byline>>",
               a.tags as "tags?: Json<Vec<TagRef>>", a.featured_media_id
        from tag t
        left join lateral (
            select a.*, x.published_at as listed_at
            from article_tag x
            join public_article a on a.id = x.article_id
            where x.tag_id = t.id and article_tag_is_listed(x.published_at)
              and (x.published_at, x.article_id) < ($2, $3)
            order by x.published_at desc, x.article_id desc
            limit $4
        ) a on true
        where t.slug = $1
          and exists (select 1 from article_tag x
                      where x.tag_id = t.id and article_tag_is_listed(x.published_at))
        order by a.listed_at desc, a.id desc
        "#,
        slug.as_str(),
        before.published_at,
        before.id,
        limit
    )
    .fetch_all(&mut *db::planned_once(pool).await?)
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
        select u.id as "user_id!", u.slug as "user_slug!", u.display_name as "display_name!",
               u.bio as "bio!",
               a.id as "id?", a.slug as "slug?", a.title as "title?", a.dek as "dek?",
               a.excerpt as "excerpt?", a.lang as "lang?: Lang", a.published_at as "published_at?",
               a.updated_at as "updated_at?", a.author_name as "author_name?",
               a.author_slug as "author_slug?", a.bylines as "bylines?: Json<Vec<Byline>>",
               a.tags as "tags?: Json<Vec<TagRef>>", a.featured_media_id
        from app_user u
        left join lateral (
            select a.*
            from public_article a
            where a.id in ((select o.id from article o
                            where o.author_id = u.id and article_is_listed(o.status, o.published_at)
                              and (o.published_at, o.id) < ($2, $3)
                            order by o.published_at desc, o.id desc
                            limit $4)
                           union all
                           select c.article_id from article_coauthor c where c.user_id = u.id)
              and (a.published_at, a.id) < ($2, $3)
            order by a.published_at desc, a.id desc
            limit $4
        ) a on true
        where u.slug = $1
          and (exists (select 1 from public_article p where p.author_id = u.id)
               or exists (select 1 from article_coauthor c join public_article p on p.id = c.article_id
                          where c.user_id = u.id))
        order by a.published_at desc, a.id desc
        "#,
        slug.as_str(),
        before.published_at,
        before.id,
        limit
    )
    .fetch_all(&mut *db::planned_once(pool).await?)
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

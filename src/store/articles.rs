//! Articles: the public reads (lists, one article, related articles) and the writes that every
//! save goes through (render, slug, tags, inline links, revision, audit) in the caller's
//! transaction.

use serde_json::json;
use sqlx::types::Json;
use sqlx::{PgConnection, PgPool};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use uuid::Uuid;

use super::{TagRef, audit, editing};
use crate::db;
use crate::domain::markdown::Rendered;
use crate::domain::{ArticleStatus, Lang, Slug, Title};

/// An article in a public list.
#[derive(Debug, Clone)]
pub struct Summary {
    pub id: Uuid,
    pub slug: String,
    pub title: String,
    pub dek: String,
    pub excerpt: String,
    pub lang: String,
    pub published_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
    pub author_name: String,
    pub author_slug: String,
    pub tags: Json<Vec<TagRef>>,
}

/// A published article, as its public page shows it.
#[derive(Debug, Clone)]
pub struct Published {
    pub id: Uuid,
    pub slug: String,
    pub title: String,
    pub dek: String,
    pub excerpt: String,
    pub body_html: String,
    pub lang: String,
    pub published_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
    /// Still readable at its address, with a notice; in no list.
    pub archived: bool,
    pub author_id: Uuid,
    pub author_name: String,
    pub author_slug: String,
    pub tags: Json<Vec<TagRef>>,
    pub tag_ids: Vec<Uuid>,
    /// Every article it links to (picked or in the body), public or not yet: its related list
    /// changes when one of them comes out.
    pub linked_ids: Vec<Uuid>,
    /// Its corrections, oldest first.
    pub corrections: Json<Vec<Correction>>,
}

/// A correction under a published article.
#[derive(Debug, Clone, serde::Deserialize)]
pub struct Correction {
    #[serde(with = "time::serde::rfc3339")]
    pub noted_at: OffsetDateTime,
    pub body: String,
}

/// A related article under another one.
#[derive(Debug, Clone)]
pub struct Related {
    pub id: Uuid,
    pub slug: String,
    pub title: String,
    pub published_at: OffsetDateTime,
}

/// Which public articles a list shows.
#[derive(Debug, Clone, Copy, Default)]
pub struct Filter<'a> {
    pub tag: Option<Uuid>,
    pub author: Option<Uuid>,
    /// The article's language code (`fr`, `en`).
    pub lang: Option<&'a str>,
    /// Words the article must contain, as typed in a search box (French full-text search).
    pub words: Option<&'a str>,
}

impl Filter<'_> {
    fn is_empty(&self) -> bool {
        self.tag.is_none() && self.author.is_none() && self.lang.is_none() && self.words.is_none()
    }
}

/// A keyset position in a list sorted by `(published_at, id)` descending: the page after it
/// starts with the next older article. Written into URLs as `?before=`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cursor {
    pub published_at: OffsetDateTime,
    pub id: Uuid,
}

impl Cursor {
    /// Before every article: the first page. A bound rather than no bound, so that the cursor
    /// is an index condition in every plan, generic ones included.
    pub const FIRST: Self = Self {
        published_at: time::macros::datetime!(9999-12-31 23:59:59.999_999 UTC),
        id: Uuid::from_u128(u128::MAX),
    };

    pub fn after(article: &Summary) -> Self {
        Self {
            published_at: article.published_at,
            id: article.id,
        }
    }

    /// `<unix microseconds>_<uuid>`: short, URL-safe, exact.
    pub fn encode(&self) -> String {
        let micros = self.published_at.unix_timestamp_nanos() / 1000;
        format!("{micros}_{}", self.id.simple())
    }

    pub fn parse(s: &str) -> Option<Self> {
        let (micros, id) = s.split_once('_')?;
        let nanos = micros.parse::<i128>().ok()?.checked_mul(1000)?;
        Some(Self {
            published_at: OffsetDateTime::from_unix_timestamp_nanos(nanos).ok()?,
            id: Uuid::parse_str(id).ok()?,
        })
    }
}

/// Up to `limit` public articles matching `filter`, newest first, older than `before`.
pub async fn list_published(
    pool: &PgPool,
    filter: Filter<'_>,
    before: Option<Cursor>,
    limit: i64,
) -> Result<Vec<Summary>, sqlx::Error> {
    if let Some(tag) = filter.tag {
        return list_tagged(pool, tag, filter, before, limit).await;
    }
    let before = before.unwrap_or(Cursor::FIRST);
    if filter.is_empty() {
        return latest(pool, before, limit).await;
    }
    // Optional filters (`$1 is null or …`) make a generic plan guess that almost nothing
    // matches, and sort every article instead of walking the date index: plan with the values.
    let mut planned = db::planned_with_values(pool).await?;
    sqlx::query_as!(
        Summary,
        r#"
        select a.id, a.slug, a.title, a.dek, a.excerpt, a.lang,
               a.published_at as "published_at!", a.updated_at,
               u.display_name as author_name, u.slug as author_slug,
               article_tags_json(a.id) as "tags!: Json<Vec<TagRef>>"
        from article a
        join app_user u on u.id = a.author_id
        where article_is_listed(a.status, a.published_at)
          and ($1::uuid is null or a.author_id = $1)
          and (a.published_at, a.id) < ($2, $3)
          and ($5::text is null or a.lang = $5)
          and ($6::text is null or a.search @@ websearch_to_tsquery('french_unaccent', $6))
        order by a.published_at desc, a.id desc
        limit $4
        "#,
        filter.author,
        before.published_at,
        before.id,
        limit,
        filter.lang,
        filter.words,
    )
    .fetch_all(&mut *planned)
    .await
}

/// [`list_published`] with no filter: the home page and the API's plain list, the busiest
/// list. A query of one shape, whose generic plan walks the date index.
async fn latest(pool: &PgPool, before: Cursor, limit: i64) -> Result<Vec<Summary>, sqlx::Error> {
    sqlx::query_as!(
        Summary,
        r#"
        select a.id, a.slug, a.title, a.dek, a.excerpt, a.lang,
               a.published_at as "published_at!", a.updated_at,
               u.display_name as author_name, u.slug as author_slug,
               article_tags_json(a.id) as "tags!: Json<Vec<TagRef>>"
        from article a
        join app_user u on u.id = a.author_id
        where article_is_listed(a.status, a.published_at)
          and (a.published_at, a.id) < ($1, $2)
        order by a.published_at desc, a.id desc
        limit $3
        "#,
        before.published_at,
        before.id,
        limit
    )
    .fetch_all(pool)
    .await
}

/// [`list_published`] for one tag: walks the tag's own date index (`article_tag_published_idx`).
async fn list_tagged(
    pool: &PgPool,
    tag: Uuid,
    filter: Filter<'_>,
    before: Option<Cursor>,
    limit: i64,
) -> Result<Vec<Summary>, sqlx::Error> {
    let before = before.unwrap_or(Cursor::FIRST);
    let mut planned = db::planned_with_values(pool).await?;
    sqlx::query_as!(
        Summary,
        r#"
        select a.id, a.slug, a.title, a.dek, a.excerpt, a.lang,
               a.published_at as "published_at!", a.updated_at,
               u.display_name as author_name, u.slug as author_slug,
               article_tags_json(a.id) as "tags!: Json<Vec<TagRef>>"
        from article_tag x
        join article a on a.id = x.article_id
        join app_user u on u.id = a.author_id
        -- The tag's copy of the rule walks its date index; the article's own rule decides.
        where x.tag_id = $1 and article_tag_is_listed(x.published_at)
          and article_is_listed(a.status, a.published_at)
          and ($2::uuid is null or a.author_id = $2)
          and (x.published_at, x.article_id) < ($3, $4)
          and ($6::text is null or a.lang = $6)
          and ($7::text is null or a.search @@ websearch_to_tsquery('french_unaccent', $7))
        order by x.published_at desc, x.article_id desc
        limit $5
        "#,
        tag,
        filter.author,
        before.published_at,
        before.id,
        limit,
        filter.lang,
        filter.words,
    )
    .fetch_all(&mut *planned)
    .await
}

/// What a request for `/articles/{slug}` finds.
#[derive(Debug)]
pub enum Lookup {
    Found(Box<Published>),
    /// The slug is an old one; the article now lives at this slug.
    Moved(String),
    /// Taken down by the newsroom, on purpose and for good: 410, with a notice.
    Withdrawn,
    Missing,
}

/// The public article at `slug`, following old slugs to the current one.
pub async fn find_published(pool: &PgPool, slug: &Slug) -> Result<Lookup, sqlx::Error> {
    let found = sqlx::query_as!(
        Published,
        r#"
        select a.id, a.slug, a.title, a.dek, a.excerpt, a.body_html, a.lang,
               a.published_at as "published_at!", a.updated_at, a.status = 'archived' as "archived!",
               a.author_id, u.display_name as author_name, u.slug as author_slug,
               article_tags_json(a.id) as "tags!: Json<Vec<TagRef>>",
               array(select x.tag_id from article_tag x where x.article_id = a.id) as "tag_ids!",
               array(select l.to_article_id from article_link l where l.from_article_id = a.id) as "linked_ids!",
               coalesce((
                   select json_agg(json_build_object('noted_at', c.noted_at, 'body', c.body)
                                   order by c.noted_at, c.id)
                   from correction c where c.article_id = a.id
               ), '[]') as "corrections!: Json<Vec<Correction>>"
        from article a
        join app_user u on u.id = a.author_id
        -- Archived articles stay readable (with a notice) at their address, and nowhere else.
        where a.slug = $1 and article_is_public(a.status, a.published_at)
        "#,
        slug.as_str()
    )
    .fetch_optional(pool)
    .await?;
    if let Some(article) = found {
        return Ok(Lookup::Found(Box::new(article)));
    }
    let moved = sqlx::query_scalar!(
        r#"
        select a.slug
        from slug_redirect r join article a on a.id = r.article_id
        where r.old_slug = $1 and article_is_public(a.status, a.published_at)
        "#,
        slug.as_str()
    )
    .fetch_optional(pool)
    .await?;
    if let Some(current) = moved {
        return Ok(Lookup::Moved(current));
    }
    let withdrawn = sqlx::query_scalar!(
        r#"select exists (select 1 from article where slug = $1 and withdrawn) as "withdrawn!""#,
        slug.as_str()
    )
    .fetch_one(pool)
    .await?;
    Ok(if withdrawn {
        Lookup::Withdrawn
    } else {
        Lookup::Missing
    })
}

/// The related articles readers see under `article`, up to `limit`, in one query: those an
/// editor picked (in their order), then those the body links to, then published articles
/// sharing the most tags with it, ties broken by how close their text is to its title, then by
/// recency. The cost is bounded however big a tag grows: suggestions are drawn from the 200
/// newest articles of each of its tags (all of a small tag's), and text closeness is weighed
/// among the 50 sharing the most tags, newest first among equals. Only published articles,
/// never the article itself.
pub async fn related(
    pool: &PgPool,
    article: Uuid,
    limit: i64,
) -> Result<Vec<Related>, sqlx::Error> {
    sqlx::query_as!(
        Related,
        r#"
        with me as (
            select id,
                   -- The title's words, any of them: a similarity measure, not a filter.
                   to_tsquery('french_unaccent',
                              replace(plainto_tsquery('french_unaccent', title)::text, '&', '|')) as words
            from article where id = $1
        ),
        explicit as (
            select r.id, r.slug, r.title, r.published_at,
                   case when l.origin = 'picked' then 0 else 1 end as grp, l.position::float8 as k1
            from article_link l join article r on r.id = l.to_article_id
            where l.from_article_id = $1
              and article_is_listed(r.status, r.published_at)
        ),
        -- Candidates come from each of its tags' own date index: the 200 newest published
        -- articles of each tag, so that the cost does not grow with the biggest tag. Shared
        -- tags are counted among those, and only the best 50 are compared by text, which is
        -- the costly part on long articles.
        shared as (
            select c.article_id as id, count(*) as shared, max(c.published_at) as published_at
            from article_tag mine
            cross join lateral (
                select x.article_id, x.published_at
                from article_tag x
                where x.tag_id = mine.tag_id and article_tag_is_listed(x.published_at) and x.article_id <> $1
                order by x.published_at desc, x.article_id desc
                limit 200
            ) c
            where mine.article_id = $1
              and c.article_id not in (select id from explicit)
            group by c.article_id
            order by shared desc, published_at desc
            limit 50
        ),
        suggested as (
            select r.id, r.slug, r.title, r.published_at, s.shared::float8 as shared
            from shared s join article r on r.id = s.id
            where article_is_listed(r.status, r.published_at)
        )
        select id as "id!", slug as "slug!", title as "title!", published_at as "published_at!"
        from (
            select id, slug, title, published_at, grp, k1, 0::float8 as k2, 0::float8 as k3 from explicit
            union all
            select g.id, g.slug, g.title, g.published_at, 2, -g.shared,
                   -ts_rank(x.search, (select words from me))::float8,
                   -extract(epoch from g.published_at)::float8
            from suggested g join article x on x.id = g.id
        ) candidates
        order by grp, k1, k2, k3
        limit $2
        "#,
        article,
        limit
    )
    .fetch_all(pool)
    .await
}

/// A new article as its author typed it.
#[derive(Debug)]
pub struct Draft<'a> {
    pub title: &'a Title,
    pub dek: &'a str,
    /// `None`: derived from the title.
    pub slug: Option<&'a Slug>,
    pub lang: Lang,
    /// Empty: derived from the body.
    pub excerpt: &'a str,
    pub body_markdown: &'a str,
    pub tags: &'a [Uuid],
    /// Related articles picked by the author, in order.
    pub related: &'a [Uuid],
    /// The key of the form it was typed in (see the `save_keys` migration).
    pub save_key: Option<Uuid>,
}

/// A body link to one of our articles that readers would not be able to follow.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LinkWarning {
    NoSuchArticle(String),
    NotPublished(String),
}

/// The outcome of a save.
#[derive(Debug)]
pub struct Saved {
    pub id: Uuid,
    pub slug: Slug,
    pub warnings: Vec<LinkWarning>,
}

/// Creates a draft by `author`, done by `actor` (none: the system itself), its body already
/// `rendered` (see `markdown::render`): picks a free slug, files it under its tags, records the
/// body's links to other articles, and writes its first revision and an audit event. Run it
/// inside the caller's transaction.
pub async fn create(
    conn: &mut PgConnection,
    author: Uuid,
    actor: Option<Uuid>,
    draft: &Draft<'_>,
    rendered: &Rendered,
) -> Result<Saved, sqlx::Error> {
    let base = match draft.slug {
        Some(slug) => slug.clone(),
        None => Slug::derive_or(draft.title.as_str(), "article"),
    };
    let taken = sqlx::query_scalar!(
        r#"
        select slug as "slug!" from article where slug like $1 || '%'
        union all
        select old_slug from slug_redirect where old_slug like $1 || '%'
        "#,
        base.variants_prefix()
    )
    .fetch_all(&mut *conn)
    .await?;
    let slug = base.first_free(&taken);
    let excerpt = if draft.excerpt.trim().is_empty() {
        rendered.excerpt.as_str()
    } else {
        draft.excerpt.trim()
    };
    let id = sqlx::query_scalar!(
        r#"
        insert into article (slug, title, dek, body_markdown, body_html, excerpt, lang, author_id, last_editor_id)
        values ($1, $2, $3, $4, $5, $6, $7, $8, $9)
        returning id
        "#,
        slug.as_str(),
        draft.title.as_str(),
        draft.dek.trim(),
        draft.body_markdown,
        rendered.html,
        excerpt,
        draft.lang.as_str(),
        author,
        actor
    )
    .fetch_one(&mut *conn)
    .await?;
    set_tags(conn, id, draft.tags).await?;
    editing::set_picked_links(conn, id, draft.related).await?;
    let warnings = set_inline_links(conn, id, &rendered.article_links).await?;
    editing::snapshot(conn, id, actor, "create", draft.save_key).await?;
    audit::record(
        conn,
        actor,
        "article.create",
        "article",
        &id.to_string(),
        json!({ "slug": slug.as_str() }),
    )
    .await?;
    Ok(Saved { id, slug, warnings })
}

/// Replaces the article's tags with `tags`, in that order.
pub(super) async fn set_tags(
    conn: &mut PgConnection,
    article: Uuid,
    tags: &[Uuid],
) -> Result<(), sqlx::Error> {
    sqlx::query!("delete from article_tag where article_id = $1", article)
        .execute(&mut *conn)
        .await?;
    sqlx::query!(
        r#"
        insert into article_tag (article_id, tag_id, position)
        select $1, t.id, t.position
        from unnest($2::uuid[]) with ordinality as t(id, position)
        -- A tag merged or deleted since the form was opened is simply dropped.
        join tag g on g.id = t.id
        on conflict do nothing
        "#,
        article,
        tags
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Replaces the article's inline links with the articles behind `slugs`; picked links stay.
/// Returns a warning for each slug readers could not follow.
pub(super) async fn set_inline_links(
    conn: &mut PgConnection,
    article: Uuid,
    slugs: &[Slug],
) -> Result<Vec<LinkWarning>, sqlx::Error> {
    let targets = resolve_links(&mut *conn, slugs).await?;
    sqlx::query!(
        "delete from article_link where from_article_id = $1 and origin = 'inline'",
        article
    )
    .execute(&mut *conn)
    .await?;
    let ids: Vec<Uuid> = targets
        .iter()
        .filter_map(|t| t.id)
        .filter(|id| *id != article)
        .collect();
    let warnings = warnings_for(targets);
    sqlx::query!(
        r#"
        insert into article_link (from_article_id, to_article_id, position, origin)
        select $1, t.id, t.position, 'inline'
        from unnest($2::uuid[]) with ordinality as t(id, position)
        on conflict do nothing
        "#,
        article,
        &ids
    )
    .execute(conn)
    .await?;
    Ok(warnings)
}

/// Publishes the article at `at` (a future time schedules it) on behalf of `actor`.
pub async fn publish(
    conn: &mut PgConnection,
    article: Uuid,
    at: OffsetDateTime,
    actor: Option<Uuid>,
) -> Result<(), sqlx::Error> {
    let updated = sqlx::query!(
        r#"
        update article set status = $2, published_at = $3, version = version + 1
        where id = $1
        "#,
        article,
        ArticleStatus::Published.as_str(),
        at
    )
    .execute(&mut *conn)
    .await?;
    if updated.rows_affected() == 0 {
        return Err(sqlx::Error::RowNotFound);
    }
    let at_text = at.format(&Rfc3339).ok();
    audit::record(
        conn,
        actor,
        "article.publish",
        "article",
        &article.to_string(),
        json!({ "published_at": at_text }),
    )
    .await
}

/// The article behind a slug a body links to, if any, and whether readers can see it.
struct LinkTarget {
    slug: String,
    id: Option<Uuid>,
    public: bool,
}

async fn resolve_links<'e>(
    db: impl sqlx::PgExecutor<'e>,
    slugs: &[Slug],
) -> Result<Vec<LinkTarget>, sqlx::Error> {
    let slugs: Vec<String> = slugs.iter().map(|s| s.as_str().to_owned()).collect();
    let rows = sqlx::query!(
        r#"
        select s.slug as "slug!", a.id as "id?",
               coalesce(article_is_listed(a.status, a.published_at), false) as "public!"
        from unnest($1::text[]) with ordinality as s(slug, position)
        left join article a on a.slug = s.slug
        order by s.position
        "#,
        &slugs
    )
    .fetch_all(db)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| LinkTarget {
            slug: r.slug,
            id: r.id,
            public: r.public,
        })
        .collect())
}

/// The links readers could not follow.
fn warnings_for(targets: Vec<LinkTarget>) -> Vec<LinkWarning> {
    targets
        .into_iter()
        .filter_map(|t| match (t.id, t.public) {
            (None, _) => Some(LinkWarning::NoSuchArticle(t.slug)),
            (Some(_), true) => None,
            (Some(_), false) => Some(LinkWarning::NotPublished(t.slug)),
        })
        .collect()
}

/// The slug of the public article that had the old address `path` (see the `legacy_urls`
/// migration), if any.
pub async fn moved_from(pool: &PgPool, path: &str) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar!(
        r#"
        select a.slug from legacy_url l join article a on a.id = l.article_id
        where l.path = $1 and article_is_listed(a.status, a.published_at)
        "#,
        path
    )
    .fetch_optional(pool)
    .await
}

/// What readers would find behind each of `slugs` if an article linked to them; no writes.
pub async fn link_warnings(pool: &PgPool, slugs: &[Slug]) -> Result<Vec<LinkWarning>, sqlx::Error> {
    Ok(warnings_for(resolve_links(pool, slugs).await?))
}

/// An article as a feed carries it: in full.
#[derive(Debug, Clone)]
pub struct FeedEntry {
    pub id: Uuid,
    pub slug: String,
    pub title: String,
    pub dek: String,
    pub excerpt: String,
    pub body_html: String,
    pub published_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
    pub author_name: String,
    pub author_slug: String,
    pub tags: Json<Vec<TagRef>>,
}

/// The newest `limit` public articles matching `filter`, in full, for feeds.
pub async fn feed(
    pool: &PgPool,
    filter: Filter<'_>,
    limit: i64,
) -> Result<Vec<FeedEntry>, sqlx::Error> {
    // Optional filters: planned with their values (see `list_published`).
    let mut planned = db::planned_with_values(pool).await?;
    sqlx::query_as!(
        FeedEntry,
        r#"
        select a.id, a.slug, a.title, a.dek, a.excerpt, a.body_html,
               a.published_at as "published_at!", a.updated_at,
               u.display_name as author_name, u.slug as author_slug,
               article_tags_json(a.id) as "tags!: Json<Vec<TagRef>>"
        from article a
        join app_user u on u.id = a.author_id
        where article_is_listed(a.status, a.published_at)
          and ($1::uuid is null or a.author_id = $1)
          and ($2::uuid is null or exists (
                  select 1 from article_tag x where x.article_id = a.id and x.tag_id = $2))
          and ($4::text is null or a.lang = $4)
          and ($5::text is null or a.search @@ websearch_to_tsquery('french_unaccent', $5))
        order by a.published_at desc, a.id desc
        limit $3
        "#,
        filter.author,
        filter.tag,
        limit,
        filter.lang,
        filter.words,
    )
    .fetch_all(&mut *planned)
    .await
}

/// An address for the sitemap, with when it last changed.
#[derive(Debug, Clone)]
pub struct SitemapUrl {
    pub path: String,
    pub lastmod: OffsetDateTime,
}

/// How many public articles there are.
pub async fn public_count(pool: &PgPool) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar!(
        r#"select count(*) as "count!" from article where article_is_listed(status, published_at)"#
    )
    .fetch_one(pool)
    .await
}

/// Public articles `offset..offset+limit`, oldest first (stable pages), for the sitemap.
pub async fn sitemap_articles(
    pool: &PgPool,
    offset: i64,
    limit: i64,
) -> Result<Vec<SitemapUrl>, sqlx::Error> {
    sqlx::query_as!(
        SitemapUrl,
        r#"
        select '/articles/' || slug as "path!", updated_at as lastmod
        from article
        where article_is_listed(status, published_at)
        order by published_at, id
        offset $1 limit $2
        "#,
        offset,
        limit
    )
    .fetch_all(pool)
    .await
}

/// Tag and author pages that have public articles, with their newest article's date.
pub async fn sitemap_sections(pool: &PgPool) -> Result<Vec<SitemapUrl>, sqlx::Error> {
    sqlx::query_as!(
        SitemapUrl,
        r#"
        select '/tags/' || t.slug as "path!", max(a.updated_at) as "lastmod!"
        from tag t join article_tag x on x.tag_id = t.id join article a on a.id = x.article_id
        where article_is_listed(a.status, a.published_at)
        group by t.slug
        union all
        select '/authors/' || u.slug, max(a.updated_at)
        from app_user u join article a on a.author_id = u.id
        where article_is_listed(a.status, a.published_at)
        group by u.slug
        "#
    )
    .fetch_all(pool)
    .await
}

/// A search result: an article and the passages that match, marked between ⟦ and ⟧.
#[derive(Debug, Clone)]
pub struct Found {
    pub slug: String,
    pub title: String,
    pub published_at: OffsetDateTime,
    pub author_name: String,
    pub author_slug: String,
    pub snippet: String,
}

/// Public articles matching `words` (French stemming, accents ignored; any text is accepted),
/// best first (title counts most) among the 300 newest matches, optionally in one tag or by one author.
pub async fn search(
    pool: &PgPool,
    words: &str,
    tag: Option<&str>,
    author: Option<&str>,
    offset: i64,
    limit: i64,
) -> Result<Vec<Found>, sqlx::Error> {
    let mut planned = db::planned_with_values(pool).await?;
    sqlx::query_as!(
        Found,
        r#"
        with q as (select websearch_to_tsquery('french_unaccent', $1) as q),
        -- Ranking reads each match's whole text vector: it is done on the newest 300
        -- matches (30 pages), which bounds the cost of a word that half the archive contains.
        matches as (
            select a.id
            from article a
            where article_is_listed(a.status, a.published_at)
              -- The words themselves, not `q.q`: planned with the actual words, a common one
              -- walks the date index and stops at the 300th match, a rare one uses the
              -- text index.
              and a.search @@ websearch_to_tsquery('french_unaccent', $1)
              and ($2::text is null or exists (
                      select 1 from article_tag x join tag t on t.id = x.tag_id
                      where x.article_id = a.id and t.slug = $2))
              and ($3::text is null or a.author_id = (select id from app_user where slug = $3))
            order by a.published_at desc
            limit 300
        ),
        ranked as (
            select a.id, ts_rank_cd(a.search, q.q) as rank, a.published_at
            from matches m join article a on a.id = m.id, q
            order by rank desc, a.published_at desc, a.id
            offset $4 limit $5
        )
        select a.slug, a.title, a.published_at as "published_at!",
               u.display_name as author_name, u.slug as author_slug,
               ts_headline('french_unaccent', a.dek || ' ' || article_plain_text(a.body_html), q.q,
                           'StartSel=⟦, StopSel=⟧, MaxWords=30, MinWords=12, MaxFragments=2, FragmentDelimiter=" … "')
                   as "snippet!"
        from ranked r
        join article a on a.id = r.id
        join app_user u on u.id = a.author_id, q
        order by r.rank desc, r.published_at desc, r.id
        "#,
        words,
        tag,
        author,
        offset,
        limit
    )
    .fetch_all(&mut *planned)
    .await
}

//! The newsroom's reads of articles: the editor's list, one article as the form needs it, its
//! revisions, published articles to pick as related, the tags to choose from, and whether a
//! slug is free. Every article, whatever its status: access is decided by the caller.

use sqlx::types::Json;
use sqlx::{PgConnection, PgPool};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::db;
use crate::domain::regulation::AiUse;
use crate::domain::{ArticleStatus, Lang, RevisionKind, Slug, TagKind};

/// One line of the editor's list.
#[derive(Debug, Clone)]
pub struct Row {
    pub id: Uuid,
    pub slug: String,
    pub title: String,
    pub status: ArticleStatus,
    pub published_at: Option<OffsetDateTime>,
    pub withdrawn: bool,
    pub updated_at: OffsetDateTime,
    pub author_name: String,
    pub last_editor_name: Option<String>,
    /// The reviewer's note when the article was sent back.
    pub review_note: String,
    /// Not to come out before this time.
    pub embargo_until: Option<OffsetDateTime>,
    /// `article`, or `page`.
    pub kind: String,
}

/// Which articles the list shows.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    /// Only this author's (always set for journalists).
    pub author: Option<Uuid>,
    /// One of `Standing::KEYS`: a status, or scheduled, or withdrawn.
    pub standing: Option<&'static str>,
    pub tag: Option<Uuid>,
    /// Words the title contains (case- and accent-insensitive).
    pub title: Option<String>,
}

/// Up to `limit` articles, most recently changed first, older than `before`.
pub async fn list(
    pool: &PgPool,
    filter: &Filter,
    before: Option<(OffsetDateTime, Uuid)>,
    limit: i64,
) -> Result<Vec<Row>, sqlx::Error> {
    let title = filter.title.as_deref().map(containing);
    let mut planned = db::planned_with_values(pool).await?;
    sqlx::query_as!(
        Row,
        r#"
        select a.id, a.slug, a.title, a.status as "status: ArticleStatus", a.published_at,
               a.withdrawn, a.updated_at,
               au.display_name as author_name, le.display_name as "last_editor_name?", a.review_note,
               a.embargo_until, a.kind
        from article a
        join app_user au on au.id = a.author_id
        left join app_user le on le.id = a.last_editor_id
        where ($1::uuid is null or article_signed_by(a.id, a.author_id, $1))
          and (case $2::text
                 when 'scheduled' then a.status = 'published' and a.published_at > now()
                 when 'published' then article_is_listed(a.status, a.published_at)
                 when 'draft' then a.status = 'draft' and not a.withdrawn
                 when 'withdrawn' then a.status = 'draft' and a.withdrawn
                 else $2 is null or a.status = $2 end)
          and ($3::uuid is null or exists (
                  select 1 from article_tag x where x.article_id = a.id and x.tag_id = $3))
          and ($4::text is null or unaccent(a.title) ilike unaccent($4))
          and ($5::timestamptz is null or (a.updated_at, a.id) < ($5, $6::uuid))
        order by a.updated_at desc, a.id desc
        limit $7
        "#,
        filter.author,
        filter.standing,
        filter.tag,
        title,
        before.map(|b| b.0),
        before.map(|b| b.1),
        limit
    )
    .fetch_all(&mut *planned)
    .await
}

/// An `ilike` pattern for text containing `words` literally: `%` and `_` typed by the user
/// are not wildcards.
fn containing(words: &str) -> String {
    let escaped = words
        .replace('\0', "")
        .trim()
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    format!("%{escaped}%")
}

/// A related article the editor picked, as the form lists it.
#[derive(Debug, Clone, serde::Deserialize)]
pub struct Pick {
    pub id: Uuid,
    pub slug: String,
    pub title: String,
}

/// An article as the edit form needs it.
#[derive(Debug, Clone)]
pub struct Editable {
    pub id: Uuid,
    pub slug: String,
    pub title: String,
    pub dek: String,
    pub excerpt: String,
    pub body_markdown: String,
    pub lang: Lang,
    pub status: ArticleStatus,
    pub version: i32,
    pub author_id: Uuid,
    pub author_name: String,
    pub published_at: Option<OffsetDateTime>,
    pub locked_by: Option<Uuid>,
    pub locked_by_name: Option<String>,
    pub locked_at: Option<OffsetDateTime>,
    pub review_note: String,
    pub withdrawn: bool,
    pub withdrawn_reason: String,
    pub social_title: String,
    pub social_description: String,
    pub featured_media_id: Option<Uuid>,
    pub ai_use: AiUse,
    pub tdm_open: bool,
    /// Not to come out before this time (see `embargo.rs`), and why.
    pub embargo_until: Option<OffsetDateTime>,
    pub embargo_note: String,
    /// Who signs after the author, in order.
    pub coauthors: Json<Vec<CoauthorRef>>,
    /// `article`, or `page` (a standalone page at `/pages/…`, in no list).
    pub kind: String,
    /// The article it translates, if it is a translation.
    pub translation_of: Option<Uuid>,
    pub tags: Json<Vec<Uuid>>,
    /// Picked related articles, in order.
    pub picked: Json<Vec<Pick>>,
}

/// A co-author as the editor shows them.
#[derive(Debug, Clone, serde::Deserialize)]
pub struct CoauthorRef {
    pub user_id: Option<Uuid>,
    pub contributor_id: Option<Uuid>,
    pub name: String,
}

impl Editable {
    /// Whether `user` signs the article: its author, or a co-author with an account. They may
    /// do with it what its author may.
    pub fn is_by(&self, user: Uuid) -> bool {
        self.author_id == user || self.coauthors.0.iter().any(|c| c.user_id == Some(user))
    }
}

pub async fn load(conn: &mut PgConnection, id: Uuid) -> Result<Option<Editable>, sqlx::Error> {
    sqlx::query_as!(
        Editable,
        r#"
        select a.id, a.slug, a.title, a.dek, a.excerpt, a.body_markdown, a.lang as "lang: Lang",
               a.status as "status: ArticleStatus",
               a.version, a.author_id, au.display_name as author_name, a.published_at,
               lk.user_id as "locked_by?", lu.display_name as "locked_by_name?", lk.locked_at as "locked_at?", a.review_note,
               a.withdrawn, a.withdrawn_reason, a.social_title, a.social_description,
               a.featured_media_id, a.ai_use as "ai_use: AiUse", a.tdm_open,
               a.embargo_until, a.embargo_note, a.kind, a.translation_of,
               coalesce((select json_agg(json_build_object('user_id', c.user_id, 'contributor_id', c.contributor_id,
                                                           'name', coalesce(cu.display_name, g.name))
                                         order by c.position)
                         from article_coauthor c left join app_user cu on cu.id = c.user_id
                         left join contributor g on g.id = c.contributor_id
                         where c.article_id = a.id), '[]') as "coauthors!: Json<Vec<CoauthorRef>>",
               coalesce((select json_agg(x.tag_id order by x.position)
                         from article_tag x where x.article_id = a.id), '[]') as "tags!: Json<Vec<Uuid>>",
               coalesce((select json_agg(json_build_object('id', r.id, 'slug', r.slug, 'title', r.title)
                                         order by l.position)
                         from article_link l join article r on r.id = l.to_article_id
                         where l.from_article_id = a.id and l.origin = 'picked'), '[]') as "picked!: Json<Vec<Pick>>"
        from article a
        join app_user au on au.id = a.author_id
        left join article_lock lk on lk.article_id = a.id
        left join app_user lu on lu.id = lk.user_id
        where a.id = $1
        "#,
        id
    )
    .fetch_optional(conn)
    .await
}

/// Whether article `id` is scheduled: published, its time to come.
pub async fn scheduled(conn: &mut PgConnection, id: Uuid) -> Result<bool, sqlx::Error> {
    Ok(sqlx::query_scalar!(
        r#"select status = 'published' and published_at > now() as "scheduled!" from article where id = $1"#,
        id
    )
    .fetch_optional(conn)
    .await?
    .unwrap_or(false))
}

/// The article at `slug` now, whatever its status.
pub async fn id_of(pool: &PgPool, slug: &str) -> Result<Option<Uuid>, sqlx::Error> {
    sqlx::query_scalar!("select id from article where slug = $1", slug)
        .fetch_optional(pool)
        .await
}

/// The article whose creation the form `save_key` made, if it was sent before.
pub async fn created_by(pool: &PgPool, save_key: Uuid) -> Result<Option<Uuid>, sqlx::Error> {
    sqlx::query_scalar!(
        "select article_id from article_revision where save_key = $1 and kind = 'create'",
        save_key
    )
    .fetch_optional(pool)
    .await
}

/// One line of the revisions page.
#[derive(Debug, Clone)]
pub struct RevisionRow {
    pub id: i64,
    pub version: i32,
    pub kind: RevisionKind,
    pub title: String,
    pub editor_name: Option<String>,
    pub created_at: OffsetDateTime,
}

pub async fn revisions(pool: &PgPool, article: Uuid) -> Result<Vec<RevisionRow>, sqlx::Error> {
    sqlx::query_as!(
        RevisionRow,
        r#"
        select r.id, r.version, r.kind as "kind: RevisionKind", r.title, u.display_name as "editor_name?", r.created_at
        from article_revision r left join app_user u on u.id = r.editor_id
        where r.article_id = $1
        order by r.id desc
        "#,
        article
    )
    .fetch_all(pool)
    .await
}

/// One revision in full.
#[derive(Debug, Clone)]
pub struct Revision {
    pub id: i64,
    pub version: i32,
    pub kind: RevisionKind,
    pub title: String,
    pub dek: String,
    pub body_markdown: String,
    pub tags: Json<Vec<Uuid>>,
    pub related: Json<Vec<Uuid>>,
    pub editor_name: Option<String>,
    pub created_at: OffsetDateTime,
}

pub async fn revision(
    pool: &PgPool,
    article: Uuid,
    id: i64,
) -> Result<Option<Revision>, sqlx::Error> {
    sqlx::query_as!(
        Revision,
        r#"
        select r.id, r.version, r.kind as "kind: RevisionKind", r.title, r.dek, r.body_markdown,
               r.tags as "tags: Json<Vec<Uuid>>", r.related as "related: Json<Vec<Uuid>>",
               u.display_name as "editor_name?", r.created_at
        from article_revision r left join app_user u on u.id = r.editor_id
        where r.article_id = $1 and r.id = $2
        "#,
        article,
        id
    )
    .fetch_optional(pool)
    .await
}

/// The text article `article` had at `version`: the revision its last save (or creation, or
/// restoration) up to that version left (a status change moves the version, not the text);
/// the base of a three-way merge.
pub async fn saved_at(
    pool: &PgPool,
    article: Uuid,
    version: i32,
) -> Result<Option<Revision>, sqlx::Error> {
    sqlx::query_as!(
        Revision,
        r#"
        select r.id, r.version, r.kind as "kind: RevisionKind", r.title, r.dek, r.body_markdown,
               r.tags as "tags: Json<Vec<Uuid>>", r.related as "related: Json<Vec<Uuid>>",
               u.display_name as "editor_name?", r.created_at
        from article_revision r left join app_user u on u.id = r.editor_id
        where r.article_id = $1 and r.version <= $2 and r.kind in ('create', 'save', 'restore')
        order by r.version desc, r.id desc
        limit 1
        "#,
        article,
        version
    )
    .fetch_optional(pool)
    .await
}

/// Published articles whose title contains `words`, for picking related ones.
pub async fn search_published(
    pool: &PgPool,
    words: &str,
    exclude: Option<Uuid>,
    limit: i64,
) -> Result<Vec<Pick>, sqlx::Error> {
    let pattern = containing(words);
    sqlx::query_as!(
        Pick,
        r#"
        select id as "id!", slug as "slug!", title as "title!" from public_article
        where ($2::uuid is null or id <> $2)
          and unaccent(title) ilike unaccent($1)
        order by published_at desc
        limit $3
        "#,
        pattern,
        exclude,
        limit
    )
    .fetch_all(pool)
    .await
}

/// Published articles by id, in the order given (for showing picks that are not saved yet).
pub async fn picks(pool: &PgPool, ids: &[Uuid]) -> Result<Vec<Pick>, sqlx::Error> {
    sqlx::query_as!(
        Pick,
        r#"
        select a.id as "id!", a.slug as "slug!", a.title as "title!"
        from unnest($1::uuid[]) with ordinality as t(id, position)
        -- Only what anyone may see: ids posted by hand reveal nothing unpublished.
        join public_article a on a.id = t.id
        order by t.position
        "#,
        ids
    )
    .fetch_all(pool)
    .await
}

/// Every tag, for the form's choices.
#[derive(Debug, Clone)]
pub struct TagChoice {
    pub id: Uuid,
    pub name: String,
    pub kind: TagKind,
}

pub async fn tag_choices(pool: &PgPool) -> Result<Vec<TagChoice>, sqlx::Error> {
    sqlx::query_as!(
        TagChoice,
        r#"select id, name, kind as "kind: TagKind" from tag order by kind, lower(name)"#
    )
    .fetch_all(pool)
    .await
}

/// Up to `limit` tags whose name contains `words` (case- and accent-insensitive), those that
/// start with them first: the editor's type-ahead.
pub async fn search_tags(
    pool: &PgPool,
    words: &str,
    limit: i64,
) -> Result<Vec<TagChoice>, sqlx::Error> {
    let pattern = containing(words);
    sqlx::query_as!(
        TagChoice,
        r#"
        select id, name, kind as "kind: TagKind" from tag
        where unaccent(name) ilike unaccent($1)
        order by unaccent(name) ilike unaccent(substr($1, 2)) desc, lower(name)
        limit $2
        "#,
        pattern,
        limit
    )
    .fetch_all(pool)
    .await
}

/// Whether another article has (or had) `slug`.
pub async fn slug_taken(
    pool: &PgPool,
    slug: &Slug,
    except: Option<Uuid>,
) -> Result<bool, sqlx::Error> {
    sqlx::query_scalar!(
        r#"
        select exists (select 1 from article where slug = $1 and ($2::uuid is null or id <> $2))
            or exists (select 1 from slug_redirect where old_slug = $1 and ($2::uuid is null or article_id <> $2)) as "taken!"
        "#,
        slug.as_str(),
        except
    )
    .fetch_one(pool)
    .await
}

/// What a notice about an article says of it: its title, address and author.
#[derive(Debug, Clone)]
pub struct Noticed {
    pub title: String,
    pub slug: String,
    /// Where readers read it: `/articles/{slug}`, or `/pages/{slug}` for a page of the site.
    pub path: String,
    pub author_id: Uuid,
}

pub async fn noticed(conn: &mut PgConnection, id: Uuid) -> Result<Option<Noticed>, sqlx::Error> {
    sqlx::query_as!(
        Noticed,
        r#"
        select title, slug, author_id,
               case when kind = 'page' then '/pages/' else '/articles/' end || slug as "path!"
        from article where id = $1
        "#,
        id
    )
    .fetch_optional(conn)
    .await
}

/// The published articles named by `keys` (each an id or a current slug): `(key, id)`, for
/// those readers can find (the only ones a related list shows).
pub async fn resolve(pool: &PgPool, keys: &[String]) -> Result<Vec<(String, Uuid)>, sqlx::Error> {
    let rows = sqlx::query!(
        r#"
        select k.key as "key!", a.id as "id!"
        from unnest($1::text[]) as k(key)
        join public_article a on a.slug = k.key
            or (k.key ~ '^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$' and a.id = k.key::uuid)
        "#,
        keys
    )
    .fetch_all(pool)
    .await?;
    Ok(rows.into_iter().map(|r| (r.key, r.id)).collect())
}

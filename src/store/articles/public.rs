//! What readers see of articles: lists (home, tag, author, language, words), one article at its
//! address, feeds and old addresses. Every query reads through the visibility rule (the
//! `public_article` view for lists, `readable_article` for one article's page); none writes.

use std::collections::HashMap;

use sqlx::PgPool;
use sqlx::types::Json;
use time::OffsetDateTime;
use uuid::Uuid;

use crate::db;
use crate::domain::regulation::AiUse;
use crate::domain::{Lang, Slug};
use crate::store::{Byline, TagRef};

/// An article in a public list.
#[derive(Debug, Clone)]
pub struct Summary {
    pub id: Uuid,
    pub slug: String,
    pub title: String,
    pub dek: String,
    pub excerpt: String,
    pub lang: Lang,
    pub published_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
    pub author_name: String,
    pub author_slug: String,
    /// Every byline, the author first.
    pub bylines: Json<Vec<Byline>>,
    pub tags: Json<Vec<TagRef>>,
    pub featured_media_id: Option<Uuid>,
}

/// Which public articles a list shows.
#[derive(Debug, Clone, Copy, Default)]
pub struct Filter<'a> {
    pub tag: Option<Uuid>,
    pub author: Option<Uuid>,
    pub lang: Option<Lang>,
    /// Words the article must contain, as typed in a search box (French full-text search).
    pub words: Option<&'a str>,
}

impl Filter<'_> {
    fn is_empty(&self) -> bool {
        self.tag.is_none() && self.author.is_none() && self.lang.is_none() && self.words.is_none()
    }

    fn lang(&self) -> Option<&'static str> {
        self.lang.map(Lang::as_str)
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
    let before = before.unwrap_or(Cursor::FIRST);
    if filter.is_empty() {
        return latest(pool, before, limit).await;
    }
    // Optional filters (`$2 is null or …`) make a generic plan guess that almost nothing
    // matches, and sort every article instead of walking the date index: plan with the values.
    let mut planned = db::planned_with_values(pool).await?;
    // Both filtered lists take the same values, in this order: `$1` tag, `$2` author, `$3` and
    // `$4` the cursor, `$5` the limit, `$6` language, `$7` words. They differ only in the index
    // they walk.
    macro_rules! filtered_list {
        ($sql:tt) => {
            sqlx::query_as!(
                Summary,
                $sql,
                filter.tag,
                filter.author,
                before.published_at,
                before.id,
                limit,
                filter.lang(),
                filter.words
            )
            .fetch_all(&mut *planned)
            .await
        };
    }
    if filter.tag.is_some() {
        // A tag's page walks the tag's own date index (`article_tag_published_idx`), so that
        // page 50 of a big tag costs what page 1 costs.
        filtered_list!(
            r#"
            select a.id as "id!", a.slug as "slug!", a.title as "title!", a.dek as "dek!", a.excerpt as "excerpt!",
                   a.lang as "lang!: Lang", a.published_at as "published_at!", a.updated_at as "updated_at!",
                   a.author_name as "author_name!", a.author_slug as "author_slug!",
                   a.bylines as "bylines!: Json<Vec<Byline>>", a.tags as "tags!: Json<Vec<TagRef>>",
                   a.featured_media_id
            from article_tag x
            join public_article a on a.id = x.article_id
            -- The tag's copy of the rule walks its date index; the view's rule decides.
            where x.tag_id = $1 and article_tag_is_listed(x.published_at)
              and article_matches(a.id, a.author_id, a.lang, a.search, $2, $6, $7)
              and (x.published_at, x.article_id) < ($3, $4)
            order by x.published_at desc, x.article_id desc
            limit $5
            "#
        )
    } else {
        // Every other list walks the date index of all articles (or an author's).
        filtered_list!(
            r#"
            select id as "id!", slug as "slug!", title as "title!", dek as "dek!", excerpt as "excerpt!",
                   lang as "lang!: Lang", published_at as "published_at!", updated_at as "updated_at!",
                   author_name as "author_name!", author_slug as "author_slug!",
                   bylines as "bylines!: Json<Vec<Byline>>", tags as "tags!: Json<Vec<TagRef>>",
                   featured_media_id
            from public_article
            where $1::uuid is null
              and article_matches(id, author_id, lang, search, $2, $6, $7)
              and (published_at, id) < ($3, $4)
            order by published_at desc, id desc
            limit $5
            "#
        )
    }
}

/// [`list_published`] with no filter: the home page and the API's plain list, the busiest
/// list. A query of one shape: whatever values it is planned with, it walks the date index.
async fn latest(pool: &PgPool, before: Cursor, limit: i64) -> Result<Vec<Summary>, sqlx::Error> {
    sqlx::query_as!(
        Summary,
        r#"
        select id as "id!", slug as "slug!", title as "title!", dek as "dek!", excerpt as "excerpt!",
               lang as "lang!: Lang", published_at as "published_at!", updated_at as "updated_at!",
               author_name as "author_name!", author_slug as "author_slug!",
               bylines as "bylines!: Json<Vec<Byline>>", tags as "tags!: Json<Vec<TagRef>>",
               featured_media_id
        from public_article
        where (published_at, id) < ($1, $2)
        order by published_at desc, id desc
        limit $3
        "#,
        before.published_at,
        before.id,
        limit
    )
    .fetch_all(pool)
    .await
}

/// A public article, as its page shows it.
#[derive(Debug, Clone)]
pub struct Published {
    pub id: Uuid,
    pub slug: String,
    pub title: String,
    pub dek: String,
    pub excerpt: String,
    pub body_html: String,
    pub lang: Lang,
    pub published_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
    /// Still readable at its address, with a notice; in no list.
    pub archived: bool,
    pub author_id: Uuid,
    pub author_name: String,
    pub author_slug: String,
    /// Every byline, the author first.
    pub bylines: Json<Vec<Byline>>,
    /// When it last changed in substance, as the editor who saved it said.
    pub revised_at: Option<OffsetDateTime>,
    /// The accounts among its co-authors (their names are on its page).
    pub coauthor_ids: Vec<Uuid>,
    pub tags: Json<Vec<TagRef>>,
    pub tag_ids: Vec<Uuid>,
    /// Every article it links to (picked or in the body), public or not yet: its related list
    /// changes when one of them comes out.
    pub linked_ids: Vec<Uuid>,
    /// Its corrections, oldest first.
    pub corrections: Json<Vec<Correction>>,
    /// What a social network shows when it is shared (empty: the title, the dek).
    pub social_title: String,
    pub social_description: String,
    pub featured_media_id: Option<Uuid>,
    /// The library images its text shows.
    pub media_ids: Vec<Uuid>,
    /// How AI was used to make it, disclosed under the byline.
    pub ai_use: AiUse,
    /// Left open to text-and-data mining, against the site's reservation.
    pub tdm_open: bool,
    /// What readers see under it (see [`super::discover::Related`]).
    pub related: Json<Vec<super::discover::Related>>,
    /// Its translation group, the source first (empty when it is in none).
    pub translations: Json<Vec<super::translations::MemberRow>>,
    /// Whether a public regulation is about one of its tags (its box then needs reading).
    pub regulated: bool,
}

/// A correction under a published article.
#[derive(Debug, Clone, serde::Deserialize)]
pub struct Correction {
    #[serde(with = "time::serde::rfc3339")]
    pub noted_at: OffsetDateTime,
    pub body: String,
}

/// What a request for `/articles/{slug}` finds.
#[derive(Debug)]
pub enum Lookup {
    Found(Box<Published>),
    /// The slug is an old one; the article now lives at this slug.
    Moved(String),
    /// Taken down by the newsroom, on purpose and for good: 410, with a notice and the
    /// reason the newsroom gave (may be empty).
    Withdrawn(String),
    Missing,
}

/// The public article at `slug`, following old slugs to the current one, with everything its
/// page shows but its images and regulation boxes, in one statement: tags, corrections, up to
/// `related` related articles, its translations.
pub async fn find_published(
    pool: &PgPool,
    slug: &Slug,
    related: u32,
) -> Result<Lookup, sqlx::Error> {
    let found = sqlx::query_as!(
        Published,
        r#"
        select a.id as "id!", a.slug as "slug!", a.title as "title!", a.dek as "dek!",
               a.excerpt as "excerpt!", a.body_html as "body_html!", a.lang as "lang!: Lang",
               a.published_at as "published_at!", a.updated_at as "updated_at!",
               a.status = 'archived' as "archived!", a.author_id as "author_id!",
               a.author_name as "author_name!", a.author_slug as "author_slug!",
               a.bylines as "bylines!: Json<Vec<Byline>>", a.revised_at,
               array(select c.user_id from article_coauthor c
                     where c.article_id = a.id and c.user_id is not null) as "coauthor_ids!: Vec<Uuid>",
               a.tags as "tags!: Json<Vec<TagRef>>",
               array(select x.tag_id from article_tag x where x.article_id = a.id) as "tag_ids!",
               array(select l.to_article_id from article_link l where l.from_article_id = a.id) as "linked_ids!",
               coalesce((
                   select json_agg(json_build_object('noted_at', c.noted_at, 'body', c.body)
                                   order by c.noted_at, c.id)
                   from correction c where c.article_id = a.id
               ), '[]') as "corrections!: Json<Vec<Correction>>",
               a.social_title as "social_title!", a.social_description as "social_description!",
               a.featured_media_id,
               array(select m.media_id from article_media m where m.article_id = a.id) as "media_ids!",
               a.ai_use as "ai_use!: AiUse", a.tdm_open as "tdm_open!",
               coalesce((
                   select json_agg(json_build_object('id', r.id, 'slug', r.slug, 'title', r.title,
                                                     'published_at', r.published_at) order by r.k)
                   from article_related(a.id, $2) with ordinality r(id, slug, title, published_at, k)
               ), '[]') as "related!: Json<Vec<super::discover::Related>>",
               coalesce((
                   select json_agg(json_build_object(
                              'id', g.id, 'slug', g.slug, 'title', g.title, 'lang', g.lang,
                              'source', g.id = f.root, 'author_id', g.author_id,
                              'public', article_is_listed(g.status, g.published_at) and g.kind = 'article')
                          order by g.id <> f.root, g.lang, g.id)
                   from (select coalesce(x.translation_of, x.id) as root from article x where x.id = a.id) f
                   join article g on g.id = f.root or g.translation_of = f.root
                   where exists (select 1 from article t where t.translation_of = f.root)
               ), '[]') as "translations!: Json<Vec<super::translations::MemberRow>>",
               exists (select 1 from public_regulation r join article_tag t on t.tag_id = r.tag_id
                       where t.article_id = a.id) as "regulated!"
        -- Archived articles stay readable (with a notice) at their address, and nowhere else.
        from readable_article a
        -- At this address, or at one it had (then it answers with its current one).
        where a.slug = $1 or a.id = (select r.article_id from slug_redirect r where r.old_slug = $1)
        "#,
        slug.as_str(),
        i32::try_from(related).unwrap_or(i32::MAX)
    )
    .fetch_optional(pool)
    .await?;
    match found {
        Some(article) if article.slug == slug.as_str() => {
            return Ok(Lookup::Found(Box::new(article)));
        }
        Some(article) => return Ok(Lookup::Moved(article.slug)),
        None => {}
    }
    let withdrawn = sqlx::query_scalar!(
        "select withdrawn_reason from article where slug = $1 and withdrawn",
        slug.as_str()
    )
    .fetch_optional(pool)
    .await?;
    Ok(withdrawn.map_or(Lookup::Missing, Lookup::Withdrawn))
}

/// Up to `limit` public articles guest contributor `id` co-signed, newest first, older than
/// `before`.
pub async fn by_contributor(
    pool: &PgPool,
    id: Uuid,
    before: Option<Cursor>,
    limit: i64,
) -> Result<Vec<Summary>, sqlx::Error> {
    let before = before.unwrap_or(Cursor::FIRST);
    sqlx::query_as!(
        Summary,
        r#"
        select a.id as "id!", a.slug as "slug!", a.title as "title!", a.dek as "dek!", a.excerpt as "excerpt!",
               a.lang as "lang!: Lang", a.published_at as "published_at!", a.updated_at as "updated_at!",
               a.author_name as "author_name!", a.author_slug as "author_slug!",
               a.bylines as "bylines!: Json<Vec<Byline>>", a.tags as "tags!: Json<Vec<TagRef>>",
               a.featured_media_id
        from article_coauthor c
        join public_article a on a.id = c.article_id
        where c.contributor_id = $1 and (a.published_at, a.id) < ($2, $3)
        order by a.published_at desc, a.id desc
        limit $4
        "#,
        id,
        before.published_at,
        before.id,
        limit
    )
    .fetch_all(pool)
    .await
}

/// The slug of the public article that had the old address `path` (see the `legacy_urls`
/// migration), if any.
pub async fn moved_from(pool: &PgPool, path: &str) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar!(
        r#"
        select a.slug as "slug!" from legacy_url l join public_article a on a.id = l.article_id
        where l.path = $1
        "#,
        path
    )
    .fetch_optional(pool)
    .await
}

/// An article as a feed carries it: its summary and its text in full.
#[derive(Debug, Clone)]
pub struct FeedEntry {
    pub summary: Summary,
    pub body_html: String,
    /// The library images its text shows.
    pub media_ids: Vec<Uuid>,
}

/// The newest `limit` public articles matching `filter`, in full, for feeds: the lists' own
/// query (same filters, same indexes as the pages), then their texts.
pub async fn feed(
    pool: &PgPool,
    filter: Filter<'_>,
    limit: i64,
) -> Result<Vec<FeedEntry>, sqlx::Error> {
    let summaries = list_published(pool, filter, None, limit).await?;
    with_texts(pool, summaries).await
}

/// The newest `limit` public articles guest contributor `id` co-signs, in full, for their
/// feed.
pub async fn contributor_feed(
    pool: &PgPool,
    id: Uuid,
    limit: i64,
) -> Result<Vec<FeedEntry>, sqlx::Error> {
    let summaries = by_contributor(pool, id, None, limit).await?;
    with_texts(pool, summaries).await
}

/// `summaries` with their texts, for a feed.
async fn with_texts(pool: &PgPool, summaries: Vec<Summary>) -> Result<Vec<FeedEntry>, sqlx::Error> {
    let ids: Vec<Uuid> = summaries.iter().map(|s| s.id).collect();
    let texts = sqlx::query!(
        r#"
        select id as "id!", body_html as "body_html!",
               array(select m.media_id from article_media m where m.article_id = a.id) as "media_ids!"
        from public_article a where id = any($1)
        "#,
        &ids
    )
    .fetch_all(pool)
    .await?;
    let mut texts: HashMap<Uuid, (String, Vec<Uuid>)> = texts
        .into_iter()
        .map(|t| (t.id, (t.body_html, t.media_ids)))
        .collect();
    // One taken down between the two reads is left out.
    Ok(summaries
        .into_iter()
        .filter_map(|summary| {
            let (body_html, media_ids) = texts.remove(&summary.id)?;
            Some(FeedEntry {
                summary,
                body_html,
                media_ids,
            })
        })
        .collect())
}

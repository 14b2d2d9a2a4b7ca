//! Finding articles to read: related articles under an article, search, and the sitemap's
//! addresses. Like `public`, every query reads through the visibility rule; none writes.

use sqlx::PgPool;
use sqlx::types::Json;
use time::OffsetDateTime;
use uuid::Uuid;

use crate::db;

/// A related article under another one, as `article_related` (the `related_suggestions`
/// migration) lists them: those an editor picked, then those the body links to, then its
/// suggestions as the related job kept them; only listed articles, never the article itself.
/// Read with the article (`public::find_published`).
#[derive(Debug, Clone, serde::Deserialize)]
pub struct Related {
    pub id: Uuid,
    pub slug: String,
    pub title: String,
    #[serde(with = "time::serde::rfc3339")]
    pub published_at: OffsetDateTime,
}

/// An address for the sitemap, with when it last changed.
#[derive(Debug, Clone)]
pub struct SitemapUrl {
    pub path: String,
    pub lastmod: OffsetDateTime,
}

/// The addresses of public articles the newsroom leaves open to text-and-data mining, at most
/// `limit`, newest first.
pub async fn open_to_mining(pool: &PgPool, limit: i64) -> Result<Vec<String>, sqlx::Error> {
    sqlx::query_scalar!(
        r#"
        select '/articles/' || slug as "path!" from readable_article where tdm_open
        order by published_at desc limit $1
        "#,
        limit
    )
    .fetch_all(pool)
    .await
}

/// How many public articles there are.
pub async fn public_count(pool: &PgPool) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar!(r#"select count(*) as "count!" from public_article"#)
        .fetch_one(pool)
        .await
}

/// Public articles `offset..offset+limit`, oldest first (stable pages), for the sitemap.
pub async fn sitemap_articles(
    pool: &PgPool,
    offset: i64,
    limit: i64,
) -> Result<Vec<SitemapArticle>, sqlx::Error> {
    sqlx::query_as!(
        SitemapArticle,
        r#"
        select '/articles/' || a.slug as "path!", a.updated_at as "lastmod!",
               -- Its language versions readers can read (itself included), when it has any:
               -- the original first (the pages' x-default), then by language.
               case when x.translation_of is not null
                         or exists (select 1 from article t where t.translation_of = a.id)
                    then (select json_agg(json_build_object('lang', g.lang, 'slug', g.slug)
                                          order by gx.translation_of is not null, g.lang, g.slug)
                          from public_article g join article gx on gx.id = g.id
                          where gx.id = coalesce(x.translation_of, x.id)
                             or gx.translation_of = coalesce(x.translation_of, x.id))
               end as "alternates: Json<Vec<Alternate>>"
        from public_article a join article x on x.id = a.id
        order by a.published_at, a.id
        offset $1 limit $2
        "#,
        offset,
        limit
    )
    .fetch_all(pool)
    .await
}

/// An article's address for the sitemap, with its language versions.
#[derive(Debug, Clone)]
pub struct SitemapArticle {
    pub path: String,
    pub lastmod: OffsetDateTime,
    /// Every public language version, itself included; `None` when it has no translation.
    pub alternates: Option<Json<Vec<Alternate>>>,
}

/// A language version of an article.
#[derive(Debug, Clone, serde::Deserialize)]
pub struct Alternate {
    pub lang: String,
    pub slug: String,
}

/// An article of the news sitemap (Google News).
#[derive(Debug, Clone)]
pub struct NewsUrl {
    pub slug: String,
    pub title: String,
    pub lang: String,
    pub published_at: OffsetDateTime,
}

/// The public articles of the last two days, newest first, at most 1 000: what Google News
/// reads from a news sitemap.
pub async fn news_articles(pool: &PgPool) -> Result<Vec<NewsUrl>, sqlx::Error> {
    sqlx::query_as!(
        NewsUrl,
        r#"
        select slug as "slug!", title as "title!", lang as "lang!", published_at as "published_at!"
        from public_article
        where published_at > now() - interval '2 days'
        order by published_at desc, id
        limit 1000
        "#
    )
    .fetch_all(pool)
    .await
}

/// Tag and author pages that have public articles, with their newest article's date; the
/// regulation hubs and the pages of jurisdictions that have public regulations.
pub async fn sitemap_sections(pool: &PgPool) -> Result<Vec<SitemapUrl>, sqlx::Error> {
    sqlx::query_as!(
        SitemapUrl,
        r#"
        select '/tags/' || t.slug as "path!", max(a.updated_at) as "lastmod!"
        from tag t join article_tag x on x.tag_id = t.id join article a on a.id = x.article_id
        where article_is_listed(a.status, a.published_at) and a.kind = 'article'
        group by t.slug
        union all
        select '/authors/' || u.slug, max(s.updated_at)
        from app_user u
        join (select a.author_id as user_id, a.updated_at from article a
              where article_is_listed(a.status, a.published_at) and a.kind = 'article'
              union all
              select c.user_id, a.updated_at from article_coauthor c join article a on a.id = c.article_id
              where c.user_id is not null and article_is_listed(a.status, a.published_at) and a.kind = 'article') s
          on s.user_id = u.id
        group by u.slug
        union all
        select '/contributors/' || g.slug, max(a.updated_at)
        from contributor g join article_coauthor c on c.contributor_id = g.id
        join article a on a.id = c.article_id
        where article_is_listed(a.status, a.published_at) and a.kind = 'article'
        group by g.slug
        union all
        select '/pages/' || p.slug, p.updated_at from readable_page p
        union all
        select '/regulations', max(r.updated_at) from public_regulation r having count(*) > 0
        union all
        select '/regulations/' || r.slug, r.updated_at from public_regulation r
        union all
        select '/jurisdictions/' || j.slug, max(r.updated_at)
        from jurisdiction j join public_regulation r on r.jurisdiction_id = j.id
        group by j.slug
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
    /// Every byline, in order (the author first).
    pub bylines: Json<Vec<crate::store::Byline>>,
    pub snippet: String,
}

/// How many of the newest matches are ranked: results are the best of them, ten pages' worth.
pub const RANKED: i64 = 100;

/// Public articles matching `words` (French stemming, accents ignored; any text is accepted),
/// optionally in one tag or by one author: the [`RANKED`] newest matches, those whose title
/// (then dek) matches first, then the newest. A phrase (`"…"`) is sought among the 1 000 newest
/// articles holding all its words: its positions are read from each article's whole text
/// vector, which is what a search costs most. Passages come from the first 2 000 characters of
/// each result's text (`article.search_text`), for the shown results only.
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
        -- The newest articles holding every word, straight from the indexes: the words
        -- themselves, not `q.q`, so that the plan is made for them (a common word walks the
        -- date index and stops early, a rarer one uses the text index). A phrase's words are
        -- asked for together (`&`, which the text index answers alone); their order is checked
        -- next, on at most 1 000 of them. A query with a negation is kept as typed (without a
        -- phrase's order, "not this phrase" would exclude more).
        holding as (
            select a.id, a.published_at, a.search, a.search_head
            from article a
            where article_is_listed(a.status, a.published_at) and a.kind = 'article'
              and a.search @@ case
                  when websearch_to_tsquery('french_unaccent', $1)::text like '%!%'
                      then websearch_to_tsquery('french_unaccent', $1)
                  else regexp_replace(websearch_to_tsquery('french_unaccent', $1)::text,
                                      '<(-|[0-9]+)>', '&', 'g')::tsquery
                  end
              and ($2::text is null or exists (
                      select 1 from article_tag x join tag t on t.id = x.tag_id
                      where x.article_id = a.id and t.slug = $2))
              and ($3::text is null
                   or article_signed_by(a.id, a.author_id, (select id from app_user where slug = $3)))
            order by a.published_at desc
            limit 1000
        ),
        -- Ranked by the title and dek's small vector, never the body's.
        matches as (
            select h.id, h.published_at,
                   ts_rank_cd(h.search_head, websearch_to_tsquery('french_unaccent', $1)) as rank
            from holding h
            -- Only a phrase needs a second look (a constant once planned with the words).
            where websearch_to_tsquery('french_unaccent', $1)::text !~ '<(-|[0-9]+)>'
               or h.search @@ websearch_to_tsquery('french_unaccent', $1)
            limit $6
        ),
        ranked as (
            select id, rank, published_at from matches
            order by rank desc, published_at desc, id
            offset $4 limit $5
        )
        select a.slug, a.title, a.published_at as "published_at!",
               (select p.bylines from public_article p where p.id = a.id)
                   as "bylines!: Json<Vec<crate::store::Byline>>",
               ts_headline('french_unaccent', a.search_text, q.q,
                           'StartSel=⟦, StopSel=⟧, MaxWords=30, MinWords=12, MaxFragments=2, FragmentDelimiter=" … "')
                   as "snippet!"
        from ranked r
        join article a on a.id = r.id, q
        order by r.rank desc, r.published_at desc, r.id
        "#,
        words,
        tag,
        author,
        offset,
        limit,
        RANKED
    )
    .fetch_all(&mut *planned)
    .await
}

//! Finding articles to read: related articles under an article, search, and the sitemap's
//! addresses. Like `public`, every query reads through the visibility rule; none writes.

use sqlx::PgPool;
use sqlx::types::Json;
use time::OffsetDateTime;
use uuid::Uuid;

use crate::db;

/// A related article under another one.
#[derive(Debug, Clone)]
pub struct Related {
    pub id: Uuid,
    pub slug: String,
    pub title: String,
    pub published_at: OffsetDateTime,
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
              and article_is_listed(r.status, r.published_at) and r.kind = 'article'
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
        -- Its own translations (and it, theirs) are language versions, not further reading.
        suggested as (
            select r.id, r.slug, r.title, r.published_at, s.shared::float8 as shared
            from shared s join article r on r.id = s.id
            where article_is_listed(r.status, r.published_at) and r.kind = 'article'
              and coalesce(r.translation_of, r.id)
                  <> (select coalesce(a.translation_of, a.id) from article a where a.id = $1)
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
               -- Its language versions readers can read (itself included), when it has any.
               case when x.translation_of is not null
                         or exists (select 1 from article t where t.translation_of = a.id)
                    then (select json_agg(json_build_object('lang', g.lang, 'slug', g.slug)
                                          order by g.lang, g.slug)
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
            where article_is_listed(a.status, a.published_at) and a.kind = 'article'
              -- The words themselves, not `q.q`: planned with the actual words, a common one
              -- walks the date index and stops at the 300th match, a rare one uses the
              -- text index.
              and a.search @@ websearch_to_tsquery('french_unaccent', $1)
              and ($2::text is null or exists (
                      select 1 from article_tag x join tag t on t.id = x.tag_id
                      where x.article_id = a.id and t.slug = $2))
              and ($3::text is null
                   or article_signed_by(a.id, a.author_id, (select id from app_user where slug = $3)))
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

//! Related articles suggested automatically, computed when articles change rather than at every
//! view (see the `related_suggestions` migration): a `related` job per article a change affects
//! keeps its list, and the worker also keeps the lists of articles that have none yet (after an
//! import) or an old one, a few at a time while it has nothing else to do.

use serde_json::Value;
use sqlx::PgPool;
use uuid::Uuid;

/// Lists older than this are computed again when the worker is idle: what a change's own jobs
/// did not reach (an article far down a big tag) catches up.
const REFRESH_AFTER_DAYS: i32 = 7;

/// How many suggestions are kept beyond what a page shows: some may drop out (unpublished, or
/// picked by an editor above the suggestions) before the next computation.
pub const SPARE: i32 = 8;

/// What a `related` job says: the article, and whether the articles it now suggests are
/// computed again too.
#[derive(Debug, Clone, Copy, serde::Deserialize)]
pub struct Task {
    pub article: Uuid,
    #[serde(default)]
    pub spread: bool,
}

impl Task {
    pub fn parse(payload: &Value) -> Option<Self> {
        serde_json::from_value(payload.clone()).ok()
    }
}

/// Computes and keeps `article`'s suggestions (`shown` + [`SPARE`] of them), or forgets them
/// when it is no longer published. Returns the list kept.
pub async fn keep(pool: &PgPool, article: Uuid, shown: u32) -> Result<Vec<Uuid>, sqlx::Error> {
    let n = i32::try_from(shown)
        .unwrap_or(i32::MAX)
        .saturating_add(SPARE);
    let kept = sqlx::query_scalar!(
        r#"
        insert into article_suggestion (article_id, suggested)
        select a.id, compute_suggestions(a.id, $2) from article a
        where a.id = $1 and a.status = 'published' and a.kind = 'article'
        on conflict (article_id) do update
            set suggested = excluded.suggested, computed_at = now()
        returning suggested
        "#,
        article,
        n
    )
    .fetch_optional(pool)
    .await?;
    match kept {
        Some(list) => Ok(list),
        None => {
            sqlx::query!(
                "delete from article_suggestion where article_id = $1",
                article
            )
            .execute(pool)
            .await?;
            Ok(Vec::new())
        }
    }
}

/// Queues the computation of each of `articles`' lists (without spreading further).
pub async fn queue(pool: &PgPool, articles: &[Uuid]) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "select queue_related(id, false, now()) from unnest($1::uuid[]) as t(id)",
        articles
    )
    .execute(pool)
    .await?;
    Ok(())
}

/// Up to `limit` published articles whose list is missing or old, those without one first.
pub async fn due(pool: &PgPool, limit: i64) -> Result<Vec<Uuid>, sqlx::Error> {
    sqlx::query_scalar!(
        r#"
        (select a.id as "id!" from article a
         where a.status = 'published' and a.kind = 'article'
           and not exists (select 1 from article_suggestion s where s.article_id = a.id)
         limit $1)
        union all
        (select s.article_id from article_suggestion s
         where s.computed_at < now() - make_interval(days => $2)
         order by s.computed_at
         limit $1)
        limit $1
        "#,
        limit,
        REFRESH_AFTER_DAYS
    )
    .fetch_all(pool)
    .await
}

//! When the public side last changed (see the `content_clock` migration).

use sqlx::PgPool;
use time::{OffsetDateTime, PrimitiveDateTime};

/// The last change a reader could see: the clock the triggers move, the latest scheduled
/// publication whose time has come, or — when public regulations have milestones, whose
/// countdowns and "next" change with the day — the last midnight in the newsroom's time zone
/// `tz`, whichever is later.
pub async fn content_changed_at(pool: &PgPool, tz: &str) -> sqlx::Result<OffsetDateTime> {
    sqlx::query_scalar!(
        r#"
        select greatest(
            (select changed_at from content_clock),
            (select max(published_at) from article
             where article_is_listed(status, published_at)),
            (select date_trunc('day', now() at time zone $1) at time zone $1
             where exists (select 1 from regulation_milestone m
                           join public_regulation r on r.id = m.regulation_id))
        ) as "at!"
        "#,
        tz
    )
    .fetch_one(pool)
    .await
}

/// When public pages next change without anything in the database changing: the next
/// scheduled article comes out, or the next midnight in `tz` comes while public regulations
/// have milestones (countdowns move, a milestone passes).
pub async fn next_scheduled(pool: &PgPool, tz: &str) -> sqlx::Result<Option<OffsetDateTime>> {
    sqlx::query_scalar!(
        r#"
        select least(
            -- Published but not yet listed (see `article_is_listed`), in the date index's terms.
            (select min(published_at) from article
             where status = 'published' and published_at > now()),
            (select (date_trunc('day', now() at time zone $1) + interval '1 day') at time zone $1
             where exists (select 1 from regulation_milestone m
                           join public_regulation r on r.id = m.regulation_id))
        ) as at
        "#,
        tz
    )
    .fetch_one(pool)
    .await
}

/// Whether a wall-clock time in the time zone `tz` is still to come, by the database's clock.
pub async fn is_future(pool: &PgPool, local: PrimitiveDateTime, tz: &str) -> sqlx::Result<bool> {
    sqlx::query_scalar!(
        r#"select ($1::timestamp at time zone $2) > now() as "future!""#,
        local,
        tz
    )
    .fetch_one(pool)
    .await
}

/// The instant a wall-clock time `local` in time zone `tz` names.
pub async fn instant(
    pool: &PgPool,
    local: PrimitiveDateTime,
    tz: &str,
) -> sqlx::Result<OffsetDateTime> {
    sqlx::query_scalar!(
        r#"select ($1::timestamp at time zone $2) as "at!""#,
        local,
        tz
    )
    .fetch_one(pool)
    .await
}

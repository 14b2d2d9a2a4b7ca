//! When the public side last changed (see the `content_clock` migration).

use sqlx::PgPool;
use time::{OffsetDateTime, PrimitiveDateTime};

/// The last change a reader could see: the clock the triggers move, or the latest scheduled
/// publication whose time has come, whichever is later.
pub async fn content_changed_at(pool: &PgPool) -> sqlx::Result<OffsetDateTime> {
    sqlx::query_scalar!(
        r#"
        select greatest(
            (select changed_at from content_clock),
            (select max(published_at) from article
             where article_is_listed(status, published_at))
        ) as "at!"
        "#
    )
    .fetch_one(pool)
    .await
}

/// When the next scheduled article comes out, if one is waiting: public pages change then
/// without anything in the database changing.
pub async fn next_scheduled(pool: &PgPool) -> sqlx::Result<Option<OffsetDateTime>> {
    sqlx::query_scalar!(
        r#"
        -- Published but not yet listed (see `article_is_listed`), in the date index's terms.
        select min(published_at) as at from article
        where status = 'published' and published_at > now()
        "#
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

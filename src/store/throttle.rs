//! Failed logins per key, in the database: they survive restarts and every instance sees them.

use std::time::Duration;

use sqlx::{PgConnection, PgPool};

use crate::domain::throttle::{FORGET_AFTER, wait_after};

/// How long until any of `keys` may try again, if one of them is waiting.
pub async fn wait_for(pool: &PgPool, keys: &[String]) -> Result<Option<Duration>, sqlx::Error> {
    let seconds = sqlx::query_scalar!(
        r#"
        select extract(epoch from max(locked_until) - now())::float8 as "seconds"
        from login_throttle
        where key = any($1) and locked_until > now()
        "#,
        keys
    )
    .fetch_one(pool)
    .await?;
    Ok(seconds.filter(|s| *s > 0.0).map(Duration::from_secs_f64))
}

/// Counts a failure against `key`, allowed `free` failures before waits start.
pub async fn record_failure(
    conn: &mut PgConnection,
    key: &str,
    free: i32,
) -> Result<(), sqlx::Error> {
    // Row-locked read, then write: concurrent failures on one key each count.
    sqlx::query!(
        "insert into login_throttle (key) values ($1) on conflict do nothing",
        key
    )
    .execute(&mut *conn)
    .await?;
    let failures = sqlx::query_scalar!(
        r#"
        select case when last_failure_at > now() - make_interval(secs => $2) then failures else 0 end
               as "failures!"
        from login_throttle where key = $1 for update
        "#,
        key,
        FORGET_AFTER.as_secs_f64()
    )
    .fetch_one(&mut *conn)
    .await?
        + 1;
    let wait = wait_after(failures, free).map(|d| d.as_secs_f64());
    sqlx::query!(
        r#"
        update login_throttle
        set failures = $2, last_failure_at = now(),
            locked_until = case when $3::float8 is null then null else now() + make_interval(secs => $3) end
        where key = $1
        "#,
        key,
        failures,
        wait
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Forgets the failures of `key` (after a successful login).
pub async fn clear(conn: &mut PgConnection, key: &str) -> Result<(), sqlx::Error> {
    sqlx::query!("delete from login_throttle where key = $1", key)
        .execute(conn)
        .await?;
    Ok(())
}

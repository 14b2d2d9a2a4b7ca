//! Sign-in attempts per key, in the database: they survive restarts and every instance sees
//! them. An attempt is counted *before* the password is checked, under a row lock, so a burst
//! of parallel guesses cannot all slip in before the first failure is written.

use std::time::Duration;

use sqlx::{PgConnection, PgPool};

use crate::domain::throttle::{FORGET_AFTER, wait_after};

/// What a new attempt on a key may do.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Attempt {
    /// Go ahead (it is counted as a failure until [`succeeded`] says otherwise).
    Allowed,
    /// Wait this long first; nothing was counted.
    Wait(Duration),
}

/// Counts an attempt on `key`, which allows `free` failures before waits start.
pub async fn attempt(pool: &PgPool, key: &str, free: i32) -> Result<Attempt, sqlx::Error> {
    let mut tx = pool.begin().await?;
    sqlx::query!(
        "insert into login_throttle (key) values ($1) on conflict do nothing",
        key
    )
    .execute(&mut *tx)
    .await?;
    let row = sqlx::query!(
        r#"
        select case when last_failure_at > now() - make_interval(secs => $2) then failures else 0 end
                   as "failures!",
               extract(epoch from locked_until - now())::float8 as "wait_seconds"
        from login_throttle where key = $1 for update
        "#,
        key,
        FORGET_AFTER.as_secs_f64()
    )
    .fetch_one(&mut *tx)
    .await?;
    if let Some(wait) = row.wait_seconds.filter(|s| *s > 0.0) {
        return Ok(Attempt::Wait(Duration::from_secs_f64(wait)));
    }
    let failures = row.failures.saturating_add(1);
    // Locked from now on if this attempt fails; a success lifts it.
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
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(Attempt::Allowed)
}

/// The attempt on `key` succeeded: forget its failures.
pub async fn succeeded(conn: &mut PgConnection, key: &str) -> Result<(), sqlx::Error> {
    sqlx::query!("delete from login_throttle where key = $1", key)
        .execute(conn)
        .await?;
    Ok(())
}

/// The attempt on a shared key (a client address) succeeded: take back its one count, so
/// colleagues signing in from one office do not lock each other out.
pub async fn forgive(conn: &mut PgConnection, key: &str, free: i32) -> Result<(), sqlx::Error> {
    sqlx::query!(
        r#"
        update login_throttle
        set failures = greatest(failures - 1, 0),
            locked_until = case when failures - 1 < $2 then null else locked_until end
        where key = $1
        "#,
        key,
        free
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Forgets keys that have been quiet long enough and are not waiting.
pub async fn sweep(conn: &mut PgConnection) -> Result<(), sqlx::Error> {
    sqlx::query!(
        r#"
        delete from login_throttle
        where last_failure_at < now() - make_interval(secs => $1)
          and (locked_until is null or locked_until < now())
        "#,
        FORGET_AFTER.as_secs_f64()
    )
    .execute(conn)
    .await?;
    Ok(())
}

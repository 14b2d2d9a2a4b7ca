//! Sign-in attempts per key, in the database: they survive restarts and every instance sees
//! them. An attempt is counted *before* the password is checked, under row locks, so a burst
//! of parallel guesses cannot all slip in before the first failure is written. Also the
//! browsers that signed in to an account before (`login_device`), which the account-wide
//! limit spares.

use std::time::Duration;

use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

use super::sessions;

use crate::domain::throttle::{FORGET_AFTER, wait_after};

/// What a new attempt on a key may do.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Attempt {
    /// Go ahead (it is counted as a failure until [`succeeded`] says otherwise).
    Allowed,
    /// Wait this long first; nothing was counted.
    Wait(Duration),
}

/// Counts an attempt on every one of `keys` (each with the failures it allows before waits
/// start) — unless one of them is waiting, in which case nothing is counted at all: an attempt
/// refused on one key must not wear down the others (attempts refused at an address already
/// locked used to lock the account too).
pub async fn attempt(pool: &PgPool, keys: &[(String, i32)]) -> Result<Attempt, sqlx::Error> {
    let mut tx = pool.begin().await?;
    // Rows are locked in one order, so that two attempts sharing keys cannot deadlock.
    let mut sorted: Vec<&(String, i32)> = keys.iter().collect();
    sorted.sort_by(|a, b| a.0.cmp(&b.0));
    sorted.dedup_by(|a, b| a.0 == b.0);
    let names: Vec<String> = sorted.iter().map(|(key, _)| key.clone()).collect();
    sqlx::query!(
        "insert into login_throttle (key) select unnest($1::text[]) order by 1 on conflict do nothing",
        &names
    )
    .execute(&mut *tx)
    .await?;
    let rows = sqlx::query!(
        r#"
        select key,
               case when last_failure_at > now() - make_interval(secs => $2) then failures else 0 end
                   as "failures!",
               extract(epoch from locked_until - now())::float8 as "wait_seconds"
        from login_throttle where key = any($1) order by key for update
        "#,
        &names,
        FORGET_AFTER.as_secs_f64()
    )
    .fetch_all(&mut *tx)
    .await?;
    let longest = rows
        .iter()
        .filter_map(|r| r.wait_seconds)
        .filter(|s| *s > 0.0)
        .fold(None, |most: Option<f64>, s| {
            Some(most.map_or(s, |m| m.max(s)))
        });
    if let Some(wait) = longest {
        return Ok(Attempt::Wait(Duration::from_secs_f64(wait)));
    }
    for row in &rows {
        let free = sorted
            .iter()
            .find(|(key, _)| *key == row.key)
            .map_or(0, |(_, free)| *free);
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
            row.key,
            failures,
            wait
        )
        .execute(&mut *tx)
        .await?;
    }
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

/// Whether the browser holding the device cookie `token` has signed in to `user` before;
/// it is then marked as used now.
pub async fn known_device(pool: &PgPool, token: &str, user: Uuid) -> Result<bool, sqlx::Error> {
    let touched = sqlx::query!(
        "update login_device set last_used_at = now() where token_hash = $1 and user_id = $2",
        sessions::digest(token),
        user
    )
    .execute(pool)
    .await?;
    Ok(touched.rows_affected() > 0)
}

/// Remembers that the browser holding `token` signed in to `user`.
pub async fn remember_device(
    conn: &mut PgConnection,
    token: &str,
    user: Uuid,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        r#"
        insert into login_device (token_hash, user_id) values ($1, $2)
        on conflict (token_hash, user_id) do update set last_used_at = now()
        "#,
        sessions::digest(token),
        user
    )
    .execute(&mut *conn)
    .await?;
    // A browser unseen for a year is a stranger again.
    sqlx::query!("delete from login_device where last_used_at < now() - interval '1 year'")
        .execute(conn)
        .await?;
    Ok(())
}

/// Forgets every browser of `user` (their password changed: whoever used it may be gone).
pub async fn forget_devices(conn: &mut PgConnection, user: Uuid) -> Result<(), sqlx::Error> {
    sqlx::query!("delete from login_device where user_id = $1", user)
        .execute(conn)
        .await?;
    Ok(())
}

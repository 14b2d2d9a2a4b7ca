//! A person's second factor: their TOTP secret (being set up, or confirmed) and their recovery
//! codes. Accepting a code is one conditional update, so two sign-ins racing with the same code
//! cannot both pass.

use sqlx::{PgConnection, PgPool};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::domain::totp::Secret;

/// Where a person stands.
#[derive(Debug, Clone)]
pub enum Factor {
    None,
    /// A secret shown, waiting for its first code.
    SettingUp(Secret),
    Confirmed {
        since: OffsetDateTime,
        /// Recovery codes not used yet.
        codes_left: i64,
    },
}

pub async fn factor(pool: &PgPool, user: Uuid) -> Result<Factor, sqlx::Error> {
    let row = sqlx::query!(
        r#"
        select secret, confirmed_at,
               (select count(*) from recovery_code c where c.user_id = t.user_id and c.used_at is null) as "codes_left!"
        from user_totp t where user_id = $1
        "#,
        user
    )
    .fetch_optional(pool)
    .await?;
    Ok(match row {
        None => Factor::None,
        Some(r) => match r.confirmed_at {
            None => Factor::SettingUp(Secret::from_bytes(r.secret)),
            Some(since) => Factor::Confirmed {
                since,
                codes_left: r.codes_left,
            },
        },
    })
}

/// Starts setting up `secret`, replacing one being set up; `false` if a confirmed one is there
/// (it must be turned off first).
pub async fn start(
    conn: &mut PgConnection,
    user: Uuid,
    secret: &Secret,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query!(
        r#"
        insert into user_totp (user_id, secret) values ($1, $2)
        on conflict (user_id) do update set secret = excluded.secret, created_at = now()
        where user_totp.confirmed_at is null
        "#,
        user,
        secret.as_bytes()
    )
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// The secret of a confirmed factor and the last step a code was accepted for, row locked.
pub async fn for_check(
    conn: &mut PgConnection,
    user: Uuid,
) -> Result<Option<(Secret, i64)>, sqlx::Error> {
    let row = sqlx::query!(
        "select secret, last_step from user_totp where user_id = $1 and confirmed_at is not null for update",
        user
    )
    .fetch_optional(conn)
    .await?;
    Ok(row.map(|r| (Secret::from_bytes(r.secret), r.last_step)))
}

/// Whether `user` has a confirmed second factor.
pub async fn has_factor(conn: &mut PgConnection, user: Uuid) -> Result<bool, sqlx::Error> {
    sqlx::query_scalar!(
        r#"select exists (select 1 from user_totp where user_id = $1 and confirmed_at is not null) as "on!""#,
        user
    )
    .fetch_one(conn)
    .await
}

/// Takes a code for `step`: `false` if a code of this step or a later one was taken already.
pub async fn accept_step(
    conn: &mut PgConnection,
    user: Uuid,
    step: i64,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query!(
        "update user_totp set last_step = $2 where user_id = $1 and last_step < $2",
        user,
        step
    )
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Confirms the factor being set up with its first code's step, and gives it fresh recovery
/// codes (their digests); `false` if nothing was being set up.
pub async fn confirm(
    conn: &mut PgConnection,
    user: Uuid,
    step: i64,
    codes: &[Vec<u8>],
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query!(
        r#"
        update user_totp set confirmed_at = now(), last_step = $2
        where user_id = $1 and confirmed_at is null
        "#,
        user,
        step
    )
    .execute(&mut *conn)
    .await?;
    if done.rows_affected() != 1 {
        return Ok(false);
    }
    replace_codes(conn, user, codes).await?;
    Ok(true)
}

/// New recovery codes, the old ones gone.
pub async fn replace_codes(
    conn: &mut PgConnection,
    user: Uuid,
    codes: &[Vec<u8>],
) -> Result<(), sqlx::Error> {
    sqlx::query!("delete from recovery_code where user_id = $1", user)
        .execute(&mut *conn)
        .await?;
    sqlx::query!(
        "insert into recovery_code (user_id, code_hash) select $1, unnest($2::bytea[])",
        user,
        codes
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Uses the recovery code whose digest is `digest`: `false` if there is no such unused code.
pub async fn use_recovery_code(
    conn: &mut PgConnection,
    user: Uuid,
    digest: &[u8],
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query!(
        r#"
        update recovery_code set used_at = now()
        where user_id = $1 and code_hash = $2 and used_at is null
        "#,
        user,
        digest
    )
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Turns the second factor off (its codes go with it); `false` if there was none.
pub async fn remove(conn: &mut PgConnection, user: Uuid) -> Result<bool, sqlx::Error> {
    sqlx::query!("delete from recovery_code where user_id = $1", user)
        .execute(&mut *conn)
        .await?;
    let done = sqlx::query!("delete from user_totp where user_id = $1", user)
        .execute(conn)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// Drops a factor being set up, never a confirmed one.
pub async fn drop_setup(conn: &mut PgConnection, user: Uuid) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "delete from user_totp where user_id = $1 and confirmed_at is null",
        user
    )
    .execute(conn)
    .await?;
    Ok(())
}

//! First-run setup: one-time tokens that create the first admin while nobody can sign in
//! (no user has a password: a fresh site, or one holding only demo or imported authors).

use sqlx::{PgConnection, PgPool};

use super::sessions::{digest, new_token};

/// While nobody can sign in, a new setup token (to print once); `None` afterwards.
pub async fn issue_token(pool: &PgPool) -> Result<Option<String>, sqlx::Error> {
    let token = new_token()?;
    let issued = sqlx::query!(
        r#"
        insert into setup_token (token_hash)
        select $1 where not exists (select 1 from app_user where password_hash is not null)
        "#,
        digest(&token)
    )
    .execute(pool)
    .await?;
    Ok((issued.rows_affected() == 1).then_some(token))
}

/// Whether `token` may still create the first admin: issued less than a day ago, and nobody
/// can sign in yet.
pub async fn token_is_valid(conn: &mut PgConnection, token: &str) -> Result<bool, sqlx::Error> {
    sqlx::query_scalar!(
        r#"
        select exists (select 1 from setup_token
                       where token_hash = $1 and created_at > now() - interval '1 day')
           and not exists (select 1 from app_user where password_hash is not null) as "valid!"
        "#,
        digest(token)
    )
    .fetch_one(conn)
    .await
}

/// Ends first-run setup: every token goes.
pub async fn finish(conn: &mut PgConnection) -> Result<(), sqlx::Error> {
    sqlx::query!("delete from setup_token")
        .execute(conn)
        .await?;
    Ok(())
}

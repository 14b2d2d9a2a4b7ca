//! API tokens: made, listed, revoked, and the one lookup a request's token goes through.
//! Only a token's SHA-256 is here (see `domain::token`).

use sqlx::{PgConnection, PgPool};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::domain::Role;
use crate::domain::token::Scope;

/// A token as lists show it (never the secret, which nobody has after it was shown).
#[derive(Debug, Clone)]
pub struct Listed {
    pub id: Uuid,
    pub user_id: Uuid,
    pub owner_name: String,
    pub owner_role: Role,
    pub owner_disabled: bool,
    pub name: String,
    pub hint: String,
    pub scopes: Vec<String>,
    pub created_at: OffsetDateTime,
    pub expires_at: OffsetDateTime,
    pub revoked_at: Option<OffsetDateTime>,
    pub last_used_at: Option<OffsetDateTime>,
    pub last_used_address: Option<String>,
}

impl Listed {
    /// Its scopes, as the domain knows them (one the database would not hold is left out).
    pub fn scopes(&self) -> Vec<Scope> {
        self.scopes.iter().filter_map(|s| Scope::parse(s)).collect()
    }

    /// Whether it still opens anything: not revoked, not expired, its owner not disabled.
    pub fn alive(&self, now: OffsetDateTime) -> bool {
        self.revoked_at.is_none() && self.expires_at > now && !self.owner_disabled
    }
}

/// Writes a new token of `user`, made by `by` (themselves, or an admin at the command line).
#[allow(clippy::too_many_arguments)]
pub async fn create(
    conn: &mut PgConnection,
    user: Uuid,
    name: &str,
    hash: &[u8; 32],
    hint: &str,
    scopes: &[Scope],
    days: i64,
    by: Option<Uuid>,
) -> Result<Uuid, sqlx::Error> {
    let scopes: Vec<String> = scopes.iter().map(|s| s.as_str().to_owned()).collect();
    sqlx::query_scalar!(
        r#"
        insert into api_token (user_id, name, hash, hint, scopes, expires_at, created_by)
        values ($1, $2, $3, $4, $5, now() + make_interval(days => $6), $7)
        returning id
        "#,
        user,
        name,
        hash.as_slice(),
        hint,
        &scopes,
        i32::try_from(days).unwrap_or(i32::MAX),
        by
    )
    .fetch_one(conn)
    .await
}

/// Tokens, newest first: one person's (`owner`), or everyone's.
pub async fn list(pool: &PgPool, owner: Option<Uuid>) -> Result<Vec<Listed>, sqlx::Error> {
    sqlx::query_as!(
        Listed,
        r#"
        select t.id, t.user_id, u.display_name as owner_name, u.role as "owner_role: Role",
               u.disabled_at is not null as "owner_disabled!", t.name, t.hint, t.scopes,
               t.created_at, t.expires_at, t.revoked_at, t.last_used_at, t.last_used_address
        from api_token t join app_user u on u.id = t.user_id
        where $1::uuid is null or t.user_id = $1
        order by t.revoked_at is not null, t.created_at desc
        limit 500
        "#,
        owner
    )
    .fetch_all(pool)
    .await
}

/// Revokes token `id` (of `owner`, when given): it opens nothing from now on. Its name, for
/// the audit log, if it was alive.
pub async fn revoke(
    conn: &mut PgConnection,
    id: Uuid,
    owner: Option<Uuid>,
) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar!(
        r#"
        update api_token set revoked_at = now()
        where id = $1 and ($2::uuid is null or user_id = $2) and revoked_at is null
        returning name
        "#,
        id,
        owner
    )
    .fetch_optional(conn)
    .await
}

/// Whether token `id` exists (and is `owner`'s, when given).
pub async fn exists(pool: &PgPool, id: Uuid, owner: Option<Uuid>) -> Result<bool, sqlx::Error> {
    sqlx::query_scalar!(
        r#"select exists (select 1 from api_token where id = $1 and ($2::uuid is null or user_id = $2)) as "found!""#,
        id,
        owner
    )
    .fetch_one(pool)
    .await
}

/// Who a request's token speaks for.
#[derive(Debug, Clone)]
pub struct Bearer {
    pub token_id: Uuid,
    pub token_name: String,
    pub user_id: Uuid,
    pub role: Role,
    /// Whether the owner signs in with a second factor.
    pub two_factor: bool,
    /// What it was given (what it may do is these that the role allows: see
    /// `domain::token::effective`).
    pub scopes: Vec<String>,
}

/// The live token whose hash is `hash`, with its owner: not revoked, not expired, the owner
/// not disabled. Notes when and from where it was used (at most once a minute per address, so
/// that a busy integration does not write on every request).
pub async fn authenticate(
    pool: &PgPool,
    hash: &[u8; 32],
    address: &str,
) -> Result<Option<Bearer>, sqlx::Error> {
    sqlx::query_as!(
        Bearer,
        r#"
        with found as (
            select t.id, t.name, t.user_id, u.role, t.scopes,
                   t.last_used_at, t.last_used_address,
                   exists (select 1 from user_totp z
                           where z.user_id = u.id and z.confirmed_at is not null) as two_factor
            from api_token t join app_user u on u.id = t.user_id
            where t.hash = $1 and t.revoked_at is null and t.expires_at > now()
              and u.disabled_at is null
        ), touched as (
            update api_token t set last_used_at = now(), last_used_address = $2
            from found f
            where t.id = f.id
              and (f.last_used_at is null or f.last_used_at < now() - interval '1 minute'
                   or f.last_used_address is distinct from $2)
        )
        select id as token_id, name as token_name, user_id, role as "role: Role",
               two_factor as "two_factor!", scopes
        from found
        "#,
        hash.as_slice(),
        address
    )
    .fetch_optional(pool)
    .await
}

/// Names the token `id` in every audit event the rest of this transaction records (see the
/// `api_tokens` migration).
pub async fn act_as(conn: &mut PgConnection, id: Uuid, name: &str) -> Result<(), sqlx::Error> {
    sqlx::query!(
        r#"select set_config('vigie.token_id', $1, true) as "id", set_config('vigie.token_name', $2, true) as "name""#,
        id.to_string(),
        name
    )
    .fetch_one(conn)
    .await?;
    Ok(())
}

/// A create's answer kept under an `Idempotency-Key`.
#[derive(Debug, Clone)]
pub struct Kept {
    pub request_hash: Vec<u8>,
    pub status: i16,
    pub location: Option<String>,
    pub body: serde_json::Value,
}

/// The answer kept for `key` of token `token`, if any (within a day).
pub async fn kept_answer(
    pool: &PgPool,
    token: Uuid,
    key: &str,
) -> Result<Option<Kept>, sqlx::Error> {
    sqlx::query_as!(
        Kept,
        r#"
        select request_hash, status, location, body from api_idempotency
        where token_id = $1 and key = $2 and created_at > now() - interval '1 day'
        "#,
        token,
        key
    )
    .fetch_optional(pool)
    .await
}

/// Keeps a create's answer under `key`, in the create's transaction. A key used before and
/// older than a day is taken over. Fails with a unique violation
/// (`api_idempotency_pkey`) when the same key was used meanwhile by a request that committed.
pub async fn keep_answer(
    conn: &mut PgConnection,
    token: Uuid,
    key: &str,
    answer: &Kept,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "delete from api_idempotency where token_id = $1 and key = $2 and created_at <= now() - interval '1 day'",
        token,
        key
    )
    .execute(&mut *conn)
    .await?;
    sqlx::query!(
        r#"
        insert into api_idempotency (token_id, key, request_hash, status, location, body)
        values ($1, $2, $3, $4, $5, $6)
        "#,
        token,
        key,
        &answer.request_hash,
        answer.status,
        answer.location,
        answer.body
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// The account at `email` (case-insensitive): its id, role, and whether it is disabled.
pub async fn owner_by_email(
    conn: &mut PgConnection,
    email: &str,
) -> Result<Option<(Uuid, Role, bool)>, sqlx::Error> {
    let row = sqlx::query!(
        r#"select id, role as "role: Role", disabled_at is not null as "disabled!" from app_user where lower(email) = lower($1)"#,
        email
    )
    .fetch_optional(conn)
    .await?;
    Ok(row.map(|r| (r.id, r.role, r.disabled)))
}

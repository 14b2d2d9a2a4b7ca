//! Server-side sessions. The cookie holds a random 256-bit token; the database holds only its
//! SHA-256, so a leaked dump opens no session. Any instance can serve any session.

use std::time::Duration;

use sha2::{Digest, Sha256};
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

use crate::domain::Role;

/// A fresh random token, hex-encoded (64 characters, 256 bits).
pub fn new_token() -> Result<String, sqlx::Error> {
    let mut bytes = [0u8; 32];
    // The OS random source failing is an I/O failure like any other for the caller.
    getrandom::fill(&mut bytes).map_err(|e| sqlx::Error::Io(std::io::Error::other(e)))?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

/// What we store instead of a token.
pub fn digest(token: &str) -> Vec<u8> {
    Sha256::digest(token.as_bytes()).to_vec()
}

/// The signed-in user behind a session.
#[derive(Debug, Clone)]
pub struct SessionUser {
    pub user_id: Uuid,
    pub email: String,
    pub display_name: String,
    pub slug: String,
    pub role: Role,
    /// The token forms of this session must carry.
    pub csrf_token: String,
    /// How many articles wait for review (the menu shows it to those who review).
    pub waiting: i64,
    /// How many of their notifications they have not read.
    pub unread: i64,
    /// Whether they sign in with a second factor.
    pub two_factor: bool,
    /// Whether they proved who they are in this session within `RECENT`.
    pub recent: bool,
}

/// How long a sign-in, or a confirmed password, counts as recent for what asks for it.
pub const RECENT: Duration = Duration::from_secs(10 * 60);

/// Marks the session of `token` as just authenticated again (password or code confirmed).
pub async fn reauthenticated(conn: &mut PgConnection, token: &str) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "update session set authenticated_at = now() where id_hash = $1",
        digest(token)
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// A session just opened: the token goes in the cookie, never anywhere else.
pub struct NewSession {
    pub token: String,
}

/// Where a session is used from, as its owner sees it in their list.
#[derive(Debug, Clone, Default)]
pub struct Client {
    /// The browser's `User-Agent`, at most 300 characters.
    pub user_agent: String,
    /// The client's address (see `web::serve::client_addr`).
    pub address: String,
}

/// Opens a session for `user`, signed in from `client`, that ends after `max` whatever happens.
pub async fn create(
    conn: &mut PgConnection,
    user: Uuid,
    client: &Client,
    max: Duration,
) -> Result<NewSession, sqlx::Error> {
    open(conn, user, client, max, false).await
}

/// Opens a session whose password was checked but whose second factor was not yet: it opens
/// nothing but the code's page (see [`waiting_for_code`]), for `ttl`.
pub async fn create_pending(
    conn: &mut PgConnection,
    user: Uuid,
    client: &Client,
    ttl: Duration,
) -> Result<NewSession, sqlx::Error> {
    open(conn, user, client, ttl, true).await
}

async fn open(
    conn: &mut PgConnection,
    user: Uuid,
    client: &Client,
    lifetime: Duration,
    pending: bool,
) -> Result<NewSession, sqlx::Error> {
    let token = new_token()?;
    let csrf = new_token()?;
    sqlx::query!(
        r#"
        insert into session (id_hash, user_id, csrf_token, expires_at, user_agent, address,
                             second_factor_pending)
        values ($1, $2, $3, now() + make_interval(secs => $4), $5, $6, $7)
        "#,
        digest(&token),
        user,
        csrf,
        lifetime.as_secs_f64(),
        client.user_agent,
        client.address,
        pending
    )
    .execute(conn)
    .await?;
    Ok(NewSession { token })
}

/// Who a session waiting for its second factor belongs to, while it may still get one, with
/// where it signed in from.
pub async fn waiting_for_code(
    pool: &PgPool,
    token: &str,
) -> Result<Option<(Uuid, Client)>, sqlx::Error> {
    let row = sqlx::query!(
        r#"
        select s.user_id, s.user_agent, s.address from session s join app_user u on u.id = s.user_id
        where s.id_hash = $1 and s.second_factor_pending and s.expires_at > now()
          and u.disabled_at is null
        "#,
        digest(token)
    )
    .fetch_optional(pool)
    .await?;
    Ok(row.map(|r| {
        (
            r.user_id,
            Client {
                user_agent: r.user_agent,
                address: r.address,
            },
        )
    }))
}

/// One of a person's live sessions, as their account page lists it.
#[derive(Debug, Clone)]
pub struct Listed {
    pub public_id: Uuid,
    pub user_agent: String,
    pub address: String,
    pub created_at: time::OffsetDateTime,
    pub last_seen_at: time::OffsetDateTime,
    /// The one this request came with.
    pub current: bool,
}

/// `user`'s live sessions (`idle` as `touch` counts it), the current one (`token`'s) first,
/// then the most recently used.
pub async fn list_for(
    pool: &PgPool,
    user: Uuid,
    token: &str,
    idle: Duration,
) -> Result<Vec<Listed>, sqlx::Error> {
    sqlx::query_as!(
        Listed,
        r#"
        select public_id, user_agent, address, created_at, last_seen_at,
               id_hash = $2 as "current!"
        from session
        where user_id = $1 and expires_at > now() and not second_factor_pending
          and last_seen_at > now() - make_interval(secs => $3)
        order by id_hash = $2 desc, last_seen_at desc
        "#,
        user,
        digest(token),
        idle.as_secs_f64()
    )
    .fetch_all(pool)
    .await
}

/// Ends `user`'s session named `public_id`; `false` if they have no such session.
pub async fn end(
    conn: &mut PgConnection,
    user: Uuid,
    public_id: Uuid,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query!(
        "delete from session where user_id = $1 and public_id = $2",
        user,
        public_id
    )
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// The user of a live session: not past its absolute end, used within `idle`, user not
/// disabled. Marks it used now.
pub async fn touch(
    pool: &PgPool,
    token: &str,
    idle: Duration,
) -> Result<Option<SessionUser>, sqlx::Error> {
    let row = sqlx::query!(
        r#"
        update session s set last_seen_at = now()
        from app_user u
        where s.id_hash = $1 and u.id = s.user_id
          and s.expires_at > now()
          and s.last_seen_at > now() - make_interval(secs => $2)
          and u.disabled_at is null
          and not s.second_factor_pending
        returning s.user_id, s.csrf_token, u.email, u.display_name, u.slug, u.role as "role: Role",
                  (select count(*) from article where status = 'in_review') as "waiting!",
                  (select count(*) from notification n
                   where n.user_id = s.user_id and n.read_at is null and n.due_at <= now()) as "unread!",
                  exists (select 1 from user_totp t
                          where t.user_id = s.user_id and t.confirmed_at is not null) as "two_factor!",
                  s.authenticated_at > now() - make_interval(secs => $3) as "recent!"
        "#,
        digest(token),
        idle.as_secs_f64(),
        RECENT.as_secs_f64()
    )
    .fetch_optional(pool)
    .await?;
    Ok(row.map(|r| SessionUser {
        role: r.role,
        user_id: r.user_id,
        email: r.email,
        display_name: r.display_name,
        slug: r.slug,
        csrf_token: r.csrf_token,
        waiting: r.waiting,
        unread: r.unread,
        two_factor: r.two_factor,
        recent: r.recent,
    }))
}

/// Ends the session of `token` if it is still waiting for its second factor; `false` if it is
/// not (taken by a racing request, or cancelled).
pub async fn delete_waiting(conn: &mut PgConnection, token: &str) -> Result<bool, sqlx::Error> {
    let done = sqlx::query!(
        "delete from session where id_hash = $1 and second_factor_pending",
        digest(token)
    )
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Ends one session.
pub async fn delete(conn: &mut PgConnection, token: &str) -> Result<(), sqlx::Error> {
    sqlx::query!("delete from session where id_hash = $1", digest(token))
        .execute(conn)
        .await?;
    Ok(())
}

/// Ends every session of `user` but `keep` (a token), e.g. after a password change.
pub async fn delete_all_for(
    conn: &mut PgConnection,
    user: Uuid,
    keep: Option<&str>,
) -> Result<u64, sqlx::Error> {
    let keep = keep.map(digest);
    let done = sqlx::query!(
        "delete from session where user_id = $1 and ($2::bytea is null or id_hash <> $2)",
        user,
        keep
    )
    .execute(conn)
    .await?;
    Ok(done.rows_affected())
}

/// Forgets sessions that can no longer be used.
pub async fn sweep(conn: &mut PgConnection, idle: Duration) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "delete from session where expires_at <= now() or last_seen_at <= now() - make_interval(secs => $1)",
        idle.as_secs_f64()
    )
    .execute(conn)
    .await?;
    Ok(())
}

//! Shareable preview links: a source or a lawyer reads an unpublished article as it will look,
//! through a link that holds a random secret (kept here only as its SHA-256), until it expires
//! or is revoked. Who may make one, and what the page shows, is the web side's decision.

use serde_json::json;
use sqlx::{PgConnection, PgPool};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use uuid::Uuid;

use crate::domain::{ArticleStatus, AuditAction};
use crate::store::audit;

/// A link as the editor lists it.
#[derive(Debug, Clone)]
pub struct Link {
    pub id: Uuid,
    pub label: String,
    pub through_embargo: bool,
    pub created_by: Option<String>,
    pub created_at: OffsetDateTime,
    pub expires_at: OffsetDateTime,
    pub revoked_at: Option<OffsetDateTime>,
    pub last_seen_at: Option<OffsetDateTime>,
    pub views: i32,
}

/// What a link opens, looked up by its secret's hash.
#[derive(Debug, Clone)]
pub struct Opened {
    pub link_id: Uuid,
    pub article_id: Uuid,
    pub expires_at: OffsetDateTime,
    /// Revoked or past its time.
    pub ended: bool,
    pub through_embargo: bool,
    pub status: ArticleStatus,
    pub published_at: Option<OffsetDateTime>,
    pub withdrawn: bool,
    pub embargo_until: Option<OffsetDateTime>,
    pub slug: String,
}

/// Makes a link to article `id` for `label`, ending at `expires_at`, kept as `hash`.
pub async fn create(
    conn: &mut PgConnection,
    id: Uuid,
    hash: &[u8; 32],
    label: &str,
    expires_at: OffsetDateTime,
    through_embargo: bool,
    actor: Uuid,
) -> Result<Uuid, sqlx::Error> {
    let link = sqlx::query_scalar!(
        r#"
        insert into preview_link (article_id, token_hash, label, expires_at, through_embargo, created_by)
        values ($1, $2, $3, $4, $5, $6)
        returning id
        "#,
        id,
        hash.as_slice(),
        label,
        expires_at,
        through_embargo,
        actor
    )
    .fetch_one(&mut *conn)
    .await?;
    let details = json!({
        "link": link,
        "label": label,
        "expires_at": expires_at.format(&Rfc3339).ok(),
        "through_embargo": through_embargo,
    });
    audit::record(
        conn,
        Some(actor),
        AuditAction::PreviewLinkCreate,
        &id.to_string(),
        details,
    )
    .await?;
    Ok(link)
}

/// The links made for article `id`, newest first.
pub async fn list(pool: &PgPool, id: Uuid) -> Result<Vec<Link>, sqlx::Error> {
    sqlx::query_as!(
        Link,
        r#"
        select l.id, l.label, l.through_embargo, u.display_name as "created_by?", l.created_at,
               l.expires_at, l.revoked_at, l.last_seen_at, l.views
        from preview_link l left join app_user u on u.id = l.created_by
        where l.article_id = $1
        order by l.created_at desc, l.id
        "#,
        id
    )
    .fetch_all(pool)
    .await
}

/// Revokes link `link` of article `id`. False when there is no such link still open.
pub async fn revoke(
    conn: &mut PgConnection,
    id: Uuid,
    link: Uuid,
    actor: Uuid,
) -> Result<bool, sqlx::Error> {
    let label = sqlx::query_scalar!(
        r#"
        update preview_link set revoked_at = now()
        where id = $1 and article_id = $2 and revoked_at is null
        returning label
        "#,
        link,
        id
    )
    .fetch_optional(&mut *conn)
    .await?;
    let Some(label) = label else {
        return Ok(false);
    };
    audit::record(
        conn,
        Some(actor),
        AuditAction::PreviewLinkRevoke,
        &id.to_string(),
        json!({ "link": link, "label": label }),
    )
    .await?;
    Ok(true)
}

/// The link whose secret hashes to `hash`, with where its article stands now.
pub async fn open(pool: &PgPool, hash: &[u8; 32]) -> Result<Option<Opened>, sqlx::Error> {
    sqlx::query_as!(
        Opened,
        r#"
        select l.id as link_id, l.article_id, l.expires_at,
               (l.revoked_at is not null or l.expires_at <= now()) as "ended!",
               l.through_embargo, a.status as "status: ArticleStatus", a.published_at,
               a.withdrawn, a.embargo_until, a.slug
        from preview_link l join article a on a.id = l.article_id
        where l.token_hash = $1
        "#,
        hash.as_slice()
    )
    .fetch_optional(pool)
    .await
}

/// Counts a reading of link `link` (the list says whether and when it was opened).
pub async fn seen(pool: &PgPool, link: Uuid) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "update preview_link set views = views + 1, last_seen_at = now() where id = $1",
        link
    )
    .execute(pool)
    .await?;
    Ok(())
}

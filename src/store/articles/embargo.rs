//! Embargoes: an article that must not come out before a time, however ready it is. Setting,
//! moving and lifting one are audited; the publication rule itself keeps an embargoed article
//! off every reader surface (the `embargo_previews` migration), and `status::change` refuses to
//! publish or schedule it before its time.

use serde_json::json;
use sqlx::PgConnection;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use uuid::Uuid;

use crate::domain::AuditAction;
use crate::store::audit;

/// Why an embargo could not be set.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refused {
    /// Readers already see the article (or it is gone).
    Public,
    /// It is scheduled to come out before the embargo would end.
    ScheduledBefore(OffsetDateTime),
}

/// Puts article `id` under embargo until `until` (or moves its end), with `note` saying why.
/// Whether `actor` may move an existing end earlier is the caller's decision.
pub async fn set(
    conn: &mut PgConnection,
    id: Uuid,
    until: OffsetDateTime,
    note: &str,
    actor: Uuid,
) -> Result<Result<(), Refused>, sqlx::Error> {
    let row = sqlx::query!(
        r#"
        select article_is_public(status, published_at) as "public!",
               case when status = 'published' then published_at end as scheduled_at,
               embargo_until
        from article where id = $1 for update
        "#,
        id
    )
    .fetch_optional(&mut *conn)
    .await?;
    let Some(row) = row else {
        return Ok(Err(Refused::Public));
    };
    if row.public {
        return Ok(Err(Refused::Public));
    }
    if let Some(at) = row.scheduled_at.filter(|at| *at < until) {
        return Ok(Err(Refused::ScheduledBefore(at)));
    }
    sqlx::query!(
        "update article set embargo_until = $2, embargo_note = $3 where id = $1",
        id,
        until,
        note
    )
    .execute(&mut *conn)
    .await?;
    let details = json!({
        "until": until.format(&Rfc3339).ok(),
        "before": row.embargo_until.and_then(|t| t.format(&Rfc3339).ok()),
        "note": note,
    });
    audit::record(
        conn,
        Some(actor),
        AuditAction::ArticleEmbargo,
        &id.to_string(),
        details,
    )
    .await?;
    Ok(Ok(()))
}

/// Lifts the embargo of article `id`, with the reason given. False when it had none.
pub async fn lift(
    conn: &mut PgConnection,
    id: Uuid,
    reason: &str,
    actor: Uuid,
) -> Result<bool, sqlx::Error> {
    let lifted = sqlx::query_scalar!(
        r#"
        update article a set embargo_until = null, embargo_note = ''
        from (select id, embargo_until from article where id = $1 for update) before
        where a.id = before.id and before.embargo_until is not null
        returning before.embargo_until as "until!"
        "#,
        id
    )
    .fetch_optional(&mut *conn)
    .await?;
    let Some(until) = lifted else {
        return Ok(false);
    };
    let details = json!({ "until": until.format(&Rfc3339).ok(), "reason": reason });
    audit::record(
        conn,
        Some(actor),
        AuditAction::ArticleEmbargoLift,
        &id.to_string(),
        details,
    )
    .await?;
    Ok(true)
}

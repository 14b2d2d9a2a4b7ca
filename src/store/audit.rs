//! The audit log: who did what, written in the same transaction as the change itself.

use sqlx::PgConnection;
use uuid::Uuid;

/// Records `action` by `actor` (none for the system itself, e.g. demo loading) on a target.
pub async fn record(
    conn: &mut PgConnection,
    actor: Option<Uuid>,
    action: &str,
    target_type: &str,
    target_id: &str,
    details: serde_json::Value,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        r#"
        insert into audit_event (actor_id, action, target_type, target_id, details)
        values ($1, $2, $3, $4, $5)
        "#,
        actor,
        action,
        target_type,
        target_id,
        details
    )
    .execute(conn)
    .await?;
    Ok(())
}

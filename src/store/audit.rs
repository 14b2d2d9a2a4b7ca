//! The audit log: who did what, written in the same transaction as the change itself.

use sqlx::PgConnection;
use uuid::Uuid;

use crate::db;
use crate::domain::AuditAction;

/// Records `action` by `actor` (none for the system itself, e.g. demo loading) on the target
/// `target_id` (of the action's [`AuditAction::target_type`]).
pub async fn record(
    conn: &mut PgConnection,
    actor: Option<Uuid>,
    action: AuditAction,
    target_id: &str,
    details: serde_json::Value,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        r#"
        insert into audit_event (actor_id, action, target_type, target_id, details)
        values ($1, $2, $3, $4, $5)
        "#,
        actor,
        action.as_str(),
        action.target_type(),
        target_id,
        details
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// One line of the audit log.
#[derive(Debug, Clone)]
pub struct Entry {
    pub id: i64,
    pub at: time::OffsetDateTime,
    pub actor_id: Option<Uuid>,
    pub actor_name: Option<String>,
    pub actor_email: Option<String>,
    pub action: AuditAction,
    pub target_type: String,
    pub target_id: Option<String>,
    /// What the target is called now (an article's title, a tag's or a person's name), or was
    /// when the event was recorded if it is gone and the event kept it.
    pub target_name: Option<String>,
    pub details: serde_json::Value,
    /// The API token it was done with, by its name.
    pub token_name: Option<String>,
}

/// Which events the log shows.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub actor: Option<Uuid>,
    pub action: Option<AuditAction>,
    /// A target id (an article's or a user's uuid, …).
    pub target: Option<String>,
    /// Days in the newsroom's time zone, inclusive.
    pub from: Option<time::Date>,
    pub to: Option<time::Date>,
}

/// Up to `limit` events matching `filter`, newest first, older than event `before`.
pub async fn list(
    pool: &sqlx::PgPool,
    filter: &Filter,
    timezone: &str,
    before: Option<i64>,
    limit: i64,
) -> Result<Vec<Entry>, sqlx::Error> {
    let mut planned = db::planned_with_values(pool).await?;
    sqlx::query_as!(
        Entry,
        r#"
        select e.id, e.at, e.actor_id, u.display_name as "actor_name?", u.email as "actor_email?",
               e.action as "action: AuditAction", e.target_type, e.target_id,
               coalesce(a.title, t.name, tu.display_name, e.details->>'title', e.details->>'name') as "target_name?",
               e.details, e.token_name
        from audit_event e left join app_user u on u.id = e.actor_id
        -- A target id that is not a uuid (an old or hand-made event) names nothing.
        left join article a on a.id = case when e.target_type = 'article' and e.target_id ~ '^[0-9a-f]{8}-([0-9a-f]{4}-){3}[0-9a-f]{12}$' then e.target_id::uuid end
        left join tag t on t.id = case when e.target_type = 'tag' and e.target_id ~ '^[0-9a-f]{8}-([0-9a-f]{4}-){3}[0-9a-f]{12}$' then e.target_id::uuid end
        left join app_user tu on tu.id = case when e.target_type = 'user' and e.target_id ~ '^[0-9a-f]{8}-([0-9a-f]{4}-){3}[0-9a-f]{12}$' then e.target_id::uuid end
        where ($1::uuid is null or e.actor_id = $1)
          and ($2::text is null or e.action = $2)
          and ($3::text is null or e.target_id = $3)
          and ($4::date is null or e.at >= ($4::date::timestamp at time zone $6))
          and ($5::date is null or e.at < (($5::date + 1)::timestamp at time zone $6))
          and ($7::bigint is null or e.id < $7)
        order by e.id desc
        limit $8
        "#,
        filter.actor,
        filter.action.map(AuditAction::as_str),
        filter.target,
        filter.from,
        filter.to,
        timezone,
        before,
        limit
    )
    .fetch_all(&mut *planned)
    .await
}

/// Every action name the log holds, for the filter's choices.
pub async fn actions(pool: &sqlx::PgPool) -> Result<Vec<AuditAction>, sqlx::Error> {
    sqlx::query_scalar!(
        r#"select distinct action as "action: AuditAction" from audit_event order by 1"#
    )
    .fetch_all(pool)
    .await
}

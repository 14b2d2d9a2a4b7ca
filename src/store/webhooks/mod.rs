//! Webhooks: endpoints, as the admin pages and the API manage them, and their delivery logs.
//! The outbox the deliverers work through is `outbox.rs`.

mod outbox;

pub use outbox::{
    AfterFailure, Attempt, Claimed, claim, delivered, failed, fix_payload, forget_old, next_due,
};

use sqlx::{PgConnection, PgPool};
use time::OffsetDateTime;
use uuid::Uuid;

/// An endpoint as the admin pages show it.
#[derive(Debug, Clone)]
pub struct Endpoint {
    pub id: Uuid,
    pub url: String,
    pub description: String,
    pub events: Vec<String>,
    pub secret: String,
    pub previous_secret_until: Option<OffsetDateTime>,
    pub enabled: bool,
    pub disabled_at: Option<OffsetDateTime>,
    pub disabled_reason: String,
    pub failing_since: Option<OffsetDateTime>,
    pub created_at: OffsetDateTime,
    /// Deliveries not yet accepted by the receiver.
    pub waiting: i64,
    /// The last attempt's status (`None`: no answer, or none yet) and time.
    pub last_status: Option<i16>,
    pub last_attempt_at: Option<OffsetDateTime>,
}

pub async fn list(pool: &PgPool) -> Result<Vec<Endpoint>, sqlx::Error> {
    sqlx::query_as!(
        Endpoint,
        r#"
        select e.id, e.url, e.description, e.events, e.secret, e.previous_secret_until,
               e.enabled, e.disabled_at, e.disabled_reason, e.failing_since, e.created_at,
               (select count(*) from webhook_delivery d where d.endpoint_id = e.id and d.delivered_at is null) as "waiting!",
               l.last_status as "last_status?", l.last_attempt_at as "last_attempt_at?"
        from webhook_endpoint e
        left join lateral (select d.last_status, d.last_attempt_at from webhook_delivery d
                           where d.endpoint_id = e.id and d.last_attempt_at is not null
                           order by d.last_attempt_at desc limit 1) l on true
        order by e.created_at
        "#
    )
    .fetch_all(pool)
    .await
}

pub async fn find(pool: &PgPool, id: Uuid) -> Result<Option<Endpoint>, sqlx::Error> {
    Ok(list(pool).await?.into_iter().find(|e| e.id == id))
}

pub async fn create(
    conn: &mut PgConnection,
    url: &str,
    description: &str,
    events: &[String],
    secret: &str,
    by: Uuid,
) -> Result<Uuid, sqlx::Error> {
    sqlx::query_scalar!(
        r#"
        insert into webhook_endpoint (url, description, events, secret, created_by)
        values ($1, $2, $3, $4, $5) returning id
        "#,
        url,
        description,
        events,
        secret,
        by
    )
    .fetch_one(conn)
    .await
}

/// Changes an endpoint's address, description and events; false if there is none.
pub async fn update(
    conn: &mut PgConnection,
    id: Uuid,
    url: &str,
    description: &str,
    events: &[String],
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query!(
        "update webhook_endpoint set url = $2, description = $3, events = $4 where id = $1",
        id,
        url,
        description,
        events
    )
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn delete(conn: &mut PgConnection, id: Uuid) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar!(
        "delete from webhook_endpoint where id = $1 returning url",
        id
    )
    .fetch_optional(conn)
    .await
}

/// A new secret; the old one keeps signing for `grace_hours`.
pub async fn rotate(
    conn: &mut PgConnection,
    id: Uuid,
    secret: &str,
    grace_hours: i32,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query!(
        r#"
        update webhook_endpoint
        set previous_secret = secret, previous_secret_until = now() + make_interval(hours => $3),
            secret = $2
        where id = $1
        "#,
        id,
        secret,
        grace_hours
    )
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Turns an endpoint on (its waiting deliveries go out at once, in order) or off, with why.
pub async fn set_enabled(
    conn: &mut PgConnection,
    id: Uuid,
    enabled: bool,
    reason: &str,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query!(
        r#"
        update webhook_endpoint
        set enabled = $2,
            disabled_at = case when $2 then null else coalesce(disabled_at, now()) end,
            disabled_reason = case when $2 then '' else $3 end,
            failing_since = case when $2 then null else failing_since end
        where id = $1 and enabled <> $2
        "#,
        id,
        enabled,
        reason
    )
    .execute(&mut *conn)
    .await?;
    if enabled && done.rows_affected() == 1 {
        sqlx::query!(
            r#"
            update webhook_delivery set next_attempt_at = least(next_attempt_at, now())
            where endpoint_id = $1 and delivered_at is null and due_at <= now()
            "#,
            id
        )
        .execute(&mut *conn)
        .await?;
        wake(conn).await?;
    }
    Ok(done.rows_affected() == 1)
}

/// Wakes the delivery workers of every instance.
pub async fn wake(conn: &mut PgConnection) -> Result<(), sqlx::Error> {
    sqlx::query!(r#"select pg_notify('vigie_jobs', 'webhook') as "sent""#)
        .fetch_one(conn)
        .await?;
    Ok(())
}

/// A test event for endpoint `id` alone.
pub async fn send_test(conn: &mut PgConnection, id: Uuid) -> Result<(), sqlx::Error> {
    sqlx::query!(
        r#"
        with event as (
            insert into webhook_event (type, subject, payload)
            values ('webhook.test', '{}',
                    jsonb_build_object('type', 'webhook.test',
                                       'timestamp', to_char(now() at time zone 'utc', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
                                       'data', jsonb_build_object('message', 'Vigie test event')))
            returning id
        )
        insert into webhook_delivery (endpoint_id, event_id, due_at, next_attempt_at)
        select $1, id, now(), now() from event
        "#,
        id
    )
    .execute(&mut *conn)
    .await?;
    wake(conn).await
}

/// Sends delivery `delivery` of endpoint `endpoint` again, after everything already waiting.
pub async fn send_again(
    conn: &mut PgConnection,
    endpoint: Uuid,
    delivery: i64,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query!(
        r#"
        update webhook_delivery
        set delivered_at = null, due_at = clock_timestamp(), next_attempt_at = now(), leased_until = null
        where id = $1 and endpoint_id = $2 and (leased_until is null or leased_until < now())
        "#,
        delivery,
        endpoint
    )
    .execute(&mut *conn)
    .await?;
    wake(conn).await?;
    Ok(done.rows_affected() == 1)
}

/// One line of an endpoint's delivery log.
#[derive(Debug, Clone)]
pub struct Logged {
    pub id: i64,
    pub event_type: String,
    pub subject: serde_json::Value,
    pub due_at: OffsetDateTime,
    pub delivered_at: Option<OffsetDateTime>,
    pub attempts: i32,
    pub next_attempt_at: OffsetDateTime,
    pub last_status: Option<i16>,
    pub last_error: String,
    pub last_attempt_at: Option<OffsetDateTime>,
    pub answer: Option<String>,
}

/// The endpoint's latest deliveries, newest first.
pub async fn log(pool: &PgPool, endpoint: Uuid, limit: i64) -> Result<Vec<Logged>, sqlx::Error> {
    sqlx::query_as!(
        Logged,
        r#"
        select d.id, ev.type as event_type, ev.subject, d.due_at, d.delivered_at, d.attempts,
               d.next_attempt_at, d.last_status, d.last_error, d.last_attempt_at,
               (select a.answer from webhook_attempt a where a.delivery_id = d.id order by a.id desc limit 1) as "answer?"
        from webhook_delivery d join webhook_event ev on ev.id = d.event_id
        where d.endpoint_id = $1
        order by d.id desc
        limit $2
        "#,
        endpoint,
        limit
    )
    .fetch_all(pool)
    .await
}

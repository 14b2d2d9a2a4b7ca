//! Webhooks: endpoints, the outbox of events and deliveries the triggers of the `webhooks`
//! migration fill, and what the delivery workers claim and record.

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

/// A delivery a worker took, with what sending it needs.
#[derive(Debug, Clone)]
pub struct Claimed {
    pub id: i64,
    pub attempts: i32,
    pub endpoint_id: Uuid,
    pub url: String,
    pub secret: String,
    /// Still signing during a rotation's grace period.
    pub previous_secret: Option<String>,
    pub event_id: Uuid,
    pub event_type: String,
    pub article_id: Option<Uuid>,
    pub tag_id: Option<Uuid>,
    pub subject: serde_json::Value,
    pub payload: Option<serde_json::Value>,
    pub occurred_at: OffsetDateTime,
}

/// Takes the next delivery due, if any, for `lease_seconds`: of an enabled endpoint none of
/// whose deliveries is being sent, the first waiting one (an endpoint's deliveries go in order,
/// one at a time).
pub async fn claim(pool: &PgPool, lease_seconds: f64) -> Result<Option<Claimed>, sqlx::Error> {
    sqlx::query_as!(
        Claimed,
        r#"
        -- The first waiting delivery of each enabled endpoint (an index probe per endpoint,
        -- however long the queues), due, and not in anyone's hands; none of the endpoint's
        -- deliveries being sent.
        with heads as (
            select h.id, h.next_attempt_at
            from webhook_endpoint e
            cross join lateral (
                select d.id, d.next_attempt_at, d.leased_until from webhook_delivery d
                where d.endpoint_id = e.id and d.delivered_at is null
                order by d.due_at, d.id
                limit 1
            ) h
            where e.enabled and h.next_attempt_at <= now()
              and (h.leased_until is null or h.leased_until < now())
              and not exists (select 1 from webhook_delivery l
                              where l.endpoint_id = e.id and l.leased_until is not null
                                and l.delivered_at is null and l.leased_until > now())
        ), next as (
            select d.id from webhook_delivery d join heads on heads.id = d.id
            order by heads.next_attempt_at, d.id
            limit 1
            for update of d skip locked
        ), taken as (
            -- Checked again on the row as it is now: another worker may have taken it.
            update webhook_delivery d
            set leased_until = now() + make_interval(secs => $1), attempts = d.attempts + 1
            from next
            where d.id = next.id and d.delivered_at is null
              and (d.leased_until is null or d.leased_until < now())
            returning d.id, d.attempts, d.endpoint_id, d.event_id
        )
        select t.id as "id!", t.attempts as "attempts!", t.endpoint_id as "endpoint_id!",
               e.url, e.secret,
               case when e.previous_secret_until > now() then e.previous_secret end as previous_secret,
               t.event_id as "event_id!", ev.type as event_type, ev.article_id, ev.tag_id,
               ev.subject, ev.payload, ev.occurred_at
        from taken t join webhook_endpoint e on e.id = t.endpoint_id
        join webhook_event ev on ev.id = t.event_id
        "#,
        lease_seconds
    )
    .fetch_optional(pool)
    .await
}

/// Fixes an event's body the first time it is sent; the body it has (this one, or the one
/// another worker fixed first).
pub async fn fix_payload(
    pool: &PgPool,
    event: Uuid,
    payload: &serde_json::Value,
) -> Result<serde_json::Value, sqlx::Error> {
    sqlx::query_scalar!(
        r#"
        update webhook_event set payload = coalesce(payload, $2) where id = $1
        returning payload as "payload!"
        "#,
        event,
        payload
    )
    .fetch_one(pool)
    .await
}

/// How an attempt went.
#[derive(Debug, Clone)]
pub struct Attempt {
    /// The receiver's status, if it answered.
    pub status: Option<u16>,
    /// Why it failed, when it did, in a sentence (never a secret).
    pub error: String,
    /// The start of its answer.
    pub answer: String,
    pub duration_ms: i32,
}

/// What became of the endpoint after a failed attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AfterFailure {
    Retrying,
    /// Turned off (failing too long, or the receiver said 410 Gone).
    Disabled,
}

/// Records a delivery the receiver accepted.
pub async fn delivered(
    pool: &PgPool,
    claimed: &Claimed,
    attempt: &Attempt,
) -> Result<(), sqlx::Error> {
    let mut tx = pool.begin().await?;
    record(&mut tx, claimed.id, attempt).await?;
    sqlx::query!(
        r#"
        update webhook_delivery
        set delivered_at = now(), leased_until = null, last_status = $2, last_error = '',
            last_attempt_at = now()
        where id = $1 and attempts = $3 and delivered_at is null
        "#,
        claimed.id,
        attempt.status.and_then(|s| i16::try_from(s).ok()),
        claimed.attempts
    )
    .execute(&mut *tx)
    .await?;
    sqlx::query!(
        "update webhook_endpoint set failing_since = null where id = $1 and failing_since is not null",
        claimed.endpoint_id
    )
    .execute(&mut *tx)
    .await?;
    tx.commit().await
}

/// Records a failed attempt: tried again after `retry_in` seconds, or the endpoint turned off
/// when `gone` (410) or when it has been failing for `give_up_seconds` (with the reason, in
/// the audit log too).
pub async fn failed(
    pool: &PgPool,
    claimed: &Claimed,
    attempt: &Attempt,
    retry_in: f64,
    gone: bool,
    give_up_seconds: f64,
) -> Result<AfterFailure, sqlx::Error> {
    let mut tx = pool.begin().await?;
    record(&mut tx, claimed.id, attempt).await?;
    sqlx::query!(
        r#"
        update webhook_delivery
        set leased_until = null, next_attempt_at = now() + make_interval(secs => $2),
            last_status = $3, last_error = $4, last_attempt_at = now()
        where id = $1 and attempts = $5 and delivered_at is null
        "#,
        claimed.id,
        retry_in,
        attempt.status.and_then(|s| i16::try_from(s).ok()),
        attempt.error,
        claimed.attempts
    )
    .execute(&mut *tx)
    .await?;
    let failing_since = sqlx::query_scalar!(
        r#"
        update webhook_endpoint set failing_since = coalesce(failing_since, now())
        where id = $1 returning failing_since as "failing_since!"
        "#,
        claimed.endpoint_id
    )
    .fetch_optional(&mut *tx)
    .await?;
    let too_long = failing_since.is_some_and(|since| {
        (OffsetDateTime::now_utc() - since).as_seconds_f64() >= give_up_seconds
    });
    let reason = if gone {
        "Le destinataire a répondu 410 (Gone) : il ne veut plus de ces livraisons."
    } else if too_long {
        "Les livraisons échouent depuis trop longtemps."
    } else {
        ""
    };
    let after = if reason.is_empty() {
        AfterFailure::Retrying
    } else if set_enabled(&mut tx, claimed.endpoint_id, false, reason).await? {
        crate::store::audit::record(
            &mut tx,
            None,
            crate::domain::AuditAction::WebhookDisable,
            &claimed.endpoint_id.to_string(),
            serde_json::json!({ "url": claimed.url, "reason": reason }),
        )
        .await?;
        AfterFailure::Disabled
    } else {
        AfterFailure::Disabled
    };
    tx.commit().await?;
    Ok(after)
}

async fn record(
    conn: &mut PgConnection,
    delivery: i64,
    attempt: &Attempt,
) -> Result<(), sqlx::Error> {
    let answer: String = attempt.answer.chars().take(500).collect();
    sqlx::query!(
        r#"
        insert into webhook_attempt (delivery_id, status, error, answer, duration_ms)
        values ($1, $2, $3, $4, $5)
        "#,
        delivery,
        attempt.status.and_then(|s| i16::try_from(s).ok()),
        attempt.error,
        answer,
        attempt.duration_ms
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// When the next delivery comes due, if one waits (for the worker's sleep).
pub async fn next_due(pool: &PgPool) -> Result<Option<OffsetDateTime>, sqlx::Error> {
    sqlx::query_scalar!(
        r#"
        select min(greatest(h.next_attempt_at, coalesce(h.leased_until, h.next_attempt_at)))
        from webhook_endpoint e
        -- Only the first of each endpoint's: the others wait for it.
        cross join lateral (
            select d.next_attempt_at, d.leased_until from webhook_delivery d
            where d.endpoint_id = e.id and d.delivered_at is null
            order by d.due_at, d.id
            limit 1
        ) h
        where e.enabled
        "#
    )
    .fetch_one(pool)
    .await
}

/// Forgets what is old: deliveries accepted more than 30 days ago, and events nothing
/// delivers any more.
pub async fn forget_old(pool: &PgPool) -> Result<(), sqlx::Error> {
    sqlx::query!("delete from webhook_delivery where delivered_at < now() - interval '30 days'")
        .execute(pool)
        .await?;
    sqlx::query!(
        r#"
        delete from webhook_event ev where ev.occurred_at < now() - interval '30 days'
          and not exists (select 1 from webhook_delivery d where d.event_id = ev.id)
        "#
    )
    .execute(pool)
    .await?;
    sqlx::query!("delete from api_idempotency where created_at < now() - interval '1 day'")
        .execute(pool)
        .await?;
    Ok(())
}

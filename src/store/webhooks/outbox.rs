//! The outbox of events and deliveries the triggers of the `webhooks` migration fill, and
//! what the delivery workers claim from it and record in it.

use sqlx::{PgConnection, PgPool};
use time::OffsetDateTime;
use uuid::Uuid;

use super::set_enabled;

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

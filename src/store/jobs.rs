//! The one queue of background work (see the `media` migration): added in the transaction of
//! the change that needs it, claimed by any instance with `for update skip locked`, leased
//! while it runs, retried with back-off, kept with its error once it has failed too often.

use serde_json::Value;
use sqlx::{PgConnection, PgPool};
use time::OffsetDateTime;

/// How long a claimed job is another instance's: past this, its instance is taken for dead
/// and the job is claimed again.
pub const LEASE_SECONDS: f64 = 300.0;

/// Kinds of work.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Make the renditions of one image (`{"media": id}`).
    Renditions,
    /// Send one e-mail (`mail::Outgoing`).
    Mail,
    /// "Mot de passe oublié" for the address typed (`{"email": …}`), if it is an account's.
    PasswordReset,
    /// Compute and keep one article's related suggestions (`{"article": id, "spread": bool}`;
    /// queued by the triggers of the `related_suggestions` migration).
    Related,
    /// Mail the signers of a scheduled article that has come out (`{"article": id, "at": its
    /// time}`; queued by the trigger that writes their notices, `scheduled_out_mail` migration).
    OutNotice,
}

impl Kind {
    fn as_str(self) -> &'static str {
        match self {
            Self::Renditions => "renditions",
            Self::Mail => "mail",
            Self::PasswordReset => "password_reset",
            Self::Related => "related",
            Self::OutNotice => "out_notice",
        }
    }

    fn parse(s: &str) -> Option<Self> {
        match s {
            "renditions" => Some(Self::Renditions),
            "mail" => Some(Self::Mail),
            "password_reset" => Some(Self::PasswordReset),
            "related" => Some(Self::Related),
            "out_notice" => Some(Self::OutNotice),
            _ => None,
        }
    }

    /// How many times it is tried before it is given up: a mail server away for hours (the
    /// back-off reaches an hour between tries) still gets the mail.
    fn max_attempts(self) -> i32 {
        match self {
            Self::Renditions | Self::Related => 5,
            Self::Mail | Self::PasswordReset | Self::OutNotice => 20,
        }
    }
}

/// Adds a job, due now, in the caller's transaction.
pub async fn add(conn: &mut PgConnection, kind: Kind, payload: Value) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "insert into job (kind, payload, max_attempts) values ($1, $2, $3)",
        kind.as_str(),
        payload,
        kind.max_attempts()
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// A job this instance now holds.
#[derive(Debug, Clone)]
pub struct Claimed {
    pub id: i64,
    pub kind: Option<Kind>,
    pub payload: Value,
    /// Counting this one.
    pub attempts: i32,
    pub max_attempts: i32,
}

/// Takes the job that has waited longest among those due and not held by a live instance.
pub async fn claim(pool: &PgPool) -> Result<Option<Claimed>, sqlx::Error> {
    let row = sqlx::query!(
        r#"
        update job
        set attempts = attempts + 1,
            lease_until = now() + make_interval(secs => $1)
        where id = (
            select id from job
            where not failed and run_after <= now()
              and (lease_until is null or lease_until < now())
            order by run_after, id
            limit 1
            for update skip locked
        )
        returning id, kind, payload, attempts, max_attempts
        "#,
        LEASE_SECONDS
    )
    .fetch_optional(pool)
    .await?;
    Ok(row.map(|r| Claimed {
        id: r.id,
        kind: Kind::parse(&r.kind),
        payload: r.payload,
        attempts: r.attempts,
        max_attempts: r.max_attempts,
    }))
}

/// The job is done: it leaves the queue.
pub async fn finish(pool: &PgPool, id: i64) -> Result<(), sqlx::Error> {
    sqlx::query!("delete from job where id = $1", id)
        .execute(pool)
        .await?;
    Ok(())
}

/// The job failed: tried again after `retry_in_seconds`, or kept as failed when it has had
/// all its attempts. Returns whether it is kept as failed.
pub async fn fail(
    pool: &PgPool,
    job: &Claimed,
    error: &str,
    retry_in_seconds: f64,
) -> Result<bool, sqlx::Error> {
    let given_up = job.attempts >= job.max_attempts || job.kind.is_none();
    sqlx::query!(
        r#"
        update job
        set last_error = $2, lease_until = null, failed = $3,
            run_after = now() + make_interval(secs => $4)
        where id = $1
        "#,
        job.id,
        error,
        given_up,
        retry_in_seconds
    )
    .execute(pool)
    .await?;
    Ok(given_up)
}

/// Empties a job's payload: a mail given up keeps no link.
pub async fn clear_payload(pool: &PgPool, id: i64) -> Result<(), sqlx::Error> {
    sqlx::query!("update job set payload = '{}'::jsonb where id = $1", id)
        .execute(pool)
        .await?;
    Ok(())
}

/// When the next job not held by anyone comes due (`None`: the queue is empty), for the
/// worker's sleep.
pub async fn next_due(pool: &PgPool) -> Result<Option<OffsetDateTime>, sqlx::Error> {
    sqlx::query_scalar!(
        r#"
        select min(greatest(run_after, coalesce(lease_until, run_after)))
        from job where not failed
        "#
    )
    .fetch_one(pool)
    .await
}

/// A job waiting, running or given up, as the admins' page shows it.
#[derive(Debug, Clone)]
pub struct Listed {
    pub id: i64,
    pub kind: String,
    pub payload: Value,
    pub run_after: OffsetDateTime,
    pub attempts: i32,
    pub max_attempts: i32,
    /// Held by an instance until then.
    pub lease_until: Option<OffsetDateTime>,
    pub last_error: Option<String>,
    pub failed: bool,
    pub created_at: OffsetDateTime,
}

/// The queue: failed jobs first, then the oldest due.
pub async fn list(pool: &PgPool, limit: i64) -> Result<Vec<Listed>, sqlx::Error> {
    sqlx::query_as!(
        Listed,
        r#"
        select id, kind, payload, run_after, attempts, max_attempts, lease_until, last_error,
               failed, created_at
        from job
        order by failed desc, run_after, id
        limit $1
        "#,
        limit
    )
    .fetch_all(pool)
    .await
}

/// A failed job is tried again now, with its attempts counted afresh. Returns its payload, if
/// there was such a job.
pub async fn retry(conn: &mut PgConnection, id: i64) -> Result<Option<Value>, sqlx::Error> {
    sqlx::query_scalar!(
        r#"
        update job set failed = false, attempts = 0, run_after = now(), lease_until = null
        where id = $1 and failed
        returning payload
        "#,
        id
    )
    .fetch_optional(conn)
    .await
}

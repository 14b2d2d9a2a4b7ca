//! The background worker every instance runs: takes due jobs from the `job` table (see
//! `store::jobs`) one at a time, does them, and retries a failure with back-off. It is woken by
//! the content listener when a job is added anywhere, and looks again every few seconds in any
//! case (a retry coming due, a lease running out).

use std::sync::{Arc, Weak};
use std::time::Duration;

use sqlx::PgPool;
use tokio::sync::{Notify, Semaphore};

use crate::media::MediaStore;
use crate::store::articles::suggestions;
use crate::store::jobs::{self, Claimed, Kind};

/// The longest the worker sleeps without looking at the queue.
const LOOK_AGAIN: Duration = Duration::from_secs(5);

/// What the jobs need.
#[derive(Clone)]
pub struct Worker {
    pub pool: PgPool,
    pub media: MediaStore,
    /// The image slots shared with uploads (decoding is the heavy part of both).
    pub images: Arc<Semaphore>,
    pub media_max_bytes: u64,
    /// The SMTP server's, when one is set (mail is queued only then).
    pub mailer: Option<crate::mail::Mailer>,
    /// For the links and words of mail made here (a password reset's).
    pub base_url: String,
    pub lang: crate::domain::Lang,
    /// How many related articles a page shows (`VIGIE_RELATED_COUNT`).
    pub related_count: u32,
}

/// How many articles' related suggestions the idle worker keeps at a time.
const SUGGESTIONS_BATCH: i64 = 50;

impl Worker {
    /// Runs until `wake` is dropped (its server is gone: tests start many).
    pub async fn run(self, wake: Weak<Notify>) {
        loop {
            match jobs::claim(&self.pool).await {
                Ok(Some(job)) => {
                    self.handle(job).await;
                    continue;
                }
                Ok(None) => {}
                Err(e) => tracing::warn!(error = %e, "cannot read the job queue"),
            }
            // Nothing queued: lists of related articles that are missing or old, a few at a
            // time (the queue is looked at again between batches).
            match self.keep_due_suggestions().await {
                Ok(0) => {}
                Ok(_) => continue,
                Err(e) => tracing::warn!(error = %e, "cannot keep related suggestions"),
            }
            let Some(wake) = wake.upgrade() else {
                return;
            };
            let wait = match jobs::next_due(&self.pool).await {
                Ok(Some(at)) => Duration::try_from(at - time::OffsetDateTime::now_utc())
                    .unwrap_or(Duration::ZERO)
                    .min(LOOK_AGAIN),
                _ => LOOK_AGAIN,
            };
            tokio::select! {
                () = wake.notified() => {}
                () = tokio::time::sleep(wait) => {}
            }
        }
    }

    /// A `related` job: the article's list, then (when it spreads) the lists of the articles
    /// it now suggests, where it may now belong.
    async fn related(&self, payload: &serde_json::Value) -> anyhow::Result<()> {
        let task = suggestions::Task::parse(payload)
            .ok_or_else(|| anyhow::anyhow!("a related job without an article id"))?;
        let kept = suggestions::keep(&self.pool, task.article, self.related_count).await?;
        if task.spread && !kept.is_empty() {
            suggestions::queue(&self.pool, &kept).await?;
        }
        Ok(())
    }

    /// Keeps the lists that are missing or old, up to a batch; returns how many.
    async fn keep_due_suggestions(&self) -> Result<usize, sqlx::Error> {
        let due = suggestions::due(&self.pool, SUGGESTIONS_BATCH).await?;
        for article in &due {
            suggestions::keep(&self.pool, *article, self.related_count).await?;
        }
        Ok(due.len())
    }

    async fn handle(&self, job: Claimed) {
        let outcome = match job.kind {
            Some(Kind::Renditions) => crate::media::renditions::run(self, &job.payload).await,
            Some(Kind::Mail) => match &self.mailer {
                Some(mailer) => mailer.send(&job.payload).await,
                None => Err(anyhow::anyhow!("no mail server is set (VIGIE_SMTP_URL)")),
            },
            Some(Kind::PasswordReset) => crate::mail::reset::run(self, &job.payload).await,
            Some(Kind::Related) => self.related(&job.payload).await,
            Some(Kind::OutNotice) => crate::mail::out::run(self, &job.payload).await,
            None => Err(anyhow::anyhow!("unknown kind of job")),
        };
        match outcome {
            Ok(()) => {
                if let Err(e) = jobs::finish(&self.pool, job.id).await {
                    tracing::warn!(job = job.id, error = %e, "cannot mark a job done");
                }
            }
            Err(e) => {
                // 10 s, 20 s, 40 s… at most an hour.
                let retry = (10.0 * 2f64.powi(job.attempts - 1)).min(3600.0);
                let error = format!("{e:#}");
                match jobs::fail(&self.pool, &job, &error, retry).await {
                    Ok(true) => {
                        tracing::error!(job = job.id, error = %error, "background job failed for good");
                        if job.kind == Some(Kind::Renditions) {
                            crate::media::renditions::given_up(self, &job.payload).await;
                        }
                        if job.kind == Some(Kind::Mail) {
                            // Its words may hold a link still valid: not kept.
                            if let Err(e) = jobs::clear_payload(&self.pool, job.id).await {
                                tracing::warn!(job = job.id, error = %e, "cannot clear a mail job");
                            }
                        }
                    }
                    Ok(false) => {
                        tracing::warn!(job = job.id, attempt = job.attempts, error = %error, "background job failed; will retry");
                    }
                    Err(db) => {
                        tracing::warn!(job = job.id, error = %db, "cannot record a job's failure")
                    }
                }
            }
        }
    }
}

//! Read replicas (`DATABASE_READ_URL`): PostgreSQL streaming replicas that public reads may go
//! to instead of the primary.
//!
//! A watcher asks the primary where its write-ahead log is, and each replica how far it has
//! replayed it, every [`CHECK_EVERY`]. A replica serves reads only while
//! - it answers (any failure takes it out at once, until a later check succeeds),
//! - it is still a replica (in recovery) and lags at most `VIGIE_REPLICA_MAX_LAG`, and
//! - it has replayed every change this instance has heard of ([`Replicas::caught_up_to_primary`],
//!   called by the content listener before it marks pages stale): a page rendered again after a
//!   change must show it, or the render cache would keep the old page as new.
//!
//! With no replica that qualifies, reads go to the primary. The lag is measured against the
//! primary's own positions, sampled at each check: it is how long ago the primary had written
//! something the replica has not replayed yet (zero when it has replayed everything), so an
//! idle primary does not make an up-to-date replica look late.

use std::collections::VecDeque;
use std::str::FromStr;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use sqlx::PgPool;
use sqlx::postgres::PgConnectOptions;

use super::{DbError, PoolLimits};

/// How often the replicas are checked when nothing else wakes the watcher.
const CHECK_EVERY: Duration = Duration::from_millis(500);
/// How long a check of one replica may take before it counts as failed.
const CHECK_TIMEOUT: Duration = Duration::from_secs(1);
/// How long a read waits for a replica's connection: a replica in trouble should hand its
/// readers to the primary quickly, not after `VIGIE_DB_WAIT`.
const REPLICA_WAIT: Duration = Duration::from_millis(500);

/// The primary and its replicas, as public reads see them.
pub struct Replicas {
    primary: PgPool,
    members: Vec<Member>,
    max_lag: Duration,
    /// The primary's WAL position after the last change this instance heard of.
    required: AtomicU64,
    /// Which replica the next read starts looking at (round robin).
    next: AtomicUsize,
    /// Wakes the watcher early (a change raised `required`, or a replica failed a read).
    wake: tokio::sync::Notify,
    /// The primary's recent positions, oldest first, for measuring lag.
    history: Mutex<History>,
}

/// One replica.
pub struct Member {
    pub pool: PgPool,
    /// `host:port/database`, never a password: for logs and metrics.
    pub name: String,
    /// Whether it answered its last check (or read) as a replica.
    up: AtomicBool,
    /// How far it had replayed at its last check.
    replayed: AtomicU64,
    /// Its lag at its last check, in milliseconds.
    lag_ms: AtomicU64,
    /// Reads it served, and reads it failed that the primary took over.
    pub reads: AtomicU64,
    pub failovers: AtomicU64,
}

/// A replica's health as the last check found it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Health {
    Fine,
    Lagging,
    Down,
}

/// Where one read goes.
#[derive(Clone)]
pub struct Pick {
    pub pool: PgPool,
    /// Which replica, or `None` for the primary.
    pub replica: Option<usize>,
}

/// A replica's state, for metrics.
#[derive(Debug, Clone)]
pub struct Status {
    pub name: String,
    /// Serving reads now.
    pub serving: bool,
    /// Answering checks as a replica.
    pub up: bool,
    pub lag: Duration,
    pub reads: u64,
    pub failovers: u64,
}

impl Replicas {
    /// Pools for the replicas at `urls` (each connects when first used: a replica that is down
    /// when Vigie starts just serves nothing until it answers). Nothing is created or migrated
    /// on a replica; it follows the primary. Start [`Replicas::watch`] to put them to use.
    pub fn open(
        primary: PgPool,
        urls: &[&str],
        limits: PoolLimits,
        max_lag: Duration,
    ) -> Result<Arc<Self>, DbError> {
        let statement_timeout = format!("{}ms", limits.statement.as_millis());
        let mut members = Vec::with_capacity(urls.len());
        for url in urls {
            let options = PgConnectOptions::from_str(url)
                .map_err(|_| DbError::BadUrl)?
                .application_name("vigie")
                .options([("statement_timeout", statement_timeout.as_str())]);
            let name = super::describe(&options);
            let pool = super::pool_options(REPLICA_WAIT).connect_lazy_with(options);
            members.push(Member {
                pool,
                name,
                up: AtomicBool::new(false),
                replayed: AtomicU64::new(0),
                lag_ms: AtomicU64::new(0),
                reads: AtomicU64::new(0),
                failovers: AtomicU64::new(0),
            });
        }
        Ok(Arc::new(Self {
            primary,
            members,
            max_lag,
            required: AtomicU64::new(0),
            next: AtomicUsize::new(0),
            wake: tokio::sync::Notify::new(),
            history: Mutex::new(History::default()),
        }))
    }

    pub fn primary(&self) -> &PgPool {
        &self.primary
    }

    /// A replica that may serve a read now, in turn; the primary when none may.
    pub fn pick(&self) -> Pick {
        let n = self.members.len();
        let start = self.next.fetch_add(1, Ordering::Relaxed);
        let required = self.required.load(Ordering::Acquire);
        for i in (0..n).map(|k| (start + k) % n) {
            let member = &self.members[i];
            if self.serves(member, required) {
                member.reads.fetch_add(1, Ordering::Relaxed);
                return Pick {
                    pool: member.pool.clone(),
                    replica: Some(i),
                };
            }
        }
        Pick {
            pool: self.primary.clone(),
            replica: None,
        }
    }

    fn serves(&self, member: &Member, required: u64) -> bool {
        member.up.load(Ordering::Acquire)
            && member.replayed.load(Ordering::Acquire) >= required
            && Duration::from_millis(member.lag_ms.load(Ordering::Relaxed)) <= self.max_lag
    }

    /// A read on replica `i` failed for want of a database: it serves nothing more until a
    /// check finds it well again.
    pub fn failed(&self, i: usize) {
        if let Some(member) = self.members.get(i) {
            member.failovers.fetch_add(1, Ordering::Relaxed);
            if member.up.swap(false, Ordering::AcqRel) {
                tracing::warn!(replica = %member.name, "read replica failed a read; reading from the primary meanwhile");
            }
            self.wake.notify_one();
        }
    }

    /// Notes the primary's WAL position now, after a change this instance heard of: from now
    /// on only a replica that has replayed that far serves reads. Called by the content
    /// listener before it marks pages stale.
    pub async fn caught_up_to_primary(&self) -> sqlx::Result<()> {
        let position = primary_position(&self.primary).await?;
        self.required.fetch_max(position, Ordering::AcqRel);
        self.remember(position);
        self.wake.notify_one();
        Ok(())
    }

    fn remember(&self, position: u64) {
        self.history
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(Instant::now(), position, self.max_lag + CHECK_EVERY * 4);
    }

    /// Checks the replicas until the last reference to `self` is dropped: every
    /// [`CHECK_EVERY`], and soon after a change while some replica has not replayed it yet.
    pub async fn watch(self: Arc<Self>) {
        let mut told: Vec<Health> = vec![Health::Fine; self.members.len()];
        while Arc::strong_count(&self) > 1 {
            let behind = self.check(&mut told).await;
            let wait = if behind {
                Duration::from_millis(20)
            } else {
                CHECK_EVERY
            };
            tokio::select! {
                () = tokio::time::sleep(wait) => {}
                () = self.wake.notified() => {}
            }
        }
    }

    /// One round of checks (`told`: each replica's health as last logged); whether some
    /// replica that answers has not replayed every change heard of (worth looking again soon).
    async fn check(&self, told: &mut [Health]) -> bool {
        let Ok(Ok(position)) =
            tokio::time::timeout(CHECK_TIMEOUT, primary_position(&self.primary)).await
        else {
            // The primary is away: the replicas keep their last state (they may well serve
            // the last known content), the next round tells more.
            return false;
        };
        self.remember(position);
        let required = self.required.load(Ordering::Acquire);
        let checks = self.members.iter().map(|member| async move {
            match tokio::time::timeout(CHECK_TIMEOUT, replay_position(&member.pool)).await {
                Ok(Ok(Some(replayed))) => Ok(replayed),
                Ok(Ok(None)) => Err("not in recovery (promoted?)".to_owned()),
                Ok(Err(e)) => Err(e.to_string()),
                Err(_) => Err("no answer in time".to_owned()),
            }
        });
        let results = futures_util::future::join_all(checks).await;
        let mut behind = false;
        for ((member, result), told) in self.members.iter().zip(results).zip(told) {
            let (health, replayed, lag) = match result {
                Ok(replayed) => {
                    let lag = self
                        .history
                        .lock()
                        .unwrap_or_else(PoisonError::into_inner)
                        .lag(replayed, Instant::now());
                    let health = if lag > self.max_lag {
                        Health::Lagging
                    } else {
                        Health::Fine
                    };
                    (health, replayed, lag)
                }
                Err(why) => {
                    if *told != Health::Down {
                        tracing::warn!(replica = %member.name, error = %why, "read replica unavailable; reading from the primary meanwhile");
                    }
                    (Health::Down, 0, Duration::ZERO)
                }
            };
            member.replayed.store(replayed, Ordering::Release);
            member.lag_ms.store(
                u64::try_from(lag.as_millis()).unwrap_or(u64::MAX),
                Ordering::Relaxed,
            );
            member.up.store(health != Health::Down, Ordering::Release);
            behind |= health != Health::Down && replayed < required;
            match health {
                Health::Fine if *told != Health::Fine => {
                    tracing::info!(replica = %member.name, "read replica serving reads again");
                }
                Health::Lagging if *told != Health::Lagging => {
                    tracing::warn!(replica = %member.name, lag_ms = lag.as_millis(), "read replica lags past VIGIE_REPLICA_MAX_LAG; reading from the primary meanwhile");
                }
                _ => {}
            }
            *told = health;
        }
        behind
    }

    /// Every replica's state, for `/metrics`.
    pub fn statuses(&self) -> Vec<Status> {
        let required = self.required.load(Ordering::Acquire);
        self.members
            .iter()
            .map(|m| Status {
                name: m.name.clone(),
                serving: self.serves(m, required),
                up: m.up.load(Ordering::Acquire),
                lag: Duration::from_millis(m.lag_ms.load(Ordering::Relaxed)),
                reads: m.reads.load(Ordering::Relaxed),
                failovers: m.failovers.load(Ordering::Relaxed),
            })
            .collect()
    }

    /// Each replica's name and pool.
    pub fn pools(&self) -> impl Iterator<Item = (&str, &PgPool)> {
        self.members.iter().map(|m| (m.name.as_str(), &m.pool))
    }

    /// Closes every replica's pool.
    pub async fn close(&self) {
        for member in &self.members {
            member.pool.close().await;
        }
    }
}

/// The primary's current WAL position (bytes since the start of the log).
async fn primary_position(pool: &PgPool) -> sqlx::Result<u64> {
    let position: i64 = sqlx::query_scalar("select (pg_current_wal_lsn() - '0/0'::pg_lsn)::bigint")
        .fetch_one(pool)
        .await?;
    Ok(u64::try_from(position).unwrap_or(0))
}

/// How far a replica has replayed the primary's log; `None` if it is not a replica (any more).
async fn replay_position(pool: &PgPool) -> sqlx::Result<Option<u64>> {
    let position: Option<i64> = sqlx::query_scalar(
        "select case when pg_is_in_recovery() \
         then (coalesce(pg_last_wal_replay_lsn(), '0/0'::pg_lsn) - '0/0'::pg_lsn)::bigint end",
    )
    .fetch_one(pool)
    .await?;
    Ok(position.map(|p| u64::try_from(p).unwrap_or(0)))
}

/// The primary's positions seen lately, each with when it was first seen, oldest first.
#[derive(Debug, Default)]
struct History {
    samples: VecDeque<(Instant, u64)>,
}

impl History {
    /// Notes that the primary was at `position` at `at`; forgets what is older than `keep`
    /// (but the newest sample older than that, which still bounds the lag from below).
    fn push(&mut self, at: Instant, position: u64, keep: Duration) {
        if self.samples.back().is_none_or(|(_, last)| position > *last) {
            self.samples.push_back((at, position));
        }
        while self.samples.len() > 2
            && self
                .samples
                .get(1)
                .is_some_and(|(t, _)| at.saturating_duration_since(*t) > keep)
        {
            self.samples.pop_front();
        }
    }

    /// How long ago the primary was first seen past `replayed`: the replica has not replayed
    /// what the primary had written by then. Zero when it has replayed all that was seen.
    fn lag(&self, replayed: u64, now: Instant) -> Duration {
        self.samples
            .iter()
            .find(|(_, position)| *position > replayed)
            .map_or(Duration::ZERO, |(at, _)| now.saturating_duration_since(*at))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sqlx::postgres::PgPoolOptions;

    /// Two replicas at loopback addresses nothing is asked of (their pools never connect).
    fn two_replicas(max_lag: Duration) -> Arc<Replicas> {
        let primary = PgPoolOptions::new().connect_lazy_with(PgConnectOptions::new().port(1));
        Replicas::open(
            primary,
            &["postgres://127.0.0.1:2/a", "postgres://127.0.0.1:3/b"],
            PoolLimits::default(),
            max_lag,
        )
        .unwrap()
    }

    fn set(r: &Replicas, i: usize, up: bool, replayed: u64, lag: Duration) {
        let m = &r.members[i];
        m.up.store(up, Ordering::Release);
        m.replayed.store(replayed, Ordering::Release);
        m.lag_ms.store(lag.as_millis() as u64, Ordering::Relaxed);
    }

    #[tokio::test]
    async fn reads_go_in_turn_to_replicas_that_answer_keep_up_and_have_every_change() {
        let r = two_replicas(Duration::from_secs(5));
        // Before any check: the primary.
        assert_eq!(r.pick().replica, None);
        set(&r, 0, true, 100, Duration::ZERO);
        set(&r, 1, true, 100, Duration::ZERO);
        let picks: Vec<_> = (0..4).map(|_| r.pick().replica).collect();
        assert!(
            picks.contains(&Some(0)) && picks.contains(&Some(1)),
            "{picks:?}"
        );
        // One lags past the limit: only the other.
        set(&r, 1, true, 100, Duration::from_secs(6));
        assert!((0..4).all(|_| r.pick().replica == Some(0)));
        // A change past what the first replayed: the primary, until it catches up.
        r.required.store(150, Ordering::Release);
        assert_eq!(r.pick().replica, None);
        set(&r, 0, true, 150, Duration::ZERO);
        assert_eq!(r.pick().replica, Some(0));
        // A failed read takes it out at once.
        r.failed(0);
        assert_eq!(r.pick().replica, None);
        let statuses = r.statuses();
        assert_eq!(statuses[0].name, "127.0.0.1:2/a");
        assert_eq!(statuses[0].failovers, 1);
        assert!(!statuses[0].serving && !statuses[1].serving);
    }

    #[test]
    fn a_replica_that_replayed_everything_seen_has_no_lag() {
        let t0 = Instant::now();
        let mut h = History::default();
        h.push(t0, 100, Duration::from_secs(60));
        // The primary stays idle for a long time: no new position.
        h.push(t0 + Duration::from_secs(30), 100, Duration::from_secs(60));
        assert_eq!(h.lag(100, t0 + Duration::from_secs(30)), Duration::ZERO);
    }

    #[test]
    fn lag_is_how_long_ago_the_primary_passed_what_the_replica_replayed() {
        let t0 = Instant::now();
        let keep = Duration::from_secs(60);
        let mut h = History::default();
        h.push(t0, 100, keep);
        h.push(t0 + Duration::from_secs(1), 200, keep);
        h.push(t0 + Duration::from_secs(2), 300, keep);
        let now = t0 + Duration::from_secs(3);
        assert_eq!(h.lag(300, now), Duration::ZERO);
        assert_eq!(h.lag(250, now), Duration::from_secs(1));
        assert_eq!(h.lag(150, now), Duration::from_secs(2));
        assert_eq!(h.lag(50, now), Duration::from_secs(3));
    }

    #[test]
    fn old_positions_are_forgotten_but_the_lag_stays_a_lower_bound() {
        let t0 = Instant::now();
        let keep = Duration::from_secs(5);
        let mut h = History::default();
        for s in 0..100u64 {
            h.push(t0 + Duration::from_secs(s), s * 10 + 10, keep);
        }
        assert!(h.samples.len() <= 8, "{} samples kept", h.samples.len());
        let now = t0 + Duration::from_secs(100);
        // Far behind everything kept: at least as late as the oldest kept sample.
        assert!(h.lag(0, now) >= Duration::from_secs(5));
    }
}

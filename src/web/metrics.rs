//! `/metrics` in the Prometheus text format, on a listener of its own (`VIGIE_METRICS_BIND`,
//! off by default) so that it never faces the public.
//!
//! Requests are timed by the outermost layer ([`record`]) under OpenTelemetry's HTTP server
//! names (`http.server.request.duration`, with `http.request.method`, `http.route` — the route
//! template, never the path — and `http.response.status_code`). What other parts count (the
//! render cache, the pool) is read from them at each scrape; what only the database knows (the
//! job queues) is asked of it then, briefly. Answers that stand for an event nobody else counts
//! (a sign-in throttled, a statement or a connection wait that ran out of time) carry a
//! [`Counted`] mark that [`record`] counts.

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, LazyLock, PoisonError};
use std::time::{Duration, Instant};

use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use prometheus_client::collector::Collector;
use prometheus_client::encoding::{DescriptorEncoder, EncodeMetric, NoLabelSet};
use prometheus_client::metrics::counter::{ConstCounter, Counter};
use prometheus_client::metrics::gauge::ConstGauge;
use prometheus_client::metrics::info::Info;
use prometheus_client::registry::{Registry, Unit};
use tokio::net::TcpListener;

use super::AppState;
use super::render_cache::Stats;

/// OpenTelemetry's advice for `http.server.request.duration`, with finer buckets below 5 ms,
/// where pages served from memory fall.
const BUCKETS: [f64; 17] = [
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5, 5.0,
    7.5, 10.0,
];

/// What a scrape may spend asking the database.
const SCRAPE_QUERY_TIMEOUT: Duration = Duration::from_secs(2);

/// Shards of the request durations: a thread records into its own, so that timing a request
/// takes no lock another core holds (one shared histogram cost a fifth of the throughput of
/// pages served from memory).
const SHARDS: usize = 16;

/// Which requests a duration is counted under.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
struct Key {
    method: &'static str,
    /// The route template; `None` when no route matched.
    route: Option<&'static str>,
    status: u16,
}

/// One histogram's counts: per bucket of [`BUCKETS`] (not cumulative), in all, and the sum.
#[derive(Debug, Clone, Copy, Default)]
struct Counts {
    buckets: [u64; BUCKETS.len()],
    count: u64,
    sum: f64,
}

type Shard = std::sync::Mutex<HashMap<Key, Counts>>;

/// Every route template, so that a key holds a `&'static str` rather than a copy.
static ROUTES: LazyLock<HashSet<&'static str>> =
    LazyLock::new(|| super::routes::list().into_iter().map(|r| r.path).collect());

thread_local! {
    /// This thread's shard, given out in turn.
    static SHARD: usize = {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        NEXT.fetch_add(1, Ordering::Relaxed) % SHARDS
    };
}

/// An event an answer stands for, counted by [`record`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Counted {
    /// A sign-in (or a code, a reset link) refused for too many attempts.
    SignInThrottled,
    /// A database statement ran past `VIGIE_STATEMENT_TIMEOUT`.
    StatementTimeout,
    /// No database connection came within `VIGIE_DB_WAIT`.
    ConnectionTimeout,
}

/// The counters kept in the process.
#[derive(Debug)]
pub struct Metrics {
    durations: Box<[Shard]>,
    throttled: Counter,
    statement_timeouts: Counter,
    connection_timeouts: Counter,
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

impl Metrics {
    pub fn new() -> Self {
        Self {
            durations: (0..SHARDS).map(|_| Shard::default()).collect(),
            throttled: Counter::default(),
            statement_timeouts: Counter::default(),
            connection_timeouts: Counter::default(),
        }
    }

    fn observe(&self, method: &str, route: Option<&str>, status: StatusCode, took: Duration) {
        // Methods outside the standard set are one value, as the convention says.
        let method = match method {
            "GET" => "GET",
            "HEAD" => "HEAD",
            "POST" => "POST",
            "PUT" => "PUT",
            "PATCH" => "PATCH",
            "DELETE" => "DELETE",
            "OPTIONS" => "OPTIONS",
            "CONNECT" => "CONNECT",
            "TRACE" => "TRACE",
            _ => "_OTHER",
        };
        // No route for an address no route matched: raw paths would be unbounded.
        let route = route.and_then(|r| ROUTES.get(r).copied());
        let key = Key {
            method,
            route,
            status: status.as_u16(),
        };
        let seconds = took.as_secs_f64();
        let shard = SHARD.with(|s| *s);
        let mut shard = self.durations[shard]
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        let counts = shard.entry(key).or_default();
        if let Some(bucket) = BUCKETS.iter().position(|bound| seconds <= *bound) {
            counts.buckets[bucket] += 1;
        }
        counts.count += 1;
        counts.sum += seconds;
    }

    /// Every shard's counts added up.
    fn durations(&self) -> HashMap<Key, Counts> {
        let mut all: HashMap<Key, Counts> = HashMap::new();
        for shard in &self.durations {
            let shard = shard.lock().unwrap_or_else(PoisonError::into_inner);
            for (key, counts) in shard.iter() {
                let total = all.entry(*key).or_default();
                for (sum, n) in total.buckets.iter_mut().zip(counts.buckets) {
                    *sum += n;
                }
                total.count += counts.count;
                total.sum += counts.sum;
            }
        }
        all
    }

    fn count(&self, what: Counted) {
        match what {
            Counted::SignInThrottled => self.throttled.inc(),
            Counted::StatementTimeout => self.statement_timeouts.inc(),
            Counted::ConnectionTimeout => self.connection_timeouts.inc(),
        };
    }
}

/// The outermost layer: times every request by its route template. (It takes only the
/// metrics, not the whole state: see `caching::from_cache`.)
pub async fn record(State(metrics): State<Arc<Metrics>>, req: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = req.method().clone();
    let route = req.extensions().get::<MatchedPath>().cloned();
    let response = next.run(req).await;
    if let Some(counted) = response.extensions().get::<Counted>() {
        metrics.count(*counted);
    }
    metrics.observe(
        method.as_str(),
        route.as_ref().map(MatchedPath::as_str),
        response.status(),
        started.elapsed(),
    );
    response
}

/// Serves `/metrics` on `listener` until the task is dropped.
pub async fn serve(listener: TcpListener, state: AppState) {
    let app = axum::Router::new()
        .route("/metrics", axum::routing::get(scrape))
        .with_state(state);
    if let Err(e) = axum::serve(listener, app).await {
        tracing::warn!(error = %e, "the metrics listener stopped");
    }
}

async fn scrape(State(state): State<AppState>) -> Response {
    let queues = tokio::time::timeout(SCRAPE_QUERY_TIMEOUT, queues(&state.pool))
        .await
        .ok()
        .and_then(Result::ok);
    let mut pools = vec![PoolCounts::of("primary", &state.pool)];
    let mut replicas = Vec::new();
    if let Some(set) = &state.replicas {
        replicas = set.statuses();
        pools.extend(set.pools().map(|(name, pool)| PoolCounts::of(name, pool)));
    }
    let snapshot = Snapshot {
        cache: state.cache.stats(),
        pools,
        replicas,
        queues,
    };
    let mut registry = Registry::default();
    registry.register_collector(Box::new(RequestDurations(state.metrics.durations())));
    registry.register(
        "vigie_sign_in_throttled",
        "Sign-in attempts (passwords, codes, reset links) refused for too many tries",
        state.metrics.throttled.clone(),
    );
    registry.register(
        "vigie_statement_timeouts",
        "Database statements stopped by VIGIE_STATEMENT_TIMEOUT",
        state.metrics.statement_timeouts.clone(),
    );
    registry.register(
        "db_client_connection_timeouts",
        "Requests that got no database connection within VIGIE_DB_WAIT",
        state.metrics.connection_timeouts.clone(),
    );
    registry.register(
        "vigie_build",
        "The running build",
        Info::new(vec![("version", env!("CARGO_PKG_VERSION"))]),
    );
    registry.register_collector(Box::new(snapshot));
    let mut text = String::new();
    if prometheus_client::encoding::prometheus_text::encode(&mut text, &registry).is_err() {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    }
    let mut response = text.into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(prometheus_client::encoding::prometheus_text::CONTENT_TYPE),
    );
    response
}

/// `http.server.request.duration`, from the shards added up at the scrape.
#[derive(Debug)]
struct RequestDurations(HashMap<Key, Counts>);

impl Collector for RequestDurations {
    fn encode(&self, mut encoder: DescriptorEncoder) -> Result<(), std::fmt::Error> {
        let mut metric = encoder.encode_descriptor(
            "http_server_request_duration",
            "Duration of HTTP server requests",
            Some(&Unit::Seconds),
            prometheus_client::metrics::MetricType::Histogram,
        )?;
        let mut keys: Vec<&Key> = self.0.keys().collect();
        keys.sort_by_key(|k| (k.route, k.method, k.status));
        for key in keys {
            let counts = &self.0[key];
            let status = key.status.to_string();
            let mut labels = vec![
                ("http_request_method", key.method),
                ("http_response_status_code", status.as_str()),
            ];
            if let Some(route) = key.route {
                labels.push(("http_route", route));
            }
            let buckets: Vec<(f64, u64)> = BUCKETS.iter().copied().zip(counts.buckets).collect();
            metric
                .encode_family(&labels)?
                .encode_histogram::<NoLabelSet>(counts.sum, counts.count, &buckets, None)?;
        }
        Ok(())
    }
}

/// Background work waiting, by queue.
#[derive(Debug, Default)]
struct Queues {
    /// Jobs waiting or running, by kind.
    jobs: Vec<(String, i64)>,
    /// Jobs that gave up (kept for an admin to retry).
    failed_jobs: i64,
    /// Webhook deliveries not yet accepted, of endpoints that are on.
    webhooks: i64,
    /// Published articles whose related suggestions are not kept yet (after an import).
    related_missing: i64,
}

async fn queues(pool: &sqlx::PgPool) -> sqlx::Result<Queues> {
    let jobs = sqlx::query!(
        r#"select kind as "kind!", count(*) as "count!" from job where not failed group by kind order by kind"#
    )
    .fetch_all(pool)
    .await?
    .into_iter()
    .map(|r| (r.kind, r.count))
    .collect();
    let failed_jobs = sqlx::query_scalar!(r#"select count(*) as "n!" from job where failed"#)
        .fetch_one(pool)
        .await?;
    let webhooks = sqlx::query_scalar!(
        r#"
        select count(*) as "n!" from webhook_delivery d
        join webhook_endpoint e on e.id = d.endpoint_id
        where d.delivered_at is null and e.enabled
        "#
    )
    .fetch_one(pool)
    .await?;
    let related_missing = sqlx::query_scalar!(
        r#"
        select count(*) as "n!" from article a
        where a.status = 'published' and a.kind = 'article'
          and not exists (select 1 from article_suggestion s where s.article_id = a.id)
        "#
    )
    .fetch_one(pool)
    .await?;
    Ok(Queues {
        jobs,
        failed_jobs,
        webhooks,
        related_missing,
    })
}

/// What is read at the scrape.
#[derive(Debug)]
struct Snapshot {
    cache: Stats,
    /// The primary's pool, then each replica's.
    pools: Vec<PoolCounts>,
    replicas: Vec<crate::db::replicas::Status>,
    /// `None` when the database did not answer in time.
    queues: Option<Queues>,
}

/// One pool's connections.
#[derive(Debug)]
struct PoolCounts {
    name: String,
    size: u32,
    idle: u32,
    max: u32,
}

impl PoolCounts {
    fn of(name: &str, pool: &sqlx::PgPool) -> Self {
        Self {
            name: name.to_owned(),
            size: pool.size(),
            idle: u32::try_from(pool.num_idle()).unwrap_or(u32::MAX),
            max: pool.options().get_max_connections(),
        }
    }
}

fn gauge(
    encoder: &mut DescriptorEncoder,
    name: &str,
    help: &str,
    unit: Option<&Unit>,
    values: &[(&[(&str, &str)], i64)],
) -> Result<(), std::fmt::Error> {
    let mut metric = encoder.encode_descriptor(
        name,
        help,
        unit,
        prometheus_client::metrics::MetricType::Gauge,
    )?;
    for (labels, value) in values {
        let labels = labels.to_vec();
        ConstGauge::new(*value).encode(metric.encode_family(&labels)?)?;
    }
    Ok(())
}

fn counter(
    encoder: &mut DescriptorEncoder,
    name: &str,
    help: &str,
    values: &[(&[(&str, &str)], u64)],
) -> Result<(), std::fmt::Error> {
    let mut metric = encoder.encode_descriptor(
        name,
        help,
        None,
        prometheus_client::metrics::MetricType::Counter,
    )?;
    for (labels, value) in values {
        let labels = labels.to_vec();
        ConstCounter::new(*value).encode(metric.encode_family(&labels)?)?;
    }
    Ok(())
}

/// Owned label lists as the borrowed ones [`gauge`] and [`counter`] take.
fn slices<'a, T: Copy>(
    values: &'a [(Vec<(&'a str, &'a str)>, T)],
) -> Vec<(&'a [(&'a str, &'a str)], T)> {
    values.iter().map(|(l, n)| (l.as_slice(), *n)).collect()
}

fn signed(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

impl Snapshot {
    /// One value per read replica, labelled with its name.
    fn per_replica<T>(
        &self,
        value: impl Fn(&crate::db::replicas::Status) -> T,
    ) -> Vec<(Vec<(&str, &str)>, T)> {
        self.replicas
            .iter()
            .map(|r| (vec![("replica", r.name.as_str())], value(r)))
            .collect()
    }
}

impl Collector for Snapshot {
    fn encode(&self, mut encoder: DescriptorEncoder) -> Result<(), std::fmt::Error> {
        let c = &self.cache;
        counter(
            &mut encoder,
            "vigie_render_cache_requests",
            "Public answers asked of the render cache: hit (current), stale (served while \
             another request renders it afresh), shared (after waiting for another request's \
             render), miss (rendered and kept)",
            &[
                (&[("result", "hit")], c.hits),
                (&[("result", "stale")], c.stale),
                (&[("result", "shared")], c.shared),
                (&[("result", "miss")], c.misses),
            ],
        )?;
        counter(
            &mut encoder,
            "vigie_render_cache_evictions",
            "Answers dropped from the render cache to stay within its bytes",
            &[(&[], c.evictions)],
        )?;
        gauge(
            &mut encoder,
            "vigie_render_cache_entries",
            "Answers kept in the render cache",
            None,
            &[(&[], signed(c.entries))],
        )?;
        gauge(
            &mut encoder,
            "vigie_render_cache_size",
            "Memory the render cache's answers take (compressed, as kept)",
            Some(&Unit::Bytes),
            &[(&[], signed(c.bytes))],
        )?;
        gauge(
            &mut encoder,
            "vigie_render_cache_capacity",
            "The most memory the render cache may take (VIGIE_RENDER_CACHE_BYTES)",
            Some(&Unit::Bytes),
            &[(&[], signed(c.capacity))],
        )?;
        let mut connections: Vec<(Vec<(&str, &str)>, i64)> = Vec::new();
        let mut most: Vec<(Vec<(&str, &str)>, i64)> = Vec::new();
        for pool in &self.pools {
            let name = ("db_client_connection_pool_name", pool.name.as_str());
            let used = i64::from(pool.size.saturating_sub(pool.idle));
            connections.push((vec![("db_client_connection_state", "used"), name], used));
            connections.push((
                vec![("db_client_connection_state", "idle"), name],
                i64::from(pool.idle),
            ));
            most.push((vec![name], i64::from(pool.max)));
        }
        gauge(
            &mut encoder,
            "db_client_connection_count",
            "Database connections of each pool (the primary, then each read replica), by state",
            None,
            &slices(&connections),
        )?;
        gauge(
            &mut encoder,
            "db_client_connection_max",
            "The most connections each pool opens",
            None,
            &slices(&most),
        )?;
        if !self.replicas.is_empty() {
            let mut metric = encoder.encode_descriptor(
                "vigie_replica_lag",
                "How long ago the primary wrote what each read replica has not replayed yet, \
                 as of the last check",
                Some(&Unit::Seconds),
                prometheus_client::metrics::MetricType::Gauge,
            )?;
            for r in &self.replicas {
                ConstGauge::new(r.lag.as_secs_f64())
                    .encode(metric.encode_family(&[("replica", r.name.as_str())])?)?;
            }
            let serving = self.per_replica(|r| i64::from(r.serving));
            gauge(
                &mut encoder,
                "vigie_replica_serving",
                "1 while a read replica serves public reads (it answers, lags at most \
                 VIGIE_REPLICA_MAX_LAG and has replayed the last change heard of), else 0",
                None,
                &slices(&serving),
            )?;
            counter(
                &mut encoder,
                "vigie_replica_reads",
                "Public requests whose reads went to each read replica",
                &slices(&self.per_replica(|r| r.reads)),
            )?;
            counter(
                &mut encoder,
                "vigie_replica_failovers",
                "Public requests a read replica failed, answered again from the primary",
                &slices(&self.per_replica(|r| r.failovers)),
            )?;
        }
        if let Some(queues) = &self.queues {
            let jobs: Vec<(Vec<(&str, &str)>, i64)> = queues
                .jobs
                .iter()
                .map(|(kind, n)| (vec![("kind", kind.as_str())], *n))
                .collect();
            gauge(
                &mut encoder,
                "vigie_jobs_queued",
                "Background jobs waiting or running, by kind",
                None,
                &slices(&jobs),
            )?;
            gauge(
                &mut encoder,
                "vigie_jobs_failed",
                "Background jobs that gave up, kept for an admin to retry",
                None,
                &[(&[], queues.failed_jobs)],
            )?;
            gauge(
                &mut encoder,
                "vigie_webhook_deliveries_queued",
                "Webhook deliveries not yet accepted by endpoints that are on",
                None,
                &[(&[], queues.webhooks)],
            )?;
            gauge(
                &mut encoder,
                "vigie_related_lists_missing",
                "Published articles whose related suggestions the worker has not kept yet",
                None,
                &[(&[], queues.related_missing)],
            )?;
        }
        Ok(())
    }
}

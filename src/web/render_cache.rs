//! Rendered public answers (pages, feeds, sitemap, API) kept in memory, bounded by bytes, so
//! that most readers cost a hash-map lookup instead of queries and a template.
//!
//! Coherence across instances comes from PostgreSQL: triggers announce every change readers
//! could see on the `vigie_content` channel (see the `content_notify` migration) and each
//! instance's listener drops what the change affects:
//!
//! - an answer that said what it depends on ([`CacheDeps`]: the article page and its API twin
//!   name their article, the related articles they show, their tags and author) is dropped
//!   when one of those is announced;
//! - every other answer (lists, feeds, search, sitemap) is dropped on any change;
//! - `all` (announced once by a bulk import, see the `bulk_load` migration) drops everything.
//!
//! A change does not drop what it affects: it marks it stale. The next reader of a stale page
//! renders it afresh while readers who come meanwhile are served the previous copy (unless
//! they are signed in: whoever just changed something sees it), so a change to a busy page
//! sends one request to the database, not every reader waiting for it. Readers of a page that
//! is not kept at all wait for the one render already under way for it (see [`Turn`]).
//!
//! Pages are kept once each, gzip-compressed (what nearly every client takes); the rare
//! client that takes no compression gets a copy inflated for it.
//!
//! Articles that come out at their scheduled time change nothing in the database, nor does
//! midnight (regulation countdowns): the listener also sleeps until the next of those times and
//! then drops everything. While the listener is
//! not connected (start-up, database restart) the cache is bypassed — except that a page the
//! database cannot produce meanwhile is served as it was kept, rather than a 503 — and
//! everything kept is marked stale once connected, so a notification missed meanwhile cannot
//! leave an outdated page behind.

use std::collections::{HashMap, HashSet};
use std::io::Read as _;
use std::sync::atomic::{AtomicBool, AtomicI64, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, SystemTime};

use axum::body::Bytes;
use axum::http::{HeaderMap, HeaderValue};
use sqlx::PgPool;
use sqlx::postgres::PgListener;
use time::OffsetDateTime;
use tokio::sync::{Notify, oneshot, watch};

use crate::store::clock;
use crate::store::site::{self, MenuItem};

/// The channel the triggers announce changes on.
const CHANNEL: &str = "vigie_content";
/// The channel new background jobs are announced on (see the `media` migration): the same
/// connection hears it and wakes this instance's worker.
const JOBS_CHANNEL: &str = "vigie_jobs";
/// How long to wait before trying the database again after losing the listener.
const RECONNECT: Duration = Duration::from_secs(1);
/// How long a write waits for its changes to reach this instance's cache.
const SYNC_WAIT: Duration = Duration::from_secs(2);
/// How long a reader waits for another request's render of the same page before rendering
/// it too.
const SHARE_WAIT: Duration = Duration::from_secs(10);

/// What an answer depends on, set by handlers as a response extension. Answers without one
/// depend on everything.
#[derive(Debug, Clone, Default)]
pub struct CacheDeps(pub Vec<String>);

impl CacheDeps {
    /// An article's page: the article, the related articles it lists and every article it
    /// links to (one coming out enters the list), its author, and its tags (any article
    /// gaining or losing one of them may enter or leave the related list).
    pub fn article_page(
        article: &crate::store::articles::public::Published,
        related: &[crate::store::articles::discover::Related],
    ) -> Self {
        let mut deps = vec![
            format!("article:{}", article.id),
            format!("user:{}", article.author_id),
        ];
        deps.extend(article.coauthor_ids.iter().map(|u| format!("user:{u}")));
        deps.extend(related.iter().map(|r| format!("article:{}", r.id)));
        deps.extend(article.linked_ids.iter().map(|l| format!("article:{l}")));
        deps.extend(article.tag_ids.iter().map(|t| format!("tag:{t}")));
        Self(deps)
    }
}

/// One rendered answer.
#[derive(Debug)]
pub struct Cached {
    /// As sent, less `Content-Encoding` and `Content-Length` (set for each client).
    pub headers: HeaderMap,
    /// gzip-compressed when `gzip`.
    body: Bytes,
    gzip: bool,
    pub etag: HeaderValue,
    /// The content clock when it was rendered, for `Last-Modified`.
    pub changed_at: SystemTime,
    /// `None`: depends on everything.
    deps: Option<Vec<String>>,
    /// Something it shows has changed since it was rendered (see the module's notes).
    stale: AtomicBool,
}

impl Cached {
    /// `body` is gzip-compressed when `gzip` is true.
    pub fn new(
        headers: HeaderMap,
        body: Bytes,
        gzip: bool,
        etag: HeaderValue,
        changed_at: SystemTime,
        deps: Option<CacheDeps>,
    ) -> Self {
        Self {
            headers,
            body,
            gzip,
            etag,
            changed_at,
            deps: deps.map(|d| d.0),
            stale: AtomicBool::new(false),
        }
    }

    /// Whether the body is kept gzip-compressed.
    pub fn is_gzip(&self) -> bool {
        self.gzip
    }

    /// The body as kept (compressed when [`Cached::is_gzip`]).
    pub fn kept_body(&self) -> Bytes {
        self.body.clone()
    }

    /// The body without compression: inflated for the client that takes none.
    pub fn plain_body(&self) -> std::io::Result<Bytes> {
        if !self.gzip {
            return Ok(self.body.clone());
        }
        let mut plain = Vec::with_capacity(self.body.len() * 4);
        flate2::read::GzDecoder::new(&self.body[..]).read_to_end(&mut plain)?;
        Ok(Bytes::from(plain))
    }

    pub fn is_stale(&self) -> bool {
        self.stale.load(Ordering::Acquire)
    }

    fn mark_stale(&self) {
        self.stale.store(true, Ordering::Release);
    }
}

/// What a request that may be cached does about it (see [`RenderCache::turn`]).
pub enum Turn<'a> {
    /// Serve this kept answer (current, or stale while another request renders it afresh,
    /// or just rendered by another request this one waited for).
    Serve(Arc<Cached>),
    /// Render it, and keep the result; others meanwhile wait for it or are served the stale
    /// copy. Dropping the turn lets them go.
    Render(Rendering<'a>),
    /// Render it without keeping it in anyone's way (a signed-in reader of a stale page, or
    /// a reader whose wait for another's render was not enough).
    RenderAlone,
}

/// A render under way for one key: while it lives, other readers of the key wait for it.
pub struct Rendering<'a> {
    cache: &'a RenderCache,
    key: String,
    _done: watch::Sender<()>,
}

impl Drop for Rendering<'_> {
    fn drop(&mut self) {
        // Removed under the lock: a reader either found it (and its receiver sees the sender
        // go right after) or does not find it and renders itself.
        self.cache.lock_rendering().remove(&self.key);
    }
}

/// The cache's counters since the start, for `/metrics`.
#[derive(Debug, Clone, Copy, Default)]
pub struct Stats {
    pub hits: u64,
    pub stale: u64,
    pub shared: u64,
    pub misses: u64,
    pub evictions: u64,
    pub entries: u64,
    pub bytes: u64,
    pub capacity: u64,
}

#[derive(Debug, Default)]
struct Counters {
    hits: AtomicU64,
    stale: AtomicU64,
    shared: AtomicU64,
    misses: AtomicU64,
    evictions: Arc<AtomicU64>,
}

pub struct RenderCache {
    enabled: bool,
    entries: moka::sync::Cache<String, Arc<Cached>>,
    capacity: u64,
    /// Renders under way, by key (see [`Turn::Render`]).
    rendering: Mutex<HashMap<String, watch::Receiver<()>>>,
    counters: Counters,
    /// Whether the listener is connected: only then may the cache be used.
    online: AtomicBool,
    /// Woken each time the listener comes online (see [`RenderCache::connected`]).
    came_online: Notify,
    /// Bumped by every invalidation: a render that started before one is not stored.
    generation: AtomicU64,
    /// The content clock in whole seconds since the epoch (see `store::clock`).
    clock: AtomicI64,
    /// Requests waiting for their own `sync:` marker to come back (see [`RenderCache::sync`]).
    waiting: Mutex<HashMap<String, oneshot::Sender<()>>>,
    /// The background worker's bell, rung when a job is added anywhere (the listener hears
    /// `vigie_jobs`). Owned by the server's state: the worker ends with it.
    jobs: std::sync::Weak<Notify>,
    /// The webhook deliverer's bell, rung when a delivery is written anywhere (`vigie_jobs`
    /// with `webhook`).
    webhooks: std::sync::Weak<Notify>,
    /// The site's menu, which every public page shows: read when the listener connects and
    /// again before the pages drawn with the old one are dropped (`menu` is announced).
    menu: std::sync::RwLock<Arc<Vec<MenuItem>>>,
}

impl RenderCache {
    pub fn new(
        enabled: bool,
        max_bytes: u64,
        jobs: std::sync::Weak<Notify>,
        webhooks: std::sync::Weak<Notify>,
    ) -> Self {
        let counters = Counters::default();
        let evictions = Arc::clone(&counters.evictions);
        let entries = moka::sync::Cache::builder()
            .max_capacity(max_bytes)
            .weigher(|key: &String, value: &Arc<Cached>| {
                let size = key.len() + value.body.len() + 512;
                u32::try_from(size).unwrap_or(u32::MAX)
            })
            .eviction_listener(move |_, _, cause| {
                if cause == moka::notification::RemovalCause::Size {
                    evictions.fetch_add(1, Ordering::Relaxed);
                }
            })
            .build();
        Self {
            enabled,
            entries,
            capacity: max_bytes,
            rendering: Mutex::new(HashMap::new()),
            counters,
            online: AtomicBool::new(false),
            came_online: Notify::new(),
            generation: AtomicU64::new(0),
            clock: AtomicI64::new(0),
            waiting: Mutex::new(HashMap::new()),
            jobs,
            webhooks,
            menu: std::sync::RwLock::new(Arc::new(Vec::new())),
        }
    }

    /// The site's menu as last read.
    pub fn menu(&self) -> Arc<Vec<MenuItem>> {
        self.menu
            .read()
            .map(|m| Arc::clone(&m))
            .unwrap_or_else(|e| Arc::clone(&e.into_inner()))
    }

    async fn load_menu(&self, pool: &PgPool) -> sqlx::Result<()> {
        let menu = Arc::new(site::menu(pool).await?);
        match self.menu.write() {
            Ok(mut m) => *m = menu,
            Err(e) => *e.into_inner() = menu,
        }
        Ok(())
    }

    /// Returns once this instance has handled every change committed before the call: a
    /// marker goes through the same channel, behind them. Writes call it before answering, so
    /// that whoever made a change sees it at once on the instance they made it on. `false`:
    /// not confirmed (the listener is away, or the marker did not come back in time).
    pub async fn sync(&self, pool: &PgPool) -> bool {
        if !self.online.load(Ordering::Acquire) {
            return false;
        }
        let marker = format!("sync:{}", uuid::Uuid::new_v4().simple());
        let (done, handled) = oneshot::channel();
        self.lock_waiting().insert(marker.clone(), done);
        let sent = sqlx::query("select pg_notify($1, $2)")
            .bind(CHANNEL)
            .bind(&marker)
            .execute(pool)
            .await;
        if sent.is_err() || tokio::time::timeout(SYNC_WAIT, handled).await.is_err() {
            // The listener will start again from an empty cache if it lost its connection;
            // otherwise the change arrives a little later, as on other instances.
            self.lock_waiting().remove(&marker);
            tracing::warn!("content changes were not confirmed in time");
            return false;
        }
        true
    }

    /// Whether the listener is connected, so that changes reach this instance's cache.
    pub fn is_connected(&self) -> bool {
        self.online.load(Ordering::Acquire)
    }

    /// Returns once the listener is connected (at once if it is).
    pub async fn connected(&self) {
        loop {
            let woken = self.came_online.notified();
            tokio::pin!(woken);
            // Registered before the check, so that coming online in between is not missed.
            woken.as_mut().enable();
            if self.is_connected() {
                return;
            }
            woken.await;
        }
    }

    fn lock_waiting(&self) -> std::sync::MutexGuard<'_, HashMap<String, oneshot::Sender<()>>> {
        self.waiting.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Whether answers may be served from and stored in memory right now.
    pub fn usable(&self) -> bool {
        self.enabled && self.online.load(Ordering::Acquire)
    }

    pub fn get(&self, key: &str) -> Option<Arc<Cached>> {
        if !self.usable() {
            return None;
        }
        self.entries.get(key)
    }

    /// What a request for `key` does: serve what is kept, render (and keep), or wait for the
    /// render another request has under way. `signed_in` readers are never served a stale
    /// copy, so that whoever made a change sees it. Call only when [`RenderCache::usable`].
    pub async fn turn(&self, key: &str, signed_in: bool) -> Turn<'_> {
        let kept = self.entries.get(key);
        if let Some(entry) = &kept
            && !entry.is_stale()
        {
            self.counters.hits.fetch_add(1, Ordering::Relaxed);
            return Turn::Serve(Arc::clone(entry));
        }
        let under_way = {
            let mut rendering = self.lock_rendering();
            match rendering.get(key) {
                Some(receiver) => receiver.clone(),
                None => {
                    let (done, receiver) = watch::channel(());
                    rendering.insert(key.to_owned(), receiver);
                    return Turn::Render(Rendering {
                        cache: self,
                        key: key.to_owned(),
                        _done: done,
                    });
                }
            }
        };
        match kept {
            Some(_) if signed_in => Turn::RenderAlone,
            Some(entry) => {
                self.counters.stale.fetch_add(1, Ordering::Relaxed);
                Turn::Serve(entry)
            }
            None => {
                let mut under_way = under_way;
                // Ends when the render's turn is dropped (the sender goes).
                let _ = tokio::time::timeout(SHARE_WAIT, under_way.changed()).await;
                match self.get(key) {
                    Some(entry) if !entry.is_stale() => {
                        self.counters.shared.fetch_add(1, Ordering::Relaxed);
                        Turn::Serve(entry)
                    }
                    _ => Turn::RenderAlone,
                }
            }
        }
    }

    /// Counts a render that was kept (a miss).
    pub fn missed(&self) {
        self.counters.misses.fetch_add(1, Ordering::Relaxed);
    }

    pub fn stats(&self) -> Stats {
        // The sizes are counted as pending work is done.
        self.entries.run_pending_tasks();
        Stats {
            hits: self.counters.hits.load(Ordering::Relaxed),
            stale: self.counters.stale.load(Ordering::Relaxed),
            shared: self.counters.shared.load(Ordering::Relaxed),
            misses: self.counters.misses.load(Ordering::Relaxed),
            evictions: self.counters.evictions.load(Ordering::Relaxed),
            entries: self.entries.entry_count(),
            bytes: self.entries.weighted_size(),
            capacity: self.capacity,
        }
    }

    fn lock_rendering(&self) -> std::sync::MutexGuard<'_, HashMap<String, watch::Receiver<()>>> {
        self.rendering
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// Whether a current answer is kept under `key` and would be served from memory now (for
    /// the tests, which check that a page was cached before they change what it shows).
    pub fn holds(&self, key: &str) -> bool {
        self.get(key).is_some_and(|e| !e.is_stale())
    }

    /// What was kept under `key` before the listener lost the database, however old: for
    /// when the database cannot answer (see `caching::from_cache`). Emptied on reconnection.
    pub fn stale(&self, key: &str) -> Option<Arc<Cached>> {
        if !self.enabled {
            return None;
        }
        self.entries.get(key)
    }

    /// Where renders start: pass it back to [`RenderCache::store`].
    pub fn generation(&self) -> u64 {
        self.generation.load(Ordering::Acquire)
    }

    /// Keeps `entry` unless something changed since its render began at `generation`.
    pub fn store(&self, key: String, entry: Arc<Cached>, generation: u64) {
        if self.usable() && self.generation() == generation {
            self.entries.insert(key.clone(), entry);
            // An invalidation may have slipped in between the check and the insert.
            if self.generation() != generation {
                self.entries.invalidate(&key);
            }
        }
    }

    /// The content clock as the listener last read it; `None` while it is not connected.
    pub fn clock(&self) -> Option<SystemTime> {
        if !self.online.load(Ordering::Acquire) {
            return None;
        }
        let seconds = u64::try_from(self.clock.load(Ordering::Acquire)).ok()?;
        Some(SystemTime::UNIX_EPOCH + Duration::from_secs(seconds))
    }

    fn set_clock(&self, at: OffsetDateTime) {
        self.clock.store(at.unix_timestamp(), Ordering::Release);
    }

    /// Marks every kept answer stale.
    fn forget_all(&self) {
        self.generation.fetch_add(1, Ordering::AcqRel);
        for (_, entry) in &self.entries {
            entry.mark_stale();
        }
    }

    /// Drops what a change announced as `payload` affects; `false` for a sync marker, which
    /// announces nothing.
    fn forget(&self, payload: &str) -> bool {
        if payload.starts_with("sync:") {
            if let Some(done) = self.lock_waiting().remove(payload) {
                let _ = done.send(());
            }
            return false;
        }
        // An article was scheduled or unscheduled: no page changes until its time, which the
        // caller reads next.
        if payload == "schedule" {
            return true;
        }
        let changed: HashSet<String> = payload.split(',').map(str::to_owned).collect();
        // The menu is on every page.
        if changed.contains("all") || changed.contains("menu") {
            self.forget_all();
            return true;
        }
        self.generation.fetch_add(1, Ordering::AcqRel);
        for (_, entry) in &self.entries {
            if entry
                .deps
                .as_ref()
                .is_none_or(|deps| deps.iter().any(|d| changed.contains(d)))
            {
                entry.mark_stale();
            }
        }
        true
    }

    /// Runs for the life of the process: listens for changes and keeps the cache and the
    /// clock in step with the database.
    pub async fn listen(
        self: Arc<Self>,
        pool: PgPool,
        timezone: String,
        replicas: Option<Arc<crate::db::replicas::Replicas>>,
    ) {
        // Ends when the server that owned the cache is gone (tests start many).
        while Arc::strong_count(&self) > 1 {
            self.online.store(false, Ordering::Release);
            let mut listener = match connect(&pool).await {
                Ok(listener) => listener,
                Err(e) => {
                    tracing::warn!(error = %e, "content listener cannot connect; public answers are not cached meanwhile");
                    tokio::time::sleep(RECONNECT).await;
                    continue;
                }
            };
            // Anything may have changed while nobody listened: everything kept is stale.
            if let Some(replicas) = &replicas
                && replicas.caught_up_to_primary().await.is_err()
            {
                tokio::time::sleep(RECONNECT).await;
                continue;
            }
            if self.load_menu(&pool).await.is_err() {
                tokio::time::sleep(RECONNECT).await;
                continue;
            }
            self.forget_all();
            let Ok(mut due) = self.refresh(&pool, &timezone).await else {
                tokio::time::sleep(RECONNECT).await;
                continue;
            };
            self.online.store(true, Ordering::Release);
            self.came_online.notify_waiters();
            while Arc::strong_count(&self) > 1 {
                let wait = due.map_or(Duration::from_secs(3600), |at| {
                    let left = at - OffsetDateTime::now_utc();
                    // A little after the time, so that `published_at <= now()` holds.
                    Duration::try_from(left).unwrap_or(Duration::ZERO) + Duration::from_millis(5)
                });
                tokio::select! {
                    received = listener.try_recv() => match received {
                        Ok(Some(notification)) if notification.channel() == JOBS_CHANNEL => {
                            let bell = if notification.payload() == "webhook" {
                                &self.webhooks
                            } else {
                                &self.jobs
                            };
                            if let Some(bell) = bell.upgrade() {
                                bell.notify_one();
                            }
                            continue;
                        }
                        Ok(Some(notification)) => {
                            // A new menu is read before the pages drawn with the old one go.
                            if notification.payload().split(',').any(|p| p == "menu")
                                && self.load_menu(&pool).await.is_err()
                            {
                                break;
                            }
                            // Replicas that have not replayed the change stop serving first: a page
                            // rendered again from one of them would be kept with the old text.
                            if let Some(replicas) = &replicas
                                && replicas.caught_up_to_primary().await.is_err()
                            {
                                break;
                            }
                            if !self.forget(notification.payload()) {
                                continue;
                            }
                        }
                        // The connection dropped: start again from an empty cache.
                        Ok(None) | Err(_) => break,
                    },
                    () = tokio::time::sleep(wait) => {
                        if due.is_some() {
                            self.forget_all();
                        }
                    }
                }
                match self.refresh(&pool, &timezone).await {
                    Ok(next) => due = next,
                    Err(_) => break,
                }
            }
            tracing::warn!("content listener lost its connection; reconnecting");
        }
    }

    /// Reads the clock and when pages next change by themselves (see `clock::next_scheduled`).
    async fn refresh(&self, pool: &PgPool, tz: &str) -> sqlx::Result<Option<OffsetDateTime>> {
        self.set_clock(clock::content_changed_at(pool, tz).await?);
        clock::next_scheduled(pool, tz).await
    }
}

async fn connect(pool: &PgPool) -> sqlx::Result<PgListener> {
    let mut listener = PgListener::connect_with(pool).await?;
    // A lost connection is said at once (`try_recv` gives `None`), so that the cache stops
    // trusting what it keeps; reconnecting is `listen`'s (sqlx's own retries until the
    // database is back, saying nothing meanwhile).
    listener.eager_reconnect(false);
    listener.listen_all([CHANNEL, JOBS_CHANNEL]).await?;
    Ok(listener)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn online(max_bytes: u64) -> RenderCache {
        let cache = RenderCache::new(
            true,
            max_bytes,
            std::sync::Weak::new(),
            std::sync::Weak::new(),
        );
        cache.online.store(true, Ordering::Release);
        cache
    }

    fn entry(bytes: usize, deps: Option<&[&str]>) -> Arc<Cached> {
        Arc::new(Cached::new(
            HeaderMap::new(),
            Bytes::from(vec![b'x'; bytes]),
            false,
            HeaderValue::from_static("\"e\""),
            SystemTime::UNIX_EPOCH,
            deps.map(|d| CacheDeps(d.iter().map(|s| (*s).to_owned()).collect())),
        ))
    }

    #[test]
    fn a_render_that_began_before_a_change_is_not_kept() {
        let cache = online(1 << 20);
        let began = cache.generation();
        assert!(cache.forget("article:a"));
        cache.store("id /".into(), entry(10, None), began);
        assert!(!cache.holds("id /"), "rendered from before the change");
        cache.store("id /".into(), entry(10, None), cache.generation());
        assert!(cache.holds("id /"));
    }

    #[test]
    fn a_change_drops_what_depends_on_it_and_nothing_else() {
        let cache = online(1 << 20);
        let now = cache.generation();
        cache.store("a".into(), entry(10, Some(&["article:a", "tag:t"])), now);
        cache.store("b".into(), entry(10, Some(&["article:b"])), now);
        cache.store("list".into(), entry(10, None), now);
        // Markers and scheduling drop nothing.
        assert!(!cache.forget("sync:0"));
        assert!(cache.forget("schedule"));
        assert!(cache.holds("a") && cache.holds("b") && cache.holds("list"));
        assert!(cache.forget("article:z,tag:t"));
        assert!(!cache.holds("a"), "depends on the tag");
        assert!(
            cache.stale("a").is_some(),
            "kept, as stale, until rendered afresh"
        );
        assert!(cache.holds("b"), "depends on neither");
        assert!(!cache.holds("list"), "depends on everything");
        let now = cache.generation();
        cache.store("c".into(), entry(10, Some(&["article:c"])), now);
        assert!(cache.forget("all"));
        assert!(!cache.holds("b") && !cache.holds("c"));
    }

    #[test]
    fn nothing_is_kept_or_served_while_the_listener_is_away() {
        let cache = online(1 << 20);
        cache.store("a".into(), entry(10, None), cache.generation());
        cache.online.store(false, Ordering::Release);
        assert!(
            cache.get("a").is_none(),
            "not served: changes may be missed"
        );
        assert!(cache.stale("a").is_some(), "kept for a database outage");
        cache.store("b".into(), entry(10, None), cache.generation());
        cache.online.store(true, Ordering::Release);
        assert!(!cache.holds("b"), "not stored while away");
    }

    #[tokio::test]
    async fn a_changed_page_is_rendered_by_one_reader_while_the_others_get_the_old_copy() {
        let cache = online(1 << 20);
        cache.store("/".into(), entry(10, None), cache.generation());
        assert!(matches!(cache.turn("/", false).await, Turn::Serve(e) if !e.is_stale()));
        assert!(cache.forget("article:a"));
        let Turn::Render(rendering) = cache.turn("/", false).await else {
            panic!("the first reader after the change renders it");
        };
        assert!(
            matches!(cache.turn("/", false).await, Turn::Serve(e) if e.is_stale()),
            "another reader meanwhile gets the old copy"
        );
        assert!(
            matches!(cache.turn("/", true).await, Turn::RenderAlone),
            "someone signed in (who may have made the change) sees it"
        );
        cache.store("/".into(), entry(12, None), cache.generation());
        drop(rendering);
        assert!(matches!(
            cache.turn("/", false).await,
            Turn::Serve(e) if !e.is_stale() && e.kept_body().len() == 12
        ));
        let stats = cache.stats();
        assert_eq!((stats.hits, stats.stale), (2, 1));
    }

    #[tokio::test]
    async fn readers_of_a_page_not_kept_wait_for_the_render_under_way() {
        let cache = online(1 << 20);
        let Turn::Render(rendering) = cache.turn("/tags/ia", false).await else {
            panic!("the first reader renders");
        };
        let waiting = cache.turn("/tags/ia", false);
        let rendered = async {
            tokio::task::yield_now().await;
            cache.store("/tags/ia".into(), entry(10, None), cache.generation());
            drop(rendering);
        };
        let (turn, ()) = tokio::join!(waiting, rendered);
        assert!(matches!(turn, Turn::Serve(e) if !e.is_stale()));
        assert_eq!(cache.stats().shared, 1);
        // A render that keeps nothing (an error page) lets the others render for themselves.
        let Turn::Render(rendering) = cache.turn("/tags/vide", false).await else {
            panic!("the first reader renders");
        };
        let (turn, ()) = tokio::join!(cache.turn("/tags/vide", false), async {
            tokio::task::yield_now().await;
            drop(rendering);
        });
        assert!(matches!(turn, Turn::RenderAlone));
    }

    #[test]
    fn a_compressed_page_is_inflated_for_a_client_that_takes_no_compression() {
        use std::io::Write as _;
        let page = "<p>Le règlement européen sur l’IA</p>".repeat(100);
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        gz.write_all(page.as_bytes()).unwrap();
        let kept = Cached::new(
            HeaderMap::new(),
            Bytes::from(gz.finish().unwrap()),
            true,
            HeaderValue::from_static("\"e\""),
            SystemTime::UNIX_EPOCH,
            None,
        );
        assert!(kept.kept_body().len() < page.len() / 4);
        assert_eq!(kept.plain_body().unwrap(), Bytes::from(page));
    }

    #[test]
    fn the_cache_stays_within_its_bytes() {
        let bound: u64 = 64 * 1024;
        let cache = online(bound);
        for i in 0..100 {
            cache.store(format!("id /{i}"), entry(4096, None), cache.generation());
        }
        cache.entries.run_pending_tasks();
        assert!(
            cache.entries.weighted_size() <= bound,
            "{} bytes kept",
            cache.entries.weighted_size()
        );
        let kept = (0..100)
            .filter(|i| cache.holds(&format!("id /{i}")))
            .count();
        assert!(kept > 0 && kept < 100, "{kept} of 100 kept");
        assert!(cache.stats().evictions > 0, "evictions are counted");
        // An answer larger than the whole cache is never kept.
        cache.store(
            "id /big".into(),
            entry(100 * 1024, None),
            cache.generation(),
        );
        cache.entries.run_pending_tasks();
        assert!(!cache.holds("id /big"));
    }
}

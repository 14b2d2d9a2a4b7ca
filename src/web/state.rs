//! What every handler can reach ([`AppState`]): the pool, the settings, the render cache, and
//! the bounded slots that keep slow work (password hashing, Markdown rendering) off the async
//! threads. It depends on nothing else of the web side but the render cache.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use sqlx::PgPool;
use tokio::sync::Semaphore;

use super::render_cache;
use crate::config::Config;

/// What every handler can reach: one reference-counted [`Shared`], so that the many copies the
/// router's layers take of it per request cost one count each, not one per field.
#[derive(Clone)]
pub struct AppState(Arc<Shared>);

impl std::ops::Deref for AppState {
    type Target = Shared;

    fn deref(&self) -> &Shared {
        &self.0
    }
}

/// What [`AppState`] holds.
pub struct Shared {
    /// The primary: every write, and every read but public ones (see [`AppState::reads`]).
    pub pool: PgPool,
    /// `DATABASE_READ_URL`'s replicas, when there are any.
    pub(super) replicas: Option<Arc<crate::db::replicas::Replicas>>,
    pub config: Arc<Config>,
    /// At most one password hash per core at a time, off the async threads.
    hashing: Arc<Semaphore>,
    /// At most one Markdown render per core at a time, off the async threads.
    rendering: Arc<Semaphore>,
    /// `VIGIE_TIMEZONE`, for the dates people read.
    pub(super) zone: Arc<crate::domain::zone::Zone>,
    /// Rendered public answers, kept coherent by the content listener.
    pub(super) cache: Arc<render_cache::RenderCache>,
    /// What `/metrics` tells (see `web::metrics`).
    pub(super) metrics: Arc<super::metrics::Metrics>,
    /// Set when shutdown has begun: `/readyz` then fails, so load balancers move on.
    draining: Arc<AtomicBool>,
    /// Where media files are kept.
    pub media: crate::media::MediaStore,
    /// Image decoding (uploads and renditions), off the async threads: one slot per core but
    /// one, at most two (a large picture takes hundreds of megabytes while decoded).
    pub(crate) images: Arc<Semaphore>,
    /// The background worker's bell; the worker ends when the last state is dropped.
    jobs: Arc<tokio::sync::Notify>,
    /// The webhook deliverer's bell; it too ends with the last state.
    webhooks: Arc<tokio::sync::Notify>,
    /// Set when an SMTP server is (`VIGIE_SMTP_URL`): mail is queued only then.
    pub mailer: Option<crate::mail::Mailer>,
}

/// How long a sign-in or a render waits for a slot before the server says it is busy.
const BLOCKING_QUEUE: Duration = Duration::from_secs(10);

impl AppState {
    /// The state of a server; starts the content listener and the background worker (so:
    /// inside the Tokio runtime). Fails if the media store cannot be opened or the mail server's
    /// address cannot be used.
    pub fn new(pool: PgPool, config: Config) -> anyhow::Result<Self> {
        let cores = std::thread::available_parallelism().map_or(2, std::num::NonZero::get);
        // Computed now, not on the first sign-in (on an async thread, doubling its time).
        std::sync::LazyLock::force(&crate::domain::password::DECOY_HASH);
        let replicas = if config.database_read_urls.is_empty() {
            None
        } else {
            let urls: Vec<&str> = config
                .database_read_urls
                .iter()
                .map(|u| u.expose())
                .collect();
            let replicas = crate::db::replicas::Replicas::open(
                pool.clone(),
                &urls,
                crate::db::PoolLimits::from_config(&config),
                config.replica_max_lag,
            )?;
            tokio::spawn(Arc::clone(&replicas).watch());
            Some(replicas)
        };
        let jobs = Arc::new(tokio::sync::Notify::new());
        let webhooks = Arc::new(tokio::sync::Notify::new());
        let cache = Arc::new(render_cache::RenderCache::new(
            config.render_cache,
            config.render_cache_bytes,
            Arc::downgrade(&jobs),
            Arc::downgrade(&webhooks),
        ));
        tokio::spawn(Arc::clone(&cache).listen(
            pool.clone(),
            config.timezone.clone(),
            replicas.clone(),
        ));
        let media = crate::media::MediaStore::open(&config.media)?;
        let images = Arc::new(Semaphore::new(cores.saturating_sub(1).clamp(1, 2)));
        let mailer = crate::mail::Mailer::from_config(&config)?;
        let worker = crate::jobs::Worker {
            mailer: mailer.clone(),
            base_url: config.base_url.clone(),
            lang: config.lang,
            pool: pool.clone(),
            media: media.clone(),
            images: Arc::clone(&images),
            media_max_bytes: config.media_max_bytes,
            related_count: config.related_count,
        };
        tokio::spawn(worker.run(Arc::downgrade(&jobs)));
        let config = Arc::new(config);
        let rules = crate::webhooks::Rules {
            allow_private: config.webhook_allow_private,
            timeout: config.webhook_timeout,
            retry: config.webhook_retry,
            give_up: config.webhook_give_up,
        };
        let payloads = super::api::events::ApiPayloads {
            pool: pool.clone(),
            config: Arc::clone(&config),
        };
        let deliverer = crate::webhooks::Deliverer::new(pool.clone(), rules, Arc::new(payloads))?;
        tokio::spawn(deliverer.run(Arc::downgrade(&webhooks)));
        Ok(Self(Arc::new(Shared {
            mailer,
            jobs,
            webhooks,
            media,
            images,
            cache,
            metrics: Arc::new(super::metrics::Metrics::new()),
            pool,
            replicas,
            zone: Arc::new(crate::domain::zone::Zone::load(&config.timezone)),
            config,
            hashing: Arc::new(Semaphore::new(cores)),
            rendering: Arc::new(Semaphore::new(cores)),
            draining: Arc::new(AtomicBool::new(false)),
        })))
    }

    /// The pool the current request's public reads use: a read replica the reads layer chose
    /// for a reader's public GET (see `web::reads`), else the primary.
    pub fn reads(&self) -> PgPool {
        super::reads::current(&self.pool)
    }

    /// Wakes this instance's background worker at once (a job was just committed here; other
    /// instances hear of it through PostgreSQL).
    pub fn job_added(&self) {
        self.jobs.notify_one();
    }

    /// Wakes this instance's webhook deliverer at once (a delivery was just committed here).
    pub fn delivery_added(&self) {
        self.webhooks.notify_one();
    }

    /// Where readers fetch media files: `VIGIE_MEDIA_BASE_URL`, or this site's `/media`.
    pub fn media_base(&self) -> String {
        media_base(&self.config)
    }

    /// The library images `ids`, as pages show them (those whose renditions are made).
    pub async fn pictures(
        &self,
        ids: &[uuid::Uuid],
    ) -> Result<std::collections::HashMap<uuid::Uuid, crate::media::picture::Shown>, sqlx::Error>
    {
        let pictures = crate::store::media::pictures(&self.reads(), ids).await?;
        Ok(crate::media::picture::by_id(&pictures, &self.media_base()))
    }

    /// A rendered body with its library images written out as readers get them
    /// (`<picture>`, figures), and the featured image `featured`, for the staff's previews.
    pub async fn as_readers_see(
        &self,
        rendered: crate::domain::markdown::Rendered,
        featured: Option<uuid::Uuid>,
    ) -> Result<(String, Option<crate::media::picture::Shown>), sqlx::Error> {
        let mut ids = rendered.image_ids;
        ids.extend(featured);
        let images = self.pictures(&ids).await?;
        let html = crate::media::picture::expand(
            &rendered.html,
            &images,
            crate::media::picture::Style::Page,
        );
        Ok((html, featured.and_then(|id| images.get(&id).cloned())))
    }

    /// Image work (deciding what an upload is) on a blocking thread, in the image slots.
    pub async fn image_work<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, Busy> {
        blocking(&self.images, work).await
    }

    /// From now on `/readyz` says this instance is going away (requests are still served).
    pub fn start_draining(&self) {
        self.draining.store(true, Ordering::Relaxed);
    }

    pub fn is_draining(&self) -> bool {
        self.draining.load(Ordering::Relaxed)
    }

    /// Runs slow password work (`argon2`) on a blocking thread, at most one per core at once,
    /// so a flood of sign-ins queues here instead of starving every other request.
    pub(super) async fn hash_work<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, Busy> {
        blocking(&self.hashing, work).await
    }

    /// How many render slots are free now (for the tests, which check that a render holds its
    /// slot to the end).
    pub fn free_render_slots(&self) -> usize {
        self.rendering.available_permits()
    }

    /// Renders an article body (`markdown` written in `lang`) on a blocking thread, at most one
    /// per core at once: the async threads stay free for every other request while a long
    /// body is rendered. Callers keep bodies within `VIGIE_MAX_BODY`.
    pub async fn render(
        &self,
        markdown: &str,
        lang: crate::domain::Lang,
    ) -> Result<crate::domain::markdown::Rendered, Busy> {
        let markdown = markdown.to_owned();
        let site = self.config.base_url.clone();
        blocking(&self.rendering, move || {
            crate::domain::markdown::render(&markdown, &site, lang)
        })
        .await
    }

    /// Text work a long article makes slow (a merge, a diff), on a blocking thread in the same
    /// bounded slots as rendering.
    pub async fn text_work<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, Busy> {
        blocking(&self.rendering, work).await
    }

    /// Turns HTML pasted into the editor into Markdown (see `transfer::paste`), in the same
    /// bounded slots as rendering: both are text work a user's input can make long.
    pub async fn pasted_markdown(&self, html: String) -> Result<String, Busy> {
        blocking(&self.rendering, move || {
            crate::transfer::paste::to_markdown_pasted(&html)
        })
        .await
    }

    /// Returns once this instance's render cache has seen every change committed so far;
    /// `false` if that could not be confirmed (see [`render_cache::RenderCache::sync`]).
    pub async fn sync_content(&self) -> bool {
        self.cache.sync(&self.pool).await
    }

    /// Whether the content listener is connected, so that this instance caches and hears of
    /// every change.
    pub fn content_listener_connected(&self) -> bool {
        self.cache.is_connected()
    }

    /// Returns once the content listener is connected.
    pub async fn content_listener(&self) {
        self.cache.connected().await;
    }
}

/// Where readers fetch media files: `VIGIE_MEDIA_BASE_URL`, or this site's `/media`.
pub(crate) fn media_base(config: &Config) -> String {
    match &config.media_base_url {
        Some(base) if base.starts_with('/') => format!("{}{base}", config.base_url),
        Some(base) => base.clone(),
        None => format!("{}/media", config.base_url),
    }
}

/// Runs `work` on a blocking thread once one of `slots` is free; waiting more than
/// [`BLOCKING_QUEUE`] for one answers 503 instead of piling requests up. The slot goes with the
/// work, not with the request: a client that hangs up (or a request that times out) drops
/// the request, but the work it started runs on and keeps its slot until it ends.
async fn blocking<T: Send + 'static>(
    slots: &Arc<Semaphore>,
    work: impl FnOnce() -> T + Send + 'static,
) -> Result<T, Busy> {
    let permit = tokio::time::timeout(BLOCKING_QUEUE, Arc::clone(slots).acquire_owned())
        .await
        .map_err(|_| Busy)?
        .map_err(|_| Busy)?;
    tokio::task::spawn_blocking(move || {
        let _slot = permit;
        work()
    })
    .await
    .map_err(|_| Busy)
}

/// No slot for slow work came free in time (or the work could not finish): the server is
/// busy, and the request may be tried again shortly (503, see `AppError::Busy`).
#[derive(Debug, Clone, Copy, thiserror::Error)]
#[error("no free slot for slow work")]
pub struct Busy;

//! The HTTP side: shared state, the router with its middleware stack in one readable place,
//! and serving with graceful shutdown.

mod admin;
mod api;
mod assets;
pub mod auth;
mod caching;
mod editor;
pub mod error;
mod health;
mod i18n;
mod public;
pub(crate) mod render_cache;
pub mod routes;
mod same_origin;
mod serve;

pub use serve::serve;

/// The parts of request handling that read raw client input, for the fuzz targets (`fuzz/`).
pub mod fuzzing {
    pub use super::caching::{Coding, wanted_coding};
    pub use super::public::search_words;
}

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::extract::{MatchedPath, Request};
use axum::http::{HeaderName, HeaderValue, StatusCode, header};
use axum::middleware::from_fn_with_state;
use sqlx::PgPool;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;
use tower::ServiceBuilder;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::compression::CompressionLayer;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::sensitive_headers::SetSensitiveRequestHeadersLayer;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

use crate::config::Config;
pub use error::AppError;
use i18n::Words;

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    pub pool: PgPool,
    pub config: Arc<Config>,
    /// At most one password hash per core at a time, off the async threads.
    hashing: Arc<Semaphore>,
    /// At most one Markdown render per core at a time, off the async threads.
    rendering: Arc<Semaphore>,
    /// `VIGIE_TIMEZONE`, for the dates people read.
    zone: Arc<crate::domain::zone::Zone>,
    /// Rendered public answers, kept coherent by the content listener.
    cache: Arc<render_cache::RenderCache>,
    /// Set when shutdown has begun: `/readyz` then fails, so load balancers move on.
    draining: Arc<AtomicBool>,
}

/// How long a sign-in or a render waits for a slot before the server says it is busy.
const BLOCKING_QUEUE: Duration = Duration::from_secs(10);

impl AppState {
    /// The state of a server; starts the content listener (so: inside the Tokio runtime).
    pub fn new(pool: PgPool, config: Config) -> Self {
        let cores = std::thread::available_parallelism().map_or(2, std::num::NonZero::get);
        // Computed now, not on the first sign-in (on an async thread, doubling its time).
        std::sync::LazyLock::force(&crate::domain::password::DECOY_HASH);
        let cache = Arc::new(render_cache::RenderCache::new(
            config.render_cache,
            config.render_cache_bytes,
        ));
        tokio::spawn(Arc::clone(&cache).listen(pool.clone()));
        Self {
            cache,
            pool,
            zone: Arc::new(crate::domain::zone::Zone::load(&config.timezone)),
            config: Arc::new(config),
            hashing: Arc::new(Semaphore::new(cores)),
            rendering: Arc::new(Semaphore::new(cores)),
            draining: Arc::new(AtomicBool::new(false)),
        }
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
    async fn hash_work<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, AppError> {
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
    ) -> Result<crate::domain::markdown::Rendered, AppError> {
        let markdown = markdown.to_owned();
        let site = self.config.base_url.clone();
        blocking(&self.rendering, move || {
            crate::domain::markdown::render(&markdown, &site, lang)
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

    /// Whether the render cache would serve `target` (path and query) from memory now to a
    /// client that takes no compression (for the tests: see [`render_cache::RenderCache::holds`]).
    pub fn holds(&self, target: &str) -> bool {
        self.cache.holds(&caching::plain_key(target))
    }

    /// Returns once the content listener is connected.
    pub async fn content_listener(&self) {
        self.cache.connected().await;
    }

    /// The date of `at` in words, on the newsroom's calendar and in the site's language.
    fn date_text(&self, at: time::OffsetDateTime) -> String {
        crate::domain::format_date(self.zone.local(at).date(), self.config.lang)
    }

    fn words(&self) -> &'static Words {
        Words::for_lang(self.config.lang)
    }

    /// The frame of a page titled `title`, in the site's language.
    fn page(&self, title: String) -> Page {
        Page {
            lang: self.config.lang.as_str().to_owned(),
            t: self.words(),
            title,
            description: String::new(),
            canonical: None,
            stylesheet: assets::STYLESHEET.url.as_str(),
            account: None,
        }
    }
}

impl AppState {
    /// The frame of a staff page: like [`AppState::page`], with the signed-in user's menu.
    fn page_for(&self, user: &auth::CurrentUser, title: String) -> Page {
        let mut page = self.page(title);
        page.account = Some(AccountNav {
            display_name: user.display_name.clone(),
            csrf_token: user.csrf_token().to_owned(),
            reviewer: user.may(crate::domain::Permission::Review),
            auditor: user.may(crate::domain::Permission::ReadAudit),
        });
        page
    }
}

/// Runs `work` on a blocking thread once one of `slots` is free; waiting more than
/// [`BLOCKING_QUEUE`] for one answers 503 instead of piling requests up. The slot goes with the
/// work, not with the request: a client that hangs up (or a request that times out) drops
/// the request, but the work it started runs on and keeps its slot until it ends.
async fn blocking<T: Send + 'static>(
    slots: &Arc<Semaphore>,
    work: impl FnOnce() -> T + Send + 'static,
) -> Result<T, AppError> {
    let permit = tokio::time::timeout(BLOCKING_QUEUE, Arc::clone(slots).acquire_owned())
        .await
        .map_err(|_| AppError::Busy)?
        .map_err(|_| AppError::Busy)?;
    tokio::task::spawn_blocking(move || {
        let _slot = permit;
        work()
    })
    .await
    .map_err(|_| AppError::Busy)
}

/// The signed-in user's corner of the header: their name and a sign-out button.
pub struct AccountNav {
    pub display_name: String,
    pub csrf_token: String,
    /// Editors and admins get the review queue in their menu.
    pub reviewer: bool,
    /// Admins get the audit log.
    pub auditor: bool,
}

/// What `base.html` needs from every page.
pub struct Page {
    /// `<html lang>`: the site's language, or the article's own on an article page.
    pub lang: String,
    pub t: &'static Words,
    pub title: String,
    pub description: String,
    pub canonical: Option<String>,
    pub stylesheet: &'static str,
    /// Set on staff pages only; public pages look the same to everyone.
    pub account: Option<AccountNav>,
}

/// Request bodies larger than this are refused with 413 before any handler reads them: room
/// for the largest article body (form-encoded, which can double it) and the other fields.
fn body_limit(config: &Config) -> usize {
    // Form encoding turns a byte into at most three (%C3 …); the margin lets a body somewhat
    // over the limit reach the form's own message (with the text kept) instead of a bare 413.
    (config.max_body_bytes * 4 + 1024 * 1024).max(2 * 1024 * 1024)
}
/// A request that takes longer than this gets 408.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);
const CSP: &str = "default-src 'self'; img-src 'self' https:; object-src 'none'; \
                   base-uri 'none'; frame-ancestors 'none'; form-action 'self'";

/// The whole application: routes and middleware, ready to serve (tests use it as is).
pub fn router(state: AppState) -> Router {
    let x_request_id = HeaderName::from_static("x-request-id");
    let middleware = ServiceBuilder::new()
        // Cached public answers leave here, already carrying every header below.
        .layer(from_fn_with_state(state.clone(), caching::from_cache))
        .layer(SetSensitiveRequestHeadersLayer::new([
            header::AUTHORIZATION,
            header::COOKIE,
            header::SET_COOKIE,
        ]))
        // The request id is ours: one a client sends could pose as another request's in logs.
        .layer(axum::middleware::map_request(forget_request_id))
        .layer(SetRequestIdLayer::new(
            x_request_id.clone(),
            MakeRequestUuid,
        ))
        .layer(TraceLayer::new_for_http().make_span_with(request_span))
        .layer(PropagateRequestIdLayer::new(x_request_id))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(CSP),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::STRICT_TRANSPORT_SECURITY,
            hsts(&state.config),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::REFERRER_POLICY,
            HeaderValue::from_static("strict-origin-when-cross-origin"),
        ))
        .layer(CompressionLayer::new())
        .layer(from_fn_with_state(state.clone(), error::render_error_pages))
        .layer(from_fn_with_state(state.clone(), settle_writes))
        // Cross-site form posts are refused (Origin / Sec-Fetch-Site), before any handler.
        .layer(from_fn_with_state(state.clone(), same_origin::check))
        .layer(CatchPanicLayer::custom(error::panic_response))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            REQUEST_TIMEOUT,
        ))
        .layer(RequestBodyLimitLayer::new(body_limit(&state.config)))
        // Extractors have their own 2 MB default; they follow the same limit.
        .layer(DefaultBodyLimit::max(body_limit(&state.config)));

    routes::add_all(Router::new(), &state)
        .fallback(public::old_address)
        .layer(middleware)
        .with_state(state)
}

async fn forget_request_id(mut req: Request) -> Request {
    req.headers_mut().remove("x-request-id");
    req
}

/// After a write, waits until this instance's render cache has taken in what it changed, so
/// that the person who made a change sees it on their next page (other instances follow
/// within moments, through the same notifications).
async fn settle_writes(
    axum::extract::State(state): axum::extract::State<AppState>,
    req: Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    let write = !matches!(
        *req.method(),
        axum::http::Method::GET | axum::http::Method::HEAD | axum::http::Method::OPTIONS
    );
    let response = next.run(req).await;
    if write && !response.status().is_server_error() {
        state.sync_content().await;
    }
    response
}

/// Browsers must keep to HTTPS for two years once they have seen the site over it; nothing
/// is said over plain HTTP (the header would be ignored there anyway).
fn hsts(config: &Config) -> Option<HeaderValue> {
    config
        .https()
        .then(|| HeaderValue::from_static("max-age=63072000; includeSubDomains"))
}

/// One span per request: method, route (never the raw URL, whose query may hold a token) and
/// request id.
fn request_span(req: &Request) -> tracing::Span {
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map_or("(unmatched)", MatchedPath::as_str);
    let id = req
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("-");
    tracing::info_span!("request", method = %req.method(), route, request_id = id)
}

/// Binds `addr` (port 0 picks a free one) and returns the listener with its real address.
pub async fn bind(addr: SocketAddr) -> std::io::Result<(TcpListener, SocketAddr)> {
    let listener = TcpListener::bind(addr).await?;
    let local = listener.local_addr()?;
    Ok((listener, local))
}

/// What asked us to stop.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stop {
    /// Ctrl-C: a person at a terminal, who wants it to stop now.
    Interrupt,
    /// SIGTERM: an orchestrator or service manager, which can wait for a graceful exit.
    Terminate,
}

/// Starts listening for Ctrl-C (SIGINT) and SIGTERM now; the future completes on either.
pub fn shutdown_signal() -> std::io::Result<impl std::future::Future<Output = Stop> + Send + 'static>
{
    use tokio::signal::unix::{SignalKind, signal};
    let mut interrupt = signal(SignalKind::interrupt())?;
    let mut terminate = signal(SignalKind::terminate())?;
    Ok(async move {
        tokio::select! {
            _ = interrupt.recv() => Stop::Interrupt,
            _ = terminate.recv() => Stop::Terminate,
        }
    })
}

//! The HTTP side: shared state, the router with its middleware stack in one readable place,
//! and serving with graceful shutdown.

mod assets;
pub mod error;
mod health;
mod i18n;
mod public;
mod serve;

pub use serve::serve;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::{MatchedPath, Request};
use axum::http::{HeaderName, HeaderValue, StatusCode, header};
use axum::middleware::from_fn_with_state;
use axum::routing::get;
use sqlx::PgPool;
use tokio::net::TcpListener;
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
}

impl AppState {
    pub fn new(pool: PgPool, config: Config) -> Self {
        Self {
            pool,
            config: Arc::new(config),
        }
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
            stylesheet: assets::STYLESHEET_URL.as_str(),
        }
    }
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
}

/// Request bodies larger than this are refused with 413 before any handler reads them.
const BODY_LIMIT: usize = 2 * 1024 * 1024;
/// A request that takes longer than this gets 408.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);
const CSP: &str = "default-src 'self'; img-src 'self' https:; object-src 'none'; \
                   base-uri 'none'; frame-ancestors 'none'; form-action 'self'";

/// The whole application: routes and middleware, ready to serve (tests use it as is).
pub fn router(state: AppState) -> Router {
    let x_request_id = HeaderName::from_static("x-request-id");
    let middleware = ServiceBuilder::new()
        .layer(SetSensitiveRequestHeadersLayer::new([
            header::AUTHORIZATION,
            header::COOKIE,
            header::SET_COOKIE,
        ]))
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
        .layer(SetResponseHeaderLayer::overriding(
            header::REFERRER_POLICY,
            HeaderValue::from_static("strict-origin-when-cross-origin"),
        ))
        .layer(CompressionLayer::new())
        .layer(from_fn_with_state(state.clone(), error::render_error_pages))
        .layer(CatchPanicLayer::custom(error::panic_response))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            REQUEST_TIMEOUT,
        ))
        .layer(RequestBodyLimitLayer::new(BODY_LIMIT));

    Router::new()
        .merge(public::routes())
        .route("/healthz", get(health::alive))
        .route("/readyz", get(health::ready))
        .route("/static/vigie.css", get(assets::stylesheet))
        .fallback(error::not_found)
        .layer(middleware)
        .with_state(state)
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

/// Starts listening for Ctrl-C (SIGINT) and SIGTERM now; the future completes on either.
pub fn shutdown_signal() -> std::io::Result<impl std::future::Future<Output = ()> + Send + 'static>
{
    use tokio::signal::unix::{SignalKind, signal};
    let mut interrupt = signal(SignalKind::interrupt())?;
    let mut terminate = signal(SignalKind::terminate())?;
    Ok(async move {
        tokio::select! {
            _ = interrupt.recv() => {}
            _ = terminate.recv() => {}
        }
        tracing::info!("shutting down: finishing requests in flight");
    })
}

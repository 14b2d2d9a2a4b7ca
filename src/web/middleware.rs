//! The router and its middleware stack, in one readable place: metrics, caching, sensitive headers,
//! request ids and spans, security headers, compression, error pages, write settling,
//! same-origin checks, panics, timeouts and body limits.

use std::time::Duration;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::extract::{MatchedPath, Request};
use axum::http::{HeaderName, HeaderValue, StatusCode, header};
use axum::middleware::from_fn_with_state;
use axum::response::IntoResponse;
use tower::ServiceBuilder;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::compression::CompressionLayer;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::sensitive_headers::SetSensitiveRequestHeadersLayer;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::TraceLayer;

use super::{AppState, caching, error, metrics, public, routes, same_origin};
use crate::config::Config;

/// Request bodies larger than this are refused with 413 before any handler reads them: room
/// for the largest article body (form-encoded, which can double it) and the other fields.
fn body_limit(config: &Config) -> usize {
    // Form encoding turns a byte into at most three (%C3 …); the margin lets a body somewhat
    // over the limit reach the form's own message (with the text kept) instead of a bare 413.
    (config.max_body_bytes * 4 + 1024 * 1024).max(2 * 1024 * 1024)
}
/// A request that takes longer than this gets 408.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);
/// An image upload may take longer: 20 MB over a slow uplink (5 Mbit/s) is 32 s of sending.
const UPLOAD_TIMEOUT: Duration = Duration::from_secs(300);
// `blob:` images: the editor's preview of a picture about to be sent (a URL only this page's
// own script can make).
const CSP: &str = "default-src 'self'; img-src 'self' https: blob:; object-src 'none'; \
                   base-uri 'none'; frame-ancestors 'none'; form-action 'self'";

/// The whole application: routes and middleware, ready to serve (tests use it as is).
pub fn router(state: AppState) -> Router {
    let x_request_id = HeaderName::from_static("x-request-id");
    let middleware = ServiceBuilder::new()
        // Every request is timed by its route, cached or not.
        .layer(from_fn_with_state(
            std::sync::Arc::clone(&state.metrics),
            metrics::record,
        ))
        // Cached public answers leave here, already carrying every header below.
        .layer(from_fn_with_state(
            std::sync::Arc::clone(&state.cache),
            caching::from_cache,
        ))
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
        // A failure is logged once, where it happens (`AppError`, `ApiError`, the panic
        // handler), with what it was; tower-http's own failure log would say it again.
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(request_span)
                .on_failure(()),
        )
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
        // A page may ask for less (a preview link's: no referrer at all).
        .layer(SetResponseHeaderLayer::if_not_present(
            header::REFERRER_POLICY,
            HeaderValue::from_static("strict-origin-when-cross-origin"),
        ))
        // Text-and-data-mining rights reserved (W3C TDMRep), unless an answer says otherwise.
        .layer(from_fn_with_state(state.clone(), public::tdm_header))
        .layer(CompressionLayer::new())
        .layer(from_fn_with_state(state.clone(), error::render_error_pages))
        .layer(from_fn_with_state(state.clone(), settle_writes))
        // Cross-site form posts are refused (Origin / Sec-Fetch-Site), before any handler.
        .layer(from_fn_with_state(state.clone(), same_origin::check))
        .layer(CatchPanicLayer::custom(error::panic_response))
        .layer(axum::middleware::from_fn(time_limit))
        // The largest request of all: an image upload. Extractors have their own limit
        // below, which only the upload routes raise (see `routes`).
        .layer(RequestBodyLimitLayer::new(
            body_limit(&state.config).max(
                usize::try_from(state.config.media_max_bytes)
                    .unwrap_or(usize::MAX)
                    .saturating_add(1 << 20),
            ),
        ))
        .layer(DefaultBodyLimit::max(body_limit(&state.config)));

    routes::add_all(Router::new(), &state)
        .fallback(public::old_address)
        .layer(middleware)
        .with_state(state)
}

/// 408 for a request that takes longer than [`REQUEST_TIMEOUT`] ([`UPLOAD_TIMEOUT`] for the
/// routes that take a file, whose sending counts).
async fn time_limit(req: Request, next: axum::middleware::Next) -> axum::response::Response {
    let limit = if req.method() == axum::http::Method::POST && routes::takes_file(req.uri().path())
    {
        UPLOAD_TIMEOUT
    } else {
        REQUEST_TIMEOUT
    };
    match tokio::time::timeout(limit, next.run(req)).await {
        Ok(response) => response,
        Err(_) => StatusCode::REQUEST_TIMEOUT.into_response(),
    }
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

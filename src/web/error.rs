//! One error type for every handler, and the site's error pages.
//!
//! A handler returns [`AppError`]; its response carries only a status and an [`ErrorPage`]
//! marker. The [`render_error_pages`] middleware turns the marker (and the bare error responses
//! of the layers: timeouts, panics, oversized bodies) into the site's HTML page, in the site's
//! language, revealing nothing internal.

use askama::Template;
use axum::extract::{FromRequestParts, Path, Request, State};
use axum::http::request::Parts;
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Response};

use super::{AppState, Page};

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// 404: no such page, or not one readers may see.
    #[error("not found")]
    NotFound,
    /// 400: the request itself is wrong; the message says how, in the site's language.
    #[error("bad request: {0}")]
    BadRequest(String),
    /// 410: taken down on purpose; the message says so.
    #[error("gone")]
    Gone(String),
    /// 409: the thing changed since the user looked at it; the message says what to do.
    #[error("conflict: {0}")]
    Conflict(String),
    /// 403: signed in, but this is not theirs to do; or a form without its CSRF token.
    #[error("forbidden")]
    Forbidden,
    /// 429: too many failed sign-ins; try again after this long.
    #[error("throttled for {0:?}")]
    Throttled(std::time::Duration),
    /// 503: too much password hashing queued; try again shortly.
    #[error("busy")]
    Busy,
    /// 503 when the database is unavailable (see [`unavailable`]), else 500.
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    /// 500: a template failed to render.
    #[error("template error: {0}")]
    Template(#[from] askama::Error),
    /// 503: the media store (folder or S3 bucket) could not be read or written.
    #[error("media store: {0:#}")]
    Storage(anyhow::Error),
}

impl From<super::Busy> for AppError {
    fn from(_: super::Busy) -> Self {
        AppError::Busy
    }
}

/// Marks a response whose body the error-page middleware must write.
#[derive(Debug, Clone)]
pub struct ErrorPage {
    /// What to tell the reader, when there is more to say than the status.
    pub message: Option<String>,
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let (status, message) = match &self {
            AppError::NotFound => (StatusCode::NOT_FOUND, None),
            AppError::BadRequest(message) => (StatusCode::BAD_REQUEST, Some(message.clone())),
            AppError::Forbidden => (StatusCode::FORBIDDEN, None),
            AppError::Conflict(message) => (StatusCode::CONFLICT, Some(message.clone())),
            AppError::Gone(message) => (StatusCode::GONE, Some(message.clone())),
            AppError::Throttled(wait) => {
                let mut response = StatusCode::TOO_MANY_REQUESTS.into_response();
                let seconds = wait.as_secs().max(1).to_string();
                if let Ok(value) = header::HeaderValue::from_str(&seconds) {
                    response.headers_mut().insert(header::RETRY_AFTER, value);
                }
                response
                    .extensions_mut()
                    .insert(ErrorPage { message: None });
                response
                    .extensions_mut()
                    .insert(super::metrics::Counted::SignInThrottled);
                return response;
            }
            AppError::Database(e) if unavailable(e) => {
                // Not a bug: the database is restarting, unreachable or overloaded.
                tracing::warn!(error = %e, "database unavailable");
                let mut response = try_again_soon();
                if let Some(counted) = counted(e) {
                    response.extensions_mut().insert(counted);
                }
                if read_elsewhere(e) {
                    response.extensions_mut().insert(ReadFailed);
                }
                return response;
            }
            AppError::Busy => {
                tracing::warn!("no free slot for slow work: answered 503");
                return try_again_soon();
            }
            AppError::Storage(e) => {
                tracing::error!(error = %format!("{e:#}"), "media store unavailable");
                return try_again_soon();
            }
            AppError::Database(e) if read_elsewhere(e) => {
                tracing::warn!(error = %e, "read cancelled by the replica");
                let mut response = try_again_soon();
                response.extensions_mut().insert(ReadFailed);
                return response;
            }
            AppError::Database(_) | AppError::Template(_) => {
                // Logged here, inside the request's span, and never shown.
                tracing::error!(error = %self, "request failed");
                (StatusCode::INTERNAL_SERVER_ERROR, None)
            }
        };
        let mut response = status.into_response();
        response.extensions_mut().insert(ErrorPage { message });
        response
    }
}

/// 503 with `Retry-After: 5`: nothing is wrong with the request; in a few seconds it may work.
fn try_again_soon() -> Response {
    let mut response = StatusCode::SERVICE_UNAVAILABLE.into_response();
    response
        .headers_mut()
        .insert(header::RETRY_AFTER, header::HeaderValue::from_static("5"));
    response
        .extensions_mut()
        .insert(ErrorPage { message: None });
    response
}

/// Whether `e` says the database cannot be used right now (it went away, is starting or
/// stopping, refuses connections, or a statement ran out of time) rather than that the request
/// or the code is wrong: such a request may well succeed a few seconds later.
pub fn unavailable(e: &sqlx::Error) -> bool {
    match e {
        sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::Io(_)
        | sqlx::Error::Tls(_)
        | sqlx::Error::WorkerCrashed => true,
        sqlx::Error::Database(db) => db.code().is_some_and(|code| {
            // 08: connection exception; 57P01-03: admin shutdown, crash shutdown, cannot
            // connect now; 57014: statement timeout; 53300: too many connections.
            code.starts_with("08") || code.starts_with("57P") || code == "57014" || code == "53300"
        }),
        _ => false,
    }
}

/// Set on the answer to a read that failed for want of a database, or that a replica
/// cancelled: on a read replica, the primary may answer it instead (see `web::reads`).
#[derive(Debug, Clone, Copy)]
pub struct ReadFailed;

/// Whether a read that failed with `e` on a replica may be asked of another database: the
/// replica is unreachable, shutting down or refusing connections, or cancelled the statement
/// for a conflict with what it replays (40001). Not a statement timeout (57014): the query
/// itself is slow, and would be as slow on the primary.
pub fn read_elsewhere(e: &sqlx::Error) -> bool {
    let recovery_conflict =
        matches!(e, sqlx::Error::Database(db) if db.code().is_some_and(|c| c == "40001"));
    recovery_conflict
        || (unavailable(e) && counted(e) != Some(super::metrics::Counted::StatementTimeout))
}

/// What a database error counts as in the metrics: a statement or a wait for a connection
/// that ran out of time.
pub fn counted(e: &sqlx::Error) -> Option<super::metrics::Counted> {
    match e {
        sqlx::Error::PoolTimedOut => Some(super::metrics::Counted::ConnectionTimeout),
        sqlx::Error::Database(db) if db.code().is_some_and(|c| c == "57014") => {
            Some(super::metrics::Counted::StatementTimeout)
        }
        _ => None,
    }
}

/// Path parameters (an id, or an id and a number) that must parse: `/editor/articles/123abc`
/// names no page that could exist, so it gets the 404 page, like any unknown address, rather
/// than axum's plain 400.
#[derive(Debug)]
pub struct PathId<T>(pub T);

impl<S: Send + Sync, T: serde::de::DeserializeOwned + Send> FromRequestParts<S> for PathId<T> {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, AppError> {
        match Path::<T>::from_request_parts(parts, state).await {
            Ok(Path(value)) => Ok(Self(value)),
            Err(_) => Err(AppError::NotFound),
        }
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorTemplate {
    page: Page,
    heading: &'static str,
    message: String,
}

/// Writes the site's error page into every error response that is not already a page: ours
/// (marked), the layers' empty ones (timeout, panic, body limit) and axum's plain-text
/// extractor rejections alike.
pub async fn render_error_pages(
    State(state): State<AppState>,
    req: Request,
    next: Next,
) -> Response {
    let api = req.uri().path().starts_with("/api/");
    let response = next.run(req).await;
    let status = response.status();
    let is_error = status.is_client_error() || status.is_server_error();
    let already_a_page = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| {
            ct.starts_with("text/html")
                || ct.starts_with("application/json")
                || ct.starts_with("application/problem+json")
        });
    if !is_error || already_a_page || response.extensions().get::<Verbatim>().is_some() {
        return response;
    }
    // The API's programs get a problem detail, whatever answered (a body too large, a time
    // limit): never the site's HTML page.
    if api {
        let mut problem = super::api::problem(status);
        for name in [header::RETRY_AFTER, header::WWW_AUTHENTICATE] {
            if let Some(value) = response.headers().get(&name) {
                problem.headers_mut().insert(name, value.clone());
            }
        }
        return problem;
    }
    let marker = response.extensions().get::<ErrorPage>().cloned();
    let words = state.words();
    let (heading, default_message) = words.error(status);
    let template = ErrorTemplate {
        page: state.page(heading.to_owned()),
        heading,
        message: marker
            .and_then(|m| m.message)
            .unwrap_or_else(|| default_message.to_owned()),
    };
    let (mut parts, _) = response.into_parts();
    // The old body's headers would override the page's own.
    parts.headers.remove(header::CONTENT_LENGTH);
    parts.headers.remove(header::CONTENT_TYPE);
    match template.render() {
        Ok(html) => (parts, Html(html)).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "error page failed to render");
            (parts, heading).into_response()
        }
    }
}

/// Marks an error response whose own body is the answer (e.g. `/readyz` for load balancers):
/// the error-page middleware leaves it alone.
#[derive(Debug, Clone, Copy)]
pub struct Verbatim;

/// For the catch-panic layer: a bare 500 that the middleware above dresses as the error page.
pub fn panic_response(_: Box<dyn std::any::Any + Send + 'static>) -> Response {
    tracing::error!("a request handler panicked");
    StatusCode::INTERNAL_SERVER_ERROR.into_response()
}

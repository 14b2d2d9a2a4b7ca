//! The API's errors: each says what went wrong in a sentence a developer understands, as a
//! problem detail (RFC 9457, `application/problem+json`), never the site's HTML page. Database
//! failures are logged once (here, inside the request's span) and never described.

use std::collections::BTreeMap;

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::wire::ErrorBody;
use crate::web::error::unavailable;

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// 400: a parameter is not valid; the message says which and what it takes.
    #[error("bad request: {0}")]
    BadRequest(&'static str),
    /// 400 with a message made for the request.
    #[error("bad request: {0}")]
    Malformed(String),
    /// 401: no token, or not one (`WWW-Authenticate: Bearer`).
    #[error("unauthorized: {0}")]
    Unauthorized(&'static str),
    /// 401: a token that opens nothing (`error="invalid_token"`).
    #[error("invalid token: {0}")]
    InvalidToken(&'static str),
    /// 403: the token lacks the scope (`error="insufficient_scope"`).
    #[error("insufficient scope: {0}")]
    InsufficientScope(String),
    /// 403: the owner's role may not do this to this article.
    #[error("forbidden: {0}")]
    Forbidden(&'static str),
    /// 404: nothing public at this address, or no such tag or author.
    #[error("not found: {0}")]
    NotFound(&'static str),
    /// 409: the article is not where this step can start from.
    #[error("conflict: {0}")]
    Conflict(String),
    /// 410: withdrawn by the newsroom.
    #[error("gone: {0}")]
    Gone(&'static str),
    /// 412: `If-Match` names a version that is no longer the article's.
    #[error("precondition failed: {0}")]
    PreconditionFailed(String),
    /// 415: not JSON.
    #[error("unsupported media type: {0}")]
    UnsupportedMediaType(&'static str),
    /// 422: the request is understood but cannot be accepted; what is wrong with each field.
    #[error("unprocessable: {0}")]
    Unprocessable(String, BTreeMap<String, String>),
    /// 428: a change without `If-Match`.
    #[error("precondition required: {0}")]
    PreconditionRequired(&'static str),
    /// 503 with `Retry-After`: no slot for slow work came free in time.
    #[error("busy")]
    Busy,
    /// 503 with `Retry-After` when the database is unavailable for a moment, else 500.
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
}

impl From<crate::web::state::Busy> for ApiError {
    fn from(_: crate::web::state::Busy) -> Self {
        ApiError::Busy
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let retry_later = "The server is busy or the database unavailable for a moment; try again in a few seconds.";
        let (status, message, errors) = match self {
            ApiError::BadRequest(message) => (StatusCode::BAD_REQUEST, message.to_owned(), None),
            ApiError::Malformed(message) => (StatusCode::BAD_REQUEST, message, None),
            ApiError::Unauthorized(message) => {
                let mut response = body(StatusCode::UNAUTHORIZED, message.to_owned(), None);
                challenge(&mut response, r#"Bearer realm="vigie""#);
                return response;
            }
            ApiError::InvalidToken(message) => {
                let mut response = body(StatusCode::UNAUTHORIZED, message.to_owned(), None);
                challenge(
                    &mut response,
                    r#"Bearer realm="vigie", error="invalid_token""#,
                );
                return response;
            }
            ApiError::InsufficientScope(message) => {
                let mut response = body(StatusCode::FORBIDDEN, message, None);
                challenge(
                    &mut response,
                    r#"Bearer realm="vigie", error="insufficient_scope""#,
                );
                return response;
            }
            ApiError::Forbidden(message) => (StatusCode::FORBIDDEN, message.to_owned(), None),
            ApiError::NotFound(message) => (StatusCode::NOT_FOUND, message.to_owned(), None),
            ApiError::Conflict(message) => (StatusCode::CONFLICT, message, None),
            ApiError::Gone(message) => (StatusCode::GONE, message.to_owned(), None),
            ApiError::PreconditionFailed(message) => {
                (StatusCode::PRECONDITION_FAILED, message, None)
            }
            ApiError::UnsupportedMediaType(message) => {
                (StatusCode::UNSUPPORTED_MEDIA_TYPE, message.to_owned(), None)
            }
            ApiError::Unprocessable(message, fields) => (
                StatusCode::UNPROCESSABLE_ENTITY,
                message,
                (!fields.is_empty()).then_some(fields),
            ),
            ApiError::PreconditionRequired(message) => {
                (StatusCode::PRECONDITION_REQUIRED, message.to_owned(), None)
            }
            ApiError::Busy => return later(retry_later),
            ApiError::Database(e) if unavailable(&e) => {
                tracing::warn!(error = %e, "database unavailable");
                let mut response = later(retry_later);
                if let Some(counted) = crate::web::error::counted(&e) {
                    response.extensions_mut().insert(counted);
                }
                if crate::web::error::read_elsewhere(&e) {
                    response
                        .extensions_mut()
                        .insert(crate::web::error::ReadFailed);
                }
                return response;
            }
            ApiError::Database(e) if crate::web::error::read_elsewhere(&e) => {
                tracing::warn!(error = %e, "read cancelled by the replica");
                let mut response = later(retry_later);
                response
                    .extensions_mut()
                    .insert(crate::web::error::ReadFailed);
                return response;
            }
            ApiError::Database(e) => {
                tracing::error!(error = %e, "API request failed");
                let message = "The server could not answer; try again later.";
                (StatusCode::INTERNAL_SERVER_ERROR, message.to_owned(), None)
            }
        };
        body(status, message, errors)
    }
}

fn later(message: &str) -> Response {
    let mut response = body(StatusCode::SERVICE_UNAVAILABLE, message.to_owned(), None);
    let wait = HeaderValue::from_static("5");
    response.headers_mut().insert(header::RETRY_AFTER, wait);
    response
}

fn challenge(response: &mut Response, value: &'static str) {
    response
        .headers_mut()
        .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static(value));
}

/// A problem detail answer.
pub(super) fn body(
    status: StatusCode,
    message: String,
    errors: Option<BTreeMap<String, String>>,
) -> Response {
    let problem = ErrorBody {
        kind: "about:blank".to_owned(),
        title: status.canonical_reason().unwrap_or_default().to_owned(),
        status: status.as_u16(),
        error: message.clone(),
        detail: message,
        errors,
    };
    let mut response = (status, Json(problem)).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/problem+json"),
    );
    response
}

//! The content API's errors: each says what went wrong in a sentence a developer understands,
//! as JSON (`{"error": …}`), never the site's HTML page. Database failures are logged once
//! (here, inside the request's span) and never described.

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
    /// 404: nothing public at this address, or no such tag or author.
    #[error("not found: {0}")]
    NotFound(&'static str),
    /// 410: withdrawn by the newsroom.
    #[error("gone: {0}")]
    Gone(&'static str),
    /// 503 with `Retry-After` when the database is unavailable for a moment, else 500.
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, message) = match &self {
            ApiError::BadRequest(message) => (StatusCode::BAD_REQUEST, *message),
            ApiError::NotFound(message) => (StatusCode::NOT_FOUND, *message),
            ApiError::Gone(message) => (StatusCode::GONE, *message),
            ApiError::Database(e) if unavailable(e) => {
                tracing::warn!(error = %e, "database unavailable");
                let message =
                    "The database is unavailable for a moment; try again in a few seconds.";
                let mut response = body(StatusCode::SERVICE_UNAVAILABLE, message);
                let wait = HeaderValue::from_static("5");
                response.headers_mut().insert(header::RETRY_AFTER, wait);
                return response;
            }
            ApiError::Database(e) => {
                tracing::error!(error = %e, "API request failed");
                let message = "The server could not answer; try again later.";
                (StatusCode::INTERNAL_SERVER_ERROR, message)
            }
        };
        body(status, message)
    }
}

fn body(status: StatusCode, message: &str) -> Response {
    let error = ErrorBody {
        error: message.to_owned(),
    };
    (status, Json(error)).into_response()
}

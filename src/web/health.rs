//! Probes for load balancers and orchestrators.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use super::AppState;
use super::error::Verbatim;
use crate::db;

/// `/healthz`: the process answers; touches nothing else.
pub async fn alive() -> &'static str {
    "ok"
}

/// `/readyz`: the database answers and has every migration this binary expects, the content
/// listener is connected when the render cache is on (so that this instance hears of every
/// change before it caches anything), and the instance is not shutting down. Answers in plain text, which the error-page middleware
/// leaves as is.
pub async fn ready(State(state): State<AppState>) -> Response {
    if state.is_draining() {
        return (
            StatusCode::SERVICE_UNAVAILABLE,
            axum::Extension(Verbatim),
            "shutting down",
        )
            .into_response();
    }
    let (status, text) = match db::migrations_applied(&state.pool).await {
        // With the render cache off, the listener serves nothing that readers wait for.
        Ok(true) if !state.config.render_cache || state.content_listener_connected() => {
            (StatusCode::OK, "ready")
        }
        Ok(true) => (
            StatusCode::SERVICE_UNAVAILABLE,
            "content listener connecting",
        ),
        Ok(false) => (StatusCode::SERVICE_UNAVAILABLE, "migrations pending"),
        Err(e) => {
            tracing::warn!(error = %e, "readiness check failed");
            (StatusCode::SERVICE_UNAVAILABLE, "database unreachable")
        }
    };
    (status, axum::Extension(Verbatim), text).into_response()
}

//! Probes for load balancers and orchestrators.

use axum::extract::State;
use axum::http::StatusCode;

use super::AppState;
use crate::db;

/// `/healthz`: the process answers; touches nothing else.
pub async fn alive() -> &'static str {
    "ok"
}

/// `/readyz`: the database answers and has every migration this binary expects.
pub async fn ready(State(state): State<AppState>) -> (StatusCode, &'static str) {
    match db::migrations_applied(&state.pool).await {
        Ok(true) => (StatusCode::OK, "ready"),
        Ok(false) => (StatusCode::SERVICE_UNAVAILABLE, "migrations pending"),
        Err(e) => {
            tracing::warn!(error = %e, "readiness check failed");
            (StatusCode::SERVICE_UNAVAILABLE, "database unreachable")
        }
    }
}

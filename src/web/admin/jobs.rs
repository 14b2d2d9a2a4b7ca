//! `/admin/jobs`: the background work of every instance (an image's renditions, for now):
//! what waits, what runs, and what failed for good with its last error, which an admin may send
//! to be tried again. Admins only.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use serde_json::json;

use crate::domain::AuditAction;
use crate::store::{audit, jobs};
use crate::web::auth::{CurrentUser, SignedForm};
use crate::web::error::PathId;
use crate::web::{AppError, AppState, Page};

/// One job as the page lists it.
pub struct Line {
    pub id: i64,
    pub what: String,
    /// Its image's page, for a renditions job.
    pub href: Option<String>,
    pub state: &'static str,
    pub attempts: String,
    pub when: String,
    pub error: String,
    pub failed: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "admin/jobs.html")]
pub struct JobsPage {
    page: Page,
    lines: Vec<Line>,
    csrf: String,
    retried: bool,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct JobsQuery {
    retried: String,
}

/// `GET /admin/jobs`.
pub async fn list(
    State(state): State<AppState>,
    user: CurrentUser,
    axum::extract::Query(query): axum::extract::Query<JobsQuery>,
) -> Result<JobsPage, AppError> {
    let now = time::OffsetDateTime::now_utc();
    let lines = jobs::list(&state.pool, 200)
        .await?
        .into_iter()
        .map(|j| {
            let media = j.payload["media"].as_str().map(str::to_owned);
            let (state_label, when) = if j.failed {
                ("échoué", state.moment_text(j.run_after))
            } else if j.lease_until.is_some_and(|until| until > now) {
                ("en cours", state.moment_text(j.run_after))
            } else if j.attempts > 0 {
                ("réessai prévu", state.moment_text(j.run_after))
            } else {
                ("en attente", state.moment_text(j.created_at))
            };
            Line {
                id: j.id,
                what: match j.kind.as_str() {
                    "renditions" => "versions d’une image pour le web".to_owned(),
                    "mail" => "e-mail".to_owned(),
                    "password_reset" => "lien « mot de passe oublié »".to_owned(),
                    other => other.to_owned(),
                },
                href: media.map(|id| format!("/editor/media/{id}")),
                state: state_label,
                attempts: format!("{} / {}", j.attempts, j.max_attempts),
                when,
                error: j.last_error.unwrap_or_default(),
                failed: j.failed,
            }
        })
        .collect();
    Ok(JobsPage {
        page: state.page_for(&user, "Tâches de fond — Vigie".to_owned()),
        lines,
        csrf: user.csrf_token().to_owned(),
        retried: !query.retried.is_empty(),
    })
}

#[derive(Debug, Default, Deserialize)]
pub struct Confirm {}

/// `POST /admin/jobs/{id}/retry`: a failed job, tried again now.
pub async fn retry(
    State(state): State<AppState>,
    PathId(id): PathId<i64>,
    SignedForm { user, .. }: SignedForm<Confirm>,
) -> Result<Response, AppError> {
    let mut tx = state.pool.begin().await?;
    let Some(payload) = jobs::retry(&mut tx, id).await? else {
        return Err(AppError::NotFound);
    };
    // The library says "en préparation" again.
    if let Some(media) = payload["media"]
        .as_str()
        .and_then(|m| uuid::Uuid::parse_str(m).ok())
    {
        crate::store::media::mark_processing(&mut tx, media).await?;
    }
    audit::record(
        &mut tx,
        Some(user.id),
        AuditAction::JobRetry,
        &id.to_string(),
        json!({}),
    )
    .await?;
    tx.commit().await?;
    state.job_added();
    Ok(Redirect::to("/admin/jobs?retried=1").into_response())
}

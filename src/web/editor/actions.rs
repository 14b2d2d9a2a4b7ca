//! The buttons beside the form: take over the soft lock, change the status, delete, add a
//! correction. Each is checked against the user's permissions and applied only to the version
//! the user saw.

use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use uuid::Uuid;

use super::page::{Extras, refused_on_page};
use super::{editable, visible};
use crate::domain::{ArticleStatus, Permission, transition};
use crate::store::articles::status::{self, Step, When};
use crate::store::articles::{lock, write};
use crate::store::review;
use crate::web::auth::SignedForm;
use crate::web::error::PathId;
use crate::web::{AppError, AppState};

#[derive(Deserialize)]
pub struct NoFields {}

/// "Take over": the soft lock becomes this user's.
pub async fn take_over(
    State(state): State<AppState>,
    PathId(id): PathId<Uuid>,
    signed: SignedForm<NoFields>,
) -> Result<Response, AppError> {
    let user = signed.user;
    editable(&state, &user, id).await?;
    let mut conn = state.pool.acquire().await?;
    lock::take(&mut conn, id, user.id).await?;
    Ok(Redirect::to(&format!("/editor/articles/{id}")).into_response())
}

#[derive(Deserialize)]
pub struct StatusForm {
    #[serde(default)]
    action: String,
    /// The version the decision was made on.
    #[serde(default, deserialize_with = "crate::web::auth::lenient_number")]
    version: i32,
}

/// A workflow button: checked against the transition table and the user's role, and applied
/// only to the version the user saw.
pub async fn change_status(
    State(state): State<AppState>,
    PathId(id): PathId<Uuid>,
    signed: SignedForm<StatusForm>,
) -> Result<Response, AppError> {
    let SignedForm { user, form } = signed;
    let article = visible(&state, &user, id).await?;
    let step = step_named(&form.action)
        .ok_or_else(|| AppError::BadRequest("Cette action n’existe pas.".to_owned()))?;
    let own = article.author_id == user.id;
    let (from, action) = (article.status, step.action());
    if !user.may(Permission::ChangeStatus { own, from, action }) {
        return Err(AppError::Forbidden);
    }
    transition(from, action, user.role).map_err(|_| AppError::Forbidden)?;
    let mut tx = state.pool.begin().await?;
    if !status::change(&mut tx, id, (from, form.version), step, Some(user.id)).await? {
        return Err(AppError::Conflict(
            "L’article a changé depuis que vous l’avez ouvert : rechargez-le avant de décider."
                .to_owned(),
        ));
    }
    tx.commit().await?;
    let done = step.name();
    Ok(Redirect::to(&format!("/editor/articles/{id}?status={done}")).into_response())
}

/// The status change a workflow button names: an action of the transition table, or
/// "withdraw" (unpublishing that leaves a 410 notice at the address). Publishing from the
/// editor is now; scheduling is the review page's.
pub(super) fn step_named(name: &str) -> Option<Step<'static>> {
    Some(match name {
        "submit" => Step::Submit,
        "request_changes" => Step::SendBack(None),
        "publish" => Step::Publish(When::Now),
        "unpublish" => Step::Unpublish,
        "withdraw" => Step::Withdraw,
        "archive" => Step::Archive,
        _ => return None,
    })
}

#[derive(Deserialize)]
pub struct DeleteForm {
    #[serde(default)]
    confirm: String,
}

/// Deletes an article for good (admins only, after ticking a confirmation).
pub async fn delete(
    State(state): State<AppState>,
    PathId(id): PathId<Uuid>,
    signed: SignedForm<DeleteForm>,
) -> Result<Response, AppError> {
    let SignedForm { user, form } = signed;
    let article = visible(&state, &user, id).await?;
    if !user.may(Permission::DeleteArticle) {
        return Err(AppError::Forbidden);
    }
    if form.confirm != "yes" {
        let extras = Extras {
            delete_error: Some("Cochez la case pour confirmer : la suppression est définitive."),
            ..Extras::default()
        };
        return refused_on_page(&state, &user, &article, extras).await;
    }
    let mut tx = state.pool.begin().await?;
    write::delete(&mut tx, id, user.id).await?;
    tx.commit().await?;
    Ok(Redirect::to("/editor?deleted=1").into_response())
}

#[derive(Deserialize)]
pub struct CorrectionForm {
    #[serde(default)]
    body: String,
}

/// Adds a correction to a published article: dated, public, and never edited or removed.
pub async fn add_correction(
    State(state): State<AppState>,
    PathId(id): PathId<Uuid>,
    signed: SignedForm<CorrectionForm>,
) -> Result<Response, AppError> {
    let SignedForm { user, form } = signed;
    let article = visible(&state, &user, id).await?;
    if !user.may(Permission::AddCorrection) {
        return Err(AppError::Forbidden);
    }
    let body = form.body.trim();
    let error = if article.status != ArticleStatus::Published {
        Some("Seul un article publié reçoit des corrections.")
    } else if body.is_empty() || body.chars().count() > 2000 || body.contains('\0') {
        Some("Écrivez la correction (2 000 caractères au plus).")
    } else {
        None
    };
    if let Some(error) = error {
        let extras = Extras {
            correction: Some((form.body.clone(), error)),
            ..Extras::default()
        };
        return refused_on_page(&state, &user, &article, extras).await;
    }
    let mut tx = state.pool.begin().await?;
    review::add_correction(&mut tx, id, body, user.id).await?;
    tx.commit().await?;
    Ok(Redirect::to(&format!("/editor/articles/{id}?status=correction")).into_response())
}

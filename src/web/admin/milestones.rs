//! A regulation's milestones, from the forms on its record's page: added, changed (a public
//! record's moved date is history), removed.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde_json::json;
use uuid::Uuid;

use super::regulation::{MilestoneForm, existing, record_page};
use crate::domain::AuditAction;
use crate::domain::regulation::{MilestoneDate, web_address};
use crate::store::audit;
use crate::store::regulations::desk::{Record, Why};
use crate::store::regulations::milestones::{self, MilestoneFields};
use crate::web::auth::{CurrentUser, SignedForm};
use crate::web::error::PathId;
use crate::web::{AppError, AppState};

fn check_milestone(form: &MilestoneForm) -> Result<MilestoneFields<'_>, &'static str> {
    let date = MilestoneDate::parse(&form.date)
        .filter(|d| (1900..=2200).contains(&d.on().year()))
        .ok_or("La date s’écrit AAAA-MM-JJ, ou AAAA-MM pour un mois, AAAA-T1 à AAAA-T4 pour un trimestre.")?;
    let label = form.label.trim();
    if label.is_empty() || label.chars().count() > 200 || label.contains('\0') {
        return Err("Le libellé compte 1 à 200 caractères.");
    }
    if form.applies.chars().count() > 2000 || form.applies.contains('\0') {
        return Err("« Ce qui s’applique » compte au plus 2 000 caractères.");
    }
    if form.note.chars().count() > 500 || form.note.contains('\0') {
        return Err("L’explication du changement compte au plus 500 caractères.");
    }
    let source_url = web_address(&form.source_url)
        .ok_or("La source doit être une adresse web complète (https://…).")?;
    Ok(MilestoneFields {
        date,
        label,
        applies: form.applies.trim(),
        source_url,
    })
}

/// The record's page again, 422, with a milestone form holding what was typed.
async fn milestone_refused(
    state: &AppState,
    user: &CurrentUser,
    record: &Record,
    milestone: Option<Uuid>,
    form: MilestoneForm,
    error: &str,
) -> Result<Response, AppError> {
    let mut page = record_page(state, user, Some(record)).await?;
    match milestone.and_then(|id| page.milestones.iter_mut().find(|m| m.id == id)) {
        Some(line) => {
            line.form = form;
            line.error = Some(error.to_owned());
        }
        None => {
            page.new_milestone = form;
            page.new_milestone_error = Some(error.to_owned());
        }
    }
    Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
}

async fn milestone_done(
    tx: sqlx::Transaction<'_, sqlx::Postgres>,
    user: &CurrentUser,
    record: &Record,
    what: &str,
    label: &str,
) -> Result<Response, AppError> {
    let mut tx = tx;
    audit::record(
        &mut tx,
        Some(user.id),
        AuditAction::RegulationMilestone,
        &record.id.to_string(),
        json!({ "name": record.name, "milestone": label, "change": what }),
    )
    .await?;
    tx.commit().await?;
    Ok(Redirect::to(&format!(
        "/admin/regulations/{}?done=milestone#milestones",
        record.id
    ))
    .into_response())
}

/// `POST /admin/regulations/{id}/milestones`
pub async fn add_milestone(
    State(state): State<AppState>,
    PathId(id): PathId<Uuid>,
    signed: SignedForm<MilestoneForm>,
) -> Result<Response, AppError> {
    let SignedForm { user, form } = signed;
    let form = form.typeset(state.config.lang);
    let record = existing(&state, id).await?;
    let fields = match check_milestone(&form) {
        Ok(fields) => fields,
        Err(error) => {
            return milestone_refused(&state, &user, &record, None, form.clone(), error).await;
        }
    };
    let why = Why {
        note: form.note.trim(),
        source_url: fields.source_url,
        actor: Some(user.id),
        at: None,
    };
    let mut tx = state.pool.begin().await?;
    if milestones::add_milestone(&mut tx, id, &fields, why)
        .await?
        .is_err()
    {
        return Err(AppError::NotFound);
    }
    milestone_done(tx, &user, &record, "added", fields.label).await
}

/// `POST /admin/regulations/{id}/milestones/{milestone}`
pub async fn update_milestone(
    State(state): State<AppState>,
    PathId((id, milestone)): PathId<(Uuid, Uuid)>,
    signed: SignedForm<MilestoneForm>,
) -> Result<Response, AppError> {
    let SignedForm { user, form } = signed;
    let form = form.typeset(state.config.lang);
    let record = existing(&state, id).await?;
    let fields = match check_milestone(&form) {
        Ok(fields) => fields,
        Err(error) => {
            return milestone_refused(&state, &user, &record, Some(milestone), form.clone(), error)
                .await;
        }
    };
    let why = Why {
        note: form.note.trim(),
        source_url: fields.source_url,
        actor: Some(user.id),
        at: None,
    };
    let mut tx = state.pool.begin().await?;
    if milestones::update_milestone(&mut tx, id, milestone, &fields, why)
        .await?
        .is_err()
    {
        return Err(AppError::NotFound);
    }
    milestone_done(tx, &user, &record, "changed", fields.label).await
}

/// `POST /admin/regulations/{id}/milestones/{milestone}/delete`
pub async fn delete_milestone(
    State(state): State<AppState>,
    PathId((id, milestone)): PathId<(Uuid, Uuid)>,
    signed: SignedForm<MilestoneForm>,
) -> Result<Response, AppError> {
    let SignedForm { user, form } = signed;
    let form = form.typeset(state.config.lang);
    let record = existing(&state, id).await?;
    if form.note.chars().count() > 500 || form.note.contains('\0') {
        return milestone_refused(
            &state,
            &user,
            &record,
            Some(milestone),
            form.clone(),
            "L’explication du changement compte au plus 500 caractères.",
        )
        .await;
    }
    let why = Why {
        note: form.note.trim(),
        source_url: "",
        actor: Some(user.id),
        at: None,
    };
    let mut tx = state.pool.begin().await?;
    let label = match milestones::delete_milestone(&mut tx, id, milestone, why).await? {
        Ok(label) => label,
        Err(_) => return Err(AppError::NotFound),
    };
    milestone_done(tx, &user, &record, "removed", &label).await
}

//! `/admin/regulations`: the tracker's records, prepared or public, and the jurisdictions they
//! belong to (editors and admins). One record's page is in `regulation.rs`.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use serde_json::json;
use uuid::Uuid;

use crate::domain::{AuditAction, Slug};
use crate::store::audit;
use crate::store::regulations::desk::{self, Jurisdiction, Listed, Refused};
use crate::web::auth::{CurrentUser, SignedForm};
use crate::web::error::PathId;
use crate::web::{AppError, AppState, Page};

/// One line of the list.
pub struct Line {
    pub row: Listed,
    pub status: &'static str,
    pub updated: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "admin/regulations.html")]
pub struct RegulationsPage {
    page: Page,
    csrf: String,
    lines: Vec<Line>,
    jurisdictions: Vec<Jurisdiction>,
    notice: Option<&'static str>,
    error: Option<String>,
    /// What was typed in the new jurisdiction's field.
    jurisdiction_name: String,
}

async fn regulations_page(
    state: &AppState,
    user: &CurrentUser,
) -> Result<RegulationsPage, AppError> {
    let lang = state.config.lang;
    let lines = desk::list(&state.pool)
        .await?
        .into_iter()
        .map(|row| Line {
            status: row.status.map_or("à compléter", |s| s.label(lang)),
            updated: state.moment_text(row.updated_at),
            row,
        })
        .collect();
    Ok(RegulationsPage {
        page: state.page_for(user, "Réglementations — Vigie".to_owned()),
        csrf: user.csrf_token().to_owned(),
        lines,
        jurisdictions: desk::jurisdictions(&state.pool).await?,
        notice: None,
        error: None,
        jurisdiction_name: String::new(),
    })
}

#[derive(Deserialize)]
pub struct Done {
    done: Option<String>,
}

pub async fn list(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<Done>,
) -> Result<RegulationsPage, AppError> {
    let mut page = regulations_page(&state, &user).await?;
    page.notice = match q.done.as_deref() {
        Some("jurisdiction") => Some("Juridiction enregistrée."),
        Some("deleted") => Some("Fiche supprimée, avec ses échéances et son historique."),
        _ => None,
    };
    Ok(page)
}

#[derive(Deserialize)]
pub struct JurisdictionForm {
    #[serde(default)]
    name: String,
}

fn jurisdiction_name(form: &JurisdictionForm) -> Result<&str, &'static str> {
    let name = form.name.trim();
    if name.is_empty()
        || name.chars().count() > 100
        || name.contains('\0')
        || Slug::derive(name).is_err()
    {
        return Err("Le nom compte 1 à 100 caractères, dont au moins une lettre ou un chiffre.");
    }
    Ok(name)
}

async fn refused(
    state: &AppState,
    user: &CurrentUser,
    error: &str,
    typed: String,
) -> Result<Response, AppError> {
    let mut page = regulations_page(state, user).await?;
    page.error = Some(error.to_owned());
    page.jurisdiction_name = typed;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
}

const NAME_TAKEN: &str = "Une juridiction porte déjà ce nom (ou cette adresse).";

pub async fn create_jurisdiction(
    State(state): State<AppState>,
    signed: SignedForm<JurisdictionForm>,
) -> Result<Response, AppError> {
    let SignedForm { user, form } = signed;
    let name = match jurisdiction_name(&form) {
        Ok(name) => name.to_owned(),
        Err(error) => return refused(&state, &user, error, form.name).await,
    };
    let mut tx = state.pool.begin().await?;
    let id = match desk::create_jurisdiction(&mut tx, &name).await? {
        Ok(id) => id,
        Err(_) => return refused(&state, &user, NAME_TAKEN, form.name).await,
    };
    audit::record(
        &mut tx,
        Some(user.id),
        AuditAction::JurisdictionCreate,
        &id.to_string(),
        json!({ "name": name }),
    )
    .await?;
    tx.commit().await?;
    Ok(Redirect::to("/admin/regulations?done=jurisdiction").into_response())
}

pub async fn rename_jurisdiction(
    State(state): State<AppState>,
    PathId(id): PathId<Uuid>,
    signed: SignedForm<JurisdictionForm>,
) -> Result<Response, AppError> {
    let SignedForm { user, form } = signed;
    let name = match jurisdiction_name(&form) {
        Ok(name) => name.to_owned(),
        Err(error) => return refused(&state, &user, error, String::new()).await,
    };
    let mut tx = state.pool.begin().await?;
    match desk::rename_jurisdiction(&mut tx, id, &name).await? {
        Ok(()) => {}
        Err(Refused::NotFound) => return Err(AppError::NotFound),
        Err(_) => return refused(&state, &user, NAME_TAKEN, String::new()).await,
    }
    audit::record(
        &mut tx,
        Some(user.id),
        AuditAction::JurisdictionUpdate,
        &id.to_string(),
        json!({ "name": name }),
    )
    .await?;
    tx.commit().await?;
    Ok(Redirect::to("/admin/regulations?done=jurisdiction").into_response())
}

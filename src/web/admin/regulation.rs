//! One regulation's record for the newsroom: its fields, publishing it, and deleting it
//! (admins); its page also holds the milestones' forms (`milestones.rs`). Every refused form
//! comes back with what was typed and why.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use serde_json::json;
use uuid::Uuid;

use super::record_form::RecordForm;
use super::record_form::check;
use crate::domain::regulation::{LegalForm, RegulationStatus};
use crate::domain::{AuditAction, Lang, Permission, typography};
use crate::store::audit;
use crate::store::regulations::desk::{self, Jurisdiction, Record, Refused, Why};
use crate::store::regulations::milestones;
use crate::store::regulations::public;
use crate::web::auth::{CurrentUser, SignedForm};
use crate::web::error::PathId;
use crate::web::{AppError, AppState, Page};

/// A milestone's form as typed.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct MilestoneForm {
    pub(super) date: String,
    pub(super) label: String,
    pub(super) applies: String,
    pub(super) source_url: String,
    /// Why it changed, for the public history.
    pub(super) note: String,
}

impl MilestoneForm {
    /// Its words as readers get them.
    pub(super) fn typeset(self, lang: Lang) -> Self {
        Self {
            label: typography::for_lang(&self.label, lang),
            applies: typography::for_lang(&self.applies, lang),
            note: typography::for_lang(&self.note, lang),
            ..self
        }
    }
}

/// A milestone on the page, with its form.
pub struct MilestoneLine {
    pub(super) id: Uuid,
    when: String,
    pub(super) form: MilestoneForm,
    pub(super) error: Option<String>,
}

/// An entry of the history as the page shows it.
pub struct HistoryLine {
    when: String,
    text: String,
    note: String,
    source_url: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "admin/regulation.html")]
pub struct RecordPage {
    page: Page,
    csrf: String,
    /// `None`: a new record.
    id: Option<Uuid>,
    slug: String,
    published: bool,
    may_delete: bool,
    form: RecordForm,
    error: Option<String>,
    notice: Option<&'static str>,
    jurisdictions: Vec<Jurisdiction>,
    legal_forms: Vec<(&'static str, &'static str)>,
    statuses: Vec<(&'static str, &'static str)>,
    pub(super) milestones: Vec<MilestoneLine>,
    pub(super) new_milestone: MilestoneForm,
    pub(super) new_milestone_error: Option<String>,
    history: Vec<HistoryLine>,
}

pub(super) async fn record_page(
    state: &AppState,
    user: &CurrentUser,
    record: Option<&Record>,
) -> Result<RecordPage, AppError> {
    let lang = state.config.lang;
    let (milestones, history) = match record {
        Some(r) => {
            let milestones = milestones::milestones(&state.pool, r.id)
                .await?
                .into_iter()
                .map(|m| MilestoneLine {
                    id: m.id,
                    when: m.date().text(lang),
                    form: MilestoneForm {
                        date: m.date().form_value(),
                        label: m.label,
                        applies: m.applies,
                        source_url: m.source_url,
                        note: String::new(),
                    },
                    error: None,
                })
                .collect();
            let history = public::history(&state.pool, Some(r.id), 200)
                .await?
                .into_iter()
                .filter_map(|h| {
                    Some(HistoryLine {
                        text: h.change()?.text(lang),
                        when: state.moment_text(h.noted_at),
                        note: h.note,
                        source_url: h.source_url,
                    })
                })
                .collect();
            (milestones, history)
        }
        None => (Vec::new(), Vec::new()),
    };
    let title = record.map_or_else(|| "Nouvelle réglementation".to_owned(), |r| r.name.clone());
    Ok(RecordPage {
        page: state.page_for(user, format!("{title} — Vigie")),
        csrf: user.csrf_token().to_owned(),
        id: record.map(|r| r.id),
        slug: record.map(|r| r.slug.clone()).unwrap_or_default(),
        published: record.is_some_and(|r| r.published_at.is_some()),
        may_delete: record.is_some() && user.may(Permission::DeleteRegulation),
        form: record.map(RecordForm::of).unwrap_or_default(),
        error: None,
        notice: None,
        jurisdictions: desk::jurisdictions(&state.pool).await?,
        legal_forms: LegalForm::ALL
            .iter()
            .map(|f| (f.as_str(), f.label(lang)))
            .collect(),
        statuses: RegulationStatus::ALL
            .iter()
            .map(|s| (s.as_str(), s.label(lang)))
            .collect(),
        milestones,
        new_milestone: MilestoneForm::default(),
        new_milestone_error: None,
        history,
    })
}

pub(super) async fn existing(state: &AppState, id: Uuid) -> Result<Record, AppError> {
    desk::record(&state.pool, id)
        .await?
        .ok_or(AppError::NotFound)
}

/// The page again, 422, holding what was typed.
async fn form_refused(
    state: &AppState,
    user: &CurrentUser,
    record: Option<&Record>,
    form: RecordForm,
    error: &str,
) -> Result<Response, AppError> {
    let mut page = record_page(state, user, record).await?;
    page.form = form;
    page.error = Some(error.to_owned());
    Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
}

/// Why a name cannot be this record's.
fn taken(refused: Refused) -> &'static str {
    match refused {
        Refused::TagOfOtherKind => {
            "Un thème d’un autre type porte déjà ce nom court : choisissez-en un autre pour les articles sur ce texte."
        }
        Refused::NameTaken | Refused::NotFound | Refused::Incomplete => {
            "Une autre fiche porte déjà ce nom court (ou son thème est lié à une autre fiche)."
        }
    }
}
const JURISDICTION_GONE: &str = "Cette juridiction n’existe plus : choisissez-en une autre.";

/// `GET /admin/regulations/new`
pub async fn new(State(state): State<AppState>, user: CurrentUser) -> Result<RecordPage, AppError> {
    record_page(&state, &user, None).await
}

/// `POST /admin/regulations`
pub async fn create(
    State(state): State<AppState>,
    signed: SignedForm<RecordForm>,
) -> Result<Response, AppError> {
    let SignedForm { user, form } = signed;
    let form = form.typeset(state.config.lang);
    let mut fields = match check(&form) {
        Ok(fields) => fields,
        Err(error) => return form_refused(&state, &user, None, form.clone(), error).await,
    };
    let summary = state
        .render(fields.summary_markdown, state.config.lang)
        .await?;
    fields.summary_html = &summary.html;
    let mut tx = state.pool.begin().await?;
    let created = desk::create(&mut tx, &fields).await;
    let id = match created {
        Ok(Ok(id)) => id,
        Ok(Err(refused)) => {
            return form_refused(&state, &user, None, form.clone(), taken(refused)).await;
        }
        Err(e) if crate::store::violates(&e, "regulation_jurisdiction_id_fkey") => {
            return form_refused(&state, &user, None, form.clone(), JURISDICTION_GONE).await;
        }
        Err(e) => return Err(e.into()),
    };
    audit::record(
        &mut tx,
        Some(user.id),
        AuditAction::RegulationCreate,
        &id.to_string(),
        json!({ "name": fields.name }),
    )
    .await?;
    tx.commit().await?;
    Ok(Redirect::to(&format!("/admin/regulations/{id}?done=created")).into_response())
}

#[derive(Deserialize)]
pub struct Done {
    done: Option<String>,
}

/// `GET /admin/regulations/{id}`
pub async fn show(
    State(state): State<AppState>,
    user: CurrentUser,
    PathId(id): PathId<Uuid>,
    Query(q): Query<Done>,
) -> Result<RecordPage, AppError> {
    let record = existing(&state, id).await?;
    let mut page = record_page(&state, &user, Some(&record)).await?;
    page.notice = match q.done.as_deref() {
        Some("created") => Some("Fiche créée. Ajoutez ses échéances, puis publiez-la."),
        Some("saved") => Some("Fiche enregistrée."),
        Some("published") => Some(
            "Fiche publiée. Désormais, chaque changement de statut ou de date figure dans son historique public.",
        ),
        Some("milestone") => Some("Échéances enregistrées."),
        _ => None,
    };
    Ok(page)
}

/// `POST /admin/regulations/{id}`
pub async fn update(
    State(state): State<AppState>,
    PathId(id): PathId<Uuid>,
    signed: SignedForm<RecordForm>,
) -> Result<Response, AppError> {
    let SignedForm { user, form } = signed;
    let form = form.typeset(state.config.lang);
    let record = existing(&state, id).await?;
    let mut fields = match check(&form) {
        Ok(fields) => fields,
        Err(error) => return form_refused(&state, &user, Some(&record), form.clone(), error).await,
    };
    let summary = state
        .render(fields.summary_markdown, state.config.lang)
        .await?;
    fields.summary_html = &summary.html;
    let why = Why {
        note: form.change_note.trim(),
        source_url: form.change_source.trim(),
        actor: Some(user.id),
        at: None,
    };
    let mut tx = state.pool.begin().await?;
    match desk::update(&mut tx, id, &fields, why).await {
        Ok(Ok(())) => {}
        Ok(Err(Refused::NotFound)) => return Err(AppError::NotFound),
        Ok(Err(refused)) => {
            return form_refused(&state, &user, Some(&record), form.clone(), taken(refused)).await;
        }
        Err(e) if crate::store::violates(&e, "regulation_jurisdiction_id_fkey") => {
            return form_refused(
                &state,
                &user,
                Some(&record),
                form.clone(),
                JURISDICTION_GONE,
            )
            .await;
        }
        Err(e) => return Err(e.into()),
    }
    audit::record(
        &mut tx,
        Some(user.id),
        AuditAction::RegulationUpdate,
        &id.to_string(),
        json!({ "name": fields.name, "status": fields.status.as_str() }),
    )
    .await?;
    tx.commit().await?;
    Ok(Redirect::to(&format!("/admin/regulations/{id}?done=saved")).into_response())
}

#[derive(Deserialize)]
pub struct Confirm {
    #[serde(default)]
    confirm: String,
}

/// `POST /admin/regulations/{id}/publish`
pub async fn publish(
    State(state): State<AppState>,
    PathId(id): PathId<Uuid>,
    signed: SignedForm<Confirm>,
) -> Result<Response, AppError> {
    let SignedForm { user, .. } = signed;
    let record = existing(&state, id).await?;
    let mut tx = state.pool.begin().await?;
    match desk::publish(&mut tx, id).await? {
        Ok(()) => {}
        Err(Refused::NotFound) => return Err(AppError::NotFound),
        Err(_) => {
            let form = RecordForm::of(&record);
            return form_refused(
                &state,
                &user,
                Some(&record),
                form,
                "Avant de la publier, donnez à la fiche sa juridiction, sa forme juridique et son statut, et enregistrez.",
            )
            .await;
        }
    }
    audit::record(
        &mut tx,
        Some(user.id),
        AuditAction::RegulationPublish,
        &id.to_string(),
        json!({ "name": record.name }),
    )
    .await?;
    tx.commit().await?;
    Ok(Redirect::to(&format!("/admin/regulations/{id}?done=published")).into_response())
}

/// `POST /admin/regulations/{id}/delete` (admins): with its milestones and history; its tag
/// and articles stay.
pub async fn delete(
    State(state): State<AppState>,
    PathId(id): PathId<Uuid>,
    signed: SignedForm<Confirm>,
) -> Result<Response, AppError> {
    let SignedForm { user, form } = signed;
    let record = existing(&state, id).await?;
    if form.confirm != "yes" {
        let page_form = RecordForm::of(&record);
        return form_refused(
            &state,
            &user,
            Some(&record),
            page_form,
            "Cochez la case pour confirmer : la fiche, ses échéances et son historique public disparaissent.",
        )
        .await;
    }
    let mut tx = state.pool.begin().await?;
    let Some(name) = desk::delete(&mut tx, id).await? else {
        return Err(AppError::NotFound);
    };
    audit::record(
        &mut tx,
        Some(user.id),
        AuditAction::RegulationDelete,
        &id.to_string(),
        json!({ "name": name }),
    )
    .await?;
    tx.commit().await?;
    Ok(Redirect::to("/admin/regulations?done=deleted").into_response())
}

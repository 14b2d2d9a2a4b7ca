//! The embargo box beside the form: put an article under embargo (its author or an editor),
//! move its end (earlier: editors only), lift it (editors, with a reason the audit log keeps).
//! While it holds, the article cannot be published or scheduled before its end, and no reader
//! surface shows it (`store::articles::embargo`).

use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use time::OffsetDateTime;
use uuid::Uuid;

use super::actions::local_time;
use super::page::{Extras, refused_on_page};
use super::visible;
use crate::domain::Permission;
use crate::store::articles::desk::Editable;
use crate::store::articles::embargo::{self, Refused};
use crate::store::clock;
use crate::web::auth::{CurrentUser, SignedForm};
use crate::web::error::PathId;
use crate::web::{AppError, AppState};

/// The embargo as the editor's page shows it, with its forms.
pub struct EmbargoBox {
    /// The end, on the newsroom's clock (`9 déc. à 09:00`), while one is set.
    pub until: Option<String>,
    /// It is over: the article may come out.
    pub passed: bool,
    pub note: String,
    /// What the form holds: the end (`YYYY-MM-DDTHH:MM`), the note.
    pub until_value: String,
    pub note_value: String,
    pub error: Option<String>,
    pub lift_error: Option<String>,
    pub reason_value: String,
    /// May set or move it; may lift it.
    pub can_set: bool,
    pub can_lift: bool,
}

/// What was typed in an embargo form that could not be done, and why.
pub enum Typed {
    /// Setting or moving: the end, the note, what is wrong.
    Set(String, String, String),
    /// Lifting: the reason, what is wrong.
    Lift(String, String),
}

impl EmbargoBox {
    pub fn new(
        state: &AppState,
        user: &CurrentUser,
        article: &Editable,
        typed: Option<Typed>,
    ) -> Self {
        let own = article.is_by(user.id);
        let now = OffsetDateTime::now_utc();
        let until_value = article
            .embargo_until
            .map(|at| {
                let local = state.local_time(at);
                format!("{}T{:02}:{:02}", local.date(), local.hour(), local.minute())
            })
            .unwrap_or_default();
        let (mut until_typed, mut note_value) = (until_value, article.embargo_note.clone());
        let (mut error, mut lift_error, mut reason_value) = (None, None, String::new());
        match typed {
            Some(Typed::Set(until, note, why)) => {
                (until_typed, note_value, error) = (until, note, Some(why));
            }
            Some(Typed::Lift(reason, why)) => (reason_value, lift_error) = (reason, Some(why)),
            None => {}
        }
        Self {
            until: article.embargo_until.map(|at| state.moment_text(at)),
            passed: article.embargo_until.is_some_and(|at| at <= now),
            note: article.embargo_note.clone(),
            until_value: until_typed,
            note_value,
            error,
            lift_error,
            reason_value,
            can_set: user.may(Permission::SetEmbargo {
                own,
                earlier: false,
            }),
            can_lift: article.embargo_until.is_some() && user.may(Permission::LiftEmbargo),
        }
    }
}

/// "Sous embargo jusqu'au 9 déc. à 09:00 : …" — what refuses an early publication.
pub(in crate::web) fn refusal(state: &AppState, until: OffsetDateTime) -> String {
    format!(
        "Sous embargo jusqu’au {} : l’article ne peut pas sortir avant. Programmez-le à partir de cette heure, ou demandez à un éditeur de lever l’embargo.",
        state.moment_text(until)
    )
}

#[derive(Deserialize)]
pub struct EmbargoForm {
    #[serde(default)]
    until: String,
    #[serde(default)]
    note: String,
}

/// `POST /editor/articles/{id}/embargo`: sets the embargo, or moves its end.
pub async fn set(
    State(state): State<AppState>,
    PathId(id): PathId<Uuid>,
    signed: SignedForm<EmbargoForm>,
) -> Result<Response, AppError> {
    let SignedForm { user, form } = signed;
    let article = visible(&state, &user, id).await?;
    let own = article.is_by(user.id);
    if !user.may(Permission::SetEmbargo {
        own,
        earlier: false,
    }) {
        return Err(AppError::Forbidden);
    }
    let again = |error: String| Typed::Set(form.until.clone(), form.note.clone(), error);
    let note = form.note.trim();
    if note.chars().count() > 500 || note.contains('\0') {
        return shown_again(
            &state,
            &user,
            &article,
            again("La note compte 500 caractères au plus.".to_owned()),
        )
        .await;
    }
    let Some(local) = local_time(&form.until) else {
        return shown_again(
            &state,
            &user,
            &article,
            again("Indiquez la date et l’heure de fin de l’embargo (jj/mm/aaaa hh:mm).".to_owned()),
        )
        .await;
    };
    let until = clock::instant(&state.pool, local, &state.config.timezone).await?;
    if until <= OffsetDateTime::now_utc() {
        return shown_again(
            &state,
            &user,
            &article,
            again("Cette heure est passée : un embargo finit dans l’avenir.".to_owned()),
        )
        .await;
    }
    let earlier = article.embargo_until.is_some_and(|at| until < at);
    if !user.may(Permission::SetEmbargo { own, earlier }) {
        return shown_again(
            &state,
            &user,
            &article,
            again("Seul un éditeur peut avancer la fin d’un embargo.".to_owned()),
        )
        .await;
    }
    let mut tx = state.pool.begin().await?;
    match embargo::set(&mut tx, id, until, note, user.id).await? {
        Ok(()) => {}
        Err(refused) => {
            drop(tx);
            let error = match refused {
                Refused::Public => "L’article est déjà en ligne : un embargo ne le retirerait pas. Dépubliez-le d’abord s’il le faut.".to_owned(),
                Refused::ScheduledBefore(at) => format!(
                    "L’article est programmé pour le {}, avant cette fin d’embargo : reprogrammez-le après, ou annulez la programmation.",
                    state.moment_text(at)
                ),
            };
            return shown_again(&state, &user, &article, again(error)).await;
        }
    }
    tx.commit().await?;
    Ok(Redirect::to(&format!("/editor/articles/{id}?status=embargo")).into_response())
}

#[derive(Deserialize)]
pub struct LiftForm {
    #[serde(default)]
    reason: String,
}

/// `POST /editor/articles/{id}/embargo/lift`: an editor lifts the embargo, saying why.
pub async fn lift(
    State(state): State<AppState>,
    PathId(id): PathId<Uuid>,
    signed: SignedForm<LiftForm>,
) -> Result<Response, AppError> {
    let SignedForm { user, form } = signed;
    let article = visible(&state, &user, id).await?;
    if !user.may(Permission::LiftEmbargo) {
        return Err(AppError::Forbidden);
    }
    let reason = form.reason.trim();
    if reason.is_empty() || reason.chars().count() > 500 || reason.contains('\0') {
        let typed = Typed::Lift(
            form.reason.clone(),
            "Dites pourquoi l’embargo est levé (500 caractères au plus) : le journal d’audit le garde.".to_owned(),
        );
        return shown_again(&state, &user, &article, typed).await;
    }
    let mut tx = state.pool.begin().await?;
    let lifted = embargo::lift(&mut tx, id, reason, user.id).await?;
    tx.commit().await?;
    let done = if lifted {
        "embargo_lifted"
    } else {
        "no_embargo"
    };
    Ok(Redirect::to(&format!("/editor/articles/{id}?status={done}")).into_response())
}

async fn shown_again(
    state: &AppState,
    user: &CurrentUser,
    article: &Editable,
    typed: Typed,
) -> Result<Response, AppError> {
    let extras = Extras {
        embargo: Some(typed),
        ..Extras::default()
    };
    refused_on_page(state, user, article, extras).await
}

//! The buttons beside the form: take over the soft lock, change the status, delete, add a
//! correction. Each is checked against the user's permissions and applied only to the version
//! the user saw.

use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use time::macros::format_description;
use time::{OffsetDateTime, PrimitiveDateTime};
use uuid::Uuid;

use super::page::{Extras, refused_on_page};
use super::{editable, visible};
use crate::domain::{Permission, Standing, transition};
use crate::store::articles::status::{self, Changed, Step, When};
use crate::store::articles::{lock, write};
use crate::store::clock;
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
    /// Why it is withdrawn (shown to readers), for "withdraw".
    #[serde(default)]
    reason: String,
    /// When to publish, for "schedule": `YYYY-MM-DDTHH:MM` on the newsroom's clock.
    #[serde(default)]
    at: String,
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
    let live = matches!(
        super::standing_of(&article),
        Standing::Published | Standing::Archived
    );
    let step = match step_asked(
        &state,
        &form.action,
        &form.reason,
        &form.at,
        live,
        article.embargo_until,
    )
    .await?
    {
        Ok(step) => step,
        Err(error) => {
            let extras = Extras {
                workflow_error: Some(error),
                ..Extras::default()
            };
            return refused_on_page(&state, &user, &article, extras).await;
        }
    };
    let own = article.is_by(user.id);
    let (from, action) = (article.status, step.action());
    if !user.may(Permission::ChangeStatus { own, from, action }) {
        return Err(AppError::Forbidden);
    }
    transition(from, action, user.role).map_err(|_| AppError::Forbidden)?;
    let mut tx = state.pool.begin().await?;
    match status::change(&mut tx, id, (from, form.version), step, Some(user.id)).await? {
        Changed::Done => {}
        Changed::Stale => {
            return Err(AppError::Conflict(
                "L’article a changé depuis que vous l’avez ouvert : rechargez-le avant de décider."
                    .to_owned(),
            ));
        }
        Changed::Embargoed(until) => {
            drop(tx);
            let extras = Extras {
                workflow_error: Some(super::embargo::refusal(&state, until)),
                ..Extras::default()
            };
            return refused_on_page(&state, &user, &article, extras).await;
        }
    }
    state
        .review_notice(&mut tx, id, action, user.id, step.note())
        .await?;
    tx.commit().await?;
    let done = done_name(&form.action, step);
    Ok(Redirect::to(&format!("/editor/articles/{id}?status={done}")).into_response())
}

/// The name of what was done, for the notice (`?status=`): a publication asked for a time to
/// come is a scheduling.
pub(super) fn done_name(asked: &str, step: Step<'_>) -> &'static str {
    match (asked, step) {
        ("schedule", _) => "schedule",
        _ => step.name(),
    }
}

/// The status change a workflow button asks for, with what goes with it: the reason given
/// for withdrawing, the time asked for scheduling. Either the step, or what is wrong with the
/// request in the newsroom's words (a date that is not one, or is past, or before the
/// article's embargo ends; a reason too long).
pub(super) async fn step_asked<'a>(
    state: &'a AppState,
    name: &str,
    reason: &'a str,
    at: &str,
    // Readers see the article now.
    live: bool,
    embargo_until: Option<OffsetDateTime>,
) -> Result<Result<Step<'a>, String>, AppError> {
    let refused = |why: &str| Ok(Err(why.to_owned()));
    let embargo = embargo_until.filter(|until| *until > OffsetDateTime::now_utc());
    Ok(Ok(match name {
        // Its date is what readers were told; moving it into the future would take it down.
        "schedule" if live => {
            return refused(
                "Cet article est en ligne : pour le faire sortir à un autre moment, mettez-le d’abord hors ligne.",
            );
        }
        "submit" => Step::Submit,
        "retract" => Step::Retract,
        "request_changes" => Step::SendBack(None),
        "publish" => {
            if let Some(until) = embargo {
                return Ok(Err(super::embargo::refusal(state, until)));
            }
            Step::Publish(When::Now)
        }
        "schedule" => {
            let Some(local) = local_time(at) else {
                return refused("Indiquez la date et l’heure de publication (jj/mm/aaaa hh:mm).");
            };
            if !clock::is_future(&state.pool, local, &state.config.timezone).await? {
                return refused(
                    "Cette date est passée : choisissez un moment à venir, ou publiez maintenant.",
                );
            }
            if let Some(until) = embargo
                && clock::instant(&state.pool, local, &state.config.timezone).await? < until
            {
                return Ok(Err(super::embargo::refusal(state, until)));
            }
            Step::Publish(When::Local(local, state.config.timezone.as_str()))
        }
        "unpublish" => Step::Unpublish,
        "withdraw" => {
            if reason.chars().count() > 2000 || reason.contains('\0') {
                return refused("Le motif compte 2 000 caractères au plus.");
            }
            Step::Withdraw(reason)
        }
        "archive" => Step::Archive,
        _ => {
            return Err(AppError::BadRequest(
                "Cette action n’existe pas.".to_owned(),
            ));
        }
    }))
}

/// A time typed in an `<input type=datetime-local>`: `YYYY-MM-DDTHH:MM`, seconds optional.
pub(crate) fn local_time(at: &str) -> Option<PrimitiveDateTime> {
    let minutes = format_description!("[year]-[month]-[day]T[hour]:[minute]");
    let seconds = format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]");
    let at = at.trim();
    PrimitiveDateTime::parse(at, seconds)
        .or_else(|_| PrimitiveDateTime::parse(at, minutes))
        .ok()
}

#[derive(Deserialize)]
pub struct DeleteForm {
    #[serde(default)]
    confirm: String,
}

/// Deletes an article for good, after a confirmation: admins any article, anyone their own
/// draft that readers never saw.
pub async fn delete(
    State(state): State<AppState>,
    PathId(id): PathId<Uuid>,
    signed: SignedForm<DeleteForm>,
) -> Result<Response, AppError> {
    let SignedForm { user, form } = signed;
    let article = visible(&state, &user, id).await?;
    if !user.may(super::delete_permission(&user, &article)) {
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
    let now = time::OffsetDateTime::now_utc();
    let live = Standing::of(article.status, article.published_at, article.withdrawn, now);
    let error = if live != Standing::Published {
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

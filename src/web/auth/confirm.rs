//! `/account/confirm`: proving again who one is — the password, or a code of one's second
//! factor — before what asks for a recent sign-in (managing other people's accounts). Wrong
//! answers are throttled like signing in.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use time::OffsetDateTime;

use super::account::reauthenticate;
use super::{CurrentUser, SignedForm, safe_next};
use crate::domain::throttle::ACCOUNT_FREE;
use crate::domain::totp;
use crate::store::throttle::{self, Attempt};
use crate::store::{sessions, two_factor};
use crate::web::{AppError, AppState, Page};

#[derive(Template, WebTemplate)]
#[template(path = "auth/confirm.html")]
pub struct ConfirmTemplate {
    page: Page,
    csrf: String,
    next: String,
    two_factor: bool,
    error: Option<&'static str>,
}

fn confirm_page(state: &AppState, user: &CurrentUser, next: String) -> ConfirmTemplate {
    ConfirmTemplate {
        page: state.page_for(user, "Confirmer votre identité — Vigie".to_owned()),
        csrf: user.csrf_token().to_owned(),
        next,
        two_factor: user.two_factor,
        error: None,
    }
}

#[derive(Deserialize)]
pub struct Next {
    next: Option<String>,
}

/// `GET /account/confirm`
pub async fn confirm_form(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<Next>,
) -> ConfirmTemplate {
    confirm_page(&state, &user, safe_next(q.next.as_deref()))
}

#[derive(Deserialize)]
pub struct ConfirmForm {
    /// The password, or a six-digit code.
    #[serde(default)]
    secret: String,
    next: Option<String>,
}

/// `POST /account/confirm`
pub async fn confirm(
    State(state): State<AppState>,
    SignedForm { user, form }: SignedForm<ConfirmForm>,
) -> Result<Response, AppError> {
    let next = safe_next(form.next.as_deref());
    let typed = form.secret.trim();
    let is_code = typed.len() == 6 && typed.chars().all(|c| c.is_ascii_digit());
    // Codes are guessed six digits at a time: throttled like the sign-in's second step.
    let key = format!("confirm-code:{}", user.id);
    if is_code
        && user.two_factor
        && let Attempt::Wait(wait) =
            throttle::attempt(&state.pool, &[(key.clone(), ACCOUNT_FREE)]).await?
    {
        return Err(AppError::Throttled(wait));
    }
    let mut tx = state.pool.begin().await?;
    let ok = if is_code && user.two_factor {
        match two_factor::for_check(&mut tx, user.id).await? {
            Some((secret, last)) => {
                let now = totp::step_of(OffsetDateTime::now_utc().unix_timestamp());
                match secret.check(typed, now, last) {
                    Some(step) => two_factor::accept_step(&mut tx, user.id, step).await?,
                    None => false,
                }
            }
            None => false,
        }
    } else {
        reauthenticate(&state, user.id, &form.secret).await?
    };
    if !ok {
        drop(tx);
        let mut page = confirm_page(&state, &user, next);
        page.error = Some(if user.two_factor {
            "Ce n’est ni votre mot de passe ni un code valable de votre application."
        } else {
            "Ce n’est pas votre mot de passe."
        });
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    }
    throttle::succeeded(&mut tx, &key).await?;
    sessions::reauthenticated(&mut tx, &user.session_token).await?;
    tx.commit().await?;
    Ok(Redirect::to(&next).into_response())
}

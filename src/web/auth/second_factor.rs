//! The second step of signing in, for people with a second factor: `/login/code` takes a code
//! from their authenticator app (never the same one twice) or one of their recovery codes
//! (each once). Throttled like the password. Only then does the session open anything: a new
//! session id replaces the one that was waiting.

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::{AppendHeaders, IntoResponse, Redirect, Response};
use serde::Deserialize;
use serde_json::json;
use time::OffsetDateTime;
use uuid::Uuid;

use super::{clear_session_cookie, safe_next, session_cookie, set_session_cookie, staff_cookie};
use crate::domain::AuditAction;
use crate::domain::throttle::keys as throttle_keys;
use crate::domain::totp;
use crate::store::throttle::{self, Attempt};
use crate::store::{audit, sessions, two_factor, users};
use crate::web::serve::client_addr;
use crate::web::{AppError, AppState, Page};

/// How long a session may wait for its code.
pub(super) const CODE_WAIT: std::time::Duration = std::time::Duration::from_secs(10 * 60);

#[derive(Template, WebTemplate)]
#[template(path = "auth/code.html")]
pub struct CodeTemplate {
    page: Page,
    next: String,
    error: Option<&'static str>,
}

#[derive(Deserialize)]
pub struct Next {
    next: Option<String>,
}

/// The session waiting for its code: its token, whose it is, where it signed in from.
async fn waiting(
    parts: &Parts,
    state: &AppState,
) -> Result<Option<(String, Uuid, sessions::Client)>, AppError> {
    let Some(token) = session_cookie(parts, state) else {
        return Ok(None);
    };
    Ok(sessions::waiting_for_code(&state.pool, &token)
        .await?
        .map(|(user, client)| (token, user, client)))
}

fn code_page(state: &AppState, next: String, error: Option<&'static str>) -> CodeTemplate {
    CodeTemplate {
        page: state.page("Code de connexion — Vigie".to_owned()),
        next,
        error,
    }
}

/// `GET /login/code`
pub async fn code_form(
    State(state): State<AppState>,
    parts: Parts,
    Query(q): Query<Next>,
) -> Result<Response, AppError> {
    let next = safe_next(q.next.as_deref());
    if waiting(&parts, &state).await?.is_none() {
        // Nothing waits (it took too long, or no password was given): start again.
        return Ok(Redirect::to(&format!("/login?next={}", urlencode(&next))).into_response());
    }
    Ok(code_page(&state, next, None).into_response())
}

fn urlencode(s: &str) -> String {
    percent_encoding::utf8_percent_encode(s, percent_encoding::NON_ALPHANUMERIC).to_string()
}

#[derive(Deserialize)]
pub struct CodeForm {
    #[serde(default)]
    code: String,
    next: Option<String>,
}

const WRONG_CODE: &str = "Ce code n’est pas le bon, ou il a déjà servi. Attendez le suivant, ou utilisez un code de secours.";

/// `POST /login/code`
pub async fn check_code(
    State(state): State<AppState>,
    parts: Parts,
    Form(form): Form<CodeForm>,
) -> Result<Response, AppError> {
    let next = safe_next(form.next.as_deref());
    let Some((token, user, client)) = waiting(&parts, &state).await? else {
        return Ok(Redirect::to(&format!("/login?next={}", urlencode(&next))).into_response());
    };
    let config = &state.config;
    let address = client_addr(
        &parts,
        config.client_ip_header.as_deref(),
        &config.trusted_proxies,
    );
    // Counted before the code is checked, as passwords are.
    let keys = throttle_keys(&format!("second-factor:{user}"), &address, None);
    if let Attempt::Wait(wait) = throttle::attempt(&state.pool, &keys.all()).await? {
        return Err(AppError::Throttled(wait));
    }
    let typed = form.code.trim();
    let mut tx = state.pool.begin().await?;
    let used = if totp::is_recovery_code(typed) {
        two_factor::use_recovery_code(&mut tx, user, &totp::recovery_digest(typed))
            .await?
            .then_some("recovery_code")
    } else {
        match two_factor::for_check(&mut tx, user).await? {
            Some((secret, last)) => {
                let now = totp::step_of(OffsetDateTime::now_utc().unix_timestamp());
                match secret.check(typed, now, last) {
                    Some(step) if two_factor::accept_step(&mut tx, user, step).await? => {
                        Some("code")
                    }
                    _ => None,
                }
            }
            None => None,
        }
    };
    let Some(used) = used else {
        tx.rollback().await?;
        let mut conn = state.pool.acquire().await?;
        audit::record(
            &mut conn,
            Some(user),
            AuditAction::LoginFailed,
            &user.to_string(),
            json!({ "step": "second_factor" }),
        )
        .await?;
        let page = code_page(&state, next, Some(WRONG_CODE));
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    };
    for (key, _) in &keys.account {
        throttle::succeeded(&mut tx, key).await?;
    }
    throttle::forgive(&mut tx, &keys.address.0, keys.address.1).await?;
    // A new session id now that both factors are given; the waiting one is gone — taken once
    // (two codes at the same moment, or a sign-in cancelled meanwhile, open nothing more).
    if !sessions::delete_waiting(&mut tx, &token).await? {
        return Ok(Redirect::to("/login").into_response());
    }
    let session = sessions::create(&mut tx, user, &client, config.session_max).await?;
    audit::record(
        &mut tx,
        Some(user),
        AuditAction::Login,
        &user.to_string(),
        json!({ "second_factor": used }),
    )
    .await?;
    let editor = users::account(&state.pool, user)
        .await?
        .is_some_and(|a| a.role.is_editor());
    tx.commit().await?;
    Ok((
        AppendHeaders([
            set_session_cookie(&state, &session.token),
            staff_cookie(&state, editor),
        ]),
        Redirect::to(&next),
    )
        .into_response())
}

/// `POST /login/code/cancel`: gives up on this sign-in.
pub async fn cancel_code(
    State(state): State<AppState>,
    parts: Parts,
) -> Result<Response, AppError> {
    if let Some((token, _, _)) = waiting(&parts, &state).await? {
        let mut conn = state.pool.acquire().await?;
        sessions::delete(&mut conn, &token).await?;
    }
    Ok((
        AppendHeaders([clear_session_cookie(&state)]),
        Redirect::to("/login"),
    )
        .into_response())
}

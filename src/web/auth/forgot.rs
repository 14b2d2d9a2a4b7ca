//! "Mot de passe oublié": from the sign-in page, an e-mail address gets, if it is an enabled
//! account's, a link to choose a new password (valid an hour, once). The answer is the same
//! whether the address is known or not, and requests are throttled per address and per client.
//! Only offered when mail is on (`VIGIE_SMTP_URL`); otherwise an admin hands over a link.

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::State;
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::json;

use crate::domain::throttle::keys as throttle_keys;
use crate::store::jobs::{self, Kind};
use crate::store::throttle::{self, Attempt};
use crate::web::serve::client_addr;
use crate::web::{AppError, AppState, Page};

#[derive(Template, WebTemplate)]
#[template(path = "auth/forgot.html")]
pub struct ForgotTemplate {
    page: Page,
    email: String,
    /// Set once the form was sent: the same words whoever the address is.
    sent: bool,
    error: Option<&'static str>,
}

fn forgot_page(state: &AppState, email: String, sent: bool) -> ForgotTemplate {
    ForgotTemplate {
        page: state.page("Mot de passe oublié — Vigie".to_owned()),
        email,
        sent,
        error: None,
    }
}

/// `GET /password/forgot`
pub async fn forgot_form(State(state): State<AppState>) -> Result<Response, AppError> {
    if state.mailer.is_none() {
        return Err(AppError::NotFound);
    }
    Ok(forgot_page(&state, String::new(), false).into_response())
}

#[derive(Deserialize)]
pub struct ForgotForm {
    #[serde(default)]
    email: String,
}

/// `POST /password/forgot`
pub async fn send_link(
    State(state): State<AppState>,
    parts: Parts,
    Form(form): Form<ForgotForm>,
) -> Result<Response, AppError> {
    if state.mailer.is_none() {
        return Err(AppError::NotFound);
    }
    let email = form.email.trim().to_owned();
    if email.is_empty() || email.len() > 254 || email.contains('\0') {
        let mut page = forgot_page(&state, email, false);
        page.error = Some("Indiquez l’adresse e-mail de votre compte.");
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    }
    let config = &state.config;
    let address = client_addr(
        &parts,
        config.client_ip_header.as_deref(),
        &config.trusted_proxies,
    );
    // Every request counts, known address or not: nobody floods a colleague's mailbox, nor
    // tries addresses at will.
    let keys = throttle_keys(&format!("reset:{}", email.to_lowercase()), &address, None);
    if let Attempt::Wait(wait) = throttle::attempt(&state.pool, &keys.all()).await? {
        return Err(AppError::Throttled(wait));
    }
    // The same work whatever the address: the lookup and the link are the job's.
    let mut conn = state.pool.acquire().await?;
    jobs::add(&mut conn, Kind::PasswordReset, json!({ "email": email })).await?;
    Ok(forgot_page(&state, email, true).into_response())
}

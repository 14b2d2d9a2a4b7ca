//! Signing in and out. Unknown e-mail, wrong password, disabled account or no password yet all
//! get the same answer after the same work, so the form reveals nobody's account. Failures are
//! throttled per account and per client address, in the database.

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::{AppendHeaders, IntoResponse, Redirect, Response};
use serde::Deserialize;
use serde_json::json;

use super::{
    CurrentUser, SignedForm, clear_session_cookie, device_cookie, safe_next, session_cookie,
    set_device_cookie, set_session_cookie, staff_cookie,
};
use crate::domain::AuditAction;
use crate::domain::password::{self, DECOY_HASH, MAX_CHARS, Verified};
use crate::domain::throttle::keys as throttle_keys;
use crate::store::throttle::{self, Attempt};
use crate::store::{audit, sessions, two_factor, users};
use crate::web::serve::client_addr;
use crate::web::{AppError, AppState, Page};

#[derive(Template, WebTemplate)]
#[template(path = "auth/login.html")]
pub struct LoginTemplate {
    page: Page,
    email: String,
    next: String,
    error: Option<&'static str>,
    /// "Mot de passe oublié" is offered when mail can carry the link.
    can_reset: bool,
}

#[derive(Deserialize)]
pub struct Next {
    next: Option<String>,
}

pub async fn login_page(
    State(state): State<AppState>,
    user: Option<CurrentUser>,
    Query(q): Query<Next>,
) -> Response {
    let next = safe_next(q.next.as_deref());
    if user.is_some() {
        return Redirect::to(&next).into_response();
    }
    LoginTemplate {
        page: state.page("Connexion — Vigie".to_owned()),
        email: String::new(),
        next,
        error: None,
        can_reset: state.mailer.is_some(),
    }
    .into_response()
}

#[derive(Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
    next: Option<String>,
}

const WRONG: &str = "Adresse e-mail ou mot de passe incorrect.";

pub async fn login(
    State(state): State<AppState>,
    parts: Parts,
    Form(form): Form<LoginForm>,
) -> Result<Response, AppError> {
    let next = safe_next(form.next.as_deref());
    let again = |status: StatusCode, error: &'static str| {
        let page = LoginTemplate {
            page: state.page("Connexion — Vigie".to_owned()),
            email: form.email.trim().to_owned(),
            next: next.clone(),
            error: Some(error),
            can_reset: state.mailer.is_some(),
        };
        (status, page).into_response()
    };
    let email = form.email.trim();
    // Nobody's address or password is this long: refused before any work, whoever it names.
    if email.len() > 254 || email.contains('\0') || form.password.chars().count() > MAX_CHARS {
        return Ok(again(StatusCode::UNPROCESSABLE_ENTITY, WRONG));
    }

    let candidate = users::for_login(&state.pool, email).await?;
    let config = &state.config;
    let address = client_addr(
        &parts,
        config.client_ip_header.as_deref(),
        &config.trusted_proxies,
    );
    // Counted before the password is checked. The account is named by its id when it exists
    // (however the address was spelled), and limited tightly per client address but only
    // loosely overall. A browser that signed in to it before (its device cookie) is limited on
    // its own and spared the account-wide limit, so nobody can lock a colleague out from
    // elsewhere, however many addresses they try from.
    let account = match &candidate {
        Some(c) => format!("user:{}", c.id),
        None => format!("email:{}", email.to_lowercase()),
    };
    let device = device_cookie(&parts, &state);
    let known = match (&device, &candidate) {
        (Some(token), Some(c)) => throttle::known_device(&state.pool, token, c.id).await?,
        _ => false,
    };
    let device_id = device
        .as_deref()
        .filter(|_| known)
        .map(|token| hex_digest(token)[..16].to_owned());
    let keys = throttle_keys(&account, &address, device_id.as_deref());
    if let Attempt::Wait(wait) = throttle::attempt(&state.pool, &keys.all()).await? {
        tracing::info!(known_device = known, "sign-in refused while throttled");
        return Err(AppError::Throttled(wait));
    }

    // Always one full argon2 check, against a decoy when there is no usable hash, so timing
    // says nothing about which e-mail addresses exist.
    let stored = candidate
        .as_ref()
        .filter(|c| !c.disabled)
        .and_then(|c| c.password_hash.clone());
    let usable = stored.is_some();
    let hash = stored.unwrap_or_else(|| DECOY_HASH.clone());
    let typed = form.password.clone();
    let verified = state
        .hash_work(move || password::verify(&typed, &hash))
        .await?;

    let editor = candidate.as_ref().is_some_and(|c| c.role.is_editor());
    let (user_id, rehash) = match (usable, verified, &candidate) {
        (true, Verified::Match { rehash }, Some(c)) => (c.id, rehash),
        _ => {
            let mut conn = state.pool.acquire().await?;
            let target = candidate
                .as_ref()
                .map(|c| c.id.to_string())
                .unwrap_or_default();
            audit::record(
                &mut conn,
                None,
                AuditAction::LoginFailed,
                &target,
                json!({ "email": email }),
            )
            .await?;
            return Ok(again(StatusCode::UNPROCESSABLE_ENTITY, WRONG));
        }
    };

    // Stored with weaker parameters than today's: store a fresh hash while we have the password.
    let new_hash = if rehash {
        let typed = form.password.clone();
        state
            .hash_work(move || password::rehash(&typed).ok())
            .await?
    } else {
        None
    };
    let mut tx = state.pool.begin().await?;
    if let Some(hash) = &new_hash {
        users::set_password_hash(&mut tx, user_id, hash).await?;
    }
    for (key, _) in &keys.account {
        throttle::succeeded(&mut tx, key).await?;
    }
    throttle::forgive(&mut tx, &keys.address.0, keys.address.1).await?;
    throttle::sweep(&mut tx).await?;
    // This browser is known to this account from now on. Its token is one we made for this
    // account: a cookie planted before (or another account's) is not adopted, or whoever
    // planted it would know it.
    // A browser this account never used, when it has used others: its owner hears of it.
    let client = super::client_of(&parts, &state);
    if !known && users::known_devices(&mut tx, user_id).await? > 0 {
        state
            .new_device_notice(&mut tx, user_id, &client.user_agent, &client.address)
            .await?;
    }
    let device = match device.filter(|_| known) {
        Some(token) => token,
        None => sessions::new_token()?,
    };
    throttle::remember_device(&mut tx, &device, user_id).await?;
    sessions::sweep(&mut tx, state.config.session_idle).await?;
    // A new session id at every sign-in: a session id planted before it is worth nothing.
    if let Some(old) = session_cookie(&parts, &state) {
        sessions::delete(&mut tx, &old).await?;
    }
    if two_factor::has_factor(&mut tx, user_id).await? {
        // The password was right; the session opens nothing until the code is given too.
        let waiting =
            sessions::create_pending(&mut tx, user_id, &client, super::second_factor::CODE_WAIT)
                .await?;
        tx.commit().await?;
        let code = format!(
            "/login/code?next={}",
            percent_encoding::utf8_percent_encode(&next, percent_encoding::NON_ALPHANUMERIC)
        );
        return Ok((
            AppendHeaders([
                set_session_cookie(&state, &waiting.token),
                set_device_cookie(&state, &device),
            ]),
            Redirect::to(&code),
        )
            .into_response());
    }
    let session = sessions::create(&mut tx, user_id, &client, state.config.session_max).await?;
    audit::record(
        &mut tx,
        Some(user_id),
        AuditAction::Login,
        &user_id.to_string(),
        json!({ "rehashed": new_hash.is_some() }),
    )
    .await?;
    tx.commit().await?;
    Ok((
        // Two cookies: `Set-Cookie` lines are appended, never merged or replaced.
        AppendHeaders([
            set_session_cookie(&state, &session.token),
            set_device_cookie(&state, &device),
            // Only those who may change any article get the public pages' "Modifier" link
            // (a journalist's would lead nowhere); anyone else's hint is taken away.
            staff_cookie(&state, editor),
        ]),
        Redirect::to(&next),
    )
        .into_response())
}

#[derive(Deserialize)]
pub struct NoFields {}

pub async fn logout(
    State(state): State<AppState>,
    signed: SignedForm<NoFields>,
) -> Result<Response, AppError> {
    let user = signed.user;
    let mut tx = state.pool.begin().await?;
    sessions::delete(&mut tx, &user.session_token).await?;
    audit::record(
        &mut tx,
        Some(user.id),
        AuditAction::Logout,
        &user.id.to_string(),
        json!({}),
    )
    .await?;
    tx.commit().await?;
    Ok((
        AppendHeaders([clear_session_cookie(&state), staff_cookie(&state, false)]),
        Redirect::to("/"),
    )
        .into_response())
}

/// A device token's digest in hexadecimal: throttle keys name a browser without holding its
/// cookie.
fn hex_digest(token: &str) -> String {
    sessions::digest(token)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

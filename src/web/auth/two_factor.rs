//! Setting up one's second factor from `/account`: a new secret shown as a QR code (and as the
//! `otpauth://` address and text), confirmed by a first code; ten recovery codes shown once;
//! new codes or turning it off only with the current password. Admins may take a colleague's
//! factor away (a lost phone), which ends their sessions. Every change is audited.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use serde_json::json;
use time::OffsetDateTime;
use uuid::Uuid;

use super::account::{AccountTemplate, reauthenticate};
use super::{CurrentUser, SignedForm};
use crate::domain::AuditAction;
use crate::domain::totp::{self, Secret};
use crate::mail::messages::Security;
use crate::store::two_factor::{self, Factor};
use crate::store::{audit, sessions};
use crate::web::error::PathId;
use crate::web::{AppError, AppState, Page};

/// What the account page shows of the factor being set up.
pub struct SettingUp {
    /// The QR code of the `otpauth://` address, as SVG (drawn here, from no user input but
    /// the account's e-mail inside the address).
    pub qr_svg: String,
    pub uri: String,
    pub text: String,
}

impl SettingUp {
    pub fn of(secret: &Secret, email: &str) -> Self {
        let uri = secret.uri("Vigie", email);
        let qr_svg = qrcode::QrCode::new(uri.as_bytes())
            .map(|code| {
                code.render::<qrcode::render::svg::Color<'_>>()
                    .min_dimensions(200, 200)
                    .quiet_zone(true)
                    .build()
            })
            .unwrap_or_default();
        // The XML declaration has no place inside an HTML page.
        let qr_svg = match qr_svg.find("<svg") {
            Some(at) => qr_svg[at..].to_owned(),
            None => String::new(),
        };
        Self {
            qr_svg,
            uri,
            text: secret.base32(),
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "auth/recovery_codes.html")]
pub struct RecoveryCodesTemplate {
    page: Page,
    codes: Vec<String>,
    first: bool,
}

/// The codes, once, never kept by a cache or shown again.
fn show_codes(state: &AppState, user: &CurrentUser, codes: Vec<String>, first: bool) -> Response {
    let page = RecoveryCodesTemplate {
        page: state.page_for(user, "Codes de secours — Vigie".to_owned()),
        codes,
        first,
    };
    let mut response = page.into_response();
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

fn fresh_codes() -> Result<(Vec<String>, Vec<Vec<u8>>), AppError> {
    let codes = totp::new_recovery_codes().ok_or(AppError::Busy)?;
    let digests = codes.iter().map(|c| totp::recovery_digest(c)).collect();
    Ok((codes, digests))
}

async fn record(
    conn: &mut sqlx::PgConnection,
    actor: Uuid,
    target: Uuid,
    change: &str,
) -> Result<(), AppError> {
    audit::record(
        conn,
        Some(actor),
        AuditAction::UserSecondFactor,
        &target.to_string(),
        json!({ "change": change }),
    )
    .await?;
    Ok(())
}

#[derive(Deserialize)]
pub struct NoFields {}

/// `POST /account/two-factor`: a new secret to set up (one being set up is replaced).
pub async fn start(
    State(state): State<AppState>,
    SignedForm { user, .. }: SignedForm<NoFields>,
) -> Result<Response, AppError> {
    let secret = Secret::generate().ok_or(AppError::Busy)?;
    let mut conn = state.pool.acquire().await?;
    // Already on: nothing to start.
    let _ = two_factor::start(&mut conn, user.id, &secret).await?;
    Ok(Redirect::to("/account#second-factor").into_response())
}

#[derive(Deserialize)]
pub struct CodeForm {
    #[serde(default)]
    code: String,
    /// The current password: a session alone (perhaps a stolen one) cannot tie the account to
    /// someone else's phone.
    #[serde(default)]
    current: String,
}

/// `POST /account/two-factor/confirm`: the first code, with the password, turns it on; the
/// recovery codes follow, and the account's other sessions end.
pub async fn confirm(
    State(state): State<AppState>,
    SignedForm { user, form }: SignedForm<CodeForm>,
) -> Result<Response, AppError> {
    let Factor::SettingUp(secret) = two_factor::factor(&state.pool, user.id).await? else {
        return Ok(Redirect::to("/account#second-factor").into_response());
    };
    if !reauthenticate(&state, user.id, &form.current).await? {
        return wrong_password(&state, user).await;
    }
    let now = totp::step_of(OffsetDateTime::now_utc().unix_timestamp());
    let Some(step) = secret.check(&form.code, now, 0) else {
        let mut page = AccountTemplate::new(&state, user).await?;
        page.two_factor_error = Some(
            "Ce code ne correspond pas : vérifiez l’heure de votre téléphone et tapez le code affiché maintenant.",
        );
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    };
    let (codes, digests) = fresh_codes()?;
    let mut tx = state.pool.begin().await?;
    if !two_factor::confirm(&mut tx, user.id, step, &digests).await? {
        return Ok(Redirect::to("/account#second-factor").into_response());
    }
    record(&mut tx, user.id, user.id, "on").await?;
    sessions::delete_all_for(&mut tx, user.id, Some(&user.session_token)).await?;
    state
        .security_notice(&mut tx, user.id, Security::SecondFactorOn)
        .await?;
    tx.commit().await?;
    Ok(show_codes(&state, &user, codes, true))
}

#[derive(Deserialize)]
pub struct PasswordForm {
    #[serde(default)]
    current: String,
}

/// The account page again, 422, saying the password was not the right one.
async fn wrong_password(state: &AppState, user: CurrentUser) -> Result<Response, AppError> {
    let mut page = AccountTemplate::new(state, user).await?;
    page.two_factor_error = Some("Le mot de passe actuel est incorrect.");
    Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
}

/// `POST /account/two-factor/codes`: new recovery codes (the old ones stop working).
pub async fn new_codes(
    State(state): State<AppState>,
    SignedForm { user, form }: SignedForm<PasswordForm>,
) -> Result<Response, AppError> {
    if !matches!(
        two_factor::factor(&state.pool, user.id).await?,
        Factor::Confirmed { .. }
    ) {
        return Ok(Redirect::to("/account#second-factor").into_response());
    }
    if !reauthenticate(&state, user.id, &form.current).await? {
        return wrong_password(&state, user).await;
    }
    let (codes, digests) = fresh_codes()?;
    let mut tx = state.pool.begin().await?;
    two_factor::replace_codes(&mut tx, user.id, &digests).await?;
    record(&mut tx, user.id, user.id, "new_codes").await?;
    tx.commit().await?;
    Ok(show_codes(&state, &user, codes, false))
}

/// `POST /account/two-factor/remove`: turns it off (with the password once it is on; one
/// being set up is simply dropped).
pub async fn remove(
    State(state): State<AppState>,
    SignedForm { user, form }: SignedForm<PasswordForm>,
) -> Result<Response, AppError> {
    let factor = two_factor::factor(&state.pool, user.id).await?;
    let on = matches!(factor, Factor::Confirmed { .. });
    if !on {
        // Only one being set up goes without the password (one confirmed meanwhile stays).
        let mut conn = state.pool.acquire().await?;
        two_factor::drop_setup(&mut conn, user.id).await?;
        return Ok(Redirect::to("/account?saved=two_factor_off#second-factor").into_response());
    }
    if !reauthenticate(&state, user.id, &form.current).await? {
        return wrong_password(&state, user).await;
    }
    let mut tx = state.pool.begin().await?;
    if two_factor::remove(&mut tx, user.id).await? {
        record(&mut tx, user.id, user.id, "off").await?;
        state
            .security_notice(&mut tx, user.id, Security::SecondFactorOff)
            .await?;
    }
    tx.commit().await?;
    Ok(Redirect::to("/account?saved=two_factor_off#second-factor").into_response())
}

/// `POST /admin/users/{id}/two-factor/reset` (admins): a colleague who lost their phone and
/// their codes signs in with their password again, then sets up a new factor. Their sessions
/// end.
pub async fn reset(
    State(state): State<AppState>,
    PathId(id): PathId<Uuid>,
    SignedForm { user, .. }: SignedForm<NoFields>,
) -> Result<Response, AppError> {
    let mut tx = state.pool.begin().await?;
    if !two_factor::remove(&mut tx, id).await? {
        return Err(AppError::NotFound);
    }
    sessions::delete_all_for(&mut tx, id, None).await?;
    record(&mut tx, user.id, id, "reset").await?;
    state
        .security_notice(&mut tx, id, Security::SecondFactorOff)
        .await?;
    tx.commit().await?;
    Ok(Redirect::to("/admin/users?done=two_factor_reset").into_response())
}

//! `/password?token=…`: the one-time page an admin's link opens, where a person sets their
//! password. The link works once, for three days; setting the password ends the person's
//! other sessions.

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use serde_json::json;

use crate::mail::messages::Security;

use super::explain_password;
use crate::domain::AuditAction;
use crate::domain::password::{self, Password};
use crate::store::{audit, sessions, users};
use crate::web::{AppError, AppState, Page};

#[derive(Template, WebTemplate)]
#[template(path = "auth/password.html")]
pub struct PasswordPage {
    page: Page,
    token: String,
    error: Option<&'static str>,
}

#[derive(Deserialize)]
pub struct TokenQuery {
    #[serde(default)]
    token: String,
}

pub async fn password_page(
    State(state): State<AppState>,
    Query(q): Query<TokenQuery>,
) -> Result<PasswordPage, AppError> {
    let mut conn = state.pool.acquire().await?;
    if q.token.contains('\0')
        || users::password_token_user(&mut conn, &q.token)
            .await?
            .is_none()
    {
        return Err(AppError::NotFound);
    }
    Ok(PasswordPage {
        page: state.page("Choisir un mot de passe — Vigie".to_owned()),
        token: q.token,
        error: None,
    })
}

#[derive(Deserialize)]
pub struct PasswordForm {
    #[serde(default)]
    token: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    password_confirm: String,
}

pub async fn set_password(
    State(state): State<AppState>,
    Form(form): Form<PasswordForm>,
) -> Result<Response, AppError> {
    let user = {
        let mut conn = state.pool.acquire().await?;
        if form.token.contains('\0') {
            return Err(AppError::NotFound);
        }
        users::password_token_user(&mut conn, &form.token)
            .await?
            .ok_or(AppError::NotFound)?
    };
    let error = match Password::parse(&form.password) {
        Err(e) => Some(explain_password(&e)),
        Ok(_) if form.password != form.password_confirm => {
            Some("Les deux mots de passe ne sont pas identiques.")
        }
        Ok(_) => None,
    };
    let (Ok(chosen), None) = (Password::parse(&form.password), error) else {
        let page = PasswordPage {
            page: state.page("Choisir un mot de passe — Vigie".to_owned()),
            token: form.token,
            error,
        };
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    };
    let hash = state
        .hash_work(move || password::hash(&chosen))
        .await?
        .map_err(|_| AppError::Busy)?;
    let mut tx = state.pool.begin().await?;
    // Spent inside the transaction: two submissions of one link set one password.
    if users::spend_password_token(&mut tx, &form.token).await? != Some(user) {
        return Err(AppError::NotFound);
    }
    users::set_password_hash(&mut tx, user, &hash).await?;
    crate::store::throttle::forget_devices(&mut tx, user).await?;
    sessions::delete_all_for(&mut tx, user, None).await?;
    audit::record(
        &mut tx,
        Some(user),
        AuditAction::UserPassword,
        &user.to_string(),
        json!({ "via": "link" }),
    )
    .await?;
    state
        .security_notice(&mut tx, user, Security::Password)
        .await?;
    tx.commit().await?;
    Ok(Redirect::to("/login").into_response())
}

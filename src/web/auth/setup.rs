//! First-run setup: while nobody can sign in, the log shows a one-time `/setup?token=…` link
//! whose page creates the first admin. Afterwards the page answers 404, for ever.

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{AppendHeaders, IntoResponse, Redirect, Response};
use serde::Deserialize;
use serde_json::json;

use super::{explain_password, explain_text, set_session_cookie, staff_cookie};
use crate::domain::password::{self, Password};
use crate::domain::{AuditAction, DisplayName, Email, Role};
use crate::store::{audit, sessions, setup, users};
use crate::web::{AppError, AppState, Page};

#[derive(Template, WebTemplate)]
#[template(path = "auth/setup.html")]
pub struct SetupTemplate {
    page: Page,
    token: String,
    email: String,
    display_name: String,
    errors: Vec<&'static str>,
}

#[derive(Deserialize)]
pub struct TokenQuery {
    token: Option<String>,
}

pub async fn setup_page(
    State(state): State<AppState>,
    Query(q): Query<TokenQuery>,
) -> Result<SetupTemplate, AppError> {
    let token = q.token.unwrap_or_default();
    let mut conn = state.pool.acquire().await?;
    if !setup::token_is_valid(&mut conn, &token).await? {
        return Err(AppError::NotFound);
    }
    Ok(SetupTemplate {
        page: state.page("Première connexion — Vigie".to_owned()),
        token,
        email: String::new(),
        display_name: String::new(),
        errors: Vec::new(),
    })
}

#[derive(Deserialize)]
pub struct SetupForm {
    #[serde(default)]
    token: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    display_name: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    password_confirm: String,
}

pub async fn setup(
    State(state): State<AppState>,
    parts: axum::http::request::Parts,
    Form(form): Form<SetupForm>,
) -> Result<Response, AppError> {
    {
        let mut conn = state.pool.acquire().await?;
        if !setup::token_is_valid(&mut conn, &form.token).await? {
            return Err(AppError::NotFound);
        }
    }
    let email = Email::parse(&form.email);
    let name = DisplayName::parse(&form.display_name);
    let password = Password::parse(&form.password);
    let mut errors = Vec::new();
    if let Err(e) = &email {
        errors.push(explain_text(e));
    }
    if let Err(e) = &name {
        errors.push(explain_text(e));
    }
    match &password {
        Err(e) => errors.push(explain_password(e)),
        Ok(_) if form.password != form.password_confirm => {
            errors.push("Les deux mots de passe ne sont pas identiques.");
        }
        Ok(_) => {}
    }
    if let Ok(email) = &email
        && users::id_by_email(&mut *state.pool.acquire().await?, email)
            .await?
            .is_some()
    {
        errors.push("Un compte existe déjà avec cette adresse e-mail.");
    }
    let (Ok(email), Ok(name), Ok(password), true) = (email, name, password, errors.is_empty())
    else {
        let page = SetupTemplate {
            page: state.page("Première connexion — Vigie".to_owned()),
            token: form.token,
            email: form.email,
            display_name: form.display_name,
            errors,
        };
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    };
    let hash = state
        .hash_work(move || password::hash(&password))
        .await?
        .map_err(|_| AppError::Busy)?;

    let mut tx = state.pool.begin().await?;
    // Two people submitting at once: the second finds the token spent.
    sqlx::query("select pg_advisory_xact_lock(hashtext('vigie-setup'))")
        .execute(&mut *tx)
        .await?;
    if !setup::token_is_valid(&mut tx, &form.token).await? {
        return Err(AppError::NotFound);
    }
    let new = users::NewUser {
        email: &email,
        display_name: &name,
        role: Role::Admin,
        bio: "",
        password_hash: Some(&hash),
    };
    let id = users::create(&mut tx, &new).await?;
    setup::finish(&mut tx).await?;
    audit::record(
        &mut tx,
        Some(id),
        AuditAction::UserCreate,
        &id.to_string(),
        json!({ "via": "setup", "role": "admin" }),
    )
    .await?;
    let client = super::client_of(&parts, &state);
    let session = sessions::create(&mut tx, id, &client, state.config.session_max).await?;
    tx.commit().await?;
    tracing::info!(user = %id, "first admin created; setup is closed");
    Ok((
        AppendHeaders([
            set_session_cookie(&state, &session.token),
            staff_cookie(&state, true),
        ]),
        Redirect::to("/account"),
    )
        .into_response())
}

//! `/admin/users` (admins): the newsroom's accounts — create one (with a one-time link to set
//! the password, shown once), change a role, disable or enable, issue a new password link.
//! There is always at least one enabled admin, and an admin cannot demote themselves.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use serde_json::json;
use uuid::Uuid;

use crate::domain::{AuditAction, DisplayName, Email, Role};
use crate::store::{audit, users};
use crate::web::auth::{CurrentUser, SignedForm};
use crate::web::error::PathId;
use crate::web::{AppError, AppState, Page};

pub struct Line {
    pub id: Uuid,
    pub email: String,
    pub name: String,
    pub role: Role,
    pub disabled: bool,
    pub has_password: bool,
    pub two_factor: bool,
    pub is_me: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "admin/users.html")]
pub struct UsersPage {
    page: Page,
    csrf: String,
    lines: Vec<Line>,
    /// A link to hand to someone, shown this once.
    link: Option<(String, String)>,
    /// Whom the link was sent to by e-mail instead (then it is not shown): a new account's
    /// invitation, or a new password link.
    mailed_to: Option<String>,
    link_mailed_to: Option<String>,
    notice: Option<&'static str>,
    error: Option<&'static str>,
    email: String,
    name: String,
    role: String,
}

async fn users_page(state: &AppState, user: &CurrentUser) -> Result<UsersPage, AppError> {
    let lines = users::list(&state.pool)
        .await?
        .into_iter()
        .map(|u| Line {
            is_me: u.id == user.id,
            id: u.id,
            email: u.email,
            name: u.display_name,
            role: u.role,
            disabled: u.disabled,
            has_password: u.has_password,
            two_factor: u.two_factor,
        })
        .collect();
    Ok(UsersPage {
        page: state.page_for(user, "Comptes — Vigie".to_owned()),
        csrf: user.csrf_token().to_owned(),
        lines,
        link: None,
        mailed_to: None,
        link_mailed_to: None,
        notice: None,
        error: None,
        email: String::new(),
        name: String::new(),
        role: "journalist".to_owned(),
    })
}

#[derive(Deserialize)]
pub struct Done {
    done: Option<String>,
}

pub async fn list(
    State(state): State<AppState>,
    user: CurrentUser,
    axum::extract::Query(q): axum::extract::Query<Done>,
) -> Result<UsersPage, AppError> {
    let mut page = users_page(&state, &user).await?;
    page.notice = match q.done.as_deref() {
        Some("role") => Some("Rôle changé ; ses sessions ouvertes sont fermées."),
        Some("disabled") => {
            Some("Compte désactivé ; ses sessions sont fermées, ses articles restent.")
        }
        Some("enabled") => Some("Compte réactivé."),
        Some("two_factor_reset") => Some(
            "Double authentification retirée ; ses sessions sont fermées. La personne se connecte avec son mot de passe et en configure une nouvelle.",
        ),
        _ => None,
    };
    Ok(page)
}

fn link(state: &AppState, token: &str) -> String {
    format!("{}/password?token={token}", state.config.base_url)
}

#[derive(Deserialize)]
pub struct NewUser {
    #[serde(default)]
    email: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    role: String,
}

pub async fn create(
    State(state): State<AppState>,
    signed: SignedForm<NewUser>,
) -> Result<Response, AppError> {
    let SignedForm { user, form } = signed;
    let email = Email::parse(&form.email);
    let name = DisplayName::parse(&form.name);
    let role = Role::parse(&form.role);
    let mut error = match (&email, &name, role) {
        (Err(_), _, _) => Some("Cette adresse e-mail n’est pas valide."),
        (_, Err(_), _) => Some("Le nom compte 1 à 100 caractères, sur une seule ligne."),
        (_, _, None) => Some("Choisissez un rôle."),
        _ => None,
    };
    let mut tx = state.pool.begin().await?;
    if let Ok(email) = &email
        && error.is_none()
        && users::id_by_email(&mut tx, email).await?.is_some()
    {
        error = Some("Un compte existe déjà avec cette adresse e-mail.");
    }
    let (Ok(email), Ok(name), Some(role), None) = (email, name, role, error) else {
        drop(tx);
        let mut page = users_page(&state, &user).await?;
        page.error = error;
        page.email = form.email;
        page.name = form.name;
        page.role = form.role;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    };
    let new = users::NewUser {
        email: &email,
        display_name: &name,
        role,
        bio: "",
        password_hash: None,
    };
    let id = match users::create(&mut tx, &new).await {
        Ok(id) => id,
        // Created by someone else at the same moment.
        Err(e) if crate::store::violates(&e, "app_user_email_key") => {
            drop(tx);
            return refused(
                &state,
                &user,
                "Un compte existe déjà avec cette adresse e-mail.",
            )
            .await;
        }
        Err(e) => return Err(e.into()),
    };
    let token = users::new_password_token(&mut tx, id, user.id).await?;
    audit::record(
        &mut tx,
        Some(user.id),
        AuditAction::UserCreate,
        &id.to_string(),
        json!({ "role": role.as_str(), "via": "admin" }),
    )
    .await?;
    // With a mail server the person gets the link themself; without, the admin hands it over.
    let url = link(&state, &token);
    let mailed = state
        .mail_user(&mut tx, id, |to| {
            crate::mail::messages::invitation(to, &user.display_name, &url)
        })
        .await?;
    tx.commit().await?;
    // Shown in this answer only (never in a redirect's URL).
    let mut page = users_page(&state, &user).await?;
    if mailed {
        page.mailed_to = Some(email.as_str().to_owned());
    } else {
        page.link = Some((name.as_str().to_owned(), url));
    }
    Ok(page.into_response())
}

#[derive(Deserialize)]
pub struct RoleForm {
    #[serde(default)]
    role: String,
}

/// Refuses what would leave the newsroom without an enabled admin.
async fn keeps_an_admin(
    conn: &mut sqlx::PgConnection,
    target: Uuid,
    stays_admin: bool,
) -> Result<bool, AppError> {
    let target_is_admin = sqlx::query_scalar!(
        r#"select (role = 'admin' and disabled_at is null) as "admin!" from app_user where id = $1"#,
        target
    )
    .fetch_optional(&mut *conn)
    .await?
    .ok_or(AppError::NotFound)?;
    Ok(stays_admin || !target_is_admin || users::other_active_admins(conn, target).await? > 0)
}

async fn refused(
    state: &AppState,
    user: &CurrentUser,
    error: &'static str,
) -> Result<Response, AppError> {
    let mut page = users_page(state, user).await?;
    page.error = Some(error);
    Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
}

pub async fn change_role(
    State(state): State<AppState>,
    PathId(id): PathId<Uuid>,
    signed: SignedForm<RoleForm>,
) -> Result<Response, AppError> {
    let SignedForm { user, form } = signed;
    let Some(role) = Role::parse(&form.role) else {
        return refused(&state, &user, "Choisissez un rôle.").await;
    };
    if id == user.id && role != Role::Admin {
        return refused(
            &state,
            &user,
            "Vous ne pouvez pas retirer votre propre rôle d’administrateur.",
        )
        .await;
    }
    let mut tx = state.pool.begin().await?;
    if !keeps_an_admin(&mut tx, id, role == Role::Admin).await? {
        return refused(
            &state,
            &user,
            "Il doit rester au moins un administrateur actif.",
        )
        .await;
    }
    users::set_role(&mut tx, id, role).await?;
    audit::record(
        &mut tx,
        Some(user.id),
        AuditAction::UserRole,
        &id.to_string(),
        json!({ "role": role.as_str() }),
    )
    .await?;
    tx.commit().await?;
    Ok(Redirect::to("/admin/users?done=role").into_response())
}

#[derive(Deserialize)]
pub struct NoFields {}

async fn set_disabled(
    state: AppState,
    id: Uuid,
    signed: SignedForm<NoFields>,
    disabled: bool,
) -> Result<Response, AppError> {
    let user = signed.user;
    if disabled && id == user.id {
        return refused(
            &state,
            &user,
            "Vous ne pouvez pas désactiver votre propre compte.",
        )
        .await;
    }
    let mut tx = state.pool.begin().await?;
    if disabled && !keeps_an_admin(&mut tx, id, false).await? {
        return refused(
            &state,
            &user,
            "Il doit rester au moins un administrateur actif.",
        )
        .await;
    }
    users::set_disabled(&mut tx, id, disabled).await?;
    let action = if disabled {
        AuditAction::UserDisable
    } else {
        AuditAction::UserEnable
    };
    audit::record(&mut tx, Some(user.id), action, &id.to_string(), json!({})).await?;
    tx.commit().await?;
    let done = if disabled { "disabled" } else { "enabled" };
    Ok(Redirect::to(&format!("/admin/users?done={done}")).into_response())
}

pub async fn disable(
    State(state): State<AppState>,
    PathId(id): PathId<Uuid>,
    signed: SignedForm<NoFields>,
) -> Result<Response, AppError> {
    set_disabled(state, id, signed, true).await
}

pub async fn enable(
    State(state): State<AppState>,
    PathId(id): PathId<Uuid>,
    signed: SignedForm<NoFields>,
) -> Result<Response, AppError> {
    set_disabled(state, id, signed, false).await
}

/// A new one-time link to set the password: earlier links stop working; the current password
/// keeps working until the link is used.
pub async fn reset(
    State(state): State<AppState>,
    PathId(id): PathId<Uuid>,
    signed: SignedForm<NoFields>,
) -> Result<Response, AppError> {
    let user = signed.user;
    let mut tx = state.pool.begin().await?;
    let name = sqlx::query_scalar!("select display_name from app_user where id = $1", id)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or(AppError::NotFound)?;
    let token = users::new_password_token(&mut tx, id, user.id).await?;
    audit::record(
        &mut tx,
        Some(user.id),
        AuditAction::UserPasswordLink,
        &id.to_string(),
        json!({}),
    )
    .await?;
    // With a mail server the link goes to the person, never through the admin's screen: an
    // admin's session cannot take a colleague's account over unseen.
    let url = link(&state, &token);
    let mailed = state
        .mail_user(&mut tx, id, |to| {
            crate::mail::messages::password_link(to, &user.display_name, &url)
        })
        .await?;
    tx.commit().await?;
    let mut page = users_page(&state, &user).await?;
    if mailed {
        page.link_mailed_to = Some(name);
    } else {
        page.link = Some((name, url));
    }
    Ok(page.into_response())
}

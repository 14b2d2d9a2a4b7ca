//! `/admin/contributors`: guest contributors, bylines for people without an account (a
//! source who wrote a column, a researcher, a freelance). Editors add them, with a name and a
//! short bio that their page (`/contributors/{slug}`) shows; articles then name them among
//! their co-authors (the editor's "Signatures").

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use uuid::Uuid;

use crate::store::contributors::{self, Contributor};
use crate::web::auth::{CurrentUser, SignedForm};
use crate::web::error::PathId;
use crate::web::{AppError, AppState, Page};

#[derive(Template, WebTemplate)]
#[template(path = "admin/contributors.html")]
pub struct ContributorsPage {
    page: Page,
    csrf: String,
    contributors: Vec<Contributor>,
    notice: Option<&'static str>,
    /// What could not be saved, and for which contributor (none: the new one's form).
    error: Option<(Option<Uuid>, &'static str)>,
    name: String,
    bio: String,
}

#[derive(Deserialize)]
pub struct Done {
    done: Option<String>,
}

pub async fn list(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<Done>,
) -> Result<ContributorsPage, AppError> {
    let mut page = contributors_page(&state, &user).await?;
    page.notice = match q.done.as_deref() {
        Some("created") => Some("Contributeur ajouté : il peut signer des articles."),
        Some("updated") => Some("Contributeur enregistré."),
        _ => None,
    };
    Ok(page)
}

async fn contributors_page(
    state: &AppState,
    user: &CurrentUser,
) -> Result<ContributorsPage, AppError> {
    Ok(ContributorsPage {
        page: state.page_for(user, "Contributeurs invités — Vigie".to_owned()),
        csrf: user.csrf_token().to_owned(),
        contributors: contributors::list(&state.pool).await?,
        notice: None,
        error: None,
        name: String::new(),
        bio: String::new(),
    })
}

#[derive(Deserialize)]
pub struct ContributorForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    bio: String,
}

/// What is wrong with a contributor's name and bio, if anything.
fn problem(form: &ContributorForm) -> Option<&'static str> {
    let name = form.name.trim();
    if name.is_empty() || name.chars().count() > 120 {
        Some("Donnez un nom (120 caractères au plus).")
    } else if form.bio.trim().chars().count() > 2000 {
        Some("La présentation compte 2 000 caractères au plus.")
    } else {
        None
    }
}

async fn refused(
    state: &AppState,
    user: &CurrentUser,
    which: Option<Uuid>,
    form: &ContributorForm,
    error: &'static str,
) -> Result<Response, AppError> {
    let mut page = contributors_page(state, user).await?;
    page.error = Some((which, error));
    if which.is_none() {
        page.name = form.name.clone();
        page.bio = form.bio.clone();
    }
    Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
}

/// `POST /admin/contributors`: adds one.
pub async fn create(
    State(state): State<AppState>,
    signed: SignedForm<ContributorForm>,
) -> Result<Response, AppError> {
    let SignedForm { user, form } = signed;
    if let Some(error) = problem(&form) {
        return refused(&state, &user, None, &form, error).await;
    }
    let mut tx = state.pool.begin().await?;
    contributors::create(&mut tx, form.name.trim(), form.bio.trim(), user.id).await?;
    tx.commit().await?;
    Ok(Redirect::to("/admin/contributors?done=created").into_response())
}

/// `POST /admin/contributors/{id}`: renames or describes one.
pub async fn update(
    State(state): State<AppState>,
    PathId(id): PathId<Uuid>,
    signed: SignedForm<ContributorForm>,
) -> Result<Response, AppError> {
    let SignedForm { user, form } = signed;
    if let Some(error) = problem(&form) {
        return refused(&state, &user, Some(id), &form, error).await;
    }
    let mut tx = state.pool.begin().await?;
    let done =
        contributors::update(&mut tx, id, form.name.trim(), form.bio.trim(), user.id).await?;
    tx.commit().await?;
    if !done {
        return Err(AppError::NotFound);
    }
    Ok(Redirect::to("/admin/contributors?done=updated").into_response())
}

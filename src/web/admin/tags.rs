//! `/admin/tags`: editors and admins create tags; admins rename them (the old address
//! redirects), change their kind and description, merge one into another, and delete them
//! (one still in use only after confirming it is taken off its articles).

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use serde_json::json;
use uuid::Uuid;

use crate::domain::{AuditAction, Permission, Slug, TagKind};
use crate::store::audit;
use crate::store::tags::{self, Change, Managed};
use crate::web::auth::{CurrentUser, SignedForm};
use crate::web::error::PathId;
use crate::web::{AppError, AppState, Page};

#[derive(Template, WebTemplate)]
#[template(path = "admin/tags.html")]
pub struct TagsPage {
    page: Page,
    csrf: String,
    tags: Vec<Managed>,
    manage: bool,
    notice: Option<&'static str>,
    error: Option<String>,
    name: String,
    kind: String,
}

async fn tags_page(state: &AppState, user: &CurrentUser) -> Result<TagsPage, AppError> {
    Ok(TagsPage {
        page: state.page_for(user, "Thèmes — Vigie".to_owned()),
        csrf: user.csrf_token().to_owned(),
        tags: tags::managed(&state.pool).await?,
        manage: user.may(Permission::ManageTags),
        notice: None,
        error: None,
        name: String::new(),
        kind: "topic".to_owned(),
    })
}

async fn refused(
    state: &AppState,
    user: &CurrentUser,
    error: String,
) -> Result<Response, AppError> {
    let mut page = tags_page(state, user).await?;
    page.error = Some(error);
    Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
}

#[derive(Deserialize)]
pub struct Done {
    done: Option<String>,
}

pub async fn list(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<Done>,
) -> Result<TagsPage, AppError> {
    let mut page = tags_page(&state, &user).await?;
    page.notice = match q.done.as_deref() {
        Some("created") => Some("Thème créé."),
        Some("updated") => Some("Thème modifié ; son ancienne adresse mène à la nouvelle."),
        Some("merged") => Some("Thèmes fusionnés ; l’ancienne adresse mène au thème restant."),
        Some("deleted") => Some("Thème supprimé."),
        _ => None,
    };
    Ok(page)
}

#[derive(Deserialize)]
pub struct TagForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    description: String,
}

fn check(form: &TagForm) -> Result<(String, TagKind), &'static str> {
    let name = form.name.trim();
    if name.is_empty()
        || name.chars().count() > 100
        || Slug::derive(name).is_err()
        || name.contains('\0')
    {
        return Err("Le nom compte 1 à 100 caractères, dont au moins une lettre ou un chiffre.");
    }
    if form.description.chars().count() > 1000 || form.description.contains('\0') {
        return Err("La description compte au plus 1 000 caractères.");
    }
    let kind = TagKind::parse(&form.kind).ok_or("Choisissez le type du thème.")?;
    Ok((name.to_owned(), kind))
}

pub async fn create(
    State(state): State<AppState>,
    signed: SignedForm<TagForm>,
) -> Result<Response, AppError> {
    let SignedForm { user, form } = signed;
    let (name, kind) = match check(&form) {
        Ok(ok) => ok,
        Err(error) => {
            let mut page = tags_page(&state, &user).await?;
            page.error = Some(error.to_owned());
            page.name = form.name;
            page.kind = form.kind;
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
        }
    };
    let mut tx = state.pool.begin().await?;
    let id = tags::find_or_create(&mut tx, &name, kind, form.description.trim()).await?;
    audit::record(
        &mut tx,
        Some(user.id),
        AuditAction::TagCreate,
        &id.to_string(),
        json!({ "name": name }),
    )
    .await?;
    tx.commit().await?;
    Ok(Redirect::to("/admin/tags?done=created").into_response())
}

pub async fn update(
    State(state): State<AppState>,
    PathId(id): PathId<Uuid>,
    signed: SignedForm<TagForm>,
) -> Result<Response, AppError> {
    let SignedForm { user, form } = signed;
    let (name, kind) = match check(&form) {
        Ok(ok) => ok,
        Err(error) => return refused(&state, &user, error.to_owned()).await,
    };
    let mut tx = state.pool.begin().await?;
    match tags::update(&mut tx, id, &name, kind, &form.description).await? {
        Change::Done => {}
        Change::NameTaken => {
            return refused(
                &state,
                &user,
                format!("Un autre thème s’appelle déjà « {name} » : fusionnez-les plutôt."),
            )
            .await;
        }
        Change::NotFound => return Err(AppError::NotFound),
    }
    audit::record(
        &mut tx,
        Some(user.id),
        AuditAction::TagUpdate,
        &id.to_string(),
        json!({ "name": name, "kind": kind.as_str() }),
    )
    .await?;
    tx.commit().await?;
    Ok(Redirect::to("/admin/tags?done=updated").into_response())
}

#[derive(Deserialize)]
pub struct MergeForm {
    #[serde(default)]
    into: String,
    /// "yes" once the admin has answered the question: a merge is not undone.
    #[serde(default)]
    confirm: String,
}

pub async fn merge(
    State(state): State<AppState>,
    PathId(id): PathId<Uuid>,
    signed: SignedForm<MergeForm>,
) -> Result<Response, AppError> {
    let SignedForm { user, form } = signed;
    let Ok(into) = Uuid::parse_str(form.into.trim()) else {
        return refused(&state, &user, "Choisissez le thème qui reste.".to_owned()).await;
    };
    if form.confirm != "yes" {
        return refused(
            &state,
            &user,
            "Confirmez la fusion : elle est définitive (les articles changent de thème, l’adresse du thème fusionné mène à l’autre).".to_owned(),
        )
        .await;
    }
    let mut tx = state.pool.begin().await?;
    if tags::merge(&mut tx, id, into).await? != Change::Done {
        return refused(
            &state,
            &user,
            "Choisissez deux thèmes différents, qui existent.".to_owned(),
        )
        .await;
    }
    audit::record(
        &mut tx,
        Some(user.id),
        AuditAction::TagMerge,
        &id.to_string(),
        json!({ "into": into }),
    )
    .await?;
    tx.commit().await?;
    Ok(Redirect::to("/admin/tags?done=merged").into_response())
}

#[derive(Deserialize)]
pub struct DeleteForm {
    #[serde(default)]
    confirm: String,
}

pub async fn delete(
    State(state): State<AppState>,
    PathId(id): PathId<Uuid>,
    signed: SignedForm<DeleteForm>,
) -> Result<Response, AppError> {
    let SignedForm { user, form } = signed;
    let mut tx = state.pool.begin().await?;
    if let Some(used) = tags::delete(&mut tx, id, form.confirm == "yes").await? {
        return refused(&state, &user, format!("Ce thème est sur {used} article(s) : cochez la case pour l’en retirer et le supprimer.")).await;
    }
    audit::record(
        &mut tx,
        Some(user.id),
        AuditAction::TagDelete,
        &id.to_string(),
        json!({ "detached": form.confirm == "yes" }),
    )
    .await?;
    tx.commit().await?;
    Ok(Redirect::to("/admin/tags?done=deleted").into_response())
}

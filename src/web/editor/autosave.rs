//! Autosave: a new article becomes a draft at its first one; after that each keeps the text in
//! the editing session's autosave revision, without saving the article.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use uuid::Uuid;

use super::editable;
use super::form::{ArticleForm, body_error, social_error};
use super::page::LOCK_FRESH;
use super::save::already_created;
use crate::domain::{Lang, Title};
use crate::store::articles::write::{self, Draft};
use crate::store::articles::{desk, kept, lock};
use crate::store::violates;
use crate::web::auth::SignedForm;
use crate::web::error::PathId;
use crate::web::{AppError, AppState};

/// What the first autosave of a new article answers: where the article now lives, for the
/// page's script to carry on there (the form's address, its autosave, its version and a
/// fresh key for its next save).
#[derive(Serialize)]
struct Begun {
    id: Uuid,
    action: String,
    autosave: String,
    version: i32,
    save_key: Uuid,
}

/// The first autosave of a new article (JavaScript): the article becomes a draft then, with
/// what is typed so far, so that nothing depends on someone remembering to press "Enregistrer".
/// Created with the form's key: the form's own save, sent meanwhile or later, finds it and
/// saves onto it rather than making a second article.
pub async fn autosave_new(
    State(state): State<AppState>,
    signed: SignedForm<ArticleForm>,
) -> Result<Response, AppError> {
    let SignedForm { user, form } = signed;
    if form.body.len() > state.config.max_body_bytes {
        return Ok(StatusCode::PAYLOAD_TOO_LARGE.into_response());
    }
    if let Some(id) = already_created(&state, form.save_key).await? {
        // Begun already (a repeated request, or the form's own save came first): carry on
        // there, from the version it is at now.
        return Ok((
            StatusCode::OK,
            Json(begun(id, version_of(&state, id).await?)),
        )
            .into_response());
    }
    if form.title.trim().is_empty() && form.body.trim().is_empty() {
        return Err(AppError::BadRequest(
            "Rien à enregistrer : ni titre ni texte.".to_owned(),
        ));
    }
    if let Some(error) = body_error(&form.body, state.config.max_body_bytes) {
        return Err(AppError::BadRequest(error));
    }
    // Begun before it has a title: "Sans titre" until one is typed. One too long for a title
    // is cut here (the save will say so); the whole of it stays in the form.
    let cut: String = form.title.trim().chars().take(300).collect();
    let title = Title::parse(&cut)
        .or_else(|_| Title::parse("Sans titre"))
        .map_err(|_| AppError::BadRequest("Ce titre ne peut pas être enregistré.".to_owned()))?;
    let lang = Lang::parse(&form.lang).unwrap_or(state.config.lang);
    let rendered = state.render(&form.body, lang).await?;
    let related = form.related_order();
    let draft = Draft {
        title: &title,
        dek: &form.dek,
        // Derived from the title until someone types one.
        slug: None,
        lang,
        excerpt: &form.excerpt,
        body_markdown: &form.body,
        tags: &form.tags,
        related: &related,
        save_key: form.save_key,
        // Too long to store: left for the save, which says so (the form keeps them).
        social: social_error(&form)
            .is_none()
            .then_some((&form.social_title, &form.social_description)),
        featured: None,
        disclosure: None,
    };
    let mut tx = state.pool.begin().await?;
    let created = match write::create(&mut tx, user.id, Some(user.id), &draft, &rendered).await {
        Ok(created) => created,
        // The form's own save (or this autosave, repeated) made it meanwhile: the key, or the
        // slug both derived from the same title, was taken by it.
        Err(e) if violates(&e, "article_revision_save_key") || violates(&e, "article_slug_key") => {
            drop(tx);
            let slug_race = violates(&e, "article_slug_key");
            return match already_created(&state, form.save_key).await? {
                Some(id) => {
                    let version = version_of(&state, id).await?;
                    Ok((StatusCode::OK, Json(begun(id, version))).into_response())
                }
                // Someone else's article took the address at the same moment: the next
                // autosave picks another.
                None if slug_race => Err(AppError::Conflict(
                    "Adresse prise au même instant par un autre article : nouvel essai au prochain enregistrement automatique.".to_owned(),
                )),
                None => Err(AppError::BadRequest(
                    "Ce formulaire appartient à un autre article : rechargez la page et recommencez.".to_owned(),
                )),
            };
        }
        Err(e) => return Err(e.into()),
    };
    lock::take(&mut tx, created.id, user.id).await?;
    tx.commit().await?;
    Ok((
        StatusCode::CREATED,
        Json(begun(created.id, created.version)),
    )
        .into_response())
}

/// The version article `id` is at now (1 if it is gone: the next save will say so).
async fn version_of(state: &AppState, id: Uuid) -> Result<i32, AppError> {
    let mut conn = state.pool.acquire().await?;
    Ok(desk::load(&mut conn, id).await?.map_or(1, |a| a.version))
}

fn begun(id: Uuid, version: i32) -> Begun {
    Begun {
        id,
        action: format!("/editor/articles/{id}"),
        autosave: format!("/editor/articles/{id}/autosave"),
        version,
        save_key: Uuid::new_v4(),
    }
}

/// Autosave (JavaScript, every ~20 s): the text goes into a draft revision, the article itself
/// is untouched, and the soft lock is refreshed.
pub async fn autosave(
    State(state): State<AppState>,
    PathId(id): PathId<Uuid>,
    signed: SignedForm<ArticleForm>,
) -> Result<Response, AppError> {
    let SignedForm { user, form } = signed;
    let article = editable(&state, &user, id).await?;
    if form.body.len() > state.config.max_body_bytes {
        return Ok(StatusCode::PAYLOAD_TOO_LARGE.into_response());
    }
    let title = Title::parse(&form.title)
        .or_else(|_| Title::parse(&article.title))
        .map_err(|_| AppError::NotFound)?;
    let related = form.related_order();
    let draft = Draft {
        title: &title,
        dek: &form.dek,
        // Kept text is not an address change.
        slug: None,
        lang: Lang::parse(&form.lang).unwrap_or(state.config.lang),
        excerpt: &form.excerpt,
        body_markdown: &form.body,
        tags: &form.tags,
        related: &related,
        // An autosave is not the form's save: the save, when it comes, must not find it.
        save_key: None,
        social: None,
        featured: None,
        disclosure: None,
    };
    let mut tx = state.pool.begin().await?;
    kept::keep_autosave(&mut tx, id, form.version, user.id, &draft).await?;
    // Typing keeps one's own lock fresh; it never takes someone else's ("take over" does).
    lock::refresh(&mut tx, id, user.id, LOCK_FRESH.whole_seconds()).await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

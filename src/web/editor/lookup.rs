//! What the editor's scripts ask while someone types, behind the editor's access rules: tags
//! and published articles by name (type-ahead for tags, related articles and links), and pasted
//! HTML turned into Markdown. Each answer is small and bounded; the forms work without them.

use axum::Json;
use axum::extract::{Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::store::articles::desk;
use crate::web::auth::{CurrentUser, SignedForm};
use crate::web::error::Verbatim;
use crate::web::{AppError, AppState};

/// The most suggestions one answer holds.
const SUGGESTIONS: i64 = 12;
/// Pasted HTML larger than this is refused: nobody pastes 4 MiB of an article at once, and the
/// conversion is text work on a bounded thread.
const MAX_PASTE_BYTES: usize = 4 * 1024 * 1024;

#[derive(Deserialize)]
pub struct Lookup {
    #[serde(default)]
    q: String,
    /// An article not to suggest (the one being edited).
    #[serde(default)]
    exclude: String,
}

#[derive(Serialize)]
pub struct TagSuggestion {
    id: Uuid,
    name: String,
    kind: &'static str,
    /// The kind as the newsroom names it.
    kind_label: &'static str,
}

/// `GET /editor/lookup/tags?q=`: tags whose name contains the words typed.
pub async fn tags(
    State(state): State<AppState>,
    Query(lookup): Query<Lookup>,
) -> Result<Json<Vec<TagSuggestion>>, AppError> {
    let words = lookup.q.trim();
    if words.is_empty() {
        return Ok(Json(Vec::new()));
    }
    let found = desk::search_tags(&state.pool, words, SUGGESTIONS).await?;
    Ok(Json(
        found
            .into_iter()
            .map(|t| TagSuggestion {
                id: t.id,
                name: t.name,
                kind: t.kind.as_str(),
                kind_label: t.kind.label(),
            })
            .collect(),
    ))
}

#[derive(Serialize)]
pub struct ArticleSuggestion {
    id: Uuid,
    title: String,
    /// Its address on the site, for a link in the text.
    path: String,
}

/// `GET /editor/lookup/articles?q=&exclude=`: published articles whose title contains the
/// words typed, newest first.
pub async fn articles(
    State(state): State<AppState>,
    Query(lookup): Query<Lookup>,
) -> Result<Json<Vec<ArticleSuggestion>>, AppError> {
    let words = lookup.q.trim();
    if words.is_empty() {
        return Ok(Json(Vec::new()));
    }
    let exclude = Uuid::parse_str(lookup.exclude.trim()).ok();
    let found = desk::search_published(&state.pool, words, exclude, SUGGESTIONS).await?;
    Ok(Json(
        found
            .into_iter()
            .map(|p| ArticleSuggestion {
                path: format!("/articles/{}", p.slug),
                id: p.id,
                title: p.title,
            })
            .collect(),
    ))
}

#[derive(Deserialize)]
pub struct Pasted {
    #[serde(default)]
    html: String,
}

/// `POST /editor/paste`: the Markdown of HTML pasted into the text (from Google Docs, Word, a
/// web page), as plain text for the script to insert where the cursor is.
pub async fn paste(
    State(state): State<AppState>,
    signed: SignedForm<Pasted>,
) -> Result<Response, AppError> {
    let html = signed.form.html;
    if html.len() > MAX_PASTE_BYTES {
        let mut refused = (
            StatusCode::PAYLOAD_TOO_LARGE,
            [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
            "Ce qui a été collé est trop long pour être converti : collez-le en plusieurs fois.",
        )
            .into_response();
        refused.extensions_mut().insert(Verbatim);
        return Ok(refused);
    }
    let markdown = state.pasted_markdown(html).await?;
    Ok((
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        markdown,
    )
        .into_response())
}

/// `GET /editor/token`: this session's form token, for the editor's script. Signing in again in
/// another tab starts a new session with a new token; the open form's would be refused (403),
/// so the script asks for the current one before saving.
pub async fn token(user: CurrentUser) -> Response {
    (
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        user.csrf_token().to_owned(),
    )
        .into_response()
}

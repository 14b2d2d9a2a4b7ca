//! The image library (`/editor/media`): every image with its words and its state, searched by
//! alt text, caption or credit; one image's page (its words, focal point, where it is used, a
//! new file, deletion when nothing uses it); and the list the editor's script picks from.

use askama::Template;
use askama_web::WebTemplate;
use axum::Json;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::{Deserialize, Serialize};
use serde_json::json;
use uuid::Uuid;

use crate::domain::{AuditAction, Permission};
use crate::store::{self, audit, media::Media};
use crate::web::auth::{CurrentUser, SignedForm};
use crate::web::error::PathId;
use crate::web::{AppError, AppState, Page};

const PAGE: i64 = 30;

/// The words of an image, as its forms send them.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct Details {
    pub alt: String,
    pub caption: String,
    pub credit: String,
}

impl Details {
    /// What keeps them from being stored, said to the person.
    pub fn problem(&self) -> Option<String> {
        let over = |text: &str, max: usize| text.trim().chars().count() > max;
        if over(&self.alt, 500) {
            return Some("Le texte alternatif dépasse 500 caractères : décrivez l’image plus brièvement (la légende peut en dire plus).".to_owned());
        }
        if over(&self.caption, 1000) {
            return Some("La légende dépasse 1 000 caractères.".to_owned());
        }
        if over(&self.credit, 200) {
            return Some("Le crédit dépasse 200 caractères.".to_owned());
        }
        None
    }
}

/// Whether `user` may change or delete `media`: the one who sent it, or an editor.
pub fn may_change(user: &CurrentUser, media: &Media) -> bool {
    user.may(Permission::Review) || media.uploaded_by == Some(user.id)
}

/// Image `id`, if `user` may change it (404 when there is none, 403 when not theirs).
pub async fn changeable(state: &AppState, user: &CurrentUser, id: Uuid) -> Result<Media, AppError> {
    let media = store::media::get(&state.pool, id)
        .await?
        .ok_or(AppError::NotFound)?;
    if may_change(user, &media) {
        Ok(media)
    } else {
        Err(AppError::Forbidden)
    }
}

pub struct Line {
    pub id: Uuid,
    pub alt: String,
    pub caption: String,
    pub credit: String,
    pub size: String,
    pub state: &'static str,
    pub thumbnail: Option<String>,
    pub uses: i64,
}

fn state_label(state: &str) -> &'static str {
    match state {
        "ready" => "prête",
        "failed" => "échec de la préparation",
        _ => "en préparation",
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "editor/media.html")]
pub struct LibraryPage {
    page: Page,
    lines: Vec<Line>,
    q: String,
    next: Option<i64>,
    error: Option<String>,
    typed: Details,
    csrf_token: String,
    max_mb: u64,
    deleted: bool,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct LibraryQuery {
    q: String,
    from: i64,
    deleted: String,
}

pub async fn library_page(
    state: &AppState,
    user: &CurrentUser,
    q: &str,
    from: i64,
    error: Option<String>,
    typed: Details,
) -> Result<LibraryPage, AppError> {
    let from = from.max(0);
    let mut rows = store::media::list(&state.pool, q, PAGE + 1, from).await?;
    let next = (rows.len() as i64 > PAGE).then_some(from + PAGE);
    rows.truncate(PAGE as usize);
    let base = state.media_base();
    let lines = rows
        .into_iter()
        .map(|r| Line {
            id: r.id,
            size: format!("{} × {}", r.width, r.height),
            state: state_label(&r.state),
            thumbnail: r.thumbnail.map(|t| format!("{base}/{t}")),
            alt: r.alt,
            caption: r.caption,
            credit: r.credit,
            uses: r.uses,
        })
        .collect();
    Ok(LibraryPage {
        page: state.page_for(user, "Images — Vigie".to_owned()),
        lines,
        q: q.to_owned(),
        next,
        error,
        typed,
        csrf_token: user.csrf_token().to_owned(),
        max_mb: state.config.media_max_bytes.div_ceil(1_000_000),
        deleted: false,
    })
}

/// `GET /editor/media`.
pub async fn library(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(query): Query<LibraryQuery>,
) -> Result<LibraryPage, AppError> {
    let mut page = library_page(
        &state,
        &user,
        &query.q,
        query.from,
        None,
        Details::default(),
    )
    .await?;
    page.deleted = !query.deleted.is_empty();
    Ok(page)
}

pub struct UseLine {
    pub article_id: Uuid,
    pub title: String,
    pub how: &'static str,
}

#[derive(Template, WebTemplate)]
#[template(path = "editor/media_item.html")]
pub struct ItemPage {
    page: Page,
    media: Media,
    state_label: &'static str,
    preview: Option<crate::media::picture::Shown>,
    markdown: String,
    uses: Vec<UseLine>,
    error: Option<String>,
    notice: Option<&'static str>,
    csrf_token: String,
    may_change: bool,
    focal_x: u32,
    focal_y: u32,
}

/// One image's page, with `error` said above its forms (422) when there is one.
pub async fn item_page(
    state: AppState,
    user: CurrentUser,
    media: Media,
    error: Option<String>,
) -> Result<Response, AppError> {
    item_response(&state, &user, media, error, None).await
}

async fn item_response(
    state: &AppState,
    user: &CurrentUser,
    media: Media,
    error: Option<String>,
    notice: Option<&'static str>,
) -> Result<Response, AppError> {
    let mut conn = state.pool.acquire().await?;
    let uses = store::media::uses(&mut conn, media.id)
        .await?
        .into_iter()
        .map(|u| UseLine {
            article_id: u.article_id,
            title: u.title,
            how: match (u.featured, u.in_text) {
                (true, true) => "image principale et dans le texte",
                (true, false) => "image principale",
                _ => "dans le texte",
            },
        })
        .collect();
    drop(conn);
    let preview = state.pictures(&[media.id]).await?.remove(&media.id);
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let page = ItemPage {
        page: state.page_for(user, "Image — Vigie".to_owned()),
        state_label: state_label(&media.state),
        preview,
        markdown: crate::domain::markdown::image(&media.alt, media.id),
        uses,
        error,
        notice,
        csrf_token: user.csrf_token().to_owned(),
        may_change: may_change(user, &media),
        focal_x: percent(media.focal_x),
        focal_y: percent(media.focal_y),
        media,
    };
    Ok((status, page).into_response())
}

fn percent(fraction: f32) -> u32 {
    // Within 0..=100 by the table's check.
    (fraction.clamp(0.0, 1.0) * 100.0).round() as u32
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ItemQuery {
    sent: String,
    saved: String,
    replaced: String,
}

/// `GET /editor/media/{id}`.
pub async fn item(
    State(state): State<AppState>,
    user: CurrentUser,
    PathId(id): PathId<Uuid>,
    Query(query): Query<ItemQuery>,
) -> Result<Response, AppError> {
    let media = store::media::get(&state.pool, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let notice = if !query.sent.is_empty() {
        Some("Image envoyée : ses versions pour le web sont en préparation.")
    } else if !query.replaced.is_empty() {
        Some(
            "Fichier remplacé : les articles qui montrent l’image montreront le nouveau dès qu’il sera prêt.",
        )
    } else if !query.saved.is_empty() {
        Some("Description enregistrée.")
    } else {
        None
    };
    item_response(&state, &user, media, None, notice).await
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct DetailsForm {
    alt: String,
    caption: String,
    credit: String,
    focal_x: String,
    focal_y: String,
}

/// `POST /editor/media/{id}`: its words and focal point (the social card is made again when
/// the focal point moves).
pub async fn update(
    State(state): State<AppState>,
    PathId(id): PathId<Uuid>,
    SignedForm { user, form }: SignedForm<DetailsForm>,
) -> Result<Response, AppError> {
    let media = changeable(&state, &user, id).await?;
    let details = Details {
        alt: form.alt,
        caption: form.caption,
        credit: form.credit,
    };
    let focal = |typed: &str, was: f32| -> Option<f32> {
        match typed.trim().trim_end_matches('%').trim() {
            "" => Some(was),
            n => n
                .replace(',', ".")
                .parse::<f32>()
                .ok()
                .filter(|p| (0.0..=100.0).contains(p))
                .map(|p| p / 100.0),
        }
    };
    let (Some(fx), Some(fy)) = (
        focal(&form.focal_x, media.focal_x),
        focal(&form.focal_y, media.focal_y),
    ) else {
        let mut shown = media.clone();
        shown.alt = details.alt;
        shown.caption = details.caption;
        shown.credit = details.credit;
        return item_page(
            state,
            user,
            shown,
            Some("Le point d’intérêt se donne en pourcentages, de 0 à 100.".to_owned()),
        )
        .await;
    };
    if let Some(problem) = details.problem() {
        let mut shown = media.clone();
        shown.alt = details.alt;
        shown.caption = details.caption;
        shown.credit = details.credit;
        return item_page(state, user, shown, Some(problem)).await;
    }
    let mut tx = state.pool.begin().await?;
    let moved = store::media::update_details(
        &mut tx,
        id,
        details.alt.trim(),
        details.caption.trim(),
        details.credit.trim(),
        (fx, fy),
    )
    .await?
    .ok_or(AppError::NotFound)?;
    if moved {
        crate::media::renditions::ask(&mut tx, id).await?;
    }
    audit::record(
        &mut tx,
        Some(user.id),
        AuditAction::MediaUpdate,
        &id.to_string(),
        json!({ "alt": details.alt.trim() }),
    )
    .await?;
    tx.commit().await?;
    if moved {
        state.job_added();
    }
    Ok(Redirect::to(&format!("/editor/media/{id}?saved=1")).into_response())
}

#[derive(Debug, Default, Deserialize)]
pub struct Confirm {}

/// `POST /editor/media/{id}/delete`: only an image nothing uses; otherwise its page again,
/// saying where it is used.
pub async fn delete(
    State(state): State<AppState>,
    PathId(id): PathId<Uuid>,
    SignedForm { user, .. }: SignedForm<Confirm>,
) -> Result<Response, AppError> {
    let media = changeable(&state, &user, id).await?;
    let mut tx = state.pool.begin().await?;
    // Locked, so that no save can start using it between the check and the deletion.
    store::media::lock(&mut tx, id).await?;
    let uses = store::media::uses(&mut tx, id).await?;
    if !uses.is_empty() {
        drop(tx);
        let mut response = item_response(
            &state,
            &user,
            media,
            Some(format!(
                "Cette image est utilisée par {} article(s), listés ci-dessous : retirez-la de ces articles avant de la supprimer.",
                uses.len()
            )),
            None,
        )
        .await?;
        *response.status_mut() = StatusCode::CONFLICT;
        return Ok(response);
    }
    store::media::delete(&mut tx, id).await?;
    audit::record(
        &mut tx,
        Some(user.id),
        AuditAction::MediaDelete,
        &id.to_string(),
        json!({ "alt": media.alt }),
    )
    .await?;
    tx.commit().await?;
    Ok(Redirect::to("/editor/media?deleted=1").into_response())
}

#[derive(Debug, Serialize)]
pub struct Found {
    id: Uuid,
    alt: String,
    thumbnail: Option<String>,
    state: &'static str,
    markdown: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct LookupQuery {
    q: String,
}

/// `GET /editor/lookup/media?q=`: the newest images matching, for the editor's picker.
pub async fn lookup(
    State(state): State<AppState>,
    _user: CurrentUser,
    Query(query): Query<LookupQuery>,
) -> Result<Json<Vec<Found>>, AppError> {
    let base = state.media_base();
    let found = store::media::list(&state.pool, &query.q, 12, 0)
        .await?
        .into_iter()
        .map(|m| Found {
            markdown: crate::domain::markdown::image(&m.alt, m.id),
            id: m.id,
            thumbnail: m.thumbnail.map(|t| format!("{base}/{t}")),
            state: state_label(&m.state),
            alt: m.alt,
        })
        .collect();
    Ok(Json(found))
}

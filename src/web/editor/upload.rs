//! Sending an image: `POST /editor/media` (a new image) and `POST /editor/media/{id}/file` (a
//! new file for an image articles keep pointing at). The file is read from a multipart form,
//! decided on by decoding (in the image slots, off the async threads), kept privately as sent,
//! and its renditions asked of the background worker in the same transaction as its row.
//! A refusal says why and keeps what was typed; nothing is half-stored (a file stored before a
//! failed transaction is named by nothing, and `vigie media gc` removes it).

use axum::body::Bytes;
use axum::extract::{FromRequest, Multipart, Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use serde_json::json;
use uuid::Uuid;

use super::media::{Details, changeable, library_page};
use crate::domain::AuditAction;
use crate::media::MediaStore;
use crate::media::process::{self, Refusal};
use crate::store::{self, audit};
use crate::web::auth::CurrentUser;
use crate::web::error::PathId;
use crate::web::{AppError, AppState};

/// What the upload form sent.
#[derive(Debug, Default)]
pub struct Sent {
    pub file: Option<Bytes>,
    pub details: Details,
    csrf_token: String,
}

/// Why a sending failed: the file (say why, keep the words) or the request.
pub(in crate::web) enum Failed {
    Refused(Refusal),
    App(AppError),
}

impl From<AppError> for Failed {
    fn from(e: AppError) -> Self {
        Self::App(e)
    }
}

/// Reads the form: a multipart one (with its file), or a plain one (no file: the browser
/// could not attach it), whose token is checked all the same.
async fn read(state: &AppState, req: Request) -> Result<Sent, Failed> {
    let multipart = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("multipart/form-data"));
    if multipart {
        let multipart = Multipart::from_request(req, state).await.map_err(|_| {
            Failed::App(AppError::BadRequest(
                "Ce formulaire est incomplet ou mal formé.".to_owned(),
            ))
        })?;
        return read_multipart(multipart, state.config.media_max_bytes).await;
    }
    let bytes = Bytes::from_request(req, state).await.map_err(|_| {
        Failed::App(AppError::BadRequest(
            "Ce formulaire est trop long.".to_owned(),
        ))
    })?;
    let fields: Vec<(String, String)> = serde_urlencoded::from_bytes(&bytes).unwrap_or_default();
    let mut sent = Sent::default();
    for (name, value) in fields {
        let value = crate::domain::text::storable(&value).into_owned();
        match name.as_str() {
            "alt" => sent.details.alt = value,
            "caption" => sent.details.caption = value,
            "credit" => sent.details.credit = value,
            "csrf_token" => sent.csrf_token = value,
            _ => {}
        }
    }
    Ok(sent)
}

/// Reads a multipart form's fields; a file over the limit is a refusal, not a bare 413.
async fn read_multipart(mut multipart: Multipart, max_bytes: u64) -> Result<Sent, Failed> {
    let mut sent = Sent::default();
    loop {
        let field = match multipart.next_field().await {
            Ok(Some(field)) => field,
            Ok(None) => break,
            Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                return Err(Failed::Refused(Refusal::TooManyBytes { limit: max_bytes }));
            }
            Err(_) => {
                return Err(Failed::App(AppError::BadRequest(
                    "Ce formulaire est incomplet ou mal formé.".to_owned(),
                )));
            }
        };
        let name = field.name().unwrap_or_default().to_owned();
        let bytes = match field.bytes().await {
            Ok(bytes) => bytes,
            Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                return Err(Failed::Refused(Refusal::TooManyBytes { limit: max_bytes }));
            }
            Err(_) => {
                return Err(Failed::App(AppError::BadRequest(
                    "L’envoi a été interrompu : réessayez.".to_owned(),
                )));
            }
        };
        let text = || crate::domain::text::storable(&String::from_utf8_lossy(&bytes)).into_owned();
        match name.as_str() {
            "file" => sent.file = Some(bytes).filter(|b| !b.is_empty()),
            "alt" => sent.details.alt = text(),
            "caption" => sent.details.caption = text(),
            "credit" => sent.details.credit = text(),
            "csrf_token" => sent.csrf_token = text(),
            _ => {}
        }
    }
    Ok(sent)
}

/// A file accepted and kept: what the row records.
pub(in crate::web) struct Kept {
    pub key: String,
    pub bytes: i64,
    pub inspected: process::Inspected,
}

/// Decides what `file` is and keeps it privately under the hash of its bytes.
pub(in crate::web) async fn keep(state: &AppState, file: Bytes) -> Result<Kept, Failed> {
    let max = state.config.media_max_bytes;
    let (file, inspected) = state
        .image_work(move || {
            let inspected = process::inspect(&file, max);
            (file, inspected)
        })
        .await
        .map_err(AppError::from)?;
    let inspected = inspected.map_err(Failed::Refused)?;
    let key = MediaStore::original_key(&process::full_hash(&file), inspected.format.extension());
    let bytes = i64::try_from(file.len()).unwrap_or(i64::MAX);
    state
        .media
        .put(&key, file)
        .await
        .map_err(AppError::Storage)?;
    Ok(Kept {
        key,
        bytes,
        inspected,
    })
}

fn wants_json(headers: &HeaderMap) -> bool {
    headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("application/json"))
}

fn dimension(n: u32) -> i32 {
    i32::try_from(n).unwrap_or(i32::MAX)
}

/// `POST /editor/media`: a new image in the library. The editor's script asks for JSON (the
/// Markdown to insert); the form without script is sent to the image's page.
pub async fn upload(
    State(state): State<AppState>,
    user: CurrentUser,
    headers: HeaderMap,
    req: Request,
) -> Result<Response, AppError> {
    let json = wants_json(&headers);
    let lang = state.config.lang;
    let sent = match read(&state, req).await {
        Ok(sent) => sent,
        Err(Failed::Refused(refusal)) => {
            return refused(
                &state,
                &user,
                json,
                refusal.message(lang),
                Details::default(),
            )
            .await;
        }
        Err(Failed::App(e)) => return Err(e),
    };
    if !user.signed(&sent.csrf_token) {
        tracing::warn!(user = %user.id, "upload refused: missing or wrong CSRF token");
        return Err(AppError::Forbidden);
    }
    if let Some(problem) = sent.details.problem() {
        return refused(&state, &user, json, problem, sent.details).await;
    }
    let Some(file) = sent.file else {
        return refused(
            &state,
            &user,
            json,
            Refusal::Empty.message(lang),
            sent.details,
        )
        .await;
    };
    let kept = match keep(&state, file).await {
        Ok(kept) => kept,
        Err(Failed::Refused(refusal)) => {
            return refused(&state, &user, json, refusal.message(lang), sent.details).await;
        }
        Err(Failed::App(e)) => return Err(e),
    };
    let id = Uuid::new_v4();
    let d = &sent.details;
    let mut tx = state.pool.begin().await?;
    record_new(&mut tx, id, &kept, d, user.id).await?;
    tx.commit().await?;
    state.job_added();
    if json {
        return Ok((
            StatusCode::CREATED,
            axum::Json(json!({
                "id": id,
                "alt": d.alt.trim(),
                "markdown": crate::domain::markdown::image(d.alt.trim(), id),
                "state": "processing",
                "width": kept.inspected.width,
                "height": kept.inspected.height,
                "page": format!("/editor/media/{id}"),
            })),
        )
            .into_response());
    }
    Ok(Redirect::to(&format!("/editor/media/{id}?sent=1")).into_response())
}

/// Writes a new image kept as `kept`, with its words `d`, sent by `by`: its row, the job that
/// makes its renditions, and the audit event, in the caller's transaction.
pub(in crate::web) async fn record_new(
    conn: &mut sqlx::PgConnection,
    id: Uuid,
    kept: &Kept,
    d: &Details,
    by: Uuid,
) -> Result<(), sqlx::Error> {
    store::media::insert(
        conn,
        &store::media::NewMedia {
            id,
            original_key: &kept.key,
            original_bytes: kept.bytes,
            format: kept.inspected.format.as_str(),
            width: dimension(kept.inspected.width),
            height: dimension(kept.inspected.height),
            alt: d.alt.trim(),
            caption: d.caption.trim(),
            credit: d.credit.trim(),
            uploaded_by: Some(by),
        },
    )
    .await?;
    crate::media::renditions::ask(conn, id).await?;
    audit::record(
        conn,
        Some(by),
        AuditAction::MediaUpload,
        &id.to_string(),
        json!({ "alt": d.alt.trim(), "bytes": kept.bytes, "format": kept.inspected.format.as_str() }),
    )
    .await
}

/// 422 with the reason: JSON for the script, the library page with the words kept for a form.
async fn refused(
    state: &AppState,
    user: &CurrentUser,
    json: bool,
    message: String,
    details: Details,
) -> Result<Response, AppError> {
    if json {
        return Ok((
            StatusCode::UNPROCESSABLE_ENTITY,
            axum::Json(json!({ "error": message })),
        )
            .into_response());
    }
    let page = library_page(state, user, "", 0, Some(message), details).await?;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
}

/// `POST /editor/media/{id}/file`: a new file for an image; its renditions are made again and
/// every article showing it shows the new one.
pub async fn replace(
    State(state): State<AppState>,
    user: CurrentUser,
    PathId(id): PathId<Uuid>,
    req: Request,
) -> Result<Response, AppError> {
    let media = changeable(&state, &user, id).await?;
    let lang = state.config.lang;
    let again = |message: String| {
        super::media::item_page(state.clone(), user.clone(), media.clone(), Some(message))
    };
    let sent = match read(&state, req).await {
        Ok(sent) => sent,
        Err(Failed::Refused(refusal)) => return again(refusal.message(lang)).await,
        Err(Failed::App(e)) => return Err(e),
    };
    if !user.signed(&sent.csrf_token) {
        tracing::warn!(user = %user.id, "upload refused: missing or wrong CSRF token");
        return Err(AppError::Forbidden);
    }
    let Some(file) = sent.file else {
        return again(Refusal::Empty.message(lang)).await;
    };
    let kept = match keep(&state, file).await {
        Ok(kept) => kept,
        Err(Failed::Refused(refusal)) => return again(refusal.message(lang)).await,
        Err(Failed::App(e)) => return Err(e),
    };
    let mut tx = state.pool.begin().await?;
    store::media::replace_original(
        &mut tx,
        id,
        &kept.key,
        kept.bytes,
        kept.inspected.format.as_str(),
        dimension(kept.inspected.width),
        dimension(kept.inspected.height),
    )
    .await?;
    crate::media::renditions::ask(&mut tx, id).await?;
    audit::record(
        &mut tx,
        Some(user.id),
        AuditAction::MediaReplace,
        &id.to_string(),
        json!({ "alt": media.alt, "bytes": kept.bytes }),
    )
    .await?;
    tx.commit().await?;
    state.job_added();
    Ok(Redirect::to(&format!("/editor/media/{id}?replaced=1")).into_response())
}

//! Media files for readers: `/media/{file}` serves a rendition (never an original: only the
//! `public/` area is reachable, by a name that is the hash of the bytes), cached for ever;
//! `/images/{id}` is an image's lasting address, which sends on to its current largest file.

use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use uuid::Uuid;

use crate::media::process::Encoding;
use crate::web::error::PathId;
use crate::web::{AppError, AppState};

/// A year: the name changes with the bytes, so the file never does.
const FOREVER: &str = "public, max-age=31536000, immutable";

/// `GET /media/{file}`.
pub async fn file(
    State(state): State<AppState>,
    PathId(file): PathId<String>,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    let encoding = Encoding::of_file(&file).ok_or(AppError::NotFound)?;
    let etag = format!("\"{}\"", &file[..32]);
    let unchanged = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == etag));
    // A name is the hash of its bytes: a client holding it has the file, with no need to ask
    // the store.
    let mut response = if unchanged {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        let Some((size, stream)) = state
            .media
            .open_public(&file)
            .await
            .map_err(AppError::Storage)?
        else {
            return Err(AppError::NotFound);
        };
        let mut response = Body::from_stream(stream).into_response();
        response.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static(encoding.content_type()),
        );
        response
            .headers_mut()
            .insert(header::CONTENT_LENGTH, HeaderValue::from(size));
        response
    };
    let h = response.headers_mut();
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static(FOREVER));
    if let Ok(etag) = HeaderValue::from_str(&etag) {
        h.insert(header::ETAG, etag);
    }
    // Any site may show our pictures (feeds, aggregators), none may run them as a document.
    h.insert(
        header::ACCESS_CONTROL_ALLOW_ORIGIN,
        HeaderValue::from_static("*"),
    );
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("default-src 'none'; sandbox"),
    );
    Ok(response)
}

/// `GET /images/{id}`: 302 to the image's largest JPEG (its files change when the image is
/// given a new one; this address does not). 404 while they are being made.
pub async fn image(
    State(state): State<AppState>,
    PathId(id): PathId<Uuid>,
) -> Result<Response, AppError> {
    let pictures = crate::store::media::pictures(&state.pool, &[id]).await?;
    let largest = pictures
        .first()
        .and_then(|p| {
            p.files
                .iter()
                .filter(|f| f.purpose == "width" && f.format == "jpeg")
                .max_by_key(|f| f.width)
        })
        .ok_or(AppError::NotFound)?;
    let location = format!("{}/{}", state.media_base(), largest.file);
    Ok((
        StatusCode::FOUND,
        [
            (header::LOCATION, location),
            (header::CACHE_CONTROL, "no-cache".to_owned()),
        ],
    )
        .into_response())
}

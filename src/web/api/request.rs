//! What the write API reads from a request and writes in an answer: a JSON body, the
//! `Idempotency-Key` and `If-Match` headers, an answer with its `ETag`, a kept answer replayed.

use std::collections::BTreeMap;

use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::ApiError;
use crate::store::tokens;

pub(super) fn field(name: &str, message: &str) -> ApiError {
    ApiError::Unprocessable(
        message.to_owned(),
        BTreeMap::from([(name.to_owned(), message.to_owned())]),
    )
}

/// The request's JSON body as `T`: 415 if it says it is something else, 400 if it is not
/// JSON or not a `T`.
pub(super) fn json_body<T: serde::de::DeserializeOwned>(
    headers: &HeaderMap,
    body: &[u8],
) -> Result<T, ApiError> {
    let json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(|v| v.trim().to_ascii_lowercase())
        .is_some_and(|v| v == "application/json" || v.ends_with("+json"));
    if !json {
        return Err(ApiError::UnsupportedMediaType(
            "Send JSON, with Content-Type: application/json.",
        ));
    }
    serde_json::from_slice(body)
        .map_err(|e| ApiError::Malformed(format!("The body is not what this address takes: {e}.")))
}

/// `Idempotency-Key`, when sent: 1 to 255 visible ASCII characters.
pub(super) fn idempotency_key(headers: &HeaderMap) -> Result<Option<&str>, ApiError> {
    let Some(value) = headers.get("idempotency-key") else {
        return Ok(None);
    };
    value
        .to_str()
        .ok()
        .map(str::trim)
        .filter(|k| (1..=255).contains(&k.len()) && k.bytes().all(|b| b.is_ascii_graphic()))
        .map(Some)
        .ok_or(ApiError::BadRequest(
            "Idempotency-Key is 1 to 255 visible ASCII characters.",
        ))
}

/// `If-Match`: `None` when not sent, `Some(None)` for `*` (whatever the version), else the
/// version named (`"7"`).
pub(super) fn if_match(headers: &HeaderMap) -> Result<Option<Option<i32>>, ApiError> {
    let Some(value) = headers.get(header::IF_MATCH) else {
        return Ok(None);
    };
    let value = value.to_str().unwrap_or_default().trim();
    if value == "*" {
        return Ok(Some(None));
    }
    value
        .strip_prefix('"')
        .and_then(|v| v.strip_suffix('"'))
        .and_then(|v| v.parse::<i32>().ok())
        .map(|v| Some(Some(v)))
        .ok_or(ApiError::BadRequest(
            "If-Match takes the article's ETag as it was given, e.g. \"7\".",
        ))
}

/// A JSON answer with the article's version as its `ETag`.
pub(super) fn answered(
    status: StatusCode,
    version: i32,
    location: Option<&str>,
    body: &serde_json::Value,
) -> Response {
    let mut response = (status, axum::Json(body)).into_response();
    let headers = response.headers_mut();
    if let Ok(etag) = HeaderValue::from_str(&format!("\"{version}\"")) {
        headers.insert(header::ETAG, etag);
    }
    if let Some(location) = location.and_then(|l| HeaderValue::from_str(l).ok()) {
        headers.insert(header::LOCATION, location);
    }
    response
}

/// The answer kept under an idempotency key, for the same request; 422 for another.
pub(super) fn replay(kept: tokens::Kept, request_hash: &[u8]) -> Result<Response, ApiError> {
    if kept.request_hash != request_hash {
        return Err(field(
            "Idempotency-Key",
            "This Idempotency-Key was used for another request: use a new key for a new article.",
        ));
    }
    let status =
        StatusCode::from_u16(u16::try_from(kept.status).unwrap_or(200)).unwrap_or(StatusCode::OK);
    let version = kept
        .body
        .get("version")
        .and_then(serde_json::Value::as_i64)
        .and_then(|v| i32::try_from(v).ok())
        .unwrap_or_default();
    let mut response = answered(status, version, kept.location.as_deref(), &kept.body);
    response
        .headers_mut()
        .insert("idempotent-replayed", HeaderValue::from_static("true"));
    Ok(response)
}

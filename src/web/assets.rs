//! The stylesheet, compiled into the binary (one file to deploy) and served under a versioned
//! URL so browsers may keep it for a year.

use std::hash::{DefaultHasher, Hash, Hasher};
use std::sync::LazyLock;

use axum::extract::Query;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

const STYLESHEET: &str = include_str!("../../static/vigie.css");

/// A fingerprint of the stylesheet, so a new version gets a new URL.
static VERSION: LazyLock<String> = LazyLock::new(|| {
    let mut h = DefaultHasher::new();
    STYLESHEET.hash(&mut h);
    format!("{:016x}", h.finish())
});

/// The URL pages link the stylesheet with.
pub static STYLESHEET_URL: LazyLock<String> =
    LazyLock::new(|| format!("/static/vigie.css?v={}", &VERSION[..12]));

#[derive(Deserialize)]
pub struct Version {
    v: Option<String>,
}

pub async fn stylesheet(Query(q): Query<Version>, headers: HeaderMap) -> Response {
    let etag = format!("\"{}\"", *VERSION);
    if headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        == Some(etag.as_str())
    {
        return (StatusCode::NOT_MODIFIED, [(header::ETAG, etag)]).into_response();
    }
    // Only the current fingerprint may be cached for good; anything else revalidates.
    let cache = if q
        .v
        .as_deref()
        .is_some_and(|v| VERSION.starts_with(v) && v.len() == 12)
    {
        "public, max-age=31536000, immutable"
    } else {
        "public, max-age=300"
    };
    (
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/css; charset=utf-8"),
            ),
            (header::CACHE_CONTROL, HeaderValue::from_static(cache)),
            (
                header::ETAG,
                HeaderValue::from_str(&etag).unwrap_or(HeaderValue::from_static("\"0\"")),
            ),
        ],
        STYLESHEET,
    )
        .into_response()
}

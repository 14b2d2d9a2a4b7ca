//! The stylesheet and the editor's script, compiled into the binary (one file to deploy) and
//! served under fingerprinted URLs so browsers may keep them for a year.

use std::hash::{DefaultHasher, Hash, Hasher};
use std::sync::LazyLock;

use axum::extract::Query;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

/// One embedded file.
pub struct Asset {
    body: &'static str,
    content_type: &'static str,
    /// A fingerprint of the content, so a new version gets a new URL.
    version: String,
    /// The URL pages link it with.
    pub url: String,
}

impl Asset {
    fn new(path: &str, body: &'static str, content_type: &'static str) -> Self {
        let mut h = DefaultHasher::new();
        body.hash(&mut h);
        let version = format!("{:016x}", h.finish());
        let url = format!("{path}?v={}", &version[..12]);
        Self {
            body,
            content_type,
            version,
            url,
        }
    }

    fn serve(&self, requested: Option<&str>, headers: &HeaderMap) -> Response {
        let etag = format!("\"{}\"", self.version);
        if headers
            .get(header::IF_NONE_MATCH)
            .and_then(|v| v.to_str().ok())
            == Some(etag.as_str())
        {
            return (StatusCode::NOT_MODIFIED, [(header::ETAG, etag)]).into_response();
        }
        // Only the current fingerprint may be cached for good; anything else revalidates.
        let current = requested.is_some_and(|v| v.len() == 12 && self.version.starts_with(v));
        let cache = if current {
            "public, max-age=31536000, immutable"
        } else {
            "public, max-age=300"
        };
        (
            [
                (
                    header::CONTENT_TYPE,
                    HeaderValue::from_static(self.content_type),
                ),
                (header::CACHE_CONTROL, HeaderValue::from_static(cache)),
                (
                    header::ETAG,
                    HeaderValue::from_str(&etag).unwrap_or(HeaderValue::from_static("\"0\"")),
                ),
            ],
            self.body,
        )
            .into_response()
    }
}

pub static STYLESHEET: LazyLock<Asset> = LazyLock::new(|| {
    Asset::new(
        "/static/vigie.css",
        include_str!("../../static/vigie.css"),
        "text/css; charset=utf-8",
    )
});

pub static EDITOR_SCRIPT: LazyLock<Asset> = LazyLock::new(|| {
    Asset::new(
        "/static/editor.js",
        include_str!("../../static/editor.js"),
        "text/javascript; charset=utf-8",
    )
});

pub static READER_SCRIPT: LazyLock<Asset> = LazyLock::new(|| {
    Asset::new(
        "/static/reader.js",
        include_str!("../../static/reader.js"),
        "text/javascript; charset=utf-8",
    )
});

/// The newsroom's logo (the publisher's in articles' structured data).
pub static LOGO: LazyLock<Asset> = LazyLock::new(|| {
    Asset::new(
        "/static/logo.svg",
        include_str!("../../static/logo.svg"),
        "image/svg+xml",
    )
});

#[derive(Deserialize)]
pub struct Version {
    v: Option<String>,
}

pub async fn stylesheet(Query(q): Query<Version>, headers: HeaderMap) -> Response {
    STYLESHEET.serve(q.v.as_deref(), &headers)
}

pub async fn editor_script(Query(q): Query<Version>, headers: HeaderMap) -> Response {
    EDITOR_SCRIPT.serve(q.v.as_deref(), &headers)
}

pub async fn reader_script(Query(q): Query<Version>, headers: HeaderMap) -> Response {
    READER_SCRIPT.serve(q.v.as_deref(), &headers)
}

pub async fn logo(Query(q): Query<Version>, headers: HeaderMap) -> Response {
    LOGO.serve(q.v.as_deref(), &headers)
}

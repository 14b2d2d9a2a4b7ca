//! HTTP caching of what readers fetch: every public page, feed and API answer gets validators
//! (`ETag`, `Last-Modified`), a `Cache-Control` policy for browsers and CDNs, and `304 Not
//! Modified` when the client already holds the current version.
//!
//! Answers are kept in the render cache (`render_cache`) with their `ETag`, computed once, by
//! the outermost layer ([`from_cache`]), so that a cached answer skips every other layer.
//! The `ETag` is a hash of the body, so it changes exactly when the answer does. The
//! `Last-Modified` is the site's content clock (see `store::clock`): coarser, as any change to
//! the public side moves it, but never late. Staff pages never come here; they are `no-store`.

use std::collections::HashSet;
use std::sync::{Arc, LazyLock};
use std::time::{Duration, SystemTime};

use axum::body::Body;
use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};

use super::auth::Access;
use super::render_cache::{CacheDeps, Cached, RenderCache, Turn};
use super::{AppState, routes};
use crate::config::Config;
use crate::store::clock;

/// Public answers are hashed whole; none comes anywhere near this.
const LARGEST_HASHED: usize = 32 * 1024 * 1024;

/// Set on a public answer the render cache may keep (see [`from_cache`]).
#[derive(Debug, Clone)]
struct Cacheable {
    etag: HeaderValue,
    changed_at: SystemTime,
    deps: Option<CacheDeps>,
}

/// The outermost layer: answers from the render cache before any other layer runs (a hit costs
/// a lookup and a copy of the headers), and keeps public answers on their way out — with the
/// headers every other layer added, gzip-compressed once whatever the client took.
///
/// It takes only the cache (one reference count to bump per request, not the whole state's:
/// on a hit this layer is nearly all the work, and the counts are shared by every core).
pub async fn from_cache(
    State(cache): State<Arc<RenderCache>>,
    req: Request,
    next: Next,
) -> Response {
    let method = req.method().clone();
    if !matches!(method, Method::GET | Method::HEAD) || !is_public(&req) {
        return next.run(req).await;
    }
    // A client whose Accept-Encoding we cannot read for sure is served afresh, never from
    // (or into) the cache: a body it did not ask for must never reach it.
    let Some(coding) = wanted_coding(req.headers()) else {
        return next.run(req).await;
    };
    let identity_refused = refuses_identity(req.headers());
    let key = cache_key(&req);
    let conditions = Conditions::of(req.headers());
    let turn = if cache.usable() {
        Some(cache.turn(&key, signed_in(req.headers())).await)
    } else {
        None
    };
    let rendering = match turn {
        Some(Turn::Serve(entry)) => {
            if let Some(response) = answer(&entry, &conditions, coding, identity_refused) {
                return response;
            }
            None
        }
        Some(Turn::Render(rendering)) => Some(rendering),
        Some(Turn::RenderAlone) | None => None,
    };
    let generation = cache.generation();
    let response = next.run(req).await;
    if response.status() == StatusCode::SERVICE_UNAVAILABLE
        && let Some(kept) = cache.stale(&key)
        && let Some(mut response) = answer(&kept, &conditions, coding, identity_refused)
    {
        // The database is away: readers get the page as it last was rather than an error.
        response.headers_mut().insert(
            header::WARNING,
            HeaderValue::from_static("110 - \"Response is Stale\""),
        );
        return response;
    }
    // HEAD answers have no body to keep; only public 200s are marked.
    if method != Method::GET || !cache.usable() {
        return response;
    }
    let Some(marker) = response.extensions().get::<Cacheable>().cloned() else {
        return response;
    };
    // Never keep anything addressed to one person, nor a body in a coding we do not know.
    if response.headers().contains_key(header::SET_COOKIE) {
        return response;
    }
    let Some(served) = served_coding(response.headers()) else {
        return response;
    };
    let (mut parts, body) = response.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, LARGEST_HASHED).await else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    let mut headers = parts.headers.clone();
    // Per request, or set for each client.
    headers.remove("x-request-id");
    headers.remove(header::CONTENT_LENGTH);
    headers.remove(header::CONTENT_ENCODING);
    let (kept, gzip) = match served {
        Coding::Gzip => (bytes.clone(), true),
        Coding::Identity if compressible(&headers, bytes.len()) => {
            match compress(bytes.clone()).await {
                Some(compressed) => (compressed, true),
                None => return Response::from_parts(parts, Body::from(bytes)),
            }
        }
        Coding::Identity => (bytes.clone(), false),
    };
    if gzip {
        headers.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
    }
    let entry = Cached::new(
        headers,
        kept,
        gzip,
        marker.etag,
        marker.changed_at,
        marker.deps,
    );
    cache.store(key, Arc::new(entry), generation);
    cache.missed();
    drop(rendering);
    parts.headers.remove(header::CONTENT_LENGTH);
    Response::from_parts(parts, Body::from(bytes))
}

/// The public pages' route templates: only their answers are ever kept.
static PUBLIC_ROUTES: LazyLock<HashSet<&'static str>> = LazyLock::new(|| {
    routes::list()
        .into_iter()
        .filter(|r| r.access == Access::Public && r.method == Method::GET)
        .map(|r| r.path)
        .collect()
});

fn is_public(req: &Request) -> bool {
    req.extensions()
        .get::<MatchedPath>()
        .is_some_and(|m| PUBLIC_ROUTES.contains(m.as_str()))
}

/// Whether a request carries a session cookie (see [`RenderCache::turn`]: whoever may have
/// just changed something is not served a stale copy).
pub(super) fn signed_in(headers: &HeaderMap) -> bool {
    headers
        .get_all(header::COOKIE)
        .iter()
        .any(|v| v.to_str().is_ok_and(|v| v.contains("vigie_session=")))
}

/// Whether the client takes a body only compressed (`identity;q=0`, or `*;q=0` without naming
/// `identity`): a body kept plain cannot go to it.
fn refuses_identity(headers: &HeaderMap) -> bool {
    let Some(line) = headers
        .get(header::ACCEPT_ENCODING)
        .and_then(|v| v.to_str().ok())
    else {
        return false;
    };
    let mut identity = None;
    let mut any = None;
    for item in line.split(',') {
        let mut parts = item.split(';');
        let coding = parts.next().unwrap_or_default().trim();
        let q = parts
            .filter_map(|p| p.split_once('='))
            .find(|(name, _)| name.trim().eq_ignore_ascii_case("q"))
            .and_then(|(_, v)| qvalue(v.trim()))
            .unwrap_or(1.0);
        if coding.eq_ignore_ascii_case("identity") {
            identity = Some(q);
        } else if coding == "*" {
            any = Some(q);
        }
    }
    identity.or(any).is_some_and(|q| q <= 0.0)
}

/// Smaller answers gain little; images and the like are compressed already.
fn compressible(headers: &HeaderMap, len: usize) -> bool {
    let kind = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    len >= 1024
        && (kind.starts_with("text/")
            || kind.starts_with("application/json")
            || kind.starts_with("application/xml")
            || kind.contains("+xml")
            || kind.contains("+json")
            || kind.starts_with("image/svg"))
}

/// gzip of a body, off the async threads when it is large (feeds can be).
async fn compress(body: axum::body::Bytes) -> Option<axum::body::Bytes> {
    fn gzip(body: &[u8]) -> std::io::Result<Vec<u8>> {
        use std::io::Write as _;
        let mut encoder = flate2::write::GzEncoder::new(
            Vec::with_capacity(body.len() / 3),
            flate2::Compression::default(),
        );
        encoder.write_all(body)?;
        encoder.finish()
    }
    let compressed = if body.len() <= 64 * 1024 {
        gzip(&body)
    } else {
        tokio::task::spawn_blocking(move || gzip(&body))
            .await
            .ok()?
    };
    compressed.ok().map(axum::body::Bytes::from)
}

/// How an answer's body is coded on the wire: the compressed and plain answers are kept apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Coding {
    Gzip,
    Identity,
}

/// The coding of the kept answers this request may be given: gzip when the client takes it
/// (`gzip`, `x-gzip` or `*`, any case, with a q-value above 0), else a plain body unless it
/// refuses one. `None` (several header lines, an unreadable q-value, nothing acceptable) keeps
/// the request away from the cache. It reads the header as the compression layer does, so that
/// a kept answer reaches a client in the coding a fresh one would have; a client that ranks a
/// plain body above gzip but takes gzip may get gzip from memory, which it accepts.
pub fn wanted_coding(headers: &HeaderMap) -> Option<Coding> {
    let mut lines = headers.get_all(header::ACCEPT_ENCODING).iter();
    let Some(line) = lines.next() else {
        return Some(Coding::Identity);
    };
    if lines.next().is_some() {
        return None;
    }
    let (mut gzip, mut identity, mut any): (Option<f32>, Option<f32>, Option<f32>) =
        (None, None, None);
    for item in line.to_str().ok()?.split(',') {
        let mut parts = item.split(';');
        let coding = parts.next().unwrap_or_default().trim();
        if coding.is_empty() {
            continue;
        }
        let mut q = None;
        for param in parts {
            let (name, value) = param.split_once('=')?;
            if name.trim().eq_ignore_ascii_case("q") {
                // One weight, written as RFC 9110 says.
                if q.is_some() {
                    return None;
                }
                q = Some(qvalue(value.trim())?);
            }
        }
        let q = q.unwrap_or(1.0);
        let slot = if coding.eq_ignore_ascii_case("gzip") || coding.eq_ignore_ascii_case("x-gzip") {
            &mut gzip
        } else if coding.eq_ignore_ascii_case("identity") {
            &mut identity
        } else if coding == "*" {
            &mut any
        } else {
            continue;
        };
        // Named twice: when in doubt, not wanted.
        *slot = Some(slot.map_or(q, |other: f32| other.min(q)));
    }
    let gzip = gzip.or(any).unwrap_or(0.0);
    let plain = identity.or(any).unwrap_or(1.0);
    if gzip > 0.0 {
        Some(Coding::Gzip)
    } else if plain > 0.0 {
        Some(Coding::Identity)
    } else {
        None
    }
}

/// A q-value as RFC 9110 (12.4.2) writes it: `0` or `1`, then up to three decimals (only zeros
/// after a `1`).
fn qvalue(s: &str) -> Option<f32> {
    let (whole, decimals) = s.split_once('.').unwrap_or((s, ""));
    let digits_ok = decimals.len() <= 3 && decimals.bytes().all(|b| b.is_ascii_digit());
    let ok = match whole {
        "0" => digits_ok && (s.len() == 1 || s.contains('.')),
        "1" => digits_ok && decimals.bytes().all(|b| b == b'0'),
        _ => false,
    };
    ok.then(|| s.parse().ok()).flatten()
}

/// The coding an answer was sent with, if it is one the cache keeps.
fn served_coding(headers: &HeaderMap) -> Option<Coding> {
    match headers.get(header::CONTENT_ENCODING) {
        None => Some(Coding::Identity),
        Some(v) if v == "gzip" => Some(Coding::Gzip),
        Some(_) => None,
    }
}

/// Path and query: one entry per address, whatever the client's coding.
fn cache_key(req: &Request) -> String {
    req.uri()
        .path_and_query()
        .map_or_else(|| req.uri().path(), |pq| pq.as_str())
        .to_owned()
}

/// The middleware in front of every [`Access::Public`](super::auth::Access) route: validators,
/// `304`s, and the mark that lets [`from_cache`] keep the answer.
pub async fn public(State(state): State<AppState>, req: Request, next: Next) -> Response {
    if !matches!(*req.method(), Method::GET | Method::HEAD) {
        return next.run(req).await;
    }
    let conditions = Conditions::of(req.headers());
    // Read before the page, so that the page is never older than the date it is sent with.
    let changed_at = match state.cache.clock() {
        Some(at) => at,
        None => match clock::content_changed_at(&state.pool, &state.config.timezone).await {
            Ok(at) => whole_seconds(at.into()),
            // The page itself will say what is wrong, in its own form (HTML, or JSON for the
            // API); an answer that does come is sent without validators, and not kept.
            Err(e) => {
                tracing::warn!(error = %e, "content clock unavailable");
                return next.run(req).await;
            }
        },
    };
    let response = next.run(req).await;
    // Errors are not cached; answers with a policy of their own keep it. A condition applies
    // only to what would be a 200 (RFC 9110, 13.2.1): a page that does not exist is never
    // "not modified".
    if response.status() != StatusCode::OK || response.headers().contains_key(header::CACHE_CONTROL)
    {
        return response;
    }
    if conditions.unmodified_since(changed_at) {
        return not_modified(None, changed_at, &state.config);
    }
    let (mut parts, body) = response.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, LARGEST_HASHED).await else {
        tracing::error!("public answer too large to hash");
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    let etag = etag_of(&bytes);
    if conditions
        .if_none_match
        .as_ref()
        .is_some_and(|tags| matches(tags, &etag))
    {
        return not_modified(Some(etag), changed_at, &state.config);
    }
    set_validators(
        &mut parts.headers,
        Some(etag.clone()),
        changed_at,
        &state.config,
    );
    let deps = parts.extensions.remove::<CacheDeps>();
    parts.extensions.insert(Cacheable {
        etag,
        changed_at,
        deps,
    });
    Response::from_parts(parts, Body::from(bytes))
}

/// What the client says it already has.
struct Conditions {
    if_none_match: Option<HeaderValue>,
    if_modified_since: Option<SystemTime>,
}

impl Conditions {
    fn of(headers: &HeaderMap) -> Self {
        Self {
            if_none_match: headers.get(header::IF_NONE_MATCH).cloned(),
            if_modified_since: if_modified_since(headers),
        }
    }

    /// `If-Modified-Since` counts only without `If-None-Match` (RFC 9110, 13.1.3).
    fn unmodified_since(&self, changed_at: SystemTime) -> bool {
        self.if_none_match.is_none() && self.if_modified_since.is_some_and(|s| changed_at <= s)
    }
}

/// The kept answer in the coding the client takes, or `304` when its copy is current; `None`
/// when it cannot be given this one (a plain body to a client that refuses one, or a body
/// that does not inflate).
fn answer(
    entry: &Cached,
    conditions: &Conditions,
    coding: Coding,
    identity_refused: bool,
) -> Option<Response> {
    let current = match &conditions.if_none_match {
        Some(tags) => matches(tags, &entry.etag),
        None => conditions.unmodified_since(entry.changed_at),
    };
    if current {
        let mut response = StatusCode::NOT_MODIFIED.into_response();
        for name in [
            header::ETAG,
            header::LAST_MODIFIED,
            header::CACHE_CONTROL,
            header::VARY,
        ] {
            if let Some(value) = entry.headers.get(&name) {
                response.headers_mut().insert(name, value.clone());
            }
        }
        return Some(response);
    }
    let (body, gzip) = match (entry.is_gzip(), coding) {
        (true, Coding::Gzip) => (entry.kept_body(), true),
        (true, Coding::Identity) => (entry.plain_body().ok()?, false),
        (false, _) if identity_refused => return None,
        (false, _) => (entry.kept_body(), false),
    };
    let mut response = Response::new(Body::from(body));
    *response.headers_mut() = entry.headers.clone();
    if gzip {
        response
            .headers_mut()
            .insert(header::CONTENT_ENCODING, HeaderValue::from_static("gzip"));
    }
    Some(response)
}

fn not_modified(etag: Option<HeaderValue>, changed_at: SystemTime, config: &Config) -> Response {
    let mut response = StatusCode::NOT_MODIFIED.into_response();
    set_validators(response.headers_mut(), etag, changed_at, config);
    response
}

fn set_validators(
    headers: &mut HeaderMap,
    etag: Option<HeaderValue>,
    changed_at: SystemTime,
    config: &Config,
) {
    if let Some(etag) = etag {
        headers.insert(header::ETAG, etag);
    }
    if let Ok(date) = HeaderValue::from_str(&httpdate::fmt_http_date(changed_at)) {
        headers.insert(header::LAST_MODIFIED, date);
    }
    if let Ok(policy) = HeaderValue::from_str(&cache_control(config)) {
        headers.insert(header::CACHE_CONTROL, policy);
    }
}

/// `public, max-age=60, stale-while-revalidate=600` with the configured durations.
pub fn cache_control(config: &Config) -> String {
    format!(
        "public, max-age={}, stale-while-revalidate={}",
        config.cache_max_age.as_secs(),
        config.cache_stale.as_secs()
    )
}

/// A weak validator (`W/"…"`): compression changes the bytes on the wire, not the answer.
fn etag_of(body: &[u8]) -> HeaderValue {
    let digest = Sha256::digest(body);
    let hex: String = digest[..12].iter().map(|b| format!("{b:02x}")).collect();
    HeaderValue::from_str(&format!("W/\"{hex}\"")).unwrap_or(HeaderValue::from_static("W/\"0\""))
}

/// Whether an `If-None-Match` list names this `ETag` (weak comparison) or is `*`.
fn matches(if_none_match: &HeaderValue, etag: &HeaderValue) -> bool {
    let (Ok(list), Ok(etag)) = (if_none_match.to_str(), etag.to_str()) else {
        return false;
    };
    let opaque = |tag: &str| tag.trim().trim_start_matches("W/").to_owned();
    let ours = opaque(etag);
    list.split(',')
        .any(|tag| tag.trim() == "*" || opaque(tag) == ours)
}

/// The client's `If-Modified-Since`; a date still to come is no date (RFC 9110, 13.1.3): it
/// would otherwise make any address, even one that names nothing, answer 304.
fn if_modified_since(headers: &HeaderMap) -> Option<SystemTime> {
    let value = headers.get(header::IF_MODIFIED_SINCE)?.to_str().ok()?;
    httpdate::parse_http_date(value)
        .ok()
        .filter(|at| *at <= SystemTime::now())
}

/// HTTP dates have whole seconds; comparing at finer grain would never match.
fn whole_seconds(at: SystemTime) -> SystemTime {
    let since_epoch = at
        .duration_since(SystemTime::UNIX_EPOCH)
        .unwrap_or_default()
        .as_secs();
    SystemTime::UNIX_EPOCH + Duration::from_secs(since_epoch)
}

impl AppState {
    /// Whether the render cache would serve `target` (path and query) from memory now to a
    /// client that takes no compression (for the tests: see `RenderCache::holds`).
    pub fn holds(&self, target: &str) -> bool {
        self.cache.holds(target)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn if_none_match_compares_weakly_and_reads_lists() {
        let etag = etag_of(b"page");
        let text = etag.to_str().unwrap().to_owned();
        let strong = text.trim_start_matches("W/").to_owned();
        for header in [
            text.clone(),
            strong,
            format!("\"x\", {text}"),
            "*".to_owned(),
        ] {
            assert!(
                matches(&HeaderValue::from_str(&header).unwrap(), &etag),
                "{header}"
            );
        }
        assert!(!matches(&HeaderValue::from_static("\"x\""), &etag));
        assert_ne!(etag_of(b"page"), etag_of(b"page!"));
    }

    #[test]
    fn the_coding_is_read_as_compression_reads_it() {
        let wanted = |value: &str| {
            let mut headers = HeaderMap::new();
            headers.insert(
                header::ACCEPT_ENCODING,
                HeaderValue::from_str(value).unwrap(),
            );
            wanted_coding(&headers)
        };
        assert_eq!(wanted_coding(&HeaderMap::new()), Some(Coding::Identity));
        for gzip in [
            "gzip, identity;q=0",
            "gzip;q=0.5, identity;q=0.5",
            "gzip",
            "GZIP",
            "x-gzip",
            "*",
            "br, Gzip;q=0.5",
            "deflate, *;q=0.1",
        ] {
            assert_eq!(wanted(gzip), Some(Coding::Gzip), "{gzip}");
        }
        for plain in [
            "",
            "identity",
            "br",
            "gzip;q=0",
            "*;q=0, identity",
            "gzip;Q=0",
        ] {
            assert_eq!(wanted(plain), Some(Coding::Identity), "{plain}");
        }
        for unsure in [
            "gzip;q=abc",
            "gzip;q=2",
            "*;q=0",
            "identity;q=0",
            "gzip;x",
            // Not q-values (RFC 9110, 12.4.2), which the compression layer ignores.
            "gzip;q=0;q=1",
            "gzip;q=1e-9",
            "gzip;q=0.0001",
            "gzip;q=.5",
            "gzip;q=0.5e0",
            "gzip;q=1.5",
            "gzip;q=1.001",
        ] {
            assert_eq!(wanted(unsure), None, "{unsure}");
        }
        let mut two_lines = HeaderMap::new();
        two_lines.append(
            header::ACCEPT_ENCODING,
            HeaderValue::from_static("identity"),
        );
        two_lines.append(header::ACCEPT_ENCODING, HeaderValue::from_static("gzip"));
        assert_eq!(wanted_coding(&two_lines), None);
    }

    /// What the real compression layer (as the router stacks it) sends for `accept_encoding`.
    fn compressed_as(accept_encoding: &str) -> Option<Coding> {
        use tower::{Service, ServiceExt};
        let runtime = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        runtime.block_on(async {
            let mut service = tower::ServiceBuilder::new()
                .layer(tower_http::compression::CompressionLayer::new())
                .service_fn(|_: Request| async {
                    let mut response = Response::new(Body::from("<p>page</p>".repeat(100)));
                    response.headers_mut().insert(
                        header::CONTENT_TYPE,
                        HeaderValue::from_static("text/html; charset=utf-8"),
                    );
                    Ok::<_, std::convert::Infallible>(response)
                });
            let request = Request::builder()
                .header(header::ACCEPT_ENCODING, accept_encoding)
                .body(Body::empty())
                .unwrap();
            let response = service.ready().await.unwrap().call(request).await.unwrap();
            served_coding(response.headers())
        })
    }

    #[test]
    fn what_browsers_and_tools_send_is_predicted_as_compression_does_it() {
        for header in [
            "gzip, deflate, br, zstd",
            "gzip, deflate, br",
            "gzip, deflate",
            "gzip",
            "br;q=1.0, gzip;q=0.8, *;q=0.1",
            "identity",
            "",
            "*",
            "GZIP",
            "x-gzip",
            "deflate",
            "gzip;q=0",
        ] {
            let mut headers = HeaderMap::new();
            headers.insert(
                header::ACCEPT_ENCODING,
                HeaderValue::from_str(header).unwrap(),
            );
            assert_eq!(wanted_coding(&headers), compressed_as(header), "{header}");
        }
    }

    #[test]
    fn dates_lose_their_fraction_of_a_second() {
        let at = SystemTime::UNIX_EPOCH + Duration::from_millis(1_500);
        assert_eq!(
            whole_seconds(at),
            SystemTime::UNIX_EPOCH + Duration::from_secs(1)
        );
    }
}

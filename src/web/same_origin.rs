//! The same-origin check in front of every state-changing request: a browser says where a
//! request comes from (`Origin`, `Sec-Fetch-Site`), and only this site's own pages may post.
//! The site's origin is `VIGIE_BASE_URL`'s scheme, host and port — never the request's own
//! `Host` header, which whoever sends the request chooses, and never without the scheme (a
//! page served over plain HTTP must not post to the HTTPS site).

use axum::extract::{Request, State};
use axum::http::{HeaderMap, Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::error::ErrorPage;
use super::{AppError, AppState};

/// Refuses with 403 a state-changing request that a browser says comes from elsewhere.
/// Requests without either header (not a browser, or a very old one) pass: session forms still
/// carry their CSRF token, checked by `SignedForm`. The API passes too: its write routes take a
/// bearer token and never a cookie, so a page elsewhere has nothing of the person's to use.
pub async fn check(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let safe = matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    let api = req.uri().path().starts_with("/api/");
    if safe || api || from_here(req.headers(), &state.config.base_url) {
        return next.run(req).await;
    }
    tracing::warn!("cross-site request refused");
    let mut response = AppError::Forbidden.into_response();
    response.extensions_mut().insert(ErrorPage {
        message: Some(format!(
            "Ce formulaire n’a pas été envoyé depuis une page du site. Ouvrez le site à son adresse, {}, et recommencez.",
            origin_of(&state.config.base_url)
        )),
    });
    response
}

/// Whether the browser's headers say the request comes from the site at `base_url`: each of
/// `Origin` and `Sec-Fetch-Site` that is sent must say so, once.
fn from_here(headers: &HeaderMap, base_url: &str) -> bool {
    let one = |name| {
        let mut values = headers.get_all(name).iter();
        match (values.next(), values.next()) {
            (None, _) => Ok(None),
            (Some(value), None) => Ok(Some(value)),
            (Some(_), Some(_)) => Err(()),
        }
    };
    let (Ok(origin), Ok(site)) = (one(header::ORIGIN.as_str()), one("sec-fetch-site")) else {
        return false;
    };
    let origin_ok = origin.is_none_or(|o| {
        o.to_str()
            .is_ok_and(|o| !o.is_empty() && o.eq_ignore_ascii_case(&origin_of(base_url)))
    });
    let site_ok = site.is_none_or(|s| s == "same-origin" || s == "none");
    origin_ok && site_ok
}

/// `scheme://host[:port]` of `url`, as browsers write it in `Origin` (no default port).
fn origin_of(url: &str) -> String {
    let (scheme, rest) = url.split_once("://").unwrap_or(("http", url));
    let scheme = scheme.to_ascii_lowercase();
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let authority = match scheme.as_str() {
        "https" => authority.strip_suffix(":443"),
        "http" => authority.strip_suffix(":80"),
        _ => None,
    }
    .unwrap_or(authority);
    format!("{scheme}://{}", authority.to_ascii_lowercase())
}

#[cfg(test)]
mod tests {
    use axum::http::HeaderValue;

    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.insert(*name, HeaderValue::from_static(value));
        }
        map
    }

    #[test]
    fn only_the_sites_own_origin_may_post() {
        let site = "https://vigie.example/";
        assert!(from_here(
            &headers(&[("origin", "https://vigie.example")]),
            site
        ));
        assert!(from_here(
            &headers(&[("origin", "https://VIGIE.example")]),
            site
        ));
        assert!(
            from_here(&headers(&[]), site),
            "not a browser: the CSRF token decides"
        );
        assert!(from_here(
            &headers(&[("sec-fetch-site", "same-origin")]),
            site
        ));
        for refused in [
            // The same host over plain HTTP: another origin.
            &[("origin", "http://vigie.example")][..],
            &[("origin", "https://vigie.example:8443")],
            &[("origin", "https://evil.example")],
            &[("origin", "null")],
            &[("origin", "")],
            // The request's own Host header proves nothing.
            &[("origin", "https://evil.example"), ("host", "evil.example")],
            &[
                ("origin", "https://evil.example"),
                ("sec-fetch-site", "same-origin"),
            ],
            &[("sec-fetch-site", "cross-site")],
            // Both are checked: a matching Origin does not excuse a cross-site request.
            &[
                ("origin", "https://vigie.example"),
                ("sec-fetch-site", "cross-site"),
            ],
            &[("sec-fetch-site", "same-site")],
        ] {
            assert!(!from_here(&headers(refused), site), "{refused:?}");
        }
    }

    #[test]
    fn two_origins_are_none() {
        let mut two = headers(&[("origin", "https://vigie.example")]);
        two.append("origin", HeaderValue::from_static("https://evil.example"));
        assert!(!from_here(&two, "https://vigie.example"));
    }

    #[test]
    fn origins_are_written_as_browsers_write_them() {
        assert_eq!(origin_of("https://vigie.example"), "https://vigie.example");
        assert_eq!(
            origin_of("https://vigie.example:443/"),
            "https://vigie.example"
        );
        assert_eq!(origin_of("http://127.0.0.1:3000"), "http://127.0.0.1:3000");
        assert_eq!(
            origin_of("HTTP://Vigie.Example:80/x"),
            "http://vigie.example"
        );
    }
}

//! Which database a public read goes to (`DATABASE_READ_URL`, see `db::replicas`).
//!
//! [`route`] runs every public GET inside a scope that names the pool its reads use
//! ([`AppState::reads`] answers it): a replica for a reader, the primary for whoever can
//! write. Signed-in people (a session cookie) and API clients (an `Authorization` header) read
//! the primary, so that whoever saved something reads it back at once; they are few next to
//! readers. A read that fails on a replica for want of a database (it went away, refused,
//! was cut off by a recovery conflict) takes that replica out of service and is answered again
//! from the primary: a public GET has no effect to repeat, so the reader sees no error.

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{Method, header};
use axum::middleware::Next;
use axum::response::Response;
use sqlx::PgPool;

use super::AppState;
use super::error::ReadFailed;

tokio::task_local! {
    /// The pool the current request's public reads use.
    static READS: PgPool;
}

/// The pool the current request's public reads use: the one [`route`] chose, else the
/// primary (`primary`), as for staff pages, writes and background work.
pub(super) fn current(primary: &PgPool) -> PgPool {
    READS
        .try_with(PgPool::clone)
        .unwrap_or_else(|_| primary.clone())
}

/// The layer of public routes that chooses where their reads go (see the module's comment).
pub async fn route(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let Some(replicas) = state.replicas.clone() else {
        return next.run(req).await;
    };
    if !matches!(*req.method(), Method::GET | Method::HEAD) || may_write(&req) {
        return next.run(req).await;
    }
    let pick = replicas.pick();
    let Some(replica) = pick.replica else {
        return READS.scope(pick.pool, next.run(req)).await;
    };
    // A GET has no body: what it takes to ask again.
    let mut again = Request::new(Body::empty());
    *again.method_mut() = req.method().clone();
    *again.uri_mut() = req.uri().clone();
    *again.version_mut() = req.version();
    *again.headers_mut() = req.headers().clone();
    *again.extensions_mut() = req.extensions().clone();
    let response = READS.scope(pick.pool, next.clone().run(req)).await;
    if response.extensions().get::<ReadFailed>().is_none() {
        return response;
    }
    replicas.failed(replica);
    READS
        .scope(replicas.primary().clone(), next.run(again))
        .await
}

/// Whether the request comes from someone who may have just written: a signed-in person or
/// an API client.
fn may_write(req: &Request) -> bool {
    req.headers().contains_key(header::AUTHORIZATION) || super::caching::signed_in(req.headers())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(headers: &[(&str, &str)]) -> Request {
        let mut req = Request::new(Body::empty());
        for (name, value) in headers {
            req.headers_mut().append(
                header::HeaderName::from_bytes(name.as_bytes()).unwrap(),
                header::HeaderValue::from_str(value).unwrap(),
            );
        }
        req
    }

    #[test]
    fn whoever_may_have_just_written_reads_the_primary() {
        assert!(!may_write(&request(&[])));
        assert!(!may_write(&request(&[("cookie", "theme=dark")])));
        assert!(may_write(&request(&[(
            "cookie",
            "theme=dark; vigie_session=abc"
        )])));
        assert!(may_write(&request(&[(
            "cookie",
            "__Host-vigie_session=abc"
        )])));
        assert!(may_write(&request(&[("authorization", "Bearer vigie_x")])));
    }
}

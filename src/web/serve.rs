//! The accept loop. `axum::serve` sets no header-read timeout, so a client that trickles its
//! headers could hold a connection for ever; hyper's own connection builder can cut it off.
//! Each request also learns the client's address (`ConnectInfo`) for login throttling.

use std::future::Future;
use std::net::SocketAddr;
use std::time::Duration;

use axum::Router;
use axum::extract::ConnectInfo;
use axum::extract::Request;
use hyper::body::Incoming;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto::Builder;
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tower::ServiceExt;

/// How long requests in flight may take to finish once shutdown starts.
const DRAIN: Duration = Duration::from_secs(30);

/// Serves `app` on `listener` until `shutdown` completes, then lets requests in flight finish.
/// Clients get `header_timeout` to send their request headers.
pub async fn serve(
    listener: TcpListener,
    app: Router,
    header_timeout: Duration,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let mut builder = Builder::new(TokioExecutor::new());
    builder
        .http1()
        .timer(TokioTimer::new())
        .header_read_timeout(header_timeout);
    builder.http2().timer(TokioTimer::new());
    let graceful = GracefulShutdown::new();
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let (stream, remote) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(pair) => pair,
                Err(e) => {
                    // Usually out of file descriptors: wait instead of spinning.
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        // Small HTML answers should leave at once, not wait for Nagle's algorithm.
        let _ = stream.set_nodelay(true);
        let service = app.clone().map_request(move |mut req: Request<Incoming>| {
            req.extensions_mut().insert(ConnectInfo(remote));
            req
        });
        let connection = builder
            .serve_connection(TokioIo::new(stream), TowerToHyperService::new(service))
            .into_owned();
        let connection = graceful.watch(connection);
        tokio::spawn(async move {
            if let Err(e) = connection.await {
                tracing::debug!(error = %e, "connection ended with an error");
            }
        });
    }
    drop(listener);
    if tokio::time::timeout(DRAIN, graceful.shutdown())
        .await
        .is_err()
    {
        tracing::warn!("some requests were still running after {DRAIN:?}; closing them");
    }
    Ok(())
}

/// The client's address: the connection's, or behind a trusted proxy the last address of
/// `header` (the one the proxy appended).
pub fn client_addr(req: &axum::http::request::Parts, header: Option<&str>) -> String {
    if let Some(name) = header
        && let Some(value) = req.headers.get(name).and_then(|v| v.to_str().ok())
        && let Some(last) = value
            .rsplit(',')
            .next()
            .map(str::trim)
            .filter(|s| !s.is_empty())
    {
        return last.to_owned();
    }
    req.extensions.get::<ConnectInfo<SocketAddr>>().map_or_else(
        || "unknown".to_owned(),
        |ConnectInfo(addr)| addr.ip().to_string(),
    )
}

//! The accept loop. `axum::serve` sets no header-read timeout, so a client that trickles its
//! headers could hold a connection for ever; hyper's own connection builder can cut it off.
//! Each request also learns the client's address (`ConnectInfo`) for login throttling.

use std::future::Future;
use std::net::{IpAddr, SocketAddr};
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

/// Serves `app` on `listener` until `shutdown` completes, then lets requests in flight finish
/// for up to `drain`. Clients get `header_timeout` to send their request headers.
pub async fn serve(
    listener: TcpListener,
    app: Router,
    header_timeout: Duration,
    drain: Duration,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    // HTTP/1.1 only: it is what load balancers speak to us, and hyper's header-read timeout
    // covers it (HTTP/2 without TLS would need its own keep-alive limits).
    let mut builder = Builder::new(TokioExecutor::new()).http1_only();
    builder
        .http1()
        .timer(TokioTimer::new())
        .header_read_timeout(header_timeout);
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
    tracing::info!("no new connections; finishing requests in flight");
    if tokio::time::timeout(drain, graceful.shutdown())
        .await
        .is_err()
    {
        tracing::warn!("some requests were still running after {drain:?}; closing them");
    }
    Ok(())
}

/// The client's address, for throttling: the connection's, or — when the connection comes from
/// a trusted proxy — the last address of the last `header` line (the one that proxy appended:
/// a client may send lines of its own, which come first). IPv6 clients are grouped by /64,
/// the block one subscriber usually gets.
pub fn client_addr(
    req: &axum::http::request::Parts,
    header: Option<&str>,
    trusted: &[IpAddr],
) -> String {
    let peer = req
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(addr)| addr.ip());
    let forwarded = header
        .filter(|_| peer.is_some_and(|p| trusted.contains(&p)))
        .and_then(|name| req.headers.get_all(name).iter().next_back())
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.rsplit(',').next())
        .and_then(|last| forwarded_ip(last.trim()));
    // A dual-stack listener, or a proxy, may write an IPv4 client as `::ffff:a.b.c.d`: it is
    // that IPv4 client, not the /64 every IPv4 client would then share.
    let client = forwarded.or(peer).map(|ip| match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        v4 => v4,
    });
    match client {
        Some(IpAddr::V6(v6)) => {
            let s = v6.segments();
            format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
        }
        Some(ip) => ip.to_string(),
        None => "unknown".to_owned(),
    }
}

/// An address as proxies write it: bare, with a port (`203.0.113.9:1234`), or an IPv6 one in
/// brackets, with or without a port.
fn forwarded_ip(value: &str) -> Option<IpAddr> {
    value
        .parse::<IpAddr>()
        .ok()
        .or_else(|| value.parse::<SocketAddr>().ok().map(|s| s.ip()))
        .or_else(|| {
            value
                .strip_prefix('[')
                .and_then(|v| v.strip_suffix(']'))
                .and_then(|v| v.parse().ok())
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn from_proxy(lines: &[&str]) -> String {
        let mut request = axum::http::Request::builder();
        for line in lines {
            request = request.header("x-forwarded-for", *line);
        }
        let (mut parts, ()) = request.body(()).unwrap().into_parts();
        let proxy: SocketAddr = "127.0.0.1:4000".parse().unwrap();
        parts.extensions.insert(ConnectInfo(proxy));
        client_addr(&parts, Some("x-forwarded-for"), &[proxy.ip()])
    }

    #[test]
    fn the_client_is_the_last_address_the_proxy_appended() {
        assert_eq!(from_proxy(&["203.0.113.7"]), "203.0.113.7");
        assert_eq!(from_proxy(&["198.51.100.1, 203.0.113.7"]), "203.0.113.7");
        // The client sent a line of its own; the proxy added its own line after it.
        assert_eq!(from_proxy(&["198.51.100.1", "203.0.113.7"]), "203.0.113.7");
        assert_eq!(from_proxy(&["2001:db8:1:2:3::4"]), "2001:db8:1:2::/64");
        assert_eq!(from_proxy(&[]), "127.0.0.1");
    }

    #[test]
    fn ipv4_clients_keep_their_own_address_however_it_is_written() {
        // A dual-stack listener sees IPv4 clients as IPv4-mapped IPv6 addresses: grouped by
        // /64, every one of them shared one key.
        let (mut parts, ()) = axum::http::Request::builder()
            .body(())
            .unwrap()
            .into_parts();
        let peer: SocketAddr = "[::ffff:127.0.0.60]:5000".parse().unwrap();
        parts.extensions.insert(ConnectInfo(peer));
        assert_eq!(client_addr(&parts, None, &[]), "127.0.0.60");
        assert_eq!(from_proxy(&["::ffff:203.0.113.10"]), "203.0.113.10");
        // Proxies that write the client's port.
        assert_eq!(from_proxy(&["203.0.113.9:1234"]), "203.0.113.9");
        assert_eq!(from_proxy(&["[2001:db8::1]:443"]), "2001:db8:0:0::/64");
        assert_eq!(from_proxy(&["[2001:db8::1]"]), "2001:db8:0:0::/64");
    }
}

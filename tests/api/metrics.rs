//! `/metrics`: served by the real binary on its own listener only, in the Prometheus text
//! format, with route templates (never the addresses readers asked for), the render cache's
//! hits and misses, the pool, the queues, sign-in throttling and the build.

use crate::helpers::Server;
use crate::helpers::{Browser, TestApp};

async fn scrape(server: &Server) -> (String, String) {
    let metrics = server
        .metrics
        .as_deref()
        .expect("metrics listener announced");
    let response = reqwest::get(format!("http://{metrics}/metrics"))
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let kind = response
        .headers()
        .get("content-type")
        .unwrap()
        .to_str()
        .unwrap()
        .to_owned();
    (kind, response.text().await.unwrap())
}

/// The value of the sample whose name and labels start as `prefix` says (labels in the
/// encoder's order), summed when several match.
fn value(text: &str, prefix: &str) -> f64 {
    text.lines()
        .filter(|l| !l.starts_with('#') && l.starts_with(prefix))
        .map(|l| l.rsplit(' ').next().unwrap().parse::<f64>().unwrap())
        .sum()
}

#[tokio::test]
async fn metrics_are_served_apart_with_route_templates_and_the_caches_hits() {
    let app = TestApp::spawn().await;
    let slug = app
        .article(
            "Un article très lu",
            "Du texte.",
            Some(time::OffsetDateTime::now_utc() - time::Duration::hours(1)),
        )
        .await;
    let off = Server::start(&app, &[]).await;
    assert!(off.metrics.is_none(), "off by default");
    drop(off);
    let server = Server::start(&app, &[("VIGIE_METRICS_BIND", "127.0.0.1:0")]).await;

    // Never on the public listener.
    assert_eq!(
        reqwest::get(server.url("/metrics")).await.unwrap().status(),
        404
    );
    let (kind, before) = scrape(&server).await;
    assert!(kind.starts_with("text/plain; version=0.0.4"), "{kind}");
    let hits = r#"vigie_render_cache_requests_total{result="hit"}"#;
    let misses = r#"vigie_render_cache_requests_total{result="miss"}"#;

    let page = server.url(&format!("/articles/{slug}"));
    let client = reqwest::Client::new();
    for _ in 0..3 {
        let r = client
            .get(&page)
            .header("accept-encoding", "gzip")
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
    }
    assert_eq!(
        client
            .get(server.url("/articles/nulle-part"))
            .send()
            .await
            .unwrap()
            .status(),
        404
    );
    assert_eq!(
        client
            .get(server.url("/une/adresse/inconnue"))
            .send()
            .await
            .unwrap()
            .status(),
        404
    );
    // Too many wrong passwords for one account: refused, and counted.
    let browser = Browser::with_client(reqwest::Client::new(), server.base.clone());
    let mut throttled = false;
    for _ in 0..10 {
        let page = browser.sign_in("personne@vigie.example", "mauvais").await;
        throttled |= page.status == 429;
    }
    assert!(throttled, "ten wrong passwords are throttled");

    let (_, after) = scrape(&server).await;
    // The article page was rendered once, then served from memory.
    assert_eq!(
        value(&after, misses) - value(&before, misses),
        1.0,
        "{after}"
    );
    assert_eq!(value(&after, hits) - value(&before, hits), 2.0, "{after}");
    // Timed by route template, with method and status; the address itself is nowhere.
    let article_ok = r#"http_server_request_duration_seconds_count{http_request_method="GET",http_response_status_code="200",http_route="/articles/{slug}"}"#;
    assert_eq!(value(&after, article_ok), 3.0, "{after}");
    let article_missing = r#"http_server_request_duration_seconds_count{http_request_method="GET",http_response_status_code="404",http_route="/articles/{slug}"}"#;
    assert_eq!(value(&after, article_missing), 1.0, "{after}");
    let unmatched = r#"http_server_request_duration_seconds_count{http_request_method="GET",http_response_status_code="404"}"#;
    // (`/metrics` asked of the public listener, and the unknown address.)
    assert_eq!(value(&after, unmatched), 2.0, "{after}");
    for raw in [slug.as_str(), "nulle-part", "inconnue", "personne@"] {
        assert!(!after.contains(raw), "{raw} must not be in the metrics");
    }
    assert!(after.contains("# TYPE http_server_request_duration_seconds histogram"));
    assert!(after.contains(r#"http_server_request_duration_seconds_bucket{http_request_method="GET",http_response_status_code="200",http_route="/articles/{slug}",le="0.0005"}"#));
    assert!(
        value(&after, "vigie_sign_in_throttled_total") >= 1.0,
        "{after}"
    );
    assert_eq!(value(&before, "vigie_sign_in_throttled_total"), 0.0);
    // The cache's memory, the pool, the queues and the build.
    assert!(
        value(&after, "vigie_render_cache_size_bytes") > 0.0,
        "{after}"
    );
    assert!(value(&after, "vigie_render_cache_entries") >= 1.0);
    assert_eq!(
        value(&after, "vigie_render_cache_capacity_bytes"),
        256.0 * 1024.0 * 1024.0
    );
    assert!(value(&after, "db_client_connection_max") >= 1.0);
    assert!(
        after.contains(r#"db_client_connection_count{db_client_connection_state="idle",db_client_connection_pool_name="primary"}"#),
        "{after}"
    );
    assert_eq!(value(&after, "vigie_jobs_failed"), 0.0, "{after}");
    assert!(
        after.contains("vigie_webhook_deliveries_queued 0"),
        "{after}"
    );
    assert!(
        after.contains(&format!(
            r#"vigie_build_info{{version="{}"}} 1"#,
            env!("CARGO_PKG_VERSION")
        )),
        "{after}"
    );
}

/// A failed job shows in the queue gauges.
#[tokio::test]
async fn the_queues_are_counted_at_each_scrape() {
    let app = TestApp::spawn().await;
    sqlx::query(
        "insert into job (kind, payload, failed, attempts, max_attempts, last_error)
         values ('renditions', '{}', true, 1, 1, 'the original cannot be used')",
    )
    .execute(&app.pool)
    .await
    .unwrap();
    let server = Server::start(&app, &[("VIGIE_METRICS_BIND", "127.0.0.1:0")]).await;
    let (_, text) = scrape(&server).await;
    assert_eq!(value(&text, "vigie_jobs_failed"), 1.0, "{text}");
}

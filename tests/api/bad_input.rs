//! Hostile and broken input, through HTTP: a clear 4xx (or a normal page where the input is
//! merely odd), never a 500 or a dropped connection, and nothing half-written.

use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use vigie::domain::Role;

use crate::helpers::{Browser, Page, TestApp};

async fn articles(app: &TestApp) -> i64 {
    sqlx::query_scalar("select count(*) from article")
        .fetch_one(&app.pool)
        .await
        .unwrap()
}

/// Posts raw bytes as a form body, as a broken or malicious client would.
async fn post_raw(browser: &Browser, app: &TestApp, path: &str, body: Vec<u8>) -> Page {
    let response = browser
        .client
        .post(format!("{}{path}", app.base_url()))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body)
        .send()
        .await
        .expect("answered");
    Page {
        status: response.status(),
        headers: response.headers().clone(),
        body: response.text().await.expect("body"),
    }
}

fn is_site_page(page: &Page) -> bool {
    page.header("content-type").starts_with("text/html") && page.texts(".site-name") == ["Vigie"]
}

#[tokio::test]
async fn odd_paths_and_queries_get_pages_not_errors() {
    let app = TestApp::with_demo().await;
    for path in [
        "/articles/ab%00cd",
        "/articles/%E2%80%AEevil",
        "/articles/a%E2%80%8Bb",
        "/tags/%00",
        "/authors/%FF",
        "/articles/",
    ] {
        let page = app.get(path).await;
        assert!(
            page.status.is_client_error(),
            "{path}: {} {}",
            page.status,
            page.body
        );
        assert!(is_site_page(&page), "{path}: the site's page");
    }
    for query in ["%00", "%FF%FE", "%E2%80%AE%E2%80%8B", "a%00b"] {
        let page = app.get(&format!("/search?q={query}")).await;
        assert_eq!(page.status, 200, "search {query}: an ordinary results page");
        let api = app.get(&format!("/api/v1/articles?q={query}")).await;
        assert!(
            api.status == 200 || api.status == 400,
            "api q={query}: {}",
            api.status
        );
        assert!(api.header("content-type").starts_with("application/json"));
    }
}

#[tokio::test]
async fn ids_that_are_not_ids_are_not_found() {
    let app = TestApp::with_demo().await;
    let (browser, _) = app.signed_in(Role::Admin).await;
    for path in [
        "/editor/articles/123abc",
        "/editor/articles/123abc/revisions",
        "/admin/users/123abc",
        "/editor/articles/00000000-0000-0000-0000-000000000000",
        "/admin/review/123abc",
        "/editor/articles/00000000-0000-0000-0000-000000000000/revisions/1x",
    ] {
        let page = browser.get(path).await;
        assert_eq!(page.status, 404, "{path}");
        assert!(is_site_page(&page), "{path}");
    }
}

#[tokio::test]
async fn broken_forms_are_refused_and_save_nothing() {
    let app = TestApp::spawn().await;
    let (browser, _) = app.signed_in(Role::Journalist).await;
    let token = browser.csrf().await;
    let before = articles(&app).await;

    // Invalid UTF-8 and NUL bytes in the fields.
    let mut body = format!("csrf_token={token}&lang=fr&intent=save&title=").into_bytes();
    body.extend_from_slice(b"%FF%FEtitre&body=texte");
    let page = post_raw(&browser, &app, "/editor/new", body).await;
    assert!(page.status.is_client_error(), "{}", page.status);
    assert!(is_site_page(&page));
    let page = browser
        .post_signed(
            "/editor/new",
            &[
                ("title", "ti\0tre"),
                ("lang", "fr"),
                ("body", "a\0b"),
                ("intent", "save"),
            ],
        )
        .await;
    assert!(page.status.is_client_error(), "{}", page.status);
    assert!(
        page.body.contains("caractère nul"),
        "says why: {}",
        page.body
    );

    // A 100 kB title: refused with the form shown again, the text kept.
    let title = "Titre ".repeat(17_000);
    let page = browser
        .post_signed(
            "/editor/new",
            &[
                ("title", &title),
                ("lang", "fr"),
                ("body", "Le texte gardé."),
                ("intent", "save"),
            ],
        )
        .await;
    assert_eq!(page.status, 422, "{}", page.status);
    assert!(!page.texts(".field-error").is_empty());
    assert!(page.body.contains("Le texte gardé."));

    // A 10 MB body: refused before it is read.
    let huge = "x".repeat(10 * 1024 * 1024);
    let page = browser
        .post_signed(
            "/editor/new",
            &[
                ("title", "Énorme"),
                ("lang", "fr"),
                ("body", &huge),
                ("intent", "save"),
            ],
        )
        .await;
    assert_eq!(page.status, 413);

    // Bidirectional overrides and zero-width characters in a typed address.
    let page = browser
        .post_signed(
            "/editor/new",
            &[
                ("title", "Adresse piégée"),
                ("slug", "adresse\u{202e}txt.exe\u{200b}"),
                ("lang", "fr"),
                ("body", "Texte."),
                ("intent", "save"),
            ],
        )
        .await;
    assert_eq!(page.status, 422, "{}", page.body);
    assert!(!page.texts(".field-error").is_empty());

    assert_eq!(articles(&app).await, before, "nothing was written");
}

#[tokio::test]
async fn deeply_nested_markdown_is_refused_with_a_reason_and_long_flat_text_is_saved() {
    let app = TestApp::spawn().await;
    let (browser, _) = app.signed_in(Role::Journalist).await;
    // Nested past the limit: refused with a reason, the text kept; long but flat: saved.
    for (body, refused) in [
        ("> ".repeat(50_000), true),
        ("- ".repeat(50_000), true),
        ("<div>".repeat(20_000), true),
        ("[".repeat(100_000), false),
        ("*".repeat(100_000), false),
    ] {
        let start = &body[..10];
        let page = browser
            .post_signed(
                "/editor/new",
                &[
                    ("title", "Imbriqué"),
                    ("lang", "fr"),
                    ("body", &body),
                    ("intent", "preview"),
                ],
            )
            .await;
        assert_eq!(page.status, 200, "preview of {start}…");
        let page = browser
            .post_signed(
                "/editor/new",
                &[
                    ("title", "Imbriqué"),
                    ("lang", "fr"),
                    ("body", &body),
                    ("intent", "save"),
                ],
            )
            .await;
        if refused {
            assert_eq!(page.status, 422, "save of {start}…");
            assert!(
                page.texts(".field-error")
                    .iter()
                    .any(|e| e.contains("niveaux")),
                "says why: {:?}",
                page.texts(".field-error")
            );
        } else {
            assert_eq!(page.status, 303, "save of {start}…");
        }
    }
    // The server is still there.
    assert_eq!(app.get("/healthz").await.status, 200);
}

#[tokio::test]
async fn a_client_that_trickles_its_headers_is_cut_off() {
    let app = TestApp::spawn_with(|c| c.header_timeout = Duration::from_millis(500)).await;
    let mut stream = tokio::net::TcpStream::connect(app.addr).await.unwrap();
    stream
        .write_all(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
        .await
        .unwrap();
    let mut answer = Vec::new();
    // The server closes the connection (perhaps with a 408) well before this test gives up.
    let read = tokio::time::timeout(Duration::from_secs(10), stream.read_to_end(&mut answer)).await;
    assert!(read.is_ok(), "the connection was closed by the server");
    let text = String::from_utf8_lossy(&answer);
    assert!(
        text.is_empty() || text.starts_with("HTTP/1.1 408"),
        "{text}"
    );
}

//! Probes, headers every response carries, and the stylesheet.

use crate::helpers::TestApp;

#[tokio::test]
async fn healthz_and_readyz_answer_when_all_is_well() {
    let app = TestApp::spawn().await;
    let alive = app.get("/healthz").await;
    assert_eq!((alive.status.as_u16(), alive.body.as_str()), (200, "ok"));
    let ready = app.get("/readyz").await;
    assert_eq!((ready.status.as_u16(), ready.body.as_str()), (200, "ready"));
}

#[tokio::test]
async fn readyz_fails_while_migrations_are_missing() {
    let app = TestApp::unmigrated().await;
    assert_eq!(app.get("/healthz").await.status, 200);
    let ready = app.get("/readyz").await;
    assert_eq!(
        (ready.status.as_u16(), ready.body.as_str()),
        (503, "migrations pending")
    );
}

#[tokio::test]
async fn every_page_carries_the_security_headers() {
    let app = TestApp::with_demo().await;
    for path in ["/", "/nope"] {
        let page = app.get(path).await;
        assert_eq!(page.header("x-content-type-options"), "nosniff", "{path}");
        assert_eq!(
            page.header("referrer-policy"),
            "strict-origin-when-cross-origin",
            "{path}"
        );
        let csp = page.header("content-security-policy");
        for part in [
            "default-src 'self'",
            "object-src 'none'",
            "base-uri 'none'",
            "frame-ancestors 'none'",
        ] {
            assert!(csp.contains(part), "{path}: {csp}");
        }
        assert!(!page.header("x-request-id").is_empty(), "{path}");
    }
}

#[tokio::test]
async fn the_stylesheet_is_cached_for_good_and_revalidates() {
    let app = TestApp::with_demo().await;
    let home = app.get("/").await;
    let href = home.attrs("link[rel=stylesheet]", "href").remove(0);
    assert!(href.starts_with("/static/vigie.css?v="), "{href}");
    let css = app.get(&href).await;
    assert_eq!(css.status, 200);
    assert!(css.header("content-type").starts_with("text/css"));
    assert!(css.header("cache-control").contains("immutable"));
    assert!(
        css.body.contains(".table-wrap"),
        "responsive tables are styled"
    );
    let etag = css.header("etag").to_owned();
    let again = app.get_with(&href, &[("if-none-match", &etag)]).await;
    assert_eq!(again.status, 304);
}

#[tokio::test]
async fn a_database_failure_gets_the_error_page_and_reveals_nothing() {
    let app = TestApp::with_demo().await;
    // Break the schema under the running server, as a failed migration or a lost table would
    // (with the views that read it).
    sqlx::query("drop table article_tag cascade")
        .execute(&app.pool)
        .await
        .unwrap();
    let page = app.get("/").await;
    assert_eq!(page.status, 500);
    assert!(page.header("content-type").starts_with("text/html"));
    assert_eq!(page.texts("h1"), ["Une erreur est survenue"]);
    for internal in [
        "article_tag",
        "public_article",
        "relation",
        "sqlx",
        "does not exist",
        "select",
    ] {
        assert!(
            !page.body.contains(internal),
            "{internal} leaked into the page"
        );
    }
}

#[tokio::test]
async fn readyz_fails_when_the_newest_migration_is_missing() {
    let app = TestApp::spawn().await;
    sqlx::query(
        "delete from _sqlx_migrations where version = (select max(version) from _sqlx_migrations)",
    )
    .execute(&app.pool)
    .await
    .unwrap();
    let ready = app.get("/readyz").await;
    assert_eq!(
        (ready.status.as_u16(), ready.body.as_str()),
        (503, "migrations pending")
    );
}

#[tokio::test]
async fn malformed_urls_get_the_sites_error_page_not_the_frameworks() {
    let app = TestApp::with_demo().await;
    let page = app.get("/articles/%FF%FE").await;
    assert_eq!(page.status, 400);
    assert!(page.header("content-type").starts_with("text/html"));
    assert_eq!(page.texts(".site-name"), ["Vigie"]);
}

#[tokio::test]
async fn readyz_waits_for_the_content_listener() {
    let app = TestApp::spawn().await;
    assert_eq!(app.get("/readyz").await.status, 200);
    // The listener cannot come back while it cannot read the content clock: cut its
    // connection with the clock's table out of the way.
    sqlx::query("alter table content_clock rename to content_clock_away")
        .execute(&app.pool)
        .await
        .unwrap();
    sqlx::query(
        "select pg_terminate_backend(pid) from pg_stat_activity \
         where datname = current_database() and query ilike 'listen%'",
    )
    .execute(&app.pool)
    .await
    .unwrap();
    let said = |page: &crate::helpers::Page| (page.status.as_u16(), page.body.clone());
    let mut last = (0, String::new());
    for _ in 0..200 {
        last = said(&app.get_unsettled("/readyz", &[]).await);
        if last.0 == 503 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(last, (503, "content listener connecting".to_owned()));
    assert!(!app.state().content_listener_connected());

    sqlx::query("alter table content_clock_away rename to content_clock")
        .execute(&app.pool)
        .await
        .unwrap();
    tokio::time::timeout(
        std::time::Duration::from_secs(10),
        app.state().content_listener(),
    )
    .await
    .expect("the listener reconnects");
    let ready = app.get("/readyz").await;
    assert_eq!((ready.status.as_u16(), ready.body.as_str()), (200, "ready"));
}

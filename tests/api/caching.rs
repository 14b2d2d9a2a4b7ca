//! HTTP caching of the public side: validators, `304 Not Modified`, and staff pages kept out
//! of every cache.

use time::macros::datetime;
use vigie::domain::Role;

use crate::helpers::TestApp;

const POLICY: &str = "public, max-age=60, stale-while-revalidate=600";
const CLOCK: &str = "Thu, 02 Jan 2025 00:00:00 GMT";

/// An app with one article published long ago, and the content clock set just after it.
async fn quiet_site() -> TestApp {
    let app = TestApp::spawn().await;
    app.article(
        "Premier article",
        "Du texte.",
        Some(datetime!(2025-01-01 08:00 UTC)),
    )
    .await;
    sqlx::query("update content_clock set changed_at = '2025-01-02T00:00:00Z'")
        .execute(&app.pool)
        .await
        .unwrap();
    // Tell the server, as the triggers do for real changes, so that it reads the clock again.
    sqlx::query("select pg_notify('vigie_content', 'test:clock')")
        .execute(&app.pool)
        .await
        .unwrap();
    app
}

#[tokio::test]
async fn public_answers_carry_validators_and_304_while_nothing_changed() {
    let app = quiet_site().await;
    for path in [
        "/",
        "/articles/premier-article",
        "/search?q=texte",
        "/feed.atom",
        "/rss.xml",
        "/sitemap.xml",
        "/robots.txt",
    ] {
        let page = app.get(path).await;
        assert_eq!(page.status, 200, "{path}");
        assert_eq!(page.header("cache-control"), POLICY, "{path}");
        assert_eq!(page.header("last-modified"), CLOCK, "{path}");
        let etag = page.header("etag").to_owned();
        assert!(etag.starts_with("W/\""), "{path}: {etag}");

        let same = app.get_with(path, &[("if-none-match", &etag)]).await;
        assert_eq!(same.status, 304, "{path}");
        assert!(same.body.is_empty(), "{path}");
        assert_eq!(same.header("etag"), etag, "{path}");
        assert_eq!(same.header("cache-control"), POLICY, "{path}");

        let since = app.get_with(path, &[("if-modified-since", CLOCK)]).await;
        assert_eq!(since.status, 304, "{path}");

        let other = app
            .get_with(path, &[("if-none-match", "W/\"autre\"")])
            .await;
        assert_eq!(other.status, 200, "{path}");
        assert_eq!(other.body, page.body, "{path}");
        // When both are sent the ETag decides, whatever the date says.
        let both = app
            .get_with(
                path,
                &[("if-none-match", "\"autre\""), ("if-modified-since", CLOCK)],
            )
            .await;
        assert_eq!(both.status, 200, "{path}");
    }
}

#[tokio::test]
async fn a_change_on_the_public_side_makes_old_copies_stale() {
    let app = quiet_site().await;
    let home = app.get("/").await;
    let article = app.get("/articles/premier-article").await;

    app.article(
        "Deuxième article",
        "Encore.",
        Some(datetime!(2025-01-01 09:00 UTC)),
    )
    .await;

    let fresh = app
        .get_with("/", &[("if-none-match", home.header("etag"))])
        .await;
    assert_eq!(fresh.status, 200);
    assert!(fresh.body.contains("Deuxième article"));
    assert_ne!(fresh.header("etag"), home.header("etag"));
    assert_ne!(fresh.header("last-modified"), CLOCK);
    let since = app.get_with("/", &[("if-modified-since", CLOCK)]).await;
    assert_eq!(since.status, 200, "the clock moved");

    // The first article's page did not change (no related article links the two): its
    // ETag still matches, even though the date-based check now says "changed".
    let unchanged = app
        .get_with(
            "/articles/premier-article",
            &[("if-none-match", article.header("etag"))],
        )
        .await;
    assert_eq!(unchanged.status, 304);
}

#[tokio::test]
async fn drafts_do_not_move_the_clock() {
    let app = quiet_site().await;
    app.article("Un brouillon", "Pas encore.", None).await;
    let since = app.get_with("/", &[("if-modified-since", CLOCK)]).await;
    assert_eq!(since.status, 304);
}

#[tokio::test]
async fn staff_pages_and_errors_are_never_cached_publicly() {
    let app = quiet_site().await;
    let (editor, _) = app.signed_in(Role::Editor).await;
    for path in ["/editor", "/admin/review", "/account"] {
        let page = editor.get(path).await;
        assert_eq!(page.status, 200, "{path}");
        assert_eq!(page.header("cache-control"), "no-store", "{path}");
        assert_eq!(page.header("etag"), "", "{path}");
    }
    let login = app.get("/login").await;
    assert_eq!(login.header("cache-control"), "no-store");
    let missing = app.get("/articles/nulle-part").await;
    assert_eq!(missing.status, 404);
    assert_eq!(missing.header("etag"), "");
    assert!(!missing.header("cache-control").contains("public"));
}

#[tokio::test]
async fn compressed_and_plain_answers_are_kept_apart() {
    let app = quiet_site().await;
    for _ in 0..2 {
        let gzip = app.get_with("/", &[("accept-encoding", "gzip")]).await;
        assert_eq!(gzip.header("content-encoding"), "gzip");
        assert_eq!(gzip.header("vary"), "accept-encoding");
        let plain = app.get("/").await;
        assert_eq!(plain.header("content-encoding"), "");
        assert!(plain.body.contains("Premier article"), "readable as is");
        assert_eq!(
            plain.header("etag"),
            gzip.header("etag"),
            "one answer, two encodings"
        );
    }
}

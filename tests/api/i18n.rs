//! The interface in the site's language (`VIGIE_LANG`), articles in their own, and dates on the
//! newsroom's calendar.

use time::macros::datetime;
use vigie::domain::Lang;

use crate::helpers::TestApp;

#[tokio::test]
async fn a_french_site_speaks_french_and_dates_follow_the_newsroom_calendar() {
    let app = TestApp::spawn().await;
    // 23:30 UTC in February is already the next day in Paris (VIGIE_TIMEZONE's default).
    let late = app
        .article(
            "Tard le soir",
            "Texte.",
            Some(datetime!(2026-02-27 23:30 UTC)),
        )
        .await;
    let home = app.get("/").await;
    assert_eq!(home.attrs("html", "lang"), ["fr"]);
    assert_eq!(home.texts(".skip-link"), ["Aller au contenu"]);
    assert_eq!(home.attrs(".skip-link", "href"), ["#contenu"]);
    assert_eq!(home.attrs("main", "id"), ["contenu"]);
    assert_eq!(home.texts(".article-card time"), ["28 février 2026"]);
    let article = app.get(&format!("/articles/{late}")).await;
    assert_eq!(article.texts(".article .meta time"), ["28 février 2026"]);

    let search = app.get("/search?q=introuvable").await;
    assert_eq!(search.texts("h1"), ["Recherche"]);
    assert_eq!(
        search.texts(".notice"),
        ["Aucun article ne correspond à « introuvable »."]
    );
}

#[tokio::test]
async fn an_english_site_speaks_english_around_articles_kept_in_their_language() {
    let app = TestApp::spawn_with(|c| c.lang = Lang::En).await;
    app.article(
        "Un article français",
        "Texte : « cité ».",
        Some(datetime!(2026-02-27 08:00 UTC)),
    )
    .await;
    let home = app.get("/").await;
    assert_eq!(home.attrs("html", "lang"), ["en"]);
    assert_eq!(home.texts(".skip-link"), ["Skip to content"]);
    assert_eq!(home.texts(".article-card time"), ["February 27, 2026"]);
    assert!(home.texts(".byline")[0].starts_with("By "));
    assert_eq!(home.attrs(".site-search input", "aria-label"), ["Search"]);

    // The article keeps its own language (and its French typography); the frame is English.
    let article = app.get("/articles/un-article-francais").await;
    assert_eq!(article.attrs("html", "lang"), ["fr"]);
    assert!(
        article
            .body
            .contains("Texte\u{202F}: «\u{202F}cité\u{202F}»")
    );
    assert_eq!(article.texts(".skip-link"), ["Skip to content"]);

    let search = app.get("/search?q=nothing").await;
    assert_eq!(search.texts("h1"), ["Search"]);
    assert_eq!(search.texts(".notice"), ["No article matches “nothing”."]);
    let missing = app.get("/articles/nowhere").await;
    assert_eq!(missing.status, 404);
    assert_eq!(missing.texts("h1"), ["Page not found"]);
}

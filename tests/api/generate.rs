//! `vigie generate`, which writes the benchmarks' archive (`bench/run`), runs here on a small
//! count, and what it writes reads back on every kind of public page: a schema change that
//! breaks it fails here, not silently in the benchmarks.

use crate::helpers::TestApp;
use crate::helpers::{stderr, vigie};

#[tokio::test]
async fn generated_articles_are_written_and_read_back_on_every_public_page() {
    let app = TestApp::spawn().await;
    let out = vigie(&app, &["generate", "--articles", "50", "--seed", "3"]);
    assert!(out.status.success(), "vigie generate: {}", stderr(&out));
    app.settle().await;

    let written: i64 = sqlx::query_scalar("select count(*) from article")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(written, 50);
    // A few drafts and scheduled articles among them, which readers must not see.
    let listed: Vec<(String, String)> = sqlx::query_as(
        "select slug, title from article where article_is_listed(status, published_at)
         order by published_at desc",
    )
    .fetch_all(&app.pool)
    .await
    .unwrap();
    assert!((30..50).contains(&listed.len()), "{} listed", listed.len());
    let hidden: Vec<String> = sqlx::query_scalar(
        "select slug from article where not article_is_listed(status, published_at)",
    )
    .fetch_all(&app.pool)
    .await
    .unwrap();
    assert!(
        !hidden.is_empty(),
        "the generator writes drafts and scheduled articles too"
    );

    // The home page and the API list the newest public articles.
    let home = app.get("/").await;
    assert_eq!(home.status, 200);
    let (newest_slug, newest_title) = &listed[0];
    assert!(
        home.body.contains(newest_title.as_str()),
        "the newest is on the home page"
    );
    let api = app.get("/api/v1/articles").await;
    assert_eq!(api.status, 200);
    let list: serde_json::Value = serde_json::from_str(&api.body).unwrap();
    assert_eq!(list["articles"][0]["slug"], newest_slug.as_str());

    // Every public article renders, with its tags and related articles.
    for (slug, title) in &listed {
        let page = app.get(&format!("/articles/{slug}")).await;
        assert_eq!(page.status, 200, "/articles/{slug}");
        assert_eq!(
            page.texts("h1"),
            std::slice::from_ref(title),
            "/articles/{slug}"
        );
    }
    for slug in &hidden {
        assert_eq!(
            app.get(&format!("/articles/{slug}")).await.status,
            404,
            "{slug}"
        );
    }

    // A tag page and an author page that have public articles.
    let (tag, author): (String, String) = sqlx::query_as(
        "select t.slug, u.slug from article a
         join article_tag x on x.article_id = a.id join tag t on t.id = x.tag_id
         join app_user u on u.id = a.author_id
         where article_is_listed(a.status, a.published_at) limit 1",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(app.get(&format!("/tags/{tag}")).await.status, 200);
    assert_eq!(app.get(&format!("/authors/{author}")).await.status, 200);

    // Search finds the generated text (every body has these words), and the feeds and sitemap
    // carry it.
    let found = app.get("/search?q=intelligence").await;
    assert_eq!(found.status, 200);
    assert!(
        !found.texts(".search-results li").is_empty(),
        "search finds generated text"
    );
    let feed = app.get("/feed.atom").await;
    assert_eq!(feed.status, 200);
    assert!(feed.body.contains(&format!("/articles/{newest_slug}")));
    let sitemap = app.get("/sitemap.xml").await;
    assert_eq!(sitemap.status, 200);
}

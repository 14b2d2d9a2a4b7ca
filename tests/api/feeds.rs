//! Feeds, sitemap and robots.txt, read the way feed readers and crawlers read them.

use time::OffsetDateTime;

use crate::helpers::{DRAFT, DRAFT_WORD, SAMPLE, TestApp};

fn parse(body: &str) -> roxmltree::Document<'_> {
    roxmltree::Document::parse(body).unwrap_or_else(|e| panic!("not well-formed XML ({e}): {body}"))
}

fn texts<'a>(doc: &'a roxmltree::Document<'a>, name: &str) -> Vec<&'a str> {
    doc.descendants()
        .filter(|n| n.tag_name().name() == name)
        .map(|n| n.text().unwrap_or(""))
        .collect()
}

#[tokio::test]
async fn the_atom_feed_carries_published_articles_in_full_with_absolute_links() {
    let app = TestApp::with_demo().await;
    let base = app.base_url();
    let page = app.get("/feed.atom").await;
    assert_eq!(page.status, 200);
    assert!(
        page.header("content-type")
            .starts_with("application/atom+xml")
    );
    let doc = parse(&page.body);
    assert_eq!(doc.root_element().tag_name().name(), "feed");
    let entries: Vec<_> = doc
        .descendants()
        .filter(|n| n.tag_name().name() == "entry")
        .collect();
    assert_eq!(entries.len(), 4, "published articles only");
    let first = entries[0];
    let child = |name: &str| {
        first
            .children()
            .find(|n| n.tag_name().name() == name)
            .unwrap()
    };
    assert_eq!(
        child("title").text(),
        Some("Anthropic et Washington : rester ferme sur la sécurité de l’IA")
    );
    assert_eq!(
        child("link").attribute("href"),
        Some(format!("{base}/articles/{SAMPLE}").as_str())
    );
    assert_eq!(child("published").text(), Some("2026-02-27T08:00:00Z"));
    let content = child("content").text().unwrap();
    assert!(
        content.contains("<th>Sujet</th>"),
        "full, sanitised HTML: {content:.200}"
    );
    assert_eq!(
        child("content").attribute(("http://www.w3.org/XML/1998/namespace", "base")),
        Some(format!("{base}/").as_str())
    );
    assert!(!page.body.contains(DRAFT) && !page.body.contains(DRAFT_WORD));
    let categories: Vec<_> = first
        .children()
        .filter(|n| n.tag_name().name() == "category")
        .filter_map(|n| n.attribute("label"))
        .collect();
    assert_eq!(categories, ["Anthropic", "États-Unis", "Sécurité de l’IA"]);
}

#[tokio::test]
async fn the_rss_feed_says_the_same_in_rss_2() {
    let app = TestApp::with_demo().await;
    let page = app.get("/rss.xml").await;
    assert_eq!(page.status, 200);
    assert!(
        page.header("content-type")
            .starts_with("application/rss+xml")
    );
    let doc = parse(&page.body);
    assert_eq!(texts(&doc, "item").len(), 4);
    assert_eq!(texts(&doc, "pubDate")[0], "Fri, 27 Feb 2026 08:00:00 +0000");
    assert!(texts(&doc, "description")[1].contains("<table>"));
}

#[tokio::test]
async fn tag_and_author_feeds_are_found_from_their_pages() {
    let app = TestApp::with_demo().await;
    let tag = parse_feed(&app, "/tags/openai/feed.atom").await;
    assert_eq!(tag, 2);
    assert_eq!(
        parse_feed(&app, "/authors/camille-martin/feed.atom").await,
        4
    );
    assert_eq!(
        app.get("/tags/ai-act/feed.atom").await.status,
        404,
        "a tag only drafts use has no feed"
    );
    let page = app.get("/tags/openai").await;
    let feeds = page.attrs("link[rel=alternate][type='application/atom+xml']", "href");
    assert_eq!(feeds, ["/feed.atom", "/tags/openai/feed.atom"]);
    assert_eq!(
        app.get("/")
            .await
            .attrs("link[rel=alternate][type='application/rss+xml']", "href"),
        ["/rss.xml"]
    );
}

async fn parse_feed(app: &TestApp, path: &str) -> usize {
    let page = app.get(path).await;
    assert_eq!(page.status, 200, "{path}");
    let doc = parse(&page.body);
    doc.descendants()
        .filter(|n| n.tag_name().name() == "entry")
        .count()
}

#[tokio::test]
async fn a_scheduled_article_is_in_no_feed_or_sitemap_before_its_time() {
    let app = TestApp::with_demo().await;
    let slug = app
        .article(
            "Pas encore",
            "Texte.",
            Some(OffsetDateTime::now_utc() + time::Duration::hours(1)),
        )
        .await;
    for path in ["/feed.atom", "/rss.xml", "/sitemaps/1.xml"] {
        assert!(!app.get(path).await.body.contains(&slug), "{path}");
    }
}

#[tokio::test]
async fn the_sitemap_lists_every_public_page_and_robots_points_to_it() {
    let app = TestApp::with_demo().await;
    let base = app.base_url();
    let index = app.get("/sitemap.xml").await;
    assert_eq!(index.status, 200);
    let doc = parse(&index.body);
    assert_eq!(
        texts(&doc, "loc"),
        [
            format!("{base}/sitemaps/0.xml"),
            format!("{base}/sitemaps/1.xml")
        ]
    );

    let sections = app.get("/sitemaps/0.xml").await;
    let doc = parse(&sections.body);
    let locs = texts(&doc, "loc");
    assert!(locs.contains(&format!("{base}/").as_str()));
    assert!(locs.contains(&format!("{base}/tags/anthropic").as_str()));
    assert!(locs.contains(&format!("{base}/authors/camille-martin").as_str()));
    assert!(
        !locs.iter().any(|l| l.ends_with("/tags/ai-act")),
        "draft-only tags are not listed"
    );

    let articles = app.get("/sitemaps/1.xml").await;
    let doc = parse(&articles.body);
    let locs = texts(&doc, "loc");
    assert_eq!(locs.len(), 4);
    assert!(locs.contains(&format!("{base}/articles/{SAMPLE}").as_str()));
    assert_eq!(texts(&doc, "lastmod").len(), 4);
    assert!(!articles.body.contains(DRAFT));
    assert_eq!(app.get("/sitemaps/2.xml").await.status, 404);
    assert_eq!(app.get("/sitemaps/nope.xml").await.status, 404);

    let robots = app.get("/robots.txt").await;
    assert_eq!(robots.status, 200);
    assert!(
        robots
            .body
            .contains(&format!("Sitemap: {base}/sitemap.xml"))
    );
    assert!(robots.body.contains("Disallow: /editor"));
}

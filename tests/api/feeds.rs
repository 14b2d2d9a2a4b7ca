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
    assert_eq!(entries.len(), 6, "published articles only");
    // The sample (its English version, an hour newer, comes first).
    let first = entries[1];
    let child = |name: &str| {
        first
            .children()
            .find(|n| n.tag_name().name() == name)
            .unwrap()
    };
    assert_eq!(
        child("title").text(),
        Some("Anthropic et Washington\u{202F}: rester ferme sur la sécurité de l’IA")
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
    assert_eq!(
        categories,
        ["Anthropic", "États-Unis", "Sécurité de l’IA", "AI Act"]
    );
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
    assert_eq!(texts(&doc, "item").len(), 6);
    assert_eq!(texts(&doc, "pubDate")[1], "Fri, 27 Feb 2026 08:00:00 +0000");
    assert!(texts(&doc, "description")[1].contains("<table>"));
}

#[tokio::test]
async fn tag_and_author_feeds_are_found_from_their_pages() {
    let app = TestApp::with_demo().await;
    let tag = parse_feed(&app, "/tags/openai/feed.atom").await;
    assert_eq!(tag, 2);
    assert_eq!(
        parse_feed(&app, "/authors/camille-martin/feed.atom").await,
        6
    );
    assert_eq!(
        app.get("/tags/union-europeenne/feed.atom").await.status,
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
        let page = app.get(path).await;
        assert_eq!(page.status, 200, "{path}");
        parse(&page.body);
        // A real feed, with the published articles: an empty or error answer would pass too.
        assert!(page.body.contains(SAMPLE), "{path}");
        assert!(!page.body.contains(&slug), "{path}");
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
            format!("{base}/sitemaps/1.xml"),
            format!("{base}/sitemaps/news.xml")
        ]
    );

    let sections = app.get("/sitemaps/0.xml").await;
    let doc = parse(&sections.body);
    let locs = texts(&doc, "loc");
    assert!(locs.contains(&format!("{base}/").as_str()));
    assert!(locs.contains(&format!("{base}/tags/anthropic").as_str()));
    assert!(locs.contains(&format!("{base}/authors/camille-martin").as_str()));
    assert!(
        !locs.iter().any(|l| l.ends_with("/tags/union-europeenne")),
        "draft-only tags are not listed"
    );

    let articles = app.get("/sitemaps/1.xml").await;
    let doc = parse(&articles.body);
    let locs = texts(&doc, "loc");
    assert_eq!(locs.len(), 6);
    assert!(locs.contains(&format!("{base}/articles/{SAMPLE}").as_str()));
    assert_eq!(texts(&doc, "lastmod").len(), 6);
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

/// The element `name` among `node`'s children.
fn child<'a, 'i>(node: roxmltree::Node<'a, 'i>, name: &str) -> roxmltree::Node<'a, 'i> {
    node.children()
        .find(|n| n.tag_name().name() == name)
        .unwrap_or_else(|| panic!("no <{name}> in <{}>", node.tag_name().name()))
}

fn links<'a>(node: roxmltree::Node<'a, '_>, rel: &str) -> Vec<&'a str> {
    node.children()
        .filter(|n| n.tag_name().name() == "link" && n.attribute("rel") == Some(rel))
        .filter_map(|n| n.attribute("href"))
        .collect()
}

/// A title that breaks any feed built by pasting strings.
const HOSTILE: &str = "R&D <script>alert(1)</script> ]]> &amp; \"guillemets\" l'IA";

#[tokio::test]
async fn feeds_say_each_field_exactly_with_hostile_text_escaped() {
    use time::macros::datetime;
    let app = TestApp::spawn().await;
    let base = app.base_url();
    let older = app
        .article(
            "Plus ancien",
            "Texte.",
            Some(datetime!(2026-01-04 08:00 UTC)),
        )
        .await;
    let slug = app
        .article(
            HOSTILE,
            "Corps & <b>gras</b>.",
            Some(datetime!(2026-01-05 08:00 UTC)),
        )
        .await;
    let id = app.article_id(&slug).await;
    // Dates set as an import would keep them: the trigger that stamps `updated_at` is off,
    // and the change is announced by hand.
    let mut tx = app.pool.begin().await.unwrap();
    sqlx::query("set local session_replication_role = replica")
        .execute(&mut *tx)
        .await
        .unwrap();
    sqlx::query("update article set dek = $2, updated_at = '2026-01-06 09:30:00+00' where id = $1")
        .bind(id)
        .bind("Chapeau : A & B <i>")
        .execute(&mut *tx)
        .await
        .unwrap();
    sqlx::query("update article set updated_at = published_at where slug = $1")
        .bind(&older)
        .execute(&mut *tx)
        .await
        .unwrap();
    sqlx::query("select pg_notify('vigie_content', 'all')")
        .execute(&mut *tx)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let (title, dek, author, author_slug): (String, String, String, String) = sqlx::query_as(
        "select a.title, a.dek, u.display_name, u.slug from article a \
         join app_user u on u.id = a.author_id where a.id = $1",
    )
    .bind(id)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert!(title.contains("<script>") && title.contains('&'), "{title}");

    let page = app.get("/feed.atom").await;
    assert_eq!(page.status, 200);
    assert!(!page.body.contains("<script>"), "escaped");
    let doc = parse(&page.body);
    let feed = doc.root_element();
    assert_eq!(
        feed.tag_name().namespace(),
        Some("http://www.w3.org/2005/Atom")
    );
    assert_eq!(
        child(feed, "id").text(),
        Some(format!("{base}/feed.atom").as_str())
    );
    assert_eq!(links(feed, "self"), [format!("{base}/feed.atom")]);
    assert_eq!(links(feed, "alternate"), [format!("{base}/")]);
    assert_eq!(
        child(feed, "updated").text(),
        Some("2026-01-06T09:30:00Z"),
        "the newest change"
    );
    let entries: Vec<_> = feed
        .children()
        .filter(|n| n.tag_name().name() == "entry")
        .collect();
    assert_eq!(entries.len(), 2);
    let newest = entries[0];
    assert_eq!(
        child(newest, "id").text(),
        Some(format!("urn:uuid:{id}").as_str())
    );
    assert_eq!(child(newest, "title").text(), Some(title.as_str()));
    assert_eq!(child(newest, "summary").text(), Some(dek.as_str()));
    assert_eq!(
        links(newest, "alternate"),
        [format!("{base}/articles/{slug}")]
    );
    assert_eq!(
        child(newest, "published").text(),
        Some("2026-01-05T08:00:00Z")
    );
    assert_eq!(
        child(newest, "updated").text(),
        Some("2026-01-06T09:30:00Z")
    );
    let by = child(newest, "author");
    assert_eq!(child(by, "name").text(), Some(author.as_str()));
    assert_eq!(
        child(by, "uri").text(),
        Some(format!("{base}/authors/{author_slug}").as_str())
    );
    let content = child(newest, "content").text().unwrap();
    assert!(content.contains("Corps &amp; <b>gras</b>"), "{content}");
    let oldest = entries[1];
    assert_eq!(
        child(oldest, "published").text(),
        Some("2026-01-04T08:00:00Z")
    );
    assert_eq!(
        child(oldest, "updated").text(),
        Some("2026-01-04T08:00:00Z")
    );

    let rss = app.get("/rss.xml").await;
    assert_eq!(rss.status, 200);
    assert!(!rss.body.contains("<script>"), "escaped");
    let doc = parse(&rss.body);
    let channel = child(doc.root_element(), "channel");
    assert_eq!(
        child(channel, "link").text(),
        Some(format!("{base}/").as_str())
    );
    assert_eq!(
        child(channel, "lastBuildDate").text(),
        Some("Tue, 06 Jan 2026 09:30:00 +0000")
    );
    let self_link = channel
        .children()
        .find(|n| n.tag_name().name() == "link" && n.tag_name().namespace().is_some())
        .unwrap();
    assert_eq!(
        self_link.attribute("href"),
        Some(format!("{base}/rss.xml").as_str())
    );
    let item = child(channel, "item");
    assert_eq!(child(item, "title").text(), Some(title.as_str()));
    let guid = child(item, "guid");
    assert_eq!(guid.text(), Some(format!("urn:uuid:{id}").as_str()));
    assert_eq!(guid.attribute("isPermaLink"), Some("false"));
    assert_eq!(
        child(item, "pubDate").text(),
        Some("Mon, 05 Jan 2026 08:00:00 +0000")
    );
    assert_eq!(child(item, "creator").text(), Some(author.as_str()));
    assert!(
        child(item, "description")
            .text()
            .unwrap()
            .contains("Corps &amp; <b>gras</b>")
    );

    // The entry's id survives a new address: readers do not see it twice.
    sqlx::query("update article set slug = 'nouvelle-adresse' where id = $1")
        .bind(id)
        .execute(&app.pool)
        .await
        .unwrap();
    let again = app.get("/feed.atom").await;
    let doc = parse(&again.body);
    let newest = doc
        .root_element()
        .children()
        .find(|n| n.tag_name().name() == "entry")
        .unwrap();
    assert_eq!(
        child(newest, "id").text(),
        Some(format!("urn:uuid:{id}").as_str())
    );
    assert_eq!(
        links(newest, "alternate"),
        [format!("{base}/articles/nouvelle-adresse")]
    );

    // An author's feed names itself.
    let author_feed = format!("/authors/{author_slug}/feed.atom");
    let page = app.get(&author_feed).await;
    assert_eq!(page.status, 200);
    let doc = parse(&page.body);
    let feed = doc.root_element();
    assert_eq!(
        child(feed, "id").text(),
        Some(format!("{base}{author_feed}").as_str())
    );
    assert_eq!(links(feed, "self"), [format!("{base}{author_feed}")]);
    assert_eq!(
        links(feed, "alternate"),
        [format!("{base}/authors/{author_slug}")]
    );
}

/// What `xmllint` says of `xml` against the sitemap schema with the Google News extension
/// (`tests/fixtures/sitemaps/`): `Ok` when it validates.
pub(crate) fn schema_check(xml: &str) -> Result<(), String> {
    let dir = std::env::temp_dir().join(format!("vigie-sitemap-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("sitemap.xml");
    std::fs::write(&file, xml).unwrap();
    let schema = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/sitemaps/sitemap.xsd");
    let out = std::process::Command::new("xmllint")
        .arg("--noout")
        .arg("--schema")
        .arg(&schema)
        .arg(&file)
        .output()
        .expect("xmllint runs (Debian's libxml2-utils)");
    std::fs::remove_dir_all(&dir).unwrap();
    if out.status.success() {
        Ok(())
    } else {
        Err(String::from_utf8_lossy(&out.stderr).into_owned())
    }
}

#[tokio::test]
async fn the_news_sitemap_lists_the_last_two_days_and_validates_against_its_schema() {
    let app = TestApp::with_demo().await;
    let base = app.base_url();
    let now = OffsetDateTime::now_utc();
    let fresh = app
        .article(
            "Le Conseil d’État & l’IA : « décision » attendue",
            "Texte.",
            Some(now - time::Duration::hours(3)),
        )
        .await;
    let old = app
        .article(
            "Une nouvelle d’avant-hier",
            "Texte.",
            Some(now - time::Duration::hours(50)),
        )
        .await;
    let coming = app
        .article(
            "Une nouvelle programmée",
            "Texte.",
            Some(now + time::Duration::hours(3)),
        )
        .await;
    let english = app
        .article(
            "Fresh news in English",
            "Text.",
            Some(now - time::Duration::hours(1)),
        )
        .await;
    sqlx::query("update article set lang = 'en' where slug = $1")
        .bind(&english)
        .execute(&app.pool)
        .await
        .unwrap();

    let index = app.get("/sitemap.xml").await;
    assert!(
        texts(&parse(&index.body), "loc").contains(&format!("{base}/sitemaps/news.xml").as_str())
    );
    let news = app.get("/sitemaps/news.xml").await;
    assert_eq!(news.status, 200);
    assert_eq!(
        news.header("content-type"),
        "application/xml; charset=utf-8"
    );
    schema_check(&news.body).unwrap_or_else(|e| panic!("{e}\n{}", news.body));
    let doc = parse(&news.body);
    assert_eq!(
        texts(&doc, "loc"),
        [
            format!("{base}/articles/{english}"),
            format!("{base}/articles/{fresh}")
        ],
        "the last two days' public articles, newest first"
    );
    assert_eq!(
        texts(&doc, "title"),
        [
            "Fresh news in English",
            // French typography: narrow no-break spaces before the colon and inside guillemets.
            "Le Conseil d’État & l’IA\u{202f}: «\u{202f}décision\u{202f}» attendue"
        ]
    );
    assert_eq!(texts(&doc, "language"), ["en", "fr"]);
    assert_eq!(texts(&doc, "name"), ["Vigie", "Vigie"]);
    for date in texts(&doc, "publication_date") {
        OffsetDateTime::parse(date, &time::format_description::well_known::Rfc3339)
            .unwrap_or_else(|e| panic!("{date}: {e}"));
    }
    assert!(!news.body.contains(&old) && !news.body.contains(&coming));
    // The other sitemap pages validate against the same schema.
    for path in ["/sitemaps/0.xml", "/sitemaps/1.xml"] {
        let page = app.get(path).await;
        schema_check(&page.body).unwrap_or_else(|e| panic!("{path}: {e}"));
    }
    // And the check can fail: an entry without its title, or with a language that is not one,
    // is refused.
    let untitled = news
        .body
        .replacen("<news:title>Fresh news in English</news:title>", "", 1);
    assert!(schema_check(&untitled).is_err());
    let wrong = news.body.replacen(
        "<news:language>en</news:language>",
        "<news:language>English</news:language>",
        1,
    );
    assert!(schema_check(&wrong).is_err());
}

//! `vigie export` and `vigie import`, run as the binary against each test's own database, and
//! what readers and staff then see through HTTP.

use std::path::Path;

use sqlx::AssertSqlSafe;
use uuid::Uuid;
use vigie::domain::Role;

use crate::helpers::{PASSWORD, SAMPLE, TestApp, export_to, new_article, scratch, stderr, vigie};
use crate::users::{set_password, shown_link};

const WORDPRESS_SAMPLE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/fixtures/wordpress-sample.xml"
);
const WORDPRESS_STATUSES: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/fixtures/wordpress-statuses.xml"
);

/// Runs `vigie import <path>`, which must fail, and returns what it said.
fn import_refused(app: &TestApp, path: &Path) -> String {
    let out = vigie(app, &["import", path.to_str().expect("utf-8 path")]);
    assert!(!out.status.success(), "refused: {}", stderr(&out));
    stderr(&out)
}

/// Nothing was left half-written: the content tables are all empty.
async fn assert_nothing_imported(app: &TestApp) {
    for table in [
        "app_user",
        "tag",
        "article",
        "article_revision",
        "audit_event",
    ] {
        assert_eq!(count(app, table).await, 0, "{table} left half-written");
    }
}

async fn count(app: &TestApp, table: &str) -> i64 {
    // `table` is one of the names these tests spell out.
    sqlx::query_scalar(AssertSqlSafe(format!("select count(*) from {table}")))
        .fetch_one(&app.pool)
        .await
        .expect("count")
}

#[tokio::test]
async fn an_export_imported_into_an_empty_database_exports_identically_and_serves_the_same_pages() {
    let app = TestApp::with_demo().await;
    // Some history beyond the demo: a journalist's draft saved twice, a correction, an
    // editor's account with a password.
    let (journalist, _) = app.signed_in(Role::Journalist).await;
    new_article(&journalist, "Brouillon exporté", "Premier jet.").await;
    // An image of the library, its original carried inside the export.
    let photo = crate::media::camera_jpeg(64, 48);
    let image = crate::media::upload(&journalist, "photo.jpg", &photo, "Une photo exportée").await;
    let (editor, _) = app.signed_in(Role::Editor).await;
    let sample_id: Uuid = sqlx::query_scalar("select id from article where slug = $1")
        .bind(SAMPLE)
        .fetch_one(&app.pool)
        .await
        .expect("sample");
    let corrected = editor
        .post_signed(
            &format!("/editor/articles/{sample_id}/corrections"),
            &[("body", "Une date était fausse.")],
        )
        .await;
    assert_eq!(corrected.status, 303);

    let path = scratch("first.json");
    let first = export_to(&app, &path);
    let text = String::from_utf8(first.clone()).expect("UTF-8");
    assert!(text.starts_with("{\"format\":\"vigie\",\"version\":1,"));
    assert!(text.contains("Brouillon exporté") && text.contains("Une date était fausse."));
    assert!(
        !text.contains("$argon2"),
        "no password hash leaves the site"
    );

    let copy = TestApp::spawn().await;
    let imported = vigie(&copy, &["import", path.to_str().expect("utf-8")]);
    assert!(imported.status.success(), "{}", stderr(&imported));
    assert!(
        stderr(&imported).contains("imported 3 users"),
        "{}",
        stderr(&imported)
    );

    let second = export_to(&copy, &scratch("second.json"));
    assert!(
        first == second,
        "export → import → export changed the export"
    );
    // The copy makes the image's renditions again from the original it was given.
    crate::media::ready(&copy, image).await;
    let moved = copy.browser().get(&format!("/images/{image}")).await;
    assert_eq!(moved.status, 302);
    let (status, _, served) = copy.browser().get_bytes(moved.header("location")).await;
    assert_eq!(status, 200);
    assert_eq!(
        image::load_from_memory(&served).unwrap().height(),
        64,
        "upright in the copy too"
    );
    let stored: Vec<u8> = {
        let key: String = sqlx::query_scalar("select original_key from media where id = $1")
            .bind(image)
            .fetch_one(&copy.pool)
            .await
            .unwrap();
        std::fs::read(copy.data_dir().join("media").join(key)).unwrap()
    };
    assert_eq!(stored, photo, "the original comes back byte for byte");
    for table in [
        "article",
        "article_revision",
        "article_tag",
        "article_link",
        "correction",
        "audit_event",
    ] {
        assert_eq!(
            count(&app, table).await,
            count(&copy, table).await,
            "{table}"
        );
    }

    // Readers see the same article, corrections and search results on the copy.
    let original = app.get(&format!("/articles/{SAMPLE}")).await;
    let restored = copy.get(&format!("/articles/{SAMPLE}")).await;
    assert_eq!(restored.status, 200);
    assert_eq!(restored.texts("h1"), original.texts("h1"));
    assert_eq!(
        restored.texts("article table td"),
        original.texts("article table td")
    );
    assert_eq!(
        restored.texts(".corrections p"),
        original.texts(".corrections p")
    );
    let found = copy.get("/search?q=washington").await;
    assert_eq!(found.status, 200);
    assert!(
        found.body.contains(SAMPLE),
        "the search index is built again"
    );

    // The copy goes on: its numbering continues after the imported revisions and events.
    let (writer, _) = copy.signed_in(Role::Journalist).await;
    new_article(&writer, "Écrit après la restauration", "Suite.").await;
    assert_eq!(
        count(&copy, "article").await,
        count(&app, "article").await + 1
    );
}

#[tokio::test]
async fn an_export_is_not_imported_over_existing_content() {
    let app = TestApp::with_demo().await;
    let path = scratch("demo.json");
    export_to(&app, &path);
    let before = count(&app, "article").await;

    let message = import_refused(&app, &path);
    assert!(
        message.contains("nothing was imported")
            && message.contains("the database already holds content"),
        "{message}"
    );
    assert_eq!(count(&app, "article").await, before);
}

#[tokio::test]
async fn malformed_exports_name_the_place_and_import_nothing() {
    let app = TestApp::spawn().await;
    let cases: &[(&str, &str)] = &[
        (
            "{\"format\":\"vigie\",\"version\":1,\n\"users\":[\n{\"id\":",
            "line 3",
        ),
        (
            "{\"format\":\"vigie\",\"version\":7,\"users\":[],\"tags\":[],\"articles\":[],\"audit\":[]}",
            "this export is version 7; this Vigie reads version 1",
        ),
        (
            "Bonjour",
            "neither a Vigie export (JSON) nor a WordPress export (XML)",
        ),
        (
            "<rss><channel><wp:wxr_version>1.2</wp:wxr_version>\n<item>\n</channel></rss>",
            "line 1, column 16",
        ),
        ("<html><body/></html>", "this is not a WordPress export"),
    ];
    for (content, expected) in cases {
        let path = scratch("bad.txt");
        std::fs::write(&path, content).expect("written");
        let message = import_refused(&app, &path);
        assert!(
            message.contains(expected) && message.contains("nothing was imported"),
            "{content:?} → {message}"
        );
    }

    // A Vigie export whose articles break a rule: the error names the article, and the users
    // and tags before it are not left behind.
    let source = TestApp::with_demo().await;
    let text = String::from_utf8(export_to(&source, &scratch("demo.json"))).expect("UTF-8");
    let broken = text.replacen("\"status\":\"published\"", "\"status\":\"online\"", 1);
    let path = scratch("broken.json");
    std::fs::write(&path, &broken).expect("written");
    let message = import_refused(&app, &path);
    // Articles go in by batches: the error still names the one the database refused.
    let line = broken
        .lines()
        .find(|l| l.contains("\"status\":\"online\""))
        .expect("the broken article");
    let record: serde_json::Value =
        serde_json::from_str(line.trim_end_matches(',')).expect("one record per line");
    let named = format!(
        "article {} ({})",
        record["slug"].as_str().unwrap(),
        record["id"].as_str().unwrap()
    );
    assert!(
        message.contains("article_status_check") && message.contains(&named),
        "{named}: {message}"
    );
    assert_nothing_imported(&app).await;

    // A link to an article the export does not hold: refused, naming the article it is in.
    let at = text
        .find("{\"to\":\"")
        .expect("the demo export has links between articles");
    let from = &text[text[..at].rfind('\n').expect("a line") + 1..];
    let record: serde_json::Value =
        serde_json::from_str(from[..from.find('\n').unwrap()].trim_end_matches(','))
            .expect("one record per line");
    let nowhere = Uuid::new_v4().to_string();
    let dangling = format!("{}{}{}", &text[..at + 7], nowhere, &text[at + 7 + 36..]);
    let path = scratch("dangling.json");
    std::fs::write(&path, dangling).expect("written");
    let message = import_refused(&app, &path);
    assert!(
        message.contains(&format!(
            "article {} ({}) links to {nowhere}, which is not in this import",
            record["slug"].as_str().unwrap(),
            record["id"].as_str().unwrap()
        )),
        "{message}"
    );
    assert_nothing_imported(&app).await;

    // An audit action this Vigie does not know (a newer one's export): refused by name, since
    // the audit log's page could not show it.
    let unknown = text.replacen(
        "\"action\":\"article.create\"",
        "\"action\":\"article.frobnicate\"",
        1,
    );
    assert_ne!(unknown, text, "the demo export has audit events");
    let path = scratch("unknown-action.json");
    std::fs::write(&path, unknown).expect("written");
    let message = import_refused(&app, &path);
    assert!(
        message.contains("unknown action \"article.frobnicate\""),
        "{message}"
    );
    assert_nothing_imported(&app).await;

    // Cut off in the middle of the articles: those read so far are not kept either.
    let audit_at = text.find("\"audit\":[").expect("audit section");
    // Records are one per line: this ends the file after the last article but one.
    let cut = text[..audit_at - 4].rfind('\n').expect("several articles");
    let path = scratch("cut.json");
    std::fs::write(&path, &text[..cut]).expect("written");
    let message = import_refused(&app, &path);
    assert!(
        message.contains("this Vigie export cannot be read")
            && message.contains("EOF while parsing"),
        "{message}"
    );
    assert_nothing_imported(&app).await;
}

#[tokio::test]
async fn the_wordpress_sample_becomes_published_articles_in_markdown() {
    let app = TestApp::spawn().await;
    // The running site has the empty home page in its cache: the import must reach it.
    let before = app.get("/").await;
    assert!(!before.body.contains("AI Act : le calendrier"));
    let out = vigie(&app, &["import", WORDPRESS_SAMPLE]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("imported 28 articles (28 published), 2 authors"),
        "{}",
        stderr(&out)
    );
    assert!(stderr(&out).contains("1 comments"), "{}", stderr(&out));
    let home = app.get("/").await;
    assert!(
        home.body.contains("AI Act : le calendrier d’application"),
        "the cache saw the import"
    );

    let page = app
        .get("/articles/ai-act-le-calendrier-dapplication-etape-par-etape")
        .await;
    assert_eq!(page.status, 200);
    assert_eq!(
        page.texts("h1"),
        ["AI Act : le calendrier d’application, étape par étape"]
    );
    let cells = page.texts("article table td");
    assert!(
        cells.contains(&"Pratiques interdites".to_owned()),
        "{cells:?}"
    );
    assert_eq!(
        page.texts("article table th").len(),
        2,
        "the header row stays one"
    );
    assert!(page.body.contains("Calendrier du règlement (UE) 2024/1689"));
    assert_eq!(page.texts(".article-body li").len(), 3);
    assert_eq!(page.texts(".article-body blockquote").len(), 1);
    assert_eq!(
        page.attrs(".article-body img", "alt"),
        ["Frise chronologique de l’AI Act"]
    );
    // The link to another post of the site now leads to its Vigie article; the outside one
    // stays as it was.
    let links = page.attrs(".article-body a", "href");
    assert!(
        links
            .iter()
            .any(|l| l.ends_with("/articles/anthropic-washington-securite-ia")),
        "{links:?}"
    );
    assert!(links.contains(&"https://eur-lex.europa.eu/eli/reg/2024/1689/oj".to_owned()));
    assert!(page.body.contains("20 février 2026"), "the date is kept");
    let linked = app.get("/articles/anthropic-washington-securite-ia").await;
    assert_eq!(linked.status, 200);
    // The WordPress addresses lead to the articles.
    let old = app.get("/analyse-n161-les-usages-sensibles/").await;
    assert_eq!(old.status, 301);
    assert_eq!(
        old.header("location"),
        "/articles/analyse-n161-les-usages-sensibles"
    );

    // Categories and tags are tags; the nested category too.
    let tag = app.get("/tags/ai-act").await;
    assert_eq!(tag.status, 200);
    assert!(
        tag.body
            .contains("ai-act-le-calendrier-dapplication-etape-par-etape")
    );

    // Authors are accounts an admin hands over: disabled, without a password.
    let (admin, _) = app.signed_in(Role::Admin).await;
    let users = admin.get("/admin/users").await;
    let row = users
        .texts("tr")
        .into_iter()
        .find(|r| r.contains("Claire Dupont"))
        .expect("Claire Dupont is a user");
    assert!(row.contains("désactivé"), "{row}");
    let audit = admin.get("/admin/audit").await;
    assert!(audit.body.contains("import.wordpress"));

    // Claiming: the admin enables Claire and sends her a password link; she signs in and finds
    // her articles in the editor.
    let claire_id: Uuid = sqlx::query_scalar("select id from app_user where email = $1")
        .bind("claire@example.org")
        .fetch_one(&app.pool)
        .await
        .expect("imported author");
    let enabled = admin
        .post_signed(&format!("/admin/users/{claire_id}/enable"), &[])
        .await;
    assert_eq!(enabled.status, 303);
    let reset = admin
        .post_signed(&format!("/admin/users/{claire_id}/reset"), &[])
        .await;
    let claire = app.browser();
    let token = claire
        .get(&shown_link(&reset))
        .await
        .attrs("input[name=token]", "value")
        .remove(0);
    assert_eq!(set_password(&claire, &token).await.status, 303);
    assert_eq!(
        claire.sign_in("claire@example.org", PASSWORD).await.status,
        303
    );
    let mine = claire.get("/editor").await;
    assert!(
        mine.body.contains("AI Act : le calendrier d’application"),
        "her imported article is hers"
    );
    assert!(
        !mine.body.contains("Analyse n°161"),
        "the other author's are not"
    );
}

#[tokio::test]
async fn every_wordpress_status_lands_where_it_belongs() {
    let app = TestApp::spawn().await;
    let out = vigie(&app, &["import", WORDPRESS_STATUSES]);
    assert!(out.status.success(), "{}", stderr(&out));
    let report = stderr(&out);
    assert!(
        report.contains(
            "imported 8 articles (1 draft, 1 draft (password-protected in WordPress), 1 draft (private in WordPress), 1 in review, 3 published, 1 scheduled), 2 authors, 3 tags"
        ),
        "{report}"
    );
    assert!(
        report.contains(
            "left out (Vigie has no place for them): 1 auto-drafts, 2 comments, 1 items of type nav_menu_item, 1 pages, 1 posts in the trash"
        ),
        "{report}"
    );

    // Published: public, at its WordPress address, script and event handlers gone.
    let dsa = app.get("/articles/dsa-plateformes").await;
    assert_eq!(dsa.status, 200);
    // WordPress stores titles and names with HTML entities; readers see the characters.
    assert_eq!(dsa.texts("h1"), ["Le DSA & les plateformes d’IA"]);
    assert!(
        dsa.texts(".tags a")
            .contains(&"Modération & signalements".to_owned()),
        "{:?}",
        dsa.texts(".tags a")
    );
    assert!(!dsa.body.contains("evil.example") && !dsa.body.contains("steal()"));
    let links = dsa.attrs(".article-body a", "href");
    assert!(
        links.iter().any(|l| l.ends_with("/articles/ete-bilan")),
        "{links:?}"
    );
    assert!(
        links.iter().any(|l| l.ends_with("/articles/cadre-2025")),
        "{links:?}"
    );
    // The accented WordPress slug, percent-encoded in the file, keeps its letters.
    let summer = app.get("/articles/ete-bilan").await;
    assert_eq!(summer.status, 200);
    assert_eq!(
        summer.texts(".article-body p strong"),
        ["Second"],
        "classic paragraphs"
    );
    assert_eq!(app.get("/tags/dsa").await.status, 200);
    // Old permalinks, however written, lead to the articles; other old addresses do not.
    for (old, new) in [
        ("/2025/08/%C3%A9t%C3%A9-bilan/", "/articles/ete-bilan"),
        ("/2025/08/%c3%a9t%c3%a9-bilan", "/articles/ete-bilan"),
        ("/2026/01/cadre-2025/", "/articles/cadre-2025"),
        (
            "/2026/03/dsa-plateformes/?utm_source=x",
            "/articles/dsa-plateformes",
        ),
    ] {
        let page = app.get(old).await;
        assert_eq!(page.status, 301, "{old}");
        assert_eq!(page.header("location"), new, "{old}");
    }
    // WordPress's `?p=ID` links too (post 102 is the summer review), but not for posts that
    // are not public (104 is a draft) or were never there.
    let by_id = app.get("/?p=102").await;
    assert_eq!(by_id.status, 301);
    assert_eq!(by_id.header("location"), "/articles/ete-bilan");
    assert_eq!(app.get("/?p=104").await.status, 404);
    assert_eq!(app.get("/?p=999").await.status, 404);
    assert_eq!(
        app.get("/?p=abc").await.status,
        200,
        "not an id: the home page"
    );
    let unknown = app.get("/2026/01/jamais-publie/").await;
    assert_eq!(unknown.status, 404);
    assert!(unknown.body.contains("<html"), "the site's 404 page");

    // Not public: scheduled, drafts, pending, private, password-protected; not imported:
    // trash, auto-drafts, pages, attachments, menus.
    for slug in [
        "en-2031",
        "brouillon-sur-l-ai-act",
        "cnil-modeles",
        "note-interne",
        "abonnes",
        "supprime-trashed",
        "a-propos",
        "frise",
    ] {
        assert_eq!(
            app.get(&format!("/articles/{slug}")).await.status,
            404,
            "{slug}"
        );
    }
    let (editor, _) = app.signed_in(Role::Editor).await;
    let queue = editor.get("/admin/review").await;
    assert!(
        queue.body.contains("À relire : la CNIL et les modèles"),
        "pending is in review"
    );
    assert_eq!(count(&app, "article").await, 8);
    // The scheduled post's author will be told when it comes out, as if it had been
    // scheduled here: the notice due at its time, and the job that mails it.
    let (notices, jobs): (i64, i64) = sqlx::query_as(
        "select (select count(*) from notification n join article a on a.id = n.article_id
                 where a.slug = 'en-2031' and n.kind = 'scheduled_out' and n.due_at = a.published_at
                   and n.user_id = a.author_id),
                (select count(*) from job j join article a on j.payload ->> 'article' = a.id::text
                 where a.slug = 'en-2031' and j.kind = 'out_notice' and j.run_after = a.published_at)",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!((notices, jobs), (1, 1));

    // The same file again changes nothing.
    let again = vigie(&app, &["import", WORDPRESS_STATUSES]);
    assert!(again.status.success(), "{}", stderr(&again));
    assert!(
        stderr(&again).contains("8 posts were already here"),
        "{}",
        stderr(&again)
    );
    assert_eq!(count(&app, "article").await, 8);

    // What came from WordPress survives a Vigie export and import whole, old addresses too.
    let path = scratch("from-wordpress.json");
    let first = export_to(&app, &path);
    let copy = TestApp::spawn().await;
    let imported = vigie(&copy, &["import", path.to_str().expect("utf-8")]);
    assert!(imported.status.success(), "{}", stderr(&imported));
    assert!(
        first == export_to(&copy, &scratch("again.json")),
        "export changed"
    );
    let old = copy.get("/2026/01/cadre-2025/").await;
    assert_eq!(old.header("location"), "/articles/cadre-2025");
}

#[tokio::test]
async fn a_bad_wordpress_item_stops_the_import_unless_told_to_skip_it() {
    let app = TestApp::spawn().await;
    let text = std::fs::read_to_string(WORDPRESS_STATUSES)
        .expect("fixture")
        .replace("2026-01-15 07:30:00", "mi-janvier")
        .replace(
            "<wp:status><![CDATA[pending]]>",
            "<wp:status><![CDATA[embargo]]>",
        );
    let path = scratch("bad-items.xml");
    std::fs::write(&path, text).expect("written");

    let message = import_refused(&app, &path);
    assert!(
        message.contains("2 item(s) of this WordPress export cannot be imported, so nothing was"),
        "{message}"
    );
    assert!(
        message.contains("(« Le cadre 2025 »): wp:post_date_gmt \"mi-janvier\" is not a date"),
        "{message}"
    );
    assert!(
        message.contains("unknown wp:status \"embargo\""),
        "{message}"
    );
    assert!(message.contains("--skip-bad"), "{message}");
    assert_nothing_imported(&app).await;

    let out = vigie(
        &app,
        &["import", "--skip-bad", path.to_str().expect("utf-8")],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stderr(&out).contains("skipped line"), "{}", stderr(&out));
    assert_eq!(count(&app, "article").await, 6);
    assert_eq!(app.get("/articles/dsa-plateformes").await.status, 200);
    assert_eq!(app.get("/articles/cadre-2025").await.status, 404);
}

/// A WordPress export with Co-Authors Plus: one post signed by its author, a colleague with a
/// WordPress account, and a guest author.
const COAUTHORS_WXR: &str = r#"<?xml version="1.0" encoding="UTF-8" ?>
<rss version="2.0" xmlns:excerpt="http://wordpress.org/export/1.2/excerpt/"
  xmlns:content="http://purl.org/rss/1.0/modules/content/"
  xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:wp="http://wordpress.org/export/1.2/">
<channel>
  <link>https://blog.example</link>
  <wp:wxr_version>1.2</wp:wxr_version>
  <wp:base_site_url>https://blog.example</wp:base_site_url>
  <wp:author><wp:author_login><![CDATA[zoe]]></wp:author_login><wp:author_email>zoe@example.org</wp:author_email><wp:author_display_name><![CDATA[Zoé Martin]]></wp:author_display_name></wp:author>
  <wp:author><wp:author_login><![CDATA[marc]]></wp:author_login><wp:author_email>marc@example.org</wp:author_email><wp:author_display_name><![CDATA[Marc Petit]]></wp:author_display_name></wp:author>
  <item>
    <title>Une enquête à plusieurs mains</title>
    <link>https://blog.example/2026/01/enquete/</link>
    <dc:creator><![CDATA[zoe]]></dc:creator>
    <content:encoded><![CDATA[Le texte de l’enquête.]]></content:encoded>
    <excerpt:encoded><![CDATA[]]></excerpt:encoded>
    <wp:post_id>7</wp:post_id>
    <wp:post_date_gmt>2026-01-05 09:00:00</wp:post_date_gmt>
    <wp:post_name><![CDATA[enquete]]></wp:post_name>
    <wp:status>publish</wp:status>
    <wp:post_type>post</wp:post_type>
    <category domain="author" nicename="cap-zoe"><![CDATA[zoe]]></category>
    <category domain="author" nicename="cap-marc"><![CDATA[marc]]></category>
    <category domain="author" nicename="cap-ines-invitee"><![CDATA[ines-invitee]]></category>
    <category domain="author" nicename="cap-paul-libre"><![CDATA[Paul Libre]]></category>
  </item>
  <item>
    <title>Inès Invitée</title>
    <link>https://blog.example/?guest-author=cap-ines-invitee</link>
    <dc:creator><![CDATA[zoe]]></dc:creator>
    <content:encoded><![CDATA[]]></content:encoded>
    <wp:post_id>12</wp:post_id>
    <wp:post_name><![CDATA[cap-ines-invitee]]></wp:post_name>
    <wp:status>publish</wp:status>
    <wp:post_type>guest-author</wp:post_type>
    <category domain="author" nicename="cap-ines-invitee"><![CDATA[ines-invitee]]></category>
    <wp:postmeta><wp:meta_key><![CDATA[cap-display_name]]></wp:meta_key><wp:meta_value><![CDATA[Inès Invitée]]></wp:meta_value></wp:postmeta>
    <wp:postmeta><wp:meta_key><![CDATA[cap-user_login]]></wp:meta_key><wp:meta_value><![CDATA[ines-invitee]]></wp:meta_value></wp:postmeta>
    <wp:postmeta><wp:meta_key><![CDATA[cap-description]]></wp:meta_key><wp:meta_value><![CDATA[Journaliste indépendante, <em>spécialiste</em> du droit numérique.]]></wp:meta_value></wp:postmeta>
  </item>
</channel>
</rss>"#;

#[tokio::test]
async fn co_authors_plus_bylines_become_co_authors_and_guest_contributors() {
    let app = TestApp::spawn().await;
    let path = scratch("coauthors.xml");
    std::fs::write(&path, COAUTHORS_WXR).unwrap();
    let out = vigie(&app, &["import", path.to_str().unwrap()]);
    std::fs::remove_dir_all(path.parent().unwrap()).unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let page = app.get("/articles/enquete").await;
    assert_eq!(page.status, 200);
    assert_eq!(
        page.texts(".article .byline a"),
        ["Zoé Martin", "Marc Petit", "Inès Invitée", "Paul Libre"]
    );
    // The colleague's page holds it; the guest has a page of their own.
    let marc: String =
        sqlx::query_scalar("select slug from app_user where email = 'marc@example.org'")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert!(
        app.get(&format!("/authors/{marc}"))
            .await
            .body
            .contains("Une enquête à plusieurs mains")
    );
    // The guest is named and described as the plugin's guest author says (the byline term
    // holds only the login), on a page of their own.
    let guest = app.get("/contributors/ines-invitee").await;
    assert_eq!(guest.status, 200);
    assert!(guest.body.contains("Une enquête à plusieurs mains"));
    assert!(
        guest
            .body
            .contains("Journaliste indépendante, spécialiste du droit numérique."),
        "{}",
        guest.body
    );
    // A term with no guest author behind it (an older export) names the guest itself.
    let older = app.get("/contributors/paul-libre").await;
    assert_eq!(older.status, 200);
    // The guest author's own item is not an article.
    let articles: i64 = sqlx::query_scalar("select count(*) from article")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(articles, 1);
    // The plugin's bylines are not tags.
    let tags: i64 = sqlx::query_scalar("select count(*) from tag")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(tags, 0);
}

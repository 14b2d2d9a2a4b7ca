//! Standalone pages and the site's menu (issue 22): a legal page written in the editor with
//! its revisions, readable at `/pages/…` and in no list; a menu of pages, sections (tags) and
//! the tracker kept by admins, on every public page at once.

use vigie::domain::Role;

use crate::helpers::{TestApp, audited, form_of, post, set};
use crate::review::version;

#[tokio::test]
async fn a_legal_page_has_its_revisions_its_address_and_no_place_in_lists() {
    let app = TestApp::spawn().await;
    let (admin, _) = app.signed_in(Role::Admin).await;
    // "Nouvelle page" from the editor's list.
    let list = admin.get("/editor").await;
    assert!(
        list.attrs("a.button", "href")
            .contains(&"/editor/new?kind=page".to_owned())
    );
    let form = admin.get("/editor/new?kind=page").await;
    assert_eq!(form.attrs("input[name=kind]", "value"), ["page"]);
    let created = admin
        .post_signed(
            "/editor/new",
            &[
                ("title", "Mentions légales"),
                ("lang", "fr"),
                (
                    "body",
                    "Éditeur : Vigie, MARQUELEGAL.\n\nHébergeur : à compléter.",
                ),
                ("kind", "page"),
                ("intent", "save"),
            ],
        )
        .await;
    assert_eq!(created.status, 303, "{}", created.body);
    let id = app.article_id("mentions-legales").await;
    // A second version: the same revisions as an article.
    let mut fields = form_of(&admin, id).await;
    set(
        &mut fields,
        "body",
        "Éditeur : Vigie, MARQUELEGAL.\n\nHébergeur : Exemple SAS, 1 rue de l’Exemple, Paris.",
    );
    set(&mut fields, "intent", "save");
    assert_eq!(
        post(&admin, &format!("/editor/articles/{id}"), &fields)
            .await
            .status,
        303
    );
    let revisions = admin.get(&format!("/editor/articles/{id}/revisions")).await;
    assert_eq!(revisions.status, 200);
    let saved: i64 = sqlx::query_scalar(
        "select count(*) from article_revision where article_id = $1 and kind in ('create', 'save')",
    )
    .bind(id)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(saved, 2);
    assert!(
        revisions.body.contains("revisions/"),
        "the revisions are listed"
    );
    let desk = admin.get("/editor").await;
    assert!(desk.texts("td .standing").contains(&"Page".to_owned()));

    // Not readable before it is published; then at its address, and nowhere else — nor
    // announced to webhook receivers, who hear of articles.
    sqlx::query(
        "insert into webhook_endpoint (url, events, secret) values ('https://127.0.0.1:9/v',
         array['article.published'], 'whsec_dGVzdA==')",
    )
    .execute(&app.pool)
    .await
    .unwrap();
    assert_eq!(app.get("/pages/mentions-legales").await.status, 404);
    let v = version(&app, id).await;
    let published = admin
        .post_signed(
            &format!("/editor/articles/{id}/status"),
            &[("action", "publish"), ("version", &v)],
        )
        .await;
    assert_eq!(published.status, 303, "{}", published.body);
    let announced: i64 =
        sqlx::query_scalar("select count(*) from webhook_event where article_id = $1")
            .bind(id)
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!(announced, 0, "a page is no article for receivers");
    let page = app.get("/pages/mentions-legales").await;
    assert_eq!(page.status, 200);
    assert_eq!(page.texts("h1"), ["Mentions légales"]);
    assert!(page.body.contains("Exemple SAS"));
    assert!(
        page.texts(".site-page .meta")
            .concat()
            .starts_with("Dernière mise à jour")
    );
    assert_eq!(app.get("/articles/mentions-legales").await.status, 404);
    assert_eq!(
        app.get("/api/v1/articles/mentions-legales").await.status,
        404
    );
    for path in [
        "/",
        "/feed.atom",
        "/rss.xml",
        "/sitemaps/1.xml",
        "/api/v1/articles",
        "/sitemaps/news.xml",
    ] {
        assert!(
            !app.get(path).await.body.contains("MARQUELEGAL")
                && !app.get(path).await.body.contains("mentions-legales"),
            "{path} lists the page"
        );
    }
    let search = app.get("/search?q=MARQUELEGAL").await;
    assert!(search.texts(".search-results li").is_empty());
    // The sitemap names it among the site's pages.
    let sections = app.get("/sitemaps/0.xml").await;
    assert!(
        sections
            .body
            .contains(&format!("{}/pages/mentions-legales", app.base_url()))
    );
    crate::feeds::schema_check(&sections.body).unwrap();
}

#[tokio::test]
async fn admins_keep_the_menu_and_every_public_page_shows_it_at_once() {
    let app = TestApp::spawn().await;
    let (admin, _) = app.signed_in(Role::Admin).await;
    let (editor, _) = app.signed_in(Role::Editor).await;
    let past = time::OffsetDateTime::now_utc() - time::Duration::days(1);
    // A page, and a section: a tag with a public article.
    let about = app
        .article("À propos", "Qui nous sommes.", Some(past))
        .await;
    let about_id = app.article_id(&about).await;
    sqlx::query("update article set kind = 'page' where id = $1")
        .bind(about_id)
        .execute(&app.pool)
        .await
        .unwrap();
    let story = app.article("Un article", "Texte.", Some(past)).await;
    let story_id = app.article_id(&story).await;
    sqlx::query(
        "with t as (insert into tag (slug, name, kind) values ('europe', 'Europe', 'jurisdiction') returning id)
         insert into article_tag (article_id, tag_id, position) select $1, id, 0 from t",
    )
    .bind(story_id)
    .execute(&app.pool)
    .await
    .unwrap();
    // Without a menu, the header offers the tracker; the home page is cached meanwhile.
    let before = app.get("/").await;
    assert_eq!(before.texts(".site-sections a"), ["Réglementations"]);
    assert_eq!(editor.get("/admin/menu").await.status, 403);
    let form = admin.get("/admin/menu").await;
    assert!(form.body.contains("value=\"/pages/a-propos\""));
    assert!(form.body.contains("value=\"/tags/europe\""));

    // A label without a destination is refused with the rows as typed.
    let refused = admin
        .post_signed(
            "/admin/menu",
            &[
                ("label", "Europe"),
                ("href", ""),
                ("label", ""),
                ("href", ""),
            ],
        )
        .await;
    assert_eq!(refused.status, 422);
    assert_eq!(refused.attrs("input[name=label]", "value")[0], "Europe");
    // Somewhere the form does not offer: refused.
    let refused = admin
        .post_signed(
            "/admin/menu",
            &[("label", "Ailleurs"), ("href", "/tags/nulle-part")],
        )
        .await;
    assert_eq!(refused.status, 422);

    let saved = admin
        .post_signed(
            "/admin/menu",
            &[
                ("label", "Europe"),
                ("href", "/tags/europe"),
                ("label", "Réglementations"),
                ("href", "/regulations"),
                ("label", ""),
                ("href", ""),
                ("label", "À propos"),
                ("href", "/pages/a-propos"),
            ],
        )
        .await;
    assert_eq!(saved.status, 303, "{}", saved.body);
    audited(&app, "site.menu").await;
    // Every public page at once, cached ones included, in order.
    for path in [
        "/",
        &format!("/articles/{story}") as &str,
        "/pages/a-propos",
    ] {
        let page = app.get(path).await;
        assert_eq!(
            page.texts(".site-sections a"),
            ["Europe", "Réglementations", "À propos"],
            "{path}"
        );
        assert_eq!(
            page.attrs(".site-sections a", "href"),
            ["/tags/europe", "/regulations", "/pages/a-propos"]
        );
    }
}

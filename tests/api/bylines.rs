//! Bylines (issue 22): an article signed by several people, in order — accounts and guest
//! contributors — is on every co-author's page and feed, carries every name in its page, its
//! JSON-LD, its feeds and the API; a co-author with an account edits it as its author may; only
//! editors give it another author. And the "Mis à jour le" line, when an editor says a change
//! to a public article is one of substance.

use serde_json::Value;
use uuid::Uuid;
use vigie::domain::Role;

use crate::helpers::{Browser, TestApp, audited, form_of, post, set};
use crate::review::version;
use crate::validators::feedparser_entries;

/// Adds guest contributor `name` at `/admin/contributors`, as `editor`; returns their id.
async fn guest(app: &TestApp, editor: &Browser, name: &str, bio: &str) -> Uuid {
    let page = editor
        .post_signed("/admin/contributors", &[("name", name), ("bio", bio)])
        .await;
    assert_eq!(page.status, 303, "{}", page.body);
    sqlx::query_scalar("select id from contributor where name = $1")
        .bind(name)
        .fetch_one(&app.pool)
        .await
        .unwrap()
}

fn json_ld(page: &crate::helpers::Page) -> Value {
    let text = page.texts("script[type='application/ld+json']").remove(0);
    serde_json::from_str(&text).unwrap()
}

#[tokio::test]
async fn a_co_signed_article_is_on_every_signers_page_and_feed_and_carries_every_name() {
    let app = TestApp::spawn().await;
    let base = app.base_url();
    let (author, writer) = app.signed_in(Role::Journalist).await;
    let (colleague, second) = app.signed_in(Role::Journalist).await;
    let (editor, _) = app.signed_in(Role::Editor).await;
    // The names as pages show them.
    for (id, name) in [(writer.id, "Camille Auteur"), (second.id, "Lou Coautrice")] {
        sqlx::query("update app_user set display_name = $2 where id = $1")
            .bind(id)
            .bind(name)
            .execute(&app.pool)
            .await
            .unwrap();
    }
    let invited = guest(
        &app,
        &editor,
        "Inès Invitée",
        "Chercheuse en droit du numérique.",
    )
    .await;
    // A journalist may not keep the list of guests.
    assert_eq!(author.get("/admin/contributors").await.status, 403);

    let page = author
        .post_signed(
            "/editor/new",
            &[
                ("title", "Enquête à trois mains"),
                ("lang", "fr"),
                ("body", "Le texte MARQUETROIS de l’enquête."),
                ("intent", "save"),
            ],
        )
        .await;
    assert_eq!(page.status, 303, "{}", page.body);
    let id = app.article_id("enquete-a-trois-mains").await;
    // The colleague cannot see it yet.
    assert_eq!(
        colleague
            .get(&format!("/editor/articles/{id}"))
            .await
            .status,
        404
    );
    // The author adds a colleague and the guest, in that order; cannot give it away.
    let second_key = format!("u:{}", second.id);
    let guest_key = format!("c:{invited}");
    let refused = author
        .post_signed(
            &format!("/editor/articles/{id}/bylines"),
            &[("author", &second.id.to_string()), ("coauthor", &guest_key)],
        )
        .await;
    assert_eq!(refused.status, 403);
    let done = author
        .post_signed(
            &format!("/editor/articles/{id}/bylines"),
            &[
                ("coauthor", &second_key),
                ("coauthor", ""),
                ("coauthor", &guest_key),
                ("coauthor", "n’importe quoi"),
            ],
        )
        .await;
    assert_eq!(done.status, 422, "a key that is no choice is refused");
    let done = author
        .post_signed(
            &format!("/editor/articles/{id}/bylines"),
            &[
                ("coauthor", &second_key),
                ("coauthor", ""),
                ("coauthor", &guest_key),
            ],
        )
        .await;
    assert_eq!(done.status, 303, "{}", done.body);
    let (actor, target) = audited(&app, "article.bylines").await;
    assert_eq!((actor, target), (Some(writer.id), id.to_string()));
    let desk = author.get(&format!("/editor/articles/{id}")).await;
    assert!(
        desk.texts(".meta")
            .concat()
            .contains("Par Camille Auteur, Lou Coautrice, Inès Invitée"),
        "{:?}",
        desk.texts(".meta")
    );

    // The co-author now sees it in their list and edits it as its author may.
    let list = colleague.get("/editor").await;
    assert!(list.body.contains("Enquête à trois mains"));
    let mut fields = form_of(&colleague, id).await;
    set(
        &mut fields,
        "body",
        "Le texte MARQUETROIS de l’enquête, relu par Lou.",
    );
    set(&mut fields, "intent", "save");
    let saved = post(&colleague, &format!("/editor/articles/{id}"), &fields).await;
    assert_eq!(saved.status, 303, "{}", saved.body);
    // But does not delete the author's notes.
    let deleted = colleague
        .post_signed(
            &format!("/editor/articles/{id}/delete"),
            &[("confirm", "yes")],
        )
        .await;
    assert_eq!(deleted.status, 403);

    // Published.
    let v = version(&app, id).await;
    let published = editor
        .post_signed(
            &format!("/editor/articles/{id}/status"),
            &[("action", "publish"), ("version", &v)],
        )
        .await;
    assert_eq!(published.status, 303, "{}", published.body);
    let slug = "enquete-a-trois-mains";

    // Its page: every name, linked, in order; the JSON-LD the same.
    let article = app.get(&format!("/articles/{slug}")).await;
    assert_eq!(
        article.texts(".article .byline a"),
        ["Camille Auteur", "Lou Coautrice", "Inès Invitée"]
    );
    assert_eq!(
        article.attrs(".article .byline a", "href"),
        [
            format!("/authors/{}", writer.slug),
            format!("/authors/{}", second.slug),
            "/contributors/ines-invitee".to_owned()
        ]
    );
    assert!(
        article
            .texts(".article .byline")
            .concat()
            .contains("Lou Coautrice et")
    );
    let ld = json_ld(&article);
    let names: Vec<&str> = ld["author"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Camille Auteur", "Lou Coautrice", "Inès Invitée"]);
    assert_eq!(
        ld["author"][1]["url"],
        format!("{base}/authors/{}", second.slug)
    );
    assert_eq!(
        ld["author"][2]["url"],
        format!("{base}/contributors/ines-invitee")
    );

    // On both accounts' pages and feeds, and the guest's page.
    for path in [
        format!("/authors/{}", writer.slug),
        format!("/authors/{}", second.slug),
        "/contributors/ines-invitee".to_owned(),
    ] {
        let page = app.get(&path).await;
        assert_eq!(page.status, 200, "{path}");
        assert!(page.body.contains("Enquête à trois mains"), "{path}");
    }
    let guest_page = app.get("/contributors/ines-invitee").await;
    assert_eq!(guest_page.texts("h1"), ["Inès Invitée"]);
    assert!(
        guest_page
            .body
            .contains("Chercheuse en droit du numérique.")
    );
    for feed in [
        format!("/authors/{}/feed.atom", writer.slug),
        format!("/authors/{}/feed.atom", second.slug),
        "/contributors/ines-invitee/feed.atom".to_owned(),
    ] {
        let feed = app.get(&feed).await;
        assert_eq!(feed.status, 200);
        let entries = feedparser_entries(&feed.body);
        assert_eq!(entries.len(), 1, "{}", feed.body);
        assert_eq!(entries[0]["title"], "Enquête à trois mains");
    }
    // The guest's page announces their feed, as an author's does.
    assert!(
        guest_page
            .attrs("link[rel=alternate][type='application/atom+xml']", "href")
            .contains(&"/contributors/ines-invitee/feed.atom".to_owned())
    );
    // Search results sign with every name too.
    let found = app.get("/search?q=Enqu%C3%AAte+trois+mains").await;
    assert_eq!(
        found.texts(".search-results .byline a"),
        ["Camille Auteur", "Lou Coautrice", "Inès Invitée"]
    );
    let atom = app
        .get(&format!("/authors/{}/feed.atom", second.slug))
        .await;
    let doc = roxmltree::Document::parse(&atom.body).unwrap();
    let authors: Vec<&str> = doc
        .descendants()
        .filter(|n| n.tag_name().name() == "author")
        .filter_map(|n| n.children().find(|c| c.tag_name().name() == "name"))
        .filter_map(|n| n.text())
        .collect();
    assert_eq!(authors, ["Camille Auteur", "Lou Coautrice", "Inès Invitée"]);
    let rss = app.get("/rss.xml").await;
    assert_eq!(rss.body.matches("<dc:creator>").count(), 3);

    // The API: every byline, the first still as `author`; the author filter finds it by a
    // co-author too.
    let api: Value =
        serde_json::from_str(&app.get(&format!("/api/v1/articles/{slug}")).await.body).unwrap();
    assert_eq!(api["author"]["name"], "Camille Auteur");
    assert_eq!(api["authors"][2]["guest"], true);
    assert_eq!(
        api["authors"][2]["url"],
        format!("{base}/contributors/ines-invitee")
    );
    let by_second: Value = serde_json::from_str(
        &app.get(&format!("/api/v1/articles?author={}", second.slug))
            .await
            .body,
    )
    .unwrap();
    assert_eq!(by_second["articles"][0]["slug"], slug);
    assert_eq!(
        by_second["articles"][0]["authors"][1]["name"],
        "Lou Coautrice"
    );
    let authors: Value = serde_json::from_str(&app.get("/api/v1/authors").await.body).unwrap();
    assert_eq!(authors["authors"].as_array().unwrap().len(), 2, "{authors}");

    // A guest renamed: on the page at once.
    let renamed = editor
        .post_signed(
            &format!("/admin/contributors/{invited}"),
            &[("name", "Inès Invitée-Durand"), ("bio", "Chercheuse.")],
        )
        .await;
    assert_eq!(renamed.status, 303);
    let article = app.get(&format!("/articles/{slug}")).await;
    assert!(article.body.contains("Inès Invitée-Durand"));

    // An editor gives the article to the colleague: they sign first, the others follow.
    let reassigned = editor
        .post_signed(
            &format!("/editor/articles/{id}/bylines"),
            &[
                ("author", &second.id.to_string()),
                ("coauthor", &format!("u:{}", writer.id)),
            ],
        )
        .await;
    assert_eq!(reassigned.status, 303, "{}", reassigned.body);
    let article = app.get(&format!("/articles/{slug}")).await;
    assert_eq!(
        article.texts(".article .byline a"),
        ["Lou Coautrice", "Camille Auteur"]
    );
    // The guest no longer signs it: their page has nothing left to show.
    assert_eq!(app.get("/contributors/ines-invitee").await.status, 404);
}

#[tokio::test]
async fn an_editor_says_a_change_is_one_of_substance_and_readers_see_when() {
    let app = TestApp::spawn().await;
    let (editor, _) = app.signed_in(Role::Editor).await;
    let past = time::OffsetDateTime::now_utc() - time::Duration::days(3);
    let slug = app
        .article("Un article qui évolue", "Premier état.", Some(past))
        .await;
    let id = app.article_id(&slug).await;
    // A change without the box ticked: no line.
    let mut fields = form_of(&editor, id).await;
    set(&mut fields, "body", "Premier état, une coquille corrigée.");
    set(&mut fields, "intent", "save");
    assert_eq!(
        post(&editor, &format!("/editor/articles/{id}"), &fields)
            .await
            .status,
        303
    );
    let page = app.get(&format!("/articles/{slug}")).await;
    assert!(page.texts(".revised").is_empty());
    // With it: "Mis à jour le …", the API says when, the audit log who.
    let mut fields = form_of(&editor, id).await;
    set(&mut fields, "body", "Second état : la décision est tombée.");
    set(&mut fields, "intent", "save");
    fields.push(("substantive".to_owned(), "yes".to_owned()));
    assert_eq!(
        post(&editor, &format!("/editor/articles/{id}"), &fields)
            .await
            .status,
        303
    );
    let page = app.get(&format!("/articles/{slug}")).await;
    let line = page.texts(".revised").concat();
    assert!(line.starts_with("Mis à jour le"), "{line}");
    assert_eq!(page.attrs(".revised time", "datetime").len(), 1);
    let api: Value =
        serde_json::from_str(&app.get(&format!("/api/v1/articles/{slug}")).await.body).unwrap();
    assert!(api["revised_at"].is_string(), "{api}");
    audited(&app, "article.revised").await;
    // The box means nothing on an article readers do not see.
    let draft = app.article("Un brouillon", "Texte.", None).await;
    let draft_id = app.article_id(&draft).await;
    let mut fields = form_of(&editor, draft_id).await;
    set(&mut fields, "intent", "save");
    fields.push(("substantive".to_owned(), "yes".to_owned()));
    post(&editor, &format!("/editor/articles/{draft_id}"), &fields).await;
    let revised: Option<time::OffsetDateTime> =
        sqlx::query_scalar("select revised_at from article where id = $1")
            .bind(draft_id)
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert!(revised.is_none());
}

//! Embargoes (issue 22): an article under embargo reaches nobody outside the newsroom until
//! its time — no page, feed, API answer, search result, sitemap entry or webhook — however
//! ready it is; publishing or scheduling it earlier is refused on every path (the editor's
//! buttons, the review page, the write API, and the database itself); an editor may lift it,
//! saying why, and the audit log keeps it.

use time::OffsetDateTime;
use uuid::Uuid;
use vigie::domain::Role;

use crate::helpers::{Browser, TestApp, audited};
use crate::review::{submitted, version};

/// `now + hours` on the newsroom's wall clock, as a `datetime-local` field holds it.
pub(crate) async fn local_in(app: &TestApp, hours: i32) -> String {
    sqlx::query_scalar(
        "select to_char((now() + make_interval(hours => $1)) at time zone $2, 'YYYY-MM-DD\"T\"HH24:MI')",
    )
    .bind(hours)
    .bind(&app.state().config.timezone)
    .fetch_one(&app.pool)
    .await
    .unwrap()
}

/// Puts article `id` under embargo for `hours` from now, as `who` would on the editor's page.
pub(crate) async fn embargo(app: &TestApp, who: &Browser, id: Uuid, hours: i32) -> u16 {
    let until = local_in(app, hours).await;
    let page = who
        .post_signed(
            &format!("/editor/articles/{id}/embargo"),
            &[
                ("until", &until),
                ("note", "Étude de la CNIL, embargo jeudi 9 h"),
            ],
        )
        .await;
    page.status.as_u16()
}

/// Every reader surface that could show `slug` or `marker`, fetched anonymously.
async fn nowhere_public(app: &TestApp, slug: &str, marker: &str) {
    for path in [
        format!("/articles/{slug}"),
        format!("/api/v1/articles/{slug}"),
        "/".to_owned(),
        "/feed.atom".to_owned(),
        "/rss.xml".to_owned(),
        "/sitemaps/0.xml".to_owned(),
        "/sitemaps/1.xml".to_owned(),
        "/sitemaps/news.xml".to_owned(),
        "/api/v1/articles".to_owned(),
    ] {
        let page = app.get(&path).await;
        assert!(
            !page.body.contains(slug) && !page.body.contains(marker),
            "{path} shows the embargoed article ({})",
            page.status
        );
    }
    // Searched for by its own word (which the search page repeats): nothing found.
    let search = app.get(&format!("/search?q={marker}")).await;
    assert!(
        search.texts(".search-results li").is_empty(),
        "search finds it"
    );
    assert!(!search.body.contains(slug));
    let api: serde_json::Value =
        serde_json::from_str(&app.get(&format!("/api/v1/articles?q={marker}")).await.body).unwrap();
    assert_eq!(api["articles"], serde_json::json!([]), "{api}");
}

#[tokio::test]
async fn an_embargoed_article_comes_out_at_its_time_and_never_before() {
    let app = TestApp::spawn().await;
    let (author, _) = app.signed_in(Role::Journalist).await;
    let (editor, _) = app.signed_in(Role::Editor).await;
    // A receiver subscribed to everything: what it would be told is in the outbox.
    sqlx::query(
        "insert into webhook_endpoint (url, events, secret) values ('https://127.0.0.1:9/vigie',
         array['article.published', 'article.scheduled', 'article.submitted'], 'whsec_dGVzdA==')",
    )
    .execute(&app.pool)
    .await
    .unwrap();
    let page = author
        .post_signed(
            "/editor/new",
            &[
                ("title", "Le rapport MARQUEEMBARGO"),
                ("lang", "fr"),
                ("body", "Ce que dit le rapport MARQUEEMBARGO sur l’IA."),
                ("intent", "save"),
            ],
        )
        .await;
    assert_eq!(page.status, 303, "{}", page.body);
    let id = app.article_id("le-rapport-marqueembargo").await;
    let slug = "le-rapport-marqueembargo";

    // The author puts it under embargo for two days; the editor's page says so.
    assert_eq!(embargo(&app, &author, id, 48).await, 303);
    let desk = author.get(&format!("/editor/articles/{id}")).await;
    assert!(
        desk.texts(".embargo-notice")[0].contains("Sous embargo jusqu’au"),
        "{:?}",
        desk.texts(".embargo-notice")
    );
    assert!(desk.texts(".embargo-note").concat().contains("CNIL"));
    let (actor, target) = audited(&app, "article.embargo").await;
    assert_eq!(target, id.to_string());
    assert!(actor.is_some());
    // The author may extend it, not bring it forward.
    let earlier = local_in(&app, 24).await;
    let refused = author
        .post_signed(
            &format!("/editor/articles/{id}/embargo"),
            &[("until", &earlier), ("note", "plus tôt")],
        )
        .await;
    assert_eq!(refused.status, 422);
    assert!(refused.body.contains("Seul un éditeur peut avancer"));
    assert_eq!(refused.attrs("#embargo-until", "value"), [earlier]);
    // Nor lift it.
    let lift = author
        .post_signed(
            &format!("/editor/articles/{id}/embargo/lift"),
            &[("reason", "pressé")],
        )
        .await;
    assert_eq!(lift.status, 403);
    // A past end is no embargo.
    let past = local_in(&app, -1).await;
    let page = author
        .post_signed(
            &format!("/editor/articles/{id}/embargo"),
            &[("until", &past)],
        )
        .await;
    assert_eq!(page.status, 422);
    assert!(page.body.contains("Cette heure est passée"));

    // Submitted: listed with its embargo in the editor's list and the review queue.
    let v = version(&app, id).await;
    let sent = author
        .post_signed(
            &format!("/editor/articles/{id}/status"),
            &[("action", "submit"), ("version", &v)],
        )
        .await;
    assert_eq!(sent.status, 303, "{}", sent.body);
    for (who, path) in [(&author, "/editor"), (&editor, "/admin/review")] {
        let list = who.get(path).await;
        assert!(
            list.texts(".embargo-badge")
                .concat()
                .contains("Embargo jusqu’au"),
            "{path} shows the embargo"
        );
    }

    // Publishing before its time is refused on every path, and nothing moves.
    let v = version(&app, id).await;
    let from_review = editor
        .post_signed(
            &format!("/admin/review/{id}"),
            &[("decision", "publish"), ("version", &v)],
        )
        .await;
    assert_eq!(from_review.status, 422);
    assert!(from_review.body.contains("Sous embargo jusqu’au"));
    let from_editor = editor
        .post_signed(
            &format!("/editor/articles/{id}/status"),
            &[("action", "publish"), ("version", &v)],
        )
        .await;
    assert_eq!(from_editor.status, 422);
    assert!(from_editor.body.contains("ne peut pas sortir avant"));
    let too_soon = local_in(&app, 24).await;
    let scheduled_early = editor
        .post_signed(
            &format!("/admin/review/{id}"),
            &[("decision", "schedule"), ("version", &v), ("at", &too_soon)],
        )
        .await;
    assert_eq!(scheduled_early.status, 422);
    assert_eq!(
        scheduled_early.attrs("#at", "value"),
        [too_soon],
        "the time typed is kept"
    );
    let token = crate::write_api::token(&editor, "Outil", &["articles:publish"]).await;
    let api = app
        .client
        .post(format!("{}/api/v1/articles/{id}/publish", app.base_url()))
        .bearer_auth(&token)
        .header("if-match", format!("\"{v}\""))
        .send()
        .await
        .unwrap();
    assert_eq!(api.status(), 409);
    assert!(api.text().await.unwrap().contains("under embargo until"));
    // Scheduled through the API for a time before the embargo ends: refused the same way.
    let early = (OffsetDateTime::now_utc() + time::Duration::hours(1))
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap();
    let api = app
        .client
        .post(format!("{}/api/v1/articles/{id}/schedule", app.base_url()))
        .bearer_auth(&token)
        .header("if-match", format!("\"{v}\""))
        .json(&serde_json::json!({ "at": early }))
        .send()
        .await
        .unwrap();
    assert_eq!(api.status(), 409);
    assert!(api.text().await.unwrap().contains("under embargo until"));
    let status: String = sqlx::query_scalar("select status from article where id = $1")
        .bind(id)
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(status, "in_review");
    // The database itself refuses a public date before the embargo.
    let forced =
        sqlx::query("update article set status = 'published', published_at = now() where id = $1")
            .bind(id)
            .execute(&app.pool)
            .await;
    assert!(
        forced
            .unwrap_err()
            .to_string()
            .contains("article_embargo_check")
    );

    // Scheduled for the embargo's end (the review page offers it), it waits there.
    let review = editor.get(&format!("/admin/review/{id}")).await;
    let at = review.attrs("#at", "value").remove(0);
    assert_eq!(at, local_in(&app, 48).await);
    let scheduled = editor
        .post_signed(
            &format!("/admin/review/{id}"),
            &[("decision", "schedule"), ("version", &v), ("at", &at)],
        )
        .await;
    assert_eq!(scheduled.status, 303, "{}", scheduled.body);
    nowhere_public(&app, slug, "MARQUEEMBARGO").await;
    // Receivers heard neither of its submission nor of its scheduling; its coming out waits.
    let events: Vec<(String, bool)> = sqlx::query_as(
        "select type, due_at > now() + interval '47 hours' from webhook_event where article_id = $1 order by type",
    )
    .bind(id)
    .fetch_all(&app.pool)
    .await
    .unwrap();
    assert_eq!(events, [("article.published".to_owned(), true)]);
    // Once scheduled it can be brought no earlier by moving the embargo either.
    let moved = author
        .post_signed(
            &format!("/editor/articles/{id}/embargo"),
            &[("until", &local_in(&app, 72).await)],
        )
        .await;
    assert_eq!(moved.status, 422);
    assert!(moved.body.contains("avant cette fin d’embargo"));

    // Its time comes (the clock moved for the test): it is out.
    sqlx::query(
        "update article set embargo_until = now() - interval '1 minute', published_at = now() - interval '1 minute' where id = $1",
    )
    .bind(id)
    .execute(&app.pool)
    .await
    .unwrap();
    let out = app.get(&format!("/articles/{slug}")).await;
    assert_eq!(out.status, 200);
    assert!(out.body.contains("MARQUEEMBARGO"));
}

#[tokio::test]
async fn an_editor_lifts_an_embargo_saying_why_and_it_is_audited() {
    let app = TestApp::spawn().await;
    let (author, _) = app.signed_in(Role::Journalist).await;
    let (editor, chief) = app.signed_in(Role::Editor).await;
    let (id, slug) = submitted(&app, &author, "Levée MARQUELEVEE", "Texte MARQUELEVEE.").await;
    assert_eq!(embargo(&app, &author, id, 24).await, 303);
    // Without a reason, nothing is lifted.
    let page = editor
        .post_signed(
            &format!("/editor/articles/{id}/embargo/lift"),
            &[("reason", " ")],
        )
        .await;
    assert_eq!(page.status, 422);
    assert!(page.body.contains("Dites pourquoi l’embargo est levé"));
    let lifted = editor
        .post_signed(
            &format!("/editor/articles/{id}/embargo/lift"),
            &[("reason", "La CNIL a publié son étude plus tôt")],
        )
        .await;
    assert_eq!(lifted.status, 303);
    let (actor, target) = audited(&app, "article.embargo_lift").await;
    assert_eq!((actor, target), (Some(chief.id), id.to_string()));
    let reason: String = sqlx::query_scalar(
        "select details->>'reason' from audit_event where action = 'article.embargo_lift'",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(reason, "La CNIL a publié son étude plus tôt");
    // Now it may come out.
    let v = version(&app, id).await;
    let published = editor
        .post_signed(
            &format!("/admin/review/{id}"),
            &[("decision", "publish"), ("version", &v)],
        )
        .await;
    assert_eq!(published.status, 303, "{}", published.body);
    assert_eq!(app.get(&format!("/articles/{slug}")).await.status, 200);
}

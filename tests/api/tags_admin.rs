//! Tag administration: create, rename with a redirect, merge, delete.

use uuid::Uuid;
use vigie::domain::Role;

use crate::helpers::{TestApp, audited};

async fn tag_id(app: &TestApp, slug: &str) -> Uuid {
    sqlx::query_scalar("select id from tag where slug = $1")
        .bind(slug)
        .fetch_one(&app.pool)
        .await
        .unwrap()
}

#[tokio::test]
async fn renaming_a_tag_keeps_its_old_address_working() {
    let app = TestApp::with_demo().await;
    let (admin, boss) = app.signed_in(Role::Admin).await;
    let (editor, _) = app.signed_in(Role::Editor).await;
    let id = tag_id(&app, "etats-unis").await;
    let rename = [
        ("name", "USA"),
        ("kind", "jurisdiction"),
        ("description", "Washington et les États."),
    ];
    assert_eq!(
        editor
            .post_signed(&format!("/admin/tags/{id}"), &rename)
            .await
            .status,
        403,
        "editors do not rename"
    );
    assert_eq!(
        admin
            .post_signed(&format!("/admin/tags/{id}"), &rename)
            .await
            .status,
        303
    );
    let old = app.get("/tags/etats-unis").await;
    assert_eq!(old.status, 301);
    assert_eq!(old.header("location"), "/tags/usa");
    let new = app.get("/tags/usa").await;
    assert_eq!(new.texts("h1"), ["USA"]);
    assert_eq!(new.texts(".page-header .dek"), ["Washington et les États."]);
    assert_eq!(
        audited(&app, "tag.update").await,
        (Some(boss.id), id.to_string())
    );

    // A name another tag has is refused with a message.
    let clash = admin
        .post_signed(
            &format!("/admin/tags/{id}"),
            &[("name", "OpenAI"), ("kind", "jurisdiction")],
        )
        .await;
    assert_eq!(clash.status, 422);
    assert!(clash.texts(".form-error")[0].contains("OpenAI"));
}

#[tokio::test]
async fn merging_moves_the_articles_and_redirects_the_old_tag() {
    let app = TestApp::with_demo().await;
    let (admin, boss) = app.signed_in(Role::Admin).await;
    let from = tag_id(&app, "fiabilite-des-services").await;
    let into = tag_id(&app, "openai").await;
    // Not without answering the question: nothing moves.
    let unconfirmed = admin
        .post_signed(
            &format!("/admin/tags/{from}/merge"),
            &[("into", &into.to_string())],
        )
        .await;
    assert_eq!(unconfirmed.status, 422);
    assert!(unconfirmed.texts(".form-error")[0].contains("Confirmez la fusion"));
    assert_eq!(app.get("/tags/fiabilite-des-services").await.status, 200);
    let merged = admin
        .post_signed(
            &format!("/admin/tags/{from}/merge"),
            &[("into", &into.to_string()), ("confirm", "yes")],
        )
        .await;
    assert_eq!(merged.status, 303);
    assert_eq!(
        app.get("/tags/fiabilite-des-services")
            .await
            .header("location"),
        "/tags/openai"
    );
    let page = app.get("/tags/openai").await;
    assert_eq!(
        page.texts(".article-card").len(),
        2,
        "the ChatGPT article carried both; it counts once"
    );
    let gone: i64 = sqlx::query_scalar("select count(*) from tag where id = $1")
        .bind(from)
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(gone, 0);
    assert_eq!(
        audited(&app, "tag.merge").await,
        (Some(boss.id), from.to_string())
    );
}

#[tokio::test]
async fn deleting_a_tag_in_use_needs_a_confirmation_and_editors_may_create() {
    let app = TestApp::with_demo().await;
    let (admin, _) = app.signed_in(Role::Admin).await;
    let (editor, _) = app.signed_in(Role::Editor).await;
    let (journalist, _) = app.signed_in(Role::Journalist).await;
    assert_eq!(journalist.get("/admin/tags").await.status, 403);

    let created = editor
        .post_signed(
            "/admin/tags",
            &[
                ("name", "Cybersécurité"),
                ("kind", "topic"),
                ("description", ""),
            ],
        )
        .await;
    assert_eq!(created.status, 303);
    let bad = editor
        .post_signed("/admin/tags", &[("name", "!!!"), ("kind", "topic")])
        .await;
    assert_eq!(bad.status, 422);
    assert_eq!(
        bad.attrs("input#name", "value"),
        ["!!!"],
        "what was typed stays"
    );

    let used = tag_id(&app, "anthropic").await;
    let refused = admin
        .post_signed(&format!("/admin/tags/{used}/delete"), &[])
        .await;
    assert_eq!(refused.status, 422);
    // The sample and its English version.
    assert!(refused.texts(".form-error")[0].contains("2 article(s)"));
    let deleted = admin
        .post_signed(&format!("/admin/tags/{used}/delete"), &[("confirm", "yes")])
        .await;
    assert_eq!(deleted.status, 303);
    assert_eq!(app.get("/tags/anthropic").await.status, 404);
    let page = app
        .get(&format!("/articles/{}", crate::helpers::SAMPLE))
        .await;
    assert!(
        !page.texts(".tags a").iter().any(|t| t == "Anthropic"),
        "taken off its article"
    );
    let unused = tag_id(&app, "cybersecurite").await;
    assert_eq!(
        admin
            .post_signed(&format!("/admin/tags/{unused}/delete"), &[])
            .await
            .status,
        303
    );
}

/// Each tag's kind menu shows its current kind, and the audit log's action menu the action
/// it is filtered by: a form sent back as shown changes nothing.
#[tokio::test]
async fn the_menus_show_the_current_kind_and_action() {
    let app = TestApp::with_demo().await;
    let (admin, _) = app.signed_in(Role::Admin).await;
    let kinds: Vec<(Uuid, String)> = sqlx::query_as("select id, kind from tag")
        .fetch_all(&app.pool)
        .await
        .unwrap();
    assert!(kinds.len() > 3);
    let page = admin.get("/admin/tags").await;
    assert_eq!(page.status, 200);
    for (id, kind) in &kinds {
        let selected = page.attrs(
            &format!("tr[data-tag=\"{id}\"] select[name=kind] option[selected]"),
            "value",
        );
        assert_eq!(selected, std::slice::from_ref(kind), "{id}");
    }
    let audit = admin.get("/admin/audit?action=article.create").await;
    assert_eq!(
        audit.attrs("select[name=action] option[selected]", "value"),
        ["article.create"]
    );
}

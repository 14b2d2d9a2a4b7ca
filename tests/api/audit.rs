//! The audit log page: every state change with actor, action, target, time and details.

use vigie::domain::Role;

use crate::helpers::TestApp;

#[tokio::test]
async fn admins_read_who_did_what_filtered_and_paginated() {
    let app = TestApp::spawn().await;
    let (admin, boss) = app.signed_in(Role::Admin).await;
    let (journalist, writer) = app.signed_in(Role::Journalist).await;
    let (editor, _) = app.signed_in(Role::Editor).await;
    app.browser()
        .sign_in(&writer.email, "pas le bon mot de passe")
        .await;
    let created = journalist
        .post_signed(
            "/editor/new",
            &[
                ("title", "Audité"),
                ("lang", "fr"),
                ("body", "Texte."),
                ("intent", "save"),
            ],
        )
        .await;
    let id = created
        .header("location")
        .trim_start_matches("/editor/articles/")
        .split('?')
        .next()
        .unwrap()
        .to_owned();

    assert_eq!(journalist.get("/admin/audit").await.status, 403);
    assert_eq!(editor.get("/admin/audit").await.status, 403);
    let page = admin.get("/admin/audit").await;
    assert_eq!(page.status, 200);
    let actions = page.attrs(".audit-log li", "data-action");
    assert_eq!(actions[0], "article.create", "newest first: {actions:?}");
    for expected in ["login", "login.failed", "article.create"] {
        assert!(
            actions.iter().any(|a| a == expected),
            "{expected} missing from {actions:?}"
        );
    }
    // Written as a sentence: who did what to what, when; the record itself on demand.
    let name: String = sqlx::query_scalar("select display_name from app_user where id = $1")
        .bind(writer.id)
        .fetch_one(&app.pool)
        .await
        .unwrap();
    let sentence = page.texts(".audit-log li .event")[0].clone();
    assert!(
        sentence.starts_with(&format!("{name} a créé « Audité », le ")),
        "{sentence}"
    );
    let record = page.texts(".audit-log li .event-record")[0].clone();
    assert!(
        record.contains(&writer.email) && record.contains(&id) && record.contains("article.create"),
        "actor and target: {record}"
    );
    assert_eq!(
        page.attrs(".audit-log li .event a", "href")[0],
        format!("/editor/articles/{id}")
    );

    // Filters: by action, by actor, by target, by day.
    let only = admin.get("/admin/audit?action=login.failed").await;
    assert_eq!(only.attrs(".audit-log li", "data-action"), ["login.failed"]);
    let by_actor = admin.get(&format!("/admin/audit?actor={}", boss.id)).await;
    // The admin only signed in; an empty list would not do.
    assert_eq!(by_actor.attrs(".audit-log li", "data-action"), ["login"]);
    let by_target = admin.get(&format!("/admin/audit?target={id}")).await;
    assert_eq!(
        by_target.attrs(".audit-log li", "data-action"),
        ["article.create"]
    );
    let future = admin.get("/admin/audit?from=2999-01-01").await;
    assert!(future.attrs(".audit-log li", "data-action").is_empty());
    // Days that hold events, not only days that hold none.
    let (first, last): (String, String) = sqlx::query_as(
        "select to_char(min(at) at time zone 'Europe/Paris', 'YYYY-MM-DD'), \
                to_char(max(at) at time zone 'Europe/Paris', 'YYYY-MM-DD') from audit_event",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    let all = admin
        .get("/admin/audit")
        .await
        .attrs(".audit-log li", "data-action");
    let on_those_days = admin
        .get(&format!("/admin/audit?from={first}&to={last}"))
        .await
        .attrs(".audit-log li", "data-action");
    assert!(!on_those_days.is_empty());
    assert_eq!(on_those_days, all, "every event is within its own days");
    let up_to_2000 = admin.get("/admin/audit?to=2000-01-01").await;
    assert!(up_to_2000.attrs(".audit-log li", "data-action").is_empty());
    assert_eq!(
        admin
            .get("/admin/audit?from=pas-une-date&target=%00")
            .await
            .status,
        200,
        "bad filters are ignored"
    );

    // An action the log does not know matches nothing.
    let unknown = admin.get("/admin/audit?action=article.frobnicate").await;
    assert_eq!(unknown.status, 200);
    assert!(unknown.attrs(".audit-log li", "data-action").is_empty());

    // Paginated, 50 a page, without losing or repeating an event.
    sqlx::query("insert into audit_event (action, target_type, target_id) select 'tag.merge', 'tag', n::text from generate_series(1, 60) n")
        .execute(&app.pool)
        .await
        .unwrap();
    let mut seen = 0;
    let mut path = "/admin/audit?action=tag.merge".to_owned();
    loop {
        let page = admin.get(&path).await;
        let n = page.attrs(".audit-log li", "data-action").len();
        assert!(n <= 50);
        seen += n;
        assert!(seen <= 60, "the pages must end");
        match page.attrs("a[rel=next]", "href").first() {
            Some(next) => path = format!("/admin/audit{next}"),
            None => break,
        }
    }
    assert_eq!(seen, 60);
}

/// Each event reads as a sentence in the newsroom's words, on its clock.
#[tokio::test]
async fn events_read_as_sentences() {
    let app = TestApp::spawn().await;
    let (admin, boss) = app.signed_in(Role::Admin).await;
    let name: String = sqlx::query_scalar("select display_name from app_user where id = $1")
        .bind(boss.id)
        .fetch_one(&app.pool)
        .await
        .unwrap();
    let slug = app
        .article_by(
            boss.id,
            "Programmé pour juillet",
            "Texte.",
            Some(time::macros::datetime!(2030-07-14 06:00 UTC)),
        )
        .await;
    let id = app.article_id(&slug).await;
    let version: i32 = sqlx::query_scalar("select version from article where id = $1")
        .bind(id)
        .fetch_one(&app.pool)
        .await
        .unwrap();
    let at = "2030-07-15T09:30";
    let moved = admin
        .post_signed(
            &format!("/editor/articles/{id}/status"),
            &[
                ("action", "schedule"),
                ("at", at),
                ("version", &version.to_string()),
            ],
        )
        .await;
    assert_eq!(moved.status, 303, "{}", moved.body);
    let page = admin.get("/admin/audit?action=article.schedule").await;
    let sentences = page.texts(".audit-log li .event");
    assert!(
        sentences[0].starts_with(&format!(
            "{name} a programmé « Programmé pour juillet » pour le 15 juil. 2030 à 09:30, le "
        )),
        "{sentences:?}"
    );
    let login = admin.get("/admin/audit?action=login").await;
    assert!(
        login.texts(".audit-log li .event")[0]
            .starts_with(&format!("{name} s’est connecté·e, le ")),
    );
    // The filter names actions in words.
    assert!(
        page.texts("select[name=action] option")
            .contains(&"programmé".to_owned())
    );
}

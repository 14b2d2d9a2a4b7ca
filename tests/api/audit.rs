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
    let actions = page.texts(".audit-log td.action");
    assert_eq!(actions[0], "article.create", "newest first: {actions:?}");
    for expected in ["login", "login.failed", "article.create"] {
        assert!(
            actions.iter().any(|a| a == expected),
            "{expected} missing from {actions:?}"
        );
    }
    let row = page.texts(".audit-log tbody tr")[0].clone();
    assert!(
        row.contains(&writer.email) && row.contains(&id),
        "actor and target: {row}"
    );
    assert_eq!(
        page.attrs(".audit-log tbody tr a", "href")[0],
        format!("/editor/articles/{id}")
    );

    // Filters: by action, by actor, by target, by day.
    let only = admin.get("/admin/audit?action=login.failed").await;
    assert_eq!(only.texts(".audit-log td.action"), ["login.failed"]);
    let by_actor = admin.get(&format!("/admin/audit?actor={}", boss.id)).await;
    // The admin only signed in; an empty list would not do.
    assert_eq!(by_actor.texts(".audit-log td.action"), ["login"]);
    let by_target = admin.get(&format!("/admin/audit?target={id}")).await;
    assert_eq!(by_target.texts(".audit-log td.action"), ["article.create"]);
    let future = admin.get("/admin/audit?from=2999-01-01").await;
    assert!(future.texts(".audit-log td").is_empty());
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
        .texts(".audit-log td.action");
    let on_those_days = admin
        .get(&format!("/admin/audit?from={first}&to={last}"))
        .await
        .texts(".audit-log td.action");
    assert!(!on_those_days.is_empty());
    assert_eq!(on_those_days, all, "every event is within its own days");
    let up_to_2000 = admin.get("/admin/audit?to=2000-01-01").await;
    assert!(up_to_2000.texts(".audit-log td").is_empty());
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
    assert!(unknown.texts(".audit-log td.action").is_empty());

    // Paginated, 50 a page, without losing or repeating an event.
    sqlx::query("insert into audit_event (action, target_type, target_id) select 'tag.merge', 'tag', n::text from generate_series(1, 60) n")
        .execute(&app.pool)
        .await
        .unwrap();
    let mut seen = 0;
    let mut path = "/admin/audit?action=tag.merge".to_owned();
    loop {
        let page = admin.get(&path).await;
        let n = page.texts(".audit-log td.action").len();
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

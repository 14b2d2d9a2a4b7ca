//! Admins manage accounts: create with a one-time password link, change roles, disable and
//! enable, new links; there is always an enabled admin.

use vigie::domain::Role;

use crate::helpers::{Browser, PASSWORD, Page, TestApp, audited};

/// The password link an admin's page shows, once.
pub(crate) fn shown_link(page: &Page) -> String {
    let url = page.texts(".password-link code").remove(0);
    url.split_once("/password")
        .map(|(_, rest)| format!("/password{rest}"))
        .unwrap()
}

/// Sets [`PASSWORD`] through the password form of `token`, as the person would.
pub(crate) async fn set_password(browser: &Browser, token: &str) -> Page {
    browser
        .post(
            "/password",
            &[
                ("token", token),
                ("password", PASSWORD),
                ("password_confirm", PASSWORD),
            ],
        )
        .await
}

async fn user_id(app: &TestApp, email: &str) -> uuid::Uuid {
    sqlx::query_scalar("select id from app_user where email = $1")
        .bind(email)
        .fetch_one(&app.pool)
        .await
        .unwrap()
}

#[tokio::test]
async fn a_new_account_sets_its_password_through_a_one_time_link() {
    let app = TestApp::spawn().await;
    let (admin, boss) = app.signed_in(Role::Admin).await;
    let page = admin
        .post_signed(
            "/admin/users",
            &[
                ("email", "claire@vigie.example"),
                ("name", "Claire Dubois"),
                ("role", "editor"),
            ],
        )
        .await;
    assert_eq!(
        page.status, 200,
        "shown in the answer, not in a redirect's URL"
    );
    let link = shown_link(&page);
    assert!(
        !admin.get("/admin/users").await.body.contains(&link),
        "shown once"
    );
    let id = user_id(&app, "claire@vigie.example").await;
    assert_eq!(
        audited(&app, "user.create").await,
        (Some(boss.id), id.to_string())
    );

    let duplicate = admin
        .post_signed(
            "/admin/users",
            &[
                ("email", "CLAIRE@vigie.example"),
                ("name", "Autre"),
                ("role", "journalist"),
            ],
        )
        .await;
    assert_eq!(duplicate.status, 422);
    assert_eq!(
        duplicate.attrs("input[name=name]", "value"),
        ["Autre"],
        "what was typed stays"
    );

    let claire = app.browser();
    let form = claire.get(&link).await;
    assert_eq!(form.status, 200);
    let token = form.attrs("input[name=token]", "value").remove(0);
    let weak = claire
        .post(
            "/password",
            &[
                ("token", &token),
                ("password", "motdepasse123"),
                ("password_confirm", "motdepasse123"),
            ],
        )
        .await;
    assert_eq!(weak.status, 422);
    assert_eq!(set_password(&claire, &token).await.status, 303);
    assert_eq!(
        claire
            .sign_in("claire@vigie.example", PASSWORD)
            .await
            .status,
        303
    );
    assert_eq!(app.get(&link).await.status, 404, "the link works once");
    assert_eq!(audited(&app, "user.password").await.1, id.to_string());
}

#[tokio::test]
async fn role_changes_and_disabling_take_effect_at_once() {
    let app = TestApp::spawn().await;
    let (admin, boss) = app.signed_in(Role::Admin).await;
    let (journalist, account) = app.signed_in(Role::Journalist).await;
    let title = "Écrit avant d’être désactivé";
    app.article_by(
        account.id,
        title,
        "Texte.",
        Some(time::macros::datetime!(2026-02-01 09:00 UTC)),
    )
    .await;

    let promoted = admin
        .post_signed(
            &format!("/admin/users/{}/role", account.id),
            &[("role", "editor")],
        )
        .await;
    assert_eq!(promoted.status, 303);
    assert_eq!(
        journalist.get("/account").await.status,
        303,
        "signed out by the role change"
    );
    assert_eq!(
        audited(&app, "user.role").await,
        (Some(boss.id), account.id.to_string())
    );
    let again: Browser = app.browser();
    assert_eq!(again.sign_in(&account.email, PASSWORD).await.status, 303);
    assert_eq!(
        again.get("/admin/review").await.status,
        200,
        "now an editor"
    );

    let disabled = admin
        .post_signed(&format!("/admin/users/{}/disable", account.id), &[])
        .await;
    assert_eq!(disabled.status, 303);
    assert_eq!(again.get("/account").await.status, 303);
    assert_eq!(
        app.browser().sign_in(&account.email, PASSWORD).await.status,
        422
    );
    assert!(
        app.get(&format!("/authors/{}", account.slug))
            .await
            .body
            .contains(title),
        "their articles stay"
    );
    assert_eq!(
        audited(&app, "user.disable").await.1,
        account.id.to_string()
    );

    assert_eq!(
        admin
            .post_signed(&format!("/admin/users/{}/enable", account.id), &[])
            .await
            .status,
        303
    );
    assert_eq!(
        app.browser().sign_in(&account.email, PASSWORD).await.status,
        303
    );
}

#[tokio::test]
async fn there_is_always_an_enabled_admin() {
    let app = TestApp::spawn().await;
    let (admin, me) = app.signed_in(Role::Admin).await;
    let demote = admin
        .post_signed(
            &format!("/admin/users/{}/role", me.id),
            &[("role", "editor")],
        )
        .await;
    assert_eq!(demote.status, 422);
    assert!(demote.texts(".form-error")[0].contains("votre propre rôle"));
    let disable = admin
        .post_signed(&format!("/admin/users/{}/disable", me.id), &[])
        .await;
    assert_eq!(disable.status, 422);
    assert!(disable.texts(".form-error")[0].contains("votre propre compte"));

    // With a second admin, the other one can be demoted; oneself still cannot.
    let (_, other) = app.signed_in(Role::Admin).await;
    assert_eq!(
        admin
            .post_signed(
                &format!("/admin/users/{}/role", other.id),
                &[("role", "journalist")]
            )
            .await
            .status,
        303
    );
    assert_eq!(
        admin
            .post_signed(
                &format!("/admin/users/{}/role", me.id),
                &[("role", "journalist")]
            )
            .await
            .status,
        422
    );
    let admins: i64 = sqlx::query_scalar(
        "select count(*) from app_user where role = 'admin' and disabled_at is null",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(admins, 1);
}

#[tokio::test]
async fn a_new_password_link_replaces_the_old_one() {
    let app = TestApp::spawn().await;
    let (admin, _) = app.signed_in(Role::Admin).await;
    let account = app.account(Role::Journalist).await;
    let first = shown_link(
        &admin
            .post_signed(&format!("/admin/users/{}/reset", account.id), &[])
            .await,
    );
    let second = shown_link(
        &admin
            .post_signed(&format!("/admin/users/{}/reset", account.id), &[])
            .await,
    );
    assert_eq!(app.get(&first).await.status, 404);
    assert_eq!(app.get(&second).await.status, 200);
    assert_eq!(
        app.browser().sign_in(&account.email, PASSWORD).await.status,
        303,
        "the current password works until the link is used"
    );
}

/// Each role menu shows the person's current role: an admin who presses "Changer" on a row
/// without touching its menu changes nothing.
#[tokio::test]
async fn the_role_menus_show_each_current_role() {
    let app = TestApp::spawn().await;
    let (admin, me) = app.signed_in(Role::Admin).await;
    let editor = app.account(Role::Editor).await;
    let journalist = app.account(Role::Journalist).await;
    let page = admin.get("/admin/users").await;
    assert_eq!(page.status, 200);
    for (id, role) in [
        (me.id, "admin"),
        (editor.id, "editor"),
        (journalist.id, "journalist"),
    ] {
        let selected = page.attrs(
            &format!("tr[data-user=\"{id}\"] select[name=role] option[selected]"),
            "value",
        );
        assert_eq!(selected, [role], "{role}");
    }
}

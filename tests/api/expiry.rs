//! Links and sessions end when they should, and not a minute before: the clock is moved in the
//! database (every time a row holds shifted back), never waited for.

use vigie::domain::Role;
use vigie::store::setup;

use crate::helpers::{PASSWORD, TestApp};
use crate::users::{set_password, shown_link};

/// Moves every row of `table` back in time by `by` (a PostgreSQL interval), shifting the
/// timestamp columns named in `columns` (each test has only its own rows there).
async fn shift(app: &TestApp, table: &str, columns: &[&str], by: &str) {
    let set: Vec<String> = columns
        .iter()
        .map(|c| format!("{c} = {c} - '{by}'::interval"))
        .collect();
    let sql = format!("update {table} set {}", set.join(", "));
    let moved = sqlx::query(sqlx::AssertSqlSafe(sql))
        .execute(&app.pool)
        .await
        .unwrap();
    assert!(moved.rows_affected() > 0, "{table} has rows to move");
}

async fn admins(app: &TestApp) -> i64 {
    sqlx::query_scalar("select count(*) from app_user where role = 'admin'")
        .fetch_one(&app.pool)
        .await
        .unwrap()
}

#[tokio::test]
async fn the_setup_link_lasts_a_day() {
    let app = TestApp::with_demo().await;
    let token = setup::issue_token(&app.pool)
        .await
        .unwrap()
        .expect("setup is open");
    let link = format!("/setup?token={token}");
    shift(&app, "setup_token", &["created_at"], "23 hours 59 minutes").await;
    assert_eq!(app.get(&link).await.status, 200, "a minute left");
    shift(&app, "setup_token", &["created_at"], "2 minutes").await;
    assert_eq!(app.get(&link).await.status, 404, "a minute too late");
    let fields = [
        ("token", token.as_str()),
        ("email", "admin@vigie.example"),
        ("display_name", "Admin"),
        ("password", PASSWORD),
        ("password_confirm", PASSWORD),
    ];
    assert_eq!(app.browser().post("/setup", &fields).await.status, 404);
    assert_eq!(admins(&app).await, 0, "no admin made through an old link");
}

async fn hash_of(app: &TestApp, id: uuid::Uuid) -> Option<String> {
    sqlx::query_scalar("select password_hash from app_user where id = $1")
        .bind(id)
        .fetch_one(&app.pool)
        .await
        .unwrap()
}

#[tokio::test]
async fn a_password_link_lasts_three_days() {
    let app = TestApp::spawn().await;
    let (admin, _) = app.signed_in(Role::Admin).await;
    let account = app.account(Role::Journalist).await;
    let link = shown_link(
        &admin
            .post_signed(&format!("/admin/users/{}/reset", account.id), &[])
            .await,
    );
    let token = link.split_once("token=").unwrap().1.to_owned();
    let columns = ["created_at", "expires_at"];
    shift(
        &app,
        "password_token",
        &columns,
        "2 days 23 hours 59 minutes",
    )
    .await;
    assert_eq!(app.get(&link).await.status, 200, "a minute left");
    shift(&app, "password_token", &columns, "2 minutes").await;
    assert_eq!(app.get(&link).await.status, 404, "a minute too late");
    let before = hash_of(&app, account.id).await;
    assert_eq!(set_password(&app.browser(), &token).await.status, 404);
    assert_eq!(
        hash_of(&app, account.id).await,
        before,
        "password unchanged"
    );
}

#[tokio::test]
async fn a_disabled_accounts_password_link_does_nothing() {
    let app = TestApp::spawn().await;
    let (admin, _) = app.signed_in(Role::Admin).await;
    let account = app.account(Role::Journalist).await;
    let link = shown_link(
        &admin
            .post_signed(&format!("/admin/users/{}/reset", account.id), &[])
            .await,
    );
    let token = link.split_once("token=").unwrap().1.to_owned();
    assert_eq!(app.get(&link).await.status, 200);
    let disabled = admin
        .post_signed(&format!("/admin/users/{}/disable", account.id), &[])
        .await;
    assert_eq!(disabled.status, 303);
    assert_eq!(app.get(&link).await.status, 404);
    let before = hash_of(&app, account.id).await;
    let browser = app.browser();
    assert_eq!(set_password(&browser, &token).await.status, 404);
    assert_eq!(
        hash_of(&app, account.id).await,
        before,
        "password unchanged"
    );
    assert_eq!(browser.get("/account").await.status, 303, "not signed in");
}

#[tokio::test]
async fn a_session_ends_twelve_hours_after_sign_in_however_busy() {
    let app = TestApp::spawn().await;
    let (browser, _) = app.signed_in(Role::Journalist).await;
    // Signed in 11 h 59 min ago, used just now: still on.
    shift(
        &app,
        "session",
        &["created_at", "expires_at"],
        "11 hours 59 minutes",
    )
    .await;
    assert_eq!(browser.get("/account").await.status, 200, "a minute left");
    // Two minutes later, just used: over.
    shift(&app, "session", &["created_at", "expires_at"], "2 minutes").await;
    let page = browser.get("/account").await;
    assert_eq!(page.status, 303, "a minute too late");
    assert!(page.header("location").starts_with("/login"));
}

#[tokio::test]
async fn a_session_ends_after_two_idle_hours_and_not_before() {
    let app = TestApp::spawn().await;
    let (browser, _) = app.signed_in(Role::Journalist).await;
    shift(
        &app,
        "session",
        &["created_at", "expires_at", "last_seen_at"],
        "1 hour 59 minutes",
    )
    .await;
    assert_eq!(browser.get("/account").await.status, 200, "a minute left");
    // That request counted as use: two idle hours from now on.
    shift(
        &app,
        "session",
        &["created_at", "expires_at", "last_seen_at"],
        "1 hour 59 minutes",
    )
    .await;
    assert_eq!(browser.get("/account").await.status, 200, "used since");
    shift(
        &app,
        "session",
        &["created_at", "expires_at", "last_seen_at"],
        "2 hours 1 minute",
    )
    .await;
    assert_eq!(browser.get("/account").await.status, 303, "idle too long");
}

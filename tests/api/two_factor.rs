//! Two-factor sign-in through HTTP: set up from `/account` with the secret the page shows (the
//! test computes the codes from it, as a phone would), signing in with a code, never the same
//! code twice, recovery codes once each, throttling, turning it off, an admin taking it away,
//! and `VIGIE_REQUIRE_2FA=staff`.

use time::OffsetDateTime;
use vigie::domain::Role;
use vigie::domain::totp::{self, Secret};

use crate::helpers::{Account, Browser, PASSWORD, Page, TestApp};

/// The secret the account page shows while it is being set up.
fn shown_secret(page: &Page) -> Secret {
    let text = page.texts("code.totp-secret").remove(0).replace(' ', "");
    Secret::from_bytes(data_encoding::BASE32_NOPAD.decode(text.as_bytes()).unwrap())
}

fn now_step() -> i64 {
    totp::step_of(OffsetDateTime::now_utc().unix_timestamp())
}

fn code(secret: &Secret, step: i64) -> String {
    format!("{:06}", secret.code(step))
}

/// Sets up a second factor for the signed-in `browser`: its secret and recovery codes.
async fn set_up(browser: &Browser) -> (Secret, Vec<String>) {
    assert_eq!(
        browser.post_signed("/account/two-factor", &[]).await.status,
        303
    );
    let page = browser.get("/account").await;
    assert!(
        page.body
            .contains("<div class=\"qr-code\"><svg xmlns=\"http://www.w3.org/2000/svg\""),
        "a QR code"
    );
    let uri = page.attrs("a[href^='otpauth://']", "href").remove(0);
    assert!(uri.starts_with("otpauth://totp/Vigie:"), "{uri}");
    let secret = shown_secret(&page);
    // A wrong first code leaves it off.
    // Without the password, the code alone turns nothing on.
    let no_password = browser
        .post_signed(
            "/account/two-factor/confirm",
            &[
                ("code", &code(&secret, now_step())),
                ("current", "pas le bon"),
            ],
        )
        .await;
    assert_eq!(no_password.status, 422);
    let wrong = browser
        .post_signed(
            "/account/two-factor/confirm",
            &[("code", "000000"), ("current", PASSWORD)],
        )
        .await;
    assert_eq!(wrong.status, 422);
    assert!(wrong.texts(".form-error")[0].starts_with("Ce code ne correspond pas"));
    let first = code(&secret, now_step());
    let done = browser
        .post_signed(
            "/account/two-factor/confirm",
            &[("code", &first), ("current", PASSWORD)],
        )
        .await;
    assert_eq!(done.status, 200, "{}", done.body);
    assert_eq!(done.header("cache-control"), "no-store");
    let codes = done.texts(".recovery-codes code");
    assert_eq!(codes.len(), 10);
    (secret, codes)
}

/// Signs in with the password: lands on the code's page.
async fn password_step(app: &TestApp, account: &Account) -> Browser {
    let browser = app.browser();
    let page = browser.sign_in(&account.email, PASSWORD).await;
    assert_eq!(page.status, 303);
    assert_eq!(page.header("location"), "/login/code?next=%2Feditor");
    browser
}

async fn give_code(browser: &Browser, code: &str) -> Page {
    browser
        .post("/login/code", &[("code", code), ("next", "/editor")])
        .await
}

#[tokio::test]
async fn a_second_factor_is_set_up_then_asked_for_never_twice_the_same_code() {
    let app = TestApp::spawn().await;
    let (browser, account) = app.signed_in(Role::Editor).await;
    let (secret, recovery) = set_up(&browser).await;
    let page = browser.get("/account").await;
    assert!(
        page.body
            .contains("Codes de secours restants : <strong>10</strong>")
    );
    let secret_in_db: Vec<u8> =
        sqlx::query_scalar("select secret from user_totp where user_id = $1")
            .bind(account.id)
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!(secret_in_db, secret.as_bytes());
    let stored: Vec<Vec<u8>> =
        sqlx::query_scalar("select code_hash from recovery_code where user_id = $1")
            .bind(account.id)
            .fetch_all(&app.pool)
            .await
            .unwrap();
    assert!(
        stored
            .iter()
            .all(|h| !recovery.iter().any(|c| c.as_bytes() == &h[..])),
        "only digests are kept"
    );

    // The password alone opens nothing.
    let phone = password_step(&app, &account).await;
    let editor = phone.get("/editor").await;
    assert_eq!(editor.status, 303);
    assert!(editor.header("location").starts_with("/login"));
    assert_eq!(phone.get("/login/code").await.status, 200);
    let wrong = give_code(&phone, "123456").await;
    assert_eq!(wrong.status, 422);
    // The code of the next step (the one used to confirm is spent): in.
    let step = now_step() + 1;
    let signed = give_code(&phone, &code(&secret, step)).await;
    assert_eq!(signed.status, 303, "{}", signed.body);
    assert_eq!(signed.header("location"), "/editor");
    assert_eq!(phone.get("/editor").await.status, 200);

    // The same code again, on another sign-in: refused.
    let thief = password_step(&app, &account).await;
    let replayed = give_code(&thief, &code(&secret, step)).await;
    assert_eq!(replayed.status, 422);
    assert!(replayed.texts(".form-error")[0].contains("déjà servi"));
    assert_eq!(thief.get("/editor").await.status, 303);
    // A recovery code, once.
    let used = give_code(&thief, &recovery[3].to_uppercase()).await;
    assert_eq!(used.status, 303);
    assert_eq!(thief.get("/editor").await.status, 200);
    let again = password_step(&app, &account).await;
    assert_eq!(give_code(&again, &recovery[3]).await.status, 422);
    assert_eq!(again.get("/editor").await.status, 303);
    let page = browser.get("/account").await;
    assert!(
        page.body
            .contains("Codes de secours restants : <strong>9</strong>")
    );

    // The audit log says how each sign-in was completed.
    let how: Vec<String> = sqlx::query_scalar(
        "select details->>'second_factor' from audit_event
         where action = 'login' and actor_id = $1 and details ? 'second_factor' order by id",
    )
    .bind(account.id)
    .fetch_all(&app.pool)
    .await
    .unwrap();
    assert_eq!(how, ["code", "recovery_code"]);
}

#[tokio::test]
async fn the_code_is_throttled_like_the_password() {
    let app = TestApp::spawn().await;
    let (browser, account) = app.signed_in(Role::Journalist).await;
    let (secret, _) = set_up(&browser).await;
    let guesser = password_step(&app, &account).await;
    for _ in 0..5 {
        assert_eq!(give_code(&guesser, "111111").await.status, 422);
    }
    let refused = give_code(&guesser, &code(&secret, now_step() + 1)).await;
    assert_eq!(refused.status, 429, "the right code waits too");
    assert!(!refused.header("retry-after").is_empty());
}

#[tokio::test]
async fn turning_it_off_needs_the_password_and_an_admin_may_take_it_away() {
    let app = TestApp::spawn().await;
    let (browser, account) = app.signed_in(Role::Journalist).await;
    set_up(&browser).await;
    let refused = browser
        .post_signed(
            "/account/two-factor/remove",
            &[("current", "pas le bon mot")],
        )
        .await;
    assert_eq!(refused.status, 422);
    assert_eq!(
        refused.texts(".form-error"),
        ["Le mot de passe actuel est incorrect."]
    );
    // New codes with the password: the old ones stop working.
    let renewed = browser
        .post_signed("/account/two-factor/codes", &[("current", PASSWORD)])
        .await;
    assert_eq!(renewed.status, 200);
    assert_eq!(renewed.texts(".recovery-codes code").len(), 10);
    let off = browser
        .post_signed("/account/two-factor/remove", &[("current", PASSWORD)])
        .await;
    assert_eq!(off.status, 303);
    let plain = app.browser();
    let page = plain.sign_in(&account.email, PASSWORD).await;
    assert_eq!(
        page.header("location"),
        "/editor",
        "the password is enough again"
    );

    // Set up again; then an admin takes it away (a lost phone): sessions end, password only.
    set_up(&plain).await;
    let (admin, _) = app.signed_in(Role::Admin).await;
    let users = admin.get("/admin/users").await;
    assert!(
        users
            .body
            .contains(&format!("/admin/users/{}/two-factor/reset", account.id))
    );
    let reset = admin
        .post_signed(
            &format!("/admin/users/{}/two-factor/reset", account.id),
            &[],
        )
        .await;
    assert_eq!(reset.status, 303);
    assert_eq!(
        plain.get("/editor").await.status,
        303,
        "their sessions ended"
    );
    let back = app.browser();
    assert_eq!(
        back.sign_in(&account.email, PASSWORD)
            .await
            .header("location"),
        "/editor"
    );
    let audited: Vec<String> = sqlx::query_scalar(
        "select details->>'change' from audit_event where action = 'user.second_factor' order by id",
    )
    .fetch_all(&app.pool)
    .await
    .unwrap();
    assert_eq!(audited, ["on", "new_codes", "off", "on", "reset"]);
}

#[tokio::test]
async fn staff_must_set_one_up_when_the_site_requires_it() {
    let app = TestApp::spawn_with(|c| c.require_two_factor_staff = true).await;
    let (editor, _) = app.signed_in(Role::Editor).await;
    let sent = editor.get("/editor").await;
    assert_eq!(sent.status, 303);
    assert_eq!(
        sent.header("location"),
        "/account?two_factor=required#second-factor"
    );
    let account = editor.get("/account?two_factor=required").await;
    assert_eq!(account.status, 200);
    assert!(account.texts(".form-error")[0].starts_with("Les éditeurs et administrateurs"));
    set_up(&editor).await;
    assert_eq!(editor.get("/editor").await.status, 200);
    // Journalists are not asked.
    let (journalist, _) = app.signed_in(Role::Journalist).await;
    assert_eq!(journalist.get("/editor").await.status, 200);
}

#[tokio::test]
async fn managing_accounts_needs_a_recent_sign_in_confirmed_by_password_or_code() {
    let app = TestApp::spawn().await;
    let (admin, account) = app.signed_in(Role::Admin).await;
    let colleague = app.account(Role::Journalist).await;
    let disable = format!("/admin/users/{}/disable", colleague.id);
    // Signed in an hour ago (a session left open).
    let age = || async {
        sqlx::query(
            "update session set authenticated_at = now() - interval '1 hour' where user_id = $1",
        )
        .bind(account.id)
        .execute(&app.pool)
        .await
        .unwrap();
    };
    age().await;
    let asked = admin.post_signed(&disable, &[]).await;
    assert_eq!(asked.status, 303);
    assert_eq!(
        asked.header("location"),
        "/account/confirm?next=/admin/users"
    );
    let disabled: bool =
        sqlx::query_scalar("select disabled_at is not null from app_user where id = $1")
            .bind(colleague.id)
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert!(!disabled, "nothing done meanwhile");
    assert_eq!(
        admin.get("/account/confirm?next=/admin/users").await.status,
        200
    );
    let wrong = admin
        .post_signed(
            "/account/confirm",
            &[("secret", "pas le bon"), ("next", "/admin/users")],
        )
        .await;
    assert_eq!(wrong.status, 422);
    let right = admin
        .post_signed(
            "/account/confirm",
            &[("secret", PASSWORD), ("next", "/admin/users")],
        )
        .await;
    assert_eq!(right.status, 303);
    assert_eq!(right.header("location"), "/admin/users");
    assert_eq!(admin.post_signed(&disable, &[]).await.status, 303);
    // With a second factor, a code does too.
    let (secret, _) = set_up(&admin).await;
    age().await;
    let enable = format!("/admin/users/{}/enable", colleague.id);
    assert_eq!(admin.post_signed(&enable, &[]).await.status, 303);
    assert_eq!(
        admin.post_signed(&enable, &[]).await.header("location"),
        "/account/confirm?next=/admin/users"
    );
    let by_code = admin
        .post_signed(
            "/account/confirm",
            &[
                ("secret", &code(&secret, now_step() + 1)),
                ("next", "/admin/users"),
            ],
        )
        .await;
    assert_eq!(by_code.status, 303);
    let enabled = admin.post_signed(&enable, &[]).await;
    assert_eq!(enabled.status, 303);
    assert_eq!(enabled.header("location"), "/admin/users?done=enabled");
}

#[tokio::test]
async fn codes_are_throttled_when_confirming_too_and_a_cancelled_sign_in_opens_nothing() {
    let app = TestApp::spawn().await;
    let (browser, account) = app.signed_in(Role::Admin).await;
    let (secret, _) = set_up(&browser).await;
    for _ in 0..5 {
        let wrong = browser
            .post_signed(
                "/account/confirm",
                &[("secret", "111111"), ("next", "/admin/users")],
            )
            .await;
        assert_eq!(wrong.status, 422);
    }
    let refused = browser
        .post_signed(
            "/account/confirm",
            &[
                ("secret", &code(&secret, now_step() + 1)),
                ("next", "/admin/users"),
            ],
        )
        .await;
    assert_eq!(refused.status, 429, "the right code waits too");

    // Cancelled after the password: the code then opens nothing.
    let phone = password_step(&app, &account).await;
    assert_eq!(phone.post("/login/code/cancel", &[]).await.status, 303);
    let late = give_code(&phone, &code(&secret, now_step())).await;
    assert_eq!(late.status, 303);
    assert!(late.header("location").starts_with("/login"));
    assert_eq!(phone.get("/editor").await.status, 303);
}

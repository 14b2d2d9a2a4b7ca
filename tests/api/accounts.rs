//! Signing in and out, sessions, throttling, CSRF, first-run setup, the account page.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use vigie::domain::Role;
use vigie::store::{setup, users};

use crate::helpers::{PASSWORD, TestApp};

const WRONG_MESSAGE: &str = "Adresse e-mail ou mot de passe incorrect.";

fn session_cookie(set_cookie: &str) -> &str {
    set_cookie
        .split(';')
        .next()
        .and_then(|c| c.split_once('=').map(|(_, v)| v))
        .unwrap_or("")
}

#[tokio::test]
async fn signing_in_opens_a_session_with_a_safe_cookie() {
    let app = TestApp::spawn().await;
    let account = app.account(Role::Journalist).await;
    let browser = app.browser();
    let page = browser
        .sign_in(&account.email.to_uppercase(), PASSWORD)
        .await;
    assert_eq!(page.status, 303);
    // Signing in lands on the articles one works on.
    assert_eq!(page.header("location"), "/editor");
    let cookie = page.header("set-cookie");
    assert!(cookie.starts_with("vigie_session="), "{cookie}");
    for part in ["HttpOnly", "SameSite=Lax", "Path=/"] {
        assert!(cookie.contains(part), "{part} missing: {cookie}");
    }
    assert!(!cookie.contains("Secure"), "plain HTTP site: {cookie}");
    assert_eq!(session_cookie(cookie).len(), 64, "256 random bits, hex");
    // Only its SHA-256 is stored, never the cookie's value itself.
    let (digests, raw): (i64, i64) = sqlx::query_as(
        "select count(*) filter (where id_hash = sha256(convert_to($1, 'UTF8'))),
                count(*) filter (where id_hash = convert_to($1, 'UTF8') or id_hash = decode($1, 'hex'))
         from session",
    )
    .bind(session_cookie(cookie))
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!((digests, raw), (1, 0));

    let home = browser.get("/account").await;
    assert_eq!(home.status, 200);
    assert_eq!(home.texts("h1"), ["Mon compte"]);
    assert_eq!(home.header("cache-control"), "no-store");
}

#[tokio::test]
async fn over_https_the_cookie_is_secure_and_host_bound_and_hsts_is_sent() {
    let app = TestApp::spawn_with(|c| c.base_url = "https://vigie.example".to_owned()).await;
    let account = app.account(Role::Editor).await;
    let page = app.browser().sign_in(&account.email, PASSWORD).await;
    let cookie = page.header("set-cookie");
    assert!(cookie.starts_with("__Host-vigie_session="), "{cookie}");
    assert!(cookie.contains("Secure"), "{cookie}");
    assert!(
        page.header("strict-transport-security")
            .starts_with("max-age=")
    );
    assert!(
        app.get("/")
            .await
            .header("strict-transport-security")
            .contains("max-age")
    );
}

#[tokio::test]
async fn unknown_email_and_wrong_password_get_the_same_answer() {
    let app = TestApp::spawn().await;
    let account = app.account(Role::Journalist).await;
    let disabled = app.account(Role::Journalist).await;
    let mut conn = app.pool.acquire().await.unwrap();
    users::set_disabled(&mut conn, disabled.id, true)
        .await
        .unwrap();
    // An author who never had a password (demo or imported) cannot sign in either.
    let no_password = app.account(Role::Journalist).await;
    sqlx::query("update app_user set password_hash = null where id = $1")
        .bind(no_password.id)
        .execute(&app.pool)
        .await
        .unwrap();
    let never = app.browser().sign_in(&no_password.email, PASSWORD).await;

    let wrong = app
        .browser()
        .sign_in(&account.email, "pas le bon mot de passe")
        .await;
    let unknown = app
        .browser()
        .sign_in("personne@vigie.example", "pas le bon mot de passe")
        .await;
    let off = app.browser().sign_in(&disabled.email, PASSWORD).await;
    let overlong = app
        .browser()
        .sign_in(&account.email, &"x".repeat(257))
        .await;
    for page in [&wrong, &unknown, &off, &never, &overlong] {
        assert_eq!(page.status, 422);
        assert_eq!(page.texts(".form-error"), [WRONG_MESSAGE]);
        assert!(page.header("set-cookie").is_empty());
    }
    // What was typed comes back, except the password.
    assert_eq!(
        unknown.attrs("input[name=email]", "value"),
        ["personne@vigie.example"]
    );
    assert!(!wrong.body.contains("pas le bon mot de passe"));
}

#[tokio::test]
async fn repeated_failures_are_throttled_and_it_survives_a_restart() {
    let mut app = TestApp::spawn().await;
    let account = app.account(Role::Journalist).await;
    let browser = app.browser();
    for attempt in 1..=5 {
        let page = browser
            .sign_in(&account.email, "mauvais mot de passe")
            .await;
        assert_eq!(page.status, 422, "attempt {attempt}");
    }
    let throttled = browser.sign_in(&account.email, PASSWORD).await;
    assert_eq!(throttled.status, 429, "even the right password waits");
    let retry: u64 = throttled.header("retry-after").parse().expect("seconds");
    assert!((1..=30).contains(&retry), "{retry}");
    assert_eq!(throttled.texts("h1"), ["Trop de tentatives"]);

    app.restart().await;
    let after_restart = app.browser().sign_in(&account.email, PASSWORD).await;
    assert_eq!(after_restart.status, 429, "the count lives in the database");

    // Another account from the same address is not locked by this one.
    let other = app.account(Role::Journalist).await;
    assert_eq!(
        app.browser().sign_in(&other.email, PASSWORD).await.status,
        303
    );
}

#[tokio::test]
async fn one_address_trying_many_accounts_is_throttled_too() {
    let app = TestApp::spawn().await;
    let browser = app.browser();
    for n in 0..20 {
        let page = browser
            .sign_in(&format!("essai{n}@vigie.example"), "mauvais mot de passe")
            .await;
        assert_eq!(page.status, 422, "attempt {n}");
    }
    let account = app.account(Role::Journalist).await;
    assert_eq!(browser.sign_in(&account.email, PASSWORD).await.status, 429);
}

#[tokio::test]
async fn every_sign_in_gets_a_new_session_id() {
    let app = TestApp::spawn().await;
    let account = app.account(Role::Journalist).await;
    let browser = app.browser();
    let first = browser.sign_in(&account.email, PASSWORD).await;
    let second = browser.sign_in(&account.email, PASSWORD).await;
    let (a, b) = (
        session_cookie(first.header("set-cookie")),
        session_cookie(second.header("set-cookie")),
    );
    assert_ne!(a, b);
    // The session the browser had before is gone, not just replaced in the browser.
    let old = app.browser();
    let old_page = old
        .client
        .get(format!("{}/account", app.base_url()))
        .header("cookie", format!("vigie_session={a}"))
        .send()
        .await
        .unwrap();
    assert_eq!(old_page.status(), 303);
    assert_eq!(browser.get("/account").await.status, 200);
}

#[tokio::test]
async fn idle_and_too_old_sessions_end() {
    let app = TestApp::spawn().await;
    let (idle, idle_account) = app.signed_in(Role::Journalist).await;
    let (old, old_account) = app.signed_in(Role::Journalist).await;
    assert_eq!(idle.get("/account").await.status, 200);

    sqlx::query(
        "update session set last_seen_at = now() - interval '2 hours 1 minute' where user_id = $1",
    )
    .bind(idle_account.id)
    .execute(&app.pool)
    .await
    .unwrap();
    let page = idle.get("/account").await;
    assert_eq!(page.status, 303);
    assert!(
        page.header("location")
            .starts_with("/login?next=%2Faccount")
    );

    // Used a minute ago, but signed in more than 12 hours ago.
    sqlx::query("update session set expires_at = now() - interval '1 second' where user_id = $1")
        .bind(old_account.id)
        .execute(&app.pool)
        .await
        .unwrap();
    assert_eq!(old.get("/account").await.status, 303);
}

#[tokio::test]
async fn signing_out_ends_the_session() {
    let app = TestApp::spawn().await;
    let (browser, _) = app.signed_in(Role::Editor).await;
    let page = browser.post_signed("/logout", &[]).await;
    assert_eq!(page.status, 303);
    assert_eq!(page.header("location"), "/");
    assert!(
        page.header("set-cookie").contains("Max-Age=0"),
        "{}",
        page.header("set-cookie")
    );
    assert_eq!(browser.get("/account").await.status, 303);
    let left: i64 = sqlx::query_scalar("select count(*) from session")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(left, 0);
}

#[tokio::test]
async fn disabling_or_a_new_role_ends_every_session_of_that_user() {
    let app = TestApp::spawn().await;
    let account = app.account(Role::Journalist).await;
    let (laptop, phone) = (app.browser(), app.browser());
    laptop.sign_in(&account.email, PASSWORD).await;
    phone.sign_in(&account.email, PASSWORD).await;
    let (bystander, _) = app.signed_in(Role::Journalist).await;

    let mut conn = app.pool.acquire().await.unwrap();
    users::set_role(&mut conn, account.id, Role::Editor)
        .await
        .unwrap();
    assert_eq!(laptop.get("/account").await.status, 303);
    assert_eq!(phone.get("/account").await.status, 303);
    assert_eq!(
        bystander.get("/account").await.status,
        200,
        "others keep theirs"
    );

    laptop.sign_in(&account.email, PASSWORD).await;
    users::set_disabled(&mut conn, account.id, true)
        .await
        .unwrap();
    assert_eq!(laptop.get("/account").await.status, 303);
    assert_eq!(
        laptop.sign_in(&account.email, PASSWORD).await.status,
        422,
        "and cannot sign in again"
    );
}

#[tokio::test]
async fn changing_the_password_ends_the_other_sessions() {
    let app = TestApp::spawn().await;
    let account = app.account(Role::Journalist).await;
    let (laptop, phone) = (app.browser(), app.browser());
    laptop.sign_in(&account.email, PASSWORD).await;
    phone.sign_in(&account.email, PASSWORD).await;

    let new = "une toute nouvelle phrase de passe";
    let page = laptop
        .post_signed(
            "/account/password",
            &[("current", PASSWORD), ("new", new), ("confirm", new)],
        )
        .await;
    assert_eq!(page.status, 303, "{}", page.body);
    assert_eq!(page.header("location"), "/account?saved=password");
    assert_eq!(
        laptop.get("/account").await.status,
        200,
        "this browser goes on, on a new session"
    );
    assert_eq!(
        phone.get("/account").await.status,
        303,
        "the other one is signed out"
    );
    assert_eq!(
        app.browser().sign_in(&account.email, PASSWORD).await.status,
        422
    );
    assert_eq!(app.browser().sign_in(&account.email, new).await.status, 303);
}

#[tokio::test]
async fn a_wrong_current_password_or_a_weak_new_one_is_explained() {
    let app = TestApp::spawn().await;
    let (browser, account) = app.signed_in(Role::Journalist).await;
    let cases = [
        (
            "pas le bon",
            "une toute nouvelle phrase",
            "une toute nouvelle phrase",
            "Le mot de passe actuel est incorrect.",
        ),
        (
            PASSWORD,
            "court",
            "court",
            "Le mot de passe doit compter au moins 12 caractères.",
        ),
        (
            PASSWORD,
            "motdepasse123",
            "motdepasse123",
            "Ce mot de passe fait partie des plus courants : choisissez-en un autre.",
        ),
        (
            PASSWORD,
            "une toute nouvelle phrase",
            "une autre phrase encore",
            "Les deux nouveaux mots de passe ne sont pas identiques.",
        ),
    ];
    for (current, new, confirm, message) in cases {
        let page = browser
            .post_signed(
                "/account/password",
                &[("current", current), ("new", new), ("confirm", confirm)],
            )
            .await;
        assert_eq!(page.status, 422, "{message}");
        assert_eq!(page.texts(".form-error"), [message]);
    }
    let long = "é".repeat(257);
    let page = browser
        .post_signed(
            "/account/password",
            &[("current", PASSWORD), ("new", &long), ("confirm", &long)],
        )
        .await;
    assert_eq!(
        page.texts(".form-error"),
        ["Le mot de passe compte au plus 256 caractères."]
    );
    // Nothing changed.
    assert_eq!(
        app.browser().sign_in(&account.email, PASSWORD).await.status,
        303
    );
}

#[tokio::test]
async fn forms_without_the_sessions_token_or_from_another_site_are_refused() {
    let app = TestApp::spawn().await;
    let (browser, account) = app.signed_in(Role::Journalist).await;
    let fields = [("display_name", "Pirate"), ("bio", "")];
    let missing = browser.post("/account/profile", &fields).await;
    assert_eq!(missing.status, 403);
    assert_eq!(missing.texts("h1"), ["Accès refusé"]);
    let wrong = browser
        .post(
            "/account/profile",
            &[
                ("display_name", "Pirate"),
                ("bio", ""),
                ("csrf_token", &"0".repeat(64)),
            ],
        )
        .await;
    assert_eq!(wrong.status, 403);

    let token = browser.csrf().await;
    let signed = [
        ("display_name", "Pirate"),
        ("bio", ""),
        ("csrf_token", token.as_str()),
    ];
    let cross_site = browser
        .post_with(
            "/account/profile",
            &signed,
            &[
                ("origin", "https://evil.example"),
                ("sec-fetch-site", "cross-site"),
            ],
        )
        .await;
    assert_eq!(cross_site.status, 403);
    // Another user's token is no good either.
    let (other, _) = app.signed_in(Role::Journalist).await;
    let foreign = other.csrf().await;
    let page = browser
        .post(
            "/account/profile",
            &[
                ("display_name", "Pirate"),
                ("bio", ""),
                ("csrf_token", &foreign),
            ],
        )
        .await;
    assert_eq!(page.status, 403);

    let name: String = sqlx::query_scalar("select display_name from app_user where id = $1")
        .bind(account.id)
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(name, "Compte journalist", "nothing changed");
    // The same form from this site, with the token, works.
    let ok = browser
        .post_with(
            "/account/profile",
            &signed,
            &[
                ("origin", &app.base_url()),
                ("sec-fetch-site", "same-origin"),
            ],
        )
        .await;
    assert_eq!(ok.status, 303);
}

#[tokio::test]
async fn the_profile_form_shows_errors_with_what_was_typed() {
    let app = TestApp::spawn().await;
    let (browser, _) = app.signed_in(Role::Journalist).await;
    let bio = "Une bio que je ne veux pas perdre.";
    let page = browser
        .post_signed("/account/profile", &[("display_name", "   "), ("bio", bio)])
        .await;
    assert_eq!(page.status, 422);
    assert_eq!(page.texts(".form-error"), ["Le nom ne peut pas être vide."]);
    assert_eq!(page.texts("textarea[name=bio]"), [bio]);

    let page = browser
        .post_signed(
            "/account/profile",
            &[("display_name", "Claire Dubois"), ("bio", bio)],
        )
        .await;
    assert_eq!(page.status, 303);
    let account = browser.get("/account?saved=profile").await;
    assert_eq!(account.texts(".notice"), ["Votre profil est enregistré."]);
    assert_eq!(
        account.attrs("input[name=display_name]", "value"),
        ["Claire Dubois"]
    );
}

#[tokio::test]
async fn setup_creates_the_first_admin_once() {
    let app = TestApp::with_demo().await;
    // The demo author has no password: nobody can sign in, so setup is open.
    let token = setup::issue_token(&app.pool)
        .await
        .unwrap()
        .expect("setup is open");
    assert_eq!(app.get("/setup").await.status, 404);
    assert_eq!(app.get("/setup?token=nope").await.status, 404);
    let form = app.get(&format!("/setup?token={token}")).await;
    assert_eq!(form.status, 200);
    assert_eq!(form.header("cache-control"), "no-store");

    let browser = app.browser();
    let weak = browser
        .post(
            "/setup",
            &[
                ("token", &token),
                ("email", "admin@vigie.example"),
                ("display_name", "Admin"),
                ("password", "motdepasse123"),
                ("password_confirm", "motdepasse123"),
            ],
        )
        .await;
    assert_eq!(weak.status, 422);
    assert_eq!(
        weak.attrs("input[name=email]", "value"),
        ["admin@vigie.example"]
    );
    assert!(weak.texts(".form-error li")[0].contains("plus courants"));

    let fields = [
        ("token", token.as_str()),
        ("email", "admin@vigie.example"),
        ("display_name", "Admin"),
        ("password", PASSWORD),
        ("password_confirm", PASSWORD),
    ];
    let created = browser.post("/setup", &fields).await;
    assert_eq!(created.status, 303);
    assert_eq!(created.header("location"), "/account");
    assert!(browser.get("/account").await.body.contains("rôle : admin"));

    // Spent for ever: the same token, a new one, any form.
    assert_eq!(app.browser().post("/setup", &fields).await.status, 404);
    assert_eq!(app.get(&format!("/setup?token={token}")).await.status, 404);
    assert!(setup::issue_token(&app.pool).await.unwrap().is_none());
    let admins: i64 = sqlx::query_scalar("select count(*) from app_user where role = 'admin'")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(admins, 1);
}

#[tokio::test]
async fn staff_and_sign_in_pages_are_never_cached() {
    let app = TestApp::spawn().await;
    assert_eq!(app.get("/login").await.header("cache-control"), "no-store");
    let (browser, _) = app.signed_in(Role::Admin).await;
    assert_eq!(
        browser.get("/account").await.header("cache-control"),
        "no-store"
    );
}

#[tokio::test]
async fn a_client_that_sends_headers_too_slowly_is_cut_off() {
    let app = TestApp::spawn_with(|c| c.header_timeout = Duration::from_secs(1)).await;
    let addr = app.addr;
    let outcome = tokio::task::spawn_blocking(move || {
        let mut stream = TcpStream::connect(addr).unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(20)))
            .unwrap();
        stream
            .write_all(b"GET / HTTP/1.1\r\nHost: vigie\r\n")
            .unwrap();
        // ...and never the end of the headers.
        let mut buf = Vec::new();
        stream.read_to_end(&mut buf).map(|_| buf)
    })
    .await
    .unwrap();
    let answer = outcome.expect("the server closes the connection (no read timeout on our side)");
    let text = String::from_utf8_lossy(&answer);
    assert!(
        text.is_empty() || text.starts_with("HTTP/1.1 408"),
        "{text}"
    );
    // A normal request still works.
    assert_eq!(app.get("/healthz").await.status, 200);
}

#[tokio::test]
async fn a_hash_stored_with_weaker_parameters_is_upgraded_at_sign_in() {
    use argon2::{Algorithm, Argon2, Params, PasswordHasher, Version};
    let app = TestApp::spawn().await;
    let account = app.account(Role::Journalist).await;
    let weak = Argon2::new(
        Algorithm::Argon2id,
        Version::V0x13,
        Params::new(8 * 1024, 1, 1, None).unwrap(),
    )
    .hash_password(PASSWORD.as_bytes())
    .unwrap()
    .to_string();
    sqlx::query("update app_user set password_hash = $2 where id = $1")
        .bind(account.id)
        .bind(&weak)
        .execute(&app.pool)
        .await
        .unwrap();
    assert_eq!(
        app.browser().sign_in(&account.email, PASSWORD).await.status,
        303
    );
    let stored: String = sqlx::query_scalar("select password_hash from app_user where id = $1")
        .bind(account.id)
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert!(
        stored.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
        "{stored}"
    );
    assert_eq!(
        app.browser().sign_in(&account.email, PASSWORD).await.status,
        303,
        "still the same password"
    );
}

#[tokio::test]
async fn oversized_requests_are_refused_with_a_page() {
    let app = TestApp::spawn().await;
    let huge = "x".repeat(5 * 1024 * 1024);
    let page = app
        .browser()
        .post(
            "/login",
            &[("email", "a@vigie.example"), ("password", &huge)],
        )
        .await;
    assert_eq!(page.status, 413);
    assert_eq!(page.texts("h1"), ["Contenu trop volumineux"]);
}

#[tokio::test]
async fn two_people_submitting_setup_at_once_make_one_admin() {
    let app = TestApp::spawn().await;
    let token = setup::issue_token(&app.pool)
        .await
        .unwrap()
        .expect("setup is open");
    let (a, b) = (app.browser(), app.browser());
    let form = |email: &'static str| {
        [
            ("token", token.as_str()),
            ("email", email),
            ("display_name", "Admin"),
            ("password", PASSWORD),
            ("password_confirm", PASSWORD),
        ]
    };
    let (fa, fb) = (form("a@vigie.example"), form("b@vigie.example"));
    let (ra, rb) = tokio::join!(a.post("/setup", &fa), b.post("/setup", &fb));
    let mut statuses = [ra.status.as_u16(), rb.status.as_u16()];
    statuses.sort_unstable();
    assert_eq!(statuses, [303, 404]);
    let admins: i64 = sqlx::query_scalar("select count(*) from app_user")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(admins, 1);
}

#[tokio::test]
async fn the_page_after_sign_in_is_always_on_this_site() {
    let app = TestApp::spawn().await;
    let account = app.account(Role::Journalist).await;
    let browser = app.browser();
    let page = browser
        .post(
            "/login",
            &[
                ("email", &account.email),
                ("password", PASSWORD),
                ("next", "/\t/evil.example"),
            ],
        )
        .await;
    assert_eq!(page.header("location"), "/editor");
    for next in [
        "/%09/evil.example",
        "//evil.example",
        "https://evil.example",
        "/%5Cevil.example",
    ] {
        let page = browser.get(&format!("/login?next={next}")).await;
        assert_eq!(page.status, 303, "{next}");
        assert_eq!(page.header("location"), "/editor", "{next}");
    }
    let page = browser.get("/login?next=/account%3Fsaved%3Dprofile").await;
    assert_eq!(page.header("location"), "/account?saved=profile");
}

#[tokio::test]
async fn guessing_the_current_password_is_throttled_too() {
    let app = TestApp::spawn().await;
    let (browser, _) = app.signed_in(Role::Journalist).await;
    let new = "une toute nouvelle phrase";
    for _ in 0..5 {
        let page = browser
            .post_signed(
                "/account/password",
                &[("current", "devinette"), ("new", new), ("confirm", new)],
            )
            .await;
        assert_eq!(page.status, 422);
    }
    let page = browser
        .post_signed(
            "/account/password",
            &[("current", PASSWORD), ("new", new), ("confirm", new)],
        )
        .await;
    assert_eq!(page.status, 429);
    assert!(!page.header("retry-after").is_empty());
}

#[tokio::test]
async fn ending_a_session_from_the_account_page_signs_that_device_out() {
    let app = TestApp::spawn().await;
    let (laptop, account) = app.signed_in(Role::Journalist).await;
    // The same person on a phone (its browser says so) and on a third machine.
    let phone = crate::helpers::Browser::with_client(
        reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .cookie_store(true)
            .user_agent("Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1")
            .build()
            .unwrap(),
        app.base_url(),
    );
    assert_eq!(phone.sign_in(&account.email, PASSWORD).await.status, 303);
    let third = app.browser_at("127.0.0.3");
    assert_eq!(third.sign_in(&account.email, PASSWORD).await.status, 303);

    let page = laptop.get("/account").await;
    let devices = page.texts("table.sessions tbody td:first-child");
    assert_eq!(devices.len(), 3, "{devices:?}");
    assert!(
        devices[0].ends_with("(cette session)"),
        "the current one first: {devices:?}"
    );
    assert!(devices.iter().any(|d| d == "Safari sur iOS"), "{devices:?}");
    assert!(
        page.texts("table.sessions tbody td:nth-child(2)")
            .iter()
            .any(|a| a == "127.0.0.3"),
        "the address it signed in from"
    );
    // Ending the phone's session: the phone is signed out, the others are not.
    let row = page
        .html()
        .select(&scraper::Selector::parse("table.sessions tbody tr").unwrap())
        .find(|tr| tr.text().collect::<String>().contains("Safari sur iOS"))
        .map(|tr| tr.html())
        .unwrap();
    let action = row
        .split("action=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap()
        .to_owned();
    let ended = laptop.post_signed(&action, &[]).await;
    assert_eq!(ended.status, 303);
    let on_phone = phone.get("/editor").await;
    assert_eq!(on_phone.status, 303);
    assert!(on_phone.header("location").starts_with("/login"));
    assert_eq!(third.get("/editor").await.status, 200);
    assert_eq!(laptop.get("/editor").await.status, 200);
    // Nobody ends someone else's session: another person gets 404, and it stays.
    let (stranger, _) = app.signed_in(Role::Admin).await;
    let third_id: uuid::Uuid = sqlx::query_scalar(
        "select public_id from session where user_id = $1 and address = '127.0.0.3'",
    )
    .bind(account.id)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    let refused = stranger
        .post_signed(&format!("/account/sessions/{third_id}/end"), &[])
        .await;
    assert_eq!(refused.status, 404);
    assert_eq!(third.get("/editor").await.status, 200);
    // "All the others": only the laptop stays signed in.
    let others = laptop
        .post_signed("/account/sessions/end-others", &[])
        .await;
    assert_eq!(others.status, 303);
    assert_eq!(third.get("/editor").await.status, 303);
    assert_eq!(laptop.get("/editor").await.status, 200);
    assert_eq!(
        laptop
            .get("/account")
            .await
            .texts("table.sessions tbody tr")
            .len(),
        1
    );
}

//! Sign-in throttling over real connections from several loopback addresses (127.0.0.x), as
//! clients on several machines would be: parallel bursts, who may lock whom out, and what is
//! forgotten after a quiet hour.

use vigie::domain::Role;

use crate::helpers::{Browser, TestApp};

const WRONG: &str = "mauvais mot de passe";

async fn guess(browser: &Browser, email: &str) -> u16 {
    browser
        .post("/login", &[("email", email), ("password", WRONG)])
        .await
        .status
        .as_u16()
}

async fn failures(app: &TestApp, key: &str) -> i32 {
    sqlx::query_scalar("select failures from login_throttle where key = $1")
        .bind(key)
        .fetch_optional(&app.pool)
        .await
        .unwrap()
        .unwrap_or(0)
}

#[tokio::test]
async fn a_parallel_burst_gets_no_more_guesses_than_one_at_a_time() {
    let app = TestApp::spawn().await;
    let target = app.account(Role::Editor).await;
    let guesser = app.browser_at("127.0.0.2");
    let burst: Vec<_> = (0..30)
        .map(|_| {
            let guesser = guesser.clone();
            let email = target.email.clone();
            tokio::spawn(async move { guess(&guesser, &email).await })
        })
        .collect();
    let mut statuses = Vec::new();
    for answer in burst {
        statuses.push(answer.await.unwrap());
    }
    let checked = statuses.iter().filter(|s| **s == 422).count();
    let refused = statuses.iter().filter(|s| **s == 429).count();
    assert_eq!(
        (checked, refused),
        (5, 25),
        "five free guesses, then waits, however many arrive at once: {statuses:?}"
    );
    let key = format!("at:127.0.0.2|user:{}", target.id);
    assert_eq!(failures(&app, &key).await, 5);
    // The right password is refused too while the wait lasts.
    let page = guesser.sign_in(&target.email, &target.password).await;
    assert_eq!(page.status, 429);
}

#[tokio::test]
async fn a_guesser_at_another_address_cannot_lock_the_owner_out() {
    let app = TestApp::spawn().await;
    let owner = app.account(Role::Editor).await;
    let guesser = app.browser_at("127.0.0.2");
    let mut statuses = Vec::new();
    for _ in 0..7 {
        statuses.push(guess(&guesser, &owner.email).await);
    }
    assert_eq!(statuses, [422, 422, 422, 422, 422, 429, 429]);
    // The owner, on another machine and in a browser that never signed in before.
    let owner_browser = app.browser_at("127.0.0.3");
    let page = owner_browser.sign_in(&owner.email, &owner.password).await;
    assert_eq!(page.status, 303, "the owner signs in: {}", page.status);
    // The guesser's address stays held back.
    assert_eq!(guess(&guesser, &owner.email).await, 429);
}

#[tokio::test]
async fn an_address_that_tried_many_accounts_waits_and_its_neighbours_do_not() {
    let app = TestApp::spawn().await;
    let colleague = app.account(Role::Journalist).await;
    let scanner = app.browser_at("127.0.0.4");
    for n in 0..20 {
        assert_eq!(guess(&scanner, &format!("x{n}@vigie.example")).await, 422);
    }
    // Anyone at that address now waits, even with the right password…
    let same_address = app.browser_at("127.0.0.4");
    let page = same_address
        .sign_in(&colleague.email, &colleague.password)
        .await;
    assert_eq!(page.status, 429);
    // …and nobody at the next one does.
    let next_door = app.browser_at("127.0.0.5");
    let page = next_door
        .sign_in(&colleague.email, &colleague.password)
        .await;
    assert_eq!(page.status, 303);
}

#[tokio::test]
async fn a_forwarded_line_from_a_client_that_is_not_a_trusted_proxy_is_ignored() {
    let app = TestApp::spawn_with(|c| c.client_ip_header = Some("x-forwarded-for".into())).await;
    let target = app.account(Role::Journalist).await;
    // 127.0.0.2 is not among the trusted proxies (127.0.0.1 and ::1): the addresses it claims
    // to forward count for nothing, its own does.
    let guesser = app.browser_at("127.0.0.2");
    let mut statuses = Vec::new();
    for n in 0..7 {
        let page = guesser
            .post_with(
                "/login",
                &[("email", &target.email), ("password", WRONG)],
                &[("x-forwarded-for", &format!("203.0.113.{n}"))],
            )
            .await;
        statuses.push(page.status.as_u16());
    }
    assert_eq!(statuses, [422, 422, 422, 422, 422, 429, 429]);
    let key = format!("at:127.0.0.2|user:{}", target.id);
    assert_eq!(failures(&app, &key).await, 5);
}

#[tokio::test]
async fn failures_are_forgotten_after_a_quiet_hour_and_not_before() {
    let app = TestApp::spawn().await;
    let target = app.account(Role::Journalist).await;
    let guesser = app.browser_at("127.0.0.6");
    for _ in 0..5 {
        assert_eq!(guess(&guesser, &target.email).await, 422);
    }
    let key = format!("at:127.0.0.6|user:{}", target.id);
    // The wait is over, but the failures are 59 minutes old: the next one counts as the
    // sixth, and waits again.
    let moved = "update login_throttle set last_failure_at = now() - $2::interval, \
                 locked_until = now() - interval '1 second' where key like $1";
    sqlx::query(moved)
        .bind("%127.0.0.6%")
        .bind("59 minutes")
        .execute(&app.pool)
        .await
        .unwrap();
    assert_eq!(guess(&guesser, &target.email).await, 422);
    assert_eq!(failures(&app, &key).await, 6);
    assert_eq!(guess(&guesser, &target.email).await, 429);
    // An hour and a minute of quiet: it starts again from zero.
    sqlx::query(moved)
        .bind("%127.0.0.6%")
        .bind("61 minutes")
        .execute(&app.pool)
        .await
        .unwrap();
    assert_eq!(guess(&guesser, &target.email).await, 422);
    assert_eq!(failures(&app, &key).await, 1);
}

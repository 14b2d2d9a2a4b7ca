//! Webhooks, end to end: a real receiver on loopback started by each test, endpoints made on
//! `/admin/webhooks`, changes made through the write API, signatures checked here with the
//! Standard Webhooks algorithm (written again here, not borrowed from Vigie), retries, the
//! endpoint turned off and on, a scheduled article's event from two instances, a process killed
//! mid-delivery, and addresses refused.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Bytes;
use axum::http::{HeaderMap, StatusCode};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use hmac::{KeyInit, Mac};
use serde_json::{Value, json};
use uuid::Uuid;
use vigie::domain::Role;

use crate::helpers::{Browser, TestApp};

/// One request the receiver got, and what it answered.
#[derive(Debug, Clone)]
struct Received {
    headers: HeaderMap,
    body: Value,
    raw: Vec<u8>,
    answered: u16,
}

#[derive(Default)]
struct Script {
    /// Statuses to answer, in order; then 200.
    statuses: VecDeque<u16>,
    /// While set, requests that arrive are held and never answered.
    hold: bool,
    got: Vec<Received>,
}

/// A webhook receiver on 127.0.0.1, answering as its script says.
#[derive(Clone)]
struct Receiver {
    port: u16,
    script: Arc<Mutex<Script>>,
}

impl Receiver {
    async fn start() -> Self {
        let script = Arc::new(Mutex::new(Script::default()));
        let shared = Arc::clone(&script);
        let app = axum::Router::new().route(
            "/hook",
            axum::routing::post(move |headers: HeaderMap, body: Bytes| {
                let script = Arc::clone(&shared);
                async move {
                    let held = script.lock().unwrap().hold;
                    if held {
                        // Arrived, never answered: its sender must give up or die.
                        script.lock().unwrap().got.push(Received {
                            headers,
                            body: serde_json::from_slice(&body).unwrap_or(Value::Null),
                            raw: body.to_vec(),
                            answered: 0,
                        });
                        std::future::pending::<()>().await;
                        unreachable!();
                    }
                    let mut s = script.lock().unwrap();
                    let status = s.statuses.pop_front().unwrap_or(200);
                    s.got.push(Received {
                        headers,
                        body: serde_json::from_slice(&body).unwrap_or(Value::Null),
                        raw: body.to_vec(),
                        answered: status,
                    });
                    (StatusCode::from_u16(status).unwrap(), "reçu")
                }
            }),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        tokio::spawn(async move { axum::serve(listener, app).await });
        Self { port, script }
    }

    fn url(&self) -> String {
        format!("http://127.0.0.1:{}/hook", self.port)
    }

    fn answer(&self, statuses: &[u16]) {
        self.script.lock().unwrap().statuses = statuses.iter().copied().collect();
    }

    fn got(&self) -> Vec<Received> {
        self.script.lock().unwrap().got.clone()
    }

    /// Waits until `done` holds of what arrived (10 s at most).
    async fn until(&self, what: &str, done: impl Fn(&[Received]) -> bool) -> Vec<Received> {
        for _ in 0..500 {
            let got = self.got();
            if done(&got) {
                return got;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        panic!("the receiver never got {what}: {:#?}", self.got());
    }
}

fn accepted(got: &[Received]) -> Vec<&Received> {
    got.iter().filter(|r| r.answered == 200).collect()
}

/// Checks a request's signature as a receiver would (Standard Webhooks, v1): HMAC-SHA256 keyed
/// by the base64 secret after `whsec_`, over `id.timestamp.body`.
fn signed_by(r: &Received, secret: &str) -> bool {
    let header = |name: &str| r.headers.get(name).unwrap().to_str().unwrap().to_owned();
    let (id, timestamp) = (header("webhook-id"), header("webhook-timestamp"));
    let key = STANDARD
        .decode(secret.strip_prefix("whsec_").unwrap())
        .unwrap();
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(&key).unwrap();
    mac.update(format!("{id}.{timestamp}.").as_bytes());
    mac.update(&r.raw);
    let expected = format!("v1,{}", STANDARD.encode(mac.finalize().into_bytes()));
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    let fresh = (now - timestamp.parse::<i64>().unwrap()).abs() < 300;
    fresh
        && header("webhook-signature")
            .split(' ')
            .any(|s| s == expected)
}

/// A site whose webhooks may go to loopback, retrying fast.
async fn site() -> TestApp {
    TestApp::spawn_with(|c| {
        c.webhook_allow_private = true;
        c.webhook_retry = Duration::from_millis(50);
    })
    .await
}

/// An endpoint for `events` at `url`, made by `admin` on the admin page; its id and secret.
async fn endpoint(admin: &Browser, url: &str, events: &[&str]) -> (Uuid, String) {
    let mut fields = vec![("url", url), ("description", "Essai")];
    fields.extend(events.iter().map(|e| ("events", *e)));
    let made = admin.post_signed("/admin/webhooks", &fields).await;
    assert_eq!(made.status, 303, "{}", made.body);
    let location = made.header("location").to_owned();
    let id = location
        .trim_start_matches("/admin/webhooks/")
        .split('?')
        .next()
        .unwrap();
    let page = admin.get(&format!("/admin/webhooks/{id}")).await;
    (
        Uuid::parse_str(id).unwrap(),
        page.texts("#webhook-secret").remove(0),
    )
}

/// A publishing token of a new editor.
async fn editor_token(app: &TestApp) -> String {
    let (browser, _) = app.signed_in(Role::Editor).await;
    let page = browser
        .post_signed(
            "/account/tokens",
            &[
                ("name", "Webhooks"),
                ("days", "7"),
                ("scopes", "articles:write"),
                ("scopes", "articles:publish"),
            ],
        )
        .await;
    assert_eq!(page.status, 201);
    page.texts("#new-token").remove(0)
}

/// Creates and publishes an article titled `title` through the API at `base`; its id.
async fn publish(client: &reqwest::Client, base: &str, token: &str, title: &str) -> String {
    let created: Value = client
        .post(format!("{base}/api/v1/articles"))
        .bearer_auth(token)
        .json(&json!({ "title": title, "body": "Un paragraphe." }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let id = created["id"].as_str().expect("created").to_owned();
    let published = client
        .post(format!("{base}/api/v1/articles/{id}/publish"))
        .bearer_auth(token)
        .header("if-match", "\"1\"")
        .send()
        .await
        .unwrap();
    assert_eq!(published.status(), 200);
    id
}

#[tokio::test]
async fn a_published_article_reaches_the_receiver_signed_with_the_article_as_the_api_shows_it() {
    let app = site().await;
    let receiver = Receiver::start().await;
    let (admin, _) = app.signed_in(Role::Admin).await;
    let (_, secret) = endpoint(
        &admin,
        &receiver.url(),
        &["article.published", "article.updated"],
    )
    .await;
    assert!(secret.starts_with("whsec_"));
    let token = editor_token(&app).await;
    let id = publish(
        &app.client,
        &app.base_url(),
        &token,
        "Le Sénat adopte le texte",
    )
    .await;
    let got = receiver
        .until("the publication", |g| !accepted(g).is_empty())
        .await;
    let first = accepted(&got)[0];
    assert!(
        signed_by(first, &secret),
        "signed with the endpoint's secret"
    );
    assert!(
        !signed_by(first, "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"),
        "and only with it"
    );
    assert_eq!(first.headers["content-type"], "application/json");
    assert_eq!(first.body["type"], "article.published");
    assert_eq!(first.body["data"]["id"], id);
    // The article exactly as the content API shows it.
    let api: Value = app
        .client
        .get(format!(
            "{}/api/v1/articles/le-senat-adopte-le-texte",
            app.base_url()
        ))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(first.body["data"]["article"], api);

    // A change readers see: article.updated, signed too.
    let changed = app
        .client
        .patch(format!("{}/api/v1/articles/{id}", app.base_url()))
        .bearer_auth(&token)
        .header("if-match", "\"2\"")
        .json(&json!({ "dek": "Le chapô ajouté." }))
        .send()
        .await
        .unwrap();
    assert_eq!(changed.status(), 200);
    let got = receiver
        .until("the update", |g| accepted(g).len() >= 2)
        .await;
    let second = accepted(&got)[1];
    assert_eq!(second.body["type"], "article.updated");
    assert_eq!(second.body["data"]["article"]["dek"], "Le chapô ajouté.");
    assert!(signed_by(second, &secret));
    assert_ne!(first.headers["webhook-id"], second.headers["webhook-id"]);

    // Renewing the secret: both sign during the grace period.
    let endpoint_id: Uuid = sqlx::query_scalar("select id from webhook_endpoint")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    let rotated = admin
        .post_signed(&format!("/admin/webhooks/{endpoint_id}/rotate"), &[])
        .await;
    assert_eq!(rotated.status, 303);
    let page = admin.get(&format!("/admin/webhooks/{endpoint_id}")).await;
    let new_secret = page.texts("#webhook-secret").remove(0);
    assert_ne!(new_secret, secret);
    let test = admin
        .post_signed(&format!("/admin/webhooks/{endpoint_id}/test"), &[])
        .await;
    assert_eq!(test.status, 303);
    let got = receiver
        .until("the test event", |g| accepted(g).len() >= 3)
        .await;
    let third = accepted(&got)[2];
    assert_eq!(third.body["type"], "webhook.test");
    assert!(signed_by(third, &new_secret) && signed_by(third, &secret));
    // The delivery log shows them, and never the token.
    let log = admin.get(&format!("/admin/webhooks/{endpoint_id}")).await;
    assert!(
        log.body.contains("article.updated") && log.body.contains("livré (200)"),
        "{}",
        log.body
    );
    assert!(!log.body.contains(&token));
}

#[tokio::test]
async fn a_receiver_failing_three_times_then_accepting_gets_the_event_exactly_once() {
    let app = site().await;
    let receiver = Receiver::start().await;
    receiver.answer(&[500, 500, 500]);
    let (admin, _) = app.signed_in(Role::Admin).await;
    let (endpoint_id, secret) = endpoint(&admin, &receiver.url(), &["article.published"]).await;
    let token = editor_token(&app).await;
    publish(&app.client, &app.base_url(), &token, "Quatrième essai").await;
    receiver
        .until("an accepted delivery", |g| !accepted(g).is_empty())
        .await;
    // Nothing more comes once it is accepted.
    tokio::time::sleep(Duration::from_millis(600)).await;
    let got = receiver.got();
    let answers: Vec<u16> = got.iter().map(|r| r.answered).collect();
    assert_eq!(answers, [500, 500, 500, 200]);
    let ids: Vec<_> = got
        .iter()
        .map(|r| r.headers["webhook-id"].clone())
        .collect();
    assert!(
        ids.iter().all(|id| *id == ids[0]),
        "the same message each time"
    );
    assert!(
        got.iter()
            .all(|r| signed_by(r, &secret) && r.raw == got[0].raw),
        "the same bytes"
    );
    let (attempts, delivered): (i32, bool) = sqlx::query_as(
        "select attempts, delivered_at is not null from webhook_delivery where endpoint_id = $1",
    )
    .bind(endpoint_id)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!((attempts, delivered), (4, true));
    let logged: i64 = sqlx::query_scalar("select count(*) from webhook_attempt")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(logged, 4);
    let failing: Option<time::OffsetDateTime> =
        sqlx::query_scalar("select failing_since from webhook_endpoint")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!(failing, None, "a success clears the failure");
}

#[tokio::test]
async fn a_410_turns_the_endpoint_off_and_turning_it_on_sends_the_backlog_in_order() {
    let app = site().await;
    let receiver = Receiver::start().await;
    receiver.answer(&[410]);
    let (admin, _) = app.signed_in(Role::Admin).await;
    let (endpoint_id, _) = endpoint(&admin, &receiver.url(), &["article.published"]).await;
    let token = editor_token(&app).await;
    publish(&app.client, &app.base_url(), &token, "Premier").await;
    receiver.until("the first try", |g| g.len() == 1).await;
    // Turned off, with an audit record and a notice; what comes next waits.
    let mut off = false;
    for _ in 0..100 {
        off = !sqlx::query_scalar::<_, bool>("select enabled from webhook_endpoint")
            .fetch_one(&app.pool)
            .await
            .unwrap();
        if off {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(off, "a 410 turns the endpoint off");
    let (actor, target) = crate::helpers::audited(&app, "webhook.disable").await;
    assert_eq!((actor, target), (None, endpoint_id.to_string()));
    let page = admin.get("/admin/webhooks").await;
    assert!(page.body.contains("410"), "{}", page.body);
    publish(&app.client, &app.base_url(), &token, "Deuxième").await;
    publish(&app.client, &app.base_url(), &token, "Troisième").await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(
        receiver.got().len(),
        1,
        "nothing goes to a disabled endpoint"
    );
    let on = admin
        .post_signed(&format!("/admin/webhooks/{endpoint_id}/enable"), &[])
        .await;
    assert_eq!(on.status, 303);
    let got = receiver
        .until("the backlog", |g| accepted(g).len() == 3)
        .await;
    let titles: Vec<&str> = accepted(&got)
        .iter()
        .map(|r| r.body["data"]["title"].as_str().unwrap())
        .collect();
    assert_eq!(titles, ["Premier", "Deuxième", "Troisième"]);
}

#[tokio::test]
async fn a_scheduled_article_is_announced_once_when_it_comes_out_with_two_instances_running() {
    let app = site().await;
    let (_second, _stop) = app
        .another_instance(|c| {
            c.webhook_allow_private = true;
            c.webhook_retry = Duration::from_millis(50);
        })
        .await;
    let receiver = Receiver::start().await;
    let (admin, _) = app.signed_in(Role::Admin).await;
    endpoint(
        &admin,
        &receiver.url(),
        &["article.published", "article.scheduled"],
    )
    .await;
    let token = editor_token(&app).await;
    let created: Value = app
        .client
        .post(format!("{}/api/v1/articles", app.base_url()))
        .bearer_auth(&token)
        .json(&json!({ "title": "À paraître", "body": "Bientôt." }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let id = created["id"].as_str().unwrap();
    let at = time::OffsetDateTime::now_utc() + Duration::from_secs(2);
    let scheduled = app
        .client
        .post(format!("{}/api/v1/articles/{id}/schedule", app.base_url()))
        .bearer_auth(&token)
        .header("if-match", "\"1\"")
        .json(&json!({ "at": at.format(&time::format_description::well_known::Rfc3339).unwrap() }))
        .send()
        .await
        .unwrap();
    assert_eq!(scheduled.status(), 200);
    let got = receiver.until("the scheduling", |g| !g.is_empty()).await;
    assert_eq!(got[0].body["type"], "article.scheduled");
    assert!(
        got.iter().all(|r| r.body["type"] != "article.published"),
        "not before its time"
    );
    let got = receiver
        .until("the publication", |g| {
            g.iter().any(|r| r.body["type"] == "article.published")
        })
        .await;
    let out = got
        .iter()
        .find(|r| r.body["type"] == "article.published")
        .unwrap();
    let arrived = time::OffsetDateTime::now_utc();
    assert!(arrived >= at, "not before its time");
    assert_eq!(out.body["data"]["article"]["slug"], "a-paraitre");
    // Both instances' deliverers were awake; it came once.
    tokio::time::sleep(Duration::from_millis(800)).await;
    let published = receiver
        .got()
        .iter()
        .filter(|r| r.body["type"] == "article.published")
        .count();
    assert_eq!(published, 1);
}

#[tokio::test]
async fn without_the_setting_private_addresses_are_refused_when_saved_and_when_sent() {
    let app = TestApp::spawn_with(|c| c.webhook_retry = Duration::from_secs(3600)).await;
    let receiver = Receiver::start().await;
    let (admin, _) = app.signed_in(Role::Admin).await;
    let port = receiver.port;
    for url in [
        format!("http://127.0.0.1:{port}/hook"),
        format!("https://127.0.0.1:{port}/hook"),
        format!("https://[::1]:{port}/hook"),
        "https://169.254.169.254/latest/meta-data".to_owned(),
        "https://10.0.0.8/hook".to_owned(),
    ] {
        let page = admin
            .post_signed(
                "/admin/webhooks",
                &[("url", &url), ("events", "article.published")],
            )
            .await;
        assert_eq!(page.status, 422, "{url}");
        assert_eq!(
            page.attrs("#webhook-url", "value"),
            std::slice::from_ref(&url),
            "kept as typed"
        );
    }
    let count: i64 = sqlx::query_scalar("select count(*) from webhook_endpoint")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(count, 0);
    // A name is checked when it is resolved: localhost is loopback, so nothing is sent.
    let (endpoint_id, _) = endpoint(
        &admin,
        &format!("https://localhost:{port}/hook"),
        &["article.published"],
    )
    .await;
    // An address saved while the setting was on, sent now that it is off.
    sqlx::query(
        "insert into webhook_endpoint (url, events, secret) values ($1, '{article.published}', 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw')",
    )
    .bind(format!("http://127.0.0.1:{port}/hook"))
    .execute(&app.pool)
    .await
    .unwrap();
    let token = editor_token(&app).await;
    publish(&app.client, &app.base_url(), &token, "Rien ne part").await;
    let mut errors: Vec<String> = Vec::new();
    for _ in 0..250 {
        errors = sqlx::query_scalar(
            "select last_error from webhook_delivery where last_attempt_at is not null order by endpoint_id = $1 desc",
        )
        .bind(endpoint_id)
        .fetch_all(&app.pool)
        .await
        .unwrap();
        if errors.len() == 2 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(errors.len(), 2, "both were tried");
    assert!(
        errors[0].contains("resolves only to private"),
        "{}",
        errors[0]
    );
    assert!(errors[1].contains("only https"), "{}", errors[1]);
    assert!(receiver.got().is_empty(), "nothing reached loopback");
}

#[tokio::test]
async fn a_delivery_cut_short_by_a_killed_process_is_made_after_a_restart() {
    use std::process::{Command, Stdio};
    let (pool, url) = crate::helpers::lone_database().await;
    let receiver = Receiver::start().await;
    receiver.script.lock().unwrap().hold = true;
    // An editor with a token, and an endpoint, written straight into the database.
    let user = vigie::store::users::create(
        &mut pool.acquire().await.unwrap(),
        &vigie::store::users::NewUser {
            email: &vigie::domain::Email::parse("kill@vigie.example").unwrap(),
            display_name: &vigie::domain::DisplayName::parse("Éditrice").unwrap(),
            role: Role::Editor,
            bio: "",
            password_hash: None,
        },
    )
    .await
    .unwrap();
    let new = vigie::domain::token::generate().unwrap();
    use vigie::domain::token::Scope;
    vigie::store::tokens::create(
        &mut pool.acquire().await.unwrap(),
        user,
        "Essai",
        &new.hash,
        &new.hint,
        &[Scope::ArticlesWrite, Scope::ArticlesPublish],
        1,
        None,
    )
    .await
    .unwrap();
    let secret = vigie::domain::webhook::new_secret().unwrap();
    sqlx::query(
        "insert into webhook_endpoint (url, events, secret) values ($1, '{article.published}', $2)",
    )
    .bind(receiver.url())
    .bind(&secret)
    .execute(&pool)
    .await
    .unwrap();
    let data = std::env::temp_dir().join(format!("vigie-kill-{}", Uuid::new_v4().simple()));
    let start = || {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let child = Command::new(env!("CARGO_BIN_EXE_vigie"))
            .arg("serve")
            .env("DATABASE_URL", &url)
            .env("VIGIE_BIND", format!("127.0.0.1:{port}"))
            .env("VIGIE_BASE_URL", format!("http://127.0.0.1:{port}"))
            .env("VIGIE_DATA_DIR", &data)
            .env("VIGIE_WEBHOOK_ALLOW_PRIVATE", "true")
            .env("VIGIE_WEBHOOK_TIMEOUT", "1s")
            .env("VIGIE_LOG", "warn")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        (child, format!("http://127.0.0.1:{port}"))
    };
    let ready = |base: String| async move {
        for _ in 0..300 {
            if reqwest::get(format!("{base}/readyz"))
                .await
                .is_ok_and(|r| r.status() == 200)
            {
                return;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("vigie serve did not come up");
    };
    let (mut first, base) = start();
    ready(base.clone()).await;
    publish(&reqwest::Client::new(), &base, &new.secret, "Malgré tout").await;
    // The receiver holds the request: the delivery is under way when the process dies.
    receiver
        .until("the delivery under way", |g| !g.is_empty())
        .await;
    first.kill().unwrap();
    first.wait().unwrap();
    receiver.script.lock().unwrap().hold = false;
    let delivered: bool =
        sqlx::query_scalar("select delivered_at is not null from webhook_delivery")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert!(!delivered, "killed before it could say so");
    let (mut second, base) = start();
    ready(base).await;
    let got = receiver
        .until("the delivery after the restart", |g| {
            !accepted(g).is_empty()
        })
        .await;
    let done = accepted(&got)[0];
    assert_eq!(done.body["data"]["title"], "Malgré tout");
    assert!(signed_by(done, &secret));
    // Recorded once the receiver's answer is in.
    let mut delivered = false;
    for _ in 0..250 {
        delivered = sqlx::query_scalar("select delivered_at is not null from webhook_delivery")
            .fetch_one(&pool)
            .await
            .unwrap();
        if delivered {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    second.kill().unwrap();
    second.wait().unwrap();
    let _ = std::fs::remove_dir_all(&data);
    assert!(delivered);
}

#[tokio::test]
async fn a_scheduled_article_deleted_before_its_time_is_never_announced() {
    let app = site().await;
    let receiver = Receiver::start().await;
    let (admin, _) = app.signed_in(Role::Admin).await;
    endpoint(
        &admin,
        &receiver.url(),
        &["article.published", "article.deleted", "article.scheduled"],
    )
    .await;
    let token = editor_token(&app).await;
    let created: Value = app
        .client
        .post(format!("{}/api/v1/articles", app.base_url()))
        .bearer_auth(&token)
        .json(&json!({ "title": "Jamais", "body": "Retiré avant l’heure." }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let id = created["id"].as_str().unwrap().to_owned();
    let at = time::OffsetDateTime::now_utc() + Duration::from_secs(1);
    let scheduled = app
        .client
        .post(format!("{}/api/v1/articles/{id}/schedule", app.base_url()))
        .bearer_auth(&token)
        .header("if-match", "\"1\"")
        .json(&json!({ "at": at.format(&time::format_description::well_known::Rfc3339).unwrap() }))
        .send()
        .await
        .unwrap();
    assert_eq!(scheduled.status(), 200);
    receiver.until("the scheduling", |g| !g.is_empty()).await;
    let deleted = admin
        .post_signed(
            &format!("/editor/articles/{id}/delete"),
            &[("confirm", "yes")],
        )
        .await;
    assert_eq!(deleted.status, 303, "{}", deleted.body);
    tokio::time::sleep(Duration::from_millis(1800)).await;
    let types: Vec<String> = receiver
        .got()
        .iter()
        .map(|r| r.body["type"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        types,
        ["article.scheduled"],
        "readers never saw it: nothing more"
    );
}

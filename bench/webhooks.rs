//! `cargo bench --bench webhooks`: webhook deliveries through a real server and a real receiver,
//! both on loopback. First the delay from publishing (the write API's answer) to the receiver
//! getting `article.published`, one article at a time; then a backlog: `BENCH_EVENTS`
//! published articles (default 500) waiting while their endpoints are off, sent when they are
//! turned on, to one endpoint and then to four — deliveries per second, in order per endpoint.
//! On `DATABASE_URL`, or an embedded PostgreSQL in a temporary folder.
#![expect(
    clippy::expect_used,
    reason = "a benchmark stops at its first failure, saying which step it was"
)]

use std::str::FromStr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::http::HeaderMap;
use sqlx::PgPool;
use sqlx::postgres::PgConnectOptions;
use uuid::Uuid;
use vigie::config::{Config, MediaStorage};
use vigie::domain::token::Scope;
use vigie::domain::{DisplayName, Email, Role};

/// What the receiver saw: when each message arrived, by endpoint path.
#[derive(Default)]
struct Seen {
    arrivals: Vec<(String, String, Instant)>,
}

async fn receiver() -> (u16, Arc<Mutex<Seen>>) {
    let seen = Arc::new(Mutex::new(Seen::default()));
    let shared = Arc::clone(&seen);
    let app = axum::Router::new().route(
        "/{hook}",
        axum::routing::post(
            move |axum::extract::Path(hook): axum::extract::Path<String>,
                  headers: HeaderMap,
                  body: Bytes| {
                let seen = Arc::clone(&shared);
                async move {
                    let body: serde_json::Value = serde_json::from_slice(&body).unwrap_or_default();
                    let title = body["data"]["title"]
                        .as_str()
                        .unwrap_or_default()
                        .to_owned();
                    let _ = headers;
                    seen.lock()
                        .expect("lock")
                        .arrivals
                        .push((hook, title, Instant::now()));
                    "ok"
                }
            },
        ),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("port");
    let port = listener.local_addr().expect("address").port();
    tokio::spawn(async move { axum::serve(listener, app).await });
    (port, seen)
}

async fn publish(client: &reqwest::Client, base: &str, token: &str, title: &str) {
    let created: serde_json::Value = client
        .post(format!("{base}/api/v1/articles"))
        .bearer_auth(token)
        .json(&serde_json::json!({ "title": title, "body": "Un paragraphe du banc d’essai." }))
        .send()
        .await
        .expect("create")
        .json()
        .await
        .expect("created");
    let id = created["id"].as_str().expect("id");
    let published = client
        .post(format!("{base}/api/v1/articles/{id}/publish"))
        .bearer_auth(token)
        .header("if-match", "\"1\"")
        .send()
        .await
        .expect("publish");
    assert_eq!(published.status(), 200, "published");
}

async fn endpoints(pool: &PgPool, port: u16, n: usize, enabled: bool) -> Vec<Uuid> {
    sqlx::query("delete from webhook_endpoint")
        .execute(pool)
        .await
        .expect("clear");
    let mut ids = Vec::new();
    for i in 0..n {
        let id: Uuid = sqlx::query_scalar(
            "insert into webhook_endpoint (url, events, secret, enabled, disabled_at) values ($1, '{article.published}', $2, $3, case when $3 then null else now() end) returning id",
        )
        .bind(format!("http://127.0.0.1:{port}/hook{i}"))
        .bind(vigie::domain::webhook::new_secret().expect("secret"))
        .bind(enabled)
        .fetch_one(pool)
        .await
        .expect("endpoint");
        ids.push(id);
    }
    ids
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}

#[tokio::main]
async fn main() {
    let events: usize = std::env::var("BENCH_EVENTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(500);
    let tmp = std::env::temp_dir().join(format!("vigie-bench-hooks-{}", Uuid::new_v4().simple()));
    std::fs::create_dir_all(&tmp).expect("temp dir");
    let mut embedded = None;
    let server = match std::env::var("DATABASE_URL") {
        Ok(url) if !url.is_empty() => PgConnectOptions::from_str(&url).expect("DATABASE_URL"),
        _ => {
            let pg = vigie::db::embedded::EmbeddedPostgres::start(&tmp.join("postgres"), None)
                .expect("embedded PostgreSQL (or set DATABASE_URL)");
            let options = pg.connect_options("postgres");
            embedded = Some(pg);
            options
        }
    };
    let db_name = format!("vigie_bench_hooks_{}", Uuid::new_v4().simple());
    let pool = vigie::db::open_pool(
        server.clone().database(&db_name),
        vigie::db::PoolLimits::default(),
    )
    .await
    .expect("database");
    vigie::db::MIGRATOR.run(&pool).await.expect("migrations");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("port");
    let addr = listener.local_addr().expect("address");
    let mut config = Config::from_lookup(|name| match name {
        "VIGIE_BASE_URL" => Some(format!("http://{addr}")),
        "VIGIE_WEBHOOK_ALLOW_PRIVATE" => Some("true".into()),
        _ => None,
    })
    .expect("config");
    config.media = MediaStorage::Local(tmp.join("media"));
    let app = vigie::web::Application::build(pool.clone(), config, listener)
        .await
        .expect("app");
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let serving = tokio::spawn(app.run_until(async {
        let _ = stopped.await;
        vigie::web::Stop::Interrupt
    }));
    let base = format!("http://{addr}");

    let mut tx = pool.begin().await.expect("tx");
    let user = vigie::store::users::create(
        &mut tx,
        &vigie::store::users::NewUser {
            email: &Email::parse("bench@vigie.example").expect("email"),
            display_name: &DisplayName::parse("Banc d’essai").expect("name"),
            role: Role::Editor,
            bio: "",
            password_hash: None,
        },
    )
    .await
    .expect("user");
    let token = vigie::domain::token::generate().expect("token");
    vigie::store::tokens::create(
        &mut tx,
        user,
        "Banc",
        &token.hash,
        &token.hint,
        &[Scope::ArticlesWrite, Scope::ArticlesPublish],
        1,
        None,
    )
    .await
    .expect("token");
    tx.commit().await.expect("commit");
    let client = reqwest::Client::new();
    let (port, seen) = receiver().await;

    // 1. From publishing to the receiver, one article at a time.
    endpoints(&pool, port, 1, true).await;
    let mut delays = Vec::new();
    for i in 0..50 {
        let title = format!("Délai {i}");
        publish(&client, &base, &token.secret, &title).await;
        let answered = Instant::now();
        loop {
            let arrived = seen
                .lock()
                .expect("lock")
                .arrivals
                .iter()
                .find(|(_, t, _)| *t == title)
                .map(|(_, _, at)| *at);
            if let Some(at) = arrived {
                delays.push(at.saturating_duration_since(answered));
                break;
            }
            assert!(answered.elapsed() < Duration::from_secs(10), "delivered");
            tokio::time::sleep(Duration::from_micros(200)).await;
        }
    }
    delays.sort();
    println!(
        "publish → delivery (50 articles, one at a time): median {}, p95 {}, max {}",
        ms(delays[25]),
        ms(delays[47]),
        ms(delays[49])
    );

    // 2. A backlog sent when its endpoints are turned on.
    for n in [1usize, 4] {
        let ids = endpoints(&pool, port, n, false).await;
        seen.lock().expect("lock").arrivals.clear();
        let started = Instant::now();
        for i in 0..events {
            publish(&client, &base, &token.secret, &format!("Lot {n} n° {i}")).await;
        }
        let written = started.elapsed();
        let started = Instant::now();
        sqlx::query("update webhook_endpoint set enabled = true, disabled_at = null")
            .execute(&pool)
            .await
            .expect("enable");
        sqlx::query("select pg_notify('vigie_jobs', 'webhook')")
            .execute(&pool)
            .await
            .expect("wake");
        let total = events * n;
        loop {
            if seen.lock().expect("lock").arrivals.len() >= total {
                break;
            }
            assert!(started.elapsed() < Duration::from_secs(600), "delivered");
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
        let took = started.elapsed();
        // In order, per endpoint.
        let arrivals = seen.lock().expect("lock").arrivals.clone();
        for i in 0..n {
            let order: Vec<usize> = arrivals
                .iter()
                .filter(|(hook, _, _)| *hook == format!("hook{i}"))
                .filter_map(|(_, t, _)| t.rsplit(' ').next()?.parse().ok())
                .collect();
            assert!(order.windows(2).all(|w| w[0] < w[1]), "in order");
        }
        let delivered: i64 = sqlx::query_scalar(
            "select count(*) from webhook_delivery where delivered_at is not null and endpoint_id = any($1)",
        )
        .bind(&ids)
        .fetch_one(&pool)
        .await
        .expect("count");
        println!(
            "backlog of {events} events × {n} endpoint(s): {total} deliveries in {:.2} s = {:.0} deliveries/s ({delivered} recorded; publishing them took {:.1} s)",
            took.as_secs_f64(),
            total as f64 / took.as_secs_f64(),
            written.as_secs_f64()
        );
    }

    let _ = stop.send(());
    let _ = serving.await;
    pool.close().await;
    drop(embedded);
    let _ = std::fs::remove_dir_all(&tmp);
}

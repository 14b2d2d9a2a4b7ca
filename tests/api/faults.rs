//! The database goes away and comes back: readers and writers get 503s meanwhile, no
//! acknowledged save is lost, and service resumes without restarting Vigie.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;

use time::OffsetDateTime;
use tokio::time::{Instant, sleep};
use uuid::Uuid;
use vigie::db::PoolLimits;
use vigie::db::embedded::EmbeddedPostgres;
use vigie::domain::Role;

use crate::helpers::TestApp;
use crate::helpers::{form_of, new_article, set};

/// Starts (or restarts) the test's own PostgreSQL in `dir`.
async fn start_server(dir: &std::path::Path) -> EmbeddedPostgres {
    let dir = dir.to_owned();
    tokio::task::spawn_blocking(move || EmbeddedPostgres::start(&dir, None))
        .await
        .unwrap()
        .expect("the test's PostgreSQL starts")
}

async fn stop_server(mut server: EmbeddedPostgres) {
    tokio::task::spawn_blocking(move || {
        server.stop();
        drop(server);
    })
    .await
    .unwrap();
}

/// Waits (bounded) until `done` holds.
async fn until(what: &str, limit: Duration, done: impl Fn() -> bool) {
    let deadline = Instant::now() + limit;
    while !done() {
        assert!(Instant::now() < deadline, "gave up waiting: {what}");
        sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn a_database_restart_under_reads_and_saves_loses_no_acknowledged_save() {
    // A PostgreSQL of this test's own: the shared one is never restarted.
    let dir = std::env::temp_dir().join(format!("vigie-fault-{}", Uuid::new_v4().simple()));
    let server = start_server(&dir).await;
    let limits = PoolLimits {
        acquire: Duration::from_secs(1),
        statement: Duration::from_secs(10),
    };
    let app = TestApp::start_on(server.connect_options("postgres"), limits, |_| {}, true).await;
    let (browser, _) = app.signed_in(Role::Editor).await;
    let id = new_article(&browser, "Sous tension", "Début.").await;
    // A published article readers have fetched: its page is in the render cache.
    let kept = app
        .article(
            "Toujours lisible",
            "Texte gardé en mémoire.",
            Some(OffsetDateTime::now_utc() - time::Duration::hours(1)),
        )
        .await;
    let kept_path = format!("/articles/{kept}");
    let kept_page = app.get(&kept_path).await;
    assert_eq!(kept_page.status, 200);
    assert_eq!(app.get(&kept_path).await.body, kept_page.body);
    let path = format!("/editor/articles/{id}");
    let form = form_of(&browser, id).await;
    let token = browser.csrf().await;
    let base = app.base_url();

    let stop = Arc::new(AtomicBool::new(false));
    let acknowledged = Arc::new(AtomicUsize::new(0));

    // The writer: one save after another, each form sent until it is answered 303. A 503 is
    // retried with the same form (same save key): the save happens once whatever the outage did.
    let writer = {
        let (stop, acknowledged, path) = (stop.clone(), acknowledged.clone(), path.clone());
        let browser = browser.clone();
        tokio::spawn(async move {
            let mut texts = Vec::new();
            let mut statuses = Vec::new();
            let mut version = 1;
            let mut n = 0;
            while !stop.load(Ordering::Relaxed) {
                n += 1;
                let text = format!("Sauvegarde n° {n}.");
                let mut fields = form.clone();
                set(&mut fields, "version", &version.to_string());
                set(&mut fields, "body", &text);
                set(&mut fields, "intent", "save");
                set(&mut fields, "save_key", &Uuid::new_v4().to_string());
                set(&mut fields, "csrf_token", &token);
                let borrowed: Vec<(&str, &str)> = fields
                    .iter()
                    .map(|(k, v)| (k.as_str(), v.as_str()))
                    .collect();
                loop {
                    let answer = browser.try_post(&path, &borrowed).await;
                    statuses.push(answer);
                    if answer == 303 {
                        break;
                    }
                    sleep(Duration::from_millis(100)).await;
                }
                version += 1;
                texts.push(text);
                acknowledged.fetch_add(1, Ordering::Relaxed);
            }
            (texts, statuses)
        })
    };
    // The reader: the public home page and the editor's list, over and over.
    let reader = {
        let stop = stop.clone();
        let client = reqwest::Client::new();
        tokio::spawn(async move {
            let mut statuses = Vec::new();
            while !stop.load(Ordering::Relaxed) {
                for page in ["/", "/search?q=tension"] {
                    let status = match client.get(format!("{base}{page}")).send().await {
                        Ok(r) => r.status().as_u16(),
                        Err(_) => 0,
                    };
                    statuses.push(status);
                }
                sleep(Duration::from_millis(20)).await;
            }
            statuses
        })
    };

    let saved = |n| {
        let acknowledged = acknowledged.clone();
        move || acknowledged.load(Ordering::Relaxed) >= n
    };
    until("saves before the outage", Duration::from_secs(30), saved(3)).await;
    stop_server(server).await;
    // While it is down: the process is alive, not ready, and pages say 503.
    let during = app.get_unsettled("/healthz", &[]).await;
    assert_eq!(during.status, 200, "/healthz does not touch the database");
    let ready = app.get_unsettled("/readyz", &[]).await;
    assert_eq!(ready.status, 503);
    let page = browser.get("/editor").await;
    assert_eq!(page.status, 503, "{}", page.body);
    assert_eq!(page.header("retry-after"), "5");
    assert!(
        page.body.contains("Réessayez dans quelques secondes"),
        "{}",
        page.body
    );
    // A page kept in memory is still served, marked stale; one that is not gets the 503.
    // (Served fresh from memory until the cache's listener notices the database is gone.)
    let deadline = Instant::now() + Duration::from_secs(10);
    let stale = loop {
        let page = app.get_unsettled(&kept_path, &[]).await;
        if !page.header("warning").is_empty() || Instant::now() > deadline {
            break page;
        }
        sleep(Duration::from_millis(50)).await;
    };
    assert_eq!(stale.status, 200, "{}", stale.body);
    assert_eq!(stale.body, kept_page.body);
    assert_eq!(stale.header("warning"), "110 - \"Response is Stale\"");
    let never_kept = app.get_unsettled("/search?q=panne", &[]).await;
    assert_eq!(never_kept.status, 503);
    let api = app.get_unsettled("/api/v1/articles", &[]).await;
    assert_eq!(api.status, 503, "{}", api.body);
    assert_eq!(api.header("retry-after"), "5");
    assert!(
        api.body.contains("try again in a few seconds"),
        "{}",
        api.body
    );
    // The outage lasts a moment, not a condition to wait for: writers keep trying meanwhile.
    sleep(Duration::from_secs(1)).await;
    let before_restart = acknowledged.load(Ordering::Relaxed);
    let server = start_server(&dir).await;
    until(
        "saves after the database is back",
        Duration::from_secs(60),
        saved(before_restart + 3),
    )
    .await;
    stop.store(true, Ordering::Relaxed);
    let (texts, write_statuses) = writer.await.unwrap();
    let read_statuses = reader.await.unwrap();

    // Errors during the outage were 503s, nothing else; and there were some.
    assert!(
        write_statuses.iter().all(|s| *s == 303 || *s == 503),
        "saves got only 303 or 503: {write_statuses:?}"
    );
    assert!(
        write_statuses.contains(&503),
        "the outage was felt by the writer"
    );
    assert!(
        read_statuses.iter().all(|s| *s == 200 || *s == 503),
        "reads got only 200 or 503: {read_statuses:?}"
    );
    // Every acknowledged save is there, once, and the last one is the article.
    for text in &texts {
        let kept: i64 = sqlx::query_scalar(
            "select count(*) from article_revision where article_id = $1 and body_markdown = $2 and kind = 'save'",
        )
        .bind(id)
        .bind(text)
        .fetch_one(&app.pool)
        .await
        .unwrap();
        assert_eq!(kept, 1, "{text} saved once");
    }
    let (version, body) = app.version_and_body(id).await;
    assert_eq!(version as usize, texts.len() + 1);
    assert_eq!(Some(&body), texts.last());
    // The same process serves again, fresh pages, not the ones kept during the outage: ready
    // again once its content listener is back (it retries every second).
    let back = Instant::now();
    while app.get_unsettled("/readyz", &[]).await.status != 200 {
        assert!(
            back.elapsed() < Duration::from_secs(10),
            "never ready again"
        );
        sleep(Duration::from_millis(50)).await;
    }
    let fresh = app.get(&kept_path).await;
    assert_eq!(fresh.status, 200);
    assert_eq!(fresh.header("warning"), "");
    drop(app);
    stop_server(server).await;
    let _ = std::fs::remove_dir_all(&dir);
}

/// A reader who hangs up while their read is beginning (a client gone, a time limit) drops the
/// request mid-way. The connection must not go back to the pool inside that read's transaction:
/// the next user of it (a save, the webhook deliverer) would run inside a read-only transaction
/// and fail, and so would every later user after the first error ("current transaction is
/// aborted"). sqlx 0.9.0 left it so (transact-rs/sqlx#4393); seen under load at 100 000
/// articles when wrk closed its connections.
#[tokio::test]
async fn a_read_cancelled_as_it_begins_leaves_no_transaction_behind() {
    let app = TestApp::spawn().await;
    // Two connections, so that the checks keep meeting the reads' connections (with one,
    // sqlx's pool can miss the wake-up of a waiter when a cancelled acquire's connection
    // comes back, and the check would time out for that reason instead).
    let pool = sqlx::postgres::PgPoolOptions::new()
        .max_connections(2)
        // As Vigie's pools (see `db::pool_options`).
        .test_before_acquire(false)
        .connect_with(crate::helpers::server_options().database(app.db_name()))
        .await
        .unwrap();
    let mut cancelled = 0;
    for i in 0..400u64 {
        // Given up after a few turns of the runtime (a timer is too coarse: a BEGIN's round
        // trip is well under a millisecond), so that some reads end inside it.
        let turns = i % 12 + 1;
        // The read, given up (dropped) at the end of this block.
        let done = {
            let mut read = std::pin::pin!(vigie::db::planned_with_values(&pool));
            let mut done = false;
            for _ in 0..turns {
                done = std::future::poll_fn(|cx| {
                    std::task::Poll::Ready(read.as_mut().poll(cx).is_ready())
                })
                .await;
                if done {
                    break;
                }
                tokio::task::yield_now().await;
            }
            done
        };
        if !done {
            cancelled += 1;
        }
        // A write outside any transaction: refused inside a read-only one.
        sqlx::raw_sql("create temp table probe (x int); drop table probe")
            .execute(&pool)
            .await
            .unwrap_or_else(|e| panic!("after {cancelled} cancelled reads (the last given {turns} turns), a connection is still in one: {e}"));
    }
    eprintln!("{cancelled} of 400 reads cancelled");
    assert!(cancelled >= 20, "only {cancelled} reads were cancelled");
}

//! Read replicas (`DATABASE_READ_URL`) through the real binary, on a primary and a streaming
//! replica this test starts on loopback (`pg_basebackup -R`): readers' pages are read from the
//! replica; a replica that stops under load costs readers nothing; one that has not replayed a
//! change serves nobody until it has, so no reader (and no page kept by the render cache) is
//! older than the change the primary announced.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use sqlx::{Connection, PgConnection};
use time::OffsetDateTime;
use tokio::time::{Instant, sleep};

use crate::helpers::cluster::Cluster;
use crate::helpers::{Server, TestApp};
use vigie::db::PoolLimits;

async fn scrape(server: &Server) -> String {
    let metrics = server.metrics.as_deref().expect("metrics listener");
    reqwest::get(format!("http://{metrics}/metrics"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
}

/// The sample `name{replica="…"}` of the replica named `replica`.
fn sample(text: &str, name: &str, replica: &str) -> Option<f64> {
    let prefix = format!("{name}{{replica=\"{replica}\"}} ");
    text.lines()
        .find_map(|l| l.strip_prefix(&prefix))
        .map(|v| v.trim().parse().unwrap())
}

/// Waits (bounded) until the replica's sample `name` satisfies `ok`; returns the metrics.
async fn until_metric(
    server: &Server,
    name: &str,
    replica: &str,
    ok: impl Fn(f64) -> bool,
) -> String {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let text = scrape(server).await;
        if sample(&text, name, replica).is_some_and(&ok) {
            return text;
        }
        assert!(
            Instant::now() < deadline,
            "gave up waiting for {name} of {replica}:\n{text}"
        );
        sleep(Duration::from_millis(100)).await;
    }
}

/// Scans of the `article` table the replica has counted: only reads of content make them (the
/// replica checks touch no table).
async fn article_scans(replica: &mut PgConnection) -> i64 {
    sqlx::query_scalar(
        "select (coalesce(seq_scan, 0) + coalesce(idx_scan, 0))::bigint \
         from pg_stat_user_tables where relname = 'article'",
    )
    .fetch_one(replica)
    .await
    .unwrap()
}

/// Dropped in this order: the test's database first, then the replica, then its primary.
struct Pair {
    app: TestApp,
    replica: Cluster,
    primary: Cluster,
    /// The replica's name in the metrics (`host:port/database`).
    name: String,
}

/// A primary holding a test database with `articles`, and a replica copied from it.
async fn pair(articles: &[&str]) -> (Pair, Vec<String>) {
    let primary = Cluster::primary().await;
    let app = TestApp::start_on(
        primary.options("postgres"),
        PoolLimits::default(),
        |_| {},
        true,
    )
    .await;
    let an_hour_ago = OffsetDateTime::now_utc() - time::Duration::hours(1);
    let mut slugs = Vec::new();
    for title in articles {
        slugs.push(
            app.article(title, "Un texte sur la régulation.", Some(an_hour_ago))
                .await,
        );
    }
    app.settle().await;
    let replica = Cluster::replica_of(&primary).await;
    let name = format!("127.0.0.1:{}/{}", replica.port, app.db_name());
    (
        Pair {
            app,
            replica,
            primary,
            name,
        },
        slugs,
    )
}

impl Pair {
    async fn server(&self, env: &[(&str, &str)]) -> Server {
        let read_url = self.replica.url(self.app.db_name());
        let mut all = vec![
            ("DATABASE_READ_URL", read_url.as_str()),
            ("VIGIE_METRICS_BIND", "127.0.0.1:0"),
        ];
        all.extend_from_slice(env);
        Server::start_at(
            &self.primary.url(self.app.db_name()),
            &self.app.base_url(),
            &all,
        )
        .await
    }

    async fn replica_connection(&self) -> PgConnection {
        PgConnection::connect_with(&self.replica.options(self.app.db_name()))
            .await
            .expect("the replica answers")
    }
}

#[tokio::test]
async fn readers_read_the_replica_and_never_see_it_stop() {
    let (mut pair, slugs) = pair(&["Lu sur la réplique", "Un autre article"]).await;
    // Every request reads the database: nothing is served from memory.
    let server = pair.server(&[("VIGIE_RENDER_CACHE", "off")]).await;
    until_metric(&server, "vigie_replica_serving", &pair.name, |v| v == 1.0).await;

    let mut on_replica = pair.replica_connection().await;
    let scans_before = article_scans(&mut on_replica).await;
    let client = reqwest::Client::new();
    let page = client
        .get(server.url(&format!("/articles/{}", slugs[0])))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    assert!(page.text().await.unwrap().contains("Lu sur la réplique"));
    // The replica counts its scans a moment after they end.
    let deadline = Instant::now() + Duration::from_secs(10);
    while article_scans(&mut on_replica).await == scans_before {
        assert!(
            Instant::now() < deadline,
            "the article page was not read from the replica"
        );
        sleep(Duration::from_millis(200)).await;
    }
    drop(on_replica);

    // Readers, all the time; the replica stops dead in the middle.
    let paths: Arc<Vec<String>> = Arc::new(vec![
        "/".to_owned(),
        format!("/articles/{}", slugs[0]),
        format!("/articles/{}", slugs[1]),
        "/search?q=r%C3%A9gulation".to_owned(),
        "/api/v1/articles".to_owned(),
        "/feed.atom".to_owned(),
    ]);
    let stop = Arc::new(AtomicBool::new(false));
    let mut readers = Vec::new();
    for n in 0..8 {
        let (client, paths, stop) = (client.clone(), Arc::clone(&paths), Arc::clone(&stop));
        let base = server.base.clone();
        readers.push(tokio::spawn(async move {
            let (mut served, mut failed) = (0u32, Vec::new());
            let mut i = n;
            while !stop.load(Ordering::Relaxed) {
                let path = &paths[i % paths.len()];
                i += 1;
                match client.get(format!("{base}{path}")).send().await {
                    Ok(r) if r.status() == 200 => served += 1,
                    Ok(r) => failed.push(format!("{path}: {}", r.status())),
                    Err(e) => failed.push(format!("{path}: {e}")),
                }
            }
            (served, failed)
        }));
    }
    sleep(Duration::from_secs(1)).await;
    let before_kill = scrape(&server).await;
    pair.replica.kill().await;
    sleep(Duration::from_secs(2)).await;
    stop.store(true, Ordering::Relaxed);
    let (mut served, mut failed) = (0, Vec::new());
    for reader in readers {
        let (s, f) = reader.await.unwrap();
        served += s;
        failed.extend(f);
    }
    assert!(failed.is_empty(), "readers saw errors: {failed:?}");
    assert!(served > 50, "only {served} pages served");
    assert!(
        sample(&before_kill, "vigie_replica_reads_total", &pair.name).unwrap() > 10.0,
        "the load was read from the replica before it stopped:\n{before_kill}"
    );
    let after = scrape(&server).await;
    assert_eq!(
        sample(&after, "vigie_replica_serving", &pair.name),
        Some(0.0),
        "{after}"
    );
    // Still serving, from the primary.
    let home = client.get(server.url("/")).send().await.unwrap();
    assert_eq!(home.status(), 200);

    // Back up: it serves again.
    let reads = sample(&after, "vigie_replica_reads_total", &pair.name).unwrap();
    pair.replica.start().await;
    until_metric(&server, "vigie_replica_serving", &pair.name, |v| v == 1.0).await;
    for _ in 0..5 {
        let r = client.get(server.url("/")).send().await.unwrap();
        assert_eq!(r.status(), 200);
    }
    let text = scrape(&server).await;
    assert!(
        sample(&text, "vigie_replica_reads_total", &pair.name).unwrap() > reads,
        "reads went back to the replica:\n{text}"
    );
}

#[tokio::test]
async fn a_replica_behind_a_change_serves_nobody_until_it_has_replayed_it() {
    let (pair, _) = pair(&["Avant la pause"]).await;
    // The render cache on (the default): pages it keeps must not come from a replica behind.
    // A lag allowed for so long that only having heard of the change can keep readers off it.
    let server = pair.server(&[("VIGIE_REPLICA_MAX_LAG", "1h")]).await;
    until_metric(&server, "vigie_replica_serving", &pair.name, |v| v == 1.0).await;
    let client = reqwest::Client::new();
    let home = client.get(server.url("/")).send().await.unwrap();
    assert!(home.text().await.unwrap().contains("Avant la pause"));

    // The replica stops replaying what the primary writes.
    let mut on_replica = pair.replica_connection().await;
    sqlx::query("select pg_wal_replay_pause()")
        .execute(&mut on_replica)
        .await
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let state: String = sqlx::query_scalar("select pg_get_wal_replay_pause_state()")
            .fetch_one(&mut on_replica)
            .await
            .unwrap();
        if state == "paused" {
            break;
        }
        assert!(Instant::now() < deadline, "replay never paused");
        sleep(Duration::from_millis(50)).await;
    }

    // An article is published on the primary; the replica does not have it.
    let slug = pair
        .app
        .article(
            "Publié pendant la pause",
            "Du neuf.",
            Some(OffsetDateTime::now_utc() - time::Duration::minutes(1)),
        )
        .await;
    let on_replica_count: i64 = sqlx::query_scalar("select count(*) from article where slug = $1")
        .bind(&slug)
        .fetch_one(&mut on_replica)
        .await
        .unwrap();
    assert_eq!(on_replica_count, 0, "the replica is behind");

    // Once this instance has heard of the change, readers get it (a reader following the
    // link gets the article, not a 404 from the replica; the home page kept from before is
    // rendered again with it).
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let page = client
            .get(server.url(&format!("/articles/{slug}")))
            .send()
            .await
            .unwrap();
        if page.status() == 200 {
            assert!(
                page.text()
                    .await
                    .unwrap()
                    .contains("Publié pendant la pause")
            );
            break;
        }
        assert!(Instant::now() < deadline, "the new article never showed");
        sleep(Duration::from_millis(50)).await;
    }
    let home = client.get(server.url("/")).send().await.unwrap();
    assert!(
        home.text()
            .await
            .unwrap()
            .contains("Publié pendant la pause"),
        "the home page shows the new article"
    );
    let text = scrape(&server).await;
    assert_eq!(
        sample(&text, "vigie_replica_serving", &pair.name),
        Some(0.0),
        "{text}"
    );
    // The lag shows (a second after the change, at least a second).
    until_metric(&server, "vigie_replica_lag_seconds", &pair.name, |v| {
        v >= 1.0
    })
    .await;

    // Replay resumes: the replica catches up and serves again, with no lag.
    sqlx::query("select pg_wal_replay_resume()")
        .execute(&mut on_replica)
        .await
        .unwrap();
    until_metric(&server, "vigie_replica_serving", &pair.name, |v| v == 1.0).await;
    let text = scrape(&server).await;
    assert_eq!(
        sample(&text, "vigie_replica_lag_seconds", &pair.name),
        Some(0.0)
    );
    let on_replica_count: i64 = sqlx::query_scalar("select count(*) from article where slug = $1")
        .bind(&slug)
        .fetch_one(&mut on_replica)
        .await
        .unwrap();
    assert_eq!(on_replica_count, 1, "the replica caught up");
}

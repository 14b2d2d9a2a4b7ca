//! The binary itself, with no DATABASE_URL: the embedded PostgreSQL default.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use nix::sys::signal::{Signal, kill};
use nix::unistd::Pid;

use crate::helpers::SAMPLE;

const VIGIE: &str = env!("CARGO_BIN_EXE_vigie");

/// What a running `vigie serve` has logged so far.
type Log = Arc<Mutex<Vec<String>>>;

/// Starts `vigie serve --demo` on the embedded default in `data`, on a free port, and returns
/// the process, the address it announced and its log.
fn start(data: &Path) -> (Child, String, Log) {
    let mut child = Command::new(VIGIE)
        .args(["serve", "--demo"])
        .env_remove("DATABASE_URL")
        .env("VIGIE_DATA_DIR", data)
        .env("VIGIE_BIND", "127.0.0.1:0")
        .env("VIGIE_LOG", "info")
        .env("VIGIE_SHUTDOWN_GRACE", "2s")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("vigie starts");
    let stderr = child.stderr.take().expect("stderr");
    let mut lines = BufReader::new(stderr).lines();
    let log = Log::default();
    let addr = loop {
        let line = lines
            .next()
            .expect("vigie announces its address before exiting")
            .expect("log line");
        log.lock().unwrap().push(line.clone());
        if let Some(rest) = line.split("addr=").nth(1) {
            break rest.split_whitespace().next().expect("address").to_owned();
        }
    };
    // Keep reading the log so the process never blocks on a full pipe.
    let keep = Arc::clone(&log);
    std::thread::spawn(move || {
        lines
            .map_while(Result::ok)
            .for_each(|l| keep.lock().unwrap().push(l))
    });
    (child, addr, log)
}

/// Returns once `/readyz` says 200, for at most 10 s: a server that has just started is ready
/// once its content listener has connected, a moment after it announced its address.
async fn until_ready(addr: &str) {
    let client = reqwest::Client::new();
    for _ in 0..200 {
        let answer = client.get(format!("http://{addr}/readyz")).send().await;
        if answer.is_ok_and(|a| a.status() == 200) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("http://{addr}/readyz never said ready");
}

fn logged(log: &Log, text: &str) -> bool {
    log.lock().unwrap().iter().any(|l| l.contains(text))
}

fn stop(mut child: Child) {
    kill(Pid::from_raw(child.id() as i32), Signal::SIGTERM).expect("signal");
    for _ in 0..300 {
        if let Some(status) = child.try_wait().expect("wait") {
            assert!(status.success(), "clean exit on SIGTERM: {status}");
            return;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let _ = child.kill();
    panic!("vigie did not stop within 30 s of SIGTERM");
}

#[tokio::test]
async fn without_database_url_vigie_runs_its_own_postgresql_and_stops_it() {
    let data =
        std::env::temp_dir().join(format!("vigie-embedded-{}", uuid::Uuid::new_v4().simple()));
    let client = reqwest::Client::new();
    let get = |url: String| {
        let client = client.clone();
        async move { client.get(url).send().await.expect("answered") }
    };

    let (child, addr, log) = start(&data);
    assert!(logged(&log, "creating the embedded PostgreSQL cluster"));
    until_ready(&addr).await;
    assert_eq!(
        get(format!("http://{addr}/articles/{SAMPLE}"))
            .await
            .status(),
        200
    );
    assert!(
        data.join("postgres/PG_VERSION").exists(),
        "the cluster lives in VIGIE_DATA_DIR/postgres"
    );

    // A second server on the same folder is refused rather than stopping the first one's
    // database when it stops.
    let second = Command::new(VIGIE)
        .arg("serve")
        .env_remove("DATABASE_URL")
        .env("VIGIE_DATA_DIR", &data)
        .env("VIGIE_BIND", "127.0.0.1:0")
        .output()
        .expect("vigie runs");
    assert!(!second.status.success());
    let stderr = String::from_utf8_lossy(&second.stderr);
    assert!(
        stderr.contains("another Vigie is already using"),
        "{stderr}"
    );
    // The one-off verbs use the running server: a backup needs no downtime.
    let export = Command::new(VIGIE)
        .arg("export")
        .env_remove("DATABASE_URL")
        .env("VIGIE_DATA_DIR", &data)
        .env("VIGIE_LOG", "warn")
        .output()
        .expect("vigie runs");
    assert!(
        export.status.success(),
        "{}",
        String::from_utf8_lossy(&export.stderr)
    );
    let exported = String::from_utf8_lossy(&export.stdout);
    assert!(exported.contains(&format!("\"slug\":\"{SAMPLE}\"")));
    assert_eq!(
        get(format!("http://{addr}/readyz")).await.status(),
        200,
        "the first one's database still runs"
    );

    stop(child);
    assert!(
        !data.join("postgres/postmaster.pid").exists(),
        "PostgreSQL stopped with vigie"
    );

    // The next run reuses the cluster and its content (the demo is not loaded twice).
    let (child, addr, log) = start(&data);
    assert!(
        !logged(&log, "creating the embedded PostgreSQL cluster"),
        "no second initdb"
    );
    assert!(logged(&log, "demo content already loaded"));
    let body = get(format!("http://{addr}/"))
        .await
        .text()
        .await
        .expect("body");
    assert_eq!(body.matches("class=\"article-card\"").count(), 6);
    assert_eq!(body.matches(&format!("/articles/{SAMPLE}\"")).count(), 1);
    stop(child);
    assert!(!data.join("postgres/postmaster.pid").exists());
    std::fs::remove_dir_all(&data).expect("cleanup");
}

#[tokio::test]
async fn on_sigterm_readiness_fails_first_then_requests_finish_and_postgresql_stops() {
    let data =
        std::env::temp_dir().join(format!("vigie-sigterm-{}", uuid::Uuid::new_v4().simple()));
    let (mut child, addr, log) = start(&data);
    let client = reqwest::Client::new();
    let status = |path: &str| {
        let request = client.get(format!("http://{addr}{path}"));
        async move {
            request
                .send()
                .await
                .map(|r| r.status().as_u16())
                .unwrap_or(0)
        }
    };
    until_ready(&addr).await;
    kill(Pid::from_raw(child.id() as i32), Signal::SIGTERM).expect("signal");
    // During the grace period (VIGIE_SHUTDOWN_GRACE=2s above): not ready, still serving.
    let mut ready = 200;
    for _ in 0..20 {
        ready = status("/readyz").await;
        if ready == 503 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(ready, 503, "readiness fails first");
    assert_eq!(status("/healthz").await, 200, "still alive");
    assert_eq!(
        status(&format!("/articles/{SAMPLE}")).await,
        200,
        "still serving"
    );
    let mut exited = None;
    for _ in 0..300 {
        if let Some(code) = child.try_wait().expect("wait") {
            exited = Some(code);
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let code = exited.expect("vigie exits within 30 s of SIGTERM");
    assert!(code.success(), "clean exit: {code}");
    assert!(logged(&log, "SIGTERM: /readyz now fails"));
    assert!(
        !data.join("postgres/postmaster.pid").exists(),
        "PostgreSQL stopped with vigie"
    );
    assert_eq!(status("/healthz").await, 0, "nothing listens any more");
    std::fs::remove_dir_all(&data).expect("cleanup");
}

#[test]
fn without_postgresql_programs_vigie_says_what_to_do_in_one_line() {
    let empty = std::env::temp_dir().join(format!("vigie-nopg-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&empty).expect("empty dir");
    let out = Command::new(VIGIE)
        .arg("serve")
        .env_remove("DATABASE_URL")
        .env("PATH", "")
        .env("VIGIE_PG_BINDIR", &empty)
        .env("VIGIE_DATA_DIR", empty.join("data"))
        .output()
        .expect("vigie runs");
    std::fs::remove_dir_all(&empty).expect("cleanup");
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.contains("install PostgreSQL or set DATABASE_URL"),
        "{stderr}"
    );
}

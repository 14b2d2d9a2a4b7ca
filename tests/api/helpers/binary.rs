//! The `vigie` binary run against a test's own database, and scratch files for what it reads
//! and writes.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};

use uuid::Uuid;

use super::TestApp;

/// Runs `vigie <args>` against the test's database.
pub fn vigie(app: &TestApp, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_vigie"))
        .args(args)
        .env("DATABASE_URL", app.database_url())
        .env("VIGIE_BASE_URL", app.base_url())
        // With DATABASE_URL set, the data folder holds only the media files.
        .env("VIGIE_DATA_DIR", app.data_dir())
        .env("VIGIE_LOG", "warn")
        .output()
        .expect("vigie runs")
}

pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// A path named `name` in a folder of its own under the system's temporary folder.
pub fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("vigie-transfer-{}", Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir.join(name)
}

pub fn export_to(app: &TestApp, path: &Path) -> Vec<u8> {
    let out = vigie(
        app,
        &["export", "--output", path.to_str().expect("utf-8 path")],
    );
    assert!(out.status.success(), "export fails: {}", stderr(&out));
    std::fs::read(path).expect("export written")
}

/// `vigie serve` on the test's database, in a process of its own (a second instance beside
/// the test's own), stopped when dropped.
pub struct Server {
    child: Child,
    pub base: String,
    /// Its `/metrics` listener's address, when `VIGIE_METRICS_BIND` was given.
    pub metrics: Option<String>,
}

impl Server {
    /// Starts it with `env` added, and returns once `/readyz` says 200.
    pub async fn start(app: &TestApp, env: &[(&str, &str)]) -> Self {
        Self::start_at(&app.database_url(), &app.base_url(), env).await
    }

    /// Starts it on the database at `database_url`, with `env` added.
    pub async fn start_at(database_url: &str, base_url: &str, env: &[(&str, &str)]) -> Self {
        // It picks its own port and says which: a port chosen here and freed for it could be
        // taken by another process in between.
        let mut child = Command::new(env!("CARGO_BIN_EXE_vigie"))
            .arg("serve")
            .env("DATABASE_URL", database_url)
            .env("VIGIE_BIND", "127.0.0.1:0")
            .env("VIGIE_BASE_URL", base_url)
            .env("VIGIE_LOG", "info")
            .envs(env.iter().copied())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("vigie runs");
        let stderr = child.stderr.take().expect("stderr");
        let (line, rest) = tokio::task::spawn_blocking(move || {
            let mut lines = BufReader::new(stderr).lines();
            loop {
                let line = lines
                    .next()
                    .expect("vigie announces its address before exiting")
                    .expect("log line");
                if line.contains("addr=") {
                    return (line, lines);
                }
            }
        })
        .await
        .unwrap();
        let field = |name: &str| {
            line.split(&format!(" {name}="))
                .nth(1)
                .map(|rest| rest.split_whitespace().next().expect("value").to_owned())
        };
        let addr = field("addr").expect("address");
        let metrics = field("metrics").filter(|m| m != "off");
        // Keep reading its log so that it never blocks on a full pipe; warnings show up here.
        std::thread::spawn(move || {
            rest.map_while(Result::ok)
                .filter(|l| l.contains("WARN") || l.contains("ERROR"))
                .for_each(|l| eprintln!("instance B: {l}"));
        });
        let server = Self {
            child,
            base: format!("http://{addr}"),
            metrics,
        };
        let ready = format!("{}/readyz", server.base);
        for _ in 0..200 {
            if reqwest::get(&ready).await.is_ok_and(|r| r.status() == 200) {
                return server;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        panic!("the second instance never became ready");
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

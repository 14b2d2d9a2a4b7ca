//! PostgreSQL clusters of a test's own on loopback TCP: a primary, and a streaming replica of it
//! made with `pg_basebackup -R`, each in a folder of its own removed when dropped.

use std::path::{Path, PathBuf};
use std::process::Output;

use sqlx::postgres::PgConnectOptions;
use uuid::Uuid;
use vigie::db::embedded::Programs;

/// The superuser of these clusters (trust authentication, loopback only).
const USER: &str = "vigie";

pub struct Cluster {
    programs: Programs,
    /// The folder holding the pair's folders.
    top: PathBuf,
    dir: PathBuf,
    pub port: u16,
    running: bool,
}

fn check(what: &str, out: std::io::Result<Output>) {
    let out = out.unwrap_or_else(|e| panic!("{what} runs: {e}"));
    assert!(
        out.status.success(),
        "{what} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A port nothing listens on now (PostgreSQL must be told its port; [`Cluster::start`] tries
/// another if it was taken in between).
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port()
}

impl Cluster {
    /// A new primary, started, allowing replication from loopback (`initdb --auth=trust`).
    pub async fn primary() -> Self {
        tokio::task::spawn_blocking(|| {
            let programs = Programs::find(None).expect("PostgreSQL's programs");
            let top = std::env::temp_dir().join(format!("vigie-pair-{}", Uuid::new_v4().simple()));
            std::fs::create_dir_all(&top).expect("cluster folder");
            programs
                .give(&top)
                .expect("folder given to PostgreSQL's user");
            let dir = top.join("primary");
            check(
                "initdb",
                programs
                    .command("initdb")
                    .arg("-D")
                    .arg(&dir)
                    .args([
                        "-U",
                        USER,
                        "--auth=trust",
                        "--encoding=UTF8",
                        "--locale=C.UTF-8",
                    ])
                    .output(),
            );
            Self::start_new(programs, top, dir)
        })
        .await
        .expect("primary starts")
    }

    /// A streaming replica of `primary`, copied from it while it runs, and started.
    pub async fn replica_of(primary: &Cluster) -> Self {
        let programs = primary.programs.clone();
        let top = primary.top.clone();
        let port = primary.port;
        tokio::task::spawn_blocking(move || {
            let dir = top.join("replica");
            check(
                "pg_basebackup",
                programs
                    .command("pg_basebackup")
                    .args(["-h", "127.0.0.1", "-p", &port.to_string(), "-U", USER])
                    .arg("-D")
                    .arg(&dir)
                    .args(["-R", "-X", "stream", "-c", "fast"])
                    .output(),
            );
            Self::start_new(programs, top, dir)
        })
        .await
        .expect("replica starts")
    }

    /// How to reach database `db` on it.
    pub fn options(&self, db: &str) -> PgConnectOptions {
        PgConnectOptions::new_without_pgpass()
            .host("127.0.0.1")
            .port(self.port)
            .username(USER)
            .database(db)
    }

    /// Its URL for database `db` (`DATABASE_URL`, `DATABASE_READ_URL`).
    pub fn url(&self, db: &str) -> String {
        format!("postgres://{USER}@127.0.0.1:{}/{db}", self.port)
    }

    /// Starts it again (on the same port).
    pub async fn start(&mut self) {
        let (programs, dir, port) = (self.programs.clone(), self.dir.clone(), self.port);
        tokio::task::spawn_blocking(move || {
            assert!(
                start(&programs, &dir, port),
                "{} starts again",
                dir.display()
            );
        })
        .await
        .expect("cluster starts");
        self.running = true;
    }

    /// Stops it at once, as a crash or a pulled cable would (`-m immediate`).
    pub async fn kill(&mut self) {
        let (programs, dir) = (self.programs.clone(), self.dir.clone());
        self.running = false;
        tokio::task::spawn_blocking(move || stop(&programs, &dir, "immediate"))
            .await
            .expect("cluster stops");
    }

    /// The cluster in `dir`, started on a free port.
    fn start_new(programs: Programs, top: PathBuf, dir: PathBuf) -> Self {
        let mut cluster = Self {
            programs,
            top,
            dir,
            port: 0,
            running: false,
        };
        cluster.start_blocking();
        cluster
    }

    fn start_blocking(&mut self) {
        for _ in 0..5 {
            self.port = free_port();
            if start(&self.programs, &self.dir, self.port) {
                self.running = true;
                return;
            }
        }
        panic!(
            "PostgreSQL did not start in {}: {}",
            self.dir.display(),
            std::fs::read_to_string(self.dir.join("server.log")).unwrap_or_default()
        );
    }
}

/// Its settings: loopback TCP on `port`, its socket in its own folder, no `fsync` (the test's
/// data need not survive a power cut). Appended last, so that a replica's copy of its primary's
/// settings is overridden.
fn write_settings(dir: &Path, port: u16) {
    let socket = dir.to_string_lossy().replace('\'', "''");
    let conf = dir.join("postgresql.conf");
    let mut text = std::fs::read_to_string(&conf).expect("postgresql.conf");
    text.push_str(&format!(
        "\nlisten_addresses = '127.0.0.1'\nport = {port}\nunix_socket_directories = '{socket}'\n\
         fsync = off\nmax_connections = 120\n"
    ));
    std::fs::write(&conf, text).expect("postgresql.conf written");
}

/// Starts the cluster in `dir` on `port`; whether it started.
fn start(programs: &Programs, dir: &Path, port: u16) -> bool {
    write_settings(dir, port);
    programs
        .command("pg_ctl")
        .arg("-D")
        .arg(dir)
        .arg("-l")
        .arg(dir.join("server.log"))
        .args(["-w", "-t", "60", "start"])
        .output()
        .expect("pg_ctl runs")
        .status
        .success()
}

fn stop(programs: &Programs, dir: &Path, mode: &str) {
    let _ = programs
        .command("pg_ctl")
        .arg("-D")
        .arg(dir)
        .args(["-m", mode, "-w", "-t", "60", "stop"])
        .output();
}

impl Drop for Cluster {
    /// Stops it and removes its folder (and the pair's, once both are gone).
    fn drop(&mut self) {
        if self.running {
            stop(&self.programs, &self.dir, "immediate");
        }
        let _ = std::fs::remove_dir_all(&self.dir);
        let _ = std::fs::remove_dir(&self.top);
    }
}

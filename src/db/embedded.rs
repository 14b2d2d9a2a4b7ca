//! The embedded default: a PostgreSQL cluster of our own under the data folder, reached over
//! a Unix socket in that folder (no TCP port to collide with), started with Vigie and stopped
//! with it. PostgreSQL refuses to run as root, so a root process runs it as an unprivileged
//! system user (`postgres`, else `nobody`) that owns the folder.
//!
//! This module blocks (it runs programs and waits for them); call it from `spawn_blocking`.

use std::ffi::OsString;
use std::fs::{self, File, OpenOptions};
use std::io::{self, Read, Seek, SeekFrom};
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use nix::sys::signal::{Signal, kill};
use nix::unistd::{Pid, User, geteuid};
use sqlx::postgres::PgConnectOptions;

/// The cluster's superuser; only reachable through the socket in the cluster's own folder.
const SUPERUSER: &str = "vigie";
/// Only used in the socket file's name (`.s.PGSQL.5432`); nothing listens on TCP.
const PORT: u16 = 5432;
/// Where distributions put versioned server programs (`/usr/lib/postgresql/15/bin`).
const VERSIONED_ROOTS: &[&str] = &["/usr/lib/postgresql", "/usr/pgsql"];

#[derive(Debug, thiserror::Error)]
pub enum EmbeddedError {
    #[error(
        "no PostgreSQL server programs (initdb, postgres) found in {searched}: \
         install PostgreSQL or set DATABASE_URL"
    )]
    NotFound { searched: String },
    #[error(
        "running as root, but there is no unprivileged user (postgres or nobody) to run PostgreSQL"
    )]
    NoUnprivilegedUser,
    #[error(
        "PostgreSQL runs as user {user}, who cannot reach {dir} ({blocker} is closed to them): \
         set VIGIE_DATA_DIR to a folder they can reach"
    )]
    Unreachable {
        user: String,
        dir: PathBuf,
        blocker: PathBuf,
    },
    #[error("the socket path in {0} is too long for a Unix socket: set a shorter VIGIE_DATA_DIR")]
    PathTooLong(PathBuf),
    #[error("initdb failed in {dir}: {output}")]
    Initdb { dir: PathBuf, output: String },
    #[error("PostgreSQL did not become ready in {dir}: {log}")]
    NotReady { dir: PathBuf, log: String },
    #[error("{doing}: {source}")]
    Io {
        doing: &'static str,
        source: io::Error,
    },
}

fn io_err(doing: &'static str) -> impl FnOnce(io::Error) -> EmbeddedError {
    move |source| EmbeddedError::Io { doing, source }
}

/// A running embedded server. Stopped by [`EmbeddedPostgres::stop`] or on drop.
#[derive(Debug)]
pub struct EmbeddedPostgres {
    dir: PathBuf,
    server: Option<Server>,
}

#[derive(Debug)]
enum Server {
    /// We started it.
    Child(Child),
    /// It was already running in this folder (left by a process that was killed): we use it
    /// and stop it when we are done, as if we had started it.
    Adopted(Pid),
}

impl EmbeddedPostgres {
    /// Finds the server programs, creates the cluster in `dir` on first use, starts it (or
    /// reuses the one already running there) and waits until it accepts connections.
    /// `bindir` overrides the search for the programs.
    pub fn start(dir: &Path, bindir: Option<&Path>) -> Result<Self, EmbeddedError> {
        let bindir = find_bindir(bindir, std::env::var_os("PATH"), VERSIONED_ROOTS)?;
        let run_as = if geteuid().is_root() {
            Some(unprivileged_user()?)
        } else {
            None
        };

        fs::create_dir_all(dir).map_err(io_err("creating the data folder"))?;
        let dir = dir
            .canonicalize()
            .map_err(io_err("resolving the data folder"))?;
        if dir.join(format!(".s.PGSQL.{PORT}")).as_os_str().len() > 107 {
            return Err(EmbeddedError::PathTooLong(dir));
        }
        if let Some(user) = &run_as {
            std::os::unix::fs::chown(&dir, Some(user.uid.as_raw()), Some(user.gid.as_raw()))
                .map_err(io_err("giving the data folder to the PostgreSQL user"))?;
            check_reachable(&dir, user)?;
        }
        fs::set_permissions(&dir, fs::Permissions::from_mode(0o700))
            .map_err(io_err("restricting the data folder"))?;

        if !dir.join("PG_VERSION").exists() {
            initdb(&bindir, &dir, run_as.as_ref())?;
        }
        if let Some(pid) = running_postmaster(&dir) {
            tracing::info!(dir = %dir.display(), %pid, "reusing the embedded PostgreSQL already running");
            let mut me = Self {
                dir,
                server: Some(Server::Adopted(pid)),
            };
            me.wait_ready()?;
            return Ok(me);
        }

        let log = OpenOptions::new()
            .create(true)
            .append(true)
            .open(dir.join("server.log"))
            .map_err(io_err("opening the PostgreSQL log"))?;
        let mut cmd = Command::new(bindir.join("postgres"));
        cmd.arg("-D")
            .arg(&dir)
            .arg("-k")
            .arg(&dir)
            .arg("-p")
            .arg(PORT.to_string())
            .args(["-c", "listen_addresses="])
            .stdin(Stdio::null())
            .stdout(
                log.try_clone()
                    .map_err(io_err("opening the PostgreSQL log"))?,
            )
            .stderr(log)
            .current_dir(&dir)
            // Its own process group: a Ctrl-C in the terminal reaches Vigie, which drains its
            // requests and then stops PostgreSQL, instead of both stopping at once.
            .process_group(0);
        drop_privileges(&mut cmd, run_as.as_ref());
        let child = cmd.spawn().map_err(io_err("starting postgres"))?;
        tracing::info!(dir = %dir.display(), "started the embedded PostgreSQL");
        let mut me = Self {
            dir,
            server: Some(Server::Child(child)),
        };
        me.wait_ready()?;
        Ok(me)
    }

    /// How to connect to database `database` on this server.
    pub fn connect_options(&self, database: &str) -> PgConnectOptions {
        PgConnectOptions::new_without_pgpass()
            .socket(&self.dir)
            .port(PORT)
            .username(SUPERUSER)
            .database(database)
    }

    /// The server's process id while it runs.
    pub fn pid(&self) -> Option<i32> {
        self.server.as_ref().map(|s| s.pid().as_raw())
    }

    /// The folder the cluster and its socket live in.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Stops the server with a fast shutdown (open sessions are ended, data is flushed) and
    /// waits for it to exit. Safe to call twice.
    pub fn stop(&mut self) {
        let Some(server) = self.server.take() else {
            return;
        };
        let pid = server.pid();
        if kill(pid, Signal::SIGINT).is_err() {
            return;
        }
        let deadline = Instant::now() + Duration::from_secs(30);
        let mut server = server;
        while !server.exited() {
            if Instant::now() > deadline {
                tracing::warn!(%pid, "PostgreSQL did not stop in 30 s; sending an immediate shutdown");
                let _ = kill(pid, Signal::SIGQUIT);
                break;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        tracing::info!(dir = %self.dir.display(), "stopped the embedded PostgreSQL");
    }

    fn wait_ready(&mut self) -> Result<(), EmbeddedError> {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let exited = self.server.as_mut().is_none_or(Server::exited);
            if exited {
                self.server = None;
                return Err(self.not_ready());
            }
            // The postmaster writes "ready" on the 8th line of its pid file once it accepts
            // connections.
            let pid_file = fs::read_to_string(self.dir.join("postmaster.pid")).unwrap_or_default();
            if pid_file.lines().nth(7).is_some_and(|l| l.trim() == "ready") {
                return Ok(());
            }
            if Instant::now() > deadline {
                let err = self.not_ready();
                self.stop();
                return Err(err);
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn not_ready(&self) -> EmbeddedError {
        EmbeddedError::NotReady {
            dir: self.dir.clone(),
            log: log_tail(&self.dir.join("server.log")),
        }
    }
}

impl Drop for EmbeddedPostgres {
    fn drop(&mut self) {
        self.stop();
    }
}

impl Server {
    fn pid(&self) -> Pid {
        match self {
            Server::Child(child) => Pid::from_raw(child.id().cast_signed()),
            Server::Adopted(pid) => *pid,
        }
    }

    fn exited(&mut self) -> bool {
        match self {
            // try_wait also reaps it, so no zombie is left behind.
            Server::Child(child) => !matches!(child.try_wait(), Ok(None)),
            Server::Adopted(pid) => kill(*pid, None).is_err(),
        }
    }
}

/// The folder holding `postgres` and `initdb`: `explicit` if given, else the first of `PATH`,
/// `pg_config --bindir`, and the newest version under `roots`.
pub fn find_bindir(
    explicit: Option<&Path>,
    path: Option<OsString>,
    roots: &[&str],
) -> Result<PathBuf, EmbeddedError> {
    let has_server = |dir: &Path| dir.join("postgres").is_file() && dir.join("initdb").is_file();
    if let Some(dir) = explicit {
        return if has_server(dir) {
            Ok(dir.to_owned())
        } else {
            Err(EmbeddedError::NotFound {
                searched: format!("VIGIE_PG_BINDIR={}", dir.display()),
            })
        };
    }
    let path = path.unwrap_or_default();
    if let Some(dir) = std::env::split_paths(&path).find(|d| has_server(d)) {
        return Ok(dir);
    }
    let pg_config = Command::new("pg_config")
        .arg("--bindir")
        .env("PATH", &path)
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| PathBuf::from(String::from_utf8_lossy(&o.stdout).trim()));
    if let Some(dir) = pg_config.filter(|d| has_server(d)) {
        return Ok(dir);
    }
    let mut versioned: Vec<(u32, PathBuf)> = roots
        .iter()
        .filter_map(|root| fs::read_dir(root).ok())
        .flatten()
        .filter_map(Result::ok)
        .filter_map(|e| {
            let version = e.file_name().to_str()?.split('.').next()?.parse().ok()?;
            Some((version, e.path().join("bin")))
        })
        .filter(|(_, bin)| has_server(bin))
        .collect();
    versioned.sort();
    versioned
        .pop()
        .map(|(_, bin)| bin)
        .ok_or_else(|| EmbeddedError::NotFound {
            searched: format!("PATH, pg_config --bindir and {}", roots.join(", ")),
        })
}

fn unprivileged_user() -> Result<User, EmbeddedError> {
    ["postgres", "nobody"]
        .iter()
        .find_map(|name| User::from_name(name).ok().flatten())
        .ok_or(EmbeddedError::NoUnprivilegedUser)
}

fn drop_privileges(cmd: &mut Command, user: Option<&User>) {
    if let Some(user) = user {
        // As root, std also clears the supplementary groups before switching.
        cmd.uid(user.uid.as_raw()).gid(user.gid.as_raw());
    }
}

/// Every folder above `dir` must let `user` pass through, or PostgreSQL cannot open its files.
fn check_reachable(dir: &Path, user: &User) -> Result<(), EmbeddedError> {
    for ancestor in dir.ancestors().skip(1) {
        let Ok(meta) = fs::metadata(ancestor) else {
            continue;
        };
        let mode = meta.mode();
        let passes = if meta.uid() == user.uid.as_raw() {
            mode & 0o100 != 0
        } else if meta.gid() == user.gid.as_raw() {
            mode & 0o010 != 0
        } else {
            mode & 0o001 != 0
        };
        if !passes {
            return Err(EmbeddedError::Unreachable {
                user: user.name.clone(),
                dir: dir.to_owned(),
                blocker: ancestor.to_owned(),
            });
        }
    }
    Ok(())
}

fn initdb(bindir: &Path, dir: &Path, run_as: Option<&User>) -> Result<(), EmbeddedError> {
    tracing::info!(dir = %dir.display(), "creating the embedded PostgreSQL cluster (first run)");
    let mut cmd = Command::new(bindir.join("initdb"));
    cmd.arg("-D")
        .arg(dir)
        .args([
            "-U",
            SUPERUSER,
            "--auth=trust",
            "--encoding=UTF8",
            "--locale=C.UTF-8",
        ])
        .current_dir(dir)
        .stdin(Stdio::null());
    drop_privileges(&mut cmd, run_as);
    let out = cmd.output().map_err(io_err("running initdb"))?;
    if out.status.success() {
        Ok(())
    } else {
        let mut output = String::from_utf8_lossy(&out.stderr).trim().to_owned();
        if output.is_empty() {
            output = String::from_utf8_lossy(&out.stdout).trim().to_owned();
        }
        Err(EmbeddedError::Initdb {
            dir: dir.to_owned(),
            output: output.lines().last().unwrap_or("no output").to_owned(),
        })
    }
}

/// The pid of a postmaster already running on this folder, if any.
fn running_postmaster(dir: &Path) -> Option<Pid> {
    let text = fs::read_to_string(dir.join("postmaster.pid")).ok()?;
    let pid = Pid::from_raw(text.lines().next()?.trim().parse().ok()?);
    kill(pid, None).is_ok().then_some(pid)
}

/// The last lines of the server log, for an error message.
fn log_tail(path: &Path) -> String {
    let mut text = String::new();
    if let Ok(mut f) = File::open(path) {
        let len = f.metadata().map(|m| m.len()).unwrap_or(0);
        let _ = f.seek(SeekFrom::Start(len.saturating_sub(2000)));
        let _ = f.read_to_string(&mut text);
    }
    let lines: Vec<&str> = text.lines().rev().take(3).collect();
    let tail: Vec<&str> = lines.into_iter().rev().collect();
    if tail.is_empty() {
        format!("see {}", path.display())
    } else {
        tail.join(" / ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nothing_found_says_to_install_postgresql_or_set_database_url() {
        let err = find_bindir(None, Some(OsString::new()), &[]).unwrap_err();
        let msg = err.to_string();
        assert!(
            msg.contains("install PostgreSQL or set DATABASE_URL"),
            "{msg}"
        );
        assert!(!msg.contains('\n'), "one line: {msg}");
    }

    #[test]
    fn an_explicit_folder_without_the_programs_is_refused() {
        let err = find_bindir(Some(Path::new("/nonexistent")), None, VERSIONED_ROOTS).unwrap_err();
        assert!(
            err.to_string().contains("VIGIE_PG_BINDIR=/nonexistent"),
            "{err}"
        );
    }
}

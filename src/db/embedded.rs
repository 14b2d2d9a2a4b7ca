//! The embedded default: a PostgreSQL cluster of our own under the data folder, reached over
//! a Unix socket in that folder (no TCP port to collide with), started with Vigie and stopped
//! with it. PostgreSQL refuses to run as root, so a root process runs it as an unprivileged
//! system user (`postgres`, else `nobody`) that owns the folder.
//!
//! The server is run with PostgreSQL's own `pg_ctl` (which handles stale pid files, waits for
//! readiness and shuts down cleanly). This module blocks: call it from `spawn_blocking`.

use std::ffi::OsString;
use std::fs::{self, File, OpenOptions};
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use nix::fcntl::{Flock, FlockArg};
use nix::unistd::{User, geteuid};
use sqlx::postgres::PgConnectOptions;

/// The cluster's superuser; only reachable through the socket in the cluster's own folder.
const SUPERUSER: &str = "vigie";
/// Only used in the socket file's name (`.s.PGSQL.5432`); nothing listens on TCP.
const PORT: u16 = 5432;
/// The line in postgresql.conf that brings in Vigie's settings.
const INCLUDE_LINE: &str = "include_if_exists = 'vigie.conf'";
/// Where distributions put versioned server programs (`/usr/lib/postgresql/15/bin`).
const VERSIONED_ROOTS: &[&str] = &["/usr/lib/postgresql", "/usr/pgsql"];

#[derive(Debug, thiserror::Error)]
pub enum EmbeddedError {
    #[error(
        "no PostgreSQL server programs (initdb, pg_ctl, postgres) found in {searched}: \
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
    #[error("another Vigie is already using {0}: stop it first, or set another VIGIE_DATA_DIR")]
    Busy(PathBuf),
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

/// A running embedded server, stopped by [`EmbeddedPostgres::stop`] or on drop. While it
/// lives, this process holds a lock on the folder: a second Vigie on the same folder is refused
/// instead of stopping the database under the first one.
#[derive(Debug)]
pub struct EmbeddedPostgres {
    dir: PathBuf,
    bindir: PathBuf,
    run_as: Option<User>,
    running: bool,
    _lock: Flock<File>,
}

impl EmbeddedPostgres {
    /// Finds the server programs, creates the cluster in `dir` on first use, starts it (or
    /// takes over the one a killed Vigie left running there) and waits until it accepts
    /// connections. `bindir` overrides the search for the programs.
    pub fn start(dir: &Path, bindir: Option<&Path>) -> Result<Self, EmbeddedError> {
        let Programs { bindir, run_as } = Programs::find(bindir)?;

        fs::create_dir_all(dir).map_err(io_err("creating the data folder"))?;
        let dir = dir
            .canonicalize()
            .map_err(io_err("resolving the data folder"))?;
        if dir.join(format!(".s.PGSQL.{PORT}")).as_os_str().len() > 107 {
            return Err(EmbeddedError::PathTooLong(dir));
        }
        let lock_file = File::create(dir.with_extension("lock"))
            .map_err(io_err("creating the data folder's lock file"))?;
        let lock = Flock::lock(lock_file, FlockArg::LockExclusiveNonblock)
            .map_err(|_| EmbeddedError::Busy(dir.clone()))?;
        if let Some(user) = &run_as {
            give(&dir, user)?;
            check_reachable(&dir, user)?;
        }
        fs::set_permissions(&dir, fs::Permissions::from_mode(0o700))
            .map_err(io_err("restricting the data folder"))?;

        let mut me = Self {
            dir,
            bindir,
            run_as,
            running: false,
            _lock: lock,
        };
        if !me.dir.join("PG_VERSION").exists() {
            me.initdb()?;
        }
        me.write_settings()?;
        if me.pg_ctl(&["status"]).is_ok_and(|o| o.status.success()) {
            // Only a Vigie killed before it could stop its server leaves one running here
            // (we hold the folder's lock): take it over, and stop it when we are done.
            tracing::info!(dir = %me.dir.display(), "taking over the embedded PostgreSQL left running");
            me.running = true;
            return Ok(me);
        }
        let log = me.dir.join("server.log");
        if let (Some(user), true) = (&me.run_as, log.exists()) {
            give(&log, user)?;
        }
        let log_arg = log.to_string_lossy().into_owned();
        let started = me
            .pg_ctl(&["start", "-w", "-t", "60", "-l", &log_arg])
            .map_err(io_err("running pg_ctl start"))?;
        if !started.status.success() {
            let said = String::from_utf8_lossy(&started.stderr)
                .trim()
                .replace('\n', " / ");
            return Err(EmbeddedError::NotReady {
                dir: me.dir.clone(),
                log: if said.is_empty() {
                    log_tail(&log)
                } else {
                    said
                },
            });
        }
        me.running = true;
        tracing::info!(dir = %me.dir.display(), "started the embedded PostgreSQL");
        Ok(me)
    }

    /// How to connect to database `database` on this server.
    pub fn connect_options(&self, database: &str) -> PgConnectOptions {
        Self::socket_options(&self.dir, database)
    }

    /// How to reach the server of the cluster in `dir` (whoever started it).
    pub fn socket_options(dir: &Path, database: &str) -> PgConnectOptions {
        PgConnectOptions::new_without_pgpass()
            .socket(dir)
            .port(PORT)
            .username(SUPERUSER)
            .database(database)
    }

    /// The server's process id while it runs (from its pid file).
    pub fn pid(&self) -> Option<i32> {
        let text = fs::read_to_string(self.dir.join("postmaster.pid")).ok()?;
        text.lines().next()?.trim().parse().ok()
    }

    /// The folder the cluster and its socket live in.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Stops the server with a fast shutdown (sessions end, data is flushed) and waits for it
    /// to exit. Safe to call twice.
    pub fn stop(&mut self) {
        if !std::mem::take(&mut self.running) {
            return;
        }
        match self.pg_ctl(&["stop", "-m", "fast", "-w", "-t", "60"]) {
            Ok(out) if out.status.success() => {
                tracing::info!(dir = %self.dir.display(), "stopped the embedded PostgreSQL");
            }
            Ok(out) => tracing::warn!(
                dir = %self.dir.display(),
                output = %String::from_utf8_lossy(&out.stderr).trim(),
                "pg_ctl stop failed"
            ),
            Err(e) => tracing::warn!(error = %e, "could not run pg_ctl stop"),
        }
    }

    /// Runs `pg_ctl <args> -D <dir>` as the cluster's owner.
    fn pg_ctl(&self, args: &[&str]) -> io::Result<std::process::Output> {
        let mut cmd = Command::new(self.bindir.join("pg_ctl"));
        cmd.args(args)
            .arg("-D")
            .arg(&self.dir)
            .arg("-s")
            .current_dir(&self.dir)
            .stdin(Stdio::null());
        drop_privileges(&mut cmd, self.run_as.as_ref());
        cmd.output()
    }

    fn initdb(&self) -> Result<(), EmbeddedError> {
        tracing::info!(dir = %self.dir.display(), "creating the embedded PostgreSQL cluster (first run)");
        let mut cmd = Command::new(self.bindir.join("initdb"));
        cmd.arg("-D")
            .arg(&self.dir)
            .args([
                "-U",
                SUPERUSER,
                "--auth=trust",
                "--encoding=UTF8",
                "--locale=C.UTF-8",
            ])
            .current_dir(&self.dir)
            .stdin(Stdio::null());
        drop_privileges(&mut cmd, self.run_as.as_ref());
        let out = cmd.output().map_err(io_err("running initdb"))?;
        if !out.status.success() {
            let stderr = String::from_utf8_lossy(&out.stderr);
            return Err(EmbeddedError::Initdb {
                dir: self.dir.clone(),
                output: stderr.lines().last().unwrap_or("no output").to_owned(),
            });
        }
        Ok(())
    }

    /// No TCP at all; the socket in the cluster's own folder, for its owner only. Rewritten at
    /// every start so a moved folder still works.
    fn write_settings(&self) -> Result<(), EmbeddedError> {
        let dir = self.dir.to_string_lossy().replace('\'', "''");
        let path = self.dir.join("vigie.conf");
        fs::write(
            &path,
            format!("listen_addresses = ''\nunix_socket_directories = '{dir}'\nunix_socket_permissions = 0700\n"),
        )
        .map_err(io_err("writing vigie.conf"))?;
        if let Some(user) = &self.run_as {
            give(&path, user)?;
        }
        // Include it from postgresql.conf, once (clusters made by older Vigies lack the line).
        let conf_path = self.dir.join("postgresql.conf");
        let conf = fs::read_to_string(&conf_path).map_err(io_err("reading postgresql.conf"))?;
        if !conf.contains(INCLUDE_LINE) {
            let mut conf = OpenOptions::new()
                .append(true)
                .open(&conf_path)
                .map_err(io_err("opening postgresql.conf"))?;
            writeln!(
                conf,
                "\n# Vigie's own settings, rewritten at every start.\n{INCLUDE_LINE}"
            )
            .map_err(io_err("writing postgresql.conf"))?;
        }
        Ok(())
    }
}

impl Drop for EmbeddedPostgres {
    fn drop(&mut self) {
        self.stop();
    }
}

/// PostgreSQL's programs and who runs them: the embedded server's, and those of tools that
/// run clusters of their own (the tests start a primary and its streaming replica with them).
#[derive(Debug, Clone)]
pub struct Programs {
    /// The folder the server programs really are in (links followed), where the other
    /// programs of the same version (`pg_basebackup`…) are too.
    pub bindir: PathBuf,
    /// An unprivileged user to run them as, when this process is root (PostgreSQL refuses
    /// to run as root).
    pub run_as: Option<User>,
}

impl Programs {
    /// Finds the programs (see [`find_bindir`]; `bindir` overrides the search).
    pub fn find(bindir: Option<&Path>) -> Result<Self, EmbeddedError> {
        let found = find_bindir(bindir, std::env::var_os("PATH"), VERSIONED_ROOTS)?;
        let bindir = fs::canonicalize(found.join("postgres"))
            .ok()
            .and_then(|p| p.parent().map(Path::to_path_buf))
            .unwrap_or(found);
        let run_as = if geteuid().is_root() {
            Some(unprivileged_user()?)
        } else {
            None
        };
        Ok(Self { bindir, run_as })
    }

    /// `program` of this folder, to be run as the clusters' owner.
    pub fn command(&self, program: &str) -> Command {
        let mut cmd = Command::new(self.bindir.join(program));
        cmd.stdin(Stdio::null());
        drop_privileges(&mut cmd, self.run_as.as_ref());
        cmd
    }

    /// Makes `path` belong to whoever runs the programs (nothing to do when not root).
    pub fn give(&self, path: &Path) -> Result<(), EmbeddedError> {
        match &self.run_as {
            Some(user) => give(path, user),
            None => Ok(()),
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
    let has_server = |dir: &Path| {
        ["postgres", "initdb", "pg_ctl"]
            .iter()
            .all(|program| dir.join(program).is_file())
    };
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

/// Makes `user` the owner of `path` (the cluster's folder or a file in it).
fn give(path: &Path, user: &User) -> Result<(), EmbeddedError> {
    std::os::unix::fs::chown(path, Some(user.uid.as_raw()), Some(user.gid.as_raw()))
        .map_err(io_err("giving the data folder to the PostgreSQL user"))
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

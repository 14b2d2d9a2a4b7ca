//! The database: where it comes from (`DATABASE_URL` or the embedded PostgreSQL), creating it
//! when missing, applying migrations, and the pool everyone else uses.

pub mod embedded;
pub mod replicas;

use std::str::FromStr;
use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::{AssertSqlSafe, Connection, PgConnection, PgPool, Postgres, Transaction};

use crate::config::Config;
use embedded::EmbeddedPostgres;

/// The migrations compiled into the binary.
pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!();

#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("DATABASE_URL is not a valid PostgreSQL URL")]
    BadUrl,
    #[error(transparent)]
    Embedded(#[from] embedded::EmbeddedError),
    #[error("could not reach PostgreSQL at {target}: {source}")]
    Connect { target: String, source: sqlx::Error },
    #[error("could not create database {name}: {source}")]
    Create { name: String, source: sqlx::Error },
    #[error("could not apply migrations: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
}

/// An open database; owns the embedded server, if any, and stops it on [`Database::close`]
/// (or when dropped).
pub struct Database {
    pub pool: PgPool,
    embedded: Option<EmbeddedPostgres>,
}

impl Database {
    /// Opens the configured database, creating it if it does not exist, and migrates it. The
    /// embedded default is started here, and refused if another Vigie runs it: a second server
    /// would stop the first one's database when it stops.
    pub async fn open(config: &Config) -> Result<Self, DbError> {
        Self::open_with(config, false).await
    }

    /// Like [`Database::open`], for the one-off verbs (`export`, `import`, `user create`…):
    /// with the embedded default already run by `vigie serve` in the same folder, they use
    /// that server, and leave it running.
    pub async fn open_beside_server(config: &Config) -> Result<Self, DbError> {
        Self::open_with(config, true).await
    }

    async fn open_with(config: &Config, beside_server: bool) -> Result<Self, DbError> {
        let (options, embedded) = match &config.database_url {
            Some(url) => (
                PgConnectOptions::from_str(url.expose()).map_err(|_| DbError::BadUrl)?,
                None,
            ),
            None => {
                let dir = config.data_dir.join("postgres");
                let bindir = config.pg_bindir.clone();
                let started = tokio::task::spawn_blocking(move || {
                    EmbeddedPostgres::start(&dir, bindir.as_deref())
                })
                .await
                .map_err(|e| embedded::EmbeddedError::Io {
                    doing: "starting the embedded PostgreSQL",
                    source: std::io::Error::other(e),
                })?;
                match started {
                    Ok(server) => (server.connect_options("vigie"), Some(server)),
                    Err(embedded::EmbeddedError::Busy(dir)) if beside_server => {
                        (EmbeddedPostgres::socket_options(&dir, "vigie"), None)
                    }
                    Err(e) => return Err(e.into()),
                }
            }
        };
        // From here on, an early return drops `embedded`, which stops the server.
        let pool = open_pool(options.clone(), PoolLimits::from_config(config)).await?;
        // Migrations may take minutes on a big archive: on a connection of their own, without
        // the pool's statement timeout.
        let mut conn = connect_patiently(&options).await?;
        MIGRATOR.run(&mut conn).await?;
        let _ = conn.close().await;
        Ok(Self { pool, embedded })
    }

    /// Closes the pool, then stops the embedded server if this process started it.
    pub async fn close(mut self) {
        self.pool.close().await;
        if let Some(mut server) = self.embedded.take() {
            let _ = tokio::task::spawn_blocking(move || server.stop()).await;
        }
    }
}

/// A read-only transaction in which every statement is planned with its actual parameter
/// values. For queries with optional filters (`$1 is null or author_id = $1`): a generic plan,
/// made once for any value, cannot use the index a given filter allows, and would walk the
/// whole date index for a rare author or word. One round trip (`begin` and `set` go together);
/// nothing is written, so dropping it without a commit is fine.
pub async fn planned_with_values(
    pool: &PgPool,
) -> Result<Transaction<'static, Postgres>, sqlx::Error> {
    pool.begin_with("begin read only; set local plan_cache_mode = force_custom_plan")
        .await
}

/// How long the pool lets a request wait, so that a database in trouble gives a quick 503
/// instead of requests piling up.
#[derive(Debug, Clone, Copy)]
pub struct PoolLimits {
    /// Waiting for a free (or new) connection.
    pub acquire: Duration,
    /// One statement's run (PostgreSQL's `statement_timeout`); zero: no limit.
    pub statement: Duration,
}

impl PoolLimits {
    /// `VIGIE_DB_WAIT` and `VIGIE_STATEMENT_TIMEOUT`.
    pub fn from_config(config: &Config) -> Self {
        Self {
            acquire: config.db_wait,
            statement: config.statement_timeout,
        }
    }
}

impl Default for PoolLimits {
    fn default() -> Self {
        Self {
            acquire: Duration::from_secs(3),
            statement: Duration::from_secs(10),
        }
    }
}

/// Creates the database named in `options` if missing, then opens a pool on it.
pub async fn open_pool(options: PgConnectOptions, limits: PoolLimits) -> Result<PgPool, DbError> {
    // Statements are prepared once per connection and, after a few runs, PostgreSQL keeps a
    // generic plan when it is as good: for the article page's queries, planning cost more than
    // running. Queries with optional filters run through [`planned_with_values`] instead.
    let statement_timeout = format!("{}ms", limits.statement.as_millis());
    let options = options
        .application_name("vigie")
        .options([("statement_timeout", statement_timeout.as_str())]);
    create_database_if_missing(&options).await?;
    pool_options(limits.acquire)
        .connect_with(options.clone())
        .await
        .map_err(|source| DbError::Connect {
            target: describe(&options),
            source,
        })
}

/// A pool of up to 16 connections that waits `acquire` for one.
pub(crate) fn pool_options(acquire: Duration) -> PgPoolOptions {
    PgPoolOptions::new()
        .max_connections(16)
        .acquire_timeout(acquire)
        // sqlx pings every connection it hands out by default: a round trip before each
        // query. Only a connection that sat idle may have been cut (a database restart) and
        // is checked; a busy one that breaks fails its query and is dropped on release.
        .test_before_acquire(false)
        .before_acquire(|conn, meta| {
            Box::pin(async move {
                if meta.idle_for > Duration::from_secs(1) {
                    conn.ping().await?;
                }
                Ok(true)
            })
        })
}

async fn create_database_if_missing(options: &PgConnectOptions) -> Result<(), DbError> {
    let name = options
        .get_database()
        .unwrap_or(options.get_username())
        .to_owned();
    // Try the database itself first: hosted servers often close `postgres` to applications.
    match connect_patiently(options).await {
        Ok(conn) => {
            let _ = conn.close().await;
            return Ok(());
        }
        Err(DbError::Connect {
            source: sqlx::Error::Database(e),
            ..
        }) if e.code().as_deref() == Some("3D000") => {}
        Err(e) => return Err(e),
    }
    let mut admin = connect_patiently(&options.clone().database("postgres")).await?;
    let sql = format!("create database \"{}\"", name.replace('"', "\"\""));
    match sqlx::query(AssertSqlSafe(sql)).execute(&mut admin).await {
        Ok(_) => tracing::info!(database = %name, "created database"),
        // Another instance created it at the same moment: fine.
        Err(sqlx::Error::Database(e)) if e.code().as_deref() == Some("42P04") => {}
        Err(source) => return Err(DbError::Create { name, source }),
    }
    let _ = admin.close().await;
    Ok(())
}

/// How long start-up waits for a database server that is still starting (e.g. next to us in
/// docker compose, or after a reboot) before giving up.
const CONNECT_PATIENCE: Duration = Duration::from_secs(30);

/// Connects, waiting up to [`CONNECT_PATIENCE`] for a server that is still starting.
async fn connect_patiently(options: &PgConnectOptions) -> Result<PgConnection, DbError> {
    let deadline = tokio::time::Instant::now() + CONNECT_PATIENCE;
    loop {
        match PgConnection::connect_with(options).await {
            Ok(conn) => return Ok(conn),
            Err(sqlx::Error::Io(e)) if tokio::time::Instant::now() < deadline => {
                tracing::info!(error = %e, target = %describe(options), "waiting for PostgreSQL");
                tokio::time::sleep(Duration::from_millis(500)).await;
            }
            Err(source) => {
                return Err(DbError::Connect {
                    target: describe(options),
                    source,
                });
            }
        }
    }
}

/// Where we connect, for messages: host or socket and database, never the password.
fn describe(options: &PgConnectOptions) -> String {
    let place = match options.get_socket() {
        Some(dir) => dir.display().to_string(),
        None => format!("{}:{}", options.get_host(), options.get_port()),
    };
    format!(
        "{place}/{}",
        options.get_database().unwrap_or(options.get_username())
    )
}

/// Whether PostgreSQL knows the time zone `name` (e.g. `Europe/Paris`).
pub async fn known_timezone(pool: &PgPool, name: &str) -> Result<bool, sqlx::Error> {
    sqlx::query_scalar("select exists (select 1 from pg_timezone_names where name = $1)")
        .bind(name)
        .fetch_one(pool)
        .await
}

/// Whether every migration this binary knows has been applied (for `/readyz`).
pub async fn migrations_applied(pool: &PgPool) -> Result<bool, sqlx::Error> {
    let latest = MIGRATOR.iter().map(|m| m.version).max().unwrap_or(0);
    let applied: Result<Option<i64>, sqlx::Error> =
        sqlx::query_scalar("select max(version) from _sqlx_migrations where success")
            .fetch_one(pool)
            .await;
    match applied {
        Ok(version) => Ok(version.unwrap_or(0) >= latest),
        // No migration table at all: reachable, but nothing applied yet.
        Err(sqlx::Error::Database(e)) if e.code().as_deref() == Some("42P01") => Ok(false),
        Err(e) => Err(e),
    }
}

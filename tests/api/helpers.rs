//! `TestApp`: one fresh database and one real server per test, plus ways to seed content and
//! read pages as a reader would.

use std::io::Write;
use std::net::SocketAddr;
use std::process::{ChildStdin, Command, Stdio};
use std::str::FromStr;
use std::sync::{Mutex, OnceLock};

use reqwest::StatusCode;
use reqwest::header::HeaderMap;
use scraper::{Html, Selector};
use sqlx::postgres::PgConnectOptions;
use sqlx::{AssertSqlSafe, Connection, PgConnection, PgPool};
use time::OffsetDateTime;
use tokio::sync::oneshot;
use uuid::Uuid;
use vigie::config::Config;
use vigie::db::embedded::EmbeddedPostgres;
use vigie::domain::{DisplayName, Email, Lang, Role, Title};
use vigie::store::articles::{self, Draft};
use vigie::store::users;
use vigie::{db, demo, web};

/// The French sample article's slug.
pub const SAMPLE: &str = "anthropic-et-washington-rester-ferme-sur-la-securite-de-l-ia";
/// The demo draft's slug and a word only its body contains.
pub const DRAFT: &str = "l-ai-act-face-aux-modeles-de-fondation";
pub const DRAFT_WORD: &str = "BROUILLONSECRET";

pub struct TestApp {
    pub addr: SocketAddr,
    pub pool: PgPool,
    pub client: reqwest::Client,
    db_name: String,
    stop: Option<oneshot::Sender<()>>,
}

/// A page as a reader gets it.
pub struct Page {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: String,
}

impl Page {
    pub fn html(&self) -> Html {
        Html::parse_document(&self.body)
    }

    /// The trimmed text of every element matching `css`.
    pub fn texts(&self, css: &str) -> Vec<String> {
        let selector = Selector::parse(css).expect("valid selector");
        self.html()
            .select(&selector)
            .map(|e| {
                e.text()
                    .collect::<String>()
                    .split_whitespace()
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .collect()
    }

    /// The value of `attr` on every element matching `css`.
    pub fn attrs(&self, css: &str, attr: &str) -> Vec<String> {
        let selector = Selector::parse(css).expect("valid selector");
        self.html()
            .select(&selector)
            .filter_map(|e| e.value().attr(attr).map(str::to_owned))
            .collect()
    }

    pub fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }
}

impl TestApp {
    /// A server on an empty, migrated database.
    pub async fn spawn() -> Self {
        Self::spawn_with(|_| {}).await
    }

    /// A server on a database holding the demo content.
    pub async fn with_demo() -> Self {
        let app = Self::spawn().await;
        demo::load(&app.pool, &app.base_url())
            .await
            .expect("demo content loads");
        app
    }

    /// A server whose settings `adjust` may change first.
    pub async fn spawn_with(adjust: impl FnOnce(&mut Config)) -> Self {
        Self::start(adjust, true).await
    }

    /// A server on a database that has never been migrated.
    pub async fn unmigrated() -> Self {
        Self::start(|_| {}, false).await
    }

    async fn start(adjust: impl FnOnce(&mut Config), migrate: bool) -> Self {
        let db_name = format!("vigie_test_{}", Uuid::new_v4().simple());
        let pool = db::open_pool(server_options().database(&db_name))
            .await
            .expect("test database opens");
        if migrate {
            db::MIGRATOR.run(&pool).await.expect("migrations apply");
        }
        let (listener, addr) = web::bind("127.0.0.1:0".parse().expect("address"))
            .await
            .expect("binds a port");
        let mut config = Config::from_lookup(|name| match name {
            "VIGIE_BASE_URL" => Some(format!("http://{addr}")),
            _ => None,
        })
        .expect("default config");
        adjust(&mut config);
        let header_timeout = config.header_timeout;
        let app = web::router(web::AppState::new(pool.clone(), config));
        let (stop, stopped) = oneshot::channel::<()>();
        tokio::spawn(web::serve(listener, app, header_timeout, async {
            let _ = stopped.await;
        }));
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("http client");
        Self {
            addr,
            pool,
            client,
            db_name,
            stop: Some(stop),
        }
    }

    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// GETs `path` (redirects are not followed) and reads the whole answer.
    pub async fn get(&self, path: &str) -> Page {
        self.get_with(path, &[]).await
    }

    pub async fn get_with(&self, path: &str, headers: &[(&str, &str)]) -> Page {
        let mut request = self.client.get(format!("{}{path}", self.base_url()));
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        let response = request.send().await.expect("request is answered");
        Page {
            status: response.status(),
            headers: response.headers().clone(),
            body: response.text().await.expect("body reads"),
        }
    }

    /// Creates an article by a fresh author and publishes it at `published_at` (`None`: it
    /// stays a draft). Returns its slug.
    pub async fn article(
        &self,
        title: &str,
        body: &str,
        published_at: Option<OffsetDateTime>,
    ) -> String {
        let mut tx = self.pool.begin().await.expect("transaction");
        let email =
            Email::parse(&format!("{}@vigie.example", Uuid::new_v4().simple())).expect("email");
        let author = users::create(
            &mut tx,
            &users::NewUser {
                email: &email,
                display_name: &DisplayName::parse("Alex Test").expect("name"),
                role: Role::Journalist,
                bio: "",
                password_hash: None,
            },
        )
        .await
        .expect("author");
        let title = Title::parse(title).expect("title");
        let draft = Draft {
            title: &title,
            dek: "",
            slug: None,
            lang: Lang::Fr,
            excerpt: "",
            body_markdown: body,
            tags: &[],
        };
        let saved = articles::create(&mut tx, author, Some(author), &draft, &self.base_url())
            .await
            .expect("article");
        if let Some(at) = published_at {
            articles::publish(&mut tx, saved.id, at, None)
                .await
                .expect("publish");
        }
        tx.commit().await.expect("commit");
        saved.slug.to_string()
    }
}

impl Drop for TestApp {
    /// Stops the server and drops the database, so no test leaves anything behind.
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        let options = server_options().database("postgres");
        let sql = format!("drop database if exists \"{}\" with (force)", self.db_name);
        // Drop cannot await; a short-lived thread with its own runtime does the async work.
        let dropped = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()?;
            rt.block_on(async {
                let mut conn = PgConnection::connect_with(&options)
                    .await
                    .map_err(std::io::Error::other)?;
                sqlx::query(AssertSqlSafe(sql))
                    .execute(&mut conn)
                    .await
                    .map_err(std::io::Error::other)?;
                Ok::<_, std::io::Error>(())
            })
        })
        .join();
        if !matches!(dropped, Ok(Ok(()))) {
            eprintln!(
                "warning: test database {} was not dropped: {dropped:?}",
                self.db_name
            );
        }
    }
}

/// How to reach the PostgreSQL server tests create their databases on.
pub fn server_options() -> PgConnectOptions {
    match std::env::var("DATABASE_URL") {
        Ok(url) if !url.is_empty() => {
            PgConnectOptions::from_str(&url).expect("DATABASE_URL parses")
        }
        _ => embedded_server().clone(),
    }
}

/// Starts, once per test process, an embedded PostgreSQL in a temporary folder. A watchdog
/// shell whose stdin we hold stops it and removes the folder when this process exits, however
/// it exits (the pipe closes either way).
fn embedded_server() -> &'static PgConnectOptions {
    static SERVER: OnceLock<PgConnectOptions> = OnceLock::new();
    static WATCHDOG: Mutex<Option<ChildStdin>> = Mutex::new(None);
    SERVER.get_or_init(|| {
        let dir = std::env::temp_dir().join(format!("vigie-tests-{}", std::process::id()));
        let server = EmbeddedPostgres::start(&dir, None).expect("embedded PostgreSQL starts for the tests");
        let pid = server.pid().expect("running").to_string();
        #[expect(clippy::zombie_processes, reason = "the watchdog must outlive this process")]
        let mut watchdog = Command::new("sh")
            .args([
                "-c",
                r#"read _; kill -INT "$1"; while kill -0 "$1" 2>/dev/null; do sleep 0.1; done; rm -rf "$2""#,
                "watchdog",
                &pid,
            ])
            .arg(server.dir())
            .stdin(Stdio::piped())
            .spawn()
            .expect("watchdog starts");
        let stdin = watchdog.stdin.take().expect("watchdog stdin");
        let _ = (&stdin).flush();
        *WATCHDOG.lock().expect("watchdog lock") = Some(stdin);
        let options = server.connect_options("postgres");
        // The watchdog owns the server's end from here on.
        std::mem::forget(server);
        options
    })
}

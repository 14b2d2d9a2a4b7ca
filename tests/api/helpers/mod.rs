//! `TestApp`: one fresh database and one real server per test, plus ways to seed content and
//! read pages as a reader would.

mod binary;
pub mod cluster;
mod forms;
pub mod s3;
pub mod smtp;

pub use binary::{Server, export_to, scratch, stderr, vigie};
pub use forms::{form_of, id_from, new_article, post, set};

use std::io::Write;
use std::net::SocketAddr;
use std::process::{ChildStdin, Command, Stdio};
use std::str::FromStr;
use std::sync::{Mutex, OnceLock};
use std::time::Duration;

use reqwest::StatusCode;
use reqwest::header::HeaderMap;
use scraper::{Html, Selector};
use sqlx::postgres::PgConnectOptions;
use sqlx::{AssertSqlSafe, Connection, PgConnection, PgPool};
use time::OffsetDateTime;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use uuid::Uuid;
use vigie::config::Config;
use vigie::db::embedded::EmbeddedPostgres;
use vigie::domain::ArticleStatus;
use vigie::domain::password::{self, Password};
use vigie::domain::{DisplayName, Email, Lang, Role, Title, markdown};
use vigie::seed::demo;
use vigie::store::articles::status::{self, Step, When};
use vigie::store::articles::write::{self, Draft};
use vigie::store::users;
use vigie::{db, web};

/// The French sample article's slug.
pub const SAMPLE: &str = "anthropic-et-washington-rester-ferme-sur-la-securite-de-l-ia";
/// The demo draft's slug and a word only its body contains.
pub const DRAFT: &str = "l-ai-act-face-aux-modeles-de-fondation";
pub const DRAFT_WORD: &str = "BROUILLONSECRET";

pub struct TestApp {
    pub addr: SocketAddr,
    pub pool: PgPool,
    pub client: reqwest::Client,
    config: Config,
    /// The PostgreSQL server the test database lives on, and its name there.
    server: PgConnectOptions,
    db_name: String,
    /// The test's port, bound for the test's whole life (a restart serves on a copy of it, so
    /// no other process can take the port in between).
    port: std::net::TcpListener,
    stop: Option<oneshot::Sender<()>>,
    /// The server task, awaited on restart so that the old server is gone first.
    serving: Option<JoinHandle<std::io::Result<()>>>,
    /// The server's state, to wait for its render cache (see [`TestApp::settle`]).
    state: web::AppState,
    /// Whether the schema is there (without it the content listener never connects).
    migrated: bool,
}

/// How long a test waits for a server's content listener to connect before failing.
const LISTENER_WAIT: Duration = Duration::from_secs(10);

/// A person with their own browser: a client that keeps cookies and follows no redirects.
/// A clone is another tab of the same browser (same cookies).
#[derive(Clone)]
pub struct Browser {
    pub client: reqwest::Client,
    base: String,
}

/// An account created for a test, with the password it signs in with.
pub struct Account {
    pub id: Uuid,
    pub email: String,
    pub password: String,
    pub slug: String,
}

/// A password no rule refuses.
pub const PASSWORD: &str = "une phrase de passe assez longue";

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
        demo::load(&app.pool, &app.state().media, &app.base_url())
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
        Self::start_on(server_options(), db::PoolLimits::default(), adjust, migrate).await
    }

    /// A server on a new database on `server` (a PostgreSQL the test may own and restart),
    /// with a pool that waits `limits`.
    pub async fn start_on(
        server: PgConnectOptions,
        limits: db::PoolLimits,
        adjust: impl FnOnce(&mut Config),
        migrate: bool,
    ) -> Self {
        let db_name = format!("vigie_test_{}", Uuid::new_v4().simple());
        let pool = db::open_pool(server.clone().database(&db_name), limits)
            .await
            .expect("test database opens");
        if migrate {
            db::MIGRATOR.run(&pool).await.expect("migrations apply");
        }
        let port = std::net::TcpListener::bind("127.0.0.1:0").expect("binds a port");
        port.set_nonblocking(true).expect("non-blocking port");
        let addr = port.local_addr().expect("bound address");
        let mut config = Config::from_lookup(|name| match name {
            "VIGIE_BASE_URL" => Some(format!("http://{addr}")),
            _ => None,
        })
        .expect("default config");
        // Each test's media files in a data folder of its own, removed with the test (the
        // binary, run for this test, is given the same folder).
        config.data_dir = std::env::temp_dir().join(format!("vigie-data-{db_name}"));
        config.media = vigie::config::MediaStorage::Local(config.data_dir.join("media"));
        adjust(&mut config);
        let (stop, serving, state) = serve(&port, &pool, &config).await;
        let app = Self {
            addr,
            pool,
            client: new_client(),
            config,
            server,
            db_name,
            port,
            stop: Some(stop),
            serving: Some(serving),
            state,
            migrated: migrate,
        };
        app.settle().await;
        app
    }

    /// Stops the server and starts a new one on the same database and address, as a deploy or
    /// a crash and restart would.
    pub async fn restart(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(serving) = self.serving.take() {
            serving
                .await
                .expect("the server task ends")
                .expect("the server stops cleanly");
        }
        let (stop, serving, state) = serve(&self.port, &self.pool, &self.config).await;
        self.stop = Some(stop);
        self.serving = Some(serving);
        self.state = state;
        self.settle().await;
    }

    /// A new browser with no cookies.
    pub fn browser(&self) -> Browser {
        Browser {
            client: new_client(),
            base: self.base_url(),
        }
    }

    /// A new browser with no cookies, on a machine at `ip` (a loopback address: 127.0.0.2…).
    pub fn browser_at(&self, ip: &str) -> Browser {
        Browser {
            client: client_builder()
                .local_address(ip.parse::<std::net::IpAddr>().expect("an address"))
                .build()
                .expect("http client"),
            base: self.base_url(),
        }
    }

    /// Creates an account that can sign in with [`PASSWORD`].
    pub async fn account(&self, role: Role) -> Account {
        let email = format!("{}-{}@vigie.example", role, Uuid::new_v4().simple());
        let hash = password::hash(&Password::parse(PASSWORD).expect("valid")).expect("hash");
        let mut tx = self.pool.begin().await.expect("transaction");
        let name = DisplayName::parse(&format!("Compte {role}")).expect("name");
        let id = users::create(
            &mut tx,
            &users::NewUser {
                email: &Email::parse(&email).expect("email"),
                display_name: &name,
                role,
                bio: "",
                password_hash: Some(&hash),
            },
        )
        .await
        .expect("account");
        tx.commit().await.expect("commit");
        let slug = sqlx::query_scalar("select slug from app_user where id = $1")
            .bind(id)
            .fetch_one(&self.pool)
            .await
            .expect("slug");
        Account {
            id,
            email,
            password: PASSWORD.to_owned(),
            slug,
        }
    }

    /// A browser signed in as a new account with `role`.
    pub async fn signed_in(&self, role: Role) -> (Browser, Account) {
        let account = self.account(role).await;
        let browser = self.browser();
        let page = browser.sign_in(&account.email, &account.password).await;
        assert_eq!(page.status, 303, "sign-in works: {}", page.body);
        (browser, account)
    }

    /// The id of the article at `slug`.
    pub async fn article_id(&self, slug: &str) -> Uuid {
        sqlx::query_scalar("select id from article where slug = $1")
            .bind(slug)
            .fetch_one(&self.pool)
            .await
            .expect("the article")
    }

    /// The article's version and body as they are stored now.
    pub async fn version_and_body(&self, id: Uuid) -> (i32, String) {
        sqlx::query_as("select version, body_markdown from article where id = $1")
            .bind(id)
            .fetch_one(&self.pool)
            .await
            .expect("the article")
    }

    /// The name of this test's database.
    pub fn db_name(&self) -> &str {
        &self.db_name
    }

    /// A `DATABASE_URL` for this test's database, for running the binary against it.
    pub fn database_url(&self) -> String {
        database_url_for(&self.db_name)
    }

    /// Starts another instance of the site on this test's database, with settings `adjust`
    /// may change (as a second machine behind a load balancer would run). It serves until the
    /// returned sender is dropped.
    pub async fn another_instance(
        &self,
        adjust: impl FnOnce(&mut Config),
    ) -> (SocketAddr, oneshot::Sender<()>) {
        let port = std::net::TcpListener::bind("127.0.0.1:0").expect("binds a port");
        port.set_nonblocking(true).expect("non-blocking port");
        let addr = port.local_addr().expect("bound address");
        let mut config = self.config.clone();
        config.base_url = format!("http://{addr}");
        adjust(&mut config);
        let (stop, _serving, state) = serve(&port, &self.pool, &config).await;
        tokio::time::timeout(LISTENER_WAIT, state.content_listener())
            .await
            .expect("the content listener connects");
        (addr, stop)
    }

    /// The folder of this test's own files (`VIGIE_DATA_DIR`: its media are under `media/`).
    pub fn data_dir(&self) -> &std::path::Path {
        &self.config.data_dir
    }

    /// The running server's state (to look at what it holds, never to change it).
    pub fn state(&self) -> &web::AppState {
        &self.state
    }

    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// GETs `path` (redirects are not followed) and reads the whole answer.
    pub async fn get(&self, path: &str) -> Page {
        self.get_with(path, &[]).await
    }

    /// Returns once the server's render cache has taken in every change committed so far,
    /// however it was made (tests often write straight to the database): first its content
    /// listener must be connected, or the change could not reach it at all. The related
    /// articles a change affects are computed in the background (`related` jobs): those due
    /// are done first.
    pub async fn settle(&self) {
        if self.migrated {
            tokio::time::timeout(LISTENER_WAIT, self.state.content_listener())
                .await
                .expect("the content listener connects");
            self.related_done().await;
            assert!(
                self.state.sync_content().await,
                "the render cache confirms the changes so far"
            );
        }
    }

    /// Returns once no `related` job is due or running.
    pub async fn related_done(&self) {
        for _ in 0..400 {
            let waiting: bool = sqlx::query_scalar(
                "select exists (select 1 from job where kind = 'related' and not failed
                                and (run_after <= now() or lease_until > now()))",
            )
            .fetch_one(&self.pool)
            .await
            .expect("the job queue reads");
            if !waiting {
                return;
            }
            tokio::time::sleep(std::time::Duration::from_millis(25)).await;
        }
        panic!("related jobs still due after ten seconds");
    }

    /// Like [`TestApp::get_with`], after [`TestApp::settle`].
    pub async fn get_with(&self, path: &str, headers: &[(&str, &str)]) -> Page {
        self.settle().await;
        self.get_unsettled(path, headers).await
    }

    /// A GET straight away, as a reader would: the cache may not have caught up yet.
    pub async fn get_unsettled(&self, path: &str, headers: &[(&str, &str)]) -> Page {
        let mut request = self.client.get(format!("{}{path}", self.base_url()));
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        read(request).await
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
        tx.commit().await.expect("commit");
        self.article_by(author, title, body, published_at).await
    }

    /// Like [`TestApp::article`], by an existing author.
    pub async fn article_by(
        &self,
        author: Uuid,
        title: &str,
        body: &str,
        published_at: Option<OffsetDateTime>,
    ) -> String {
        let mut tx = self.pool.begin().await.expect("transaction");
        let title = Title::parse(title).expect("title");
        let draft = Draft {
            title: &title,
            dek: "",
            slug: None,
            lang: Lang::Fr,
            excerpt: "",
            body_markdown: body,
            tags: &[],
            related: &[],
            save_key: None,
            social: None,
            featured: None,
            disclosure: None,
        };
        let rendered = markdown::render(body, &self.base_url(), Lang::Fr);
        let created = write::create(&mut tx, author, Some(author), &draft, &rendered)
            .await
            .expect("article");
        if let Some(at) = published_at {
            let seen = (ArticleStatus::Draft, created.version);
            let published =
                status::change(&mut tx, created.id, seen, Step::Publish(When::At(at)), None)
                    .await
                    .expect("publish");
            assert!(published.done(), "a new draft publishes");
        }
        tx.commit().await.expect("commit");
        created.slug.to_string()
    }
}

impl Drop for TestApp {
    /// Stops the server and drops the database, so no test leaves anything behind.
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        let _ = std::fs::remove_dir_all(&self.config.data_dir);
        let options = self.server.clone().database("postgres");
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

impl Browser {
    /// A browser made of `client` (one that says what it is, say), on the site at `base`.
    pub fn with_client(client: reqwest::Client, base: String) -> Self {
        Self { client, base }
    }

    pub async fn get(&self, path: &str) -> Page {
        read(self.client.get(format!("{}{path}", self.base))).await
    }

    /// Posts a form, with extra request headers.
    pub async fn post_with(
        &self,
        path: &str,
        fields: &[(&str, &str)],
        headers: &[(&str, &str)],
    ) -> Page {
        let body = serde_urlencoded::to_string(fields).expect("form encodes");
        let mut request = self
            .client
            .post(format!("{}{path}", self.base))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body);
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        read(request).await
    }

    pub async fn post(&self, path: &str, fields: &[(&str, &str)]) -> Page {
        self.post_with(path, fields, &[]).await
    }

    /// Posts a form and returns only the status; 0 when no answer came at all.
    pub async fn try_post(&self, path: &str, fields: &[(&str, &str)]) -> u16 {
        let sent = self
            .client
            .post(format!("{}{path}", self.base))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(serde_urlencoded::to_string(fields).expect("form encodes"))
            .send()
            .await;
        sent.map_or(0, |r| r.status().as_u16())
    }

    pub async fn sign_in(&self, email: &str, password: &str) -> Page {
        self.post("/login", &[("email", email), ("password", password)])
            .await
    }

    /// The CSRF token of this browser's session, as its forms carry it.
    pub async fn csrf(&self) -> String {
        let page = self.get("/account").await;
        assert_eq!(page.status, 200, "signed in");
        page.attrs("input[name=csrf_token]", "value").remove(0)
    }

    /// Posts a multipart form (as a browser sends a file input), with `file` as the field
    /// `file` (name, type, bytes) and extra headers.
    pub async fn post_file(
        &self,
        path: &str,
        fields: &[(&str, &str)],
        file: Option<(&str, &str, &[u8])>,
        headers: &[(&str, &str)],
    ) -> Page {
        let boundary = format!("----vigie{}", Uuid::new_v4().simple());
        let mut body = Vec::new();
        for (name, value) in fields {
            body.extend_from_slice(
                format!("--{boundary}\r\ncontent-disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n")
                    .as_bytes(),
            );
        }
        if let Some((filename, content_type, bytes)) = file {
            body.extend_from_slice(
                format!("--{boundary}\r\ncontent-disposition: form-data; name=\"file\"; filename=\"{filename}\"\r\ncontent-type: {content_type}\r\n\r\n")
                    .as_bytes(),
            );
            body.extend_from_slice(bytes);
            body.extend_from_slice(b"\r\n");
        }
        body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
        let mut request = self
            .client
            .post(format!("{}{path}", self.base))
            .header(
                "content-type",
                format!("multipart/form-data; boundary={boundary}"),
            )
            .body(body);
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        read(request).await
    }

    /// An answer's status, headers and bytes (images).
    pub async fn get_bytes(&self, url: &str) -> (StatusCode, HeaderMap, Vec<u8>) {
        let url = if url.starts_with("http") {
            url.to_owned()
        } else {
            format!("{}{url}", self.base)
        };
        let response = self
            .client
            .get(url)
            .send()
            .await
            .expect("request is answered");
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = response.bytes().await.expect("body reads").to_vec();
        (status, headers, bytes)
    }

    /// Posts a form with this session's CSRF token added.
    pub async fn post_signed(&self, path: &str, fields: &[(&str, &str)]) -> Page {
        let token = self.csrf().await;
        let mut fields = fields.to_vec();
        fields.push(("csrf_token", &token));
        self.post(path, &fields).await
    }
}

fn new_client() -> reqwest::Client {
    client_builder().build().expect("http client")
}

fn client_builder() -> reqwest::ClientBuilder {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .cookie_store(true)
}

async fn read(request: reqwest::RequestBuilder) -> Page {
    let response = request.send().await.expect("request is answered");
    Page {
        status: response.status(),
        headers: response.headers().clone(),
        body: response.text().await.expect("body reads"),
    }
}

/// Serves the app, built as `vigie serve` builds it, on a copy of `port` until the returned
/// sender fires (or is dropped).
async fn serve(
    port: &std::net::TcpListener,
    pool: &PgPool,
    config: &Config,
) -> (
    oneshot::Sender<()>,
    JoinHandle<std::io::Result<()>>,
    web::AppState,
) {
    let listener = tokio::net::TcpListener::from_std(port.try_clone().expect("port copies"))
        .expect("port registers with Tokio");
    let app = web::Application::build(pool.clone(), config.clone(), listener)
        .await
        .expect("the application builds");
    let state = app.state().clone();
    let (stop, stopped) = oneshot::channel::<()>();
    let serving = tokio::spawn(app.run_until(async {
        let _ = stopped.await;
        web::Stop::Interrupt
    }));
    (stop, serving, state)
}

/// A `DATABASE_URL` for the test database `db_name`, for running the binary against it.
pub fn database_url_for(db_name: &str) -> String {
    match std::env::var("DATABASE_URL") {
        Ok(url) if !url.is_empty() => {
            let (head, query) = url
                .split_once('?')
                .map_or((url.as_str(), None), |(h, q)| (h, Some(q)));
            let (server, _) = head.rsplit_once('/').expect("URL with a path");
            let query = query.map(|q| format!("?{q}")).unwrap_or_default();
            format!("{server}/{}{query}", db_name)
        }
        _ => {
            let options = embedded_server();
            let socket = options.get_socket().expect("embedded server uses a socket");
            format!(
                "postgres:///{}?host={}&port={}&user={}",
                db_name,
                socket.display(),
                options.get_port(),
                options.get_username()
            )
        }
    }
}

/// A new migrated database no test server serves (for tests that run only the binary on
/// it): its pool and its `DATABASE_URL`.
pub async fn lone_database() -> (PgPool, String) {
    let db_name = format!("vigie_test_{}", Uuid::new_v4().simple());
    let limits = db::PoolLimits {
        acquire: Duration::from_secs(10),
        statement: Duration::from_secs(30),
    };
    let pool = db::open_pool(server_options().database(&db_name), limits)
        .await
        .expect("test database opens");
    db::MIGRATOR.run(&pool).await.expect("migrations apply");
    (pool, database_url_for(&db_name))
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
        // Sized for as many tests at once as this machine runs, not PostgreSQL's default 100.
        size_connections(server.connect_options("postgres"));
        drop(server);
        let server = EmbeddedPostgres::start(&dir, None).expect("embedded PostgreSQL restarts for the tests");
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

/// Connections one test may hold at once: a server's pool (16) and content listener, a second
/// instance's, and the test's own.
const CONNECTIONS_PER_TEST: usize = 40;

/// Sets the embedded server's `max_connections` (applied at its next start) so that every test
/// `cargo test` runs at once (one per core) has [`CONNECTIONS_PER_TEST`]: PostgreSQL's default
/// 100 holds two cores' worth, not more.
fn size_connections(options: PgConnectOptions) {
    let cores = std::thread::available_parallelism().map_or(2, std::num::NonZero::get);
    let wanted = (cores * CONNECTIONS_PER_TEST + 20).max(100);
    let sql = format!("alter system set max_connections = {wanted}");
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        rt.block_on(async {
            let mut conn = PgConnection::connect_with(&options)
                .await
                .expect("embedded server connects");
            sqlx::query(AssertSqlSafe(sql))
                .execute(&mut conn)
                .await
                .expect("max_connections is set");
        });
    })
    .join()
    .expect("max_connections thread");
}

/// The (actor, target id) of the newest audit event with `action`.
pub async fn audited(app: &TestApp, action: &str) -> (Option<Uuid>, String) {
    sqlx::query_as(
        "select actor_id, target_id from audit_event where action = $1 order by id desc limit 1",
    )
    .bind(action)
    .fetch_one(&app.pool)
    .await
    .unwrap_or_else(|_| panic!("no audit event {action}"))
}

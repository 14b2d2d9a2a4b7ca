//! Typed settings read once from the environment at start-up.
//!
//! Secrets (the database URL may hold a password) live in [`Secret`], whose `Debug` and
//! `Display` never print the value.

use std::fmt;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use crate::domain::Lang;

/// A value that must never reach a log line or an error page.
#[derive(Clone)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: String) -> Self {
        Self(value)
    }

    /// The value itself, for the one place that needs it (e.g. connecting).
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

/// Everything Vigie reads from its environment.
/// The render cache's default budget: at about 5 KiB a compressed article page, some 50 000
/// pages, the busy part of a large archive.
pub const DEFAULT_RENDER_CACHE_BYTES: u64 = 256 * 1024 * 1024;

#[derive(Debug, Clone)]
pub struct Config {
    /// `DATABASE_URL`; `None` means the embedded PostgreSQL under `data_dir`.
    pub database_url: Option<Secret>,
    /// `DATABASE_READ_URL`: PostgreSQL streaming replicas of `DATABASE_URL` (one or more,
    /// comma-separated) that public reads go to; empty: every read goes to the primary.
    pub database_read_urls: Vec<Secret>,
    /// `VIGIE_REPLICA_MAX_LAG`: a replica further behind the primary than this serves no
    /// reads until it catches up, default 5 s.
    pub replica_max_lag: Duration,
    /// `VIGIE_BIND`, default `127.0.0.1:3000`.
    pub bind: SocketAddr,
    /// `VIGIE_METRICS_BIND`: where `/metrics` (Prometheus text format) is served, on a listener
    /// of its own so that it can stay private; unset (the default): not served.
    pub metrics_bind: Option<SocketAddr>,
    /// `VIGIE_BASE_URL` without trailing slash, used for absolute links; default from `bind`.
    pub base_url: String,
    /// `VIGIE_LANG`: the language of the site's own words (`fr` or `en`), default `fr`.
    pub lang: Lang,
    /// `VIGIE_DATA_DIR`, default `./data`: the embedded PostgreSQL lives in `postgres/` inside.
    pub data_dir: PathBuf,
    /// `VIGIE_PG_BINDIR`: where the PostgreSQL server programs are; searched for when unset.
    pub pg_bindir: Option<PathBuf>,
    /// `VIGIE_PAGE_SIZE`: articles per list page, default 10.
    pub page_size: u32,
    /// `VIGIE_RELATED_COUNT`: related articles shown under an article, default 4.
    pub related_count: u32,
    /// `VIGIE_TIMEZONE`: the newsroom's time zone (IANA name) for scheduling and dates shown to
    /// staff; default `Europe/Paris`. Checked against PostgreSQL's time zone list at start.
    pub timezone: String,
    /// `VIGIE_MAX_BODY`: the largest article body accepted, in bytes of Markdown; default 1 MiB.
    pub max_body_bytes: usize,
    /// `VIGIE_SESSION_IDLE`: a session unused this long ends, default 2 h.
    pub session_idle: Duration,
    /// `VIGIE_SESSION_MAX`: a session ends this long after sign-in whatever happens, default 12 h.
    pub session_max: Duration,
    /// `VIGIE_HEADER_TIMEOUT`: a client must send its request headers within this, default 10 s.
    pub header_timeout: Duration,
    /// `VIGIE_CLIENT_IP_HEADER`: behind a proxy, the header whose last address is the client's
    /// (e.g. `x-forwarded-for`); unset: the connection's address.
    pub client_ip_header: Option<String>,
    /// `VIGIE_SECURITY_CONTACT`: where `/.well-known/security.txt` sends reports of security
    /// problems (a `mailto:` or `https:` URI); default `mailto:security@` the site's host.
    pub security_contact: String,
    /// `VIGIE_TRUSTED_PROXIES`: comma-separated addresses of the proxies whose
    /// `VIGIE_CLIENT_IP_HEADER` is believed; default loopback only.
    pub trusted_proxies: Vec<std::net::IpAddr>,
    /// `VIGIE_CACHE_MAX_AGE`: how long browsers and CDNs may keep a public page, feed or API
    /// answer without asking again, default 60 s (`0` makes them ask every time).
    pub cache_max_age: Duration,
    /// `VIGIE_CACHE_STALE`: how much longer a CDN may serve it while fetching a fresh copy
    /// (`stale-while-revalidate`), default 10 min.
    pub cache_stale: Duration,
    /// `VIGIE_RENDER_CACHE`: keep rendered public answers in memory (`on`, the default, or
    /// `off` for measuring and debugging).
    pub render_cache: bool,
    /// `VIGIE_RENDER_CACHE_BYTES`: the most memory those answers may take (compressed, as they
    /// are kept), default 256 MiB.
    pub render_cache_bytes: u64,
    /// `VIGIE_DB_WAIT`: how long a request waits for a database connection before the
    /// answer is 503 (database unavailable), default 3 s.
    pub db_wait: Duration,
    /// `VIGIE_STATEMENT_TIMEOUT`: the longest a database statement may run, default 10 s
    /// (`0`: no limit). Migrations and command-line bulk work are not limited.
    pub statement_timeout: Duration,
    /// `VIGIE_SHUTDOWN_GRACE`: on SIGTERM, how long `/readyz` answers 503 while requests are
    /// still served, so that load balancers stop sending new ones, default 5 s (`0`: none).
    /// Ctrl-C skips it.
    pub shutdown_grace: Duration,
    /// `VIGIE_DRAIN_TIMEOUT`: then, how long requests in flight may take to finish, default
    /// 30 s.
    pub drain_timeout: Duration,
    /// Where media files live: `VIGIE_MEDIA_URL` (`s3://bucket/prefix`), else `media/` under
    /// `VIGIE_DATA_DIR`.
    pub media: MediaStorage,
    /// `VIGIE_MEDIA_MAX_BYTES`: the largest image accepted, default 20 MB.
    pub media_max_bytes: u64,
    /// `VIGIE_MEDIA_BASE_URL`: where readers fetch media files (a CDN in front of this site's
    /// `/media/`), without trailing slash; default the site's own `/media`.
    pub media_base_url: Option<String>,
    /// Text-and-data-mining rights (W3C TDMRep): `VIGIE_TDM_RESERVATION` and
    /// `VIGIE_TDM_POLICY`.
    pub tdm: Tdm,
    /// `VIGIE_AI_CRAWLERS`: what `robots.txt` tells the known AI crawlers, default `disallow`.
    pub ai_crawlers: AiCrawlers,
    /// `VIGIE_REQUIRE_2FA=staff`: editors and admins must set up a second factor before they
    /// use anything but their account page; default `none`.
    pub require_two_factor_staff: bool,
    /// `VIGIE_SMTP_URL`: where e-mail goes (`smtps://user:pass@host:465`,
    /// `smtp://host:587?tls=required`, `smtp://localhost:25`); unset, Vigie sends none and shows
    /// the links an admin hands over. Never logged.
    pub smtp_url: Option<Secret>,
    /// `VIGIE_MAIL_FROM`: the sender; unset, `Vigie <noreply@` the site's host `>`.
    pub mail_from: Option<String>,
    /// `VIGIE_WEBHOOK_ALLOW_PRIVATE=true`: webhooks may go to `http://` and to private, loopback
    /// and link-local addresses (an in-house receiver, the tests); default `false`: `https://`
    /// on public addresses only, checked again after each name is resolved.
    pub webhook_allow_private: bool,
    /// `VIGIE_WEBHOOK_TIMEOUT`: how long one delivery attempt may take; default 10 s.
    pub webhook_timeout: Duration,
    /// `VIGIE_WEBHOOK_RETRY`: the wait after a first failed attempt, four times longer after
    /// each next one, at most a day; default 15 s.
    pub webhook_retry: Duration,
    /// `VIGIE_WEBHOOK_GIVE_UP`: an endpoint failing this long is turned off (its deliveries
    /// wait for an admin to turn it on again); default 3 days.
    pub webhook_give_up: Duration,
}

/// Whether the newsroom reserves text-and-data-mining rights on its content (Article 4 of the
/// EU's DSM Directive), as the W3C TDMRep report says to declare it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tdm {
    /// `VIGIE_TDM_RESERVATION`: `on` (the default) or `off`.
    pub reserved: bool,
    /// `VIGIE_TDM_POLICY`: where the terms of a licence are (an `https:` address), if any.
    pub policy: Option<String>,
}

/// What `robots.txt` says to the crawlers that gather text for AI models.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AiCrawlers {
    Allow,
    Disallow,
}

/// Where media files live.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MediaStorage {
    /// A folder on this machine (`VIGIE_DATA_DIR/media`): one instance, or a shared mount.
    Local(PathBuf),
    /// An S3-compatible bucket, which several instances share.
    S3(S3Settings),
}

/// An S3-compatible store, from `VIGIE_MEDIA_URL` and the usual AWS variables.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct S3Settings {
    pub bucket: String,
    /// Inside the bucket, without slashes at either end (may be empty).
    pub prefix: String,
    /// `AWS_ENDPOINT_URL`: for stores other than Amazon's (MinIO, Garage, R2…).
    pub endpoint: Option<String>,
    /// `AWS_REGION`, default `us-east-1`.
    pub region: String,
    /// `AWS_ACCESS_KEY_ID`.
    pub access_key_id: Option<String>,
    /// `AWS_SECRET_ACCESS_KEY`.
    pub secret_access_key: Option<Secret>,
    /// `AWS_SESSION_TOKEN`.
    pub session_token: Option<Secret>,
}

impl PartialEq for Secret {
    fn eq(&self, other: &Self) -> bool {
        self.0 == other.0
    }
}
impl Eq for Secret {}

/// A setting that is present but unusable.
#[derive(Debug, thiserror::Error)]
#[error("invalid {name}: {reason}")]
pub struct ConfigError {
    name: &'static str,
    reason: String,
}

impl Config {
    /// Reads the process environment.
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|name| std::env::var(name).ok().filter(|v| !v.is_empty()))
    }

    /// Reads settings through `lookup`, so tests can pass their own environment.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let invalid = |name, reason: &str| ConfigError {
            name,
            reason: reason.to_owned(),
        };
        let bind: SocketAddr = match lookup("VIGIE_BIND") {
            Some(v) => v
                .parse()
                .map_err(|_| invalid("VIGIE_BIND", "expected an address like 127.0.0.1:3000"))?,
            None => SocketAddr::from(([127, 0, 0, 1], 3000)),
        };
        let metrics_bind: Option<SocketAddr> = match lookup("VIGIE_METRICS_BIND") {
            Some(v) => Some(v.trim().parse().map_err(|_| {
                invalid(
                    "VIGIE_METRICS_BIND",
                    "expected an address like 127.0.0.1:9464",
                )
            })?),
            None => None,
        };
        let base_url = match lookup("VIGIE_BASE_URL") {
            Some(v) if v.starts_with("http://") || v.starts_with("https://") => {
                v.trim_end_matches('/').to_owned()
            }
            Some(_) => {
                return Err(invalid(
                    "VIGIE_BASE_URL",
                    "expected an http:// or https:// URL",
                ));
            }
            None => format!("http://{bind}"),
        };
        let lang = match lookup("VIGIE_LANG") {
            Some(v) => Lang::parse(&v).ok_or_else(|| invalid("VIGIE_LANG", "expected fr or en"))?,
            None => Lang::Fr,
        };
        let number = |name, default: u32| -> Result<u32, ConfigError> {
            match lookup(name) {
                Some(v) => v
                    .parse::<u32>()
                    .ok()
                    .filter(|n| (1..=100).contains(n))
                    .ok_or_else(|| invalid(name, "expected a whole number from 1 to 100")),
                None => Ok(default),
            }
        };
        let duration = |name, default: Duration| -> Result<Duration, ConfigError> {
            match lookup(name) {
                Some(v) => parse_duration(&v)
                    .ok_or_else(|| invalid(name, "expected a duration such as 90s, 30m or 2h")),
                None => Ok(default),
            }
        };
        // Like `duration`, but `0` is allowed.
        let cache_duration = |name, default| match lookup(name) {
            Some(v) if v.trim() == "0" => Ok(Duration::ZERO),
            _ => duration(name, default),
        };
        let max_body_bytes = match lookup("VIGIE_MAX_BODY") {
            Some(v) => v
                .parse::<usize>()
                .ok()
                .filter(|n| (1024..=64 * 1024 * 1024).contains(n))
                .ok_or_else(|| {
                    invalid(
                        "VIGIE_MAX_BODY",
                        "expected a size in bytes from 1024 to 67108864",
                    )
                })?,
            None => 1024 * 1024,
        };
        let data_dir = lookup("VIGIE_DATA_DIR")
            .map(PathBuf::from)
            .unwrap_or_else(|| PathBuf::from("data"));
        let media = match lookup("VIGIE_MEDIA_URL") {
            None => MediaStorage::Local(data_dir.join("media")),
            Some(url) => {
                let rest = url.trim().strip_prefix("s3://").ok_or_else(|| {
                    invalid(
                        "VIGIE_MEDIA_URL",
                        "expected s3://bucket or s3://bucket/prefix (unset: files under VIGIE_DATA_DIR)",
                    )
                })?;
                let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
                if bucket.is_empty() {
                    return Err(invalid("VIGIE_MEDIA_URL", "the bucket name is missing"));
                }
                MediaStorage::S3(S3Settings {
                    bucket: bucket.to_owned(),
                    prefix: prefix.trim_matches('/').to_owned(),
                    endpoint: lookup("AWS_ENDPOINT_URL"),
                    region: lookup("AWS_REGION").unwrap_or_else(|| "us-east-1".to_owned()),
                    access_key_id: lookup("AWS_ACCESS_KEY_ID"),
                    secret_access_key: lookup("AWS_SECRET_ACCESS_KEY").map(Secret::new),
                    session_token: lookup("AWS_SESSION_TOKEN").map(Secret::new),
                })
            }
        };
        let media_max_bytes = match lookup("VIGIE_MEDIA_MAX_BYTES") {
            Some(v) => v
                .trim()
                .parse::<u64>()
                .ok()
                .filter(|n| (1024..=1 << 30).contains(n))
                .ok_or_else(|| {
                    invalid(
                        "VIGIE_MEDIA_MAX_BYTES",
                        "expected a size in bytes from 1024 to 1073741824",
                    )
                })?,
            None => 20_000_000,
        };
        let media_base_url = match lookup("VIGIE_MEDIA_BASE_URL") {
            Some(v)
                if v.starts_with("https://") || v.starts_with("http://") || v.starts_with('/') =>
            {
                Some(v.trim_end_matches('/').to_owned())
            }
            Some(_) => {
                return Err(invalid(
                    "VIGIE_MEDIA_BASE_URL",
                    "expected an address such as https://cdn.example/media",
                ));
            }
            None => None,
        };
        let tdm = Tdm {
            reserved: match lookup("VIGIE_TDM_RESERVATION").as_deref().map(str::trim) {
                None | Some("on") => true,
                Some("off") => false,
                Some(_) => return Err(invalid("VIGIE_TDM_RESERVATION", "expected on or off")),
            },
            policy: match lookup("VIGIE_TDM_POLICY") {
                None => None,
                Some(v)
                    if (v.starts_with("https://") || v.starts_with("http://"))
                        && !v.chars().any(|c| c.is_whitespace() || c == '"') =>
                {
                    Some(v)
                }
                Some(_) => {
                    return Err(invalid(
                        "VIGIE_TDM_POLICY",
                        "expected an address such as https://example.org/tdm-policy.json",
                    ));
                }
            },
        };
        let ai_crawlers = match lookup("VIGIE_AI_CRAWLERS").as_deref().map(str::trim) {
            None | Some("disallow") => AiCrawlers::Disallow,
            Some("allow") => AiCrawlers::Allow,
            Some(_) => return Err(invalid("VIGIE_AI_CRAWLERS", "expected allow or disallow")),
        };
        let require_two_factor_staff = match lookup("VIGIE_REQUIRE_2FA").as_deref().map(str::trim) {
            None | Some("none") => false,
            Some("staff") => true,
            Some(_) => return Err(invalid("VIGIE_REQUIRE_2FA", "expected none or staff")),
        };
        let webhook_allow_private = match lookup("VIGIE_WEBHOOK_ALLOW_PRIVATE")
            .as_deref()
            .map(str::trim)
        {
            None | Some("false") => false,
            Some("true") => true,
            Some(_) => {
                return Err(invalid(
                    "VIGIE_WEBHOOK_ALLOW_PRIVATE",
                    "expected true or false",
                ));
            }
        };
        let smtp_url = match lookup("VIGIE_SMTP_URL") {
            None => None,
            // Plain SMTP only to a relay on this machine: a password or a reset link never
            // crosses a network unencrypted.
            Some(url) if url.starts_with("smtp://") && !plain_smtp_is_local(&url) => {
                return Err(invalid(
                    "VIGIE_SMTP_URL",
                    "plain smtp:// only to a relay on this machine without a password; use smtps:// or add ?tls=required",
                ));
            }
            Some(url) if url.starts_with("smtp://") || url.starts_with("smtps://") => {
                Some(Secret::new(url))
            }
            Some(_) => {
                return Err(invalid(
                    "VIGIE_SMTP_URL",
                    "expected smtps://user:password@host:465 or smtp://host:587?tls=required",
                ));
            }
        };
        let mail_from = lookup("VIGIE_MAIL_FROM");
        let database_url = lookup("DATABASE_URL").map(Secret::new);
        let database_read_urls: Vec<Secret> = lookup("DATABASE_READ_URL")
            .unwrap_or_default()
            .split(',')
            .map(str::trim)
            .filter(|url| !url.is_empty())
            .map(|url| Secret::new(url.to_owned()))
            .collect();
        if !database_read_urls.is_empty() && database_url.is_none() {
            return Err(invalid(
                "DATABASE_READ_URL",
                "replicas need their primary: set DATABASE_URL too",
            ));
        }
        if database_read_urls.iter().any(|url| {
            !(url.expose().starts_with("postgres://") || url.expose().starts_with("postgresql://"))
        }) {
            return Err(invalid(
                "DATABASE_READ_URL",
                "expected postgres:// URLs, separated by commas",
            ));
        }
        Ok(Self {
            smtp_url,
            mail_from,
            media,
            media_max_bytes,
            media_base_url,
            tdm,
            ai_crawlers,
            require_two_factor_staff,
            webhook_allow_private,
            webhook_timeout: duration("VIGIE_WEBHOOK_TIMEOUT", Duration::from_secs(10))?,
            webhook_retry: duration("VIGIE_WEBHOOK_RETRY", Duration::from_secs(15))?,
            webhook_give_up: duration("VIGIE_WEBHOOK_GIVE_UP", Duration::from_secs(3 * 86_400))?,
            timezone: lookup("VIGIE_TIMEZONE").unwrap_or_else(|| "Europe/Paris".to_owned()),
            max_body_bytes,
            session_idle: duration("VIGIE_SESSION_IDLE", Duration::from_secs(2 * 3600))?,
            session_max: duration("VIGIE_SESSION_MAX", Duration::from_secs(12 * 3600))?,
            header_timeout: duration("VIGIE_HEADER_TIMEOUT", Duration::from_secs(10))?,
            client_ip_header: lookup("VIGIE_CLIENT_IP_HEADER").map(|h| h.to_ascii_lowercase()),
            security_contact: lookup("VIGIE_SECURITY_CONTACT")
                .unwrap_or_else(|| format!("mailto:security@{}", host_of(&base_url))),
            trusted_proxies: match lookup("VIGIE_TRUSTED_PROXIES") {
                Some(list) => list
                    .split(',')
                    .map(|a| a.trim().parse())
                    .collect::<Result<_, _>>()
                    .map_err(|_| {
                        invalid(
                            "VIGIE_TRUSTED_PROXIES",
                            "expected addresses such as 10.0.0.5, 10.0.0.6",
                        )
                    })?,
                None => vec![[127, 0, 0, 1].into(), std::net::Ipv6Addr::LOCALHOST.into()],
            },
            cache_max_age: cache_duration("VIGIE_CACHE_MAX_AGE", Duration::from_secs(60))?,
            cache_stale: cache_duration("VIGIE_CACHE_STALE", Duration::from_secs(600))?,
            render_cache: match lookup("VIGIE_RENDER_CACHE").as_deref().map(str::trim) {
                None | Some("on") => true,
                Some("off") => false,
                Some(_) => return Err(invalid("VIGIE_RENDER_CACHE", "expected on or off")),
            },
            render_cache_bytes: match lookup("VIGIE_RENDER_CACHE_BYTES") {
                Some(v) => v
                    .trim()
                    .parse::<u64>()
                    .ok()
                    .filter(|n| *n >= 1024 * 1024)
                    .ok_or_else(|| {
                        invalid(
                            "VIGIE_RENDER_CACHE_BYTES",
                            "expected a size in bytes, at least 1048576",
                        )
                    })?,
                None => DEFAULT_RENDER_CACHE_BYTES,
            },
            db_wait: duration("VIGIE_DB_WAIT", Duration::from_secs(3))?,
            statement_timeout: cache_duration("VIGIE_STATEMENT_TIMEOUT", Duration::from_secs(10))?,
            shutdown_grace: cache_duration("VIGIE_SHUTDOWN_GRACE", Duration::from_secs(5))?,
            drain_timeout: duration("VIGIE_DRAIN_TIMEOUT", Duration::from_secs(30))?,
            database_read_urls,
            replica_max_lag: duration("VIGIE_REPLICA_MAX_LAG", Duration::from_secs(5))?,
            database_url,
            bind,
            metrics_bind,
            base_url,
            lang,
            data_dir,
            pg_bindir: lookup("VIGIE_PG_BINDIR").map(PathBuf::from),
            page_size: number("VIGIE_PAGE_SIZE", 10)?,
            related_count: number("VIGIE_RELATED_COUNT", 4)?,
        })
    }
}

impl Config {
    /// Whether the site is served over HTTPS (cookies get `Secure`, responses get HSTS).
    pub fn https(&self) -> bool {
        self.base_url.starts_with("https://")
    }
}

/// `90s`, `30m`, `2h`, `1d`, or a bare number of seconds; never zero.
pub fn parse_duration(s: &str) -> Option<Duration> {
    let s = s.trim();
    let (number, unit) = match s.find(|c: char| !c.is_ascii_digit()) {
        Some(i) => s.split_at(i),
        None => (s, "s"),
    };
    let n: u64 = number.parse().ok().filter(|n| *n > 0)?;
    let seconds = match unit.trim() {
        "s" => n,
        "m" => n.checked_mul(60)?,
        "h" => n.checked_mul(3600)?,
        "d" => n.checked_mul(86400)?,
        _ => return None,
    };
    Some(Duration::from_secs(seconds))
}

/// The host of `url` (`https://vigie.example:8443/x` → `vigie.example`).
/// Whether a plain `smtp://` address is fine: STARTTLS required, or a relay on this machine
/// reached without a password.
fn plain_smtp_is_local(url: &str) -> bool {
    if url.contains("tls=required") {
        return true;
    }
    let rest = url.trim_start_matches("smtp://");
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    if authority.contains('@') {
        return false;
    }
    let host = match authority.rsplit_once(':') {
        Some((host, port)) if port.bytes().all(|b| b.is_ascii_digit()) => host,
        _ => authority,
    };
    matches!(host, "localhost" | "127.0.0.1" | "[::1]")
}

pub fn host_of(url: &str) -> &str {
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    match authority.rsplit_once(':') {
        Some((host, port)) if port.bytes().all(|b| b.is_ascii_digit()) => host,
        _ => authority,
    }
}

/// The log filter for `VIGIE_LOG` (`info` when unset or unreadable). The HTML parser's own
/// warnings ("foster parenting not implemented", one per misplaced tag of a body) are kept
/// below `error` unless the setting names `html5ever` itself: a 360 KB preview once wrote
/// 7.4 MB of them, so whoever could type could fill the disk.
pub fn log_filter(setting: Option<&str>) -> tracing_subscriber::EnvFilter {
    let setting = setting.filter(|s| !s.trim().is_empty()).unwrap_or("info");
    let filter = tracing_subscriber::EnvFilter::try_new(setting)
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    if setting.contains("html5ever") {
        return filter;
    }
    match "html5ever=error".parse() {
        Ok(quiet) => filter.add_directive(quiet),
        Err(_) => filter,
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn plain_smtp_goes_only_to_a_relay_on_this_machine() {
        use super::plain_smtp_is_local;
        assert!(plain_smtp_is_local("smtp://localhost:25"));
        assert!(plain_smtp_is_local("smtp://127.0.0.1:2525"));
        assert!(plain_smtp_is_local(
            "smtp://user:pw@mail.example:587?tls=required"
        ));
        assert!(
            !plain_smtp_is_local("smtp://user:pw@localhost:25"),
            "a password in clear"
        );
        assert!(!plain_smtp_is_local("smtp://mail.example:587"));
        assert!(!plain_smtp_is_local(
            "smtp://mail.example:587?tls=opportunistic"
        ));
    }

    use super::*;

    /// How many of a markup parser warning and an ordinary info line `setting` lets through.
    fn kept(setting: Option<&str>) -> (usize, usize) {
        use std::sync::Arc;
        use std::sync::atomic::{AtomicUsize, Ordering};
        use tracing_subscriber::layer::SubscriberExt;

        struct Count(Arc<AtomicUsize>, Arc<AtomicUsize>);
        impl<S: tracing::Subscriber> tracing_subscriber::Layer<S> for Count {
            fn on_event(
                &self,
                event: &tracing::Event<'_>,
                _: tracing_subscriber::layer::Context<'_, S>,
            ) {
                let which = if event.metadata().target().starts_with("html5ever") {
                    &self.0
                } else {
                    &self.1
                };
                which.fetch_add(1, Ordering::Relaxed);
            }
        }
        let (parser, ours) = (Arc::default(), Arc::default());
        let subscriber = tracing_subscriber::registry()
            .with(log_filter(setting))
            .with(Count(Arc::clone(&parser), Arc::clone(&ours)));
        tracing::subscriber::with_default(subscriber, || {
            // What the `log` records of html5ever's tree builder become.
            tracing::warn!(target: "html5ever::tree_builder", "foster parenting not implemented");
            tracing::info!(target: "vigie::web", "request");
        });
        (parser.load(Ordering::Relaxed), ours.load(Ordering::Relaxed))
    }

    #[test]
    fn the_html_parsers_warnings_stay_out_of_the_log() {
        assert_eq!(kept(None), (0, 1));
        assert_eq!(kept(Some("debug")), (0, 1));
        assert_eq!(kept(Some("warn")), (0, 0));
        assert_eq!(kept(Some(" ")), (0, 1), "empty: info");
        assert_eq!(
            kept(Some("info,html5ever=warn")),
            (1, 1),
            "asked for by name"
        );
    }

    fn config(vars: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let vars: Vec<(String, String)> = vars
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        Config::from_lookup(|name| vars.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone()))
    }

    #[test]
    fn defaults_serve_on_loopback_in_french_with_embedded_database() {
        let c = config(&[]).unwrap();
        assert_eq!(c.bind.to_string(), "127.0.0.1:3000");
        assert_eq!(c.base_url, "http://127.0.0.1:3000");
        assert_eq!(c.lang, Lang::Fr);
        assert!(c.database_url.is_none());
        assert_eq!(c.data_dir, PathBuf::from("data"));
        assert_eq!(c.page_size, 10);
    }

    #[test]
    fn base_url_loses_its_trailing_slash_and_must_be_http() {
        let c = config(&[("VIGIE_BASE_URL", "https://vigie.example/")]).unwrap();
        assert_eq!(c.base_url, "https://vigie.example");
        let err = config(&[("VIGIE_BASE_URL", "vigie.example")]).unwrap_err();
        assert!(err.to_string().contains("VIGIE_BASE_URL"));
    }

    #[test]
    fn bad_values_are_named_in_the_error() {
        assert!(
            config(&[("VIGIE_BIND", "nope")])
                .unwrap_err()
                .to_string()
                .contains("VIGIE_BIND")
        );
        assert!(
            config(&[("VIGIE_LANG", "de")])
                .unwrap_err()
                .to_string()
                .contains("VIGIE_LANG")
        );
        assert!(config(&[("VIGIE_PAGE_SIZE", "0")]).is_err());
    }

    #[test]
    fn durations_read_like_people_write_them() {
        assert_eq!(parse_duration("90s"), Some(Duration::from_secs(90)));
        assert_eq!(parse_duration("30m"), Some(Duration::from_secs(1800)));
        assert_eq!(parse_duration("2h"), Some(Duration::from_secs(7200)));
        assert_eq!(parse_duration("45"), Some(Duration::from_secs(45)));
        for bad in ["", "0", "2x", "h", "-5s", "99999999999999999999d"] {
            assert_eq!(parse_duration(bad), None, "{bad}");
        }
        let c = config(&[]).unwrap();
        assert_eq!(
            (c.session_idle.as_secs(), c.session_max.as_secs()),
            (7200, 43200)
        );
        assert!(config(&[("VIGIE_SESSION_IDLE", "soon")]).is_err());
    }

    #[test]
    fn database_waits_and_shutdown_default_to_short_bounded_times() {
        let c = config(&[]).unwrap();
        assert_eq!(
            [
                c.db_wait,
                c.statement_timeout,
                c.shutdown_grace,
                c.drain_timeout
            ]
            .map(|d| d.as_secs()),
            [3, 10, 5, 30]
        );
        let c = config(&[
            ("VIGIE_STATEMENT_TIMEOUT", "0"),
            ("VIGIE_SHUTDOWN_GRACE", "0"),
        ])
        .unwrap();
        assert_eq!(
            (c.statement_timeout, c.shutdown_grace),
            (Duration::ZERO, Duration::ZERO)
        );
        assert!(
            config(&[("VIGIE_DB_WAIT", "0")]).is_err(),
            "a request must be able to wait"
        );
        assert!(config(&[("VIGIE_DRAIN_TIMEOUT", "vite")]).is_err());
    }

    #[test]
    fn cache_durations_default_to_a_minute_and_ten_and_may_be_zero() {
        let c = config(&[]).unwrap();
        assert_eq!(
            (c.cache_max_age.as_secs(), c.cache_stale.as_secs()),
            (60, 600)
        );
        let c = config(&[("VIGIE_CACHE_MAX_AGE", "0"), ("VIGIE_CACHE_STALE", "1h")]).unwrap();
        assert_eq!(
            (c.cache_max_age.as_secs(), c.cache_stale.as_secs()),
            (0, 3600)
        );
        assert!(config(&[("VIGIE_CACHE_STALE", "longtemps")]).is_err());
    }

    #[test]
    fn read_replicas_are_a_comma_separated_list_beside_a_primary() {
        let c = config(&[]).unwrap();
        assert!(c.database_read_urls.is_empty());
        assert_eq!(c.replica_max_lag, Duration::from_secs(5));
        let c = config(&[
            ("DATABASE_URL", "postgres://db1/vigie"),
            (
                "DATABASE_READ_URL",
                "postgres://u:pw@db2/vigie, postgresql://db3:5433/vigie,",
            ),
            ("VIGIE_REPLICA_MAX_LAG", "2s"),
        ])
        .unwrap();
        let urls: Vec<&str> = c.database_read_urls.iter().map(Secret::expose).collect();
        assert_eq!(
            urls,
            ["postgres://u:pw@db2/vigie", "postgresql://db3:5433/vigie"]
        );
        assert_eq!(c.replica_max_lag, Duration::from_secs(2));
        assert!(
            !format!("{c:?}").contains("pw@"),
            "a replica's password never prints"
        );
        let alone = config(&[("DATABASE_READ_URL", "postgres://db2/vigie")]).unwrap_err();
        assert!(alone.to_string().contains("DATABASE_URL"), "{alone}");
        assert!(
            config(&[
                ("DATABASE_URL", "postgres://db1/vigie"),
                ("DATABASE_READ_URL", "db2")
            ])
            .is_err()
        );
    }

    #[test]
    fn the_database_url_never_prints() {
        let c = config(&[("DATABASE_URL", "postgres://u:hunter2@db/vigie")]).unwrap();
        assert!(!format!("{c:?}").contains("hunter2"));
    }
}

//! Typed settings read once from the environment at start-up.
//!
//! Secrets (the database URL may hold a password) live in [`Secret`], whose `Debug` and
//! `Display` never print the value.

use std::fmt;
use std::net::SocketAddr;
use std::path::PathBuf;

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
#[derive(Debug, Clone)]
pub struct Config {
    /// `DATABASE_URL`; `None` means the embedded PostgreSQL under `data_dir`.
    pub database_url: Option<Secret>,
    /// `VIGIE_BIND`, default `127.0.0.1:3000`.
    pub bind: SocketAddr,
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
}

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
        Ok(Self {
            database_url: lookup("DATABASE_URL").map(Secret::new),
            bind,
            base_url,
            lang,
            data_dir: lookup("VIGIE_DATA_DIR")
                .map(PathBuf::from)
                .unwrap_or_else(|| PathBuf::from("data")),
            pg_bindir: lookup("VIGIE_PG_BINDIR").map(PathBuf::from),
            page_size: number("VIGIE_PAGE_SIZE", 10)?,
            related_count: number("VIGIE_RELATED_COUNT", 4)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
    fn the_database_url_never_prints() {
        let c = config(&[("DATABASE_URL", "postgres://u:hunter2@db/vigie")]).unwrap();
        assert!(!format!("{c:?}").contains("hunter2"));
    }
}

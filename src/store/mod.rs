//! SQL, one file per aggregate: plain async functions over a pool, a connection or a
//! transaction owned by the caller. Public reads only ever see articles whose time has come,
//! decided at query time by the SQL functions `article_is_listed` and `article_is_public` (see
//! the `visibility` migration), never by a condition of their own.

pub mod articles;
pub mod audit;
pub mod clock;
pub mod jobs;
pub mod media;
pub mod regulations;
pub mod review;

pub mod sessions;
pub mod setup;
pub mod tags;
pub mod throttle;
pub mod tokens;
pub mod two_factor;
pub mod users;
pub mod webhooks;

use serde::Deserialize;

/// Whether `error` is the violation of the named unique or check constraint.
pub fn violates(error: &sqlx::Error, constraint: &str) -> bool {
    matches!(error, sqlx::Error::Database(e) if e.constraint() == Some(constraint))
}

/// A tag as shown next to an article.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct TagRef {
    pub slug: String,
    pub name: String,
    pub kind: crate::domain::TagKind,
}

//! SQL, one file per aggregate: plain async functions over a pool, a connection or a
//! transaction owned by the caller. Public reads only ever see articles whose time has come,
//! decided at query time by the SQL functions `article_is_listed` and `article_is_public` (see
//! the `visibility` migration), never by a condition of their own.

pub mod articles;
pub mod audit;
pub mod clock;
pub mod contributors;
pub mod jobs;
pub mod media;
pub mod notes;
pub mod notifications;
pub mod regulations;
pub mod review;

pub mod sessions;
pub mod setup;
pub mod site;
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

/// A name an article is signed with: an account's, or a guest contributor's.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, serde::Serialize)]
pub struct Byline {
    pub name: String,
    pub slug: String,
    /// A guest contributor (no account): their page is `/contributors/{slug}`.
    pub guest: bool,
}

impl Byline {
    /// The byline's page on the site.
    pub fn path(&self) -> String {
        if self.guest {
            format!("/contributors/{}", self.slug)
        } else {
            format!("/authors/{}", self.slug)
        }
    }
}

/// A tag as shown next to an article.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct TagRef {
    pub slug: String,
    pub name: String,
    pub kind: crate::domain::TagKind,
}

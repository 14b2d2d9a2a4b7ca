//! SQL, one file per aggregate: plain async functions over a pool, a connection or a
//! transaction owned by the caller. Public reads only ever see articles whose time has come:
//! `status = 'published' and published_at <= now()`, decided at query time.

pub mod articles;
pub mod audit;
pub mod editing;
pub mod sessions;
pub mod setup;
pub mod tags;
pub mod throttle;
pub mod users;

use serde::Deserialize;

/// A tag as shown next to an article.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct TagRef {
    pub slug: String,
    pub name: String,
    pub kind: String,
}

//! Vigie's own export format, version 1: one JSON document holding every user (without password
//! hash), tag, article (with its tags, links, old addresses, corrections and every revision) and
//! audit event. Written one record per line, in a fixed order, so that exporting the same
//! content twice gives the same bytes and two exports compare with `diff`.
//!
//! Left out on purpose: sessions, password and setup tokens, login throttles and edit locks
//! (they belong to the running site, not to the content), and what is derived from the rest
//! (rendered HTML, the search index), which an import computes again.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use uuid::Uuid;

/// The value of `format` in every export.
pub const FORMAT: &str = "vigie";
/// The version this build writes and reads.
pub const VERSION: u32 = 1;

/// A whole export, as an import reads it.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Archive {
    pub format: String,
    pub version: u32,
    pub users: Vec<User>,
    pub tags: Vec<Tag>,
    pub articles: Vec<Article>,
    pub audit: Vec<AuditEvent>,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct User {
    pub id: Uuid,
    pub email: String,
    pub display_name: String,
    pub slug: String,
    pub bio: String,
    pub role: String,
    #[serde(with = "time::serde::rfc3339::option")]
    pub disabled_at: Option<OffsetDateTime>,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Tag {
    pub id: Uuid,
    pub slug: String,
    pub name: String,
    pub kind: String,
    pub description: String,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
    /// Old addresses that lead to this tag.
    pub redirects: Vec<Redirect>,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Redirect {
    pub old_slug: String,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Article {
    pub id: Uuid,
    pub slug: String,
    pub title: String,
    pub dek: String,
    pub body_markdown: String,
    pub excerpt: String,
    pub lang: String,
    pub status: String,
    pub review_note: String,
    pub withdrawn: bool,
    pub author_id: Uuid,
    pub last_editor_id: Option<Uuid>,
    #[serde(with = "time::serde::rfc3339::option")]
    pub published_at: Option<OffsetDateTime>,
    pub published_version: Option<i32>,
    pub version: i32,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
    /// Tag ids, in the article's order.
    pub tags: Vec<Uuid>,
    /// Links to other articles, in order: picked by the author, or found in the body.
    pub links: Vec<Link>,
    pub redirects: Vec<Redirect>,
    pub corrections: Vec<Correction>,
    /// Oldest first.
    pub revisions: Vec<Revision>,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Link {
    pub to: Uuid,
    /// `picked` or `inline`.
    pub origin: String,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Correction {
    pub id: i64,
    pub author_id: Option<Uuid>,
    #[serde(with = "time::serde::rfc3339")]
    pub noted_at: OffsetDateTime,
    pub body: String,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Revision {
    pub id: i64,
    pub version: i32,
    pub kind: String,
    pub title: String,
    pub dek: String,
    pub body_markdown: String,
    /// Tag ids and picked related article ids as they were at this save.
    pub tags: serde_json::Value,
    pub related: serde_json::Value,
    pub editor_id: Option<Uuid>,
    pub save_key: Option<Uuid>,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuditEvent {
    pub id: i64,
    pub actor_id: Option<Uuid>,
    pub action: String,
    pub target_type: String,
    pub target_id: Option<String>,
    pub details: serde_json::Value,
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
}

/// Why a file is not an export this build can read.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum FormatError {
    #[error("this is not a Vigie export (its \"format\" is {0:?}, not \"vigie\")")]
    NotVigie(String),
    #[error("this export is version {0}; this Vigie reads version {VERSION}")]
    Version(u32),
}

impl Archive {
    /// Checks the header: the file must be a Vigie export of the version this build reads.
    pub fn check(&self) -> Result<(), FormatError> {
        if self.format != FORMAT {
            return Err(FormatError::NotVigie(self.format.clone()));
        }
        if self.version != VERSION {
            return Err(FormatError::Version(self.version));
        }
        Ok(())
    }
}

/// Writes an export record by record: the header, then each section in turn.
pub struct Writer<W: std::io::Write> {
    out: W,
    /// Whether the open section has a record yet (a comma goes before the next one).
    started: bool,
    sections: usize,
}

impl<W: std::io::Write> Writer<W> {
    pub fn new(mut out: W) -> std::io::Result<Self> {
        write!(out, "{{\"format\":\"{FORMAT}\",\"version\":{VERSION}")?;
        Ok(Self {
            out,
            started: false,
            sections: 0,
        })
    }

    /// Opens the next section (`users`, `tags`, `articles`, `audit`), closing the one before.
    pub fn section(&mut self, name: &str) -> std::io::Result<()> {
        if self.sections > 0 {
            self.out.write_all(b"\n]")?;
        }
        write!(self.out, ",\n\"{name}\":[")?;
        self.sections += 1;
        self.started = false;
        Ok(())
    }

    /// One record of the open section, on a line of its own.
    pub fn record(&mut self, record: &impl Serialize) -> std::io::Result<()> {
        self.out
            .write_all(if self.started { b",\n" } else { b"\n" })?;
        serde_json::to_writer(&mut self.out, record)?;
        self.started = true;
        Ok(())
    }

    /// Closes the last section and the document, and hands the output back.
    pub fn finish(mut self) -> std::io::Result<W> {
        if self.sections > 0 {
            self.out.write_all(b"\n]")?;
        }
        self.out.write_all(b"}\n")?;
        self.out.flush()?;
        Ok(self.out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_the_writer_writes_reads_back_as_an_archive() {
        let mut w = Writer::new(Vec::new()).expect("header");
        w.section("users").expect("users");
        w.section("tags").expect("tags");
        w.record(&Tag {
            id: Uuid::nil(),
            slug: "ia".into(),
            name: "IA".into(),
            kind: "topic".into(),
            description: String::new(),
            created_at: OffsetDateTime::UNIX_EPOCH,
            updated_at: OffsetDateTime::UNIX_EPOCH,
            redirects: vec![],
        })
        .expect("tag");
        w.section("articles").expect("articles");
        w.section("audit").expect("audit");
        let bytes = w.finish().expect("end");
        let text = String::from_utf8(bytes).expect("utf-8");
        let archive: Archive = serde_json::from_str(&text).expect("reads back");
        assert_eq!(archive.check(), Ok(()));
        assert_eq!(archive.tags.len(), 1);
        assert_eq!(archive.tags[0].slug, "ia");
        assert!(archive.users.is_empty() && archive.articles.is_empty());
        // One record per line: exports compare with diff.
        assert!(
            text.contains("\n{\"id\":\"00000000-0000-0000-0000-000000000000\",\"slug\":\"ia\"")
        );
    }

    #[test]
    fn other_formats_and_versions_are_refused_by_name() {
        let read = |s: &str| serde_json::from_str::<Archive>(s).expect("parses");
        let other =
            read(r#"{"format":"ghost","version":1,"users":[],"tags":[],"articles":[],"audit":[]}"#);
        assert_eq!(other.check(), Err(FormatError::NotVigie("ghost".into())));
        let newer =
            read(r#"{"format":"vigie","version":2,"users":[],"tags":[],"articles":[],"audit":[]}"#);
        assert_eq!(
            newer.check().map_err(|e| e.to_string()),
            Err("this export is version 2; this Vigie reads version 1".into())
        );
    }
}

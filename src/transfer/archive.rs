//! Vigie's own export format, version 1: one JSON document holding every user (without password
//! hash), tag, guest contributor, image of the library (its original file inside, in base64: one file holds the
//! whole site, and is written whole or not at all), jurisdiction and regulation of the tracker
//! (with its milestones and history), article (with its tags, links, old
//! addresses, corrections and every revision) and audit event. Written one record per line, in a fixed order, so that exporting the same
//! content twice gives the same bytes and two exports compare with `diff`.
//!
//! Left out on purpose: sessions, password and setup tokens, login throttles and edit locks
//! (they belong to the running site, not to the content), and what is derived from the rest
//! (rendered HTML, the search index, images' renditions), which an import computes again.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use uuid::Uuid;

/// The value of `format` in every export.
pub const FORMAT: &str = "vigie";
/// The version this build writes and reads.
pub const VERSION: u32 = 1;

/// One record of an export, as [`read`] hands them over, in file order.
#[derive(Debug)]
pub enum Record {
    User(User),
    Tag(Tag),
    Contributor(Contributor),
    Media(Box<Media>),
    Jurisdiction(Jurisdiction),
    Regulation(Box<Regulation>),
    /// Sent last by an export made before the tracker (it has no `regulations` section): its
    /// regulation and jurisdiction tags are to become records, as the migration made them.
    NoTracker,
    Article(Box<Article>),
    Audit(AuditEvent),
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

/// A guest contributor: a byline without an account.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Contributor {
    pub id: Uuid,
    pub slug: String,
    pub name: String,
    pub bio: String,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
}

/// A co-author of an article, in order: an account or a guest contributor.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Coauthor {
    pub user_id: Option<Uuid>,
    pub contributor_id: Option<Uuid>,
}

/// An image of the library, with its original file (renditions are made again on import).
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Media {
    pub id: Uuid,
    /// What the original decodes as: jpeg, png, webp or gif.
    pub format: String,
    pub width: i32,
    pub height: i32,
    pub alt: String,
    pub caption: String,
    pub credit: String,
    pub focal_x: f32,
    pub focal_y: f32,
    pub uploaded_by: Option<Uuid>,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    /// The original file as sent, in standard base64.
    pub original: String,
}

/// A jurisdiction of the regulation tracker.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Jurisdiction {
    pub id: Uuid,
    pub slug: String,
    pub name: String,
    pub tag_id: Option<Uuid>,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
}

/// A regulation with its milestones and its public history (its summary's HTML is made again
/// on import). Dates are `YYYY-MM-DD`.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Regulation {
    pub id: Uuid,
    pub slug: String,
    pub name: String,
    pub short_name: String,
    pub official_title: String,
    pub identifier: String,
    pub jurisdiction_id: Option<Uuid>,
    pub legal_form: Option<String>,
    pub status: Option<String>,
    pub adopted_on: Option<String>,
    pub official_url: String,
    pub legislature_url: String,
    pub summary_markdown: String,
    pub tag_id: Option<Uuid>,
    #[serde(with = "time::serde::rfc3339::option")]
    pub published_at: Option<OffsetDateTime>,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
    pub milestones: Vec<Milestone>,
    /// Oldest first.
    pub history: Vec<RegulationChange>,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Milestone {
    pub id: Uuid,
    pub on_date: String,
    pub precision: String,
    pub label: String,
    pub applies: String,
    pub source_url: String,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RegulationChange {
    pub id: i64,
    pub milestone_id: Option<Uuid>,
    pub kind: String,
    pub label: String,
    pub from_date: Option<String>,
    pub from_precision: Option<String>,
    pub to_date: Option<String>,
    pub to_precision: Option<String>,
    pub from_status: Option<String>,
    pub to_status: Option<String>,
    pub note: String,
    pub source_url: String,
    pub actor_id: Option<Uuid>,
    #[serde(with = "time::serde::rfc3339")]
    pub noted_at: OffsetDateTime,
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
    /// Why it was withdrawn, shown to readers (absent from archives made before it existed).
    #[serde(default)]
    pub withdrawn_reason: String,
    /// What social networks show when it is shared (absent from older archives).
    #[serde(default)]
    pub social_title: String,
    #[serde(default)]
    pub social_description: String,
    /// Its featured image, and the images its text shows (absent from older archives).
    #[serde(default)]
    pub featured_media_id: Option<Uuid>,
    #[serde(default)]
    pub media: Vec<Uuid>,
    /// How AI was used to make it, and whether it is open to text-and-data mining (absent
    /// from older archives).
    #[serde(default = "no_ai_use")]
    pub ai_use: String,
    #[serde(default)]
    pub tdm_open: bool,
    /// Not to come out before this time, and why (absent from older archives).
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub embargo_until: Option<OffsetDateTime>,
    #[serde(default)]
    pub embargo_note: String,
    /// Who signs after the author, in order, and when it last changed in substance (absent
    /// from older archives).
    #[serde(default)]
    pub coauthors: Vec<Coauthor>,
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub revised_at: Option<OffsetDateTime>,
    /// `article`, or `page` (a standalone page; older archives have only articles).
    #[serde(default = "an_article")]
    pub kind: String,
    /// The article it translates, and that one's revision it was last saved against.
    #[serde(default)]
    pub translation_of: Option<Uuid>,
    #[serde(default)]
    pub translated_from: Option<i64>,
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
    /// Addresses it had on the site it was imported from.
    pub legacy_urls: Vec<LegacyUrl>,
    pub corrections: Vec<Correction>,
    /// The newsroom's notes on it, oldest first (absent from older archives).
    #[serde(default)]
    pub notes: Vec<Note>,
    /// Oldest first.
    pub revisions: Vec<Revision>,
}

fn an_article() -> String {
    "article".to_owned()
}

fn no_ai_use() -> String {
    "none".to_owned()
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LegacyUrl {
    /// Percent-decoded, without its trailing slash (see `domain::legacy_path`).
    pub path: String,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
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

/// An editorial note (staff only): a thread's first note, or a reply to one.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Note {
    pub id: i64,
    pub parent_id: Option<i64>,
    pub paragraph: Option<i32>,
    pub quote: String,
    pub body: String,
    pub author_id: Option<Uuid>,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339::option")]
    pub resolved_at: Option<OffsetDateTime>,
    pub resolved_by: Option<Uuid>,
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
    /// The API token it was done with, by name (tokens themselves never leave the site).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_name: Option<String>,
}

/// The sections of an export, in the order they must come: each one's records may point at
/// the sections before it (an article at its author and its images, an audit event at its
/// actor).
const SECTIONS: &[&str] = &[
    "users",
    "tags",
    "contributors",
    "media",
    "jurisdictions",
    "regulations",
    "articles",
    "audit",
];
/// Sections older exports do not have.
const OPTIONAL: &[&str] = &["contributors", "media", "jurisdictions", "regulations"];

/// Whether every section from `from` up to (not including) `to` may be missing.
fn skippable(from: usize, to: usize) -> bool {
    SECTIONS[from..to].iter().all(|s| OPTIONAL.contains(s))
}

/// Reads an export from `input` record by record, handing each to `take` as soon as it is read,
/// so that an export of any size is imported in little memory. Errors name the line and column;
/// `take` stops the reading by returning an error (its message is kept).
pub fn read(
    input: impl std::io::Read,
    take: impl FnMut(Record) -> Result<(), String>,
) -> Result<(), serde_json::Error> {
    use serde::de::DeserializeSeed;
    let mut de = serde_json::Deserializer::from_reader(input);
    Whole { take }.deserialize(&mut de)?;
    de.end()
}

/// The top-level object: the header, then the sections in order.
struct Whole<F> {
    take: F,
}

impl<'de, F: FnMut(Record) -> Result<(), String>> serde::de::DeserializeSeed<'de> for Whole<F> {
    type Value = ();

    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de, F: FnMut(Record) -> Result<(), String>> serde::de::Visitor<'de> for Whole<F> {
    type Value = ();

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str(
            "a Vigie export (a JSON object with format, version, users, tags, articles, audit)",
        )
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(mut self, mut map: A) -> Result<(), A::Error> {
        use serde::de::Error;
        let mut format: Option<String> = None;
        let mut version: Option<u32> = None;
        let mut next_section = 0;
        let mut tracker = false;
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
                "format" => {
                    let value: String = map.next_value()?;
                    if value != FORMAT {
                        return Err(A::Error::custom(format!(
                            "this is not a Vigie export (its \"format\" is {value:?}, not \"{FORMAT}\")"
                        )));
                    }
                    format = Some(value);
                }
                "version" => {
                    let value: u32 = map.next_value()?;
                    if value != VERSION {
                        return Err(A::Error::custom(format!(
                            "this export is version {value}; this Vigie reads version {VERSION}"
                        )));
                    }
                    version = Some(value);
                }
                section => {
                    let Some(at) = SECTIONS.iter().position(|s| *s == section) else {
                        return Err(A::Error::unknown_field(section, SECTIONS));
                    };
                    if format.is_none() || version.is_none() {
                        return Err(A::Error::custom(
                            "\"format\" and \"version\" must come before the content",
                        ));
                    }
                    if at < next_section || !skippable(next_section, at) {
                        return Err(A::Error::custom(format!(
                            "the sections must come in this order: {}",
                            SECTIONS.join(", ")
                        )));
                    }
                    next_section = at + 1;
                    tracker |= section == "regulations";
                    let take = &mut self.take;
                    match section {
                        "users" => map.next_value_seed(Section(take, Record::User))?,
                        "tags" => map.next_value_seed(Section(take, Record::Tag))?,
                        "contributors" => {
                            map.next_value_seed(Section(take, Record::Contributor))?
                        }
                        "media" => {
                            map.next_value_seed(Section(take, |m| Record::Media(Box::new(m))))?
                        }
                        "jurisdictions" => {
                            map.next_value_seed(Section(take, Record::Jurisdiction))?
                        }
                        "regulations" => {
                            map.next_value_seed(Section(take, |r| Record::Regulation(Box::new(r))))?
                        }
                        "articles" => {
                            map.next_value_seed(Section(take, |a| Record::Article(Box::new(a))))?
                        }
                        _ => map.next_value_seed(Section(take, Record::Audit))?,
                    }
                }
            }
        }
        if let Some(missing) = SECTIONS[next_section..]
            .iter()
            .find(|s| !OPTIONAL.contains(s))
        {
            return Err(A::Error::missing_field(missing));
        }
        if !tracker {
            (self.take)(Record::NoTracker).map_err(A::Error::custom)?;
        }
        Ok(())
    }
}

/// One section: an array whose elements go to `take` one at a time, wrapped by the second
/// field.
struct Section<'a, F, T>(&'a mut F, fn(T) -> Record);

impl<'de, T, F> serde::de::DeserializeSeed<'de> for Section<'_, F, T>
where
    T: Deserialize<'de>,
    F: FnMut(Record) -> Result<(), String>,
{
    type Value = ();

    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de, T, F> serde::de::Visitor<'de> for Section<'_, F, T>
where
    T: Deserialize<'de>,
    F: FnMut(Record) -> Result<(), String>,
{
    type Value = ();

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("an array of records")
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while let Some(record) = seq.next_element::<T>()? {
            (self.0)((self.1)(record)).map_err(serde::de::Error::custom)?;
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

    /// Opens the next section (see [`SECTIONS`]), closing the one before.
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
        let mut records = Vec::new();
        read(text.as_bytes(), |r| {
            records.push(r);
            Ok(())
        })
        .expect("reads back");
        // Without a `regulations` section, it says so last.
        assert!(
            matches!(records.as_slice(), [Record::Tag(t), Record::NoTracker] if t.slug == "ia"),
            "{records:?}"
        );
        // One record per line: exports compare with diff.
        assert!(
            text.contains("\n{\"id\":\"00000000-0000-0000-0000-000000000000\",\"slug\":\"ia\"")
        );
    }

    fn error_of(text: &str) -> String {
        read(text.as_bytes(), |_| Ok(()))
            .expect_err("refused")
            .to_string()
    }

    #[test]
    fn other_formats_versions_and_orders_are_refused_by_name() {
        assert_eq!(
            error_of(r#"{"format":"ghost","version":1,"users":[]}"#),
            "this is not a Vigie export (its \"format\" is \"ghost\", not \"vigie\") at line 1 column 18"
        );
        assert!(
            error_of(r#"{"format":"vigie","version":2}"#)
                .starts_with("this export is version 2; this Vigie reads version 1")
        );
        assert!(
            error_of(r#"{"users":[],"format":"vigie","version":1}"#)
                .starts_with("\"format\" and \"version\" must come before the content")
        );
        assert!(
            error_of(r#"{"format":"vigie","version":1,"tags":[],"users":[]}"#).starts_with(
                "the sections must come in this order: users, tags, contributors, media, jurisdictions, regulations, articles, audit"
            )
        );
        assert!(
            error_of(r#"{"format":"vigie","version":1,"users":[],"tags":[],"articles":[]}"#)
                .starts_with("missing field `audit`")
        );
        assert!(
            error_of("{\"format\":\"vigie\",\"version\":1,\n\"users\":[{\"id\":1}]")
                .contains("line 2")
        );
    }

    #[test]
    fn what_the_receiver_refuses_stops_the_reading() {
        let text = r#"{"format":"vigie","version":1,"users":[],"tags":[{"id":"00000000-0000-0000-0000-000000000000","slug":"ia","name":"IA","kind":"topic","description":"","created_at":"1970-01-01T00:00:00Z","updated_at":"1970-01-01T00:00:00Z","redirects":[]}],"articles":[],"audit":[]}"#;
        let err = read(text.as_bytes(), |_| Err("tag ia: duplicate".into())).expect_err("stops");
        assert!(err.to_string().starts_with("tag ia: duplicate"), "{err}");
    }
}

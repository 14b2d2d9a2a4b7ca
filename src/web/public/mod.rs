//! Reader pages: the home page, articles, tag and author pages.

mod article;
mod calendars;
mod feeds;
mod listing;
mod machines;
mod media;
mod pages;
mod preview_link;
mod regulations;
mod search;

use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

pub use article::{corrections, old_address, show as article};
pub use calendars::{
    jurisdiction_calendar, regulation_calendar, regulation_changes, regulations_calendar,
};
pub use feeds::{
    author_atom, contributor_atom, security_policy, security_txt, site_atom, site_rss,
    sitemap_index, sitemap_page, tag_atom,
};
pub use listing::{author, contributor, home, tag};
pub use machines::{left_open, robots, tdm_header, tdmrep};
pub use media::{file as media_file, image};
pub use pages::show as site_page;
pub use preview_link::preview_link;
pub use regulations::{jurisdiction, regulation, regulations};
pub use search::{search, search_words};

use crate::store::TagRef;
use crate::web::AppState;

/// A moment as pages show it: machine-readable for `<time datetime>`, and in words.
pub struct When {
    pub iso: String,
    pub text: String,
}

impl AppState {
    /// `at` as readers see it: in the newsroom's time zone, in the site's language.
    fn when(&self, at: OffsetDateTime) -> When {
        When {
            // Whole seconds: HTML's `datetime` takes at most three digits of a fraction.
            iso: at
                .replace_nanosecond(0)
                .unwrap_or(at)
                .format(&Rfc3339)
                .unwrap_or_default(),
            text: self.date_text(at),
        }
    }
}

/// One name of a byline, linked to its page, with what comes before it ("", ", ", " et ").
pub struct BylineLink {
    pub name: String,
    pub path: String,
    pub sep: String,
}

/// "A, B et C": every byline, linked, joined as the site's language joins names.
fn byline_links(bylines: &[crate::store::Byline], and: &'static str) -> Vec<BylineLink> {
    let last = bylines.len().saturating_sub(1);
    bylines
        .iter()
        .enumerate()
        .map(|(i, b)| BylineLink {
            name: b.name.clone(),
            path: b.path(),
            sep: match i {
                0 => String::new(),
                i if i == last => format!(" {and}"),
                _ => ",".to_owned(),
            },
        })
        .collect()
}

/// A tag link, with its kind for styling.
pub struct TagLink {
    pub slug: String,
    pub name: String,
    pub kind: crate::domain::TagKind,
}

fn tag_links(tags: Vec<TagRef>) -> Vec<TagLink> {
    tags.into_iter()
        .map(|t| TagLink {
            slug: t.slug,
            name: t.name,
            kind: t.kind,
        })
        .collect()
}

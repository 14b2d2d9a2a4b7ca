//! The frame every page is drawn in ([`Page`]): the site's language and words, the title, the
//! stylesheet, and on staff pages the signed-in user's menu (see `auth`'s `page_for`).

use super::AppState;
use super::assets;
use super::i18n::Words;

impl AppState {
    /// The date of `at` in words, on the newsroom's calendar and in the site's language.
    pub(in crate::web) fn date_text(&self, at: time::OffsetDateTime) -> String {
        crate::domain::format_date(self.zone.local(at).date(), self.config.lang)
    }

    /// The same moment on the newsroom's wall clock (`VIGIE_TIMEZONE`).
    pub(in crate::web) fn local_time(&self, at: time::OffsetDateTime) -> time::OffsetDateTime {
        self.zone.local(at)
    }

    /// A moment on the newsroom's wall clock (`VIGIE_TIMEZONE`), for staff pages:
    /// `5 déc. à 10:42`.
    pub(in crate::web) fn moment_text(&self, at: time::OffsetDateTime) -> String {
        let today = self.zone.local(time::OffsetDateTime::now_utc()).date();
        crate::domain::format_moment(self.zone.local(at), today, self.config.lang)
    }

    pub(in crate::web) fn words(&self) -> &'static Words {
        Words::for_lang(self.config.lang)
    }

    /// The frame of a page titled `title`, in the site's language.
    pub(in crate::web) fn page(&self, title: String) -> Page {
        Page {
            lang: self.config.lang.as_str().to_owned(),
            t: self.words(),
            title,
            description: String::new(),
            social_title: None,
            social_description: None,
            canonical: None,
            stylesheet: assets::STYLESHEET.url.as_str(),
            reader_script: assets::READER_SCRIPT.url.as_str(),
            account: None,
            image: None,
            tdm_reservation: self.config.tdm.reserved.then_some("1"),
            tdm_policy: self.config.tdm.policy.clone(),
            menu: self.cache.menu(),
        }
    }
}

/// The picture a social network shows when a page is shared (`og:image`).
pub struct SocialImage {
    pub url: String,
    pub width: i32,
    pub height: i32,
    pub alt: String,
}

/// The signed-in user's corner of the header: their name and a sign-out button.
pub struct AccountNav {
    pub display_name: String,
    pub csrf_token: String,
    /// Editors and admins get the review queue in their menu.
    pub reviewer: bool,
    /// How many articles wait for review.
    pub waiting: i64,
    /// How many notifications they have not read.
    pub unread: i64,
    /// Admins get the audit log.
    pub auditor: bool,
}

/// What `base.html` needs from every page.
pub struct Page {
    /// `<html lang>`: the site's language, or the article's own on an article page.
    pub lang: String,
    pub t: &'static Words,
    pub title: String,
    pub description: String,
    /// What a social network shows when the page is shared, when it differs from the title
    /// and the description.
    pub social_title: Option<String>,
    pub social_description: Option<String>,
    pub canonical: Option<String>,
    pub stylesheet: &'static str,
    /// The public pages' script (the staff's "Modifier" link).
    pub reader_script: &'static str,
    /// Set on staff pages only; public pages look the same to everyone.
    pub account: Option<AccountNav>,
    /// `og:image` and `twitter:image`.
    pub image: Option<SocialImage>,
    /// `<meta name="tdm-reservation">` (W3C TDMRep): `1` where the newsroom reserves
    /// text-and-data-mining rights, `0` on an article it leaves open; none when the site
    /// reserves nothing.
    pub tdm_reservation: Option<&'static str>,
    pub tdm_policy: Option<String>,
    /// The site's menu (`/admin/menu`); empty: the regulation tracker alone.
    pub menu: std::sync::Arc<Vec<crate::store::site::MenuItem>>,
}

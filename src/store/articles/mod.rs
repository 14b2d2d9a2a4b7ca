//! Articles, by who reads or writes them:
//!
//! - [`public`], [`sections`] and [`discover`]: what readers see (lists, a tag's or an
//!   author's page, one article, feeds, related articles, search, sitemap), always through the
//!   visibility rule of the `visibility` migration;
//! - [`desk`]: the newsroom's reads (the editor's list, the form, revisions);
//! - [`write`]: the one write path of the text (create, save, delete), with [`kept`] (text
//!   kept as revisions without being saved: conflicts, autosaves), [`links`] (tags, related and
//!   inline links) and [`lock`] (the soft lock) as its parts;
//! - [`bylines`]: who signs an article (its author first, then co-authors, accounts or guests);
//! - [`translations`]: translation groups (a source and one article per other language);
//! - [`suggestions`]: the automatic related articles, kept by background jobs;
//! - [`status`]: the one way an article changes status, publishing included; [`embargo`]
//!   (not before a time) and [`previews`] (links for someone outside the newsroom) beside it.

pub mod bylines;
pub mod desk;
pub mod discover;
pub mod embargo;
pub mod kept;
pub mod links;
pub mod lock;
pub mod previews;
pub mod public;
pub mod sections;
pub mod status;
pub mod suggestions;
pub mod translations;
pub mod write;

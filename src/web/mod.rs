//! The HTTP side: the application as one piece ([`app`]), its shared state ([`state`]), the
//! router with its middleware stack in one readable place ([`middleware`]), the route table
//! ([`routes`]), and the handlers, by who uses them (public, editor, admin, auth, api).

mod admin;
mod api;
pub mod app;
mod assets;
pub mod auth;
mod caching;
mod editor;
pub mod error;
mod health;
mod i18n;
mod metrics;
mod middleware;
mod notices;
mod notifications;
mod page;
mod public;
mod reads;
pub(crate) mod render_cache;
pub mod routes;
mod same_origin;
mod serve;
mod state;

pub use app::{Application, Stop, shutdown_signal};
pub use error::AppError;
pub use middleware::router;
pub use page::{AccountNav, Page};
pub use state::{AppState, Busy};

/// The parts of request handling that read raw client input, for the fuzz targets (`fuzz/`).
pub mod fuzzing {
    pub use super::caching::{Coding, wanted_coding};
    pub use super::public::search_words;
}

//! Pure rules and validated types: no I/O here, everything unit-tested beside the code.

mod lang;
pub mod markdown;
mod slug;
mod status;
mod text;

pub use lang::{Lang, format_date};
pub use slug::{Slug, SlugError};
pub use status::{Action, ArticleStatus, Role, TransitionError, may_edit, transition};
pub use text::{Email, TagKind, TextError, Title};

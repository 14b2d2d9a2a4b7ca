//! Pure rules and validated types: no I/O here, everything unit-tested beside the code.

mod audit;
mod column;
pub mod device;
pub mod diff;
pub mod ical;
mod lang;
mod legacy;
pub mod markdown;
pub mod merge;
pub mod password;
mod permissions;
pub mod regulation;
mod slug;
mod status;
pub mod text;
pub mod throttle;
pub mod token;
pub mod totp;
pub mod typography;
pub mod webhook;
pub mod zone;

pub use audit::AuditAction;
pub use lang::{Lang, format_date, format_moment, format_month};
pub use legacy::legacy_path;
pub use permissions::{Permission, may};
pub use slug::{Slug, SlugError};
pub use status::{
    Action, ArticleStatus, RevisionKind, Role, Standing, TransitionError, transition,
};
pub use text::{DisplayName, Email, TagKind, TextError, Title};

//! Editors' and admins' pages: the review queue (publish, schedule, send back with a note) and
//! the audit log, the background jobs.

mod audit;
pub mod contributors;
pub mod jobs;
pub mod menu;
pub mod milestones;
mod record_form;
pub mod regulation;
pub mod regulations;
mod review;
pub mod tags;
pub mod users;
pub mod webhooks;

pub use audit::audit;
pub use review::{decide, queue, review};

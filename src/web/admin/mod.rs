//! Editors' and admins' pages: the review queue (publish, schedule, send back with a note).

mod review;

pub use review::{decide, queue, review};

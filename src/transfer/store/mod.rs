//! The SQL of moving content in and out: reading everything for an export ([`read`]), and
//! writing an export's records (or a WordPress site's articles) back in ([`write`]). The
//! records are those of [`super::archive`]; writes keep their ids and times as they are.
//! Articles go in by batches through `COPY` ([`batch`]); the few other records one by one.

mod batch;
mod copy;
mod read;
mod write;

pub use batch::{Batch, Events, Ready, Source};
pub use read::*;
pub use write::*;

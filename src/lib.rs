//! Vigie, a newsroom CMS for reporting on AI regulation.
//!
//! One binary serves readers (public pages), journalists (the editor) and editors (review and
//! moderation). All state lives in PostgreSQL; see `../shared/design.md` for the whole picture.

pub mod cli;
pub mod config;
pub mod db;
pub mod domain;
pub mod seed;
pub mod store;
pub mod transfer;
pub mod web;

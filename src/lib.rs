//! Vigie, a newsroom CMS for reporting on AI regulation.
//!
//! One binary serves readers (public pages), journalists (the editor) and editors (review and
//! moderation). All state lives in PostgreSQL. `ARCHITECTURE.md`, at the top of the
//! repository, has the code map, the invariants and the logging rules.

pub mod cli;
pub mod config;
pub mod db;
pub mod domain;
pub mod jobs;
pub mod mail;
pub mod media;
pub mod seed;
pub mod store;
pub mod transfer;
pub mod web;
pub mod webhooks;

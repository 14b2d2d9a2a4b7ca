//! Integration tests: the real router on a real PostgreSQL, a fresh database per test.
//! `DATABASE_URL` set: databases are created on that server; unset: on an embedded
//! PostgreSQL this test process starts (and a watchdog stops when it exits).

// Test helpers fail loudly: a panic here is a failed test with its message.
#![expect(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test helpers fail loudly"
)]

mod helpers;

mod accounts;
mod articles;
mod audit;
mod authz;
mod bad_input;
mod browser;
mod bylines;
mod caching;
mod cli;
mod content_api;
mod desk;
mod editor;
mod embargo;
mod embedded;
mod expiry;
mod faults;
mod feeds;
mod generate;
mod hardening;
mod health;
mod i18n;
mod lists;
mod logging;
mod mail;
mod media;
mod metrics;
mod notes;
mod pages;
mod previews;
mod regulations;
mod related;
mod render_cache;
mod replicas;
mod review;
mod round_trip;
mod saves;
mod search;
mod tags_admin;
mod throttle;
mod transfer;
mod translations;
mod two_factor;
mod users;
mod validators;
mod visibility;
mod webhooks;
mod write_api;
mod xss;

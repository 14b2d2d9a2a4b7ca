//! The render cache's reading of `Accept-Encoding` on arbitrary header values: it must not
//! panic, and it may promise gzip only to a client that names gzip, `x-gzip` or `*`, and a
//! plain body only to one that does not refuse it outright.
//!
//!     cargo +nightly fuzz run accept_encoding -- -max_total_time=60
#![no_main]

use axum::http::{HeaderMap, HeaderValue, header};
use libfuzzer_sys::fuzz_target;
use vigie::web::fuzzing::{Coding, wanted_coding};

fuzz_target!(|data: &[u8]| {
    let Ok(value) = HeaderValue::from_bytes(data) else {
        return;
    };
    let mut headers = HeaderMap::new();
    headers.insert(header::ACCEPT_ENCODING, value);
    let lower = String::from_utf8_lossy(data).to_ascii_lowercase();
    match wanted_coding(&headers) {
        Some(Coding::Gzip) => assert!(lower.contains("gzip") || lower.contains('*'), "{lower:?}"),
        Some(Coding::Identity) => assert!(
            !lower.split(',').any(|item| {
                let mut parts = item.split(';');
                let coding = parts.next().unwrap_or_default().trim();
                coding == "identity"
                    && parts.any(|p| {
                        matches!(p.replace([' ', '\t'], "").as_str(), "q=0" | "q=0." | "q=0.0" | "q=0.00" | "q=0.000")
                    })
            }),
            "{lower:?}"
        ),
        None => {}
    }
});

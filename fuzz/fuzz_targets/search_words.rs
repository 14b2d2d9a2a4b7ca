//! What a search box receives, as it is searched for: it must not panic, and what comes out
//! must be bounded and hold no `-` that PostgreSQL's query parser could stack up ("tsquery
//! stack too small"): each touches a word, and none follows another.
//!
//!     cargo +nightly fuzz run search_words -- -max_total_time=60
#![no_main]

use libfuzzer_sys::fuzz_target;
use vigie::web::fuzzing::search_words;

fuzz_target!(|data: &[u8]| {
    let Ok(typed) = std::str::from_utf8(data) else {
        return;
    };
    let words = search_words(typed);
    assert!(words.chars().count() <= 200);
    assert!(!words.chars().any(char::is_control));
    let chars: Vec<char> = words.chars().collect();
    for (i, c) in chars.iter().enumerate() {
        if *c != '-' {
            continue;
        }
        let before = i.checked_sub(1).map(|j| chars[j]);
        let after = chars.get(i + 1).copied();
        assert_ne!(before, Some('-'), "two in a row in {words:?}");
        assert!(
            before.is_some_and(char::is_alphanumeric) || after.is_some_and(char::is_alphanumeric),
            "a bare - in {words:?}"
        );
    }
});

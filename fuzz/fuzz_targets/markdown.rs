//! The article pipeline (Markdown → sanitised HTML) on arbitrary bytes: it must not panic,
//! nothing executable may come out, and its output must be a fixed point of the sanitiser.
//!
//!     cargo +nightly fuzz run markdown -- -max_total_time=600
#![no_main]

use libfuzzer_sys::fuzz_target;
use vigie::domain::Lang;
use vigie::domain::markdown::{render, sanitize};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    for lang in [Lang::Fr, Lang::En] {
        let out = render(text, "https://vigie.example", lang);
        assert_eq!(sanitize(&out.html), out.html, "sanitising again changed the output");
        let doc = scraper::Html::parse_fragment(&out.html);
        for node in doc.tree.nodes() {
            let scraper::Node::Element(e) = node.value() else {
                continue;
            };
            assert!(
                !["script", "style", "iframe", "object", "embed", "svg", "math", "form"]
                    .contains(&e.name()),
                "<{}> survived",
                e.name()
            );
            for (attr, value) in e.attrs() {
                assert!(!attr.starts_with("on") && attr != "style", "{attr} survived");
                let value: String = value
                    .chars()
                    .filter(|c| !c.is_whitespace() && !c.is_control())
                    .collect::<String>()
                    .to_lowercase();
                assert!(
                    !(["href", "src"].contains(&attr)
                        && ["javascript:", "vbscript:", "data:"]
                            .iter()
                            .any(|s| value.starts_with(s))),
                    "{attr}={value} survived"
                );
            }
        }
    }
});

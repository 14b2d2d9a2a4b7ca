//! How long Markdown rendering takes on 1 MB bodies, the largest `VIGIE_MAX_BODY` allows by
//! default: ordinary prose and the shapes that used to cost more than their size (repeated
//! headings, a long link full of emphasis, thousands of links). The cost must stay linear.
//!
//!     cargo bench --bench render                 # release build; prints one line per body
//!     BENCH_KIB=64 cargo bench --bench render    # smaller bodies (the default is 1024)

use std::time::{Duration, Instant};

use vigie::domain::Lang;
use vigie::domain::markdown::render;

const RUNS: usize = 5;

/// The size of the bodies, in bytes.
fn size() -> usize {
    std::env::var("BENCH_KIB")
        .ok()
        .and_then(|k| k.parse::<usize>().ok())
        .unwrap_or(1024)
        * 1024
}

/// `piece` repeated to just under `size` bytes.
fn fill(piece: &str, size: usize) -> String {
    piece.repeat(size / piece.len())
}

fn bodies() -> Vec<(&'static str, String)> {
    #[expect(non_snake_case, reason = "a constant for this run")]
    let SIZE = size();
    let fill = |piece: &str| fill(piece, SIZE);
    let sample = include_str!("../src/seed/demo/anthropic-washington.md");
    let mut long_link = String::from("[");
    while long_link.len() < SIZE / 2 {
        long_link.push_str("*mot* ");
    }
    long_link.push_str("](https://exemple.fr/");
    long_link.push_str(&"x".repeat(SIZE - long_link.len() - 2));
    long_link.push(')');
    let mut links = String::new();
    let mut n = 0;
    while links.len() < SIZE {
        links.push_str(&format!("[lien {n}](/articles/article-{n}) "));
        n += 1;
    }
    let mut half = 2 * 1024;
    let mut halves = Vec::new();
    while half <= SIZE {
        halves.push(half);
        half *= 4;
    }
    let mut list = vec![
        ("prose (the sample article, repeated)", fill(sample)),
        ("identical headings (## a)", fill("## a\n")),
        ("a long link full of emphasis", long_link),
        ("distinct links to articles", links),
        (
            "a GFM table",
            format!(
                "| Sujet | Position |\n| --- | --- |\n{}",
                fill("| Garde-fous | Priorité *élevée* |\n")
            ),
        ),
        (
            "raw HTML tables with stray text",
            fill("<table><tr><td>a</td>texte égaré</tr></table>\n"),
        ),
        ("emphasis and brackets", fill("*a* _b_ [c] `d` **e** ")),
        // The deepest nesting a save accepts, on every paragraph: the output is ~20× the input.
        (
            "quotes 31 deep, every paragraph",
            fill(&format!("{} x\n\n", ">".repeat(31))),
        ),
    ];
    // Growth: the same headings at several sizes (linear means 4 × the size, ~4 × the time).
    for size in halves {
        let body = "## a\n".repeat(size / 5);
        list.push((
            leak(format!("identical headings, {} KiB", size / 1024)),
            body,
        ));
    }
    list
}

fn leak(s: String) -> &'static str {
    Box::leak(s.into_boxed_str())
}

fn main() {
    println!("{:<45} {:>9} {:>12}", "body", "KiB", "median ms");
    for (name, body) in bodies() {
        let mut times: Vec<Duration> = (0..RUNS)
            .map(|_| {
                let start = Instant::now();
                let out = render(&body, "https://vigie.example", Lang::Fr);
                let took = start.elapsed();
                std::hint::black_box(out);
                took
            })
            .collect();
        times.sort();
        println!(
            "{name:<45} {:>9} {:>12.1}",
            body.len() / 1024,
            times[RUNS / 2].as_secs_f64() * 1000.0
        );
    }
}

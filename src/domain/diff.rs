//! Word-level differences between two texts, for the revisions and review pages.

use std::time::Duration;

use similar::{ChangeTag, TextDiff};

/// A run of words, kept (`same`), `added` or `removed`: also the CSS class it is shown with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Piece {
    pub change: &'static str,
    pub text: String,
}

/// Word diff, given at most a second: past that, a coarser (still correct) diff is returned.
/// Long texts make this real work; call it off the async threads.
pub fn word_diff(old: &str, new: &str) -> Vec<Piece> {
    TextDiff::configure()
        .timeout(Duration::from_secs(1))
        .diff_words(old, new)
        .iter_all_changes()
        .map(|c| Piece {
            change: match c.tag() {
                ChangeTag::Equal => "same",
                ChangeTag::Insert => "added",
                ChangeTag::Delete => "removed",
            },
            text: c.value().to_owned(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn word_diff_marks_what_changed() {
        let pieces = word_diff("la sécurité avant tout", "la sécurité après tout");
        let of = |kind: &str| -> Vec<String> {
            pieces
                .iter()
                .filter(|p| p.change == kind)
                .map(|p| p.text.clone())
                .collect()
        };
        assert_eq!(
            (of("removed"), of("added")),
            (vec!["avant".to_owned()], vec!["après".to_owned()])
        );
    }
}

//! Three-way merge of an article's text, for a save that meets a colleague's: both started from
//! the same version (the base); where they changed different paragraphs, both changes are kept;
//! where they changed the same ones differently, the passage is a clash for the person to
//! decide, with their own text in place meanwhile. A paragraph is a block between blank lines.

use std::time::{Duration, Instant};

use similar::{Algorithm, DiffTag, capture_diff_slices_deadline};

/// A passage both people changed, differently.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Clash {
    /// The merged paragraph just before the passage (empty at the start of the text): where
    /// their version goes when this one's is empty.
    pub after: String,
    /// This person's version of the passage (in the merged text until they choose).
    pub mine: String,
    /// The colleague's version.
    pub theirs: String,
}

/// The merged text and the passages left to decide.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Merged {
    pub text: String,
    pub clashes: Vec<Clash>,
}

/// One side's change to the base: base paragraphs `start..end` become `with`.
#[derive(Debug, Clone)]
struct Hunk<'a> {
    start: usize,
    end: usize,
    with: Vec<&'a str>,
    mine: bool,
}

fn paragraphs(text: &str) -> Vec<&str> {
    text.split("\n\n")
        .map(|p| p.trim_matches('\n'))
        .filter(|p| !p.trim().is_empty())
        .collect()
}

fn hunks<'a>(base: &[&'a str], side: &[&'a str], mine: bool) -> Vec<Hunk<'a>> {
    // Past a second, a coarser diff (still correct: more paragraphs in each hunk) is returned.
    let deadline = Instant::now() + Duration::from_secs(1);
    let mut out = Vec::new();
    for op in capture_diff_slices_deadline(Algorithm::Myers, base, side, Some(deadline)) {
        let (tag, old, new) = op.as_tag_tuple();
        match tag {
            DiffTag::Equal => {}
            // Paragraphs rewritten one for one are changes of their own: a colleague's change
            // to the next paragraph does not clash with them.
            DiffTag::Replace if old.len() == new.len() => {
                for (o, n) in old.zip(new) {
                    out.push(Hunk {
                        start: o,
                        end: o + 1,
                        with: vec![side[n]],
                        mine,
                    });
                }
            }
            _ => out.push(Hunk {
                start: old.start,
                end: old.end,
                with: side[new].to_vec(),
                mine,
            }),
        }
    }
    out
}

/// Whether two changes touch the same part of the base: overlapping ranges, or both inserting
/// at the same place, or one inserting inside or at the edge of what the other replaces.
fn touch(a: &Hunk<'_>, b: &Hunk<'_>) -> bool {
    if a.start == a.end || b.start == b.end {
        a.start.max(b.start) <= a.end.min(b.end)
    } else {
        a.start < b.end && b.start < a.end
    }
}

/// Base paragraphs `start..end` with one side's `hunks` (all within the range) applied.
fn apply<'a>(base: &[&'a str], start: usize, end: usize, hunks: &[&Hunk<'a>]) -> Vec<&'a str> {
    let mut out = Vec::new();
    let mut at = start;
    for h in hunks {
        out.extend_from_slice(&base[at..h.start]);
        out.extend_from_slice(&h.with);
        at = h.end;
    }
    out.extend_from_slice(&base[at..end]);
    out
}

/// Merges `mine` and `theirs`, both made from `base`, paragraph by paragraph.
pub fn merge(base: &str, mine: &str, theirs: &str) -> Merged {
    let base_p = paragraphs(base);
    let mut all = hunks(&base_p, &paragraphs(mine), true);
    all.extend(hunks(&base_p, &paragraphs(theirs), false));
    all.sort_by_key(|h| (h.start, h.end));
    let mut out: Vec<String> = Vec::new();
    let mut clashes = Vec::new();
    let mut at = 0;
    let mut i = 0;
    while i < all.len() {
        // A group: this change and every one that touches it, transitively.
        let mut group = vec![&all[i]];
        let (start, mut end) = (all[i].start, all[i].end);
        i += 1;
        while i < all.len() && group.iter().any(|g| touch(g, &all[i])) {
            end = end.max(all[i].end);
            group.push(&all[i]);
            i += 1;
        }
        out.extend(base_p[at..start].iter().map(|p| (*p).to_owned()));
        let mine_h: Vec<&Hunk<'_>> = group.iter().copied().filter(|h| h.mine).collect();
        let theirs_h: Vec<&Hunk<'_>> = group.iter().copied().filter(|h| !h.mine).collect();
        let mine_r = apply(&base_p, start, end, &mine_h);
        let theirs_r = apply(&base_p, start, end, &theirs_h);
        let clash = !mine_h.is_empty() && !theirs_h.is_empty() && mine_r != theirs_r;
        if clash {
            clashes.push(Clash {
                after: out.last().cloned().unwrap_or_default(),
                mine: mine_r.join("\n\n"),
                theirs: theirs_r.join("\n\n"),
            });
        }
        let taken = if mine_h.is_empty() { theirs_r } else { mine_r };
        out.extend(taken.iter().map(|p| (*p).to_owned()));
        at = end;
    }
    out.extend(base_p[at..].iter().map(|p| (*p).to_owned()));
    let mut text = out.join("\n\n");
    if mine.ends_with('\n') && !text.is_empty() {
        text.push('\n');
    }
    Merged { text, clashes }
}

/// A field (title, dek…) merged: the changed side's, or either when both agree; `None` when
/// both changed it differently.
pub fn merge_field<'a>(base: &str, mine: &'a str, theirs: &'a str) -> Option<&'a str> {
    if mine == theirs || theirs == base {
        Some(mine)
    } else if mine == base {
        Some(theirs)
    } else {
        None
    }
}

/// A set of ids (tags, related articles) merged: the colleague's, with what this person added
/// since the base and without what they removed.
pub fn merge_ids<T: PartialEq + Copy>(base: &[T], mine: &[T], theirs: &[T]) -> Vec<T> {
    let mut out: Vec<T> = theirs
        .iter()
        .copied()
        .filter(|t| mine.contains(t) || !base.contains(t))
        .collect();
    for t in mine {
        if !base.contains(t) && !out.contains(t) {
            out.push(*t);
        }
    }
    out
}

/// Applies the person's choices to a merged `text`: for each clash they chose the colleague's
/// version of (`theirs`), that version replaces theirs in place. A passage no longer found as
/// it was (edited since) is left as it is.
pub fn choose_theirs(text: &str, clashes: &[Clash], theirs: &[usize]) -> String {
    let mut text = text.to_owned();
    for clash in theirs.iter().filter_map(|&i| clashes.get(i)) {
        let from = if clash.after.is_empty() {
            0
        } else {
            text.find(&clash.after)
                .map_or(0, |at| at + clash.after.len())
        };
        if clash.mine.is_empty() {
            let insert = if from == 0 {
                format!("{}\n\n", clash.theirs)
            } else {
                format!("\n\n{}", clash.theirs)
            };
            text.insert_str(from, &insert);
        } else if let Some(at) = text[from..].find(&clash.mine) {
            let at = from + at;
            text.replace_range(at..at + clash.mine.len(), &clash.theirs);
        }
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    const BASE: &str = "Un.\n\nDeux.\n\nTrois.\n\nQuatre.";

    #[test]
    fn changes_to_different_paragraphs_are_both_kept() {
        let mine = "Un, repris.\n\nDeux.\n\nTrois.\n\nQuatre.";
        let theirs = "Un.\n\nDeux.\n\nTrois, corrigé.\n\nQuatre.\n\nCinq.";
        let merged = merge(BASE, mine, theirs);
        assert!(merged.clashes.is_empty());
        assert_eq!(
            merged.text,
            "Un, repris.\n\nDeux.\n\nTrois, corrigé.\n\nQuatre.\n\nCinq."
        );
    }

    #[test]
    fn neighbouring_paragraphs_merge_too() {
        let mine = "Un.\n\nDeux, par moi.\n\nTrois.\n\nQuatre.";
        let theirs = "Un.\n\nDeux.\n\nTrois, par elle.\n\nQuatre.";
        let merged = merge(BASE, mine, theirs);
        assert!(merged.clashes.is_empty(), "{merged:?}");
        assert_eq!(
            merged.text,
            "Un.\n\nDeux, par moi.\n\nTrois, par elle.\n\nQuatre."
        );
    }

    #[test]
    fn the_same_paragraph_changed_twice_is_a_clash_with_mine_in_place() {
        let mine = "Un.\n\nDeux, selon moi.\n\nTrois.\n\nQuatre, aussi.";
        let theirs = "Un.\n\nDeux, selon elle.\n\nTrois.\n\nQuatre.";
        let merged = merge(BASE, mine, theirs);
        assert_eq!(
            merged.clashes,
            [Clash {
                after: "Un.".to_owned(),
                mine: "Deux, selon moi.".to_owned(),
                theirs: "Deux, selon elle.".to_owned(),
            }]
        );
        assert_eq!(
            merged.text,
            "Un.\n\nDeux, selon moi.\n\nTrois.\n\nQuatre, aussi."
        );
        // Choosing theirs puts it in place.
        assert_eq!(
            choose_theirs(&merged.text, &merged.clashes, &[0]),
            "Un.\n\nDeux, selon elle.\n\nTrois.\n\nQuatre, aussi."
        );
    }

    #[test]
    fn paragraphs_rewritten_one_for_one_clash_only_where_both_wrote() {
        let mine = "Un, moi.\n\nDeux, moi.\n\nTrois.\n\nQuatre.";
        let theirs = "Un.\n\nDeux, elle.\n\nTrois.\n\nQuatre.";
        let merged = merge(BASE, mine, theirs);
        assert_eq!(merged.clashes.len(), 1);
        assert_eq!(merged.clashes[0].after, "Un, moi.");
        assert_eq!(merged.clashes[0].theirs, "Deux, elle.");
    }

    #[test]
    fn the_same_change_on_both_sides_is_no_clash() {
        let both = "Un.\n\nDeux !\n\nTrois.\n\nQuatre.";
        let merged = merge(BASE, both, both);
        assert!(merged.clashes.is_empty());
        assert_eq!(merged.text, both);
    }

    #[test]
    fn a_paragraph_i_deleted_and_they_edited_can_come_back() {
        let mine = "Un.\n\nTrois.\n\nQuatre.";
        let theirs = "Un.\n\nDeux, précisé.\n\nTrois.\n\nQuatre.";
        let merged = merge(BASE, mine, theirs);
        assert_eq!(merged.clashes.len(), 1);
        assert_eq!(merged.clashes[0].mine, "");
        assert_eq!(merged.text, mine);
        assert_eq!(
            choose_theirs(&merged.text, &merged.clashes, &[0]),
            "Un.\n\nDeux, précisé.\n\nTrois.\n\nQuatre."
        );
    }

    #[test]
    fn fields_and_id_sets_merge_like_the_text() {
        assert_eq!(merge_field("a", "b", "a"), Some("b"));
        assert_eq!(merge_field("a", "a", "c"), Some("c"));
        assert_eq!(merge_field("a", "b", "b"), Some("b"));
        assert_eq!(merge_field("a", "b", "c"), None);
        // I added 4 and removed 1; they added 5 and removed 2.
        assert_eq!(merge_ids(&[1, 2, 3], &[2, 3, 4], &[1, 3, 5]), [3, 5, 4]);
    }
}

//! Three-way merge of an article's text, for a save that meets a colleague's: both started from
//! the same version (the base); where they changed different paragraphs, both changes are kept;
//! where they changed the same ones differently, the passage is a clash for the person to
//! decide, with their own text in place meanwhile. A paragraph is a block between blank lines.

use std::time::{Duration, Instant};

use similar::{Algorithm, DiffTag, capture_diff_slices_by_key_deadline};

/// A passage both people changed, differently.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Clash {
    /// Where the passage starts in the merged text: the index of its first paragraph.
    pub at: usize,
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

/// How long a paragraph diff may take before it settles for a coarser answer.
const DIFF_DEADLINE: Duration = Duration::from_secs(10);

/// One side's change to the base: base paragraphs `start..end` become `with`.
#[derive(Debug, Clone)]
struct Hunk<'a> {
    start: usize,
    end: usize,
    with: Vec<&'a str>,
    mine: bool,
}

/// Line ends as `\n` (a browser sends a textarea's with `\r\n`).
fn lf(text: &str) -> String {
    text.replace("\r\n", "\n")
}

/// The paragraphs of `text`, each with the blank lines that follow it, so that joining them
/// gives the text back exactly (a code block's blank lines, a table, trailing spaces).
fn blocks(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let bytes = text.as_bytes();
    let (mut start, mut i) = (0, 0);
    while i < bytes.len() {
        if bytes[i] == b'\n' && bytes.get(i + 1) == Some(&b'\n') {
            let mut end = i;
            while end < bytes.len() && bytes[end] == b'\n' {
                end += 1;
            }
            out.push(&text[start..end]);
            start = end;
            i = end;
        } else {
            i += 1;
        }
    }
    if start < text.len() {
        out.push(&text[start..]);
    }
    out
}

/// What a paragraph says, without the blank lines after it: what the diff compares.
fn said(block: &str) -> &str {
    block.trim_end_matches('\n')
}

/// Blocks joined into a text, a blank line between two paragraphs where one had none (a
/// paragraph that was last, now followed by another).
fn join(blocks: &[&str]) -> String {
    let mut out = String::new();
    for (i, b) in blocks.iter().enumerate() {
        out.push_str(b);
        if i + 1 < blocks.len() && !b.ends_with("\n\n") {
            out.push_str(if b.ends_with('\n') { "\n" } else { "\n\n" });
        }
    }
    out
}

fn hunks<'a>(base: &[&'a str], side: &[&'a str], mine: bool) -> Vec<Hunk<'a>> {
    // Past the deadline, a coarser diff (still correct: more paragraphs in each hunk, so more
    // passages to choose from) is returned. Paragraphs are few, so it is far away: a short one
    // met on a busy machine (a thread waiting for a core) turned a clean merge into one clash
    // over the whole text.
    let deadline = Instant::now() + DIFF_DEADLINE;
    let mut out = Vec::new();
    let ops = capture_diff_slices_by_key_deadline(
        Algorithm::Myers,
        base,
        side,
        |b| said(b),
        Some(deadline),
    );
    for op in ops {
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

fn says(blocks: &[&str]) -> Vec<String> {
    blocks.iter().map(|b| said(b).to_owned()).collect()
}

/// Merges `mine` and `theirs`, both made from `base`, paragraph by paragraph. Untouched
/// paragraphs keep their exact text, blank lines included.
pub fn merge(base: &str, mine: &str, theirs: &str) -> Merged {
    let (base, mine, theirs) = (lf(base), lf(mine), lf(theirs));
    let base_b = blocks(&base);
    let mut all = hunks(&base_b, &blocks(&mine), true);
    all.extend(hunks(&base_b, &blocks(&theirs), false));
    all.sort_by_key(|h| (h.start, h.end));
    let mut out: Vec<&str> = Vec::new();
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
        out.extend_from_slice(&base_b[at..start]);
        let mine_h: Vec<&Hunk<'_>> = group.iter().copied().filter(|h| h.mine).collect();
        let theirs_h: Vec<&Hunk<'_>> = group.iter().copied().filter(|h| !h.mine).collect();
        let mine_r = apply(&base_b, start, end, &mine_h);
        let theirs_r = apply(&base_b, start, end, &theirs_h);
        if !mine_h.is_empty() && !theirs_h.is_empty() && says(&mine_r) != says(&theirs_r) {
            clashes.push(Clash {
                at: out.len(),
                mine: says(&mine_r).join("\n\n"),
                theirs: says(&theirs_r).join("\n\n"),
            });
        }
        out.extend(if mine_h.is_empty() { theirs_r } else { mine_r });
        at = end;
    }
    out.extend_from_slice(&base_b[at..]);
    Merged {
        text: join(&out),
        clashes,
    }
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

/// A clash no longer where it was: the text was edited there since the merge.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Moved {
    /// Its index among the clashes.
    pub clash: usize,
}

/// Applies the person's choices to a merged `text`: each clash whose index is in `theirs`
/// gets the colleague's version in place of this person's, paragraph for paragraph where the
/// merge put it. Refused (nothing applied) when a chosen passage is no longer as it was there.
pub fn choose_theirs(text: &str, clashes: &[Clash], theirs: &[usize]) -> Result<String, Moved> {
    let text = lf(text);
    let mut chosen: Vec<usize> = theirs
        .iter()
        .copied()
        .filter(|&i| i < clashes.len())
        .collect();
    chosen.sort_unstable();
    chosen.dedup();
    if chosen.is_empty() {
        return Ok(text);
    }
    let mut out: Vec<String> = blocks(&text).into_iter().map(str::to_owned).collect();
    // From the last passage to the first, so the places of the others stay as they were.
    for &i in chosen.iter().rev() {
        let clash = &clashes[i];
        let mine = lf(&clash.mine);
        let mine_b = blocks(&mine);
        let len = mine_b.len();
        let here = out
            .get(clash.at..clash.at + len)
            .map(|b| b.iter().map(|p| said(p).to_owned()).collect::<Vec<_>>());
        if here != Some(says(&mine_b)) {
            return Err(Moved { clash: i });
        }
        let theirs_text = lf(&clash.theirs);
        let with: Vec<String> = blocks(&theirs_text)
            .into_iter()
            .map(str::to_owned)
            .collect();
        out.splice(clash.at..clash.at + len, with);
    }
    let refs: Vec<&str> = out.iter().map(String::as_str).collect();
    Ok(join(&refs))
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
                at: 1,
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
            Ok("Un.\n\nDeux, selon elle.\n\nTrois.\n\nQuatre, aussi.".to_owned())
        );
    }

    #[test]
    fn paragraphs_rewritten_one_for_one_clash_only_where_both_wrote() {
        let mine = "Un, moi.\n\nDeux, moi.\n\nTrois.\n\nQuatre.";
        let theirs = "Un.\n\nDeux, elle.\n\nTrois.\n\nQuatre.";
        let merged = merge(BASE, mine, theirs);
        assert_eq!(merged.clashes.len(), 1);
        assert_eq!(merged.clashes[0].at, 1);
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
            Ok("Un.\n\nDeux, précisé.\n\nTrois.\n\nQuatre.".to_owned())
        );
    }

    #[test]
    fn text_from_a_browser_and_untouched_code_blocks_keep_their_shape() {
        let base = "Intro.\r\n\r\n```\r\nligne\r\n\r\n\r\n\r\nautre  \r\n```\r\n\r\nFin.";
        let mine = "Intro, reprise.\r\n\r\n```\r\nligne\r\n\r\n\r\n\r\nautre  \r\n```\r\n\r\nFin.";
        let theirs =
            "Intro.\r\n\r\n```\r\nligne\r\n\r\n\r\n\r\nautre  \r\n```\r\n\r\nFin, corrigée.";
        let merged = merge(base, mine, theirs);
        assert!(merged.clashes.is_empty(), "{merged:?}");
        assert_eq!(
            merged.text,
            "Intro, reprise.\n\n```\nligne\n\n\n\nautre  \n```\n\nFin, corrigée."
        );
    }

    #[test]
    fn a_choice_lands_on_its_own_passage_even_when_its_words_repeat() {
        let base = "Note.\n\nPréambule.\n\nNote.\n\nRésultat : 12 voix.";
        let mine = "Note.\n\nRésultat : 14 voix.\n\nNote.\n\nRésultat : 14 voix.";
        let theirs = "Note.\n\nPréambule.\n\nNote.\n\nRésultat : 13 voix.";
        let merged = merge(base, mine, theirs);
        assert_eq!(merged.clashes.len(), 1);
        assert_eq!(merged.clashes[0].at, 3);
        assert_eq!(
            choose_theirs(&merged.text, &merged.clashes, &[0, 0, 7]),
            Ok("Note.\n\nRésultat : 14 voix.\n\nNote.\n\nRésultat : 13 voix.".to_owned())
        );
        // Edited since the merge: the choice is refused rather than put somewhere else.
        let edited = merged
            .text
            .replace("Résultat : 14 voix.", "Résultat : quinze voix.");
        assert_eq!(
            choose_theirs(&edited, &merged.clashes, &[0]),
            Err(Moved { clash: 0 })
        );
    }

    #[test]
    fn a_paragraph_added_at_the_end_is_separated_from_the_last_one() {
        let merged = merge("A\n\nB", "A, moi\n\nB", "A\n\nB\n\nC");
        assert_eq!(merged.text, "A, moi\n\nB\n\nC");
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
#[cfg(test)]
mod mixed_line_ends {
    use super::*;

    /// What a browser sent (CRLF) beside what a script or an import saved (LF).
    #[test]
    fn text_from_a_browser_merges_with_text_saved_otherwise() {
        let base = "Anthropic refuse.\r\n\r\n| Sujet | Position |\r\n| --- | --- |\r\n\r\nLe texte [x](/a).";
        let mine = "Mise à jour : Anthropic refuse.\r\n\r\n| Sujet | Position |\r\n| --- | --- |\r\n\r\nLe texte [x](/a).";
        let theirs = "Anthropic refuse.\n\n| Sujet | Position |\n| --- | --- |\n\nLe texte [x](/a).\n\nUn dernier.";
        let m = merge(base, mine, theirs);
        assert!(m.clashes.is_empty(), "{m:?}");
    }
}

//! French typography for running text: a narrow no-break space (U+202F) before `; : ! ?` and
//! inside « », so that a line never starts with a lone `?` or `»`.
//!
//! It works on one run of plain text at a time; the Markdown renderer calls it only for text
//! nodes, never for code, URLs, raw HTML or image descriptions (see `markdown`).

/// U+202F NARROW NO-BREAK SPACE.
pub const NNBSP: char = '\u{202F}';

/// Spaces a writer may have typed where the narrow no-break space belongs.
fn is_space(c: char) -> bool {
    matches!(c, ' ' | '\u{A0}' | NNBSP | '\t')
}

/// Whether a missing space may be added before `c` after `prev`: only after a word or a
/// closing sign, so `?!` gets one space and `:)` or `12:30` none (see the colon rule).
fn ends_word(prev: char) -> bool {
    prev.is_alphanumeric() || matches!(prev, ')' | ']' | '"' | '’' | '»' | '%' | '€' | '$')
}

/// `text` as readers of `lang` expect it: French rules for French, as typed otherwise. For the
/// short texts around an article (title, dek, summary), which are not Markdown.
pub fn for_lang(text: &str, lang: super::Lang) -> String {
    match lang {
        super::Lang::Fr => french(text),
        super::Lang::En => text.to_owned(),
    }
}

/// Applies the rules to `text`. A run boundary (emphasis, a link) hides the neighbouring
/// character, so nothing is added across it except around « » themselves.
pub fn french(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len() + 8);
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        // Spaces before a high sign or a closing guillemet become one narrow no-break space.
        if is_space(c) {
            let mut j = i;
            while j < chars.len() && is_space(chars[j]) {
                j += 1;
            }
            let next = chars.get(j).copied();
            let takes_space = match next {
                Some('»') => true,
                Some(';' | '!' | '?') => followed_by_break(&chars, j),
                // A colon only when it is punctuation, followed by a space or the end.
                Some(':') => chars.get(j + 1).is_none_or(|&after| is_space(after)),
                _ => false,
            };
            if takes_space {
                out.push(NNBSP);
            } else {
                out.extend(&chars[i..j]);
            }
            i = j;
            continue;
        }
        match c {
            ';' | '!' | '?' => {
                if i > 0 && ends_word(chars[i - 1]) && followed_by_break(&chars, i) {
                    out.push(NNBSP);
                }
                out.push(c);
            }
            ':' => {
                let after_is_space = chars.get(i + 1).is_none_or(|&a| is_space(a));
                if i > 0 && ends_word(chars[i - 1]) && after_is_space {
                    out.push(NNBSP);
                }
                out.push(c);
            }
            '«' => {
                out.push(c);
                let mut j = i + 1;
                while j < chars.len() && is_space(chars[j]) {
                    j += 1;
                }
                out.push(NNBSP);
                i = j;
                continue;
            }
            '»' => {
                // Spaces before it were handled above; add one when there were none.
                if !out.ends_with(NNBSP) {
                    out.push(NNBSP);
                }
                out.push(c);
            }
            _ => out.push(c),
        }
        i += 1;
    }
    out
}

/// `!`, `?` and `;` get their space when they end a sentence or clause: followed by a space,
/// the end of the run, another sign or a closing mark. `Yahoo!Mail` or `?id=3` stay as typed.
fn followed_by_break(chars: &[char], i: usize) -> bool {
    match chars.get(i + 1) {
        None => true,
        Some(&next) => {
            is_space(next) || matches!(next, '!' | '?' | '.' | ')' | '»' | '"' | '’' | '\n')
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn applying_the_rules_twice_changes_nothing_more() {
        for text in [
            "Anthropic : rester ferme ?",
            "« Sécurité » ; ensuite !",
            "Déjà\u{202F}: fait\u{202F}?",
            "12:30, 50 %",
        ] {
            let once = french(text);
            assert_eq!(french(&once), once, "{text}");
        }
        assert_eq!(for_lang("Why ?", crate::domain::Lang::En), "Why ?");
    }

    fn show(s: &str) -> String {
        s.replace(NNBSP, "_")
    }

    #[test]
    fn spaces_before_high_signs_become_narrow_and_unbreakable() {
        assert_eq!(
            show(&french("Pourquoi ? Parce que ; enfin !")),
            "Pourquoi_? Parce que_; enfin_!"
        );
        assert_eq!(show(&french("Le constat : rien.")), "Le constat_: rien.");
        assert_eq!(show(&french("Trop  d’espaces   ?")), "Trop  d’espaces_?");
        assert_eq!(show(&french("Déjà\u{A0}: fait")), "Déjà_: fait");
    }

    #[test]
    fn missing_spaces_are_added_after_words() {
        assert_eq!(show(&french("Vraiment?! Oui!")), "Vraiment_?! Oui_!");
        assert_eq!(show(&french("Note: lire.")), "Note_: lire.");
        assert_eq!(show(&french("(sic)!")), "(sic)_!");
    }

    #[test]
    fn guillemets_hold_their_words_with_narrow_spaces() {
        assert_eq!(show(&french("« garde-fous »")), "«_garde-fous_»");
        assert_eq!(show(&french("«garde-fous»")), "«_garde-fous_»");
        assert_eq!(show(&french("« tout »,")), "«_tout_»,");
    }

    #[test]
    fn times_ratios_urls_and_emoticons_are_left_alone() {
        for text in [
            "à 12:30 précises",
            "un ratio 3:1",
            "https://exemple.fr:8080/a?b=c",
            "voir ?page=2",
            "Yahoo!Mail",
            "content :)",
            "a;b",
        ] {
            assert_eq!(french(text), text, "{text}");
        }
    }

    #[test]
    fn applying_twice_changes_nothing_more() {
        for text in ["« Pourquoi ? » dit-il : non !", "Vraiment?!", "«mot»"] {
            let once = french(text);
            assert_eq!(french(&once), once, "{text}");
        }
    }
}

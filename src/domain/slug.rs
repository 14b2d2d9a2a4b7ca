//! URL slugs: lowercase ASCII words joined by single hyphens, derived from any title.

use std::fmt;

/// The longest slug we make or accept, in bytes (all ASCII).
pub const MAX_LEN: usize = 80;

/// A validated URL slug such as `securite-de-l-ia`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Slug(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SlugError {
    #[error("a slug needs at least one letter or digit")]
    Empty,
    #[error("a slug has at most {MAX_LEN} characters")]
    TooLong,
    #[error("a slug uses only lowercase letters a–z, digits and single hyphens between words")]
    Malformed,
}

impl Slug {
    /// Accepts an already well-formed slug (from a URL or a form), nothing else.
    pub fn parse(s: &str) -> Result<Self, SlugError> {
        if s.is_empty() {
            return Err(SlugError::Empty);
        }
        if s.len() > MAX_LEN {
            return Err(SlugError::TooLong);
        }
        let well_formed = s.split('-').all(|w| {
            !w.is_empty()
                && w.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        });
        if well_formed {
            Ok(Self(s.to_owned()))
        } else {
            Err(SlugError::Malformed)
        }
    }

    /// Derives a slug from any text: accents and other scripts transliterated to ASCII,
    /// everything that is not a letter or digit becomes a word break, cut to [`MAX_LEN`]
    /// at a word boundary. `sécurité de l'IA` gives `securite-de-l-ia`.
    pub fn derive(text: &str) -> Result<Self, SlugError> {
        let ascii = deunicode::deunicode(text).to_ascii_lowercase();
        let words = ascii
            .split(|c: char| !c.is_ascii_alphanumeric())
            .filter(|w| !w.is_empty());
        let mut slug = String::new();
        for word in words {
            let extra = usize::from(!slug.is_empty()) + word.len();
            if slug.len() + extra > MAX_LEN {
                if slug.is_empty() {
                    // One enormous word: cut it rather than give up.
                    slug.push_str(&word[..MAX_LEN]);
                }
                break;
            }
            if !slug.is_empty() {
                slug.push('-');
            }
            slug.push_str(word);
        }
        if slug.is_empty() {
            Err(SlugError::Empty)
        } else {
            Ok(Self(slug))
        }
    }

    /// Like [`Slug::derive`], but falls back to `fallback` (a literal slug such as `"article"`)
    /// when the text has no letter or digit at all.
    pub fn derive_or(text: &str, fallback: &'static str) -> Self {
        debug_assert!(Self::parse(fallback).is_ok(), "{fallback} is not a slug");
        Self::derive(text).unwrap_or_else(|_| Self(fallback.to_owned()))
    }

    /// This slug with `-n` appended, shortened if needed to stay within [`MAX_LEN`];
    /// used by the store when the plain slug is taken.
    pub fn with_suffix(&self, n: u32) -> Self {
        let suffix = format!("-{n}");
        let mut base = &self.0[..self.0.len().min(MAX_LEN - suffix.len())];
        base = base.trim_end_matches('-');
        Self(format!("{base}{suffix}"))
    }

    /// The first of this slug, `slug-2`, `slug-3`… that is not in `taken`.
    pub fn first_free<S: AsRef<str>>(&self, taken: &[S]) -> Self {
        let is_taken = |s: &Slug| taken.iter().any(|t| t.as_ref() == s.as_str());
        let mut candidate = self.clone();
        let mut n = 2;
        while is_taken(&candidate) {
            candidate = self.with_suffix(n);
            n += 1;
        }
        candidate
    }

    /// Whether this slug is `base` or one of its numbered variants (`base-2`, `base-3`…, as
    /// [`Slug::first_free`] makes them): an address nobody typed, derived from a title.
    pub fn is_numbered_from(&self, base: &Slug) -> bool {
        if self == base {
            return true;
        }
        self.0
            .rsplit_once('-')
            .and_then(|(_, n)| n.parse::<u32>().ok())
            .is_some_and(|n| n >= 2 && base.with_suffix(n) == *self)
    }

    /// A prefix that this slug and all its numbered variants (even shortened ones) start with,
    /// for the store to fetch the taken ones in one `like` query (a slug holds no `%` or `_`).
    pub fn variants_prefix(&self) -> &str {
        // Suffixes up to `-999999` (7 characters) shorten the base to at most this.
        self.0[..self.0.len().min(MAX_LEN - 7)].trim_end_matches('-')
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Slug {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl AsRef<str> for Slug {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_numbered_variant_is_recognised_and_a_typed_address_is_not() {
        let base = Slug::derive("Anthropic à Washington").unwrap();
        assert!(base.is_numbered_from(&base));
        assert!(base.with_suffix(3).is_numbered_from(&base));
        let long = Slug::derive(&"mot ".repeat(40)).unwrap();
        assert!(long.with_suffix(12).is_numbered_from(&long));
        for other in [
            "anthropic-a-washington-dc",
            "anthropic-a-washington-1",
            "anthropic",
        ] {
            assert!(
                !Slug::parse(other).unwrap().is_numbered_from(&base),
                "{other}"
            );
        }
    }

    fn derive(s: &str) -> String {
        Slug::derive(s).unwrap().to_string()
    }

    #[test]
    fn french_titles_lose_accents_and_apostrophes() {
        assert_eq!(derive("sécurité de l'IA"), "securite-de-l-ia");
        assert_eq!(derive("Sécurité de l’IA"), "securite-de-l-ia");
        assert_eq!(derive("États-Unis"), "etats-unis");
        assert_eq!(
            derive("Cœur de l’œuvre, à Noël"),
            "coeur-de-l-oeuvre-a-noel"
        );
        assert_eq!(
            derive("OpenAI : dernières nouveautés…"),
            "openai-dernieres-nouveautes"
        );
    }

    #[test]
    fn punctuation_runs_become_one_hyphen_and_ends_are_trimmed() {
        assert_eq!(derive("  --Hello,   World!!  "), "hello-world");
        assert_eq!(derive("« AI Act » : 2024/1689"), "ai-act-2024-1689");
    }

    #[test]
    fn text_without_letters_or_digits_has_no_slug() {
        assert_eq!(Slug::derive("!!! … ???"), Err(SlugError::Empty));
        assert_eq!(Slug::derive(""), Err(SlugError::Empty));
    }

    #[test]
    fn long_titles_are_cut_at_a_word_boundary() {
        let title = "mot ".repeat(100);
        let slug = derive(&title);
        assert!(slug.len() <= MAX_LEN);
        assert!(slug.ends_with("mot"));
        let one_word = "a".repeat(300);
        assert_eq!(derive(&one_word).len(), MAX_LEN);
    }

    #[test]
    fn parse_accepts_only_well_formed_slugs() {
        assert!(Slug::parse("securite-de-l-ia").is_ok());
        assert!(Slug::parse("2026-02-27").is_ok());
        assert_eq!(Slug::parse(""), Err(SlugError::Empty));
        for bad in [
            "Upper",
            "double--hyphen",
            "-lead",
            "trail-",
            "é",
            "a b",
            "a/b",
            "../x",
        ] {
            assert_eq!(Slug::parse(bad), Err(SlugError::Malformed), "{bad}");
        }
        assert_eq!(
            Slug::parse(&"a".repeat(MAX_LEN + 1)),
            Err(SlugError::TooLong)
        );
    }

    #[test]
    fn first_free_skips_taken_variants() {
        let s = Slug::parse("ia").unwrap();
        assert_eq!(s.first_free::<&str>(&[]).as_str(), "ia");
        assert_eq!(s.first_free(&["ia", "ia-2", "ia-4"]).as_str(), "ia-3");
        assert_eq!(s.variants_prefix(), "ia");
    }

    #[test]
    fn a_slug_of_exactly_the_longest_length_is_kept_whole() {
        // Eight words of nine letters and seven hyphens: 79; one more letter makes 80.
        let words = ["abcdefghi"; 8].join(" ");
        assert_eq!(derive(&words).len(), 79);
        let exact = format!("{words}j");
        assert_eq!(derive(&exact).len(), MAX_LEN, "80 characters fit");
        assert_eq!(
            derive(&format!("{exact}k")),
            ["abcdefghi"; 7].join("-"),
            "81 do not"
        );
    }

    #[test]
    fn the_variants_prefix_is_as_long_as_every_variant_allows() {
        let long = Slug::derive(&"abcd ".repeat(40)).unwrap();
        let prefix = long.variants_prefix();
        assert!(prefix.len() >= MAX_LEN - 8, "{prefix}");
        assert!(long.with_suffix(999_999).as_str().starts_with(prefix));
    }

    #[test]
    fn taken_slugs_may_be_slugs_too() {
        let s = Slug::parse("ia").unwrap();
        let taken = [Slug::parse("ia").unwrap(), Slug::parse("ia-2").unwrap()];
        assert_eq!(s.first_free(&taken).as_str(), "ia-3");
    }

    #[test]
    fn long_slugs_numbered_again_and_again_stay_distinct() {
        // 79 characters: "-2" cannot simply be appended; every variant is shortened.
        let long = Slug::derive(
            "Des accusations de copie de modèles d’IA et Yiaho : un miroir de l’avenir de l’IA",
        )
        .unwrap();
        assert_eq!(long.as_str().len(), 79);
        let mut taken: Vec<String> = vec![long.to_string()];
        for _ in 0..12 {
            let next = long.first_free(&taken);
            assert!(!taken.contains(&next.to_string()));
            assert!(next.as_str().starts_with(long.variants_prefix()), "{next}");
            assert!(Slug::parse(next.as_str()).is_ok(), "{next}");
            taken.push(next.to_string());
        }
    }

    #[test]
    fn suffixes_keep_the_slug_valid_and_bounded() {
        let s = Slug::parse("securite").unwrap();
        assert_eq!(s.with_suffix(2).as_str(), "securite-2");
        let long = Slug::derive(&"abcd ".repeat(40)).unwrap();
        let suffixed = long.with_suffix(12);
        assert!(suffixed.as_str().len() <= MAX_LEN);
        assert!(Slug::parse(suffixed.as_str()).is_ok(), "{suffixed}");
    }
}

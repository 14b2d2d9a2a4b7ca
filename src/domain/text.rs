//! Small validated texts: titles, e-mail addresses, tag kinds.

use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TextError {
    #[error("the title cannot be empty")]
    EmptyTitle,
    #[error("the title has at most {0} characters")]
    TitleTooLong(usize),
    #[error("this does not look like an e-mail address")]
    BadEmail,
    #[error("the text contains an invisible control character")]
    Unprintable,
    #[error("the name cannot be empty")]
    EmptyName,
    #[error("the name has at most {0} characters, no line breaks and no invisible characters")]
    BadName(usize),
}

/// Whether XML 1.0 (feeds, sitemaps) can carry `c`: not the C0 controls other than tab, line
/// feed and carriage return, nor U+FFFE and U+FFFF. One of them in a published text would make
/// every feed that carries it malformed.
pub fn is_storable(c: char) -> bool {
    !matches!(c, '\u{0}'..='\u{8}' | '\u{b}' | '\u{c}' | '\u{e}'..='\u{1f}' | '\u{fffe}' | '\u{ffff}')
}

/// `s` without the characters [`is_storable`] refuses (usually pasted from a PDF or a word
/// processor, and invisible).
pub fn storable(s: &str) -> std::borrow::Cow<'_, str> {
    if s.chars().all(is_storable) {
        std::borrow::Cow::Borrowed(s)
    } else {
        std::borrow::Cow::Owned(s.chars().filter(|c| is_storable(*c)).collect())
    }
}

/// An article or page title: trimmed, not empty, at most [`Title::MAX_CHARS`] characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Title(String);

impl Title {
    pub const MAX_CHARS: usize = 300;

    pub fn parse(s: &str) -> Result<Self, TextError> {
        let s = s.trim();
        if s.is_empty() {
            Err(TextError::EmptyTitle)
        } else if s.chars().any(char::is_control) {
            Err(TextError::Unprintable)
        } else if s.chars().count() > Self::MAX_CHARS {
            Err(TextError::TitleTooLong(Self::MAX_CHARS))
        } else {
            Ok(Self(s.to_owned()))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A person's name as the site shows it: trimmed, 1–100 characters, no control characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DisplayName(String);

impl DisplayName {
    pub const MAX_CHARS: usize = 100;

    pub fn parse(s: &str) -> Result<Self, TextError> {
        let s = s.trim();
        if s.is_empty() {
            Err(TextError::EmptyName)
        } else if s.chars().count() > Self::MAX_CHARS
            || s.chars().any(|c| c.is_control() || is_invisible(c))
        {
            Err(TextError::BadName(Self::MAX_CHARS))
        } else {
            Ok(Self(s.to_owned()))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Characters a name must not hold because nobody sees them: those that reorder the text
/// around them (embeddings, overrides, isolates: `Alice\u{202e}ecilA` reads as someone
/// else's), zero-width and formatting characters, soft hyphens, line and paragraph separators,
/// Hangul fillers and tag characters — all of which make one name look like another, or like
/// none.
fn is_invisible(c: char) -> bool {
    matches!(c,
        '\u{ad}' | '\u{34f}' | '\u{61c}' | '\u{115f}' | '\u{1160}' | '\u{17b4}' | '\u{17b5}'
        | '\u{180e}' | '\u{200b}'..='\u{200f}' | '\u{2028}'..='\u{202e}'
        | '\u{2060}'..='\u{206f}' | '\u{3164}' | '\u{feff}' | '\u{ffa0}'
        | '\u{1d173}'..='\u{1d17a}' | '\u{e0000}'..='\u{e007f}')
}

/// An e-mail address, trimmed; compared case-insensitively by the database.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Email(String);

impl Email {
    pub fn parse(s: &str) -> Result<Self, TextError> {
        let s = s.trim();
        let ok = s.len() <= 254
            && !s.chars().any(|c| c.is_whitespace() || c.is_control())
            && s.split_once('@').is_some_and(|(local, domain)| {
                !local.is_empty() && !domain.is_empty() && !domain.contains('@')
            });
        if ok {
            Ok(Self(s.to_owned()))
        } else {
            Err(TextError::BadEmail)
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// What a tag stands for; shown on tag pages and used to group tags in the editor.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TagKind {
    Topic,
    Jurisdiction,
    Organisation,
    Regulation,
}

impl TagKind {
    pub const ALL: &'static [TagKind] = &[
        TagKind::Topic,
        TagKind::Jurisdiction,
        TagKind::Organisation,
        TagKind::Regulation,
    ];

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|k| k.as_str() == s)
    }

    /// How the newsroom names the kind (its staff pages are in French).
    pub fn label(self) -> &'static str {
        match self {
            TagKind::Topic => "sujet",
            TagKind::Jurisdiction => "juridiction",
            TagKind::Organisation => "organisation",
            TagKind::Regulation => "réglementation",
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            TagKind::Topic => "topic",
            TagKind::Jurisdiction => "jurisdiction",
            TagKind::Organisation => "organisation",
            TagKind::Regulation => "regulation",
        }
    }
}

impl fmt::Display for TagKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles_are_trimmed_and_bounded() {
        assert_eq!(Title::parse("  Bonjour ").unwrap().as_str(), "Bonjour");
        assert_eq!(Title::parse(" \n "), Err(TextError::EmptyTitle));
        assert_eq!(Title::parse("Titre\0"), Err(TextError::Unprintable));
        assert!(
            Title::parse(&"é".repeat(300)).is_ok(),
            "counted in characters, not bytes"
        );
        assert_eq!(
            Title::parse(&"é".repeat(301)),
            Err(TextError::TitleTooLong(300))
        );
    }

    #[test]
    fn display_names_are_trimmed_bounded_and_on_one_line() {
        assert_eq!(
            DisplayName::parse("  Camille Martin ").unwrap().as_str(),
            "Camille Martin"
        );
        assert_eq!(DisplayName::parse(" "), Err(TextError::EmptyName));
        assert!(DisplayName::parse("Camille\nMartin").is_err());
        assert!(DisplayName::parse(&"é".repeat(101)).is_err());
        assert!(DisplayName::parse("Alice\u{202e}ecilA").is_err());
        assert!(DisplayName::parse("\u{2067}Camille").is_err());
        assert!(
            DisplayName::parse("محمد Martin").is_ok(),
            "right-to-left names are fine"
        );
        assert!(
            DisplayName::parse("Zoë ❤\u{fe0f}").is_ok(),
            "emoji keep their variation selector"
        );
        for invisible in [
            "A\u{200b}",
            "\u{feff}A",
            "A\u{ad}B",
            "\u{115f}",
            "A\u{2028}B",
            "A\u{e0041}",
            "\u{3164}",
        ] {
            assert!(DisplayName::parse(invisible).is_err(), "{invisible:?}");
        }
    }

    #[test]
    fn controls_xml_cannot_carry_are_dropped_and_the_rest_kept() {
        assert_eq!(
            storable("Ligne\tune\r\nligne deux"),
            "Ligne\tune\r\nligne deux"
        );
        assert_eq!(
            storable("a\u{1}b\u{b}c\u{1f}d\u{fffe}e\u{ffff}f\u{0}"),
            "abcdef"
        );
        assert_eq!(
            storable("é « IA » \u{202f}\u{7f}"),
            "é « IA » \u{202f}\u{7f}"
        );
        for c in '\u{0}'..='\u{ffff}' {
            // What XML 1.0's Char production allows, below U+10000.
            let xml =
                matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{d7ff}' | '\u{e000}'..='\u{fffd}');
            assert_eq!(is_storable(c), xml, "{:?}", c);
        }
    }

    #[test]
    fn emails_need_one_at_and_no_spaces() {
        assert!(Email::parse("claire@vigie.example").is_ok());
        for bad in [
            "",
            "claire",
            "@vigie.example",
            "claire@",
            "a b@c.d",
            "a@b@c",
        ] {
            assert_eq!(Email::parse(bad), Err(TextError::BadEmail), "{bad}");
        }
    }
}

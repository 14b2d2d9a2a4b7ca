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
    #[error("the name has at most {0} characters, and no line breaks")]
    BadName(usize),
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
        } else if s.chars().count() > Self::MAX_CHARS || s.chars().any(char::is_control) {
            Err(TextError::BadName(Self::MAX_CHARS))
        } else {
            Ok(Self(s.to_owned()))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
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
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
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

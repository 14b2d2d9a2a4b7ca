//! API tokens: what one looks like, what it may be given, and what its owner's role lets it do.
//!
//! A token reads `vigie_pat_` + 32 random characters + a 6-character checksum of them, all in
//! base 62: the prefix lets secret scanners recognise a leaked one, the checksum lets them (and
//! us, before any database lookup) tell a real one from a look-alike. Only its SHA-256 is
//! stored; the token is shown once, when made.

use std::fmt;

use sha2::{Digest, Sha256};

use super::Role;

/// What every token starts with.
pub const PREFIX: &str = "vigie_pat_";
const RANDOM_CHARS: usize = 32;
const CHECK_CHARS: usize = 6;
const ALPHABET: &[u8; 62] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/// The longest a token lives: a year (a token that never ends is one nobody remembers).
pub const MAX_DAYS: i64 = 366;

/// Something a token may be allowed to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Scope {
    /// Read articles readers cannot see yet (drafts, articles in review, scheduled).
    ContentRead,
    /// Create and change articles, add corrections, submit for review.
    ArticlesWrite,
    /// Publish, schedule, unpublish.
    ArticlesPublish,
    /// Add images to the library.
    MediaWrite,
    /// Subscribe, change and remove webhooks.
    WebhooksManage,
}

impl Scope {
    pub const ALL: &'static [Scope] = &[
        Scope::ContentRead,
        Scope::ArticlesWrite,
        Scope::ArticlesPublish,
        Scope::MediaWrite,
        Scope::WebhooksManage,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Scope::ContentRead => "content:read",
            Scope::ArticlesWrite => "articles:write",
            Scope::ArticlesPublish => "articles:publish",
            Scope::MediaWrite => "media:write",
            Scope::WebhooksManage => "webhooks:manage",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|scope| scope.as_str() == s)
    }

    /// Whether someone of `role` may hold this scope: what a token may do never exceeds what
    /// its owner may do in the newsroom's pages.
    pub fn allowed_for(self, role: Role) -> bool {
        match self {
            Scope::ContentRead | Scope::ArticlesWrite | Scope::MediaWrite => true,
            Scope::ArticlesPublish => role.is_editor(),
            Scope::WebhooksManage => role == Role::Admin,
        }
    }

    /// What it lets a program do, in the newsroom's words.
    pub fn describe(self) -> &'static str {
        match self {
            Scope::ContentRead => "lire les articles non publiés",
            Scope::ArticlesWrite => "créer et modifier des articles, les soumettre, corriger",
            Scope::ArticlesPublish => "publier, programmer, dépublier",
            Scope::MediaWrite => "ajouter des images à la bibliothèque",
            Scope::WebhooksManage => "gérer les webhooks",
        }
    }
}

impl fmt::Display for Scope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The scopes of `given` that `role` allows today.
pub fn effective(given: &[Scope], role: Role) -> Vec<Scope> {
    given
        .iter()
        .copied()
        .filter(|s| s.allowed_for(role))
        .collect()
}

/// A token just made: the secret to show once, and what is kept of it.
pub struct NewToken {
    pub secret: String,
    pub hash: [u8; 32],
    /// Its first characters, for lists (`vigie_pat_AbCd…`).
    pub hint: String,
}

impl fmt::Debug for NewToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NewToken")
            .field("hint", &self.hint)
            .finish_non_exhaustive()
    }
}

/// Makes a token from the system's random source (`None` if it cannot be read).
pub fn generate() -> Option<NewToken> {
    let random = random_text(RANDOM_CHARS)?;
    let secret = format!("{PREFIX}{random}{}", checksum(&random));
    Some(NewToken {
        hash: hash(&secret),
        hint: format!("{}…", &secret[..PREFIX.len() + 4]),
        secret,
    })
}

/// `n` characters drawn evenly from the 62 letters and digits, from the system's random source
/// (`None` if it cannot be read).
pub fn random_text(n: usize) -> Option<String> {
    let mut bytes = vec![0u8; n];
    getrandom::fill(&mut bytes).ok()?;
    // 256 is 4 × 62 + 8: rejecting the last 8 values keeps every character equally likely.
    let mut random = String::with_capacity(n);
    let mut more = [0u8; 1];
    for mut b in bytes {
        while b >= 248 {
            getrandom::fill(&mut more).ok()?;
            b = more[0];
        }
        random.push(char::from(ALPHABET[usize::from(b % 62)]));
    }
    Some(random)
}

/// The length of a preview link's secret: 32 letters and digits, 190 bits.
pub const PREVIEW_CHARS: usize = 32;

/// A preview link's secret (the last part of `/apercu/…`) and the SHA-256 it is kept as.
pub fn preview_secret() -> Option<(String, [u8; 32])> {
    let secret = random_text(PREVIEW_CHARS)?;
    let hash = hash(&secret);
    Some((secret, hash))
}

/// The hash to look a preview link up by, if `secret` has the shape of one: anything else is
/// refused before a lookup.
pub fn recognise_preview(secret: &str) -> Option<[u8; 32]> {
    (secret.len() == PREVIEW_CHARS && secret.bytes().all(|b| b.is_ascii_alphanumeric()))
        .then(|| hash(secret))
}

/// The SHA-256 a token is stored and looked up by.
pub fn hash(secret: &str) -> [u8; 32] {
    Sha256::digest(secret.as_bytes()).into()
}

/// The stored hash of `secret` when it has the shape of one of our tokens with a right
/// checksum; `None` for anything else (no lookup is worth making).
pub fn recognise(secret: &str) -> Option<[u8; 32]> {
    let body = secret.strip_prefix(PREFIX)?;
    if body.len() != RANDOM_CHARS + CHECK_CHARS || !body.bytes().all(|b| b.is_ascii_alphanumeric())
    {
        return None;
    }
    let (random, check) = body.split_at(RANDOM_CHARS);
    (checksum(random) == check).then(|| hash(secret))
}

/// Six base-62 characters from the first bytes of the SHA-256 of `random`.
fn checksum(random: &str) -> String {
    let digest = Sha256::digest(random.as_bytes());
    let mut n = u64::from_be_bytes([
        0, 0, 0, digest[0], digest[1], digest[2], digest[3], digest[4],
    ]);
    let mut out = [b'0'; CHECK_CHARS];
    for slot in out.iter_mut().rev() {
        *slot = ALPHABET[usize::try_from(n % 62).unwrap_or(0)];
        n /= 62;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// How long a token lives, as people write it: `90d`, `12w`, `6m` (months of 30 days), `1y`;
/// from 1 day to [`MAX_DAYS`]. In days.
pub fn parse_lifetime(s: &str) -> Option<i64> {
    let s = s.trim();
    let (n, unit) = s.split_at(s.len().checked_sub(1)?);
    let n: i64 = n.parse().ok()?;
    let days = match unit {
        "d" => n,
        "w" => n.checked_mul(7)?,
        "m" => n.checked_mul(30)?,
        "y" => n.checked_mul(365)?,
        _ => return None,
    };
    (1..=MAX_DAYS).contains(&days).then_some(days)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_is_recognised_by_its_shape_and_checksum() {
        let token = generate().unwrap();
        assert!(token.secret.starts_with("vigie_pat_"));
        assert_eq!(token.secret.len(), PREFIX.len() + 38);
        assert_eq!(recognise(&token.secret), Some(token.hash));
        assert!(token.secret.starts_with(token.hint.trim_end_matches('…')));
        // One character changed: the checksum no longer holds.
        let mut bytes = token.secret.clone().into_bytes();
        let i = PREFIX.len() + 3;
        bytes[i] = if bytes[i] == b'a' { b'b' } else { b'a' };
        assert_eq!(recognise(&String::from_utf8(bytes).unwrap()), None);
        for bad in [
            "",
            "vigie_pat_",
            "ghp_abc",
            &token.secret[1..],
            &format!("{} ", token.secret),
        ] {
            assert_eq!(recognise(bad), None, "{bad:?}");
        }
        assert_ne!(generate().unwrap().secret, token.secret);
    }

    #[test]
    fn what_a_token_may_do_never_exceeds_its_owners_role() {
        let all = Scope::ALL;
        assert_eq!(effective(all, Role::Admin), all);
        assert_eq!(
            effective(all, Role::Editor),
            [
                Scope::ContentRead,
                Scope::ArticlesWrite,
                Scope::ArticlesPublish,
                Scope::MediaWrite
            ]
        );
        assert_eq!(
            effective(all, Role::Journalist),
            [Scope::ContentRead, Scope::ArticlesWrite, Scope::MediaWrite]
        );
        for scope in all {
            assert_eq!(Scope::parse(scope.as_str()), Some(*scope));
        }
        assert_eq!(Scope::parse("articles:*"), None);
    }

    #[test]
    fn preview_secrets_are_long_random_and_recognised_by_shape() {
        let (secret, hash) = preview_secret().unwrap();
        assert_eq!(secret.len(), PREVIEW_CHARS);
        assert_eq!(recognise_preview(&secret), Some(hash));
        assert_ne!(preview_secret().unwrap().0, secret);
        assert_eq!(recognise_preview(&secret[1..]), None);
        assert_eq!(recognise_preview(&format!("{}-", &secret[1..])), None);
        assert_eq!(recognise_preview("../../etc/passwd"), None);
    }

    #[test]
    fn lifetimes_are_days_weeks_months_or_years_within_a_year() {
        assert_eq!(parse_lifetime("90d"), Some(90));
        assert_eq!(parse_lifetime("2w"), Some(14));
        assert_eq!(parse_lifetime("6m"), Some(180));
        assert_eq!(parse_lifetime("1y"), Some(365));
        for bad in [
            "0d",
            "367d",
            "2y",
            "d",
            "",
            "10",
            "-1d",
            "1.5d",
            "99999999999999999999d",
        ] {
            assert_eq!(parse_lifetime(bad), None, "{bad}");
        }
    }
}

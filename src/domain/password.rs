//! Passwords: what we accept (length, not a common one) and argon2id hashing at OWASP's
//! parameters. Hashing is slow on purpose; callers on async threads must run it elsewhere.

use std::sync::LazyLock;

use argon2::{Algorithm, Argon2, Params, PasswordHash, PasswordHasher, PasswordVerifier, Version};

pub const MIN_CHARS: usize = 12;
pub const MAX_CHARS: usize = 256;

/// OWASP's minimum for argon2id: 19 MiB, 2 iterations, 1 lane.
const M_COST_KIB: u32 = 19 * 1024;
const T_COST: u32 = 2;
const P_COST: u32 = 1;

static COMMON: LazyLock<Vec<&'static str>> = LazyLock::new(|| {
    include_str!("common-passwords.txt")
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .collect()
});

/// A password that meets the rules. Never printed.
pub struct Password(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PasswordError {
    #[error("the password needs at least {MIN_CHARS} characters")]
    TooShort,
    #[error("the password has at most {MAX_CHARS} characters")]
    TooLong,
    #[error("this password is among the most common ones: choose another")]
    Common,
}

impl Password {
    /// Length 12–256 counted in characters; refused before any hashing when longer. No
    /// composition rules (NIST 800-63B): a long passphrase beats `P@ssw0rd!`.
    pub fn parse(s: &str) -> Result<Self, PasswordError> {
        let chars = s.chars().count();
        if chars > MAX_CHARS {
            return Err(PasswordError::TooLong);
        }
        if chars < MIN_CHARS {
            return Err(PasswordError::TooShort);
        }
        let lower = s.to_lowercase();
        if COMMON.iter().any(|c| *c == lower) {
            return Err(PasswordError::Common);
        }
        Ok(Self(s.to_owned()))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Password {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Password(***)")
    }
}

fn hasher() -> Argon2<'static> {
    // The constants are within argon2's bounds; Params::new only fails outside them.
    let params = Params::new(M_COST_KIB, T_COST, P_COST, None).unwrap_or_default();
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// The PHC string (`$argon2id$v=19$m=19456,t=2,p=1$…`) of a new random-salted hash.
pub fn hash(password: &Password) -> Result<String, argon2::password_hash::Error> {
    Ok(hasher().hash_password(password.0.as_bytes())?.to_string())
}

/// A fresh hash of a password that just matched a stored one, whatever today's rules would say
/// of it: upgrading an old weak hash must not wait for the password to change.
pub fn rehash(matched: &str) -> Result<String, argon2::password_hash::Error> {
    Ok(hasher().hash_password(matched.as_bytes())?.to_string())
}

/// What checking a password against a stored hash found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verified {
    /// It matches; `rehash` says the stored hash is weaker than today's parameters.
    Match {
        rehash: bool,
    },
    Mismatch,
}

/// Checks `candidate` (any string: a login form may hold anything) against a PHC string.
/// A malformed stored hash never matches.
pub fn verify(candidate: &str, phc: &str) -> Verified {
    let Ok(parsed) = PasswordHash::new(phc) else {
        return Verified::Mismatch;
    };
    if hasher()
        .verify_password(candidate.as_bytes(), &parsed)
        .is_err()
    {
        return Verified::Mismatch;
    }
    let weaker = parsed.algorithm.as_str() != "argon2id"
        || Params::try_from(&parsed).map_or(true, |p| {
            p.m_cost() < M_COST_KIB || p.t_cost() < T_COST || p.p_cost() < P_COST
        });
    Verified::Match { rehash: weaker }
}

/// A valid hash of a password nobody knows: checking against it costs what a real check costs,
/// so an unknown e-mail answers in the same time as a wrong password.
pub static DECOY_HASH: LazyLock<String> = LazyLock::new(|| {
    let mut bytes = [0u8; 32];
    let _ = getrandom::fill(&mut bytes);
    let decoy: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    hash(&Password(decoy)).unwrap_or_default()
});

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn length_is_counted_in_characters() {
        assert_eq!(
            Password::parse("court").unwrap_err(),
            PasswordError::TooShort
        );
        // 12 accented characters are 24 bytes but 12 characters: accepted.
        assert!(Password::parse("éèêëàâäôöûüç").is_ok());
        assert!(Password::parse(&"é".repeat(256)).is_ok());
        assert_eq!(
            Password::parse(&"é".repeat(257)).unwrap_err(),
            PasswordError::TooLong
        );
    }

    #[test]
    fn common_passwords_are_refused_whatever_their_case() {
        assert_eq!(
            Password::parse("MotDePasse123").unwrap_err(),
            PasswordError::Common
        );
        assert_eq!(
            Password::parse("123456789012").unwrap_err(),
            PasswordError::Common
        );
        assert!(Password::parse("la vigie veille sur l’IA").is_ok());
    }

    #[test]
    fn no_composition_rules() {
        assert!(Password::parse("seulement des minuscules").is_ok());
    }

    #[test]
    fn hashes_are_argon2id_at_owasp_parameters_and_verify() {
        let pw = Password::parse("une phrase de passe longue").unwrap();
        let phc = hash(&pw).unwrap();
        assert!(phc.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{phc}");
        assert_eq!(
            verify("une phrase de passe longue", &phc),
            Verified::Match { rehash: false }
        );
        assert_eq!(
            verify("une autre phrase de passe", &phc),
            Verified::Mismatch
        );
        assert_eq!(verify("x", "not a hash"), Verified::Mismatch);
    }

    #[test]
    fn weaker_stored_hashes_ask_for_a_rehash() {
        let weak = Argon2::new(
            Algorithm::Argon2id,
            Version::V0x13,
            Params::new(8 * 1024, 1, 1, None).unwrap(),
        )
        .hash_password(b"une phrase de passe longue")
        .unwrap()
        .to_string();
        assert_eq!(
            verify("une phrase de passe longue", &weak),
            Verified::Match { rehash: true }
        );
    }

    fn hashed_with(m: u32, t: u32, p: u32) -> String {
        Argon2::new(
            Algorithm::Argon2id,
            Version::V0x13,
            Params::new(m, t, p, None).unwrap(),
        )
        .hash_password(b"une phrase de passe longue")
        .unwrap()
        .to_string()
    }

    #[test]
    fn each_parameter_below_owasps_asks_for_a_rehash_and_none_above() {
        let owasp = (19 * 1024, 2, 1);
        for ((m, t, p), rehash) in [
            ((8 * 1024, 2, 1), true),
            ((19 * 1024, 1, 1), true),
            (owasp, false),
            ((32 * 1024, 3, 2), false),
        ] {
            assert_eq!(
                verify("une phrase de passe longue", &hashed_with(m, t, p)),
                Verified::Match { rehash },
                "m={m} t={t} p={p}"
            );
        }
    }

    #[test]
    fn a_rehash_verifies_at_todays_parameters() {
        let fresh = rehash("une phrase de passe longue").unwrap();
        assert!(
            fresh.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
            "{fresh}"
        );
        assert_eq!(
            verify("une phrase de passe longue", &fresh),
            Verified::Match { rehash: false }
        );
        assert_eq!(verify("une autre phrase", &fresh), Verified::Mismatch);
    }

    #[test]
    fn the_list_s_comments_and_blank_lines_are_no_passwords() {
        assert!(include_str!("common-passwords.txt").starts_with('#'));
        assert!(COMMON.len() > 100);
        assert!(COMMON.iter().all(|c| !c.is_empty() && !c.starts_with('#')));
    }

    #[test]
    fn a_password_exposes_what_was_typed() {
        let typed = "une phrase de passe longue";
        assert_eq!(Password::parse(typed).unwrap().expose(), typed);
    }

    #[test]
    fn the_decoy_is_a_real_hash_nothing_matches() {
        assert!(DECOY_HASH.starts_with("$argon2id$"));
        assert_eq!(verify("", &DECOY_HASH), Verified::Mismatch);
    }

    #[test]
    fn passwords_never_print() {
        let pw = Password::parse("une phrase de passe longue").unwrap();
        assert_eq!(format!("{pw:?}"), "Password(***)");
    }
}

//! The second factor: time-based one-time codes (TOTP, RFC 6238: HMAC-SHA1, 30-second steps,
//! six digits, what every authenticator app reads from an `otpauth://` address) and the
//! single-use recovery codes given with it. Pure: the caller brings the time and the randomness
//! comes from the system.

use data_encoding::BASE32_NOPAD;
use hmac::{Hmac, KeyInit, Mac};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

/// Seconds per step.
pub const STEP: i64 = 30;
/// How many recovery codes a person gets at a time.
pub const RECOVERY_CODES: usize = 10;

/// A TOTP secret: 160 random bits, as RFC 4226 recommends.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(Vec<u8>);

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never in a log.
        f.write_str("Secret(…)")
    }
}

impl Secret {
    /// A new random secret; `None` only if the system's random source fails.
    pub fn generate() -> Option<Self> {
        let mut bytes = vec![0u8; 20];
        getrandom::fill(&mut bytes).ok()?;
        Some(Self(bytes))
    }

    pub fn from_bytes(bytes: Vec<u8>) -> Self {
        Self(bytes)
    }

    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    /// As people type it into an app: base32, in groups of four.
    pub fn base32(&self) -> String {
        let text = BASE32_NOPAD.encode(&self.0);
        text.as_bytes()
            .chunks(4)
            .map(|c| String::from_utf8_lossy(c).into_owned())
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// The `otpauth://` address an authenticator app reads (from the QR code), naming the site
    /// and the account.
    pub fn uri(&self, issuer: &str, account: &str) -> String {
        use percent_encoding::{NON_ALPHANUMERIC, utf8_percent_encode};
        let issuer_enc = utf8_percent_encode(issuer, NON_ALPHANUMERIC);
        let account_enc = utf8_percent_encode(account, NON_ALPHANUMERIC);
        format!(
            "otpauth://totp/{issuer_enc}:{account_enc}?secret={}&issuer={issuer_enc}&algorithm=SHA1&digits=6&period={STEP}",
            BASE32_NOPAD.encode(&self.0)
        )
    }

    /// The six-digit code of time step `step`.
    pub fn code(&self, step: i64) -> u32 {
        // HMAC accepts a key of any length.
        let Ok(mut mac) = Hmac::<sha1::Sha1>::new_from_slice(&self.0) else {
            return u32::MAX;
        };
        mac.update(&step.to_be_bytes());
        let digest = mac.finalize().into_bytes();
        let offset = usize::from(digest[digest.len() - 1] & 0x0f);
        let binary = u32::from_be_bytes([
            digest[offset] & 0x7f,
            digest[offset + 1],
            digest[offset + 2],
            digest[offset + 3],
        ]);
        binary % 1_000_000
    }

    /// The step a typed code is good for, if it is this secret's code of the current step or of
    /// the one before or after (a clock a little off), and later than `last` (the step a code
    /// was last accepted for: no code is accepted twice).
    pub fn check(&self, typed: &str, now: i64, last: i64) -> Option<i64> {
        let digits: String = typed.chars().filter(|c| !c.is_whitespace()).collect();
        if digits.len() != 6 || !digits.chars().all(|c| c.is_ascii_digit()) {
            return None;
        }
        let mut found = None;
        for step in [now - 1, now, now + 1] {
            let code = format!("{:06}", self.code(step));
            // Compared in constant time, every step tried, so timing says nothing.
            if bool::from(code.as_bytes().ct_eq(digits.as_bytes())) && step > last {
                found = found.or(Some(step));
            }
        }
        found
    }
}

/// The time step of `unix_seconds`.
pub fn step_of(unix_seconds: i64) -> i64 {
    unix_seconds.div_euclid(STEP)
}

/// Fresh recovery codes, as shown once: `abcd-efgh-ijkl` (60 random bits each).
pub fn new_recovery_codes() -> Option<Vec<String>> {
    (0..RECOVERY_CODES)
        .map(|_| {
            let mut bytes = [0u8; 8];
            getrandom::fill(&mut bytes).ok()?;
            let text = BASE32_NOPAD.encode(&bytes).to_lowercase();
            Some(format!("{}-{}-{}", &text[0..4], &text[4..8], &text[8..12]))
        })
        .collect()
}

/// What is stored of a recovery code: the SHA-256 of it as typed, without case, dashes or
/// spaces (the codes carry 60 random bits: no slow hash is needed against guessing).
pub fn recovery_digest(typed: &str) -> Vec<u8> {
    let normal: String = typed
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_lowercase())
        .collect();
    Sha256::digest(normal.as_bytes()).to_vec()
}

/// Whether `typed` looks like a recovery code rather than a six-digit code.
pub fn is_recovery_code(typed: &str) -> bool {
    typed.chars().filter(|c| c.is_ascii_alphanumeric()).count() == 12
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 6238's SHA-1 test vectors (appendix B), on six digits: the last six of each.
    #[test]
    fn codes_are_those_of_rfc_6238() {
        let secret = Secret::from_bytes(b"12345678901234567890".to_vec());
        for (time, code) in [
            (59, 287_082),
            (1_111_111_109, 81_804),
            (1_111_111_111, 50_471),
            (1_234_567_890, 5_924),
            (2_000_000_000, 279_037),
            (20_000_000_000, 353_130),
        ] {
            assert_eq!(secret.code(step_of(time)), code, "at {time}");
        }
    }

    #[test]
    fn a_code_is_good_for_its_step_and_the_next_one_never_twice() {
        let secret = Secret::from_bytes(b"12345678901234567890".to_vec());
        let now = step_of(1_111_111_111);
        let code = format!("{:06}", secret.code(now));
        assert_eq!(secret.check(&code, now, 0), Some(now));
        assert_eq!(
            secret.check(&code, now + 1, 0),
            Some(now),
            "a clock a step behind"
        );
        assert_eq!(secret.check(&code, now + 2, 0), None, "too old");
        assert_eq!(secret.check(&code, now, now), None, "already used");
        let spaced = format!("{} {}", &code[..3], &code[3..]);
        assert_eq!(secret.check(&spaced, now, 0), Some(now));
        for bad in ["", "12345", "1234567", "abcdef", "２８７０８２"] {
            assert_eq!(secret.check(bad, now, 0), None, "{bad:?}");
        }
    }

    #[test]
    fn the_app_address_names_the_site_and_the_account() {
        let secret = Secret::from_bytes(b"12345678901234567890".to_vec());
        assert_eq!(
            secret.uri("Vigie", "claire@vigie.example"),
            "otpauth://totp/Vigie:claire%40vigie%2Eexample?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Vigie&algorithm=SHA1&digits=6&period=30"
        );
        assert_eq!(secret.base32(), "GEZD GNBV GY3T QOJQ GEZD GNBV GY3T QOJQ");
        assert_eq!(format!("{secret:?}"), "Secret(…)");
    }

    #[test]
    fn recovery_codes_are_ten_distinct_and_read_back_however_typed() {
        let codes = new_recovery_codes().unwrap();
        assert_eq!(codes.len(), RECOVERY_CODES);
        let mut unique = codes.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), RECOVERY_CODES);
        let code = &codes[0];
        assert!(is_recovery_code(code));
        assert_eq!(
            recovery_digest(code),
            recovery_digest(&code.to_uppercase().replace('-', " "))
        );
        assert!(!is_recovery_code("287082"));
    }
}

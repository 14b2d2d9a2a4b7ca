//! Login throttling policy: a few free failures, then waits that double with each failure,
//! capped; forgotten after a quiet hour.

use std::time::Duration;

/// Failures allowed per account and client address before waits start.
pub const ACCOUNT_FREE: i32 = 5;
/// Failures allowed per account from all addresses together: high, so that someone who knows a
/// colleague's e-mail cannot lock them out from elsewhere, yet a distributed guess still stops.
pub const ACCOUNT_WIDE_FREE: i32 = 50;
/// Failures allowed per client address (a newsroom behind one NAT shares it) before waits.
pub const ADDRESS_FREE: i32 = 20;
/// The first wait; each further failure doubles it.
const FIRST_WAIT: Duration = Duration::from_secs(30);
const LONGEST_WAIT: Duration = Duration::from_secs(15 * 60);
/// A key with no failure for this long starts again from zero.
pub const FORGET_AFTER: Duration = Duration::from_secs(3600);

/// After the `failures`-th failure in a row (counting this one), how long to refuse new
/// attempts, if at all.
pub fn wait_after(failures: i32, free: i32) -> Option<Duration> {
    let over = failures.checked_sub(free).filter(|n| *n >= 0)?;
    let factor = 1u32
        .checked_shl(over.min(16).unsigned_abs())
        .unwrap_or(u32::MAX);
    Some(FIRST_WAIT.saturating_mul(factor).min(LONGEST_WAIT))
}

/// The keys one sign-in attempt is counted on, each with the failures it allows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Keys {
    /// The account's own: per client address and account-wide, or for a browser the account
    /// knows, that browser's alone. A success clears them.
    pub account: Vec<(String, i32)>,
    /// The client address's, shared by everyone behind it. A success takes back its count.
    pub address: (String, i32),
}

impl Keys {
    /// Every key, the address's last.
    pub fn all(&self) -> Vec<(String, i32)> {
        let mut all = self.account.clone();
        all.push(self.address.clone());
        all
    }
}

/// The keys for an attempt on `account` (`user:<id>`, or `email:<address typed>` for no
/// account) from the client `address` (an IP address or /64 block, never holding `|`), from a
/// browser the account knows by `device` (an id of its cookie), if any. A known browser is
/// spared the account-wide key, so that failures from strangers cannot lock the owner out;
/// each kind of key has its own prefix and the account comes last, so no two accounts or
/// addresses can share a key, whatever was typed.
pub fn keys(account: &str, address: &str, device: Option<&str>) -> Keys {
    let account_keys = match device {
        Some(device) => vec![(format!("device:{device}|{account}"), ACCOUNT_FREE)],
        None => vec![
            (format!("at:{address}|{account}"), ACCOUNT_FREE),
            (account.to_owned(), ACCOUNT_WIDE_FREE),
        ],
    };
    Keys {
        account: account_keys,
        address: (format!("address:{address}"), ADDRESS_FREE),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn free_failures_then_doubling_waits_up_to_a_cap() {
        assert_eq!(wait_after(1, ACCOUNT_FREE), None);
        assert_eq!(wait_after(4, ACCOUNT_FREE), None);
        assert_eq!(wait_after(5, ACCOUNT_FREE), Some(Duration::from_secs(30)));
        assert_eq!(wait_after(6, ACCOUNT_FREE), Some(Duration::from_secs(60)));
        assert_eq!(wait_after(7, ACCOUNT_FREE), Some(Duration::from_secs(120)));
        assert_eq!(wait_after(10, ACCOUNT_FREE), Some(LONGEST_WAIT));
        assert_eq!(wait_after(i32::MAX, ACCOUNT_FREE), Some(LONGEST_WAIT));
        assert_eq!(wait_after(19, ADDRESS_FREE), None);
        assert_eq!(wait_after(20, ADDRESS_FREE), Some(Duration::from_secs(30)));
    }

    #[test]
    fn an_address_typed_into_the_email_field_names_no_other_key() {
        // With `{account}@{address}`, these two shared a key.
        let typed = keys("email:a@b", "203.0.113.7", None);
        let crafted = keys("email:a@b@203.0.113.7", "198.51.100.1", None);
        for (key, _) in typed.all() {
            assert!(!crafted.all().iter().any(|(k, _)| *k == key), "{key}");
        }
    }

    proptest::proptest! {
        /// Whatever is typed as the e-mail address and wherever it comes from: an attempt
        /// always counts on its address and on its account, the account-wide limit applies
        /// exactly when the browser is not known, and two different accounts or addresses
        /// never share a key.
        #[test]
        fn keys_keep_accounts_and_addresses_apart(
            typed in proptest::collection::vec(proptest::sample::select(&["a", "@", "|", ":", "user", "at", " ", "é", "/64", "address", "unknown"][..]), 0..8),
            other in proptest::collection::vec(proptest::sample::select(&["a", "@", "|", ":", "user", "at", " ", "é", "/64", "address"][..]), 0..8),
            user in proptest::option::of("[0-9a-f]{8}"),
            addresses in proptest::sample::subsequence(&["203.0.113.7", "unknown", "2001:db8:1:2::/64", "::1"][..], 2),
            devices in (proptest::option::of("[0-9a-f]{16}"), proptest::option::of("[0-9a-f]{16}")),
        ) {
            let one = match &user {
                Some(id) => format!("user:{id}"),
                None => format!("email:{}", typed.concat()),
            };
            let two = format!("email:{}", other.concat());
            let first = keys(&one, addresses[0], devices.0.as_deref());
            let second = keys(&two, addresses[1], devices.1.as_deref());
            for k in [&first, &second] {
                let all = k.all();
                proptest::prop_assert_eq!(all.last(), Some(&k.address));
                proptest::prop_assert!(matches!(k.account.len(), 1 | 2));
            }
            proptest::prop_assert_eq!(
                first.account.iter().any(|(key, free)| *key == one && *free == ACCOUNT_WIDE_FREE),
                devices.0.is_none()
            );
            proptest::prop_assert_ne!(&first.address, &second.address);
            if one != two {
                for (key, _) in &first.account {
                    proptest::prop_assert!(!second.all().iter().any(|(k, _)| k == key), "{} shared", key);
                }
            }
        }
    }
}

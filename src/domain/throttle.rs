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
}

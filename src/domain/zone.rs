//! The newsroom's time zone (`VIGIE_TIMEZONE`), for the dates people read: an article
//! published at 23:30 UTC in winter went out on the next day in Paris.

use time::{OffsetDateTime, UtcOffset};

/// A time zone read from the system's zoneinfo database (Debian's `tzdata`).
#[derive(Debug)]
pub struct Zone {
    name: String,
    rules: Option<tz::TimeZone>,
}

impl Zone {
    /// The zone called `name` (IANA, e.g. `Europe/Paris`). Where the system has no zoneinfo
    /// for it, dates are shown in UTC and a warning says so.
    pub fn load(name: &str) -> Self {
        let rules = match tz::TimeZone::from_posix_tz(name) {
            Ok(rules) => Some(rules),
            Err(e) => {
                tracing::warn!(zone = name, error = %e, "no zoneinfo for this time zone; dates are shown in UTC");
                None
            }
        };
        Self {
            name: name.to_owned(),
            rules,
        }
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    /// The same moment, as a clock on the newsroom's wall shows it.
    pub fn local(&self, at: OffsetDateTime) -> OffsetDateTime {
        let seconds = self
            .rules
            .as_ref()
            .and_then(|rules| rules.find_local_time_type(at.unix_timestamp()).ok())
            .map_or(0, tz::LocalTimeType::ut_offset);
        at.to_offset(UtcOffset::from_whole_seconds(seconds).unwrap_or(UtcOffset::UTC))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn paris_is_an_hour_ahead_in_winter_and_two_in_summer() {
        let paris = Zone::load("Europe/Paris");
        assert_eq!(paris.name(), "Europe/Paris");
        let winter = paris.local(datetime!(2026-02-27 23:30 UTC));
        assert_eq!(winter.date(), time::macros::date!(2026 - 02 - 28));
        assert_eq!(winter.offset().whole_hours(), 1);
        let summer = paris.local(datetime!(2026-07-14 08:00 UTC));
        assert_eq!(summer.offset().whole_hours(), 2);
        assert_eq!(
            summer.unix_timestamp(),
            datetime!(2026-07-14 08:00 UTC).unix_timestamp()
        );
    }

    #[test]
    fn an_unknown_zone_falls_back_to_utc() {
        let nowhere = Zone::load("Nowhere/Atlantis");
        let at = datetime!(2026-02-27 23:30 UTC);
        assert_eq!(nowhere.local(at), at);
        assert_eq!(nowhere.local(at).offset(), UtcOffset::UTC);
    }
}

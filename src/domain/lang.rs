//! Languages Vigie writes in, and dates the way each of them reads them.

use time::{Date, Month, OffsetDateTime};

/// A language of the site or of an article.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Lang {
    Fr,
    En,
}

impl Lang {
    pub const ALL: &'static [Lang] = &[Lang::Fr, Lang::En];

    pub fn parse(s: &str) -> Option<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "fr" => Some(Lang::Fr),
            "en" => Some(Lang::En),
            _ => None,
        }
    }

    /// The language's name in itself, as a language switch offers it.
    pub fn native_name(self) -> &'static str {
        match self {
            Lang::Fr => "Français",
            Lang::En => "English",
        }
    }

    /// The BCP 47 code, as stored and as written in `<html lang>`.
    pub fn as_str(self) -> &'static str {
        match self {
            Lang::Fr => "fr",
            Lang::En => "en",
        }
    }
}

impl std::fmt::Display for Lang {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A date as a reader of `lang` expects it: `27 février 2026`, `1er mars 2026`,
/// `February 27, 2026`.
pub fn format_date(date: Date, lang: Lang) -> String {
    let day = date.day();
    let year = date.year();
    match lang {
        Lang::Fr => {
            let month = french_month(date.month());
            if day == 1 {
                format!("1er {month} {year}")
            } else {
                format!("{day} {month} {year}")
            }
        }
        Lang::En => format!("{} {day}, {year}", date.month()),
    }
}

/// A month as a reader of `lang` expects it: `août 2026`, `August 2026`.
pub fn format_month(year: i32, month: Month, lang: Lang) -> String {
    match lang {
        Lang::Fr => format!("{} {year}", french_month(month)),
        Lang::En => format!("{month} {year}"),
    }
}

fn french_month(month: Month) -> &'static str {
    match month {
        Month::January => "janvier",
        Month::February => "février",
        Month::March => "mars",
        Month::April => "avril",
        Month::May => "mai",
        Month::June => "juin",
        Month::July => "juillet",
        Month::August => "août",
        Month::September => "septembre",
        Month::October => "octobre",
        Month::November => "novembre",
        Month::December => "décembre",
    }
}

/// A moment as the newsroom reads it on staff pages, already on its wall clock (`local`):
/// `5 déc. à 10:42`, with the year when it is not the year of `today`: `5 déc. 2025 à 10:42`;
/// `Dec 5, 10:42` in English.
pub fn format_moment(local: OffsetDateTime, today: Date, lang: Lang) -> String {
    let (day, hour, minute) = (local.day(), local.hour(), local.minute());
    let year = (local.year() != today.year()).then(|| local.year());
    match lang {
        Lang::Fr => {
            let month = match local.month() {
                Month::January => "janv.",
                Month::February => "févr.",
                Month::March => "mars",
                Month::April => "avr.",
                Month::May => "mai",
                Month::June => "juin",
                Month::July => "juil.",
                Month::August => "août",
                Month::September => "sept.",
                Month::October => "oct.",
                Month::November => "nov.",
                Month::December => "déc.",
            };
            let day = if day == 1 {
                "1er".to_owned()
            } else {
                day.to_string()
            };
            match year {
                Some(year) => format!("{day} {month} {year} à {hour:02}:{minute:02}"),
                None => format!("{day} {month} à {hour:02}:{minute:02}"),
            }
        }
        Lang::En => {
            let month = &local.month().to_string()[..3];
            match year {
                Some(year) => format!("{month} {day}, {year}, {hour:02}:{minute:02}"),
                None => format!("{month} {day}, {hour:02}:{minute:02}"),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::{date, datetime};

    #[test]
    fn moments_read_short_with_the_year_only_when_it_is_another() {
        let at = datetime!(2026-12-05 08:00 +1);
        assert_eq!(
            format_moment(at, date!(2026 - 12 - 06), Lang::Fr),
            "5 déc. à 08:00"
        );
        assert_eq!(
            format_moment(
                datetime!(2027-03-01 18:05 +1),
                date!(2026 - 12 - 06),
                Lang::Fr
            ),
            "1er mars 2027 à 18:05"
        );
        assert_eq!(
            format_moment(at, date!(2026 - 12 - 06), Lang::En),
            "Dec 5, 08:00"
        );
    }

    #[test]
    fn codes_are_bcp_47_and_read_back() {
        assert_eq!(Lang::Fr.as_str(), "fr");
        assert_eq!(Lang::En.as_str(), "en");
        for &lang in Lang::ALL {
            assert_eq!(Lang::parse(lang.as_str()), Some(lang));
        }
    }

    #[test]
    fn french_dates_read_naturally() {
        assert_eq!(
            format_date(date!(2026 - 02 - 27), Lang::Fr),
            "27 février 2026"
        );
        assert_eq!(
            format_date(date!(2026 - 03 - 01), Lang::Fr),
            "1er mars 2026"
        );
        assert_eq!(format_date(date!(2026 - 08 - 15), Lang::Fr), "15 août 2026");
    }

    #[test]
    fn english_dates_read_naturally() {
        assert_eq!(
            format_date(date!(2026 - 02 - 27), Lang::En),
            "February 27, 2026"
        );
    }

    #[test]
    fn languages_parse_leniently_but_only_known_ones() {
        assert_eq!(Lang::parse(" FR "), Some(Lang::Fr));
        assert_eq!(Lang::parse("en"), Some(Lang::En));
        assert_eq!(Lang::parse("de"), None);
    }
}

//! Regulations as the beat follows them: their legal form and status, the dates their
//! milestones fall on (a day, or only a month or a quarter), how a change of those reads in the
//! public history, and what an article discloses about its use of AI.

use time::{Date, Month};

use super::Lang;
use super::lang::{format_date, format_month};

/// Declares a closed list stored as text: `ALL`, `parse`, `as_str`, and a label per language.
macro_rules! closed_list {
    ($(#[$doc:meta])* $name:ident { $($variant:ident = $text:literal, $fr:literal, $en:literal;)* }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum $name { $($variant,)* }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant,)*];

            pub fn parse(s: &str) -> Option<Self> {
                Self::ALL.iter().copied().find(|v| v.as_str() == s)
            }

            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text,)* }
            }

            /// How readers (and the newsroom) name it.
            pub fn label(self, lang: Lang) -> &'static str {
                match (self, lang) {
                    $(($name::$variant, Lang::Fr) => $fr,
                      ($name::$variant, Lang::En) => $en,)*
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

closed_list! {
    /// What kind of text a regulation is.
    LegalForm {
        Regulation = "regulation", "règlement", "regulation";
        Directive = "directive", "directive", "directive";
        Law = "law", "loi", "law";
        Bill = "bill", "projet ou proposition de loi", "bill";
        ExecutiveOrder = "executive_order", "décret présidentiel", "executive order";
        Guidance = "guidance", "lignes directrices", "guidance";
        Standard = "standard", "norme", "standard";
    }
}

closed_list! {
    /// Where a regulation stands.
    RegulationStatus {
        Proposed = "proposed", "texte proposé", "proposed";
        InNegotiation = "in_negotiation", "en négociation", "in negotiation";
        Adopted = "adopted", "texte adopté", "adopted";
        InForce = "in_force", "en vigueur", "in force";
        PartlyApplicable = "partly_applicable", "applicable en partie", "partly applicable";
        FullyApplicable = "fully_applicable", "pleinement applicable", "fully applicable";
        Repealed = "repealed", "texte abrogé", "repealed";
        Withdrawn = "withdrawn", "texte retiré", "withdrawn";
    }
}

impl RegulationStatus {
    /// schema.org's `legislationLegalForce`.
    pub fn legal_force(self) -> &'static str {
        match self {
            Self::InForce | Self::FullyApplicable => "https://schema.org/InForce",
            Self::PartlyApplicable => "https://schema.org/PartiallyInForce",
            Self::Proposed
            | Self::InNegotiation
            | Self::Adopted
            | Self::Repealed
            | Self::Withdrawn => "https://schema.org/NotInForce",
        }
    }
}

closed_list! {
    /// How AI was used to make an article, disclosed to readers under the byline.
    AiUse {
        None = "none", "aucune", "none";
        Research = "research", "aide à la recherche", "research assistance";
        Writing = "writing", "aide à la rédaction", "writing assistance";
        Translation = "translation", "traduction", "translation";
        Illustration = "illustration", "illustration générée", "generated illustration";
    }
}

impl AiUse {
    /// The sentence readers see, or `None` when nothing is to be disclosed.
    pub fn disclosure(self, lang: Lang) -> Option<&'static str> {
        Some(match (self, lang) {
            (Self::None, _) => return None,
            (Self::Research, Lang::Fr) => {
                "Un outil d’intelligence artificielle a aidé à la recherche pour cet article ; la rédaction a vérifié les faits et écrit le texte."
            }
            (Self::Research, Lang::En) => {
                "An AI tool assisted with research for this article; the newsroom checked the facts and wrote the text."
            }
            (Self::Writing, Lang::Fr) => {
                "Un outil d’intelligence artificielle a aidé à la rédaction de cet article, relu et vérifié par la rédaction."
            }
            (Self::Writing, Lang::En) => {
                "An AI tool assisted in writing this article, which the newsroom edited and checked."
            }
            (Self::Translation, Lang::Fr) => {
                "Cet article a été traduit avec l’aide d’un outil d’intelligence artificielle, puis relu par la rédaction."
            }
            (Self::Translation, Lang::En) => {
                "This article was translated with the help of an AI tool and reviewed by the newsroom."
            }
            (Self::Illustration, Lang::Fr) => {
                "L’illustration de cet article a été générée par un outil d’intelligence artificielle."
            }
            (Self::Illustration, Lang::En) => {
                "This article’s illustration was generated by an AI tool."
            }
        })
    }
}

closed_list! {
    /// How much of a milestone's date is known.
    Precision {
        Day = "day", "jour", "day";
        Month = "month", "mois", "month";
        Quarter = "quarter", "trimestre", "quarter";
    }
}

/// The date of a milestone: a day, or the first day of the month or quarter it falls in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MilestoneDate {
    on: Date,
    precision: Precision,
}

impl MilestoneDate {
    /// From the database, whose constraint keeps `on` the first day of its month or quarter.
    pub fn new(on: Date, precision: Precision) -> Self {
        let on = match precision {
            Precision::Day => on,
            Precision::Month => on.replace_day(1).unwrap_or(on),
            Precision::Quarter => {
                Date::from_calendar_date(on.year(), quarter_start(on.month()), 1).unwrap_or(on)
            }
        };
        Self { on, precision }
    }

    /// What the newsroom types: `2026-08-02`, `2026-08` (a month) or `2026-T3` / `2026-Q3`
    /// (a quarter).
    pub fn parse(text: &str) -> Option<Self> {
        let text = text.trim();
        let (year, rest) = text.split_once('-')?;
        if year.len() != 4 {
            return None;
        }
        let year: i32 = year.parse().ok()?;
        if let Some(q) = rest
            .strip_prefix(['T', 't', 'Q', 'q'])
            .and_then(|q| q.parse::<u8>().ok())
        {
            let month = match q {
                1 => Month::January,
                2 => Month::April,
                3 => Month::July,
                4 => Month::October,
                _ => return None,
            };
            return Some(Self {
                on: Date::from_calendar_date(year, month, 1).ok()?,
                precision: Precision::Quarter,
            });
        }
        match rest.split_once('-') {
            None if rest.len() == 2 => {
                let month = Month::try_from(rest.parse::<u8>().ok()?).ok()?;
                Some(Self {
                    on: Date::from_calendar_date(year, month, 1).ok()?,
                    precision: Precision::Month,
                })
            }
            Some((month, day)) if month.len() == 2 && day.len() == 2 => {
                let month = Month::try_from(month.parse::<u8>().ok()?).ok()?;
                Some(Self {
                    on: Date::from_calendar_date(year, month, day.parse().ok()?).ok()?,
                    precision: Precision::Day,
                })
            }
            _ => None,
        }
    }

    /// The first day it may fall on.
    pub fn on(self) -> Date {
        self.on
    }

    pub fn precision(self) -> Precision {
        self.precision
    }

    /// The last day it may fall on.
    pub fn ends(self) -> Date {
        let months = match self.precision {
            Precision::Day => return self.on,
            Precision::Month => 1,
            Precision::Quarter => 3,
        };
        let mut month = self.on.month();
        let mut year = self.on.year();
        for _ in 0..months {
            month = month.next();
            if month == Month::January {
                year += 1;
            }
        }
        Date::from_calendar_date(year, month, 1)
            .ok()
            .and_then(Date::previous_day)
            .unwrap_or(self.on)
    }

    /// As the form shows it back (see [`MilestoneDate::parse`]).
    pub fn form_value(self) -> String {
        let (y, m) = (self.on.year(), u8::from(self.on.month()));
        match self.precision {
            Precision::Day => format!("{y:04}-{m:02}-{:02}", self.on.day()),
            Precision::Month => format!("{y:04}-{m:02}"),
            Precision::Quarter => format!("{y:04}-T{}", m.div_ceil(3)),
        }
    }

    /// In words: `2 août 2026`, `août 2026`, `3e trimestre 2026`; `Q3 2026` in English.
    pub fn text(self, lang: Lang) -> String {
        match self.precision {
            Precision::Day => format_date(self.on, lang),
            Precision::Month => format_month(self.on.year(), self.on.month(), lang),
            Precision::Quarter => {
                let q = u8::from(self.on.month()).div_ceil(3);
                match lang {
                    Lang::Fr if q == 1 => format!("1er trimestre {}", self.on.year()),
                    Lang::Fr => format!("{q}e trimestre {}", self.on.year()),
                    Lang::En => format!("Q{q} {}", self.on.year()),
                }
            }
        }
    }

    /// How far it is from `today`, in words, or `None` once it is past.
    pub fn countdown(self, today: Date, lang: Lang) -> Option<String> {
        if self.ends() < today {
            return None;
        }
        if self.on <= today && self.precision != Precision::Day {
            return Some(
                match lang {
                    Lang::Fr => "ce mois-ci ou bientôt, jour non précisé",
                    Lang::En => "any day now, the exact day unknown",
                }
                .to_owned(),
            );
        }
        let days = (self.on - today).whole_days();
        let approximate = self.precision != Precision::Day;
        Some(match (lang, days, approximate) {
            (Lang::Fr, 0, _) => "aujourd’hui".to_owned(),
            (Lang::En, 0, _) => "today".to_owned(),
            (Lang::Fr, 1, false) => "demain".to_owned(),
            (Lang::En, 1, false) => "tomorrow".to_owned(),
            (Lang::Fr, n, false) => format!("dans {n} jours"),
            (Lang::En, n, false) => format!("in {n} days"),
            (Lang::Fr, n, true) => format!("dans {n} jours au moins"),
            (Lang::En, n, true) => format!("in {n} days or more"),
        })
    }

    /// Whether it is still to come (or today), on the newsroom's calendar.
    pub fn is_coming(self, today: Date) -> bool {
        self.ends() >= today
    }
}

/// A link to an official page as typed: empty, or an absolute `http(s)` address with a host and
/// no spaces, at most 500 characters. `None`: not such an address.
pub fn web_address(typed: &str) -> Option<&str> {
    let typed = typed.trim();
    if typed.is_empty() {
        return Some(typed);
    }
    let rest = typed
        .strip_prefix("https://")
        .or_else(|| typed.strip_prefix("http://"))?;
    let host = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let ok = typed.chars().count() <= 500
        && !host.is_empty()
        && !typed
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || c == '"' || c == '<' || c == '>');
    ok.then_some(typed)
}

fn quarter_start(month: Month) -> Month {
    match u8::from(month).div_ceil(3) {
        1 => Month::January,
        2 => Month::April,
        3 => Month::July,
        _ => Month::October,
    }
}

/// One entry of a regulation's public history, as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    Status {
        from: Option<RegulationStatus>,
        to: RegulationStatus,
    },
    Added {
        label: String,
        to: MilestoneDate,
    },
    Moved {
        label: String,
        from: MilestoneDate,
        to: MilestoneDate,
    },
    Removed {
        label: String,
        from: MilestoneDate,
    },
}

impl Change {
    /// The sentence readers see: `« Obligations générales » : date repoussée du 2 août 2026 au
    /// 2 décembre 2027.`
    pub fn text(&self, lang: Lang) -> String {
        match (self, lang) {
            (
                Self::Status {
                    from: Some(from),
                    to,
                },
                Lang::Fr,
            ) => {
                format!("Statut : {} → {}.", from.label(lang), to.label(lang))
            }
            (Self::Status { from: None, to }, Lang::Fr) => {
                format!("Statut : {}.", to.label(lang))
            }
            (
                Self::Status {
                    from: Some(from),
                    to,
                },
                Lang::En,
            ) => {
                format!("Status: {} → {}.", from.label(lang), to.label(lang))
            }
            (Self::Status { from: None, to }, Lang::En) => format!("Status: {}.", to.label(lang)),
            (Self::Added { label, to }, Lang::Fr) => {
                format!("Nouvelle échéance « {label} » : {}.", to.text(lang))
            }
            (Self::Added { label, to }, Lang::En) => {
                format!("New milestone “{label}”: {}.", to.text(lang))
            }
            (Self::Removed { label, from }, Lang::Fr) => {
                format!("Échéance retirée : « {label} » ({}).", from.text(lang))
            }
            (Self::Removed { label, from }, Lang::En) => {
                format!("Milestone removed: “{label}” ({}).", from.text(lang))
            }
            (Self::Moved { label, from, to }, Lang::Fr) => {
                let how = match Shift::between(*from, *to) {
                    Shift::Later => "date repoussée",
                    Shift::Earlier => "date avancée",
                    Shift::Narrower => "date précisée",
                    Shift::Wider => "date rendue moins précise",
                };
                format!(
                    "« {label} » : {how} {} {}.",
                    french_from(*from),
                    french_to(*to)
                )
            }
            (Self::Moved { label, from, to }, Lang::En) => {
                let how = match Shift::between(*from, *to) {
                    Shift::Later => "postponed",
                    Shift::Earlier => "brought forward",
                    Shift::Narrower => "made more precise",
                    Shift::Wider => "made less precise",
                };
                format!(
                    "“{label}”: date {how} from {} to {}.",
                    from.text(lang),
                    to.text(lang)
                )
            }
        }
    }
}

/// How a milestone's date moved, comparing the days it may fall on, before and after.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shift {
    Later,
    Earlier,
    /// Within what was said before: a day of the month that was announced.
    Narrower,
    /// Around what was said before: the exact day is no longer known.
    Wider,
}

impl Shift {
    fn between(from: MilestoneDate, to: MilestoneDate) -> Self {
        let inside = |a: MilestoneDate, b: MilestoneDate| a.on() >= b.on() && a.ends() <= b.ends();
        if inside(to, from) {
            Self::Narrower
        } else if inside(from, to) {
            Self::Wider
        } else if to.ends() > from.ends() {
            Self::Later
        } else {
            Self::Earlier
        }
    }
}

/// "du 2 août 2026", "du 3e trimestre 2026", "de juin 2026", "d’août 2026".
fn french_from(date: MilestoneDate) -> String {
    let text = date.text(Lang::Fr);
    match date.precision() {
        Precision::Month if text.starts_with(['a', 'o']) => format!("d’{text}"),
        Precision::Month => format!("de {text}"),
        Precision::Day | Precision::Quarter => format!("du {text}"),
    }
}

/// "au 2 août 2026", "au 3e trimestre 2026", "à juin 2026".
fn french_to(date: MilestoneDate) -> String {
    let text = date.text(Lang::Fr);
    match date.precision() {
        Precision::Month => format!("à {text}"),
        Precision::Day | Precision::Quarter => format!("au {text}"),
    }
}

#[cfg(test)]
mod tests {
    use time::macros::date;

    use super::*;

    #[test]
    fn dates_parse_at_each_precision_and_show_back_as_typed() {
        for (typed, precision, on, ends) in [
            (
                "2026-08-02",
                Precision::Day,
                date!(2026 - 08 - 02),
                date!(2026 - 08 - 02),
            ),
            (
                "2026-08",
                Precision::Month,
                date!(2026 - 08 - 01),
                date!(2026 - 08 - 31),
            ),
            (
                "2026-02",
                Precision::Month,
                date!(2026 - 02 - 01),
                date!(2026 - 02 - 28),
            ),
            (
                "2026-T3",
                Precision::Quarter,
                date!(2026 - 07 - 01),
                date!(2026 - 09 - 30),
            ),
            (
                "2026-T4",
                Precision::Quarter,
                date!(2026 - 10 - 01),
                date!(2026 - 12 - 31),
            ),
        ] {
            let d = MilestoneDate::parse(typed).unwrap();
            assert_eq!(
                (d.precision(), d.on(), d.ends()),
                (precision, on, ends),
                "{typed}"
            );
            assert_eq!(d.form_value(), typed);
        }
        assert_eq!(
            MilestoneDate::parse("2027-q1").unwrap().form_value(),
            "2027-T1"
        );
        for bad in [
            "",
            "2026",
            "2026-13",
            "2026-02-30",
            "2026-T5",
            "26-08-02",
            "2026-8-2",
            "août 2026",
        ] {
            assert_eq!(MilestoneDate::parse(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn dates_read_in_french_and_english() {
        let day = MilestoneDate::parse("2026-08-02").unwrap();
        let first = MilestoneDate::parse("2026-08-01").unwrap();
        let month = MilestoneDate::parse("2026-08").unwrap();
        let quarter = MilestoneDate::parse("2027-T1").unwrap();
        assert_eq!(day.text(Lang::Fr), "2 août 2026");
        assert_eq!(first.text(Lang::Fr), "1er août 2026");
        assert_eq!(month.text(Lang::Fr), "août 2026");
        assert_eq!(quarter.text(Lang::Fr), "1er trimestre 2027");
        assert_eq!(
            MilestoneDate::parse("2027-T3").unwrap().text(Lang::Fr),
            "3e trimestre 2027"
        );
        assert_eq!(month.text(Lang::En), "August 2026");
        assert_eq!(quarter.text(Lang::En), "Q1 2027");
    }

    #[test]
    fn the_countdown_counts_days_and_says_when_only_the_month_is_known() {
        let today = date!(2026 - 07 - 31);
        let day = MilestoneDate::parse("2026-08-02").unwrap();
        assert_eq!(day.countdown(today, Lang::Fr).unwrap(), "dans 2 jours");
        assert_eq!(
            day.countdown(date!(2026 - 08 - 01), Lang::Fr).unwrap(),
            "demain"
        );
        assert_eq!(
            day.countdown(date!(2026 - 08 - 02), Lang::En).unwrap(),
            "today"
        );
        assert_eq!(day.countdown(date!(2026 - 08 - 03), Lang::Fr), None);
        let month = MilestoneDate::parse("2026-09").unwrap();
        assert_eq!(
            month.countdown(today, Lang::Fr).unwrap(),
            "dans 32 jours au moins"
        );
        assert!(month.countdown(date!(2026 - 09 - 15), Lang::Fr).is_some());
        assert!(month.is_coming(date!(2026 - 09 - 30)));
        assert!(!month.is_coming(date!(2026 - 10 - 01)));
    }

    #[test]
    fn a_change_reads_as_what_happened() {
        let from = MilestoneDate::parse("2026-02-01").unwrap();
        let to = MilestoneDate::parse("2026-06-30").unwrap();
        let moved = Change::Moved {
            label: "Entrée en application".to_owned(),
            from,
            to,
        };
        assert_eq!(
            moved.text(Lang::Fr),
            "« Entrée en application » : date repoussée du 1er février 2026 au 30 juin 2026."
        );
        let back = Change::Moved {
            label: "X".to_owned(),
            from: to,
            to: from,
        };
        assert!(back.text(Lang::Fr).contains("date avancée"));
        assert!(
            back.text(Lang::En)
                .contains("brought forward from June 30, 2026")
        );
        let vague = Change::Moved {
            label: "X".to_owned(),
            from: MilestoneDate::parse("2026-08").unwrap(),
            to: MilestoneDate::parse("2026-08-01").unwrap(),
        };
        assert_eq!(
            vague.text(Lang::Fr),
            "« X » : date précisée d’août 2026 au 1er août 2026."
        );
        // The precision changes: compared by the days each may fall on.
        let read = |from: &str, to: &str| {
            Change::Moved {
                label: "X".to_owned(),
                from: MilestoneDate::parse(from).unwrap(),
                to: MilestoneDate::parse(to).unwrap(),
            }
            .text(Lang::Fr)
        };
        assert!(read("2026-08", "2026-08-15").contains("date précisée d’août 2026 au 15 août"));
        assert!(read("2026-08-02", "2026-T3").contains("date rendue moins précise"));
        assert!(read("2026-08-01", "2026-08").contains("date rendue moins précise"));
        assert!(read("2026-08", "2026-09-15").contains("date repoussée"));
        assert!(read("2026-T3", "2026-06-30").contains("date avancée"));
        let later = Change::Moved {
            label: "X".to_owned(),
            from: MilestoneDate::parse("2026-08-02").unwrap(),
            to: MilestoneDate::parse("2027-12").unwrap(),
        };
        assert_eq!(
            later.text(Lang::Fr),
            "« X » : date repoussée du 2 août 2026 à décembre 2027."
        );
        let status = Change::Status {
            from: Some(RegulationStatus::Adopted),
            to: RegulationStatus::InForce,
        };
        assert_eq!(status.text(Lang::Fr), "Statut : texte adopté → en vigueur.");
    }

    #[test]
    fn official_links_are_web_addresses() {
        assert_eq!(web_address("  "), Some(""));
        assert_eq!(
            web_address(" https://eur-lex.europa.eu/eli/reg/2024/1689/oj "),
            Some("https://eur-lex.europa.eu/eli/reg/2024/1689/oj")
        );
        for bad in [
            "javascript:alert(1)",
            "eur-lex.europa.eu",
            "https://",
            "https://a b",
            "ftp://x",
            "https://x/\"<",
        ] {
            assert_eq!(web_address(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn every_closed_list_parses_back_and_has_its_words() {
        for v in LegalForm::ALL {
            assert_eq!(LegalForm::parse(v.as_str()), Some(*v));
        }
        for v in RegulationStatus::ALL {
            assert_eq!(RegulationStatus::parse(v.as_str()), Some(*v));
            assert!(v.legal_force().starts_with("https://schema.org/"));
        }
        for v in AiUse::ALL {
            assert_eq!(AiUse::parse(v.as_str()), Some(*v));
            assert_eq!(v.disclosure(Lang::Fr).is_none(), *v == AiUse::None);
        }
        assert_eq!(Precision::parse("week"), None);
    }
}

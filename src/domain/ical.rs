//! iCalendar (RFC 5545) files of all-day events, for the deadline calendars readers subscribe
//! to: text escaped, lines folded at 75 octets, CRLF line ends.

use std::fmt::Write as _;

use time::{Date, OffsetDateTime};

/// One all-day event.
#[derive(Debug, Clone)]
pub struct Event {
    /// Stable across updates, so that a calendar replaces the event rather than adding one.
    pub uid: String,
    /// Grows each time the event's date changes (RFC 5545's `SEQUENCE`).
    pub sequence: u32,
    pub summary: String,
    pub description: String,
    pub url: String,
    pub start: Date,
    /// The day after the last: all-day events end exclusively.
    pub end: Date,
    pub modified: OffsetDateTime,
    /// `day`, `month` or `quarter`: how much of the date is known (`X-VIGIE-PRECISION`).
    pub precision: &'static str,
    pub categories: Vec<String>,
}

/// A calendar: its name, its address, its events.
#[derive(Debug, Clone)]
pub struct Calendar {
    pub name: String,
    pub description: String,
    pub url: String,
    pub events: Vec<Event>,
}

impl Calendar {
    /// The `.ics` file; `now` is the time it is written (`DTSTAMP`).
    pub fn to_ics(&self, now: OffsetDateTime) -> String {
        let mut out = String::new();
        line(&mut out, "BEGIN:VCALENDAR");
        line(&mut out, "VERSION:2.0");
        line(&mut out, "PRODID:-//Vigie//Calendrier des échéances//FR");
        line(&mut out, "CALSCALE:GREGORIAN");
        line(&mut out, "METHOD:PUBLISH");
        line(&mut out, &format!("NAME:{}", text(&self.name)));
        line(&mut out, &format!("X-WR-CALNAME:{}", text(&self.name)));
        line(
            &mut out,
            &format!("DESCRIPTION:{}", text(&self.description)),
        );
        line(&mut out, &format!("URL:{}", uri(&self.url)));
        line(&mut out, "REFRESH-INTERVAL;VALUE=DURATION:PT12H");
        line(&mut out, "X-PUBLISHED-TTL:PT12H");
        for e in &self.events {
            line(&mut out, "BEGIN:VEVENT");
            line(&mut out, &format!("UID:{}", text(&e.uid)));
            line(&mut out, &format!("DTSTAMP:{}", stamp(now)));
            line(&mut out, &format!("LAST-MODIFIED:{}", stamp(e.modified)));
            line(&mut out, &format!("SEQUENCE:{}", e.sequence));
            line(&mut out, &format!("DTSTART;VALUE=DATE:{}", day(e.start)));
            line(&mut out, &format!("DTEND;VALUE=DATE:{}", day(e.end)));
            line(&mut out, &format!("SUMMARY:{}", text(&e.summary)));
            if !e.description.is_empty() {
                line(&mut out, &format!("DESCRIPTION:{}", text(&e.description)));
            }
            if !e.categories.is_empty() {
                let list: Vec<String> = e.categories.iter().map(|c| text(c)).collect();
                line(&mut out, &format!("CATEGORIES:{}", list.join(",")));
            }
            line(&mut out, &format!("URL:{}", uri(&e.url)));
            // Free time: a deadline does not make anyone busy all day.
            line(&mut out, "TRANSP:TRANSPARENT");
            line(&mut out, &format!("X-VIGIE-PRECISION:{}", e.precision));
            line(&mut out, "END:VEVENT");
        }
        line(&mut out, "END:VCALENDAR");
        out
    }
}

/// A TEXT value: backslash, semicolon, comma and line ends escaped (RFC 5545 §3.3.11).
fn text(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// A URI value: not escaped like text (a `,` stays a `,`), only cleared of line ends and other
/// control characters, which would break the line.
fn uri(value: &str) -> String {
    value.chars().filter(|c| !c.is_control()).collect()
}

fn day(date: Date) -> String {
    format!(
        "{:04}{:02}{:02}",
        date.year(),
        u8::from(date.month()),
        date.day()
    )
}

fn stamp(at: OffsetDateTime) -> String {
    let at = at.to_offset(time::UtcOffset::UTC);
    format!(
        "{}T{:02}{:02}{:02}Z",
        day(at.date()),
        at.hour(),
        at.minute(),
        at.second()
    )
}

/// Writes one content line, folded so that no line is longer than 75 octets (a fold never
/// splits a character), ended by CRLF.
fn line(out: &mut String, content: &str) {
    let mut width = 0;
    for c in content.chars() {
        let len = c.len_utf8();
        if width + len > 75 {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(c);
        width += len;
    }
    let _ = out.write_str("\r\n");
}

#[cfg(test)]
mod tests {
    use time::macros::{date, datetime};

    use super::*;

    fn calendar(summary: &str) -> String {
        Calendar {
            name: "Échéances".to_owned(),
            description: "Tout".to_owned(),
            url: "https://vigie.example/regulations".to_owned(),
            events: vec![Event {
                uid: "abc@vigie.example".to_owned(),
                sequence: 2,
                summary: summary.to_owned(),
                description: "Ligne 1\nLigne 2".to_owned(),
                url: "https://vigie.example/regulations/ai-act".to_owned(),
                start: date!(2026 - 08 - 02),
                end: date!(2026 - 08 - 03),
                modified: datetime!(2026-11-19 10:00 UTC),
                precision: "day",
                categories: vec!["Union européenne".to_owned()],
            }],
        }
        .to_ics(datetime!(2026-12-06 09:00:05 UTC))
    }

    #[test]
    fn an_event_is_all_day_with_its_stable_uid_and_escaped_text() {
        let ics = calendar("AI Act; règles, générales");
        assert!(ics.starts_with("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n"));
        assert!(ics.ends_with("END:VCALENDAR\r\n"));
        assert!(ics.contains("\r\nUID:abc@vigie.example\r\n"));
        assert!(ics.contains("\r\nDTSTART;VALUE=DATE:20260802\r\nDTEND;VALUE=DATE:20260803\r\n"));
        assert!(ics.contains("\r\nSUMMARY:AI Act\\; règles\\, générales\r\n"));
        assert!(ics.contains("\r\nDESCRIPTION:Ligne 1\\nLigne 2\r\n"));
        assert!(ics.contains("\r\nDTSTAMP:20261206T090005Z\r\n"));
        assert!(ics.contains("\r\nSEQUENCE:2\r\n"));
        assert!(
            !ics.replace("\r\n", "").contains('\n'),
            "only CRLF line ends"
        );
    }

    #[test]
    fn long_lines_fold_at_75_octets_without_splitting_a_character() {
        let ics = calendar(&"é".repeat(100));
        for l in ics.split("\r\n") {
            assert!(l.len() <= 75, "{l:?} is {} octets", l.len());
        }
        let unfolded = ics.replace("\r\n ", "");
        assert!(unfolded.contains(&format!("SUMMARY:{}", "é".repeat(100))));
    }
}

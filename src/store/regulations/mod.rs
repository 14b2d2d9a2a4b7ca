//! Regulations, their milestones and their public history, and the jurisdictions they belong
//! to. `public.rs` is what readers see (only published regulations, through the
//! `public_regulation` view, and only public articles); `desk.rs` is the newsroom's reads and
//! writes, where every change of a published regulation's dates or status is written to its
//! history in the same transaction.

pub mod desk;
pub mod milestones;
pub mod public;

use time::{Date, OffsetDateTime};
use uuid::Uuid;

use crate::domain::regulation::{Change, MilestoneDate, Precision, RegulationStatus};

/// One milestone of a regulation.
#[derive(Debug, Clone)]
pub struct Milestone {
    pub id: Uuid,
    pub regulation_id: Uuid,
    pub on_date: Date,
    pub precision: Precision,
    pub label: String,
    pub applies: String,
    pub source_url: String,
    pub updated_at: OffsetDateTime,
    /// How many times its date was moved since the regulation was published: the calendar
    /// event's `SEQUENCE`.
    pub moves: i64,
}

impl Milestone {
    pub fn date(&self) -> MilestoneDate {
        MilestoneDate::new(self.on_date, self.precision)
    }
}

/// One entry of a regulation's history, as stored.
#[derive(Debug, Clone)]
pub struct HistoryRow {
    pub id: i64,
    pub regulation_slug: String,
    pub regulation_name: String,
    pub kind: String,
    pub label: String,
    pub from_date: Option<Date>,
    pub from_precision: Option<Precision>,
    pub to_date: Option<Date>,
    pub to_precision: Option<Precision>,
    pub from_status: Option<RegulationStatus>,
    pub to_status: Option<RegulationStatus>,
    pub note: String,
    pub source_url: String,
    pub noted_at: OffsetDateTime,
}

impl HistoryRow {
    /// What happened, or `None` for a row the code cannot read (never written so).
    pub fn change(&self) -> Option<Change> {
        let date = |d: Option<Date>, p: Option<Precision>| Some(MilestoneDate::new(d?, p?));
        let label = self.label.clone();
        Some(match self.kind.as_str() {
            "status" => Change::Status {
                from: self.from_status,
                to: self.to_status?,
            },
            "milestone_added" => Change::Added {
                label,
                to: date(self.to_date, self.to_precision)?,
            },
            "milestone_moved" => Change::Moved {
                label,
                from: date(self.from_date, self.from_precision)?,
                to: date(self.to_date, self.to_precision)?,
            },
            "milestone_removed" => Change::Removed {
                label,
                from: date(self.from_date, self.from_precision)?,
            },
            _ => return None,
        })
    }
}

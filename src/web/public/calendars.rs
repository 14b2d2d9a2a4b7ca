//! What readers subscribe to: the deadline calendars (`.ics`: every public milestone, of one
//! regulation or of one jurisdiction) and the Atom feed of changes to regulations.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use super::regulations::{HistoryItem, history};
use crate::domain::Slug;
use crate::domain::ical::{Calendar, Event};
use crate::domain::regulation::Precision;
use crate::store::regulations::public::{self, Dated};
use crate::web::{AppError, AppState};

/// The most milestones a calendar carries.
const EVENTS: i64 = 5000;
/// The most changes the Atom feed carries.
const CHANGES: i64 = 50;

/// The site's host, for calendar UIDs: `vigie.example` of `https://vigie.example`.
fn host(base_url: &str) -> &str {
    base_url
        .split_once("://")
        .map_or(base_url, |(_, rest)| rest)
        .split(['/', ':'])
        .next()
        .unwrap_or("vigie")
}

fn calendar(state: &AppState, name: String, url: String, rows: Vec<Dated>) -> Response {
    let lang = state.config.lang;
    let t = state.words();
    let base = &state.config.base_url;
    let events = rows
        .into_iter()
        .map(|d| {
            let date = d.date();
            let regulation = if d.regulation_short_name.is_empty() {
                d.regulation_name.clone()
            } else {
                d.regulation_short_name.clone()
            };
            let mut summary = format!("{regulation} — {}", d.label);
            let mut description = d.applies.clone();
            if d.precision != Precision::Day {
                // Shown on the first day of its month or quarter, and said so.
                summary.push_str(&format!(" ({}, {})", date.text(lang), t.day_unknown));
            }
            if !d.source_url.is_empty() {
                if !description.is_empty() {
                    description.push_str("\n\n");
                }
                description.push_str(&format!("{}{}{}", t.source, t.colon, d.source_url));
            }
            Event {
                uid: format!("{}@{}", d.id, host(base)),
                sequence: u32::try_from(d.moves).unwrap_or(u32::MAX),
                summary,
                description,
                url: format!("{base}/regulations/{}", d.regulation_slug),
                start: d.on_date,
                end: d.on_date.next_day().unwrap_or(d.on_date),
                modified: d.updated_at,
                precision: d.precision.as_str(),
                categories: vec![d.jurisdiction_name.clone(), regulation],
            }
        })
        .collect();
    let ics = Calendar {
        name,
        description: t.calendar_description.to_owned(),
        url,
        events,
    }
    .to_ics(OffsetDateTime::now_utc());
    (
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/calendar; charset=utf-8"),
        )],
        ics,
    )
        .into_response()
}

/// `/regulations/calendar.ics`: every milestone of every public regulation.
pub async fn regulations_calendar(State(state): State<AppState>) -> Result<Response, AppError> {
    let rows = public::dated(&state.reads(), None, None, None, EVENTS).await?;
    let url = format!("{}/regulations", state.config.base_url);
    Ok(calendar(
        &state,
        state.words().calendar_name.to_owned(),
        url,
        rows,
    ))
}

/// `/regulations/{slug}/calendar.ics`
pub async fn regulation_calendar(
    State(state): State<AppState>,
    Path(slug): Path<String>,
) -> Result<Response, AppError> {
    let slug = Slug::parse(&slug).map_err(|_| AppError::NotFound)?;
    let hub = public::by_slug(&state.reads(), &slug)
        .await?
        .ok_or(AppError::NotFound)?;
    let rows = public::dated(&state.reads(), Some(hub.id), None, None, EVENTS).await?;
    let url = format!("{}/regulations/{}", state.config.base_url, hub.slug);
    Ok(calendar(&state, format!("Vigie — {}", hub.name), url, rows))
}

/// `/jurisdictions/{slug}/calendar.ics`
pub async fn jurisdiction_calendar(
    State(state): State<AppState>,
    Path(slug): Path<String>,
) -> Result<Response, AppError> {
    let slug = Slug::parse(&slug).map_err(|_| AppError::NotFound)?;
    let place = public::jurisdiction(&state.reads(), &slug)
        .await?
        .ok_or(AppError::NotFound)?;
    let rows = public::dated(&state.reads(), None, Some(place.id), None, EVENTS).await?;
    let url = format!("{}/jurisdictions/{}", state.config.base_url, place.slug);
    Ok(calendar(
        &state,
        format!("Vigie — {}", place.name),
        url,
        rows,
    ))
}

#[derive(Template)]
#[template(path = "public/changes.atom.xml")]
pub struct ChangesFeed {
    lang: &'static str,
    title: &'static str,
    base: String,
    updated: String,
    entries: Vec<HistoryItem>,
}

/// `/regulations/changes.atom`: the history of every public regulation, newest first.
pub async fn regulation_changes(State(state): State<AppState>) -> Result<Response, AppError> {
    let entries = history(&state, None, CHANGES).await?;
    let updated = entries.first().map_or_else(
        || {
            state
                .cache
                .clock()
                .map(OffsetDateTime::from)
                .unwrap_or(OffsetDateTime::UNIX_EPOCH)
                .format(&Rfc3339)
                .unwrap_or_default()
        },
        |e| e.when.iso.clone(),
    );
    let feed = ChangesFeed {
        lang: state.config.lang.as_str(),
        title: state.words().changes_title,
        base: state.config.base_url.clone(),
        updated,
        entries,
    };
    Ok((
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/atom+xml; charset=utf-8"),
        )],
        feed.render()?,
    )
        .into_response())
}

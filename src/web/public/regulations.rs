//! The regulation tracker for readers: `/regulations` (by jurisdiction, with a status filter),
//! a regulation's hub (status, timeline, history, articles, schema.org `Legislation`), a
//! jurisdiction's page, and the pieces other pages show (the home page's coming deadlines, an
//! article's boxes). The calendars and the feed of changes are in `calendars.rs`.

use std::collections::HashMap;

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query, State};
use time::format_description::well_known::Rfc3339;
use time::{Date, OffsetDateTime};
use uuid::Uuid;

use super::When;
use super::listing::{Card, Listing, cards};
use crate::domain::Slug;
use crate::domain::regulation::{MilestoneDate, Precision, RegulationStatus};
use crate::store::articles::sections;
use crate::store::regulations::public::{self, Hub, Listed, Place, Scope};
use crate::web::{AppError, AppState, Page};

/// How many articles a hub or a jurisdiction page lists.
const ARTICLES: i64 = 10;

impl AppState {
    /// Today on the newsroom's calendar: what is "coming" and "past" is decided by it.
    pub(in crate::web) fn today(&self) -> Date {
        self.local_time(OffsetDateTime::now_utc()).date()
    }
}

/// A regulation in a list or a box: its status and its next milestone.
pub struct Item {
    pub id: Uuid,
    pub slug: String,
    pub name: String,
    pub jurisdiction_slug: String,
    pub jurisdiction_name: String,
    pub status: RegulationStatus,
    pub status_label: &'static str,
    pub form_label: &'static str,
    /// Date in words, label, countdown.
    pub next: Option<(String, String, String)>,
}

fn items(state: &AppState, rows: Vec<Listed>) -> Vec<Item> {
    let lang = state.config.lang;
    let today = state.today();
    rows.into_iter()
        .map(|r| Item {
            next: r.next().map(|(date, label)| {
                (
                    date.text(lang),
                    label.to_owned(),
                    date.countdown(today, lang).unwrap_or_default(),
                )
            }),
            status_label: r.status.label(lang),
            form_label: r.legal_form.label(lang),
            status: r.status,
            id: r.id,
            slug: r.slug,
            name: r.name,
            jurisdiction_slug: r.jurisdiction_slug,
            jurisdiction_name: r.jurisdiction_name,
        })
        .collect()
}

/// The boxes an article page shows, one per regulation it is about (it carries its tag).
pub(super) async fn boxes(state: &AppState, tag_ids: &[Uuid]) -> Result<Vec<Item>, AppError> {
    if tag_ids.is_empty() {
        return Ok(Vec::new());
    }
    let scope = Scope {
        tags: Some(tag_ids),
        ..Scope::default()
    };
    let rows = public::listed(&state.reads(), state.today(), scope).await?;
    Ok(items(state, rows))
}

/// A coming deadline, for the home page.
pub struct Coming {
    pub regulation_slug: String,
    pub regulation: String,
    pub label: String,
    pub when: String,
    pub iso: String,
    pub countdown: String,
}

/// The home page's coming deadlines, as its statement read them.
pub(super) fn coming(state: &AppState, deadlines: Vec<sections::Deadline>) -> Vec<Coming> {
    let lang = state.config.lang;
    let today = state.today();
    let day = time::macros::format_description!("[year]-[month]-[day]");
    deadlines
        .into_iter()
        .filter_map(|d| {
            let on = Date::parse(&d.on_date, day).ok()?;
            let date = MilestoneDate::new(on, Precision::parse(&d.precision)?);
            Some(Coming {
                when: date.text(lang),
                iso: on.to_string(),
                countdown: date.countdown(today, lang).unwrap_or_default(),
                regulation: if d.regulation_short_name.is_empty() {
                    d.regulation_name
                } else {
                    d.regulation_short_name
                },
                regulation_slug: d.regulation_slug,
                label: d.label,
            })
        })
        .collect()
}

/// A group of the index: one jurisdiction's regulations.
pub struct Group {
    pub slug: String,
    pub name: String,
    pub items: Vec<Item>,
}

#[derive(Template, WebTemplate)]
#[template(path = "public/regulations.html")]
pub struct IndexTemplate {
    page: Page,
    groups: Vec<Group>,
    /// (value, label, chosen)
    statuses: Vec<(&'static str, &'static str, bool)>,
}

/// `/regulations?status=…`
pub async fn regulations(
    State(state): State<AppState>,
    Query(query): Query<HashMap<String, String>>,
) -> Result<IndexTemplate, AppError> {
    let lang = state.config.lang;
    // An unknown status filters nothing: every regulation is listed.
    let wanted = query
        .get("status")
        .and_then(|s| RegulationStatus::parse(s.trim()));
    let rows = public::listed(&state.reads(), state.today(), Scope::default()).await?;
    let mut groups: Vec<Group> = Vec::new();
    for item in items(&state, rows) {
        if wanted.is_some_and(|w| w != item.status) {
            continue;
        }
        match groups.last_mut() {
            Some(g) if g.slug == item.jurisdiction_slug => g.items.push(item),
            _ => groups.push(Group {
                slug: item.jurisdiction_slug.clone(),
                name: item.jurisdiction_name.clone(),
                items: vec![item],
            }),
        }
    }
    let t = state.words();
    let mut page = state.page(format!("{} — Vigie", t.regulations));
    page.description = t.regulations_intro.to_owned();
    page.canonical = Some(format!("{}/regulations", state.config.base_url));
    Ok(IndexTemplate {
        page,
        groups,
        statuses: RegulationStatus::ALL
            .iter()
            .map(|s| (s.as_str(), s.label(lang), wanted == Some(*s)))
            .collect(),
    })
}

/// A milestone on a hub's timeline.
pub struct Step {
    pub id: Uuid,
    pub when: String,
    pub iso: String,
    pub approximate: bool,
    pub label: String,
    pub applies: String,
    pub source_url: String,
    pub past: bool,
    /// The first one still to come.
    pub next: bool,
    pub countdown: String,
}

/// An entry of a regulation's public history.
pub struct HistoryItem {
    pub id: i64,
    pub when: When,
    pub text: String,
    pub note: String,
    pub source_url: String,
    pub regulation_slug: String,
    pub regulation_name: String,
}

pub(super) async fn history(
    state: &AppState,
    regulation: Option<Uuid>,
    limit: i64,
) -> Result<Vec<HistoryItem>, AppError> {
    let lang = state.config.lang;
    Ok(public::history(&state.reads(), regulation, limit)
        .await?
        .into_iter()
        .filter_map(|h| {
            Some(HistoryItem {
                text: h.change()?.text(lang),
                when: state.when(h.noted_at),
                id: h.id,
                note: h.note,
                source_url: h.source_url,
                regulation_slug: h.regulation_slug,
                regulation_name: h.regulation_name,
            })
        })
        .collect())
}

#[derive(Template, WebTemplate)]
#[template(path = "public/regulation.html")]
pub struct HubTemplate {
    page: Page,
    hub: Hub,
    status_label: &'static str,
    form_label: &'static str,
    adopted: Option<String>,
    timeline: Vec<Step>,
    history: Vec<HistoryItem>,
    listing: Listing,
    json_ld: String,
}

/// schema.org `Legislation` for search engines.
fn legislation(state: &AppState, hub: &Hub, timeline: &[Step]) -> String {
    let lang = state.config.lang;
    let url = format!("{}/regulations/{}", state.config.base_url, hub.slug);
    let mut ld = serde_json::json!({
        "@context": "https://schema.org",
        "@type": "Legislation",
        "name": hub.name,
        "url": url,
        "mainEntityOfPage": url,
        "inLanguage": lang.as_str(),
        "legislationJurisdiction": { "@type": "AdministrativeArea", "name": hub.jurisdiction_name },
        "legislationType": hub.legal_form.label(lang),
        "legislationLegalForce": hub.status.legal_force(),
        "dateModified": hub.updated_at.format(&Rfc3339).unwrap_or_default(),
    });
    if !hub.short_name.is_empty() {
        ld["alternateName"] = serde_json::json!(hub.short_name);
    }
    if !hub.official_title.is_empty() {
        ld["description"] = serde_json::json!(hub.official_title);
    }
    if !hub.identifier.is_empty() {
        ld["legislationIdentifier"] = serde_json::json!(hub.identifier);
    }
    if let Some(adopted) = hub.adopted_on {
        ld["legislationDate"] = serde_json::json!(adopted.to_string());
    }
    let mut same_as: Vec<&str> = [hub.official_url.as_str(), hub.legislature_url.as_str()]
        .into_iter()
        .filter(|u| !u.is_empty())
        .collect();
    same_as.dedup();
    if !same_as.is_empty() {
        ld["sameAs"] = serde_json::json!(same_as);
    }
    if !timeline.is_empty() {
        ld["temporalCoverage"] = serde_json::json!(format!(
            "{}/{}",
            timeline.first().map_or("", |s| s.iso.as_str()),
            timeline.last().map_or("", |s| s.iso.as_str())
        ));
    }
    // Inside <script>, "</script>" in a name would end the block: < is written as \u003c.
    ld.to_string().replace('<', "\\u003c")
}

/// `/regulations/{slug}`: a regulation's hub.
pub async fn regulation(
    State(state): State<AppState>,
    Path(slug): Path<String>,
) -> Result<HubTemplate, AppError> {
    let slug = Slug::parse(&slug).map_err(|_| AppError::NotFound)?;
    let hub = public::by_slug(&state.reads(), &slug)
        .await?
        .ok_or(AppError::NotFound)?;
    let lang = state.config.lang;
    let today = state.today();
    let mut next_seen = false;
    let timeline: Vec<Step> = public::milestones(&state.reads(), hub.id)
        .await?
        .into_iter()
        .map(|m| {
            let date = m.date();
            let past = !date.is_coming(today);
            let next = !past && !next_seen;
            next_seen |= next;
            Step {
                id: m.id,
                when: date.text(lang),
                iso: m.on_date.to_string(),
                approximate: m.precision != Precision::Day,
                countdown: date.countdown(today, lang).unwrap_or_default(),
                label: m.label,
                applies: m.applies,
                source_url: m.source_url,
                past,
                next,
            }
        })
        .collect();
    let history = history(&state, Some(hub.id), 200).await?;
    let articles = match hub.tag_id {
        Some(tag) => public::articles_about(&state.reads(), &[tag], ARTICLES).await?,
        None => Vec::new(),
    };
    let listing = Listing {
        cards: cards(&state, articles).await?,
        older: None,
        paged: false,
    };
    let json_ld = legislation(&state, &hub, &timeline);
    let mut page = state.page(format!("{} — Vigie", hub.name));
    page.description = if hub.official_title.is_empty() {
        hub.name.clone()
    } else {
        hub.official_title.clone()
    };
    page.canonical = Some(format!(
        "{}/regulations/{}",
        state.config.base_url, hub.slug
    ));
    Ok(HubTemplate {
        page,
        status_label: hub.status.label(lang),
        form_label: hub.legal_form.label(lang),
        adopted: hub.adopted_on.map(|d| crate::domain::format_date(d, lang)),
        hub,
        timeline,
        history,
        listing,
        json_ld,
    })
}

#[derive(Template, WebTemplate)]
#[template(path = "public/jurisdiction.html")]
pub struct JurisdictionTemplate {
    page: Page,
    place: Place,
    items: Vec<Item>,
    listing: Listing,
}

/// `/jurisdictions/{slug}`: a jurisdiction's regulations and the articles about it.
pub async fn jurisdiction(
    State(state): State<AppState>,
    Path(slug): Path<String>,
) -> Result<JurisdictionTemplate, AppError> {
    let slug = Slug::parse(&slug).map_err(|_| AppError::NotFound)?;
    let place = public::jurisdiction(&state.reads(), &slug)
        .await?
        .ok_or(AppError::NotFound)?;
    let scope = Scope {
        jurisdiction: Some(place.id),
        ..Scope::default()
    };
    let items = items(
        &state,
        public::listed(&state.reads(), state.today(), scope).await?,
    );
    let tags = public::jurisdiction_tags(&state.reads(), &place).await?;
    let cards: Vec<Card> = cards(
        &state,
        public::articles_about(&state.reads(), &tags, ARTICLES).await?,
    )
    .await?;
    let mut page = state.page(format!("{} — Vigie", place.name));
    page.canonical = Some(format!(
        "{}/jurisdictions/{}",
        state.config.base_url, place.slug
    ));
    Ok(JurisdictionTemplate {
        page,
        place,
        items,
        listing: Listing {
            cards,
            older: None,
            paged: false,
        },
    })
}

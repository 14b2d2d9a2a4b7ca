//! `/api/v1/regulations`: the tracker's public regulations, with their milestones and the
//! history of their changes.

use axum::Json;
use axum::extract::{Path, State};
use serde::Serialize;
use time::OffsetDateTime;
use utoipa::ToSchema;

use super::ApiError;
use crate::domain::Slug;
use crate::store::regulations::HistoryRow;
use crate::store::regulations::public::{self, Scope};
use crate::web::AppState;

/// The next milestone of a regulation, or one of its milestones.
#[derive(Debug, Serialize, ToSchema)]
pub struct ApiMilestone {
    /// Stable: the calendar event's UID is built from it.
    pub id: String,
    /// The day, or the first day of the month or quarter (see `precision`).
    pub date: String,
    /// `day`, `month` or `quarter`: how much of the date is known.
    pub precision: String,
    /// The last day it may fall on.
    pub ends: String,
    pub label: String,
    /// What applies from then.
    pub applies: String,
    pub source_url: String,
}

/// A regulation in the list.
#[derive(Debug, Serialize, ToSchema)]
pub struct ApiRegulationSummary {
    pub slug: String,
    pub name: String,
    pub short_name: String,
    pub url: String,
    pub jurisdiction: ApiJurisdiction,
    /// regulation, directive, law, bill, executive_order, guidance or standard.
    pub legal_form: String,
    /// proposed, in_negotiation, adopted, in_force, partly_applicable, fully_applicable,
    /// repealed or withdrawn.
    pub status: String,
    pub next_milestone: Option<ApiNext>,
}

/// The next milestone, as lists give it.
#[derive(Debug, Serialize, ToSchema)]
pub struct ApiNext {
    pub date: String,
    pub precision: String,
    pub label: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ApiJurisdiction {
    pub slug: String,
    pub name: String,
    pub url: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RegulationList {
    pub regulations: Vec<ApiRegulationSummary>,
}

/// One change of dates or status, as the public history shows it.
#[derive(Debug, Serialize, ToSchema)]
pub struct ApiChange {
    /// status, milestone_added, milestone_moved or milestone_removed.
    pub kind: String,
    /// The sentence the site shows.
    pub text: String,
    /// The milestone's label (empty for a status change).
    pub label: String,
    pub from_date: Option<String>,
    pub from_precision: Option<String>,
    pub to_date: Option<String>,
    pub to_precision: Option<String>,
    pub from_status: Option<String>,
    pub to_status: Option<String>,
    pub note: String,
    pub source_url: String,
    #[serde(with = "time::serde::rfc3339")]
    pub noted_at: OffsetDateTime,
}

/// One regulation in full.
#[derive(Debug, Serialize, ToSchema)]
pub struct ApiRegulation {
    pub slug: String,
    pub name: String,
    pub short_name: String,
    pub official_title: String,
    pub identifier: String,
    pub url: String,
    pub calendar_url: String,
    pub jurisdiction: ApiJurisdiction,
    pub legal_form: String,
    pub status: String,
    /// Adopted or signed on (YYYY-MM-DD).
    pub adopted_on: Option<String>,
    pub official_url: String,
    pub legislature_url: String,
    /// The summary as sanitised HTML.
    pub summary_html: String,
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
    pub milestones: Vec<ApiMilestone>,
    /// Newest first.
    pub history: Vec<ApiChange>,
}

fn jurisdiction(base: &str, slug: String, name: String) -> ApiJurisdiction {
    ApiJurisdiction {
        url: format!("{base}/jurisdictions/{slug}"),
        slug,
        name,
    }
}

/// Every public regulation, by jurisdiction then name, with its next milestone.
#[utoipa::path(
    get,
    path = "/api/v1/regulations",
    tag = "regulations",
    responses((status = 200, description = "The regulations", body = RegulationList))
)]
pub async fn list_regulations(
    State(state): State<AppState>,
) -> Result<Json<RegulationList>, ApiError> {
    let base = &state.config.base_url;
    let rows = public::listed(&state.reads(), state.today(), Scope::default()).await?;
    Ok(Json(RegulationList {
        regulations: rows
            .into_iter()
            .map(|r| ApiRegulationSummary {
                next_milestone: r.next().map(|(date, label)| ApiNext {
                    date: date.on().to_string(),
                    precision: date.precision().as_str().to_owned(),
                    label: label.to_owned(),
                }),
                url: format!("{base}/regulations/{}", r.slug),
                jurisdiction: jurisdiction(base, r.jurisdiction_slug, r.jurisdiction_name),
                legal_form: r.legal_form.as_str().to_owned(),
                status: r.status.as_str().to_owned(),
                slug: r.slug,
                name: r.name,
                short_name: r.short_name,
            })
            .collect(),
    }))
}

fn change(state: &AppState, h: HistoryRow) -> Option<ApiChange> {
    let text = h.change()?.text(state.config.lang);
    Some(ApiChange {
        text,
        kind: h.kind,
        label: h.label,
        from_date: h.from_date.map(|d| d.to_string()),
        from_precision: h.from_precision.map(|p| p.as_str().to_owned()),
        to_date: h.to_date.map(|d| d.to_string()),
        to_precision: h.to_precision.map(|p| p.as_str().to_owned()),
        from_status: h.from_status.map(|s| s.as_str().to_owned()),
        to_status: h.to_status.map(|s| s.as_str().to_owned()),
        note: h.note,
        source_url: h.source_url,
        noted_at: h.noted_at,
    })
}

/// One public regulation with every milestone and its history.
#[utoipa::path(
    get,
    path = "/api/v1/regulations/{slug}",
    tag = "regulations",
    params(("slug" = String, Path, description = "The regulation's slug")),
    responses(
        (status = 200, description = "The regulation", body = ApiRegulation),
        (status = 404, description = "No public regulation has this slug", body = super::ErrorBody, content_type = "application/problem+json"),
    )
)]
pub async fn regulation(
    State(state): State<AppState>,
    Path(slug): Path<String>,
) -> Result<Json<ApiRegulation>, ApiError> {
    let missing = ApiError::NotFound("No public regulation has this slug.");
    let slug = Slug::parse(&slug).map_err(|_| missing)?;
    let hub = public::by_slug(&state.reads(), &slug)
        .await?
        .ok_or(ApiError::NotFound("No public regulation has this slug."))?;
    let base = &state.config.base_url;
    let milestones = public::milestones(&state.reads(), hub.id)
        .await?
        .into_iter()
        .map(|m| ApiMilestone {
            id: m.id.to_string(),
            date: m.on_date.to_string(),
            precision: m.precision.as_str().to_owned(),
            ends: m.date().ends().to_string(),
            label: m.label,
            applies: m.applies,
            source_url: m.source_url,
        })
        .collect();
    let history = public::history(&state.reads(), Some(hub.id), 500)
        .await?
        .into_iter()
        .filter_map(|h| change(&state, h))
        .collect();
    Ok(Json(ApiRegulation {
        url: format!("{base}/regulations/{}", hub.slug),
        calendar_url: format!("{base}/regulations/{}/calendar.ics", hub.slug),
        jurisdiction: jurisdiction(base, hub.jurisdiction_slug, hub.jurisdiction_name),
        legal_form: hub.legal_form.as_str().to_owned(),
        status: hub.status.as_str().to_owned(),
        adopted_on: hub.adopted_on.map(|d| d.to_string()),
        slug: hub.slug,
        name: hub.name,
        short_name: hub.short_name,
        official_title: hub.official_title,
        identifier: hub.identifier,
        official_url: hub.official_url,
        legislature_url: hub.legislature_url,
        summary_html: hub.summary_html,
        updated_at: hub.updated_at,
        milestones,
        history,
    }))
}

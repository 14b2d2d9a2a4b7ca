//! `/admin/audit`: who did what, when, to what — filtered by actor, action, target and day,
//! newest first, paginated. Admins only.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};
use serde::Deserialize;
use time::macros::format_description;
use uuid::Uuid;

use crate::domain::AuditAction;
use crate::store::audit::{self, Filter};
use crate::store::users;
use crate::web::auth::CurrentUser;
use crate::web::{AppError, AppState, Page};

const PAGE: i64 = 50;

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct AuditQuery {
    actor: String,
    action: String,
    target: String,
    from: String,
    to: String,
    before: String,
}

pub struct Line {
    pub at: String,
    pub actor: String,
    pub action: &'static str,
    pub target: String,
    /// The editor's page of the target, when it is an article.
    pub target_href: Option<String>,
    pub details: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "admin/audit.html")]
pub struct AuditPage {
    page: Page,
    query: AuditQuery,
    lines: Vec<Line>,
    actors: Vec<(Uuid, String)>,
    actions: Vec<AuditAction>,
    older: Option<i64>,
}

/// A day of the filter; one outside the years the audit log can hold (PostgreSQL's
/// timestamps end in 4713 BC, and nothing was audited before Vigie) filters nothing.
fn day(s: &str) -> Option<time::Date> {
    time::Date::parse(s.trim(), format_description!("[year]-[month]-[day]"))
        .ok()
        .filter(|d| (2000..=9999).contains(&d.year()))
}

pub async fn audit(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(query): Query<AuditQuery>,
) -> Result<AuditPage, AppError> {
    let action = query.action.trim();
    let filter = Filter {
        actor: Uuid::parse_str(&query.actor).ok(),
        action: AuditAction::parse(action),
        target: Some(query.target.trim().to_owned()).filter(|t| !t.is_empty() && !t.contains('\0')),
        from: day(&query.from),
        to: day(&query.to),
    };
    let before = query.before.parse::<i64>().ok();
    // An action the log does not know was never recorded: nothing matches it.
    let unknown_action = !action.is_empty() && filter.action.is_none();
    let mut rows = if unknown_action {
        Vec::new()
    } else {
        audit::list(
            &state.pool,
            &filter,
            &state.config.timezone,
            before,
            PAGE + 1,
        )
        .await?
    };
    let older = if rows.len() as i64 > PAGE {
        rows.truncate(PAGE as usize);
        rows.last().map(|r| r.id)
    } else {
        None
    };
    let lines = rows
        .into_iter()
        .map(|e| Line {
            at: state.moment_text(e.at),
            actor: match (e.actor_name, e.actor_email) {
                (Some(name), Some(email)) => format!("{name} <{email}>"),
                _ => "système".to_owned(),
            },
            target_href: (e.target_type == "article")
                .then(|| {
                    e.target_id
                        .as_ref()
                        .map(|id| format!("/editor/articles/{id}"))
                })
                .flatten(),
            target: format!("{} {}", e.target_type, e.target_id.unwrap_or_default()),
            action: e.action.as_str(),
            details: if e.details.as_object().is_some_and(serde_json::Map::is_empty) {
                String::new()
            } else {
                e.details.to_string()
            },
        })
        .collect();
    Ok(AuditPage {
        page: state.page_for(&user, "Journal d’audit — Vigie".to_owned()),
        lines,
        actors: users::authors_and_staff(&state.pool).await?,
        actions: audit::actions(&state.pool).await?,
        query,
        older,
    })
}

impl AuditPage {
    /// The next page's query string, keeping the filters.
    pub fn older_href(&self, before: &i64) -> String {
        let q = &self.query;
        let before = before.to_string();
        let pairs = [
            ("actor", q.actor.as_str()),
            ("action", q.action.as_str()),
            ("target", q.target.as_str()),
            ("from", q.from.as_str()),
            ("to", q.to.as_str()),
            ("before", before.as_str()),
        ];
        let kept: Vec<(&str, &str)> = pairs.into_iter().filter(|(_, v)| !v.is_empty()).collect();
        format!("?{}", serde_urlencoded::to_string(kept).unwrap_or_default())
    }
}

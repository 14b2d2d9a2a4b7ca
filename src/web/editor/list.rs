//! `/editor`: the articles a user works on, newest change first, filtered and paginated.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};
use serde::Deserialize;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use uuid::Uuid;

use super::{standing_label, standing_name};
use crate::domain::{ArticleStatus, Permission, Standing};
use crate::store::articles::desk::{self, Filter, TagChoice};
use crate::store::users;
use crate::web::auth::CurrentUser;
use crate::web::{AppError, AppState, Page};

const PAGE: i64 = 25;

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ListQuery {
    status: String,
    tag: String,
    author: String,
    q: String,
    before: String,
    deleted: String,
}

pub struct Line {
    pub id: Uuid,
    pub title: String,
    /// One of `Standing::KEYS`.
    pub standing: &'static str,
    pub standing_label: String,
    pub author_name: String,
    pub last_editor_name: String,
    pub updated: String,
    pub review_note: String,
    /// The end of its embargo, while one holds.
    pub embargo: Option<String>,
    /// A standalone page.
    pub page: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "editor/list.html")]
pub struct ListPage {
    page: Page,
    lines: Vec<Line>,
    query: ListQuery,
    statuses: Vec<(&'static str, &'static str)>,
    tags: Vec<TagChoice>,
    authors: Vec<(Uuid, String)>,
    everyone: bool,
    older: Option<String>,
}

pub async fn list(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(query): Query<ListQuery>,
) -> Result<ListPage, AppError> {
    // Journalists see their own articles; editors and admins everyone's.
    let everyone = user.may(Permission::ViewArticle { own: false });
    let author = if everyone {
        Uuid::parse_str(&query.author).ok()
    } else {
        Some(user.id)
    };
    let tags = desk::tag_choices(&state.pool).await?;
    let tag = Uuid::parse_str(&query.tag).ok();
    let filter = Filter {
        author,
        standing: Standing::parse_key(&query.status),
        tag,
        title: Some(query.q.trim().to_owned()).filter(|q| !q.is_empty()),
    };
    let before = parse_cursor(&query.before);
    let mut rows = desk::list(&state.pool, &filter, before, PAGE + 1).await?;
    let older = if rows.len() as i64 > PAGE {
        rows.truncate(PAGE as usize);
        rows.last().map(|r| cursor(r.updated_at, r.id))
    } else {
        None
    };
    let now = OffsetDateTime::now_utc();
    let lines = rows
        .into_iter()
        .map(|r| {
            let standing = Standing::of(r.status, r.published_at, r.withdrawn, now);
            Line {
                // Only a draft is still waiting for the changes asked.
                review_note: if r.status == ArticleStatus::Draft {
                    r.review_note.clone()
                } else {
                    String::new()
                },
                page: r.kind == "page",
                embargo: r
                    .embargo_until
                    .filter(|until| *until > now)
                    .map(|until| state.moment_text(until)),
                standing: standing.key(),
                standing_label: standing_label(&state, standing),
                updated: state.moment_text(r.updated_at),
                id: r.id,
                title: r.title,
                author_name: r.author_name,
                last_editor_name: r.last_editor_name.unwrap_or_default(),
            }
        })
        .collect();
    let authors = if everyone {
        users::authors(&state.pool).await?
    } else {
        Vec::new()
    };
    Ok(ListPage {
        page: state.page_for(&user, "Mes articles — éditeur".to_owned()),
        lines,
        statuses: Standing::KEYS
            .iter()
            .map(|key| (*key, standing_name(key)))
            .collect(),
        query,
        tags,
        authors,
        everyone,
        older,
    })
}

fn cursor(at: OffsetDateTime, id: Uuid) -> String {
    format!(
        "{}_{}",
        at.format(&Rfc3339).unwrap_or_default(),
        id.simple()
    )
}

fn parse_cursor(s: &str) -> Option<(OffsetDateTime, Uuid)> {
    let (at, id) = s.rsplit_once('_')?;
    Some((
        OffsetDateTime::parse(at, &Rfc3339).ok()?,
        Uuid::parse_str(id).ok()?,
    ))
}

impl ListPage {
    /// The query string of the next page, keeping the filters.
    pub fn older_href(&self, before: &str) -> String {
        let q = &self.query;
        let pairs = [
            ("status", q.status.as_str()),
            ("tag", q.tag.as_str()),
            ("author", q.author.as_str()),
            ("q", q.q.as_str()),
            ("before", before),
        ];
        let kept: Vec<(&str, &str)> = pairs.into_iter().filter(|(_, v)| !v.is_empty()).collect();
        format!("?{}", serde_urlencoded::to_string(kept).unwrap_or_default())
    }
}

//! `/admin/review`: articles waiting for an editor, oldest first; one article's preview and
//! what changed since readers last saw it; publish now, schedule, or send back with a note.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use time::OffsetDateTime;
use uuid::Uuid;

use crate::domain::diff::{Piece, word_diff};
use crate::domain::{Action, Permission, Standing};
use crate::store::articles::desk::{self, Editable};
use crate::store::articles::status::{self, Changed, Step, When};
use crate::store::clock;
use crate::store::review::{self, Waiting};
use crate::web::auth::{CurrentUser, SignedForm};
use crate::web::editor::local_time;
use crate::web::error::PathId;
use crate::web::{AppError, AppState, Page};

pub struct Line {
    pub id: Uuid,
    pub title: String,
    pub author_name: String,
    pub waiting: String,
    /// The end of its embargo, while one holds.
    pub embargo: Option<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "admin/queue.html")]
pub struct QueuePage {
    page: Page,
    lines: Vec<Line>,
}

/// How long something has waited, as a newsroom says it.
fn waited(since: OffsetDateTime) -> String {
    let minutes = (OffsetDateTime::now_utc() - since).whole_minutes().max(0);
    match minutes {
        0 => "à l’instant".to_owned(),
        m if m < 60 => format!("{m} min"),
        m if m < 48 * 60 => format!("{} h {:02}", m / 60, m % 60),
        m => format!("{} jours", m / (24 * 60)),
    }
}

pub async fn queue(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<QueuePage, AppError> {
    let lines = review::queue(&state.pool)
        .await?
        .into_iter()
        .map(|w: Waiting| Line {
            waiting: waited(w.since),
            embargo: w
                .embargo_until
                .filter(|until| *until > OffsetDateTime::now_utc())
                .map(|until| state.moment_text(until)),
            id: w.id,
            title: w.title,
            author_name: w.author_name,
        })
        .collect();
    Ok(QueuePage {
        page: state.page_for(&user, "Relecture — Vigie".to_owned()),
        lines,
    })
}

#[derive(Template, WebTemplate)]
#[template(path = "admin/review.html")]
pub struct ReviewPage {
    page: Page,
    csrf: String,
    article: Editable,
    body_html: String,
    featured: Option<crate::media::picture::Shown>,
    /// Changes since the version readers saw, if it has been published before.
    changes: Option<Vec<Piece>>,
    timezone: String,
    /// When it comes out, if it is scheduled.
    scheduled: Option<String>,
    /// The end of its embargo, while one holds.
    embargo: Option<String>,
    /// The newsroom's notes still open on it.
    open_notes: Vec<crate::web::editor::NoteThread>,
    /// The names of its tags, in order.
    tags: Vec<String>,
    error: Option<String>,
    note: String,
    at: String,
}

/// The article `id` if an editor decides on it here: waiting for review, or scheduled (its
/// time can still be moved, or the scheduling cancelled).
async fn in_review(state: &AppState, id: Uuid) -> Result<Editable, AppError> {
    let mut conn = state.pool.acquire().await?;
    let article = desk::load(&mut conn, id).await?.ok_or(AppError::NotFound)?;
    match standing(&article) {
        Standing::InReview | Standing::Scheduled(_) => Ok(article),
        _ => Err(AppError::NotFound),
    }
}

fn standing(article: &Editable) -> Standing {
    Standing::of(
        article.status,
        article.published_at,
        article.withdrawn,
        OffsetDateTime::now_utc(),
    )
}

async fn review_page(
    state: &AppState,
    user: &CurrentUser,
    article: Editable,
    error: Option<String>,
    note: String,
    mut at: String,
) -> Result<ReviewPage, AppError> {
    // Under embargo, the scheduling field starts at the embargo's end.
    let embargo = article
        .embargo_until
        .filter(|until| *until > OffsetDateTime::now_utc());
    if let Some(until) = embargo
        && at.is_empty()
    {
        let local = state.local_time(until);
        at = format!("{}T{:02}:{:02}", local.date(), local.hour(), local.minute());
    }
    let embargo = embargo.map(|until| state.moment_text(until));
    let open_notes = crate::web::editor::note_threads(
        state,
        crate::store::notes::of_article(&state.pool, article.id).await?,
    )
    .into_iter()
    .filter(|t| t.open)
    .collect();
    let rendered = state.render(&article.body_markdown, article.lang).await?;
    let (body_html, featured) = state
        .as_readers_see(rendered, article.featured_media_id)
        .await?;
    let scheduled = match standing(&article) {
        Standing::Scheduled(at) => Some(state.moment_text(at)),
        _ => None,
    };
    let tags = {
        let all = desk::tag_choices(&state.pool).await?;
        article
            .tags
            .0
            .iter()
            .filter_map(|id| all.iter().find(|t| t.id == *id).map(|t| t.name.clone()))
            .collect()
    };
    let changes = match review::last_published_text(&state.pool, article.id).await? {
        Some(before) => {
            let after = article.body_markdown.clone();
            let pieces = state.text_work(move || word_diff(&before, &after)).await?;
            Some(pieces)
        }
        None => None,
    };
    Ok(ReviewPage {
        page: state.page_for(user, format!("Relecture — {}", article.title)),
        csrf: user.csrf_token().to_owned(),
        body_html,
        featured,
        changes,
        timezone: state.config.timezone.clone(),
        scheduled,
        embargo,
        open_notes,
        tags,
        article,
        error,
        note,
        at,
    })
}

pub async fn review(
    State(state): State<AppState>,
    user: CurrentUser,
    PathId(id): PathId<Uuid>,
) -> Result<ReviewPage, AppError> {
    let article = in_review(&state, id).await?;
    review_page(&state, &user, article, None, String::new(), String::new()).await
}

#[derive(Deserialize)]
pub struct Decision {
    #[serde(default)]
    decision: String,
    #[serde(default, deserialize_with = "crate::web::auth::lenient_number")]
    version: i32,
    /// `YYYY-MM-DDTHH:MM` in the newsroom's time zone (an `<input type=datetime-local>`).
    #[serde(default)]
    at: String,
    #[serde(default)]
    note: String,
}

pub async fn decide(
    State(state): State<AppState>,
    PathId(id): PathId<Uuid>,
    signed: SignedForm<Decision>,
) -> Result<Response, AppError> {
    let SignedForm { user, form } = signed;
    let article = in_review(&state, id).await?;
    let own = article.is_by(user.id);
    let from = article.status;
    let action = match form.decision.as_str() {
        "publish" | "schedule" => Action::Publish,
        "request_changes" => Action::RequestChanges,
        "cancel" => Action::Unpublish,
        _ => {
            return Err(AppError::BadRequest(
                "Cette décision n’existe pas.".to_owned(),
            ));
        }
    };
    if !user.may(Permission::ChangeStatus { own, from, action }) {
        return Err(AppError::Forbidden);
    }
    let again = |error: String, article: Editable| {
        let (note, at) = (form.note.clone(), form.at.clone());
        let state = state.clone();
        let user = user.clone();
        async move {
            let page = review_page(&state, &user, article, Some(error), note, at).await?;
            Ok::<Response, AppError>((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
    };
    let seen = (from, form.version);
    let mut tx = state.pool.begin().await?;
    let done = match form.decision.as_str() {
        "publish" => {
            let publish = Step::Publish(When::Now);
            status::change(&mut tx, id, seen, publish, Some(user.id)).await?
        }
        "schedule" => {
            let Some(local) = local_time(&form.at) else {
                drop(tx);
                return again(
                    "Indiquez la date et l’heure de publication (jj/mm/aaaa hh:mm).".to_owned(),
                    article,
                )
                .await;
            };
            if !clock::is_future(&state.pool, local, &state.config.timezone).await? {
                drop(tx);
                return again(
                    "Cette date est passée : choisissez un moment à venir, ou publiez maintenant."
                        .to_owned(),
                    article,
                )
                .await;
            }
            let schedule = Step::Publish(When::Local(local, &state.config.timezone));
            status::change(&mut tx, id, seen, schedule, Some(user.id)).await?
        }
        "cancel" => status::change(&mut tx, id, seen, Step::Unpublish, Some(user.id)).await?,
        _ => {
            let note = form.note.trim();
            if note.is_empty() || note.chars().count() > 2000 || note.contains('\0') {
                drop(tx);
                return again(
                    "Expliquez à l’auteur ce qu’il faut changer (2 000 caractères au plus)."
                        .to_owned(),
                    article,
                )
                .await;
            }
            let send_back = Step::SendBack(Some(note));
            let changed = status::change(&mut tx, id, seen, send_back, Some(user.id)).await?;
            // What to change is also a note on the article, where the author answers it.
            if changed.done() {
                crate::store::notes::add(&mut tx, id, None, None, "", note, user.id).await?;
            }
            changed
        }
    };
    if let Changed::Embargoed(until) = done {
        drop(tx);
        return again(crate::web::editor::embargo_refusal(&state, until), article).await;
    }
    let done = done.done();
    if done {
        let (action, note) = match form.decision.as_str() {
            "publish" | "schedule" => (Some(Action::Publish), None),
            "cancel" => (None, None),
            _ => (Some(Action::RequestChanges), Some(form.note.trim())),
        };
        if let Some(action) = action {
            state
                .review_notice(&mut tx, id, action, user.id, note)
                .await?;
        }
    }
    if !done {
        drop(tx);
        // Shown again with the article as it is now, and what the editor typed.
        let current = in_review(&state, id).await?;
        let error = "L’article a changé depuis que vous l’avez ouvert : relisez cette version avant de décider.".to_owned();
        let page = review_page(
            &state,
            &user,
            current,
            Some(error),
            form.note.clone(),
            form.at.clone(),
        )
        .await?;
        return Ok((StatusCode::CONFLICT, page).into_response());
    }
    tx.commit().await?;
    let done = match form.decision.as_str() {
        "cancel" => "unschedule",
        other => other,
    };
    Ok(Redirect::to(&format!("/editor/articles/{id}?status={done}")).into_response())
}

//! Revisions: every save, autosave and conflict of an article; view one, compare two word by
//! word, restore one (which is itself a new revision).

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use uuid::Uuid;

use super::{editable, may_edit, visible};
use crate::domain::diff::{Piece, word_diff};
use crate::domain::{RevisionKind, Slug, Title};
use crate::store::articles::desk::{self, Editable, Revision, RevisionRow};
use crate::store::articles::write::{self, Draft, Outcome};
use crate::web::auth::{CurrentUser, SignedForm};
use crate::web::error::PathId;
use crate::web::{AppError, AppState, Page};

fn kind_label(kind: RevisionKind) -> &'static str {
    match kind {
        RevisionKind::Create => "création",
        RevisionKind::Save => "enregistrement",
        RevisionKind::Autosave => "brouillon automatique",
        RevisionKind::Conflict => "texte en conflit (non appliqué)",
        RevisionKind::Restore => "restauration",
    }
}

fn when(state: &AppState, at: time::OffsetDateTime) -> String {
    state.moment_text(at)
}

pub struct RevisionLine {
    pub id: i64,
    pub version: i32,
    pub kind: &'static str,
    pub title: String,
    pub editor: String,
    pub when: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "editor/revisions.html")]
pub struct RevisionsPage {
    page: Page,
    article: Editable,
    lines: Vec<RevisionLine>,
}

pub async fn revisions(
    State(state): State<AppState>,
    user: CurrentUser,
    PathId(id): PathId<Uuid>,
) -> Result<RevisionsPage, AppError> {
    let article = visible(&state, &user, id).await?;
    let lines = desk::revisions(&state.pool, id)
        .await?
        .into_iter()
        .map(|r: RevisionRow| RevisionLine {
            kind: kind_label(r.kind),
            when: when(&state, r.created_at),
            editor: r.editor_name.unwrap_or_else(|| "système".to_owned()),
            id: r.id,
            version: r.version,
            title: r.title,
        })
        .collect();
    Ok(RevisionsPage {
        page: state.page_for(&user, format!("Révisions — {}", article.title)),
        article,
        lines,
    })
}

#[derive(Template, WebTemplate)]
#[template(path = "editor/revision.html")]
pub struct RevisionPage {
    page: Page,
    csrf: String,
    article: Editable,
    revision: Revision,
    kind: &'static str,
    when: String,
    body_html: String,
    can_edit: bool,
}

async fn find(state: &AppState, article: Uuid, id: i64) -> Result<Revision, AppError> {
    desk::revision(&state.pool, article, id)
        .await?
        .ok_or(AppError::NotFound)
}

pub async fn revision(
    State(state): State<AppState>,
    user: CurrentUser,
    PathId((id, rev)): PathId<(Uuid, i64)>,
) -> Result<RevisionPage, AppError> {
    let article = visible(&state, &user, id).await?;
    let revision = find(&state, id, rev).await?;
    Ok(RevisionPage {
        page: state.page_for(&user, format!("Révision {rev} — {}", article.title)),
        csrf: user.csrf_token().to_owned(),
        kind: kind_label(revision.kind),
        when: when(&state, revision.created_at),
        body_html: state
            .render(&revision.body_markdown, article.lang)
            .await?
            .html,
        can_edit: may_edit(&user, &article),
        article,
        revision,
    })
}

#[derive(Deserialize)]
pub struct Pair {
    from: i64,
    to: i64,
}

#[derive(Template, WebTemplate)]
#[template(path = "editor/diff.html")]
pub struct DiffPage {
    page: Page,
    article: Editable,
    from: Revision,
    to: Revision,
    title: Vec<Piece>,
    dek: Vec<Piece>,
    body: Vec<Piece>,
}

pub async fn diff(
    State(state): State<AppState>,
    user: CurrentUser,
    PathId(id): PathId<Uuid>,
    Query(pair): Query<Pair>,
) -> Result<DiffPage, AppError> {
    let article = visible(&state, &user, id).await?;
    let from = find(&state, id, pair.from).await?;
    let to = find(&state, id, pair.to).await?;
    // Diffing a long body is real work: off the async threads.
    let (old, new) = (from.body_markdown.clone(), to.body_markdown.clone());
    let body = state.text_work(move || word_diff(&old, &new)).await?;
    Ok(DiffPage {
        page: state.page_for(&user, format!("Comparaison — {}", article.title)),
        title: word_diff(&from.title, &to.title),
        dek: word_diff(&from.dek, &to.dek),
        body,
        article,
        from,
        to,
    })
}

#[derive(Deserialize)]
pub struct NoFields {}

/// Puts a revision's title, dek, body, tags and related articles back, as a new version.
pub async fn restore(
    State(state): State<AppState>,
    PathId((id, rev)): PathId<(Uuid, i64)>,
    signed: SignedForm<NoFields>,
) -> Result<Response, AppError> {
    let user = signed.user;
    let article = editable(&state, &user, id).await?;
    let revision = find(&state, id, rev).await?;
    let title = Title::parse(&revision.title).map_err(|_| AppError::NotFound)?;
    let lang = article.lang;
    let rendered = state.render(&revision.body_markdown, lang).await?;
    let slug = Slug::parse(&article.slug).ok();
    let draft = Draft {
        title: &title,
        dek: &revision.dek,
        // The address stays.
        slug: slug.as_ref(),
        lang,
        // Revisions keep no excerpt: the current one stays.
        excerpt: &article.excerpt,
        body_markdown: &revision.body_markdown,
        tags: &revision.tags.0,
        related: &revision.related.0,
        save_key: None,
        // Revisions keep no social fields: the current ones stay.
        social: None,
        featured: None,
        disclosure: None,
    };
    let mut tx = state.pool.begin().await?;
    // Restoring is a decision about the current version: it is the base.
    let outcome = write::save(
        &mut tx,
        id,
        article.version,
        user.id,
        &draft,
        &rendered,
        RevisionKind::Restore,
    )
    .await?;
    match outcome {
        Outcome::Saved { .. } => {
            tx.commit().await?;
            Ok(Redirect::to(&format!("/editor/articles/{id}?restored={rev}")).into_response())
        }
        // Someone saved between our read and now: show them the revisions again. (A restore
        // carries no save key, so it is never a repeat.)
        Outcome::Conflict | Outcome::Repeated { .. } => {
            tx.commit().await?;
            Ok(Redirect::to(&format!("/editor/articles/{id}/revisions")).into_response())
        }
        // A revision in a language another version of the group now has.
        Outcome::LanguageTaken => Err(AppError::Conflict(
            crate::web::editor::language_taken()
                .lang
                .unwrap_or_default()
                .to_owned(),
        )),
        Outcome::SlugTaken | Outcome::NotFound => Err(AppError::NotFound),
    }
}

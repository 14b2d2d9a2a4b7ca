//! Writing: the new-article and edit forms, saving (with the version check and the conflict
//! page), autosave, the soft lock and the workflow buttons.

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

use super::form::{
    ActionButton, ArticleForm, ConflictView, CorrectionLine, EditPage, Errors, LockNotice, Meta,
    body_error, check_rendered, describe, validate,
};
use super::{editable, may_edit, status_label, status_of, visible};
use crate::domain::{Action, ArticleStatus, Lang, Permission, Title, transition};
use crate::store::articles::{self, Draft};
use crate::store::editing::{self, Changes, Editable, Outcome};
use crate::store::review;
use crate::store::{tags, violates};
use crate::web::auth::{CurrentUser, SignedForm};
use crate::web::error::PathId;
use crate::web::{AppError, AppState, assets};

/// Someone who saved or autosaved within this is still "editing".
const LOCK_FRESH: Duration = Duration::minutes(2);

/// The extras a form page may show.
#[derive(Default)]
struct Extras {
    errors: Errors,
    preview: Option<String>,
    /// The body's links to articles, when the body was just rendered (a preview): the page
    /// does not render it again to find them.
    links: Option<Vec<crate::domain::Slug>>,
    results: Vec<crate::store::editing::Pick>,
    notice: Option<String>,
    conflict: Option<ConflictView>,
    /// The form holds text that is not saved (shown again after a preview, an error…).
    unsaved: bool,
    /// A correction that could not be added, with why.
    correction: Option<(String, &'static str)>,
    delete_error: Option<&'static str>,
}

async fn form_page(
    state: &AppState,
    user: &CurrentUser,
    article: Option<&Editable>,
    mut form: ArticleForm,
    extras: Extras,
) -> Result<EditPage, AppError> {
    // A form shown afresh gets its key; one shown again (preview, errors) keeps the one it
    // was sent with, since nothing of it was saved.
    form.save_key.get_or_insert_with(Uuid::new_v4);
    let tags = EditPage::tag_options(editing::tag_choices(&state.pool).await?, &form.tags);
    let related = editing::picks(&state.pool, &form.related_order()).await?;
    // A body over the limit is only shown again, with its error: it is not rendered.
    let links = match extras.links {
        Some(links) => links,
        None if form.body.len() <= state.config.max_body_bytes => {
            let lang = Lang::parse(&form.lang).unwrap_or(state.config.lang);
            state.render(&form.body, lang).await?.article_links
        }
        None => Vec::new(),
    };
    let warnings = describe(&articles::link_warnings(&state.pool, &links).await?);
    let title = match article {
        Some(a) => format!("{} — éditeur", a.title),
        None => "Nouvel article — éditeur".to_owned(),
    };
    let meta = article.map(|a| Meta {
        id: a.id,
        status: a.status.clone(),
        status_label: status_label(&a.status),
        author_name: a.author_name.clone(),
        public_url: (a.status == "published").then(|| format!("/articles/{}", a.slug)),
    });
    let lock = article.and_then(|a| held_by_other(a, user));
    let corrections = match article {
        Some(a) if a.status == "published" => review::corrections(&state.pool, a.id)
            .await?
            .into_iter()
            .map(|c| CorrectionLine {
                date: state.date_text(c.noted_at),
                body: c.body,
            })
            .collect(),
        _ => Vec::new(),
    };
    let can_correct =
        article.is_some_and(|a| a.status == "published") && user.may(Permission::AddCorrection);
    let (correction_text, correction_error) = match extras.correction {
        Some((text, error)) => (text, Some(error)),
        None => (String::new(), None),
    };
    let actions = article.map(|a| buttons(user, a)).unwrap_or_else(|| {
        // A new article can be saved and sent for review in one go.
        vec![ActionButton {
            action: Action::Submit.as_str(),
            label: "Enregistrer et envoyer en relecture",
        }]
    });
    Ok(EditPage {
        page: state.page_for(user, title),
        csrf: user.csrf_token().to_owned(),
        can_edit: article.is_none_or(|a| may_edit(user, a)),
        article: meta,
        form,
        errors: extras.errors,
        tags,
        related,
        results: extras.results,
        preview: extras.preview,
        warnings,
        notice: extras.notice,
        lock,
        actions,
        conflict: extras.conflict,
        unsaved: extras.unsaved,
        review_note: article
            .map(|a| a.review_note.clone())
            .filter(|n| !n.is_empty()),
        corrections,
        can_correct,
        correction_text,
        correction_error,
        can_delete: article.is_some() && user.may(Permission::DeleteArticle),
        delete_error: extras.delete_error,
        script: assets::EDITOR_SCRIPT.url.as_str(),
    })
}

/// The soft lock, when someone else holds it.
fn held_by_other(article: &Editable, user: &CurrentUser) -> Option<LockNotice> {
    let (Some(by), Some(at)) = (article.locked_by, article.locked_at) else {
        return None;
    };
    (by != user.id && OffsetDateTime::now_utc() - at < LOCK_FRESH).then(|| LockNotice {
        name: article.locked_by_name.clone().unwrap_or_default(),
        last_seen: format!("{:02}:{:02} UTC", at.hour(), at.minute()),
    })
}

/// The workflow buttons this user's role allows on this article now.
fn buttons(user: &CurrentUser, article: &Editable) -> Vec<ActionButton> {
    let own = article.author_id == user.id;
    let from = status_of(article);
    let mut buttons = Vec::new();
    for &action in Action::ALL {
        if !user.may(Permission::ChangeStatus { own, from, action }) {
            continue;
        }
        let (name, label) = match action {
            Action::Submit => ("submit", "Envoyer en relecture"),
            Action::RequestChanges => ("request_changes", "Renvoyer à l’auteur"),
            Action::Publish => ("publish", "Publier"),
            Action::Unpublish => ("unpublish", "Dépublier (404)"),
            Action::Archive => ("archive", "Archiver"),
        };
        buttons.push(ActionButton {
            action: name,
            label,
        });
        if action == Action::Unpublish {
            buttons.push(ActionButton {
                action: "withdraw",
                label: "Retirer (410, avec un avis)",
            });
        }
    }
    buttons
}

pub async fn new(State(state): State<AppState>, user: CurrentUser) -> Result<EditPage, AppError> {
    let form = ArticleForm {
        lang: state.config.lang.as_str().to_owned(),
        ..ArticleForm::default()
    };
    form_page(&state, &user, None, form, Extras::default()).await
}

/// The buttons that only show the form again, nothing saved: preview, search, reorder.
async fn redisplay(
    state: &AppState,
    user: &CurrentUser,
    article: Option<&Editable>,
    form: &ArticleForm,
) -> Result<Option<EditPage>, AppError> {
    let mut extras = Extras {
        unsaved: true,
        ..Extras::default()
    };
    match form.intent.as_str() {
        "preview" => {
            // The same limits as a save: what could not be saved is not rendered either.
            if let Some(error) = body_error(&form.body, state.config.max_body_bytes) {
                extras.errors.body = Some(error);
            } else {
                let lang = Lang::parse(&form.lang).unwrap_or(state.config.lang);
                let rendered = state.render(&form.body, lang).await?;
                extras.preview = Some(rendered.html);
                extras.links = Some(rendered.article_links);
            }
        }
        "search" => {
            let exclude = article.map(|a| a.id);
            extras.results =
                editing::search_published(&state.pool, &form.related_q, exclude, 10).await?;
            if extras.results.is_empty() {
                extras.notice = Some(format!(
                    "Aucun article publié ne correspond à « {} ».",
                    form.related_q.trim()
                ));
            }
        }
        intent if intent.starts_with("up:") => {}
        _ => return Ok(None),
    }
    let mut form = form.clone();
    // The new order becomes the kept list; ticked results are now part of it.
    form.related = form.related_order();
    form.related_add.clear();
    form.intent.clear();
    Ok(Some(form_page(state, user, article, form, extras).await?))
}

/// The form again with its errors, status 422.
async fn invalid(
    state: &AppState,
    user: &CurrentUser,
    article: Option<&Editable>,
    form: ArticleForm,
    errors: Errors,
) -> Result<Response, AppError> {
    let extras = Extras {
        errors,
        unsaved: true,
        ..Extras::default()
    };
    let page = form_page(state, user, article, form, extras).await?;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
}

/// The checked tags plus the new one, created if needed, in the caller's transaction.
async fn tag_ids(
    conn: &mut sqlx::PgConnection,
    user: &CurrentUser,
    form: &ArticleForm,
    new_tag: Option<&(String, crate::domain::TagKind)>,
) -> Result<Vec<Uuid>, sqlx::Error> {
    let mut ids = form.tags.clone();
    if let Some((name, kind)) = new_tag.filter(|_| user.may(Permission::CreateTag)) {
        let id = tags::find_or_create(conn, name, *kind, "").await?;
        if !ids.contains(&id) {
            ids.push(id);
        }
    }
    ids.dedup();
    Ok(ids)
}

pub async fn create(
    State(state): State<AppState>,
    signed: SignedForm<ArticleForm>,
) -> Result<Response, AppError> {
    let SignedForm { user, form } = signed;
    if let Some(page) = redisplay(&state, &user, None, &form).await? {
        return Ok(page.into_response());
    }
    if let Some(id) = already_created(&state, form.save_key).await? {
        return resent(&state, user, id, form).await;
    }
    let valid = match validate(&form, None, state.config.max_body_bytes) {
        Ok(valid) => valid,
        Err(errors) => return invalid(&state, &user, None, form, errors).await,
    };
    let rendered = state.render(&form.body, valid.lang).await?;
    if let Err(errors) = check_rendered(&rendered) {
        return invalid(&state, &user, None, form, errors).await;
    }
    let typed_slug = !form.slug.trim().is_empty();
    if typed_slug && editing::slug_taken(&state.pool, &valid.slug, None).await? {
        return invalid(&state, &user, None, form, slug_taken()).await;
    }
    let mut tx = state.pool.begin().await?;
    let tags = tag_ids(&mut tx, &user, &form, valid.new_tag.as_ref()).await?;
    let related = form.related_order();
    let draft = Draft {
        title: &valid.title,
        dek: &form.dek,
        slug: typed_slug.then_some(&valid.slug),
        lang: valid.lang,
        excerpt: &form.excerpt,
        body_markdown: &form.body,
        tags: &tags,
        related: &related,
        save_key: form.save_key,
    };
    let saved = match articles::create(&mut tx, user.id, Some(user.id), &draft, &rendered).await {
        Ok(saved) => saved,
        // Taken in the meantime: by the same form, sent again while the first sending was
        // being saved (that one made it), or by someone else.
        Err(e) if violates(&e, "article_slug_key") => {
            drop(tx);
            return match already_created(&state, form.save_key).await? {
                Some(id) => resent(&state, user, id, form).await,
                None => invalid(&state, &user, None, form, slug_taken()).await,
            };
        }
        // The same form, sent again while the first was being saved: that one made it. Or
        // a key another article's form made, which is not ours to reuse.
        Err(e) if violates(&e, "article_revision_save_key") => {
            drop(tx);
            return match already_created(&state, form.save_key).await? {
                Some(id) => resent(&state, user, id, form).await,
                None => Err(AppError::BadRequest(
                    "Ce formulaire appartient à un autre article : rechargez la page et recommencez.".to_owned(),
                )),
            };
        }
        Err(e) => return Err(e.into()),
    };
    editing::take_lock(&mut tx, saved.id, user.id).await?;
    let submitted = form.intent == "status:submit"
        && editing::change_status(
            &mut tx,
            saved.id,
            (ArticleStatus::Draft, 1),
            ArticleStatus::InReview,
            "submit",
            user.id,
        )
        .await?;
    tx.commit().await?;
    let notice = if submitted {
        "status=submit"
    } else {
        "saved=1"
    };
    Ok(Redirect::to(&format!("/editor/articles/{}?{notice}", saved.id)).into_response())
}

/// The same new-article form sent again, its first sending having made article `id`. With the
/// same text it gets the first sending's answer; with more typed since, that text is saved
/// onto the article, on top of its first version, so that nothing typed in between is dropped.
async fn resent(
    state: &AppState,
    user: CurrentUser,
    id: Uuid,
    form: ArticleForm,
) -> Result<Response, AppError> {
    let created = {
        let mut conn = state.pool.acquire().await?;
        editing::load(&mut conn, id).await?
    };
    let same = created.is_some_and(|a| {
        a.title == form.title.trim() && a.dek == form.dek.trim() && a.body_markdown == form.body
    });
    if same {
        return Ok(Redirect::to(&format!("/editor/articles/{id}?saved=1")).into_response());
    }
    save_form(state, user, id, ArticleForm { version: 1, ..form }).await
}

/// The article a new-article form already created, when it is sent again.
async fn already_created(state: &AppState, key: Option<Uuid>) -> Result<Option<Uuid>, AppError> {
    match key {
        Some(key) => Ok(editing::created_by(&state.pool, key).await?),
        None => Ok(None),
    }
}

fn slug_taken() -> Errors {
    Errors {
        slug: Some(
            "Cette adresse est déjà utilisée par un autre article : choisissez-en une autre.",
        ),
        ..Errors::default()
    }
}

#[derive(Deserialize)]
pub struct Notices {
    saved: Option<String>,
    status: Option<String>,
    restored: Option<i64>,
}

pub async fn edit(
    State(state): State<AppState>,
    user: CurrentUser,
    PathId(id): PathId<Uuid>,
    Query(q): Query<Notices>,
) -> Result<EditPage, AppError> {
    let article = visible(&state, &user, id).await?;
    // Opening the form takes the soft lock, unless someone else is at work on it.
    if may_edit(&user, &article) && held_by_other(&article, &user).is_none() {
        let mut conn = state.pool.acquire().await?;
        editing::take_lock(&mut conn, id, user.id).await?;
    }
    let notice = if q.saved.is_some() {
        Some("Article enregistré.".to_owned())
    } else if let Some(action) = q.status {
        Some(
            match action.as_str() {
                "submit" => "C’est fait : en relecture.",
                "publish" => "C’est fait : publié.",
                "schedule" => "C’est fait : publication programmée.",
                "request_changes" => "C’est fait : renvoyé à l’auteur.",
                "archive" => "C’est fait : archivé.",
                "unpublish" => "C’est fait : dépublié, son adresse répond « introuvable ».",
                "withdraw" => "C’est fait : retiré, son adresse l’annonce aux lecteurs.",
                "correction" => "Correction publiée sous l’article.",
                _ => "C’est fait : brouillon.",
            }
            .to_owned(),
        )
    } else {
        q.restored
            .map(|r| format!("La révision {r} a été restaurée, comme nouvelle version."))
    };
    let form = ArticleForm::from_article(&article);
    let extras = Extras {
        notice,
        ..Extras::default()
    };
    form_page(&state, &user, Some(&article), form, extras).await
}

pub async fn save(
    State(state): State<AppState>,
    PathId(id): PathId<Uuid>,
    signed: SignedForm<ArticleForm>,
) -> Result<Response, AppError> {
    let SignedForm { user, form } = signed;
    save_form(&state, user, id, form).await
}

async fn save_form(
    state: &AppState,
    user: CurrentUser,
    id: Uuid,
    form: ArticleForm,
) -> Result<Response, AppError> {
    let article = editable(state, &user, id).await?;
    if let Some(page) = redisplay(state, &user, Some(&article), &form).await? {
        return Ok(page.into_response());
    }
    let valid = match validate(&form, Some(&article.slug), state.config.max_body_bytes) {
        Ok(valid) => valid,
        Err(errors) => return invalid(state, &user, Some(&article), form, errors).await,
    };
    let rendered = state.render(&form.body, valid.lang).await?;
    if let Err(errors) = check_rendered(&rendered) {
        return invalid(state, &user, Some(&article), form, errors).await;
    }
    let mut tx = state.pool.begin().await?;
    let tags = tag_ids(&mut tx, &user, &form, valid.new_tag.as_ref()).await?;
    let related = form.related_order();
    let changes = Changes {
        title: &valid.title,
        dek: &form.dek,
        slug: &valid.slug,
        lang: valid.lang,
        excerpt: &form.excerpt,
        body_markdown: &form.body,
        tags: &tags,
        related: &related,
        save_key: form.save_key,
    };
    let outcome = editing::save(
        &mut tx,
        id,
        form.version,
        user.id,
        &changes,
        &rendered,
        "save",
    )
    .await;
    let outcome = match outcome {
        Ok(outcome) => outcome,
        // A key the form of another article made: not a retry of this save, and not one of
        // ours to reuse (a hand-made or mixed-up request).
        Err(e) if violates(&e, "article_revision_save_key") => {
            return Err(AppError::BadRequest(
                "Ce formulaire appartient à un autre article : rechargez la page de celui-ci et recommencez.".to_owned(),
            ));
        }
        Err(e) => return Err(e.into()),
    };
    match outcome {
        Outcome::Saved { version, .. } => {
            // A workflow button of the form: the text is saved first, then the status moves.
            let mut done = "saved=1".to_owned();
            if let Some((action, name)) = form.intent.strip_prefix("status:").and_then(parse_action)
            {
                let own = article.author_id == user.id;
                let from = status_of(&article);
                let to = transition(from, action, user.role)
                    .ok()
                    .filter(|_| user.may(Permission::ChangeStatus { own, from, action }));
                let Some(to) = to else {
                    return Err(AppError::Forbidden);
                };
                editing::change_status(&mut tx, id, (from, version), to, name, user.id).await?;
                done = format!("status={name}");
            }
            tx.commit().await?;
            Ok(Redirect::to(&format!("/editor/articles/{id}?{done}")).into_response())
        }
        Outcome::Repeated { conflict: false } => {
            drop(tx);
            Ok(Redirect::to(&format!("/editor/articles/{id}?saved=1")).into_response())
        }
        Outcome::Conflict | Outcome::Repeated { conflict: true } => {
            // The typed text is kept as a revision (committed), and the form comes back with
            // it, now based on the newer version, beside what the other person saved.
            tx.commit().await?;
            // The connection goes back before the page asks for others: holding one while
            // waiting for another is how fifty writers at once would empty the pool.
            let theirs = {
                let mut conn = state.pool.acquire().await?;
                editing::load(&mut conn, id)
                    .await?
                    .ok_or(AppError::NotFound)?
            };
            let by = editing::revisions(&state.pool, id)
                .await?
                .into_iter()
                .find(|r| r.kind != "conflict" && r.kind != "autosave")
                .and_then(|r| r.editor_name)
                .unwrap_or_else(|| "quelqu’un".to_owned());
            let conflict = ConflictView {
                by,
                version: theirs.version,
                title: theirs.title.clone(),
                body: theirs.body_markdown.clone(),
            };
            let mut yours = form;
            yours.version = theirs.version;
            yours.intent.clear();
            // Saving it again is a new save, not this one resent.
            yours.save_key = Some(Uuid::new_v4());
            let extras = Extras {
                conflict: Some(conflict),
                unsaved: true,
                ..Extras::default()
            };
            let page = form_page(state, &user, Some(&theirs), yours, extras).await?;
            Ok((StatusCode::CONFLICT, page).into_response())
        }
        Outcome::SlugTaken => {
            drop(tx);
            invalid(state, &user, Some(&article), form, slug_taken()).await
        }
        Outcome::NotFound => Err(AppError::NotFound),
    }
}

/// Autosave (JavaScript, every ~20 s): the text goes into a draft revision, the article itself
/// is untouched, and the soft lock is refreshed.
pub async fn autosave(
    State(state): State<AppState>,
    PathId(id): PathId<Uuid>,
    signed: SignedForm<ArticleForm>,
) -> Result<Response, AppError> {
    let SignedForm { user, form } = signed;
    let article = editable(&state, &user, id).await?;
    if form.body.len() > state.config.max_body_bytes {
        return Ok(StatusCode::PAYLOAD_TOO_LARGE.into_response());
    }
    let title = Title::parse(&form.title)
        .or_else(|_| Title::parse(&article.title))
        .map_err(|_| AppError::NotFound)?;
    let slug = crate::domain::Slug::parse(&article.slug).map_err(|_| AppError::NotFound)?;
    let related = form.related_order();
    let changes = Changes {
        title: &title,
        dek: &form.dek,
        slug: &slug,
        lang: Lang::parse(&form.lang).unwrap_or(state.config.lang),
        excerpt: &form.excerpt,
        body_markdown: &form.body,
        tags: &form.tags,
        related: &related,
        // An autosave is not the form's save: the save, when it comes, must not find it.
        save_key: None,
    };
    let mut tx = state.pool.begin().await?;
    editing::keep_revision(&mut tx, id, form.version, user.id, &changes, "autosave").await?;
    // Typing keeps one's own lock fresh; it never takes someone else's ("take over" does).
    editing::refresh_lock(&mut tx, id, user.id, LOCK_FRESH.whole_seconds()).await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

#[derive(Deserialize)]
pub struct NoFields {}

/// "Take over": the soft lock becomes this user's.
pub async fn take_over(
    State(state): State<AppState>,
    PathId(id): PathId<Uuid>,
    signed: SignedForm<NoFields>,
) -> Result<Response, AppError> {
    let user = signed.user;
    editable(&state, &user, id).await?;
    let mut conn = state.pool.acquire().await?;
    editing::take_lock(&mut conn, id, user.id).await?;
    Ok(Redirect::to(&format!("/editor/articles/{id}")).into_response())
}

#[derive(Deserialize)]
pub struct StatusForm {
    #[serde(default)]
    action: String,
    /// The version the decision was made on.
    #[serde(default, deserialize_with = "crate::web::auth::lenient_number")]
    version: i32,
}

/// A workflow button: checked against the transition table and the user's role, and applied
/// only to the version the user saw.
pub async fn change_status(
    State(state): State<AppState>,
    PathId(id): PathId<Uuid>,
    signed: SignedForm<StatusForm>,
) -> Result<Response, AppError> {
    let SignedForm { user, form } = signed;
    let article = visible(&state, &user, id).await?;
    let (action, name) = parse_action(&form.action)
        .ok_or_else(|| AppError::BadRequest("Cette action n’existe pas.".to_owned()))?;
    let own = article.author_id == user.id;
    let from = status_of(&article);
    if !user.may(Permission::ChangeStatus { own, from, action }) {
        return Err(AppError::Forbidden);
    }
    let to = transition(from, action, user.role).map_err(|_| AppError::Forbidden)?;
    let mut tx = state.pool.begin().await?;
    if !editing::change_status(&mut tx, id, (from, form.version), to, name, user.id).await? {
        return Err(AppError::Conflict(
            "L’article a changé depuis que vous l’avez ouvert : rechargez-le avant de décider."
                .to_owned(),
        ));
    }
    tx.commit().await?;
    Ok(Redirect::to(&format!("/editor/articles/{id}?status={name}")).into_response())
}

/// A workflow button's name: an action of the transition table, or "withdraw" (unpublishing
/// that leaves a 410 notice at the address).
fn parse_action(name: &str) -> Option<(Action, &'static str)> {
    if name == "withdraw" {
        return Some((Action::Unpublish, "withdraw"));
    }
    Action::parse(name).map(|a| (a, a.as_str()))
}

/// The article's page again, as stored, with what could not be done (422).
async fn refused_on_page(
    state: &AppState,
    user: &CurrentUser,
    article: &Editable,
    extras: Extras,
) -> Result<Response, AppError> {
    let page = form_page(
        state,
        user,
        Some(article),
        ArticleForm::from_article(article),
        extras,
    )
    .await?;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
}

#[derive(Deserialize)]
pub struct DeleteForm {
    #[serde(default)]
    confirm: String,
}

/// Deletes an article for good (admins only, after ticking a confirmation).
pub async fn delete(
    State(state): State<AppState>,
    PathId(id): PathId<Uuid>,
    signed: SignedForm<DeleteForm>,
) -> Result<Response, AppError> {
    let SignedForm { user, form } = signed;
    let article = visible(&state, &user, id).await?;
    if !user.may(Permission::DeleteArticle) {
        return Err(AppError::Forbidden);
    }
    if form.confirm != "yes" {
        let extras = Extras {
            delete_error: Some("Cochez la case pour confirmer : la suppression est définitive."),
            ..Extras::default()
        };
        return refused_on_page(&state, &user, &article, extras).await;
    }
    let mut tx = state.pool.begin().await?;
    editing::delete(&mut tx, id, user.id).await?;
    tx.commit().await?;
    Ok(Redirect::to("/editor?deleted=1").into_response())
}

#[derive(Deserialize)]
pub struct CorrectionForm {
    #[serde(default)]
    body: String,
}

/// Adds a correction to a published article: dated, public, and never edited or removed.
pub async fn add_correction(
    State(state): State<AppState>,
    PathId(id): PathId<Uuid>,
    signed: SignedForm<CorrectionForm>,
) -> Result<Response, AppError> {
    let SignedForm { user, form } = signed;
    let article = visible(&state, &user, id).await?;
    if !user.may(Permission::AddCorrection) {
        return Err(AppError::Forbidden);
    }
    let body = form.body.trim();
    let error = if article.status != "published" {
        Some("Seul un article publié reçoit des corrections.")
    } else if body.is_empty() || body.chars().count() > 2000 || body.contains('\0') {
        Some("Écrivez la correction (2 000 caractères au plus).")
    } else {
        None
    };
    if let Some(error) = error {
        let extras = Extras {
            correction: Some((form.body.clone(), error)),
            ..Extras::default()
        };
        return refused_on_page(&state, &user, &article, extras).await;
    }
    let mut tx = state.pool.begin().await?;
    review::add_correction(&mut tx, id, body, user.id).await?;
    tx.commit().await?;
    Ok(Redirect::to(&format!("/editor/articles/{id}?status=correction")).into_response())
}

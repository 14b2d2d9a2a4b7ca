//! Saving the article form: creating an article, saving one (with the version check, the
//! conflict page and repeated forms), and autosave, which keeps the text without saving it.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Serialize;
use uuid::Uuid;

use super::actions::{done_name, step_asked};
use super::editable;
use super::form::{
    ArticleForm, ClashView, ConflictView, Errors, body_error, check_rendered, follows_title,
    validate,
};
use super::page::{Extras, LOCK_FRESH, form_page, invalid, redisplay};
use crate::domain::{
    ArticleStatus, Lang, Permission, RevisionKind, TagKind, Title, merge, transition, typography,
};
use crate::store::articles::desk::{self, Editable};
use crate::store::articles::lock;
use crate::store::articles::status::{self, Step};
use crate::store::articles::write::{self, Draft, Outcome};
use crate::store::{tags, violates};
use crate::web::auth::{CurrentUser, SignedForm};
use crate::web::error::PathId;
use crate::web::{AppError, AppState};

/// The checked tags plus the new one, created if needed, in the caller's transaction.
async fn tag_ids(
    conn: &mut sqlx::PgConnection,
    user: &CurrentUser,
    form: &ArticleForm,
    new_tag: Option<&(String, TagKind)>,
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
        Err(errors) => return invalid(&state, &user, None, form, *errors).await,
    };
    let rendered = state.render(&form.body, valid.lang).await?;
    if let Err(errors) = check_rendered(&rendered) {
        return invalid(&state, &user, None, form, *errors).await;
    }
    let typed_slug = !form.slug.trim().is_empty();
    if typed_slug && desk::slug_taken(&state.pool, &valid.slug, None).await? {
        return invalid(&state, &user, None, form, slug_taken()).await;
    }
    let mut tx = state.pool.begin().await?;
    let tags = tag_ids(&mut tx, &user, &form, valid.new_tag.as_ref()).await?;
    let related = form.related_order();
    let draft = form.draft(&valid, typed_slug.then_some(&valid.slug), &tags, &related);
    let created = match write::create(&mut tx, user.id, Some(user.id), &draft, &rendered).await {
        Ok(created) => created,
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
    lock::take(&mut tx, created.id, user.id).await?;
    let seen = (ArticleStatus::Draft, created.version);
    let submitted = form.intent == "status:submit"
        && status::change(&mut tx, created.id, seen, Step::Submit, Some(user.id)).await?;
    tx.commit().await?;
    let notice = if submitted {
        "status=submit"
    } else {
        "saved=1"
    };
    Ok(Redirect::to(&format!("/editor/articles/{}?{notice}", created.id)).into_response())
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
        desk::load(&mut conn, id).await?
    };
    // Stored as readers get them: typeset for the article's language.
    let same = created.is_some_and(|a| {
        let typeset = |t: &str| typography::for_lang(t.trim(), a.lang);
        a.title == typeset(&form.title)
            && a.dek == typeset(&form.dek)
            && a.body_markdown == form.body
    });
    if same {
        return Ok(Redirect::to(&format!("/editor/articles/{id}?saved=1")).into_response());
    }
    save_form(state, user, id, ArticleForm { version: 1, ..form }).await
}

/// The article a new-article form already created, when it is sent again.
async fn already_created(state: &AppState, key: Option<Uuid>) -> Result<Option<Uuid>, AppError> {
    match key {
        Some(key) => Ok(desk::created_by(&state.pool, key).await?),
        None => Ok(None),
    }
}

pub(super) fn slug_taken() -> Errors {
    Errors {
        slug: Some(
            "Cette adresse est déjà utilisée par un autre article : choisissez-en une autre.",
        ),
        ..Errors::default()
    }
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
    // Sent from the conflict page: the passages the person chose the colleague's version of.
    let (form, moved) = form.with_choices_applied(state.config.max_body_bytes);
    if let Some(clash) = moved {
        let errors = Errors {
            body: Some(format!(
                "Le passage {} a été modifié depuis la fusion : votre choix n’a pas été appliqué et rien n’a été enregistré. La version de votre collègue reste dans les révisions ; reportez-la à la main si besoin.",
                clash + 1
            )),
            ..Errors::default()
        };
        return invalid(state, &user, Some(&article), form, errors).await;
    }
    if let Some(page) = redisplay(state, &user, Some(&article), &form).await? {
        return Ok(page.into_response());
    }
    let valid = match validate(&form, Some(&article.slug), state.config.max_body_bytes) {
        Ok(valid) => valid,
        Err(errors) => return invalid(state, &user, Some(&article), form, *errors).await,
    };
    // A workflow button of the form: what it asks is checked before anything is written.
    let asked = match form.intent.strip_prefix("status:") {
        None => None,
        Some(name) => match step_asked(state, name, &form.reason, &form.at, live_now(&article))
            .await?
        {
            Ok(step) => Some((name.to_owned(), step)),
            Err(error) => {
                let extras = Extras {
                    workflow_error: Some(error),
                    unsaved: true,
                    ..Extras::default()
                };
                let page = form_page(state, &user, Some(&article), form.clone(), extras).await?;
                return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
            }
        },
    };
    let rendered = state.render(&form.body, valid.lang).await?;
    if let Err(errors) = check_rendered(&rendered) {
        return invalid(state, &user, Some(&article), form, *errors).await;
    }
    // A draft readers never saw follows its title while nobody types an address.
    let slug_follows = form.slug.trim().is_empty() && article.published_at.is_none();
    let mut tx = state.pool.begin().await?;
    let tags = tag_ids(&mut tx, &user, &form, valid.new_tag.as_ref()).await?;
    let related = form.related_order();
    let draft = form.draft(
        &valid,
        (!slug_follows).then_some(&valid.slug),
        &tags,
        &related,
    );
    let outcome = write::save(
        &mut tx,
        id,
        form.version,
        user.id,
        &draft,
        &rendered,
        RevisionKind::Save,
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
            if let Some((name, step)) = asked {
                let own = article.author_id == user.id;
                let (from, action) = (article.status, step.action());
                let allowed = transition(from, action, user.role).is_ok()
                    && user.may(Permission::ChangeStatus { own, from, action });
                if !allowed {
                    return Err(AppError::Forbidden);
                }
                status::change(&mut tx, id, (from, version), step, Some(user.id)).await?;
                done = format!("status={}", done_name(&name, step));
            }
            tx.commit().await?;
            Ok(Redirect::to(&format!("/editor/articles/{id}?{done}")).into_response())
        }
        Outcome::Repeated { conflict: false } => {
            drop(tx);
            Ok(Redirect::to(&format!("/editor/articles/{id}?saved=1")).into_response())
        }
        Outcome::Conflict | Outcome::Repeated { conflict: true } => {
            // The typed text is kept as a revision (committed); then it is merged with what
            // the other person saved, or comes back beside it.
            tx.commit().await?;
            after_conflict(state, user, id, form, tags).await
        }
        Outcome::SlugTaken => {
            drop(tx);
            invalid(state, &user, Some(&article), form, slug_taken()).await
        }
        Outcome::NotFound => Err(AppError::NotFound),
    }
}

/// Whether readers see `article` now.
fn live_now(article: &Editable) -> bool {
    matches!(
        super::standing_of(article),
        crate::domain::Standing::Published | crate::domain::Standing::Archived
    )
}

/// A save that met a colleague's: both started from the version the form was opened on. Where
/// they changed different paragraphs (and did not both change the title, the dek or the
/// address), the two are merged and saved, and the person is told; otherwise the form comes
/// back (409) with the merge so far, their own text in each passage both changed, and those
/// passages side by side to choose from.
async fn after_conflict(
    state: &AppState,
    user: CurrentUser,
    id: Uuid,
    form: ArticleForm,
    // The form's tags as the save made them, a tag created inline included.
    tags: Vec<Uuid>,
) -> Result<Response, AppError> {
    // The connection goes back before the page asks for others: holding one while waiting for
    // another is how fifty writers at once would empty the pool.
    let theirs = {
        let mut conn = state.pool.acquire().await?;
        desk::load(&mut conn, id).await?.ok_or(AppError::NotFound)?
    };
    let by = desk::revisions(&state.pool, id)
        .await?
        .into_iter()
        .find(|r| r.kind.was_saved() && r.version == theirs.version)
        .and_then(|r| r.editor_name)
        .unwrap_or_else(|| "quelqu’un".to_owned());
    let base = desk::saved_at(&state.pool, id, form.version).await?;
    let (base_body, base_title, base_dek, base_tags, base_related) = match &base {
        Some(b) => (
            b.body_markdown.clone(),
            b.title.clone(),
            b.dek.clone(),
            b.tags.0.clone(),
            b.related.0.clone(),
        ),
        // No base to merge on (an unknown version): nothing merges, everything is a choice.
        None => (
            String::new(),
            String::new(),
            String::new(),
            Vec::new(),
            Vec::new(),
        ),
    };
    let (body, clashes) = {
        let (b, mine, th) = (base_body, form.body.clone(), theirs.body_markdown.clone());
        let merged = tokio::task::spawn_blocking(move || merge::merge(&b, &mine, &th))
            .await
            .map_err(|_| AppError::Busy)?;
        (merged.text, merged.clashes)
    };
    let title = merge::merge_field(&base_title, form.title.trim(), &theirs.title);
    let dek = merge::merge_field(base_dek.trim(), form.dek.trim(), theirs.dek.trim());
    let mut merged = form.clone();
    merged.body = body;
    merged.title = title.unwrap_or(form.title.trim()).to_owned();
    merged.dek = dek.unwrap_or(form.dek.trim()).to_owned();
    merged.tags = merge::merge_ids(&base_tags, &tags, &theirs.tags.0);
    merged.new_tag_name.clear();
    let their_related: Vec<Uuid> = theirs.picked.0.iter().map(|p| p.id).collect();
    merged.related = merge::merge_ids(&base_related, &form.related_order(), &their_related);
    merged.related_add.clear();
    merged.version = theirs.version;
    // A workflow button pressed with the save is not done on a merge: the person rereads first.
    let pending_step = form.intent.starts_with("status:");
    merged.intent.clear();
    // Left empty here, the summary and the address are the colleague's when they typed one:
    // an empty field is "derived", not "remove theirs".
    if form.excerpt.trim().is_empty() && !theirs.excerpt.is_empty() {
        let derived = state
            .render(&theirs.body_markdown, theirs.lang)
            .await?
            .excerpt;
        if theirs.excerpt.trim() != derived.trim() {
            merged.excerpt = theirs.excerpt.clone();
        }
    }
    if form.slug.trim().is_empty() && !follows_title(&theirs) {
        merged.slug = theirs.slug.clone();
    }
    if form.social_title.trim().is_empty() {
        merged.social_title = theirs.social_title.clone();
    }
    if form.social_description.trim().is_empty() {
        merged.social_description = theirs.social_description.clone();
    }
    // Saving it is a new save, not the first one resent.
    merged.save_key = Some(Uuid::new_v4());
    // The address, language and summary are not in the base revision: when this form's differ
    // from the colleague's, the person decides.
    let same_settings = (form.slug.trim().is_empty() || form.slug.trim() == theirs.slug)
        && form.lang.trim() == theirs.lang.as_str()
        && (form.excerpt.trim().is_empty() || form.excerpt.trim() == theirs.excerpt.trim());
    let clean =
        base.is_some() && clashes.is_empty() && title.is_some() && dek.is_some() && same_settings;
    if clean {
        let nothing_new = merged.body == theirs.body_markdown
            && merged.title == theirs.title
            && merged.dek == theirs.dek.trim()
            && merged.tags == theirs.tags.0
            && merged.related == their_related;
        let done = format!(
            "/editor/articles/{id}?merged={}",
            if pending_step { "pending" } else { "1" }
        );
        if nothing_new || save_merged(state, &user, &theirs, &merged).await? {
            return Ok(Redirect::to(&done).into_response());
        }
    }
    let conflict = ConflictView {
        by,
        version: theirs.version,
        title: theirs.title.clone(),
        body: theirs.body_markdown.clone(),
        title_clash: title.is_none(),
        dek_clash: dek.is_none().then(|| theirs.dek.clone()),
        clashes: clashes
            .into_iter()
            .enumerate()
            .map(|(index, c)| ClashView::new(index, c))
            .collect(),
    };
    let extras = Extras {
        conflict: Some(conflict),
        unsaved: true,
        ..Extras::default()
    };
    let page = form_page(state, &user, Some(&theirs), merged, extras).await?;
    Ok((StatusCode::CONFLICT, page).into_response())
}

/// Saves a clean merge onto the colleague's version. False when it cannot be saved as is (a
/// third save came in between, or the merged text does not pass the checks): the person then
/// decides on the conflict page.
async fn save_merged(
    state: &AppState,
    user: &CurrentUser,
    theirs: &Editable,
    merged: &ArticleForm,
) -> Result<bool, AppError> {
    let Ok(valid) = validate(merged, Some(&theirs.slug), state.config.max_body_bytes) else {
        return Ok(false);
    };
    let rendered = state.render(&merged.body, valid.lang).await?;
    if check_rendered(&rendered).is_err() {
        return Ok(false);
    }
    let slug_follows = merged.slug.trim().is_empty() && theirs.published_at.is_none();
    let slug = (!slug_follows).then_some(&valid.slug);
    let draft = merged.draft(&valid, slug, &merged.tags, &merged.related);
    let mut tx = state.pool.begin().await?;
    let outcome = write::save(
        &mut tx,
        theirs.id,
        theirs.version,
        user.id,
        &draft,
        &rendered,
        RevisionKind::Save,
    )
    .await?;
    match outcome {
        Outcome::Saved { .. } => {
            tx.commit().await?;
            Ok(true)
        }
        _ => Ok(false),
    }
}

/// What the first autosave of a new article answers: where the article now lives, for the
/// page's script to carry on there (the form's address, its autosave, its version and a
/// fresh key for its next save).
#[derive(Serialize)]
struct Begun {
    id: Uuid,
    action: String,
    autosave: String,
    version: i32,
    save_key: Uuid,
}

/// The first autosave of a new article (JavaScript): the article becomes a draft then, with
/// what is typed so far, so that nothing depends on someone remembering to press "Enregistrer".
/// Created with the form's key: the form's own save, sent meanwhile or later, finds it and
/// saves onto it rather than making a second article.
pub async fn autosave_new(
    State(state): State<AppState>,
    signed: SignedForm<ArticleForm>,
) -> Result<Response, AppError> {
    let SignedForm { user, form } = signed;
    if form.body.len() > state.config.max_body_bytes {
        return Ok(StatusCode::PAYLOAD_TOO_LARGE.into_response());
    }
    if let Some(id) = already_created(&state, form.save_key).await? {
        // Begun already (a repeated request): carry on there.
        return Ok((StatusCode::OK, Json(begun(id, 1))).into_response());
    }
    if form.title.trim().is_empty() && form.body.trim().is_empty() {
        return Err(AppError::BadRequest(
            "Rien à enregistrer : ni titre ni texte.".to_owned(),
        ));
    }
    if let Some(error) = body_error(&form.body, state.config.max_body_bytes) {
        return Err(AppError::BadRequest(error));
    }
    // Begun before it has a title: "Sans titre" until one is typed. One too long for a title
    // is cut here (the save will say so); the whole of it stays in the form.
    let cut: String = form.title.trim().chars().take(300).collect();
    let title = Title::parse(&cut)
        .or_else(|_| Title::parse("Sans titre"))
        .map_err(|_| AppError::BadRequest("Ce titre ne peut pas être enregistré.".to_owned()))?;
    let lang = Lang::parse(&form.lang).unwrap_or(state.config.lang);
    let rendered = state.render(&form.body, lang).await?;
    let related = form.related_order();
    let draft = Draft {
        title: &title,
        dek: &form.dek,
        // Derived from the title until someone types one.
        slug: None,
        lang,
        excerpt: &form.excerpt,
        body_markdown: &form.body,
        tags: &form.tags,
        related: &related,
        save_key: form.save_key,
        social: Some((&form.social_title, &form.social_description)),
    };
    let mut tx = state.pool.begin().await?;
    let created = match write::create(&mut tx, user.id, Some(user.id), &draft, &rendered).await {
        Ok(created) => created,
        // The form's own save (or this autosave, repeated) made it meanwhile: the key, or the
        // slug both derived from the same title, was taken by it.
        Err(e) if violates(&e, "article_revision_save_key") || violates(&e, "article_slug_key") => {
            drop(tx);
            let slug_race = violates(&e, "article_slug_key");
            return match already_created(&state, form.save_key).await? {
                Some(id) => Ok((StatusCode::OK, Json(begun(id, 1))).into_response()),
                // Someone else's article took the address at the same moment: the next
                // autosave picks another.
                None if slug_race => Err(AppError::Conflict(
                    "Adresse prise au même instant par un autre article : nouvel essai au prochain enregistrement automatique.".to_owned(),
                )),
                None => Err(AppError::BadRequest(
                    "Ce formulaire appartient à un autre article : rechargez la page et recommencez.".to_owned(),
                )),
            };
        }
        Err(e) => return Err(e.into()),
    };
    lock::take(&mut tx, created.id, user.id).await?;
    tx.commit().await?;
    Ok((
        StatusCode::CREATED,
        Json(begun(created.id, created.version)),
    )
        .into_response())
}

fn begun(id: Uuid, version: i32) -> Begun {
    Begun {
        id,
        action: format!("/editor/articles/{id}"),
        autosave: format!("/editor/articles/{id}/autosave"),
        version,
        save_key: Uuid::new_v4(),
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
    let related = form.related_order();
    let draft = Draft {
        title: &title,
        dek: &form.dek,
        // Kept text is not an address change.
        slug: None,
        lang: Lang::parse(&form.lang).unwrap_or(state.config.lang),
        excerpt: &form.excerpt,
        body_markdown: &form.body,
        tags: &form.tags,
        related: &related,
        // An autosave is not the form's save: the save, when it comes, must not find it.
        save_key: None,
        social: None,
    };
    let mut tx = state.pool.begin().await?;
    write::keep_autosave(&mut tx, id, form.version, user.id, &draft).await?;
    // Typing keeps one's own lock fresh; it never takes someone else's ("take over" does).
    lock::refresh(&mut tx, id, user.id, LOCK_FRESH.whole_seconds()).await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

//! A save that met a colleague's: merged with theirs on the version both started from, or
//! shown beside it, passage by passage, for the person to choose.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use uuid::Uuid;

use super::form::{ArticleForm, check_rendered, follows_title, validate};
use super::page::{Extras, form_page};
use super::view::{ClashView, ConflictView};
use crate::domain::{RevisionKind, merge};
use crate::store::articles::desk::{self, Editable};
use crate::store::articles::write::{self, Outcome};
use crate::web::auth::CurrentUser;
use crate::web::{AppError, AppState};

/// A save that met a colleague's: both started from the version the form was opened on. Where
/// they changed different paragraphs (and did not both change the title, the dek or the
/// address), the two are merged and saved, and the person is told; otherwise the form comes
/// back (409) with the merge so far, their own text in each passage both changed, and those
/// passages side by side to choose from.
pub(super) async fn after_conflict(
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
        // The newest save is the colleague's (a status change since leaves no revision).
        .find(|r| r.kind.was_saved())
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
    // The merge, and the passages both changed marked word by word: text work, off the
    // async threads.
    let (body, clashes) = {
        let (b, mine, th) = (base_body, form.body.clone(), theirs.body_markdown.clone());
        state
            .text_work(move || {
                let merged = merge::merge(&b, &mine, &th);
                let views: Vec<ClashView> = merged
                    .clashes
                    .into_iter()
                    .enumerate()
                    .map(|(index, c)| ClashView::new(index, c))
                    .collect();
                (merged.text, views)
            })
            .await?
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
    // The address, language, summary and social fields are not in the base revision: when
    // this form's differ from the colleague's, the person decides, seeing the colleague's.
    let differs =
        |mine: &str, theirs: &str| !mine.trim().is_empty() && mine.trim() != theirs.trim();
    let mut settings = Vec::new();
    if differs(&form.slug, &theirs.slug) {
        settings.push(("Adresse", theirs.slug.clone()));
    }
    if form.lang.trim() != theirs.lang.as_str() {
        settings.push(("Langue", theirs.lang.as_str().to_owned()));
    }
    if differs(&form.excerpt, &theirs.excerpt) {
        settings.push(("Résumé", theirs.excerpt.clone()));
    }
    if differs(&form.social_title, &theirs.social_title) {
        settings.push(("Titre pour les réseaux", theirs.social_title.clone()));
    }
    if differs(&form.social_description, &theirs.social_description) {
        settings.push((
            "Description pour les réseaux",
            theirs.social_description.clone(),
        ));
    }
    let same_settings = settings.is_empty();
    let clean =
        base.is_some() && clashes.is_empty() && title.is_some() && dek.is_some() && same_settings;
    if clean {
        let nothing_new = merged.body == theirs.body_markdown
            && merged.title == theirs.title
            && merged.dek == theirs.dek.trim()
            && merged.tags == theirs.tags.0
            && merged.related == their_related
            && merged.social_title.trim() == theirs.social_title.trim()
            && merged.social_description.trim() == theirs.social_description.trim();
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
        settings,
        clashes,
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

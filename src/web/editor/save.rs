//! Saving the article form: creating an article, saving one (with the version check, a save
//! that met a colleague's handed to `conflict`, and repeated forms).

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use uuid::Uuid;

use super::actions::{done_name, step_asked};
use super::conflict::after_conflict;
use super::editable;
use super::form::{ArticleForm, Errors, check_rendered, validate};
use super::page::{Extras, form_page, invalid, redisplay};
use crate::domain::{
    Action, ArticleStatus, Permission, RevisionKind, TagKind, transition, typography,
};
use crate::store::articles::desk::{self, Editable};
use crate::store::articles::lock;
use crate::store::articles::status::{self, Changed, Step};
use crate::store::articles::write::{self, Outcome};
use crate::store::{tags, violates};
use crate::web::auth::{CurrentUser, SignedForm};
use crate::web::error::PathId;
use crate::web::{AppError, AppState};

const GONE_FROM_LIBRARY: &str =
    "Cette image n’est plus dans la bibliothèque : choisissez-en une autre.";

/// What keeps the chosen featured image from being used: it is not in the library, or it has
/// no text alternative (readers who do not see it would get nothing).
pub(in crate::web) async fn featured_problem(
    state: &AppState,
    form: &ArticleForm,
) -> Result<Option<&'static str>, AppError> {
    let Some(Some(id)) = form.featured() else {
        return Ok(None);
    };
    let mut conn = state.pool.acquire().await?;
    let found = crate::store::media::alts(&mut conn, &[id]).await?;
    Ok(match found.first() {
        None => Some(GONE_FROM_LIBRARY),
        Some((_, alt)) if alt.trim().is_empty() => Some(
            "L’image principale n’a pas de texte alternatif : décrivez-la dans la bibliothèque (Images) avant de la placer, pour les lecteurs qui ne la voient pas.",
        ),
        Some(_) => None,
    })
}

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
    if let Some(problem) = featured_problem(&state, &form).await? {
        let errors = Errors {
            featured: Some(problem),
            ..Errors::default()
        };
        return invalid(&state, &user, None, form, errors).await;
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
        // Deleted from the library between the check and the save.
        Err(e) if violates(&e, "article_featured_media_id_fkey") => {
            drop(tx);
            let errors = Errors {
                featured: Some(GONE_FROM_LIBRARY),
                ..Errors::default()
            };
            return invalid(&state, &user, None, form, errors).await;
        }
        Err(e) => return Err(e.into()),
    };
    lock::take(&mut tx, created.id, user.id).await?;
    if form.kind == "page" {
        write::make_page(&mut tx, created.id).await?;
    }
    let seen = (ArticleStatus::Draft, created.version);
    let submitted = form.intent == "status:submit"
        && status::change(&mut tx, created.id, seen, Step::Submit, Some(user.id))
            .await?
            .done();
    if submitted {
        state
            .review_notice(&mut tx, created.id, Action::Submit, user.id, None)
            .await?;
    }
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
    // Stored as readers get them: typeset for the article's language. Anything the form
    // writes that differs (the summary, the social fields, the tags too) is saved onto it.
    let same = created.is_some_and(|a| {
        let typeset = |t: &str| typography::for_lang(t.trim(), a.lang);
        let mut tags = form.tags.clone();
        tags.sort_unstable();
        let mut stored = a.tags.0.clone();
        stored.sort_unstable();
        a.title == typeset(&form.title)
            && a.dek == typeset(&form.dek)
            && a.body_markdown == form.body
            && (form.excerpt.trim().is_empty() || a.excerpt == typeset(&form.excerpt))
            && a.social_title == form.social_title.trim()
            && a.social_description == form.social_description.trim()
            && form
                .disclosure()
                .is_none_or(|(ai_use, open)| ai_use == a.ai_use && open == a.tdm_open)
            && tags == stored
            && form.new_tag_name.trim().is_empty()
    });
    if same {
        return Ok(Redirect::to(&format!("/editor/articles/{id}?saved=1")).into_response());
    }
    // Saved onto its first version as a save of its own: its key would make it look like the
    // first sending again (a revision holds neither the summary nor the social fields).
    let form = ArticleForm {
        version: 1,
        save_key: None,
        ..form
    };
    save_form(state, user, id, form).await
}

/// The article a new-article form already created, when it is sent again.
pub(super) async fn already_created(
    state: &AppState,
    key: Option<Uuid>,
) -> Result<Option<Uuid>, AppError> {
    match key {
        Some(key) => Ok(desk::created_by(&state.pool, key).await?),
        None => Ok(None),
    }
}

pub(in crate::web) fn slug_taken() -> Errors {
    Errors {
        slug: Some(
            "Cette adresse est déjà utilisée par un autre article : choisissez-en une autre.",
        ),
        ..Errors::default()
    }
}

/// A translation group has one article per language.
pub(in crate::web) fn language_taken() -> Errors {
    Errors {
        lang: Some(
            "Une autre version de cet article (original ou traduction) est déjà dans cette langue.",
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
        Some(name) => match step_asked(
            state,
            name,
            &form.reason,
            &form.at,
            live_now(&article),
            article.embargo_until,
        )
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
    if let Some(problem) = featured_problem(state, &form).await? {
        let errors = Errors {
            featured: Some(problem),
            ..Errors::default()
        };
        return invalid(state, &user, Some(&article), form, errors).await;
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
        // Deleted from the library between the check and the save.
        Err(e) if violates(&e, "article_featured_media_id_fkey") => {
            drop(tx);
            let errors = Errors {
                featured: Some(GONE_FROM_LIBRARY),
                ..Errors::default()
            };
            return invalid(state, &user, Some(&article), form, errors).await;
        }
        Err(e) => return Err(e.into()),
    };
    match outcome {
        Outcome::Saved { version, .. } => {
            // Readers are told a public article changed in substance when its editor says so.
            if form.substantive.as_deref() == Some("yes") && live_now(&article) {
                write::mark_revised(&mut tx, id, user.id).await?;
            }
            // A workflow button of the form: the text is saved first, then the status moves.
            let mut done = "saved=1".to_owned();
            if let Some((name, step)) = asked {
                let own = article.is_by(user.id);
                let (from, action) = (article.status, step.action());
                let allowed = transition(from, action, user.role).is_ok()
                    && user.may(Permission::ChangeStatus { own, from, action });
                if !allowed {
                    return Err(AppError::Forbidden);
                }
                match status::change(&mut tx, id, (from, version), step, Some(user.id)).await? {
                    Changed::Done => {
                        state
                            .review_notice(&mut tx, id, action, user.id, step.note())
                            .await?;
                        done = format!("status={}", done_name(&name, step));
                    }
                    // Put under embargo between the check above and now: the text is saved,
                    // the publication is not done.
                    Changed::Embargoed(_) => done = "status=embargoed".to_owned(),
                    Changed::Stale => done = format!("status={}", done_name(&name, step)),
                }
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
        Outcome::LanguageTaken => {
            drop(tx);
            invalid(state, &user, Some(&article), form, language_taken()).await
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

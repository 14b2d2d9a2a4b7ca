//! The article form as a page: a new article, an article to edit, and the same form shown
//! again (a preview, a related-article search, errors), with the workflow buttons the user's
//! role allows.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

use super::form::{ArticleForm, Errors, body_error};
use super::view::{
    ActionButton, ConflictView, CorrectionLine, EditPage, LockNotice, Meta, describe,
};
use super::{delete_permission, may_edit, standing_label, standing_of, visible};
use crate::domain::{Action, ArticleStatus, Lang, Permission, Slug, Standing, markdown};
use crate::store::articles::desk::{self, Editable, Pick};
use crate::store::articles::{links, lock};
use crate::store::review;
use crate::web::auth::CurrentUser;
use crate::web::error::PathId;
use crate::web::{AppError, AppState, assets};

/// Someone who saved or autosaved within this is still "editing".
pub(super) const LOCK_FRESH: Duration = Duration::minutes(2);

/// The extras a form page may show.
#[derive(Default)]
pub(super) struct Extras {
    pub errors: Errors,
    pub preview: Option<String>,
    /// The body's links to articles, when the body was just rendered (a preview): the page
    /// does not render it again to find them.
    pub links: Option<Vec<Slug>>,
    pub results: Vec<Pick>,
    pub notice: Option<String>,
    pub conflict: Option<ConflictView>,
    /// The form holds text that is not saved (shown again after a preview, an error…).
    pub unsaved: bool,
    /// A correction that could not be added, with why.
    pub correction: Option<(String, &'static str)>,
    pub delete_error: Option<&'static str>,
    /// What keeps a workflow button's request from being done (a schedule's date, an
    /// embargo…).
    pub workflow_error: Option<String>,
    /// An embargo form that could not be done, as typed.
    pub embargo: Option<super::embargo::Typed>,
    /// A preview link that could not be made, as asked.
    pub share: Option<super::share::Typed>,
    /// A preview link just made, shown this once.
    pub new_link: Option<String>,
    /// Why the bylines could not be changed.
    pub bylines_error: Option<&'static str>,
    /// A source typed in the translation box that could not be linked, and why.
    pub translation: Option<(String, String)>,
    /// A note that could not be added, as typed.
    pub note: Option<super::notes::Typed>,
}

pub(super) async fn form_page(
    state: &AppState,
    user: &CurrentUser,
    article: Option<&Editable>,
    mut form: ArticleForm,
    extras: Extras,
) -> Result<EditPage, AppError> {
    // A form shown afresh gets its key; one shown again (preview, errors) keeps the one it
    // was sent with, since nothing of it was saved.
    form.save_key.get_or_insert_with(Uuid::new_v4);
    // Rescheduling starts from the time it is scheduled for, on the newsroom's clock.
    if let Some(Standing::Scheduled(at)) = article.map(standing_of)
        && form.at.is_empty()
    {
        let local = state.local_time(at);
        form.at = format!("{}T{:02}:{:02}", local.date(), local.hour(), local.minute());
    }
    let tags = EditPage::tag_options(desk::tag_choices(&state.pool).await?, &form.tags);
    let related = desk::picks(&state.pool, &form.related_order()).await?;
    // A body over the limit is only shown again, with its error: it is not rendered.
    let mut derived_excerpt = String::new();
    let links = match extras.links {
        Some(links) => links,
        None if form.body.len() <= state.config.max_body_bytes => {
            let lang = Lang::parse(&form.lang).unwrap_or(state.config.lang);
            let rendered = state.render(&form.body, lang).await?;
            derived_excerpt = rendered.excerpt;
            rendered.article_links
        }
        None => Vec::new(),
    };
    // A summary nobody typed (the one derived from the text) is not shown as typed: the field
    // stays empty, so that it follows the text until someone writes one.
    if !derived_excerpt.is_empty() && form.excerpt.trim() == derived_excerpt.trim() {
        form.excerpt.clear();
    }
    // The AI-use disclosure and the mining choice, as typed or as stored.
    let (ai_use_value, tdm_open) = match (&form.ai_use, article) {
        (Some(typed), _) => (
            typed.trim().to_owned(),
            form.tdm_open.as_deref() == Some("yes"),
        ),
        (None, Some(a)) => (a.ai_use.as_str().to_owned(), a.tdm_open),
        (None, None) => ("none".to_owned(), false),
    };
    let featured_value = match &form.featured_media {
        Some(id) => id.trim().to_owned(),
        None => article
            .and_then(|a| a.featured_media_id)
            .map(|id| id.to_string())
            .unwrap_or_default(),
    };
    let base = state.media_base();
    let featured_choices =
        crate::store::media::choices(&state.pool, uuid::Uuid::parse_str(&featured_value).ok(), 12)
            .await?
            .into_iter()
            .map(|(id, alt, thumbnail)| super::view::FeaturedChoice {
                id: id.to_string(),
                alt,
                thumbnail: thumbnail.map(|t| format!("{base}/{t}")),
            })
            .collect();
    let words = markdown::word_count(&form.body);
    let warnings = describe(&links::link_warnings(&state.pool, &links).await?);
    let title = match article {
        Some(a) => format!("{} — éditeur", a.title),
        None if form.kind == "page" => "Nouvelle page — éditeur".to_owned(),
        None => "Nouvel article — éditeur".to_owned(),
    };
    let meta = article.map(|a| {
        let standing = standing_of(a);
        Meta {
            id: a.id,
            standing: standing.key(),
            standing_label: standing_label(state, standing),
            live: matches!(standing, Standing::Published | Standing::Archived),
            // Every byline, the author first.
            author_name: std::iter::once(a.author_name.as_str())
                .chain(a.coauthors.0.iter().map(|c| c.name.as_str()))
                .collect::<Vec<_>>()
                .join(", "),
            slug: a.slug.clone(),
            // Readers' page, asked afresh (never this browser's older copy of it).
            public_url: matches!(standing, Standing::Published | Standing::Archived).then(|| {
                if a.kind == "page" {
                    format!("/pages/{}?v={}", a.slug, a.version)
                } else {
                    format!("/articles/{}?v={}", a.slug, a.version)
                }
            }),
            page: a.kind == "page",
            withdrawn_reason: (standing == Standing::Withdrawn).then(|| a.withdrawn_reason.clone()),
        }
    });
    let lock = article.and_then(|a| held_by_other(state, a, user));
    let corrections = match article {
        Some(a) if a.status == ArticleStatus::Published => review::corrections(&state.pool, a.id)
            .await?
            .into_iter()
            .map(|c| CorrectionLine {
                date: state.date_text(c.noted_at),
                body: c.body,
            })
            .collect(),
        _ => Vec::new(),
    };
    // Corrections are for what readers have read.
    let can_correct = article.is_some_and(|a| standing_of(a) == Standing::Published)
        && user.may(Permission::AddCorrection);
    let (correction_text, correction_error) = match extras.correction {
        Some((text, error)) => (text, Some(error)),
        None => (String::new(), None),
    };
    let embargo = article.map(|a| super::embargo::EmbargoBox::new(state, user, a, extras.embargo));
    let bylines = match article {
        Some(a) => {
            Some(super::bylines::BylinesBox::new(state, user, a, extras.bylines_error).await?)
        }
        None => None,
    };
    let translation = match article {
        Some(a) => {
            Some(super::translation::TranslationBox::new(state, user, a, extras.translation).await?)
        }
        None => None,
    };
    let notes = match article {
        Some(a) => Some(super::notes::NotesBox::new(state, a, extras.note).await?),
        None => None,
    };
    let sharing = match article {
        Some(a) => {
            Some(super::share::ShareBox::new(state, user, a, extras.share, extras.new_link).await?)
        }
        None => None,
    };
    let actions = article.map(|a| buttons(state, user, a)).unwrap_or_else(|| {
        // A new article can be saved and sent for review in one go.
        vec![ActionButton::now(
            "submit",
            "Enregistrer et envoyer en relecture",
        )]
    });
    Ok(EditPage {
        page: state.page_for(user, title),
        csrf: user.csrf_token().to_owned(),
        can_edit: article.is_none_or(|a| may_edit(user, a)),
        live: meta.as_ref().is_some_and(|m| m.live),
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
        can_delete: article.is_some_and(|a| user.may(delete_permission(user, a))),
        timezone: state.config.timezone.clone(),
        featured_choices,
        featured_value,
        ai_use_value,
        ai_uses: crate::domain::regulation::AiUse::ALL
            .iter()
            .map(|u| (u.as_str(), u.label(crate::domain::Lang::Fr)))
            .collect(),
        tdm_open,
        tdm_reserved: state.config.tdm.reserved,
        delete_error: extras.delete_error,
        workflow_error: extras.workflow_error,
        embargo,
        sharing,
        bylines,
        translation,
        notes,
        words,
        reading_minutes: markdown::reading_minutes(words),
        excerpt_placeholder: derived_excerpt,
        script: assets::EDITOR_SCRIPT.url.as_str(),
    })
}

/// The soft lock, when someone else holds it.
fn held_by_other(state: &AppState, article: &Editable, user: &CurrentUser) -> Option<LockNotice> {
    let (Some(by), Some(at)) = (article.locked_by, article.locked_at) else {
        return None;
    };
    (by != user.id && OffsetDateTime::now_utc() - at < LOCK_FRESH).then(|| LockNotice {
        name: article.locked_by_name.clone().unwrap_or_default(),
        last_seen: state.moment_text(at),
    })
}

/// The workflow buttons this user's role allows on this article now, in the newsroom's words;
/// those that change what readers see ask first.
fn buttons(state: &AppState, user: &CurrentUser, article: &Editable) -> Vec<ActionButton> {
    let own = article.is_by(user.id);
    let from = article.status;
    let standing = standing_of(article);
    let scheduled = matches!(standing, Standing::Scheduled(_));
    let live = matches!(standing, Standing::Published | Standing::Archived);
    let title = &article.title;
    let zone = &state.config.timezone;
    let mut buttons = Vec::new();
    let candidates = [
        (Action::Submit, "submit"),
        (Action::Retract, "retract"),
        (Action::RequestChanges, "request_changes"),
        (Action::Publish, "publish"),
        (Action::Publish, "schedule"),
        (Action::Unpublish, "unpublish"),
        (Action::Unpublish, "withdraw"),
        (Action::Archive, "archive"),
    ];
    for (action, name) in candidates {
        if !user.may(Permission::ChangeStatus { own, from, action }) {
            continue;
        }
        let button = match name {
            "submit" => ActionButton::now(name, "Envoyer en relecture"),
            // Only the author takes their own article back; editors send it back with a note.
            "retract" if own => ActionButton::now(name, "Reprendre l’article (annuler l’envoi)"),
            "request_changes" if !own => ActionButton::now(name, "Renvoyer à l’auteur"),
            "publish" if !live => ActionButton::asking(
                name,
                if scheduled { "Publier maintenant…" } else { "Publier…" },
                format!("Publier « {title} » maintenant ? Les lecteurs le verront aussitôt : sur le site, dans les flux et la recherche."),
                "Oui, publier maintenant",
            ),
            "schedule" if !live => ActionButton::asking(
                name,
                if scheduled { "Reprogrammer…" } else { "Programmer…" },
                format!("Publier « {title} » automatiquement au moment choisi (heure de {zone}) :"),
                "Programmer la publication",
            ),
            "unpublish" if scheduled => ActionButton::asking(
                name,
                "Annuler la programmation…",
                "L’article repasse en brouillon et ne sortira pas au moment prévu.".to_owned(),
                "Oui, annuler la programmation",
            ),
            "unpublish" => ActionButton::asking(
                name,
                "Mettre hors ligne…",
                "L’article quitte le site, les flux et la recherche ; son adresse répondra « page introuvable ». Pour dire aux lecteurs qu’il a été retiré, choisissez plutôt « Retirer ».".to_owned(),
                "Oui, mettre hors ligne",
            ),
            "withdraw" if !scheduled => ActionButton::asking(
                name,
                "Retirer…",
                "L’article quitte le site ; son adresse dira aux lecteurs qu’il a été retiré par la rédaction, avec le motif ci-dessous.".to_owned(),
                "Oui, retirer l’article",
            ),
            "archive" if !scheduled => ActionButton::asking(
                name,
                "Archiver…",
                "L’article reste lisible à son adresse, avec la mention « archivé », mais quitte l’accueil, les listes, les flux et la recherche.".to_owned(),
                "Oui, archiver",
            ),
            _ => continue,
        };
        buttons.push(button);
    }
    buttons
}

#[derive(Deserialize)]
pub struct NewQuery {
    #[serde(default)]
    kind: String,
}

/// `/editor/new`, or `/editor/new?kind=page` for a standalone page.
pub async fn new(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<NewQuery>,
) -> Result<EditPage, AppError> {
    let form = ArticleForm {
        lang: state.config.lang.as_str().to_owned(),
        kind: if q.kind == "page" {
            "page".to_owned()
        } else {
            String::new()
        },
        ..ArticleForm::default()
    };
    form_page(&state, &user, None, form, Extras::default()).await
}

/// The buttons that only show the form again, nothing saved: preview, search, reorder.
pub(super) async fn redisplay(
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
                desk::search_published(&state.pool, &form.related_q, exclude, 10).await?;
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
pub(super) async fn invalid(
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

#[derive(Deserialize)]
pub struct Notices {
    saved: Option<String>,
    status: Option<String>,
    restored: Option<i64>,
    merged: Option<String>,
}

pub async fn edit(
    State(state): State<AppState>,
    user: CurrentUser,
    PathId(id): PathId<Uuid>,
    Query(q): Query<Notices>,
) -> Result<EditPage, AppError> {
    let article = visible(&state, &user, id).await?;
    // Opening the form takes the soft lock, unless someone else is at work on it.
    if may_edit(&user, &article) && held_by_other(&state, &article, &user).is_none() {
        let mut conn = state.pool.acquire().await?;
        lock::take(&mut conn, id, user.id).await?;
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
                "unschedule" => {
                    "C’est fait : la programmation est annulée, l’article est en brouillon."
                }
                "retract" => {
                    "C’est fait : l’article est revenu en brouillon, vous pouvez le modifier."
                }
                "correction" => "Correction publiée sous l’article.",
                "embargo" => "C’est fait : l’embargo est enregistré.",
                "embargo_lifted" => "C’est fait : l’embargo est levé, l’article peut sortir.",
                "no_embargo" => "L’article n’était pas sous embargo.",
                "embargoed" => "Article enregistré, mais pas publié : il est sous embargo.",
                "link_revoked" => "C’est fait : le lien d’aperçu ne fonctionne plus.",
                "bylines" => "C’est fait : les signatures sont enregistrées.",
                "linked" => "C’est fait : l’article est lié à son original.",
                "note" => "Note ajoutée.",
                "unlinked" => "C’est fait : l’article n’est plus lié à un original.",
                _ => "C’est fait : brouillon.",
            }
            .to_owned(),
        )
    } else if let Some(merged) = q.merged {
        let mut notice = "Quelqu’un avait enregistré l’article pendant que vous écriviez, sur d’autres passages : ses modifications et les vôtres sont réunies et enregistrées. Relisez l’ensemble.".to_owned();
        if merged == "pending" {
            notice.push_str(" L’action demandée avec l’enregistrement n’a pas été faite : refaites-la après relecture.");
        }
        Some(notice)
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

/// The article's page again, as stored, with what could not be done (422).
pub(super) async fn refused_on_page(
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

/// The article's page as stored, with something to show this once (200).
pub(super) async fn shown(
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
    Ok(page.into_response())
}

/// `/editor/by-slug/{slug}`: the "Modifier" link of a public page, to the article's page in
/// the editor (for whoever may see it there; others get "not found", as everywhere).
pub async fn by_slug(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(slug): Path<String>,
) -> Result<Response, AppError> {
    let id = desk::id_of(&state.pool, &slug)
        .await?
        .ok_or(AppError::NotFound)?;
    visible(&state, &user, id).await?;
    Ok(Redirect::to(&format!("/editor/articles/{id}")).into_response())
}

//! The translation box beside the form: make the article the translation of another (its
//! source, in another language), or no longer one; a translation whose source changed since it
//! was last saved says "Traduction à mettre à jour", with the source's changes word by word.

use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use uuid::Uuid;

use super::page::{Extras, refused_on_page};
use super::{may_edit, standing_of, visible};
use crate::domain::diff::{Piece, word_diff};
use crate::domain::{Permission, Standing};
use crate::store::articles::desk::{self, Editable};
use crate::store::articles::translations::{self, Refused};
use crate::web::auth::{CurrentUser, SignedForm};
use crate::web::error::PathId;
use crate::web::{AppError, AppState};

/// Another article of the group, as the box lists it.
pub struct Sibling {
    pub id: Uuid,
    pub title: String,
    pub lang: String,
    pub source: bool,
}

/// The box: where the article stands in its group, and the form.
pub struct TranslationBox {
    pub can_set: bool,
    /// It is a translation (of the sibling marked `source`).
    pub is_translation: bool,
    pub siblings: Vec<Sibling>,
    /// The source changed since the translation was last saved: its title and changes.
    pub stale: Option<(String, Vec<Piece>)>,
    pub source_value: String,
    pub error: Option<String>,
}

impl TranslationBox {
    pub async fn new(
        state: &AppState,
        user: &CurrentUser,
        article: &Editable,
        typed: Option<(String, String)>,
    ) -> Result<Self, AppError> {
        let group = translations::group(&state.pool, article.id).await?;
        let is_translation = group.iter().any(|m| m.source && m.id != article.id);
        // A version this person may not see in the editor (a colleague's draft, for a
        // journalist) is neither listed nor shown, as it would be "not found" at its address.
        let everyone = user.may(Permission::ViewArticle { own: false });
        let may_see = |m: &translations::Member| everyone || m.public || m.author_id == user.id;
        let source_visible = group.iter().any(|m| m.source && may_see(m));
        let siblings = group
            .iter()
            .filter(|m| m.id != article.id && may_see(m))
            .cloned()
            .map(|m| Sibling {
                id: m.id,
                title: m.title,
                lang: m.lang.to_string(),
                source: m.source,
            })
            .collect();
        let stale = match translations::stale(&state.pool, article.id).await? {
            Some(s) if source_visible => {
                let (before, now) = (s.before, s.now);
                let pieces = state.text_work(move || word_diff(&before, &now)).await?;
                Some((s.source_title, pieces))
            }
            // The original changed, but is not this person's to read: said, not shown.
            Some(_) => Some(("l’original".to_owned(), Vec::new())),
            None => None,
        };
        let (source_value, error) = match typed {
            Some((value, error)) => (value, Some(error)),
            None => (String::new(), None),
        };
        Ok(Self {
            can_set: may_edit(user, article),
            is_translation,
            siblings,
            stale,
            source_value,
            error,
        })
    }
}

#[derive(Deserialize)]
pub struct TranslationForm {
    /// The source: its address on the site, its address in the editor, or its slug.
    #[serde(default)]
    source: String,
    /// `yes`: no longer a translation.
    #[serde(default)]
    unlink: String,
}

/// The article a typed source names: `/articles/{slug}` (with or without the site's address),
/// `/editor/articles/{id}`, or a bare slug.
async fn source_named(state: &AppState, typed: &str) -> Result<Option<Uuid>, AppError> {
    let typed = typed.trim().trim_end_matches('/');
    if let Some((_, id)) = typed.rsplit_once("/editor/articles/") {
        return Ok(Uuid::parse_str(id.split(['/', '?', '#']).next().unwrap_or("")).ok());
    }
    let slug = typed
        .rsplit_once("/articles/")
        .map_or(typed, |(_, slug)| slug)
        .split(['?', '#'])
        .next()
        .unwrap_or("");
    if slug.is_empty() {
        return Ok(None);
    }
    Ok(desk::id_of(&state.pool, slug).await?)
}

/// `POST /editor/articles/{id}/translation`: links the article to its source, or unlinks it.
pub async fn set(
    State(state): State<AppState>,
    PathId(id): PathId<Uuid>,
    signed: SignedForm<TranslationForm>,
) -> Result<Response, AppError> {
    let SignedForm { user, form } = signed;
    let article = visible(&state, &user, id).await?;
    if !may_edit(&user, &article) {
        return Err(AppError::Forbidden);
    }
    if form.unlink == "yes" {
        let mut tx = state.pool.begin().await?;
        translations::unlink(&mut tx, id, user.id).await?;
        tx.commit().await?;
        return Ok(Redirect::to(&format!("/editor/articles/{id}?status=unlinked")).into_response());
    }
    // A source this person may not see (a colleague's draft, for a journalist) is "not found",
    // like the article itself would be; and so is its original, which the link is made to.
    let typed = form.source.trim();
    let typed_source = if typed.contains('\0') || typed.chars().count() > 300 {
        None
    } else {
        source_named(&state, typed).await?
    };
    let source = match typed_source {
        Some(source) => {
            let mut conn = state.pool.acquire().await?;
            let may_see = |s: &Editable| {
                user.may(Permission::ViewArticle {
                    own: s.is_by(user.id),
                }) || matches!(standing_of(s), Standing::Published | Standing::Archived)
            };
            match desk::load(&mut conn, source).await? {
                Some(s) if may_see(&s) => match s.translation_of {
                    None => Some(s.id),
                    Some(root) => match desk::load(&mut conn, root).await? {
                        Some(r) if may_see(&r) => Some(s.id),
                        _ => None,
                    },
                },
                _ => None,
            }
        }
        None => None,
    };
    let mut tx = state.pool.begin().await?;
    let refused = match source {
        None => Some(Refused::NoSource),
        Some(source) => translations::link(&mut tx, id, source, user.id)
            .await?
            .err(),
    };
    if let Some(refused) = refused {
        drop(tx);
        let error = match refused {
            Refused::NoSource => "Aucun article à cette adresse : collez l’adresse de l’original (sur le site ou dans l’éditeur), ou son identifiant d’adresse.".to_owned(),
            Refused::Itself => "Un article n’est pas sa propre traduction.".to_owned(),
            Refused::SameLanguage => "L’original est dans la même langue : changez d’abord la langue de cet article (Réglages).".to_owned(),
            Refused::LanguageTaken(_) => "L’original a déjà une traduction dans cette langue.".to_owned(),
            Refused::Page => "Une page du site n’a pas de traduction liée : seuls les articles en ont.".to_owned(),
            Refused::IsSource => "Cet article a lui-même des traductions : c’est un original.".to_owned(),
        };
        let extras = Extras {
            translation: Some((form.source.clone(), error)),
            ..Extras::default()
        };
        return refused_on_page(&state, &user, &article, extras).await;
    }
    tx.commit().await?;
    Ok(Redirect::to(&format!("/editor/articles/{id}?status=linked")).into_response())
}

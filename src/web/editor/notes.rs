//! Editorial notes beside the form: staff comment on the article (the whole of it, or one
//! paragraph), reply in threads, resolve them; `@nom` tells a colleague (a notification). Notes
//! are never part of the text: not in revisions, pages, feeds, the API or readers' exports.

use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use uuid::Uuid;

use super::page::{Extras, refused_on_page};
use super::visible;
use crate::store::articles::desk::Editable;
use crate::store::notes::{self, Note};
use crate::store::notifications::{self, Kind};
use crate::web::auth::{CurrentUser, SignedForm};
use crate::web::error::PathId;
use crate::web::{AppError, AppState};

/// A note as a thread shows it.
pub struct NoteLine {
    pub author: String,
    pub when: String,
    pub body: String,
}

/// A thread: what it is about, its notes, whether it is resolved.
pub struct Thread {
    pub id: i64,
    pub about: String,
    pub open: bool,
    /// "Résolu par … le …".
    pub resolved: Option<String>,
    pub notes: Vec<NoteLine>,
}

/// The notes box.
pub struct NotesBox {
    pub threads: Vec<Thread>,
    pub open: usize,
    /// The paragraphs a new thread may be about: index and first words.
    pub paragraphs: Vec<(i32, String)>,
    pub error: Option<&'static str>,
    /// What was typed when a note could not be added: paragraph, text, thread.
    pub typed: (String, String, Option<i64>),
}

/// What the form typed, and why it was refused.
pub struct Typed {
    pub paragraph: String,
    pub body: String,
    pub parent: Option<i64>,
    pub error: &'static str,
}

/// The paragraphs of a Markdown body: what blank lines separate.
fn paragraphs(body: &str) -> Vec<&str> {
    body.split("\n\n")
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .collect()
}

/// The first words of a paragraph, as a note remembers them.
fn first_words(paragraph: &str) -> String {
    let flat: String = paragraph.split_whitespace().collect::<Vec<_>>().join(" ");
    if flat.chars().count() <= 80 {
        flat
    } else {
        let cut: String = flat.chars().take(80).collect();
        format!("{}…", cut.trim_end())
    }
}

/// The page slugs a note mentions: `@claire-dubois`.
pub(super) fn mentions(body: &str) -> Vec<String> {
    let mut found = Vec::new();
    for (i, _) in body.match_indices('@') {
        // Not an e-mail address: a mention starts a word.
        if body[..i].chars().last().is_some_and(char::is_alphanumeric) {
            continue;
        }
        let slug: String = body[i + 1..]
            .chars()
            .take_while(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '-')
            .collect();
        let slug = slug.trim_matches('-').to_owned();
        if !slug.is_empty() && !found.contains(&slug) {
            found.push(slug);
        }
    }
    found
}

/// An article's notes as threads, the open ones first.
pub(in crate::web) fn threads(state: &AppState, notes: Vec<Note>) -> Vec<Thread> {
    let mut threads: Vec<Thread> = Vec::new();
    for n in notes {
        let line = NoteLine {
            author: n.author_name.clone().unwrap_or_else(|| "—".to_owned()),
            when: state.moment_text(n.created_at),
            body: n.body.clone(),
        };
        match n.parent_id {
            Some(parent) => {
                if let Some(t) = threads.iter_mut().find(|t| t.id == parent) {
                    t.notes.push(line);
                }
            }
            None => threads.push(Thread {
                id: n.id,
                about: match n.paragraph {
                    Some(p) => format!("§ {} « {} »", p + 1, n.quote),
                    None => "Tout l’article".to_owned(),
                },
                open: n.resolved_at.is_none(),
                resolved: n.resolved_at.map(|at| {
                    format!(
                        "Résolu par {} le {}",
                        n.resolved_by_name.clone().unwrap_or_else(|| "—".to_owned()),
                        state.moment_text(at)
                    )
                }),
                notes: vec![line],
            }),
        }
    }
    threads.sort_by_key(|t| !t.open);
    threads
}

impl NotesBox {
    pub async fn new(
        state: &AppState,
        article: &Editable,
        typed: Option<Typed>,
    ) -> Result<Self, AppError> {
        let threads = threads(state, notes::of_article(&state.pool, article.id).await?);
        let open = threads.iter().filter(|t| t.open).count();
        let paragraphs = paragraphs(&article.body_markdown)
            .into_iter()
            .enumerate()
            .map(|(i, p)| (i32::try_from(i).unwrap_or(i32::MAX), first_words(p)))
            .collect();
        let (error, typed) = match typed {
            Some(t) => (Some(t.error), (t.paragraph, t.body, t.parent)),
            None => (None, (String::new(), String::new(), None)),
        };
        Ok(Self {
            threads,
            open,
            paragraphs,
            error,
            typed,
        })
    }

    /// Whether the form's paragraph choice is `index` (for `selected`).
    pub fn chosen(&self, index: &i32) -> bool {
        self.typed.0 == index.to_string()
    }

    /// Whether the text typed belongs to thread `id` (a reply refused) or to a new thread.
    pub fn typed_for(&self, id: Option<i64>) -> &str {
        if self.typed.2 == id {
            &self.typed.1
        } else {
            ""
        }
    }
}

#[derive(Deserialize)]
pub struct NoteForm {
    #[serde(default)]
    paragraph: String,
    /// Not `body`: the article form on the same page has that field.
    #[serde(default)]
    text: String,
    #[serde(default)]
    parent: String,
}

/// `POST /editor/articles/{id}/notes`: a new thread, or a reply (`parent`).
pub async fn add(
    State(state): State<AppState>,
    PathId(id): PathId<Uuid>,
    signed: SignedForm<NoteForm>,
) -> Result<Response, AppError> {
    let SignedForm { user, form } = signed;
    let article = visible(&state, &user, id).await?;
    let parent = form.parent.trim().parse::<i64>().ok();
    let body = form.text.trim();
    let all = paragraphs(&article.body_markdown);
    let paragraph = form.paragraph.trim().parse::<usize>().ok();
    let again = |error: &'static str| Typed {
        paragraph: form.paragraph.clone(),
        body: form.text.clone(),
        parent,
        error,
    };
    if body.is_empty() || body.chars().count() > 4000 || body.contains('\0') {
        return refused(
            &state,
            &user,
            &article,
            again("Écrivez la note (4 000 caractères au plus)."),
        )
        .await;
    }
    if paragraph.is_some_and(|p| p >= all.len()) {
        return refused(
            &state,
            &user,
            &article,
            again("Ce paragraphe n’existe plus : choisissez-en un autre."),
        )
        .await;
    }
    let quote = paragraph.map(|p| first_words(all[p])).unwrap_or_default();
    let paragraph = paragraph.and_then(|p| i32::try_from(p).ok());
    let mut tx = state.pool.begin().await?;
    if notes::add(&mut tx, id, parent, paragraph, &quote, body, user.id)
        .await?
        .is_none()
    {
        drop(tx);
        return refused(
            &state,
            &user,
            &article,
            again("Cette discussion n’existe plus."),
        )
        .await;
    }
    // `@nom` tells colleagues who may see the article.
    let named = mentions(body);
    if !named.is_empty() {
        let mut told = Vec::new();
        for (person, role) in notes::mentioned(&mut tx, &named).await? {
            if role.is_editor() || article.is_by(person) {
                told.push(person);
            }
        }
        notifications::notify(&mut tx, &told, Kind::Mentioned, id, user.id).await?;
        // And by e-mail, when mail is on.
        let link = format!("{}/editor/articles/{id}#notes", state.config.base_url);
        for person in told.into_iter().filter(|p| *p != user.id) {
            state
                .mail_user(&mut tx, person, |to| {
                    crate::mail::messages::mentioned(
                        to,
                        &article.title,
                        &user.display_name,
                        body,
                        &link,
                    )
                })
                .await?;
        }
    }
    tx.commit().await?;
    Ok(Redirect::to(&format!("/editor/articles/{id}?status=note#notes")).into_response())
}

#[derive(Deserialize)]
pub struct ResolveForm {
    /// `yes`: open it again.
    #[serde(default)]
    open: String,
}

/// `POST /editor/articles/{id}/notes/{note}/resolve`: a thread resolved, or open again.
pub async fn resolve(
    State(state): State<AppState>,
    PathId((id, note)): PathId<(Uuid, i64)>,
    signed: SignedForm<ResolveForm>,
) -> Result<Response, AppError> {
    let SignedForm { user, form } = signed;
    visible(&state, &user, id).await?;
    let mut tx = state.pool.begin().await?;
    let done = notes::resolve(&mut tx, id, note, form.open != "yes", user.id).await?;
    tx.commit().await?;
    if !done {
        return Err(AppError::NotFound);
    }
    Ok(Redirect::to(&format!("/editor/articles/{id}#notes")).into_response())
}

async fn refused(
    state: &AppState,
    user: &CurrentUser,
    article: &Editable,
    typed: Typed,
) -> Result<Response, AppError> {
    let extras = Extras {
        note: Some(typed),
        ..Extras::default()
    };
    refused_on_page(state, user, article, extras).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mentions_are_page_slugs_after_an_at_sign_never_in_an_address() {
        assert_eq!(
            mentions("@claire-dubois, vois le § 2 ; cc @marc. Écrire à a@b.fr"),
            ["claire-dubois", "marc"]
        );
        assert!(mentions("rien ici @ personne").is_empty());
    }

    #[test]
    fn paragraphs_are_what_blank_lines_separate_and_quotes_are_short() {
        assert_eq!(
            paragraphs("Un.\n\n\n\nDeux\nsuite.\n\n"),
            ["Un.", "Deux\nsuite."]
        );
        let long = "mot ".repeat(40);
        assert!(first_words(&long).chars().count() <= 81);
        assert!(first_words(&long).ends_with('…'));
    }
}

//! Who signs an article, beside the form: its author (editors reassign it) and up to
//! [`SLOTS`] co-authors in order, accounts or guest contributors (`/admin/contributors`).
//! Co-authors with an account may then edit the article as its author may.

use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use uuid::Uuid;

use super::page::{Extras, refused_on_page};
use super::visible;
use crate::domain::Permission;
use crate::store::articles::bylines::{self, Coauthor};
use crate::store::articles::desk::Editable;
use crate::store::{contributors, users};
use crate::web::auth::{CurrentUser, SignedForm};
use crate::web::error::PathId;
use crate::web::{AppError, AppState};

/// How many co-authors the form offers.
pub const SLOTS: usize = 4;

/// The bylines box: the choices and what is chosen.
pub struct BylinesBox {
    pub can_set: bool,
    /// May choose another author (editors).
    pub can_reassign: bool,
    pub author: Uuid,
    /// Accounts (`u:<id>`) and guests (`c:<id>`), with their names.
    pub accounts: Vec<(Uuid, String)>,
    pub guests: Vec<(String, String)>,
    /// The key chosen in each slot (`""`: nobody).
    pub slots: Vec<String>,
    pub error: Option<&'static str>,
}

impl BylinesBox {
    pub async fn new(
        state: &AppState,
        user: &CurrentUser,
        article: &Editable,
        error: Option<&'static str>,
    ) -> Result<Self, AppError> {
        let own = article.is_by(user.id);
        let status = article.status;
        let can_set = user.may(Permission::SetBylines {
            own,
            author: false,
            status,
        });
        let mut slots: Vec<String> = article
            .coauthors
            .0
            .iter()
            .filter_map(|c| match (c.user_id, c.contributor_id) {
                (Some(u), _) => Some(Coauthor::Account(u).key()),
                (None, Some(g)) => Some(Coauthor::Guest(g).key()),
                _ => None,
            })
            .collect();
        slots.resize(SLOTS.max(slots.len() + 1), String::new());
        let (accounts, guests) = if can_set {
            let guests = contributors::list(&state.pool)
                .await?
                .into_iter()
                .map(|g| (Coauthor::Guest(g.id).key(), g.name))
                .collect();
            (users::signers(&state.pool).await?, guests)
        } else {
            (Vec::new(), Vec::new())
        };
        Ok(Self {
            can_set,
            can_reassign: user.may(Permission::SetBylines {
                own,
                author: true,
                status,
            }),
            author: article.author_id,
            accounts,
            guests,
            slots,
            error,
        })
    }

    /// The key of account `id`, as the co-author choices name it.
    pub fn account_key(id: &Uuid) -> String {
        Coauthor::Account(*id).key()
    }
}

#[derive(Deserialize)]
pub struct BylinesForm {
    #[serde(default)]
    author: String,
    #[serde(default)]
    coauthor: Vec<String>,
}

/// `POST /editor/articles/{id}/bylines`: the author (editors) and the co-authors, in order.
pub async fn set(
    State(state): State<AppState>,
    PathId(id): PathId<Uuid>,
    signed: SignedForm<BylinesForm>,
) -> Result<Response, AppError> {
    let SignedForm { user, form } = signed;
    let article = visible(&state, &user, id).await?;
    let own = article.is_by(user.id);
    let status = article.status;
    if !user.may(Permission::SetBylines {
        own,
        author: false,
        status,
    }) {
        return Err(AppError::Forbidden);
    }
    let author = match form.author.trim() {
        "" => article.author_id,
        typed => Uuid::parse_str(typed)
            .map_err(|_| AppError::BadRequest("Cet auteur n’existe pas.".to_owned()))?,
    };
    if author != article.author_id
        && !user.may(Permission::SetBylines {
            own,
            author: true,
            status,
        })
    {
        return Err(AppError::Forbidden);
    }
    let mut chosen = Vec::new();
    for key in form.coauthor.iter().filter(|k| !k.trim().is_empty()) {
        let Some(coauthor) = Coauthor::parse(key) else {
            return refused(
                &state,
                &user,
                &article,
                "Choisissez les co-auteurs dans les listes.",
            )
            .await;
        };
        chosen.push(coauthor);
    }
    if chosen.len() > 20 {
        return refused(&state, &user, &article, "Vingt co-auteurs au plus.").await;
    }
    let mut tx = state.pool.begin().await?;
    if !bylines::set(&mut tx, id, author, &chosen, user.id).await? {
        drop(tx);
        return refused(
            &state,
            &user,
            &article,
            "Un des noms choisis n’existe plus : rechargez la page et recommencez.",
        )
        .await;
    }
    tx.commit().await?;
    Ok(Redirect::to(&format!("/editor/articles/{id}?status=bylines")).into_response())
}

async fn refused(
    state: &AppState,
    user: &CurrentUser,
    article: &Editable,
    error: &'static str,
) -> Result<Response, AppError> {
    let extras = Extras {
        bylines_error: Some(error),
        ..Extras::default()
    };
    refused_on_page(state, user, article, extras).await
}

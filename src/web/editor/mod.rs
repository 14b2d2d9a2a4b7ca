//! The journalists' editor: the list of articles, the article form (preview, tags, related
//! articles, autosave, soft lock), saving with a version check, revisions and workflow buttons.

mod form;
mod list;
mod revisions;
mod write;

pub use list::list;
pub use revisions::{diff, restore, revision, revisions};
pub use write::{
    add_correction, autosave, change_status, create, delete, edit, new, save, take_over,
};

use uuid::Uuid;

use super::auth::CurrentUser;
use super::{AppError, AppState};
use crate::domain::{ArticleStatus, Permission};
use crate::store::editing::{self, Editable};

/// The article `id` if `user` may see it in the editor. Someone else's article is "not found"
/// for a journalist, not "forbidden": its existence is none of their business.
async fn visible(state: &AppState, user: &CurrentUser, id: Uuid) -> Result<Editable, AppError> {
    let mut conn = state.pool.acquire().await?;
    let article = editing::load(&mut conn, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let own = article.author_id == user.id;
    if user.may(Permission::ViewArticle { own }) {
        Ok(article)
    } else {
        Err(AppError::NotFound)
    }
}

/// The article `id` if `user` may also change it: others' are 404 as in [`visible`], one's
/// own that may no longer be changed (submitted, published) 403.
async fn editable(state: &AppState, user: &CurrentUser, id: Uuid) -> Result<Editable, AppError> {
    let article = visible(state, user, id).await?;
    if may_edit(user, &article) {
        Ok(article)
    } else {
        Err(AppError::Forbidden)
    }
}

fn status_of(article: &Editable) -> ArticleStatus {
    ArticleStatus::parse(&article.status).unwrap_or(ArticleStatus::Draft)
}

/// Whether `user` may change `article`'s text.
fn may_edit(user: &CurrentUser, article: &Editable) -> bool {
    user.may(Permission::EditArticle {
        own: article.author_id == user.id,
        status: status_of(article),
    })
}

/// A status as the newsroom says it.
fn status_label(status: &str) -> &'static str {
    match status {
        "draft" => "Brouillon",
        "in_review" => "En relecture",
        "published" => "Publié",
        "archived" => "Archivé",
        _ => "Inconnu",
    }
}

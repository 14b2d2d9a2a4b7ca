//! The journalists' editor: the list of articles, the article form (preview, tags, related
//! articles, autosave, soft lock), saving with a version check, revisions and workflow buttons.

mod actions;
mod form;
mod list;
mod page;
mod revisions;
mod save;

pub use actions::{add_correction, change_status, delete, take_over};
pub use list::list;
pub use page::{edit, new};
pub use revisions::{diff, restore, revision, revisions};
pub use save::{autosave, autosave_new, create, save};

use uuid::Uuid;

use super::auth::CurrentUser;
use super::{AppError, AppState};
use crate::domain::{ArticleStatus, Permission};
use crate::store::articles::desk::{self, Editable};

/// The article `id` if `user` may see it in the editor. Someone else's article is "not found"
/// for a journalist, not "forbidden": its existence is none of their business.
async fn visible(state: &AppState, user: &CurrentUser, id: Uuid) -> Result<Editable, AppError> {
    let mut conn = state.pool.acquire().await?;
    let article = desk::load(&mut conn, id).await?.ok_or(AppError::NotFound)?;
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

/// Whether `user` may change `article`'s text.
fn may_edit(user: &CurrentUser, article: &Editable) -> bool {
    user.may(Permission::EditArticle {
        own: article.author_id == user.id,
        status: article.status,
    })
}

/// A status as the newsroom says it.
fn status_label(status: ArticleStatus) -> &'static str {
    match status {
        ArticleStatus::Draft => "Brouillon",
        ArticleStatus::InReview => "En relecture",
        ArticleStatus::Published => "Publié",
        ArticleStatus::Archived => "Archivé",
    }
}

//! The journalists' editor: the list of articles, the article form (preview, tags, related
//! articles, autosave, soft lock), saving with a version check, revisions and workflow buttons.

mod actions;
mod autosave;
mod bylines;
mod conflict;
mod embargo;
pub(in crate::web) mod form;
mod list;
mod lookup;
mod media;
mod notes;
mod page;
mod preview;
mod revisions;
mod save;
mod share;
mod translation;
mod upload;
mod view;

pub(crate) use actions::local_time;
pub use actions::{add_correction, change_status, delete, take_over};
pub use autosave::{autosave, autosave_new};
pub use bylines::set as set_bylines;
pub(in crate::web) use embargo::refusal as embargo_refusal;
pub use embargo::{lift as lift_embargo, set as set_embargo};
pub use list::list;
pub use lookup::{articles as lookup_articles, paste, tags as lookup_tags, token};
pub(in crate::web) use media::Details as MediaDetails;
pub use media::{
    delete as media_delete, item as media_item, library as media_library, lookup as lookup_media,
    update as media_update,
};
pub(in crate::web) use notes::{Thread as NoteThread, threads as note_threads};
pub use notes::{add as add_note, resolve as resolve_note};
pub use page::{by_slug, edit, new};
pub(in crate::web) use preview::{ReaderView, reader_view};
pub use preview::{live as live_preview, live_new as live_preview_new, preview};
pub use revisions::{diff, restore, revision, revisions};
pub use save::{create, save};
pub(in crate::web) use save::{featured_problem, language_taken, slug_taken};
pub use share::{create as create_preview_link, revoke as revoke_preview_link};
pub use translation::set as set_translation;
pub(in crate::web) use upload::{
    Failed as UploadFailed, keep as keep_upload, record_new as record_new_image,
};
pub use upload::{replace as media_replace, upload};

use uuid::Uuid;

use super::auth::CurrentUser;
use super::{AppError, AppState};
use crate::domain::{Permission, Standing};
use crate::store::articles::desk::{self, Editable};

/// The article `id` if `user` may see it in the editor. Someone else's article is "not found"
/// for a journalist, not "forbidden": its existence is none of their business.
async fn visible(state: &AppState, user: &CurrentUser, id: Uuid) -> Result<Editable, AppError> {
    let mut conn = state.pool.acquire().await?;
    let article = desk::load(&mut conn, id).await?.ok_or(AppError::NotFound)?;
    let own = article.is_by(user.id);
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
        own: article.is_by(user.id),
        status: article.status,
    })
}

/// What deleting `article` asks of `user`'s role.
fn delete_permission(user: &CurrentUser, article: &Editable) -> Permission {
    Permission::DeleteArticle {
        // Its author's notes only: a co-author does not delete them.
        own: article.author_id == user.id,
        unseen_draft: article.status == crate::domain::ArticleStatus::Draft
            && article.published_at.is_none(),
    }
}

/// Where an article stands, as the newsroom says it: `Programmé · 5 déc. à 08:00`.
fn standing_label(state: &AppState, standing: Standing) -> String {
    match standing {
        Standing::Scheduled(at) => format!("Programmé · {}", state.moment_text(at)),
        other => standing_name(other.key()).to_owned(),
    }
}

/// The name of a standing (one of `Standing::KEYS`), as list filters offer it.
fn standing_name(key: &str) -> &'static str {
    match key {
        "draft" => "Brouillon",
        "withdrawn" => "Retiré",
        "in_review" => "En relecture",
        "scheduled" => "Programmé",
        "published" => "Publié",
        _ => "Archivé",
    }
}

/// Where `article` stands now.
pub(in crate::web) fn standing_of(article: &Editable) -> Standing {
    Standing::of(
        article.status,
        article.published_at,
        article.withdrawn,
        time::OffsetDateTime::now_utc(),
    )
}

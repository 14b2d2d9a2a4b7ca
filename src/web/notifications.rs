//! `/notifications`: what a person of the newsroom was told (an article submitted for review,
//! sent back, published, a scheduled one out, a note mentioning them), newest first; the menu
//! counts the unread ones, and "Tout marquer comme lu" reads them all.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use crate::store::notifications::{self, Notice};
use crate::web::auth::{CurrentUser, SignedForm};
use crate::web::{AppError, AppState, Page};

/// One notification as the list says it.
pub struct Item {
    pub text: String,
    pub link: Option<String>,
    pub when: String,
    pub read: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "auth/notifications.html")]
pub struct NotificationsPage {
    page: Page,
    csrf: String,
    items: Vec<Item>,
    unread: bool,
}

/// A notification in the newsroom's words, with where it leads.
fn item(state: &AppState, n: Notice) -> Item {
    let title = n
        .article_title
        .unwrap_or_else(|| "un article supprimé".to_owned());
    let actor = n.actor_name.unwrap_or_else(|| "Vigie".to_owned());
    let (text, link) = match n.kind.as_str() {
        "submitted" => (
            format!("{actor} a envoyé « {title} » en relecture."),
            n.article_id.map(|id| format!("/admin/review/{id}")),
        ),
        "sent_back" => (
            format!("{actor} a renvoyé « {title} » pour des modifications."),
            n.article_id.map(|id| format!("/editor/articles/{id}")),
        ),
        "published" => (
            format!("{actor} a publié « {title} »."),
            n.article_id.map(|id| format!("/editor/articles/{id}")),
        ),
        "scheduled_out" => (
            format!("« {title} » est paru, à l’heure programmée."),
            n.article_id.map(|id| format!("/editor/articles/{id}")),
        ),
        _ => (
            format!("{actor} vous a mentionné dans une note sur « {title} »."),
            n.article_id
                .map(|id| format!("/editor/articles/{id}#notes")),
        ),
    };
    Item {
        text,
        link,
        when: state.moment_text(n.due_at),
        read: n.read,
    }
}

pub async fn list(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<NotificationsPage, AppError> {
    let items: Vec<Item> = notifications::list(&state.pool, user.id, 100)
        .await?
        .into_iter()
        .map(|n| item(&state, n))
        .collect();
    Ok(NotificationsPage {
        page: state.page_for(&user, "Notifications — Vigie".to_owned()),
        csrf: user.csrf_token().to_owned(),
        unread: items.iter().any(|i| !i.read),
        items,
    })
}

#[derive(Deserialize)]
pub struct NoFields {}

/// `POST /notifications/read`: every notification read.
pub async fn read(
    State(state): State<AppState>,
    signed: SignedForm<NoFields>,
) -> Result<Response, AppError> {
    let mut tx = state.pool.begin().await?;
    notifications::mark_read(&mut tx, signed.user.id).await?;
    tx.commit().await?;
    Ok(Redirect::to("/notifications").into_response())
}

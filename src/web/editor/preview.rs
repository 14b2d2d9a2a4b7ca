//! The article as a reader will see it, before readers do: the stored article's page for the
//! staff (a draft, a scheduled article: "Voir comme un lecteur"), and the live preview beside
//! the text, rendered by the server's own Markdown pipeline from what the form holds now.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use time::OffsetDateTime;
use uuid::Uuid;

use super::form::{ArticleForm, body_error};
use super::{standing_label, standing_of, visible};
use crate::domain::{Lang, Standing, TagKind};
use crate::store::articles::desk::{self, Editable};
use crate::web::auth::{CurrentUser, SignedForm};
use crate::web::error::{PathId, Verbatim};
use crate::web::{AppError, AppState, Page};

/// What the reader's page shows of an article.
pub struct ReaderView {
    pub title: String,
    pub dek: String,
    pub lang: Lang,
    pub author_name: String,
    /// Its date as readers will read it, or when it is to come.
    pub date: String,
    pub tags: Vec<(String, TagKind)>,
    pub body_html: String,
    pub featured: Option<crate::media::picture::Shown>,
}

#[derive(Template, WebTemplate)]
#[template(path = "editor/preview.html")]
pub struct PreviewPage {
    page: Page,
    id: Uuid,
    banner: String,
    view: ReaderView,
}

/// Only the article, for the editor's live preview.
#[derive(Template, WebTemplate)]
#[template(path = "editor/_reader_view.html")]
pub struct ReaderFragment {
    view: ReaderView,
}

/// The names and kinds of the tags `ids`, in that order.
async fn tag_names(state: &AppState, ids: &[Uuid]) -> Result<Vec<(String, TagKind)>, AppError> {
    let all = desk::tag_choices(&state.pool).await?;
    Ok(ids
        .iter()
        .filter_map(|id| all.iter().find(|t| t.id == *id))
        .map(|t| (t.name.clone(), t.kind))
        .collect())
}

/// The date readers will read: the publication's, or today's for one not yet set.
fn reader_date(state: &AppState, published_at: Option<OffsetDateTime>) -> String {
    state.date_text(published_at.unwrap_or_else(OffsetDateTime::now_utc))
}

/// The stored article as readers will see it (the staff's preview, a preview link's page).
pub(in crate::web) async fn reader_view(
    state: &AppState,
    article: &Editable,
) -> Result<ReaderView, AppError> {
    let rendered = state.render(&article.body_markdown, article.lang).await?;
    let (body_html, featured) = state
        .as_readers_see(rendered, article.featured_media_id)
        .await?;
    Ok(ReaderView {
        featured,
        tags: tag_names(state, &article.tags.0).await?,
        date: reader_date(state, article.published_at),
        title: article.title.clone(),
        dek: article.dek.clone(),
        lang: article.lang,
        // Every byline, the author first.
        author_name: std::iter::once(article.author_name.as_str())
            .chain(article.coauthors.0.iter().map(|c| c.name.as_str()))
            .collect::<Vec<_>>()
            .join(", "),
        body_html,
    })
}

/// `GET /editor/articles/{id}/preview`: the article as stored, as readers will see it.
pub async fn preview(
    State(state): State<AppState>,
    user: CurrentUser,
    PathId(id): PathId<Uuid>,
) -> Result<PreviewPage, AppError> {
    let article = visible(&state, &user, id).await?;
    let standing = standing_of(&article);
    let banner = match standing {
        Standing::Scheduled(_) => format!(
            "Aperçu : l’article sortira automatiquement ({})",
            standing_label(&state, standing)
        ),
        Standing::Published => "Aperçu de la version en ligne".to_owned(),
        _ => format!(
            "Aperçu : les lecteurs ne voient pas encore cet article ({})",
            standing_label(&state, standing).to_lowercase()
        ),
    };
    let view = reader_view(&state, &article).await?;
    let mut page = state.page_for(&user, format!("Aperçu — {}", view.title));
    page.lang = view.lang.to_string();
    Ok(PreviewPage {
        page,
        id,
        banner,
        view,
    })
}

/// `POST /editor/articles/{id}/preview`: the live preview of what the form holds now.
pub async fn live(
    State(state): State<AppState>,
    PathId(id): PathId<Uuid>,
    signed: SignedForm<ArticleForm>,
) -> Result<Response, AppError> {
    let SignedForm { user, form } = signed;
    let article = visible(&state, &user, id).await?;
    fragment(&state, &form, article.author_name, article.published_at).await
}

/// `POST /editor/new/preview`: the live preview of a new article's form.
pub async fn live_new(
    State(state): State<AppState>,
    signed: SignedForm<ArticleForm>,
) -> Result<Response, AppError> {
    let SignedForm { user, form } = signed;
    fragment(&state, &form, user.display_name.clone(), None).await
}

async fn fragment(
    state: &AppState,
    form: &ArticleForm,
    author_name: String,
    published_at: Option<OffsetDateTime>,
) -> Result<Response, AppError> {
    // The same limits as a save: what could not be saved is not rendered either.
    if let Some(error) = body_error(&form.body, state.config.max_body_bytes) {
        // The reason itself, for the script to show beside the text.
        let mut refused = (
            StatusCode::UNPROCESSABLE_ENTITY,
            [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
            error,
        )
            .into_response();
        refused.extensions_mut().insert(Verbatim);
        return Ok(refused);
    }
    let lang = Lang::parse(&form.lang).unwrap_or(state.config.lang);
    let rendered = state.render(&form.body, lang).await?;
    let (body_html, featured) = state
        .as_readers_see(rendered, form.featured().flatten())
        .await?;
    let view = ReaderView {
        featured,
        title: form.title.trim().to_owned(),
        dek: form.dek.trim().to_owned(),
        lang,
        author_name,
        date: reader_date(state, published_at),
        tags: tag_names(state, &form.tags).await?,
        body_html,
    };
    Ok(ReaderFragment { view }.into_response())
}

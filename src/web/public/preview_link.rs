//! `/apercu/{token}`: an unpublished article for whoever holds a preview link the newsroom
//! made (`web::editor::share`). Not a public page: never in the render cache (the route is
//! `Open`, outside the caching layer), `no-store` for browsers and CDNs, `noindex`, no
//! referrer sent onwards (the link is its own key). A link that ended answers 410; one that
//! does not pass the embargo answers 403 until the embargo ends; an article that came out
//! sends the reader to its public address.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use time::OffsetDateTime;

use crate::domain::{Standing, token};
use crate::store::articles::{desk, previews};
use crate::web::editor::{ReaderView, reader_view};
use crate::web::{AppError, AppState, Page};

#[derive(Template)]
#[template(path = "public/preview_link.html")]
struct LinkPage {
    page: Page,
    /// What the reader is told above the article (or instead of it).
    banner: String,
    view: Option<ReaderView>,
}

pub async fn preview_link(
    State(state): State<AppState>,
    Path(secret): Path<String>,
) -> Result<Response, AppError> {
    // Anything without the shape of a link is not looked up.
    let Some(hash) = token::recognise_preview(&secret) else {
        return Err(AppError::NotFound);
    };
    let Some(link) = previews::open(&state.pool, &hash).await? else {
        return Err(AppError::NotFound);
    };
    let now = OffsetDateTime::now_utc();
    let standing = Standing::of(link.status, link.published_at, link.withdrawn, now);
    if matches!(standing, Standing::Published | Standing::Archived) {
        return Ok(Redirect::to(&format!("/articles/{}", link.slug)).into_response());
    }
    let (status, banner, view) = if link.ended {
        (
            StatusCode::GONE,
            "Ce lien d’aperçu a expiré ou a été révoqué. Demandez-en un nouveau à la rédaction."
                .to_owned(),
            None,
        )
    } else if let Some(until) = link
        .embargo_until
        .filter(|until| *until > now && !link.through_embargo)
    {
        (
            StatusCode::FORBIDDEN,
            format!(
                "Cet article est sous embargo jusqu’au {} : ce lien ne l’ouvrira qu’à partir de cette heure.",
                state.moment_text(until)
            ),
            None,
        )
    } else {
        let mut conn = state.pool.acquire().await?;
        let article = desk::load(&mut conn, link.article_id)
            .await?
            .ok_or(AppError::NotFound)?;
        drop(conn);
        let view = reader_view(&state, &article).await?;
        previews::seen(&state.pool, link.link_id).await?;
        (
            StatusCode::OK,
            format!(
                "Aperçu confidentiel : cet article n’est pas publié. Merci de ne pas le diffuser. Lien valable jusqu’au {}.",
                state.moment_text(link.expires_at)
            ),
            Some(view),
        )
    };
    let mut page = state.page(match &view {
        Some(v) => format!("Aperçu — {}", v.title),
        None => "Aperçu".to_owned(),
    });
    if let Some(v) = &view {
        page.lang = v.lang.to_string();
    }
    let html = LinkPage { page, banner, view }.render()?;
    let mut response = (status, Html(html)).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("no-store, private"),
    );
    headers.insert(
        "x-robots-tag",
        HeaderValue::from_static("noindex, nofollow, noarchive"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    Ok(response)
}

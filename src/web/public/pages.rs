//! `/pages/{slug}`: a standalone page of the site (À propos, Mentions légales, Contact,
//! Charte éditoriale), written in the editor like an article and in no list.

use askama::Template;
use askama_web::WebTemplate;
use axum::Extension;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};

use super::When;
use crate::domain::Slug;
use crate::store::site::{self, PublicPage};
use crate::web::render_cache::CacheDeps;
use crate::web::{AppError, AppState, Page};

#[derive(Template, WebTemplate)]
#[template(path = "public/page.html")]
pub struct PageTemplate {
    page: Page,
    site_page: PublicPage,
    /// "Dernière mise à jour": legal pages say when they last changed.
    updated: When,
}

pub async fn show(
    State(state): State<AppState>,
    Path(slug): Path<String>,
) -> Result<Response, AppError> {
    let slug = Slug::parse(&slug).map_err(|_| AppError::NotFound)?;
    let site_page = site::page(&state.reads(), &slug)
        .await?
        .ok_or(AppError::NotFound)?;
    let mut page = state.page(format!("{} — Vigie", site_page.title));
    page.lang = site_page.lang.to_string();
    page.description = site_page.dek.clone();
    page.canonical = Some(format!(
        "{}/pages/{}",
        state.config.base_url, site_page.slug
    ));
    let deps = CacheDeps(vec![format!("article:{}", site_page.id)]);
    let updated = state.when(site_page.updated_at);
    Ok((
        Extension(deps),
        PageTemplate {
            page,
            site_page,
            updated,
        },
    )
        .into_response())
}

//! Paginated lists of published articles: the home page, a tag's page, an author's page.

use std::collections::HashMap;

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::{BylineLink, TagLink, When, byline_links, tag_links};
use crate::domain::Slug;
use crate::store::articles::public::{self, Cursor, Summary};
use crate::store::articles::sections;
use crate::store::{contributors, tags, users};
use crate::web::{AppError, AppState, Page};

/// One article in a list.
pub struct Card {
    pub slug: String,
    pub title: String,
    /// The dek, or the excerpt when there is no dek.
    pub summary: String,
    pub when: When,
    /// Every byline, linked: "A, B et C".
    pub bylines: Vec<BylineLink>,
    pub tags: Vec<TagLink>,
    /// Its featured image, when it has one (and its files are made).
    pub image: Option<crate::media::picture::Shown>,
}

/// One page of a list, and where the next one starts.
pub struct Listing {
    pub cards: Vec<Card>,
    /// The `?before=` value of the next (older) page, if there is one.
    pub older: Option<String>,
    /// Whether this is a later page (offer a way back to the newest).
    pub paged: bool,
}

/// Public articles as a list shows them, with their featured images.
pub(super) async fn cards(state: &AppState, rows: Vec<Summary>) -> Result<Vec<Card>, AppError> {
    let featured: Vec<uuid::Uuid> = rows.iter().filter_map(|a| a.featured_media_id).collect();
    let images = state.pictures(&featured).await?;
    Ok(rows
        .into_iter()
        .map(|a| Card {
            image: a.featured_media_id.and_then(|id| images.get(&id).cloned()),
            summary: if a.dek.is_empty() { a.excerpt } else { a.dek },
            when: state.when(a.published_at),
            slug: a.slug,
            title: a.title,
            bylines: byline_links(&a.bylines.0, state.words().and),
            tags: tag_links(a.tags.0),
        })
        .collect())
}

/// The `?before=` cursor of a later page, if any.
fn before(state: &AppState, query: &HashMap<String, String>) -> Result<Option<Cursor>, AppError> {
    query
        .get("before")
        .map(|raw| {
            Cursor::parse(raw)
                .ok_or_else(|| AppError::BadRequest(state.words().bad_cursor.to_owned()))
        })
        .transpose()
}

/// How many articles to ask for: one more than a page, to know whether an older page exists.
fn wanted(state: &AppState) -> i64 {
    i64::from(state.config.page_size) + 1
}

/// One page of a list from the [`wanted`] rows read after `before`.
async fn listing(
    state: &AppState,
    mut rows: Vec<Summary>,
    before: Option<Cursor>,
) -> Result<Listing, AppError> {
    let page_size = state.config.page_size as usize;
    let older = if rows.len() > page_size {
        rows.truncate(page_size);
        rows.last().map(|last| Cursor::after(last).encode())
    } else {
        None
    };
    let cards = cards(state, rows).await?;
    Ok(Listing {
        cards,
        older,
        paged: before.is_some(),
    })
}

/// How many coming deadlines the home page shows.
const UPCOMING: i64 = 5;

#[derive(Template, WebTemplate)]
#[template(path = "public/home.html")]
pub struct HomeTemplate {
    page: Page,
    listing: Listing,
    /// The next deadlines of the regulations the newsroom follows ("À venir").
    upcoming: Vec<super::regulations::Coming>,
}

pub async fn home(
    State(state): State<AppState>,
    Query(query): Query<HashMap<String, String>>,
) -> Result<Response, AppError> {
    // `/?p=123`: WordPress's own link to a post, which works whatever its permalinks were;
    // an imported post keeps it (see the `legacy_urls` migration).
    if let Some(id) = query.get("p").and_then(|p| p.parse::<u64>().ok()) {
        return match public::moved_from(&state.reads(), &format!("/?p={id}")).await? {
            Some(slug) => Ok((
                StatusCode::MOVED_PERMANENTLY,
                [(header::LOCATION, format!("/articles/{slug}"))],
            )
                .into_response()),
            None => Err(AppError::NotFound),
        };
    }
    let before = before(&state, &query)?;
    let (rows, deadlines) = sections::home_page(
        &state.reads(),
        before.unwrap_or(Cursor::FIRST),
        wanted(&state),
        state.today(),
        UPCOMING,
    )
    .await?;
    let listing = listing(&state, rows, before).await?;
    let upcoming = super::regulations::coming(&state, deadlines);
    let mut page = state.page(state.words().page_title_home.to_owned());
    page.description = state.words().tagline.to_owned();
    page.canonical = Some(format!("{}/", state.config.base_url));
    Ok(HomeTemplate {
        page,
        listing,
        upcoming,
    }
    .into_response())
}

#[derive(Template, WebTemplate)]
#[template(path = "public/tag.html")]
pub struct TagTemplate {
    page: Page,
    tag: tags::Tag,
    listing: Listing,
}

pub async fn tag(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    Query(query): Query<HashMap<String, String>>,
) -> Result<Response, AppError> {
    let slug = Slug::parse(&slug).map_err(|_| AppError::NotFound)?;
    let before = before(&state, &query)?;
    let page = sections::tag_page(
        &state.reads(),
        &slug,
        before.unwrap_or(Cursor::FIRST),
        wanted(&state),
    )
    .await?;
    let Some((tag, rows)) = page else {
        // Renamed or merged: its old address leads to where it is now.
        return match tags::moved_to(&state.reads(), &slug).await? {
            Some(current) => Ok((
                StatusCode::MOVED_PERMANENTLY,
                [(header::LOCATION, format!("/tags/{current}"))],
            )
                .into_response()),
            None => Err(AppError::NotFound),
        };
    };
    let listing = listing(&state, rows, before).await?;
    let mut page = state.page(format!("{} — Vigie", tag.name));
    page.description = tag.description.clone();
    page.canonical = Some(format!("{}/tags/{}", state.config.base_url, tag.slug));
    Ok(TagTemplate { page, tag, listing }.into_response())
}

#[derive(Template, WebTemplate)]
#[template(path = "public/author.html")]
pub struct AuthorTemplate {
    page: Page,
    author: users::Author,
    listing: Listing,
}

pub async fn author(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    Query(query): Query<HashMap<String, String>>,
) -> Result<AuthorTemplate, AppError> {
    let slug = Slug::parse(&slug).map_err(|_| AppError::NotFound)?;
    let before = before(&state, &query)?;
    let (author, rows) = sections::author_page(
        &state.reads(),
        &slug,
        before.unwrap_or(Cursor::FIRST),
        wanted(&state),
    )
    .await?
    .ok_or(AppError::NotFound)?;
    let listing = listing(&state, rows, before).await?;
    let mut page = state.page(format!("{} — Vigie", author.display_name));
    page.description = author.bio.clone();
    page.canonical = Some(format!("{}/authors/{}", state.config.base_url, author.slug));
    Ok(AuthorTemplate {
        page,
        author,
        listing,
    })
}

#[derive(Template, WebTemplate)]
#[template(path = "public/contributor.html")]
pub struct ContributorTemplate {
    page: Page,
    contributor: contributors::Contributor,
    listing: Listing,
}

/// `/contributors/{slug}`: a guest contributor's page, the public articles they co-sign.
pub async fn contributor(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    Query(query): Query<HashMap<String, String>>,
) -> Result<ContributorTemplate, AppError> {
    let slug = Slug::parse(&slug).map_err(|_| AppError::NotFound)?;
    let contributor = contributors::public(&state.reads(), &slug)
        .await?
        .ok_or(AppError::NotFound)?;
    let before = match query.get("before") {
        None => None,
        Some(raw) => Some(
            Cursor::parse(raw)
                .ok_or_else(|| AppError::BadRequest(state.words().bad_cursor.to_owned()))?,
        ),
    };
    let page_size = i64::from(state.config.page_size);
    let mut rows =
        public::by_contributor(&state.reads(), contributor.id, before, page_size + 1).await?;
    let older = if rows.len() as i64 > page_size {
        rows.truncate(page_size as usize);
        rows.last().map(|last| Cursor::after(last).encode())
    } else {
        None
    };
    let listing = Listing {
        cards: cards(&state, rows).await?,
        older,
        paged: before.is_some(),
    };
    let mut page = state.page(format!("{} — Vigie", contributor.name));
    page.description = contributor.bio.clone();
    page.canonical = Some(format!(
        "{}/contributors/{}",
        state.config.base_url, contributor.slug
    ));
    Ok(ContributorTemplate {
        page,
        contributor,
        listing,
    })
}

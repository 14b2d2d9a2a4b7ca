//! The read-only content API, `/api/v1`: what readers see, as JSON for other programs.
//!
//! Field names are part of the contract: they only ever gain new fields. The OpenAPI document
//! at `/api/v1/openapi.json` is generated from the types and handlers below (utoipa), so it
//! cannot drift from them; a test checks real answers against it. Public answers get the same
//! HTTP caching as pages (`web::caching`) and may be read from any origin (CORS).

use std::sync::LazyLock;

use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use tower_http::cors::{AllowOrigin, CorsLayer};
use utoipa::{IntoParams, OpenApi};

pub mod bearer;
mod error;
pub(crate) mod events;
mod manage;
mod regulations;
mod request;
mod steps;
mod wire;
mod write;

pub use error::ApiError;

/// A problem detail for `status` that no handler wrote (a layer answered: the body was too
/// large, the request took too long).
pub fn problem(status: StatusCode) -> Response {
    let message = match status.as_u16() {
        413 => "The request body is larger than this server takes.",
        408 | 503 | 504 => "The server could not answer in time; try again in a few seconds.",
        _ => "This request cannot be answered.",
    };
    error::body(status, message.to_owned(), None)
}
pub use manage::{add_image, create_webhook, delete_webhook, list_webhooks};
pub use regulations::{list_regulations, regulation};
pub use steps::{add_correction, publish, schedule, submit, unpublish};
use wire::{
    ApiArticle, ApiAuthor, ApiByline, ApiCorrection, ApiImage, ApiRelated, ApiTag, ApiTagRef,
    ArticleList, ArticleSummary, AuthorList, ErrorBody, TagList,
};
pub use write::{create, desk, update};

use crate::domain::{Lang, Slug};
use crate::media::picture;
use crate::store::articles::public::{self, Cursor, Filter, Lookup};
use crate::store::{tags, users};
use crate::web::AppState;
use crate::web::render_cache::CacheDeps;

const DEFAULT_LIMIT: u32 = 20;
const MAX_LIMIT: u32 = 100;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Vigie content API",
        version = "1",
        description = "Published articles, tags and authors of a Vigie site, and the \
                       regulations it follows, read-only. Lists are newest first and \
                       paginated with an opaque cursor."
    ),
    paths(
        list_articles,
        article,
        list_tags,
        list_authors,
        regulations::list_regulations,
        regulations::regulation,
        write::create,
        write::update,
        write::desk,
        steps::submit,
        steps::publish,
        steps::schedule,
        steps::unpublish,
        steps::add_correction,
        manage::add_image,
        manage::list_webhooks,
        manage::create_webhook,
        manage::delete_webhook
    ),
    modifiers(&TokenScheme),
    tags(
        (name = "content", description = "What readers see"),
        (name = "regulations", description = "The regulation tracker: status, milestones, history"),
        (name = "write", description = "Writing with an API token (`Authorization: Bearer vigie_pat_…`): \
            articles created, changed and moved through review and publication as in the editor, \
            within the token's scopes and its owner's role")
    )
)]
pub struct ApiDoc;

/// The write routes' security: a bearer token made on `/account/tokens`.
struct TokenScheme;

impl utoipa::Modify for TokenScheme {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "token",
            SecurityScheme::Http(Http::new(HttpAuthScheme::Bearer)),
        );
    }
}

static OPENAPI: LazyLock<String> =
    LazyLock::new(|| ApiDoc::openapi().to_pretty_json().unwrap_or_default());

/// `/api/v1/openapi.json`: this API described by OpenAPI 3.1.
pub async fn openapi() -> Response {
    (
        [(header::CONTENT_TYPE, "application/json")],
        OPENAPI.as_str(),
    )
        .into_response()
}

/// The content API may be read by pages on any site (GET only; nothing here needs a cookie).
pub fn cors() -> CorsLayer {
    CorsLayer::new()
        .allow_origin(AllowOrigin::any())
        .allow_methods([Method::GET, Method::HEAD])
        .allow_headers([header::IF_NONE_MATCH, header::IF_MODIFIED_SINCE])
        .expose_headers([header::ETAG, header::LAST_MODIFIED])
        .max_age(std::time::Duration::from_secs(86400))
}

/// Filters and paging of the article list.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListParams {
    /// Only articles with this tag (its slug).
    tag: Option<String>,
    /// Only articles by this author (their slug).
    author: Option<String>,
    /// Only articles in this language: `fr` or `en`.
    lang: Option<String>,
    /// Only articles containing these words (French full-text search, accents ignored).
    q: Option<String>,
    /// Where the page starts: `next_cursor` of the previous page.
    cursor: Option<String>,
    /// Articles per page, 1 to 100; default 20.
    limit: Option<String>,
}

/// Published articles, newest first.
#[utoipa::path(
    get,
    path = "/api/v1/articles",
    tag = "content",
    params(ListParams),
    responses(
        (status = 200, description = "A page of articles", body = ArticleList),
        (status = 400, description = "A parameter is not valid", body = ErrorBody, content_type = "application/problem+json"),
        (status = 404, description = "No such tag or author", body = ErrorBody, content_type = "application/problem+json"),
    )
)]
pub async fn list_articles(
    State(state): State<AppState>,
    params: Result<Query<ListParams>, QueryRejection>,
) -> Result<Json<ArticleList>, ApiError> {
    let Ok(Query(params)) = params else {
        return Err(ApiError::BadRequest("The query string is not valid."));
    };
    Ok(Json(load_articles(&state, params).await?))
}

async fn load_articles(state: &AppState, params: ListParams) -> Result<ArticleList, ApiError> {
    let bad = ApiError::BadRequest;
    // An empty parameter (`?limit=`, as forms and some clients send) is one left out.
    let given = |raw: &Option<String>| raw.clone().filter(|v| !v.is_empty());
    let params = ListParams {
        limit: given(&params.limit),
        cursor: given(&params.cursor),
        lang: given(&params.lang),
        tag: given(&params.tag),
        author: given(&params.author),
        q: given(&params.q),
    };
    let limit = match params.limit.as_deref() {
        None => DEFAULT_LIMIT,
        Some(raw) => raw
            .parse::<u32>()
            .ok()
            .filter(|n| (1..=MAX_LIMIT).contains(n))
            .ok_or_else(|| bad("limit must be a whole number from 1 to 100."))?,
    };
    let before = match params.cursor.as_deref() {
        None => None,
        Some(raw) => Some(Cursor::parse(raw).ok_or_else(|| {
            bad("cursor is not valid: use next_cursor from a previous page, or leave it out.")
        })?),
    };
    let lang = match params.lang.as_deref() {
        None => None,
        Some(raw) => Some(Lang::parse(raw).ok_or_else(|| bad("lang must be fr or en."))?),
    };
    let words: Option<String> = params
        .q
        .as_deref()
        .map(super::public::search_words)
        .filter(|q| !q.is_empty());
    let not_found = ApiError::NotFound;
    let tag = match params.tag.as_deref() {
        None => None,
        Some(raw) => {
            let slug = Slug::parse(raw).map_err(|_| not_found("No tag has this slug."))?;
            let tag = tags::public_tag(&state.reads(), &slug)
                .await?
                .ok_or_else(|| not_found("No tag has this slug."))?;
            Some(tag.id)
        }
    };
    let author = match params.author.as_deref() {
        None => None,
        Some(raw) => {
            let slug = Slug::parse(raw).map_err(|_| not_found("No author has this slug."))?;
            let author = users::public_author(&state.reads(), &slug)
                .await?
                .ok_or_else(|| not_found("No author has this slug."))?;
            Some(author.id)
        }
    };
    let filter = Filter {
        tag,
        author,
        lang,
        words: words.as_deref(),
    };
    let mut rows =
        public::list_published(&state.reads(), filter, before, i64::from(limit) + 1).await?;
    let next_cursor = if rows.len() > limit as usize {
        rows.truncate(limit as usize);
        rows.last().map(|last| Cursor::after(last).encode())
    } else {
        None
    };
    let base = &state.config.base_url;
    let featured: Vec<uuid::Uuid> = rows.iter().filter_map(|a| a.featured_media_id).collect();
    let images = state.pictures(&featured).await?;
    Ok(ArticleList {
        articles: rows
            .into_iter()
            .map(|a| ArticleSummary {
                image: a
                    .featured_media_id
                    .and_then(|id| images.get(&id).cloned())
                    .map(ApiImage::from),
                url: format!("{base}/articles/{}", a.slug),
                authors: authors(base, &a.bylines.0),
                author: byline(base, a.author_slug, a.author_name),
                tags: a.tags.0.into_iter().map(ApiTagRef::from).collect(),
                slug: a.slug,
                title: a.title,
                dek: a.dek,
                excerpt: a.excerpt,
                lang: a.lang.to_string(),
                published_at: a.published_at,
                updated_at: a.updated_at,
            })
            .collect(),
        next_cursor,
    })
}

/// Every byline of an article, for the API.
fn authors(base: &str, bylines: &[crate::store::Byline]) -> Vec<wire::ApiSigner> {
    bylines
        .iter()
        .map(|b| wire::ApiSigner {
            url: format!("{base}{}", b.path()),
            slug: b.slug.clone(),
            name: b.name.clone(),
            guest: b.guest,
        })
        .collect()
}

fn byline(base: &str, slug: String, name: String) -> ApiByline {
    ApiByline {
        url: format!("{base}/authors/{slug}"),
        slug,
        name,
    }
}

/// One published (or archived) article, with its text, related articles and corrections.
/// An old slug answers `301` to the current one.
#[utoipa::path(
    get,
    path = "/api/v1/articles/{article}",
    tag = "content",
    params(("article" = String, Path, description = "The article's slug")),
    responses(
        (status = 200, description = "The article", body = ApiArticle),
        (status = 301, description = "The article moved; `Location` has its current address"),
        (status = 404, description = "No published article has this slug", body = ErrorBody, content_type = "application/problem+json"),
        (status = 410, description = "Withdrawn by the newsroom", body = ErrorBody, content_type = "application/problem+json"),
    )
)]
pub async fn article(
    State(state): State<AppState>,
    Path(slug): Path<String>,
) -> Result<Response, ApiError> {
    let missing = ApiError::NotFound("No published article has this slug.");
    let Ok(slug) = Slug::parse(&slug) else {
        return Err(missing);
    };
    let found =
        match public::find_published(&state.reads(), &slug, state.config.related_count).await? {
            Lookup::Found(article) => article,
            Lookup::Moved(current) => {
                let location = format!("/api/v1/articles/{current}");
                let location = HeaderValue::from_str(&location).map_err(|_| missing)?;
                let moved = (
                    StatusCode::MOVED_PERMANENTLY,
                    [(header::LOCATION, location)],
                );
                return Ok(moved.into_response());
            }
            Lookup::Withdrawn(_) => {
                return Err(ApiError::Gone(
                    "This article was withdrawn by the newsroom.",
                ));
            }
            Lookup::Missing => return Err(missing),
        };
    let (article, deps) = api_article(&state.reads(), &state.config, found).await?;
    let open = article.ai_use_open;
    let article = Json(article.article);
    let mut response = (axum::Extension(deps), article).into_response();
    if open {
        crate::web::public::left_open(&mut response);
    }
    Ok(response)
}

/// An article as the API shows it, and whether it is left open to mining.
pub(crate) struct Shown {
    pub article: ApiArticle,
    pub ai_use_open: bool,
}

/// The published article `found` as the API shows it, with what its answer depends on (for
/// the render cache). Needs only the pool and the settings, so that webhooks' bodies are made
/// the same way.
pub(crate) async fn api_article(
    pool: &sqlx::PgPool,
    config: &crate::config::Config,
    mut found: Box<public::Published>,
) -> Result<(Shown, CacheDeps), sqlx::Error> {
    let related = std::mem::take(&mut found.related.0);
    let base = &config.base_url;
    let mut deps = CacheDeps::article_page(&found, &related);
    let group: Vec<crate::store::articles::translations::Member> =
        std::mem::take(&mut found.translations.0)
            .into_iter()
            .map(Into::into)
            .collect();
    deps.0
        .extend(group.iter().map(|m| format!("article:{}", m.id)));
    let translations = group
        .into_iter()
        .filter(|m| m.public && m.id != found.id)
        .map(|m| wire::ApiTranslation {
            url: format!("{base}/articles/{}", m.slug),
            lang: m.lang.to_string(),
            slug: m.slug,
            title: m.title,
            original: m.source,
        })
        .collect();
    let mut media_ids = found.media_ids.clone();
    media_ids.extend(found.featured_media_id);
    deps.0
        .extend(media_ids.iter().map(|id| format!("media:{id}")));
    let pictures = crate::store::media::pictures(pool, &media_ids).await?;
    let images = picture::by_id(&pictures, &crate::web::state::media_base(config));
    let a = *found;
    let image = a
        .featured_media_id
        .and_then(|id| images.get(&id).cloned())
        .map(ApiImage::from);
    let body_html = picture::expand(&a.body_html, &images, picture::Style::Plain);
    let open = a.tdm_open && config.tdm.reserved;
    let article = ApiArticle {
        url: format!("{base}/articles/{}", a.slug),
        authors: authors(base, &a.bylines.0),
        revised_at: a.revised_at.filter(|at| *at > a.published_at),
        translations,
        author: byline(base, a.author_slug, a.author_name),
        tags: a.tags.0.into_iter().map(ApiTagRef::from).collect(),
        related: related
            .into_iter()
            .map(|r| ApiRelated {
                url: format!("{base}/articles/{}", r.slug),
                slug: r.slug,
                title: r.title,
                published_at: r.published_at,
            })
            .collect(),
        corrections: a
            .corrections
            .0
            .into_iter()
            .map(|c| ApiCorrection {
                noted_at: c.noted_at,
                text: c.body,
            })
            .collect(),
        slug: a.slug,
        title: a.title,
        dek: a.dek,
        excerpt: a.excerpt,
        lang: a.lang.to_string(),
        published_at: a.published_at,
        updated_at: a.updated_at,
        archived: a.archived,
        body_html,
        image,
        ai_use: a.ai_use.as_str().to_owned(),
    };
    Ok((
        Shown {
            article,
            ai_use_open: open,
        },
        deps,
    ))
}

/// Every tag carried by at least one published article, by name.
#[utoipa::path(
    get,
    path = "/api/v1/tags",
    tag = "content",
    responses((status = 200, description = "The tags", body = TagList))
)]
pub async fn list_tags(State(state): State<AppState>) -> Result<Json<TagList>, ApiError> {
    let base = &state.config.base_url;
    let rows = tags::public_tags(&state.reads()).await?;
    Ok(Json(TagList {
        tags: rows
            .into_iter()
            .map(|t| ApiTag {
                url: format!("{base}/tags/{}", t.slug),
                slug: t.slug,
                name: t.name,
                kind: t.kind.to_string(),
                description: t.description,
                article_count: t.articles,
            })
            .collect(),
    }))
}

/// Everyone who signed at least one published article, by name.
#[utoipa::path(
    get,
    path = "/api/v1/authors",
    tag = "content",
    responses((status = 200, description = "The authors", body = AuthorList))
)]
pub async fn list_authors(State(state): State<AppState>) -> Result<Json<AuthorList>, ApiError> {
    let base = &state.config.base_url;
    let rows = users::public_authors(&state.reads()).await?;
    Ok(Json(AuthorList {
        authors: rows
            .into_iter()
            .map(|u| ApiAuthor {
                url: format!("{base}/authors/{}", u.slug),
                slug: u.slug,
                name: u.display_name,
                bio: u.bio,
                article_count: u.articles,
            })
            .collect(),
    }))
}

/// Unknown addresses under `/api/` answer JSON, not the site's HTML page.
pub async fn not_found() -> ApiError {
    ApiError::NotFound("No such address in the content API.")
}

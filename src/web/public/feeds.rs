//! Atom and RSS feeds (the site's, a tag's, an author's), the sitemap: what feed
//! readers and search engines read. Full content, absolute URLs from `VIGIE_BASE_URL`, only
//! articles whose time has come.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use time::OffsetDateTime;
use time::format_description::well_known::{Rfc2822, Rfc3339};

use crate::domain::{Slug, text};
use crate::media::picture;
use crate::store::TagRef;
use crate::store::articles::discover::{self, SitemapUrl};
use crate::store::articles::public::{self, FeedEntry, Filter};
use crate::store::{contributors, tags, users};
use crate::web::{AppError, AppState};

/// Articles a feed carries.
const FEED_SIZE: i64 = 20;
/// URLs per sitemap page (the protocol's limit).
const SITEMAP_PAGE: i64 = 50_000;

pub struct Entry {
    pub id: String,
    pub url: String,
    pub title: String,
    pub summary: String,
    pub body_html: String,
    pub published: String,
    pub updated: String,
    /// RFC 2822, for RSS.
    pub pub_date: String,
    /// Every byline: name and page.
    pub authors: Vec<(String, String)>,
    pub tags: Vec<TagRef>,
    /// The featured image's JPEG: address and bytes (Atom and RSS enclosures).
    pub image: Option<(String, i64)>,
}

#[derive(Template)]
#[template(path = "public/feed.atom.xml")]
struct AtomFeed {
    base: String,
    lang: &'static str,
    title: String,
    subtitle: String,
    self_url: String,
    page_url: String,
    updated: String,
    entries: Vec<Entry>,
}

#[derive(Template)]
#[template(path = "public/rss.xml")]
struct RssFeed {
    lang: &'static str,
    title: String,
    subtitle: String,
    self_url: String,
    page_url: String,
    updated: String,
    entries: Vec<Entry>,
}

/// The feed's entries, their images written out for feed readers (a plain `<img>`, the
/// featured image first).
async fn entries(state: &AppState, rows: Vec<FeedEntry>) -> Result<Vec<Entry>, AppError> {
    let ids: Vec<uuid::Uuid> = rows
        .iter()
        .flat_map(|r| {
            r.media_ids
                .iter()
                .copied()
                .chain(r.summary.featured_media_id)
        })
        .collect();
    let images = state.pictures(&ids).await?;
    let base = &state.config.base_url;
    Ok(rows.into_iter().map(|e| entry(base, e, &images)).collect())
}

fn entry(
    base: &str,
    feed_entry: FeedEntry,
    images: &std::collections::HashMap<uuid::Uuid, picture::Shown>,
) -> Entry {
    let FeedEntry {
        summary: e,
        body_html,
        ..
    } = feed_entry;
    let featured = e.featured_media_id.and_then(|id| images.get(&id));
    let mut body_html = picture::expand(&body_html, images, picture::Style::Plain);
    if let Some(f) = featured {
        body_html = format!(
            "{}{body_html}",
            picture::expand(
                &format!(
                    "<p><img src=\"{}{}\" alt=\"{}\"></p>",
                    crate::domain::markdown::IMAGE_PATH,
                    f.id,
                    html_escape::encode_double_quoted_attribute(&f.alt)
                ),
                images,
                picture::Style::Plain
            )
        );
    }
    Entry {
        image: featured.map(|f| (f.src.clone(), f.src_bytes)),
        id: format!("urn:uuid:{}", e.id),
        url: format!("{base}/articles/{}", e.slug),
        summary: if e.dek.is_empty() { e.excerpt } else { e.dek },
        published: e.published_at.format(&Rfc3339).unwrap_or_default(),
        updated: e
            .updated_at
            .max(e.published_at)
            .format(&Rfc3339)
            .unwrap_or_default(),
        pub_date: e.published_at.format(&Rfc2822).unwrap_or_default(),
        authors: e
            .bylines
            .0
            .iter()
            .map(|b| (b.name.clone(), format!("{base}{}", b.path())))
            .collect(),
        title: e.title,
        body_html,
        tags: e.tags.0,
    }
}

/// Every XML answer leaves here. Forms drop the characters XML cannot carry before anything is
/// stored, but texts may come from elsewhere (an import, or rows older than that rule): they
/// are dropped here too, so that no text can make a feed malformed.
fn xml(content_type: &'static str, body: String) -> Response {
    let body = match text::storable(&body) {
        std::borrow::Cow::Borrowed(_) => body,
        std::borrow::Cow::Owned(clean) => clean,
    };
    (
        [(header::CONTENT_TYPE, HeaderValue::from_static(content_type))],
        body,
    )
        .into_response()
}

/// Which feed: the whole site, one tag's or one author's.
struct Scope {
    filter: Filter<'static>,
    /// A guest contributor's feed: the articles they co-sign (`filter` is then empty).
    contributor: Option<uuid::Uuid>,
    title: String,
    subtitle: String,
    /// Path of the HTML page the feed mirrors, and of the feed itself (without extension).
    page: String,
    feed: String,
}

/// A feed's articles, and when the newest change among them was.
async fn load(
    state: &AppState,
    filter: Filter<'static>,
    contributor: Option<uuid::Uuid>,
) -> Result<(Vec<FeedEntry>, OffsetDateTime), AppError> {
    let rows = match contributor {
        Some(id) => public::contributor_feed(&state.reads(), id, FEED_SIZE).await?,
        None => public::feed(&state.reads(), filter, FEED_SIZE).await?,
    };
    let updated = rows
        .iter()
        .map(|e| e.summary.updated_at.max(e.summary.published_at))
        .max()
        .unwrap_or(OffsetDateTime::UNIX_EPOCH);
    Ok((rows, updated))
}

async fn atom(state: &AppState, scope: Scope) -> Result<Response, AppError> {
    let base = state.config.base_url.clone();
    let (rows, updated) = load(state, scope.filter, scope.contributor).await?;
    let feed = AtomFeed {
        lang: state.config.lang.as_str(),
        title: scope.title,
        subtitle: scope.subtitle,
        self_url: format!("{base}{}", scope.feed),
        page_url: format!("{base}{}", scope.page),
        updated: updated.format(&Rfc3339).unwrap_or_default(),
        entries: entries(state, rows).await?,
        base,
    };
    Ok(xml("application/atom+xml; charset=utf-8", feed.render()?))
}

fn site_scope(state: &AppState) -> Scope {
    Scope {
        filter: Filter::default(),
        contributor: None,
        title: "Vigie".to_owned(),
        subtitle: state.words().tagline.to_owned(),
        page: "/".to_owned(),
        feed: "/feed.atom".to_owned(),
    }
}

pub async fn site_atom(State(state): State<AppState>) -> Result<Response, AppError> {
    let scope = site_scope(&state);
    atom(&state, scope).await
}

pub async fn site_rss(State(state): State<AppState>) -> Result<Response, AppError> {
    let base = state.config.base_url.clone();
    let (rows, updated) = load(&state, Filter::default(), None).await?;
    let feed = RssFeed {
        lang: state.config.lang.as_str(),
        title: "Vigie".to_owned(),
        subtitle: state.words().tagline.to_owned(),
        self_url: format!("{base}/rss.xml"),
        page_url: format!("{base}/"),
        updated: updated.format(&Rfc2822).unwrap_or_default(),
        entries: entries(&state, rows).await?,
    };
    Ok(xml("application/rss+xml; charset=utf-8", feed.render()?))
}

pub async fn tag_atom(
    State(state): State<AppState>,
    Path(slug): Path<String>,
) -> Result<Response, AppError> {
    let slug = Slug::parse(&slug).map_err(|_| AppError::NotFound)?;
    let Some(tag) = tags::public_tag(&state.reads(), &slug).await? else {
        // Renamed or merged: feed readers follow a 301 and keep the subscription.
        return match tags::moved_to(&state.reads(), &slug).await? {
            Some(current) => Ok((
                StatusCode::MOVED_PERMANENTLY,
                [(header::LOCATION, format!("/tags/{current}/feed.atom"))],
            )
                .into_response()),
            None => Err(AppError::NotFound),
        };
    };
    let scope = Scope {
        filter: Filter {
            tag: Some(tag.id),
            ..Filter::default()
        },
        contributor: None,
        title: format!("Vigie — {}", tag.name),
        subtitle: tag.description,
        page: format!("/tags/{}", tag.slug),
        feed: format!("/tags/{}/feed.atom", tag.slug),
    };
    atom(&state, scope).await
}

pub async fn author_atom(
    State(state): State<AppState>,
    Path(slug): Path<String>,
) -> Result<Response, AppError> {
    let slug = Slug::parse(&slug).map_err(|_| AppError::NotFound)?;
    let author = users::public_author(&state.reads(), &slug)
        .await?
        .ok_or(AppError::NotFound)?;
    let scope = Scope {
        filter: Filter {
            author: Some(author.id),
            ..Filter::default()
        },
        contributor: None,
        title: format!("Vigie — {}", author.display_name),
        subtitle: author.bio,
        page: format!("/authors/{}", author.slug),
        feed: format!("/authors/{}/feed.atom", author.slug),
    };
    atom(&state, scope).await
}

/// A guest contributor's feed, as an author's: what they co-sign.
pub async fn contributor_atom(
    State(state): State<AppState>,
    Path(slug): Path<String>,
) -> Result<Response, AppError> {
    let slug = Slug::parse(&slug).map_err(|_| AppError::NotFound)?;
    let contributor = contributors::public(&state.reads(), &slug)
        .await?
        .ok_or(AppError::NotFound)?;
    let scope = Scope {
        filter: Filter::default(),
        contributor: Some(contributor.id),
        title: format!("Vigie — {}", contributor.name),
        subtitle: contributor.bio,
        page: format!("/contributors/{}", contributor.slug),
        feed: format!("/contributors/{}/feed.atom", contributor.slug),
    };
    atom(&state, scope).await
}

#[derive(Template)]
#[template(path = "public/sitemap-index.xml")]
struct SitemapIndex {
    base: String,
    pages: Vec<usize>,
}

/// A sitemap entry: path, last change, and the language versions (`hreflang`, absolute
/// address).
type SitemapEntry = (String, String, Vec<(String, String)>);

#[derive(Template)]
#[template(path = "public/sitemap.xml")]
struct SitemapPage {
    base: String,
    urls: Vec<SitemapEntry>,
}

#[derive(Template)]
#[template(path = "public/sitemap-news.xml")]
struct NewsSitemap {
    base: String,
    /// Path, title, language, publication time (RFC 3339).
    urls: Vec<(String, String, String, String)>,
}

/// `/sitemaps/news.xml`: the Google News sitemap, the articles of the last two days.
async fn news_sitemap(state: &AppState) -> Result<Response, AppError> {
    let urls = discover::news_articles(&state.reads())
        .await?
        .into_iter()
        .map(|a| {
            (
                format!("/articles/{}", a.slug),
                a.title,
                a.lang,
                a.published_at.format(&Rfc3339).unwrap_or_default(),
            )
        })
        .collect();
    let page = NewsSitemap {
        base: state.config.base_url.clone(),
        urls,
    };
    // Its window moves with the clock, not only with changes: a policy of its own keeps it out
    // of the render cache (which only a change empties), read afresh every five minutes.
    let mut response = xml("application/xml; charset=utf-8", page.render()?);
    response.headers_mut().insert(
        axum::http::header::CACHE_CONTROL,
        axum::http::HeaderValue::from_static("public, max-age=300"),
    );
    Ok(response)
}

/// `/sitemap.xml`: the index of the sitemap pages (sections first, then articles by 50 000,
/// and the news sitemap).
pub async fn sitemap_index(State(state): State<AppState>) -> Result<Response, AppError> {
    let count = discover::public_count(&state.reads()).await?;
    let article_pages =
        usize::try_from(((count + SITEMAP_PAGE - 1) / SITEMAP_PAGE).max(1)).unwrap_or(1);
    let index = SitemapIndex {
        base: state.config.base_url.clone(),
        pages: (0..=article_pages).collect(),
    };
    Ok(xml("application/xml; charset=utf-8", index.render()?))
}

/// `/sitemaps/{n}.xml`: page 0 is the home, tag and author pages; page n ≥ 1 the n-th 50 000
/// articles.
pub async fn sitemap_page(
    State(state): State<AppState>,
    Path(file): Path<String>,
) -> Result<Response, AppError> {
    if file == "news.xml" {
        return news_sitemap(&state).await;
    }
    let n: i64 = file
        .strip_suffix(".xml")
        .and_then(|n| n.parse().ok())
        .filter(|n| *n >= 0)
        .ok_or(AppError::NotFound)?;
    let stamp = |at: OffsetDateTime| at.format(&Rfc3339).unwrap_or_default();
    let base = &state.config.base_url;
    let urls: Vec<SitemapEntry> = if n == 0 {
        let mut urls: Vec<_> = discover::sitemap_sections(&state.reads())
            .await?
            .into_iter()
            .map(|u: SitemapUrl| (u.path, stamp(u.lastmod), Vec::new()))
            .collect();
        urls.insert(0, ("/".to_owned(), String::new(), Vec::new()));
        urls
    } else {
        // A page past any the site could have names nothing (and must not overflow the offset).
        let offset = (n - 1)
            .checked_mul(SITEMAP_PAGE)
            .ok_or(AppError::NotFound)?;
        let rows = discover::sitemap_articles(&state.reads(), offset, SITEMAP_PAGE).await?;
        if rows.is_empty() && n > 1 {
            return Err(AppError::NotFound);
        }
        rows.into_iter()
            .map(|a| {
                let mut versions: Vec<(String, String)> = a
                    .alternates
                    .map(|v| v.0)
                    .filter(|v| v.len() > 1)
                    .unwrap_or_default()
                    .into_iter()
                    .map(|v| (v.lang, format!("{base}/articles/{}", v.slug)))
                    .collect();
                // As on the pages: readers of another language get the original (listed
                // first), or the first version readers can read.
                if let Some((_, first)) = versions.first() {
                    let default = ("x-default".to_owned(), first.clone());
                    versions.push(default);
                }
                (a.path, stamp(a.lastmod), versions)
            })
            .collect()
    };
    let page = SitemapPage {
        base: state.config.base_url.clone(),
        urls,
    };
    Ok(xml("application/xml; charset=utf-8", page.render()?))
}

/// `/.well-known/security.txt` (RFC 9116): where to report a security problem, and the policy
/// (`SECURITY.md`). It expires, as the RFC asks, half a year after it was served.
pub async fn security_txt(State(state): State<AppState>) -> Response {
    let expires = (OffsetDateTime::now_utc() + time::Duration::days(180))
        .replace_nanosecond(0)
        .unwrap_or_else(|_| OffsetDateTime::now_utc())
        .format(&Rfc3339)
        .unwrap_or_default();
    let body = format!(
        "Contact: {0}\nExpires: {expires}\nPreferred-Languages: fr, en\nCanonical: {1}/.well-known/security.txt\nPolicy: {1}/security\n",
        state.config.security_contact, state.config.base_url
    );
    (
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/plain; charset=utf-8"),
        )],
        body,
    )
        .into_response()
}

/// `/security`: the security policy (`SECURITY.md`), as plain text.
pub async fn security_policy() -> Response {
    (
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/plain; charset=utf-8"),
        )],
        include_str!("../../../SECURITY.md"),
    )
        .into_response()
}

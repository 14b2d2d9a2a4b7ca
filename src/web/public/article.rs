//! `/articles/{slug}`: one published article, its tags and related articles.

use askama::Template;
use askama_web::WebTemplate;
use axum::Extension;
use axum::extract::{Path, State};
use axum::http::{Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};

use super::{BylineLink, TagLink, When, byline_links, tag_links};
use crate::domain::{Slug, legacy_path};
use crate::media::picture::{self, Shown, Style};
use crate::store::articles::public::{self, Lookup, Published};
use crate::store::articles::translations;
use crate::store::review;
use crate::web::page::SocialImage;
use crate::web::render_cache::CacheDeps;
use crate::web::{AppError, AppState, Page};

pub struct CorrectionNote {
    pub when: When,
    pub body: String,
}

pub struct RelatedLink {
    pub slug: String,
    pub title: String,
    pub when: When,
}

#[derive(Template, WebTemplate)]
#[template(path = "public/article.html")]
pub struct ArticleTemplate {
    page: Page,
    article: Box<Published>,
    when: When,
    tags: Vec<TagLink>,
    related: Vec<RelatedLink>,
    corrections: Vec<CorrectionNote>,
    /// RFC 3339 time of the last change.
    modified: String,
    /// The schema.org NewsArticle description, safe inside `<script>`.
    json_ld: String,
    featured: Option<Shown>,
    /// A box for each regulation it is about.
    regulations: Vec<super::regulations::Item>,
    ai_disclosure: Option<&'static str>,
    /// Every byline, linked: "A, B et C".
    bylines: Vec<BylineLink>,
    /// "Mis à jour le …": when it last changed in substance, if it did after it came out.
    revised: Option<When>,
    /// Every public version of it, itself included (`hreflang` alternates), when it has a
    /// public translation; and the one for readers of any other language (`x-default`).
    versions: Vec<Version>,
    x_default: Option<String>,
}

/// One language version of an article, for `hreflang` and the language switch.
pub struct Version {
    pub lang: &'static str,
    pub name: &'static str,
    /// Absolute.
    pub url: String,
    pub current: bool,
}

/// schema.org `NewsArticle` for search engines, with the corrections when there are any.
fn news_article(
    base: &str,
    article: &Published,
    tags: &[TagLink],
    corrections: &[CorrectionNote],
    featured: Option<&Shown>,
    regulations: &[super::regulations::Item],
) -> String {
    let url = format!("{base}/articles/{}", article.slug);
    let mut ld = serde_json::json!({
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": article.title,
        "description": if article.dek.is_empty() { &article.excerpt } else { &article.dek },
        "datePublished": article.published_at.format(&time::format_description::well_known::Rfc3339).unwrap_or_default(),
        // The date readers are shown ("Mis à jour le"), or the publication's.
        "dateModified": article.revised_at.filter(|at| *at > article.published_at)
            .unwrap_or(article.published_at)
            .format(&time::format_description::well_known::Rfc3339).unwrap_or_default(),
        "inLanguage": article.lang.as_str(),
        "mainEntityOfPage": url,
        "url": url,
        "author": article.bylines.0.iter()
            .map(|b| serde_json::json!({ "@type": "Person", "name": b.name, "url": format!("{base}{}", b.path()) }))
            .collect::<Vec<_>>(),
        "publisher": {
            "@type": "NewsMediaOrganization",
            "name": "Vigie",
            "url": format!("{base}/"),
            "logo": { "@type": "ImageObject", "url": format!("{base}/static/logo.svg"), "width": 600, "height": 60 },
        },
        "isAccessibleForFree": true,
        "keywords": tags.iter().map(|t| t.name.as_str()).collect::<Vec<_>>(),
    });
    if let Some(image) = featured {
        // Google asks for large images in several ratios: the card (1.91:1) and the whole.
        let mut urls: Vec<&str> = image.card.iter().map(|(url, _, _)| url.as_str()).collect();
        urls.push(&image.src);
        ld["image"] = serde_json::json!(urls);
    }
    if !regulations.is_empty() {
        // What it is about: the regulations it carries the tags of, as their hubs describe them.
        ld["about"] = regulations
            .iter()
            .map(|r| serde_json::json!({ "@type": "Legislation", "name": r.name, "url": format!("{base}/regulations/{}", r.slug) }))
            .collect();
    }
    if !corrections.is_empty() {
        ld["correction"] = corrections
            .iter()
            .map(|c| serde_json::json!({ "@type": "CorrectionComment", "text": c.body, "datePublished": c.when.iso }))
            .collect();
    }
    // Inside <script>, "</script>" in a title would end the block: < is written as \u003c.
    ld.to_string().replace('<', "\\u003c")
}

/// Every address no route knows: an old address of an imported article (its WordPress
/// permalink, say) is sent on to the article with a 301; anything else is the 404 page.
pub async fn old_address(
    State(state): State<AppState>,
    method: Method,
    uri: Uri,
) -> Result<Response, AppError> {
    if !matches!(method, Method::GET | Method::HEAD) {
        return Err(AppError::NotFound);
    }
    let Some(path) = legacy_path(uri.path()) else {
        return Err(AppError::NotFound);
    };
    match public::moved_from(&state.reads(), &path).await? {
        Some(slug) => Ok((
            StatusCode::MOVED_PERMANENTLY,
            [(header::LOCATION, format!("/articles/{slug}"))],
        )
            .into_response()),
        None => Err(AppError::NotFound),
    }
}

pub async fn show(
    State(state): State<AppState>,
    Path(slug): Path<String>,
) -> Result<Response, AppError> {
    let slug = Slug::parse(&slug).map_err(|_| AppError::NotFound)?;
    let mut article =
        match public::find_published(&state.reads(), &slug, state.config.related_count).await? {
            Lookup::Found(article) => article,
            Lookup::Moved(current) => {
                // 301, not axum's 308: what search engines and the design expect for a moved page.
                let location = format!("/articles/{current}");
                return Ok((
                    StatusCode::MOVED_PERMANENTLY,
                    [(header::LOCATION, location)],
                )
                    .into_response());
            }
            Lookup::Withdrawn(reason) => {
                let t = state.words();
                let notice = match reason.trim() {
                    "" => t.withdrawn.to_owned(),
                    reason => format!("{} {} {reason}", t.withdrawn, t.withdrawn_reason),
                };
                return Err(AppError::Gone(notice));
            }
            Lookup::Missing => return Err(AppError::NotFound),
        };
    let related = std::mem::take(&mut article.related.0);
    let group: Vec<translations::Member> = std::mem::take(&mut article.translations.0)
        .into_iter()
        .map(Into::into)
        .collect();
    let mut deps = CacheDeps::article_page(&article, &related);
    // Its translations' pages list its language, and its own lists theirs.
    deps.0
        .extend(group.iter().map(|m| format!("article:{}", m.id)));
    let mut media_ids = article.media_ids.clone();
    media_ids.extend(article.featured_media_id);
    deps.0
        .extend(media_ids.iter().map(|id| format!("media:{id}")));
    let images = state.pictures(&media_ids).await?;
    let regulations = if article.regulated {
        super::regulations::boxes(&state, &article.tag_ids).await?
    } else {
        Vec::new()
    };
    deps.0
        .extend(regulations.iter().map(|r| format!("regulation:{}", r.id)));
    article.body_html = picture::expand(&article.body_html, &images, Style::Page);
    let featured = article
        .featured_media_id
        .and_then(|id| images.get(&id).cloned());
    let related = related
        .into_iter()
        .map(|r| RelatedLink {
            slug: r.slug,
            title: r.title,
            when: state.when(r.published_at),
        })
        .collect();
    let corrections: Vec<CorrectionNote> = std::mem::take(&mut article.corrections.0)
        .into_iter()
        .map(|c| CorrectionNote {
            when: state.when(c.noted_at),
            body: c.body,
        })
        .collect();
    let mut page = state.page(format!("{} — Vigie", article.title));
    // The article's own language for <html lang>; the interface stays in the site's.
    page.lang = article.lang.to_string();
    page.description = if article.dek.is_empty() {
        article.excerpt.clone()
    } else {
        article.dek.clone()
    };
    page.canonical = Some(format!(
        "{}/articles/{}",
        state.config.base_url, article.slug
    ));
    page.social_title = Some(article.social_title.clone()).filter(|t| !t.is_empty());
    page.social_description = Some(article.social_description.clone()).filter(|d| !d.is_empty());
    page.image = featured.as_ref().and_then(|f| {
        f.card.as_ref().map(|(url, width, height)| SocialImage {
            url: url.clone(),
            width: *width,
            height: *height,
            alt: f.alt.clone(),
        })
    });
    // The newsroom leaves this one open to text-and-data mining (see `machines`).
    let open = article.tdm_open && state.config.tdm.reserved;
    if open {
        page.tdm_reservation = Some("0");
        page.tdm_policy = None;
    }
    let tags = tag_links(std::mem::take(&mut article.tags.0));
    let modified = article
        .updated_at
        .max(article.published_at)
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default();
    let json_ld = news_article(
        &state.config.base_url,
        &article,
        &tags,
        &corrections,
        featured.as_ref(),
        &regulations,
    );
    let base = &state.config.base_url;
    let public_versions: Vec<_> = group.iter().filter(|m| m.public).collect();
    let versions: Vec<Version> = if public_versions.len() > 1 {
        public_versions
            .iter()
            .map(|m| Version {
                lang: m.lang.as_str(),
                name: m.lang.native_name(),
                url: format!("{base}/articles/{}", m.slug),
                current: m.id == article.id,
            })
            .collect()
    } else {
        Vec::new()
    };
    // Readers of another language get the original, or this one when it is not public.
    // The same on every page of the group: it lists its original first, then by language.
    let x_default = (!versions.is_empty())
        .then(|| {
            public_versions
                .first()
                .map(|m| format!("{base}/articles/{}", m.slug))
        })
        .flatten();
    let revised = article
        .revised_at
        .filter(|at| *at > article.published_at)
        .map(|at| state.when(at));
    let page = ArticleTemplate {
        bylines: byline_links(&article.bylines.0, state.words().and),
        revised,
        versions,
        x_default,
        page,
        regulations,
        ai_disclosure: article.ai_use.disclosure(state.config.lang),
        when: state.when(article.published_at),
        article,
        tags,
        related,
        corrections,
        modified,
        json_ld,
        featured,
    };
    let mut response = (Extension(deps), page).into_response();
    if open {
        super::machines::left_open(&mut response);
    }
    Ok(response)
}

pub struct CorrectionEntry {
    pub slug: String,
    pub title: String,
    pub when: When,
    pub body: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "public/corrections.html")]
pub struct CorrectionsTemplate {
    page: Page,
    corrections: Vec<CorrectionEntry>,
}

/// `/corrections`: every correction of the site, newest first.
pub async fn corrections(State(state): State<AppState>) -> Result<CorrectionsTemplate, AppError> {
    let corrections = review::public_corrections(&state.reads(), 200)
        .await?
        .into_iter()
        .map(|c| CorrectionEntry {
            when: state.when(c.noted_at),
            slug: c.slug,
            title: c.title,
            body: c.body,
        })
        .collect();
    let mut page = state.page(format!("{} — Vigie", state.words().corrections));
    page.canonical = Some(format!("{}/corrections", state.config.base_url));
    Ok(CorrectionsTemplate { page, corrections })
}

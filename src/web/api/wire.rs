//! The API's answers as they travel: field names are part of the contract and only ever gain
//! new fields. The OpenAPI document is generated from these types.

use serde::Serialize;
use time::OffsetDateTime;
use utoipa::ToSchema;

use crate::store::TagRef;

/// What every error answer holds: a problem detail (RFC 9457, `application/problem+json`),
/// with `error` kept from the first version of the API.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = ApiError)]
pub struct ErrorBody {
    /// `about:blank`: the status says what kind of problem it is.
    #[serde(rename = "type")]
    pub kind: String,
    /// The status's name (`Not Found`).
    pub title: String,
    /// The HTTP status.
    pub status: u16,
    /// What went wrong, for a person to read.
    pub detail: String,
    /// The same as `detail`.
    pub error: String,
    /// A form that could not be accepted: what is wrong with each field, by name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub errors: Option<std::collections::BTreeMap<String, String>>,
}

/// A tag on an article.
#[derive(Debug, Serialize, ToSchema)]
pub struct ApiTagRef {
    pub slug: String,
    pub name: String,
    /// `topic`, `jurisdiction`, `organisation` or `regulation`.
    pub kind: String,
}

impl From<TagRef> for ApiTagRef {
    fn from(t: TagRef) -> Self {
        Self {
            slug: t.slug,
            name: t.name,
            kind: t.kind.to_string(),
        }
    }
}

/// Who signed an article.
#[derive(Debug, Serialize, ToSchema)]
pub struct ApiByline {
    pub slug: String,
    pub name: String,
    /// Their page on the site.
    pub url: String,
}

/// Another language version of an article that readers can read.
#[derive(Debug, Serialize, ToSchema)]
pub struct ApiTranslation {
    /// BCP 47 language code (`fr`, `en`).
    pub lang: String,
    pub slug: String,
    pub title: String,
    pub url: String,
    /// The version the others translate.
    pub original: bool,
}

/// One of an article's bylines, in order (the author first).
#[derive(Debug, Serialize, ToSchema)]
pub struct ApiSigner {
    pub slug: String,
    pub name: String,
    /// Their page on the site (`/authors/…`, or `/contributors/…` for a guest).
    pub url: String,
    /// A guest contributor, without an account.
    pub guest: bool,
}

/// An article in a list.
#[derive(Debug, Serialize, ToSchema)]
pub struct ArticleSummary {
    pub slug: String,
    pub title: String,
    pub dek: String,
    pub excerpt: String,
    /// BCP 47 language code of the text (`fr`, `en`).
    pub lang: String,
    /// The article's page on the site.
    pub url: String,
    #[serde(with = "time::serde::rfc3339")]
    pub published_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
    /// The first byline (kept for clients of the first version).
    pub author: ApiByline,
    /// Every byline, in order: the author, then the co-authors.
    pub authors: Vec<ApiSigner>,
    pub tags: Vec<ApiTagRef>,
    /// The featured image, once its files are made.
    pub image: Option<ApiImage>,
}

/// One page of articles.
#[derive(Debug, Serialize, ToSchema)]
pub struct ArticleList {
    pub articles: Vec<ArticleSummary>,
    /// Pass as `cursor` for the next (older) page; `null` on the last page.
    pub next_cursor: Option<String>,
}

/// A correction published under an article.
#[derive(Debug, Serialize, ToSchema)]
pub struct ApiCorrection {
    #[serde(with = "time::serde::rfc3339")]
    pub noted_at: OffsetDateTime,
    pub text: String,
}

/// An article listed under another one.
#[derive(Debug, Serialize, ToSchema)]
pub struct ApiRelated {
    pub slug: String,
    pub title: String,
    pub url: String,
    #[serde(with = "time::serde::rfc3339")]
    pub published_at: OffsetDateTime,
}

/// An article's featured image.
#[derive(Debug, Serialize, ToSchema)]
pub struct ApiImage {
    /// A JPEG about 960 pixels wide.
    pub url: String,
    /// Every width, as an HTML `srcset` (JPEG).
    pub srcset: String,
    /// The largest width's size.
    pub width: i32,
    pub height: i32,
    /// What the image shows, for readers who do not see it.
    pub alt: String,
    pub caption: String,
    pub credit: String,
    /// The 1.91:1 crop social networks show.
    pub card_url: Option<String>,
}

impl From<crate::media::picture::Shown> for ApiImage {
    fn from(s: crate::media::picture::Shown) -> Self {
        Self {
            url: s.src,
            srcset: s.jpeg_srcset,
            width: s.width,
            height: s.height,
            alt: s.alt,
            caption: s.caption,
            credit: s.credit,
            card_url: s.card.map(|(url, _, _)| url),
        }
    }
}

/// One article in full.
#[derive(Debug, Serialize, ToSchema)]
pub struct ApiArticle {
    pub slug: String,
    pub title: String,
    pub dek: String,
    pub excerpt: String,
    pub lang: String,
    pub url: String,
    #[serde(with = "time::serde::rfc3339")]
    pub published_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
    /// Kept online for the record, no longer updated.
    pub archived: bool,
    /// The first byline (kept for clients of the first version).
    pub author: ApiByline,
    /// Every byline, in order: the author, then the co-authors.
    pub authors: Vec<ApiSigner>,
    /// When it last changed in substance, as the newsroom says ("Mis à jour le …"), if it did.
    #[serde(with = "time::serde::rfc3339::option")]
    pub revised_at: Option<OffsetDateTime>,
    /// Its other language versions readers can read (empty when it has none).
    pub translations: Vec<ApiTranslation>,
    pub tags: Vec<ApiTagRef>,
    /// The text as sanitised HTML, as the site shows it (its images as plain `<img>`).
    pub body_html: String,
    /// The featured image, once its files are made.
    pub image: Option<ApiImage>,
    pub related: Vec<ApiRelated>,
    pub corrections: Vec<ApiCorrection>,
    /// How AI was used to make it: none, research, writing, translation or illustration.
    pub ai_use: String,
}

/// A tag with public articles.
#[derive(Debug, Serialize, ToSchema)]
pub struct ApiTag {
    pub slug: String,
    pub name: String,
    pub kind: String,
    pub description: String,
    pub url: String,
    /// How many published articles carry it.
    pub article_count: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TagList {
    pub tags: Vec<ApiTag>,
}

/// Someone who signed published articles.
#[derive(Debug, Serialize, ToSchema)]
pub struct ApiAuthor {
    pub slug: String,
    pub name: String,
    pub bio: String,
    pub url: String,
    pub article_count: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AuthorList {
    pub authors: Vec<ApiAuthor>,
}

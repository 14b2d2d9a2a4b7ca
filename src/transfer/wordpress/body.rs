//! A WordPress post's body, made Markdown: paragraphs for classic-editor text, links to the
//! site's own posts pointed at their Vigie articles, the HTML cleaned by the allow-list and
//! converted.

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::LazyLock;

use super::{Site, decode_slug};

/// Turns a post's HTML into Markdown: classic-editor text gets its paragraphs (WordPress adds
/// them only when showing a post), links to other posts of the site become links to their
/// Vigie article (`/articles/slug`) through `article_for`, then the HTML is cleaned by the
/// allow-list (no script, event handler or `javascript:` URL survives) and converted. Block
/// editor comments (`<!-- wp:… -->`) go with the cleaning.
pub fn to_markdown(html: &str, article_for: &dyn Fn(&str) -> Option<String>) -> String {
    to_markdown_with_images(html, article_for, &|_| None)
}

/// [`to_markdown`], with each image address (`src`, and `href` to a file) that `image_for`
/// knows pointed at its new home (`/images/{id}`).
pub fn to_markdown_with_images(
    html: &str,
    article_for: &dyn Fn(&str) -> Option<String>,
    image_for: &dyn Fn(&str) -> Option<String>,
) -> String {
    let html = if is_classic(html) {
        Cow::Owned(autop(html))
    } else {
        Cow::Borrowed(html)
    };
    let html = rewrite_attribute(&html, "src=\"", image_for);
    let html = rewrite_attribute(&html, "href=\"", image_for);
    let html = rewrite_links(&html, article_for);
    let clean = ammonia::clean(&html);
    // Converting a string cannot fail on I/O; a failure would leave the body empty, which the
    // import reports rather than hides (see `import::import_wordpress`).
    let converted = CONVERTER.convert(&clean).unwrap_or_default();
    converted.trim().to_owned()
}

static CONVERTER: LazyLock<htmd::HtmlToMarkdown> = LazyLock::new(|| {
    htmd::HtmlToMarkdown::builder()
        // A figure's caption (under a table or an image) becomes an italic line of its own.
        .add_handler(
            vec!["figcaption"],
            |handlers: &dyn htmd::element_handler::Handlers, element: htmd::Element| {
                let text = handlers.walk_children(element.node).content;
                let text = text.trim();
                Some(if text.is_empty() {
                    String::new().into()
                } else {
                    format!("\n\n*{text}*\n\n").into()
                })
            },
        )
        .build()
});

/// Each `attribute…"` value (`src="`, `href="`) that `new_for` knows, replaced by its answer.
fn rewrite_attribute(
    html: &str,
    attribute: &str,
    new_for: &dyn Fn(&str) -> Option<String>,
) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(at) = rest.find(attribute) {
        let (before, after) = rest.split_at(at + attribute.len());
        out.push_str(before);
        let end = after.find('"').unwrap_or(after.len());
        let url = &after[..end];
        match new_for(&url.replace("&amp;", "&").replace("&#038;", "&")) {
            Some(new) => out.push_str(&new),
            None => out.push_str(url),
        }
        rest = &after[end..];
    }
    out.push_str(rest);
    out
}

/// Every `src="…"` of an `<img>` and `href="…"` in `html`, as written (entities decoded).
pub fn image_addresses(html: &str) -> Vec<String> {
    let mut found = Vec::new();
    for attribute in ["src=\"", "href=\""] {
        let mut rest = html;
        while let Some(at) = rest.find(attribute) {
            let after = &rest[at + attribute.len()..];
            let end = after.find('"').unwrap_or(after.len());
            let url = after[..end].replace("&amp;", "&").replace("&#038;", "&");
            if !found.contains(&url) {
                found.push(url);
            }
            rest = &after[end..];
        }
    }
    found
}

/// Points each `href="…"` that `article_for` recognises at that Vigie article. WordPress
/// writes every attribute in double quotes and `&` as `&amp;` or `&#038;`.
fn rewrite_links(html: &str, article_for: &dyn Fn(&str) -> Option<String>) -> String {
    const HREF: &str = "href=\"";
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(at) = rest.find(HREF) {
        let (before, after) = rest.split_at(at + HREF.len());
        out.push_str(before);
        let end = after.find('"').unwrap_or(after.len());
        let url = &after[..end];
        match article_for(&url.replace("&amp;", "&").replace("&#038;", "&")) {
            Some(slug) => {
                out.push_str("/articles/");
                out.push_str(&slug);
            }
            None => out.push_str(url),
        }
        rest = &after[end..];
    }
    out.push_str(rest);
    out
}

/// Whether `html` was written in the classic editor: no block markers and no paragraphs of its
/// own, paragraphs being blank lines.
fn is_classic(html: &str) -> bool {
    !html.contains("<!-- wp:") && !html.contains("<p") && html.contains("\n\n")
}

/// WordPress's "autop", in short: each run of text between blank lines is a paragraph, a single
/// line break inside one is a `<br>`; chunks that already are blocks are left alone.
fn autop(html: &str) -> String {
    const BLOCKS: &[&str] = &[
        "<p",
        "<div",
        "<h1",
        "<h2",
        "<h3",
        "<h4",
        "<h5",
        "<h6",
        "<ul",
        "<ol",
        "<li",
        "<table",
        "<blockquote",
        "<pre",
        "<figure",
        "<hr",
        "<!--",
    ];
    html.replace("\r\n", "\n")
        .split("\n\n")
        .map(str::trim)
        .filter(|chunk| !chunk.is_empty())
        .map(|chunk| {
            let lower = chunk.to_ascii_lowercase();
            if BLOCKS.iter().any(|b| lower.starts_with(b)) {
                chunk.to_owned()
            } else {
                format!("<p>{}</p>", chunk.replace('\n', "<br>"))
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Finds which post a link points to: its address (with or without the trailing slash, on any
/// of the site's base URLs), its last path segment under a base URL (pretty permalinks), or
/// `?p=ID`. Returns the key the caller mapped it under.
pub struct LinkMap<'a> {
    base_urls: &'a [String],
    by_link: HashMap<String, usize>,
    by_slug: HashMap<String, usize>,
    by_id: HashMap<i64, usize>,
}

impl<'a> LinkMap<'a> {
    pub fn new(site: &'a Site) -> Self {
        let mut map = Self {
            base_urls: &site.base_urls,
            by_link: HashMap::new(),
            by_slug: HashMap::new(),
            by_id: HashMap::new(),
        };
        for (i, post) in site.posts.iter().enumerate() {
            if !post.link.is_empty() {
                map.by_link
                    .insert(post.link.trim().trim_end_matches('/').to_owned(), i);
            }
            if !post.slug.is_empty() {
                map.by_slug.insert(post.slug.to_lowercase(), i);
            }
            if post.wp_id > 0 {
                map.by_id.insert(post.wp_id, i);
            }
        }
        map
    }

    /// The index in [`Site::posts`] of the post `url` points to, if it is one of them.
    pub fn post(&self, url: &str) -> Option<usize> {
        let url = url.trim();
        let without_fragment = url.split('#').next().unwrap_or(url);
        if let Some(i) = self.by_link.get(without_fragment.trim_end_matches('/')) {
            return Some(*i);
        }
        let path = self.base_urls.iter().find_map(|base| {
            without_fragment
                .strip_prefix(base.as_str())
                .filter(|rest| rest.is_empty() || rest.starts_with(['/', '?']))
        })?;
        if let Some(id) = path
            .split_once("?p=")
            .and_then(|(_, id)| id.split('&').next())
            .and_then(|id| id.parse::<i64>().ok())
        {
            return self.by_id.get(&id).copied();
        }
        let path = path.split('?').next().unwrap_or(path);
        let last = path.trim_end_matches('/').rsplit('/').next()?;
        self.by_slug.get(&decode_slug(last).to_lowercase()).copied()
    }
}

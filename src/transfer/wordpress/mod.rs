//! Reading a WordPress export (WXR, the `.xml` file of Tools → Export): its authors, its
//! categories and tags, and its posts, checked one by one so that a problem names the item and
//! the line, without I/O; [`body`] turns post bodies into Markdown, and [`import`] writes what
//! was read into the database.
//!
//! Post bodies become Markdown (see [`to_markdown`]), so imported articles are edited like any
//! other. Attachments are read so that the images posts use (featured, or in their bodies) can
//! come along when the import is given a copy of `wp-content/uploads`. What Vigie has no place
//! for is counted and reported, not imported: pages, menus and other WordPress-internal types,
//! trashed posts and auto-drafts, and comments.

mod body;
mod images;
mod import;

use std::collections::BTreeMap;

use roxmltree::{Document, Node};
use time::macros::format_description;
use time::{OffsetDateTime, PrimitiveDateTime, format_description::BorrowedFormatItem};

pub use body::{LinkMap, image_addresses, to_markdown, to_markdown_with_images};
pub(super) use import::import_wordpress;

/// A whole export file, read.
#[derive(Debug, Default)]
pub struct Site {
    /// The addresses the WordPress site lived at: links to them are links between posts.
    pub base_urls: Vec<String>,
    pub authors: Vec<Author>,
    /// Categories and tags the file defines, whether or not a post uses them.
    pub terms: Vec<Term>,
    pub posts: Vec<Post>,
    /// Files of the media library (`attachment` items).
    pub attachments: Vec<Attachment>,
    /// Co-Authors Plus's guest authors (`guest-author` items), by their login: what a post's
    /// byline term names (`<category domain="author">` holds the login, not the name).
    pub guest_authors: BTreeMap<String, GuestAuthor>,
    /// What was not imported, and how many of each (e.g. `page` → 3, `comment` → 12).
    pub left_out: BTreeMap<String, usize>,
    /// Items that could not be read, in file order.
    pub problems: Vec<Problem>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Author {
    pub login: String,
    pub email: String,
    pub display_name: String,
}

/// A Co-Authors Plus guest author: a byline without a WordPress account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GuestAuthor {
    /// `cap-display_name` (else the item's title).
    pub name: String,
    /// `cap-description`, as plain text.
    pub bio: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Term {
    /// WordPress's `nicename`, percent-decoded.
    pub slug: String,
    pub name: String,
    pub description: String,
}

/// A file of WordPress's media library.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attachment {
    pub wp_id: i64,
    /// Its full address on the old site.
    pub url: String,
    /// Its path under `wp-content/uploads` (`_wp_attached_file`), e.g. `2026/03/photo.jpg`.
    pub file: String,
    /// `_wp_attachment_image_alt`.
    pub alt: String,
    /// Its excerpt: WordPress's caption.
    pub caption: String,
}

/// What a post becomes in Vigie.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fate {
    /// `publish`, or `future` (a date to come: scheduled).
    Published,
    /// `pending`.
    InReview,
    /// `draft`, `private` (Vigie has no members-only articles) or password-protected.
    Draft,
}

#[derive(Debug, Clone)]
pub struct Post {
    /// WordPress's post id, for `?p=` links.
    pub wp_id: i64,
    /// Where the item starts in the file.
    pub line: u32,
    pub title: String,
    /// WordPress's `post_name`, percent-decoded; may be empty for drafts.
    pub slug: String,
    /// The full address the post had, if the file gives it.
    pub link: String,
    pub fate: Fate,
    /// WordPress's status, as written (`publish`, `private`…).
    pub wp_status: String,
    pub date: OffsetDateTime,
    pub modified: OffsetDateTime,
    pub author_login: String,
    /// Co-Authors Plus's bylines (`<category domain="author">`), in order: each the login
    /// of a WordPress user or of one of its guest authors (`Site::guest_authors`); older
    /// exports may hold a guest's name instead. Empty without the plugin.
    pub coauthors: Vec<String>,
    pub html: String,
    /// Plain text, on one line.
    pub excerpt: String,
    /// Tags and categories, in file order.
    pub terms: Vec<Term>,
    /// Its featured image (`_thumbnail_id`), an attachment's id.
    pub thumbnail_id: Option<i64>,
}

/// An item the importer could not read: where, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// 0: not an item.
    pub line: u32,
    pub title: String,
    pub why: String,
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.line == 0 {
            // Not an item: a category or tag of the channel.
            write!(f, "{}", self.why)
        } else if self.title.is_empty() {
            write!(f, "line {}: {}", self.line, self.why)
        } else {
            write!(f, "line {} (« {} »): {}", self.line, self.title, self.why)
        }
    }
}

/// Why a file cannot be read at all.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum WxrError {
    #[error("line {line}, column {column}: the file is not well-formed XML: {message}")]
    Xml {
        line: u32,
        column: u32,
        message: String,
    },
    #[error("this is not a WordPress export: {0}")]
    NotWxr(&'static str),
}

/// Reads a WXR file. Items with a problem are listed in [`Site::problems`], not dropped silently.
pub fn read(text: &str) -> Result<Site, WxrError> {
    let doc = Document::parse(text).map_err(|e| {
        let pos = e.pos();
        WxrError::Xml {
            line: pos.row,
            column: pos.col,
            message: e.to_string(),
        }
    })?;
    let rss = doc.root_element();
    if rss.tag_name().name() != "rss" {
        return Err(WxrError::NotWxr("its root element is not <rss>"));
    }
    let channel = rss
        .children()
        .find(|n| n.has_tag_name("channel"))
        .ok_or(WxrError::NotWxr("it has no <channel>"))?;
    if field(channel, Ns::Wp, "wxr_version").is_none() {
        return Err(WxrError::NotWxr(
            "it has no <wp:wxr_version> (WordPress writes one in every export)",
        ));
    }
    let mut site = Site::default();
    let lines = Lines::of(text);
    for name in ["base_site_url", "base_blog_url"] {
        if let Some(url) = field(channel, Ns::Wp, name) {
            push_url(&mut site.base_urls, url);
        }
    }
    if let Some(url) = field(channel, Ns::None, "link") {
        push_url(&mut site.base_urls, url);
    }
    for node in channel.children().filter(Node::is_element) {
        match (ns(node), node.tag_name().name()) {
            (Ns::Wp, "author") => site.authors.push(Author {
                login: field(node, Ns::Wp, "author_login").unwrap_or_default(),
                email: field(node, Ns::Wp, "author_email").unwrap_or_default(),
                display_name: plain(
                    &field(node, Ns::Wp, "author_display_name").unwrap_or_default(),
                ),
            }),
            (Ns::Wp, "category") => site.terms.push(Term {
                slug: decode_slug(&field(node, Ns::Wp, "category_nicename").unwrap_or_default()),
                name: plain(&field(node, Ns::Wp, "cat_name").unwrap_or_default()),
                description: plain(
                    &field(node, Ns::Wp, "category_description").unwrap_or_default(),
                ),
            }),
            (Ns::Wp, "tag") => site.terms.push(Term {
                slug: decode_slug(&field(node, Ns::Wp, "tag_slug").unwrap_or_default()),
                name: plain(&field(node, Ns::Wp, "tag_name").unwrap_or_default()),
                description: plain(&field(node, Ns::Wp, "tag_description").unwrap_or_default()),
            }),
            (Ns::None, "item") => read_item(lines.at(node.range().start), node, &mut site),
            _ => {}
        }
    }
    Ok(site)
}

/// Adds a base address of the site, under both schemes: old posts of a site that moved to
/// HTTPS still link to its `http://` addresses.
fn push_url(urls: &mut Vec<String>, url: String) {
    let url = url.trim().trim_end_matches('/');
    let other = match url.split_once("://") {
        Some(("https", rest)) => format!("http://{rest}"),
        Some(("http", rest)) => format!("https://{rest}"),
        _ => return,
    };
    for url in [url.to_owned(), other] {
        if !urls.contains(&url) {
            urls.push(url);
        }
    }
}

/// Line numbers by byte offset. (roxmltree can tell too, but counts from the start of the
/// file each time: quadratic over an export of thousands of posts.)
struct Lines(Vec<usize>);

impl Lines {
    fn of(text: &str) -> Self {
        Self(
            text.bytes()
                .enumerate()
                .filter(|(_, b)| *b == b'\n')
                .map(|(i, _)| i)
                .collect(),
        )
    }

    /// The line (from 1) holding byte `offset`.
    fn at(&self, offset: usize) -> u32 {
        let before = self.0.partition_point(|newline| *newline < offset);
        u32::try_from(before + 1).unwrap_or(u32::MAX)
    }
}

fn read_item(line: u32, item: Node, site: &mut Site) {
    let title = plain(&field(item, Ns::None, "title").unwrap_or_default());
    let problem = |why: String| Problem {
        line,
        title: title.clone(),
        why,
    };
    let post_type = field(item, Ns::Wp, "post_type").unwrap_or_default();
    let status = field(item, Ns::Wp, "status").unwrap_or_default();
    let comments = item
        .children()
        .filter(|n| ns(*n) == Ns::Wp && n.has_tag_name("comment"))
        .count();
    if comments > 0 {
        *site.left_out.entry("comments".into()).or_default() += comments;
    }
    if post_type == "attachment" {
        let wp_id = field(item, Ns::Wp, "post_id")
            .and_then(|id| id.trim().parse().ok())
            .unwrap_or(0);
        let url = field(item, Ns::Wp, "attachment_url").unwrap_or_default();
        let file = meta(item, "_wp_attached_file")
            .or_else(|| {
                url.split_once("/wp-content/uploads/")
                    .map(|(_, rest)| rest.to_owned())
            })
            .unwrap_or_default();
        site.attachments.push(Attachment {
            wp_id,
            url: url.trim().to_owned(),
            file: file.trim().to_owned(),
            alt: plain(&meta(item, "_wp_attachment_image_alt").unwrap_or_default()),
            caption: excerpt_text(&field(item, Ns::Excerpt, "encoded").unwrap_or_default()),
        });
        return;
    }
    if post_type == "guest-author" {
        // The plugin keeps a guest's fields as `cap-` post meta.
        let login = meta(item, "cap-user_login").unwrap_or_default();
        let name = meta(item, "cap-display_name")
            .map(|n| plain(&n))
            .filter(|n| !n.trim().is_empty())
            .unwrap_or_else(|| title.clone());
        if !login.trim().is_empty() && !name.trim().is_empty() {
            let bio = text_of_html(&meta(item, "cap-description").unwrap_or_default());
            site.guest_authors.insert(
                login.trim().to_owned(),
                GuestAuthor {
                    name: name.trim().to_owned(),
                    bio: bio.trim().to_owned(),
                },
            );
        }
        return;
    }
    if post_type != "post" {
        let kind = match post_type.as_str() {
            "page" => "pages".to_owned(),
            "" => "items without wp:post_type".to_owned(),
            other => format!("items of type {other}"),
        };
        *site.left_out.entry(kind).or_default() += 1;
        return;
    }
    let protected = field(item, Ns::Wp, "post_password").is_some_and(|p| !p.is_empty());
    let fate = match status.as_str() {
        "publish" | "future" if protected => Fate::Draft,
        "publish" | "future" => Fate::Published,
        "pending" => Fate::InReview,
        "draft" | "private" => Fate::Draft,
        "trash" | "auto-draft" | "inherit" => {
            let kind = match status.as_str() {
                "trash" => "posts in the trash",
                "auto-draft" => "auto-drafts",
                _ => "post revisions",
            };
            *site.left_out.entry(kind.to_owned()).or_default() += 1;
            return;
        }
        other => {
            site.problems.push(problem(format!(
                "unknown wp:status {other:?} (WordPress writes publish, future, draft, pending, private, trash, auto-draft or inherit)"
            )));
            return;
        }
    };
    let wp_id = match field(item, Ns::Wp, "post_id").map(|s| s.trim().parse::<i64>()) {
        Some(Ok(id)) => id,
        Some(Err(_)) => {
            site.problems
                .push(problem("wp:post_id is not a number".into()));
            return;
        }
        None => 0,
    };
    let date = match post_date(item, "post_date") {
        Ok(date) => date,
        Err(why) => {
            site.problems.push(problem(why));
            return;
        }
    };
    let modified = post_date(item, "post_modified")
        .ok()
        .flatten()
        .or(date)
        .unwrap_or(OffsetDateTime::UNIX_EPOCH);
    let Some(date) = date.or((fate != Fate::Published).then_some(modified)) else {
        site.problems.push(problem(
            "a published post needs a date (wp:post_date_gmt or wp:post_date)".into(),
        ));
        return;
    };
    let Some(author_login) = field(item, Ns::Dc, "creator") else {
        site.problems
            .push(problem("it has no author (dc:creator)".into()));
        return;
    };
    let terms = item
        .children()
        .filter(|n| n.has_tag_name("category") && ns(*n) == Ns::None)
        .filter(|n| matches!(n.attribute("domain"), Some("category" | "post_tag")))
        .map(|n| Term {
            slug: decode_slug(n.attribute("nicename").unwrap_or_default()),
            name: plain(n.text().unwrap_or_default()),
            description: String::new(),
        })
        .collect();
    let coauthors = item
        .children()
        .filter(|n| n.has_tag_name("category") && ns(*n) == Ns::None)
        .filter(|n| n.attribute("domain") == Some("author"))
        .map(|n| plain(n.text().unwrap_or_default()))
        .filter(|name| !name.trim().is_empty())
        .collect();
    site.posts.push(Post {
        wp_id,
        coauthors,
        line,
        title,
        slug: decode_slug(&field(item, Ns::Wp, "post_name").unwrap_or_default()),
        link: field(item, Ns::None, "link").unwrap_or_default(),
        fate,
        wp_status: status,
        date,
        modified,
        author_login,
        html: field(item, Ns::Content, "encoded").unwrap_or_default(),
        excerpt: excerpt_text(&field(item, Ns::Excerpt, "encoded").unwrap_or_default()),
        terms,
        thumbnail_id: meta(item, "_thumbnail_id").and_then(|id| id.trim().parse().ok()),
    });
}

/// The `_gmt` form of a WordPress date field, else the local one taken as UTC. `None` when
/// WordPress wrote its "no date" (`0000-00-00 00:00:00`, drafts never published).
fn post_date(item: Node, name: &str) -> Result<Option<OffsetDateTime>, String> {
    const FORMAT: &[BorrowedFormatItem] =
        format_description!("[year]-[month]-[day] [hour]:[minute]:[second]");
    for name in [format!("{name}_gmt"), name.to_owned()] {
        let Some(text) = field(item, Ns::Wp, &name) else {
            continue;
        };
        let text = text.trim();
        if text.is_empty() || text.starts_with("0000-00-00") {
            continue;
        }
        return PrimitiveDateTime::parse(text, FORMAT)
            .map(|d| Some(d.assume_utc()))
            .map_err(|_| format!("wp:{name} {text:?} is not a date like 2026-02-27 08:00:00"));
    }
    Ok(None)
}

/// Text as WordPress stores titles, names and descriptions: with HTML entities (`R&amp;D`,
/// `l&#8217;IA`), which Vigie's templates would show as typed.
fn plain(text: &str) -> String {
    html_escape::decode_html_entities(text).trim().to_owned()
}

/// What a reader would read of a bit of HTML: its text without tags, entities decoded,
/// spaces as one.
fn text_of_html(html: &str) -> String {
    let mut text = String::with_capacity(html.len());
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => in_tag = false,
            _ if !in_tag => text.push(c),
            _ => {}
        }
    }
    plain(&text)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// An excerpt as one line of plain text: HTML ones through [`to_markdown`], plain ones with
/// their entities decoded.
fn excerpt_text(excerpt: &str) -> String {
    let text = if excerpt.contains('<') {
        to_markdown(excerpt, &|_| None)
    } else {
        plain(excerpt)
    };
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// WordPress stores non-ASCII slugs percent-encoded (`%c3%a9t%c3%a9`).
fn decode_slug(s: &str) -> String {
    percent_encoding::percent_decode_str(s)
        .decode_utf8_lossy()
        .trim()
        .to_owned()
}

impl Site {
    /// The path of `link` on this site (its old address, for a redirect), if it is on it.
    pub fn old_path(&self, link: &str) -> Option<String> {
        let rest = self
            .base_urls
            .iter()
            .find_map(|base| link.trim().strip_prefix(base.as_str()))?;
        crate::domain::legacy_path(rest)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ns {
    None,
    Wp,
    Content,
    Excerpt,
    Dc,
    Other,
}

/// Which of WXR's namespaces a node is in. WordPress has written 1.0, 1.1 and 1.2 exports,
/// each with its own namespace address; all are read alike.
fn ns(node: Node) -> Ns {
    match node.tag_name().namespace() {
        None => Ns::None,
        Some(uri)
            if uri.starts_with("http://wordpress.org/export/") && uri.ends_with("/excerpt/") =>
        {
            Ns::Excerpt
        }
        Some(uri) if uri.starts_with("http://wordpress.org/export/") => Ns::Wp,
        Some("http://purl.org/rss/1.0/modules/content/") => Ns::Content,
        Some("http://purl.org/dc/elements/1.1/") => Ns::Dc,
        Some(_) => Ns::Other,
    }
}

/// The text of the first child element `name` in `namespace` (CDATA included).
/// The value of the item's `wp:postmeta` named `key`.
fn meta(item: Node, key: &str) -> Option<String> {
    item.children()
        .filter(|n| n.is_element() && n.tag_name().name() == "postmeta" && ns(*n) == Ns::Wp)
        .find(|m| field(*m, Ns::Wp, "meta_key").is_some_and(|k| k.trim() == key))
        .and_then(|m| field(m, Ns::Wp, "meta_value"))
}

fn field(node: Node, namespace: Ns, name: &str) -> Option<String> {
    let child = node
        .children()
        .find(|n| n.is_element() && n.tag_name().name() == name && ns(*n) == namespace)?;
    Some(
        child
            .children()
            .filter_map(|n| n.text())
            .collect::<String>(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINIMAL: &str = r#"<?xml version="1.0" encoding="UTF-8" ?>
<rss version="2.0" xmlns:excerpt="http://wordpress.org/export/1.2/excerpt/"
  xmlns:content="http://purl.org/rss/1.0/modules/content/"
  xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:wp="http://wordpress.org/export/1.2/">
<channel>
  <link>https://blog.example</link>
  <wp:wxr_version>1.2</wp:wxr_version>
  <wp:base_site_url>https://blog.example</wp:base_site_url>
  <wp:author><wp:author_login><![CDATA[zoe]]></wp:author_login><wp:author_email>zoe@example.org</wp:author_email><wp:author_display_name><![CDATA[Zoé]]></wp:author_display_name></wp:author>
  <item>
    <title>Été</title>
    <link>https://blog.example/2026/01/ete/</link>
    <dc:creator><![CDATA[zoe]]></dc:creator>
    <content:encoded><![CDATA[Premier paragraphe
sur deux lignes.

Second, avec <a href="https://blog.example/?p=7">un lien</a>.]]></content:encoded>
    <excerpt:encoded><![CDATA[]]></excerpt:encoded>
    <wp:post_id>7</wp:post_id>
    <wp:post_date>2026-01-05 10:00:00</wp:post_date>
    <wp:post_date_gmt>2026-01-05 09:00:00</wp:post_date_gmt>
    <wp:post_name><![CDATA[%c3%a9t%c3%a9]]></wp:post_name>
    <wp:status>publish</wp:status>
    <wp:post_type>post</wp:post_type>
    <category domain="category" nicename="saisons"><![CDATA[Saisons]]></category>
    <category domain="author" nicename="cap-zoe"><![CDATA[zoe]]></category>
    <category domain="author" nicename="cap-ines-invitee"><![CDATA[Inès Invitée]]></category>
  </item>
  <item>
    <title>À propos</title>
    <wp:post_type>page</wp:post_type>
    <wp:status>publish</wp:status>
  </item>
</channel>
</rss>"#;

    #[test]
    fn reads_authors_posts_terms_and_dates() {
        let site = read(MINIMAL).expect("reads");
        assert_eq!(site.authors.len(), 1);
        assert_eq!(site.authors[0].display_name, "Zoé");
        assert_eq!(site.posts.len(), 1);
        let post = &site.posts[0];
        assert_eq!(post.slug, "été");
        assert_eq!(post.fate, Fate::Published);
        assert_eq!(post.date, time::macros::datetime!(2026-01-05 09:00 UTC));
        assert_eq!(post.terms[0].name, "Saisons");
        // Co-Authors Plus's bylines are not tags: they are read apart, in order.
        assert_eq!(post.terms.len(), 1);
        assert_eq!(post.coauthors, ["zoe", "Inès Invitée"]);
        assert_eq!(site.left_out.get("pages"), Some(&1));
        assert!(site.problems.is_empty());
    }

    #[test]
    fn classic_text_gets_paragraphs_and_links_to_posts_are_found() {
        let site = read(MINIMAL).expect("reads");
        let links = LinkMap::new(&site);
        assert_eq!(links.post("https://blog.example/?p=7"), Some(0));
        assert_eq!(links.post("https://blog.example/2026/01/ete"), Some(0));
        assert_eq!(
            links.post("https://blog.example/2026/01/%C3%A9t%C3%A9/"),
            Some(0)
        );
        assert_eq!(links.post("https://elsewhere.example/ete/"), None);
        assert_eq!(
            links.post("http://blog.example/?p=7"),
            Some(0),
            "before HTTPS"
        );
        assert_eq!(links.post("https://blog.example.evil/?p=7"), None);
        let md = to_markdown(&site.posts[0].html, &|url| {
            links.post(url).map(|_| "ete".to_owned())
        });
        assert_eq!(
            md,
            "Premier paragraphe  \nsur deux lignes.\n\nSecond, avec [un lien](/articles/ete)."
        );
    }

    #[test]
    fn gutenberg_blocks_become_markdown_without_scripts() {
        let html = r#"<!-- wp:paragraph -->
<p>Texte <strong>gras</strong> <a href="javascript:alert(1)" onclick="x()">piège</a><script>alert('x')</script></p>
<!-- /wp:paragraph -->
<!-- wp:table -->
<figure class="wp-block-table"><table><thead><tr><th>Date</th><th>Obligation</th></tr></thead><tbody><tr><td>2 août 2026</td><td>Haut risque</td></tr></tbody></table><figcaption>Calendrier</figcaption></figure>
<!-- /wp:table -->
<!-- wp:image -->
<figure class="wp-block-image"><img src="https://blog.example/a.png" alt="Frise"/></figure>
<!-- /wp:image -->"#;
        let md = to_markdown(html, &|_| None);
        assert!(md.contains("Texte **gras**"), "{md}");
        assert!(
            !md.contains("script") && !md.contains("alert") && !md.contains("onclick"),
            "{md}"
        );
        assert!(md.contains("| 2 août 2026 | Haut risque |"), "{md}");
        assert!(md.contains("Texte **gras** piège\n"), "{md}");
        assert!(md.contains("*Calendrier*"), "{md}");
        assert!(md.contains("![Frise](https://blog.example/a.png)"), "{md}");
        assert!(!md.contains("wp:"), "{md}");
    }

    #[test]
    fn malformed_files_say_where() {
        let err = read("<rss><channel>\n<item>\n</channel></rss>").expect_err("malformed");
        assert!(matches!(err, WxrError::Xml { line: 3, .. }), "{err}");
        assert_eq!(
            read("<html/>").expect_err("not wxr"),
            WxrError::NotWxr("its root element is not <rss>")
        );
        let bad_date = MINIMAL.replace("2026-01-05 09:00:00", "le 5 janvier");
        let site = read(&bad_date).expect("reads");
        assert_eq!(site.posts.len(), 0);
        assert_eq!(site.problems.len(), 1);
        assert_eq!(
            site.problems[0].to_string(),
            "line 10 (« Été »): wp:post_date_gmt \"le 5 janvier\" is not a date like 2026-02-27 08:00:00"
        );
    }
}

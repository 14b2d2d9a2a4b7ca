//! Markdown → safe HTML, once per save: GFM tables, strikethrough, autolinks and footnotes,
//! headings with stable ids, then an allow-list sanitiser. Also pulls out what the store needs
//! from the same parse: an excerpt and the slugs of this site's articles that the body links to.

use std::collections::{HashMap, HashSet};
use std::fmt::{self, Write as _};
use std::sync::{LazyLock, Mutex, PoisonError};

use comrak::adapters::{HeadingAdapter, HeadingMeta};
use comrak::nodes::{NodeValue, Sourcepos};
use comrak::{Arena, Options, options::Plugins};

use super::{Lang, Slug, typography};

/// The longest excerpt derived from a body, in characters.
const EXCERPT_CHARS: usize = 280;

/// What one Markdown body becomes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    /// Sanitised HTML, safe to insert into a page as is.
    pub html: String,
    /// Plain text of the opening paragraphs, cut at a word boundary.
    pub excerpt: String,
    /// Slugs of `/articles/{slug}` links (relative, or absolute on `site_url`), in order, once each.
    pub article_links: Vec<Slug>,
    /// Library images the body shows (`![alt](/images/{id})`), in order, once each.
    pub image_ids: Vec<uuid::Uuid>,
}

/// Where the body points at a library image: `/images/{id}`, which pages turn into the
/// image's renditions.
pub const IMAGE_PATH: &str = "/images/";

/// The Markdown that places library image `id` with `alt` as its text alternative (brackets
/// and backslashes escaped, on one line).
pub fn image(alt: &str, id: uuid::Uuid) -> String {
    let alt = alt
        .replace('\\', "\\\\")
        .replace('[', "\\[")
        .replace(']', "\\]")
        .replace(['\r', '\n'], " ");
    format!("![{alt}]({IMAGE_PATH}{id})")
}

/// The deepest nesting a body may have: quotes and lists in Markdown, elements in raw HTML.
/// Parsing time grows with the square of the depth (eight thousand nested quotes take
/// seconds), and no article needs more than a few levels.
pub const MAX_NESTING: usize = 32;

/// How many words a reader will read in `markdown`: what holds a letter or a digit, between
/// spaces (Markdown's own marks, `##` or `-`, are not words).
pub fn word_count(markdown: &str) -> usize {
    markdown
        .split_whitespace()
        .filter(|w| w.chars().any(char::is_alphanumeric))
        .count()
}

/// Minutes of reading for `words`, at 230 words a minute, at least one.
pub fn reading_minutes(words: usize) -> usize {
    words.div_ceil(230).max(1)
}

/// How deeply `markdown` nests quotes, lists and raw HTML elements: an estimate read from the
/// text in one pass, before any parsing, outside fenced code.
pub fn nesting(markdown: &str) -> usize {
    let mut deepest = 0;
    let mut html: usize = 0;
    let mut fenced = false;
    for line in markdown.lines() {
        let rest = line.trim_start();
        if rest.starts_with("```") || rest.starts_with("~~~") {
            fenced = !fenced;
            continue;
        }
        if fenced {
            continue;
        }
        // A nested list item is indented by its parent's marker: two or more columns a level.
        let mut depth = (line.len() - rest.len()) / 2;
        let mut rest = rest;
        loop {
            if let Some(after) = rest.strip_prefix('>') {
                rest = after.trim_start();
            } else if let Some(after) = after_list_marker(rest) {
                rest = after.trim_start();
            } else {
                break;
            }
            depth += 1;
        }
        deepest = deepest.max(depth);
        // Raw HTML: opening tags that are not void or self-closing, less closing ones.
        let mut tags = line.split('<').skip(1);
        for tag in tags.by_ref() {
            let name: String = tag
                .trim_start_matches('/')
                .chars()
                .take_while(char::is_ascii_alphanumeric)
                .collect::<String>()
                .to_ascii_lowercase();
            if name.is_empty() || !name.starts_with(|c: char| c.is_ascii_alphabetic()) {
                continue;
            }
            let head = tag.split('>').next().unwrap_or_default();
            if tag.starts_with('/') {
                html = html.saturating_sub(1);
            } else if !VOID_ELEMENTS.contains(&name.as_str()) && !head.ends_with('/') {
                html += 1;
                deepest = deepest.max(html);
            }
        }
    }
    deepest
}

const VOID_ELEMENTS: &[&str] = &[
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track",
    "wbr",
];

/// The rest of `line` after a list item marker (`-`, `*`, `+`, `1.`, `1)`), if it starts with one.
fn after_list_marker(line: &str) -> Option<&str> {
    let digits = line.bytes().take_while(u8::is_ascii_digit).count();
    let marker = match line.as_bytes().get(digits) {
        Some(b'.' | b')') if (1..=9).contains(&digits) => digits + 1,
        Some(b'-' | b'*' | b'+') if digits == 0 => 1,
        _ => return None,
    };
    let rest = &line[marker..];
    (rest.is_empty() || rest.starts_with([' ', '\t'])).then_some(rest)
}

/// Renders `markdown` written in `lang`; links starting with `site_url` count as links to this
/// site. French text gets French typography (see [`typography`]). A body nested deeper than
/// [`MAX_NESTING`] (which the editor refuses to save) is shown as plain text instead of parsed.
pub fn render(markdown: &str, site_url: &str, lang: Lang) -> Rendered {
    if nesting(markdown) > MAX_NESTING {
        let text = markdown
            .replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;");
        return Rendered {
            html: sanitize(&format!("<p>{text}</p>")),
            excerpt: String::new(),
            article_links: Vec::new(),
            image_ids: Vec::new(),
        };
    }
    let arena = Arena::new();
    let options = options();
    let root = comrak::parse_document(&arena, markdown, &options);

    let mut article_links = Vec::new();
    let mut image_ids = Vec::new();
    let mut seen = HashSet::new();
    for node in root.descendants() {
        match &node.data().value {
            NodeValue::Link(link) => {
                if let Some(slug) = article_slug(&link.url, site_url)
                    && seen.insert(slug.clone())
                {
                    article_links.push(slug);
                }
            }
            NodeValue::Image(image) => {
                if let Some(id) = image.url.strip_prefix(IMAGE_PATH)
                    && let Ok(id) = uuid::Uuid::parse_str(id)
                    && !image_ids.contains(&id)
                {
                    image_ids.push(id);
                }
            }
            _ => {}
        }
    }
    let excerpt = excerpt(root);
    if lang == Lang::Fr {
        french_typography(root);
    }

    let headings = HeadingIds::default();
    let mut plugins = Plugins::default();
    plugins.render.heading_adapter = Some(&headings);
    let mut raw = String::new();
    // Writing into a String cannot fail; a formatter error would only come from our adapter.
    if comrak::format_html_with_plugins(root, &options, &mut raw, &plugins).is_err() {
        raw.clear();
    }
    let html = sanitize(&raw)
        // Wide tables scroll inside their own box on narrow screens. The sanitiser wrote every
        // tag itself and keeps no attribute on tables, so `<table>` is always exactly this.
        .replace("<table>", "<div class=\"table-wrap\"><table>")
        .replace("</table>", "</table></div>");
    Rendered {
        html,
        excerpt,
        article_links,
        image_ids,
    }
}

fn options() -> Options<'static> {
    let mut options = Options::default();
    options.extension.table = true;
    options.extension.strikethrough = true;
    options.extension.autolink = true;
    options.extension.footnotes = true;
    // Raw HTML is let through the parser so the allow-list below decides, in one place,
    // what survives (e.g. <sup> or <abbr> yes, <script> or onclick no).
    options.render.r#unsafe = true;
    options
}

/// The allow-list: ammonia's defaults (no script, style, iframe, event handlers, inline styles,
/// or `javascript:`/`data:` URLs) plus the ids and classes our headings and footnotes use.
static SANITIZER: LazyLock<ammonia::Builder<'static>> = LazyLock::new(|| {
    let mut b = ammonia::Builder::default();
    b.add_tags(["section"])
        .rm_tag_attributes("table", ["align", "char", "charoff", "summary"])
        .add_tag_attributes("h1", ["id"])
        .add_tag_attributes("h2", ["id"])
        .add_tag_attributes("h3", ["id"])
        .add_tag_attributes("h4", ["id"])
        .add_tag_attributes("h5", ["id"])
        .add_tag_attributes("h6", ["id"])
        .add_tag_attributes("a", ["id"])
        .add_tag_attributes("li", ["id"])
        .add_allowed_classes("sup", ["footnote-ref"])
        .add_allowed_classes("a", ["footnote-backref"])
        .add_allowed_classes("section", ["footnotes"])
        .add_allowed_classes("div", ["table-wrap"]);
    b
});

/// The allow-list sanitiser alone, as [`render`] applies it. Cleaning `render`'s output again
/// changes nothing (the property tests below hold it to that).
pub fn sanitize(html: &str) -> String {
    let clean = SANITIZER.clean(html).to_string();
    // The HTML parser drops a byte-order mark at the very start of what it reads; dropping it
    // from the output too keeps a second cleaning from changing anything (found by cargo fuzz:
    // `<!c!>\u{feff}c`).
    match clean.strip_prefix('\u{feff}') {
        Some(rest) => rest.trim_start_matches('\u{feff}').to_owned(),
        None => clean,
    }
}

/// Gives every heading an id derived from its text (`## Enjeux` → `id="enjeux"`), unique within
/// the document, so links to a section survive edits elsewhere in the text.
#[derive(Default)]
struct HeadingIds {
    used: Mutex<UsedIds>,
}

/// The ids given so far, and for each base the next suffix to try: each suffix of a base is
/// tried once in the whole document, so the cost stays linear in the number of headings
/// (trying `base-2`, `base-3`, … afresh for every repeat made 8 000 headings take seconds).
#[derive(Default)]
struct UsedIds {
    ids: HashSet<String>,
    next: HashMap<String, usize>,
    /// Candidate ids tried and found taken (for the test that holds this linear).
    collisions: usize,
}

impl UsedIds {
    fn unique(&mut self, base: String) -> String {
        if !self.ids.contains(&base) {
            self.ids.insert(base.clone());
            return base;
        }
        let n = self.next.entry(base.clone()).or_insert(2);
        loop {
            let id = format!("{base}-{n}");
            *n += 1;
            if self.ids.insert(id.clone()) {
                return id;
            }
            self.collisions += 1;
        }
    }
}

impl HeadingAdapter for HeadingIds {
    fn enter(
        &self,
        out: &mut dyn fmt::Write,
        h: &HeadingMeta,
        _: Option<Sourcepos>,
    ) -> fmt::Result {
        let base =
            Slug::derive(&h.content).map_or_else(|_| "section".to_owned(), |s| s.to_string());
        let id = self
            .used
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .unique(base);
        write!(out, "<h{} id=\"{id}\">", page_level(h.level))
    }

    fn exit(&self, out: &mut dyn fmt::Write, h: &HeadingMeta) -> fmt::Result {
        write!(out, "</h{}>", page_level(h.level))
    }
}

/// The page's title is its only `<h1>`: a `# Heading` in the body becomes an `<h2>`.
fn page_level(level: u8) -> u8 {
    level.max(2)
}

/// How many images in a rendered body (`Rendered::html`) have no text alternative (`![](…)`, or
/// raw `<img>` without `alt`): readers who cannot see them would get nothing in their place.
pub fn images_without_alt(html: &str) -> usize {
    // The sanitiser writes every tag itself, attributes always in double quotes.
    html.split("<img")
        .skip(1)
        .filter(|rest| {
            let tag = &rest[..rest.find('>').unwrap_or(rest.len())];
            let alt = tag
                .split_once(" alt=\"")
                .map(|(_, value)| value.split('"').next().unwrap_or(""));
            alt.is_none_or(|a| a.trim().is_empty())
        })
        .count()
}

/// `/articles/{slug}` (optionally on `site_url`, with a query or fragment) → the slug.
fn article_slug(url: &str, site_url: &str) -> Option<Slug> {
    let path = url.strip_prefix(site_url).unwrap_or(url);
    let rest = path.strip_prefix("/articles/")?;
    let end = rest.find(['?', '#']).unwrap_or(rest.len());
    Slug::parse(rest[..end].trim_end_matches('/')).ok()
}

/// Applies [`typography::french`] to running text only: not to code (its own nodes), raw
/// HTML (ditto), image descriptions (they become `alt` attributes) or autolinked URLs. One
/// walk over the tree, each node's context carried down rather than looked up again: a long
/// link holding thousands of emphasised words costs what its text does.
fn french_typography<'a>(root: &'a comrak::nodes::AstNode<'a>) {
    join_adjacent_text(root);
    /// Where a node sits: inside an image description, or inside a link (to that link node).
    #[derive(Clone, Copy)]
    struct Context<'a> {
        in_image: bool,
        link: Option<&'a comrak::nodes::AstNode<'a>>,
    }
    let mut stack = vec![(
        root,
        Context {
            in_image: false,
            link: None,
        },
    )];
    while let Some((node, context)) = stack.pop() {
        let inner = match &node.data().value {
            NodeValue::Image(_) => Context {
                in_image: true,
                ..context
            },
            NodeValue::Link(_) => Context {
                link: Some(node),
                ..context
            },
            _ => context,
        };
        stack.extend(node.children().map(|child| (child, inner)));
        if context.in_image {
            continue;
        }
        let mut data = node.data_mut();
        let NodeValue::Text(text) = &mut data.value else {
            continue;
        };
        // An autolink's text is its address (or the end of it: `www.…`, `mailto:…`).
        let autolinked = context.link.is_some_and(|link| match &link.data().value {
            NodeValue::Link(l) => l.url.ends_with(text.as_ref()),
            _ => false,
        });
        if !autolinked {
            let typeset = typography::french(text);
            *text = typeset.into();
        }
    }
}

/// The parser may split one run of text into several nodes (at `!`, `[`…); the typography
/// rules need to see the characters on both sides, so neighbours are joined first.
fn join_adjacent_text<'a>(root: &'a comrak::nodes::AstNode<'a>) {
    let nodes: Vec<_> = root.descendants().collect();
    for node in nodes {
        // Detached below, when joined to the text before it.
        if node.parent().is_none() || !matches!(node.data().value, NodeValue::Text(_)) {
            continue;
        }
        while let Some(next) = node.next_sibling() {
            let NodeValue::Text(more) = &next.data().value else {
                break;
            };
            let more = more.to_string();
            if let NodeValue::Text(text) = &mut node.data_mut().value {
                text.to_mut().push_str(&more);
            }
            next.detach();
        }
    }
}

/// Plain text of the first paragraphs, up to [`EXCERPT_CHARS`], cut between words.
fn excerpt<'a>(root: &'a comrak::nodes::AstNode<'a>) -> String {
    let mut text = String::new();
    for block in root.children() {
        if !matches!(block.data().value, NodeValue::Paragraph) {
            continue;
        }
        if !text.is_empty() {
            text.push(' ');
        }
        for node in block.descendants() {
            match &node.data().value {
                NodeValue::Text(t) => text.push_str(t),
                NodeValue::Code(c) => text.push_str(&c.literal),
                NodeValue::SoftBreak | NodeValue::LineBreak => text.push(' '),
                _ => {}
            }
        }
        if text.chars().count() >= EXCERPT_CHARS {
            break;
        }
    }
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if text.chars().count() <= EXCERPT_CHARS {
        return text;
    }
    let cut: String = text.chars().take(EXCERPT_CHARS).collect();
    let cut = cut.rsplit_once(' ').map_or(cut.as_str(), |(head, _)| head);
    let mut out = cut.trim_end_matches([',', ';', ':', ' ']).to_owned();
    let _ = write!(out, "…");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const SITE: &str = "https://vigie.example";

    fn html(md: &str) -> String {
        render(md, SITE, Lang::Fr).html
    }

    #[test]
    fn gfm_tables_keep_their_head_and_scroll_on_small_screens() {
        let h = html("| Sujet | Position |\n| --- | --- |\n| Garde-fous | Priorité |\n");
        assert!(h.contains("<div class=\"table-wrap\"><table>"), "{h}");
        assert!(h.contains("<thead>") && h.contains("<th>Sujet</th>"), "{h}");
        assert!(h.contains("<td>Garde-fous</td>"), "{h}");
        assert!(h.contains("</table></div>"), "{h}");
    }

    #[test]
    fn raw_html_tables_are_wrapped_the_same_way() {
        let h = html("<table summary=\"x\" align=\"left\"><tr><td>a</td></tr></table>\n\nfin");
        assert_eq!(h.matches("<div class=\"table-wrap\">").count(), 1, "{h}");
        assert_eq!(h.matches("</div>").count(), 1, "{h}");
        assert!(!h.contains("summary"), "{h}");
    }

    #[test]
    fn strikethrough_autolinks_and_footnotes_render() {
        let h =
            html("~~faux~~ voir https://eur-lex.europa.eu et une note[^1].\n\n[^1]: La source.\n");
        assert!(h.contains("<del>faux</del>"), "{h}");
        assert!(h.contains("<a href=\"https://eur-lex.europa.eu\""), "{h}");
        assert!(h.contains("class=\"footnote-ref\""), "{h}");
        assert!(h.contains("<section class=\"footnotes\">"), "{h}");
        assert!(h.contains("<li id=\"fn-1\">"), "{h}");
    }

    #[test]
    fn headings_get_stable_unique_ids() {
        let h = html(
            "## Enjeux et implications pour l’écosystème IA\n\n## Enjeux et implications pour l’écosystème IA\n",
        );
        assert!(
            h.contains("<h2 id=\"enjeux-et-implications-pour-l-ecosysteme-ia\">"),
            "{h}"
        );
        assert!(
            h.contains("<h2 id=\"enjeux-et-implications-pour-l-ecosysteme-ia-2\">"),
            "{h}"
        );
        // Stable: editing the text around a heading leaves its id (and links to it) intact.
        let edited = html(
            "Un paragraphe ajouté.\n\n## Enjeux et implications pour l’écosystème IA\n\nFin.\n",
        );
        assert!(
            edited.contains("<h2 id=\"enjeux-et-implications-pour-l-ecosysteme-ia\">"),
            "{edited}"
        );
    }

    #[test]
    fn scripts_handlers_styles_frames_and_dangerous_urls_are_removed() {
        let h = html(concat!(
            "<script>alert(1)</script>\n\n",
            "<p onclick=\"alert(2)\" style=\"color:red\">texte</p>\n\n",
            "<iframe src=\"https://evil.example\"></iframe>\n\n",
            "[clic](javascript:alert(3)) [img](data:text/html;base64,PHNjcmlwdD4=)\n\n",
            "<a href=\"JaVaScRiPt:alert(4)\">x</a> <img src=x onerror=alert(5)>\n",
        ));
        for bad in [
            "<script",
            "alert(1)",
            "onclick",
            "style=",
            "<iframe",
            "javascript:",
            "JaVaScRiPt",
            "data:",
            "onerror",
        ] {
            assert!(!h.contains(bad), "{bad} survived in {h}");
        }
        assert!(h.contains("texte"), "the harmless text stays: {h}");
    }

    #[test]
    fn links_to_this_sites_articles_are_collected_once_in_order() {
        let r = render(
            "[a](/articles/premier) [b](https://vigie.example/articles/deuxieme#x) \
             [c](/articles/premier) [d](https://autre.example/articles/non) [e](/tags/ia) \
             [f](/articles/Pas-Valide)",
            SITE,
            Lang::Fr,
        );
        let slugs: Vec<&str> = r.article_links.iter().map(Slug::as_str).collect();
        assert_eq!(slugs, ["premier", "deuxieme"]);
    }

    #[test]
    fn french_text_gets_narrow_spaces_but_code_urls_and_attributes_do_not() {
        let nn = typography::NNBSP;
        let h = html(concat!(
            "Pourquoi ? « Garde-fous » : *vraiment* !\n\n",
            "Voir https://exemple.fr/a?b=1 et [le texte](https://exemple.fr/x?y=2 \"Titre : ici ?\").\n\n",
            "`a ? b : c` et ![Légende : photo ?](https://exemple.fr/i.png)\n\n",
            "<abbr title=\"Loi : IA ?\">IA</abbr> !\n\n",
            "```\nx = y ? 1 : 2;\n```\n",
        ));
        let shown = h.replace(nn, "_");
        assert!(
            shown.contains("Pourquoi_? «_Garde-fous_»_: <em>vraiment</em>_!"),
            "{shown}"
        );
        assert!(
            h.contains("rel=\"noopener noreferrer\">https://exemple.fr/a?b=1</a>"),
            "{h}"
        );
        assert!(h.contains("title=\"Titre : ici ?\""), "{h}");
        assert!(h.contains("<code>a ? b : c</code>"), "{h}");
        assert!(h.contains("alt=\"Légende : photo ?\""), "{h}");
        assert!(h.contains("title=\"Loi : IA ?\""), "{h}");
        assert!(shown.contains("</abbr>_!"), "{shown}");
        assert!(h.contains("x = y ? 1 : 2;"), "{h}");
        let english = render("Why ? Because : « quoted »", SITE, Lang::En).html;
        assert!(
            !english.contains(nn),
            "English text is left as typed: {english}"
        );
    }

    #[test]
    fn heading_ids_cost_is_linear_in_the_number_of_headings() {
        // 8 000 identical headings, after headings that already took the first suffixes.
        let mut md: String = (2..=4000).map(|n| format!("## a {n}\n")).collect();
        md.push_str(&"## a\n".repeat(8000));
        let arena = Arena::new();
        let root = comrak::parse_document(&arena, &md, &options());
        let headings = HeadingIds::default();
        let mut plugins = Plugins::default();
        plugins.render.heading_adapter = Some(&headings);
        let mut raw = String::new();
        comrak::format_html_with_plugins(root, &options(), &mut raw, &plugins).unwrap();
        let tries = headings.used.lock().unwrap().collisions;
        assert!(
            tries <= 3 * 12_000,
            "{tries} candidate ids tried for 12 000 headings"
        );
        let h = html(&md);
        assert_eq!(h.matches("<h2 id=").count(), 11_999);
        assert!(h.contains("<h2 id=\"a-4000\">a 4000</h2>"));
        assert!(h.contains("<h2 id=\"a\">a</h2>"));
        assert!(
            h.contains("<h2 id=\"a-11999\">a</h2>"),
            "every id stays unique"
        );
    }

    #[test]
    fn body_headings_start_below_the_page_title() {
        let h = html("# Partie\n\n## Section\n");
        assert!(h.contains("<h2 id=\"partie\">Partie</h2>"), "{h}");
        assert!(!h.contains("<h1"), "{h}");
    }

    #[test]
    fn images_need_a_text_alternative() {
        let missing_alt = |md: &str| images_without_alt(&render(md, "", Lang::En).html);
        assert_eq!(missing_alt("![Un graphique](https://exemple.fr/g.png)"), 0);
        assert_eq!(missing_alt("![](https://exemple.fr/g.png)"), 1);
        assert_eq!(
            missing_alt("![ ](https://exemple.fr/g.png) <img src=\"x.png\">"),
            2
        );
        assert_eq!(missing_alt("<img alt=\"Carte\" src=\"x.png\"> texte"), 0);
    }

    #[test]
    fn excerpt_is_plain_text_cut_between_words() {
        let r = render(
            "# Titre\n\nUn *premier* paragraphe avec `du code`.\n\nUn second.",
            SITE,
            Lang::Fr,
        );
        assert_eq!(r.excerpt, "Un premier paragraphe avec du code. Un second.");
        let long = render(&"mot ".repeat(200), SITE, Lang::Fr).excerpt;
        assert!(long.ends_with("mot…"), "{long}");
        assert!(long.chars().count() <= EXCERPT_CHARS + 1);
    }
}

/// Properties of the whole pipeline on arbitrary input, hostile fragments included: it never
/// panics, nothing executable survives, and its output is a fixed point of the sanitiser.
#[cfg(test)]
mod properties {
    use proptest::prelude::*;

    use super::*;

    /// Pieces of Markdown and HTML that attack or stress the pipeline, to be glued together
    /// with arbitrary text.
    const PIECES: &[&str] = &[
        "<script>alert(1)</script>",
        "<SCRIPT SRC=//x.example/a.js>",
        "<img src=x onerror=alert(1)>",
        "<a href=\"javascript:alert(1)\">x</a>",
        "<a href=\"JaVaScRiPt:alert(1)\">x</a>",
        "<a href=\"&#106;avascript:alert(1)\">x</a>",
        "<a href=\" javascript:alert(1)\">x</a>",
        "[lien](javascript:alert(1))",
        "[lien](data:text/html;base64,PHNjcmlwdD4=)",
        "![image](javascript:alert(1))",
        "<iframe src=//x.example></iframe>",
        "<svg onload=alert(1)>",
        "<style>body{display:none}</style>",
        "<div style=\"background:url(javascript:alert(1))\">",
        "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
        "<object data=x></object><embed src=x>",
        "<form action=//x.example><input name=q></form>",
        "<a href=\"/articles/une-autre\" onclick=\"steal()\">lien</a>",
        "| Sujet | Position |\n| --- | --- |\n| a | b |\n",
        "| a |\n|---|\n| <img src=x onerror=alert(1)> |\n",
        "# Titre\n",
        "## Enjeux\n",
        "> citation\n",
        "- point\n",
        "1. premier\n",
        "```\n<script>code</script>\n```\n",
        "`<b>`",
        "**gras** _italique_ ~~barré~~",
        "[^1]\n\n[^1]: note\n",
        "https://example.org/?a=<b>",
        "« guillemets » ; point : ! ?",
        "\u{202e}\u{200b}\u{feff}",
        "\0",
        "\n\n",
        "<!-- commentaire -->",
        "<![CDATA[x]]>",
        "&lt;script&gt;",
    ];

    fn markdown() -> impl Strategy<Value = String> {
        let piece = prop_oneof![
            3 => proptest::sample::select(PIECES).prop_map(str::to_owned),
            2 => any::<String>(),
            1 => "[ #>*_`\\[\\]()<>!|-]{0,40}",
            // Deep nesting: quotes, lists, emphasis and brackets hundreds of levels down.
            1 => (proptest::sample::select(&["> ", "- ", "  - ", "*", "[", "<div>", "<b>"][..]), 1..800usize)
                .prop_map(|(p, n)| p.repeat(n)),
        ];
        proptest::collection::vec(piece, 0..24).prop_map(|pieces| pieces.concat())
    }

    /// What in `html` could run code: script-like elements, event handlers, script URLs.
    fn executable(html: &str) -> Vec<String> {
        let doc = scraper::Html::parse_fragment(html);
        let mut found = Vec::new();
        for node in doc.tree.nodes() {
            let scraper::Node::Element(e) = node.value() else {
                continue;
            };
            let name = e.name();
            if [
                "script", "style", "iframe", "object", "embed", "svg", "math", "form", "base",
            ]
            .contains(&name)
            {
                found.push(format!("<{name}>"));
            }
            for (attr, value) in e.attrs() {
                let value: String = value
                    .chars()
                    .filter(|c| !c.is_whitespace() && !c.is_control())
                    .collect::<String>()
                    .to_lowercase();
                if attr.starts_with("on") || attr == "style" {
                    found.push(format!("{name} {attr}"));
                }
                if ["href", "src", "action", "formaction", "xlink:href"].contains(&attr)
                    && ["javascript:", "vbscript:", "data:"]
                        .iter()
                        .any(|scheme| value.starts_with(scheme))
                {
                    found.push(format!("{name} {attr}={value}"));
                }
            }
        }
        found
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

        #[test]
        fn nothing_executable_survives_and_the_output_is_already_clean(md in markdown()) {
            for lang in [Lang::Fr, Lang::En] {
                let out = render(&md, "https://vigie.example", lang);
                let found = executable(&out.html);
                prop_assert!(found.is_empty(), "{found:?} in {}", out.html);
                prop_assert_eq!(sanitize(&out.html), out.html.clone());
                prop_assert!(out.excerpt.chars().count() <= EXCERPT_CHARS + 1);
            }
        }
    }

    #[test]
    fn words_are_what_holds_letters_or_digits() {
        assert_eq!(
            word_count("## Intertitre\n\n- Un point, **deux** — 3 ! l’IA"),
            6
        );
        assert_eq!(word_count(""), 0);
        assert_eq!(reading_minutes(0), 1);
        assert_eq!(reading_minutes(231), 2);
    }

    #[test]
    fn nesting_counts_quotes_lists_indentation_and_open_tags_but_not_code() {
        assert_eq!(
            nesting("Un paragraphe.\n\n- un\n  - deux\n    - trois\n"),
            3
        );
        assert_eq!(nesting("> > > citée trois fois"), 3);
        assert_eq!(nesting("1. a\n2) b\n-pas une liste\n*gras*"), 1);
        assert_eq!(nesting("<div><p>a<br>b<img src=x /></p><div>"), 2);
        assert_eq!(
            nesting(
                "```\n> > > > > > > > > > > > > > > > > > > > > > > > > > > > > > > > > >\n```\n"
            ),
            0
        );
        assert!(nesting(&"> ".repeat(50_000)) > MAX_NESTING);
        assert!(nesting(&"<div>".repeat(20_000)) > MAX_NESTING);
        // Too deep to parse: shown as text, at once, and still clean.
        let out = render(&"<div>".repeat(20_000), "https://vigie.example", Lang::Fr);
        assert!(out.html.starts_with("<p>&lt;div&gt;"));
        assert_eq!(sanitize(&out.html), out.html);
    }

    #[test]
    fn inputs_found_by_the_fuzzer_stay_fixed() {
        for md in ["<!c!>\u{feff}c", "\u{feff}\u{feff}texte"] {
            let out = render(md, "https://vigie.example", Lang::Fr);
            assert_eq!(sanitize(&out.html), out.html, "{md:?}");
        }
    }

    #[test]
    fn the_checker_itself_sees_what_it_looks_for() {
        let mut found =
            executable("<p><a href=\" JavaScript:x\" onclick=\"y\">a</a><script>z</script></p>");
        found.sort();
        assert_eq!(found, ["<script>", "a href=javascript:x", "a onclick"]);
        assert!(executable("<p><a href=\"/articles/x\">a</a></p>").is_empty());
    }
}

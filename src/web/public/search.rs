//! `/search?q=`: French full-text search over titles, deks and bodies — stemmed, accents
//! ignored, ranked with the title first, matching passages highlighted, paginated, with tag and
//! author filters. Whatever is typed gets a normal page.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};
use serde::Deserialize;

use super::{BylineLink, When, byline_links};
use crate::store::articles::discover;
use crate::web::{AppError, AppState, Page};

const PAGE: i64 = 10;
/// Longer queries are cut: nobody searches with more, and it bounds the work.
const MAX_QUERY_CHARS: usize = 200;

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct SearchQuery {
    q: String,
    tag: String,
    author: String,
    page: String,
}

pub struct Hit {
    pub slug: String,
    pub title: String,
    pub when: When,
    pub bylines: Vec<BylineLink>,
    /// Escaped text with `<mark>` around the matches: safe to insert as is.
    pub snippet_html: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "public/search.html")]
pub struct SearchPage {
    page: Page,
    q: String,
    tag: String,
    author: String,
    hits: Vec<Hit>,
    searched: bool,
    number: i64,
    more: bool,
}

/// What was typed in a search box, as it is searched for: without control characters or our
/// highlight markers, cut at [`MAX_QUERY_CHARS`], trimmed, and with a `-` ("without") only
/// where it touches a word, once: a run of bare `-` makes PostgreSQL's query parser fail
/// ("tsquery stack too small"). The search page and the API's `q` both go through here.
pub fn search_words(typed: &str) -> String {
    let chars: Vec<char> = typed
        .chars()
        .filter(|c| !c.is_control() && *c != '⟦' && *c != '⟧')
        .take(MAX_QUERY_CHARS)
        .collect();
    let mut words = String::with_capacity(chars.len());
    for (i, &c) in chars.iter().enumerate() {
        if c == '-' {
            let after_word = words.chars().next_back().is_some_and(char::is_alphanumeric);
            let before_word = chars.get(i + 1).is_some_and(|n| n.is_alphanumeric());
            let after_minus = words.ends_with('-');
            if after_minus || !(after_word || before_word) {
                words.push(' ');
                continue;
            }
        }
        words.push(c);
    }
    words.trim().to_owned()
}

/// Escapes the passage for HTML, then turns PostgreSQL's ⟦ ⟧ markers into `<mark>`.
fn highlight(snippet: &str) -> String {
    let mut out = String::with_capacity(snippet.len() + 32);
    for c in snippet.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '⟦' => out.push_str("<mark>"),
            '⟧' => out.push_str("</mark>"),
            c => out.push(c),
        }
    }
    out
}

pub async fn search(
    State(state): State<AppState>,
    Query(query): Query<SearchQuery>,
) -> Result<SearchPage, AppError> {
    let words = search_words(&query.q);
    let number = query
        .page
        .parse::<i64>()
        .ok()
        .filter(|n| (1..=1000).contains(n))
        .unwrap_or(1);
    let clean = |s: &str| Some(s.trim().to_owned()).filter(|s| !s.is_empty() && !s.contains('\0'));
    let (tag, author) = (clean(&query.tag), clean(&query.author));
    let mut hits = Vec::new();
    let mut more = false;
    if !words.is_empty() {
        let mut rows = discover::search(
            &state.reads(),
            &words,
            tag.as_deref(),
            author.as_deref(),
            (number - 1) * PAGE,
            PAGE + 1,
        )
        .await?;
        more = rows.len() as i64 > PAGE;
        rows.truncate(PAGE as usize);
        hits = rows
            .into_iter()
            .map(|f| Hit {
                snippet_html: highlight(&f.snippet),
                when: state.when(f.published_at),
                slug: f.slug,
                title: f.title,
                bylines: byline_links(&f.bylines.0, state.words().and),
            })
            .collect();
    }
    let t = state.words();
    let title = if words.is_empty() {
        format!("{} — Vigie", t.search_title)
    } else {
        format!("{} — {} — Vigie", t.quoted(&words), t.search_title)
    };
    Ok(SearchPage {
        page: state.page(title),
        searched: !words.is_empty(),
        q: words,
        tag: tag.unwrap_or_default(),
        author: author.unwrap_or_default(),
        hits,
        number,
        more,
    })
}

impl SearchPage {
    /// The address of another page of these results.
    pub fn page_href(&self, number: &i64) -> String {
        let n = number.to_string();
        let pairs = [
            ("q", self.q.as_str()),
            ("tag", self.tag.as_str()),
            ("author", self.author.as_str()),
            ("page", n.as_str()),
        ];
        let kept: Vec<(&str, &str)> = pairs.into_iter().filter(|(_, v)| !v.is_empty()).collect();
        format!(
            "/search?{}",
            serde_urlencoded::to_string(kept).unwrap_or_default()
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passages_are_escaped_and_only_the_markers_become_marks() {
        assert_eq!(
            highlight("la ⟦sécurité⟧ <script>&"),
            "la <mark>sécurité</mark> &lt;script&gt;&amp;"
        );
    }

    #[test]
    fn a_minus_stays_only_where_it_touches_a_word() {
        assert_eq!(search_words("garde-fous -openai"), "garde-fous -openai");
        assert_eq!(search_words(&"-".repeat(40)), "");
        assert_eq!(search_words("ia ---chine - -"), "ia   -chine");
        assert_eq!(search_words("« sécurité »\u{1}"), "« sécurité »");
    }
}

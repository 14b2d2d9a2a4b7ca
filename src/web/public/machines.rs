//! What the site tells machines about using its content: `robots.txt` (with the rules for the
//! crawlers that gather text for AI models, `VIGIE_AI_CRAWLERS`) and the W3C TDMRep
//! text-and-data-mining reservation (`VIGIE_TDM_RESERVATION`): the `tdm-reservation` header on
//! every answer, and `/.well-known/tdmrep.json`. An article the newsroom leaves open
//! (`tdm_open`) is the exception in all three.

use axum::extract::{Request, State};
use axum::http::{HeaderName, HeaderValue, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::config::AiCrawlers;
use crate::store::articles::discover;
use crate::web::{AppError, AppState};

/// The crawlers that gather text to train or feed AI models, by the names they give in
/// `User-Agent` (their operators' documentation). Search engines' own crawlers are not here.
pub const AI_CRAWLERS: &[&str] = &[
    "GPTBot",
    "ChatGPT-User",
    "ClaudeBot",
    "Claude-Web",
    "anthropic-ai",
    "Google-Extended",
    "CCBot",
    "PerplexityBot",
    "Applebot-Extended",
    "Bytespider",
    "Meta-ExternalAgent",
    "Amazonbot",
    "cohere-ai",
    "Diffbot",
    "Omgilibot",
    "Timpibot",
];

/// The most open articles `robots.txt` and `tdmrep.json` name one by one.
const MOST_OPEN: i64 = 1000;

/// `tdm-reservation` (and `tdm-policy`), set on every answer that has none yet: the article
/// page of an open article sets `0` itself.
pub static TDM_RESERVATION: HeaderName = HeaderName::from_static("tdm-reservation");
pub static TDM_POLICY: HeaderName = HeaderName::from_static("tdm-policy");

/// The layer that adds the site's reservation to every answer, when it reserves.
pub async fn tdm_header(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let mut response = next.run(req).await;
    if !state.config.tdm.reserved {
        return response;
    }
    let headers = response.headers_mut();
    if !headers.contains_key(&TDM_RESERVATION) {
        headers.insert(TDM_RESERVATION.clone(), HeaderValue::from_static("1"));
        if let Some(policy) = state
            .config
            .tdm
            .policy
            .as_deref()
            .and_then(|p| HeaderValue::from_str(p).ok())
        {
            headers.insert(TDM_POLICY.clone(), policy);
        }
    }
    response
}

/// Marks an answer about an article the newsroom leaves open to mining (its page, its API
/// twin): the layer above then adds no reservation.
pub fn left_open(response: &mut Response) {
    response
        .headers_mut()
        .insert(TDM_RESERVATION.clone(), HeaderValue::from_static("0"));
}

/// `/robots.txt`: everything public may be crawled but staff pages; the AI crawlers only the
/// open articles unless `VIGIE_AI_CRAWLERS=allow`; where the sitemap is.
pub async fn robots(State(state): State<AppState>) -> Result<Response, AppError> {
    let mut body = String::from(
        "User-agent: *\nAllow: /\nDisallow: /editor\nDisallow: /admin\nDisallow: /account\nDisallow: /login\nDisallow: /setup\nDisallow: /password\n\n",
    );
    if state.config.ai_crawlers == AiCrawlers::Disallow {
        body.push_str(
            "# Crawlers gathering text for AI models: only what the newsroom leaves open.\n",
        );
        for agent in AI_CRAWLERS {
            body.push_str(&format!("User-agent: {agent}\n"));
        }
        for path in discover::open_to_mining(&state.reads(), MOST_OPEN).await? {
            body.push_str(&format!("Allow: {path}\n"));
        }
        body.push_str("Disallow: /\n\n");
    }
    body.push_str(&format!("Sitemap: {}/sitemap.xml\n", state.config.base_url));
    Ok((
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/plain; charset=utf-8"),
        )],
        body,
    )
        .into_response())
}

/// `/.well-known/tdmrep.json`: the open articles first (the first rule that matches applies),
/// then the whole site.
pub async fn tdmrep(State(state): State<AppState>) -> Result<Response, AppError> {
    let mut rules = Vec::new();
    if state.config.tdm.reserved {
        for path in discover::open_to_mining(&state.reads(), MOST_OPEN).await? {
            // The article's page and its API twin.
            let api = format!("/api/v1{path}");
            rules.push(serde_json::json!({ "location": path, "tdm-reservation": 0 }));
            rules.push(serde_json::json!({ "location": api, "tdm-reservation": 0 }));
        }
    }
    let mut site = serde_json::json!({
        "location": "/*",
        "tdm-reservation": u8::from(state.config.tdm.reserved),
    });
    if let (true, Some(policy)) = (state.config.tdm.reserved, &state.config.tdm.policy) {
        site["tdm-policy"] = serde_json::json!(policy);
    }
    rules.push(site);
    Ok((
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        )],
        serde_json::Value::Array(rules).to_string(),
    )
        .into_response())
}

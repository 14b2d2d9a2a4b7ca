//! The content API `/api/v1`, read the way another program reads it, and checked against its
//! own OpenAPI document.

use serde_json::{Value, json};
use time::macros::datetime;

use crate::helpers::{DRAFT, SAMPLE, TestApp};

/// The JSON of a GET that must succeed.
async fn json(app: &TestApp, path: &str) -> Value {
    let page = app.get(path).await;
    assert_eq!(page.status, 200, "{path}: {}", page.body);
    assert!(
        page.header("content-type").starts_with("application/json"),
        "{path}"
    );
    serde_json::from_str(&page.body).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// The status and JSON of a GET that must fail with a JSON message.
async fn refused(app: &TestApp, path: &str) -> (u16, String) {
    let page = app.get(path).await;
    assert!(
        page.header("content-type") == "application/problem+json",
        "{path} answers a problem detail (JSON) when it fails"
    );
    let body: Value = serde_json::from_str(&page.body).unwrap();
    let message = body["error"].as_str().unwrap_or_default().to_owned();
    assert!(!message.is_empty(), "{path}: a message for a person");
    (page.status.as_u16(), message)
}

fn slugs(list: &Value) -> Vec<&str> {
    list["articles"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["slug"].as_str().unwrap())
        .collect()
}

#[tokio::test]
async fn the_article_list_pages_with_a_cursor_and_shows_only_published_articles() {
    let app = TestApp::with_demo().await;
    let all = json(&app, "/api/v1/articles").await;
    let every = slugs(&all);
    assert_eq!(every.len(), 6, "the six published demo articles");
    // Newest first: the sample's English version came out an hour after it.
    assert_eq!(
        every[0], "anthropic-and-washington-standing-firm-on-ai-safety",
        "newest first"
    );
    assert_eq!(every[1], SAMPLE);
    assert!(!every.contains(&DRAFT));
    assert_eq!(all["next_cursor"], Value::Null);
    let first = &all["articles"][1];
    assert_eq!(
        first["url"],
        format!("{}/articles/{SAMPLE}", app.base_url())
    );
    assert_eq!(first["lang"], "fr");
    assert_eq!(first["published_at"], "2026-02-27T08:00:00Z");
    assert_eq!(first["author"]["slug"], "camille-martin");
    assert!(
        first["tags"]
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t["slug"] == "securite-de-l-ia" && t["kind"].is_string())
    );

    // One at a time, following the cursor, gives the same articles in the same order.
    let mut walked = Vec::new();
    let mut path = "/api/v1/articles?limit=1".to_owned();
    loop {
        let page = json(&app, &path).await;
        walked.extend(slugs(&page).iter().map(|s| (*s).to_owned()));
        match page["next_cursor"].as_str() {
            Some(cursor) => path = format!("/api/v1/articles?limit=1&cursor={cursor}"),
            None => break,
        }
        assert!(walked.len() <= 6, "the cursor must end");
    }
    assert_eq!(walked, every);
}

#[tokio::test]
async fn the_article_list_filters_by_tag_author_language_and_words() {
    let app = TestApp::with_demo().await;
    let by_tag = json(&app, "/api/v1/articles?tag=securite-de-l-ia").await;
    // The sample and its English version, and the article on model copying.
    assert_eq!(slugs(&by_tag).len(), 3);
    assert!(slugs(&by_tag).contains(&SAMPLE));

    let by_words = json(&app, "/api/v1/articles?q=securite+washington").await;
    assert_eq!(
        slugs(&by_words),
        [SAMPLE],
        "accents ignored, French stemming"
    );
    let nothing = json(&app, "/api/v1/articles?q=%22%27%29%28%26%7C%21").await;
    assert_eq!(slugs(&nothing).len(), 0, "tsquery syntax is just text");

    let english = app
        .article(
            "An English story",
            "Plain words.",
            Some(datetime!(2026-03-01 10:00 UTC)),
        )
        .await;
    sqlx::query("update article set lang = 'en' where slug = $1")
        .bind(&english)
        .execute(&app.pool)
        .await
        .unwrap();
    let en = json(&app, "/api/v1/articles?lang=en").await;
    assert_eq!(
        slugs(&en),
        [
            english.as_str(),
            "anthropic-and-washington-standing-firm-on-ai-safety"
        ]
    );
    let fr = json(&app, "/api/v1/articles?lang=fr").await;
    assert_eq!(slugs(&fr).len(), 5);

    let by_author = json(
        &app,
        "/api/v1/articles?author=camille-martin&tag=etats-unis",
    )
    .await;
    assert_eq!(slugs(&by_author).len(), 4);

    for (path, status) in [
        ("/api/v1/articles?limit=0", 400),
        ("/api/v1/articles?limit=lots", 400),
        ("/api/v1/articles?cursor=2026_nope", 400),
        ("/api/v1/articles?lang=de", 400),
        ("/api/v1/articles?tag=inconnu", 404),
        ("/api/v1/articles?author=personne", 404),
        ("/api/v1/articles/inconnu", 404),
        ("/api/v1/articles/%E2%80%AEevil", 404),
        (&format!("/api/v1/articles/{DRAFT}"), 404),
        ("/api/v1/nothing-here", 404),
    ] {
        let (got, message) = refused(&app, path).await;
        assert_eq!(got, status, "{path}: {message}");
    }
}

#[tokio::test]
async fn one_article_comes_whole_with_tags_related_and_corrections() {
    let app = TestApp::with_demo().await;
    let id: uuid::Uuid = sqlx::query_scalar("select id from article where slug = $1")
        .bind(SAMPLE)
        .fetch_one(&app.pool)
        .await
        .unwrap();
    sqlx::query("insert into correction (article_id, body) values ($1, 'Le titre a été précisé.')")
        .bind(id)
        .execute(&app.pool)
        .await
        .unwrap();
    let article = json(&app, &format!("/api/v1/articles/{SAMPLE}")).await;
    assert_eq!(
        article["title"],
        "Anthropic et Washington\u{202F}: rester ferme sur la sécurité de l’IA"
    );
    assert!(
        article["body_html"]
            .as_str()
            .unwrap()
            .contains("<th>Sujet</th>")
    );
    assert_eq!(article["archived"], false);
    assert_eq!(article["tags"].as_array().unwrap().len(), 4);
    let related = article["related"].as_array().unwrap();
    assert_eq!(
        related.len(),
        4,
        "the three articles it links to, then one sharing a tag"
    );
    assert!(
        related
            .iter()
            .all(|r| r["url"].as_str().unwrap().starts_with(&app.base_url()))
    );
    assert_eq!(article["corrections"][0]["text"], "Le titre a été précisé.");

    let tags = json(&app, "/api/v1/tags").await;
    let tag = tags["tags"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["slug"] == "securite-de-l-ia")
        .unwrap();
    // The sample, its English version, the article on model copying.
    assert_eq!(tag["article_count"], 3);
    let all_tags = tags.to_string();
    assert!(
        !all_tags.contains("union-europeenne"),
        "a tag only a draft carries stays hidden"
    );

    let authors = json(&app, "/api/v1/authors").await;
    assert_eq!(authors["authors"].as_array().unwrap().len(), 1);
    assert_eq!(authors["authors"][0]["article_count"], 6);
    assert!(
        !authors.to_string().contains('@'),
        "no e-mail address leaves"
    );
}

#[tokio::test]
async fn api_answers_are_cacheable_and_readable_from_any_origin() {
    let app = TestApp::with_demo().await;
    let path = format!("/api/v1/articles/{SAMPLE}");
    let page = app
        .get_with(&path, &[("origin", "https://lecteur.example")])
        .await;
    assert_eq!(page.header("access-control-allow-origin"), "*");
    assert!(page.header("cache-control").starts_with("public, max-age="));
    let etag = page.header("etag").to_owned();
    let again = app.get_with(&path, &[("if-none-match", &etag)]).await;
    assert_eq!(again.status, 304);

    let preflight = app
        .client
        .request(
            reqwest::Method::OPTIONS,
            format!("{}{path}", app.base_url()),
        )
        .header("origin", "https://lecteur.example")
        .header("access-control-request-method", "GET")
        .header("access-control-request-headers", "if-none-match")
        .send()
        .await
        .unwrap();
    assert!(preflight.status().is_success());
    let allowed = |name: &str| {
        preflight
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_ascii_lowercase()
    };
    assert_eq!(allowed("access-control-allow-origin"), "*");
    assert!(allowed("access-control-allow-headers").contains("if-none-match"));
    // Reading is all it allows: a site page's forms are not opened to other origins.
    let home = app
        .get_with("/", &[("origin", "https://lecteur.example")])
        .await;
    assert_eq!(home.header("access-control-allow-origin"), "");
}

/// Every object schema in `schema` refuses fields it does not name: the document must
/// describe the answers exactly, not just loosely.
fn closed(schema: &mut Value) {
    match schema {
        Value::Object(map) => {
            if map.contains_key("properties") && !map.contains_key("additionalProperties") {
                map.insert("additionalProperties".to_owned(), Value::Bool(false));
            }
            map.values_mut().for_each(closed);
        }
        Value::Array(items) => items.iter_mut().for_each(closed),
        _ => {}
    }
}

#[tokio::test]
async fn the_openapi_document_describes_the_real_answers_exactly() {
    let app = TestApp::with_demo().await;
    let mut doc = json(&app, "/api/v1/openapi.json").await;
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    closed(&mut doc["components"]);

    // Every API route is documented, and every documented path answers.
    let documented: Vec<String> = doc["paths"].as_object().unwrap().keys().cloned().collect();
    let routed: Vec<String> = vigie::web::routes::list()
        .into_iter()
        .map(|r| r.path.to_owned())
        .filter(|p| p.starts_with("/api/v1/") && !p.ends_with("openapi.json"))
        .collect();
    let mut a = documented.clone();
    let mut b = routed;
    a.sort();
    b.sort();
    b.dedup();
    assert_eq!(a, b, "documented paths = API routes");

    let cases = [
        ("/api/v1/articles", "/api/v1/articles".to_owned(), 200),
        (
            "/api/v1/articles",
            "/api/v1/articles?limit=2".to_owned(),
            200,
        ),
        (
            "/api/v1/articles",
            "/api/v1/articles?limit=-1".to_owned(),
            400,
        ),
        (
            "/api/v1/articles",
            "/api/v1/articles?tag=inconnu".to_owned(),
            404,
        ),
        (
            "/api/v1/articles/{article}",
            format!("/api/v1/articles/{SAMPLE}"),
            200,
        ),
        (
            "/api/v1/articles/{article}",
            format!("/api/v1/articles/{DRAFT}"),
            404,
        ),
        ("/api/v1/tags", "/api/v1/tags".to_owned(), 200),
        ("/api/v1/authors", "/api/v1/authors".to_owned(), 200),
        ("/api/v1/regulations", "/api/v1/regulations".to_owned(), 200),
        (
            "/api/v1/regulations/{slug}",
            "/api/v1/regulations/ai-act".to_owned(),
            200,
        ),
        (
            "/api/v1/regulations/{slug}",
            "/api/v1/regulations/colorado-ai-act".to_owned(),
            200,
        ),
        (
            "/api/v1/regulations/{slug}",
            "/api/v1/regulations/inconnue".to_owned(),
            404,
        ),
    ];
    for (template, path, status) in cases {
        let page = app.get(&path).await;
        assert_eq!(page.status.as_u16(), status, "{path}");
        let response = &doc["paths"][template]["get"]["responses"][status.to_string()];
        // Errors are problem details (RFC 9457), under their own media type.
        let media_type = page
            .header("content-type")
            .split(';')
            .next()
            .unwrap()
            .to_owned();
        let schema = &response["content"][&media_type]["schema"];
        assert!(
            schema.is_object(),
            "{path}: status {status} as {media_type} is documented"
        );
        // The response schema, resolved against the document's own components.
        let mut root = json!({ "components": doc["components"].clone() });
        root["allOf"] = json!([schema.clone()]);
        let validator = jsonschema::validator_for(&root)
            .unwrap_or_else(|e| panic!("{template}: invalid schema: {e}"));
        let body: Value = serde_json::from_str(&page.body).unwrap();
        let errors: Vec<String> = validator
            .iter_errors(&body)
            .map(|e| format!("{} at {}", e, e.instance_path()))
            .collect();
        assert!(
            errors.is_empty(),
            "{path} does not match the document: {errors:#?}"
        );
    }
}

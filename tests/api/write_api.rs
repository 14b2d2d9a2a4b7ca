//! API tokens and the write API, through HTTP: tokens made on `/account/tokens` (shown once,
//! stored as a hash), articles created, changed with a version check, published within the
//! token's scopes and its owner's role, idempotent creates, problem details, and the OpenAPI
//! document checked against real answers.

use reqwest::Method;
use serde_json::{Value, json};
use uuid::Uuid;
use vigie::domain::Role;

use crate::helpers::{Browser, TestApp};

/// A token made by `browser`'s person on their tokens page with `scopes`.
pub(crate) async fn token(browser: &Browser, name: &str, scopes: &[&str]) -> String {
    let mut fields = vec![("name", name), ("days", "30")];
    fields.extend(scopes.iter().map(|s| ("scopes", *s)));
    let page = browser.post_signed("/account/tokens", &fields).await;
    assert_eq!(page.status, 201, "{}", page.body);
    let secret = page.texts("#new-token").remove(0);
    assert!(secret.starts_with("vigie_pat_"), "{secret}");
    secret
}

/// An answer of the API: status, headers, JSON body.
struct Answer {
    status: u16,
    headers: reqwest::header::HeaderMap,
    body: Value,
}

impl Answer {
    fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }
}

async fn call(
    app: &TestApp,
    method: Method,
    path: &str,
    token: Option<&str>,
    headers: &[(&str, &str)],
    body: Option<Value>,
) -> Answer {
    let mut request = app
        .client
        .request(method, format!("{}{path}", app.base_url()));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.expect("answered");
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let text = response.text().await.expect("body");
    Answer {
        status,
        headers,
        body: serde_json::from_str(&text).unwrap_or(Value::String(text)),
    }
}

#[tokio::test]
async fn a_token_is_shown_once_stored_as_a_hash_and_writes_publishes_and_is_audited() {
    let app = TestApp::spawn().await;
    let (browser, editor) = app.signed_in(Role::Editor).await;
    let secret = token(
        &browser,
        "Fil d’agence",
        &["articles:write", "articles:publish", "content:read"],
    )
    .await;
    // Shown once: the list names it by its first characters only, and the database has no copy.
    let list = browser.get("/account/tokens").await;
    assert!(!list.body.contains(&secret));
    assert!(list.body.contains("Fil d’agence"));
    let stored: i64 = sqlx::query_scalar(
        "select count(*) from api_token where hint like 'vigie_pat_%' and position($1 in hint) = 0 and hash = sha256(convert_to($1, 'UTF8'))",
    )
    .bind(&secret)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(stored, 1, "only the hash is kept");

    // Created.
    let tag_id: Uuid = sqlx::query_scalar(
        "insert into tag (slug, name, kind) values ('ai-act', 'AI Act', 'regulation') returning id",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    let created = call(
        &app,
        Method::POST,
        "/api/v1/articles",
        Some(&secret),
        &[],
        Some(json!({
            "title": "Le règlement entre en application",
            "body": "Premier paragraphe.\n\n| Date | Étape |\n|---|---|\n| 2026-08-02 | Application |\n",
            "tags": ["ai-act"],
        })),
    )
    .await;
    assert_eq!(created.status, 201, "{}", created.body);
    let id = created.body["id"].as_str().unwrap().to_owned();
    assert_eq!(created.header("etag"), "\"1\"");
    assert_eq!(
        created.header("location"),
        format!("/api/v1/desk/articles/{id}")
    );
    assert_eq!(created.body["status"], "draft");
    assert_eq!(created.body["slug"], "le-reglement-entre-en-application");
    assert_eq!(created.body["tags"][0]["slug"], "ai-act");
    assert_eq!(created.body["author_id"], editor.id.to_string());
    let _ = tag_id;

    // A change on a stale version: 412, and nothing changed.
    let path = format!("/api/v1/articles/{id}");
    let fresh = call(
        &app,
        Method::PATCH,
        &path,
        Some(&secret),
        &[("if-match", "\"1\"")],
        Some(json!({"dek": "Le chapô."})),
    )
    .await;
    assert_eq!(fresh.status, 200, "{}", fresh.body);
    assert_eq!(fresh.header("etag"), "\"2\"");
    let stale = call(
        &app,
        Method::PATCH,
        &path,
        Some(&secret),
        &[("if-match", "\"1\"")],
        Some(json!({"dek": "Écrasé ?"})),
    )
    .await;
    assert_eq!(stale.status, 412, "{}", stale.body);
    assert!(
        stale
            .header("content-type")
            .starts_with("application/problem+json")
    );
    assert_eq!(stale.body["status"], 412);
    let dek: String = sqlx::query_scalar("select dek from article where id = $1::uuid")
        .bind(&id)
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(dek, "Le chapô.");
    // Without If-Match: 428, nothing changed.
    let unnamed = call(
        &app,
        Method::PATCH,
        &path,
        Some(&secret),
        &[],
        Some(json!({"dek": "Sans version"})),
    )
    .await;
    assert_eq!(unnamed.status, 428);

    // Publishing names the version decided on.
    let blind = call(
        &app,
        Method::POST,
        &format!("{path}/publish"),
        Some(&secret),
        &[],
        None,
    )
    .await;
    assert_eq!(blind.status, 428);
    // Published, by id or slug.
    let published = call(
        &app,
        Method::POST,
        "/api/v1/articles/le-reglement-entre-en-application/publish",
        Some(&secret),
        &[("if-match", "\"2\"")],
        None,
    )
    .await;
    assert_eq!(published.status, 200, "{}", published.body);
    assert_eq!(published.body["status"], "published");
    assert!(
        published.body["url"]
            .as_str()
            .unwrap()
            .ends_with("/articles/le-reglement-entre-en-application")
    );
    let public = app
        .get("/api/v1/articles/le-reglement-entre-en-application")
        .await;
    assert_eq!(public.status, 200);
    // What readers see changes only with the publishing scope.
    let writer = token(&browser, "Rédaction seule", &["articles:write"]).await;
    let live_change = call(
        &app,
        Method::PATCH,
        &path,
        Some(&writer),
        &[("if-match", "\"3\"")],
        Some(json!({"title": "Changé en ligne"})),
    )
    .await;
    assert_eq!(live_change.status, 403, "{}", live_change.body);
    let blind_change = call(
        &app,
        Method::PATCH,
        &path,
        Some(&secret),
        &[("if-match", "*")],
        Some(json!({"title": "À l’aveugle"})),
    )
    .await;
    assert_eq!(blind_change.status, 428);
    let correction = call(
        &app,
        Method::POST,
        &format!("{path}/corrections"),
        Some(&secret),
        &[],
        Some(json!({"text": "La date était fausse."})),
    )
    .await;
    assert_eq!(correction.status, 201, "{}", correction.body);

    // Every write is in the audit log under the token's name.
    let audited: Vec<(String, Option<String>, Option<Uuid>)> = sqlx::query_as(
        "select action, token_name, actor_id from audit_event where target_id = $1 order by id",
    )
    .bind(&id)
    .fetch_all(&app.pool)
    .await
    .unwrap();
    let actions: Vec<&str> = audited.iter().map(|(a, _, _)| a.as_str()).collect();
    assert_eq!(
        actions,
        [
            "article.create",
            "article.save",
            "article.publish",
            "article.correction"
        ]
    );
    for (action, name, actor) in &audited {
        assert_eq!(name.as_deref(), Some("Fil d’agence"), "{action}");
        assert_eq!(*actor, Some(editor.id));
    }
    let (admin_browser, _) = app.signed_in(Role::Admin).await;
    let log = admin_browser.get("/admin/audit").await;
    assert!(
        log.body.contains("avec le jeton d’API « Fil d’agence »"),
        "{}",
        log.body
    );
    // A page session's own events carry no token.
    let untokened: i64 = sqlx::query_scalar(
        "select count(*) from audit_event where action = 'login' and token_name is not null",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(untokened, 0);
}

#[tokio::test]
async fn a_token_never_does_more_than_its_owners_role_and_a_dead_one_opens_nothing() {
    let app = TestApp::spawn().await;
    let (journalist, _) = app.signed_in(Role::Journalist).await;
    // A journalist is not offered, and cannot take, the publishing scope.
    let page = journalist.get("/account/tokens").await;
    assert!(!page.body.contains("value=\"articles:publish\""));
    let refused = journalist
        .post_signed(
            "/account/tokens",
            &[
                ("name", "Essai"),
                ("days", "30"),
                ("scopes", "articles:publish"),
            ],
        )
        .await;
    assert_eq!(refused.status, 422);
    assert_eq!(
        refused.attrs("#token-name", "value"),
        ["Essai"],
        "the form comes back as typed"
    );
    let count: i64 = sqlx::query_scalar("select count(*) from api_token")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(count, 0);

    // An editor's token with the publishing scope, its owner demoted: it shrinks at once.
    let (browser, editor) = app.signed_in(Role::Editor).await;
    let secret = token(&browser, "Réseaux", &["articles:write", "articles:publish"]).await;
    let created = call(
        &app,
        Method::POST,
        "/api/v1/articles",
        Some(&secret),
        &[],
        Some(json!({"title": "Brève", "body": "Texte."})),
    )
    .await;
    assert_eq!(created.status, 201);
    let id = created.body["id"].as_str().unwrap().to_owned();
    sqlx::query("update app_user set role = 'journalist' where id = $1")
        .bind(editor.id)
        .execute(&app.pool)
        .await
        .unwrap();
    let publish = call(
        &app,
        Method::POST,
        &format!("/api/v1/articles/{id}/publish"),
        Some(&secret),
        &[],
        None,
    )
    .await;
    assert_eq!(publish.status, 403, "{}", publish.body);
    assert!(
        publish
            .header("www-authenticate")
            .contains("insufficient_scope")
    );
    assert!(
        publish.body["detail"]
            .as_str()
            .unwrap()
            .contains("journalist")
    );
    // A scope it was never given: 403 too.
    let read = call(
        &app,
        Method::GET,
        &format!("/api/v1/desk/articles/{id}"),
        Some(&secret),
        &[],
        None,
    )
    .await;
    assert_eq!(read.status, 403);
    // Its own draft it may still write.
    let save = call(
        &app,
        Method::PATCH,
        &format!("/api/v1/articles/{id}"),
        Some(&secret),
        &[("if-match", "\"1\"")],
        Some(json!({"body": "Texte revu."})),
    )
    .await;
    assert_eq!(save.status, 200, "{}", save.body);

    // Revoked: 401.
    let token_id: Uuid = sqlx::query_scalar("select id from api_token where user_id = $1")
        .bind(editor.id)
        .fetch_one(&app.pool)
        .await
        .unwrap();
    let other = token(&browser, "Autre", &["articles:write"]).await;
    let revoked = browser
        .post_signed(&format!("/account/tokens/{token_id}/revoke"), &[])
        .await;
    assert_eq!(revoked.status, 303);
    let after = call(
        &app,
        Method::POST,
        "/api/v1/articles",
        Some(&secret),
        &[],
        Some(json!({"title": "Non"})),
    )
    .await;
    assert_eq!(after.status, 401);
    assert!(after.header("www-authenticate").contains("invalid_token"));
    // Expired: 401.
    sqlx::query("update api_token set created_at = now() - interval '2 days', expires_at = now() - interval '1 second' where hint = $1")
        .bind(format!("{}…", &other[..14]))
        .execute(&app.pool)
        .await
        .unwrap();
    let expired = call(
        &app,
        Method::POST,
        "/api/v1/articles",
        Some(&other),
        &[],
        Some(json!({"title": "Non"})),
    )
    .await;
    assert_eq!(expired.status, 401);
    // A look-alike, and none at all.
    let fake = format!("{}x", &other[..other.len() - 1]);
    assert_eq!(
        call(
            &app,
            Method::POST,
            "/api/v1/articles",
            Some(&fake),
            &[],
            Some(json!({}))
        )
        .await
        .status,
        401
    );
    let none = call(
        &app,
        Method::POST,
        "/api/v1/articles",
        None,
        &[],
        Some(json!({})),
    )
    .await;
    assert_eq!(none.status, 401);
    assert!(none.header("www-authenticate").starts_with("Bearer"));
    let titles: i64 = sqlx::query_scalar("select count(*) from article where title = 'Non'")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(titles, 0);

    // A disabled owner's token stops at once.
    let (admin, _) = app.signed_in(Role::Admin).await;
    let (third_browser, third) = app.signed_in(Role::Journalist).await;
    let third_token = token(&third_browser, "Script", &["articles:write"]).await;
    let disabled = admin
        .post_signed(&format!("/admin/users/{}/disable", third.id), &[])
        .await;
    assert_eq!(disabled.status, 303, "{}", disabled.body);
    let stopped = call(
        &app,
        Method::POST,
        "/api/v1/articles",
        Some(&third_token),
        &[],
        Some(json!({"title": "Non"})),
    )
    .await;
    assert_eq!(stopped.status, 401);
    // Admins see and revoke everyone's tokens.
    let all = admin.get("/admin/tokens").await;
    assert!(all.body.contains("Script") && all.body.contains("Réseaux"));
}

#[tokio::test]
async fn a_session_cookie_never_opens_the_write_api() {
    let app = TestApp::spawn().await;
    let (browser, _) = app.signed_in(Role::Admin).await;
    let response = browser
        .client
        .post(format!("{}/api/v1/articles", app.base_url()))
        .header("content-type", "application/json")
        .header("origin", app.base_url())
        .body(r#"{"title":"Par cookie","body":"x"}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 401);
    let count: i64 = sqlx::query_scalar("select count(*) from article")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(count, 0);
}

#[tokio::test]
async fn the_same_idempotency_key_gets_the_same_answer_and_another_request_422() {
    let app = TestApp::spawn().await;
    let (browser, _) = app.signed_in(Role::Journalist).await;
    let secret = token(&browser, "Import", &["articles:write"]).await;
    let body = json!({"title": "Dépêche", "body": "Une fois."});
    let key = [("idempotency-key", "dépêche-42")];
    // Not ASCII: refused before anything.
    let bad = call(
        &app,
        Method::POST,
        "/api/v1/articles",
        Some(&secret),
        &key,
        Some(body.clone()),
    )
    .await;
    assert_eq!(bad.status, 400);
    let key = [("idempotency-key", "depeche-42")];
    let (first, second) = tokio::join!(
        call(
            &app,
            Method::POST,
            "/api/v1/articles",
            Some(&secret),
            &key,
            Some(body.clone())
        ),
        call(
            &app,
            Method::POST,
            "/api/v1/articles",
            Some(&secret),
            &key,
            Some(body.clone())
        ),
    );
    assert_eq!(
        (first.status, second.status),
        (201, 201),
        "{} {}",
        first.body,
        second.body
    );
    assert_eq!(first.body["id"], second.body["id"]);
    let again = call(
        &app,
        Method::POST,
        "/api/v1/articles",
        Some(&secret),
        &key,
        Some(body.clone()),
    )
    .await;
    assert_eq!(again.status, 201);
    assert_eq!(again.body, first.body);
    assert_eq!(again.header("idempotent-replayed"), "true");
    let other = call(
        &app,
        Method::POST,
        "/api/v1/articles",
        Some(&secret),
        &key,
        Some(json!({"title": "Autre"})),
    )
    .await;
    assert_eq!(other.status, 422, "{}", other.body);
    let count: i64 = sqlx::query_scalar("select count(*) from article")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(count, 1);
}

#[tokio::test]
async fn bad_input_gets_problem_details_saying_what_is_wrong_and_writes_nothing() {
    let app = TestApp::spawn().await;
    let (browser, _) = app.signed_in(Role::Journalist).await;
    let secret = token(&browser, "Essais", &["articles:write"]).await;
    let post = |body: Option<Value>| {
        call(
            &app,
            Method::POST,
            "/api/v1/articles",
            Some(&secret),
            &[],
            body,
        )
    };
    let empty = post(Some(
        json!({"title": "  ", "tags": ["inconnu"], "lang": "de"}),
    ))
    .await;
    assert_eq!(empty.status, 422, "{}", empty.body);
    assert_eq!(empty.header("content-type"), "application/problem+json");
    assert!(
        empty.body["errors"]["tags"]
            .as_str()
            .unwrap()
            .contains("inconnu")
    );
    let untitled = post(Some(json!({"title": "", "lang": "de"}))).await;
    assert!(
        untitled.body["errors"]["title"].is_string(),
        "{}",
        untitled.body
    );
    assert!(untitled.body["errors"]["lang"].is_string());
    let unknown_field = post(Some(json!({"title": "x", "statut": "published"}))).await;
    assert_eq!(unknown_field.status, 400);
    assert!(
        unknown_field.body["detail"]
            .as_str()
            .unwrap()
            .contains("statut")
    );
    let not_json = app
        .client
        .post(format!("{}/api/v1/articles", app.base_url()))
        .bearer_auth(&secret)
        .header("content-type", "text/plain")
        .body("title=x")
        .send()
        .await
        .unwrap();
    assert_eq!(not_json.status(), 415);
    let nul = post(Some(json!({"title": "Nul", "body": "a\u{0}b"}))).await;
    assert_eq!(nul.status, 422);
    // A journalist may not publish, or touch someone else's article.
    let (other_browser, _) = app.signed_in(Role::Journalist).await;
    let other = token(&other_browser, "Autre", &["articles:write", "content:read"]).await;
    let mine = post(Some(json!({"title": "À moi", "body": "x"}))).await;
    let id = mine.body["id"].as_str().unwrap();
    let theirs = call(
        &app,
        Method::GET,
        &format!("/api/v1/desk/articles/{id}"),
        Some(&other),
        &[],
        None,
    )
    .await;
    assert_eq!(theirs.status, 404);
    let submit = call(
        &app,
        Method::POST,
        &format!("/api/v1/articles/{id}/submit"),
        Some(&secret),
        &[],
        None,
    )
    .await;
    assert_eq!(submit.status, 200, "{}", submit.body);
    assert_eq!(submit.body["status"], "in_review");
    // Submitted: its author may no longer change it.
    let locked = call(
        &app,
        Method::PATCH,
        &format!("/api/v1/articles/{id}"),
        Some(&secret),
        &[("if-match", "*")],
        Some(json!({"title": "Changé"})),
    )
    .await;
    assert_eq!(locked.status, 403);
    let twice = call(
        &app,
        Method::POST,
        &format!("/api/v1/articles/{id}/submit"),
        Some(&secret),
        &[],
        None,
    )
    .await;
    assert_eq!(twice.status, 409);
    let count: i64 = sqlx::query_scalar("select count(*) from article")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(count, 1);
}

#[tokio::test]
async fn scheduling_takes_a_time_to_come_and_the_answers_match_the_openapi_document() {
    let app = TestApp::spawn().await;
    let (browser, _) = app.signed_in(Role::Editor).await;
    let secret = token(
        &browser,
        "Programmation",
        &["articles:write", "articles:publish", "content:read"],
    )
    .await;
    let doc: Value = app
        .client
        .get(format!("{}/api/v1/openapi.json", app.base_url()))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(doc["components"]["securitySchemes"]["token"]["scheme"] == "bearer");
    let check = |template: &str, method: &str, answer: &Answer| {
        let content = answer
            .header("content-type")
            .split(';')
            .next()
            .unwrap()
            .to_owned();
        let schema = &doc["paths"][template][method]["responses"][answer.status.to_string()]["content"]
            [&content]["schema"];
        assert!(
            schema.is_object(),
            "{method} {template} {} {content} is documented",
            answer.status
        );
        let mut root = json!({ "components": doc["components"].clone() });
        root["allOf"] = json!([schema.clone()]);
        let validator = jsonschema::validator_for(&root).expect("schema compiles");
        let errors: Vec<String> = validator
            .iter_errors(&answer.body)
            .map(|e| e.to_string())
            .collect();
        assert!(errors.is_empty(), "{method} {template}: {errors:?}");
    };
    let created = call(
        &app,
        Method::POST,
        "/api/v1/articles",
        Some(&secret),
        &[],
        Some(json!({"title": "Programmé", "body": "Plus tard.", "image": null})),
    )
    .await;
    check("/api/v1/articles", "post", &created);
    let id = created.body["id"].as_str().unwrap().to_owned();
    let base = format!("/api/v1/articles/{id}");
    let past = call(
        &app,
        Method::POST,
        &format!("{base}/schedule"),
        Some(&secret),
        &[("if-match", "\"1\"")],
        Some(json!({"at": "2020-01-01T00:00:00Z"})),
    )
    .await;
    assert_eq!(past.status, 422);
    check("/api/v1/articles/{article}/schedule", "post", &past);
    let later = (time::OffsetDateTime::now_utc() + time::Duration::days(2))
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap();
    let scheduled = call(
        &app,
        Method::POST,
        &format!("{base}/schedule"),
        Some(&secret),
        &[("if-match", "\"1\"")],
        Some(json!({"at": later})),
    )
    .await;
    assert_eq!(scheduled.status, 200, "{}", scheduled.body);
    assert_eq!(scheduled.body["status"], "scheduled");
    check("/api/v1/articles/{article}/schedule", "post", &scheduled);
    assert_eq!(
        app.get("/api/v1/articles/programme").await.status,
        404,
        "not out yet"
    );
    let desk = call(
        &app,
        Method::GET,
        &format!("/api/v1/desk/articles/{id}"),
        Some(&secret),
        &[],
        None,
    )
    .await;
    check("/api/v1/desk/articles/{article}", "get", &desk);
    let stale = call(
        &app,
        Method::PATCH,
        &base,
        Some(&secret),
        &[("if-match", "\"1\"")],
        Some(json!({"title": "x"})),
    )
    .await;
    assert_eq!(stale.status, 412);
    check("/api/v1/articles/{article}", "patch", &stale);
    let unpublished = call(
        &app,
        Method::POST,
        &format!("{base}/unpublish"),
        Some(&secret),
        &[],
        Some(json!({})),
    )
    .await;
    assert_eq!(unpublished.status, 200, "{}", unpublished.body);
    assert_eq!(unpublished.body["status"], "draft");
    check("/api/v1/articles/{article}/unpublish", "post", &unpublished);
    let missing = call(
        &app,
        Method::POST,
        "/api/v1/articles/inconnu/publish",
        Some(&secret),
        &[],
        None,
    )
    .await;
    assert_eq!(missing.status, 404);
    check("/api/v1/articles/{article}/publish", "post", &missing);
}

#[tokio::test]
async fn the_command_line_makes_a_token_within_the_role_and_prints_it_once() {
    use crate::helpers::{stderr, vigie};
    let app = TestApp::spawn().await;
    let journalist = app.account(Role::Journalist).await;
    let beyond = vigie(
        &app,
        &[
            "token",
            "create",
            "--user",
            &journalist.email,
            "--scope",
            "articles:publish",
            "--expires",
            "30d",
        ],
    );
    assert!(!beyond.status.success());
    assert!(
        stderr(&beyond).contains("may not hold articles:publish"),
        "{}",
        stderr(&beyond)
    );
    let too_long = vigie(
        &app,
        &[
            "token",
            "create",
            "--user",
            &journalist.email,
            "--scope",
            "articles:write",
            "--expires",
            "2y",
        ],
    );
    assert!(!too_long.status.success());
    let made = vigie(
        &app,
        &[
            "token",
            "create",
            "--user",
            &journalist.email,
            "--name",
            "Script d’import",
            "--scope",
            "articles:write",
            "--scope",
            "content:read",
            "--expires",
            "90d",
        ],
    );
    assert!(made.status.success(), "{}", stderr(&made));
    let secret = String::from_utf8(made.stdout.clone())
        .unwrap()
        .trim()
        .to_owned();
    assert!(
        !stderr(&made).contains(&secret),
        "the token is printed once, on standard output"
    );
    let days: f64 = sqlx::query_scalar(
        "select extract(epoch from expires_at - now())::float8 / 86400 from api_token where name = 'Script d’import'",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert!((89.9..=90.0).contains(&days), "{days}");
    let created = call(
        &app,
        Method::POST,
        "/api/v1/articles",
        Some(&secret),
        &[],
        Some(json!({"title": "Importé", "body": "x"})),
    )
    .await;
    assert_eq!(created.status, 201, "{}", created.body);
    let (actor, _) = crate::helpers::audited(&app, "token.create").await;
    assert_eq!(actor, None, "made at the command line");
}

#[tokio::test]
async fn staff_without_a_second_factor_neither_make_nor_use_tokens_when_it_is_required() {
    let app = TestApp::spawn_with(|c| c.require_two_factor_staff = true).await;
    let (browser, editor) = app.signed_in(Role::Editor).await;
    let refused = browser
        .post_signed(
            "/account/tokens",
            &[
                ("name", "Contournement"),
                ("days", "7"),
                ("scopes", "articles:publish"),
            ],
        )
        .await;
    assert_eq!(refused.status, 422);
    // One made before the rule (or by hand) opens nothing while the owner has no second factor.
    let new = vigie::domain::token::generate().unwrap();
    vigie::store::tokens::create(
        &mut app.pool.acquire().await.unwrap(),
        editor.id,
        "Ancien",
        &new.hash,
        &new.hint,
        &[vigie::domain::token::Scope::ArticlesWrite],
        7,
        None,
    )
    .await
    .unwrap();
    let used = call(
        &app,
        Method::POST,
        "/api/v1/articles",
        Some(&new.secret),
        &[],
        Some(json!({"title": "Non"})),
    )
    .await;
    assert_eq!(used.status, 403, "{}", used.body);
    // A journalist is not bound by the rule.
    let (journalist, _) = app.signed_in(Role::Journalist).await;
    token(&journalist, "Permis", &["articles:write"]).await;
}

#[tokio::test]
async fn odd_keys_are_not_found_or_refused_and_drafts_are_not_related_picks() {
    let app = TestApp::spawn().await;
    let (browser, _) = app.signed_in(Role::Editor).await;
    let secret = token(&browser, "Clés", &["articles:write", "content:read"]).await;
    for path in [
        "/api/v1/desk/articles/%00",
        "/api/v1/desk/articles/a%00b",
        "/api/v1/desk/articles/%C3%A9t%C3%A9",
    ] {
        let answer = call(&app, Method::GET, path, Some(&secret), &[], None).await;
        assert_eq!(answer.status, 404, "{path}");
    }
    let draft = call(
        &app,
        Method::POST,
        "/api/v1/articles",
        Some(&secret),
        &[],
        Some(json!({"title": "Brouillon", "body": "x"})),
    )
    .await;
    let draft_id = draft.body["id"].as_str().unwrap();
    for related in [json!([draft_id]), json!(["brouillon"]), json!(["a\u{0}b"])] {
        let answer = call(
            &app,
            Method::POST,
            "/api/v1/articles",
            Some(&secret),
            &[],
            Some(json!({"title": "Lié", "body": "x", "related": related})),
        )
        .await;
        assert_eq!(answer.status, 422, "{related}: {}", answer.body);
    }
    let nul_tag = call(
        &app,
        Method::POST,
        "/api/v1/articles",
        Some(&secret),
        &[],
        Some(json!({"title": "Lié", "tags": ["a\u{0}"]})),
    )
    .await;
    assert_eq!(nul_tag.status, 422);
    let count: i64 = sqlx::query_scalar("select count(*) from article")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(count, 1);
}

#[tokio::test]
async fn images_go_into_the_library_and_admins_manage_webhooks_with_their_scopes() {
    let app = TestApp::spawn().await;
    let (journalist, _) = app.signed_in(Role::Journalist).await;
    let media = token(&journalist, "Photos", &["media:write"]).await;
    // A real PNG, made here.
    let mut png = Vec::new();
    image::RgbImage::from_fn(64, 48, |x, y| image::Rgb([x as u8 * 4, y as u8 * 5, 120]))
        .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
        .unwrap();
    let sent = app
        .client
        .post(format!(
            "{}/api/v1/media?alt=Un%20d%C3%A9grad%C3%A9&credit=Vigie",
            app.base_url()
        ))
        .bearer_auth(&media)
        .header("content-type", "image/png")
        .body(png)
        .send()
        .await
        .unwrap();
    assert_eq!(sent.status(), 201);
    let image: Value = sent.json().await.unwrap();
    assert_eq!(
        (image["width"].as_u64(), image["height"].as_u64()),
        (Some(64), Some(48))
    );
    assert!(
        image["markdown"]
            .as_str()
            .unwrap()
            .starts_with("![Un dégradé]")
    );
    let alt: String = sqlx::query_scalar("select alt from media where id = $1::uuid")
        .bind(image["id"].as_str().unwrap())
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(alt, "Un dégradé");
    let not_an_image = app
        .client
        .post(format!("{}/api/v1/media?alt=x", app.base_url()))
        .bearer_auth(&media)
        .header("content-type", "image/png")
        .body("<svg onload=alert(1)>")
        .send()
        .await
        .unwrap();
    assert_eq!(not_an_image.status(), 422);
    let count: i64 = sqlx::query_scalar("select count(*) from media")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(count, 1);

    // Webhooks: admins only.
    assert!(
        !journalist
            .get("/account/tokens")
            .await
            .body
            .contains("value=\"webhooks:manage\"")
    );
    let (admin, _) = app.signed_in(Role::Admin).await;
    let hooks = token(&admin, "Intégrations", &["webhooks:manage"]).await;
    let private = call(
        &app,
        Method::POST,
        "/api/v1/webhooks",
        Some(&hooks),
        &[],
        Some(json!({"url": "https://10.0.0.1/x", "events": ["article.published"]})),
    )
    .await;
    assert_eq!(private.status, 422);
    assert!(private.body["errors"]["url"].is_string());
    let made = call(
        &app,
        Method::POST,
        "/api/v1/webhooks",
        Some(&hooks),
        &[],
        Some(json!({"url": "https://hooks.example.org/vigie", "events": ["article.published", "tag.changed"]})),
    )
    .await;
    assert_eq!(made.status, 201, "{}", made.body);
    assert!(made.body["secret"].as_str().unwrap().starts_with("whsec_"));
    let list = call(
        &app,
        Method::GET,
        "/api/v1/webhooks",
        Some(&hooks),
        &[],
        None,
    )
    .await;
    assert_eq!(
        list.body["webhooks"][0]["url"],
        "https://hooks.example.org/vigie"
    );
    assert!(
        list.body["webhooks"][0].get("secret").is_none(),
        "given once"
    );
    let id = made.body["id"].as_str().unwrap();
    let removed = call(
        &app,
        Method::DELETE,
        &format!("/api/v1/webhooks/{id}"),
        Some(&hooks),
        &[],
        None,
    )
    .await;
    assert_eq!(removed.status, 204);
    let again = call(
        &app,
        Method::DELETE,
        &format!("/api/v1/webhooks/{id}"),
        Some(&hooks),
        &[],
        None,
    )
    .await;
    assert_eq!(again.status, 404);
    let (action, token_name): (String, Option<String>) = sqlx::query_as(
        "select action, token_name from audit_event where action = 'webhook.delete'",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(
        (action.as_str(), token_name.as_deref()),
        ("webhook.delete", Some("Intégrations"))
    );
}

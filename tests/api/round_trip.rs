//! Export → import over a fixture that holds every kind of row the site makes, compared with
//! the original table by table and column by column, not only export against export: a field
//! both sides of the transfer drop would leave two identical exports behind.

use sqlx::AssertSqlSafe;
use uuid::Uuid;
use vigie::domain::Role;

use crate::helpers::{Browser, SAMPLE, TestApp};
use crate::helpers::{export_to, scratch, stderr, vigie};
use crate::helpers::{form_of, new_article, post, set};
use crate::review::{change_status, submitted, version};

/// Tables an export carries, with the columns it leaves out by design.
const CARRIED: &[(&str, &[&str])] = &[
    // Password hashes never leave the site.
    ("app_user", &["password_hash"]),
    ("tag", &[]),
    ("tag_redirect", &[]),
    ("article", &[]),
    ("article_tag", &[]),
    ("article_link", &[]),
    ("article_revision", &[]),
    ("slug_redirect", &[]),
    ("correction", &[]),
    ("legacy_url", &[]),
    // The token itself is not carried (a secret of the site): its name is.
    ("audit_event", &["token_id"]),
    // Its state and last change follow the renditions, which are made again.
    ("media", &["state", "updated_at"]),
    ("article_media", &[]),
    // The regulation tracker, history included.
    ("jurisdiction", &[]),
    ("regulation", &[]),
    ("regulation_milestone", &[]),
    ("regulation_change", &[]),
    // Bylines: guest contributors and co-authors.
    ("contributor", &[]),
    ("article_coauthor", &[]),
    // The newsroom's notes on its articles.
    ("article_note", &[]),
];

/// Tables an export leaves out: secrets, sessions and state that is rebuilt or short-lived.
const NOT_CARRIED: &[&str] = &[
    "session",
    "setup_token",
    "password_token",
    "login_throttle",
    "login_device",
    "article_lock",
    "content_clock",
    // Renditions are made again from the originals; jobs belong to the running site.
    "media_rendition",
    "job",
    "media_retired",
    "_sqlx_migrations",
    // Second factors are secrets, like password hashes: they never leave the site.
    "user_totp",
    "recovery_code",
    // API tokens are secrets too; the answers kept for their idempotency keys go with them.
    "api_token",
    "api_idempotency",
    // Webhooks are the site's wiring to other tools, with their signing secrets; their outbox
    // is in flight. A restored site subscribes its receivers again.
    "webhook_endpoint",
    "webhook_event",
    "webhook_delivery",
    "webhook_attempt",
    // Preview links are keys handed to people outside; a restored site makes new ones.
    "preview_link",
    // What people were told belongs to the running site.
    "notification",
    // The menu names pages and sections by address: set again after a restore.
    "site_menu",
    // Related suggestions are derived from the articles: the worker computes them again.
    "article_suggestion",
];

/// Every row of `table` as JSON, without `left_out`, in a fixed order.
async fn rows(app: &TestApp, table: &str, left_out: &[&str]) -> Vec<serde_json::Value> {
    let minus: String = left_out.iter().map(|c| format!(" - '{c}'")).collect();
    let sql = format!(
        "select coalesce(jsonb_agg(r order by r::text), '[]') \
         from (select to_jsonb(t){minus} as r from {table} t) rows"
    );
    let all: serde_json::Value = sqlx::query_scalar(AssertSqlSafe(sql))
        .fetch_one(&app.pool)
        .await
        .unwrap();
    all.as_array().unwrap().clone()
}

async fn decide(app: &TestApp, editor: &Browser, id: Uuid, fields: &[(&str, &str)]) {
    let v = version(app, id).await;
    let mut fields = fields.to_vec();
    fields.push(("version", &v));
    let done = editor
        .post_signed(&format!("/admin/review/{id}"), &fields)
        .await;
    assert_eq!(done.status, 303, "{fields:?}: {}", done.body);
}

async fn published(app: &TestApp, author: &Browser, editor: &Browser, title: &str) -> Uuid {
    let (id, _) = submitted(app, author, title, "Un texte publié.").await;
    decide(app, editor, id, &[("decision", "publish")]).await;
    id
}

/// Builds, through the site, every kind of row: each status (draft, in review, scheduled,
/// published, archived, unpublished, withdrawn), a review note, every revision kind, a
/// changed slug, a renamed tag, an English article, a correction, a disabled account, an old
/// WordPress address.
async fn every_kind_of_row(app: &TestApp) {
    let (author, _) = app.signed_in(Role::Journalist).await;
    let (editor, editor_account) = app.signed_in(Role::Editor).await;
    let (admin, _) = app.signed_in(Role::Admin).await;

    // An image, featured and in the text.
    let image = crate::media::upload(
        &author,
        "photo.jpg",
        &crate::media::camera_jpeg(64, 48),
        "Une salle de réunion",
    )
    .await;
    let illustrated = new_article(&author, "Article illustré", "Texte.").await;
    let mut fields = form_of(&author, illustrated).await;
    set(&mut fields, "featured_media", &image.to_string());
    set(
        &mut fields,
        "body",
        &format!("Texte.\n\n![Une salle](/images/{image})\n"),
    );
    let illustrated_path = format!("/editor/articles/{illustrated}");
    assert_eq!(post(&author, &illustrated_path, &fields).await.status, 303);

    // Revisions: create, save, autosave, conflict, restore.
    let draft = new_article(&author, "Brouillon complet", "Premier jet.").await;
    let mut fields = form_of(&author, draft).await;
    set(&mut fields, "body", "Deuxième jet.");
    set(&mut fields, "intent", "save");
    let path = format!("/editor/articles/{draft}");
    assert_eq!(post(&author, &path, &fields).await.status, 303);
    set(&mut fields, "body", "Troisième jet, en cours.");
    let autosaved = post(&author, &format!("{path}/autosave"), &fields).await;
    assert_eq!(autosaved.status, 204);
    // `fields` still has the first version: a stale save.
    set(&mut fields, "body", "Jet concurrent.");
    assert_eq!(post(&author, &path, &fields).await.status, 409);
    let oldest: i64 =
        sqlx::query_scalar("select min(id) from article_revision where article_id = $1")
            .bind(draft)
            .fetch_one(&app.pool)
            .await
            .unwrap();
    let restored = author
        .post_signed(&format!("{path}/revisions/{oldest}/restore"), &[])
        .await;
    assert_eq!(restored.status, 303, "{}", restored.body);

    // In review; sent back with a note.
    submitted(app, &author, "En relecture", "À relire.").await;
    let (back, _) = submitted(app, &author, "Renvoyé", "À reprendre.").await;
    decide(
        app,
        &editor,
        back,
        &[
            ("decision", "request_changes"),
            ("note", "Sourcez le deuxième paragraphe."),
        ],
    )
    .await;

    // Scheduled, archived, unpublished, withdrawn.
    let (later, _) = submitted(app, &author, "Programmé", "Plus tard.").await;
    decide(
        app,
        &editor,
        later,
        &[("decision", "schedule"), ("at", "2099-01-01T09:00")],
    )
    .await;
    let archived = published(app, &author, &editor, "Archivé").await;
    change_status(app, &editor, archived, "archive").await;
    let unpublished = published(app, &author, &editor, "Dépublié").await;
    change_status(app, &editor, unpublished, "unpublish").await;
    let withdrawn = published(app, &author, &editor, "Retiré").await;
    let v = version(app, withdrawn).await;
    let done = editor
        .post_signed(
            &format!("/editor/articles/{withdrawn}/status"),
            &[
                ("action", "withdraw"),
                ("reason", "Des chiffres faux."),
                ("version", &v),
            ],
        )
        .await;
    assert_eq!(done.status, 303, "{}", done.body);

    // A published English article whose slug changed after publication.
    let english = published(app, &author, &editor, "An English story").await;
    let mut fields = form_of(&editor, english).await;
    set(&mut fields, "lang", "en");
    set(&mut fields, "slug", "an-english-story-renamed");
    set(&mut fields, "social_title", "Shared under another title");
    set(
        &mut fields,
        "social_description",
        "And described for the networks.",
    );
    set(&mut fields, "ai_use", "translation");
    set(&mut fields, "tdm_open", "yes");
    set(&mut fields, "intent", "save");
    // A change of substance: its page says when.
    fields.push(("substantive".to_owned(), "yes".to_owned()));
    let saved = post(&editor, &format!("/editor/articles/{english}"), &fields).await;
    assert_eq!(saved.status, 303, "{}", saved.body);
    // Co-signed by a colleague and a guest contributor.
    let added = editor
        .post_signed(
            "/admin/contributors",
            &[("name", "Ada Invitée"), ("bio", "Juriste.")],
        )
        .await;
    assert_eq!(added.status, 303);
    let guest: Uuid = sqlx::query_scalar("select id from contributor")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    let signed = editor
        .post_signed(
            &format!("/editor/articles/{english}/bylines"),
            &[
                ("coauthor", &format!("c:{guest}")),
                ("coauthor", &format!("u:{}", editor_account.id)),
            ],
        )
        .await;
    assert_eq!(signed.status, 303, "{}", signed.body);

    // A note thread on the English article, answered and resolved.
    let noted = editor
        .post_signed(
            &format!("/editor/articles/{english}/notes"),
            &[("paragraph", "0"), ("text", "Vérifier la date.")],
        )
        .await;
    assert_eq!(noted.status, 303, "{}", noted.body);
    let thread: i64 = sqlx::query_scalar("select id from article_note where article_id = $1")
        .bind(english)
        .fetch_one(&app.pool)
        .await
        .unwrap();
    let thread_s = thread.to_string();
    let replied = author
        .post_signed(
            &format!("/editor/articles/{english}/notes"),
            &[("parent", thread_s.as_str()), ("text", "Vérifiée.")],
        )
        .await;
    assert_eq!(replied.status, 303, "{}", replied.body);
    let resolved = editor
        .post_signed(
            &format!("/editor/articles/{english}/notes/{thread}/resolve"),
            &[],
        )
        .await;
    assert_eq!(resolved.status, 303);
    // A standalone page, published.
    let page = author
        .post_signed(
            "/editor/new",
            &[
                ("title", "Mentions légales"),
                ("lang", "fr"),
                ("body", "Éditeur : Vigie."),
                ("kind", "page"),
                ("intent", "save"),
            ],
        )
        .await;
    assert_eq!(page.status, 303, "{}", page.body);
    // A draft under embargo, with its note.
    let under_embargo = app
        .article_by(editor_account.id, "Sous embargo", "Pas avant jeudi.", None)
        .await;
    let under_embargo = app.article_id(&under_embargo).await;
    assert_eq!(
        crate::embargo::embargo(app, &editor, under_embargo, 30).await,
        303
    );

    // The tracker (the demo's, published): a milestone moved by an editor is history.
    let (regulation, milestone): (Uuid, Uuid) = sqlx::query_as(
        "select r.id, m.id from regulation r join regulation_milestone m on m.regulation_id = r.id
         where r.slug = 'ai-act' order by m.on_date desc limit 1",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    let moved = editor
        .post_signed(
            &format!("/admin/regulations/{regulation}/milestones/{milestone}"),
            &[
                ("date", "2027-12"),
                ("label", "Haut risque : produits de l’annexe I"),
                ("source_url", "https://example.org/omnibus"),
                ("note", "Report proposé."),
            ],
        )
        .await;
    assert_eq!(moved.status, 303, "{}", moved.body);

    // A correction, a renamed tag, a disabled account, an old WordPress address.
    let sample = app.article_id(SAMPLE).await;
    let corrected = editor
        .post_signed(
            &format!("/editor/articles/{sample}/corrections"),
            &[("body", "Une date était fausse.")],
        )
        .await;
    assert_eq!(corrected.status, 303);
    let tag: Uuid = sqlx::query_scalar("select id from tag where slug = 'openai'")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    let renamed = admin
        .post_signed(
            &format!("/admin/tags/{tag}"),
            &[("name", "OpenAI Inc."), ("kind", "organisation")],
        )
        .await;
    assert_eq!(renamed.status, 303);
    let leaving = app.account(Role::Journalist).await;
    let disabled = admin
        .post_signed(&format!("/admin/users/{}/disable", leaving.id), &[])
        .await;
    assert_eq!(disabled.status, 303);
    sqlx::query("insert into legacy_url (path, article_id) values ('/2026/02/ancien-lien', $1)")
        .bind(sample)
        .execute(&app.pool)
        .await
        .unwrap();
    // An article written through the API: its audit events name the token.
    let made = admin
        .post_signed(
            "/account/tokens",
            &[
                ("name", "Fil d’agence"),
                ("days", "7"),
                ("scopes", "articles:write"),
            ],
        )
        .await;
    assert_eq!(made.status, 201);
    let secret = made.texts("#new-token").remove(0);
    let created = app
        .client
        .post(format!("{}/api/v1/articles", app.base_url()))
        .bearer_auth(secret)
        .json(&serde_json::json!({ "title": "Par l’API", "body": "Écrit par un programme." }))
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), 201);
}

#[tokio::test]
async fn every_kind_of_row_comes_back_from_an_export_column_for_column() {
    let app = TestApp::with_demo().await;
    every_kind_of_row(&app).await;

    // The fixture holds what it says it holds.
    let kinds: Vec<String> =
        sqlx::query_scalar("select distinct kind from article_revision order by kind")
            .fetch_all(&app.pool)
            .await
            .unwrap();
    assert_eq!(kinds, ["autosave", "conflict", "create", "restore", "save"]);
    let shapes: Vec<String> = sqlx::query_scalar(
        "select distinct status || case when withdrawn then '+withdrawn' else '' end \
         || case when status = 'published' and published_at > now() then '+scheduled' else '' end \
         || case when review_note <> '' then '+note' else '' end || '/' || lang \
         from article order by 1",
    )
    .fetch_all(&app.pool)
    .await
    .unwrap();
    for shape in [
        "archived/fr",
        "draft+note/fr",
        "draft+withdrawn/fr",
        "draft/fr",
        "in_review/fr",
        "published+scheduled/fr",
        "published/en",
        "published/fr",
    ] {
        assert!(
            shapes.iter().any(|s| s == shape),
            "no {shape} in {shapes:?}"
        );
    }
    for table in ["slug_redirect", "tag_redirect", "legacy_url", "correction"] {
        assert!(!rows(&app, table, &[]).await.is_empty(), "{table} is empty");
    }
    let disabled: i64 =
        sqlx::query_scalar("select count(*) from app_user where disabled_at is not null")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert!(disabled > 0);

    // Every table is either carried or left out on purpose: a new one must choose.
    let tables: Vec<String> = sqlx::query_scalar(
        "select table_name::text from information_schema.tables \
         where table_schema = 'public' and table_type = 'BASE TABLE' order by 1",
    )
    .fetch_all(&app.pool)
    .await
    .unwrap();
    for table in &tables {
        assert!(
            CARRIED.iter().any(|(t, _)| t == table) || NOT_CARRIED.contains(&table.as_str()),
            "the table {table} is neither carried by the export nor left out on purpose"
        );
    }

    let path = scratch("export.json");
    export_to(&app, &path);
    let copy = TestApp::spawn().await;
    let out = vigie(&copy, &["import", path.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    std::fs::remove_dir_all(path.parent().unwrap()).unwrap();

    for (table, left_out) in CARRIED {
        let original = rows(&app, table, left_out).await;
        let restored = rows(&copy, table, left_out).await;
        assert_eq!(original.len(), restored.len(), "{table}: row count");
        for (a, b) in original.iter().zip(&restored) {
            assert_eq!(a, b, "{table}: a row came back different");
        }
    }
}

//! The writing desk's states and decisions, through HTTP: scheduling you can see, move and
//! cancel; withdrawing with a reason readers read; taking a submitted article back; a live
//! article that asks before changing; the review queue in the menu; the live preview.

use time::macros::datetime;
use uuid::Uuid;
use vigie::domain::Role;

use crate::helpers::{Page, TestApp, audited, form_of, new_article, post, set};

async fn status_of(app: &TestApp, id: Uuid) -> String {
    sqlx::query_scalar("select status from article where id = $1")
        .bind(id)
        .fetch_one(&app.pool)
        .await
        .unwrap()
}

async fn version_of(app: &TestApp, id: Uuid) -> String {
    sqlx::query_scalar::<_, i32>("select version from article where id = $1")
        .bind(id)
        .fetch_one(&app.pool)
        .await
        .unwrap()
        .to_string()
}

/// The workflow buttons of an editor page, by what they ask for, and their labels.
fn buttons(page: &Page) -> Vec<String> {
    let mut asked: Vec<String> = page
        .attrs(".desk-actions button[name=intent]", "value")
        .into_iter()
        .filter_map(|v| v.strip_prefix("status:").map(str::to_owned))
        .collect();
    asked.extend(page.attrs(".desk-actions input[name=action]", "value"));
    asked
}

/// A time on the newsroom's clock, as `<input type=datetime-local>` sends it, `days` from now.
async fn local_in(app: &TestApp, days: i32) -> String {
    sqlx::query_scalar(
        "select to_char((now() + make_interval(days => $1)) at time zone 'Europe/Paris', 'YYYY-MM-DD\"T\"HH24:MI')",
    )
    .bind(days)
    .fetch_one(&app.pool)
    .await
    .unwrap()
}

#[tokio::test]
async fn a_scheduled_article_shows_as_scheduled_everywhere_and_can_be_moved_or_cancelled() {
    let app = TestApp::spawn().await;
    let (author, me) = app.signed_in(Role::Journalist).await;
    let (editor, chief) = app.signed_in(Role::Editor).await;
    // 06:00 UTC in July is 08:00 in Paris, the newsroom's clock.
    let slug = app
        .article_by(
            me.id,
            "Règlement programmé",
            "Texte programmé.",
            Some(datetime!(2030-07-14 06:00 UTC)),
        )
        .await;
    app.article_by(me.id, "Simple brouillon", "Texte.", None)
        .await;
    let id = app.article_id(&slug).await;
    let label = "Programmé · 14 juil. 2030 à 08:00";

    for browser in [&author, &editor] {
        let list = browser.get("/editor").await;
        assert_eq!(list.texts(".editor-list td.status-scheduled"), [label]);
    }
    let scheduled = editor.get("/editor?status=scheduled").await;
    assert_eq!(
        scheduled.texts(".editor-list td a"),
        ["Règlement programmé"]
    );
    let published = editor.get("/editor?status=published").await;
    assert!(published.texts(".editor-list td a").is_empty());
    let drafts = editor.get("/editor?status=draft").await;
    assert_eq!(drafts.texts(".editor-list td a"), ["Simple brouillon"]);

    let path = format!("/editor/articles/{id}");
    let page = editor.get(&path).await;
    assert_eq!(page.texts(".desk-bar .standing"), [label]);
    assert_eq!(buttons(&page), ["publish", "schedule", "unpublish"]);
    assert_eq!(
        page.texts(".desk-actions summary"),
        [
            "Publier maintenant…",
            "Reprogrammer…",
            "Annuler la programmation…"
        ]
    );
    // Rescheduling starts from its time, on the newsroom's clock.
    assert_eq!(page.attrs("input[name=at]", "value"), ["2030-07-14T08:00"]);
    // Readers have not read it: nothing to correct yet.
    assert!(page.attrs("#correction", "name").is_empty());
    let early = editor
        .post_signed(&format!("{path}/corrections"), &[("body", "Trop tôt.")])
        .await;
    assert_eq!(early.status, 422);
    // Staff see it as readers will; readers do not see it yet.
    assert_eq!(
        page.attrs("a[href$='/preview']", "href"),
        [format!("{path}/preview")]
    );
    let preview = editor.get(&format!("{path}/preview")).await;
    assert_eq!(preview.status, 200);
    assert!(
        preview
            .texts(".article-body p")
            .contains(&"Texte programmé.".to_owned())
    );
    assert!(preview.texts(".preview-banner")[0].contains(label));
    assert_eq!(app.get(&format!("/articles/{slug}")).await.status, 404);
    // The review page knows it too.
    let review = editor.get(&format!("/admin/review/{id}")).await;
    assert_eq!(review.status, 200);
    assert_eq!(
        review.texts(".scheduled-notice"),
        ["Programmé : sortira automatiquement le 14 juil. 2030 à 08:00."]
    );

    // Moved from the editor: a past time is refused with the reason, nothing changes.
    let v = version_of(&app, id).await;
    let past = editor
        .post_signed(
            &format!("{path}/status"),
            &[
                ("action", "schedule"),
                ("at", "2020-01-01T08:00"),
                ("version", &v),
            ],
        )
        .await;
    assert_eq!(past.status, 422);
    assert!(past.texts("#workflow-error")[0].starts_with("Cette date est passée"));
    assert_eq!(version_of(&app, id).await, v);
    let at = local_in(&app, 3).await;
    let moved = editor
        .post_signed(
            &format!("{path}/status"),
            &[("action", "schedule"), ("at", &at), ("version", &v)],
        )
        .await;
    assert_eq!(moved.status, 303, "{}", moved.body);
    assert_eq!(moved.header("location"), format!("{path}?status=schedule"));
    let soon: bool = sqlx::query_scalar(
        "select published_at between now() + interval '2 days' and now() + interval '4 days' from article where id = $1",
    )
    .bind(id)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert!(soon, "the new time was kept");
    assert_eq!(
        audited(&app, "article.schedule").await,
        (Some(chief.id), id.to_string())
    );

    // Cancelled: a draft again; its address never said anything to readers.
    let v = version_of(&app, id).await;
    let cancelled = editor
        .post_signed(
            &format!("{path}/status"),
            &[("action", "unpublish"), ("version", &v)],
        )
        .await;
    assert_eq!(cancelled.status, 303);
    assert_eq!(status_of(&app, id).await, "draft");
    assert_eq!(app.get(&format!("/articles/{slug}")).await.status, 404);
    assert_eq!(
        editor.get(&path).await.texts(".desk-bar .standing"),
        ["Brouillon"]
    );
}

#[tokio::test]
async fn withdrawing_asks_first_and_tells_readers_why() {
    let app = TestApp::spawn().await;
    let (editor, _) = app.signed_in(Role::Editor).await;
    let slug = app
        .article(
            "Article à retirer",
            "Texte.",
            Some(datetime!(2026-01-05 08:00 UTC)),
        )
        .await;
    let id = app.article_id(&slug).await;
    let path = format!("/editor/articles/{id}");
    let page = editor.get(&path).await;
    assert_eq!(page.texts(".desk-bar .standing"), ["Publié"]);
    assert_eq!(buttons(&page), ["unpublish", "withdraw", "archive"]);
    // Each asks first: the button that does it is inside its question.
    assert_eq!(
        page.attrs("details.confirm button[value='status:withdraw']", "value")
            .len(),
        1
    );
    assert_eq!(
        page.attrs("details.confirm textarea[name=reason]", "name")
            .len(),
        1
    );

    let mut fields = form_of(&editor, id).await;
    set(&mut fields, "intent", "status:withdraw");
    set(&mut fields, "reason", "Les dates citées étaient fausses.");
    let withdrawn = post(&editor, &path, &fields).await;
    assert_eq!(withdrawn.status, 303, "{}", withdrawn.body);
    let gone = app.get(&format!("/articles/{slug}")).await;
    assert_eq!(gone.status, 410);
    assert!(
        gone.body
            .contains("Cet article a été retiré par la rédaction. Motif\u{202F}: Les dates citées étaient fausses."),
        "{}",
        gone.body
    );
    let page = editor.get(&path).await;
    assert_eq!(page.texts(".desk-bar .standing"), ["Retiré"]);
    assert!(page.texts(".withdrawn-notice")[0].contains("Les dates citées étaient fausses."));
    let list = editor.get("/editor?status=withdrawn").await;
    assert_eq!(list.texts(".editor-list td a"), ["Article à retirer"]);
    assert_eq!(list.texts(".editor-list td.status-withdrawn"), ["Retiré"]);
    let details: serde_json::Value =
        sqlx::query_scalar("select details from audit_event where action = 'article.withdraw'")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!(details["reason"], "Les dates citées étaient fausses.");

    // Published again: readers get the article, and the notice and its reason are gone.
    let v = version_of(&app, id).await;
    let again = editor
        .post_signed(
            &format!("{path}/status"),
            &[("action", "publish"), ("version", &v)],
        )
        .await;
    assert_eq!(again.status, 303);
    assert_eq!(app.get(&format!("/articles/{slug}")).await.status, 200);
    let reason: String = sqlx::query_scalar("select withdrawn_reason from article where id = $1")
        .bind(id)
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(reason, "");
}

#[tokio::test]
async fn a_journalist_takes_a_submitted_article_back_to_change_it() {
    let app = TestApp::spawn().await;
    let (author, me) = app.signed_in(Role::Journalist).await;
    let (colleague, _) = app.signed_in(Role::Journalist).await;
    let id = new_article(&author, "Repris", "Premier jet.").await;
    let path = format!("/editor/articles/{id}");
    let mut fields = form_of(&author, id).await;
    set(&mut fields, "intent", "status:submit");
    assert_eq!(post(&author, &path, &fields).await.status, 303);
    assert_eq!(status_of(&app, id).await, "in_review");

    let v = version_of(&app, id).await;
    let theirs = colleague
        .post_signed(
            &format!("{path}/status"),
            &[("action", "retract"), ("version", &v)],
        )
        .await;
    assert_eq!(theirs.status, 404, "another journalist does not see it");
    assert_eq!(status_of(&app, id).await, "in_review");
    let back = author
        .post_signed(
            &format!("{path}/status"),
            &[("action", "retract"), ("version", &v)],
        )
        .await;
    assert_eq!(back.status, 303);
    assert_eq!(back.header("location"), format!("{path}?status=retract"));
    assert_eq!(status_of(&app, id).await, "draft");
    assert_eq!(
        audited(&app, "article.retract").await,
        (Some(me.id), id.to_string())
    );
    // Editable again.
    let mut fields = form_of(&author, id).await;
    set(&mut fields, "body", "Second jet.");
    set(&mut fields, "intent", "save");
    assert_eq!(post(&author, &path, &fields).await.status, 303);
    assert_eq!(app.version_and_body(id).await.1, "Second jet.");
}

#[tokio::test]
async fn a_live_article_asks_before_its_page_changes_and_links_to_a_fresh_copy() {
    let app = TestApp::spawn().await;
    let (editor, _) = app.signed_in(Role::Editor).await;
    let slug = app
        .article("En ligne", "Texte.", Some(datetime!(2026-01-05 08:00 UTC)))
        .await;
    let id = app.article_id(&slug).await;
    let page = editor.get(&format!("/editor/articles/{id}")).await;
    assert_eq!(
        page.texts(".desk-actions details.confirm summary")[0],
        "Mettre à jour l’article en ligne…"
    );
    assert_eq!(
        page.attrs(".desk-actions details.confirm button[value=save]", "value")
            .len(),
        1,
        "saving is the answer to the question"
    );
    // Enter in a field previews; it never changes the live page.
    assert_eq!(
        page.attrs("form.article-form > button.visually-hidden", "value"),
        ["preview"]
    );
    let v = version_of(&app, id).await;
    assert_eq!(
        page.attrs("a[href^='/articles/']", "href"),
        [format!("/articles/{slug}?v={v}")]
    );
    // A draft saves at once.
    let draft = new_article(&editor, "Brouillon", "Texte.").await;
    let page = editor.get(&format!("/editor/articles/{draft}")).await;
    assert!(
        page.texts(".desk-actions details.confirm summary")
            .iter()
            .all(|s| !s.starts_with("Mettre à jour"))
    );
    assert_eq!(
        page.attrs(".desk-actions > button[value=save]", "value")
            .len(),
        1
    );
    assert_eq!(
        page.attrs("form.article-form > button.visually-hidden", "value"),
        ["save"]
    );
}

#[tokio::test]
async fn the_review_queue_length_is_in_the_editors_menu() {
    let app = TestApp::spawn().await;
    let (author, _) = app.signed_in(Role::Journalist).await;
    let (editor, _) = app.signed_in(Role::Editor).await;
    assert!(
        editor
            .get("/editor")
            .await
            .texts(".account-nav .count")
            .is_empty()
    );
    let id = new_article(&author, "À relire", "Texte.").await;
    let mut fields = form_of(&author, id).await;
    set(&mut fields, "intent", "status:submit");
    assert_eq!(
        post(&author, &format!("/editor/articles/{id}"), &fields)
            .await
            .status,
        303
    );
    assert_eq!(
        editor
            .get("/editor")
            .await
            .texts(".account-nav a[href='/admin/review'] .count"),
        ["1"]
    );
    // Journalists have no review menu.
    assert!(
        author
            .get("/editor")
            .await
            .texts(".account-nav .count")
            .is_empty()
    );
}

#[tokio::test]
async fn the_live_preview_renders_the_form_as_readers_will_see_it() {
    let app = TestApp::spawn().await;
    let (author, _) = app.signed_in(Role::Journalist).await;
    let tag: Uuid = sqlx::query_scalar(
        "insert into tag (slug, name, kind) values ('ai-act', 'AI Act', 'regulation') returning id",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    let id = new_article(&author, "Aperçu", "Texte.").await;
    let tag = tag.to_string();
    let fields = [
        ("title", "Le titre tapé"),
        ("dek", "Le chapô."),
        ("lang", "fr"),
        ("body", "| A | B |\n| --- | --- |\n| 1 | 2 |\n"),
        ("tags", tag.as_str()),
    ];
    let preview = author
        .post_signed(&format!("/editor/articles/{id}/preview"), &fields)
        .await;
    assert_eq!(preview.status, 200, "{}", preview.body);
    assert_eq!(preview.texts("article h1"), ["Le titre tapé"]);
    assert_eq!(preview.texts("article .dek"), ["Le chapô."]);
    assert_eq!(preview.texts(".article-body table td"), ["1", "2"]);
    assert_eq!(preview.texts(".tags li"), ["AI Act"]);
    assert!(preview.texts(".byline")[0].starts_with("Par "));
    // Nothing was saved.
    assert_eq!(app.version_and_body(id).await.1, "Texte.");
    // A new article's form too; a body over the limit is refused with why.
    let fresh = author.post_signed("/editor/new/preview", &fields).await;
    assert_eq!(fresh.status, 200);
    let huge = "a".repeat(3 * 1024 * 1024);
    let refused = author
        .post_signed(
            "/editor/new/preview",
            &[("title", "Trop long"), ("body", &huge)],
        )
        .await;
    assert_eq!(refused.status, 422);
    assert!(refused.body.contains("taille maximale"), "{}", refused.body);
}

#[tokio::test]
async fn tags_and_published_articles_are_found_by_typing() {
    let app = TestApp::spawn().await;
    let (author, _) = app.signed_in(Role::Journalist).await;
    sqlx::query(
        "insert into tag (slug, name, kind) values
           ('ai-act', 'AI Act', 'regulation'), ('acte-delegue', 'Acte délégué', 'regulation'),
           ('securite-de-l-ia', 'Sécurité de l’IA', 'topic')",
    )
    .execute(&app.pool)
    .await
    .unwrap();
    let json = |page: Page| -> serde_json::Value {
        assert_eq!(page.status, 200, "{}", page.body);
        serde_json::from_str(&page.body).unwrap()
    };
    let found = json(author.get("/editor/lookup/tags?q=act").await);
    let names: Vec<&str> = found
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    // Those that start with the words first.
    assert_eq!(names, ["Acte délégué", "AI Act"]);
    assert_eq!(found[1]["kind_label"], "réglementation");
    let accents = json(author.get("/editor/lookup/tags?q=securite").await);
    assert_eq!(accents[0]["name"], "Sécurité de l’IA");
    assert_eq!(
        json(author.get("/editor/lookup/tags?q=").await),
        serde_json::json!([])
    );
    // A % typed is a character, not a wildcard.
    assert_eq!(
        json(author.get("/editor/lookup/tags?q=%25").await),
        serde_json::json!([])
    );

    let public = app
        .article(
            "Le règlement européen",
            "Texte.",
            Some(datetime!(2026-01-05 08:00 UTC)),
        )
        .await;
    app.article("Le règlement en brouillon", "Texte.", None)
        .await;
    let found = json(author.get("/editor/lookup/articles?q=reglement").await);
    assert_eq!(
        found.as_array().unwrap().len(),
        1,
        "only what readers can read"
    );
    assert_eq!(found[0]["path"], format!("/articles/{public}"));
    let id = app.article_id(&public).await;
    let without = json(
        author
            .get(&format!("/editor/lookup/articles?q=reglement&exclude={id}"))
            .await,
    );
    assert_eq!(without, serde_json::json!([]));
}

#[tokio::test]
async fn pasted_html_comes_back_as_markdown() {
    let app = TestApp::spawn().await;
    let (author, _) = app.signed_in(Role::Journalist).await;
    let html = r#"<b style="font-weight:normal;" id="docs-internal-guid-42"><h2>Calendrier</h2><p><span style="font-weight:700">Le 2 août</span><span style="font-weight:400"> : <a href="https://eur-lex.europa.eu/">le texte</a>.</span></p><ul><li>Un</li><li>Deux</li></ul></b>"#;
    let pasted = author.post_signed("/editor/paste", &[("html", html)]).await;
    assert_eq!(pasted.status, 200, "{}", pasted.body);
    assert!(pasted.header("content-type").starts_with("text/plain"));
    assert!(pasted.body.contains("## Calendrier"), "{}", pasted.body);
    assert!(
        pasted
            .body
            .contains("**Le 2 août** : [le texte](https://eur-lex.europa.eu/)."),
        "{}",
        pasted.body
    );
    assert!(pasted.body.contains("Un") && pasted.body.contains("Deux"));
    // Like every form, it needs the session's token.
    let forged = author.post("/editor/paste", &[("html", html)]).await;
    assert_eq!(forged.status, 403);
}

#[tokio::test]
async fn the_summary_follows_the_text_until_someone_types_one() {
    let app = TestApp::spawn().await;
    let (author, _) = app.signed_in(Role::Journalist).await;
    let id = new_article(&author, "Résumé", "Premier paragraphe du texte.").await;
    let path = format!("/editor/articles/{id}");
    let page = author.get(&path).await;
    assert_eq!(page.texts("textarea[name=excerpt]"), [""]);
    assert_eq!(
        page.attrs("textarea[name=excerpt]", "placeholder"),
        ["Premier paragraphe du texte."]
    );
    assert_eq!(page.texts(".word-count"), ["4 mots"]);
    // The text changes: the summary follows.
    let mut fields = form_of(&author, id).await;
    set(&mut fields, "body", "Un autre début, réécrit.");
    set(&mut fields, "intent", "save");
    assert_eq!(post(&author, &path, &fields).await.status, 303);
    let excerpt: String = sqlx::query_scalar("select excerpt from article where id = $1")
        .bind(id)
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(excerpt, "Un autre début, réécrit.");
    // Typed, it stays when the text changes again.
    let mut fields = form_of(&author, id).await;
    set(&mut fields, "excerpt", "Mon résumé.");
    set(&mut fields, "intent", "save");
    assert_eq!(post(&author, &path, &fields).await.status, 303);
    let mut fields = form_of(&author, id).await;
    assert!(fields.contains(&("excerpt".to_owned(), "Mon résumé.".to_owned())));
    set(&mut fields, "body", "Encore un autre texte.");
    set(&mut fields, "intent", "save");
    assert_eq!(post(&author, &path, &fields).await.status, 303);
    let excerpt: String = sqlx::query_scalar("select excerpt from article where id = $1")
        .bind(id)
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(excerpt, "Mon résumé.");
}

/// Two people save the same version: changes to different paragraphs are merged and saved;
/// the same paragraph changed twice comes back side by side, to choose from.
#[tokio::test]
async fn a_save_that_meets_a_colleagues_is_merged_or_offered_side_by_side() {
    let app = TestApp::spawn().await;
    let (author, _) = app.signed_in(Role::Journalist).await;
    let (editor, _) = app.signed_in(Role::Editor).await;
    let id = new_article(&author, "Fusion", "Premier.\n\nDeuxième.\n\nTroisième.").await;
    let path = format!("/editor/articles/{id}");

    // Different paragraphs: merged.
    let mut mine = form_of(&author, id).await;
    let mut theirs = form_of(&editor, id).await;
    set(
        &mut theirs,
        "body",
        "Premier.\n\nDeuxième.\n\nTroisième, corrigé par l’éditeur.",
    );
    set(&mut theirs, "intent", "save");
    assert_eq!(post(&editor, &path, &theirs).await.status, 303);
    set(
        &mut mine,
        "body",
        "Premier, réécrit par l’auteur.\n\nDeuxième.\n\nTroisième.",
    );
    set(&mut mine, "intent", "save");
    let merged = post(&author, &path, &mine).await;
    assert_eq!(merged.status, 303, "{}", merged.body);
    assert_eq!(merged.header("location"), format!("{path}?merged=1"));
    assert_eq!(
        app.version_and_body(id).await.1,
        "Premier, réécrit par l’auteur.\n\nDeuxième.\n\nTroisième, corrigé par l’éditeur."
    );
    let told = author.get(merged.header("location")).await;
    assert!(told.texts(".notice")[0].contains("sont réunies et enregistrées"));
    // The typed text is kept as it was sent, too.
    let kept: i64 = sqlx::query_scalar(
        "select count(*) from article_revision where article_id = $1 and kind = 'conflict'",
    )
    .bind(id)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(kept, 1);

    // The same paragraph: side by side, the author's version in the form meanwhile.
    let mut mine = form_of(&author, id).await;
    let mut theirs = form_of(&editor, id).await;
    set(
        &mut theirs,
        "body",
        "Premier, réécrit par l’auteur.\n\nDeuxième, selon l’éditeur.\n\nTroisième, corrigé par l’éditeur.",
    );
    set(&mut theirs, "intent", "save");
    assert_eq!(post(&editor, &path, &theirs).await.status, 303);
    set(
        &mut mine,
        "body",
        "Premier, encore.\n\nDeuxième, selon l’auteur.\n\nTroisième, corrigé par l’éditeur.",
    );
    set(&mut mine, "intent", "save");
    let page = post(&author, &path, &mine).await;
    assert_eq!(page.status, 409, "{}", page.body);
    assert_eq!(page.attrs(".clash", "class").len(), 1);
    let body = page
        .html()
        .select(&scraper::Selector::parse("textarea[name=body]").unwrap())
        .next()
        .map(|e| e.text().collect::<String>())
        .unwrap();
    assert_eq!(
        body,
        "Premier, encore.\n\nDeuxième, selon l’auteur.\n\nTroisième, corrigé par l’éditeur."
    );
    assert!(page.texts(".clash-theirs")[0].contains("Deuxième, selon l’éditeur."));
    assert_eq!(page.texts(".clash-theirs .diff-removed"), ["l’éditeur."]);
    assert_eq!(page.texts(".clash-mine .diff-added"), ["l’auteur."]);
    // Choosing the editor's version of the passage, and saving.
    let mut again: Vec<(String, String)> = Vec::new();
    for name in ["version", "title", "lang", "save_key"] {
        let value = page.attrs(&format!("form.article-form input[name={name}], form.article-form select[name={name}] option[selected]"), "value");
        again.push((
            name.to_owned(),
            value.into_iter().next().unwrap_or_default(),
        ));
    }
    again.push(("body".to_owned(), body));
    for name in ["clash_at", "clash_mine", "clash_theirs"] {
        for value in page.attrs(&format!("input[name={name}]"), "value") {
            again.push((name.to_owned(), value));
        }
    }
    again.push(("take_theirs".to_owned(), "0".to_owned()));
    again.push(("intent".to_owned(), "save".to_owned()));
    let chosen = post(&author, &path, &again).await;
    assert_eq!(chosen.status, 303, "{}", chosen.body);
    assert_eq!(
        app.version_and_body(id).await.1,
        "Premier, encore.\n\nDeuxième, selon l’éditeur.\n\nTroisième, corrigé par l’éditeur."
    );
}

/// Titles, deks and summaries get French typography like bodies; English ones stay as typed.
#[tokio::test]
async fn titles_deks_and_summaries_are_typeset_like_the_text() {
    let app = TestApp::spawn().await;
    let (author, _) = app.signed_in(Role::Journalist).await;
    let fr = author
        .post_signed(
            "/editor/new",
            &[
                ("title", "Anthropic : rester ferme ?"),
                ("dek", "« Sécurité » d’abord ; le reste ensuite !"),
                ("excerpt", "Un résumé : court."),
                ("lang", "fr"),
                ("body", "Texte."),
                ("intent", "save"),
            ],
        )
        .await;
    assert_eq!(fr.status, 303);
    let id = crate::helpers::id_from(&fr);
    let (title, dek, excerpt): (String, String, String) =
        sqlx::query_as("select title, dek, excerpt from article where id = $1")
            .bind(id)
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!(title, "Anthropic\u{202F}: rester ferme\u{202F}?");
    assert_eq!(
        dek,
        "«\u{202F}Sécurité\u{202F}» d’abord\u{202F}; le reste ensuite\u{202F}!"
    );
    assert_eq!(excerpt, "Un résumé\u{202F}: court.");
    // The same form sent again is still recognised as the same (one article, one version).
    let en = author
        .post_signed(
            "/editor/new",
            &[
                ("title", "Why : now ?"),
                ("lang", "en"),
                ("body", "Text."),
                ("intent", "save"),
            ],
        )
        .await;
    let id = crate::helpers::id_from(&en);
    let title: String = sqlx::query_scalar("select title from article where id = $1")
        .bind(id)
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(title, "Why : now ?");
    // A title at the limit that typesetting would take over it is kept as typed.
    let long = "Quoi?".repeat(60);
    let id = new_article(&author, &long, "Texte.").await;
    let title: String = sqlx::query_scalar("select title from article where id = $1")
        .bind(id)
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(title, long);
}

/// Review of the merge (each of these lost something before its fix): a clean merge keeps the
/// colleague's typed summary and address, and a tag created inline with the save; text sent
/// by a browser (CRLF) merges; a status change in between leaves a base to merge on; a
/// workflow button pressed with a merged save is said not to be done.
#[tokio::test]
async fn a_clean_merge_keeps_what_each_side_set() {
    let app = TestApp::spawn().await;
    let (author, _) = app.signed_in(Role::Journalist).await;
    let (editor, _) = app.signed_in(Role::Editor).await;
    let id = new_article(&author, "Fusion propre", "Un.\r\n\r\nDeux.\r\n\r\nTrois.").await;
    let path = format!("/editor/articles/{id}");
    // A status change between the opening of the forms and the saves: version 2, same text.
    let mut mine = form_of(&author, id).await;
    let mut fields = form_of(&author, id).await;
    set(&mut fields, "intent", "status:submit");
    assert_eq!(post(&author, &path, &fields).await.status, 303);
    let v = version_of(&app, id).await;
    let back = author
        .post_signed(
            &format!("{path}/status"),
            &[("action", "retract"), ("version", &v)],
        )
        .await;
    assert_eq!(back.status, 303);
    let mut theirs = form_of(&editor, id).await;
    set(
        &mut theirs,
        "body",
        "Un.\r\n\r\nDeux.\r\n\r\nTrois, corrigé.",
    );
    set(&mut theirs, "excerpt", "Le résumé écrit par l’éditeur.");
    set(&mut theirs, "slug", "adresse-choisie");
    set(&mut theirs, "intent", "save");
    assert_eq!(post(&editor, &path, &theirs).await.status, 303);
    // The author's form was opened before all that (version 1, empty summary and address).
    set(&mut mine, "version", "1");
    set(&mut mine, "slug", "");
    set(&mut mine, "body", "Un, repris.\r\n\r\nDeux.\r\n\r\nTrois.");
    set(&mut mine, "new_tag_name", "Régulation");
    set(&mut mine, "new_tag_kind", "topic");
    set(&mut mine, "intent", "status:submit");
    let merged = post(&author, &path, &mine).await;
    assert_eq!(merged.status, 303, "{}", merged.body);
    assert_eq!(merged.header("location"), format!("{path}?merged=pending"));
    let (body, excerpt, slug, status): (String, String, String, String) =
        sqlx::query_as("select body_markdown, excerpt, slug, status from article where id = $1")
            .bind(id)
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!(body, "Un, repris.\n\nDeux.\n\nTrois, corrigé.");
    assert_eq!(excerpt, "Le résumé écrit par l’éditeur.");
    assert_eq!(slug, "adresse-choisie");
    assert_eq!(
        status, "draft",
        "the button was not pressed on a text nobody reread"
    );
    let tags: Vec<String> = sqlx::query_scalar(
        "select t.name from article_tag x join tag t on t.id = x.tag_id where x.article_id = $1",
    )
    .bind(id)
    .fetch_all(&app.pool)
    .await
    .unwrap();
    assert_eq!(tags, ["Régulation"]);
    let told = author.get(merged.header("location")).await;
    assert!(told.texts(".notice")[0].contains("n’a pas été faite"));
}

#[tokio::test]
async fn a_live_article_is_not_scheduled_and_a_cancelled_schedule_leaves_no_date() {
    let app = TestApp::spawn().await;
    let (editor, chief) = app.signed_in(Role::Editor).await;
    let live = app
        .article("En ligne", "Texte.", Some(datetime!(2026-01-05 08:00 UTC)))
        .await;
    let id = app.article_id(&live).await;
    let v = version_of(&app, id).await;
    let at = local_in(&app, 2).await;
    let refused = editor
        .post_signed(
            &format!("/editor/articles/{id}/status"),
            &[("action", "schedule"), ("at", &at), ("version", &v)],
        )
        .await;
    assert_eq!(refused.status, 422);
    assert!(refused.texts("#workflow-error")[0].contains("en ligne"));
    assert_eq!(app.get(&format!("/articles/{live}")).await.status, 200);

    // Scheduled, then cancelled: a draft that was never public, as before scheduling.
    let slug = app
        .article_by(
            chief.id,
            "Pas encore",
            "Texte.",
            Some(datetime!(2030-01-01 08:00 UTC)),
        )
        .await;
    let id = app.article_id(&slug).await;
    let v = version_of(&app, id).await;
    let cancelled = editor
        .post_signed(
            &format!("/editor/articles/{id}/status"),
            &[("action", "unpublish"), ("version", &v)],
        )
        .await;
    assert_eq!(cancelled.status, 303);
    let date: Option<time::OffsetDateTime> =
        sqlx::query_scalar("select published_at from article where id = $1")
            .bind(id)
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!(date, None);
    // Its author may delete it, as any draft readers never saw.
    let deleted = editor
        .post_signed(
            &format!("/editor/articles/{id}/delete"),
            &[("confirm", "yes")],
        )
        .await;
    assert_eq!(deleted.status, 303);
}

#[tokio::test]
async fn the_first_autosave_sent_several_times_at_once_makes_one_article() {
    let app = TestApp::spawn().await;
    let (author, account) = app.signed_in(Role::Journalist).await;
    let key = author
        .get("/editor/new")
        .await
        .attrs("input[name=save_key]", "value")
        .remove(0);
    let token = author.csrf().await;
    let long_title = "T".repeat(320);
    let fields = [
        ("title", long_title.as_str()),
        ("lang", "fr"),
        ("body", "Texte."),
        ("save_key", key.as_str()),
        ("csrf_token", token.as_str()),
    ];
    let sent = futures_join4(
        author.post("/editor/new/autosave", &fields),
        author.post("/editor/new/autosave", &fields),
        author.post("/editor/new/autosave", &fields),
        author.post("/editor/new/autosave", &fields),
    )
    .await;
    for page in &sent {
        assert!(
            matches!(page.status.as_u16(), 200 | 201),
            "{}: {}",
            page.status,
            page.body
        );
    }
    let titles: Vec<String> = sqlx::query_scalar("select title from article where author_id = $1")
        .bind(account.id)
        .fetch_all(&app.pool)
        .await
        .unwrap();
    // One article, its title the first 300 characters typed (the form keeps the rest).
    assert_eq!(titles, ["T".repeat(300)]);
}

async fn futures_join4<F: std::future::Future>(a: F, b: F, c: F, d: F) -> [F::Output; 4] {
    let (a, b, c, d) = tokio::join!(a, b, c, d);
    [a, b, c, d]
}

/// Signing in again (another tab, after the session ended) makes a new form token; the
/// editor's script asks for the current one rather than being refused for ever.
#[tokio::test]
async fn the_current_form_token_is_there_for_the_script() {
    let app = TestApp::spawn().await;
    let (author, account) = app.signed_in(Role::Journalist).await;
    let first = author.get("/editor/token").await;
    assert_eq!(first.status, 200);
    assert_eq!(first.body, author.csrf().await);
    assert_eq!(first.header("cache-control"), "no-store");
    sqlx::query("delete from session")
        .execute(&app.pool)
        .await
        .unwrap();
    author
        .sign_in(&account.email, crate::helpers::PASSWORD)
        .await;
    let second = author.get("/editor/token").await;
    assert_ne!(second.body, first.body);
    assert_eq!(second.body, author.csrf().await);
}

/// Public pages carry a hidden "Modifier" link that the page's script shows to signed-in
/// staff: the page is the same for everyone, so no cache ever holds a staff-only copy.
#[tokio::test]
async fn staff_get_a_modifier_link_on_public_pages_that_stay_the_same_for_everyone() {
    let app = TestApp::spawn().await;
    let slug = app
        .article(
            "Lu par tous",
            "Texte.",
            Some(datetime!(2026-01-05 08:00 UTC)),
        )
        .await;
    let id = app.article_id(&slug).await;
    let account = app.account(Role::Editor).await;
    let editor = app.browser();
    let signed = editor
        .sign_in(&account.email, crate::helpers::PASSWORD)
        .await;
    let cookies = |page: &Page| -> Vec<String> {
        page.headers
            .get_all("set-cookie")
            .iter()
            .filter_map(|v| v.to_str().ok().map(str::to_owned))
            .collect()
    };
    // The hint is nothing secret, readable by the page's script (not HttpOnly).
    let hint: Vec<String> = cookies(&signed)
        .into_iter()
        .filter(|c| c.starts_with("vigie_staff="))
        .collect();
    assert_eq!(hint.len(), 1, "{:?}", cookies(&signed));
    assert!(
        hint[0].starts_with("vigie_staff=1;") && !hint[0].contains("HttpOnly"),
        "{hint:?}"
    );
    let anonymous = app.get(&format!("/articles/{slug}")).await;
    let staff = editor.get(&format!("/articles/{slug}")).await;
    assert_eq!(anonymous.body, staff.body, "one page for everyone");
    assert_eq!(
        anonymous.attrs(".staff-edit[hidden] a", "href"),
        [format!("/editor/by-slug/{slug}")]
    );
    let script = anonymous.attrs("script[src^='/static/reader.js']", "src");
    assert_eq!(script.len(), 1);
    let js = app.get(&script[0]).await;
    assert_eq!(js.status, 200);
    assert!(js.body.contains("vigie_staff=1"));
    let followed = editor.get(&format!("/editor/by-slug/{slug}")).await;
    assert_eq!(followed.status, 303);
    assert_eq!(
        followed.header("location"),
        format!("/editor/articles/{id}")
    );
    assert_eq!(
        editor.get("/editor/by-slug/pas-un-article").await.status,
        404
    );
    let token = editor.csrf().await;
    let out = editor.post("/logout", &[("csrf_token", &token)]).await;
    let removed = cookies(&out);
    assert!(
        removed
            .iter()
            .any(|c| c.starts_with("vigie_staff=;") && c.contains("Max-Age=0")),
        "{removed:?}"
    );
}

/// The settings' "Partage sur les réseaux": what a social network shows when the article is
/// shared, the title and the dek when left empty.
#[tokio::test]
async fn the_social_title_and_description_are_what_a_share_shows() {
    let app = TestApp::spawn().await;
    let (editor, _) = app.signed_in(Role::Editor).await;
    let slug = app
        .article(
            "Le titre du site",
            "Texte.",
            Some(datetime!(2026-01-05 08:00 UTC)),
        )
        .await;
    let id = app.article_id(&slug).await;
    let path = format!("/editor/articles/{id}");
    let page = app.get(&format!("/articles/{slug}")).await;
    assert_eq!(
        page.attrs("meta[property='og:title']", "content"),
        ["Le titre du site — Vigie"]
    );
    // Too long: the form again, with what was typed, nothing saved.
    let mut fields = form_of(&editor, id).await;
    set(&mut fields, "social_title", &"T".repeat(201));
    set(&mut fields, "intent", "save");
    let refused = post(&editor, &path, &fields).await;
    assert_eq!(refused.status, 422);
    assert_eq!(
        refused.attrs("input[name=social_title]", "value"),
        ["T".repeat(201)]
    );
    set(&mut fields, "social_title", "Le titre pour les réseaux");
    set(
        &mut fields,
        "social_description",
        "Ce que l’aperçu du lien dit.",
    );
    assert_eq!(post(&editor, &path, &fields).await.status, 303);
    let page = app.get(&format!("/articles/{slug}")).await;
    assert_eq!(
        page.attrs("meta[property='og:title']", "content"),
        ["Le titre pour les réseaux"]
    );
    assert_eq!(
        page.attrs("meta[property='og:description']", "content"),
        ["Ce que l’aperçu du lien dit."]
    );
    // The page itself keeps its title.
    assert_eq!(page.texts("title"), ["Le titre du site — Vigie"]);
    let form = editor.get(&path).await;
    assert_eq!(
        form.attrs("input[name=social_title]", "value"),
        ["Le titre pour les réseaux"]
    );
}

/// Second review: the social fields are never dropped silently. A stale form's differ from
/// the colleague's: the person decides, seeing the colleague's; a first autosave with one too
/// long stores the rest; a browser's line ends count once; a new-article form sent again
/// after its first autosave keeps them.
#[tokio::test]
async fn social_fields_are_never_dropped_silently() {
    let app = TestApp::spawn().await;
    let (editor, _) = app.signed_in(Role::Editor).await;
    let (admin, _) = app.signed_in(Role::Admin).await;
    let id = new_article(&editor, "Social", "Un.\n\nDeux.").await;
    let path = format!("/editor/articles/{id}");
    let mut stale = form_of(&admin, id).await;
    let mut theirs = form_of(&editor, id).await;
    set(&mut theirs, "social_title", "Titre B");
    set(&mut theirs, "intent", "save");
    assert_eq!(post(&editor, &path, &theirs).await.status, 303);
    set(&mut stale, "social_title", "Titre A");
    set(&mut stale, "body", "Un, repris.\n\nDeux.");
    set(&mut stale, "intent", "save");
    let decide = post(&admin, &path, &stale).await;
    assert_eq!(decide.status, 409, "{}", decide.body);
    assert!(decide.texts(".clash-setting")[0].contains("Titre B"));
    let stored: String = sqlx::query_scalar("select social_title from article where id = $1")
        .bind(id)
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(stored, "Titre B", "nothing written over the colleague's");

    // A description of 498 characters as the browser counts them (CRLF sent for each break).
    let mut fields = form_of(&editor, id).await;
    set(&mut fields, "social_description", &"ab\r\n".repeat(166));
    set(&mut fields, "intent", "save");
    let saved = post(&editor, &path, &fields).await;
    assert_eq!(saved.status, 303, "{}", saved.body);

    // First autosave with a social title too long: the draft is made, the title left for the
    // save to refuse; the form's own save, sent again with the same key, keeps what it holds.
    let key = editor
        .get("/editor/new")
        .await
        .attrs("input[name=save_key]", "value")
        .remove(0);
    let long = "T".repeat(201);
    let begun = editor
        .post_signed(
            "/editor/new/autosave",
            &[
                ("title", "Commencé"),
                ("lang", "fr"),
                ("body", "Texte."),
                ("social_title", &long),
                ("save_key", &key),
            ],
        )
        .await;
    assert_eq!(begun.status, 201, "{}", begun.body);
    let resent = editor
        .post_signed(
            "/editor/new",
            &[
                ("title", "Commencé"),
                ("lang", "fr"),
                ("body", "Texte."),
                ("social_title", "Pour les réseaux"),
                ("save_key", &key),
                ("intent", "save"),
            ],
        )
        .await;
    assert_eq!(resent.status, 303, "{}", resent.body);
    let made = crate::helpers::id_from(&resent);
    let stored: String = sqlx::query_scalar("select social_title from article where id = $1")
        .bind(made)
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(stored, "Pour les réseaux");
}

/// The "Modifier" hint goes only to those who may change any article.
#[tokio::test]
async fn a_journalist_gets_no_modifier_hint() {
    let app = TestApp::spawn().await;
    let account = app.account(Role::Journalist).await;
    let signed = app
        .browser()
        .sign_in(&account.email, crate::helpers::PASSWORD)
        .await;
    let hints: Vec<String> = signed
        .headers
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok().map(str::to_owned))
        .filter(|c| c.starts_with("vigie_staff="))
        .collect();
    assert_eq!(hints.len(), 1);
    assert!(
        hints[0].contains("Max-Age=0"),
        "taken away, not set: {hints:?}"
    );
}

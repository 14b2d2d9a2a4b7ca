//! The editor, through HTTP as a journalist or an editor would use it.

use uuid::Uuid;
use vigie::domain::Role;

use crate::helpers::{DRAFT, Page, SAMPLE, TestApp, form_of, id_from, new_article, post, set};

const TABLE: &str = "| Sujet | Position |\n| --- | --- |\n| Garde-fous | Priorité |\n";

async fn scalar<T>(app: &TestApp, sql: &'static str, id: Uuid) -> T
where
    T: for<'r> sqlx::Decode<'r, sqlx::Postgres> + sqlx::Type<sqlx::Postgres> + Send + Unpin,
{
    sqlx::query_scalar(sql)
        .bind(id)
        .fetch_one(&app.pool)
        .await
        .unwrap()
}

#[tokio::test]
async fn a_journalist_writes_an_article_with_a_table_and_links() {
    let app = TestApp::with_demo().await;
    let (browser, _) = app.signed_in(Role::Journalist).await;
    let form = browser.get("/editor/new").await;
    assert_eq!(form.status, 200);
    assert_eq!(form.attrs("form.article-form", "action"), ["/editor/new"]);

    let body = format!(
        "Intro.\n\n{TABLE}\nVoir [l’article](/articles/{SAMPLE}), [le brouillon](/articles/{DRAFT}) et [rien](/articles/n-existe-pas)."
    );
    let id = new_article(&browser, "Sécurité de l’IA : premier essai", &body).await;
    let page = browser.get(&format!("/editor/articles/{id}?saved=1")).await;
    assert_eq!(page.texts(".notice"), ["Article enregistré."]);
    let warnings = page.texts(".form-warning li");
    assert_eq!(warnings.len(), 2, "{warnings:?}");
    assert!(
        warnings[0].contains(DRAFT) && warnings[0].contains("pas publié"),
        "{warnings:?}"
    );
    assert!(
        warnings[1].contains("n-existe-pas") && warnings[1].contains("aucun article"),
        "{warnings:?}"
    );

    let slug: String = scalar(&app, "select slug from article where id = $1", id).await;
    assert_eq!(slug, "securite-de-l-ia-premier-essai");
    let inline: i64 = scalar(
        &app,
        "select count(*) from article_link where from_article_id = $1 and origin = 'inline'",
        id,
    )
    .await;
    assert_eq!(
        inline, 2,
        "the sample and the draft exist; the unknown slug does not"
    );
    let revisions: i64 = scalar(
        &app,
        "select count(*) from article_revision where article_id = $1",
        id,
    )
    .await;
    assert_eq!(revisions, 1);
    let excerpt: String = scalar(&app, "select excerpt from article where id = $1", id).await;
    assert!(excerpt.starts_with("Intro."), "{excerpt}");

    // It is in the journalist's list, and nowhere public.
    let list = browser.get("/editor").await;
    assert_eq!(
        list.texts(".editor-list tbody td:first-child"),
        ["Sécurité de l’IA : premier essai"]
    );
    assert_eq!(list.texts(".editor-list .status"), ["Brouillon"]);
    assert_eq!(app.get(&format!("/articles/{slug}")).await.status, 404);
}

#[tokio::test]
async fn preview_renders_like_the_public_page_and_saves_nothing() {
    let app = TestApp::spawn().await;
    let (browser, _) = app.signed_in(Role::Journalist).await;
    let id = new_article(&browser, "Aperçu", "Avant.").await;
    let mut fields = form_of(&browser, id).await;
    set(&mut fields, "body", &format!("Après.\n\n{TABLE}"));
    set(&mut fields, "intent", "preview");
    let page = post(&browser, &format!("/editor/articles/{id}"), &fields).await;
    assert_eq!(page.status, 200);
    assert_eq!(
        page.texts(".preview .article-body table thead th"),
        ["Sujet", "Position"]
    );
    assert!(
        page.texts("textarea[name=body]")[0].starts_with("Après."),
        "the typed text stays in the form"
    );
    let body: String = scalar(&app, "select body_markdown from article where id = $1", id).await;
    assert_eq!(body, "Avant.");
}

#[tokio::test]
async fn validation_errors_show_next_to_the_field_with_everything_typed() {
    let app = TestApp::spawn_with(|c| c.max_body_bytes = 2048).await;
    let (browser, _) = app.signed_in(Role::Journalist).await;
    let typed = "Un texte précieux que personne ne veut retaper.";
    let page = browser
        .post_signed(
            "/editor/new",
            &[
                ("title", "  "),
                ("lang", "fr"),
                ("slug", "Pas Valide"),
                ("body", typed),
                ("intent", "save"),
            ],
        )
        .await;
    assert_eq!(page.status, 422);
    assert_eq!(page.texts("#title-error").len(), 1);
    assert_eq!(page.texts("#slug-error").len(), 1);
    assert_eq!(page.texts("textarea[name=body]"), [typed]);
    assert_eq!(page.attrs("input[name=slug]", "value"), ["Pas Valide"]);

    let huge = "mot ".repeat(1000);
    let page = browser
        .post_signed(
            "/editor/new",
            &[
                ("title", "Trop long"),
                ("lang", "fr"),
                ("body", &huge),
                ("intent", "save"),
            ],
        )
        .await;
    assert_eq!(page.status, 422);
    assert!(
        page.texts("#body-error")[0].contains("taille maximale"),
        "{:?}",
        page.texts("#body-error")
    );
    assert_eq!(
        page.texts("textarea[name=body]")[0].len(),
        huge.trim_end().len(),
        "nothing lost"
    );
    // An image nobody described: refused, with how to describe it, and the text kept.
    let undescribed = "Le graphique : ![](https://exemple.fr/courbe.png)";
    let page = browser
        .post_signed(
            "/editor/new",
            &[
                ("title", "Une courbe"),
                ("lang", "fr"),
                ("body", undescribed),
                ("intent", "save"),
            ],
        )
        .await;
    assert_eq!(page.status, 422);
    assert!(
        page.texts("#body-error")[0].contains("texte alternatif"),
        "{:?}",
        page.texts("#body-error")
    );
    assert_eq!(page.texts("textarea[name=body]"), [undescribed]);
    let count: i64 = sqlx::query_scalar("select count(*) from article")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(count, 0);
}

#[tokio::test]
async fn a_stale_save_gets_409_and_both_texts_survive() {
    let app = TestApp::spawn().await;
    let (author, account) = app.signed_in(Role::Journalist).await;
    let (editor, _) = app.signed_in(Role::Editor).await;
    let id = new_article(&author, "Conflit", "Version d’origine.").await;
    let mut mine = form_of(&author, id).await;
    let mut theirs = form_of(&editor, id).await;

    set(&mut theirs, "body", "Le texte de la rédaction en chef.");
    set(&mut theirs, "title", "Le titre de la rédaction en chef");
    assert_eq!(
        post(&editor, &format!("/editor/articles/{id}"), &theirs)
            .await
            .status,
        303
    );

    set(&mut mine, "body", "Mon texte, tapé pendant ce temps.");
    set(&mut mine, "title", "Mon titre à moi");
    set(&mut mine, "dek", "Mon chapeau");
    set(&mut mine, "excerpt", "Mon résumé");
    let page = post(&author, &format!("/editor/articles/{id}"), &mine).await;
    assert_eq!(page.status, 409);
    assert!(page.texts(".theirs pre")[0].contains("Le texte de la rédaction en chef."));
    // The typed text is back in the form, every field of it, based on the newer version.
    assert_eq!(
        page.texts("textarea[name=body]"),
        ["Mon texte, tapé pendant ce temps."]
    );
    assert_eq!(
        page.attrs("input[name=title]", "value"),
        ["Mon titre à moi"]
    );
    assert_eq!(page.texts("textarea[name=dek]"), ["Mon chapeau"]);
    assert_eq!(page.texts("textarea[name=excerpt]"), ["Mon résumé"]);
    assert_eq!(page.attrs("input[name=version]", "value"), ["2"]);
    assert_eq!(
        page.attrs("form.article-form[data-unsaved]", "class").len(),
        1,
        "marked unsaved for the leave warning"
    );

    let body: String = scalar(&app, "select body_markdown from article where id = $1", id).await;
    assert_eq!(
        body, "Le texte de la rédaction en chef.",
        "the newer save stands"
    );
    let kept: (String, String, String) = sqlx::query_as("select title, dek, body_markdown from article_revision where article_id = $1 and kind = 'conflict' and editor_id = $2")
        .bind(id)
        .bind(account.id)
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(
        kept,
        (
            "Mon titre à moi".to_owned(),
            "Mon chapeau".to_owned(),
            "Mon texte, tapé pendant ce temps.".to_owned()
        ),
        "the losing text is a revision"
    );
    // Saving again from the conflict page applies on top of the newer version.
    set(&mut mine, "version", "2");
    assert_eq!(
        post(&author, &format!("/editor/articles/{id}"), &mine)
            .await
            .status,
        303
    );
}

#[tokio::test]
async fn a_new_slug_for_a_published_article_leaves_a_301() {
    let app = TestApp::with_demo().await;
    let (editor, _) = app.signed_in(Role::Editor).await;
    let id: Uuid = sqlx::query_scalar("select id from article where slug = $1")
        .bind(SAMPLE)
        .fetch_one(&app.pool)
        .await
        .unwrap();
    let mut fields = form_of(&editor, id).await;
    set(&mut fields, "slug", "anthropic-et-washington");
    assert_eq!(
        post(&editor, &format!("/editor/articles/{id}"), &fields)
            .await
            .status,
        303
    );

    let old = app.get(&format!("/articles/{SAMPLE}")).await;
    assert_eq!(old.status, 301);
    assert_eq!(old.header("location"), "/articles/anthropic-et-washington");
    let new = app.get("/articles/anthropic-et-washington").await;
    assert_eq!(new.status, 200);
    assert_eq!(
        new.texts(".article-body table thead th").len(),
        4,
        "the table survived the round trip"
    );

    // A slug another article uses is refused, with the form kept.
    set(
        &mut fields,
        "version",
        &scalar::<i32>(&app, "select version from article where id = $1", id)
            .await
            .to_string(),
    );
    set(&mut fields, "slug", "openai-dernieres-nouveautes");
    let page = post(&editor, &format!("/editor/articles/{id}"), &fields).await;
    assert_eq!(page.status, 422);
    assert!(page.texts("#slug-error")[0].contains("déjà utilisée"));
}

#[tokio::test]
async fn revisions_can_be_compared_and_restored() {
    let app = TestApp::spawn().await;
    let (browser, _) = app.signed_in(Role::Journalist).await;
    let id = new_article(&browser, "Révisions", "La sécurité avant tout.").await;
    let mut fields = form_of(&browser, id).await;
    set(&mut fields, "body", "La sécurité après tout.");
    assert_eq!(
        post(&browser, &format!("/editor/articles/{id}"), &fields)
            .await
            .status,
        303
    );

    let list = browser
        .get(&format!("/editor/articles/{id}/revisions"))
        .await;
    let revs = list.attrs(".revisions input[name=to]", "value");
    assert_eq!(revs.len(), 2);
    let (newest, oldest) = (&revs[0], &revs[1]);
    let diff = browser
        .get(&format!(
            "/editor/articles/{id}/diff?from={oldest}&to={newest}"
        ))
        .await;
    assert_eq!(diff.status, 200);
    assert_eq!(diff.texts("pre.diff .diff-removed"), ["avant"]);
    assert_eq!(diff.texts("pre.diff .diff-added"), ["après"]);

    let one = browser
        .get(&format!("/editor/articles/{id}/revisions/{oldest}"))
        .await;
    assert!(
        one.texts(".article-body")
            .join(" ")
            .contains("La sécurité avant tout.")
    );
    let restored = browser
        .post_signed(
            &format!("/editor/articles/{id}/revisions/{oldest}/restore"),
            &[],
        )
        .await;
    assert_eq!(restored.status, 303);
    let body: String = scalar(&app, "select body_markdown from article where id = $1", id).await;
    assert_eq!(body, "La sécurité avant tout.");
    let kinds: Vec<String> =
        sqlx::query_scalar("select kind from article_revision where article_id = $1 order by id")
            .bind(id)
            .fetch_all(&app.pool)
            .await
            .unwrap();
    assert_eq!(kinds, ["create", "save", "restore"]);
}

#[tokio::test]
async fn tags_can_be_picked_or_created_and_related_articles_searched_and_ordered() {
    let app = TestApp::with_demo().await;
    let (browser, _) = app.signed_in(Role::Journalist).await;
    let id = new_article(&browser, "Thèmes et liens", "Texte.").await;
    let mut fields = form_of(&browser, id).await;
    let page = browser.get(&format!("/editor/articles/{id}")).await;
    let anthropic = page
        .html()
        .select(&scraper::Selector::parse("input[name=tags]").unwrap())
        .find(|e| {
            e.parent()
                .and_then(scraper::ElementRef::wrap)
                .is_some_and(|l| l.text().collect::<String>().contains("Anthropic"))
        })
        .and_then(|e| e.value().attr("value").map(str::to_owned))
        .unwrap();
    fields.push(("tags".to_owned(), anthropic));
    set(&mut fields, "new_tag_name", "Règlement européen sur l’IA");
    set(&mut fields, "new_tag_kind", "regulation");

    // Search for related articles: nothing is saved, results come back as choices.
    set(&mut fields, "related_q", "openai");
    set(&mut fields, "intent", "search");
    let results = post(&browser, &format!("/editor/articles/{id}"), &fields).await;
    assert_eq!(results.status, 200);
    let found = results.attrs("input[name=related_add]", "value");
    assert_eq!(found.len(), 1, "only the published OpenAI article");
    fields.push(("related_add".to_owned(), found[0].clone()));
    set(&mut fields, "related_q", "chatgpt");
    let results = post(&browser, &format!("/editor/articles/{id}"), &fields).await;
    let second = results.attrs("input[name=related_add]", "value");
    // The first pick is now a kept one; add the second, then move it up.
    fields.retain(|(k, _)| k != "related_add");
    fields.push(("related".to_owned(), found[0].clone()));
    fields.push(("related_add".to_owned(), second[0].clone()));
    set(&mut fields, "intent", &format!("up:{}", second[0]));
    let reordered = post(&browser, &format!("/editor/articles/{id}"), &fields).await;
    let order = reordered.attrs("input[name=related][checked]", "value");
    assert_eq!(order, [second[0].clone(), found[0].clone()]);

    // Save with that order.
    fields.retain(|(k, _)| k != "related" && k != "related_add");
    for r in &order {
        fields.push(("related".to_owned(), r.clone()));
    }
    set(&mut fields, "intent", "save");
    assert_eq!(
        post(&browser, &format!("/editor/articles/{id}"), &fields)
            .await
            .status,
        303
    );
    let tags: Vec<(String, String)> = sqlx::query_as("select t.name, t.kind from article_tag x join tag t on t.id = x.tag_id where x.article_id = $1 order by x.position")
        .bind(id)
        .fetch_all(&app.pool)
        .await
        .unwrap();
    assert_eq!(
        tags,
        [
            ("Anthropic".to_owned(), "organisation".to_owned()),
            (
                "Règlement européen sur l’IA".to_owned(),
                "regulation".to_owned()
            )
        ]
    );
    let picked: Vec<String> = sqlx::query_scalar("select r.slug from article_link l join article r on r.id = l.to_article_id where l.from_article_id = $1 and l.origin = 'picked' order by l.position")
        .bind(id)
        .fetch_all(&app.pool)
        .await
        .unwrap();
    assert_eq!(
        picked,
        [
            "chatgpt-hors-service-une-panne-touche-de-nombreux-utilisateurs",
            "openai-dernieres-nouveautes"
        ]
    );
}

#[tokio::test]
async fn autosave_keeps_a_draft_revision_and_the_soft_lock_shows_who_edits() {
    let app = TestApp::spawn().await;
    let (author, account) = app.signed_in(Role::Journalist).await;
    let (editor, _) = app.signed_in(Role::Editor).await;
    let id = new_article(&author, "Verrou", "Texte.").await;
    let updated = |app: &TestApp| {
        let pool = app.pool.clone();
        async move {
            sqlx::query_scalar::<_, time::OffsetDateTime>(
                "select updated_at from article where id = $1",
            )
            .bind(id)
            .fetch_one(&pool)
            .await
            .unwrap()
        }
    };
    let before = updated(&app).await;
    let mut fields = form_of(&author, id).await;
    set(&mut fields, "body", "Texte en cours de frappe.");
    let saved = post(&author, &format!("/editor/articles/{id}/autosave"), &fields).await;
    assert_eq!(saved.status, 204);
    let draft: String = scalar(
        &app,
        "select body_markdown from article_revision where article_id = $1 and kind = 'autosave'",
        id,
    )
    .await;
    assert_eq!(draft, "Texte en cours de frappe.");
    let body: String = scalar(&app, "select body_markdown from article where id = $1", id).await;
    assert_eq!(body, "Texte.", "autosave leaves the article alone");

    let page = editor.get(&format!("/editor/articles/{id}")).await;
    let notice = page.texts(".lock-notice p");
    assert_eq!(notice.len(), 1);
    assert!(
        notice[0].starts_with("Compte journalist modifie cet article (dernière activité à"),
        "{notice:?}"
    );
    let taken = editor
        .post_signed(&format!("/editor/articles/{id}/lock"), &[])
        .await;
    assert_eq!(taken.status, 303);
    let holder: Uuid = scalar(
        &app,
        "select user_id from article_lock where article_id = $1",
        id,
    )
    .await;
    assert_ne!(holder, account.id);
    assert!(
        author
            .get(&format!("/editor/articles/{id}"))
            .await
            .texts(".lock-notice p")[0]
            .starts_with("Compte editor")
    );
    assert_eq!(
        updated(&app).await,
        before,
        "opening, autosaving and taking over change nothing of the article"
    );
}

#[tokio::test]
async fn each_role_gets_the_buttons_and_powers_the_roles_table_gives() {
    let app = TestApp::spawn().await;
    let (author, _) = app.signed_in(Role::Journalist).await;
    let (colleague, _) = app.signed_in(Role::Journalist).await;
    let (editor, _) = app.signed_in(Role::Editor).await;
    let id = new_article(&author, "Droits", "Texte.").await;
    let path = format!("/editor/articles/{id}");

    let buttons = |page: &Page| {
        let mut b: Vec<String> = page
            .attrs(".desk-actions button[name=intent]", "value")
            .into_iter()
            .filter_map(|v| v.strip_prefix("status:").map(str::to_owned))
            .collect();
        b.extend(page.attrs(".desk-actions input[name=action]", "value"));
        b
    };
    assert_eq!(buttons(&author.get(&path).await), ["submit"]);
    assert_eq!(
        buttons(&editor.get(&path).await),
        ["submit", "publish", "schedule"]
    );
    // Another journalist does not even learn that it exists.
    assert_eq!(colleague.get(&path).await.status, 404);
    assert_eq!(
        post(&colleague, &path, &form_of(&author, id).await)
            .await
            .status,
        404
    );
    assert!(!colleague.get("/editor").await.body.contains("Droits"));
    assert!(
        editor.get("/editor").await.body.contains("Droits"),
        "editors see everyone's"
    );

    // Submitted (the button saves what was typed first): the author can no longer change it
    // nor publish it; an editor can.
    let mut fields = form_of(&author, id).await;
    set(&mut fields, "body", "Texte relu avant l’envoi.");
    set(&mut fields, "intent", "status:submit");
    let sent = post(&author, &path, &fields).await;
    assert_eq!(sent.status, 303);
    assert_eq!(sent.header("location"), format!("{path}?status=submit"));
    let body: String = scalar(&app, "select body_markdown from article where id = $1", id).await;
    assert_eq!(
        body, "Texte relu avant l’envoi.",
        "nothing typed was lost by pressing the button"
    );
    let status: String = scalar(&app, "select status from article where id = $1", id).await;
    assert_eq!(status, "in_review");
    let own = author.get(&path).await;
    // Only taking it back, to change it before anyone reviews it.
    assert_eq!(buttons(&own), ["retract"]);
    assert_eq!(
        own.attrs("fieldset[disabled]", "disabled").len(),
        2,
        "the text and the settings are read-only"
    );
    assert_eq!(
        post(&author, &path, &form_of(&author, id).await)
            .await
            .status,
        403
    );
    let version: i32 = scalar(&app, "select version from article where id = $1", id).await;
    let v = version.to_string();
    assert_eq!(
        author
            .post_signed(
                &format!("{path}/status"),
                &[("action", "publish"), ("version", &v)]
            )
            .await
            .status,
        403
    );
    for route in ["autosave", "lock"] {
        let page = post(
            &author,
            &format!("{path}/{route}"),
            &form_of(&author, id).await,
        )
        .await;
        assert_eq!(page.status, 403, "{route} on one's own article in review");
    }
    assert_eq!(
        buttons(&editor.get(&path).await),
        ["request_changes", "publish", "schedule"]
    );
    // A decision on an older version than the current one is refused.
    let stale = editor
        .post_signed(
            &format!("{path}/status"),
            &[("action", "publish"), ("version", "1")],
        )
        .await;
    assert_eq!(stale.status, 409);
    assert_eq!(
        editor
            .post_signed(
                &format!("{path}/status"),
                &[("action", "publish"), ("version", &v)]
            )
            .await
            .status,
        303
    );
    let slug: String = scalar(&app, "select slug from article where id = $1", id).await;
    assert_eq!(app.get(&format!("/articles/{slug}")).await.status, 200);
}

#[tokio::test]
async fn the_list_filters_by_status_tag_author_and_title() {
    let app = TestApp::with_demo().await;
    let (editor, _) = app.signed_in(Role::Editor).await;
    let titles = |page: &Page| page.texts(".editor-list tbody td:first-child");
    assert_eq!(
        titles(&editor.get("/editor").await).len(),
        12,
        "everyone's, drafts and pages included"
    );
    assert_eq!(
        titles(&editor.get("/editor?status=draft").await),
        ["L’AI Act face aux modèles de fondation"]
    );
    assert_eq!(
        titles(&editor.get("/editor?q=SECURITE").await),
        ["Anthropic et Washington : rester ferme sur la sécurité de l’IA"]
    );
    let tag: Uuid = sqlx::query_scalar("select id from tag where slug = 'openai'")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(
        titles(&editor.get(&format!("/editor?tag={tag}")).await).len(),
        2
    );
    let nobody = Uuid::new_v4();
    assert!(titles(&editor.get(&format!("/editor?author={nobody}")).await).is_empty());
    let (author, account) = app.signed_in(Role::Journalist).await;
    app.article_by(account.id, "Hausse de 100 % des plaintes", "Texte.", None)
        .await;
    assert_eq!(
        titles(&editor.get("/editor?q=%25").await),
        ["Hausse de 100 % des plaintes"],
        "% is searched literally"
    );
    assert_eq!(
        titles(&editor.get("/editor?q=%00").await).len(),
        13,
        "a NUL is ignored, not a 500"
    );
    // Newest change first: editing the oldest brings it to the top.
    let oldest: Uuid = sqlx::query_scalar("select id from article order by updated_at limit 1")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    let mut fields = form_of(&editor, oldest).await;
    set(&mut fields, "dek", "Mis à jour.");
    assert_eq!(
        post(&editor, &format!("/editor/articles/{oldest}"), &fields)
            .await
            .status,
        303
    );
    let first = editor
        .get("/editor")
        .await
        .attrs(".editor-list tbody td:first-child a", "href")
        .remove(0);
    assert_eq!(first, format!("/editor/articles/{oldest}"));
    assert_eq!(
        titles(&author.get("/editor").await),
        ["Hausse de 100 % des plaintes"],
        "a journalist sees their own"
    );
}

#[tokio::test]
async fn mangled_or_hostile_form_fields_lose_nothing_and_reveal_nothing() {
    let app = TestApp::with_demo().await;
    let (browser, _) = app.signed_in(Role::Journalist).await;
    let draft: Uuid = sqlx::query_scalar("select id from article where slug = $1")
        .bind(DRAFT)
        .fetch_one(&app.pool)
        .await
        .unwrap();
    let draft_id = draft.to_string();
    // Someone else's draft posted as a related article: never shown, never linked.
    let page = browser
        .post_signed(
            "/editor/new",
            &[
                ("title", "Essai"),
                ("lang", "fr"),
                ("body", "Texte gardé."),
                ("dek", "Chapô gardé."),
                ("excerpt", "Résumé gardé."),
                ("related", &draft_id),
                ("tags", "pas-un-uuid"),
                ("version", "n’importe quoi"),
                ("intent", "preview"),
            ],
        )
        .await;
    assert_eq!(
        page.status, 200,
        "a bad id is dropped, the form is not refused"
    );
    assert!(
        !page.body.contains("L’AI Act face aux modèles de fondation"),
        "the draft's title leaked"
    );
    assert_eq!(page.texts("textarea[name=dek]"), ["Chapô gardé."]);
    assert_eq!(page.texts("textarea[name=excerpt]"), ["Résumé gardé."]);
    // The first button of the form, the one Enter presses, saves.
    assert_eq!(
        page.attrs("form.article-form button[type=submit]", "value")[0],
        "save"
    );

    let saved = browser
        .post_signed(
            "/editor/new",
            &[
                ("title", "Essai"),
                ("lang", "fr"),
                ("body", "Texte."),
                ("related", &draft_id),
                ("intent", "save"),
            ],
        )
        .await;
    let id = id_from(&saved);
    let links: i64 = scalar(
        &app,
        "select count(*) from article_link where from_article_id = $1",
        id,
    )
    .await;
    assert_eq!(links, 0);

    // A NUL byte is refused with a message, not a 500.
    let nul = browser
        .post_signed(
            "/editor/new",
            &[
                ("title", "Nul\0"),
                ("lang", "fr"),
                ("body", "x"),
                ("intent", "save"),
            ],
        )
        .await;
    assert_eq!(nul.status, 400);
    assert!(nul.texts("main p")[0].contains("caractère nul"));

    // Validation keeps every field, tags and new tag included.
    let tag: Uuid = sqlx::query_scalar("select id from tag where slug = 'anthropic'")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    let tag_id = tag.to_string();
    let page = browser
        .post_signed(
            "/editor/new",
            &[
                ("title", ""),
                ("lang", "fr"),
                ("body", "Corps."),
                ("tags", &tag_id),
                ("new_tag_name", "Nouveau thème"),
                ("new_tag_kind", "topic"),
                ("intent", "save"),
            ],
        )
        .await;
    assert_eq!(page.status, 422);
    assert_eq!(page.attrs("input[name=tags][checked]", "value"), [tag_id]);
    assert_eq!(
        page.attrs("input[name=new_tag_name]", "value"),
        ["Nouveau thème"]
    );
}

#[tokio::test]
async fn bodies_larger_than_the_default_two_megabytes_of_form_still_get_the_message() {
    let app = TestApp::spawn().await;
    let (browser, _) = app.signed_in(Role::Journalist).await;
    // 1.05 MiB of accented text: over the 1 MiB limit, and over 3 MB once form-encoded.
    let body = "é".repeat(540 * 1024);
    let page = browser
        .post_signed(
            "/editor/new",
            &[
                ("title", "Long"),
                ("lang", "fr"),
                ("body", &body),
                ("intent", "save"),
            ],
        )
        .await;
    assert_eq!(page.status, 422);
    assert!(page.texts("#body-error")[0].contains("taille maximale"));
    assert_eq!(
        page.texts("textarea[name=body]")[0].chars().count(),
        body.chars().count(),
        "nothing lost"
    );
}

/// Issue 17's lost paragraph: an autosave that meets an ended session used to be sent to the
/// sign-in page (303), which `fetch` follows to a 200 that the script took for success. A
/// script's request now gets 401, which it reports, while a page the browser shows still goes
/// to the sign-in page and back.
#[tokio::test]
async fn an_autosave_after_the_session_ended_is_told_so_not_sent_to_the_sign_in_page() {
    let app = TestApp::spawn().await;
    let (author, _) = app.signed_in(Role::Journalist).await;
    let id = new_article(&author, "Session", "Texte.").await;
    let mut fields = form_of(&author, id).await;
    set(
        &mut fields,
        "body",
        "Le paragraphe tapé pendant que la session expirait.",
    );
    // The session ends elsewhere (sign-out in another tab, expiry, an admin).
    sqlx::query("delete from session")
        .execute(&app.pool)
        .await
        .unwrap();
    let borrowed: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let autosave = format!("/editor/articles/{id}/autosave");
    let scripted = author
        .post_with(
            &autosave,
            &borrowed,
            &[
                ("sec-fetch-mode", "cors"),
                ("sec-fetch-site", "same-origin"),
            ],
        )
        .await;
    assert_eq!(scripted.status, 401, "{}", scripted.body);
    assert!(scripted.header("location").is_empty());
    assert_eq!(scripted.body, "Session expirée : reconnectez-vous.");
    assert_eq!(scripted.header("cache-control"), "no-store");
    // Nothing was written for nobody.
    let kept: i64 = scalar(
        &app,
        "select count(*) from article_revision where article_id = $1 and kind = 'autosave'",
        id,
    )
    .await;
    assert_eq!(kept, 0);

    // A form the browser sends (a navigation) still goes to the sign-in page and back.
    let navigated = author
        .post_with(
            &format!("/editor/articles/{id}"),
            &borrowed,
            &[
                ("sec-fetch-mode", "navigate"),
                ("sec-fetch-site", "same-origin"),
            ],
        )
        .await;
    assert_eq!(navigated.status, 303);
    assert_eq!(
        navigated.header("location"),
        format!("/login?next=%2Feditor%2Farticles%2F{id}")
    );
}

/// Autosave keeps one revision per editing session, updated in place with the newest text,
/// until a real save; then the next autosave starts a new one. Before, every autosave added a
/// revision (every 20 s while the form was dirty), burying the saves in the revisions page.
#[tokio::test]
async fn autosave_keeps_one_revision_per_editing_session() {
    let app = TestApp::spawn().await;
    let (author, _) = app.signed_in(Role::Journalist).await;
    let id = new_article(&author, "Autosave", "Texte.").await;
    let autosave = format!("/editor/articles/{id}/autosave");
    let mut fields = form_of(&author, id).await;
    for text in [
        "Premier jet.",
        "Premier jet, repris.",
        "Premier jet, repris deux fois.",
    ] {
        set(&mut fields, "body", text);
        assert_eq!(post(&author, &autosave, &fields).await.status, 204);
    }
    let autosaves = |app: &TestApp| {
        let pool = app.pool.clone();
        async move {
            sqlx::query_scalar::<_, String>(
                "select body_markdown from article_revision
                 where article_id = $1 and kind = 'autosave' order by id",
            )
            .bind(id)
            .fetch_all(&pool)
            .await
            .unwrap()
        }
    };
    assert_eq!(autosaves(&app).await, ["Premier jet, repris deux fois."]);

    // A real save ends the session's autosave; the next one is a revision of its own.
    set(&mut fields, "intent", "save");
    let saved = post(&author, &format!("/editor/articles/{id}"), &fields).await;
    assert_eq!(saved.status, 303, "{}", saved.body);
    let mut fields = form_of(&author, id).await;
    set(&mut fields, "body", "Suite.");
    assert_eq!(post(&author, &autosave, &fields).await.status, 204);
    assert_eq!(
        autosaves(&app).await,
        ["Premier jet, repris deux fois.", "Suite."]
    );
    // Another person's autosave is theirs, never written over someone else's.
    let (editor, _) = app.signed_in(Role::Editor).await;
    let mut theirs = form_of(&editor, id).await;
    set(&mut theirs, "body", "Le texte de l’éditeur.");
    assert_eq!(post(&editor, &autosave, &theirs).await.status, 204);
    assert_eq!(
        autosaves(&app).await,
        [
            "Premier jet, repris deux fois.",
            "Suite.",
            "Le texte de l’éditeur."
        ]
    );
}

/// A new article becomes a draft at its first autosave, made with the form's key: the form's
/// own save then lands on it (no second article), and its address follows its title until
/// someone types one or readers have seen it.
#[tokio::test]
async fn a_new_article_becomes_a_draft_at_its_first_autosave() {
    let app = TestApp::spawn().await;
    let (author, account) = app.signed_in(Role::Journalist).await;
    let blank = author.get("/editor/new").await;
    assert_eq!(
        blank.attrs("form.article-form", "data-autosave"),
        ["/editor/new/autosave"]
    );
    let key = blank.attrs("input[name=save_key]", "value").remove(0);
    let mut fields: Vec<(String, String)> = [
        ("version", "0"),
        ("title", "Anthropic à Washing"),
        ("lang", "fr"),
        ("body", "Premier paragraphe."),
        ("save_key", key.as_str()),
    ]
    .iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    let begun = post(&author, "/editor/new/autosave", &fields).await;
    assert_eq!(begun.status, 201, "{}", begun.body);
    let answer: serde_json::Value = serde_json::from_str(&begun.body).unwrap();
    let id = Uuid::parse_str(answer["id"].as_str().unwrap()).unwrap();
    assert_eq!(answer["action"], format!("/editor/articles/{id}"));
    assert_eq!(
        answer["autosave"],
        format!("/editor/articles/{id}/autosave")
    );
    assert_eq!(answer["version"], 1);
    assert_ne!(answer["save_key"].as_str().unwrap(), key);
    let (status, body, slug): (String, String, String) =
        sqlx::query_as("select status, body_markdown, slug from article where id = $1")
            .bind(id)
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!(
        (status.as_str(), body.as_str(), slug.as_str()),
        ("draft", "Premier paragraphe.", "anthropic-a-washing")
    );
    let mine = |app: &TestApp| {
        let pool = app.pool.clone();
        let author = account.id;
        async move {
            sqlx::query_scalar::<_, i64>("select count(*) from article where author_id = $1")
                .bind(author)
                .fetch_one(&pool)
                .await
                .unwrap()
        }
    };
    // The same request again (a retry) carries on with the same article.
    let again = post(&author, "/editor/new/autosave", &fields).await;
    assert_eq!(again.status, 200, "{}", again.body);
    assert!(again.body.contains(&id.to_string()));
    assert_eq!(mine(&app).await, 1);

    // The page's own save, sent before the script moved the form (or without it), saves onto
    // that article, and the address follows the finished title.
    set(&mut fields, "title", "Anthropic à Washington");
    set(
        &mut fields,
        "body",
        "Premier paragraphe.\n\nEt le deuxième.",
    );
    set(&mut fields, "intent", "save");
    let saved = post(&author, "/editor/new", &fields).await;
    assert_eq!(saved.status, 303, "{}", saved.body);
    assert_eq!(id_from(&saved), id);
    assert_eq!(mine(&app).await, 1);
    let (status, body, slug): (String, String, String) =
        sqlx::query_as("select status, body_markdown, slug from article where id = $1")
            .bind(id)
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!(
        (status.as_str(), body.as_str(), slug.as_str()),
        (
            "draft",
            "Premier paragraphe.\n\nEt le deuxième.",
            "anthropic-a-washington"
        )
    );
    // The form shows the address as following the title: empty, the current one as a hint.
    let page = author.get(&format!("/editor/articles/{id}")).await;
    assert_eq!(page.attrs("input[name=slug]", "value"), [""]);
    assert_eq!(
        page.attrs("input[name=slug]", "placeholder"),
        ["anthropic-a-washington"]
    );

    // Nothing typed yet: nothing to begin.
    let empty = author.get("/editor/new").await;
    let other_key = empty.attrs("input[name=save_key]", "value").remove(0);
    let nothing = author
        .post_signed(
            "/editor/new/autosave",
            &[("title", " "), ("body", ""), ("save_key", &other_key)],
        )
        .await;
    assert_eq!(nothing.status, 400);
    assert_eq!(mine(&app).await, 1);
}

/// The address follows the title only while readers have never seen it and nobody typed one.
#[tokio::test]
async fn an_address_typed_or_seen_by_readers_stays_when_the_title_changes() {
    let app = TestApp::spawn().await;
    let (author, _) = app.signed_in(Role::Journalist).await;
    let typed = new_article(&author, "Premier titre", "Texte.").await;
    let mut fields = form_of(&author, typed).await;
    set(&mut fields, "slug", "mon-adresse");
    set(&mut fields, "intent", "save");
    assert_eq!(
        post(&author, &format!("/editor/articles/{typed}"), &fields)
            .await
            .status,
        303
    );
    let mut fields = form_of(&author, typed).await;
    assert!(fields.contains(&("slug".to_owned(), "mon-adresse".to_owned())));
    set(&mut fields, "title", "Second titre");
    set(&mut fields, "intent", "save");
    assert_eq!(
        post(&author, &format!("/editor/articles/{typed}"), &fields)
            .await
            .status,
        303
    );
    let slug: String = scalar(&app, "select slug from article where id = $1", typed).await;
    assert_eq!(slug, "mon-adresse");

    // Published, then retitled with the address field emptied: readers' address stays.
    let (editor, _) = app.signed_in(Role::Editor).await;
    let seen = new_article(&editor, "Titre lu", "Texte.").await;
    let mut fields = form_of(&editor, seen).await;
    set(&mut fields, "intent", "status:publish");
    assert_eq!(
        post(&editor, &format!("/editor/articles/{seen}"), &fields)
            .await
            .status,
        303
    );
    let mut fields = form_of(&editor, seen).await;
    assert!(fields.contains(&("slug".to_owned(), "titre-lu".to_owned())));
    set(&mut fields, "slug", "");
    set(&mut fields, "title", "Titre relu");
    set(&mut fields, "intent", "save");
    assert_eq!(
        post(&editor, &format!("/editor/articles/{seen}"), &fields)
            .await
            .status,
        303
    );
    let slug: String = scalar(&app, "select slug from article where id = $1", seen).await;
    assert_eq!(slug, "titre-lu");
}

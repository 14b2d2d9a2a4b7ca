//! Review, publication, scheduling and corrections, as editors and readers see them.

use std::time::Duration;

use time::OffsetDateTime;
use uuid::Uuid;
use vigie::domain::Role;

use crate::helpers::{Browser, Page, TestApp, audited};

/// A journalist writes an article and sends it for review; returns its id and slug.
pub(crate) async fn submitted(
    app: &TestApp,
    author: &Browser,
    title: &str,
    body: &str,
) -> (Uuid, String) {
    let page = author
        .post_signed(
            "/editor/new",
            &[
                ("title", title),
                ("lang", "fr"),
                ("body", body),
                ("intent", "status:submit"),
            ],
        )
        .await;
    assert_eq!(page.status, 303, "{}", page.body);
    let id = Uuid::parse_str(
        page.header("location")
            .trim_start_matches("/editor/articles/")
            .split('?')
            .next()
            .unwrap(),
    )
    .unwrap();
    let slug: String = sqlx::query_scalar("select slug from article where id = $1")
        .bind(id)
        .fetch_one(&app.pool)
        .await
        .unwrap();
    (id, slug)
}

/// Moves the article through `action` (`unpublish`, `archive`, `withdraw`, `submit`…) from
/// the editor page's buttons, as `editor` would, on its current version.
pub(crate) async fn change_status(app: &TestApp, editor: &Browser, id: Uuid, action: &str) {
    let v = version(app, id).await;
    let done = editor
        .post_signed(
            &format!("/editor/articles/{id}/status"),
            &[("action", action), ("version", &v)],
        )
        .await;
    assert_eq!(done.status, 303, "{action}: {}", done.body);
}

pub(crate) async fn version(app: &TestApp, id: Uuid) -> String {
    sqlx::query_scalar::<_, i32>("select version from article where id = $1")
        .bind(id)
        .fetch_one(&app.pool)
        .await
        .unwrap()
        .to_string()
}

#[tokio::test]
async fn an_editor_reviews_and_publishes_from_the_queue() {
    let app = TestApp::spawn().await;
    let (author, writer) = app.signed_in(Role::Journalist).await;
    let (editor, chief) = app.signed_in(Role::Editor).await;
    let (id, slug) = submitted(
        &app,
        &author,
        "À relire",
        "| A | B |\n| --- | --- |\n| 1 | 2 |\n",
    )
    .await;

    let queue = editor.get("/admin/review").await;
    assert_eq!(queue.status, 200);
    assert_eq!(
        queue.texts(".review-queue tbody td:first-child"),
        ["À relire"]
    );
    assert_eq!(
        queue.texts(".review-queue tbody td:nth-child(2)"),
        ["Compte journalist"]
    );
    assert_eq!(
        author.get("/admin/review").await.status,
        403,
        "journalists do not review"
    );

    let page = editor.get(&format!("/admin/review/{id}")).await;
    assert_eq!(page.texts(".preview .article-body table th"), ["A", "B"]);
    assert!(page.body.contains("Première publication"));
    assert_eq!(
        app.get(&format!("/articles/{slug}")).await.status,
        404,
        "not public while in review"
    );

    let v = version(&app, id).await;
    let done = editor
        .post_signed(
            &format!("/admin/review/{id}"),
            &[("decision", "publish"), ("version", &v)],
        )
        .await;
    assert_eq!(done.status, 303);
    assert_eq!(app.get(&format!("/articles/{slug}")).await.status, 200);
    assert!(app.get("/").await.body.contains(&slug));
    assert_eq!(
        audited(&app, "article.publish").await,
        (Some(chief.id), id.to_string())
    );
    assert!(
        editor
            .get("/admin/review")
            .await
            .texts(".review-queue")
            .is_empty(),
        "the queue is empty again"
    );
    let _ = writer;

    // A decision on a version nobody looked at is refused.
    let (other, _) = submitted(&app, &author, "Deuxième", "Texte.").await;
    let stale = editor
        .post_signed(
            &format!("/admin/review/{other}"),
            &[("decision", "publish"), ("version", "1")],
        )
        .await;
    assert_eq!(stale.status, 409);
}

#[tokio::test]
async fn a_scheduled_article_appears_at_its_time_and_not_a_second_before() {
    let app = TestApp::with_demo().await;
    let (author, _) = app.signed_in(Role::Journalist).await;
    let (editor, chief) = app.signed_in(Role::Editor).await;
    let (id, slug) = submitted(
        &app,
        &author,
        "Sous embargo",
        &format!("Lire [l’article](/articles/{})", crate::helpers::SAMPLE),
    )
    .await;
    // Picked as related under the sample, so that a related list is a surface too.
    sqlx::query("insert into article_link (from_article_id, to_article_id, position, origin) select a.id, $1, 0, 'picked' from article a where a.slug = $2")
        .bind(id)
        .bind(crate::helpers::SAMPLE)
        .execute(&app.pool)
        .await
        .unwrap();
    // Tagged like the sample so that its tag page is a surface too.
    sqlx::query("insert into article_tag (article_id, tag_id, position) select $1, id, 1 from tag where slug = 'anthropic'")
        .bind(id)
        .execute(&app.pool)
        .await
        .unwrap();

    // Tomorrow at noon, as the newsroom's wall clock reads: an hour no change of clocks makes
    // ambiguous or skips, whatever the day the test runs.
    let (at, due): (String, OffsetDateTime) = sqlx::query_as(
        "select to_char(day, 'YYYY-MM-DD\"T\"12:00'), (day + time '12:00') at time zone 'Europe/Paris' \
         from (select (now() at time zone 'Europe/Paris')::date + 1 as day) tomorrow",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    let v = version(&app, id).await;
    let done = editor
        .post_signed(
            &format!("/admin/review/{id}"),
            &[("decision", "schedule"), ("at", &at), ("version", &v)],
        )
        .await;
    assert_eq!(done.status, 303, "{}", done.body);
    assert_eq!(
        audited(&app, "article.schedule").await,
        (Some(chief.id), id.to_string())
    );

    let sample_page = format!("/articles/{}", crate::helpers::SAMPLE);
    let surfaces = [
        "/",
        "/tags/anthropic",
        "/authors/compte-journalist",
        &sample_page,
        &format!("/articles/{slug}"),
    ];
    let visible = |page: &Page| page.status == 200 && page.body.contains("Sous embargo");
    for path in surfaces {
        assert!(
            !visible(&app.get(path).await),
            "{path} shows it before its time"
        );
    }
    let stored: OffsetDateTime =
        sqlx::query_scalar("select published_at from article where id = $1")
            .bind(id)
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!(stored, due, "noon in Paris, as typed");

    // The clock cannot be moved; the time can: it comes in a second. Then the article appears
    // by itself: nothing restarts, no page is asked to change.
    sqlx::query("update article set published_at = now() + interval '1 second' where id = $1")
        .bind(id)
        .execute(&app.pool)
        .await
        .unwrap();
    let mut appeared = false;
    for _ in 0..100 {
        tokio::time::sleep(Duration::from_millis(100)).await;
        if visible(&app.get(&format!("/articles/{slug}")).await) {
            appeared = true;
            break;
        }
    }
    assert!(appeared, "published at its time");
    let published_at_passed: bool =
        sqlx::query_scalar("select published_at <= now() from article where id = $1")
            .bind(id)
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert!(published_at_passed);
    for path in surfaces {
        assert!(
            visible(&app.get(path).await),
            "{path} shows it once its time has come"
        );
    }
}

#[tokio::test]
async fn scheduling_in_the_past_or_without_a_date_is_explained() {
    let app = TestApp::spawn().await;
    let (author, _) = app.signed_in(Role::Journalist).await;
    let (editor, _) = app.signed_in(Role::Editor).await;
    let (id, _) = submitted(&app, &author, "Plus tard", "Texte.").await;
    let v = version(&app, id).await;
    for (at, message) in [
        ("2020-01-01T09:00", "passée"),
        ("demain matin", "date et l’heure"),
    ] {
        let page = editor
            .post_signed(
                &format!("/admin/review/{id}"),
                &[("decision", "schedule"), ("at", at), ("version", &v)],
            )
            .await;
        assert_eq!(page.status, 422, "{at}");
        assert!(
            page.texts(".form-error")[0].contains(message),
            "{at}: {:?}",
            page.texts(".form-error")
        );
        assert_eq!(
            page.attrs("input[name=at]", "value"),
            [at],
            "what was typed stays"
        );
    }
    let status: String = sqlx::query_scalar("select status from article where id = $1")
        .bind(id)
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(status, "in_review");
}

#[tokio::test]
async fn sending_back_with_a_note_shows_it_to_the_author() {
    let app = TestApp::spawn().await;
    let (author, _) = app.signed_in(Role::Journalist).await;
    let (editor, chief) = app.signed_in(Role::Editor).await;
    let (id, _) = submitted(&app, &author, "À reprendre", "Texte.").await;
    let v = version(&app, id).await;
    let empty = editor
        .post_signed(
            &format!("/admin/review/{id}"),
            &[
                ("decision", "request_changes"),
                ("note", " "),
                ("version", &v),
            ],
        )
        .await;
    assert_eq!(empty.status, 422);
    let note = "Sourcez le deuxième paragraphe, s’il vous plaît.";
    let done = editor
        .post_signed(
            &format!("/admin/review/{id}"),
            &[
                ("decision", "request_changes"),
                ("note", note),
                ("version", &v),
            ],
        )
        .await;
    assert_eq!(done.status, 303);
    assert_eq!(
        audited(&app, "article.request_changes").await,
        (Some(chief.id), id.to_string())
    );

    let page = author.get(&format!("/editor/articles/{id}")).await;
    assert_eq!(page.texts(".review-note p")[1], note);
    let list = author.get("/editor").await;
    assert_eq!(
        list.texts(".editor-list .review-note"),
        [format!("Modifications demandées : {note}")]
    );
    assert_eq!(
        page.attrs(".desk-actions button[value^='status:']", "value"),
        ["status:submit"],
        "the author can edit and send it again"
    );
}

#[tokio::test]
async fn corrections_are_dated_public_and_append_only() {
    let app = TestApp::with_demo().await;
    let (editor, chief) = app.signed_in(Role::Editor).await;
    let (journalist, _) = app.signed_in(Role::Journalist).await;
    let id: Uuid = sqlx::query_scalar("select id from article where slug = $1")
        .bind(crate::helpers::SAMPLE)
        .fetch_one(&app.pool)
        .await
        .unwrap();
    let path = format!("/editor/articles/{id}/corrections");

    let empty = editor.post_signed(&path, &[("body", "  ")]).await;
    assert_eq!(empty.status, 422);
    assert_eq!(empty.texts("#correction-error").len(), 1);
    assert_eq!(
        journalist
            .post_signed(&path, &[("body", "Non.")])
            .await
            .status,
        404,
        "not theirs to see"
    );

    for text in [
        "Le tableau datait de 2025 : il est mis à jour.",
        "Une citation était mal attribuée.",
    ] {
        assert_eq!(
            editor.post_signed(&path, &[("body", text)]).await.status,
            303
        );
    }
    assert_eq!(
        audited(&app, "article.correction").await,
        (Some(chief.id), id.to_string())
    );

    let public = app
        .get(&format!("/articles/{}", crate::helpers::SAMPLE))
        .await;
    let notes = public.texts(".corrections p");
    assert_eq!(notes.len(), 2);
    assert!(
        notes[0].ends_with("Le tableau datait de 2025 : il est mis à jour."),
        "{notes:?}"
    );
    assert!(notes[0].contains("2026"), "dated: {notes:?}");
    assert_eq!(public.texts(".corrections h2"), ["Corrections"]);
    let site = app.get("/corrections").await;
    assert_eq!(site.status, 200);
    assert_eq!(site.texts(".corrections-list li").len(), 2);
    assert!(
        site.attrs(".corrections-list a", "href")[0]
            .starts_with(&format!("/articles/{}", crate::helpers::SAMPLE))
    );

    // A draft gets none, and nothing edits or removes one: there is no such route.
    let draft: Uuid = sqlx::query_scalar("select id from article where slug = $1")
        .bind(crate::helpers::DRAFT)
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(
        editor
            .post_signed(
                &format!("/editor/articles/{draft}/corrections"),
                &[("body", "x")]
            )
            .await
            .status,
        422
    );
    assert!(
        vigie::web::routes::list()
            .iter()
            .all(|r| !r.path.contains("corrections/") || r.method == "POST")
    );

    // In the database too: saving, unpublishing, sending for review and publishing the article
    // again leave each correction as it was written.
    let kept = |app: &TestApp| {
        let pool = app.pool.clone();
        async move {
            sqlx::query_as::<_, (i64, String, time::OffsetDateTime)>(
                "select id, body, noted_at from correction where article_id = $1 order by id",
            )
            .bind(id)
            .fetch_all(&pool)
            .await
            .unwrap()
        }
    };
    let before = kept(&app).await;
    assert_eq!(before.len(), 2);
    let mut fields = crate::helpers::form_of(&editor, id).await;
    crate::helpers::set(&mut fields, "body", "Un texte tout autre.");
    crate::helpers::set(&mut fields, "intent", "save");
    let saved = crate::helpers::post(&editor, &format!("/editor/articles/{id}"), &fields).await;
    assert_eq!(saved.status, 303, "{}", saved.body);
    for action in ["unpublish", "submit"] {
        change_status(&app, &editor, id, action).await;
    }
    let v = version(&app, id).await;
    let republished = editor
        .post_signed(
            &format!("/admin/review/{id}"),
            &[("decision", "publish"), ("version", &v)],
        )
        .await;
    assert_eq!(republished.status, 303, "{}", republished.body);
    assert_eq!(kept(&app).await, before);
}

#[tokio::test]
async fn the_review_page_shows_what_changed_since_publication() {
    let app = TestApp::spawn().await;
    let (author, _) = app.signed_in(Role::Journalist).await;
    let (editor, _) = app.signed_in(Role::Editor).await;
    let (id, _) = submitted(&app, &author, "Version", "La sécurité avant tout.").await;
    let v = version(&app, id).await;
    assert_eq!(
        editor
            .post_signed(
                &format!("/admin/review/{id}"),
                &[("decision", "publish"), ("version", &v)]
            )
            .await
            .status,
        303
    );
    // Taken back to draft, rewritten by its author, sent again.
    let v = version(&app, id).await;
    assert_eq!(
        editor
            .post_signed(
                &format!("/editor/articles/{id}/status"),
                &[("action", "unpublish"), ("version", &v)]
            )
            .await
            .status,
        303
    );
    let v = version(&app, id).await;
    let page = author
        .post_signed(
            &format!("/editor/articles/{id}"),
            &[
                ("version", &v),
                ("title", "Version"),
                ("lang", "fr"),
                ("body", "La sécurité après tout."),
                ("intent", "status:submit"),
            ],
        )
        .await;
    assert_eq!(page.status, 303);
    let review = editor.get(&format!("/admin/review/{id}")).await;
    assert_eq!(review.texts(".review-changes .diff-removed"), ["avant"]);
    assert_eq!(review.texts(".review-changes .diff-added"), ["après"]);
}

/// Whether the article shows on the home, its tag's and its author's pages.
async fn listed(app: &TestApp, slug: &str) -> bool {
    let mut anywhere = false;
    for path in ["/", "/tags/anthropic", "/authors/camille-martin"] {
        let page = app.get(path).await;
        anywhere |= page.status == 200 && page.body.contains(&format!("/articles/{slug}\""));
    }
    anywhere
}

#[tokio::test]
async fn takedowns_reach_every_public_surface() {
    let app = TestApp::with_demo().await;
    let (editor, _) = app.signed_in(Role::Editor).await;
    let (admin, boss) = app.signed_in(Role::Admin).await;
    let sample = crate::helpers::SAMPLE;
    let id: Uuid = sqlx::query_scalar("select id from article where slug = $1")
        .bind(sample)
        .fetch_one(&app.pool)
        .await
        .unwrap();
    let status = |action: &'static str| {
        let editor = &editor;
        let app = &app;
        async move {
            let v = version(app, id).await;
            editor
                .post_signed(
                    &format!("/editor/articles/{id}/status"),
                    &[("action", action), ("version", &v)],
                )
                .await
        }
    };
    assert!(listed(&app, sample).await);

    // Archived: readable with a notice, gone from every list.
    assert_eq!(status("archive").await.status, 303);
    let page = app.get(&format!("/articles/{sample}")).await;
    assert_eq!(page.status, 200);
    assert_eq!(page.texts(".archived-notice").len(), 1);
    assert!(!listed(&app, sample).await);

    // Unpublished: 404 everywhere.
    assert_eq!(status("unpublish").await.status, 303);
    assert_eq!(app.get(&format!("/articles/{sample}")).await.status, 404);
    assert!(!listed(&app, sample).await);
    assert_eq!(audited(&app, "article.unpublish").await.1, id.to_string());

    // Published again, then withdrawn: 410 with the newsroom's notice.
    assert_eq!(status("publish").await.status, 303);
    assert!(listed(&app, sample).await);
    assert_eq!(status("withdraw").await.status, 303);
    let gone = app.get(&format!("/articles/{sample}")).await;
    assert_eq!(gone.status, 410);
    assert!(
        gone.texts("main p")[0].contains("retiré"),
        "{:?}",
        gone.texts("main p")
    );
    assert!(!listed(&app, sample).await);
    assert_eq!(audited(&app, "article.withdraw").await.1, id.to_string());

    // Deleted (admins, with confirmation): the row and its revisions go, the audit event stays.
    let path = format!("/editor/articles/{id}/delete");
    assert_eq!(
        editor
            .post_signed(&path, &[("confirm", "yes")])
            .await
            .status,
        403,
        "editors do not delete"
    );
    let unconfirmed = admin.post_signed(&path, &[]).await;
    assert_eq!(unconfirmed.status, 422);
    assert_eq!(unconfirmed.texts("#delete-error").len(), 1);
    let deleted = admin.post_signed(&path, &[("confirm", "yes")]).await;
    assert_eq!(deleted.status, 303);
    assert_eq!(app.get(&format!("/articles/{sample}")).await.status, 404);
    let left: (i64, i64) = sqlx::query_as("select (select count(*) from article where id = $1), (select count(*) from article_revision where article_id = $1)")
        .bind(id)
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(left, (0, 0));
    assert_eq!(
        audited(&app, "article.delete").await,
        (Some(boss.id), id.to_string())
    );
    assert_eq!(
        admin.get("/editor?deleted=1").await.texts(".notice").len(),
        1
    );
}

/// The design's lifecycle, written out by hand rather than read from the code under test:
/// (action, from, to) for editors and admins. A journalist may only submit their own draft.
const LIFECYCLE: &[(&str, &str, &str)] = &[
    ("submit", "draft", "in_review"),
    // The author takes a submitted article back.
    ("retract", "in_review", "draft"),
    ("request_changes", "in_review", "draft"),
    ("publish", "draft", "published"),
    ("publish", "in_review", "published"),
    // Rescheduling a published article keeps it published.
    ("publish", "published", "published"),
    ("unpublish", "published", "draft"),
    ("unpublish", "archived", "draft"),
    ("archive", "published", "archived"),
];

#[tokio::test]
async fn every_transition_is_allowed_or_refused_over_http_as_the_roles_table_says() {
    use vigie::domain::{Action, ArticleStatus};
    let app = TestApp::spawn().await;
    let (journalist, writer) = app.signed_in(Role::Journalist).await;
    let (editor, _) = app.signed_in(Role::Editor).await;
    let (admin, _) = app.signed_in(Role::Admin).await;
    let slug = app
        .article_by(writer.id, "Transitions", "Texte.", None)
        .await;
    let id = app.article_id(&slug).await;
    let mut failures = Vec::new();
    let mut checked = 0;
    // The lists below name every status and action the code knows.
    let mut statuses: Vec<&str> = ArticleStatus::ALL.iter().map(|s| s.as_str()).collect();
    statuses.sort_unstable();
    assert_eq!(statuses, ["archived", "draft", "in_review", "published"]);
    let mut actions: Vec<&str> = Action::ALL.iter().map(|a| a.as_str()).collect();
    actions.sort_unstable();
    assert_eq!(
        actions,
        [
            "archive",
            "publish",
            "request_changes",
            "retract",
            "submit",
            "unpublish"
        ]
    );
    for (who, browser, is_editor) in [
        ("journalist (author)", &journalist, false),
        ("editor", &editor, true),
        ("admin", &admin, true),
    ] {
        for from in ["draft", "in_review", "published", "archived"] {
            for action in [
                "submit",
                "retract",
                "request_changes",
                "publish",
                "unpublish",
                "archive",
            ] {
                sqlx::query("update article set status = $2, published_at = case when $2 in ('published', 'archived') then now() end where id = $1")
                    .bind(id)
                    .bind(from)
                    .execute(&app.pool)
                    .await
                    .unwrap();
                let v = version(&app, id).await;
                let allowed = LIFECYCLE
                    .iter()
                    .find(|(a, f, _)| *a == action && *f == from)
                    .filter(|_| is_editor || matches!(action, "submit" | "retract"))
                    .map(|(_, _, to)| *to);
                let page = browser
                    .post_signed(
                        &format!("/editor/articles/{id}/status"),
                        &[("action", action), ("version", &v)],
                    )
                    .await;
                let now: String = sqlx::query_scalar("select status from article where id = $1")
                    .bind(id)
                    .fetch_one(&app.pool)
                    .await
                    .unwrap();
                let expected = match allowed {
                    Some(to) => (303, to),
                    None => (403, from),
                };
                if (page.status.as_u16(), now.as_str()) != expected {
                    failures.push(format!(
                        "{who} {action} from {from}: {} and now {now}, expected {expected:?}",
                        page.status
                    ));
                }
                checked += 1;
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert_eq!(checked, 3 * 4 * 6);
}

#[tokio::test]
async fn withdrawing_a_scheduled_article_reveals_nothing() {
    let app = TestApp::spawn().await;
    let (author, _) = app.signed_in(Role::Journalist).await;
    let (editor, _) = app.signed_in(Role::Editor).await;
    let (id, slug) = submitted(&app, &author, "Embargo secret", "Texte.").await;
    let at: String = sqlx::query_scalar("select to_char((now() + interval '2 days') at time zone 'Europe/Paris', 'YYYY-MM-DD\"T\"HH24:MI')")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    let v = version(&app, id).await;
    assert_eq!(
        editor
            .post_signed(
                &format!("/admin/review/{id}"),
                &[("decision", "schedule"), ("at", &at), ("version", &v)]
            )
            .await
            .status,
        303
    );
    let v = version(&app, id).await;
    assert_eq!(
        editor
            .post_signed(
                &format!("/editor/articles/{id}/status"),
                &[("action", "withdraw"), ("version", &v)]
            )
            .await
            .status,
        303
    );
    // Readers never saw it: its address says nothing (404), not "withdrawn" (410).
    assert_eq!(app.get(&format!("/articles/{slug}")).await.status, 404);
}

#[tokio::test]
async fn a_stale_review_decision_shows_the_note_again() {
    let app = TestApp::spawn().await;
    let (author, _) = app.signed_in(Role::Journalist).await;
    let (editor, _) = app.signed_in(Role::Editor).await;
    let (id, _) = submitted(&app, &author, "Relu deux fois", "Texte.").await;
    let seen = version(&app, id).await;
    // Another editor saves meanwhile.
    let (other_editor, _) = app.signed_in(Role::Editor).await;
    let mut fields = crate::helpers::form_of(&other_editor, id).await;
    crate::helpers::set(&mut fields, "body", "Texte revu.");
    crate::helpers::set(&mut fields, "intent", "save");
    let saved =
        crate::helpers::post(&other_editor, &format!("/editor/articles/{id}"), &fields).await;
    assert_eq!(saved.status, 303, "{}", saved.body);

    let note = "Le deuxième paragraphe manque de sources : à reprendre.";
    let page = editor
        .post_signed(
            &format!("/admin/review/{id}"),
            &[
                ("decision", "request_changes"),
                ("note", note),
                ("version", &seen),
            ],
        )
        .await;
    assert_eq!(page.status, 409);
    assert_eq!(
        page.texts("textarea[name=note]"),
        [note],
        "the note is kept"
    );
    let decided: (String, String) =
        sqlx::query_as("select status, review_note from article where id = $1")
            .bind(id)
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!(
        decided,
        ("in_review".to_owned(), String::new()),
        "nothing decided on a version nobody read"
    );
}

//! Editorial notes and notifications (issue 22): notes on an article, anchored to a paragraph,
//! threaded, resolved or open, seen by staff only — never on a public page, in a feed, the API
//! or a revision; the review page lists the open ones and sending back adds one; people are
//! told in the staff menu when an article is submitted, sent back, published, when a scheduled
//! one comes out, and when a note mentions them.

use time::OffsetDateTime;
use vigie::domain::Role;

use crate::helpers::{Browser, TestApp};
use crate::review::{submitted, version};

/// The unread count the staff menu shows `who` (0 when none).
async fn unread(who: &Browser) -> u32 {
    let page = who.get("/editor").await;
    page.texts("a[href='/notifications'] .count")
        .first()
        .map_or(0, |n| n.parse().unwrap())
}

#[tokio::test]
async fn notes_stay_in_the_newsroom_and_people_are_told_what_concerns_them() {
    let app = TestApp::spawn().await;
    let (author, writer) = app.signed_in(Role::Journalist).await;
    let (outsider, stranger) = app.signed_in(Role::Journalist).await;
    let (editor, chief) = app.signed_in(Role::Editor).await;
    let (id, slug) = submitted(
        &app,
        &author,
        "Une enquête annotée",
        "Premier paragraphe.\n\nLe deuxième, où MARQUETEXTE est à vérifier.\n\nLe troisième.",
    )
    .await;
    // Submitted: the editor is told, the author (who did it) is not.
    assert_eq!(unread(&editor).await, 1);
    assert_eq!(unread(&author).await, 0);
    let told = editor.get("/notifications").await;
    assert!(
        told.texts(".notifications li")[0]
            .contains("a envoyé « Une enquête annotée » en relecture"),
        "{:?}",
        told.texts(".notifications li")
    );
    assert_eq!(
        told.attrs(".notifications a", "href"),
        [format!("/admin/review/{id}")]
    );

    // A note on the second paragraph, mentioning the author and a colleague who may not see
    // the article: only the author is told.
    let body = format!("MARQUENOTE : source ? @{} @{}", writer.slug, stranger.slug);
    let noted = editor
        .post_signed(
            &format!("/editor/articles/{id}/notes"),
            &[("paragraph", "1"), ("text", &body)],
        )
        .await;
    assert_eq!(noted.status, 303, "{}", noted.body);
    assert_eq!(unread(&author).await, 1);
    assert_eq!(unread(&outsider).await, 0);
    let mentions = author.get("/notifications").await;
    assert!(mentions.texts(".notifications li")[0].contains("vous a mentionné dans une note"));
    // The author sees the thread where the paragraph is named, and answers.
    let desk = author.get(&format!("/editor/articles/{id}")).await;
    let about = desk.texts("#notes .note-about").concat();
    assert!(
        about.contains("§ 2 « Le deuxième, où MARQUETEXTE est à vérifier. »"),
        "{about}"
    );
    let thread: i64 = sqlx::query_scalar("select id from article_note where article_id = $1")
        .bind(id)
        .fetch_one(&app.pool)
        .await
        .unwrap();
    let thread_s = thread.to_string();
    // An empty reply is refused, keeping the thread; a reply to another article's note too.
    let empty = author
        .post_signed(
            &format!("/editor/articles/{id}/notes"),
            &[("parent", thread_s.as_str()), ("text", "  ")],
        )
        .await;
    assert_eq!(empty.status, 422);
    let replied = author
        .post_signed(
            &format!("/editor/articles/{id}/notes"),
            &[
                ("parent", thread_s.as_str()),
                ("text", "MARQUEREPONSE : le rapport p. 12."),
            ],
        )
        .await;
    assert_eq!(replied.status, 303);
    // The review page lists the open thread with its reply.
    let review = editor.get(&format!("/admin/review/{id}")).await;
    let open = review.texts(".review-notes").concat();
    assert!(
        open.contains("MARQUENOTE") && open.contains("MARQUEREPONSE"),
        "{open}"
    );
    // Someone who may not see the article may not write on it.
    let refused = outsider
        .post_signed(
            &format!("/editor/articles/{id}/notes"),
            &[("text", "intrus")],
        )
        .await;
    assert_eq!(refused.status, 404);

    // Sent back with a note: it is a note too, and the author is told.
    let v = version(&app, id).await;
    let sent_back = editor
        .post_signed(
            &format!("/admin/review/{id}"),
            &[
                ("decision", "request_changes"),
                ("version", &v),
                ("note", "MARQUERENVOI : ajoutez la réaction de la CNIL."),
            ],
        )
        .await;
    assert_eq!(sent_back.status, 303, "{}", sent_back.body);
    let desk = author.get(&format!("/editor/articles/{id}")).await;
    assert!(
        desk.texts("#notes .note-body")
            .concat()
            .contains("MARQUERENVOI")
    );
    assert!(
        author
            .get("/notifications")
            .await
            .texts(".notifications li")[0]
            .contains("a renvoyé « Une enquête annotée »")
    );
    // Resolved: shown as such, and no longer on the review page once submitted again.
    let resolved = author
        .post_signed(
            &format!("/editor/articles/{id}/notes/{thread}/resolve"),
            &[],
        )
        .await;
    assert_eq!(resolved.status, 303);
    let desk = author.get(&format!("/editor/articles/{id}")).await;
    assert!(
        desk.texts("#notes .resolved .note-about")
            .concat()
            .contains("Résolu par")
    );
    // Opened again, then resolved for good.
    let reopened = author
        .post_signed(
            &format!("/editor/articles/{id}/notes/{thread}/resolve"),
            &[("open", "yes")],
        )
        .await;
    assert_eq!(reopened.status, 303);
    let desk = author.get(&format!("/editor/articles/{id}")).await;
    assert!(desk.texts("#notes .resolved").is_empty(), "open again");
    let resolved = author
        .post_signed(
            &format!("/editor/articles/{id}/notes/{thread}/resolve"),
            &[],
        )
        .await;
    assert_eq!(resolved.status, 303);

    // Published by the editor: the author is told; and the notes are nowhere public.
    let v = version(&app, id).await;
    let published = editor
        .post_signed(
            &format!("/editor/articles/{id}/status"),
            &[("action", "publish"), ("version", &v)],
        )
        .await;
    assert_eq!(published.status, 303, "{}", published.body);
    assert!(
        author
            .get("/notifications")
            .await
            .texts(".notifications li")[0]
            .contains(&format!("{} a publié", chief_name(&app, chief.id).await))
    );
    for path in [
        format!("/articles/{slug}"),
        format!("/api/v1/articles/{slug}"),
        "/feed.atom".to_owned(),
        "/rss.xml".to_owned(),
        "/".to_owned(),
    ] {
        let page = app.get(&path).await;
        assert!(
            page.body.contains("MARQUETEXTE"),
            "{path} shows the article"
        );
        for note in ["MARQUENOTE", "MARQUEREPONSE", "MARQUERENVOI"] {
            assert!(!page.body.contains(note), "{path} shows a note");
        }
    }
    // Nor does search find the article by a note's words.
    for note in ["MARQUENOTE", "MARQUEREPONSE", "MARQUERENVOI"] {
        let search = app.get(&format!("/search?q={note}")).await;
        assert!(search.texts(".search-results li").is_empty(), "{note}");
    }
    assert!(
        !app.get("/search?q=MARQUETEXTE")
            .await
            .texts(".search-results li")
            .is_empty(),
        "the article itself is found"
    );
    let in_revisions: i64 = sqlx::query_scalar(
        "select count(*) from article_revision where body_markdown like '%MARQUENOTE%' or body_markdown like '%MARQUERENVOI%'",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(in_revisions, 0);

    // Read: the count goes.
    assert!(unread(&author).await > 0);
    let read = author.post_signed("/notifications/read", &[]).await;
    assert_eq!(read.status, 303);
    assert_eq!(unread(&author).await, 0);
}

async fn chief_name(app: &TestApp, id: uuid::Uuid) -> String {
    sqlx::query_scalar("select display_name from app_user where id = $1")
        .bind(id)
        .fetch_one(&app.pool)
        .await
        .unwrap()
}

#[tokio::test]
async fn a_scheduled_articles_signers_are_told_when_it_comes_out_not_before() {
    let app = TestApp::spawn().await;
    let (author, writer) = app.signed_in(Role::Journalist).await;
    let (editor, _) = app.signed_in(Role::Editor).await;
    let (id, _) = submitted(&app, &author, "Programmé", "Texte.").await;
    author.post_signed("/notifications/read", &[]).await;
    let at: String = sqlx::query_scalar(
        "select to_char((now() + interval '2 hours') at time zone $1, 'YYYY-MM-DD\"T\"HH24:MI')",
    )
    .bind(&app.state().config.timezone)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    let v = version(&app, id).await;
    let scheduled = editor
        .post_signed(
            &format!("/admin/review/{id}"),
            &[("decision", "schedule"), ("version", &v), ("at", &at)],
        )
        .await;
    assert_eq!(scheduled.status, 303, "{}", scheduled.body);
    // Not yet: nothing is news until its time.
    assert_eq!(unread(&author).await, 0);
    let due: OffsetDateTime = sqlx::query_scalar(
        "select due_at from notification where user_id = $1 and kind = 'scheduled_out'",
    )
    .bind(writer.id)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert!(due > OffsetDateTime::now_utc());
    // Rescheduled: one notification, at the new time; its time comes.
    sqlx::query("update article set published_at = now() - interval '1 minute' where id = $1")
        .bind(id)
        .execute(&app.pool)
        .await
        .unwrap();
    let rows: i64 = sqlx::query_scalar(
        "select count(*) from notification where user_id = $1 and kind = 'scheduled_out'",
    )
    .bind(writer.id)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(rows, 0, "moved into the past, it is no scheduling any more");
    let again: String = sqlx::query_scalar(
        "select to_char((now() + interval '3 hours') at time zone $1, 'YYYY-MM-DD\"T\"HH24:MI')",
    )
    .bind(&app.state().config.timezone)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    sqlx::query("update article set status = 'in_review', published_at = null where id = $1")
        .bind(id)
        .execute(&app.pool)
        .await
        .unwrap();
    let v = version(&app, id).await;
    let scheduled = editor
        .post_signed(
            &format!("/admin/review/{id}"),
            &[("decision", "schedule"), ("version", &v), ("at", &again)],
        )
        .await;
    assert_eq!(scheduled.status, 303, "{}", scheduled.body);
    sqlx::query(
        "update notification set due_at = now() - interval '1 second' where kind = 'scheduled_out'",
    )
    .execute(&app.pool)
    .await
    .unwrap();
    assert_eq!(unread(&author).await, 1);
    assert!(
        author
            .get("/notifications")
            .await
            .texts(".notifications li")[0]
            .contains("« Programmé » est paru")
    );
}

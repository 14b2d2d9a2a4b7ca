//! No acknowledged save is lost, none is made twice: idempotent form submissions and many
//! writers saving one article at once.

use uuid::Uuid;
use vigie::domain::Role;

use crate::helpers::{Page, TestApp};
use crate::helpers::{form_of, new_article, post, set};

/// The save key the page's article form carries.
fn save_key(page: &Page) -> String {
    let keys = page.attrs("form.article-form input[name=save_key]", "value");
    assert_eq!(keys.len(), 1, "one save key in the form");
    assert!(Uuid::parse_str(&keys[0]).is_ok(), "{keys:?}");
    keys[0].clone()
}

async fn revisions_with(app: &TestApp, id: Uuid, body: &str) -> i64 {
    sqlx::query_scalar(
        "select count(*) from article_revision where article_id = $1 and body_markdown = $2",
    )
    .bind(id)
    .bind(body)
    .fetch_one(&app.pool)
    .await
    .unwrap()
}

#[tokio::test]
async fn a_save_sent_twice_makes_one_revision() {
    let app = TestApp::spawn().await;
    let (browser, _) = app.signed_in(Role::Journalist).await;
    let id = new_article(&browser, "Une loi en discussion", "Premier jet.").await;
    let page = browser.get(&format!("/editor/articles/{id}")).await;
    let key = save_key(&page);
    let mut fields = form_of(&browser, id).await;
    set(&mut fields, "save_key", &key);
    set(&mut fields, "body", "Deuxième jet, envoyé deux fois.");
    set(&mut fields, "intent", "save");
    let path = format!("/editor/articles/{id}");
    let first = post(&browser, &path, &fields).await;
    assert_eq!(first.status, 303, "{}", first.body);
    // The browser resends the same form (the answer was lost, or a double click).
    let again = post(&browser, &path, &fields).await;
    assert_eq!(again.status, 303, "a retry is answered as the save was");
    assert_eq!(again.header("location"), first.header("location"));
    assert_eq!(
        revisions_with(&app, id, "Deuxième jet, envoyé deux fois.").await,
        1
    );
    let version: i32 = sqlx::query_scalar("select version from article where id = $1")
        .bind(id)
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(version, 2, "one save, one new version");

    // The page after the save carries a new key: the next save is a save of its own.
    let next = browser.get(&format!("/editor/articles/{id}")).await;
    assert_ne!(save_key(&next), key);
}

#[tokio::test]
async fn a_new_article_sent_twice_is_created_once() {
    let app = TestApp::spawn().await;
    let (browser, _) = app.signed_in(Role::Journalist).await;
    let page = browser.get("/editor/new").await;
    let key = save_key(&page);
    let fields = [
        ("title", "Créé une seule fois"),
        ("lang", "fr"),
        ("body", "Un texte."),
        ("intent", "save"),
        ("save_key", key.as_str()),
    ];
    let first = browser.post_signed("/editor/new", &fields).await;
    let again = browser.post_signed("/editor/new", &fields).await;
    assert_eq!(first.status, 303, "{}", first.body);
    assert_eq!(again.status, 303, "{}", again.body);
    assert_eq!(again.header("location"), first.header("location"));
    let count: i64 = sqlx::query_scalar("select count(*) from article where title = $1")
        .bind("Créé une seule fois")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(count, 1);
}

#[tokio::test]
async fn a_conflict_sent_twice_keeps_one_copy_and_the_next_save_goes_through() {
    let app = TestApp::spawn().await;
    let (alice, _) = app.signed_in(Role::Editor).await;
    let (bob, _) = app.signed_in(Role::Editor).await;
    let id = new_article(&alice, "Une loi en discussion", "Premier jet.").await;
    let path = format!("/editor/articles/{id}");
    let mut hers = form_of(&alice, id).await;
    let mut his = form_of(&bob, id).await;
    let his_key = save_key(&bob.get(&path).await);
    set(&mut hers, "body", "Version d’Alice.");
    set(&mut hers, "intent", "save");
    assert_eq!(post(&alice, &path, &hers).await.status, 303);
    set(&mut his, "body", "Version de Bob.");
    set(&mut his, "intent", "save");
    set(&mut his, "save_key", &his_key);
    let conflict = post(&bob, &path, &his).await;
    assert_eq!(conflict.status, 409, "{}", conflict.body);
    let resent = post(&bob, &path, &his).await;
    assert_eq!(resent.status, 409);
    assert_eq!(revisions_with(&app, id, "Version de Bob.").await, 1);

    // The conflict page is based on Alice's version, with a key of its own: saving it works.
    assert_ne!(save_key(&conflict), his_key);
    let version = conflict.attrs("form.article-form input[name=version]", "value")[0].clone();
    set(&mut his, "version", &version);
    set(&mut his, "save_key", &save_key(&conflict));
    let saved = post(&bob, &path, &his).await;
    assert_eq!(saved.status, 303, "{}", saved.body);
    let body: String = sqlx::query_scalar("select body_markdown from article where id = $1")
        .bind(id)
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(body, "Version de Bob.");
}

#[tokio::test]
async fn fifty_writers_saving_one_version_at_once_one_wins_and_no_text_is_lost() {
    const WRITERS: usize = 50;
    let app = TestApp::spawn().await;
    let (author, _) = app.signed_in(Role::Editor).await;
    let id = new_article(&author, "Une loi en discussion", "Premier jet.").await;
    let path = format!("/editor/articles/{id}");
    let mut writers = Vec::new();
    for n in 0..WRITERS {
        let (browser, _) = app.signed_in(Role::Editor).await;
        let mut fields = form_of(&browser, id).await;
        let key = save_key(&browser.get(&path).await);
        set(&mut fields, "save_key", &key);
        set(&mut fields, "body", &format!("Texte du rédacteur n° {n}."));
        set(&mut fields, "intent", "save");
        let token = browser.csrf().await;
        fields.push(("csrf_token".to_owned(), token));
        writers.push((browser, fields));
    }
    // Every form is ready and based on version 1: now all are sent at once.
    let sending: Vec<_> = writers
        .into_iter()
        .map(|(browser, fields)| {
            let path = path.clone();
            tokio::spawn(async move {
                let borrowed: Vec<(&str, &str)> = fields
                    .iter()
                    .map(|(k, v)| (k.as_str(), v.as_str()))
                    .collect();
                browser.post(&path, &borrowed).await
            })
        })
        .collect();
    let mut answers = Vec::new();
    for sent in sending {
        answers.push(sent.await.unwrap());
    }
    let statuses: Vec<u16> = answers.iter().map(|p| p.status.as_u16()).collect();
    let won: Vec<usize> = (0..WRITERS).filter(|&n| statuses[n] == 303).collect();
    assert_eq!(
        won.len(),
        1,
        "exactly one save of version 1 wins: {statuses:?}"
    );
    assert_eq!(
        statuses.iter().filter(|&&s| s == 409).count(),
        WRITERS - 1,
        "the others are told someone saved first: {statuses:?}"
    );
    for n in 0..WRITERS {
        assert_eq!(
            revisions_with(&app, id, &format!("Texte du rédacteur n° {n}.")).await,
            1,
            "writer {n}'s text is kept as a revision"
        );
    }
    let (version, body) = app.version_and_body(id).await;
    assert_eq!(version, 2);
    assert_eq!(body, format!("Texte du rédacteur n° {}.", won[0]));
}

#[tokio::test]
async fn a_save_key_from_another_articles_form_is_refused_and_saves_nothing() {
    let app = TestApp::spawn().await;
    let (browser, _) = app.signed_in(Role::Journalist).await;
    let first = new_article(&browser, "Premier", "Un.").await;
    let second = new_article(&browser, "Second", "Deux.").await;
    let key = save_key(&browser.get(&format!("/editor/articles/{first}")).await);
    let mut fields = form_of(&browser, first).await;
    set(&mut fields, "save_key", &key);
    set(&mut fields, "body", "Un, modifié.");
    set(&mut fields, "intent", "save");
    let saved = post(&browser, &format!("/editor/articles/{first}"), &fields).await;
    assert_eq!(saved.status, 303);
    // The same key sent with the second article's form.
    let mut other = form_of(&browser, second).await;
    set(&mut other, "save_key", &key);
    set(&mut other, "body", "Deux, modifié.");
    set(&mut other, "intent", "save");
    let refused = post(&browser, &format!("/editor/articles/{second}"), &other).await;
    assert_eq!(refused.status, 400, "{}", refused.body);
    assert!(refused.body.contains("appartient à un autre article"));
    assert_eq!(revisions_with(&app, second, "Deux, modifié.").await, 0);
    // And with the form for a new article.
    let created = browser
        .post_signed(
            "/editor/new",
            &[
                ("title", "Troisième"),
                ("lang", "fr"),
                ("body", "Trois."),
                ("intent", "save"),
                ("save_key", key.as_str()),
            ],
        )
        .await;
    assert_eq!(created.status, 400, "{}", created.body);
    let count: i64 = sqlx::query_scalar("select count(*) from article where title = 'Troisième'")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(count, 0);
}

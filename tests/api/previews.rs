//! Shareable preview links (issue 22): the author or an editor makes a link for someone
//! outside the newsroom; it shows the unpublished article as readers will see it, to anyone
//! holding it, until it expires or is revoked; never cached, never indexed, never past an
//! embargo unless it says so; only its hash is stored.

use sha2::{Digest, Sha256};
use uuid::Uuid;
use vigie::domain::Role;

use crate::embargo::embargo;
use crate::helpers::{Browser, TestApp, audited};
use crate::review::{submitted, version};

/// Makes a link to article `id` as `who`, and returns it (shown once on the answer).
async fn share(who: &Browser, id: Uuid, label: &str, through_embargo: bool) -> String {
    let mut fields = vec![("label", label), ("hours", "48")];
    if through_embargo {
        fields.push(("through_embargo", "yes"));
    }
    let page = who
        .post_signed(&format!("/editor/articles/{id}/previews"), &fields)
        .await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert_eq!(page.header("cache-control"), "no-store");
    let link = page.attrs(".link-once", "value").remove(0);
    assert!(link.contains("/apercu/"), "{link}");
    link
}

/// The path of a link (`/apercu/…`), for the test client.
fn path_of(link: &str) -> String {
    link[link.find("/apercu/").unwrap()..].to_owned()
}

#[tokio::test]
async fn a_preview_link_shows_the_draft_to_its_holder_until_it_ends() {
    let app = TestApp::spawn().await;
    let (author, writer) = app.signed_in(Role::Journalist).await;
    let (other, _) = app.signed_in(Role::Journalist).await;
    let (id, slug) = submitted(
        &app,
        &author,
        "Brouillon MARQUEAPERCU",
        "Le texte que l’avocate relira : MARQUEAPERCU.",
    )
    .await;
    // A colleague who may not see the article may not share it either.
    let refused = other
        .post_signed(
            &format!("/editor/articles/{id}/previews"),
            &[("label", "moi"), ("hours", "48")],
        )
        .await;
    assert_eq!(refused.status, 404);
    // A link says for whom, and for how long among the choices offered.
    let page = author
        .post_signed(
            &format!("/editor/articles/{id}/previews"),
            &[("label", " "), ("hours", "48")],
        )
        .await;
    assert_eq!(page.status, 422);
    assert!(page.body.contains("Dites pour qui est ce lien"));
    let page = author
        .post_signed(
            &format!("/editor/articles/{id}/previews"),
            &[("label", "Me Dupont"), ("hours", "100000")],
        )
        .await;
    assert_eq!(page.status, 422);
    assert_eq!(page.attrs("#share-label", "value"), ["Me Dupont"]);

    let link = share(&author, id, "Me Dupont, avocate", false).await;
    let path = path_of(&link);
    assert!(link.starts_with(&app.base_url()), "absolute: {link}");
    // Only the secret's SHA-256 is kept.
    let secret = path.trim_start_matches("/apercu/");
    let (stored, expires_in_hours): (Vec<u8>, f64) = sqlx::query_as(
        "select token_hash, extract(epoch from expires_at - now())::float8 / 3600 from preview_link where article_id = $1",
    )
    .bind(id)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(stored, Sha256::digest(secret.as_bytes()).to_vec());
    assert!(
        (47.9..=48.0).contains(&expires_in_hours),
        "{expires_in_hours}"
    );
    let dump: String = sqlx::query_scalar("select row_to_json(p)::text from preview_link p")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert!(!dump.contains(secret));
    let (actor, target) = audited(&app, "article.preview_link").await;
    assert_eq!((actor, target), (Some(writer.id), id.to_string()));

    // Anyone holding it reads the article as it will look: no account, nothing kept.
    let reader = app.get(&path).await;
    assert_eq!(reader.status, 200, "{}", reader.body);
    assert_eq!(reader.texts(".article h1"), ["Brouillon MARQUEAPERCU"]);
    assert!(reader.body.contains("Le texte que l’avocate relira"));
    assert!(reader.texts(".preview-banner")[0].contains("Aperçu confidentiel"));
    assert_eq!(reader.header("cache-control"), "no-store, private");
    assert_eq!(
        reader.header("x-robots-tag"),
        "noindex, nofollow, noarchive"
    );
    assert_eq!(reader.header("referrer-policy"), "no-referrer");
    assert_eq!(
        reader.attrs("meta[name=robots]", "content"),
        ["noindex, nofollow, noarchive"]
    );
    assert!(reader.header("last-modified").is_empty());
    assert!(reader.header("etag").is_empty());
    // Never from a cache: a change nobody is told of is on the next reading.
    let mut tx = app.pool.begin().await.unwrap();
    sqlx::query("set local session_replication_role = replica")
        .execute(&mut *tx)
        .await
        .unwrap();
    sqlx::query("update article set title = 'Retouché MARQUEAPERCU' where id = $1")
        .bind(id)
        .execute(&mut *tx)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let again = app.get(&path).await;
    assert_eq!(again.texts(".article h1"), ["Retouché MARQUEAPERCU"]);
    // The author sees it was opened.
    let desk = author.get(&format!("/editor/articles/{id}")).await;
    let listed = desk.texts(".link-list li").concat();
    assert!(listed.contains("Me Dupont, avocate"), "{listed}");
    assert!(listed.contains("ouvert 2 fois"), "{listed}");

    // Something that is not a link, or a link nobody made: not found.
    assert_eq!(app.get("/apercu/court").await.status, 404);
    assert_eq!(
        app.get("/apercu/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")
            .await
            .status,
        404
    );

    // Revoked: it stops at once, and says so.
    let link_id: Uuid = sqlx::query_scalar("select id from preview_link where article_id = $1")
        .bind(id)
        .fetch_one(&app.pool)
        .await
        .unwrap();
    let revoked = author
        .post_signed(
            &format!("/editor/articles/{id}/previews/{link_id}/revoke"),
            &[],
        )
        .await;
    assert_eq!(revoked.status, 303);
    let gone = app.get(&path).await;
    assert_eq!(gone.status, 410);
    assert!(!gone.body.contains("MARQUEAPERCU"));
    assert!(gone.body.contains("expiré ou a été révoqué"));
    assert_eq!(gone.header("cache-control"), "no-store, private");
    audited(&app, "article.preview_link_revoke").await;

    // Expired: the same.
    let second = path_of(&share(&author, id, "Source anonyme", false).await);
    assert_eq!(app.get(&second).await.status, 200);
    sqlx::query("update preview_link set created_at = now() - interval '3 days', expires_at = now() - interval '1 second' where revoked_at is null")
        .execute(&app.pool)
        .await
        .unwrap();
    assert_eq!(app.get(&second).await.status, 410);

    // Once the article is out, a link sends its holder to the public address.
    let third = path_of(&share(&author, id, "Le service juridique", false).await);
    let (editor, _) = app.signed_in(Role::Editor).await;
    let v = version(&app, id).await;
    let published = editor
        .post_signed(
            &format!("/admin/review/{id}"),
            &[("decision", "publish"), ("version", &v)],
        )
        .await;
    assert_eq!(published.status, 303);
    let out = app.get(&third).await;
    assert_eq!(out.status, 303);
    assert_eq!(out.header("location"), format!("/articles/{slug}"));
    // And a live article is not shared by preview link: its address is public.
    let page = author
        .post_signed(
            &format!("/editor/articles/{id}/previews"),
            &[("label", "quelqu’un"), ("hours", "24")],
        )
        .await;
    assert_eq!(page.status, 422);
}

#[tokio::test]
async fn a_preview_link_does_not_pass_an_embargo_unless_it_says_so() {
    let app = TestApp::spawn().await;
    let (author, _) = app.signed_in(Role::Journalist).await;
    let (id, _) = submitted(
        &app,
        &author,
        "Sous embargo MARQUEPASSE",
        "Le texte MARQUEPASSE.",
    )
    .await;
    assert_eq!(embargo(&app, &author, id, 24).await, 303);
    let plain = path_of(&share(&author, id, "Un confrère", false).await);
    let page = app.get(&plain).await;
    assert_eq!(page.status, 403);
    assert!(!page.body.contains("MARQUEPASSE"));
    assert!(page.body.contains("sous embargo jusqu’au"));
    let through = path_of(&share(&author, id, "La source, pour relecture", true).await);
    let page = app.get(&through).await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("Le texte MARQUEPASSE."));
    let details: String = sqlx::query_scalar(
        "select details::text from audit_event where action = 'article.preview_link' order by id desc limit 1",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert!(details.contains("\"through_embargo\": true"), "{details}");
    // Once the embargo is over, the plain link opens too.
    sqlx::query("update article set embargo_until = now() - interval '1 minute' where id = $1")
        .bind(id)
        .execute(&app.pool)
        .await
        .unwrap();
    assert_eq!(app.get(&plain).await.status, 200);
}

//! Related articles: the automatic suggestions are computed when articles change (a background
//! `related` job for each article a change affects) and kept; an article's page reads them
//! with the article, filtered through the visibility rule.

use time::macros::datetime;
use uuid::Uuid;

use crate::helpers::TestApp;

async fn tag(app: &TestApp, slug: &str, tag: Uuid) {
    sqlx::query(
        "insert into article_tag (article_id, tag_id, position) select id, $2, 0 from article where slug = $1",
    )
    .bind(slug)
    .bind(tag)
    .execute(&app.pool)
    .await
    .unwrap();
}

async fn kept(app: &TestApp, slug: &str) -> Vec<Uuid> {
    sqlx::query_scalar(
        "select s.suggested from article_suggestion s join article a on a.id = s.article_id where a.slug = $1",
    )
    .bind(slug)
    .fetch_optional(&app.pool)
    .await
    .unwrap()
    .unwrap_or_default()
}

async fn shown(app: &TestApp, slug: &str) -> Vec<String> {
    app.get(&format!("/articles/{slug}"))
        .await
        .attrs(".related a", "href")
}

#[tokio::test]
async fn suggestions_are_kept_as_articles_come_and_go_and_read_with_the_article() {
    let app = TestApp::spawn().await;
    let at = Some(datetime!(2026-02-10 09:00 UTC));
    let main = app
        .article("La régulation des modèles d’IA", "Texte.", at)
        .await;
    let close = app
        .article("Les modèles d’IA face à la régulation", "Texte.", at)
        .await;
    let mut conn = app.pool.acquire().await.unwrap();
    let europe = vigie::store::tags::find_or_create(
        &mut conn,
        "Europe",
        vigie::domain::TagKind::Jurisdiction,
        "",
    )
    .await
    .unwrap();
    drop(conn);
    tag(&app, &main, europe).await;
    tag(&app, &close, europe).await;
    app.settle().await;
    let (main_id, close_id) = (app.article_id(&main).await, app.article_id(&close).await);
    assert_eq!(kept(&app, &main).await, [close_id], "kept by the job");
    assert_eq!(kept(&app, &close).await, [main_id]);
    assert_eq!(shown(&app, &main).await, [format!("/articles/{close}")]);

    // A newer article with the tag comes out: its own job puts it in the lists it belongs to.
    let newer = app
        .article(
            "Rien de commun",
            "Texte.",
            Some(datetime!(2026-02-12 09:00 UTC)),
        )
        .await;
    tag(&app, &newer, europe).await;
    app.settle().await;
    let newer_id = app.article_id(&newer).await;
    assert_eq!(kept(&app, &main).await, [close_id, newer_id]);
    assert_eq!(
        shown(&app, &main).await,
        [format!("/articles/{close}"), format!("/articles/{newer}")]
    );

    // Taken back to the desk: gone from every page at once, and from the kept lists.
    sqlx::query("update article set status = 'draft' where id = $1")
        .bind(close_id)
        .execute(&app.pool)
        .await
        .unwrap();
    app.settle().await;
    assert_eq!(shown(&app, &main).await, [format!("/articles/{newer}")]);
    assert_eq!(kept(&app, &main).await, [newer_id]);
    assert!(kept(&app, &close).await.is_empty(), "a draft keeps no list");

    // Until the job has kept a list, the page computes the same one.
    let mut tx = app.pool.begin().await.unwrap();
    sqlx::query("delete from article_suggestion where article_id = $1")
        .bind(main_id)
        .execute(&mut *tx)
        .await
        .unwrap();
    let live: Vec<Uuid> = sqlx::query_scalar("select id from article_related($1, 4)")
        .bind(main_id)
        .fetch_all(&mut *tx)
        .await
        .unwrap();
    assert_eq!(live, [newer_id]);
    tx.rollback().await.unwrap();
}

#[tokio::test]
async fn the_worker_keeps_the_lists_an_import_left_without() {
    let app = TestApp::with_demo().await;
    // As after an import (triggers off): no list kept.
    sqlx::query("delete from article_suggestion")
        .execute(&app.pool)
        .await
        .unwrap();
    let published: i64 = sqlx::query_scalar(
        "select count(*) from article where status = 'published' and kind = 'article'",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    // The idle worker looks again within seconds.
    let mut kept = 0;
    for _ in 0..200 {
        kept = sqlx::query_scalar("select count(*) from article_suggestion")
            .fetch_one(&app.pool)
            .await
            .unwrap();
        if kept == published {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(kept, published, "every published article has its list");
}

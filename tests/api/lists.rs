//! The home page, tag pages and author pages: newest first, keyset-paginated.

use time::macros::datetime;

use crate::helpers::{SAMPLE, TestApp};

#[tokio::test]
async fn home_lists_published_articles_newest_first_with_dates_authors_and_tags() {
    let app = TestApp::with_demo().await;
    let page = app.get("/").await;
    assert_eq!(page.status, 200);
    assert_eq!(
        page.texts(".article-card h2"),
        [
            "Anthropic and Washington: standing firm on AI safety",
            "Anthropic et Washington : rester ferme sur la sécurité de l’IA",
            "ChatGPT hors service : une panne touche de nombreux utilisateurs",
            "Le Colorado repousse son AI Act",
            "OpenAI : dernières nouveautés",
            "Des accusations de copie de modèles d’IA et Yiaho : un miroir de l’avenir de l’IA",
        ]
    );
    assert_eq!(
        page.attrs(".article-card h2 a", "href")[1],
        format!("/articles/{SAMPLE}")
    );
    assert_eq!(page.texts(".article-card time")[0], "27 février 2026");
    assert_eq!(page.texts(".article-card .byline a")[0], "Camille Martin");
    // The co-signed article names its guest contributor, linked to their page.
    assert!(
        page.texts(".article-card .byline")
            .concat()
            .contains("Camille Martin et Inès Durand")
    );
    assert_eq!(
        page.texts(".article-card:first-child .tags a"),
        ["Anthropic", "États-Unis", "Sécurité de l’IA", "AI Act"]
    );
    // An article without a dek shows its excerpt instead.
    assert!(
        page.texts(".article-card .dek")[4].starts_with("OpenAI"),
        "{:?}",
        page.texts(".article-card .dek")
    );
    assert!(
        page.attrs("a[rel=next]", "href").is_empty(),
        "everything fits on one page"
    );
}

#[tokio::test]
async fn pages_follow_each_other_without_losing_or_repeating_articles() {
    let app = TestApp::spawn_with(|c| c.page_size = 2).await;
    // Five articles, three of them at the very same moment: the cursor must break ties.
    let same = datetime!(2026-02-10 12:00 UTC);
    let mut expected = vec![
        app.article("Cinq", "c", Some(datetime!(2026-02-20 12:00 UTC)))
            .await,
        app.article("Quatre", "q", Some(datetime!(2026-02-15 12:00 UTC)))
            .await,
    ];
    let mut tied = vec![
        app.article("Trois A", "t", Some(same)).await,
        app.article("Trois B", "t", Some(same)).await,
        app.article("Trois C", "t", Some(same)).await,
    ];
    app.article("Brouillon", "b", None).await;

    let mut seen = Vec::new();
    let mut path = "/".to_owned();
    for _ in 0..10 {
        let page = app.get(&path).await;
        assert_eq!(page.status, 200, "{path}");
        let slugs: Vec<String> = page
            .attrs(".article-card h2 a", "href")
            .into_iter()
            .map(|h| h.trim_start_matches("/articles/").to_owned())
            .collect();
        assert!(slugs.len() <= 2);
        seen.extend(slugs);
        match page.attrs("a[rel=next]", "href").first() {
            Some(next) => path = format!("/{next}"),
            None => break,
        }
    }
    assert_eq!(seen.len(), 5, "{seen:?}");
    assert_eq!(seen[..2], expected[..]);
    let mut tied_seen = seen[2..].to_vec();
    tied_seen.sort();
    tied.sort();
    assert_eq!(tied_seen, tied);
    expected.extend(tied);
    seen.sort();
    expected.sort();
    assert_eq!(seen, expected, "each article exactly once");
}

#[tokio::test]
async fn a_broken_pagination_link_gets_a_clear_400() {
    let app = TestApp::with_demo().await;
    let page = app.get("/?before=n-importe-quoi").await;
    assert_eq!(page.status, 400);
    assert!(
        page.texts("main p")[0].contains("lien de pagination"),
        "{:?}",
        page.texts("main p")
    );
}

#[tokio::test]
async fn a_tag_page_lists_only_that_tags_published_articles() {
    let app = TestApp::with_demo().await;
    let page = app.get("/tags/openai").await;
    assert_eq!(page.status, 200);
    assert_eq!(page.texts("h1"), ["OpenAI"]);
    assert_eq!(
        page.attrs(".article-card h2 a", "href"),
        [
            "/articles/chatgpt-hors-service-une-panne-touche-de-nombreux-utilisateurs",
            "/articles/openai-dernieres-nouveautes",
        ]
    );
    let accents = app.get("/tags/etats-unis").await;
    assert_eq!(accents.texts("h1"), ["États-Unis"]);
    // The sample, its English version, the Colorado article, OpenAI's news.
    assert_eq!(accents.texts(".article-card").len(), 4);
}

#[tokio::test]
async fn an_author_page_shows_the_bio_and_their_published_articles() {
    let app = TestApp::with_demo().await;
    let page = app.get("/authors/camille-martin").await;
    assert_eq!(page.status, 200);
    assert_eq!(page.texts("h1"), ["Camille Martin"]);
    assert!(page.texts(".page-header .dek")[0].contains("régulation"));
    assert_eq!(page.texts(".article-card").len(), 6);
    // Someone who has published nothing has no public page.
    app.article("Pas encore", "brouillon", None).await;
    assert_eq!(app.get("/authors/alex-test").await.status, 404);
}

#[tokio::test]
async fn tag_and_author_pages_paginate_too() {
    let app = TestApp::spawn_with(|c| c.page_size = 1).await;
    vigie::seed::demo::load(&app.pool, &app.state().media, &app.base_url())
        .await
        .unwrap();
    // Two of Camille's older articles pass to another author,
    // with Camille as co-author: her page lists them among her own, by date, across pages.
    let other: uuid::Uuid = sqlx::query_scalar(
        r#"
        insert into app_user (email, display_name, slug, role)
        values ('lou@example.org', 'Lou Bernard', 'lou-bernard', 'journalist') returning id
        "#,
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    let cosigned = sqlx::query(
        r#"
        with moved as (
            update article set author_id = $1
            where id in (select id from public_article order by published_at offset 1 limit 2)
            returning id, $1 as lou)
        insert into article_coauthor (article_id, position, user_id)
        select m.id, coalesce((select max(c.position) from article_coauthor c where c.article_id = m.id), 0) + 1,
               u.id
        from moved m, app_user u where u.slug = 'camille-martin'
        "#,
    )
    .bind(other)
    .execute(&app.pool)
    .await
    .unwrap();
    assert_eq!(cosigned.rows_affected(), 2);
    let newest_first: Vec<String> = sqlx::query_scalar(
        r#"
        select '/articles/' || p.slug from public_article p, app_user u
        where u.slug = 'camille-martin'
          and (p.author_id = u.id
               or exists (select 1 from article_coauthor c where c.article_id = p.id and c.user_id = u.id))
        order by p.published_at desc, p.id desc
        "#,
    )
    .fetch_all(&app.pool)
    .await
    .unwrap();
    assert_eq!(newest_first.len(), 6);
    for (path, expected) in [("/tags/openai", 2), ("/authors/camille-martin", 6)] {
        let mut seen = Vec::new();
        let mut next = path.to_owned();
        loop {
            let page = app.get(&next).await;
            assert_eq!(page.status, 200, "{next}");
            seen.extend(page.attrs(".article-card h2 a", "href"));
            assert!(
                seen.len() <= expected,
                "{path}: the pages must end: {seen:?}"
            );
            match page.attrs("a[rel=next]", "href").first() {
                Some(href) => next = format!("{path}{href}"),
                None => break,
            }
        }
        let mut unique = seen.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(
            (seen.len(), unique.len()),
            (expected, expected),
            "{path}: {seen:?}"
        );
        if path.starts_with("/authors/") {
            assert_eq!(seen, newest_first);
        }
    }
}

//! `/search`: French, accent-insensitive, ranked, highlighted, paginated, and calm whatever is
//! typed.

use time::macros::datetime;

use crate::helpers::{DRAFT_WORD, SAMPLE, TestApp};

#[tokio::test]
async fn accents_do_not_matter_and_the_title_counts_most() {
    let app = TestApp::with_demo().await;
    let page = app.get("/search?q=securite").await;
    assert_eq!(page.status, 200);
    let found = page.attrs(".search-results h2 a", "href");
    assert!(
        found.contains(&format!("/articles/{SAMPLE}")),
        "securite finds sécurité: {found:?}"
    );
    let marks = page.texts(".search-results .snippet mark");
    assert!(
        marks
            .iter()
            .any(|m| m.to_lowercase().starts_with("sécurité")),
        "{marks:?}"
    );
    // Hyphenated words are found whole.
    assert!(
        app.get("/search?q=garde-fous")
            .await
            .attrs(".search-results h2 a", "href")
            .contains(&format!("/articles/{SAMPLE}"))
    );
    // Stemming: "usager" is written nowhere, "usagers" in the sample's body.
    let written: i64 = sqlx::query_scalar(
        "select count(*) from article where title || ' ' || dek || ' ' || body_markdown ~* '\\musager\\M'",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(written, 0);
    assert!(
        app.get("/search?q=usager")
            .await
            .attrs(".search-results h2 a", "href")
            .contains(&format!("/articles/{SAMPLE}"))
    );
    // The article with "OpenAI" in its title comes before those that only mention it.
    let openai = app
        .get("/search?q=OpenAI")
        .await
        .attrs(".search-results h2 a", "href");
    assert_eq!(
        openai[0], "/articles/openai-dernieres-nouveautes",
        "{openai:?}"
    );
    assert_eq!(
        app.get(&format!("/search?q={DRAFT_WORD}"))
            .await
            .texts(".search-results li")
            .len(),
        0,
        "drafts are never found"
    );
}

#[tokio::test]
async fn absurd_queries_get_a_normal_page() {
    let app = TestApp::with_demo().await;
    let long = "sécurité ".repeat(1200);
    for q in [
        "",
        "!!!",
        "a & | ! ( ) : *",
        "'; drop table article; --",
        "\"unclosed",
        "<script>alert(1)</script>",
        &long,
    ] {
        let encoded = serde_urlencoded::to_string([("q", q)]).unwrap();
        let page = app.get(&format!("/search?{encoded}")).await;
        assert_eq!(page.status, 200, "{q:.40}");
        assert!(!page.body.contains("<script>alert"), "{q:.40}");
    }
    assert_eq!(app.get("/search?q=%00").await.status, 200);
    let count: i64 = sqlx::query_scalar("select count(*) from article")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(count, 12, "nothing was dropped");
}

#[tokio::test]
async fn results_are_paginated_and_filtered() {
    let app = TestApp::spawn().await;
    for n in 0..12 {
        app.article(
            &format!("Régulation numéro {n}"),
            "Un texte sur la régulation.",
            Some(datetime!(2026-02-01 09:00 UTC)),
        )
        .await;
    }
    let first = app.get("/search?q=régulation").await;
    assert_eq!(first.texts(".search-results li").len(), 10);
    let next = first.attrs("a[rel=next]", "href").remove(0);
    let second = app.get(&next).await;
    assert_eq!(second.texts(".search-results li").len(), 2);
    assert!(second.attrs("a[rel=next]", "href").is_empty());
    let mut all = first.attrs(".search-results h2 a", "href");
    all.extend(second.attrs(".search-results h2 a", "href"));
    all.sort();
    all.dedup();
    assert_eq!(all.len(), 12, "no result lost or repeated");
    assert_eq!(
        app.get("/search?q=régulation&author=personne")
            .await
            .texts(".search-results li")
            .len(),
        0
    );
    assert_eq!(
        app.get("/search?q=régulation&tag=inconnu")
            .await
            .texts(".search-results li")
            .len(),
        0
    );
    assert_eq!(
        app.get("/search?q=régulation&author=alex-test")
            .await
            .texts(".search-results li")
            .len(),
        1,
        "the first Alex Test"
    );
}

#[tokio::test]
async fn a_phrase_is_found_in_its_order_anywhere_in_a_long_body() {
    let app = TestApp::spawn().await;
    let an_hour_ago = time::OffsetDateTime::now_utc() - time::Duration::hours(1);
    // Far past the 2 000 characters passages are drawn from.
    let filler = "Le texte continue sans rien dire de particulier. ".repeat(80);
    let in_order = app
        .article(
            "Caméras dans les gares",
            &format!("{filler}\n\nLa reconnaissance faciale arrive en gare."),
            Some(an_hour_ago),
        )
        .await;
    let apart = app
        .article(
            "Un autre sujet",
            "Une reconnaissance tardive, et un visage dit faciale par erreur.",
            Some(an_hour_ago),
        )
        .await;
    let found = |q: &'static str| {
        let app = &app;
        async move {
            app.get(&format!("/search?q={}", urlencoding(q)))
                .await
                .attrs(".search-results h2 a", "href")
        }
    };
    assert_eq!(
        found("\"reconnaissance faciale\"").await,
        [format!("/articles/{in_order}")],
        "the phrase, in its order, deep in the body"
    );
    let both = found("reconnaissance faciale").await;
    assert_eq!(both.len(), 2, "both words, in any order: {both:?}");
    assert_eq!(
        found("faciale -gare").await,
        [format!("/articles/{apart}")],
        "a word left out"
    );
}

/// `q` as a query-string value.
fn urlencoding(q: &str) -> String {
    q.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

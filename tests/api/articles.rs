//! The article page, as a reader sees it.

use time::OffsetDateTime;
use time::macros::datetime;

use crate::helpers::{DRAFT, DRAFT_WORD, SAMPLE, TestApp};

#[tokio::test]
async fn the_french_sample_reads_with_its_table_date_tags_and_related_articles() {
    let app = TestApp::with_demo().await;
    let page = app.get(&format!("/articles/{SAMPLE}")).await;

    assert_eq!(page.status, 200);
    assert!(page.header("content-type").starts_with("text/html"));
    assert_eq!(page.attrs("html", "lang"), ["fr"]);
    assert_eq!(
        page.texts("h1"),
        ["Anthropic et Washington : rester ferme sur la sécurité de l’IA"]
    );

    // The table came back as a real table.
    assert_eq!(
        page.texts(".article-body table thead th"),
        [
            "Sujet",
            "Position d’Anthropic",
            "Demande politique",
            "Impacts potentiels"
        ]
    );
    assert_eq!(
        page.texts(".article-body table tbody tr td:first-child"),
        [
            "Garde-fous et sécurité",
            "Usage militaire et gouvernemental",
            "Transparence et coopération"
        ]
    );
    assert_eq!(page.texts(".article-body table tbody tr td").len(), 12);
    // The list stays a list, the headings stay headings (with ids).
    assert_eq!(page.texts(".article-body ul li").len(), 3);
    assert_eq!(
        page.attrs(".article-body h2", "id"),
        [
            "anthropic-et-washington-rester-ferme-sur-la-securite-de-l-ia",
            "enjeux-et-implications-pour-l-ecosysteme-ia"
        ]
    );

    // French date, machine-readable too.
    assert_eq!(page.texts("article header time"), ["27 février 2026"]);
    assert!(page.attrs("article header time", "datetime")[0].starts_with("2026-02-27"));

    // Author and tags link to their pages.
    assert_eq!(
        page.attrs("a[rel=author]", "href"),
        ["/authors/camille-martin"]
    );
    assert_eq!(
        page.attrs("article header .tags a", "href"),
        [
            "/tags/anthropic",
            "/tags/etats-unis",
            "/tags/securite-de-l-ia",
            "/tags/ai-act"
        ]
    );

    // The three inline links point to real pages and are listed as related articles, then
    // an article sharing a tag (not its own English version: a language version is no
    // further reading).
    let related = page.attrs(".related a", "href");
    assert_eq!(
        related,
        [
            "/articles/des-accusations-de-copie-de-modeles-d-ia-et-yiaho-un-miroir-de-l-avenir-de-l-ia",
            "/articles/openai-dernieres-nouveautes",
            "/articles/chatgpt-hors-service-une-panne-touche-de-nombreux-utilisateurs",
            "/articles/le-colorado-repousse-son-ai-act",
        ]
    );
    let inline: Vec<String> = page
        .attrs(".article-body a", "href")
        .into_iter()
        .filter(|h| h.starts_with("/articles/"))
        .collect();
    assert_eq!(inline, related[..3]);
    for href in related {
        assert_eq!(app.get(&href).await.status, 200, "{href}");
    }
}

#[tokio::test]
async fn the_draft_is_on_no_public_page() {
    let app = TestApp::with_demo().await;
    let draft = app.get(&format!("/articles/{DRAFT}")).await;
    assert_eq!(draft.status, 404);
    assert!(!draft.body.contains(DRAFT_WORD));

    for path in [
        "/",
        "/authors/camille-martin",
        "/tags/anthropic",
        "/tags/openai",
        &format!("/articles/{SAMPLE}"),
    ] {
        let page = app.get(path).await;
        assert_eq!(page.status, 200, "{path}");
        assert!(!page.body.contains(DRAFT), "{path} links the draft");
        assert!(
            !page.body.contains("L’AI Act face aux modèles de fondation"),
            "{path} shows the draft's title"
        );
        assert!(
            !page.body.contains(DRAFT_WORD),
            "{path} shows the draft's text"
        );
    }
    // Tags only the draft uses have no public page either.
    assert_eq!(app.get("/tags/union-europeenne").await.status, 404);
}

#[tokio::test]
async fn a_scheduled_article_stays_hidden_until_its_time() {
    let app = TestApp::with_demo().await;
    let future = OffsetDateTime::now_utc() + time::Duration::days(1);
    let slug = app
        .article("Annonce sous embargo", "Texte sous embargo.", Some(future))
        .await;
    assert_eq!(app.get(&format!("/articles/{slug}")).await.status, 404);
    assert!(!app.get("/").await.body.contains(&slug));

    // Its time comes: visible at once, with no restart and nothing to trigger.
    sqlx::query("update article set published_at = now() - interval '1 second' where slug = $1")
        .bind(&slug)
        .execute(&app.pool)
        .await
        .unwrap();
    assert_eq!(app.get(&format!("/articles/{slug}")).await.status, 200);
    assert!(app.get("/").await.body.contains(&slug));
}

#[tokio::test]
async fn an_old_slug_answers_301_to_the_current_one() {
    let app = TestApp::with_demo().await;
    sqlx::query("insert into slug_redirect (old_slug, article_id) select 'ancien-titre', id from article where slug = $1")
        .bind(SAMPLE)
        .execute(&app.pool)
        .await
        .unwrap();
    let page = app.get("/articles/ancien-titre").await;
    assert_eq!(page.status, 301);
    assert_eq!(page.header("location"), format!("/articles/{SAMPLE}"));

    // An old slug of an unpublished article reveals nothing.
    sqlx::query("insert into slug_redirect (old_slug, article_id) select 'ancien-brouillon', id from article where slug = $1")
        .bind(DRAFT)
        .execute(&app.pool)
        .await
        .unwrap();
    assert_eq!(app.get("/articles/ancien-brouillon").await.status, 404);
}

#[tokio::test]
async fn unknown_pages_get_the_sites_404_page() {
    let app = TestApp::with_demo().await;
    for path in [
        "/nope",
        "/articles/n-existe-pas",
        "/articles/Pas%20un%20slug",
        "/tags/inconnu",
        "/authors/personne",
        "/articles/",
    ] {
        let page = app.get(path).await;
        assert_eq!(page.status, 404, "{path}");
        assert!(
            page.header("content-type").starts_with("text/html"),
            "{path}"
        );
        assert_eq!(page.texts("h1"), ["Page introuvable"], "{path}");
        assert_eq!(
            page.texts(".site-name"),
            ["Vigie"],
            "{path}: the site's own layout"
        );
    }
}

#[tokio::test]
async fn article_bodies_are_sanitised_on_the_public_page() {
    let app = TestApp::spawn().await;
    let body = "Avant <script>alert('x')</script> <img src=x onerror=alert(1)> [lien](javascript:alert(2)) après.";
    let slug = app
        .article("Texte piégé", body, Some(datetime!(2026-02-01 12:00 UTC)))
        .await;
    let page = app.get(&format!("/articles/{slug}")).await;
    assert_eq!(page.status, 200);
    let article = page.texts(".article-body").join(" ");
    assert!(
        article.contains("Avant") && article.contains("après"),
        "{article}"
    );
    let html = page.html();
    let body_html = html
        .select(&scraper::Selector::parse(".article-body").unwrap())
        .next()
        .unwrap()
        .inner_html();
    for bad in ["<script", "onerror", "javascript:"] {
        assert!(!body_html.contains(bad), "{bad} reached the article");
    }
    // The only script on the page is the JSON-LD data block, which runs nothing.
    let scripts: Vec<_> = html
        .select(&scraper::Selector::parse("script").unwrap())
        .filter_map(|s| s.value().attr("type"))
        .collect();
    assert_eq!(scripts, ["application/ld+json"]);
}

#[tokio::test]
async fn articles_with_the_same_title_get_numbered_slugs() {
    let app = TestApp::spawn().await;
    let at = Some(datetime!(2026-02-02 08:00 UTC));
    let first = app.article("Sécurité de l’IA", "Premier.", at).await;
    let second = app.article("Sécurité de l'IA", "Second.", at).await;
    let third = app.article("sécurité de l IA !", "Troisième.", at).await;
    assert_eq!(
        [first.as_str(), second.as_str(), third.as_str()],
        [
            "securite-de-l-ia",
            "securite-de-l-ia-2",
            "securite-de-l-ia-3"
        ]
    );
    let page = app.get("/articles/securite-de-l-ia-2").await;
    assert_eq!(page.status, 200);
    assert!(page.texts(".article-body").join(" ").contains("Second."));
}

#[tokio::test]
async fn loading_the_demo_twice_changes_nothing() {
    let app = TestApp::with_demo().await;
    let count = || async {
        sqlx::query_scalar::<_, i64>("select count(*) from article")
            .fetch_one(&app.pool)
            .await
            .unwrap()
    };
    // Articles, the translation, the embargoed one and the site's four pages.
    assert_eq!(count().await, 12);
    vigie::seed::demo::load(&app.pool, &app.state().media, &app.base_url())
        .await
        .unwrap();
    assert_eq!(count().await, 12);
    assert_eq!(app.get("/").await.texts(".article-card").len(), 6);
}

#[tokio::test]
async fn archived_and_draft_articles_never_show_as_related() {
    let app = TestApp::with_demo().await;
    let at = Some(datetime!(2026-02-26 10:00 UTC));
    let body =
        format!("Voir [le brouillon](/articles/{DRAFT}) et [l’article](/articles/{SAMPLE}).");
    let linking = app.article("Renvois", &body, at).await;
    let page = app.get(&format!("/articles/{linking}")).await;
    assert_eq!(
        page.attrs(".related a", "href"),
        [format!("/articles/{SAMPLE}")]
    );

    sqlx::query("update article set status = 'archived' where slug = $1")
        .bind(SAMPLE)
        .execute(&app.pool)
        .await
        .unwrap();
    let page = app.get(&format!("/articles/{linking}")).await;
    assert!(
        page.texts(".related").is_empty(),
        "no related section at all"
    );
    // Archived: still readable at its address, with a notice, and in no list.
    let archived = app.get(&format!("/articles/{SAMPLE}")).await;
    assert_eq!(archived.status, 200);
    assert_eq!(archived.texts(".archived-notice").len(), 1);
    assert!(!app.get("/").await.body.contains(SAMPLE));
}

#[tokio::test]
async fn related_lists_fill_up_with_articles_sharing_tags_then_close_in_text() {
    let app = TestApp::spawn().await;
    let at = Some(datetime!(2026-02-10 09:00 UTC));
    let main = app
        .article("La régulation des modèles d’IA en Europe", "Texte.", at)
        .await;
    let two_tags = app.article("Un autre sujet", "Texte.", at).await;
    let close = app
        .article("Les modèles d’IA face à la régulation", "Texte.", at)
        .await;
    let far = app.article("Rien à voir", "Texte.", at).await;
    let draft = app.article("Brouillon des modèles", "Texte.", None).await;
    let untagged = app
        .article("Régulation des modèles d’IA", "Texte.", at)
        .await;
    let mut conn = app.pool.acquire().await.unwrap();
    let t1 = vigie::store::tags::find_or_create(
        &mut conn,
        "Europe",
        vigie::domain::TagKind::Jurisdiction,
        "",
    )
    .await
    .unwrap();
    let t2 = vigie::store::tags::find_or_create(&mut conn, "IA", vigie::domain::TagKind::Topic, "")
        .await
        .unwrap();
    for (slug, tags) in [
        (&main, vec![t1, t2]),
        (&two_tags, vec![t1, t2]),
        (&close, vec![t1]),
        (&far, vec![t1]),
        (&draft, vec![t1, t2]),
    ] {
        for (position, tag) in tags.into_iter().enumerate() {
            sqlx::query("insert into article_tag (article_id, tag_id, position) select id, $2, $3 from article where slug = $1")
                .bind(slug)
                .bind(tag)
                .bind(position as i32)
                .execute(&app.pool)
                .await
                .unwrap();
        }
    }
    let related = app
        .get(&format!("/articles/{main}"))
        .await
        .attrs(".related a", "href");
    assert_eq!(
        related,
        [
            format!("/articles/{two_tags}"),
            format!("/articles/{close}"),
            format!("/articles/{far}")
        ],
        "most shared tags first, then the closer title; never the draft, the untagged one or itself"
    );
    let _ = untagged;
}

fn json_ld(page: &crate::helpers::Page) -> serde_json::Value {
    let raw = page.texts("script[type='application/ld+json']");
    assert_eq!(raw.len(), 1, "one NewsArticle block");
    serde_json::from_str(&raw[0])
        .unwrap_or_else(|e| panic!("JSON-LD does not parse ({e}): {}", raw[0]))
}

#[tokio::test]
async fn article_pages_describe_themselves_to_search_engines_and_social_sites() {
    let app = TestApp::with_demo().await;
    let base = app.base_url();
    let page = app.get(&format!("/articles/{SAMPLE}")).await;
    let meta = |property: &str| page.attrs(&format!("meta[property='{property}']"), "content");
    assert_eq!(meta("og:type"), ["article"]);
    assert_eq!(meta("og:url"), [format!("{base}/articles/{SAMPLE}")]);
    assert_eq!(
        page.attrs("link[rel=canonical]", "href"),
        [format!("{base}/articles/{SAMPLE}")]
    );
    assert!(meta("og:description")[0].starts_with("Face aux pressions"));
    assert_eq!(
        page.attrs("meta[name=description]", "content"),
        meta("og:description")
    );
    assert_eq!(meta("article:published_time"), ["2026-02-27T08:00:00Z"]);
    assert_eq!(meta("article:tag").len(), 4);
    let ld = json_ld(&page);
    assert_eq!(ld["@type"], "NewsArticle");
    assert_eq!(
        ld["headline"],
        "Anthropic et Washington : rester ferme sur la sécurité de l’IA"
    );
    assert_eq!(ld["datePublished"], "2026-02-27T08:00:00Z");
    // Every author (a list, for co-authors), each with their page; what Google News asks of
    // the publisher and of access.
    assert_eq!(ld["author"][0]["name"], "Camille Martin");
    assert_eq!(
        ld["author"][0]["url"],
        format!("{base}/authors/camille-martin")
    );
    assert_eq!(ld["publisher"]["name"], "Vigie");
    assert_eq!(ld["publisher"]["@type"], "NewsMediaOrganization");
    let logo = ld["publisher"]["logo"]["url"].as_str().unwrap();
    assert_eq!(logo, format!("{base}/static/logo.svg"));
    let (status, headers, bytes) = app.browser().get_bytes(logo).await;
    assert_eq!(status, 200);
    assert_eq!(headers["content-type"], "image/svg+xml");
    assert!(String::from_utf8(bytes).unwrap().contains("<svg"));
    assert_eq!(ld["isAccessibleForFree"], true);
    assert!(ld["dateModified"].as_str().unwrap() >= "2026-02-27T08:00:00Z");
    assert_eq!(
        page.attrs("meta[name=robots]", "content"),
        ["max-image-preview:large"]
    );
    assert_eq!(ld["inLanguage"], "fr");
    assert_eq!(ld["keywords"].as_array().unwrap().len(), 4);
    assert!(ld.get("correction").is_none());

    sqlx::query("insert into correction (article_id, body) select id, 'Une date était fausse.' from article where slug = $1")
        .bind(SAMPLE)
        .execute(&app.pool)
        .await
        .unwrap();
    let corrected = json_ld(&app.get(&format!("/articles/{SAMPLE}")).await);
    assert_eq!(corrected["correction"][0]["@type"], "CorrectionComment");
    assert_eq!(corrected["correction"][0]["text"], "Une date était fausse.");
}

#[tokio::test]
async fn a_title_cannot_break_out_of_the_json_ld_block() {
    let app = TestApp::spawn().await;
    let slug = app
        .article(
            "Titre </script><script>alert(1)</script>",
            "Texte.",
            Some(datetime!(2026-02-01 09:00 UTC)),
        )
        .await;
    let page = app.get(&format!("/articles/{slug}")).await;
    let ld = json_ld(&page);
    assert_eq!(ld["headline"], "Titre </script><script>alert(1)</script>");
    // The JSON-LD block, and the site's own script file.
    assert_eq!(
        page.html()
            .select(&scraper::Selector::parse("script:not([src^='/static/reader.js'])").unwrap())
            .count(),
        1
    );
}

#[tokio::test]
async fn french_articles_get_narrow_no_break_spaces_in_their_text_and_title_never_in_addresses() {
    let app = TestApp::with_demo().await;
    let page = app.get(&format!("/articles/{SAMPLE}")).await;
    let nn = '\u{202F}';
    // The text as written in the page (`texts` would fold the narrow spaces into plain ones).
    let body = page
        .body
        .split("<div class=\"article-body\"")
        .nth(1)
        .unwrap();
    for typeset in [
        format!("duel de principe{nn}: affirmer"),
        format!("«{nn}en pleine"),
        format!("pas en années{nn}?"),
        format!("OpenAI{nn}: dernières"),
    ] {
        assert!(body.contains(&typeset), "{typeset:?} in {body:.300}");
    }
    // Never inside addresses or attributes: every link and the page's metadata are as typed.
    for href in page.attrs(".article-body a", "href") {
        assert!(!href.contains(nn), "{href}");
    }
    assert!(!page.header("link").contains(nn));
    // The title is typeset like the text (issue 17: titles, deks and summaries too).
    let head = page
        .body
        .split("<div class=\"article-body\"")
        .next()
        .unwrap_or("");
    assert!(head.contains(&format!(
        "<h1>Anthropic et Washington{nn}: rester ferme sur la sécurité de l’IA</h1>"
    )));
}

/// The slug of the article titled `title`.
async fn slug_titled(app: &TestApp, title: &str) -> String {
    sqlx::query_scalar("select slug from article where title = $1")
        .bind(title)
        .fetch_one(&app.pool)
        .await
        .unwrap_or_else(|e| panic!("{title}: {e}"))
}

/// `serve --demo` is a tour of what the newsroom does: the sample and its English version
/// linked both ways, an article co-signed with a guest, one under embargo, the site's pages
/// in its menu.
#[tokio::test]
async fn the_demo_shows_translations_bylines_an_embargo_and_the_sites_pages() {
    let app = TestApp::with_demo().await;
    let base = app.base_url();
    let en = slug_titled(&app, "Anthropic and Washington: standing firm on AI safety").await;
    for (slug, other) in [
        (SAMPLE.to_owned(), en.clone()),
        (en.clone(), SAMPLE.to_owned()),
    ] {
        let page = app.get(&format!("/articles/{slug}")).await;
        assert_eq!(page.status, 200);
        let alternates = page.attrs("link[rel=alternate][hreflang]", "href");
        assert!(
            alternates.contains(&format!("{base}/articles/{other}")),
            "{slug}: {alternates:?}"
        );
        assert_eq!(page.attrs(".translations a", "href").len(), 1, "{slug}");
    }

    let colorado = slug_titled(&app, "Le Colorado repousse son AI Act").await;
    let page = app.get(&format!("/articles/{colorado}")).await;
    let signers = page.attrs(".article .byline a", "href");
    assert_eq!(signers.len(), 2, "{signers:?}");
    assert!(signers[1].starts_with("/contributors/"), "{signers:?}");
    assert_eq!(app.get(&signers[1]).await.status, 200);

    let embargoed = slug_titled(
        &app,
        "Ce que la CNIL recommande pour entraîner les modèles d’IA",
    )
    .await;
    assert_eq!(app.get(&format!("/articles/{embargoed}")).await.status, 404);
    let (status, until): (String, OffsetDateTime) =
        sqlx::query_as("select status, embargo_until from article where slug = $1")
            .bind(&embargoed)
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!(status, "in_review");
    assert!(until > OffsetDateTime::now_utc());
    // Days later, its embargo over and nobody having touched it: the next `serve --demo`
    // embargoes it again, so that the tour still shows one.
    sqlx::query("update article set embargo_until = now() - interval '1 hour' where slug = $1")
        .bind(&embargoed)
        .execute(&app.pool)
        .await
        .unwrap();
    vigie::seed::demo::load(&app.pool, &app.state().media, &app.base_url())
        .await
        .unwrap();
    let renewed: OffsetDateTime =
        sqlx::query_scalar("select embargo_until from article where slug = $1")
            .bind(&embargoed)
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert!(renewed > OffsetDateTime::now_utc() + time::Duration::days(2));
    assert_eq!(app.get(&format!("/articles/{embargoed}")).await.status, 404);

    let home = app.get("/").await;
    let menu = home.texts(".site-sections a");
    for label in [
        "À propos",
        "Charte éditoriale",
        "Contact",
        "Mentions légales",
    ] {
        assert!(menu.contains(&label.to_owned()), "{menu:?}");
    }
    for href in home.attrs(".site-sections a", "href") {
        assert_eq!(app.get(&href).await.status, 200, "{href}");
    }
}

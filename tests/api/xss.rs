//! Stored-XSS payloads in every field a user controls come out inert on every page showing them.

use time::macros::datetime;
use vigie::domain::{Role, TagKind};
use vigie::store::tags;

use crate::helpers::{Page, TestApp};

const PAYLOADS: &[&str] = &[
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "<a href=\"javascript:alert(1)\">clic</a>",
    "<svg onload=alert(1)>",
    "\"><script>alert(1)</script>",
    "'><img src=x onerror=alert(1)>",
    "</textarea><script>alert(1)</script>",
    "<scr<script>ipt>alert(1)</scr</script>ipt>",
    "<!--<img src=\"--><img src=x onerror=alert(1)//\">",
    "<iframe src=javascript:alert(1)>",
];

/// Nothing on the page can run: no script, no event handler, no javascript: URL, no embedded
/// image or frame (our pages have none of their own).
fn assert_inert(page: &Page, context: &str) {
    assert!(
        page.html()
            .select(
                &scraper::Selector::parse("script:not([type='application/ld+json']):not([src^='/static/reader.js?v=']), img, svg, iframe, [onerror], [onload]").unwrap()
            )
            .next()
            .is_none(),
        "{context}: active element in the page"
    );
    assert!(
        page.attrs("a", "href")
            .iter()
            .all(|h| !h.to_lowercase().starts_with("javascript:")),
        "{context}: javascript: link"
    );
}

#[tokio::test]
async fn names_and_bios_are_shown_as_text() {
    let app = TestApp::spawn().await;
    let (browser, account) = app.signed_in(Role::Journalist).await;
    app.article_by(
        account.id,
        "Un article publié",
        "Texte.",
        Some(datetime!(2026-02-01 09:00 UTC)),
    )
    .await;
    for payload in PAYLOADS {
        let saved = browser
            .post_signed(
                "/account/profile",
                &[("display_name", payload), ("bio", payload)],
            )
            .await;
        assert_eq!(saved.status, 303, "{payload}");

        let own = browser.get("/account").await;
        assert_inert(&own, payload);
        assert_eq!(
            own.attrs("input[name=display_name]", "value"),
            [*payload],
            "the value round-trips as text"
        );
        assert_eq!(own.texts("textarea[name=bio]"), [*payload]);

        let public = app.get(&format!("/authors/{}", account.slug)).await;
        assert_eq!(public.status, 200);
        assert_inert(&public, payload);
        assert_eq!(public.texts("h1"), [*payload], "shown, as text");
        assert_eq!(
            public.attrs("meta[name=description]", "content"),
            [*payload]
        );
        let home = app.get("/").await;
        assert_inert(&home, payload);
        assert_eq!(home.texts(".byline a"), [*payload]);
    }
}

#[tokio::test]
async fn titles_and_tag_names_are_shown_as_text() {
    let app = TestApp::spawn().await;
    for payload in PAYLOADS {
        let slug = app
            .article(
                &format!("Titre {payload}"),
                "Corps.",
                Some(datetime!(2026-02-01 09:00 UTC)),
            )
            .await;
        let tag = {
            let mut conn = app.pool.acquire().await.unwrap();
            tags::find_or_create(
                &mut conn,
                &format!("Thème {payload}"),
                TagKind::Topic,
                payload,
            )
            .await
            .unwrap()
        };
        sqlx::query("insert into article_tag (article_id, tag_id, position) select id, $2, 1 from article where slug = $1")
            .bind(&slug)
            .bind(tag)
            .execute(&app.pool)
            .await
            .unwrap();
        let page = app.get(&format!("/articles/{slug}")).await;
        assert_eq!(page.status, 200);
        assert_inert(&page, payload);
        assert_eq!(page.texts("h1"), [format!("Titre {payload}")]);
        assert_eq!(page.texts(".tags a"), [format!("Thème {payload}")]);
        let tag_href = page.attrs(".tags a", "href").remove(0);
        let tag_page = app.get(&tag_href).await;
        assert_inert(&tag_page, payload);
        assert_eq!(tag_page.texts("h1"), [format!("Thème {payload}")]);
    }
    assert_inert(&app.get("/").await, "home");
}

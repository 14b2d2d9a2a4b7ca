//! Issue 14: the holes a probe of the release build found, one test each (in the issue's
//! order), each failing before its fix.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use time::OffsetDateTime;
use uuid::Uuid;
use vigie::domain::Role;

use crate::helpers::{Browser, Page, SAMPLE, TestApp};
use crate::helpers::{form_of, new_article, post, set};

// 1. Rendering: bounded in size and off the async threads.

#[tokio::test]
async fn a_preview_keeps_to_the_body_limit_and_keeps_the_text() {
    let app = TestApp::spawn_with(|c| c.max_body_bytes = 4096).await;
    let (browser, _) = app.signed_in(Role::Journalist).await;
    let body = format!("{}FIN-DU-TEXTE", "## a\n".repeat(1000));
    let page = browser
        .post_signed(
            "/editor/new",
            &[
                ("title", "Trop long"),
                ("lang", "fr"),
                ("body", &body),
                ("intent", "preview"),
            ],
        )
        .await;
    assert_eq!(page.status, 200, "the form again");
    assert!(
        page.body.contains("dépasse la taille maximale"),
        "{}",
        page.body
    );
    assert!(
        page.html().select(&sel(".preview")).next().is_none(),
        "no preview rendered"
    );
    assert_eq!(
        page.texts("textarea[name=body]"),
        [body.split_whitespace().collect::<Vec<_>>().join(" ")]
    );
}

fn sel(css: &str) -> scraper::Selector {
    scraper::Selector::parse(css).unwrap()
}

/// The test runs the server on its own single thread (`#[tokio::test]`): a render on that
/// thread stops everything else, this ticker included, for as long as it lasts.
#[tokio::test]
async fn a_long_render_does_not_stop_the_server_meanwhile() {
    let app = TestApp::spawn().await;
    let (browser, _) = app.signed_in(Role::Journalist).await;
    let token = browser.csrf().await;
    let body = "## a\n".repeat(40_000);
    let ticks = Arc::new(Mutex::new(Vec::new()));
    let ticker = tokio::spawn({
        let ticks = Arc::clone(&ticks);
        async move {
            loop {
                tokio::time::sleep(Duration::from_millis(5)).await;
                ticks.lock().unwrap().push(Instant::now());
            }
        }
    });
    let start = Instant::now();
    let page = browser
        .post(
            "/editor/new",
            &[
                ("csrf_token", &token),
                ("title", "Quarante mille intertitres"),
                ("lang", "fr"),
                ("body", &body),
                ("intent", "preview"),
            ],
        )
        .await;
    let end = Instant::now();
    ticker.abort();
    assert_eq!(page.status, 200);
    assert!(page.body.contains("id=\"a-40000\""), "rendered whole");
    // How long the thread was held for more than 50 ms at a time, against the whole request.
    let mut times = vec![start];
    times.extend(
        ticks
            .lock()
            .unwrap()
            .iter()
            .copied()
            .filter(|t| *t > start && *t < end),
    );
    times.push(end);
    let stalled: Duration = times
        .windows(2)
        .map(|w| w[1] - w[0])
        .filter(|gap| *gap > Duration::from_millis(50))
        .sum();
    assert!(
        stalled < (end - start) / 2,
        "the server's thread was held {stalled:?} of {:?}",
        end - start
    );
}

/// A client that hangs up does not take its render's slot with it: the render goes on, and
/// the slot stays taken until it ends (found by a probe: previews sent and dropped in a loop
/// ran dozens of renders at once, 18.9 GB of memory).
#[tokio::test]
async fn a_render_keeps_its_slot_when_its_client_hangs_up() {
    let app = TestApp::spawn().await;
    let (browser, _) = app.signed_in(Role::Journalist).await;
    let token = browser.csrf().await;
    let slots = app.state().free_render_slots();
    let body = "## a\n".repeat(100_000);
    let request = tokio::spawn(async move {
        browser
            .post(
                "/editor/new",
                &[
                    ("csrf_token", token.as_str()),
                    ("title", "Abandonné"),
                    ("lang", "fr"),
                    ("body", body.as_str()),
                    ("intent", "preview"),
                ],
            )
            .await
    });
    let started = Instant::now();
    while app.state().free_render_slots() == slots {
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "the render never started"
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    // The client hangs up while its body is being rendered.
    request.abort();
    // Nothing the server does can be waited for here: the mistake this guards against frees
    // the slot soon after the hang-up, so the test gives it that time and looks.
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(
        app.state().free_render_slots(),
        slots - 1,
        "the render still running holds its slot"
    );
}

#[tokio::test]
async fn too_many_picked_related_articles_are_refused_with_the_text_kept() {
    let app = TestApp::spawn().await;
    let (browser, _) = app.signed_in(Role::Journalist).await;
    let token = browser.csrf().await;
    let ids: Vec<String> = (0..5_000).map(|_| Uuid::new_v4().to_string()).collect();
    let mut fields = vec![
        ("csrf_token", token.as_str()),
        ("title", "Beaucoup de liens"),
        ("lang", "fr"),
        ("body", "Le texte tapé."),
        ("intent", "save"),
    ];
    fields.extend(ids.iter().map(|id| ("related", id.as_str())));
    let page = browser.post("/editor/new", &fields).await;
    assert_eq!(
        page.status,
        422,
        "{}",
        &page.body[..page.body.len().min(300)]
    );
    assert!(page.body.contains("au plus 50 articles liés"));
    assert!(page.body.contains("Le texte tapé."));
}

// 2. The render cache and Accept-Encoding.

/// Whether a client sending `accept` takes a body coded `coding` ("gzip" or "identity"),
/// read as RFC 9110 says: the coding's own q-value, else `*`'s; identity is acceptable unless
/// refused.
fn accepts(accept: Option<&str>, coding: &str) -> bool {
    let Some(accept) = accept else {
        return coding == "identity";
    };
    let mut own = None;
    let mut any = None;
    for item in accept.split(',') {
        let mut parts = item.split(';');
        let name = parts.next().unwrap().trim().to_ascii_lowercase();
        let q = parts
            .find_map(|p| {
                p.trim()
                    .to_ascii_lowercase()
                    .strip_prefix("q=")
                    .map(str::to_owned)
            })
            .map_or(Some(1.0), |v| v.parse::<f32>().ok());
        let Some(q) = q else { continue };
        let same = name == coding || (coding == "gzip" && name == "x-gzip");
        if same {
            own = Some(own.map_or(q, |o: f32| o.min(q)));
        } else if name == "*" && any.is_none() {
            any = Some(q);
        }
    }
    match own.or(any) {
        Some(q) => q > 0.0,
        None => coding == "identity",
    }
}

#[tokio::test]
async fn a_cached_answer_never_reaches_a_client_in_a_coding_it_did_not_ask_for() {
    let app = TestApp::with_demo().await;
    let paths = [
        "/feed.atom",
        "/api/v1/articles",
        "/",
        &format!("/articles/{SAMPLE}"),
    ];
    // The spellings the old key missed, then a plain client.
    for path in paths {
        for accept in ["GZIP", "*", "x-gzip", "Gzip;q=1"] {
            let page = app.get_with(path, &[("accept-encoding", accept)]).await;
            assert_eq!(page.status, 200);
        }
        let plain = app.get(path).await;
        assert_eq!(plain.header("content-encoding"), "", "{path}: plain client");
        let refused = app.get_with(path, &[("accept-encoding", "gzip;q=0")]).await;
        assert_eq!(
            refused.header("content-encoding"),
            "",
            "{path}: gzip refused"
        );
    }
    // Then a long run of headers, each answer checked against what its client accepts.
    let pieces = [
        "gzip", "GZIP", "x-gzip", "*", "identity", "br", "deflate", "",
    ];
    let qs = ["", ";q=0", ";q=0.5", ";q=1", ";Q=0", ";q=abc"];
    let mut seed: u64 = 14;
    let mut next = |n: usize| {
        seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
        usize::try_from(seed >> 33).unwrap() % n
    };
    for round in 0..300 {
        let items: Vec<String> = (0..next(4))
            .map(|_| format!("{}{}", pieces[next(pieces.len())], qs[next(qs.len())]))
            .collect();
        let accept = (next(5) > 0).then(|| items.join(", "));
        let path = paths[next(paths.len())];
        let headers: Vec<(&str, &str)> = accept
            .as_deref()
            .map(|a| vec![("accept-encoding", a)])
            .unwrap_or_default();
        let page = app.get_unsettled(path, &headers).await;
        let coding = match page.header("content-encoding") {
            "" => "identity",
            other => other,
        };
        if page.status == 200 {
            assert!(
                accepts(accept.as_deref(), coding),
                "round {round}: {path} sent {coding} to {accept:?}"
            );
        }
    }
}

// 3. Sign-in throttling.

/// Posts a sign-in as a client at `address` (the load balancer's X-Forwarded-For).
async fn sign_in_from(browser: &Browser, address: &str, email: &str, password: &str) -> Page {
    browser
        .post_with(
            "/login",
            &[("email", email), ("password", password)],
            &[("x-forwarded-for", address)],
        )
        .await
}

fn behind_a_proxy(config: &mut vigie::config::Config) {
    config.client_ip_header = Some("x-forwarded-for".to_owned());
}

#[tokio::test]
async fn strangers_at_many_addresses_cannot_lock_the_owner_out() {
    let app = TestApp::spawn_with(behind_a_proxy).await;
    let owner = app.account(Role::Editor).await;
    // The owner's own browser has signed in before.
    let mine = app.browser();
    let first = sign_in_from(&mine, "198.51.100.7", &owner.email, &owner.password).await;
    assert_eq!(first.status, 303);
    // Eleven addresses, five wrong guesses each: 55 failures for the account.
    for n in 1..=11 {
        let stranger = app.browser();
        for _ in 0..5 {
            let page = sign_in_from(
                &stranger,
                &format!("203.0.113.{n}"),
                &owner.email,
                "mauvais mot de passe",
            )
            .await;
            assert!(matches!(page.status.as_u16(), 422 | 429), "{}", page.status);
        }
    }
    // A new browser is held back by the account-wide limit: the guessing stops there.
    let new = sign_in_from(&app.browser(), "192.0.2.1", &owner.email, &owner.password).await;
    assert_eq!(new.status, 429, "a distributed guess is still stopped");
    // The owner's browser is not.
    let again = sign_in_from(&mine, "198.51.100.7", &owner.email, &owner.password).await;
    assert_eq!(again.status, 303, "the owner signs in: {}", again.status);
}

#[tokio::test]
async fn an_attempt_refused_at_a_locked_address_counts_on_no_account() {
    let app = TestApp::spawn_with(behind_a_proxy).await;
    let target = app.account(Role::Journalist).await;
    let guesser = app.browser();
    // Twenty failures on as many unknown addresses lock this client address.
    for n in 0..20 {
        let page = sign_in_from(
            &guesser,
            "203.0.113.50",
            &format!("x{n}@vigie.example"),
            "mauvais mot de passe",
        )
        .await;
        assert_eq!(page.status, 422);
    }
    for _ in 0..10 {
        let page = sign_in_from(
            &guesser,
            "203.0.113.50",
            &target.email,
            "mauvais mot de passe",
        )
        .await;
        assert_eq!(page.status, 429);
    }
    let counted: Option<i32> =
        sqlx::query_scalar("select failures from login_throttle where key = $1")
            .bind(format!("user:{}", target.id))
            .fetch_optional(&app.pool)
            .await
            .unwrap();
    assert_eq!(
        counted.unwrap_or(0),
        0,
        "refused attempts wear down no other key"
    );
}

// 4. The client's address behind a proxy.

#[tokio::test]
async fn a_client_cannot_choose_its_address_by_sending_its_own_forwarded_line() {
    let app = TestApp::spawn_with(behind_a_proxy).await;
    let target = app.account(Role::Journalist).await;
    let guesser = app.browser();
    let mut statuses = Vec::new();
    for n in 0..8 {
        let page = guesser
            .post_with(
                "/login",
                &[
                    ("email", &target.email),
                    ("password", "mauvais mot de passe"),
                ],
                // The client's own line first, then the one the proxy appended.
                &[
                    ("x-forwarded-for", &format!("10.0.0.{n}")),
                    ("x-forwarded-for", "203.0.113.9"),
                ],
            )
            .await;
        statuses.push(page.status.as_u16());
    }
    assert_eq!(statuses, [422, 422, 422, 422, 422, 429, 429, 429]);
}

// 5. Control characters and feeds.

const CONTROLS: &str = "\u{1}\u{2}\u{8}\u{b}\u{c}\u{e}\u{1b}\u{1f}\u{fffe}\u{ffff}";

/// Every feed and sitemap parses as XML.
async fn feeds_parse(app: &TestApp, tag: &str, author: &str) {
    for path in [
        "/feed.atom".to_owned(),
        "/rss.xml".to_owned(),
        format!("/tags/{tag}/feed.atom"),
        format!("/authors/{author}/feed.atom"),
        "/sitemap.xml".to_owned(),
        "/sitemaps/0.xml".to_owned(),
        "/sitemaps/1.xml".to_owned(),
    ] {
        let page = app.get(&path).await;
        assert_eq!(page.status, 200, "{path}");
        if let Err(e) = roxmltree::Document::parse(&page.body) {
            panic!("{path} is not XML: {e}");
        }
    }
}

#[tokio::test]
async fn control_characters_typed_in_forms_are_not_stored() {
    let app = TestApp::spawn().await;
    let (browser, me) = app.signed_in(Role::Editor).await;
    let body = format!("Un paragraphe{CONTROLS} propre.");
    let dek = format!("Un chapô{CONTROLS}");
    let page = browser
        .post_signed(
            "/editor/new",
            &[
                ("title", "Des caractères invisibles"),
                ("lang", "fr"),
                ("dek", &dek),
                ("body", &body),
                ("new_tag_name", &format!("Thème{CONTROLS} neuf")),
                ("new_tag_kind", "topic"),
                ("intent", "save"),
            ],
        )
        .await;
    assert_eq!(page.status, 303, "{}", page.body);
    let (dek, body): (String, String) = sqlx::query_as(
        "select dek, body_markdown from article where title = 'Des caractères invisibles'",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(
        (dek.as_str(), body.as_str()),
        ("Un chapô", "Un paragraphe propre.")
    );
    let tag: String = sqlx::query_scalar("select name from tag")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(tag, "Thème neuf");
    let profile = browser
        .post_signed(
            "/account/profile",
            &[
                ("display_name", "Camille Martin"),
                ("bio", &format!("Journaliste{CONTROLS}.")),
            ],
        )
        .await;
    assert!(profile.status.is_redirection(), "{}", profile.status);
    let bio: String = sqlx::query_scalar("select bio from app_user where id = $1")
        .bind(me.id)
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(bio, "Journaliste.");
}

#[tokio::test]
async fn no_stored_text_can_make_a_feed_malformed() {
    let app = TestApp::with_demo().await;
    // Written straight to the database, as an import or an older version might have: every
    // text a feed or sitemap carries gets every character XML cannot hold.
    let article = app.article_id(SAMPLE).await;
    sqlx::query(
        "update article set title = title || $2, dek = $2, excerpt = $2, body_html = body_html || $2 where id = $1",
    )
    .bind(article)
    .bind(CONTROLS)
    .execute(&app.pool)
    .await
    .unwrap();
    sqlx::query("update tag set name = name || $1, description = $1")
        .bind(CONTROLS)
        .execute(&app.pool)
        .await
        .unwrap();
    sqlx::query("update app_user set display_name = display_name || $1, bio = $1")
        .bind(CONTROLS)
        .execute(&app.pool)
        .await
        .unwrap();
    let (tag, author): (String, String) = sqlx::query_as(
        "select t.slug, u.slug from article a join article_tag x on x.article_id = a.id \
         join tag t on t.id = x.tag_id join app_user u on u.id = a.author_id where a.id = $1 limit 1",
    )
    .bind(article)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    feeds_parse(&app, &tag, &author).await;
}

// 6. The log: see `config::tests::the_html_parsers_warnings_stay_out_of_the_log`.

// 7. The smaller findings.

#[tokio::test]
async fn search_snippets_show_what_the_page_shows() {
    let app = TestApp::spawn().await;
    app.article(
        "Un texte piégé",
        "La régulation avance. <script>var MOTCACHE = 1;</script> <style>.STYLECACHE{}</style> \
         [un lien](javascript:alert('LIENCACHE')) et la suite de la régulation.",
        Some(OffsetDateTime::now_utc() - time::Duration::hours(1)),
    )
    .await;
    let page = app.get("/search?q=r%C3%A9gulation").await;
    assert_eq!(page.status, 200);
    let snippets = page.texts(".search-results .snippet");
    assert_eq!(snippets.len(), 1, "{}", page.body);
    for hidden in [
        "MOTCACHE",
        "STYLECACHE",
        "LIENCACHE",
        "script",
        "javascript",
    ] {
        assert!(!snippets[0].contains(hidden), "{hidden} in {}", snippets[0]);
    }
    assert!(snippets[0].contains("régulation"), "{}", snippets[0]);
}

#[tokio::test]
async fn any_query_gets_a_results_page() {
    let app = TestApp::with_demo().await;
    for q in [
        "-".repeat(40),
        "- ".repeat(40),
        format!("ia {}", "-".repeat(33)),
    ] {
        let encoded: String = url_encode(&q);
        assert_eq!(
            app.get(&format!("/search?q={encoded}")).await.status,
            200,
            "{q}"
        );
        assert_eq!(
            app.get(&format!("/api/v1/articles?q={encoded}"))
                .await
                .status,
            200,
            "{q}"
        );
    }
    // Queries glued from the query language's own pieces: every one gets a page.
    let pieces = [
        "-", "--", "\"", " or ", "(", ")", "!", "&", "|", ":*", "<->", "IA", "é", " ", "'",
    ];
    let mut seed: u64 = 7;
    for _ in 0..300 {
        let mut q = String::new();
        for _ in 0..40 {
            seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
            q.push_str(pieces[usize::try_from(seed >> 33).unwrap() % pieces.len()]);
        }
        let page = app
            .get_unsettled(&format!("/search?q={}", url_encode(&q)), &[])
            .await;
        assert_eq!(page.status, 200, "{q}");
    }
}

fn url_encode(s: &str) -> String {
    serde_urlencoded::to_string([("q", s)]).unwrap()[2..].to_owned()
}

#[tokio::test]
async fn an_article_page_lists_a_linked_article_once_it_comes_out() {
    let app = TestApp::spawn().await;
    let later = app
        .article("Publié plus tard", "Le second texte.", None)
        .await;
    let first = app
        .article(
            "Publié d’abord",
            &format!("Voir [la suite](/articles/{later})."),
            Some(OffsetDateTime::now_utc() - time::Duration::hours(1)),
        )
        .await;
    let page = app.get(&format!("/articles/{first}")).await;
    assert!(
        !page
            .texts(".related a")
            .iter()
            .any(|t| t == "Publié plus tard")
    );
    // Kept by the render cache; then the linked article is published.
    let id = app.article_id(&later).await;
    sqlx::query("update article set status = 'published', published_at = now() where id = $1")
        .bind(id)
        .execute(&app.pool)
        .await
        .unwrap();
    let page = app.get(&format!("/articles/{first}")).await;
    assert!(
        page.texts(".related a")
            .iter()
            .any(|t| t == "Publié plus tard"),
        "{:?}",
        page.texts(".related a")
    );
}

#[tokio::test]
async fn a_new_tag_cannot_take_a_renamed_tags_old_address() {
    let app = TestApp::with_demo().await;
    let (admin, _) = app.signed_in(Role::Admin).await;
    let id: Uuid = sqlx::query_scalar("select id from tag where slug = 'etats-unis'")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    let renamed = admin
        .post_signed(
            &format!("/admin/tags/{id}"),
            &[
                ("name", "USA"),
                ("kind", "jurisdiction"),
                ("description", ""),
            ],
        )
        .await;
    assert_eq!(renamed.status, 303);
    let created = admin
        .post_signed(
            "/admin/tags",
            &[
                ("name", "États-Unis"),
                ("kind", "jurisdiction"),
                ("description", ""),
            ],
        )
        .await;
    assert_eq!(created.status, 303);
    let old = app.get("/tags/etats-unis").await;
    assert_eq!(old.status, 301, "the old address still redirects");
    assert_eq!(old.header("location"), "/tags/usa");
    let slug: String = sqlx::query_scalar("select slug from tag where name = 'États-Unis'")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(slug, "etats-unis-2");
}

#[tokio::test]
async fn impossible_page_numbers_and_dates_are_not_errors() {
    let app = TestApp::with_demo().await;
    assert_eq!(app.get("/sitemaps/99999999999999999.xml").await.status, 404);
    assert_eq!(
        app.get("/sitemaps/184467440737095516.xml").await.status,
        404
    );
    let (admin, _) = app.signed_in(Role::Admin).await;
    for query in [
        "from=-5000-01-01",
        "to=-5000-01-01",
        "from=99999-01-01",
        "from=0001-01-01&to=9999-12-31",
    ] {
        let page = admin.get(&format!("/admin/audit?{query}")).await;
        assert_eq!(page.status, 200, "{query}");
    }
}

#[tokio::test]
async fn only_the_sites_own_origin_may_post() {
    let app = TestApp::spawn().await;
    let account = app.account(Role::Journalist).await;
    let fields = [
        ("email", account.email.as_str()),
        ("password", account.password.as_str()),
    ];
    let https = format!("https://{}", app.addr);
    for headers in [
        // The same host and port, another scheme.
        vec![("origin", https.as_str())],
        // An Origin equal to a Host header the sender chose.
        vec![("origin", "http://evil.example"), ("host", "evil.example")],
        vec![("sec-fetch-site", "same-site")],
    ] {
        let page = app.browser().post_with("/login", &fields, &headers).await;
        assert_eq!(page.status, 403, "{headers:?}");
        assert!(
            page.body.contains(&app.base_url()),
            "says where the site is"
        );
    }
    let ours = app.base_url();
    let page = app
        .browser()
        .post_with("/login", &fields, &[("origin", &ours)])
        .await;
    assert_eq!(page.status, 303, "the site's own pages post");
}

#[tokio::test]
async fn a_date_still_to_come_validates_nothing() {
    let app = TestApp::with_demo().await;
    let future =
        httpdate::fmt_http_date(std::time::SystemTime::now() + Duration::from_secs(86_400 * 365));
    let missing = app
        .get_with("/articles/n-existe-pas", &[("if-modified-since", &future)])
        .await;
    assert_eq!(missing.status, 404);
    let home = app.get_with("/", &[("if-modified-since", &future)]).await;
    assert_eq!(home.status, 200);
}

#[tokio::test]
async fn scheduling_an_article_does_not_move_last_modified() {
    let app = TestApp::with_demo().await;
    sqlx::query("update content_clock set changed_at = now() - interval '1 day'")
        .execute(&app.pool)
        .await
        .unwrap();
    sqlx::query(
        "update article set published_at = now() - interval '2 days' where status = 'published'",
    )
    .execute(&app.pool)
    .await
    .unwrap();
    // The two updates above moved nothing else: read the clock as it now stands.
    sqlx::query("update content_clock set changed_at = now() - interval '1 day'")
        .execute(&app.pool)
        .await
        .unwrap();
    let before = app.get("/").await.header("last-modified").to_owned();
    assert!(!before.is_empty());
    let slug = app
        .article(
            "Plus tard",
            "Bientôt.",
            Some(OffsetDateTime::now_utc() + time::Duration::days(1)),
        )
        .await;
    let after = app.get("/").await;
    assert_eq!(
        after.header("last-modified"),
        before,
        "nothing public changed"
    );
    assert_eq!(app.get(&format!("/articles/{slug}")).await.status, 404);
}

#[tokio::test]
async fn the_request_id_is_the_servers() {
    let app = TestApp::spawn().await;
    let page = app
        .get_with("/healthz", &[("x-request-id", "forged-by-the-client")])
        .await;
    let id = page.header("x-request-id");
    assert_ne!(id, "forged-by-the-client");
    assert!(Uuid::parse_str(id).is_ok(), "{id}");
}

#[tokio::test]
async fn display_names_cannot_reorder_what_surrounds_them() {
    let app = TestApp::spawn().await;
    let (browser, me) = app.signed_in(Role::Journalist).await;
    let page = browser
        .post_signed(
            "/account/profile",
            &[("display_name", "Alice\u{202e}ecilA"), ("bio", "")],
        )
        .await;
    assert_eq!(page.status, 422);
    assert!(page.body.contains("sans caractère invisible"));
    let name: String = sqlx::query_scalar("select display_name from app_user where id = $1")
        .bind(me.id)
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert!(!name.contains('\u{202e}'));
    for invisible in [
        "Camille\u{200b}",
        "\u{feff}Camille",
        "Ca\u{ad}mille",
        "\u{115f}",
        "Camille\u{2028}Martin",
        "Camille\u{e0041}",
        "\u{3164}",
    ] {
        let page = browser
            .post_signed(
                "/account/profile",
                &[("display_name", invisible), ("bio", "")],
            )
            .await;
        assert_eq!(page.status, 422, "{invisible:?}");
    }
}

#[tokio::test]
async fn empty_api_parameters_are_parameters_left_out() {
    let app = TestApp::with_demo().await;
    let page = app
        .get("/api/v1/articles?limit=&cursor=&lang=&tag=&author=&q=")
        .await;
    assert_eq!(page.status, 200, "{}", page.body);
    let list: serde_json::Value = serde_json::from_str(&page.body).unwrap();
    assert!(!list["articles"].as_array().unwrap().is_empty());
}

// 8. A form sent twice with different text.

#[tokio::test]
async fn the_same_form_sent_again_with_more_text_keeps_the_text() {
    let app = TestApp::spawn().await;
    let (browser, _) = app.signed_in(Role::Journalist).await;
    let id = new_article(&browser, "Deux envois", "Premier jet.").await;
    let page = browser.get(&format!("/editor/articles/{id}")).await;
    let key = page
        .attrs("form.article-form input[name=save_key]", "value")
        .remove(0);
    let mut fields = form_of(&browser, id).await;
    set(&mut fields, "save_key", &key);
    set(&mut fields, "intent", "save");
    set(&mut fields, "body", "Deuxième jet.");
    let path = format!("/editor/articles/{id}");
    assert_eq!(post(&browser, &path, &fields).await.status, 303);
    // More typing, then the same form is sent again (a second click on a slow save).
    set(
        &mut fields,
        "body",
        "Deuxième jet, et un paragraphe de plus.",
    );
    let again = post(&browser, &path, &fields).await;
    assert_eq!(again.status, 409, "not the first save's answer");
    assert!(
        again
            .body
            .contains("Deuxième jet, et un paragraphe de plus."),
        "the text comes back"
    );
    let kept: i64 = sqlx::query_scalar(
        "select count(*) from article_revision where article_id = $1 and body_markdown = $2",
    )
    .bind(id)
    .bind("Deuxième jet, et un paragraphe de plus.")
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(kept, 1, "kept as a revision");
}

#[tokio::test]
async fn a_new_article_form_sent_again_with_more_text_saves_the_text() {
    let app = TestApp::spawn().await;
    let (browser, _) = app.signed_in(Role::Journalist).await;
    let page = browser.get("/editor/new").await;
    let key = page
        .attrs("form.article-form input[name=save_key]", "value")
        .remove(0);
    let mut fields = vec![
        ("title", "Un nouvel article"),
        ("lang", "fr"),
        ("body", "Le début."),
        ("intent", "save"),
        ("save_key", key.as_str()),
    ];
    let first = browser.post_signed("/editor/new", &fields).await;
    assert_eq!(first.status, 303);
    fields[2] = ("body", "Le début, et la suite tapée entre-temps.");
    let again = browser.post_signed("/editor/new", &fields).await;
    assert_eq!(again.status, 303, "{}", again.body);
    let (count, body): (i64, String) = sqlx::query_as(
        "select count(*) over (), body_markdown from article where title = 'Un nouvel article'",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(count, 1, "still one article");
    assert_eq!(body, "Le début, et la suite tapée entre-temps.");
}

#[tokio::test]
async fn a_new_article_form_sent_twice_at_once_keeps_both_texts() {
    let app = TestApp::spawn().await;
    let (browser, _) = app.signed_in(Role::Journalist).await;
    let token = browser.csrf().await;
    let page = browser.get("/editor/new").await;
    let key = page
        .attrs("form.article-form input[name=save_key]", "value")
        .remove(0);
    let send = |body: &'static str| {
        let (browser, token, key) = (browser.clone(), token.clone(), key.clone());
        async move {
            browser
                .post(
                    "/editor/new",
                    &[
                        ("csrf_token", token.as_str()),
                        ("title", "Deux fois à la fois"),
                        ("lang", "fr"),
                        ("body", body),
                        ("intent", "save"),
                        ("save_key", key.as_str()),
                    ],
                )
                .await
        }
    };
    let (one, two) = tokio::join!(
        send("Le premier texte."),
        send("Le second texte, plus long.")
    );
    assert!(
        one.status.is_redirection() || one.status == 409,
        "{}",
        one.status
    );
    assert!(
        two.status.is_redirection() || two.status == 409,
        "{}",
        two.status
    );
    for body in ["Le premier texte.", "Le second texte, plus long."] {
        let kept: i64 =
            sqlx::query_scalar("select count(*) from article_revision where body_markdown = $1")
                .bind(body)
                .fetch_one(&app.pool)
                .await
                .unwrap();
        assert!(kept >= 1, "{body:?} was kept nowhere");
    }
    let articles: i64 = sqlx::query_scalar("select count(*) from article")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(articles, 1);
}

#[tokio::test]
async fn the_server_chooses_the_device_cookie() {
    let app = TestApp::spawn().await;
    let account = app.account(Role::Journalist).await;
    let planted = "c".repeat(64);
    let page = app
        .browser()
        .post_with(
            "/login",
            &[("email", &account.email), ("password", &account.password)],
            &[("cookie", &format!("vigie_device={planted}"))],
        )
        .await;
    assert_eq!(page.status, 303);
    let device = page
        .headers
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|c| c.starts_with("vigie_device="))
        .expect("a device cookie")
        .to_owned();
    assert!(
        !device.contains(&planted),
        "a token the client chose was adopted: {device}"
    );
}

#[tokio::test]
async fn a_page_that_does_not_exist_is_never_not_modified() {
    let app = TestApp::with_demo().await;
    // What the demo's publications started (related suggestions) is done first: it moves the
    // clock.
    app.settle().await;
    let now = httpdate::fmt_http_date(std::time::SystemTime::now());
    for path in [
        "/articles/n-existe-pas",
        "/tags/nope",
        "/api/v1/articles/nope",
        "/sitemaps/5.xml",
    ] {
        let page = app.get_with(path, &[("if-modified-since", &now)]).await;
        assert_eq!(page.status, 404, "{path}");
    }
    let home = app.get_with("/", &[("if-modified-since", &now)]).await;
    assert_eq!(home.status, 304, "an existing page still is");
}

// Also: security.txt.

#[tokio::test]
async fn security_txt_says_where_to_report() {
    let app = TestApp::spawn().await;
    let page = app.get("/.well-known/security.txt").await;
    assert_eq!(page.status, 200);
    assert!(page.header("content-type").starts_with("text/plain"));
    let fields: Vec<(&str, &str)> = page
        .body
        .lines()
        .filter_map(|l| l.split_once(": "))
        .collect();
    let field = |name: &str| fields.iter().find(|(n, _)| *n == name).map(|(_, v)| *v);
    assert_eq!(field("Contact"), Some("mailto:security@127.0.0.1"));
    let expires = time::OffsetDateTime::parse(
        field("Expires").unwrap(),
        &time::format_description::well_known::Rfc3339,
    )
    .unwrap();
    let now = OffsetDateTime::now_utc();
    assert!(
        expires > now && expires < now + time::Duration::days(365),
        "RFC 9116: within a year"
    );
    let policy = app.get("/security").await;
    assert_eq!(policy.status, 200);
    assert!(policy.body.contains("## Reporting a problem"));
}

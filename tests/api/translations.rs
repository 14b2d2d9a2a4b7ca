//! Translations (issue 22): an article linked to its original in another language; pages,
//! the sitemap and the API name every language version both ways (`hreflang`, reciprocal,
//! absolute, itself and `x-default` included); the editor says a translation is "à mettre à
//! jour" when its original changed since it was last saved, with the original's changes.

use serde_json::Value;
use time::OffsetDateTime;
use vigie::domain::Role;

use crate::feeds::schema_check;
use crate::helpers::{TestApp, audited, form_of, post, set};
use crate::review::version;

/// The `hreflang` alternates a page declares: (language, address).
fn alternates(page: &crate::helpers::Page) -> Vec<(String, String)> {
    let langs = page.attrs("link[rel=alternate][hreflang]", "hreflang");
    let hrefs = page.attrs("link[rel=alternate][hreflang]", "href");
    langs.into_iter().zip(hrefs).collect()
}

#[tokio::test]
async fn a_translation_links_both_ways_and_says_when_its_original_changed() {
    let app = TestApp::spawn().await;
    let base = app.base_url();
    let (editor, _) = app.signed_in(Role::Editor).await;
    let past = OffsetDateTime::now_utc() - time::Duration::days(1);
    let fr = app
        .article(
            "Le rapport sur l’IA",
            "Le texte français du rapport.",
            Some(past),
        )
        .await;
    let fr_id = app.article_id(&fr).await;
    let en = app
        .article("The AI report", "The English text.", None)
        .await;
    let en_id = app.article_id(&en).await;
    sqlx::query("update article set lang = 'en' where id = $1")
        .bind(en_id)
        .execute(&app.pool)
        .await
        .unwrap();

    // Wrong sources are explained, with what was typed.
    let nowhere = editor
        .post_signed(
            &format!("/editor/articles/{en_id}/translation"),
            &[("source", "/articles/nulle-part")],
        )
        .await;
    assert_eq!(nowhere.status, 422);
    assert!(nowhere.body.contains("Aucun article à cette adresse"));
    assert_eq!(
        nowhere.attrs("#translation-source", "value"),
        ["/articles/nulle-part"]
    );
    let other_fr = app.article("Un autre article", "Texte.", None).await;
    let other_fr_id = app.article_id(&other_fr).await;
    let same = editor
        .post_signed(
            &format!("/editor/articles/{other_fr_id}/translation"),
            &[("source", &format!("{base}/articles/{fr}"))],
        )
        .await;
    assert_eq!(same.status, 422);
    assert!(same.body.contains("même langue"));

    // Linked by the original's public address.
    let linked = editor
        .post_signed(
            &format!("/editor/articles/{en_id}/translation"),
            &[("source", &format!("{base}/articles/{fr}"))],
        )
        .await;
    assert_eq!(linked.status, 303, "{}", linked.body);
    let (_, target) = audited(&app, "article.translation").await;
    assert_eq!(target, en_id.to_string());
    // A second English translation of the same original is refused.
    let second = app.article("Another English one", "Text.", None).await;
    let second_id = app.article_id(&second).await;
    sqlx::query("update article set lang = 'en' where id = $1")
        .bind(second_id)
        .execute(&app.pool)
        .await
        .unwrap();
    let taken = editor
        .post_signed(
            &format!("/editor/articles/{second_id}/translation"),
            &[("source", &fr)],
        )
        .await;
    assert_eq!(taken.status, 422);
    assert!(taken.body.contains("déjà une traduction dans cette langue"));
    // The original's page in the editor lists its translation.
    let desk = editor.get(&format!("/editor/articles/{fr_id}")).await;
    assert!(
        desk.texts("#translation li")
            .concat()
            .contains("The AI report")
    );

    // While the translation is unpublished, readers see no alternate.
    let page = app.get(&format!("/articles/{fr}")).await;
    assert!(alternates(&page).is_empty());
    let v = version(&app, en_id).await;
    let published = editor
        .post_signed(
            &format!("/editor/articles/{en_id}/status"),
            &[("action", "publish"), ("version", &v)],
        )
        .await;
    assert_eq!(published.status, 303, "{}", published.body);

    // Both pages name both versions, themselves included, absolutely, and x-default.
    let expected = vec![
        ("fr".to_owned(), format!("{base}/articles/{fr}")),
        ("en".to_owned(), format!("{base}/articles/{en}")),
        ("x-default".to_owned(), format!("{base}/articles/{fr}")),
    ];
    let fr_page = app.get(&format!("/articles/{fr}")).await;
    let mut got = alternates(&fr_page);
    got.sort();
    let mut want = expected.clone();
    want.sort();
    assert_eq!(got, want, "the original's page");
    let en_page = app.get(&format!("/articles/{en}")).await;
    let mut got = alternates(&en_page);
    got.sort();
    assert_eq!(got, want, "the translation's page");
    // A language switch to the other one.
    assert_eq!(fr_page.texts(".translations a"), ["English"]);
    assert_eq!(
        fr_page.attrs(".translations a", "href"),
        [format!("{base}/articles/{en}")]
    );
    assert_eq!(en_page.texts(".translations a"), ["Français"]);

    // The sitemap says the same, and validates.
    let sitemap = app.get("/sitemaps/1.xml").await;
    schema_check(&sitemap.body).unwrap_or_else(|e| panic!("{e}\n{}", sitemap.body));
    let doc = roxmltree::Document::parse(&sitemap.body).unwrap();
    for slug in [&fr, &en] {
        let url = doc
            .descendants()
            .find(|n| {
                n.tag_name().name() == "loc"
                    && n.text() == Some(format!("{base}/articles/{slug}").as_str())
            })
            .and_then(|n| n.parent())
            .unwrap();
        let mut links: Vec<(String, String)> = url
            .children()
            .filter(|n| n.tag_name().name() == "link")
            .map(|n| {
                (
                    n.attribute("hreflang").unwrap().to_owned(),
                    n.attribute("href").unwrap().to_owned(),
                )
            })
            .collect();
        links.sort();
        assert_eq!(
            links,
            [
                ("en".to_owned(), format!("{base}/articles/{en}")),
                ("fr".to_owned(), format!("{base}/articles/{fr}")),
                ("x-default".to_owned(), format!("{base}/articles/{fr}")),
            ],
            "{slug}"
        );
    }
    // And the API.
    let api: Value =
        serde_json::from_str(&app.get(&format!("/api/v1/articles/{fr}")).await.body).unwrap();
    assert_eq!(api["translations"][0]["lang"], "en");
    assert_eq!(
        api["translations"][0]["url"],
        format!("{base}/articles/{en}")
    );
    assert_eq!(api["translations"][0]["original"], false);

    // The original changes: the translation is "à mettre à jour", with the change.
    let fresh = editor.get(&format!("/editor/articles/{en_id}")).await;
    assert!(fresh.texts("#translation-stale").is_empty());
    let mut fields = form_of(&editor, fr_id).await;
    set(
        &mut fields,
        "body",
        "Le texte français du rapport, complété par MARQUEAJOUT.",
    );
    set(&mut fields, "dek", "Un chapeau MARQUECHAPO.");
    set(&mut fields, "intent", "save");
    assert_eq!(
        post(&editor, &format!("/editor/articles/{fr_id}"), &fields)
            .await
            .status,
        303
    );
    let stale = editor.get(&format!("/editor/articles/{en_id}")).await;
    let notice = stale.texts("#translation-stale").concat();
    assert!(notice.contains("Traduction à mettre à jour"), "{notice}");
    // The text's change and the dek's: what a translator has to translate again.
    for added in ["MARQUEAJOUT", "MARQUECHAPO"] {
        assert!(
            stale
                .texts("#translation-stale .diff-added")
                .concat()
                .contains(added),
            "{added}: {:?}",
            stale.texts("#translation-stale .diff-added")
        );
    }
    // Saved (after updating it), it is up to date again.
    let mut fields = form_of(&editor, en_id).await;
    set(&mut fields, "body", "The English text, completed too.");
    set(&mut fields, "intent", "save");
    assert_eq!(
        post(&editor, &format!("/editor/articles/{en_id}"), &fields)
            .await
            .status,
        303
    );
    let updated = editor.get(&format!("/editor/articles/{en_id}")).await;
    assert!(updated.texts("#translation-stale").is_empty());

    // A group has one article per language: neither the translation nor the original may
    // take the other's language afterwards. The form comes back with what was typed.
    for (id, other) in [(en_id, "fr"), (fr_id, "en")] {
        let mut fields = form_of(&editor, id).await;
        set(&mut fields, "lang", other);
        set(&mut fields, "body", "Texte gardé MARQUELANGUE.");
        set(&mut fields, "intent", "save");
        let refused = post(&editor, &format!("/editor/articles/{id}"), &fields).await;
        assert_eq!(refused.status, 422, "{}", refused.body);
        assert!(
            refused.body.contains("déjà dans cette langue"),
            "{}",
            refused.body
        );
        assert!(refused.body.contains("MARQUELANGUE"));
    }
    // Through the write API as well: 422, with the reason under `lang`.
    let secret = crate::write_api::token(
        &editor,
        "Traductions",
        &["articles:write", "articles:publish"],
    )
    .await;
    let v = version(&app, en_id).await;
    let api = app
        .client
        .patch(format!("{base}/api/v1/articles/{en_id}"))
        .bearer_auth(&secret)
        .header("if-match", format!("\"{v}\""))
        .json(&serde_json::json!({ "lang": "fr" }))
        .send()
        .await
        .unwrap();
    assert_eq!(api.status(), 422);
    let problem: Value = api.json().await.unwrap();
    assert!(
        problem["errors"]["lang"]
            .as_str()
            .is_some_and(|m| m.contains("déjà dans cette langue")),
        "{problem}"
    );
    let langs: Vec<String> =
        sqlx::query_scalar("select lang from article where id = any($1) order by lang")
            .bind(vec![fr_id, en_id])
            .fetch_all(&app.pool)
            .await
            .unwrap();
    assert_eq!(langs, ["en", "fr"], "nothing changed");

    // Unlinked: the pages name no alternate any more.
    let unlinked = editor
        .post_signed(
            &format!("/editor/articles/{en_id}/translation"),
            &[("unlink", "yes")],
        )
        .await;
    assert_eq!(unlinked.status, 303);
    assert!(alternates(&app.get(&format!("/articles/{fr}")).await).is_empty());
}

#[tokio::test]
async fn a_translation_shows_nothing_of_an_original_its_translator_may_not_see() {
    let app = TestApp::spawn().await;
    let (translator, writer) = app.signed_in(Role::Journalist).await;
    let (_, colleague) = app.signed_in(Role::Journalist).await;
    let (editor, _) = app.signed_in(Role::Editor).await;
    // A colleague's original, still a draft; the translator's English draft.
    let fr = app
        .article_by(
            colleague.id,
            "Brouillon MARQUECACHE",
            "Texte MARQUECACHE.",
            None,
        )
        .await;
    let fr_id = app.article_id(&fr).await;
    let en = app
        .article_by(writer.id, "Hidden original's translation", "Text.", None)
        .await;
    let en_id = app.article_id(&en).await;
    sqlx::query("update article set lang = 'en' where id = $1")
        .bind(en_id)
        .execute(&app.pool)
        .await
        .unwrap();
    // The translator cannot link to what they may not see.
    let refused = translator
        .post_signed(
            &format!("/editor/articles/{en_id}/translation"),
            &[("source", &format!("/editor/articles/{fr_id}"))],
        )
        .await;
    assert_eq!(refused.status, 422);
    assert!(refused.body.contains("Aucun article à cette adresse"));
    // An editor links them; the original changes: the translator is told it changed, and
    // sees neither its title, nor its text, nor a link to it.
    let linked = editor
        .post_signed(
            &format!("/editor/articles/{en_id}/translation"),
            &[("source", &format!("/editor/articles/{fr_id}"))],
        )
        .await;
    assert_eq!(linked.status, 303, "{}", linked.body);
    for change in [
        "update article set body_markdown = body_markdown || ' MARQUENOUVEAU' where id = $1",
        "insert into article_revision (article_id, version, title, dek, body_markdown, kind)
         select id, version, title, dek, body_markdown, 'save' from article where id = $1",
    ] {
        sqlx::query(change)
            .bind(fr_id)
            .execute(&app.pool)
            .await
            .unwrap();
    }
    let page = translator.get(&format!("/editor/articles/{en_id}")).await;
    assert_eq!(page.status, 200);
    assert!(
        page.texts("#translation-stale")
            .concat()
            .contains("Traduction à mettre à jour")
    );
    for hidden in ["MARQUECACHE", "MARQUENOUVEAU", &fr_id.to_string()] {
        assert!(!page.body.contains(hidden), "the translator sees {hidden}");
    }
    // The editor sees both.
    let desk = editor.get(&format!("/editor/articles/{en_id}")).await;
    assert!(desk.body.contains("MARQUENOUVEAU"));

    // A standalone page takes no part in translation groups.
    let about = app.article("À propos", "Qui nous sommes.", None).await;
    let about_id = app.article_id(&about).await;
    sqlx::query("update article set kind = 'page' where id = $1")
        .bind(about_id)
        .execute(&app.pool)
        .await
        .unwrap();
    let page_link = editor
        .post_signed(
            &format!("/editor/articles/{en_id}/translation"),
            &[("unlink", "yes")],
        )
        .await;
    assert_eq!(page_link.status, 303);
    let refused = editor
        .post_signed(
            &format!("/editor/articles/{en_id}/translation"),
            &[("source", &format!("/editor/articles/{about_id}"))],
        )
        .await;
    assert_eq!(refused.status, 422);
    assert!(
        refused
            .body
            .contains("Une page du site n’a pas de traduction")
    );
    // A NUL in the address is an address of nothing, not an error.
    let nul = editor
        .post_signed(
            &format!("/editor/articles/{en_id}/translation"),
            &[("source", "/articles/a\u{0}b")],
        )
        .await;
    assert!(nul.status == 400 || nul.status == 422, "{}", nul.status);
}

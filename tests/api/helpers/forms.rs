//! The editor's article form as a journalist's browser fills it: create an article, read an
//! article's form back, change fields, post it.

use uuid::Uuid;

use super::{Browser, Page};

/// The id in a `/editor/articles/{id}?…` location.
pub fn id_from(page: &Page) -> Uuid {
    let location = page.header("location");
    let id = location
        .trim_start_matches("/editor/articles/")
        .split('?')
        .next()
        .unwrap();
    Uuid::parse_str(id).unwrap_or_else(|_| panic!("no article id in {location:?}"))
}

pub async fn new_article(browser: &Browser, title: &str, body: &str) -> Uuid {
    let page = browser
        .post_signed(
            "/editor/new",
            &[
                ("title", title),
                ("lang", "fr"),
                ("body", body),
                ("intent", "save"),
            ],
        )
        .await;
    assert_eq!(page.status, 303, "{}", page.body);
    id_from(&page)
}

/// The form of an article as its page shows it, ready to post back with changes.
pub async fn form_of(browser: &Browser, id: Uuid) -> Vec<(String, String)> {
    let page = browser.get(&format!("/editor/articles/{id}")).await;
    assert_eq!(page.status, 200);
    let mut fields: Vec<(String, String)> = Vec::new();
    for name in ["version", "title", "slug", "lang", "social_title", "ai_use"] {
        let value = page
            .attrs(&format!("form.article-form input[name={name}], form.article-form select[name={name}] option[selected]"), "value")
            .into_iter()
            .next()
            .unwrap_or_default();
        fields.push((name.to_owned(), value));
    }
    for name in ["dek", "body", "excerpt", "social_description"] {
        let text = page
            .html()
            .select(&scraper::Selector::parse(&format!("textarea[name={name}]")).unwrap())
            .next()
            .map(|e| e.text().collect::<String>())
            .unwrap_or_default();
        fields.push((name.to_owned(), text));
    }
    for id in page.attrs("input[name=tags][checked]", "value") {
        fields.push(("tags".to_owned(), id));
    }
    for id in page.attrs("input[name=related][checked]", "value") {
        fields.push(("related".to_owned(), id));
    }
    for id in page.attrs("input[name=featured_media][checked]", "value") {
        fields.push(("featured_media".to_owned(), id));
    }
    for yes in page.attrs("input[name=tdm_open][checked]", "value") {
        fields.push(("tdm_open".to_owned(), yes));
    }
    fields
}

pub fn set(fields: &mut Vec<(String, String)>, name: &str, value: &str) {
    fields.retain(|(k, _)| k != name);
    fields.push((name.to_owned(), value.to_owned()));
}

pub async fn post(browser: &Browser, path: &str, fields: &[(String, String)]) -> Page {
    let borrowed: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    browser.post_signed(path, &borrowed).await
}

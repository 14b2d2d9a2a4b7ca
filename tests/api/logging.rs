//! Logging: a failure is logged once, where it becomes an answer, with what it was.

use std::io::Write;
use std::sync::{Arc, Mutex};

use crate::helpers::TestApp;

/// Every log line written while it is the current subscriber.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().expect("log").extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Captured {
    fn errors(&self) -> Vec<String> {
        let bytes = self.0.lock().expect("log").clone();
        String::from_utf8_lossy(&bytes)
            .lines()
            .filter(|l| l.contains("ERROR"))
            .map(str::to_owned)
            .collect()
    }
}

// One thread runs the test and the server alike, so that the subscriber set here hears the
// server's requests.
#[tokio::test(flavor = "current_thread")]
async fn a_failed_request_is_logged_once_where_it_failed() {
    let log = Captured::default();
    let writer = log.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .with_max_level(tracing::Level::INFO)
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);
    let app = TestApp::with_demo().await;
    let tag: String = sqlx::query_scalar(
        "select t.slug from tag t join article_tag x on x.tag_id = t.id
         where article_tag_is_listed(x.published_at) order by t.slug limit 1",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(app.get(&format!("/tags/{tag}")).await.status, 200);
    assert!(log.errors().is_empty(), "{:#?}", log.errors());

    // A table the tag list reads is gone: a bug or a broken migration, not an outage.
    sqlx::query("alter table tag rename to tag_gone")
        .execute(&app.pool)
        .await
        .unwrap();
    // (Another address than the one just cached: this one must be asked of the database.)
    let page = app.get(&format!("/tags/{tag}?page=2")).await;
    assert_eq!(page.status, 500);
    assert!(!page.body.contains("tag_gone") && !page.body.contains("relation"));
    let errors = log.errors();
    assert_eq!(errors.len(), 1, "logged once: {errors:#?}");
    assert!(
        errors[0].contains("request failed")
            && errors[0].contains("relation \"tag\" does not exist"),
        "with what failed: {}",
        errors[0]
    );

    let api = app.get("/api/v1/tags").await;
    assert_eq!(api.status, 500);
    assert!(api.body.contains("\"error\"") && !api.body.contains("relation"));
    let errors = log.errors();
    assert_eq!(errors.len(), 2, "logged once: {errors:#?}");
    assert!(errors[1].contains("API request failed"), "{}", errors[1]);
}

//! The regulation tracker through HTTP: records kept by editors, public hubs with their
//! timeline, history and schema.org `Legislation`, the deadline calendars read by a real
//! iCalendar parser (Python's `icalendar`), the API, and the rule that nothing unpublished
//! leaks through any of them.

use std::io::Write as _;
use std::process::{Command, Stdio};

use serde_json::Value;
use uuid::Uuid;
use vigie::domain::Role;

use crate::helpers::{Browser, DRAFT, DRAFT_WORD, Page, SAMPLE, TestApp};
use crate::helpers::{form_of, post, set};

/// The JSON-LD block of a page.
fn json_ld(page: &Page) -> Value {
    let start = page
        .body
        .find("<script type=\"application/ld+json\">")
        .expect("a JSON-LD block")
        + "<script type=\"application/ld+json\">".len();
    let end = start + page.body[start..].find("</script>").unwrap();
    serde_json::from_str(&page.body[start..end]).expect("JSON-LD parses")
}

/// What Python's `icalendar` reads in a calendar: its events with their UID, dates, sequence
/// and summary (or the parser's error).
const ICALENDAR: &str = r#"
import json, sys, icalendar
cal = icalendar.Calendar.from_ical(sys.stdin.buffer.read())
events = []
for e in cal.walk("VEVENT"):
    start = e.decoded("DTSTART")
    end = e.decoded("DTEND")
    events.append({
        "uid": str(e.get("UID")),
        "start": start.isoformat(),
        "end": end.isoformat(),
        "all_day": type(start).__name__ == "date",
        "sequence": int(e.get("SEQUENCE")),
        "summary": str(e.get("SUMMARY")),
        "description": str(e.get("DESCRIPTION", "")),
        "precision": str(e.get("X-VIGIE-PRECISION")),
        "url": str(e.get("URL")),
    })
print(json.dumps({"name": str(cal.get("X-WR-CALNAME")), "events": events}))
"#;

/// A calendar as `icalendar` reads it, after checking its content type.
async fn calendar(app: &TestApp, path: &str) -> Value {
    let page = app.get(path).await;
    assert_eq!(page.status, 200, "{path}");
    assert_eq!(page.header("content-type"), "text/calendar; charset=utf-8");
    let mut child = Command::new("python3")
        .args(["-c", ICALENDAR])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("python3 runs (.ci/run installs icalendar)");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(page.body.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "icalendar read {path}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

fn event<'a>(cal: &'a Value, uid_prefix: &str) -> &'a Value {
    cal["events"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["uid"].as_str().unwrap().starts_with(uid_prefix))
        .unwrap_or_else(|| panic!("an event {uid_prefix}… in {cal}"))
}

/// Today on the newsroom's calendar, as the database sees it.
async fn today(app: &TestApp) -> time::Date {
    sqlx::query_scalar("select (now() at time zone 'Europe/Paris')::date")
        .fetch_one(&app.pool)
        .await
        .unwrap()
}

#[tokio::test]
async fn a_hub_shows_status_timeline_history_and_articles_with_legislation_json_ld() {
    let app = TestApp::with_demo().await;
    let hub = app.get("/regulations/ai-act").await;
    assert_eq!(hub.status, 200);
    assert_eq!(
        hub.texts("h1"),
        ["Règlement européen sur l’intelligence artificielle"]
    );
    assert_eq!(
        hub.texts(".regulation-facts .status"),
        ["applicable en partie"]
    );
    // Article 113's five dates, in order; the next one (2 August 2027) highlighted with its
    // countdown in days from today.
    assert_eq!(
        hub.attrs(".timeline time", "datetime"),
        [
            "2024-08-01",
            "2025-02-02",
            "2025-08-02",
            "2026-08-02",
            "2027-08-02"
        ]
    );
    let next = hub.texts(".timeline li.next");
    assert_eq!(next.len(), 1, "{next:?}");
    let days = (time::macros::date!(2027 - 08 - 02) - today(&app).await).whole_days();
    assert!(
        next[0].starts_with(&format!("2 août 2027 dans {days} jours Haut risque")),
        "{next:?}"
    );
    assert_eq!(hub.texts(".timeline li.past").len(), 4);
    // The articles about it are the public ones carrying its tag; the demo's draft has the tag.
    let titles = hub.texts(".regulation-articles .article-card h2");
    assert_eq!(
        titles,
        [
            "Anthropic and Washington: standing firm on AI safety",
            "Anthropic et Washington : rester ferme sur la sécurité de l’IA"
        ]
    );
    assert!(!hub.body.contains(DRAFT) && !hub.body.contains(DRAFT_WORD));

    let ld = json_ld(&hub);
    assert_eq!(ld["@context"], "https://schema.org");
    assert_eq!(ld["@type"], "Legislation");
    assert_eq!(
        ld["name"],
        "Règlement européen sur l’intelligence artificielle"
    );
    assert_eq!(ld["alternateName"], "AI Act");
    assert_eq!(ld["legislationIdentifier"], "Règlement (UE) 2024/1689");
    assert_eq!(ld["legislationDate"], "2024-06-13");
    assert_eq!(ld["legislationType"], "règlement");
    assert_eq!(
        ld["legislationLegalForce"],
        "https://schema.org/PartiallyInForce"
    );
    assert_eq!(ld["legislationJurisdiction"]["@type"], "AdministrativeArea");
    assert_eq!(ld["legislationJurisdiction"]["name"], "Union européenne");
    assert_eq!(ld["url"], format!("{}/regulations/ai-act", app.base_url()));
    assert_eq!(
        ld["sameAs"][0],
        "https://eur-lex.europa.eu/eli/reg/2024/1689/oj"
    );

    // Colorado's act: its postponement is public history, with its date and source.
    let colorado = app.get("/regulations/colorado-ai-act").await;
    let history = colorado.texts(".regulation-history li");
    assert_eq!(history.len(), 2, "{history:?}");
    assert!(
        history[1].starts_with("28 août 2025 — « Entrée en application » : date repoussée du 1er février 2026 au 30 juin 2026."),
        "{history:?}"
    );
    assert_eq!(
        colorado.attrs(".regulation-history a", "href")[1],
        "https://leg.colorado.gov/bills/sb25b-004"
    );

    // The index groups them by jurisdiction; the filter keeps one status.
    let index = app.get("/regulations").await;
    assert_eq!(
        index.texts(".jurisdiction-group h2"),
        ["Colorado", "Union européenne"]
    );
    let filtered = app.get("/regulations?status=partly_applicable").await;
    assert_eq!(
        filtered.texts(".regulation-item h3"),
        ["Règlement européen sur l’intelligence artificielle"]
    );
    // An unknown status filters nothing, rather than failing.
    let any = app.get("/regulations?status=%3Cscript%3E").await;
    assert_eq!(any.status, 200);
    assert_eq!(any.texts(".regulation-item h3").len(), 2);

    // The jurisdiction page: its regulations and the public articles about them.
    let eu = app.get("/jurisdictions/union-europeenne").await;
    assert_eq!(eu.status, 200);
    assert_eq!(
        eu.texts(".regulation-item h3"),
        ["Règlement européen sur l’intelligence artificielle"]
    );
    assert!(eu.body.contains(SAMPLE));
    assert!(!eu.body.contains(DRAFT));

    // The sample article's box, and the home page's coming deadlines.
    let article = app.get(&format!("/articles/{SAMPLE}")).await;
    let boxes = article.texts(".regulation-box");
    assert_eq!(boxes.len(), 1, "{boxes:?}");
    assert!(
        boxes[0].contains("applicable en partie · Union européenne"),
        "{boxes:?}"
    );
    assert!(
        boxes[0].contains("Prochaine échéance : 2 août 2027"),
        "{boxes:?}"
    );
    assert_eq!(
        article.attrs(".regulation-box a", "href"),
        ["/regulations/ai-act"]
    );
    let news = json_ld(&article);
    assert_eq!(news["about"][0]["@type"], "Legislation");
    assert_eq!(
        news["about"][0]["url"],
        format!("{}/regulations/ai-act", app.base_url())
    );
    let home = app.get("/").await;
    let coming = home.texts(".upcoming li");
    assert_eq!(coming.len(), 1, "{coming:?}");
    assert!(coming[0].starts_with("2 août 2027"), "{coming:?}");
    assert!(coming[0].contains("AI Act : Haut risque"), "{coming:?}");
}

/// The form of a new regulation with the jurisdiction `jurisdiction`.
fn record(jurisdiction: &str) -> Vec<(&'static str, String)> {
    vec![
        ("name", "Loi de l’État de New York sur l’IA".to_owned()),
        ("short_name", "RAISE Act".to_owned()),
        (
            "official_title",
            "Responsible AI Safety and Education Act".to_owned(),
        ),
        ("identifier", "S6953B".to_owned()),
        ("jurisdiction", jurisdiction.to_owned()),
        ("legal_form", "law".to_owned()),
        ("status", "adopted".to_owned()),
        ("adopted_on", "2025-12-19".to_owned()),
        (
            "official_url",
            "https://www.nysenate.gov/legislation/bills/2025/S6953/amendment/B".to_owned(),
        ),
        ("legislature_url", String::new()),
        (
            "summary",
            "Des obligations de **sécurité** pour les modèles de pointe.".to_owned(),
        ),
    ]
}

async fn send(browser: &Browser, path: &str, fields: &[(&str, String)]) -> Page {
    let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    browser.post_signed(path, &fields).await
}

/// An editor's new record for New York with three milestones (a day, a month, a quarter),
/// not yet published: its id and its milestones' ids in date order.
async fn new_york(app: &TestApp, editor: &Browser) -> (Uuid, Vec<Uuid>) {
    let made = editor
        .post_signed("/admin/jurisdictions", &[("name", "État de New York")])
        .await;
    assert_eq!(made.status, 303, "{}", made.body);
    let jurisdiction: Uuid =
        sqlx::query_scalar("select id from jurisdiction where slug = 'etat-de-new-york'")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    let created = send(
        editor,
        "/admin/regulations",
        &record(&jurisdiction.to_string()),
    )
    .await;
    assert_eq!(created.status, 303, "{}", created.body);
    let location = created.header("location").to_owned();
    let id = Uuid::parse_str(
        location
            .trim_start_matches("/admin/regulations/")
            .split('?')
            .next()
            .unwrap(),
    )
    .unwrap();
    for (date, label) in [
        ("2027-01-01", "Entrée en vigueur"),
        ("2027-03", "Premiers rapports"),
        ("2027-T3", "Audits"),
    ] {
        let added = editor
            .post_signed(
                &format!("/admin/regulations/{id}/milestones"),
                &[
                    ("date", date),
                    ("label", label),
                    ("applies", "Ce qui s’applique."),
                    ("source_url", "https://www.nysenate.gov/"),
                ],
            )
            .await;
        assert_eq!(added.status, 303, "{}", added.body);
    }
    let milestones = sqlx::query_scalar(
        "select id from regulation_milestone where regulation_id = $1 order by on_date",
    )
    .bind(id)
    .fetch_all(&app.pool)
    .await
    .unwrap();
    (id, milestones)
}

#[tokio::test]
async fn a_moved_milestone_is_public_history_and_its_calendar_event_keeps_its_uid() {
    let app = TestApp::with_demo().await;
    let (editor, _) = app.signed_in(Role::Editor).await;
    let (id, milestones) = new_york(&app, &editor).await;
    // Prepared, it is nowhere public.
    assert_eq!(app.get("/regulations/raise-act").await.status, 404);
    let published = editor
        .post_signed(&format!("/admin/regulations/{id}/publish"), &[])
        .await;
    assert_eq!(published.status, 303, "{}", published.body);

    let hub = app.get("/regulations/raise-act").await;
    assert_eq!(hub.status, 200);
    // What was set up before publishing is not history.
    assert_eq!(
        hub.texts(".regulation-history p"),
        ["Aucun changement de date ni de statut depuis la publication de cette fiche."]
    );
    let dates = hub.texts(".timeline .timeline-date");
    let wanted = [
        "1er janvier 2027",
        "mars 2027 (jour non précisé)",
        "3e trimestre 2027 (jour non précisé)",
    ];
    assert_eq!(dates.len(), 3, "{dates:?}");
    for (got, want) in dates.iter().zip(wanted) {
        assert!(got.starts_with(want), "{got:?} is not {want:?}");
    }
    // The sitemap lists the new hub and its jurisdiction.
    let sections = app.get("/sitemaps/0.xml").await.body;
    assert!(
        sections.contains("/regulations/raise-act</loc>"),
        "{sections}"
    );
    assert!(sections.contains("/regulations</loc>"), "{sections}");
    assert!(
        sections.contains("/jurisdictions/etat-de-new-york</loc>"),
        "{sections}"
    );
    let before = calendar(&app, "/regulations/raise-act/calendar.ics").await;
    assert_eq!(before["events"].as_array().unwrap().len(), 3);
    let first = event(&before, &milestones[0].to_string());
    assert_eq!(first["start"], "2027-01-01");
    assert_eq!(first["end"], "2027-01-02");
    assert_eq!(first["all_day"], true);
    assert_eq!(first["sequence"], 0);
    let month = event(&before, &milestones[1].to_string());
    assert_eq!(month["precision"], "month");
    assert_eq!(month["start"], "2027-03-01");
    assert!(
        month["summary"]
            .as_str()
            .unwrap()
            .ends_with("Premiers rapports (mars 2027, jour non précisé)"),
        "{month}"
    );
    assert_eq!(
        event(&before, &milestones[2].to_string())["precision"],
        "quarter"
    );

    // The first date moves, with its reason and source.
    let moved = editor
        .post_signed(
            &format!("/admin/regulations/{id}/milestones/{}", milestones[0]),
            &[
                ("date", "2027-06-01"),
                ("label", "Entrée en vigueur"),
                ("applies", "Ce qui s’applique."),
                ("source_url", "https://www.nysenate.gov/report"),
                ("note", "Report voté par l’Assemblée."),
            ],
        )
        .await;
    assert_eq!(moved.status, 303, "{}", moved.body);
    let hub = app.get("/regulations/raise-act").await;
    let history = hub.texts(".regulation-history li");
    assert_eq!(history.len(), 1, "{history:?}");
    assert!(
        history[0].contains("« Entrée en vigueur » : date repoussée du 1er janvier 2027 au 1er juin 2027. Report voté par l’Assemblée. (source)"),
        "{history:?}"
    );
    assert_eq!(
        hub.attrs(".regulation-history a", "href"),
        ["https://www.nysenate.gov/report"]
    );
    let after = calendar(&app, "/regulations/raise-act/calendar.ics").await;
    let same = event(&after, &milestones[0].to_string());
    assert_eq!(same["uid"], first["uid"], "the same event, updated");
    assert_eq!(same["start"], "2027-06-01");
    assert_eq!(same["sequence"], 1);
    // The site-wide and the jurisdiction's calendars carry it too.
    let all = calendar(&app, "/regulations/calendar.ics").await;
    assert_eq!(
        event(&all, &milestones[0].to_string())["start"],
        "2027-06-01"
    );
    assert_eq!(all["events"].as_array().unwrap().len(), 5 + 2 + 3);
    let ny = calendar(&app, "/jurisdictions/etat-de-new-york/calendar.ics").await;
    assert_eq!(ny["events"].as_array().unwrap().len(), 3);

    // A status change with its source is history too; a label change is not.
    let mut fields = record(
        &sqlx::query_scalar::<_, Uuid>(
            "select id from jurisdiction where slug = 'etat-de-new-york'",
        )
        .fetch_one(&app.pool)
        .await
        .unwrap()
        .to_string(),
    );
    fields.retain(|(k, _)| *k != "status");
    fields.push(("status", "in_force".to_owned()));
    fields.push((
        "change_source",
        "https://www.nysenate.gov/signed".to_owned(),
    ));
    let saved = send(&editor, &format!("/admin/regulations/{id}"), &fields).await;
    assert_eq!(saved.status, 303, "{}", saved.body);
    let history = app
        .get("/regulations/raise-act")
        .await
        .texts(".regulation-history li");
    assert_eq!(history.len(), 2, "{history:?}");
    assert!(
        history[0].contains("Statut : texte adopté → en vigueur."),
        "{history:?}"
    );

    // The API says the same, and the Atom feed of changes parses with feedparser.
    let api: Value =
        serde_json::from_str(&app.get("/api/v1/regulations/raise-act").await.body).unwrap();
    assert_eq!(api["status"], "in_force");
    assert_eq!(api["milestones"][0]["date"], "2027-03-01");
    assert_eq!(api["milestones"][0]["precision"], "month");
    assert_eq!(api["milestones"][0]["ends"], "2027-03-31");
    let kinds: Vec<&str> = api["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["status", "milestone_moved"]);
    assert_eq!(api["history"][1]["from_date"], "2027-01-01");
    assert_eq!(api["history"][1]["to_date"], "2027-06-01");
    let feed = app.get("/regulations/changes.atom").await;
    assert_eq!(feed.status, 200);
    let entries = crate::validators::feedparser_entries(&feed.body);
    assert_eq!(entries.len(), 2 + 2, "New York's two and Colorado's two");
    assert!(
        entries[0]["title"]
            .as_str()
            .unwrap()
            .contains("Statut : texte adopté → en vigueur."),
        "{entries:?}"
    );

    // History is append-only, even for the database's own users.
    let rewritten = sqlx::query("update regulation_change set note = 'autre chose'")
        .execute(&app.pool)
        .await;
    assert!(rewritten.is_err(), "history rows cannot be changed");
    let erased = sqlx::query("delete from regulation_change")
        .execute(&app.pool)
        .await;
    assert!(erased.is_err(), "history rows cannot be removed alone");
}

#[tokio::test]
async fn nothing_unpublished_leaks_through_the_tracker() {
    let app = TestApp::with_demo().await;
    let (editor, _) = app.signed_in(Role::Editor).await;
    let (_, _) = new_york(&app, &editor).await;
    // A draft about the unpublished regulation, and a published article about it too.
    let tag: Uuid = sqlx::query_scalar("select tag_id from regulation where slug = 'raise-act'")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    let sample = app.article_id(SAMPLE).await;
    sqlx::query("insert into article_tag (article_id, tag_id, position) values ($1, $2, 9)")
        .bind(sample)
        .bind(tag)
        .execute(&app.pool)
        .await
        .unwrap();
    app.settle().await;

    // Its tag is a tag like any other, public on a published article; the record is not.
    let secrets = ["/regulations/raise-act", "S6953B", "Responsible AI Safety"];
    for path in [
        "/regulations",
        "/regulations/calendar.ics",
        "/regulations/changes.atom",
        "/jurisdictions/etat-de-new-york",
        "/jurisdictions/etat-de-new-york/calendar.ics",
        "/api/v1/regulations",
        "/",
        "/sitemaps/0.xml",
        &format!("/articles/{SAMPLE}"),
        &format!("/api/v1/articles/{SAMPLE}"),
    ] {
        let page = app.get(path).await;
        assert!(
            page.status == 200 || page.status == 404,
            "{path}: {}",
            page.status
        );
        for secret in secrets {
            assert!(
                !page.body.contains(secret),
                "{path} shows the unpublished regulation ({secret})"
            );
        }
    }
    for path in [
        "/regulations/raise-act",
        "/regulations/raise-act/calendar.ics",
        "/api/v1/regulations/raise-act",
    ] {
        assert_eq!(app.get(path).await.status, 404, "{path}");
    }
    // The jurisdiction's calendar is empty, not an error.
    let ny = calendar(&app, "/jurisdictions/etat-de-new-york/calendar.ics").await;
    assert_eq!(ny["events"].as_array().unwrap().len(), 0);
    // The demo's draft carries the AI Act's tag: on no hub, jurisdiction page or feed.
    for path in [
        "/regulations/ai-act",
        "/jurisdictions/union-europeenne",
        "/regulations/changes.atom",
    ] {
        let page = app.get(path).await;
        assert!(
            !page.body.contains(DRAFT_WORD) && !page.body.contains(DRAFT),
            "{path}"
        );
    }
}

#[tokio::test]
async fn bad_records_and_milestones_come_back_with_what_was_typed_and_write_nothing() {
    let app = TestApp::with_demo().await;
    let (editor, _) = app.signed_in(Role::Editor).await;
    let (journalist, _) = app.signed_in(Role::Journalist).await;
    let jurisdiction: Uuid =
        sqlx::query_scalar("select id from jurisdiction where slug = 'union-europeenne'")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    let count = || async {
        sqlx::query_scalar::<_, i64>(
            "select (select count(*) from regulation) + (select count(*) from regulation_milestone)
                  + (select count(*) from regulation_change)",
        )
        .fetch_one(&app.pool)
        .await
        .unwrap()
    };
    let before = count().await;
    let mut fields = record(&jurisdiction.to_string());
    fields.retain(|(k, _)| *k != "official_url");
    fields.push(("official_url", "javascript:alert(1)".to_owned()));
    let refused = send(&editor, "/admin/regulations", &fields).await;
    assert_eq!(refused.status, 422);
    assert_eq!(
        refused.texts(".form-error"),
        ["Le lien officiel doit être une adresse web complète (https://…)."]
    );
    assert_eq!(
        refused.attrs("#name", "value"),
        ["Loi de l’État de New York sur l’IA"]
    );
    assert_eq!(
        refused.attrs("#official_url", "value"),
        ["javascript:alert(1)"]
    );
    assert_eq!(
        refused.texts("#summary"),
        ["Des obligations de **sécurité** pour les modèles de pointe."]
    );
    // A jurisdiction that is not there.
    let refused = send(
        &editor,
        "/admin/regulations",
        &record(&Uuid::new_v4().to_string()),
    )
    .await;
    assert_eq!(refused.status, 422);
    assert_eq!(
        refused.texts(".form-error"),
        ["Cette juridiction n’existe plus : choisissez-en une autre."]
    );
    // A milestone on an impossible date keeps its label.
    let ai_act: Uuid = sqlx::query_scalar("select id from regulation where slug = 'ai-act'")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    let refused = editor
        .post_signed(
            &format!("/admin/regulations/{ai_act}/milestones"),
            &[("date", "2027-02-30"), ("label", "Lignes directrices")],
        )
        .await;
    assert_eq!(refused.status, 422);
    assert_eq!(refused.attrs("#label-new", "value"), ["Lignes directrices"]);
    assert_eq!(refused.attrs("#date-new", "value"), ["2027-02-30"]);
    assert!(refused.texts(".form-error")[0].starts_with("La date s’écrit AAAA-MM-JJ"));
    // Journalists do not keep the tracker.
    let denied = send(
        &journalist,
        "/admin/regulations",
        &record(&jurisdiction.to_string()),
    )
    .await;
    assert_eq!(denied.status, 403);
    assert_eq!(count().await, before, "nothing was written");
    // A jurisdiction's name taken twice.
    let twice = editor
        .post_signed("/admin/jurisdictions", &[("name", "union européenne")])
        .await;
    assert_eq!(twice.status, 422);
    assert_eq!(
        twice.attrs("#jurisdiction-name", "value"),
        ["union européenne"]
    );
}

#[tokio::test]
async fn the_ai_use_disclosure_is_chosen_in_the_editor_shown_under_the_byline_and_in_the_api() {
    let app = TestApp::with_demo().await;
    let (editor, _) = app.signed_in(Role::Editor).await;
    let sample = app.article_id(SAMPLE).await;
    let article = app.get(&format!("/articles/{SAMPLE}")).await;
    assert!(
        article.texts(".ai-disclosure").is_empty(),
        "none by default"
    );
    let mut fields = form_of(&editor, sample).await;
    assert!(fields.iter().any(|(k, v)| k == "ai_use" && v == "none"));
    set(&mut fields, "ai_use", "translation");
    set(&mut fields, "intent", "save");
    let saved = post(&editor, &format!("/editor/articles/{sample}"), &fields).await;
    assert_eq!(saved.status, 303, "{}", saved.body);
    let article = app.get(&format!("/articles/{SAMPLE}")).await;
    // (`texts` folds the narrow space before the colon into a plain one.)
    assert!(article.body.contains("Usage de l’IA\u{202F}: </strong>"));
    assert_eq!(
        article.texts(".article header .ai-disclosure"),
        [
            "Usage de l’IA : Cet article a été traduit avec l’aide d’un outil d’intelligence artificielle, puis relu par la rédaction."
        ]
    );
    let api: Value =
        serde_json::from_str(&app.get(&format!("/api/v1/articles/{SAMPLE}")).await.body).unwrap();
    assert_eq!(api["ai_use"], "translation");
    // The form shows it back as chosen.
    let fields = form_of(&editor, sample).await;
    assert!(
        fields
            .iter()
            .any(|(k, v)| k == "ai_use" && v == "translation")
    );
}

const OPEN: &str = "chatgpt-hors-service-une-panne-touche-de-nombreux-utilisateurs";

/// Leaves the demo's ChatGPT article open to text-and-data mining, through the editor.
async fn open_one(app: &TestApp) {
    let (editor, _) = app.signed_in(Role::Editor).await;
    let id = app.article_id(OPEN).await;
    let mut fields = form_of(&editor, id).await;
    fields.push(("tdm_open".to_owned(), "yes".to_owned()));
    set(&mut fields, "intent", "save");
    let saved = post(&editor, &format!("/editor/articles/{id}"), &fields).await;
    assert_eq!(saved.status, 303, "{}", saved.body);
}

#[tokio::test]
async fn text_and_data_mining_is_reserved_by_default_except_for_an_article_left_open() {
    let app = TestApp::with_demo().await;
    open_one(&app).await;
    // Every answer carries the reservation: pages, feeds, the API, files.
    for path in [
        "/",
        &format!("/articles/{SAMPLE}"),
        "/feed.atom",
        "/api/v1/articles",
        "/regulations/calendar.ics",
    ] {
        let page = app.get(path).await;
        assert_eq!(page.header("tdm-reservation"), "1", "{path}");
    }
    let sample = app.get(&format!("/articles/{SAMPLE}")).await;
    assert_eq!(sample.attrs("meta[name=tdm-reservation]", "content"), ["1"]);
    // The open article says 0, in its header and its meta.
    let open = app.get(&format!("/articles/{OPEN}")).await;
    assert_eq!(open.header("tdm-reservation"), "0");
    let api = app.get(&format!("/api/v1/articles/{OPEN}")).await;
    assert_eq!(api.header("tdm-reservation"), "0");
    assert_eq!(open.attrs("meta[name=tdm-reservation]", "content"), ["0"]);
    // tdmrep.json: the open article first, then the whole site.
    let rules: Value =
        serde_json::from_str(&app.get("/.well-known/tdmrep.json").await.body).unwrap();
    assert_eq!(
        rules,
        serde_json::json!([
            { "location": format!("/articles/{OPEN}"), "tdm-reservation": 0 },
            { "location": format!("/api/v1/articles/{OPEN}"), "tdm-reservation": 0 },
            { "location": "/*", "tdm-reservation": 1 },
        ])
    );
    // robots.txt: the AI crawlers may read only the open article.
    let robots = app.get("/robots.txt").await.body;
    for agent in [
        "GPTBot",
        "ClaudeBot",
        "Google-Extended",
        "CCBot",
        "PerplexityBot",
        "Applebot-Extended",
    ] {
        assert!(
            robots.contains(&format!("User-agent: {agent}\n")),
            "{agent}: {robots}"
        );
    }
    let group = &robots[robots.find("User-agent: GPTBot").unwrap()..];
    let group = &group[..group.find("\n\n").unwrap()];
    assert!(
        group.contains(&format!("Allow: /articles/{OPEN}\n")),
        "{group}"
    );
    assert!(group.ends_with("Disallow: /"), "{group}");
    assert!(robots.starts_with("User-agent: *\nAllow: /\n"), "{robots}");
}

#[tokio::test]
async fn a_site_that_reserves_nothing_says_so_and_lets_ai_crawlers_in() {
    let app = TestApp::spawn_with(|c| {
        c.tdm.reserved = false;
        c.ai_crawlers = vigie::config::AiCrawlers::Allow;
    })
    .await;
    vigie::seed::demo::load(&app.pool, &app.state().media, &app.base_url())
        .await
        .unwrap();
    let page = app.get(&format!("/articles/{SAMPLE}")).await;
    assert_eq!(page.header("tdm-reservation"), "");
    assert!(
        page.attrs("meta[name=tdm-reservation]", "content")
            .is_empty()
    );
    let rules: Value =
        serde_json::from_str(&app.get("/.well-known/tdmrep.json").await.body).unwrap();
    assert_eq!(
        rules,
        serde_json::json!([{ "location": "/*", "tdm-reservation": 0 }])
    );
    let robots = app.get("/robots.txt").await.body;
    assert!(!robots.contains("GPTBot"), "{robots}");
    assert!(robots.contains("Sitemap: "));
}

#[tokio::test]
async fn a_licence_policy_goes_with_the_reservation() {
    let app = TestApp::spawn_with(|c| {
        c.tdm.policy = Some("https://vigie.example/licence-tdm.json".to_owned());
    })
    .await;
    let page = app.get("/").await;
    assert_eq!(page.header("tdm-reservation"), "1");
    assert_eq!(
        page.header("tdm-policy"),
        "https://vigie.example/licence-tdm.json"
    );
    assert_eq!(
        page.attrs("meta[name=tdm-policy]", "content"),
        ["https://vigie.example/licence-tdm.json"]
    );
    let rules: Value =
        serde_json::from_str(&app.get("/.well-known/tdmrep.json").await.body).unwrap();
    assert_eq!(
        rules[0]["tdm-policy"],
        "https://vigie.example/licence-tdm.json"
    );
}

#[tokio::test]
async fn cached_pages_follow_a_regulation_that_changes() {
    let app = TestApp::with_demo().await;
    let (editor, _) = app.signed_in(Role::Editor).await;
    let article = format!("/articles/{SAMPLE}");
    let pages = [
        article.as_str(),
        "/",
        "/regulations",
        "/regulations/ai-act",
        "/jurisdictions/union-europeenne",
        "/regulations/ai-act/calendar.ics",
        "/api/v1/regulations/ai-act",
    ];
    // Read once each, and again: now kept by the render cache.
    for path in pages {
        assert_eq!(app.get(path).await.status, 200, "{path}");
        let again = app.get(path).await;
        assert!(again.body.contains("2027"), "{path}");
        assert!(!again.body.contains("décembre 2027") && !again.body.contains("2027-12-01"));
    }
    let (regulation, milestone): (Uuid, Uuid) = sqlx::query_as(
        "select r.id, m.id from regulation r join regulation_milestone m on m.regulation_id = r.id
         where r.slug = 'ai-act' and m.on_date = '2027-08-02'",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    let moved = editor
        .post_signed(
            &format!("/admin/regulations/{regulation}/milestones/{milestone}"),
            &[
                ("date", "2027-12"),
                ("label", "Haut risque : produits de l’annexe I"),
                ("source_url", "https://example.org/report"),
            ],
        )
        .await;
    assert_eq!(moved.status, 303, "{}", moved.body);
    for path in pages {
        let page = app.get(path).await;
        assert!(
            page.body.contains("décembre 2027")
                || page.body.contains("2027-12-01")
                || page.body.contains("20271201"),
            "{path} still shows the old date"
        );
    }
    let boxed = app.get(&article).await;
    assert!(
        boxed.texts(".regulation-box")[0].contains("Prochaine échéance : décembre 2027"),
        "{:?}",
        boxed.texts(".regulation-box")
    );
}

#[tokio::test]
async fn public_milestones_make_pages_start_afresh_at_the_newsrooms_midnight() {
    let app = TestApp::spawn().await;
    let tz = "Europe/Paris";
    // Nothing scheduled, no tracker: nothing to wake up for.
    assert_eq!(
        vigie::store::clock::next_scheduled(&app.pool, tz)
            .await
            .unwrap(),
        None
    );
    let app = TestApp::with_demo().await;
    let next = vigie::store::clock::next_scheduled(&app.pool, tz)
        .await
        .unwrap()
        .expect("a time to wake up");
    let midnight: time::OffsetDateTime = sqlx::query_scalar(
        "select (date_trunc('day', now() at time zone 'Europe/Paris') + interval '1 day') at time zone 'Europe/Paris'",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(next, midnight);
    // And the content clock is at least the last midnight.
    let clock = vigie::store::clock::content_changed_at(&app.pool, tz)
        .await
        .unwrap();
    assert!(clock >= midnight - time::Duration::days(1));
}

/// The demo's export, as text.
fn demo_export(app: &TestApp) -> (std::path::PathBuf, String) {
    let path = crate::helpers::scratch("export.json");
    let bytes = crate::helpers::export_to(app, &path);
    (path, String::from_utf8(bytes).unwrap())
}

#[tokio::test]
async fn an_export_from_before_the_tracker_gets_records_and_one_with_a_script_link_is_refused() {
    let app = TestApp::with_demo().await;
    let (path, text) = demo_export(&app);
    // Without the tracker's sections, as an export made before it.
    let start = text
        .find(",\n\"jurisdictions\":[")
        .expect("jurisdictions section");
    let end = text.find(",\n\"articles\":[").expect("articles section");
    let old = format!("{}{}", &text[..start], &text[end..]);
    std::fs::write(&path, &old).unwrap();
    let copy = TestApp::spawn().await;
    let out = crate::helpers::vigie(&copy, &["import", path.to_str().unwrap()]);
    assert!(out.status.success(), "{}", crate::helpers::stderr(&out));
    // Its regulation and jurisdiction tags became records, waiting to be completed.
    let records: Vec<(String, bool, Option<Uuid>)> = sqlx::query_as(
        "select slug, published_at is null, jurisdiction_id from regulation order by slug",
    )
    .fetch_all(&copy.pool)
    .await
    .unwrap();
    assert_eq!(
        records,
        [
            ("ai-act".to_owned(), true, None),
            ("colorado-ai-act".to_owned(), true, None)
        ]
    );
    let places: i64 = sqlx::query_scalar("select count(*) from jurisdiction")
        .fetch_one(&copy.pool)
        .await
        .unwrap();
    assert_eq!(places, 3, "Union européenne, États-Unis, Colorado");

    // A link that would run a script on the hub stops the import, which writes nothing.
    let hostile = text.replacen(
        "\"official_url\":\"https://eur-lex.europa.eu/eli/reg/2024/1689/oj\"",
        "\"official_url\":\"javascript:alert(1)\"",
        1,
    );
    assert_ne!(hostile, text);
    std::fs::write(&path, &hostile).unwrap();
    let empty = TestApp::spawn().await;
    let out = crate::helpers::vigie(&empty, &["import", path.to_str().unwrap()]);
    assert!(!out.status.success());
    assert!(
        crate::helpers::stderr(&out).contains("\"javascript:alert(1)\" is not a web address"),
        "{}",
        crate::helpers::stderr(&out)
    );
    let nothing: i64 = sqlx::query_scalar("select count(*) from app_user")
        .fetch_one(&empty.pool)
        .await
        .unwrap();
    assert_eq!(nothing, 0);
    std::fs::remove_dir_all(path.parent().unwrap()).unwrap();
}

#[tokio::test]
async fn a_merged_tag_keeps_its_regulation_and_a_long_name_needs_a_short_one() {
    let app = TestApp::with_demo().await;
    let (admin, _) = app.signed_in(Role::Admin).await;
    let made = admin
        .post_signed(
            "/admin/tags",
            &[("name", "Règlement IA"), ("kind", "regulation")],
        )
        .await;
    assert_eq!(made.status, 303);
    let (from, into): (Uuid, Uuid) = sqlx::query_as(
        "select (select id from tag where slug = 'ai-act'), (select id from tag where slug = 'reglement-ia')",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    let merged = admin
        .post_signed(
            &format!("/admin/tags/{from}/merge"),
            &[("into", &into.to_string()), ("confirm", "yes")],
        )
        .await;
    assert_eq!(merged.status, 303, "{}", merged.body);
    let hub = app.get("/regulations/ai-act").await;
    assert_eq!(
        hub.texts(".regulation-articles .article-card h2"),
        [
            "Anthropic and Washington: standing firm on AI safety",
            "Anthropic et Washington : rester ferme sur la sécurité de l’IA"
        ],
        "the regulation followed its tag"
    );
    assert_eq!(
        app.get(&format!("/articles/{SAMPLE}"))
            .await
            .texts(".regulation-box")
            .len(),
        1
    );

    // A name too long to name a tag, without a short name: the form says so.
    let jurisdiction: Uuid =
        sqlx::query_scalar("select id from jurisdiction where slug = 'union-europeenne'")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    let mut fields = record(&jurisdiction.to_string());
    fields.retain(|(k, _)| *k != "name" && *k != "short_name");
    fields.push(("name", "Règlement ".repeat(15)));
    let refused = send(&admin, "/admin/regulations", &fields).await;
    assert_eq!(refused.status, 422, "{}", refused.body);
    assert!(refused.texts(".form-error")[0].starts_with("Avec un nom de plus de 100 caractères"));
    // A short name that is an organisation's tag: the record does not take it over.
    let mut fields = record(&jurisdiction.to_string());
    fields.retain(|(k, _)| *k != "short_name");
    fields.push(("short_name", "OpenAI".to_owned()));
    let refused = send(&admin, "/admin/regulations", &fields).await;
    assert_eq!(refused.status, 422, "{}", refused.body);
    assert!(refused.texts(".form-error")[0].starts_with("Un thème d’un autre type"));
    let none: i64 =
        sqlx::query_scalar("select count(*) from regulation where short_name = 'OpenAI'")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!(none, 0);
}

//! E-mail through a real SMTP server on loopback (aiosmtpd, started by the test): "mot de passe
//! oublié", invitations, review and security notices, each queued with its cause and sent by
//! the worker; with the server away, nothing fails and the mail goes out once it is back.

use vigie::domain::Role;

use crate::helpers::smtp::SmtpServer;
use crate::helpers::{PASSWORD, TestApp, new_article};

async fn with_mail(server: &SmtpServer) -> TestApp {
    let url = server.url();
    TestApp::spawn_with(move |c| {
        c.smtp_url = Some(vigie::config::Secret::new(url));
        c.mail_from = Some("Vigie <vigie@vigie.example>".to_owned());
    })
    .await
}

/// Jobs of these kinds waiting (or running).
async fn jobs_of(app: &TestApp, kinds: &[&str]) -> i64 {
    sqlx::query_scalar("select count(*) from job where kind = any($1)")
        .bind(kinds)
        .fetch_one(&app.pool)
        .await
        .unwrap()
}

/// Mail waiting to leave (messages, and "mot de passe oublié" requests not yet looked at).
async fn mail_jobs(app: &TestApp) -> i64 {
    jobs_of(app, &["mail", "password_reset"]).await
}

/// Waits (20 s at most) until no job of these kinds waits.
async fn none_left(app: &TestApp, kinds: &[&str]) {
    for _ in 0..200 {
        if jobs_of(app, kinds).await == 0 {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("{kinds:?} jobs still waiting");
}

/// Waits until no mail waits to leave.
async fn queue_empty(app: &TestApp) {
    none_left(app, &["mail", "password_reset"]).await;
}

#[tokio::test]
async fn a_forgotten_password_gets_a_link_that_works_once_and_strangers_get_the_same_answer() {
    let server = SmtpServer::start();
    let app = with_mail(&server).await;
    let account = app.account(Role::Journalist).await;
    let login = app.get("/login").await;
    assert_eq!(login.attrs("a[href='/password/forgot']", "href").len(), 1);

    let visitor = app.browser();
    let unknown = visitor
        .post("/password/forgot", &[("email", "personne@vigie.example")])
        .await;
    assert_eq!(unknown.status, 200);
    queue_empty(&app).await;
    assert_eq!(
        server.received().len(),
        0,
        "nothing is sent to an unknown address"
    );
    let known = visitor
        .post(
            "/password/forgot",
            &[("email", &account.email.to_uppercase())],
        )
        .await;
    assert_eq!(known.status, 200);
    // The same words, but for the address typed.
    assert_eq!(
        unknown.texts(".notice")[0].replace("personne@vigie.example", "X"),
        known.texts(".notice")[0].replace(&account.email.to_uppercase(), "X")
    );

    let mail = server.wait_for(1).await.remove(0);
    assert_eq!(mail.rcpt, std::slice::from_ref(&account.email));
    assert_eq!(mail.subject, "Choisir un nouveau mot de passe Vigie");
    assert_eq!(mail.from, "Vigie <vigie@vigie.example>");
    assert!(mail.html.contains("Choisir un nouveau mot de passe</a>"));
    let link = mail.link("/password?token=");
    let path = link.trim_start_matches(&app.base_url()).to_owned();
    let token = path.split("token=").nth(1).unwrap().to_owned();
    assert_eq!(visitor.get(&path).await.status, 200);
    let chosen = "une toute nouvelle phrase de passe";
    let set = visitor
        .post(
            "/password",
            &[
                ("token", &token),
                ("password", chosen),
                ("password_confirm", chosen),
            ],
        )
        .await;
    assert_eq!(set.status, 303);
    assert_eq!(
        app.browser().sign_in(&account.email, chosen).await.status,
        303
    );
    // Once only.
    let again = visitor
        .post(
            "/password",
            &[
                ("token", &token),
                ("password", chosen),
                ("password_confirm", chosen),
            ],
        )
        .await;
    assert_eq!(again.status, 404);
    // The person hears that their password changed.
    let notice = server.wait_for(2).await.remove(1);
    assert_eq!(notice.subject, "Votre mot de passe Vigie a changé");
    // And the link is an hour's.
    let hours: f64 = sqlx::query_scalar(
        "select extract(epoch from expires_at - created_at)::float8 / 3600 from password_token",
    )
    .fetch_optional(&app.pool)
    .await
    .unwrap()
    .unwrap_or(1.0);
    assert!((hours - 1.0).abs() < 0.01, "{hours}");
}

#[tokio::test]
async fn requests_for_links_are_throttled() {
    let server = SmtpServer::start();
    let app = with_mail(&server).await;
    let account = app.account(Role::Journalist).await;
    let visitor = app.browser();
    for _ in 0..5 {
        let page = visitor
            .post("/password/forgot", &[("email", &account.email)])
            .await;
        assert_eq!(page.status, 200);
    }
    let refused = visitor
        .post("/password/forgot", &[("email", &account.email)])
        .await;
    assert_eq!(refused.status, 429);
    server.wait_for(5).await;
    queue_empty(&app).await;
    assert_eq!(server.received().len(), 5);
}

#[tokio::test]
async fn an_invitation_and_the_review_notices_arrive_in_each_persons_language() {
    let server = SmtpServer::start();
    let app = with_mail(&server).await;
    let (admin, _) = app.signed_in(Role::Admin).await;
    let created = admin
        .post_signed(
            "/admin/users",
            &[
                ("email", "nouvelle@vigie.example"),
                ("name", "Nina Nouvelle"),
                ("role", "editor"),
            ],
        )
        .await;
    assert_eq!(created.status, 200);
    assert!(
        created.texts(".notice")[0]
            .starts_with("Compte créé. Une invitation est partie à nouvelle@vigie.example")
    );
    assert!(
        !created.body.contains("/password?token="),
        "the link is not shown when it is mailed"
    );
    let invitation = server.wait_for(1).await.remove(0);
    assert_eq!(invitation.rcpt, ["nouvelle@vigie.example"]);
    assert_eq!(invitation.subject, "Votre compte Vigie");
    assert!(invitation.to.contains("Nina Nouvelle"));
    let link = invitation.link("/password?token=");
    let path = link.trim_start_matches(&app.base_url()).to_owned();
    assert_eq!(app.browser().get(&path).await.status, 200);

    // An editor who reads English, a journalist who submits, the editor who sends it back.
    let (editor, editor_account) = app.signed_in(Role::Editor).await;
    let saved = editor
        .post_signed(
            "/account/profile",
            &[("display_name", "Ed Editor"), ("bio", ""), ("lang", "en")],
        )
        .await;
    assert_eq!(saved.status, 303);
    let (journalist, journalist_account) = app.signed_in(Role::Journalist).await;
    let id = new_article(&journalist, "Le vote du Parlement", "Texte.").await;
    let submitted = journalist
        .post_signed(
            &format!("/editor/articles/{id}/status"),
            &[("action", "submit"), ("version", "1")],
        )
        .await;
    assert_eq!(submitted.status, 303, "{}", submitted.body);
    // The admin (French) and the English-reading editor hear of it; the invited one has no
    // password yet and nobody else does.
    let mails = server.wait_for(3).await;
    let to_editor = mails
        .iter()
        .find(|m| m.rcpt == [editor_account.email.clone()])
        .expect("the editor's");
    assert_eq!(to_editor.subject, "To review: Le vote du Parlement");
    assert!(
        to_editor
            .link("/admin/review/")
            .ends_with(&format!("/admin/review/{id}"))
    );
    assert!(
        mails
            .iter()
            .any(|m| m.subject == "À relire : Le vote du Parlement")
    );
    assert!(
        !mails
            .iter()
            .any(|m| m.rcpt == [journalist_account.email.clone()])
    );

    let back = editor
        .post_signed(
            &format!("/admin/review/{id}"),
            &[
                ("decision", "request_changes"),
                ("version", "2"),
                ("note", "Ajoutez la date du vote."),
            ],
        )
        .await;
    assert_eq!(back.status, 303, "{}", back.body);
    let mails = server.wait_for(4).await;
    let to_author = mails.last().unwrap();
    assert_eq!(
        to_author.rcpt,
        std::slice::from_ref(&journalist_account.email)
    );
    assert_eq!(to_author.subject, "À reprendre : Le vote du Parlement");
    assert!(to_author.text.contains("Ajoutez la date du vote."));
}

#[tokio::test]
async fn with_the_mail_server_away_nothing_fails_and_the_mail_leaves_once_it_is_back() {
    let port = SmtpServer::free_port();
    let url = SmtpServer::url_for(port);
    let app = TestApp::spawn_with(move |c| {
        c.smtp_url = Some(vigie::config::Secret::new(url));
    })
    .await;
    let account = app.account(Role::Journalist).await;
    let page = app
        .browser()
        .post("/password/forgot", &[("email", &account.email)])
        .await;
    assert_eq!(page.status, 200, "the request is answered as usual");
    // The worker tries, fails, and keeps the mail for later.
    let mut tried = false;
    for _ in 0..300 {
        let row: Option<(i32, Option<String>)> =
            sqlx::query_as("select attempts, last_error from job where kind = 'password_reset'")
                .fetch_optional(&app.pool)
                .await
                .unwrap();
        if let Some((attempts, Some(error))) = row
            && attempts >= 1
        {
            assert!(
                !error.contains("smtp://"),
                "no address in the error: {error}"
            );
            tried = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(tried, "the worker tried to send");
    let server = SmtpServer::start_on(port);
    // Its back-off over (10 s), the worker sends it.
    sqlx::query("update job set run_after = now() where kind = 'password_reset'")
        .execute(&app.pool)
        .await
        .unwrap();
    let mail = server.wait_for(1).await.remove(0);
    assert_eq!(mail.rcpt, std::slice::from_ref(&account.email));
    queue_empty(&app).await;
}

#[tokio::test]
async fn without_a_mail_server_links_are_shown_and_nothing_is_queued() {
    let app = TestApp::spawn().await;
    assert!(
        app.get("/login")
            .await
            .attrs("a[href='/password/forgot']", "href")
            .is_empty()
    );
    assert_eq!(app.get("/password/forgot").await.status, 404);
    let (admin, _) = app.signed_in(Role::Admin).await;
    let created = admin
        .post_signed(
            "/admin/users",
            &[
                ("email", "x@vigie.example"),
                ("name", "X"),
                ("role", "journalist"),
            ],
        )
        .await;
    assert!(
        created.body.contains("/password?token="),
        "the admin hands it over"
    );
    assert_eq!(mail_jobs(&app).await, 0);
}

#[tokio::test]
async fn a_new_browser_and_a_second_factor_are_told_to_their_owner() {
    let server = SmtpServer::start();
    let app = with_mail(&server).await;
    let (first, account) = app.signed_in(Role::Journalist).await;
    // The first browser ever: nothing to tell.
    let other = app.browser_at("127.0.0.4");
    assert_eq!(other.sign_in(&account.email, PASSWORD).await.status, 303);
    let mail = server.wait_for(1).await.remove(0);
    assert_eq!(mail.subject, "Nouvelle connexion à votre compte Vigie");
    assert!(mail.text.contains("adresse 127.0.0.4"), "{}", mail.text);
    assert_eq!(
        first.post_signed("/account/two-factor", &[]).await.status,
        303
    );
    let page = first.get("/account").await;
    let key = page.texts("code.totp-secret").remove(0).replace(' ', "");
    let secret = vigie::domain::totp::Secret::from_bytes(
        data_encoding::BASE32_NOPAD.decode(key.as_bytes()).unwrap(),
    );
    let now = vigie::domain::totp::step_of(time::OffsetDateTime::now_utc().unix_timestamp());
    let on = first
        .post_signed(
            "/account/two-factor/confirm",
            &[
                ("code", &format!("{:06}", secret.code(now))),
                ("current", PASSWORD),
            ],
        )
        .await;
    assert_eq!(on.status, 200);
    let mails = server.wait_for(2).await;
    assert_eq!(mails[1].subject, "Double authentification activée");
    assert_eq!(server.received().len(), 2, "exactly these two");
}

#[tokio::test]
async fn a_new_address_needs_the_password_and_the_old_one_is_told() {
    let server = SmtpServer::start();
    let app = with_mail(&server).await;
    let (browser, account) = app.signed_in(Role::Journalist).await;
    let other = app.browser();
    assert_eq!(other.sign_in(&account.email, PASSWORD).await.status, 303);
    let colleague = app.account(Role::Journalist).await;
    let wrong = browser
        .post_signed(
            "/account/email",
            &[
                ("email", "nouvelle.adresse@vigie.example"),
                ("current", "pas le bon"),
            ],
        )
        .await;
    assert_eq!(wrong.status, 422);
    assert_eq!(
        wrong.attrs("#new-email", "value"),
        ["nouvelle.adresse@vigie.example"]
    );
    let taken = browser
        .post_signed(
            "/account/email",
            &[("email", &colleague.email), ("current", PASSWORD)],
        )
        .await;
    assert_eq!(taken.status, 422);
    assert_eq!(
        taken.texts("#email ~ .form-error"),
        ["Un autre compte a déjà cette adresse."]
    );
    // A link asked for before the change…
    let visitor = app.browser();
    visitor
        .post("/password/forgot", &[("email", &account.email)])
        .await;
    let link = server.wait_for(2).await.remove(1).link("/password?token=");
    let path = link.trim_start_matches(&app.base_url()).to_owned();
    assert_eq!(visitor.get(&path).await.status, 200);
    let changed = browser
        .post_signed(
            "/account/email",
            &[
                ("email", "nouvelle.adresse@vigie.example"),
                ("current", PASSWORD),
            ],
        )
        .await;
    assert_eq!(changed.status, 303);
    // …no longer opens the account.
    assert_eq!(visitor.get(&path).await.status, 404);
    // The old address hears of it (after the second browser's sign-in, told too).
    let mails = server.wait_for(3).await;
    assert_eq!(mails[0].subject, "Nouvelle connexion à votre compte Vigie");
    let told = &mails[2];
    assert_eq!(told.rcpt, std::slice::from_ref(&account.email));
    assert_eq!(told.subject, "L’adresse de votre compte Vigie a changé");
    assert_eq!(other.get("/editor").await.status, 303, "other sessions end");
    assert_eq!(browser.get("/editor").await.status, 200);
    let fresh = app.browser();
    assert_eq!(
        fresh
            .sign_in("nouvelle.adresse@vigie.example", PASSWORD)
            .await
            .status,
        303
    );
}

#[tokio::test]
async fn a_new_password_link_an_admin_asks_for_goes_to_the_person_not_the_admin() {
    let server = SmtpServer::start();
    let app = with_mail(&server).await;
    let (admin, _) = app.signed_in(Role::Admin).await;
    let colleague = app.account(Role::Editor).await;
    let page = admin
        .post_signed(&format!("/admin/users/{}/reset", colleague.id), &[])
        .await;
    assert_eq!(page.status, 200);
    assert!(
        !page.body.contains("/password?token="),
        "not on the admin's screen"
    );
    assert!(
        page.texts(".notice")[0]
            .starts_with("Un lien pour choisir un nouveau mot de passe est parti")
    );
    let mail = server.wait_for(1).await.remove(0);
    assert_eq!(mail.rcpt, std::slice::from_ref(&colleague.email));
    assert!(mail.text.contains("vous envoie un lien"));
}

#[tokio::test]
async fn a_colleague_mentioned_in_a_note_is_told_by_mail_too() {
    let server = SmtpServer::start();
    let app = with_mail(&server).await;
    let (author, writer) = app.signed_in(Role::Journalist).await;
    let (editor, _) = app.signed_in(Role::Editor).await;
    let id = new_article(&author, "Une note pour vous", "Texte.").await;
    let body = format!("@{} : la source de ce chiffre ?", writer.slug);
    let noted = editor
        .post_signed(&format!("/editor/articles/{id}/notes"), &[("text", &body)])
        .await;
    assert_eq!(noted.status, 303, "{}", noted.body);
    let mail = server.wait_for(1).await.remove(0);
    assert!(
        mail.subject.contains("vous mentionne : Une note pour vous"),
        "{}",
        mail.subject
    );
    assert!(
        mail.text.contains("la source de ce chiffre ?"),
        "{}",
        mail.text
    );
    assert!(
        mail.text.contains(&format!("/editor/articles/{id}#notes")),
        "{}",
        mail.text
    );
    queue_empty(&app).await;
    assert_eq!(server.received().len(), 1, "only the person mentioned");
}

/// Jobs that will tell a scheduled article's signers it is out.
async fn out_notices(app: &TestApp) -> i64 {
    jobs_of(app, &["out_notice"]).await
}

/// Its time on the newsroom's clock `minutes` from now, as the review form sends it.
async fn in_minutes(app: &TestApp, minutes: i32) -> String {
    sqlx::query_scalar(
        "select to_char((now() + make_interval(mins => $2)) at time zone $1, 'YYYY-MM-DD\"T\"HH24:MI')",
    )
    .bind(&app.state().config.timezone)
    .bind(minutes)
    .fetch_one(&app.pool)
    .await
    .unwrap()
}

/// An article in review, written by a journalist and co-signed by a colleague and by the
/// editor who will decide on it, once the submission's mail has left: the editor's browser,
/// the three signers' addresses (editor, author, co-author), the article and its version,
/// and how many messages the server holds so far.
struct CoSigned {
    editor: crate::helpers::Browser,
    emails: [String; 3],
    id: uuid::Uuid,
    version: String,
    before: usize,
}

async fn co_signed(app: &TestApp, server: &SmtpServer, title: &str) -> CoSigned {
    let (editor, editor_account) = app.signed_in(Role::Editor).await;
    let (author, author_account) = app.signed_in(Role::Journalist).await;
    let (_, coauthor_account) = app.signed_in(Role::Journalist).await;
    let (id, _) = crate::review::submitted(app, &author, title, "Texte.").await;
    for (position, user) in [(1, coauthor_account.id), (2, editor_account.id)] {
        sqlx::query(
            "insert into article_coauthor (article_id, position, user_id) values ($1, $2, $3)",
        )
        .bind(id)
        .bind(position)
        .bind(user)
        .execute(&app.pool)
        .await
        .unwrap();
    }
    queue_empty(app).await;
    CoSigned {
        editor,
        emails: [
            editor_account.email,
            author_account.email,
            coauthor_account.email,
        ],
        id,
        version: crate::review::version(app, id).await,
        before: server.received().len(),
    }
}

#[tokio::test]
async fn a_scheduled_articles_signers_are_mailed_when_it_comes_out_not_when_it_is_scheduled() {
    let server = SmtpServer::start();
    let app = with_mail(&server).await;
    let CoSigned {
        editor,
        emails: [editor_email, author_email, coauthor_email],
        id,
        version,
        before,
    } = co_signed(&app, &server, "Le calendrier").await;

    // Scheduled for later: nobody is told it is published, since it is not.
    let at = in_minutes(&app, 120).await;
    let scheduled = editor
        .post_signed(
            &format!("/admin/review/{id}"),
            &[("decision", "schedule"), ("version", &version), ("at", &at)],
        )
        .await;
    assert_eq!(scheduled.status, 303, "{}", scheduled.body);
    queue_empty(&app).await;
    assert_eq!(
        server.received().len(),
        before,
        "no mail at scheduling: {:?}",
        &server.received()[before..]
    );
    assert_eq!(out_notices(&app).await, 1);

    // Moved to two seconds from now (as an editor's new time would): it comes out then, and
    // both signers hear of it, the co-author too; the editor who scheduled it does not.
    sqlx::query("update article set published_at = now() + interval '2 seconds' where id = $1")
        .bind(id)
        .execute(&app.pool)
        .await
        .unwrap();
    assert_eq!(out_notices(&app).await, 1, "the first time's job is gone");
    let mails = server.wait_for(before + 2).await;
    let out: Vec<_> = mails[before..].iter().collect();
    let mut to: Vec<String> = out.iter().map(|m| m.rcpt.concat()).collect();
    to.sort();
    let mut signers = vec![author_email.clone(), coauthor_email.clone()];
    signers.sort();
    assert_eq!(to, signers);
    for mail in &out {
        assert_eq!(mail.subject, "Paru : Le calendrier");
        assert!(
            mail.text.contains("est paru à l’heure prévue"),
            "{}",
            mail.text
        );
        assert!(mail.link("/articles/").ends_with("/articles/le-calendrier"));
    }
    // A second job for the same time (or the same job run again) finds everybody told.
    none_left(&app, &["out_notice"]).await;
    sqlx::query(
        "insert into job (kind, payload, max_attempts, run_after)
         select 'out_notice', jsonb_build_object('article', id, 'at', published_at), 20, now()
         from article where id = $1",
    )
    .bind(id)
    .execute(&app.pool)
    .await
    .unwrap();
    none_left(&app, &["out_notice"]).await;
    queue_empty(&app).await;
    assert_eq!(server.received().len(), before + 2);
    assert!(
        !server
            .received()
            .iter()
            .any(|m| m.rcpt == [editor_email.clone()] && m.subject.contains("Paru")),
    );
}

#[tokio::test]
async fn publishing_a_co_signed_article_mails_every_signer_but_whoever_published_it() {
    let server = SmtpServer::start();
    let app = with_mail(&server).await;
    let CoSigned {
        editor,
        emails: [editor_email, author_email, coauthor_email],
        id,
        version,
        before,
    } = co_signed(&app, &server, "À deux voix").await;
    let published = editor
        .post_signed(
            &format!("/admin/review/{id}"),
            &[("decision", "publish"), ("version", &version)],
        )
        .await;
    assert_eq!(published.status, 303, "{}", published.body);
    server.wait_for(before + 2).await;
    queue_empty(&app).await;
    let received = server.received();
    let mails = &received[before..];
    assert_eq!(mails.len(), 2, "{mails:?}");
    let mut to: Vec<String> = mails.iter().map(|m| m.rcpt.concat()).collect();
    to.sort();
    let mut signers = vec![author_email, coauthor_email];
    signers.sort();
    assert_eq!(to, signers);
    assert!(mails.iter().all(|m| m.subject == "Publié : À deux voix"));
    assert!(!to.contains(&editor_email));
}

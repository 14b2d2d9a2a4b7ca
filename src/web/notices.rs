//! Who hears of what: in the staff menu (`store::notifications`), and by e-mail, queued in the
//! caller's transaction (sent once it commits): the
//! review notices (submitted → editors and admins; sent back and published → the signers; a
//! scheduled article's signers when it comes out, by the `out_notice` job) and
//! the security notices (a password or second factor changed, a sign-in from a new browser).
//! Nothing is queued without a mail server (`VIGIE_SMTP_URL`), and nobody hears of their own
//! doing.

use sqlx::PgConnection;
use uuid::Uuid;

use super::AppState;
use crate::domain::Action;
use crate::mail::messages::{self, Security, To};
use crate::mail::{self, Outgoing};
use crate::store::articles::desk;
use crate::store::notifications::{self, Kind};
use crate::store::users::{self, Recipient};

impl AppState {
    fn mail_to<'a>(&self, r: &'a Recipient) -> To<'a> {
        To {
            name: &r.display_name,
            email: &r.email,
            lang: r.lang.unwrap_or(self.config.lang),
        }
    }

    /// Queues what `write` makes for `user`, if mail is on and their account is enabled.
    pub(in crate::web) async fn mail_user(
        &self,
        conn: &mut PgConnection,
        user: Uuid,
        write: impl FnOnce(&To<'_>) -> Outgoing,
    ) -> Result<bool, sqlx::Error> {
        if self.mailer.is_none() {
            return Ok(false);
        }
        let Some(recipient) = users::recipient(conn, user).await? else {
            return Ok(false);
        };
        // An address mail cannot carry would fail at every try: not queued.
        if recipient.email.parse::<lettre::Address>().is_err() {
            return Ok(false);
        }
        let outgoing = write(&self.mail_to(&recipient));
        mail::queue(conn, &outgoing).await?;
        Ok(true)
    }

    /// After `actor` moved article `id` by `action`: the review notices it calls for.
    pub(in crate::web) async fn review_notice(
        &self,
        conn: &mut PgConnection,
        id: Uuid,
        action: Action,
        actor: Uuid,
        note: Option<&str>,
    ) -> Result<(), sqlx::Error> {
        let scheduled = action == Action::Publish && desk::scheduled(conn, id).await?;
        // In the staff menu first: whether or not mail is on.
        let told = match action {
            Action::Submit => Some((notifications::reviewers(conn).await?, Kind::Submitted)),
            Action::RequestChanges => {
                Some((notifications::signers(conn, id).await?, Kind::SentBack))
            }
            // A scheduled article's signers hear of it when it comes out (a trigger's doing,
            // and an `out_notice` job's for the mail).
            Action::Publish if !scheduled => {
                Some((notifications::signers(conn, id).await?, Kind::Published))
            }
            _ => None,
        };
        if let Some((users, kind)) = &told {
            notifications::notify(conn, users, *kind, id, actor).await?;
        }
        if self.mailer.is_none() {
            return Ok(());
        }
        let Some(article) = desk::noticed(conn, id).await? else {
            return Ok(());
        };
        let actor_name = users::recipient(conn, actor)
            .await?
            .map(|r| r.display_name)
            .unwrap_or_default();
        let base = &self.config.base_url;
        match (action, told) {
            (Action::Submit, _) => {
                let link = format!("{base}/admin/review/{id}");
                for reviewer in users::reviewers(conn, actor).await? {
                    if reviewer.email.parse::<lettre::Address>().is_err() {
                        continue;
                    }
                    let to = self.mail_to(&reviewer);
                    let outgoing = messages::submitted(&to, &article.title, &actor_name, &link);
                    mail::queue(conn, &outgoing).await?;
                }
            }
            // Every signer with an account, as in the menu; not whoever did it.
            (Action::RequestChanges, Some((signers, _))) => {
                let link = format!("{base}/editor/articles/{id}");
                let note = note.unwrap_or_default();
                for signer in signers.into_iter().filter(|s| *s != actor) {
                    self.mail_user(conn, signer, |to| {
                        messages::sent_back(to, &article.title, &actor_name, note, &link)
                    })
                    .await?;
                }
            }
            (Action::Publish, Some((signers, _))) => {
                let link = format!("{base}{}", article.path);
                for signer in signers.into_iter().filter(|s| *s != actor) {
                    self.mail_user(conn, signer, |to| {
                        messages::published(to, &article.title, &actor_name, &link)
                    })
                    .await?;
                }
            }
            _ => {}
        }
        Ok(())
    }

    /// A change to how `user` signs in.
    pub(in crate::web) async fn security_notice(
        &self,
        conn: &mut PgConnection,
        user: Uuid,
        what: Security,
    ) -> Result<(), sqlx::Error> {
        let account = format!("{}/account", self.config.base_url);
        self.mail_user(conn, user, |to| {
            messages::security_notice(to, what, &account)
        })
        .await?;
        Ok(())
    }

    /// A sign-in to `user` from a browser it did not know.
    pub(in crate::web) async fn new_device_notice(
        &self,
        conn: &mut PgConnection,
        user: Uuid,
        user_agent: &str,
        address: &str,
    ) -> Result<(), sqlx::Error> {
        let account = format!("{}/account#sessions", self.config.base_url);
        let device = crate::domain::device::describe(user_agent);
        self.mail_user(conn, user, |to| {
            messages::new_device(to, &device, address, &account)
        })
        .await?;
        Ok(())
    }
}

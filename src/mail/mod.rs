//! E-mail: messages are written into the job queue in the transaction of what causes them
//! ([`queue`]), and sent through SMTP by the background worker of any instance ([`Mailer`]),
//! retried with back-off when the server does not answer. Without `VIGIE_SMTP_URL` nothing is
//! queued (callers ask [`Mailer`]'s existence first) and the site works as before.

pub mod messages;
pub mod out;
pub mod reset;

use std::time::Duration;

use anyhow::Context;
use lettre::message::{Mailbox, MultiPart};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use serde::{Deserialize, Serialize};
use sqlx::PgConnection;

use crate::config::Config;
use crate::store::jobs::{self, Kind};

/// The longest one sending may take (connecting, TLS, the exchange), after which it is tried
/// again later.
const SEND_TIMEOUT: Duration = Duration::from_secs(20);

/// One message, as the queue keeps it until it is sent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Outgoing {
    /// `Name <address>` or a bare address.
    pub to: String,
    pub subject: String,
    pub text: String,
    pub html: String,
}

/// Queues `mail`, in the caller's transaction: sent once it commits, never if it does not.
pub async fn queue(conn: &mut PgConnection, mail: &Outgoing) -> Result<(), sqlx::Error> {
    let payload = serde_json::to_value(mail).map_err(|e| sqlx::Error::Encode(Box::new(e)))?;
    jobs::add(conn, Kind::Mail, payload).await
}

/// Sends mail through the SMTP server of `VIGIE_SMTP_URL`.
#[derive(Clone)]
pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

impl std::fmt::Debug for Mailer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The transport holds the server's password.
        f.debug_struct("Mailer").field("from", &self.from).finish()
    }
}

impl Mailer {
    /// The mailer of the settings, or `None` when no SMTP server is set.
    pub fn from_config(config: &Config) -> anyhow::Result<Option<Self>> {
        let Some(url) = &config.smtp_url else {
            return Ok(None);
        };
        // The URL holds a password: its own errors are not repeated (they could quote it).
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url.expose())
            .map_err(|_| {
                anyhow::anyhow!("VIGIE_SMTP_URL cannot be used (see the README for its forms)")
            })?
            .timeout(Some(SEND_TIMEOUT))
            .build();
        let from: Mailbox = match &config.mail_from {
            Some(set) => set
                .parse()
                .context("VIGIE_MAIL_FROM is not an address such as Vigie <vigie@example.org>")?,
            // The site's own host, when it makes an address (an IP address does not).
            None => format!(
                "Vigie <noreply@{}>",
                crate::config::host_of(&config.base_url)
            )
            .parse()
            .or_else(|_| "Vigie <noreply@localhost>".parse())
            .context("the default sender")?,
        };
        Ok(Some(Self { transport, from }))
    }

    /// Sends one queued message (the job's payload).
    pub async fn send(&self, payload: &serde_json::Value) -> anyhow::Result<()> {
        let mail: Outgoing =
            serde_json::from_value(payload.clone()).context("a mail job's payload")?;
        self.send_now(mail).await
    }

    /// Sends `mail` now (from a job).
    pub async fn send_now(&self, mail: Outgoing) -> anyhow::Result<()> {
        let to: Mailbox = mail.to.parse().context("the recipient's address")?;
        let message = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(mail.subject)
            .multipart(MultiPart::alternative_plain_html(mail.text, mail.html))
            .context("building the message")?;
        tokio::time::timeout(
            SEND_TIMEOUT + Duration::from_secs(5),
            self.transport.send(message),
        )
        .await
        .context("the mail server did not answer in time")?
        .context("the mail server refused or could not be reached")?;
        Ok(())
    }
}

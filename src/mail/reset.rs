//! The "mot de passe oublié" job: the address typed is looked up here, off the request (whose
//! answer and timing are then the same for every address), and an enabled account's owner gets
//! a fresh link (valid an hour, once) whose token is made as the mail leaves — it never waits in
//! the queue.

use std::time::Duration;

use anyhow::Context;
use serde_json::json;

use super::messages::{self, To};
use crate::domain::AuditAction;
use crate::jobs::Worker;
use crate::store::{audit, users};

/// How long the link works.
pub const VALID: Duration = Duration::from_secs(3600);

pub async fn run(worker: &Worker, payload: &serde_json::Value) -> anyhow::Result<()> {
    let Some(mailer) = &worker.mailer else {
        anyhow::bail!("no mail server is set (VIGIE_SMTP_URL)");
    };
    let email = payload["email"].as_str().context("a reset job's address")?;
    let Some(candidate) = users::for_login(&worker.pool, email).await? else {
        return Ok(());
    };
    let mut tx = worker.pool.begin().await?;
    let Some(recipient) = users::recipient(&mut tx, candidate.id).await? else {
        // Disabled: nothing to send.
        return Ok(());
    };
    let token = users::password_token_for(&mut tx, candidate.id, candidate.id, VALID).await?;
    let link = format!("{}/password?token={token}", worker.base_url);
    let to = To {
        name: &recipient.display_name,
        email: &recipient.email,
        lang: recipient.lang.unwrap_or(worker.lang),
    };
    audit::record(
        &mut tx,
        None,
        AuditAction::UserPasswordLink,
        &candidate.id.to_string(),
        json!({ "via": "forgot" }),
    )
    .await?;
    // Sent before the token is kept: a mail that fails leaves no link behind, and the job is
    // tried again with a new one.
    mailer
        .send_now(messages::password_reset(&to, &link))
        .await?;
    tx.commit().await?;
    Ok(())
}

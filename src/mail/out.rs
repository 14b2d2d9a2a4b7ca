//! The `out_notice` job: when a scheduled article comes out, its signers are told by e-mail
//! (the staff menu's notice was written when it was scheduled, due at the same time). Queued
//! by the trigger that writes those notices; sends nothing for an article moved or taken back
//! meanwhile, nor without a mail server.

use anyhow::Context;
use time::OffsetDateTime;
use uuid::Uuid;

use super::messages::{self, To};
use crate::jobs::Worker;
use crate::store::{notifications, users};

pub async fn run(worker: &Worker, payload: &serde_json::Value) -> anyhow::Result<()> {
    if worker.mailer.is_none() {
        return Ok(());
    }
    let article: Uuid = payload["article"]
        .as_str()
        .and_then(|s| s.parse().ok())
        .context("an out_notice job's article")?;
    let at = payload["at"]
        .as_str()
        .and_then(|s| OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339).ok())
        .context("an out_notice job's time")?;
    let mut tx = worker.pool.begin().await?;
    for (user, title, path) in notifications::out_at(&mut tx, article, at).await? {
        let Some(recipient) = users::recipient(&mut tx, user).await? else {
            continue;
        };
        if recipient.email.parse::<lettre::Address>().is_err() {
            continue;
        }
        let to = To {
            name: &recipient.display_name,
            email: &recipient.email,
            lang: recipient.lang.unwrap_or(worker.lang),
        };
        let link = format!("{}{path}", worker.base_url);
        super::queue(&mut tx, &messages::scheduled_out(&to, &title, &link)).await?;
    }
    tx.commit().await?;
    Ok(())
}

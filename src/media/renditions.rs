//! The `renditions` job: reads an image's private original, makes the files readers get
//! (`process::renditions`), stores them, and records them in one transaction.

use anyhow::Context;
use serde_json::{Value, json};
use uuid::Uuid;

use super::process;
use crate::jobs::Worker;
use crate::store::{self, jobs};

/// The job's payload for image `id`.
pub fn payload(id: Uuid) -> Value {
    json!({ "media": id })
}

/// Asks for the renditions of image `id`, in the caller's transaction.
pub async fn ask(conn: &mut sqlx::PgConnection, id: Uuid) -> Result<(), sqlx::Error> {
    jobs::add(conn, jobs::Kind::Renditions, payload(id)).await
}

fn media_id(payload: &Value) -> anyhow::Result<Uuid> {
    payload["media"]
        .as_str()
        .and_then(|s| Uuid::parse_str(s).ok())
        .context("a renditions job without an image id")
}

pub(crate) async fn run(worker: &Worker, payload: &Value) -> anyhow::Result<()> {
    let id = media_id(payload)?;
    let Some(media) = store::media::get(&worker.pool, id)
        .await
        .context("reading the image")?
    else {
        // Deleted since: nothing to make.
        return Ok(());
    };
    let original = worker.media.get(&media.original_key).await?;
    let focal = (media.focal_x, media.focal_y);
    let max = worker.media_max_bytes;
    let permit = std::sync::Arc::clone(&worker.images)
        .acquire_owned()
        .await
        .context("image slots closed")?;
    let made = tokio::task::spawn_blocking(move || {
        let _slot = permit;
        process::renditions(&original, max, focal)
    })
    .await
    .context("making renditions")?
    .map_err(|refusal| anyhow::anyhow!("the original cannot be used: {refusal}"))?;
    let mut files = Vec::with_capacity(made.len());
    for r in made {
        files.push(store::media::File {
            purpose: r.purpose.as_str().to_owned(),
            format: r.encoding.as_str().to_owned(),
            width: i32::try_from(r.width).unwrap_or(i32::MAX),
            height: i32::try_from(r.height).unwrap_or(i32::MAX),
            file: r.file.clone(),
            bytes: i64::try_from(r.bytes.len()).unwrap_or(i64::MAX),
        });
        worker
            .media
            .put(&format!("public/{}", r.file), r.bytes)
            .await?;
    }
    let mut tx = worker
        .pool
        .begin()
        .await
        .context("starting a transaction")?;
    store::media::renditions_made(&mut tx, id, &media.original_key, focal, &files)
        .await
        .context("recording renditions")?;
    tx.commit().await.context("recording renditions")?;
    Ok(())
}

/// The job has used its attempts: the library shows the image as failed.
pub(crate) async fn given_up(worker: &Worker, payload: &Value) {
    if let Ok(id) = media_id(payload)
        && let Err(e) = store::media::mark_failed(&worker.pool, id).await
    {
        tracing::warn!(error = %e, "cannot mark an image as failed");
    }
}

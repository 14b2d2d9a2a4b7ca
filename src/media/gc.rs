//! `vigie media gc`: removes stored files nothing names any more (renditions of a replaced
//! file or a moved focal point, originals and renditions of deleted images, a file stored by an
//! upload whose transaction failed). Only Vigie's two areas are looked at (`originals/`,
//! `public/`): a bucket shared with anything else keeps the rest.
//!
//! A file is kept for the grace period after it stopped being named (`media_retired`, kept by
//! triggers), so that cached pages, feeds and social cards still find it; a file no row ever
//! named (a failed upload's) for the grace period after it was stored, so that an upload in
//! progress is never taken. Each file is looked at again just before it goes: one stored anew
//! meanwhile (the same bytes sent again) is kept.

use std::time::Duration;

use sqlx::PgPool;

use super::MediaStore;

/// What a collection did (or, dry, would do).
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Collected {
    pub removed: usize,
    pub removed_bytes: u64,
    pub kept: usize,
    /// Unnamed, but within the grace period.
    pub too_young: usize,
}

impl std::fmt::Display for Collected {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} unused file(s), {} bytes; {} in use; {} unused but within the grace period",
            self.removed, self.removed_bytes, self.kept, self.too_young
        )
    }
}

/// Removes (unless `dry_run`) every stored file no image names, unnamed for longer than `grace`.
pub async fn collect(
    pool: &PgPool,
    store: &MediaStore,
    grace: Duration,
    dry_run: bool,
) -> anyhow::Result<Collected> {
    // Listed first, named second: a file stored between the two is young, hence kept.
    let files = store.list().await?;
    let named = crate::store::media::referenced_files(pool).await?;
    let retired = crate::store::media::retired_files(pool).await?;
    let now = time::OffsetDateTime::now_utc();
    let old_enough = |file: &super::storage::StoredFile| {
        let since = retired
            .get(&file.key)
            .map_or(file.modified, |at| (*at).max(file.modified));
        now - since >= grace
    };
    let mut collected = Collected::default();
    let mut gone = Vec::new();
    for file in files {
        if named.contains(&file.key) {
            collected.kept += 1;
            continue;
        }
        if !old_enough(&file) {
            collected.too_young += 1;
            continue;
        }
        if !dry_run {
            // Stored again since the listing (the same bytes sent anew): not ours to take.
            match store.head(&file.key).await? {
                Some(now_there) if now_there.modified != file.modified => {
                    collected.too_young += 1;
                    continue;
                }
                None => {}
                Some(_) => store.delete(&file.key).await?,
            }
            gone.push(file.key.clone());
        }
        collected.removed += 1;
        collected.removed_bytes += file.bytes;
    }
    if !gone.is_empty() {
        crate::store::media::forget_retired(pool, &gone).await?;
    }
    Ok(collected)
}

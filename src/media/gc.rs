//! `vigie media gc`: removes stored files nothing names any more (renditions of a replaced
//! file or a moved focal point, originals and renditions of deleted images, a file stored by an
//! upload whose transaction failed). Files younger than the grace period are kept: an upload
//! or a renditions job may have stored them and not yet committed the row that names them.

use std::time::Duration;

use sqlx::PgPool;

use super::MediaStore;

/// What a collection did (or, dry, would do).
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Collected {
    pub removed: usize,
    pub removed_bytes: u64,
    pub kept: usize,
    /// Unnamed, but younger than the grace period.
    pub too_young: usize,
}

impl std::fmt::Display for Collected {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} unused file(s), {} bytes; {} in use; {} unused but too recent to remove",
            self.removed, self.removed_bytes, self.kept, self.too_young
        )
    }
}

/// Removes (unless `dry_run`) every stored file no image names that is older than `grace`.
pub async fn collect(
    pool: &PgPool,
    store: &MediaStore,
    grace: Duration,
    dry_run: bool,
) -> anyhow::Result<Collected> {
    // Listed first, named second: a file stored between the two is young, hence kept.
    let files = store.list().await?;
    let named = crate::store::media::referenced_files(pool).await?;
    let now = time::OffsetDateTime::now_utc();
    let mut collected = Collected::default();
    for file in files {
        if named.contains(&file.key) {
            collected.kept += 1;
        } else if now - file.modified < grace {
            collected.too_young += 1;
        } else {
            if !dry_run {
                store.delete(&file.key).await?;
            }
            collected.removed += 1;
            collected.removed_bytes += file.bytes;
        }
    }
    Ok(collected)
}

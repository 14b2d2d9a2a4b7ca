//! The images a WordPress import brings along: each file of the old site's
//! `wp-content/uploads` that an imported post shows (in its body, or as its featured image)
//! becomes a Vigie image, read from a copy of that folder (`--uploads DIR`), checked like an
//! upload, kept in the media store, its renditions asked of the worker. Each file comes once,
//! however many posts or sizes (`photo-300x200.jpg`) use it. What cannot come (no folder, a
//! missing or unreadable file) is listed in the report, still pointing at the old site.

use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};

use anyhow::Context;
use sqlx::PgConnection;
use uuid::Uuid;

use super::{Attachment, Site};
use crate::media::MediaStore;
use crate::media::process;
use crate::store;

const UPLOADS: &str = "/wp-content/uploads/";

/// The images of one import.
pub(super) struct Library<'a> {
    media: &'a MediaStore,
    uploads: Option<&'a Path>,
    max_bytes: u64,
    /// Attachments by their file under `uploads`.
    attachments: HashMap<String, &'a Attachment>,
    by_id: HashMap<i64, &'a Attachment>,
    /// Files already brought, by their path under `uploads`.
    brought: HashMap<String, Brought>,
    /// Addresses left pointing at the old site, with why.
    pub left: BTreeSet<String>,
}

/// An image brought into the library.
#[derive(Debug, Clone)]
pub(super) struct Brought {
    pub id: Uuid,
    pub alt: String,
}

impl<'a> Library<'a> {
    pub fn new(
        site: &'a Site,
        media: &'a MediaStore,
        uploads: Option<&'a Path>,
        max_bytes: u64,
    ) -> Self {
        Self {
            media,
            uploads,
            max_bytes,
            attachments: site
                .attachments
                .iter()
                .filter(|a| !a.file.is_empty())
                .map(|a| (a.file.clone(), a))
                .collect(),
            by_id: site.attachments.iter().map(|a| (a.wp_id, a)).collect(),
            brought: HashMap::new(),
            left: BTreeSet::new(),
        }
    }

    /// How many files came.
    pub fn count(&self) -> usize {
        self.brought.len()
    }

    /// The image an address shows, brought if it is an uploaded file of the old site and the
    /// copy of the folder has it; `None` (and the address listed) otherwise. Other addresses
    /// (not under `wp-content/uploads`, or not an image) are none of its business: `None`.
    pub async fn for_address(
        &mut self,
        conn: &mut PgConnection,
        url: &str,
    ) -> anyhow::Result<Option<Brought>> {
        let Some(relative) = relative(url) else {
            return Ok(None);
        };
        if !looks_like_image(&relative) {
            return Ok(None);
        }
        let found = self.bring(conn, &relative).await?;
        if found.is_none() {
            self.left.insert(url.to_owned());
        }
        Ok(found)
    }

    /// A post's featured image (`_thumbnail_id`).
    pub async fn featured(
        &mut self,
        conn: &mut PgConnection,
        thumbnail_id: i64,
    ) -> anyhow::Result<Option<Brought>> {
        let Some(attachment) = self.by_id.get(&thumbnail_id).copied() else {
            return Ok(None);
        };
        let found = self.bring(conn, &attachment.file).await?;
        if found.is_none() {
            self.left.insert(attachment.url.clone());
        }
        Ok(found)
    }

    /// The file at `relative` (or the original it is a resized copy of), brought once.
    async fn bring(
        &mut self,
        conn: &mut PgConnection,
        relative: &str,
    ) -> anyhow::Result<Option<Brought>> {
        let Some(uploads) = self.uploads else {
            return Ok(None);
        };
        for candidate in originals_of(relative) {
            if let Some(done) = self.brought.get(&candidate) {
                return Ok(Some(done.clone()));
            }
            let path = uploads.join(&candidate);
            if !safe_under(uploads, &path) {
                continue;
            }
            // Too large: left where it is, like an upload that size would be refused.
            match tokio::fs::metadata(&path).await {
                Ok(meta) if meta.is_file() && meta.len() <= self.max_bytes => {}
                _ => continue,
            }
            let Ok(bytes) = tokio::fs::read(&path).await else {
                continue;
            };
            let max = self.max_bytes;
            let (bytes, inspected) = tokio::task::spawn_blocking(move || {
                let inspected = process::inspect(&bytes, max);
                (bytes, inspected)
            })
            .await
            .context("checking an image")?;
            let Ok(inspected) = inspected else {
                continue;
            };
            let attachment = self.attachments.get(&candidate).copied();
            // Within the library's limits (an over-long caption must not stop the import), and
            // without the characters the site never stores.
            let words = |text: &str, max: usize| -> String {
                crate::domain::text::storable(text.trim())
                    .chars()
                    .take(max)
                    .collect::<String>()
                    .trim()
                    .to_owned()
            };
            let alt = attachment.map(|a| words(&a.alt, 500)).unwrap_or_default();
            let caption = attachment
                .map(|a| words(&a.caption, 1000))
                .unwrap_or_default();
            let key =
                MediaStore::original_key(&process::full_hash(&bytes), inspected.format.extension());
            let size = i64::try_from(bytes.len()).unwrap_or(i64::MAX);
            self.media.put(&key, bytes).await?;
            let id = Uuid::new_v4();
            store::media::insert(
                conn,
                &store::media::NewMedia {
                    id,
                    original_key: &key,
                    original_bytes: size,
                    format: inspected.format.as_str(),
                    width: i32::try_from(inspected.width).unwrap_or(i32::MAX),
                    height: i32::try_from(inspected.height).unwrap_or(i32::MAX),
                    alt: &alt,
                    caption: &caption,
                    credit: "",
                    uploaded_by: None,
                },
            )
            .await
            .with_context(|| format!("image {candidate}"))?;
            crate::media::renditions::ask(conn, id).await?;
            let done = Brought { id, alt };
            self.brought.insert(candidate, done.clone());
            return Ok(Some(done));
        }
        Ok(None)
    }
}

/// The path under `wp-content/uploads` of an address of the old site, percent-decoded,
/// without query or fragment.
fn relative(url: &str) -> Option<String> {
    let (_, rest) = url.split_once(UPLOADS)?;
    let rest = rest.split(['?', '#']).next().unwrap_or(rest);
    let decoded = percent_encoding::percent_decode_str(rest)
        .decode_utf8()
        .ok()?;
    (!decoded.is_empty()).then(|| decoded.into_owned())
}

fn looks_like_image(relative: &str) -> bool {
    let lower = relative.to_ascii_lowercase();
    [".jpg", ".jpeg", ".png", ".gif", ".webp"]
        .iter()
        .any(|ext| lower.ends_with(ext))
}

/// `relative`, then the original WordPress resized it from: `photo-300x200.jpg` and
/// `photo-scaled.jpg` come from `photo.jpg`.
fn originals_of(relative: &str) -> Vec<String> {
    let mut candidates = vec![relative.to_owned()];
    let Some((stem, ext)) = relative.rsplit_once('.') else {
        return candidates;
    };
    let mut original = stem;
    if let Some((head, size)) = original.rsplit_once('-')
        && let Some((w, h)) = size.split_once('x')
        && !w.is_empty()
        && !h.is_empty()
        && w.bytes().chain(h.bytes()).all(|b| b.is_ascii_digit())
    {
        original = head;
    }
    original = original.strip_suffix("-scaled").unwrap_or(original);
    if original != stem {
        candidates.push(format!("{original}.{ext}"));
    }
    candidates
}

/// Whether `path` stays inside `root` (an export could name `../../etc/passwd`).
fn safe_under(root: &Path, path: &Path) -> bool {
    use std::path::Component;
    let Ok(rest) = path.strip_prefix(root) else {
        return false;
    };
    rest.components().all(|c| matches!(c, Component::Normal(_)))
        && !rest.as_os_str().is_empty()
        && PathBuf::from(rest).is_relative()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resized_copies_lead_to_their_original() {
        assert_eq!(
            originals_of("2026/03/photo-300x200.jpg"),
            ["2026/03/photo-300x200.jpg", "2026/03/photo.jpg"]
        );
        assert_eq!(
            originals_of("2026/03/photo-scaled.jpg"),
            ["2026/03/photo-scaled.jpg", "2026/03/photo.jpg"]
        );
        assert_eq!(
            originals_of("2026/03/carte-ue.png"),
            ["2026/03/carte-ue.png"]
        );
        assert_eq!(
            relative("https://veille.example/wp-content/uploads/2026/03/r%C3%A9union.jpg?w=300"),
            Some("2026/03/réunion.jpg".to_owned())
        );
        assert_eq!(relative("https://veille.example/autre/photo.jpg"), None);
    }

    #[test]
    fn nothing_outside_the_uploads_folder_is_read() {
        let root = Path::new("/srv/uploads");
        assert!(safe_under(root, &root.join("2026/03/photo.jpg")));
        assert!(!safe_under(root, &root.join("../secret.jpg")));
        // What `join` makes of an absolute name: that name alone.
        assert!(!safe_under(root, Path::new("/etc/passwd.jpg")));
    }
}

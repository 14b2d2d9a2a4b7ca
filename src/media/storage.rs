//! Where media files are kept, through `object_store`: a folder of this machine by default, an
//! S3-compatible bucket when several instances share them. Two areas: `originals/` (the files
//! as sent, private: never served) and `public/` (renditions, named by the hash of their bytes).

use std::sync::Arc;

use anyhow::Context;
use axum::body::Bytes;
use futures_util::stream::{BoxStream, StreamExt};
use object_store::path::Path;
use object_store::{ObjectStore, ObjectStoreExt, PutPayload};

use crate::config::{MediaStorage, S3Settings};

/// The media store of this instance.
#[derive(Clone, Debug)]
pub struct MediaStore {
    inner: Arc<dyn ObjectStore>,
}

/// A file of the store, for `vigie media gc` and the export.
#[derive(Debug, Clone)]
pub struct StoredFile {
    /// `originals/…` or `public/…`.
    pub key: String,
    pub bytes: u64,
    pub modified: time::OffsetDateTime,
}

impl MediaStore {
    /// Opens the store the settings name (creating the local folder if needed).
    pub fn open(storage: &MediaStorage) -> anyhow::Result<Self> {
        let inner: Arc<dyn ObjectStore> = match storage {
            MediaStorage::Local(dir) => {
                std::fs::create_dir_all(dir)
                    .with_context(|| format!("creating the media folder {}", dir.display()))?;
                Arc::new(
                    object_store::local::LocalFileSystem::new_with_prefix(dir)
                        .with_context(|| format!("opening the media folder {}", dir.display()))?,
                )
            }
            MediaStorage::S3(s3) => s3_store(s3)?,
        };
        Ok(Self { inner })
    }

    /// Where an original is kept, by the hash of its bytes: sending the same file twice keeps
    /// it once.
    pub fn original_key(hash: &str, extension: &str) -> String {
        format!("originals/{hash}.{extension}")
    }

    /// Stores `bytes` under `key` (replacing what was there).
    pub async fn put(&self, key: &str, bytes: impl Into<PutPayload>) -> anyhow::Result<()> {
        self.inner
            .put(&Path::from(key), bytes.into())
            .await
            .with_context(|| format!("storing media file {key}"))?;
        Ok(())
    }

    /// The whole file under `key`.
    pub async fn get(&self, key: &str) -> anyhow::Result<Bytes> {
        let found = self
            .inner
            .get(&Path::from(key))
            .await
            .with_context(|| format!("reading media file {key}"))?;
        found
            .bytes()
            .await
            .with_context(|| format!("reading media file {key}"))
    }

    /// A served file (`public/<file>`) as a stream, with its size; `None` if there is none.
    pub async fn open_public(
        &self,
        file: &str,
    ) -> anyhow::Result<Option<(u64, BoxStream<'static, Result<Bytes, std::io::Error>>)>> {
        match self.inner.get(&Path::from(format!("public/{file}"))).await {
            Ok(found) => {
                let size = found.meta.size;
                let stream = found
                    .into_stream()
                    .map(|chunk| chunk.map_err(std::io::Error::other))
                    .boxed();
                Ok(Some((size, stream)))
            }
            Err(object_store::Error::NotFound { .. }) => Ok(None),
            Err(e) => Err(e).context("reading a served media file"),
        }
    }

    /// Every file of Vigie's two areas (`originals/`, `public/`); nothing else of a shared
    /// bucket is even listed.
    pub async fn list(&self) -> anyhow::Result<Vec<StoredFile>> {
        let mut files = Vec::new();
        for area in ["originals", "public"] {
            let mut listing = self.inner.list(Some(&Path::from(area)));
            while let Some(meta) = listing.next().await {
                files.push(stored(meta.context("listing media files")?));
            }
        }
        Ok(files)
    }

    /// The file under `key` as it is now, if there is one.
    pub async fn head(&self, key: &str) -> anyhow::Result<Option<StoredFile>> {
        match self.inner.head(&Path::from(key)).await {
            Ok(meta) => Ok(Some(stored(meta))),
            Err(object_store::Error::NotFound { .. }) => Ok(None),
            Err(e) => Err(e).with_context(|| format!("reading media file {key}")),
        }
    }

    pub async fn delete(&self, key: &str) -> anyhow::Result<()> {
        match self.inner.delete(&Path::from(key)).await {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(e) => Err(e).with_context(|| format!("deleting media file {key}")),
        }
    }
}

fn stored(meta: object_store::ObjectMeta) -> StoredFile {
    StoredFile {
        key: meta.location.to_string(),
        bytes: meta.size,
        modified: time::OffsetDateTime::from_unix_timestamp(meta.last_modified.timestamp())
            .unwrap_or(time::OffsetDateTime::UNIX_EPOCH),
    }
}

fn s3_store(s3: &S3Settings) -> anyhow::Result<Arc<dyn ObjectStore>> {
    // TLS through rustls with ring (see Cargo.toml); installing it twice is harmless.
    #[expect(
        deprecated,
        reason = "ring has no post-quantum key exchange; aws-lc, which has, is the long C build this avoids"
    )]
    let _ = rustls::crypto::ring::default_provider().install_default();
    let mut builder = object_store::aws::AmazonS3Builder::new()
        .with_bucket_name(&s3.bucket)
        .with_region(&s3.region);
    if let Some(endpoint) = &s3.endpoint {
        builder = builder
            .with_endpoint(endpoint)
            .with_allow_http(endpoint.starts_with("http://"));
    }
    if let Some(key) = &s3.access_key_id {
        builder = builder.with_access_key_id(key);
    }
    if let Some(secret) = &s3.secret_access_key {
        builder = builder.with_secret_access_key(secret.expose());
    }
    if let Some(token) = &s3.session_token {
        builder = builder.with_token(token.expose());
    }
    let store = builder
        .build()
        .with_context(|| format!("opening the S3 bucket {}", s3.bucket))?;
    Ok(if s3.prefix.is_empty() {
        Arc::new(store)
    } else {
        Arc::new(object_store::prefix::PrefixStore::new(
            store,
            s3.prefix.as_str(),
        ))
    })
}

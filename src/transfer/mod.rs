//! Moving content in and out: `vigie export` writes everything as Vigie's own JSON
//! ([`archive`]); `vigie import` reads such an export back into an empty database, exactly, or a
//! WordPress export ([`wordpress`]) into any database. Either import is one transaction: a
//! problem anywhere imports nothing (unless the WordPress import is told to skip bad items).

pub mod archive;
pub mod paste;
mod progress;
pub mod store;
pub mod wordpress;

use std::io::{Read, Seek, Write};
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use anyhow::{Context, bail};
use sqlx::PgPool;
use uuid::Uuid;

use crate::domain::{AuditAction, Lang};
use crate::media::MediaStore;
use archive::Record;
use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use progress::Progress;

/// How many of each kind of record an export wrote or an import read.
#[derive(Debug, Default)]
pub struct Counts {
    pub users: usize,
    pub tags: usize,
    pub media: usize,
    pub regulations: usize,
    pub articles: usize,
    pub revisions: usize,
    pub audit: usize,
}

impl std::fmt::Display for Counts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} users, {} tags, {} images, {} regulations, {} articles ({} revisions), {} audit events",
            self.users,
            self.tags,
            self.media,
            self.regulations,
            self.articles,
            self.revisions,
            self.audit
        )
    }
}

/// Writes every user, tag, image (its original read from `media`), jurisdiction, regulation, article and audit event to
/// `out`, as [`archive`] describes: all as of one moment, even while the site is being written
/// to.
pub async fn export(pool: &PgPool, media: &MediaStore, out: impl Write) -> anyhow::Result<Counts> {
    let mut counts = Counts::default();
    let mut w = archive::Writer::new(out).context("writing the export")?;
    // One snapshot for every batch: an article saved meanwhile is in the export whole or not
    // at all, and nothing points at a row the export does not hold.
    let mut tx = pool.begin().await?;
    sqlx::query!("set transaction isolation level repeatable read, read only")
        .execute(&mut *tx)
        .await?;
    let total_articles = sqlx::query_scalar!(r#"select count(*) as "n!" from article"#)
        .fetch_one(&mut *tx)
        .await?;

    w.section("users")?;
    for user in store::users(&mut tx).await.context("reading users")? {
        w.record(&user)?;
        counts.users += 1;
    }
    w.section("tags")?;
    for tag in store::tags(&mut tx).await.context("reading tags")? {
        w.record(&tag)?;
        counts.tags += 1;
    }
    w.section("contributors")?;
    for c in store::contributors(&mut tx)
        .await
        .context("reading contributors")?
    {
        w.record(&c)?;
    }
    w.section("media")?;
    for m in store::media(&mut tx).await.context("reading images")? {
        let original = media
            .get(&m.original_key)
            .await
            .with_context(|| format!("image {} ({})", m.id, m.alt))?;
        w.record(&archive::Media {
            id: m.id,
            format: m.format,
            width: m.width,
            height: m.height,
            alt: m.alt,
            caption: m.caption,
            credit: m.credit,
            focal_x: m.focal_x,
            focal_y: m.focal_y,
            uploaded_by: m.uploaded_by,
            created_at: m.created_at,
            original: BASE64.encode(&original),
        })?;
        counts.media += 1;
    }
    w.section("jurisdictions")?;
    for j in store::jurisdictions(&mut tx)
        .await
        .context("reading jurisdictions")?
    {
        w.record(&j)?;
    }
    w.section("regulations")?;
    for r in store::regulations(&mut tx)
        .await
        .context("reading regulations")?
    {
        w.record(&r)?;
        counts.regulations += 1;
    }
    w.section("articles")?;
    let mut bar = Progress::new("articles", total_articles.try_into().unwrap_or(0));
    let mut after = Uuid::nil();
    loop {
        let batch = store::articles(&mut tx, after)
            .await
            .context("reading articles")?;
        let Some(last) = batch.last() else { break };
        after = last.id;
        for article in &batch {
            w.record(article)?;
            counts.revisions += article.revisions.len();
        }
        counts.articles += batch.len();
        bar.advance(batch.len() as u64);
    }
    bar.finish();
    w.section("audit")?;
    let mut after = 0;
    loop {
        let batch = store::audit(&mut tx, after)
            .await
            .context("reading the audit log")?;
        let Some(last) = batch.last() else { break };
        after = last.id;
        for event in &batch {
            w.record(event)?;
        }
        counts.audit += batch.len();
    }
    w.finish().context("writing the export")?;
    tx.rollback().await?;
    Ok(counts)
}

/// What an import is told.
#[derive(Debug, Clone)]
pub struct ImportOptions {
    /// WordPress: a copy of the site's `wp-content/uploads`, where the images posts use are
    /// read from (without it they stay pointing at the old site, and the report lists them).
    pub uploads: Option<std::path::PathBuf>,
    /// The largest image taken (`VIGIE_MEDIA_MAX_BYTES`).
    pub media_max_bytes: u64,
    /// WordPress: import what can be read and list the rest, instead of importing nothing.
    pub skip_bad: bool,
    /// WordPress: the language the posts are written in (its export does not say reliably);
    /// a Vigie export: the site's, which regulation summaries are typeset for.
    pub lang: Lang,
}

/// What an import did, to tell the person who ran it.
#[derive(Debug)]
pub struct Report {
    pub lines: Vec<String>,
}

/// Reads the file at `path`, a Vigie export or a WordPress export (told apart by their first
/// character), into the database.
pub async fn import(
    pool: &PgPool,
    media: &MediaStore,
    path: &Path,
    site_url: &str,
    options: ImportOptions,
) -> anyhow::Result<Report> {
    let mut file = std::fs::File::open(path).context("cannot open the file")?;
    let mut start = [0; 512];
    let n = file.read(&mut start).context("cannot read the file")?;
    file.rewind().context("cannot read the file")?;
    let first = start[..n]
        .iter()
        .copied()
        // A byte-order mark (EF BB BF) and blanks may come first.
        .find(|b| !b" \t\r\n\xEF\xBB\xBF".contains(b));
    match first {
        Some(b'{') => import_archive(pool, media, file, site_url, options.lang).await,
        Some(b'<') => {
            let mut text = String::new();
            file.read_to_string(&mut text)
                .context("this file is not UTF-8 text")?;
            let site = wordpress::read(&text)?;
            wordpress::import_wordpress(pool, media, &site, site_url, options).await
        }
        _ => bail!("this file is neither a Vigie export (JSON) nor a WordPress export (XML)"),
    }
}

/// Streams a Vigie export into an empty database: records are inserted as they are read (the
/// file is never whole in memory), articles and audit events by batches; links between
/// articles, which may point forward, last.
async fn import_archive(
    pool: &PgPool,
    media: &MediaStore,
    file: std::fs::File,
    site_url: &str,
    lang: Lang,
) -> anyhow::Result<Report> {
    let size = file.metadata().map(|m| m.len()).unwrap_or(0);
    let mut tx = pool.begin().await?;
    if let Some(there) = store::existing_content(&mut tx).await? {
        bail!(
            "the database already holds content ({there}): a Vigie export is imported into an empty database, so that it comes back exactly as it was"
        );
    }
    store::begin_bulk_load(&mut tx).await?;

    let read_so_far = Arc::new(AtomicU64::new(0));
    // The reader parses the file and renders each article's body on its own thread, handing
    // them on in chunks; with two chunks waiting it is about a batch ahead of the writes, so
    // the database's work and ours overlap, and at most three chunks' worth of text is held
    // besides the batch being written, whatever the articles' size.
    let (sender, mut records) = tokio::sync::mpsc::channel::<Vec<Incoming>>(2);
    let reader = {
        let input = Counted {
            inner: std::io::BufReader::new(file),
            count: read_so_far.clone(),
        };
        let site_url = site_url.to_owned();
        tokio::task::spawn_blocking(move || {
            let mut chunk = Chunk::default();
            let send = |chunk: &mut Chunk| {
                sender
                    .blocking_send(std::mem::take(chunk).items)
                    .map_err(|_| "the import stopped".to_owned())
            };
            archive::read(input, |record| {
                let article = matches!(record, Record::Article(_));
                chunk.push(match record {
                    Record::Article(article) => {
                        Incoming::Article(Box::new(store::Ready::render(*article, &site_url)))
                    }
                    other => Incoming::Other(other),
                });
                // Other records go on at once: they are few, and the articles' batch is sent
                // before each.
                if !article || chunk.full() {
                    send(&mut chunk)?;
                }
                Ok(())
            })?;
            if !chunk.items.is_empty() {
                // Fails only when the writer stopped first, whose error is the one to tell.
                let _ = send(&mut chunk);
            }
            Ok::<(), serde_json::Error>(())
        })
    };
    let mut counts = Counts::default();
    let mut articles = store::Batch::start(&mut tx, store::Source::Export).await?;
    let mut events = store::Events::start();
    let mut bar = Progress::bytes("import", size);
    let inserted: anyhow::Result<()> = async {
        while let Some(chunk) = records.recv().await {
            for incoming in chunk {
            let record = match incoming {
                Incoming::Article(ready) => {
                    counts.articles += 1;
                    counts.revisions += ready.article.revisions.len();
                    let name = format!("article {} ({})", ready.article.slug, ready.article.id);
                    articles.add(&mut tx, *ready, name).await?;
                    bar.set(read_so_far.load(Ordering::Relaxed));
                    continue;
                }
                Incoming::Other(record) => record,
            };
            // Sections come in order: the articles are all in before the audit log.
            articles.send(&mut tx).await?;
            match record {
                Record::User(user) => {
                    store::insert_user(&mut tx, &user)
                        .await
                        .with_context(|| format!("user {} ({})", user.email, user.id))?;
                    counts.users += 1;
                }
                Record::Tag(tag) => {
                    store::insert_tag(&mut tx, &tag)
                        .await
                        .with_context(|| format!("tag {} ({})", tag.slug, tag.id))?;
                    counts.tags += 1;
                }
                Record::Contributor(c) => {
                    store::insert_contributor(&mut tx, &c)
                        .await
                        .with_context(|| format!("contributor {} ({})", c.slug, c.id))?;
                }
                Record::Media(m) => {
                    let original = BASE64.decode(&m.original).with_context(|| {
                        format!("image {} ({}): its file is not base64", m.id, m.alt)
                    })?;
                    let format =
                        crate::media::process::Format::parse(&m.format).with_context(|| {
                            format!("image {}: unknown format {:?}", m.id, m.format)
                        })?;
                    let key = MediaStore::original_key(
                        &crate::media::process::full_hash(&original),
                        format.extension(),
                    );
                    let bytes = i64::try_from(original.len()).unwrap_or(i64::MAX);
                    // Stored before the transaction commits: a failed import leaves files that
                    // nothing names, which `vigie media gc` removes.
                    media.put(&key, original).await?;
                    store::insert_media(&mut tx, &m, &key, bytes)
                        .await
                        .with_context(|| format!("image {} ({})", m.id, m.alt))?;
                    counts.media += 1;
                }
                Record::Jurisdiction(j) => {
                    store::insert_jurisdiction(&mut tx, &j)
                        .await
                        .with_context(|| format!("jurisdiction {} ({})", j.slug, j.id))?;
                }
                Record::Regulation(r) => {
                    // Its links go into pages' `href`: web addresses only, as the form takes.
                    let links = [&r.official_url, &r.legislature_url]
                        .into_iter()
                        .chain(r.milestones.iter().map(|m| &m.source_url))
                        .chain(r.history.iter().map(|c| &c.source_url));
                    for link in links {
                        if crate::domain::regulation::web_address(link) != Some(link.as_str()) {
                            bail!("regulation {}: {link:?} is not a web address", r.slug);
                        }
                    }
                    store::insert_regulation(&mut tx, &r, site_url, lang)
                        .await
                        .with_context(|| format!("regulation {} ({})", r.slug, r.id))?;
                    counts.regulations += 1;
                }
                Record::NoTracker => store::records_from_tags(&mut tx).await?,
                Record::Article(_) => unreachable!("the reader hands articles on rendered"),
                Record::Audit(event) => {
                    // The log's page reads every action back as one it knows.
                    if AuditAction::parse(&event.action).is_none() {
                        bail!(
                            "audit event {}: unknown action {:?} (an export from a newer Vigie?)",
                            event.id,
                            event.action
                        );
                    }
                    events.add(&mut tx, &event).await?;
                    counts.audit += 1;
                }
            }
            bar.set(read_so_far.load(Ordering::Relaxed));
            }
        }
        Ok(())
    }
    .await;
    // A failed insert stops the reader (it cannot send any more); its error is the one to tell.
    drop(records);
    let read = reader.await.context("the reader stopped")?;
    inserted?;
    // serde_json names the line and column of what it could not read.
    read.context("this Vigie export cannot be read")?;
    articles.finish(&mut tx).await?;
    events.send(&mut tx).await?;
    bar.finish();
    store::renumber_after_import(&mut tx).await?;
    store::end_bulk_load(&mut tx).await?;
    tx.commit().await.context("saving the import")?;
    Ok(Report {
        lines: vec![format!("imported {counts}")],
    })
}

/// What the reader thread hands on: an article already rendered, or another record.
enum Incoming {
    Article(Box<store::Ready>),
    Other(Record),
}

/// Records the reader hands on together: up to 250 articles or 8 MiB of their text.
#[derive(Default)]
struct Chunk {
    items: Vec<Incoming>,
    bytes: usize,
}

impl Chunk {
    fn push(&mut self, item: Incoming) {
        if let Incoming::Article(ready) = &item {
            self.bytes += ready.bytes();
        }
        self.items.push(item);
    }

    fn full(&self) -> bool {
        self.items.len() >= 250 || self.bytes >= 8 << 20
    }
}

/// A reader that counts the bytes read through it, for the progress bar.
struct Counted<R> {
    inner: R,
    count: Arc<AtomicU64>,
}

impl<R: Read> Read for Counted<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.count.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

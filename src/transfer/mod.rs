//! Moving content in and out: `vigie export` writes everything as Vigie's own JSON
//! ([`archive`]); `vigie import` reads such an export back into an empty database, exactly, or a
//! WordPress export ([`wordpress`]) into any database. Either import is one transaction: a
//! problem anywhere imports nothing (unless the WordPress import is told to skip bad items).

pub mod archive;
mod progress;
pub mod store;
pub mod wordpress;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::{Read, Seek, Write};
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use anyhow::{Context, bail};
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

use crate::domain::{DisplayName, Email, Lang, Role, Slug, TagKind, Title};
use crate::store::{audit, tags, users};
use archive::Record;
use progress::Progress;
use wordpress::{Fate, Problem, Site};

/// How many of each kind of record an export wrote or an import read.
#[derive(Debug, Default)]
pub struct Counts {
    pub users: usize,
    pub tags: usize,
    pub articles: usize,
    pub revisions: usize,
    pub audit: usize,
}

impl std::fmt::Display for Counts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} users, {} tags, {} articles ({} revisions), {} audit events",
            self.users, self.tags, self.articles, self.revisions, self.audit
        )
    }
}

/// Writes every user, tag, article and audit event to `out`, as [`archive`] describes: all as
/// of one moment, even while the site is being written to.
pub async fn export(pool: &PgPool, out: impl Write) -> anyhow::Result<Counts> {
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
#[derive(Debug, Clone, Copy)]
pub struct ImportOptions {
    /// WordPress: import what can be read and list the rest, instead of importing nothing.
    pub skip_bad: bool,
    /// WordPress: the language the posts are written in (its export does not say reliably).
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
        Some(b'{') => import_archive(pool, file, site_url).await,
        Some(b'<') => {
            let mut text = String::new();
            file.read_to_string(&mut text)
                .context("this file is not UTF-8 text")?;
            let site = wordpress::read(&text)?;
            import_wordpress(pool, &site, site_url, options).await
        }
        _ => bail!("this file is neither a Vigie export (JSON) nor a WordPress export (XML)"),
    }
}

/// Streams a Vigie export into an empty database: records are inserted as they are read (the
/// file is never whole in memory); links between articles, which may point forward, last.
async fn import_archive(
    pool: &PgPool,
    file: std::fs::File,
    site_url: &str,
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
    let (sender, mut records) = tokio::sync::mpsc::channel::<Record>(64);
    let reader = {
        let input = Counted {
            inner: std::io::BufReader::new(file),
            count: read_so_far.clone(),
        };
        tokio::task::spawn_blocking(move || {
            archive::read(input, |record| {
                sender
                    .blocking_send(record)
                    .map_err(|_| "the import stopped".to_owned())
            })
        })
    };
    let mut counts = Counts::default();
    let mut links = Vec::new();
    let mut bar = Progress::bytes("import", size);
    let inserted: anyhow::Result<()> = async {
        while let Some(record) = records.recv().await {
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
                Record::Article(article) => {
                    store::insert_article(&mut tx, &article, site_url)
                        .await
                        .and(store::insert_article_parts(&mut tx, &article).await)
                        .with_context(|| format!("article {} ({})", article.slug, article.id))?;
                    counts.articles += 1;
                    counts.revisions += article.revisions.len();
                    links.push((article.id, article.slug, article.links));
                }
                Record::Audit(event) => {
                    store::insert_audit(&mut tx, &event)
                        .await
                        .with_context(|| format!("audit event {}", event.id))?;
                    counts.audit += 1;
                }
            }
            bar.set(read_so_far.load(Ordering::Relaxed));
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
    for (id, slug, to) in &links {
        store::insert_links(&mut tx, *id, to)
            .await
            .with_context(|| format!("article {slug} ({id})"))?;
    }
    bar.finish();
    store::renumber_after_import(&mut tx).await?;
    store::end_bulk_load(&mut tx).await?;
    tx.commit().await.context("saving the import")?;
    Ok(Report {
        lines: vec![format!("imported {counts}")],
    })
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

/// A WordPress post on its way in: where it goes and under which address.
struct Planned<'a> {
    post: &'a wordpress::Post,
    title: Title,
    slug: Slug,
}

/// The posts whose title Vigie can take, with their index in the file, and every problem of
/// the file (its items', its tags').
fn check(site: &Site) -> (Vec<(usize, &wordpress::Post, Title)>, Vec<Problem>) {
    let mut problems: Vec<Problem> = site.problems.clone();
    let mut fine = Vec::new();
    for (index, post) in site.posts.iter().enumerate() {
        let title = if post.title.trim().is_empty() {
            Title::parse("(sans titre)")
        } else {
            Title::parse(&post.title)
        };
        match title {
            Ok(title) => fine.push((index, post, title)),
            Err(e) => problems.push(Problem {
                line: post.line,
                title: post.title.chars().take(60).collect(),
                why: format!("its title cannot be used: {e}"),
            }),
        }
    }
    let mut bad_terms = HashSet::new();
    for term in site
        .terms
        .iter()
        .chain(site.posts.iter().flat_map(|p| &p.terms))
    {
        if tag_name(term).is_none() && bad_terms.insert(term.name.clone()) {
            problems.push(Problem {
                line: 0,
                title: String::new(),
                why: format!(
                    "the tag or category {:?} cannot be a tag: a name is 1 to 100 characters",
                    term.name
                ),
            });
        }
    }
    problems.sort_by_key(|p| p.line);
    (fine, problems)
}

/// How a post's status reads in the report.
fn shown_status(post: &wordpress::Post, now: time::OffsetDateTime) -> &'static str {
    match (post.fate, post.wp_status.as_str()) {
        (Fate::Published, _) if post.date > now => "scheduled",
        (Fate::Published, _) => "published",
        (Fate::InReview, _) => "in review",
        (_, "private") => "draft (private in WordPress)",
        (_, "publish" | "future") => "draft (password-protected in WordPress)",
        _ => "draft",
    }
}

/// The Vigie article a planned post becomes, by `author`, filed under `tags`, its links to
/// other posts pointed by `article_for`.
fn article_from(
    site: &Site,
    plan: &Planned,
    author: Uuid,
    tags: Vec<Uuid>,
    lang: Lang,
    article_for: &dyn Fn(&str) -> Option<String>,
) -> archive::Article {
    let post = plan.post;
    let (status, published_at) = match post.fate {
        Fate::Published => ("published", Some(post.date)),
        Fate::InReview => ("in_review", None),
        Fate::Draft => ("draft", None),
    };
    archive::Article {
        id: Uuid::new_v4(),
        slug: plan.slug.as_str().to_owned(),
        title: plan.title.as_str().to_owned(),
        dek: String::new(),
        body_markdown: wordpress::to_markdown(&post.html, article_for),
        excerpt: post.excerpt.clone(),
        lang: lang.as_str().to_owned(),
        status: status.to_owned(),
        review_note: String::new(),
        withdrawn: false,
        author_id: author,
        last_editor_id: None,
        published_at,
        published_version: published_at.map(|_| 1),
        version: 1,
        created_at: post.date,
        updated_at: post.modified.max(post.date),
        tags,
        links: Vec::new(),
        redirects: Vec::new(),
        // Old links to the post keep working (see `web::public::old_address`).
        legacy_urls: site
            .old_path(&post.link)
            .into_iter()
            // WordPress answers `/?p=ID` for every post, whatever its permalinks.
            .chain((post.wp_id > 0).then(|| format!("/?p={}", post.wp_id)))
            .map(|path| archive::LegacyUrl {
                path,
                created_at: time::OffsetDateTime::now_utc(),
            })
            .collect(),
        corrections: Vec::new(),
        revisions: Vec::new(),
    }
}

async fn import_wordpress(
    pool: &PgPool,
    site: &Site,
    site_url: &str,
    options: ImportOptions,
) -> anyhow::Result<Report> {
    let (fine, problems) = check(site);
    if !problems.is_empty() && !options.skip_bad {
        let list: Vec<String> = problems.iter().take(20).map(|p| format!("  {p}")).collect();
        bail!(
            "{} item(s) of this WordPress export cannot be imported, so nothing was; fix them, or run again with --skip-bad to import the rest:\n{}{}",
            problems.len(),
            list.join("\n"),
            if problems.len() > 20 { "\n  …" } else { "" }
        );
    }

    let mut tx = pool.begin().await?;
    store::begin_bulk_load(&mut tx).await?;
    let authors = wordpress_authors(&mut tx, site).await?;
    let tag_ids = wordpress_tags(&mut tx, site).await?;

    // Slugs are kept where free; a post whose slug is taken gets `slug-2`, like a new article.
    let mut taken: HashSet<String> = store::article_slugs(&mut tx).await?.into_iter().collect();
    let mut again = 0;
    let mut planned = Vec::new();
    // Where each post (by its index in the file) is or will be, for links between posts.
    let mut slug_of_post: HashMap<usize, Slug> = HashMap::new();
    for (index, post, title) in fine {
        let base =
            Slug::derive(&post.slug).unwrap_or_else(|_| Slug::derive_or(title.as_str(), "article"));
        // Running the same import twice must not double the archive.
        if store::article_exists(&mut tx, &base, &title).await? {
            slug_of_post.insert(index, base);
            again += 1;
            continue;
        }
        let mut slug = base.clone();
        let mut n = 2;
        while taken.contains(slug.as_str()) {
            slug = base.with_suffix(n);
            n += 1;
        }
        taken.insert(slug.as_str().to_owned());
        slug_of_post.insert(index, slug.clone());
        planned.push(Planned { post, title, slug });
    }
    let links = wordpress::LinkMap::new(site);
    let article_for = |url: &str| {
        links
            .post(url)
            .and_then(|i| slug_of_post.get(&i))
            .map(|s| s.as_str().to_owned())
    };

    let mut bar = Progress::new("articles", planned.len() as u64 * 2);
    let mut by_status: BTreeMap<&str, usize> = BTreeMap::new();
    let mut imported = Vec::new();
    let now = time::OffsetDateTime::now_utc();
    for plan in &planned {
        let post = plan.post;
        let author = *authors
            .get(&post.author_login)
            .with_context(|| format!("no account for the author {}", post.author_login))?;
        let mut tags: Vec<Uuid> = Vec::new();
        for term in &post.terms {
            if let Some(id) = tag_name(term).and_then(|name| tag_ids.get(&name.to_lowercase()))
                && !tags.contains(id)
            {
                tags.push(*id);
            }
        }
        let article = article_from(site, plan, author, tags, options.lang, &article_for);
        let links_out = store::insert_imported(&mut tx, &article, site_url)
            .await
            .with_context(|| format!("line {} (« {} »)", post.line, post.title))?;
        *by_status.entry(shown_status(post, now)).or_default() += 1;
        imported.push((article.id, links_out));
        bar.advance(1);
    }
    // Links between imported posts resolve once every post is in.
    for (id, links_out) in &imported {
        store::link_inline(&mut tx, *id, links_out).await?;
        bar.advance(1);
    }
    bar.finish();

    let statuses: Vec<String> = by_status
        .iter()
        .map(|(status, n)| format!("{n} {status}"))
        .collect();
    let mut lines = vec![format!(
        "imported {} articles{}, {} authors, {} tags",
        imported.len(),
        if statuses.is_empty() {
            String::new()
        } else {
            format!(" ({})", statuses.join(", "))
        },
        authors.len(),
        tag_ids.len()
    )];
    if again > 0 {
        lines.push(format!(
            "{again} posts were already here (same address and title), from an earlier import: left as they are"
        ));
    }
    if !site.left_out.is_empty() {
        lines.push(format!(
            "left out (Vigie has no place for them): {}",
            site.left_out
                .iter()
                .map(|(what, n)| format!("{n} {what}"))
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    for problem in &problems {
        lines.push(format!("skipped {problem}"));
    }
    audit::record(
        &mut tx,
        None,
        "import.wordpress",
        "site",
        site.base_urls.first().map_or("", String::as_str),
        serde_json::json!({
            "articles": imported.len(),
            "authors": authors.len(),
            "tags": tag_ids.len(),
            "left_out": site.left_out,
            "skipped": problems.len(),
            "already_there": again,
        }),
    )
    .await?;
    store::end_bulk_load(&mut tx).await?;
    tx.commit().await.context("saving the import")?;
    Ok(Report { lines })
}

/// A WordPress term's name as a Vigie tag name (1–100 characters), if it can be one.
fn tag_name(term: &wordpress::Term) -> Option<String> {
    let name = if term.name.trim().is_empty() {
        term.slug.trim()
    } else {
        term.name.trim()
    };
    (!name.is_empty() && name.chars().count() <= 100).then(|| name.to_owned())
}

/// Each author's user id, by WordPress login: an existing user with the same e-mail address,
/// or a new disabled account that an admin enables and sends a password link to ("claimed").
async fn wordpress_authors(
    conn: &mut PgConnection,
    site: &Site,
) -> anyhow::Result<HashMap<String, Uuid>> {
    let mut listed: Vec<wordpress::Author> = site.authors.clone();
    // WXR 1.0 files list no authors: the posts' logins are all there is.
    for post in &site.posts {
        if !listed.iter().any(|a| a.login == post.author_login) {
            listed.push(wordpress::Author {
                login: post.author_login.clone(),
                email: String::new(),
                display_name: String::new(),
            });
        }
    }
    let mut ids = HashMap::new();
    for author in &listed {
        let email = Email::parse(&author.email).or_else(|_| {
            // No usable address: one that says where it came from and can never receive mail.
            Email::parse(&format!(
                "{}@wordpress.invalid",
                Slug::derive_or(&author.login, "auteur").as_str()
            ))
        })?;
        let id = match users::id_by_email(conn, &email).await? {
            Some(id) => id,
            None => {
                let name = DisplayName::parse(&author.display_name)
                    .or_else(|_| DisplayName::parse(&author.login))
                    .or_else(|_| DisplayName::parse("Auteur WordPress"))?;
                let new = users::NewUser {
                    email: &email,
                    display_name: &name,
                    role: Role::Journalist,
                    bio: "",
                    password_hash: None,
                };
                let id = users::create(conn, &new)
                    .await
                    .with_context(|| format!("author {}", author.login))?;
                users::set_disabled(conn, id, true).await?;
                id
            }
        };
        ids.insert(author.login.clone(), id);
    }
    Ok(ids)
}

/// Each category's and tag's Vigie tag id, by lower-case name: WordPress keeps the two apart,
/// Vigie has one kind of tag, so a category and a tag of the same name become one.
async fn wordpress_tags(
    conn: &mut PgConnection,
    site: &Site,
) -> anyhow::Result<HashMap<String, Uuid>> {
    let mut ids = HashMap::new();
    for term in site
        .terms
        .iter()
        .chain(site.posts.iter().flat_map(|p| &p.terms))
    {
        let Some(name) = tag_name(term) else { continue };
        let key = name.to_lowercase();
        if ids.contains_key(&key) {
            continue;
        }
        let id = tags::find_or_create(conn, &name, TagKind::Topic, term.description.trim())
            .await
            .with_context(|| format!("tag {name}"))?;
        ids.insert(key, id);
    }
    Ok(ids)
}

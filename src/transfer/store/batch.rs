//! Articles written in batches: each table's rows of a batch in one `COPY` ([`super::copy`]),
//! so that an import of a whole archive costs what the database needs to store it, not a round
//! trip per row. Memory stays bounded: a batch is sent once it holds [`BATCH_ARTICLES`]
//! articles or [`BATCH_BYTES`] of text.
//!
//! What may point forward — links between articles, and old addresses another article of the
//! same import may claim first — goes to temporary tables and is written at [`Batch::finish`],
//! once every article is in. (A translation's link to its original needs no such care: that
//! foreign key is checked at commit.)

use anyhow::Context;
use sqlx::PgConnection;
use uuid::Uuid;

use super::super::archive::{Article, AuditEvent};
use super::copy::{Refused, Rows};
use crate::domain::{Lang, Slug, markdown};

/// A batch is sent when it holds this many articles…
const BATCH_ARTICLES: usize = 1000;
/// …or this many bytes of rows, whichever comes first.
const BATCH_BYTES: usize = 16 << 20;

/// An article with its body rendered, ready to be written.
pub struct Ready {
    pub article: Article,
    html: String,
    /// The articles its body links to, by address.
    inline: Vec<Slug>,
}

impl Ready {
    /// About how much memory it holds: its text and its HTML.
    pub fn bytes(&self) -> usize {
        self.article.body_markdown.len() + self.html.len()
    }

    /// Renders the article's body for `site_url` (CPU work: call it off the async threads).
    pub fn render(article: Article, site_url: &str) -> Ready {
        let lang = Lang::parse(&article.lang).unwrap_or(Lang::Fr);
        let rendered = markdown::render(&article.body_markdown, site_url, lang);
        Ready {
            article,
            html: rendered.html,
            inline: rendered.article_links,
        }
    }
}

/// Where the articles come from, which decides their links and revisions.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// A Vigie export: links and revisions are in the records, as they were.
    Export,
    /// Another system: links are those the body makes, and each article gets a first revision
    /// (`create`, by nobody) holding its text as it arrived.
    Elsewhere,
}

/// Articles on their way in, in the caller's transaction.
pub struct Batch {
    source: Source,
    /// The batch's articles' names, for errors.
    names: Vec<String>,
    ids: Vec<Uuid>,
    article: Rows,
    tags: Rows,
    coauthors: Rows,
    media: Rows,
    redirects: Rows,
    legacy: Rows,
    corrections: Rows,
    notes: Rows,
    revisions: Rows,
    links: Rows,
    /// Old addresses are numbered in the order they came, so that the first claim wins.
    legacy_seen: i64,
}

impl Batch {
    /// Makes the temporary tables (dropped at commit) the end of the import reads.
    pub async fn start(conn: &mut PgConnection, source: Source) -> Result<Batch, sqlx::Error> {
        sqlx::query!(
            r#"
            create temporary table import_link (from_article_id uuid not null, to_article_id uuid,
                                                slug text, position integer not null, origin text not null)
            on commit drop
            "#
        )
        .execute(&mut *conn)
        .await?;
        sqlx::query!(
            r#"
            create temporary table import_legacy_url (n bigint not null, path text not null,
                                                      article_id uuid not null, created_at timestamptz not null)
            on commit drop
            "#
        )
        .execute(&mut *conn)
        .await?;
        Ok(Batch {
            source,
            names: Vec::new(),
            ids: Vec::new(),
            article: Rows::new(
                "copy article (id, slug, title, dek, body_markdown, body_html, excerpt, lang, status, \
                 review_note, withdrawn, author_id, last_editor_id, published_at, published_version, \
                 version, created_at, updated_at, withdrawn_reason, social_title, social_description, \
                 featured_media_id, ai_use, tdm_open, embargo_until, embargo_note, revised_at, kind, \
                 translation_of, translated_from) from stdin",
            ),
            tags: Rows::new("copy article_tag (article_id, tag_id, position) from stdin"),
            coauthors: Rows::new(
                "copy article_coauthor (article_id, position, user_id, contributor_id) from stdin",
            ),
            media: Rows::new("copy article_media (article_id, media_id) from stdin"),
            redirects: Rows::new(
                "copy slug_redirect (old_slug, article_id, created_at) from stdin",
            ),
            legacy: Rows::new(
                "copy import_legacy_url (n, path, article_id, created_at) from stdin",
            ),
            corrections: Rows::new(
                "copy correction (id, article_id, author_id, noted_at, body) from stdin",
            ),
            notes: Rows::new(
                "copy article_note (id, article_id, parent_id, paragraph, quote, body, author_id, \
                 created_at, resolved_at, resolved_by) from stdin",
            ),
            revisions: Rows::new(
                "copy article_revision (id, article_id, version, kind, title, dek, body_markdown, \
                 tags, related, editor_id, save_key, created_at) from stdin",
            ),
            links: Rows::new(
                "copy import_link (from_article_id, to_article_id, slug, position, origin) from stdin",
            ),
            legacy_seen: 0,
        })
    }

    /// Adds an article, called `name` in errors; sends the batch when it is full.
    pub async fn add(
        &mut self,
        conn: &mut PgConnection,
        ready: Ready,
        name: String,
    ) -> anyhow::Result<()> {
        let owner = self.names.len();
        let a = &ready.article;
        self.names.push(name);
        self.ids.push(a.id);
        self.article.push(
            owner,
            &[
                &a.id,
                &a.slug,
                &a.title,
                &a.dek,
                &a.body_markdown,
                &ready.html,
                &a.excerpt,
                &a.lang,
                &a.status,
                &a.review_note,
                &a.withdrawn,
                &a.author_id,
                &a.last_editor_id,
                &a.published_at,
                &a.published_version,
                &a.version,
                &a.created_at,
                &a.updated_at,
                &a.withdrawn_reason,
                &a.social_title,
                &a.social_description,
                &a.featured_media_id,
                &a.ai_use,
                &a.tdm_open,
                &a.embargo_until,
                &a.embargo_note,
                &a.revised_at,
                &a.kind,
                &a.translation_of,
                &a.translated_from,
            ],
        );
        for (position, tag) in (1_i32..).zip(&a.tags) {
            self.tags.push(owner, &[&a.id, tag, &position]);
        }
        for (position, c) in (1_i32..).zip(&a.coauthors) {
            self.coauthors
                .push(owner, &[&a.id, &position, &c.user_id, &c.contributor_id]);
        }
        for m in &a.media {
            self.media.push(owner, &[&a.id, m]);
        }
        for r in &a.redirects {
            self.redirects
                .push(owner, &[&r.old_slug, &a.id, &r.created_at]);
        }
        for u in &a.legacy_urls {
            self.legacy_seen += 1;
            self.legacy
                .push(owner, &[&self.legacy_seen, &u.path, &a.id, &u.created_at]);
        }
        for c in &a.corrections {
            self.corrections
                .push(owner, &[&c.id, &a.id, &c.author_id, &c.noted_at, &c.body]);
        }
        for n in &a.notes {
            self.notes.push(
                owner,
                &[
                    &n.id,
                    &a.id,
                    &n.parent_id,
                    &n.paragraph,
                    &n.quote,
                    &n.body,
                    &n.author_id,
                    &n.created_at,
                    &n.resolved_at,
                    &n.resolved_by,
                ],
            );
        }
        for r in &a.revisions {
            self.revisions.push(
                owner,
                &[
                    &r.id,
                    &a.id,
                    &r.version,
                    &r.kind,
                    &r.title,
                    &r.dek,
                    &r.body_markdown,
                    &r.tags,
                    &r.related,
                    &r.editor_id,
                    &r.save_key,
                    &r.created_at,
                ],
            );
        }
        let no_id: Option<Uuid> = None;
        let no_slug: Option<&str> = None;
        match self.source {
            Source::Export => {
                for (position, l) in (1_i32..).zip(&a.links) {
                    self.links
                        .push(owner, &[&a.id, &Some(l.to), &no_slug, &position, &l.origin]);
                }
            }
            Source::Elsewhere => {
                for (position, slug) in (1_i32..).zip(&ready.inline) {
                    self.links.push(
                        owner,
                        &[&a.id, &no_id, &Some(slug.as_str()), &position, &"inline"],
                    );
                }
            }
        }
        if self.names.len() >= BATCH_ARTICLES || self.bytes() >= BATCH_BYTES {
            self.send(conn).await?;
        }
        Ok(())
    }

    fn bytes(&mut self) -> usize {
        self.tables().iter().map(|rows| rows.bytes()).sum()
    }

    /// Every table's rows, in the order they are sent (articles first: the rest point at them).
    fn tables(&mut self) -> [&mut Rows; 10] {
        [
            &mut self.article,
            &mut self.tags,
            &mut self.coauthors,
            &mut self.media,
            &mut self.redirects,
            &mut self.legacy,
            &mut self.corrections,
            &mut self.notes,
            &mut self.revisions,
            &mut self.links,
        ]
    }

    /// Sends the batch's rows, table by table.
    pub async fn send(&mut self, conn: &mut PgConnection) -> anyhow::Result<()> {
        let names = std::mem::take(&mut self.names);
        let ids = std::mem::take(&mut self.ids);
        if names.is_empty() {
            return Ok(());
        }
        let name = |refused: Refused| match refused.owner.and_then(|i| names.get(i)) {
            Some(name) => anyhow::Error::new(refused.error).context(name.clone()),
            None => anyhow::Error::new(refused.error).context("articles"),
        };
        for rows in self.tables() {
            rows.send(conn).await.map_err(name)?;
        }
        if self.source == Source::Elsewhere {
            super::first_revisions(conn, &ids)
                .await
                .context("the imported articles' first revisions")?;
        }
        Ok(())
    }

    /// Sends what is left, then the links between articles and the old addresses, now that
    /// every article is in.
    pub async fn finish(mut self, conn: &mut PgConnection) -> anyhow::Result<()> {
        self.send(conn).await?;
        // The temporary tables do not exist when queries are checked at build time: these three
        // statements are the import's only unchecked ones.
        // A link to an article that is not there: name the article it is in.
        if let Some(dangling) = sqlx::query_scalar::<_, String>(
            r#"
            select format('article %s (%s) links to %s, which is not in this import nor in the database',
                          a.slug, a.id, l.to_article_id)
            from import_link l join article a on a.id = l.from_article_id
            where l.to_article_id is not null
              and not exists (select 1 from article t where t.id = l.to_article_id)
            limit 1
            "#
        )
        .fetch_optional(&mut *conn)
        .await?
        {
            anyhow::bail!(dangling);
        }
        // Links found in bodies point at addresses: the articles behind them (of this import
        // or already in the database), in the body's order, never to itself, each once.
        sqlx::query(
            r#"
            insert into article_link (from_article_id, to_article_id, position, origin)
            select l.from_article_id, coalesce(l.to_article_id, a.id),
                   row_number() over (partition by l.from_article_id, l.origin order by l.position),
                   l.origin
            from import_link l
            left join article a on l.to_article_id is null and a.slug = l.slug
            where coalesce(l.to_article_id, a.id) <> l.from_article_id
            order by l.from_article_id, l.origin, l.position
            on conflict do nothing
            "#,
        )
        .execute(&mut *conn)
        .await
        .context("links between articles")?;
        // Another article (of this import or an earlier one) may have claimed an address first.
        sqlx::query(
            r#"
            insert into legacy_url (path, article_id, created_at)
            select path, article_id, created_at from import_legacy_url order by n
            on conflict (path) do nothing
            "#,
        )
        .execute(&mut *conn)
        .await
        .context("old addresses")?;
        Ok(())
    }
}

/// Audit events on their way in, in batches like articles.
pub struct Events {
    rows: Rows,
    ids: Vec<i64>,
}

impl Events {
    pub fn start() -> Events {
        Events {
            rows: Rows::new(
                "copy audit_event (id, actor_id, action, target_type, target_id, details, at, token_name) from stdin",
            ),
            ids: Vec::new(),
        }
    }

    pub async fn add(&mut self, conn: &mut PgConnection, e: &AuditEvent) -> anyhow::Result<()> {
        self.rows.push(
            self.ids.len(),
            &[
                &e.id,
                &e.actor_id,
                &e.action,
                &e.target_type,
                &e.target_id,
                &e.details,
                &e.at,
                &e.token_name,
            ],
        );
        self.ids.push(e.id);
        if self.rows.bytes() >= BATCH_BYTES {
            self.send(conn).await?;
        }
        Ok(())
    }

    pub async fn send(&mut self, conn: &mut PgConnection) -> anyhow::Result<()> {
        let ids = std::mem::take(&mut self.ids);
        self.rows.send(conn).await.map_err(|refused| {
            let event = refused.owner.and_then(|i| ids.get(i));
            anyhow::Error::new(refused.error).context(match event {
                Some(id) => format!("audit event {id}"),
                None => "audit events".to_owned(),
            })
        })?;
        Ok(())
    }
}

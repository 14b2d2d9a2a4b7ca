//! Reading everything out, in batches, for an export; and what an import must know of what
//! is already there.

use std::collections::HashMap;

use sqlx::PgConnection;
use uuid::Uuid;

use super::super::archive::{
    Article, AuditEvent, Coauthor, Contributor, Correction, Jurisdiction, LegacyUrl, Link,
    Milestone, Note, Redirect, Regulation, RegulationChange, Revision, Tag, User,
};
use crate::domain::{Slug, Title};

/// Rows gathered under their key, each key's in the rows' order.
fn grouped<R, V>(rows: Vec<R>, split: impl Fn(R) -> (Uuid, V)) -> HashMap<Uuid, Vec<V>> {
    let mut groups: HashMap<Uuid, Vec<V>> = HashMap::new();
    for row in rows {
        let (key, value) = split(row);
        groups.entry(key).or_default().push(value);
    }
    groups
}

/// How many articles (or audit events) an export reads at a time.
const BATCH: i64 = 500;

pub async fn users(conn: &mut PgConnection) -> Result<Vec<User>, sqlx::Error> {
    sqlx::query_as!(
        User,
        r#"
        select id, email, display_name, slug, bio, role, disabled_at, created_at, updated_at
        from app_user order by created_at, id
        "#
    )
    .fetch_all(&mut *conn)
    .await
}

/// Every guest contributor, by slug.
pub async fn contributors(conn: &mut PgConnection) -> Result<Vec<Contributor>, sqlx::Error> {
    sqlx::query_as!(
        Contributor,
        "select id, slug, name, bio, created_at from contributor order by slug"
    )
    .fetch_all(conn)
    .await
}

pub async fn tags(conn: &mut PgConnection) -> Result<Vec<Tag>, sqlx::Error> {
    let rows = sqlx::query!(
        "select id, slug, name, kind, description, created_at, updated_at from tag order by slug"
    )
    .fetch_all(&mut *conn)
    .await?;
    let mut redirects = grouped(
        sqlx::query!(
            "select tag_id, old_slug, created_at from tag_redirect order by tag_id, old_slug"
        )
        .fetch_all(&mut *conn)
        .await?,
        |r| {
            (
                r.tag_id,
                Redirect {
                    old_slug: r.old_slug,
                    created_at: r.created_at,
                },
            )
        },
    );
    Ok(rows
        .into_iter()
        .map(|r| Tag {
            redirects: redirects.remove(&r.id).unwrap_or_default(),
            id: r.id,
            slug: r.slug,
            name: r.name,
            kind: r.kind,
            description: r.description,
            created_at: r.created_at,
            updated_at: r.updated_at,
        })
        .collect())
}

/// An image of the library as the export writes it, but for its file (read from the media
/// store by the caller), oldest first.
#[derive(Debug)]
pub struct MediaRow {
    pub id: Uuid,
    pub original_key: String,
    pub format: String,
    pub width: i32,
    pub height: i32,
    pub alt: String,
    pub caption: String,
    pub credit: String,
    pub focal_x: f32,
    pub focal_y: f32,
    pub uploaded_by: Option<Uuid>,
    pub created_at: time::OffsetDateTime,
}

pub async fn media(conn: &mut PgConnection) -> Result<Vec<MediaRow>, sqlx::Error> {
    sqlx::query_as!(
        MediaRow,
        r#"
        select id, original_key, format, width, height, alt, caption, credit, focal_x, focal_y,
               uploaded_by, created_at
        from media order by created_at, id
        "#
    )
    .fetch_all(conn)
    .await
}

pub async fn jurisdictions(conn: &mut PgConnection) -> Result<Vec<Jurisdiction>, sqlx::Error> {
    sqlx::query_as!(
        Jurisdiction,
        "select id, slug, name, tag_id, created_at, updated_at from jurisdiction order by slug"
    )
    .fetch_all(conn)
    .await
}

/// Every regulation with its milestones and history (the tracker holds tens, not thousands).
pub async fn regulations(conn: &mut PgConnection) -> Result<Vec<Regulation>, sqlx::Error> {
    let rows = sqlx::query!(
        r#"
        select id, slug, name, short_name, official_title, identifier, jurisdiction_id, legal_form,
               status, adopted_on::text as adopted_on, official_url, legislature_url,
               summary_markdown, tag_id, published_at, created_at, updated_at
        from regulation order by slug
        "#
    )
    .fetch_all(&mut *conn)
    .await?;
    let mut milestones = grouped(
        sqlx::query!(
            r#"
            select regulation_id, id, on_date::text as "on_date!", precision, label, applies,
                   source_url, created_at, updated_at
            from regulation_milestone order by regulation_id, on_date, id
            "#
        )
        .fetch_all(&mut *conn)
        .await?,
        |r| {
            (
                r.regulation_id,
                Milestone {
                    id: r.id,
                    on_date: r.on_date,
                    precision: r.precision,
                    label: r.label,
                    applies: r.applies,
                    source_url: r.source_url,
                    created_at: r.created_at,
                    updated_at: r.updated_at,
                },
            )
        },
    );
    let mut history = grouped(
        sqlx::query!(
            r#"
            select regulation_id, id, milestone_id, kind, label, from_date::text as from_date,
                   from_precision, to_date::text as to_date, to_precision, from_status, to_status,
                   note, source_url, actor_id, noted_at
            from regulation_change order by regulation_id, id
            "#
        )
        .fetch_all(&mut *conn)
        .await?,
        |r| {
            (
                r.regulation_id,
                RegulationChange {
                    id: r.id,
                    milestone_id: r.milestone_id,
                    kind: r.kind,
                    label: r.label,
                    from_date: r.from_date,
                    from_precision: r.from_precision,
                    to_date: r.to_date,
                    to_precision: r.to_precision,
                    from_status: r.from_status,
                    to_status: r.to_status,
                    note: r.note,
                    source_url: r.source_url,
                    actor_id: r.actor_id,
                    noted_at: r.noted_at,
                },
            )
        },
    );
    Ok(rows
        .into_iter()
        .map(|r| Regulation {
            milestones: milestones.remove(&r.id).unwrap_or_default(),
            history: history.remove(&r.id).unwrap_or_default(),
            id: r.id,
            slug: r.slug,
            name: r.name,
            short_name: r.short_name,
            official_title: r.official_title,
            identifier: r.identifier,
            jurisdiction_id: r.jurisdiction_id,
            legal_form: r.legal_form,
            status: r.status,
            adopted_on: r.adopted_on,
            official_url: r.official_url,
            legislature_url: r.legislature_url,
            summary_markdown: r.summary_markdown,
            tag_id: r.tag_id,
            published_at: r.published_at,
            created_at: r.created_at,
            updated_at: r.updated_at,
        })
        .collect())
}

/// The next batch of articles after the one with id `after` (start with the nil id), in id
/// order (the primary key's: a stable order that costs no sort), each with all its parts.
pub async fn articles(conn: &mut PgConnection, after: Uuid) -> Result<Vec<Article>, sqlx::Error> {
    let rows = sqlx::query!(
        r#"
        select id, slug, title, dek, body_markdown, excerpt, lang, status, review_note, withdrawn,
               withdrawn_reason, social_title, social_description, author_id, last_editor_id, published_at, published_version, version, created_at,
               updated_at, featured_media_id, ai_use, tdm_open, embargo_until, embargo_note, revised_at, kind, translation_of, translated_from,
               array(select m.media_id from article_media m where m.article_id = article.id
                     order by m.media_id) as "media!"
        from article
        where id > $1
        order by id
        limit $2
        "#,
        after,
        BATCH
    )
    .fetch_all(&mut *conn)
    .await?;
    let ids: Vec<Uuid> = rows.iter().map(|r| r.id).collect();

    let mut tags = grouped(
        sqlx::query!(
            r#"
            select article_id, tag_id from article_tag where article_id = any($1)
            order by article_id, position, tag_id
            "#,
            &ids
        )
        .fetch_all(&mut *conn)
        .await?,
        |r| (r.article_id, r.tag_id),
    );
    let mut coauthors = grouped(
        sqlx::query!(
            r#"
            select article_id, user_id, contributor_id from article_coauthor
            where article_id = any($1)
            order by article_id, position
            "#,
            &ids
        )
        .fetch_all(&mut *conn)
        .await?,
        |r| {
            (
                r.article_id,
                Coauthor {
                    user_id: r.user_id,
                    contributor_id: r.contributor_id,
                },
            )
        },
    );
    let mut links = grouped(
        sqlx::query!(
            r#"
            select from_article_id, to_article_id, origin from article_link
            where from_article_id = any($1)
            order by from_article_id, origin, position, to_article_id
            "#,
            &ids
        )
        .fetch_all(&mut *conn)
        .await?,
        |r| {
            (
                r.from_article_id,
                Link {
                    to: r.to_article_id,
                    origin: r.origin,
                },
            )
        },
    );
    let mut redirects = grouped(
        sqlx::query!(
            r#"
            select article_id, old_slug, created_at from slug_redirect where article_id = any($1)
            order by article_id, old_slug
            "#,
            &ids
        )
        .fetch_all(&mut *conn)
        .await?,
        |r| {
            (
                r.article_id,
                Redirect {
                    old_slug: r.old_slug,
                    created_at: r.created_at,
                },
            )
        },
    );
    let mut legacy_urls = grouped(
        sqlx::query!(
            r#"
            select article_id, path, created_at from legacy_url where article_id = any($1)
            order by article_id, path
            "#,
            &ids
        )
        .fetch_all(&mut *conn)
        .await?,
        |r| {
            (
                r.article_id,
                LegacyUrl {
                    path: r.path,
                    created_at: r.created_at,
                },
            )
        },
    );
    let mut corrections = grouped(
        sqlx::query!(
            r#"
            select id, article_id, author_id, noted_at, body from correction
            where article_id = any($1) order by id
            "#,
            &ids
        )
        .fetch_all(&mut *conn)
        .await?,
        |r| {
            (
                r.article_id,
                Correction {
                    id: r.id,
                    author_id: r.author_id,
                    noted_at: r.noted_at,
                    body: r.body,
                },
            )
        },
    );
    let mut notes = grouped(
        sqlx::query!(
            r#"
            select id, article_id, parent_id, paragraph, quote, body, author_id, created_at,
                   resolved_at, resolved_by
            from article_note where article_id = any($1) order by id
            "#,
            &ids
        )
        .fetch_all(&mut *conn)
        .await?,
        |r| {
            (
                r.article_id,
                Note {
                    id: r.id,
                    parent_id: r.parent_id,
                    paragraph: r.paragraph,
                    quote: r.quote,
                    body: r.body,
                    author_id: r.author_id,
                    created_at: r.created_at,
                    resolved_at: r.resolved_at,
                    resolved_by: r.resolved_by,
                },
            )
        },
    );
    let mut revisions = grouped(
        sqlx::query!(
            r#"
            select id, article_id, version, kind, title, dek, body_markdown, tags, related, editor_id,
                   save_key, created_at
            from article_revision where article_id = any($1) order by id
            "#,
            &ids
        )
        .fetch_all(&mut *conn)
        .await?,
        |r| {
            (
                r.article_id,
                Revision {
                    id: r.id,
                    version: r.version,
                    kind: r.kind,
                    title: r.title,
                    dek: r.dek,
                    body_markdown: r.body_markdown,
                    tags: r.tags,
                    related: r.related,
                    editor_id: r.editor_id,
                    save_key: r.save_key,
                    created_at: r.created_at,
                },
            )
        },
    );

    Ok(rows
        .into_iter()
        .map(|r| Article {
            tags: tags.remove(&r.id).unwrap_or_default(),
            links: links.remove(&r.id).unwrap_or_default(),
            redirects: redirects.remove(&r.id).unwrap_or_default(),
            legacy_urls: legacy_urls.remove(&r.id).unwrap_or_default(),
            corrections: corrections.remove(&r.id).unwrap_or_default(),
            notes: notes.remove(&r.id).unwrap_or_default(),
            revisions: revisions.remove(&r.id).unwrap_or_default(),
            id: r.id,
            slug: r.slug,
            title: r.title,
            dek: r.dek,
            body_markdown: r.body_markdown,
            excerpt: r.excerpt,
            lang: r.lang,
            status: r.status,
            review_note: r.review_note,
            withdrawn: r.withdrawn,
            withdrawn_reason: r.withdrawn_reason,
            social_title: r.social_title,
            social_description: r.social_description,
            featured_media_id: r.featured_media_id,
            media: r.media,
            ai_use: r.ai_use,
            tdm_open: r.tdm_open,
            embargo_until: r.embargo_until,
            embargo_note: r.embargo_note,
            coauthors: coauthors.remove(&r.id).unwrap_or_default(),
            revised_at: r.revised_at,
            kind: r.kind,
            translation_of: r.translation_of,
            translated_from: r.translated_from,
            author_id: r.author_id,
            last_editor_id: r.last_editor_id,
            published_at: r.published_at,
            published_version: r.published_version,
            version: r.version,
            created_at: r.created_at,
            updated_at: r.updated_at,
        })
        .collect())
}

/// The next batch of audit events after the one numbered `after`, oldest first.
pub async fn audit(conn: &mut PgConnection, after: i64) -> Result<Vec<AuditEvent>, sqlx::Error> {
    sqlx::query_as!(
        AuditEvent,
        r#"
        select id, actor_id, action, target_type, target_id, details, at, token_name
        from audit_event where id > $1 order by id limit $2
        "#,
        after,
        BATCH
    )
    .fetch_all(&mut *conn)
    .await
}

/// How much the database already holds, as a sentence, if it holds anything an import of a
/// whole export would collide with.
pub async fn existing_content(conn: &mut PgConnection) -> Result<Option<String>, sqlx::Error> {
    let counts = sqlx::query!(
        r#"
        select (select count(*) from app_user) as "users!",
               (select count(*) from tag) as "tags!",
               (select count(*) from article) as "articles!",
               (select count(*) from audit_event) as "events!"
        "#
    )
    .fetch_one(conn)
    .await?;
    if counts.users + counts.tags + counts.articles + counts.events == 0 {
        return Ok(None);
    }
    Ok(Some(format!(
        "{} users, {} tags, {} articles, {} audit events",
        counts.users, counts.tags, counts.articles, counts.events
    )))
}

/// Every slug an article has or had: a new article may take none of them.
pub async fn article_slugs(conn: &mut PgConnection) -> Result<Vec<String>, sqlx::Error> {
    sqlx::query_scalar!(
        r#"
        select slug as "slug!" from article
        union all
        select old_slug from slug_redirect
        "#
    )
    .fetch_all(conn)
    .await
}

/// Which of the (address, title) pairs are already articles here (the same posts, imported
/// before), in the pairs' order.
pub async fn already_here(
    conn: &mut PgConnection,
    pairs: &[(&Slug, &Title)],
) -> Result<Vec<bool>, sqlx::Error> {
    let slugs: Vec<&str> = pairs.iter().map(|(s, _)| s.as_str()).collect();
    let titles: Vec<&str> = pairs.iter().map(|(_, t)| t.as_str()).collect();
    sqlx::query_scalar!(
        r#"
        select exists (select 1 from article a where a.slug = p.slug and a.title = p.title) as "here!"
        from unnest($1::text[], $2::text[]) with ordinality as p(slug, title, n)
        order by p.n
        "#,
        &slugs as &[&str],
        &titles as &[&str]
    )
    .fetch_all(conn)
    .await
}

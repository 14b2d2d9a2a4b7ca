//! Review and corrections: the queue of articles waiting for an editor, the text readers last
//! saw (for the reviewer's diff), and append-only corrections. Publishing and sending back are
//! status changes (`articles::status`).

use crate::domain::AuditAction;
use serde_json::json;
use sqlx::{PgConnection, PgPool};
use time::OffsetDateTime;
use uuid::Uuid;

use super::audit;

/// An article waiting for review.
#[derive(Debug, Clone)]
pub struct Waiting {
    pub id: Uuid,
    pub title: String,
    pub author_name: String,
    pub since: OffsetDateTime,
    /// Not to come out before this time.
    pub embargo_until: Option<OffsetDateTime>,
}

/// Articles in review, the longest-waiting first.
pub async fn queue(pool: &PgPool) -> Result<Vec<Waiting>, sqlx::Error> {
    sqlx::query_as!(
        Waiting,
        r#"
        select a.id, a.title, u.display_name as author_name, a.updated_at as since,
               a.embargo_until
        from article a join app_user u on u.id = a.author_id
        where a.status = 'in_review'
        order by a.updated_at, a.id
        "#
    )
    .fetch_all(pool)
    .await
}

/// The text readers last saw of an article: its newest content revision at or before the
/// version that was published (status changes bump the version but write no revision).
pub async fn last_published_text(
    pool: &PgPool,
    article: Uuid,
) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar!(
        r#"
        select r.body_markdown
        from article a join article_revision r on r.article_id = a.id and r.version <= a.published_version
        where a.id = $1 and r.kind in ('create', 'save', 'restore') -- RevisionKind::was_saved
        order by r.version desc, r.id desc
        limit 1
        "#,
        article
    )
    .fetch_optional(pool)
    .await
}

/// A correction under an article.
#[derive(Debug, Clone)]
pub struct Correction {
    pub noted_at: OffsetDateTime,
    pub body: String,
}

/// Adds a correction to a published article (never edited, never removed).
pub async fn add_correction(
    conn: &mut PgConnection,
    article: Uuid,
    body: &str,
    actor: Uuid,
) -> Result<(), sqlx::Error> {
    let id = sqlx::query_scalar!(
        "insert into correction (article_id, author_id, body) values ($1, $2, $3) returning id",
        article,
        actor,
        body
    )
    .fetch_one(&mut *conn)
    .await?;
    audit::record(
        conn,
        Some(actor),
        AuditAction::ArticleCorrection,
        &article.to_string(),
        json!({ "correction": id }),
    )
    .await
}

/// An article's corrections, oldest first.
pub async fn corrections(pool: &PgPool, article: Uuid) -> Result<Vec<Correction>, sqlx::Error> {
    sqlx::query_as!(
        Correction,
        "select noted_at, body from correction where article_id = $1 order by noted_at, id",
        article
    )
    .fetch_all(pool)
    .await
}

/// A correction on the site-wide corrections page.
#[derive(Debug, Clone)]
pub struct PublicCorrection {
    pub slug: String,
    pub title: String,
    pub noted_at: OffsetDateTime,
    pub body: String,
}

/// The latest corrections of articles readers can see.
pub async fn public_corrections(
    pool: &PgPool,
    limit: i64,
) -> Result<Vec<PublicCorrection>, sqlx::Error> {
    sqlx::query_as!(
        PublicCorrection,
        r#"
        select a.slug, a.title, c.noted_at, c.body
        from correction c join article a on a.id = c.article_id
        where article_is_listed(a.status, a.published_at) and a.kind = 'article'
        order by c.noted_at desc, c.id desc
        limit $1
        "#,
        limit
    )
    .fetch_all(pool)
    .await
}

//! Review and corrections: the queue of articles waiting for an editor, publishing now or at a
//! time in the newsroom's time zone, sending back with a note, and append-only corrections.

use serde_json::json;
use sqlx::{PgConnection, PgPool};
use time::{OffsetDateTime, PrimitiveDateTime};
use uuid::Uuid;

use super::audit;

/// An article waiting for review.
#[derive(Debug, Clone)]
pub struct Waiting {
    pub id: Uuid,
    pub title: String,
    pub author_name: String,
    pub since: OffsetDateTime,
}

/// Articles in review, the longest-waiting first.
pub async fn queue(pool: &PgPool) -> Result<Vec<Waiting>, sqlx::Error> {
    sqlx::query_as!(
        Waiting,
        r#"
        select a.id, a.title, u.display_name as author_name, a.updated_at as since
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
        where a.id = $1 and r.kind in ('create', 'save', 'restore')
        order by r.version desc, r.id desc
        limit 1
        "#,
        article
    )
    .fetch_optional(pool)
    .await
}

/// When to publish.
#[derive(Debug, Clone, Copy)]
pub enum When<'a> {
    Now,
    /// A wall-clock time in the named time zone.
    At(PrimitiveDateTime, &'a str),
}

/// Publishes (now or at a time) the article as it stands at `version`, if it is still in
/// review at that version; returns the publication time, or `None` if it changed meanwhile.
pub async fn publish(
    conn: &mut PgConnection,
    id: Uuid,
    version: i32,
    when: When<'_>,
    actor: Uuid,
) -> Result<Option<OffsetDateTime>, sqlx::Error> {
    let (local, tz) = match when {
        When::Now => (None, None),
        When::At(local, tz) => (Some(local), Some(tz)),
    };
    let at = sqlx::query_scalar!(
        r#"
        update article
        set status = 'published',
            published_at = case when $3::timestamp is not null then $3::timestamp at time zone $4
                                when published_at is null or published_at > now() then now()
                                else published_at end,
            version = version + 1, published_version = version,
            review_note = '', withdrawn = false, last_editor_id = $5
        where id = $1 and version = $2 and status in ('in_review', 'draft')
        returning published_at as "published_at!"
        "#,
        id,
        version,
        local,
        tz,
        actor
    )
    .fetch_optional(&mut *conn)
    .await?;
    if let Some(at) = at {
        let action = if local.is_some() {
            "article.schedule"
        } else {
            "article.publish"
        };
        audit::record(
            conn,
            Some(actor),
            action,
            "article",
            &id.to_string(),
            json!({ "published_at": at.unix_timestamp() }),
        )
        .await?;
    }
    Ok(at)
}

/// Whether a wall-clock time in `tz` is still to come.
pub async fn is_future(
    pool: &PgPool,
    local: PrimitiveDateTime,
    tz: &str,
) -> Result<bool, sqlx::Error> {
    sqlx::query_scalar!(
        r#"select ($1::timestamp at time zone $2) > now() as "future!""#,
        local,
        tz
    )
    .fetch_one(pool)
    .await
}

/// Sends the article in review at `version` back to its author with `note`.
pub async fn request_changes(
    conn: &mut PgConnection,
    id: Uuid,
    version: i32,
    note: &str,
    actor: Uuid,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query!(
        r#"
        update article set status = 'draft', review_note = $3, version = version + 1, last_editor_id = $4
        where id = $1 and version = $2 and status = 'in_review'
        "#,
        id,
        version,
        note,
        actor
    )
    .execute(&mut *conn)
    .await?;
    if done.rows_affected() == 0 {
        return Ok(false);
    }
    audit::record(
        conn,
        Some(actor),
        "article.request_changes",
        "article",
        &id.to_string(),
        json!({ "note": note }),
    )
    .await?;
    Ok(true)
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
        "article.correction",
        "article",
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
        where article_is_listed(a.status, a.published_at)
        order by c.noted_at desc, c.id desc
        limit $1
        "#,
        limit
    )
    .fetch_all(pool)
    .await
}

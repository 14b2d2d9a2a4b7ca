//! Editorial notes: the newsroom's comments on an article, staff only and never part of its
//! text. A thread is a first note (about the whole article, or about one paragraph) and the
//! replies to it; a thread is open or resolved.

use sqlx::{PgConnection, PgPool};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::domain::Role;

#[derive(Debug, Clone)]
pub struct Note {
    pub id: i64,
    /// The thread it answers; none for a thread's first note.
    pub parent_id: Option<i64>,
    pub paragraph: Option<i32>,
    pub quote: String,
    pub body: String,
    pub author_name: Option<String>,
    pub created_at: OffsetDateTime,
    pub resolved_at: Option<OffsetDateTime>,
    pub resolved_by_name: Option<String>,
}

/// Every note on article `id`, in the order they were written.
pub async fn of_article(pool: &PgPool, id: Uuid) -> Result<Vec<Note>, sqlx::Error> {
    sqlx::query_as!(
        Note,
        r#"
        select n.id, n.parent_id, n.paragraph, n.quote, n.body, u.display_name as "author_name?",
               n.created_at, n.resolved_at, r.display_name as "resolved_by_name?"
        from article_note n
        left join app_user u on u.id = n.author_id
        left join app_user r on r.id = n.resolved_by
        where n.article_id = $1
        order by n.id
        "#,
        id
    )
    .fetch_all(pool)
    .await
}

/// Adds a note to article `id`: a new thread (about `paragraph`, whose first words are
/// `quote`), or a reply to thread `parent`. `None` when `parent` is no thread of this article.
pub async fn add(
    conn: &mut PgConnection,
    id: Uuid,
    parent: Option<i64>,
    paragraph: Option<i32>,
    quote: &str,
    body: &str,
    author: Uuid,
) -> Result<Option<i64>, sqlx::Error> {
    if let Some(parent) = parent {
        let thread = sqlx::query_scalar!(
            "select id from article_note where id = $1 and article_id = $2 and parent_id is null",
            parent,
            id
        )
        .fetch_optional(&mut *conn)
        .await?;
        if thread.is_none() {
            return Ok(None);
        }
    }
    let (paragraph, quote) = match parent {
        Some(_) => (None, ""),
        None => (paragraph, quote),
    };
    sqlx::query_scalar!(
        r#"
        insert into article_note (article_id, parent_id, paragraph, quote, body, author_id)
        values ($1, $2, $3, $4, $5, $6)
        returning id
        "#,
        id,
        parent,
        paragraph,
        quote,
        body,
        author
    )
    .fetch_one(conn)
    .await
    .map(Some)
}

/// Resolves thread `note` of article `id` (or opens it again). False when there is no such
/// thread.
pub async fn resolve(
    conn: &mut PgConnection,
    id: Uuid,
    note: i64,
    resolved: bool,
    actor: Uuid,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query!(
        r#"
        update article_note
        set resolved_at = case when $3 then coalesce(resolved_at, now()) end,
            resolved_by = case when $3 then coalesce(resolved_by, $4) end
        where id = $1 and article_id = $2 and parent_id is null
        "#,
        note,
        id,
        resolved,
        actor
    )
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// The active accounts whose page slugs are among `slugs` (the `@nom` a note mentions), with
/// their roles.
pub async fn mentioned(
    conn: &mut PgConnection,
    slugs: &[String],
) -> Result<Vec<(Uuid, Role)>, sqlx::Error> {
    let rows = sqlx::query!(
        r#"select id, role as "role: Role" from app_user where slug = any($1) and disabled_at is null"#,
        slugs
    )
    .fetch_all(conn)
    .await?;
    Ok(rows.into_iter().map(|r| (r.id, r.role)).collect())
}

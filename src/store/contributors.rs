//! Guest contributors: bylines for people without an account (name, bio, a page). Editors keep
//! the list; articles name them among their co-authors (`store::articles::bylines`).

use serde_json::json;
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

use crate::domain::{AuditAction, Slug};
use crate::store::audit;

#[derive(Debug, Clone)]
pub struct Contributor {
    pub id: Uuid,
    pub slug: String,
    pub name: String,
    pub bio: String,
    /// Articles they co-sign, whatever their status.
    pub articles: i64,
}

/// Every contributor, by name.
pub async fn list(pool: &PgPool) -> Result<Vec<Contributor>, sqlx::Error> {
    sqlx::query_as!(
        Contributor,
        r#"
        select g.id, g.slug, g.name, g.bio,
               (select count(*) from article_coauthor c where c.contributor_id = g.id) as "articles!"
        from contributor g
        order by lower(g.name), g.slug
        "#
    )
    .fetch_all(pool)
    .await
}

/// The contributor with this page slug, if readers can see at least one article they co-sign.
pub async fn public(pool: &PgPool, slug: &Slug) -> Result<Option<Contributor>, sqlx::Error> {
    sqlx::query_as!(
        Contributor,
        r#"
        select g.id, g.slug, g.name, g.bio,
               (select count(*) from article_coauthor c join public_article a on a.id = c.article_id
                where c.contributor_id = g.id) as "articles!"
        from contributor g
        where g.slug = $1
          and exists (select 1 from article_coauthor c join public_article a on a.id = c.article_id
                      where c.contributor_id = g.id)
        "#,
        slug.as_str()
    )
    .fetch_optional(pool)
    .await
}

/// Adds a contributor; the slug is taken from the name, numbered if needed.
pub async fn create(
    conn: &mut PgConnection,
    name: &str,
    bio: &str,
    actor: Uuid,
) -> Result<Uuid, sqlx::Error> {
    let base = Slug::derive_or(name, "contributeur").as_str().to_owned();
    let id = sqlx::query_scalar!(
        r#"
        insert into contributor (slug, name, bio)
        select case when n = 1 then $1 else rtrim(left($1, 80 - length('-' || n)), '-') || '-' || n end, $2, $3
        from generate_series(1, 1000) n
        where not exists (select 1 from contributor
                          where slug = case when n = 1 then $1 else rtrim(left($1, 80 - length('-' || n)), '-') || '-' || n end)
        order by n limit 1
        returning id
        "#,
        base,
        name,
        bio
    )
    .fetch_one(&mut *conn)
    .await?;
    audit::record(
        conn,
        Some(actor),
        AuditAction::ContributorCreate,
        &id.to_string(),
        json!({ "name": name }),
    )
    .await?;
    Ok(id)
}

/// Renames or describes contributor `id`. False when there is none.
pub async fn update(
    conn: &mut PgConnection,
    id: Uuid,
    name: &str,
    bio: &str,
    actor: Uuid,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query!(
        "update contributor set name = $2, bio = $3 where id = $1",
        id,
        name,
        bio
    )
    .execute(&mut *conn)
    .await?
    .rows_affected()
        == 1;
    if done {
        audit::record(
            conn,
            Some(actor),
            AuditAction::ContributorUpdate,
            &id.to_string(),
            json!({ "name": name }),
        )
        .await?;
    }
    Ok(done)
}

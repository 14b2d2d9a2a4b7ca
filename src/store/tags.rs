//! Tags: topics, jurisdictions, organisations and regulations that articles are filed under.

use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

use crate::domain::{Slug, TagKind};

/// A tag as shown on its public page.
#[derive(Debug, Clone)]
pub struct Tag {
    pub id: Uuid,
    pub slug: String,
    pub name: String,
    pub kind: String,
    pub description: String,
}

/// The tag with this slug, if at least one article readers can see carries it: a tag that only
/// drafts use could reveal a story before it is out.
pub async fn public_tag(pool: &PgPool, slug: &Slug) -> Result<Option<Tag>, sqlx::Error> {
    sqlx::query_as!(
        Tag,
        r#"
        select t.id, t.slug, t.name, t.kind, t.description
        from tag t
        where t.slug = $1
          and exists (
              select 1 from article_tag x join article a on a.id = x.article_id
              where x.tag_id = t.id and a.status = 'published' and a.published_at <= now()
          )
        "#,
        slug.as_str()
    )
    .fetch_optional(pool)
    .await
}

/// The id of the tag called `name` (case-insensitive), created with `kind` if there is none.
pub async fn find_or_create(
    conn: &mut PgConnection,
    name: &str,
    kind: TagKind,
    description: &str,
) -> Result<Uuid, sqlx::Error> {
    let name = name.trim();
    if let Some(id) = sqlx::query_scalar!("select id from tag where lower(name) = lower($1)", name)
        .fetch_optional(&mut *conn)
        .await?
    {
        return Ok(id);
    }
    let base = Slug::derive_or(name, "tag");
    let taken = sqlx::query_scalar!(
        "select slug from tag where slug like $1 || '%'",
        base.variants_prefix()
    )
    .fetch_all(&mut *conn)
    .await?;
    let slug = base.first_free(&taken);
    // Someone may create the same tag at the same moment: then theirs is the one.
    let created = sqlx::query_scalar!(
        "insert into tag (slug, name, kind, description) values ($1, $2, $3, $4) on conflict do nothing returning id",
        slug.as_str(),
        name,
        kind.as_str(),
        description
    )
    .fetch_optional(&mut *conn)
    .await?;
    match created {
        Some(id) => Ok(id),
        None => {
            sqlx::query_scalar!(
                "select id from tag where lower(name) = lower($1) or slug = $2",
                name,
                slug.as_str()
            )
            .fetch_one(conn)
            .await
        }
    }
}

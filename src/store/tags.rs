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
    pub kind: TagKind,
    pub description: String,
}

/// The tag with this slug, if at least one article readers can see carries it: a tag that only
/// drafts use could reveal a story before it is out.
pub async fn public_tag(pool: &PgPool, slug: &Slug) -> Result<Option<Tag>, sqlx::Error> {
    sqlx::query_as!(
        Tag,
        r#"
        select t.id, t.slug, t.name, t.kind as "kind: TagKind", t.description
        from tag t
        where t.slug = $1
          -- article_tag carries the publication time of published articles (see migration
          -- tag_pages): the tag's date index answers without reading articles.
          and exists (
              select 1 from article_tag x where x.tag_id = t.id and article_tag_is_listed(x.published_at)
          )
        "#,
        slug.as_str()
    )
    .fetch_optional(pool)
    .await
}

/// A tag in the public list, with how many public articles carry it.
#[derive(Debug, Clone)]
pub struct Listed {
    pub slug: String,
    pub name: String,
    pub kind: TagKind,
    pub description: String,
    pub articles: i64,
}

/// Every tag that at least one article readers can see carries, by name.
pub async fn public_tags(pool: &PgPool) -> Result<Vec<Listed>, sqlx::Error> {
    sqlx::query_as!(
        Listed,
        r#"
        select t.slug, t.name, t.kind as "kind: TagKind", t.description, count(*) as "articles!"
        from tag t
        join article_tag x on x.tag_id = t.id
        where article_tag_is_listed(x.published_at)
        group by t.id
        order by lower(t.name), t.slug
        "#
    )
    .fetch_all(pool)
    .await
}

/// `base`, or the first of `base-2`, `base-3`… that no tag other than `except` has and no old
/// address of another tag points to (a renamed tag's old address keeps answering 301 for it).
async fn free_slug(
    conn: &mut PgConnection,
    base: &Slug,
    except: Option<Uuid>,
) -> Result<Slug, sqlx::Error> {
    let taken = sqlx::query_scalar!(
        r#"
        select slug as "slug!" from tag where slug like $1 || '%' and id is distinct from $2
        union all
        select old_slug from tag_redirect
        where old_slug like $1 || '%' and tag_id is distinct from $2
        "#,
        base.variants_prefix(),
        except
    )
    .fetch_all(&mut *conn)
    .await?;
    Ok(base.first_free(&taken))
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
    let slug = free_slug(conn, &Slug::derive_or(name, "tag"), None).await?;
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

/// Where a tag that was renamed or merged lives now, if `slug` is one of its old addresses and
/// it has public articles.
pub async fn moved_to(pool: &PgPool, slug: &Slug) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar!(
        r#"
        select t.slug from tag_redirect r join tag t on t.id = r.tag_id
        where r.old_slug = $1
          -- article_tag carries the publication time of published articles (see migration
          -- tag_pages): the tag's date index answers without reading articles.
          and exists (
              select 1 from article_tag x where x.tag_id = t.id and article_tag_is_listed(x.published_at)
          )
        "#,
        slug.as_str()
    )
    .fetch_optional(pool)
    .await
}

/// A tag in the admins' list, with how many articles carry it.
#[derive(Debug, Clone)]
pub struct Managed {
    pub id: Uuid,
    pub slug: String,
    pub name: String,
    pub kind: TagKind,
    pub description: String,
    pub articles: i64,
}

pub async fn managed(pool: &PgPool) -> Result<Vec<Managed>, sqlx::Error> {
    sqlx::query_as!(
        Managed,
        r#"
        select t.id, t.slug, t.name, t.kind as "kind: TagKind", t.description,
               (select count(*) from article_tag x where x.tag_id = t.id) as "articles!"
        from tag t order by lower(t.name)
        "#
    )
    .fetch_all(pool)
    .await
}

/// What became of a change to a tag.
#[derive(Debug, PartialEq, Eq)]
pub enum Change {
    Done,
    NameTaken,
    NotFound,
}

/// Renames (new address, the old one redirecting), re-kinds and re-describes a tag.
pub async fn update(
    conn: &mut PgConnection,
    id: Uuid,
    name: &str,
    kind: TagKind,
    description: &str,
) -> Result<Change, sqlx::Error> {
    let Some(current) = sqlx::query!("select slug, name from tag where id = $1 for update", id)
        .fetch_optional(&mut *conn)
        .await?
    else {
        return Ok(Change::NotFound);
    };
    let name = name.trim();
    let taken = sqlx::query_scalar!(
        r#"select exists (select 1 from tag where lower(name) = lower($1) and id <> $2) as "taken!""#,
        name,
        id
    )
    .fetch_one(&mut *conn)
    .await?;
    if taken {
        return Ok(Change::NameTaken);
    }
    let mut slug = current.slug.clone();
    if name != current.name {
        let base = Slug::derive_or(name, "tag");
        if base.as_str() != current.slug {
            slug = free_slug(conn, &base, Some(id)).await?.to_string();
        }
    }
    if slug != current.slug {
        sqlx::query!("delete from tag_redirect where old_slug = $1", slug)
            .execute(&mut *conn)
            .await?;
        sqlx::query!(
            "insert into tag_redirect (old_slug, tag_id) values ($1, $2) on conflict (old_slug) do update set tag_id = excluded.tag_id",
            current.slug,
            id
        )
        .execute(&mut *conn)
        .await?;
    }
    sqlx::query!(
        "update tag set name = $2, slug = $3, kind = $4, description = $5 where id = $1",
        id,
        name,
        slug,
        kind.as_str(),
        description.trim()
    )
    .execute(conn)
    .await?;
    Ok(Change::Done)
}

/// Moves every article of `from` to `into`, then removes `from`; its addresses redirect to
/// `into`.
pub async fn merge(conn: &mut PgConnection, from: Uuid, into: Uuid) -> Result<Change, sqlx::Error> {
    if from == into {
        return Ok(Change::NotFound);
    }
    // Both rows locked, in id order, so merges the other way round wait instead of deadlocking.
    let locked = sqlx::query!(
        "select id, slug from tag where id in ($1, $2) order by id for update",
        from,
        into
    )
    .fetch_all(&mut *conn)
    .await?;
    if locked.len() != 2 {
        return Ok(Change::NotFound);
    }
    let Some(old_slug) = locked.into_iter().find(|t| t.id == from).map(|t| t.slug) else {
        return Ok(Change::NotFound);
    };
    sqlx::query!(
        r#"
        insert into article_tag (article_id, tag_id, position)
        select article_id, $2, position from article_tag where tag_id = $1
        on conflict do nothing
        "#,
        from,
        into
    )
    .execute(&mut *conn)
    .await?;
    sqlx::query!(
        "update tag_redirect set tag_id = $2 where tag_id = $1",
        from,
        into
    )
    .execute(&mut *conn)
    .await?;
    // A regulation or jurisdiction of the tracker keeps its articles: it follows its tag into
    // the other, unless the other is some other record's already.
    sqlx::query!(
        r#"
        update regulation set tag_id = $2
        where tag_id = $1 and not exists (select 1 from regulation where tag_id = $2)
        "#,
        from,
        into
    )
    .execute(&mut *conn)
    .await?;
    sqlx::query!(
        r#"
        update jurisdiction set tag_id = $2
        where tag_id = $1 and not exists (select 1 from jurisdiction where tag_id = $2)
        "#,
        from,
        into
    )
    .execute(&mut *conn)
    .await?;
    sqlx::query!("delete from tag where id = $1", from)
        .execute(&mut *conn)
        .await?;
    sqlx::query!(
        "insert into tag_redirect (old_slug, tag_id) values ($1, $2) on conflict (old_slug) do update set tag_id = excluded.tag_id",
        old_slug,
        into
    )
    .execute(conn)
    .await?;
    Ok(Change::Done)
}

/// Deletes a tag; one still on articles only when `detach` says to take it off them.
pub async fn delete(
    conn: &mut PgConnection,
    id: Uuid,
    detach: bool,
) -> Result<Option<i64>, sqlx::Error> {
    // Locked first: an article tagged meanwhile waits, and is counted.
    sqlx::query!("select id from tag where id = $1 for update", id)
        .fetch_optional(&mut *conn)
        .await?;
    let used = sqlx::query_scalar!(
        r#"select count(*) as "used!" from article_tag where tag_id = $1"#,
        id
    )
    .fetch_one(&mut *conn)
    .await?;
    if used > 0 && !detach {
        return Ok(Some(used));
    }
    sqlx::query!("delete from tag where id = $1", id)
        .execute(conn)
        .await?;
    Ok(None)
}

/// The tags with these slugs: `(slug, id)`, for those that exist.
pub async fn ids_by_slug(
    pool: &PgPool,
    slugs: &[String],
) -> Result<Vec<(String, Uuid)>, sqlx::Error> {
    let rows = sqlx::query!("select slug, id from tag where slug = any($1)", slugs)
        .fetch_all(pool)
        .await?;
    Ok(rows.into_iter().map(|r| (r.slug, r.id)).collect())
}

/// The tags `ids` as shown next to an article, in that order (a missing one left out).
pub async fn refs(
    conn: &mut PgConnection,
    ids: &[Uuid],
) -> Result<Vec<super::TagRef>, sqlx::Error> {
    sqlx::query_as!(
        super::TagRef,
        r#"
        select t.slug, t.name, t.kind as "kind: TagKind"
        from unnest($1::uuid[]) with ordinality as x(id, n) join tag t on t.id = x.id
        order by x.n
        "#,
        ids
    )
    .fetch_all(conn)
    .await
}

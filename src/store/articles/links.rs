//! What an article points to: its tags, the related articles an editor picked, and the
//! articles its body links to (with a warning for each link readers could not follow). Run
//! in the caller's transaction, as part of a save.

use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

use crate::domain::Slug;

/// A body link to one of our articles that readers would not be able to follow.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LinkWarning {
    NoSuchArticle(String),
    NotPublished(String),
}

/// Replaces the article's tags with `tags`, in that order.
pub(super) async fn set_tags(
    conn: &mut PgConnection,
    article: Uuid,
    tags: &[Uuid],
) -> Result<(), sqlx::Error> {
    sqlx::query!("delete from article_tag where article_id = $1", article)
        .execute(&mut *conn)
        .await?;
    sqlx::query!(
        r#"
        insert into article_tag (article_id, tag_id, position)
        select $1, t.id, t.position
        from unnest($2::uuid[]) with ordinality as t(id, position)
        -- A tag merged or deleted since the form was opened is simply dropped.
        join tag g on g.id = t.id
        on conflict do nothing
        "#,
        article,
        tags
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Replaces the article's inline links with the articles behind `slugs`; picked links stay.
/// Returns a warning for each slug readers could not follow.
pub(crate) async fn set_inline_links(
    conn: &mut PgConnection,
    article: Uuid,
    slugs: &[Slug],
) -> Result<Vec<LinkWarning>, sqlx::Error> {
    let targets = resolve_links(&mut *conn, slugs).await?;
    sqlx::query!(
        "delete from article_link where from_article_id = $1 and origin = 'inline'",
        article
    )
    .execute(&mut *conn)
    .await?;
    let ids: Vec<Uuid> = targets
        .iter()
        .filter_map(|t| t.id)
        .filter(|id| *id != article)
        .collect();
    let warnings = warnings_for(targets);
    sqlx::query!(
        r#"
        insert into article_link (from_article_id, to_article_id, position, origin)
        select $1, t.id, t.position, 'inline'
        from unnest($2::uuid[]) with ordinality as t(id, position)
        on conflict do nothing
        "#,
        article,
        &ids
    )
    .execute(conn)
    .await?;
    Ok(warnings)
}

/// Replaces the editor-picked related articles with `related`, in that order.
pub(super) async fn set_picked_links(
    conn: &mut PgConnection,
    article: Uuid,
    related: &[Uuid],
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "delete from article_link where from_article_id = $1 and origin = 'picked'",
        article
    )
    .execute(&mut *conn)
    .await?;
    let related: Vec<Uuid> = related.iter().copied().filter(|r| *r != article).collect();
    sqlx::query!(
        r#"
        insert into article_link (from_article_id, to_article_id, position, origin)
        select $1, t.id, t.position, 'picked'
        from unnest($2::uuid[]) with ordinality as t(id, position)
        join article a on a.id = t.id
            and article_is_listed(a.status, a.published_at) and a.kind = 'article'
        on conflict do nothing
        "#,
        article,
        &related
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// The article behind a slug a body links to, if any, and whether readers can see it.
struct LinkTarget {
    slug: String,
    id: Option<Uuid>,
    public: bool,
}

async fn resolve_links<'e>(
    db: impl sqlx::PgExecutor<'e>,
    slugs: &[Slug],
) -> Result<Vec<LinkTarget>, sqlx::Error> {
    let slugs: Vec<String> = slugs.iter().map(|s| s.as_str().to_owned()).collect();
    let rows = sqlx::query!(
        r#"
        select s.slug as "slug!", a.id as "id?",
               coalesce(article_is_listed(a.status, a.published_at) and a.kind = 'article', false) as "public!"
        from unnest($1::text[]) with ordinality as s(slug, position)
        left join article a on a.slug = s.slug
        order by s.position
        "#,
        &slugs
    )
    .fetch_all(db)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| LinkTarget {
            slug: r.slug,
            id: r.id,
            public: r.public,
        })
        .collect())
}

/// The links readers could not follow.
fn warnings_for(targets: Vec<LinkTarget>) -> Vec<LinkWarning> {
    targets
        .into_iter()
        .filter_map(|t| match (t.id, t.public) {
            (None, _) => Some(LinkWarning::NoSuchArticle(t.slug)),
            (Some(_), true) => None,
            (Some(_), false) => Some(LinkWarning::NotPublished(t.slug)),
        })
        .collect()
}

/// What readers would find behind each of `slugs` if an article linked to them; no writes.
pub async fn link_warnings(pool: &PgPool, slugs: &[Slug]) -> Result<Vec<LinkWarning>, sqlx::Error> {
    Ok(warnings_for(resolve_links(pool, slugs).await?))
}

//! Bylines: who signs an article. Its author (`article.author_id`, the account that owns it)
//! signs first; co-authors follow in order, accounts or guest contributors. Co-authors with an
//! account may edit the article as its author may (the web side decides with
//! `Editable::is_by`); changing the author is an editor's decision, made there too.

use serde_json::json;
use sqlx::PgConnection;
use uuid::Uuid;

use crate::domain::AuditAction;
use crate::store::audit;

/// A co-author: an account or a guest contributor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Coauthor {
    Account(Uuid),
    Guest(Uuid),
}

impl Coauthor {
    /// As a form names it: `u:<id>` or `c:<id>`.
    pub fn key(&self) -> String {
        match self {
            Coauthor::Account(id) => format!("u:{id}"),
            Coauthor::Guest(id) => format!("c:{id}"),
        }
    }

    pub fn parse(key: &str) -> Option<Self> {
        let (kind, id) = key.trim().split_once(':')?;
        let id = Uuid::parse_str(id).ok()?;
        match kind {
            "u" => Some(Coauthor::Account(id)),
            "c" => Some(Coauthor::Guest(id)),
            _ => None,
        }
    }
}

/// Gives article `id` the author `author` and the co-authors `coauthors` (in order; the author
/// and repeats left out). False when an account or contributor named does not exist (nothing
/// is changed then).
pub async fn set(
    conn: &mut PgConnection,
    id: Uuid,
    author: Uuid,
    coauthors: &[Coauthor],
    actor: Uuid,
) -> Result<bool, sqlx::Error> {
    // One change of an article's bylines at a time.
    sqlx::query!("select id from article where id = $1 for update", id)
        .fetch_optional(&mut *conn)
        .await?;
    let mut kept: Vec<Coauthor> = Vec::new();
    for c in coauthors {
        if *c != Coauthor::Account(author) && !kept.contains(c) {
            kept.push(*c);
        }
    }
    let users: Vec<Uuid> = kept
        .iter()
        .map(|c| match c {
            Coauthor::Account(u) => Some(*u),
            Coauthor::Guest(_) => None,
        })
        .map(|u| u.unwrap_or(Uuid::nil()))
        .collect();
    let guests: Vec<Uuid> = kept
        .iter()
        .map(|c| match c {
            Coauthor::Guest(g) => *g,
            Coauthor::Account(_) => Uuid::nil(),
        })
        .collect();
    let known = sqlx::query_scalar!(
        r#"
        select (select count(*) from app_user where id = $1)
             + (select count(*) from app_user where id = any($2))
             + (select count(*) from contributor where id = any($3)) as "n!"
        "#,
        author,
        &users,
        &guests
    )
    .fetch_one(&mut *conn)
    .await?;
    if known != i64::try_from(kept.len() + 1).unwrap_or(i64::MAX) {
        return Ok(false);
    }
    sqlx::query!(
        "update article set author_id = $2 where id = $1 and author_id <> $2",
        id,
        author
    )
    .execute(&mut *conn)
    .await?;
    sqlx::query!("delete from article_coauthor where article_id = $1", id)
        .execute(&mut *conn)
        .await?;
    sqlx::query!(
        r#"
        insert into article_coauthor (article_id, position, user_id, contributor_id)
        select $1, t.position, nullif(t.user_id, '00000000-0000-0000-0000-000000000000'),
               nullif(t.guest_id, '00000000-0000-0000-0000-000000000000')
        from unnest($2::uuid[], $3::uuid[]) with ordinality as t(user_id, guest_id, position)
        "#,
        id,
        &users,
        &guests
    )
    .execute(&mut *conn)
    .await?;
    let names = sqlx::query_scalar!(
        r#"
        select coalesce(u.display_name, g.name) as "name!"
        from article_coauthor c left join app_user u on u.id = c.user_id
        left join contributor g on g.id = c.contributor_id
        where c.article_id = $1 order by c.position
        "#,
        id
    )
    .fetch_all(&mut *conn)
    .await?;
    audit::record(
        conn,
        Some(actor),
        AuditAction::ArticleBylines,
        &id.to_string(),
        json!({ "author": author, "coauthors": names }),
    )
    .await?;
    Ok(true)
}

//! Notifications: what a person of the newsroom is told in the staff menu (an article
//! submitted for review, sent back, published, a scheduled one out, a note mentioning them).
//! A scheduled article's are written by a trigger when it is scheduled, due at its time (the
//! `notes_notifications` migration); the others by the web side as things happen.

use sqlx::{PgConnection, PgPool};
use time::OffsetDateTime;
use uuid::Uuid;

/// What a notification is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Submitted,
    SentBack,
    Published,
    ScheduledOut,
    Mentioned,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Submitted => "submitted",
            Kind::SentBack => "sent_back",
            Kind::Published => "published",
            Kind::ScheduledOut => "scheduled_out",
            Kind::Mentioned => "mentioned",
        }
    }
}

/// A notification as the list shows it.
#[derive(Debug, Clone)]
pub struct Notice {
    pub id: i64,
    pub kind: String,
    pub article_id: Option<Uuid>,
    pub article_title: Option<String>,
    pub actor_name: Option<String>,
    pub due_at: OffsetDateTime,
    pub read: bool,
}

/// Tells `users` (but `actor`, who knows) of `kind` about article `article`, done by `actor`.
pub async fn notify(
    conn: &mut PgConnection,
    users: &[Uuid],
    kind: Kind,
    article: Uuid,
    actor: Uuid,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        r#"
        insert into notification (user_id, kind, article_id, actor_id)
        select distinct u, $2::text, $3::uuid, $4::uuid from unnest($1::uuid[]) u where u <> $4::uuid
        "#,
        users,
        kind.as_str(),
        article,
        actor
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// The newest `limit` notifications of `user` whose time has come.
pub async fn list(pool: &PgPool, user: Uuid, limit: i64) -> Result<Vec<Notice>, sqlx::Error> {
    sqlx::query_as!(
        Notice,
        r#"
        select n.id, n.kind, n.article_id, a.title as "article_title?",
               u.display_name as "actor_name?", n.due_at, n.read_at is not null as "read!"
        from notification n
        left join article a on a.id = n.article_id
        left join app_user u on u.id = n.actor_id
        where n.user_id = $1 and n.due_at <= now()
        order by n.due_at desc, n.id desc
        limit $2
        "#,
        user,
        limit
    )
    .fetch_all(pool)
    .await
}

/// Marks every notification of `user` whose time has come as read.
pub async fn mark_read(conn: &mut PgConnection, user: Uuid) -> Result<u64, sqlx::Error> {
    Ok(sqlx::query!(
        "update notification set read_at = now() where user_id = $1 and read_at is null and due_at <= now()",
        user
    )
    .execute(conn)
    .await?
    .rows_affected())
}

/// Everyone who signs article `id` with an account: its author and co-authors.
pub async fn signers(conn: &mut PgConnection, id: Uuid) -> Result<Vec<Uuid>, sqlx::Error> {
    sqlx::query_scalar!(
        r#"
        select author_id as "id!" from article where id = $1
        union
        select user_id as "id!" from article_coauthor where article_id = $1 and user_id is not null
        "#,
        id
    )
    .fetch_all(conn)
    .await
}

/// Editors and admins, active: who hears of an article submitted for review.
pub async fn reviewers(conn: &mut PgConnection) -> Result<Vec<Uuid>, sqlx::Error> {
    sqlx::query_scalar!(
        "select id from app_user where role in ('editor', 'admin') and disabled_at is null"
    )
    .fetch_all(conn)
    .await
}

/// An `out_notice` job's question: who is to be mailed that article `id`, scheduled for `at`,
/// is out — those whose notice is due at that time, now that it has come, while the article is
/// still published at it (moved or cancelled meanwhile: nobody), and not yet mailed; whoever
/// scheduled it is not told of their own doing. They are marked mailed here, in the caller's
/// transaction (which queues the mail): a second job, or this one run again, finds nobody.
/// With the article's title and the path readers read it at.
pub async fn out_at(
    conn: &mut PgConnection,
    id: Uuid,
    at: OffsetDateTime,
) -> Result<Vec<(Uuid, String, String)>, sqlx::Error> {
    let rows = sqlx::query!(
        r#"
        update notification n set mailed_at = now()
        from article a
        where a.id = n.article_id and n.article_id = $1 and n.kind = 'scheduled_out'
          and n.due_at = $2 and n.due_at <= now() and n.mailed_at is null
          and n.actor_id is distinct from n.user_id
          and a.status = 'published' and a.published_at = $2
        returning n.user_id, a.title,
                  case when a.kind = 'page' then '/pages/' else '/articles/' end || a.slug as "path!"
        "#,
        id,
        at
    )
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| (r.user_id, r.title, r.path))
        .collect())
}

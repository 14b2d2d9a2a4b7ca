//! The soft lock: who is editing an article now. It warns, it never blocks a save.

use sqlx::PgConnection;
use uuid::Uuid;

/// Marks `user` as editing the article now.
pub async fn take(conn: &mut PgConnection, id: Uuid, user: Uuid) -> Result<(), sqlx::Error> {
    sqlx::query!(
        r#"
        insert into article_lock (article_id, user_id) values ($1, $2)
        on conflict (article_id) do update set user_id = excluded.user_id, locked_at = now()
        "#,
        id,
        user
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Refreshes `user`'s lock, or takes a lock nobody holds (or that has gone stale after
/// `fresh_seconds`); never takes someone else's live lock.
pub async fn refresh(
    conn: &mut PgConnection,
    id: Uuid,
    user: Uuid,
    fresh_seconds: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        r#"
        insert into article_lock (article_id, user_id) values ($1, $2)
        on conflict (article_id) do update set user_id = excluded.user_id, locked_at = now()
        where article_lock.user_id = excluded.user_id
           or article_lock.locked_at < now() - make_interval(secs => $3)
        "#,
        id,
        user,
        fresh_seconds as f64
    )
    .execute(conn)
    .await?;
    Ok(())
}

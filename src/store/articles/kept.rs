//! Text kept without becoming the article's: the losing side of a conflict, and autosaves
//! (one revision per editing session, updated in place), so that nothing typed is lost.

use serde_json::json;
use sqlx::PgConnection;
use uuid::Uuid;

use super::write::Draft;
use crate::domain::RevisionKind;

/// Keeps text that was not saved onto the article (an autosave, or the losing side of a
/// conflict) as a revision of `kind`, so nothing typed is ever lost.
pub async fn keep_revision(
    conn: &mut PgConnection,
    id: Uuid,
    base_version: i32,
    editor: Uuid,
    draft: &Draft<'_>,
    kind: RevisionKind,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        r#"
        insert into article_revision (article_id, version, title, dek, body_markdown, tags, related, editor_id, kind, save_key)
        values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
        "#,
        id,
        base_version,
        draft.title.as_str(),
        draft.dek,
        draft.body_markdown,
        json!(draft.tags),
        json!(draft.related),
        editor,
        kind.as_str(),
        draft.save_key
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Keeps an autosave of `draft` by `editor`, on top of `base_version`. One autosave revision per
/// editing session: while the article's newest revision is this editor's autosave on the same
/// version (nothing saved since), that revision is updated in place; otherwise a new one starts.
pub async fn keep_autosave(
    conn: &mut PgConnection,
    id: Uuid,
    base_version: i32,
    editor: Uuid,
    draft: &Draft<'_>,
) -> Result<(), sqlx::Error> {
    // The article's row lock orders this against saves and other autosaves of it.
    sqlx::query!("select id from article where id = $1 for update", id)
        .fetch_optional(&mut *conn)
        .await?;
    let updated = sqlx::query!(
        r#"
        update article_revision r
        set title = $3, dek = $4, body_markdown = $5, tags = $6, related = $7, created_at = now()
        where r.id = (select id from article_revision where article_id = $1 order by id desc limit 1)
          and r.kind = 'autosave' and r.editor_id = $8 and r.version = $2
        "#,
        id,
        base_version,
        draft.title.as_str(),
        draft.dek,
        draft.body_markdown,
        json!(draft.tags),
        json!(draft.related),
        editor
    )
    .execute(&mut *conn)
    .await?;
    if updated.rows_affected() == 0 {
        keep_revision(
            conn,
            id,
            base_version,
            editor,
            draft,
            RevisionKind::Autosave,
        )
        .await?;
    }
    Ok(())
}

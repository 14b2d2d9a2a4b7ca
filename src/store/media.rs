//! The image library: what each image is (alt text, caption, credit, focal point, size), the
//! files made from it, and where it is used. The files themselves are in the media store
//! (`media::storage`).

use std::collections::HashSet;

use serde::Deserialize;
use sqlx::types::Json;
use sqlx::{PgConnection, PgPool};
use time::OffsetDateTime;
use uuid::Uuid;

/// An image as sent, before its renditions exist.
#[derive(Debug, Clone)]
pub struct NewMedia<'a> {
    pub id: Uuid,
    pub original_key: &'a str,
    pub original_bytes: i64,
    pub format: &'a str,
    pub width: i32,
    pub height: i32,
    pub alt: &'a str,
    pub caption: &'a str,
    pub credit: &'a str,
    /// `None`: brought by an import.
    pub uploaded_by: Option<Uuid>,
}

pub async fn insert(conn: &mut PgConnection, media: &NewMedia<'_>) -> Result<(), sqlx::Error> {
    sqlx::query!(
        r#"
        insert into media (id, original_key, original_bytes, format, width, height, alt,
                           caption, credit, uploaded_by)
        values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
        "#,
        media.id,
        media.original_key,
        media.original_bytes,
        media.format,
        media.width,
        media.height,
        media.alt,
        media.caption,
        media.credit,
        media.uploaded_by
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// A new file for an image: its renditions are made again; pages keep pointing at it.
pub async fn replace_original(
    conn: &mut PgConnection,
    id: Uuid,
    original_key: &str,
    original_bytes: i64,
    format: &str,
    width: i32,
    height: i32,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query!(
        r#"
        update media
        set original_key = $2, original_bytes = $3, format = $4, width = $5, height = $6,
            state = 'processing'
        where id = $1
        "#,
        id,
        original_key,
        original_bytes,
        format,
        width,
        height
    )
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// What the library page and the worker know of an image.
#[derive(Debug, Clone)]
pub struct Media {
    pub id: Uuid,
    pub original_key: String,
    pub original_bytes: i64,
    pub format: String,
    pub width: i32,
    pub height: i32,
    pub alt: String,
    pub caption: String,
    pub credit: String,
    pub focal_x: f32,
    pub focal_y: f32,
    pub state: String,
    pub uploaded_by: Option<Uuid>,
    pub created_at: OffsetDateTime,
}

pub async fn get(pool: &PgPool, id: Uuid) -> Result<Option<Media>, sqlx::Error> {
    sqlx::query_as!(
        Media,
        r#"
        select id, original_key, original_bytes, format, width, height, alt, caption, credit,
               focal_x, focal_y, state, uploaded_by, created_at
        from media where id = $1
        "#,
        id
    )
    .fetch_optional(pool)
    .await
}

/// Holds image `id` until the caller's transaction ends: a save that would start using it
/// waits (its foreign key reads the row).
pub async fn lock(conn: &mut PgConnection, id: Uuid) -> Result<(), sqlx::Error> {
    sqlx::query!("select id from media where id = $1 for update", id)
        .fetch_optional(conn)
        .await?;
    Ok(())
}

/// Alt text, caption, credit and focal point, as the library's form sends them. Returns
/// whether the focal point moved (the social card must be made again).
pub async fn update_details(
    conn: &mut PgConnection,
    id: Uuid,
    alt: &str,
    caption: &str,
    credit: &str,
    focal: (f32, f32),
) -> Result<Option<bool>, sqlx::Error> {
    // Read under lock: two editors moving the point at once see each other's move.
    let Some(was) = sqlx::query!(
        "select focal_x, focal_y from media where id = $1 for update",
        id
    )
    .fetch_optional(&mut *conn)
    .await?
    else {
        return Ok(None);
    };
    let moved = (was.focal_x, was.focal_y) != focal;
    sqlx::query!(
        r#"
        update media
        set alt = $2, caption = $3, credit = $4, focal_x = $5, focal_y = $6,
            state = case when $7 then 'processing' else state end
        where id = $1
        "#,
        id,
        alt,
        caption,
        credit,
        focal.0,
        focal.1,
        moved
    )
    .execute(conn)
    .await?;
    Ok(Some(moved))
}

/// A file made from an image, as stored.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct File {
    pub purpose: String,
    pub format: String,
    pub width: i32,
    pub height: i32,
    pub file: String,
    #[serde(default)]
    pub bytes: i64,
}

/// Records the renditions of the original under `original_key` and marks the image ready —
/// unless its file was replaced meanwhile (then the newer job will record its own). Returns
/// whether they were recorded.
pub async fn renditions_made(
    conn: &mut PgConnection,
    id: Uuid,
    original_key: &str,
    focal: (f32, f32),
    files: &[File],
) -> Result<bool, sqlx::Error> {
    let current = sqlx::query_scalar!(
        r#"
        select id from media
        where id = $1 and original_key = $2 and focal_x = $3 and focal_y = $4
        for update
        "#,
        id,
        original_key,
        focal.0,
        focal.1
    )
    .fetch_optional(&mut *conn)
    .await?;
    if current.is_none() {
        return Ok(false);
    }
    sqlx::query!("delete from media_rendition where media_id = $1", id)
        .execute(&mut *conn)
        .await?;
    for f in files {
        sqlx::query!(
            r#"
            insert into media_rendition (media_id, purpose, format, width, height, file, bytes)
            values ($1, $2, $3, $4, $5, $6, $7)
            "#,
            id,
            f.purpose,
            f.format,
            f.width,
            f.height,
            f.file,
            f.bytes
        )
        .execute(&mut *conn)
        .await?;
    }
    sqlx::query!("update media set state = 'ready' where id = $1", id)
        .execute(&mut *conn)
        .await?;
    Ok(true)
}

/// The renditions could not be made (the job has used its attempts).
pub async fn mark_failed(pool: &PgPool, id: Uuid) -> Result<(), sqlx::Error> {
    // Only while its renditions are awaited: another job may have made them since.
    sqlx::query!(
        "update media set state = 'failed' where id = $1 and state = 'processing'",
        id
    )
    .execute(pool)
    .await?;
    Ok(())
}

/// Its renditions are awaited again (a failed job sent again).
pub async fn mark_processing(conn: &mut PgConnection, id: Uuid) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "update media set state = 'processing' where id = $1 and state = 'failed'",
        id
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// An image as pages show it: its words and its files.
#[derive(Debug, Clone)]
pub struct Picture {
    pub id: Uuid,
    pub alt: String,
    pub caption: String,
    pub credit: String,
    pub width: i32,
    pub height: i32,
    pub files: Vec<File>,
}

/// The images with these ids, with their files (none while they are being made).
pub async fn pictures(pool: &PgPool, ids: &[Uuid]) -> Result<Vec<Picture>, sqlx::Error> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let rows = sqlx::query!(
        r#"
        select m.id, m.alt, m.caption, m.credit, m.width, m.height,
               coalesce((select json_agg(json_build_object(
                                 'purpose', r.purpose, 'format', r.format, 'width', r.width,
                                 'height', r.height, 'file', r.file, 'bytes', r.bytes)
                                 order by r.purpose, r.width, r.format)
                         from media_rendition r where r.media_id = m.id), '[]')
                   as "files!: Json<Vec<File>>"
        from media m where m.id = any($1)
        "#,
        ids
    )
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| Picture {
            id: r.id,
            alt: r.alt,
            caption: r.caption,
            credit: r.credit,
            width: r.width,
            height: r.height,
            files: r.files.0,
        })
        .collect())
}

/// One line of the library.
#[derive(Debug, Clone)]
pub struct Listed {
    pub id: Uuid,
    pub alt: String,
    pub caption: String,
    pub credit: String,
    pub width: i32,
    pub height: i32,
    pub state: String,
    pub created_at: OffsetDateTime,
    /// The smallest JPEG, for the thumbnail.
    pub thumbnail: Option<String>,
    /// Articles using it (featured or in the text).
    pub uses: i64,
}

/// The library, newest first, filtered by words of the alt text, caption or credit.
pub async fn list(
    pool: &PgPool,
    search: &str,
    limit: i64,
    offset: i64,
) -> Result<Vec<Listed>, sqlx::Error> {
    let pattern = format!("%{}%", search.trim().replace(['%', '_', '\\'], ""));
    sqlx::query_as!(
        Listed,
        r#"
        select m.id, m.alt, m.caption, m.credit, m.width, m.height, m.state, m.created_at,
               (select r.file from media_rendition r
                where r.media_id = m.id and r.purpose = 'width' and r.format = 'jpeg'
                order by r.width limit 1) as thumbnail,
               ((select count(*) from article a where a.featured_media_id = m.id)
                + (select count(*) from article_media x where x.media_id = m.id
                   and not exists (select 1 from article a
                                   where a.id = x.article_id and a.featured_media_id = m.id)))
                   as "uses!"
        from media m
        where $1 = '%%' or m.alt ilike $1 or m.caption ilike $1 or m.credit ilike $1
        order by m.created_at desc, m.id
        limit $2 offset $3
        "#,
        pattern,
        limit,
        offset
    )
    .fetch_all(pool)
    .await
}

/// The images the editor offers as an article's featured image: the newest `limit`, and
/// `current` (the one chosen) wherever it is.
pub async fn choices(
    pool: &PgPool,
    current: Option<Uuid>,
    limit: i64,
) -> Result<Vec<(Uuid, String, Option<String>)>, sqlx::Error> {
    let rows = sqlx::query!(
        r#"
        select m.id, m.alt,
               (select r.file from media_rendition r
                where r.media_id = m.id and r.purpose = 'width' and r.format = 'jpeg'
                order by r.width limit 1) as thumbnail
        from media m
        where m.id = $1 or m.id in (select id from media order by created_at desc limit $2)
        order by m.id = $1 desc, m.created_at desc
        "#,
        current,
        limit
    )
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| (r.id, r.alt, r.thumbnail))
        .collect())
}

/// An article an image is used in.
#[derive(Debug, Clone)]
pub struct Use {
    pub article_id: Uuid,
    pub title: String,
    pub featured: bool,
    pub in_text: bool,
}

pub async fn uses(conn: &mut PgConnection, id: Uuid) -> Result<Vec<Use>, sqlx::Error> {
    sqlx::query_as!(
        Use,
        r#"
        select a.id as article_id, a.title,
               (a.featured_media_id is not distinct from $1) as "featured!",
               exists (select 1 from article_media x where x.article_id = a.id and x.media_id = $1)
                   as "in_text!"
        from article a
        where a.featured_media_id = $1
           or exists (select 1 from article_media x where x.article_id = a.id and x.media_id = $1)
        order by a.updated_at desc
        "#,
        id
    )
    .fetch_all(conn)
    .await
}

/// Deletes an image nothing uses (the caller checked, in the same transaction; the foreign
/// keys refuse it otherwise). Its files stay until `vigie media gc`.
pub async fn delete(conn: &mut PgConnection, id: Uuid) -> Result<bool, sqlx::Error> {
    let done = sqlx::query!("delete from media where id = $1", id)
        .execute(conn)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// Which of `ids` are images that exist, with their alt text.
pub async fn alts(
    conn: &mut PgConnection,
    ids: &[Uuid],
) -> Result<Vec<(Uuid, String)>, sqlx::Error> {
    let rows = sqlx::query!("select id, alt from media where id = any($1)", ids)
        .fetch_all(conn)
        .await?;
    Ok(rows.into_iter().map(|r| (r.id, r.alt)).collect())
}

/// The images an article's text shows, as read from its latest save.
pub async fn set_in_text(
    conn: &mut PgConnection,
    article_id: Uuid,
    ids: &[Uuid],
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "delete from article_media where article_id = $1 and media_id <> all($2)",
        article_id,
        ids
    )
    .execute(&mut *conn)
    .await?;
    sqlx::query!(
        r#"
        insert into article_media (article_id, media_id)
        select $1, m.id from media m where m.id = any($2)
        on conflict do nothing
        "#,
        article_id,
        ids
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Files no longer named, with when they stopped being (see the `media` migration).
pub async fn retired_files(
    pool: &PgPool,
) -> Result<std::collections::HashMap<String, OffsetDateTime>, sqlx::Error> {
    let rows = sqlx::query!("select key, retired_at from media_retired")
        .fetch_all(pool)
        .await?;
    Ok(rows.into_iter().map(|r| (r.key, r.retired_at)).collect())
}

/// Forgets retired files that are gone from the store.
pub async fn forget_retired(pool: &PgPool, keys: &[String]) -> Result<(), sqlx::Error> {
    sqlx::query!("delete from media_retired where key = any($1)", keys)
        .execute(pool)
        .await?;
    Ok(())
}

/// Every stored file something still names: originals and renditions of the library's images.
pub async fn referenced_files(pool: &PgPool) -> Result<HashSet<String>, sqlx::Error> {
    let rows = sqlx::query_scalar!(
        r#"
        select original_key as "key!" from media
        union all
        select 'public/' || file as "key!" from media_rendition
        "#
    )
    .fetch_all(pool)
    .await?;
    Ok(rows.into_iter().collect())
}

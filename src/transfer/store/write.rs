//! Writing records back in, one by one: users, tags, images, the tracker's records (articles
//! and audit events go by batches: [`super::batch`]), in one bulk load whose triggers announce
//! it once at the end.

use sqlx::PgConnection;
use uuid::Uuid;

use super::super::archive::{Contributor, Jurisdiction, Media, Regulation, Tag, User};
use crate::domain::{Lang, RevisionKind, Slug, markdown};

pub async fn insert_user(conn: &mut PgConnection, u: &User) -> Result<(), sqlx::Error> {
    sqlx::query!(
        r#"
        insert into app_user (id, email, display_name, slug, bio, role, disabled_at, created_at, updated_at)
        values ($1, $2, $3, $4, $5, $6, $7, $8, $9)
        "#,
        u.id,
        u.email,
        u.display_name,
        u.slug,
        u.bio,
        u.role,
        u.disabled_at,
        u.created_at,
        u.updated_at
    )
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn insert_contributor(
    conn: &mut PgConnection,
    c: &Contributor,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "insert into contributor (id, slug, name, bio, created_at) values ($1, $2, $3, $4, $5)",
        c.id,
        c.slug,
        c.name,
        c.bio,
        c.created_at
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// The guest contributor named `name` (a WordPress guest author): the one of that name, or a
/// new one with `bio` (its slug from the name, numbered if taken).
pub async fn guest_contributor(
    conn: &mut PgConnection,
    name: &str,
    bio: &str,
) -> Result<Uuid, sqlx::Error> {
    let name: String = name.trim().chars().take(120).collect();
    let bio: String = bio.trim().chars().take(2000).collect();
    if let Some(id) = sqlx::query_scalar!(
        "select id from contributor where lower(name) = lower($1) order by created_at limit 1",
        name
    )
    .fetch_optional(&mut *conn)
    .await?
    {
        return Ok(id);
    }
    let base = Slug::derive_or(&name, "contributeur").as_str().to_owned();
    sqlx::query_scalar!(
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
    .fetch_one(conn)
    .await
}

pub async fn insert_tag(conn: &mut PgConnection, t: &Tag) -> Result<(), sqlx::Error> {
    sqlx::query!(
        r#"
        insert into tag (id, slug, name, kind, description, created_at, updated_at)
        values ($1, $2, $3, $4, $5, $6, $7)
        "#,
        t.id,
        t.slug,
        t.name,
        t.kind,
        t.description,
        t.created_at,
        t.updated_at
    )
    .execute(&mut *conn)
    .await?;
    for r in &t.redirects {
        sqlx::query!(
            "insert into tag_redirect (old_slug, tag_id, created_at) values ($1, $2, $3)",
            r.old_slug,
            t.id,
            r.created_at
        )
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// An image of the library, its original already stored under `original_key`; its renditions
/// are asked of the background worker.
pub async fn insert_media(
    conn: &mut PgConnection,
    m: &Media,
    original_key: &str,
    original_bytes: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        r#"
        insert into media (id, original_key, original_bytes, format, width, height, alt, caption,
                           credit, focal_x, focal_y, uploaded_by, created_at)
        values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
        "#,
        m.id,
        original_key,
        original_bytes,
        m.format,
        m.width,
        m.height,
        m.alt,
        m.caption,
        m.credit,
        m.focal_x,
        m.focal_y,
        m.uploaded_by,
        m.created_at
    )
    .execute(&mut *conn)
    .await?;
    crate::media::renditions::ask(conn, m.id).await
}

pub async fn insert_jurisdiction(
    conn: &mut PgConnection,
    j: &Jurisdiction,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        r#"
        insert into jurisdiction (id, slug, name, tag_id, created_at, updated_at)
        values ($1, $2, $3, $4, $5, $6)
        "#,
        j.id,
        j.slug,
        j.name,
        j.tag_id,
        j.created_at,
        j.updated_at
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// A regulation, its summary rendered for `site_url`, with its milestones and its history (in
/// that order: the history's rows keep their numbers).
pub async fn insert_regulation(
    conn: &mut PgConnection,
    r: &Regulation,
    site_url: &str,
    lang: Lang,
) -> Result<(), sqlx::Error> {
    let summary = markdown::render(&r.summary_markdown, site_url, lang);
    sqlx::query!(
        r#"
        insert into regulation (id, slug, name, short_name, official_title, identifier,
                                jurisdiction_id, legal_form, status, adopted_on, official_url,
                                legislature_url, summary_markdown, summary_html, tag_id,
                                published_at, created_at, updated_at)
        values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10::text::date, $11, $12, $13, $14, $15, $16,
                $17, $18)
        "#,
        r.id,
        r.slug,
        r.name,
        r.short_name,
        r.official_title,
        r.identifier,
        r.jurisdiction_id,
        r.legal_form,
        r.status,
        r.adopted_on,
        r.official_url,
        r.legislature_url,
        r.summary_markdown,
        summary.html,
        r.tag_id,
        r.published_at,
        r.created_at,
        r.updated_at
    )
    .execute(&mut *conn)
    .await?;
    for m in &r.milestones {
        sqlx::query!(
            r#"
            insert into regulation_milestone (id, regulation_id, on_date, precision, label,
                                              applies, source_url, created_at, updated_at)
            values ($1, $2, $3::text::date, $4, $5, $6, $7, $8, $9)
            "#,
            m.id,
            r.id,
            m.on_date,
            m.precision,
            m.label,
            m.applies,
            m.source_url,
            m.created_at,
            m.updated_at
        )
        .execute(&mut *conn)
        .await?;
    }
    for c in &r.history {
        sqlx::query!(
            r#"
            insert into regulation_change (id, regulation_id, milestone_id, kind, label, from_date,
                                           from_precision, to_date, to_precision, from_status,
                                           to_status, note, source_url, actor_id, noted_at)
            overriding system value
            values ($1, $2, $3, $4, $5, $6::text::date, $7, $8::text::date, $9, $10, $11, $12,
                    $13, $14, $15)
            "#,
            c.id,
            r.id,
            c.milestone_id,
            c.kind,
            c.label,
            c.from_date,
            c.from_precision,
            c.to_date,
            c.to_precision,
            c.from_status,
            c.to_status,
            c.note,
            c.source_url,
            c.actor_id,
            c.noted_at
        )
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// Makes records of the regulation and jurisdiction tags no record names (an export from
/// before the tracker), as the `regulations` migration did for the tags already there.
pub async fn records_from_tags(conn: &mut PgConnection) -> Result<(), sqlx::Error> {
    sqlx::query!("select records_from_tags()")
        .fetch_one(conn)
        .await?;
    Ok(())
}

/// Starts a bulk load in the caller's transaction: the triggers that announce each change to
/// the render caches stay quiet (see the `bulk_load` migration) until [`end_bulk_load`].
pub async fn begin_bulk_load(conn: &mut PgConnection) -> Result<(), sqlx::Error> {
    sqlx::query!("select set_config('vigie.bulk_load', 'on', true)")
        .fetch_one(conn)
        .await?;
    Ok(())
}

/// Ends a bulk load: one announcement that everything may have changed, sent at commit; and
/// the scheduled articles it brought get the notices and mail their signers would have had
/// (`queue_scheduled_out()`, the `scheduled_out_mail` migration).
pub async fn end_bulk_load(conn: &mut PgConnection) -> Result<(), sqlx::Error> {
    sqlx::query!(
        r#"
        select set_config('vigie.bulk_load', 'off', true), touch_content_clock(),
               notify_content('all')
        "#
    )
    .fetch_one(&mut *conn)
    .await?;
    sqlx::query!("select queue_scheduled_out()")
        .fetch_one(conn)
        .await?;
    Ok(())
}

/// After rows came in with their own numbers, new rows are numbered after the highest.
pub async fn renumber_after_import(conn: &mut PgConnection) -> Result<(), sqlx::Error> {
    sqlx::query!(
        r#"
        select setval(pg_get_serial_sequence('article_revision', 'id'),
                      coalesce((select max(id) from article_revision), 0) + 1, false) as revisions,
               setval(pg_get_serial_sequence('correction', 'id'),
                      coalesce((select max(id) from correction), 0) + 1, false) as corrections,
               setval(pg_get_serial_sequence('audit_event', 'id'),
                      coalesce((select max(id) from audit_event), 0) + 1, false) as events,
               setval(pg_get_serial_sequence('regulation_change', 'id'),
                      coalesce((select max(id) from regulation_change), 0) + 1, false) as changes,
               setval(pg_get_serial_sequence('article_note', 'id'),
                      coalesce((select max(id) from article_note), 0) + 1, false) as notes
        "#
    )
    .fetch_one(conn)
    .await?;
    Ok(())
}

/// The first revision (`create`, by nobody: the import) of each of the articles `ids`, brought
/// in from elsewhere, holding its text as it arrived.
pub async fn first_revisions(conn: &mut PgConnection, ids: &[Uuid]) -> Result<(), sqlx::Error> {
    sqlx::query!(
        r#"
        insert into article_revision (article_id, version, title, dek, body_markdown, tags, related, kind)
        select a.id, a.version, a.title, a.dek, a.body_markdown,
               coalesce((select jsonb_agg(tag_id order by position) from article_tag where article_id = a.id), '[]'),
               '[]', $2
        from unnest($1::uuid[]) with ordinality as i(id, n)
        join article a on a.id = i.id
        order by i.n
        "#,
        ids,
        RevisionKind::Create.as_str()
    )
    .execute(conn)
    .await?;
    Ok(())
}

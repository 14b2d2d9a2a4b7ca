//! Reading everything out for an export, and writing an export's records back in. The records
//! are those of [`super::archive`]; writes keep their ids and times as they are.

use std::collections::HashMap;

use sqlx::PgConnection;
use uuid::Uuid;

use super::archive::{
    Article, AuditEvent, Correction, LegacyUrl, Link, Redirect, Revision, Tag, User,
};
use crate::domain::{Lang, RevisionKind, Slug, Title, markdown};
use crate::store::articles::{links, write};

/// Rows gathered under their key, each key's in the rows' order.
fn grouped<R, V>(rows: Vec<R>, split: impl Fn(R) -> (Uuid, V)) -> HashMap<Uuid, Vec<V>> {
    let mut groups: HashMap<Uuid, Vec<V>> = HashMap::new();
    for row in rows {
        let (key, value) = split(row);
        groups.entry(key).or_default().push(value);
    }
    groups
}

/// How many articles (or audit events) an export reads at a time.
const BATCH: i64 = 500;

pub async fn users(conn: &mut PgConnection) -> Result<Vec<User>, sqlx::Error> {
    sqlx::query_as!(
        User,
        r#"
        select id, email, display_name, slug, bio, role, disabled_at, created_at, updated_at
        from app_user order by created_at, id
        "#
    )
    .fetch_all(&mut *conn)
    .await
}

pub async fn tags(conn: &mut PgConnection) -> Result<Vec<Tag>, sqlx::Error> {
    let rows = sqlx::query!(
        "select id, slug, name, kind, description, created_at, updated_at from tag order by slug"
    )
    .fetch_all(&mut *conn)
    .await?;
    let mut redirects = grouped(
        sqlx::query!(
            "select tag_id, old_slug, created_at from tag_redirect order by tag_id, old_slug"
        )
        .fetch_all(&mut *conn)
        .await?,
        |r| {
            (
                r.tag_id,
                Redirect {
                    old_slug: r.old_slug,
                    created_at: r.created_at,
                },
            )
        },
    );
    Ok(rows
        .into_iter()
        .map(|r| Tag {
            redirects: redirects.remove(&r.id).unwrap_or_default(),
            id: r.id,
            slug: r.slug,
            name: r.name,
            kind: r.kind,
            description: r.description,
            created_at: r.created_at,
            updated_at: r.updated_at,
        })
        .collect())
}

/// The next batch of articles after the one with id `after` (start with the nil id), in id
/// order (the primary key's: a stable order that costs no sort), each with all its parts.
pub async fn articles(conn: &mut PgConnection, after: Uuid) -> Result<Vec<Article>, sqlx::Error> {
    let rows = sqlx::query!(
        r#"
        select id, slug, title, dek, body_markdown, excerpt, lang, status, review_note, withdrawn,
               author_id, last_editor_id, published_at, published_version, version, created_at,
               updated_at
        from article
        where id > $1
        order by id
        limit $2
        "#,
        after,
        BATCH
    )
    .fetch_all(&mut *conn)
    .await?;
    let ids: Vec<Uuid> = rows.iter().map(|r| r.id).collect();

    let mut tags = grouped(
        sqlx::query!(
            r#"
            select article_id, tag_id from article_tag where article_id = any($1)
            order by article_id, position, tag_id
            "#,
            &ids
        )
        .fetch_all(&mut *conn)
        .await?,
        |r| (r.article_id, r.tag_id),
    );
    let mut links = grouped(
        sqlx::query!(
            r#"
            select from_article_id, to_article_id, origin from article_link
            where from_article_id = any($1)
            order by from_article_id, origin, position, to_article_id
            "#,
            &ids
        )
        .fetch_all(&mut *conn)
        .await?,
        |r| {
            (
                r.from_article_id,
                Link {
                    to: r.to_article_id,
                    origin: r.origin,
                },
            )
        },
    );
    let mut redirects = grouped(
        sqlx::query!(
            r#"
            select article_id, old_slug, created_at from slug_redirect where article_id = any($1)
            order by article_id, old_slug
            "#,
            &ids
        )
        .fetch_all(&mut *conn)
        .await?,
        |r| {
            (
                r.article_id,
                Redirect {
                    old_slug: r.old_slug,
                    created_at: r.created_at,
                },
            )
        },
    );
    let mut legacy_urls = grouped(
        sqlx::query!(
            r#"
            select article_id, path, created_at from legacy_url where article_id = any($1)
            order by article_id, path
            "#,
            &ids
        )
        .fetch_all(&mut *conn)
        .await?,
        |r| {
            (
                r.article_id,
                LegacyUrl {
                    path: r.path,
                    created_at: r.created_at,
                },
            )
        },
    );
    let mut corrections = grouped(
        sqlx::query!(
            r#"
            select id, article_id, author_id, noted_at, body from correction
            where article_id = any($1) order by id
            "#,
            &ids
        )
        .fetch_all(&mut *conn)
        .await?,
        |r| {
            (
                r.article_id,
                Correction {
                    id: r.id,
                    author_id: r.author_id,
                    noted_at: r.noted_at,
                    body: r.body,
                },
            )
        },
    );
    let mut revisions = grouped(
        sqlx::query!(
            r#"
            select id, article_id, version, kind, title, dek, body_markdown, tags, related, editor_id,
                   save_key, created_at
            from article_revision where article_id = any($1) order by id
            "#,
            &ids
        )
        .fetch_all(&mut *conn)
        .await?,
        |r| {
            (
                r.article_id,
                Revision {
                    id: r.id,
                    version: r.version,
                    kind: r.kind,
                    title: r.title,
                    dek: r.dek,
                    body_markdown: r.body_markdown,
                    tags: r.tags,
                    related: r.related,
                    editor_id: r.editor_id,
                    save_key: r.save_key,
                    created_at: r.created_at,
                },
            )
        },
    );

    Ok(rows
        .into_iter()
        .map(|r| Article {
            tags: tags.remove(&r.id).unwrap_or_default(),
            links: links.remove(&r.id).unwrap_or_default(),
            redirects: redirects.remove(&r.id).unwrap_or_default(),
            legacy_urls: legacy_urls.remove(&r.id).unwrap_or_default(),
            corrections: corrections.remove(&r.id).unwrap_or_default(),
            revisions: revisions.remove(&r.id).unwrap_or_default(),
            id: r.id,
            slug: r.slug,
            title: r.title,
            dek: r.dek,
            body_markdown: r.body_markdown,
            excerpt: r.excerpt,
            lang: r.lang,
            status: r.status,
            review_note: r.review_note,
            withdrawn: r.withdrawn,
            author_id: r.author_id,
            last_editor_id: r.last_editor_id,
            published_at: r.published_at,
            published_version: r.published_version,
            version: r.version,
            created_at: r.created_at,
            updated_at: r.updated_at,
        })
        .collect())
}

/// The next batch of audit events after the one numbered `after`, oldest first.
pub async fn audit(conn: &mut PgConnection, after: i64) -> Result<Vec<AuditEvent>, sqlx::Error> {
    sqlx::query_as!(
        AuditEvent,
        r#"
        select id, actor_id, action, target_type, target_id, details, at
        from audit_event where id > $1 order by id limit $2
        "#,
        after,
        BATCH
    )
    .fetch_all(&mut *conn)
    .await
}

/// How much the database already holds, as a sentence, if it holds anything an import of a
/// whole export would collide with.
pub async fn existing_content(conn: &mut PgConnection) -> Result<Option<String>, sqlx::Error> {
    let counts = sqlx::query!(
        r#"
        select (select count(*) from app_user) as "users!",
               (select count(*) from tag) as "tags!",
               (select count(*) from article) as "articles!",
               (select count(*) from audit_event) as "events!"
        "#
    )
    .fetch_one(conn)
    .await?;
    if counts.users + counts.tags + counts.articles + counts.events == 0 {
        return Ok(None);
    }
    Ok(Some(format!(
        "{} users, {} tags, {} articles, {} audit events",
        counts.users, counts.tags, counts.articles, counts.events
    )))
}

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

/// The article row alone, its body rendered for `site_url`. Returns the articles its body
/// links to.
pub async fn insert_article(
    conn: &mut PgConnection,
    a: &Article,
    site_url: &str,
) -> Result<Vec<Slug>, sqlx::Error> {
    let lang = Lang::parse(&a.lang).unwrap_or(Lang::Fr);
    let rendered = markdown::render(&a.body_markdown, site_url, lang);
    sqlx::query!(
        r#"
        insert into article (id, slug, title, dek, body_markdown, body_html, excerpt, lang, status,
                             review_note, withdrawn, author_id, last_editor_id, published_at,
                             published_version, version, created_at, updated_at)
        values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)
        "#,
        a.id,
        a.slug,
        a.title,
        a.dek,
        a.body_markdown,
        rendered.html,
        a.excerpt,
        a.lang,
        a.status,
        a.review_note,
        a.withdrawn,
        a.author_id,
        a.last_editor_id,
        a.published_at,
        a.published_version,
        a.version,
        a.created_at,
        a.updated_at
    )
    .execute(conn)
    .await?;
    Ok(rendered.article_links)
}

/// The article's links to other articles (which must all be in).
pub async fn insert_links(
    conn: &mut PgConnection,
    from: Uuid,
    links: &[Link],
) -> Result<(), sqlx::Error> {
    let (to, origin): (Vec<Uuid>, Vec<String>) =
        links.iter().map(|l| (l.to, l.origin.clone())).unzip();
    sqlx::query!(
        r#"
        insert into article_link (from_article_id, to_article_id, position, origin)
        select $1, t.id, t.position, t.origin
        from unnest($2::uuid[], $3::text[]) with ordinality as t(id, origin, position)
        "#,
        from,
        &to,
        &origin
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// The article's tags, old addresses (its own and other sites'), corrections and revisions: all but its links
/// ([`insert_links`]).
pub async fn insert_article_parts(conn: &mut PgConnection, a: &Article) -> Result<(), sqlx::Error> {
    sqlx::query!(
        r#"
        insert into article_tag (article_id, tag_id, position)
        select $1, t.id, t.position from unnest($2::uuid[]) with ordinality as t(id, position)
        "#,
        a.id,
        &a.tags
    )
    .execute(&mut *conn)
    .await?;
    for r in &a.redirects {
        sqlx::query!(
            "insert into slug_redirect (old_slug, article_id, created_at) values ($1, $2, $3)",
            r.old_slug,
            a.id,
            r.created_at
        )
        .execute(&mut *conn)
        .await?;
    }
    for u in &a.legacy_urls {
        // Another article (from another import) may have claimed the address first.
        sqlx::query!(
            r#"
                insert into legacy_url (path, article_id, created_at) values ($1, $2, $3)
                on conflict (path) do nothing
            "#,
            u.path,
            a.id,
            u.created_at
        )
        .execute(&mut *conn)
        .await?;
    }
    for c in &a.corrections {
        sqlx::query!(
            r#"
                insert into correction (id, article_id, author_id, noted_at, body)
                overriding system value values ($1, $2, $3, $4, $5)
            "#,
            c.id,
            a.id,
            c.author_id,
            c.noted_at,
            c.body
        )
        .execute(&mut *conn)
        .await?;
    }
    for r in &a.revisions {
        sqlx::query!(
            r#"
                insert into article_revision (id, article_id, version, kind, title, dek, body_markdown,
                                              tags, related, editor_id, save_key, created_at)
                overriding system value
                values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
            "#,
            r.id,
            a.id,
            r.version,
            r.kind,
            r.title,
            r.dek,
            r.body_markdown,
            r.tags,
            r.related,
            r.editor_id,
            r.save_key,
            r.created_at
        )
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

pub async fn insert_audit(conn: &mut PgConnection, e: &AuditEvent) -> Result<(), sqlx::Error> {
    sqlx::query!(
        r#"
        insert into audit_event (id, actor_id, action, target_type, target_id, details, at)
        overriding system value values ($1, $2, $3, $4, $5, $6, $7)
        "#,
        e.id,
        e.actor_id,
        e.action,
        e.target_type,
        e.target_id,
        e.details,
        e.at
    )
    .execute(conn)
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

/// Ends a bulk load: one announcement that everything may have changed, sent at commit.
pub async fn end_bulk_load(conn: &mut PgConnection) -> Result<(), sqlx::Error> {
    sqlx::query!(
        r#"
        select set_config('vigie.bulk_load', 'off', true), touch_content_clock(),
               notify_content('all')
        "#
    )
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
                      coalesce((select max(id) from audit_event), 0) + 1, false) as events
        "#
    )
    .fetch_one(conn)
    .await?;
    Ok(())
}

/// Every slug an article has or had: a new article may take none of them.
pub async fn article_slugs(conn: &mut PgConnection) -> Result<Vec<String>, sqlx::Error> {
    sqlx::query_scalar!(
        r#"
        select slug as "slug!" from article
        union all
        select old_slug from slug_redirect
        "#
    )
    .fetch_all(conn)
    .await
}

/// Whether an article with this address and title exists (the same post, imported before).
pub async fn article_exists(
    conn: &mut PgConnection,
    slug: &Slug,
    title: &Title,
) -> Result<bool, sqlx::Error> {
    sqlx::query_scalar!(
        r#"select exists (select 1 from article where slug = $1 and title = $2) as "exists!""#,
        slug.as_str(),
        title.as_str()
    )
    .fetch_one(conn)
    .await
}

/// An article brought in from elsewhere: its row, its tags, and a first revision (`create`,
/// by nobody: the import) holding its text as it arrived. Returns the articles its body links
/// to, for [`link_inline`] once they are all in.
pub async fn insert_imported(
    conn: &mut PgConnection,
    a: &Article,
    site_url: &str,
) -> Result<Vec<Slug>, sqlx::Error> {
    let links = insert_article(conn, a, site_url).await?;
    insert_article_parts(conn, a).await?;
    write::snapshot(conn, a.id, None, RevisionKind::Create, None).await?;
    Ok(links)
}

/// Records the links from article `id`'s body to the articles behind `slugs`.
pub async fn link_inline(
    conn: &mut PgConnection,
    id: Uuid,
    slugs: &[Slug],
) -> Result<(), sqlx::Error> {
    links::set_inline_links(conn, id, slugs).await?;
    Ok(())
}

//! The editor's side of articles: the list, loading one for editing, saving with a version
//! check, revisions, the soft lock and status changes. Every write runs in the caller's
//! transaction and leaves a revision and an audit event.

use serde_json::json;
use sqlx::types::Json;
use sqlx::{PgConnection, PgPool};
use time::OffsetDateTime;
use uuid::Uuid;

use super::articles::{LinkWarning, set_inline_links, set_tags};
use super::audit;
use crate::db;
use crate::domain::markdown::Rendered;
use crate::domain::{ArticleStatus, Lang, Slug, Title};

/// One line of the editor's list.
#[derive(Debug, Clone)]
pub struct Row {
    pub id: Uuid,
    pub slug: String,
    pub title: String,
    pub status: String,
    pub updated_at: OffsetDateTime,
    pub author_name: String,
    pub last_editor_name: Option<String>,
    /// The reviewer's note when the article was sent back.
    pub review_note: String,
}

/// Which articles the list shows.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    /// Only this author's (always set for journalists).
    pub author: Option<Uuid>,
    pub status: Option<ArticleStatus>,
    pub tag: Option<Uuid>,
    /// Words the title contains (case- and accent-insensitive).
    pub title: Option<String>,
}

/// Up to `limit` articles, most recently changed first, older than `before`.
pub async fn list(
    pool: &PgPool,
    filter: &Filter,
    before: Option<(OffsetDateTime, Uuid)>,
    limit: i64,
) -> Result<Vec<Row>, sqlx::Error> {
    let title = filter
        .title
        .as_deref()
        .map(|t| t.replace('\0', ""))
        .map(|t| {
            // Searched literally: % and _ typed by the user are not wildcards.
            let escaped = t
                .trim()
                .replace('\\', "\\\\")
                .replace('%', "\\%")
                .replace('_', "\\_");
            format!("%{escaped}%")
        });
    let mut planned = db::planned_with_values(pool).await?;
    sqlx::query_as!(
        Row,
        r#"
        select a.id, a.slug, a.title, a.status, a.updated_at,
               au.display_name as author_name, le.display_name as "last_editor_name?", a.review_note
        from article a
        join app_user au on au.id = a.author_id
        left join app_user le on le.id = a.last_editor_id
        where ($1::uuid is null or a.author_id = $1)
          and ($2::text is null or a.status = $2)
          and ($3::uuid is null or exists (
                  select 1 from article_tag x where x.article_id = a.id and x.tag_id = $3))
          and ($4::text is null or unaccent(a.title) ilike unaccent($4))
          and ($5::timestamptz is null or (a.updated_at, a.id) < ($5, $6::uuid))
        order by a.updated_at desc, a.id desc
        limit $7
        "#,
        filter.author,
        filter.status.map(ArticleStatus::as_str),
        filter.tag,
        title,
        before.map(|b| b.0),
        before.map(|b| b.1),
        limit
    )
    .fetch_all(&mut *planned)
    .await
}

/// A related article the editor picked, as the form lists it.
#[derive(Debug, Clone, serde::Deserialize)]
pub struct Pick {
    pub id: Uuid,
    pub slug: String,
    pub title: String,
}

/// An article as the edit form needs it.
#[derive(Debug, Clone)]
pub struct Editable {
    pub id: Uuid,
    pub slug: String,
    pub title: String,
    pub dek: String,
    pub excerpt: String,
    pub body_markdown: String,
    pub lang: String,
    pub status: String,
    pub version: i32,
    pub author_id: Uuid,
    pub author_name: String,
    pub published_at: Option<OffsetDateTime>,
    pub locked_by: Option<Uuid>,
    pub locked_by_name: Option<String>,
    pub locked_at: Option<OffsetDateTime>,
    pub review_note: String,
    pub tags: Json<Vec<Uuid>>,
    /// Picked related articles, in order.
    pub picked: Json<Vec<Pick>>,
}

pub async fn load(conn: &mut PgConnection, id: Uuid) -> Result<Option<Editable>, sqlx::Error> {
    sqlx::query_as!(
        Editable,
        r#"
        select a.id, a.slug, a.title, a.dek, a.excerpt, a.body_markdown, a.lang, a.status,
               a.version, a.author_id, au.display_name as author_name, a.published_at,
               lk.user_id as "locked_by?", lu.display_name as "locked_by_name?", lk.locked_at as "locked_at?", a.review_note,
               coalesce((select json_agg(x.tag_id order by x.position)
                         from article_tag x where x.article_id = a.id), '[]') as "tags!: Json<Vec<Uuid>>",
               coalesce((select json_agg(json_build_object('id', r.id, 'slug', r.slug, 'title', r.title)
                                         order by l.position)
                         from article_link l join article r on r.id = l.to_article_id
                         where l.from_article_id = a.id and l.origin = 'picked'), '[]') as "picked!: Json<Vec<Pick>>"
        from article a
        join app_user au on au.id = a.author_id
        left join article_lock lk on lk.article_id = a.id
        left join app_user lu on lu.id = lk.user_id
        where a.id = $1
        "#,
        id
    )
    .fetch_optional(conn)
    .await
}

/// What a save changes.
#[derive(Debug, Clone, Copy)]
pub struct Changes<'a> {
    pub title: &'a Title,
    pub dek: &'a str,
    pub slug: &'a Slug,
    pub lang: Lang,
    /// Empty: derived from the body.
    pub excerpt: &'a str,
    pub body_markdown: &'a str,
    pub tags: &'a [Uuid],
    pub related: &'a [Uuid],
    /// The key of the form these changes were typed in (see the `save_keys` migration).
    pub save_key: Option<Uuid>,
}

/// What became of a save.
#[derive(Debug)]
pub enum Outcome {
    /// Saved as this new version; the body's links readers could not follow.
    Saved {
        version: i32,
        warnings: Vec<LinkWarning>,
    },
    /// Someone saved since `base_version`: nothing changed but a revision keeping the text.
    Conflict,
    /// This form was already sent: nothing changed. Its first sending was saved, or was a
    /// conflict (`conflict: true`) whose text is kept.
    Repeated {
        conflict: bool,
    },
    /// Another article has (or had) this slug.
    SlugTaken,
    NotFound,
}

/// Saves `changes` made by `editor` on top of `base_version`, their body already `rendered`,
/// recorded as a revision of `kind` (`save` or `restore`). A changed slug of an article that
/// has been public leaves a redirect from the old one.
pub async fn save(
    conn: &mut PgConnection,
    id: Uuid,
    base_version: i32,
    editor: Uuid,
    changes: &Changes<'_>,
    rendered: &Rendered,
    kind: &str,
) -> Result<Outcome, sqlx::Error> {
    let Some(current) = sqlx::query!(
        "select slug, version, published_at from article where id = $1 for update",
        id
    )
    .fetch_optional(&mut *conn)
    .await?
    else {
        return Ok(Outcome::NotFound);
    };
    // Checked under the article's row lock: a second sending waits for the first to commit.
    // It is a repeat only if it carries what the first one did; the same form sent again with
    // more typed into it is a save like any other (on a version now stale: a conflict, which
    // keeps its text), and the key stays the first sending's.
    let mut changes = *changes;
    if let Some(key) = changes.save_key
        && let Some(first) = first_sending(conn, id, key, &changes).await?
    {
        if first.same {
            return Ok(Outcome::Repeated {
                conflict: first.kind == "conflict",
            });
        }
        changes.save_key = None;
    }
    if current.version != base_version {
        keep_revision(conn, id, base_version, editor, &changes, "conflict").await?;
        audit::record(
            conn,
            Some(editor),
            "article.conflict",
            "article",
            &id.to_string(),
            json!({ "base_version": base_version, "current_version": current.version }),
        )
        .await?;
        return Ok(Outcome::Conflict);
    }
    let new_slug = changes.slug.as_str();
    if new_slug != current.slug {
        let taken = sqlx::query_scalar!(
            r#"
            select exists (select 1 from article where slug = $1 and id <> $2)
                or exists (select 1 from slug_redirect where old_slug = $1 and article_id <> $2) as "taken!"
            "#,
            new_slug,
            id
        )
        .fetch_one(&mut *conn)
        .await?;
        if taken {
            return Ok(Outcome::SlugTaken);
        }
        sqlx::query!("delete from slug_redirect where old_slug = $1", new_slug)
            .execute(&mut *conn)
            .await?;
        if current.published_at.is_some() {
            // Readers and search engines know the old address: it must keep working.
            sqlx::query!(
                r#"
                insert into slug_redirect (old_slug, article_id) values ($1, $2)
                on conflict (old_slug) do update set article_id = excluded.article_id
                "#,
                current.slug,
                id
            )
            .execute(&mut *conn)
            .await?;
        }
    }
    let excerpt = if changes.excerpt.trim().is_empty() {
        rendered.excerpt.as_str()
    } else {
        changes.excerpt.trim()
    };
    let updated = sqlx::query_scalar!(
        r#"
        update article
        set slug = $2, title = $3, dek = $4, body_markdown = $5, body_html = $6, excerpt = $7,
            lang = $8, version = version + 1, last_editor_id = $9
        where id = $1
        returning version
        "#,
        id,
        new_slug,
        changes.title.as_str(),
        changes.dek.trim(),
        changes.body_markdown,
        rendered.html,
        excerpt,
        changes.lang.as_str(),
        editor
    )
    .fetch_one(&mut *conn)
    .await;
    let version = match updated {
        Ok(version) => version,
        // Another save took this slug between our check and now.
        Err(e) if super::violates(&e, "article_slug_key") => return Ok(Outcome::SlugTaken),
        Err(e) => return Err(e),
    };
    take_lock(conn, id, editor).await?;
    set_tags(conn, id, changes.tags).await?;
    set_picked_links(conn, id, changes.related).await?;
    let warnings = set_inline_links(conn, id, &rendered.article_links).await?;
    snapshot(conn, id, Some(editor), kind, changes.save_key).await?;
    audit::record(
        conn,
        Some(editor),
        "article.save",
        "article",
        &id.to_string(),
        json!({ "version": version, "slug": new_slug }),
    )
    .await?;
    Ok(Outcome::Saved { version, warnings })
}

/// The revision the form `key` made on article `id` when it was first sent: its kind, and
/// whether it holds what `changes` hold (title, dek, body, tags and related articles, as the
/// save kept them).
struct FirstSending {
    kind: String,
    same: bool,
}

async fn first_sending(
    conn: &mut PgConnection,
    id: Uuid,
    key: Uuid,
    changes: &Changes<'_>,
) -> Result<Option<FirstSending>, sqlx::Error> {
    // A save keeps the tags it was given (and a new one) and the related articles that are
    // public; a conflict keeps exactly what was sent.
    sqlx::query_as!(
        FirstSending,
        r#"
        select kind,
               (title = $3 and (dek = $4 or dek = $5) and body_markdown = $6
                and tags @> $7 and related <@ $8) as "same!"
        from article_revision where article_id = $1 and save_key = $2
        "#,
        id,
        key,
        changes.title.as_str(),
        changes.dek.trim(),
        changes.dek,
        changes.body_markdown,
        json!(changes.tags),
        json!(changes.related)
    )
    .fetch_optional(conn)
    .await
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
            and article_is_listed(a.status, a.published_at)
        on conflict do nothing
        "#,
        article,
        &related
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Records the article as it now stands as a revision of `kind`, made by the form `save_key`.
pub(super) async fn snapshot(
    conn: &mut PgConnection,
    id: Uuid,
    editor: Option<Uuid>,
    kind: &str,
    save_key: Option<Uuid>,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        r#"
        insert into article_revision (article_id, version, title, dek, body_markdown, tags, related, editor_id, kind, save_key)
        select a.id, a.version, a.title, a.dek, a.body_markdown,
               coalesce((select jsonb_agg(tag_id order by position) from article_tag where article_id = a.id), '[]'),
               coalesce((select jsonb_agg(to_article_id order by position)
                         from article_link where from_article_id = a.id and origin = 'picked'), '[]'),
               $2, $3, $4
        from article a where a.id = $1
        "#,
        id,
        editor,
        kind,
        save_key
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// The article whose creation the form `save_key` made, if it was sent before.
pub async fn created_by(pool: &PgPool, save_key: Uuid) -> Result<Option<Uuid>, sqlx::Error> {
    sqlx::query_scalar!(
        "select article_id from article_revision where save_key = $1 and kind = 'create'",
        save_key
    )
    .fetch_optional(pool)
    .await
}

/// Keeps text that was not saved onto the article (an autosave, or the losing side of a
/// conflict) as a revision, so nothing typed is ever lost.
pub async fn keep_revision(
    conn: &mut PgConnection,
    id: Uuid,
    base_version: i32,
    editor: Uuid,
    changes: &Changes<'_>,
    kind: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        r#"
        insert into article_revision (article_id, version, title, dek, body_markdown, tags, related, editor_id, kind, save_key)
        values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
        "#,
        id,
        base_version,
        changes.title.as_str(),
        changes.dek,
        changes.body_markdown,
        json!(changes.tags),
        json!(changes.related),
        editor,
        kind,
        changes.save_key
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Marks `user` as editing the article now.
pub async fn take_lock(conn: &mut PgConnection, id: Uuid, user: Uuid) -> Result<(), sqlx::Error> {
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

/// Moves the article from `from` (status and version) to `to`, already checked against the
/// transition table, on behalf of `actor`; false when it is no longer at `from`. Publishing
/// keeps an earlier publication date, or takes now.
pub async fn change_status(
    conn: &mut PgConnection,
    id: Uuid,
    from: (ArticleStatus, i32),
    to: ArticleStatus,
    action: &str,
    actor: Uuid,
) -> Result<bool, sqlx::Error> {
    // "withdraw" is unpublishing that leaves a 410 at the address instead of a 404.
    let withdrawn = action == "withdraw";
    // Only from the status and version the decision was made on: a concurrent change wins,
    // and this one is refused rather than applied to something nobody looked at.
    let changed = sqlx::query!(
        r#"
        update article
        set status = $2,
            -- Publishing keeps an earlier publication date; a missing or future one becomes now.
            published_at = case when $2 = 'published' and (published_at is null or published_at > now()) then now()
                                else published_at end,
            published_version = case when $2 = 'published' then version else published_version end,
            -- Withdrawn (410) only what readers saw; publishing again lifts it; anything else keeps it.
            withdrawn = case when $2 = 'published' then false
                             when $6 and article_is_public(status, published_at) then true
                             else withdrawn end,
            version = version + 1, last_editor_id = $3
        where id = $1 and status = $4 and version = $5
        "#,
        id,
        to.as_str(),
        actor,
        from.0.as_str(),
        from.1,
        withdrawn
    )
    .execute(&mut *conn)
    .await?;
    if changed.rows_affected() == 0 {
        return Ok(false);
    }
    audit::record(
        conn,
        Some(actor),
        &format!("article.{action}"),
        "article",
        &id.to_string(),
        json!({ "status": to.as_str() }),
    )
    .await?;
    Ok(true)
}

/// One line of the revisions page.
#[derive(Debug, Clone)]
pub struct RevisionRow {
    pub id: i64,
    pub version: i32,
    pub kind: String,
    pub title: String,
    pub editor_name: Option<String>,
    pub created_at: OffsetDateTime,
}

pub async fn revisions(pool: &PgPool, article: Uuid) -> Result<Vec<RevisionRow>, sqlx::Error> {
    sqlx::query_as!(
        RevisionRow,
        r#"
        select r.id, r.version, r.kind, r.title, u.display_name as "editor_name?", r.created_at
        from article_revision r left join app_user u on u.id = r.editor_id
        where r.article_id = $1
        order by r.id desc
        "#,
        article
    )
    .fetch_all(pool)
    .await
}

/// One revision in full.
#[derive(Debug, Clone)]
pub struct Revision {
    pub id: i64,
    pub version: i32,
    pub kind: String,
    pub title: String,
    pub dek: String,
    pub body_markdown: String,
    pub tags: Json<Vec<Uuid>>,
    pub related: Json<Vec<Uuid>>,
    pub editor_name: Option<String>,
    pub created_at: OffsetDateTime,
}

pub async fn revision(
    pool: &PgPool,
    article: Uuid,
    id: i64,
) -> Result<Option<Revision>, sqlx::Error> {
    sqlx::query_as!(
        Revision,
        r#"
        select r.id, r.version, r.kind, r.title, r.dek, r.body_markdown,
               r.tags as "tags: Json<Vec<Uuid>>", r.related as "related: Json<Vec<Uuid>>",
               u.display_name as "editor_name?", r.created_at
        from article_revision r left join app_user u on u.id = r.editor_id
        where r.article_id = $1 and r.id = $2
        "#,
        article,
        id
    )
    .fetch_optional(pool)
    .await
}

/// Published articles whose title contains `words`, for picking related ones.
pub async fn search_published(
    pool: &PgPool,
    words: &str,
    exclude: Option<Uuid>,
    limit: i64,
) -> Result<Vec<Pick>, sqlx::Error> {
    let words = words.replace('\0', "");
    let pattern = format!(
        "%{}%",
        words
            .trim()
            .replace('\\', "\\\\")
            .replace('%', "\\%")
            .replace('_', "\\_")
    );
    sqlx::query_as!(
        Pick,
        r#"
        select id, slug, title from article
        where article_is_listed(status, published_at)
          and ($2::uuid is null or id <> $2)
          and unaccent(title) ilike unaccent($1)
        order by published_at desc
        limit $3
        "#,
        pattern,
        exclude,
        limit
    )
    .fetch_all(pool)
    .await
}

/// Published articles by id, in the order given (for showing picks that are not saved yet).
pub async fn picks(pool: &PgPool, ids: &[Uuid]) -> Result<Vec<Pick>, sqlx::Error> {
    sqlx::query_as!(
        Pick,
        r#"
        select a.id as "id!", a.slug as "slug!", a.title as "title!"
        from unnest($1::uuid[]) with ordinality as t(id, position)
        join article a on a.id = t.id
        -- Only what anyone may see: ids posted by hand reveal nothing unpublished.
        where article_is_listed(a.status, a.published_at)
        order by t.position
        "#,
        ids
    )
    .fetch_all(pool)
    .await
}

/// Every tag, for the form's choices.
#[derive(Debug, Clone)]
pub struct TagChoice {
    pub id: Uuid,
    pub name: String,
    pub kind: String,
}

pub async fn tag_choices(pool: &PgPool) -> Result<Vec<TagChoice>, sqlx::Error> {
    sqlx::query_as!(
        TagChoice,
        "select id, name, kind from tag order by kind, lower(name)"
    )
    .fetch_all(pool)
    .await
}

/// Whether another article has (or had) `slug`.
pub async fn slug_taken(
    pool: &PgPool,
    slug: &Slug,
    except: Option<Uuid>,
) -> Result<bool, sqlx::Error> {
    sqlx::query_scalar!(
        r#"
        select exists (select 1 from article where slug = $1 and ($2::uuid is null or id <> $2))
            or exists (select 1 from slug_redirect where old_slug = $1 and ($2::uuid is null or article_id <> $2)) as "taken!"
        "#,
        slug.as_str(),
        except
    )
    .fetch_one(pool)
    .await
}

/// Refreshes `user`'s lock, or takes a lock nobody holds (or that has gone stale after
/// `fresh_seconds`); never takes someone else's live lock.
pub async fn refresh_lock(
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

/// Deletes an article for good, with its revisions, links and corrections; the audit event
/// (with its title and slug) is what remains.
pub async fn delete(conn: &mut PgConnection, id: Uuid, actor: Uuid) -> Result<bool, sqlx::Error> {
    let gone = sqlx::query!(
        "delete from article where id = $1 returning slug, title",
        id
    )
    .fetch_optional(&mut *conn)
    .await?;
    let Some(gone) = gone else { return Ok(false) };
    audit::record(
        conn,
        Some(actor),
        "article.delete",
        "article",
        &id.to_string(),
        json!({ "slug": gone.slug, "title": gone.title }),
    )
    .await?;
    Ok(true)
}

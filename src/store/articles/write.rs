//! The one way an article's text is written: create, save (with the version check, repeated
//! forms and slug changes), revisions kept of text that was not saved, and deletion. Every
//! write runs in the caller's transaction and leaves a revision and an audit event.

use serde_json::json;
use sqlx::PgConnection;
use sqlx::types::Json;
use uuid::Uuid;

use super::kept::keep_revision;
use super::links::{self, LinkWarning};
use super::lock;
use crate::domain::markdown::Rendered;
use crate::domain::regulation::AiUse;
use crate::domain::{AuditAction, Lang, RevisionKind, Slug, Title, typography};
use crate::store::{audit, violates};

/// An article's text and parts, as its author typed them in the form.
#[derive(Debug, Clone, Copy)]
pub struct Draft<'a> {
    pub title: &'a Title,
    pub dek: &'a str,
    /// `None`: derived from the title for a new article or one that was never public (its
    /// address follows its title until published); kept as it is for one readers have known.
    pub slug: Option<&'a Slug>,
    pub lang: Lang,
    /// Empty: derived from the body.
    pub excerpt: &'a str,
    pub body_markdown: &'a str,
    pub tags: &'a [Uuid],
    /// Related articles picked by the author, in order.
    pub related: &'a [Uuid],
    /// The key of the form it was typed in (see the `save_keys` migration).
    pub save_key: Option<Uuid>,
    /// What a social network shows when it is shared, title and description (empty: the
    /// article's own). `None`: as they are (a restore, or a writer that has no such fields).
    pub social: Option<(&'a str, &'a str)>,
    /// The featured image: `Some(None)` none, `None` as it is (a writer without the field).
    pub featured: Option<Option<Uuid>>,
    /// How AI was used to make it, and whether it is left open to text-and-data mining.
    /// `None`: as they are.
    pub disclosure: Option<(AiUse, bool)>,
}

impl Draft<'_> {
    /// The excerpt as typed (typeset for its language), or the one derived from the body
    /// (typeset with it).
    fn excerpt(&self, rendered: &Rendered) -> String {
        match self.excerpt.trim() {
            "" => rendered.excerpt.clone(),
            typed => typography::for_lang(typed, self.lang),
        }
    }

    /// The title as readers get it: typeset for its language (French: narrow no-break spaces
    /// before `; : ! ?` and inside « »), like the body.
    pub fn typeset_title(&self) -> String {
        let typeset = typography::for_lang(self.title.as_str(), self.lang);
        // The narrow spaces it adds may take a title at the limit over it: it stays as typed.
        if typeset.chars().count() <= Title::MAX_CHARS {
            typeset
        } else {
            self.title.as_str().to_owned()
        }
    }

    fn typeset_dek(&self) -> String {
        typography::for_lang(self.dek.trim(), self.lang)
    }
}

/// A new article, written.
#[derive(Debug)]
pub struct Created {
    pub id: Uuid,
    pub slug: Slug,
    pub version: i32,
    pub warnings: Vec<LinkWarning>,
}

/// Creates a draft by `author`, done by `actor` (none: the system itself), its body already
/// `rendered` (see `markdown::render`): picks a free slug, then writes its parts, first
/// revision and audit event.
pub async fn create(
    conn: &mut PgConnection,
    author: Uuid,
    actor: Option<Uuid>,
    draft: &Draft<'_>,
    rendered: &Rendered,
) -> Result<Created, sqlx::Error> {
    let base = match draft.slug {
        Some(slug) => slug.clone(),
        None => Slug::derive_or(draft.title.as_str(), "article"),
    };
    let slug = free_slug(conn, &base, None).await?;
    let id = sqlx::query_scalar!(
        "insert into article (slug, title, author_id) values ($1, $2, $3) returning id",
        slug.as_str(),
        draft.title.as_str(),
        author
    )
    .fetch_one(&mut *conn)
    .await?;
    let version = write_text(conn, id, slug.as_str(), draft, rendered, actor, false).await?;
    let warnings = write_parts(conn, id, actor, draft, rendered, RevisionKind::Create).await?;
    audit::record(
        conn,
        actor,
        AuditAction::ArticleCreate,
        &id.to_string(),
        json!({ "slug": slug.as_str() }),
    )
    .await?;
    Ok(Created {
        id,
        slug,
        version,
        warnings,
    })
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
    /// Another version of its translation group is in the language asked for (a group has
    /// one article per language): nothing changed.
    LanguageTaken,
    NotFound,
}

/// Saves `draft` typed by `editor` on top of `base_version`, its body already `rendered`,
/// recorded as a revision of `kind` (`Save` or `Restore`). A changed slug of an article that
/// has been public leaves a redirect from the old one.
pub async fn save(
    conn: &mut PgConnection,
    id: Uuid,
    base_version: i32,
    editor: Uuid,
    draft: &Draft<'_>,
    rendered: &Rendered,
    kind: RevisionKind,
) -> Result<Outcome, sqlx::Error> {
    let Some(current) = sqlx::query!(
        "select slug, version, published_at, lang from article where id = $1 for update",
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
    let mut draft = *draft;
    if let Some(key) = draft.save_key
        && let Some(first) = first_sending(conn, id, key).await?
    {
        if first.holds(&draft) {
            return Ok(Outcome::Repeated {
                conflict: first.kind == RevisionKind::Conflict,
            });
        }
        draft.save_key = None;
    }
    if current.version != base_version {
        keep_revision(
            conn,
            id,
            base_version,
            editor,
            &draft,
            RevisionKind::Conflict,
        )
        .await?;
        audit::record(
            conn,
            Some(editor),
            AuditAction::ArticleConflict,
            &id.to_string(),
            json!({ "base_version": base_version, "current_version": current.version }),
        )
        .await?;
        return Ok(Outcome::Conflict);
    }
    if draft.lang.as_str() != current.lang
        && super::translations::language_taken(conn, id, draft.lang).await?
    {
        return Ok(Outcome::LanguageTaken);
    }
    let was_public = current.published_at.is_some();
    // A draft that was never public follows its title until someone types an address.
    let new_slug = match draft.slug {
        Some(slug) => slug.as_str().to_owned(),
        None if !was_public => {
            let base = Slug::derive_or(draft.title.as_str(), "article");
            free_slug(conn, &base, Some(id)).await?.as_str().to_owned()
        }
        None => current.slug.clone(),
    };
    let new_slug = new_slug.as_str();
    if new_slug != current.slug && !move_slug(conn, id, &current.slug, new_slug, was_public).await?
    {
        return Ok(Outcome::SlugTaken);
    }
    let updated = write_text(conn, id, new_slug, &draft, rendered, Some(editor), true).await;
    let version = match updated {
        Ok(version) => version,
        // Another save took this slug between our check and now.
        Err(e) if violates(&e, "article_slug_key") => return Ok(Outcome::SlugTaken),
        Err(e) => return Err(e),
    };
    lock::take(conn, id, editor).await?;
    let warnings = write_parts(conn, id, Some(editor), &draft, rendered, kind).await?;
    audit::record(
        conn,
        Some(editor),
        AuditAction::ArticleSave,
        &id.to_string(),
        json!({ "version": version, "slug": new_slug }),
    )
    .await?;
    Ok(Outcome::Saved { version, warnings })
}

/// Writes `draft`'s text (its body already `rendered`) onto article `id` at `slug`, done by
/// `editor` (none: the system itself): the one statement both a create and a save write the
/// text with. A save makes a new version (`new_version`); a create keeps its first. Returns the
/// version.
async fn write_text(
    conn: &mut PgConnection,
    id: Uuid,
    slug: &str,
    draft: &Draft<'_>,
    rendered: &Rendered,
    editor: Option<Uuid>,
    new_version: bool,
) -> Result<i32, sqlx::Error> {
    sqlx::query_scalar!(
        r#"
        update article
        set slug = $2, title = $3, dek = $4, body_markdown = $5, body_html = $6, excerpt = $7,
            lang = $8, last_editor_id = $9, version = version + case when $10 then 1 else 0 end,
            social_title = coalesce($11, social_title),
            social_description = coalesce($12, social_description),
            featured_media_id = case when $13 then $14 else featured_media_id end,
            ai_use = coalesce($15, ai_use), tdm_open = coalesce($16, tdm_open),
            -- A translation saved is up to date with its source as it is now.
            translated_from = case when translation_of is null then null
                                   else latest_saved_revision(translation_of) end
        where id = $1
        returning version
        "#,
        id,
        slug,
        draft.typeset_title(),
        draft.typeset_dek(),
        draft.body_markdown,
        rendered.html,
        draft.excerpt(rendered),
        draft.lang.as_str(),
        editor,
        new_version,
        draft.social.map(|(title, _)| title.trim()),
        // Line ends as the browser counts them (a form sends `\r\n`).
        draft
            .social
            .map(|(_, description)| description.trim().replace("\r\n", "\n")),
        draft.featured.is_some(),
        draft.featured.flatten(),
        draft.disclosure.map(|(ai_use, _)| ai_use.as_str()),
        draft.disclosure.map(|(_, open)| open)
    )
    .fetch_one(conn)
    .await
}

/// `base`, or the first of `base-2`, `base-3`… that no article other than `except` has and
/// no old address points to.
async fn free_slug(
    conn: &mut PgConnection,
    base: &Slug,
    except: Option<Uuid>,
) -> Result<Slug, sqlx::Error> {
    let taken = sqlx::query_scalar!(
        r#"
        select slug as "slug!" from article
        where slug like $1 || '%' and id is distinct from $2
        union all
        select old_slug from slug_redirect
        where old_slug like $1 || '%' and article_id is distinct from $2
        "#,
        base.variants_prefix(),
        except
    )
    .fetch_all(&mut *conn)
    .await?;
    Ok(base.first_free(&taken))
}

/// What every write of the text does after the article's row: its tags, picked and inline
/// links, and a revision of `kind` recording the article as it now stands. Returns the body's
/// links readers could not follow.
async fn write_parts(
    conn: &mut PgConnection,
    id: Uuid,
    actor: Option<Uuid>,
    draft: &Draft<'_>,
    rendered: &Rendered,
    kind: RevisionKind,
) -> Result<Vec<LinkWarning>, sqlx::Error> {
    links::set_tags(conn, id, draft.tags).await?;
    links::set_picked_links(conn, id, draft.related).await?;
    let warnings = links::set_inline_links(conn, id, &rendered.article_links).await?;
    crate::store::media::set_in_text(conn, id, &rendered.image_ids).await?;
    snapshot(conn, id, actor, kind, draft.save_key).await?;
    Ok(warnings)
}

/// Records the article as it now stands (text, tags, picked related articles) as a revision
/// of `kind`, made by `actor` with the form `save_key`.
pub(crate) async fn snapshot(
    conn: &mut PgConnection,
    id: Uuid,
    actor: Option<Uuid>,
    kind: RevisionKind,
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
        actor,
        kind.as_str(),
        save_key
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Gives article `id` the slug `new` in place of `old`, if no other article has or had it; an
/// address readers knew (`was_public`) keeps working as a redirect. False when it is taken.
async fn move_slug(
    conn: &mut PgConnection,
    id: Uuid,
    old: &str,
    new: &str,
    was_public: bool,
) -> Result<bool, sqlx::Error> {
    let taken = sqlx::query_scalar!(
        r#"
        select exists (select 1 from article where slug = $1 and id <> $2)
            or exists (select 1 from slug_redirect where old_slug = $1 and article_id <> $2) as "taken!"
        "#,
        new,
        id
    )
    .fetch_one(&mut *conn)
    .await?;
    if taken {
        return Ok(false);
    }
    sqlx::query!("delete from slug_redirect where old_slug = $1", new)
        .execute(&mut *conn)
        .await?;
    if was_public {
        sqlx::query!(
            r#"
            insert into slug_redirect (old_slug, article_id) values ($1, $2)
            on conflict (old_slug) do update set article_id = excluded.article_id
            "#,
            old,
            id
        )
        .execute(&mut *conn)
        .await?;
    }
    Ok(true)
}

/// The revision the form `key` made on article `id` when it was first sent.
struct FirstSending {
    kind: RevisionKind,
    title: String,
    dek: String,
    body_markdown: String,
    tags: Json<Vec<Uuid>>,
    related: Json<Vec<Uuid>>,
}

impl FirstSending {
    /// Whether it holds what `draft` holds: the same title, dek and body, and the tags and
    /// related articles as a save keeps them (the tags it was given, and a new one; the
    /// related articles that are public). A conflict kept exactly what was sent.
    fn holds(&self, draft: &Draft<'_>) -> bool {
        (self.title == draft.title.as_str() || self.title == draft.typeset_title())
            && (self.dek == draft.dek.trim()
                || self.dek == draft.dek
                || self.dek == draft.typeset_dek())
            && self.body_markdown == draft.body_markdown
            && draft.tags.iter().all(|t| self.tags.0.contains(t))
            && self.related.0.iter().all(|r| draft.related.contains(r))
    }
}

async fn first_sending(
    conn: &mut PgConnection,
    id: Uuid,
    key: Uuid,
) -> Result<Option<FirstSending>, sqlx::Error> {
    sqlx::query_as!(
        FirstSending,
        r#"
        select kind as "kind: RevisionKind", title, dek, body_markdown,
               tags as "tags: Json<Vec<Uuid>>", related as "related: Json<Vec<Uuid>>"
        from article_revision where article_id = $1 and save_key = $2
        "#,
        id,
        key
    )
    .fetch_optional(conn)
    .await
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
        AuditAction::ArticleDelete,
        &id.to_string(),
        json!({ "slug": gone.slug, "title": gone.title }),
    )
    .await?;
    Ok(true)
}

/// Says that article `id` just changed in substance (its page shows "Mis à jour le …"), as
/// `actor` decided when saving it; the audit log keeps who.
pub async fn mark_revised(
    conn: &mut PgConnection,
    id: Uuid,
    actor: Uuid,
) -> Result<(), sqlx::Error> {
    sqlx::query!("update article set revised_at = now() where id = $1", id)
        .execute(&mut *conn)
        .await?;
    audit::record(
        conn,
        Some(actor),
        AuditAction::ArticleRevised,
        &id.to_string(),
        serde_json::json!({}),
    )
    .await
}

/// Makes article `id` (just created) a standalone page: at `/pages/{slug}`, in no list.
pub async fn make_page(conn: &mut PgConnection, id: Uuid) -> Result<(), sqlx::Error> {
    sqlx::query!("update article set kind = 'page' where id = $1", id)
        .execute(conn)
        .await?;
    Ok(())
}

//! Translations: an article may be the translation of another, its source. A translation group
//! is a source and its translations, one article per language. A translation records the
//! source's revision it was last saved against (`write::write_text`), so that the editor can
//! say it is "à mettre à jour" when the source changed since, with the source's changes.

use serde_json::json;
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

use crate::domain::{AuditAction, Lang};
use crate::store::audit;

/// An article of a translation group.
#[derive(Debug, Clone)]
pub struct Member {
    pub id: Uuid,
    pub slug: String,
    pub title: String,
    pub lang: Lang,
    /// The group's source (the others are its translations).
    pub source: bool,
    /// Readers can read it (a published article: pages are in no group).
    pub public: bool,
    pub author_id: Uuid,
}

/// A [`Member`] as the article page's statement reads it (in JSON).
#[derive(Debug, Clone, serde::Deserialize)]
pub struct MemberRow {
    pub id: Uuid,
    pub slug: String,
    pub title: String,
    pub lang: String,
    pub source: bool,
    pub public: bool,
    pub author_id: Uuid,
}

impl From<MemberRow> for Member {
    fn from(row: MemberRow) -> Self {
        Self {
            id: row.id,
            slug: row.slug,
            title: row.title,
            // The column's check keeps to the languages Vigie knows.
            lang: Lang::parse(&row.lang).unwrap_or(Lang::Fr),
            source: row.source,
            public: row.public,
            author_id: row.author_id,
        }
    }
}

/// The group article `id` belongs to, the source first, then by language; empty when it is
/// in none.
pub async fn group(pool: &PgPool, id: Uuid) -> Result<Vec<Member>, sqlx::Error> {
    sqlx::query_as!(
        Member,
        r#"
        with root as (select coalesce(translation_of, id) as id from article where id = $1)
        select a.id, a.slug, a.title, a.lang as "lang: Lang", a.id = root.id as "source!",
               article_is_listed(a.status, a.published_at) and a.kind = 'article' as "public!",
               a.author_id
        from article a, root
        where (a.id = root.id or a.translation_of = root.id)
          and exists (select 1 from article t where t.translation_of = root.id)
        order by a.id <> root.id, a.lang, a.id
        "#,
        id
    )
    .fetch_all(pool)
    .await
}

/// The public articles of the group of public article `id` (itself included), the source
/// first; empty when it has no public translation.
pub async fn public_versions(pool: &PgPool, id: Uuid) -> Result<Vec<Member>, sqlx::Error> {
    let members = group(pool, id).await?;
    let public: Vec<Member> = members.into_iter().filter(|m| m.public).collect();
    Ok(if public.len() > 1 { public } else { Vec::new() })
}

/// Why an article could not be linked to a source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refused {
    /// No such article.
    NoSource,
    /// Itself.
    Itself,
    /// The source is in the same language.
    SameLanguage,
    /// The group already has an article in this language: its slug.
    LanguageTaken(String),
    /// The article has translations of its own: it is a source already.
    IsSource,
    /// A standalone page: pages have no translations.
    Page,
}

/// Makes article `id` a translation of `source` (or of `source`'s own source, when `source` is
/// a translation itself: a group has one source), recording the source's current revision.
pub async fn link(
    conn: &mut PgConnection,
    id: Uuid,
    source: Uuid,
    actor: Uuid,
) -> Result<Result<Uuid, Refused>, sqlx::Error> {
    // The original's row is locked: two links to one group are decided one after the other.
    let Some(root) = sqlx::query!(
        r#"
        select a.id, a.lang as source_lang, a.kind
        from article a
        where a.id = (select coalesce(s.translation_of, s.id) from article s where s.id = $1)
        for update
        "#,
        source
    )
    .fetch_optional(&mut *conn)
    .await?
    else {
        return Ok(Err(Refused::NoSource));
    };
    if root.kind == "page" {
        return Ok(Err(Refused::Page));
    }
    if root.id == id {
        return Ok(Err(Refused::Itself));
    }
    let me = sqlx::query!(
        r#"
        select lang, kind, exists (select 1 from article t where t.translation_of = a.id) as "is_source!"
        from article a where a.id = $1 for update
        "#,
        id
    )
    .fetch_one(&mut *conn)
    .await?;
    if me.kind == "page" {
        return Ok(Err(Refused::Page));
    }
    if me.is_source {
        return Ok(Err(Refused::IsSource));
    }
    if me.lang == root.source_lang {
        return Ok(Err(Refused::SameLanguage));
    }
    let taken = sqlx::query_scalar!(
        "select slug from article where translation_of = $1 and lang = $2 and id <> $3",
        root.id,
        me.lang,
        id
    )
    .fetch_optional(&mut *conn)
    .await?;
    if let Some(slug) = taken {
        return Ok(Err(Refused::LanguageTaken(slug)));
    }
    sqlx::query!(
        r#"
        update article set translation_of = $2, translated_from = latest_saved_revision($2)
        where id = $1
        "#,
        id,
        root.id
    )
    .execute(&mut *conn)
    .await?;
    audit::record(
        conn,
        Some(actor),
        AuditAction::ArticleTranslation,
        &id.to_string(),
        json!({ "source": root.id }),
    )
    .await?;
    Ok(Ok(root.id))
}

/// Article `id` is no longer a translation. False when it was none.
pub async fn unlink(conn: &mut PgConnection, id: Uuid, actor: Uuid) -> Result<bool, sqlx::Error> {
    let done = sqlx::query!(
        r#"
        update article set translation_of = null, translated_from = null
        where id = $1 and translation_of is not null
        "#,
        id
    )
    .execute(&mut *conn)
    .await?
    .rows_affected()
        == 1;
    if done {
        audit::record(
            conn,
            Some(actor),
            AuditAction::ArticleTranslation,
            &id.to_string(),
            json!({ "source": null }),
        )
        .await?;
    }
    Ok(done)
}

/// A translation whose source changed since it was last saved: the source's text then and now.
#[derive(Debug, Clone)]
pub struct Stale {
    pub source_id: Uuid,
    pub source_title: String,
    /// The source's body at the revision the translation was made from (empty if unknown).
    pub before: String,
    pub now: String,
}

/// Whether translation `id` is behind its source, and by what.
pub async fn stale(pool: &PgPool, id: Uuid) -> Result<Option<Stale>, sqlx::Error> {
    sqlx::query_as!(
        Stale,
        r#"
        select s.id as source_id, s.title as source_title,
               -- Title, dek and text: what a translator translates.
               coalesce((select concat_ws(E'\n\n', r.title, nullif(r.dek, ''), r.body_markdown)
                         from article_revision r where r.id = a.translated_from), '') as "before!",
               concat_ws(E'\n\n', s.title, nullif(s.dek, ''), s.body_markdown) as "now!"
        from article a join article s on s.id = a.translation_of
        where a.id = $1 and latest_saved_revision(s.id) > coalesce(a.translated_from, 0)
        "#,
        id
    )
    .fetch_optional(pool)
    .await
}

/// Whether another article of `id`'s translation group (its original and the original's
/// translations) is in `lang`.
pub async fn language_taken(
    conn: &mut PgConnection,
    id: Uuid,
    lang: Lang,
) -> Result<bool, sqlx::Error> {
    sqlx::query_scalar!(
        r#"
        select exists (
            select 1 from article me
            join article o on o.id <> me.id
                and (o.id = coalesce(me.translation_of, me.id)
                     or o.translation_of = coalesce(me.translation_of, me.id))
            where me.id = $1 and o.lang = $2
        ) as "taken!"
        "#,
        id,
        lang.as_str()
    )
    .fetch_one(conn)
    .await
}

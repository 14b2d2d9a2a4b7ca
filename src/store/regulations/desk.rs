//! The newsroom's side of regulations: the list, one record for its form, and every write.
//! A change of a published regulation's status or of a milestone's date is written to its
//! history here, in the caller's transaction, with the change itself.

use sqlx::{PgConnection, PgPool};
use time::{Date, OffsetDateTime};
use uuid::Uuid;

use super::milestones::write_history;
use crate::domain::regulation::{Change, LegalForm, RegulationStatus};
use crate::domain::{Slug, TagKind};
use crate::store::{tags, violates};

/// A jurisdiction, with how many regulations name it.
#[derive(Debug, Clone)]
pub struct Jurisdiction {
    pub id: Uuid,
    pub slug: String,
    pub name: String,
    pub regulations: i64,
}

pub async fn jurisdictions(pool: &PgPool) -> Result<Vec<Jurisdiction>, sqlx::Error> {
    sqlx::query_as!(
        Jurisdiction,
        r#"
        select j.id, j.slug, j.name,
               (select count(*) from regulation r where r.jurisdiction_id = j.id) as "regulations!"
        from jurisdiction j order by lower(j.name)
        "#
    )
    .fetch_all(pool)
    .await
}

/// What a write met instead of doing its work.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refused {
    /// Another record has that name (or its tag is another regulation's).
    NameTaken,
    NotFound,
    /// Publishing needs a jurisdiction, a legal form and a status.
    Incomplete,
    /// The short name is already a tag of another kind (an organisation, a topic…).
    TagOfOtherKind,
}

/// A new jurisdiction, with its tag (found by name, or made): articles tagged with it are on
/// its page.
pub async fn create_jurisdiction(
    conn: &mut PgConnection,
    name: &str,
) -> Result<Result<Uuid, Refused>, sqlx::Error> {
    let tag = tags::find_or_create(conn, name, TagKind::Jurisdiction, "").await?;
    let slug = Slug::derive_or(name, "juridiction");
    let created = sqlx::query_scalar!(
        "insert into jurisdiction (slug, name, tag_id) values ($1, $2, $3) returning id",
        slug.as_str(),
        name,
        tag
    )
    .fetch_one(&mut *conn)
    .await;
    match created {
        Ok(id) => Ok(Ok(id)),
        Err(e)
            if violates(&e, "jurisdiction_slug_key")
                || violates(&e, "jurisdiction_name_key")
                || violates(&e, "jurisdiction_tag_key") =>
        {
            Ok(Err(Refused::NameTaken))
        }
        Err(e) => Err(e),
    }
}

/// A new name for a jurisdiction; its address stays.
pub async fn rename_jurisdiction(
    conn: &mut PgConnection,
    id: Uuid,
    name: &str,
) -> Result<Result<(), Refused>, sqlx::Error> {
    let renamed = sqlx::query!("update jurisdiction set name = $2 where id = $1", id, name)
        .execute(&mut *conn)
        .await;
    match renamed {
        Ok(done) if done.rows_affected() == 0 => Ok(Err(Refused::NotFound)),
        Ok(_) => Ok(Ok(())),
        Err(e) if violates(&e, "jurisdiction_name_key") => Ok(Err(Refused::NameTaken)),
        Err(e) => Err(e),
    }
}

/// One line of the newsroom's list.
#[derive(Debug, Clone)]
pub struct Listed {
    pub id: Uuid,
    pub slug: String,
    pub name: String,
    pub jurisdiction: Option<String>,
    pub status: Option<RegulationStatus>,
    pub published: bool,
    pub milestones: i64,
    pub updated_at: OffsetDateTime,
}

pub async fn list(pool: &PgPool) -> Result<Vec<Listed>, sqlx::Error> {
    sqlx::query_as!(
        Listed,
        r#"
        select r.id, r.slug, r.name, j.name as "jurisdiction?",
               r.status as "status?: RegulationStatus", r.published_at is not null as "published!",
               (select count(*) from regulation_milestone m where m.regulation_id = r.id) as "milestones!",
               r.updated_at
        from regulation r left join jurisdiction j on j.id = r.jurisdiction_id
        order by r.published_at is not null, lower(j.name) nulls first, lower(r.name)
        "#
    )
    .fetch_all(pool)
    .await
}

/// A regulation as its form shows it.
#[derive(Debug, Clone)]
pub struct Record {
    pub id: Uuid,
    pub slug: String,
    pub name: String,
    pub short_name: String,
    pub official_title: String,
    pub identifier: String,
    pub jurisdiction_id: Option<Uuid>,
    pub legal_form: Option<LegalForm>,
    pub status: Option<RegulationStatus>,
    pub adopted_on: Option<Date>,
    pub official_url: String,
    pub legislature_url: String,
    pub summary_markdown: String,
    pub published_at: Option<OffsetDateTime>,
}

pub async fn record(pool: &PgPool, id: Uuid) -> Result<Option<Record>, sqlx::Error> {
    sqlx::query_as!(
        Record,
        r#"
        select id, slug, name, short_name, official_title, identifier, jurisdiction_id,
               legal_form as "legal_form?: LegalForm", status as "status?: RegulationStatus",
               adopted_on, official_url, legislature_url, summary_markdown, published_at
        from regulation where id = $1
        "#,
        id
    )
    .fetch_optional(pool)
    .await
}

/// What the form sends, checked.
#[derive(Debug, Clone)]
pub struct Fields<'a> {
    pub name: &'a str,
    pub short_name: &'a str,
    pub official_title: &'a str,
    pub identifier: &'a str,
    pub jurisdiction_id: Uuid,
    pub legal_form: LegalForm,
    pub status: RegulationStatus,
    pub adopted_on: Option<Date>,
    pub official_url: &'a str,
    pub legislature_url: &'a str,
    pub summary_markdown: &'a str,
    pub summary_html: &'a str,
}

/// Why a status changed, as the public history says it.
#[derive(Debug, Clone, Copy, Default)]
pub struct Why<'a> {
    pub note: &'a str,
    pub source_url: &'a str,
    pub actor: Option<Uuid>,
    /// When it happened, if not now (content loaded after the fact, like the demo's).
    pub at: Option<OffsetDateTime>,
}

/// What names a regulation's tag: its short name, or else its name.
fn tag_name<'a>(fields: &Fields<'a>) -> &'a str {
    if fields.short_name.is_empty() {
        fields.name
    } else {
        fields.short_name
    }
}

/// The tag of the articles about a regulation: the one of its short name, found or made — a
/// regulation tag, never a topic's or an organisation's of the same name.
async fn own_tag(
    conn: &mut PgConnection,
    fields: &Fields<'_>,
) -> Result<Result<Uuid, Refused>, sqlx::Error> {
    let tag = tags::find_or_create(conn, tag_name(fields), TagKind::Regulation, "").await?;
    let kind = sqlx::query_scalar!(
        r#"select kind as "kind: TagKind" from tag where id = $1"#,
        tag
    )
    .fetch_one(&mut *conn)
    .await?;
    Ok(if kind == TagKind::Regulation {
        Ok(tag)
    } else {
        Err(Refused::TagOfOtherKind)
    })
}

/// A new regulation, unpublished, with its tag (the short name's, found or made): articles
/// carrying that tag are about it.
pub async fn create(
    conn: &mut PgConnection,
    fields: &Fields<'_>,
) -> Result<Result<Uuid, Refused>, sqlx::Error> {
    let tag = match own_tag(conn, fields).await? {
        Ok(tag) => tag,
        Err(refused) => return Ok(Err(refused)),
    };
    let base = Slug::derive_or(tag_name(fields), "reglementation");
    let mut slug = base.clone();
    for n in 2..100 {
        let taken = sqlx::query_scalar!(
            r#"select exists (select 1 from regulation where slug = $1) as "taken!""#,
            slug.as_str()
        )
        .fetch_one(&mut *conn)
        .await?;
        if !taken {
            break;
        }
        slug = base.with_suffix(n);
    }
    let created = sqlx::query_scalar!(
        r#"
        insert into regulation (slug, name, short_name, official_title, identifier, jurisdiction_id,
                                legal_form, status, adopted_on, official_url, legislature_url,
                                summary_markdown, summary_html, tag_id)
        values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
        returning id
        "#,
        slug.as_str(),
        fields.name,
        fields.short_name,
        fields.official_title,
        fields.identifier,
        fields.jurisdiction_id,
        fields.legal_form.as_str(),
        fields.status.as_str(),
        fields.adopted_on,
        fields.official_url,
        fields.legislature_url,
        fields.summary_markdown,
        fields.summary_html,
        tag
    )
    .fetch_one(&mut *conn)
    .await;
    match created {
        Ok(id) => Ok(Ok(id)),
        Err(e) if violates(&e, "regulation_tag_key") || violates(&e, "regulation_slug_key") => {
            Ok(Err(Refused::NameTaken))
        }
        Err(e) => Err(e),
    }
}

/// Saves the form; a published regulation whose status changes gets that in its history.
pub async fn update(
    conn: &mut PgConnection,
    id: Uuid,
    fields: &Fields<'_>,
    why: Why<'_>,
) -> Result<Result<(), Refused>, sqlx::Error> {
    let Some(before) = sqlx::query!(
        r#"
        select status as "status?: RegulationStatus", published_at is not null as "published!",
               tag_id
        from regulation where id = $1 for update
        "#,
        id
    )
    .fetch_optional(&mut *conn)
    .await?
    else {
        return Ok(Err(Refused::NotFound));
    };
    // A record whose tag was deleted gets one again, so that its articles can find it.
    let tag = match before.tag_id {
        Some(tag) => tag,
        None => match own_tag(conn, fields).await? {
            Ok(tag) => tag,
            Err(refused) => return Ok(Err(refused)),
        },
    };
    let updated = sqlx::query!(
        r#"
        update regulation set name = $2, short_name = $3, official_title = $4, identifier = $5,
               jurisdiction_id = $6, legal_form = $7, status = $8, adopted_on = $9,
               official_url = $10, legislature_url = $11, summary_markdown = $12, summary_html = $13,
               tag_id = $14
        where id = $1
        "#,
        id,
        fields.name,
        fields.short_name,
        fields.official_title,
        fields.identifier,
        fields.jurisdiction_id,
        fields.legal_form.as_str(),
        fields.status.as_str(),
        fields.adopted_on,
        fields.official_url,
        fields.legislature_url,
        fields.summary_markdown,
        fields.summary_html,
        tag
    )
    .execute(&mut *conn)
    .await;
    match updated {
        Ok(_) => {}
        Err(e) if violates(&e, "regulation_tag_key") => return Ok(Err(Refused::NameTaken)),
        Err(e) => return Err(e),
    }
    if before.published && before.status != Some(fields.status) {
        let change = Change::Status {
            from: before.status,
            to: fields.status,
        };
        write_history(conn, id, None, &change, why).await?;
    }
    Ok(Ok(()))
}

/// Makes a complete regulation public; from now on its changes are history.
pub async fn publish(
    conn: &mut PgConnection,
    id: Uuid,
) -> Result<Result<(), Refused>, sqlx::Error> {
    let done = sqlx::query!(
        r#"
        update regulation set published_at = coalesce(published_at, now())
        where id = $1 and jurisdiction_id is not null and legal_form is not null
          and status is not null
        "#,
        id
    )
    .execute(&mut *conn)
    .await?;
    if done.rows_affected() == 1 {
        return Ok(Ok(()));
    }
    let exists = sqlx::query_scalar!(
        r#"select exists (select 1 from regulation where id = $1) as "exists!""#,
        id
    )
    .fetch_one(&mut *conn)
    .await?;
    Ok(Err(if exists {
        Refused::Incomplete
    } else {
        Refused::NotFound
    }))
}

/// Removes a regulation with its milestones and history; its tag and articles stay.
pub async fn delete(conn: &mut PgConnection, id: Uuid) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar!("delete from regulation where id = $1 returning name", id)
        .fetch_optional(&mut *conn)
        .await
}

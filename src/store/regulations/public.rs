//! What readers see of regulations: only published ones (the `public_regulation` view), and of
//! articles only public ones (the `public_article` view).

use sqlx::PgPool;
use sqlx::types::Json;
use time::{Date, OffsetDateTime};
use uuid::Uuid;

use super::{HistoryRow, Milestone};
use crate::domain::regulation::{LegalForm, MilestoneDate, Precision, RegulationStatus};
use crate::domain::{Lang, Slug};
use crate::store::articles::public::Summary;
use crate::store::{Byline, TagRef};

/// A regulation's hub page.
#[derive(Debug, Clone)]
pub struct Hub {
    pub id: Uuid,
    pub slug: String,
    pub name: String,
    pub short_name: String,
    pub official_title: String,
    pub identifier: String,
    pub jurisdiction_slug: String,
    pub jurisdiction_name: String,
    pub legal_form: LegalForm,
    pub status: RegulationStatus,
    pub adopted_on: Option<Date>,
    pub official_url: String,
    pub legislature_url: String,
    pub summary_html: String,
    pub tag_id: Option<Uuid>,
    pub updated_at: OffsetDateTime,
    pub published_at: OffsetDateTime,
}

pub async fn by_slug(pool: &PgPool, slug: &Slug) -> Result<Option<Hub>, sqlx::Error> {
    sqlx::query_as!(
        Hub,
        r#"
        select r.id as "id!", r.slug as "slug!", r.name as "name!", r.short_name as "short_name!",
               r.official_title as "official_title!", r.identifier as "identifier!",
               j.slug as jurisdiction_slug, j.name as jurisdiction_name,
               r.legal_form as "legal_form!: LegalForm", r.status as "status!: RegulationStatus",
               r.adopted_on, r.official_url as "official_url!", r.legislature_url as "legislature_url!",
               r.summary_html as "summary_html!", r.tag_id, r.updated_at as "updated_at!",
               r.published_at as "published_at!"
        from public_regulation r join jurisdiction j on j.id = r.jurisdiction_id
        where r.slug = $1
        "#,
        slug.as_str()
    )
    .fetch_optional(pool)
    .await
}

/// A public regulation's milestones, in date order.
pub async fn milestones(pool: &PgPool, regulation: Uuid) -> Result<Vec<Milestone>, sqlx::Error> {
    sqlx::query_as!(
        Milestone,
        r#"
        select m.id, m.regulation_id, m.on_date, m.precision as "precision: Precision", m.label,
               m.applies, m.source_url, m.updated_at,
               (select count(*) from regulation_change c
                where c.milestone_id = m.id and c.kind = 'milestone_moved') as "moves!"
        from regulation_milestone m join public_regulation r on r.id = m.regulation_id
        where m.regulation_id = $1
        order by m.on_date, m.precision, m.label
        "#,
        regulation
    )
    .fetch_all(pool)
    .await
}

/// A public regulation's history, newest first; `None`: every public regulation's.
pub async fn history(
    pool: &PgPool,
    regulation: Option<Uuid>,
    limit: i64,
) -> Result<Vec<HistoryRow>, sqlx::Error> {
    sqlx::query_as!(
        HistoryRow,
        r#"
        select c.id, r.slug as "regulation_slug!", r.name as "regulation_name!", c.kind, c.label,
               c.from_date, c.from_precision as "from_precision?: Precision",
               c.to_date, c.to_precision as "to_precision?: Precision",
               c.from_status as "from_status?: RegulationStatus",
               c.to_status as "to_status?: RegulationStatus",
               c.note, c.source_url, c.noted_at
        from regulation_change c join public_regulation r on r.id = c.regulation_id
        where $1::uuid is null or c.regulation_id = $1
        order by c.noted_at desc, c.id desc
        limit $2
        "#,
        regulation,
        limit
    )
    .fetch_all(pool)
    .await
}

/// A regulation in a list, with its next milestone.
#[derive(Debug, Clone)]
pub struct Listed {
    pub id: Uuid,
    pub slug: String,
    pub name: String,
    pub short_name: String,
    pub jurisdiction_slug: String,
    pub jurisdiction_name: String,
    pub legal_form: LegalForm,
    pub status: RegulationStatus,
    pub updated_at: OffsetDateTime,
    pub next_label: Option<String>,
    pub next_on: Option<Date>,
    pub next_precision: Option<Precision>,
}

impl Listed {
    pub fn next(&self) -> Option<(MilestoneDate, &str)> {
        Some((
            MilestoneDate::new(self.next_on?, self.next_precision?),
            self.next_label.as_deref()?,
        ))
    }
}

/// Which regulations a list shows.
#[derive(Debug, Clone, Copy, Default)]
pub struct Scope<'a> {
    pub jurisdiction: Option<Uuid>,
    /// Those whose tag is one of these (an article's).
    pub tags: Option<&'a [Uuid]>,
}

/// Public regulations by jurisdiction then name, each with its next milestone as of `today`.
pub async fn listed(
    pool: &PgPool,
    today: Date,
    scope: Scope<'_>,
) -> Result<Vec<Listed>, sqlx::Error> {
    sqlx::query_as!(
        Listed,
        r#"
        select r.id as "id!", r.slug as "slug!", r.name as "name!", r.short_name as "short_name!",
               j.slug as jurisdiction_slug, j.name as jurisdiction_name,
               r.legal_form as "legal_form!: LegalForm", r.status as "status!: RegulationStatus",
               r.updated_at as "updated_at!",
               n.label as "next_label?", n.on_date as "next_on?",
               n.precision as "next_precision?: Precision"
        from public_regulation r
        join jurisdiction j on j.id = r.jurisdiction_id
        left join lateral (
            select m.label, m.on_date, m.precision from regulation_milestone m
            where m.regulation_id = r.id and milestone_ends(m.on_date, m.precision) >= $1
            order by m.on_date, m.precision limit 1
        ) n on true
        where ($2::uuid is null or r.jurisdiction_id = $2)
          and ($3::uuid[] is null or r.tag_id = any($3))
        order by lower(j.name), lower(r.name)
        "#,
        today,
        scope.jurisdiction,
        scope.tags
    )
    .fetch_all(pool)
    .await
}

/// A jurisdiction's page.
#[derive(Debug, Clone)]
pub struct Place {
    pub id: Uuid,
    pub slug: String,
    pub name: String,
    pub tag_id: Option<Uuid>,
}

pub async fn jurisdiction(pool: &PgPool, slug: &Slug) -> Result<Option<Place>, sqlx::Error> {
    sqlx::query_as!(
        Place,
        "select id, slug, name, tag_id from jurisdiction where slug = $1",
        slug.as_str()
    )
    .fetch_optional(pool)
    .await
}

/// The newest public articles carrying one of these tags.
pub async fn articles_about(
    pool: &PgPool,
    tags: &[Uuid],
    limit: i64,
) -> Result<Vec<Summary>, sqlx::Error> {
    sqlx::query_as!(
        Summary,
        r#"
        select a.id as "id!", a.slug as "slug!", a.title as "title!", a.dek as "dek!",
               a.excerpt as "excerpt!", a.lang as "lang!: Lang", a.published_at as "published_at!",
               a.updated_at as "updated_at!", a.author_name as "author_name!",
               a.author_slug as "author_slug!", a.bylines as "bylines!: Json<Vec<Byline>>",
               a.tags as "tags!: Json<Vec<TagRef>>", a.featured_media_id
        from public_article a
        where exists (select 1 from article_tag x where x.article_id = a.id and x.tag_id = any($1))
        order by a.published_at desc, a.id desc
        limit $2
        "#,
        tags,
        limit
    )
    .fetch_all(pool)
    .await
}

/// The tags of a jurisdiction's page: its own and its public regulations'.
pub async fn jurisdiction_tags(pool: &PgPool, place: &Place) -> Result<Vec<Uuid>, sqlx::Error> {
    let mut tags = sqlx::query_scalar!(
        r#"select tag_id as "tag_id!" from public_regulation where jurisdiction_id = $1 and tag_id is not null"#,
        place.id
    )
    .fetch_all(pool)
    .await?;
    tags.extend(place.tag_id);
    Ok(tags)
}

/// A milestone in a calendar or a list of coming deadlines, with its regulation.
#[derive(Debug, Clone)]
pub struct Dated {
    pub id: Uuid,
    pub on_date: Date,
    pub precision: Precision,
    pub label: String,
    pub applies: String,
    pub source_url: String,
    pub updated_at: OffsetDateTime,
    pub moves: i64,
    pub regulation_slug: String,
    pub regulation_name: String,
    pub regulation_short_name: String,
    pub jurisdiction_name: String,
}

impl Dated {
    pub fn date(&self) -> MilestoneDate {
        MilestoneDate::new(self.on_date, self.precision)
    }
}

/// Milestones of public regulations in date order: of one regulation, of one jurisdiction or
/// of all, from `from` on (`None`: all of them), at most `limit`.
pub async fn dated(
    pool: &PgPool,
    regulation: Option<Uuid>,
    jurisdiction: Option<Uuid>,
    from: Option<Date>,
    limit: i64,
) -> Result<Vec<Dated>, sqlx::Error> {
    sqlx::query_as!(
        Dated,
        r#"
        select m.id, m.on_date, m.precision as "precision: Precision", m.label, m.applies,
               m.source_url, m.updated_at,
               (select count(*) from regulation_change c
                where c.milestone_id = m.id and c.kind = 'milestone_moved') as "moves!",
               r.slug as "regulation_slug!", r.name as "regulation_name!",
               r.short_name as "regulation_short_name!", j.name as jurisdiction_name
        from regulation_milestone m
        join public_regulation r on r.id = m.regulation_id
        join jurisdiction j on j.id = r.jurisdiction_id
        where ($1::uuid is null or r.id = $1) and ($2::uuid is null or r.jurisdiction_id = $2)
          and ($3::date is null or milestone_ends(m.on_date, m.precision) >= $3)
        order by m.on_date, m.precision, r.name, m.label
        limit $4
        "#,
        regulation,
        jurisdiction,
        from,
        limit
    )
    .fetch_all(pool)
    .await
}

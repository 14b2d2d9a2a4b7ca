//! A regulation's milestones, as the newsroom keeps them: each change of a public regulation's
//! dates is written to its history with the change, in the caller's transaction.

use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

use super::Milestone;
use super::desk::{Refused, Why};
use crate::domain::regulation::{Change, MilestoneDate, Precision, RegulationStatus};

/// Every milestone of a regulation, in date order.
pub async fn milestones(pool: &PgPool, regulation: Uuid) -> Result<Vec<Milestone>, sqlx::Error> {
    sqlx::query_as!(
        Milestone,
        r#"
        select m.id, m.regulation_id, m.on_date, m.precision as "precision: Precision", m.label,
               m.applies, m.source_url, m.updated_at,
               (select count(*) from regulation_change c
                where c.milestone_id = m.id and c.kind = 'milestone_moved') as "moves!"
        from regulation_milestone m where m.regulation_id = $1
        order by m.on_date, m.precision, m.label
        "#,
        regulation
    )
    .fetch_all(pool)
    .await
}

/// A milestone as the form sends it.
#[derive(Debug, Clone, Copy)]
pub struct MilestoneFields<'a> {
    pub date: MilestoneDate,
    pub label: &'a str,
    pub applies: &'a str,
    pub source_url: &'a str,
}

/// Whether the regulation is public (its changes are then history); `None` when it is gone.
async fn lock_regulation(conn: &mut PgConnection, id: Uuid) -> Result<Option<bool>, sqlx::Error> {
    sqlx::query_scalar!(
        r#"select published_at is not null as "published!" from regulation where id = $1 for update"#,
        id
    )
    .fetch_optional(&mut *conn)
    .await
}

pub async fn add_milestone(
    conn: &mut PgConnection,
    regulation: Uuid,
    fields: &MilestoneFields<'_>,
    why: Why<'_>,
) -> Result<Result<Uuid, Refused>, sqlx::Error> {
    let Some(published) = lock_regulation(conn, regulation).await? else {
        return Ok(Err(Refused::NotFound));
    };
    let id = sqlx::query_scalar!(
        r#"
        insert into regulation_milestone (regulation_id, on_date, precision, label, applies, source_url)
        values ($1, $2, $3, $4, $5, $6) returning id
        "#,
        regulation,
        fields.date.on(),
        fields.date.precision().as_str(),
        fields.label,
        fields.applies,
        fields.source_url
    )
    .fetch_one(&mut *conn)
    .await?;
    if published {
        let change = Change::Added {
            label: fields.label.to_owned(),
            to: fields.date,
        };
        let why = Why {
            source_url: fields.source_url,
            ..why
        };
        write_history(conn, regulation, Some(id), &change, why).await?;
    }
    Ok(Ok(id))
}

/// Saves a milestone; a published regulation's milestone whose date moves gets that in the
/// history, with the milestone's (new) source.
pub async fn update_milestone(
    conn: &mut PgConnection,
    regulation: Uuid,
    id: Uuid,
    fields: &MilestoneFields<'_>,
    why: Why<'_>,
) -> Result<Result<(), Refused>, sqlx::Error> {
    let Some(published) = lock_regulation(conn, regulation).await? else {
        return Ok(Err(Refused::NotFound));
    };
    let Some(before) = sqlx::query!(
        r#"
        select on_date, precision as "precision: Precision" from regulation_milestone
        where id = $1 and regulation_id = $2 for update
        "#,
        id,
        regulation
    )
    .fetch_optional(&mut *conn)
    .await?
    else {
        return Ok(Err(Refused::NotFound));
    };
    sqlx::query!(
        r#"
        update regulation_milestone set on_date = $2, precision = $3, label = $4, applies = $5,
               source_url = $6
        where id = $1
        "#,
        id,
        fields.date.on(),
        fields.date.precision().as_str(),
        fields.label,
        fields.applies,
        fields.source_url
    )
    .execute(&mut *conn)
    .await?;
    let from = MilestoneDate::new(before.on_date, before.precision);
    if published && from != fields.date {
        let change = Change::Moved {
            label: fields.label.to_owned(),
            from,
            to: fields.date,
        };
        let why = Why {
            source_url: fields.source_url,
            ..why
        };
        write_history(conn, regulation, Some(id), &change, why).await?;
    }
    Ok(Ok(()))
}

/// Removes a milestone; a published regulation keeps that in its history.
pub async fn delete_milestone(
    conn: &mut PgConnection,
    regulation: Uuid,
    id: Uuid,
    why: Why<'_>,
) -> Result<Result<String, Refused>, sqlx::Error> {
    let Some(published) = lock_regulation(conn, regulation).await? else {
        return Ok(Err(Refused::NotFound));
    };
    let Some(gone) = sqlx::query!(
        r#"
        delete from regulation_milestone where id = $1 and regulation_id = $2
        returning label, on_date, precision as "precision: Precision"
        "#,
        id,
        regulation
    )
    .fetch_optional(&mut *conn)
    .await?
    else {
        return Ok(Err(Refused::NotFound));
    };
    if published {
        let change = Change::Removed {
            label: gone.label.clone(),
            from: MilestoneDate::new(gone.on_date, gone.precision),
        };
        write_history(conn, regulation, Some(id), &change, why).await?;
    }
    Ok(Ok(gone.label))
}

/// Writes one entry of a public regulation's history (`milestone`: the one it is about).
pub(super) async fn write_history(
    conn: &mut PgConnection,
    regulation: Uuid,
    milestone: Option<Uuid>,
    change: &Change,
    why: Why<'_>,
) -> Result<(), sqlx::Error> {
    let date = |d: &MilestoneDate| (Some(d.on()), Some(d.precision().as_str()));
    let (kind, label, from, to, statuses) = match change {
        Change::Status { from, to } => (
            "status",
            "",
            (None, None),
            (None, None),
            (from.map(RegulationStatus::as_str), Some(to.as_str())),
        ),
        Change::Added { label, to } => (
            "milestone_added",
            label.as_str(),
            (None, None),
            date(to),
            (None, None),
        ),
        Change::Moved { label, from, to } => (
            "milestone_moved",
            label.as_str(),
            date(from),
            date(to),
            (None, None),
        ),
        Change::Removed { label, from } => (
            "milestone_removed",
            label.as_str(),
            date(from),
            (None, None),
            (None, None),
        ),
    };
    sqlx::query!(
        r#"
        insert into regulation_change (regulation_id, milestone_id, kind, label, from_date,
                                       from_precision, to_date, to_precision, from_status,
                                       to_status, note, source_url, actor_id, noted_at)
        values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, coalesce($14, now()))
        "#,
        regulation,
        milestone,
        kind,
        label,
        from.0,
        from.1,
        to.0,
        to.1,
        statuses.0,
        statuses.1,
        why.note,
        why.source_url,
        why.actor,
        why.at
    )
    .execute(conn)
    .await?;
    Ok(())
}

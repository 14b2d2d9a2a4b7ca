//! Moving an article through its life: submit, send back, publish (now or at a time: the one
//! way anything is published), unpublish, withdraw, archive. Whether the move is allowed is
//! decided before, by `domain::transition` and the user's permissions; here it is applied only
//! to the status and version the decision was made on, with its audit event.

use serde_json::json;
use sqlx::PgConnection;
use time::format_description::well_known::Rfc3339;
use time::{OffsetDateTime, PrimitiveDateTime};
use uuid::Uuid;

use crate::domain::{Action, ArticleStatus, AuditAction};
use crate::store::audit;

/// When to publish.
#[derive(Debug, Clone, Copy)]
pub enum When<'a> {
    /// Now, or at its earlier publication date if it has one (republishing keeps the date).
    Now,
    /// At this instant (a future one schedules it).
    At(OffsetDateTime),
    /// At a wall-clock time in the named time zone (a future one schedules it).
    Local(PrimitiveDateTime, &'a str),
}

/// A change of status.
#[derive(Debug, Clone, Copy)]
pub enum Step<'a> {
    /// To the editors, for review.
    Submit,
    /// Back from review to its author's draft, by the author.
    Retract,
    /// Back to its author: with the reviewer's note, or keeping the one it has.
    SendBack(Option<&'a str>),
    Publish(When<'a>),
    /// Off the site, back to draft: its address answers "not found".
    Unpublish,
    /// Off the site, back to draft, its address saying it was withdrawn (410), with the
    /// reason given (may be empty).
    Withdraw(&'a str),
    /// Readable at its address with a notice, in no list.
    Archive,
}

impl<'a> Step<'a> {
    /// The note an editor sends back with the article, if any.
    pub fn note(&self) -> Option<&'a str> {
        match self {
            Step::SendBack(note) => *note,
            _ => None,
        }
    }

    pub fn action(&self) -> Action {
        match self {
            Step::Submit => Action::Submit,
            Step::Retract => Action::Retract,
            Step::SendBack(_) => Action::RequestChanges,
            Step::Publish(_) => Action::Publish,
            Step::Unpublish | Step::Withdraw(_) => Action::Unpublish,
            Step::Archive => Action::Archive,
        }
    }

    /// Its name in the audit log and in the editor's notices (`?status=`).
    pub fn name(&self) -> &'static str {
        match self {
            Step::Withdraw(_) => "withdraw",
            other => other.action().as_str(),
        }
    }
}

/// What became of a change asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[must_use]
pub enum Changed {
    Done,
    /// The article was no longer at the status and version the decision was made on.
    Stale,
    /// Under embargo until then: not published (nor scheduled) before that time.
    Embargoed(OffsetDateTime),
}

impl Changed {
    pub fn done(self) -> bool {
        self == Changed::Done
    }
}

/// Applies `step` to article `id` done by `actor` (none: the system itself), if it is still at
/// `seen` (status and version): a concurrent change wins, and this one is refused rather than
/// applied to something nobody looked at. A publication (now or at a time) before the
/// article's embargo ends is refused: the row is locked while that is checked, so an embargo
/// set meanwhile is seen.
pub async fn change(
    conn: &mut PgConnection,
    id: Uuid,
    seen: (ArticleStatus, i32),
    step: Step<'_>,
    actor: Option<Uuid>,
) -> Result<Changed, sqlx::Error> {
    let to = step.action().target();
    let (at, local, zone) = match step {
        Step::Publish(When::At(at)) => (Some(at), None, None),
        Step::Publish(When::Local(local, zone)) => (None, Some(local), Some(zone)),
        _ => (None, None, None),
    };
    if let Step::Publish(_) = step {
        // The row is locked whatever its embargo: one set meanwhile waits for this change, or
        // this change sees it.
        let row = sqlx::query!(
            r#"
            select embargo_until,
                   coalesce($2::timestamptz, $3::timestamp at time zone $4, now()) as "target!"
            from article where id = $1
            for update
            "#,
            id,
            at,
            local,
            zone
        )
        .fetch_optional(&mut *conn)
        .await?;
        if let Some(until) = row.and_then(|r| r.embargo_until.filter(|until| *until > r.target)) {
            return Ok(Changed::Embargoed(until));
        }
    }
    let note = match step {
        Step::SendBack(note) => note,
        _ => None,
    };
    let reason = match step {
        Step::Withdraw(reason) => Some(reason.trim()),
        _ => None,
    };
    let changed = sqlx::query!(
        r#"
        update article
        set status = $2,
            -- Taken out of "published" before its time came (a scheduling cancelled): it was
            -- never public, so it has no publication date to keep.
            published_at = case when $2 <> 'published' and status = 'published' and published_at > now() then null
                                when $2 <> 'published' then published_at
                                when $6::timestamptz is not null then $6
                                when $7::timestamp is not null then $7::timestamp at time zone $8
                                -- Publishing again keeps the first date; a missing or future one
                                -- becomes now, and so does one before an embargo since set.
                                when published_at is null or published_at > now()
                                     or published_at < embargo_until then now()
                                else published_at end,
            published_version = case when $2 = 'published' then version else published_version end,
            -- Withdrawn (410) only what readers saw; publishing again lifts it.
            withdrawn = case when $2 = 'published' then false
                             when $9 and article_is_public(status, published_at) then true
                             else withdrawn end,
            withdrawn_reason = case when $2 = 'published' then ''
                                    when $9 and article_is_public(status, published_at) then $11
                                    else withdrawn_reason end,
            review_note = case when $2 = 'published' then '' else coalesce($10, review_note) end,
            version = version + 1, last_editor_id = coalesce($5, last_editor_id)
        where id = $1 and status = $3 and version = $4
        returning published_at, coalesce(published_at > now(), false) as "scheduled!"
        "#,
        id,
        to.as_str(),
        seen.0.as_str(),
        seen.1,
        actor,
        at,
        local,
        zone,
        matches!(step, Step::Withdraw(_)),
        note,
        reason.unwrap_or_default()
    )
    .fetch_optional(&mut *conn)
    .await?;
    let Some(changed) = changed else {
        return Ok(Changed::Stale);
    };
    let (action, details) = match step {
        Step::Publish(_) => {
            let at = changed.published_at.and_then(|at| at.format(&Rfc3339).ok());
            let action = if changed.scheduled {
                AuditAction::ArticleSchedule
            } else {
                AuditAction::ArticlePublish
            };
            (action, json!({ "status": to.as_str(), "published_at": at }))
        }
        Step::SendBack(note) => (
            AuditAction::ArticleRequestChanges,
            json!({ "status": to.as_str(), "note": note }),
        ),
        Step::Submit => (AuditAction::ArticleSubmit, json!({ "status": to.as_str() })),
        Step::Retract => (
            AuditAction::ArticleRetract,
            json!({ "status": to.as_str() }),
        ),
        Step::Unpublish => (
            AuditAction::ArticleUnpublish,
            json!({ "status": to.as_str() }),
        ),
        Step::Withdraw(reason) => (
            AuditAction::ArticleWithdraw,
            json!({ "status": to.as_str(), "reason": reason.trim() }),
        ),
        Step::Archive => (
            AuditAction::ArticleArchive,
            json!({ "status": to.as_str() }),
        ),
    };
    audit::record(conn, actor, action, &id.to_string(), details).await?;
    Ok(Changed::Done)
}

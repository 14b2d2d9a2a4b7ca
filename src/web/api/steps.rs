//! The write API's steps in an article's life, `POST /api/v1/articles/{article}/submit`,
//! `/publish`, `/schedule`, `/unpublish`, and its corrections: the editor's buttons, checked
//! against the same transition table and permissions, within the token's scopes.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde::Deserialize;
use time::OffsetDateTime;
use utoipa::ToSchema;

use super::ApiError;
use super::bearer::Caller;
use super::request::{answered, field, if_match, json_body};
use super::wire::ErrorBody;
use super::write::{DeskArticle, desk_article, stale, visible};
use crate::domain::{Permission, Standing, transition};
use crate::store::articles::status::{self, Changed, Step, When};
use crate::store::review;
use crate::web::AppState;

/// When to publish a scheduled article.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ScheduleInput {
    /// An instant to come, RFC 3339 (`2026-12-24T07:00:00+01:00`).
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
}

/// Taking a published article off the site.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct UnpublishInput {
    /// Withdrawn: its address tells readers it was taken down (410), with this reason.
    pub withdraw: bool,
    /// Why, shown to readers when withdrawn (up to 2,000 characters).
    pub reason: String,
}

/// A correction to a published article.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CorrectionInput {
    /// What was wrong and what is right now (up to 2,000 characters), shown to readers.
    pub text: String,
}

macro_rules! status_route {
    ($name:ident, $path:literal, $scope:literal, $doc:literal, $input:ty, $op:expr) => {
        #[doc = $doc]
        #[utoipa::path(
            post,
            path = $path,
            tag = "write",
            request_body(content = Option<$input>),
            params(
                ("article" = String, Path, description = "The article's id (or its current slug)"),
                ("If-Match" = Option<String>, Header, description = "The version the decision was made on (the article's ETag, `\"7\"`); required to publish or schedule"),
            ),
            security(("token" = [$scope])),
            responses(
                (status = 200, description = "Done", body = DeskArticle),
                (status = 401, description = "No token, or one that opens nothing", body = ErrorBody, content_type = "application/problem+json"),
                (status = 403, description = "The token, or its owner's role, may not do this", body = ErrorBody, content_type = "application/problem+json"),
                (status = 404, description = "No such article (or not one its owner may see)", body = ErrorBody, content_type = "application/problem+json"),
                (status = 409, description = "Not possible from where the article is", body = ErrorBody, content_type = "application/problem+json"),
                (status = 412, description = "It changed since that version", body = ErrorBody, content_type = "application/problem+json"),
                (status = 422, description = "A time past, or a reason too long", body = ErrorBody, content_type = "application/problem+json"),
                (status = 428, description = "Publishing or scheduling without If-Match", body = ErrorBody, content_type = "application/problem+json"),
            )
        )]
        pub async fn $name(
            State(state): State<AppState>,
            caller: Caller,
            Path(key): Path<String>,
            headers: HeaderMap,
            body: Bytes,
        ) -> Result<Response, ApiError> {
            let input: Option<$input> = if body.iter().all(u8::is_ascii_whitespace) {
                None
            } else {
                Some(json_body(&headers, &body)?)
            };
            #[allow(clippy::redundant_closure_call)]
            let op: Op = ($op)(input)?;
            change_status(&state, &caller, &key, &headers, op).await
        }
    };
}

/// What a status route asks.
enum Op {
    Submit,
    Publish,
    Schedule(OffsetDateTime),
    Unpublish,
    Withdraw(String),
}

/// Nothing to say with a step.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NoInput {}

status_route!(
    submit,
    "/api/v1/articles/{article}/submit",
    "articles:write",
    "Sends a draft to the editors for review.",
    NoInput,
    |_: Option<NoInput>| Ok::<_, ApiError>(Op::Submit)
);
status_route!(
    publish,
    "/api/v1/articles/{article}/publish",
    "articles:publish",
    "Publishes now (an article published before keeps its first date).",
    NoInput,
    |_: Option<NoInput>| Ok::<_, ApiError>(Op::Publish)
);
status_route!(
    schedule,
    "/api/v1/articles/{article}/schedule",
    "articles:publish",
    "Schedules an article not yet public for a time to come.",
    ScheduleInput,
    |input: Option<ScheduleInput>| match input {
        Some(input) => Ok(Op::Schedule(input.at)),
        None => Err(field(
            "at",
            "Say when to publish: an RFC 3339 time to come."
        )),
    }
);
status_route!(
    unpublish,
    "/api/v1/articles/{article}/unpublish",
    "articles:publish",
    "Takes a published article off the site, back to draft: its address answers 404, or 410 \
     with the reason when withdrawn.",
    UnpublishInput,
    |input: Option<UnpublishInput>| {
        let input = input.unwrap_or_default();
        if input.reason.chars().count() > 2000 || input.reason.contains('\0') {
            return Err(field("reason", "The reason is up to 2,000 characters."));
        }
        Ok(if input.withdraw {
            Op::Withdraw(input.reason)
        } else {
            Op::Unpublish
        })
    }
);

async fn change_status(
    state: &AppState,
    caller: &Caller,
    key: &str,
    headers: &HeaderMap,
    op: Op,
) -> Result<Response, ApiError> {
    let article = visible(state, caller, key).await?;
    // Publishing names what was read: what someone saved a second before is not published
    // unseen.
    let named = if_match(headers)?.flatten();
    if named.is_none() && matches!(op, Op::Publish | Op::Schedule(_)) {
        return Err(ApiError::PreconditionRequired(
            "Name the version you decided on in If-Match (the article's ETag, e.g. \"7\").",
        ));
    }
    let version = named.unwrap_or(article.version);
    if version != article.version {
        return Err(stale(article.version));
    }
    let live = matches!(
        crate::web::editor::standing_of(&article),
        Standing::Published | Standing::Archived
    );
    let step = match &op {
        Op::Submit => Step::Submit,
        Op::Publish => Step::Publish(When::Now),
        Op::Schedule(_) if live => {
            return Err(ApiError::Conflict(
                "This article is public: unpublish it first to publish it at another time."
                    .to_owned(),
            ));
        }
        Op::Schedule(at) if *at <= OffsetDateTime::now_utc() => {
            return Err(field(
                "at",
                "This time is past: choose one to come, or publish now.",
            ));
        }
        Op::Schedule(at) => Step::Publish(When::At(*at)),
        Op::Unpublish => Step::Unpublish,
        Op::Withdraw(reason) => Step::Withdraw(reason),
    };
    let own = article.is_by(caller.user_id);
    let (from, action) = (article.status, step.action());
    if let Err(crate::domain::TransitionError::NotFrom(from)) =
        transition(from, action, caller.role)
    {
        return Err(ApiError::Conflict(format!(
            "This is not possible for an article that is {from}."
        )));
    }
    if !caller.may(Permission::ChangeStatus { own, from, action }) {
        return Err(ApiError::Forbidden(
            "Its owner's role may not do this to this article.",
        ));
    }
    let mut tx = state.pool.begin().await?;
    caller.sign(&mut tx).await?;
    match status::change(
        &mut tx,
        article.id,
        (from, version),
        step,
        Some(caller.user_id),
    )
    .await?
    {
        Changed::Done => {}
        Changed::Stale => {
            drop(tx);
            let current = visible(state, caller, key).await?;
            return Err(stale(current.version));
        }
        Changed::Embargoed(until) => {
            return Err(ApiError::Conflict(format!(
                "This article is under embargo until {}: it cannot come out before. Schedule it \
                 for that time or later, or have an editor lift the embargo.",
                until
                    .format(&time::format_description::well_known::Rfc3339)
                    .unwrap_or_default()
            )));
        }
    }
    state
        .review_notice(&mut tx, article.id, action, caller.user_id, step.note())
        .await?;
    let article = desk_article(state, &mut tx, article.id).await?;
    tx.commit().await?;
    let answer = serde_json::to_value(&article).unwrap_or_default();
    Ok(answered(StatusCode::OK, article.version, None, &answer))
}

/// Adds a correction to a published article: dated, public, never edited or removed.
#[utoipa::path(
    post,
    path = "/api/v1/articles/{article}/corrections",
    tag = "write",
    request_body = CorrectionInput,
    params(("article" = String, Path, description = "The article's id (or its current slug)")),
    security(("token" = ["articles:publish"])),
    responses(
        (status = 201, description = "Added; the article with its corrections", body = DeskArticle),
        (status = 401, description = "No token, or one that opens nothing", body = ErrorBody, content_type = "application/problem+json"),
        (status = 403, description = "The token lacks the scope, or its owner is not an editor", body = ErrorBody, content_type = "application/problem+json"),
        (status = 404, description = "No such article (or not one its owner may see)", body = ErrorBody, content_type = "application/problem+json"),
        (status = 409, description = "The article is not published", body = ErrorBody, content_type = "application/problem+json"),
        (status = 422, description = "No text, or too long", body = ErrorBody, content_type = "application/problem+json"),
    )
)]
pub async fn add_correction(
    State(state): State<AppState>,
    caller: Caller,
    Path(key): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let input: CorrectionInput = json_body(&headers, &body)?;
    let article = visible(&state, &caller, &key).await?;
    if !caller.may(Permission::AddCorrection) {
        return Err(ApiError::Forbidden(
            "Only editors and admins add corrections.",
        ));
    }
    if crate::web::editor::standing_of(&article) != Standing::Published {
        return Err(ApiError::Conflict(
            "Only a published article gets corrections.".to_owned(),
        ));
    }
    let text = input.text.trim();
    if text.is_empty() || text.chars().count() > 2000 || text.contains('\0') {
        return Err(field(
            "text",
            "Write the correction (up to 2,000 characters).",
        ));
    }
    let mut tx = state.pool.begin().await?;
    caller.sign(&mut tx).await?;
    review::add_correction(&mut tx, article.id, text, caller.user_id).await?;
    let article = desk_article(&state, &mut tx, article.id).await?;
    tx.commit().await?;
    let answer = serde_json::to_value(&article).unwrap_or_default();
    Ok(answered(
        StatusCode::CREATED,
        article.version,
        None,
        &answer,
    ))
}

//! The rest of the write API: images into the library (`media:write`) and webhooks
//! (`webhooks:manage`, admins), with the same checks and audit as their pages.

use std::collections::BTreeMap;

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::ApiError;
use super::bearer::Caller;
use super::wire::ErrorBody;
use crate::domain::AuditAction;
use crate::domain::webhook;
use crate::store::{audit, webhooks};
use crate::web::AppState;
use crate::web::editor::{MediaDetails, UploadFailed, keep_upload, record_new_image};

/// What goes with an image sent as the request's body.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(default)]
#[into_params(parameter_in = Query)]
pub struct MediaParams {
    /// The text alternative, for readers who do not see the image (required to place it).
    pub alt: String,
    pub caption: String,
    pub credit: String,
}

/// An image just added to the library.
#[derive(Debug, Serialize, ToSchema)]
pub struct NewImage {
    pub id: Uuid,
    /// What to put in an article's body to place it.
    pub markdown: String,
    pub width: u32,
    pub height: u32,
    /// `processing` until its renditions are made.
    pub state: String,
}

/// Adds an image to the library: the file is the request's body (JPEG, PNG, WebP or GIF, as
/// its bytes say, not its name), its words in the query.
#[utoipa::path(
    post,
    path = "/api/v1/media",
    tag = "write",
    params(MediaParams),
    request_body(content = Vec<u8>, content_type = "image/jpeg", description = "The image's bytes"),
    security(("token" = ["media:write"])),
    responses(
        (status = 201, description = "Added; its renditions are being made", body = NewImage),
        (status = 401, description = "No token, or one that opens nothing", body = ErrorBody, content_type = "application/problem+json"),
        (status = 403, description = "The token lacks `media:write`", body = ErrorBody, content_type = "application/problem+json"),
        (status = 422, description = "Not an image Vigie takes, or words too long", body = ErrorBody, content_type = "application/problem+json"),
    )
)]
pub async fn add_image(
    State(state): State<AppState>,
    caller: Caller,
    Query(params): Query<MediaParams>,
    body: Bytes,
) -> Result<Response, ApiError> {
    let details = MediaDetails {
        alt: params.alt,
        caption: params.caption,
        credit: params.credit,
    };
    if let Some(problem) = details.problem() {
        return Err(refused(&problem));
    }
    let kept = match keep_upload(&state, body).await {
        Ok(kept) => kept,
        Err(UploadFailed::Refused(refusal)) => {
            return Err(refused(&refusal.message(state.config.lang)));
        }
        Err(UploadFailed::App(crate::web::AppError::Database(e))) => return Err(e.into()),
        Err(UploadFailed::App(_)) => return Err(ApiError::Busy),
    };
    let id = Uuid::new_v4();
    let mut tx = state.pool.begin().await?;
    caller.sign(&mut tx).await?;
    record_new_image(&mut tx, id, &kept, &details, caller.user_id).await?;
    tx.commit().await?;
    state.job_added();
    let image = NewImage {
        id,
        markdown: crate::domain::markdown::image(details.alt.trim(), id),
        width: kept.inspected.width,
        height: kept.inspected.height,
        state: "processing".to_owned(),
    };
    Ok((StatusCode::CREATED, axum::Json(image)).into_response())
}

fn refused(message: &str) -> ApiError {
    ApiError::Unprocessable(
        message.to_owned(),
        BTreeMap::from([("file".to_owned(), message.to_owned())]),
    )
}

/// A webhook endpoint as the API shows it (its secret only when it is made).
#[derive(Debug, Serialize, ToSchema)]
pub struct ApiWebhook {
    pub id: Uuid,
    pub url: String,
    pub description: String,
    pub events: Vec<String>,
    pub enabled: bool,
    /// Why it was turned off, if it was.
    pub disabled_reason: String,
    /// Deliveries the receiver has not accepted yet.
    pub waiting: i64,
    /// `whsec_…`, to check signatures with: given once, when the endpoint is made.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub secret: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct WebhookList {
    pub webhooks: Vec<ApiWebhook>,
}

/// A webhook to subscribe.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WebhookInput {
    /// `https://` on a public address.
    pub url: String,
    #[serde(default)]
    pub description: String,
    /// Any of `article.published`, `article.updated`, `article.unpublished`,
    /// `article.withdrawn`, `article.deleted`, `article.scheduled`, `article.submitted`,
    /// `correction.added`, `tag.changed`.
    pub events: Vec<String>,
}

fn api_webhook(e: webhooks::Endpoint, secret: bool) -> ApiWebhook {
    ApiWebhook {
        secret: secret.then_some(e.secret),
        id: e.id,
        url: e.url,
        description: e.description,
        events: e.events,
        enabled: e.enabled,
        disabled_reason: e.disabled_reason,
        waiting: e.waiting,
    }
}

/// The newsroom's webhook endpoints.
#[utoipa::path(
    get,
    path = "/api/v1/webhooks",
    tag = "write",
    security(("token" = ["webhooks:manage"])),
    responses(
        (status = 200, description = "The endpoints", body = WebhookList),
        (status = 401, description = "No token, or one that opens nothing", body = ErrorBody, content_type = "application/problem+json"),
        (status = 403, description = "The token lacks `webhooks:manage`", body = ErrorBody, content_type = "application/problem+json"),
    )
)]
pub async fn list_webhooks(
    State(state): State<AppState>,
    _caller: Caller,
) -> Result<axum::Json<WebhookList>, ApiError> {
    let webhooks = webhooks::list(&state.pool)
        .await?
        .into_iter()
        .map(|e| api_webhook(e, false))
        .collect();
    Ok(axum::Json(WebhookList { webhooks }))
}

/// Subscribes a URL to events; the answer holds its signing secret, this once.
#[utoipa::path(
    post,
    path = "/api/v1/webhooks",
    tag = "write",
    request_body = WebhookInput,
    security(("token" = ["webhooks:manage"])),
    responses(
        (status = 201, description = "Subscribed", body = ApiWebhook),
        (status = 401, description = "No token, or one that opens nothing", body = ErrorBody, content_type = "application/problem+json"),
        (status = 403, description = "The token lacks `webhooks:manage`", body = ErrorBody, content_type = "application/problem+json"),
        (status = 422, description = "An address or event Vigie does not take", body = ErrorBody, content_type = "application/problem+json"),
    )
)]
pub async fn create_webhook(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if !json {
        return Err(ApiError::UnsupportedMediaType(
            "Send JSON, with Content-Type: application/json.",
        ));
    }
    let mut input: WebhookInput = serde_json::from_slice(&body)
        .map_err(|e| ApiError::Malformed(format!("The body is not a webhook: {e}.")))?;
    input.events.sort();
    input.events.dedup();
    let mut errors = BTreeMap::new();
    if let Some(problem) = webhook::url_problem(&input.url, state.config.webhook_allow_private) {
        errors.insert("url".to_owned(), problem.to_owned());
    }
    if input.events.is_empty() || !input.events.iter().all(|e| webhook::is_event(e)) {
        errors.insert(
            "events".to_owned(),
            "Name at least one event, each one Vigie sends.".to_owned(),
        );
    }
    if input.description.chars().count() > 200 || input.description.contains('\0') {
        errors.insert("description".to_owned(), "Up to 200 characters.".to_owned());
    }
    if !errors.is_empty() {
        return Err(ApiError::Unprocessable(
            "Some fields cannot be accepted.".to_owned(),
            errors,
        ));
    }
    let secret = webhook::new_secret().ok_or(ApiError::Busy)?;
    let url = input.url.trim();
    let mut tx = state.pool.begin().await?;
    caller.sign(&mut tx).await?;
    let id = webhooks::create(
        &mut tx,
        url,
        input.description.trim(),
        &input.events,
        &secret,
        caller.user_id,
    )
    .await?;
    audit::record(
        &mut tx,
        Some(caller.user_id),
        AuditAction::WebhookCreate,
        &id.to_string(),
        json!({ "url": url, "events": input.events }),
    )
    .await?;
    tx.commit().await?;
    let made = webhooks::find(&state.pool, id)
        .await?
        .ok_or(ApiError::NotFound("This webhook was removed meanwhile."))?;
    Ok((StatusCode::CREATED, axum::Json(api_webhook(made, true))).into_response())
}

/// Removes an endpoint with its waiting deliveries.
#[utoipa::path(
    delete,
    path = "/api/v1/webhooks/{id}",
    tag = "write",
    params(("id" = Uuid, Path, description = "The endpoint's id")),
    security(("token" = ["webhooks:manage"])),
    responses(
        (status = 204, description = "Removed"),
        (status = 401, description = "No token, or one that opens nothing", body = ErrorBody, content_type = "application/problem+json"),
        (status = 403, description = "The token lacks `webhooks:manage`", body = ErrorBody, content_type = "application/problem+json"),
        (status = 404, description = "No such endpoint", body = ErrorBody, content_type = "application/problem+json"),
    )
)]
pub async fn delete_webhook(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let missing = ApiError::NotFound("No webhook has this id.");
    let id = Uuid::parse_str(&id).map_err(|_| missing)?;
    let mut tx = state.pool.begin().await?;
    caller.sign(&mut tx).await?;
    let Some(url) = webhooks::delete(&mut tx, id).await? else {
        return Err(ApiError::NotFound("No webhook has this id."));
    };
    audit::record(
        &mut tx,
        Some(caller.user_id),
        AuditAction::WebhookDelete,
        &id.to_string(),
        json!({ "url": url }),
    )
    .await?;
    tx.commit().await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

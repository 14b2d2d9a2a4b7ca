//! `/admin/webhooks`: the endpoints the newsroom's content is pushed to, for admins. Subscribe a
//! URL to events, see each endpoint's deliveries (status, time, the start of the receiver's
//! answer), send one again or send a test event, renew the signing secret, turn an endpoint off
//! and on (its waiting deliveries then go out in order), remove it. An endpoint Vigie turned
//! off (failing for days, or told 410 Gone) says so at the top of the page.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use serde_json::json;
use uuid::Uuid;

use crate::domain::AuditAction;
use crate::domain::webhook::{self, EVENTS};
use crate::store::{audit, webhooks};
use crate::web::auth::{CurrentUser, SignedForm};
use crate::web::error::PathId;
use crate::web::{AppError, AppState, Page};

/// How long a renewed secret's predecessor keeps signing.
const GRACE_HOURS: i32 = 24;

/// An endpoint as the pages show it.
pub struct Shown {
    pub id: Uuid,
    pub url: String,
    pub description: String,
    pub events: Vec<String>,
    pub enabled: bool,
    pub disabled: String,
    pub failing_since: Option<String>,
    pub waiting: i64,
    pub last: String,
    pub secret: String,
    pub rotating_until: Option<String>,
}

fn shown(state: &AppState, e: webhooks::Endpoint) -> Shown {
    Shown {
        disabled: match e.disabled_at {
            Some(at) => format!(
                "désactivé le {}{}",
                state.moment_text(at),
                if e.disabled_reason.is_empty() {
                    String::new()
                } else {
                    format!(" : {}", e.disabled_reason)
                }
            ),
            None => String::new(),
        },
        failing_since: e.failing_since.map(|at| state.moment_text(at)),
        last: match (e.last_status, e.last_attempt_at) {
            (Some(status), Some(at)) => format!("{status}, le {}", state.moment_text(at)),
            (None, Some(at)) => format!("sans réponse, le {}", state.moment_text(at)),
            _ => "aucune livraison".to_owned(),
        },
        rotating_until: e
            .previous_secret_until
            .filter(|until| *until > time::OffsetDateTime::now_utc())
            .map(|until| state.moment_text(until)),
        id: e.id,
        url: e.url,
        description: e.description,
        events: e.events,
        enabled: e.enabled,
        waiting: e.waiting,
        secret: e.secret,
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct EndpointForm {
    pub url: String,
    pub description: String,
    pub events: Vec<String>,
}

#[derive(Template, WebTemplate)]
#[template(path = "admin/webhooks.html")]
pub struct ListPage {
    page: Page,
    user: CurrentUser,
    endpoints: Vec<Shown>,
    events: &'static [(&'static str, &'static str)],
    form: EndpointForm,
    error: Option<&'static str>,
    allow_private: bool,
}

impl ListPage {
    fn chosen(&self, event: &str) -> bool {
        self.form.events.iter().any(|e| e == event)
    }
}

async fn list_page(
    state: &AppState,
    user: CurrentUser,
    form: EndpointForm,
    error: Option<&'static str>,
) -> Result<ListPage, AppError> {
    let endpoints = webhooks::list(&state.pool)
        .await?
        .into_iter()
        .map(|e| shown(state, e))
        .collect();
    Ok(ListPage {
        page: state.page_for(&user, "Webhooks — Vigie".to_owned()),
        user,
        endpoints,
        events: EVENTS,
        form,
        error,
        allow_private: state.config.webhook_allow_private,
    })
}

/// `GET /admin/webhooks`
pub async fn list(State(state): State<AppState>, user: CurrentUser) -> Result<ListPage, AppError> {
    list_page(&state, user, EndpointForm::default(), None).await
}

/// What is wrong with the form, if anything.
fn check(state: &AppState, form: &EndpointForm) -> Option<&'static str> {
    if let Some(problem) = webhook::url_problem(&form.url, state.config.webhook_allow_private) {
        return Some(problem);
    }
    if form.description.chars().count() > 200 || form.description.contains('\0') {
        return Some("La description compte 200 caractères au plus.");
    }
    if form.events.is_empty() || !form.events.iter().all(|e| webhook::is_event(e)) {
        return Some("Cochez au moins un événement.");
    }
    None
}

/// `POST /admin/webhooks`: subscribes a URL.
pub async fn create(
    State(state): State<AppState>,
    signed: SignedForm<EndpointForm>,
) -> Result<Response, AppError> {
    let SignedForm { user, mut form } = signed;
    form.events.dedup();
    if let Some(error) = check(&state, &form) {
        let page = list_page(&state, user, form, Some(error)).await?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    }
    let secret = webhook::new_secret().ok_or(AppError::Busy)?;
    let url = form.url.trim();
    let mut tx = state.pool.begin().await?;
    let id = webhooks::create(
        &mut tx,
        url,
        form.description.trim(),
        &form.events,
        &secret,
        user.id,
    )
    .await?;
    audit::record(
        &mut tx,
        Some(user.id),
        AuditAction::WebhookCreate,
        &id.to_string(),
        json!({ "url": url, "events": form.events }),
    )
    .await?;
    tx.commit().await?;
    Ok(Redirect::to(&format!("/admin/webhooks/{id}?created=1")).into_response())
}

#[derive(Template, WebTemplate)]
#[template(path = "admin/webhook.html")]
pub struct EndpointPage {
    page: Page,
    user: CurrentUser,
    endpoint: Shown,
    events: &'static [(&'static str, &'static str)],
    form: EndpointForm,
    error: Option<&'static str>,
    notice: Option<&'static str>,
    deliveries: Vec<Line>,
    /// The secret is shown only after a recent sign-in or confirmation, like what changes
    /// accounts: an open session left behind must not hand it out.
    reveal: bool,
}

impl EndpointPage {
    fn chosen(&self, event: &str) -> bool {
        self.form.events.iter().any(|e| e == event)
    }
}

/// One line of the delivery log.
pub struct Line {
    pub id: i64,
    pub event: String,
    pub about: String,
    pub due: String,
    pub state: String,
    pub delivered: bool,
    pub attempts: i32,
    pub answer: String,
}

async fn endpoint_page(
    state: &AppState,
    user: CurrentUser,
    id: Uuid,
    form: Option<EndpointForm>,
    error: Option<&'static str>,
    notice: Option<&'static str>,
) -> Result<EndpointPage, AppError> {
    let endpoint = webhooks::find(&state.pool, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let now = time::OffsetDateTime::now_utc();
    let deliveries = webhooks::log(&state.pool, id, 50)
        .await?
        .into_iter()
        .map(|d| Line {
            about: d
                .subject
                .get("title")
                .or_else(|| d.subject.get("name"))
                .and_then(serde_json::Value::as_str)
                .unwrap_or_default()
                .to_owned(),
            state: match (d.delivered_at, d.last_status) {
                (Some(at), Some(status)) => {
                    format!("livré ({status}) le {}", state.moment_text(at))
                }
                (Some(at), None) => format!("livré le {}", state.moment_text(at)),
                (None, _) if d.attempts == 0 && d.next_attempt_at > now => {
                    format!("prévu le {}", state.moment_text(d.next_attempt_at))
                }
                (None, status) => {
                    let last = match status {
                        Some(status) => format!("réponse {status}"),
                        None if d.last_error.is_empty() => "en attente".to_owned(),
                        None => d.last_error.clone(),
                    };
                    if d.attempts == 0 {
                        last
                    } else {
                        format!(
                            "échec ({last}) ; nouvel essai le {}",
                            state.moment_text(d.next_attempt_at)
                        )
                    }
                }
            },
            delivered: d.delivered_at.is_some(),
            due: state.moment_text(d.due_at),
            id: d.id,
            event: d.event_type,
            attempts: d.attempts,
            answer: d.answer.unwrap_or_default(),
        })
        .collect();
    let form = form.unwrap_or_else(|| EndpointForm {
        url: endpoint.url.clone(),
        description: endpoint.description.clone(),
        events: endpoint.events.clone(),
    });
    Ok(EndpointPage {
        reveal: user.recent,
        page: state.page_for(&user, "Webhook — Vigie".to_owned()),
        user,
        endpoint: shown(state, endpoint),
        events: EVENTS,
        form,
        error,
        notice,
        deliveries,
    })
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct Notice {
    created: Option<String>,
    done: Option<String>,
}

/// `GET /admin/webhooks/{id}`
pub async fn show(
    State(state): State<AppState>,
    user: CurrentUser,
    PathId(id): PathId<Uuid>,
    axum::extract::Query(q): axum::extract::Query<Notice>,
) -> Result<EndpointPage, AppError> {
    let notice = if q.created.is_some() {
        Some("Webhook créé. Donnez son secret au destinataire pour qu’il vérifie les signatures.")
    } else {
        match q.done.as_deref() {
            Some("saved") => Some("Enregistré."),
            Some("test") => Some("Événement de test envoyé : il apparaît ci-dessous."),
            Some("again") => Some("La livraison repart, après celles qui attendent."),
            Some("rotated") => Some(
                "Nouveau secret : l’ancien signe encore 24 heures, le temps de changer chez le destinataire.",
            ),
            Some("enabled") => Some("Réactivé : les livraisons en attente partent, dans l’ordre."),
            Some("disabled") => Some("Désactivé : les événements attendent sa réactivation."),
            _ => None,
        }
    };
    endpoint_page(&state, user, id, None, None, notice).await
}

/// `POST /admin/webhooks/{id}`: changes the address, description and events.
pub async fn update(
    State(state): State<AppState>,
    PathId(id): PathId<Uuid>,
    signed: SignedForm<EndpointForm>,
) -> Result<Response, AppError> {
    let SignedForm { user, mut form } = signed;
    form.events.dedup();
    if let Some(error) = check(&state, &form) {
        let page = endpoint_page(&state, user, id, Some(form), Some(error), None).await?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    }
    let url = form.url.trim();
    let mut tx = state.pool.begin().await?;
    if !webhooks::update(&mut tx, id, url, form.description.trim(), &form.events).await? {
        return Err(AppError::NotFound);
    }
    audit::record(
        &mut tx,
        Some(user.id),
        AuditAction::WebhookUpdate,
        &id.to_string(),
        json!({ "url": url, "events": form.events }),
    )
    .await?;
    tx.commit().await?;
    Ok(Redirect::to(&format!("/admin/webhooks/{id}?done=saved")).into_response())
}

#[derive(Deserialize)]
pub struct NoFields {}

/// One of the endpoint's buttons.
async fn act(
    state: &AppState,
    user: &CurrentUser,
    id: Uuid,
    what: &str,
) -> Result<Response, AppError> {
    let endpoint = webhooks::find(&state.pool, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let mut tx = state.pool.begin().await?;
    let audited = match what {
        "test" => {
            webhooks::send_test(&mut tx, id).await?;
            None
        }
        "rotate" => {
            let secret = webhook::new_secret().ok_or(AppError::Busy)?;
            webhooks::rotate(&mut tx, id, &secret, GRACE_HOURS).await?;
            Some(AuditAction::WebhookRotate)
        }
        "enable" => webhooks::set_enabled(&mut tx, id, true, "")
            .await?
            .then_some(AuditAction::WebhookEnable),
        "disable" => webhooks::set_enabled(&mut tx, id, false, "désactivé par un administrateur")
            .await?
            .then_some(AuditAction::WebhookDisable),
        "delete" => {
            webhooks::delete(&mut tx, id).await?;
            Some(AuditAction::WebhookDelete)
        }
        _ => return Err(AppError::NotFound),
    };
    if let Some(action) = audited {
        audit::record(
            &mut tx,
            Some(user.id),
            action,
            &id.to_string(),
            json!({ "url": endpoint.url }),
        )
        .await?;
    }
    tx.commit().await?;
    state.delivery_added();
    let to = match what {
        "delete" => "/admin/webhooks?deleted=1".to_owned(),
        "test" => format!("/admin/webhooks/{id}?done=test"),
        "rotate" => format!("/admin/webhooks/{id}?done=rotated"),
        "enable" => format!("/admin/webhooks/{id}?done=enabled"),
        _ => format!("/admin/webhooks/{id}?done=disabled"),
    };
    Ok(Redirect::to(&to).into_response())
}

macro_rules! button {
    ($name:ident, $what:literal) => {
        #[doc = concat!("`POST /admin/webhooks/{id}/", $what, "`")]
        pub async fn $name(
            State(state): State<AppState>,
            PathId(id): PathId<Uuid>,
            signed: SignedForm<NoFields>,
        ) -> Result<Response, AppError> {
            act(&state, &signed.user, id, $what).await
        }
    };
}

button!(test, "test");
button!(rotate, "rotate");
button!(enable, "enable");
button!(disable, "disable");
button!(delete, "delete");

/// `POST /admin/webhooks/{id}/deliveries/{delivery}/again`: sends a delivery again.
pub async fn send_again(
    State(state): State<AppState>,
    Path((id, delivery)): Path<(String, String)>,
    signed: SignedForm<NoFields>,
) -> Result<Response, AppError> {
    let _ = signed.user;
    let (Ok(id), Ok(delivery)) = (Uuid::parse_str(&id), delivery.parse::<i64>()) else {
        return Err(AppError::NotFound);
    };
    let mut tx = state.pool.begin().await?;
    if !webhooks::send_again(&mut tx, id, delivery).await? {
        return Err(AppError::NotFound);
    }
    tx.commit().await?;
    state.delivery_added();
    Ok(Redirect::to(&format!("/admin/webhooks/{id}?done=again")).into_response())
}

//! API tokens from the browser: `/account/tokens` (one's own: make one, see when each was last
//! used and from where, revoke) and `/admin/tokens` (everyone's, for admins to revoke). A new
//! token is shown once, on the answer to the form that made it, and never again. Making one
//! asks for a recent sign-in, like managing accounts: a session left open must not mint a
//! credential that outlives it.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use serde_json::json;
use time::OffsetDateTime;
use uuid::Uuid;

use super::{CurrentUser, SignedForm};
use crate::domain::token::{self, Scope};
use crate::domain::{AuditAction, DisplayName};
use crate::store::{audit, tokens};
use crate::web::error::PathId;
use crate::web::{AppError, AppState, Page};

/// The lifetimes the form offers, in days.
const LIFETIMES: &[(i64, &str)] = &[
    (7, "7 jours"),
    (30, "30 jours"),
    (90, "90 jours"),
    (180, "6 mois"),
    (365, "1 an"),
];

/// A token as the lists show it.
pub struct Row {
    pub id: Uuid,
    pub owner: String,
    pub name: String,
    pub hint: String,
    pub scopes: Vec<(String, bool)>,
    pub created: String,
    pub expires: String,
    pub last_used: String,
    /// `actif`, `révoqué`, `expiré`, `compte désactivé`.
    pub state: &'static str,
    pub alive: bool,
}

fn rows(state: &AppState, listed: Vec<tokens::Listed>) -> Vec<Row> {
    let now = OffsetDateTime::now_utc();
    listed
        .into_iter()
        .map(|t| {
            let alive = t.alive(now);
            Row {
                id: t.id,
                state: if t.revoked_at.is_some() {
                    "révoqué"
                } else if t.expires_at <= now {
                    "expiré"
                } else if t.owner_disabled {
                    "compte désactivé"
                } else {
                    "actif"
                },
                alive,
                // Each scope, and whether the owner's role still allows it.
                scopes: t
                    .scopes()
                    .into_iter()
                    .map(|s| (s.as_str().to_owned(), s.allowed_for(t.owner_role)))
                    .collect(),
                owner: t.owner_name,
                name: t.name,
                hint: t.hint,
                created: state.moment_text(t.created_at),
                expires: state.moment_text(t.expires_at),
                last_used: match (t.last_used_at, t.last_used_address) {
                    (Some(at), Some(address)) => format!("{} ({address})", state.moment_text(at)),
                    (Some(at), None) => state.moment_text(at),
                    _ => "jamais".to_owned(),
                },
            }
        })
        .collect()
}

#[derive(Template, WebTemplate)]
#[template(path = "auth/tokens.html")]
pub struct TokensPage {
    page: Page,
    user: CurrentUser,
    tokens: Vec<Row>,
    /// The scopes this person's role allows, with what each does.
    offered: Vec<(&'static str, &'static str)>,
    lifetimes: &'static [(i64, &'static str)],
    form: TokenForm,
    error: Option<&'static str>,
    /// The token just made, shown this once.
    created: Option<String>,
    notice: Option<&'static str>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct TokenForm {
    pub name: String,
    pub scopes: Vec<String>,
    pub days: String,
}

impl TokensPage {
    fn show_owner(&self) -> bool {
        false
    }

    fn revoke_base(&self) -> &'static str {
        "/account/tokens"
    }

    fn chosen(&self, scope: &str) -> bool {
        self.form.scopes.iter().any(|s| s == scope)
    }

    fn days_chosen(&self, days: &i64) -> bool {
        self.form.days == days.to_string() || (self.form.days.is_empty() && *days == 90)
    }
}

async fn tokens_page(
    state: &AppState,
    user: CurrentUser,
    form: TokenForm,
    error: Option<&'static str>,
    created: Option<String>,
    notice: Option<&'static str>,
) -> Result<TokensPage, AppError> {
    let tokens = rows(state, tokens::list(&state.pool, Some(user.id)).await?);
    let offered = Scope::ALL
        .iter()
        .filter(|s| s.allowed_for(user.role))
        .map(|s| (s.as_str(), s.describe()))
        .collect();
    Ok(TokensPage {
        page: state.page_for(&user, "Jetons d’API — Vigie".to_owned()),
        user,
        tokens,
        offered,
        lifetimes: LIFETIMES,
        form,
        error,
        created,
        notice,
    })
}

#[derive(Deserialize)]
pub struct Notice {
    #[serde(default)]
    revoked: Option<String>,
}

/// `GET /account/tokens`
pub async fn list(
    State(state): State<AppState>,
    user: CurrentUser,
    axum::extract::Query(q): axum::extract::Query<Notice>,
) -> Result<TokensPage, AppError> {
    let notice = q
        .revoked
        .map(|_| "Le jeton est révoqué : il n’ouvre plus rien.");
    tokens_page(&state, user, TokenForm::default(), None, None, notice).await
}

/// `POST /account/tokens`: makes a token of the signed-in person, shown once.
pub async fn create(
    State(state): State<AppState>,
    signed: SignedForm<TokenForm>,
) -> Result<Response, AppError> {
    let SignedForm { user, form } = signed;
    if !user.recent {
        return Ok(Redirect::to("/account/confirm?next=/account/tokens").into_response());
    }
    // A token must not open what the person's own pages keep closed.
    if state.config.require_two_factor_staff && user.role.is_editor() && !user.two_factor {
        let error = "Configurez d’abord la double authentification (Mon compte) : elle est exigée des éditeurs et des administrateurs, pour leurs jetons aussi.";
        let page = tokens_page(&state, user, form, Some(error), None, None).await?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    }
    let (name, scopes, days) = match check(&form, &user) {
        Ok(checked) => checked,
        Err(error) => {
            let page = tokens_page(&state, user, form, Some(error), None, None).await?;
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
        }
    };
    let Some(new) = token::generate() else {
        return Err(AppError::Busy);
    };
    let mut tx = state.pool.begin().await?;
    let id = tokens::create(
        &mut tx,
        user.id,
        name.as_str(),
        &new.hash,
        &new.hint,
        &scopes,
        days,
        Some(user.id),
    )
    .await?;
    record_creation(&mut tx, Some(user.id), id, name.as_str(), &scopes, days).await?;
    tx.commit().await?;
    let page = tokens_page(
        &state,
        user,
        TokenForm::default(),
        None,
        Some(new.secret),
        None,
    )
    .await?;
    Ok((StatusCode::CREATED, page).into_response())
}

/// The name, scopes and lifetime the form asks for, or what is wrong with it.
fn check(
    form: &TokenForm,
    user: &CurrentUser,
) -> Result<(DisplayName, Vec<Scope>, i64), &'static str> {
    let name = DisplayName::parse(&form.name).map_err(|_| {
        "Nommez le jeton d’après ce qui l’utilisera (100 caractères au plus), par exemple « Lettre d’information »."
    })?;
    let scopes: Option<Vec<Scope>> = form.scopes.iter().map(|s| Scope::parse(s)).collect();
    let scopes = scopes
        .filter(|s| !s.is_empty())
        .ok_or("Cochez au moins un droit.")?;
    if scopes.iter().any(|s| !s.allowed_for(user.role)) {
        return Err("Votre rôle ne permet pas l’un des droits cochés.");
    }
    let days = form
        .days
        .parse::<i64>()
        .ok()
        .filter(|d| LIFETIMES.iter().any(|(n, _)| n == d))
        .ok_or("Choisissez une durée de validité.")?;
    Ok((name, scopes, days))
}

/// The audit event of a new token (never the token).
pub(crate) async fn record_creation(
    conn: &mut sqlx::PgConnection,
    actor: Option<Uuid>,
    id: Uuid,
    name: &str,
    scopes: &[Scope],
    days: i64,
) -> Result<(), sqlx::Error> {
    let scopes: Vec<&str> = scopes.iter().map(|s| s.as_str()).collect();
    audit::record(
        conn,
        actor,
        AuditAction::TokenCreate,
        &id.to_string(),
        json!({ "name": name, "scopes": scopes.join(" "), "days": days }),
    )
    .await
}

#[derive(Deserialize)]
pub struct NoFields {}

/// `POST /account/tokens/{id}/revoke`: one's own token.
pub async fn revoke_own(
    State(state): State<AppState>,
    PathId(id): PathId<Uuid>,
    signed: SignedForm<NoFields>,
) -> Result<Response, AppError> {
    revoke(&state, &signed.user, id, Some(signed.user.id)).await?;
    Ok(Redirect::to("/account/tokens?revoked=1").into_response())
}

/// `POST /admin/tokens/{id}/revoke`: anyone's, by an admin.
pub async fn revoke_any(
    State(state): State<AppState>,
    PathId(id): PathId<Uuid>,
    signed: SignedForm<NoFields>,
) -> Result<Response, AppError> {
    revoke(&state, &signed.user, id, None).await?;
    Ok(Redirect::to("/admin/tokens?revoked=1").into_response())
}

async fn revoke(
    state: &AppState,
    user: &CurrentUser,
    id: Uuid,
    owner: Option<Uuid>,
) -> Result<(), AppError> {
    let mut tx = state.pool.begin().await?;
    let Some(name) = tokens::revoke(&mut tx, id, owner).await? else {
        drop(tx);
        // Revoked already: nothing to do. Not theirs, or none: not found.
        return if tokens::exists(&state.pool, id, owner).await? {
            Ok(())
        } else {
            Err(AppError::NotFound)
        };
    };
    audit::record(
        &mut tx,
        Some(user.id),
        AuditAction::TokenRevoke,
        &id.to_string(),
        json!({ "name": name }),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

#[derive(Template, WebTemplate)]
#[template(path = "admin/tokens.html")]
pub struct AdminTokensPage {
    page: Page,
    user: CurrentUser,
    tokens: Vec<Row>,
    notice: Option<&'static str>,
}

impl AdminTokensPage {
    fn show_owner(&self) -> bool {
        true
    }

    fn revoke_base(&self) -> &'static str {
        "/admin/tokens"
    }
}

/// `GET /admin/tokens`: every token of the newsroom.
pub async fn list_all(
    State(state): State<AppState>,
    user: CurrentUser,
    axum::extract::Query(q): axum::extract::Query<Notice>,
) -> Result<AdminTokensPage, AppError> {
    Ok(AdminTokensPage {
        page: state.page_for(&user, "Jetons d’API de la rédaction — Vigie".to_owned()),
        tokens: rows(&state, tokens::list(&state.pool, None).await?),
        notice: q
            .revoked
            .map(|_| "Le jeton est révoqué : il n’ouvre plus rien."),
        user,
    })
}

//! Who calls the write API: an `Authorization: Bearer vigie_pat_…` token, never a cookie. The
//! gate in front of each token route looks the token up, and lets the request through only if
//! the route's scope is among those the token was given *and* its owner's role allows today.

use axum::extract::{FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{HeaderValue, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use uuid::Uuid;

use super::ApiError;
use crate::domain::token::{self, Scope};
use crate::domain::{Permission, Role, may};
use crate::store::tokens;
use crate::web::AppState;

/// The token behind a request, and who it speaks for.
#[derive(Debug, Clone)]
pub struct Caller {
    pub token_id: Uuid,
    pub token_name: String,
    pub user_id: Uuid,
    pub role: Role,
    /// What it may do now: its scopes that the owner's role allows.
    pub scopes: Vec<Scope>,
}

impl Caller {
    pub fn may(&self, permission: Permission) -> bool {
        may(self.role, permission)
    }

    pub fn has(&self, scope: Scope) -> bool {
        self.scopes.contains(&scope)
    }

    /// Names the token in every audit event of the rest of `conn`'s transaction.
    pub async fn sign(&self, conn: &mut sqlx::PgConnection) -> Result<(), sqlx::Error> {
        tokens::act_as(conn, self.token_id, &self.token_name).await
    }
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &AppState) -> Result<Self, ApiError> {
        // Put there by the gate; a token route without it is a mistake in the route table.
        parts
            .extensions
            .get::<Caller>()
            .cloned()
            .ok_or(ApiError::Unauthorized("This address needs an API token."))
    }
}

/// The gate of a token route: a live token whose effective scopes hold `scope`.
pub async fn gate(state: AppState, scope: Scope, req: Request, next: Next) -> Response {
    let (mut parts, body) = req.into_parts();
    let caller = match authenticate(&state, &parts, scope).await {
        Ok(caller) => caller,
        Err(e) => return no_store(e.into_response()),
    };
    parts.extensions.insert(caller);
    no_store(next.run(Request::from_parts(parts, body)).await)
}

async fn authenticate(state: &AppState, parts: &Parts, scope: Scope) -> Result<Caller, ApiError> {
    let mut values = parts.headers.get_all(header::AUTHORIZATION).iter();
    let (Some(value), None) = (values.next(), values.next()) else {
        return Err(ApiError::Unauthorized(
            "Send an API token: `Authorization: Bearer vigie_pat_…` (made on /account/tokens).",
        ));
    };
    let secret = value
        .to_str()
        .ok()
        .and_then(|v| {
            let (kind, rest) = v.split_once(' ')?;
            kind.eq_ignore_ascii_case("bearer").then(|| rest.trim())
        })
        .ok_or(ApiError::Unauthorized(
            "The Authorization header takes `Bearer` and an API token.",
        ))?;
    let invalid = || {
        ApiError::InvalidToken(
            "This API token is not valid: it was revoked, it expired, or its owner's account is disabled.",
        )
    };
    let hash = token::recognise(secret).ok_or_else(invalid)?;
    let address = crate::web::serve::client_addr(
        parts,
        state.config.client_ip_header.as_deref(),
        &state.config.trusted_proxies,
    );
    let bearer = tokens::authenticate(&state.pool, &hash, &address)
        .await?
        .ok_or_else(invalid)?;
    let given: Vec<Scope> = bearer
        .scopes
        .iter()
        .filter_map(|s| Scope::parse(s))
        .collect();
    if !given.contains(&scope) {
        return Err(ApiError::InsufficientScope(format!(
            "This token was not given the `{scope}` scope."
        )));
    }
    if !scope.allowed_for(bearer.role) {
        return Err(ApiError::InsufficientScope(format!(
            "This token's owner is {} now, a role that does not allow `{scope}`.",
            bearer.role
        )));
    }
    // `VIGIE_REQUIRE_2FA=staff`: an editor's or admin's token works only while its owner has a
    // second factor, as their pages do.
    if state.config.require_two_factor_staff && bearer.role.is_editor() && !bearer.two_factor {
        return Err(ApiError::Forbidden(
            "This token's owner must set up two-factor sign-in (on /account) before their tokens work.",
        ));
    }
    Ok(Caller {
        scopes: token::effective(&given, bearer.role),
        token_id: bearer.token_id,
        token_name: bearer.token_name,
        user_id: bearer.user_id,
        role: bearer.role,
    })
}

fn no_store(mut response: Response) -> Response {
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

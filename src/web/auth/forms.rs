//! Forms sent by signed-in users: the session's CSRF token is checked before the handler sees
//! anything, so no state-changing handler can forget it.

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde::de::DeserializeOwned;

use super::{CurrentUser, same_secret};
use crate::web::{AppError, AppState};

/// A form posted by the signed-in `user`, its `csrf_token` field already checked.
pub struct SignedForm<T> {
    pub user: CurrentUser,
    pub form: T,
}

#[derive(Deserialize)]
struct CsrfField {
    csrf_token: Option<String>,
}

impl<T: DeserializeOwned> FromRequest<AppState> for SignedForm<T> {
    type Rejection = Response;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Response> {
        let (mut parts, body) = req.into_parts();
        let user = CurrentUser::from_request_parts(&mut parts, state).await?;
        let bytes = Bytes::from_request(Request::from_parts(parts, body), state)
            .await
            .map_err(IntoResponse::into_response)?;
        // PostgreSQL stores no NUL character; a form carrying one is garbage, not writing.
        if bytes.contains(&0) || bytes.windows(3).any(|w| w == b"%00") {
            return Err(AppError::BadRequest(
                "Ce formulaire contient un caractère nul invisible (souvent venu d’un copier-coller) : retirez-le et réessayez.".to_owned(),
            )
            .into_response());
        }
        let token = serde_urlencoded::from_bytes::<CsrfField>(&bytes)
            .ok()
            .and_then(|f| f.csrf_token)
            .unwrap_or_default();
        if !same_secret(&token, user.csrf_token()) {
            tracing::warn!(user = %user.id, "form refused: missing or wrong CSRF token");
            return Err(AppError::Forbidden.into_response());
        }
        // serde_html_form, unlike serde_urlencoded, reads repeated fields (checkboxes) as lists.
        let form = serde_html_form::from_bytes(&bytes).map_err(|_| {
            AppError::BadRequest("Ce formulaire est incomplet ou mal formé.".to_owned())
                .into_response()
        })?;
        Ok(Self { user, form })
    }
}

/// A number the form carries; anything else counts as 0 (for a version: "unknown", which the
/// version check then treats as stale rather than losing the form).
pub fn lenient_number<'de, D: serde::Deserializer<'de>>(d: D) -> Result<i32, D::Error> {
    let raw = <String as Deserialize>::deserialize(d)?;
    Ok(raw.trim().parse().unwrap_or(0))
}

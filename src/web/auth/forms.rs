//! Forms sent by signed-in users: the session's CSRF token is checked before the handler sees
//! anything, so no state-changing handler can forget it.

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde::de::DeserializeOwned;

use super::{CurrentUser, same_secret};
use crate::domain::text;
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
        // Form decoders replace undecodable bytes with U+FFFD: the text would be saved
        // changed. Say so instead.
        if !decodes_to_utf8(&bytes) {
            return Err(AppError::BadRequest(
                "Ce formulaire contient des octets qui ne sont pas du texte UTF-8 (un navigateur ou un outil mal réglé) : rien n’a été enregistré.".to_owned(),
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
        let bytes = storable_fields(&bytes).map_err(|()| {
            AppError::BadRequest("Ce formulaire est incomplet ou mal formé.".to_owned())
                .into_response()
        })?;
        // serde_html_form, unlike serde_urlencoded, reads repeated fields (checkboxes) as lists.
        let form = serde_html_form::from_bytes(&bytes).map_err(|_| {
            AppError::BadRequest("Ce formulaire est incomplet ou mal formé.".to_owned())
                .into_response()
        })?;
        Ok(Self { user, form })
    }
}

/// Fields whose value is kept exactly as typed: passwords (`current`, `new` and `confirm` on
/// the account page), which are hashed, never shown or stored as text.
const KEPT_AS_TYPED: &[&str] = &["current", "new", "confirm", "password"];

/// The form without the control characters no stored text may hold (see
/// [`text::is_storable`]): a text pasted with one would be saved without it, instead of
/// breaking every feed that carries it once published.
fn storable_fields(body: &Bytes) -> Result<Bytes, ()> {
    let fields: Vec<(String, String)> = serde_urlencoded::from_bytes(body).map_err(|_| ())?;
    if fields
        .iter()
        .all(|(_, value)| value.chars().all(text::is_storable))
    {
        return Ok(body.clone());
    }
    let cleaned: Vec<(String, String)> = fields
        .into_iter()
        .map(|(name, value)| {
            if KEPT_AS_TYPED.contains(&name.as_str()) {
                (name, value)
            } else {
                let value = text::storable(&value).into_owned();
                (name, value)
            }
        })
        .collect();
    serde_urlencoded::to_string(&cleaned)
        .map(Bytes::from)
        .map_err(|_| ())
}

/// Whether every name and value of an `application/x-www-form-urlencoded` body is UTF-8 once
/// its `%XX` escapes are decoded.
fn decodes_to_utf8(body: &[u8]) -> bool {
    body.split(|&b| b == b'&' || b == b'=').all(|part| {
        let mut decoded = Vec::with_capacity(part.len());
        let mut i = 0;
        while i < part.len() {
            let hex = |b: u8| (b as char).to_digit(16);
            match (
                part[i],
                part.get(i + 1).copied().and_then(hex),
                part.get(i + 2).copied().and_then(hex),
            ) {
                (b'%', Some(hi), Some(lo)) => {
                    decoded.push((hi * 16 + lo) as u8);
                    i += 3;
                }
                (b, _, _) => {
                    decoded.push(b);
                    i += 1;
                }
            }
        }
        std::str::from_utf8(&decoded).is_ok()
    })
}

/// A number the form carries; anything else counts as 0 (for a version: "unknown", which the
/// version check then treats as stale rather than losing the form).
pub fn lenient_number<'de, D: serde::Deserializer<'de>>(d: D) -> Result<i32, D::Error> {
    let raw = <String as Deserialize>::deserialize(d)?;
    Ok(raw.trim().parse().unwrap_or(0))
}

#[cfg(test)]
mod tests {
    use super::decodes_to_utf8;

    #[test]
    fn form_bodies_must_decode_to_utf8() {
        assert!(decodes_to_utf8(
            b"title=S%C3%A9curit%C3%A9+de+l%E2%80%99IA&body=a%26b"
        ));
        assert!(
            decodes_to_utf8(b"title=%&body=100%"),
            "a stray % is left as it is"
        );
        assert!(!decodes_to_utf8(b"title=%FF%FEtitre&body=x"));
        assert!(!decodes_to_utf8(b"title=ok&body=\xff"));
        assert!(
            !decodes_to_utf8(b"title=%C3&body=x"),
            "a cut multibyte character"
        );
    }
}

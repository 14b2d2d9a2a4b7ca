//! Who is asking: the session cookie, the [`CurrentUser`] extractor, the access gate every
//! route passes (deny by default), CSRF-checked forms, and the sign-in, setup and account
//! pages.

mod account;
mod confirm;
mod forgot;
mod forms;
mod login;
mod password_link;
mod second_factor;
mod setup;
mod tokens;
mod two_factor;

use std::fmt;

use axum::extract::{FromRequestParts, OptionalFromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderValue, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use cookie::{Cookie, SameSite};
use uuid::Uuid;

pub use account::{
    account_page, change_email, change_password, end_other_sessions, end_session, update_profile,
};
pub use confirm::{confirm, confirm_form};
pub use forgot::{forgot_form, send_link};
pub use forms::{SignedForm, lenient_number};
pub use login::{login, login_page, logout};
pub use password_link::{password_page, set_password};
pub use second_factor::{cancel_code, check_code, code_form};
pub use setup::{setup, setup_page};
pub(crate) use tokens::record_creation as record_token_creation;
pub use tokens::{
    create as create_token, list as tokens_page, list_all as all_tokens,
    revoke_any as revoke_any_token, revoke_own as revoke_token,
};
pub use two_factor::{
    confirm as confirm_two_factor, new_codes as new_recovery_codes, remove as remove_two_factor,
    reset as reset_two_factor, start as start_two_factor,
};

use super::{AppError, AppState, Page};
use crate::domain::password::PasswordError;
use crate::domain::{Permission, Role, TextError, may};
use crate::store::sessions;

/// Who may call a route. Every route of the router is declared with one (see `routes.rs`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Readers' pages, feeds and API: anyone, with HTTP caching (see `web::caching`).
    Public,
    /// Anyone, but not content: health probes and static files, which set their own caching.
    Open,
    /// Sign-in and first-run setup forms: anyone, never cached.
    Visitor,
    /// Signed-in users whose role grants this permission.
    Needs(Permission),
    /// Programs with an API token holding this scope, which its owner's role allows (see
    /// `api::bearer`). A session cookie never opens these.
    Bearer(crate::domain::token::Scope),
}

/// The signed-in user making this request.
#[derive(Clone)]
pub struct CurrentUser {
    pub id: Uuid,
    pub email: String,
    pub display_name: String,
    pub slug: String,
    pub role: Role,
    /// How many articles wait for review, as the request began.
    pub waiting: i64,
    /// How many of their notifications they have not read, as the request began.
    pub unread: i64,
    /// Whether they sign in with a second factor.
    pub two_factor: bool,
    /// Whether they proved who they are in this session within the last minutes (see
    /// `sessions::RECENT`): managing accounts asks for it.
    pub recent: bool,
    csrf_token: String,
    session_token: String,
}

impl fmt::Debug for CurrentUser {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Never the session or CSRF tokens.
        f.debug_struct("CurrentUser")
            .field("id", &self.id)
            .field("role", &self.role)
            .finish_non_exhaustive()
    }
}

impl CurrentUser {
    /// The token this session's forms carry in their `csrf_token` field.
    pub fn csrf_token(&self) -> &str {
        &self.csrf_token
    }

    pub fn may(&self, permission: Permission) -> bool {
        may(self.role, permission)
    }

    /// Whether `token` is this session's CSRF token (for forms `SignedForm` cannot read:
    /// file uploads).
    pub fn signed(&self, token: &str) -> bool {
        same_secret(token, &self.csrf_token)
    }

    /// Looks up the session named by the request's cookie, if it is alive.
    async fn from_cookie(parts: &Parts, state: &AppState) -> Result<Option<Self>, AppError> {
        let Some(token) = session_cookie(parts, state) else {
            return Ok(None);
        };
        let user = sessions::touch(&state.pool, &token, state.config.session_idle).await?;
        Ok(user.map(|u| Self {
            id: u.user_id,
            email: u.email,
            display_name: u.display_name,
            slug: u.slug,
            role: u.role,
            waiting: u.waiting,
            unread: u.unread,
            two_factor: u.two_factor,
            recent: u.recent,
            csrf_token: u.csrf_token,
            session_token: token,
        }))
    }
}

impl FromRequestParts<AppState> for CurrentUser {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        if let Some(user) = parts.extensions.get::<CurrentUser>() {
            return Ok(user.clone());
        }
        match Self::from_cookie(parts, state).await {
            Ok(Some(user)) => Ok(user),
            Ok(None) => Err(to_login(parts)),
            Err(e) => Err(e.into_response()),
        }
    }
}

impl OptionalFromRequestParts<AppState> for CurrentUser {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Option<Self>, Response> {
        if let Some(user) = parts.extensions.get::<CurrentUser>() {
            return Ok(Some(user.clone()));
        }
        Self::from_cookie(parts, state)
            .await
            .map_err(IntoResponse::into_response)
    }
}

/// Where a request without a live session goes. A page the browser shows: 303 to the sign-in
/// page, coming back here afterwards. A script's request (the editor's autosave: the browser
/// says `Sec-Fetch-Mode` other than `navigate`): 401, which the script can tell the person
/// about; a redirect would be followed to the sign-in page's 200, which looks like success.
fn to_login(parts: &Parts) -> Response {
    let scripted = parts
        .headers
        .get("sec-fetch-mode")
        .is_some_and(|mode| mode.as_bytes() != b"navigate");
    if scripted {
        let mut response = (
            axum::http::StatusCode::UNAUTHORIZED,
            [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
            "Session expirée : reconnectez-vous.",
        )
            .into_response();
        response.extensions_mut().insert(super::error::Verbatim);
        return response;
    }
    let here = parts.uri.path_and_query().map_or("/", |p| p.as_str());
    let query = serde_urlencoded::to_string([("next", here)]).unwrap_or_default();
    Redirect::to(&format!("/login?{query}")).into_response()
}

/// The gate in front of every route: lets readers through, keeps staff pages out of caches,
/// and lets only signed-in users whose role grants the route's permission reach its handler.
pub async fn gate(
    State((state, access)): State<(AppState, Access)>,
    req: Request,
    next: Next,
) -> Response {
    let permission = match access {
        Access::Public | Access::Open => return next.run(req).await,
        Access::Visitor => return no_store(next.run(req).await),
        Access::Needs(permission) => permission,
        Access::Bearer(scope) => return super::api::bearer::gate(state, scope, req, next).await,
    };
    let (mut parts, body) = req.into_parts();
    let user = match CurrentUser::from_cookie(&parts, &state).await {
        Ok(Some(user)) => user,
        Ok(None) => return no_store(to_login(&parts)),
        Err(e) => return e.into_response(),
    };
    if !user.may(permission) {
        return no_store(AppError::Forbidden.into_response());
    }
    // Changing other people's accounts: only with a password (or code) confirmed lately, so a
    // session left open or stolen cannot make itself an admin's accomplice.
    // Webhooks likewise: one can send the newsroom's content anywhere.
    if matches!(
        permission,
        Permission::ManageUsers | Permission::ManageWebhooks
    ) && parts.method == axum::http::Method::POST
        && !user.recent
    {
        let path = parts.uri.path();
        let back = if path.starts_with("/admin/tokens") {
            "/admin/tokens"
        } else if path.starts_with("/admin/webhooks") {
            "/admin/webhooks"
        } else {
            "/admin/users"
        };
        let to = format!("/account/confirm?next={back}");
        return no_store(Redirect::to(&to).into_response());
    }
    // `VIGIE_REQUIRE_2FA=staff`: editors and admins without a second factor set one up first.
    if state.config.require_two_factor_staff
        && user.role.is_editor()
        && !user.two_factor
        && permission != Permission::ManageOwnAccount
    {
        return no_store(
            Redirect::to("/account?two_factor=required#second-factor").into_response(),
        );
    }
    parts.extensions.insert(user);
    no_store(next.run(Request::from_parts(parts, body)).await)
}

fn no_store(mut response: Response) -> Response {
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// The cookie's name: `__Host-` over HTTPS, so no subdomain or plain-HTTP page can set it.
fn cookie_name(state: &AppState) -> &'static str {
    if state.config.https() {
        "__Host-vigie_session"
    } else {
        "vigie_session"
    }
}

/// Where a sign-in comes from, for the person's list of sessions: the browser (its
/// `User-Agent`, cut to 300 characters) and the client's address.
fn client_of(parts: &Parts, state: &AppState) -> sessions::Client {
    let user_agent = parts
        .headers
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .chars()
        .filter(|c| !c.is_control())
        .take(300)
        .collect();
    sessions::Client {
        user_agent,
        address: crate::web::serve::client_addr(
            parts,
            state.config.client_ip_header.as_deref(),
            &state.config.trusted_proxies,
        ),
    }
}

fn session_cookie(parts: &Parts, state: &AppState) -> Option<String> {
    token_cookie(parts, cookie_name(state))
}

/// The device cookie: a browser that signed in before (see `store::throttle::known_device`).
fn device_cookie_name(state: &AppState) -> &'static str {
    if state.config.https() {
        "__Host-vigie_device"
    } else {
        "vigie_device"
    }
}

fn device_cookie(parts: &Parts, state: &AppState) -> Option<String> {
    token_cookie(parts, device_cookie_name(state))
}

/// `Set-Cookie` for the device cookie: like the session's, but kept for a year.
fn set_device_cookie(state: &AppState, token: &str) -> (header::HeaderName, String) {
    let cookie = Cookie::build((device_cookie_name(state), token.to_owned()))
        .path("/")
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(state.config.https())
        .max_age(cookie::time::Duration::days(365))
        .build();
    (header::SET_COOKIE, cookie.to_string())
}

/// The cookie `name`, when it holds a token of ours (64 hexadecimal digits).
fn token_cookie(parts: &Parts, name: &str) -> Option<String> {
    parts
        .headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(Cookie::split_parse)
        .filter_map(Result::ok)
        .find(|c| c.name() == name)
        .map(|c| c.value().to_owned())
        .filter(|v| v.len() == 64 && v.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// `Set-Cookie` for a new session: HttpOnly, SameSite=Lax, Secure over HTTPS, ends with the
/// browser session (the server ends it sooner if idle or too old).
fn set_session_cookie(state: &AppState, token: &str) -> (header::HeaderName, String) {
    let cookie = Cookie::build((cookie_name(state), token.to_owned()))
        .path("/")
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(state.config.https())
        .build();
    (header::SET_COOKIE, cookie.to_string())
}

/// The staff hint: a cookie holding nothing secret (`1`), readable by the public pages' script,
/// which then shows staff a "Modifier" link that is in every copy of the page, hidden. The
/// pages themselves stay the same for everyone, so caches never hold a staff-only copy. Set
/// at sign-in, removed at sign-out; a session that ended meanwhile only leaves a link that
/// leads to the sign-in page.
fn staff_cookie(state: &AppState, signed_in: bool) -> (header::HeaderName, String) {
    let mut cookie = Cookie::build(("vigie_staff", "1"))
        .path("/")
        .same_site(SameSite::Lax)
        .secure(state.config.https())
        .build();
    if !signed_in {
        cookie.make_removal();
    }
    (header::SET_COOKIE, cookie.to_string())
}

fn clear_session_cookie(state: &AppState) -> (header::HeaderName, String) {
    let mut cookie = Cookie::build((cookie_name(state), ""))
        .path("/")
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(state.config.https())
        .build();
    cookie.make_removal();
    (header::SET_COOKIE, cookie.to_string())
}

/// A password rule broken, in the staff pages' language (French for now).
fn explain_password(e: &PasswordError) -> &'static str {
    match e {
        PasswordError::TooShort => "Le mot de passe doit compter au moins 12 caractères.",
        PasswordError::TooLong => "Le mot de passe compte au plus 256 caractères.",
        PasswordError::Common => {
            "Ce mot de passe fait partie des plus courants : choisissez-en un autre."
        }
    }
}

fn explain_text(e: &TextError) -> &'static str {
    match e {
        TextError::BadEmail => "Cette adresse e-mail n’est pas valide.",
        TextError::EmptyName => "Le nom ne peut pas être vide.",
        TextError::BadName(_) => {
            "Le nom compte au plus 100 caractères, sur une seule ligne, sans caractère invisible."
        }
        TextError::EmptyTitle => "Le titre ne peut pas être vide.",
        TextError::TitleTooLong(_) => "Le titre compte au plus 300 caractères.",
        TextError::Unprintable => {
            "Le texte contient un caractère de contrôle invisible : retirez-le."
        }
    }
}

/// Compares two secrets in time that does not depend on where they differ.
fn same_secret(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

/// Where to go after signing in: a path on this site, never elsewhere.
fn safe_next(next: Option<&str>) -> String {
    // A path on this site and nothing else: browsers drop tabs and newlines and read `\\` as
    // `/`, so `/\t/evil.example` or `/\\evil.example` would leave the site.
    let local = |n: &str| {
        n.starts_with('/')
            && !n.starts_with("//")
            && !n
                .chars()
                .any(|c| c.is_control() || c.is_whitespace() || c == '\\')
    };
    match next {
        Some(n) if local(n) => n.to_owned(),
        _ => "/editor".to_owned(),
    }
}

impl AppState {
    /// The frame of a staff page: like [`AppState::page`], with the signed-in user's menu.
    pub(in crate::web) fn page_for(&self, user: &CurrentUser, title: String) -> Page {
        let mut page = self.page(title);
        page.account = Some(crate::web::AccountNav {
            display_name: user.display_name.clone(),
            csrf_token: user.csrf_token().to_owned(),
            reviewer: user.may(crate::domain::Permission::Review),
            waiting: user.waiting,
            unread: user.unread,
            auditor: user.may(crate::domain::Permission::ReadAudit),
        });
        page
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_local_paths_are_followed_after_sign_in() {
        assert_eq!(safe_next(Some("/account?x=1")), "/account?x=1");
        for bad in [
            "https://evil.example",
            "//evil.example",
            "/\\evil.example",
            "/\t/evil.example",
            "/\n/evil.example",
            "/ /evil.example",
            "account",
        ] {
            assert_eq!(safe_next(Some(bad)), "/editor", "{bad}");
        }
        assert_eq!(safe_next(None), "/editor");
    }

    #[test]
    fn secrets_compare_whole() {
        assert!(same_secret("abc", "abc"));
        assert!(!same_secret("abc", "abd"));
        assert!(!same_secret("abc", "abcd"));
    }
}

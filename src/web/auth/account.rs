//! `/account`: a signed-in user's own name, bio and password, and their sessions (each browser
//! signed in, which they may end).

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use serde_json::json;

use super::{CurrentUser, SignedForm, explain_password, explain_text, set_session_cookie};
use crate::domain::AuditAction;
use crate::domain::DisplayName;
use crate::domain::password::{self, Password, Verified};
use crate::domain::throttle::ACCOUNT_FREE;
use crate::store::throttle::{self, Attempt};
use crate::store::{audit, sessions, users};
use crate::web::{AppError, AppState, Page};

/// The longest bio, in characters.
const BIO_CHARS: usize = 2000;

#[derive(Template, WebTemplate)]
#[template(path = "auth/account.html")]
pub struct AccountTemplate {
    page: Page,
    user: CurrentUser,
    email: String,
    role: crate::domain::Role,
    display_name: String,
    bio: String,
    /// `fr`, `en`, or empty: the site's.
    mail_lang: &'static str,
    notice: Option<&'static str>,
    profile_error: Option<&'static str>,
    password_error: Option<&'static str>,
    sessions: Vec<SessionLine>,
    /// The second factor: off (`None` and no `setting_up`), being set up, or on since then.
    two_factor_since: Option<String>,
    codes_left: i64,
    setting_up: Option<super::two_factor::SettingUp>,
    pub(super) two_factor_error: Option<&'static str>,
    email_error: Option<&'static str>,
    /// The new address as typed, when the form comes back.
    new_email: String,
    /// Sent here because editors and admins must set one up (`VIGIE_REQUIRE_2FA=staff`).
    two_factor_required: bool,
}

/// A session as the list shows it.
pub struct SessionLine {
    id: uuid::Uuid,
    device: String,
    user_agent: String,
    address: String,
    since: String,
    last_seen: String,
    current: bool,
}

impl AccountTemplate {
    pub(super) async fn new(state: &AppState, user: CurrentUser) -> Result<Self, AppError> {
        let account = users::account(&state.pool, user.id)
            .await?
            .ok_or(AppError::NotFound)?;
        let sessions = sessions::list_for(
            &state.pool,
            user.id,
            &user.session_token,
            state.config.session_idle,
        )
        .await?
        .into_iter()
        .map(|s| SessionLine {
            id: s.public_id,
            device: crate::domain::device::describe(&s.user_agent),
            since: state.moment_text(s.created_at),
            last_seen: state.moment_text(s.last_seen_at),
            user_agent: s.user_agent,
            address: s.address,
            current: s.current,
        })
        .collect();
        let (two_factor_since, codes_left, setting_up) =
            match crate::store::two_factor::factor(&state.pool, user.id).await? {
                crate::store::two_factor::Factor::None => (None, 0, None),
                crate::store::two_factor::Factor::SettingUp(secret) => (
                    None,
                    0,
                    Some(super::two_factor::SettingUp::of(&secret, &user.email)),
                ),
                crate::store::two_factor::Factor::Confirmed { since, codes_left } => {
                    (Some(state.moment_text(since)), codes_left, None)
                }
            };
        Ok(Self {
            two_factor_since,
            codes_left,
            setting_up,
            two_factor_error: None,
            email_error: None,
            new_email: String::new(),
            two_factor_required: false,
            sessions,
            page: state.page_for(&user, "Mon compte — Vigie".to_owned()),
            user,
            email: account.email,
            role: account.role,
            display_name: account.display_name,
            bio: account.bio,
            mail_lang: account.lang.map_or("", crate::domain::Lang::as_str),
            notice: None,
            profile_error: None,
            password_error: None,
        })
    }
}

#[derive(Deserialize)]
pub struct Saved {
    saved: Option<String>,
    two_factor: Option<String>,
}

pub async fn account_page(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<Saved>,
) -> Result<AccountTemplate, AppError> {
    let mut page = AccountTemplate::new(&state, user).await?;
    page.two_factor_required = q.two_factor.as_deref() == Some("required");
    page.notice = match q.saved.as_deref() {
        Some("profile") => Some("Votre profil est enregistré."),
        Some("password") => {
            Some("Votre mot de passe est changé. Vos autres sessions sont fermées.")
        }
        Some("session") => Some("La session est fermée : ce navigateur devra se reconnecter."),
        Some("others") => Some("Vos autres sessions sont fermées."),
        Some("two_factor_off") => Some("La double authentification est désactivée."),
        Some("email") => {
            Some("Votre adresse est changée : c’est avec elle que vous vous connecterez désormais.")
        }
        _ => None,
    };
    Ok(page)
}

#[derive(Deserialize)]
pub struct ProfileForm {
    #[serde(default)]
    display_name: String,
    #[serde(default)]
    bio: String,
    /// The language of one's e-mail: `fr`, `en`, or empty for the site's.
    #[serde(default)]
    lang: String,
}

pub async fn update_profile(
    State(state): State<AppState>,
    SignedForm { user, form }: SignedForm<ProfileForm>,
) -> Result<Response, AppError> {
    let bio = form.bio.trim();
    let name = DisplayName::parse(&form.display_name);
    let error = match &name {
        Err(e) => Some(explain_text(e)),
        Ok(_) if bio.chars().count() > BIO_CHARS => {
            Some("La biographie compte au plus 2 000 caractères.")
        }
        Ok(_) => None,
    };
    let (Ok(name), None) = (name, error) else {
        // Shown again with what was typed.
        let mut page = AccountTemplate::new(&state, user).await?;
        page.display_name = form.display_name;
        page.bio = form.bio;
        page.profile_error = error;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    };
    let mut tx = state.pool.begin().await?;
    let lang = crate::domain::Lang::parse(form.lang.trim());
    users::update_profile(&mut tx, user.id, &name, bio, lang).await?;
    audit::record(
        &mut tx,
        Some(user.id),
        AuditAction::UserProfile,
        &user.id.to_string(),
        json!({}),
    )
    .await?;
    tx.commit().await?;
    Ok(Redirect::to("/account?saved=profile").into_response())
}

#[derive(Deserialize)]
pub struct PasswordForm {
    #[serde(default)]
    current: String,
    #[serde(default)]
    new: String,
    #[serde(default)]
    confirm: String,
}

/// Whether `typed` is `user`'s current password: asked again before what a hijacked session
/// must not do alone (changing the password, turning the second factor off). Guesses are
/// throttled like signing in; a right answer clears them.
pub(super) async fn reauthenticate(
    state: &AppState,
    user: uuid::Uuid,
    typed: &str,
) -> Result<bool, AppError> {
    let key = format!("password-change:{user}");
    if let Attempt::Wait(wait) =
        throttle::attempt(&state.pool, &[(key.clone(), ACCOUNT_FREE)]).await?
    {
        return Err(AppError::Throttled(wait));
    }
    let account = users::account(&state.pool, user)
        .await?
        .ok_or(AppError::NotFound)?;
    let stored = account
        .password_hash
        .unwrap_or_else(|| password::DECOY_HASH.clone());
    let current = typed.to_owned();
    let ok = current.chars().count() <= password::MAX_CHARS
        && matches!(
            state
                .hash_work(move || password::verify(&current, &stored))
                .await?,
            Verified::Match { .. }
        );
    if ok {
        let mut conn = state.pool.acquire().await?;
        throttle::succeeded(&mut conn, &key).await?;
    }
    Ok(ok)
}

pub async fn change_password(
    State(state): State<AppState>,
    parts: axum::http::request::Parts,
    SignedForm { user, form }: SignedForm<PasswordForm>,
) -> Result<Response, AppError> {
    let current_ok = reauthenticate(&state, user.id, &form.current).await?;
    let new = Password::parse(&form.new);
    let error = match &new {
        _ if !current_ok => Some("Le mot de passe actuel est incorrect."),
        Err(e) => Some(explain_password(e)),
        Ok(_) if form.new != form.confirm => {
            Some("Les deux nouveaux mots de passe ne sont pas identiques.")
        }
        Ok(_) => None,
    };
    let (Ok(new), None) = (new, error) else {
        let mut page = AccountTemplate::new(&state, user).await?;
        page.password_error = error;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    };
    let hash = state
        .hash_work(move || password::hash(&new))
        .await?
        .map_err(|_| AppError::Busy)?;
    let mut tx = state.pool.begin().await?;
    users::set_password_hash(&mut tx, user.id, &hash).await?;
    throttle::forget_devices(&mut tx, user.id).await?;
    // Every session ends, this one included; this browser continues on a fresh one.
    let ended = sessions::delete_all_for(&mut tx, user.id, None).await?;
    let client = super::client_of(&parts, &state);
    let session = sessions::create(&mut tx, user.id, &client, state.config.session_max).await?;
    audit::record(
        &mut tx,
        Some(user.id),
        AuditAction::UserPassword,
        &user.id.to_string(),
        json!({ "sessions_ended": ended }),
    )
    .await?;
    state
        .security_notice(&mut tx, user.id, crate::mail::messages::Security::Password)
        .await?;
    tx.commit().await?;
    Ok((
        [set_session_cookie(&state, &session.token)],
        Redirect::to("/account?saved=password"),
    )
        .into_response())
}

/// `POST /account/sessions/{id}/end`: ends one of one's own sessions (another person's is not
/// found).
pub async fn end_session(
    State(state): State<AppState>,
    crate::web::error::PathId(id): crate::web::error::PathId<uuid::Uuid>,
    SignedForm { user, .. }: SignedForm<super::login::NoFields>,
) -> Result<Response, AppError> {
    let mut tx = state.pool.begin().await?;
    if !sessions::end(&mut tx, user.id, id).await? {
        return Err(AppError::NotFound);
    }
    audit::record(
        &mut tx,
        Some(user.id),
        AuditAction::SessionEnd,
        &user.id.to_string(),
        json!({ "session": id }),
    )
    .await?;
    tx.commit().await?;
    Ok(Redirect::to("/account?saved=session#sessions").into_response())
}

/// `POST /account/sessions/end-others`: ends every session of one's own but this one.
pub async fn end_other_sessions(
    State(state): State<AppState>,
    SignedForm { user, .. }: SignedForm<super::login::NoFields>,
) -> Result<Response, AppError> {
    let mut tx = state.pool.begin().await?;
    let ended = sessions::delete_all_for(&mut tx, user.id, Some(&user.session_token)).await?;
    audit::record(
        &mut tx,
        Some(user.id),
        AuditAction::SessionEnd,
        &user.id.to_string(),
        json!({ "others": ended }),
    )
    .await?;
    tx.commit().await?;
    Ok(Redirect::to("/account?saved=others#sessions").into_response())
}

#[derive(Deserialize)]
pub struct EmailForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    current: String,
}

/// `POST /account/email`: a new sign-in address, with the current password; the old address
/// is told (if mail is on), and the account's other sessions end.
pub async fn change_email(
    State(state): State<AppState>,
    SignedForm { user, form }: SignedForm<EmailForm>,
) -> Result<Response, AppError> {
    let refused = |error: &'static str| {
        let state = state.clone();
        let user = user.clone();
        let typed = form.email.clone();
        async move {
            let mut page = AccountTemplate::new(&state, user).await?;
            page.email_error = Some(error);
            page.new_email = typed;
            Ok::<Response, AppError>((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
    };
    let Ok(email) = crate::domain::Email::parse(form.email.trim()) else {
        return refused("Cette adresse e-mail n’est pas valable.").await;
    };
    if !reauthenticate(&state, user.id, &form.current).await? {
        return refused("Le mot de passe actuel est incorrect.").await;
    }
    let mut tx = state.pool.begin().await?;
    // Told at the address it had, before it changes.
    state
        .security_notice(&mut tx, user.id, crate::mail::messages::Security::Email)
        .await?;
    if !users::set_email(&mut tx, user.id, &email).await? {
        drop(tx);
        return refused("Un autre compte a déjà cette adresse.").await;
    }
    sessions::delete_all_for(&mut tx, user.id, Some(&user.session_token)).await?;
    // A link already sent to the old mailbox no longer opens the account.
    users::forget_password_tokens(&mut tx, user.id).await?;
    audit::record(
        &mut tx,
        Some(user.id),
        AuditAction::UserEmail,
        &user.id.to_string(),
        json!({}),
    )
    .await?;
    tx.commit().await?;
    Ok(Redirect::to("/account?saved=email").into_response())
}

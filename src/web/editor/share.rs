//! Preview links beside the form: the author or an editor makes a link for someone outside
//! the newsroom (a source, a lawyer) to read the unpublished article as it will look, for a
//! while; the link is shown once (only its hash is kept), listed with who it is for, when it
//! ends and whether it was opened, and can be revoked. The page it opens is
//! `web::public::preview_link`.

use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

use super::page::{Extras, refused_on_page};
use super::visible;
use crate::domain::{Permission, token};
use crate::store::articles::desk::Editable;
use crate::store::articles::previews;
use crate::web::auth::{CurrentUser, SignedForm};
use crate::web::error::PathId;
use crate::web::{AppError, AppState};

/// How long a link may last, as the form offers it: hours and label.
pub const LIFETIMES: &[(i64, &str)] = &[
    (24, "24 heures"),
    (48, "48 heures"),
    (168, "7 jours"),
    (720, "30 jours"),
];

/// A link as the editor's page lists it.
pub struct LinkLine {
    pub id: Uuid,
    pub label: String,
    pub by: String,
    pub created: String,
    /// Until when it works, or how it ended.
    pub state: String,
    pub open: bool,
    pub through_embargo: bool,
    /// "jamais ouvert", "ouvert 3 fois, la dernière le 5 déc. à 10:42".
    pub seen: String,
}

/// The links box: the list and the form.
pub struct ShareBox {
    pub can_share: bool,
    pub links: Vec<LinkLine>,
    /// The link just made, shown this once.
    pub new_link: Option<String>,
    pub label_value: String,
    pub hours_value: i64,
    pub through_value: bool,
    pub error: Option<&'static str>,
    pub lifetimes: &'static [(i64, &'static str)],
}

/// What the form held when a link could not be made, and why.
pub struct Typed {
    pub label: String,
    pub hours: i64,
    pub through_embargo: bool,
    pub error: &'static str,
}

impl ShareBox {
    pub async fn new(
        state: &AppState,
        user: &CurrentUser,
        article: &Editable,
        typed: Option<Typed>,
        new_link: Option<String>,
    ) -> Result<Self, AppError> {
        let can_share = user.may(Permission::SharePreview {
            own: article.is_by(user.id),
        });
        let now = OffsetDateTime::now_utc();
        let links = if can_share {
            previews::list(&state.pool, article.id)
                .await?
                .into_iter()
                .map(|l| LinkLine {
                    id: l.id,
                    by: l.created_by.unwrap_or_else(|| "—".to_owned()),
                    created: state.moment_text(l.created_at),
                    open: l.revoked_at.is_none() && l.expires_at > now,
                    state: match l.revoked_at {
                        Some(at) => format!("révoqué le {}", state.moment_text(at)),
                        None if l.expires_at <= now => {
                            format!("expiré le {}", state.moment_text(l.expires_at))
                        }
                        None => format!("valable jusqu’au {}", state.moment_text(l.expires_at)),
                    },
                    seen: match l.last_seen_at {
                        None => "jamais ouvert".to_owned(),
                        Some(at) => format!(
                            "ouvert {} fois, la dernière le {}",
                            l.views,
                            state.moment_text(at)
                        ),
                    },
                    label: l.label,
                    through_embargo: l.through_embargo,
                })
                .collect()
        } else {
            Vec::new()
        };
        let (label_value, hours_value, through_value, error) = match typed {
            Some(t) => (t.label, t.hours, t.through_embargo, Some(t.error)),
            None => (String::new(), 48, false, None),
        };
        Ok(Self {
            can_share,
            links,
            new_link,
            label_value,
            hours_value,
            through_value,
            error,
            lifetimes: LIFETIMES,
        })
    }
}

#[derive(Deserialize)]
pub struct ShareForm {
    #[serde(default)]
    label: String,
    #[serde(default)]
    hours: String,
    #[serde(default)]
    through_embargo: Option<String>,
}

/// `POST /editor/articles/{id}/previews`: makes a link, and shows it once.
pub async fn create(
    State(state): State<AppState>,
    PathId(id): PathId<Uuid>,
    signed: SignedForm<ShareForm>,
) -> Result<Response, AppError> {
    let SignedForm { user, form } = signed;
    let article = visible(&state, &user, id).await?;
    if !user.may(Permission::SharePreview {
        own: article.is_by(user.id),
    }) {
        return Err(AppError::Forbidden);
    }
    let hours = form.hours.trim().parse::<i64>().unwrap_or(0);
    let through_embargo = form.through_embargo.as_deref() == Some("yes");
    let label = form.label.trim();
    let error = if matches!(
        super::standing_of(&article),
        crate::domain::Standing::Published | crate::domain::Standing::Archived
    ) {
        Some("L’article est en ligne : donnez son adresse publique.")
    } else if label.is_empty() || label.chars().count() > 200 || label.contains('\0') {
        Some("Dites pour qui est ce lien (200 caractères au plus) : la liste le rappellera.")
    } else if !LIFETIMES.iter().any(|(h, _)| *h == hours) {
        Some("Choisissez combien de temps le lien reste valable.")
    } else {
        None
    };
    if let Some(error) = error {
        let typed = Typed {
            label: form.label.clone(),
            hours,
            through_embargo,
            error,
        };
        let extras = Extras {
            share: Some(typed),
            ..Extras::default()
        };
        return refused_on_page(&state, &user, &article, extras).await;
    }
    let (secret, hash) = token::preview_secret().ok_or(AppError::Busy)?;
    let expires_at = OffsetDateTime::now_utc() + Duration::hours(hours);
    let mut tx = state.pool.begin().await?;
    previews::create(
        &mut tx,
        id,
        &hash,
        label,
        expires_at,
        through_embargo,
        user.id,
    )
    .await?;
    tx.commit().await?;
    // Shown on this answer only (staff pages are `no-store`): the link is not kept readable.
    let extras = Extras {
        new_link: Some(format!("{}/apercu/{secret}", state.config.base_url)),
        notice: Some(
            "Lien d’aperçu créé. Copiez-le maintenant : il ne sera plus affiché.".to_owned(),
        ),
        ..Extras::default()
    };
    super::page::shown(&state, &user, &article, extras).await
}

/// `POST /editor/articles/{id}/previews/{link}/revoke`: the link stops working at once.
pub async fn revoke(
    State(state): State<AppState>,
    PathId((id, link)): PathId<(Uuid, Uuid)>,
    signed: SignedForm<super::actions::NoFields>,
) -> Result<Response, AppError> {
    let user = signed.user;
    let article = visible(&state, &user, id).await?;
    if !user.may(Permission::SharePreview {
        own: article.is_by(user.id),
    }) {
        return Err(AppError::Forbidden);
    }
    let mut tx = state.pool.begin().await?;
    let revoked = previews::revoke(&mut tx, id, link, user.id).await?;
    tx.commit().await?;
    if !revoked {
        return Err(AppError::NotFound);
    }
    Ok(Redirect::to(&format!(
        "/editor/articles/{id}?status=link_revoked#previews"
    ))
    .into_response())
}

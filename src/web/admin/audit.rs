//! `/admin/audit`: who did what, when, to what — filtered by actor, action, target and day,
//! newest first, paginated. Admins only.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};
use serde::Deserialize;
use time::macros::format_description;
use uuid::Uuid;

use crate::domain::AuditAction;
use crate::store::audit::{self, Entry, Filter};
use crate::store::users;
use crate::web::auth::CurrentUser;
use crate::web::{AppError, AppState, Page};

const PAGE: i64 = 50;

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct AuditQuery {
    actor: String,
    action: String,
    target: String,
    from: String,
    to: String,
    before: String,
}

/// One event, written as a sentence: "{actor} {verb}{target}{tail}, le {at}" (the verb ends
/// with what joins it to the target), with the raw
/// record on demand.
pub struct Line {
    pub at: String,
    pub actor: String,
    pub verb: String,
    /// What it was done to, as named now (« Titre », a tag, a person).
    pub target: Option<String>,
    /// The editor's page of the target, when it is an article.
    pub target_href: Option<String>,
    /// What follows the target (when it is scheduled for, the reason given…).
    pub tail: String,
    /// The record itself: action code, who by e-mail, target id, details.
    pub action: &'static str,
    pub actor_email: String,
    pub target_id: String,
    pub details: String,
}

/// The verb with what joins it to `name`: a space, or the elision French makes of "de" before
/// a vowel ("le compte d’Alice", "le compte de Marc").
fn joined(verb: &str, name: &str) -> String {
    let vowel = name
        .chars()
        .next()
        .map(|c| {
            deunicode::deunicode_char(c)
                .unwrap_or_default()
                .to_lowercase()
        })
        .is_some_and(|c| matches!(c.as_str(), "a" | "e" | "i" | "o" | "u" | "y"));
    match verb.strip_suffix(" de") {
        Some(head) if vowel => format!("{head} d’"),
        _ => format!("{verb} "),
    }
}

/// The sentence of an event: its verb, whether it names its target, and what follows.
fn sentence(state: &AppState, e: &Entry) -> (String, bool, String) {
    use AuditAction as A;
    let text = |key: &str| {
        e.details
            .get(key)
            .and_then(|v| v.as_str())
            .unwrap_or_default()
            .to_owned()
    };
    let own = e
        .target_id
        .as_deref()
        .is_some_and(|t| e.actor_id.is_some_and(|a| a.to_string() == t));
    let (verb, names, tail): (&str, bool, String) = match e.action {
        A::ArticleCreate => ("a créé", true, String::new()),
        A::ArticleSave => (
            "a enregistré",
            true,
            e.details
                .get("version")
                .and_then(serde_json::Value::as_i64)
                .map(|v| format!(" (version {v})"))
                .unwrap_or_default(),
        ),
        A::ArticleConflict => (
            "a enregistré sur une version dépassée",
            true,
            " : son texte est gardé dans les révisions".to_owned(),
        ),
        A::ArticleDelete => ("a supprimé", true, String::new()),
        A::ArticleCorrection => ("a publié une correction sous", true, String::new()),
        A::ArticleSubmit => ("a envoyé en relecture", true, String::new()),
        A::ArticleRetract => ("a repris avant relecture", true, String::new()),
        A::ArticleRequestChanges => ("a renvoyé à son auteur", true, String::new()),
        A::ArticlePublish => ("a publié", true, String::new()),
        A::ArticleSchedule => {
            let at = time::OffsetDateTime::parse(
                &text("published_at"),
                &time::format_description::well_known::Rfc3339,
            )
            .map(|at| format!(" pour le {}", state.moment_text(at)))
            .unwrap_or_default();
            ("a programmé", true, at)
        }
        A::ArticleUnpublish => ("a mis hors ligne", true, String::new()),
        A::ArticleWithdraw => {
            let reason = text("reason");
            let tail = if reason.is_empty() {
                String::new()
            } else {
                format!(" (motif : {reason})")
            };
            ("a retiré", true, tail)
        }
        A::ArticleArchive => ("a archivé", true, String::new()),
        A::ArticleEmbargo => {
            let until = time::OffsetDateTime::parse(
                &text("until"),
                &time::format_description::well_known::Rfc3339,
            )
            .map(|at| format!(" jusqu’au {}", state.moment_text(at)))
            .unwrap_or_default();
            ("a mis sous embargo", true, until)
        }
        A::ArticleEmbargoLift => (
            "a levé l’embargo de",
            true,
            format!(" (motif : {})", text("reason")),
        ),
        A::PreviewLinkCreate => (
            "a créé un lien d’aperçu de",
            true,
            format!(
                " pour « {} »{}",
                text("label"),
                if e.details
                    .get("through_embargo")
                    .and_then(serde_json::Value::as_bool)
                    == Some(true)
                {
                    ", lisible même sous embargo"
                } else {
                    ""
                }
            ),
        ),
        A::ArticleBylines => {
            let names: Vec<&str> = e
                .details
                .get("coauthors")
                .and_then(serde_json::Value::as_array)
                .map(|a| a.iter().filter_map(serde_json::Value::as_str).collect())
                .unwrap_or_default();
            let tail = if names.is_empty() {
                " : sans co-auteur".to_owned()
            } else {
                format!(" : avec {}", names.join(", "))
            };
            ("a changé les signatures de", true, tail)
        }
        A::SiteMenu => ("a changé le menu du site", false, String::new()),
        A::ArticleTranslation => (
            if e.details
                .get("source")
                .is_some_and(serde_json::Value::is_null)
            {
                "a délié de son original la traduction"
            } else {
                "a fait de cet article une traduction :"
            },
            true,
            String::new(),
        ),
        A::ArticleRevised => (
            "a signalé aux lecteurs une mise à jour de fond de",
            true,
            String::new(),
        ),
        A::ContributorCreate | A::ContributorUpdate => (
            if e.action == A::ContributorCreate {
                "a ajouté le contributeur invité"
            } else {
                "a modifié le contributeur invité"
            },
            false,
            format!(" « {} »", text("name")),
        ),
        A::PreviewLinkRevoke => (
            "a révoqué un lien d’aperçu de",
            true,
            format!(" (« {} »)", text("label")),
        ),
        A::TagCreate => ("a créé le thème", true, String::new()),
        A::TagUpdate => ("a modifié le thème", true, String::new()),
        A::TagMerge => ("a fusionné un thème dans un autre", false, String::new()),
        A::TagDelete => (
            "a supprimé un thème",
            e.target_name.is_some(),
            String::new(),
        ),
        A::UserCreate => ("a créé le compte de", true, String::new()),
        A::UserRole => {
            let role = match text("role").as_str() {
                "admin" => " : administrateur",
                "editor" => " : éditeur",
                "journalist" => " : journaliste",
                _ => "",
            };
            ("a changé le rôle de", true, role.to_owned())
        }
        A::UserDisable => ("a désactivé le compte de", true, String::new()),
        A::UserEnable => ("a réactivé le compte de", true, String::new()),
        A::UserPassword if own => ("a changé son mot de passe", false, String::new()),
        A::UserPassword => ("a changé le mot de passe de", true, String::new()),
        A::UserPasswordLink => ("a créé un lien de mot de passe pour", true, String::new()),
        A::UserProfile if own => ("a modifié son profil", false, String::new()),
        A::UserProfile => ("a modifié le profil de", true, String::new()),
        A::UserEmail => (
            "a changé l’adresse e-mail de son compte",
            false,
            String::new(),
        ),
        A::SessionEnd => (
            "a fermé une ou plusieurs de ses sessions",
            false,
            String::new(),
        ),
        A::UserSecondFactor => {
            let verb = match text("change").as_str() {
                "on" => "a activé la double authentification",
                "off" => "a désactivé sa double authentification",
                "new_codes" => "a demandé de nouveaux codes de secours",
                _ => "a retiré la double authentification de",
            };
            (verb, text("change") == "reset", String::new())
        }
        A::Login => ("s’est connecté·e", false, String::new()),
        A::LoginFailed => (
            "— échec de connexion",
            false,
            match text("email").as_str() {
                "" => String::new(),
                email => format!(" pour {email}"),
            },
        ),
        A::Logout => ("s’est déconnecté·e", false, String::new()),
        A::ImportWordpress => ("a importé un export WordPress", false, String::new()),
        A::MediaUpload | A::MediaUpdate | A::MediaReplace | A::MediaDelete => {
            let verb = match e.action {
                A::MediaUpload => "a envoyé l’image",
                A::MediaUpdate => "a modifié la description de l’image",
                A::MediaReplace => "a remplacé le fichier de l’image",
                _ => "a supprimé l’image",
            };
            (verb, false, format!(" « {} »", text("alt")))
        }
        A::JobRetry => ("a relancé une tâche de fond", false, String::new()),
        A::RegulationCreate
        | A::RegulationUpdate
        | A::RegulationPublish
        | A::RegulationDelete
        | A::RegulationMilestone => {
            let verb = match e.action {
                A::RegulationCreate => "a créé la fiche",
                A::RegulationUpdate => "a modifié la fiche",
                A::RegulationPublish => "a publié la fiche",
                A::RegulationMilestone => "a modifié une échéance de",
                _ => "a supprimé la fiche",
            };
            (verb, false, format!(" « {} »", text("name")))
        }
        A::JurisdictionCreate => (
            "a créé la juridiction",
            false,
            format!(" « {} »", text("name")),
        ),
        A::JurisdictionUpdate => (
            "a modifié la juridiction",
            false,
            format!(" « {} »", text("name")),
        ),
        A::TokenCreate => (
            "a créé le jeton d’API",
            false,
            format!(" « {} » ({})", text("name"), text("scopes")),
        ),
        A::WebhookCreate
        | A::WebhookUpdate
        | A::WebhookDelete
        | A::WebhookDisable
        | A::WebhookEnable
        | A::WebhookRotate => {
            let verb = match e.action {
                A::WebhookCreate => "a abonné un webhook",
                A::WebhookUpdate => "a modifié le webhook",
                A::WebhookDelete => "a supprimé le webhook",
                A::WebhookDisable => "a désactivé le webhook",
                A::WebhookEnable => "a réactivé le webhook",
                _ => "a renouvelé le secret du webhook",
            };
            let reason = match text("reason").as_str() {
                "" => String::new(),
                reason => format!(" ({reason})"),
            };
            (verb, false, format!(" {}{reason}", text("url")))
        }
        A::TokenRevoke => (
            "a révoqué le jeton d’API",
            false,
            format!(" « {} »", text("name")),
        ),
    };
    (verb.to_owned(), names, tail)
}

#[derive(Template, WebTemplate)]
#[template(path = "admin/audit.html")]
pub struct AuditPage {
    page: Page,
    query: AuditQuery,
    lines: Vec<Line>,
    actors: Vec<(Uuid, String)>,
    actions: Vec<AuditAction>,
    older: Option<i64>,
}

/// A day of the filter; one outside the years the audit log can hold (PostgreSQL's
/// timestamps end in 4713 BC, and nothing was audited before Vigie) filters nothing.
fn day(s: &str) -> Option<time::Date> {
    time::Date::parse(s.trim(), format_description!("[year]-[month]-[day]"))
        .ok()
        .filter(|d| (2000..=9999).contains(&d.year()))
}

pub async fn audit(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(query): Query<AuditQuery>,
) -> Result<AuditPage, AppError> {
    let action = query.action.trim();
    let filter = Filter {
        actor: Uuid::parse_str(&query.actor).ok(),
        action: AuditAction::parse(action),
        target: Some(query.target.trim().to_owned()).filter(|t| !t.is_empty() && !t.contains('\0')),
        from: day(&query.from),
        to: day(&query.to),
    };
    let before = query.before.parse::<i64>().ok();
    // An action the log does not know was never recorded: nothing matches it.
    let unknown_action = !action.is_empty() && filter.action.is_none();
    let mut rows = if unknown_action {
        Vec::new()
    } else {
        audit::list(
            &state.pool,
            &filter,
            &state.config.timezone,
            before,
            PAGE + 1,
        )
        .await?
    };
    let older = if rows.len() as i64 > PAGE {
        rows.truncate(PAGE as usize);
        rows.last().map(|r| r.id)
    } else {
        None
    };
    let lines = rows
        .into_iter()
        .map(|e| {
            let (verb, names, tail) = sentence(&state, &e);
            let target_id = e.target_id.clone().unwrap_or_default();
            let target = names.then(|| match (&e.target_name, e.target_type.as_str()) {
                (Some(name), "article") => format!("« {name} »"),
                (Some(name), _) => name.clone(),
                (None, "article") => "un article supprimé".to_owned(),
                (None, _) => format!("{} {target_id}", e.target_type),
            });
            Line {
                at: state.moment_text(e.at),
                actor: e
                    .actor_name
                    .clone()
                    .unwrap_or_else(|| "Le système".to_owned()),
                verb: match &target {
                    Some(name) => joined(&verb, name),
                    None => verb,
                },
                target,
                target_href: (e.target_type == "article"
                    && e.target_name.is_some()
                    && e.action != AuditAction::ArticleDelete)
                    .then(|| format!("/editor/articles/{target_id}")),
                tail: match &e.token_name {
                    Some(token) => format!("{tail} (avec le jeton d’API « {token} »)"),
                    None => tail,
                },
                action: e.action.as_str(),
                actor_email: e.actor_email.clone().unwrap_or_default(),
                target_id,
                details: if e.details.as_object().is_some_and(serde_json::Map::is_empty) {
                    String::new()
                } else {
                    e.details.to_string()
                },
            }
        })
        .collect();
    Ok(AuditPage {
        page: state.page_for(&user, "Journal d’audit — Vigie".to_owned()),
        lines,
        actors: users::authors_and_staff(&state.pool).await?,
        actions: audit::actions(&state.pool).await?,
        query,
        older,
    })
}

impl AuditPage {
    /// The next page's query string, keeping the filters.
    pub fn older_href(&self, before: &i64) -> String {
        let q = &self.query;
        let before = before.to_string();
        let pairs = [
            ("actor", q.actor.as_str()),
            ("action", q.action.as_str()),
            ("target", q.target.as_str()),
            ("from", q.from.as_str()),
            ("to", q.to.as_str()),
            ("before", before.as_str()),
        ];
        let kept: Vec<(&str, &str)> = pairs.into_iter().filter(|(_, v)| !v.is_empty()).collect();
        format!("?{}", serde_urlencoded::to_string(kept).unwrap_or_default())
    }
}

#[cfg(test)]
mod tests {
    use super::joined;

    #[test]
    fn de_is_elided_before_a_vowel_as_french_does() {
        assert_eq!(
            joined("a créé le compte de", "Alice Admin"),
            "a créé le compte d’"
        );
        assert_eq!(
            joined("a créé le compte de", "Élise"),
            "a créé le compte d’"
        );
        assert_eq!(
            joined("a créé le compte de", "Marc"),
            "a créé le compte de "
        );
        assert_eq!(joined("a publié", "« Titre »"), "a publié ");
    }
}

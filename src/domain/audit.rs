//! The audit log's vocabulary: every kind of change it records (written `area.verb`, as the log
//! shows and filters them), and what kind of thing each is done to.

use std::fmt;

/// A kind of change the audit log records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AuditAction {
    ArticleCreate,
    ArticleSave,
    /// A save on a stale version: nothing changed but a revision keeping the text.
    ArticleConflict,
    ArticleDelete,
    ArticleCorrection,
    ArticleSubmit,
    /// The author took a submitted article back to work on it.
    ArticleRetract,
    ArticleRequestChanges,
    ArticlePublish,
    ArticleSchedule,
    ArticleUnpublish,
    ArticleWithdraw,
    ArticleArchive,
    /// An embargo set or moved: not to come out before a time.
    ArticleEmbargo,
    /// An embargo lifted before its time, by an editor.
    ArticleEmbargoLift,
    /// A link for someone outside the newsroom to read the unpublished article.
    PreviewLinkCreate,
    PreviewLinkRevoke,
    /// Who signs it changed: its author, its co-authors.
    ArticleBylines,
    /// A public article's change said to be one of substance ("Mis à jour le …").
    ArticleRevised,
    /// Made the translation of another article, or no longer one.
    ArticleTranslation,
    /// The site's menu changed.
    SiteMenu,
    /// A guest contributor (a byline without an account) added or changed.
    ContributorCreate,
    ContributorUpdate,
    TagCreate,
    TagUpdate,
    TagMerge,
    TagDelete,
    UserCreate,
    UserRole,
    UserDisable,
    UserEnable,
    UserPassword,
    UserPasswordLink,
    UserProfile,
    /// One's own sign-in address changed.
    UserEmail,
    /// One's own sessions ended from the account page (one, or all the others).
    SessionEnd,
    /// A second factor set up, turned off, given new recovery codes, or taken away by an admin.
    UserSecondFactor,
    Login,
    LoginFailed,
    Logout,
    ImportWordpress,
    MediaUpload,
    MediaUpdate,
    /// A new file for an image articles keep pointing at.
    MediaReplace,
    MediaDelete,
    /// A background job that had failed, sent to be tried again.
    JobRetry,
    RegulationCreate,
    RegulationUpdate,
    RegulationPublish,
    RegulationDelete,
    /// A milestone added, changed or removed.
    RegulationMilestone,
    JurisdictionCreate,
    JurisdictionUpdate,
    /// An API token made (by its owner, or by an admin at the command line).
    TokenCreate,
    TokenRevoke,
    WebhookCreate,
    WebhookUpdate,
    WebhookDelete,
    /// Turned off: by an admin, or by Vigie when it failed too long or was told 410.
    WebhookDisable,
    WebhookEnable,
    /// A new signing secret (the previous one signs on for a grace period).
    WebhookRotate,
}

impl AuditAction {
    pub const ALL: &'static [AuditAction] = &[
        Self::ArticleCreate,
        Self::ArticleSave,
        Self::ArticleConflict,
        Self::ArticleDelete,
        Self::ArticleCorrection,
        Self::ArticleSubmit,
        Self::ArticleRetract,
        Self::ArticleRequestChanges,
        Self::ArticlePublish,
        Self::ArticleSchedule,
        Self::ArticleUnpublish,
        Self::ArticleWithdraw,
        Self::ArticleArchive,
        Self::ArticleEmbargo,
        Self::ArticleEmbargoLift,
        Self::PreviewLinkCreate,
        Self::PreviewLinkRevoke,
        Self::ArticleBylines,
        Self::ArticleRevised,
        Self::ArticleTranslation,
        Self::SiteMenu,
        Self::ContributorCreate,
        Self::ContributorUpdate,
        Self::TagCreate,
        Self::TagUpdate,
        Self::TagMerge,
        Self::TagDelete,
        Self::UserCreate,
        Self::UserRole,
        Self::UserDisable,
        Self::UserEnable,
        Self::UserPassword,
        Self::UserPasswordLink,
        Self::UserProfile,
        Self::UserEmail,
        Self::SessionEnd,
        Self::UserSecondFactor,
        Self::Login,
        Self::LoginFailed,
        Self::Logout,
        Self::ImportWordpress,
        Self::MediaUpload,
        Self::MediaUpdate,
        Self::MediaReplace,
        Self::MediaDelete,
        Self::JobRetry,
        Self::RegulationCreate,
        Self::RegulationUpdate,
        Self::RegulationPublish,
        Self::RegulationDelete,
        Self::RegulationMilestone,
        Self::JurisdictionCreate,
        Self::JurisdictionUpdate,
        Self::TokenCreate,
        Self::TokenRevoke,
        Self::WebhookCreate,
        Self::WebhookUpdate,
        Self::WebhookDelete,
        Self::WebhookDisable,
        Self::WebhookEnable,
        Self::WebhookRotate,
    ];

    /// The name stored in the log.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::ArticleCreate => "article.create",
            Self::ArticleSave => "article.save",
            Self::ArticleConflict => "article.conflict",
            Self::ArticleDelete => "article.delete",
            Self::ArticleCorrection => "article.correction",
            Self::ArticleSubmit => "article.submit",
            Self::ArticleRetract => "article.retract",
            Self::ArticleRequestChanges => "article.request_changes",
            Self::ArticlePublish => "article.publish",
            Self::ArticleSchedule => "article.schedule",
            Self::ArticleUnpublish => "article.unpublish",
            Self::ArticleWithdraw => "article.withdraw",
            Self::ArticleArchive => "article.archive",
            Self::ArticleEmbargo => "article.embargo",
            Self::ArticleEmbargoLift => "article.embargo_lift",
            Self::PreviewLinkCreate => "article.preview_link",
            Self::PreviewLinkRevoke => "article.preview_link_revoke",
            Self::ArticleBylines => "article.bylines",
            Self::ArticleRevised => "article.revised",
            Self::ArticleTranslation => "article.translation",
            Self::SiteMenu => "site.menu",
            Self::ContributorCreate => "contributor.create",
            Self::ContributorUpdate => "contributor.update",
            Self::TagCreate => "tag.create",
            Self::TagUpdate => "tag.update",
            Self::TagMerge => "tag.merge",
            Self::TagDelete => "tag.delete",
            Self::UserCreate => "user.create",
            Self::UserRole => "user.role",
            Self::UserDisable => "user.disable",
            Self::UserEnable => "user.enable",
            Self::UserPassword => "user.password",
            Self::UserPasswordLink => "user.password_link",
            Self::UserProfile => "user.profile",
            Self::UserEmail => "user.email",
            Self::SessionEnd => "user.session_end",
            Self::UserSecondFactor => "user.second_factor",
            Self::Login => "login",
            Self::LoginFailed => "login.failed",
            Self::Logout => "logout",
            Self::ImportWordpress => "import.wordpress",
            Self::MediaUpload => "media.upload",
            Self::MediaUpdate => "media.update",
            Self::MediaReplace => "media.replace",
            Self::MediaDelete => "media.delete",
            Self::JobRetry => "job.retry",
            Self::RegulationCreate => "regulation.create",
            Self::RegulationUpdate => "regulation.update",
            Self::RegulationPublish => "regulation.publish",
            Self::RegulationDelete => "regulation.delete",
            Self::RegulationMilestone => "regulation.milestone",
            Self::JurisdictionCreate => "jurisdiction.create",
            Self::JurisdictionUpdate => "jurisdiction.update",
            Self::TokenCreate => "token.create",
            Self::TokenRevoke => "token.revoke",
            Self::WebhookCreate => "webhook.create",
            Self::WebhookUpdate => "webhook.update",
            Self::WebhookDelete => "webhook.delete",
            Self::WebhookDisable => "webhook.disable",
            Self::WebhookEnable => "webhook.enable",
            Self::WebhookRotate => "webhook.rotate",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|a| a.as_str() == s)
    }

    /// The action as the newsroom names it (the audit log's filter).
    pub fn label(self) -> &'static str {
        match self {
            Self::ArticleCreate => "article créé",
            Self::ArticleSave => "article enregistré",
            Self::ArticleConflict => "enregistrement en conflit",
            Self::ArticleDelete => "article supprimé",
            Self::ArticleCorrection => "correction publiée",
            Self::ArticleSubmit => "envoyé en relecture",
            Self::ArticleRetract => "repris avant relecture",
            Self::ArticleRequestChanges => "renvoyé à l’auteur",
            Self::ArticlePublish => "publié",
            Self::ArticleSchedule => "programmé",
            Self::ArticleUnpublish => "mis hors ligne",
            Self::ArticleWithdraw => "retiré",
            Self::ArticleArchive => "archivé",
            Self::ArticleEmbargo => "embargo posé",
            Self::ArticleEmbargoLift => "embargo levé",
            Self::PreviewLinkCreate => "lien d’aperçu créé",
            Self::PreviewLinkRevoke => "lien d’aperçu révoqué",
            Self::ArticleBylines => "signatures changées",
            Self::ArticleRevised => "mise à jour de fond signalée",
            Self::ArticleTranslation => "traduction liée ou déliée",
            Self::SiteMenu => "menu du site changé",
            Self::ContributorCreate => "contributeur invité ajouté",
            Self::ContributorUpdate => "contributeur invité modifié",
            Self::TagCreate => "thème créé",
            Self::TagUpdate => "thème modifié",
            Self::TagMerge => "thèmes fusionnés",
            Self::TagDelete => "thème supprimé",
            Self::UserCreate => "compte créé",
            Self::UserRole => "rôle changé",
            Self::UserDisable => "compte désactivé",
            Self::UserEnable => "compte réactivé",
            Self::UserPassword => "mot de passe changé",
            Self::UserPasswordLink => "lien de mot de passe créé",
            Self::UserProfile => "profil modifié",
            Self::UserEmail => "adresse e-mail changée",
            Self::SessionEnd => "session fermée",
            Self::UserSecondFactor => "double authentification",
            Self::Login => "connexion",
            Self::LoginFailed => "échec de connexion",
            Self::Logout => "déconnexion",
            Self::ImportWordpress => "import WordPress",
            Self::MediaUpload => "image envoyée",
            Self::MediaUpdate => "image décrite",
            Self::MediaReplace => "fichier d’image remplacé",
            Self::MediaDelete => "image supprimée",
            Self::JobRetry => "tâche relancée",
            Self::RegulationCreate => "réglementation créée",
            Self::RegulationUpdate => "réglementation modifiée",
            Self::RegulationPublish => "réglementation publiée",
            Self::RegulationDelete => "réglementation supprimée",
            Self::RegulationMilestone => "échéance modifiée",
            Self::JurisdictionCreate => "juridiction créée",
            Self::JurisdictionUpdate => "juridiction modifiée",
            Self::TokenCreate => "jeton d’API créé",
            Self::TokenRevoke => "jeton d’API révoqué",
            Self::WebhookCreate => "webhook créé",
            Self::WebhookUpdate => "webhook modifié",
            Self::WebhookDelete => "webhook supprimé",
            Self::WebhookDisable => "webhook désactivé",
            Self::WebhookEnable => "webhook réactivé",
            Self::WebhookRotate => "secret de webhook renouvelé",
        }
    }

    /// What kind of thing the change is done to: the log's `target_type`.
    pub fn target_type(self) -> &'static str {
        match self {
            Self::ArticleCreate
            | Self::ArticleSave
            | Self::ArticleConflict
            | Self::ArticleDelete
            | Self::ArticleCorrection
            | Self::ArticleSubmit
            | Self::ArticleRetract
            | Self::ArticleRequestChanges
            | Self::ArticlePublish
            | Self::ArticleSchedule
            | Self::ArticleUnpublish
            | Self::ArticleWithdraw
            | Self::ArticleEmbargo
            | Self::ArticleEmbargoLift
            | Self::PreviewLinkCreate
            | Self::PreviewLinkRevoke
            | Self::ArticleBylines
            | Self::ArticleRevised
            | Self::ArticleTranslation
            | Self::ArticleArchive => "article",
            Self::TagCreate | Self::TagUpdate | Self::TagMerge | Self::TagDelete => "tag",
            Self::ContributorCreate | Self::ContributorUpdate => "contributor",
            Self::UserCreate
            | Self::UserRole
            | Self::UserDisable
            | Self::UserEnable
            | Self::UserPassword
            | Self::UserPasswordLink
            | Self::UserProfile
            | Self::UserEmail
            | Self::SessionEnd
            | Self::UserSecondFactor
            | Self::Login
            | Self::LoginFailed
            | Self::Logout => "user",
            Self::ImportWordpress | Self::SiteMenu => "site",
            Self::MediaUpload | Self::MediaUpdate | Self::MediaReplace | Self::MediaDelete => {
                "media"
            }
            Self::JobRetry => "job",
            Self::RegulationCreate
            | Self::RegulationUpdate
            | Self::RegulationPublish
            | Self::RegulationDelete
            | Self::RegulationMilestone => "regulation",
            Self::JurisdictionCreate | Self::JurisdictionUpdate => "jurisdiction",
            Self::TokenCreate | Self::TokenRevoke => "token",
            Self::WebhookCreate
            | Self::WebhookUpdate
            | Self::WebhookDelete
            | Self::WebhookDisable
            | Self::WebhookEnable
            | Self::WebhookRotate => "webhook",
        }
    }
}

impl fmt::Display for AuditAction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::AuditAction;

    #[test]
    fn every_action_has_its_own_name_and_its_area_is_its_target() {
        let mut names: Vec<&str> = AuditAction::ALL.iter().map(|a| a.as_str()).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), AuditAction::ALL.len(), "names are unique");
        for a in AuditAction::ALL {
            assert_eq!(AuditAction::parse(a.as_str()), Some(*a));
            let area = a.as_str().split('.').next().unwrap_or_default();
            match area {
                "login" | "logout" => assert_eq!(a.target_type(), "user"),
                "import" => assert_eq!(a.target_type(), "site"),
                area => assert_eq!(a.target_type(), area, "{a}"),
            }
        }
        assert_eq!(AuditAction::parse("article.frobnicate"), None);
    }
}

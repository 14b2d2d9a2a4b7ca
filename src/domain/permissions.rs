//! Who may do what: one function of (role, permission with its object) that every editor and
//! admin handler asks. Anything not granted here is denied.

use super::{Action, ArticleStatus, Role, transition};

/// Something a signed-in user tries to do, with what the rule needs to know about the object.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Permission {
    /// Open their own account page, sign out.
    ManageOwnAccount,
    /// Open the editor and create articles.
    UseEditor,
    /// See an article in the editor; `own` says whether they wrote it.
    ViewArticle { own: bool },
    /// Save changes to an article.
    EditArticle { own: bool, status: ArticleStatus },
    /// Move an article through its life (submit, publish, …).
    ChangeStatus {
        own: bool,
        from: ArticleStatus,
        action: Action,
    },
    /// Add a correction to a published article.
    AddCorrection,
    /// Putting an article under embargo, or moving its end: its author and editors; moving
    /// the end `earlier` (a partial lifting) editors only.
    SetEmbargo { own: bool, earlier: bool },
    /// Lifting an embargo before its time, so that the article may come out: editors.
    LiftEmbargo,
    /// Making (and revoking) a link for someone outside the newsroom to read the unpublished
    /// article: its author and editors.
    SharePreview { own: bool },
    /// Choosing who signs an article: its co-authors (its authors, while it is their draft, as
    /// for its text; editors always), its author (`author`: editors only).
    SetBylines {
        own: bool,
        author: bool,
        status: ArticleStatus,
    },
    /// Keep the list of guest contributors (bylines without an account): editors.
    ManageContributors,
    /// The site's menu and sections: admins.
    ManageSite,
    /// Open the review queue.
    Review,
    /// Delete an article for good: admins any article; anyone their own draft readers never
    /// saw (`unseen_draft`: a draft never published), which is still only their notes.
    DeleteArticle { own: bool, unseen_draft: bool },
    /// Create a tag while writing (everyone who writes: a new subject needs a new tag).
    CreateTag,
    /// Rename, merge or delete tags.
    ManageTags,
    /// Create users, change roles, disable accounts.
    ManageUsers,
    /// Read the audit log.
    ReadAudit,
    /// Keep the regulation tracker: records, milestones, jurisdictions (editors and admins).
    ManageRegulations,
    /// Delete a regulation record with its history.
    DeleteRegulation,
    /// Subscribe, change and remove webhooks, and read their delivery logs (admins).
    ManageWebhooks,
}

/// The roles table of the design, object-level rules included.
pub fn may(role: Role, permission: Permission) -> bool {
    use Permission::*;
    let editor = role.is_editor();
    let admin = role == Role::Admin;
    match permission {
        ManageOwnAccount | UseEditor | CreateTag => true,
        ViewArticle { own } => own || editor,
        EditArticle { own, status } => editor || (own && status == ArticleStatus::Draft),
        ChangeStatus { own, from, action } => {
            (own || editor) && transition(from, action, role).is_ok()
        }
        AddCorrection | Review | ManageRegulations | LiftEmbargo | ManageContributors => editor,
        SetBylines {
            own,
            author,
            status,
        } => editor || (own && !author && status == ArticleStatus::Draft),
        SetEmbargo { own, earlier } => editor || (own && !earlier),
        SharePreview { own } => own || editor,
        DeleteArticle { own, unseen_draft } => admin || (own && unseen_draft),
        ManageTags | ManageUsers | ReadAudit | DeleteRegulation | ManageWebhooks | ManageSite => {
            admin
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ArticleStatus::*;
    use Role::*;

    #[test]
    fn journalists_edit_only_their_own_drafts() {
        for &status in ArticleStatus::ALL {
            assert_eq!(
                may(Journalist, Permission::EditArticle { own: true, status }),
                status == Draft
            );
            assert!(!may(
                Journalist,
                Permission::EditArticle { own: false, status }
            ));
            assert!(may(Editor, Permission::EditArticle { own: false, status }));
            assert!(may(Admin, Permission::EditArticle { own: false, status }));
        }
    }

    #[test]
    fn journalists_see_and_submit_only_their_own_articles() {
        assert!(may(Journalist, Permission::ViewArticle { own: true }));
        assert!(!may(Journalist, Permission::ViewArticle { own: false }));
        let submit = |own| Permission::ChangeStatus {
            own,
            from: Draft,
            action: Action::Submit,
        };
        assert!(may(Journalist, submit(true)));
        assert!(!may(Journalist, submit(false)));
        assert!(may(Editor, submit(false)));
        let publish = Permission::ChangeStatus {
            own: true,
            from: InReview,
            action: Action::Publish,
        };
        assert!(!may(Journalist, publish));
        assert!(may(Editor, publish));
    }

    #[test]
    fn authors_set_and_extend_embargoes_and_editors_lift_them() {
        use Permission::*;
        let set = |own, earlier| SetEmbargo { own, earlier };
        assert!(may(Journalist, set(true, false)));
        assert!(!may(Journalist, set(true, true)));
        assert!(!may(Journalist, set(false, false)));
        assert!(may(Editor, set(false, true)));
        assert!(!may(Journalist, LiftEmbargo));
        assert!(may(Editor, LiftEmbargo));
        assert!(may(Admin, LiftEmbargo));
        assert!(may(Journalist, SharePreview { own: true }));
        assert!(!may(Journalist, SharePreview { own: false }));
        assert!(may(Editor, SharePreview { own: false }));
        // Bylines: authors add co-authors to their draft (not once it is submitted or out);
        // only editors give an article another author.
        let bylines = |own, author, status| SetBylines {
            own,
            author,
            status,
        };
        assert!(may(Journalist, bylines(true, false, Draft)));
        assert!(!may(Journalist, bylines(true, false, Published)));
        assert!(!may(Journalist, bylines(true, false, InReview)));
        assert!(!may(Journalist, bylines(true, true, Draft)));
        assert!(!may(Journalist, bylines(false, false, Draft)));
        assert!(may(Editor, bylines(false, true, Published)));
        assert!(!may(Journalist, ManageContributors));
        assert!(may(Editor, ManageContributors));
    }

    #[test]
    fn the_roles_table_for_newsroom_wide_powers() {
        use Permission::*;
        // (permission, journalist, editor, admin), straight from the design's table.
        let table = [
            (ManageOwnAccount, true, true, true),
            (UseEditor, true, true, true),
            (Review, false, true, true),
            (AddCorrection, false, true, true),
            (CreateTag, true, true, true),
            (
                DeleteArticle {
                    own: false,
                    unseen_draft: true,
                },
                false,
                false,
                true,
            ),
            (
                DeleteArticle {
                    own: true,
                    unseen_draft: false,
                },
                false,
                false,
                true,
            ),
            (
                DeleteArticle {
                    own: true,
                    unseen_draft: true,
                },
                true,
                true,
                true,
            ),
            (ManageTags, false, false, true),
            (ManageUsers, false, false, true),
            (ReadAudit, false, false, true),
            (ManageRegulations, false, true, true),
            (DeleteRegulation, false, false, true),
        ];
        for (p, j, e, a) in table {
            assert_eq!(
                [may(Journalist, p), may(Editor, p), may(Admin, p)],
                [j, e, a],
                "{p:?}"
            );
        }
    }
}

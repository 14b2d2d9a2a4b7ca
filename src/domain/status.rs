//! Roles, article statuses and the one transition table that says who may move an article where.

use std::fmt;

use time::OffsetDateTime;

/// What a signed-in user is allowed to do, per the roles table of the design.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Role {
    Journalist,
    Editor,
    Admin,
}

/// Where an article is in its life. Scheduling is `Published` with a future `published_at`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ArticleStatus {
    Draft,
    InReview,
    Published,
    Archived,
}

/// A change of status someone asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    /// The author (or anyone who may edit it) sends a draft to the editors.
    Submit,
    /// The author takes a submitted article back, to work on it again before review.
    Retract,
    /// An editor sends an article in review back to its author, with a note.
    RequestChanges,
    /// An editor publishes, now or at a chosen time (scheduling).
    Publish,
    /// An editor takes a published or archived article off the site, back to draft.
    Unpublish,
    /// An editor keeps a published article readable but out of lists and feeds.
    Archive,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TransitionError {
    #[error("your role may not do this")]
    Forbidden,
    #[error("this is not possible for an article that is {0}")]
    NotFrom(ArticleStatus),
}

macro_rules! string_enum {
    ($ty:ident { $($variant:ident => $s:literal),+ $(,)? }) => {
        impl $ty {
            pub const ALL: &'static [$ty] = &[$($ty::$variant),+];

            /// The value stored in the database and used in URLs.
            pub fn as_str(self) -> &'static str {
                match self { $($ty::$variant => $s),+ }
            }

            pub fn parse(s: &str) -> Option<Self> {
                match s { $($s => Some($ty::$variant),)+ _ => None }
            }
        }

        impl fmt::Display for $ty {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

string_enum!(Role { Journalist => "journalist", Editor => "editor", Admin => "admin" });
string_enum!(ArticleStatus {
    Draft => "draft",
    InReview => "in_review",
    Published => "published",
    Archived => "archived",
});
/// What kind of change a revision records: `Create`, `Save` and `Restore` became the article's
/// text; `Autosave` and `Conflict` keep typed text that did not (yet).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RevisionKind {
    Create,
    Save,
    Autosave,
    Conflict,
    Restore,
}

impl RevisionKind {
    /// Whether the article's text became what this revision holds.
    pub fn was_saved(self) -> bool {
        matches!(self, Self::Create | Self::Save | Self::Restore)
    }
}

string_enum!(RevisionKind {
    Create => "create",
    Save => "save",
    Autosave => "autosave",
    Conflict => "conflict",
    Restore => "restore",
});
string_enum!(Action {
    Submit => "submit",
    Retract => "retract",
    RequestChanges => "request_changes",
    Publish => "publish",
    Unpublish => "unpublish",
    Archive => "archive",
});

impl Role {
    /// Editors and admins review, publish and moderate.
    pub fn is_editor(self) -> bool {
        matches!(self, Role::Editor | Role::Admin)
    }
}

/// The transition table: the status `action` leads to from `from`, if `role` may do it.
/// Whether the user may touch this article at all (their own or not) is decided by
/// [`super::may`].
pub fn transition(
    from: ArticleStatus,
    action: Action,
    role: Role,
) -> Result<ArticleStatus, TransitionError> {
    use ArticleStatus::*;
    let needs_editor = !matches!(action, Action::Submit | Action::Retract);
    if needs_editor && !role.is_editor() {
        return Err(TransitionError::Forbidden);
    }
    match (action, from) {
        (Action::Submit, Draft)
        | (Action::Retract | Action::RequestChanges, InReview)
        | (Action::Publish, Draft | InReview | Published)
        | (Action::Unpublish, Published | Archived)
        | (Action::Archive, Published) => Ok(action.target()),
        (_, from) => Err(TransitionError::NotFrom(from)),
    }
}

impl Action {
    /// The status this action leads to, from wherever [`transition`] allows it.
    pub fn target(self) -> ArticleStatus {
        match self {
            Action::Submit => ArticleStatus::InReview,
            Action::Retract | Action::RequestChanges | Action::Unpublish => ArticleStatus::Draft,
            Action::Publish => ArticleStatus::Published,
            Action::Archive => ArticleStatus::Archived,
        }
    }
}

/// Where an article stands, as the newsroom says it: its status, told apart further by what
/// readers get. A published article whose time has not come is scheduled; a draft whose
/// address tells readers it was taken down is withdrawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Standing {
    Draft,
    Withdrawn,
    InReview,
    Scheduled(OffsetDateTime),
    Published,
    Archived,
}

impl Standing {
    /// The names of every standing, in the order lists offer them as filters.
    pub const KEYS: &'static [&'static str] = &[
        "draft",
        "in_review",
        "scheduled",
        "published",
        "withdrawn",
        "archived",
    ];

    pub fn of(
        status: ArticleStatus,
        published_at: Option<OffsetDateTime>,
        withdrawn: bool,
        now: OffsetDateTime,
    ) -> Self {
        match (status, published_at) {
            (ArticleStatus::Draft, _) if withdrawn => Self::Withdrawn,
            (ArticleStatus::Draft, _) => Self::Draft,
            (ArticleStatus::InReview, _) => Self::InReview,
            (ArticleStatus::Published, Some(at)) if at > now => Self::Scheduled(at),
            (ArticleStatus::Published, _) => Self::Published,
            (ArticleStatus::Archived, _) => Self::Archived,
        }
    }

    /// Its name, one of [`Standing::KEYS`]: in filters' URLs and style classes.
    pub fn key(self) -> &'static str {
        match self {
            Self::Draft => "draft",
            Self::Withdrawn => "withdrawn",
            Self::InReview => "in_review",
            Self::Scheduled(_) => "scheduled",
            Self::Published => "published",
            Self::Archived => "archived",
        }
    }

    /// The known name `s` is, if it is one.
    pub fn parse_key(s: &str) -> Option<&'static str> {
        Self::KEYS.iter().copied().find(|k| *k == s)
    }
}

#[cfg(test)]
mod tests {
    use super::ArticleStatus::*;
    use super::*;

    /// The whole table, written out by hand: (action, from, to) for editors and admins;
    /// journalists may only submit and take back.
    const ALLOWED: &[(Action, ArticleStatus, ArticleStatus)] = &[
        (Action::Submit, Draft, InReview),
        (Action::Retract, InReview, Draft),
        (Action::RequestChanges, InReview, Draft),
        (Action::Publish, Draft, Published),
        (Action::Publish, InReview, Published),
        // Rescheduling a published article keeps it published.
        (Action::Publish, Published, Published),
        (Action::Unpublish, Published, Draft),
        (Action::Unpublish, Archived, Draft),
        (Action::Archive, Published, Archived),
    ];

    #[test]
    fn every_role_action_and_status_matches_the_table() {
        for &role in Role::ALL {
            for &action in Action::ALL {
                for &from in ArticleStatus::ALL {
                    let expected = ALLOWED
                        .iter()
                        .find(|(a, f, _)| *a == action && *f == from)
                        .map(|(_, _, to)| *to);
                    let got = transition(from, action, role);
                    match expected {
                        Some(to)
                            if role.is_editor()
                                || matches!(action, Action::Submit | Action::Retract) =>
                        {
                            assert_eq!(got, Ok(to), "{role} {action} from {from}");
                        }
                        _ => assert!(got.is_err(), "{role} {action} from {from} gave {got:?}"),
                    }
                }
            }
        }
    }

    #[test]
    fn journalists_are_told_it_is_their_role_not_the_status() {
        assert_eq!(
            transition(InReview, Action::Publish, Role::Journalist),
            Err(TransitionError::Forbidden)
        );
        assert_eq!(
            transition(Archived, Action::Archive, Role::Editor),
            Err(TransitionError::NotFrom(Archived))
        );
    }

    #[test]
    fn a_published_article_whose_time_has_not_come_is_scheduled() {
        let now = time::macros::datetime!(2026-12-05 08:00 UTC);
        let later = now + time::Duration::hours(2);
        let earlier = now - time::Duration::hours(2);
        let of = |status, at, withdrawn| Standing::of(status, at, withdrawn, now);
        assert_eq!(
            of(Published, Some(later), false),
            Standing::Scheduled(later)
        );
        assert_eq!(of(Published, Some(earlier), false), Standing::Published);
        assert_eq!(of(Draft, Some(earlier), true), Standing::Withdrawn);
        assert_eq!(of(Draft, None, false), Standing::Draft);
        assert_eq!(of(InReview, Some(earlier), true), Standing::InReview);
        assert_eq!(of(Archived, Some(earlier), false), Standing::Archived);
        for key in Standing::KEYS {
            assert_eq!(Standing::parse_key(key), Some(*key));
        }
        assert_eq!(Standing::parse_key("scheduled'"), None);
    }

    #[test]
    fn names_round_trip() {
        for &s in ArticleStatus::ALL {
            assert_eq!(ArticleStatus::parse(s.as_str()), Some(s));
        }
        for &r in Role::ALL {
            assert_eq!(Role::parse(r.as_str()), Some(r));
        }
        assert_eq!(Role::parse("root"), None);
    }
}

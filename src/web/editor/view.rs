//! The article's page in the editor as the template draws it: the form's choices, the
//! workflow buttons, the header, the soft lock, corrections, and a conflict to decide.

use std::collections::HashSet;

use askama::Template;
use askama_web::WebTemplate;
use uuid::Uuid;

use super::bylines::BylinesBox;
use super::form::{ArticleForm, Errors};
use crate::domain::TagKind;
use crate::domain::diff::{Piece, word_diff};
use crate::domain::merge::Clash;
use crate::store::articles::desk::{Pick, TagChoice};
use crate::store::articles::links::LinkWarning;
use crate::web::Page;

/// A tag among the form's choices.
pub struct TagOption {
    pub id: Uuid,
    pub name: String,
    pub kind: TagKind,
    pub checked: bool,
}

/// A workflow button the user's role allows.
pub struct ActionButton {
    /// What it asks for (`submit`, `schedule`, `withdraw`…).
    pub action: &'static str,
    pub label: &'static str,
    /// The question asked before doing it, and the answer that does it. None: done at once.
    pub confirm: Option<(String, &'static str)>,
}

impl ActionButton {
    /// A button that does what it says at once.
    pub fn now(action: &'static str, label: &'static str) -> Self {
        Self {
            action,
            label,
            confirm: None,
        }
    }

    /// A button that first asks `question`, done by answering `yes`.
    pub fn asking(
        action: &'static str,
        label: &'static str,
        question: String,
        yes: &'static str,
    ) -> Self {
        Self {
            action,
            label,
            confirm: Some((question, yes)),
        }
    }
}

/// The article being edited, as the page's header shows it.
pub struct Meta {
    pub id: Uuid,
    /// One of `Standing::KEYS`.
    pub standing: &'static str,
    pub standing_label: String,
    /// Readers see it: saving changes their page at once.
    pub live: bool,
    /// Why it was withdrawn, when it is.
    pub withdrawn_reason: Option<String>,
    pub author_name: String,
    pub slug: String,
    /// The public address, once it is public.
    pub public_url: Option<String>,
    /// A standalone page (`/pages/…`), not an article.
    pub page: bool,
}

/// Someone else has the article open.
pub struct LockNotice {
    pub name: String,
    /// When they last saved or typed.
    pub last_seen: String,
}

/// A correction already published under the article.
pub struct CorrectionLine {
    pub date: String,
    pub body: String,
}

/// What another person saved while this one was typing, and what is left to decide.
pub struct ConflictView {
    pub by: String,
    pub version: i32,
    pub title: String,
    pub body: String,
    /// Both changed the title: theirs is shown beside the form's.
    pub title_clash: bool,
    /// Both changed the dek: theirs.
    pub dek_clash: Option<String>,
    /// Settings this form holds otherwise than the colleague saved them: what each is called,
    /// and the colleague's value.
    pub settings: Vec<(&'static str, String)>,
    /// Passages both changed differently.
    pub clashes: Vec<ClashView>,
}

/// A passage both changed, side by side, the differences marked.
pub struct ClashView {
    pub index: usize,
    pub at: usize,
    pub mine: String,
    pub theirs: String,
    /// Word by word: what only theirs has is `removed`, what only this person's has `added`.
    pub pieces: Vec<Piece>,
}

impl ClashView {
    pub fn new(index: usize, clash: Clash) -> Self {
        Self {
            index,
            pieces: word_diff(&clash.theirs, &clash.mine),
            at: clash.at,
            mine: clash.mine,
            theirs: clash.theirs,
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "editor/edit.html")]
pub struct EditPage {
    pub page: Page,
    pub csrf: String,
    pub article: Option<Meta>,
    pub form: ArticleForm,
    pub errors: Errors,
    pub tags: Vec<TagOption>,
    pub related: Vec<Pick>,
    pub results: Vec<Pick>,
    pub preview: Option<String>,
    pub warnings: Vec<String>,
    pub notice: Option<String>,
    pub lock: Option<LockNotice>,
    pub actions: Vec<ActionButton>,
    pub can_edit: bool,
    /// Readers see the article: saving changes their page at once, so it asks first.
    pub live: bool,
    pub conflict: Option<ConflictView>,
    pub unsaved: bool,
    /// The editor's note when the article was sent back.
    pub review_note: Option<String>,
    pub corrections: Vec<CorrectionLine>,
    pub can_correct: bool,
    pub correction_text: String,
    pub correction_error: Option<&'static str>,
    /// The body's words, and minutes of reading.
    pub words: usize,
    pub reading_minutes: usize,
    /// The summary derived from the text, shown when none is typed.
    pub excerpt_placeholder: String,
    pub can_delete: bool,
    pub delete_error: Option<&'static str>,
    /// What keeps a workflow button's request from being done (a schedule's date, an
    /// embargo…).
    pub workflow_error: Option<String>,
    /// The embargo box and the preview links box, for a stored article.
    pub embargo: Option<super::embargo::EmbargoBox>,
    pub sharing: Option<super::share::ShareBox>,
    pub bylines: Option<super::bylines::BylinesBox>,
    pub translation: Option<super::translation::TranslationBox>,
    pub notes: Option<super::notes::NotesBox>,
    /// `VIGIE_TIMEZONE`, for the scheduling field.
    pub timezone: String,
    pub script: &'static str,
    /// Images offered as the featured image (the chosen one first).
    pub featured_choices: Vec<FeaturedChoice>,
    /// The chosen one's id, empty for none.
    pub featured_value: String,
    /// How AI was used (`none`, `research`…), and every choice with its words.
    pub ai_use_value: String,
    pub ai_uses: Vec<(&'static str, &'static str)>,
    /// Left open to text-and-data mining.
    pub tdm_open: bool,
    /// Whether the site reserves those rights at all (else the choice means nothing).
    pub tdm_reserved: bool,
}

/// An image the settings offer as the featured image.
pub struct FeaturedChoice {
    pub id: String,
    pub alt: String,
    pub thumbnail: Option<String>,
}

impl EditPage {
    pub fn tag_options(choices: Vec<TagChoice>, checked: &[Uuid]) -> Vec<TagOption> {
        let checked: HashSet<&Uuid> = checked.iter().collect();
        choices
            .into_iter()
            .map(|c| TagOption {
                checked: checked.contains(&c.id),
                id: c.id,
                name: c.name,
                kind: c.kind,
            })
            .collect()
    }

    /// Where the form posts.
    pub fn action(&self) -> String {
        match &self.article {
            Some(a) => format!("/editor/articles/{}", a.id),
            None => "/editor/new".to_owned(),
        }
    }
}

/// The warnings about the body's links, in the newsroom's words.
pub fn describe(warnings: &[LinkWarning]) -> Vec<String> {
    warnings
        .iter()
        .map(|w| match w {
            LinkWarning::NoSuchArticle(slug) => format!("Le lien vers /articles/{slug} ne mène à aucun article."),
            LinkWarning::NotPublished(slug) => format!("Le lien vers /articles/{slug} mène à un article qui n’est pas publié : les lecteurs ne pourront pas le suivre."),
        })
        .collect()
}

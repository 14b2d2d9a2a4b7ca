//! The article form: what it posts and how it is checked (the page that shows it, always with
//! what was typed, is `view`).

use std::collections::HashSet;

use serde::Deserialize;
use uuid::Uuid;

use crate::domain::merge::{self, Clash};
use crate::domain::regulation::AiUse;
use crate::domain::{Lang, Slug, TagKind, Title, markdown};
use crate::store::articles::desk::Editable;
use crate::store::articles::write::Draft;

/// What the article form posts. Every field is optional so that a half-filled form is shown
/// again rather than refused.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct ArticleForm {
    /// The version the writer started from; 0 for a new article.
    #[serde(deserialize_with = "crate::web::auth::lenient_number")]
    pub version: i32,
    pub title: String,
    pub dek: String,
    pub slug: String,
    pub lang: String,
    pub excerpt: String,
    pub body: String,
    /// What a social network shows when the article is shared (empty: title and dek).
    pub social_title: String,
    pub social_description: String,
    /// The featured image's id; empty: none; absent: as it is.
    pub featured_media: Option<String>,
    /// How AI was used to make it (`none`, `research`…); absent: as it is (with `tdm_open`).
    pub ai_use: Option<String>,
    /// Ticked: left open to text-and-data mining.
    pub tdm_open: Option<String>,
    /// Ticked when saving an article readers see: the change is one of substance, and the page
    /// says "Mis à jour le …".
    pub substantive: Option<String>,
    /// `page` for a new standalone page (À propos, Mentions légales…), else an article.
    pub kind: String,
    /// Checked existing tags.
    #[serde(deserialize_with = "lenient_ids")]
    pub tags: Vec<Uuid>,
    pub new_tag_name: String,
    pub new_tag_kind: String,
    /// Related articles kept, in order.
    #[serde(deserialize_with = "lenient_ids")]
    pub related: Vec<Uuid>,
    /// Search results ticked to be added.
    #[serde(deserialize_with = "lenient_ids")]
    pub related_add: Vec<Uuid>,
    pub related_q: String,
    /// Why the article is withdrawn, with the "withdraw" button (shown to readers).
    pub reason: String,
    /// When to publish, with the "schedule" button: `YYYY-MM-DDTHH:MM`, newsroom's clock.
    pub at: String,
    /// From the conflict page: each passage both changed (where it starts in the merged text,
    /// this person's version, the colleague's), and the indexes of those where the
    /// colleague's is chosen.
    #[serde(deserialize_with = "lenient_indexes")]
    pub clash_at: Vec<usize>,
    pub clash_mine: Vec<String>,
    pub clash_theirs: Vec<String>,
    #[serde(deserialize_with = "lenient_indexes")]
    pub take_theirs: Vec<usize>,
    /// Which button: save (default), preview, search, up:<id>, or status:<action>.
    pub intent: String,
    /// Made when the form is shown: the same form sent twice saves once (see
    /// `articles::write::save`). A mangled one is no key, and the form saves as before.
    #[serde(deserialize_with = "lenient_id")]
    pub save_key: Option<Uuid>,
}

fn lenient_id<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Uuid>, D::Error> {
    let raw = String::deserialize(d)?;
    Ok(Uuid::parse_str(raw.trim()).ok())
}

/// Ids the form carries; a mangled one is dropped rather than losing the whole form.
fn lenient_ids<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<Uuid>, D::Error> {
    let raw = Vec::<String>::deserialize(d)?;
    Ok(raw
        .iter()
        .filter_map(|s| Uuid::parse_str(s.trim()).ok())
        .collect())
}

/// Indexes the form carries; a mangled one is dropped.
fn lenient_indexes<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<usize>, D::Error> {
    let raw = Vec::<String>::deserialize(d)?;
    Ok(raw.iter().filter_map(|s| s.trim().parse().ok()).collect())
}

impl ArticleForm {
    /// The form with the conflict page's choices applied to its text: each passage the person
    /// chose the colleague's version of takes its place. The choices are then spent. The index
    /// of a chosen passage that was edited since, if any (nothing is applied then).
    pub fn with_choices_applied(mut self, max_body: usize) -> (Self, Option<usize>) {
        // As many passages as a conflict page can show; a body too large to save is left for
        // the checks to refuse.
        const MAX_CLASHES: usize = 500;
        let n = self.clash_at.len().min(MAX_CLASHES);
        let mut moved = None;
        if n > 0
            && self.clash_mine.len() >= n
            && self.clash_theirs.len() >= n
            && !self.take_theirs.is_empty()
            && self.body.len() <= max_body
        {
            let clashes: Vec<Clash> = (0..n)
                .map(|i| Clash {
                    at: self.clash_at[i],
                    mine: std::mem::take(&mut self.clash_mine[i]),
                    theirs: std::mem::take(&mut self.clash_theirs[i]),
                })
                .collect();
            match merge::choose_theirs(&self.body, &clashes, &self.take_theirs) {
                Ok(body) => self.body = body,
                Err(m) => moved = Some(m.clash),
            }
        }
        self.clash_at.clear();
        self.clash_mine.clear();
        self.clash_theirs.clear();
        self.take_theirs.clear();
        (self, moved)
    }

    /// The form of an article as stored.
    pub fn from_article(a: &Editable) -> Self {
        Self {
            version: a.version,
            title: a.title.clone(),
            dek: a.dek.clone(),
            slug: if follows_title(a) {
                String::new()
            } else {
                a.slug.clone()
            },
            lang: a.lang.to_string(),
            excerpt: a.excerpt.clone(),
            body: a.body_markdown.clone(),
            social_title: a.social_title.clone(),
            social_description: a.social_description.clone(),
            featured_media: Some(
                a.featured_media_id
                    .map(|id| id.to_string())
                    .unwrap_or_default(),
            ),
            ai_use: Some(a.ai_use.as_str().to_owned()),
            tdm_open: a.tdm_open.then(|| "yes".to_owned()),
            tags: a.tags.0.clone(),
            related: a.picked.0.iter().map(|p| p.id).collect(),
            ..Self::default()
        }
    }

    /// Related articles in their new order: kept ones, then ticked results, once each; an
    /// `up:<id>` button moves one up a place.
    pub fn related_order(&self) -> Vec<Uuid> {
        let mut seen = HashSet::new();
        let mut order: Vec<Uuid> = Vec::new();
        for id in self.related.iter().chain(&self.related_add) {
            if seen.insert(*id) {
                order.push(*id);
            }
        }
        if let Some(id) = self
            .intent
            .strip_prefix("up:")
            .and_then(|s| Uuid::parse_str(s).ok())
            && let Some(i) = order.iter().position(|x| *x == id)
            && i > 0
        {
            order.swap(i, i - 1);
        }
        order
    }
}

/// Whether the article's address follows its title: readers never saw it, and nobody typed
/// one (it is the title's, perhaps numbered). Its form then leaves the address empty, and
/// saving derives it again from the title as it now reads.
pub fn follows_title(a: &Editable) -> bool {
    a.published_at.is_none()
        && Slug::parse(&a.slug)
            .is_ok_and(|slug| slug.is_numbered_from(&Slug::derive_or(&a.title, "article")))
}

impl ArticleForm {
    /// The form as the store writes it, once checked (`valid`): with the tags and related
    /// articles as the save resolved them, and the address only when one is kept (`slug`:
    /// `None` derives it from the title).
    pub fn draft<'a>(
        &'a self,
        valid: &'a Valid,
        slug: Option<&'a Slug>,
        tags: &'a [Uuid],
        related: &'a [Uuid],
    ) -> Draft<'a> {
        Draft {
            title: &valid.title,
            dek: &self.dek,
            slug,
            lang: valid.lang,
            excerpt: &self.excerpt,
            body_markdown: &self.body,
            tags,
            related,
            save_key: self.save_key,
            social: Some((&self.social_title, &self.social_description)),
            featured: self.featured(),
            disclosure: self.disclosure(),
        }
    }

    /// The AI-use disclosure and mining choice the form asks for: `None` when the form has no
    /// such fields (an unknown value is kept as it is, never guessed).
    pub fn disclosure(&self) -> Option<(AiUse, bool)> {
        let ai_use = AiUse::parse(self.ai_use.as_deref()?.trim())?;
        Some((ai_use, self.tdm_open.as_deref() == Some("yes")))
    }

    /// The featured image the form asks for: `None` when the form has no such field.
    pub fn featured(&self) -> Option<Option<Uuid>> {
        self.featured_media
            .as_deref()
            .map(|id| Uuid::parse_str(id.trim()).ok())
    }
}

/// Messages next to the fields that need fixing.
#[derive(Debug, Default)]
pub struct Errors {
    pub title: Option<&'static str>,
    pub slug: Option<&'static str>,
    pub lang: Option<&'static str>,
    pub dek: Option<&'static str>,
    pub excerpt: Option<&'static str>,
    pub body: Option<String>,
    pub new_tag: Option<&'static str>,
    pub social: Option<&'static str>,
    pub featured: Option<&'static str>,
}

impl Errors {
    pub fn any(&self) -> bool {
        self.title.is_some()
            || self.slug.is_some()
            || self.lang.is_some()
            || self.dek.is_some()
            || self.excerpt.is_some()
            || self.body.is_some()
            || self.new_tag.is_some()
            || self.social.is_some()
            || self.featured.is_some()
    }
}

/// A form that passed every check.
pub struct Valid {
    pub title: Title,
    pub slug: Slug,
    pub lang: Lang,
    pub new_tag: Option<(String, TagKind)>,
}

const DEK_CHARS: usize = 500;
/// The most related articles an editor picks for one article (the page shows a few).
pub const MAX_PICKED: usize = 50;
const EXCERPT_CHARS: usize = 1000;

/// Checks the form; `max_body` is the largest body in bytes. An empty slug keeps `current` (an
/// existing article's address never changes unless someone changes it), or for a new article
/// is derived from the title.
pub fn validate(
    form: &ArticleForm,
    current: Option<&str>,
    max_body: usize,
) -> Result<Valid, Box<Errors>> {
    let mut errors = Errors::default();
    // PostgreSQL stores no NUL character; nobody types one on purpose.
    if [
        &form.title,
        &form.dek,
        &form.slug,
        &form.excerpt,
        &form.body,
        &form.new_tag_name,
        &form.social_title,
        &form.social_description,
    ]
    .iter()
    .any(|f| f.contains('\0'))
    {
        errors.body = Some("Le texte contient un caractère nul invisible (souvent venu d’un copier-coller) : retirez-le.".to_owned());
    }
    let title = Title::parse(&form.title)
        .map_err(|_| errors.title = Some("Le titre est obligatoire (300 caractères au plus)."))
        .ok();
    let slug = if form.slug.trim().is_empty() {
        match current.and_then(|c| Slug::parse(c).ok()) {
            Some(current) => Some(current),
            None => title
                .as_ref()
                .map(|t| Slug::derive_or(t.as_str(), "article")),
        }
    } else {
        Slug::parse(form.slug.trim())
            .map_err(|_| {
                errors.slug = Some("L’adresse n’utilise que des minuscules sans accent, des chiffres et des tirets simples (80 caractères au plus).");
            })
            .ok()
    };
    let lang = Lang::parse(&form.lang).or_else(|| {
        errors.lang = Some("Choisissez le français ou l’anglais.");
        None
    });
    if form.dek.trim().chars().count() > DEK_CHARS {
        errors.dek = Some("Le chapô compte au plus 500 caractères.");
    }
    if form.excerpt.trim().chars().count() > EXCERPT_CHARS {
        errors.excerpt = Some("Le résumé compte au plus 1 000 caractères.");
    }
    if let Some(error) = social_error(form) {
        errors.social = Some(error);
    }
    if let Some(error) = body_error(&form.body, max_body) {
        errors.body = Some(error);
    }
    if form.related_order().len() > MAX_PICKED {
        errors.body = Some(format!(
            "Un article a au plus {MAX_PICKED} articles liés choisis : retirez-en quelques-uns."
        ));
    }
    let new_tag_name = form.new_tag_name.trim();
    let new_tag = if new_tag_name.is_empty() {
        None
    } else if new_tag_name.chars().count() > 100 || Slug::derive(new_tag_name).is_err() {
        errors.new_tag = Some(
            "Le nom du nouveau thème compte 1 à 100 caractères, dont au moins une lettre ou un chiffre.",
        );
        None
    } else {
        match TagKind::parse(&form.new_tag_kind) {
            Some(kind) => Some((new_tag_name.to_owned(), kind)),
            None => {
                errors.new_tag = Some("Choisissez le type du nouveau thème.");
                None
            }
        }
    };
    match (title, slug, lang, errors.any()) {
        (Some(title), Some(slug), Some(lang), false) => Ok(Valid {
            title,
            slug,
            lang,
            new_tag,
        }),
        _ => Err(Box::new(errors)),
    }
}

/// What is wrong with the social title and description: too long (line ends counted once, as
/// the browser counts them and as they are stored).
pub fn social_error(form: &ArticleForm) -> Option<&'static str> {
    let chars = |s: &str| s.trim().replace("\r\n", "\n").chars().count();
    (chars(&form.social_title) > 200 || chars(&form.social_description) > 500)
        .then_some("Le titre pour les réseaux compte au plus 200 caractères, sa description 500.")
}

/// What keeps a body from being rendered at all (and so from being saved or previewed): its
/// size in bytes over `max_body`, or nesting deeper than [`markdown::MAX_NESTING`].
pub fn body_error(body: &str, max_body: usize) -> Option<String> {
    if body.len() > max_body {
        return Some(format!(
            "Le texte dépasse la taille maximale : {} Kio de Markdown au plus (il en fait {}). Rien n’a été perdu : raccourcissez-le ou découpez-le.",
            max_body / 1024,
            body.len().div_ceil(1024)
        ));
    }
    (markdown::nesting(body) > markdown::MAX_NESTING).then(|| format!(
        "Le texte imbrique plus de {} niveaux de citations, de listes ou de balises HTML : simplifiez-le (rien n’a été perdu).",
        markdown::MAX_NESTING
    ))
}

/// What the rendered body shows that keeps it from being saved: images without a text
/// alternative.
pub fn check_rendered(rendered: &markdown::Rendered) -> Result<(), Box<Errors>> {
    match markdown::images_without_alt(&rendered.html) {
        0 => Ok(()),
        missing => Err(Box::new(Errors {
            body: Some(format!(
                "{missing} image(s) sans texte alternatif\u{202F}: décrivez chaque image entre les crochets, ![comme ceci](adresse), pour les lecteurs qui ne la voient pas."
            )),
            ..Errors::default()
        })),
    }
}

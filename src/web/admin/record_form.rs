//! A regulation record's form: what it posts, as typed (shown again when refused), and its
//! checks, which turn it into the fields the store writes.

use serde::Deserialize;
use time::Date;
use time::macros::format_description;
use uuid::Uuid;

use crate::domain::regulation::{LegalForm, RegulationStatus, web_address};
use crate::domain::{Lang, typography};
use crate::store::regulations::desk::{Fields, Record};

/// The record's form as typed.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct RecordForm {
    pub(super) name: String,
    pub(super) short_name: String,
    pub(super) official_title: String,
    pub(super) identifier: String,
    pub(super) jurisdiction: String,
    pub(super) legal_form: String,
    pub(super) status: String,
    pub(super) adopted_on: String,
    pub(super) official_url: String,
    pub(super) legislature_url: String,
    pub(super) summary: String,
    /// Why the status changed, for the public history.
    pub(super) change_note: String,
    pub(super) change_source: String,
}

impl RecordForm {
    /// Its words as readers get them (French spacing before `: ; ! ?`, inside « »).
    pub(super) fn typeset(self, lang: Lang) -> Self {
        Self {
            name: typography::for_lang(&self.name, lang),
            official_title: typography::for_lang(&self.official_title, lang),
            change_note: typography::for_lang(&self.change_note, lang),
            ..self
        }
    }

    pub(super) fn of(r: &Record) -> Self {
        Self {
            name: r.name.clone(),
            short_name: r.short_name.clone(),
            official_title: r.official_title.clone(),
            identifier: r.identifier.clone(),
            jurisdiction: r.jurisdiction_id.map(|j| j.to_string()).unwrap_or_default(),
            legal_form: r
                .legal_form
                .map(|f| f.as_str().to_owned())
                .unwrap_or_default(),
            status: r.status.map(|s| s.as_str().to_owned()).unwrap_or_default(),
            adopted_on: r.adopted_on.map(|d| d.to_string()).unwrap_or_default(),
            official_url: r.official_url.clone(),
            legislature_url: r.legislature_url.clone(),
            summary: r.summary_markdown.clone(),
            change_note: String::new(),
            change_source: String::new(),
        }
    }
}

/// The record's form, checked (its summary still to render).
pub(super) fn check(form: &RecordForm) -> Result<Fields<'_>, &'static str> {
    let name = form.name.trim();
    if name.is_empty() || name.chars().count() > 200 || name.contains('\0') {
        return Err("Le nom compte 1 à 200 caractères.");
    }
    let short = |s: &str, max: usize| s.trim().chars().count() <= max && !s.contains('\0');
    if !short(&form.short_name, 60)
        || crate::domain::Slug::derive(if form.short_name.trim().is_empty() {
            name
        } else {
            form.short_name.trim()
        })
        .is_err()
    {
        return Err(
            "Le nom court compte au plus 60 caractères, dont au moins une lettre ou un chiffre.",
        );
    }
    // The short name (or else the name) names the tag of the articles about it: 100 at most.
    if form.short_name.trim().is_empty() && name.chars().count() > 100 {
        return Err(
            "Avec un nom de plus de 100 caractères, donnez un nom court : il nomme le thème des articles.",
        );
    }
    if !short(&form.official_title, 1000) || !short(&form.identifier, 200) {
        return Err("Le titre officiel compte au plus 1 000 caractères, la référence 200.");
    }
    let jurisdiction_id =
        Uuid::parse_str(form.jurisdiction.trim()).map_err(|_| "Choisissez la juridiction.")?;
    let legal_form = LegalForm::parse(&form.legal_form).ok_or("Choisissez la forme juridique.")?;
    let status = RegulationStatus::parse(&form.status).ok_or("Choisissez le statut.")?;
    let adopted_on = match form.adopted_on.trim() {
        "" => None,
        typed => Some(
            Date::parse(typed, format_description!("[year]-[month]-[day]"))
                .ok()
                .filter(|d| (1900..=2200).contains(&d.year()))
                .ok_or("La date d’adoption s’écrit AAAA-MM-JJ.")?,
        ),
    };
    let official_url = web_address(&form.official_url)
        .ok_or("Le lien officiel doit être une adresse web complète (https://…).")?;
    let legislature_url = web_address(&form.legislature_url)
        .ok_or("Le lien du parlement doit être une adresse web complète (https://…).")?;
    if web_address(&form.change_source).is_none() {
        return Err("La source du changement doit être une adresse web complète (https://…).");
    }
    if form.summary.chars().count() > 20_000 || form.summary.contains('\0') {
        return Err("Le résumé compte au plus 20 000 caractères.");
    }
    if !short(&form.change_note, 500) {
        return Err("L’explication du changement compte au plus 500 caractères.");
    }
    Ok(Fields {
        name,
        short_name: form.short_name.trim(),
        official_title: form.official_title.trim(),
        identifier: form.identifier.trim(),
        jurisdiction_id,
        legal_form,
        status,
        adopted_on,
        official_url,
        legislature_url,
        summary_markdown: &form.summary,
        summary_html: "",
    })
}

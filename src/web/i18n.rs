//! The words of the site's own pages, per language (`VIGIE_LANG`). Article text is never
//! translated; only the interface around it.

use axum::http::StatusCode;

use crate::domain::Lang;

/// Every interface string of the public pages.
#[derive(Debug)]
pub struct Words {
    pub lang: Lang,
    pub tagline: &'static str,
    pub latest: &'static str,
    pub older: &'static str,
    pub newest: &'static str,
    pub by: &'static str,
    /// Between the last two names of a byline.
    pub and: &'static str,
    /// "Mis à jour le", before a date.
    pub revised: &'static str,
    /// The heading of a guest contributor's page.
    pub contributor_intro: &'static str,
    /// Before the links to an article's translations.
    pub also_in: &'static str,
    /// Before the date a standalone page last changed.
    pub page_updated: &'static str,
    pub related: &'static str,
    pub tags: &'static str,
    pub tag_intro: &'static str,
    pub author_intro: &'static str,
    pub no_articles: &'static str,
    pub back_home: &'static str,
    pub bad_cursor: &'static str,
    pub footer: &'static str,
    pub page_title_home: &'static str,
    pub corrections: &'static str,
    pub withdrawn: &'static str,
    /// Before the reason the newsroom gave for withdrawing an article.
    pub withdrawn_reason: &'static str,
    pub archived: &'static str,
    pub no_corrections: &'static str,
    pub skip_to_content: &'static str,
    /// The verb on search buttons and fields.
    pub search: &'static str,
    /// The search page's heading.
    pub search_title: &'static str,
    pub search_placeholder: &'static str,
    pub previous_results: &'static str,
    pub next_results: &'static str,
    /// Around the words searched for, in titles and "no result" messages.
    pub open_quote: &'static str,
    pub close_quote: &'static str,
    pub no_results: &'static str,
    pub main_nav: &'static str,
    /// Between a label and what follows (French puts a narrow space before the colon).
    pub colon: &'static str,
    pub sections: &'static str,
    pub regulations: &'static str,
    pub regulations_intro: &'static str,
    pub no_regulations: &'static str,
    pub all_statuses: &'static str,
    pub show: &'static str,
    pub status: &'static str,
    pub jurisdiction: &'static str,
    pub legal_form: &'static str,
    pub identifier: &'static str,
    pub adopted_on: &'static str,
    pub official_text: &'static str,
    pub legislature_page: &'static str,
    pub next_milestone: &'static str,
    pub no_coming_milestone: &'static str,
    pub timeline: &'static str,
    pub day_unknown: &'static str,
    pub history: &'static str,
    pub no_history: &'static str,
    pub source: &'static str,
    pub about_it: &'static str,
    pub calendar_subscribe: &'static str,
    pub changes_feed: &'static str,
    pub upcoming: &'static str,
    pub whole_calendar: &'static str,
    pub calendar_name: &'static str,
    pub calendar_description: &'static str,
    pub changes_title: &'static str,
    pub article_about: &'static str,
    pub ai_use: &'static str,
}

pub static FR: Words = Words {
    lang: Lang::Fr,
    tagline: "L’actualité de la régulation de l’intelligence artificielle",
    latest: "Derniers articles",
    older: "Articles plus anciens",
    newest: "Revenir aux articles les plus récents",
    by: "Par",
    and: "et",
    revised: "Mis à jour le",
    contributor_intro: "Contributeur invité",
    also_in: "Cet article existe aussi en :",
    page_updated: "Dernière mise à jour :",
    related: "À lire aussi",
    tags: "Thèmes",
    tag_intro: "Articles classés sous",
    author_intro: "Articles de",
    no_articles: "Aucun article publié pour le moment.",
    back_home: "Retour à l’accueil",
    bad_cursor: "Ce lien de pagination n’est pas valide. Repartez de la première page.",
    footer: "Vigie — l’actualité de la régulation de l’IA.",
    page_title_home: "Vigie — régulation de l’IA",
    corrections: "Corrections",
    no_corrections: "Aucune correction publiée.",
    withdrawn: "Cet article a été retiré par la rédaction.",
    withdrawn_reason: "Motif\u{202F}:",
    archived: "Article archivé\u{202F}: il reste en ligne pour mémoire, mais n’est plus tenu à jour.",
    skip_to_content: "Aller au contenu",
    search: "Rechercher",
    search_title: "Recherche",
    search_placeholder: "sécurité, AI Act, Anthropic…",
    previous_results: "Résultats précédents",
    next_results: "Résultats suivants",
    open_quote: "«\u{202F}",
    close_quote: "\u{202F}»",
    no_results: "Aucun article ne correspond à",
    main_nav: "Navigation du site",
    colon: "\u{202F}: ",
    sections: "Rubriques",
    regulations: "Réglementations",
    regulations_intro: "Les textes qui encadrent l’intelligence artificielle, où ils en sont et ce qui s’applique quand.",
    no_regulations: "Aucune réglementation suivie pour le moment.",
    all_statuses: "Tous les statuts",
    show: "Afficher",
    status: "Statut",
    jurisdiction: "Juridiction",
    legal_form: "Forme juridique",
    identifier: "Référence",
    adopted_on: "Adoption",
    official_text: "Texte officiel",
    legislature_page: "Travaux parlementaires",
    next_milestone: "Prochaine échéance",
    no_coming_milestone: "Aucune échéance à venir.",
    timeline: "Calendrier",
    day_unknown: "jour non précisé",
    history: "Historique des changements",
    no_history: "Aucun changement de date ni de statut depuis la publication de cette fiche.",
    source: "source",
    about_it: "Articles à ce sujet",
    calendar_subscribe: "S’abonner au calendrier (.ics)",
    changes_feed: "Suivre les changements (Atom)",
    upcoming: "À venir",
    whole_calendar: "Toutes les réglementations et leurs échéances",
    calendar_name: "Vigie — échéances de la régulation de l’IA",
    calendar_description: "Les dates d’application des textes suivis par Vigie.",
    changes_title: "Vigie — changements de calendrier et de statut",
    article_about: "Cet article porte sur",
    ai_use: "Usage de l’IA",
};

pub static EN: Words = Words {
    lang: Lang::En,
    tagline: "News on the regulation of artificial intelligence",
    latest: "Latest articles",
    older: "Older articles",
    newest: "Back to the newest articles",
    by: "By",
    and: "and",
    revised: "Updated",
    contributor_intro: "Guest contributor",
    also_in: "This article is also in:",
    page_updated: "Last updated:",
    related: "Read also",
    tags: "Topics",
    tag_intro: "Articles filed under",
    author_intro: "Articles by",
    no_articles: "No articles published yet.",
    back_home: "Back to the home page",
    bad_cursor: "This pagination link is not valid. Start again from the first page.",
    footer: "Vigie — news on AI regulation.",
    page_title_home: "Vigie — AI regulation",
    corrections: "Corrections",
    no_corrections: "No corrections published.",
    withdrawn: "This article was withdrawn by the newsroom.",
    withdrawn_reason: "Reason:",
    archived: "Archived article: kept online for the record, no longer updated.",
    skip_to_content: "Skip to content",
    search: "Search",
    search_title: "Search",
    search_placeholder: "safety, AI Act, Anthropic…",
    previous_results: "Previous results",
    next_results: "Next results",
    open_quote: "“",
    close_quote: "”",
    no_results: "No article matches",
    main_nav: "Site navigation",
    colon: ": ",
    sections: "Sections",
    regulations: "Regulations",
    regulations_intro: "The texts that govern artificial intelligence, where they stand and what applies when.",
    no_regulations: "No regulation tracked yet.",
    all_statuses: "All statuses",
    show: "Show",
    status: "Status",
    jurisdiction: "Jurisdiction",
    legal_form: "Legal form",
    identifier: "Reference",
    adopted_on: "Adopted",
    official_text: "Official text",
    legislature_page: "Legislative history",
    next_milestone: "Next milestone",
    no_coming_milestone: "No milestone to come.",
    timeline: "Timeline",
    day_unknown: "exact day unknown",
    history: "History of changes",
    no_history: "No change of date or status since this record was published.",
    source: "source",
    about_it: "Articles about it",
    calendar_subscribe: "Subscribe to the calendar (.ics)",
    changes_feed: "Follow the changes (Atom)",
    upcoming: "Coming up",
    whole_calendar: "Every regulation and its milestones",
    calendar_name: "Vigie — AI regulation deadlines",
    calendar_description: "When the texts Vigie follows apply.",
    changes_title: "Vigie — changes of dates and status",
    article_about: "This article is about",
    ai_use: "Use of AI",
};

impl Words {
    /// `words` between this language's quotation marks.
    pub fn quoted(&self, words: &str) -> String {
        format!("{}{words}{}", self.open_quote, self.close_quote)
    }

    pub fn for_lang(lang: Lang) -> &'static Words {
        match lang {
            Lang::Fr => &FR,
            Lang::En => &EN,
        }
    }

    /// Heading and explanation for an error page.
    pub fn error(&self, status: StatusCode) -> (&'static str, &'static str) {
        let fr = self.lang == Lang::Fr;
        match (status.as_u16(), fr) {
            (404 | 410, true) => (
                "Page introuvable",
                "Cette page n’existe pas ou n’est plus en ligne.",
            ),
            (404 | 410, false) => (
                "Page not found",
                "This page does not exist or is no longer online.",
            ),
            (400, true) => ("Requête incorrecte", "Cette adresse n’est pas valide."),
            (400, false) => ("Bad request", "This address is not valid."),
            (405, true) => (
                "Méthode non permise",
                "Cette action n’est pas possible sur cette page.",
            ),
            (405, false) => (
                "Method not allowed",
                "This action is not possible on this page.",
            ),
            (408, true) => (
                "Délai dépassé",
                "La requête a pris trop de temps. Réessayez.",
            ),
            (408, false) => (
                "Request timeout",
                "The request took too long. Please try again.",
            ),
            (403, true) => (
                "Accès refusé",
                "Vous n’avez pas le droit de faire cela, ou le formulaire a expiré : rechargez la page.",
            ),
            (403, false) => (
                "Access denied",
                "You may not do this, or the form has expired: reload the page.",
            ),
            (429, true) => (
                "Trop de tentatives",
                "Trop de tentatives de connexion. Patientez avant de réessayer.",
            ),
            (429, false) => (
                "Too many attempts",
                "Too many sign-in attempts. Please wait before trying again.",
            ),
            (409, true) => ("Conflit", "Quelqu’un a modifié cela entre-temps."),
            (409, false) => ("Conflict", "Someone changed this in the meantime."),
            (413, true) => (
                "Contenu trop volumineux",
                "Ce que vous avez envoyé dépasse la taille permise.",
            ),
            (413, false) => ("Content too large", "What you sent is larger than allowed."),
            (503, true) => (
                "Service momentanément indisponible",
                "Le site ne peut pas répondre pour l’instant. Réessayez dans quelques secondes ; rien de ce qui a été enregistré n’est perdu.",
            ),
            (503, false) => (
                "Temporarily unavailable",
                "The site cannot answer right now. Please try again in a few seconds; nothing that was saved is lost.",
            ),
            (s, true) if s < 500 => ("Requête refusée", "Cette requête ne peut pas aboutir."),
            (_, false) if status.is_client_error() => {
                ("Request refused", "This request cannot be completed.")
            }
            (_, true) => (
                "Une erreur est survenue",
                "Le problème vient de notre côté. Réessayez dans un instant.",
            ),
            (_, false) => (
                "Something went wrong",
                "The problem is on our side. Please try again in a moment.",
            ),
        }
    }
}

//! The demo's regulation tracker: the EU AI Act with the dates of its Article 113, and
//! Colorado's AI Act with the postponement of its date of application (its public history),
//! each published, through the same store functions as the newsroom's forms.

use sqlx::PgConnection;
use time::macros::{date, datetime};
use uuid::Uuid;

use super::DemoError;
use crate::domain::Lang;
use crate::domain::regulation::{LegalForm, MilestoneDate, RegulationStatus};
use crate::domain::{markdown, typography};
use crate::store::regulations::desk::{self, Fields, Why};
use crate::store::regulations::milestones::{self, MilestoneFields};

const EUR_LEX: &str = "https://eur-lex.europa.eu/eli/reg/2024/1689/oj";
const COLORADO: &str = "https://leg.colorado.gov/bills/sb24-205";
const COLORADO_DELAY: &str = "https://leg.colorado.gov/bills/sb25b-004";

const AI_ACT_SUMMARY: &str = "Le premier cadre juridique général de l’intelligence artificielle au monde. Il classe les systèmes d’IA selon leur risque :

- **risque inacceptable** : pratiques interdites (notation sociale, manipulation, reconnaissance des émotions au travail…) ;
- **haut risque** : systèmes soumis à évaluation de conformité, gestion des risques et surveillance humaine ;
- **transparence** : chatbots et contenus générés doivent être signalés comme tels.

Les fournisseurs de **modèles d’IA à usage général** ont leurs propres obligations (documentation, droit d’auteur), renforcées pour les modèles présentant un risque systémique.";

/// (date, label, what applies) — Article 113 of Regulation (EU) 2024/1689.
const AI_ACT_MILESTONES: &[(&str, &str, &str)] = &[
    (
        "2024-08-01",
        "Entrée en vigueur",
        "Le règlement entre en vigueur vingt jours après sa publication au Journal officiel, le 12 juillet 2024.",
    ),
    (
        "2025-02-02",
        "Interdictions et maîtrise de l’IA",
        "Chapitres I et II : les pratiques d’IA interdites (article 5) et l’obligation de maîtrise de l’IA (article 4).",
    ),
    (
        "2025-08-02",
        "Modèles d’IA à usage général, gouvernance et sanctions",
        "Chapitre III section 4, chapitre V (modèles d’IA à usage général), chapitre VII (gouvernance), chapitre XII (sanctions, sauf l’article 101) et article 78.",
    ),
    (
        "2026-08-02",
        "Application générale",
        "Le reste du règlement, dont les systèmes d’IA à haut risque de l’annexe III et les obligations de transparence de l’article 50.",
    ),
    (
        "2027-08-02",
        "Haut risque : produits de l’annexe I",
        "Article 6, paragraphe 1 : les systèmes d’IA à haut risque intégrés aux produits couverts par la législation d’harmonisation de l’Union (annexe I).",
    ),
];

fn date(typed: &str) -> Result<MilestoneDate, DemoError> {
    MilestoneDate::parse(typed).ok_or(DemoError::Tracker("a milestone's date"))
}

/// Loads the tracker, in the demo's transaction.
pub async fn load(conn: &mut PgConnection, site_url: &str) -> Result<(), DemoError> {
    let eu = jurisdiction(conn, "Union européenne").await?;
    let colorado = jurisdiction(conn, "Colorado").await?;
    jurisdiction(conn, "États-Unis").await?;

    let summary = markdown::render(AI_ACT_SUMMARY, site_url, Lang::Fr);
    let ai_act = desk::create(
        conn,
        &Fields {
            name: "Règlement européen sur l’intelligence artificielle",
            short_name: "AI Act",
            official_title: "Règlement (UE) 2024/1689 du Parlement européen et du Conseil du 13 juin 2024 établissant des règles harmonisées concernant l’intelligence artificielle",
            identifier: "Règlement (UE) 2024/1689",
            jurisdiction_id: eu,
            legal_form: LegalForm::Regulation,
            status: RegulationStatus::PartlyApplicable,
            adopted_on: Some(date!(2024 - 06 - 13)),
            official_url: EUR_LEX,
            legislature_url: "https://oeil.secure.europarl.europa.eu/oeil/popups/ficheprocedure.do?reference=2021/0106(COD)",
            summary_markdown: AI_ACT_SUMMARY,
            summary_html: &summary.html,
        },
    )
    .await?
    .map_err(|_| DemoError::Tracker("the AI Act is there already"))?;
    for (on, label, applies) in AI_ACT_MILESTONES {
        // Typeset as the newsroom's forms do (a narrow space before the colon).
        let (label, applies) = (typography::french(label), typography::french(applies));
        let fields = MilestoneFields {
            date: date(on)?,
            label: &label,
            applies: &applies,
            source_url: EUR_LEX,
        };
        let _ = milestones::add_milestone(conn, ai_act, &fields, Why::default()).await?;
    }
    let _ = desk::publish(conn, ai_act).await?;

    let colorado_summary = "La première loi d’un État américain sur les systèmes d’IA « à haut risque » : développeurs et déployeurs doivent prévenir la discrimination algorithmique dans les décisions qui comptent (emploi, logement, crédit, santé, éducation).";
    let summary = markdown::render(colorado_summary, site_url, Lang::Fr);
    let fields = Fields {
        name: "Loi du Colorado sur l’intelligence artificielle",
        short_name: "Colorado AI Act",
        official_title: "Consumer Protections for Artificial Intelligence (SB 24-205)",
        identifier: "SB 24-205",
        jurisdiction_id: colorado,
        legal_form: LegalForm::Law,
        status: RegulationStatus::Adopted,
        adopted_on: Some(date!(2024 - 05 - 17)),
        official_url: COLORADO,
        legislature_url: "",
        summary_markdown: colorado_summary,
        summary_html: &summary.html,
    };
    let colorado_act = desk::create(conn, &fields)
        .await?
        .map_err(|_| DemoError::Tracker("the Colorado AI Act is there already"))?;
    let applies =
        "Les obligations des développeurs et des déployeurs de systèmes d’IA à haut risque.";
    let first = MilestoneFields {
        date: date("2026-02-01")?,
        label: "Entrée en application",
        applies,
        source_url: COLORADO,
    };
    let signed = MilestoneFields {
        date: date("2024-05-17")?,
        label: "Promulgation",
        applies: "La loi est signée par le gouverneur ; ses obligations s’appliqueront plus tard.",
        source_url: COLORADO,
    };
    let _ = milestones::add_milestone(conn, colorado_act, &signed, Why::default()).await?;
    let Ok(milestone) =
        milestones::add_milestone(conn, colorado_act, &first, Why::default()).await?
    else {
        return Err(DemoError::Tracker("the Colorado AI Act is gone"));
    };
    let _ = desk::publish(conn, colorado_act).await?;
    // Public since, so that its postponement is history, dated as it happened.
    let moved = MilestoneFields {
        date: date("2026-06-30")?,
        source_url: COLORADO_DELAY,
        ..first
    };
    let why = Why {
        note: "Report voté en session extraordinaire (SB25B-004) et signé par le gouverneur.",
        source_url: COLORADO_DELAY,
        actor: None,
        at: Some(datetime!(2025-08-28 18:00 UTC)),
    };
    let _ = milestones::update_milestone(conn, colorado_act, milestone, &moved, why).await?;
    let in_force = Fields {
        status: RegulationStatus::InForce,
        ..fields
    };
    let why = Why {
        note: "Date d’application atteinte.",
        source_url: COLORADO_DELAY,
        actor: None,
        at: Some(datetime!(2026-06-30 06:00 UTC)),
    };
    let _ = desk::update(conn, colorado_act, &in_force, why).await?;
    Ok(())
}

async fn jurisdiction(conn: &mut PgConnection, name: &str) -> Result<Uuid, DemoError> {
    desk::create_jurisdiction(conn, name)
        .await?
        .map_err(|_| DemoError::Tracker("a jurisdiction is there already"))
}

//! The demo content `vigie serve --demo` loads: the first real article (French, with its table
//! and its three inline links), the three articles it links to, an author, tags of every kind,
//! a draft that must never be public, one picture (drawn by `picture`) as the sample's
//! featured image, and the regulation tracker's first records (`tracker`). Shipped inside the binary; loaded once.

mod picture;
mod tracker;

use sqlx::PgPool;
use time::OffsetDateTime;
use time::macros::datetime;
use uuid::Uuid;

use crate::domain::ArticleStatus;
use crate::domain::{DisplayName, Email, Lang, Role, TagKind, TextError, Title};
use crate::media::MediaStore;
use crate::store::articles::status::{self, Step, When};
use crate::store::articles::write::{self, Draft};
use crate::store::{self, tags, users};

struct DemoArticle {
    title: &'static str,
    dek: &'static str,
    body: &'static str,
    tags: &'static [&'static str],
    /// `None`: stays a draft.
    published_at: Option<OffsetDateTime>,
    /// Shows the demo's picture as its featured image.
    featured: bool,
}

const TAGS: &[(&str, TagKind, &str)] = &[
    (
        "Anthropic",
        TagKind::Organisation,
        "L’entreprise américaine qui développe les modèles Claude.",
    ),
    (
        "OpenAI",
        TagKind::Organisation,
        "L’entreprise américaine qui développe ChatGPT.",
    ),
    (
        "États-Unis",
        TagKind::Jurisdiction,
        "La régulation de l’IA à Washington et dans les États américains.",
    ),
    (
        "Union européenne",
        TagKind::Jurisdiction,
        "La régulation de l’IA à Bruxelles et dans les États membres.",
    ),
    (
        "Sécurité de l’IA",
        TagKind::Topic,
        "Garde-fous, évaluations et audits des modèles.",
    ),
    (
        "Droit d’auteur",
        TagKind::Topic,
        "Propriété intellectuelle, données d’entraînement et copie de modèles.",
    ),
    (
        "Fiabilité des services",
        TagKind::Topic,
        "Pannes, disponibilité et dépendance aux fournisseurs d’IA.",
    ),
    (
        "AI Act",
        TagKind::Regulation,
        "Le règlement européen sur l’intelligence artificielle.",
    ),
];

/// In load order: the articles the sample links to come first, so its links resolve.
const ARTICLES: &[DemoArticle] = &[
    DemoArticle {
        title: "Des accusations de copie de modèles d’IA et Yiaho : un miroir de l’avenir de l’IA",
        dek: "La « distillation » de modèles concurrents interroge le droit autant que l’éthique.",
        body: include_str!("accusations-copie-yiaho.md"),
        tags: &["Droit d’auteur", "Sécurité de l’IA"],
        published_at: Some(datetime!(2026-02-12 09:30 UTC)),
        featured: false,
    },
    DemoArticle {
        title: "OpenAI : dernières nouveautés",
        dek: "",
        body: include_str!("openai-nouveautes.md"),
        tags: &["OpenAI", "États-Unis"],
        published_at: Some(datetime!(2026-02-19 14:00 UTC)),
        featured: false,
    },
    DemoArticle {
        title: "ChatGPT hors service : une panne touche de nombreux utilisateurs",
        dek: "Une interruption rappelle la dépendance des organisations à quelques fournisseurs.",
        body: include_str!("chatgpt-panne.md"),
        tags: &["OpenAI", "Fiabilité des services"],
        published_at: Some(datetime!(2026-02-24 17:45 UTC)),
        featured: false,
    },
    DemoArticle {
        title: "Anthropic et Washington : rester ferme sur la sécurité de l’IA",
        dek: "Face aux pressions de l’administration américaine, Anthropic affirme que ses choix de sécurité ne suivront pas le calendrier politique.",
        body: include_str!("anthropic-washington.md"),
        tags: &["Anthropic", "États-Unis", "Sécurité de l’IA", "AI Act"],
        published_at: Some(datetime!(2026-02-27 08:00 UTC)),
        featured: true,
    },
    DemoArticle {
        title: "L’AI Act face aux modèles de fondation",
        dek: "",
        body: include_str!("brouillon-ai-act.md"),
        tags: &["Union européenne", "AI Act"],
        published_at: None,
        featured: false,
    },
];

const AUTHOR_EMAIL: &str = "camille.martin@vigie.example";

#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    #[error("loading the demo content failed: {0}")]
    Database(#[from] sqlx::Error),
    #[error("the demo content is invalid: {0}")]
    Invalid(#[from] TextError),
    #[error("the demo content is inconsistent: {0}")]
    Tracker(&'static str),
    #[error("storing the demo picture failed: {0:#}")]
    Media(anyhow::Error),
}

/// Loads the demo content unless it is already there. Safe to run on every start, and from
/// several instances at once.
pub async fn load(pool: &PgPool, media: &MediaStore, site_url: &str) -> Result<(), DemoError> {
    let mut tx = pool.begin().await?;
    // One loader at a time; the second finds the content there and leaves.
    sqlx::query!("select pg_advisory_xact_lock(hashtext('vigie-demo'))")
        .execute(&mut *tx)
        .await?;
    let email = Email::parse(AUTHOR_EMAIL)?;
    if users::id_by_email(&mut tx, &email).await?.is_some() {
        tracing::info!("demo content already loaded");
        return Ok(());
    }
    let author = users::create(
        &mut tx,
        &users::NewUser {
            email: &email,
            display_name: &DisplayName::parse("Camille Martin")?,
            role: Role::Journalist,
            bio: "Journaliste à Vigie, suit la régulation de l’intelligence artificielle entre Washington et Bruxelles.",
            password_hash: None,
        },
    )
    .await?;
    let picture = picture::jpeg();
    let key = MediaStore::original_key(&crate::media::process::full_hash(&picture), "jpg");
    let picture_id = Uuid::new_v4();
    let new_media = store::media::NewMedia {
        id: picture_id,
        original_key: &key,
        original_bytes: i64::try_from(picture.len()).unwrap_or(i64::MAX),
        format: "jpeg",
        width: i32::try_from(picture::WIDTH).unwrap_or(i32::MAX),
        height: i32::try_from(picture::HEIGHT).unwrap_or(i32::MAX),
        alt: picture::ALT,
        caption: "",
        credit: picture::CREDIT,
        uploaded_by: Some(author),
    };
    media.put(&key, picture).await.map_err(DemoError::Media)?;
    store::media::insert(&mut tx, &new_media).await?;
    crate::media::renditions::ask(&mut tx, picture_id).await?;
    let mut tag_ids = Vec::new();
    for (name, kind, description) in TAGS {
        tag_ids.push((
            *name,
            tags::find_or_create(&mut tx, name, *kind, description).await?,
        ));
    }
    for demo in ARTICLES {
        let title = Title::parse(demo.title)?;
        let tags: Vec<Uuid> = demo
            .tags
            .iter()
            .filter_map(|name| tag_ids.iter().find(|(n, _)| n == name).map(|(_, id)| *id))
            .collect();
        let draft = Draft {
            title: &title,
            dek: demo.dek,
            slug: None,
            lang: Lang::Fr,
            excerpt: "",
            body_markdown: demo.body,
            tags: &tags,
            related: &[],
            save_key: None,
            social: None,
            featured: Some(demo.featured.then_some(picture_id)),
            disclosure: None,
        };
        let rendered = crate::domain::markdown::render(demo.body, site_url, Lang::Fr);
        let created = write::create(&mut tx, author, None, &draft, &rendered).await?;
        if let Some(at) = demo.published_at {
            let seen = (ArticleStatus::Draft, created.version);
            let changed =
                status::change(&mut tx, created.id, seen, Step::Publish(When::At(at)), None)
                    .await?;
            if !changed.done() {
                return Err(DemoError::Tracker("a demo article could not be published"));
            }
        }
    }
    tracker::load(&mut tx, site_url).await?;
    tx.commit().await?;
    tracing::info!(articles = ARTICLES.len(), "demo content loaded");
    Ok(())
}

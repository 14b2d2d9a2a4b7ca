//! The demo content `vigie serve --demo` loads: the first real article (French, with its table
//! and its three inline links) and its English translation, the three articles it links to,
//! an author, a guest contributor co-signing one more article, tags of every kind, a draft that
//! must never be public, an article in review under embargo, the site's pages (À propos,
//! Mentions légales…) and its menu, one picture (drawn by `picture`) as the sample's featured
//! image, and the regulation tracker's first records (`tracker`). Shipped inside the binary; loaded once.

mod picture;
mod tracker;

use sqlx::{PgConnection, PgPool};
use time::OffsetDateTime;
use time::macros::datetime;
use uuid::Uuid;

use crate::domain::ArticleStatus;
use crate::domain::{DisplayName, Email, Lang, Role, TagKind, TextError, Title};
use crate::media::MediaStore;
use crate::store::articles::status::{self, Step, When};
use crate::store::articles::write::{self, Draft};
use crate::store::articles::{bylines, embargo, translations};
use crate::store::{self, tags, users};

struct DemoArticle {
    title: &'static str,
    dek: &'static str,
    body: &'static str,
    lang: Lang,
    tags: &'static [&'static str],
    /// `None`: stays a draft (or in review, `submitted`).
    published_at: Option<OffsetDateTime>,
    /// Shows the demo's picture as its featured image.
    featured: bool,
    /// Co-signed by the demo's guest contributor.
    guest: bool,
    /// The title of the article (loaded before) it translates.
    translates: Option<&'static str>,
    /// Sent for review, under an embargo ending this many days after the demo is loaded.
    embargo_days: Option<i64>,
    /// A standalone page (`/pages/…`), in the site's menu with this label.
    page: Option<&'static str>,
}

impl DemoArticle {
    const fn new(title: &'static str, body: &'static str) -> Self {
        Self {
            title,
            dek: "",
            body,
            lang: Lang::Fr,
            tags: &[],
            published_at: None,
            featured: false,
            guest: false,
            translates: None,
            embargo_days: None,
            page: None,
        }
    }
}

/// The guest contributor (a byline without an account) of the co-signed demo article.
const GUEST: (&str, &str) = (
    "Inès Durand",
    "Juriste, spécialiste du droit du numérique et de la régulation américaine de l’IA. Contributrice invitée.",
);

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
        dek: "La « distillation » de modèles concurrents interroge le droit autant que l’éthique.",
        tags: &["Droit d’auteur", "Sécurité de l’IA"],
        published_at: Some(datetime!(2026-02-12 09:30 UTC)),
        ..DemoArticle::new(
            "Des accusations de copie de modèles d’IA et Yiaho : un miroir de l’avenir de l’IA",
            include_str!("accusations-copie-yiaho.md"),
        )
    },
    DemoArticle {
        tags: &["OpenAI", "États-Unis"],
        published_at: Some(datetime!(2026-02-19 14:00 UTC)),
        ..DemoArticle::new(
            "OpenAI : dernières nouveautés",
            include_str!("openai-nouveautes.md"),
        )
    },
    DemoArticle {
        dek: "Une interruption rappelle la dépendance des organisations à quelques fournisseurs.",
        tags: &["OpenAI", "Fiabilité des services"],
        published_at: Some(datetime!(2026-02-24 17:45 UTC)),
        ..DemoArticle::new(
            "ChatGPT hors service : une panne touche de nombreux utilisateurs",
            include_str!("chatgpt-panne.md"),
        )
    },
    DemoArticle {
        dek: "Face aux pressions de l’administration américaine, Anthropic affirme que ses choix de sécurité ne suivront pas le calendrier politique.",
        tags: &["Anthropic", "États-Unis", "Sécurité de l’IA", "AI Act"],
        published_at: Some(datetime!(2026-02-27 08:00 UTC)),
        featured: true,
        ..DemoArticle::new(
            "Anthropic et Washington : rester ferme sur la sécurité de l’IA",
            include_str!("anthropic-washington.md"),
        )
    },
    DemoArticle {
        tags: &["Union européenne", "AI Act"],
        ..DemoArticle::new(
            "L’AI Act face aux modèles de fondation",
            include_str!("brouillon-ai-act.md"),
        )
    },
    // The sample's English version, linked both ways.
    DemoArticle {
        dek: "Under pressure from the US administration, Anthropic says its safety choices will not follow the political calendar.",
        lang: Lang::En,
        tags: &["Anthropic", "États-Unis", "Sécurité de l’IA", "AI Act"],
        published_at: Some(datetime!(2026-02-27 09:00 UTC)),
        featured: true,
        translates: Some("Anthropic et Washington : rester ferme sur la sécurité de l’IA"),
        ..DemoArticle::new(
            "Anthropic and Washington: standing firm on AI safety",
            include_str!("anthropic-washington.en.md"),
        )
    },
    // Co-signed with a guest contributor.
    DemoArticle {
        dek: "Le premier État américain doté d’une loi générale sur l’IA prend le temps de la revoir.",
        tags: &["États-Unis"],
        published_at: Some(datetime!(2026-02-20 10:00 UTC)),
        guest: true,
        ..DemoArticle::new(
            "Le Colorado repousse son AI Act",
            include_str!("colorado-report.md"),
        )
    },
    // Ready, in review, and under embargo: it may not come out before its time.
    DemoArticle {
        tags: &["Union européenne"],
        embargo_days: Some(EMBARGO_DAYS),
        ..DemoArticle::new(
            "Ce que la CNIL recommande pour entraîner les modèles d’IA",
            include_str!("embargo-cnil.md"),
        )
    },
    // The site's pages, in its menu.
    DemoArticle {
        published_at: Some(datetime!(2026-01-05 09:00 UTC)),
        page: Some("À propos"),
        ..DemoArticle::new("À propos", include_str!("page-a-propos.md"))
    },
    DemoArticle {
        published_at: Some(datetime!(2026-01-05 09:00 UTC)),
        page: Some("Charte éditoriale"),
        ..DemoArticle::new("Charte éditoriale", include_str!("page-charte.md"))
    },
    DemoArticle {
        published_at: Some(datetime!(2026-01-05 09:00 UTC)),
        page: Some("Contact"),
        ..DemoArticle::new("Contact", include_str!("page-contact.md"))
    },
    DemoArticle {
        published_at: Some(datetime!(2026-01-05 09:00 UTC)),
        page: Some("Mentions légales"),
        ..DemoArticle::new("Mentions légales", include_str!("page-mentions-legales.md"))
    },
];

/// The menu's sections (tags with public articles) and the tracker, before the pages.
const MENU: &[(&str, &str)] = &[
    ("Réglementations", "/regulations"),
    ("États-Unis", "/tags/etats-unis"),
    ("Sécurité de l’IA", "/tags/securite-de-l-ia"),
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

/// The demo's embargo, as the newsroom noted it.
const EMBARGO_NOTE: &str = "Avis de la CNIL sous embargo (communiqué aux rédactions).";

/// How long the demo's embargo lasts from when it is set.
const EMBARGO_DAYS: i64 = 3;

/// The demo's embargoed article, still waiting for review after its embargo ended (a demo
/// loaded days ago), is embargoed again for [`EMBARGO_DAYS`]: `serve --demo` always shows one.
/// An article someone published, or whose embargo someone changed, is left as it is.
async fn renew_embargo(tx: &mut PgConnection, author: Uuid) -> Result<(), DemoError> {
    let lapsed = sqlx::query_scalar!(
        r#"
        select id from article
        where author_id = $1 and status = 'in_review' and embargo_note = $2
          and embargo_until <= now()
        "#,
        author,
        EMBARGO_NOTE
    )
    .fetch_all(&mut *tx)
    .await?;
    for id in lapsed {
        let until = OffsetDateTime::now_utc() + time::Duration::days(EMBARGO_DAYS);
        embargo::set(tx, id, until, EMBARGO_NOTE, author)
            .await?
            .map_err(|_| DemoError::Tracker("the demo embargo could not be renewed"))?;
    }
    Ok(())
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
    if let Some(author) = users::id_by_email(&mut tx, &email).await? {
        renew_embargo(&mut tx, author).await?;
        tx.commit().await?;
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
    let guest = crate::store::contributors::create(&mut tx, GUEST.0, GUEST.1, author).await?;
    let mut made: Vec<(&str, Uuid)> = Vec::new();
    let mut menu: Vec<crate::store::site::MenuItem> = MENU
        .iter()
        .map(|(label, href)| crate::store::site::MenuItem {
            label: (*label).to_owned(),
            href: (*href).to_owned(),
        })
        .collect();
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
            lang: demo.lang,
            excerpt: "",
            body_markdown: demo.body,
            tags: &tags,
            related: &[],
            save_key: None,
            social: None,
            featured: Some(demo.featured.then_some(picture_id)),
            disclosure: None,
        };
        let rendered = crate::domain::markdown::render(demo.body, site_url, demo.lang);
        let created = write::create(&mut tx, author, None, &draft, &rendered).await?;
        made.push((demo.title, created.id));
        if let Some(label) = demo.page {
            write::make_page(&mut tx, created.id).await?;
            menu.push(crate::store::site::MenuItem {
                label: label.to_owned(),
                href: format!("/pages/{}", created.slug.as_str()),
            });
        }
        if demo.guest {
            let guests = [bylines::Coauthor::Guest(guest)];
            bylines::set(&mut tx, created.id, author, &guests, author).await?;
        }
        if let Some(source) = demo
            .translates
            .and_then(|title| made.iter().find(|(t, _)| *t == title))
        {
            translations::link(&mut tx, created.id, source.1, author)
                .await?
                .map_err(|_| DemoError::Tracker("the demo translation could not be linked"))?;
        }
        if let Some(days) = demo.embargo_days {
            let until = OffsetDateTime::now_utc() + time::Duration::days(days);
            let note = EMBARGO_NOTE;
            embargo::set(&mut tx, created.id, until, note, author)
                .await?
                .map_err(|_| DemoError::Tracker("the demo embargo could not be set"))?;
            let seen = (ArticleStatus::Draft, created.version);
            let changed = status::change(&mut tx, created.id, seen, Step::Submit, None).await?;
            if !changed.done() {
                return Err(DemoError::Tracker(
                    "the embargoed demo article could not be submitted",
                ));
            }
        }
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
    crate::store::site::set_menu(&mut tx, &menu, author).await?;
    tx.commit().await?;
    tracing::info!(articles = ARTICLES.len(), "demo content loaded");
    Ok(())
}

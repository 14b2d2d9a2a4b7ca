//! `vigie generate`: fills a database with a realistic newsroom for benchmarks — French-like
//! articles of 800 to 2 000 words (headings, lists, a table in some), 200 tags of every kind,
//! 50 authors, 3 to 8 tags and 0 to 5 related articles each, a few percent drafts and
//! scheduled articles. Deterministic for a given seed; bodies are rendered by the same
//! Markdown pipeline as real saves.

use std::fmt::Write as _;
use std::io::Write as _;
use std::time::Instant;

use sqlx::PgPool;
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

use crate::domain::{Lang, Slug, markdown};

const AUTHORS: usize = 50;
const TAGS: usize = 200;
/// Articles written per transaction.
const BATCH: usize = 500;

/// Common French words, enough for text that stems, searches and wraps like the real thing.
const WORDS: &[&str] = &[
    "intelligence",
    "artificielle",
    "régulation",
    "sécurité",
    "modèle",
    "modèles",
    "données",
    "entreprise",
    "entreprises",
    "gouvernement",
    "commission",
    "européenne",
    "règlement",
    "transparence",
    "risque",
    "risques",
    "système",
    "systèmes",
    "utilisateurs",
    "protection",
    "droit",
    "droits",
    "auteur",
    "loi",
    "projet",
    "texte",
    "débat",
    "parlement",
    "conseil",
    "autorité",
    "contrôle",
    "audit",
    "garde-fous",
    "éthique",
    "responsabilité",
    "innovation",
    "recherche",
    "laboratoire",
    "calcul",
    "puces",
    "énergie",
    "coût",
    "marché",
    "concurrence",
    "start-up",
    "géants",
    "numérique",
    "plateforme",
    "services",
    "santé",
    "éducation",
    "travail",
    "emploi",
    "justice",
    "police",
    "surveillance",
    "reconnaissance",
    "faciale",
    "biométrie",
    "vie",
    "privée",
    "consentement",
    "sanction",
    "amende",
    "obligation",
    "conformité",
    "évaluation",
    "documentation",
    "incident",
    "signalement",
    "fournisseur",
    "déploiement",
    "usage",
    "public",
    "citoyens",
    "société",
    "confiance",
    "question",
    "réponse",
    "analyse",
    "rapport",
    "étude",
    "expert",
    "experts",
    "juriste",
    "ministre",
    "sénateur",
    "députée",
    "accord",
    "négociation",
    "calendrier",
    "application",
    "entrée",
    "vigueur",
    "délai",
    "année",
    "mois",
    "semaine",
    "jour",
    "monde",
    "États-Unis",
    "Chine",
    "Europe",
    "France",
    "Allemagne",
    "Washington",
    "Bruxelles",
    "Paris",
    "Londres",
    "Pékin",
    "Anthropic",
    "OpenAI",
    "Google",
    "Mistral",
    "Meta",
    "Microsoft",
    "le",
    "la",
    "les",
    "un",
    "une",
    "des",
    "du",
    "de",
    "et",
    "ou",
    "mais",
    "donc",
    "car",
    "pour",
    "par",
    "avec",
    "sans",
    "sur",
    "sous",
    "dans",
    "entre",
    "vers",
    "contre",
    "selon",
    "depuis",
    "pendant",
    "avant",
    "après",
    "comme",
    "plus",
    "moins",
    "très",
    "encore",
    "déjà",
    "toujours",
    "jamais",
    "souvent",
    "aussi",
    "ainsi",
    "alors",
    "cependant",
    "pourtant",
    "enfin",
    "d’abord",
    "ensuite",
    "notamment",
    "surtout",
    "est",
    "sont",
    "a",
    "ont",
    "fait",
    "font",
    "doit",
    "doivent",
    "peut",
    "peuvent",
    "veut",
    "prévoit",
    "impose",
    "interdit",
    "autorise",
    "exige",
    "propose",
    "annonce",
    "publie",
    "estime",
    "affirme",
    "rappelle",
    "souligne",
    "craint",
    "espère",
    "refuse",
    "accepte",
    "nouveau",
    "nouvelle",
    "grand",
    "grande",
    "petit",
    "premier",
    "première",
    "dernier",
    "dernière",
    "important",
    "majeur",
    "strict",
    "souple",
    "clair",
    "flou",
    "général",
    "technique",
    "politique",
    "économique",
    "juridique",
    "social",
    "national",
    "international",
    "local",
];

const TAG_KINDS: &[&str] = &["topic", "jurisdiction", "organisation", "regulation"];

/// A small, fast, deterministic generator (SplitMix64): benchmarks need repeatable data, not
/// cryptographic randomness.
struct Dice(u64);

impl Dice {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `low..=high`.
    fn between(&mut self, low: usize, high: usize) -> usize {
        low + (self.next() % (high - low + 1) as u64) as usize
    }

    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }

    fn word(&mut self) -> &'static str {
        WORDS[self.between(0, WORDS.len() - 1)]
    }

    /// A tag index, skewed so that some tags are big (like "Union européenne") and most small.
    fn tag(&mut self) -> usize {
        let x = (self.next() % 10_000) as f64 / 10_000.0;
        ((x * x) * TAGS as f64) as usize
    }
}

fn sentence(dice: &mut Dice, out: &mut String, words: &mut usize) {
    let n = dice.between(8, 22);
    for i in 0..n {
        let w = dice.word();
        if i == 0 {
            let mut chars = w.chars();
            if let Some(first) = chars.next() {
                out.extend(first.to_uppercase());
                out.push_str(chars.as_str());
            }
        } else {
            out.push(' ');
            out.push_str(w);
        }
    }
    *words += n;
    out.push_str(match dice.between(0, 19) {
        0 => " ?",
        1 => " !",
        _ => ".",
    });
}

/// One article body in Markdown, with about `target` words.
fn body(dice: &mut Dice, target: usize) -> String {
    let mut out = String::with_capacity(target * 8);
    let mut words = 0;
    let mut paragraphs = 0;
    let table = dice.chance(20);
    while words < target {
        if paragraphs > 0 && paragraphs % 4 == 0 {
            let _ = write!(
                out,
                "## {} {} {}\n\n",
                dice.word(),
                dice.word(),
                dice.word()
            );
        }
        if paragraphs == 3 && dice.chance(40) {
            for _ in 0..dice.between(3, 6) {
                let _ = writeln!(out, "- {} {} {}", dice.word(), dice.word(), dice.word());
                words += 3;
            }
            out.push('\n');
        }
        if paragraphs == 5 && table {
            out.push_str("| Acteur | Position | Échéance |\n| --- | --- | --- |\n");
            for _ in 0..dice.between(3, 6) {
                let _ = writeln!(
                    out,
                    "| {} | {} {} | {} |",
                    dice.word(),
                    dice.word(),
                    dice.word(),
                    2025 + dice.between(0, 3)
                );
                words += 4;
            }
            out.push('\n');
        }
        for _ in 0..dice.between(3, 6) {
            sentence(dice, &mut out, &mut words);
            out.push(' ');
        }
        out.push_str("\n\n");
        paragraphs += 1;
    }
    out
}

fn title(dice: &mut Dice) -> String {
    let mut t = String::new();
    sentence(dice, &mut t, &mut 0);
    t.trim_end_matches(['.', '?', '!', ' '])
        .chars()
        .take(120)
        .collect()
}

/// One article, ready to insert.
struct Row {
    id: Uuid,
    slug: String,
    title: String,
    dek: String,
    markdown: String,
    html: String,
    excerpt: String,
    status: &'static str,
    author: Uuid,
    published_at: Option<OffsetDateTime>,
    tags: Vec<Uuid>,
    related: Vec<Uuid>,
}

/// Writes `count` articles (and the authors and tags they need) into `pool`'s database.
pub async fn generate(
    pool: &PgPool,
    count: usize,
    seed: u64,
    site_url: &str,
) -> anyhow::Result<()> {
    let started = Instant::now();
    let mut dice = Dice(seed);
    let run = Uuid::new_v4().simple().to_string()[..6].to_owned();
    let mut conn = pool.acquire().await?;
    // A bulk load's statements (the final `analyze` of a big archive) may outlast the
    // serving pool's statement timeout.
    sqlx::query("set statement_timeout = 0")
        .execute(&mut *conn)
        .await?;
    // Triggers announce every change to live instances; a bulk load tells them once, at the
    // end. Needs a superuser; without one the load is slower but the same.
    let quiet = sqlx::query("set session_replication_role = replica")
        .execute(&mut *conn)
        .await
        .is_ok();

    let mut authors = Vec::with_capacity(AUTHORS);
    for i in 0..AUTHORS {
        let id: Uuid = sqlx::query_scalar(
            "insert into app_user (email, display_name, slug, bio, role)
             values ($1, $2, $3, $4, 'journalist') returning id",
        )
        .bind(format!("auteur{i}-{run}@bench.vigie.example"))
        .bind(format!("Auteur {i} {run}"))
        .bind(format!("auteur-{i}-{run}"))
        .bind("Journaliste spécialisé dans la régulation de l’IA.")
        .fetch_one(&mut *conn)
        .await?;
        authors.push(id);
    }
    let mut tags = Vec::with_capacity(TAGS);
    for i in 0..TAGS {
        let id: Uuid = sqlx::query_scalar(
            "insert into tag (slug, name, kind, description) values ($1, $2, $3, $4) returning id",
        )
        .bind(format!("theme-{i}-{run}"))
        .bind(format!("Thème {i} {run}"))
        .bind(TAG_KINDS[i % TAG_KINDS.len()])
        .bind("Un thème de test.")
        .fetch_one(&mut *conn)
        .await?;
        tags.push(id);
    }

    let now = OffsetDateTime::now_utc();
    let mut published: Vec<Uuid> = Vec::new();
    let mut done = 0;
    while done < count {
        let size = BATCH.min(count - done);
        let mut rows: Vec<Row> = (0..size)
            .map(|i| {
                let n = done + i;
                let title = title(&mut dice);
                let base = Slug::derive_or(&title, "article").to_string();
                let base: String = base.chars().take(60).collect();
                let roll = dice.between(0, 99);
                let (status, published_at) = match roll {
                    0..=2 => ("draft", None),
                    // Scheduled: within the next 30 days.
                    3..=5 => (
                        "published",
                        Some(now + Duration::minutes(dice.between(60, 43_200) as i64)),
                    ),
                    // Published over the last five years.
                    _ => (
                        "published",
                        Some(now - Duration::minutes(dice.between(1, 2_628_000) as i64)),
                    ),
                };
                let mut picked = Vec::new();
                for _ in 0..dice.between(3, 8) {
                    let t = tags[dice.tag()];
                    if !picked.contains(&t) {
                        picked.push(t);
                    }
                }
                let mut related = Vec::new();
                if !published.is_empty() {
                    for _ in 0..dice.between(0, 5) {
                        let r = published[dice.between(0, published.len() - 1)];
                        if !related.contains(&r) {
                            related.push(r);
                        }
                    }
                }
                let words = dice.between(800, 2000);
                Row {
                    id: Uuid::new_v4(),
                    slug: format!("{}-{n}", base.trim_end_matches('-')),
                    title,
                    dek: {
                        let mut d = String::new();
                        sentence(&mut dice, &mut d, &mut 0);
                        d
                    },
                    markdown: body(&mut dice, words),
                    html: String::new(),
                    excerpt: String::new(),
                    status,
                    author: authors[dice.between(0, AUTHORS - 1)],
                    published_at,
                    tags: picked,
                    related,
                }
            })
            .collect();
        // Rendering is the slow part: on every core.
        let threads = std::thread::available_parallelism().map_or(2, std::num::NonZero::get);
        let chunk = rows.len().div_ceil(threads);
        std::thread::scope(|scope| {
            for part in rows.chunks_mut(chunk) {
                scope.spawn(move || {
                    for row in part {
                        let rendered = markdown::render(&row.markdown, site_url, Lang::Fr);
                        row.html = rendered.html;
                        row.excerpt = rendered.excerpt;
                    }
                });
            }
        });
        write_batch(&mut conn, &rows).await?;
        published.extend(
            rows.iter()
                .filter(|r| r.status == "published" && r.published_at.is_some_and(|at| at <= now))
                .map(|r| r.id),
        );
        done += size;
        let rate = done as f64 / started.elapsed().as_secs_f64();
        eprint!("\r  {done}/{count} articles  ({rate:.0}/s)   ");
        let _ = std::io::stderr().flush();
    }
    eprintln!();
    if quiet {
        sqlx::query("set session_replication_role = origin")
            .execute(&mut *conn)
            .await?;
    }
    // Tell running instances, and move the content clock, once.
    sqlx::query("select touch_content_clock(), pg_notify('vigie_content', 'generated')")
        .execute(&mut *conn)
        .await?;
    sqlx::query("analyze").execute(&mut *conn).await?;
    eprintln!(
        "  {count} articles, {AUTHORS} authors, {TAGS} tags in {:.0?}",
        started.elapsed()
    );
    Ok(())
}

async fn write_batch(conn: &mut sqlx::PgConnection, rows: &[Row]) -> sqlx::Result<()> {
    let mut tx = sqlx::Connection::begin(conn).await?;
    let col = |f: fn(&Row) -> String| rows.iter().map(f).collect::<Vec<String>>();
    sqlx::query(
        "insert into article (id, slug, title, dek, body_markdown, body_html, excerpt, lang,
                              status, author_id, published_at, published_version)
         select id, slug, title, dek, md, html, excerpt, 'fr', status, author,
                published_at, case when status = 'published' then 1 end
         from unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[],
                     $7::text[], $8::text[], $9::uuid[], $10::timestamptz[])
              as x(id, slug, title, dek, md, html, excerpt, status, author, published_at)",
    )
    .bind(rows.iter().map(|r| r.id).collect::<Vec<_>>())
    .bind(col(|r| r.slug.clone()))
    .bind(col(|r| r.title.clone()))
    .bind(col(|r| r.dek.clone()))
    .bind(col(|r| r.markdown.clone()))
    .bind(col(|r| r.html.clone()))
    .bind(col(|r| r.excerpt.clone()))
    .bind(col(|r| r.status.to_owned()))
    .bind(rows.iter().map(|r| r.author).collect::<Vec<_>>())
    .bind(rows.iter().map(|r| r.published_at).collect::<Vec<_>>())
    .execute(&mut *tx)
    .await?;
    let (mut tag_article, mut tag_id, mut tag_pos) = (Vec::new(), Vec::new(), Vec::new());
    let (mut link_from, mut link_to, mut link_pos) = (Vec::new(), Vec::new(), Vec::new());
    for r in rows {
        for (i, t) in r.tags.iter().enumerate() {
            tag_article.push(r.id);
            tag_id.push(*t);
            tag_pos.push(i as i32);
        }
        for (i, to) in r.related.iter().enumerate() {
            link_from.push(r.id);
            link_to.push(*to);
            link_pos.push(i as i32);
        }
    }
    // Triggers may be off (see above): the tag's copy of the publication time is written here.
    sqlx::query(
        "insert into article_tag (article_id, tag_id, position, published_at)
         select x.a, x.t, x.p, case when ar.status = 'published' then ar.published_at end
         from unnest($1::uuid[], $2::uuid[], $3::int[]) as x(a, t, p)
         join article ar on ar.id = x.a",
    )
    .bind(tag_article)
    .bind(tag_id)
    .bind(tag_pos)
    .execute(&mut *tx)
    .await?;
    sqlx::query(
        "insert into article_link (from_article_id, to_article_id, position, origin)
         select f, t, p, 'picked' from unnest($1::uuid[], $2::uuid[], $3::int[]) as x(f, t, p)",
    )
    .bind(link_from)
    .bind(link_to)
    .bind(link_pos)
    .execute(&mut *tx)
    .await?;
    tx.commit().await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bodies_have_the_asked_length_and_the_shapes_of_real_articles() {
        let mut dice = Dice(7);
        let mut tables = 0;
        for _ in 0..50 {
            let words = dice.between(800, 2000);
            let text = body(&mut dice, words);
            let count = text.split_whitespace().count();
            assert!(count >= words, "{count} < {words}");
            assert!(count < words + 400, "{count} ≫ {words}");
            assert!(text.contains("\n## "));
            tables += usize::from(text.contains("| --- |"));
        }
        assert!((1..50).contains(&tables), "a table in some: {tables}");
    }

    #[test]
    fn the_same_seed_gives_the_same_text() {
        assert_eq!(body(&mut Dice(1), 900), body(&mut Dice(1), 900));
        assert_ne!(body(&mut Dice(1), 900), body(&mut Dice(2), 900));
    }
}

//! `vigie generate`: fills a database with a realistic newsroom for benchmarks — French-like
//! articles of 800 to 2 000 words (headings, lists, a table in some), 200 tags of every kind,
//! 50 authors, 3 to 8 tags and 0 to 5 related articles each, a few percent drafts and
//! scheduled articles. Deterministic for a given seed; bodies are rendered by the same
//! Markdown pipeline as real saves.

mod text;

use std::io::Write as _;
use std::time::Instant;

use sqlx::PgPool;
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

use crate::domain::{ArticleStatus, Lang, Slug, TagKind, markdown};
use text::{Dice, body, sentence, title};

const AUTHORS: usize = 50;
const TAGS: usize = 200;
/// Articles written per transaction.
const BATCH: usize = 500;

/// One article, ready to insert.
struct Row {
    id: Uuid,
    slug: String,
    title: String,
    dek: String,
    markdown: String,
    html: String,
    excerpt: String,
    status: ArticleStatus,
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
    sqlx::query!("set statement_timeout = 0")
        .execute(&mut *conn)
        .await?;
    // Triggers announce every change to live instances; a bulk load tells them once, at the
    // end. Needs a superuser; without one the load is slower but the same.
    let quiet = sqlx::query!("set session_replication_role = replica")
        .execute(&mut *conn)
        .await
        .is_ok();

    let mut authors = Vec::with_capacity(AUTHORS);
    for i in 0..AUTHORS {
        let id = sqlx::query_scalar!(
            r#"
            insert into app_user (email, display_name, slug, bio, role)
            values ($1, $2, $3, $4, 'journalist') returning id
            "#,
            format!("auteur{i}-{run}@bench.vigie.example"),
            format!("Auteur {i} {run}"),
            format!("auteur-{i}-{run}"),
            "Journaliste spécialisé dans la régulation de l’IA."
        )
        .fetch_one(&mut *conn)
        .await?;
        authors.push(id);
    }
    let mut tags = Vec::with_capacity(TAGS);
    for i in 0..TAGS {
        let id = sqlx::query_scalar!(
            "insert into tag (slug, name, kind, description) values ($1, $2, $3, $4) returning id",
            format!("theme-{i}-{run}"),
            format!("Thème {i} {run}"),
            TagKind::ALL[i % TagKind::ALL.len()].as_str(),
            "Un thème de test."
        )
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
                    0..=2 => (ArticleStatus::Draft, None),
                    // Scheduled: within the next 30 days.
                    3..=5 => (
                        ArticleStatus::Published,
                        Some(now + Duration::minutes(dice.between(60, 43_200) as i64)),
                    ),
                    // Published over the last five years.
                    _ => (
                        ArticleStatus::Published,
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
                .filter(|r| {
                    r.status == ArticleStatus::Published
                        && r.published_at.is_some_and(|at| at <= now)
                })
                .map(|r| r.id),
        );
        done += size;
        let rate = done as f64 / started.elapsed().as_secs_f64();
        eprint!("\r  {done}/{count} articles  ({rate:.0}/s)   ");
        let _ = std::io::stderr().flush();
    }
    eprintln!();
    if quiet {
        sqlx::query!("set session_replication_role = origin")
            .execute(&mut *conn)
            .await?;
    }
    // Tell running instances, and move the content clock, once.
    sqlx::query!("select touch_content_clock(), pg_notify('vigie_content', 'generated')")
        .execute(&mut *conn)
        .await?;
    sqlx::query!("analyze").execute(&mut *conn).await?;
    eprintln!(
        "  {count} articles, {AUTHORS} authors, {TAGS} tags in {:.0?}",
        started.elapsed()
    );
    Ok(())
}

async fn write_batch(conn: &mut sqlx::PgConnection, rows: &[Row]) -> sqlx::Result<()> {
    let mut tx = sqlx::Connection::begin(conn).await?;
    let col = |f: fn(&Row) -> String| rows.iter().map(f).collect::<Vec<String>>();
    let published_at: Vec<Option<OffsetDateTime>> = rows.iter().map(|r| r.published_at).collect();
    sqlx::query!(
        r#"
        insert into article (id, slug, title, dek, body_markdown, body_html, excerpt, lang,
                             status, author_id, published_at, published_version)
        select id, slug, title, dek, md, html, excerpt, 'fr', status, author,
               published_at, case when status = 'published' then 1 end
        from unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[],
                    $7::text[], $8::text[], $9::uuid[], $10::timestamptz[])
             as x(id, slug, title, dek, md, html, excerpt, status, author, published_at)
        "#,
        &rows.iter().map(|r| r.id).collect::<Vec<_>>(),
        &col(|r| r.slug.clone()),
        &col(|r| r.title.clone()),
        &col(|r| r.dek.clone()),
        &col(|r| r.markdown.clone()),
        &col(|r| r.html.clone()),
        &col(|r| r.excerpt.clone()),
        &col(|r| r.status.as_str().to_owned()),
        &rows.iter().map(|r| r.author).collect::<Vec<_>>(),
        &published_at as &[Option<OffsetDateTime>],
    )
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
    sqlx::query!(
        r#"
        insert into article_tag (article_id, tag_id, position, published_at)
        select x.a, x.t, x.p, case when ar.status = 'published' then ar.published_at end
        from unnest($1::uuid[], $2::uuid[], $3::int[]) as x(a, t, p)
        join article ar on ar.id = x.a
        "#,
        &tag_article,
        &tag_id,
        &tag_pos
    )
    .execute(&mut *tx)
    .await?;
    sqlx::query!(
        r#"
        insert into article_link (from_article_id, to_article_id, position, origin)
        select f, t, p, 'picked' from unnest($1::uuid[], $2::uuid[], $3::int[]) as x(f, t, p)
        "#,
        &link_from,
        &link_to,
        &link_pos
    )
    .execute(&mut *tx)
    .await?;
    tx.commit().await
}

//! `vigie import` of a WordPress export: its authors and terms matched to the newsroom's
//! accounts and tags, every post checked first (nothing is imported while one is wrong,
//! unless told to skip), then written in one transaction with the address it had.

use std::collections::{BTreeMap, HashMap, HashSet};

use anyhow::{Context, bail};
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

use super::super::progress::Progress;
use super::super::{ImportOptions, Report, archive, store};
use super::images::{Brought, Library};
use super::{Fate, LinkMap, Post, Problem, Site, Term, image_addresses, to_markdown_with_images};
use crate::domain::{AuditAction, DisplayName, Email, Lang, Role, Slug, TagKind, Title};
use crate::media::MediaStore;
use crate::store::{audit, tags, users};

/// A WordPress post on its way in: where it goes and under which address.
struct Planned<'a> {
    post: &'a Post,
    title: Title,
    slug: Slug,
}

/// The posts whose title Vigie can take, with their index in the file, and every problem of
/// the file (its items', its tags').
fn check(site: &Site) -> (Vec<(usize, &Post, Title)>, Vec<Problem>) {
    let mut problems: Vec<Problem> = site.problems.clone();
    let mut fine = Vec::new();
    for (index, post) in site.posts.iter().enumerate() {
        let title = if post.title.trim().is_empty() {
            Title::parse("(sans titre)")
        } else {
            Title::parse(&post.title)
        };
        match title {
            Ok(title) => fine.push((index, post, title)),
            Err(e) => problems.push(Problem {
                line: post.line,
                title: post.title.chars().take(60).collect(),
                why: format!("its title cannot be used: {e}"),
            }),
        }
    }
    let mut bad_terms = HashSet::new();
    for term in site
        .terms
        .iter()
        .chain(site.posts.iter().flat_map(|p| &p.terms))
    {
        if tag_name(term).is_none() && bad_terms.insert(term.name.clone()) {
            problems.push(Problem {
                line: 0,
                title: String::new(),
                why: format!(
                    "the tag or category {:?} cannot be a tag: a name is 1 to 100 characters",
                    term.name
                ),
            });
        }
    }
    problems.sort_by_key(|p| p.line);
    (fine, problems)
}

/// How a post's status reads in the report.
fn shown_status(post: &Post, now: time::OffsetDateTime) -> &'static str {
    match (post.fate, post.wp_status.as_str()) {
        (Fate::Published, _) if post.date > now => "scheduled",
        (Fate::Published, _) => "published",
        (Fate::InReview, _) => "in review",
        (_, "private") => "draft (private in WordPress)",
        (_, "publish" | "future") => "draft (password-protected in WordPress)",
        _ => "draft",
    }
}

/// The images a post shows, brought into the library: by their address in its body, and its
/// featured one.
#[derive(Default)]
struct PostImages {
    by_address: HashMap<String, Brought>,
    featured: Option<Brought>,
}

/// The Vigie article a planned post becomes, by `author`, filed under `tags`, its links to
/// other posts pointed by `article_for`, its images at their new home.
fn article_from(
    site: &Site,
    plan: &Planned,
    author: Uuid,
    tags: Vec<Uuid>,
    lang: Lang,
    article_for: &dyn Fn(&str) -> Option<String>,
    images: &PostImages,
) -> archive::Article {
    let post = plan.post;
    let (status, published_at) = match post.fate {
        Fate::Published => ("published", Some(post.date)),
        Fate::InReview => ("in_review", None),
        Fate::Draft => ("draft", None),
    };
    archive::Article {
        id: Uuid::new_v4(),
        slug: plan.slug.as_str().to_owned(),
        title: plan.title.as_str().to_owned(),
        dek: String::new(),
        body_markdown: body_markdown(&post.html, article_for, images),
        excerpt: post.excerpt.clone(),
        lang: lang.as_str().to_owned(),
        status: status.to_owned(),
        review_note: String::new(),
        withdrawn: false,
        withdrawn_reason: String::new(),
        social_title: String::new(),
        social_description: String::new(),
        // A featured image needs its alt text (see `web::editor::save`): one without waits in
        // the library for someone to describe it.
        featured_media_id: images
            .featured
            .as_ref()
            .filter(|f| !f.alt.is_empty())
            .map(|f| f.id),
        media: {
            let mut ids: Vec<Uuid> = images.by_address.values().map(|b| b.id).collect();
            ids.sort_unstable();
            ids.dedup();
            ids
        },
        ai_use: "none".to_owned(),
        tdm_open: false,
        embargo_until: None,
        embargo_note: String::new(),
        coauthors: Vec::new(),
        revised_at: None,
        kind: "article".to_owned(),
        translation_of: None,
        translated_from: None,
        author_id: author,
        last_editor_id: None,
        published_at,
        published_version: published_at.map(|_| 1),
        version: 1,
        created_at: post.date,
        updated_at: post.modified.max(post.date),
        tags,
        links: Vec::new(),
        redirects: Vec::new(),
        // Old links to the post keep working (see `web::public::old_address`).
        legacy_urls: site
            .old_path(&post.link)
            .into_iter()
            // WordPress answers `/?p=ID` for every post, whatever its permalinks.
            .chain((post.wp_id > 0).then(|| format!("/?p={}", post.wp_id)))
            .map(|path| archive::LegacyUrl {
                path,
                created_at: time::OffsetDateTime::now_utc(),
            })
            .collect(),
        corrections: Vec::new(),
        notes: Vec::new(),
        revisions: Vec::new(),
    }
}

/// The post's body in Markdown, its images pointed at the library; an image WordPress showed
/// without alt text gets its library's one when it has one.
fn body_markdown(
    html: &str,
    article_for: &dyn Fn(&str) -> Option<String>,
    images: &PostImages,
) -> String {
    let mut markdown = to_markdown_with_images(html, article_for, &|url| {
        images
            .by_address
            .get(url)
            .map(|b| format!("{}{}", crate::domain::markdown::IMAGE_PATH, b.id))
    });
    for b in images.by_address.values() {
        if !b.alt.is_empty() {
            let bare = format!("![]({}{})", crate::domain::markdown::IMAGE_PATH, b.id);
            let described = crate::domain::markdown::image(&b.alt, b.id);
            markdown = markdown.replace(&bare, &described);
        }
    }
    markdown
}

pub(in crate::transfer) async fn import_wordpress(
    pool: &PgPool,
    media: &MediaStore,
    site: &Site,
    site_url: &str,
    options: ImportOptions,
) -> anyhow::Result<Report> {
    let (fine, problems) = check(site);
    if !problems.is_empty() && !options.skip_bad {
        let list: Vec<String> = problems.iter().take(20).map(|p| format!("  {p}")).collect();
        bail!(
            "{} item(s) of this WordPress export cannot be imported, so nothing was; fix them, or run again with --skip-bad to import the rest:\n{}{}",
            problems.len(),
            list.join("\n"),
            if problems.len() > 20 { "\n  …" } else { "" }
        );
    }

    let mut tx = pool.begin().await?;
    store::begin_bulk_load(&mut tx).await?;
    let authors = wordpress_authors(&mut tx, site).await?;
    let tag_ids = wordpress_tags(&mut tx, site).await?;

    // Slugs are kept where free; a post whose slug is taken gets `slug-2`, like a new article.
    let mut taken: HashSet<String> = store::article_slugs(&mut tx).await?.into_iter().collect();
    let bases: Vec<Slug> = fine
        .iter()
        .map(|(_, post, title)| {
            Slug::derive(&post.slug).unwrap_or_else(|_| Slug::derive_or(title.as_str(), "article"))
        })
        .collect();
    // Running the same import twice must not double the archive.
    let here = store::already_here(
        &mut tx,
        &bases
            .iter()
            .zip(&fine)
            .map(|(b, (_, _, t))| (b, t))
            .collect::<Vec<_>>(),
    )
    .await?;
    let mut again = 0;
    let mut planned = Vec::new();
    // Where each post (by its index in the file) is or will be, for links between posts.
    let mut slug_of_post: HashMap<usize, Slug> = HashMap::new();
    for (((index, post, title), base), here) in fine.into_iter().zip(bases).zip(here) {
        if here {
            slug_of_post.insert(index, base);
            again += 1;
            continue;
        }
        let mut slug = base.clone();
        let mut n = 2;
        while taken.contains(slug.as_str()) {
            slug = base.with_suffix(n);
            n += 1;
        }
        taken.insert(slug.as_str().to_owned());
        slug_of_post.insert(index, slug.clone());
        planned.push(Planned { post, title, slug });
    }
    let links = LinkMap::new(site);
    let article_for = |url: &str| {
        links
            .post(url)
            .and_then(|i| slug_of_post.get(&i))
            .map(|s| s.as_str().to_owned())
    };

    // Co-Authors Plus's guest authors (no WordPress account) become guest contributors.
    let mut guests: HashMap<String, Uuid> = HashMap::new();
    let mut library = Library::new(
        site,
        media,
        options.uploads.as_deref(),
        options.media_max_bytes,
    );
    let mut bar = Progress::new("articles", planned.len() as u64);
    let mut by_status: BTreeMap<&str, usize> = BTreeMap::new();
    let mut articles = store::Batch::start(&mut tx, store::Source::Elsewhere).await?;
    let mut imported = 0;
    let mut undescribed = 0;
    let now = time::OffsetDateTime::now_utc();
    for plan in &planned {
        let post = plan.post;
        let author = *authors
            .get(&post.author_login)
            .with_context(|| format!("no account for the author {}", post.author_login))?;
        let mut tags: Vec<Uuid> = Vec::new();
        for term in &post.terms {
            if let Some(id) = tag_name(term).and_then(|name| tag_ids.get(&name.to_lowercase()))
                && !tags.contains(id)
            {
                tags.push(*id);
            }
        }
        let mut images = PostImages::default();
        for url in image_addresses(&post.html) {
            if let Some(brought) = library.for_address(&mut tx, &url).await? {
                images.by_address.insert(url, brought);
            }
        }
        if let Some(thumbnail) = post.thumbnail_id {
            images.featured = library.featured(&mut tx, thumbnail).await?;
            if images.featured.as_ref().is_some_and(|f| f.alt.is_empty()) {
                undescribed += 1;
            }
        }
        let mut article = article_from(
            site,
            plan,
            author,
            tags,
            options.lang,
            &article_for,
            &images,
        );
        // Co-Authors Plus: the bylines after the author, in the plugin's order.
        for name in &post.coauthors {
            let coauthor = match authors.get(name) {
                Some(user) if *user == author => continue,
                Some(user) => archive::Coauthor {
                    user_id: Some(*user),
                    contributor_id: None,
                },
                None => {
                    let id = match guests.get(name) {
                        Some(id) => *id,
                        None => {
                            // A guest author the file describes, by its login; else the
                            // term's own text is all there is of them.
                            let (shown, bio) = match site.guest_authors.get(name.trim()) {
                                Some(guest) => (guest.name.as_str(), guest.bio.as_str()),
                                None => (name.as_str(), ""),
                            };
                            let id = store::guest_contributor(&mut tx, shown, bio).await?;
                            guests.insert(name.clone(), id);
                            id
                        }
                    };
                    archive::Coauthor {
                        user_id: None,
                        contributor_id: Some(id),
                    }
                }
            };
            let known = article.coauthors.iter().any(|c| {
                c.user_id == coauthor.user_id && c.contributor_id == coauthor.contributor_id
            });
            if !known && article.coauthors.len() < 20 {
                article.coauthors.push(coauthor);
            }
        }
        let url = site_url.to_owned();
        let ready = tokio::task::spawn_blocking(move || store::Ready::render(article, &url))
            .await
            .context("rendering a post")?;
        let name = format!("line {} (« {} »)", post.line, post.title);
        articles.add(&mut tx, ready, name).await?;
        *by_status.entry(shown_status(post, now)).or_default() += 1;
        imported += 1;
        bar.advance(1);
    }
    // Links between imported posts resolve once every post is in.
    articles.finish(&mut tx).await?;
    bar.finish();

    let statuses: Vec<String> = by_status
        .iter()
        .map(|(status, n)| format!("{n} {status}"))
        .collect();
    let mut lines = vec![format!(
        "imported {} articles{}, {} authors, {} tags",
        imported,
        if statuses.is_empty() {
            String::new()
        } else {
            format!(" ({})", statuses.join(", "))
        },
        authors.len(),
        tag_ids.len()
    )];
    if again > 0 {
        lines.push(format!(
            "{again} posts were already here (same address and title), from an earlier import: left as they are"
        ));
    }
    if library.count() > 0 {
        lines.push(format!(
            "{} image(s) brought into the library from {}",
            library.count(),
            options
                .uploads
                .as_deref()
                .map_or(String::new(), |d| d.display().to_string())
        ));
    }
    if undescribed > 0 {
        lines.push(format!(
            "{undescribed} featured image(s) have no alt text in WordPress: they wait in the library (Images) for a description before they can be placed"
        ));
    }
    if !library.left.is_empty() {
        let why = if options.uploads.is_some() {
            "not found in the --uploads folder, or not a readable image"
        } else {
            "run again with --uploads DIR, a copy of wp-content/uploads, to bring them"
        };
        let mut listed: Vec<&str> = library.left.iter().map(String::as_str).take(20).collect();
        if library.left.len() > 20 {
            listed.push("…");
        }
        lines.push(format!(
            "{} image address(es) left pointing at the old site ({why}): {}",
            library.left.len(),
            listed.join(", ")
        ));
    }
    let unused = site.attachments.len().saturating_sub(library.count());
    if unused > 0 && options.uploads.is_some() {
        lines.push(format!(
            "{unused} file(s) of the WordPress media library that no imported post shows: left out"
        ));
    }
    if !site.left_out.is_empty() {
        lines.push(format!(
            "left out (Vigie has no place for them): {}",
            site.left_out
                .iter()
                .map(|(what, n)| format!("{n} {what}"))
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    for problem in &problems {
        lines.push(format!("skipped {problem}"));
    }
    audit::record(
        &mut tx,
        None,
        AuditAction::ImportWordpress,
        site.base_urls.first().map_or("", String::as_str),
        serde_json::json!({
            "articles": imported,
            "authors": authors.len(),
            "tags": tag_ids.len(),
            "left_out": site.left_out,
            "skipped": problems.len(),
            "already_there": again,
        }),
    )
    .await?;
    store::end_bulk_load(&mut tx).await?;
    tx.commit().await.context("saving the import")?;
    Ok(Report { lines })
}

/// A WordPress term's name as a Vigie tag name (1–100 characters), if it can be one.
fn tag_name(term: &Term) -> Option<String> {
    let name = if term.name.trim().is_empty() {
        term.slug.trim()
    } else {
        term.name.trim()
    };
    (!name.is_empty() && name.chars().count() <= 100).then(|| name.to_owned())
}

/// Each author's user id, by WordPress login: an existing user with the same e-mail address,
/// or a new disabled account that an admin enables and sends a password link to ("claimed").
async fn wordpress_authors(
    conn: &mut PgConnection,
    site: &Site,
) -> anyhow::Result<HashMap<String, Uuid>> {
    let mut listed: Vec<super::Author> = site.authors.clone();
    // WXR 1.0 files list no authors: the posts' logins are all there is.
    for post in &site.posts {
        if !listed.iter().any(|a| a.login == post.author_login) {
            listed.push(super::Author {
                login: post.author_login.clone(),
                email: String::new(),
                display_name: String::new(),
            });
        }
    }
    let mut ids = HashMap::new();
    for author in &listed {
        let email = Email::parse(&author.email).or_else(|_| {
            // No usable address: one that says where it came from and can never receive mail.
            Email::parse(&format!(
                "{}@wordpress.invalid",
                Slug::derive_or(&author.login, "auteur").as_str()
            ))
        })?;
        let id = match users::id_by_email(conn, &email).await? {
            Some(id) => id,
            None => {
                let name = DisplayName::parse(&author.display_name)
                    .or_else(|_| DisplayName::parse(&author.login))
                    .or_else(|_| DisplayName::parse("Auteur WordPress"))?;
                let new = users::NewUser {
                    email: &email,
                    display_name: &name,
                    role: Role::Journalist,
                    bio: "",
                    password_hash: None,
                };
                let id = users::create(conn, &new)
                    .await
                    .with_context(|| format!("author {}", author.login))?;
                users::set_disabled(conn, id, true).await?;
                id
            }
        };
        ids.insert(author.login.clone(), id);
    }
    Ok(ids)
}

/// Each category's and tag's Vigie tag id, by lower-case name: WordPress keeps the two apart,
/// Vigie has one kind of tag, so a category and a tag of the same name become one.
async fn wordpress_tags(
    conn: &mut PgConnection,
    site: &Site,
) -> anyhow::Result<HashMap<String, Uuid>> {
    let mut ids = HashMap::new();
    for term in site
        .terms
        .iter()
        .chain(site.posts.iter().flat_map(|p| &p.terms))
    {
        let Some(name) = tag_name(term) else { continue };
        let key = name.to_lowercase();
        if ids.contains_key(&key) {
            continue;
        }
        let id = tags::find_or_create(conn, &name, TagKind::Topic, term.description.trim())
            .await
            .with_context(|| format!("tag {name}"))?;
        ids.insert(key, id);
    }
    Ok(ids)
}

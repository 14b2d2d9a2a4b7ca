//! The write API, `/api/v1/articles` with a token: create and change articles with the same
//! checks, revisions and audit as the editor (the editor's form checks are the ones used
//! here), and read what readers cannot see yet (`/api/v1/desk/articles/{article}`). Their
//! steps through review and publication are in `steps.rs`.
//!
//! A change names the version it was made on (`If-Match: "7"`, the `ETag` of the last
//! answer): a stale one is 412 and changes nothing, so a program never overwrites a colleague's
//! words unseen. A create may carry an `Idempotency-Key`: sent again, it gets the first answer.

use std::collections::BTreeMap;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use time::OffsetDateTime;
use utoipa::ToSchema;
use uuid::Uuid;

use super::ApiError;
use super::bearer::Caller;
use super::request::{answered, field, idempotency_key, if_match, json_body, replay};
use super::wire::{ApiTagRef, ErrorBody};
use crate::domain::token::Scope;
use crate::domain::{Permission, RevisionKind, Standing};
use crate::store::articles::desk::{self, Editable};
use crate::store::articles::write::{self, Outcome};
use crate::store::{tags, tokens, violates};
use crate::web::AppState;
use crate::web::editor::form::{ArticleForm, Errors, check_rendered, validate};

/// An article as a program writes it. Every field may be left out: on a create, the defaults
/// of a new article; on a change, as it is.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct ArticleInput {
    /// Up to 300 characters.
    pub title: Option<String>,
    /// The standfirst, up to 500 characters.
    pub dek: Option<String>,
    /// The address (`lowercase-words`); left out or empty, made from the title until the
    /// article is first published.
    pub slug: Option<String>,
    /// `fr` or `en`; a new article's default is the site's language.
    pub lang: Option<String>,
    /// Up to 1,000 characters; empty, taken from the body.
    pub excerpt: Option<String>,
    /// The text, in Markdown (tables included).
    pub body: Option<String>,
    pub social_title: Option<String>,
    pub social_description: Option<String>,
    /// The featured image: an image id of the library (with its text alternative), or `null`
    /// for none.
    #[serde(deserialize_with = "present")]
    #[schema(value_type = Option<Uuid>)]
    pub image: Option<Option<Uuid>>,
    /// How AI was used to make it: `none`, `research`, `translation`, `assisted`, `generated`.
    pub ai_use: Option<String>,
    /// Whether it is left open to text-and-data mining.
    pub tdm_open: Option<bool>,
    /// Tags, by slug, in order; each must exist.
    pub tags: Option<Vec<String>>,
    /// Related articles chosen by hand, by id or slug, in order.
    pub related: Option<Vec<String>>,
}

/// A field that is present, even as `null` (`Some(None)`), told from one left out (`None`).
fn present<'de, D, T>(d: D) -> Result<Option<T>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de>,
{
    T::deserialize(d).map(Some)
}

/// An article as the newsroom has it, whatever its status.
#[derive(Debug, Serialize, ToSchema)]
pub struct DeskArticle {
    pub id: Uuid,
    pub slug: String,
    /// `draft`, `in_review`, `scheduled`, `published`, `withdrawn` or `archived`.
    pub status: String,
    /// The version a change must name in `If-Match` (also the `ETag`).
    pub version: i32,
    pub title: String,
    pub dek: String,
    pub excerpt: String,
    pub lang: String,
    /// The text, in Markdown.
    pub body: String,
    pub social_title: String,
    pub social_description: String,
    pub image: Option<Uuid>,
    pub ai_use: String,
    pub tdm_open: bool,
    pub tags: Vec<ApiTagRef>,
    pub related: Vec<DeskRelated>,
    pub author_id: Uuid,
    pub author_name: String,
    /// When readers got it or will get it (scheduled).
    #[serde(with = "time::serde::rfc3339::option")]
    pub published_at: Option<OffsetDateTime>,
    /// Its address for readers, once they can read it.
    pub url: Option<String>,
    /// The editor's note when it was sent back.
    pub review_note: String,
}

/// A related article chosen by hand.
#[derive(Debug, Serialize, ToSchema)]
pub struct DeskRelated {
    pub id: Uuid,
    pub slug: String,
    pub title: String,
}

/// Creates an article (a draft of the token's owner).
#[utoipa::path(
    post,
    path = "/api/v1/articles",
    tag = "write",
    request_body = ArticleInput,
    params(("Idempotency-Key" = Option<String>, Header, description = "Sent again with the same request, the same answer; with another, 422")),
    security(("token" = ["articles:write"])),
    responses(
        (status = 201, description = "Created; `Location` and `ETag` name it", body = DeskArticle),
        (status = 400, description = "Not JSON, or not an article", body = ErrorBody, content_type = "application/problem+json"),
        (status = 401, description = "No token, or one that opens nothing", body = ErrorBody, content_type = "application/problem+json"),
        (status = 403, description = "The token lacks `articles:write`", body = ErrorBody, content_type = "application/problem+json"),
        (status = 415, description = "Not `application/json`", body = ErrorBody, content_type = "application/problem+json"),
        (status = 422, description = "What is wrong with each field, or a key used for another request", body = ErrorBody, content_type = "application/problem+json"),
    )
)]
pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let input: ArticleInput = json_body(&headers, &body)?;
    let key = idempotency_key(&headers)?;
    let request_hash: Vec<u8> = Sha256::new()
        .chain_update(b"POST /api/v1/articles\n")
        .chain_update(&body)
        .finalize()
        .to_vec();
    if let Some(key) = key
        && let Some(kept) = tokens::kept_answer(&state.pool, caller.token_id, key).await?
    {
        return replay(kept, &request_hash);
    }
    let mut form = ArticleForm {
        lang: state.config.lang.to_string(),
        featured_media: Some(String::new()),
        ai_use: Some("none".to_owned()),
        intent: "save".to_owned(),
        ..ArticleForm::default()
    };
    apply(&state, &input, &mut form).await?;
    let valid = validate(&form, None, state.config.max_body_bytes).map_err(|e| invalid(&e))?;
    let rendered = state.render(&form.body, valid.lang).await?;
    check_rendered(&rendered).map_err(|e| invalid(&e))?;
    featured(&state, &form).await?;
    let typed_slug = !form.slug.trim().is_empty();
    if typed_slug && desk::slug_taken(&state.pool, &valid.slug, None).await? {
        return Err(invalid(&crate::web::editor::slug_taken()));
    }
    let mut tx = state.pool.begin().await?;
    caller.sign(&mut tx).await?;
    let related = form.related_order();
    let draft = form.draft(
        &valid,
        typed_slug.then_some(&valid.slug),
        &form.tags,
        &related,
    );
    let created = match write::create(
        &mut tx,
        caller.user_id,
        Some(caller.user_id),
        &draft,
        &rendered,
    )
    .await
    {
        Ok(created) => created,
        // Taken meanwhile: by the same request sent again at the same moment (that one made
        // the article, and its answer is this one's), or by someone else.
        Err(e) if violates(&e, "article_slug_key") => {
            drop(tx);
            if let Some(key) = key
                && let Some(kept) = tokens::kept_answer(&state.pool, caller.token_id, key).await?
            {
                return replay(kept, &request_hash);
            }
            return Err(invalid(&crate::web::editor::slug_taken()));
        }
        Err(e) if violates(&e, "article_featured_media_id_fkey") => {
            return Err(field("image", "This image is no longer in the library."));
        }
        Err(e) => return Err(e.into()),
    };
    let article = desk_article(&state, &mut tx, created.id).await?;
    let location = format!("/api/v1/desk/articles/{}", created.id);
    let answer = serde_json::to_value(&article).unwrap_or_default();
    if let Some(key) = key {
        let kept = tokens::Kept {
            request_hash: request_hash.clone(),
            status: 201,
            location: Some(location.clone()),
            body: answer.clone(),
        };
        match tokens::keep_answer(&mut tx, caller.token_id, key, &kept).await {
            Ok(()) => {}
            // The same key, sent at the same moment, made its article first: this one is
            // undone, and gets that answer.
            Err(e) if violates(&e, "api_idempotency_pkey") => {
                drop(tx);
                return match tokens::kept_answer(&state.pool, caller.token_id, key).await? {
                    Some(kept) => replay(kept, &request_hash),
                    None => Err(ApiError::Conflict(
                        "Another request with this Idempotency-Key is in progress; try again."
                            .to_owned(),
                    )),
                };
            }
            Err(e) => return Err(e.into()),
        }
    }
    tx.commit().await?;
    Ok(answered(
        StatusCode::CREATED,
        article.version,
        Some(&location),
        &answer,
    ))
}

/// Changes an article's text and parts, on top of the version `If-Match` names.
#[utoipa::path(
    patch,
    path = "/api/v1/articles/{article}",
    tag = "write",
    request_body = ArticleInput,
    params(
        ("article" = String, Path, description = "The article's id (or its current slug)"),
        ("If-Match" = String, Header, description = "The version the change was made on: the `ETag` of the last answer, `\"7\"`"),
    ),
    security(("token" = ["articles:write"])),
    responses(
        (status = 200, description = "Saved", body = DeskArticle),
        (status = 400, description = "Not JSON, or not an article", body = ErrorBody, content_type = "application/problem+json"),
        (status = 401, description = "No token, or one that opens nothing", body = ErrorBody, content_type = "application/problem+json"),
        (status = 403, description = "The token, or its owner's role, may not change it", body = ErrorBody, content_type = "application/problem+json"),
        (status = 404, description = "No such article (or not one its owner may see)", body = ErrorBody, content_type = "application/problem+json"),
        (status = 412, description = "Someone saved it since that version: nothing changed", body = ErrorBody, content_type = "application/problem+json"),
        (status = 415, description = "Not `application/json`", body = ErrorBody, content_type = "application/problem+json"),
        (status = 422, description = "What is wrong with each field", body = ErrorBody, content_type = "application/problem+json"),
        (status = 428, description = "No `If-Match`", body = ErrorBody, content_type = "application/problem+json"),
    )
)]
pub async fn update(
    State(state): State<AppState>,
    caller: Caller,
    Path(key): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let input: ArticleInput = json_body(&headers, &body)?;
    let article = visible(&state, &caller, &key).await?;
    if !caller.may(Permission::EditArticle {
        own: article.is_by(caller.user_id),
        status: article.status,
    }) {
        return Err(ApiError::Forbidden(
            "Its owner's role may not change this article now (a journalist changes only their own drafts).",
        ));
    }
    // What readers see (or will at a set time) changes only with the publishing scope.
    let live_or_coming = matches!(
        crate::web::editor::standing_of(&article),
        Standing::Published | Standing::Archived | Standing::Scheduled(_)
    );
    if live_or_coming && !caller.has(Scope::ArticlesPublish) {
        return Err(ApiError::InsufficientScope(
            "This article is public or scheduled: changing it takes the `articles:publish` scope too."
                .to_owned(),
        ));
    }
    let Some(Some(version)) = if_match(&headers)? else {
        return Err(ApiError::PreconditionRequired(
            "Name the version you changed in If-Match (the ETag of the article as you read it, e.g. \"7\"), so that nobody's words are overwritten unseen.",
        ));
    };
    if version != article.version {
        return Err(stale(article.version));
    }
    let mut form = ArticleForm::from_article(&article);
    form.intent = "save".to_owned();
    apply(&state, &input, &mut form).await?;
    let valid = validate(&form, Some(&article.slug), state.config.max_body_bytes)
        .map_err(|e| invalid(&e))?;
    let rendered = state.render(&form.body, valid.lang).await?;
    check_rendered(&rendered).map_err(|e| invalid(&e))?;
    featured(&state, &form).await?;
    let slug_follows = form.slug.trim().is_empty() && article.published_at.is_none();
    let mut tx = state.pool.begin().await?;
    caller.sign(&mut tx).await?;
    let related = form.related_order();
    let draft = form.draft(
        &valid,
        (!slug_follows).then_some(&valid.slug),
        &form.tags,
        &related,
    );
    let outcome = write::save(
        &mut tx,
        article.id,
        version,
        caller.user_id,
        &draft,
        &rendered,
        RevisionKind::Save,
    )
    .await;
    match outcome {
        Ok(Outcome::Saved { .. }) => {}
        // Saved by someone else between the check above and this save: nothing is kept (the
        // program still has its text), and it is told.
        Ok(Outcome::Conflict | Outcome::Repeated { .. }) => {
            drop(tx);
            let current = visible(&state, &caller, &key).await?;
            return Err(stale(current.version));
        }
        Ok(Outcome::SlugTaken) => return Err(invalid(&crate::web::editor::slug_taken())),
        Ok(Outcome::LanguageTaken) => {
            return Err(invalid(&crate::web::editor::language_taken()));
        }
        Ok(Outcome::NotFound) => return Err(not_found()),
        Err(e) if violates(&e, "article_featured_media_id_fkey") => {
            return Err(field("image", "This image is no longer in the library."));
        }
        Err(e) => return Err(e.into()),
    }
    let article = desk_article(&state, &mut tx, article.id).await?;
    tx.commit().await?;
    let answer = serde_json::to_value(&article).unwrap_or_default();
    Ok(answered(StatusCode::OK, article.version, None, &answer))
}

/// An article whatever its status, as the newsroom has it.
#[utoipa::path(
    get,
    path = "/api/v1/desk/articles/{article}",
    tag = "write",
    params(("article" = String, Path, description = "The article's id (or its current slug)")),
    security(("token" = ["content:read"])),
    responses(
        (status = 200, description = "The article; `ETag` is its version", body = DeskArticle),
        (status = 401, description = "No token, or one that opens nothing", body = ErrorBody, content_type = "application/problem+json"),
        (status = 403, description = "The token lacks `content:read`", body = ErrorBody, content_type = "application/problem+json"),
        (status = 404, description = "No such article (or not one its owner may see)", body = ErrorBody, content_type = "application/problem+json"),
    )
)]
pub async fn desk(
    State(state): State<AppState>,
    caller: Caller,
    Path(key): Path<String>,
) -> Result<Response, ApiError> {
    let found = visible(&state, &caller, &key).await?;
    let mut conn = state.pool.acquire().await?;
    let article = desk_article(&state, &mut conn, found.id).await?;
    let answer = serde_json::to_value(&article).unwrap_or_default();
    Ok(answered(StatusCode::OK, article.version, None, &answer))
}

/// The article `key` names (an id, or a current slug), if the token's owner may see it in
/// the editor; others' articles are "not found" for a journalist, as in the editor.
pub(super) async fn visible(
    state: &AppState,
    caller: &Caller,
    key: &str,
) -> Result<Editable, ApiError> {
    let id = match Uuid::parse_str(key) {
        Ok(id) => Some(id),
        Err(_) if crate::domain::Slug::parse(key).is_ok() => desk::id_of(&state.pool, key).await?,
        Err(_) => None,
    }
    .ok_or_else(not_found)?;
    let mut conn = state.pool.acquire().await?;
    let article = desk::load(&mut conn, id).await?.ok_or_else(not_found)?;
    let own = article.is_by(caller.user_id);
    if caller.may(Permission::ViewArticle { own }) {
        Ok(article)
    } else {
        Err(not_found())
    }
}

fn not_found() -> ApiError {
    ApiError::NotFound("No article its owner may see has this id or slug.")
}

pub(super) fn stale(current: i32) -> ApiError {
    ApiError::PreconditionFailed(format!(
        "The article was changed since that version: it is at version {current} now. Read it again (GET /api/v1/desk/articles/…), merge, and send the change with If-Match: \"{current}\"."
    ))
}

/// The article as [`DeskArticle`], read in `conn` (the change's own transaction).
pub(super) async fn desk_article(
    state: &AppState,
    conn: &mut sqlx::PgConnection,
    id: Uuid,
) -> Result<DeskArticle, ApiError> {
    let a = desk::load(conn, id).await?.ok_or_else(not_found)?;
    let refs = tags::refs(conn, &a.tags.0).await?;
    let standing = crate::web::editor::standing_of(&a);
    let public = matches!(standing, Standing::Published | Standing::Archived);
    Ok(DeskArticle {
        url: public.then(|| format!("{}/articles/{}", state.config.base_url, a.slug)),
        status: standing.key().to_owned(),
        id: a.id,
        version: a.version,
        title: a.title,
        dek: a.dek,
        excerpt: a.excerpt,
        lang: a.lang.to_string(),
        body: a.body_markdown,
        social_title: a.social_title,
        social_description: a.social_description,
        image: a.featured_media_id,
        ai_use: a.ai_use.as_str().to_owned(),
        tdm_open: a.tdm_open,
        tags: refs.into_iter().map(ApiTagRef::from).collect(),
        related: a
            .picked
            .0
            .into_iter()
            .map(|p| DeskRelated {
                id: p.id,
                slug: p.slug,
                title: p.title,
            })
            .collect(),
        author_id: a.author_id,
        author_name: a.author_name,
        published_at: a.published_at,
        review_note: a.review_note,
        slug: a.slug,
    })
}

/// `input` laid over `form`: the fields it has replace the form's; tags and related articles
/// named by slug (or id) become ids, and any that does not exist is refused.
async fn apply(
    state: &AppState,
    input: &ArticleInput,
    form: &mut ArticleForm,
) -> Result<(), ApiError> {
    let set = |slot: &mut String, value: &Option<String>| {
        if let Some(value) = value {
            slot.clone_from(value);
        }
    };
    set(&mut form.title, &input.title);
    set(&mut form.dek, &input.dek);
    set(&mut form.slug, &input.slug);
    set(&mut form.lang, &input.lang);
    set(&mut form.excerpt, &input.excerpt);
    set(&mut form.body, &input.body);
    set(&mut form.social_title, &input.social_title);
    set(&mut form.social_description, &input.social_description);
    if let Some(image) = input.image {
        form.featured_media = Some(image.map(|id| id.to_string()).unwrap_or_default());
    }
    let mut errors = BTreeMap::new();
    if let Some(ai_use) = &input.ai_use {
        if crate::domain::regulation::AiUse::parse(ai_use).is_none() {
            errors.insert(
                "ai_use".to_owned(),
                "ai_use is one of none, research, translation, assisted, generated.".to_owned(),
            );
        }
        form.ai_use = Some(ai_use.clone());
    }
    if let Some(open) = input.tdm_open {
        form.tdm_open = open.then(|| "yes".to_owned());
    }
    let usable = |keys: &[String]| keys.iter().all(|k| !k.contains('\0') && k.len() <= 200);
    if !input.tags.as_deref().is_none_or(usable) || !input.related.as_deref().is_none_or(usable) {
        return Err(field(
            "tags",
            "A tag or article is named by its slug or id (up to 200 characters).",
        ));
    }
    if let Some(wanted) = &input.tags {
        let found = tags::ids_by_slug(&state.pool, wanted).await?;
        let (ids, missing) = in_order(wanted, &found);
        if !missing.is_empty() {
            errors.insert(
                "tags".to_owned(),
                format!("No tag has these slugs: {}.", missing.join(", ")),
            );
        }
        form.tags = ids;
    }
    if let Some(wanted) = &input.related {
        let found = desk::resolve(&state.pool, wanted).await?;
        let (ids, missing) = in_order(wanted, &found);
        if !missing.is_empty() {
            errors.insert(
                "related".to_owned(),
                format!("No article has these ids or slugs: {}.", missing.join(", ")),
            );
        }
        form.related = ids;
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(ApiError::Unprocessable(
            "Some fields cannot be accepted.".to_owned(),
            errors,
        ))
    }
}

/// The ids of `wanted` in its order, once each, and those `found` has no id for.
fn in_order(wanted: &[String], found: &[(String, Uuid)]) -> (Vec<Uuid>, Vec<String>) {
    let mut ids = Vec::new();
    let mut missing = Vec::new();
    for key in wanted {
        match found.iter().find(|(k, _)| k == key) {
            Some((_, id)) if !ids.contains(id) => ids.push(*id),
            Some(_) => {}
            None => missing.push(key.clone()),
        }
    }
    (ids, missing)
}

/// The featured image the form asks for, if it cannot be used.
async fn featured(state: &AppState, form: &ArticleForm) -> Result<(), ApiError> {
    match crate::web::editor::featured_problem(state, form).await {
        Ok(None) => Ok(()),
        Ok(Some(problem)) => Err(field("image", problem)),
        Err(crate::web::AppError::Database(e)) => Err(e.into()),
        Err(_) => Err(ApiError::Busy),
    }
}

/// The editor's messages beside each field, as a 422.
fn invalid(errors: &Errors) -> ApiError {
    let mut fields = BTreeMap::new();
    let mut put = |name: &str, message: Option<&str>| {
        if let Some(message) = message {
            fields.insert(name.to_owned(), message.to_owned());
        }
    };
    put("title", errors.title);
    put("slug", errors.slug);
    put("lang", errors.lang);
    put("dek", errors.dek);
    put("excerpt", errors.excerpt);
    put("body", errors.body.as_deref());
    put("social_title", errors.social);
    put("image", errors.featured);
    put("tags", errors.new_tag);
    ApiError::Unprocessable("Some fields cannot be accepted.".to_owned(), fields)
}

//! Every route of the site with who may call it. The router is built from this table alone, so
//! no route exists without an access rule, and the authorisation-matrix test walks the same
//! table: a new staff route without a line in the matrix fails the tests.

use axum::Router;
use axum::http::Method;
use axum::middleware::from_fn_with_state;
use axum::routing::{MethodFilter, MethodRouter, on};

use super::auth::{self, Access};
use super::{AppState, admin, api, assets, editor, health, notifications, public};
use crate::domain::Permission;

/// One route as the matrix test sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Route {
    pub method: Method,
    pub path: &'static str,
    pub access: Access,
}

struct Entry {
    route: Route,
    handler: MethodRouter<AppState>,
}

macro_rules! entries {
    ($( $method:ident $path:literal $access:expr => $handler:expr ),* $(,)?) => {
        vec![$(
            Entry {
                route: Route { method: Method::$method, path: $path, access: $access },
                handler: on(MethodFilter::$method, $handler),
            }
        ),*]
    };
}

fn table() -> Vec<Entry> {
    use crate::domain::token::Scope::{
        ArticlesPublish, ArticlesWrite, ContentRead, MediaWrite, WebhooksManage,
    };
    use Access::{Bearer, Needs, Open, Public, Visitor};
    use Permission::{
        DeleteRegulation, ManageContributors, ManageOwnAccount, ManageRegulations, ManageSite,
        ManageTags, ManageUsers, ManageWebhooks, ReadAudit, Review, UseEditor,
    };
    entries![
        // Readers.
        GET "/" Public => public::home,
        GET "/articles/{slug}" Public => public::article,
        GET "/tags/{slug}" Public => public::tag,
        GET "/authors/{slug}" Public => public::author,
        GET "/contributors/{slug}" Public => public::contributor,
        GET "/corrections" Public => public::corrections,
        GET "/pages/{slug}" Public => public::site_page,
        GET "/regulations" Public => public::regulations,
        GET "/regulations/calendar.ics" Public => public::regulations_calendar,
        GET "/regulations/changes.atom" Public => public::regulation_changes,
        GET "/regulations/{slug}" Public => public::regulation,
        GET "/regulations/{slug}/calendar.ics" Public => public::regulation_calendar,
        GET "/jurisdictions/{slug}" Public => public::jurisdiction,
        GET "/jurisdictions/{slug}/calendar.ics" Public => public::jurisdiction_calendar,
        GET "/search" Public => public::search,
        GET "/feed.atom" Public => public::site_atom,
        GET "/rss.xml" Public => public::site_rss,
        GET "/tags/{slug}/feed.atom" Public => public::tag_atom,
        GET "/authors/{slug}/feed.atom" Public => public::author_atom,
        GET "/contributors/{slug}/feed.atom" Public => public::contributor_atom,
        GET "/sitemap.xml" Public => public::sitemap_index,
        GET "/sitemaps/{file}" Public => public::sitemap_page,
        GET "/robots.txt" Public => public::robots,
        GET "/.well-known/security.txt" Public => public::security_txt,
        GET "/.well-known/tdmrep.json" Public => public::tdmrep,
        GET "/security" Public => public::security_policy,
        // The content API, read-only JSON (any origin may read it).
        GET "/api/v1/articles" Public => api::list_articles,
        GET "/api/v1/articles/{article}" Public => api::article,
        GET "/api/v1/tags" Public => api::list_tags,
        GET "/api/v1/authors" Public => api::list_authors,
        GET "/api/v1/regulations" Public => api::list_regulations,
        GET "/api/v1/regulations/{slug}" Public => api::regulation,
        GET "/api/v1/openapi.json" Public => api::openapi,
        // The write API: a bearer token with the scope, within its owner's role.
        POST "/api/v1/articles" Bearer(ArticlesWrite) => api::create,
        PATCH "/api/v1/articles/{article}" Bearer(ArticlesWrite) => api::update,
        POST "/api/v1/articles/{article}/submit" Bearer(ArticlesWrite) => api::submit,
        POST "/api/v1/articles/{article}/publish" Bearer(ArticlesPublish) => api::publish,
        POST "/api/v1/articles/{article}/schedule" Bearer(ArticlesPublish) => api::schedule,
        POST "/api/v1/articles/{article}/unpublish" Bearer(ArticlesPublish) => api::unpublish,
        POST "/api/v1/articles/{article}/corrections" Bearer(ArticlesPublish) => api::add_correction,
        GET "/api/v1/desk/articles/{article}" Bearer(ContentRead) => api::desk,
        POST "/api/v1/media" Bearer(MediaWrite) => api::add_image,
        GET "/api/v1/webhooks" Bearer(WebhooksManage) => api::list_webhooks,
        POST "/api/v1/webhooks" Bearer(WebhooksManage) => api::create_webhook,
        DELETE "/api/v1/webhooks/{id}" Bearer(WebhooksManage) => api::delete_webhook,
        GET "/api/{*rest}" Public => api::not_found,
        // Media files: cached for ever by their hashed names, never through the render cache.
        GET "/media/{file}" Open => public::media_file,
        // A preview link: an unpublished article for whoever holds the link, never cached.
        GET "/apercu/{token}" Open => public::preview_link,
        GET "/images/{id}" Open => public::image,
        GET "/static/vigie.css" Open => assets::stylesheet,
        GET "/static/editor.js" Open => assets::editor_script,
        GET "/static/reader.js" Open => assets::reader_script,
        GET "/static/logo.svg" Open => assets::logo,
        GET "/healthz" Open => health::alive,
        GET "/readyz" Open => health::ready,
        // Signing in, first-run setup.
        GET "/login" Visitor => auth::login_page,
        POST "/login" Visitor => auth::login,
        GET "/login/code" Visitor => auth::code_form,
        POST "/login/code" Visitor => auth::check_code,
        POST "/login/code/cancel" Visitor => auth::cancel_code,
        GET "/setup" Visitor => auth::setup_page,
        POST "/setup" Visitor => auth::setup,
        GET "/password" Visitor => auth::password_page,
        GET "/password/forgot" Visitor => auth::forgot_form,
        POST "/password/forgot" Visitor => auth::send_link,
        POST "/password" Visitor => auth::set_password,
        // Signed-in users.
        POST "/logout" Needs(ManageOwnAccount) => auth::logout,
        GET "/account" Needs(ManageOwnAccount) => auth::account_page,
        GET "/account/confirm" Needs(ManageOwnAccount) => auth::confirm_form,
        POST "/account/confirm" Needs(ManageOwnAccount) => auth::confirm,
        POST "/account/profile" Needs(ManageOwnAccount) => auth::update_profile,
        POST "/account/password" Needs(ManageOwnAccount) => auth::change_password,
        POST "/account/email" Needs(ManageOwnAccount) => auth::change_email,
        POST "/account/sessions/end-others" Needs(ManageOwnAccount) => auth::end_other_sessions,
        POST "/account/two-factor" Needs(ManageOwnAccount) => auth::start_two_factor,
        POST "/account/two-factor/confirm" Needs(ManageOwnAccount) => auth::confirm_two_factor,
        POST "/account/two-factor/codes" Needs(ManageOwnAccount) => auth::new_recovery_codes,
        POST "/account/two-factor/remove" Needs(ManageOwnAccount) => auth::remove_two_factor,
        POST "/account/sessions/{id}/end" Needs(ManageOwnAccount) => auth::end_session,
        GET "/notifications" Needs(ManageOwnAccount) => notifications::list,
        POST "/notifications/read" Needs(ManageOwnAccount) => notifications::read,
        GET "/account/tokens" Needs(ManageOwnAccount) => auth::tokens_page,
        POST "/account/tokens" Needs(ManageOwnAccount) => auth::create_token,
        POST "/account/tokens/{id}/revoke" Needs(ManageOwnAccount) => auth::revoke_token,
        // The editor; which article a user may see or change is checked per article.
        GET "/editor" Needs(UseEditor) => editor::list,
        GET "/editor/new" Needs(UseEditor) => editor::new,
        POST "/editor/new" Needs(UseEditor) => editor::create,
        POST "/editor/new/autosave" Needs(UseEditor) => editor::autosave_new,
        POST "/editor/new/preview" Needs(UseEditor) => editor::live_preview_new,
        GET "/editor/lookup/tags" Needs(UseEditor) => editor::lookup_tags,
        GET "/editor/lookup/articles" Needs(UseEditor) => editor::lookup_articles,
        POST "/editor/paste" Needs(UseEditor) => editor::paste,
        GET "/editor/token" Needs(UseEditor) => editor::token,
        // The image library; who may change an image is checked per image.
        GET "/editor/media" Needs(UseEditor) => editor::media_library,
        POST "/editor/media" Needs(UseEditor) => editor::upload,
        GET "/editor/lookup/media" Needs(UseEditor) => editor::lookup_media,
        GET "/editor/media/{id}" Needs(UseEditor) => editor::media_item,
        POST "/editor/media/{id}" Needs(UseEditor) => editor::media_update,
        POST "/editor/media/{id}/file" Needs(UseEditor) => editor::media_replace,
        POST "/editor/media/{id}/delete" Needs(UseEditor) => editor::media_delete,
        GET "/editor/articles/{id}" Needs(UseEditor) => editor::edit,
        GET "/editor/by-slug/{slug}" Needs(UseEditor) => editor::by_slug,
        POST "/editor/articles/{id}" Needs(UseEditor) => editor::save,
        POST "/editor/articles/{id}/autosave" Needs(UseEditor) => editor::autosave,
        GET "/editor/articles/{id}/preview" Needs(UseEditor) => editor::preview,
        POST "/editor/articles/{id}/preview" Needs(UseEditor) => editor::live_preview,
        POST "/editor/articles/{id}/lock" Needs(UseEditor) => editor::take_over,
        POST "/editor/articles/{id}/status" Needs(UseEditor) => editor::change_status,
        GET "/editor/articles/{id}/revisions" Needs(UseEditor) => editor::revisions,
        GET "/editor/articles/{id}/revisions/{rev}" Needs(UseEditor) => editor::revision,
        POST "/editor/articles/{id}/revisions/{rev}/restore" Needs(UseEditor) => editor::restore,
        GET "/editor/articles/{id}/diff" Needs(UseEditor) => editor::diff,
        POST "/editor/articles/{id}/corrections" Needs(UseEditor) => editor::add_correction,
        POST "/editor/articles/{id}/delete" Needs(UseEditor) => editor::delete,
        POST "/editor/articles/{id}/bylines" Needs(UseEditor) => editor::set_bylines,
        POST "/editor/articles/{id}/notes" Needs(UseEditor) => editor::add_note,
        POST "/editor/articles/{id}/notes/{note}/resolve" Needs(UseEditor) => editor::resolve_note,
        POST "/editor/articles/{id}/translation" Needs(UseEditor) => editor::set_translation,
        POST "/editor/articles/{id}/embargo" Needs(UseEditor) => editor::set_embargo,
        POST "/editor/articles/{id}/embargo/lift" Needs(UseEditor) => editor::lift_embargo,
        POST "/editor/articles/{id}/previews" Needs(UseEditor) => editor::create_preview_link,
        POST "/editor/articles/{id}/previews/{link}/revoke" Needs(UseEditor) => editor::revoke_preview_link,
        // Review: editors and admins.
        GET "/admin/review" Needs(Review) => admin::queue,
        GET "/admin/review/{id}" Needs(Review) => admin::review,
        POST "/admin/review/{id}" Needs(Review) => admin::decide,
        // Admins.
        GET "/admin/audit" Needs(ReadAudit) => admin::audit,
        GET "/admin/jobs" Needs(ReadAudit) => admin::jobs::list,
        POST "/admin/jobs/{id}/retry" Needs(ReadAudit) => admin::jobs::retry,
        GET "/admin/menu" Needs(ManageSite) => admin::menu::show,
        POST "/admin/menu" Needs(ManageSite) => admin::menu::save,
        GET "/admin/contributors" Needs(ManageContributors) => admin::contributors::list,
        POST "/admin/contributors" Needs(ManageContributors) => admin::contributors::create,
        POST "/admin/contributors/{id}" Needs(ManageContributors) => admin::contributors::update,
        GET "/admin/tags" Needs(Review) => admin::tags::list,
        POST "/admin/tags" Needs(Review) => admin::tags::create,
        POST "/admin/tags/{id}" Needs(ManageTags) => admin::tags::update,
        POST "/admin/tags/{id}/merge" Needs(ManageTags) => admin::tags::merge,
        POST "/admin/tags/{id}/delete" Needs(ManageTags) => admin::tags::delete,
        // The regulation tracker: editors and admins; deleting a record, admins.
        GET "/admin/regulations" Needs(ManageRegulations) => admin::regulations::list,
        POST "/admin/regulations" Needs(ManageRegulations) => admin::regulation::create,
        GET "/admin/regulations/new" Needs(ManageRegulations) => admin::regulation::new,
        GET "/admin/regulations/{id}" Needs(ManageRegulations) => admin::regulation::show,
        POST "/admin/regulations/{id}" Needs(ManageRegulations) => admin::regulation::update,
        POST "/admin/regulations/{id}/publish" Needs(ManageRegulations) => admin::regulation::publish,
        POST "/admin/regulations/{id}/delete" Needs(DeleteRegulation) => admin::regulation::delete,
        POST "/admin/regulations/{id}/milestones" Needs(ManageRegulations) => admin::milestones::add_milestone,
        POST "/admin/regulations/{id}/milestones/{milestone}" Needs(ManageRegulations) => admin::milestones::update_milestone,
        POST "/admin/regulations/{id}/milestones/{milestone}/delete" Needs(ManageRegulations) => admin::milestones::delete_milestone,
        POST "/admin/jurisdictions" Needs(ManageRegulations) => admin::regulations::create_jurisdiction,
        POST "/admin/jurisdictions/{id}" Needs(ManageRegulations) => admin::regulations::rename_jurisdiction,
        GET "/admin/users" Needs(ManageUsers) => admin::users::list,
        POST "/admin/users" Needs(ManageUsers) => admin::users::create,
        POST "/admin/users/{id}/role" Needs(ManageUsers) => admin::users::change_role,
        POST "/admin/users/{id}/disable" Needs(ManageUsers) => admin::users::disable,
        POST "/admin/users/{id}/enable" Needs(ManageUsers) => admin::users::enable,
        POST "/admin/users/{id}/reset" Needs(ManageUsers) => admin::users::reset,
        POST "/admin/users/{id}/two-factor/reset" Needs(ManageUsers) => auth::reset_two_factor,
        GET "/admin/tokens" Needs(ManageUsers) => auth::all_tokens,
        GET "/admin/webhooks" Needs(ManageWebhooks) => admin::webhooks::list,
        POST "/admin/webhooks" Needs(ManageWebhooks) => admin::webhooks::create,
        GET "/admin/webhooks/{id}" Needs(ManageWebhooks) => admin::webhooks::show,
        POST "/admin/webhooks/{id}" Needs(ManageWebhooks) => admin::webhooks::update,
        POST "/admin/webhooks/{id}/test" Needs(ManageWebhooks) => admin::webhooks::test,
        POST "/admin/webhooks/{id}/rotate" Needs(ManageWebhooks) => admin::webhooks::rotate,
        POST "/admin/webhooks/{id}/enable" Needs(ManageWebhooks) => admin::webhooks::enable,
        POST "/admin/webhooks/{id}/disable" Needs(ManageWebhooks) => admin::webhooks::disable,
        POST "/admin/webhooks/{id}/delete" Needs(ManageWebhooks) => admin::webhooks::delete,
        POST "/admin/webhooks/{id}/deliveries/{delivery}/again" Needs(ManageWebhooks) => admin::webhooks::send_again,
        POST "/admin/tokens/{id}/revoke" Needs(ManageUsers) => auth::revoke_any_token,
    ]
}

/// The routes that take a file.
const UPLOADS: &[&str] = &["/editor/media", "/editor/media/{id}/file", "/api/v1/media"];

/// Whether `path` (a request's) is one of [`UPLOADS`].
pub(super) fn takes_file(path: &str) -> bool {
    path == "/editor/media"
        || path == "/api/v1/media"
        || path
            .strip_prefix("/editor/media/")
            .and_then(|rest| rest.strip_suffix("/file"))
            .is_some_and(|id| !id.contains('/'))
}

/// Every route, for tests and documentation.
pub fn list() -> Vec<Route> {
    table().into_iter().map(|e| e.route).collect()
}

/// Adds every route to `router`, each behind the access gate of its rule.
pub(super) fn add_all(mut router: Router<AppState>, state: &AppState) -> Router<AppState> {
    for Entry { route, handler } in table() {
        let mut handler = match route.access {
            // Where reads go is chosen inside the caching layer, so that a page the primary
            // answers after a replica failed is kept like any other.
            Access::Public => handler
                .route_layer(from_fn_with_state(state.clone(), super::reads::route))
                .route_layer(from_fn_with_state(state.clone(), super::caching::public)),
            Access::Open => handler,
            access => handler.route_layer(from_fn_with_state((state.clone(), access), auth::gate)),
        };
        if route.path.starts_with("/api/") {
            handler = handler.layer(api::cors());
        }
        if UPLOADS.contains(&route.path) && route.method == Method::POST {
            // An image and the form's few fields; every other form keeps the smaller limit.
            let limit = usize::try_from(state.config.media_max_bytes)
                .unwrap_or(usize::MAX)
                .saturating_add(1 << 20);
            handler = handler.layer(axum::extract::DefaultBodyLimit::max(limit));
        }
        router = router.route(route.path, handler);
    }
    router
}

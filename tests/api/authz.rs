//! The authorisation matrix: every route that is not public, for every kind of visitor.
//! Built against the router's own route table, so a new route without a line here fails.

use std::collections::BTreeSet;

use vigie::domain::Role;

use vigie::web::auth::Access;
use vigie::web::routes;

use crate::helpers::{Browser, Page, TestApp};

#[derive(Debug, Clone, Copy)]
enum Who {
    Anonymous,
    Journalist,
    Editor,
    Admin,
    /// Signed in, then disabled by an admin.
    Disabled,
}

const EVERYONE: [Who; 5] = [
    Who::Anonymous,
    Who::Journalist,
    Who::Editor,
    Who::Admin,
    Who::Disabled,
];

#[derive(Debug, Clone, Copy)]
enum Expect {
    Status(u16),
    /// 303 to the sign-in page.
    SignIn,
    /// 303 elsewhere.
    To(&'static str),
    /// 303 to the fixture article's page in the editor.
    ToEditor,
}
use Expect::{SignIn, Status, To, ToEditor};

struct Case {
    /// The status the fixture article is put in first.
    fixture: &'static str,
    method: &'static str,
    /// The route; `{id}` and `{rev}` become a fresh draft by another journalist and its first
    /// revision, for each request.
    path: &'static str,
    /// Added to the path when requesting it.
    query: &'static str,
    fields: &'static [(&'static str, &'static str)],
    /// For anonymous, journalist, editor, admin, disabled.
    expect: [Expect; 5],
}

fn matrix() -> Vec<Case> {
    // Someone else's draft: journalists get 404 (not even its existence), editors and admins in.
    const THEIRS: [Expect; 5] = [SignIn, Status(404), Status(200), Status(200), SignIn];
    const THEIRS_POST: [Expect; 5] = [SignIn, Status(404), Status(303), Status(303), SignIn];
    const ARTICLE: &[(&str, &str)] = &[
        ("version", "1"),
        ("title", "Titre modifié"),
        ("lang", "fr"),
        ("body", "Texte."),
        ("intent", "save"),
    ];
    let case = |method, path, query, fields, expect| Case {
        fixture: "draft",
        method,
        path,
        query,
        fields,
        expect,
    };
    vec![
        case(
            "GET",
            "/login",
            "",
            &[],
            [
                Status(200),
                To("/editor"),
                To("/editor"),
                To("/editor"),
                Status(200),
            ],
        ),
        case(
            "POST",
            "/login",
            "",
            &[
                ("email", "x@vigie.example"),
                ("password", "pas le bon du tout"),
            ],
            [Status(422); 5],
        ),
        // The second step of signing in, with no password given first: back to the first.
        case(
            "GET",
            "/login/code",
            "",
            &[],
            [To("/login?next=%2Feditor"); 5],
        ),
        case(
            "POST",
            "/login/code",
            "",
            &[("code", "000000")],
            [To("/login?next=%2Feditor"); 5],
        ),
        case("POST", "/login/code/cancel", "", &[], [To("/login"); 5]),
        // "Mot de passe oublié" is offered only with a mail server.
        case("GET", "/password/forgot", "", &[], [Status(404); 5]),
        case(
            "POST",
            "/password/forgot",
            "",
            &[("email", "x@vigie.example")],
            [Status(404); 5],
        ),
        case("GET", "/setup", "", &[], [Status(404); 5]),
        case("POST", "/setup", "", &[("token", "0")], [Status(404); 5]),
        case(
            "POST",
            "/logout",
            "",
            &[],
            [SignIn, To("/"), To("/"), To("/"), SignIn],
        ),
        case(
            "GET",
            "/account",
            "",
            &[],
            [SignIn, Status(200), Status(200), Status(200), SignIn],
        ),
        case(
            "POST",
            "/account/profile",
            "",
            &[("display_name", "Nom"), ("bio", "")],
            [
                SignIn,
                To("/account?saved=profile"),
                To("/account?saved=profile"),
                To("/account?saved=profile"),
                SignIn,
            ],
        ),
        case(
            "POST",
            "/account/password",
            "",
            &[
                ("current", "pas le bon"),
                ("new", "une nouvelle phrase"),
                ("confirm", "une nouvelle phrase"),
            ],
            [SignIn, Status(422), Status(422), Status(422), SignIn],
        ),
        case(
            "GET",
            "/editor",
            "",
            &[],
            [SignIn, Status(200), Status(200), Status(200), SignIn],
        ),
        case(
            "GET",
            "/editor/new",
            "",
            &[],
            [SignIn, Status(200), Status(200), Status(200), SignIn],
        ),
        case(
            "POST",
            "/editor/new",
            "",
            &[
                ("title", "Nouveau"),
                ("lang", "fr"),
                ("body", "Texte."),
                ("intent", "save"),
            ],
            [SignIn, Status(303), Status(303), Status(303), SignIn],
        ),
        case(
            "POST",
            "/editor/new/autosave",
            "",
            &[("title", "Nouveau"), ("lang", "fr"), ("body", "Texte.")],
            [SignIn, Status(201), Status(201), Status(201), SignIn],
        ),
        case(
            "POST",
            "/editor/new/preview",
            "",
            &[("title", "Nouveau"), ("lang", "fr"), ("body", "Texte.")],
            [SignIn, Status(200), Status(200), Status(200), SignIn],
        ),
        case(
            "GET",
            "/editor/lookup/tags",
            "?q=ia",
            &[],
            [SignIn, Status(200), Status(200), Status(200), SignIn],
        ),
        case(
            "GET",
            "/editor/lookup/articles",
            "?q=ia",
            &[],
            [SignIn, Status(200), Status(200), Status(200), SignIn],
        ),
        case(
            "GET",
            "/editor/token",
            "",
            &[],
            [SignIn, Status(200), Status(200), Status(200), SignIn],
        ),
        case(
            "POST",
            "/editor/paste",
            "",
            &[("html", "<p>Collé</p>")],
            [SignIn, Status(200), Status(200), Status(200), SignIn],
        ),
        case(
            "GET",
            "/editor/media",
            "",
            &[],
            [SignIn, Status(200), Status(200), Status(200), SignIn],
        ),
        // No file: the form again, saying so.
        case(
            "POST",
            "/editor/media",
            "",
            &[("alt", "Une image")],
            [SignIn, Status(422), Status(422), Status(422), SignIn],
        ),
        case(
            "GET",
            "/editor/lookup/media",
            "?q=x",
            &[],
            [SignIn, Status(200), Status(200), Status(200), SignIn],
        ),
        // Someone else's image: anyone on the desk sees it; only editors change it.
        Case {
            fixture: "media",
            ..case(
                "GET",
                "/editor/media/{id}",
                "",
                &[],
                [SignIn, Status(200), Status(200), Status(200), SignIn],
            )
        },
        Case {
            fixture: "media",
            ..case(
                "POST",
                "/editor/media/{id}",
                "",
                &[("alt", "Nouveau texte"), ("caption", ""), ("credit", "")],
                [SignIn, Status(403), Status(303), Status(303), SignIn],
            )
        },
        Case {
            fixture: "media",
            ..case(
                "POST",
                "/editor/media/{id}/file",
                "",
                &[],
                [SignIn, Status(403), Status(422), Status(422), SignIn],
            )
        },
        Case {
            fixture: "media",
            ..case(
                "POST",
                "/editor/media/{id}/delete",
                "",
                &[],
                [SignIn, Status(403), Status(303), Status(303), SignIn],
            )
        },
        case("GET", "/editor/articles/{id}", "", &[], THEIRS),
        case(
            "GET",
            "/editor/by-slug/{slug}",
            "",
            &[],
            [SignIn, Status(404), ToEditor, ToEditor, SignIn],
        ),
        case("GET", "/editor/articles/{id}/preview", "", &[], THEIRS),
        case(
            "POST",
            "/editor/articles/{id}/preview",
            "",
            ARTICLE,
            [SignIn, Status(404), Status(200), Status(200), SignIn],
        ),
        case("POST", "/editor/articles/{id}", "", ARTICLE, THEIRS_POST),
        case(
            "POST",
            "/editor/articles/{id}/autosave",
            "",
            ARTICLE,
            [SignIn, Status(404), Status(204), Status(204), SignIn],
        ),
        case("POST", "/editor/articles/{id}/lock", "", &[], THEIRS_POST),
        case(
            "POST",
            "/editor/articles/{id}/status",
            "",
            &[("action", "submit"), ("version", "1")],
            THEIRS_POST,
        ),
        case("GET", "/editor/articles/{id}/revisions", "", &[], THEIRS),
        case(
            "GET",
            "/editor/articles/{id}/revisions/{rev}",
            "",
            &[],
            THEIRS,
        ),
        case(
            "POST",
            "/editor/articles/{id}/revisions/{rev}/restore",
            "",
            &[],
            THEIRS_POST,
        ),
        case(
            "GET",
            "/editor/articles/{id}/diff",
            "?from={rev}&to={rev}",
            &[],
            THEIRS,
        ),
        Case {
            fixture: "published",
            ..case(
                "POST",
                "/editor/articles/{id}/corrections",
                "",
                &[("body", "Une précision.")],
                [SignIn, Status(404), Status(303), Status(303), SignIn],
            )
        },
        case(
            "POST",
            "/editor/articles/{id}/bylines",
            "",
            &[("coauthor", "")],
            THEIRS_POST,
        ),
        case(
            "POST",
            "/editor/articles/{id}/notes",
            "",
            &[("text", "Une note de la matrice.")],
            THEIRS_POST,
        ),
        Case {
            fixture: "noted",
            ..case(
                "POST",
                "/editor/articles/{id}/notes/{note}/resolve",
                "",
                &[],
                THEIRS_POST,
            )
        },
        case(
            "POST",
            "/editor/articles/{id}/translation",
            "",
            &[("unlink", "yes")],
            THEIRS_POST,
        ),
        case(
            "GET",
            "/notifications",
            "",
            &[],
            [SignIn, Status(200), Status(200), Status(200), SignIn],
        ),
        case(
            "POST",
            "/notifications/read",
            "",
            &[],
            [SignIn, Status(303), Status(303), Status(303), SignIn],
        ),
        case(
            "GET",
            "/admin/menu",
            "",
            &[],
            [SignIn, Status(403), Status(403), Status(200), SignIn],
        ),
        case(
            "POST",
            "/admin/menu",
            "",
            &[("label", ""), ("href", "")],
            [SignIn, Status(403), Status(403), Status(303), SignIn],
        ),
        case(
            "GET",
            "/admin/contributors",
            "",
            &[],
            [SignIn, Status(403), Status(200), Status(200), SignIn],
        ),
        case(
            "POST",
            "/admin/contributors",
            "",
            &[("name", "Une invitée"), ("bio", "Chercheuse.")],
            [SignIn, Status(403), Status(303), Status(303), SignIn],
        ),
        Case {
            fixture: "contributor",
            ..case(
                "POST",
                "/admin/contributors/{id}",
                "",
                &[("name", "Un invité renommé"), ("bio", "")],
                [SignIn, Status(403), Status(303), Status(303), SignIn],
            )
        },
        case(
            "POST",
            "/editor/articles/{id}/embargo",
            "",
            &[("until", "2099-01-01T09:00"), ("note", "Rapport")],
            THEIRS_POST,
        ),
        Case {
            fixture: "embargoed",
            ..case(
                "POST",
                "/editor/articles/{id}/embargo/lift",
                "",
                &[("reason", "Sorti ailleurs")],
                [SignIn, Status(404), Status(303), Status(303), SignIn],
            )
        },
        case(
            "POST",
            "/editor/articles/{id}/previews",
            "",
            &[("label", "Une source"), ("hours", "48")],
            [SignIn, Status(404), Status(200), Status(200), SignIn],
        ),
        Case {
            fixture: "preview",
            ..case(
                "POST",
                "/editor/articles/{id}/previews/{link}/revoke",
                "",
                &[],
                THEIRS_POST,
            )
        },
        case(
            "POST",
            "/editor/articles/{id}/delete",
            "",
            &[("confirm", "yes")],
            [SignIn, Status(404), Status(403), Status(303), SignIn],
        ),
        case(
            "GET",
            "/admin/audit",
            "",
            &[],
            [SignIn, Status(403), Status(403), Status(200), SignIn],
        ),
        case("GET", "/password", "?token=nope", &[], [Status(404); 5]),
        case(
            "POST",
            "/password",
            "",
            &[
                ("token", "nope"),
                ("password", "une phrase assez longue"),
                ("password_confirm", "une phrase assez longue"),
            ],
            [Status(404); 5],
        ),
        case(
            "GET",
            "/admin/users",
            "",
            &[],
            [SignIn, Status(403), Status(403), Status(200), SignIn],
        ),
        case(
            "POST",
            "/admin/users",
            "",
            &[
                ("email", "nouveau@vigie.example"),
                ("name", "Nouveau"),
                ("role", "journalist"),
            ],
            [SignIn, Status(403), Status(403), Status(200), SignIn],
        ),
        Case {
            fixture: "user",
            ..case(
                "POST",
                "/admin/users/{id}/role",
                "",
                &[("role", "editor")],
                [SignIn, Status(403), Status(403), Status(303), SignIn],
            )
        },
        Case {
            fixture: "user",
            ..case(
                "POST",
                "/admin/users/{id}/disable",
                "",
                &[],
                [SignIn, Status(403), Status(403), Status(303), SignIn],
            )
        },
        Case {
            fixture: "user",
            ..case(
                "POST",
                "/admin/users/{id}/enable",
                "",
                &[],
                [SignIn, Status(403), Status(403), Status(303), SignIn],
            )
        },
        Case {
            fixture: "user",
            ..case(
                "POST",
                "/admin/users/{id}/reset",
                "",
                &[],
                [SignIn, Status(403), Status(403), Status(200), SignIn],
            )
        },
        case(
            "GET",
            "/admin/tags",
            "",
            &[],
            [SignIn, Status(403), Status(200), Status(200), SignIn],
        ),
        case(
            "POST",
            "/admin/tags",
            "",
            &[("name", "Matrice"), ("kind", "topic")],
            [SignIn, Status(403), Status(303), Status(303), SignIn],
        ),
        Case {
            fixture: "tag",
            ..case(
                "POST",
                "/admin/tags/{id}",
                "",
                &[("name", "Renommé"), ("kind", "topic")],
                [SignIn, Status(403), Status(403), Status(303), SignIn],
            )
        },
        Case {
            fixture: "tag",
            ..case(
                "POST",
                "/admin/tags/{id}/merge",
                "",
                &[("into", "pas-un-id")],
                [SignIn, Status(403), Status(403), Status(422), SignIn],
            )
        },
        Case {
            fixture: "tag",
            ..case(
                "POST",
                "/admin/tags/{id}/delete",
                "",
                &[],
                [SignIn, Status(403), Status(403), Status(303), SignIn],
            )
        },
        case(
            "GET",
            "/admin/jobs",
            "",
            &[],
            [SignIn, Status(403), Status(403), Status(200), SignIn],
        ),
        Case {
            fixture: "job",
            ..case(
                "POST",
                "/admin/jobs/{id}/retry",
                "",
                &[],
                [SignIn, Status(403), Status(403), Status(303), SignIn],
            )
        },
        case(
            "GET",
            "/admin/review",
            "",
            &[],
            [SignIn, Status(403), Status(200), Status(200), SignIn],
        ),
        // The regulation tracker: editors and admins; deleting a record, admins.
        case(
            "POST",
            "/account/email",
            "",
            &[("email", "autre@vigie.example"), ("current", "pas le bon")],
            [SignIn, Status(422), Status(422), Status(422), SignIn],
        ),
        // Proving again who one is.
        case(
            "GET",
            "/account/confirm",
            "",
            &[],
            [SignIn, Status(200), Status(200), Status(200), SignIn],
        ),
        case(
            "POST",
            "/account/confirm",
            "",
            &[("secret", "pas le bon")],
            [SignIn, Status(422), Status(422), Status(422), SignIn],
        ),
        // One's own second factor.
        case(
            "POST",
            "/account/two-factor",
            "",
            &[],
            [
                SignIn,
                To("/account#second-factor"),
                To("/account#second-factor"),
                To("/account#second-factor"),
                SignIn,
            ],
        ),
        case(
            "POST",
            "/account/two-factor/confirm",
            "",
            &[("code", "000000")],
            [
                SignIn,
                To("/account#second-factor"),
                To("/account#second-factor"),
                To("/account#second-factor"),
                SignIn,
            ],
        ),
        case(
            "POST",
            "/account/two-factor/codes",
            "",
            &[("current", "pas le bon")],
            [
                SignIn,
                To("/account#second-factor"),
                To("/account#second-factor"),
                To("/account#second-factor"),
                SignIn,
            ],
        ),
        case(
            "POST",
            "/account/two-factor/remove",
            "",
            &[("current", "pas le bon")],
            [
                SignIn,
                To("/account?saved=two_factor_off#second-factor"),
                To("/account?saved=two_factor_off#second-factor"),
                To("/account?saved=two_factor_off#second-factor"),
                SignIn,
            ],
        ),
        // A colleague's second factor, which this one does not have.
        Case {
            fixture: "user",
            ..case(
                "POST",
                "/admin/users/{id}/two-factor/reset",
                "",
                &[],
                [SignIn, Status(403), Status(403), Status(404), SignIn],
            )
        },
        // One's own sessions: another person's is not found.
        Case {
            fixture: "session",
            ..case(
                "POST",
                "/account/sessions/{id}/end",
                "",
                &[],
                [SignIn, Status(404), Status(404), Status(404), SignIn],
            )
        },
        case(
            "POST",
            "/account/sessions/end-others",
            "",
            &[],
            [SignIn, Status(303), Status(303), Status(303), SignIn],
        ),
        // API tokens: one's own (another person's is not found); everyone's for admins.
        case(
            "GET",
            "/account/tokens",
            "",
            &[],
            [SignIn, Status(200), Status(200), Status(200), SignIn],
        ),
        case(
            "POST",
            "/account/tokens",
            "",
            &[
                ("name", "Matrice"),
                ("days", "7"),
                ("scopes", "content:read"),
            ],
            [SignIn, Status(201), Status(201), Status(201), SignIn],
        ),
        Case {
            fixture: "token",
            ..case(
                "POST",
                "/account/tokens/{id}/revoke",
                "",
                &[],
                [SignIn, Status(404), Status(404), Status(404), SignIn],
            )
        },
        case(
            "GET",
            "/admin/tokens",
            "",
            &[],
            [SignIn, Status(403), Status(403), Status(200), SignIn],
        ),
        Case {
            fixture: "token",
            ..case(
                "POST",
                "/admin/tokens/{id}/revoke",
                "",
                &[],
                [
                    SignIn,
                    Status(403),
                    Status(403),
                    To("/admin/tokens?revoked=1"),
                    SignIn,
                ],
            )
        },
        // Webhooks: admins.
        case(
            "GET",
            "/admin/webhooks",
            "",
            &[],
            [SignIn, Status(403), Status(403), Status(200), SignIn],
        ),
        case(
            "POST",
            "/admin/webhooks",
            "",
            &[
                ("url", "http://127.0.0.1:9/vigie"),
                ("events", "article.published"),
            ],
            [SignIn, Status(403), Status(403), Status(303), SignIn],
        ),
        Case {
            fixture: "webhook",
            ..case(
                "GET",
                "/admin/webhooks/{id}",
                "",
                &[],
                [SignIn, Status(403), Status(403), Status(200), SignIn],
            )
        },
        Case {
            fixture: "webhook",
            ..case(
                "POST",
                "/admin/webhooks/{id}",
                "",
                &[
                    ("url", "http://127.0.0.1:9/vigie"),
                    ("events", "article.published"),
                ],
                [SignIn, Status(403), Status(403), Status(303), SignIn],
            )
        },
        Case {
            fixture: "webhook",
            ..case(
                "POST",
                "/admin/webhooks/{id}/test",
                "",
                &[],
                [SignIn, Status(403), Status(403), Status(303), SignIn],
            )
        },
        Case {
            fixture: "webhook",
            ..case(
                "POST",
                "/admin/webhooks/{id}/rotate",
                "",
                &[],
                [SignIn, Status(403), Status(403), Status(303), SignIn],
            )
        },
        Case {
            fixture: "webhook",
            ..case(
                "POST",
                "/admin/webhooks/{id}/enable",
                "",
                &[],
                [SignIn, Status(403), Status(403), Status(303), SignIn],
            )
        },
        Case {
            fixture: "webhook",
            ..case(
                "POST",
                "/admin/webhooks/{id}/disable",
                "",
                &[],
                [SignIn, Status(403), Status(403), Status(303), SignIn],
            )
        },
        Case {
            fixture: "webhook",
            ..case(
                "POST",
                "/admin/webhooks/{id}/delete",
                "",
                &[],
                [SignIn, Status(403), Status(403), Status(303), SignIn],
            )
        },
        Case {
            fixture: "webhook",
            ..case(
                "POST",
                "/admin/webhooks/{id}/deliveries/{delivery}/again",
                "",
                &[],
                [SignIn, Status(403), Status(403), Status(303), SignIn],
            )
        },
        // The write API: a session cookie never opens it, whoever it is.
        case("POST", "/api/v1/articles", "", &[], [Status(401); 5]),
        case(
            "PATCH",
            "/api/v1/articles/{article}",
            "",
            &[],
            [Status(401); 5],
        ),
        case(
            "POST",
            "/api/v1/articles/{article}/submit",
            "",
            &[],
            [Status(401); 5],
        ),
        case(
            "POST",
            "/api/v1/articles/{article}/publish",
            "",
            &[],
            [Status(401); 5],
        ),
        case(
            "POST",
            "/api/v1/articles/{article}/schedule",
            "",
            &[],
            [Status(401); 5],
        ),
        case(
            "POST",
            "/api/v1/articles/{article}/unpublish",
            "",
            &[],
            [Status(401); 5],
        ),
        case(
            "POST",
            "/api/v1/articles/{article}/corrections",
            "",
            &[],
            [Status(401); 5],
        ),
        case(
            "GET",
            "/api/v1/desk/articles/{article}",
            "",
            &[],
            [Status(401); 5],
        ),
        case("POST", "/api/v1/media", "", &[], [Status(401); 5]),
        case("GET", "/api/v1/webhooks", "", &[], [Status(401); 5]),
        case("POST", "/api/v1/webhooks", "", &[], [Status(401); 5]),
        case("DELETE", "/api/v1/webhooks/{id}", "", &[], [Status(401); 5]),
        case(
            "GET",
            "/admin/regulations",
            "",
            &[],
            [SignIn, Status(403), Status(200), Status(200), SignIn],
        ),
        case(
            "GET",
            "/admin/regulations/new",
            "",
            &[],
            [SignIn, Status(403), Status(200), Status(200), SignIn],
        ),
        // Without a jurisdiction: the form comes back.
        case(
            "POST",
            "/admin/regulations",
            "",
            &[("name", "Matrice")],
            [SignIn, Status(403), Status(422), Status(422), SignIn],
        ),
        Case {
            fixture: "regulation",
            ..case(
                "GET",
                "/admin/regulations/{id}",
                "",
                &[],
                [SignIn, Status(403), Status(200), Status(200), SignIn],
            )
        },
        Case {
            fixture: "regulation",
            ..case(
                "POST",
                "/admin/regulations/{id}",
                "",
                &[("name", "Matrice")],
                [SignIn, Status(403), Status(422), Status(422), SignIn],
            )
        },
        Case {
            fixture: "regulation",
            ..case(
                "POST",
                "/admin/regulations/{id}/publish",
                "",
                &[],
                [SignIn, Status(403), Status(303), Status(303), SignIn],
            )
        },
        Case {
            fixture: "regulation",
            ..case(
                "POST",
                "/admin/regulations/{id}/delete",
                "",
                &[("confirm", "yes")],
                [SignIn, Status(403), Status(403), Status(303), SignIn],
            )
        },
        Case {
            fixture: "regulation",
            ..case(
                "POST",
                "/admin/regulations/{id}/milestones",
                "",
                &[("date", "2027-08"), ("label", "Échéance")],
                [SignIn, Status(403), Status(303), Status(303), SignIn],
            )
        },
        Case {
            fixture: "regulation",
            ..case(
                "POST",
                "/admin/regulations/{id}/milestones/{milestone}",
                "",
                &[("date", "2027-T3"), ("label", "Échéance")],
                [SignIn, Status(403), Status(303), Status(303), SignIn],
            )
        },
        Case {
            fixture: "regulation",
            ..case(
                "POST",
                "/admin/regulations/{id}/milestones/{milestone}/delete",
                "",
                &[],
                [SignIn, Status(403), Status(303), Status(303), SignIn],
            )
        },
        Case {
            fixture: "no-jurisdiction",
            ..case(
                "POST",
                "/admin/jurisdictions",
                "",
                &[("name", "Matrice")],
                [SignIn, Status(403), Status(303), Status(303), SignIn],
            )
        },
        Case {
            fixture: "jurisdiction",
            ..case(
                "POST",
                "/admin/jurisdictions/{id}",
                "",
                &[("name", "Matrice renommée")],
                [SignIn, Status(403), Status(303), Status(303), SignIn],
            )
        },
        Case {
            fixture: "in_review",
            ..case(
                "GET",
                "/admin/review/{id}",
                "",
                &[],
                [SignIn, Status(403), Status(200), Status(200), SignIn],
            )
        },
        Case {
            fixture: "in_review",
            ..case(
                "POST",
                "/admin/review/{id}",
                "",
                &[("decision", "publish"), ("version", "1")],
                [SignIn, Status(403), Status(303), Status(303), SignIn],
            )
        },
    ]
}

/// The only routes anyone may call without signing in. A staff route declared public by
/// mistake shows up here as a difference.
const PUBLIC: &[(&str, &str)] = &[
    ("GET", "/"),
    ("GET", "/articles/{slug}"),
    ("GET", "/tags/{slug}"),
    ("GET", "/authors/{slug}"),
    ("GET", "/contributors/{slug}"),
    ("GET", "/corrections"),
    ("GET", "/pages/{slug}"),
    ("GET", "/regulations"),
    ("GET", "/regulations/calendar.ics"),
    ("GET", "/regulations/changes.atom"),
    ("GET", "/regulations/{slug}"),
    ("GET", "/regulations/{slug}/calendar.ics"),
    ("GET", "/jurisdictions/{slug}"),
    ("GET", "/jurisdictions/{slug}/calendar.ics"),
    ("GET", "/search"),
    ("GET", "/feed.atom"),
    ("GET", "/rss.xml"),
    ("GET", "/tags/{slug}/feed.atom"),
    ("GET", "/authors/{slug}/feed.atom"),
    ("GET", "/contributors/{slug}/feed.atom"),
    ("GET", "/sitemap.xml"),
    ("GET", "/sitemaps/{file}"),
    ("GET", "/robots.txt"),
    ("GET", "/.well-known/security.txt"),
    ("GET", "/.well-known/tdmrep.json"),
    ("GET", "/security"),
    ("GET", "/api/v1/articles"),
    ("GET", "/api/v1/articles/{article}"),
    ("GET", "/api/v1/tags"),
    ("GET", "/api/v1/authors"),
    ("GET", "/api/v1/regulations"),
    ("GET", "/api/v1/regulations/{slug}"),
    ("GET", "/api/v1/openapi.json"),
    ("GET", "/api/{*rest}"),
    ("GET", "/media/{file}"),
    ("GET", "/apercu/{token}"),
    ("GET", "/images/{id}"),
    ("GET", "/static/vigie.css"),
    ("GET", "/static/editor.js"),
    ("GET", "/static/reader.js"),
    ("GET", "/static/logo.svg"),
    ("GET", "/healthz"),
    ("GET", "/readyz"),
];

#[test]
fn public_routes_are_exactly_the_readers_ones() {
    let public: BTreeSet<(String, &str)> = routes::list()
        .into_iter()
        .filter(|r| matches!(r.access, Access::Public | Access::Open))
        .map(|r| (r.method.to_string(), r.path))
        .collect();
    let expected: BTreeSet<(String, &str)> =
        PUBLIC.iter().map(|(m, p)| ((*m).to_owned(), *p)).collect();
    assert_eq!(public, expected);
}

#[test]
fn the_matrix_covers_exactly_the_routes_that_are_not_public() {
    let in_router: BTreeSet<(String, &str)> = routes::list()
        .into_iter()
        .filter(|r| !matches!(r.access, Access::Public | Access::Open))
        .map(|r| (r.method.to_string(), r.path))
        .collect();
    let in_matrix: BTreeSet<(String, &str)> = matrix()
        .iter()
        .map(|c| (c.method.to_owned(), c.path))
        .collect();
    let missing: Vec<_> = in_router.difference(&in_matrix).collect();
    let stale: Vec<_> = in_matrix.difference(&in_router).collect();
    assert!(
        missing.is_empty(),
        "routes without a line in the matrix: {missing:?}"
    );
    assert!(
        stale.is_empty(),
        "matrix lines for routes that do not exist: {stale:?}"
    );
}

/// A browser for `who`, and the CSRF token its forms carry (none when signed out).
async fn browser_for(app: &TestApp, who: Who) -> (Browser, Option<String>) {
    let role = match who {
        Who::Anonymous => return (app.browser(), None),
        Who::Journalist | Who::Disabled => Role::Journalist,
        Who::Editor => Role::Editor,
        Who::Admin => Role::Admin,
    };
    let (browser, account) = app.signed_in(role).await;
    let token = browser.csrf().await;
    if let Who::Disabled = who {
        // Only the flag, sessions left in place: the session check itself must refuse them.
        sqlx::query("update app_user set disabled_at = now() where id = $1")
            .bind(account.id)
            .execute(&app.pool)
            .await
            .unwrap();
    }
    (browser, Some(token))
}

/// `path` with `{milestone}` made the fixture regulation's milestone.
async fn with_milestone(app: &TestApp, path: String, regulation: uuid::Uuid) -> String {
    if path.contains("{note}") {
        // The fixture article's note.
        let note: i64 = sqlx::query_scalar("select id from article_note where article_id = $1")
            .bind(regulation)
            .fetch_one(&app.pool)
            .await
            .unwrap();
        return path.replace("{note}", &note.to_string());
    }
    if path.contains("{link}") {
        // The fixture article's preview link.
        let link: uuid::Uuid =
            sqlx::query_scalar("select id from preview_link where article_id = $1")
                .bind(regulation)
                .fetch_one(&app.pool)
                .await
                .unwrap();
        return path.replace("{link}", &link.to_string());
    }
    if !path.contains("{milestone}") {
        return path;
    }
    let milestone: uuid::Uuid =
        sqlx::query_scalar("select id from regulation_milestone where regulation_id = $1")
            .bind(regulation)
            .fetch_one(&app.pool)
            .await
            .unwrap();
    path.replace("{milestone}", &milestone.to_string())
}

/// What `{id}` stands for: the fixture's id (a job's is a number, given as the second value).
fn fixture_id(fixture: &str, id: uuid::Uuid, number: i64) -> String {
    if fixture == "job" {
        number.to_string()
    } else {
        id.to_string()
    }
}

/// A fresh draft by another journalist, and the id of its first revision.
async fn theirs(app: &TestApp, status: &str) -> (uuid::Uuid, i64) {
    let author = app.account(Role::Journalist).await;
    if status == "tag" {
        let mut conn = app.pool.acquire().await.unwrap();
        let name = format!("Thème {}", uuid::Uuid::new_v4().simple());
        let id =
            vigie::store::tags::find_or_create(&mut conn, &name, vigie::domain::TagKind::Topic, "")
                .await
                .unwrap();
        return (id, 0);
    }
    if status == "job" {
        // A job that failed for good.
        let id: i64 = sqlx::query_scalar(
            "insert into job (kind, payload, failed, attempts, max_attempts, last_error)
             values ('renditions', '{}', true, 1, 1, 'the original cannot be used') returning id",
        )
        .fetch_one(&app.pool)
        .await
        .unwrap();
        return (uuid::Uuid::nil(), id);
    }
    if status == "media" {
        // An image another journalist sent (its file need not exist for these routes).
        let id = uuid::Uuid::new_v4();
        sqlx::query(
            "insert into media (id, original_key, original_bytes, format, width, height, alt, uploaded_by)
             values ($1, 'originals/x.jpg', 10, 'jpeg', 10, 10, 'Une image', $2)",
        )
        .bind(id)
        .bind(author.id)
        .execute(&app.pool)
        .await
        .unwrap();
        return (id, 0);
    }
    if status == "regulation" {
        // A record being prepared, complete, with one milestone.
        let name = format!("Juridiction {}", uuid::Uuid::new_v4().simple());
        let (id, milestone): (uuid::Uuid, uuid::Uuid) = sqlx::query_as(
            "with j as (insert into jurisdiction (slug, name) values (lower($1), $1) returning id),
                  r as (insert into regulation (slug, name, jurisdiction_id, legal_form, status)
                        select lower($1) || '-r', 'Texte ' || $1, j.id, 'law', 'adopted' from j
                        returning id)
             insert into regulation_milestone (regulation_id, on_date, label)
             select r.id, '2027-01-01', 'Application' from r returning regulation_id, id",
        )
        .bind(name.replace(' ', "-"))
        .fetch_one(&app.pool)
        .await
        .unwrap();
        let _ = milestone;
        return (id, 0);
    }
    if status == "jurisdiction" {
        // Its new name is free again for each request.
        sqlx::query("delete from jurisdiction where name = 'Matrice renommée'")
            .execute(&app.pool)
            .await
            .unwrap();
        let name = format!("Juridiction {}", uuid::Uuid::new_v4().simple());
        let id = sqlx::query_scalar(
            "insert into jurisdiction (slug, name) values (lower($1), $1) returning id",
        )
        .bind(name.replace(' ', "-"))
        .fetch_one(&app.pool)
        .await
        .unwrap();
        return (id, 0);
    }
    if status == "session" {
        // A session of the other journalist, named as the account page names it.
        let id = sqlx::query_scalar(
            "insert into session (id_hash, user_id, csrf_token, expires_at)
             values (decode(md5(random()::text), 'hex'), $1, 'x', now() + interval '1 hour') returning public_id",
        )
        .bind(author.id)
        .fetch_one(&app.pool)
        .await
        .unwrap();
        return (id, 0);
    }
    if status == "webhook" {
        // An endpoint with one delivery (its id stands for `{delivery}`).
        let id: uuid::Uuid = sqlx::query_scalar(
            "insert into webhook_endpoint (url, events, secret, enabled)
             values ('http://127.0.0.1:9/matrice', '{article.published}', 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', false) returning id",
        )
        .fetch_one(&app.pool)
        .await
        .unwrap();
        let delivery: i64 = sqlx::query_scalar(
            "with ev as (insert into webhook_event (type, subject) values ('article.published', '{}') returning id)
             insert into webhook_delivery (endpoint_id, event_id, due_at, next_attempt_at)
             select $1, id, now(), now() from ev returning id",
        )
        .bind(id)
        .fetch_one(&app.pool)
        .await
        .unwrap();
        return (id, delivery);
    }
    if status == "token" {
        // A token of the other journalist.
        let id = sqlx::query_scalar(
            "insert into api_token (user_id, name, hash, hint, scopes, expires_at)
             values ($1, 'Matrice', sha256(gen_random_uuid()::text::bytea), 'vigie_pat_abcd…', '{content:read}', now() + interval '1 day') returning id",
        )
        .bind(author.id)
        .fetch_one(&app.pool)
        .await
        .unwrap();
        return (id, 0);
    }
    if status == "contributor" {
        let id = sqlx::query_scalar(
            "insert into contributor (slug, name) values ('invite-' || md5(random()::text), 'Un invité') returning id",
        )
        .fetch_one(&app.pool)
        .await
        .unwrap();
        return (id, 0);
    }
    if status == "no-jurisdiction" {
        // Made again by each request.
        sqlx::query("delete from jurisdiction where name = 'Matrice'")
            .execute(&app.pool)
            .await
            .unwrap();
        return (uuid::Uuid::nil(), 0);
    }
    if status == "user" {
        // Routes about a person: the fixture is the journalist themself.
        return (author.id, 0);
    }
    let slug = app
        .article_by(author.id, "Le brouillon d’un autre", "Texte.", None)
        .await;
    if status == "noted" {
        sqlx::query(
            "insert into article_note (article_id, body) select id, 'Une note.' from article where slug = $1",
        )
        .bind(&slug)
        .execute(&app.pool)
        .await
        .unwrap();
        return sqlx::query_as("select a.id, r.id from article a join article_revision r on r.article_id = a.id where a.slug = $1")
            .bind(slug)
            .fetch_one(&app.pool)
            .await
            .unwrap();
    }
    if status == "embargoed" || status == "preview" {
        // A draft under embargo; with a link to it, for the second.
        sqlx::query("update article set embargo_until = now() + interval '1 day' where slug = $1")
            .bind(&slug)
            .execute(&app.pool)
            .await
            .unwrap();
        if status == "preview" {
            sqlx::query(
                "insert into preview_link (article_id, token_hash, label, expires_at)
                 select id, sha256(gen_random_uuid()::text::bytea), 'Matrice', now() + interval '1 day'
                 from article where slug = $1",
            )
            .bind(&slug)
            .execute(&app.pool)
            .await
            .unwrap();
        }
        return sqlx::query_as("select a.id, r.id from article a join article_revision r on r.article_id = a.id where a.slug = $1")
            .bind(slug)
            .fetch_one(&app.pool)
            .await
            .unwrap();
    }
    sqlx::query("update article set status = $2, published_at = case when $2 = 'published' then now() end where slug = $1")
        .bind(&slug)
        .bind(status)
        .execute(&app.pool)
        .await
        .unwrap();
    sqlx::query_as("select a.id, r.id from article a join article_revision r on r.article_id = a.id where a.slug = $1")
        .bind(slug)
        .fetch_one(&app.pool)
        .await
        .unwrap()
}

fn check(page: &Page, expect: Expect) -> Result<(), String> {
    let location = page.header("location");
    let ok = match expect {
        Status(code) => page.status.as_u16() == code,
        SignIn => page.status == 303 && location.starts_with("/login?next="),
        To(target) => page.status == 303 && location == target,
        ToEditor => page.status == 303 && location.starts_with("/editor/articles/"),
    };
    if ok {
        Ok(())
    } else {
        Err(format!(
            "expected {expect:?}, got {} {location}",
            page.status
        ))
    }
}

#[tokio::test]
async fn every_route_answers_each_kind_of_visitor_as_the_roles_table_says() {
    let app = matrix_app().await;
    let mut failures = Vec::new();
    let mut checked = 0;
    for case in matrix() {
        for (who, expect) in EVERYONE.into_iter().zip(case.expect) {
            let (browser, token) = browser_for(&app, who).await;
            let (article, revision) = theirs(&app, case.fixture).await;
            let mut path = format!("{}{}", case.path, case.query)
                .replace("{id}", &fixture_id(case.fixture, article, revision))
                .replace("{rev}", &revision.to_string())
                .replace("{delivery}", &revision.to_string());
            if path.contains("{slug}") {
                let slug: String = sqlx::query_scalar("select slug from article where id = $1")
                    .bind(article)
                    .fetch_one(&app.pool)
                    .await
                    .unwrap();
                path = path.replace("{slug}", &slug);
            }
            path = with_milestone(&app, path, article).await;
            let refused = !matches!(expect, Status(200 | 201 | 204 | 303) | To(_) | ToEditor);
            let before = if refused && case.method == "POST" {
                settle(&app).await;
                Some(fingerprint(&app).await)
            } else {
                None
            };
            let page = if case.method == "GET" {
                browser.get(&path).await
            } else if case.method != "POST" {
                // The write API's other methods: no form, nothing but the cookie.
                let method = reqwest::Method::from_bytes(case.method.as_bytes()).unwrap();
                let response = browser
                    .client
                    .request(method, format!("{}{path}", app.base_url()))
                    .send()
                    .await
                    .unwrap();
                crate::helpers::Page {
                    status: response.status(),
                    headers: response.headers().clone(),
                    body: response.text().await.unwrap_or_default(),
                }
            } else {
                let mut fields = case.fields.to_vec();
                if let Some(token) = &token {
                    fields.push(("csrf_token", token));
                }
                browser.post(&path, &fields).await
            };
            if let Err(e) = check(&page, expect) {
                failures.push(format!("{} {} as {who:?}: {e}", case.method, case.path));
            }
            // A refusal changes nothing (failed sign-ins aside: they are audited).
            if let Some(before) = before
                && !matches!(
                    case.path,
                    "/login"
                        | "/setup"
                        | "/password"
                        | "/password/forgot"
                        | "/login/code"
                        | "/login/code/cancel"
                )
                && fingerprint(&app).await != before
            {
                failures.push(format!(
                    "{} {} as {who:?}: refused, yet something was written",
                    case.method, case.path
                ));
            }
            checked += 1;
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert_eq!(checked, matrix().len() * EVERYONE.len());
}

/// The app the matrices run against: webhooks go to loopback (the fixtures' endpoints are
/// `http://127.0.0.1:9/…`, so a delivery never looks up a name or leaves the machine), and a
/// failed delivery is not tried again while the test runs (see `settle`).
async fn matrix_app() -> TestApp {
    TestApp::spawn_with(|c| {
        c.webhook_allow_private = true;
        c.webhook_retry = std::time::Duration::from_secs(3600);
    })
    .await
}

/// Waits until the background workers have nothing due or in hand, so that what a request
/// under test writes is not confused with a delivery attempt or a job started by the case
/// before it.
async fn settle(app: &TestApp) {
    for _ in 0..200 {
        let busy: bool = sqlx::query_scalar(
            "select exists (select 1 from webhook_endpoint e
                            cross join lateral (select d.next_attempt_at, d.leased_until
                                                from webhook_delivery d
                                                where d.endpoint_id = e.id and d.delivered_at is null
                                                order by d.due_at, d.id limit 1) head
                            where e.enabled
                              and (head.next_attempt_at <= now() or head.leased_until > now()))
                 or exists (select 1 from job where not failed
                            and (run_after <= now() or lease_until > now()))",
        )
        .fetch_one(&app.pool)
        .await
        .unwrap();
        if !busy {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let jobs: Vec<String> = sqlx::query_scalar("select j::text from job j")
        .fetch_all(&app.pool)
        .await
        .unwrap();
    let deliveries: Vec<String> = sqlx::query_scalar(
        "select d::text from webhook_delivery d join webhook_endpoint e on e.id = d.endpoint_id where e.enabled",
    )
    .fetch_all(&app.pool)
    .await
    .unwrap();
    panic!("the background workers did not settle in ten seconds: {jobs:?} {deliveries:?}");
}

/// Everything a refused request could have written, as one fingerprint (sessions and sign-in
/// throttling left out: every signed-in request touches its session).
async fn fingerprint(app: &TestApp) -> String {
    let mut all = String::new();
    for table in [
        "article",
        "article_revision",
        "article_tag",
        "article_link",
        "slug_redirect",
        "correction",
        "tag",
        "tag_redirect",
        "app_user",
        "audit_event",
        "password_token",
        "media",
        "job",
        "jurisdiction",
        "regulation",
        "regulation_milestone",
        "regulation_change",
        "api_token",
        "preview_link",
        "contributor",
        "article_coauthor",
        "article_note",
        "notification",
        "site_menu",
        "webhook_endpoint",
        "webhook_delivery",
    ] {
        let sql = format!(
            "select coalesce(md5(string_agg(t::text, ',' order by t::text)), '') from {table} t"
        );
        let digest: String = sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
            .fetch_one(&app.pool)
            .await
            .unwrap_or_else(|e| panic!("{table}: {e}"));
        all.push_str(&digest);
    }
    all
}

/// The CSRF matrix: every state-changing route of the table (from the matrix above, with the
/// fields that make it do something) is sent by an admin without the session's token, with
/// another session's token, and from another site; each is refused with 403 and writes
/// nothing. The sign-in forms, which have no session yet, are refused from another site.
#[tokio::test]
async fn every_state_changing_route_refuses_forged_requests_and_writes_nothing() {
    let app = matrix_app().await;
    let (_, other_token) = browser_for(&app, Who::Admin).await;
    let other_token = other_token.unwrap();
    let posts: Vec<Case> = matrix()
        .into_iter()
        .filter(|c| c.method == "POST")
        .collect();
    let in_router = routes::list()
        .into_iter()
        .filter(|r| r.method == axum::http::Method::POST)
        .count();
    assert_eq!(
        posts.len(),
        in_router,
        "every POST route is in the CSRF matrix"
    );
    let mut failures = Vec::new();
    for case in &posts {
        let (browser, token) = browser_for(&app, Who::Admin).await;
        let token = token.unwrap();
        let (article, revision) = theirs(&app, case.fixture).await;
        let path = format!("{}{}", case.path, case.query)
            .replace("{id}", &fixture_id(case.fixture, article, revision))
            .replace("{rev}", &revision.to_string())
            .replace("{delivery}", &revision.to_string());
        let path = with_milestone(&app, path, article).await;
        // The sign-in forms carry no session token: only the site check guards them.
        let signed = !matches!(
            case.path,
            "/login"
                | "/setup"
                | "/password"
                | "/password/forgot"
                | "/login/code"
                | "/login/code/cancel"
        );
        let cross_site = app.browser();
        let mut attempts: Vec<(&str, Page)> = Vec::new();
        settle(&app).await;
        let before = fingerprint(&app).await;
        if signed {
            attempts.push(("without the token", browser.post(&path, case.fields).await));
            let mut with_other = case.fields.to_vec();
            with_other.push(("csrf_token", &other_token));
            attempts.push((
                "with another session's token",
                browser.post(&path, &with_other).await,
            ));
            let mut with_own = case.fields.to_vec();
            with_own.push(("csrf_token", &token));
            attempts.push((
                "from another site",
                browser
                    .post_with(&path, &with_own, &[("origin", "http://evil.example")])
                    .await,
            ));
        } else {
            attempts.push((
                "from another site",
                cross_site
                    .post_with(&path, case.fields, &[("origin", "http://evil.example")])
                    .await,
            ));
        }
        // The write API takes no cookie at all: a forged request is just unauthenticated.
        let refused = if case.path.starts_with("/api/") {
            401
        } else {
            403
        };
        for (how, page) in &attempts {
            if page.status != refused {
                failures.push(format!("POST {} {how}: {}", case.path, page.status));
            }
        }
        if fingerprint(&app).await != before {
            failures.push(format!(
                "POST {}: a refused request wrote something",
                case.path
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// The matrix tries other people's articles; these are the author's own. A journalist may
/// delete their own draft that readers never saw (it is still only their notes), and nothing
/// else; they may correct nothing.
#[tokio::test]
async fn a_journalist_deletes_only_an_own_draft_readers_never_saw_and_corrects_nothing() {
    let app = TestApp::spawn().await;
    let (journalist, me) = app.signed_in(Role::Journalist).await;
    let draft = app.article_by(me.id, "Mon brouillon", "Texte.", None).await;
    let published = app
        .article_by(
            me.id,
            "Mon article publié",
            "Texte.",
            Some(time::macros::datetime!(2026-01-05 08:00 UTC)),
        )
        .await;
    // Taken off the site: a draft again, but readers saw it once.
    let seen = app
        .article_by(
            me.id,
            "Mon article dépublié",
            "Texte.",
            Some(time::macros::datetime!(2026-01-04 08:00 UTC)),
        )
        .await;
    sqlx::query("update article set status = 'draft' where slug = $1")
        .bind(&seen)
        .execute(&app.pool)
        .await
        .unwrap();
    for slug in [&published, &seen] {
        let id = app.article_id(slug).await;
        // The background worker's related lists, queued by these articles, are done first: a
        // job finishing between the two fingerprints is not this request's writing.
        app.related_done().await;
        let before = fingerprint(&app).await;
        let deleted = journalist
            .post_signed(
                &format!("/editor/articles/{id}/delete"),
                &[("confirm", "yes")],
            )
            .await;
        assert_eq!(deleted.status, 403, "delete {slug}");
        let corrected = journalist
            .post_signed(
                &format!("/editor/articles/{id}/corrections"),
                &[("body", "Je corrige moi-même.")],
            )
            .await;
        assert_eq!(corrected.status, 403, "correct {slug}");
        assert_eq!(fingerprint(&app).await, before, "{slug}: nothing written");
        let page = journalist.get(&format!("/editor/articles/{id}")).await;
        assert!(
            page.attrs("form", "action")
                .iter()
                .all(|a| !a.ends_with("/delete")),
            "{slug}: no delete button"
        );
    }
    let id = app.article_id(&draft).await;
    let page = journalist.get(&format!("/editor/articles/{id}")).await;
    assert!(
        page.attrs("form", "action")
            .contains(&format!("/editor/articles/{id}/delete")),
        "the draft offers its delete button"
    );
    // Unconfirmed, nothing goes.
    let before = fingerprint(&app).await;
    let unconfirmed = journalist
        .post_signed(&format!("/editor/articles/{id}/delete"), &[])
        .await;
    assert_eq!(unconfirmed.status, 422);
    assert_eq!(fingerprint(&app).await, before);
    let deleted = journalist
        .post_signed(
            &format!("/editor/articles/{id}/delete"),
            &[("confirm", "yes")],
        )
        .await;
    assert_eq!(deleted.status, 303);
    assert_eq!(
        journalist
            .get(&format!("/editor/articles/{id}"))
            .await
            .status,
        404
    );
    // Their own editor page offers neither.
    let id = app.article_id(&published).await;
    let page = journalist.get(&format!("/editor/articles/{id}")).await;
    assert_eq!(page.status, 200);
    let forms = page.attrs("form", "action");
    assert!(
        forms.contains(&format!("/editor/articles/{id}")),
        "{forms:?}"
    );
    assert!(
        forms
            .iter()
            .all(|a| !a.ends_with("/delete") && !a.ends_with("/corrections")),
        "{forms:?}"
    );
}

//! `/admin/menu`: the site's menu, in the header of every public page — standalone pages,
//! sections (a section is a chosen tag: its page lists its articles) and the regulation
//! tracker, in order, each with the label readers see. Admins keep it.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use crate::store::site::{self, MenuItem};
use crate::store::tags;
use crate::web::auth::{CurrentUser, SignedForm};
use crate::web::{AppError, AppState, Page};

/// How many entries the form offers.
const ROWS: usize = 8;

/// One row of the form: its label and where it leads (`""`: unused).
pub struct Row {
    pub label: String,
    pub href: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "admin/menu.html")]
pub struct MenuPage {
    page: Page,
    csrf: String,
    rows: Vec<Row>,
    /// Where an entry may lead: pages, sections (tags), the tracker — address and name.
    pages: Vec<(String, String)>,
    sections: Vec<(String, String)>,
    notice: Option<&'static str>,
    error: Option<&'static str>,
}

async fn menu_page(
    state: &AppState,
    user: &CurrentUser,
    mut rows: Vec<Row>,
) -> Result<MenuPage, AppError> {
    rows.resize_with(ROWS.max(rows.len()), || Row {
        label: String::new(),
        href: String::new(),
    });
    let pages = site::pages(&state.pool)
        .await?
        .into_iter()
        .map(|(slug, title, _)| (format!("/pages/{slug}"), title))
        .collect();
    let sections = tags::public_tags(&state.pool)
        .await?
        .into_iter()
        .map(|t| (format!("/tags/{}", t.slug), t.name))
        .collect();
    Ok(MenuPage {
        page: state.page_for(user, "Menu du site — Vigie".to_owned()),
        csrf: user.csrf_token().to_owned(),
        rows,
        pages,
        sections,
        notice: None,
        error: None,
    })
}

#[derive(Deserialize)]
pub struct Done {
    done: Option<String>,
}

pub async fn show(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<Done>,
) -> Result<MenuPage, AppError> {
    let rows = site::menu(&state.pool)
        .await?
        .into_iter()
        .map(|i| Row {
            label: i.label,
            href: i.href,
        })
        .collect();
    let mut page = menu_page(&state, &user, rows).await?;
    if q.done.is_some() {
        page.notice = Some("Menu enregistré : il est sur toutes les pages.");
    }
    Ok(page)
}

#[derive(Deserialize)]
pub struct MenuForm {
    #[serde(default)]
    label: Vec<String>,
    #[serde(default)]
    href: Vec<String>,
}

/// `POST /admin/menu`: the whole menu, in the order of the rows.
pub async fn save(
    State(state): State<AppState>,
    signed: SignedForm<MenuForm>,
) -> Result<Response, AppError> {
    let SignedForm { user, form } = signed;
    let rows: Vec<Row> = form
        .label
        .iter()
        .zip(form.href.iter().chain(std::iter::repeat(&String::new())))
        .map(|(label, href)| Row {
            label: label.clone(),
            href: href.trim().to_owned(),
        })
        .collect();
    let mut items = Vec::new();
    let mut error = None;
    for row in rows
        .iter()
        .filter(|r| !r.href.is_empty() || !r.label.trim().is_empty())
    {
        let label = row.label.trim();
        if row.href.is_empty() {
            error = Some("Choisissez où mène chaque entrée qui a un libellé.");
        } else if label.is_empty() || label.chars().count() > 40 || label.contains('\0') {
            error = Some("Chaque entrée a un libellé de 40 caractères au plus.");
        } else {
            items.push(MenuItem {
                label: label.to_owned(),
                href: row.href.clone(),
            });
        }
    }
    // Only what the form offers: a page or a section readers can see, or the tracker.
    let page = menu_page(&state, &user, Vec::new()).await?;
    let offered = |href: &str| {
        href == "/regulations"
            || page.pages.iter().any(|(h, _)| h == href)
            || page.sections.iter().any(|(h, _)| h == href)
    };
    if items.iter().any(|i| !offered(&i.href)) {
        error = Some("Une entrée mène à une page ou une rubrique qui n’est plus publiée.");
    }
    if items.len() > 12 {
        error = Some("Douze entrées au plus.");
    }
    if let Some(error) = error {
        let mut page = menu_page(&state, &user, rows).await?;
        page.error = Some(error);
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response());
    }
    let mut tx = state.pool.begin().await?;
    site::set_menu(&mut tx, &items, user.id).await?;
    tx.commit().await?;
    Ok(Redirect::to("/admin/menu?done=1").into_response())
}

//! The site itself: its standalone pages as readers see them (`/pages/{slug}`), and its menu
//! (pages, sections — a section is a chosen tag — and the regulation tracker), kept by admins.

use serde_json::json;
use sqlx::{PgConnection, PgPool};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::domain::{AuditAction, Lang, Slug};
use crate::store::audit;

/// A page readers can read.
#[derive(Debug, Clone)]
pub struct PublicPage {
    pub id: Uuid,
    pub slug: String,
    pub title: String,
    pub dek: String,
    pub body_html: String,
    pub lang: Lang,
    pub updated_at: OffsetDateTime,
}

/// The public page at `slug`.
pub async fn page(pool: &PgPool, slug: &Slug) -> Result<Option<PublicPage>, sqlx::Error> {
    sqlx::query_as!(
        PublicPage,
        r#"
        select id as "id!", slug as "slug!", title as "title!", dek as "dek!",
               body_html as "body_html!", lang as "lang!: Lang", updated_at as "updated_at!"
        from readable_page where slug = $1
        "#,
        slug.as_str()
    )
    .fetch_optional(pool)
    .await
}

/// The public pages, by title, with when they last changed: for the sitemap and the menu's
/// choices.
pub async fn pages(pool: &PgPool) -> Result<Vec<(String, String, OffsetDateTime)>, sqlx::Error> {
    let rows = sqlx::query!(
        r#"select slug as "slug!", title as "title!", updated_at as "updated_at!" from readable_page order by title"#
    )
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| (r.slug, r.title, r.updated_at))
        .collect())
}

/// An entry of the menu.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MenuItem {
    pub label: String,
    /// `/pages/…`, `/tags/…` or `/regulations`.
    pub href: String,
}

/// The menu, in order.
pub async fn menu(pool: &PgPool) -> Result<Vec<MenuItem>, sqlx::Error> {
    sqlx::query_as!(
        MenuItem,
        "select label, href from site_menu order by position"
    )
    .fetch_all(pool)
    .await
}

/// Replaces the menu with `items`, in order, as `actor` set it.
pub async fn set_menu(
    conn: &mut PgConnection,
    items: &[MenuItem],
    actor: Uuid,
) -> Result<(), sqlx::Error> {
    let (labels, hrefs): (Vec<String>, Vec<String>) = items
        .iter()
        .map(|i| (i.label.clone(), i.href.clone()))
        .unzip();
    // One menu saved at a time: the second waits, then replaces the first's.
    sqlx::query!("lock table site_menu in exclusive mode")
        .execute(&mut *conn)
        .await?;
    sqlx::query!("delete from site_menu")
        .execute(&mut *conn)
        .await?;
    sqlx::query!(
        r#"
        insert into site_menu (position, label, href)
        select t.position, t.label, t.href
        from unnest($1::text[], $2::text[]) with ordinality as t(label, href, position)
        "#,
        &labels,
        &hrefs
    )
    .execute(&mut *conn)
    .await?;
    let shown: Vec<_> = items
        .iter()
        .map(|i| json!({ "label": i.label, "href": i.href }))
        .collect();
    audit::record(
        conn,
        Some(actor),
        AuditAction::SiteMenu,
        "menu",
        json!({ "items": shown }),
    )
    .await
}

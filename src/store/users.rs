//! People: journalists, editors, admins, and the author pages readers see.

use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

use super::sessions;
use crate::domain::{DisplayName, Email, Role, Slug};

/// An author as shown on their public page.
#[derive(Debug, Clone)]
pub struct Author {
    pub id: Uuid,
    pub slug: String,
    pub display_name: String,
    pub bio: String,
}

/// The author with this page slug, if they have at least one article readers can see: staff
/// who have published nothing have no public page.
pub async fn public_author(pool: &PgPool, slug: &Slug) -> Result<Option<Author>, sqlx::Error> {
    sqlx::query_as!(
        Author,
        r#"
        select u.id, u.slug, u.display_name, u.bio
        from app_user u
        where u.slug = $1
          and exists (
              select 1 from article a
              where a.author_id = u.id and a.status = 'published' and a.published_at <= now()
          )
        "#,
        slug.as_str()
    )
    .fetch_optional(pool)
    .await
}

/// What it takes to create a user; `password_hash` is `None` for people who cannot log in yet.
pub struct NewUser<'a> {
    pub email: &'a Email,
    pub display_name: &'a DisplayName,
    pub role: Role,
    pub bio: &'a str,
    pub password_hash: Option<&'a str>,
}

/// Creates a user with an author-page slug derived from their name (suffixed when taken).
pub async fn create(conn: &mut PgConnection, new: &NewUser<'_>) -> Result<Uuid, sqlx::Error> {
    let base = Slug::derive_or(new.display_name.as_str(), "auteur");
    let taken = sqlx::query_scalar!(
        "select slug from app_user where slug like $1 || '%'",
        base.variants_prefix()
    )
    .fetch_all(&mut *conn)
    .await?;
    let slug = base.first_free(&taken);
    sqlx::query_scalar!(
        r#"
        insert into app_user (email, display_name, slug, bio, role, password_hash)
        values ($1, $2, $3, $4, $5, $6)
        returning id
        "#,
        new.email.as_str(),
        new.display_name.as_str(),
        slug.as_str(),
        new.bio,
        new.role.as_str(),
        new.password_hash
    )
    .fetch_one(conn)
    .await
}

/// The id of the user with this e-mail address (case-insensitive).
pub async fn id_by_email(
    conn: &mut PgConnection,
    email: &Email,
) -> Result<Option<Uuid>, sqlx::Error> {
    sqlx::query_scalar!(
        "select id from app_user where lower(email) = lower($1)",
        email.as_str()
    )
    .fetch_optional(conn)
    .await
}

/// What signing in needs to know about the account behind an e-mail address.
#[derive(Debug)]
pub struct LoginCandidate {
    pub id: Uuid,
    pub password_hash: Option<String>,
    pub disabled: bool,
}

pub async fn for_login(pool: &PgPool, email: &str) -> Result<Option<LoginCandidate>, sqlx::Error> {
    sqlx::query_as!(
        LoginCandidate,
        r#"
        select id, password_hash, disabled_at is not null as "disabled!"
        from app_user where lower(email) = lower($1)
        "#,
        email.trim()
    )
    .fetch_optional(pool)
    .await
}

/// A signed-in user's own account, as the account page shows it.
#[derive(Debug, Clone)]
pub struct Account {
    pub id: Uuid,
    pub email: String,
    pub display_name: String,
    pub slug: String,
    pub bio: String,
    pub role: String,
    pub password_hash: Option<String>,
}

pub async fn account(pool: &PgPool, id: Uuid) -> Result<Option<Account>, sqlx::Error> {
    sqlx::query_as!(
        Account,
        "select id, email, display_name, slug, bio, role, password_hash from app_user where id = $1",
        id
    )
    .fetch_optional(pool)
    .await
}

pub async fn set_password_hash(
    conn: &mut PgConnection,
    id: Uuid,
    hash: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "update app_user set password_hash = $2 where id = $1",
        id,
        hash
    )
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn update_profile(
    conn: &mut PgConnection,
    id: Uuid,
    display_name: &DisplayName,
    bio: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "update app_user set display_name = $2, bio = $3 where id = $1",
        id,
        display_name.as_str(),
        bio
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// Changes a user's role and ends all their sessions, so the new role applies at once.
pub async fn set_role(conn: &mut PgConnection, id: Uuid, role: Role) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "update app_user set role = $2 where id = $1",
        id,
        role.as_str()
    )
    .execute(&mut *conn)
    .await?;
    sessions::delete_all_for(conn, id, None).await?;
    Ok(())
}

/// Disables (or enables again) a user; disabling ends all their sessions at once. Their
/// articles stay.
pub async fn set_disabled(
    conn: &mut PgConnection,
    id: Uuid,
    disabled: bool,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "update app_user set disabled_at = case when $2 then coalesce(disabled_at, now()) end where id = $1",
        id,
        disabled
    )
    .execute(&mut *conn)
    .await?;
    if disabled {
        sessions::delete_all_for(conn, id, None).await?;
    }
    Ok(())
}

/// Everyone who has written an article, for the editor's author filter.
pub async fn authors(pool: &PgPool) -> Result<Vec<(Uuid, String)>, sqlx::Error> {
    let rows = sqlx::query!(
        r#"
        select u.id, u.display_name from app_user u
        where exists (select 1 from article a where a.author_id = u.id)
        order by lower(u.display_name)
        "#
    )
    .fetch_all(pool)
    .await?;
    Ok(rows.into_iter().map(|r| (r.id, r.display_name)).collect())
}

/// Everyone with an account, for filters.
pub async fn authors_and_staff(pool: &PgPool) -> Result<Vec<(Uuid, String)>, sqlx::Error> {
    let rows = sqlx::query!("select id, display_name from app_user order by lower(display_name)")
        .fetch_all(pool)
        .await?;
    Ok(rows.into_iter().map(|r| (r.id, r.display_name)).collect())
}

//! People: journalists, editors, admins, and the author pages readers see.

use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

use crate::domain::{Email, Role, Slug};

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
    pub display_name: &'a str,
    pub role: Role,
    pub bio: &'a str,
    pub password_hash: Option<&'a str>,
}

/// Creates a user with an author-page slug derived from their name (suffixed when taken).
pub async fn create(conn: &mut PgConnection, new: &NewUser<'_>) -> Result<Uuid, sqlx::Error> {
    let base = Slug::derive_or(new.display_name, "auteur");
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
        new.display_name.trim(),
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

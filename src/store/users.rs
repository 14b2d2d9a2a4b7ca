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
          and (exists (select 1 from article a
                       where a.author_id = u.id and article_is_listed(a.status, a.published_at) and a.kind = 'article')
               or exists (select 1 from article_coauthor c join article a on a.id = c.article_id
                          where c.user_id = u.id and article_is_listed(a.status, a.published_at) and a.kind = 'article'))
        "#,
        slug.as_str()
    )
    .fetch_optional(pool)
    .await
}

/// An author in the public list, with how many public articles they signed.
#[derive(Debug, Clone)]
pub struct PublicAuthor {
    pub slug: String,
    pub display_name: String,
    pub bio: String,
    pub articles: i64,
}

/// Everyone with at least one article readers can see, by name. Nothing else about them
/// (no address, no role) leaves the newsroom.
pub async fn public_authors(pool: &PgPool) -> Result<Vec<PublicAuthor>, sqlx::Error> {
    sqlx::query_as!(
        PublicAuthor,
        r#"
        select u.slug, u.display_name, u.bio, count(*) as "articles!"
        from app_user u
        join (select a.author_id as user_id from article a
              where article_is_listed(a.status, a.published_at) and a.kind = 'article'
              union all
              select c.user_id from article_coauthor c join article a on a.id = c.article_id
              where c.user_id is not null and article_is_listed(a.status, a.published_at) and a.kind = 'article') s
          on s.user_id = u.id
        group by u.id
        order by lower(u.display_name), u.slug
        "#
    )
    .fetch_all(pool)
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
    pub role: Role,
}

pub async fn for_login(pool: &PgPool, email: &str) -> Result<Option<LoginCandidate>, sqlx::Error> {
    sqlx::query_as!(
        LoginCandidate,
        r#"
        select id, password_hash, disabled_at is not null as "disabled!", role as "role: Role"
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
    pub role: Role,
    pub password_hash: Option<String>,
    /// The language of their e-mail (`None`: the site's).
    pub lang: Option<crate::domain::Lang>,
}

pub async fn account(pool: &PgPool, id: Uuid) -> Result<Option<Account>, sqlx::Error> {
    sqlx::query_as!(
        Account,
        r#"select id, email, display_name, slug, bio, role as "role: Role", password_hash, lang as "lang: crate::domain::Lang" from app_user where id = $1"#,
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
    lang: Option<crate::domain::Lang>,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "update app_user set display_name = $2, bio = $3, lang = $4 where id = $1",
        id,
        display_name.as_str(),
        bio,
        lang.map(crate::domain::Lang::as_str)
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

/// A line of the admins' user list.
#[derive(Debug, Clone)]
pub struct Listed {
    pub id: Uuid,
    pub email: String,
    pub display_name: String,
    pub role: Role,
    pub disabled: bool,
    pub has_password: bool,
    /// Signs in with a second factor.
    pub two_factor: bool,
    pub created_at: time::OffsetDateTime,
}

pub async fn list(pool: &PgPool) -> Result<Vec<Listed>, sqlx::Error> {
    sqlx::query_as!(
        Listed,
        r#"
        select id, email, display_name, role as "role: Role", disabled_at is not null as "disabled!",
               password_hash is not null as "has_password!",
               exists (select 1 from user_totp t where t.user_id = app_user.id and t.confirmed_at is not null) as "two_factor!",
               created_at
        from app_user order by lower(display_name), id
        "#
    )
    .fetch_all(pool)
    .await
}

/// How many enabled admins there are, the row of `except` aside; locks them, so two admins
/// demoting each other at once cannot leave none.
pub async fn other_active_admins(
    conn: &mut PgConnection,
    except: Uuid,
) -> Result<i64, sqlx::Error> {
    // Every enabled admin locked, the target included, in id order: two admins acting on each
    // other at once wait for one another instead of deadlocking.
    let ids = sqlx::query_scalar!(
        "select id from app_user where role = 'admin' and disabled_at is null order by id for update"
    )
    .fetch_all(conn)
    .await?;
    Ok(ids.iter().filter(|id| **id != except).count() as i64)
}

/// A new one-time link token for `user` to set a password, valid three days (what an admin
/// hands over); earlier ones stop working.
pub async fn new_password_token(
    conn: &mut PgConnection,
    user: Uuid,
    by: Uuid,
) -> Result<String, sqlx::Error> {
    password_token_for(conn, user, by, std::time::Duration::from_secs(3 * 86_400)).await
}

/// A new one-time link token for `user`, valid for `valid` ("mot de passe oublié": an hour);
/// earlier ones stop working.
pub async fn password_token_for(
    conn: &mut PgConnection,
    user: Uuid,
    by: Uuid,
    valid: std::time::Duration,
) -> Result<String, sqlx::Error> {
    sqlx::query!("delete from password_token where user_id = $1", user)
        .execute(&mut *conn)
        .await?;
    let token = sessions::new_token()?;
    sqlx::query!(
        r#"
        insert into password_token (token_hash, user_id, created_by, expires_at)
        values ($1, $2, $3, now() + make_interval(secs => $4))
        "#,
        sessions::digest(&token),
        user,
        by,
        valid.as_secs_f64()
    )
    .execute(conn)
    .await?;
    Ok(token)
}

/// The user a password link is for, while it is valid.
pub async fn password_token_user(
    conn: &mut PgConnection,
    token: &str,
) -> Result<Option<Uuid>, sqlx::Error> {
    sqlx::query_scalar!(
        r#"
        select t.user_id from password_token t join app_user u on u.id = t.user_id
        where t.token_hash = $1 and t.expires_at > now() and u.disabled_at is null
        "#,
        sessions::digest(token)
    )
    .fetch_optional(conn)
    .await
}

/// Spends a password link: the user it was for, if it was still valid (once only, even when
/// submitted twice at the same moment).
pub async fn spend_password_token(
    conn: &mut PgConnection,
    token: &str,
) -> Result<Option<Uuid>, sqlx::Error> {
    sqlx::query_scalar!(
        "delete from password_token where token_hash = $1 and expires_at > now() returning user_id",
        sessions::digest(token)
    )
    .fetch_optional(conn)
    .await
}

/// Someone mail may be sent to: their name, address and language (`None`: the site's).
#[derive(Debug, Clone)]
pub struct Recipient {
    pub id: Uuid,
    pub display_name: String,
    pub email: String,
    pub lang: Option<crate::domain::Lang>,
}

/// `user`, if their account is enabled.
pub async fn recipient(
    conn: &mut PgConnection,
    user: Uuid,
) -> Result<Option<Recipient>, sqlx::Error> {
    sqlx::query_as!(
        Recipient,
        r#"
        select id, display_name, email, lang as "lang: crate::domain::Lang"
        from app_user where id = $1 and disabled_at is null
        "#,
        user
    )
    .fetch_optional(conn)
    .await
}

/// Every enabled editor and admin but `except`: who hears that an article waits for review.
pub async fn reviewers(
    conn: &mut PgConnection,
    except: Uuid,
) -> Result<Vec<Recipient>, sqlx::Error> {
    sqlx::query_as!(
        Recipient,
        r#"
        select id, display_name, email, lang as "lang: crate::domain::Lang"
        from app_user
        where role in ('editor', 'admin') and disabled_at is null and id <> $1
          and password_hash is not null
        order by id
        "#,
        except
    )
    .fetch_all(conn)
    .await
}

/// How many browsers `user` has signed in from before.
pub async fn known_devices(conn: &mut PgConnection, user: Uuid) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar!(
        r#"select count(*) as "n!" from login_device where user_id = $1"#,
        user
    )
    .fetch_one(conn)
    .await
}

/// A new sign-in address for `user`; `false` if another account has it.
pub async fn set_email(
    conn: &mut PgConnection,
    user: Uuid,
    email: &Email,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query!(
        "update app_user set email = $2 where id = $1",
        user,
        email.as_str()
    )
    .execute(conn)
    .await;
    match done {
        Ok(_) => Ok(true),
        Err(e) if crate::store::violates(&e, "app_user_email_key") => Ok(false),
        Err(e) => Err(e),
    }
}

/// Every unspent password link of `user` stops working.
pub async fn forget_password_tokens(
    conn: &mut PgConnection,
    user: Uuid,
) -> Result<(), sqlx::Error> {
    sqlx::query!("delete from password_token where user_id = $1", user)
        .execute(conn)
        .await?;
    Ok(())
}

/// Every active account, by name: who may sign an article.
pub async fn signers(pool: &PgPool) -> Result<Vec<(Uuid, String)>, sqlx::Error> {
    let rows = sqlx::query!(
        r#"
        select id, display_name from app_user
        where disabled_at is null
        order by lower(display_name), id
        "#
    )
    .fetch_all(pool)
    .await?;
    Ok(rows.into_iter().map(|r| (r.id, r.display_name)).collect())
}

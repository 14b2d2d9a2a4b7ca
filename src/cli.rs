//! The command line: `vigie serve [--demo]`, `vigie migrate`, `vigie user create`,
//! `vigie export`, `vigie import`, `vigie generate`, `vigie media gc`.

use anyhow::Context;
use clap::{Parser, Subcommand};

use std::io::{BufRead, IsTerminal};

use crate::config::Config;
use crate::db::Database;
use crate::domain::password::{self, Password};
use crate::domain::{AuditAction, DisplayName, Email, Lang, Role};
use crate::seed::demo;
use crate::store::{audit, setup, users};
use crate::{transfer, web};

#[derive(Debug, Parser)]
#[command(
    name = "vigie",
    version,
    about = "A newsroom CMS for reporting on AI regulation"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the site (applies migrations first).
    Serve {
        /// Load the demo content (once; later runs find it there).
        #[arg(long)]
        demo: bool,
    },
    /// Apply the database migrations and exit.
    Migrate,
    /// Fill the database with generated articles, for benchmarks (see bench/README.md).
    Generate {
        /// How many articles.
        #[arg(long, default_value_t = 100_000)]
        articles: usize,
        /// The same seed writes the same text.
        #[arg(long, default_value_t = 1)]
        seed: u64,
    },
    /// Write all content (users without passwords, tags, articles with every revision, audit
    /// log) as JSON that `vigie import` reads back.
    Export {
        /// Write here instead of standard output (complete or not at all).
        #[arg(long, short)]
        output: Option<std::path::PathBuf>,
    },
    /// Import a Vigie export (into an empty database) or a WordPress export (WXR) file.
    Import {
        path: std::path::PathBuf,
        /// WordPress: import what can be read and list what could not, instead of nothing.
        #[arg(long)]
        skip_bad: bool,
        /// WordPress: the language the posts are written in (fr or en; default: VIGIE_LANG).
        #[arg(long, value_parser = parse_lang)]
        lang: Option<Lang>,
        /// WordPress: a copy of the site's wp-content/uploads folder; the images posts use
        /// come from there into Vigie's library.
        #[arg(long)]
        uploads: Option<std::path::PathBuf>,
    },
    /// Manage accounts.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Manage API tokens.
    Token {
        #[command(subcommand)]
        command: TokenCommand,
    },
    /// Manage media files.
    Media {
        #[command(subcommand)]
        command: MediaCommand,
    },
}

#[derive(Debug, Subcommand)]
pub enum MediaCommand {
    /// Remove stored files no image names any more (replaced, deleted, or from a failed
    /// upload), once unnamed for longer than --older-than.
    Gc {
        /// Only say what would be removed.
        #[arg(long)]
        dry_run: bool,
        /// Keep a file this long after it stopped being named (cached pages, feeds and social
        /// cards may still point at it), or after it was stored if nothing ever named it (an
        /// upload in progress): 90s, 30m, 2h, 7d.
        #[arg(long, default_value = "7d", value_parser = parse_age)]
        older_than: std::time::Duration,
    },
}

fn parse_age(s: &str) -> Result<std::time::Duration, String> {
    if s.trim() == "0" {
        return Ok(std::time::Duration::ZERO);
    }
    crate::config::parse_duration(s)
        .ok_or_else(|| "expected a duration such as 90s, 30m, 2h or 1d".to_owned())
}

#[derive(Debug, Subcommand)]
pub enum TokenCommand {
    /// Make an API token for an account and print it (once: only its hash is kept).
    Create {
        /// The account's e-mail address.
        #[arg(long)]
        user: String,
        /// What will use it (shown in lists and in the audit log).
        #[arg(long, default_value = "vigie token create")]
        name: String,
        /// content:read, articles:write, articles:publish, media:write or webhooks:manage;
        /// repeat for several. Each must be allowed by the account's role.
        #[arg(long = "scope", required = true, value_parser = parse_scope)]
        scopes: Vec<crate::domain::token::Scope>,
        /// How long it lives: 30d, 12w, 6m, 1y (at most a year).
        #[arg(long, value_parser = parse_lifetime)]
        expires: i64,
    },
}

fn parse_scope(s: &str) -> Result<crate::domain::token::Scope, String> {
    crate::domain::token::Scope::parse(s).ok_or_else(|| {
        "expected content:read, articles:write, articles:publish, media:write or webhooks:manage"
            .to_owned()
    })
}

fn parse_lifetime(s: &str) -> Result<i64, String> {
    crate::domain::token::parse_lifetime(s)
        .ok_or_else(|| "expected a lifetime from 1d to 1y, such as 30d, 12w, 6m or 1y".to_owned())
}

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Create an account; the password is read from standard input, never from the command line.
    Create {
        #[arg(long)]
        email: String,
        #[arg(long)]
        name: String,
        /// journalist, editor or admin
        #[arg(long, value_parser = parse_role)]
        role: Role,
    },
}

fn parse_lang(s: &str) -> Result<Lang, String> {
    Lang::parse(s).ok_or_else(|| "expected fr or en".to_owned())
}

fn parse_role(s: &str) -> Result<Role, String> {
    Role::parse(s).ok_or_else(|| "expected journalist, editor or admin".to_owned())
}

/// Runs one command to completion.
pub async fn run(cli: Cli, config: Config) -> anyhow::Result<()> {
    match cli.command {
        Command::Serve { demo } => serve(config, demo).await,
        Command::User {
            command: UserCommand::Create { email, name, role },
        } => create_user(config, &email, &name, role).await,
        Command::Generate { articles, seed } => {
            let db = Database::open_beside_server(&config).await?;
            let generated =
                crate::seed::generate::generate(&db.pool, articles, seed, &config.base_url).await;
            db.close().await;
            generated
        }
        Command::Export { output } => export(config, output).await,
        Command::Token {
            command:
                TokenCommand::Create {
                    user,
                    name,
                    scopes,
                    expires,
                },
        } => create_token(config, &user, &name, &scopes, expires).await,
        Command::Import {
            path,
            skip_bad,
            lang,
            uploads,
        } => {
            if let Some(dir) = &uploads
                && !dir.is_dir()
            {
                anyhow::bail!("--uploads {}: no such folder", dir.display());
            }
            let options = transfer::ImportOptions {
                skip_bad,
                lang: lang.unwrap_or(config.lang),
                uploads,
                media_max_bytes: config.media_max_bytes,
            };
            import(config, &path, options).await
        }
        Command::Media {
            command:
                MediaCommand::Gc {
                    dry_run,
                    older_than,
                },
        } => {
            let store = crate::media::MediaStore::open(&config.media)?;
            let db = Database::open_beside_server(&config).await?;
            let collected = crate::media::gc::collect(&db.pool, &store, older_than, dry_run).await;
            db.close().await;
            let collected = collected?;
            if dry_run {
                println!("would remove {collected}");
            } else {
                println!("removed {collected}");
            }
            Ok(())
        }
        Command::Migrate => {
            let db = Database::open_beside_server(&config).await?;
            tracing::info!("migrations applied");
            db.close().await;
            Ok(())
        }
    }
}

async fn serve(config: Config, load_demo: bool) -> anyhow::Result<()> {
    // Listen for SIGINT/SIGTERM before starting anything: a signal during start-up then lets
    // start-up finish and shuts down cleanly, instead of killing us with PostgreSQL running.
    let shutdown = web::shutdown_signal()?;
    let db = Database::open(&config).await?;
    // (The other verbs open with `open_beside_server`.)
    // Whatever happens next, the database (and the embedded server) is closed cleanly.
    let served = async {
        let listener = tokio::net::TcpListener::bind(config.bind)
            .await
            .with_context(|| format!("cannot listen on {}", config.bind))?;
        let app = web::Application::build(db.pool.clone(), config.clone(), listener).await?;
        if load_demo {
            demo::load(&db.pool, &app.state().media, &config.base_url).await?;
        }
        if let Some(token) = setup::issue_token(&db.pool).await? {
            // The one secret Vigie prints, on purpose: it can only create the first admin, once.
            eprintln!(
                "\n  Nobody can sign in yet. Create the first admin account here (one use only):\n  {}/setup?token={token}\n",
                config.base_url
            );
        }
        let metrics = app
            .metrics_address()
            .map_or_else(|| "off".to_owned(), |a| a.to_string());
        tracing::info!(addr = %app.address(), base_url = %config.base_url, metrics = %metrics, "Vigie is serving");
        app.run_until(shutdown).await.context("serving HTTP")
    }
    .await;
    db.close().await;
    served
}

async fn export(config: Config, output: Option<std::path::PathBuf>) -> anyhow::Result<()> {
    let media = crate::media::MediaStore::open(&config.media)?;
    let db = Database::open_beside_server(&config).await?;
    let exported = async {
        match &output {
            None => {
                transfer::export(
                    &db.pool,
                    &media,
                    std::io::BufWriter::new(std::io::stdout().lock()),
                )
                .await
            }
            Some(path) => {
                // Written beside, then renamed: a failed export leaves no file that looks whole.
                let partial = path.with_extension("partial");
                let file = std::fs::File::create(&partial)
                    .with_context(|| format!("cannot write {}", partial.display()))?;
                let counts =
                    transfer::export(&db.pool, &media, std::io::BufWriter::new(file)).await;
                match counts {
                    Ok(counts) => {
                        std::fs::rename(&partial, path)
                            .with_context(|| format!("cannot write {}", path.display()))?;
                        Ok(counts)
                    }
                    Err(e) => {
                        let _ = std::fs::remove_file(&partial);
                        Err(e)
                    }
                }
            }
        }
    }
    .await;
    db.close().await;
    eprintln!("exported {}", exported?);
    Ok(())
}

async fn import(
    config: Config,
    path: &std::path::Path,
    options: transfer::ImportOptions,
) -> anyhow::Result<()> {
    let media = crate::media::MediaStore::open(&config.media)?;
    let db = Database::open_beside_server(&config).await?;
    let imported = transfer::import(&db.pool, &media, path, &config.base_url, options).await;
    db.close().await;
    let report = imported.with_context(|| format!("{}: nothing was imported", path.display()))?;
    for line in report.lines {
        eprintln!("{line}");
    }
    Ok(())
}

async fn create_user(config: Config, email: &str, name: &str, role: Role) -> anyhow::Result<()> {
    let email = Email::parse(email).context("--email")?;
    let name = DisplayName::parse(name).context("--name")?;
    let typed = read_password()?;
    let password = Password::parse(&typed)?;
    let hash = tokio::task::spawn_blocking(move || password::hash(&password))
        .await?
        .map_err(|e| anyhow::anyhow!("hashing the password failed: {e}"))?;
    let db = Database::open_beside_server(&config).await?;
    let created = async {
        let mut tx = db.pool.begin().await?;
        // The same lock as /setup: a first admin is created once, by one of them.
        sqlx::query("select pg_advisory_xact_lock(hashtext('vigie-setup'))")
            .execute(&mut *tx)
            .await?;
        if users::id_by_email(&mut tx, &email).await?.is_some() {
            anyhow::bail!(
                "a user with the e-mail address {} already exists",
                email.as_str()
            );
        }
        let new = users::NewUser {
            email: &email,
            display_name: &name,
            role,
            bio: "",
            password_hash: Some(&hash),
        };
        let id = users::create(&mut tx, &new).await?;
        // Someone can sign in now: first-run setup is over.
        setup::finish(&mut tx).await?;
        let details = serde_json::json!({ "via": "cli", "role": role.as_str() });
        audit::record(
            &mut tx,
            None,
            AuditAction::UserCreate,
            &id.to_string(),
            details,
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }
    .await;
    db.close().await;
    let id = created?;
    println!("created {role} {} ({id})", email.as_str());
    Ok(())
}

/// `vigie token create`: the token goes to standard output, and nowhere else.
async fn create_token(
    config: Config,
    email: &str,
    name: &str,
    scopes: &[crate::domain::token::Scope],
    days: i64,
) -> anyhow::Result<()> {
    use crate::store::tokens;
    let name = DisplayName::parse(name).context("--name")?;
    let new =
        crate::domain::token::generate().context("the system's random source cannot be read")?;
    let db = Database::open_beside_server(&config).await?;
    let created = async {
        let mut tx = db.pool.begin().await?;
        let Some((user, role, disabled)) = tokens::owner_by_email(&mut tx, email).await? else {
            anyhow::bail!("no account has the e-mail address {email}");
        };
        if disabled {
            anyhow::bail!("the account {email} is disabled");
        }
        if let Some(scope) = scopes.iter().find(|s| !s.allowed_for(role)) {
            anyhow::bail!("an account with the role {role} may not hold {scope}");
        }
        let id = tokens::create(
            &mut tx,
            user,
            name.as_str(),
            &new.hash,
            &new.hint,
            scopes,
            days,
            None,
        )
        .await?;
        web::auth::record_token_creation(&mut tx, None, id, name.as_str(), scopes, days).await?;
        tx.commit().await?;
        Ok(id)
    }
    .await;
    db.close().await;
    let id = created?;
    eprintln!("created token {id} for {email}, valid {days} days; it is shown once:");
    println!("{}", new.secret);
    Ok(())
}

/// Reads the password from standard input: typed without echo on a terminal (twice), or the
/// first line of a pipe.
fn read_password() -> anyhow::Result<String> {
    let stdin = std::io::stdin();
    if !stdin.is_terminal() {
        let mut line = String::new();
        stdin
            .lock()
            .read_line(&mut line)
            .context("reading the password")?;
        return Ok(line.trim_end_matches(['\n', '\r']).to_owned());
    }
    let first = read_hidden("Password: ")?;
    let second = read_hidden("Again: ")?;
    if first != second {
        anyhow::bail!("the two passwords differ");
    }
    Ok(first)
}

fn read_hidden(prompt: &str) -> anyhow::Result<String> {
    use nix::sys::termios::{LocalFlags, SetArg, tcgetattr, tcsetattr};
    let stdin = std::io::stdin();
    eprint!("{prompt}");
    let saved = tcgetattr(&stdin).context("reading the terminal settings")?;
    let mut silent = saved.clone();
    silent.local_flags.remove(LocalFlags::ECHO);
    tcsetattr(&stdin, SetArg::TCSANOW, &silent).context("hiding the typed password")?;
    let mut line = String::new();
    let read = stdin.lock().read_line(&mut line);
    let _ = tcsetattr(&stdin, SetArg::TCSANOW, &saved);
    eprintln!();
    read.context("reading the password")?;
    Ok(line.trim_end_matches(['\n', '\r']).to_owned())
}

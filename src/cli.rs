//! The command line: `vigie serve [--demo]`, `vigie migrate`.

use anyhow::Context;
use clap::{Parser, Subcommand};

use crate::config::Config;
use crate::db::Database;
use crate::{demo, web};

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
}

/// Runs one command to completion.
pub async fn run(cli: Cli, config: Config) -> anyhow::Result<()> {
    match cli.command {
        Command::Serve { demo } => serve(config, demo).await,
        Command::Migrate => {
            let db = Database::open(&config).await?;
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
    // Whatever happens next, the database (and the embedded server) is closed cleanly.
    let served = async {
        if load_demo {
            demo::load(&db.pool, &config.base_url).await?;
        }
        let (listener, addr) = web::bind(config.bind)
            .await
            .with_context(|| format!("cannot listen on {}", config.bind))?;
        tracing::info!(%addr, base_url = %config.base_url, "Vigie is serving");
        let app = web::router(web::AppState::new(db.pool.clone(), config.clone()));
        web::serve(listener, app, config.header_timeout, shutdown)
            .await
            .context("serving HTTP")
    }
    .await;
    db.close().await;
    served
}

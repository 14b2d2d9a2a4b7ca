//! The application as one piece, built the same way by `vigie serve` and by the tests
//! (zero2prod's `Application::build`): check the settings against the database, build the
//! state and the router, then serve on a listener until asked to stop, draining first.

use std::future::Future;
use std::net::SocketAddr;

use anyhow::Context;
use axum::Router;
use sqlx::PgPool;
use tokio::net::TcpListener;

use super::serve::serve;
use super::{AppState, router};
use crate::config::Config;

/// A built application on its listener, not serving yet.
pub struct Application {
    listener: TcpListener,
    address: SocketAddr,
    /// `/metrics`' own listener, when `VIGIE_METRICS_BIND` is set.
    metrics: Option<(TcpListener, SocketAddr)>,
    state: AppState,
    router: Router,
}

impl Application {
    /// Checks that PostgreSQL knows `VIGIE_TIMEZONE`, then builds the state (which starts the
    /// content listener: call it inside the Tokio runtime) and the router, to serve on
    /// `listener`. Migrations and demo content are the caller's (see `cli::serve`).
    pub async fn build(
        pool: PgPool,
        config: Config,
        listener: TcpListener,
    ) -> anyhow::Result<Self> {
        if !crate::db::known_timezone(&pool, &config.timezone).await? {
            anyhow::bail!(
                "VIGIE_TIMEZONE={} is not a time zone name PostgreSQL knows (e.g. Europe/Paris)",
                config.timezone
            );
        }
        let address = listener
            .local_addr()
            .context("reading the listener's address")?;
        let metrics = match config.metrics_bind {
            Some(bind) => {
                let listener = TcpListener::bind(bind)
                    .await
                    .with_context(|| format!("cannot listen on {bind} (VIGIE_METRICS_BIND)"))?;
                let address = listener
                    .local_addr()
                    .context("reading the metrics listener's address")?;
                Some((listener, address))
            }
            None => None,
        };
        let state = AppState::new(pool, config)?;
        let router = router(state.clone());
        Ok(Self {
            listener,
            address,
            metrics,
            state,
            router,
        })
    }

    /// The address it listens on (the real port when it was bound to port 0).
    pub fn address(&self) -> SocketAddr {
        self.address
    }

    /// Where `/metrics` is served, if it is.
    pub fn metrics_address(&self) -> Option<SocketAddr> {
        self.metrics.as_ref().map(|(_, address)| *address)
    }

    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// Serves until `stop` completes. Then `/readyz` fails at once; after SIGTERM, requests
    /// are still served for `VIGIE_SHUTDOWN_GRACE`, so that load balancers see it and move on;
    /// then no new connection is taken and requests in flight get `VIGIE_DRAIN_TIMEOUT`.
    pub async fn run_until(
        self,
        stop: impl Future<Output = Stop> + Send + 'static,
    ) -> std::io::Result<()> {
        let Self {
            listener,
            state,
            router,
            metrics,
            ..
        } = self;
        // Served as long as the site is; it ends with it.
        let metrics = metrics
            .map(|(listener, _)| tokio::spawn(super::metrics::serve(listener, state.clone())));
        let config = std::sync::Arc::clone(&state.config);
        let grace = config.shutdown_grace;
        let stopping = async move {
            let stop = stop.await;
            state.start_draining();
            if stop == Stop::Terminate && !grace.is_zero() {
                tracing::info!(
                    ?grace,
                    "SIGTERM: /readyz now fails; serving on for the grace period"
                );
                tokio::time::sleep(grace).await;
            }
        };
        let served = serve(
            listener,
            router,
            config.header_timeout,
            config.drain_timeout,
            stopping,
        )
        .await;
        if let Some(metrics) = metrics {
            metrics.abort();
        }
        served
    }
}

/// What asked us to stop.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stop {
    /// Ctrl-C: a person at a terminal, who wants it to stop now.
    Interrupt,
    /// SIGTERM: an orchestrator or service manager, which can wait for a graceful exit.
    Terminate,
}

/// Starts listening for Ctrl-C (SIGINT) and SIGTERM now; the future completes on either.
pub fn shutdown_signal() -> std::io::Result<impl std::future::Future<Output = Stop> + Send + 'static>
{
    use tokio::signal::unix::{SignalKind, signal};
    let mut interrupt = signal(SignalKind::interrupt())?;
    let mut terminate = signal(SignalKind::terminate())?;
    Ok(async move {
        tokio::select! {
            _ = interrupt.recv() => Stop::Interrupt,
            _ = terminate.recv() => Stop::Terminate,
        }
    })
}

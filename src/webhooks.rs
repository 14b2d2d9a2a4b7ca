//! The webhook deliverer every instance runs: claims due deliveries from the outbox (see
//! `store::webhooks`), signs them (Standard Webhooks) and sends them, a few at a time, each with
//! a time limit; records how each attempt went, and retries a failure with back-off.
//!
//! Where a delivery may go is checked when it is sent: `https://` only, and only to public
//! addresses — a literal address in the URL, and every address a name resolves to (the
//! connection is made to the checked addresses only, so a name cannot be re-pointed between
//! the check and the connection) — unless `VIGIE_WEBHOOK_ALLOW_PRIVATE=true`. Redirects are
//! not followed, and no proxy from the environment is used.
//!
//! The body of an event (the article as the content API shows it) is made by the web side,
//! which knows that shape: it hands the deliverer a [`Payloads`].

use std::future::Future;
use std::net::{IpAddr, SocketAddr};
use std::pin::Pin;
use std::sync::{Arc, Weak};
use std::time::{Duration, Instant};

use sqlx::PgPool;
use tokio::sync::{Notify, Semaphore};

use crate::domain::webhook;
use crate::store::webhooks::{self, Attempt, Claimed};

/// The longest the deliverer sleeps without looking at the outbox.
const LOOK_AGAIN: Duration = Duration::from_secs(5);
/// Deliveries in flight at once, per instance.
const AT_ONCE: usize = 8;
/// How often old deliveries and events are forgotten.
const FORGET_EVERY: Duration = Duration::from_secs(3600);

/// Makes the body of an event the first time it is sent.
pub trait Payloads: Send + Sync + 'static {
    fn payload<'a>(
        &'a self,
        claimed: &'a Claimed,
    ) -> Pin<Box<dyn Future<Output = anyhow::Result<serde_json::Value>> + Send + 'a>>;
}

/// The settings deliveries follow.
#[derive(Debug, Clone)]
pub struct Rules {
    pub allow_private: bool,
    pub timeout: Duration,
    pub retry: Duration,
    pub give_up: Duration,
}

#[derive(Clone)]
pub struct Deliverer {
    pool: PgPool,
    rules: Rules,
    client: reqwest13::Client,
    payloads: Arc<dyn Payloads>,
}

impl Deliverer {
    pub fn new(pool: PgPool, rules: Rules, payloads: Arc<dyn Payloads>) -> anyhow::Result<Self> {
        // TLS through rustls with ring, as the media store (see Cargo.toml).
        #[expect(
            deprecated,
            reason = "ring has no post-quantum key exchange; aws-lc, which has, is the long C build this avoids"
        )]
        let _ = rustls::crypto::ring::default_provider().install_default();
        let client = reqwest13::Client::builder()
            .redirect(reqwest13::redirect::Policy::none())
            .no_proxy()
            .timeout(rules.timeout)
            .connect_timeout(rules.timeout.min(Duration::from_secs(5)))
            .user_agent("Vigie-Webhooks/1")
            .dns_resolver(Arc::new(Guard {
                allow_private: rules.allow_private,
            }))
            .build()?;
        Ok(Self {
            pool,
            rules,
            client,
            payloads,
        })
    }

    /// Runs until `wake` is dropped (its server is gone: tests start many).
    pub async fn run(self, wake: Weak<Notify>) {
        let slots = Arc::new(Semaphore::new(AT_ONCE));
        // Rung when a delivery ends here: its retry may come due before anything else.
        let ended = Arc::new(Notify::new());
        let mut forgotten = Instant::now();
        loop {
            if forgotten.elapsed() > FORGET_EVERY {
                forgotten = Instant::now();
                if let Err(e) = webhooks::forget_old(&self.pool).await {
                    tracing::warn!(error = %e, "cannot forget old webhook deliveries");
                }
            }
            let Ok(slot) = Arc::clone(&slots).acquire_owned().await else {
                return;
            };
            // A little longer than an attempt may take: a worker that died mid-send leaves the
            // delivery to another once this runs out.
            let lease = self.rules.timeout.as_secs_f64() + 5.0;
            match webhooks::claim(&self.pool, lease).await {
                Ok(Some(claimed)) => {
                    let this = self.clone();
                    let ended = Arc::clone(&ended);
                    tokio::spawn(async move {
                        this.deliver(claimed).await;
                        drop(slot);
                        ended.notify_one();
                    });
                    continue;
                }
                Ok(None) => drop(slot),
                Err(e) => {
                    drop(slot);
                    tracing::warn!(error = %e, "cannot read the webhook outbox");
                }
            }
            let Some(wake) = wake.upgrade() else {
                return;
            };
            let wait = match webhooks::next_due(&self.pool).await {
                Ok(Some(at)) => Duration::try_from(at - time::OffsetDateTime::now_utc())
                    .unwrap_or(Duration::ZERO)
                    .min(LOOK_AGAIN),
                _ => LOOK_AGAIN,
            };
            tokio::select! {
                () = wake.notified() => {}
                () = ended.notified() => {}
                // Never a busy loop, whatever the clock says.
                () = tokio::time::sleep(wait.max(Duration::from_millis(20))) => {}
            }
        }
    }

    async fn deliver(&self, claimed: Claimed) {
        let started = Instant::now();
        // The whole attempt (its body made, sent, answered) within the lease, so that no other
        // instance takes the delivery while this one may still send it.
        let outcome = tokio::time::timeout(
            self.rules.timeout + Duration::from_secs(2),
            self.attempt(&claimed),
        )
        .await
        .unwrap_or_else(|_| Err("no answer in time".to_owned()));
        let duration_ms = i32::try_from(started.elapsed().as_millis()).unwrap_or(i32::MAX);
        let (attempt, accepted) = match outcome {
            Ok((status, answer)) => (
                Attempt {
                    status: Some(status),
                    error: if (200..300).contains(&status) {
                        String::new()
                    } else {
                        format!("the receiver answered {status}")
                    },
                    answer,
                    duration_ms,
                },
                (200..300).contains(&status),
            ),
            Err(error) => (
                Attempt {
                    status: None,
                    error,
                    answer: String::new(),
                    duration_ms,
                },
                false,
            ),
        };
        let recorded = if accepted {
            webhooks::delivered(&self.pool, &claimed, &attempt).await
        } else {
            let jitter = f64::from(random_u16()) / f64::from(u16::MAX);
            let retry = webhook::backoff(self.rules.retry, claimed.attempts, jitter);
            let gone = attempt.status == Some(410);
            match webhooks::failed(
                &self.pool,
                &claimed,
                &attempt,
                retry.as_secs_f64(),
                gone,
                self.rules.give_up.as_secs_f64(),
            )
            .await
            {
                Ok(webhooks::AfterFailure::Disabled) => {
                    tracing::warn!(endpoint = %claimed.endpoint_id, "webhook endpoint turned off");
                    Ok(())
                }
                Ok(webhooks::AfterFailure::Retrying) => {
                    tracing::info!(endpoint = %claimed.endpoint_id, delivery = claimed.id, attempt = claimed.attempts, error = %attempt.error, "webhook delivery failed; will retry");
                    Ok(())
                }
                Err(e) => Err(e),
            }
        };
        if let Err(e) = recorded {
            // The lease runs out and another attempt is made: at least once, never lost.
            tracing::warn!(delivery = claimed.id, error = %e, "cannot record a webhook attempt");
        }
    }

    /// Sends the delivery once: the receiver's status and the start of its answer, or why
    /// nothing was sent or nothing came back.
    async fn attempt(&self, claimed: &Claimed) -> Result<(u16, String), String> {
        let url = reqwest13::Url::parse(&claimed.url)
            .map_err(|_| "the endpoint's address is not a valid URL".to_owned())?;
        match url.scheme() {
            "https" => {}
            "http" if self.rules.allow_private => {}
            _ => return Err("refused: only https:// addresses receive webhooks".to_owned()),
        }
        // A literal address is not resolved, so it is checked here.
        let host = url.host_str().unwrap_or_default();
        let literal = host.trim_start_matches('[').trim_end_matches(']');
        if let Ok(ip) = literal.parse::<IpAddr>()
            && !self.rules.allow_private
            && !webhook::is_public(ip)
        {
            return Err(
                "refused: the address is private, loopback or reserved (VIGIE_WEBHOOK_ALLOW_PRIVATE is off)"
                    .to_owned(),
            );
        }
        let payload = match &claimed.payload {
            Some(payload) => payload.clone(),
            None => {
                let made = self
                    .payloads
                    .payload(claimed)
                    .await
                    .map_err(|e| format!("the event's body could not be made: {e:#}"))?;
                webhooks::fix_payload(&self.pool, claimed.event_id, &made)
                    .await
                    .map_err(|e| format!("the event's body could not be kept: {e}"))?
            }
        };
        let body = serde_json::to_vec(&payload).map_err(|e| e.to_string())?;
        let id = format!("msg_{}", claimed.event_id.simple());
        let timestamp = time::OffsetDateTime::now_utc().unix_timestamp();
        let signatures: Vec<String> = std::iter::once(&claimed.secret)
            .chain(claimed.previous_secret.as_ref())
            .filter_map(|secret| webhook::sign(secret, &id, timestamp, &body))
            .collect();
        if signatures.is_empty() {
            return Err("the endpoint's secret cannot sign".to_owned());
        }
        let response = self
            .client
            .post(url)
            .header("content-type", "application/json")
            .header("webhook-id", &id)
            .header("webhook-timestamp", timestamp.to_string())
            .header("webhook-signature", signatures.join(" "))
            .body(body)
            .send()
            .await
            .map_err(|e| describe(&e))?;
        let status = response.status().as_u16();
        let answer = read_start(response).await;
        Ok((status, answer))
    }
}

/// The first 500 characters of an answer (a receiver may send much more).
async fn read_start(mut response: reqwest13::Response) -> String {
    let mut bytes = Vec::new();
    while bytes.len() < 2000 {
        match response.chunk().await {
            Ok(Some(chunk)) => bytes.extend_from_slice(&chunk),
            _ => break,
        }
    }
    String::from_utf8_lossy(&bytes)
        .chars()
        .filter(|c| !c.is_control() || *c == '\n')
        .take(500)
        .collect()
}

/// Why a request failed, in a sentence for the delivery log (the URL left out: it is shown
/// beside it).
fn describe(e: &reqwest13::Error) -> String {
    let mut text = if e.is_timeout() {
        "no answer in time".to_owned()
    } else if e.is_connect() {
        "cannot connect".to_owned()
    } else {
        "the request failed".to_owned()
    };
    let mut source = std::error::Error::source(e);
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text.chars().take(300).collect()
}

fn random_u16() -> u16 {
    let mut bytes = [0u8; 2];
    let _ = getrandom::fill(&mut bytes);
    u16::from_le_bytes(bytes)
}

/// Resolves names for deliveries, keeping only the addresses deliveries may go to.
struct Guard {
    allow_private: bool,
}

impl reqwest13::dns::Resolve for Guard {
    fn resolve(&self, name: reqwest13::dns::Name) -> reqwest13::dns::Resolving {
        let allow_private = self.allow_private;
        let host = name.as_str().to_owned();
        Box::pin(async move {
            let found: Vec<SocketAddr> =
                tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            let allowed: Vec<SocketAddr> = found
                .into_iter()
                .filter(|a| allow_private || webhook::is_public(a.ip()))
                .collect();
            if allowed.is_empty() {
                let refused: Box<dyn std::error::Error + Send + Sync> = format!(
                    "refused: {host} resolves only to private, loopback or reserved addresses (VIGIE_WEBHOOK_ALLOW_PRIVATE is off)"
                )
                .into();
                return Err(refused);
            }
            let addrs: reqwest13::dns::Addrs = Box::new(allowed.into_iter());
            Ok(addrs)
        })
    }
}

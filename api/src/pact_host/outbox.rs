//! The PACT outbox: events this node owes partners (answers to their
//! requests), kept in the node's private records until delivered, so a
//! restart loses no pending answer.
//!
//! A delivery authenticates against the partner's host (`BASE/auth/token`,
//! with the client credentials the partner registered, see
//! `tanji_pact::callbacks`, kept with the event) and posts the event to `BASE/2/events` or
//! `BASE/3/events`. A failure (no answer, non-2xx) is retried with
//! exponential back-off from 2 s up to one hour between attempts; after 72
//! hours (PACT v3's limit) the event is dropped and the drop logged.
//!
//! Records are keyed `NEXT_ATTEMPT/ORG/EVENT_ID` (time in 16 hex digits),
//! so what is due is a prefix of the key order and what an organisation has
//! pending a count of keys: neither reads the (possibly large) events.
//!
//! Invariants: an event leaves the outbox only once its host answered 2xx,
//! or after the 72 hours; a record's key names its `next_attempt` and `org`.

use std::sync::Arc;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use serde_json::Value;
use tanji_ledger::OrgId;
use tanji_pact::callbacks::Callback;
use tokio::sync::Notify;

use crate::routes::signed::now;
use crate::ApiLedger;

/// Namespace of pending deliveries in the private records.
pub const OUTBOX_NAMESPACE: &str = "pact-outbox";
/// How long a delivery is retried, seconds (72 h).
pub const GIVE_UP_AFTER_SECS: u64 = 72 * 3600;
/// Longest wait between attempts, seconds.
const MAX_BACKOFF_SECS: u64 = 3600;
/// Most deliveries attempted per round.
const PER_ROUND: usize = 32;
/// Timeout of each HTTP call to a partner.
const CALL_TIMEOUT: Duration = Duration::from_secs(20);
/// How often the outbox is looked at when nothing wakes it.
const IDLE_ROUND: Duration = Duration::from_secs(1);

/// An event owed to a partner host.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Delivery {
    /// The organisation whose host it is (whose credentials authenticate).
    pub org: OrgId,
    /// The host's base URL.
    pub base_url: String,
    /// Client id at that host.
    pub client_id: String,
    /// Client secret at that host.
    pub client_secret: String,
    /// PACT version of the event (2 or 3): the path it is posted to.
    pub version: u8,
    /// The CloudEvent.
    pub event: Value,
    /// Attempts so far.
    pub attempts: u32,
    /// Not before, Unix seconds.
    pub next_attempt: u64,
    /// When it was queued, Unix seconds.
    pub created: u64,
    /// Why the last attempt failed.
    pub last_error: Option<String>,
}

impl Delivery {
    /// `NEXT_ATTEMPT/ORG/EVENT_ID`.
    fn key(&self) -> Vec<u8> {
        let id = self.event["id"].as_str().unwrap_or_default();
        format!("{:016x}/{}/{id}", self.next_attempt, self.org).into_bytes()
    }
}

/// The `next_attempt` and organisation a key names.
fn key_parts(key: &[u8]) -> Option<(u64, &[u8])> {
    let time = u64::from_str_radix(std::str::from_utf8(key.get(..16)?).ok()?, 16).ok()?;
    let org = key.get(17..)?.split(|b| *b == b'/').next()?;
    Some((time, org))
}

/// Why an event could not be queued.
#[derive(Debug, thiserror::Error)]
pub enum OutboxError {
    /// The private records could not be written.
    #[error(transparent)]
    Store(#[from] tanji_ledger::store::StoreError),
    /// The record could not be encoded.
    #[error("encoding an outbox record: {0}")]
    Encode(#[from] serde_json::Error),
}

/// The outbox of one node: queue (durably) and deliver.
#[derive(Clone)]
pub(crate) struct Outbox {
    store: Arc<dyn ApiLedger>,
    wake: Arc<Notify>,
}

impl Outbox {
    /// The outbox over `store`; deliveries start with [`Self::run`].
    pub(crate) fn new(store: Arc<dyn ApiLedger>) -> Self {
        Self {
            store,
            wake: Arc::new(Notify::new()),
        }
    }

    /// Keeps `event` for the host of `callback` (durably, before the request
    /// that caused it is answered) and wakes the sender.
    pub(crate) fn queue(
        &self,
        callback: Callback,
        version: u8,
        event: Value,
    ) -> Result<(), OutboxError> {
        let t = now();
        let d = Delivery {
            org: callback.org,
            base_url: callback.base_url,
            client_id: callback.client_id,
            client_secret: callback.client_secret,
            version,
            event,
            attempts: 0,
            next_attempt: t,
            created: t,
            last_error: None,
        };
        self.store
            .private_put(OUTBOX_NAMESPACE, &d.key(), &serde_json::to_vec(&d)?)?;
        self.wake.notify_one();
        Ok(())
    }

    /// How many events for `org`'s hosts wait in the outbox.
    pub(crate) fn pending_for(&self, org: &OrgId) -> usize {
        let org = org.to_string();
        self.store
            .private_keys(OUTBOX_NAMESPACE)
            .map(|keys| {
                keys.iter()
                    .filter(|k| key_parts(k).is_some_and(|(_, o)| o == org.as_bytes()))
                    .count()
            })
            .unwrap_or(0)
    }

    /// Delivers what is due, round after round, until the runtime stops;
    /// partners' hosts are trusted under the system's authorities and
    /// `extra_root_pem`.
    pub(crate) async fn run(self, extra_root_pem: Option<Vec<u8>>) {
        let mut builder = reqwest::Client::builder().timeout(CALL_TIMEOUT);
        if let Some(pem) = extra_root_pem {
            match reqwest::Certificate::from_pem(&pem) {
                Ok(c) => builder = builder.add_root_certificate(c),
                Err(e) => {
                    tracing::error!(error = %e, "PACT outbox: the extra authority is not a PEM certificate; ignored")
                }
            }
        }
        let http = match builder.build() {
            Ok(c) => c,
            Err(e) => {
                tracing::error!(error = %e, "PACT outbox: no HTTP client; answers will not be sent");
                return;
            }
        };
        loop {
            let due = {
                let store = self.store.clone();
                tokio::task::spawn_blocking(move || due(&*store, now()))
                    .await
                    .unwrap_or_default()
            };
            for (key, d) in due {
                let outcome = deliver(&http, &d).await;
                let store = self.store.clone();
                let _ =
                    tokio::task::spawn_blocking(move || settle(&*store, &key, d, outcome)).await;
            }
            tokio::select! {
                _ = self.wake.notified() => {}
                _ = tokio::time::sleep(IDLE_ROUND) => {}
            }
        }
    }
}

/// Deliveries due at `t`, earliest first, at most [`PER_ROUND`].
fn due(store: &dyn ApiLedger, t: u64) -> Vec<(Vec<u8>, Delivery)> {
    let keys = match store.private_keys(OUTBOX_NAMESPACE) {
        Ok(k) => k,
        Err(e) => {
            tracing::error!(error = %e, "PACT outbox: cannot read");
            return Vec::new();
        }
    };
    let mut out = Vec::new();
    for key in keys {
        if out.len() == PER_ROUND || key_parts(&key).is_some_and(|(at, _)| at > t) {
            break;
        }
        let decoded = store
            .private_get(OUTBOX_NAMESPACE, &key)
            .map(|v| v.map(|v| serde_json::from_slice::<Delivery>(&v)));
        match decoded {
            Ok(Some(Ok(d))) if key_parts(&key).is_some() => out.push((key, d)),
            Ok(None) => {}
            Err(e) => tracing::error!(error = %e, "PACT outbox: cannot read"),
            _ => {
                tracing::error!("PACT outbox: dropping a damaged record");
                let _ = store.private_delete(OUTBOX_NAMESPACE, &key);
            }
        }
    }
    out
}

/// Records the outcome of an attempt: delivered (removed), retried later,
/// or given up after 72 hours.
fn settle(store: &dyn ApiLedger, key: &[u8], mut d: Delivery, outcome: Result<(), String>) {
    let event_id = d.event["id"].as_str().unwrap_or_default().to_string();
    let t = now();
    let result = match outcome {
        Ok(()) => {
            tracing::info!(to = %d.base_url, event = %event_id, attempts = d.attempts + 1, "PACT event delivered");
            store.private_delete(OUTBOX_NAMESPACE, key).map(|_| ())
        }
        Err(why) if t.saturating_sub(d.created) >= GIVE_UP_AFTER_SECS => {
            tracing::error!(to = %d.base_url, event = %event_id, error = %why, "PACT event dropped after 72 hours of failed deliveries");
            store.private_delete(OUTBOX_NAMESPACE, key).map(|_| ())
        }
        Err(why) => {
            d.attempts = d.attempts.saturating_add(1);
            let wait = 1u64
                .checked_shl(d.attempts.min(20))
                .unwrap_or(MAX_BACKOFF_SECS)
                .min(MAX_BACKOFF_SECS);
            d.next_attempt = t + wait;
            tracing::warn!(to = %d.base_url, event = %event_id, error = %why, retry_in_s = wait, "PACT event not delivered");
            d.last_error = Some(why);
            // Rescheduled: the record moves to the key of its next attempt.
            match serde_json::to_vec(&d) {
                Ok(value) => store
                    .private_put(OUTBOX_NAMESPACE, &d.key(), &value)
                    .and_then(|()| store.private_delete(OUTBOX_NAMESPACE, key).map(|_| ())),
                Err(e) => {
                    tracing::error!(error = %e, "PACT outbox: cannot encode a record; retried as it was");
                    Ok(())
                }
            }
        }
    };
    if let Err(e) = result {
        tracing::error!(error = %e, "PACT outbox: cannot record a delivery outcome");
    }
}

/// One attempt: a token from the partner's host, then the event.
async fn deliver(http: &reqwest::Client, d: &Delivery) -> Result<(), String> {
    let token_url = format!("{}/auth/token", d.base_url);
    let resp = http
        .post(&token_url)
        .basic_auth(&d.client_id, Some(&d.client_secret))
        .header("accept", "application/json")
        .form(&[("grant_type", "client_credentials")])
        .send()
        .await
        .map_err(|e| format!("{token_url}: {e}"))?;
    if !resp.status().is_success() {
        return Err(format!("{token_url} answered {}", resp.status()));
    }
    let body: Value = resp
        .json()
        .await
        .map_err(|e| format!("{token_url}: not JSON: {e}"))?;
    let token = body["access_token"]
        .as_str()
        .ok_or_else(|| format!("{token_url}: no access_token"))?;
    let events_url = format!("{}/{}/events", d.base_url, d.version);
    let resp = http
        .post(&events_url)
        .bearer_auth(token)
        .header(
            "content-type",
            "application/cloudevents+json; charset=UTF-8",
        )
        .body(d.event.to_string())
        .send()
        .await
        .map_err(|e| format!("{events_url}: {e}"))?;
    if resp.status().is_success() {
        Ok(())
    } else {
        Err(format!("{events_url} answered {}", resp.status()))
    }
}

#[cfg(test)]
mod tests {
    use tanji_ledger::store::{MemoryStore, PrivateRecords as _};

    use super::*;

    fn delivery(created: u64) -> Delivery {
        Delivery {
            org: OrgId([1; 16]),
            base_url: "http://127.0.0.1:9".into(),
            client_id: "id".into(),
            client_secret: "secret".into(),
            version: 3,
            event: serde_json::json!({"id": "e1"}),
            attempts: 0,
            next_attempt: created,
            created,
            last_error: None,
        }
    }

    #[test]
    fn pending_answers_are_counted_per_organisation() {
        let outbox = Outbox::new(Arc::new(MemoryStore::new()));
        let callback = |org: u8| Callback {
            org: OrgId([org; 16]),
            base_url: "https://partner.example".into(),
            client_id: "id".into(),
            client_secret: "secret".into(),
            published_version: 3,
        };
        for (org, id) in [(1, "a"), (1, "b"), (2, "c")] {
            outbox
                .queue(callback(org), 3, serde_json::json!({"id": id}))
                .expect("queued");
        }
        assert_eq!(outbox.pending_for(&OrgId([1; 16])), 2);
        assert_eq!(outbox.pending_for(&OrgId([2; 16])), 1);
        assert_eq!(outbox.pending_for(&OrgId([3; 16])), 0);
        assert_eq!(due(&*outbox.store, now()).len(), 3);
    }

    #[test]
    fn failures_back_off_then_give_up_and_success_removes() {
        let store = MemoryStore::new();
        let t = now();
        let d = delivery(t);
        let key = d.key();
        store
            .private_put(
                OUTBOX_NAMESPACE,
                &key,
                &serde_json::to_vec(&d).expect("json"),
            )
            .expect("put");
        assert_eq!(due(&store, t).len(), 1);
        settle(&store, &key, d, Err("refused".into()));
        assert!(due(&store, t).is_empty());
        let rescheduled = due(&store, t + 2);
        assert_eq!(rescheduled.len(), 1, "moved to its next attempt's key");
        let (key, kept) = rescheduled.into_iter().next().expect("one");
        assert_eq!(kept.attempts, 1);
        assert_eq!(kept.next_attempt, t + 2);
        assert_eq!(kept.last_error.as_deref(), Some("refused"));
        assert_eq!(
            key_parts(&key),
            Some((t + 2, OrgId([1; 16]).to_string().as_bytes()))
        );
        settle(&store, &key, kept, Ok(()));
        assert!(store
            .private_list(OUTBOX_NAMESPACE)
            .expect("list")
            .is_empty());

        let old = delivery(t - GIVE_UP_AFTER_SECS);
        let key = old.key();
        store
            .private_put(
                OUTBOX_NAMESPACE,
                &key,
                &serde_json::to_vec(&old).expect("json"),
            )
            .expect("put");
        settle(&store, &key, old, Err("still down".into()));
        assert!(store
            .private_list(OUTBOX_NAMESPACE)
            .expect("list")
            .is_empty());
    }
}

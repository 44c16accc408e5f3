//! Published events: the node tells subscribed partners when a footprint
//! they may read is attested or its document changes (superseded, revoked,
//! certified), so they need not poll ListFootprints.
//!
//! A partner subscribes by registering its host for answers
//! (`tanji pact callback set`, see `tanji_pact::callbacks`): every
//! registered host of an active organisation receives a Published event in
//! the PACT version it registered (v3 unless it asked for v2;
//! `{"pfIds": [...]}`, at most 100 ids each) through the
//! [`outbox`](super::outbox), with its retries and persistence, and then
//! calls GetFootprint. Only footprints the host serves are announced
//! (hidden ones without published figures never are).
//!
//! The node announces what the newest checkpoint covers, so every announced
//! footprint can be fetched with its proof at once. A watermark in the
//! private records (the checkpoint size last announced) makes each change
//! announced once across restarts; on the first start it is set to what is
//! covered then, so a node does not announce its whole history. Events are
//! queued before the watermark moves: a crash in between announces again
//! rather than never (PACT recipients treat Published as a hint).

use std::time::Duration;

use tanji_ledger::checkpoint::SignedNote;
use tanji_ledger::state::StateView;
use tanji_ledger::store::StoreError;
use tanji_pact::callbacks::{self, CallbackError};
use tanji_pact::events::{envelope, new_event_id, EventType, MAX_LIST};
use tanji_pact::map::timestamp_secs;
use tanji_pact::source::{changed, servable, SourceError};

use super::events::MAX_PENDING_PER_ORG;
use super::outbox::{Outbox, OutboxError};
use crate::routes::signed::now;
use crate::{ApiLedger, ApiState};

/// Namespace of the watermark in the private records.
pub const PUBLISHED_NAMESPACE: &str = "pact-published";
/// Key of the watermark: the checkpoint size up to which changes were announced.
const WATERMARK: &[u8] = b"announced-up-to";
/// How often the newest checkpoint is looked at.
const ROUND: Duration = Duration::from_secs(2);

/// Why a round of announcements failed (it is tried again next round).
#[derive(Debug, thiserror::Error)]
pub(crate) enum PublishError {
    /// The ledger or the private records could not be read or written.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// An organisation's standing could not be read.
    #[error(transparent)]
    State(#[from] tanji_ledger::state::StateError),
    /// A footprint's records could not be read.
    #[error(transparent)]
    Source(#[from] SourceError),
    /// The registrations could not be read.
    #[error(transparent)]
    Callbacks(#[from] CallbackError),
    /// An event could not be queued.
    #[error(transparent)]
    Outbox(#[from] OutboxError),
    /// The newest checkpoint or the watermark does not decode.
    #[error("{0}")]
    Damaged(String),
    /// No event id could be drawn.
    #[error("no randomness for an event id: {0}")]
    Random(String),
}

/// Announces changes round after round, until the runtime stops; `source`
/// is this host's public base URL.
pub(crate) async fn run(api: ApiState, outbox: Outbox, source: String) {
    loop {
        let store = api.store.clone();
        let (outbox_, source_) = (outbox.clone(), source.clone());
        let result =
            tokio::task::spawn_blocking(move || round(&*store, &outbox_, &source_, now())).await;
        match result {
            Ok(Ok(0)) => {}
            Ok(Ok(n)) => tracing::info!(events = n, "PACT Published events queued"),
            Ok(Err(e)) => tracing::error!(error = %e, "PACT Published events: round failed"),
            Err(e) => tracing::error!(error = %e, "PACT Published events: round panicked"),
        }
        tokio::time::sleep(ROUND).await;
    }
}

/// The size of the newest checkpoint (0 before the first).
fn covered(store: &dyn ApiLedger) -> Result<u64, PublishError> {
    let Some(text) = store.latest_checkpoint()? else {
        return Ok(0);
    };
    let damaged = |e: tanji_ledger::checkpoint::NoteError| {
        PublishError::Damaged(format!("newest checkpoint: {e}"))
    };
    Ok(SignedNote::parse(&text)
        .map_err(damaged)?
        .checkpoint()
        .map_err(damaged)?
        .size)
}

fn watermark(store: &dyn ApiLedger) -> Result<Option<u64>, PublishError> {
    store
        .private_get(PUBLISHED_NAMESPACE, WATERMARK)?
        .map(|v| {
            <[u8; 8]>::try_from(v.as_slice())
                .map(u64::from_be_bytes)
                .map_err(|_| PublishError::Damaged("Published watermark".into()))
        })
        .transpose()
}

/// One round at time `t`: queues a Published event per registered host and
/// batch of changed footprints since the watermark; returns how many.
pub(crate) fn round(
    store: &dyn ApiLedger,
    outbox: &Outbox,
    source: &str,
    t: u64,
) -> Result<usize, PublishError> {
    let covered = covered(store)?;
    let set_watermark =
        |size: u64| store.private_put(PUBLISHED_NAMESPACE, WATERMARK, &size.to_be_bytes());
    let Some(from) = watermark(store)? else {
        set_watermark(covered)?;
        return Ok(0);
    };
    if covered <= from {
        return Ok(0);
    }
    let mut pf_ids = Vec::new();
    for id in changed(store, from, covered)? {
        if servable(store, &id)? {
            pf_ids.push(tanji_pact::id::pf_id(&id).to_string());
        }
    }
    let mut queued = 0;
    if !pf_ids.is_empty() {
        let mut hosts = Vec::new();
        for cb in callbacks::all(store)? {
            if StateView::org(store, &cb.org)?.is_some_and(|o| o.is_active()) {
                hosts.push(cb);
            }
        }
        for batch in pf_ids.chunks(MAX_LIST) {
            for host in &hosts {
                if outbox.pending_for(&host.org) >= MAX_PENDING_PER_ORG {
                    tracing::warn!(to = %host.base_url, "PACT Published event not queued: {MAX_PENDING_PER_ORG} events to this organisation wait already");
                    continue;
                }
                let event = envelope(
                    EventType::Published,
                    host.published_version,
                    &new_event_id().map_err(|e| PublishError::Random(e.to_string()))?,
                    source,
                    &timestamp_secs(t),
                    serde_json::json!({ "pfIds": batch }),
                );
                outbox.queue(host.clone(), host.published_version, event)?;
                queued += 1;
            }
        }
    }
    set_watermark(covered)?;
    Ok(queued)
}

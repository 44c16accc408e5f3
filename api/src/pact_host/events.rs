//! `POST /2/events` and `POST /3/events`: events from partners.
//!
//! - **RequestCreated**: the answer is worked out at once, from the
//!   footprints the requester's organisation may read that meet its
//!   criteria, each with its proof: RequestFulfilled (at most 100
//!   footprints) or, when none matches, RequestRejected (`NotFound`). It is
//!   queued durably in the outbox before the request is acknowledged, and
//!   sent to `source + "/{version}/events"` after authenticating there with
//!   the credentials the requester registered for that host. A request whose
//!   `source` is not acceptable, or for which the requester registered no
//!   credentials, is refused at once (400), as PACT asks when a host can
//!   tell it cannot answer. Development hosts (plain HTTP on this machine,
//!   accepted only where the node allows them) without a registration are
//!   answered with the PACT conformance suite's client,
//!   [`DEV_CLIENT_ID`]/[`DEV_CLIENT_SECRET`].
//! - **Published**, **RequestFulfilled**, **RequestRejected**: checked and
//!   kept in the node's private records (`tanji_pact::inbox`) for the
//!   organisation the token acts for, which reads them with signed requests.
//!
//! Accepted events get 200 with an empty body.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use tanji_ledger::OrgId;
use tanji_pact::callbacks::Callback;
use tanji_pact::events::{
    self, callback_base, envelope, fulfilled_data, parse_event, rejected_data, Event, EventData,
    EventType,
};
use tanji_pact::inbox::{self, InboxError};
use tanji_pact::map::timestamp_secs;
use tanji_pact::source::{select, Selection};

use super::auth::Reader;
use super::{PactError, PactHost, Version};
use crate::routes::pact::{base_of, proof_context};
use crate::routes::signed::now;
use crate::ApiLedger;

/// Client credentials used at development hosts (plain HTTP on this
/// machine) whose organisation registered none: the PACT conformance
/// suite's defaults.
pub const DEV_CLIENT_ID: &str = "test_client_id";
/// See [`DEV_CLIENT_ID`].
pub const DEV_CLIENT_SECRET: &str = "test_client_secret";
/// Most answers waiting in the outbox per organisation.
pub const MAX_PENDING_PER_ORG: usize = 1_000;
/// Most footprints in one RequestFulfilled.
const MAX_ANSWER: usize = events::MAX_LIST;

/// Keeps a received event for `org` (429 when its inbox is full).
fn keep(s: &dyn ApiLedger, org: &OrgId, event: &Event, raw: &[u8]) -> Result<(), PactError> {
    inbox::keep(s, org, event, raw, now()).map_err(|e| match e {
        InboxError::Full(_) => PactError::too_many(e.to_string()),
        e => PactError::internal(e),
    })
}

async fn receive(
    host: PactHost,
    reader: Reader,
    version: Version,
    headers: HeaderMap,
    body: Bytes,
) -> Result<StatusCode, PactError> {
    let event = parse_event(version.major(), &body)
        .map_err(|e| PactError::bad_request(format!("invalid event: {e}")))?;
    let ctx = proof_context(&host.api, base_of(&headers, "https"));
    let store = host.api.store.clone();
    let allow_http = host.config.allow_http_sources;
    let outbox = host.outbox.clone();
    tokio::task::spawn_blocking(move || {
        let s = &*store;
        match &event.data {
            EventData::RequestCreated { criteria, .. } => {
                let base = callback_base(&event.source, allow_http)
                    .map_err(|e| PactError::bad_request(format!("invalid event: {e}")))?;
                let registered = tanji_pact::callbacks::get(s, &reader.org, &base)
                    .map_err(PactError::internal)?;
                // Development hosts on this machine (only where the node
                // allows them) default to the PACT conformance suite's client.
                let local_dev = callback_base(&event.source, false).is_err();
                let callback = match registered {
                    Some(c) => c,
                    None if local_dev => Callback {
                        org: reader.org,
                        base_url: base.clone(),
                        client_id: DEV_CLIENT_ID.into(),
                        client_secret: DEV_CLIENT_SECRET.into(),
                        published_version: version.major(),
                    },
                    None => {
                        return Err(PactError::bad_request(format!(
                            "organisation {} registered no credentials for answers to {base} (tanji pact callback set)",
                            reader.org
                        )))
                    }
                };
                if outbox.pending_for(&callback.org) >= MAX_PENDING_PER_ORG {
                    return Err(PactError::too_many(format!(
                        "{MAX_PENDING_PER_ORG} answers to organisation {} are still waiting to be delivered",
                        callback.org
                    )));
                }
                let selection = Selection {
                    version: version.major(),
                    criteria: criteria.clone(),
                    odata: None,
                };
                let (docs, _) = select(s, &ctx, &selection, None, MAX_ANSWER)
                    .map_err(PactError::internal)?;
                let pfs = docs
                    .iter()
                    .map(serde_json::to_value)
                    .collect::<Result<Vec<_>, _>>()
                    .map_err(PactError::internal)?;
                let (kind, data) = if pfs.is_empty() {
                    (
                        EventType::RequestRejected,
                        rejected_data(&event.id, "NotFound", "No footprint matches the request."),
                    )
                } else {
                    (EventType::RequestFulfilled, fulfilled_data(&event.id, pfs))
                };
                let id = events::new_event_id().map_err(PactError::internal)?;
                let answer = envelope(
                    kind,
                    version.major(),
                    &id,
                    &ctx.base_url,
                    &timestamp_secs(now()),
                    data,
                );
                let to = callback.base_url.clone();
                outbox
                    .queue(callback, version.major(), answer)
                    .map_err(PactError::internal)?;
                tracing::info!(request = %event.id, to = %to, answer = kind.name(version.major()), "PACT request answered (queued)");
            }
            _ => {
                keep(s, &reader.org, &event, &body)?;
                tracing::info!(event = %event.id, kind = event.kind.name(version.major()), from = %event.source, "PACT event received");
            }
        }
        Ok::<_, PactError>(())
    })
    .await
    .map_err(PactError::internal)??;
    Ok(StatusCode::OK)
}

/// `POST /2/events`.
pub(super) async fn events_v2(
    State(host): State<PactHost>,
    reader: Reader,
    headers: HeaderMap,
    body: Bytes,
) -> Result<StatusCode, PactError> {
    receive(host, reader, Version::V2, headers, body).await
}

/// `POST /3/events`.
pub(super) async fn events_v3(
    State(host): State<PactHost>,
    reader: Reader,
    headers: HeaderMap,
    body: Bytes,
) -> Result<StatusCode, PactError> {
    receive(host, reader, Version::V3, headers, body).await
}

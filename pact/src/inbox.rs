//! A node's PACT inbox: the events partners' hosts sent it (Published,
//! RequestFulfilled, RequestRejected), kept for the organisation whose
//! credential the sender's token carries, in the node's private records
//! (never in the log, never replicated). The organisation reads them with
//! requests signed by its ledger key (`GET /v1/pact/inbox`, and the answer
//! to one of its requests by the request's id), which is how
//! `tanji pact request` waits for its answer.
//!
//! Events are kept as received (the bytes that were checked), keyed
//! `ORG/RECEIVED/EVENT_ID` (time in 16 hex digits), so an organisation's
//! events are a key prefix in arrival order; answers are also indexed by
//! the request they answer (`ORG/REQUEST_EVENT_ID` → key). At most
//! [`MAX_PER_ORG`] events are kept per organisation; beyond that the
//! sender is told to wait (429) rather than older events silently lost.

use serde_json::Value;
use tanji_ledger::ids::OrgId;
use tanji_ledger::store::{PrivateRecords, StoreError};

use crate::events::Event;

/// Namespace of received events.
pub const INBOX_NAMESPACE: &str = "pact-inbox";
/// Namespace of the index of answers by the request they answer.
pub const ANSWERS_NAMESPACE: &str = "pact-inbox-answer";
/// Most received events kept per organisation.
pub const MAX_PER_ORG: usize = 10_000;
/// Most events one listing returns (the newest).
pub const MAX_LISTED: usize = 1_000;

/// Why the inbox could not be read or written.
#[derive(Debug, thiserror::Error)]
pub enum InboxError {
    /// The organisation's inbox holds [`MAX_PER_ORG`] events.
    #[error("this node keeps at most {MAX_PER_ORG} received events for organisation {0}")]
    Full(OrgId),
    /// The private records could not be read or written.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// A kept event, as listed.
#[derive(Clone, Debug, PartialEq)]
pub struct Received {
    /// When it arrived, Unix seconds.
    pub received: u64,
    /// The event as sent (JSON).
    pub event: Value,
}

fn prefix(org: &OrgId) -> String {
    format!("{org}/")
}

/// Keeps `event` (received as `raw`) for `org` at time `t`.
pub fn keep(
    records: &dyn PrivateRecords,
    org: &OrgId,
    event: &Event,
    raw: &[u8],
    t: u64,
) -> Result<(), InboxError> {
    let prefix = prefix(org);
    let held = records
        .private_keys(INBOX_NAMESPACE)?
        .iter()
        .filter(|k| k.starts_with(prefix.as_bytes()))
        .count();
    if held >= MAX_PER_ORG {
        return Err(InboxError::Full(*org));
    }
    let key = format!("{prefix}{t:016x}/{}", event.id);
    records.private_put(INBOX_NAMESPACE, key.as_bytes(), raw)?;
    if let Some(request) = event.data.answers() {
        records.private_put(
            ANSWERS_NAMESPACE,
            format!("{prefix}{request}").as_bytes(),
            key.as_bytes(),
        )?;
    }
    Ok(())
}

/// `org`'s newest events, at most [`MAX_LISTED`], oldest first.
pub fn list(records: &dyn PrivateRecords, org: &OrgId) -> Result<Vec<Received>, InboxError> {
    let prefix = prefix(org);
    let keys: Vec<Vec<u8>> = records
        .private_keys(INBOX_NAMESPACE)?
        .into_iter()
        .filter(|k| k.starts_with(prefix.as_bytes()))
        .collect();
    let newest = &keys[keys.len().saturating_sub(MAX_LISTED)..];
    let mut out = Vec::with_capacity(newest.len());
    for key in newest {
        if let Some(r) = read(records, key)? {
            out.push(r);
        }
    }
    Ok(out)
}

/// The answer `org` received to its request `request_event_id`, if any.
pub fn answer(
    records: &dyn PrivateRecords,
    org: &OrgId,
    request_event_id: &str,
) -> Result<Option<Received>, InboxError> {
    let index = format!("{}{request_event_id}", prefix(org));
    match records.private_get(ANSWERS_NAMESPACE, index.as_bytes())? {
        Some(key) => read(records, &key),
        None => Ok(None),
    }
}

/// The event at `key` (`ORG/RECEIVED/ID`); a record that does not decode
/// is skipped (it was checked on arrival, so only damage makes one).
fn read(records: &dyn PrivateRecords, key: &[u8]) -> Result<Option<Received>, InboxError> {
    let Some(raw) = records.private_get(INBOX_NAMESPACE, key)? else {
        return Ok(None);
    };
    let received = std::str::from_utf8(key)
        .ok()
        .and_then(|k| k.split('/').nth(1))
        .and_then(|t| u64::from_str_radix(t, 16).ok());
    let event = serde_json::from_slice::<Value>(&raw).ok();
    Ok(match (received, event) {
        (Some(received), Some(event)) => Some(Received { received, event }),
        _ => {
            tracing::warn!("PACT inbox: skipping a damaged record");
            None
        }
    })
}

#[cfg(test)]
mod tests {
    use serde_json::json;
    use tanji_ledger::store::MemoryStore;

    use super::*;
    use crate::events::{envelope, parse_event, rejected_data, EventType};

    fn event(kind: EventType, id: &str, data: Value) -> (Event, Vec<u8>) {
        let raw = envelope(
            kind,
            3,
            id,
            "https://partner.example",
            "2026-01-01T00:00:00Z",
            data,
        )
        .to_string()
        .into_bytes();
        (parse_event(3, &raw).expect("valid"), raw)
    }

    #[test]
    fn kept_per_organisation_with_answers_by_request() {
        let s = MemoryStore::new();
        let (a, b) = (OrgId([1; 16]), OrgId([2; 16]));
        let (published, raw) = event(
            EventType::Published,
            "e-1",
            json!({"pfIds": ["00000000-0000-0000-0000-000000000001"]}),
        );
        keep(&s, &a, &published, &raw, 100).expect("kept");
        let (rejected, raw) = event(
            EventType::RequestRejected,
            "e-2",
            rejected_data("req-1", "NotFound", "none"),
        );
        keep(&s, &a, &rejected, &raw, 101).expect("kept");
        let listed = list(&s, &a).expect("list");
        assert_eq!(listed.len(), 2);
        assert_eq!(listed[0].received, 100);
        assert_eq!(listed[1].event["id"], "e-2");
        assert!(list(&s, &b).expect("list").is_empty());
        let found = answer(&s, &a, "req-1").expect("read").expect("answered");
        assert_eq!(found.event["data"]["error"]["code"], "NotFound");
        assert_eq!(answer(&s, &b, "req-1").expect("read"), None);
        assert_eq!(answer(&s, &a, "req-2").expect("read"), None);
    }

    #[test]
    fn the_inbox_holds_a_bounded_number_per_organisation() {
        let s = MemoryStore::new();
        let (a, b) = (OrgId([1; 16]), OrgId([2; 16]));
        for i in 0..MAX_PER_ORG {
            s.private_put(INBOX_NAMESPACE, format!("{a}/{i:016x}/e").as_bytes(), b"{}")
                .expect("put");
        }
        let (e, raw) = event(
            EventType::Published,
            "e-1",
            json!({"pfIds": ["00000000-0000-0000-0000-000000000001"]}),
        );
        assert!(matches!(
            keep(&s, &a, &e, &raw, 1),
            Err(InboxError::Full(_))
        ));
        keep(&s, &b, &e, &raw, 1).expect("another organisation has room");
    }
}

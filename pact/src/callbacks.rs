//! Where and how a node answers a partner's events: for each organisation
//! that reads over PACT, the PACT hosts it sends events from, each with the
//! client credentials that host gave for answers (PACT: the responder
//! authenticates against the requester's host). Kept in the node's private
//! records, never in the log and never replicated.
//!
//! A partner organisation registers its own hosts with requests signed by
//! its ledger key (`tanji pact callback set`), so nobody else can redirect
//! the answers meant for it. A RequestCreated whose `source` has no
//! registration for the token's organisation is refused at once (4xx), as
//! PACT asks when a host can tell it cannot answer.
//!
//! Unlike client secrets (hashed, see [`crate::clients`]), these secrets are
//! kept as given: the node must present them.

use serde::{Deserialize, Serialize};
use tanji_ledger::ids::OrgId;
use tanji_ledger::store::{PrivateRecords, StoreError};

use crate::events::{callback_base, EventError};

/// Namespace of the registrations in the private records.
pub const CALLBACKS_NAMESPACE: &str = "pact-callback";
/// Most hosts one organisation may register.
pub const MAX_CALLBACKS_PER_ORG: usize = 20;
/// Longest client id or secret.
pub const MAX_CREDENTIAL_LEN: usize = 512;

/// A partner host and how to authenticate to it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Callback {
    /// The organisation whose host it is.
    pub org: OrgId,
    /// The host's base URL (`source` of its events, normalised).
    pub base_url: String,
    /// Client id at that host.
    pub client_id: String,
    /// Client secret at that host.
    pub client_secret: String,
    /// The PACT version of the Published events the host takes (posted to
    /// `/2/events` or `/3/events`); answers to requests use the request's.
    #[serde(default = "default_published_version")]
    pub published_version: u8,
}

fn default_published_version() -> u8 {
    3
}

/// Why a registration failed.
#[derive(Debug, thiserror::Error)]
pub enum CallbackError {
    /// The private records could not be read or written.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A stored record does not decode.
    #[error("stored PACT callback is damaged: {0}")]
    Damaged(String),
    /// Not a URL answers may go to.
    #[error("base_url: {0}")]
    Url(EventError),
    /// An empty or too long client id or secret.
    #[error("client_id and client_secret: 1 to {MAX_CREDENTIAL_LEN} printable characters")]
    Credential,
    /// Not a PACT version a host's events can be sent in.
    #[error("published_version: 2 or 3, not {0}")]
    Version(u8),
    /// The organisation has registered the most hosts allowed.
    #[error(
        "organisation {0} already registers {MAX_CALLBACKS_PER_ORG} PACT hosts; remove one first"
    )]
    TooMany(OrgId),
    /// No such registration of this organisation.
    #[error("no PACT callback {0} of this organisation")]
    Unknown(String),
}

fn key(org: &OrgId, base_url: &str) -> Vec<u8> {
    let mut k = org.as_bytes().to_vec();
    k.extend_from_slice(base_url.as_bytes());
    k
}

/// A short id of a registration (for listing and removal).
pub fn callback_id(base_url: &str) -> String {
    blake3::hash(base_url.as_bytes()).to_hex()[..16].to_string()
}

fn printable(s: &str) -> bool {
    !s.is_empty() && s.len() <= MAX_CREDENTIAL_LEN && s.bytes().all(|b| b.is_ascii_graphic())
}

/// Registers (or replaces) `org`'s host at `base_url`, taking Published
/// events in PACT `published_version`. `allow_http` is the node's
/// development switch for plain-HTTP hosts on this machine.
pub fn set(
    records: &dyn PrivateRecords,
    org: OrgId,
    base_url: &str,
    (client_id, client_secret): (&str, &str),
    published_version: u8,
    allow_http: bool,
) -> Result<Callback, CallbackError> {
    let base_url = callback_base(base_url, allow_http).map_err(CallbackError::Url)?;
    if !(2..=3).contains(&published_version) {
        return Err(CallbackError::Version(published_version));
    }
    if !printable(client_id) || !printable(client_secret) {
        return Err(CallbackError::Credential);
    }
    let existing = list(records, &org)?;
    if existing.len() >= MAX_CALLBACKS_PER_ORG && !existing.iter().any(|c| c.base_url == base_url) {
        return Err(CallbackError::TooMany(org));
    }
    let cb = Callback {
        org,
        base_url,
        client_id: client_id.to_string(),
        client_secret: client_secret.to_string(),
        published_version,
    };
    let value = serde_json::to_vec(&cb).map_err(|e| CallbackError::Damaged(e.to_string()))?;
    records.private_put(CALLBACKS_NAMESPACE, &key(&org, &cb.base_url), &value)?;
    Ok(cb)
}

/// `org`'s registration for `base_url` (already normalised), if any.
pub fn get(
    records: &dyn PrivateRecords,
    org: &OrgId,
    base_url: &str,
) -> Result<Option<Callback>, CallbackError> {
    records
        .private_get(CALLBACKS_NAMESPACE, &key(org, base_url))?
        .map(|v| serde_json::from_slice(&v).map_err(|e| CallbackError::Damaged(e.to_string())))
        .transpose()
}

/// The registrations whose keys start with `prefix` (an organisation's id,
/// or nothing for all).
fn with_prefix(
    records: &dyn PrivateRecords,
    prefix: &[u8],
) -> Result<Vec<Callback>, CallbackError> {
    records
        .private_list(CALLBACKS_NAMESPACE)?
        .into_iter()
        .filter(|(k, _)| k.starts_with(prefix))
        .map(|(_, v)| serde_json::from_slice(&v).map_err(|e| CallbackError::Damaged(e.to_string())))
        .collect()
}

/// Every registration of `org`.
pub fn list(records: &dyn PrivateRecords, org: &OrgId) -> Result<Vec<Callback>, CallbackError> {
    with_prefix(records, org.as_bytes())
}

/// Every registration of every organisation: the partners subscribed to
/// Published events.
pub fn all(records: &dyn PrivateRecords) -> Result<Vec<Callback>, CallbackError> {
    with_prefix(records, &[])
}

/// Removes `org`'s registration whose [`callback_id`] is `id`.
pub fn remove(
    records: &dyn PrivateRecords,
    org: &OrgId,
    id: &str,
) -> Result<Callback, CallbackError> {
    let found = list(records, org)?
        .into_iter()
        .find(|c| callback_id(&c.base_url) == id)
        .ok_or_else(|| CallbackError::Unknown(id.to_string()))?;
    records.private_delete(CALLBACKS_NAMESPACE, &key(org, &found.base_url))?;
    Ok(found)
}

#[cfg(test)]
mod tests {
    use tanji_ledger::store::MemoryStore;

    use super::*;

    #[test]
    fn registrations_per_organisation() {
        let s = MemoryStore::new();
        let (a, b) = (OrgId([1; 16]), OrgId([2; 16]));
        let cb = set(
            &s,
            a,
            "https://partner.example/pact/",
            ("id", "secret"),
            3,
            false,
        )
        .expect("set");
        assert_eq!(cb.base_url, "https://partner.example/pact");
        assert_eq!(get(&s, &a, &cb.base_url).expect("get"), Some(cb.clone()));
        assert_eq!(get(&s, &b, &cb.base_url).expect("get"), None);
        // Replacing keeps one registration.
        set(
            &s,
            a,
            "https://partner.example/pact",
            ("id2", "s2"),
            3,
            false,
        )
        .expect("replace");
        assert_eq!(list(&s, &a).expect("list").len(), 1);
        set(&s, b, "https://other.example", ("id", "s"), 3, false).expect("another organisation");
        assert_eq!(all(&s).expect("all").len(), 2);
        assert!(matches!(
            set(&s, a, "http://127.0.0.1:9", ("id", "s"), 3, false),
            Err(CallbackError::Url(_))
        ));
        set(&s, a, "http://127.0.0.1:9", ("id", "s"), 3, true).expect("dev host");
        assert!(matches!(
            set(&s, a, "https://x.example", ("", "s"), 3, false),
            Err(CallbackError::Credential)
        ));
        assert!(matches!(
            set(&s, a, "https://x.example", ("id", "s"), 4, false),
            Err(CallbackError::Version(4))
        ));
        let v2 = set(&s, a, "https://v2.example", ("id", "s"), 2, false).expect("a v2 host");
        assert_eq!(v2.published_version, 2);
        assert!(matches!(
            remove(&s, &b, &callback_id(&cb.base_url)),
            Err(CallbackError::Unknown(_))
        ));
        remove(&s, &a, &callback_id(&cb.base_url)).expect("remove");
        assert_eq!(get(&s, &a, &cb.base_url).expect("get"), None);
    }
}

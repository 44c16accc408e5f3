//! The PACT credential registry of a node: credentials (salted hashes, see
//! [`auth`](crate::auth)) and the token key, kept in the node's private
//! records ([`PrivateRecords`]), never in the log and never replicated.
//!
//! Credentials live on the node that created them, like sealed envelopes: a
//! partner authenticates against the PACT host of the node its supplier
//! created the credential on. The token key is made on first use and kept,
//! so a restart does not end the tokens in flight.
//!
//! Invariants: a stored record's key is its client id; an organisation holds
//! at most [`MAX_CLIENTS_PER_ORG`] credentials; labels are at most
//! [`MAX_LABEL_CHARS`] characters of printable text.

use tanji_ledger::ids::OrgId;
use tanji_ledger::store::{PrivateRecords, StoreError};

use crate::auth::{new_credential, AuthError, NewCredential, StoredCredential};

/// Namespace of the credentials in the private records.
pub const CLIENTS_NAMESPACE: &str = "pact-client";
/// Namespace of the host's own secrets (the token key).
pub const HOST_NAMESPACE: &str = "pact-host";
const TOKEN_KEY: &[u8] = b"token-key";
/// Most live credentials one organisation may hold.
pub const MAX_CLIENTS_PER_ORG: usize = 100;
/// Longest label, in characters.
pub const MAX_LABEL_CHARS: usize = 200;

/// Why a registry operation failed.
#[derive(Debug, thiserror::Error)]
pub enum RegistryError {
    /// The private records could not be read or written.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A stored record does not decode (the store was damaged or edited).
    #[error("stored PACT credential {0} is damaged: {1}")]
    Damaged(String, String),
    /// No randomness for a secret or a key.
    #[error(transparent)]
    Auth(#[from] AuthError),
    /// The label is too long or holds control characters.
    #[error("label: at most {MAX_LABEL_CHARS} printable characters")]
    Label,
    /// The organisation already holds the most credentials allowed.
    #[error(
        "organisation {0} already holds {MAX_CLIENTS_PER_ORG} PACT credentials; revoke one first"
    )]
    TooMany(OrgId),
    /// No such credential of this organisation.
    #[error("no PACT credential {0} of this organisation")]
    UnknownClient(String),
}

fn decode(key: &[u8], value: &[u8]) -> Result<StoredCredential, RegistryError> {
    serde_json::from_slice(value).map_err(|e| {
        RegistryError::Damaged(String::from_utf8_lossy(key).into_owned(), e.to_string())
    })
}

/// Creates a credential for `org` and keeps its hash; the secret is returned
/// once and never kept.
pub fn create(
    records: &dyn PrivateRecords,
    org: OrgId,
    label: &str,
    now: u64,
) -> Result<NewCredential, RegistryError> {
    if label.chars().count() > MAX_LABEL_CHARS || label.chars().any(char::is_control) {
        return Err(RegistryError::Label);
    }
    if list(records, &org)?.len() >= MAX_CLIENTS_PER_ORG {
        return Err(RegistryError::TooMany(org));
    }
    let new = new_credential(org, label, now)?;
    let value = serde_json::to_vec(&new.stored)
        .map_err(|e| RegistryError::Damaged(new.stored.client_id.clone(), e.to_string()))?;
    records.private_put(CLIENTS_NAMESPACE, new.stored.client_id.as_bytes(), &value)?;
    Ok(new)
}

/// The credential `client_id`, if kept. Ids that are not 32 hex digits are
/// never looked up.
pub fn get(
    records: &dyn PrivateRecords,
    client_id: &str,
) -> Result<Option<StoredCredential>, RegistryError> {
    if client_id.len() != 32 || !client_id.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Ok(None);
    }
    records
        .private_get(CLIENTS_NAMESPACE, client_id.as_bytes())?
        .map(|v| decode(client_id.as_bytes(), &v))
        .transpose()
}

/// Every credential of `org`, oldest first.
pub fn list(
    records: &dyn PrivateRecords,
    org: &OrgId,
) -> Result<Vec<StoredCredential>, RegistryError> {
    let mut out = Vec::new();
    for (k, v) in records.private_list(CLIENTS_NAMESPACE)? {
        let c = decode(&k, &v)?;
        if c.org == *org {
            out.push(c);
        }
    }
    out.sort_by(|a, b| (a.created, &a.client_id).cmp(&(b.created, &b.client_id)));
    Ok(out)
}

/// Revokes `org`'s credential `client_id`: tokens issued to it stop working
/// at once (every request looks the credential up).
pub fn revoke(
    records: &dyn PrivateRecords,
    org: &OrgId,
    client_id: &str,
) -> Result<StoredCredential, RegistryError> {
    match get(records, client_id)? {
        Some(c) if c.org == *org => {
            records.private_delete(CLIENTS_NAMESPACE, client_id.as_bytes())?;
            Ok(c)
        }
        _ => Err(RegistryError::UnknownClient(client_id.to_string())),
    }
}

/// The host's token key, made (and kept) on first use.
pub fn token_key(records: &dyn PrivateRecords) -> Result<[u8; 32], RegistryError> {
    if let Some(v) = records.private_get(HOST_NAMESPACE, TOKEN_KEY)? {
        return <[u8; 32]>::try_from(v.as_slice())
            .map_err(|_| RegistryError::Damaged("token-key".into(), "not 32 bytes".into()));
    }
    let mut key = [0u8; 32];
    getrandom::fill(&mut key).map_err(|e| AuthError::Randomness(e.to_string()))?;
    records.private_put(HOST_NAMESPACE, TOKEN_KEY, &key)?;
    Ok(key)
}

#[cfg(test)]
mod tests {
    use tanji_ledger::store::MemoryStore;

    use super::*;

    #[test]
    fn create_list_revoke_per_organisation() {
        let store = MemoryStore::new();
        let (a, b) = (OrgId([1; 16]), OrgId([2; 16]));
        let first = create(&store, a, "partner one", 10).expect("create");
        let second = create(&store, a, "partner two", 20).expect("create");
        create(&store, b, "other org", 15).expect("create");
        let listed = list(&store, &a).expect("list");
        assert_eq!(listed, vec![first.stored.clone(), second.stored.clone()]);
        let found = get(&store, &first.stored.client_id)
            .expect("get")
            .expect("kept");
        assert!(found.accepts(&first.secret));
        // Another organisation cannot revoke it.
        assert!(matches!(
            revoke(&store, &b, &first.stored.client_id),
            Err(RegistryError::UnknownClient(_))
        ));
        revoke(&store, &a, &first.stored.client_id).expect("revoke");
        assert_eq!(get(&store, &first.stored.client_id).expect("get"), None);
        assert_eq!(list(&store, &a).expect("list"), vec![second.stored]);
        for junk in ["", "zz", &"0".repeat(33), "../envelope"] {
            assert_eq!(get(&store, junk).expect("get"), None);
        }
    }

    #[test]
    fn labels_are_bounded_and_the_token_key_is_kept() {
        let store = MemoryStore::new();
        let org = OrgId([1; 16]);
        assert!(matches!(
            create(&store, org, "a\nb", 0),
            Err(RegistryError::Label)
        ));
        assert!(matches!(
            create(&store, org, &"x".repeat(MAX_LABEL_CHARS + 1), 0),
            Err(RegistryError::Label)
        ));
        let key = token_key(&store).expect("key");
        assert_eq!(token_key(&store).expect("key"), key);
        assert_ne!(key, [0; 32]);
    }
}

//! Key layout of each column family. Integers are big-endian so that
//! RocksDB's byte order is numeric order.

use crate::carbon::RecordRef;
use crate::ids::{OrgId, TxId};

/// Column family of log entries: index → `borsh(SignedTx)`.
pub const CF_ENTRIES: &str = "entries";
/// Column family of perfect Merkle subtree hashes: (level, index) → hash.
pub const CF_TREE: &str = "tree";
/// Column family of signed checkpoints: size → signed note text.
pub const CF_CHECKPOINTS: &str = "checkpoints";
/// Column family of derived state (organisations, nonces, governance, head).
pub const CF_STATE: &str = "state";
/// Column family of the transaction index: tx id → log index.
pub const CF_TX_INDEX: &str = "tx_index";
/// Column family for private data (sealed envelopes); never replicated or logged.
pub const CF_PRIVATE: &str = "private";

/// Column family of consensus decisions: height → decision record (replicated ordering).
pub const CF_CONSENSUS: &str = "consensus";

/// Every column family, in creation order.
pub const ALL_CFS: [&str; 7] = [
    CF_ENTRIES,
    CF_TREE,
    CF_CHECKPOINTS,
    CF_STATE,
    CF_TX_INDEX,
    CF_PRIVATE,
    CF_CONSENSUS,
];

/// `state` keys.
pub const STATE_SIZE: &[u8] = b"s";
pub const STATE_NETWORK: &[u8] = b"n";
pub const STATE_GOVERNANCE: &[u8] = b"g";
/// The observer (witness) node list, one value.
pub const STATE_OBSERVERS: &[u8] = b"w";
/// The validator set history ([`crate::state::ValidatorEpoch`]s), one value.
/// Absent in stores made before set changes existed: then the genesis set.
pub const STATE_VALIDATORS: &[u8] = b"v";
pub const STATE_ORG_PREFIX: u8 = b'o';
/// An organisation's retired keys ([`crate::state::RetiredKey`]s), one value
/// per organisation; absent until its first rotation.
pub const STATE_RETIRED_KEYS_PREFIX: u8 = b'k';
pub const STATE_NONCE_PREFIX: u8 = b'u';

pub const STATE_FACTOR_PREFIX: u8 = b'f';
pub const STATE_RULE_PREFIX: u8 = b'r';
pub const STATE_FOOTPRINT_PREFIX: u8 = b'p';
pub const STATE_CERTIFICATE_PREFIX: u8 = b'c';
pub const STATE_USES_FOOTPRINT_PREFIX: u8 = b'U';
pub const STATE_USES_FACTOR_PREFIX: u8 = b'F';

/// `prefix ‖ id ‖ 0x00 ‖ version (BE)`: record ids contain no NUL, so versions of
/// one id are contiguous and ordered.
pub fn record_key(prefix: u8, r: &RecordRef) -> Vec<u8> {
    let mut k = Vec::with_capacity(r.id.len() + 6);
    k.push(prefix);
    k.extend_from_slice(r.id.as_bytes());
    k.push(0);
    k.extend_from_slice(&r.version.to_be_bytes());
    k
}

/// Parses a [`record_key`] back (without its prefix check).
pub fn parse_record_key(k: &[u8]) -> Option<RecordRef> {
    let body = k.get(1..)?;
    let nul = body.iter().position(|b| *b == 0)?;
    let id = std::str::from_utf8(&body[..nul]).ok()?;
    let v: [u8; 4] = body.get(nul + 1..)?.try_into().ok()?;
    Some(RecordRef::new(id, u32::from_be_bytes(v)))
}

pub fn tx_key(prefix: u8, id: &TxId) -> [u8; 33] {
    let mut k = [0u8; 33];
    k[0] = prefix;
    k[1..].copy_from_slice(&id.0);
    k
}

pub fn certificate_key(id: &str) -> Vec<u8> {
    let mut k = vec![STATE_CERTIFICATE_PREFIX];
    k.extend_from_slice(id.as_bytes());
    k
}

pub fn uses_footprint_key(upstream: &TxId, downstream: &TxId) -> [u8; 65] {
    let mut k = [0u8; 65];
    k[0] = STATE_USES_FOOTPRINT_PREFIX;
    k[1..33].copy_from_slice(&upstream.0);
    k[33..].copy_from_slice(&downstream.0);
    k
}

pub fn uses_factor_key(factor: &RecordRef, footprint: &TxId) -> Vec<u8> {
    let mut k = record_key(STATE_USES_FACTOR_PREFIX, factor);
    k.extend_from_slice(&footprint.0);
    k
}

pub fn u64_key(n: u64) -> [u8; 8] {
    n.to_be_bytes()
}

pub fn tree_key(level: u8, index: u64) -> [u8; 9] {
    let mut k = [0u8; 9];
    k[0] = level;
    k[1..].copy_from_slice(&index.to_be_bytes());
    k
}

pub fn org_key(id: &OrgId) -> [u8; 17] {
    let mut k = [0u8; 17];
    k[0] = STATE_ORG_PREFIX;
    k[1..].copy_from_slice(&id.0);
    k
}

pub fn retired_keys_key(id: &OrgId) -> [u8; 17] {
    let mut k = [0u8; 17];
    k[0] = STATE_RETIRED_KEYS_PREFIX;
    k[1..].copy_from_slice(&id.0);
    k
}

pub fn nonce_key(id: &OrgId, nonce: u64) -> [u8; 25] {
    let mut k = [0u8; 25];
    k[0] = STATE_NONCE_PREFIX;
    k[1..17].copy_from_slice(&id.0);
    k[17..].copy_from_slice(&nonce.to_be_bytes());
    k
}

pub fn read_u64(bytes: &[u8]) -> Option<u64> {
    Some(u64::from_be_bytes(bytes.try_into().ok()?))
}

/// Key of a sealed envelope in [`CF_PRIVATE`].
pub fn envelope_key(hash: &crate::sealed::EnvelopeHash) -> Vec<u8> {
    let mut k = b"envelope/".to_vec();
    k.extend_from_slice(hash.as_bytes());
    k
}

/// Prefix of the records of `namespace` in [`CF_PRIVATE`]: `record/NS/`.
/// Namespaces never contain `/`, so no namespace's prefix is another's, and
/// none meets the envelopes' `envelope/`.
pub fn private_prefix(namespace: &str) -> Vec<u8> {
    debug_assert!(!namespace.contains('/') && !namespace.is_empty());
    format!("record/{namespace}/").into_bytes()
}

/// Key of record `key` of `namespace` in [`CF_PRIVATE`].
pub fn private_key(namespace: &str, key: &[u8]) -> Vec<u8> {
    let mut k = private_prefix(namespace);
    k.extend_from_slice(key);
    k
}

//! Key layout of each column family. Integers are big-endian so that
//! RocksDB's byte order is numeric order.

use crate::ids::OrgId;

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

/// Every column family, in creation order.
pub const ALL_CFS: [&str; 6] = [
    CF_ENTRIES,
    CF_TREE,
    CF_CHECKPOINTS,
    CF_STATE,
    CF_TX_INDEX,
    CF_PRIVATE,
];

/// `state` keys.
pub const STATE_SIZE: &[u8] = b"s";
pub const STATE_NETWORK: &[u8] = b"n";
pub const STATE_GOVERNANCE: &[u8] = b"g";
pub const STATE_ORG_PREFIX: u8 = b'o';
pub const STATE_NONCE_PREFIX: u8 = b'u';

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

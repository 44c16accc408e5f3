//! # tanji-wire: what Tanji nodes decode from each other
//!
//! The pure encoding and decoding of every message a node receives from its
//! peers, split from `tanji-node` so that it builds without RocksDB (the
//! fuzz targets in `fuzz/` depend on it):
//!
//! - [`p2p`]: the range-sync protocol of Tanji's own swarm
//!   (`/tanji/sync/1`): [`SyncRequest`](p2p::SyncRequest),
//!   [`SyncResponse`](p2p::SyncResponse) and their length-prefixed frames;
//! - [`gossip`]: [`TxBundle`](gossip::TxBundle), the transaction gossip
//!   message;
//! - [`bft`]: the types Malachite is instantiated with
//!   ([`TanjiContext`](bft::TanjiContext) and its votes, proposals, parts,
//!   validators and signing scheme) and [`TanjiCodec`](bft::TanjiCodec),
//!   the codec of Malachite's network, value sync and WAL.
//!
//! # Invariants
//!
//! - Decoding untrusted bytes never panics and never allocates more than
//!   the input's size allows: every decoder checks a size limit first and
//!   count and length limits after, and returns an error value.
//! - Encodings are canonical (borsh, no trailing bytes): whatever decodes
//!   re-encodes to exactly the input. The fuzz targets `p2p_sync_codec`,
//!   `malachite_wire` and `tx_bundle` check both.
//! - Changing a byte of these encodings is a format change between nodes
//!   (and, for the consensus codec, of stored decision records): the node's
//!   golden tests pin them.

#![warn(missing_docs)]

pub mod bft;
pub mod gossip;
pub mod p2p;

//! # tanji-ledger
//!
//! Tanji's domain and its verifiable log, with no networking: exactly what
//! every node and every verifier must compute alike. Nodes and the offline
//! verifier (tanji-sdk) share this crate, so what a node accepts and what a
//! verifier accepts are decided by the same code. Authoring and analysis
//! tools (CSV import, model and rule files, statistics) are in
//! tanji-authoring, which builds records that this crate then checks.
//!
//! Modules:
//! - [`bundle`]: offline verification bundles (entry, inclusion proof,
//!   cosigned checkpoint, validator set) and certificate bundles.
//! - [`carbon`]: factors, product rules, footprint attestations, their exact
//!   recomputation, hidden attestations, certificates.
//! - [`checkpoint`]: signed checkpoints in the C2SP signed-note layout.
//! - [`crypto`]: ed25519 and X25519 keys, strict signature verification,
//!   signing contexts.
//! - [`encoding`]: the canonical binary encoding (borsh) with size limits.
//! - [`ids`]: transaction and organisation ids.
//! - [`keyfile`]: an organisation's or a node's secret keys on disk.
//! - [`merkle`]: the RFC 9162 Merkle log and its inclusion and consistency
//!   proofs.
//! - [`sealed`]: HPKE-sealed envelopes carrying openings and raw data to the
//!   parties entitled to them.
//! - [`state`]: the derived state, a pure function of the log.
//! - [`store`]: storage as plan + commit: the pure batch plan, the read
//!   trait, the in-memory store, and (feature `store`, default) RocksDB.
//! - `schema` (feature `schema`): OpenAPI schemas of the types the API serves.
//! - `testkit` (feature `test-utils`): fixed-seed keys, test networks and
//!   in-memory ledgers for tests and benchmarks.
//! - [`text`]: the rules for text fields and key names.
//! - [`tx`]: transactions, their well-formedness checks and signatures.
//! - [`validate`]: the acceptance rules, whether an entry may follow the log.
//! - [`zk`]: zero-knowledge proofs of hidden footprints.

pub mod bundle;
pub mod carbon;
pub mod checkpoint;
pub mod crypto;
pub mod encoding;
pub mod ids;
pub mod keyfile;
pub mod merkle;
#[cfg(feature = "schema")]
pub mod schema;
pub mod sealed;
pub mod state;
pub mod store;
#[cfg(any(test, feature = "test-utils"))]
pub mod testkit;
pub mod text;
pub mod tx;
pub mod validate;
pub mod zk;

pub use ids::{OrgId, TxId};
pub use merkle::Hash;

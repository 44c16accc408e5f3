//! # tanji-ledger
//!
//! Tanji's domain and its verifiable log, with no networking: the types and
//! their canonical encoding ([`encoding`], [`tx`]), keys and strict signature
//! verification ([`crypto`]), the acceptance rules ([`validate`]) over the
//! derived state ([`state`]), the RFC 9162 Merkle log ([`merkle`]), signed
//! checkpoints ([`checkpoint`]), offline verification bundles ([`bundle`]),
//! key files ([`keyfile`]), storage as plan + commit, in memory or in RocksDB
//! ([`store`]), the zero-knowledge proofs of hidden footprints ([`zk`]) and
//! the HPKE-sealed envelopes that carry their openings and raw data to the
//! parties entitled to them ([`sealed`]).
//!
//! Nodes and the offline verifier (tanji-sdk) share this crate, so what a node
//! accepts and what a verifier accepts are decided by the same code.

pub mod bundle;
pub mod carbon;
pub mod checkpoint;
pub mod crypto;
pub mod encoding;
pub mod ids;
pub mod keyfile;
pub mod merkle;
pub mod sealed;
pub mod state;
pub mod store;
pub mod testkit;
pub mod tx;
pub mod validate;
pub mod zk;

pub use ids::{OrgId, TxId};
pub use merkle::Hash;

//! Byzantine-fault-tolerant ordering with Malachite 0.8.2 (Tendermint),
//! through its `app-channel` interface (see `docs/adr/0005`).
//!
//! This module holds the application-side types Malachite is instantiated
//! with, how they are signed and encoded, how the engine is started, and
//! the loop that answers the engine's messages ([`app`]; [`engine`]
//! documents what it must do). Equivocations the engine reports are
//! checked and kept as alarms ([`evidence`]); a test-only Byzantine mode
//! makes a validator equivocate on purpose ([`byzantine`]).
//!
//! # Mapping
//!
//! | Malachite | Tanji |
//! |---|---|
//! | `Context` | [`TanjiContext`] (no data) |
//! | `Height` | [`Height`]`(u64)`: 0 = nothing decided, 1 = first batch |
//! | `Address` | [`Address`]: the validator node's 32-byte ed25519 key (`ValidatorNode::key`), hex when displayed |
//! | `Validator` / `ValidatorSet` | [`Validator`] (power 1) / [`ValidatorSet`], from the ledger's `NetworkInfo::validators` via [`ValidatorSet::from_nodes`] |
//! | `Value` and `Value::Id` | [`BatchId`]: the id of a [`Batch`] of borsh `SignedTx` entries |
//! | `ProposalPart` | [`ProposalPart`]: `Init`, `Data` chunks of the batch, `Fin` with the proposer's signature |
//! | `Proposal`, `Vote` | [`Proposal`], [`Vote`] (extension excluded from equality and signature) |
//! | `Extension` | `Vec<u8>` (≤ 1 KiB; reserved for checkpoint cosignatures) |
//! | `Timeouts` | Malachite's `LinearTimeouts`, chosen per height by the app |
//! | `SigningScheme`, `Signer`, `Verifier` | [`TanjiSigningScheme`], [`TanjiSigner`], [`TanjiVerifier`]: strict ed25519 |
//! | network / sync / WAL codecs | [`TanjiCodec`] |
//! | proposer selection | round-robin: index `(height − 1 + round) mod n` in the set's order |
//!
//! # Invariants
//!
//! - **Signed** (all strict ed25519 by the validator's node key, each message
//!   `context ‖ 0x00 ‖ borsh(network) ‖ borsh(fields)`): votes
//!   (`tanji/vote/v1`; height, round, type, batch id or nil, address; never the
//!   extension), proposals (`tanji/proposal/v1`), vote extensions
//!   (`tanji/vote-extension/v1`, with their scope), and a proposal's parts
//!   (`tanji/proposal-parts/v1` over the parts digest). The validator proof
//!   uses Malachite's fixed `PoV` preimage. The network name in every
//!   preimage keeps a signature from one network valid on another. See
//!   [`signing`].
//! - **Hashed**: a batch id is `BLAKE3::derive_key("tanji/batch-id/v1",
//!   borsh(Vec<Vec<u8>>))`; the parts digest is BLAKE3 over the
//!   `tanji/proposal-parts/v1` header (network, height, round, POL round,
//!   proposer) and every chunk in order. See [`batch`].
//! - **Limits**: a batch has at most 4096 entries, each 1..=128 KiB, and at
//!   most 8 MiB encoded; a `Data` chunk at most 256 KiB; at most 256
//!   validators; every codec message kind has a hard size limit checked
//!   before decoding (see [`codec`]).
//! - Decoding untrusted bytes never panics; every error is a value.
//! - The bytes of votes, proposals, parts, certificates and decision
//!   records are pinned by golden tests (`golden.rs`): changing them is a
//!   format change that breaks stored `DecidedRecord`s.
//! - Only the round's selected proposer can produce parts that
//!   [`batch::assemble`] accepts, so a proposal's content is attributable.
//!   Whether the entries are valid transactions is the ledger's decision
//!   when the app validates the proposal and when it applies the decided batch.

pub mod app;
pub mod batch;
pub mod byzantine;
pub mod engine;
pub mod evidence;
pub mod proposals;
pub mod signing;
// The consensus types, their wire mirrors and the codec build without
// RocksDB in `tanji-wire` (the fuzz targets use them); same paths as before.
pub use tanji_wire::bft::{codec, context, types, wire};

#[cfg(test)]
mod golden;
#[cfg(test)]
mod tests;

pub use batch::{assemble, AssembledProposal, Batch, BatchError, PartStream};
pub use codec::{CodecError, TanjiCodec};
pub use context::TanjiContext;
pub use engine::{start, EngineIdentity, EnginePaths, TanjiNodeConfig};
pub use signing::{Signature, TanjiSigner, TanjiSigningScheme, TanjiVerifier};
pub use types::{
    Address, BatchId, Height, Proposal, ProposalPart, Validator, ValidatorSet, ValidatorSetError,
    Vote,
};

//! A node of a replicated network (`tanji-node run`, `tanji-node devnet`).
//!
//! | role | orders (Malachite) | signs checkpoints | serves the API | admits transactions |
//! |---|---|---|---|---|
//! | validator | proposes and votes | cosigns every new head | yes | yes (mempool + gossip) |
//! | observer | follows and verifies, never votes | witnesses final checkpoints | yes | yes (gossiped to validators) |
//!
//! Every node, whatever its role, applies each decided batch with the same
//! ledger code as the solo mode (`Store::append_decided`, which re-validates
//! every transaction and recomputes every root), so an observer verifies the
//! whole log itself; it trusts the validators only for the *order* of
//! transactions, and even that only as far as 2f+1 of them signed it.
//!
//! - [`alarms`]: the evidence kept when something forks.
//! - [`checkpoints`]: cosignatures, finality, witnessing, fork detection.
//! - [`config`]: the `node.toml` file.
//! - [`genesis`]: the genesis file every node starts from.
//! - [`network`]: transaction and checkpoint gossip, range-sync answers.
//! - [`run`]: starting a node.
//!
//! The ordering engine the API submits to is
//! [`ReplicatedOrdering`](crate::ordering::replicated::ReplicatedOrdering).

pub mod alarms;
pub mod checkpoints;
pub mod config;
pub mod genesis;
pub mod network;
pub mod run;

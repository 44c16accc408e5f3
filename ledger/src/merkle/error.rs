//! Errors of proof generation ([`MerkleError`]) and proof verification ([`ProofError`]).
//!
//! The two are separate on purpose: generation runs against our own storage, so its failures are
//! bad requests or storage faults; verification runs on data from someone else, so its failures
//! mean "do not believe this claim" and say which part of the claim did not hold.

use super::hasher::Hash;

/// Why a root or proof could not be produced from a [`NodeSource`](super::NodeSource).
#[derive(Debug, thiserror::Error)]
pub enum MerkleError {
    /// A leaf index that is not below the tree size it is asked about.
    #[error("leaf index {index} is out of range for a tree of size {size}")]
    IndexOutOfRange {
        /// The requested leaf index.
        index: u64,
        /// The tree size the index was checked against.
        size: u64,
    },
    /// A tree size larger than the tree that actually exists.
    #[error("tree size {size} is larger than the tree, which has {tree_size} leaves")]
    SizeOutOfRange {
        /// The requested size.
        size: u64,
        /// The number of leaves the tree holds.
        tree_size: u64,
    },
    /// A leaf range or a pair of tree sizes that does not describe anything provable.
    #[error("invalid range [{start}, {end}): {reason}")]
    InvalidRange {
        /// Start of the range (or the old tree size).
        start: u64,
        /// End of the range (or the new tree size).
        end: u64,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// The tree already holds `u64::MAX` leaves; one more would make its size unrepresentable.
    #[error("the tree is full: it already holds u64::MAX leaves")]
    TreeFull,
    /// The source has no hash for a perfect node the computation needs. For a source whose tree
    /// covers the requested range this means the stored tree is incomplete or corrupt.
    #[error("missing tree node at level {level}, index {index}")]
    MissingNode {
        /// Height of the node above the leaves (0 = leaf hash).
        level: u8,
        /// Position of the node within its level.
        index: u64,
    },
    /// The storage behind a [`NodeSource`](super::NodeSource) failed.
    #[error("node source failed: {0}")]
    Source(String),
}

/// Why a proof was rejected. Every variant means the claim must not be believed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProofError {
    /// An inclusion proof for a leaf index that is not below the tree size (this includes every
    /// inclusion claim about the empty tree).
    #[error("leaf index {index} is out of range for a tree of size {size}")]
    IndexOutOfRange {
        /// The claimed leaf index.
        index: u64,
        /// The claimed tree size.
        size: u64,
    },
    /// The proof does not have the exact number of hashes the claimed index and sizes imply.
    /// Checked before any hashing, so oversized proofs cost nothing.
    #[error("wrong proof length: expected {expected} hashes, got {got}")]
    WrongProofLength {
        /// Length implied by the claimed index and size(s).
        expected: usize,
        /// Length supplied.
        got: usize,
    },
    /// The root recomputed from the proof is not the claimed (new) root.
    #[error(
        "root mismatch: computed {}, expected {}",
        hex::encode(.computed),
        hex::encode(.expected)
    )]
    RootMismatch {
        /// Root recomputed from the proof.
        computed: Hash,
        /// Root the caller supplied.
        expected: Hash,
    },
    /// The old root recomputed from a consistency proof (or, for size 0, the empty-tree hash) is not
    /// the claimed old root.
    #[error(
        "old root mismatch: computed {}, expected {}",
        hex::encode(.computed),
        hex::encode(.expected)
    )]
    OldRootMismatch {
        /// Old root recomputed from the proof.
        computed: Hash,
        /// Old root the caller supplied.
        expected: Hash,
    },
    /// A consistency claim between sizes that admits no proof: the old size is larger than the new
    /// one, or the old tree is empty while the new one is not (RFC 9162 defines consistency proofs
    /// only for `0 < old <= new`; a proof from the empty tree would prove nothing).
    #[error("no consistency proof exists from tree size {old} to tree size {new}")]
    InvalidSizes {
        /// Claimed old tree size.
        old: u64,
        /// Claimed new tree size.
        new: u64,
    },
}

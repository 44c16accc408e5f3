//! Tanji's Merkle log: the tree, its roots, and inclusion and consistency proofs, exactly as
//! RFC 9162 §2.1 (Certificate Transparency 2.0) defines them, generic over the hash function.
//!
//! Tanji hashes with BLAKE3 ([`Blake3Hasher`]); the same code instantiated with SHA-256
//! ([`Sha256Hasher`]) is checked against the public RFC 6962 test vectors
//! (`ledger/tests/rfc6962_vectors.rs`).
//!
//! # Tree shape
//!
//! For entries D\[0:n\], RFC 9162 §2.1.1 defines the Merkle Tree Hash
//!
//! - MTH({}) = H(""),
//! - MTH({d}) = H(0x00 || d),
//! - MTH(D\[0:n\]) = H(0x01 || MTH(D\[0:k\]) || MTH(D\[k:n\])) for n > 1, where k is the largest
//!   power of two *smaller than* n.
//!
//! So the left subtree is always complete (perfect, 2^j leaves) and as large as possible, and all
//! the raggedness is pushed to the right edge. For n = 6 that gives
//!
//! ```text
//!              root
//!            /      \
//!        [0,4)      [4,6)
//!        /   \      /   \
//!    [0,2) [2,4)   4     5
//!     / \   / \
//!    0   1 2   3
//! ```
//!
//! and for n = 7 the right child becomes [4,7) = H([4,6), 6): leaf 6 is promoted, not paired with
//! a copy of itself (unlike Bitcoin's tree, so no duplicate-leaf ambiguity).
//!
//! # Perfect nodes, and why only they are stored
//!
//! A *perfect node* (level, index) is the hash of the 2^level leaves
//! \[index·2^level, (index+1)·2^level). Once its last leaf is appended it never changes, so it can
//! be written once under a fixed key and shared by every later tree size: the nodes of the tree
//! of size n are a subset of those of any larger tree. The other nodes — the ones on the right
//! edge that cover an incomplete range, like [4,7) above — change with every append; storing them
//! would mean rewriting O(log n) entries per append and keeping one copy per historical size.
//!
//! Instead they are computed on demand from the binary decomposition of their range. A range of
//! n leaves starting at an aligned position (every node of an RFC 9162 tree is one) splits into
//! one perfect subtree per one bit of n, largest first: for n = 13 = 8 + 4 + 1 they are [0,8),
//! [8,12) and [12,13), and the RFC recursion yields exactly
//! MTH(D\[0:13\]) = H([0,8), H([8,12), [12,13))) — a right fold over those nodes. That is at most
//! 64 lookups and 63 hashes for any root, of the current tree or of any earlier size
//! ([`root`], [`range_hash`]).
//!
//! Appending leaf i completes one perfect node per trailing one bit of i (leaf 7 = 0b111 completes
//! nodes at levels 0, 1, 2 and 3), each from its already stored left sibling; see
//! [`nodes_completed_by_append`]. Storage code writes those nodes in the same atomic batch as the
//! entry.
//!
//! # Invariants
//!
//! - A [`NodeSource`] for a tree of n leaves holds, for every level l, exactly the nodes
//!   (l, 0..n >> l), each equal to MTH of its leaf range. Nothing else is needed to answer any
//!   root or proof for any size up to n.
//! - Leaf hashes and interior hashes are domain-separated by the 0x00 / 0x01 prefix
//!   ([`MerkleHasher`]).
//! - Proof generation returns exactly RFC 9162's PATH and PROOF lists, in the RFC's order
//!   (leaf to root); verification is the RFC's algorithm preceded by an exact length check, so
//!   verification errors say what was wrong ([`ProofError`]).
//! - Nothing panics on input: every index, size (up to `u64::MAX`) and proof length from outside
//!   is validated, with no overflowing arithmetic. Proofs are never longer than
//!   [`MAX_INCLUSION_PROOF_LEN`] / [`MAX_CONSISTENCY_PROOF_LEN`] hashes, which callers decoding
//!   proofs from the network can enforce before parsing further.
//! - A proof binds a leaf or an old root to a *root*, not to a size: the (size, root) pairs must
//!   come from signed checkpoints, never from the party supplying the proof.

mod error;
mod hasher;
mod memory;
#[cfg(test)]
pub(crate) mod naive;
mod proof;
mod root;
mod source;
#[cfg(test)]
mod tests;
mod verify;

pub use error::{MerkleError, ProofError};
pub use hasher::{Blake3Hasher, Hash, MerkleHasher, Sha256Hasher};
pub use memory::MemoryTree;
pub use proof::{consistency_proof, inclusion_proof};
pub use root::{range_hash, root};
pub use source::{nodes_completed_by_append, NodeSource, NodeWrite};
pub use verify::{
    root_from_inclusion_proof, verify_consistency, verify_inclusion, MAX_CONSISTENCY_PROOF_LEN,
    MAX_INCLUSION_PROOF_LEN,
};

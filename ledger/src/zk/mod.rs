//! Zero-knowledge proofs for **hidden** footprints (DESIGN.md, "Privacy", level 3).
//!
//! A hidden attestation publishes its result as Pedersen commitments over
//! Ristretto255 instead of numbers, and carries a [`FootprintProof`] that the
//! committed result is exactly what [`crate::carbon::compute`] would compute
//! from its inputs, without revealing the result, the quantities and amounts,
//! or the committed upstream footprints it builds on.
//!
//! # Notation
//!
//! ℓ = 2²⁵² + 27742317777372353535851937790883648493 is the order of the
//! Ristretto255 group; scalars live in ℤ/ℓ. Upper-case letters are group
//! elements, lower-case letters are scalars or integers.
//!
//! # Generators ([`generators`])
//!
//! `G_c` for each [`Category`] c, `G_q` for quantities and amounts and `H` for
//! blindings, each `RistrettoPoint::hash_from_bytes::<Sha512>(label)` of a
//! published label (`tanji/zk/v1/generator/fossil`, …): nobody knows a discrete
//! log relation between them.
//!
//! # Commitments ([`commitment`])
//!
//! - A footprint `v = (v_c)` is committed component by component:
//!   `V_c = v_c·G_c + γ_c·H`, with a fresh random blinding γ_c each. The
//!   vector commitment is `Σ_c V_c`; the components are published so that each
//!   can be range-proved and used separately.
//! - A quantity or amount `q` is committed as `C = q·G_q + s·H`.
//!
//! Signed values map to scalars as `v ↦ v mod ℓ` (a negative `v` is `ℓ − |v|`).
//!
//! # The statement ([`footprint_proof`])
//!
//! Public: the network name, the author, a context (for a hidden attestation,
//! [`crate::carbon::hidden::proof_context`]: the digest of the attestation
//! with the proof bytes emptied, so the proof cannot be moved to another
//! attestation; [`crate::carbon::hidden`] builds and checks the statement from
//! the ledger), the inputs —
//! factors with their values `F_j` (µg per activity unit), public upstream
//! footprints with their values `U_i` (mg per declared unit), committed
//! upstream footprints with their commitments `V_{U_i,c}` — and the result
//! commitment `V_{R,c}`.
//!
//! Secret: each input's quantity or amount `q_i` (micro-units), the openings of
//! the committed upstream footprints and of the result.
//!
//! Proved, for every category c, over the **integers**:
//!
//! ```text
//! SCALE·R_c + rem_c = Σ_{upstream i} q_i·U_ic·K_UPSTREAM + Σ_{factor j} a_j·F_jc·K_FACTOR + HALF
//! 0 ≤ rem_c < SCALE,   0 ≤ q_i < 2⁶⁴,   −2⁶³ ≤ R_c < 2⁶³
//! ```
//!
//! with [`SCALE`] = 10⁹, [`HALF`] = 5·10⁸, [`K_UPSTREAM`] = 1000 and
//! [`K_FACTOR`] = 1, the constants of [`crate::carbon::compute`]: an upstream
//! term `quantity × mg × 1000` and a factor term `amount × µg` are both in
//! 10⁻⁹ mg, and a category is rounded once with
//! `floor((exact + 5·10⁸) / 10⁹)`. The two lines say exactly
//! `R_c = floor((exact_c + HALF) / SCALE)` (floor division, so a half rounds
//! up also for negative sums), i.e. `R_c` is the category figure of
//! [`crate::carbon::compute::compute`]. Tests tie the constants to that code.
//!
//! # The proof
//!
//! 1. For each input i with base points `B_ic` — `K_UPSTREAM·V_{U_i,c}` for a
//!    committed upstream footprint, `(U_ic·K_UPSTREAM)·G_c` for a public one,
//!    `(F_ic·K_FACTOR)·G_c` for a factor — the prover publishes
//!    `C_i = q_i·G_q + s_i·H` and `D_ic = q_i·B_ic + δ_ic·H`, and proves
//!    knowledge of `(q_i, s_i, δ_i1…δ_i5)` with one Schnorr-style Σ-protocol
//!    whose response for `q_i` is shared by all six equations (so the same
//!    `q_i` multiplies every category and is the one range-proved in `C_i`).
//! 2. It publishes `V_{rem,c} = rem_c·G_c + γ'_c·H` and proves knowledge of
//!    `ρ_c` with `SCALE·V_{R,c} + V_{rem,c} − Σ_i D_ic − HALF·G_c = ρ_c·H`:
//!    the left side has no `G_c` component, which is the relation above
//!    modulo ℓ.
//! 3. Bulletproofs (64-bit, aggregated): one proof over `G_q` that every `q_i`
//!    is in `[0, 2⁶⁴)` (padded with commitments to zero, the identity, up to a
//!    power of two); one proof per category over `G_c` for
//!    `R_c + 2⁶³`, `rem_c`, `rem_c + 2⁶⁴ − SCALE` (each in `[0, 2⁶⁴)`, which
//!    gives `R_c ∈ [−2⁶³, 2⁶³)` and `rem_c ∈ [0, SCALE)`) and a zero pad.
//!
//! All Σ-protocol nonces share one challenge `e`; everything runs under one
//! Merlin transcript (see [`footprint_proof`] for the exact order), so the
//! challenges bind every public input, every commitment and the context.
//!
//! # Why modulo ℓ means over the integers (no wrap-around)
//!
//! Upstream values `u` are in `[−2⁶³, 2⁶³)` (public: `i64`; committed: by the
//! upstream attestation's own range proof, checked when the ledger accepted
//! it), factor values are `i64`, quantities `< 2⁶⁴` and at most
//! [`MAX_PROOF_INPUTS`] = 2⁸ inputs, so
//! `|Σ …| < 2⁸ · 2⁶⁴ · 2⁶³ · 2¹⁰ = 2¹⁴⁵`, and
//! `|SCALE·R_c + rem_c − HALF| < 2³⁰·2⁶³ + 2³⁰ < 2⁹⁴`. Both sides are far
//! below ℓ/2 > 2²⁵¹, so equality modulo ℓ is equality of integers.
//!
//! # Assumptions
//!
//! - The discrete logarithm problem is hard in Ristretto255 (binding of the
//!   commitments, soundness of the Σ-protocols and of Bulletproofs); hiding is
//!   perfect.
//! - Fiat–Shamir in the random-oracle model, with STROBE/Keccak (Merlin) as the
//!   oracle, for non-interactive soundness and zero knowledge.
//! - Committed upstream footprints were themselves accepted with a verified
//!   proof (their `R_c` range proof is what bounds `u` above); the ledger
//!   checks this when it accepts an attestation.
//! - Not proved: the category sign rules (removals ≤ 0, others ≥ 0) for the
//!   hidden result, stage and packaging figures, and the total; those stay
//!   with whoever receives the openings.

pub mod commitment;
mod encoding;
mod error;
pub mod footprint_proof;
pub mod generators;
mod scalar;

pub use commitment::{
    Blinding, Commitment, FootprintCommitment, FootprintOpening, PointError, QuantityCommitment,
    QuantityOpening,
};
pub use error::{ProofDecodeError, ProveError, VerifyError};
pub use footprint_proof::{
    expected_result, prove, verify, FootprintProof, InputWitness, ProofInput, Statement, Witness,
};
pub use generators::{generators, Generators, GENERATOR_LABELS};

use crate::carbon::Category;

/// Version byte of the proof encoding and of the transcript protocol.
pub const PROOF_VERSION: u8 = 1;

/// Merlin protocol label of the footprint statement.
pub const PROTOCOL_LABEL: &[u8] = b"tanji/zk/footprint/v1";

/// Exact units (10⁻⁹ mg) per milligram: the divisor of the rounding rule
/// ([`crate::carbon::compute::PG_PER_MG`]).
pub const SCALE: u64 = 1_000_000_000;

/// Half a milligram in exact units: what the rounding rule adds before flooring.
pub const HALF: u64 = SCALE / 2;

/// Exact units per (micro-unit × milligram) of an upstream term.
pub const K_UPSTREAM: u64 = 1_000;

/// Exact units per (micro-unit × microgram) of a factor term.
pub const K_FACTOR: u64 = 1;

/// Bits of every range proof: quantities and amounts are in `[0, 2⁶⁴)` (any
/// `u64`, as in the clear computation), result components in `[−2⁶³, 2⁶³)`.
pub const RANGE_BITS: usize = 64;

/// Offset added to a result component before its range proof (`R + 2⁶³ ∈ [0, 2⁶⁴)`).
pub const RESULT_OFFSET: u64 = 1 << 63;

/// Most inputs one proof may have (bounds the proof size and the no-wrap argument).
pub const MAX_PROOF_INPUTS: usize = 256;

/// Number of categories, the length of every per-category array.
pub const CATEGORIES: usize = Category::ALL.len();

#[cfg(test)]
mod tests;

//! The footprint statement: proving and verifying that a committed result is
//! the rounded exact sum of its inputs (the relation and its soundness
//! argument are in the [module docs](super)).
//!
//! # Transcript
//!
//! One Merlin transcript, `Transcript::new(b"tanji/zk/footprint/v1")`, absorbs
//! in this order (labels in quotes; integers as `append_u64`, i.e. 8 bytes LE;
//! `i64` values as 8 bytes LE two's complement; points as compressed 32 bytes):
//!
//! 1. `"version"` 1; `"network"` the network name; `"author"` the author's
//!    [`OrgId`] (16 bytes); `"context"` the caller's context bytes;
//! 2. the constants: `"scale"` [`SCALE`], `"half"` [`HALF`], `"k_upstream"`
//!    [`K_UPSTREAM`], `"k_factor"` [`K_FACTOR`], `"range_bits"` 64,
//!    `"result_offset"` 2⁶³;
//! 3. `"inputs"` the input count, then per input `"kind"` (`factor`,
//!    `public_upstream` or `committed_upstream`) and either `"factor_id"`,
//!    `"factor_version"` and five `"value"`s, or `"upstream_id"` (32 bytes)
//!    and five `"value"`s or five `"upstream_commitment"`s;
//! 4. five `"result"` (the components `V_{R,c}`);
//! 5. per input `"quantity"` `C_i` and five `"product"` `D_ic`; five
//!    `"remainder"` `V_{rem,c}`;
//! 6. per input `"nonce_quantity"` and five `"nonce_product"`; five
//!    `"nonce_rounding"`; then the Σ-protocol challenge `e` =
//!    `"challenge"` (64 bytes reduced mod ℓ);
//! 7. the Bulletproofs range proofs, which absorb their own domain separator,
//!    sizes and commitments: first the quantities' (`m` = the input count
//!    rounded up to a power of two, at least 1), then one per category in
//!    [`Category::ALL`] order.

// Per-category arrays (commitments, blindings, bases) are indexed in parallel by category.
#![allow(clippy::needless_range_loop)]

use bulletproofs::RangeProof;
use curve25519_dalek_bp::ristretto::RistrettoPoint;
use curve25519_dalek_bp::scalar::Scalar;
use curve25519_dalek_bp::traits::{Identity, IsIdentity, VartimeMultiscalarMul};
use merlin::Transcript;
use zeroize::{Zeroize, Zeroizing};

use super::commitment::{
    Commitment, FootprintCommitment, FootprintOpening, QuantityCommitment, QuantityOpening,
};
use super::generators::{bulletproof_gens, generators};
use super::{
    scalar, ProveError, VerifyError, CATEGORIES, HALF, K_FACTOR, K_UPSTREAM, MAX_PROOF_INPUTS,
    PROOF_VERSION, PROTOCOL_LABEL, RANGE_BITS, RESULT_OFFSET, SCALE,
};
use crate::carbon::compute::{round_mg, term_exact, Contribution, Term};
use crate::carbon::{Category, PerCategory, RecordRef, Stage};
use crate::{OrgId, TxId};

/// One input as the verifier sees it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ProofInput {
    /// Activity data (hidden amount) × a public factor.
    Factor {
        /// The factor, pinned by version.
        reference: RecordRef,
        /// Its values, micrograms CO2e per activity unit.
        values_ug: PerCategory,
    },
    /// A public upstream footprint (hidden quantity).
    PublicUpstream {
        /// Its attestation.
        id: TxId,
        /// Its results, milligrams CO2e per its declared unit.
        values_mg: PerCategory,
    },
    /// A hidden upstream footprint (hidden quantity), by its published commitment.
    CommittedUpstream {
        /// Its attestation.
        id: TxId,
        /// Its per-category result commitment, as on the ledger.
        commitment: FootprintCommitment,
    },
}

/// Everything public about one proof.
#[derive(Clone, Copy, Debug)]
pub struct Statement<'a> {
    /// The network's name (proofs do not replay across networks).
    pub network: &'a str,
    /// The attestation's author.
    pub author: OrgId,
    /// Caller-chosen bytes bound into the proof: the integration sets them to
    /// the digest of the attestation body without the proof.
    pub context: &'a [u8],
    /// The inputs, in attestation order.
    pub inputs: &'a [ProofInput],
    /// The result commitment `V_{R,c}`.
    pub result: &'a FootprintCommitment,
}

/// The secrets of one input.
#[derive(Clone, Debug)]
pub struct InputWitness {
    /// The quantity or amount (micro-units) and the blinding of its commitment `C_i`.
    pub quantity: QuantityOpening,
    /// For a committed upstream input, the opening of its commitment; `None` otherwise.
    pub upstream: Option<FootprintOpening>,
}

/// The prover's secrets.
#[derive(Clone, Debug)]
pub struct Witness {
    /// One per input, in the statement's order.
    pub inputs: Vec<InputWitness>,
    /// The opening of the statement's result commitment.
    pub result: FootprintOpening,
}

/// A point as decoded: its canonical encoding and the point.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Pt {
    pub(crate) bytes: [u8; 32],
    pub(crate) point: RistrettoPoint,
}

impl Pt {
    pub(crate) fn new(point: RistrettoPoint) -> Self {
        Pt {
            bytes: point.compress().to_bytes(),
            point,
        }
    }
}

/// The proof part of one input.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct InputProof {
    /// `C_i = q_i·G_q + s_i·H`.
    pub(crate) quantity: Pt,
    /// `D_ic = q_i·B_ic + δ_ic·H`.
    pub(crate) products: [Pt; CATEGORIES],
    /// Σ-protocol nonce commitment for `C_i`.
    pub(crate) nonce_quantity: Pt,
    /// Σ-protocol nonce commitments for `D_ic`.
    pub(crate) nonce_products: [Pt; CATEGORIES],
    /// Response for `q_i` (shared by all six equations).
    pub(crate) z_quantity: Scalar,
    /// Response for `s_i`.
    pub(crate) z_blinding: Scalar,
    /// Responses for `δ_ic`.
    pub(crate) z_products: [Scalar; CATEGORIES],
}

/// A proof that a hidden footprint is computed correctly from its inputs.
///
/// Its byte form ([`Self::to_bytes`], [`Self::from_bytes`]) is canonical and
/// bounded: version byte, input count, then fixed-size fields whose total length
/// the input count determines (see the `encoding` module).
#[derive(Clone, Debug)]
pub struct FootprintProof {
    pub(crate) inputs: Vec<InputProof>,
    /// `V_{rem,c}`.
    pub(crate) remainders: [Pt; CATEGORIES],
    /// Nonce commitments of the rounding relations.
    pub(crate) nonce_rounding: [Pt; CATEGORIES],
    /// Responses for `ρ_c`.
    pub(crate) z_rounding: [Scalar; CATEGORIES],
    /// Quantities and amounts in `[0, 2⁶⁴)`.
    pub(crate) quantity_range: RangeProof,
    /// Per category: `R_c + 2⁶³`, `rem_c`, `rem_c + 2⁶⁴ − SCALE`, 0, each in `[0, 2⁶⁴)`.
    pub(crate) category_range: [RangeProof; CATEGORIES],
}

impl FootprintProof {
    /// Number of inputs the proof is for.
    pub fn input_count(&self) -> usize {
        self.inputs.len()
    }
    /// The quantity and amount commitments `C_i`, in input order (what a
    /// holder of a [`QuantityOpening`] checks it against).
    pub fn quantity_commitments(&self) -> Vec<QuantityCommitment> {
        self.inputs
            .iter()
            .map(|i| QuantityCommitment(Commitment(i.quantity.bytes)))
            .collect()
    }
}

/// Aggregation size of the quantities' range proof for `n` inputs.
pub(crate) fn quantity_parties(n: usize) -> usize {
    n.max(1).next_power_of_two()
}

/// Parties of each category's range proof (`R + 2⁶³`, `rem`, `rem + 2⁶⁴ − SCALE`, a zero pad).
pub(crate) const CATEGORY_PARTIES: usize = 4;

/// `2⁶⁴ − SCALE`: added to `rem` for its upper bound.
const REM_UPPER_OFFSET: u64 = u64::MAX - SCALE + 1;

fn category_name(c: usize) -> &'static str {
    Category::ALL[c].as_str()
}

/// The base of input `i` in category `c`, as `multiplier · point`, and, for
/// the prover, nothing else: `B_ic = K_UPSTREAM·V_{U,c}` (committed upstream)
/// or `(w_ic)·G_c` with `w = U·K_UPSTREAM` or `F·K_FACTOR` (public).
#[derive(Clone, Copy)]
struct Base {
    multiplier: Scalar,
    point: RistrettoPoint,
}

fn bases(
    inputs: &[ProofInput],
    invalid: impl Fn(String) -> String,
) -> Result<Vec<[Base; CATEGORIES]>, String> {
    let g = generators();
    inputs
        .iter()
        .enumerate()
        .map(|(i, input)| {
            let public = |values: &PerCategory, k: u64| -> [Base; CATEGORIES] {
                std::array::from_fn(|c| Base {
                    multiplier: scalar::from_i128(i128::from(values.0[c]) * i128::from(k)),
                    point: g.category[c],
                })
            };
            Ok(match input {
                ProofInput::Factor { values_ug, .. } => public(values_ug, K_FACTOR),
                ProofInput::PublicUpstream { values_mg, .. } => public(values_mg, K_UPSTREAM),
                ProofInput::CommittedUpstream { commitment, .. } => {
                    let points = commitment.decompress().map_err(|_| {
                        invalid(format!("input #{}: the upstream commitment", i + 1))
                    })?;
                    let k = Scalar::from(K_UPSTREAM);
                    points.map(|point| Base {
                        multiplier: k,
                        point,
                    })
                }
            })
        })
        .collect()
}

fn append_point(t: &mut Transcript, label: &'static [u8], p: &Pt) {
    t.append_message(label, &p.bytes);
}

/// Steps 1–4 of the transcript: the statement.
fn absorb_statement(t: &mut Transcript, st: &Statement<'_>) {
    t.append_u64(b"version", u64::from(PROOF_VERSION));
    t.append_message(b"network", st.network.as_bytes());
    t.append_message(b"author", st.author.as_bytes());
    t.append_message(b"context", st.context);
    t.append_u64(b"scale", SCALE);
    t.append_u64(b"half", HALF);
    t.append_u64(b"k_upstream", K_UPSTREAM);
    t.append_u64(b"k_factor", K_FACTOR);
    t.append_u64(b"range_bits", RANGE_BITS as u64);
    t.append_u64(b"result_offset", RESULT_OFFSET);
    t.append_u64(b"inputs", st.inputs.len() as u64);
    let values = |t: &mut Transcript, v: &PerCategory| {
        for x in v.0 {
            t.append_message(b"value", &x.to_le_bytes());
        }
    };
    for input in st.inputs {
        match input {
            ProofInput::Factor {
                reference,
                values_ug,
            } => {
                t.append_message(b"kind", b"factor");
                t.append_message(b"factor_id", reference.id.as_bytes());
                t.append_u64(b"factor_version", u64::from(reference.version));
                values(t, values_ug);
            }
            ProofInput::PublicUpstream { id, values_mg } => {
                t.append_message(b"kind", b"public_upstream");
                t.append_message(b"upstream_id", id.as_bytes());
                values(t, values_mg);
            }
            ProofInput::CommittedUpstream { id, commitment } => {
                t.append_message(b"kind", b"committed_upstream");
                t.append_message(b"upstream_id", id.as_bytes());
                for c in &commitment.0 {
                    t.append_message(b"upstream_commitment", c.as_bytes());
                }
            }
        }
    }
    for c in &st.result.0 {
        t.append_message(b"result", c.as_bytes());
    }
}

/// Steps 5–6: the proof's commitments and nonces, then the challenge.
fn absorb_commitments(
    t: &mut Transcript,
    inputs: &[InputProof],
    remainders: &[Pt; CATEGORIES],
    nonce_rounding: &[Pt; CATEGORIES],
) -> Scalar {
    for i in inputs {
        append_point(t, b"quantity", &i.quantity);
        for d in &i.products {
            append_point(t, b"product", d);
        }
    }
    for r in remainders {
        append_point(t, b"remainder", r);
    }
    for i in inputs {
        append_point(t, b"nonce_quantity", &i.nonce_quantity);
        for a in &i.nonce_products {
            append_point(t, b"nonce_product", a);
        }
    }
    for a in nonce_rounding {
        append_point(t, b"nonce_rounding", a);
    }
    let mut wide = [0u8; 64];
    t.challenge_bytes(b"challenge", &mut wide);
    Scalar::from_bytes_mod_order_wide(&wide)
}

fn terms(inputs: &[ProofInput], witness: &[InputWitness]) -> Vec<Term> {
    inputs
        .iter()
        .zip(witness)
        .map(|(input, w)| {
            let contribution = match input {
                ProofInput::Factor { values_ug, .. } => Contribution::Factor {
                    amount: w.quantity.value,
                    values_ug: *values_ug,
                },
                ProofInput::PublicUpstream { values_mg, .. } => Contribution::Upstream {
                    quantity: w.quantity.value,
                    values_mg: *values_mg,
                },
                ProofInput::CommittedUpstream { .. } => Contribution::Upstream {
                    quantity: w.quantity.value,
                    values_mg: w.upstream.as_ref().map(|o| o.values()).unwrap_or_default(),
                },
            };
            Term {
                stage: Stage::Production,
                packaging: false,
                contribution,
            }
        })
        .collect()
}

/// Checks the witness's shape and openings against the statement's inputs.
fn check_inputs(inputs: &[ProofInput], witness: &[InputWitness]) -> Result<(), ProveError> {
    if inputs.len() > MAX_PROOF_INPUTS {
        return Err(ProveError::TooManyInputs { got: inputs.len() });
    }
    if witness.len() != inputs.len() {
        return Err(ProveError::WitnessLength {
            statement: inputs.len(),
            witness: witness.len(),
        });
    }
    for (i, (input, w)) in inputs.iter().zip(witness).enumerate() {
        match (input, &w.upstream) {
            (ProofInput::CommittedUpstream { commitment, .. }, Some(o)) => {
                if !o.opens(commitment) {
                    return Err(ProveError::OpeningMismatch { input: i + 1 });
                }
            }
            (ProofInput::CommittedUpstream { .. }, None) => {
                return Err(ProveError::MissingOpening { input: i + 1 })
            }
            (_, Some(_)) => return Err(ProveError::UnexpectedOpening { input: i + 1 }),
            (_, None) => {}
        }
    }
    Ok(())
}

/// Exact sums per category (10⁻⁹ mg), exactly as [`crate::carbon::compute::compute`] sums them.
fn exact_sums(
    inputs: &[ProofInput],
    witness: &[InputWitness],
) -> Result<[i128; CATEGORIES], ProveError> {
    let mut sums = [0i128; CATEGORIES];
    for t in terms(inputs, witness) {
        let e = term_exact(&t).map_err(|e| ProveError::OutOfRange {
            category: "all",
            reason: e.to_string(),
        })?;
        for c in 0..CATEGORIES {
            sums[c] = sums[c].checked_add(e[c]).ok_or(ProveError::OutOfRange {
                category: category_name(c),
                reason: "the exact sum does not fit 128 bits".to_string(),
            })?;
        }
    }
    Ok(sums)
}

/// The result the inputs give: per category, the exact sum rounded once
/// (what [`crate::carbon::compute::compute`] reports as `categories`). Use it
/// to make the result commitment before proving.
pub fn expected_result(
    inputs: &[ProofInput],
    witness: &[InputWitness],
) -> Result<PerCategory, ProveError> {
    check_inputs(inputs, witness)?;
    let sums = exact_sums(inputs, witness)?;
    let mut out = PerCategory::default();
    for c in 0..CATEGORIES {
        out.0[c] = round_mg(sums[c]).map_err(|e| ProveError::OutOfRange {
            category: category_name(c),
            reason: e.to_string(),
        })?;
    }
    Ok(out)
}

fn random() -> Result<Scalar, ProveError> {
    scalar::random().map_err(|e| ProveError::Randomness(e.to_string()))
}

fn randoms<const N: usize>() -> Result<[Scalar; N], ProveError> {
    let mut out = [Scalar::ZERO; N];
    for s in &mut out {
        *s = random()?;
    }
    Ok(out)
}

/// Secrets of the Σ-protocol for one input, zeroized on drop.
#[derive(Zeroize)]
#[zeroize(drop)]
struct InputSecrets {
    q: Scalar,
    s: Scalar,
    delta: [Scalar; CATEGORIES],
    k_q: Scalar,
    k_s: Scalar,
    k_delta: [Scalar; CATEGORIES],
}

/// Proves the statement. Refuses (with the reason) a witness that does not
/// satisfy it: wrong openings, a result that is not the rounded exact sum, or
/// figures out of range.
pub fn prove(statement: &Statement<'_>, witness: &Witness) -> Result<FootprintProof, ProveError> {
    prove_with(statement, witness, &Cheat::default())
}

/// Test hook: a dishonest prover that skips the checks and may substitute the
/// scalar of some quantities (e.g. `−1`), to show such proofs do not verify.
#[derive(Default)]
pub(crate) struct Cheat {
    /// Skip the result and range checks (not the shape checks).
    pub(crate) skip_checks: bool,
    /// `(input index, scalar)`: commit to this scalar instead of the quantity.
    pub(crate) quantities: Vec<(usize, Scalar)>,
}

pub(crate) fn prove_with(
    statement: &Statement<'_>,
    witness: &Witness,
    cheat: &Cheat,
) -> Result<FootprintProof, ProveError> {
    let inputs = statement.inputs;
    check_inputs(inputs, &witness.inputs)?;
    if !witness.result.opens(statement.result) {
        return Err(ProveError::ResultOpeningMismatch);
    }
    let committed = witness.result.values;
    // rem_c = exact_c + HALF − SCALE·R_c, in [0, SCALE) by the rounding rule.
    let mut rem = Zeroizing::new([0u64; CATEGORIES]);
    if !cheat.skip_checks {
        let expected = expected_result(inputs, &witness.inputs)?;
        let sums = exact_sums(inputs, &witness.inputs)?;
        for c in 0..CATEGORIES {
            let wrong = ProveError::WrongResult {
                category: category_name(c),
                expected: expected.0[c],
                committed: committed[c],
            };
            if committed[c] != expected.0[c] {
                return Err(wrong);
            }
            let r = sums[c] + i128::from(HALF) - i128::from(SCALE) * i128::from(committed[c]);
            rem[c] = u64::try_from(r).ok().filter(|r| *r < SCALE).ok_or(wrong)?;
        }
    }
    // The quantities as scalars (a cheating prover may substitute some).
    let mut q_scalars: Zeroizing<Vec<Scalar>> = Zeroizing::new(
        witness
            .inputs
            .iter()
            .map(|w| Scalar::from(w.quantity.value))
            .collect(),
    );
    for (i, q) in &cheat.quantities {
        if let Some(slot) = q_scalars.get_mut(*i) {
            *slot = *q;
        }
    }
    // The remainders as scalars, from the same algebra the verifier checks:
    // rem_c = Σ_i q_i·w_ic + HALF − SCALE·R_c (mod ℓ).
    let mut rem_scalar = Zeroizing::new([Scalar::ZERO; CATEGORIES]);
    for (c, r) in rem_scalar.iter_mut().enumerate() {
        let mut x = Scalar::from(HALF) - Scalar::from(SCALE) * scalar::from_i64(committed[c]);
        for ((input, w), q) in inputs.iter().zip(&witness.inputs).zip(q_scalars.iter()) {
            let weight = match input {
                ProofInput::Factor { values_ug, .. } => {
                    i128::from(values_ug.0[c]) * i128::from(K_FACTOR)
                }
                ProofInput::PublicUpstream { values_mg, .. } => {
                    i128::from(values_mg.0[c]) * i128::from(K_UPSTREAM)
                }
                ProofInput::CommittedUpstream { .. } => {
                    i128::from(w.upstream.as_ref().map_or(0, |o| o.values[c]))
                        * i128::from(K_UPSTREAM)
                }
            };
            x += q * scalar::from_i128(weight);
        }
        *r = x;
        if cheat.skip_checks {
            // Whatever fits 64 bits: the range proof will then be of another value.
            let mut low = [0u8; 8];
            low.copy_from_slice(&x.as_bytes()[..8]);
            rem[c] = u64::from_le_bytes(low);
        } else if x != Scalar::from(rem[c]) {
            return Err(ProveError::RangeProof(format!(
                "category {}: inconsistent remainder",
                category_name(c)
            )));
        }
    }

    let g = generators();
    let h = g.blinding;
    let bases =
        bases(inputs, |what| what).map_err(|what| ProveError::InvalidCommitment { what })?;

    // Commitments and nonces.
    let mut secrets = Vec::with_capacity(inputs.len());
    let mut input_proofs = Vec::with_capacity(inputs.len());
    for ((w, base), q) in witness.inputs.iter().zip(&bases).zip(q_scalars.iter()) {
        let sec = InputSecrets {
            q: *q,
            s: w.quantity.blinding,
            delta: randoms()?,
            k_q: random()?,
            k_s: random()?,
            k_delta: randoms()?,
        };
        let products = std::array::from_fn(|c| {
            Pt::new((sec.q * base[c].multiplier) * base[c].point + sec.delta[c] * h)
        });
        let nonce_products = std::array::from_fn(|c| {
            Pt::new((sec.k_q * base[c].multiplier) * base[c].point + sec.k_delta[c] * h)
        });
        input_proofs.push(InputProof {
            quantity: Pt::new(sec.q * g.quantity + sec.s * h),
            products,
            nonce_quantity: Pt::new(sec.k_q * g.quantity + sec.k_s * h),
            nonce_products,
            z_quantity: Scalar::ZERO,
            z_blinding: Scalar::ZERO,
            z_products: [Scalar::ZERO; CATEGORIES],
        });
        secrets.push(sec);
    }
    let mut rem_blinding: Zeroizing<[Scalar; CATEGORIES]> = Zeroizing::new(randoms()?);
    let mut k_rho: Zeroizing<[Scalar; CATEGORIES]> = Zeroizing::new(randoms()?);
    let remainders =
        std::array::from_fn(|c| Pt::new(rem_scalar[c] * g.category[c] + rem_blinding[c] * h));
    let nonce_rounding = std::array::from_fn(|c| Pt::new(k_rho[c] * h));

    // ρ_c = SCALE·γ_R,c + γ'_c − Σ_i (q_i·β_ic + δ_ic), β_ic the H-coefficient of B_ic.
    let mut rho = Zeroizing::new([Scalar::ZERO; CATEGORIES]);
    for c in 0..CATEGORIES {
        let mut r = Scalar::from(SCALE) * witness.result.blindings[c] + rem_blinding[c];
        for ((input, w), sec) in inputs.iter().zip(&witness.inputs).zip(&secrets) {
            if let (ProofInput::CommittedUpstream { .. }, Some(o)) = (input, &w.upstream) {
                r -= sec.q * Scalar::from(K_UPSTREAM) * o.blindings[c];
            }
            r -= sec.delta[c];
        }
        rho[c] = r;
    }

    let mut t = Transcript::new(PROTOCOL_LABEL);
    absorb_statement(&mut t, statement);
    let e = absorb_commitments(&mut t, &input_proofs, &remainders, &nonce_rounding);

    for (p, sec) in input_proofs.iter_mut().zip(&secrets) {
        p.z_quantity = sec.k_q + e * sec.q;
        p.z_blinding = sec.k_s + e * sec.s;
        p.z_products = std::array::from_fn(|c| sec.k_delta[c] + e * sec.delta[c]);
    }
    let z_rounding = std::array::from_fn(|c| k_rho[c] + e * rho[c]);

    // Range proofs, continuing the transcript.
    let n = inputs.len();
    let m = quantity_parties(n);
    let mut values: Zeroizing<Vec<u64>> = Zeroizing::new(vec![0; m]);
    let mut blindings: Zeroizing<Vec<Scalar>> = Zeroizing::new(vec![Scalar::ZERO; m]);
    for (i, w) in witness.inputs.iter().enumerate() {
        values[i] = w.quantity.value;
        blindings[i] = w.quantity.blinding;
    }
    let (qr, _) = RangeProof::prove_multiple(
        bulletproof_gens(m),
        &g.pedersen_quantity(),
        &mut t,
        &values,
        &blindings,
        RANGE_BITS,
    )
    .map_err(|e| ProveError::RangeProof(format!("quantities: {e}")))?;
    let mut category_range = Vec::with_capacity(CATEGORIES);
    for c in 0..CATEGORIES {
        // R_c + 2⁶³ as u64: flip the sign bit of the two's complement.
        let shifted = (committed[c] as u64) ^ RESULT_OFFSET;
        let values = Zeroizing::new([shifted, rem[c], rem[c].wrapping_add(REM_UPPER_OFFSET), 0]);
        let blindings = Zeroizing::new([
            witness.result.blindings[c],
            rem_blinding[c],
            rem_blinding[c],
            Scalar::ZERO,
        ]);
        let (cr, _) = RangeProof::prove_multiple(
            bulletproof_gens(CATEGORY_PARTIES),
            &g.pedersen_category(c),
            &mut t,
            &values[..],
            &blindings[..],
            RANGE_BITS,
        )
        .map_err(|e| ProveError::RangeProof(format!("category {}: {e}", category_name(c))))?;
        category_range.push(cr);
    }
    rem_blinding.zeroize();
    k_rho.zeroize();
    Ok(FootprintProof {
        inputs: input_proofs,
        remainders,
        nonce_rounding,
        z_rounding,
        quantity_range: qr,
        category_range: category_range
            .try_into()
            .map_err(|_| ProveError::RangeProof("category proofs".to_string()))?,
    })
}

/// Verifies a proof against its statement. The error names the part that failed.
pub fn verify(statement: &Statement<'_>, proof: &FootprintProof) -> Result<(), VerifyError> {
    let inputs = statement.inputs;
    if inputs.len() > MAX_PROOF_INPUTS {
        return Err(VerifyError::TooManyInputs(inputs.len()));
    }
    if proof.inputs.len() != inputs.len() {
        return Err(VerifyError::InputCount {
            statement: inputs.len(),
            proof: proof.inputs.len(),
        });
    }
    let g = generators();
    let h = g.blinding;
    let bases = bases(inputs, |what| what).map_err(VerifyError::InvalidCommitment)?;
    let result = statement
        .result
        .decompress()
        .map_err(|_| VerifyError::InvalidCommitment("the result commitment".to_string()))?;

    let mut t = Transcript::new(PROTOCOL_LABEL);
    absorb_statement(&mut t, statement);
    let e = absorb_commitments(
        &mut t,
        &proof.inputs,
        &proof.remainders,
        &proof.nonce_rounding,
    );
    let minus_one = -Scalar::ONE;

    // Σ-protocol equations, one by one so a failure names its input.
    for (i, (p, base)) in proof.inputs.iter().zip(&bases).enumerate() {
        // z_q·G_q + z_s·H − A_C − e·C = 0
        let check = RistrettoPoint::vartime_multiscalar_mul(
            [p.z_quantity, p.z_blinding, minus_one, -e],
            [g.quantity, h, p.nonce_quantity.point, p.quantity.point],
        );
        if !check.is_identity() {
            return Err(VerifyError::Quantity { input: i + 1 });
        }
        for c in 0..CATEGORIES {
            // z_q·B_ic + z_δ·H − A_ic − e·D_ic = 0
            let check = RistrettoPoint::vartime_multiscalar_mul(
                [
                    p.z_quantity * base[c].multiplier,
                    p.z_products[c],
                    minus_one,
                    -e,
                ],
                [
                    base[c].point,
                    h,
                    p.nonce_products[c].point,
                    p.products[c].point,
                ],
            );
            if !check.is_identity() {
                return Err(VerifyError::Product {
                    input: i + 1,
                    category: category_name(c),
                });
            }
        }
    }
    for c in 0..CATEGORIES {
        // z_ρ·H − A_ρ − e·(SCALE·V_R + V_rem − Σ_i D_ic − HALF·G_c) = 0
        let sum_d: RistrettoPoint = proof.inputs.iter().map(|p| p.products[c].point).sum();
        let check = RistrettoPoint::vartime_multiscalar_mul(
            [
                proof.z_rounding[c],
                minus_one,
                -(e * Scalar::from(SCALE)),
                -e,
                e,
                e * Scalar::from(HALF),
            ],
            [
                h,
                proof.nonce_rounding[c].point,
                result[c],
                proof.remainders[c].point,
                sum_d,
                g.category[c],
            ],
        );
        if !check.is_identity() {
            return Err(VerifyError::Rounding(category_name(c)));
        }
    }

    // Range proofs, continuing the transcript.
    let m = quantity_parties(inputs.len());
    let identity = RistrettoPoint::identity().compress();
    let mut commitments: Vec<_> = proof
        .inputs
        .iter()
        .map(|p| curve25519_dalek_bp::ristretto::CompressedRistretto(p.quantity.bytes))
        .collect();
    commitments.resize(m, identity);
    proof
        .quantity_range
        .verify_multiple(
            bulletproof_gens(m),
            &g.pedersen_quantity(),
            &mut t,
            &commitments,
            RANGE_BITS,
        )
        .map_err(|_| VerifyError::QuantityRange)?;
    for c in 0..CATEGORIES {
        let gc = g.category[c];
        let commitments = [
            (result[c] + Scalar::from(RESULT_OFFSET) * gc).compress(),
            curve25519_dalek_bp::ristretto::CompressedRistretto(proof.remainders[c].bytes),
            (proof.remainders[c].point + Scalar::from(REM_UPPER_OFFSET) * gc).compress(),
            identity,
        ];
        proof.category_range[c]
            .verify_multiple(
                bulletproof_gens(CATEGORY_PARTIES),
                &g.pedersen_category(c),
                &mut t,
                &commitments,
                RANGE_BITS,
            )
            .map_err(|_| VerifyError::CategoryRange(category_name(c)))?;
    }
    Ok(())
}

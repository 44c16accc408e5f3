//! Hidden attestations (privacy level 3): building them with their
//! zero-knowledge proof, and verifying them against the ledger.
//!
//! A hidden attestation is an ordinary [`Attestation`] whose `privacy` is
//! [`Privacy::Hidden`]: no input carries an amount, `results` is all zeros
//! (or, if the author publishes its figures, the committed categories and
//! their total), and [`HiddenFootprint`] holds the per-category result
//! commitment and a [`zk::FootprintProof`].
//!
//! # The statement a node checks
//!
//! [`verify_hidden`] rebuilds the proof's [`zk::Statement`] from the ledger
//! alone:
//! - `network`: the network name from the genesis entry;
//! - `author`: the transaction's author;
//! - `context`: [`proof_context`], a BLAKE3 digest of the attestation with the
//!   proof bytes left empty, so the proof is bound to every field of the
//!   attestation (product, period, inputs and their units and stages, rule,
//!   GWP set, published blindings…) and cannot be moved to another one;
//! - `inputs`, in attestation order: a factor input gives the factor version's
//!   public values; an upstream input gives the upstream's result commitment
//!   if that attestation is hidden, else its public (node-checked) results;
//! - `result`: the attestation's commitment.
//!
//! The upstream commitments were accepted by the ledger only with a verified
//! proof of their own, which is what bounds them (see [`crate::zk`], "no
//! wrap-around"). The usual input checks of [`compute::evaluate`] (records
//! exist and are active, units, GWP set, validity period, rule) apply to
//! hidden attestations exactly as to public ones.
//!
//! # What stays unproved
//!
//! Stage and packaging figures are not committed (they are zero in a hidden
//! attestation's `results`); the category sign rules are not proved. See
//! docs/privacy.md.

use std::collections::HashMap;

use super::compute::{self, FootprintError, Resolver};
use super::{
    Attestation, FactorState, FootprintState, HiddenFootprint, InputSource, PerStage, Privacy,
    RecordRef, Results, RuleState,
};
use crate::ids::{OrgId, TxId};
use crate::zk::{
    self, FootprintCommitment, FootprintOpening, FootprintProof, InputWitness, ProofInput,
    QuantityOpening, Statement, Witness,
};

/// Most inputs a hidden attestation may have: its proof must fit a
/// transaction ([`crate::tx::MAX_TX_BYTES`]); 128 inputs make an 83 KiB proof.
pub const MAX_HIDDEN_INPUTS: usize = 128;

/// Largest proof a hidden attestation may carry (the size of a proof for
/// [`MAX_HIDDEN_INPUTS`] inputs, rounded up).
pub const MAX_PROOF_BYTES: usize = 96 * 1024;

/// BLAKE3 `derive_key` context of [`proof_context`].
pub const PROOF_CONTEXT_LABEL: &str = "tanji/zk/attestation-context/v1";

/// A hidden attestation is malformed, or its proof does not verify.
#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
pub enum HiddenError {
    /// The attestation is not hidden.
    #[error("the attestation is not hidden")]
    NotHidden,
    /// Too many inputs for a proof.
    #[error("{count} inputs; a hidden attestation may have at most {MAX_HIDDEN_INPUTS}")]
    TooManyInputs {
        /// Inputs given.
        count: usize,
    },
    /// The proof is larger than [`MAX_PROOF_BYTES`].
    #[error("the proof is {len} bytes, more than the limit of {MAX_PROOF_BYTES}")]
    ProofTooLarge {
        /// Its length.
        len: usize,
    },
    /// An input carries its amount in the clear.
    #[error("input #{n}: a hidden attestation carries no amounts (they are committed in the proof)", n = .input + 1)]
    AmountInTheClear {
        /// Zero-based input index.
        input: usize,
    },
    /// `results` holds figures although none are published.
    #[error("results must be all zeros in a hidden attestation whose figures are not published")]
    FiguresInTheClear,
    /// Published figures are malformed.
    #[error("published figures: {0}")]
    Published(String),
    /// The published figures do not open the commitment.
    #[error("the published figures and blindings do not open the result commitment")]
    PublishedMismatch,
    /// The inputs do not resolve on the ledger (unknown, inactive, wrong unit…).
    #[error(transparent)]
    Inputs(#[from] FootprintError),
    /// The proof bytes do not decode.
    #[error("the proof does not decode: {0}")]
    ProofDecode(#[from] zk::ProofDecodeError),
    /// The proof does not verify.
    #[error("the zero-knowledge proof does not verify: {0}")]
    ProofInvalid(#[from] zk::VerifyError),
    /// An upstream opening is missing or wrong (when building).
    #[error("input #{n} (footprint {id}): {problem}", n = .input + 1)]
    UpstreamOpening {
        /// Zero-based input index.
        input: usize,
        /// The upstream attestation.
        id: TxId,
        /// What is wrong.
        problem: String,
    },
    /// Building the proof failed.
    #[error("cannot prove: {0}")]
    Prove(#[from] zk::ProveError),
    /// Raw data given to an auditor does not match the attestation.
    #[error("audit: {0}")]
    Audit(String),
    /// The computation did not yield results (an amount is missing).
    #[error("every input needs an amount to build a hidden attestation")]
    MissingAmounts,
}

/// What [`verify_hidden`] checked, for reports.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VerifiedProof {
    /// Proof size in bytes.
    pub proof_bytes: usize,
    /// Inputs proved (factors, public upstreams, hidden upstreams).
    pub factors: usize,
    /// Public upstream footprints.
    pub public_upstreams: usize,
    /// Hidden upstream footprints (by commitment).
    pub hidden_upstreams: usize,
    /// Whether the figures are published (and were checked against the commitment).
    pub published: bool,
}

impl VerifiedProof {
    /// One line for humans.
    pub fn describe(&self) -> String {
        let mut s = format!(
            "zero-knowledge proof verified ({} bytes; {} factor input(s), {} public and {} hidden upstream footprint(s))",
            self.proof_bytes, self.factors, self.public_upstreams, self.hidden_upstreams
        );
        if self.published {
            s.push_str("; published figures open the commitment");
        }
        s
    }
}

/// The context bound into a hidden attestation's proof: BLAKE3 in
/// `derive_key` mode ([`PROOF_CONTEXT_LABEL`]) of the attestation's borsh
/// encoding with the proof bytes emptied.
pub fn proof_context(att: &Attestation) -> [u8; 32] {
    let mut hasher = blake3::Hasher::new_derive_key(PROOF_CONTEXT_LABEL);
    match &att.privacy {
        Privacy::Hidden(h) if !h.proof.is_empty() => {
            let mut stripped = att.clone();
            if let Privacy::Hidden(h) = &mut stripped.privacy {
                h.proof = Vec::new();
            }
            hasher.update(&crate::encoding::encode(&stripped));
        }
        _ => {
            hasher.update(&crate::encoding::encode(att));
        }
    }
    *hasher.finalize().as_bytes()
}

/// The stateless rules of a hidden attestation: input and proof limits, no
/// amounts, and `results` either all zeros or the published form (categories,
/// their total, zero stages and packaging).
pub fn check_hidden_form(att: &Attestation) -> Result<&HiddenFootprint, HiddenError> {
    let Privacy::Hidden(h) = &att.privacy else {
        return Err(HiddenError::NotHidden);
    };
    if att.inputs.len() > MAX_HIDDEN_INPUTS {
        return Err(HiddenError::TooManyInputs {
            count: att.inputs.len(),
        });
    }
    if h.proof.len() > MAX_PROOF_BYTES {
        return Err(HiddenError::ProofTooLarge { len: h.proof.len() });
    }
    if let Some(i) = att.inputs.iter().position(|i| i.amount.is_some()) {
        return Err(HiddenError::AmountInTheClear { input: i });
    }
    match &h.published {
        None if att.results != Results::default() => return Err(HiddenError::FiguresInTheClear),
        None => {}
        Some(_) => {
            if att.results.stages != PerStage::default() || att.results.packaging_mg != 0 {
                return Err(HiddenError::Published(
                    "only categories and their total are published; stages and packaging must be zero".into(),
                ));
            }
            if att
                .results
                .categories
                .0
                .iter()
                .try_fold(0i64, |a, b| a.checked_add(*b))
                != Some(att.results.total_mg)
            {
                return Err(HiddenError::Published(
                    "total_mg must be the sum of the categories".into(),
                ));
            }
        }
    }
    Ok(h)
}

/// The proof's inputs as the ledger gives them (see the module docs). Run
/// [`compute::evaluate`] first: this only reads values, it does not repeat
/// the input checks.
pub fn proof_inputs(
    att: &Attestation,
    resolver: &dyn Resolver,
) -> Result<Vec<ProofInput>, HiddenError> {
    att.inputs
        .iter()
        .enumerate()
        .map(|(i, input)| {
            let reference = compute::reference_of(&input.source);
            let lookup = |message: String| FootprintError::InputLookup {
                input: i,
                reference: reference.clone(),
                message,
            };
            Ok(match &input.source {
                InputSource::Factor(r) => {
                    let f = resolver.factor(r).map_err(lookup)?.ok_or_else(|| {
                        FootprintError::UnknownFactor {
                            input: i,
                            reference: reference.clone(),
                        }
                    })?;
                    ProofInput::Factor {
                        reference: r.clone(),
                        values_ug: f.record.values,
                    }
                }
                InputSource::Upstream(id) => {
                    let up = resolver.footprint(id).map_err(lookup)?.ok_or_else(|| {
                        FootprintError::UnknownUpstream {
                            input: i,
                            reference: reference.clone(),
                        }
                    })?;
                    match &up.attestation.privacy {
                        Privacy::Hidden(h) => ProofInput::CommittedUpstream {
                            id: *id,
                            commitment: h.commitment,
                        },
                        _ => ProofInput::PublicUpstream {
                            id: *id,
                            values_mg: up.attestation.results.categories,
                        },
                    }
                }
            })
        })
        .collect()
}

/// Verifies a hidden attestation by `author` on `network` against the ledger
/// (through `resolver`): the form rules, every input check, the published
/// figures if any, and the zero-knowledge proof.
pub fn verify_hidden(
    network: &str,
    author: OrgId,
    att: &Attestation,
    resolver: &dyn Resolver,
    policy: compute::StatusPolicy,
) -> Result<VerifiedProof, HiddenError> {
    verify_hidden_with(network, author, att, resolver, policy, ProofCheck::Verify)
}

/// Whether [`verify_hidden_with`] verifies the zero-knowledge proof itself.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProofCheck {
    /// Verify it (decode, rebuild the statement, run [`zk::verify`]).
    Verify,
    /// This exact attestation's proof was verified before (at admission, see
    /// [`crate::validate::PreVerified`]); every other check still runs.
    AlreadyVerified,
}

/// [`verify_hidden`], optionally skipping a proof verified before.
pub fn verify_hidden_with(
    network: &str,
    author: OrgId,
    att: &Attestation,
    resolver: &dyn Resolver,
    policy: compute::StatusPolicy,
    proof_check: ProofCheck,
) -> Result<VerifiedProof, HiddenError> {
    let h = check_hidden_form(att)?;
    compute::evaluate_with(att, resolver, policy)?;
    if let Some(blindings) = &h.published {
        let opening = FootprintOpening::from_published(&att.results.categories, blindings)
            .ok_or_else(|| HiddenError::Published("a blinding is not a canonical scalar".into()))?;
        if !opening.opens(&h.commitment) {
            return Err(HiddenError::PublishedMismatch);
        }
    }
    let inputs = proof_inputs(att, resolver)?;
    if proof_check == ProofCheck::Verify {
        let proof = FootprintProof::from_bytes(&h.proof)?;
        let context = proof_context(att);
        let statement = Statement {
            network,
            author,
            context: &context,
            inputs: &inputs,
            result: &h.commitment,
        };
        zk::verify(&statement, &proof)?;
    }
    let count = |f: fn(&ProofInput) -> bool| inputs.iter().filter(|i| f(i)).count();
    Ok(VerifiedProof {
        proof_bytes: h.proof.len(),
        factors: count(|i| matches!(i, ProofInput::Factor { .. })),
        public_upstreams: count(|i| matches!(i, ProofInput::PublicUpstream { .. })),
        hidden_upstreams: count(|i| matches!(i, ProofInput::CommittedUpstream { .. })),
        published: h.published.is_some(),
    })
}

/// A hidden attestation just built, with the secrets behind it.
pub struct HiddenBuild {
    /// The attestation to sign and submit.
    pub attestation: Attestation,
    /// The opening of its result commitment: keep it, seal it to the customer.
    pub opening: FootprintOpening,
    /// The prover's witness (every quantity's opening, the upstream openings
    /// used, the result opening): the raw data an auditor may be given.
    pub witness: Witness,
}

/// Openings of hidden upstream footprints the builder knows (from sealed
/// envelopes), by attestation id.
pub type UpstreamOpenings = HashMap<TxId, FootprintOpening>;

/// Resolves through `inner`, but shows hidden upstream footprints with the
/// values of their openings (checked against their commitments), so
/// [`compute::evaluate`] computes the real result.
struct OpenedResolver<'a> {
    inner: &'a dyn Resolver,
    openings: &'a UpstreamOpenings,
}

impl Resolver for OpenedResolver<'_> {
    fn factor(&self, r: &RecordRef) -> Result<Option<FactorState>, String> {
        self.inner.factor(r)
    }
    fn footprint(&self, id: &TxId) -> Result<Option<FootprintState>, String> {
        let Some(mut fp) = self.inner.footprint(id)? else {
            return Ok(None);
        };
        if let Privacy::Hidden(h) = &fp.attestation.privacy {
            let opening = self
                .openings
                .get(id)
                .ok_or_else(|| "hidden upstream footprint: its opening is needed".to_string())?;
            if !opening.opens(&h.commitment) {
                return Err("the opening given does not open its commitment".to_string());
            }
            fp.attestation.results.categories = opening.values();
        }
        Ok(Some(fp))
    }
    fn rule(&self, r: &RecordRef) -> Result<Option<RuleState>, String> {
        self.inner.rule(r)
    }
}

/// Builds a hidden attestation from `att` with every amount given (as a
/// model file yields it): computes the result with the ledger's code (hidden
/// upstream values from `openings`), commits to it, strips the amounts,
/// proves, and returns the attestation with its secrets. With `publish`, the
/// figures and blindings are published (a public footprint built on hidden
/// inputs, e.g. for a carbon label).
pub fn build_hidden(
    network: &str,
    author: OrgId,
    mut att: Attestation,
    resolver: &dyn Resolver,
    openings: &UpstreamOpenings,
    publish: bool,
) -> Result<HiddenBuild, HiddenError> {
    if att.inputs.len() > MAX_HIDDEN_INPUTS {
        return Err(HiddenError::TooManyInputs {
            count: att.inputs.len(),
        });
    }
    // Evaluate as a hidden attestation (so hidden upstreams are allowed),
    // with the amounts still in.
    att.privacy = Privacy::Hidden(Box::new(HiddenFootprint {
        commitment: FootprintCommitment([zk::Commitment([0; 32]); zk::CATEGORIES]),
        proof: Vec::new(),
        published: None,
    }));
    let opened = OpenedResolver {
        inner: resolver,
        openings,
    };
    let computed = compute::evaluate(&att, &opened)?
        .computed
        .ok_or(HiddenError::MissingAmounts)?;
    let mut inputs = Vec::with_capacity(att.inputs.len());
    for (i, input) in att.inputs.iter_mut().enumerate() {
        let amount = input.amount.take().ok_or(HiddenError::MissingAmounts)?;
        let upstream =
            match &input.source {
                InputSource::Upstream(id) => match resolver
                    .footprint(id)
                    .map_err(|problem| HiddenError::UpstreamOpening {
                        input: i,
                        id: *id,
                        problem,
                    })?
                    .map(|fp| fp.attestation.privacy)
                {
                    Some(Privacy::Hidden(_)) => {
                        Some(openings.get(id).cloned().ok_or_else(|| {
                            HiddenError::UpstreamOpening {
                                input: i,
                                id: *id,
                                problem: "hidden upstream footprint: its opening is needed".into(),
                            }
                        })?)
                    }
                    _ => None,
                },
                InputSource::Factor(_) => None,
            };
        inputs.push(InputWitness {
            quantity: QuantityOpening::new(amount)
                .map_err(|e| zk::ProveError::Randomness(e.to_string()))?,
            upstream,
        });
    }
    let categories = computed.results.categories;
    let (commitment, opening) = FootprintCommitment::commit(&categories)
        .map_err(|e| zk::ProveError::Randomness(e.to_string()))?;
    att.results = if publish {
        Results {
            categories,
            total_mg: computed.results.total_mg,
            ..Results::default()
        }
    } else {
        Results::default()
    };
    att.privacy = Privacy::Hidden(Box::new(HiddenFootprint {
        commitment,
        proof: Vec::new(),
        published: publish.then(|| opening.published_blindings()),
    }));
    let witness = Witness {
        inputs,
        result: opening.clone(),
    };
    let proof_inputs = proof_inputs(&att, resolver)?;
    let context = proof_context(&att);
    let statement = Statement {
        network,
        author,
        context: &context,
        inputs: &proof_inputs,
        result: &commitment,
    };
    let proof = zk::prove(&statement, &witness)?;
    if let Privacy::Hidden(h) = &mut att.privacy {
        h.proof = proof.to_bytes();
    }
    check_hidden_form(&att)?;
    Ok(HiddenBuild {
        attestation: att,
        opening,
        witness,
    })
}

/// What an auditor's recomputation found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuditReport {
    /// The result recomputed from the raw data and the ledger's factors.
    pub results: Results,
    /// Each input's amount (micro-units), in attestation order.
    pub amounts: Vec<u64>,
}

/// Recomputes a hidden attestation from its raw data (the witness an auditor
/// was sealed), checking every piece against the ledger: each upstream
/// opening opens that upstream's commitment, each quantity opening opens the
/// quantity commitment in the proof, the result recomputed with the ledger's
/// code equals the opening's values, and the opening opens the attestation's
/// commitment.
pub fn audit_hidden(
    att: &Attestation,
    witness: &Witness,
    resolver: &dyn Resolver,
) -> Result<AuditReport, HiddenError> {
    let h = check_hidden_form(att)?;
    let proof = FootprintProof::from_bytes(&h.proof)?;
    if witness.inputs.len() != att.inputs.len() {
        return Err(HiddenError::Audit(format!(
            "the raw data has {} inputs, the attestation {}",
            witness.inputs.len(),
            att.inputs.len()
        )));
    }
    let committed = proof.quantity_commitments();
    let mut filled = att.clone();
    let mut openings = UpstreamOpenings::new();
    for (i, (input, w)) in filled.inputs.iter_mut().zip(&witness.inputs).enumerate() {
        if committed.get(i) != Some(&w.quantity.commitment()) {
            return Err(HiddenError::Audit(format!(
                "input #{}: the amount does not open the quantity commitment in the proof",
                i + 1
            )));
        }
        input.amount = Some(w.quantity.value);
        if let (InputSource::Upstream(id), Some(o)) = (&input.source, &w.upstream) {
            openings.insert(*id, o.clone());
        }
    }
    let opened = OpenedResolver {
        inner: resolver,
        openings: &openings,
    };
    let computed = compute::evaluate_with(&filled, &opened, compute::StatusPolicy::Report)?
        .computed
        .ok_or(HiddenError::MissingAmounts)?;
    if computed.results.categories != witness.result.values() {
        return Err(HiddenError::Audit(format!(
            "recomputed categories {:?} differ from the opening's {:?}",
            computed.results.categories.0, witness.result.values
        )));
    }
    if !witness.result.opens(&h.commitment) {
        return Err(HiddenError::Audit(
            "the result opening does not open the attestation's commitment".into(),
        ));
    }
    Ok(AuditReport {
        results: computed.results,
        amounts: filled.inputs.iter().filter_map(|i| i.amount).collect(),
    })
}

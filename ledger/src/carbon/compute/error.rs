//! Why a footprint attestation is refused.
//!
//! Every error about one input carries its 0-based index (`input`) and a
//! `reference` naming what it points at (`factor cn_elec_cfp_2023@1` or
//! `footprint <64 hex>`). Messages count inputs from 1, as a person reading
//! the model file does: `input #2` is the second `[[input]]`, index 1.

use crate::carbon::{Boundary, Category, Date, Gwp, RecordRef, Results, Stage};

/// Why an attestation's footprint cannot be computed or accepted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FootprintError {
    /// A footprint needs at least one input.
    #[error("a footprint needs at least one input")]
    NoInputs,
    /// More inputs than [`super::MAX_INPUTS`].
    #[error("{count} inputs, more than the limit of {max}")]
    TooManyInputs {
        /// Number of inputs given.
        count: usize,
        /// The limit.
        max: usize,
    },
    /// A field of the attestation is malformed (stateless checks).
    #[error("{field}: {problem}")]
    Field {
        /// The field, e.g. `period_end` or `product.ids[0]`.
        field: String,
        /// What is wrong with it.
        problem: String,
    },
    /// An input's own fields are malformed (unit, reference syntax).
    #[error("input #{n} ({reference}): {problem}", n = .input + 1)]
    InputField {
        /// 0-based index of the input.
        input: usize,
        /// What the input points at.
        reference: String,
        /// What is wrong.
        problem: String,
    },
    /// The ledger could not be asked about an input (storage or network error).
    #[error("input #{n} ({reference}): could not be looked up: {message}", n = .input + 1)]
    InputLookup {
        /// 0-based index of the input.
        input: usize,
        /// What the input points at.
        reference: String,
        /// The resolver's error.
        message: String,
    },
    /// The factor version is not on the ledger.
    #[error("input #{n} ({reference}): unknown factor (no such id@version on the ledger)", n = .input + 1)]
    UnknownFactor {
        /// 0-based index of the input.
        input: usize,
        /// What the input points at.
        reference: String,
    },
    /// The factor version is deprecated or revoked.
    #[error("input #{n} ({reference}): factor is {status}: {reason}", n = .input + 1)]
    FactorNotActive {
        /// 0-based index of the input.
        input: usize,
        /// What the input points at.
        reference: String,
        /// `deprecated` or `revoked`.
        status: String,
        /// Why (the replacement, or the revocation reason).
        reason: String,
    },
    /// The footprint's reference period is not inside the factor's validity.
    #[error(
        "input #{n} ({reference}): factor is valid for [{valid_from}, {valid_until}), \
         the footprint's period [{period_start}, {period_end}) is not inside it",
        n = .input + 1
    )]
    FactorOutsideValidity {
        /// 0-based index of the input.
        input: usize,
        /// What the input points at.
        reference: String,
        /// Footprint period start (inclusive).
        period_start: Date,
        /// Footprint period end (exclusive).
        period_end: Date,
        /// Factor validity start (inclusive).
        valid_from: Date,
        /// Factor validity end (exclusive).
        valid_until: Date,
    },
    /// The factor (or upstream footprint) uses another GWP set than the attestation.
    #[error("input #{n} ({reference}): GWP mismatch: input uses {input_gwp}, the footprint {footprint_gwp}", n = .input + 1)]
    GwpMismatch {
        /// 0-based index of the input.
        input: usize,
        /// What the input points at.
        reference: String,
        /// The input's GWP set.
        input_gwp: Gwp,
        /// The attestation's GWP set.
        footprint_gwp: Gwp,
    },
    /// The input's unit is not the factor's activity unit or the upstream's declared unit.
    #[error(
        "input #{n} ({reference}): unit mismatch: {} given in {given:?}, {} {expected:?}",
        unit_words(.reference).0,
        unit_words(.reference).1,
        n = .input + 1
    )]
    UnitMismatch {
        /// 0-based index of the input.
        input: usize,
        /// What the input points at.
        reference: String,
        /// The unit the input states.
        given: String,
        /// The unit the factor or upstream footprint is expressed in.
        expected: String,
    },
    /// The upstream footprint is not on the ledger.
    #[error("input #{n} ({reference}): unknown upstream footprint (no such attestation on the ledger)", n = .input + 1)]
    UnknownUpstream {
        /// 0-based index of the input.
        input: usize,
        /// What the input points at.
        reference: String,
    },
    /// The upstream footprint is deprecated or revoked.
    #[error("input #{n} ({reference}): upstream footprint is {status}: {reason}", n = .input + 1)]
    UpstreamNotActive {
        /// 0-based index of the input.
        input: usize,
        /// What the input points at.
        reference: String,
        /// `deprecated` or `revoked`.
        status: String,
        /// Why.
        reason: String,
    },
    /// The ledger could not be asked about the rule.
    #[error("rule {rule}: could not be looked up: {message}")]
    RuleLookup {
        /// The rule.
        rule: RecordRef,
        /// The resolver's error.
        message: String,
    },
    /// The rule version is not on the ledger.
    #[error("rule {rule}: unknown product rule (no such id@version on the ledger)")]
    UnknownRule {
        /// The rule.
        rule: RecordRef,
    },
    /// The rule version is deprecated or revoked.
    #[error("rule {rule}: rule is {status}: {reason}")]
    RuleNotActive {
        /// The rule.
        rule: RecordRef,
        /// `deprecated` or `revoked`.
        status: String,
        /// Why.
        reason: String,
    },
    /// The product's category is not the one the rule is for.
    #[error("rule {rule}: the rule is for product category {rule_category:?}, the product is {product_category:?}")]
    RuleCategoryMismatch {
        /// The rule.
        rule: RecordRef,
        /// The rule's category.
        rule_category: String,
        /// The product's category.
        product_category: String,
    },
    /// The declared unit is not the rule's.
    #[error(
        "rule {rule}: the rule's declared unit is {rule_unit:?}, the footprint's {declared_unit:?}"
    )]
    RuleDeclaredUnitMismatch {
        /// The rule.
        rule: RecordRef,
        /// The rule's declared unit.
        rule_unit: String,
        /// The attestation's declared unit.
        declared_unit: String,
    },
    /// The boundary is not the rule's.
    #[error("rule {rule}: the rule requires boundary {}, the footprint is {}", boundary_str(*.rule_boundary), boundary_str(*.boundary))]
    RuleBoundaryMismatch {
        /// The rule.
        rule: RecordRef,
        /// The rule's boundary.
        rule_boundary: Boundary,
        /// The attestation's boundary.
        boundary: Boundary,
    },
    /// The rule requires a stage no input belongs to.
    #[error("rule {rule}: requires inputs for stage {}, the footprint has none", .stage.as_str())]
    MissingRequiredStage {
        /// The rule.
        rule: RecordRef,
        /// The stage without inputs.
        stage: Stage,
    },
    /// A cradle-to-gate footprint has an input after the gate (use, end of life).
    #[error(
        "input #{n} ({reference}): stage {} is outside a cradle-to-gate boundary",
        .stage.as_str(),
        n = .input + 1
    )]
    StageOutsideBoundary {
        /// 0-based index of the input.
        input: usize,
        /// What the input points at.
        reference: String,
        /// The input's stage.
        stage: Stage,
    },
    /// Some inputs have amounts and this one has none.
    #[error("input #{n} ({reference}): no amount, while other inputs have one (give all or none)", n = .input + 1)]
    MissingAmount {
        /// 0-based index of the input.
        input: usize,
        /// What the input points at.
        reference: String,
    },
    /// A committed attestation on the ledger must not carry activity data.
    #[error("input #{n} ({reference}): a committed attestation carries no amounts (raw data stays off-ledger)", n = .input + 1)]
    AmountsOnCommitted {
        /// 0-based index of the input.
        input: usize,
        /// What the input points at.
        reference: String,
    },
    /// A hidden attestation on the ledger must not carry activity data.
    #[error("input #{n} ({reference}): a hidden attestation carries no amounts (they are committed in its proof)", n = .input + 1)]
    AmountsOnHidden {
        /// Zero-based input index.
        input: usize,
        /// The input's reference.
        reference: String,
    },
    /// A public attestation builds on a hidden footprint whose figures are not published.
    #[error("input #{n} ({reference}): the upstream footprint is hidden, so a public attestation cannot be recomputed from it; attest with privacy \"hidden\" (publishing the figures if they should be public)", n = .input + 1)]
    HiddenUpstreamInPublic {
        /// Zero-based input index.
        input: usize,
        /// The input's reference.
        reference: String,
    },
    /// A public attestation must carry every amount.
    #[error("input #{n} ({reference}): a public attestation needs every amount", n = .input + 1)]
    AmountsMissingOnPublic {
        /// 0-based index of the input.
        input: usize,
        /// What the input points at.
        reference: String,
    },
    /// The results an attestation claims are not the ones its inputs give.
    #[error("claimed results differ from the computed ones: {}", describe_mismatch(.claimed, .computed))]
    ResultsMismatch {
        /// What the attestation states (boxed: keeps the error small).
        claimed: Box<Results>,
        /// What its inputs give.
        computed: Box<Results>,
    },
    /// A figure does not fit its integer type.
    #[error("{figure}: arithmetic overflow")]
    Overflow {
        /// Which figure, e.g. `input #3 (factor x@1)` or `category fossil`.
        figure: String,
    },
}

/// How a unit mismatch is worded for a factor or an upstream footprint.
fn unit_words(reference: &str) -> (&'static str, &'static str) {
    if reference.starts_with("factor ") {
        ("amount", "factor is per")
    } else {
        ("quantity", "the upstream footprint is per")
    }
}

fn boundary_str(b: Boundary) -> &'static str {
    match b {
        Boundary::CradleToGate => "cradle-to-gate",
        Boundary::CradleToGrave => "cradle-to-grave",
    }
}

/// The first differing figure of two results, in mg.
fn describe_mismatch(claimed: &Results, computed: &Results) -> String {
    let mut figures: Vec<(String, i64, i64)> = Vec::with_capacity(12);
    for c in Category::ALL {
        figures.push((
            format!("category {}", c.as_str()),
            claimed.categories.get(c),
            computed.categories.get(c),
        ));
    }
    for s in Stage::ALL {
        figures.push((
            format!("stage {}", s.as_str()),
            claimed.stages.get(s),
            computed.stages.get(s),
        ));
    }
    figures.push(("total".into(), claimed.total_mg, computed.total_mg));
    figures.push((
        "packaging".into(),
        claimed.packaging_mg,
        computed.packaging_mg,
    ));
    let differing: Vec<String> = figures
        .into_iter()
        .filter(|(_, a, b)| a != b)
        .map(|(name, a, b)| format!("{name} claims {a} mg, inputs give {b} mg"))
        .collect();
    if differing.is_empty() {
        "no figure differs".into()
    } else {
        differing.join("; ")
    }
}

impl FootprintError {
    /// The 0-based index of the input the error is about, if it is about one.
    pub fn input(&self) -> Option<usize> {
        use FootprintError::*;
        match self {
            InputField { input, .. }
            | InputLookup { input, .. }
            | UnknownFactor { input, .. }
            | FactorNotActive { input, .. }
            | FactorOutsideValidity { input, .. }
            | GwpMismatch { input, .. }
            | UnitMismatch { input, .. }
            | UnknownUpstream { input, .. }
            | UpstreamNotActive { input, .. }
            | StageOutsideBoundary { input, .. }
            | MissingAmount { input, .. }
            | AmountsOnCommitted { input, .. }
            | AmountsMissingOnPublic { input, .. } => Some(*input),
            _ => None,
        }
    }
}

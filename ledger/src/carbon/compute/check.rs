//! The acceptance rules of footprint attestations: stateless form checks,
//! checks against the ledger through a [`Resolver`], privacy and results.

use serde::Serialize;

use super::{compute, sum_categories, term_exact, Computed, Contribution, FootprintError, Term};
use crate::carbon::{
    Attestation, Boundary, FactorState, FootprintState, Input, InputSource, PerCategory, Privacy,
    RecordRef, RecordStatus, RuleState,
};
use crate::ids::TxId;

/// Most inputs one attestation may have.
pub const MAX_INPUTS: usize = 1000;
/// Most product ids one attestation may list.
pub const MAX_PRODUCT_IDS: usize = 32;
/// Longest product id, name, category or geography, in bytes.
pub const MAX_TEXT_LEN: usize = 256;
/// Longest input unit, in bytes.
pub const MAX_INPUT_UNIT_LEN: usize = 32;
/// Declared units an attestation may use (PACT v3).
pub const DECLARED_UNITS: [&str; 10] = [
    "liter",
    "kilogram",
    "cubic meter",
    "kilowatt hour",
    "megajoule",
    "ton kilometer",
    "square meter",
    "piece",
    "hour",
    "megabit second",
];

/// What the checks need from the ledger. Implemented by the node's state and
/// by the SDK (over HTTP, or a CSV of factors offline). `Ok(None)` means "not
/// on the ledger"; `Err` means the question could not be answered.
pub trait Resolver {
    /// A factor version.
    fn factor(&self, r: &RecordRef) -> Result<Option<FactorState>, String>;
    /// A footprint attestation by id.
    fn footprint(&self, id: &TxId) -> Result<Option<FootprintState>, String>;
    /// A product rule version.
    fn rule(&self, r: &RecordRef) -> Result<Option<RuleState>, String>;
}

/// What to do with inputs and rules that are deprecated or revoked.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum StatusPolicy {
    /// Refuse them: the rule for new attestations (what nodes apply).
    #[default]
    RequireActive,
    /// Accept them and report their status in [`InputCheck`]: for re-checking
    /// an attestation that was accepted before a record it uses was replaced.
    Report,
}

/// What was checked about one input, for `tanji footprint verify` reports.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct InputCheck {
    /// 0-based index of the input.
    pub index: usize,
    /// The factor or upstream footprint.
    pub source: InputSource,
    /// The unit of its amount (the factor's activity unit or the upstream's declared unit).
    pub unit: String,
    /// Status of the record it uses: `active` (or `deprecated`/`revoked` under [`StatusPolicy::Report`]).
    pub status: String,
    /// What it is, and why it is not active if it is not.
    pub note: String,
}

/// The outcome of [`evaluate`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Evaluation {
    /// The results, when every input has an amount; `None` when none has
    /// (a committed attestation as stored on the ledger).
    pub computed: Option<Computed>,
    /// Per input, in order.
    pub checked: Vec<InputCheck>,
}

/// How errors name an input's source: `factor id@version` or `footprint <hex>`.
pub fn reference_of(source: &InputSource) -> String {
    match source {
        InputSource::Factor(r) => format!("factor {r}"),
        InputSource::Upstream(id) => format!("footprint {id}"),
    }
}

fn field(field: impl Into<String>, problem: impl Into<String>) -> FootprintError {
    FootprintError::Field {
        field: field.into(),
        problem: problem.into(),
    }
}

/// A non-empty text field, by the ledger's one text rule
/// ([`crate::text::check_text`]), reporting a problem as field `name`.
fn check_text(name: &str, s: &str, max: usize) -> Result<(), FootprintError> {
    crate::text::check_text(s, max, false).map_err(|p| field(name, p.to_string()))
}

/// Stateless checks of an attestation's fields: product ids (1..=32 URNs),
/// texts, declared unit (PACT v3) and amount, period, primary data share,
/// data-quality ratings, rule reference syntax, inputs (1..=1000, units,
/// stages within the boundary, amounts given for all or none) and that the
/// claimed total is the sum of the claimed categories.
///
/// Result signs are not checked: an upstream may net out.
pub fn check_form(att: &Attestation) -> Result<(), FootprintError> {
    let p = &att.product;
    if p.ids.is_empty() || p.ids.len() > MAX_PRODUCT_IDS {
        return Err(field(
            "product.ids",
            format!("{} ids, must be 1..={MAX_PRODUCT_IDS}", p.ids.len()),
        ));
    }
    for (i, id) in p.ids.iter().enumerate() {
        let name = format!("product.ids[{i}]");
        check_text(&name, id, MAX_TEXT_LEN)?;
        if !id.starts_with("urn:") || id.len() <= 4 || id.chars().any(char::is_whitespace) {
            return Err(field(
                name,
                format!("{id:?} is not a URN (urn:..., no spaces)"),
            ));
        }
    }
    check_text("product.name", &p.name, MAX_TEXT_LEN)?;
    if let Some(c) = &p.carbon {
        let carbon = u128::from(c.fossil_mg) + u128::from(c.biogenic_mg.unwrap_or(0));
        if p.mass_mg > 0 && carbon > u128::from(p.mass_mg) {
            return Err(field(
                "product.carbon",
                format!(
                    "{carbon} mg of carbon in a product of {} mg: the carbon content is part of the mass",
                    p.mass_mg
                ),
            ));
        }
    }
    check_text("product.category", &p.category, MAX_TEXT_LEN)?;
    check_text("geography", &att.geography, MAX_TEXT_LEN)?;
    if let Some(r) = &att.rule {
        r.check().map_err(|e| field("rule", e))?;
    }
    if !DECLARED_UNITS.contains(&att.declared_unit.as_str()) {
        return Err(field(
            "declared_unit",
            format!(
                "{:?} is not a PACT declared unit ({})",
                att.declared_unit,
                DECLARED_UNITS.join(", ")
            ),
        ));
    }
    if att.declared_unit_amount == 0 {
        return Err(field("declared_unit_amount", "must be greater than 0"));
    }
    if att.period_start >= att.period_end {
        return Err(field(
            "period_end",
            format!(
                "the period [{}, {}) is empty: the end (exclusive) must be after the start",
                att.period_start, att.period_end
            ),
        ));
    }
    if att.primary_data_share_bp > 10_000 {
        return Err(field(
            "primary_data_share_bp",
            format!(
                "{} basis points, more than 10000 (100 %)",
                att.primary_data_share_bp
            ),
        ));
    }
    if !att.dqr.is_valid() {
        return Err(field("dqr", "every data-quality rating must be 1..=5"));
    }
    match (&att.privacy, att.inputs.is_empty()) {
        (Privacy::Declared(d), true) => check_declared(d)?,
        (Privacy::Declared(_), false) => {
            return Err(field(
                "inputs",
                "a declared footprint has no inputs: its figures are stated, not computed",
            ))
        }
        (_, true) => return Err(FootprintError::NoInputs),
        (_, false) => {}
    }
    if att.inputs.len() > MAX_INPUTS {
        return Err(FootprintError::TooManyInputs {
            count: att.inputs.len(),
            max: MAX_INPUTS,
        });
    }
    for (i, input) in att.inputs.iter().enumerate() {
        check_input_form(att, i, input)?;
    }
    let with_amount = att.inputs.iter().filter(|i| i.amount.is_some()).count();
    if with_amount != 0 && with_amount != att.inputs.len() {
        if let Some((i, input)) = att
            .inputs
            .iter()
            .enumerate()
            .find(|(_, x)| x.amount.is_none())
        {
            return Err(FootprintError::MissingAmount {
                input: i,
                reference: reference_of(&input.source),
            });
        }
    }
    let sum = sum_categories(&att.results.categories).map_err(|_| {
        field(
            "results.categories",
            "the categories' sum does not fit 64 bits",
        )
    })?;
    if sum != att.results.total_mg {
        return Err(field(
            "results.total_mg",
            format!(
                "{} mg, but the categories sum to {sum} mg (the total is the sum of the rounded categories)",
                att.results.total_mg
            ),
        ));
    }
    Ok(())
}

/// Most issuer ids a declared footprint records.
pub const MAX_ISSUER_IDS: usize = 32;

fn check_declared(d: &crate::carbon::DeclaredFootprint) -> Result<(), FootprintError> {
    check_text("privacy.issuer", &d.issuer, MAX_TEXT_LEN)?;
    check_text("privacy.format", &d.format, MAX_TEXT_LEN)?;
    check_text("privacy.document_id", &d.document_id, MAX_TEXT_LEN)?;
    if d.issuer_ids.len() > MAX_ISSUER_IDS {
        return Err(field(
            "privacy.issuer_ids",
            format!("{} ids, at most {MAX_ISSUER_IDS}", d.issuer_ids.len()),
        ));
    }
    for (i, id) in d.issuer_ids.iter().enumerate() {
        check_text(&format!("privacy.issuer_ids[{i}]"), id, MAX_TEXT_LEN)?;
    }
    if let Some(p) = &d.proof {
        check_text("privacy.proof.network", &p.network, MAX_TEXT_LEN)?;
    }
    Ok(())
}

fn check_input_form(att: &Attestation, i: usize, input: &Input) -> Result<(), FootprintError> {
    let reference = reference_of(&input.source);
    let problem = |problem: String| FootprintError::InputField {
        input: i,
        reference: reference.clone(),
        problem,
    };
    if let InputSource::Factor(r) = &input.source {
        r.check().map_err(&problem)?;
    }
    match crate::text::check_text(&input.unit, MAX_INPUT_UNIT_LEN, false) {
        Ok(()) => {}
        Err(crate::text::TextProblem::Control) => {
            return Err(problem(format!(
                "unit {:?} must not contain control characters",
                input.unit
            )))
        }
        Err(_) => {
            return Err(problem(format!(
                "unit {:?} must be 1..={MAX_INPUT_UNIT_LEN} bytes",
                input.unit
            )))
        }
    }
    if att.boundary == Boundary::CradleToGate && input.stage.is_after_gate() {
        return Err(FootprintError::StageOutsideBoundary {
            input: i,
            reference,
            stage: input.stage,
        });
    }
    Ok(())
}

/// The privacy rule for attestations on the ledger: a public attestation has
/// every amount, a committed or hidden one none (its raw data stays
/// off-ledger; a hidden one's amounts are committed in its proof).
pub fn check_privacy(att: &Attestation) -> Result<(), FootprintError> {
    for (i, input) in att.inputs.iter().enumerate() {
        match (&att.privacy, input.amount) {
            (Privacy::Public, None) => {
                return Err(FootprintError::AmountsMissingOnPublic {
                    input: i,
                    reference: reference_of(&input.source),
                })
            }
            (Privacy::Committed { .. }, Some(_)) => {
                return Err(FootprintError::AmountsOnCommitted {
                    input: i,
                    reference: reference_of(&input.source),
                })
            }
            (Privacy::Hidden(_), Some(_)) => {
                return Err(FootprintError::AmountsOnHidden {
                    input: i,
                    reference: reference_of(&input.source),
                })
            }
            _ => {}
        }
    }
    Ok(())
}

/// Whether the results an attestation claims are exactly the computed ones,
/// every figure.
pub fn check_results(att: &Attestation, computed: &Computed) -> Result<(), FootprintError> {
    if att.results == computed.results {
        Ok(())
    } else {
        Err(FootprintError::ResultsMismatch {
            claimed: Box::new(att.results),
            computed: Box::new(computed.results),
        })
    }
}

/// Checks an attestation against the ledger (every rule, refusing deprecated
/// and revoked records) and, when every input has an amount, computes its
/// results. `computed` is `None` when no input has an amount (a committed
/// attestation on the ledger). Does not apply [`check_privacy`] (so a
/// committed attestation with its amounts still in can be computed before
/// they are stripped) nor [`check_results`].
pub fn evaluate(att: &Attestation, resolver: &dyn Resolver) -> Result<Evaluation, FootprintError> {
    evaluate_with(att, resolver, StatusPolicy::RequireActive)
}

/// [`evaluate`] with a choice of what to do with deprecated or revoked records.
pub fn evaluate_with(
    att: &Attestation,
    resolver: &dyn Resolver,
    policy: StatusPolicy,
) -> Result<Evaluation, FootprintError> {
    let (checked, values) = check_ledger(att, resolver, policy)?;
    let computed = if att.inputs.iter().all(|i| i.amount.is_some()) {
        Some(compute_resolved(att, &values)?)
    } else {
        None
    };
    Ok(Evaluation { computed, checked })
}

/// Checks an attestation like [`evaluate`] and returns its inputs as terms.
/// Every input needs an amount ([`FootprintError::MissingAmount`] otherwise).
pub fn resolve_terms(
    att: &Attestation,
    resolver: &dyn Resolver,
) -> Result<Vec<Term>, FootprintError> {
    let (_, values) = check_ledger(att, resolver, StatusPolicy::RequireActive)?;
    terms_of(att, &values)
}

/// Per input, the values per unit it contributes.
#[derive(Clone, Copy)]
enum Values {
    /// A factor's µg per activity unit.
    Factor(PerCategory),
    /// An upstream footprint's mg per declared unit.
    Upstream(PerCategory),
}

fn terms_of(att: &Attestation, values: &[Values]) -> Result<Vec<Term>, FootprintError> {
    att.inputs
        .iter()
        .zip(values)
        .enumerate()
        .map(|(i, (input, v))| {
            let amount = input.amount.ok_or_else(|| FootprintError::MissingAmount {
                input: i,
                reference: reference_of(&input.source),
            })?;
            let contribution = match *v {
                Values::Factor(values_ug) => Contribution::Factor { amount, values_ug },
                Values::Upstream(values_mg) => Contribution::Upstream {
                    quantity: amount,
                    values_mg,
                },
            };
            Ok(Term {
                stage: input.stage,
                packaging: input.packaging,
                contribution,
            })
        })
        .collect()
}

fn compute_resolved(att: &Attestation, values: &[Values]) -> Result<Computed, FootprintError> {
    let terms = terms_of(att, values)?;
    // Name the input, with its reference, if one term alone overflows.
    for (i, (t, input)) in terms.iter().zip(&att.inputs).enumerate() {
        term_exact(t).map_err(|_| FootprintError::Overflow {
            figure: format!("input #{} ({})", i + 1, reference_of(&input.source)),
        })?;
    }
    compute(&terms)
}

/// A record's status as (word, reason), or `None` if active.
fn inactive(status: &RecordStatus) -> Option<(String, String)> {
    match status {
        RecordStatus::Active => None,
        RecordStatus::Deprecated { by, at } => Some((
            status.word().to_string(),
            format!("superseded by {by} (log index {at})"),
        )),
        RecordStatus::Revoked { reason, at } => Some((
            status.word().to_string(),
            format!("{reason} (log index {at})"),
        )),
    }
}

fn check_rule(
    att: &Attestation,
    r: &RecordRef,
    resolver: &dyn Resolver,
    policy: StatusPolicy,
) -> Result<RuleState, FootprintError> {
    let state = resolver
        .rule(r)
        .map_err(|message| FootprintError::RuleLookup {
            rule: r.clone(),
            message,
        })?
        .ok_or_else(|| FootprintError::UnknownRule { rule: r.clone() })?;
    if state.rule.reference != *r {
        return Err(FootprintError::RuleLookup {
            rule: r.clone(),
            message: format!("the ledger answered with rule {}", state.rule.reference),
        });
    }
    if let (Some((status, reason)), StatusPolicy::RequireActive) = (inactive(&state.status), policy)
    {
        return Err(FootprintError::RuleNotActive {
            rule: r.clone(),
            status,
            reason,
        });
    }
    let rule = &state.rule;
    if rule.category != att.product.category {
        return Err(FootprintError::RuleCategoryMismatch {
            rule: r.clone(),
            rule_category: rule.category.clone(),
            product_category: att.product.category.clone(),
        });
    }
    if rule.declared_unit != att.declared_unit {
        return Err(FootprintError::RuleDeclaredUnitMismatch {
            rule: r.clone(),
            rule_unit: rule.declared_unit.clone(),
            declared_unit: att.declared_unit.clone(),
        });
    }
    if rule.boundary != att.boundary {
        return Err(FootprintError::RuleBoundaryMismatch {
            rule: r.clone(),
            rule_boundary: rule.boundary,
            boundary: att.boundary,
        });
    }
    Ok(state)
}

/// Runs [`check_form`] and every ledger check; returns what was checked and
/// each input's values.
fn check_ledger(
    att: &Attestation,
    resolver: &dyn Resolver,
    policy: StatusPolicy,
) -> Result<(Vec<InputCheck>, Vec<Values>), FootprintError> {
    check_form(att)?;
    let rule = match &att.rule {
        Some(r) => Some(check_rule(att, r, resolver, policy)?),
        None => None,
    };
    let mut checked = Vec::with_capacity(att.inputs.len());
    let mut values = Vec::with_capacity(att.inputs.len());
    for (i, input) in att.inputs.iter().enumerate() {
        let (check, v) = match &input.source {
            InputSource::Factor(r) => check_factor_input(att, i, input, r, resolver, policy)?,
            InputSource::Upstream(id) => check_upstream_input(att, i, input, id, resolver, policy)?,
        };
        checked.push(check);
        values.push(v);
    }
    if let Some(state) = rule {
        for stage in &state.rule.required_stages {
            if !att.inputs.iter().any(|i| i.stage == *stage) {
                return Err(FootprintError::MissingRequiredStage {
                    rule: state.rule.reference.clone(),
                    stage: *stage,
                });
            }
        }
    }
    Ok((checked, values))
}

fn status_and_note(status: &RecordStatus, what: String) -> (String, String) {
    match inactive(status) {
        None => (status.word().to_string(), what),
        Some((word, reason)) => (word, format!("{reason}; {what}")),
    }
}

fn check_factor_input(
    att: &Attestation,
    i: usize,
    input: &Input,
    r: &RecordRef,
    resolver: &dyn Resolver,
    policy: StatusPolicy,
) -> Result<(InputCheck, Values), FootprintError> {
    let reference = reference_of(&input.source);
    let state = resolver
        .factor(r)
        .map_err(|message| FootprintError::InputLookup {
            input: i,
            reference: reference.clone(),
            message,
        })?
        .ok_or_else(|| FootprintError::UnknownFactor {
            input: i,
            reference: reference.clone(),
        })?;
    let f = &state.record;
    if f.reference != *r {
        return Err(FootprintError::InputLookup {
            input: i,
            reference,
            message: format!("the ledger answered with factor {}", f.reference),
        });
    }
    if let (Some((status, reason)), StatusPolicy::RequireActive) = (inactive(&state.status), policy)
    {
        return Err(FootprintError::FactorNotActive {
            input: i,
            reference,
            status,
            reason,
        });
    }
    if att.period_start < f.valid_from || att.period_end > f.valid_until {
        return Err(FootprintError::FactorOutsideValidity {
            input: i,
            reference,
            period_start: att.period_start,
            period_end: att.period_end,
            valid_from: f.valid_from,
            valid_until: f.valid_until,
        });
    }
    if let Some(g) = f.gwp {
        if g != att.gwp {
            return Err(FootprintError::GwpMismatch {
                input: i,
                reference,
                input_gwp: g,
                footprint_gwp: att.gwp,
            });
        }
    }
    if input.unit != f.unit {
        return Err(FootprintError::UnitMismatch {
            input: i,
            reference,
            given: input.unit.clone(),
            expected: f.unit.clone(),
        });
    }
    let gwp = f
        .gwp
        .map_or_else(|| "CO2 only".to_string(), |g| g.to_string());
    let what = format!(
        "{}; {}; valid [{}, {}); {gwp}; source: {}",
        f.name, f.region, f.valid_from, f.valid_until, f.source
    );
    let (status, note) = status_and_note(&state.status, what);
    Ok((
        InputCheck {
            index: i,
            source: input.source.clone(),
            unit: f.unit.clone(),
            status,
            note,
        },
        Values::Factor(f.values),
    ))
}

fn check_upstream_input(
    att: &Attestation,
    i: usize,
    input: &Input,
    id: &TxId,
    resolver: &dyn Resolver,
    policy: StatusPolicy,
) -> Result<(InputCheck, Values), FootprintError> {
    let reference = reference_of(&input.source);
    let state = resolver
        .footprint(id)
        .map_err(|message| FootprintError::InputLookup {
            input: i,
            reference: reference.clone(),
            message,
        })?
        .ok_or_else(|| FootprintError::UnknownUpstream {
            input: i,
            reference: reference.clone(),
        })?;
    if state.id != *id {
        return Err(FootprintError::InputLookup {
            input: i,
            reference,
            message: format!("the ledger answered with footprint {}", state.id),
        });
    }
    if let (Some((status, reason)), StatusPolicy::RequireActive) = (inactive(&state.status), policy)
    {
        return Err(FootprintError::UpstreamNotActive {
            input: i,
            reference,
            status,
            reason,
        });
    }
    let up = &state.attestation;
    let hidden_figures = matches!(&up.privacy, Privacy::Hidden(h) if h.published.is_none());
    if hidden_figures && matches!(att.privacy, Privacy::Public) {
        return Err(FootprintError::HiddenUpstreamInPublic {
            input: i,
            reference,
        });
    }
    if up.gwp != att.gwp {
        return Err(FootprintError::GwpMismatch {
            input: i,
            reference,
            input_gwp: up.gwp,
            footprint_gwp: att.gwp,
        });
    }
    if input.unit != up.declared_unit {
        return Err(FootprintError::UnitMismatch {
            input: i,
            reference,
            given: input.unit.clone(),
            expected: up.declared_unit.clone(),
        });
    }
    let figure = if hidden_figures {
        "hidden (committed) mg CO2e".to_string()
    } else {
        format!("{} mg CO2e", up.results.total_mg)
    };
    let what = format!(
        "{}; {figure} per {}; period [{}, {}); by {}",
        up.product.name, up.declared_unit, up.period_start, up.period_end, state.author
    );
    let (status, note) = status_and_note(&state.status, what);
    Ok((
        InputCheck {
            index: i,
            source: input.source.clone(),
            unit: up.declared_unit.clone(),
            status,
            note,
        },
        Values::Upstream(up.results.categories),
    ))
}

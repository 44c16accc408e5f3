//! Exact footprint arithmetic, and the checks an attestation must pass.
//!
//! # Units
//!
//! Everything is an integer, so every node, the SDK and the offline verifier
//! get bit-identical results:
//!
//! | what                                   | type  | unit                               |
//! |----------------------------------------|-------|------------------------------------|
//! | activity amount, upstream quantity     | `u64` | micro-units (10⁻⁶) of the input's unit |
//! | factor value (`FactorRecord::values`)  | `i64` | micrograms CO2e per activity unit  |
//! | upstream result (`Results`)            | `i64` | milligrams CO2e per its declared unit |
//! | exact term and sums ([`term_exact`])   | `i128`| 10⁻⁹ mg (= picograms) CO2e          |
//!
//! A factor term is `amount × value`: micro-units × µg/unit = 10⁻⁶ µg = 1 pg.
//! An upstream term is `quantity × value × 1000`: micro-units × mg = 10⁻⁶ mg
//! = 1000 pg. One milligram is [`PG_PER_MG`] = 10⁹ of these units. No term
//! can lose precision; a term or sum that does not fit `i128` is an
//! [`FootprintError::Overflow`], never a panic or a wrap.
//!
//! # Rounding
//!
//! Each reported figure is the sum of the exact terms that make it up,
//! rounded **once** to whole milligrams, half up:
//! `floor((exact + 5·10⁸) / 10⁹)`, with floor division
//! ([`i128::div_euclid`]), so a half rounds up for negative sums too
//! (−2.5 mg → −2 mg, 2.5 mg → 3 mg, 2.4999… mg → 2 mg).
//!
//! The figures of [`Results`]:
//! - `categories`: per GHG category, the sum over every input;
//! - `stages`: per life-cycle stage, the sum over that stage's inputs of all
//!   five categories;
//! - `packaging_mg`: the sum over the `packaging` inputs of all categories;
//! - `total_mg`: the sum of the five **rounded** categories (so a footprint's
//!   total always equals the sum of its reported categories).
//!
//! Worked example (the spec's): factor `cn_elec_cfp_2023@1` = 0.6205 kg CO2e
//! per kWh = 620 500 000 µg/kWh (fossil), amount "35.2" kWh = 35 200 000
//! micro-kWh. The exact term is 35 200 000 × 620 500 000 =
//! 21 841 600 000 000 000 (10⁻⁹ mg), i.e. exactly 21 841 600 mg; rounding
//! changes nothing: `floor((21 841 600 000 000 000 + 500 000 000) / 10⁹)`
//! = 21 841 600 mg fossil, stage production.
//!
//! Why once per figure: rounding every term first would let rounding errors
//! add up and make results depend on how a model is split into inputs. Three
//! inputs of 0.4 mg each (e.g. 1 unit × 400 µg) are exactly 1.2 mg together:
//! rounded once that is 1 mg, rounded per term it would be 0 + 0 + 0 = 0 mg.
//! Summing exact terms also makes the result independent of input order.
//!
//! # Checks
//!
//! [`check_form`] holds the stateless rules (fields, limits, boundary,
//! all-or-no amounts); [`evaluate`] adds the rules that need the ledger
//! (through a [`Resolver`]: factors and upstream footprints exist, are
//! active, valid for the period, in the right unit and GWP set; the rule's
//! category, unit, boundary and required stages) and computes the results.
//! The node also applies [`check_privacy`] and [`check_results`].

mod check;
mod error;

pub use check::{
    check_form, check_privacy, check_results, evaluate, evaluate_with, reference_of, resolve_terms,
    Evaluation, InputCheck, Resolver, StatusPolicy, DECLARED_UNITS, MAX_INPUTS, MAX_INPUT_UNIT_LEN,
    MAX_PRODUCT_IDS, MAX_TEXT_LEN,
};
pub use error::FootprintError;

use crate::carbon::units::format_decimal;
use crate::carbon::{Category, PerCategory, Results, Stage};

/// Exact units (10⁻⁹ mg, i.e. picograms CO2e) per milligram.
pub const PG_PER_MG: i128 = 1_000_000_000;

/// Half a milligram in exact units: what [`round_mg`] adds before flooring.
const HALF_MG: i128 = PG_PER_MG / 2;

/// Exact units per (micro-unit × milligram) of an upstream term: 10⁻⁶ mg = 1000 pg.
const UPSTREAM_SCALE: i128 = 1_000;

/// One resolved input: the amount of activity or upstream product, and what
/// one unit of it emits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Contribution {
    /// Activity data × an emission factor.
    Factor {
        /// Micro-units of the factor's activity unit per declared unit.
        amount: u64,
        /// The factor's values, micrograms CO2e per activity unit.
        values_ug: PerCategory,
    },
    /// An upstream footprint.
    Upstream {
        /// Micro-units of the upstream declared unit per declared unit.
        quantity: u64,
        /// The upstream's results, milligrams CO2e per its declared unit.
        values_mg: PerCategory,
    },
}

/// One input, resolved and ready to compute.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Term {
    /// Life-cycle stage of the input.
    pub stage: Stage,
    /// Whether it counts towards packaging.
    pub packaging: bool,
    /// Its amount and values.
    pub contribution: Contribution,
}

/// Exact contribution of one term per category, in 10⁻⁹ mg (see the module docs).
pub fn term_exact(t: &Term) -> Result<[i128; 5], FootprintError> {
    let overflow = || FootprintError::Overflow {
        figure: format!("term of stage {}", t.stage.as_str()),
    };
    let (amount, values, scale) = match &t.contribution {
        Contribution::Factor { amount, values_ug } => (*amount, values_ug, 1),
        Contribution::Upstream {
            quantity,
            values_mg,
        } => (*quantity, values_mg, UPSTREAM_SCALE),
    };
    let mut out = [0i128; 5];
    for (o, v) in out.iter_mut().zip(values.0) {
        *o = i128::from(amount)
            .checked_mul(i128::from(v))
            .and_then(|x| x.checked_mul(scale))
            .ok_or_else(overflow)?;
    }
    Ok(out)
}

/// The rounding rule: `floor((exact + 5·10⁸) / 10⁹)` whole milligrams (half up,
/// also for negatives). An error if the result does not fit `i64`.
pub fn round_mg(exact: i128) -> Result<i64, FootprintError> {
    let overflow = || FootprintError::Overflow {
        figure: format!("{} mg", format_exact_mg(exact)),
    };
    let rounded = exact
        .checked_add(HALF_MG)
        .ok_or_else(overflow)?
        .div_euclid(PG_PER_MG);
    i64::try_from(rounded).map_err(|_| overflow())
}

/// Exact milligrams as a decimal string with up to 9 decimals and no trailing
/// zeros (`"21841600"`, `"0.000000001"`, `"-2.5"`).
pub fn format_exact_mg(exact: i128) -> String {
    format_decimal(exact, 9)
}

/// Results of [`compute`], with the exact terms they come from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Computed {
    /// The rounded figures.
    pub results: Results,
    /// Exact contribution of each input per category (10⁻⁹ mg), in input order.
    pub exact: Vec<[i128; 5]>,
}

impl Computed {
    /// Exact total of input `i` over all categories (10⁻⁹ mg), if it fits.
    pub fn input_exact_total(&self, i: usize) -> Option<i128> {
        self.exact
            .get(i)?
            .iter()
            .try_fold(0i128, |a, b| a.checked_add(*b))
    }
}

fn checked_sum(a: i128, b: i128, figure: impl Fn() -> String) -> Result<i128, FootprintError> {
    a.checked_add(b)
        .ok_or_else(|| FootprintError::Overflow { figure: figure() })
}

fn round_figure(exact: i128, figure: impl Fn() -> String) -> Result<i64, FootprintError> {
    round_mg(exact).map_err(|_| FootprintError::Overflow { figure: figure() })
}

/// Computes the results of resolved inputs: sums exact terms per figure and
/// rounds each figure once (see the module docs). Overflow anywhere is an
/// error naming the figure; nothing panics. An empty slice gives zeros.
pub fn compute(terms: &[Term]) -> Result<Computed, FootprintError> {
    let mut categories = [0i128; 5];
    let mut stages = [0i128; 5];
    let mut packaging = 0i128;
    let mut exact = Vec::with_capacity(terms.len());
    for (i, t) in terms.iter().enumerate() {
        let input = || format!("input #{}", i + 1);
        let e = term_exact(t).map_err(|_| FootprintError::Overflow { figure: input() })?;
        let mut all = 0i128;
        for (c, v) in Category::ALL.into_iter().zip(e) {
            categories[c as usize] = checked_sum(categories[c as usize], v, || {
                format!("category {}", c.as_str())
            })?;
            all = checked_sum(all, v, input)?;
        }
        let s = t.stage as usize;
        stages[s] = checked_sum(stages[s], all, || format!("stage {}", t.stage.as_str()))?;
        if t.packaging {
            packaging = checked_sum(packaging, all, || "packaging".to_string())?;
        }
        exact.push(e);
    }
    let mut results = Results::default();
    for c in Category::ALL {
        results.categories.0[c as usize] = round_figure(categories[c as usize], || {
            format!("category {}", c.as_str())
        })?;
    }
    for s in Stage::ALL {
        results.stages.0[s as usize] =
            round_figure(stages[s as usize], || format!("stage {}", s.as_str()))?;
    }
    results.packaging_mg = round_figure(packaging, || "packaging".to_string())?;
    results.total_mg = sum_categories(&results.categories)?;
    Ok(Computed { results, exact })
}

/// Sum of the rounded categories (the total), checked.
pub(crate) fn sum_categories(c: &PerCategory) -> Result<i64, FootprintError> {
    c.0.iter()
        .try_fold(0i64, |a, b| a.checked_add(*b))
        .ok_or_else(|| FootprintError::Overflow {
            figure: "total".to_string(),
        })
}

#[cfg(test)]
mod tests;

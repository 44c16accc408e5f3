//! Footprint model files: what a producer writes to compute and attest the
//! footprint of one product per declared unit (normative spec:
//! `shared/spec/footprint-model.md`).
//!
//! ```toml
//! [product]
//! ids = ["urn:gtin:06901234567892"]
//! name = "X14 laptop"
//! category = "urn:cpc:45220"
//! rule = "pcr-portable-computer@1"        # optional
//! declared_unit = "piece"
//! declared_unit_amount = "1"
//! mass_kg = "1.45"
//! fossil_carbon_kg = "0.21"                # optional, with biogenic_carbon_kg:
//! biogenic_carbon_kg = "0"                 #   carbon contained in the product (PACT carbon content)
//! boundary = "cradle-to-gate"              # or "cradle-to-grave"
//! period = { start = "2025-01-01", end = "2026-01-01" }
//! geography = "CN-BJ"
//! gwp = "AR6"
//! privacy = "public"                       # public | committed | hidden
//! primary_data_share = "62.5"              # optional, percent, ≤ 2 decimals
//! # supersedes = "<attestation id>"        # optional
//! [product.dqr]                            # optional, each 1..=5, default 3
//! technological = 2
//!
//! [[input]]
//! factor = "cn_elec_cfp_2023@1"
//! amount = "35.2"                          # in the factor's unit
//! stage = "production"
//! # unit = "kWh"                           # optional: filled from the factor
//! # packaging = true                       # optional
//!
//! [[input]]
//! footprint = "<attestation id>"
//! quantity = "0.42"                        # of its declared unit
//! stage = "raw-materials"
//! ```
//!
//! The same shape is accepted as JSON. Quantities, amounts and other
//! decimals are quoted strings (a bare number is refused: binary floats are
//! not exact), without exponents; `quantity`/`amount`/`mass_kg` take at most 6
//! decimals and are never negative. Unknown keys are errors, so typos are
//! caught. Every error names the field (`product.period.end`) or the input
//! (`input #3`, counting from 1 in file order).
//!
//! [`Model::attestation`] turns a model into an [`Attestation`] with its
//! results computed by [`compute::evaluate`] (see [`compute`] for the units
//! and rounding).

mod raw;

use std::io::Read;
use std::path::Path;

use raw::{RawDqr, RawInput, RawModel, RawProduct, Scalar};

use tanji_ledger::carbon::compute::{
    self, reference_of, Evaluation, FootprintError, Resolver, DECLARED_UNITS, MAX_INPUT_UNIT_LEN,
};
use tanji_ledger::carbon::units::{parse_decimal, DecimalError};
use tanji_ledger::carbon::{
    raw_data_commitment, Attestation, Boundary, CarbonContent, Date, Dqr, Gwp, Input, InputSource,
    Privacy, Product, RecordRef, Results, Stage,
};
use tanji_ledger::TxId;

/// Largest model file [`Model::from_path`] reads.
pub const MAX_MODEL_BYTES: u64 = 1 << 20;

/// Why a model file cannot be turned into an attestation.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ModelError {
    /// The file could not be read.
    #[error("{0}")]
    Io(String),
    /// Not well-formed TOML/JSON, an unknown key or a value of the wrong
    /// type; the parser's message, with line and column.
    #[error("malformed model: {0}")]
    Syntax(String),
    /// A `[product]` field is missing or invalid.
    #[error("{field}: {problem}")]
    Field {
        /// The field, e.g. `product.period.end`.
        field: String,
        /// What is wrong.
        problem: String,
    },
    /// An `[[input]]` is invalid as written.
    #[error("input #{n}{}: {problem}", ref_suffix(.reference), n = .input + 1)]
    Input {
        /// 0-based index of the input in file order.
        input: usize,
        /// What it points at (`factor id@version`, `footprint <id>`), or the
        /// text given, or empty.
        reference: String,
        /// What is wrong.
        problem: String,
    },
    /// The footprint cannot be computed or would not be accepted.
    #[error(transparent)]
    Footprint(FootprintError),
    /// A `privacy = "hidden"` model was asked for a plain attestation: use
    /// [`Model::hidden_attestation`] (`tanji footprint attest` does).
    #[error(
        "product.privacy: a privacy = \"hidden\" model is attested with its zero-knowledge proof \
         (tanji footprint attest), not computed into a plain attestation"
    )]
    Hidden,
    /// Building the hidden attestation or its proof failed.
    #[error(transparent)]
    HiddenProof(Box<tanji_ledger::carbon::hidden::HiddenError>),
}

fn ref_suffix(reference: &str) -> String {
    if reference.is_empty() {
        String::new()
    } else {
        format!(" ({reference})")
    }
}

/// The privacy level a model asks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ModelPrivacy {
    /// Values and activity data in the clear.
    Public,
    /// Values public, activity data replaced by a salted commitment.
    Committed,
    /// Values hidden behind commitments and zero-knowledge proofs.
    Hidden,
}

/// One `[[input]]` of a model.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ModelInput {
    /// Factor or upstream footprint.
    pub source: InputSource,
    /// Micro-units of the input's unit per declared unit (`amount` or `quantity`).
    pub amount: u64,
    /// Life-cycle stage.
    pub stage: Stage,
    /// The unit as written, if it was; otherwise taken from the factor or upstream.
    pub unit: Option<String>,
    /// Part of packaging.
    pub packaging: bool,
}

/// A parsed model, checked syntactically (the ledger checks come with
/// [`Model::attestation`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Model {
    product: Product,
    rule: Option<RecordRef>,
    declared_unit: String,
    declared_unit_amount: u64,
    boundary: Boundary,
    period_start: Date,
    period_end: Date,
    geography: String,
    gwp: Gwp,
    privacy: ModelPrivacy,
    primary_data_share_bp: u16,
    dqr: Dqr,
    supersedes: Option<TxId>,
    inputs: Vec<ModelInput>,
}

fn field_err(field: &str, problem: impl Into<String>) -> ModelError {
    ModelError::Field {
        field: field.to_string(),
        problem: problem.into(),
    }
}

/// The last component of a field path, for "write it as key = ..." hints.
fn key_of(field: &str) -> &str {
    field.rsplit('.').next().unwrap_or(field)
}

/// Keys whose values are decimal numbers written as strings.
const DECIMAL_KEYS: [&str; 7] = [
    "amount",
    "quantity",
    "mass_kg",
    "fossil_carbon_kg",
    "biogenic_carbon_kg",
    "declared_unit_amount",
    "primary_data_share",
];

/// A string value, or why not.
fn string_of(key: &str, v: Scalar) -> Result<String, String> {
    match v {
        Scalar::Str(s) => Ok(s),
        Scalar::Number(n) if DECIMAL_KEYS.contains(&key) => Err(format!(
            "write the value as a quoted string: {key} = \"{n}\" (numbers are not exact; decimals are strings)"
        )),
        Scalar::Number(n) => Err(format!("expected a quoted string, got the number {n}")),
        Scalar::TomlDate(d) => Err(format!("expected a string, got the date {d}")),
        Scalar::Other(kind) => Err(format!("expected a string, got {kind}")),
    }
}

fn required(field: &str, v: Option<Scalar>) -> Result<String, ModelError> {
    let v = v.ok_or_else(|| field_err(field, "missing"))?;
    string_of(key_of(field), v).map_err(|p| field_err(field, p))
}

fn optional(field: &str, v: Option<Scalar>) -> Result<Option<String>, ModelError> {
    v.map(|v| string_of(key_of(field), v).map_err(|p| field_err(field, p)))
        .transpose()
}

/// Text: non-empty, at most 256 bytes, no control characters (the ledger's
/// text rule, [`tanji_ledger::text::check_text`]).
fn text(field: &str, v: Option<Scalar>) -> Result<String, ModelError> {
    let s = required(field, v)?;
    tanji_ledger::text::check_text(&s, compute::MAX_TEXT_LEN, false)
        .map_err(|p| field_err(field, p.to_string()))?;
    Ok(s)
}

/// A non-negative decimal with at most 6 decimals, in micro-units; the
/// problem is worded for `key`.
fn micro(key: &str, s: &str) -> Result<u64, String> {
    if s.starts_with('-') && s.bytes().any(|b| (b'1'..=b'9').contains(&b)) {
        return Err(format!("{key} {s:?} must not be negative"));
    }
    match parse_decimal(s, 6) {
        Ok(v) => u64::try_from(v.max(0)).map_err(|_| format!("{key} {s:?} is too large")),
        Err(DecimalError::TooPrecise { .. }) => Err(format!(
            "{key} {s:?} has more than 6 decimals (amounts are exact micro-units)"
        )),
        Err(DecimalError::Syntax(_)) => Err(format!(
            "{key} {s:?} is not a decimal number (digits with an optional point; no exponents or spaces)"
        )),
        Err(DecimalError::OutOfRange(_)) => Err(format!("{key} {s:?} is too large")),
    }
}

fn date(field: &str, v: Option<Scalar>) -> Result<Date, ModelError> {
    let s = match v {
        Some(Scalar::TomlDate(d)) => d,
        other => required(field, other)?,
    };
    s.parse::<Date>()
        .map_err(|e| field_err(field, e.to_string()))
}

fn dqr_of(raw: Option<RawDqr>) -> Result<Dqr, ModelError> {
    let raw = raw.unwrap_or(RawDqr {
        technological: None,
        temporal: None,
        geographical: None,
        completeness: None,
        reliability: None,
    });
    let rating = |name: &str, v: Option<i64>| -> Result<u8, ModelError> {
        let v = v.unwrap_or(3);
        u8::try_from(v)
            .ok()
            .filter(|r| (1..=5).contains(r))
            .ok_or_else(|| {
                field_err(
                    &format!("product.dqr.{name}"),
                    format!("{v} is not a rating 1..=5"),
                )
            })
    };
    Ok(Dqr {
        technological: rating("technological", raw.technological)?,
        temporal: rating("temporal", raw.temporal)?,
        geographical: rating("geographical", raw.geographical)?,
        completeness: rating("completeness", raw.completeness)?,
        reliability: rating("reliability", raw.reliability)?,
    })
}

fn input_of(i: usize, raw: RawInput) -> Result<ModelInput, ModelError> {
    let err = |reference: &str, problem: String| ModelError::Input {
        input: i,
        reference: reference.to_string(),
        problem,
    };
    let text_of = |key: &str, v: Scalar, reference: &str| {
        string_of(key, v).map_err(|p| err(reference, format!("{key}: {p}")))
    };
    let (source, reference, amount_key, amount, wrong) = match (raw.factor, raw.footprint) {
        (Some(f), None) => {
            let f = text_of("factor", f, "")?;
            let r: RecordRef = f
                .parse()
                .map_err(|e: String| err(&f, format!("factor: {e}")))?;
            let source = InputSource::Factor(r);
            let reference = reference_of(&source);
            (
                source,
                reference,
                "amount",
                raw.amount,
                raw.quantity.map(|_| "quantity"),
            )
        }
        (None, Some(u)) => {
            let u = text_of("footprint", u, "")?;
            let id: TxId = u
                .parse()
                .map_err(|e| err(&u, format!("footprint: not an attestation id: {e}")))?;
            let source = InputSource::Upstream(id);
            let reference = reference_of(&source);
            (
                source,
                reference,
                "quantity",
                raw.quantity,
                raw.amount.map(|_| "amount"),
            )
        }
        (Some(_), Some(_)) => {
            return Err(err(
                "",
                "give either `factor` or `footprint`, not both (one input per source)".into(),
            ))
        }
        (None, None) => return Err(err(
            "",
            "missing source: give `factor = \"id@version\"` or `footprint = \"<attestation id>\"`"
                .into(),
        )),
    };
    if let Some(wrong) = wrong {
        let hint = if amount_key == "amount" {
            "a factor input takes `amount` (activity in the factor's unit), not `quantity`"
        } else {
            "an upstream footprint input takes `quantity` (of its declared unit), not `amount`"
        };
        return Err(err(&reference, format!("unexpected `{wrong}`: {hint}")));
    }
    let amount = amount.ok_or_else(|| err(&reference, format!("missing `{amount_key}`")))?;
    let amount = text_of(amount_key, amount, &reference)?;
    let amount = micro(amount_key, &amount).map_err(|p| err(&reference, p))?;
    let stage = raw
        .stage
        .ok_or_else(|| err(&reference, "missing `stage`".into()))?;
    let stage = text_of("stage", stage, &reference)?;
    let stage: Stage = stage
        .parse()
        .map_err(|e: String| err(&reference, format!("stage: {e}")))?;
    let unit = match raw.unit {
        None => None,
        Some(u) => {
            let u = text_of("unit", u, &reference)?;
            if tanji_ledger::text::check_text(&u, MAX_INPUT_UNIT_LEN, false).is_err() {
                return Err(err(
                    &reference,
                    format!("unit {u:?} must be 1..={MAX_INPUT_UNIT_LEN} bytes without control characters"),
                ));
            }
            Some(u)
        }
    };
    Ok(ModelInput {
        source,
        amount,
        stage,
        unit,
        packaging: raw.packaging.unwrap_or(false),
    })
}

fn product_of(p: RawProduct) -> Result<Model, ModelError> {
    let ids = p
        .ids
        .ok_or_else(|| field_err("product.ids", "missing (one or more product URNs)"))?;
    if ids.is_empty() || ids.len() > compute::MAX_PRODUCT_IDS {
        return Err(field_err(
            "product.ids",
            format!(
                "{} ids, must be 1..={}",
                ids.len(),
                compute::MAX_PRODUCT_IDS
            ),
        ));
    }
    let ids = ids
        .into_iter()
        .enumerate()
        .map(|(i, v)| {
            let name = format!("product.ids[{i}]");
            let s = text(&name, Some(v))?;
            if !s.starts_with("urn:") || s.len() <= 4 || s.chars().any(char::is_whitespace) {
                return Err(field_err(
                    &name,
                    format!("{s:?} is not a URN (urn:..., no spaces)"),
                ));
            }
            Ok(s)
        })
        .collect::<Result<Vec<_>, _>>()?;
    let name = text("product.name", p.name)?;
    let category = text("product.category", p.category)?;
    let rule = optional("product.rule", p.rule)?
        .map(|r| {
            r.parse::<RecordRef>()
                .map_err(|e| field_err("product.rule", e))
        })
        .transpose()?;
    let declared_unit = required("product.declared_unit", p.declared_unit)?;
    if !DECLARED_UNITS.contains(&declared_unit.as_str()) {
        return Err(field_err(
            "product.declared_unit",
            format!(
                "{declared_unit:?} is not a PACT declared unit ({})",
                DECLARED_UNITS.join(", ")
            ),
        ));
    }
    let dua = required("product.declared_unit_amount", p.declared_unit_amount)?;
    let declared_unit_amount = micro("declared_unit_amount", &dua)
        .map_err(|e| field_err("product.declared_unit_amount", e))?;
    if declared_unit_amount == 0 {
        return Err(field_err(
            "product.declared_unit_amount",
            "must be greater than 0",
        ));
    }
    let mass = required("product.mass_kg", p.mass_kg)?;
    // Kilograms with 6 decimals are exactly milligrams.
    let mass_mg = micro("mass_kg", &mass).map_err(|e| field_err("product.mass_kg", e))?;
    // Carbon content: both or neither, so a footprint never claims a zero
    // it did not state.
    let carbon_kg = |key: &'static str, v| -> Result<Option<u64>, ModelError> {
        optional(key, v)?
            .map(|s| {
                micro(key.rsplit('.').next().unwrap_or(key), &s).map_err(|e| field_err(key, e))
            })
            .transpose()
    };
    let carbon = match (
        carbon_kg("product.fossil_carbon_kg", p.fossil_carbon_kg)?,
        carbon_kg("product.biogenic_carbon_kg", p.biogenic_carbon_kg)?,
    ) {
        (Some(fossil_mg), Some(biogenic_mg)) => Some(CarbonContent {
            fossil_mg,
            biogenic_mg: Some(biogenic_mg),
        }),
        (None, None) => None,
        (None, Some(_)) => {
            return Err(field_err(
                "product.fossil_carbon_kg",
                "give fossil_carbon_kg and biogenic_carbon_kg together (kg of carbon per declared unit; \"0\" when there is none)",
            ))
        }
        (Some(_), None) => {
            return Err(field_err(
                "product.biogenic_carbon_kg",
                "give fossil_carbon_kg and biogenic_carbon_kg together (kg of carbon per declared unit; \"0\" when there is none)",
            ))
        }
    };
    let boundary = match required("product.boundary", p.boundary)?.as_str() {
        "cradle-to-gate" => Boundary::CradleToGate,
        "cradle-to-grave" => Boundary::CradleToGrave,
        other => {
            return Err(field_err(
                "product.boundary",
                format!("{other:?} is not a boundary (cradle-to-gate or cradle-to-grave)"),
            ))
        }
    };
    let period = p.period.ok_or_else(|| {
        field_err(
            "product.period",
            "missing: period = { start = \"YYYY-MM-DD\", end = \"YYYY-MM-DD\" }",
        )
    })?;
    let period_start = date("product.period.start", period.start)?;
    let period_end = date("product.period.end", period.end)?;
    if period_end <= period_start {
        return Err(field_err(
            "product.period.end",
            format!("{period_end} must be after the start {period_start} (the end is exclusive)"),
        ));
    }
    let geography = text("product.geography", p.geography)?;
    let gwp: Gwp = required("product.gwp", p.gwp)?
        .parse()
        .map_err(|e: String| field_err("product.gwp", e))?;
    let privacy = match required("product.privacy", p.privacy)?.as_str() {
        "public" => ModelPrivacy::Public,
        "committed" => ModelPrivacy::Committed,
        "hidden" => ModelPrivacy::Hidden,
        other => {
            return Err(field_err(
                "product.privacy",
                format!("{other:?} is not a privacy level (public, committed or hidden)"),
            ))
        }
    };
    let share =
        optional("product.primary_data_share", p.primary_data_share)?.unwrap_or_else(|| "0".into());
    let primary_data_share_bp = match parse_decimal(&share, 2) {
        Ok(bp) if (0..=10_000).contains(&bp) => bp as u16,
        Ok(_) => {
            return Err(field_err(
                "product.primary_data_share",
                format!("{share:?} is not a percentage 0..=100"),
            ))
        }
        Err(e) => {
            return Err(field_err(
                "product.primary_data_share",
                format!("{e} (a percentage with at most 2 decimals)"),
            ))
        }
    };
    let dqr = dqr_of(p.dqr)?;
    let supersedes = optional("product.supersedes", p.supersedes)?
        .map(|s| {
            s.parse::<TxId>()
                .map_err(|e| field_err("product.supersedes", format!("not an attestation id: {e}")))
        })
        .transpose()?;
    Ok(Model {
        product: Product {
            ids,
            name,
            category,
            mass_mg,
            carbon,
        },
        rule,
        declared_unit,
        declared_unit_amount,
        boundary,
        period_start,
        period_end,
        geography,
        gwp,
        privacy,
        primary_data_share_bp,
        dqr,
        supersedes,
        inputs: Vec::new(),
    })
}

/// Maps an attestation field name to the model file's.
fn model_field(field: &str) -> String {
    let mapped = match field {
        "period_start" => "product.period.start",
        "period_end" => "product.period.end",
        "primary_data_share_bp" => "product.primary_data_share",
        f if f.starts_with("product.") || f.starts_with("results.") => return f.to_string(),
        f => return format!("product.{f}"),
    };
    mapped.to_string()
}

fn from_footprint(e: FootprintError) -> ModelError {
    match e {
        FootprintError::Field { field, problem } => ModelError::Field {
            field: model_field(&field),
            problem,
        },
        FootprintError::NoInputs => ModelError::Field {
            field: "input".into(),
            problem: "a footprint needs at least one [[input]]".into(),
        },
        other => ModelError::Footprint(other),
    }
}

impl Model {
    fn from_raw(raw: RawModel) -> Result<Model, ModelError> {
        let p = raw
            .product
            .ok_or_else(|| field_err("product", "missing the [product] table"))?;
        let mut model = product_of(p)?;
        if raw.input.is_empty() {
            return Err(field_err(
                "input",
                "a footprint needs at least one [[input]]",
            ));
        }
        if raw.input.len() > compute::MAX_INPUTS {
            return Err(field_err(
                "input",
                format!(
                    "{} inputs, more than the limit of {}",
                    raw.input.len(),
                    compute::MAX_INPUTS
                ),
            ));
        }
        model.inputs = raw
            .input
            .into_iter()
            .enumerate()
            .map(|(i, r)| input_of(i, r))
            .collect::<Result<_, _>>()?;
        if model.boundary == Boundary::CradleToGate {
            if let Some((i, input)) = model
                .inputs
                .iter()
                .enumerate()
                .find(|(_, x)| x.stage.is_after_gate())
            {
                return Err(ModelError::Footprint(
                    FootprintError::StageOutsideBoundary {
                        input: i,
                        reference: reference_of(&input.source),
                        stage: input.stage,
                    },
                ));
            }
        }
        Ok(model)
    }

    /// Parses a TOML model.
    pub fn from_toml(text: &str) -> Result<Model, ModelError> {
        let raw: RawModel = toml::from_str(text)
            .map_err(|e| ModelError::Syntax(e.to_string().trim_end().to_string()))?;
        Self::from_raw(raw)
    }

    /// Parses a JSON model (the same shape as TOML).
    pub fn from_json(text: &str) -> Result<Model, ModelError> {
        let raw: RawModel =
            serde_json::from_str(text).map_err(|e| ModelError::Syntax(e.to_string()))?;
        Self::from_raw(raw)
    }

    /// Reads a model file: `.json` as JSON, anything else as TOML. Files over
    /// [`MAX_MODEL_BYTES`] (1 MiB) are refused.
    pub fn from_path(path: &Path) -> Result<Model, ModelError> {
        let shown = path.display();
        let io = |e: std::io::Error| ModelError::Io(format!("{shown}: {e}"));
        let file = std::fs::File::open(path).map_err(io)?;
        let mut bytes = Vec::new();
        file.take(MAX_MODEL_BYTES + 1)
            .read_to_end(&mut bytes)
            .map_err(io)?;
        if bytes.len() as u64 > MAX_MODEL_BYTES {
            return Err(ModelError::Io(format!(
                "{shown}: larger than the {MAX_MODEL_BYTES}-byte limit of model files"
            )));
        }
        let text = String::from_utf8(bytes)
            .map_err(|_| ModelError::Syntax(format!("{shown}: not UTF-8 text")))?;
        let is_json = path
            .extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| e.eq_ignore_ascii_case("json"));
        if is_json {
            Self::from_json(&text)
        } else {
            Self::from_toml(&text)
        }
    }

    /// The privacy level asked for.
    pub fn privacy(&self) -> ModelPrivacy {
        self.privacy
    }

    /// The product.
    pub fn product(&self) -> &Product {
        &self.product
    }

    /// The declared unit.
    pub fn declared_unit(&self) -> &str {
        &self.declared_unit
    }

    /// The inputs, in file order.
    pub fn inputs(&self) -> &[ModelInput] {
        &self.inputs
    }

    /// The system boundary.
    pub fn boundary(&self) -> Boundary {
        self.boundary
    }

    /// The GWP set.
    pub fn gwp(&self) -> Gwp {
        self.gwp
    }

    /// The reference period: start (inclusive) and end (exclusive).
    pub fn period(&self) -> (Date, Date) {
        (self.period_start, self.period_end)
    }

    /// The product rule the model follows, if any.
    pub fn rule(&self) -> Option<&RecordRef> {
        self.rule.as_ref()
    }

    /// Builds the attestation: fills each input's missing unit from the ledger
    /// (the factor's activity unit, the upstream's declared unit), checks it
    /// with [`compute::evaluate`] and fills in its results.
    ///
    /// For `privacy = "committed"` the attestation is returned with
    /// `Privacy::Committed` and an all-zero commitment, amounts still in: the
    /// caller strips them with [`commit_raw_data`] before signing. A
    /// `privacy = "hidden"` model gives [`ModelError::Hidden`].
    pub fn attestation(
        &self,
        resolver: &dyn Resolver,
    ) -> Result<(Attestation, Evaluation), ModelError> {
        let privacy = match self.privacy {
            ModelPrivacy::Public => Privacy::Public,
            ModelPrivacy::Committed => Privacy::Committed {
                commitment: [0; 32],
            },
            ModelPrivacy::Hidden => return Err(ModelError::Hidden),
        };
        self.attestation_as(resolver, privacy)
    }

    /// Builds the hidden attestation of a `privacy = "hidden"` model for
    /// `author` on `network`: computes it (hidden upstream values from
    /// `openings`), commits to the result and proves it
    /// ([`tanji_ledger::carbon::hidden::build_hidden`]). With `publish`, the figures
    /// and blindings are published.
    pub fn hidden_attestation(
        &self,
        network: &str,
        author: tanji_ledger::OrgId,
        resolver: &dyn Resolver,
        openings: &tanji_ledger::carbon::hidden::UpstreamOpenings,
        publish: bool,
    ) -> Result<tanji_ledger::carbon::hidden::HiddenBuild, ModelError> {
        let att = self.unevaluated(resolver, Privacy::Public)?;
        tanji_ledger::carbon::hidden::build_hidden(
            network, author, att, resolver, openings, publish,
        )
        .map_err(|e| match e {
            tanji_ledger::carbon::hidden::HiddenError::Inputs(f) => from_footprint(f),
            other => ModelError::HiddenProof(Box::new(other)),
        })
    }

    fn attestation_as(
        &self,
        resolver: &dyn Resolver,
        privacy: Privacy,
    ) -> Result<(Attestation, Evaluation), ModelError> {
        let mut att = self.unevaluated(resolver, privacy)?;
        let evaluation = compute::evaluate(&att, resolver).map_err(from_footprint)?;
        if let Some(c) = &evaluation.computed {
            att.results = c.results;
        }
        Ok((att, evaluation))
    }

    /// The attestation with units filled in and amounts in, not yet evaluated.
    fn unevaluated(
        &self,
        resolver: &dyn Resolver,
        privacy: Privacy,
    ) -> Result<Attestation, ModelError> {
        let inputs =
            self.inputs
                .iter()
                .enumerate()
                .map(|(i, m)| {
                    let unit = match &m.unit {
                        Some(u) => u.clone(),
                        None => unit_from_ledger(i, &m.source, resolver)
                            .map_err(ModelError::Footprint)?,
                    };
                    Ok(Input {
                        source: m.source.clone(),
                        stage: m.stage,
                        unit,
                        amount: Some(m.amount),
                        packaging: m.packaging,
                    })
                })
                .collect::<Result<Vec<_>, ModelError>>()?;
        Ok(Attestation {
            product: self.product.clone(),
            rule: self.rule.clone(),
            declared_unit: self.declared_unit.clone(),
            declared_unit_amount: self.declared_unit_amount,
            boundary: self.boundary,
            period_start: self.period_start,
            period_end: self.period_end,
            geography: self.geography.clone(),
            gwp: self.gwp,
            privacy,
            inputs,
            results: Results::default(),
            primary_data_share_bp: self.primary_data_share_bp,
            dqr: self.dqr,
            supersedes: self.supersedes,
        })
    }
}

/// The unit an input's amount is in, as the ledger has it.
fn unit_from_ledger(
    i: usize,
    source: &InputSource,
    resolver: &dyn Resolver,
) -> Result<String, FootprintError> {
    let reference = reference_of(source);
    let lookup = |message: String| FootprintError::InputLookup {
        input: i,
        reference: reference.clone(),
        message,
    };
    match source {
        InputSource::Factor(r) => resolver
            .factor(r)
            .map_err(lookup)?
            .map(|s| s.record.unit)
            .ok_or_else(|| FootprintError::UnknownFactor {
                input: i,
                reference: reference.clone(),
            }),
        InputSource::Upstream(id) => resolver
            .footprint(id)
            .map_err(lookup)?
            .map(|s| s.attestation.declared_unit)
            .ok_or_else(|| FootprintError::UnknownUpstream {
                input: i,
                reference: reference.clone(),
            }),
    }
}

/// Makes an attestation `committed`: takes its inputs' amounts out, sets
/// `Privacy::Committed` with [`raw_data_commitment`]`(salt, amounts)` and
/// returns the amounts (in input order) for the author to keep with the salt.
/// An input without an amount counts as 0 (attestations from
/// [`Model::attestation`] always have every amount).
pub fn commit_raw_data(att: &mut Attestation, salt: &[u8; 32]) -> Vec<u64> {
    let amounts: Vec<u64> = att.inputs.iter().map(|i| i.amount.unwrap_or(0)).collect();
    for input in &mut att.inputs {
        input.amount = None;
    }
    att.privacy = Privacy::Committed {
        commitment: raw_data_commitment(salt, &amounts),
    };
    amounts
}

#[cfg(test)]
mod tests;

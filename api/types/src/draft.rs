//! Drafting a footprint from a model without the CLI: the dry-run compute
//! (`POST /v1/footprints/compute`) and the unsigned transaction a browser
//! signs itself (`POST /v1/footprints/prepare`). The model is the model
//! file's shape (`tanji footprint compute FILE`), as JSON.

use serde::{Deserialize, Serialize};
use tanji_ledger::carbon::{Attestation, InputSource, PerCategory, PerStage};
use tanji_ledger::{OrgId, TxId};
use utoipa::ToSchema;

/// Largest request body of the drafting routes.
pub const MAX_DRAFT_BODY: usize = 1 << 20;

/// `POST /v1/footprints/compute`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ComputeRequest {
    /// The model: the model file's `[product]` and `[[input]]` tables as a
    /// JSON object (`{"product": {...}, "input": [...]}`).
    #[schema(value_type = Object)]
    pub model: serde_json::Value,
}

/// `POST /v1/footprints/prepare`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PrepareRequest {
    /// The model, as for compute.
    #[schema(value_type = Object)]
    pub model: serde_json::Value,
    /// The organisation that will sign and author the attestation.
    #[schema(value_type = String, pattern = "^[0-9a-f]{32}$")]
    pub author: OrgId,
}

/// One input's contribution.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct InputResult {
    /// `id@version` of a factor, or an upstream footprint's id.
    #[serde(rename = "ref")]
    pub reference: String,
    /// Life-cycle stage.
    pub stage: String,
    /// The input's unit.
    pub unit: String,
    /// mg CO2e per declared unit, exact (decimal; before rounding to whole mg).
    pub mg_exact: String,
}

/// What `tanji footprint compute` prints and the dry-run route answers: the
/// attestation's figures as the ledger would record them, and each input's
/// exact share.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ComputeResult {
    /// Product name.
    pub product: String,
    /// The declared unit.
    pub declared_unit: String,
    /// Total, mg CO2e per declared unit.
    pub total_mg: i64,
    /// Total, kg, exact.
    pub total_kg: String,
    /// mg per category.
    pub categories: PerCategory,
    /// mg per life-cycle stage.
    pub stages: PerStage,
    /// Of the total, from packaging, mg.
    pub packaging_mg: i64,
    /// Each input in model order.
    pub inputs: Vec<InputResult>,
}

impl ComputeResult {
    /// The result of `att`, with `exact` the per-input, per-category exact
    /// figures the evaluation gave (in input order; missing ones are shown as 0).
    pub fn new(att: &Attestation, exact: &[[i128; 5]]) -> Self {
        let inputs = att
            .inputs
            .iter()
            .enumerate()
            .map(|(i, input)| InputResult {
                reference: match &input.source {
                    InputSource::Factor(r) => r.to_string(),
                    InputSource::Upstream(id) => id.to_hex(),
                },
                stage: input.stage.as_str().to_string(),
                unit: input.unit.clone(),
                mg_exact: tanji_ledger::carbon::compute::format_exact_mg(
                    exact.get(i).map_or(0, |e| e.iter().sum()),
                ),
            })
            .collect();
        ComputeResult {
            product: att.product.name.clone(),
            declared_unit: att.declared_unit.clone(),
            total_mg: att.results.total_mg,
            total_kg: tanji_ledger::carbon::units::format_kg(i128::from(att.results.total_mg)),
            categories: att.results.categories,
            stages: att.results.stages,
            packaging_mg: att.results.packaging_mg,
            inputs,
        }
    }
}

/// The dry run's answer (`POST /v1/footprints/compute`): the figures, or
/// what keeps the model from computing. Exactly one of the two is present.
///
/// A model that does not compute is the dry run's finding, not a failed
/// request: a calculator checks each keystroke's half-typed model, and the
/// answer says what is wrong with it. (Filing, `prepare`, refuses such a
/// model with 422.)
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct DryRun {
    /// The figures the attestation would record, when the model computes.
    pub result: Option<ComputeResult>,
    /// Why the model does not compute, in the model's own words (it names
    /// the field or input and what is wrong), when it does not.
    pub problem: Option<String>,
}

impl DryRun {
    /// A model that computes.
    pub fn computed(result: ComputeResult) -> Self {
        DryRun {
            result: Some(result),
            problem: None,
        }
    }

    /// A model that does not compute, and why.
    pub fn problem(message: impl Into<String>) -> Self {
        DryRun {
            result: None,
            problem: Some(message.into()),
        }
    }
}

/// `POST /v1/footprints/prepare`: the attestation transaction, unsigned.
///
/// The signer signs `signing_message` (`"tanji/tx/v1" ‖ 0x00 ‖ body`) with
/// its ed25519 key and submits `body ‖ u32-LE(1) ‖ author (16 bytes) ‖
/// signature (64 bytes)` (borsh of a `SignedTx` with one approval) to
/// `POST /v1/tx` as `application/octet-stream`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct PreparedTx {
    /// The transaction id it will have.
    pub tx_id: TxId,
    /// The author.
    pub author: OrgId,
    /// The author's next nonce, as used in the body.
    pub nonce: u64,
    /// borsh(TxBody), base64.
    pub body: String,
    /// The bytes to sign, base64.
    pub signing_message: String,
    /// What the transaction records, computed as the dry run does.
    pub result: ComputeResult,
}

//! Carbon accounting reads: factors, rules, footprints (with their tree,
//! verification and impact), certificates, regulator statistics and anomalies.
//!
//! Each view is the ledger record as the ledger defines it (flattened where
//! the record is the document) plus what a reader needs beside it: a status
//! word next to the recorded status, kg figures next to exact integers.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use tanji_ledger::carbon::tree::{TreeData, TreeReport};
use tanji_ledger::carbon::{
    Attestation, Certificate, CertificateStatus, DisclosureRecord, FactorRecord, PerCategory,
    PerStage, RecordRef, RecordStatus, RuleState, Stage,
};
use tanji_ledger::{OrgId, TxId};
use utoipa::{IntoParams, ToSchema};

/// Most records one list answer holds, and the default.
pub const MAX_LIST: usize = 1000;
/// Records a list answer holds when `limit` is absent.
pub const DEFAULT_LIST: usize = 100;
/// Most references of each kind (factors, footprints, rules) one
/// `GET /v1/resolve` takes.
pub const MAX_RESOLVE_PER_KIND: usize = 100;

/// Whether a factor, rule or footprint may still be used: the word of its
/// [`RecordStatus`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Standing {
    /// In force.
    Active,
    /// Replaced by a newer version (PACT "Deprecated").
    Deprecated,
    /// Withdrawn.
    Revoked,
}

impl Standing {
    /// The standing of a recorded status.
    pub fn of(status: &RecordStatus) -> Self {
        match status {
            RecordStatus::Active => Standing::Active,
            RecordStatus::Deprecated { .. } => Standing::Deprecated,
            RecordStatus::Revoked { .. } => Standing::Revoked,
        }
    }
    /// `active`, `deprecated` or `revoked`.
    pub fn as_str(self) -> &'static str {
        match self {
            Standing::Active => "active",
            Standing::Deprecated => "deprecated",
            Standing::Revoked => "revoked",
        }
    }
}

/// How much of an attestation is public.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PrivacyLevel {
    /// Values and activity data in the clear.
    Public,
    /// Values public, activity data off-ledger behind a commitment.
    Committed,
    /// Values never in the clear: commitments and a zero-knowledge proof.
    Hidden,
    /// Values stated by another party (an imported PACT footprint): not
    /// recomputable.
    Declared,
}

impl PrivacyLevel {
    /// The level of an attestation's privacy.
    pub fn of(privacy: &tanji_ledger::carbon::Privacy) -> Self {
        match privacy {
            tanji_ledger::carbon::Privacy::Public => PrivacyLevel::Public,
            tanji_ledger::carbon::Privacy::Committed { .. } => PrivacyLevel::Committed,
            tanji_ledger::carbon::Privacy::Hidden(_) => PrivacyLevel::Hidden,
            tanji_ledger::carbon::Privacy::Declared(_) => PrivacyLevel::Declared,
        }
    }
}

/// kg CO2e per unit, one exact decimal string per GHG category.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct KgPerCategory {
    /// Fossil GHG.
    pub fossil: String,
    /// Biogenic emissions.
    pub biogenic: String,
    /// Biogenic removals (≤ 0).
    pub biogenic_removals: String,
    /// Direct land-use change.
    pub luc: String,
    /// Aircraft.
    pub aircraft: String,
}

/// A factor version with its publication and status.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct FactorView {
    /// The record as published (`values` in µg CO2e per activity unit).
    #[serde(flatten)]
    pub record: FactorRecord,
    /// The record id (the part of `ref` before `@`).
    pub id: String,
    /// The version (the part of `ref` after `@`).
    pub version: u32,
    /// `values` in kg CO2e per activity unit, exact.
    pub values_kg: KgPerCategory,
    /// Who published it.
    pub publisher: OrgId,
    /// The publishing transaction.
    pub tx: TxId,
    /// Its log index.
    pub published_at: u64,
    /// Active, deprecated or revoked.
    pub status: Standing,
    /// The recorded status, with what replaced or revoked it.
    pub status_detail: RecordStatus,
}

/// `GET /v1/factors`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct FactorList {
    /// Matching factor versions, in ledger order.
    pub factors: Vec<FactorView>,
}

/// Every version of a factor id.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct FactorHistory {
    /// The factor id.
    pub id: String,
    /// Its versions, oldest first.
    pub versions: Vec<FactorView>,
}

/// `GET /v1/factors/{key}`: one version for `id@version`, the history for `id`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(untagged)]
pub enum FactorLookup {
    /// `key` was `id@version`.
    Version(Box<FactorView>),
    /// `key` was an id.
    History(FactorHistory),
}

/// `?q=&region=&unit=&status=&limit=`.
#[derive(Clone, Debug, Default, Serialize, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FactorQuery {
    /// Text in id, name, source or notes (case-insensitive).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub q: Option<String>,
    /// Region code (exact, case-insensitive).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    /// Activity unit (exact).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
    /// Active, deprecated or revoked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<Standing>,
    /// At most this many (1 to 1000; default 100).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[param(minimum = 1, maximum = 1000)]
    pub limit: Option<usize>,
}

/// One footprint affected by a change upstream.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Affected {
    /// The affected attestation.
    pub id: TxId,
    /// Its product name.
    pub product: String,
    /// Its author.
    pub author: OrgId,
    /// Its standing.
    pub status: Standing,
    /// Steps from the change (1 = uses it directly).
    pub depth: usize,
    /// What it depends on: the factor `id@version` or the upstream attestation id.
    pub via: String,
}

/// `GET /v1/factors/{key}/affected`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct FactorImpact {
    /// The factor version.
    pub factor: RecordRef,
    /// Its standing.
    pub status: Standing,
    /// Its recorded status.
    pub status_detail: RecordStatus,
    /// Every footprint that depends on it, transitively, breadth first.
    pub affected: Vec<Affected>,
}

/// `GET /v1/footprints/{id}/affected`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct FootprintImpact {
    /// The footprint.
    pub footprint: TxId,
    /// Its standing.
    pub status: Standing,
    /// Its recorded status.
    pub status_detail: RecordStatus,
    /// Every footprint that depends on it, transitively, breadth first.
    pub affected: Vec<Affected>,
}

/// `GET /v1/rules`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct RuleList {
    /// Every rule version, in ledger order.
    pub rules: Vec<RuleState>,
}

/// A footprint attestation with its author, status and figures.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct FootprintView {
    /// Attestation (transaction) id.
    pub id: TxId,
    /// Author.
    pub author: OrgId,
    /// Log index.
    pub at: u64,
    /// The attestation as signed (a hidden one's `results` are zeros unless published).
    #[serde(flatten)]
    pub attestation: Attestation,
    /// Active, deprecated or revoked.
    pub status: Standing,
    /// The recorded status.
    pub status_detail: RecordStatus,
    /// Public, committed or hidden.
    pub privacy_level: PrivacyLevel,
    /// Envelopes the author sealed to customers and auditors (hashes and recipients only).
    pub disclosures: Vec<DisclosureRecord>,
    /// mg CO2e per declared unit per category; null when hidden.
    pub categories: Option<PerCategory>,
    /// mg CO2e per declared unit per stage; null when hidden.
    pub stages: Option<PerStage>,
    /// Total, mg CO2e per declared unit; null when hidden.
    pub total_mg: Option<i64>,
    /// Of the total, from packaging; null when hidden.
    pub packaging_mg: Option<i64>,
    /// Total in kg, exact; null when hidden.
    pub total_kg: Option<String>,
}

/// `GET /v1/footprints`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct FootprintList {
    /// Matching attestations, in ledger order.
    pub footprints: Vec<FootprintView>,
}

/// `?author=&category=&status=&limit=`.
#[derive(Clone, Debug, Default, Serialize, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FootprintQuery {
    /// Author org id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[param(value_type = Option<String>, pattern = "^[0-9a-f]{32}$")]
    pub author: Option<OrgId>,
    /// Product category URN.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category: Option<String>,
    /// Active, deprecated or revoked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<Standing>,
    /// At most this many (1 to 1000; default 100).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[param(minimum = 1, maximum = 1000)]
    pub limit: Option<usize>,
}

/// An emission factor used by a node of a tree.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct TreeFactor {
    /// The factor version.
    pub factor: RecordRef,
    /// Its name, when the node has it.
    pub name: Option<String>,
    /// active, deprecated, revoked, or unknown when the node lacks it.
    pub status: String,
    /// Activity amount per declared unit, exact decimal; null when not public.
    pub amount: Option<String>,
    /// Activity unit.
    pub unit: String,
    /// Life-cycle stage.
    pub stage: Stage,
}

/// One attestation of a supply-chain tree, with its upstream ones nested.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct TreeNodeView {
    /// Attestation id.
    pub id: TxId,
    /// Depth (0 = root).
    pub depth: usize,
    /// active, deprecated, revoked, or unknown when the node lacks the attestation
    /// (then only `id` and `depth` are given).
    pub status: String,
    /// Product name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub product: Option<String>,
    /// Author.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub author: Option<OrgId>,
    /// Declared unit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub declared_unit: Option<String>,
    /// Privacy level.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub privacy: Option<PrivacyLevel>,
    /// Quantity of this node's declared unit per declared unit of its parent
    /// (exact decimal); absent at the root and when not public.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quantity: Option<String>,
    /// Total, mg CO2e per declared unit; absent when hidden.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub total_mg: Option<i64>,
    /// Total in kg; absent when hidden.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub total_kg: Option<String>,
    /// Emission factors used directly.
    #[serde(default)]
    pub factors: Vec<TreeFactor>,
    /// Upstream attestations used.
    #[serde(default)]
    #[schema(no_recursion)]
    pub upstream: Vec<TreeNodeView>,
}

/// `GET /v1/footprints/{id}/tree`.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct FootprintTree {
    /// The root attestation.
    pub root: TxId,
    /// The tree, nested.
    pub tree: TreeNodeView,
    /// Every record the tree needs, in the ledger's own form (what a client
    /// recomputes from).
    pub records: TreeData,
}

/// A certificate's standing on a given day.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Validity {
    /// Active and within its validity period.
    Valid,
    /// Active, but its validity period has ended.
    Expired,
    /// Active, but its validity period has not begun.
    NotYetValid,
    /// Suspended.
    Suspended,
    /// Revoked.
    Revoked,
}

impl Validity {
    /// The word used in JSON and on labels.
    pub fn as_str(self) -> &'static str {
        match self {
            Validity::Valid => "valid",
            Validity::Expired => "expired",
            Validity::NotYetValid => "not_yet_valid",
            Validity::Suspended => "suspended",
            Validity::Revoked => "revoked",
        }
    }
}

/// A certificate with its issuer and its validity today.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct CertificateView {
    /// The certificate as issued.
    #[serde(flatten)]
    pub certificate: Certificate,
    /// The certification body.
    pub issuer: OrgId,
    /// The issuing transaction.
    pub tx: TxId,
    /// Its log index.
    pub issued_at: u64,
    /// The status as recorded.
    pub recorded_status: CertificateStatus,
    /// Its validity on the node's date.
    pub status: Validity,
}

/// `GET /v1/certificates`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct CertificateList {
    /// Every certificate, in ledger order.
    pub certificates: Vec<CertificateView>,
}

/// Factor counts.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct FactorCounts {
    /// Factor versions on the ledger.
    pub total: usize,
    /// Of which active.
    pub active: usize,
}

/// Footprint counts.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct FootprintCounts {
    /// Attestations on the ledger.
    pub total: usize,
    /// Per product category URN, per standing word.
    pub by_category: BTreeMap<String, BTreeMap<String, u64>>,
}

/// Certificate counts.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct CertificateCounts {
    /// Certificates on the ledger.
    pub total: usize,
    /// Per validity word.
    pub by_status: BTreeMap<String, u64>,
}

/// `GET /v1/stats`: counts for regulators.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Stats {
    /// Registered organisations.
    pub organisations: usize,
    /// Factors.
    pub factors: FactorCounts,
    /// Rule versions.
    pub rules: usize,
    /// Footprints.
    pub footprints: FootprintCounts,
    /// Certificates.
    pub certificates: CertificateCounts,
    /// Valid certificates per rule `id@version`, per grade ("1" is best).
    pub grade_distribution: BTreeMap<String, BTreeMap<String, u64>>,
}

/// `?threshold=&max_drop=`.
#[derive(Clone, Debug, Default, Serialize, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AnomalyQuery {
    /// Modified z-score above which a value is an outlier (default 3.5; > 0).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[param(exclusive_minimum = 0.0)]
    pub threshold: Option<f64>,
    /// Share of decrease between consecutive versions that is flagged (default 0.3; 0 to 1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[param(minimum = 0.0, maximum = 1.0)]
    pub max_drop: Option<f64>,
}

/// A footprint far from the others of its product category.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Outlier {
    /// The attestation.
    pub footprint: TxId,
    /// Its product name.
    pub product: String,
    /// Product category URN.
    pub category: String,
    /// Declared unit (footprints are compared within a category and unit).
    pub declared_unit: String,
    /// Its total, mg CO2e per declared unit.
    pub total_mg: i64,
    /// Its modified z-score.
    pub score: f64,
    /// Footprints compared.
    pub group_size: usize,
}

/// A new version far below the one it supersedes.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct VersionDrop {
    /// The new version.
    pub footprint: TxId,
    /// The version it replaces.
    pub supersedes: TxId,
    /// Product name.
    pub product: String,
    /// The replaced version's total, mg CO2e.
    pub previous_mg: i64,
    /// The new total, mg CO2e.
    pub current_mg: i64,
    /// Share of decrease (0 to 1).
    pub share: f64,
}

/// `GET /v1/anomalies`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Anomalies {
    /// The z-score threshold used.
    pub threshold: f64,
    /// The drop share used.
    pub max_drop: f64,
    /// Outliers within product categories.
    pub outliers: Vec<Outlier>,
    /// Sharp drops between versions.
    pub drops: Vec<VersionDrop>,
}

/// `?factors=a@1,b@2&footprints=ID,ID&rules=r@1`: each list non-empty,
/// without empty items, at most [`MAX_RESOLVE_PER_KIND`] references.
#[derive(Clone, Debug, Default, Serialize, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ResolveQuery {
    /// Comma-separated factor versions (`id@version`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[param(
        pattern = "^([A-Za-z0-9_.:-]{1,96}@[1-9][0-9]{0,8})(,[A-Za-z0-9_.:-]{1,96}@[1-9][0-9]{0,8}){0,99}$"
    )]
    pub factors: Option<String>,
    /// Comma-separated attestation ids.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[param(pattern = "^[0-9a-f]{64}(,[0-9a-f]{64}){0,99}$")]
    pub footprints: Option<String>,
    /// Comma-separated rule versions (`id@version`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[param(
        pattern = "^([A-Za-z0-9_.:-]{1,96}@[1-9][0-9]{0,8})(,[A-Za-z0-9_.:-]{1,96}@[1-9][0-9]{0,8}){0,99}$"
    )]
    pub rules: Option<String>,
}

/// `GET /v1/footprints/{id}/verify`: the tree recomputed, node by node.
pub type VerifyReport = TreeReport;

impl std::fmt::Display for Standing {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.pad(self.as_str())
    }
}

impl std::fmt::Display for Validity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.pad(self.as_str())
    }
}

/// `?version=` of `GET /v1/footprints/{id}/pact`.
#[derive(Clone, Debug, Default, Serialize, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PactQuery {
    /// PACT spec version: 3 (v3.0, the default) or 2 (v2.3).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[param(minimum = 2, maximum = 3)]
    pub version: Option<u8>,
}

/// A PACT product footprint (v3.0 or v2.3) with the verifiable-PACT extension.
pub use tanji_pact::model::PactDocument;

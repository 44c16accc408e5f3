//! Plain data the web pages are rendered from.
//!
//! A route reads the ledger, runs the checks, formats every number exactly
//! (the ledger counts milligrams; the views carry finished strings) and fills
//! these structs; the renderers in [`label`](super::label) and
//! [`page`](super::page) only lay the strings out and escape them. Nothing in
//! here is trusted: every string may come from an organisation's own records
//! and is escaped on output.

/// Everything printed on a carbon label (碳标识).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LabelView {
    /// Certificate number, e.g. `CQC-PCF-2026-000123`.
    pub certificate_id: String,
    /// Product name as registered, may be Chinese: `京华 X14 笔记本电脑`.
    pub product_name: String,
    /// Product identifiers (URNs: GTIN, model number, …).
    pub product_ids: Vec<String>,
    /// Declared unit, e.g. `piece`.
    pub declared_unit: String,
    /// Exact decimal kg CO2e per declared unit, already formatted (`287.41`).
    pub value_kg: String,
    /// Achieved grade, 1 = best (lowest carbon). Outside `1..=grades` means
    /// "not graded": the scale is drawn with nothing highlighted.
    pub grade: u8,
    /// Number of grades of the product rule's scale (drawn clamped to 1..=10).
    pub grades: u8,
    /// Product rule id and version, e.g. `pcr-portable-computer@1`.
    pub rule: String,
    /// Human name of the product rule.
    pub rule_name: String,
    /// Certification body (认证机构) name.
    pub certifier: String,
    /// Producer (company) name.
    pub producer: String,
    /// First day of validity, `YYYY-MM-DD`.
    pub valid_from: String,
    /// Last day of validity, `YYYY-MM-DD`.
    pub valid_until: String,
    /// Current certificate status.
    pub status: LabelStatus,
    /// Absolute URL the QR code encodes: `http://host/verify/{certificate}`.
    pub verify_url: String,
    /// System boundary, e.g. `cradle-to-gate`.
    pub boundary: String,
    /// Reference period, e.g. `2025-01-01 – 2026-01-01`.
    pub period: String,
}

/// Status of a label's certificate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LabelStatus {
    /// In force.
    Valid,
    /// Suspended by the certification body (暂停), may be reinstated.
    Suspended {
        /// Why, as the certification body recorded it.
        reason: String,
    },
    /// Revoked (撤销) for good.
    Revoked {
        /// Why, as the certification body recorded it.
        reason: String,
    },
    /// Past its validity period (过期).
    Expired,
}

impl LabelStatus {
    /// Whether the certificate is in force.
    pub fn is_valid(&self) -> bool {
        matches!(self, LabelStatus::Valid)
    }

    /// Chinese name: `有效`, `已暂停`, `已撤销`, `已过期`.
    pub fn name_zh(&self) -> &'static str {
        match self {
            LabelStatus::Valid => "有效",
            LabelStatus::Suspended { .. } => "已暂停",
            LabelStatus::Revoked { .. } => "已撤销",
            LabelStatus::Expired => "已过期",
        }
    }

    /// English name in capitals: `VALID`, `SUSPENDED`, `REVOKED`, `EXPIRED`.
    pub fn name_en(&self) -> &'static str {
        match self {
            LabelStatus::Valid => "VALID",
            LabelStatus::Suspended { .. } => "SUSPENDED",
            LabelStatus::Revoked { .. } => "REVOKED",
            LabelStatus::Expired => "EXPIRED",
        }
    }

    /// The recorded reason, for suspension and revocation.
    pub fn reason(&self) -> Option<&str> {
        match self {
            LabelStatus::Suspended { reason } | LabelStatus::Revoked { reason } => {
                Some(reason.as_str())
            }
            LabelStatus::Valid | LabelStatus::Expired => None,
        }
    }

    /// Colour that marks this status (band on the label, badge on the page).
    pub(crate) fn colour(&self) -> &'static str {
        match self {
            LabelStatus::Valid => "#0b6e4f",
            LabelStatus::Suspended { .. } => "#c2410c",
            LabelStatus::Revoked { .. } => "#b91c1c",
            LabelStatus::Expired => "#57534e",
        }
    }
}

/// One verification step and its outcome, shown as a row of the checks table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Check {
    /// Name in Chinese, e.g. `签名`.
    pub name_zh: String,
    /// Name in English, e.g. `Signature`.
    pub name_en: String,
    /// Whether the check passed.
    pub ok: bool,
    /// What was checked, or why it failed.
    pub detail: String,
}

/// One node of a footprint's supply-chain tree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TreeNode {
    /// Depth in the tree, 0 for the labelled product itself.
    pub depth: usize,
    /// What this input is and how much of it: `aluminium chassis — 2.1 kg/piece`.
    pub label: String,
    /// Who attested it.
    pub producer: String,
    /// Its footprint: `12.345 kg CO2e/piece`.
    pub value: String,
    /// Its attestation status (`active`, `deprecated`, `revoked`, `hidden`…).
    pub status: String,
    /// Whether its recomputation and signature checked out.
    pub verified: bool,
    /// Where its own page or JSON lives, if anywhere.
    pub link: Option<String>,
}

/// Everything on the verification page a label's QR code leads to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifyPageView {
    /// The label itself (drawn inline on the page).
    pub label: LabelView,
    /// Signature, inclusion proof, checkpoint quorum, recomputation per node,
    /// certificate status, validity.
    pub checks: Vec<Check>,
    /// All checks passed. The page shows "verified" only if this is true,
    /// every check is `ok` and the certificate is valid.
    pub verified: bool,
    /// Supply-chain tree in pre-order, with depths.
    pub tree: Vec<TreeNode>,
    /// Emission categories and values: `("fossil", "285.2 kg")`, …
    pub categories: Vec<(String, String)>,
    /// Life-cycle stages and values: `("production", "40.1 kg")`, …
    pub stages: Vec<(String, String)>,
    /// URL of the label as a standalone SVG: `/v1/labels/{cert}.svg`.
    pub label_svg_url: String,
    /// URL of the offline verification bundle: `/v1/certificates/{cert}/bundle`.
    pub bundle_url: String,
    /// URL of the footprint as JSON.
    pub footprint_json_url: String,
    /// The checkpoint the proofs were checked against: `size 1234, root ab12…`.
    pub checkpoint: String,
}

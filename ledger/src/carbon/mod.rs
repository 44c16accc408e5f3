//! Carbon accounting on the ledger: emission factors, product rules,
//! footprint attestations and their exact recomputation, certificates.
//!
//! Units (see [`units`]): footprints in milligrams CO2e per declared unit,
//! factor values in micrograms CO2e per activity unit, amounts and quantities
//! in micro-units. Arithmetic is exact in integers and rounded once per
//! reported figure (see [`compute`]), so nodes, the SDK and the offline
//! verifier agree bit for bit.

mod attestation;
mod certificate;
pub mod compute;
mod date;
mod disclosure;
mod factor;
pub mod form;
pub mod hidden;
mod record_ref;
mod rule;
mod status;
pub mod tree;
pub mod units;

pub use attestation::{
    Attestation, CarbonContent, DeclaredFootprint, DeclaredProof, HiddenFootprint, Input,
    InputSource, Privacy, Product, Results,
};
pub use certificate::{Certificate, CertificateAction, MAX_CERTIFICATE_ID_LEN};
pub use date::{rfc3339_utc, Date, DateError};
pub use disclosure::{Disclosure, DisclosureRecord, MAX_DISCLOSURES};
pub use factor::FactorRecord;
pub use record_ref::{check_record_id, RecordRef, MAX_RECORD_ID_LEN};
pub use rule::{Boundary, ProductRule};
pub use status::{
    CertificateState, CertificateStatus, FactorState, FootprintState, RecordStatus, RuleState,
};
pub use units::{Category, Dqr, Gwp, PerCategory, PerStage, Stage};

/// Context of raw-data commitments.
pub const RAW_DATA_CONTEXT: &str = "tanji/raw-data/v1";

/// The commitment a `committed` attestation carries:
/// `BLAKE3-derive_key("tanji/raw-data/v1", salt ‖ borsh(amounts))`, where
/// `amounts` are the inputs' activity amounts in micro-units, in input order.
/// The 32-byte random salt keeps the commitment hiding: without it, guessing
/// amounts cannot be checked against the commitment.
pub fn raw_data_commitment(salt: &[u8; 32], amounts: &[u64]) -> [u8; 32] {
    let mut h = blake3::Hasher::new_derive_key(RAW_DATA_CONTEXT);
    h.update(salt);
    h.update(&crate::encoding::encode(amounts));
    *h.finalize().as_bytes()
}

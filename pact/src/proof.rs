//! The verifiable-PACT extension: a PACT `DataModelExtension` whose `data`
//! is a proof that the document says what the ledger says.
//!
//! `data` holds one cosigned checkpoint, the validator keys and quorum it
//! was checked against, and the ledger entries the document is made from,
//! each with its inclusion proof (the format of `tanji verify bundle`'s
//! certificate bundles):
//!
//! - the attestation (`attest_footprint`);
//! - the registration of its author (`register_org`: `companyName`,
//!   `companyIds`);
//! - the product rule it follows and its publisher's registration;
//! - every factor version its inputs pin (`secondaryEmissionFactorSources`);
//! - an active certificate on it and its issuer's registration
//!   (`verification` / `assurance`);
//! - when deprecated, the entry that superseded or revoked it.
//!
//! A verifier checks the checkpoint's signatures and every inclusion proof,
//! rebuilds the [`RecordSet`] from the entries alone, maps them with the same
//! code a node serves with, and compares the result with the document field
//! by field (see [`crate::verify`]). Whatever the document says beyond what
//! the entries fix fails, naming the field.
//!
//! What a proof cannot show: that nothing after its checkpoint deprecated
//! the footprint or suspended its certificate. `Active` is "active as of
//! the checkpoint".

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use tanji_ledger::bundle::{BundleEntry, BundleError, ProvenEntries, SetChangeLink, Signers};
use tanji_ledger::carbon::{
    CertificateAction, CertificateState, CertificateStatus, FactorRecord, FootprintState,
    InputSource, ProductRule, RecordStatus,
};
use tanji_ledger::checkpoint::NoteVerifier;
use tanji_ledger::ids::{OrgId, TxId};
use tanji_ledger::tx::{OrgRecord, TxKind};

use crate::map::RecordSet;

/// The proof's format tag (in `data.format`).
pub const PROOF_FORMAT: &str = "tanji-pact-proof/v1";
/// The PACT data-model-extension spec version the envelope follows.
pub const EXTENSION_SPEC_VERSION: &str = "2.0.0";
/// Path of the extension's JSON schema on a node's PACT host.
pub const SCHEMA_PATH: &str = "/pact/extensions/tanji-proof/1.0.0/schema.json";
/// Path of its documentation.
pub const DOCUMENTATION_PATH: &str = "/pact/extensions/tanji-proof/1.0.0/";
/// The extension's JSON schema (draft 2020-12), served at [`SCHEMA_PATH`].
pub const SCHEMA: &str = include_str!("../schema/tanji-proof-1.0.0.json");
/// Most entries a proof may carry.
pub const MAX_PROOF_ENTRIES: usize = 512;

/// `extensions[].data` of a verifiable PACT document.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PactProof {
    /// Always [`PROOF_FORMAT`].
    pub format: String,
    /// The attestation's transaction id.
    pub footprint: TxId,
    /// The signed checkpoint (C2SP signed note) every entry is proven against.
    pub checkpoint: String,
    /// Validator keys (C2SP vkeys) the node checked the checkpoint with.
    pub validators: Vec<String>,
    /// Signatures required.
    pub quorum: usize,
    /// The validator set changes since the genesis in force at the
    /// checkpoint, for verifiers that pin the genesis keys (absent if none).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub set_changes: Vec<SetChangeLink>,
    /// The entries, each with its audit path to the checkpoint's root.
    pub entries: Vec<BundleEntry>,
}

/// What a proof's entries say, once proven.
#[derive(Clone, Debug)]
pub struct ProvenRecords {
    /// The records, as of the checkpoint.
    pub set: RecordSet,
    /// The checkpoint's size.
    pub tree_size: u64,
    /// Its root, hex.
    pub root: String,
    /// Its network.
    pub network: String,
    /// Valid validator signatures.
    pub signatures: usize,
    /// Whether the keys were pinned by the caller.
    pub keys_pinned: bool,
}

/// Why a proof is not one.
#[derive(Debug, thiserror::Error)]
pub enum ProofError {
    /// The extension's data is not a proof.
    #[error("malformed proof: {0}")]
    Malformed(String),
    /// An entry, its inclusion or the checkpoint does not verify.
    #[error(transparent)]
    Bundle(#[from] BundleError),
    /// A record the document needs is not among the entries.
    #[error("the proof lacks {0}")]
    Missing(String),
}

impl PactProof {
    /// Parses `extensions[].data`, bounded.
    pub fn from_value(data: &serde_json::Value) -> Result<Self, ProofError> {
        let p: PactProof = serde_json::from_value(data.clone())
            .map_err(|e| ProofError::Malformed(e.to_string()))?;
        if p.format != PROOF_FORMAT {
            return Err(ProofError::Malformed(format!(
                "format {:?}, expected {PROOF_FORMAT:?}",
                p.format
            )));
        }
        if p.entries.len() > MAX_PROOF_ENTRIES {
            return Err(ProofError::Malformed(format!(
                "{} entries, at most {MAX_PROOF_ENTRIES}",
                p.entries.len()
            )));
        }
        Ok(p)
    }

    /// Proves every entry against the checkpoint (with `pinned` keys when
    /// given) and rebuilds the records they hold.
    pub fn verify(
        &self,
        pinned: Option<(&[NoteVerifier], usize)>,
    ) -> Result<ProvenRecords, ProofError> {
        let proven = ProvenEntries::verify(
            &self.checkpoint,
            Signers {
                validators: &self.validators,
                quorum: self.quorum,
                set_changes: &self.set_changes,
            },
            &self.entries,
            pinned,
        )?;
        let mut footprint = None;
        let mut orgs = BTreeMap::new();
        let (mut rules, mut factors) = (Vec::new(), Vec::new());
        let mut certificate: Option<CertificateState> = None;
        let mut later = Vec::new();
        for (index, tx) in proven.entries {
            let id = tx.id();
            let author = tx.body.author;
            match tx.body.kind {
                TxKind::AttestFootprint(attestation) if id == self.footprint => {
                    footprint = Some(FootprintState {
                        attestation,
                        author,
                        id,
                        at: index,
                        status: RecordStatus::Active,
                        disclosures: Vec::new(),
                    })
                }
                TxKind::RegisterOrg(org) => {
                    orgs.insert(org.id(), org);
                }
                TxKind::Genesis(g) => {
                    for org in g.orgs {
                        orgs.insert(org.id(), org);
                    }
                }
                TxKind::PublishRule(rule) => {
                    rules.push((rule, author));
                }
                TxKind::PublishFactor(f) => factors.push(f),
                TxKind::IssueCertificate(c) if c.footprint == self.footprint => {
                    certificate = Some(CertificateState {
                        certificate: c,
                        issuer: author,
                        tx: id,
                        issued_at: index,
                        status: CertificateStatus::Active,
                    })
                }
                kind => later.push((index, id, author, kind)),
            }
        }
        let mut footprint = footprint
            .ok_or_else(|| ProofError::Missing(format!("the attestation {}", self.footprint)))?;
        // Status changes, in log order.
        later.sort_by_key(|(index, ..)| *index);
        for (index, id, author, kind) in later {
            match kind {
                TxKind::AttestFootprint(a)
                    if a.supersedes == Some(self.footprint)
                        && author == footprint.author
                        && footprint.status.is_active() =>
                {
                    footprint.status = RecordStatus::Deprecated {
                        by: id.to_hex(),
                        at: index,
                    };
                }
                TxKind::RevokeFootprint {
                    footprint: f,
                    reason,
                } if f == self.footprint => {
                    footprint.status = RecordStatus::Revoked { reason, at: index };
                }
                TxKind::SetCertificateStatus {
                    certificate: c,
                    action,
                    reason,
                } => {
                    if let Some(cert) = certificate.as_mut().filter(|s| s.certificate.id == c) {
                        cert.status = match action {
                            CertificateAction::Suspend => {
                                CertificateStatus::Suspended { reason, at: index }
                            }
                            CertificateAction::Reinstate => CertificateStatus::Active,
                            CertificateAction::Revoke => {
                                CertificateStatus::Revoked { reason, at: index }
                            }
                        };
                    }
                }
                _ => {}
            }
        }
        let set = assemble(footprint, &orgs, &rules, &factors, certificate)?;
        Ok(ProvenRecords {
            set,
            tree_size: proven.tree_size,
            root: hex::encode(proven.root),
            network: proven.origin,
            signatures: proven.signatures,
            keys_pinned: proven.keys_pinned,
        })
    }
}

/// The [`RecordSet`] of a footprint from the records found among the
/// entries: every record the mapping reads must be there.
fn assemble(
    footprint: FootprintState,
    orgs: &BTreeMap<OrgId, OrgRecord>,
    rules: &[(ProductRule, OrgId)],
    factors: &[FactorRecord],
    certificate: Option<CertificateState>,
) -> Result<RecordSet, ProofError> {
    let org = |id: &OrgId, what: &str| {
        orgs.get(id)
            .cloned()
            .ok_or_else(|| ProofError::Missing(format!("the registration of {what} {id}")))
    };
    let author = org(&footprint.author, "the author")?;
    let rule = match &footprint.attestation.rule {
        None => None,
        Some(r) => {
            let (rule, publisher) = rules
                .iter()
                .find(|(x, _)| &x.reference == r)
                .ok_or_else(|| ProofError::Missing(format!("the product rule {r}")))?;
            Some((rule.clone(), org(publisher, "the rule's publisher")?))
        }
    };
    let mut pinned: Vec<FactorRecord> = Vec::new();
    for input in &footprint.attestation.inputs {
        if let InputSource::Factor(r) = &input.source {
            if pinned.iter().any(|f| &f.reference == r) {
                continue;
            }
            let f = factors
                .iter()
                .find(|f| &f.reference == r)
                .ok_or_else(|| ProofError::Missing(format!("the factor {r}")))?;
            pinned.push(f.clone());
        }
    }
    // Only an active certificate says anything in PACT.
    let certificate = match certificate.filter(|c| c.status == CertificateStatus::Active) {
        None => None,
        Some(c) => {
            let issuer = org(&c.issuer, "the certificate's issuer")?;
            Some((c, issuer))
        }
    };
    Ok(RecordSet {
        footprint,
        author,
        rule,
        factors: pinned,
        certificate,
    })
}

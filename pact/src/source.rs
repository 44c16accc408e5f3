//! A node's side of a PACT document: the records of one attestation, read
//! from the ledger's state, and the proof of the entries they come from.
//!
//! [`collect`] gathers exactly what [`crate::proof`] lets a verifier
//! rebuild: the attestation, its author's registration, its rule and the
//! rule publisher's registration, its pinned factors, the newest active
//! certificate on it and its issuer's registration, and the entry that
//! deprecated or revoked it. The same [`RecordSet`] feeds the mapping, so
//! what a node serves is what its proof recomputes to.

use tanji_ledger::bundle::{prove_indices, ProveError};
use tanji_ledger::carbon::{CertificateStatus, InputSource, RecordStatus};
use tanji_ledger::ids::{OrgId, TxId};
use tanji_ledger::state::StateError;
use tanji_ledger::store::{LedgerRead, StoreError};
use tanji_ledger::tx::OrgRecord;

use crate::map::RecordSet;
use crate::proof::{PactProof, PROOF_FORMAT};

/// Why a footprint's records or proof could not be gathered.
#[derive(Debug, thiserror::Error)]
pub enum SourceError {
    /// No such attestation.
    #[error("no footprint attestation {0}")]
    UnknownFootprint(TxId),
    /// A record the attestation refers to is missing: a broken ledger.
    #[error("ledger inconsistent: {0}")]
    Inconsistent(String),
    /// The state could not be read.
    #[error(transparent)]
    State(#[from] StateError),
    /// The store could not be read.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The entries could not be proven (no checkpoint, or not covered yet).
    #[error(transparent)]
    Prove(#[from] ProveError),
}

/// Every footprint attestation as (log index, id), in log order: the order a
/// PACT host lists them in, so a cursor (the last index served) stays valid
/// while the log grows. Hidden footprints are included; the mapping decides
/// what may be served.
pub fn listing<L: LedgerRead + ?Sized>(ledger: &L) -> Result<Vec<(u64, TxId)>, SourceError> {
    let mut all: Vec<(u64, TxId)> = ledger
        .footprints()?
        .into_iter()
        .map(|f| (f.at, f.id))
        .collect();
    all.sort_unstable();
    Ok(all)
}

/// The attestation whose PACT id is `pf_id`. Ids are one-way hashes of the
/// attestation id ([`crate::id`]), so this hashes every attestation's id
/// (BLAKE3, millions per second) rather than keeping an index.
pub fn find_pf_id<L: LedgerRead + ?Sized>(
    ledger: &L,
    pf_id: &uuid::Uuid,
) -> Result<Option<TxId>, SourceError> {
    Ok(ledger
        .footprints()?
        .into_iter()
        .map(|f| f.id)
        .find(|id| crate::id::pf_id(id) == *pf_id))
}

/// The records of `footprint` and the log indices of the entries that hold
/// them (in log order, each once).
pub fn collect<L: LedgerRead + ?Sized>(
    ledger: &L,
    footprint: &TxId,
) -> Result<(RecordSet, Vec<u64>), SourceError> {
    let fp = ledger
        .footprint(footprint)?
        .ok_or(SourceError::UnknownFootprint(*footprint))?;
    let mut indices = vec![fp.at];
    let org = |id: &OrgId, indices: &mut Vec<u64>| -> Result<OrgRecord, SourceError> {
        let o = ledger.org(id)?.ok_or_else(|| {
            SourceError::Inconsistent(format!("organisation {id} not registered"))
        })?;
        indices.push(o.registered_at);
        Ok(o.record)
    };
    let author = org(&fp.author, &mut indices)?;
    let rule = match &fp.attestation.rule {
        None => None,
        Some(r) => {
            let rs = ledger
                .rule(r)?
                .ok_or_else(|| SourceError::Inconsistent(format!("rule {r} missing")))?;
            indices.push(rs.published_at);
            let publisher = org(&rs.publisher, &mut indices)?;
            Some((rs.rule, publisher))
        }
    };
    let mut factors = Vec::new();
    for input in &fp.attestation.inputs {
        if let InputSource::Factor(r) = &input.source {
            if factors
                .iter()
                .any(|f: &tanji_ledger::carbon::FactorRecord| &f.reference == r)
            {
                continue;
            }
            let fs = ledger
                .factor(r)?
                .ok_or_else(|| SourceError::Inconsistent(format!("factor {r} missing")))?;
            indices.push(fs.published_at);
            factors.push(fs.record);
        }
    }
    // The newest active certificate on it, if any.
    let certificate = ledger
        .certificates()?
        .into_iter()
        .filter(|c| c.certificate.footprint == fp.id && c.status == CertificateStatus::Active)
        .max_by_key(|c| c.issued_at);
    let certificate = match certificate {
        None => None,
        Some(c) => {
            indices.push(c.issued_at);
            let issuer = org(&c.issuer, &mut indices)?;
            Some((c, issuer))
        }
    };
    match &fp.status {
        RecordStatus::Active => {}
        RecordStatus::Deprecated { at, .. } | RecordStatus::Revoked { at, .. } => indices.push(*at),
    }
    indices.sort_unstable();
    indices.dedup();
    Ok((
        RecordSet {
            footprint: fp,
            author,
            rule,
            factors,
            certificate,
        },
        indices,
    ))
}

/// The proof of `footprint`'s records against the newest checkpoint, with
/// the validator keys (C2SP vkeys) and quorum the node checks checkpoints with.
pub fn prove<L: LedgerRead + ?Sized>(
    ledger: &L,
    footprint: &TxId,
    indices: &[u64],
    validators: (Vec<String>, usize),
) -> Result<PactProof, SourceError> {
    let (checkpoint, entries) = prove_indices(ledger, indices)?;
    Ok(PactProof {
        format: PROOF_FORMAT.into(),
        footprint: *footprint,
        checkpoint,
        validators: validators.0,
        quorum: validators.1,
        entries,
    })
}

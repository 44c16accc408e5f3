//! A node's side of a PACT document: the records of one attestation, read
//! from the ledger's state, and the proof of the entries they come from.
//!
//! [`collect`] gathers exactly what [`crate::proof`] lets a verifier
//! rebuild: the attestation, its author's registration, its rule and the
//! rule publisher's registration, its pinned factors, the newest active
//! certificate on it and its issuer's registration, and the entry that
//! deprecated or revoked it. The same [`RecordSet`] feeds the mapping, so
//! what a node serves is what its proof recomputes to.
//!
//! [`document`] and [`select`] are what every place that serves PACT
//! documents calls (REST v1 export, the PACT host's GetFootprint and
//! ListFootprints, answers to requests): records → mapping → proof
//! extension, in one way.

use tanji_ledger::bundle::{prove_indices, ProveError};
use tanji_ledger::carbon::{CertificateStatus, InputSource, RecordStatus};
use tanji_ledger::ids::{OrgId, TxId};
use tanji_ledger::state::StateError;
use tanji_ledger::store::{LedgerRead, StoreError};
use tanji_ledger::tx::OrgRecord;

use crate::filter::Filter;
use crate::map::{self, MapError, RecordSet};
use crate::model::{DataModelExtension, PactDocument};
use crate::odata::ODataFilter;
use crate::proof::{PactProof, EXTENSION_SPEC_VERSION, PROOF_FORMAT, SCHEMA_PATH};

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

/// What every served proof names: the validator keys (C2SP vkeys) and
/// quorum a verifier checks the checkpoint against, and the base URL under
/// which the node serves the extension's schema.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProofContext {
    /// The validators' verifier keys.
    pub validators: Vec<String>,
    /// How many of them make a checkpoint final.
    pub quorum: usize,
    /// `scheme://host` of the node, for the schema URL.
    pub base_url: String,
}

/// The proof of `footprint`'s records (the entries at `indices`) against the
/// newest checkpoint.
pub fn prove<L: LedgerRead + ?Sized>(
    ledger: &L,
    footprint: &TxId,
    indices: &[u64],
    ctx: &ProofContext,
) -> Result<PactProof, SourceError> {
    let proven = prove_indices(ledger, indices)?;
    Ok(PactProof {
        format: PROOF_FORMAT.into(),
        footprint: *footprint,
        checkpoint: proven.checkpoint,
        validators: ctx.validators.clone(),
        quorum: ctx.quorum,
        set_changes: proven.set_changes,
        entries: proven.entries,
    })
}

/// Why a footprint has no document.
#[derive(Debug, thiserror::Error)]
pub enum DocumentError {
    /// Its records or proof could not be gathered.
    #[error(transparent)]
    Source(#[from] SourceError),
    /// The version cannot express it, or it is hidden.
    #[error(transparent)]
    Map(#[from] MapError),
}

/// `set` mapped to PACT `version` (2 or 3).
fn mapped(set: &RecordSet, version: u8) -> Result<PactDocument, MapError> {
    Ok(match version {
        2 => PactDocument::V2(Box::new(map::v2(set)?)),
        _ => PactDocument::V3(Box::new(map::v3(set)?)),
    })
}

/// Adds the proof of `id` (records at `indices`) to `doc`.
fn attach<L: LedgerRead + ?Sized>(
    ledger: &L,
    ctx: &ProofContext,
    doc: &mut PactDocument,
    id: &TxId,
    indices: &[u64],
) -> Result<(), SourceError> {
    let proof = prove(ledger, id, indices, ctx)?;
    let data = serde_json::to_value(&proof)
        .map_err(|e| SourceError::Inconsistent(format!("proof as JSON: {e}")))?;
    doc.push_extension(DataModelExtension {
        spec_version: EXTENSION_SPEC_VERSION.into(),
        data_schema: format!("{}{SCHEMA_PATH}", ctx.base_url),
        documentation: None,
        data,
    });
    Ok(())
}

/// The PACT document of `id` in `version` (2 or 3), with its proof.
pub fn document<L: LedgerRead + ?Sized>(
    ledger: &L,
    ctx: &ProofContext,
    id: &TxId,
    version: u8,
) -> Result<PactDocument, DocumentError> {
    let (set, indices) = collect(ledger, id)?;
    let mut doc = mapped(&set, version)?;
    attach(ledger, ctx, &mut doc, id, &indices)?;
    Ok(doc)
}

/// Which documents a list or a request wants.
#[derive(Clone, Debug, Default)]
pub struct Selection {
    /// PACT version of the documents (2 or 3).
    pub version: u8,
    /// v3 criteria, checked on the v3 mapping whatever the version served
    /// (v2 requests' product and company ids become these).
    pub criteria: Filter,
    /// A v2 `$filter`, checked on the v2 document.
    pub odata: Option<ODataFilter>,
}

impl Selection {
    /// `set` as the selection's document if it is selected, without proof.
    fn pick(&self, set: &RecordSet) -> Option<PactDocument> {
        // Every footprint v2 can express, v3 can (v2's units are a subset).
        let v3 = map::v3(set).ok()?;
        if !self.criteria.matches(&v3) {
            return None;
        }
        if self.version != 2 {
            return Some(PactDocument::V3(Box::new(v3)));
        }
        let v2 = map::v2(set).ok()?;
        if self.odata.as_ref().is_some_and(|f| !f.matches(&v2)) {
            return None;
        }
        Some(PactDocument::V2(Box::new(v2)))
    }
}

/// The documents `sel` selects among the attestations after log index
/// `after`, in log order, each with its proof, at most `limit`; and, when
/// more follow, the log index of the last one returned (the cursor to go on
/// from). Footprints the mapping cannot express (hidden without published
/// figures, units a version cannot name) are skipped; so is everything not
/// yet under a checkpoint, which covers a prefix of the log.
pub fn select<L: LedgerRead + ?Sized>(
    ledger: &L,
    ctx: &ProofContext,
    sel: &Selection,
    after: Option<u64>,
    limit: usize,
) -> Result<(Vec<PactDocument>, Option<u64>), SourceError> {
    let all = listing(ledger)?;
    let start = after.map_or(0, |a| all.partition_point(|(index, _)| *index <= a));
    let mut docs = Vec::new();
    let mut last = None;
    for (index, id) in &all[start..] {
        let (set, indices) = collect(ledger, id)?;
        let Some(mut doc) = sel.pick(&set) else {
            continue;
        };
        if docs.len() == limit {
            return Ok((docs, last));
        }
        match attach(ledger, ctx, &mut doc, id, &indices) {
            Ok(()) => {}
            Err(SourceError::Prove(ProveError::NoCheckpoint | ProveError::NotCovered(_))) => break,
            Err(e) => return Err(e),
        }
        docs.push(doc);
        last = Some(*index);
    }
    Ok((docs, None))
}

/// Most log entries [`changed`] decodes at once.
const CHANGED_BATCH: u64 = 1024;

/// The footprints whose PACT documents the entries at log indices
/// `from..to` created or changed, in the order the entries name them, each
/// once: new attestations and the ones they supersede (now Deprecated),
/// revocations, and certificates issued or changing status (assurance).
/// Whether a footprint is served at all is for the caller to ask
/// ([`servable`]). Reads the range in batches of [`CHANGED_BATCH`].
pub fn changed<L: LedgerRead + ?Sized>(
    ledger: &L,
    from: u64,
    to: u64,
) -> Result<Vec<TxId>, SourceError> {
    use tanji_ledger::tx::{SignedTx, TxKind};
    let mut out: Vec<TxId> = Vec::new();
    let mut certificates: Option<Vec<tanji_ledger::carbon::CertificateState>> = None;
    let mut start = from;
    while start < to {
        let end = to.min(start.saturating_add(CHANGED_BATCH));
        for (index, bytes) in ledger.entries(start, end)? {
            let tx = SignedTx::decode(&bytes).map_err(|e| {
                SourceError::Inconsistent(format!("log entry {index} does not decode: {e}"))
            })?;
            match &tx.body.kind {
                TxKind::AttestFootprint(a) => {
                    out.push(tx.id());
                    out.extend(a.supersedes);
                }
                TxKind::RevokeFootprint { footprint, .. } => out.push(*footprint),
                TxKind::IssueCertificate(c) => out.push(c.footprint),
                TxKind::SetCertificateStatus { certificate, .. } => {
                    if certificates.is_none() {
                        certificates = Some(ledger.certificates()?);
                    }
                    out.extend(
                        certificates
                            .iter()
                            .flatten()
                            .filter(|c| &c.certificate.id == certificate)
                            .map(|c| c.certificate.footprint),
                    );
                }
                _ => {}
            }
        }
        start = end;
    }
    let mut seen = std::collections::HashSet::new();
    out.retain(|id| seen.insert(*id));
    Ok(out)
}

/// Whether a PACT host serves `footprint` at all: it is known and the
/// mapping can express it (hidden footprints only with published figures).
pub fn servable<L: LedgerRead + ?Sized>(ledger: &L, footprint: &TxId) -> Result<bool, SourceError> {
    match collect(ledger, footprint) {
        Ok((set, _)) => Ok(map::v3(&set).is_ok()),
        Err(SourceError::UnknownFootprint(_)) => Ok(false),
        Err(e) => Err(e),
    }
}

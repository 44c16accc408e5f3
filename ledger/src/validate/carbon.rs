//! Acceptance rules of the carbon transaction kinds: factors, rules,
//! attestations (recomputed here for public ones), certificates.

use super::{active_org, TxError, Verify};
use crate::carbon::compute::{self, Resolver};
use crate::carbon::hidden;
use crate::carbon::Attestation;
use crate::carbon::{
    Certificate, CertificateAction, CertificateState, CertificateStatus, Disclosure,
    DisclosureRecord, FactorRecord, FactorState, FootprintState, InputSource, Privacy, ProductRule,
    RecordRef, RecordStatus, RuleState, MAX_DISCLOSURES,
};
use crate::ids::{OrgId, TxId};
use crate::sealed::Purpose;
use crate::state::{OrgState, StateChange, StateError, StateView};
use crate::tx::{Role, SignedTx};

/// Reads ledger records for [`compute::evaluate`].
pub struct ViewResolver<'a, V: StateView + ?Sized>(pub &'a V);

fn text(e: StateError) -> String {
    e.to_string()
}

impl<V: StateView + ?Sized> Resolver for ViewResolver<'_, V> {
    fn factor(&self, r: &RecordRef) -> Result<Option<FactorState>, String> {
        self.0.factor(r).map_err(text)
    }
    fn footprint(&self, id: &TxId) -> Result<Option<FootprintState>, String> {
        self.0.footprint(id).map_err(text)
    }
    fn rule(&self, r: &RecordRef) -> Result<Option<RuleState>, String> {
        self.0.rule(r).map_err(text)
    }
}

/// The author is active, signed alone, and (if given) holds `role`.
pub(super) fn sole_author<V: StateView + ?Sized>(
    view: &V,
    tx: &SignedTx,
    verify: &Verify<'_>,
    role: Option<Role>,
) -> Result<OrgState, TxError> {
    if tx.approvals.len() != 1 {
        return Err(TxError::UnexpectedApprovals);
    }
    let author = active_org(view, &tx.body.author)?;
    verify(
        &tx.body.author,
        &author.record.signing_key,
        &tx.approvals[0].signature,
    )?;
    if let Some(role) = role {
        if !author.record.roles.contains(role) {
            return Err(TxError::RoleRequired {
                org: tx.body.author,
                role,
            });
        }
    }
    Ok(author)
}

fn is_regulator(org: &OrgState) -> bool {
    org.record.roles.contains(Role::Regulator)
}

pub(super) fn publish_factor<V: StateView + ?Sized>(
    view: &V,
    tx: &SignedTx,
    index: u64,
    f: &FactorRecord,
) -> Result<Vec<StateChange>, TxError> {
    let author = tx.body.author;
    if view.factor(&f.reference)?.is_some() {
        return Err(TxError::RecordExists(format!("factor {}", f.reference)));
    }
    let mut changes = Vec::new();
    if let Some(old_version) = f.supersedes {
        let old_ref = RecordRef::new(f.reference.id.clone(), old_version);
        let mut old = view
            .factor(&old_ref)?
            .ok_or_else(|| TxError::UnknownRecord(format!("superseded factor {old_ref}")))?;
        if old.publisher != author {
            return Err(TxError::NotPermitted(format!(
                "factor {old_ref} was published by {}, not {author}",
                old.publisher
            )));
        }
        if !old.status.is_active() {
            return Err(TxError::InvalidRecord(format!(
                "superseded factor {old_ref} is already {}",
                old.status.word()
            )));
        }
        old.status = RecordStatus::Deprecated {
            by: f.reference.to_string(),
            at: index,
        };
        changes.push(StateChange::Factor(old_ref, Box::new(old)));
    }
    changes.push(StateChange::Factor(
        f.reference.clone(),
        Box::new(FactorState {
            record: f.clone(),
            publisher: author,
            tx: tx.id(),
            published_at: index,
            status: RecordStatus::Active,
        }),
    ));
    Ok(changes)
}

pub(super) fn revoke_factor<V: StateView + ?Sized>(
    view: &V,
    author: &OrgState,
    author_id: OrgId,
    index: u64,
    factor: &RecordRef,
    reason: &str,
) -> Result<Vec<StateChange>, TxError> {
    let mut f = view
        .factor(factor)?
        .ok_or_else(|| TxError::UnknownRecord(format!("factor {factor}")))?;
    if f.publisher != author_id && !is_regulator(author) {
        return Err(TxError::NotPermitted(format!(
            "only the publisher of {factor} or a regulator may revoke it"
        )));
    }
    if matches!(f.status, RecordStatus::Revoked { .. }) {
        return Err(TxError::InvalidRecord(format!(
            "factor {factor} is already revoked"
        )));
    }
    f.status = RecordStatus::Revoked {
        reason: reason.to_string(),
        at: index,
    };
    Ok(vec![StateChange::Factor(factor.clone(), Box::new(f))])
}

pub(super) fn publish_rule<V: StateView + ?Sized>(
    view: &V,
    tx: &SignedTx,
    index: u64,
    r: &ProductRule,
) -> Result<Vec<StateChange>, TxError> {
    let author = tx.body.author;
    if view.rule(&r.reference)?.is_some() {
        return Err(TxError::RecordExists(format!("rule {}", r.reference)));
    }
    let mut changes = Vec::new();
    if let Some(old_version) = r.supersedes {
        let old_ref = RecordRef::new(r.reference.id.clone(), old_version);
        let mut old = view
            .rule(&old_ref)?
            .ok_or_else(|| TxError::UnknownRecord(format!("superseded rule {old_ref}")))?;
        if !old.status.is_active() {
            return Err(TxError::InvalidRecord(format!(
                "superseded rule {old_ref} is already {}",
                old.status.word()
            )));
        }
        old.status = RecordStatus::Deprecated {
            by: r.reference.to_string(),
            at: index,
        };
        changes.push(StateChange::Rule(old_ref, Box::new(old)));
    }
    changes.push(StateChange::Rule(
        r.reference.clone(),
        Box::new(RuleState {
            rule: r.clone(),
            publisher: author,
            tx: tx.id(),
            published_at: index,
            status: RecordStatus::Active,
        }),
    ));
    Ok(changes)
}

pub(super) fn attest_footprint<V: StateView + ?Sized>(
    view: &V,
    tx: &SignedTx,
    index: u64,
    att: &Attestation,
    proof_verified: bool,
) -> Result<Vec<StateChange>, TxError> {
    let author = tx.body.author;
    let id = tx.id();
    compute::check_privacy(att).map_err(TxError::Footprint)?;
    let evaluation = compute::evaluate(att, &ViewResolver(view)).map_err(TxError::Footprint)?;
    match (&att.privacy, &evaluation.computed) {
        (Privacy::Public, Some(computed)) => {
            compute::check_results(att, computed).map_err(TxError::Footprint)?;
        }
        (Privacy::Public, None) => {
            return Err(TxError::InvalidRecord(
                "a public attestation must give every input's amount".into(),
            ))
        }
        // Stated figures: the form (no inputs, total = sum of categories)
        // is all there is to check; verification reports a declared leaf.
        (Privacy::Committed { .. } | Privacy::Declared(_), _) => {}
        (Privacy::Hidden(_), _) => {
            let network = view.network()?.ok_or(TxError::NoGenesis)?;
            let proof = if proof_verified {
                hidden::ProofCheck::AlreadyVerified
            } else {
                hidden::ProofCheck::Verify
            };
            hidden::verify_hidden_with(
                &network.network,
                author,
                att,
                &ViewResolver(view),
                compute::StatusPolicy::RequireActive,
                proof,
            )
            .map_err(|e| TxError::Hidden(Box::new(e)))?;
        }
    }
    let mut changes = Vec::new();
    if let Some(old_id) = att.supersedes {
        let mut old = view
            .footprint(&old_id)?
            .ok_or_else(|| TxError::UnknownRecord(format!("superseded footprint {old_id}")))?;
        if old.author != author {
            return Err(TxError::NotPermitted(format!(
                "footprint {old_id} was attested by {}, not {author}",
                old.author
            )));
        }
        if !old.status.is_active() {
            return Err(TxError::InvalidRecord(format!(
                "superseded footprint {old_id} is already {}",
                old.status.word()
            )));
        }
        old.status = RecordStatus::Deprecated {
            by: id.to_hex(),
            at: index,
        };
        changes.push(StateChange::Footprint(old_id, Box::new(old)));
    }
    for input in &att.inputs {
        changes.push(match &input.source {
            InputSource::Factor(r) => StateChange::UsesFactor {
                factor: r.clone(),
                footprint: id,
            },
            InputSource::Upstream(up) => StateChange::UsesFootprint {
                upstream: *up,
                downstream: id,
            },
        });
    }
    changes.push(StateChange::Footprint(
        id,
        Box::new(FootprintState {
            attestation: att.clone(),
            author,
            id,
            at: index,
            status: RecordStatus::Active,
            disclosures: Vec::new(),
        }),
    ));
    Ok(changes)
}

pub(super) fn disclose<V: StateView + ?Sized>(
    view: &V,
    tx: &SignedTx,
    index: u64,
    d: &Disclosure,
) -> Result<Vec<StateChange>, TxError> {
    let author = tx.body.author;
    let mut f = view
        .footprint(&d.footprint)?
        .ok_or_else(|| TxError::UnknownRecord(format!("footprint {}", d.footprint)))?;
    if f.author != author {
        return Err(TxError::NotPermitted(format!(
            "footprint {} was attested by {}; only its author discloses its data",
            d.footprint, f.author
        )));
    }
    if matches!(f.status, RecordStatus::Revoked { .. }) {
        return Err(TxError::InvalidRecord(format!(
            "footprint {} is revoked",
            d.footprint
        )));
    }
    if d.purpose == Purpose::Opening && f.attestation.privacy.hidden().is_none() {
        return Err(TxError::InvalidRecord(format!(
            "footprint {} is not hidden: its figures are on the ledger, there is no opening to disclose",
            d.footprint
        )));
    }
    active_org(view, &d.recipient)?;
    if f.disclosures
        .iter()
        .any(|r| r.disclosure.envelope == d.envelope)
    {
        return Err(TxError::RecordExists(format!(
            "envelope {} of footprint {}",
            d.envelope, d.footprint
        )));
    }
    if f.disclosures.len() >= MAX_DISCLOSURES {
        return Err(TxError::InvalidRecord(format!(
            "footprint {} already records {MAX_DISCLOSURES} disclosures, the most allowed",
            d.footprint
        )));
    }
    f.disclosures.push(DisclosureRecord {
        disclosure: d.clone(),
        tx: tx.id(),
        at: index,
    });
    Ok(vec![StateChange::Footprint(d.footprint, Box::new(f))])
}

pub(super) fn revoke_footprint<V: StateView + ?Sized>(
    view: &V,
    author: &OrgState,
    author_id: OrgId,
    index: u64,
    footprint: &TxId,
    reason: &str,
) -> Result<Vec<StateChange>, TxError> {
    let mut f = view
        .footprint(footprint)?
        .ok_or_else(|| TxError::UnknownRecord(format!("footprint {footprint}")))?;
    if f.author != author_id && !is_regulator(author) {
        return Err(TxError::NotPermitted(format!(
            "only the author of {footprint} or a regulator may revoke it"
        )));
    }
    if matches!(f.status, RecordStatus::Revoked { .. }) {
        return Err(TxError::InvalidRecord(format!(
            "footprint {footprint} is already revoked"
        )));
    }
    f.status = RecordStatus::Revoked {
        reason: reason.to_string(),
        at: index,
    };
    Ok(vec![StateChange::Footprint(*footprint, Box::new(f))])
}

pub(super) fn issue_certificate<V: StateView + ?Sized>(
    view: &V,
    tx: &SignedTx,
    index: u64,
    c: &Certificate,
) -> Result<Vec<StateChange>, TxError> {
    let issuer = tx.body.author;
    if view.certificate(&c.id)?.is_some() {
        return Err(TxError::RecordExists(format!("certificate {}", c.id)));
    }
    let footprint = view
        .footprint(&c.footprint)?
        .ok_or_else(|| TxError::UnknownRecord(format!("footprint {}", c.footprint)))?;
    if !footprint.status.is_active() {
        return Err(TxError::InvalidRecord(format!(
            "footprint {} is {}",
            c.footprint,
            footprint.status.word()
        )));
    }
    if matches!(&footprint.attestation.privacy, Privacy::Hidden(h) if h.published.is_none()) {
        return Err(TxError::InvalidRecord(format!(
            "footprint {} is hidden: its author must publish its figures (attest with a published opening) before it can be graded and labelled",
            c.footprint
        )));
    }
    if footprint.author == issuer {
        return Err(TxError::NotPermitted(
            "a certification body cannot certify its own footprint".into(),
        ));
    }
    if footprint.attestation.rule.as_ref() != Some(&c.rule) {
        return Err(TxError::InvalidRecord(format!(
            "footprint {} does not follow rule {}",
            c.footprint, c.rule
        )));
    }
    let rule = view
        .rule(&c.rule)?
        .ok_or_else(|| TxError::UnknownRecord(format!("rule {}", c.rule)))?;
    if !rule.status.is_active() {
        return Err(TxError::InvalidRecord(format!(
            "rule {} is {}",
            c.rule,
            rule.status.word()
        )));
    }
    let grade = rule.rule.grade(footprint.attestation.results.total_mg);
    if grade != c.grade {
        return Err(TxError::InvalidRecord(format!(
            "grade {} claimed, but {} mg per {} is grade {grade} under {}",
            c.grade,
            footprint.attestation.results.total_mg,
            footprint.attestation.declared_unit,
            c.rule
        )));
    }
    Ok(vec![StateChange::Certificate(
        c.id.clone(),
        Box::new(CertificateState {
            certificate: c.clone(),
            issuer,
            tx: tx.id(),
            issued_at: index,
            status: CertificateStatus::Active,
        }),
    )])
}

pub(super) fn set_certificate_status<V: StateView + ?Sized>(
    view: &V,
    author: &OrgState,
    author_id: OrgId,
    index: u64,
    certificate: &str,
    action: CertificateAction,
    reason: &str,
) -> Result<Vec<StateChange>, TxError> {
    let mut c = view
        .certificate(certificate)?
        .ok_or_else(|| TxError::UnknownRecord(format!("certificate {certificate}")))?;
    if c.issuer != author_id && !is_regulator(author) {
        return Err(TxError::NotPermitted(format!(
            "only the issuer of {certificate} or a regulator may change its status"
        )));
    }
    let reason = reason.to_string();
    c.status = match (&c.status, action) {
        (CertificateStatus::Active, CertificateAction::Suspend) => {
            CertificateStatus::Suspended { reason, at: index }
        }
        (CertificateStatus::Suspended { .. }, CertificateAction::Reinstate) => {
            CertificateStatus::Active
        }
        (
            CertificateStatus::Active | CertificateStatus::Suspended { .. },
            CertificateAction::Revoke,
        ) => CertificateStatus::Revoked { reason, at: index },
        (from, action) => {
            return Err(TxError::InvalidRecord(format!(
                "cannot {action:?} a certificate that is {from:?}"
            )))
        }
    };
    Ok(vec![StateChange::Certificate(
        certificate.to_string(),
        Box::new(c),
    )])
}

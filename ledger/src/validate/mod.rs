//! The acceptance rules: whether a transaction may enter the log after the
//! entries before it, and what it changes.
//!
//! Every node (when admitting, when applying a decided batch, when replaying
//! a log it synced) and the offline verifier run this same code, so "what a
//! node accepts" and "what a verifier accepts" cannot drift apart.
//!
//! [`check`] is deterministic: given the same state and transaction it gives
//! the same answer on every machine. It never panics on any input.

mod carbon;
mod error;
#[cfg(test)]
mod tests;

pub use carbon::ViewResolver;

pub use error::{ErrorClass, TxError};

use std::cell::RefCell;

use crate::crypto::{domain, PublicKey, Signature};
use crate::ids::OrgId;
use crate::state::{
    current_key_since, governance_quorum, NetworkInfo, OrgState, OrgStatus, RetiredKey,
    RetiredKeyValue, StateChange, StateView, ValidatorEpoch, MAX_RETIRED_KEYS,
};
use crate::tx::{
    Genesis, KeyRotation, NewKey, ObserverNode, Role, SignedTx, TxKind, ValidatorNode,
    MAX_OBSERVERS, MAX_VALIDATORS, MIN_VALIDATORS_AFTER_REMOVAL,
};

/// Signatures already verified for this exact transaction (e.g. at admission),
/// as (signer, key) pairs. A signature is re-verified unless its signer's
/// current key is in this list, so a key change between admission and
/// application is always caught.
pub type VerifiedSignatures<'a> = &'a [(OrgId, PublicKey)];

/// Checks `tx` as the entry at log index `index` after the state in `view`,
/// and returns the changes it makes. `verified` may name signatures already
/// checked for this transaction (see [`VerifiedSignatures`]).
pub fn check<V: StateView + ?Sized>(
    view: &V,
    tx: &SignedTx,
    index: u64,
    verified: VerifiedSignatures<'_>,
) -> Result<Accepted, TxError> {
    check_verified(
        view,
        tx,
        index,
        PreVerified {
            signatures: verified,
            proof: false,
        },
    )
}

/// What was already verified for this exact transaction (at admission).
#[derive(Clone, Copy, Debug, Default)]
pub struct PreVerified<'a> {
    /// Signatures, as in [`check`].
    pub signatures: VerifiedSignatures<'a>,
    /// A hidden attestation's zero-knowledge proof verified. Sound to skip:
    /// the proof's statement is fixed by the transaction's bytes and by
    /// ledger records that never change once written (a factor version's
    /// values, an upstream attestation's figures or commitment, the network
    /// name). Every other check (statuses, units, published figures) runs.
    pub proof: bool,
}

/// [`check`] with signatures and a proof already verified at admission.
pub fn check_verified<V: StateView + ?Sized>(
    view: &V,
    tx: &SignedTx,
    index: u64,
    verified: PreVerified<'_>,
) -> Result<Accepted, TxError> {
    let PreVerified {
        signatures: verified,
        proof: proof_verified,
    } = verified;
    let body_bytes = tx.body.encode();
    let signers = RefCell::new(Vec::with_capacity(tx.approvals.len()));
    let verify = |signer: &OrgId, key: &PublicKey, sig: &Signature| -> Result<(), TxError> {
        signers.borrow_mut().push((*signer, *key));
        if verified.iter().any(|(s, k)| s == signer && k == key) {
            return Ok(());
        }
        key.verify(domain::TX_V1, &body_bytes, sig)
            .map_err(|_| refused_signature(view, signer, &body_bytes, sig))
    };
    let changes = check_inner(view, tx, index, &verify, proof_verified)?;
    Ok(Accepted {
        changes,
        signers: signers.into_inner(),
        proof_verified: matches!(&tx.body.kind, TxKind::AttestFootprint(a) if a.privacy.hidden().is_some()),
    })
}

/// Why a signature that failed under the signer's key in force was refused:
/// if it verifies under a key the signer rotated out, say so (naming the
/// rotation, and the compromise if one was declared), else a bad signature.
fn refused_signature<V: StateView + ?Sized>(
    view: &V,
    signer: &OrgId,
    body_bytes: &[u8],
    sig: &Signature,
) -> TxError {
    let retired = match view.retired_keys(signer) {
        Ok(r) => r,
        Err(e) => return e.into(),
    };
    retired
        .iter()
        .rev()
        .find_map(|r| match r.key {
            RetiredKeyValue::Signing(key) if key.verify(domain::TX_V1, body_bytes, sig).is_ok() => {
                Some(TxError::KeyRotated {
                    signer: *signer,
                    key,
                    rotated_at: r.until,
                    compromised_since: r.compromised_since,
                })
            }
            _ => None,
        })
        .unwrap_or(TxError::BadSignature { signer: *signer })
}

/// A transaction that passed [`check`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Accepted {
    /// What it changes, to apply in order.
    pub changes: Vec<StateChange>,
    /// The (signer, key) pairs whose signatures were verified (or taken as verified).
    pub signers: Vec<(OrgId, PublicKey)>,
    /// It carries a zero-knowledge proof, which was verified (or taken as verified).
    pub proof_verified: bool,
}

type Verify<'a> = dyn Fn(&OrgId, &PublicKey, &Signature) -> Result<(), TxError> + 'a;

fn check_inner<V: StateView + ?Sized>(
    view: &V,
    tx: &SignedTx,
    index: u64,
    verify: &Verify<'_>,
    proof_verified: bool,
) -> Result<Vec<StateChange>, TxError> {
    tx.check_form()?;
    let body = &tx.body;

    if let TxKind::Genesis(genesis) = &body.kind {
        if view.network()?.is_some() || index != 0 {
            return Err(TxError::GenesisExists);
        }
        return check_genesis(tx, genesis, verify);
    }

    let network = view.network()?.ok_or(TxError::NoGenesis)?;
    if body.network != network.network {
        return Err(TxError::WrongNetwork {
            expected: network.network,
            got: body.network.clone(),
        });
    }
    if view.nonce_used(&body.author, body.nonce)? {
        return Err(TxError::NonceUsed {
            author: body.author,
            nonce: body.nonce,
        });
    }

    let mut changes = Vec::new();
    match &body.kind {
        TxKind::Genesis(_) => return Err(TxError::GenesisExists),
        TxKind::RegisterOrg(record) => {
            let id = record.id();
            if body.author != id {
                return Err(TxError::AuthorMismatch {
                    author: body.author,
                    expected: id,
                });
            }
            if view.org(&id)?.is_some() {
                return Err(TxError::OrgExists(id));
            }
            // The new organisation's own signature proves it holds the key.
            verify(&id, &record.signing_key, &tx.approvals[0].signature)?;
            let members = view.governance()?;
            check_quorum(view, tx, 1, &members, verify)?;
            let state = OrgState {
                record: record.clone(),
                status: OrgStatus::Active,
                registered_at: index,
                updated_at: index,
            };
            if record.roles.is_governance() {
                changes.push(StateChange::Governance(with_member(&members, id, true)));
            }
            changes.push(StateChange::Org(id, state));
        }
        TxKind::ChangeRoles { org, roles } => {
            let members = view.governance()?;
            check_quorum(view, tx, 0, &members, verify)?;
            let mut target = active_org(view, org)?;
            target.record.roles = *roles;
            target.updated_at = index;
            let governance = with_member(&members, *org, roles.is_governance());
            if governance.is_empty() {
                return Err(TxError::LastGovernanceMember(*org));
            }
            if governance != members {
                changes.push(StateChange::Governance(governance));
            }
            changes.push(StateChange::Org(*org, target));
        }
        TxKind::RevokeOrg { org, reason } => {
            let members = view.governance()?;
            check_quorum(view, tx, 0, &members, verify)?;
            let mut target = active_org(view, org)?;
            target.status = OrgStatus::Revoked {
                reason: reason.clone(),
                at: index,
            };
            target.updated_at = index;
            let governance = with_member(&members, *org, false);
            if governance.is_empty() {
                return Err(TxError::LastGovernanceMember(*org));
            }
            if governance != members {
                changes.push(StateChange::Governance(governance));
            }
            changes.push(StateChange::Org(*org, target));
        }
        TxKind::AnchorEvidence { .. } => {
            carbon::sole_author(view, tx, verify, None)?;
        }
        TxKind::PublishFactor(f) => {
            carbon::sole_author(view, tx, verify, Some(Role::FactorPublisher))?;
            changes.extend(carbon::publish_factor(view, tx, index, f)?);
        }
        TxKind::RevokeFactor { factor, reason } => {
            let author = carbon::sole_author(view, tx, verify, None)?;
            changes.extend(carbon::revoke_factor(
                view,
                &author,
                body.author,
                index,
                factor,
                reason,
            )?);
        }
        TxKind::PublishRule(r) => {
            carbon::sole_author(view, tx, verify, Some(Role::Regulator))?;
            changes.extend(carbon::publish_rule(view, tx, index, r)?);
        }
        TxKind::AttestFootprint(a) => {
            carbon::sole_author(view, tx, verify, Some(Role::Supplier))?;
            changes.extend(carbon::attest_footprint(
                view,
                tx,
                index,
                a,
                proof_verified,
            )?);
        }
        TxKind::RevokeFootprint { footprint, reason } => {
            let author = carbon::sole_author(view, tx, verify, None)?;
            changes.extend(carbon::revoke_footprint(
                view,
                &author,
                body.author,
                index,
                footprint,
                reason,
            )?);
        }
        TxKind::IssueCertificate(c) => {
            carbon::sole_author(view, tx, verify, Some(Role::Verifier))?;
            changes.extend(carbon::issue_certificate(view, tx, index, c)?);
        }
        TxKind::SetCertificateStatus {
            certificate,
            action,
            reason,
        } => {
            let author = carbon::sole_author(view, tx, verify, None)?;
            changes.extend(carbon::set_certificate_status(
                view,
                &author,
                body.author,
                index,
                certificate,
                *action,
                reason,
            )?);
        }
        TxKind::Disclose(d) => {
            carbon::sole_author(view, tx, verify, None)?;
            changes.extend(carbon::disclose(view, tx, index, d)?);
        }
        TxKind::RegisterObserver(node) => {
            let members = view.governance()?;
            check_quorum(view, tx, 0, &members, verify)?;
            changes.push(register_observer(view, node)?);
        }
        TxKind::AddValidator(node) => {
            let members = view.governance()?;
            check_quorum(view, tx, 0, &members, verify)?;
            changes.push(add_validator(view, node, index)?);
        }
        TxKind::RemoveValidator { name, .. } => {
            let members = view.governance()?;
            check_quorum(view, tx, 0, &members, verify)?;
            changes.push(remove_validator(view, name, index)?);
        }
        TxKind::RotateKey(rotation) => {
            changes.extend(rotate_key(
                view,
                tx,
                index,
                rotation,
                &network.network,
                verify,
            )?);
        }
        TxKind::RemoveObserver { key, .. } => {
            let members = view.governance()?;
            check_quorum(view, tx, 0, &members, verify)?;
            let mut observers = view.observers()?;
            let before = observers.len();
            observers.retain(|o| o.key != *key);
            if observers.len() == before {
                return Err(TxError::UnknownObserver(*key));
            }
            changes.push(StateChange::Observers(observers));
        }
    }
    changes.push(StateChange::Nonce(body.author, body.nonce));
    Ok(changes)
}

fn check_genesis(
    tx: &SignedTx,
    genesis: &Genesis,
    verify: &Verify<'_>,
) -> Result<Vec<StateChange>, TxError> {
    let ids: Vec<OrgId> = genesis.orgs.iter().map(|o| o.id()).collect();
    let mut sorted = ids.clone();
    sorted.sort_unstable();
    if sorted.windows(2).any(|w| w[0] == w[1]) {
        return Err(TxError::InvalidGenesis(
            "two organisations share a company id".into(),
        ));
    }
    if tx.body.author != ids[0] {
        return Err(TxError::AuthorMismatch {
            author: tx.body.author,
            expected: ids[0],
        });
    }
    // Every founding organisation signs, in the order listed.
    if tx.approvals.len() != genesis.orgs.len() {
        return Err(TxError::InvalidGenesis(format!(
            "{} organisations but {} signatures; each must sign",
            genesis.orgs.len(),
            tx.approvals.len()
        )));
    }
    for ((org, id), approval) in genesis.orgs.iter().zip(&ids).zip(&tx.approvals) {
        if approval.signer != *id {
            return Err(TxError::InvalidGenesis(
                "signatures must follow the order of the organisations".into(),
            ));
        }
        verify(id, &org.signing_key, &approval.signature)?;
    }
    let mut names: Vec<&str> = genesis.validators.iter().map(|v| v.name.as_str()).collect();
    names.sort_unstable();
    if names.windows(2).any(|w| w[0] == w[1]) {
        return Err(TxError::InvalidGenesis(
            "two validator nodes share a name".into(),
        ));
    }
    for v in &genesis.validators {
        let operator = genesis.orgs.iter().find(|o| o.id() == v.operator);
        if !operator.is_some_and(|o| o.roles.contains(Role::Validator)) {
            return Err(TxError::InvalidGenesis(format!(
                "validator node {} is not run by a founding organisation with the validator role",
                v.name
            )));
        }
    }
    let governance: Vec<OrgId> = sorted
        .iter()
        .copied()
        .filter(|id| {
            genesis
                .orgs
                .iter()
                .any(|o| o.id() == *id && o.roles.is_governance())
        })
        .collect();
    if governance.is_empty() {
        return Err(TxError::InvalidGenesis(
            "at least one founding organisation must be a regulator or validator".into(),
        ));
    }
    let network = NetworkInfo {
        network: tx.body.network.clone(),
        validators: genesis.validators.clone(),
        genesis_tx: tx.id(),
    };
    let mut changes = vec![
        StateChange::Validators(vec![ValidatorEpoch::genesis(&network)]),
        StateChange::Network(network),
    ];
    for (org, id) in genesis.orgs.iter().zip(ids) {
        changes.push(StateChange::Org(
            id,
            OrgState {
                record: org.clone(),
                status: OrgStatus::Active,
                registered_at: 0,
                updated_at: 0,
            },
        ));
    }
    changes.push(StateChange::Governance(governance));
    changes.push(StateChange::Nonce(tx.body.author, tx.body.nonce));
    Ok(changes)
}

/// The observer list with `node` added: its operator is an active regulator or
/// verifier, and its name and key are used by no validator or observer node.
fn register_observer<V: StateView + ?Sized>(
    view: &V,
    node: &ObserverNode,
) -> Result<StateChange, TxError> {
    let operator = active_org(view, &node.operator)?;
    let roles = operator.record.roles;
    if !(roles.contains(Role::Regulator) || roles.contains(Role::Verifier)) {
        return Err(TxError::ObserverOperatorRole(node.operator));
    }
    check_node_unused(view, &node.name, &node.key)?;
    let mut observers = view.observers()?;
    if observers.len() >= MAX_OBSERVERS {
        return Err(TxError::TooManyObservers {
            limit: MAX_OBSERVERS,
        });
    }
    observers.push(node.clone());
    Ok(StateChange::Observers(observers))
}

/// Refuses a node name or key used by any observer or by any validator that
/// ever was one: names and key ids identify signature lines in checkpoints,
/// old ones included, so they are never given to another node.
fn check_node_unused<V: StateView + ?Sized>(
    view: &V,
    name: &str,
    key: &PublicKey,
) -> Result<(), TxError> {
    let epochs = view.validator_epochs()?;
    let observers = view.observers()?;
    let nodes = || {
        let validators = epochs.iter().flat_map(|e| &e.validators);
        let validators = validators.map(|v| (&v.name, &v.key));
        validators.chain(observers.iter().map(|o| (&o.name, &o.key)))
    };
    if nodes().any(|(n, _)| n == name) {
        return Err(TxError::NodeNameTaken(name.to_string()));
    }
    if nodes().any(|(_, k)| k == key) {
        return Err(TxError::NodeKeyTaken(*key));
    }
    Ok(())
}

/// The validator history with a new epoch: the current set plus `node`, run
/// by an active organisation with the validator role.
fn add_validator<V: StateView + ?Sized>(
    view: &V,
    node: &ValidatorNode,
    index: u64,
) -> Result<StateChange, TxError> {
    let operator = active_org(view, &node.operator)?;
    if !operator.record.roles.contains(Role::Validator) {
        return Err(TxError::RoleRequired {
            org: node.operator,
            role: Role::Validator,
        });
    }
    check_node_unused(view, &node.name, &node.key)?;
    next_epoch(view, index, |validators| {
        if validators.len() >= MAX_VALIDATORS {
            return Err(TxError::TooManyValidators {
                limit: MAX_VALIDATORS,
            });
        }
        validators.push(node.clone());
        Ok(())
    })
}

/// The validator history with a new epoch: the current set without `name`,
/// keeping at least [`MIN_VALIDATORS_AFTER_REMOVAL`].
fn remove_validator<V: StateView + ?Sized>(
    view: &V,
    name: &str,
    index: u64,
) -> Result<StateChange, TxError> {
    next_epoch(view, index, |validators| {
        let before = validators.len();
        validators.retain(|v| v.name != name);
        if validators.len() == before {
            return Err(TxError::UnknownValidator(name.to_string()));
        }
        if validators.len() < MIN_VALIDATORS_AFTER_REMOVAL {
            return Err(TxError::TooFewValidators {
                remaining: validators.len(),
                min: MIN_VALIDATORS_AFTER_REMOVAL,
            });
        }
        Ok(())
    })
}

/// The validator history with one more epoch, made by the entry at `index`:
/// the set in force changed by `change` (its `first_size` is provisional:
/// see [`ValidatorEpoch`]).
fn next_epoch<V: StateView + ?Sized>(
    view: &V,
    index: u64,
    change: impl FnOnce(&mut Vec<ValidatorNode>) -> Result<(), TxError>,
) -> Result<StateChange, TxError> {
    let mut epochs = view.validator_epochs()?;
    let mut validators = epochs
        .last()
        .map(|e| e.validators.clone())
        .unwrap_or_default();
    change(&mut validators)?;
    epochs.push(ValidatorEpoch {
        change_index: index,
        first_size: index + 1,
        height: None,
        validators,
    });
    Ok(StateChange::Validators(epochs))
}

/// A key rotation (see [`KeyRotation`] for the two paths): the retired key
/// joins the organisation's history, the new one replaces it in the record.
fn rotate_key<V: StateView + ?Sized>(
    view: &V,
    tx: &SignedTx,
    index: u64,
    rotation: &KeyRotation,
    network: &str,
    verify: &Verify<'_>,
) -> Result<Vec<StateChange>, TxError> {
    let org = rotation.org;
    let mut target = active_org(view, &org)?;
    let by_owner = tx.body.author == org && tx.approvals.len() == 1;
    if by_owner {
        if rotation.compromised_since.is_some() {
            return Err(TxError::InvalidRotation(
                "only a governance quorum can declare a key compromised (whoever holds a stolen key could otherwise disown its owner's entries)".into(),
            ));
        }
        verify(&org, &target.record.signing_key, &tx.approvals[0].signature)?;
    } else {
        let members = view.governance()?;
        check_quorum(view, tx, 0, &members, verify)?;
    }
    if !rotation.possession_verifies(network) {
        return Err(TxError::InvalidRotation(
            "the new signing key's proof of possession does not verify".into(),
        ));
    }
    let mut retired = view.retired_keys(&org)?;
    if retired.len() >= MAX_RETIRED_KEYS {
        return Err(TxError::InvalidRotation(format!(
            "{org} has rotated {MAX_RETIRED_KEYS} keys, the most kept; register the organisation anew"
        )));
    }
    let purpose = rotation.new_key.purpose();
    let since = current_key_since(&target, &retired, purpose);
    let new = match &rotation.new_key {
        NewKey::Signing { key, .. } => RetiredKeyValue::Signing(*key),
        NewKey::Encryption { key } => RetiredKeyValue::Encryption(*key),
    };
    let record = &mut target.record;
    let old = match new {
        RetiredKeyValue::Signing(key) => {
            RetiredKeyValue::Signing(std::mem::replace(&mut record.signing_key, key))
        }
        RetiredKeyValue::Encryption(key) => {
            RetiredKeyValue::Encryption(std::mem::replace(&mut record.encryption_key, key))
        }
    };
    if new == old || retired.iter().any(|r| r.key == new) {
        return Err(TxError::InvalidRotation(format!(
            "the new {} key is {org}'s current or an earlier one",
            purpose.as_str()
        )));
    }
    if let Some(s) = rotation.compromised_since {
        if s < since || s > index {
            return Err(TxError::InvalidRotation(format!(
                "compromised_since {s} must lie between {since}, when the key came into force, and {index}, this rotation"
            )));
        }
    }
    retired.push(RetiredKey {
        key: old,
        from: since,
        until: index,
        compromised_since: rotation.compromised_since,
    });
    target.updated_at = index;
    Ok(vec![
        StateChange::RetiredKeys(org, retired),
        StateChange::Org(org, target),
    ])
}

fn active_org<V: StateView + ?Sized>(view: &V, id: &OrgId) -> Result<OrgState, TxError> {
    let org = view.org(id)?.ok_or(TxError::UnknownOrg(*id))?;
    if !org.is_active() {
        return Err(TxError::OrgRevoked(*id));
    }
    Ok(org)
}

/// Verifies approvals from `skip` on and counts those by governance members.
fn check_quorum<V: StateView + ?Sized>(
    view: &V,
    tx: &SignedTx,
    skip: usize,
    members: &[OrgId],
    verify: &Verify<'_>,
) -> Result<(), TxError> {
    let need = governance_quorum(members.len());
    let mut have = 0;
    for approval in tx.approvals.iter().skip(skip) {
        let signer = active_org(view, &approval.signer)?;
        if !members.contains(&approval.signer) {
            return Err(TxError::NotGovernance(approval.signer));
        }
        verify(
            &approval.signer,
            &signer.record.signing_key,
            &approval.signature,
        )?;
        have += 1;
    }
    if have < need {
        return Err(TxError::QuorumNotMet { have, need });
    }
    Ok(())
}

fn with_member(members: &[OrgId], id: OrgId, present: bool) -> Vec<OrgId> {
    let mut out: Vec<OrgId> = members.iter().copied().filter(|m| *m != id).collect();
    if present {
        out.push(id);
        out.sort_unstable();
    }
    out
}

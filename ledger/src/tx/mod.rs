//! Transactions: what authors sign and what the log records.
//!
//! A [`SignedTx`] is a [`TxBody`] plus approvals (signatures). Every approval
//! signs the same message, `"tanji/tx/v1" ‖ 0x00 ‖ borsh(body)`; the first
//! approval is always the author's. Governance transactions carry further
//! approvals from a quorum of regulators and validators.
//!
//! The log entry is `borsh(SignedTx)`; its leaf hash is
//! `BLAKE3(0x00 ‖ entry)`. The transaction id covers only the body, so it
//! names what was decided, not who co-signed it.
//!
//! Well-formedness ([`SignedTx::check_form`]) is everything that can be
//! checked without the ledger's state: size limits, text fields, key
//! encodings. State-dependent rules live in [`crate::validate`].
//!
//! The borsh layout of every type here is pinned by golden tests: new
//! transaction kinds are appended to [`TxKind`], never inserted.

mod keys;
mod org;

use borsh::{BorshDeserialize, BorshSerialize};
use serde::{Deserialize, Serialize};

pub use keys::{KeyPurpose, KeyRotation, NewKey};
pub use org::{Genesis, ObserverNode, OrgRecord, Role, Roles, ValidatorNode};

use crate::carbon::{
    Attestation, Certificate, CertificateAction, Disclosure, FactorRecord, ProductRule, RecordRef,
};
use crate::crypto::{domain, PublicKey, SecretKey, Signature};
use crate::encoding::{self, DecodeError};
use crate::ids::{OrgId, TxId};

/// Largest encoded transaction accepted anywhere (HTTP, network, log).
pub const MAX_TX_BYTES: usize = 128 * 1024;
/// Most approvals one transaction may carry.
pub const MAX_APPROVALS: usize = 64;
/// Longest network name.
pub const MAX_NETWORK_LEN: usize = 64;
/// Longest display name or label.
pub const MAX_NAME_LEN: usize = 256;
/// Longest company id URN.
pub const MAX_COMPANY_ID_LEN: usize = 128;
/// Longest free-text reason (e.g. for a revocation).
pub const MAX_REASON_LEN: usize = 1024;
/// Most organisations or validators in a genesis.
pub const MAX_GENESIS_MEMBERS: usize = 64;
/// Most observer nodes registered at once (the list is stored as one value).
pub const MAX_OBSERVERS: usize = 64;
/// Most validator nodes in force at once (Malachite's votes and every
/// checkpoint carry one line per validator).
pub const MAX_VALIDATORS: usize = MAX_GENESIS_MEMBERS;
/// Fewest validators a removal may leave: four tolerate one faulty node
/// (`n >= 3f + 1`); to replace a node in a smaller set, add first.
pub const MIN_VALIDATORS_AFTER_REMOVAL: usize = 4;

/// What the author signs.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
pub struct TxBody {
    /// The network this transaction is for (the genesis' network name, which is
    /// also the checkpoint origin); a transaction signed for one network is
    /// invalid on every other.
    pub network: String,
    /// The organisation that authors the transaction.
    pub author: OrgId,
    /// Replay protection: each (author, nonce) pair is accepted once.
    pub nonce: u64,
    /// What the transaction does.
    pub kind: TxKind,
}

/// The kinds of transaction. Append new kinds at the end: the variant index is
/// the encoding's tag.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TxKind {
    /// Starts the network. Only valid as entry 0.
    Genesis(Genesis),
    /// Admits an organisation. Authored (and so key-possession-proved) by the new
    /// organisation, approved by a governance quorum.
    RegisterOrg(OrgRecord),
    /// Replaces an organisation's roles. Needs a governance quorum.
    ChangeRoles {
        /// The organisation whose roles change.
        org: OrgId,
        /// Its new roles.
        roles: Roles,
    },
    /// Revokes an organisation (失信名单): it can sign nothing from now on.
    /// Needs a governance quorum.
    RevokeOrg {
        /// The organisation revoked.
        org: OrgId,
        /// Why, for the public record.
        reason: String,
    },
    /// Anchors the digest of an off-ledger document (an audit report, metering
    /// data, a raw-data commitment) to the log under the author's signature.
    AnchorEvidence {
        /// BLAKE3 (or other 32-byte) digest of the document.
        digest: [u8; 32],
        /// What the document is, e.g. "2025 electricity meter readings, line 3".
        label: String,
    },
    /// Publishes a version of an emission factor (factor-publisher role).
    PublishFactor(FactorRecord),
    /// Withdraws a factor version (its publisher or a regulator).
    RevokeFactor {
        /// The factor version.
        factor: RecordRef,
        /// Why.
        reason: String,
    },
    /// Publishes a version of a product rule (regulator role).
    PublishRule(ProductRule),
    /// Attests a product footprint (supplier role); nodes recompute public ones.
    AttestFootprint(Attestation),
    /// Withdraws an attestation (its author or a regulator).
    RevokeFootprint {
        /// The attestation.
        footprint: TxId,
        /// Why.
        reason: String,
    },
    /// Certifies an attestation against a product rule (verifier role).
    IssueCertificate(Certificate),
    /// Suspends, reinstates or revokes a certificate (its issuer or a regulator).
    SetCertificateStatus {
        /// Certificate id.
        certificate: String,
        /// What happens.
        action: CertificateAction,
        /// Why.
        reason: String,
    },
    /// Registers an observer node (see [`ObserverNode`]). Needs a governance quorum.
    RegisterObserver(ObserverNode),
    /// Removes a registered observer node. Needs a governance quorum.
    RemoveObserver {
        /// The observer node's key.
        key: PublicKey,
        /// Why, for the public record.
        reason: String,
    },
    /// Records that the author sealed an envelope about one of its footprints
    /// to a named organisation (the envelope stays off the log).
    Disclose(Disclosure),
    /// Adds a validator node to the set that orders transactions and signs
    /// checkpoints. Needs a governance quorum. In force after the batch that
    /// records it (see [`crate::state::ValidatorEpoch`]).
    AddValidator(ValidatorNode),
    /// Removes a validator node from the set. Needs a governance quorum. Its
    /// name is never used again; a node key is rotated by adding the node
    /// under a new name with the new key, then removing the old one.
    RemoveValidator {
        /// The validator node's name (as in its checkpoint signature lines).
        name: String,
        /// Why, for the public record.
        reason: String,
    },
    /// Replaces an organisation's signing or X25519 key: signed by the
    /// organisation's current key, or approved by a governance quorum when
    /// that key is lost or compromised (see [`KeyRotation`]).
    RotateKey(KeyRotation),
}

impl TxKind {
    /// A short name for logs, metrics and JSON.
    pub fn name(&self) -> &'static str {
        match self {
            TxKind::Genesis(_) => "genesis",
            TxKind::RegisterOrg(_) => "register_org",
            TxKind::ChangeRoles { .. } => "change_roles",
            TxKind::RevokeOrg { .. } => "revoke_org",
            TxKind::AnchorEvidence { .. } => "anchor_evidence",
            TxKind::PublishFactor(_) => "publish_factor",
            TxKind::RevokeFactor { .. } => "revoke_factor",
            TxKind::PublishRule(_) => "publish_rule",
            TxKind::AttestFootprint(_) => "attest_footprint",
            TxKind::RevokeFootprint { .. } => "revoke_footprint",
            TxKind::IssueCertificate(_) => "issue_certificate",
            TxKind::SetCertificateStatus { .. } => "set_certificate_status",
            TxKind::RegisterObserver(_) => "register_observer",
            TxKind::RemoveObserver { .. } => "remove_observer",
            TxKind::Disclose(_) => "disclose",
            TxKind::AddValidator(_) => "add_validator",
            TxKind::RemoveValidator { .. } => "remove_validator",
            TxKind::RotateKey(_) => "rotate_key",
        }
    }

    /// Whether the kind always needs a governance quorum's approvals (a key
    /// rotation needs one only when the organisation does not sign it alone).
    pub fn is_governance(&self) -> bool {
        matches!(
            self,
            TxKind::RegisterOrg(_)
                | TxKind::ChangeRoles { .. }
                | TxKind::RevokeOrg { .. }
                | TxKind::RegisterObserver(_)
                | TxKind::RemoveObserver { .. }
                | TxKind::AddValidator(_)
                | TxKind::RemoveValidator { .. }
        )
    }
}

/// One signature over the body by a named organisation.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
pub struct Approval {
    /// Who signed.
    pub signer: OrgId,
    /// The signature over `"tanji/tx/v1" ‖ 0x00 ‖ borsh(body)`.
    pub signature: Signature,
}

/// A transaction with its approvals; `borsh(SignedTx)` is a log entry.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
pub struct SignedTx {
    /// What was signed.
    pub body: TxBody,
    /// The author's signature first, then any further approvals.
    pub approvals: Vec<Approval>,
}

/// A transaction is not well-formed, whatever the state.
#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
pub enum FormError {
    /// The bytes did not decode.
    #[error(transparent)]
    Decode(#[from] DecodeError),
    /// A field breaks a limit or a syntax rule.
    #[error("{field}: {problem}")]
    Field {
        /// Which field.
        field: &'static str,
        /// What is wrong with it.
        problem: String,
    },
}

pub(crate) fn field(field: &'static str, problem: impl Into<String>) -> FormError {
    FormError::Field {
        field,
        problem: problem.into(),
    }
}

/// Checks a human-readable text field with the ledger's one text rule
/// ([`crate::text::check_text`]), reporting a problem as field `name`.
pub(crate) fn check_text(
    name: &'static str,
    s: &str,
    max: usize,
    allow_empty: bool,
) -> Result<(), FormError> {
    crate::text::check_text(s, max, allow_empty).map_err(|p| field(name, p.to_string()))
}

/// Network names are also checkpoint origins: printable ASCII without spaces
/// or `+`, and never starting with `tanji/` (reserved for signing contexts).
pub fn check_network_name(s: &str) -> Result<(), FormError> {
    if s.is_empty() || s.len() > MAX_NETWORK_LEN {
        return Err(field(
            "network",
            format!("must be 1..={MAX_NETWORK_LEN} bytes"),
        ));
    }
    if !s.bytes().all(|b| b.is_ascii_graphic() && b != b'+') {
        return Err(field(
            "network",
            "must be printable ASCII without spaces or '+'",
        ));
    }
    if s.starts_with("tanji/") {
        return Err(field("network", "must not start with 'tanji/'"));
    }
    Ok(())
}

/// Company ids are URNs: `urn:<namespace>:<id>`, printable ASCII.
fn check_company_id(s: &str) -> Result<(), FormError> {
    if s.len() > MAX_COMPANY_ID_LEN {
        return Err(field(
            "company_id",
            format!("more than {MAX_COMPANY_ID_LEN} bytes"),
        ));
    }
    let mut parts = s.splitn(3, ':');
    let ok = parts.next().is_some_and(|p| p.eq_ignore_ascii_case("urn"))
        && parts.next().is_some_and(|p| !p.is_empty())
        && parts.next().is_some_and(|p| !p.is_empty())
        && s.bytes().all(|b| b.is_ascii_graphic());
    if !ok {
        return Err(field(
            "company_id",
            format!("{s:?} is not a URN like urn:uscc:91110108MA01XXXXXX"),
        ));
    }
    Ok(())
}

fn check_key(name: &'static str, key: &PublicKey) -> Result<(), FormError> {
    key.check().map_err(|e| field(name, e.to_string()))
}

impl OrgRecord {
    /// Well-formedness of a registration record.
    pub fn check_form(&self) -> Result<(), FormError> {
        check_text("name", &self.name, MAX_NAME_LEN, false)?;
        check_company_id(&self.company_id)?;
        check_key("signing_key", &self.signing_key)?;
        if self.roles.is_empty() {
            return Err(field("roles", "at least one role is needed"));
        }
        Ok(())
    }
}

impl TxBody {
    /// The canonical encoding of the body (what is signed and what the id covers).
    pub fn encode(&self) -> Vec<u8> {
        encoding::encode(self)
    }
    /// The transaction id.
    pub fn id(&self) -> TxId {
        TxId::of_body_bytes(&self.encode())
    }
}

impl SignedTx {
    /// Signs `body` by each key in order (the author's first) and returns the
    /// transaction.
    pub fn sign(body: TxBody, signers: &[(OrgId, &SecretKey)]) -> Self {
        let bytes = body.encode();
        let approvals = signers
            .iter()
            .map(|(signer, key)| Approval {
                signer: *signer,
                signature: key.sign(domain::TX_V1, &bytes),
            })
            .collect();
        SignedTx { body, approvals }
    }

    /// Adds one more approval (for governance transactions passed between approvers).
    pub fn approve(&mut self, signer: OrgId, key: &SecretKey) {
        let signature = key.sign(domain::TX_V1, &self.body.encode());
        self.approvals.push(Approval { signer, signature });
    }

    /// The canonical encoding: the log entry.
    pub fn encode(&self) -> Vec<u8> {
        encoding::encode(self)
    }

    /// Decodes an entry from untrusted bytes and checks its form.
    pub fn decode(bytes: &[u8]) -> Result<Self, FormError> {
        let tx: SignedTx = encoding::decode(bytes, MAX_TX_BYTES)?;
        tx.check_form()?;
        Ok(tx)
    }

    /// The transaction id.
    pub fn id(&self) -> TxId {
        self.body.id()
    }

    /// Everything that can be checked without state.
    pub fn check_form(&self) -> Result<(), FormError> {
        let encoded_len = borsh::object_length(self).unwrap_or(usize::MAX);
        if encoded_len > MAX_TX_BYTES {
            return Err(FormError::Decode(DecodeError::TooLarge {
                len: encoded_len,
                limit: MAX_TX_BYTES,
            }));
        }
        check_network_name(&self.body.network)?;
        if self.approvals.is_empty() {
            return Err(field("approvals", "the author's signature is missing"));
        }
        if self.approvals.len() > MAX_APPROVALS {
            return Err(field(
                "approvals",
                format!(
                    "{} approvals, more than {MAX_APPROVALS}",
                    self.approvals.len()
                ),
            ));
        }
        if self.approvals[0].signer != self.body.author {
            return Err(field(
                "approvals",
                "the first approval must be the author's",
            ));
        }
        let mut signers: Vec<OrgId> = self.approvals.iter().map(|a| a.signer).collect();
        signers.sort_unstable();
        if signers.windows(2).any(|w| w[0] == w[1]) {
            return Err(field("approvals", "an organisation signed twice"));
        }
        match &self.body.kind {
            TxKind::Genesis(g) => {
                if g.orgs.is_empty() || g.orgs.len() > MAX_GENESIS_MEMBERS {
                    return Err(field(
                        "genesis.orgs",
                        format!("must list 1..={MAX_GENESIS_MEMBERS} organisations"),
                    ));
                }
                if g.validators.is_empty() || g.validators.len() > MAX_GENESIS_MEMBERS {
                    return Err(field(
                        "genesis.validators",
                        format!("must list 1..={MAX_GENESIS_MEMBERS} validator nodes"),
                    ));
                }
                for org in &g.orgs {
                    org.check_form()?;
                }
                for v in &g.validators {
                    check_key("genesis.validators.key", &v.key)?;
                    check_note_key_name(&v.name)?;
                }
            }
            TxKind::RegisterOrg(record) => record.check_form()?,
            TxKind::ChangeRoles { .. } => {}
            TxKind::RevokeOrg { reason, .. } => {
                check_text("reason", reason, MAX_REASON_LEN, false)?;
            }
            TxKind::AnchorEvidence { label, .. } => {
                check_text("label", label, MAX_NAME_LEN, false)?;
            }
            TxKind::PublishFactor(f) => crate::carbon::form::check_factor(f)?,
            TxKind::RevokeFactor { factor, reason } => {
                factor.check().map_err(|p| field("factor", p))?;
                check_text("reason", reason, MAX_REASON_LEN, false)?;
            }
            TxKind::PublishRule(r) => crate::carbon::form::check_rule(r)?,
            TxKind::AttestFootprint(a) => {
                crate::carbon::compute::check_form(a)
                    .map_err(|e| field("attestation", e.to_string()))?;
                if a.privacy.hidden().is_some() {
                    crate::carbon::hidden::check_hidden_form(a)
                        .map_err(|e| field("attestation", e.to_string()))?;
                }
            }
            TxKind::RevokeFootprint { reason, .. } => {
                check_text("reason", reason, MAX_REASON_LEN, false)?;
            }
            TxKind::IssueCertificate(c) => crate::carbon::form::check_certificate(c)?,
            TxKind::SetCertificateStatus {
                certificate,
                reason,
                ..
            } => {
                crate::carbon::form::check_certificate_id(certificate)?;
                check_text("reason", reason, MAX_REASON_LEN, false)?;
            }
            TxKind::RegisterObserver(node) => {
                check_key("observer.key", &node.key)?;
                check_key_name("observer.name", &node.name)?;
            }
            TxKind::RemoveObserver { key, reason } => {
                check_key("key", key)?;
                check_text("reason", reason, MAX_REASON_LEN, false)?;
            }
            TxKind::AddValidator(node) => {
                check_key("validator.key", &node.key)?;
                check_key_name("validator.name", &node.name)?;
            }
            TxKind::RemoveValidator { name, reason } => {
                check_key_name("name", name)?;
                check_text("reason", reason, MAX_REASON_LEN, false)?;
            }
            TxKind::RotateKey(rotation) => rotation.check_form()?,
            TxKind::Disclose(d) => {
                if d.size == 0 || d.size as usize > crate::sealed::MAX_ENVELOPE_BYTES {
                    return Err(field(
                        "disclosure.size",
                        format!(
                            "{} bytes; an envelope has 1..={} bytes",
                            d.size,
                            crate::sealed::MAX_ENVELOPE_BYTES
                        ),
                    ));
                }
                if d.recipient == self.body.author {
                    return Err(field(
                        "disclosure.recipient",
                        "an organisation does not disclose to itself",
                    ));
                }
            }
        }
        Ok(())
    }
}

/// Key names in signed notes ([`crate::text::check_key_name`]: 1..=64
/// printable ASCII bytes, no spaces or `+`).
pub fn check_note_key_name(s: &str) -> Result<(), FormError> {
    check_key_name("validators.name", s)
}

/// [`check_note_key_name`], reporting problems as `name`.
fn check_key_name(name: &'static str, s: &str) -> Result<(), FormError> {
    crate::text::check_key_name(s).map_err(|p| field(name, p.to_string()))
}

#[cfg(test)]
mod tests;

//! Deterministic networks and transactions for tests and benchmarks.
//!
//! Keys derive from fixed seeds, so ids, encodings and signatures built here
//! are stable across runs (golden tests rely on that). Not for production keys.

use crate::checkpoint::NoteSigner;
use crate::crypto::{EncryptionSecret, SecretKey};
use crate::keyfile::OrgKeyFile;
use crate::tx::{Genesis, ObserverNode, Role, Roles, SignedTx, TxBody, TxKind, ValidatorNode};

/// An organisation with keys derived from `seed`.
pub fn org(seed: u8, name: &str, company_id: &str, roles: &[Role]) -> OrgKeyFile {
    let signing = SecretKey::from_seed(&[seed; 32]);
    let encryption = EncryptionSecret::from_bytes([seed.wrapping_add(128); 32]);
    let roles: Roles = roles.iter().copied().collect();
    OrgKeyFile::from_secrets(name, company_id, roles, &signing, &encryption)
}

/// A small network: one regulator, one operator running one validator node.
pub struct TestNet {
    /// Network name.
    pub network: String,
    /// A regulator.
    pub regulator: OrgKeyFile,
    /// The validator operator.
    pub operator: OrgKeyFile,
    /// The validator node's checkpoint signer.
    pub node: NoteSigner,
}

impl Default for TestNet {
    fn default() -> Self {
        Self::new()
    }
}

impl TestNet {
    /// The standard test network.
    pub fn new() -> Self {
        Self {
            network: "test.tanji.local".into(),
            regulator: org(
                1,
                "Test Regulator",
                "urn:uscc:11110000000000001A",
                &[Role::Regulator],
            ),
            operator: org(
                2,
                "Test Operator",
                "urn:uscc:91110000000000002B",
                &[Role::Validator],
            ),
            node: NoteSigner {
                name: "validator-0".into(),
                key: SecretKey::from_seed(&[3; 32]),
            },
        }
    }

    /// A supplier with keys from `seed` (use seeds ≥ 10).
    pub fn supplier(&self, seed: u8) -> OrgKeyFile {
        org(
            seed,
            &format!("Supplier {seed}"),
            &format!("urn:uscc:9111000000000{seed:05}"),
            &[Role::Supplier],
        )
    }

    /// The genesis entry.
    pub fn genesis(&self) -> SignedTx {
        let body = TxBody {
            network: self.network.clone(),
            author: self.regulator.org_id,
            nonce: 0,
            kind: TxKind::Genesis(Genesis {
                orgs: vec![self.regulator.record(), self.operator.record()],
                validators: vec![ValidatorNode {
                    operator: self.operator.org_id,
                    name: self.node.name.clone(),
                    key: self.node.key.public(),
                }],
            }),
        };
        SignedTx::sign(
            body,
            &[
                (self.regulator.org_id, &key(&self.regulator)),
                (self.operator.org_id, &key(&self.operator)),
            ],
        )
    }

    /// `org`'s registration, approved by both governance members.
    pub fn register(&self, org: &OrgKeyFile) -> SignedTx {
        let body = TxBody {
            network: self.network.clone(),
            author: org.org_id,
            nonce: 0,
            kind: TxKind::RegisterOrg(org.record()),
        };
        let mut tx = SignedTx::sign(body, &[(org.org_id, &key(org))]);
        tx.approve(self.regulator.org_id, &key(&self.regulator));
        tx.approve(self.operator.org_id, &key(&self.operator));
        tx
    }

    /// A governance transaction authored by the regulator and approved by the
    /// operator (a quorum of the standard network's two members).
    pub fn governance(&self, nonce: u64, kind: TxKind) -> SignedTx {
        let body = TxBody {
            network: self.network.clone(),
            author: self.regulator.org_id,
            nonce,
            kind,
        };
        SignedTx::sign(
            body,
            &[
                (self.regulator.org_id, &key(&self.regulator)),
                (self.operator.org_id, &key(&self.operator)),
            ],
        )
    }

    /// An observer node run by the regulator, with its key from `seed` (use seeds ≥ 100).
    pub fn observer(&self, seed: u8, name: &str) -> ObserverNode {
        ObserverNode {
            operator: self.regulator.org_id,
            name: name.to_string(),
            key: SecretKey::from_seed(&[seed; 32]).public(),
        }
    }

    /// An evidence anchor by `org`.
    pub fn anchor(&self, org: &OrgKeyFile, nonce: u64, label: &str) -> SignedTx {
        let body = TxBody {
            network: self.network.clone(),
            author: org.org_id,
            nonce,
            kind: TxKind::AnchorEvidence {
                digest: *blake3::hash(label.as_bytes()).as_bytes(),
                label: label.to_string(),
            },
        };
        SignedTx::sign(body, &[(org.org_id, &key(org))])
    }
}

/// The signing key of a key file built here (always valid).
pub fn key(org: &OrgKeyFile) -> SecretKey {
    SecretKey::from_seed(&crate::crypto::decode_hex_32(&org.signing_secret).unwrap_or([0; 32]))
}

//! Building and signing common transactions.

use tanji_ledger::keyfile::OrgKeyFile;
use tanji_ledger::tx::{SignedTx, TxBody, TxKind};
use tanji_ledger::OrgId;

use crate::{Client, ClientError};

/// A nonce for `org`'s next transaction: one past the highest it has used
/// (0 for an organisation not yet registered).
pub async fn next_nonce(client: &Client, org: &OrgId) -> Result<u64, ClientError> {
    match client.org(org).await {
        Ok(view) => Ok(view.last_nonce.map_or(0, |n| n.saturating_add(1))),
        Err(e) if e.status() == Some(404) => Ok(0),
        Err(e) => Err(e),
    }
}

/// A registration of `new`, signed by it and approved by `approvers`.
pub fn register_org(
    network: &str,
    new: &OrgKeyFile,
    approvers: &[OrgKeyFile],
) -> Result<SignedTx, tanji_ledger::crypto::KeyError> {
    let body = TxBody {
        network: network.to_string(),
        author: new.org_id,
        nonce: 0,
        kind: TxKind::RegisterOrg(new.record()),
    };
    let own = new.signing_key()?;
    let mut tx = SignedTx::sign(body, &[(new.org_id, &own)]);
    for a in approvers {
        tx.approve(a.org_id, &a.signing_key()?);
    }
    Ok(tx)
}

/// A transaction by `author` alone.
pub fn single(
    network: &str,
    author: &OrgKeyFile,
    nonce: u64,
    kind: TxKind,
) -> Result<SignedTx, tanji_ledger::crypto::KeyError> {
    let body = TxBody {
        network: network.to_string(),
        author: author.org_id,
        nonce,
        kind,
    };
    let key = author.signing_key()?;
    Ok(SignedTx::sign(body, &[(author.org_id, &key)]))
}

/// Signing a transaction for a node failed.
#[derive(Debug, thiserror::Error)]
pub enum SignError {
    /// The node could not be asked for its network or the next nonce.
    #[error(transparent)]
    Client(#[from] ClientError),
    /// The key file's secret is unusable.
    #[error(transparent)]
    Key(#[from] tanji_ledger::crypto::KeyError),
}

/// A transaction by `author` alone for the node's network, with the author's next nonce.
pub async fn sign_as(
    client: &Client,
    author: &OrgKeyFile,
    kind: TxKind,
) -> Result<SignedTx, SignError> {
    let network = client.network().await?.network;
    let nonce = next_nonce(client, &author.org_id).await?;
    Ok(single(&network, author, nonce, kind)?)
}

/// The rotation that puts `new`'s key of `purpose` in force for its
/// organisation on `network` (with the proof of possession of a new signing
/// key). `compromised_since` is for the governance path only.
pub fn rotate_key(
    network: &str,
    new: &OrgKeyFile,
    purpose: tanji_ledger::tx::KeyPurpose,
    compromised_since: Option<u64>,
) -> Result<TxKind, tanji_ledger::crypto::KeyError> {
    use tanji_ledger::tx::{KeyPurpose, KeyRotation, NewKey};
    let new_key = match purpose {
        KeyPurpose::Signing => {
            let secret = new.signing_key()?;
            NewKey::Signing {
                key: secret.public(),
                possession: KeyRotation::prove_possession(network, &new.org_id, &secret),
            }
        }
        KeyPurpose::Encryption => NewKey::Encryption {
            key: new.encryption_secret()?.public(),
        },
    };
    Ok(TxKind::RotateKey(KeyRotation {
        org: new.org_id,
        new_key,
        compromised_since,
    }))
}

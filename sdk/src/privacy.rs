//! Hidden footprints from the client's side: attesting with a proof, sealing
//! openings and raw data to the organisations entitled to them, and opening
//! what was sealed to us.
//!
//! The flows (the CLI, the demo loader and the tests share them):
//! - [`attest_hidden`]: build the hidden attestation of a model (on the
//!   suppliers' openings), sign it, keep its secrets, submit it.
//! - [`disclose`]: seal an opening or raw data to an organisation's
//!   registered X25519 key, record the `disclose` transaction, then deposit
//!   the envelope on the node (signed request).
//! - [`open_disclosed`]: fetch an envelope disclosed to us (signed request),
//!   check it against the hash on the ledger, open it, and check an opening
//!   against the footprint's commitment (so a wrong or forged envelope is
//!   refused, whoever sealed it).
//!
//! Trust: the recipient's key is read from the node the author uses; an
//! author who does not trust that node compares the key with the
//! recipient's registration entry first.

use std::path::Path;
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};
use tanji_api_types::tx::TxState;
use tanji_authoring::model::Model;
use tanji_ledger::carbon::hidden::{HiddenBuild, UpstreamOpenings};
use tanji_ledger::carbon::tree::TreeData;
use tanji_ledger::carbon::{Disclosure, DisclosureRecord, FootprintState, Privacy};
use tanji_ledger::keyfile::OrgKeyFile;
use tanji_ledger::sealed::{
    self, Envelope, EnvelopeBinding, EnvelopeHash, Purpose, RawData, SealedContent,
};
use tanji_ledger::tx::{SignedTx, TxKind};
use tanji_ledger::zk::FootprintOpening;
use tanji_ledger::{OrgId, TxId};

use crate::build;
use crate::{Client, ClientError};

/// A privacy flow failed.
#[derive(Debug, thiserror::Error)]
pub enum PrivacyError {
    /// The node refused or could not be reached.
    #[error(transparent)]
    Client(#[from] ClientError),
    /// Signing failed (unusable key file).
    #[error(transparent)]
    Sign(#[from] build::SignError),
    /// A key file's secret is unusable.
    #[error(transparent)]
    Key(#[from] tanji_ledger::crypto::KeyError),
    /// The model or its proof could not be built.
    #[error(transparent)]
    Model(#[from] tanji_authoring::model::ModelError),
    /// Sealing failed.
    #[error(transparent)]
    Seal(#[from] sealed::SealError),
    /// Opening failed (not ours, tampered, wrong binding).
    #[error(transparent)]
    Open(#[from] sealed::OpenError),
    /// The envelope bytes are malformed.
    #[error(transparent)]
    Envelope(#[from] sealed::EnvelopeError),
    /// Anything else, explained.
    #[error("{0}")]
    Other(String),
}

fn other(s: impl Into<String>) -> PrivacyError {
    PrivacyError::Other(s.into())
}

/// What the author of a hidden footprint keeps (written to a private file
/// before the attestation is submitted: without it the commitment can never
/// be opened).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct SecretsFile {
    /// The attestation's id.
    pub footprint: TxId,
    /// Network name.
    pub network: String,
    /// The author.
    pub author: OrgId,
    /// Hex of the opening's bytes (values and blindings).
    pub opening: String,
    /// The opened values, mg per declared unit, per category (for people).
    pub values_mg: [i64; 5],
    /// Hex of the raw data (the sealed-content encoding), if the author kept it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub raw_data: Option<String>,
    /// A reminder of what this is.
    pub note: String,
}

impl SecretsFile {
    /// The file for a just-built hidden footprint.
    pub fn new(footprint: TxId, network: &str, author: OrgId, build: &HiddenBuild) -> Self {
        let raw = SealedContent::RawData(RawData {
            witness: build.witness.clone(),
            model: None,
        });
        SecretsFile {
            footprint,
            network: network.to_string(),
            author,
            opening: hex::encode(&*build.opening.to_bytes()),
            values_mg: build.opening.values,
            raw_data: Some(hex::encode(&*raw.to_bytes())),
            note: "secrets of a hidden footprint: seal the opening to customers, the raw data to auditors; never publish this file".into(),
        }
    }

    /// The opening.
    pub fn opening(&self) -> Result<FootprintOpening, PrivacyError> {
        let bytes = hex::decode(&self.opening).map_err(|e| other(format!("opening: {e}")))?;
        FootprintOpening::from_bytes(&bytes).ok_or_else(|| other("opening: malformed"))
    }

    /// The raw data, if kept.
    pub fn raw_data(&self) -> Result<Option<RawData>, PrivacyError> {
        let Some(hex_text) = &self.raw_data else {
            return Ok(None);
        };
        let bytes = hex::decode(hex_text).map_err(|e| other(format!("raw_data: {e}")))?;
        match SealedContent::from_bytes(&bytes)? {
            SealedContent::RawData(r) => Ok(Some(r)),
            SealedContent::Opening(_) => Err(other("raw_data holds an opening")),
        }
    }

    /// Reads a secrets (or opened) file.
    pub fn read(path: &Path) -> Result<Self, PrivacyError> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| other(format!("reading {}: {e}", path.display())))?;
        serde_json::from_str(&text).map_err(|e| other(format!("{}: {e}", path.display())))
    }

    /// Writes the file with mode 0600; refuses to overwrite.
    pub fn write(&self, path: &Path) -> Result<(), PrivacyError> {
        tanji_ledger::keyfile::write_private_json(path, self)
            .map_err(|e| other(format!("{e} (the file must not exist yet)")))
    }
}

/// Polls until `id` is committed (or refused); 60 s at most.
pub async fn wait_committed(client: &Client, id: &TxId) -> Result<u64, PrivacyError> {
    let start = Instant::now();
    loop {
        let status = client.tx_status(id).await?;
        match status.status {
            TxState::Committed => {
                return status.index.ok_or_else(|| other("committed without index"))
            }
            TxState::Rejected => {
                let why = status.error.map(|e| e.message).unwrap_or_default();
                return Err(other(format!("transaction {id} was refused: {why}")));
            }
            _ if start.elapsed() > Duration::from_secs(60) => {
                return Err(other(format!(
                    "transaction {id} still {} after 60 s",
                    status.status
                )))
            }
            _ => tokio::time::sleep(Duration::from_millis(50)).await,
        }
    }
}

async fn submit_committed(client: &Client, tx: &SignedTx) -> Result<TxId, PrivacyError> {
    let submitted = client.submit(tx).await?;
    wait_committed(client, &submitted.id).await?;
    Ok(submitted.id)
}

/// A hidden footprint, attested.
pub struct AttestedHidden {
    /// Its id.
    pub id: TxId,
    /// The attestation, the opening and the raw data.
    pub build: HiddenBuild,
}

/// Builds the hidden attestation of `model` for `author` on the node's
/// records (hidden upstream values from `openings`), writes its secrets to
/// `secrets` (if given) before submitting, submits it and waits for it to be
/// committed.
pub async fn attest_hidden(
    client: &Client,
    author: &OrgKeyFile,
    model: &Model,
    records: &TreeData,
    openings: &UpstreamOpenings,
    publish: bool,
    secrets: Option<&Path>,
) -> Result<AttestedHidden, PrivacyError> {
    let network = client.network().await?.network;
    let build = model.hidden_attestation(&network, author.org_id, records, openings, publish)?;
    let tx = build::sign_as(
        client,
        author,
        TxKind::AttestFootprint(build.attestation.clone()),
    )
    .await?;
    let id = tx.id();
    if let Some(path) = secrets {
        SecretsFile::new(id, &network, author.org_id, &build).write(path)?;
    }
    submit_committed(client, &tx).await?;
    Ok(AttestedHidden { id, build })
}

/// A disclosure made.
#[derive(Clone, Debug, Serialize)]
pub struct Disclosed {
    /// To whom.
    pub recipient: OrgId,
    /// What.
    pub purpose: Purpose,
    /// The envelope's hash (on the ledger).
    pub envelope: EnvelopeHash,
    /// The envelope's size.
    pub size: usize,
    /// The `disclose` transaction.
    pub tx: TxId,
}

/// Seals `content` about `footprint` to `recipient`'s registered key,
/// records the disclosure and deposits the envelope on the node.
pub async fn disclose(
    client: &Client,
    author: &OrgKeyFile,
    footprint: TxId,
    recipient: OrgId,
    content: &SealedContent,
) -> Result<Disclosed, PrivacyError> {
    let network = client.network().await?.network;
    let org = client.org(&recipient).await?;
    let key = org.encryption_key;
    let binding = EnvelopeBinding {
        network,
        footprint,
        sender: author.org_id,
        recipient,
        purpose: content.purpose(),
    };
    let envelope = sealed::seal(&key, &binding, content)?;
    let bytes = envelope.to_bytes();
    let hash = envelope.hash();
    let size = u32::try_from(bytes.len()).map_err(|_| other("envelope too large"))?;
    // The disclosure is committed first: a node keeps only envelopes the log accounts for.
    let tx = build::sign_as(
        client,
        author,
        TxKind::Disclose(Disclosure {
            footprint,
            recipient,
            purpose: binding.purpose,
            envelope: hash,
            size,
        }),
    )
    .await?;
    let tx = submit_committed(client, &tx).await?;
    client
        .deposit_envelope(&footprint, &bytes, author.org_id, &author.signing_key()?)
        .await?;
    Ok(Disclosed {
        recipient,
        purpose: binding.purpose,
        envelope: hash,
        size: bytes.len(),
        tx,
    })
}

/// The footprint's state as the node serves it.
pub async fn footprint_state(client: &Client, id: &TxId) -> Result<FootprintState, PrivacyError> {
    let data = client.footprint_tree(id).await?.records;
    data.footprints
        .get(id)
        .cloned()
        .ok_or_else(|| other(format!("footprint {id} is missing from its own tree")))
}

/// The newest disclosure of `footprint` to `me` for `purpose`.
pub fn disclosure_for(
    fp: &FootprintState,
    me: OrgId,
    purpose: Purpose,
) -> Option<&DisclosureRecord> {
    fp.disclosures
        .iter()
        .rev()
        .find(|d| d.disclosure.recipient == me && d.disclosure.purpose == purpose)
}

/// Fetches, checks and opens the newest envelope of `footprint` disclosed to
/// `me` for `purpose`. An opening is checked against the footprint's
/// commitment; raw data is returned for [`tanji_ledger::carbon::hidden::audit_hidden`].
pub async fn open_disclosed(
    client: &Client,
    me: &OrgKeyFile,
    footprint: TxId,
    purpose: Purpose,
) -> Result<(FootprintState, SealedContent), PrivacyError> {
    let network = client.network().await?.network;
    let fp = footprint_state(client, &footprint).await?;
    let record = disclosure_for(&fp, me.org_id, purpose).ok_or_else(|| {
        other(format!(
            "footprint {footprint} records no {purpose} disclosed to {}",
            me.org_id
        ))
    })?;
    let hash = record.disclosure.envelope;
    let bytes = client
        .fetch_envelope(&footprint, &hash, me.org_id, &me.signing_key()?)
        .await?;
    if EnvelopeHash::of_bytes(&bytes) != hash {
        return Err(other(format!(
            "the node served other bytes than envelope {hash} recorded on the ledger"
        )));
    }
    let envelope = Envelope::from_bytes(&bytes)?;
    let binding = EnvelopeBinding {
        network,
        footprint,
        sender: fp.author,
        recipient: me.org_id,
        purpose,
    };
    let content = sealed::open(&me.encryption_secret()?, &binding, &envelope)?;
    if let (SealedContent::Opening(o), Privacy::Hidden(h)) = (&content, &fp.attestation.privacy) {
        if !o.opens(&h.commitment) {
            return Err(other(format!(
                "the opening sealed to us does not open footprint {footprint}'s commitment"
            )));
        }
    }
    Ok((fp, content))
}

/// Openings of the hidden upstream footprints `model` uses, from files
/// (secrets or opened files) and, for the rest, from envelopes disclosed to
/// `me` on the node.
pub async fn upstream_openings(
    client: &Client,
    me: &OrgKeyFile,
    model: &Model,
    records: &TreeData,
    files: &[std::path::PathBuf],
) -> Result<UpstreamOpenings, PrivacyError> {
    let mut openings = UpstreamOpenings::new();
    for path in files {
        let f = SecretsFile::read(path)?;
        openings.insert(f.footprint, f.opening()?);
    }
    for input in model.inputs() {
        let tanji_ledger::carbon::InputSource::Upstream(id) = &input.source else {
            continue;
        };
        let hidden = records
            .footprints
            .get(id)
            .is_some_and(|fp| fp.attestation.privacy.hidden().is_some());
        if hidden && !openings.contains_key(id) {
            match open_disclosed(client, me, *id, Purpose::Opening).await? {
                (_, SealedContent::Opening(o)) => {
                    openings.insert(*id, o);
                }
                _ => return Err(other("an opening envelope held raw data")),
            }
        }
    }
    Ok(openings)
}

//! Typed access to a node's REST v1 API.
//!
//! Responses are decoded into the types below; hashes arrive as base64 and
//! are decoded and length-checked here, so callers get [`Hash`]es or an error.

use std::time::Duration;

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine as _;
use serde::{Deserialize, Serialize};
use tanji_ledger::bundle::InclusionBundle;
use tanji_ledger::crypto::SecretKey;
use tanji_ledger::merkle::Hash;
use tanji_ledger::sealed::access::sign_request;
use tanji_ledger::sealed::EnvelopeHash;
use tanji_ledger::tx::SignedTx;
use tanji_ledger::{OrgId, TxId};

/// A request failed.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    /// The node could not be reached or the connection failed.
    #[error("cannot reach {url}: {source}")]
    Transport {
        /// What was requested.
        url: String,
        /// Why.
        source: reqwest::Error,
    },
    /// The node answered with an error.
    #[error("{status} {code}: {message}")]
    Api {
        /// HTTP status.
        status: u16,
        /// Error code from the body (or "http").
        code: String,
        /// Explanation.
        message: String,
    },
    /// The answer was not what the API documents.
    #[error("unexpected answer from {url}: {why}")]
    Decode {
        /// What was requested.
        url: String,
        /// What was wrong.
        why: String,
    },
}

impl ClientError {
    /// The HTTP status, for errors the node answered.
    pub fn status(&self) -> Option<u16> {
        match self {
            ClientError::Api { status, .. } => Some(*status),
            _ => None,
        }
    }
}

/// Answer to a submission.
#[derive(Clone, Debug, Deserialize, Serialize)]
pub struct Submitted {
    /// Transaction id.
    pub id: TxId,
    /// "queued" or "committed".
    pub status: String,
    /// Log index if committed.
    pub index: Option<u64>,
}

/// A checkpoint reference in a status answer.
#[derive(Clone, Debug, Deserialize, Serialize)]
pub struct CheckpointRef {
    /// Tree size.
    pub size: u64,
    /// Root, base64.
    pub root: String,
    /// Signed note.
    pub note: String,
}

/// An inclusion proof as served.
#[derive(Clone, Debug, Deserialize, Serialize)]
pub struct InclusionProofView {
    /// Leaf index.
    pub index: u64,
    /// Tree size.
    pub size: u64,
    /// Hashes, base64.
    pub hashes: Vec<String>,
}

/// Error detail in a status answer.
#[derive(Clone, Debug, Deserialize, Serialize)]
pub struct StatusError {
    /// Code.
    pub code: String,
    /// Message.
    pub message: String,
}

/// Where a transaction stands.
#[derive(Clone, Debug, Deserialize, Serialize)]
pub struct TxStatus {
    /// Transaction id.
    pub id: TxId,
    /// "committed", "queued", "rejected" or "unknown".
    pub status: String,
    /// Log index.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub index: Option<u64>,
    /// Leaf hash, base64.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub leaf_hash: Option<String>,
    /// Latest checkpoint.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub checkpoint: Option<CheckpointRef>,
    /// Inclusion proof against it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub inclusion_proof: Option<InclusionProofView>,
    /// Why it was refused.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<StatusError>,
}

/// An organisation as served.
#[derive(Clone, Debug, Deserialize, Serialize)]
pub struct OrgView {
    /// Id.
    pub id: OrgId,
    /// Name.
    pub name: String,
    /// Company id.
    pub company_id: String,
    /// Roles.
    pub roles: Vec<String>,
    /// "active" or "revoked".
    pub status: String,
    /// Highest nonce used.
    #[serde(default)]
    pub last_nonce: Option<u64>,
    /// X25519 key envelopes for it are sealed to.
    #[serde(default)]
    pub encryption_key: Option<tanji_ledger::crypto::EncryptionKey>,
}

/// Network facts as served.
#[derive(Clone, Debug, Deserialize, Serialize)]
pub struct NetworkView {
    /// Network name.
    pub network: String,
    /// Genesis tx id.
    pub genesis_tx: TxId,
    /// Validator vkeys.
    pub validators: Vec<String>,
    /// Checkpoint quorum.
    pub quorum: usize,
}

/// One entry as served.
#[derive(Clone, Debug)]
pub struct EntryView {
    /// Index.
    pub index: u64,
    /// The entry bytes.
    pub bytes: Vec<u8>,
    /// The leaf hash the node reports.
    pub leaf_hash: Hash,
}

#[derive(Deserialize)]
struct RawEntries {
    entries: Vec<RawEntry>,
}
#[derive(Deserialize)]
struct RawEntry {
    index: u64,
    bytes: String,
    leaf_hash: String,
}
#[derive(Deserialize)]
struct RawHashes {
    hashes: Vec<String>,
}
#[derive(Deserialize)]
struct RawError {
    error: RawErrorInner,
}
#[derive(Deserialize)]
struct RawErrorInner {
    code: String,
    message: String,
}

/// A client for one node.
#[derive(Clone, Debug)]
pub struct Client {
    base: String,
    http: reqwest::Client,
}

impl Client {
    /// A client for the node at `base` (e.g. `http://127.0.0.1:7410`).
    pub fn new(base: &str) -> Result<Self, ClientError> {
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(30))
            .build()
            .map_err(|source| ClientError::Transport {
                url: base.to_string(),
                source,
            })?;
        Ok(Self {
            base: base.trim_end_matches('/').to_string(),
            http,
        })
    }

    /// The node's base URL.
    pub fn base(&self) -> &str {
        &self.base
    }

    fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    async fn send(
        &self,
        req: reqwest::RequestBuilder,
        url: &str,
    ) -> Result<reqwest::Response, ClientError> {
        let resp = req.send().await.map_err(|source| ClientError::Transport {
            url: url.to_string(),
            source,
        })?;
        let status = resp.status();
        if status.is_success() {
            return Ok(resp);
        }
        let text = resp.text().await.unwrap_or_default();
        Err(match serde_json::from_str::<RawError>(&text) {
            Ok(e) => ClientError::Api {
                status: status.as_u16(),
                code: e.error.code,
                message: e.error.message,
            },
            Err(_) => ClientError::Api {
                status: status.as_u16(),
                code: "http".into(),
                message: text.chars().take(500).collect(),
            },
        })
    }

    async fn get_json<T: serde::de::DeserializeOwned>(&self, path: &str) -> Result<T, ClientError> {
        let url = self.url(path);
        let resp = self.send(self.http.get(&url), &url).await?;
        resp.json().await.map_err(|e| ClientError::Decode {
            url,
            why: e.to_string(),
        })
    }

    /// Submits a transaction (borsh body).
    pub async fn submit(&self, tx: &SignedTx) -> Result<Submitted, ClientError> {
        let url = self.url("/v1/tx");
        let req = self
            .http
            .post(&url)
            .header("content-type", "application/octet-stream")
            .body(tx.encode());
        let resp = self.send(req, &url).await?;
        resp.json().await.map_err(|e| ClientError::Decode {
            url,
            why: e.to_string(),
        })
    }

    /// Where a transaction stands. "unknown" (404) is an answer, not an error.
    pub async fn tx_status(&self, id: &TxId) -> Result<TxStatus, ClientError> {
        let url = self.url(&format!("/v1/tx/{id}"));
        let resp = self
            .http
            .get(&url)
            .send()
            .await
            .map_err(|source| ClientError::Transport {
                url: url.clone(),
                source,
            })?;
        if resp.status().as_u16() == 404 {
            let text = resp.text().await.unwrap_or_default();
            if let Ok(s) = serde_json::from_str::<TxStatus>(&text) {
                return Ok(s);
            }
            return Err(ClientError::Api {
                status: 404,
                code: "not_found".into(),
                message: text,
            });
        }
        let resp = self.send_checked(resp).await?;
        resp.json().await.map_err(|e| ClientError::Decode {
            url,
            why: e.to_string(),
        })
    }

    async fn send_checked(
        &self,
        resp: reqwest::Response,
    ) -> Result<reqwest::Response, ClientError> {
        if resp.status().is_success() {
            return Ok(resp);
        }
        let status = resp.status().as_u16();
        let text = resp.text().await.unwrap_or_default();
        Err(match serde_json::from_str::<RawError>(&text) {
            Ok(e) => ClientError::Api {
                status,
                code: e.error.code,
                message: e.error.message,
            },
            Err(_) => ClientError::Api {
                status,
                code: "http".into(),
                message: text.chars().take(500).collect(),
            },
        })
    }

    /// The latest signed checkpoint, or the one at `size`.
    pub async fn checkpoint(&self, size: Option<u64>) -> Result<String, ClientError> {
        let path = match size {
            Some(s) => format!("/v1/checkpoint?size={s}"),
            None => "/v1/checkpoint".to_string(),
        };
        let url = self.url(&path);
        let resp = self.send(self.http.get(&url), &url).await?;
        resp.text().await.map_err(|e| ClientError::Decode {
            url,
            why: e.to_string(),
        })
    }

    /// Entries `[start, end)` (the node may return fewer; call again from the next index).
    pub async fn entries(&self, start: u64, end: u64) -> Result<Vec<EntryView>, ClientError> {
        let path = format!("/v1/entries?start={start}&end={end}");
        let raw: RawEntries = self.get_json(&path).await?;
        let url = self.url(&path);
        raw.entries
            .into_iter()
            .map(|e| {
                Ok(EntryView {
                    index: e.index,
                    bytes: B64.decode(&e.bytes).map_err(|_| ClientError::Decode {
                        url: url.clone(),
                        why: "entry bytes are not base64".into(),
                    })?,
                    leaf_hash: decode_hash(&e.leaf_hash, &url)?,
                })
            })
            .collect()
    }

    /// Inclusion proof for `index` in the tree of `size`.
    pub async fn inclusion_proof(&self, index: u64, size: u64) -> Result<Vec<Hash>, ClientError> {
        let path = format!("/v1/proof/inclusion?index={index}&size={size}");
        let raw: RawHashes = self.get_json(&path).await?;
        let url = self.url(&path);
        raw.hashes.iter().map(|h| decode_hash(h, &url)).collect()
    }

    /// Consistency proof from `from` to `to`.
    pub async fn consistency_proof(&self, from: u64, to: u64) -> Result<Vec<Hash>, ClientError> {
        let path = format!("/v1/proof/consistency?from={from}&to={to}");
        let raw: RawHashes = self.get_json(&path).await?;
        let url = self.url(&path);
        raw.hashes.iter().map(|h| decode_hash(h, &url)).collect()
    }

    /// An organisation.
    pub async fn org(&self, id: &OrgId) -> Result<OrgView, ClientError> {
        self.get_json(&format!("/v1/orgs/{id}")).await
    }

    /// Every organisation.
    pub async fn orgs(&self) -> Result<Vec<OrgView>, ClientError> {
        self.get_json("/v1/orgs").await
    }

    /// Network facts.
    pub async fn network(&self) -> Result<NetworkView, ClientError> {
        self.get_json("/v1/network").await
    }

    /// The offline verification bundle of a committed transaction.
    pub async fn bundle(&self, id: &TxId) -> Result<InclusionBundle, ClientError> {
        self.get_json(&format!("/v1/tx/{id}/bundle")).await
    }

    /// Health.
    pub async fn health(&self) -> Result<serde_json::Value, ClientError> {
        self.get_json("/health").await
    }
}

fn decode_hash(s: &str, url: &str) -> Result<Hash, ClientError> {
    B64.decode(s)
        .ok()
        .and_then(|b| <Hash>::try_from(b).ok())
        .ok_or_else(|| ClientError::Decode {
            url: url.to_string(),
            why: format!("{s:.60} is not a base64 32-byte hash"),
        })
}

impl Client {
    /// Fetches the ledger records named (missing ones are simply absent).
    pub async fn resolve(
        &self,
        factors: &[tanji_ledger::carbon::RecordRef],
        footprints: &[TxId],
        rules: &[tanji_ledger::carbon::RecordRef],
    ) -> Result<tanji_ledger::carbon::tree::TreeData, ClientError> {
        let mut data = tanji_ledger::carbon::tree::TreeData::default();
        // Keep URLs short: at most 100 references per request.
        let join = |v: &[String]| v.join(",");
        let f: Vec<String> = factors.iter().map(|r| r.to_string()).collect();
        let p: Vec<String> = footprints.iter().map(|r| r.to_hex()).collect();
        let r: Vec<String> = rules.iter().map(|r| r.to_string()).collect();
        for (kind, list) in [("factors", f), ("footprints", p), ("rules", r)] {
            for chunk in list.chunks(100) {
                let part: tanji_ledger::carbon::tree::TreeData = self
                    .get_json(&format!("/v1/resolve?{kind}={}", join(chunk)))
                    .await?;
                data.factors.extend(part.factors);
                data.footprints.extend(part.footprints);
                data.rules.extend(part.rules);
            }
        }
        Ok(data)
    }

    /// The supply-chain tree of an attestation with every record it needs.
    pub async fn footprint_tree(&self, id: &TxId) -> Result<serde_json::Value, ClientError> {
        self.get_json(&format!("/v1/footprints/{id}/tree")).await
    }

    /// Any JSON document of the API (for display commands).
    pub async fn get_value(&self, path: &str) -> Result<serde_json::Value, ClientError> {
        self.get_json(path).await
    }

    /// A request signed as `org` with `key` (see `tanji_ledger::sealed::access`).
    fn signed(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Vec<u8>,
        org: OrgId,
        key: &SecretKey,
    ) -> (reqwest::RequestBuilder, String) {
        let url = self.url(path);
        let time = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or(0);
        let sig = sign_request(key, org, method.as_str(), path, time, &body);
        let mut req = self.http.request(method, &url);
        for (name, value) in sig.to_headers() {
            req = req.header(name, value);
        }
        (
            req.header("content-type", "application/octet-stream")
                .body(body),
            url,
        )
    }

    /// Deposits the envelope of a committed disclosure (signed as the
    /// footprint's author).
    pub async fn deposit_envelope(
        &self,
        footprint: &TxId,
        envelope: &[u8],
        org: OrgId,
        key: &SecretKey,
    ) -> Result<(), ClientError> {
        let hash = EnvelopeHash::of_bytes(envelope);
        let path = format!("/v1/footprints/{footprint}/envelopes/{hash}");
        let (req, url) = self.signed(reqwest::Method::PUT, &path, envelope.to_vec(), org, key);
        self.send(req, &url).await?;
        Ok(())
    }

    /// Fetches an envelope disclosed to `org` (signed as `org`).
    pub async fn fetch_envelope(
        &self,
        footprint: &TxId,
        hash: &EnvelopeHash,
        org: OrgId,
        key: &SecretKey,
    ) -> Result<Vec<u8>, ClientError> {
        let path = format!("/v1/footprints/{footprint}/envelopes/{hash}");
        let (req, url) = self.signed(reqwest::Method::GET, &path, Vec::new(), org, key);
        let bytes = self
            .send(req, &url)
            .await?
            .bytes()
            .await
            .map_err(|e| ClientError::Decode {
                url,
                why: e.to_string(),
            })?;
        Ok(bytes.to_vec())
    }

    /// Purges an envelope from the node (signed as its author or recipient).
    pub async fn purge_envelope(
        &self,
        footprint: &TxId,
        hash: &EnvelopeHash,
        org: OrgId,
        key: &SecretKey,
    ) -> Result<bool, ClientError> {
        let path = format!("/v1/footprints/{footprint}/envelopes/{hash}");
        let (req, url) = self.signed(reqwest::Method::DELETE, &path, Vec::new(), org, key);
        let v: serde_json::Value =
            self.send(req, &url)
                .await?
                .json()
                .await
                .map_err(|e| ClientError::Decode {
                    url,
                    why: e.to_string(),
                })?;
        Ok(v["purged"].as_bool().unwrap_or(false))
    }

    /// A certificate's offline verification bundle.
    pub async fn certificate_bundle(&self, id: &str) -> Result<serde_json::Value, ClientError> {
        self.get_json(&format!("/v1/certificates/{id}/bundle"))
            .await
    }
}

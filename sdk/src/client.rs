//! Typed access to a node's REST v1 API: one method per route.
//!
//! Paths, queries and answers are the types of `tanji-api-types`, the same
//! the server answers with and documents in `/openapi.json`. Log entries and
//! proofs arrive as base64 and are decoded and length-checked here, so
//! callers get bytes and [`Hash`]es or an error.
//!
//! A node that rate-limits this client answers 429 with `Retry-After`; the
//! client waits that long and sends the request again, at most
//! [`MAX_RATE_LIMIT_RETRIES`] times and never for more than
//! [`MAX_RETRY_AFTER`] at once (a longer wait is returned as the error).

use std::time::Duration;

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine as _;
use serde::de::DeserializeOwned;
use serde::Serialize;
use tanji_api_types::carbon::{
    Anomalies, AnomalyQuery, CertificateList, CertificateView, FactorImpact, FactorList,
    FactorLookup, FactorQuery, FootprintImpact, FootprintList, FootprintQuery, FootprintTree,
    FootprintView, PactDocument, PactQuery, ResolveQuery, RuleList, Stats, VerifyReport,
};
use tanji_api_types::log::{
    ConsistencyProof, ConsistencyQuery, EntriesPage, InclusionProof, InclusionQuery, RangeQuery,
    SizeQuery,
};
use tanji_api_types::ops::{Alarms, Health};
use tanji_api_types::orgs::{NetworkView, Org};
use tanji_api_types::pact::{
    PactCallbackInfo, PactCallbackSet, PactCallbacks, PactClientCreate, PactClientCreated,
    PactClientRevoked, PactClients, PactInbox, PactInboxEvent,
};
use tanji_api_types::privacy::EnvelopePurged;
use tanji_api_types::tx::{SubmitResponse, TxStatus};
use tanji_api_types::{paths, ErrorBody};
use tanji_ledger::bundle::{CertificateBundle, InclusionBundle};
use tanji_ledger::carbon::tree::TreeData;
use tanji_ledger::carbon::{RecordRef, RuleState};
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

/// One entry as served, decoded.
#[derive(Clone, Debug)]
pub struct EntryView {
    /// Index.
    pub index: u64,
    /// The entry bytes.
    pub bytes: Vec<u8>,
    /// The leaf hash the node reports.
    pub leaf_hash: Hash,
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
        mut req: reqwest::RequestBuilder,
        url: &str,
    ) -> Result<reqwest::Response, ClientError> {
        let mut retries = 0;
        loop {
            // Every request here has a body in memory, so it can be sent again.
            let again = req.try_clone();
            let resp = req.send().await.map_err(|source| ClientError::Transport {
                url: url.to_string(),
                source,
            })?;
            let status = resp.status();
            if status.is_success() {
                return Ok(resp);
            }
            if status == reqwest::StatusCode::TOO_MANY_REQUESTS && retries < MAX_RATE_LIMIT_RETRIES
            {
                if let (Some(again), Some(wait)) = (again, retry_after(resp.headers())) {
                    tracing::debug!(url, ?wait, "rate limited by the node; retrying");
                    tokio::time::sleep(wait).await;
                    retries += 1;
                    req = again;
                    continue;
                }
            }
            let text = resp.text().await.unwrap_or_default();
            return Err(api_error(status.as_u16(), &text));
        }
    }

    async fn decode<T: DeserializeOwned>(
        resp: reqwest::Response,
        url: String,
    ) -> Result<T, ClientError> {
        resp.json().await.map_err(|e| ClientError::Decode {
            url,
            why: e.to_string(),
        })
    }

    async fn text(resp: reqwest::Response, url: String) -> Result<String, ClientError> {
        resp.text().await.map_err(|e| ClientError::Decode {
            url,
            why: e.to_string(),
        })
    }

    /// GET `path` with an optional query, decoded as `T`.
    async fn get<T: DeserializeOwned>(
        &self,
        path: &str,
        query: Option<&(impl Serialize + ?Sized)>,
    ) -> Result<T, ClientError> {
        let url = self.url(path);
        let mut req = self.http.get(&url);
        if let Some(q) = query {
            req = req.query(q);
        }
        let resp = self.send(req, &url).await?;
        Self::decode(resp, url).await
    }

    /// GET `path` as text.
    async fn get_text(
        &self,
        path: &str,
        query: Option<&(impl Serialize + ?Sized)>,
    ) -> Result<String, ClientError> {
        let url = self.url(path);
        let mut req = self.http.get(&url);
        if let Some(q) = query {
            req = req.query(q);
        }
        let resp = self.send(req, &url).await?;
        Self::text(resp, url).await
    }

    /// `POST /v1/tx`: submits a transaction (borsh body).
    pub async fn submit(&self, tx: &SignedTx) -> Result<SubmitResponse, ClientError> {
        let url = self.url(paths::TX);
        let req = self
            .http
            .post(&url)
            .header("content-type", "application/octet-stream")
            .body(tx.encode());
        let resp = self.send(req, &url).await?;
        Self::decode(resp, url).await
    }

    /// `GET /v1/tx/{id}`: where a transaction stands. "Unknown" (404 with a
    /// status body) is an answer, not an error.
    pub async fn tx_status(&self, id: &TxId) -> Result<TxStatus, ClientError> {
        let url = self.url(&paths::fill(paths::TX_STATUS, &[&id.to_hex()]));
        let resp = self
            .http
            .get(&url)
            .send()
            .await
            .map_err(|source| ClientError::Transport {
                url: url.clone(),
                source,
            })?;
        let status = resp.status().as_u16();
        if status == 404 {
            let text = resp.text().await.unwrap_or_default();
            return serde_json::from_str::<TxStatus>(&text).map_err(|_| api_error(404, &text));
        }
        if !(200..300).contains(&status) {
            let text = resp.text().await.unwrap_or_default();
            return Err(api_error(status, &text));
        }
        Self::decode(resp, url).await
    }

    /// `GET /v1/tx/{id}/bundle`: the offline verification bundle of a committed transaction.
    pub async fn bundle(&self, id: &TxId) -> Result<InclusionBundle, ClientError> {
        self.get(&paths::fill(paths::TX_BUNDLE, &[&id.to_hex()]), NO_QUERY)
            .await
    }

    /// `GET /v1/checkpoint`: the latest signed checkpoint, or the one at `size`.
    pub async fn checkpoint(&self, size: Option<u64>) -> Result<String, ClientError> {
        self.get_text(paths::CHECKPOINT, Some(&SizeQuery { size }))
            .await
    }

    /// `GET /v1/entries`: entries `[start, end)` (the node may return fewer;
    /// call again from the next index).
    pub async fn entries(&self, start: u64, end: u64) -> Result<Vec<EntryView>, ClientError> {
        let page: EntriesPage = self
            .get(paths::ENTRIES, Some(&RangeQuery { start, end }))
            .await?;
        let url = self.url(paths::ENTRIES);
        page.entries
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

    /// `GET /v1/proof/inclusion`: the audit path of `index` in the tree of `size`.
    pub async fn inclusion_proof(&self, index: u64, size: u64) -> Result<Vec<Hash>, ClientError> {
        let proof: InclusionProof = self
            .get(
                paths::PROOF_INCLUSION,
                Some(&InclusionQuery {
                    index,
                    size: Some(size),
                }),
            )
            .await?;
        let url = self.url(paths::PROOF_INCLUSION);
        proof.hashes.iter().map(|h| decode_hash(h, &url)).collect()
    }

    /// `GET /v1/proof/consistency`: from `from` to `to`.
    pub async fn consistency_proof(&self, from: u64, to: u64) -> Result<Vec<Hash>, ClientError> {
        let proof: ConsistencyProof = self
            .get(
                paths::PROOF_CONSISTENCY,
                Some(&ConsistencyQuery { from, to: Some(to) }),
            )
            .await?;
        let url = self.url(paths::PROOF_CONSISTENCY);
        proof.hashes.iter().map(|h| decode_hash(h, &url)).collect()
    }

    /// `GET /v1/orgs`: every organisation.
    pub async fn orgs(&self) -> Result<Vec<Org>, ClientError> {
        self.get(paths::ORGS, NO_QUERY).await
    }

    /// `GET /v1/orgs/{id}`: an organisation, with its last nonce.
    pub async fn org(&self, id: &OrgId) -> Result<Org, ClientError> {
        self.get(&paths::fill(paths::ORG, &[&id.to_hex()]), NO_QUERY)
            .await
    }

    /// `GET /v1/network`: network facts.
    pub async fn network(&self) -> Result<NetworkView, ClientError> {
        self.get(paths::NETWORK, NO_QUERY).await
    }

    /// `GET /v1/factors`: searches the factor database.
    pub async fn factors(&self, query: &FactorQuery) -> Result<FactorList, ClientError> {
        self.get(paths::FACTORS, Some(query)).await
    }

    /// `GET /v1/factors/{key}`: one version (`id@version`) or an id's history.
    pub async fn factor(&self, key: &str) -> Result<FactorLookup, ClientError> {
        self.get(&paths::fill(paths::FACTOR, &[key]), NO_QUERY)
            .await
    }

    /// `GET /v1/factors/{key}/affected`: footprints that depend on a factor version.
    pub async fn factor_affected(&self, factor: &RecordRef) -> Result<FactorImpact, ClientError> {
        let path = paths::fill(paths::FACTOR_AFFECTED, &[&factor.to_string()]);
        self.get(&path, NO_QUERY).await
    }

    /// `GET /v1/rules`: every product rule version.
    pub async fn rules(&self) -> Result<RuleList, ClientError> {
        self.get(paths::RULES, NO_QUERY).await
    }

    /// `GET /v1/rules/{key}`: one product rule version.
    pub async fn rule(&self, rule: &RecordRef) -> Result<RuleState, ClientError> {
        self.get(&paths::fill(paths::RULE, &[&rule.to_string()]), NO_QUERY)
            .await
    }

    /// `GET /v1/footprints`: attestations matching `query`.
    pub async fn footprints(&self, query: &FootprintQuery) -> Result<FootprintList, ClientError> {
        self.get(paths::FOOTPRINTS, Some(query)).await
    }

    /// `GET /v1/footprints/{id}`: one attestation with its status and figures.
    pub async fn footprint(&self, id: &TxId) -> Result<FootprintView, ClientError> {
        self.get(&paths::fill(paths::FOOTPRINT, &[&id.to_hex()]), NO_QUERY)
            .await
    }

    /// `GET /v1/footprints/{id}/tree`: the supply-chain tree with every record it needs.
    pub async fn footprint_tree(&self, id: &TxId) -> Result<FootprintTree, ClientError> {
        let path = paths::fill(paths::FOOTPRINT_TREE, &[&id.to_hex()]);
        self.get(&path, NO_QUERY).await
    }

    /// `GET /v1/footprints/{id}/verify`: the node's recomputation of the tree.
    pub async fn footprint_verify(&self, id: &TxId) -> Result<VerifyReport, ClientError> {
        let path = paths::fill(paths::FOOTPRINT_VERIFY, &[&id.to_hex()]);
        self.get(&path, NO_QUERY).await
    }

    /// `GET /v1/footprints/{id}/affected`: footprints that depend on this one.
    pub async fn footprint_affected(&self, id: &TxId) -> Result<FootprintImpact, ClientError> {
        let path = paths::fill(paths::FOOTPRINT_AFFECTED, &[&id.to_hex()]);
        self.get(&path, NO_QUERY).await
    }

    /// `GET /v1/footprints/{id}/pact?version=`: the footprint as a PACT
    /// document (3: v3.0, 2: v2.3) with its ledger proof.
    pub async fn footprint_pact(
        &self,
        id: &TxId,
        version: u8,
    ) -> Result<PactDocument, ClientError> {
        let path = paths::fill(paths::FOOTPRINT_PACT, &[&id.to_hex()]);
        self.get(
            &path,
            Some(&PactQuery {
                version: Some(version),
            }),
        )
        .await
    }

    /// `GET /v1/certificates`: every certificate.
    pub async fn certificates(&self) -> Result<CertificateList, ClientError> {
        self.get(paths::CERTIFICATES, NO_QUERY).await
    }

    /// `GET /v1/certificates/{id}`: one certificate with its validity today.
    pub async fn certificate(&self, id: &str) -> Result<CertificateView, ClientError> {
        self.get(&paths::fill(paths::CERTIFICATE, &[id]), NO_QUERY)
            .await
    }

    /// `GET /v1/certificates/{id}/bundle`: a certificate's offline verification bundle.
    pub async fn certificate_bundle(&self, id: &str) -> Result<CertificateBundle, ClientError> {
        self.get(&paths::fill(paths::CERTIFICATE_BUNDLE, &[id]), NO_QUERY)
            .await
    }

    /// `GET /v1/labels/{id}.svg`: a certificate's carbon label (SVG text).
    pub async fn label_svg(&self, certificate: &str) -> Result<String, ClientError> {
        let path = paths::fill(paths::LABEL, &[&format!("{certificate}.svg")]);
        self.get_text(&path, NO_QUERY).await
    }

    /// `GET /verify/{certificate}`: the verification page (HTML).
    pub async fn verify_page(&self, certificate: &str) -> Result<String, ClientError> {
        let path = paths::fill(paths::VERIFY_PAGE, &[certificate]);
        self.get_text(&path, NO_QUERY).await
    }

    /// `GET /v1/resolve`: the ledger records named (missing ones are simply absent).
    pub async fn resolve(
        &self,
        factors: &[RecordRef],
        footprints: &[TxId],
        rules: &[RecordRef],
    ) -> Result<TreeData, ClientError> {
        let mut data = TreeData::default();
        // Keep URLs short: at most 100 references per request.
        let f: Vec<String> = factors.iter().map(|r| r.to_string()).collect();
        let p: Vec<String> = footprints.iter().map(|r| r.to_hex()).collect();
        let r: Vec<String> = rules.iter().map(|r| r.to_string()).collect();
        for (kind, list) in [(0, f), (1, p), (2, r)] {
            for chunk in list.chunks(100) {
                let joined = Some(chunk.join(","));
                let query = match kind {
                    0 => ResolveQuery {
                        factors: joined,
                        ..Default::default()
                    },
                    1 => ResolveQuery {
                        footprints: joined,
                        ..Default::default()
                    },
                    _ => ResolveQuery {
                        rules: joined,
                        ..Default::default()
                    },
                };
                let part: TreeData = self.get(paths::RESOLVE, Some(&query)).await?;
                data.factors.extend(part.factors);
                data.footprints.extend(part.footprints);
                data.rules.extend(part.rules);
            }
        }
        Ok(data)
    }

    /// `GET /v1/stats`: counts for regulators.
    pub async fn stats(&self) -> Result<Stats, ClientError> {
        self.get(paths::STATS, NO_QUERY).await
    }

    /// `GET /v1/anomalies`: outliers and sharp drops.
    pub async fn anomalies(&self, query: &AnomalyQuery) -> Result<Anomalies, ClientError> {
        self.get(paths::ANOMALIES, Some(query)).await
    }

    /// `GET /v1/alarms`: forks and equivocations the node has seen.
    pub async fn alarms(&self) -> Result<Alarms, ClientError> {
        self.get(paths::ALARMS, NO_QUERY).await
    }

    /// `GET /health`.
    pub async fn health(&self) -> Result<Health, ClientError> {
        self.get(paths::HEALTH, NO_QUERY).await
    }

    /// `GET /metrics`: OpenMetrics text.
    pub async fn metrics(&self) -> Result<String, ClientError> {
        self.get_text(paths::METRICS, NO_QUERY).await
    }

    /// `GET /openapi.json`: the API's OpenAPI document.
    pub async fn openapi(&self) -> Result<serde_json::Value, ClientError> {
        self.get(paths::OPENAPI, NO_QUERY).await
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

    /// `PUT /v1/footprints/{id}/envelopes/{hash}`: deposits the envelope of a
    /// committed disclosure (signed as the footprint's author).
    pub async fn deposit_envelope(
        &self,
        footprint: &TxId,
        envelope: &[u8],
        org: OrgId,
        key: &SecretKey,
    ) -> Result<(), ClientError> {
        let hash = EnvelopeHash::of_bytes(envelope);
        let path = paths::fill(paths::ENVELOPE, &[&footprint.to_hex(), &hash.to_string()]);
        let (req, url) = self.signed(reqwest::Method::PUT, &path, envelope.to_vec(), org, key);
        self.send(req, &url).await?;
        Ok(())
    }

    /// `GET /v1/footprints/{id}/envelopes/{hash}`: fetches an envelope
    /// disclosed to `org` (signed as `org`).
    pub async fn fetch_envelope(
        &self,
        footprint: &TxId,
        hash: &EnvelopeHash,
        org: OrgId,
        key: &SecretKey,
    ) -> Result<Vec<u8>, ClientError> {
        let path = paths::fill(paths::ENVELOPE, &[&footprint.to_hex(), &hash.to_string()]);
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

    /// `DELETE /v1/footprints/{id}/envelopes/{hash}`: purges an envelope
    /// from the node (signed as its author or recipient); whether it was kept.
    pub async fn purge_envelope(
        &self,
        footprint: &TxId,
        hash: &EnvelopeHash,
        org: OrgId,
        key: &SecretKey,
    ) -> Result<bool, ClientError> {
        let path = paths::fill(paths::ENVELOPE, &[&footprint.to_hex(), &hash.to_string()]);
        let answer: EnvelopePurged = self
            .signed_json(reqwest::Method::DELETE, &path, NO_BODY, org, key)
            .await?;
        Ok(answer.purged)
    }

    /// A signed request with a JSON body (`None`: no body), its JSON answer.
    async fn signed_json<T: DeserializeOwned>(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<&impl serde::Serialize>,
        org: OrgId,
        key: &SecretKey,
    ) -> Result<T, ClientError> {
        let bytes = match body {
            Some(b) => serde_json::to_vec(b).map_err(|e| ClientError::Decode {
                url: self.url(path),
                why: format!("encoding the request: {e}"),
            })?,
            None => Vec::new(),
        };
        let (req, url) = self.signed(method, path, bytes, org, key);
        let resp = self.send(req, &url).await?;
        Self::decode(resp, url).await
    }

    /// `POST /v1/pact/clients`: creates a PACT client credential for `org`
    /// (signed as `org`); the answer holds the secret, shown this once.
    pub async fn create_pact_client(
        &self,
        label: &str,
        org: OrgId,
        key: &SecretKey,
    ) -> Result<PactClientCreated, ClientError> {
        let body = PactClientCreate {
            label: label.to_string(),
        };
        self.signed_json(
            reqwest::Method::POST,
            paths::PACT_CLIENTS,
            Some(&body),
            org,
            key,
        )
        .await
    }

    /// `GET /v1/pact/clients`: `org`'s PACT client credentials (signed as `org`).
    pub async fn pact_clients(
        &self,
        org: OrgId,
        key: &SecretKey,
    ) -> Result<PactClients, ClientError> {
        self.signed_json(reqwest::Method::GET, paths::PACT_CLIENTS, NO_BODY, org, key)
            .await
    }

    /// `DELETE /v1/pact/clients/{client_id}`: revokes one of `org`'s PACT
    /// client credentials (signed as `org`).
    pub async fn revoke_pact_client(
        &self,
        client_id: &str,
        org: OrgId,
        key: &SecretKey,
    ) -> Result<PactClientRevoked, ClientError> {
        let path = paths::fill(paths::PACT_CLIENT, &[client_id]);
        self.signed_json(reqwest::Method::DELETE, &path, NO_BODY, org, key)
            .await
    }

    /// `PUT /v1/pact/callbacks`: registers `org`'s PACT host and the
    /// credentials this node uses there to send answers and Published events
    /// (signed as `org`).
    pub async fn set_pact_callback(
        &self,
        callback: &PactCallbackSet,
        org: OrgId,
        key: &SecretKey,
    ) -> Result<PactCallbackInfo, ClientError> {
        let body = callback;
        self.signed_json(
            reqwest::Method::PUT,
            paths::PACT_CALLBACKS,
            Some(&body),
            org,
            key,
        )
        .await
    }

    /// `GET /v1/pact/callbacks`: `org`'s registered PACT hosts (signed as `org`).
    pub async fn pact_callbacks(
        &self,
        org: OrgId,
        key: &SecretKey,
    ) -> Result<PactCallbacks, ClientError> {
        self.signed_json(
            reqwest::Method::GET,
            paths::PACT_CALLBACKS,
            NO_BODY,
            org,
            key,
        )
        .await
    }

    /// `DELETE /v1/pact/callbacks/{id}`: removes one of `org`'s registered
    /// PACT hosts (signed as `org`).
    pub async fn remove_pact_callback(
        &self,
        id: &str,
        org: OrgId,
        key: &SecretKey,
    ) -> Result<PactCallbackInfo, ClientError> {
        let path = paths::fill(paths::PACT_CALLBACK, &[id]);
        self.signed_json(reqwest::Method::DELETE, &path, NO_BODY, org, key)
            .await
    }

    /// `GET /v1/pact/inbox`: the PACT events partners' hosts sent `org`, and
    /// the node's PACT URL (signed as `org`).
    pub async fn pact_inbox(&self, org: OrgId, key: &SecretKey) -> Result<PactInbox, ClientError> {
        self.signed_json(reqwest::Method::GET, paths::PACT_INBOX, NO_BODY, org, key)
            .await
    }

    /// `GET /v1/pact/inbox/answers/{request_id}`: the answer `org` received
    /// to its PACT request `request_id`, `None` while there is none (signed
    /// as `org`).
    pub async fn pact_answer(
        &self,
        request_id: &str,
        org: OrgId,
        key: &SecretKey,
    ) -> Result<Option<PactInboxEvent>, ClientError> {
        let path = paths::fill(paths::PACT_ANSWER, &[request_id]);
        match self
            .signed_json(reqwest::Method::GET, &path, NO_BODY, org, key)
            .await
        {
            Ok(answer) => Ok(Some(answer)),
            Err(ClientError::Api { status: 404, .. }) => Ok(None),
            Err(e) => Err(e),
        }
    }
}

/// No JSON body.
const NO_BODY: Option<&()> = None;

/// No query string.
const NO_QUERY: Option<&()> = None;

/// Times a request answered 429 is sent again before the 429 is returned.
pub const MAX_RATE_LIMIT_RETRIES: u32 = 3;
/// Longest `Retry-After` the client waits out; a longer one is returned.
pub const MAX_RETRY_AFTER: Duration = Duration::from_secs(30);

/// The wait a 429 asks for: `Retry-After` in whole seconds (the form the
/// node sends), at most [`MAX_RETRY_AFTER`]. An HTTP date, a missing or
/// malformed header, or a longer wait gives `None`: the 429 is returned.
fn retry_after(headers: &reqwest::header::HeaderMap) -> Option<Duration> {
    let secs: u64 = headers
        .get(reqwest::header::RETRY_AFTER)?
        .to_str()
        .ok()?
        .trim()
        .parse()
        .ok()?;
    let wait = Duration::from_secs(secs);
    (wait <= MAX_RETRY_AFTER).then_some(wait)
}

/// The error a node answered: its JSON error body, or the start of whatever
/// else it sent.
fn api_error(status: u16, text: &str) -> ClientError {
    match serde_json::from_str::<ErrorBody>(text) {
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

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::{HeaderMap, HeaderValue, RETRY_AFTER};

    fn headers(value: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(
            RETRY_AFTER,
            HeaderValue::from_str(value).expect("a header value"),
        );
        h
    }

    #[test]
    fn retry_after_is_whole_seconds_within_the_limit() {
        assert_eq!(retry_after(&headers("1")), Some(Duration::from_secs(1)));
        assert_eq!(retry_after(&headers(" 30 ")), Some(MAX_RETRY_AFTER));
        assert_eq!(retry_after(&headers("0")), Some(Duration::ZERO));
        assert_eq!(retry_after(&headers("31")), None, "longer than the limit");
        assert_eq!(retry_after(&headers("-1")), None);
        assert_eq!(retry_after(&headers("1.5")), None);
        assert_eq!(
            retry_after(&headers("Wed, 21 Oct 2026 07:28:00 GMT")),
            None,
            "HTTP dates are not waited for"
        );
        assert_eq!(retry_after(&HeaderMap::new()), None);
    }
}

//! What the API's tests share: a node that orders nothing, the API over an
//! in-memory ledger (no RocksDB), and requests through the router itself.

#![allow(dead_code)] // each test binary uses part of it

use std::sync::Arc;

use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use serde::de::DeserializeOwned;
use tanji_api::{ApiLedger, ApiState, Metrics, NodeService, PendingStatus, SubmitError};
use tanji_ledger::checkpoint::NoteVerifier;
use tanji_ledger::store::MemoryStore;
use tanji_ledger::tx::SignedTx;
use tanji_ledger::TxId;
use tower::ServiceExt as _;

/// A node that orders nothing: enough to serve reads.
pub struct IdleNode {
    /// Keys whose signatures make a checkpoint final.
    pub verifiers: Vec<NoteVerifier>,
}

impl NodeService for IdleNode {
    fn submit(&self, _tx: SignedTx) -> Result<TxId, SubmitError> {
        Err(SubmitError::Unavailable("test node".into()))
    }
    fn pending_status(&self, _id: &TxId) -> PendingStatus {
        PendingStatus::Unknown
    }
    fn checkpoint_verifiers(&self, _size: u64) -> (Vec<NoteVerifier>, usize) {
        (self.verifiers.clone(), 1)
    }
    fn role(&self) -> &'static str {
        "solo"
    }
}

/// The API's state over `store`, with checkpoints final when `verifiers` sign.
pub fn state_over(store: Arc<dyn ApiLedger>, verifiers: Vec<NoteVerifier>) -> ApiState {
    ApiState {
        store,
        node: Arc::new(IdleNode { verifiers }),
        metrics: Arc::new(Metrics::new()),
        pact_url: Default::default(),
    }
}

/// The API over an empty in-memory ledger.
pub fn empty_state() -> ApiState {
    state_over(Arc::new(MemoryStore::new()), Vec::new())
}

/// An answer: status, content type and body.
pub struct Answer {
    /// HTTP status.
    pub status: StatusCode,
    /// `Content-Type`, if any.
    pub content_type: Option<String>,
    /// The body.
    pub body: Vec<u8>,
}

impl Answer {
    /// The body as `T`, which it must be.
    pub fn json<T: DeserializeOwned>(&self) -> T {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| {
            panic!(
                "{} answer is not the expected JSON ({e}): {}",
                self.status,
                String::from_utf8_lossy(&self.body)
            )
        })
    }

    /// The body as text.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// Sends `method path` with `body` through the router.
pub async fn send(state: &ApiState, method: Method, path: &str, body: Vec<u8>) -> Answer {
    let request = Request::builder()
        .method(method)
        .uri(path)
        .body(Body::from(body))
        .expect("request");
    let response = tanji_api::router(state.clone())
        .oneshot(request)
        .await
        .expect("the router answers");
    let status = response.status();
    let content_type = response
        .headers()
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let body = axum::body::to_bytes(response.into_body(), 16 << 20)
        .await
        .expect("body")
        .to_vec();
    Answer {
        status,
        content_type,
        body,
    }
}

/// `GET path`.
pub async fn get(state: &ApiState, path: &str) -> Answer {
    send(state, Method::GET, path, Vec::new()).await
}

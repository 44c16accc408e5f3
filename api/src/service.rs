//! What the HTTP layer needs from a node.

use std::sync::Arc;

use tanji_ledger::checkpoint::NoteVerifier;
use tanji_ledger::store::{EnvelopeWrite, LedgerRead, PrivateRecords};
use tanji_ledger::tx::SignedTx;
use tanji_ledger::validate::TxError;
use tanji_ledger::TxId;

use tanji_api_types::ops::Alarm;

use crate::Metrics;

/// Where a transaction that is not (yet) in the log stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PendingStatus {
    /// Accepted and waiting to be ordered.
    Queued,
    /// Refused when it was ordered (state changed after admission).
    Rejected(TxError),
    /// Never seen, or queued before a restart and lost with the queue.
    Unknown,
}

/// Why a submission was refused.
#[derive(Debug, thiserror::Error)]
pub enum SubmitError {
    /// The transaction breaks a rule.
    #[error(transparent)]
    Invalid(#[from] TxError),
    /// The queue is full; try again later.
    #[error("the node is overloaded ({0} transactions queued); retry later")]
    Overloaded(usize),
    /// The node is shutting down or cannot order.
    #[error("the node cannot accept transactions: {0}")]
    Unavailable(String),
}

/// A node as the API sees it: ordering and in-flight status.
pub trait NodeService: Send + Sync + 'static {
    /// Validates `tx` against the current state and queues it for ordering.
    /// Submitting a transaction that is already queued is not an error.
    fn submit(&self, tx: SignedTx) -> Result<TxId, SubmitError>;
    /// Status of a transaction not found in the log.
    fn pending_status(&self, id: &TxId) -> PendingStatus;
    /// Keys whose signatures make the checkpoint of log size `size` final,
    /// and how many are needed: the validator set in force at that size
    /// (governance changes it; `u64::MAX` asks for the newest set).
    fn checkpoint_verifiers(&self, size: u64) -> (Vec<NoteVerifier>, usize);
    /// The node's role, for health and metrics ("validator", "observer", "solo").
    fn role(&self) -> &'static str;
    /// Alarms raised by this node (forks, equivocations), oldest first.
    fn alarms(&self) -> Vec<Alarm> {
        Vec::new()
    }
    /// The highest consensus height this node has applied, if it takes part
    /// in replicated ordering.
    fn consensus_height(&self) -> Option<u64> {
        None
    }
}

/// The ledger as the API uses it: every read ([`LedgerRead`]), the sealed
/// envelopes it keeps and purges for disclosure ([`EnvelopeWrite`]) and its
/// other private records, PACT credentials among them ([`PrivateRecords`]). The
/// RocksDB `Store` is one; `MemoryStore` is another, so routes can be served
/// and tested without a database.
pub trait ApiLedger: LedgerRead + EnvelopeWrite + PrivateRecords + Send + Sync + 'static {}

impl<T: LedgerRead + EnvelopeWrite + PrivateRecords + Send + Sync + 'static> ApiLedger for T {}

/// Shared state of every handler.
#[derive(Clone)]
pub struct ApiState {
    /// The ledger.
    pub store: Arc<dyn ApiLedger>,
    /// The node.
    pub node: Arc<dyn NodeService>,
    /// Metrics registry and instruments.
    pub metrics: Arc<Metrics>,
    /// The public URL of the node's PACT host, once it serves one (set by
    /// [`crate::pact_host::router`]): where partners send this node's
    /// organisations their answers.
    pub pact_url: Arc<std::sync::OnceLock<String>>,
}

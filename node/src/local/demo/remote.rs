//! Loading the demo into a running node through its HTTP API (`tanji-node
//! devnet`, where the store belongs to the node process).
//!
//! [`RemoteLedger`] mirrors the node's log in memory: it fetches every entry
//! and replays it with the ledger's own rules ([`validate::check`]), the same
//! deterministic code every node runs, so what the loader reads from the
//! mirror (existing records, footprints to build on) is what the nodes hold.
//! Its transactions are checked against the mirror before they are sent, then
//! submitted and polled until committed.
//!
//! The loader itself is synchronous (shared with the local store); the
//! `async` entry points run it on a blocking thread that drives the HTTP
//! client through the caller's runtime.

use std::collections::HashSet;
use std::fmt::Write as _;
use std::path::Path;
use std::time::Duration;

use anyhow::{bail, Context as _, Result};
use tanji_ledger::keyfile::OrgKeyFile;
use tanji_ledger::state::{MemoryState, PendingState, StateView};
use tanji_ledger::tx::SignedTx;
use tanji_ledger::validate;
use tanji_ledger::TxId;
use tanji_sdk::client::{Client, ClientError};
use tanji_sdk::types::tx::{Submission, TxState};
use tokio::runtime::Handle;
use tokio::time::Instant;

use super::DemoLedger;

/// Entries asked for per request (the node may return fewer).
const PAGE: u64 = 1000;
/// How often a submitted transaction's status is asked for.
const POLL: Duration = Duration::from_millis(100);
/// How long [`DemoLedger::submit_all`] waits for its transactions by default.
pub const DEFAULT_COMMIT_TIMEOUT: Duration = Duration::from_secs(120);

/// "transaction <id> (<kind>)", for messages.
fn describe(tx: &SignedTx) -> String {
    format!("transaction {} ({})", tx.id(), tx.body.kind.name())
}

/// A log replayed into memory with the ledger's rules.
#[derive(Default)]
pub(crate) struct Mirror {
    state: MemoryState,
    size: u64,
    logged: HashSet<TxId>,
}

impl Mirror {
    /// The replayed state.
    pub(crate) fn state(&self) -> &MemoryState {
        &self.state
    }

    /// Entries replayed so far.
    pub(crate) fn size(&self) -> u64 {
        self.size
    }

    /// Whether transaction `id` is among the entries replayed.
    pub(crate) fn contains(&self, id: &TxId) -> bool {
        self.logged.contains(id)
    }

    /// Replays the log entry at `index`, which must be the next one.
    pub(crate) fn apply_entry(&mut self, index: u64, bytes: &[u8]) -> Result<TxId> {
        if index != self.size {
            bail!(
                "log entry {index} arrived when entry {} was expected",
                self.size
            );
        }
        let tx = SignedTx::decode(bytes)
            .map_err(|e| anyhow::anyhow!("log entry {index} does not decode: {e}"))?;
        let accepted = validate::check(&self.state, &tx, index, &[]).map_err(|e| {
            anyhow::anyhow!(
                "log entry {index}, {}, does not replay under this build's rules: {e}",
                describe(&tx)
            )
        })?;
        self.state.apply(accepted.changes);
        let id = tx.id();
        self.logged.insert(id);
        self.size += 1;
        Ok(id)
    }

    /// Checks `txs` as if appended in order after the replayed log, so a bad
    /// transaction fails here, named, before anything is sent.
    pub(crate) fn precheck(&self, txs: &[SignedTx]) -> Result<()> {
        let mut pending = PendingState::new(&self.state);
        for (i, tx) in txs.iter().enumerate() {
            let accepted = validate::check(&pending, tx, self.size + i as u64, &[])
                .map_err(|e| anyhow::anyhow!("{} would be refused: {e}", describe(tx)))?;
            pending.apply(accepted.changes);
        }
        Ok(())
    }
}

/// A running node, reached over HTTP, with an in-memory mirror of its log.
///
/// Its methods block: use it off the async runtime (e.g. inside
/// [`tokio::task::spawn_blocking`]); the runtime handle it is given drives
/// the HTTP requests.
pub struct RemoteLedger {
    client: Client,
    rt: Handle,
    mirror: Mirror,
    timeout: Duration,
}

impl RemoteLedger {
    /// Connects to the node at `base_url` (e.g. `http://127.0.0.1:7410`) and
    /// replays its whole log. Blocks; `rt` must not be the runtime of the
    /// calling thread's task (call it from a blocking thread).
    pub fn connect(base_url: &str, rt: Handle) -> Result<Self> {
        let client = Client::new(base_url).with_context(|| format!("client for {base_url}"))?;
        let mut ledger = Self {
            client,
            rt,
            mirror: Mirror::default(),
            timeout: DEFAULT_COMMIT_TIMEOUT,
        };
        ledger.catch_up()?;
        if ledger.mirror.state().network()?.is_none() {
            bail!("the node at {base_url} has no genesis yet");
        }
        Ok(ledger)
    }

    /// How long [`DemoLedger::submit_all`] waits for its transactions to commit.
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// The node's URL.
    pub fn base(&self) -> &str {
        self.client.base()
    }

    /// Entries replayed into the mirror.
    pub fn size(&self) -> u64 {
        self.mirror.size()
    }

    /// Fetches and replays the entries appended since the last call.
    pub fn catch_up(&mut self) -> Result<()> {
        let Self {
            client, rt, mirror, ..
        } = self;
        rt.block_on(async {
            loop {
                let start = mirror.size();
                let page = client
                    .entries(start, start.saturating_add(PAGE))
                    .await
                    .with_context(|| {
                        format!("reading the log of {} from {start}", client.base())
                    })?;
                if page.is_empty() {
                    return Ok(());
                }
                for entry in page {
                    mirror.apply_entry(entry.index, &entry.bytes)?;
                }
            }
        })
    }
}

impl DemoLedger for RemoteLedger {
    fn view(&self) -> &dyn StateView {
        self.mirror.state()
    }

    fn submit_all(&mut self, txs: Vec<SignedTx>) -> Result<Vec<TxId>> {
        let ids: Vec<TxId> = txs.iter().map(SignedTx::id).collect();
        if txs.is_empty() {
            return Ok(ids);
        }
        self.catch_up()?;
        let todo: Vec<SignedTx> = txs
            .into_iter()
            .filter(|tx| !self.mirror.contains(&tx.id()))
            .collect();
        if todo.is_empty() {
            return Ok(ids);
        }
        self.mirror.precheck(&todo)?;
        self.rt
            .block_on(commit_all(&self.client, &todo, self.timeout))?;
        self.catch_up()?;
        for tx in &todo {
            if !self.mirror.contains(&tx.id()) {
                bail!(
                    "{} is reported committed by {} but is not in the log it serves",
                    describe(tx),
                    self.client.base()
                );
            }
        }
        Ok(ids)
    }

    fn deposit_envelope(
        &mut self,
        footprint: TxId,
        bytes: &[u8],
        sender: &OrgKeyFile,
    ) -> Result<()> {
        let key = sender.signing_key()?;
        self.rt
            .block_on(
                self.client
                    .deposit_envelope(&footprint, bytes, sender.org_id, &key),
            )
            .with_context(|| format!("depositing an envelope on {}", self.client.base()))
    }
}

/// Whether a failed request is worth repeating (the node is busy, restarting
/// or unreachable for a moment) rather than an answer about the transaction.
fn retryable(e: &ClientError) -> bool {
    match e {
        ClientError::Transport { .. } => true,
        ClientError::Api { status, .. } => *status == 429 || *status >= 500,
        ClientError::Decode { .. } => false,
    }
}

/// Submits `txs` and waits until every one is committed; fails on the first
/// refusal, or after `timeout` naming those still pending.
async fn commit_all(client: &Client, txs: &[SignedTx], timeout: Duration) -> Result<()> {
    struct Pending<'a> {
        tx: &'a SignedTx,
        id: TxId,
        sent: bool,
        last: String,
    }
    let deadline = Instant::now() + timeout;
    let mut pending: Vec<Pending> = txs
        .iter()
        .map(|tx| Pending {
            tx,
            id: tx.id(),
            sent: false,
            last: "not sent".into(),
        })
        .collect();
    let base = client.base();
    loop {
        let mut still = Vec::with_capacity(pending.len());
        for mut p in pending {
            let committed = if !p.sent {
                match client.submit(p.tx).await {
                    Ok(s) => {
                        p.sent = true;
                        p.last = s.status.to_string();
                        s.status == Submission::Committed
                    }
                    Err(e) if retryable(&e) => {
                        p.last = format!("not accepted yet: {e}");
                        false
                    }
                    Err(e) => bail!("{} refused by {base}: {e}", describe(p.tx)),
                }
            } else {
                match client.tx_status(&p.id).await {
                    Ok(s) => match s.status {
                        TxState::Committed => true,
                        TxState::Rejected => {
                            let why = s
                                .error
                                .map(|e| format!("{}: {}", e.code, e.message))
                                .unwrap_or_else(|| "no reason given".into());
                            bail!("{} rejected by {base}: {why}", describe(p.tx));
                        }
                        TxState::Unknown => {
                            // Lost from the node's queue (e.g. a restart): send it again.
                            p.sent = false;
                            p.last = "unknown to the node; resending".into();
                            false
                        }
                        TxState::Queued => {
                            p.last = "queued".into();
                            false
                        }
                    },
                    Err(e) if retryable(&e) => {
                        p.last = format!("status unavailable: {e}");
                        false
                    }
                    Err(e) => bail!("status of {} from {base}: {e}", describe(p.tx)),
                }
            };
            if !committed {
                still.push(p);
            }
        }
        pending = still;
        if pending.is_empty() {
            return Ok(());
        }
        if Instant::now() >= deadline {
            let mut list = String::new();
            for p in pending.iter().take(10) {
                let _ = write!(list, "\n  {}: {}", describe(p.tx), p.last);
            }
            if pending.len() > 10 {
                let _ = write!(list, "\n  and {} more", pending.len() - 10);
            }
            bail!(
                "{} of {} transactions not committed by {base} after {} s:{list}",
                pending.len(),
                txs.len(),
                timeout.as_secs()
            );
        }
        tokio::time::sleep(POLL).await;
    }
}

/// Loads the demo data into the running node at `base_url` (see
/// [`super::load_into`]): signs with the key files in `keys_dir` and writes
/// `demo.json`, `models/` and `openings/` into `out_dir`. Does nothing if
/// `out_dir/demo.json` exists. The demo organisations must be registered
/// (see [`register_orgs_remote`]). Call it from a Tokio runtime.
pub async fn load_remote(base_url: &str, keys_dir: &Path, out_dir: &Path) -> Result<()> {
    if super::already_loaded(out_dir) {
        return Ok(());
    }
    let rt = Handle::current();
    let (base, keys, out) = (
        base_url.to_string(),
        keys_dir.to_path_buf(),
        out_dir.to_path_buf(),
    );
    tokio::task::spawn_blocking(move || {
        let mut ledger = RemoteLedger::connect(&base, rt)?;
        super::load_into(&mut ledger, &keys, &out)
            .with_context(|| format!("loading the demo data into {base}"))
    })
    .await
    .context("the demo loader stopped")?
}

/// Registers the demo organisations on the running node at `base_url` (see
/// [`super::register_orgs`]): key files `keys_dir/<stem>.json` are created if
/// missing, and each registration is approved by every one of `approvers`
/// (governance members enough for a quorum). Organisations already
/// registered are left alone. Call it from a Tokio runtime.
pub async fn register_orgs_remote(
    base_url: &str,
    keys_dir: &Path,
    approvers: &[OrgKeyFile],
) -> Result<()> {
    let rt = Handle::current();
    let (base, keys, approvers) = (
        base_url.to_string(),
        keys_dir.to_path_buf(),
        approvers.to_vec(),
    );
    tokio::task::spawn_blocking(move || {
        let mut ledger = RemoteLedger::connect(&base, rt)?;
        super::register_orgs(&mut ledger, &keys, &approvers)
            .with_context(|| format!("registering the demo organisations on {base}"))
    })
    .await
    .context("the demo registration stopped")?
}

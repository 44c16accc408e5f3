//! The network's genesis file: the signed transactions every node applies
//! before consensus height 1 (the `Genesis` entry, then e.g. registrations
//! of observer nodes), identical on every node.
//!
//! ```json
//! { "network": "devnet.tanji.local", "entries": ["<hex of the canonical encoding>", ...] }
//! ```
//!
//! The file is agreed out of band, like any BFT network's genesis: its
//! first entry is signed by every founding organisation, and a node refuses a
//! store whose first entries differ from it.

use std::path::Path;

use anyhow::{bail, Context as _, Result};
use serde::{Deserialize, Serialize};
use tanji_ledger::store::{Candidate, Store};
use tanji_ledger::tx::{SignedTx, TxKind};

/// Most entries a genesis file may hold.
pub const MAX_GENESIS_ENTRIES: usize = 10_000;

/// A genesis file.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GenesisFile {
    /// The network name (every entry's `network`).
    pub network: String,
    /// Hex of each entry's canonical encoding, in log order.
    pub entries: Vec<String>,
}

impl GenesisFile {
    /// A genesis file from signed transactions (the first must be the `Genesis`).
    pub fn new(network: &str, txs: &[SignedTx]) -> Self {
        Self {
            network: network.to_string(),
            entries: txs.iter().map(|t| hex::encode(t.encode())).collect(),
        }
    }

    /// Reads a genesis file.
    pub fn load(path: &Path) -> Result<Self> {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("reading the genesis file {}", path.display()))?;
        serde_json::from_str(&text).with_context(|| format!("{}", path.display()))
    }

    /// Writes it (atomically).
    pub fn save(&self, path: &Path) -> Result<()> {
        let tmp = path.with_extension("json.tmp");
        std::fs::write(&tmp, serde_json::to_vec_pretty(self)?)?;
        std::fs::rename(&tmp, path)?;
        Ok(())
    }

    /// The entries, decoded and checked: well-formed, of this network, the
    /// first a `Genesis` and no other.
    pub fn txs(&self) -> Result<Vec<SignedTx>> {
        if self.entries.is_empty() || self.entries.len() > MAX_GENESIS_ENTRIES {
            bail!(
                "a genesis file holds 1..={MAX_GENESIS_ENTRIES} entries, not {}",
                self.entries.len()
            );
        }
        let mut out = Vec::with_capacity(self.entries.len());
        for (i, h) in self.entries.iter().enumerate() {
            let bytes = hex::decode(h).with_context(|| format!("genesis entry {i}: not hex"))?;
            let tx =
                SignedTx::decode(&bytes).map_err(|e| anyhow::anyhow!("genesis entry {i}: {e}"))?;
            if tx.body.network != self.network {
                bail!(
                    "genesis entry {i} is for network {:?}, not {:?}",
                    tx.body.network,
                    self.network
                );
            }
            if matches!(tx.body.kind, TxKind::Genesis(_)) != (i == 0) {
                bail!("the genesis entry must be first, and only first");
            }
            out.push(tx);
        }
        Ok(out)
    }

    /// Applies the genesis to an empty store, or checks that a store's first
    /// entries are this genesis.
    pub fn init_store(&self, store: &Store) -> Result<()> {
        let txs = self.txs()?;
        let size = store.head().size;
        if size == 0 {
            let candidates: Vec<Candidate> = txs.into_iter().map(Candidate::new).collect();
            let outcome = store.append_batch(&candidates, None)?;
            for (id, r) in outcome.results {
                if let Err(e) = r {
                    bail!("genesis entry {id} is refused by the ledger rules: {e}");
                }
            }
            tracing::info!(network = %self.network, entries = candidates.len(), "genesis applied");
            return Ok(());
        }
        for (i, tx) in txs.iter().enumerate() {
            let stored = store.entry(i as u64)?;
            if stored.as_deref() != Some(tx.encode().as_slice()) {
                bail!(
                    "this data folder holds another network: its entry {i} differs from the genesis file's"
                );
            }
        }
        Ok(())
    }
}

//! Undecided proposals on disk, so a restarted node answers `StartedRound`
//! and a repeated `GetValue` exactly as before the crash.
//!
//! Tendermint's safety needs a proposer that crashes mid-height to propose
//! the *same* value again for a round it already proposed in, and a node to
//! still know the batch behind a value it may have voted for. Malachite's WAL
//! keeps votes and proposals but not the application's batches, so each
//! proposal the app learns (its own or a peer's, once complete and checked)
//! is written here, fsynced, before the app answers the engine.
//!
//! One file per proposal, `consensus/proposals/{height:020}-{round}-{batch id}.bin`,
//! holding a borsh [`StoredProposal`]; files below the next height are
//! deleted when a height is finalised. A torn file (crash while writing) is
//! impossible: files are written under a temporary name and renamed.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use borsh::{BorshDeserialize, BorshSerialize};

use super::batch::Batch;

/// Largest proposal file read back (a batch is at most 8 MiB encoded).
const MAX_FILE: u64 = 9 * 1024 * 1024;

/// A proposal as stored.
#[derive(Debug, Clone, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub struct StoredProposal {
    /// Height.
    pub height: u64,
    /// Round (`-1` = nil is never stored; rounds are ≥ 0).
    pub round: i64,
    /// The proof-of-lock round, `-1` for none.
    pub valid_round: i64,
    /// The proposer's address (node key).
    pub proposer: [u8; 32],
    /// Whether this node proposed it.
    pub own: bool,
    /// Whether the app found it valid.
    pub valid: bool,
    /// The batch, encoded.
    pub batch: Vec<u8>,
}

/// The folder of stored proposals.
pub struct ProposalStore {
    dir: PathBuf,
}

impl ProposalStore {
    /// Opens (creating) `dir`.
    pub fn open(dir: &Path) -> std::io::Result<Self> {
        std::fs::create_dir_all(dir)?;
        Ok(Self {
            dir: dir.to_path_buf(),
        })
    }

    /// Writes a proposal durably (no-op if it is there already).
    pub fn save(&self, p: &StoredProposal, id_hex: &str) -> std::io::Result<()> {
        let name = format!("{:020}-{}-{id_hex}.bin", p.height, p.round);
        let path = self.dir.join(&name);
        if path.exists() {
            return Ok(());
        }
        let tmp = self.dir.join(format!("{name}.tmp"));
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(&borsh::to_vec(p)?)?;
        f.sync_all()?;
        std::fs::rename(&tmp, &path)?;
        if let Ok(d) = std::fs::File::open(&self.dir) {
            let _ = d.sync_all();
        }
        Ok(())
    }

    /// Every stored proposal at `height` or above, with its decoded batch.
    /// Unreadable files are skipped with a warning (they are only a cache of
    /// what peers can send again).
    pub fn load_from(&self, height: u64) -> std::io::Result<Vec<(StoredProposal, Batch)>> {
        let mut out = Vec::new();
        for entry in std::fs::read_dir(&self.dir)? {
            let entry = entry?;
            let path = entry.path();
            if path.extension().and_then(|e| e.to_str()) != Some("bin") {
                continue;
            }
            match Self::read(&path) {
                Ok((p, b)) if p.height >= height => out.push((p, b)),
                Ok(_) => {}
                Err(e) => {
                    tracing::warn!(file = %path.display(), error = %e, "skipping a stored proposal")
                }
            }
        }
        out.sort_by_key(|(p, _)| (p.height, p.round));
        Ok(out)
    }

    fn read(path: &Path) -> Result<(StoredProposal, Batch), String> {
        let len = std::fs::metadata(path).map_err(|e| e.to_string())?.len();
        if len > MAX_FILE {
            return Err(format!("{len} bytes"));
        }
        let bytes = std::fs::read(path).map_err(|e| e.to_string())?;
        let p = StoredProposal::try_from_slice(&bytes).map_err(|e| e.to_string())?;
        let batch = Batch::decode(&p.batch).map_err(|e| e.to_string())?;
        Ok((p, batch))
    }

    /// Deletes proposals below `height`.
    pub fn prune_below(&self, height: u64) {
        let Ok(dir) = std::fs::read_dir(&self.dir) else {
            return;
        };
        for entry in dir.flatten() {
            let name = entry.file_name();
            let Some(h) = name
                .to_str()
                .and_then(|n| n.split('-').next())
                .and_then(|h| h.parse::<u64>().ok())
            else {
                continue;
            };
            if h < height {
                let _ = std::fs::remove_file(entry.path());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn proposals_survive_reopen_and_prune() {
        let dir = tempfile::tempdir().unwrap();
        let store = ProposalStore::open(dir.path()).unwrap();
        let batch = Batch::new(vec![vec![1, 2, 3]]).unwrap();
        for (h, r) in [(3u64, 0i64), (4, 0), (4, 1)] {
            let p = StoredProposal {
                height: h,
                round: r,
                valid_round: -1,
                proposer: [7; 32],
                own: r == 1,
                valid: true,
                batch: batch.encode(),
            };
            store.save(&p, &format!("{h}{r}")).unwrap();
        }
        std::fs::write(dir.path().join("00000000000000000009-0-x.bin"), b"junk").unwrap();
        let again = ProposalStore::open(dir.path()).unwrap();
        let loaded = again.load_from(4).unwrap();
        assert_eq!(loaded.len(), 2);
        assert!(loaded[1].0.own);
        assert_eq!(loaded[0].1, batch);
        again.prune_below(4);
        assert_eq!(again.load_from(0).unwrap().len(), 2);
    }
}

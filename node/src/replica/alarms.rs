//! Alarms: evidence that the network forked or a key equivocated.
//!
//! Honest validators never sign two roots for one log size, so two validly
//! signed checkpoints that disagree prove misbehaviour (or a stolen key).
//! Nor do they sign two different votes (or proposals) for one consensus
//! height, round and type: the consensus engine reports such pairs, and
//! [`AlarmLog::raise_consensus`] keeps them (see
//! [`crate::ordering::bft::evidence`]).
//!
//! A node keeps every alarm with both signed pieces of evidence, in memory
//! for the API (`GET /v1/alarms`) and appended to `DATA_DIR/alarms.jsonl`
//! so the evidence survives restarts; each one is also logged at `error`
//! level and counted in the `tanji_alarms` metric (consensus equivocations
//! also in `tanji_consensus_equivocations`, by message type).
//!
//! Invariants: an alarm is raised once (checkpoint alarms per kind, size
//! and notes; consensus alarms per kind, validator, height, round and
//! message type, whatever the values), also across restarts, since the
//! file is read back at start. At most [`MAX_CONSENSUS_ALARMS_PER_VALIDATOR`]
//! consensus alarms are kept per validator, so one that equivocates at
//! every height cannot fill the disk.

use std::collections::HashSet;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{SystemTime, UNIX_EPOCH};

use tanji_api::types::ops::ConsensusEquivocation;
use tanji_api::{Alarm, Metrics};
use tanji_ledger::carbon::rfc3339_utc;

/// Most alarms kept in memory (the file keeps all).
const MAX_ALARMS_IN_MEMORY: usize = 10_000;

/// Most consensus alarms kept per validator. One proves the misbehaviour;
/// a validator that equivocates at every height (several per second) must
/// not fill the disk or push every other alarm out of memory. Later ones
/// are still counted in `tanji_consensus_equivocations`.
pub const MAX_CONSENSUS_ALARMS_PER_VALIDATOR: usize = 64;

/// The node's alarms.
pub struct AlarmLog {
    alarms: Mutex<Vec<Alarm>>,
    /// Validators past [`MAX_CONSENSUS_ALARMS_PER_VALIDATOR`] (said once).
    capped: Mutex<HashSet<String>>,
    file: PathBuf,
    metrics: Arc<Metrics>,
}

impl AlarmLog {
    /// Opens `DATA_DIR/alarms.jsonl`, loading earlier alarms.
    pub fn open(data_dir: &Path, metrics: Arc<Metrics>) -> anyhow::Result<Self> {
        let file = data_dir.join("alarms.jsonl");
        let mut alarms = Vec::new();
        if let Ok(text) = std::fs::read_to_string(&file) {
            for (i, line) in text.lines().enumerate() {
                match serde_json::from_str::<Alarm>(line) {
                    Ok(a) => alarms.push(a),
                    // A torn last line after a crash; the evidence before it is intact.
                    Err(e) => tracing::warn!(line = i + 1, error = %e, "unreadable alarm line"),
                }
            }
        }
        Ok(Self {
            alarms: Mutex::new(alarms),
            capped: Mutex::default(),
            file,
            metrics,
        })
    }

    /// Raises an alarm unless the same one (kind, size, notes) was raised before.
    pub fn raise(
        &self,
        kind: &str,
        size: u64,
        signers: Vec<String>,
        detail: String,
        notes: [String; 2],
    ) {
        let mut alarms = self.alarms.lock().unwrap_or_else(|e| e.into_inner());
        if alarms
            .iter()
            .any(|a| a.kind == kind && a.size == size && a.notes == notes)
        {
            return;
        }
        self.push(
            &mut alarms,
            Alarm {
                kind: kind.to_string(),
                size,
                signers,
                detail,
                notes,
                raised_at: now(),
                consensus: None,
            },
        );
    }

    /// Raises a consensus alarm (`equivocating_vote`, `equivocating_proposal`)
    /// unless one of the same kind was raised before for the same validator,
    /// height, round and message type; returns whether it was kept. Past
    /// [`MAX_CONSENSUS_ALARMS_PER_VALIDATOR`] alarms of one validator, new
    /// equivocations are counted in the metric but not kept. The evidence
    /// must have been checked by the caller (both signatures valid).
    pub fn raise_consensus(
        &self,
        kind: &str,
        detail: String,
        notes: [String; 2],
        evidence: ConsensusEquivocation,
    ) -> bool {
        let mut alarms = self.alarms.lock().unwrap_or_else(|e| e.into_inner());
        let same = |a: &Alarm| {
            a.kind == kind
                && a.consensus.as_ref().is_some_and(|c| {
                    c.validator == evidence.validator
                        && c.height == evidence.height
                        && c.round == evidence.round
                        && c.message == evidence.message
                })
        };
        if alarms.iter().any(same) {
            return false;
        }
        self.metrics.consensus_equivocation(&evidence.message);
        let kept = alarms
            .iter()
            .filter(|a| {
                a.consensus
                    .as_ref()
                    .is_some_and(|c| c.validator == evidence.validator)
            })
            .count();
        if kept >= MAX_CONSENSUS_ALARMS_PER_VALIDATOR {
            let first = self
                .capped
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .insert(evidence.validator.clone());
            if first {
                tracing::warn!(
                    validator = %evidence.validator,
                    name = ?evidence.validator_name,
                    "{MAX_CONSENSUS_ALARMS_PER_VALIDATOR} equivocation alarms kept for this validator; further ones are only counted (tanji_consensus_equivocations)"
                );
            }
            tracing::debug!(
                validator = %evidence.validator,
                height = evidence.height,
                round = evidence.round,
                message = %evidence.message,
                "equivocation counted, not kept"
            );
            return false;
        }
        let signer = evidence
            .validator_name
            .clone()
            .unwrap_or_else(|| evidence.validator.clone());
        self.push(
            &mut alarms,
            Alarm {
                kind: kind.to_string(),
                size: 0,
                signers: vec![signer],
                detail,
                notes,
                raised_at: now(),
                consensus: Some(evidence),
            },
        );
        true
    }

    /// Logs, counts, persists and keeps a new alarm.
    fn push(&self, alarms: &mut Vec<Alarm>, alarm: Alarm) {
        tracing::error!(
            kind = %alarm.kind,
            size = alarm.size,
            signers = ?alarm.signers,
            detail = %alarm.detail,
            first = %alarm.notes[0],
            second = %alarm.notes[1],
            "ALARM"
        );
        self.metrics.alarms.inc();
        if let Err(e) = self.append(&alarm) {
            tracing::error!(error = %e, file = %self.file.display(), "cannot persist an alarm");
        }
        alarms.push(alarm);
        if alarms.len() > MAX_ALARMS_IN_MEMORY {
            alarms.remove(0);
        }
    }

    fn append(&self, alarm: &Alarm) -> std::io::Result<()> {
        let mut f = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.file)?;
        let mut line = serde_json::to_vec(alarm).map_err(std::io::Error::other)?;
        line.push(b'\n');
        f.write_all(&line)?;
        f.sync_data()
    }

    /// Every alarm, oldest first.
    pub fn all(&self) -> Vec<Alarm> {
        self.alarms
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }
}

/// The time now, RFC 3339 UTC.
fn now() -> String {
    rfc3339_utc(
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs()),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn alarms_persist_and_deduplicate() {
        let dir = tempfile::tempdir().unwrap();
        let metrics = Arc::new(Metrics::new());
        let log = AlarmLog::open(dir.path(), metrics.clone()).unwrap();
        let notes = ["a\n\n— x AAAA\n".to_string(), "b\n\n— x BBBB\n".to_string()];
        log.raise("fork", 3, vec!["x".into()], "d".into(), notes.clone());
        log.raise("fork", 3, vec!["x".into()], "d".into(), notes.clone());
        assert_eq!(log.all().len(), 1);
        drop(log);
        let again = AlarmLog::open(dir.path(), metrics).unwrap();
        assert_eq!(again.all().len(), 1);
        assert_eq!(again.all()[0].notes, notes);
    }

    fn evidence(round: u32, message: &str, value: &str) -> ConsensusEquivocation {
        use tanji_api::types::ops::SignedConsensusMessage;
        let signed = |v: Option<&str>| SignedConsensusMessage {
            value: v.map(str::to_string),
            pol_round: None,
            signature: "00".repeat(64),
            signed_bytes: "00".into(),
        };
        ConsensusEquivocation {
            network: "n".into(),
            height: 7,
            round,
            message: message.into(),
            validator: "ab".repeat(32),
            validator_name: Some("validator-3".into()),
            signed: [signed(Some(value)), signed(None)],
        }
    }

    #[test]
    fn consensus_alarms_are_kept_once_per_validator_height_round_and_type() {
        let dir = tempfile::tempdir().unwrap();
        let metrics = Arc::new(Metrics::new());
        let log = AlarmLog::open(dir.path(), metrics.clone()).unwrap();
        let notes = || ["a".to_string(), "b".to_string()];
        let raise = |e| log.raise_consensus("equivocating_vote", "d".into(), notes(), e);
        assert!(raise(evidence(0, "prevote", "11")));
        // The same slot with other values: already proven.
        assert!(!raise(evidence(0, "prevote", "22")));
        assert!(raise(evidence(0, "precommit", "11")));
        assert!(raise(evidence(1, "prevote", "11")));
        assert_eq!(log.all().len(), 3);
        assert_eq!(log.all()[0].signers, vec!["validator-3".to_string()]);
        drop(log);
        let again = AlarmLog::open(dir.path(), metrics.clone()).unwrap();
        assert_eq!(again.all().len(), 3);
        assert_eq!(again.all()[0].consensus, Some(evidence(0, "prevote", "11")));
        assert!(!again.raise_consensus(
            "equivocating_vote",
            "d".into(),
            notes(),
            evidence(1, "prevote", "33")
        ));
        let text = metrics.encode();
        assert!(
            text.contains("tanji_consensus_equivocations_total{message=\"prevote\"} 2"),
            "{text}"
        );
    }

    #[test]
    fn a_validator_equivocating_at_every_height_cannot_fill_the_log() {
        let dir = tempfile::tempdir().unwrap();
        let metrics = Arc::new(Metrics::new());
        let log = AlarmLog::open(dir.path(), metrics.clone()).unwrap();
        let n = MAX_CONSENSUS_ALARMS_PER_VALIDATOR as u32 + 10;
        let kept = (0..n)
            .filter(|r| {
                log.raise_consensus(
                    "equivocating_vote",
                    "d".into(),
                    ["a".into(), "b".into()],
                    evidence(*r, "prevote", "11"),
                )
            })
            .count();
        assert_eq!(kept, MAX_CONSENSUS_ALARMS_PER_VALIDATOR);
        assert_eq!(log.all().len(), MAX_CONSENSUS_ALARMS_PER_VALIDATOR);
        // Every one is counted.
        let text = metrics.encode();
        assert!(
            text.contains(&format!(
                "tanji_consensus_equivocations_total{{message=\"prevote\"}} {n}"
            )),
            "{text}"
        );
        // Another validator still gets its alarm.
        let mut other = evidence(0, "prevote", "11");
        other.validator = "cd".repeat(32);
        assert!(log.raise_consensus(
            "equivocating_vote",
            "d".into(),
            ["a".into(), "b".into()],
            other
        ));
    }
}

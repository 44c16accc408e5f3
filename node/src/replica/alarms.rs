//! Alarms: evidence that the network forked or a key equivocated.
//!
//! Honest validators never sign two roots for one log size, so two validly
//! signed checkpoints that disagree prove misbehaviour (or a stolen key).
//! A node keeps every alarm with both signed notes, in memory for the API
//! (`GET /v1/alarms`) and appended to `DATA_DIR/alarms.jsonl` so the
//! evidence survives restarts; each one is also logged at `error` level and
//! counted in the `tanji_alarms` metric.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{SystemTime, UNIX_EPOCH};

use tanji_api::{Alarm, Metrics};
use tanji_ledger::carbon::rfc3339_utc;

/// Most alarms kept in memory (the file keeps all).
const MAX_ALARMS_IN_MEMORY: usize = 10_000;

/// The node's alarms.
pub struct AlarmLog {
    alarms: Mutex<Vec<Alarm>>,
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
        let alarm = Alarm {
            kind: kind.to_string(),
            size,
            signers,
            detail,
            notes,
            raised_at: rfc3339_utc(
                SystemTime::now()
                    .duration_since(UNIX_EPOCH)
                    .map_or(0, |d| d.as_secs()),
            ),
        };
        tracing::error!(
            kind,
            size,
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
}

//! `tanji log watch`: follow checkpoints, prove each extends the last.

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context as _, Result};
use clap::Subcommand;
use serde::{Deserialize, Serialize};
use tanji_ledger::checkpoint::NoteVerifier;
use tanji_sdk::watch::{Seen, WatchError, Watcher};

use super::output::{Output, VerificationFailed};
use super::NodeArg;

#[derive(Subcommand)]
pub enum LogCommand {
    /// Follow a node's checkpoints; exit non-zero with evidence if one does not
    /// consistently extend the last one seen.
    Watch {
        #[command(flatten)]
        node: NodeArg,
        /// Seconds between polls.
        #[arg(long, default_value_t = 2.0)]
        interval: f64,
        /// Keep the last seen checkpoint and the trusted keys here, so a fork is caught
        /// across runs and against other nodes of the same network.
        #[arg(long)]
        state: Option<PathBuf>,
        /// Stop after this many polls (default: run until interrupted).
        #[arg(long)]
        polls: Option<u64>,
        /// Write fork evidence (both signed notes and the proof) here when one is found.
        #[arg(long)]
        evidence: Option<PathBuf>,
    },
}

#[derive(Serialize, Deserialize)]
struct WatchState {
    validators: Vec<String>,
    quorum: usize,
    last: Option<Seen>,
}

fn load_state(path: &Path) -> Result<Option<WatchState>> {
    match std::fs::read_to_string(path) {
        Ok(text) => Ok(Some(serde_json::from_str(&text).with_context(|| {
            format!("{}: not a watch state file", path.display())
        })?)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e).with_context(|| format!("reading {}", path.display())),
    }
}

fn save_state(path: &Path, state: &WatchState) -> Result<()> {
    let tmp = path.with_extension("tmp");
    std::fs::write(&tmp, serde_json::to_vec_pretty(state)?)?;
    std::fs::rename(&tmp, path).with_context(|| format!("writing {}", path.display()))
}

pub async fn run(cmd: LogCommand, out: Output) -> Result<()> {
    let LogCommand::Watch {
        node,
        interval,
        state,
        polls,
        evidence,
    } = cmd;
    let client = node.client()?;
    let saved = match &state {
        Some(p) => load_state(p)?,
        None => None,
    };
    // Keys are pinned the first time (trust on first use) and kept in the state file.
    let (vkeys, quorum, last) = match saved {
        Some(s) => (s.validators, s.quorum, s.last),
        None => {
            let net = client
                .network()
                .await
                .context("asking the node for its validator keys")?;
            (net.validators, net.quorum, None)
        }
    };
    let verifiers = vkeys
        .iter()
        .map(|v| NoteVerifier::from_vkey(v))
        .collect::<Result<Vec<_>, _>>()?;
    let mut watcher = Watcher::new(client, verifiers, quorum, last);
    let interval = Duration::from_secs_f64(interval.clamp(0.05, 3600.0));
    let mut n = 0u64;
    loop {
        match watcher.poll().await {
            Ok(Some(seen)) => {
                out.print(&seen, || {
                    format!("size {:>10}  root {}  consistent", seen.size, seen.root)
                });
                if let Some(p) = &state {
                    save_state(
                        p,
                        &WatchState {
                            validators: vkeys.clone(),
                            quorum,
                            last: watcher.last().cloned(),
                        },
                    )?;
                }
            }
            Ok(None) => {}
            Err(WatchError::Fork(ev)) => {
                let text = serde_json::to_string_pretty(&ev)?;
                if let Some(p) = &evidence {
                    std::fs::write(p, &text).with_context(|| format!("writing {}", p.display()))?;
                }
                if out.json {
                    super::output::emit(&serde_json::json!({"fork": ev}).to_string());
                } else {
                    eprintln!(
                        "FORK: {}\n--- previous checkpoint ---\n{}--- current checkpoint ---\n{}",
                        ev.reason, ev.previous, ev.current
                    );
                }
                return Err(
                    VerificationFailed(format!("the log is inconsistent: {}", ev.reason)).into(),
                );
            }
            Err(WatchError::InvalidCheckpoint(why)) => {
                return Err(VerificationFailed(format!("invalid checkpoint: {why}")).into());
            }
            Err(e) => return Err(e.into()),
        }
        n += 1;
        if polls.is_some_and(|p| n >= p) {
            return Ok(());
        }
        tokio::time::sleep(interval).await;
    }
}

//! `tanji load`: submit N valid signed transactions as fast as the node takes
//! them, wait until they are in the log, and report committed tx/s and
//! submit-to-commit latency percentiles, with the ratio to this machine's
//! single-core strict ed25519 verification rate (a node verifies at least one
//! signature per transaction, so that rate bounds a single-core node).

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{bail, Context as _, Result};
use clap::Args;
use futures::stream::{self, StreamExt as _};
use indicatif::{ProgressBar, ProgressStyle};
use serde::Serialize;
use tanji_ledger::crypto::SecretKey;
use tanji_ledger::keyfile::OrgKeyFile;
use tanji_ledger::tx::{SignedTx, TxKind};
use tanji_ledger::TxId;
use tanji_sdk::types::orgs::OrgStanding;
use tanji_sdk::types::tx::TxState;
use tanji_sdk::{build, Client, ClientError};

use super::output::Output;
use super::NodeArg;

#[derive(Args)]
pub struct LoadArgs {
    #[command(flatten)]
    node: NodeArg,
    /// Folder of organisation key files (e.g. DATA_DIR/keys of `tanji-node dev`);
    /// every registered, active organisation in it signs a share of the load.
    #[arg(long)]
    keys: PathBuf,
    /// Transactions to submit.
    #[arg(long, default_value_t = 1000)]
    count: u64,
    /// Submissions in flight at once.
    #[arg(long, default_value_t = 32)]
    concurrency: usize,
    /// Give up waiting for commits after this many seconds.
    #[arg(long, default_value_t = 300)]
    timeout: u64,
    /// Also write the JSON report to this file.
    #[arg(long)]
    report: Option<PathBuf>,
    /// What a transaction's latency runs to: its commit (the node's log
    /// contains it) or the first final checkpoint covering it (a quorum of
    /// validators cosigned a log that contains it; replicated networks).
    #[arg(long, value_enum, default_value_t = LatencyTo::Commit)]
    latency_to: LatencyTo,
}

/// The end point of a latency measurement.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LatencyTo {
    /// The transaction is in the node's log.
    Commit,
    /// The newest checkpoint served by the node covers the transaction.
    Final,
}

/// The log size the measurement follows: the head, or the newest checkpoint's size.
async fn observed_size(client: &Client, to: LatencyTo) -> Option<u64> {
    match to {
        LatencyTo::Commit => client.health().await.ok().map(|h| h.size),
        LatencyTo::Final => {
            let note = client.checkpoint(None).await.ok()?;
            note.lines().nth(1)?.parse().ok()
        }
    }
}

#[derive(Serialize)]
struct LatencyMs {
    p50: f64,
    p90: f64,
    p99: f64,
    max: f64,
}

#[derive(Serialize)]
struct Report {
    node: String,
    latency_to: LatencyTo,
    count: u64,
    concurrency: usize,
    signers: usize,
    accepted: u64,
    refused: u64,
    committed: u64,
    not_committed: u64,
    overload_retries: u64,
    seconds: f64,
    submitted_tx_per_s: f64,
    committed_tx_per_s: f64,
    latency_ms: LatencyMs,
    ed25519_strict_verify_per_s_one_core: f64,
    committed_over_verify_rate: f64,
}

/// Single-core strict ed25519 verifications per second on this machine.
pub fn strict_verify_rate(duration: Duration) -> f64 {
    let key = SecretKey::from_seed(&[42u8; 32]);
    let public = key.public();
    let msg = [7u8; 200];
    let sig = key.sign("tanji/bench/v1", &msg);
    let start = Instant::now();
    let mut n = 0u64;
    while start.elapsed() < duration {
        for _ in 0..100 {
            let ok = public
                .verify("tanji/bench/v1", std::hint::black_box(&msg), &sig)
                .is_ok();
            std::hint::black_box(ok);
        }
        n += 100;
    }
    n as f64 / start.elapsed().as_secs_f64()
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let rank = ((p / 100.0) * (sorted.len() as f64 - 1.0)).round() as usize;
    sorted[rank.min(sorted.len() - 1)]
}

fn progress(len: u64, msg: &'static str, out: Output) -> ProgressBar {
    if out.json {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(len);
    bar.set_style(
        ProgressStyle::with_template("{msg:>10} [{bar:40}] {pos}/{len} {per_sec} eta {eta}")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    bar.set_message(msg);
    bar
}

pub async fn run(args: LoadArgs, out: Output) -> Result<()> {
    if args.count == 0 {
        bail!("--count must be at least 1");
    }
    let client = args.node.client()?;
    let network = client
        .network()
        .await
        .context("asking the node for its network")?
        .network;

    // Signers: every registered, active organisation whose key file is in the folder.
    let mut signers = Vec::new();
    let mut entries: Vec<_> = std::fs::read_dir(&args.keys)
        .with_context(|| format!("reading {}", args.keys.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    entries.sort();
    for path in entries {
        let Ok(kf) = OrgKeyFile::load(&path) else {
            continue;
        };
        match client.org(&kf.org_id).await {
            Ok(view) if view.status == OrgStanding::Active => {
                let nonce = build::next_nonce(&client, &kf.org_id).await?;
                signers.push((kf, nonce));
            }
            Ok(_) => {}
            Err(e) if e.status() == Some(404) => {}
            Err(e) => return Err(e.into()),
        }
    }
    if signers.is_empty() {
        bail!(
            "no key file in {} belongs to a registered, active organisation",
            args.keys.display()
        );
    }

    out.note("measuring strict ed25519 verification on one core...");
    let verify_rate =
        tokio::task::spawn_blocking(|| strict_verify_rate(Duration::from_millis(1500))).await?;

    // Sign everything first: the run measures the node, not the client's signing.
    let bar = progress(args.count, "signing", out);
    let keys: Vec<SecretKey> = signers
        .iter()
        .map(|(kf, _)| kf.signing_key())
        .collect::<Result<_, _>>()?;
    let run_tag: u64 = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos() as u64)
        .unwrap_or(0);
    let mut txs: Vec<SignedTx> = Vec::with_capacity(args.count as usize);
    for i in 0..args.count {
        let s = (i as usize) % signers.len();
        let (kf, base) = &signers[s];
        let nonce = base + i / signers.len() as u64;
        let digest = *blake3::hash(format!("tanji load {run_tag} {i}").as_bytes()).as_bytes();
        let body = tanji_ledger::tx::TxBody {
            network: network.clone(),
            author: kf.org_id,
            nonce,
            kind: TxKind::AnchorEvidence {
                digest,
                label: format!("load test {run_tag} #{i}"),
            },
        };
        txs.push(SignedTx::sign(body, &[(kf.org_id, &keys[s])]));
        bar.inc(1);
    }
    bar.finish_and_clear();

    let start_size = client.health().await?.size;

    // Sample the log's size to time commits without one request per transaction.
    let samples: Arc<Mutex<Vec<(Instant, u64)>>> = Arc::default();
    let stop = Arc::new(AtomicBool::new(false));
    let latency_to = args.latency_to;
    let sampler = {
        let (client, samples, stop) = (client.clone(), samples.clone(), stop.clone());
        tokio::spawn(async move {
            while !stop.load(Ordering::Relaxed) {
                if let Some(size) = observed_size(&client, latency_to).await {
                    samples
                        .lock()
                        .unwrap_or_else(|e| e.into_inner())
                        .push((Instant::now(), size));
                }
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
        })
    };

    let started = Instant::now();
    let bar = progress(args.count, "submitting", out);
    let retries = Arc::new(std::sync::atomic::AtomicU64::new(0));
    let results: Vec<(TxId, Instant, Result<(), ClientError>)> = stream::iter(txs)
        .map(|tx| {
            let (client, bar, retries) = (client.clone(), bar.clone(), retries.clone());
            async move {
                let id = tx.id();
                let mut backoff = Duration::from_millis(5);
                loop {
                    let at = Instant::now();
                    match client.submit(&tx).await {
                        Err(e) if e.status() == Some(503) && backoff < Duration::from_secs(5) => {
                            retries.fetch_add(1, Ordering::Relaxed);
                            tokio::time::sleep(backoff).await;
                            backoff *= 2;
                        }
                        r => {
                            bar.inc(1);
                            return (id, at, r.map(|_| ()));
                        }
                    }
                }
            }
        })
        .buffer_unordered(args.concurrency.max(1))
        .collect()
        .await;
    bar.finish_and_clear();
    let submit_secs = started.elapsed().as_secs_f64();

    let accepted: Vec<(TxId, Instant)> = results
        .iter()
        .filter(|(_, _, r)| r.is_ok())
        .map(|(id, at, _)| (*id, *at))
        .collect();
    let refused = results.len() as u64 - accepted.len() as u64;
    if let Some((_, _, Err(e))) = results.iter().find(|(_, _, r)| r.is_err()) {
        out.note(&format!("{refused} submissions refused, e.g.: {e}"));
    }

    // Wait until the log has grown by what was accepted.
    let target = start_size + accepted.len() as u64;
    let deadline = Instant::now() + Duration::from_secs(args.timeout);
    loop {
        let size = observed_size(&client, latency_to).await.unwrap_or(0);
        if size >= target || Instant::now() > deadline {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    // One more sample after the last commit, then stop sampling.
    tokio::time::sleep(Duration::from_millis(20)).await;
    stop.store(true, Ordering::Relaxed);
    sampler.await.ok();

    // Where did each transaction land?
    let bar = progress(accepted.len() as u64, "checking", out);
    let indexes: HashMap<TxId, Option<u64>> = stream::iter(accepted.iter().map(|(id, _)| *id))
        .map(|id| {
            let (client, bar) = (client.clone(), bar.clone());
            async move {
                let s = client.tx_status(&id).await.ok();
                bar.inc(1);
                (
                    id,
                    s.filter(|s| s.status == TxState::Committed)
                        .and_then(|s| s.index),
                )
            }
        })
        .buffer_unordered(args.concurrency.max(1))
        .collect()
        .await;
    bar.finish_and_clear();

    let samples = samples.lock().unwrap_or_else(|e| e.into_inner()).clone();
    let mut latencies = Vec::new();
    let mut last_commit = started;
    for (id, at) in &accepted {
        let Some(Some(index)) = indexes.get(id) else {
            continue;
        };
        if let Some((t, _)) = samples.iter().find(|(t, size)| *size > *index && t >= at) {
            latencies.push(t.duration_since(*at).as_secs_f64() * 1000.0);
            last_commit = last_commit.max(*t);
        }
    }
    latencies.sort_by(|a, b| a.total_cmp(b));
    let committed = indexes.values().filter(|i| i.is_some()).count() as u64;
    let seconds = last_commit.duration_since(started).as_secs_f64().max(1e-9);
    let committed_rate = committed as f64 / seconds;
    let report = Report {
        node: args.node.url.clone(),
        latency_to: args.latency_to,
        count: args.count,
        concurrency: args.concurrency,
        signers: signers.len(),
        accepted: accepted.len() as u64,
        refused,
        committed,
        not_committed: accepted.len() as u64 - committed,
        overload_retries: retries.load(Ordering::Relaxed),
        seconds,
        submitted_tx_per_s: results.len() as f64 / submit_secs.max(1e-9),
        committed_tx_per_s: committed_rate,
        latency_ms: LatencyMs {
            p50: percentile(&latencies, 50.0),
            p90: percentile(&latencies, 90.0),
            p99: percentile(&latencies, 99.0),
            max: latencies.last().copied().unwrap_or(0.0),
        },
        ed25519_strict_verify_per_s_one_core: verify_rate,
        committed_over_verify_rate: committed_rate / verify_rate,
    };
    if let Some(path) = &args.report {
        std::fs::write(path, serde_json::to_vec_pretty(&report)?)
            .with_context(|| format!("writing {}", path.display()))?;
    }
    out.print(&report, || {
        format!(
            "submitted {} ({} accepted, {} refused, {} overload retries) with {} in flight, {} signers\n\
             committed {} in {:.2}s: {:.0} tx/s committed ({:.0} tx/s submitted)\n\
             latency submit→checkpoint: p50 {:.1} ms, p90 {:.1} ms, p99 {:.1} ms, max {:.1} ms\n\
             strict ed25519 verify on one core here: {:.0}/s; committed tx/s is {:.2}× that bound",
            report.count,
            report.accepted,
            report.refused,
            report.overload_retries,
            report.concurrency,
            report.signers,
            report.committed,
            report.seconds,
            report.committed_tx_per_s,
            report.submitted_tx_per_s,
            report.latency_ms.p50,
            report.latency_ms.p90,
            report.latency_ms.p99,
            report.latency_ms.max,
            report.ed25519_strict_verify_per_s_one_core,
            report.committed_over_verify_rate,
        )
    });
    if report.committed < report.accepted {
        bail!(
            "{} accepted transactions were not committed within {}s",
            report.accepted - report.committed,
            args.timeout
        );
    }
    Ok(())
}

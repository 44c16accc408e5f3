//! `tanji submit`, `tanji anchor`, `tanji tx`.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::{bail, Context as _, Result};
use clap::Subcommand;
use tanji_ledger::keyfile::OrgKeyFile;
use tanji_ledger::tx::{SignedTx, TxKind, MAX_TX_BYTES};
use tanji_ledger::TxId;
use tanji_sdk::types::tx::{TxState, TxStatus};
use tanji_sdk::{build, Client};

use super::output::Output;
use super::NodeArg;

#[derive(Subcommand)]
pub enum TxCommand {
    /// Where a transaction stands; with --bundle, save its offline verification bundle.
    Status {
        /// Transaction id (hex).
        id: TxId,
        #[command(flatten)]
        node: NodeArg,
        /// Wait until it is committed (or refused).
        #[arg(long)]
        wait: bool,
        /// Write the inclusion bundle (entry, proof, signed checkpoint, validator keys) here.
        #[arg(long)]
        bundle: Option<PathBuf>,
    },
}

/// How long `--wait` waits.
const WAIT_LIMIT: Duration = Duration::from_secs(120);

pub async fn run(cmd: TxCommand, out: Output) -> Result<()> {
    match cmd {
        TxCommand::Status {
            id,
            node,
            wait,
            bundle,
        } => {
            let client = node.client()?;
            let status = if wait {
                wait_committed(&client, &id, out).await?
            } else {
                client.tx_status(&id).await?
            };
            if let Some(path) = bundle {
                if status.status != TxState::Committed {
                    bail!(
                        "transaction {id} is {}; only committed transactions have a bundle",
                        status.status
                    );
                }
                let b = client.bundle(&id).await?;
                std::fs::write(&path, serde_json::to_vec_pretty(&b)?)
                    .with_context(|| format!("writing {}", path.display()))?;
                out.note(&format!("bundle written to {}", path.display()));
            }
            report_submission(&status, out);
            if matches!(status.status, TxState::Rejected | TxState::Unknown) {
                bail!(
                    "transaction {id} is {}{}",
                    status.status,
                    status
                        .error
                        .as_ref()
                        .map(|e| format!(": {}", e.message))
                        .unwrap_or_default()
                );
            }
            Ok(())
        }
    }
}

/// Polls until the transaction is committed or refused.
pub async fn wait_committed(client: &Client, id: &TxId, out: Output) -> Result<TxStatus> {
    let start = Instant::now();
    let mut delay = Duration::from_millis(20);
    loop {
        let status = client.tx_status(id).await?;
        match status.status {
            TxState::Committed | TxState::Rejected => return Ok(status),
            TxState::Unknown if start.elapsed() > Duration::from_secs(5) => return Ok(status),
            _ => {}
        }
        if start.elapsed() > WAIT_LIMIT {
            bail!(
                "transaction {id} still {} after {:?}",
                status.status,
                WAIT_LIMIT
            );
        }
        if start.elapsed() > Duration::from_secs(2) && delay < Duration::from_millis(500) {
            out.note(&format!("waiting for {id} ({})...", status.status));
            delay *= 2;
        }
        tokio::time::sleep(delay).await;
    }
}

/// Prints a transaction's status.
pub fn report_submission(status: &TxStatus, out: Output) {
    out.print(status, || match (&status.index, &status.checkpoint) {
        (Some(index), Some(cp)) => format!(
            "{}  committed at index {index}, in checkpoint of size {} (root {})",
            status.id, cp.size, cp.root
        ),
        (Some(index), None) => format!("{}  committed at index {index}", status.id),
        _ => match &status.error {
            Some(e) => format!(
                "{}  {}: {} ({})",
                status.id, status.status, e.message, e.code
            ),
            None => format!("{}  {}", status.id, status.status),
        },
    });
}

/// A governance transaction of `kind`, authored by the first approver with
/// its next nonce and approved by every other.
pub(super) async fn governance_tx(
    node: &NodeArg,
    approvers: &[PathBuf],
    kind: TxKind,
) -> Result<SignedTx> {
    let approvers = approvers
        .iter()
        .map(|p| OrgKeyFile::load(p).with_context(|| format!("loading {}", p.display())))
        .collect::<Result<Vec<_>>>()?;
    let client = node.client()?;
    let network = client
        .network()
        .await
        .context("asking the node for its network")?;
    let author = &approvers[0];
    let nonce = build::next_nonce(&client, &author.org_id).await?;
    let mut tx = build::single(&network.network, author, nonce, kind)?;
    for a in &approvers[1..] {
        tx.approve(a.org_id, &a.signing_key()?);
    }
    Ok(tx)
}

/// Submits `tx` and prints the answer (or, with `wait`, its fate).
pub async fn submit_and_report(
    client: &Client,
    tx: &SignedTx,
    wait: bool,
    out: Output,
) -> Result<()> {
    let submitted = client.submit(tx).await?;
    if wait {
        let status = wait_committed(client, &submitted.id, out).await?;
        report_submission(&status, out);
        if status.status != TxState::Committed {
            bail!("transaction {} was {}", status.id, status.status);
        }
    } else {
        out.print(&submitted, || {
            format!("{}  {}", submitted.id, submitted.status)
        });
    }
    Ok(())
}

/// `tanji submit FILE`.
pub async fn submit_file(file: &Path, node: &str, wait: bool, out: Output) -> Result<()> {
    let len = std::fs::metadata(file)
        .with_context(|| format!("reading {}", file.display()))?
        .len();
    if len > (4 * MAX_TX_BYTES) as u64 {
        bail!(
            "{}: {len} bytes is larger than any transaction",
            file.display()
        );
    }
    let bytes = std::fs::read(file).with_context(|| format!("reading {}", file.display()))?;
    let tx: SignedTx = if file.extension().is_some_and(|e| e == "json") {
        serde_json::from_slice(&bytes)
            .with_context(|| format!("{}: not a JSON transaction", file.display()))?
    } else {
        SignedTx::decode(&bytes)
            .with_context(|| format!("{}: not a borsh transaction", file.display()))?
    };
    submit_and_report(&Client::new(node)?, &tx, wait, out).await
}

/// `tanji anchor FILE`.
pub async fn anchor(
    file: &Path,
    label: &str,
    key: &Path,
    node: &str,
    wait: bool,
    out: Output,
) -> Result<()> {
    let author = OrgKeyFile::load(key)?;
    let mut hasher = blake3::Hasher::new();
    let f = std::fs::File::open(file).with_context(|| format!("reading {}", file.display()))?;
    hasher
        .update_reader(f)
        .with_context(|| format!("reading {}", file.display()))?;
    let digest = *hasher.finalize().as_bytes();
    let client = Client::new(node)?;
    let tx = build::sign_as(
        &client,
        &author,
        TxKind::AnchorEvidence {
            digest,
            label: label.to_string(),
        },
    )
    .await?;
    out.note(&format!("anchoring BLAKE3 {}", hex::encode(digest)));
    submit_and_report(&client, &tx, wait, out).await
}

/// Signs `kind` with the key file at `key` (the author's next nonce on the
/// node's network), submits it and waits until it is in the log.
pub async fn submit_as(key: &Path, node: &str, kind: TxKind, out: Output) -> Result<()> {
    let author = OrgKeyFile::load(key)?;
    let client = Client::new(node)?;
    let tx = build::sign_as(&client, &author, kind).await?;
    submit_and_report(&client, &tx, true, out).await
}

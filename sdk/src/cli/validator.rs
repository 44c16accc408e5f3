//! `tanji validator`: change the validator set by governance, and show it.
//!
//! Each change is one transaction approved by a governance quorum (the
//! `--approve` key files; the first is the author). It takes effect after
//! the batch that records it: from then on the new set orders transactions
//! and signs checkpoints (see `GET /v1/network`'s `validator_history`).

use std::path::{Path, PathBuf};

use anyhow::{bail, Context as _, Result};
use clap::Subcommand;
use serde::Deserialize;
use tanji_ledger::crypto::PublicKey;
use tanji_ledger::keyfile::OrgKeyFile;
use tanji_ledger::tx::{Role, TxKind, ValidatorNode};
use tanji_ledger::OrgId;
use tanji_sdk::types::orgs::ValidatorChange;

use super::output::Output;
use super::tx::{governance_tx, submit_and_report};
use super::NodeArg;

#[derive(Subcommand)]
pub enum ValidatorCommand {
    /// Add a node to the validator set (it catches up, then votes and signs checkpoints).
    Add {
        /// The node's key file (`node-key.json` in its data folder), or a JSON
        /// file with its public part: `{"name": ..., "signing_key": ...}`.
        #[arg(long)]
        key: PathBuf,
        /// The organisation that runs the node (org id; it needs the
        /// validator role). Default: the first approver with that role.
        #[arg(long)]
        operator: Option<OrgId>,
        /// Key files of approving regulators/validators (repeat for each; the
        /// first authors the transaction).
        #[arg(long = "approve", required = true)]
        approvers: Vec<PathBuf>,
        #[command(flatten)]
        node: NodeArg,
        /// Wait until it is in the log.
        #[arg(long)]
        wait: bool,
    },
    /// Remove a node from the validator set (at least four must remain).
    Remove {
        /// The validator node's name.
        #[arg(long)]
        name: String,
        /// Why, for the public record.
        #[arg(long)]
        reason: String,
        /// Key files of approving regulators/validators (repeat for each; the
        /// first authors the transaction).
        #[arg(long = "approve", required = true)]
        approvers: Vec<PathBuf>,
        #[command(flatten)]
        node: NodeArg,
        /// Wait until it is in the log.
        #[arg(long)]
        wait: bool,
    },
    /// The validator set in force and its history.
    List {
        #[command(flatten)]
        node: NodeArg,
    },
}

/// The public part of a node key file.
#[derive(Deserialize)]
struct NodePublicKey {
    name: String,
    signing_key: PublicKey,
}

/// Largest node key file read.
const MAX_KEY_FILE_BYTES: usize = 64 * 1024;

fn load_node_key(path: &Path) -> Result<NodePublicKey> {
    let text = super::verify::read_bounded(path, MAX_KEY_FILE_BYTES)?;
    let key: NodePublicKey = serde_json::from_str(&text).with_context(|| {
        format!(
            "{}: not a node key file (needs \"name\" and \"signing_key\")",
            path.display()
        )
    })?;
    key.signing_key
        .check()
        .with_context(|| format!("{}: signing_key", path.display()))?;
    Ok(key)
}

/// The first approver whose key file has the validator role.
fn default_operator(approvers: &[PathBuf]) -> Result<OrgId> {
    for path in approvers {
        let key = OrgKeyFile::load(path).with_context(|| format!("loading {}", path.display()))?;
        if key.roles.contains(Role::Validator) {
            return Ok(key.org_id);
        }
    }
    bail!("no approver has the validator role; name the node's operator with --operator ORG_ID")
}

pub async fn run(cmd: ValidatorCommand, out: Output) -> Result<()> {
    match cmd {
        ValidatorCommand::Add {
            key,
            operator,
            approvers,
            node,
            wait,
        } => {
            let key = load_node_key(&key)?;
            let operator = match operator {
                Some(o) => o,
                None => default_operator(&approvers)?,
            };
            let kind = TxKind::AddValidator(ValidatorNode {
                operator,
                name: key.name,
                key: key.signing_key,
            });
            let tx = governance_tx(&node, &approvers, kind).await?;
            submit_and_report(&node.client()?, &tx, wait, out).await
        }
        ValidatorCommand::Remove {
            name,
            reason,
            approvers,
            node,
            wait,
        } => {
            let kind = TxKind::RemoveValidator { name, reason };
            let tx = governance_tx(&node, &approvers, kind).await?;
            submit_and_report(&node.client()?, &tx, wait, out).await
        }
        ValidatorCommand::List { node } => {
            let network = node.client()?.network().await?;
            out.print(&network.validator_history, || {
                let mut lines = vec![format!(
                    "in force: {} (quorum {})",
                    network
                        .validator_nodes
                        .iter()
                        .map(|v| v.name.as_str())
                        .collect::<Vec<_>>()
                        .join(", "),
                    network.quorum
                )];
                for e in &network.validator_history {
                    let verb = match e.change {
                        ValidatorChange::Genesis => "genesis",
                        ValidatorChange::Add => "add",
                        ValidatorChange::Remove => "remove",
                    };
                    let change = match &e.node {
                        Some(n) => format!("{verb} {n}"),
                        None => verb.to_string(),
                    };
                    let height = e.height.map_or(String::new(), |h| format!(", height {h}"));
                    lines.push(format!(
                        "entry {:>6}{height}: {change:<24} signs sizes >= {}: {}",
                        e.change_index,
                        e.first_size,
                        e.validators.join(", ")
                    ));
                }
                lines.join("\n")
            });
            Ok(())
        }
    }
}

//! `tanji org`.

use std::path::PathBuf;

use anyhow::{Context as _, Result};
use clap::Subcommand;
use tanji_ledger::keyfile::OrgKeyFile;
use tanji_ledger::OrgId;
use tanji_sdk::build;

use super::output::Output;
use super::tx::{report_submission, wait_committed};
use super::NodeArg;

#[derive(Subcommand)]
pub enum OrgCommand {
    /// Register an organisation: signed by its own key, approved by a governance quorum.
    Register {
        /// Key file of the organisation to register (from `tanji key new`).
        #[arg(long)]
        key: PathBuf,
        /// Key files of approving regulators/validators (repeat for each).
        #[arg(long = "approve", required = true)]
        approvers: Vec<PathBuf>,
        #[command(flatten)]
        node: NodeArg,
        /// Write the signed transaction to this file instead of submitting it
        /// (to collect approvals offline, then `tanji submit`).
        #[arg(long)]
        save: Option<PathBuf>,
        /// Wait until it is in the log.
        #[arg(long)]
        wait: bool,
    },
    /// List registered organisations.
    List {
        #[command(flatten)]
        node: NodeArg,
    },
    /// Show one organisation.
    Show {
        /// Org id (hex).
        id: OrgId,
        #[command(flatten)]
        node: NodeArg,
    },
}

pub async fn run(cmd: OrgCommand, out: Output) -> Result<()> {
    match cmd {
        OrgCommand::Register {
            key,
            approvers,
            node,
            save,
            wait,
        } => {
            let new = OrgKeyFile::load(&key)?;
            let approvers = approvers
                .iter()
                .map(|p| OrgKeyFile::load(p))
                .collect::<Result<Vec<_>, _>>()?;
            let client = node.client()?;
            let network = client
                .network()
                .await
                .context("asking the node for its network")?;
            let tx = build::register_org(&network.network, &new, &approvers)?;
            if let Some(path) = save {
                std::fs::write(&path, serde_json::to_vec_pretty(&tx)?)
                    .with_context(|| format!("writing {}", path.display()))?;
                out.print(&serde_json::json!({"id": tx.id(), "file": path}), || {
                    format!(
                        "signed registration {} written to {}",
                        tx.id(),
                        path.display()
                    )
                });
                return Ok(());
            }
            let submitted = client.submit(&tx).await?;
            if wait {
                let status = wait_committed(&client, &submitted.id, out).await?;
                report_submission(&status, out);
            } else {
                out.print(&submitted, || {
                    format!(
                        "registration of {} submitted: {} ({})",
                        new.org_id, submitted.id, submitted.status
                    )
                });
            }
            Ok(())
        }
        OrgCommand::List { node } => {
            let orgs = node.client()?.orgs().await?;
            out.print(&orgs, || {
                orgs.iter()
                    .map(|o| {
                        format!(
                            "{}  {:8}  {:30}  {}",
                            o.id,
                            o.status,
                            o.roles.join(","),
                            o.name
                        )
                    })
                    .collect::<Vec<_>>()
                    .join("\n")
            });
            Ok(())
        }
        OrgCommand::Show { id, node } => {
            let org = node.client()?.org(&id).await?;
            out.print(&org, || {
                format!(
                    "org id      {}\nname        {}\ncompany id  {}\nroles       {}\nstatus      {}",
                    org.id,
                    org.name,
                    org.company_id,
                    org.roles.join(", "),
                    org.status
                )
            });
            Ok(())
        }
    }
}

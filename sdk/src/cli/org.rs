//! `tanji org`.

use std::path::PathBuf;

use anyhow::{bail, Context as _, Result};
use clap::Subcommand;
use tanji_ledger::keyfile::OrgKeyFile;
use tanji_ledger::tx::KeyPurpose;
use tanji_ledger::OrgId;
use tanji_sdk::build;

use super::output::Output;
use super::tx::{governance_tx, report_submission, submit_and_report, wait_committed};
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
    /// Replace an organisation's signing key (or, with `--encryption`, its
    /// X25519 key). Signed by the current key (`--key`), or, when that key is
    /// lost or stolen, approved by a governance quorum (`--approve`), which
    /// may also declare it compromised from a log size on.
    RotateKey {
        /// The organisation's current key file (the owner's path).
        #[arg(
            long,
            conflicts_with = "approvers",
            required_unless_present = "approvers"
        )]
        key: Option<PathBuf>,
        /// Key files of approving regulators/validators (the governance path;
        /// repeat for each, the first authors the transaction).
        #[arg(long = "approve")]
        approvers: Vec<PathBuf>,
        /// A key file of the same organisation holding the new key. Without
        /// it, a new key is generated from `--key` and written to `--out`.
        #[arg(long, required_unless_present = "out")]
        new_key: Option<PathBuf>,
        /// Where to write the key file with the generated key (must not
        /// exist; written before anything is submitted).
        #[arg(long, conflicts_with = "new_key", requires = "key")]
        out: Option<PathBuf>,
        /// Rotate the X25519 encryption key instead of the signing key.
        #[arg(long)]
        encryption: bool,
        /// Governance path: the log size from which the old key is held
        /// compromised; its signatures on entries from there on are flagged.
        #[arg(long, requires = "approvers")]
        compromised_since: Option<u64>,
        #[command(flatten)]
        node: NodeArg,
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
        OrgCommand::RotateKey {
            key,
            approvers,
            new_key,
            out: out_path,
            encryption,
            compromised_since,
            node,
            wait,
        } => {
            let purpose = if encryption {
                KeyPurpose::Encryption
            } else {
                KeyPurpose::Signing
            };
            let client = node.client()?;
            let network = client
                .network()
                .await
                .context("asking the node for its network")?;
            let current = key.as_deref().map(OrgKeyFile::load).transpose()?;
            let new = match (&new_key, &out_path, &current) {
                (Some(path), _, _) => OrgKeyFile::load(path)?,
                (None, Some(path), Some(current)) => {
                    let new = current.with_new_key(purpose)?;
                    new.save(path)?;
                    new
                }
                _ => bail!("give --new-key FILE, or --key with --out FILE for a generated key"),
            };
            if let Some(current) = &current {
                if current.org_id != new.org_id {
                    bail!(
                        "the new key file is for {} but --key is {}'s",
                        new.org_id,
                        current.org_id
                    );
                }
            }
            let kind = build::rotate_key(&network.network, &new, purpose, compromised_since)?;
            let tx = match &current {
                Some(current) => {
                    let nonce = build::next_nonce(&client, &current.org_id).await?;
                    build::single(&network.network, current, nonce, kind)?
                }
                None => governance_tx(&node, &approvers, kind).await?,
            };
            out.note(&format!(
                "rotating the {} key of {} to {}",
                purpose.as_str(),
                new.org_id,
                match purpose {
                    KeyPurpose::Signing => new.signing_key.to_string(),
                    KeyPurpose::Encryption => hex::encode(new.encryption_key.0),
                }
            ));
            if let Some(path) = &out_path {
                out.note(&format!(
                    "new key file: {} (sign with it once the rotation is committed)",
                    path.display()
                ));
            }
            submit_and_report(&client, &tx, wait, out).await
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
                let mut text = format!(
                    "org id      {}\nname        {}\ncompany id  {}\nroles       {}\nstatus      {}\nsigning key {}",
                    org.id,
                    org.name,
                    org.company_id,
                    org.roles.join(", "),
                    org.status,
                    org.signing_key
                );
                for r in &org.retired_keys {
                    let compromised = r
                        .compromised_since
                        .map(|s| format!(", compromised from size {s}"))
                        .unwrap_or_default();
                    text.push_str(&format!(
                        "\nretired     {} key {} (entries {}..{}{compromised})",
                        r.purpose, r.key, r.from, r.until
                    ));
                }
                text
            });
            Ok(())
        }
    }
}

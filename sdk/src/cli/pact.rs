//! `tanji pact`: footprints as WBCSD PACT documents, and the client
//! credentials partners use at a node's PACT host.

use std::path::PathBuf;

use anyhow::{Context as _, Result};
use clap::Subcommand;
use tanji_ledger::keyfile::OrgKeyFile;
use tanji_ledger::TxId;

use super::output::Output;
use super::NodeArg;

#[derive(Subcommand)]
pub enum PactCommand {
    /// Write a footprint as a PACT document with its ledger proof, which
    /// `tanji verify pact` checks offline.
    Export {
        /// The attestation id.
        id: TxId,
        /// PACT version: 3 (v3.0) or 2 (v2.3).
        #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(u8).range(2..=3))]
        version: u8,
        /// Write to this file instead of standard output.
        #[arg(long)]
        out: Option<PathBuf>,
        #[command(flatten)]
        node: NodeArg,
    },
    /// PACT client credentials of an organisation (requests signed with its key).
    #[command(subcommand)]
    Client(ClientCommand),
}

#[derive(Subcommand)]
pub enum ClientCommand {
    /// Create a credential; its secret is printed once and never again.
    Create {
        /// The organisation's key file.
        #[arg(long)]
        key: PathBuf,
        /// What the credential is for (e.g. the partner's name).
        #[arg(long, default_value = "")]
        label: String,
        #[command(flatten)]
        node: NodeArg,
    },
    /// List the organisation's credentials (never their secrets).
    List {
        /// The organisation's key file.
        #[arg(long)]
        key: PathBuf,
        #[command(flatten)]
        node: NodeArg,
    },
    /// Revoke a credential: tokens issued to it stop working at once.
    Revoke {
        /// The client id.
        client_id: String,
        /// The organisation's key file.
        #[arg(long)]
        key: PathBuf,
        #[command(flatten)]
        node: NodeArg,
    },
}

async fn client_command(cmd: ClientCommand, out: Output) -> Result<()> {
    match cmd {
        ClientCommand::Create { key, label, node } => {
            let org = OrgKeyFile::load(&key)?;
            let created = node
                .client()?
                .create_pact_client(&label, org.org_id, &org.signing_key()?)
                .await
                .context("creating a PACT credential")?;
            out.print(&created, || {
                format!(
                    "PACT credential for {}\n  client_id     {}\n  client_secret {}\nThe node keeps only a hash of the secret: store it now, it cannot be shown again.",
                    created.client.org, created.client.client_id, created.client_secret
                )
            });
        }
        ClientCommand::List { key, node } => {
            let org = OrgKeyFile::load(&key)?;
            let list = node
                .client()?
                .pact_clients(org.org_id, &org.signing_key()?)
                .await
                .context("listing PACT credentials")?;
            out.print(&list, || {
                if list.clients.is_empty() {
                    return format!("{} holds no PACT credentials on this node", org.org_id);
                }
                list.clients
                    .iter()
                    .map(|c| format!("{}  created {}  {}", c.client_id, c.created, c.label))
                    .collect::<Vec<_>>()
                    .join("\n")
            });
        }
        ClientCommand::Revoke {
            client_id,
            key,
            node,
        } => {
            let org = OrgKeyFile::load(&key)?;
            let gone = node
                .client()?
                .revoke_pact_client(&client_id, org.org_id, &org.signing_key()?)
                .await
                .with_context(|| format!("revoking PACT credential {client_id}"))?;
            out.print(&gone, || {
                format!("revoked PACT credential {}", gone.client_id)
            });
        }
    }
    Ok(())
}

pub async fn run(cmd: PactCommand, out: Output) -> Result<()> {
    match cmd {
        PactCommand::Client(c) => client_command(c, out).await,
        PactCommand::Export {
            id,
            version,
            out: file,
            node,
        } => {
            let doc = node
                .client()?
                .footprint_pact(&id, version)
                .await
                .with_context(|| format!("PACT v{version} document of {id}"))?;
            let text = serde_json::to_string_pretty(&doc)?;
            match file {
                Some(path) => {
                    std::fs::write(&path, format!("{text}\n"))
                        .with_context(|| format!("writing {}", path.display()))?;
                    out.print(
                        &serde_json::json!({"written": path, "version": version, "footprint": id}),
                        || {
                            format!(
                                "wrote the PACT v{version} document of {id} to {}",
                                path.display()
                            )
                        },
                    );
                }
                None => super::output::emit(&text),
            }
            Ok(())
        }
    }
}

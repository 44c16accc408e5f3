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
    /// An organisation's own PACT hosts, where answers to its requests go
    /// (requests signed with its key).
    #[command(subcommand)]
    Callback(CallbackCommand),
}

#[derive(Subcommand)]
pub enum CallbackCommand {
    /// Register (or replace) a host and the credentials the node uses there.
    Set {
        /// The host's base URL (the `source` of its events).
        url: String,
        /// Client id at that host.
        #[arg(long)]
        client_id: String,
        /// Client secret at that host.
        #[arg(long)]
        client_secret: String,
        /// The organisation's key file.
        #[arg(long)]
        key: PathBuf,
        #[command(flatten)]
        node: NodeArg,
    },
    /// List the organisation's registered hosts (never the secrets).
    List {
        /// The organisation's key file.
        #[arg(long)]
        key: PathBuf,
        #[command(flatten)]
        node: NodeArg,
    },
    /// Remove a registered host.
    Remove {
        /// The registration's id (see `list`).
        id: String,
        /// The organisation's key file.
        #[arg(long)]
        key: PathBuf,
        #[command(flatten)]
        node: NodeArg,
    },
}

async fn callback_command(cmd: CallbackCommand, out: Output) -> Result<()> {
    match cmd {
        CallbackCommand::Set {
            url,
            client_id,
            client_secret,
            key,
            node,
        } => {
            let org = OrgKeyFile::load(&key)?;
            let cb = node
                .client()?
                .set_pact_callback(
                    &url,
                    &client_id,
                    &client_secret,
                    org.org_id,
                    &org.signing_key()?,
                )
                .await
                .with_context(|| format!("registering {url}"))?;
            out.print(&cb, || {
                format!(
                    "answers to {}'s requests from {} go there, authenticated as {} (id {})",
                    cb.org, cb.base_url, cb.client_id, cb.id
                )
            });
        }
        CallbackCommand::List { key, node } => {
            let org = OrgKeyFile::load(&key)?;
            let list = node
                .client()?
                .pact_callbacks(org.org_id, &org.signing_key()?)
                .await
                .context("listing PACT callbacks")?;
            out.print(&list, || {
                if list.callbacks.is_empty() {
                    return format!("{} registers no PACT hosts on this node", org.org_id);
                }
                list.callbacks
                    .iter()
                    .map(|c| format!("{}  {}  as {}", c.id, c.base_url, c.client_id))
                    .collect::<Vec<_>>()
                    .join("\n")
            });
        }
        CallbackCommand::Remove { id, key, node } => {
            let org = OrgKeyFile::load(&key)?;
            let gone = node
                .client()?
                .remove_pact_callback(&id, org.org_id, &org.signing_key()?)
                .await
                .with_context(|| format!("removing PACT callback {id}"))?;
            out.print(&gone, || format!("removed {}", gone.base_url));
        }
    }
    Ok(())
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
        PactCommand::Callback(c) => callback_command(c, out).await,
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

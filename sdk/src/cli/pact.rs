//! `tanji pact`: footprints as WBCSD PACT documents, and the client
//! credentials partners use at a node's PACT host.

use std::path::PathBuf;

use anyhow::{Context as _, Result};
use clap::Subcommand;
use tanji_ledger::crypto::SecretKey;
use tanji_ledger::keyfile::OrgKeyFile;
use tanji_ledger::{OrgId, TxId};

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

/// An organisation acting through a node: its key file (signs the requests)
/// and the node.
#[derive(clap::Args)]
pub struct Signer {
    /// The organisation's key file.
    #[arg(long)]
    key: PathBuf,
    #[command(flatten)]
    node: NodeArg,
}

impl Signer {
    /// The node's client, the organisation's id and its signing key.
    fn open(&self) -> Result<(tanji_sdk::Client, OrgId, SecretKey)> {
        let org = OrgKeyFile::load(&self.key)?;
        Ok((self.node.client()?, org.org_id, org.signing_key()?))
    }
}

/// One line per item, or `empty` when there is none.
fn lines<T>(items: &[T], empty: String, line: impl Fn(&T) -> String) -> String {
    if items.is_empty() {
        return empty;
    }
    items.iter().map(line).collect::<Vec<_>>().join("\n")
}

#[derive(Subcommand)]
pub enum CallbackCommand {
    /// Register (or replace) a host and the credentials the node uses there.
    Set {
        /// The host's base URL (the `source` of its events).
        #[arg(value_name = "URL")]
        base_url: String,
        /// Client id at that host.
        #[arg(long)]
        client_id: String,
        /// Client secret at that host.
        #[arg(long)]
        client_secret: String,
        #[command(flatten)]
        signer: Signer,
    },
    /// List the organisation's registered hosts (never the secrets).
    List {
        #[command(flatten)]
        signer: Signer,
    },
    /// Remove a registered host.
    Remove {
        /// The registration's id (see `list`).
        id: String,
        #[command(flatten)]
        signer: Signer,
    },
}

async fn callback_command(cmd: CallbackCommand, out: Output) -> Result<()> {
    match cmd {
        CallbackCommand::Set {
            base_url,
            client_id,
            client_secret,
            signer,
        } => {
            let (client, org, key) = signer.open()?;
            let cb = client
                .set_pact_callback(&base_url, &client_id, &client_secret, org, &key)
                .await
                .with_context(|| format!("registering {base_url}"))?;
            out.print(&cb, || {
                format!(
                    "answers to {}'s requests from {} go there, authenticated as {} (id {})",
                    cb.org, cb.base_url, cb.client_id, cb.id
                )
            });
        }
        CallbackCommand::List { signer } => {
            let (client, org, key) = signer.open()?;
            let list = client
                .pact_callbacks(org, &key)
                .await
                .context("listing PACT callbacks")?;
            out.print(&list, || {
                lines(
                    &list.callbacks,
                    format!("{org} registers no PACT hosts on this node"),
                    |c| format!("{}  {}  as {}", c.id, c.base_url, c.client_id),
                )
            });
        }
        CallbackCommand::Remove { id, signer } => {
            let (client, org, key) = signer.open()?;
            let gone = client
                .remove_pact_callback(&id, org, &key)
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
        /// What the credential is for (e.g. the partner's name).
        #[arg(long, default_value = "")]
        label: String,
        #[command(flatten)]
        signer: Signer,
    },
    /// List the organisation's credentials (never their secrets).
    List {
        #[command(flatten)]
        signer: Signer,
    },
    /// Revoke a credential: tokens issued to it stop working at once.
    Revoke {
        /// The client id.
        client_id: String,
        #[command(flatten)]
        signer: Signer,
    },
}

async fn client_command(cmd: ClientCommand, out: Output) -> Result<()> {
    match cmd {
        ClientCommand::Create { label, signer } => {
            let (client, org, key) = signer.open()?;
            let created = client
                .create_pact_client(&label, org, &key)
                .await
                .context("creating a PACT credential")?;
            out.print(&created, || {
                format!(
                    "PACT credential for {}\n  client_id     {}\n  client_secret {}\nThe node keeps only a hash of the secret: store it now, it cannot be shown again.",
                    created.client.org, created.client.client_id, created.client_secret
                )
            });
        }
        ClientCommand::List { signer } => {
            let (client, org, key) = signer.open()?;
            let list = client
                .pact_clients(org, &key)
                .await
                .context("listing PACT credentials")?;
            out.print(&list, || {
                lines(
                    &list.clients,
                    format!("{org} holds no PACT credentials on this node"),
                    |c| format!("{}  created {}  {}", c.client_id, c.created, c.label),
                )
            });
        }
        ClientCommand::Revoke { client_id, signer } => {
            let (client, org, key) = signer.open()?;
            let gone = client
                .revoke_pact_client(&client_id, org, &key)
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

//! `tanji pact`: footprints as WBCSD PACT documents.

use std::path::PathBuf;

use anyhow::{Context as _, Result};
use clap::Subcommand;
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
}

pub async fn run(cmd: PactCommand, out: Output) -> Result<()> {
    match cmd {
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

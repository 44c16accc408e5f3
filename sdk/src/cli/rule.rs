//! `tanji rule`: product rules (PCR).

use std::path::PathBuf;

use anyhow::{Context as _, Result};
use clap::Subcommand;
use tanji_authoring::rule_file::parse_rule_toml;
use tanji_ledger::tx::TxKind;

use super::output::Output;
use super::tx::submit_as;
use super::NodeArg;

#[derive(Subcommand)]
pub enum RuleCommand {
    /// Publish a product rule from a TOML file (regulator role).
    Publish {
        /// The rule file.
        file: PathBuf,
        /// Key file of the regulator.
        #[arg(long)]
        key: PathBuf,
        #[command(flatten)]
        node: NodeArg,
    },
    /// List product rules.
    List {
        #[command(flatten)]
        node: NodeArg,
    },
}

pub async fn run(cmd: RuleCommand, out: Output) -> Result<()> {
    match cmd {
        RuleCommand::Publish { file, key, node } => {
            let text = std::fs::read_to_string(&file)
                .with_context(|| format!("reading {}", file.display()))?;
            let rule = parse_rule_toml(&text).with_context(|| file.display().to_string())?;
            submit_as(&key, &node.url, TxKind::PublishRule(rule), out).await
        }
        RuleCommand::List { node } => {
            let v = node.client()?.rules().await?;
            out.print(&v, || {
                v.rules
                    .iter()
                    .map(|r| {
                        format!(
                            "{:32} {:10} {}",
                            r.rule.reference.to_string(),
                            r.status.word(),
                            r.rule.name
                        )
                    })
                    .collect::<Vec<_>>()
                    .join("\n")
            });
            Ok(())
        }
    }
}

//! `tanji factor`: the factor database.

use std::path::PathBuf;

use anyhow::{bail, Context as _, Result};
use clap::Subcommand;
use indicatif::ProgressBar;
use tanji_authoring::csv_import::{import_csv, ImportOptions};
use tanji_ledger::carbon::{Gwp, RecordRef};
use tanji_ledger::keyfile::OrgKeyFile;
use tanji_ledger::tx::TxKind;
use tanji_sdk::build;
use tanji_sdk::types::carbon::FactorQuery;

use super::output::Output;
use super::tx::{submit_as, wait_committed};
use super::NodeArg;

#[derive(Subcommand)]
pub enum FactorCommand {
    /// Publish every emission factor of a CSV file (columns id, quantity, value, unit, source, ...).
    Import {
        /// The CSV file.
        file: PathBuf,
        /// Key file of the factor publisher.
        #[arg(long)]
        key: PathBuf,
        /// GWP set for converting CH4 and N2O rows to CO2e.
        #[arg(long, default_value = "AR6")]
        gwp: Gwp,
        /// Only parse and show what would be published.
        #[arg(long)]
        dry_run: bool,
        #[command(flatten)]
        node: NodeArg,
    },
    /// Search factors by text, region and unit.
    Search {
        /// Text in id, name, source or notes.
        text: Option<String>,
        /// Region code, e.g. CN or CN-NORTH.
        #[arg(long)]
        region: Option<String>,
        /// Activity unit, e.g. kWh.
        #[arg(long)]
        unit: Option<String>,
        #[command(flatten)]
        node: NodeArg,
    },
    /// Show a factor version (`id@version`) or every version of an id.
    Show {
        /// `id@version` or `id`.
        key: String,
        #[command(flatten)]
        node: NodeArg,
    },
    /// Revoke a factor version (its publisher or a regulator).
    Revoke {
        /// `id@version`.
        factor: RecordRef,
        /// Why.
        #[arg(long)]
        reason: String,
        /// Key file of the publisher or regulator.
        #[arg(long)]
        key: PathBuf,
        #[command(flatten)]
        node: NodeArg,
    },
}

pub async fn run(cmd: FactorCommand, out: Output) -> Result<()> {
    match cmd {
        FactorCommand::Import {
            file,
            key,
            gwp,
            dry_run,
            node,
        } => {
            let text = std::fs::read_to_string(&file)
                .with_context(|| format!("reading {}", file.display()))?;
            let report = import_csv(&text, &ImportOptions { gwp })
                .with_context(|| file.display().to_string())?;
            for (line, id, why) in &report.skipped {
                out.note(&format!("line {line}: {id} skipped: {why}"));
            }
            if dry_run {
                let list: Vec<_> = report.records.iter().map(|(_, r)| r).collect();
                out.print(&list, || {
                    report
                        .records
                        .iter()
                        .map(|(line, r)| {
                            format!("line {line}: {}  {}  per {}", r.reference, r.name, r.unit)
                        })
                        .collect::<Vec<_>>()
                        .join("\n")
                });
                return Ok(());
            }
            let publisher = OrgKeyFile::load(&key)?;
            let client = node.client()?;
            let network = client.network().await?.network;
            let refs: Vec<RecordRef> = report
                .records
                .iter()
                .map(|(_, r)| r.reference.clone())
                .collect();
            let existing = client.resolve(&refs, &[], &[]).await?;
            let mut nonce = build::next_nonce(&client, &publisher.org_id).await?;
            let bar = if out.json {
                ProgressBar::hidden()
            } else {
                ProgressBar::new(report.records.len() as u64)
            };
            let (mut published, mut unchanged) = (Vec::new(), 0usize);
            for (line, record) in &report.records {
                if let Some(have) = existing.factors.get(&record.reference) {
                    if have.record == *record {
                        unchanged += 1;
                        bar.inc(1);
                        continue;
                    }
                    bail!(
                        "line {line}: {} is already on the ledger with other values; publish it as a new version (with supersedes)",
                        record.reference
                    );
                }
                let tx = build::single(
                    &network,
                    &publisher,
                    nonce,
                    TxKind::PublishFactor(record.clone()),
                )?;
                nonce += 1;
                let s = client
                    .submit(&tx)
                    .await
                    .with_context(|| format!("line {line}: {}", record.reference))?;
                published.push((record.reference.clone(), s.id));
                bar.inc(1);
            }
            bar.finish_and_clear();
            for (r, id) in &published {
                let s = wait_committed(&client, id, out).await?;
                if s.status != tanji_sdk::types::tx::TxState::Committed {
                    bail!(
                        "{r}: {} ({})",
                        s.status,
                        s.error.map(|e| e.message).unwrap_or_default()
                    );
                }
            }
            let v = serde_json::json!({
                "published": published.iter().map(|(r, id)| serde_json::json!({"ref": r.to_string(), "tx": id})).collect::<Vec<_>>(),
                "unchanged": unchanged,
                "skipped": report.skipped.iter().map(|(l, id, why)| serde_json::json!({"line": l, "id": id, "reason": why})).collect::<Vec<_>>(),
            });
            out.print(&v, || {
                format!(
                    "published {} factors, {} already on the ledger, {} rows skipped",
                    published.len(),
                    unchanged,
                    report.skipped.len()
                )
            });
            Ok(())
        }
        FactorCommand::Search {
            text,
            region,
            unit,
            node,
        } => {
            let query = FactorQuery {
                q: text,
                region,
                unit,
                ..Default::default()
            };
            let v = node.client()?.factors(&query).await?;
            out.print(&v, || {
                if v.factors.is_empty() {
                    return "no factor matches".into();
                }
                v.factors
                    .iter()
                    .map(|f| {
                        format!(
                            "{:40} {:>14} kg CO2e/{:<5} {:10} {:9} {}",
                            f.record.reference.to_string(),
                            f.values_kg.fossil,
                            f.record.unit,
                            f.record.region,
                            f.status.as_str(),
                            f.record.name
                        )
                    })
                    .collect::<Vec<_>>()
                    .join("\n")
            });
            Ok(())
        }
        FactorCommand::Show { key, node } => {
            let v = node.client()?.factor(&key).await?;
            out.print(&v, || serde_json::to_string_pretty(&v).unwrap_or_default());
            Ok(())
        }
        FactorCommand::Revoke {
            factor,
            reason,
            key,
            node,
        } => {
            submit_as(
                &key,
                &node.url,
                TxKind::RevokeFactor { factor, reason },
                out,
            )
            .await
        }
    }
}

//! `tanji certify` and `tanji certificate`: carbon label certificates.

use std::path::PathBuf;

use anyhow::{Context as _, Result};
use clap::Subcommand;
use tanji_ledger::carbon::{Certificate, CertificateAction, Date, RecordRef};
use tanji_ledger::keyfile::OrgKeyFile;
use tanji_ledger::tx::TxKind;
use tanji_ledger::TxId;
use tanji_sdk::build;

use super::output::Output;
use super::tx::{submit_and_report, submit_as};
use super::NodeArg;

/// `tanji certify`.
#[derive(clap::Args)]
pub struct CertifyArgs {
    /// The attestation to certify.
    footprint: TxId,
    /// The product rule it was verified against (`id@version`).
    #[arg(long)]
    rule: RecordRef,
    /// Certificate number.
    #[arg(long)]
    id: String,
    /// First day of validity (default today).
    #[arg(long)]
    valid_from: Option<Date>,
    /// End of validity, exclusive (default three years after valid-from).
    #[arg(long)]
    valid_until: Option<Date>,
    /// Standard and scope of the verification.
    #[arg(
        long,
        default_value = "GB/T 24067-2024 / ISO 14067:2018 product carbon footprint verification"
    )]
    scope: String,
    /// Key file of the certification body (verifier role).
    #[arg(long)]
    key: PathBuf,
    #[command(flatten)]
    node: NodeArg,
}

#[derive(Subcommand)]
pub enum CertificateCommand {
    /// Show a certificate.
    Show {
        /// Certificate id.
        id: String,
        #[command(flatten)]
        node: NodeArg,
    },
    /// Suspend, reinstate or revoke a certificate (its issuer or a regulator).
    Status {
        /// Certificate id.
        id: String,
        /// suspend, reinstate or revoke.
        #[arg(long, value_parser = ["suspend", "reinstate", "revoke"])]
        action: String,
        /// Why.
        #[arg(long)]
        reason: String,
        /// Key file of the issuer or a regulator.
        #[arg(long)]
        key: PathBuf,
        #[command(flatten)]
        node: NodeArg,
    },
    /// Download a certificate's offline verification bundle.
    Bundle {
        /// Certificate id.
        id: String,
        /// Where to write it.
        #[arg(long)]
        out: PathBuf,
        #[command(flatten)]
        node: NodeArg,
    },
}

pub async fn certify(a: CertifyArgs, out: Output) -> Result<()> {
    let org = OrgKeyFile::load(&a.key)?;
    let client = a.node.client()?;
    let fp = client.footprint(&a.footprint).await?;
    let rule = client.rule(&a.rule).await?;
    let total = fp.total_mg.with_context(|| {
        format!(
            "footprint {} has hidden figures; a label needs them published (attest with --publish)",
            a.footprint
        )
    })?;
    let grade = rule.rule.grade(total);
    let valid_from = a.valid_from.unwrap_or_else(Date::today);
    let valid_until = match a.valid_until {
        Some(d) => d,
        None => valid_from.add_years(3).context("validity out of range")?,
    };
    let cert = Certificate {
        id: a.id,
        footprint: a.footprint,
        rule: a.rule,
        grade,
        valid_from,
        valid_until,
        scope: a.scope,
    };
    out.note(&format!(
        "grade {grade} of {} for {total} mg per declared unit",
        rule.rule.grades()
    ));
    let tx = build::sign_as(&client, &org, TxKind::IssueCertificate(cert)).await?;
    submit_and_report(&client, &tx, true, out).await
}

pub async fn run(cmd: CertificateCommand, out: Output) -> Result<()> {
    match cmd {
        CertificateCommand::Show { id, node } => {
            let v = node.client()?.certificate(&id).await?;
            out.print(&v, || serde_json::to_string_pretty(&v).unwrap_or_default());
            Ok(())
        }
        CertificateCommand::Status {
            id,
            action,
            reason,
            key,
            node,
        } => {
            let action = match action.as_str() {
                "suspend" => CertificateAction::Suspend,
                "reinstate" => CertificateAction::Reinstate,
                _ => CertificateAction::Revoke,
            };
            let kind = TxKind::SetCertificateStatus {
                certificate: id,
                action,
                reason,
            };
            submit_as(&key, &node.url, kind, out).await
        }
        CertificateCommand::Bundle {
            id,
            out: path,
            node,
        } => {
            let v = node.client()?.certificate_bundle(&id).await?;
            std::fs::write(&path, serde_json::to_vec_pretty(&v)?)
                .with_context(|| format!("writing {}", path.display()))?;
            out.print(
                &serde_json::json!({"certificate": id, "file": path}),
                || {
                    format!(
                        "bundle of {id} written to {}; check it with: tanji verify bundle {}",
                        path.display(),
                        path.display()
                    )
                },
            );
            Ok(())
        }
    }
}

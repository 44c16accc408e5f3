//! `tanji verify`: offline checks.

use std::path::{Path, PathBuf};

use anyhow::{Context as _, Result};
use clap::Subcommand;
use tanji_ledger::bundle::{CertificateBundle, InclusionBundle, MAX_BUNDLE_BYTES};
use tanji_ledger::checkpoint::NoteVerifier;

use super::output::{Output, ReportedFailure, VerificationFailed};

#[derive(Subcommand)]
pub enum VerifyCommand {
    /// Check an inclusion bundle offline: entry, proof, and checkpoint signatures.
    Inclusion {
        /// The bundle (from `tanji tx status ID --bundle FILE` or GET /v1/tx/{id}/bundle).
        bundle: PathBuf,
        /// Trusted validator keys, one C2SP vkey per line. Without it, the bundle's own
        /// keys are used, which proves consistency but not who signed.
        #[arg(long)]
        validators: Option<PathBuf>,
        /// Signatures required with --validators (default: more than two thirds).
        #[arg(long)]
        quorum: Option<usize>,
    },
    /// Check a certificate's bundle offline: every entry's inclusion, the checkpoint's
    /// signatures, the supply-chain tree recomputed, the grade against the rule.
    Bundle {
        /// The bundle (from the verification page or `tanji certificate bundle`).
        bundle: PathBuf,
        /// Trusted validator keys, one C2SP vkey per line.
        #[arg(long)]
        validators: Option<PathBuf>,
        /// Signatures required with --validators (default: more than two thirds).
        #[arg(long)]
        quorum: Option<usize>,
    },
    /// Check a PACT document (v2.3 or v3.0) offline against the ledger entries
    /// its tanji-pact-proof extension carries: every entry's inclusion, the
    /// checkpoint's signatures, and every mapped field recomputed. An edited
    /// field fails, named.
    Pact {
        /// The document (`tanji pact export`, or a PACT host's GetFootprint answer).
        document: PathBuf,
        /// Trusted validator keys, one C2SP vkey per line.
        #[arg(long)]
        validators: Option<PathBuf>,
        /// Signatures required with --validators (default: more than two thirds).
        #[arg(long)]
        quorum: Option<usize>,
    },
}

pub(super) fn pinned_keys(
    validators: &Option<PathBuf>,
    quorum: Option<usize>,
) -> Result<Option<(Vec<NoteVerifier>, usize)>> {
    let Some(path) = validators else {
        return Ok(None);
    };
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    let keys = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(NoteVerifier::from_vkey)
        .collect::<Result<Vec<_>, _>>()
        .with_context(|| format!("{}", path.display()))?;
    let q = quorum.unwrap_or(tanji_ledger::state::governance_quorum(keys.len()));
    Ok(Some((keys, q)))
}

/// Reads a file of at most `limit` bytes.
pub(super) fn read_bounded(path: &Path, limit: usize) -> Result<String> {
    let len = std::fs::metadata(path)
        .with_context(|| format!("reading {}", path.display()))?
        .len();
    if len > limit as u64 {
        anyhow::bail!("{}: {len} bytes, more than {limit}", path.display());
    }
    std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))
}

fn verify_pact(
    document: &Path,
    validators: &Option<PathBuf>,
    quorum: Option<usize>,
    out: Output,
) -> Result<()> {
    use tanji_pact::verify::{parse_document, verify_document, MAX_DOCUMENT_BYTES};
    let text = read_bounded(document, MAX_DOCUMENT_BYTES)?;
    let pinned = pinned_keys(validators, quorum)?;
    let result = parse_document(&text)
        .and_then(|doc| verify_document(&doc, pinned.as_ref().map(|(k, q)| (k.as_slice(), *q))));
    match result {
        Ok(r) => {
            out.print(&serde_json::json!({"verified": true, "report": r}), || {
                let mut s = format!(
                    "verified: PACT v{} footprint {} is attestation {}\n  {} fields recomputed from {} ledger entries, proven in the log of size {} (root {}), checkpoint signed by {} validator keys",
                    r.spec_version.major(),
                    r.pf_id, r.footprint, r.fields_checked, r.entries_proven, r.tree_size, r.root, r.signatures
                );
                for l in &r.limits {
                    s.push_str(&format!("\n  note: {l}"));
                }
                s
            });
            Ok(())
        }
        Err(e) => {
            let msg = format!("PACT document does not verify: {e}");
            if out.json {
                out.print(
                    &serde_json::json!({"verified": false, "field": e.field(), "error": e.to_string()}),
                    String::new,
                );
                Err(ReportedFailure(msg).into())
            } else {
                Err(VerificationFailed(msg).into())
            }
        }
    }
}

pub fn run(cmd: VerifyCommand, out: Output) -> Result<()> {
    match cmd {
        VerifyCommand::Inclusion {
            bundle,
            validators,
            quorum,
        } => {
            let len = std::fs::metadata(&bundle)
                .with_context(|| format!("reading {}", bundle.display()))?
                .len();
            if len > MAX_BUNDLE_BYTES as u64 {
                return Err(VerificationFailed(format!(
                    "{}: {len} bytes is too large for a bundle",
                    bundle.display()
                ))
                .into());
            }
            let text = std::fs::read_to_string(&bundle)
                .with_context(|| format!("reading {}", bundle.display()))?;
            let pinned = pinned_keys(&validators, quorum)?;
            let result = InclusionBundle::from_json(&text)
                .and_then(|b| b.verify(pinned.as_ref().map(|(k, q)| (k.as_slice(), *q))));
            match result {
                Ok(report) => {
                    out.print(&serde_json::json!({"verified": true, "report": report}), || {
                        let mut s = format!(
                            "verified: {} ({}, by {}) is entry {} of the log {} of size {}, root {}\n          checkpoint signed by {} of the required {} validator keys",
                            report.tx_id, report.kind, report.author, report.index, report.network,
                            report.tree_size, report.root, report.signatures, report.quorum
                        );
                        if report.set_changes_followed > 0 {
                            s.push_str(&format!("\n          after following {} validator set change(s) from the pinned keys", report.set_changes_followed));
                        }
                        if !report.keys_pinned {
                            s.push_str("\nwarning: validator keys came from the bundle itself; pass --validators to pin the keys you trust");
                        }
                        s
                    });
                    Ok(())
                }
                Err(e) => Err(VerificationFailed(format!("bundle does not verify: {e}")).into()),
            }
        }
        VerifyCommand::Bundle {
            bundle,
            validators,
            quorum,
        } => {
            let text = std::fs::read_to_string(&bundle)
                .with_context(|| format!("reading {}", bundle.display()))?;
            let pinned = pinned_keys(&validators, quorum)?;
            let result = CertificateBundle::from_json(&text)
                .and_then(|b| b.verify(pinned.as_ref().map(|(k, q)| (k.as_slice(), *q))));
            match result {
                Ok(r) => {
                    out.print(&serde_json::json!({"verified": true, "report": r}), || {
                        let mut s = format!(
                            "verified: certificate {} — {}: {} mg CO2e per {}, grade {} under {}
  issued by {}, valid {} – {}
  {} entries proven in the log of size {} (root {}), checkpoint signed by {} validator keys
  supply chain recomputed: {} attestations",
                            r.certificate, r.product, r.total_mg, r.declared_unit, r.grade, r.rule, r.issuer,
                            r.valid_from, r.valid_until, r.entries_proven, r.tree_size, r.root, r.signatures,
                            r.tree.nodes.len()
                        );
                        for n in &r.tree.nodes {
                            s.push_str(&format!("\n    {}✓ {} ({} mg per {})", "  ".repeat(n.depth), n.product, n.total_mg, n.declared_unit));
                        }
                        if r.set_changes_followed > 0 {
                            s.push_str(&format!("\n  followed {} validator set change(s) from the pinned keys to the set that signed the checkpoint", r.set_changes_followed));
                        }
                        for l in &r.limits {
                            s.push_str(&format!("\n  note: {l}"));
                        }
                        if !r.keys_pinned {
                            s.push_str("\nwarning: validator keys came from the bundle itself; pass --validators to pin the keys you trust");
                        }
                        s
                    });
                    Ok(())
                }
                Err(e) => Err(VerificationFailed(format!("bundle does not verify: {e}")).into()),
            }
        }
        VerifyCommand::Pact {
            document,
            validators,
            quorum,
        } => verify_pact(&document, &validators, quorum, out),
    }
}

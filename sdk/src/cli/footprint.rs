//! `tanji footprint`: compute, attest, verify, inspect.

use std::path::{Path, PathBuf};

use anyhow::{bail, Context as _, Result};
use clap::Subcommand;
use serde_json::json;
use tanji_authoring::csv_import::{import_csv, ImportOptions};
use tanji_authoring::model::{commit_raw_data, Model, ModelPrivacy};
use tanji_ledger::carbon::tree::{verify_tree, TreeData};
use tanji_ledger::carbon::{Attestation, FactorState, InputSource, RecordRef, RecordStatus};
use tanji_ledger::keyfile::OrgKeyFile;
use tanji_ledger::sealed::{Purpose, RawData, SealedContent};
use tanji_ledger::tx::TxKind;
use tanji_ledger::{OrgId, TxId};
use tanji_sdk::privacy::{self, SecretsFile};
use tanji_sdk::types::carbon::{PrivacyLevel, TreeNodeView};
use tanji_sdk::types::draft::ComputeResult;
use tanji_sdk::{build, Client};

use super::output::{Output, ReportedFailure};
use super::tx::{submit_and_report, submit_as};
use super::NodeArg;

#[derive(Subcommand)]
pub enum FootprintCommand {
    /// Compute a footprint from a model file (factors and upstream footprints from a
    /// node, or factors from a CSV file offline).
    Compute {
        /// The model file (TOML, or JSON with the same shape).
        file: PathBuf,
        /// Node URL to read factors, upstream footprints and rules from.
        #[arg(long, env = "TANJI_NODE")]
        node: Option<String>,
        /// Read factors from this CSV file instead (offline; no upstream footprints).
        #[arg(long, conflicts_with = "node")]
        factors: Option<PathBuf>,
    },
    /// Compute, sign and submit an attestation from a model file.
    Attest {
        /// The model file.
        file: PathBuf,
        /// Key file of the producer (supplier role).
        #[arg(long)]
        key: PathBuf,
        #[command(flatten)]
        node: NodeArg,
        /// For privacy = "committed": where to write the opening (salt and amounts)
        /// of the raw-data commitment (default: MODEL.opening.json). Keep it private.
        #[arg(long)]
        opening: Option<PathBuf>,
        /// For privacy = "hidden": where to write the footprint's secrets (its
        /// opening and raw data) before submitting (default: MODEL.secrets.json).
        #[arg(long)]
        secrets: Option<PathBuf>,
        /// For privacy = "hidden": seal the footprint's opening to this
        /// organisation (the direct customer), so it can build on it. Repeatable.
        #[arg(long = "seal-to", value_name = "ORG_ID")]
        seal_to: Vec<OrgId>,
        /// For privacy = "hidden": seal the raw data (amounts, openings, model)
        /// to this auditor or certification body. Repeatable.
        #[arg(long = "audit-to", value_name = "ORG_ID")]
        audit_to: Vec<OrgId>,
        /// For privacy = "hidden": an opening of a hidden upstream footprint
        /// (a secrets or `footprint open` file); the others are fetched from
        /// envelopes disclosed to this key's organisation. Repeatable.
        #[arg(long = "upstream-opening", value_name = "FILE")]
        upstream_openings: Vec<PathBuf>,
        /// For privacy = "hidden": publish the figures with their blindings
        /// (e.g. for a carbon label); inputs stay hidden.
        #[arg(long)]
        publish: bool,
    },
    /// Fetch and open the opening of a hidden footprint disclosed to you, check
    /// it against the footprint's commitment, and write it to a file you can
    /// build on (`attest --upstream-opening`).
    Open {
        /// Attestation id.
        id: TxId,
        /// Your key file (the recipient's).
        #[arg(long)]
        key: PathBuf,
        /// Where to write the opening (default: print only). Keep it private.
        #[arg(long)]
        out: Option<PathBuf>,
        /// Node URL (the one the author deposited the envelope on).
        #[arg(long, env = "TANJI_NODE", default_value = "http://127.0.0.1:7410")]
        node: String,
    },
    /// Seal a hidden footprint's opening (to a customer) or raw data (to an
    /// auditor) from its secrets file, deposit it and record the disclosure.
    Disclose {
        /// Attestation id.
        id: TxId,
        /// The author's key file.
        #[arg(long)]
        key: PathBuf,
        /// The recipient organisation.
        #[arg(long)]
        to: OrgId,
        /// `opening` or `raw_data`.
        #[arg(long, default_value = "opening", value_parser = parse_purpose)]
        purpose: Purpose,
        /// The secrets file `attest` wrote.
        #[arg(long)]
        secrets: PathBuf,
        #[command(flatten)]
        node: NodeArg,
    },
    /// Recompute an attestation and its whole upstream tree and report per node.
    Verify {
        /// Attestation id.
        id: TxId,
        #[command(flatten)]
        node: NodeArg,
    },
    /// Audit an attestation: a `committed` one with its opening (salt and
    /// amounts, from the producer), a `hidden` one with the raw data sealed to
    /// your key: check the commitments and recompute the numbers.
    Audit {
        /// Attestation id.
        id: TxId,
        /// For a committed attestation: the opening file the producer's `attest` wrote.
        #[arg(long, required_unless_present = "key")]
        opening: Option<PathBuf>,
        /// For a hidden attestation: your key file (the auditor the raw data was sealed to).
        #[arg(long, conflicts_with = "opening")]
        key: Option<PathBuf>,
        #[command(flatten)]
        node: NodeArg,
    },
    /// Show an attestation.
    Show {
        /// Attestation id.
        id: TxId,
        #[command(flatten)]
        node: NodeArg,
    },
    /// Show the supply-chain tree.
    Tree {
        /// Attestation id.
        id: TxId,
        #[command(flatten)]
        node: NodeArg,
    },
    /// List every footprint depending on this one (transitively).
    Affected {
        /// Attestation id.
        id: TxId,
        #[command(flatten)]
        node: NodeArg,
    },
    /// Revoke an attestation (its author or a regulator).
    Revoke {
        /// Attestation id.
        id: TxId,
        /// Why.
        #[arg(long)]
        reason: String,
        /// Key file of the author or a regulator.
        #[arg(long)]
        key: PathBuf,
        #[command(flatten)]
        node: NodeArg,
    },
}

/// The ledger records a model needs, fetched from a node or read from a CSV file.
async fn records_for(
    model: &Model,
    node: Option<&str>,
    factors_csv: Option<&Path>,
) -> Result<TreeData> {
    if let Some(path) = factors_csv {
        let text =
            std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
        let report = import_csv(&text, &ImportOptions::default())
            .with_context(|| path.display().to_string())?;
        let mut data = TreeData::default();
        for (_, record) in report.records {
            data.factors.insert(
                record.reference.clone(),
                FactorState {
                    record,
                    publisher: OrgId([0; 16]),
                    tx: TxId([0; 32]),
                    published_at: 0,
                    status: RecordStatus::Active,
                },
            );
        }
        return Ok(data);
    }
    let node = node.context("give --node URL (or --factors FILE.csv to compute offline)")?;
    let client = Client::new(node)?;
    let mut factors = Vec::new();
    let mut footprints = Vec::new();
    for input in model.inputs() {
        match &input.source {
            InputSource::Factor(r) => factors.push(r.clone()),
            InputSource::Upstream(id) => footprints.push(*id),
        }
    }
    let rules: Vec<RecordRef> = model.rule().into_iter().cloned().collect();
    Ok(client.resolve(&factors, &footprints, &rules).await?)
}

fn human_results(att: &Attestation) -> String {
    let r = &att.results;
    let kg = |mg: i64| tanji_ledger::carbon::units::format_kg(i128::from(mg));
    let mut s = format!(
        "{}: {} kg CO2e per {} ({} mg)\n",
        att.product.name,
        kg(r.total_mg),
        att.declared_unit,
        r.total_mg
    );
    for c in tanji_ledger::carbon::Category::ALL {
        s.push_str(&format!(
            "  {:18} {:>16} mg\n",
            c.as_str(),
            r.categories.get(c)
        ));
    }
    for st in tanji_ledger::carbon::Stage::ALL {
        s.push_str(&format!(
            "  stage {:12} {:>16} mg\n",
            st.as_str(),
            r.stages.get(st)
        ));
    }
    s.trim_end().to_string()
}

pub async fn run(cmd: FootprintCommand, out: Output) -> Result<()> {
    match cmd {
        FootprintCommand::Compute {
            file,
            node,
            factors,
        } => {
            let model = Model::from_path(&file).with_context(|| file.display().to_string())?;
            let data = records_for(&model, node.as_deref(), factors.as_deref()).await?;
            let (att, eval) = model
                .attestation(&data)
                .with_context(|| file.display().to_string())?;
            let exact = eval.computed.map(|c| c.exact).unwrap_or_default();
            let v = ComputeResult::new(&att, &exact);
            out.print(&v, || human_results(&att));
            Ok(())
        }
        FootprintCommand::Attest {
            file,
            key,
            node,
            opening,
            secrets,
            seal_to,
            audit_to,
            upstream_openings,
            publish,
        } => {
            let model = Model::from_path(&file).with_context(|| file.display().to_string())?;
            let producer = OrgKeyFile::load(&key)?;
            let data = records_for(&model, Some(&node.url), None).await?;
            if model.privacy() == ModelPrivacy::Hidden {
                let secrets = secrets.unwrap_or_else(|| file.with_extension("secrets.json"));
                let hidden = HiddenAttest {
                    model: &model,
                    model_path: &file,
                    data: &data,
                    secrets: &secrets,
                    seal_to: &seal_to,
                    audit_to: &audit_to,
                    upstream_openings: &upstream_openings,
                    publish,
                };
                return attest_hidden(&node.client()?, &producer, hidden, out).await;
            }
            if !(seal_to.is_empty() && audit_to.is_empty() && upstream_openings.is_empty())
                || publish
            {
                bail!("--seal-to, --audit-to, --upstream-opening and --publish are for privacy = \"hidden\" models");
            }
            let (mut att, _) = model
                .attestation(&data)
                .with_context(|| file.display().to_string())?;
            if model.privacy() == ModelPrivacy::Committed {
                let salt = *tanji_ledger::crypto::SecretKey::generate()?.seed();
                let amounts = commit_raw_data(&mut att, &salt);
                let path = opening.unwrap_or_else(|| file.with_extension("opening.json"));
                let v = json!({
                    "model": file.display().to_string(),
                    "salt": hex::encode(salt),
                    "amounts_micro": amounts,
                    "note": "opening of the raw-data commitment: give it only to auditors",
                });
                // Written before submitting: losing it would make the commitment unopenable.
                tanji_ledger::keyfile::write_private_json(&path, &v)
                    .with_context(|| format!("{} must not exist yet", path.display()))?;
                out.note(&format!(
                    "raw-data opening written to {} (keep it private)",
                    path.display()
                ));
            }
            let client = node.client()?;
            out.note(&human_results(&att));
            let tx = build::sign_as(&client, &producer, TxKind::AttestFootprint(att)).await?;
            submit_and_report(&client, &tx, true, out).await
        }
        FootprintCommand::Verify { id, node } => {
            let client = node.client()?;
            let data = client.footprint_tree(&id).await?.records;
            // Recomputed here, with the same code the nodes run.
            let report = verify_tree(id, &data, &data.network);
            out.print(&report, || {
                let mut s = String::new();
                for n in &report.nodes {
                    let figure = if n.figures_hidden {
                        "hidden".to_string()
                    } else {
                        format!("{} mg", n.total_mg)
                    };
                    s.push_str(&format!(
                        "{}{} {} — {figure} per {} [{}, {}]\n",
                        "  ".repeat(n.depth),
                        if n.verified { "✓" } else { "✗" },
                        n.product,
                        n.declared_unit,
                        n.status,
                        n.privacy
                    ));
                    for c in &n.checks {
                        s.push_str(&format!(
                            "{}    {} {}: {}\n",
                            "  ".repeat(n.depth),
                            if c.ok { "ok  " } else { "FAIL" },
                            c.check,
                            c.detail
                        ));
                    }
                }
                s.push_str(if report.verified {
                    "verified"
                } else {
                    "NOT verified"
                });
                if report.proofs_checked > 0 {
                    s.push_str(&format!(
                        " ({} zero-knowledge proof(s) checked, no hidden value seen)",
                        report.proofs_checked
                    ));
                }
                s
            });
            if !report.verified {
                return Err(ReportedFailure(report.problems.join("; ")).into());
            }
            Ok(())
        }
        FootprintCommand::Audit {
            id,
            opening,
            key,
            node,
        } => match (opening, key) {
            (Some(opening), _) => audit(id, &opening, &node.url, out).await,
            (None, Some(key)) => audit_hidden(id, &key, &node.url, out).await,
            (None, None) => bail!("give --opening FILE (committed) or --key FILE (hidden)"),
        },
        FootprintCommand::Open {
            id,
            key,
            out: path,
            node,
        } => open(id, &key, path.as_deref(), &node, out).await,
        FootprintCommand::Disclose {
            id,
            key,
            to,
            purpose,
            secrets,
            node,
        } => {
            let author = OrgKeyFile::load(&key)?;
            let file = SecretsFile::read(&secrets)?;
            if file.footprint != id {
                bail!(
                    "{} holds the secrets of {}, not {id}",
                    secrets.display(),
                    file.footprint
                );
            }
            let content = match purpose {
                Purpose::Opening => SealedContent::Opening(file.opening()?),
                Purpose::RawData => SealedContent::RawData(
                    file.raw_data()?
                        .with_context(|| format!("{} keeps no raw data", secrets.display()))?,
                ),
            };
            let client = node.client()?;
            let d = privacy::disclose(&client, &author, id, to, &content).await?;
            out.print(&d, || {
                format!(
                    "{} of {id} sealed to {} (envelope {}, {} bytes), recorded by {}",
                    d.purpose, d.recipient, d.envelope, d.size, d.tx
                )
            });
            Ok(())
        }
        FootprintCommand::Show { id, node } => {
            let v = node.client()?.footprint(&id).await?;
            out.print(&v, || serde_json::to_string_pretty(&v).unwrap_or_default());
            Ok(())
        }
        FootprintCommand::Tree { id, node } => {
            let v = node.client()?.footprint_tree(&id).await?;
            out.print(&v.tree, || {
                let mut s = String::new();
                print_tree(&v.tree, &mut s);
                s.trim_end().to_string()
            });
            Ok(())
        }
        FootprintCommand::Affected { id, node } => {
            let v = node.client()?.footprint_affected(&id).await?;
            out.print(&v, || {
                let mut s = format!(
                    "{} is {}; {} footprints depend on it",
                    id,
                    v.status.as_str(),
                    v.affected.len()
                );
                for a in &v.affected {
                    s.push_str(&format!(
                        "\n  {}{} ({})",
                        "  ".repeat(a.depth.saturating_sub(1)),
                        a.product,
                        a.id
                    ));
                }
                s
            });
            Ok(())
        }
        FootprintCommand::Revoke {
            id,
            reason,
            key,
            node,
        } => {
            submit_as(
                &key,
                &node.url,
                TxKind::RevokeFootprint {
                    footprint: id,
                    reason,
                },
                out,
            )
            .await
        }
    }
}

fn print_tree(node: &TreeNodeView, s: &mut String) {
    let depth = node.depth;
    let hidden = node.privacy == Some(PrivacyLevel::Hidden);
    s.push_str(&format!(
        "{}{} — {} kg CO2e/{}{} [{}]\n",
        "  ".repeat(depth),
        node.product.as_deref().unwrap_or("?"),
        node.total_kg
            .as_deref()
            .unwrap_or(if hidden { "hidden" } else { "?" }),
        node.declared_unit.as_deref().unwrap_or("?"),
        node.quantity
            .as_deref()
            .map(|q| format!(" × {q}"))
            .unwrap_or_default(),
        node.status,
    ));
    for f in &node.factors {
        s.push_str(&format!(
            "{}  · {} × {} {} [{}]\n",
            "  ".repeat(depth),
            f.factor,
            f.amount.as_deref().unwrap_or("committed"),
            f.unit,
            f.status,
        ));
    }
    for up in &node.upstream {
        print_tree(up, s);
    }
}

/// Checks a committed attestation against its opening and recomputes it.
async fn audit(id: TxId, opening: &Path, node: &str, out: Output) -> Result<()> {
    let text = std::fs::read_to_string(opening)
        .with_context(|| format!("reading {}", opening.display()))?;
    let v: serde_json::Value =
        serde_json::from_str(&text).with_context(|| format!("{}: not JSON", opening.display()))?;
    let mut salt = [0u8; 32];
    hex::decode_to_slice(v["salt"].as_str().unwrap_or_default(), &mut salt)
        .with_context(|| format!("{}: salt must be 64 hex characters", opening.display()))?;
    let amounts: Vec<u64> =
        serde_json::from_value(v["amounts_micro"].clone()).with_context(|| {
            format!(
                "{}: amounts_micro must be a list of integers",
                opening.display()
            )
        })?;
    let client = Client::new(node)?;
    let data = client.footprint_tree(&id).await?.records;
    let fp = data
        .footprints
        .get(&id)
        .cloned()
        .context("attestation missing from its tree")?;
    let mut att = fp.attestation.clone();
    let tanji_ledger::carbon::Privacy::Committed { commitment } = att.privacy else {
        bail!("{id} is not a committed attestation; its amounts are public");
    };
    if amounts.len() != att.inputs.len() {
        bail!(
            "the opening has {} amounts, the attestation {} inputs",
            amounts.len(),
            att.inputs.len()
        );
    }
    let commitment_ok = tanji_ledger::carbon::raw_data_commitment(&salt, &amounts) == commitment;
    for (input, amount) in att.inputs.iter_mut().zip(&amounts) {
        input.amount = Some(*amount);
    }
    let eval = tanji_ledger::carbon::compute::evaluate_with(
        &att,
        &data,
        tanji_ledger::carbon::compute::StatusPolicy::Report,
    )
    .with_context(|| format!("recomputing {id}"))?;
    let computed = eval.computed.context("amounts missing")?;
    let results_ok = tanji_ledger::carbon::compute::check_results(&att, &computed).is_ok();
    let report = json!({
        "footprint": id,
        "commitment_matches": commitment_ok,
        "results_match": results_ok,
        "claimed_total_mg": att.results.total_mg,
        "recomputed_total_mg": computed.results.total_mg,
        "verified": commitment_ok && results_ok,
    });
    out.print(&report, || {
        format!(
            "{id}\n  commitment {}\n  recomputed {} mg per {} (attested {} mg): {}",
            if commitment_ok {
                "matches the opening"
            } else {
                "DOES NOT match the opening"
            },
            computed.results.total_mg,
            att.declared_unit,
            att.results.total_mg,
            if results_ok { "match" } else { "MISMATCH" }
        )
    });
    if !(commitment_ok && results_ok) {
        return Err(
            ReportedFailure("the committed attestation does not match its opening".into()).into(),
        );
    }
    Ok(())
}

fn parse_purpose(s: &str) -> Result<Purpose, String> {
    Purpose::parse(&s.replace('-', "_"))
        .ok_or_else(|| format!("{s:?}: expected opening or raw_data"))
}

/// What `attest` needs for a hidden model.
struct HiddenAttest<'a> {
    model: &'a Model,
    model_path: &'a Path,
    data: &'a TreeData,
    secrets: &'a Path,
    seal_to: &'a [OrgId],
    audit_to: &'a [OrgId],
    upstream_openings: &'a [PathBuf],
    publish: bool,
}

/// `attest` of a hidden model: build and prove, keep the secrets, submit,
/// then seal the opening to customers and the raw data to auditors.
async fn attest_hidden(
    client: &Client,
    producer: &OrgKeyFile,
    h: HiddenAttest<'_>,
    out: Output,
) -> Result<()> {
    let openings =
        privacy::upstream_openings(client, producer, h.model, h.data, h.upstream_openings).await?;
    out.note("building the zero-knowledge proof...");
    let attested = privacy::attest_hidden(
        client,
        producer,
        h.model,
        h.data,
        &openings,
        h.publish,
        Some(h.secrets),
    )
    .await?;
    out.note(&format!(
        "secrets (opening and raw data) written to {} (keep it private)",
        h.secrets.display()
    ));
    let proof_bytes = attested
        .build
        .attestation
        .privacy
        .hidden()
        .map_or(0, |x| x.proof.len());
    let mut disclosures = Vec::new();
    for to in h.seal_to {
        let content = SealedContent::Opening(attested.build.opening.clone());
        disclosures.push(privacy::disclose(client, producer, attested.id, *to, &content).await?);
    }
    let model_text = std::fs::read_to_string(h.model_path).ok();
    for to in h.audit_to {
        let content = SealedContent::RawData(RawData {
            witness: attested.build.witness.clone(),
            model: model_text.clone(),
        });
        disclosures.push(privacy::disclose(client, producer, attested.id, *to, &content).await?);
    }
    let values = attested.build.opening.values;
    let v = json!({
        "footprint": attested.id,
        "status": "committed",
        "privacy": "hidden",
        "published": h.publish,
        "proof_bytes": proof_bytes,
        "secrets": h.secrets.display().to_string(),
        "disclosures": disclosures,
    });
    out.print(&v, || {
        let mut s = format!(
            "{}  committed (hidden; proof {proof_bytes} bytes)\n  your figures (only you and those you disclose to see them): {} mg per {} ({:?} by category)",
            attested.id,
            values.iter().sum::<i64>(),
            attested.build.attestation.declared_unit,
            values
        );
        for d in &disclosures {
            s.push_str(&format!(
                "\n  {} sealed to {} (envelope {}, tx {})",
                d.purpose, d.recipient, d.envelope, d.tx
            ));
        }
        s
    });
    Ok(())
}

/// `footprint open`: the customer's side of a disclosure.
async fn open(id: TxId, key: &Path, path: Option<&Path>, node: &str, out: Output) -> Result<()> {
    let me = OrgKeyFile::load(key)?;
    let client = Client::new(node)?;
    let (fp, content) = privacy::open_disclosed(&client, &me, id, Purpose::Opening).await?;
    let SealedContent::Opening(opening) = content else {
        bail!("the envelope holds raw data, not an opening");
    };
    let network = client.network().await?.network;
    if let Some(path) = path {
        SecretsFile {
            footprint: id,
            network,
            author: fp.author,
            opening: hex::encode(&*opening.to_bytes()),
            values_mg: opening.values,
            raw_data: None,
            note: "opening of a supplier's hidden footprint, sealed to you: use it with `tanji footprint attest --upstream-opening`; do not publish it".into(),
        }
        .write(path)?;
    }
    let v = json!({
        "footprint": id,
        "author": fp.author,
        "opens_commitment": true,
        "categories": opening.values,
        "total_mg": opening.values.iter().sum::<i64>(),
        "declared_unit": fp.attestation.declared_unit,
        "written_to": path.map(|p| p.display().to_string()),
    });
    out.print(&v, || {
        format!(
            "{} ({}): {} mg CO2e per {} {:?}; the opening matches the commitment on the ledger{}",
            fp.attestation.product.name,
            id,
            opening.values.iter().sum::<i64>(),
            fp.attestation.declared_unit,
            opening.values,
            path.map(|p| format!("; written to {}", p.display()))
                .unwrap_or_default()
        )
    });
    Ok(())
}

/// `footprint audit --key`: recompute a hidden footprint from the raw data sealed to us.
async fn audit_hidden(id: TxId, key: &Path, node: &str, out: Output) -> Result<()> {
    let me = OrgKeyFile::load(key)?;
    let client = Client::new(node)?;
    let (_, content) = privacy::open_disclosed(&client, &me, id, Purpose::RawData).await?;
    let SealedContent::RawData(raw) = content else {
        bail!("the envelope holds an opening, not raw data");
    };
    let data = client.footprint_tree(&id).await?.records;
    let fp = data
        .footprints
        .get(&id)
        .cloned()
        .context("attestation missing from its tree")?;
    let result = tanji_ledger::carbon::hidden::audit_hidden(&fp.attestation, &raw.witness, &data);
    let v = match &result {
        Ok(r) => json!({
            "footprint": id,
            "verified": true,
            "categories": r.results.categories,
            "total_mg": r.results.total_mg,
            "amounts_micro": r.amounts,
            "model": raw.model.is_some(),
        }),
        Err(e) => json!({ "footprint": id, "verified": false, "problem": e.to_string() }),
    };
    out.print(&v, || match &result {
        Ok(r) => format!(
            "{id}\n  raw data opens every quantity commitment of the proof\n  recomputed {} mg per {} {:?}: matches the commitment on the ledger",
            r.results.total_mg, fp.attestation.declared_unit, r.results.categories.0
        ),
        Err(e) => format!("{id}\n  NOT verified: {e}"),
    });
    if let Err(e) = result {
        return Err(ReportedFailure(e.to_string()).into());
    }
    Ok(())
}

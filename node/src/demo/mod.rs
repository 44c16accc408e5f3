//! Demo data for `tanji-node dev --demo`: the national demo factor set, a
//! product rule for portable computers, a laptop supply chain of four tiers
//! (grid electricity → aluminium ingot → chassis → laptop, with battery cells
//! and pack, mainboard and a display panel whose activity data is committed),
//! and a certificate for the laptop.
//!
//! Everything goes through ordinary signed transactions and the same
//! validation as any submission; nodes recompute every public attestation.
//! Transactions use fixed nonces so an interrupted load is completed, not
//! duplicated, by the next start. The filled-in model files are written to
//! `DIR/models/`, the committed display panel's opening to `DIR/openings/`,
//! and the ids to `DIR/demo.json`.

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::{bail, Context as _, Result};
use tanji_ledger::carbon::csv_import::{import_csv, ImportOptions};
use tanji_ledger::carbon::model::{commit_raw_data, Model, ModelPrivacy};
use tanji_ledger::carbon::rule_file::parse_rule_toml;
use tanji_ledger::carbon::{Certificate, Date};
use tanji_ledger::keyfile::OrgKeyFile;
use tanji_ledger::state::StateView;
use tanji_ledger::tx::{SignedTx, TxBody, TxKind};
use tanji_ledger::validate::ViewResolver;
use tanji_ledger::TxId;

use crate::dev::{append_one, DevNetwork};

/// The demo factor set (a copy of shared/data/factors-cn-demo.csv, with its sources).
pub const FACTORS_CSV: &str = include_str!("../../data/factors-cn-demo.csv");
const RULE: &str = include_str!("models/pcr-portable-computer.toml");

/// The chain, in dependency order: (name, key file stem of the producer, model).
const CHAIN: [(&str, &str, &str); 8] = [
    (
        "grid-electricity",
        "grid-power",
        include_str!("models/grid-electricity.toml"),
    ),
    (
        "aluminium-ingot",
        "aluminium",
        include_str!("models/aluminium-ingot.toml"),
    ),
    (
        "laptop-chassis",
        "aluminium",
        include_str!("models/laptop-chassis.toml"),
    ),
    (
        "battery-cells",
        "cells",
        include_str!("models/battery-cells.toml"),
    ),
    (
        "battery-pack",
        "cells",
        include_str!("models/battery-pack.toml"),
    ),
    (
        "mainboard",
        "mainboard",
        include_str!("models/mainboard.toml"),
    ),
    ("display", "display", include_str!("models/display.toml")),
    ("laptop", "assembler", include_str!("models/laptop.toml")),
];

/// Demo transactions use nonces from here on, so they never collide with an
/// organisation's own (the CLI picks the highest used + 1).
const DEMO_NONCE_BASE: u64 = 1_000_000;

/// The demo certificate.
pub const CERTIFICATE_ID: &str = "CECC-PCF-2026-000001";

fn sign(network: &str, org: &OrgKeyFile, nonce: u64, kind: TxKind) -> Result<SignedTx> {
    let key = org.signing_key()?;
    Ok(SignedTx::sign(
        TxBody {
            network: network.to_string(),
            author: org.org_id,
            nonce,
            kind,
        },
        &[(org.org_id, &key)],
    ))
}

/// Appends `tx` unless it is already in the log (an earlier, interrupted load).
fn submit(dev: &DevNetwork, tx: SignedTx) -> Result<TxId> {
    let id = tx.id();
    if dev.store.tx_index(&id)?.is_none() {
        append_one(&dev.store, &dev.signer, tx)?;
    }
    Ok(id)
}

/// Loads the demo data into a dev network (once).
pub fn load(dev: &DevNetwork, data_dir: &Path) -> Result<()> {
    let demo_file = data_dir.join("demo.json");
    if demo_file.exists() {
        return Ok(());
    }
    let keys = |stem: &str| -> Result<OrgKeyFile> {
        let path = dev.keys_dir.join(format!("{stem}.json"));
        OrgKeyFile::load(&path).with_context(|| format!("demo key {}", path.display()))
    };
    let network = dev.store.network()?.context("no genesis")?.network;

    // 1. The factor database.
    let factor_db = keys("factor-db")?;
    let report = import_csv(FACTORS_CSV, &ImportOptions::default()).context("demo factor CSV")?;
    let mut batch = Vec::new();
    for (i, (_, record)) in report.records.iter().enumerate() {
        if dev.store.factor(&record.reference)?.is_none() {
            let tx = sign(
                &network,
                &factor_db,
                DEMO_NONCE_BASE + i as u64,
                TxKind::PublishFactor(record.clone()),
            )?;
            batch.push(tanji_ledger::store::Candidate::new(tx));
        }
    }
    if !batch.is_empty() {
        let out = dev.store.append_batch(&batch, Some(&dev.signer))?;
        for (id, r) in out.results {
            if let Err(e) = r {
                bail!("demo factor {id} refused: {e}");
            }
        }
    }
    tracing::info!(
        factors = report.records.len(),
        skipped = report.skipped.len(),
        "demo factor set loaded"
    );

    // 2. The product rule.
    let regulator = keys("regulator")?;
    let rule = parse_rule_toml(RULE)?;
    let rule_ref = rule.reference.clone();
    if dev.store.rule(&rule_ref)?.is_none() {
        submit(
            dev,
            sign(
                &network,
                &regulator,
                DEMO_NONCE_BASE,
                TxKind::PublishRule(rule),
            )?,
        )?;
    }

    // 3. The supply chain, each tier built on the attested ones below it.
    let models_dir = data_dir.join("models");
    let openings_dir = data_dir.join("openings");
    std::fs::create_dir_all(&models_dir)?;
    std::fs::create_dir_all(&openings_dir)?;
    let mut ids: BTreeMap<&str, TxId> = BTreeMap::new();
    for (k, (name, producer, template)) in CHAIN.iter().enumerate() {
        let mut text = template.to_string();
        for (dep, id) in &ids {
            text = text.replace(&format!("{{{{{dep}}}}}"), &id.to_hex());
        }
        if text.contains("{{") {
            bail!("demo model {name} refers to a tier not attested before it");
        }
        std::fs::write(models_dir.join(format!("{name}.toml")), &text)?;
        let model = Model::from_toml(&text).with_context(|| format!("demo model {name}"))?;
        let (mut att, _) = model
            .attestation(&ViewResolver(&dev.store))
            .with_context(|| format!("demo model {name}"))?;
        if model.privacy() == ModelPrivacy::Committed {
            let opening_path = openings_dir.join(format!("{name}.json"));
            let salt = load_or_make_salt(&opening_path)?;
            let amounts = commit_raw_data(&mut att, &salt);
            let opening = serde_json::json!({
                "model": format!("models/{name}.toml"),
                "salt": hex::encode(salt),
                "amounts_micro": amounts,
                "note": "the producer's private opening of its raw-data commitment; give it only to auditors",
            });
            std::fs::write(&opening_path, serde_json::to_vec_pretty(&opening)?)?;
        }
        let org = keys(producer)?;
        let tx = sign(
            &network,
            &org,
            DEMO_NONCE_BASE + k as u64,
            TxKind::AttestFootprint(att),
        )?;
        let id = submit(dev, tx).with_context(|| format!("demo attestation {name}"))?;
        ids.insert(name, id);
    }

    // 4. The certificate.
    let laptop = ids["laptop"];
    let certifier = keys("certifier")?;
    if dev.store.certificate(CERTIFICATE_ID)?.is_none() {
        let fp = dev
            .store
            .footprint(&laptop)?
            .context("laptop attestation")?;
        let rule = dev.store.rule(&rule_ref)?.context("rule")?;
        let cert = Certificate {
            id: CERTIFICATE_ID.to_string(),
            footprint: laptop,
            rule: rule_ref.clone(),
            grade: rule.rule.grade(fp.attestation.results.total_mg),
            valid_from: Date::from_ymd(2026, 1, 1).context("date")?,
            valid_until: Date::from_ymd(2029, 1, 1).context("date")?,
            scope: "GB/T 24067-2024 / ISO 14067:2018 product carbon footprint verification, reasonable assurance (demo)".into(),
        };
        submit(
            dev,
            sign(
                &network,
                &certifier,
                DEMO_NONCE_BASE,
                TxKind::IssueCertificate(cert),
            )?,
        )?;
    }

    let demo = serde_json::json!({
        "laptop": { "footprint": laptop, "certificate": CERTIFICATE_ID },
        "footprints": ids,
        "rule": rule_ref.to_string(),
        "factors": report.records.iter().map(|(_, r)| r.reference.to_string()).collect::<Vec<_>>(),
        "models": "models/",
        "openings": "openings/",
    });
    let tmp = demo_file.with_extension("json.tmp");
    std::fs::write(&tmp, serde_json::to_vec_pretty(&demo)?)?;
    std::fs::rename(&tmp, &demo_file)?;
    tracing::info!(laptop = %laptop, certificate = CERTIFICATE_ID, "demo supply chain loaded");
    Ok(())
}

fn load_or_make_salt(path: &Path) -> Result<[u8; 32]> {
    if let Ok(text) = std::fs::read_to_string(path) {
        let v: serde_json::Value = serde_json::from_str(&text)?;
        let mut salt = [0u8; 32];
        hex::decode_to_slice(v["salt"].as_str().unwrap_or_default(), &mut salt)
            .with_context(|| format!("{}: bad salt", path.display()))?;
        return Ok(salt);
    }
    let secret = tanji_ledger::crypto::SecretKey::generate()?;
    Ok(*secret.seed())
}

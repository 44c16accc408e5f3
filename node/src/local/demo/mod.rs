//! Demo data for `tanji-node dev --demo`: the national demo factor set, a
//! product rule for portable computers, a laptop supply chain of four tiers
//! (grid electricity → aluminium ingot → chassis → laptop, with battery cells
//! and pack, mainboard and a display panel whose activity data is committed),
//! and a certificate for the laptop; then a three-tier chain whose figures
//! are hidden (a low-carbon ingot → a display back cover → a laptop), each
//! tier proved in zero knowledge on its supplier's sealed opening, the last
//! tier's raw data sealed to the certification body.
//!
//! Everything goes through ordinary signed transactions and the same
//! validation as any submission; nodes recompute every public attestation.
//! Transactions use fixed nonces so an interrupted load is completed, not
//! duplicated, by the next start. The filled-in model files are written to
//! `DIR/models/`, the committed display panel's opening to `DIR/openings/`,
//! and the ids to `DIR/demo.json`.
//!
//! The loader ([`load_into`]) writes through a [`DemoLedger`]: either the
//! local store of a dev node ([`StoreLedger`], used by
//! [`DevNetwork::load_demo`](super::dev::DevNetwork::load_demo)) or a running
//! node's HTTP API ([`RemoteLedger`], used by [`load_remote`] and
//! [`register_orgs_remote`]), which keeps an in-memory mirror of the node's
//! log replayed with the ledger's own rules.

pub mod pact;
pub mod remote;

pub use remote::{load_remote, register_orgs_remote, RemoteLedger};

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::{bail, Context as _, Result};
use tanji_authoring::csv_import::{import_csv, ImportOptions};
use tanji_authoring::model::{commit_raw_data, Model, ModelPrivacy};
use tanji_authoring::rule_file::parse_rule_toml;
use tanji_ledger::carbon::{Certificate, Date};
use tanji_ledger::checkpoint::NoteSigner;
use tanji_ledger::keyfile::OrgKeyFile;
use tanji_ledger::sealed::EnvelopeHash;
use tanji_ledger::state::StateView;
use tanji_ledger::store::{Candidate, Store};
use tanji_ledger::tx::{SignedTx, TxBody, TxKind};
use tanji_ledger::validate::ViewResolver;
use tanji_ledger::TxId;

use super::orgs::{load_or_create_org, registration_tx, DEMO_ORGS};

/// The demo factor set (a copy of shared/data/factors-cn-demo.csv, with its sources).
pub const FACTORS_CSV: &str = include_str!("../../../data/factors-cn-demo.csv");
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

/// Where the demo data is written: a ledger the loader can read and append to.
pub trait DemoLedger {
    /// The ledger's current state (as of the last [`DemoLedger::submit_all`]).
    fn view(&self) -> &dyn StateView;

    /// The network's name, from its genesis.
    fn network(&self) -> Result<String> {
        Ok(self
            .view()
            .network()?
            .context("the ledger has no genesis")?
            .network)
    }

    /// Appends `txs` in order and returns their ids once every one is in the
    /// log; those already in the log (an earlier, interrupted load) are
    /// skipped. Fails, naming the transaction, if any is refused. The
    /// transactions of one call must not depend on each other: a remote node
    /// admits each against its committed state.
    fn submit_all(&mut self, txs: Vec<SignedTx>) -> Result<Vec<TxId>>;

    /// Deposits the envelope of a committed disclosure of `footprint` in the
    /// node's private store, as `sender` (the footprint's author).
    fn deposit_envelope(
        &mut self,
        footprint: TxId,
        bytes: &[u8],
        sender: &OrgKeyFile,
    ) -> Result<()>;
}

/// The store of a local dev node: each [`DemoLedger::submit_all`] is one
/// atomic batch, checkpointed with the node's signer.
pub struct StoreLedger<'a> {
    store: &'a Store,
    signer: &'a NoteSigner,
}

impl<'a> StoreLedger<'a> {
    /// Writes into `store`, signing checkpoints with `signer`.
    pub fn new(store: &'a Store, signer: &'a NoteSigner) -> Self {
        Self { store, signer }
    }
}

impl DemoLedger for StoreLedger<'_> {
    fn view(&self) -> &dyn StateView {
        self.store
    }

    fn submit_all(&mut self, txs: Vec<SignedTx>) -> Result<Vec<TxId>> {
        let ids: Vec<TxId> = txs.iter().map(SignedTx::id).collect();
        let mut batch = Vec::new();
        for tx in txs {
            if self.store.tx_index(&tx.id())?.is_none() {
                batch.push(Candidate::new(tx));
            }
        }
        if batch.is_empty() {
            return Ok(ids);
        }
        let out = self.store.append_batch(&batch, Some(self.signer))?;
        for ((id, result), c) in out.results.iter().zip(&batch) {
            if let Err(e) = result {
                bail!("transaction {id} ({}) refused: {e}", c.tx.body.kind.name());
            }
        }
        Ok(ids)
    }

    fn deposit_envelope(&mut self, _: TxId, bytes: &[u8], _: &OrgKeyFile) -> Result<()> {
        self.store
            .put_envelope(&EnvelopeHash::of_bytes(bytes), bytes)?;
        Ok(())
    }
}

/// Submits one transaction (see [`DemoLedger::submit_all`]).
fn submit(ledger: &mut dyn DemoLedger, tx: SignedTx) -> Result<TxId> {
    let id = tx.id();
    ledger.submit_all(vec![tx])?;
    Ok(id)
}

/// Whether `out_dir` already holds a completed load.
fn already_loaded(out_dir: &Path) -> bool {
    out_dir.join("demo.json").exists()
}

/// Registers the demo organisations (key files `keys_dir/<stem>.json`, created
/// if missing) that `ledger` does not know yet, each signed by itself and
/// approved by every one of `approvers` (enough governance members for a quorum).
pub fn register_orgs(
    ledger: &mut dyn DemoLedger,
    keys_dir: &Path,
    approvers: &[OrgKeyFile],
) -> Result<()> {
    std::fs::create_dir_all(keys_dir)
        .with_context(|| format!("creating {}", keys_dir.display()))?;
    let network = ledger.network()?;
    let mut txs = Vec::new();
    for (stem, name, company, roles) in DEMO_ORGS {
        let org = load_or_create_org(keys_dir, stem, name, company, roles)?;
        if ledger.view().org(&org.org_id)?.is_none() {
            txs.push(registration_tx(&network, &org, approvers)?);
        }
    }
    let n = txs.len();
    ledger
        .submit_all(txs)
        .context("registering the demo organisations")?;
    tracing::info!(registered = n, "demo organisations registered");
    Ok(())
}

/// Loads the demo data into `ledger` (once: nothing is done if
/// `out_dir/demo.json` exists), signing with the key files in `keys_dir`, and
/// writes `demo.json`, `models/` and `openings/` into `out_dir`. The demo
/// organisations must be registered.
pub fn load_into(ledger: &mut dyn DemoLedger, keys_dir: &Path, out_dir: &Path) -> Result<()> {
    if already_loaded(out_dir) {
        return Ok(());
    }
    let demo_file = out_dir.join("demo.json");
    let keys = |stem: &str| demo_key(keys_dir, stem);
    let network = ledger.network()?;

    // 1. The factor database.
    let factor_db = keys("factor-db")?;
    let report = import_csv(FACTORS_CSV, &ImportOptions::default()).context("demo factor CSV")?;
    let mut batch = Vec::new();
    for (i, (_, record)) in report.records.iter().enumerate() {
        if ledger.view().factor(&record.reference)?.is_none() {
            batch.push(sign(
                &network,
                &factor_db,
                DEMO_NONCE_BASE + i as u64,
                TxKind::PublishFactor(record.clone()),
            )?);
        }
    }
    ledger.submit_all(batch).context("demo factor set")?;
    tracing::info!(
        factors = report.records.len(),
        skipped = report.skipped.len(),
        "demo factor set loaded"
    );

    // 2. The product rule.
    let regulator = keys("regulator")?;
    let rule = parse_rule_toml(RULE)?;
    let rule_ref = rule.reference.clone();
    if ledger.view().rule(&rule_ref)?.is_none() {
        submit(
            ledger,
            sign(
                &network,
                &regulator,
                DEMO_NONCE_BASE,
                TxKind::PublishRule(rule),
            )?,
        )
        .context("demo product rule")?;
    }

    // 3. The supply chain, each tier built on the attested ones below it.
    let models_dir = out_dir.join("models");
    let openings_dir = out_dir.join("openings");
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
            .attestation(&ViewResolver(ledger.view()))
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
        let id = submit(ledger, tx).with_context(|| format!("demo attestation {name}"))?;
        ids.insert(name, id);
    }

    // 4. The certificate.
    let laptop = ids["laptop"];
    let certifier = keys("certifier")?;
    if ledger.view().certificate(CERTIFICATE_ID)?.is_none() {
        let fp = ledger
            .view()
            .footprint(&laptop)?
            .context("laptop attestation")?;
        let rule = ledger.view().rule(&rule_ref)?.context("rule")?;
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
            ledger,
            sign(
                &network,
                &certifier,
                DEMO_NONCE_BASE,
                TxKind::IssueCertificate(cert),
            )?,
        )
        .context("demo certificate")?;
    }

    // 5. A supply chain whose figures are hidden (privacy level 3).
    let hidden = load_hidden_chain(ledger, &network, keys_dir, &ids, out_dir)?;

    let demo = serde_json::json!({
        "laptop": { "footprint": laptop, "certificate": CERTIFICATE_ID },
        "footprints": ids,
        "hidden": hidden,
        "secrets": "demo-secrets.json",
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

/// The hidden chain, in dependency order: (name, producer, customer the
/// opening is sealed to, model). The last tier's raw data goes to the
/// certification body instead.
const HIDDEN_CHAIN: [(&str, &str, &str, &str); 3] = [
    (
        "hidden-ingot",
        "aluminium",
        "display",
        include_str!("models/hidden-ingot.toml"),
    ),
    (
        "hidden-cover",
        "display",
        "assembler",
        include_str!("models/hidden-cover.toml"),
    ),
    (
        "hidden-laptop",
        "assembler",
        "certifier",
        include_str!("models/hidden-laptop.toml"),
    ),
];

/// Nonces of the hidden chain's transactions (beyond the public chain's).
const HIDDEN_NONCE_BASE: u64 = DEMO_NONCE_BASE + 500;

/// Loads the hidden chain: each tier is built on its supplier's opening with
/// a zero-knowledge proof, its opening sealed to its customer (the last
/// tier's raw data to the certification body), envelopes deposited on the
/// node. Each tier's secrets are written to `out_dir/hidden/<name>.json`
/// before its attestation is submitted (so an interrupted load resumes with
/// them), and all of them to `out_dir/demo-secrets.json`. Returns the ids.
fn load_hidden_chain(
    ledger: &mut dyn DemoLedger,
    network: &str,
    keys_dir: &Path,
    public_ids: &BTreeMap<&str, TxId>,
    out_dir: &Path,
) -> Result<BTreeMap<&'static str, TxId>> {
    use tanji_ledger::carbon::hidden::UpstreamOpenings;
    use tanji_ledger::carbon::{Disclosure, InputSource};
    use tanji_ledger::sealed::{self, EnvelopeBinding, SealedContent};
    use tanji_sdk::privacy::SecretsFile;

    let keys = |stem: &str| demo_key(keys_dir, stem);
    let dir = out_dir.join("hidden");
    std::fs::create_dir_all(&dir)?;
    let mut ids: BTreeMap<&'static str, TxId> = BTreeMap::new();
    let mut secrets = Vec::new();
    let mut report = Vec::new();
    for (k, (name, producer, customer, template)) in HIDDEN_CHAIN.iter().enumerate() {
        let mut text = template.to_string();
        for (dep, id) in public_ids.iter().chain(ids.iter()) {
            text = text.replace(&format!("{{{{{dep}}}}}"), &id.to_hex());
        }
        if text.contains("{{") {
            bail!("demo model {name} refers to a tier not attested before it");
        }
        std::fs::write(out_dir.join("models").join(format!("{name}.toml")), &text)?;
        let model = Model::from_toml(&text).with_context(|| format!("demo model {name}"))?;
        let org = keys(producer)?;
        let nonce = HIDDEN_NONCE_BASE + 2 * k as u64;
        let secrets_path = dir.join(format!("{name}.json"));
        let file = match SecretsFile::read(&secrets_path) {
            Ok(f) if ledger.view().footprint(&f.footprint)?.is_some() => f,
            _ => {
                let mut openings = UpstreamOpenings::new();
                for input in model.inputs() {
                    if let InputSource::Upstream(id) = &input.source {
                        if let Some(f) = secrets.iter().find(|f: &&SecretsFile| f.footprint == *id)
                        {
                            openings.insert(*id, f.opening()?);
                        }
                    }
                }
                let build = model
                    .hidden_attestation(
                        network,
                        org.org_id,
                        &ViewResolver(ledger.view()),
                        &openings,
                        false,
                    )
                    .with_context(|| format!("demo hidden attestation {name}"))?;
                let tx = sign(
                    network,
                    &org,
                    nonce,
                    TxKind::AttestFootprint(build.attestation.clone()),
                )?;
                let file = SecretsFile::new(tx.id(), network, org.org_id, &build);
                let _ = std::fs::remove_file(&secrets_path);
                file.write(&secrets_path)?;
                submit(ledger, tx).with_context(|| format!("demo hidden attestation {name}"))?;
                file
            }
        };
        let id = file.footprint;
        ids.insert(name, id);

        // Seal: the opening to the customer, or (last tier) the raw data to the certifier.
        let recipient = keys(customer)?;
        let content = if k + 1 == HIDDEN_CHAIN.len() {
            let mut raw = file
                .raw_data()?
                .context("the demo secrets keep the raw data")?;
            raw.model = Some(text.clone());
            SealedContent::RawData(raw)
        } else {
            SealedContent::Opening(file.opening()?)
        };
        let purpose = content.purpose();
        let fp = ledger.view().footprint(&id)?.context("hidden footprint")?;
        let recorded = fp.disclosures.iter().find(|d| {
            d.disclosure.recipient == recipient.org_id && d.disclosure.purpose == purpose
        });
        // The envelope is kept beside the secrets until deposited, so an
        // interrupted load deposits the one its disclosure recorded.
        let envelope_path = dir.join(format!("{name}.envelope"));
        let envelope = match recorded {
            Some(d) => {
                if let Ok(bytes) = std::fs::read(&envelope_path) {
                    if EnvelopeHash::of_bytes(&bytes) == d.disclosure.envelope {
                        ledger.deposit_envelope(id, &bytes, &org)?;
                    }
                }
                d.disclosure.envelope
            }
            None => {
                let binding = EnvelopeBinding {
                    network: network.to_string(),
                    footprint: id,
                    sender: org.org_id,
                    recipient: recipient.org_id,
                    purpose,
                };
                let envelope = sealed::seal(&recipient.encryption_key, &binding, &content)
                    .with_context(|| format!("sealing {name} to {customer}"))?;
                let bytes = envelope.to_bytes();
                let hash = envelope.hash();
                std::fs::write(&envelope_path, &bytes)?;
                let tx = sign(
                    network,
                    &org,
                    nonce + 1,
                    TxKind::Disclose(Disclosure {
                        footprint: id,
                        recipient: recipient.org_id,
                        purpose,
                        envelope: hash,
                        size: u32::try_from(bytes.len()).context("envelope size")?,
                    }),
                )?;
                submit(ledger, tx).with_context(|| format!("demo disclosure of {name}"))?;
                ledger.deposit_envelope(id, &bytes, &org)?;
                hash
            }
        };
        report.push(serde_json::json!({
            "name": name,
            "footprint": id,
            "producer": producer,
            "author": file.author,
            "values_mg": file.values_mg,
            "total_mg": file.values_mg.iter().sum::<i64>(),
            "opening": file.opening,
            "sealed_to": customer,
            "sealed": purpose.as_str(),
            "envelope": envelope,
            "secrets_file": format!("hidden/{name}.json"),
        }));
        secrets.push(file);
    }
    let doc = serde_json::json!({
        "note": "the hidden demo chain's secrets: every value and opening the ledger does not show. Only their producers (and whoever they sealed them to) know them; the tests search the observer's store, logs and HTTP answers for these values.",
        "chain": report,
    });
    std::fs::write(
        out_dir.join("demo-secrets.json"),
        serde_json::to_vec_pretty(&doc)?,
    )?;
    tracing::info!(laptop = %ids["hidden-laptop"], "demo hidden chain loaded");
    Ok(ids)
}

/// A demo organisation's key file, `keys_dir/<stem>.json`.
fn demo_key(keys_dir: &Path, stem: &str) -> Result<OrgKeyFile> {
    let path = keys_dir.join(format!("{stem}.json"));
    OrgKeyFile::load(&path).with_context(|| format!("demo key {}", path.display()))
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

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use tanji_ledger::store::Store;

    use super::remote::Mirror;
    use super::*;
    use crate::local::dev;

    const NETWORK: &str = "dev.tanji.local";

    /// The remote path without the HTTP: transactions are checked against the
    /// mirror exactly as [`RemoteLedger`] does, then replayed into it as the
    /// next log entries (as they come back from the node's log).
    struct MirrorLedger(Mirror);

    impl DemoLedger for MirrorLedger {
        fn view(&self) -> &dyn StateView {
            self.0.state()
        }
        fn submit_all(&mut self, txs: Vec<SignedTx>) -> Result<Vec<TxId>> {
            let ids = txs.iter().map(SignedTx::id).collect();
            let todo: Vec<SignedTx> = txs
                .into_iter()
                .filter(|tx| !self.0.contains(&tx.id()))
                .collect();
            self.0.precheck(&todo)?;
            for tx in todo {
                let index = self.0.size();
                self.0.apply_entry(index, &tx.encode())?;
            }
            Ok(ids)
        }
        fn deposit_envelope(&mut self, _: TxId, _: &[u8], _: &OrgKeyFile) -> Result<()> {
            Ok(())
        }
    }

    /// The store's whole log replayed into a mirror, as [`RemoteLedger`] does
    /// with the pages it fetches.
    fn mirror_of(store: &Store) -> Mirror {
        let mut mirror = Mirror::default();
        for (index, bytes) in store.entries(0, store.head().size).unwrap() {
            mirror.apply_entry(index, &bytes).unwrap();
        }
        mirror
    }

    fn demo_json(dir: &Path) -> serde_json::Value {
        serde_json::from_slice(&std::fs::read(dir.join("demo.json")).unwrap()).unwrap()
    }

    fn footprint_ids(demo: &serde_json::Value) -> Vec<TxId> {
        let ids: Vec<TxId> = demo["footprints"]
            .as_object()
            .unwrap()
            .values()
            .map(|v| v.as_str().unwrap().parse().unwrap())
            .collect();
        assert_eq!(ids.len(), CHAIN.len());
        ids
    }

    /// Every demo record reads the same in `a` and `b`.
    fn assert_same_demo_records(a: &dyn StateView, b: &dyn StateView, demo: &serde_json::Value) {
        for id in footprint_ids(demo) {
            let fa = a.footprint(&id).unwrap();
            assert!(fa.is_some(), "footprint {id} missing");
            assert_eq!(fa, b.footprint(&id).unwrap(), "footprint {id}");
        }
        for r in demo["factors"].as_array().unwrap() {
            let r = r.as_str().unwrap().parse().unwrap();
            assert_eq!(a.factor(&r).unwrap(), b.factor(&r).unwrap());
        }
        let rule = demo["rule"].as_str().unwrap().parse().unwrap();
        assert_eq!(a.rule(&rule).unwrap(), b.rule(&rule).unwrap());
        let cert = a.certificate(CERTIFICATE_ID).unwrap();
        assert!(cert.is_some());
        assert_eq!(cert, b.certificate(CERTIFICATE_ID).unwrap());
    }

    #[test]
    fn mirror_load_computes_what_the_store_load_does() {
        let dir = tempfile::tempdir().unwrap();
        let dev = dev::bootstrap(dir.path(), NETWORK, false, false).unwrap();
        register_orgs(&mut dev.ledger(), &dev.keys_dir, &dev.founders).unwrap();
        let mut mirror = MirrorLedger(mirror_of(&dev.store));
        let before = mirror.0.size();

        let store_out = dir.path().join("store-out");
        load_into(&mut dev.ledger(), &dev.keys_dir, &store_out).unwrap();
        // The committed tier's salt is random: give the mirror load the same one.
        let mirror_out = dir.path().join("mirror-out");
        std::fs::create_dir_all(mirror_out.join("openings")).unwrap();
        std::fs::copy(
            store_out.join("openings/display.json"),
            mirror_out.join("openings/display.json"),
        )
        .unwrap();
        load_into(&mut mirror, &dev.keys_dir, &mirror_out).unwrap();

        // The same transactions, in the same order, with the same ids; but
        // hidden attestations are randomised (blindings, proofs, envelopes):
        // each load's hidden chain verifies on its own ledger.
        let (mut store_demo, mut mirror_demo) = (demo_json(&store_out), demo_json(&mirror_out));
        for (demo, view) in [
            (&mut store_demo, &dev.store as &dyn StateView),
            (&mut mirror_demo, mirror.0.state() as &dyn StateView),
        ] {
            let hidden = demo
                .as_object_mut()
                .and_then(|o| o.remove("hidden"))
                .unwrap();
            let laptop: TxId = hidden["hidden-laptop"].as_str().unwrap().parse().unwrap();
            let report =
                tanji_ledger::carbon::tree::verify_tree(laptop, &ViewResolver(view), NETWORK);
            assert!(report.verified, "{:?}", report.problems);
            assert_eq!(report.proofs_checked, 3);
        }
        assert_eq!(store_demo, mirror_demo);
        assert_eq!(mirror.0.size(), dev.store.head().size);
        assert!(mirror.0.size() > before + CHAIN.len() as u64);
        for (name, _, _) in CHAIN {
            let file = format!("models/{name}.toml");
            assert_eq!(
                std::fs::read(store_out.join(&file)).unwrap(),
                std::fs::read(mirror_out.join(&file)).unwrap(),
                "{file}"
            );
        }
        let demo = demo_json(&store_out);
        assert_same_demo_records(&dev.store, mirror.view(), &demo);
        // Replaying the store's log gives the same records too.
        let replayed = mirror_of(&dev.store);
        assert_same_demo_records(&dev.store, replayed.state(), &demo);
    }

    #[test]
    fn an_interrupted_store_load_is_completed_not_duplicated() {
        let dir = tempfile::tempdir().unwrap();
        let dev = dev::bootstrap(dir.path(), NETWORK, true, false).unwrap();
        let size = dev.store.head().size;
        let first = demo_json(dir.path());
        for sub in ["models", "openings"] {
            assert!(dir.path().join(sub).is_dir());
        }
        assert!(dir.path().join("openings/display.json").is_file());
        std::fs::remove_file(dir.path().join("demo.json")).unwrap();
        dev.load_demo(dir.path()).unwrap();
        assert_eq!(dev.store.head().size, size);
        assert_eq!(demo_json(dir.path()), first);
        // Registering again changes nothing either.
        register_orgs(&mut dev.ledger(), &dev.keys_dir, &dev.founders).unwrap();
        assert_eq!(dev.store.head().size, size);
    }

    #[test]
    fn a_bad_transaction_is_refused_by_the_mirror_before_it_is_sent() {
        let dir = tempfile::tempdir().unwrap();
        let dev = dev::bootstrap(dir.path(), NETWORK, false, false).unwrap();
        let mut mirror = MirrorLedger(mirror_of(&dev.store));
        let size = mirror.0.size();
        let regulator = &dev.founders[0];
        let rule = parse_rule_toml(RULE).unwrap();
        let good = sign(NETWORK, regulator, 7, TxKind::PublishRule(rule.clone())).unwrap();
        let bad = sign("other.tanji.local", regulator, 8, TxKind::PublishRule(rule)).unwrap();
        let err = mirror
            .submit_all(vec![good, bad.clone()])
            .unwrap_err()
            .to_string();
        assert!(err.contains(&bad.id().to_hex()), "{err}");
        assert!(err.contains("would be refused"), "{err}");
        assert_eq!(mirror.0.size(), size, "nothing is applied");
    }

    /// The whole remote path against a node served in-process (solo ordering,
    /// the real HTTP API): registration, load, and a resumed load.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn remote_load_through_the_http_api() {
        use tanji_api::{ApiState, Metrics};

        use crate::ordering::solo::{SoloConfig, SoloEngine};
        use crate::service::Node;
        use crate::tracker::TxTracker;

        let dir = tempfile::tempdir().unwrap();
        let dev = dev::bootstrap(dir.path(), NETWORK, false, false).unwrap();
        let founders = dev.founders.clone();
        let keys_dir = dev.keys_dir.clone();
        let store = Arc::new(dev.store);
        let metrics = Arc::new(Metrics::new());
        let tracker = Arc::new(TxTracker::default());
        let (engine, sequencer) = SoloEngine::start(
            store.clone(),
            dev.signer,
            tracker.clone(),
            metrics.clone(),
            SoloConfig::default(),
        )
        .unwrap();
        let node = Arc::new(Node::new(store.clone(), engine, tracker));
        let state = ApiState {
            store: store.clone(),
            node,
            metrics,
            pact_url: Default::default(),
        };
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let server =
            tokio::spawn(async move { axum::serve(listener, tanji_api::router(state)).await });

        register_orgs_remote(&url, &keys_dir, &founders)
            .await
            .unwrap();
        let out = dir.path().join("remote-out");
        load_remote(&url, &keys_dir, &out).await.unwrap();

        let demo = demo_json(&out);
        let replayed = mirror_of(&store);
        assert_same_demo_records(store.as_ref(), replayed.state(), &demo);
        for (name, _, _) in CHAIN {
            assert!(out.join(format!("models/{name}.toml")).is_file());
        }
        assert!(out.join("openings/display.json").is_file());

        // Interrupted after the last transaction: the next load sends nothing new.
        let size = store.head().size;
        std::fs::remove_file(out.join("demo.json")).unwrap();
        load_remote(&url, &keys_dir, &out).await.unwrap();
        register_orgs_remote(&url, &keys_dir, &founders)
            .await
            .unwrap();
        assert_eq!(store.head().size, size);
        assert_eq!(demo_json(&out), demo);

        // Close the database before the test (and its folder) ends: the
        // server owns the engine, whose end stops the sequencer thread.
        server.abort();
        let _ = server.await;
        sequencer.join().expect("the sequencer thread ends cleanly");
        assert_eq!(
            Arc::strong_count(&store),
            1,
            "the store is closed with the test"
        );
    }
}

//! A development network on one node: genesis, keys and demo organisations.
//!
//! `tanji-node dev` makes a data folder self-contained: on first start it
//! generates a regulator, a platform operator (validator) and the node's key,
//! writes the organisations' key files under `DIR/keys/` (so the CLI and
//! scripts can sign as them), and appends a genesis signed by both. With
//! `--demo` it also registers a few organisations of a laptop supply chain,
//! each approved by the governance quorum. Later starts reuse what is there;
//! registration is idempotent, so an interrupted first start is completed by
//! the next one.

use std::path::{Path, PathBuf};

use anyhow::{bail, Context as _, Result};
use tanji_ledger::checkpoint::NoteSigner;
use tanji_ledger::keyfile::OrgKeyFile;
use tanji_ledger::state::StateView;
use tanji_ledger::store::{Candidate, Store};
use tanji_ledger::tx::{Genesis, Role, SignedTx, TxBody, TxKind, ValidatorNode};

use super::demo::{self, StoreLedger};
use super::orgs::{load_or_create_node_key, load_or_create_org, registration_tx, DEMO_ORGS};

/// File names inside a data folder.
pub const KEYS_DIR: &str = "keys";
/// The node's key file.
pub const NODE_KEY_FILE: &str = "node-key.json";
/// The store's folder.
pub const DB_DIR: &str = "db";
/// Written once the HTTP server listens.
pub const NODE_INFO_FILE: &str = "node.json";

/// The dev network's founding organisations (file stem, name, company id, roles).
const FOUNDERS: [(&str, &str, &str, &[Role]); 2] = [
    (
        "regulator",
        "北京市生态环境局 Beijing Municipal Ecology and Environment Bureau (dev)",
        "urn:uscc:11110000000021143Y",
        &[Role::Regulator],
    ),
    (
        "operator",
        "碳迹平台运营方 Tanji Platform Operator (dev)",
        "urn:uscc:91110108MA00TANJI0",
        &[Role::Validator],
    ),
];

/// A bootstrapped dev data folder.
pub struct DevNetwork {
    /// The store.
    pub store: Store,
    /// The node's checkpoint signer.
    pub signer: NoteSigner,
    /// Key files of the governance organisations (regulator, operator).
    pub founders: Vec<OrgKeyFile>,
    /// Where key files are.
    pub keys_dir: PathBuf,
}

/// Opens (creating on first start) a dev network in `data_dir`.
pub fn bootstrap(data_dir: &Path, network: &str, demo: bool, fsync: bool) -> Result<DevNetwork> {
    let keys_dir = data_dir.join(KEYS_DIR);
    std::fs::create_dir_all(&keys_dir)
        .with_context(|| format!("creating {}", keys_dir.display()))?;
    let node_key = load_or_create_node_key(&data_dir.join(NODE_KEY_FILE), "validator-0")?;
    let signer = NoteSigner {
        name: node_key.name.clone(),
        key: node_key.secret()?,
    };
    let founders = FOUNDERS
        .iter()
        .map(|(stem, name, company, r)| load_or_create_org(&keys_dir, stem, name, company, r))
        .collect::<Result<Vec<_>>>()?;
    let store = Store::open(&data_dir.join(DB_DIR), fsync)
        .with_context(|| format!("opening the store in {}", data_dir.display()))?;

    match store.network()? {
        Some(info) if info.network != network => bail!(
            "{} holds network {:?}, not {network:?}; use another --data-dir or --network {:?}",
            data_dir.display(),
            info.network,
            info.network
        ),
        Some(_) => {}
        None => {
            let operator = &founders[1];
            let genesis = Genesis {
                orgs: founders.iter().map(|f| f.record()).collect(),
                validators: vec![ValidatorNode {
                    operator: operator.org_id,
                    name: node_key.name.clone(),
                    key: node_key.signing_key,
                }],
            };
            let body = TxBody {
                network: network.to_string(),
                author: founders[0].org_id,
                nonce: 0,
                kind: TxKind::Genesis(genesis),
            };
            let keys: Vec<_> = founders
                .iter()
                .map(|f| Ok((f.org_id, f.signing_key()?)))
                .collect::<Result<_>>()?;
            let signers: Vec<_> = keys.iter().map(|(id, k)| (*id, k)).collect();
            append_one(&store, &signer, SignedTx::sign(body, &signers))?;
            tracing::info!(network, "genesis written");
        }
    }

    let dev = DevNetwork {
        store,
        signer,
        founders,
        keys_dir,
    };
    if demo {
        for (stem, name, company, r) in DEMO_ORGS {
            let kf = load_or_create_org(&dev.keys_dir, stem, name, company, r)?;
            dev.register(&kf)?;
        }
        dev.load_demo(data_dir).context("loading the demo data")?;
    }
    Ok(dev)
}

impl DevNetwork {
    /// The node's store as a [`demo::DemoLedger`]: each submission is one
    /// atomic batch checkpointed with the node's signer.
    pub fn ledger(&self) -> StoreLedger<'_> {
        StoreLedger::new(&self.store, &self.signer)
    }

    /// Loads the demo data into the store (once: nothing is done if
    /// `data_dir/demo.json` exists), writing the demo files into `data_dir`.
    pub fn load_demo(&self, data_dir: &Path) -> Result<()> {
        demo::load_into(&mut self.ledger(), &self.keys_dir, data_dir)
    }

    /// Registers an organisation with the founders' approvals, unless it is already registered.
    pub fn register(&self, org: &OrgKeyFile) -> Result<()> {
        if self.store.org(&org.org_id)?.is_some() {
            return Ok(());
        }
        let network = self
            .store
            .network()?
            .context("the store has no genesis")?
            .network;
        let tx = registration_tx(&network, org, &self.founders)?;
        append_one(&self.store, &self.signer, tx)?;
        tracing::info!(org = %org.org_id, name = %org.name, "registered demo organisation");
        Ok(())
    }
}

/// Appends one transaction, failing if it is refused.
pub fn append_one(store: &Store, signer: &NoteSigner, tx: SignedTx) -> Result<()> {
    let outcome = store.append_batch(&[Candidate::new(tx)], Some(signer))?;
    for (id, result) in outcome.results {
        if let Err(e) = result {
            bail!("transaction {id} refused: {e}");
        }
    }
    Ok(())
}

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
use tanji_ledger::keyfile::{NodeKeyFile, OrgKeyFile};
use tanji_ledger::state::StateView;
use tanji_ledger::store::{Candidate, Store};
use tanji_ledger::tx::{Genesis, Role, Roles, SignedTx, TxBody, TxKind, ValidatorNode};

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

/// Demo organisations of a laptop supply chain (file stem, name, company id, roles).
/// Company ids are fictitious but shaped like unified social credit codes.
pub(crate) const DEMO_ORGS: [(&str, &str, &str, &[Role]); 8] = [
    (
        "aluminium",
        "华北铝业有限公司 North China Aluminium Co. (demo)",
        "urn:uscc:91130100MA0DEMO001",
        &[Role::Supplier],
    ),
    (
        "cells",
        "渝新电芯科技有限公司 Yuxin Battery Cells Co. (demo)",
        "urn:uscc:91500000MA0DEMO002",
        &[Role::Supplier],
    ),
    (
        "assembler",
        "京华电脑有限公司 Jinghua Computers Co. (demo)",
        "urn:uscc:91110108MA0DEMO003",
        &[Role::Supplier],
    ),
    (
        "certifier",
        "中环认证中心 China Environmental Certification Centre (demo)",
        "urn:uscc:12100000MA0DEMO004",
        &[Role::Verifier],
    ),
    (
        "factor-db",
        "国家产品碳足迹因子库 National PCF Factor Database (demo)",
        "urn:uscc:12100000MA0DEMO005",
        &[Role::FactorPublisher],
    ),
    (
        "mainboard",
        "深圳华芯主板有限公司 Shenzhen Huaxin Mainboards Co. (demo)",
        "urn:uscc:91440300MA0DEMO007",
        &[Role::Supplier],
    ),
    (
        "display",
        "京显光电科技有限公司 Jingxian Display Technology Co. (demo)",
        "urn:uscc:91110302MA0DEMO008",
        &[Role::Supplier],
    ),
    (
        "grid-power",
        "华北电网售电公司 North China Grid Power Sales (demo)",
        "urn:uscc:91110000MA0DEMO006",
        &[Role::Supplier],
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

fn roles(r: &[Role]) -> Roles {
    r.iter().copied().collect()
}

/// Loads `keys_dir/<stem>.json`, or generates and saves a new key file there.
pub(crate) fn load_or_create_org(
    keys_dir: &Path,
    stem: &str,
    name: &str,
    company: &str,
    r: &[Role],
) -> Result<OrgKeyFile> {
    let path = keys_dir.join(format!("{stem}.json"));
    if path.exists() {
        return OrgKeyFile::load(&path).with_context(|| format!("loading {}", path.display()));
    }
    let kf = OrgKeyFile::generate(name, company, roles(r))?;
    kf.save(&path)?;
    Ok(kf)
}

/// Loads the node key at `path`, generating one named `name` on first start.
pub(crate) fn load_or_create_node_key(path: &Path, name: &str) -> Result<NodeKeyFile> {
    if path.exists() {
        return NodeKeyFile::load(path).with_context(|| format!("loading {}", path.display()));
    }
    let k = NodeKeyFile::generate(name)?;
    k.save(path)?;
    Ok(k)
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
        crate::demo::load(&dev, data_dir).context("loading the demo data")?;
    }
    Ok(dev)
}

impl DevNetwork {
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

/// `org`'s registration, signed by `org` and approved by each of `approvers`
/// (the governance members whose quorum admits it).
pub(crate) fn registration_tx(
    network: &str,
    org: &OrgKeyFile,
    approvers: &[OrgKeyFile],
) -> Result<SignedTx> {
    let body = TxBody {
        network: network.to_string(),
        author: org.org_id,
        nonce: 0,
        kind: TxKind::RegisterOrg(org.record()),
    };
    let own = org.signing_key()?;
    let mut tx = SignedTx::sign(body, &[(org.org_id, &own)]);
    for f in approvers {
        tx.approve(f.org_id, &f.signing_key()?);
    }
    Ok(tx)
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

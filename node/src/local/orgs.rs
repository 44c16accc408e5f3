//! Organisations and node keys of local networks, shared by [`super::dev`],
//! [`super::devnet`] and [`super::demo`]: the demo organisations of the
//! laptop supply chain, loading (or creating on first start) their key
//! files, and the governance-approved registration transaction.
//!
//! Key files live as `keys_dir/<stem>.json`; an existing file is always
//! reused, so a folder keeps its identities across restarts.

use std::path::Path;

use anyhow::{Context as _, Result};
use tanji_ledger::keyfile::{NodeKeyFile, OrgKeyFile};
use tanji_ledger::tx::{Role, Roles, SignedTx, TxBody, TxKind};

/// Demo organisations of a laptop supply chain (file stem, name, company id, roles).
/// Company ids are fictitious but shaped like unified social credit codes.
pub const DEMO_ORGS: [(&str, &str, &str, &[Role]); 9] = [
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
    // A customer of the laptop maker that reads footprints over PACT.
    (
        super::demo::pact::PARTNER,
        "上海绿链电子商贸有限公司 Shanghai Greenchain Electronics Trading Co. (demo PACT partner)",
        "urn:uscc:91310000MA0DEMO009",
        &[Role::Supplier],
    ),
];

fn roles(r: &[Role]) -> Roles {
    r.iter().copied().collect()
}

/// Loads `keys_dir/<stem>.json`, or generates and saves a new key file there.
pub fn load_or_create_org(
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
pub fn load_or_create_node_key(path: &Path, name: &str) -> Result<NodeKeyFile> {
    if path.exists() {
        return NodeKeyFile::load(path).with_context(|| format!("loading {}", path.display()));
    }
    let k = NodeKeyFile::generate(name)?;
    k.save(path)?;
    Ok(k)
}

/// `org`'s registration, signed by `org` and approved by each of `approvers`
/// (the governance members whose quorum admits it).
pub fn registration_tx(
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

//! Supply-chain trees: collecting an attestation with everything upstream of
//! it, and verifying the whole tree by recomputation.
//!
//! [`TreeData`] is the self-contained set of records a tree needs (every
//! attestation reachable through upstream inputs, every factor and rule they
//! use). A node collects it from its state; the SDK receives it as JSON and
//! runs [`verify_tree`] itself, with the same code the nodes run when they
//! accept an attestation.

use std::collections::{BTreeMap, HashSet};

use serde::{Deserialize, Serialize};

use super::compute::{self, Resolver};
use super::hidden;
use super::{
    FactorState, FootprintState, InputSource, Privacy, RecordRef, RecordStatus, RuleState,
};
use crate::ids::TxId;

/// Most attestations one tree may hold (bounds work on untrusted data).
pub const MAX_TREE_NODES: usize = 10_000;

/// Every record a supply-chain tree needs.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub struct TreeData {
    /// The network's name (hidden attestations' proofs are bound to it).
    #[serde(default)]
    pub network: String,
    /// The attestation at the root.
    pub root: Option<TxId>,
    /// Attestations by id.
    pub footprints: BTreeMap<TxId, FootprintState>,
    /// Factor versions by `id@version`.
    pub factors: BTreeMap<RecordRef, FactorState>,
    /// Rule versions by `id@version`.
    pub rules: BTreeMap<RecordRef, RuleState>,
}

/// Collecting a tree failed.
#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
pub enum TreeError {
    /// The root attestation does not exist.
    #[error("unknown footprint {0}")]
    UnknownRoot(TxId),
    /// The tree is larger than [`MAX_TREE_NODES`].
    #[error("the supply-chain tree has more than {MAX_TREE_NODES} attestations")]
    TooLarge,
    /// Reading the ledger failed.
    #[error("{0}")]
    Source(String),
}

impl TreeData {
    /// Collects the tree under `root` from `resolver`. Missing upstream records are
    /// left out (verification then reports them as unknown).
    pub fn collect(root: TxId, resolver: &dyn Resolver, network: &str) -> Result<Self, TreeError> {
        let mut data = TreeData {
            network: network.to_string(),
            root: Some(root),
            ..Default::default()
        };
        let mut stack = vec![root];
        let mut seen = HashSet::new();
        while let Some(id) = stack.pop() {
            if !seen.insert(id) {
                continue;
            }
            if seen.len() > MAX_TREE_NODES {
                return Err(TreeError::TooLarge);
            }
            let Some(fp) = resolver.footprint(&id).map_err(TreeError::Source)? else {
                if id == root {
                    return Err(TreeError::UnknownRoot(root));
                }
                continue;
            };
            if let Some(r) = &fp.attestation.rule {
                if let Some(rule) = resolver.rule(r).map_err(TreeError::Source)? {
                    data.rules.insert(r.clone(), rule);
                }
            }
            for input in &fp.attestation.inputs {
                match &input.source {
                    InputSource::Factor(r) => {
                        if let Some(f) = resolver.factor(r).map_err(TreeError::Source)? {
                            data.factors.insert(r.clone(), f);
                        }
                    }
                    InputSource::Upstream(up) => stack.push(*up),
                }
            }
            data.footprints.insert(id, fp);
        }
        Ok(data)
    }
}

impl Resolver for TreeData {
    fn factor(&self, r: &RecordRef) -> Result<Option<FactorState>, String> {
        Ok(self.factors.get(r).cloned())
    }
    fn footprint(&self, id: &TxId) -> Result<Option<FootprintState>, String> {
        Ok(self.footprints.get(id).cloned())
    }
    fn rule(&self, r: &RecordRef) -> Result<Option<RuleState>, String> {
        Ok(self.rules.get(r).cloned())
    }
}

/// One check made on a node of the tree.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub struct CheckResult {
    /// What was checked.
    pub check: String,
    /// Whether it held.
    pub ok: bool,
    /// Details (the reason when it failed).
    pub detail: String,
}

/// The verification of one attestation of the tree.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub struct NodeReport {
    /// Attestation id.
    pub id: TxId,
    /// Depth in the tree (0 = root).
    pub depth: usize,
    /// Product name.
    pub product: String,
    /// Author org id.
    pub author: String,
    /// Status word: active, deprecated, revoked, unknown.
    pub status: String,
    /// Privacy level.
    pub privacy: String,
    /// Total, mg CO2e per declared unit (as attested; 0 when hidden).
    pub total_mg: i64,
    /// The figures are hidden (committed, not published).
    #[serde(default)]
    pub figures_hidden: bool,
    /// Declared by another party (a declared leaf): by whom and in what.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub declared: Option<String>,
    /// Declared unit.
    pub declared_unit: String,
    /// Every check made.
    pub checks: Vec<CheckResult>,
    /// All checks held.
    pub verified: bool,
}

/// The verification of a whole tree.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub struct TreeReport {
    /// The root attestation.
    pub footprint: TxId,
    /// Every node verified.
    pub verified: bool,
    /// Nodes in pre-order (root first), each attestation once per path.
    pub nodes: Vec<NodeReport>,
    /// Why the tree does not verify (one line per failed check).
    pub problems: Vec<String>,
    /// Zero-knowledge proofs of hidden attestations checked, and found valid.
    #[serde(default)]
    pub proofs_checked: usize,
}

fn check(checks: &mut Vec<CheckResult>, name: &str, ok: bool, detail: impl Into<String>) {
    checks.push(CheckResult {
        check: name.to_string(),
        ok,
        detail: detail.into(),
    });
}

/// The name of the check that reports a declared leaf.
pub const DECLARED_CHECK: &str = "declared";

/// How a declared footprint is reported: who stated it, in what document,
/// and whether a ledger proof in that document verified on import.
pub fn declared_leaf(d: &super::DeclaredFootprint) -> String {
    let mut s = format!(
        "declared by {} in {} document {} (BLAKE3 {}), not recomputable",
        d.issuer,
        d.format,
        d.document_id,
        hex::encode(d.document_hash)
    );
    if let Some(p) = &d.proof {
        s.push_str(&format!(
            "; verified by the PACT extension: attestation {} in the cosigned log of network {} (size {}), validators {}",
            p.footprint,
            p.network,
            p.tree_size,
            if p.validators_pinned { "pinned by the importer" } else { "as named in the document" }
        ));
    }
    s
}

/// The name of the check of a hidden attestation's proof.
pub const PROOF_CHECK: &str = "zero-knowledge proof";

/// Verifies one attestation of `network` against `resolver`: its status,
/// every input's status and units, and its numbers: recomputed for public
/// attestations, the zero-knowledge proof checked for hidden ones.
pub fn verify_node(
    fp: &FootprintState,
    resolver: &dyn Resolver,
    network: &str,
) -> Vec<CheckResult> {
    let mut checks = Vec::new();
    let att = &fp.attestation;
    match &fp.status {
        RecordStatus::Active => check(&mut checks, "status", true, "active"),
        RecordStatus::Deprecated { by, .. } => check(
            &mut checks,
            "status",
            false,
            format!("deprecated, superseded by {by}"),
        ),
        RecordStatus::Revoked { reason, .. } => {
            check(&mut checks, "status", false, format!("revoked: {reason}"))
        }
    }
    match compute::check_form(att) {
        Ok(()) => check(&mut checks, "form", true, "fields within limits"),
        Err(e) => check(&mut checks, "form", false, e.to_string()),
    }
    let sum = att.results.categories.total();
    let hidden_figures = matches!(&att.privacy, Privacy::Hidden(h) if h.published.is_none());
    check(
        &mut checks,
        "total",
        sum == att.results.total_mg,
        if hidden_figures {
            "figures hidden (committed per category; the proof below binds them)".to_string()
        } else {
            format!(
                "sum of categories {sum} mg, total {} mg",
                att.results.total_mg
            )
        },
    );
    // Inputs deprecated or revoked since the attestation was accepted are reported
    // as failed checks, and the numbers are still recomputed.
    match compute::evaluate_with(att, resolver, compute::StatusPolicy::Report) {
        Ok(eval) => {
            for input in &eval.checked {
                let what = match &input.source {
                    InputSource::Factor(r) => format!("input #{} factor {r}", input.index + 1),
                    InputSource::Upstream(id) => {
                        format!("input #{} footprint {id}", input.index + 1)
                    }
                };
                check(
                    &mut checks,
                    &what,
                    input.status == "active",
                    format!("{} ({}) {}", input.status, input.unit, input.note),
                );
            }
            match (&att.privacy, eval.computed) {
                (Privacy::Public, Some(computed)) => match compute::check_results(att, &computed) {
                    Ok(()) => check(
                        &mut checks,
                        "recomputation",
                        true,
                        format!("{} mg per {} recomputed exactly", att.results.total_mg, att.declared_unit),
                    ),
                    Err(e) => check(&mut checks, "recomputation", false, e.to_string()),
                },
                (Privacy::Public, None) => {
                    check(&mut checks, "recomputation", false, "public attestation without amounts")
                }
                (Privacy::Hidden(_), _) => match hidden::verify_hidden(
                    network,
                    fp.author,
                    att,
                    resolver,
                    compute::StatusPolicy::Report,
                ) {
                    Ok(v) => check(&mut checks, PROOF_CHECK, true, v.describe()),
                    Err(e) => check(&mut checks, PROOF_CHECK, false, e.to_string()),
                },
                (Privacy::Declared(d), _) => check(
                    &mut checks,
                    DECLARED_CHECK,
                    true,
                    declared_leaf(d),
                ),
                (Privacy::Committed { commitment }, _) => check(
                    &mut checks,
                    "recomputation",
                    true,
                    format!(
                        "not recomputable from the ledger: activity data is committed ({}); an auditor holding it can check it",
                        hex::encode(commitment)
                    ),
                ),
            }
        }
        Err(e) => check(&mut checks, "inputs", false, e.to_string()),
    }
    checks
}

/// Verifies the tree under `root`, visiting every attestation reachable
/// through upstream inputs (each once).
pub fn verify_tree(root: TxId, resolver: &dyn Resolver, network: &str) -> TreeReport {
    let mut nodes = Vec::new();
    let mut problems = Vec::new();
    let mut seen = HashSet::new();
    let mut proofs_checked = 0;
    let mut stack = vec![(root, 0usize)];
    while let Some((id, depth)) = stack.pop() {
        if !seen.insert(id) || nodes.len() >= MAX_TREE_NODES {
            continue;
        }
        let fp = match resolver.footprint(&id) {
            Ok(Some(fp)) => fp,
            Ok(None) | Err(_) => {
                problems.push(format!("footprint {id}: unknown"));
                nodes.push(NodeReport {
                    id,
                    depth,
                    product: String::new(),
                    author: String::new(),
                    status: "unknown".into(),
                    privacy: String::new(),
                    total_mg: 0,
                    figures_hidden: false,
                    declared: None,
                    declared_unit: String::new(),
                    checks: vec![CheckResult {
                        check: "exists".into(),
                        ok: false,
                        detail: "not on the ledger".into(),
                    }],
                    verified: false,
                });
                continue;
            }
        };
        let checks = verify_node(&fp, resolver, network);
        let verified = checks.iter().all(|c| c.ok);
        proofs_checked += checks
            .iter()
            .filter(|c| c.ok && c.check == PROOF_CHECK)
            .count();
        for c in checks.iter().filter(|c| !c.ok) {
            problems.push(format!(
                "{} ({id}): {}: {}",
                fp.attestation.product.name, c.check, c.detail
            ));
        }
        // Push upstream inputs in reverse so they are visited in input order.
        for input in fp.attestation.inputs.iter().rev() {
            if let InputSource::Upstream(up) = &input.source {
                stack.push((*up, depth + 1));
            }
        }
        nodes.push(NodeReport {
            id,
            depth,
            product: fp.attestation.product.name.clone(),
            author: fp.author.to_hex(),
            status: fp.status.word().to_string(),
            privacy: fp.attestation.privacy.level().into(),
            total_mg: fp.attestation.results.total_mg,
            figures_hidden: matches!(&fp.attestation.privacy, Privacy::Hidden(h) if h.published.is_none()),
            declared: fp.attestation.privacy.declared().map(declared_leaf),
            declared_unit: fp.attestation.declared_unit.clone(),
            checks,
            verified,
        });
    }
    TreeReport {
        footprint: root,
        verified: problems.is_empty(),
        nodes,
        problems,
        proofs_checked,
    }
}

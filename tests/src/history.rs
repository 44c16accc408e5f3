//! A history of what clients were told, checked afterwards against every
//! node's log, in the spirit of Jepsen: the test records each submission
//! when it is made and each answer when it comes, and only answers count.
//!
//! An operation is one submitted transaction:
//! - **acknowledged** once the node it was submitted to reported it
//!   committed, with its log index (`GET /v1/tx/{id}`);
//! - **indeterminate** when the submission failed or timed out (it may or
//!   may not have been accepted), and also, at the end, when it was accepted
//!   but never reported committed: either may or may not be in the log.
//!
//! [`check`] then holds the history against what every node serves
//! ([`observe`] reads it over the HTTP API):
//! - every acknowledged transaction is in every node's log exactly once, at
//!   the index it was acknowledged with (else **lost**, **duplicated** or a
//!   **disagreement**); no transaction is in a log twice;
//! - the nodes' logs are the same entries, index by index;
//! - every node's checkpoints are the roots of its own entries at their
//!   sizes (so no checkpoint contradicts an earlier one: they are equal
//!   prefixes of one log), the consistency proofs it serves between them
//!   verify, and nodes serve the same root for the same size;
//! - every checkpoint carries signatures of a quorum (2f+1) of the validator
//!   keys, and every acknowledged entry is covered by such a checkpoint on
//!   every node: nothing was committed without the validators' cosignatures.
//!
//! [`Report`] counts submitted, acknowledged, found, lost, duplicated and
//! disagreeing operations and lists the first problems found.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{Context as _, Result};
use tanji_ledger::checkpoint::{NoteVerifier, SignedNote};
use tanji_ledger::tx::SignedTx;
use tanji_ledger::TxId;
use tanji_sdk::Client;

use crate::rfc9162::{self, Hash};

/// How a submission ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Submit {
    /// Sent, no answer yet.
    Pending,
    /// The node accepted it (queued or already committed).
    Accepted,
    /// An error or a timeout: it may or may not have been accepted.
    Indeterminate(String),
}

/// An acknowledgement: the node reported the transaction committed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Ack {
    /// Its log index, as reported.
    pub index: u64,
    /// From submission to the first answer that said committed.
    pub latency: Duration,
}

/// One client operation: a submitted transaction.
#[derive(Clone, Debug)]
pub struct Op {
    /// The transaction.
    pub id: TxId,
    /// The node it was submitted to (and asked about).
    pub node: String,
    /// The scenario it was submitted in.
    pub phase: String,
    /// When it was submitted (since the history began).
    pub invoked: Duration,
    /// The submission's answer.
    pub submit: Submit,
    /// The first answer that said committed.
    pub ack: Option<Ack>,
    /// Other indices it was later reported committed at (a disagreement).
    pub other_indices: Vec<u64>,
}

/// The recorded history (shared by the client tasks).
#[derive(Debug)]
pub struct History {
    start: Instant,
    ops: Mutex<(Vec<Op>, HashMap<TxId, usize>)>,
}

impl History {
    /// An empty history, starting now.
    pub fn new() -> Arc<Self> {
        Arc::new(History {
            start: Instant::now(),
            ops: Mutex::new((Vec::new(), HashMap::new())),
        })
    }

    fn with<T>(&self, id: &TxId, f: impl FnOnce(&mut Op, Duration) -> T) -> Option<T> {
        let now = self.start.elapsed();
        let mut g = self.ops.lock().expect("lock");
        let i = *g.1.get(id)?;
        Some(f(&mut g.0[i], now))
    }

    /// Records a submission about to be sent.
    pub fn invoke(&self, id: TxId, node: &str, phase: &str) {
        let mut g = self.ops.lock().expect("lock");
        let at = g.0.len();
        g.0.push(Op {
            id,
            node: node.to_string(),
            phase: phase.to_string(),
            invoked: self.start.elapsed(),
            submit: Submit::Pending,
            ack: None,
            other_indices: Vec::new(),
        });
        g.1.insert(id, at);
    }

    /// Records that the node accepted the submission.
    pub fn accepted(&self, id: &TxId) {
        self.with(id, |op, _| op.submit = Submit::Accepted);
    }

    /// Records a failed or timed-out submission.
    pub fn indeterminate(&self, id: &TxId, why: &str) {
        self.with(id, |op, _| {
            op.submit = Submit::Indeterminate(why.to_string())
        });
    }

    /// Records that the node reported `id` committed at `index`.
    pub fn acked(&self, id: &TxId, index: u64) {
        self.with(id, |op, now| match op.ack {
            None => {
                op.ack = Some(Ack {
                    index,
                    latency: now.saturating_sub(op.invoked),
                })
            }
            Some(a) if a.index != index && !op.other_indices.contains(&index) => {
                op.other_indices.push(index)
            }
            Some(_) => {}
        });
    }

    /// Operations submitted but not yet acknowledged: (id, node).
    pub fn unacked(&self) -> Vec<(TxId, String)> {
        let g = self.ops.lock().expect("lock");
        g.0.iter()
            .filter(|o| o.ack.is_none())
            .map(|o| (o.id, o.node.clone()))
            .collect()
    }

    /// A copy of every operation, in submission order.
    pub fn ops(&self) -> Vec<Op> {
        self.ops.lock().expect("lock").0.clone()
    }

    /// Commit latencies (submission to acknowledgement) per phase, in
    /// order of first submission.
    pub fn latencies(&self) -> Vec<Latency> {
        let ops = self.ops();
        let mut phases: Vec<String> = Vec::new();
        for o in &ops {
            if !phases.contains(&o.phase) {
                phases.push(o.phase.clone());
            }
        }
        phases
            .into_iter()
            .map(|phase| {
                let mut l: Vec<Duration> = ops
                    .iter()
                    .filter(|o| o.phase == phase)
                    .filter_map(|o| o.ack.map(|a| a.latency))
                    .collect();
                l.sort();
                let pick = |q: f64| {
                    (!l.is_empty()).then(|| l[((l.len() - 1) as f64 * q).round() as usize])
                };
                Latency {
                    submitted: ops.iter().filter(|o| o.phase == phase).count(),
                    acknowledged: l.len(),
                    p50: pick(0.5),
                    p95: pick(0.95),
                    max: l.last().copied(),
                    phase,
                }
            })
            .collect()
    }
}

/// Commit latency of one phase.
#[derive(Clone, Debug)]
pub struct Latency {
    /// The phase.
    pub phase: String,
    /// Operations submitted in it.
    pub submitted: usize,
    /// Of those, acknowledged.
    pub acknowledged: usize,
    /// Median.
    pub p50: Option<Duration>,
    /// 95th percentile.
    pub p95: Option<Duration>,
    /// Largest.
    pub max: Option<Duration>,
}

impl std::fmt::Display for Latency {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let ms = |d: Option<Duration>| d.map_or("-".into(), |d| format!("{} ms", d.as_millis()));
        write!(
            f,
            "{:<22} submitted {:>4}  acknowledged {:>4}  commit latency p50 {:>8}  p95 {:>8}  max {:>8}",
            self.phase,
            self.submitted,
            self.acknowledged,
            ms(self.p50),
            ms(self.p95),
            ms(self.max)
        )
    }
}

/// One entry of a node's log.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    /// The transaction's id.
    pub id: TxId,
    /// Its leaf hash, recomputed from the entry's bytes.
    pub leaf: Hash,
}

/// A consistency proof a node served between two of its checkpoints.
#[derive(Clone, Debug)]
pub struct Consistency {
    /// Older size.
    pub from: u64,
    /// Newer size.
    pub to: u64,
    /// The proof's hashes.
    pub proof: Vec<Hash>,
}

/// What one node serves.
#[derive(Clone, Debug)]
pub struct NodeLog {
    /// The node.
    pub name: String,
    /// Its log, from index 0.
    pub entries: Vec<Entry>,
    /// Every checkpoint it serves: (size, signed note).
    pub checkpoints: Vec<(u64, String)>,
    /// Proofs between its consecutive checkpoints.
    pub proofs: Vec<Consistency>,
}

/// Who must sign checkpoints.
#[derive(Clone, Debug)]
pub struct Trust {
    /// The checkpoints' origin line (the network's name).
    pub origin: String,
    /// The validators' note keys.
    pub validators: Vec<NoteVerifier>,
    /// Signatures required (2f+1).
    pub quorum: usize,
}

/// The outcome of [`check`].
#[derive(Clone, Debug, Default)]
pub struct Report {
    /// Operations submitted.
    pub submitted: usize,
    /// Acknowledged as committed.
    pub acknowledged: usize,
    /// Indeterminate: the submission failed or timed out, or it was never
    /// acknowledged.
    pub indeterminate: usize,
    /// Submitted operations found in every node's log.
    pub found: usize,
    /// Acknowledged operations missing from some node's log.
    pub lost: usize,
    /// Transactions in some node's log more than once.
    pub duplicated: usize,
    /// Disagreements: an acknowledged operation at another index than
    /// acknowledged, or acknowledged at two indices; nodes with different
    /// entries at an index or different roots for a size; a checkpoint that
    /// is not the root of the node's entries; a consistency proof that fails.
    pub disagreements: usize,
    /// Checkpoints without a quorum of validator signatures, and acknowledged
    /// entries no quorum-signed checkpoint covers on some node.
    pub unsigned: usize,
    /// Distinct checkpoint sizes checked.
    pub checkpoint_sizes: usize,
    /// Consistency proofs verified.
    pub proofs: usize,
    /// Log size per node.
    pub sizes: Vec<(String, u64)>,
    /// The first problems, described.
    pub problems: Vec<String>,
}

impl Report {
    /// Nothing lost, duplicated, disagreeing or unsigned.
    pub fn ok(&self) -> bool {
        self.lost == 0 && self.duplicated == 0 && self.disagreements == 0 && self.unsigned == 0
    }

    fn problem(&mut self, p: String) {
        if self.problems.len() < 30 {
            self.problems.push(p);
        }
    }
}

impl std::fmt::Display for Report {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(
            f,
            "history: submitted {}, acknowledged {}, found {}, lost {}, duplicated {}, disagreements {}",
            self.submitted,
            self.acknowledged,
            self.found,
            self.lost,
            self.duplicated,
            self.disagreements
        )?;
        write!(
            f,
            "         indeterminate {}, checkpoints without quorum or uncovered entries {}, checkpoint sizes {}, consistency proofs {}, log sizes {:?}",
            self.indeterminate, self.unsigned, self.checkpoint_sizes, self.proofs, self.sizes
        )?;
        for p in &self.problems {
            write!(f, "\n  problem: {p}")?;
        }
        Ok(())
    }
}

/// Holds the history against what the nodes serve (see the module docs).
pub fn check(ops: &[Op], nodes: &[NodeLog], trust: &Trust) -> Report {
    let mut r = Report {
        submitted: ops.len(),
        acknowledged: ops.iter().filter(|o| o.ack.is_some()).count(),
        sizes: nodes
            .iter()
            .map(|n| (n.name.clone(), n.entries.len() as u64))
            .collect(),
        ..Report::default()
    };
    r.indeterminate = r.submitted - r.acknowledged;

    // Where each transaction is, per node; duplicates.
    let mut at: Vec<HashMap<TxId, Vec<u64>>> = Vec::new();
    let mut duplicated = std::collections::HashSet::new();
    for n in nodes {
        let mut m: HashMap<TxId, Vec<u64>> = HashMap::new();
        for (i, e) in n.entries.iter().enumerate() {
            m.entry(e.id).or_default().push(i as u64);
        }
        for (id, idx) in &m {
            if idx.len() > 1 && duplicated.insert(*id) {
                r.problem(format!("{}: {id} at indices {idx:?}", n.name));
            }
        }
        at.push(m);
    }
    r.duplicated = duplicated.len();

    // Every operation against every log.
    let mut lost = 0;
    let mut disagreeing = 0;
    for o in ops {
        let places: Vec<Option<&Vec<u64>>> = at.iter().map(|m| m.get(&o.id)).collect();
        if !nodes.is_empty() && places.iter().all(|p| p.is_some_and(|v| v.len() == 1)) {
            r.found += 1;
        }
        let Some(ack) = o.ack else { continue };
        let mut bad = false;
        if !o.other_indices.is_empty() {
            bad = true;
            r.problem(format!(
                "{} acknowledged by {} at {} and also at {:?}",
                o.id, o.node, ack.index, o.other_indices
            ));
        }
        let mut missing = false;
        for (n, p) in nodes.iter().zip(&places) {
            match p {
                None => {
                    missing = true;
                    r.problem(format!(
                        "{} acknowledged at {} by {} ({}) is not in {}'s log",
                        o.id, ack.index, o.node, o.phase, n.name
                    ));
                }
                Some(idx) if !idx.contains(&ack.index) => {
                    bad = true;
                    r.problem(format!(
                        "{} acknowledged at {} by {} is at {idx:?} in {}'s log",
                        o.id, ack.index, o.node, n.name
                    ));
                }
                Some(_) => {}
            }
        }
        lost += usize::from(missing);
        disagreeing += usize::from(bad);
    }
    r.lost = lost;
    r.disagreements = disagreeing;

    // The logs themselves, index by index.
    let longest = nodes.iter().map(|n| n.entries.len()).max().unwrap_or(0);
    for i in 0..longest {
        let mut seen: Option<(&str, &Entry)> = None;
        for n in nodes {
            let Some(e) = n.entries.get(i) else { continue };
            match seen {
                None => seen = Some((&n.name, e)),
                Some((first, f)) if f != e => {
                    r.disagreements += 1;
                    r.problem(format!(
                        "index {i}: {first} has {}, {} has {}",
                        f.id, n.name, e.id
                    ));
                    break;
                }
                Some(_) => {}
            }
        }
    }

    // Checkpoints: signed by a quorum, the root of the node's own entries,
    // the same on every node, consistent by the proofs served.
    let mut roots: BTreeMap<u64, (String, Hash)> = BTreeMap::new();
    let mut disputed = std::collections::HashSet::new();
    let mut covered: Vec<u64> = Vec::new();
    for n in nodes {
        let leaves: Vec<Hash> = n.entries.iter().map(|e| e.leaf).collect();
        let mut signed_up_to = 0;
        let mut by_size: BTreeMap<u64, Hash> = BTreeMap::new();
        for (size, note) in &n.checkpoints {
            let parsed = match SignedNote::parse(note) {
                Ok(p) => p,
                Err(e) => {
                    r.disagreements += 1;
                    r.problem(format!("{}: checkpoint at {size} unreadable: {e}", n.name));
                    continue;
                }
            };
            let cp = match parsed.checkpoint() {
                Ok(cp) => cp,
                Err(e) => {
                    r.disagreements += 1;
                    r.problem(format!("{}: checkpoint at {size} unreadable: {e}", n.name));
                    continue;
                }
            };
            if cp.size != *size || cp.origin != trust.origin {
                r.disagreements += 1;
                r.problem(format!(
                    "{}: asked for size {size}, got {} of {:?}",
                    n.name, cp.size, cp.origin
                ));
                continue;
            }
            match parsed.verify(&trust.validators, trust.quorum) {
                Ok(_) => signed_up_to = signed_up_to.max(*size),
                Err(e) => {
                    r.unsigned += 1;
                    r.problem(format!("{}: checkpoint at {size}: {e}", n.name));
                }
            }
            if *size as usize > leaves.len() {
                r.disagreements += 1;
                r.problem(format!(
                    "{}: checkpoint at {size} beyond its {} entries",
                    n.name,
                    leaves.len()
                ));
            } else if rfc9162::root(&leaves[..*size as usize]) != cp.root {
                r.disagreements += 1;
                r.problem(format!(
                    "{}: checkpoint at {size} is not the root of its entries",
                    n.name
                ));
            }
            match roots.get(size) {
                None => {
                    roots.insert(*size, (n.name.clone(), cp.root));
                }
                Some((first, root)) if *root != cp.root => {
                    // Counted once per size, however many nodes differ.
                    if disputed.insert(*size) {
                        r.disagreements += 1;
                    }
                    r.problem(format!(
                        "size {size}: {first} and {} serve different roots",
                        n.name
                    ));
                }
                Some(_) => {}
            }
            by_size.insert(*size, cp.root);
        }
        for p in &n.proofs {
            let (Some(a), Some(b)) = (by_size.get(&p.from), by_size.get(&p.to)) else {
                continue;
            };
            r.proofs += 1;
            if !rfc9162::verify_consistency(p.from, p.to, a, b, &p.proof) {
                r.disagreements += 1;
                r.problem(format!(
                    "{}: consistency proof {} → {} does not verify",
                    n.name, p.from, p.to
                ));
            }
        }
        covered.push(signed_up_to);
    }
    r.checkpoint_sizes = roots.len();
    for o in ops {
        let Some(ack) = o.ack else { continue };
        for (n, up_to) in nodes.iter().zip(&covered) {
            if ack.index >= *up_to {
                r.unsigned += 1;
                r.problem(format!(
                    "{} at {} is beyond {}'s last quorum-signed checkpoint ({up_to})",
                    o.id, ack.index, n.name
                ));
            }
        }
    }
    r
}

/// Reads what `nodes` serve: every entry, every checkpoint (size by size)
/// and the consistency proofs between consecutive checkpoints; and the
/// validator keys and quorum from the first node's `/v1/network`.
pub async fn observe(nodes: &[(String, Client)], origin: &str) -> Result<(Vec<NodeLog>, Trust)> {
    let first = &nodes.first().context("no nodes")?.1;
    let view = first.network().await?;
    let validators = view
        .validators
        .iter()
        .map(|k| NoteVerifier::from_vkey(k))
        .collect::<Result<Vec<_>, _>>()?;
    let trust = Trust {
        origin: origin.to_string(),
        validators,
        quorum: view.quorum,
    };
    let mut tasks = Vec::new();
    for (name, client) in nodes {
        let (name, client) = (name.clone(), client.clone());
        tasks.push(tokio::spawn(async move { read_node(name, client).await }));
    }
    let mut logs = Vec::new();
    for t in tasks {
        logs.push(t.await??);
    }
    Ok((logs, trust))
}

async fn read_node(name: String, c: Client) -> Result<NodeLog> {
    let size = c.health().await?.size;
    let mut entries = Vec::new();
    while (entries.len() as u64) < size {
        let page = c.entries(entries.len() as u64, size).await?;
        anyhow::ensure!(!page.is_empty(), "{name}: empty page of entries");
        for e in page {
            anyhow::ensure!(
                e.index == entries.len() as u64,
                "{name}: entries out of order"
            );
            let tx = SignedTx::decode(&e.bytes)
                .with_context(|| format!("{name}: entry {} is not a transaction", e.index))?;
            entries.push(Entry {
                id: tx.id(),
                leaf: rfc9162::leaf(&e.bytes),
            });
        }
    }
    let mut checkpoints = Vec::new();
    for s in 1..=size {
        match c.checkpoint(Some(s)).await {
            Ok(note) => checkpoints.push((s, note)),
            Err(e) if e.status() == Some(404) => {}
            Err(e) => return Err(e).with_context(|| format!("{name}: checkpoint at {s}")),
        }
    }
    let mut proofs = Vec::new();
    for w in checkpoints.windows(2) {
        let (from, to) = (w[0].0, w[1].0);
        let proof = c
            .consistency_proof(from, to)
            .await
            .with_context(|| format!("{name}: consistency {from} → {to}"))?;
        proofs.push(Consistency { from, to, proof });
    }
    Ok(NodeLog {
        name,
        entries,
        checkpoints,
        proofs,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use tanji_ledger::checkpoint::Checkpoint;
    use tanji_ledger::crypto::SecretKey;

    const ORIGIN: &str = "history.test";

    fn key(i: u8) -> SecretKey {
        SecretKey::from_seed(&[i + 1; 32])
    }

    fn trust() -> Trust {
        Trust {
            origin: ORIGIN.into(),
            validators: (0..4)
                .map(|i| NoteVerifier {
                    name: format!("validator-{i}"),
                    key: key(i).public(),
                })
                .collect(),
            quorum: 3,
        }
    }

    fn id(i: u64) -> TxId {
        TxId::of_body_bytes(&i.to_le_bytes())
    }

    fn entry(id: TxId) -> Entry {
        Entry {
            id,
            leaf: rfc9162::leaf(&id.0),
        }
    }

    /// A checkpoint of `entries[..size]` signed by validators `signers`.
    fn note(entries: &[Entry], size: u64, signers: &[u8]) -> String {
        let leaves: Vec<Hash> = entries[..size as usize].iter().map(|e| e.leaf).collect();
        let text = Checkpoint {
            origin: ORIGIN,
            size,
            root: rfc9162::root(&leaves),
        }
        .text();
        let mut n = SignedNote::sign(text, "validator-0", &key(signers[0]));
        n.signatures.clear();
        for s in signers {
            n.add_signature(&format!("validator-{s}"), &key(*s));
        }
        n.to_string()
    }

    /// A node with `entries`, checkpointed at `sizes` by three validators.
    fn node(name: &str, entries: Vec<Entry>, sizes: &[u64]) -> NodeLog {
        let checkpoints = sizes
            .iter()
            .map(|s| (*s, note(&entries, *s, &[0, 1, 2])))
            .collect();
        NodeLog {
            name: name.into(),
            entries,
            checkpoints,
            proofs: Vec::new(),
        }
    }

    /// Five operations, each acknowledged at index 1 + i (index 0 is the
    /// genesis), and one whose submission timed out and is in no log.
    fn history() -> Vec<Op> {
        let h = History::new();
        for i in 0..6 {
            h.invoke(id(i), "validator-0", "test");
            if i < 5 {
                h.accepted(&id(i));
                h.acked(&id(i), 1 + i);
            } else {
                h.indeterminate(&id(i), "timed out");
            }
        }
        h.ops()
    }

    fn log() -> Vec<Entry> {
        std::iter::once(entry(id(1000)))
            .chain((0..5).map(|i| entry(id(i))))
            .collect()
    }

    fn three(nodes: [Vec<Entry>; 3]) -> Vec<NodeLog> {
        nodes
            .into_iter()
            .enumerate()
            .map(|(i, e)| {
                let n = e.len() as u64;
                node(&format!("n{i}"), e, &[1, 3, n])
            })
            .collect()
    }

    #[test]
    fn a_clean_history_passes() {
        let r = check(&history(), &three([log(), log(), log()]), &trust());
        assert!(r.ok(), "{r}");
        assert_eq!(
            (r.submitted, r.acknowledged, r.indeterminate, r.found),
            (6, 5, 1, 5)
        );
        assert_eq!(
            (r.lost, r.duplicated, r.disagreements, r.unsigned),
            (0, 0, 0, 0)
        );
        assert_eq!(r.checkpoint_sizes, 3);
    }

    #[test]
    fn consistency_proofs_are_checked() {
        let mut nodes = three([log(), log(), log()]);
        let leaves: Vec<Hash> = log().iter().map(|e| e.leaf).collect();
        // A genuine proof from 3 to 6, by RFC 9162's SUBPROOF by hand.
        let good = vec![
            leaves[2],
            leaves[3],
            rfc9162::root(&leaves[0..2]),
            rfc9162::root(&leaves[4..6]),
        ];
        assert!(rfc9162::verify_consistency(
            3,
            6,
            &rfc9162::root(&leaves[..3]),
            &rfc9162::root(&leaves),
            &good
        ));
        nodes[0].proofs.push(Consistency {
            from: 3,
            to: 6,
            proof: good.clone(),
        });
        let r = check(&history(), &nodes, &trust());
        assert!(r.ok(), "{r}");
        assert_eq!(r.proofs, 1);
        let mut bad = good;
        bad[0][0] ^= 1;
        nodes[1].proofs.push(Consistency {
            from: 3,
            to: 6,
            proof: bad,
        });
        let r = check(&history(), &nodes, &trust());
        assert_eq!(r.disagreements, 1, "{r}");
    }

    #[test]
    fn a_lost_entry_is_caught() {
        // n2 lacks operation 3: its log ends early.
        let mut short = log();
        short.truncate(4);
        let r = check(&history(), &three([log(), log(), short]), &trust());
        assert!(!r.ok());
        assert_eq!(r.lost, 2, "{r}"); // operations 3 and 4
        assert_eq!(r.found, 3);
        assert!(
            r.problems.iter().any(|p| p.contains("not in n2's log")),
            "{r}"
        );
    }

    #[test]
    fn a_duplicated_entry_is_caught() {
        // n1 has operation 2 twice (the second time instead of operation 4).
        let mut dup = log();
        dup[5] = entry(id(2));
        let r = check(&history(), &three([log(), dup, log()]), &trust());
        assert!(!r.ok());
        assert_eq!(r.duplicated, 1, "{r}");
        assert!(r.lost >= 1, "operation 4 is missing from n1: {r}");
    }

    #[test]
    fn a_disagreeing_entry_is_caught() {
        // n0 has operations 1 and 2 swapped: every op is present once, but
        // two not where they were acknowledged, and the logs differ there.
        let mut swapped = log();
        swapped.swap(2, 3);
        let mut nodes = three([swapped, log(), log()]);
        // Its checkpoints are of its own (swapped) entries, so they differ
        // from the others' at sizes beyond the swap.
        let r = check(&history(), &nodes, &trust());
        assert!(!r.ok());
        assert_eq!((r.lost, r.duplicated), (0, 0), "{r}");
        // 2 ops at the wrong index, 2 indices differing, the roots at sizes 3
        // and 6 differing.
        assert_eq!(r.disagreements, 6, "{r}");

        // An operation acknowledged at two indices is a disagreement too.
        let mut ops = history();
        ops[0].other_indices.push(4);
        nodes[0] = node("n0", log(), &[1, 3, 6]);
        let r = check(&ops, &nodes, &trust());
        assert_eq!(r.disagreements, 1, "{r}");
    }

    #[test]
    fn a_contradicting_checkpoint_is_caught() {
        // n1 signs a root for size 3 that is not the root of its entries.
        let mut nodes = three([log(), log(), log()]);
        let mut other = log();
        other[1] = entry(id(77));
        nodes[1].checkpoints[1] = (3, note(&other, 3, &[0, 1, 2]));
        let r = check(&history(), &nodes, &trust());
        // Not its own entries' root, and another root than n0's.
        assert_eq!(r.disagreements, 2, "{r}");
    }

    #[test]
    fn a_checkpoint_without_quorum_is_caught() {
        // Two of four validator signatures are not a quorum of 3; then the
        // last two operations are covered by no quorum checkpoint on n2.
        let mut nodes = three([log(), log(), log()]);
        nodes[2].checkpoints[2] = (6, note(&log(), 6, &[0, 3]));
        let r = check(&history(), &nodes, &trust());
        assert!(!r.ok());
        // The note itself, then the operations at 3, 4 and 5 (beyond size 3).
        assert_eq!(r.unsigned, 4, "{r}");
        assert_eq!(r.disagreements, 0, "{r}");
    }

    #[test]
    fn latencies_per_phase() {
        let h = History::new();
        h.invoke(id(1), "a", "calm");
        h.invoke(id(2), "a", "wan");
        h.acked(&id(1), 5);
        h.acked(&id(1), 5);
        h.acked(&id(1), 6);
        let l = h.latencies();
        assert_eq!(l.len(), 2);
        assert_eq!((l[0].submitted, l[0].acknowledged), (1, 1));
        assert_eq!((l[1].submitted, l[1].acknowledged), (1, 0));
        assert_eq!(h.ops()[0].other_indices, vec![6]);
        assert_eq!(h.unacked(), vec![(id(2), "a".to_string())]);
    }
}

//! Shared test vectors for the browser's independent bundle verifier (`web/src/verify/`).
//!
//! This test builds a small log deterministically (fixed-seed keys, so every id, encoding and
//! signature is byte-stable), serves two kinds of bundle from it exactly as the API does
//! (`tanji-inclusion-bundle/v1` and `tanji-certificate-bundle/v1`), tampers with them in labelled
//! ways, and records what the Rust verifier says about each case:
//! - inclusion bundles: [`InclusionBundle::from_json`] then [`InclusionBundle::verify`];
//! - certificate bundles, log part only: [`CertificateBundle::from_json`] then
//!   [`ProvenEntries::verify`] (the valid certificate bundle also passes the full
//!   [`CertificateBundle::verify`], which is asserted);
//! - when a case gives the authors' public keys, the ledger's own strict verification of each
//!   entry's first approval (the author's signature) with [`PublicKey::verify`].
//!
//! Each case names the check the browser verifier must report as failing first (or `verified`),
//! and this test asserts that the name agrees with the Rust error ([`check_of`] is the mapping of
//! Rust errors to the browser's check names), so the labels cannot drift from what Rust does.
//! `web/src/verify/vectors.test.ts` then asserts that the TypeScript verifier agrees, case by case.
//!
//! It is a golden test: with `TANJI_UPDATE_VECTORS=1` it (re)writes `web/src/verify/vectors.json`;
//! otherwise it fails unless the committed file is exactly what it would write, so any change of
//! format or encoding is a visible decision.

use std::collections::BTreeMap;
use std::path::PathBuf;

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine as _;
use serde::Serialize;
use serde_json::{json, Value};
use tanji_ledger::bundle::{
    prove_indices, BundleError, CertificateBundle, InclusionBundle, ProvenEntries, Signers,
    BUNDLE_FORMAT, CERTIFICATE_BUNDLE_FORMAT,
};
use tanji_ledger::carbon::compute::evaluate;
use tanji_ledger::carbon::{Boundary, Certificate, Date, ProductRule, RecordRef, Stage};
use tanji_ledger::checkpoint::{Checkpoint, NoteError, NoteSigner, NoteVerifier, SignedNote};
use tanji_ledger::crypto::{domain, PublicKey, SecretKey};
use tanji_ledger::keyfile::OrgKeyFile;
use tanji_ledger::merkle::{Blake3Hasher, MemoryTree};
use tanji_ledger::store::{Candidate, LedgerRead, MemoryStore};
use tanji_ledger::testkit::{self, TestNet};
use tanji_ledger::tx::{Approval, Role, SignedTx, TxBody, TxKind, ValidatorNode};
use tanji_ledger::validate::ViewResolver;
use tanji_ledger::TxId;

const ENV_VAR: &str = "TANJI_UPDATE_VECTORS";
/// Quorum of the vectors' validator set (four validators).
const QUORUM: usize = 3;

/// The browser verifier's name for the check that a Rust bundle error corresponds to.
///
/// `Malformed` covers several checks in Rust; its message says which part was malformed.
fn check_of(e: &BundleError) -> &'static str {
    match e {
        BundleError::Malformed(m) => {
            if m.starts_with("entry") {
                "entry"
            } else if m.starts_with("proof longer")
                || m.ends_with("is not base64")
                || m == "a hash is not 32 bytes"
            {
                "inclusion proof"
            } else if m == "too many validator keys" {
                "checkpoint signatures"
            } else {
                "format"
            }
        }
        BundleError::Entry(_) => "entry",
        BundleError::WrongTx { .. } => "transaction id",
        BundleError::Proof(_) => "inclusion proof",
        BundleError::Checkpoint(NoteError::Malformed(_)) => "checkpoint",
        BundleError::Checkpoint(NoteError::BadSignature(_) | NoteError::BadVerifierKey(_)) => {
            "checkpoint signatures"
        }
        BundleError::Checkpoint(NoteError::NotEnoughSignatures { .. }) => "quorum",
        BundleError::WrongNetwork { .. } => "network",
        BundleError::Certificate(_) => "certificate",
        BundleError::SetChange { .. } => "set change",
    }
}

/// One vector.
#[derive(Serialize)]
struct Case {
    /// What was done to the bundle.
    name: String,
    /// `inclusion` or `certificate`.
    kind: &'static str,
    /// The bundle as the verifier receives it (JSON text, possibly broken on purpose).
    bundle: String,
    /// Validator keys and quorum the caller pins, replacing the bundle's own.
    pinned: Option<Pinned>,
    /// The authors' public keys (org id hex → ed25519 key hex), when the caller checks entry
    /// signatures.
    author_keys: Option<BTreeMap<String, String>>,
    /// `verified`, or the name of the first check that must fail.
    expect: String,
    /// What the Rust verifier said: `ok`, or its error message.
    rust: String,
}

#[derive(Serialize, Clone)]
struct Pinned {
    validators: Vec<String>,
    quorum: usize,
}

#[derive(Serialize)]
struct Vectors {
    about: &'static str,
    network: String,
    cases: Vec<Case>,
}

/// Validator `i`'s checkpoint signer: validator-0 is the test network's node.
fn validator(net: &TestNet, i: u8) -> NoteSigner {
    if i == 0 {
        return net.node.clone();
    }
    NoteSigner {
        name: format!("validator-{i}"),
        key: SecretKey::from_seed(&[40 + i; 32]),
    }
}

fn vkeys(signers: &[NoteSigner]) -> Vec<String> {
    signers.iter().map(|s| s.verifier().to_vkey()).collect()
}

/// The four validators' keys (the set bundles carry).
fn validators(net: &TestNet) -> Vec<NoteSigner> {
    (0..4).map(|i| validator(net, i)).collect()
}

/// A checkpoint note over `cp`, signed by validators 0, 1 and 2 (a quorum of 3 of 4; validator-3
/// did not sign) and by a witness that is not a validator (its line must be ignored).
fn cosigned(net: &TestNet, cp: &Checkpoint<'_>) -> String {
    let mut note = SignedNote::sign(cp.text(), &validator(net, 0).name, &validator(net, 0).key);
    for i in 1..3 {
        let v = validator(net, i);
        note.add_signature(&v.name, &v.key);
    }
    note.add_signature("witness.example/w1", &SecretKey::from_seed(&[50; 32]));
    note.to_string()
}

fn append(store: &mut MemoryStore, net: &TestNet, candidates: Vec<Candidate>) -> Vec<TxId> {
    let outcome = store
        .append_batch(&candidates, Some(&net.node))
        .expect("the batch applies");
    outcome
        .results
        .iter()
        .map(|(id, r)| {
            r.as_ref().unwrap_or_else(|e| panic!("{id} refused: {e}"));
            *id
        })
        .collect()
}

/// The main log: genesis, three organisations, a factor, a product rule, an attestation
/// following the rule, and a certificate for it.
struct Chain {
    net: TestNet,
    store: MemoryStore,
    orgs: Vec<OrgKeyFile>,
    /// Log indices of the certificate, the rule, the attestation and the factor.
    certificate_tree: Vec<u64>,
    certificate_id: String,
    certificate_index: u64,
}

fn chain() -> Chain {
    let net = TestNet::new();
    let publisher = testkit::org(
        20,
        "Factor Publisher",
        "urn:uscc:911100000000000020",
        &[Role::FactorPublisher],
    );
    let maker = net.supplier(10);
    let certifier = testkit::org(
        30,
        "Certifier",
        "urn:uscc:911100000000000030",
        &[Role::Verifier],
    );
    let mut store = MemoryStore::new();
    append(
        &mut store,
        &net,
        vec![
            Candidate::new(net.genesis()),
            Candidate::new(net.register(&publisher)),
            Candidate::new(net.register(&maker)),
            Candidate::new(net.register(&certifier)),
        ],
    );
    let rule_ref: RecordRef = "pcr-laptop@1".parse().expect("a rule ref");
    let rule = ProductRule {
        reference: rule_ref.clone(),
        name: "Laptops".into(),
        category: "urn:cpc:45220".into(),
        declared_unit: "piece".into(),
        boundary: Boundary::CradleToGate,
        required_stages: vec![],
        cutoff_bp: 100,
        grade_thresholds_mg: vec![10_000_000, 20_000_000, 40_000_000, 80_000_000],
        reference_document: "T/TEST 1-2025".into(),
        supersedes: None,
    };
    let published = append(
        &mut store,
        &net,
        vec![
            Candidate::new(net.signed(
                &publisher,
                1,
                TxKind::PublishFactor(testkit::factor_record(
                    "grid@1",
                    "kWh",
                    [620_500_000, 0, 0, 0, 0],
                )),
            )),
            Candidate::new(net.signed(&net.regulator, 1, TxKind::PublishRule(rule.clone()))),
        ],
    );
    let mut att = testkit::hidden_attestation(
        "Laptop",
        "piece",
        vec![testkit::factor_input(
            "grid@1",
            "kWh",
            35_200_000,
            Stage::Production,
        )],
    );
    att.product.category = "urn:cpc:45220".into();
    att.rule = Some(rule_ref.clone());
    let evaluation = evaluate(&att, &ViewResolver(&store)).expect("evaluates");
    att.results = evaluation.computed.expect("public").results;
    let total = att.results.total_mg;
    let laptop = append(
        &mut store,
        &net,
        vec![Candidate::new(net.signed(
            &maker,
            1,
            TxKind::AttestFootprint(att),
        ))],
    )[0];
    let date = |y: i32| Date::from_ymd(y, 1, 1).expect("a date");
    let certificate_id = "CERT-2026-0001".to_string();
    let cert = append(
        &mut store,
        &net,
        vec![Candidate::new(net.signed(
            &certifier,
            1,
            TxKind::IssueCertificate(Certificate {
                id: certificate_id.clone(),
                footprint: laptop,
                rule: rule_ref,
                grade: rule.grade(total),
                valid_from: date(2026),
                valid_until: date(2029),
                scope: "GB/T 24067-2024, reasonable assurance".into(),
            }),
        ))],
    )[0];
    let index = |id: &TxId| store.tx_index(id).expect("store reads").expect("indexed");
    let certificate_index = index(&cert);
    let certificate_tree = vec![
        certificate_index,
        index(&published[1]),
        index(&laptop),
        index(&published[0]),
    ];
    // The cosigned checkpoint replaces the one the store's single node signed.
    let head = SignedNote::parse(
        &store
            .latest_checkpoint()
            .expect("reads")
            .expect("a checkpoint"),
    )
    .expect("parses");
    let cp = head.checkpoint().expect("a checkpoint");
    let note = SignedNote::parse(&cosigned(&net, &cp)).expect("parses");
    store.put_checkpoint(&note).expect("stores");
    Chain {
        orgs: vec![
            net.regulator.clone(),
            net.operator.clone(),
            publisher,
            maker,
            certifier,
        ],
        net,
        store,
        certificate_tree,
        certificate_id,
        certificate_index,
    }
}

/// The inclusion bundle of log entry `index`, as `GET /v1/tx/{id}/bundle` serves it.
fn inclusion_bundle(store: &MemoryStore, net: &TestNet, index: u64) -> Value {
    let proven = prove_indices(store, &[index]).expect("provable");
    let (checkpoint, e) = (proven.checkpoint, proven.entries[0].clone());
    let entry = B64.decode(&e.entry).expect("base64");
    let tx = SignedTx::decode(&entry).expect("an entry");
    serde_json::to_value(InclusionBundle {
        format: BUNDLE_FORMAT.into(),
        tx_id: tx.id(),
        index,
        entry: e.entry,
        proof: e.proof,
        checkpoint,
        validators: vkeys(&validators(net)),
        quorum: QUORUM,
        set_changes: Vec::new(),
    })
    .expect("json")
}

/// A certificate-style bundle of `indices`, as `GET /v1/certificates/{id}/bundle` serves it.
fn certificate_bundle<L: LedgerRead>(
    store: &L,
    net: &TestNet,
    certificate: &str,
    indices: &[u64],
) -> Value {
    let proven = prove_indices(store, indices).expect("provable");
    serde_json::to_value(CertificateBundle {
        format: CERTIFICATE_BUNDLE_FORMAT.into(),
        certificate: certificate.into(),
        checkpoint: proven.checkpoint,
        validators: vkeys(&validators(net)),
        quorum: QUORUM,
        set_changes: proven.set_changes,
        entries: proven.entries,
    })
    .expect("json")
}

/// A second, hand-built log (a bare tree and a cosigned checkpoint, no validation): entries that
/// the real ledger would refuse, which a bundle can still prove to be in *this* log. Entry 1's
/// author signature was made with another key; entry 2 is not a transaction; entry 3 is a
/// correctly signed transaction for another network.
struct ForgedLog {
    entries: Vec<Vec<u8>>,
    tree: MemoryTree<Blake3Hasher>,
    note: String,
}

fn forged_log(net: &TestNet, supplier: &OrgKeyFile) -> ForgedLog {
    let honest = net.anchor(supplier, 1, "honest anchor");
    let mut forged = net.anchor(supplier, 2, "forged anchor");
    let impostor = SecretKey::from_seed(&[99; 32]);
    forged.approvals[0].signature = impostor.sign(domain::TX_V1, &forged.body.encode());
    let other_network = SignedTx::sign(
        TxBody {
            network: "other.tanji.local".into(),
            ..net.anchor(supplier, 3, "anchor for another network").body
        },
        &[(supplier.org_id, &testkit::key(supplier))],
    );
    let entries = vec![
        honest.encode(),
        forged.encode(),
        b"not a transaction".to_vec(),
        other_network.encode(),
    ];
    let mut tree = MemoryTree::<Blake3Hasher>::new();
    for e in &entries {
        tree.push(e);
    }
    let cp = Checkpoint {
        origin: &net.network,
        size: tree.len(),
        root: tree.root(),
    };
    ForgedLog {
        note: cosigned(net, &cp),
        entries,
        tree,
    }
}

impl ForgedLog {
    fn proof(&self, index: u64) -> Vec<String> {
        self.tree
            .inclusion_proof(index, self.tree.len())
            .expect("in range")
            .iter()
            .map(|h| B64.encode(h))
            .collect()
    }

    fn inclusion_bundle(&self, net: &TestNet, index: u64) -> Value {
        let bytes = &self.entries[index as usize];
        // The id the bundle claims: the body's, read with the full decoder (no form check).
        let tx = SignedTx::decode(bytes).expect("a well-formed transaction");
        json!({
            "format": BUNDLE_FORMAT,
            "tx_id": tx.body.id().to_hex(),
            "index": index,
            "entry": B64.encode(bytes),
            "proof": self.proof(index),
            "checkpoint": self.note,
            "validators": vkeys(&validators(net)),
            "quorum": QUORUM,
        })
    }

    fn certificate_bundle(&self, net: &TestNet, indices: &[u64]) -> Value {
        let entries: Vec<Value> = indices
            .iter()
            .map(|&i| {
                json!({
                    "index": i,
                    "entry": B64.encode(&self.entries[i as usize]),
                    "proof": self.proof(i),
                })
            })
            .collect();
        json!({
            "format": CERTIFICATE_BUNDLE_FORMAT,
            "certificate": "CERT-FORGED-0001",
            "checkpoint": self.note,
            "validators": vkeys(&validators(net)),
            "quorum": QUORUM,
            "entries": entries,
        })
    }
}

/// A third hand-built log whose validator set changes twice: entry 0 is an anchor (the entry the
/// bundles prove), entry 1 adds validator-4 (batch 1 ends at size 2), entry 2 removes validator-0
/// (batch 2 ends at size 3), entry 3 is another anchor (size 4). The checkpoint at 2 is signed by
/// the genesis set (validators 0..3), the one at 3 by 0..4, the final one at 4 by 1..4 only. A
/// verifier pinning the genesis keys follows the two links; without them the final checkpoint has
/// only two genesis signatures (validators 2 and 3), short of the quorum of 3.
struct SetChangeLog {
    entries: Vec<Vec<u8>>,
    tree: MemoryTree<Blake3Hasher>,
    /// Checkpoint notes by size.
    notes: BTreeMap<u64, String>,
}

fn signed_by(net: &TestNet, tree: &MemoryTree<Blake3Hasher>, size: u64, who: &[u8]) -> String {
    let root = tree.root_at(size).expect("in range");
    let cp = Checkpoint {
        origin: &net.network,
        size,
        root,
    };
    let first = validator(net, who[0]);
    let mut note = SignedNote::sign(cp.text(), &first.name, &first.key);
    for &i in &who[1..] {
        let v = validator(net, i);
        note.add_signature(&v.name, &v.key);
    }
    note.to_string()
}

fn set_change_log(net: &TestNet, supplier: &OrgKeyFile) -> SetChangeLog {
    let v4 = validator(net, 4);
    let entries = vec![
        net.anchor(supplier, 1, "proven under a changed validator set")
            .encode(),
        net.governance(
            1,
            TxKind::AddValidator(ValidatorNode {
                operator: net.operator.org_id,
                name: v4.name.clone(),
                key: v4.key.public(),
            }),
        )
        .encode(),
        net.governance(
            2,
            TxKind::RemoveValidator {
                name: "validator-0".into(),
                reason: "key compromised".into(),
            },
        )
        .encode(),
        net.anchor(supplier, 2, "after the changes").encode(),
    ];
    let mut tree = MemoryTree::<Blake3Hasher>::new();
    for e in &entries {
        tree.push(e);
    }
    let mut notes = BTreeMap::new();
    notes.insert(2, signed_by(net, &tree, 2, &[0, 1, 2]));
    notes.insert(3, signed_by(net, &tree, 3, &[1, 2, 3, 4]));
    notes.insert(4, signed_by(net, &tree, 4, &[2, 3, 4]));
    SetChangeLog {
        entries,
        tree,
        notes,
    }
}

impl SetChangeLog {
    fn proof(&self, index: u64, size: u64) -> Vec<String> {
        self.tree
            .inclusion_proof(index, size)
            .expect("in range")
            .iter()
            .map(|h| B64.encode(h))
            .collect()
    }

    /// The link of the change at `index`, in the checkpoint of `size`.
    fn link(&self, index: u64, size: u64) -> Value {
        json!({
            "index": index,
            "entry": B64.encode(&self.entries[index as usize]),
            "proof": self.proof(index, size),
            "checkpoint": self.notes[&size],
        })
    }

    /// The inclusion bundle of entry 0 against the final checkpoint, as a node serves it: the
    /// set in force (validators 1..4, quorum 3) and both links.
    fn inclusion_bundle(&self, net: &TestNet) -> Value {
        let tx = SignedTx::decode(&self.entries[0]).expect("a transaction");
        let set: Vec<NoteSigner> = (1..5).map(|i| validator(net, i)).collect();
        json!({
            "format": BUNDLE_FORMAT,
            "tx_id": tx.id().to_hex(),
            "index": 0,
            "entry": B64.encode(&self.entries[0]),
            "proof": self.proof(0, 4),
            "checkpoint": self.notes[&4],
            "validators": vkeys(&set),
            "quorum": 3,
            "set_changes": [self.link(1, 2), self.link(2, 3)],
        })
    }

    fn certificate_bundle(&self, net: &TestNet) -> Value {
        let b = self.inclusion_bundle(net);
        json!({
            "format": CERTIFICATE_BUNDLE_FORMAT,
            "certificate": "CERT-SET-CHANGES-0001",
            "checkpoint": b["checkpoint"],
            "validators": b["validators"],
            "quorum": b["quorum"],
            "set_changes": b["set_changes"],
            "entries": [{"index": 0, "entry": b["entry"], "proof": b["proof"]}],
        })
    }
}

/// Checks approval 0 of every entry against the author's key, as the ledger does.
fn check_author_signatures(
    entries: &[(u64, SignedTx)],
    keys: &BTreeMap<String, String>,
) -> Result<(), String> {
    for (index, tx) in entries {
        let author = tx.body.author.to_hex();
        let key = keys
            .get(&author)
            .ok_or_else(|| format!("entry {index}: no public key given for author {author}"))?;
        let key = PublicKey::from_hex(key).map_err(|e| format!("entry {index}: {e}"))?;
        let approval = &tx.approvals[0];
        key.verify(domain::TX_V1, &tx.body.encode(), &approval.signature)
            .map_err(|e| format!("entry {index}: author {author}: {e}"))?;
    }
    Ok(())
}

/// Runs the Rust verifier on a case: `Ok(())` or (check name, message).
fn run_rust(
    kind: &str,
    text: &str,
    pinned: Option<&Pinned>,
    author_keys: Option<&BTreeMap<String, String>>,
) -> Result<(), (&'static str, String)> {
    let pinned_keys: Option<(Vec<NoteVerifier>, usize)> = pinned.map(|p| {
        (
            p.validators
                .iter()
                .map(|v| NoteVerifier::from_vkey(v).expect("pinned keys are valid"))
                .collect(),
            p.quorum,
        )
    });
    let pinned_ref = pinned_keys.as_ref().map(|(k, q)| (k.as_slice(), *q));
    let fail = |e: BundleError| (check_of(&e), e.to_string());
    let entries: Vec<(u64, SignedTx)> = match kind {
        "inclusion" => {
            let b = InclusionBundle::from_json(text).map_err(fail)?;
            let report = b.verify(pinned_ref).map_err(fail)?;
            let entry = B64.decode(&b.entry).expect("verified entry is base64");
            vec![(report.index, SignedTx::decode(&entry).expect("verified"))]
        }
        "certificate" => {
            let b = CertificateBundle::from_json(text).map_err(fail)?;
            ProvenEntries::verify(
                &b.checkpoint,
                Signers {
                    validators: &b.validators,
                    quorum: b.quorum,
                    set_changes: &b.set_changes,
                },
                &b.entries,
                pinned_ref,
            )
            .map_err(fail)?
            .entries
        }
        other => unreachable!("unknown kind {other}"),
    };
    if let Some(keys) = author_keys {
        check_author_signatures(&entries, keys).map_err(|m| ("entry signature", m))?;
    }
    Ok(())
}

/// Collects cases, running the Rust verifier on each and checking its label.
struct Cases {
    cases: Vec<Case>,
}

impl Cases {
    fn add(
        &mut self,
        name: &str,
        kind: &'static str,
        bundle: impl Into<BundleText>,
        pinned: Option<Pinned>,
        author_keys: Option<&BTreeMap<String, String>>,
        expect: &str,
    ) {
        let bundle = bundle.into().0;
        let result = run_rust(kind, &bundle, pinned.as_ref(), author_keys);
        let (got, rust) = match &result {
            Ok(()) => ("verified", "ok".to_string()),
            Err((check, message)) => (*check, message.clone()),
        };
        assert_eq!(
            got, expect,
            "case {name:?}: the Rust verifier says {rust:?}, which is check {got:?}"
        );
        self.cases.push(Case {
            name: name.into(),
            kind,
            bundle,
            pinned,
            author_keys: author_keys.cloned(),
            expect: expect.into(),
            rust,
        });
    }
}

/// Bundle text: JSON values are serialised compactly, strings are taken as they are.
struct BundleText(String);

impl From<Value> for BundleText {
    fn from(v: Value) -> Self {
        BundleText(serde_json::to_string(&v).expect("json"))
    }
}
impl From<&Value> for BundleText {
    fn from(v: &Value) -> Self {
        BundleText(serde_json::to_string(v).expect("json"))
    }
}
impl From<String> for BundleText {
    fn from(s: String) -> Self {
        BundleText(s)
    }
}

/// `v` with `f` applied to a copy.
fn edit(v: &Value, f: impl FnOnce(&mut Value)) -> Value {
    let mut v = v.clone();
    f(&mut v);
    v
}

/// Base64 text with one bit flipped in byte `at` (negative: from the end).
fn flip_b64(s: &str, at: isize, bit: u8) -> String {
    let mut bytes = B64.decode(s).expect("base64");
    let i = if at < 0 {
        bytes.len() - at.unsigned_abs()
    } else {
        at as usize
    };
    bytes[i] ^= bit;
    B64.encode(bytes)
}

fn str_of(v: &Value) -> String {
    v.as_str().expect("a string").to_string()
}

/// The checkpoint note with its signature lines transformed by `f` (text unchanged).
fn with_sig_lines(note: &str, f: impl FnOnce(&mut Vec<String>)) -> String {
    let (text, sigs) = note.split_once("\n\n").expect("a note");
    let mut lines: Vec<String> = sigs.lines().map(str::to_string).collect();
    f(&mut lines);
    format!("{text}\n\n{}\n", lines.join("\n"))
}

fn build() -> Vectors {
    let chain = chain();
    let net = &chain.net;
    let author_keys: BTreeMap<String, String> = chain
        .orgs
        .iter()
        .map(|o| (o.org_id.to_hex(), o.signing_key.to_hex()))
        .collect();
    let keys = Some(&author_keys);
    let pinned = Pinned {
        validators: vkeys(&validators(net)),
        quorum: QUORUM,
    };
    let strangers: Vec<NoteSigner> = (0..4)
        .map(|i| NoteSigner {
            name: format!("validator-{i}"),
            key: SecretKey::from_seed(&[70 + i; 32]),
        })
        .collect();
    let mut c = Cases { cases: Vec::new() };

    // ---- Inclusion bundles: the certificate's own transaction.
    let inc = inclusion_bundle(&chain.store, net, chain.certificate_index);
    let note = str_of(&inc["checkpoint"]);
    const I: &str = "inclusion";
    c.add(
        "valid, author keys checked",
        I,
        &inc,
        None,
        keys,
        "verified",
    );
    c.add("valid, no author keys", I, &inc, None, None, "verified");
    c.add(
        "valid, validator keys pinned",
        I,
        &inc,
        Some(pinned.clone()),
        keys,
        "verified",
    );
    c.add(
        "pinned keys of other validators with the same names",
        I,
        &inc,
        Some(Pinned {
            validators: vkeys(&strangers),
            quorum: QUORUM,
        }),
        None,
        "quorum",
    );
    c.add(
        "quorum 0 still needs one signature, and has three",
        I,
        edit(&inc, |v| v["quorum"] = json!(0)),
        None,
        None,
        "verified",
    );
    c.add(
        "unknown fields are ignored",
        I,
        edit(&inc, |v| {
            v["comment"] = json!({"nested": [1, 2.5e3, null, "x"]})
        }),
        None,
        None,
        "verified",
    );
    let fields = [
        "format",
        "tx_id",
        "index",
        "entry",
        "proof",
        "checkpoint",
        "validators",
        "quorum",
    ];
    c.add(
        "the bundle as a JSON array of its fields in order (serde accepts it)",
        I,
        Value::Array(fields.iter().map(|f| inc[*f].clone()).collect()),
        None,
        None,
        "verified",
    );
    c.add(
        "not JSON",
        I,
        "{\"format\": ".to_string(),
        None,
        None,
        "format",
    );
    c.add(
        "unknown format tag",
        I,
        edit(&inc, |v| v["format"] = json!("tanji-inclusion-bundle/v2")),
        None,
        None,
        "format",
    );
    c.add(
        "missing field",
        I,
        edit(&inc, |v| {
            v.as_object_mut().map(|o| o.remove("quorum"));
        }),
        None,
        None,
        "format",
    );
    let compact = serde_json::to_string(&inc).expect("json");
    let index_field = format!("\"index\":{}", chain.certificate_index);
    assert!(compact.contains(&index_field));
    c.add(
        "index written as a float",
        I,
        compact.replacen(&index_field, &format!("{index_field}.0"), 1),
        None,
        None,
        "format",
    );
    c.add(
        "duplicate field",
        I,
        compact.replacen("{", "{\"quorum\":1,", 1),
        None,
        None,
        "format",
    );
    c.add(
        "negative quorum",
        I,
        edit(&inc, |v| v["quorum"] = json!(-1)),
        None,
        None,
        "format",
    );
    c.add(
        "tx id is not hex",
        I,
        edit(&inc, |v| v["tx_id"] = json!("zz".repeat(32))),
        None,
        None,
        "format",
    );
    c.add(
        "entry is not base64",
        I,
        edit(&inc, |v| v["entry"] = json!("not base64!")),
        None,
        None,
        "entry",
    );
    let entry = str_of(&inc["entry"]);
    let entry_bytes = B64.decode(&entry).expect("base64");
    c.add(
        "entry truncated by one byte",
        I,
        edit(&inc, |v| {
            v["entry"] = json!(B64.encode(&entry_bytes[..entry_bytes.len() - 1]))
        }),
        None,
        None,
        "entry",
    );
    let tx = SignedTx::decode(&entry_bytes).expect("an entry");
    let not_author = SignedTx {
        approvals: vec![Approval {
            signer: chain.orgs[3].org_id,
            signature: tx.approvals[0].signature,
        }],
        ..tx.clone()
    };
    c.add(
        "first approval not by the author",
        I,
        edit(&inc, |v| {
            v["entry"] = json!(B64.encode(not_author.encode()));
            v["tx_id"] = json!(not_author.id().to_hex());
        }),
        None,
        None,
        "entry",
    );
    // A byte of the certificate's scope text (ASCII stays ASCII), inside the signed body.
    let scope = b"reasonable assurance";
    let at = entry_bytes
        .windows(scope.len())
        .position(|w| w == scope)
        .expect("the scope is in the entry");
    c.add(
        "body byte flipped (a letter of the certificate's scope)",
        I,
        edit(&inc, |v| {
            v["entry"] = json!(flip_b64(&entry, at as isize, 0x20))
        }),
        None,
        None,
        "transaction id",
    );
    c.add(
        "approval byte flipped (last byte of the author's signature)",
        I,
        edit(&inc, |v| v["entry"] = json!(flip_b64(&entry, -1, 0x01))),
        None,
        None,
        "inclusion proof",
    );
    c.add(
        "wrong tx id",
        I,
        edit(&inc, |v| {
            v["tx_id"] = json!(TxId::of_body_bytes(b"other").to_hex())
        }),
        None,
        None,
        "transaction id",
    );
    let proof0 = str_of(&inc["proof"][0]);
    c.add(
        "proof hash flipped",
        I,
        edit(&inc, |v| v["proof"][0] = json!(flip_b64(&proof0, 5, 0x80))),
        None,
        None,
        "inclusion proof",
    );
    c.add(
        "proof truncated",
        I,
        edit(&inc, |v| {
            v["proof"].as_array_mut().map(Vec::pop);
        }),
        None,
        None,
        "inclusion proof",
    );
    c.add(
        "proof with 65 hashes",
        I,
        edit(&inc, |v| v["proof"] = json!(vec![proof0.clone(); 65])),
        None,
        None,
        "inclusion proof",
    );
    c.add(
        "proof hash is not base64",
        I,
        edit(&inc, |v| v["proof"][1] = json!("****")),
        None,
        None,
        "inclusion proof",
    );
    c.add(
        "proof hash of 31 bytes",
        I,
        edit(&inc, |v| v["proof"][1] = json!(B64.encode([7u8; 31]))),
        None,
        None,
        "inclusion proof",
    );
    c.add(
        "wrong index (a sibling's)",
        I,
        edit(&inc, |v| v["index"] = json!(chain.certificate_index - 1)),
        None,
        None,
        "inclusion proof",
    );
    c.add(
        "index beyond the tree size",
        I,
        edit(&inc, |v| v["index"] = json!(u64::MAX)),
        None,
        None,
        "inclusion proof",
    );
    let cp_text = note.split_once("\n\n").expect("a note").0.to_string();
    let cp_lines: Vec<&str> = cp_text.lines().collect();
    let (origin, size, root) = (cp_lines[0], cp_lines[1], cp_lines[2]);
    let size_n: u64 = size.parse().expect("a size");
    let with_text = |text: String| note.replacen(&cp_text, &text, 1);
    let other_root = B64.encode([0x42u8; 32]);
    c.add(
        "checkpoint root changed (not re-signed)",
        I,
        edit(&inc, |v| {
            v["checkpoint"] = json!(with_text(format!("{origin}\n{size}\n{other_root}")))
        }),
        None,
        None,
        "inclusion proof",
    );
    c.add(
        "checkpoint size changed (not re-signed)",
        I,
        edit(&inc, |v| {
            v["checkpoint"] = json!(with_text(format!("{origin}\n{}\n{root}", size_n + 1)))
        }),
        None,
        None,
        "inclusion proof",
    );
    c.add(
        "checkpoint size with a leading zero",
        I,
        edit(&inc, |v| {
            v["checkpoint"] = json!(with_text(format!("{origin}\n0{size}\n{root}")))
        }),
        None,
        None,
        "checkpoint",
    );
    c.add(
        "checkpoint without signature lines",
        I,
        edit(&inc, |v| v["checkpoint"] = json!(format!("{cp_text}\n"))),
        None,
        None,
        "checkpoint",
    );
    c.add(
        "checkpoint signature line without the em dash",
        I,
        edit(&inc, |v| {
            v["checkpoint"] =
                json!(with_sig_lines(&note, |l| l[1] = l[1].replacen('\u{2014}', "-", 1)))
        }),
        None,
        None,
        "checkpoint",
    );
    // A checkpoint for another origin, correctly signed by the same validators.
    let elsewhere = Checkpoint {
        origin: "other.tanji.local",
        size: size_n,
        root: B64
            .decode(root)
            .expect("base64")
            .try_into()
            .expect("32 bytes"),
    };
    let elsewhere_note = cosigned(net, &elsewhere);
    c.add(
        "checkpoint signed for another network",
        I,
        edit(&inc, |v| v["checkpoint"] = json!(elsewhere_note.clone())),
        None,
        None,
        "network",
    );
    c.add(
        "a validator's signature line removed",
        I,
        edit(&inc, |v| {
            v["checkpoint"] = json!(with_sig_lines(&note, |l| {
                l.remove(1);
            }))
        }),
        None,
        None,
        "quorum",
    );
    c.add(
        "a signature line duplicated in place of another validator's",
        I,
        edit(&inc, |v| {
            v["checkpoint"] = json!(with_sig_lines(&note, |l| l[2] = l[1].clone()))
        }),
        None,
        None,
        "quorum",
    );
    let sig_line = |l: &str, at: isize, bit: u8| {
        let (head, b64) = l.rsplit_once(' ').expect("a signature line");
        format!("{head} {}", flip_b64(b64, at, bit))
    };
    c.add(
        "a validator's signature byte flipped",
        I,
        edit(&inc, |v| {
            v["checkpoint"] = json!(with_sig_lines(&note, |l| l[1] = sig_line(&l[1], 10, 0x01)))
        }),
        None,
        None,
        "checkpoint signatures",
    );
    c.add(
        "a validator's key id flipped on its signature line (the line no longer counts)",
        I,
        edit(&inc, |v| {
            v["checkpoint"] = json!(with_sig_lines(&note, |l| l[1] = sig_line(&l[1], 0, 0x01)))
        }),
        None,
        None,
        "quorum",
    );
    c.add(
        "the witness's signature byte flipped (not a validator: ignored)",
        I,
        edit(&inc, |v| {
            v["checkpoint"] = json!(with_sig_lines(&note, |l| l[3] = sig_line(&l[3], 10, 0x01)))
        }),
        None,
        None,
        "verified",
    );
    c.add(
        "a validator's key swapped in the bundle",
        I,
        edit(&inc, |v| {
            v["validators"][1] = json!(strangers[1].verifier().to_vkey())
        }),
        None,
        None,
        "quorum",
    );
    c.add(
        "a validator key whose key id does not match",
        I,
        edit(&inc, |v| {
            let good = validator(net, 1).verifier().to_vkey();
            let stranger = strangers[1].verifier().to_vkey();
            // vkey = name+id+key, and a base64 key may itself contain '+'.
            let good: Vec<&str> = good.splitn(3, '+').collect();
            let stranger: Vec<&str> = stranger.splitn(3, '+').collect();
            v["validators"][1] = json!(format!("{}+{}+{}", good[0], good[1], stranger[2]));
        }),
        None,
        None,
        "checkpoint signatures",
    );
    let mut wrong_keys = author_keys.clone();
    let certifier = chain.orgs[4].org_id.to_hex();
    wrong_keys.insert(certifier.clone(), chain.orgs[3].signing_key.to_hex());
    c.add(
        "author key map gives another organisation's key",
        I,
        &inc,
        None,
        Some(&wrong_keys),
        "entry signature",
    );
    let mut missing_key = author_keys.clone();
    missing_key.remove(&certifier);
    c.add(
        "author key map lacks the author",
        I,
        &inc,
        None,
        Some(&missing_key),
        "entry signature",
    );

    // ---- The hand-built log: entries the ledger would refuse, proven to be in a signed log.
    let supplier = net.supplier(10);
    let forged = forged_log(net, &supplier);
    c.add(
        "forged log: honestly signed entry",
        I,
        forged.inclusion_bundle(net, 0),
        None,
        keys,
        "verified",
    );
    c.add(
        "forged log: entry signed with another key, no author keys (a bundle alone cannot tell)",
        I,
        forged.inclusion_bundle(net, 1),
        None,
        None,
        "verified",
    );
    c.add(
        "forged log: entry signed with another key, author keys checked",
        I,
        forged.inclusion_bundle(net, 1),
        None,
        keys,
        "entry signature",
    );
    c.add(
        "forged log: transaction for another network",
        I,
        forged.inclusion_bundle(net, 3),
        None,
        None,
        "network",
    );

    // ---- Certificate bundles (log part): the certificate, rule, attestation and factor.
    let cert = certificate_bundle(
        &chain.store,
        net,
        &chain.certificate_id,
        &chain.certificate_tree,
    );
    // The full Rust certificate check passes on the untouched bundle.
    let full = CertificateBundle::from_json(&serde_json::to_string(&cert).expect("json"))
        .and_then(|b| b.verify(None))
        .expect("the certificate bundle verifies in full");
    assert_eq!(full.entries_proven, chain.certificate_tree.len());
    const C: &str = "certificate";
    c.add(
        "valid, author keys checked",
        C,
        &cert,
        None,
        keys,
        "verified",
    );
    c.add(
        "valid, validator keys pinned",
        C,
        &cert,
        Some(pinned.clone()),
        None,
        "verified",
    );
    let e1 = str_of(&cert["entries"][1]["entry"]);
    c.add(
        "an entry's body byte flipped",
        C,
        edit(&cert, |v| {
            v["entries"][1]["entry"] = json!(flip_b64(&e1, 40, 0x01))
        }),
        None,
        None,
        "inclusion proof",
    );
    c.add(
        "an entry is not base64",
        C,
        edit(&cert, |v| v["entries"][2]["entry"] = json!("@@@@")),
        None,
        None,
        "entry",
    );
    let p = str_of(&cert["entries"][0]["proof"][0]);
    c.add(
        "a proof hash flipped",
        C,
        edit(&cert, |v| {
            v["entries"][0]["proof"][0] = json!(flip_b64(&p, 0, 0x01))
        }),
        None,
        None,
        "inclusion proof",
    );
    c.add(
        "a proof with 65 hashes",
        C,
        edit(&cert, |v| {
            v["entries"][3]["proof"] = json!(vec![p.clone(); 65])
        }),
        None,
        None,
        "inclusion proof",
    );
    c.add(
        "an entry's index changed",
        C,
        edit(&cert, |v| v["entries"][3]["index"] = json!(3)),
        None,
        None,
        "inclusion proof",
    );
    c.add(
        "checkpoint root changed (signatures are checked first here)",
        C,
        edit(&cert, |v| {
            v["checkpoint"] = json!(with_text(format!("{origin}\n{size}\n{other_root}")))
        }),
        None,
        None,
        "checkpoint signatures",
    );
    c.add(
        "a validator's signature line removed",
        C,
        edit(&cert, |v| {
            v["checkpoint"] = json!(with_sig_lines(&note, |l| {
                l.remove(0);
            }))
        }),
        None,
        None,
        "quorum",
    );
    c.add(
        "checkpoint signed for another network",
        C,
        edit(&cert, |v| v["checkpoint"] = json!(elsewhere_note.clone())),
        None,
        None,
        "network",
    );
    c.add(
        "author key map gives another organisation's key",
        C,
        &cert,
        None,
        Some(&wrong_keys),
        "entry signature",
    );
    c.add(
        "forged log: an entry in the log that is not a transaction",
        C,
        forged.certificate_bundle(net, &[0, 2]),
        None,
        None,
        "entry",
    );
    c.add(
        "forged log: an entry signed with another key",
        C,
        forged.certificate_bundle(net, &[0, 1]),
        None,
        keys,
        "entry signature",
    );

    // ---- Validator set changes: a verifier pinning the genesis keys follows the links.
    let changes = set_change_log(net, &supplier);
    let sc_inc = changes.inclusion_bundle(net);
    let sc_cert = changes.certificate_bundle(net);
    c.add(
        "set changes followed from the pinned genesis keys",
        I,
        &sc_inc,
        Some(pinned.clone()),
        None,
        "verified",
    );
    c.add(
        "set changes followed from the pinned genesis keys (certificate)",
        C,
        &sc_cert,
        Some(pinned.clone()),
        None,
        "verified",
    );
    c.add(
        "set changes, the bundle's own keys",
        I,
        &sc_inc,
        None,
        None,
        "verified",
    );
    c.add(
        "set changes left out, genesis keys pinned",
        I,
        edit(&sc_inc, |b| {
            b.as_object_mut().expect("object").remove("set_changes");
        }),
        Some(pinned.clone()),
        None,
        "quorum",
    );
    c.add(
        "set change link signed by the set it makes",
        I,
        edit(&sc_inc, |b| {
            b["set_changes"][0]["checkpoint"] = signed_by(net, &changes.tree, 2, &[3, 4]).into();
        }),
        Some(pinned.clone()),
        None,
        "set change",
    );
    c.add(
        "set change link whose entry is not a set change",
        I,
        edit(&sc_inc, |b| {
            b["set_changes"][0] = changes.link(0, 2);
        }),
        Some(pinned.clone()),
        None,
        "set change",
    );
    c.add(
        "set change links out of order",
        I,
        edit(&sc_inc, |b| {
            let links = b["set_changes"].as_array_mut().expect("links");
            links.swap(0, 1);
        }),
        Some(pinned.clone()),
        None,
        "set change",
    );
    c.add(
        "set change link with a broken inclusion proof",
        I,
        edit(&sc_inc, |b| {
            let first = str_of(&b["set_changes"][1]["proof"][0]);
            b["set_changes"][1]["proof"][0] = flip_b64(&first, 0, 1).into();
        }),
        Some(pinned.clone()),
        None,
        "set change",
    );
    c.add(
        "set change link at the bundle's own checkpoint",
        I,
        edit(&sc_inc, |b| {
            b["set_changes"][1] = json!({
                "index": 2,
                "entry": B64.encode(&changes.entries[2]),
                "proof": changes.proof(2, 4),
                "checkpoint": changes.notes[&4],
            });
        }),
        Some(pinned.clone()),
        None,
        "set change",
    );
    c.add(
        "set change link with a malformed index",
        I,
        edit(&sc_inc, |b| {
            b["set_changes"][0]["index"] = json!("one");
        }),
        Some(pinned.clone()),
        None,
        "format",
    );

    Vectors {
        about: "Generated by ledger/tests/browser_vectors.rs (TANJI_UPDATE_VECTORS=1 cargo test --release --workspace --test browser_vectors). Each case is a bundle as served (JSON text), optional pinned validator keys and author keys, the check the verifier must report as failing first (or verified), and the Rust verifier's own result. Do not edit by hand.",
        network: net.network.clone(),
        cases: c.cases,
    }
}

#[test]
fn browser_vectors_are_current() {
    let vectors = build();
    let mut text = serde_json::to_string_pretty(&vectors).expect("json");
    text.push('\n');
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../web/src/verify/vectors.json");
    if std::env::var(ENV_VAR).as_deref() == Ok("1") {
        std::fs::write(&path, &text).unwrap_or_else(|e| panic!("writing {}: {e}", path.display()));
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "reading {}: {e}; generate it with {ENV_VAR}=1",
            path.display()
        )
    });
    assert!(
        committed == text,
        "{} is not what this test generates; if the change is intended, regenerate it with {ENV_VAR}=1 and review the diff",
        path.display()
    );
}

//! The RocksDB store, and the RocksDB and in-memory stores side by side.

use std::path::Path;

use proptest::prelude::*;

use super::test_chain::{self, TestBatch};
use super::*;
use crate::merkle::{naive, verify_consistency, verify_inclusion, Blake3Hasher, MerkleHasher};
use crate::state::StateView;
use crate::testkit::TestNet;
use crate::tx::TxKind;

fn open(dir: &Path) -> Store {
    Store::open(dir, false).expect("open store")
}

fn started(dir: &Path, net: &TestNet) -> Store {
    let store = open(dir);
    let out = store
        .append_batch(&[Candidate::new(net.genesis())], Some(&net.node))
        .expect("append");
    assert!(out.results[0].1.is_ok());
    store
}

#[test]
fn append_prove_reopen() {
    let dir = tempfile::tempdir().expect("tempdir");
    let net = TestNet::new();
    let s = net.supplier(10);
    let mut roots = Vec::new();
    {
        let store = started(dir.path(), &net);
        roots.push(store.head());
        store
            .append_batch(&[Candidate::new(net.register(&s))], Some(&net.node))
            .expect("append");
        roots.push(store.head());
        let batch: Vec<_> = (1..=20)
            .map(|n| Candidate::new(net.anchor(&s, n, &format!("doc {n}"))))
            .collect();
        let out = store.append_batch(&batch, Some(&net.node)).expect("append");
        assert!(out.results.iter().all(|(_, r)| r.is_ok()));
        assert_eq!(out.head.size, 22);
        roots.push(store.head());
    }
    let store = open(dir.path());
    let head = store.head();
    assert_eq!(head, roots[2], "head survives reopening");
    for i in 0..head.size {
        let entry = store.entry(i).expect("read").expect("present");
        let proof = store.inclusion_proof(i, head.size).expect("proof");
        verify_inclusion::<Blake3Hasher>(
            &Blake3Hasher::hash_leaf(&entry),
            i,
            head.size,
            &proof,
            &head.root,
        )
        .expect("inclusion verifies");
    }
    for old in &roots {
        let proof = store.consistency_proof(old.size, head.size).expect("proof");
        verify_consistency::<Blake3Hasher>(old.size, head.size, &old.root, &head.root, &proof)
            .expect("consistency verifies");
        assert_eq!(store.root_at(old.size).expect("root"), old.root);
        let note = store
            .checkpoint_at(old.size)
            .expect("read")
            .expect("checkpoint per batch");
        let note = SignedNote::parse(&note).expect("parse");
        note.verify(&[net.node.verifier()], 1)
            .expect("signed by the node");
        assert_eq!(note.checkpoint().expect("cp").root, old.root);
    }
    let report = store.check_integrity().expect("consistent");
    assert_eq!(report.entries, 22);
    assert_eq!(report.checkpoints, 3);
    assert_eq!(store.last_nonce(&s.org_id).expect("nonce"), Some(20));
    assert!(store.nonce_used(&s.org_id, 5).expect("nonce"));
    assert!(!store.nonce_used(&s.org_id, 21).expect("nonce"));
}

#[test]
fn refused_transactions_leave_no_trace() {
    let dir = tempfile::tempdir().expect("tempdir");
    let net = TestNet::new();
    let store = started(dir.path(), &net);
    let s = net.supplier(10);
    let head = store.head();
    // Not registered yet: refused; then a batch where the registration comes first.
    let out = store
        .append_batch(
            &[Candidate::new(net.anchor(&s, 1, "early"))],
            Some(&net.node),
        )
        .expect("append");
    assert!(out.results[0].1.is_err());
    assert!(out.checkpoint.is_none());
    assert_eq!(store.head(), head);
    let anchor = net.anchor(&s, 1, "in order");
    let out = store
        .append_batch(
            &[
                Candidate::new(net.register(&s)),
                Candidate::new(anchor.clone()),
                Candidate::new(anchor.clone()),
            ],
            Some(&net.node),
        )
        .expect("append");
    assert_eq!(out.results[0].1, Ok(1));
    assert_eq!(
        out.results[1].1,
        Ok(2),
        "later transactions see earlier ones' effects"
    );
    assert!(
        matches!(out.results[2].1, Err(TxError::NonceUsed { .. })),
        "replay within a batch"
    );
    assert_eq!(store.tx_index(&anchor.id()).expect("index"), Some(2));
    assert_eq!(store.head().size, 3);
    store.check_integrity().expect("consistent");
}

#[test]
fn out_of_range_requests_are_errors() {
    let dir = tempfile::tempdir().expect("tempdir");
    let net = TestNet::new();
    let store = started(dir.path(), &net);
    assert!(store.inclusion_proof(1, 1).is_err());
    assert!(store.inclusion_proof(0, 2).is_err());
    assert!(store.consistency_proof(2, 1).is_err());
    assert!(store.entries(0, 2).is_err());
    assert_eq!(store.entry(1).expect("read"), None);
    assert!(store.root_at(u64::MAX).is_err());
}

#[test]
fn decisions_are_recorded_atomically_and_in_order() {
    let dir = tempfile::tempdir().expect("tempdir");
    let net = TestNet::new();
    let s = net.supplier(10);
    let record = |height: u64| DecidedRecord {
        height,
        value_id: [height as u8; 32],
        certificate: vec![1, 2, 3],
        batch: vec![height as u8; 10],
        first_index: 0,
        size_after: 0,
    };
    {
        let store = open(dir.path());
        assert_eq!(store.last_decided().expect("read"), None);
        store
            .append_decided(
                &record(1),
                &[
                    Candidate::new(net.genesis()),
                    Candidate::new(net.register(&s)),
                ],
                Some(&net.node),
            )
            .expect("height 1");
        // A decided batch whose every transaction is refused still advances the height.
        let out = store
            .append_decided(
                &record(2),
                &[Candidate::new(net.register(&s))],
                Some(&net.node),
            )
            .expect("height 2");
        assert!(out.results[0].1.is_err());
        assert!(matches!(
            store.append_decided(&record(4), &[], None),
            Err(StoreError::OutOfRange(_))
        ));
    }
    let store = open(dir.path());
    assert_eq!(store.last_decided().expect("read"), Some(2));
    let d1 = store.decided(1).expect("read").expect("present");
    assert_eq!((d1.first_index, d1.size_after), (0, 2));
    let d2 = store.decided(2).expect("read").expect("present");
    assert_eq!((d2.first_index, d2.size_after), (2, 2));
    assert_eq!(d2.batch, vec![2u8; 10]);
    store.check_integrity().expect("consistent");
}

#[test]
fn observers_are_stored_and_seen_within_a_batch() {
    let dir = tempfile::tempdir().expect("tempdir");
    let net = TestNet::new();
    let a = net.observer(100, "observer-a");
    let b = net.observer(101, "observer-b");
    {
        let store = started(dir.path(), &net);
        assert!(store.observers().expect("observers").is_empty());
        // Within one batch, later transactions see earlier ones' observers.
        let batch = [
            Candidate::new(net.governance(1, TxKind::RegisterObserver(a.clone()))),
            Candidate::new(net.governance(2, TxKind::RegisterObserver(b.clone()))),
            Candidate::new(net.governance(3, TxKind::RegisterObserver(a.clone()))),
            Candidate::new(net.governance(
                4,
                TxKind::RemoveObserver {
                    key: a.key,
                    reason: "moved".into(),
                },
            )),
        ];
        let out = store.append_batch(&batch, Some(&net.node)).expect("append");
        assert!(out.results[0].1.is_ok());
        assert!(out.results[1].1.is_ok());
        assert_eq!(
            out.results[2].1,
            Err(TxError::NodeNameTaken("observer-a".into()))
        );
        assert!(out.results[3].1.is_ok());
    }
    let store = open(dir.path());
    assert_eq!(store.observers().expect("observers"), vec![b]);
}

fn apply_rocks(store: &Store, b: &TestBatch, net: &TestNet) -> BatchOutcome {
    match &b.decided {
        Some(d) => store.append_decided(d, &b.candidates, Some(&net.node)),
        None => store.append_batch(&b.candidates, Some(&net.node)),
    }
    .expect("append to RocksDB")
}

fn apply_memory(store: &mut MemoryStore, b: &TestBatch, net: &TestNet) -> BatchOutcome {
    match &b.decided {
        Some(d) => store.append_decided(d, &b.candidates, Some(&net.node)),
        None => store.append_batch(&b.candidates, Some(&net.node)),
    }
    .expect("append in memory")
}

fn same_outcome(a: &BatchOutcome, b: &BatchOutcome) {
    assert_eq!(a.results, b.results);
    assert_eq!(a.head, b.head);
    assert_eq!(a.checkpoint, b.checkpoint);
}

/// Every read of [`LedgerRead`] (and [`StateView`]) gives the same answer on
/// both stores, for every entry, size, height and record they hold, and for
/// the transactions `ids` (in the log or refused).
fn same_reads(a: &dyn LedgerRead, b: &dyn LedgerRead, ids: &[TxId]) {
    let head = a.head();
    assert_eq!(head, b.head(), "heads");
    let size = head.size;
    assert_eq!(
        a.entries(0, size).expect("entries"),
        b.entries(0, size).expect("entries")
    );
    assert!(a.entries(0, size + 1).is_err() && b.entries(0, size + 1).is_err());
    for i in 0..=size {
        assert_eq!(a.entry(i).expect("entry"), b.entry(i).expect("entry"));
        assert_eq!(a.root_at(i).expect("root"), b.root_at(i).expect("root"));
        if i > 0 {
            assert_eq!(
                a.consistency_proof(i, size).expect("proof"),
                b.consistency_proof(i, size).expect("proof")
            );
        }
        assert_eq!(
            a.checkpoint_at(i).expect("checkpoint"),
            b.checkpoint_at(i).expect("checkpoint")
        );
        if i < size {
            assert_eq!(
                a.inclusion_proof(i, size).expect("proof"),
                b.inclusion_proof(i, size).expect("proof")
            );
        }
    }
    assert!(a.root_at(size + 1).is_err() && b.root_at(size + 1).is_err());
    for id in ids {
        assert_eq!(
            a.tx_index(id).expect("index"),
            b.tx_index(id).expect("index")
        );
    }
    assert_eq!(
        a.latest_checkpoint().expect("read"),
        b.latest_checkpoint().expect("read")
    );
    let last = a.last_decided().expect("read");
    assert_eq!(last, b.last_decided().expect("read"));
    for h in 0..=last.unwrap_or(0) + 1 {
        assert_eq!(a.decided(h).expect("read"), b.decided(h).expect("read"));
    }
    assert_eq!(a.network().expect("read"), b.network().expect("read"));
    assert_eq!(a.governance().expect("read"), b.governance().expect("read"));
    assert_eq!(a.observers().expect("read"), b.observers().expect("read"));
    let orgs = a.orgs().expect("orgs");
    assert_eq!(orgs, b.orgs().expect("orgs"));
    for (id, _) in &orgs {
        assert_eq!(a.org(id).expect("read"), b.org(id).expect("read"));
        assert_eq!(
            a.last_nonce(id).expect("read"),
            b.last_nonce(id).expect("read")
        );
        for n in 0..12 {
            assert_eq!(
                a.nonce_used(id, n).expect("read"),
                b.nonce_used(id, n).expect("read")
            );
        }
    }
    let factors = a.factors().expect("factors");
    assert_eq!(factors, b.factors().expect("factors"));
    for f in &factors {
        let r = &f.record.reference;
        assert_eq!(a.factor(r).expect("read"), b.factor(r).expect("read"));
        assert_eq!(
            a.factor_versions(&r.id).expect("read"),
            b.factor_versions(&r.id).expect("read")
        );
        assert_eq!(
            a.footprints_using_factor(r).expect("read"),
            b.footprints_using_factor(r).expect("read")
        );
    }
    let rules = a.rules().expect("rules");
    assert_eq!(rules, b.rules().expect("rules"));
    for r in &rules {
        let r = &r.rule.reference;
        assert_eq!(a.rule(r).expect("read"), b.rule(r).expect("read"));
    }
    let footprints = a.footprints().expect("footprints");
    assert_eq!(footprints, b.footprints().expect("footprints"));
    for f in &footprints {
        assert_eq!(
            a.footprint(&f.id).expect("read"),
            b.footprint(&f.id).expect("read")
        );
        assert_eq!(
            a.downstream_of(&f.id).expect("read"),
            b.downstream_of(&f.id).expect("read")
        );
    }
    let certificates = a.certificates().expect("certificates");
    assert_eq!(certificates, b.certificates().expect("certificates"));
    for c in &certificates {
        let id = &c.certificate.id;
        assert_eq!(
            a.certificate(id).expect("read"),
            b.certificate(id).expect("read")
        );
    }
}

#[test]
fn rocksdb_and_memory_stores_agree() {
    let dir = tempfile::tempdir().expect("tempdir");
    let net = TestNet::new();
    let batches = test_chain::batches(&net);
    let ids: Vec<TxId> = batches
        .iter()
        .flat_map(|b| b.candidates.iter().map(|c| c.id))
        .collect();
    let mut memory = MemoryStore::new();
    {
        let rocks = open(dir.path());
        same_reads(&rocks, &memory, &ids);
        for b in &batches {
            same_outcome(
                &apply_rocks(&rocks, b, &net),
                &apply_memory(&mut memory, b, &net),
            );
            same_reads(&rocks, &memory, &ids);
        }
        // Private envelopes are kept beside the log on both.
        let hash = crate::sealed::EnvelopeHash([7; 32]);
        rocks.put_envelope(&hash, b"sealed").expect("put");
        memory.put_envelope(&hash, b"sealed").expect("put");
        assert_eq!(
            rocks.envelope(&hash).expect("read"),
            Some(b"sealed".to_vec())
        );
        assert_eq!(
            LedgerRead::envelope(&memory, &hash).expect("read"),
            Some(b"sealed".to_vec())
        );
        assert!(rocks.delete_envelope(&hash).expect("delete"));
        assert!(memory.delete_envelope(&hash).expect("delete"));
        assert_eq!(LedgerRead::envelope(&memory, &hash).expect("read"), None);
        assert_eq!(rocks.envelope(&hash).expect("read"), None);
    }
    let rocks = open(dir.path());
    same_reads(&rocks, &memory, &ids);
    let report = rocks.check_integrity().expect("consistent");
    assert_eq!(report.root, memory.head().root);
}

#[test]
fn one_plan_commits_to_either_store() {
    let dir = tempfile::tempdir().expect("tempdir");
    let net = TestNet::new();
    let rocks = open(dir.path());
    let mut memory = MemoryStore::new();
    let mut ids = Vec::new();
    for b in test_chain::batches(&net) {
        ids.extend(b.candidates.iter().map(|c| c.id));
        // Planned once, against the in-memory store; committed to both.
        let plan =
            plan_batch(&memory, &b.candidates, Some(&net.node), b.decided.as_ref()).expect("plan");
        let from_rocks =
            plan_batch(&rocks, &b.candidates, Some(&net.node), b.decided.as_ref()).expect("plan");
        assert_eq!(
            plan.writes(),
            from_rocks.writes(),
            "same plan from either view"
        );
        same_outcome(
            &rocks.commit(plan.clone()).expect("commit"),
            &memory.commit(plan.clone()).expect("commit"),
        );
        assert!(matches!(rocks.commit(plan), Err(StoreError::StalePlan(_))));
    }
    same_reads(&rocks, &memory, &ids);
    rocks.check_integrity().expect("consistent");
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(12))]

    /// Whatever the batch sizes (empty batches included), both stores' roots
    /// at every size are the naive RFC 9162 root of the entries so far.
    #[test]
    fn both_stores_roots_are_the_naive_root(sizes in prop::collection::vec(0usize..40, 1..6)) {
        let dir = tempfile::tempdir().expect("tempdir");
        let net = TestNet::new();
        let s = net.supplier(10);
        let rocks = open(dir.path());
        let mut memory = MemoryStore::new();
        let mut nonce = 0u64;
        let mut batches = vec![vec![Candidate::new(net.genesis()), Candidate::new(net.register(&s))]];
        for n in sizes {
            batches.push(
                (0..n)
                    .map(|_| {
                        nonce += 1;
                        Candidate::new(net.anchor(&s, nonce, "prop"))
                    })
                    .collect(),
            );
        }
        let mut entries: Vec<Vec<u8>> = Vec::new();
        for batch in &batches {
            let a = rocks.append_batch(batch, Some(&net.node)).expect("append");
            let b = memory.append_batch(batch, Some(&net.node)).expect("append");
            prop_assert!(a.results.iter().all(|(_, r)| r.is_ok()));
            same_outcome(&a, &b);
            entries.extend(batch.iter().map(|c| c.entry.clone()));
            let leaves = naive::leaf_hashes::<Blake3Hasher>(&entries);
            let size = entries.len() as u64;
            prop_assert_eq!(rocks.head(), Head { size, root: naive::mth::<Blake3Hasher>(&leaves) });
            prop_assert_eq!(memory.head(), rocks.head());
            for k in 0..=leaves.len() {
                let root = naive::mth::<Blake3Hasher>(&leaves[..k]);
                prop_assert_eq!(rocks.root_at(k as u64).expect("root"), root);
                prop_assert_eq!(LedgerRead::root_at(&memory, k as u64).expect("root"), root);
            }
        }
        let leaf = Blake3Hasher::hash_leaf(&entries[0]);
        let head = memory.head();
        let proof = LedgerRead::inclusion_proof(&memory, 0, head.size).expect("proof");
        prop_assert!(verify_inclusion::<Blake3Hasher>(&leaf, 0, head.size, &proof, &head.root).is_ok());
    }
}

/// Private records: namespaces stay apart from each other and from
/// envelopes, listings are in key order, and the RocksDB store keeps them
/// across a reopen exactly as the in-memory store holds them.
#[test]
fn private_records_by_namespace() {
    let dir = tempfile::tempdir().expect("tempdir");
    let memory = MemoryStore::new();
    let check = |s: &dyn PrivateRecords| {
        assert_eq!(s.private_list("pact-client").expect("list"), vec![]);
        s.private_put("pact-client", b"b", b"2").expect("put");
        s.private_put("pact-client", b"a", b"1").expect("put");
        s.private_put("pact-clients", b"a", b"other").expect("put");
        s.private_put("pact-client", b"b", b"3").expect("replace");
        assert_eq!(
            s.private_list("pact-client").expect("list"),
            vec![
                (b"a".to_vec(), b"1".to_vec()),
                (b"b".to_vec(), b"3".to_vec())
            ]
        );
        assert_eq!(
            s.private_get("pact-clients", b"a").expect("get"),
            Some(b"other".to_vec())
        );
        assert_eq!(
            s.private_keys("pact-client").expect("keys"),
            vec![b"a".to_vec(), b"b".to_vec()]
        );
        assert!(s.private_delete("pact-client", b"a").expect("delete"));
        assert!(!s.private_delete("pact-client", b"a").expect("delete again"));
        assert_eq!(s.private_get("pact-client", b"a").expect("get"), None);
    };
    check(&memory);
    {
        let rocks = open(dir.path());
        check(&rocks);
    }
    let rocks = open(dir.path());
    assert_eq!(
        rocks.private_list("pact-client").expect("list"),
        memory.private_list("pact-client").expect("list")
    );
    assert_eq!(
        rocks
            .envelope(&crate::sealed::EnvelopeHash::of_bytes(b"x"))
            .expect("read"),
        None
    );
}

#[test]
fn a_validator_set_change_takes_effect_after_its_batch() {
    let dir = tempfile::tempdir().expect("tempdir");
    let net = TestNet::new();
    let added: Vec<_> = (1..=4u8)
        .map(|i| net.validator(100 + i, &format!("validator-{i}")))
        .collect();
    {
        let store = started(dir.path(), &net);
        let head = store.head().size;
        // A decided batch: two additions between anchors. Both begin after
        // the batch's last entry, and record the height that decided them.
        let supplier = net.supplier(10);
        let batch = [
            Candidate::new(net.register(&supplier)),
            Candidate::new(net.governance(1, TxKind::AddValidator(added[0].clone()))),
            Candidate::new(net.governance(2, TxKind::AddValidator(added[1].clone()))),
            Candidate::new(net.anchor(&supplier, 1, "after")),
        ];
        let out = store
            .append_decided(&test_chain::record(1), &batch, Some(&net.node))
            .expect("append");
        assert!(out.results.iter().all(|(_, r)| r.is_ok()), "{out:?}");
        let end = head + 4;
        let epochs = store.validator_epochs().expect("epochs");
        assert_eq!(epochs.len(), 3);
        assert_eq!(epochs[0].first_size, 1, "the genesis set keeps size 1");
        for e in &epochs[1..] {
            assert_eq!(e.first_size, end + 1);
            assert_eq!(e.height, Some(1));
        }
        assert_eq!(
            (epochs[1].change_index, epochs[2].change_index),
            (head + 1, head + 2)
        );
        let at = |size| crate::state::epoch_for_size(&epochs, size).map(|e| e.validators.len());
        assert_eq!(at(end), Some(1), "the old set signs the batch's checkpoint");
        assert_eq!(at(end + 1), Some(3), "the new set signs what follows");

        // An undecided (solo) batch records no height.
        let batch = [Candidate::new(
            net.governance(3, TxKind::AddValidator(added[2].clone())),
        )];
        store.append_batch(&batch, Some(&net.node)).expect("append");
        let epochs = store.validator_epochs().expect("epochs");
        assert_eq!(epochs[3].height, None);
        assert_eq!(epochs[3].first_size, end + 2);
    }
    let store = open(dir.path());
    let epochs = store.validator_epochs().expect("epochs after reopening");
    assert_eq!(epochs.len(), 4);
    assert_eq!(
        crate::state::current_validators(&store).expect("set").len(),
        4
    );
}

use super::*;
use crate::merkle::{verify_consistency, verify_inclusion};
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

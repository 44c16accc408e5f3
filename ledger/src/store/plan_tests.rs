//! The planning step and the in-memory store, with no database.

use std::collections::BTreeSet;

use super::keys::*;
use super::test_chain::{self, record};
use super::*;
use crate::carbon::RecordRef;
use crate::checkpoint::SignedNote;
use crate::merkle::{
    verify_consistency, verify_inclusion, Blake3Hasher, MemoryTree, MerkleHasher, NodeSource,
};
use crate::state::{MemoryState, StateChange, StateView};
use crate::testkit::TestNet;
use crate::validate;

fn started(net: &TestNet) -> MemoryStore {
    let mut store = MemoryStore::new();
    let out = store
        .append_batch(&[Candidate::new(net.genesis())], Some(&net.node))
        .expect("genesis");
    assert_eq!(out.results[0].1, Ok(0));
    store
}

fn writes_in<'a>(writes: &'a [KvWrite], cf: &str) -> Vec<&'a KvWrite> {
    writes.iter().filter(|w| w.cf == cf).collect()
}

#[test]
fn a_batch_is_planned_without_a_database() {
    let net = TestNet::new();
    let mut store = started(&net);
    let before = store.head();
    let s = net.supplier(10);
    let stranger = net.supplier(11);
    let anchor = net.anchor(&s, 1, "doc");
    let refused_id = net.anchor(&stranger, 1, "stranger").id();
    let batch = [
        Candidate::new(net.register(&s)),
        Candidate::new(anchor.clone()),
        Candidate::new(anchor.clone()),
        Candidate::new(net.anchor(&stranger, 1, "stranger")),
        Candidate::new(net.anchor(&s, 2, "doc 2")),
    ];
    let plan = plan_batch(&store, &batch, Some(&net.node), None).expect("plan");

    // Per-candidate results: accepted with their index, or refused.
    let results: Vec<_> = plan.results().iter().map(|(_, r)| r.clone()).collect();
    assert_eq!(results[0], Ok(1));
    assert_eq!(results[1], Ok(2));
    assert!(matches!(
        results[2],
        Err(validate::TxError::NonceUsed { .. })
    ));
    assert_eq!(
        results[3],
        Err(validate::TxError::UnknownOrg(stranger.org_id))
    );
    assert_eq!(results[4], Ok(3));
    let ids: Vec<TxId> = plan.results().iter().map(|(id, _)| *id).collect();
    assert_eq!(ids, batch.iter().map(|c| c.id).collect::<Vec<_>>());

    // Entries: the accepted ones, in order, without gaps.
    assert_eq!(plan.before(), before);
    let accepted = [&batch[0], &batch[1], &batch[4]];
    assert_eq!(plan.entries().len(), 3);
    for (i, (e, c)) in plan.entries().iter().zip(accepted).enumerate() {
        assert_eq!(e.index, 1 + i as u64);
        assert_eq!((e.id, &e.bytes), (c.id, &c.entry));
    }

    // Tree nodes: exactly the new perfect nodes of the tree merkle::MemoryTree builds.
    let mut tree = MemoryTree::<Blake3Hasher>::new();
    tree.push(&store.entry(0).expect("read").expect("genesis"));
    for c in accepted {
        tree.push(&c.entry);
    }
    assert_eq!(plan.head().size, 4);
    assert_eq!(plan.head().root, tree.root());
    let planned: BTreeSet<(u8, u64)> = plan.nodes().iter().map(|n| (n.level, n.index)).collect();
    let expected: BTreeSet<(u8, u64)> = (0..64u8)
        .flat_map(|l| ((before.size >> l)..(4 >> l)).map(move |i| (l, i)))
        .collect();
    assert_eq!(planned, expected);
    assert_eq!(planned.len(), plan.nodes().len(), "each node once");
    for n in plan.nodes() {
        assert_eq!(tree.perfect_node(n.level, n.index).expect("node"), n.hash);
    }

    // State changes: what the acceptance rules give, replayed on their own.
    let mut state = MemoryState::default();
    state.apply(
        validate::check(&state, &net.genesis(), 0, &[])
            .expect("genesis")
            .changes,
    );
    let mut expected_changes = Vec::new();
    for (i, c) in accepted.iter().enumerate() {
        let changes = validate::check(&state, &c.tx, 1 + i as u64, &[])
            .expect("valid")
            .changes;
        expected_changes.extend(changes.clone());
        state.apply(changes);
    }
    assert_eq!(plan.changes(), expected_changes.as_slice());
    assert!(plan.changes().contains(&StateChange::Nonce(s.org_id, 1)));
    assert!(plan.changes().contains(&StateChange::Nonce(s.org_id, 2)));
    assert!(!plan
        .changes()
        .iter()
        .any(|c| matches!(c, StateChange::Nonce(o, _) if *o == stranger.org_id)));

    // The checkpoint: signed by the node over the new root.
    let note = plan.checkpoint().expect("a signer was given");
    note.verify(&[net.node.verifier()], 1).expect("signed");
    let cp = note.checkpoint().expect("a checkpoint");
    assert_eq!(
        (cp.origin, cp.size, cp.root),
        (net.network.as_str(), 4, tree.root())
    );

    // The writes, per column family.
    let writes = plan.writes();
    let entries = writes_in(&writes, CF_ENTRIES);
    assert_eq!(entries.len(), 3);
    for (w, e) in entries.iter().zip(plan.entries()) {
        assert_eq!((&w.key[..], &w.value), (&u64_key(e.index)[..], &e.bytes));
    }
    let index: Vec<_> = writes_in(&writes, CF_TX_INDEX)
        .iter()
        .map(|w| (w.key.clone(), w.value.clone()))
        .collect();
    assert_eq!(
        index,
        plan.entries()
            .iter()
            .map(|e| (e.id.0.to_vec(), u64_key(e.index).to_vec()))
            .collect::<Vec<_>>()
    );
    assert!(!index.iter().any(|(k, _)| k[..] == refused_id.0[..]));
    assert_eq!(writes_in(&writes, CF_TREE).len(), plan.nodes().len());
    let state_writes = writes_in(&writes, CF_STATE);
    let state_value = |key: &[u8]| {
        state_writes
            .iter()
            .rev()
            .find(|w| w.key == key)
            .map(|w| w.value.clone())
    };
    assert_eq!(state_value(STATE_SIZE), Some(u64_key(4).to_vec()));
    assert_eq!(
        state_value(&org_key(&s.org_id)),
        Some(crate::encoding::encode(
            &state.org(&s.org_id).expect("read").expect("registered")
        ))
    );
    assert_eq!(state_value(&nonce_key(&s.org_id, 1)), Some(Vec::new()));
    assert_eq!(state_value(&nonce_key(&s.org_id, 2)), Some(Vec::new()));
    assert_eq!(state_value(&nonce_key(&stranger.org_id, 1)), None);
    let checkpoints = writes_in(&writes, CF_CHECKPOINTS);
    assert_eq!(checkpoints.len(), 1);
    assert_eq!(checkpoints[0].key, u64_key(4).to_vec());
    assert_eq!(checkpoints[0].value, note.to_string().into_bytes());
    assert!(writes_in(&writes, CF_CONSENSUS).is_empty());
    assert!(writes.iter().all(|w| ALL_CFS.contains(&w.cf)));

    // Planning changed nothing; committing publishes the planned head.
    assert_eq!(store.head(), before);
    assert_eq!(store.tx_index(&anchor.id()).expect("read"), None);
    let out = store.commit(plan).expect("commit");
    assert_eq!(out.head, store.head());
    assert_eq!(store.head().root, tree.root());
    assert_eq!(store.tx_index(&anchor.id()).expect("read"), Some(2));
    assert_eq!(store.last_nonce(&s.org_id).expect("read"), Some(2));
    assert_eq!(
        store.latest_checkpoint().expect("read"),
        Some(note_text(&out))
    );
}

fn note_text(out: &BatchOutcome) -> String {
    out.checkpoint
        .as_ref()
        .map(SignedNote::to_string)
        .unwrap_or_default()
}

#[test]
fn refused_batches_and_decisions() {
    let net = TestNet::new();
    let mut store = started(&net);
    let before = store.head();
    let refused = [Candidate::new(net.anchor(&net.supplier(10), 1, "unknown"))];

    // Everything refused: the plan changes nothing.
    let plan = plan_batch(&store, &refused, Some(&net.node), None).expect("plan");
    assert!(plan.is_empty());
    assert!(plan.writes().is_empty());
    assert_eq!(plan.head(), before);
    assert!(plan.checkpoint().is_none());
    assert!(plan.results()[0].1.is_err());

    // Decided but everything refused: only the decision record.
    let plan = plan_batch(&store, &refused, Some(&net.node), Some(&record(1))).expect("plan");
    assert!(!plan.is_empty());
    let d = plan.decided().expect("decided").clone();
    assert_eq!((d.first_index, d.size_after), (1, 1));
    assert_eq!(
        plan.writes(),
        vec![KvWrite {
            cf: CF_CONSENSUS,
            key: u64_key(1).to_vec(),
            value: crate::encoding::encode(&d),
        }]
    );

    // Not the next height: refused when planning.
    assert!(matches!(
        plan_batch(&store, &refused, None, Some(&record(2))),
        Err(StoreError::OutOfRange(_))
    ));

    // A plan is committed only against the head and height it was made for.
    let again = plan.clone();
    store.commit(plan).expect("commit");
    assert_eq!(store.last_decided().expect("read"), Some(1));
    assert!(matches!(store.commit(again), Err(StoreError::StalePlan(_))));
    let s = net.supplier(10);
    let first = plan_batch(&store, &[Candidate::new(net.register(&s))], None, None).expect("plan");
    let second = plan_batch(&store, &[Candidate::new(net.register(&s))], None, None).expect("plan");
    store.commit(first).expect("commit");
    let head = store.head();
    assert!(matches!(
        store.commit(second),
        Err(StoreError::StalePlan(_))
    ));
    assert_eq!(store.head(), head, "a stale plan changes nothing");
    assert_eq!(
        store.checkpoint_at(head.size).expect("read"),
        None,
        "no signer, no checkpoint"
    );
}

#[test]
fn the_memory_store_answers_every_read() {
    let net = TestNet::new();
    let mut store = MemoryStore::new();
    for b in test_chain::batches(&net) {
        match &b.decided {
            Some(d) => store.append_decided(d, &b.candidates, Some(&net.node)),
            None => store.append_batch(&b.candidates, Some(&net.node)),
        }
        .expect("append");
    }
    let head = store.head();
    let mut tree = MemoryTree::<Blake3Hasher>::new();
    for (_, e) in store.entries(0, head.size).expect("entries") {
        tree.push(&e);
    }
    assert_eq!(tree.root(), head.root);
    for i in 0..head.size {
        let leaf = Blake3Hasher::hash_leaf(&store.entry(i).expect("read").expect("entry"));
        let proof = store.inclusion_proof(i, head.size).expect("proof");
        verify_inclusion::<Blake3Hasher>(&leaf, i, head.size, &proof, &head.root)
            .expect("verifies");
    }
    assert!(
        store.consistency_proof(0, head.size).is_err(),
        "none from the empty tree"
    );
    for old in 1..=head.size {
        let proof = store.consistency_proof(old, head.size).expect("proof");
        let old_root = store.root_at(old).expect("root");
        verify_consistency::<Blake3Hasher>(old, head.size, &old_root, &head.root, &proof)
            .expect("verifies");
    }
    assert!(store.root_at(head.size + 1).is_err());
    assert!(store.entries(0, head.size + 1).is_err());
    assert_eq!(store.entry(head.size).expect("read"), None);

    let versions = store.factor_versions("elec").expect("read");
    assert_eq!(versions.len(), 2);
    assert!(!versions[0].status.is_active(), "superseded by version 2");
    assert!(versions[1].status.is_active());
    assert_eq!(store.factors().expect("read").len(), 3);
    assert_eq!(store.rules().expect("read").len(), 1);
    let footprints = store.footprints().expect("read");
    assert_eq!(footprints.len(), 2);
    let certificates = store.certificates().expect("read");
    assert_eq!(certificates.len(), 1);
    let laptop = certificates[0].certificate.footprint;
    let housing = footprints
        .iter()
        .find(|f| f.id != laptop)
        .expect("the housing")
        .id;
    assert_eq!(store.downstream_of(&housing).expect("read"), vec![laptop]);
    assert_eq!(
        store
            .footprints_using_factor(&RecordRef::new("elec", 1))
            .expect("read"),
        vec![housing]
    );
    assert_eq!(store.observers().expect("read").len(), 1);
    assert_eq!(store.orgs().expect("read").len(), 6);
    assert_eq!(store.last_decided().expect("read"), Some(4));
    let d3 = store.decided(3).expect("read").expect("recorded");
    assert_eq!(d3.first_index, d3.size_after, "every candidate refused");
    let latest = store.latest_checkpoint().expect("read").expect("signed");
    assert_eq!(store.checkpoint_at(head.size).expect("read"), Some(latest));
}

use super::*;
use crate::state::MemoryState;
use crate::testkit::{self, TestNet};
use crate::tx::{Role, Roles, TxBody, ValidatorNode};

fn started(net: &TestNet) -> MemoryState {
    let mut state = MemoryState::default();
    let accepted = check(&state, &net.genesis(), 0, &[]).expect("genesis is valid");
    state.apply(accepted.changes);
    state
}

fn apply(state: &mut MemoryState, tx: &SignedTx, index: u64) -> Result<(), TxError> {
    let accepted = check(state, tx, index, &[])?;
    state.apply(accepted.changes);
    Ok(())
}

#[test]
fn genesis_only_first() {
    let net = TestNet::new();
    let mut state = started(&net);
    assert_eq!(
        apply(&mut state, &net.genesis(), 1),
        Err(TxError::GenesisExists)
    );
    assert_eq!(state.governance.len(), 2);
}

#[test]
fn nothing_before_genesis() {
    let net = TestNet::new();
    let state = MemoryState::default();
    let s = net.supplier(10);
    assert_eq!(
        check(&state, &net.register(&s), 0, &[]).err(),
        Some(TxError::NoGenesis)
    );
}

#[test]
fn registration_needs_quorum_and_own_signature() {
    let net = TestNet::new();
    let mut state = started(&net);
    let s = net.supplier(10);

    // Only one of two governance members approves: quorum of 2 not met.
    let mut tx = net.register(&s);
    tx.approvals.pop();
    assert_eq!(
        check(&state, &tx, 1, &[]).err(),
        Some(TxError::QuorumNotMet { have: 1, need: 2 })
    );

    // The registrant's own signature is by another key.
    let mut tx = net.register(&s);
    tx.approvals[0].signature =
        testkit::key(&net.regulator).sign(crate::crypto::domain::TX_V1, &tx.body.encode());
    assert_eq!(
        check(&state, &tx, 1, &[]).err(),
        Some(TxError::BadSignature { signer: s.org_id })
    );

    apply(&mut state, &net.register(&s), 1).expect("valid registration");
    assert_eq!(
        apply(&mut state, &net.register(&s), 2),
        Err(TxError::NonceUsed {
            author: s.org_id,
            nonce: 0
        })
    );
}

#[test]
fn a_supplier_cannot_approve_governance() {
    let net = TestNet::new();
    let mut state = started(&net);
    let s = net.supplier(10);
    apply(&mut state, &net.register(&s), 1).expect("registered");
    let t = net.supplier(11);
    let mut tx = net.register(&t);
    tx.approve(s.org_id, &testkit::key(&s));
    assert_eq!(
        check(&state, &tx, 2, &[]).err(),
        Some(TxError::NotGovernance(s.org_id))
    );
}

#[test]
fn forged_and_replayed_anchors() {
    let net = TestNet::new();
    let mut state = started(&net);
    let s = net.supplier(10);
    apply(&mut state, &net.register(&s), 1).expect("registered");
    let tx = net.anchor(&s, 1, "meter readings");
    // Forgery: body changed after signing.
    let mut forged = tx.clone();
    forged.body.nonce = 2;
    assert_eq!(
        check(&state, &forged, 2, &[]).err(),
        Some(TxError::BadSignature { signer: s.org_id })
    );
    // Forgery: signed by someone else's key.
    let other = net.supplier(11);
    let mut forged = tx.clone();
    forged.approvals[0].signature =
        testkit::key(&other).sign(crate::crypto::domain::TX_V1, &tx.body.encode());
    assert_eq!(
        check(&state, &forged, 2, &[]).err(),
        Some(TxError::BadSignature { signer: s.org_id })
    );
    apply(&mut state, &tx, 2).expect("valid anchor");
    // Replay.
    assert_eq!(
        apply(&mut state, &tx, 3),
        Err(TxError::NonceUsed {
            author: s.org_id,
            nonce: 1
        })
    );
    // Another network.
    let mut other_net = tx.clone();
    other_net.body.network = "other.example".into();
    assert!(matches!(
        check(&state, &other_net, 3, &[]),
        Err(TxError::WrongNetwork { .. })
    ));
    // Unknown author.
    let stranger = net.anchor(&other, 0, "x");
    assert_eq!(
        check(&state, &stranger, 3, &[]).err(),
        Some(TxError::UnknownOrg(other.org_id))
    );
}

#[test]
fn pre_verified_signatures_are_rechecked_when_the_key_differs() {
    let net = TestNet::new();
    let mut state = started(&net);
    let s = net.supplier(10);
    apply(&mut state, &net.register(&s), 1).expect("registered");
    let mut forged = net.anchor(&s, 1, "x");
    forged.approvals[0].signature.0[0] ^= 1;
    // Claiming the signature was verified under the right key skips the check...
    assert!(check(&state, &forged, 2, &[(s.org_id, s.signing_key)]).is_ok());
    // ...but under any other key, it is verified again and fails.
    let wrong = net.supplier(11).signing_key;
    assert!(check(&state, &forged, 2, &[(s.org_id, wrong)]).is_err());
}

fn governance_tx(net: &TestNet, nonce: u64, kind: TxKind) -> SignedTx {
    let body = TxBody {
        network: net.network.clone(),
        author: net.regulator.org_id,
        nonce,
        kind,
    };
    SignedTx::sign(
        body,
        &[
            (net.regulator.org_id, &testkit::key(&net.regulator)),
            (net.operator.org_id, &testkit::key(&net.operator)),
        ],
    )
}

#[test]
fn role_change_and_revocation() {
    let net = TestNet::new();
    let mut state = started(&net);
    let s = net.supplier(10);
    apply(&mut state, &net.register(&s), 1).expect("registered");

    let verifier: Roles = [Role::Supplier, Role::Verifier].into_iter().collect();
    apply(
        &mut state,
        &governance_tx(
            &net,
            1,
            TxKind::ChangeRoles {
                org: s.org_id,
                roles: verifier,
            },
        ),
        2,
    )
    .expect("role change");
    assert_eq!(state.orgs[&s.org_id].record.roles, verifier);

    apply(
        &mut state,
        &governance_tx(
            &net,
            2,
            TxKind::RevokeOrg {
                org: s.org_id,
                reason: "fraudulent data (失信)".into(),
            },
        ),
        3,
    )
    .expect("revocation");
    assert_eq!(
        check(&state, &net.anchor(&s, 1, "x"), 4, &[]).err(),
        Some(TxError::OrgRevoked(s.org_id))
    );

    // The author alone is not a quorum of two.
    let mut lone = governance_tx(
        &net,
        3,
        TxKind::ChangeRoles {
            org: s.org_id,
            roles: verifier,
        },
    );
    lone.approvals.pop();
    assert!(matches!(
        check(&state, &lone, 4, &[]),
        Err(TxError::OrgRevoked(_)) | Err(TxError::QuorumNotMet { .. })
    ));
}

#[test]
fn governance_cannot_be_emptied() {
    let net = TestNet::new();
    let mut state = started(&net);
    let supplier_only: Roles = [Role::Supplier].into_iter().collect();
    apply(
        &mut state,
        &governance_tx(
            &net,
            1,
            TxKind::ChangeRoles {
                org: net.operator.org_id,
                roles: supplier_only,
            },
        ),
        1,
    )
    .expect("operator leaves governance; the regulator remains");
    assert_eq!(state.governance, vec![net.regulator.org_id]);
    let body = TxBody {
        network: net.network.clone(),
        author: net.regulator.org_id,
        nonce: 2,
        kind: TxKind::RevokeOrg {
            org: net.regulator.org_id,
            reason: "test".into(),
        },
    };
    let tx = SignedTx::sign(
        body,
        &[(net.regulator.org_id, &testkit::key(&net.regulator))],
    );
    assert_eq!(
        check(&state, &tx, 2, &[]).err(),
        Some(TxError::LastGovernanceMember(net.regulator.org_id))
    );
}

fn register_observer(net: &TestNet, nonce: u64, node: &crate::tx::ObserverNode) -> SignedTx {
    net.governance(nonce, TxKind::RegisterObserver(node.clone()))
}

fn remove_observer(net: &TestNet, nonce: u64, key: PublicKey) -> SignedTx {
    net.governance(
        nonce,
        TxKind::RemoveObserver {
            key,
            reason: "node decommissioned".into(),
        },
    )
}

#[test]
fn observer_registration_with_quorum() {
    let net = TestNet::new();
    let mut state = started(&net);
    let node = net.observer(100, "observer-0");
    apply(&mut state, &register_observer(&net, 1, &node), 1).expect("registered");
    assert_eq!(state.observers().expect("observers"), vec![node.clone()]);
    assert_eq!(
        net.governance(2, TxKind::RegisterObserver(node.clone()))
            .body
            .kind
            .name(),
        "register_observer"
    );

    // A verifier (an auditor) may run one too.
    let auditor = testkit::org(
        20,
        "Test Auditor",
        "urn:uscc:12110000000000020C",
        &[Role::Verifier],
    );
    apply(&mut state, &net.register(&auditor), 2).expect("auditor registered");
    let audit_node = crate::tx::ObserverNode {
        operator: auditor.org_id,
        ..net.observer(101, "auditor-observer")
    };
    apply(&mut state, &register_observer(&net, 2, &audit_node), 3).expect("registered");
    assert_eq!(state.observers, vec![node, audit_node]);
}

#[test]
fn observer_registration_needs_quorum() {
    let net = TestNet::new();
    let mut state = started(&net);
    let node = net.observer(100, "observer-0");
    let mut tx = register_observer(&net, 1, &node);
    tx.approvals.pop();
    assert_eq!(
        check(&state, &tx, 1, &[]).err(),
        Some(TxError::QuorumNotMet { have: 1, need: 2 })
    );
    // A non-governance approver does not count.
    let s = net.supplier(10);
    apply(&mut state, &net.register(&s), 1).expect("registered");
    tx.approve(s.org_id, &testkit::key(&s));
    assert_eq!(
        check(&state, &tx, 2, &[]).err(),
        Some(TxError::NotGovernance(s.org_id))
    );
    assert!(state.observers.is_empty());
}

#[test]
fn observer_operator_must_be_an_active_regulator_or_verifier() {
    let net = TestNet::new();
    let mut state = started(&net);
    let s = net.supplier(10);
    apply(&mut state, &net.register(&s), 1).expect("registered");
    let by_supplier = crate::tx::ObserverNode {
        operator: s.org_id,
        ..net.observer(100, "observer-0")
    };
    let tx = register_observer(&net, 1, &by_supplier);
    assert_eq!(
        check(&state, &tx, 2, &[]).err(),
        Some(TxError::ObserverOperatorRole(s.org_id))
    );
    assert_eq!(
        check(&state, &tx, 2, &[]).err().map(|e| e.code()),
        Some("observer_operator_role")
    );
    // The validator operator has neither role either.
    let by_validator = crate::tx::ObserverNode {
        operator: net.operator.org_id,
        ..net.observer(100, "observer-0")
    };
    assert_eq!(
        check(&state, &register_observer(&net, 1, &by_validator), 2, &[]).err(),
        Some(TxError::ObserverOperatorRole(net.operator.org_id))
    );
    // Unregistered operator.
    let stranger = net.supplier(11);
    let by_stranger = crate::tx::ObserverNode {
        operator: stranger.org_id,
        ..net.observer(100, "observer-0")
    };
    assert_eq!(
        check(&state, &register_observer(&net, 1, &by_stranger), 2, &[]).err(),
        Some(TxError::UnknownOrg(stranger.org_id))
    );
    // A revoked verifier.
    apply(
        &mut state,
        &net.governance(
            1,
            TxKind::ChangeRoles {
                org: s.org_id,
                roles: [Role::Verifier].into_iter().collect(),
            },
        ),
        2,
    )
    .expect("now a verifier");
    apply(
        &mut state,
        &net.governance(
            2,
            TxKind::RevokeOrg {
                org: s.org_id,
                reason: "test".into(),
            },
        ),
        3,
    )
    .expect("revoked");
    assert_eq!(
        check(&state, &register_observer(&net, 3, &by_supplier), 4, &[]).err(),
        Some(TxError::OrgRevoked(s.org_id))
    );
}

#[test]
fn observer_names_and_keys_are_unique_among_nodes() {
    let net = TestNet::new();
    let mut state = started(&net);
    // The validator's name.
    let same_name = net.observer(100, &net.node.name);
    let err = check(&state, &register_observer(&net, 1, &same_name), 1, &[]).err();
    assert_eq!(err, Some(TxError::NodeNameTaken(net.node.name.clone())));
    assert_eq!(
        err.map(|e| e.class()),
        Some(crate::validate::ErrorClass::Conflict)
    );
    // The validator's key.
    let same_key = crate::tx::ObserverNode {
        key: net.node.key.public(),
        ..net.observer(100, "observer-0")
    };
    assert_eq!(
        check(&state, &register_observer(&net, 1, &same_key), 1, &[]).err(),
        Some(TxError::NodeKeyTaken(net.node.key.public()))
    );
    // Another observer's name or key.
    let node = net.observer(100, "observer-0");
    apply(&mut state, &register_observer(&net, 1, &node), 1).expect("registered");
    assert_eq!(
        check(
            &state,
            &register_observer(&net, 2, &net.observer(101, "observer-0")),
            2,
            &[]
        )
        .err(),
        Some(TxError::NodeNameTaken("observer-0".into()))
    );
    assert_eq!(
        check(
            &state,
            &register_observer(&net, 2, &net.observer(100, "observer-1")),
            2,
            &[]
        )
        .err(),
        Some(TxError::NodeKeyTaken(node.key))
    );
    // Not a C2SP key name.
    assert!(matches!(
        check(
            &state,
            &register_observer(&net, 2, &net.observer(101, "observer 1")),
            2,
            &[]
        ),
        Err(TxError::Form(crate::tx::FormError::Field {
            field: "observer.name",
            ..
        }))
    ));
    assert!(matches!(
        check(
            &state,
            &register_observer(&net, 2, &net.observer(101, "a+b")),
            2,
            &[]
        ),
        Err(TxError::Form(crate::tx::FormError::Field {
            field: "observer.name",
            ..
        }))
    ));
}

#[test]
fn observer_limit() {
    let net = TestNet::new();
    let mut state = started(&net);
    for i in 0..crate::tx::MAX_OBSERVERS {
        let node = net.observer(100 + i as u8, &format!("observer-{i}"));
        let n = i as u64 + 1;
        apply(&mut state, &register_observer(&net, n, &node), n).expect("registered");
    }
    let extra = net.observer(250, "one-too-many");
    let n = crate::tx::MAX_OBSERVERS as u64 + 1;
    assert_eq!(
        check(&state, &register_observer(&net, n, &extra), n, &[]).err(),
        Some(TxError::TooManyObservers {
            limit: crate::tx::MAX_OBSERVERS
        })
    );
}

#[test]
fn observer_removal_then_reregistration() {
    let net = TestNet::new();
    let mut state = started(&net);
    let node = net.observer(100, "observer-0");
    // Nothing to remove yet.
    assert_eq!(
        check(&state, &remove_observer(&net, 1, node.key), 1, &[]).err(),
        Some(TxError::UnknownObserver(node.key))
    );
    // A validator is not an observer.
    assert_eq!(
        check(
            &state,
            &remove_observer(&net, 1, net.node.key.public()),
            1,
            &[]
        )
        .err(),
        Some(TxError::UnknownObserver(net.node.key.public()))
    );
    apply(&mut state, &register_observer(&net, 1, &node), 1).expect("registered");
    let other = net.observer(101, "observer-1");
    apply(&mut state, &register_observer(&net, 2, &other), 2).expect("registered");

    // Removal needs a quorum too.
    let mut lone = remove_observer(&net, 3, node.key);
    lone.approvals.pop();
    assert_eq!(
        check(&state, &lone, 3, &[]).err(),
        Some(TxError::QuorumNotMet { have: 1, need: 2 })
    );
    // And a reason.
    let empty_reason = net.governance(
        3,
        TxKind::RemoveObserver {
            key: node.key,
            reason: " ".into(),
        },
    );
    assert!(matches!(
        check(&state, &empty_reason, 3, &[]),
        Err(TxError::Form(crate::tx::FormError::Field {
            field: "reason",
            ..
        }))
    ));
    let long_reason = net.governance(
        3,
        TxKind::RemoveObserver {
            key: node.key,
            reason: "x".repeat(crate::tx::MAX_REASON_LEN + 1),
        },
    );
    assert!(matches!(
        check(&state, &long_reason, 3, &[]),
        Err(TxError::Form(crate::tx::FormError::Field {
            field: "reason",
            ..
        }))
    ));

    apply(&mut state, &remove_observer(&net, 3, node.key), 3).expect("removed");
    assert_eq!(state.observers, vec![other.clone()]);
    assert_eq!(
        check(&state, &remove_observer(&net, 4, node.key), 4, &[]).err(),
        Some(TxError::UnknownObserver(node.key))
    );
    // The key (and name) are free again.
    apply(&mut state, &register_observer(&net, 4, &node), 4).expect("registered again");
    assert_eq!(state.observers, vec![other, node]);
}

fn add_validator(net: &TestNet, nonce: u64, node: &ValidatorNode) -> SignedTx {
    net.governance(nonce, TxKind::AddValidator(node.clone()))
}

fn remove_validator(net: &TestNet, nonce: u64, name: &str) -> SignedTx {
    net.governance(
        nonce,
        TxKind::RemoveValidator {
            name: name.into(),
            reason: "key compromised".into(),
        },
    )
}

fn set_names(state: &MemoryState) -> Vec<String> {
    crate::state::current_validators(state)
        .expect("validators")
        .into_iter()
        .map(|v| v.name)
        .collect()
}

#[test]
fn the_genesis_set_is_epoch_zero() {
    let net = TestNet::new();
    let state = started(&net);
    let epochs = state.validator_epochs().expect("epochs");
    assert_eq!(epochs.len(), 1);
    assert_eq!(epochs[0].change_index, 0);
    assert_eq!(epochs[0].first_size, 1);
    assert_eq!(set_names(&state), vec!["validator-0"]);
}

#[test]
fn validators_are_added_and_removed_by_governance() {
    let net = TestNet::new();
    let mut state = started(&net);
    for (i, seed) in (1..=4u64).zip(101u8..) {
        let node = net.validator(seed, &format!("validator-{i}"));
        apply(&mut state, &add_validator(&net, i, &node), i).expect("added");
    }
    assert_eq!(
        set_names(&state),
        [
            "validator-0",
            "validator-1",
            "validator-2",
            "validator-3",
            "validator-4"
        ]
    );
    apply(&mut state, &remove_validator(&net, 5, "validator-0"), 5).expect("removed");
    assert_eq!(
        set_names(&state),
        ["validator-1", "validator-2", "validator-3", "validator-4"]
    );
    let epochs = state.validator_epochs().expect("epochs");
    assert_eq!(epochs.len(), 6, "one epoch per change after the genesis");
    // Validation alone cannot know the batch; it puts the change's own size.
    assert_eq!((epochs[5].change_index, epochs[5].first_size), (5, 6));
    assert_eq!(
        remove_validator(&net, 6, "validator-1").body.kind.name(),
        "remove_validator"
    );
}

#[test]
fn a_set_change_needs_the_governance_quorum() {
    let net = TestNet::new();
    let state = started(&net);
    let node = net.validator(101, "validator-1");
    let body = TxBody {
        network: net.network.clone(),
        author: net.regulator.org_id,
        nonce: 1,
        kind: TxKind::AddValidator(node),
    };
    let alone = SignedTx::sign(
        body,
        &[(net.regulator.org_id, &testkit::key(&net.regulator))],
    );
    assert_eq!(
        check(&state, &alone, 1, &[]).err(),
        Some(TxError::QuorumNotMet { have: 1, need: 2 })
    );
}

#[test]
fn a_validator_needs_an_active_operator_with_the_validator_role() {
    let net = TestNet::new();
    let state = started(&net);
    let mut node = net.validator(101, "validator-1");
    node.operator = net.regulator.org_id;
    assert_eq!(
        check(&state, &add_validator(&net, 1, &node), 1, &[]).err(),
        Some(TxError::RoleRequired {
            org: net.regulator.org_id,
            role: Role::Validator
        })
    );
    node.operator = net.supplier(10).org_id;
    assert_eq!(
        check(&state, &add_validator(&net, 1, &node), 1, &[]).err(),
        Some(TxError::UnknownOrg(net.supplier(10).org_id))
    );
}

#[test]
fn node_names_and_keys_are_never_reused() {
    let net = TestNet::new();
    let mut state = started(&net);
    let taken_name = net.validator(101, "validator-0");
    assert_eq!(
        check(&state, &add_validator(&net, 1, &taken_name), 1, &[]).err(),
        Some(TxError::NodeNameTaken("validator-0".into()))
    );
    let taken_key = ValidatorNode {
        key: net.node.key.public(),
        ..net.validator(101, "validator-9")
    };
    assert_eq!(
        check(&state, &add_validator(&net, 1, &taken_key), 1, &[]).err(),
        Some(TxError::NodeKeyTaken(net.node.key.public()))
    );
    let observer = net.observer(100, "observer-0");
    apply(&mut state, &register_observer(&net, 1, &observer), 1).expect("observer");
    let as_observer = net.validator(100, "validator-7");
    assert_eq!(
        check(&state, &add_validator(&net, 2, &as_observer), 2, &[]).err(),
        Some(TxError::NodeKeyTaken(observer.key))
    );
    // A removed validator's name stays taken, for validators and observers.
    for (i, seed) in (2..=5u64).zip(101u8..) {
        let node = net.validator(seed, &format!("validator-{i}"));
        apply(&mut state, &add_validator(&net, i, &node), i).expect("added");
    }
    apply(&mut state, &remove_validator(&net, 6, "validator-0"), 6).expect("removed");
    assert_eq!(
        check(
            &state,
            &add_validator(&net, 7, &net.validator(120, "validator-0")),
            7,
            &[]
        )
        .err(),
        Some(TxError::NodeNameTaken("validator-0".into()))
    );
    assert_eq!(
        check(
            &state,
            &register_observer(&net, 7, &net.observer(121, "validator-0")),
            7,
            &[]
        )
        .err(),
        Some(TxError::NodeNameTaken("validator-0".into()))
    );
}

#[test]
fn removals_keep_four_validators_and_name_a_member() {
    let net = TestNet::new();
    let mut state = started(&net);
    assert_eq!(
        check(&state, &remove_validator(&net, 1, "validator-9"), 1, &[]).err(),
        Some(TxError::UnknownValidator("validator-9".into()))
    );
    assert_eq!(
        check(&state, &remove_validator(&net, 1, "validator-0"), 1, &[]).err(),
        Some(TxError::TooFewValidators {
            remaining: 0,
            min: crate::tx::MIN_VALIDATORS_AFTER_REMOVAL
        })
    );
    for (i, seed) in (1..=3u64).zip(101u8..) {
        let node = net.validator(seed, &format!("validator-{i}"));
        apply(&mut state, &add_validator(&net, i, &node), i).expect("added");
    }
    assert_eq!(
        check(&state, &remove_validator(&net, 4, "validator-1"), 4, &[]).err(),
        Some(TxError::TooFewValidators {
            remaining: 3,
            min: crate::tx::MIN_VALIDATORS_AFTER_REMOVAL
        })
    );
}

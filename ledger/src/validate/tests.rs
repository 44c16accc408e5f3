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

mod key_rotation {
    use super::*;
    use crate::crypto::{EncryptionSecret, SecretKey};
    use crate::state::{
        compromised_signatures, retired_signing_key_at, CompromisedSignature, RetiredKeyValue,
    };
    use crate::testkit::MemoryLedger;
    use crate::tx::{KeyRotation, NewKey};

    fn rotation(ledger: &MemoryLedger, org: OrgId, new: &SecretKey) -> TxKind {
        TxKind::RotateKey(KeyRotation {
            org,
            new_key: NewKey::Signing {
                key: new.public(),
                possession: KeyRotation::prove_possession(&ledger.net.network, &org, new),
            },
            compromised_since: None,
        })
    }

    /// `kind` authored by the regulator, approved by the operator: the
    /// TestNet's governance quorum (2 of 2).
    fn by_governance(ledger: &mut MemoryLedger, kind: TxKind) -> SignedTx {
        let regulator = ledger.net.regulator.clone();
        let mut tx = ledger.signed(&regulator, kind);
        tx.approve(
            ledger.net.operator.org_id,
            &testkit::key(&ledger.net.operator),
        );
        tx
    }

    #[test]
    fn by_the_owner_old_entries_stay_new_signatures_refused() {
        let mut ledger = MemoryLedger::new();
        let s = ledger.register(10, &[Role::Supplier]);
        let before = ledger.signed(
            &s,
            TxKind::AnchorEvidence {
                digest: [1; 32],
                label: "before".into(),
            },
        );
        let before_index = ledger.next_index();
        ledger.apply(&before).expect("signed with the first key");

        let new = SecretKey::from_seed(&[99; 32]);
        let kind = rotation(&ledger, s.org_id, &new);
        let rotate = ledger.signed(&s, kind);
        let rotated_at = ledger.next_index();
        ledger
            .apply(&rotate)
            .expect("the owner rotates with its current key");

        // The old key's signatures are refused, naming the rotation.
        let late = ledger.signed(
            &s,
            TxKind::AnchorEvidence {
                digest: [2; 32],
                label: "late".into(),
            },
        );
        assert_eq!(
            ledger.apply(&late),
            Err(TxError::KeyRotated {
                signer: s.org_id,
                key: testkit::key(&s).public(),
                rotated_at,
                compromised_since: None,
            })
        );
        assert_eq!(
            ledger.apply(&late).map_err(|e| (e.code(), e.class())),
            Err(("key_rotated", ErrorClass::Invalid))
        );
        // The new key signs.
        let mut fresh = late.clone();
        fresh.approvals[0].signature = new.sign(domain::TX_V1, &fresh.body.encode());
        ledger.apply(&fresh).expect("the new key signs");

        // Resolving keys by position: the old entry under the old key.
        let org = ledger.state.orgs[&s.org_id].clone();
        let retired = ledger.state.retired_keys(&s.org_id).expect("memory state");
        assert_eq!(
            retired_signing_key_at(&retired, before_index).map(|(k, _)| k),
            Some(testkit::key(&s).public())
        );
        // From the rotation on, no retired key: the current one signed.
        assert_eq!(retired_signing_key_at(&retired, rotated_at), None);
        assert_eq!(org.record.signing_key, new.public());
        assert_eq!(retired.len(), 1);
        assert_eq!(
            retired[0].key,
            RetiredKeyValue::Signing(testkit::key(&s).public())
        );
        assert_eq!(
            (retired[0].from, retired[0].until),
            (org.registered_at, rotated_at)
        );
    }

    #[test]
    fn possession_reuse_and_owner_compromise_are_refused() {
        let mut ledger = MemoryLedger::new();
        let s = ledger.register(10, &[Role::Supplier]);
        let new = SecretKey::from_seed(&[99; 32]);

        // A proof of possession by another key.
        let mut kind = rotation(&ledger, s.org_id, &new);
        if let TxKind::RotateKey(KeyRotation {
            new_key: NewKey::Signing { possession, .. },
            ..
        }) = &mut kind
        {
            *possession = KeyRotation::prove_possession(
                &ledger.net.network,
                &s.org_id,
                &SecretKey::from_seed(&[98; 32]),
            );
        }
        let tx = ledger.signed(&s, kind);
        assert!(
            matches!(ledger.apply(&tx), Err(TxError::InvalidRotation(m)) if m.contains("possession"))
        );

        // Rotating to the key in force.
        let kind = rotation(&ledger, s.org_id, &testkit::key(&s));
        let tx = ledger.signed(&s, kind);
        assert!(
            matches!(ledger.apply(&tx), Err(TxError::InvalidRotation(m)) if m.contains("current or an earlier"))
        );

        // The owner cannot declare its own key compromised.
        let mut kind = rotation(&ledger, s.org_id, &new);
        if let TxKind::RotateKey(r) = &mut kind {
            r.compromised_since = Some(1);
        }
        let tx = ledger.signed(&s, kind);
        assert!(
            matches!(ledger.apply(&tx), Err(TxError::InvalidRotation(m)) if m.contains("governance"))
        );

        // Someone else cannot rotate it alone.
        let t = ledger.register(11, &[Role::Supplier]);
        let kind = rotation(&ledger, s.org_id, &new);
        let tx = ledger.signed(&t, kind);
        assert_eq!(ledger.apply(&tx), Err(TxError::NotGovernance(t.org_id)));
    }

    #[test]
    fn governance_rotation_of_a_compromised_key() {
        let mut ledger = MemoryLedger::new();
        let s = ledger.register(10, &[Role::Supplier]);
        let registered = ledger.state.orgs[&s.org_id].registered_at;
        let honest = ledger.signed(
            &s,
            TxKind::AnchorEvidence {
                digest: [1; 32],
                label: "honest".into(),
            },
        );
        ledger.apply(&honest).expect("before the theft");
        let stolen_from = ledger.next_index();
        let thief = ledger.signed(
            &s,
            TxKind::AnchorEvidence {
                digest: [2; 32],
                label: "thief".into(),
            },
        );
        ledger
            .apply(&thief)
            .expect("the stolen key still verifies until the rotation");

        let new = SecretKey::from_seed(&[99; 32]);
        let mut kind = rotation(&ledger, s.org_id, &new);
        // compromised_since before the key came into force is refused.
        if let TxKind::RotateKey(r) = &mut kind {
            r.compromised_since = Some(registered.saturating_sub(1));
        }
        assert!(registered > 0, "registered after the genesis");
        let tx = by_governance(&mut ledger, kind.clone());
        assert!(
            matches!(ledger.apply(&tx), Err(TxError::InvalidRotation(m)) if m.contains("compromised_since"))
        );
        if let TxKind::RotateKey(r) = &mut kind {
            r.compromised_since = Some(stolen_from);
        }
        // One governance approval is not a quorum.
        let regulator = ledger.net.regulator.clone();
        let lone = ledger.signed(&regulator, kind.clone());
        assert_eq!(
            ledger.apply(&lone),
            Err(TxError::QuorumNotMet { have: 1, need: 2 })
        );

        let tx = by_governance(&mut ledger, kind);
        let rotated_at = ledger.next_index();
        ledger
            .apply(&tx)
            .expect("a governance quorum rotates a lost key");

        let late = ledger.signed(
            &s,
            TxKind::AnchorEvidence {
                digest: [3; 32],
                label: "late".into(),
            },
        );
        assert_eq!(
            ledger.apply(&late),
            Err(TxError::KeyRotated {
                signer: s.org_id,
                key: testkit::key(&s).public(),
                rotated_at,
                compromised_since: Some(stolen_from),
            })
        );
        let message = ledger.apply(&late).expect_err("refused").to_string();
        assert!(
            message.contains(&format!("rotation at entry {rotated_at}")),
            "{message}"
        );
        assert!(
            message.contains(&format!("compromised from log size {stolen_from}")),
            "{message}"
        );

        // The thief's entry resolves to the old key, flagged compromised.
        let retired = ledger.state.retired_keys(&s.org_id).expect("memory state");
        assert_eq!(
            retired_signing_key_at(&retired, stolen_from).map(|(k, r)| (k, r.compromised_since)),
            Some((testkit::key(&s).public(), Some(stolen_from)))
        );
        // Verifiers flag the thief's entry, not the honest one before it.
        let flagged =
            compromised_signatures(&ledger.state, &thief, stolen_from).expect("memory state");
        assert_eq!(
            flagged,
            vec![CompromisedSignature {
                signer: s.org_id,
                key: testkit::key(&s).public(),
                compromised_since: stolen_from,
                rotated_at,
            }]
        );
        assert_eq!(
            compromised_signatures(&ledger.state, &honest, stolen_from - 1).expect("memory state"),
            vec![]
        );
    }

    #[test]
    fn encryption_key_rotates_separately() {
        let mut ledger = MemoryLedger::new();
        let s = ledger.register(10, &[Role::Supplier]);
        let signing_before = ledger.state.orgs[&s.org_id].record.signing_key;
        let new = EncryptionSecret::from_bytes([77; 32]).public();
        let kind = TxKind::RotateKey(KeyRotation {
            org: s.org_id,
            new_key: NewKey::Encryption { key: new },
            compromised_since: None,
        });
        let tx = ledger.signed(&s, kind);
        ledger.apply(&tx).expect("the owner rotates its X25519 key");
        let org = &ledger.state.orgs[&s.org_id];
        assert_eq!(org.record.encryption_key, new);
        assert_eq!(org.record.signing_key, signing_before);
        // The signing key is untouched: the owner still signs with it.
        let next = ledger.signed(
            &s,
            TxKind::AnchorEvidence {
                digest: [4; 32],
                label: "after".into(),
            },
        );
        ledger.apply(&next).expect("signing key unchanged");
    }
}

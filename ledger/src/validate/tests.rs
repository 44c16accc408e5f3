use super::*;
use crate::state::MemoryState;
use crate::testkit::{self, TestNet};
use crate::tx::{Role, Roles, TxBody};

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

//! A Byzantine validator that equivocates on its votes, with real processes:
//! `tanji-node devnet` starts 4 validators on 127.0.0.1, and validator-3
//! runs with the hidden, test-only `--byzantine-equivocate-votes`: for each
//! prevote and precommit it signs, it also signs and broadcasts a
//! conflicting one (nil instead of a value, or a fabricated value instead of
//! nil). See `docs/byzantine.md`.
//!
//! What must hold, seen from outside:
//! - commits continue (the three honest validators are a quorum);
//! - the honest nodes agree on every checkpoint (one root per size) and
//!   raise no `fork` or checkpoint `equivocation` alarm;
//! - at least one honest node serves an `equivocating_vote` alarm naming
//!   validator-3, whose two votes conflict (same height, round and type,
//!   different values) and whose two signatures verify here, with
//!   validator-3's key read from its key file, over the two signed byte
//!   strings the alarm carries.
//!
//! Waits are bounded polls with generous deadlines; nothing asserts on speed.

use std::time::Duration;

use tanji_ledger::crypto::Signature;
use tanji_ledger::keyfile::NodeKeyFile;
use tanji_ledger::tx::SignedTx;
use tanji_node::ordering::bft::evidence;
use tanji_sdk::types::ops::{Alarm, ConsensusEquivocation};
use tanji_sdk::types::tx::TxState;
use tanji_tests::{size_root, wait_until, AnchorSigner, Devnet, Rng};

/// Upper bound for any single wait.
const WAIT: Duration = Duration::from_secs(60);
const BYZANTINE: &str = "validator-3";
const HONEST: [&str; 3] = ["validator-0", "validator-1", "validator-2"];

/// Submits `n` transactions through `node` and waits until every honest
/// node has committed them all.
async fn commit(net: &Devnet, node: &str, signer: &mut AnchorSigner, n: usize) {
    let txs: Vec<SignedTx> = (0..n).map(|_| signer.tx("byzantine test")).collect();
    for tx in &txs {
        net.client(node).submit(tx).await.expect("submitted");
    }
    for name in HONEST {
        for tx in &txs {
            let id = tx.id();
            wait_until(WAIT, &format!("{id} committed on {name}"), async || {
                let s = net.client(name).tx_status(&id).await.ok()?.status;
                assert!(s != TxState::Rejected, "{id} rejected on {name}");
                (s == TxState::Committed).then_some(())
            })
            .await
            .unwrap_or_else(|e| panic!("{e}\n{}", net.logs_tail(30)));
        }
    }
}

/// Every honest node at the same size, with its latest checkpoint at that size.
async fn converged(net: &Devnet) -> u64 {
    wait_until(
        WAIT,
        "honest nodes at one size and checkpoint",
        async || {
            tanji_tests::converged(net, &HONEST)
                .await
                .map(|(size, _)| size)
        },
    )
    .await
    .unwrap_or_else(|e| panic!("{e}\n{}", net.logs_tail(30)))
}

/// The votes of an `equivocating_vote` alarm about validator-3, checked
/// against validator-3's key; panics (with the alarm) if anything is off.
fn check_vote_alarm(a: &Alarm, key: &tanji_ledger::crypto::PublicKey, network: &str) {
    let e: &ConsensusEquivocation = a.consensus.as_ref().expect("consensus evidence");
    assert_eq!(a.signers, [BYZANTINE], "{a:#?}");
    assert_eq!(e.validator, key.to_hex(), "{a:#?}");
    assert_eq!(e.validator_name.as_deref(), Some(BYZANTINE), "{a:#?}");
    assert_eq!(e.network, network, "{a:#?}");
    assert!(
        ["prevote", "precommit"].contains(&e.message.as_str()),
        "{a:#?}"
    );
    assert!(e.height >= 1, "{a:#?}");
    assert_ne!(e.signed[0].value, e.signed[1].value, "{a:#?}");
    assert_ne!(e.signed[0].signed_bytes, e.signed[1].signed_bytes, "{a:#?}");
    // Independently of the node: validator-3's key signed both byte strings.
    for m in &e.signed {
        let bytes = hex::decode(&m.signed_bytes).expect("hex bytes");
        assert!(bytes.starts_with(b"tanji/vote/v1\0"), "{a:#?}");
        let sig: [u8; 64] = hex::decode(&m.signature)
            .expect("hex signature")
            .try_into()
            .expect("64 bytes");
        key.verify_raw(&bytes, &Signature(sig))
            .unwrap_or_else(|err| panic!("signature does not verify: {err}\n{a:#?}"));
    }
    // And the bytes are those of the votes the alarm describes (height,
    // round, type, values, validator, network).
    evidence::check(e).unwrap_or_else(|err| panic!("{err}\n{a:#?}"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn equivocating_validator_cannot_fork_and_is_reported() {
    let mut rng = Rng::from_env("equivocating_validator");
    let net = Devnet::start(
        4,
        0,
        &[
            "--no-fsync",
            "--propose-timeout-ms",
            "1000",
            "--byzantine-equivocate-votes",
            BYZANTINE,
        ],
    )
    .await
    .expect("devnet starts");
    let key = NodeKeyFile::load(&net.node(BYZANTINE).data_dir.join("node-key.json"))
        .expect("validator-3's key file")
        .signing_key;
    let mut alice = AnchorSigner::new(&net, "operator", &mut rng);

    // Commits go on, through honest nodes and through the Byzantine one.
    commit(&net, "validator-0", &mut alice, 3).await;
    commit(&net, BYZANTINE, &mut alice, 3).await;

    // Some honest node reports validator-3's equivocation.
    let (reporter, alarm) = wait_until(WAIT, "an equivocating_vote alarm", async || {
        for n in HONEST {
            let alarms = net.alarms(n).await.ok()?;
            if let Some(a) = alarms.into_iter().find(|a| a.kind == "equivocating_vote") {
                return Some((n, a));
            }
        }
        None
    })
    .await
    .unwrap_or_else(|e| panic!("{e}\n{}", net.logs_tail(30)));
    eprintln!("{reporter} reports: {}", alarm.detail);
    check_vote_alarm(&alarm, &key, &net.network);

    // Commits still go on after the equivocation was seen.
    commit(&net, "validator-1", &mut alice, 3).await;
    let size = converged(&net).await;
    assert!(size >= 9, "size {size}");

    // One root per size on every honest node that has a checkpoint there.
    let mut everywhere = 0;
    for s in 1..=size {
        let mut roots = Vec::new();
        for n in HONEST {
            if let Some(note) = net.checkpoint(n, Some(s)).await.expect("checkpoint") {
                let (cs, root) = size_root(&note);
                assert_eq!(cs, s);
                roots.push((n, root));
            }
        }
        assert!(
            roots.windows(2).all(|w| w[0].1 == w[1].1),
            "roots differ at size {s}: {roots:?}"
        );
        everywhere += usize::from(roots.len() == HONEST.len());
    }
    assert!(everywhere >= 1, "no size checkpointed on every honest node");

    // No forks, no checkpoint equivocation; every consensus alarm is about
    // validator-3 and checks out.
    let mut vote_alarms = 0;
    for n in HONEST {
        for a in net.alarms(n).await.expect("alarms") {
            match a.kind.as_str() {
                "equivocating_vote" => {
                    check_vote_alarm(&a, &key, &net.network);
                    vote_alarms += 1;
                }
                other => panic!("{n}: unexpected {other} alarm: {a:#?}"),
            }
        }
    }
    assert!(vote_alarms >= 1);
}

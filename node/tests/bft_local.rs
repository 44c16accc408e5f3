//! Four Malachite validators in one process on 127.0.0.1, each with its own
//! store holding the same genesis: transactions pushed to one validator's
//! mempool end up in every store with the same roots and decision records,
//! and three validators keep deciding when the fourth stops. No timing
//! assertions: every wait is for a condition, with a generous timeout.

use std::net::TcpListener;
use std::sync::Arc;
use std::time::Duration;

use tanji_ledger::crypto::SecretKey;
use tanji_ledger::store::{Candidate, Store};
use tanji_ledger::testkit::{key, TestNet};
use tanji_ledger::tx::{Genesis, SignedTx, TxBody, TxKind, ValidatorNode};
use tanji_node::ordering::bft::app::{start_validator, BftConfig, BftNode};
use tanji_node::ordering::bft::engine::peer_id_of;

const N: usize = 4;
const WAIT: Duration = Duration::from_secs(120);

fn node_key(i: usize) -> SecretKey {
    SecretKey::from_seed(&[40 + i as u8; 32])
}

/// The test network's genesis with `N` validator nodes run by its operator.
fn genesis(net: &TestNet) -> SignedTx {
    let body = TxBody {
        network: net.network.clone(),
        author: net.regulator.org_id,
        nonce: 0,
        kind: TxKind::Genesis(Genesis {
            orgs: vec![net.regulator.record(), net.operator.record()],
            validators: (0..N)
                .map(|i| ValidatorNode {
                    operator: net.operator.org_id,
                    name: format!("validator-{i}"),
                    key: node_key(i).public(),
                })
                .collect(),
        }),
    };
    SignedTx::sign(
        body,
        &[
            (net.regulator.org_id, &key(&net.regulator)),
            (net.operator.org_id, &key(&net.operator)),
        ],
    )
}

fn free_port() -> u16 {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    l.local_addr().unwrap().port()
}

async fn wait_for(what: &str, mut cond: impl FnMut() -> bool) {
    let deadline = tokio::time::Instant::now() + WAIT;
    while !cond() {
        assert!(
            tokio::time::Instant::now() < deadline,
            "timed out waiting for {what}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

fn last_decided(store: &Store) -> u64 {
    store.last_decided().unwrap().unwrap_or(0)
}

/// The decision records of `heights` agree on every node (the certificate
/// may hold a different 2f+1 subset of precommits on each node, so it is
/// compared only by the value it certifies).
fn same_decisions(stores: &[Arc<Store>], heights: std::ops::RangeInclusive<u64>) {
    for h in heights {
        let first = stores[0].decided(h).unwrap().expect("decided record");
        for s in &stores[1..] {
            let other = s.decided(h).unwrap().expect("decided record");
            assert_eq!(
                (
                    other.value_id,
                    &other.batch,
                    other.first_index,
                    other.size_after
                ),
                (
                    first.value_id,
                    &first.batch,
                    first.first_index,
                    first.size_after
                ),
                "height {h}"
            );
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn bft_local_four_validators_replicate_and_survive_one_stop() {
    let _ = tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .with_test_writer()
        .try_init();
    let net = TestNet::new();
    let genesis = genesis(&net);
    let dirs: Vec<_> = (0..N).map(|_| tempfile::tempdir().unwrap()).collect();
    let stores: Vec<Arc<Store>> = dirs
        .iter()
        .map(|d| {
            let store = Store::open(&d.path().join("ledger"), false).unwrap();
            let out = store
                .append_batch(&[Candidate::new(genesis.clone())], None)
                .unwrap();
            assert!(out.results[0].1.is_ok(), "genesis: {:?}", out.results[0].1);
            Arc::new(store)
        })
        .collect();
    let genesis_head = stores[0].head();

    let ports: Vec<u16> = (0..N).map(|_| free_port()).collect();
    let addr = |i: usize| -> tanji_node::p2p::Multiaddr {
        format!("/ip4/127.0.0.1/tcp/{}", ports[i]).parse().unwrap()
    };
    let mut nodes: Vec<Option<BftNode>> = Vec::new();
    for i in 0..N {
        let peers = (0..N)
            .filter(|&j| j != i)
            .map(|j| {
                format!(
                    "{}/p2p/{}",
                    addr(j),
                    peer_id_of(&node_key(j).public()).unwrap()
                )
                .parse()
                .unwrap()
            })
            .collect();
        let node = start_validator(
            stores[i].clone(),
            &node_key(i),
            &format!("validator-{i}"),
            addr(i),
            peers,
            &dirs[i].path().join("node"),
            BftConfig::for_tests(),
        )
        .await
        .unwrap();
        nodes.push(Some(node));
    }

    // A supplier's registration and 19 anchors, all into validator 0's mempool.
    let supplier = net.supplier(10);
    let mut txs = vec![net.register(&supplier)];
    txs.extend((1..20).map(|n| net.anchor(&supplier, n, &format!("anchor-{n}"))));
    {
        let node = nodes[0].as_ref().unwrap();
        let mut pool = node.mempool.lock().unwrap();
        pool.extend(txs.iter().cloned().map(Candidate::new));
    }
    let target = genesis_head.size + txs.len() as u64;

    wait_for("every store to hold every transaction", || {
        stores.iter().all(|s| s.head().size >= target)
            && stores.iter().all(|s| s.head() == stores[0].head())
    })
    .await;
    for tx in &txs {
        for s in &stores {
            assert!(s.tx_index(&tx.id()).unwrap().is_some());
        }
    }
    let common = stores.iter().map(|s| last_decided(s)).min().unwrap();
    assert!(common >= 1);
    same_decisions(&stores, 1..=common);
    for s in &stores {
        assert_eq!(
            s.root_at(target).unwrap(),
            stores[0].root_at(target).unwrap()
        );
    }

    // Stop validator 3: the other three (3 of 4 > 2/3) keep deciding.
    nodes[3].take().unwrap().stop().await;
    let live = &stores[..3];
    let from = live.iter().map(|s| last_decided(s)).max().unwrap();
    wait_for("three validators to decide five more heights", || {
        live.iter().all(|s| last_decided(s) >= from + 5)
    })
    .await;
    let common = live.iter().map(|s| last_decided(s)).min().unwrap();
    same_decisions(live, 1..=common);

    for node in nodes.into_iter().flatten() {
        node.stop().await;
    }
}

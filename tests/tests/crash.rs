//! Kill -9 during a write flood, restart, and check that nothing reported as
//! in the log was lost, that history is unchanged, and that the new checkpoint
//! consistently extends the last one served before the kill.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tanji_ledger::keyfile::OrgKeyFile;
use tanji_ledger::tx::TxKind;
use tanji_ledger::TxId;
use tanji_sdk::types::tx::TxState;
use tanji_sdk::{build, Client};
use tanji_tests::{rfc9162, size_root, DevNode, Rng};

#[derive(Default)]
struct Observed {
    /// Transactions the node reported committed, with their index.
    committed: HashMap<TxId, u64>,
    /// Transactions accepted (queued) whose fate was not yet seen.
    queued: Vec<TxId>,
    /// The last checkpoint served.
    last_note: Option<String>,
}

async fn flood(
    client: Client,
    org: OrgKeyFile,
    network: String,
    first_nonce: u64,
    seen: Arc<Mutex<Observed>>,
    stop: Arc<AtomicBool>,
    next: Arc<AtomicU64>,
) {
    while !stop.load(Ordering::Relaxed) {
        let i = next.fetch_add(1, Ordering::Relaxed);
        let tx = build::single(
            &network,
            &org,
            first_nonce + i,
            TxKind::AnchorEvidence {
                digest: *blake3::hash(&i.to_le_bytes()).as_bytes(),
                label: format!("flood {i}"),
            },
        )
        .expect("sign");
        match client.submit(&tx).await {
            Ok(s) => seen.lock().expect("lock").queued.push(s.id),
            Err(_) => return, // the node died
        }
    }
}

/// Asks for the status of queued transactions and the latest checkpoint, recording what the node claims.
async fn observe(client: Client, seen: Arc<Mutex<Observed>>, stop: Arc<AtomicBool>) {
    while !stop.load(Ordering::Relaxed) {
        if let Ok(note) = client.checkpoint(None).await {
            seen.lock().expect("lock").last_note = Some(note);
        }
        let sample: Vec<TxId> = seen
            .lock()
            .expect("lock")
            .queued
            .iter()
            .rev()
            .take(20)
            .copied()
            .collect();
        for id in sample {
            if let Ok(s) = client.tx_status(&id).await {
                if s.status == TxState::Committed {
                    let mut o = seen.lock().expect("lock");
                    o.committed.insert(id, s.index.expect("index"));
                    o.queued.retain(|q| *q != id);
                }
            }
        }
        tokio::time::sleep(Duration::from_millis(3)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn kill_9_during_a_write_flood_loses_nothing_committed() {
    let mut rng = Rng::from_env("kill_9");
    let dir = tempfile::tempdir().expect("tempdir");
    let seen = Arc::new(Mutex::new(Observed::default()));
    let mut history: Vec<rfc9162::Hash> = Vec::new();
    let next = Arc::new(AtomicU64::new(0));
    let rounds = 6;

    for round in 0..rounds {
        let mut node = DevNode::start(dir.path(), &["--demo"]).expect("node starts");
        let client = node.client();
        let network = client.network().await.expect("network").network;
        let org = OrgKeyFile::load(&node.keys().join("cells.json")).expect("key");

        // After the restart: everything seen committed is still there, at the same index.
        {
            let (committed, queued, last_note) = {
                let o = seen.lock().expect("lock");
                (o.committed.clone(), o.queued.clone(), o.last_note.clone())
            };
            for (id, index) in &committed {
                let s = client.tx_status(id).await.expect("status");
                assert_eq!(
                    s.status,
                    TxState::Committed,
                    "round {round}: {id} was reported committed and is gone"
                );
                assert_eq!(s.index, Some(*index));
            }
            for id in &queued {
                let s = client.tx_status(id).await.expect("status");
                assert!(
                    s.status == TxState::Committed || s.status == TxState::Unknown,
                    "round {round}: queued {id} is {}",
                    s.status
                );
            }
            // The new checkpoint extends the last one served before the kill.
            if let Some(before) = &last_note {
                let (old_size, old_root) = size_root(before);
                let (new_size, new_root) =
                    size_root(&client.checkpoint(None).await.expect("checkpoint"));
                assert!(new_size >= old_size, "round {round}: log shrank");
                let proof = client
                    .consistency_proof(old_size, new_size)
                    .await
                    .expect("proof");
                assert!(
                    rfc9162::verify_consistency(old_size, new_size, &old_root, &new_root, &proof),
                    "round {round}: checkpoint {new_size} does not extend {old_size}"
                );
            }
        }
        // History is unchanged: the leaves seen before are the same.
        let size = client.health().await.expect("health").size;
        let entries = fetch_leaves(&client, size).await;
        assert_eq!(
            &entries[..history.len()],
            &history[..],
            "round {round}: history changed"
        );
        history = entries;
        {
            let mut o = seen.lock().expect("lock");
            o.queued.clear();
        }

        if round == rounds - 1 {
            // Last round: a clean stop, then an offline integrity check of the store.
            let (_, root) = size_root(&client.checkpoint(None).await.expect("checkpoint"));
            assert_eq!(rfc9162::root(&history), root, "root against every entry");
            node.stop().expect("clean stop");
            let out = std::process::Command::new(tanji_tests::bin("tanji-node"))
                .args(["check", "--data-dir"])
                .arg(dir.path())
                .output()
                .expect("run check");
            assert!(
                out.status.success(),
                "{}",
                String::from_utf8_lossy(&out.stderr)
            );
            break;
        }

        let first_nonce = build::next_nonce(&client, &org.org_id)
            .await
            .expect("nonce");
        next.store(0, Ordering::Relaxed);
        let stop = Arc::new(AtomicBool::new(false));
        let mut tasks = Vec::new();
        for _ in 0..8 {
            tasks.push(tokio::spawn(flood(
                client.clone(),
                org.clone(),
                network.clone(),
                first_nonce,
                seen.clone(),
                stop.clone(),
                next.clone(),
            )));
        }
        tasks.push(tokio::spawn(observe(
            client.clone(),
            seen.clone(),
            stop.clone(),
        )));
        tokio::time::sleep(Duration::from_millis(rng.range(150, 900))).await;
        node.kill();
        stop.store(true, Ordering::Relaxed);
        for t in tasks {
            let _ = t.await;
        }
        let o = seen.lock().expect("lock");
        eprintln!(
            "round {round}: {} committed seen, {} queued unresolved",
            o.committed.len(),
            o.queued.len()
        );
    }
    assert!(
        seen.lock().expect("lock").committed.len() > 10,
        "the flood committed something"
    );
}

async fn fetch_leaves(client: &Client, size: u64) -> Vec<rfc9162::Hash> {
    let mut leaves = Vec::new();
    while (leaves.len() as u64) < size {
        let page = client
            .entries(leaves.len() as u64, size)
            .await
            .expect("entries");
        assert!(!page.is_empty());
        for e in page {
            let leaf = rfc9162::leaf(&e.bytes);
            assert_eq!(leaf, e.leaf_hash);
            leaves.push(leaf);
        }
    }
    leaves
}

//! Fault tests of a replicated network with real processes: `tanji-node
//! devnet` starts 4 validators and 1 observer on 127.0.0.1 (ports chosen by
//! the OS), and the tests kill, isolate, wipe and restart nodes, connect
//! unregistered and misbehaving libp2p peers, and forge a validator's
//! checkpoint signature. Every check is on behaviour seen from outside:
//! sizes, cosigned checkpoints (verified here against the validators' keys),
//! entries re-hashed with the independent RFC 9162 verifier, alarms, logs.
//!
//! Waits have generous deadlines; nothing asserts on speed. "No commits while
//! 2 of 4 validators are down" is a safety check: the size and consensus
//! height must not move while transactions are queued.
//!
//! The tests run one at a time (a static mutex): each runs a 5-process network.

use std::collections::HashMap;
use std::time::Duration;

use tanji_ledger::checkpoint::{Checkpoint, NoteVerifier, SignedNote};
use tanji_ledger::crypto::SecretKey;
use tanji_ledger::keyfile::NodeKeyFile;
use tanji_ledger::tx::SignedTx;
use tanji_ledger::TxId;
use tanji_node::p2p::{
    keypair_from_seed, peer_id_of, Multiaddr, P2p, P2pConfig, P2pError, P2pEvent, P2pHandle,
    PeerId, Topic,
};
use tanji_node::replica::config::{NodeConfig, NodeConfigFile};
use tanji_sdk::types::tx::TxState;
use tanji_sdk::Client;
use tanji_tests::{
    arg, cli, converged, note_signers, rfc9162, size_root, wait_until, AnchorSigner, Devnet, Rng,
};
use tokio::sync::mpsc;

/// Upper bound for any single wait (replication, catch-up, events).
const WAIT: Duration = Duration::from_secs(120);

/// One network at a time (an async mutex: it is held across awaits, and a
/// failed test does not poison it for the others).
static SERIAL: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

async fn start_devnet() -> Devnet {
    Devnet::start(4, 1, &["--no-fsync", "--propose-timeout-ms", "1000"])
        .await
        .expect("devnet starts")
}

fn names(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

/// Submits `n` new transactions to `node`; returns them (all accepted).
async fn submit(net: &Devnet, node: &str, signer: &mut AnchorSigner, n: usize) -> Vec<SignedTx> {
    let c = net.client(node);
    let mut txs = Vec::new();
    for _ in 0..n {
        let tx = signer.tx(&format!("via {node}"));
        resubmit(&c, &tx).await;
        txs.push(tx);
    }
    txs
}

async fn resubmit(c: &Client, tx: &SignedTx) {
    // Accepted: queued, or already committed (the answer's type has no other case).
    c.submit(tx).await.expect("submitted");
}

fn ids(txs: &[SignedTx]) -> Vec<TxId> {
    txs.iter().map(|t| t.id()).collect()
}

async fn status(net: &Devnet, node: &str, id: &TxId) -> TxState {
    net.client(node)
        .tx_status(id)
        .await
        .expect("tx status")
        .status
}

/// Waits until `node` reports every transaction committed.
async fn wait_committed(net: &Devnet, node: &str, txs: &[SignedTx]) {
    for id in ids(txs) {
        let what = format!("{id} committed on {node}");
        wait_until(WAIT, &what, async || {
            let s = status(net, node, &id).await;
            assert!(s != TxState::Rejected, "{id} on {node}: {s}");
            (s == TxState::Committed).then_some(())
        })
        .await
        .unwrap_or_else(|e| panic!("{e}\n{}", net.logs_tail(20)));
    }
}

async fn wait_converged(net: &Devnet, nodes: &[String]) -> (u64, rfc9162::Hash) {
    match wait_until(
        WAIT,
        &format!("{nodes:?} at the same size and latest checkpoint"),
        async || converged(net, nodes).await,
    )
    .await
    {
        Ok(c) => c,
        Err(e) => panic!("{e}\n{}", describe(net, nodes).await),
    }
}

/// Each node's head and latest checkpoint, for failure messages.
async fn describe(net: &Devnet, nodes: &[String]) -> String {
    let mut out = String::new();
    for n in nodes {
        let health = net.health(n).await;
        let cp = net.checkpoint(n, None).await.map(|c| {
            c.map(|c| {
                let (size, root) = size_root(&c);
                format!(
                    "size {size} root {} by {:?}",
                    hex::encode(root),
                    note_signers(&c)
                )
            })
        });
        out.push_str(&format!("{n}: {health:?}; checkpoint {cp:?}\n"));
    }
    out
}

/// The validators' note keys and the checkpoint quorum, from `/v1/network`.
async fn validator_keys(net: &Devnet, node: &str) -> (Vec<NoteVerifier>, usize) {
    let v = net.client(node).network().await.expect("network");
    let keys = v
        .validators
        .iter()
        .map(|k| NoteVerifier::from_vkey(k).expect("vkey parses"))
        .collect();
    (keys, v.quorum)
}

/// The observers' note keys, from `/v1/network`.
async fn observer_keys(net: &Devnet, node: &str) -> Vec<NoteVerifier> {
    let v = net.client(node).network().await.expect("network");
    v.observers
        .into_iter()
        .map(|o| NoteVerifier {
            name: o.name,
            key: o.key,
        })
        .collect()
}

/// Checks every node's checkpoint at every size in `1..=up_to`: wherever a
/// node has one, the note text (origin, size, root) is the same on every
/// node, a signer's line is byte-identical wherever it appears, and each note
/// verifies with a quorum of validator keys; with `leaves`, the root is also
/// recomputed independently. Returns (sizes checkpointed on some node,
/// sizes checkpointed on every node).
async fn checkpoints_agree(
    net: &Devnet,
    nodes: &[String],
    up_to: u64,
    leaves: Option<&[rfc9162::Hash]>,
) -> (usize, usize) {
    let (validators, quorum) = validator_keys(net, &nodes[0]).await;
    let (mut some, mut all) = (0, 0);
    for size in 1..=up_to {
        let mut text: Option<String> = None;
        let mut lines: HashMap<String, String> = HashMap::new();
        let mut present = 0;
        for n in nodes {
            let Some(note) = net.checkpoint(n, Some(size)).await.expect("checkpoint") else {
                continue;
            };
            present += 1;
            let parsed = SignedNote::parse(&note).expect("parses");
            let have = parsed
                .verify(&validators, quorum)
                .unwrap_or_else(|e| panic!("{n}'s checkpoint at {size}: {e}\n{note}"));
            assert!(have >= quorum);
            let cp = parsed.checkpoint().expect("checkpoint");
            assert_eq!(cp.size, size, "{n} serves another size for ?size={size}");
            assert_eq!(cp.origin, net.network);
            if let Some(leaves) = leaves {
                assert_eq!(
                    cp.root,
                    rfc9162::root(&leaves[..size as usize]),
                    "{n}'s checkpoint at {size} is not the root of the entries"
                );
            }
            match &text {
                None => text = Some(parsed.text.clone()),
                Some(t) => assert_eq!(t, &parsed.text, "{n} disagrees at size {size}"),
            }
            let sigs = note.split_once("\n\n").expect("signature block").1;
            for line in sigs.lines() {
                let name = line.split(' ').nth(1).expect("name").to_string();
                let earlier = lines.entry(name).or_insert_with(|| line.to_string());
                assert_eq!(earlier, line, "two different lines by one signer at {size}");
            }
        }
        if present > 0 {
            some += 1;
        }
        if present == nodes.len() {
            all += 1;
        }
    }
    (some, all)
}

async fn assert_no_alarms(net: &Devnet, nodes: &[String]) {
    for n in nodes {
        let alarms = net.alarms(n).await.expect("alarms");
        assert!(alarms.is_empty(), "{n} raised alarms: {alarms:#?}");
    }
}

/// Every entry a node serves, re-hashed independently.
async fn leaves(net: &Devnet, node: &str, size: u64) -> Vec<rfc9162::Hash> {
    let c = net.client(node);
    let mut out = Vec::new();
    while (out.len() as u64) < size {
        let page = c.entries(out.len() as u64, size).await.expect("entries");
        assert!(!page.is_empty(), "{node} returned an empty page");
        for e in page {
            assert_eq!(e.index, out.len() as u64);
            SignedTx::decode(&e.bytes).expect("an entry is a signed transaction");
            let leaf = rfc9162::leaf(&e.bytes);
            assert_eq!(e.leaf_hash, leaf, "{node}: served leaf hash at {}", e.index);
            out.push(leaf);
        }
    }
    out
}

/// Watches `nodes` for `period`: neither log size nor consensus height may
/// move. Returns the sizes.
async fn assert_frozen(net: &Devnet, nodes: &[String], period: Duration) -> Vec<u64> {
    let mut before = Vec::new();
    for n in nodes {
        let h = net.health(n).await.expect("health");
        before.push((h.size, h.height));
    }
    let end = std::time::Instant::now() + period;
    while std::time::Instant::now() < end {
        tokio::time::sleep(Duration::from_millis(250)).await;
        for (n, b) in nodes.iter().zip(&before) {
            let h = net.health(n).await.expect("health");
            assert_eq!(
                (h.size, h.height),
                *b,
                "{n} moved (size, height) without a quorum"
            );
        }
    }
    before.iter().map(|b| b.0).collect()
}

// ---------------------------------------------------------------------------
// In-process libp2p peers.

/// A node's Tanji p2p address with its PeerId.
fn p2p_addr(net: &Devnet, name: &str) -> (PeerId, Multiaddr) {
    let cfg = NodeConfig::load(&net.node(name).config).expect("node.toml");
    let peer = peer_of(net, name);
    (peer, cfg.p2p_addr.with_p2p(peer).expect("address"))
}

struct RawPeer {
    handle: P2pHandle,
    events: mpsc::Receiver<P2pEvent>,
    peer: PeerId,
}

/// A swarm with node key `secret`, dialing (and redialing) `targets`.
fn raw_peer(secret: &SecretKey, network: &str, targets: &[(PeerId, Multiaddr)]) -> RawPeer {
    let mut c = P2pConfig::new(keypair_from_seed(&secret.seed()), network);
    c.listen = vec!["/ip4/127.0.0.1/tcp/0".parse().expect("multiaddr")];
    c.bootstrap = targets.iter().map(|(_, a)| a.clone()).collect();
    c.allowed = targets.iter().map(|(p, _)| *p).collect();
    c.heartbeat_interval = Duration::from_millis(200);
    c.redial_initial = Duration::from_millis(200);
    c.redial_max = Duration::from_secs(1);
    let peer = c.peer_id();
    let (handle, events) = P2p::start(c).expect("swarm starts");
    RawPeer {
        handle,
        events,
        peer,
    }
}

/// Waits for the first event for which `f` returns `Some`, dropping the
/// others (sync requests are thereby answered with an error at once).
async fn next_event<T>(
    events: &mut mpsc::Receiver<P2pEvent>,
    what: &str,
    mut f: impl FnMut(P2pEvent) -> Option<T>,
) -> T {
    let fut = async {
        loop {
            match events.recv().await {
                Some(e) => {
                    if let Some(t) = f(e) {
                        return t;
                    }
                }
                None => panic!("event channel closed while waiting for {what}"),
            }
        }
    };
    tokio::time::timeout(WAIT, fut)
        .await
        .unwrap_or_else(|_| panic!("timed out waiting for {what}"))
}

/// Events already received.
fn drain(events: &mut mpsc::Receiver<P2pEvent>) -> Vec<P2pEvent> {
    let mut out = Vec::new();
    while let Ok(e) = events.try_recv() {
        out.push(e);
    }
    out
}

/// Publishes, retrying while no peer has subscribed to the topic yet.
async fn publish(handle: &P2pHandle, topic: Topic, data: Vec<u8>) {
    wait_until(
        WAIT,
        "a subscribed peer to publish to",
        async || match handle.publish(topic, data.clone()).await {
            Ok(_) => Some(()),
            Err(P2pError::Publish(e)) if e.contains("NoPeers") || e.contains("Insufficient") => {
                None
            }
            Err(e) => panic!("publish failed: {e}"),
        },
    )
    .await
    .expect("published");
}

fn log_has(net: &Devnet, name: &str, needles: &[&str]) -> bool {
    log_has_after(net, name, 0, needles)
}

fn log_len(net: &Devnet, name: &str) -> usize {
    std::fs::metadata(net.node(name).data_dir.join("node.log")).map_or(0, |m| m.len() as usize)
}

/// Whether a line written after byte `from` of a node's log contains every needle.
fn log_has_after(net: &Devnet, name: &str, from: usize, needles: &[&str]) -> bool {
    let text = std::fs::read(net.node(name).data_dir.join("node.log")).unwrap_or_default();
    String::from_utf8_lossy(&text[from.min(text.len())..])
        .lines()
        .any(|l| needles.iter().all(|n| l.contains(n)))
}

/// How many lines of a node's log contain every needle.
fn log_count(net: &Devnet, name: &str, needles: &[&str]) -> usize {
    let text = std::fs::read(net.node(name).data_dir.join("node.log")).unwrap_or_default();
    String::from_utf8_lossy(&text)
        .lines()
        .filter(|l| needles.iter().all(|n| l.contains(n)))
        .count()
}

/// The PeerId of a node's key.
fn peer_of(net: &Devnet, name: &str) -> PeerId {
    let key = NodeKeyFile::load(&net.node(name).data_dir.join("node-key.json")).expect("node key");
    peer_id_of(&key.signing_key).expect("peer id")
}

/// Kills `name` and waits until each of `nodes` has seen its Tanji p2p
/// connection close. Only then may a client reuse its identity: a peer that
/// still holds the old connection treats the new one as a second connection
/// of a known peer and never sends it its gossip subscriptions (gossipsub
/// does so only on a first connection), so the client could not publish.
async fn kill_and_forget(net: &mut Devnet, name: &str, nodes: &[String]) {
    let peer = peer_of(net, name).to_string();
    let from: Vec<usize> = nodes.iter().map(|n| log_len(net, n)).collect();
    // Only nodes connected to it at the kill see a connection close (a node
    // may reach it only through others, e.g. when a dial raced its start).
    let connected: Vec<bool> = nodes
        .iter()
        .map(|n| {
            let count = |event: &str| log_count(net, n, &[event, &peer]);
            count("p2p: peer connected") > count("p2p: peer disconnected")
        })
        .collect();
    net.kill(name);
    for ((n, from), _) in nodes.iter().zip(from).zip(connected).filter(|(_, c)| *c) {
        let what = format!("{n} to see {name}'s connection close");
        wait_until(WAIT, &what, async || {
            log_has_after(net, n, from, &["p2p: peer disconnected", &peer]).then_some(())
        })
        .await
        .expect("connection closed");
    }
}

// ---------------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn network_replicates_and_observer_verifies() {
    let _serial = SERIAL.lock().await;
    let net = start_devnet().await;
    let all = names(&[
        "validator-0",
        "validator-1",
        "validator-2",
        "validator-3",
        "observer-0",
    ]);
    let start_size = net.size("validator-1").await.expect("size");

    // 200 transactions through validator-1, signed by every founding organisation.
    let (url, keys) = (net.url("validator-1"), net.keys());
    let out = tokio::task::spawn_blocking(move || {
        cli(&[
            "load",
            "--node",
            &url,
            "--keys",
            arg(&keys),
            "--count",
            "200",
            "--timeout",
            "120",
        ])
    })
    .await
    .expect("join");
    assert!(out.success(), "{out}");
    assert!(out.text().contains("committed 200"), "{out}");

    // All five nodes: same size, same latest checkpoint.
    let (size, root) = wait_converged(&net, &all).await;
    assert!(size >= start_size + 200, "{size} < {start_size} + 200");

    // The latest checkpoint is cosigned by at least 3 distinct validators ...
    let (validators, quorum) = validator_keys(&net, "observer-0").await;
    assert_eq!((validators.len(), quorum), (4, 3));
    let note = net
        .checkpoint("validator-0", Some(size))
        .await
        .expect("checkpoint")
        .expect("final");
    let parsed = SignedNote::parse(&note).expect("note");
    assert!(parsed.verify(&validators, quorum).expect("verifies") >= 3);
    assert_eq!(
        parsed.checkpoint().expect("checkpoint"),
        Checkpoint {
            origin: &net.network,
            size,
            root
        }
    );

    // ... and eventually carries observer-0's witness line, on every node.
    let observers = observer_keys(&net, "validator-0").await;
    assert_eq!(observers.len(), 1);
    assert_eq!(observers[0].name, "observer-0");
    for n in &all {
        wait_until(
            WAIT,
            &format!("observer-0's witness line on {n}"),
            async || {
                let note = net.checkpoint(n, Some(size)).await.ok()??;
                let parsed = SignedNote::parse(&note).ok()?;
                parsed.verify(&observers, 1).ok().map(|_| ())
            },
        )
        .await
        .unwrap_or_else(|e| panic!("{e}\n{}", net.logs_tail(20)));
    }

    // Once every line has spread, the latest checkpoint is byte-identical on
    // every node: 4 validators and the witness.
    let mut latest = String::new();
    wait_until(
        WAIT,
        "the same latest checkpoint on every node",
        async || {
            let mut notes = Vec::new();
            for n in &all {
                notes.push(net.checkpoint(n, Some(size)).await.ok()??);
            }
            (notes.iter().all(|n| *n == notes[0]) && note_signers(&notes[0]).len() == 5).then(
                || {
                    latest = notes[0].clone();
                },
            )
        },
    )
    .await
    .unwrap_or_else(|e| panic!("{e}\n{}", net.logs_tail(20)));
    assert_eq!(
        note_signers(&latest),
        [
            "validator-0",
            "validator-1",
            "validator-2",
            "validator-3",
            "observer-0"
        ]
    );

    // The observer's entries recompute, independently, to the cosigned root.
    let leaves = leaves(&net, "observer-0", size).await;
    assert_eq!(rfc9162::root(&leaves), root, "entries vs. cosigned root");

    // Every checkpoint that any node keeps is the same everywhere and is the
    // root of the entries at its size.
    let (some, everywhere) = checkpoints_agree(&net, &all, size, Some(&leaves)).await;
    eprintln!("checkpointed sizes: {some} on some node, {everywhere} on all five");
    assert!(everywhere >= 1 && some >= everywhere);
    assert_no_alarms(&net, &all).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_down_commits_two_down_stop_safely_then_resume() {
    let _serial = SERIAL.lock().await;
    let mut rng = Rng::from_env("one_down_two_down");
    let mut net = start_devnet().await;
    let all = names(&[
        "validator-0",
        "validator-1",
        "validator-2",
        "validator-3",
        "observer-0",
    ]);
    let mut alice = AnchorSigner::new(&net, "operator-1", &mut rng);
    let mut bob = AnchorSigner::new(&net, "operator-2", &mut rng);
    let warm = submit(&net, "validator-0", &mut alice, 5).await;
    wait_committed(&net, "validator-0", &warm).await;
    wait_converged(&net, &all).await;

    // One of four down: still live.
    net.kill("validator-3");
    let three = names(&["validator-0", "validator-1", "validator-2", "observer-0"]);
    let txs = submit(&net, "validator-0", &mut alice, 20).await;
    wait_committed(&net, "validator-0", &txs).await;
    let (size1, _) = wait_converged(&net, &three).await;

    // Two of four down: no quorum. Submitted transactions stay queued and
    // nothing is decided, on any node.
    net.kill("validator-2");
    let two = names(&["validator-0", "validator-1", "observer-0"]);
    let (frozen_size, frozen_root) = wait_converged(&net, &two).await;
    assert!(frozen_size >= size1);
    let mut queued = submit(&net, "validator-0", &mut alice, 10).await;
    let via_v1 = submit(&net, "validator-1", &mut bob, 5).await;
    let sizes = assert_frozen(&net, &two, Duration::from_secs(5)).await;
    assert!(sizes.iter().all(|s| *s == frozen_size), "{sizes:?}");
    for id in ids(&queued) {
        assert_eq!(status(&net, "validator-0", &id).await, TxState::Queued);
    }
    for id in ids(&via_v1) {
        assert_eq!(status(&net, "validator-1", &id).await, TxState::Queued);
    }
    assert_no_alarms(&net, &two).await;
    assert_eq!(
        converged(&net, &two).await,
        Some((frozen_size, frozen_root)),
        "live nodes disagree while stalled"
    );

    // validator-2 back: quorum again, the queued transactions commit.
    net.restart("validator-2")
        .await
        .expect("validator-2 restarts");
    wait_committed(&net, "validator-0", &queued).await;
    wait_committed(&net, "validator-1", &via_v1).await;
    let (size2, _) = wait_converged(&net, &three).await;
    assert!(size2 >= frozen_size + 15);

    // validator-3 back: it catches up to the same checkpoint as the others,
    // and takes part again (a transaction submitted to it commits everywhere).
    net.restart("validator-3")
        .await
        .expect("validator-3 restarts");
    let more = submit(&net, "validator-3", &mut alice, 5).await;
    wait_committed(&net, "validator-3", &more).await;
    queued.extend(more);
    let (size3, _) = wait_converged(&net, &all).await;
    for n in &all {
        for id in ids(&queued) {
            assert_eq!(
                status(&net, n, &id).await,
                TxState::Committed,
                "{id} on {n}"
            );
        }
    }
    let (some, everywhere) = checkpoints_agree(&net, &all, size3, None).await;
    eprintln!("checkpointed sizes: {some} on some node, {everywhere} on all five");
    assert!(everywhere >= 1);
    assert_no_alarms(&net, &all).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn late_and_empty_observer_catch_up() {
    let _serial = SERIAL.lock().await;
    let mut rng = Rng::from_env("late_observer");
    let mut net = start_devnet().await;
    let validators = names(&["validator-0", "validator-1", "validator-2", "validator-3"]);
    let all = names(&[
        "validator-0",
        "validator-1",
        "validator-2",
        "validator-3",
        "observer-0",
    ]);
    net.kill("observer-0");

    let mut alice = AnchorSigner::new(&net, "operator", &mut rng);
    for _ in 0..3 {
        let txs = submit(&net, "validator-0", &mut alice, 20).await;
        wait_committed(&net, "validator-0", &txs).await;
    }
    let (size, root) = wait_converged(&net, &validators).await;

    // Its store is gone (node key and config stay): it starts from the
    // genesis file and syncs everything from the validators.
    let obs_dir = net.node("observer-0").data_dir.clone();
    std::fs::remove_dir_all(obs_dir.join("db")).expect("remove the store");
    net.restart("observer-0").await.expect("observer restarts");
    let log = std::fs::read_to_string(obs_dir.join("node.log")).expect("log");
    let started = log
        .lines()
        .rfind(|l| l.contains("node starting"))
        .expect("start line")
        .to_string();
    assert!(
        started.contains(" size=2 "),
        "not an empty store: {started}"
    );
    assert_eq!(wait_converged(&net, &all).await, (size, root));
    let leaves_obs = leaves(&net, "observer-0", size).await;
    assert_eq!(rfc9162::root(&leaves_obs), root);

    // Then it follows new transactions live.
    let live = submit(&net, "validator-1", &mut alice, 20).await;
    wait_committed(&net, "validator-1", &live).await;
    let (size2, _) = wait_converged(&net, &all).await;
    assert!(size2 >= size + 20);
    for id in ids(&live) {
        assert_eq!(status(&net, "observer-0", &id).await, TxState::Committed);
    }
    let observers = observer_keys(&net, "validator-0").await;
    wait_until(
        WAIT,
        "observer-0 witnesses the newest checkpoint",
        async || {
            let note = net.checkpoint("observer-0", Some(size2)).await.ok()??;
            SignedNote::parse(&note).ok()?.verify(&observers, 1).ok()
        },
    )
    .await
    .expect("witnessed");
    checkpoints_agree(&net, &all, size2, None).await;
    assert_no_alarms(&net, &all).await;

    // Stopped cleanly, its store passes the offline check (every leaf and
    // checkpoint root recomputed).
    net.stop("observer-0").expect("observer stops on SIGTERM");
    let out = std::process::Command::new(tanji_tests::bin("tanji-node"))
        .arg("check")
        .arg("--data-dir")
        .arg(&obs_dir)
        .output()
        .expect("tanji-node check runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "check failed: {stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.starts_with(&format!("ok: {size2} entries re-hashed")),
        "{stdout}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn isolated_validator_cannot_diverge() {
    let _serial = SERIAL.lock().await;
    let mut rng = Rng::from_env("isolated_validator");
    let mut net = start_devnet().await;
    let all = names(&[
        "validator-0",
        "validator-1",
        "validator-2",
        "validator-3",
        "observer-0",
    ]);
    let others = names(&["validator-0", "validator-1", "validator-2", "observer-0"]);
    let mut alice = AnchorSigner::new(&net, "operator", &mut rng);
    let warm = submit(&net, "validator-0", &mut alice, 5).await;
    wait_committed(&net, "validator-0", &warm).await;
    wait_converged(&net, &all).await;

    // validator-3 restarted with no peers and new ports: it reaches nobody
    // and nobody reaches it.
    net.kill("validator-3");
    let node = net.node("validator-3").clone();
    let text = std::fs::read_to_string(&node.config).expect("node.toml");
    let mut file: NodeConfigFile = toml::from_str(&text).expect("parses");
    file.peers.clear();
    file.consensus_addr = "/ip4/127.0.0.1/tcp/0".into();
    file.p2p_addr = "/ip4/127.0.0.1/tcp/0".into();
    let isolated = node.data_dir.join("isolated.toml");
    std::fs::write(&isolated, toml::to_string(&file).expect("toml")).expect("write");
    net.restart_with("validator-3", &isolated)
        .await
        .expect("isolated validator-3 starts");
    let alone = names(&["validator-3"]);
    let h3 = net.health("validator-3").await.expect("health");

    // Transactions to it and to the others: the others go on, it decides nothing.
    let mut bob = AnchorSigner::new(&net, "operator-3", &mut rng);
    let stranded = submit(&net, "validator-3", &mut bob, 5).await;
    let txs = submit(&net, "validator-0", &mut alice, 20).await;
    wait_committed(&net, "validator-0", &txs).await;
    let (size, _) = wait_converged(&net, &others).await;
    assert_frozen(&net, &alone, Duration::from_secs(4)).await;
    let h3_after = net.health("validator-3").await.expect("health");
    assert_eq!(h3.size, h3_after.size, "the isolated validator decided");
    assert_eq!(h3.height, h3_after.height, "the isolated validator decided");
    assert!(h3.size < size);
    for id in ids(&stranded) {
        assert_eq!(status(&net, "validator-3", &id).await, TxState::Queued);
        assert_eq!(status(&net, "validator-0", &id).await, TxState::Unknown);
    }
    assert_no_alarms(&net, &all).await;

    // Back with its real config: it catches up to identical checkpoints. Its
    // stranded transactions died with its mempool; submitted again, they commit.
    net.kill("validator-3");
    net.restart("validator-3")
        .await
        .expect("validator-3 restarts");
    wait_converged(&net, &all).await;
    for tx in &stranded {
        resubmit(&net.client("validator-3"), tx).await;
    }
    wait_committed(&net, "validator-3", &stranded).await;
    let (size2, _) = wait_converged(&net, &all).await;
    for id in ids(&stranded) {
        assert_eq!(status(&net, "validator-0", &id).await, TxState::Committed);
    }
    let (some, everywhere) = checkpoints_agree(&net, &all, size2, None).await;
    eprintln!("checkpointed sizes: {some} on some node, {everywhere} on all five");
    assert_no_alarms(&net, &all).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unregistered_peer_cannot_connect_and_malformed_gossip_is_penalised() {
    let _serial = SERIAL.lock().await;
    let mut rng = Rng::from_env("unregistered_peer");
    let mut net = start_devnet().await;
    let mut alice = AnchorSigner::new(&net, "operator", &mut rng);
    let v0 = p2p_addr(&net, "validator-0");

    // A stranger's key: validator-0's gate refuses it after the handshake.
    let mut seed = [0u8; 32];
    for chunk in seed.chunks_mut(8) {
        chunk.copy_from_slice(&rng.next_u64().to_le_bytes());
    }
    let mut stranger = raw_peer(
        &SecretKey::from_seed(&seed),
        &net.network,
        std::slice::from_ref(&v0),
    );
    let sp = stranger.peer.to_string();
    next_event(&mut stranger.events, "the stranger dropped", |e| match e {
        P2pEvent::Gossip { .. } => panic!("an unregistered peer got gossip"),
        P2pEvent::PeerDisconnected(p) | P2pEvent::ConnectionDenied(p) if p == v0.0 => Some(()),
        _ => None,
    })
    .await;
    wait_until(WAIT, "validator-0 logs the refusal", async || {
        log_has(
            &net,
            "validator-0",
            &["connection refused by the gate", &sp],
        )
        .then_some(())
    })
    .await
    .expect("refusal logged");
    // While transactions and checkpoints are gossiped, it receives nothing.
    let txs = submit(&net, "validator-1", &mut alice, 10).await;
    wait_committed(&net, "validator-1", &txs).await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    for e in drain(&mut stranger.events) {
        assert!(
            !matches!(e, P2pEvent::Gossip { .. }),
            "an unregistered peer got gossip: {e:?}"
        );
    }
    assert_eq!(stranger.handle.stats().gossip_received, 0);
    stranger.handle.shutdown().await.expect("shutdown");

    // observer-0's key is registered: with the observer down, a client using
    // it is let in and gets gossip.
    kill_and_forget(&mut net, "observer-0", &names(&["validator-0"])).await;
    let obs_key = NodeKeyFile::load(&net.node("observer-0").data_dir.join("node-key.json"))
        .expect("observer key")
        .secret()
        .expect("secret");
    let mut member = raw_peer(&obs_key, &net.network, std::slice::from_ref(&v0));
    let mp = member.peer.to_string();
    next_event(
        &mut member.events,
        "connected to validator-0",
        |e| match e {
            P2pEvent::PeerConnected(p) if p == v0.0 => Some(()),
            _ => None,
        },
    )
    .await;
    let txs = submit(&net, "validator-1", &mut alice, 5).await;
    next_event(&mut member.events, "gossip from validator-0", |e| match e {
        P2pEvent::PeerDisconnected(p) if p == v0.0 => panic!("a registered peer was dropped"),
        P2pEvent::Gossip { source, .. } if source == v0.0 => Some(()),
        _ => None,
    })
    .await;
    wait_committed(&net, "validator-1", &txs).await;
    assert!(member.handle.peers().await.expect("peers").contains(&v0.0));

    // Malformed transaction bundles (3 penalty points each, ban at 10): it is
    // disconnected and banned.
    let mut sent = 0u32;
    let mut last_error = None;
    for attempt in 0u32.. {
        assert!(
            attempt < 50,
            "not banned after {sent} malformed messages (last publish error: {last_error:?})"
        );
        // A bundle announcing 4 billion entries, distinct each time (gossip
        // ids are content hashes).
        let junk = [vec![0xff, 0xff, 0xff, 0xff], attempt.to_le_bytes().to_vec()].concat();
        match member.handle.publish(Topic::Transactions, junk).await {
            Ok(_) => sent += 1,
            Err(e) => last_error = Some(e.to_string()),
        }
        let dropped = tokio::time::timeout(Duration::from_secs(1), async {
            loop {
                match member.events.recv().await {
                    Some(P2pEvent::PeerDisconnected(p)) if p == v0.0 => return,
                    None => panic!("swarm stopped"),
                    _ => {}
                }
            }
        })
        .await;
        if dropped.is_ok() {
            break;
        }
    }
    assert!(sent >= 4, "banned after only {sent} messages of 3 points");
    eprintln!("banned after {sent} malformed bundles");
    wait_until(WAIT, "validator-0 logs the ban", async || {
        log_has(&net, "validator-0", &["peer banned for misbehaviour", &mp]).then_some(())
    })
    .await
    .expect("ban logged");
    // It keeps redialing; validator-0 refuses it at the gate while banned.
    let before = std::fs::read_to_string(net.node("validator-0").data_dir.join("node.log"))
        .expect("log")
        .len();
    wait_until(WAIT, "validator-0 refuses the banned peer", async || {
        let log = std::fs::read_to_string(net.node("validator-0").data_dir.join("node.log"))
            .unwrap_or_default();
        log[before..]
            .lines()
            .any(|l| l.contains("connection refused by the gate") && l.contains(&mp))
            .then_some(())
    })
    .await
    .expect("banned peer refused");
    drain(&mut member.events);
    let received = member.handle.stats().gossip_received;
    let txs = submit(&net, "validator-1", &mut alice, 5).await;
    wait_committed(&net, "validator-0", &txs).await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    for e in drain(&mut member.events) {
        assert!(
            !matches!(e, P2pEvent::Gossip { .. }),
            "a banned peer got gossip: {e:?}"
        );
    }
    assert_eq!(member.handle.stats().gossip_received, received);
    member.handle.shutdown().await.expect("shutdown");
    let live = names(&["validator-0", "validator-1", "validator-2", "validator-3"]);
    wait_converged(&net, &live).await;
    assert_no_alarms(&net, &live).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn byzantine_checkpoint_signer_is_caught_without_fork() {
    let _serial = SERIAL.lock().await;
    let mut rng = Rng::from_env("byzantine_signer");
    let mut net = start_devnet().await;
    let all = names(&[
        "validator-0",
        "validator-1",
        "validator-2",
        "validator-3",
        "observer-0",
    ]);
    let honest = names(&["validator-0", "validator-1", "validator-2", "observer-0"]);
    let mut alice = AnchorSigner::new(&net, "operator", &mut rng);
    let txs = submit(&net, "validator-0", &mut alice, 10).await;
    wait_committed(&net, "validator-0", &txs).await;
    let (s0, _) = wait_converged(&net, &all).await;
    // validator-3 genuinely signed s0 (its line reaches the others).
    wait_until(WAIT, "validator-3's genuine line at s0", async || {
        let note = net.checkpoint("validator-0", Some(s0)).await.ok()??;
        note_signers(&note)
            .contains(&"validator-3".to_string())
            .then_some(())
    })
    .await
    .expect("validator-3 signed");

    // validator-3 "goes rogue": its process is gone, its key signs lies.
    kill_and_forget(&mut net, "validator-3", &honest).await;
    let txs = submit(&net, "validator-0", &mut alice, 10).await;
    wait_committed(&net, "validator-0", &txs).await;
    let (s1, r1) = wait_converged(&net, &honest).await;
    assert!(s1 > s0);

    let key = NodeKeyFile::load(&net.node("validator-3").data_dir.join("node-key.json"))
        .expect("validator-3 key")
        .secret()
        .expect("secret");
    let targets: Vec<(PeerId, Multiaddr)> = honest.iter().map(|n| p2p_addr(&net, n)).collect();
    let mut rogue = raw_peer(&key, &net.network, &targets);
    let want: Vec<PeerId> = targets.iter().map(|t| t.0).collect();
    let handle = rogue.handle.clone();
    wait_until(
        WAIT,
        "every honest node in the rogue's checkpoint mesh",
        async || {
            drain(&mut rogue.events);
            let mesh = handle.mesh_peers(Topic::Checkpoints).await.ok()?;
            want.iter().all(|p| mesh.contains(p)).then_some(())
        },
    )
    .await
    .expect("mesh");
    // The rogue also never answers the honest nodes' sync requests (it keeps
    // them pending); they must not wait on it.
    let mut events = rogue.events;
    let drainer = tokio::spawn(async move {
        let mut withheld = Vec::new();
        while let Some(e) = events.recv().await {
            if let P2pEvent::SyncRequest { reply, .. } = e {
                withheld.push(reply);
            }
        }
    });

    let forge = |size: u64, honest_root: rfc9162::Hash| {
        let mut root = honest_root;
        root[0] ^= 0x55;
        root[31] ^= 0xaa;
        SignedNote::sign(
            Checkpoint {
                origin: &net.network,
                size,
                root,
            }
            .text(),
            "validator-3",
            &key,
        )
        .to_string()
    };
    let honest_s0 = net
        .checkpoint("validator-0", Some(s0))
        .await
        .expect("checkpoint")
        .expect("s0 final");
    let forged1 = forge(s1, r1);
    let forged0 = forge(s0, size_root(&honest_s0).1);
    publish(&handle, Topic::Checkpoints, forged1.clone().into_bytes()).await;
    publish(&handle, Topic::Checkpoints, forged0.clone().into_bytes()).await;

    let (validators, quorum) = validator_keys(&net, "validator-0").await;
    for n in &honest {
        let alarms = wait_until(WAIT, &format!("fork alarms on {n}"), async || {
            let alarms = net.alarms(n).await.ok()?;
            let forks = |size: u64, forged: &str| {
                alarms
                    .iter()
                    .any(|a| a.kind == "fork" && a.size == size && a.notes[1] == forged)
            };
            (forks(s1, &forged1) && forks(s0, &forged0)).then_some(alarms)
        })
        .await
        .unwrap_or_else(|e| panic!("{e}\n{}", net.logs_tail(20)));
        for a in alarms.iter().filter(|a| a.kind == "fork") {
            let size = a.size;
            assert_eq!(a.signers, ["validator-3"]);
            // The first note is the honest, final checkpoint for that size.
            let ours = &a.notes[0];
            let parsed = SignedNote::parse(ours).expect("note");
            assert!(parsed.verify(&validators, quorum).is_ok(), "{n}: {ours}");
            let stored = net
                .checkpoint(n, Some(size))
                .await
                .expect("cp")
                .expect("final");
            assert_eq!(size_root(ours), size_root(&stored));
            assert_ne!(size_root(ours), size_root(&a.notes[1]));
        }
        // validator-3 had signed the honest root for s0 and this node saw it:
        // signing another root for s0 is an equivocation.
        let stored_s0 = net
            .checkpoint(n, Some(s0))
            .await
            .expect("cp")
            .expect("final");
        let kinds: Vec<&str> = alarms.iter().map(|a| a.kind.as_str()).collect();
        eprintln!("{n}: alarms {kinds:?}");
        if note_signers(&stored_s0).contains(&"validator-3".to_string()) {
            assert!(
                alarms.iter().any(|a| a.kind == "equivocation"
                    && a.size == s0
                    && a.signers == ["validator-3"]),
                "{n}: no equivocation alarm: {alarms:#?}"
            );
        }
    }

    // No fork: the honest nodes still agree, and still commit.
    let txs = submit(&net, "validator-1", &mut alice, 10).await;
    wait_committed(&net, "validator-1", &txs).await;
    let (s2, _) = wait_converged(&net, &honest).await;
    assert!(s2 > s1);
    let (_, everywhere) = checkpoints_agree(&net, &honest, s2, None).await;
    assert!(everywhere >= 1);
    for n in &honest {
        for size in [s0, s1] {
            let stored = net.checkpoint(n, Some(size)).await.expect("cp");
            if let Some(stored) = stored {
                assert_ne!(stored, forged0);
                assert_ne!(stored, forged1);
            }
        }
    }
    drainer.abort();
    let _ = handle.shutdown().await;
}

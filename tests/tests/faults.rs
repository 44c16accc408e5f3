//! Faults across hosts: 4 validators and 1 observer, each in its own network
//! namespace (veth links on a bridge) when the test runs as root and `ip
//! netns` works, else on the loopback ("mode: loopback (reason)"). Every
//! peer link passes a relay that can shape it; links are cut by taking veth
//! links down or moving them to another bridge (in loopback mode, in the
//! relays). One network serves every scenario, in this order:
//!
//! 1. `wan`: 200 ms ± 50 ms one way with 2 % loss on every link (netem, or
//!    the userspace relay where the kernel has no netem): commits go on;
//!    commit latencies are printed, not asserted (`calm` is the baseline);
//! 2. `minority`: validator-3 cut off: the others commit, it decides nothing;
//!    healed, it catches up;
//!    `no-quorum`: {validator-0, validator-1, observer-0} | {validator-2,
//!    validator-3}: no side has 3 of 4 validators, so nothing is decided
//!    anywhere; healed, the queued transactions commit;
//! 3. `flapping`: validator-2's link goes down and up a bounded number of times
//!    under load;
//! 4. `observer`: observer-0 cut off and back: it catches up and witnesses
//!    (its signature line on the newest checkpoint) what it verified.
//!
//! A client submits transactions at a steady rate all along and records
//! every submission and answer in a [`History`]; at the end the history is
//! checked against every node's log (see `tanji_tests::history`) and its
//! counts are printed. `TANJI_FAULT_SCENARIOS=wan,observer` runs some
//! scenarios only; `TANJI_FAULT_MODE=netns|loopback` forces a mode.
//!
//! Waits are bounded polls with generous deadlines; nothing asserts on speed.
//! "Nothing is decided" is a safety check over an observation window.

use std::collections::HashMap;
use std::io::Write as _;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tanji_ledger::checkpoint::{NoteVerifier, SignedNote};
use tanji_ledger::keyfile::OrgKeyFile;
use tanji_sdk::types::tx::TxState;
use tanji_sdk::Client;
use tanji_tests::faultnet::FaultNet;
use tanji_tests::history::{self, History};
use tanji_tests::relay::Shape;
use tanji_tests::{anchor_tx, converged, wait_until, Devnet, Rng};

/// Upper bound of any single wait (commits, catch-up).
const WAIT: Duration = Duration::from_secs(90);
/// Submissions per second while a scenario runs.
const RATE: u64 = 5;
/// At most this many submissions in the whole test.
const MAX_OPS: usize = 1500;
/// The load stops on its own after this long, whatever happens.
const MAX_LOAD: Duration = Duration::from_secs(300);
/// A submission not answered within this is indeterminate.
const SUBMIT_TIMEOUT: Duration = Duration::from_secs(5);
/// Down/up cycles of the flapping link.
const FLAPS: usize = 4;

const VALIDATORS: [&str; 4] = ["validator-0", "validator-1", "validator-2", "validator-3"];
const ALL: [&str; 5] = [
    "validator-0",
    "validator-1",
    "validator-2",
    "validator-3",
    "observer-0",
];

/// Prints to the test's stderr even when cargo captures output, so the
/// mode, counts and latencies appear in `./scripts/test`'s log.
fn say(text: &str) {
    let _ = writeln!(std::io::stderr(), "faults: {text}");
}

fn names(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

/// The steady client: submits anchors round-robin to `targets`, records
/// everything in the history, and asks each node about its unacknowledged
/// transactions whenever its log grows.
struct Load {
    history: Arc<History>,
    phase: Arc<Mutex<String>>,
    targets: Arc<Mutex<Vec<String>>>,
    stop: Arc<AtomicBool>,
    tasks: Vec<tokio::task::JoinHandle<()>>,
}

impl Load {
    fn start(net: &Devnet, seed: u64) -> Self {
        let history = History::new();
        let phase = Arc::new(Mutex::new("warm-up".to_string()));
        let targets = Arc::new(Mutex::new(names(&VALIDATORS)));
        let stop = Arc::new(AtomicBool::new(false));
        let clients: HashMap<String, Client> =
            ALL.iter().map(|n| (n.to_string(), net.client(n))).collect();
        let org = OrgKeyFile::load(&net.keys().join("operator.json")).expect("operator key");
        let network = net.network.clone();

        let submitter = {
            let (history, phase, targets, stop, clients) = (
                history.clone(),
                phase.clone(),
                targets.clone(),
                stop.clone(),
                clients.clone(),
            );
            tokio::spawn(async move {
                let begun = Instant::now();
                let mut nonce = seed;
                let mut next = 0usize;
                let mut tick = tokio::time::interval(Duration::from_millis(1000 / RATE));
                let mut sent = 0;
                while !stop.load(Ordering::Relaxed) && sent < MAX_OPS && begun.elapsed() < MAX_LOAD
                {
                    tick.tick().await;
                    let target = {
                        let t = targets.lock().expect("lock");
                        if t.is_empty() {
                            continue;
                        }
                        next += 1;
                        t[next % t.len()].clone()
                    };
                    nonce += 1;
                    let tx = anchor_tx(&network, &org, nonce, "fault test");
                    let id = tx.id();
                    let p = phase.lock().expect("lock").clone();
                    history.invoke(id, &target, &p);
                    sent += 1;
                    match tokio::time::timeout(SUBMIT_TIMEOUT, clients[&target].submit(&tx)).await {
                        Ok(Ok(_)) => history.accepted(&id),
                        Ok(Err(e)) => history.indeterminate(&id, &e.to_string()),
                        Err(_) => history.indeterminate(&id, "timed out"),
                    }
                }
            })
        };
        let acker = {
            let (history, stop) = (history.clone(), stop.clone());
            tokio::spawn(async move {
                let mut sizes: HashMap<String, u64> = HashMap::new();
                // Keeps asking until stopped: the final wait needs it.
                let begun = Instant::now();
                while !stop.load(Ordering::Relaxed) && begun.elapsed() < MAX_LOAD + WAIT * 2 {
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    let unacked = history.unacked();
                    for (name, c) in &clients {
                        let Ok(Ok(h)) =
                            tokio::time::timeout(Duration::from_secs(2), c.health()).await
                        else {
                            continue;
                        };
                        if sizes.get(name) == Some(&h.size) {
                            continue;
                        }
                        sizes.insert(name.clone(), h.size);
                        for (id, _) in unacked.iter().filter(|(_, n)| n == name).take(200) {
                            let Ok(Ok(s)) =
                                tokio::time::timeout(Duration::from_secs(2), c.tx_status(id)).await
                            else {
                                continue;
                            };
                            if s.status == TxState::Committed {
                                if let Some(index) = s.index {
                                    history.acked(id, index);
                                }
                            }
                        }
                    }
                }
            })
        };
        Load {
            history,
            phase,
            targets,
            stop,
            tasks: vec![submitter, acker],
        }
    }

    fn phase(&self, phase: &str, targets: &[&str]) {
        *self.phase.lock().expect("lock") = phase.to_string();
        *self.targets.lock().expect("lock") = names(targets);
    }

    /// Stops submitting (the acknowledgements go on).
    fn pause(&self) {
        self.targets.lock().expect("lock").clear();
    }

    /// Accepted operations of `phase` (submitted to one of `via`, if given)
    /// not yet acknowledged.
    fn unacked(&self, phase: &str, via: Option<&[&str]>) -> usize {
        self.history
            .ops()
            .iter()
            .filter(|o| o.phase == phase && o.ack.is_none())
            .filter(|o| o.submit == history::Submit::Accepted)
            .filter(|o| via.is_none_or(|v| v.contains(&o.node.as_str())))
            .count()
    }

    /// Acknowledged operations of `phase`.
    fn acked(&self, phase: &str) -> usize {
        self.history
            .ops()
            .iter()
            .filter(|o| o.phase == phase && o.ack.is_some())
            .count()
    }

    async fn stop(self) -> Arc<History> {
        self.stop.store(true, Ordering::Relaxed);
        for t in self.tasks {
            let _ = t.await;
        }
        self.history
    }
}

/// Waits until every accepted operation of `phase` (submitted via `via`, if
/// given) is acknowledged.
async fn wait_all_acked(fnet: &FaultNet, load: &Load, phase: &str, via: Option<&[&str]>) {
    let what = format!("every accepted {phase} transaction committed");
    if let Err(e) = wait_until(WAIT, &what, async || {
        (load.unacked(phase, via) == 0).then_some(())
    })
    .await
    {
        panic!(
            "{e}: {} left\n{}",
            load.unacked(phase, via),
            describe(&fnet.net, &ALL).await
        );
    }
}

/// Waits until `n` operations of `phase` are acknowledged.
async fn wait_acked(fnet: &FaultNet, load: &Load, phase: &str, n: usize) {
    let what = format!("{n} {phase} transactions committed");
    if let Err(e) = wait_until(WAIT, &what, async || (load.acked(phase) >= n).then_some(())).await {
        panic!("{e}\n{}", describe(&fnet.net, &ALL).await);
    }
}

async fn wait_converged(net: &Devnet, nodes: &[&str]) -> (u64, [u8; 32]) {
    match wait_until(WAIT, &format!("{nodes:?} converged"), async || {
        converged(net, nodes).await
    })
    .await
    {
        Ok(c) => c,
        Err(e) => panic!("{e}\n{}", describe(net, nodes).await),
    }
}

/// Each node's head, for failure messages.
async fn describe(net: &Devnet, nodes: &[&str]) -> String {
    let mut out = String::new();
    for n in nodes {
        let h = net.health(n).await;
        out.push_str(&format!(
            "{n}: {:?}\n",
            h.map(|h| (h.size, h.height, h.root))
        ));
    }
    out.push_str(&net.logs_tail(15));
    out
}

/// Each node's (size, consensus height).
async fn heads(net: &Devnet, nodes: &[&str]) -> Vec<(u64, Option<u64>)> {
    let mut out = Vec::new();
    for n in nodes {
        let h = net.health(n).await.expect("health");
        out.push((h.size, h.height));
    }
    out
}

/// Waits until what was under way when links were cut has settled: no
/// node's head moved for a second (at most 10 s); returns the heads.
async fn settle(net: &Devnet, nodes: &[&str]) -> Vec<(u64, Option<u64>)> {
    let end = Instant::now() + Duration::from_secs(10);
    let mut last = heads(net, nodes).await;
    let mut still = Instant::now();
    while Instant::now() < end && still.elapsed() < Duration::from_secs(1) {
        tokio::time::sleep(Duration::from_millis(200)).await;
        let now = heads(net, nodes).await;
        if now != last {
            last = now;
            still = Instant::now();
        }
    }
    last
}

/// Watches `nodes` for `period`: none may decide anything.
async fn assert_nothing_decided(net: &Devnet, nodes: &[&str], period: Duration) {
    let before = heads(net, nodes).await;
    let end = Instant::now() + period;
    while Instant::now() < end {
        tokio::time::sleep(Duration::from_millis(250)).await;
        let now = heads(net, nodes).await;
        assert_eq!(
            now, before,
            "{nodes:?} decided (size, height) without a quorum"
        );
    }
}

async fn assert_no_alarms(net: &Devnet) {
    for n in ALL {
        let alarms = net.alarms(n).await.expect("alarms");
        assert!(alarms.is_empty(), "{n} raised alarms: {alarms:#?}");
    }
}

/// The scenarios to run (`TANJI_FAULT_SCENARIOS`, default all).
fn selected() -> Vec<String> {
    let all = ["wan", "minority", "no-quorum", "flapping", "observer"];
    match std::env::var("TANJI_FAULT_SCENARIOS") {
        Ok(list) if !list.trim().is_empty() => {
            let chosen: Vec<String> = list.split(',').map(|s| s.trim().to_string()).collect();
            for c in &chosen {
                assert!(
                    all.contains(&c.as_str()),
                    "unknown scenario {c}; use {all:?}"
                );
            }
            chosen
        }
        _ => names(&all),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn faults_across_hosts() {
    let started = Instant::now();
    let scenarios = selected();
    let mut rng = Rng::from_env("faults_across_hosts");
    let fnet = FaultNet::start(
        4,
        1,
        &["--no-fsync"],
        &[("propose_timeout_ms", 1500), ("vote_timeout_ms", 1000)],
    )
    .await
    .expect("the network starts");
    say(&fnet.describe());
    say(&format!(
        "network up in {:.1} s; scenarios {scenarios:?}",
        started.elapsed().as_secs_f64()
    ));
    let net = &fnet.net;
    let load = Load::start(net, rng.range(1 << 20, 1 << 40));

    // Warm-up and the calm baseline.
    wait_acked(&fnet, &load, "warm-up", 3).await;
    load.phase("calm", &VALIDATORS);
    tokio::time::sleep(Duration::from_secs(4)).await;
    wait_all_acked(&fnet, &load, "calm", None).await;

    let run = |s: &str| scenarios.iter().any(|x| x == s);

    if run("wan") {
        let shape = Shape::wan();
        fnet.shape(Some(shape)).expect("shaping");
        load.phase("wan", &VALIDATORS);
        tokio::time::sleep(Duration::from_secs(12)).await;
        load.pause();
        // Commits go on under the shaping.
        wait_all_acked(&fnet, &load, "wan", None).await;
        fnet.shape(None).expect("shaping off");
        say(&format!(
            "wan: {shape}: {} transactions committed while shaped",
            load.acked("wan")
        ));
        wait_converged(net, &ALL).await;
    }

    if run("minority") {
        load.phase("minority", &VALIDATORS);
        fnet.cut("validator-3").expect("cut");
        let cut_off = settle(net, &["validator-3"]).await;
        // The other three commit.
        let majority = ["validator-0", "validator-1", "validator-2"];
        let want = load.acked("minority") + 10;
        wait_acked(&fnet, &load, "minority", want).await;
        assert_eq!(
            heads(net, &["validator-3"]).await,
            cut_off,
            "validator-3 decided alone"
        );
        load.phase("minority-healed", &VALIDATORS);
        fnet.heal().expect("heal");
        let caught_up = Instant::now();
        wait_converged(net, &ALL).await;
        wait_all_acked(&fnet, &load, "minority", Some(&majority)).await;
        say(&format!(
            "minority: validator-3 cut off at size {}; the others committed; healed, it caught up in {:.1} s",
            cut_off[0].0,
            caught_up.elapsed().as_secs_f64()
        ));
    }

    if run("no-quorum") {
        load.phase("no-quorum", &VALIDATORS);
        fnet.partition(&[
            &["validator-0", "validator-1", "observer-0"],
            &["validator-2", "validator-3"],
        ])
        .expect("partition");
        let frozen = settle(net, &ALL).await;
        assert_nothing_decided(net, &ALL, Duration::from_secs(5)).await;
        assert_no_alarms(net).await;
        let queued = load.unacked("no-quorum", None);
        load.phase("no-quorum-healed", &VALIDATORS);
        fnet.heal().expect("heal");
        let resumed = Instant::now();
        wait_all_acked(&fnet, &load, "no-quorum", None).await;
        wait_converged(net, &ALL).await;
        say(&format!(
            "no-quorum: 2|2 split at size {}: nothing decided for 5 s with {queued} transactions queued; healed, all committed in {:.1} s",
            frozen[0].0,
            resumed.elapsed().as_secs_f64()
        ));
    }

    if run("flapping") {
        load.phase("flapping", &VALIDATORS);
        let before = load.acked("flapping");
        for _ in 0..FLAPS {
            fnet.cut("validator-2").expect("down");
            tokio::time::sleep(Duration::from_millis(1500)).await;
            fnet.heal().expect("up");
            tokio::time::sleep(Duration::from_millis(1500)).await;
        }
        let during = load.acked("flapping") - before;
        load.phase("flapping-after", &VALIDATORS);
        wait_all_acked(&fnet, &load, "flapping", None).await;
        wait_converged(net, &ALL).await;
        say(&format!(
            "flapping: validator-2's link down/up {FLAPS} times (1.5 s each); {during} commits acknowledged during the flapping, all committed after"
        ));
    }

    if run("observer") {
        load.phase("observer", &VALIDATORS);
        fnet.cut("observer-0").expect("cut");
        let cut_off = settle(net, &["observer-0"]).await;
        let want = load.acked("observer") + 10;
        wait_acked(&fnet, &load, "observer", want).await;
        assert_eq!(
            heads(net, &["observer-0"]).await,
            cut_off,
            "the cut-off observer moved"
        );
        load.phase("observer-healed", &VALIDATORS);
        fnet.heal().expect("heal");
        let back = Instant::now();
        let (size, _) = wait_converged(net, &ALL).await;
        // It verified what it caught up with: its witness line is on the
        // newest checkpoint (an observer signs only after checking a
        // consistency proof from what it had).
        let view = net.client("validator-0").network().await.expect("network");
        let observers: Vec<NoteVerifier> = view
            .observers
            .into_iter()
            .map(|o| NoteVerifier {
                name: o.name,
                key: o.key,
            })
            .collect();
        let witnessed = wait_until(
            WAIT,
            "observer-0 witnesses the newest checkpoint",
            async || {
                let size = net.size("observer-0").await.ok()?;
                let note = net.checkpoint("observer-0", Some(size)).await.ok()??;
                SignedNote::parse(&note).ok()?.verify(&observers, 1).ok()
            },
        )
        .await;
        if let Err(e) = witnessed {
            panic!("{e}\n{}", describe(net, &ALL).await);
        }
        say(&format!(
            "observer: cut off at size {}; caught up to {size} in {:.1} s and witnessed it",
            cut_off[0].0,
            back.elapsed().as_secs_f64()
        ));
    }

    // The end: no new submissions; what was accepted gets its chance to
    // commit, then the history is checked against every node.
    load.phase("end", &[]);
    let _ = wait_until(WAIT, "every accepted transaction committed", async || {
        let left = load
            .history
            .ops()
            .iter()
            .filter(|o| o.ack.is_none() && o.submit == history::Submit::Accepted)
            .count();
        (left == 0).then_some(())
    })
    .await;
    let history = load.stop().await;
    wait_converged(net, &ALL).await;
    assert_no_alarms(net).await;
    let nodes: Vec<(String, Client)> = ALL.iter().map(|n| (n.to_string(), net.client(n))).collect();
    let (logs, trust) = history::observe(&nodes, &net.network)
        .await
        .expect("reading every node's log");
    let report = history::check(&history.ops(), &logs, &trust);
    for l in history.latencies() {
        say(&l.to_string());
    }
    say(&format!("relays: {}", fnet.links.summary()));
    say(&fnet.describe());
    for line in report.to_string().lines() {
        say(line);
    }
    say(&format!(
        "wall time {:.1} s",
        started.elapsed().as_secs_f64()
    ));
    assert_eq!(report.lost, 0, "{report}");
    assert_eq!(report.duplicated, 0, "{report}");
    assert_eq!(report.disagreements, 0, "{report}");
    assert_eq!(report.unsigned, 0, "{report}");
    assert!(report.acknowledged > 0 && report.found >= report.acknowledged);
    assert!(report.checkpoint_sizes > 0);
}

//! Validator set changes by governance on a running network of real
//! processes: `tanji-node devnet --validators 4 --spare 1 --demo` starts four
//! genesis validators, a spare node configured like a validator but outside
//! the set, and an observer. With the `tanji` CLI and a governance quorum the
//! test adds the spare, then removes a genesis validator, and checks from
//! outside what each change must do:
//!
//! - the spare follows the log before it joins and signs no checkpoint;
//! - once added, its signature lines appear on checkpoints and it counts
//!   towards consensus: with validator-0 removed and validator-1 killed, the
//!   set {validator-2, validator-3, validator-4} still commits (had the
//!   removal not taken effect, three of five would be short of a quorum);
//! - `/v1/network` shows the set in force and its history;
//! - an offline verifier holding only the four genesis keys verifies the
//!   certificate bundle whose checkpoint the changed set signed, by following
//!   the bundle's set changes, and fails without them.
//!
//! Waits have generous deadlines; nothing asserts on speed.

use std::path::Path;
use std::time::Duration;

use tanji_ledger::checkpoint::NoteVerifier;
use tanji_ledger::keyfile::{NodeKeyFile, OrgKeyFile};
use tanji_ledger::tx::{SignedTx, TxKind};
use tanji_sdk::build;
use tanji_sdk::types::orgs::ValidatorChange;
use tanji_sdk::types::tx::TxState;
use tanji_tests::{arg, cli_json, cli_json_any, get_raw, note_signers, wait_until, Devnet};

/// Upper bound for any single wait.
const WAIT: Duration = Duration::from_secs(180);
/// The demo's certificate.
const CERTIFICATE: &str = tanji_node::local::demo::CERTIFICATE_ID;

/// The governance key files: the regulator and the four operators (a quorum
/// of the five governance members is four; all five approve).
fn approvals(keys: &Path) -> Vec<String> {
    [
        "regulator",
        "operator",
        "operator-1",
        "operator-2",
        "operator-3",
    ]
    .iter()
    .flat_map(|k| {
        [
            "--approve".to_string(),
            keys.join(format!("{k}.json")).display().to_string(),
        ]
    })
    .collect()
}

/// Signs an anchor by operator-3 with a nonce from `nonce` (the regulator
/// authors the governance transactions, with nonces the CLI picks).
fn anchor(net: &Devnet, nonce: &mut u64, label: &str) -> SignedTx {
    *nonce += 1;
    let org = OrgKeyFile::load(&net.keys().join("operator-3.json")).expect("operator key");
    build::single(
        &net.network,
        &org,
        *nonce,
        TxKind::AnchorEvidence {
            digest: *blake3::hash(label.as_bytes()).as_bytes(),
            label: label.to_string(),
        },
    )
    .expect("sign")
}

/// Submits `tx` to `node` and waits until it is committed there.
async fn commit(net: &Devnet, node: &str, tx: &SignedTx) {
    net.client(node).submit(tx).await.expect("submitted");
    wait_committed(net, node, tx).await;
}

/// Waits until `node` reports `tx` committed.
async fn wait_committed(net: &Devnet, node: &str, tx: &SignedTx) {
    let c = net.client(node);
    let id = tx.id();
    wait_until(WAIT, &format!("{id} committed on {node}"), async || {
        let s = c.tx_status(&id).await.ok()?.status;
        assert!(s != TxState::Rejected, "{id} rejected on {node}");
        (s == TxState::Committed).then_some(())
    })
    .await
    .unwrap_or_else(|e| panic!("{e}\n{}", net.logs_tail(30)));
}

/// Names of the validator set in force as `node` sees it.
async fn set_of(net: &Devnet, node: &str) -> Vec<String> {
    net.client(node)
        .network()
        .await
        .expect("network")
        .validator_nodes
        .into_iter()
        .map(|v| v.name)
        .collect()
}

async fn wait_set(net: &Devnet, node: &str, want: &[&str]) {
    wait_until(
        WAIT,
        &format!("{node} to see the set {want:?}"),
        async || (set_of(net, node).await == want).then_some(()),
    )
    .await
    .unwrap_or_else(|e| panic!("{e}\n{}", net.logs_tail(30)));
}

/// Waits until `node`'s newest checkpoint (at least `min_size`) is signed by
/// `name`; returns the note.
async fn wait_signed_by(net: &Devnet, node: &str, name: &str, min_size: u64) -> String {
    wait_until(
        WAIT,
        &format!("a checkpoint on {node} signed by {name}"),
        async || {
            let note = net.checkpoint(node, None).await.ok()??;
            let size = tanji_tests::size_root(&note).0;
            (size >= min_size && note_signers(&note).iter().any(|s| s == name)).then_some(note)
        },
    )
    .await
    .unwrap_or_else(|e| panic!("{e}\n{}", net.logs_tail(30)))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_spare_joins_and_a_validator_leaves_by_governance() {
    let mut net = Devnet::start(
        4,
        1,
        &[
            "--spare",
            "1",
            "--demo",
            "--no-fsync",
            "--propose-timeout-ms",
            "1000",
        ],
    )
    .await
    .expect("devnet starts");
    let keys = net.keys();
    let url = net.url("validator-0");
    assert_eq!(
        net.node("validator-4").role,
        "spare",
        "devnet.json lists the spare"
    );
    let genesis_set = ["validator-0", "validator-1", "validator-2", "validator-3"];
    assert_eq!(set_of(&net, "validator-0").await, genesis_set);

    // Before it joins, the spare follows the log and signs nothing.
    let mut nonce = 1 << 30;
    let before = anchor(&net, &mut nonce, "before the spare joins");
    commit(&net, "validator-0", &before).await;
    wait_committed(&net, "validator-4", &before).await;
    let note = net
        .checkpoint("validator-0", None)
        .await
        .expect("reads")
        .expect("a checkpoint");
    assert!(!note_signers(&note).contains(&"validator-4".to_string()));

    // Add the spare through the CLI.
    let node_key = net.node("validator-4").data_dir.join("node-key.json");
    let approve = approvals(&keys);
    let mut args = vec![
        "validator",
        "add",
        "--key",
        arg(&node_key),
        "--node",
        &url,
        "--wait",
    ];
    args.extend(approve.iter().map(String::as_str));
    let added = cli_json(&args);
    assert_eq!(added["status"], "committed", "{added}");
    let five = [
        "validator-0",
        "validator-1",
        "validator-2",
        "validator-3",
        "validator-4",
    ];
    for n in ["validator-0", "validator-4", "observer-0"] {
        wait_set(&net, n, &five).await;
    }
    let after_add = anchor(&net, &mut nonce, "after the spare joined");
    commit(&net, "validator-1", &after_add).await;
    let size = net.size("validator-1").await.expect("size");
    wait_signed_by(&net, "validator-1", "validator-4", size).await;
    wait_until(
        WAIT,
        "devnet.json to list validator-4 as a validator",
        async || {
            let text = std::fs::read_to_string(net.dir.join("devnet.json")).ok()?;
            let v: serde_json::Value = serde_json::from_str(&text).ok()?;
            let nodes = v["nodes"].as_array()?.clone();
            nodes
                .iter()
                .any(|n| n["name"] == "validator-4" && n["role"] == "validator")
                .then_some(())
        },
    )
    .await
    .expect("manifest updated");

    // Remove a genesis validator; the other four carry on.
    let mut args = vec![
        "validator",
        "remove",
        "--name",
        "validator-0",
        "--reason",
        "operator key compromised (test)",
        "--node",
        &url,
        "--wait",
    ];
    args.extend(approve.iter().map(String::as_str));
    let removed = cli_json(&args);
    assert_eq!(removed["status"], "committed", "{removed}");
    let four = ["validator-1", "validator-2", "validator-3", "validator-4"];
    for n in ["validator-1", "validator-4", "observer-0"] {
        wait_set(&net, n, &four).await;
    }
    // A second removal would leave three: refused, naming the rule.
    let mut args = vec![
        "validator",
        "remove",
        "--name",
        "validator-1",
        "--reason",
        "too many",
        "--node",
        &url,
    ];
    args.extend(approve.iter().map(String::as_str));
    let refused = cli_json_any(&args);
    assert!(!refused.success(), "{refused}");
    assert!(refused.text().contains("too_few_validators"), "{refused}");

    // A removed validator keeps following the log (it no longer votes or signs).
    let followed = anchor(&net, &mut nonce, "after validator-0 left");
    commit(&net, "validator-2", &followed).await;
    wait_committed(&net, "validator-0", &followed).await;

    // validator-0 no longer counts and validator-4 does: without validator-0
    // and validator-1, three of the four still commit.
    net.kill("validator-0");
    net.kill("validator-1");
    let last = anchor(&net, &mut nonce, "decided by the changed set");
    commit(&net, "validator-2", &last).await;
    let size = net.size("validator-2").await.expect("size");
    let note = wait_signed_by(&net, "validator-2", "validator-4", size).await;
    assert!(
        !note_signers(&note).contains(&"validator-0".to_string()),
        "{note}"
    );

    // The history, as the CLI shows it.
    let url2 = net.url("validator-2");
    let history: Vec<serde_json::Value> =
        serde_json::from_value(cli_json(&["validator", "list", "--node", &url2])).expect("list");
    let changes: Vec<(String, Option<String>)> = history
        .iter()
        .map(|e| {
            (
                e["change"].as_str().unwrap_or_default().to_string(),
                e["node"].as_str().map(str::to_string),
            )
        })
        .collect();
    assert_eq!(
        changes,
        [
            ("genesis".to_string(), None),
            ("add".to_string(), Some("validator-4".to_string())),
            ("remove".to_string(), Some("validator-0".to_string())),
        ]
    );
    let network = net.client("validator-2").network().await.expect("network");
    assert_eq!(network.validator_history[1].change, ValidatorChange::Add);
    assert!(network.validator_history[1].height.is_some());

    // An offline verifier holding only the genesis keys.
    let genesis_keys: Vec<String> = genesis_set
        .iter()
        .map(|name| {
            let key = NodeKeyFile::load(&net.node(name).data_dir.join("node-key.json"))
                .expect("node key");
            NoteVerifier {
                name: key.name,
                key: key.signing_key,
            }
            .to_vkey()
        })
        .collect();
    let dir = tempfile::tempdir().expect("tempdir");
    let vkeys = dir.path().join("genesis.vkeys");
    std::fs::write(&vkeys, genesis_keys.join("\n")).expect("write");
    let (status, bundle) = get_raw(&format!("{url2}/v1/certificates/{CERTIFICATE}/bundle")).await;
    assert_eq!(status, 200, "{bundle}");
    let bundle_size = tanji_tests::size_root(bundle["checkpoint"].as_str().expect("note")).0;
    assert!(
        bundle_size >= size,
        "the bundle's checkpoint ({bundle_size}) covers the entry decided by the changed set ({size})"
    );
    assert_eq!(bundle["set_changes"].as_array().map(Vec::len), Some(2));
    let file = dir.path().join("bundle.json");
    std::fs::write(&file, bundle.to_string()).expect("write");
    let report = cli_json(&["verify", "bundle", arg(&file), "--validators", arg(&vkeys)]);
    assert_eq!(report["verified"], true, "{report}");
    assert_eq!(report["report"]["set_changes_followed"], 2, "{report}");
    assert_eq!(report["report"]["keys_pinned"], true, "{report}");

    // Without the links, the genesis keys alone are not a quorum of the signers.
    let mut cut = bundle.clone();
    cut.as_object_mut().expect("object").remove("set_changes");
    std::fs::write(&file, cut.to_string()).expect("write");
    let failed = cli_json_any(&["verify", "bundle", arg(&file), "--validators", arg(&vkeys)]);
    assert!(!failed.success(), "{failed}");
}

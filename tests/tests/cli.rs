//! The `tanji` CLI against a real node: keys, registration, submission,
//! status, offline bundle verification, log watching and load.

use tanji_tests::{arg, block_on, cli, cli_json, cli_json_any, cli_ok, DevNode};

#[test]
fn register_submit_status_bundle_verify() {
    let dir = tempfile::tempdir().expect("tempdir");
    let node = DevNode::start(&dir.path().join("node"), &[]).expect("node");
    let url = node.url.as_str();
    let work = dir.path();
    let key = work.join("acme.json");
    let regulator = node.keys().join("regulator.json");
    let operator = node.keys().join("operator.json");

    let k = cli_json(&[
        "key",
        "new",
        "--name",
        "Acme Aluminium",
        "--company-id",
        "urn:uscc:91110000ACME000001",
        "--roles",
        "supplier",
        "--out",
        arg(&key),
    ]);
    let org_id = k["org_id"].as_str().expect("org id").to_string();
    // Existing key files are never overwritten.
    assert!(!cli(&[
        "key",
        "new",
        "--name",
        "x",
        "--company-id",
        "urn:uscc:1",
        "--out",
        arg(&key)
    ])
    .success());

    // Registration with only one approver out of two fails with a clear reason.
    let out = cli(&[
        "org",
        "register",
        "--node",
        url,
        "--key",
        arg(&key),
        "--approve",
        arg(&regulator),
    ]);
    assert!(!out.success());
    assert!(out.stderr.contains("quorum"), "{out}");

    // Collect approvals into a file, then submit it.
    let signed = work.join("register.json");
    cli_ok(&[
        "org",
        "register",
        "--node",
        url,
        "--key",
        arg(&key),
        "--approve",
        arg(&regulator),
        "--approve",
        arg(&operator),
        "--save",
        arg(&signed),
    ]);
    let s = cli_json(&["submit", arg(&signed), "--node", url, "--wait"]);
    assert_eq!(s["status"], "committed");
    let org = cli_json(&["org", "show", &org_id, "--node", url]);
    assert_eq!(org["status"], "active");
    assert_eq!(org["roles"][0], "supplier");

    // Anchor a document and save its bundle.
    let doc = work.join("meter.csv");
    std::fs::write(&doc, "date,kwh\n2025-01-01,1200\n").expect("write");
    let a = cli_json(&[
        "anchor",
        arg(&doc),
        "--label",
        "electricity meter, Jan 2025",
        "--key",
        arg(&key),
        "--node",
        url,
        "--wait",
    ]);
    let id = a["id"].as_str().expect("id").to_string();
    let bundle = work.join("bundle.json");
    let st = cli_json(&["tx", "status", &id, "--node", url, "--bundle", arg(&bundle)]);
    assert_eq!(st["status"], "committed");

    // Offline: the bundle verifies, with the node's keys pinned...
    let network = block_on(node.client().network()).expect("network");
    let vkeys = work.join("validators.txt");
    std::fs::write(&vkeys, &network.validators[0]).expect("write");
    let v = cli_json(&[
        "verify",
        "inclusion",
        arg(&bundle),
        "--validators",
        arg(&vkeys),
    ]);
    assert_eq!(v["verified"], true);
    assert_eq!(v["report"]["kind"], "anchor_evidence");
    // ...and a tampered bundle does not (exit code 3).
    let mut b: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&bundle).expect("read")).expect("json");
    let index = b["index"].as_u64().expect("index");
    b["index"] = serde_json::json!(index ^ 1);
    let bad = work.join("bad-bundle.json");
    std::fs::write(&bad, b.to_string()).expect("write");
    let out = cli_json_any(&["verify", "inclusion", arg(&bad)]);
    assert_eq!(out.code, 3, "{out}");
    assert_eq!(out.json()["verified"], false);
    // A checkpoint signed by another key does not verify against the pinned keys.
    let other = work.join("other-validators.txt");
    std::fs::write(&other, "validator-0+00000000+AQ==\n").expect("write");
    assert!(!cli(&[
        "verify",
        "inclusion",
        arg(&bundle),
        "--validators",
        arg(&other)
    ])
    .success());

    // Unknown transactions are reported as unknown with a non-zero exit.
    let out = cli(&["tx", "status", &"ab".repeat(32), "--node", url]);
    assert!(!out.success(), "{out}");
}

#[test]
fn log_watch_follows_and_catches_a_fork() {
    let dir = tempfile::tempdir().expect("tempdir");
    let a = DevNode::start(&dir.path().join("a"), &["--demo"]).expect("node a");
    let state = dir.path().join("watch.json");
    let evidence = dir.path().join("evidence.json");
    let out = cli_ok(&[
        "log",
        "watch",
        "--node",
        &a.url,
        "--state",
        arg(&state),
        "--polls",
        "2",
        "--interval",
        "0.1",
    ]);
    assert!(out.stdout.contains("consistent"), "{out}");
    // Another node of the same name has a different history: the watcher, remembering
    // node a's checkpoint and keys, must refuse it with evidence.
    let b = DevNode::start(&dir.path().join("b"), &["--demo"]).expect("node b");
    let out = cli(&[
        "log",
        "watch",
        "--node",
        &b.url,
        "--state",
        arg(&state),
        "--polls",
        "1",
        "--evidence",
        arg(&evidence),
    ]);
    assert_eq!(out.code, 3, "{out}");
    // Node b's checkpoints are signed by another validator key, so they are refused outright;
    // a watcher that trusts b's key (fresh state) and then sees a's history finds the fork.
    let state_b = dir.path().join("watch-b.json");
    cli_ok(&[
        "log",
        "watch",
        "--node",
        &b.url,
        "--state",
        arg(&state_b),
        "--polls",
        "1",
    ]);
    let mut s: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&state_b).expect("read")).expect("json");
    let sa: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&state).expect("read")).expect("json");
    // Trust both validators; keep b's last checkpoint; now watch a.
    s["validators"] = serde_json::json!([sa["validators"][0].clone(), s["validators"][0].clone()]);
    s["quorum"] = serde_json::json!(1);
    std::fs::write(&state_b, s.to_string()).expect("write");
    let out = cli(&[
        "log",
        "watch",
        "--node",
        &a.url,
        "--state",
        arg(&state_b),
        "--polls",
        "1",
        "--evidence",
        arg(&evidence),
    ]);
    assert_eq!(out.code, 3, "{out}");
    let ev: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&evidence).expect("evidence written"))
            .expect("json");
    assert!(ev["previous"]
        .as_str()
        .is_some_and(|n| n.contains("— validator-0")));
    assert!(ev["current"].as_str().is_some());
    assert!(ev["reason"].as_str().is_some());
}

#[test]
fn load_commits_everything_it_submits() {
    let dir = tempfile::tempdir().expect("tempdir");
    let node = DevNode::start(dir.path(), &["--demo"]).expect("node");
    let keys = node.keys();
    let r = cli_json(&[
        "load",
        "--node",
        &node.url,
        "--keys",
        arg(&keys),
        "--count",
        "300",
        "--concurrency",
        "16",
    ]);
    assert_eq!(r["accepted"], 300);
    assert_eq!(r["committed"], 300);
    assert!(r["committed_tx_per_s"].as_f64().is_some_and(|x| x > 0.0));
    assert!(r["ed25519_strict_verify_per_s_one_core"]
        .as_f64()
        .is_some_and(|x| x > 0.0));
}

//! The REST API keeps the contract it publishes: schemathesis (property-based
//! API testing from the OpenAPI document) runs against `tanji-node dev
//! --demo` with its default checks (no server errors; status codes, content
//! types, headers and bodies as documented) and must find nothing.
//!
//! `./scripts/test` installs a pinned schemathesis in a venv and passes its
//! path in `TANJI_SCHEMATHESIS`. The run is bounded: a fixed number of
//! examples per operation, a fixed seed, and a time budget.

use std::process::Command;

use tanji_tests::DevNode;

/// Examples per operation.
const MAX_EXAMPLES: &str = "50";
/// Time budget of the whole run, seconds.
const MAX_TIME: &str = "300";

#[test]
fn schemathesis_finds_nothing_on_a_demo_node() {
    let Ok(st) = std::env::var("TANJI_SCHEMATHESIS") else {
        panic!(
            "TANJI_SCHEMATHESIS is not set: run ./scripts/test, which installs schemathesis \
             in a venv, or point it at an `st` executable"
        );
    };
    let dir = tempfile::tempdir().expect("tempdir");
    let node = DevNode::start(dir.path(), &["--demo"]).expect("start a demo node");
    let reports = dir.path().join("schemathesis");
    let config = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/schemathesis/schemathesis.toml"
    );
    let out = Command::new(&st)
        .args([
            "--config-file",
            config,
            "run",
            &format!("{}/openapi.json", node.url),
            "--max-examples",
            MAX_EXAMPLES,
            "--max-time",
            MAX_TIME,
            "--seed",
            "20261206",
            "--generation-database",
            "none",
            "--workers",
            "2",
            "--no-color",
            "--report-dir",
        ])
        .arg(&reports)
        .output()
        .expect("run schemathesis");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    // Its summary, for the test log.
    println!("{stdout}");
    assert!(
        out.status.success(),
        "schemathesis found failures (exit {:?}):\n{stdout}\n{stderr}\nnode log:\n{}",
        out.status.code(),
        tanji_tests::tail(&dir.path().join("node.log"), 40)
    );
}

//! Helpers for Tanji's integration tests: start real `tanji-node` processes on
//! 127.0.0.1 (ports picked by the OS, never fixed), wait until they serve,
//! kill them with SIGKILL or stop them with SIGTERM, and run the `tanji` CLI.
//! [`DevNode`] is one `tanji-node dev` process; [`Devnet`] is a replicated
//! network (`tanji-node devnet`) whose nodes can be killed and restarted.
//!
//! Binaries are taken from the cargo target folder of this build profile
//! (`target/release` when the tests run with `--release`, as `scripts/test`
//! does), or from `TANJI_BIN_DIR`.
//!
//! One way to do each thing, so tests agree on its rules:
//! - the CLI: [`cli`], [`cli_ok`], [`cli_json`] (its `--json` output is JSON
//!   Lines on stdout, progress on stderr);
//! - reading a node: the typed [`tanji_sdk::Client`] ([`DevNode::client`],
//!   [`Devnet::client`]); [`get_raw`] only where a test checks error statuses
//!   and bodies;
//! - from synchronous code: [`block_on`];
//! - checkpoints: [`size_root`]; paths as arguments: [`arg`];
//! - waiting: [`wait_until`].
//!
//! Fault tests across hosts: [`faultnet::FaultNet`] runs a [`Devnet`]'s nodes
//! each in its own network namespace ([`netns`]) or, where namespaces are
//! unavailable, on the loopback, with their peer links through userspace
//! relays ([`relay`]) that shape and cut them; [`history`] records what
//! clients were told and checks it against every node's log.

use std::future::Future;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{bail, Context as _, Result};
use tanji_ledger::checkpoint::SignedNote;
use tanji_sdk::types::ops::{Alarm, Health};
use tanji_sdk::Client;

pub mod faultnet;
pub mod history;
pub mod netns;
pub mod relay;

/// Path of a binary built by this workspace.
pub fn bin(name: &str) -> PathBuf {
    if let Ok(dir) = std::env::var("TANJI_BIN_DIR") {
        return PathBuf::from(dir).join(name);
    }
    // Test executables live in target/<profile>/deps.
    let exe = std::env::current_exe().unwrap_or_default();
    let profile_dir = exe
        .parent()
        .and_then(|deps| deps.parent())
        .map(Path::to_path_buf)
        .unwrap_or_default();
    profile_dir.join(name)
}

/// A `tanji-node dev` process.
pub struct DevNode {
    /// Its data folder.
    pub dir: PathBuf,
    /// Its base URL.
    pub url: String,
    child: Option<Child>,
}

impl DevNode {
    /// Starts `tanji-node dev` on a free port with `dir` as data folder and waits
    /// until `/health` answers.
    pub fn start(dir: &Path, extra: &[&str]) -> Result<Self> {
        let info = dir.join("node.json");
        let _ = std::fs::remove_file(&info);
        std::fs::create_dir_all(dir)?;
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(dir.join("node.log"))?;
        let node_bin = bin("tanji-node");
        if !node_bin.exists() {
            bail!(
                "{} not found: build it first (cargo build --release --bins)",
                node_bin.display()
            );
        }
        let child = Command::new(&node_bin)
            .args(["dev", "--data-dir"])
            .arg(dir)
            .args(["--http-addr", "127.0.0.1:0", "--pact-addr", "127.0.0.1:0"])
            .args(extra)
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .with_context(|| format!("starting {}", node_bin.display()))?;
        let pid = child.id();
        let mut node = DevNode {
            dir: dir.to_path_buf(),
            url: String::new(),
            child: Some(child),
        };
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            if let Some(status) = node
                .child
                .as_mut()
                .and_then(|c| c.try_wait().ok().flatten())
            {
                let log = std::fs::read_to_string(dir.join("node.log")).unwrap_or_default();
                bail!("tanji-node exited with {status} before serving; log:\n{log}");
            }
            if let Ok(text) = std::fs::read_to_string(&info) {
                if let Ok(v) = serde_json::from_str::<serde_json::Value>(&text) {
                    if v["pid"].as_u64() == Some(pid as u64) {
                        node.url = v["http"].as_str().unwrap_or_default().to_string();
                        if block_on(async { node.client().health().await.is_ok() }) {
                            return Ok(node);
                        }
                    }
                }
            }
            if Instant::now() > deadline {
                bail!("tanji-node did not serve within 60 s");
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Kills the process with SIGKILL, as a crash or power cut would.
    pub fn kill(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }

    /// Stops the process with SIGTERM and waits for it to exit.
    pub fn stop(&mut self) -> Result<()> {
        if let Some(mut c) = self.child.take() {
            // SAFETY: plain kill(2) on our own child's pid.
            unsafe {
                libc::kill(c.id() as libc::pid_t, libc::SIGTERM);
            }
            let deadline = Instant::now() + Duration::from_secs(30);
            loop {
                if let Some(status) = c.try_wait()? {
                    if !status.success() {
                        bail!("tanji-node exited with {status} on SIGTERM");
                    }
                    return Ok(());
                }
                if Instant::now() > deadline {
                    let _ = c.kill();
                    bail!("tanji-node did not stop within 30 s of SIGTERM");
                }
                std::thread::sleep(Duration::from_millis(20));
            }
        }
        Ok(())
    }

    /// The folder of the dev organisations' key files.
    pub fn keys(&self) -> PathBuf {
        self.dir.join("keys")
    }

    /// A typed client of its API.
    pub fn client(&self) -> Client {
        client(&self.url)
    }
}

impl Drop for DevNode {
    fn drop(&mut self) {
        self.kill();
    }
}

/// A typed client of the API at `url` (panics on a malformed URL: a bug in the test).
pub fn client(url: &str) -> Client {
    Client::new(url).unwrap_or_else(|e| panic!("client for {url}: {e}"))
}

/// Runs `future` to completion from synchronous code, on a thread of its own
/// with its own runtime, so it works inside and outside a tokio runtime.
pub fn block_on<F>(future: F) -> F::Output
where
    F: Future + Send,
    F::Output: Send,
{
    std::thread::scope(|scope| {
        scope
            .spawn(|| {
                tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .expect("a tokio runtime")
                    .block_on(future)
            })
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
    })
}

/// GET `url`: its status and its body as JSON (null when not JSON). For tests
/// of error statuses and error bodies; everything else reads through the
/// typed [`Client`].
pub async fn get_raw(url: &str) -> (u16, serde_json::Value) {
    let resp = reqwest::get(url)
        .await
        .unwrap_or_else(|e| panic!("GET {url}: {e}"));
    let status = resp.status().as_u16();
    (status, resp.json().await.unwrap_or(serde_json::Value::Null))
}

/// Size and root of a signed checkpoint note (panics if it is not one).
pub fn size_root(note: &str) -> (u64, rfc9162::Hash) {
    let parsed = SignedNote::parse(note).unwrap_or_else(|e| panic!("{e}: {note}"));
    let cp = parsed
        .checkpoint()
        .unwrap_or_else(|e| panic!("{e}: {note}"));
    (cp.size, cp.root)
}

/// Key names of a signed note's signature lines, in order (panics if it is not a note).
pub fn note_signers(note: &str) -> Vec<String> {
    SignedNote::parse(note)
        .unwrap_or_else(|e| panic!("{e}: {note}"))
        .signatures
        .into_iter()
        .map(|(n, _, _)| n)
        .collect()
}

/// A path as a CLI argument (panics on a non-UTF-8 path: a bug in the test).
pub fn arg(path: &Path) -> &str {
    path.to_str().expect("a UTF-8 path")
}

/// One finished run of the `tanji` CLI.
#[derive(Debug)]
pub struct CliRun {
    /// Its arguments.
    pub args: Vec<String>,
    /// Exit code (-1 if killed by a signal).
    pub code: i32,
    /// Standard output.
    pub stdout: String,
    /// Standard error.
    pub stderr: String,
}

impl CliRun {
    /// Whether it exited with 0.
    pub fn success(&self) -> bool {
        self.code == 0
    }

    /// Stdout and stderr together, for checking messages.
    pub fn text(&self) -> String {
        format!("{}{}", self.stdout, self.stderr)
    }

    /// Every JSON document of a `--json` run: the CLI prints one compact
    /// JSON value per line on stdout (JSON Lines) and progress on stderr, so
    /// every non-empty stdout line must parse.
    pub fn json_lines(&self) -> Vec<serde_json::Value> {
        self.stdout
            .lines()
            .filter(|l| !l.trim().is_empty())
            .map(|l| {
                serde_json::from_str(l)
                    .unwrap_or_else(|e| panic!("{self}\nstdout line is not JSON ({e}): {l}"))
            })
            .collect()
    }

    /// The last JSON document of a `--json` run (its result); null if it
    /// printed none (a failure reported on stderr only).
    pub fn json(&self) -> serde_json::Value {
        self.json_lines().pop().unwrap_or(serde_json::Value::Null)
    }
}

impl std::fmt::Display for CliRun {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "tanji {:?} exited with {}\n--- stdout\n{}--- stderr\n{}",
            self.args, self.code, self.stdout, self.stderr
        )
    }
}

/// Runs the `tanji` CLI, whatever its exit code.
pub fn cli(args: &[&str]) -> CliRun {
    let out = Command::new(bin("tanji"))
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("running tanji {args:?}: {e}"));
    CliRun {
        args: args.iter().map(|a| a.to_string()).collect(),
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// Runs the `tanji` CLI and panics, showing its output, unless it succeeds.
pub fn cli_ok(args: &[&str]) -> CliRun {
    let run = cli(args);
    assert!(run.success(), "{run}");
    run
}

/// Runs `tanji ARGS --json`, panics unless it succeeds, and returns its result.
pub fn cli_json(args: &[&str]) -> serde_json::Value {
    cli_ok(&[args, &["--json"]].concat()).json()
}

/// Runs `tanji ARGS --json` whatever its exit code (for checks that fail on
/// purpose, which still report JSON).
pub fn cli_json_any(args: &[&str]) -> CliRun {
    cli(&[args, &["--json"]].concat())
}

/// A small deterministic random number generator (xorshift64*), seeded per
/// test and printed, so a failing run can be repeated.
pub struct Rng(u64);

impl Rng {
    /// Seeded from `TANJI_TEST_SEED` or the clock; prints the seed.
    pub fn from_env(test: &str) -> Self {
        let seed = std::env::var("TANJI_TEST_SEED")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or_else(|| {
                std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .map(|d| d.as_nanos() as u64)
                    .unwrap_or(1)
            });
        eprintln!("{test}: TANJI_TEST_SEED={seed}");
        Rng(seed.max(1))
    }
    /// Seeded with `seed` (not printed: for generators that need not be repeated).
    pub fn seeded(seed: u64) -> Self {
        Rng(seed.max(1))
    }
    /// Next value.
    pub fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    /// Uniform in `lo..hi`.
    pub fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.next_u64() % (hi - lo).max(1)
    }
}

/// An independent RFC 9162 implementation with BLAKE3, written from the RFC
/// alone and sharing no code with tanji-ledger, to check what nodes serve.
pub mod rfc9162 {
    /// A 32-byte hash.
    pub type Hash = [u8; 32];

    /// Leaf hash: BLAKE3(0x00 ‖ entry).
    pub fn leaf(entry: &[u8]) -> Hash {
        let mut h = blake3::Hasher::new();
        h.update(&[0]);
        h.update(entry);
        *h.finalize().as_bytes()
    }

    /// Interior node hash: BLAKE3(0x01 ‖ left ‖ right).
    pub fn node(l: &Hash, r: &Hash) -> Hash {
        let mut h = blake3::Hasher::new();
        h.update(&[1]);
        h.update(l);
        h.update(r);
        *h.finalize().as_bytes()
    }

    /// MTH over leaf hashes (§2.1.1), recursively.
    pub fn root(leaves: &[Hash]) -> Hash {
        match leaves.len() {
            0 => *blake3::hash(b"").as_bytes(),
            1 => leaves[0],
            n => {
                let k = largest_power_of_two_below(n);
                node(&root(&leaves[..k]), &root(&leaves[k..]))
            }
        }
    }

    fn largest_power_of_two_below(n: usize) -> usize {
        let mut k = 1;
        while k * 2 < n {
            k *= 2;
        }
        k
    }

    /// Inclusion proof verification (§2.1.3.2).
    pub fn verify_inclusion(
        index: u64,
        size: u64,
        leaf: &Hash,
        proof: &[Hash],
        root: &Hash,
    ) -> bool {
        if index >= size {
            return false;
        }
        let (mut fnode, mut snode) = (index, size - 1);
        let mut r = *leaf;
        for p in proof {
            if snode == 0 {
                return false;
            }
            if fnode & 1 == 1 || fnode == snode {
                r = node(p, &r);
                if fnode & 1 == 0 {
                    while fnode & 1 == 0 && fnode != 0 {
                        fnode >>= 1;
                        snode >>= 1;
                    }
                }
            } else {
                r = node(&r, p);
            }
            fnode >>= 1;
            snode >>= 1;
        }
        snode == 0 && r == *root
    }

    /// Consistency proof verification (§2.1.4.2).
    pub fn verify_consistency(
        first: u64,
        second: u64,
        first_root: &Hash,
        second_root: &Hash,
        proof: &[Hash],
    ) -> bool {
        if first == second {
            return proof.is_empty() && first_root == second_root;
        }
        if first == 0 || first > second || proof.is_empty() {
            return false;
        }
        let mut path: Vec<Hash> = proof.to_vec();
        if first.is_power_of_two() {
            path.insert(0, *first_root);
        }
        let (mut fnode, mut snode) = (first - 1, second - 1);
        while fnode & 1 == 1 {
            fnode >>= 1;
            snode >>= 1;
        }
        let (mut fr, mut sr) = (path[0], path[0]);
        for c in &path[1..] {
            if snode == 0 {
                return false;
            }
            if fnode & 1 == 1 || fnode == snode {
                fr = node(c, &fr);
                sr = node(c, &sr);
                if fnode & 1 == 0 {
                    while fnode & 1 == 0 && fnode != 0 {
                        fnode >>= 1;
                        snode >>= 1;
                    }
                }
            } else {
                sr = node(&sr, c);
            }
            fnode >>= 1;
            snode >>= 1;
        }
        fr == *first_root && sr == *second_root && snode == 0
    }
}

/// The last `lines` lines of a file (for error messages).
/// Continuation lines of multi-line messages (libp2p dial errors) are left out.
pub fn tail(path: &Path, lines: usize) -> String {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let all: Vec<&str> = text.lines().filter(|l| !l.starts_with(" - ")).collect();
    all[all.len().saturating_sub(lines)..].join("\n")
}

/// Waits until `check` returns `Some`, polling every 200 ms, for at most
/// `timeout`; the error names `what`. Deadlines are generous upper bounds for
/// waiting, never assertions on speed.
pub async fn wait_until<T>(
    timeout: Duration,
    what: &str,
    mut check: impl AsyncFnMut() -> Option<T>,
) -> Result<T> {
    let deadline = Instant::now() + timeout;
    loop {
        if let Some(t) = check().await {
            return Ok(t);
        }
        if Instant::now() > deadline {
            bail!("timed out after {timeout:?} waiting for {what}");
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// One node of a [`Devnet`].
#[derive(Clone, Debug)]
pub struct NetNode {
    /// Its name (`validator-0`, `observer-0`, ...).
    pub name: String,
    /// `validator` or `observer`.
    pub role: String,
    /// Its API base URL (changes when it is restarted).
    pub http: String,
    /// Its process id (changes when it is restarted).
    pub pid: u32,
    /// Its data folder (`DIR/<name>`).
    pub data_dir: PathBuf,
    /// Its config file (`DIR/<name>/node.toml`).
    pub config: PathBuf,
    /// False once killed or stopped by the test, until restarted.
    pub alive: bool,
    /// A typed client of `http`, kept so that polling reuses its connections.
    pub api: Client,
}

/// A `tanji-node devnet` process and the node processes it started (ports
/// picked by the OS). Nodes can be killed and restarted by name; dropping it
/// sends SIGTERM to the devnet process and SIGKILL to every node process it
/// knows of, restarted ones included.
pub struct Devnet {
    /// The base folder (`--base-dir`).
    pub dir: PathBuf,
    /// The network's name.
    pub network: String,
    nodes: Vec<NetNode>,
    devnet: Option<Child>,
    /// Nodes restarted by the test, which are its own children.
    restarted: std::collections::HashMap<String, Child>,
    /// Every node pid ever known, to kill on drop.
    pids: Vec<u32>,
    /// Network namespaces that restarted nodes run in (see [`Devnet::relocate`]).
    netns: std::collections::HashMap<String, PathBuf>,
    /// Extra arguments of `tanji-node run` for restarted nodes.
    run_args: Vec<String>,
    _tmp: Option<tempfile::TempDir>,
}

/// Whether `pid` is a live (not zombie) `tanji-node` process.
fn is_live_node(pid: u32) -> bool {
    let cmd = std::fs::read(format!("/proc/{pid}/cmdline")).unwrap_or_default();
    if !String::from_utf8_lossy(&cmd).contains("tanji-node") {
        return false;
    }
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    // The state follows the parenthesised command name.
    let state = stat.rsplit_once(") ").and_then(|(_, r)| r.chars().next());
    !matches!(state, None | Some('Z') | Some('X'))
}

fn signal(pid: u32, sig: libc::c_int) {
    // SAFETY: kill(2) on a pid checked to be a tanji-node process.
    unsafe {
        libc::kill(pid as libc::pid_t, sig);
    }
}

/// Kills the child with `sig` when the thread that spawned it exits (the
/// test), so no process outlives a crashed test run.
fn die_with_parent(cmd: &mut Command, sig: libc::c_int) {
    #[cfg(target_os = "linux")]
    {
        use std::os::unix::process::CommandExt as _;
        // SAFETY: prctl is async-signal-safe; it only sets the death signal.
        unsafe {
            cmd.pre_exec(move || {
                libc::prctl(libc::PR_SET_PDEATHSIG, sig);
                Ok(())
            });
        }
    }
}

/// Makes the child enter the network namespace at `path` before it runs.
fn in_netns_on_exec(cmd: &mut Command, path: &Path) -> Result<()> {
    use std::os::fd::AsRawFd as _;
    use std::os::unix::process::CommandExt as _;
    let file = std::fs::File::open(path).with_context(|| format!("opening {}", path.display()))?;
    // SAFETY: setns(2) is a plain system call, safe between fork and exec; the
    // closure owns the namespace file, open until the command is dropped.
    unsafe {
        cmd.pre_exec(move || {
            if libc::setns(file.as_raw_fd(), libc::CLONE_NEWNET) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    Ok(())
}

impl Devnet {
    /// Starts `tanji-node devnet --validators V --observers O` in a fresh
    /// temporary folder with `extra` flags, and waits (up to 120 s) until it
    /// wrote `devnet.json`, i.e. every node answers /health.
    pub async fn start(validators: usize, observers: usize, extra: &[&str]) -> Result<Self> {
        let tmp = tempfile::tempdir()?;
        let dir = tmp.path().to_path_buf();
        let node_bin = bin("tanji-node");
        if !node_bin.exists() {
            bail!(
                "{} not found: build it first (cargo build --release --bins)",
                node_bin.display()
            );
        }
        let out = std::fs::File::create(dir.join("devnet.log"))?;
        let mut cmd = Command::new(&node_bin);
        cmd.arg("devnet")
            .args(["--validators", &validators.to_string()])
            .args(["--observers", &observers.to_string()])
            .arg("--base-dir")
            .arg(&dir)
            .args(extra)
            .stdin(Stdio::null())
            .stdout(out.try_clone()?)
            .stderr(out);
        die_with_parent(&mut cmd, libc::SIGTERM);
        let child = cmd
            .spawn()
            .with_context(|| format!("starting {}", node_bin.display()))?;
        let mut net = Devnet {
            dir: dir.clone(),
            network: String::new(),
            nodes: Vec::new(),
            devnet: Some(child),
            restarted: Default::default(),
            pids: Vec::new(),
            netns: Default::default(),
            run_args: Vec::new(),
            _tmp: Some(tmp),
        };
        let manifest = dir.join("devnet.json");
        let deadline = Instant::now() + Duration::from_secs(120);
        let v = loop {
            if let Some(status) = net
                .devnet
                .as_mut()
                .and_then(|c| c.try_wait().ok().flatten())
            {
                bail!(
                    "tanji-node devnet exited with {status} before serving:\n{}",
                    net.logs_tail(40)
                );
            }
            if let Ok(text) = std::fs::read_to_string(&manifest) {
                if let Ok(v) = serde_json::from_str::<serde_json::Value>(&text) {
                    break v;
                }
            }
            if Instant::now() > deadline {
                bail!(
                    "the devnet did not write devnet.json within 120 s:\n{}",
                    net.logs_tail(40)
                );
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        };
        net.network = v["network"].as_str().unwrap_or_default().to_string();
        for n in v["nodes"].as_array().context("devnet.json: nodes")? {
            let s = |k: &str| n[k].as_str().unwrap_or_default().to_string();
            let node = NetNode {
                name: s("name"),
                role: s("role"),
                http: s("http"),
                pid: n["pid"].as_u64().context("devnet.json: pid")? as u32,
                data_dir: PathBuf::from(s("data_dir")),
                config: PathBuf::from(s("config")),
                alive: true,
                api: client(&s("http")),
            };
            net.pids.push(node.pid);
            net.nodes.push(node);
        }
        Ok(net)
    }

    /// Every node, in devnet order (validators, then observers).
    pub fn nodes(&self) -> &[NetNode] {
        &self.nodes
    }

    /// A node by name (panics on an unknown name: a bug in the test).
    pub fn node(&self, name: &str) -> &NetNode {
        self.nodes
            .iter()
            .find(|n| n.name == name)
            .unwrap_or_else(|| panic!("no node {name} in the devnet"))
    }

    fn node_mut(&mut self, name: &str) -> &mut NetNode {
        self.nodes
            .iter_mut()
            .find(|n| n.name == name)
            .unwrap_or_else(|| panic!("no node {name} in the devnet"))
    }

    /// A node's API base URL.
    pub fn url(&self, name: &str) -> String {
        self.node(name).http.clone()
    }

    /// Names of the nodes not killed or stopped by the test.
    pub fn live(&self) -> Vec<String> {
        self.nodes
            .iter()
            .filter(|n| n.alive)
            .map(|n| n.name.clone())
            .collect()
    }

    /// The devnet's folder of organisation keys.
    pub fn keys(&self) -> PathBuf {
        self.dir.join("keys")
    }

    /// The last `lines` lines of the devnet's log and of every node's log.
    pub fn logs_tail(&self, lines: usize) -> String {
        let mut out = format!(
            "--- devnet.log\n{}\n",
            tail(&self.dir.join("devnet.log"), lines)
        );
        let mut dirs: Vec<PathBuf> = std::fs::read_dir(&self.dir)
            .map(|rd| rd.filter_map(|e| e.ok().map(|e| e.path())).collect())
            .unwrap_or_default();
        dirs.sort();
        for d in dirs {
            let log = d.join("node.log");
            if log.exists() {
                out.push_str(&format!("--- {}\n{}\n", log.display(), tail(&log, lines)));
            }
        }
        out
    }

    /// Kills a node with SIGKILL (a crash or power cut) and waits until it is gone.
    pub fn kill(&mut self, name: &str) {
        self.end(name, libc::SIGKILL)
            .unwrap_or_else(|e| panic!("killing {name}: {e:#}"));
    }

    /// Stops a node with SIGTERM and waits (up to 30 s) until it has exited.
    pub fn stop(&mut self, name: &str) -> Result<()> {
        self.end(name, libc::SIGTERM)
    }

    fn end(&mut self, name: &str, sig: libc::c_int) -> Result<()> {
        let deadline = Instant::now() + Duration::from_secs(30);
        if let Some(mut child) = self.restarted.remove(name) {
            signal(child.id(), sig);
            loop {
                if let Some(status) = child.try_wait()? {
                    if sig == libc::SIGTERM && !status.success() {
                        bail!("{name} exited with {status} on SIGTERM");
                    }
                    break;
                }
                if Instant::now() > deadline {
                    let _ = child.kill();
                    let _ = child.wait();
                    bail!("{name} did not exit within 30 s");
                }
                std::thread::sleep(Duration::from_millis(20));
            }
        } else {
            // A child of the devnet process: it stays a zombie (its pid is not
            // reused) until the devnet exits.
            let pid = self.node(name).pid;
            if is_live_node(pid) {
                signal(pid, sig);
            }
            while is_live_node(pid) {
                if Instant::now() > deadline {
                    signal(pid, libc::SIGKILL);
                    bail!("{name} did not exit within 30 s");
                }
                std::thread::sleep(Duration::from_millis(20));
            }
        }
        self.node_mut(name).alive = false;
        Ok(())
    }

    /// From now on, restarts `name` with `config` (also by [`Devnet::restart`])
    /// and, if `netns` is given, inside that network namespace
    /// (`/var/run/netns/NAME`; the process enters it before it starts).
    pub fn relocate(&mut self, name: &str, config: PathBuf, netns: Option<PathBuf>) {
        self.node_mut(name).config = config;
        match netns {
            Some(path) => self.netns.insert(name.to_string(), path),
            None => self.netns.remove(name),
        };
    }

    /// Extra arguments of `tanji-node run` for every restart from now on
    /// (e.g. `--http-unlimited` for a test that reads from another address).
    pub fn set_run_args(&mut self, args: &[&str]) {
        self.run_args = args.iter().map(|a| a.to_string()).collect();
    }

    /// Restarts a stopped node with its own config file.
    pub async fn restart(&mut self, name: &str) -> Result<()> {
        let config = self.node(name).config.clone();
        self.restart_with(name, &config).await
    }

    /// Restarts a stopped node with `config` (`tanji-node run --config
    /// CONFIG`), waits until it rewrote `node.json` and answers /health.
    pub async fn restart_with(&mut self, name: &str, config: &Path) -> Result<()> {
        let node = self.node(name).clone();
        if node.alive {
            bail!("{name} is still running");
        }
        let info = node.data_dir.join("node.json");
        let _ = std::fs::remove_file(&info);
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(node.data_dir.join("node.log"))?;
        let mut cmd = Command::new(bin("tanji-node"));
        cmd.arg("run")
            .arg("--config")
            .arg(config)
            .args(&self.run_args)
            .stdin(Stdio::null())
            .stdout(log.try_clone()?)
            .stderr(log);
        die_with_parent(&mut cmd, libc::SIGKILL);
        if let Some(path) = self.netns.get(name) {
            in_netns_on_exec(&mut cmd, path)?;
        }
        let mut child = cmd.spawn().with_context(|| format!("restarting {name}"))?;
        let pid = child.id();
        self.pids.push(pid);
        let deadline = Instant::now() + Duration::from_secs(60);
        let http = loop {
            if let Some(status) = child.try_wait()? {
                bail!(
                    "{name} exited with {status} after a restart:\n{}",
                    tail(&node.data_dir.join("node.log"), 40)
                );
            }
            if let Ok(text) = std::fs::read_to_string(&info) {
                if let Ok(v) = serde_json::from_str::<serde_json::Value>(&text) {
                    if v["pid"].as_u64() == Some(pid as u64) {
                        let url = v["http"].as_str().unwrap_or_default().to_string();
                        if client(&url).health().await.is_ok() {
                            break url;
                        }
                    }
                }
            }
            if Instant::now() > deadline {
                let _ = child.kill();
                let _ = child.wait();
                bail!(
                    "{name} did not serve within 60 s of a restart:\n{}",
                    tail(&node.data_dir.join("node.log"), 40)
                );
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        };
        self.restarted.insert(name.to_string(), child);
        let n = self.node_mut(name);
        n.api = client(&http);
        n.http = http;
        n.pid = pid;
        n.alive = true;
        Ok(())
    }

    /// A typed client of a node's API (shares the node's connection pool).
    pub fn client(&self, name: &str) -> Client {
        self.node(name).api.clone()
    }

    /// A node's `/health`.
    pub async fn health(&self, name: &str) -> Result<Health> {
        Ok(self.client(name).health().await?)
    }

    /// A node's log size.
    pub async fn size(&self, name: &str) -> Result<u64> {
        Ok(self.health(name).await?.size)
    }

    /// A node's checkpoint (the latest, or the one for `size`); `None` if it has none (404).
    pub async fn checkpoint(&self, name: &str, size: Option<u64>) -> Result<Option<String>> {
        match self.client(name).checkpoint(size).await {
            Ok(note) => Ok(Some(note)),
            Err(e) if e.status() == Some(404) => Ok(None),
            Err(e) => Err(e).with_context(|| format!("{name}: checkpoint {size:?}")),
        }
    }

    /// A node's alarms (`/v1/alarms`).
    pub async fn alarms(&self, name: &str) -> Result<Vec<Alarm>> {
        Ok(self.client(name).alarms().await?.alarms)
    }
}

/// `Some((size, root))` when every named node reports the same log size and
/// serves a latest checkpoint for exactly that size, with the same root.
pub async fn converged<S: AsRef<str>>(net: &Devnet, nodes: &[S]) -> Option<(u64, rfc9162::Hash)> {
    let mut seen = None;
    for n in nodes {
        let size = net.size(n.as_ref()).await.ok()?;
        let note = net.checkpoint(n.as_ref(), None).await.ok()??;
        let cp = size_root(&note);
        if cp.0 != size || seen.is_some_and(|s| s != cp) {
            return None;
        }
        seen = Some(cp);
    }
    seen
}

/// An anchoring transaction (`AnchorEvidence` of the nonce's hash, labelled
/// `"{label} {nonce}"`) by `org` on `network`: the load the network tests put
/// on a devnet.
pub fn anchor_tx(
    network: &str,
    org: &tanji_ledger::keyfile::OrgKeyFile,
    nonce: u64,
    label: &str,
) -> tanji_ledger::tx::SignedTx {
    tanji_sdk::build::single(
        network,
        org,
        nonce,
        tanji_ledger::tx::TxKind::AnchorEvidence {
            digest: *blake3::hash(&nonce.to_le_bytes()).as_bytes(),
            label: format!("{label} {nonce}"),
        },
    )
    .unwrap_or_else(|e| panic!("signing with {}: {e}", org.org_id))
}

/// Signs anchoring transactions for one devnet organisation, with fresh
/// nonces (nonces are a set of used numbers, not a sequence: starting at a
/// random point keeps reruns against a kept devnet apart).
pub struct AnchorSigner {
    network: String,
    org: tanji_ledger::keyfile::OrgKeyFile,
    nonce: u64,
}

impl AnchorSigner {
    /// Signs as the devnet organisation whose key file is `keys/{key}.json`.
    pub fn new(net: &Devnet, key: &str, rng: &mut Rng) -> Self {
        let path = net.keys().join(format!("{key}.json"));
        AnchorSigner {
            network: net.network.clone(),
            org: tanji_ledger::keyfile::OrgKeyFile::load(&path)
                .unwrap_or_else(|e| panic!("{}: {e}", path.display())),
            nonce: rng.range(1 << 20, 1 << 40),
        }
    }

    /// The next anchoring transaction.
    pub fn tx(&mut self, label: &str) -> tanji_ledger::tx::SignedTx {
        self.nonce += 1;
        anchor_tx(&self.network, &self.org, self.nonce, label)
    }
}

impl Drop for Devnet {
    fn drop(&mut self) {
        if std::thread::panicking() {
            // Kept for a post-mortem.
            if let Some(tmp) = self._tmp.take() {
                let _ = tmp.keep();
            }
            eprintln!(
                "devnet {} (kept) logs:\n{}",
                self.dir.display(),
                self.logs_tail(30)
            );
        }
        // Nodes first: while the devnet process lives, its dead children are
        // unreaped zombies, so their pids cannot have been reused.
        for (_, mut child) in self.restarted.drain() {
            let _ = child.kill();
            let _ = child.wait();
        }
        for &pid in &self.pids {
            if is_live_node(pid) {
                signal(pid, libc::SIGKILL);
            }
        }
        if let Some(mut child) = self.devnet.take() {
            signal(child.id(), libc::SIGTERM);
            let deadline = Instant::now() + Duration::from_secs(20);
            loop {
                match child.try_wait() {
                    Ok(Some(_)) | Err(_) => break,
                    Ok(None) if Instant::now() > deadline => {
                        let _ = child.kill();
                        let _ = child.wait();
                        break;
                    }
                    Ok(None) => std::thread::sleep(Duration::from_millis(20)),
                }
            }
        }
    }
}

//! Helpers for Tanji's integration tests: start real `tanji-node` processes on
//! 127.0.0.1 (ports picked by the OS, never fixed), wait until they serve,
//! kill them with SIGKILL or stop them with SIGTERM, and run the `tanji` CLI.
//!
//! Binaries are taken from the cargo target folder of this build profile
//! (`target/release` when the tests run with `--release`, as `scripts/test`
//! does), or from `TANJI_BIN_DIR`.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use anyhow::{bail, Context as _, Result};

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
            .args(["--http-addr", "127.0.0.1:0"])
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
                        if health_ok(&node.url) {
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
}

impl Drop for DevNode {
    fn drop(&mut self) {
        self.kill();
    }
}

fn health_ok(url: &str) -> bool {
    // A plain blocking HTTP/1.0 request keeps this helper free of a runtime.
    use std::io::{Read as _, Write as _};
    let Some(addr) = url.strip_prefix("http://") else {
        return false;
    };
    let Ok(mut s) = std::net::TcpStream::connect(addr) else {
        return false;
    };
    let _ = s.set_read_timeout(Some(Duration::from_secs(2)));
    if s.write_all(b"GET /health HTTP/1.0\r\nHost: localhost\r\n\r\n")
        .is_err()
    {
        return false;
    }
    let mut buf = String::new();
    let _ = s.read_to_string(&mut buf);
    buf.starts_with("HTTP/1.0 200") || buf.starts_with("HTTP/1.1 200")
}

/// Runs the `tanji` CLI and returns its output (whatever the exit code).
pub fn tanji(args: &[&str]) -> Result<Output> {
    Command::new(bin("tanji"))
        .args(args)
        .output()
        .with_context(|| format!("running tanji {args:?}"))
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

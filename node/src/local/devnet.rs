//! `tanji-node devnet`: a whole replicated network on 127.0.0.1, each node a
//! separate `tanji-node run` process with its own data folder and store.
//!
//! Layout of `--base-dir DIR`:
//!
//! ```text
//! DIR/genesis.json            the network's genesis (founders, validators, observers)
//! DIR/keys/*.json             the organisations' keys (regulator, operators, demo orgs)
//! DIR/<node>/node.toml        each node's config (restart a node with
//!                             `tanji-node run --config DIR/<node>/node.toml`)
//! DIR/<node>/node-key.json    its node key
//! DIR/<node>/node.log         its log
//! DIR/devnet.json             written once every node answers /health, and
//!                             again when a spare node joins the validator set
//! ```
//!
//! A second start on the same folder reuses keys, genesis and stores, and
//! picks new ports.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use anyhow::{bail, Context as _, Result};
use tanji_ledger::keyfile::{NodeKeyFile, OrgKeyFile};
use tanji_ledger::tx::{Genesis, ObserverNode, Role, SignedTx, TxBody, TxKind, ValidatorNode};

use super::dev::{NODE_INFO_FILE, NODE_KEY_FILE};
use super::orgs::{load_or_create_node_key, load_or_create_org};
use crate::replica::config::{
    ConsensusTuning, NodeConfigFile, NodeRole, PactConfigFile, PeerEntry,
};
use crate::replica::genesis::GenesisFile;

/// The devnet's options.
#[derive(Clone, Debug)]
pub struct DevnetOptions {
    /// Number of validators (≥ 1; 4 tolerates one Byzantine validator).
    pub validators: usize,
    /// Number of spare nodes: configured like validators (named after them,
    /// `validator-V`, ...), connected to every node, but not in the genesis
    /// set. They follow the log until governance adds them
    /// (`tanji validator add --key DIR/validator-V/node-key.json ...`).
    pub spare: usize,
    /// Number of observers.
    pub observers: usize,
    /// Base folder.
    pub base_dir: PathBuf,
    /// Load the demo data through the first validator.
    pub demo: bool,
    /// Network name.
    pub network: String,
    /// Fsync decided batches.
    pub fsync: bool,
    /// Consensus tuning for every node.
    pub consensus: ConsensusTuning,
    /// Validators started with `--byzantine-equivocate-votes`, by name
    /// (tests only; see [`crate::ordering::bft::byzantine`]).
    pub byzantine_equivocate_votes: Vec<String>,
}

/// Organisations founding a devnet: the regulator, then one operator per validator.
fn founder(i: usize) -> (String, String, String, Vec<Role>) {
    const OPERATORS: [(&str, &str); 4] = [
        (
            "碳迹平台运营方 Tanji Platform Operator (dev)",
            "urn:uscc:91110108MA00TANJI0",
        ),
        (
            "全国产品碳足迹行业协会 National PCF Industry Association (dev)",
            "urn:uscc:51100000MA00TANJI1",
        ),
        (
            "天津市生态环境局 Tianjin Ecology and Environment Bureau (dev)",
            "urn:uscc:11120000000021144X",
        ),
        (
            "重庆市生态环境局 Chongqing Ecology and Environment Bureau (dev)",
            "urn:uscc:11500000000021145W",
        ),
    ];
    if i == 0 {
        return (
            "regulator".into(),
            "北京市生态环境局 Beijing Municipal Ecology and Environment Bureau (dev)".into(),
            "urn:uscc:11110000000021143Y".into(),
            vec![Role::Regulator],
        );
    }
    let k = i - 1;
    let stem = if k == 0 {
        "operator".to_string()
    } else {
        format!("operator-{k}")
    };
    match OPERATORS.get(k) {
        Some((name, company)) => (
            stem,
            name.to_string(),
            company.to_string(),
            vec![Role::Validator],
        ),
        None => (
            stem,
            format!("验证节点运营方 {k} Validator Operator {k} (dev)"),
            format!("urn:uscc:9111010{k:04}TANJIV"),
            vec![Role::Validator],
        ),
    }
}

/// A node of the devnet as planned.
struct PlannedNode {
    name: String,
    role: NodeRole,
    /// A validator-to-be, not in the genesis set.
    spare: bool,
    dir: PathBuf,
    key: NodeKeyFile,
    consensus_port: u16,
    p2p_port: u16,
}

/// Picks the nodes' consensus and p2p ports before they start.
///
/// Ports are chosen below the kernel's ephemeral range
/// (`/proc/sys/net/ipv4/ip_local_port_range`), which is where every `:0`
/// bind draws from: the nodes bind their HTTP ports with `:0` while starting,
/// and a port picked from the ephemeral range and released could be handed to
/// one of them before its owner binds it. Each pick is checked free and
/// distinct from the others. Where the range is unknown or leaves no room
/// below it, the OS picks (the small race remains).
struct PortPicker {
    picked: std::collections::HashSet<u16>,
    below: Option<(u16, u16)>,
    state: u64,
}

impl PortPicker {
    fn new() -> Self {
        let range = std::fs::read_to_string("/proc/sys/net/ipv4/ip_local_port_range")
            .ok()
            .and_then(|t| t.split_whitespace().next()?.parse::<u16>().ok());
        let below = range.and_then(|low| (low > 11_000).then_some((10_000, low)));
        let seed = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos() as u64)
            .unwrap_or(0)
            ^ u64::from(std::process::id()).rotate_left(32);
        Self {
            picked: Default::default(),
            below,
            state: seed | 1,
        }
    }

    /// A free TCP port on 127.0.0.1, not picked before.
    fn pick(&mut self) -> Result<u16> {
        if let Some((lo, hi)) = self.below {
            for _ in 0..200 {
                // xorshift64: spreading picks is all that is needed here.
                self.state ^= self.state << 13;
                self.state ^= self.state >> 7;
                self.state ^= self.state << 17;
                let port = lo + (self.state % u64::from(hi - lo)) as u16;
                if !self.picked.contains(&port)
                    && std::net::TcpListener::bind(("127.0.0.1", port)).is_ok()
                {
                    self.picked.insert(port);
                    return Ok(port);
                }
            }
        }
        for _ in 0..100 {
            let port = std::net::TcpListener::bind("127.0.0.1:0")?
                .local_addr()?
                .port();
            if self.picked.insert(port) {
                return Ok(port);
            }
        }
        bail!("could not find a free TCP port on 127.0.0.1")
    }
}

/// Founders' keys (regulator first), creating them on first start.
pub fn founders(keys_dir: &Path, validators: usize) -> Result<Vec<OrgKeyFile>> {
    (0..=validators)
        .map(|i| {
            let (stem, name, company, roles) = founder(i);
            load_or_create_org(keys_dir, &stem, &name, &company, &roles)
        })
        .collect()
}

fn make_genesis(
    network: &str,
    founders: &[OrgKeyFile],
    nodes: &[PlannedNode],
) -> Result<GenesisFile> {
    let validators: Vec<ValidatorNode> = nodes
        .iter()
        .filter(|n| n.role == NodeRole::Validator && !n.spare)
        .enumerate()
        .map(|(i, n)| ValidatorNode {
            operator: founders[i + 1].org_id,
            name: n.name.clone(),
            key: n.key.signing_key,
        })
        .collect();
    let keys: Vec<_> = founders
        .iter()
        .map(|f| Ok((f.org_id, f.signing_key()?)))
        .collect::<Result<_>>()?;
    let signers: Vec<_> = keys.iter().map(|(id, k)| (*id, k)).collect();
    let regulator = &founders[0];
    let mut txs = vec![SignedTx::sign(
        TxBody {
            network: network.to_string(),
            author: regulator.org_id,
            nonce: 0,
            kind: TxKind::Genesis(Genesis {
                orgs: founders.iter().map(|f| f.record()).collect(),
                validators,
            }),
        },
        &signers,
    )];
    for (j, n) in nodes
        .iter()
        .filter(|n| n.role == NodeRole::Observer)
        .enumerate()
    {
        let body = TxBody {
            network: network.to_string(),
            author: regulator.org_id,
            nonce: 1 + j as u64,
            kind: TxKind::RegisterObserver(ObserverNode {
                operator: regulator.org_id,
                name: n.name.clone(),
                key: n.key.signing_key,
            }),
        };
        let mut tx = SignedTx::sign(body, &[(regulator.org_id, &keys[0].1)]);
        for (id, k) in keys.iter().skip(1) {
            tx.approve(*id, k);
        }
        txs.push(tx);
    }
    Ok(GenesisFile::new(network, &txs))
}

/// A started node process.
pub struct RunningNode {
    /// Node name.
    pub name: String,
    /// Role.
    pub role: NodeRole,
    /// Started as a spare (see [`DevnetOptions::spare`]).
    pub spare: bool,
    /// API base URL.
    pub http: String,
    /// PACT host base URL (HTTPS).
    pub pact: Option<String>,
    /// The development authority that signs its PACT certificate.
    pub pact_ca_cert: Option<PathBuf>,
    /// Data folder.
    pub data_dir: PathBuf,
    /// The process.
    pub child: std::process::Child,
}

/// Writes every node's config, then starts each as a child process of this
/// one (they receive SIGTERM if it dies) and waits until all answer /health.
pub async fn start(opts: &DevnetOptions) -> Result<Vec<RunningNode>> {
    if opts.validators == 0 {
        bail!("--validators must be at least 1");
    }
    let base = &opts.base_dir;
    let keys_dir = base.join("keys");
    std::fs::create_dir_all(&keys_dir)
        .with_context(|| format!("creating {}", keys_dir.display()))?;
    let founders = founders(&keys_dir, opts.validators)?;
    let mut nodes = Vec::new();
    let mut ports = PortPicker::new();
    for (role, spare, first, count, prefix) in [
        (NodeRole::Validator, false, 0, opts.validators, "validator"),
        (
            NodeRole::Validator,
            true,
            opts.validators,
            opts.spare,
            "validator",
        ),
        (NodeRole::Observer, false, 0, opts.observers, "observer"),
    ] {
        for i in first..first + count {
            let name = format!("{prefix}-{i}");
            let dir = base.join(&name);
            std::fs::create_dir_all(&dir)?;
            let key = load_or_create_node_key(&dir.join(NODE_KEY_FILE), &name)?;
            nodes.push(PlannedNode {
                name,
                role,
                spare,
                dir,
                key,
                consensus_port: ports.pick()?,
                p2p_port: ports.pick()?,
            });
        }
    }
    for name in &opts.byzantine_equivocate_votes {
        if !nodes
            .iter()
            .any(|n| &n.name == name && n.role == NodeRole::Validator)
        {
            bail!("--byzantine-equivocate-votes {name}: no validator of that name");
        }
        tracing::error!(
            node = %name,
            "BYZANTINE TEST MODE: {name} will sign a conflicting vote for each of its votes"
        );
    }
    let genesis_path = base.join("genesis.json");
    if genesis_path.exists() {
        let g = GenesisFile::load(&genesis_path)?;
        if g.network != opts.network {
            bail!(
                "{} holds network {:?}, not {:?}",
                base.display(),
                g.network,
                opts.network
            );
        }
    } else {
        make_genesis(&opts.network, &founders, &nodes)?.save(&genesis_path)?;
    }

    let exe = std::env::current_exe().context("locating the tanji-node binary")?;
    let mut running = Vec::new();
    for n in &nodes {
        let peers = nodes
            .iter()
            .filter(|p| p.name != n.name)
            .map(|p| PeerEntry {
                name: p.name.clone(),
                key: p.key.signing_key.to_hex(),
                consensus_addr: format!("/ip4/127.0.0.1/tcp/{}", p.consensus_port),
                p2p_addr: format!("/ip4/127.0.0.1/tcp/{}", p.p2p_port),
            })
            .collect();
        let file = NodeConfigFile {
            role: n.role,
            name: n.name.clone(),
            data_dir: PathBuf::from("."),
            genesis: PathBuf::from("../genesis.json"),
            http_addr: "127.0.0.1:0".parse()?,
            consensus_addr: format!("/ip4/127.0.0.1/tcp/{}", n.consensus_port),
            p2p_addr: format!("/ip4/127.0.0.1/tcp/{}", n.p2p_port),
            fsync: opts.fsync,
            peers,
            consensus: opts.consensus.clone(),
            pact: Some(PactConfigFile {
                addr: "127.0.0.1:0".parse()?,
                cert: None,
                key: None,
                dev_certificate: true,
                allow_http_sources: true,
                public_url: None,
            }),
            // Any page may read a local network's API (e.g. the platform of
            // one node cross-checking another's checkpoint).
            cors_allow_origins: vec!["*".to_string()],
        };
        let config_path = n.dir.join("node.toml");
        std::fs::write(
            &config_path,
            format!(
                "# Written by `tanji-node devnet`; restart this node with\n# tanji-node run --config {}\n{}",
                config_path.display(),
                toml::to_string_pretty(&file)?
            ),
        )?;
        let _ = std::fs::remove_file(n.dir.join(NODE_INFO_FILE));
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(n.dir.join("node.log"))?;
        let mut cmd = std::process::Command::new(&exe);
        cmd.arg("run")
            .arg("--config")
            .arg(&config_path)
            .stdin(Stdio::null())
            .stdout(log.try_clone()?)
            .stderr(log);
        if opts.byzantine_equivocate_votes.contains(&n.name) {
            cmd.arg("--byzantine-equivocate-votes");
        }
        #[cfg(target_os = "linux")]
        {
            use std::os::unix::process::CommandExt as _;
            // SAFETY: prctl is async-signal-safe; it only sets the death signal.
            unsafe {
                cmd.pre_exec(|| {
                    libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGTERM);
                    Ok(())
                });
            }
        }
        let child = cmd
            .spawn()
            .with_context(|| format!("starting {}", n.name))?;
        running.push(RunningNode {
            name: n.name.clone(),
            role: n.role,
            spare: n.spare,
            http: String::new(),
            pact: None,
            pact_ca_cert: None,
            data_dir: n.dir.clone(),
            child,
        });
    }

    let deadline = Instant::now() + Duration::from_secs(120);
    let client = reqwest::Client::new();
    for r in &mut running {
        loop {
            if let Some(status) = r.child.try_wait()? {
                bail!(
                    "{} exited ({status}) while starting; see {}",
                    r.name,
                    r.data_dir.join("node.log").display()
                );
            }
            if let Ok(text) = std::fs::read_to_string(r.data_dir.join(NODE_INFO_FILE)) {
                if let Ok(v) = serde_json::from_str::<serde_json::Value>(&text) {
                    if let Some(url) = v["http"].as_str() {
                        let ok = client
                            .get(format!("{url}/health"))
                            .timeout(Duration::from_secs(2))
                            .send()
                            .await
                            .is_ok_and(|r| r.status().is_success());
                        if ok {
                            r.http = url.to_string();
                            r.pact = v["pact"].as_str().map(str::to_string);
                            r.pact_ca_cert = v["pact_ca_cert"].as_str().map(PathBuf::from);
                            break;
                        }
                    }
                }
            }
            if Instant::now() > deadline {
                bail!(
                    "{} did not answer /health within 120 s; see {}",
                    r.name,
                    r.data_dir.join("node.log").display()
                );
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
    Ok(running)
}

/// The role a node shows in the manifest: `spare` for a spare node not in
/// `validator_set` (the names of the set in force), else its configured role.
pub fn manifest_role(node: &RunningNode, validator_set: &[String]) -> &'static str {
    if node.spare && !validator_set.contains(&node.name) {
        "spare"
    } else {
        node.role.as_str()
    }
}

/// Writes `DIR/devnet.json`; `validator_set` names the validators in force.
pub fn write_manifest(
    opts: &DevnetOptions,
    nodes: &[RunningNode],
    validator_set: &[String],
) -> Result<PathBuf> {
    let manifest = serde_json::json!({
        "network": opts.network,
        "genesis": opts.base_dir.join("genesis.json"),
        "keys": opts.base_dir.join("keys"),
        "nodes": nodes.iter().map(|n| serde_json::json!({
            "name": n.name,
            "role": manifest_role(n, validator_set),
            "http": n.http,
            "pact": n.pact,
            "pact_ca_cert": n.pact_ca_cert,
            "pid": n.child.id(),
            "data_dir": n.data_dir,
            "config": n.data_dir.join("node.toml"),
        })).collect::<Vec<_>>(),
    });
    let path = opts.base_dir.join("devnet.json");
    let tmp = path.with_extension("json.tmp");
    std::fs::write(&tmp, serde_json::to_vec_pretty(&manifest)?)?;
    std::fs::rename(&tmp, &path)?;
    Ok(path)
}

/// Sends SIGTERM to every node still running and waits (SIGKILL after 15 s).
pub fn stop(nodes: &mut [RunningNode]) {
    for n in nodes.iter_mut() {
        if let Ok(None) = n.child.try_wait() {
            // SAFETY: kill(2) with a pid we spawned and have not reaped.
            unsafe {
                libc::kill(n.child.id() as libc::pid_t, libc::SIGTERM);
            }
        }
    }
    let deadline = Instant::now() + Duration::from_secs(15);
    for n in nodes.iter_mut() {
        loop {
            match n.child.try_wait() {
                Ok(Some(_)) | Err(_) => break,
                Ok(None) if Instant::now() > deadline => {
                    let _ = n.child.kill();
                    let _ = n.child.wait();
                    break;
                }
                Ok(None) => std::thread::sleep(Duration::from_millis(50)),
            }
        }
    }
}

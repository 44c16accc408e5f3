//! A replicated node's configuration file (`node.toml`), as read by
//! `tanji-node run --config FILE`.
//!
//! ```toml
//! role = "validator"              # or "observer"
//! name = "validator-0"            # this node's key name on checkpoint notes
//! data_dir = "."                  # store, node key, WAL; relative to this file
//! genesis = "../genesis.json"     # the network's genesis file; relative to this file
//! http_addr = "127.0.0.1:7410"    # port 0 picks a free one (written to DATA_DIR/node.json)
//! consensus_addr = "/ip4/127.0.0.1/tcp/7420"   # Malachite's libp2p port
//! p2p_addr = "/ip4/127.0.0.1/tcp/7421"         # Tanji's gossip and range-sync port
//! fsync = true
//! cors_allow_origins = ["*"]      # pages that may read the API from a browser ([] = none)
//!
//! [[peers]]                       # every other node of the network
//! name = "validator-1"
//! key = "…64 hex digits…"        # its registered node key
//! consensus_addr = "/ip4/127.0.0.1/tcp/7422"
//! p2p_addr = "/ip4/127.0.0.1/tcp/7423"
//!
//! [pact]                          # optional: the PACT host, HTTPS only
//! addr = "127.0.0.1:7443"         # port 0 picks a free one (written to DATA_DIR/node.json)
//! cert = "pact-cert.pem"          # certificate chain (PEM), relative to this file
//! key = "pact-key.pem"            # its private key
//! # dev_certificate = true        # instead of cert/key: a development CA made on first start
//! # allow_http_sources = true     # accept events from http://127.0.0.1 hosts (development)
//! # public_url = "https://pact.example.com"  # where partners reach it (default: https://ADDR)
//!
//! [consensus]                     # optional; these are the defaults
//! propose_timeout_ms = 3000
//! vote_timeout_ms = 1000
//! max_batch_txs = 1024
//! max_wait_for_txs_ms = 200
//! ```
//!
//! Peers' keys come from the config only to build addresses: who may connect
//! on Tanji's port is decided by the ledger (validators of the genesis and
//! observers registered by governance), never by this file.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{bail, Context as _, Result};
use libp2p::Multiaddr;
use serde::{Deserialize, Serialize};
use tanji_api::platform::CorsOrigins;
use tanji_ledger::crypto::PublicKey;

/// What a node does in the network.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NodeRole {
    /// Proposes and votes on batches, cosigns checkpoints.
    Validator,
    /// Replicates and verifies everything, witnesses checkpoints, never votes.
    Observer,
}

impl NodeRole {
    /// The role's name, as `/health` reports it.
    pub fn as_str(self) -> &'static str {
        match self {
            NodeRole::Validator => "validator",
            NodeRole::Observer => "observer",
        }
    }
}

/// The file as written.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NodeConfigFile {
    /// Validator or observer.
    pub role: NodeRole,
    /// The node's key name (must match its registration on the ledger).
    pub name: String,
    /// Data folder, relative to the config file.
    #[serde(default = "default_data_dir")]
    pub data_dir: PathBuf,
    /// Genesis file, relative to the config file.
    pub genesis: PathBuf,
    /// HTTP API address.
    #[serde(default = "default_http_addr")]
    pub http_addr: SocketAddr,
    /// Malachite's listen address (multiaddr).
    pub consensus_addr: String,
    /// Tanji's gossip/sync listen address (multiaddr).
    pub p2p_addr: String,
    /// Fsync every decided batch.
    #[serde(default = "default_true")]
    pub fsync: bool,
    /// The other nodes.
    #[serde(default)]
    pub peers: Vec<PeerEntry>,
    /// Consensus tuning.
    #[serde(default)]
    pub consensus: ConsensusTuning,
    /// The PACT host, if the node serves one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pact: Option<PactConfigFile>,
    /// Origins whose pages may read the API from a browser (CORS, reads
    /// only): `["*"]` (the default) any, `[]` none, or a list such as
    /// `["https://platform.example.cn"]`.
    #[serde(default = "default_cors")]
    pub cors_allow_origins: Vec<String>,
}

fn default_cors() -> Vec<String> {
    vec!["*".to_string()]
}

/// The `[pact]` section: where the PACT host listens and its certificate.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PactConfigFile {
    /// HTTPS address; port 0 picks a free one.
    pub addr: SocketAddr,
    /// Certificate chain (PEM), relative to the config file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cert: Option<PathBuf>,
    /// The certificate's private key (PEM), relative to the config file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<PathBuf>,
    /// Instead of `cert` and `key`: a development authority and certificate
    /// made in `DATA_DIR/pact-tls` on first start (local networks only).
    #[serde(default)]
    pub dev_certificate: bool,
    /// Accept events whose source is a plain `http://127.0.0.1:PORT` host.
    #[serde(default)]
    pub allow_http_sources: bool,
    /// The base URL partners reach the host at (behind a proxy or a DNS
    /// name): the `source` of the events it sends. Default `https://ADDR`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub public_url: Option<String>,
}

/// The PACT host's certificate, resolved.
#[derive(Clone, Debug)]
pub enum PactCertificate {
    /// The operator's files.
    Files(crate::server::tls::TlsFiles),
    /// The development certificate in the data folder.
    Development,
}

/// The `[pact]` section, checked and with paths resolved.
#[derive(Clone, Debug)]
pub struct PactConfig {
    /// HTTPS address.
    pub addr: SocketAddr,
    /// Certificate.
    pub certificate: PactCertificate,
    /// Accept `http://127.0.0.1` event sources.
    pub allow_http_sources: bool,
    /// Where partners reach the host, if not at its address.
    pub public_url: Option<String>,
}

impl PactConfig {
    fn from_file(file: PactConfigFile, base: &Path) -> Result<Self> {
        let certificate = match (file.cert, file.key, file.dev_certificate) {
            (Some(cert), Some(key), false) => {
                PactCertificate::Files(crate::server::tls::TlsFiles {
                    cert: base.join(cert),
                    key: base.join(key),
                })
            }
            (None, None, true) => PactCertificate::Development,
            _ => bail!("pact: give cert and key, or dev_certificate = true (not both)"),
        };
        Ok(Self {
            addr: file.addr,
            certificate,
            allow_http_sources: file.allow_http_sources,
            public_url: file.public_url,
        })
    }

    /// The listener settings, making the development certificate in
    /// `data_dir` when configured.
    pub fn listen(&self, data_dir: &Path) -> Result<crate::server::PactListen> {
        let host = tanji_api::pact_host::PactHostConfig {
            allow_http_sources: self.allow_http_sources,
            public_url: self.public_url.clone(),
            extra_root_pem: None,
        };
        match &self.certificate {
            PactCertificate::Files(tls) => Ok(crate::server::PactListen {
                addr: self.addr,
                tls: tls.clone(),
                ca_cert: None,
                host,
            }),
            PactCertificate::Development => {
                crate::server::PactListen::dev(self.addr, data_dir, host)
            }
        }
    }
}

/// Another node of the network.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PeerEntry {
    /// Its key name.
    pub name: String,
    /// Its node key, hex.
    pub key: String,
    /// Its Malachite address.
    pub consensus_addr: String,
    /// Its Tanji gossip/sync address.
    pub p2p_addr: String,
}

/// Consensus timeouts and batch sizes.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ConsensusTuning {
    /// Propose timeout of round 0, ms.
    pub propose_timeout_ms: u64,
    /// Prevote and precommit timeouts of round 0, ms.
    pub vote_timeout_ms: u64,
    /// Most transactions per proposed batch.
    pub max_batch_txs: usize,
    /// How long a proposer waits for transactions before proposing an empty batch, ms.
    pub max_wait_for_txs_ms: u64,
}

impl Default for ConsensusTuning {
    fn default() -> Self {
        Self {
            propose_timeout_ms: 3000,
            vote_timeout_ms: 1000,
            max_batch_txs: 1024,
            max_wait_for_txs_ms: 200,
        }
    }
}

fn default_data_dir() -> PathBuf {
    PathBuf::from(".")
}

fn default_http_addr() -> SocketAddr {
    SocketAddr::from(([127, 0, 0, 1], 7410))
}

fn default_true() -> bool {
    true
}

/// A peer, parsed.
#[derive(Clone, Debug)]
pub struct Peer {
    /// Key name.
    pub name: String,
    /// Node key.
    pub key: PublicKey,
    /// Malachite address.
    pub consensus_addr: Multiaddr,
    /// Tanji address.
    pub p2p_addr: Multiaddr,
}

/// A configuration, parsed and with paths resolved.
#[derive(Clone, Debug)]
pub struct NodeConfig {
    /// Validator or observer.
    pub role: NodeRole,
    /// Key name.
    pub name: String,
    /// Data folder.
    pub data_dir: PathBuf,
    /// Genesis file.
    pub genesis: PathBuf,
    /// HTTP address.
    pub http_addr: SocketAddr,
    /// Malachite listen address.
    pub consensus_addr: Multiaddr,
    /// Tanji listen address.
    pub p2p_addr: Multiaddr,
    /// Fsync decided batches.
    pub fsync: bool,
    /// Other nodes.
    pub peers: Vec<Peer>,
    /// Tuning.
    pub consensus: ConsensusTuning,
    /// The PACT host.
    pub pact: Option<PactConfig>,
    /// Origins that may read the API from a browser.
    pub cors: CorsOrigins,
    /// Honest by default; only `tanji-node run`'s hidden test options make
    /// it Byzantine, never the config file (see
    /// [`crate::ordering::bft::byzantine`]).
    pub byzantine: crate::ordering::bft::byzantine::ByzantineMode,
}

fn multiaddr(what: &str, s: &str) -> Result<Multiaddr> {
    s.parse()
        .with_context(|| format!("{what}: {s:?} is not a multiaddr like /ip4/127.0.0.1/tcp/7420"))
}

impl NodeConfig {
    /// Reads and checks `path`.
    pub fn load(path: &Path) -> Result<Self> {
        let text =
            std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
        let file: NodeConfigFile =
            toml::from_str(&text).with_context(|| format!("{}", path.display()))?;
        let base = path.parent().unwrap_or_else(|| Path::new("."));
        Self::from_file(file, base).with_context(|| format!("{}", path.display()))
    }

    /// Checks a parsed file, resolving relative paths against `base`.
    pub fn from_file(file: NodeConfigFile, base: &Path) -> Result<Self> {
        if let Err(e) = tanji_ledger::text::check_key_name(&file.name) {
            bail!("name: {e}");
        }
        let t = &file.consensus;
        if t.propose_timeout_ms == 0 || t.vote_timeout_ms == 0 {
            bail!("consensus timeouts must be positive");
        }
        if t.max_batch_txs == 0 || t.max_batch_txs > crate::ordering::bft::batch::MAX_BATCH_TXS {
            bail!(
                "consensus.max_batch_txs must be 1..={}",
                crate::ordering::bft::batch::MAX_BATCH_TXS
            );
        }
        let mut peers = Vec::with_capacity(file.peers.len());
        for (i, p) in file.peers.iter().enumerate() {
            let key = PublicKey::from_hex(&p.key)
                .map_err(|e| anyhow::anyhow!("peers[{i}] ({}): key: {e}", p.name))?;
            peers.push(Peer {
                name: p.name.clone(),
                key,
                consensus_addr: multiaddr(
                    &format!("peers[{i}].consensus_addr"),
                    &p.consensus_addr,
                )?,
                p2p_addr: multiaddr(&format!("peers[{i}].p2p_addr"), &p.p2p_addr)?,
            });
        }
        Ok(Self {
            role: file.role,
            name: file.name,
            data_dir: base.join(file.data_dir),
            genesis: base.join(file.genesis),
            http_addr: file.http_addr,
            consensus_addr: multiaddr("consensus_addr", &file.consensus_addr)?,
            p2p_addr: multiaddr("p2p_addr", &file.p2p_addr)?,
            fsync: file.fsync,
            peers,
            consensus: file.consensus,
            pact: file
                .pact
                .map(|p| PactConfig::from_file(p, base))
                .transpose()?,
            cors: CorsOrigins::parse(&file.cors_allow_origins)?,
            byzantine: Default::default(),
        })
    }

    /// Consensus timeouts.
    pub fn propose_timeout(&self) -> Duration {
        Duration::from_millis(self.consensus.propose_timeout_ms)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = r#"
role = "observer"
name = "observer-0"
genesis = "../genesis.json"
http_addr = "127.0.0.1:0"
consensus_addr = "/ip4/127.0.0.1/tcp/7420"
p2p_addr = "/ip4/127.0.0.1/tcp/7421"

[[peers]]
name = "validator-0"
key = "0000000000000000000000000000000000000000000000000000000000000000"
consensus_addr = "/ip4/127.0.0.1/tcp/7422"
p2p_addr = "/ip4/127.0.0.1/tcp/7423"
"#;

    #[test]
    fn parses_and_resolves_paths() {
        let file: NodeConfigFile = toml::from_str(SAMPLE).unwrap();
        let cfg = NodeConfig::from_file(file, Path::new("/nets/a/observer-0")).unwrap();
        assert_eq!(cfg.role, NodeRole::Observer);
        assert_eq!(cfg.genesis, Path::new("/nets/a/observer-0/../genesis.json"));
        assert_eq!(cfg.data_dir, Path::new("/nets/a/observer-0/."));
        assert_eq!(cfg.peers.len(), 1);
        assert_eq!(cfg.consensus.max_batch_txs, 1024);
    }

    #[test]
    fn refuses_bad_values_with_reasons() {
        let bad_addr = SAMPLE.replace("/ip4/127.0.0.1/tcp/7420", "127.0.0.1:7420");
        let file: NodeConfigFile = toml::from_str(&bad_addr).unwrap();
        let e = NodeConfig::from_file(file, Path::new(".")).unwrap_err();
        assert!(format!("{e:#}").contains("consensus_addr"), "{e:#}");

        let bad_key = SAMPLE.replace(&"0".repeat(64), "zz");
        let file: NodeConfigFile = toml::from_str(&bad_key).unwrap();
        let e = NodeConfig::from_file(file, Path::new(".")).unwrap_err();
        assert!(format!("{e:#}").contains("peers[0]"), "{e:#}");

        let unknown = format!("{SAMPLE}\nsurprise = 1\n");
        assert!(toml::from_str::<NodeConfigFile>(&unknown).is_err());

        let bad_name = SAMPLE.replace("observer-0", "observer 0");
        let file: NodeConfigFile = toml::from_str(&bad_name).unwrap();
        assert!(NodeConfig::from_file(file, Path::new(".")).is_err());
    }
}

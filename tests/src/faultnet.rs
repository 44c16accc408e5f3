//! A devnet whose links can be shaped and cut: [`FaultNet`].
//!
//! `tanji-node devnet` writes the keys, genesis and configs and starts the
//! nodes on 127.0.0.1; then every node is stopped, its config rewritten and
//! it is started again:
//!
//! - **netns mode** (root, `ip netns` works): each node in its own network
//!   namespace ([`crate::netns::Lab`]), listening for peers on its data
//!   address and serving HTTP on its control address. Links are cut by
//!   taking veth links down or moving them to another bridge.
//! - **loopback mode** (otherwise): the nodes stay on 127.0.0.1; cutting a
//!   link blocks it in the relays.
//!
//! In both modes every peer address in a node's config is a port of the
//! node's own [`Relay`] (in its namespace), which forwards to the peer, so
//! the userspace shaper can delay every peer link; in netns mode the kernel's
//! netem qdisc shapes instead when the kernel has it.
//!
//! `TANJI_FAULT_MODE=netns|loopback` forces a mode (netns then fails instead
//! of falling back); `TANJI_FAULT_SHAPER=relay` uses the relays even where
//! netem works.

use std::net::{Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::sync::Arc;

use anyhow::{bail, Context as _, Result};

use crate::netns::{self, Lab};
use crate::relay::{Links, Relay, Route, Shape};
use crate::Devnet;

/// Where the nodes run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Mode {
    /// One network namespace per node.
    Netns,
    /// All on 127.0.0.1, with the reason namespaces were not used.
    Loopback(String),
}

/// What shapes links.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Shaper {
    /// The kernel's netem qdisc on each node's data link.
    Netem,
    /// The userspace relays, with the reason netem was not used.
    Relay(String),
}

/// A devnet with shapeable, cuttable links. Dropping it kills the nodes,
/// then stops the relays, then removes the namespaces (fields drop in
/// declaration order).
pub struct FaultNet {
    /// The network (its nodes restarted by the test).
    pub net: Devnet,
    /// Kept to be dropped after the nodes.
    _relays: Vec<Relay>,
    /// The relays' shared state (shape, blocked links, counters).
    pub links: Arc<Links>,
    lab: Option<Lab>,
    /// Where the nodes run.
    pub mode: Mode,
    /// What shapes links.
    pub shaper: Shaper,
}

/// `/ip4/A/tcp/P` → port P.
fn tcp_port(addr: &str) -> Result<u16> {
    addr.rsplit_once("/tcp/")
        .and_then(|(_, p)| p.parse().ok())
        .with_context(|| format!("no TCP port in {addr:?}"))
}

impl FaultNet {
    /// Starts `validators` validators and `observers` observers with
    /// `devnet_args` (e.g. `--no-fsync`), then moves them into namespaces (or
    /// keeps them on the loopback, see the module docs) behind relays, with
    /// `consensus` settings (`[consensus]` keys of node.toml) for every node.
    pub async fn start(
        validators: usize,
        observers: usize,
        devnet_args: &[&str],
        consensus: &[(&str, i64)],
    ) -> Result<Self> {
        let forced = std::env::var("TANJI_FAULT_MODE").unwrap_or_default();
        let mut reason = match forced.as_str() {
            "loopback" => Some("TANJI_FAULT_MODE=loopback".to_string()),
            "" | "auto" | "netns" => netns::unavailable(),
            other => bail!("TANJI_FAULT_MODE={other}: use netns, loopback or auto"),
        };
        if forced == "netns" {
            if let Some(r) = &reason {
                bail!("TANJI_FAULT_MODE=netns, but namespaces are unavailable: {r}");
            }
        }
        let mut net = Devnet::start(validators, observers, devnet_args).await?;
        let names: Vec<String> = net.nodes().iter().map(|n| n.name.clone()).collect();
        let mut lab = None;
        if reason.is_none() {
            match Lab::create(&names) {
                Ok(l) => lab = Some(l),
                Err(e) if forced == "netns" => return Err(e.context("TANJI_FAULT_MODE=netns")),
                Err(e) => reason = Some(format!("network namespaces unusable: {e:#}")),
            }
        }
        let shaper = match &lab {
            None => Shaper::Relay("no namespaces".into()),
            Some(_) if std::env::var("TANJI_FAULT_SHAPER").as_deref() == Ok("relay") => {
                Shaper::Relay("TANJI_FAULT_SHAPER=relay".into())
            }
            Some(l) => match l.netem_available() {
                Ok(()) => Shaper::Netem,
                Err(e) => Shaper::Relay(format!("no netem qdisc: {e}")),
            },
        };
        let mode = match reason {
            None => Mode::Netns,
            Some(r) => Mode::Loopback(r),
        };

        // Every node's own and its peers' listening ports, from the configs
        // the devnet wrote.
        for n in &names {
            net.stop(n).with_context(|| format!("stopping {n}"))?;
        }
        let mut configs = Vec::new();
        let mut ports = std::collections::HashMap::new();
        for n in net.nodes() {
            let text = std::fs::read_to_string(&n.config)?;
            let file: toml::Table = toml::from_str(&text)?;
            let port = |k: &str| tcp_port(file[k].as_str().unwrap_or_default());
            ports.insert(n.name.clone(), (port("consensus_addr")?, port("p2p_addr")?));
            configs.push((n.name.clone(), n.data_dir.clone(), file));
        }
        let links = Links::new();
        let mut relays = Vec::new();
        let mut moves = Vec::new();
        for (name, dir, mut file) in configs {
            let place = lab.as_ref().map(|l| l.node(&name).clone());
            let peer_ip = |peer: &str| match &lab {
                Some(l) => l.node(peer).data_ip,
                None => Ipv4Addr::LOCALHOST,
            };
            let peers = file
                .get_mut("peers")
                .and_then(|p| p.as_array_mut())
                .context("node.toml: peers")?;
            let mut routes = Vec::new();
            for p in peers.iter() {
                let peer = p["name"].as_str().unwrap_or_default().to_string();
                let (c, g) = *ports.get(&peer).context("a peer not in the devnet")?;
                for (kind, port) in [("consensus", c), ("p2p", g)] {
                    routes.push(Route {
                        peer: peer.clone(),
                        kind: kind.into(),
                        target: SocketAddr::from((peer_ip(&peer), port)),
                    });
                }
            }
            let relay = Relay::start(
                &name,
                place.as_ref().map(|p| p.path()),
                routes,
                links.clone(),
            )?;
            for (i, p) in peers.iter_mut().enumerate() {
                let t = p.as_table_mut().context("node.toml: a peer")?;
                let via = |k: usize| format!("/ip4/127.0.0.1/tcp/{}", relay.ports[2 * i + k]);
                t.insert("consensus_addr".into(), via(0).into());
                t.insert("p2p_addr".into(), via(1).into());
            }
            relays.push(relay);
            if let Some(p) = &place {
                let (c, g) = ports[&name];
                let own = |port: u16| format!("/ip4/{}/tcp/{port}", p.data_ip);
                file.insert("consensus_addr".into(), own(c).into());
                file.insert("p2p_addr".into(), own(g).into());
                file.insert("http_addr".into(), format!("{}:0", p.ctl_ip).into());
            }
            let tuning = file
                .entry("consensus")
                .or_insert_with(|| toml::Table::new().into())
                .as_table_mut()
                .context("node.toml: consensus")?;
            for (k, v) in consensus {
                tuning.insert(k.to_string(), (*v).into());
            }
            let path = dir.join("faults.toml");
            std::fs::write(
                &path,
                format!(
                    "# Written by the fault tests: peers through relays{}.\n{}",
                    if place.is_some() {
                        ", in network namespaces"
                    } else {
                        ""
                    },
                    toml::to_string_pretty(&file)?
                ),
            )?;
            moves.push((name, path, place.map(|p| p.path())));
        }
        for (name, path, ns) in moves {
            net.relocate(&name, path, ns);
        }
        if let Some(l) = &lab {
            // The test reads every node from its control address.
            net.set_run_args(&["--http-unlimited", &format!("loopback,{}", l.ctl_subnet)]);
        }
        let mut fnet = FaultNet {
            net,
            _relays: relays,
            links,
            lab,
            mode,
            shaper,
        };
        for n in &names {
            fnet.net
                .restart(n)
                .await
                .with_context(|| format!("starting {n} behind its relay"))?;
        }
        Ok(fnet)
    }

    /// `mode: netns (...)` or `mode: loopback (reason)`, with the shaper.
    pub fn describe(&self) -> String {
        let shaper = match &self.shaper {
            Shaper::Netem => "shaper: netem qdisc on each node's data link".to_string(),
            Shaper::Relay(why) => {
                format!("shaper: userspace relay, loss as retransmission stalls ({why})")
            }
        };
        match (&self.mode, &self.lab) {
            (Mode::Netns, Some(l)) => format!(
                "mode: netns ({} namespaces {}..., data links {}d*, control {}; {shaper})",
                l.nodes.len(),
                l.nodes
                    .first()
                    .map(|n| n.netns.as_str())
                    .unwrap_or_default(),
                l.tag,
                l.ctl_subnet,
            ),
            (Mode::Loopback(why), _) => format!("mode: loopback ({why}; {shaper})"),
            (Mode::Netns, None) => "mode: netns (no lab?)".into(),
        }
    }

    /// The lab, in netns mode.
    pub fn lab(&self) -> Option<&Lab> {
        self.lab.as_ref()
    }

    /// Shapes every peer link (`None`: no shaping).
    pub fn shape(&self, shape: Option<Shape>) -> Result<()> {
        match (&self.shaper, &self.lab) {
            (Shaper::Netem, Some(l)) => l.netem(shape),
            _ => {
                self.links.set_shape(shape);
                Ok(())
            }
        }
    }

    /// Cuts `name` off from every peer (it stays readable over HTTP).
    pub fn cut(&self, name: &str) -> Result<()> {
        match &self.lab {
            Some(l) => l.link_down(name),
            None => {
                for n in self.net.nodes() {
                    if n.name != name {
                        self.links.block(name, &n.name);
                    }
                }
                Ok(())
            }
        }
    }

    /// Splits the network into `groups` that reach no other group (every node
    /// must be in one group).
    pub fn partition(&self, groups: &[&[&str]]) -> Result<()> {
        let all: usize = groups.iter().map(|g| g.len()).sum();
        if all != self.net.nodes().len() {
            bail!("a partition names every node once");
        }
        match &self.lab {
            Some(l) => l.partition(groups),
            None => {
                for (i, a) in groups.iter().enumerate() {
                    for b in &groups[i + 1..] {
                        for x in a.iter() {
                            for y in b.iter() {
                                self.links.block(x, y);
                            }
                        }
                    }
                }
                Ok(())
            }
        }
    }

    /// Restores every link.
    pub fn heal(&self) -> Result<()> {
        self.links.unblock_all();
        match &self.lab {
            Some(l) => l.heal(),
            None => Ok(()),
        }
    }

    /// The data folder of the devnet (for logs).
    pub fn dir(&self) -> PathBuf {
        self.net.dir.clone()
    }
}

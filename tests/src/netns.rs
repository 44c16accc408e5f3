//! A laboratory of network namespaces, one per node, so that links between
//! nodes can be shaped and cut with the kernel's own tools.
//!
//! Each node's namespace has two veth links whose other ends sit in the
//! test's namespace, attached to bridges:
//!
//! - `data` (10.214.K.(10+i)/24) on a data bridge: the nodes' consensus and
//!   gossip traffic. Cutting a node's link (`ip link set … down`) or moving
//!   it to another data bridge (a partition) acts on this one only.
//! - `ctl` (10.213.K.(10+i)/24) on a control bridge that also holds
//!   10.213.K.1, the test's address: the HTTP API, so that the test can watch
//!   a node that is cut off from its peers.
//!
//! Nodes never dial control addresses, and a namespace has no route beyond
//! its two subnets. Names carry the test's pid (`tanji-ft-PID-i` namespaces,
//! `tjfPID…` links and bridges), so concurrent runs do not meet, and leftovers
//! of runs whose process is gone are removed first. Dropping the [`Lab`]
//! removes everything it made, also when a test panics.
//!
//! Needs root, `ip` (iproute2) and a kernel with network namespaces, veth and
//! bridges; `tc` with the `netem` qdisc is used for shaping when present
//! ([`Lab::netem_available`]).

use std::net::{Ipv4Addr, SocketAddrV4, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use anyhow::{bail, Context as _, Result};

use crate::relay::Shape;

/// Prefix of namespace names.
const NS_PREFIX: &str = "tanji-ft-";
/// Prefix of link and bridge names (at most 15 characters in all).
const LINK_PREFIX: &str = "tjf";
/// Data bridges: the main one and two for the other sides of a partition.
const DATA_BRIDGES: usize = 3;

/// Runs `ip ARGS` (or another tool), failing with its stderr.
pub fn run(tool: &str, args: &[&str]) -> Result<String> {
    let out = Command::new(tool)
        .args(args)
        .output()
        .with_context(|| format!("running {tool}"))?;
    if !out.status.success() {
        bail!(
            "{tool} {} failed: {}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

fn ip(args: &[&str]) -> Result<String> {
    run("ip", args)
}

/// Moves the calling thread into the network namespace at `path`
/// (`/var/run/netns/NAME`). Sockets the thread opens afterwards live there.
pub fn enter(path: &Path) -> Result<()> {
    use std::os::fd::AsRawFd as _;
    let file = std::fs::File::open(path).with_context(|| format!("opening {}", path.display()))?;
    // SAFETY: setns(2) with a namespace file descriptor we hold open; it only
    // changes the calling thread's network namespace.
    let rc = unsafe { libc::setns(file.as_raw_fd(), libc::CLONE_NEWNET) };
    if rc != 0 {
        bail!(
            "setns({}): {}",
            path.display(),
            std::io::Error::last_os_error()
        );
    }
    Ok(())
}

/// Runs `f` on a thread of its own inside the namespace at `path`.
pub fn in_netns<T: Send + 'static>(
    path: &Path,
    f: impl FnOnce() -> Result<T> + Send + 'static,
) -> Result<T> {
    let inside = path.to_path_buf();
    std::thread::spawn(move || {
        enter(&inside)?;
        f()
    })
    .join()
    .map_err(|_| anyhow::anyhow!("thread in {} panicked", path.display()))?
}

/// Why the namespace mode cannot run here, or `None` if it may be tried.
pub fn unavailable() -> Option<String> {
    // SAFETY: geteuid(2) has no preconditions.
    if unsafe { libc::geteuid() } != 0 {
        return Some("not root".into());
    }
    if Command::new("ip").arg("-V").output().is_err() {
        return Some("`ip` (iproute2) not found".into());
    }
    None
}

/// One node's place in the lab.
#[derive(Clone, Debug)]
pub struct LabNode {
    /// The node's name.
    pub name: String,
    /// Its namespace's name.
    pub netns: String,
    /// Its data address (peers reach it here).
    pub data_ip: Ipv4Addr,
    /// Its control address (its HTTP API).
    pub ctl_ip: Ipv4Addr,
    /// The test-side end of its data link.
    pub data_link: String,
    /// The test-side end of its control link.
    pub ctl_link: String,
}

impl LabNode {
    /// The namespace's file, for `setns`.
    pub fn path(&self) -> PathBuf {
        PathBuf::from("/var/run/netns").join(&self.netns)
    }
}

/// Namespaces, links and bridges of one test run (removed on drop).
pub struct Lab {
    /// Per-run tag (`tjfPID`).
    pub tag: String,
    /// The nodes, in the order given.
    pub nodes: Vec<LabNode>,
    /// The test's address on the control bridge.
    pub host_ip: Ipv4Addr,
    /// The control subnet, for `--http-unlimited`.
    pub ctl_subnet: String,
    bridges: Vec<String>,
}

impl Lab {
    /// Removes leftovers of earlier runs, then makes one namespace per name,
    /// with its data and control links, and checks that a namespace reaches
    /// another over the data bridge and the test reaches it over the control
    /// bridge. On any failure what was made is removed again.
    pub fn create(names: &[String]) -> Result<Self> {
        if names.len() > 200 {
            bail!("at most 200 nodes");
        }
        sweep_leftovers();
        let pid = std::process::id();
        let tag = format!("{LINK_PREFIX}{pid}");
        let k = free_subnet(pid)?;
        let mut lab = Lab {
            tag: tag.clone(),
            nodes: Vec::new(),
            host_ip: Ipv4Addr::new(10, 213, k, 1),
            ctl_subnet: format!("10.213.{k}.0/24"),
            bridges: Vec::new(),
        };
        // Bridges: data 0..DATA_BRIDGES, then control.
        for b in 0..=DATA_BRIDGES {
            let name = if b == DATA_BRIDGES {
                format!("{tag}bc")
            } else {
                format!("{tag}b{b}")
            };
            ip(&["link", "add", &name, "type", "bridge"])?;
            lab.bridges.push(name.clone());
            ip(&["link", "set", &name, "up"])?;
        }
        let ctl_bridge = lab.ctl_bridge().to_string();
        ip(&[
            "addr",
            "add",
            &format!("{}/24", lab.host_ip),
            "dev",
            &ctl_bridge,
        ])?;
        for (i, name) in names.iter().enumerate() {
            let node = LabNode {
                name: name.clone(),
                netns: format!("{NS_PREFIX}{pid}-{i}"),
                data_ip: Ipv4Addr::new(10, 214, k, 10 + i as u8),
                ctl_ip: Ipv4Addr::new(10, 213, k, 10 + i as u8),
                data_link: format!("{tag}d{i}"),
                ctl_link: format!("{tag}c{i}"),
            };
            ip(&["netns", "add", &node.netns])?;
            lab.nodes.push(node.clone());
            let ns = node.netns.as_str();
            ip(&["-n", ns, "link", "set", "lo", "up"])?;
            for (link, inner, bridge, addr) in [
                (
                    &node.data_link,
                    "data",
                    lab.bridges[0].clone(),
                    node.data_ip,
                ),
                (&node.ctl_link, "ctl", ctl_bridge.clone(), node.ctl_ip),
            ] {
                ip(&[
                    "link", "add", link, "type", "veth", "peer", "name", inner, "netns", ns,
                ])?;
                ip(&["link", "set", link, "master", &bridge, "up"])?;
                ip(&["-n", ns, "addr", "add", &format!("{addr}/24"), "dev", inner])?;
                ip(&["-n", ns, "link", "set", inner, "up"])?;
            }
        }
        lab.probe().context("namespaces do not reach each other")?;
        Ok(lab)
    }

    fn ctl_bridge(&self) -> &str {
        &self.bridges[DATA_BRIDGES]
    }

    /// A node by name (panics on an unknown name: a bug in the test).
    pub fn node(&self, name: &str) -> &LabNode {
        self.nodes
            .iter()
            .find(|n| n.name == name)
            .unwrap_or_else(|| panic!("no node {name} in the lab"))
    }

    /// TCP from the first namespace to the last over the data bridge, and
    /// from the test to the last over the control bridge.
    fn probe(&self) -> Result<()> {
        let (Some(a), Some(b)) = (self.nodes.first(), self.nodes.last()) else {
            return Ok(());
        };
        let (data_ip, ctl_ip) = (b.data_ip, b.ctl_ip);
        let listeners = in_netns(&b.path(), move || {
            let data = TcpListener::bind((data_ip, 0))?;
            let ctl = TcpListener::bind((ctl_ip, 0))?;
            Ok((data, ctl))
        })?;
        let data_port = listeners.0.local_addr()?.port();
        let ctl_port = listeners.1.local_addr()?.port();
        in_netns(&a.path(), move || {
            TcpStream::connect_timeout(
                &SocketAddrV4::new(data_ip, data_port).into(),
                Duration::from_secs(3),
            )
            .with_context(|| format!("data bridge: connect to {data_ip}:{data_port}"))?;
            Ok(())
        })?;
        TcpStream::connect_timeout(
            &SocketAddrV4::new(ctl_ip, ctl_port).into(),
            Duration::from_secs(3),
        )
        .with_context(|| format!("control bridge: connect to {ctl_ip}:{ctl_port}"))?;
        Ok(())
    }

    /// Takes a node's data link down (the node keeps its control link).
    pub fn link_down(&self, name: &str) -> Result<()> {
        ip(&["link", "set", &self.node(name).data_link, "down"])?;
        Ok(())
    }

    /// Brings a node's data link up again.
    pub fn link_up(&self, name: &str) -> Result<()> {
        ip(&["link", "set", &self.node(name).data_link, "up"])?;
        Ok(())
    }

    /// Splits the data network: the nodes of `groups[g]` share data bridge
    /// `g` and reach no other group (at most three groups; nodes not named
    /// stay on bridge 0).
    pub fn partition(&self, groups: &[&[&str]]) -> Result<()> {
        if groups.len() > DATA_BRIDGES {
            bail!("at most {DATA_BRIDGES} groups");
        }
        for (g, members) in groups.iter().enumerate() {
            for m in *members {
                ip(&[
                    "link",
                    "set",
                    &self.node(m).data_link,
                    "master",
                    &self.bridges[g],
                ])?;
            }
        }
        Ok(())
    }

    /// Every data link up and on the main data bridge.
    pub fn heal(&self) -> Result<()> {
        for n in &self.nodes {
            ip(&[
                "link",
                "set",
                &n.data_link,
                "master",
                &self.bridges[0],
                "up",
            ])?;
        }
        Ok(())
    }

    /// Whether `tc` can add a `netem` qdisc here (tried on the first node's
    /// data link, then removed).
    pub fn netem_available(&self) -> Result<(), String> {
        let Some(n) = self.nodes.first() else {
            return Err("no nodes".into());
        };
        run(
            "tc",
            &[
                "-n", &n.netns, "qdisc", "add", "dev", "data", "root", "netem", "delay", "1ms",
            ],
        )
        .map_err(|e| format!("{e:#}"))?;
        let _ = run(
            "tc",
            &["-n", &n.netns, "qdisc", "del", "dev", "data", "root"],
        );
        Ok(())
    }

    /// Shapes every node's outgoing data traffic with netem (`None`: removes it).
    pub fn netem(&self, shape: Option<Shape>) -> Result<()> {
        for n in &self.nodes {
            match shape {
                Some(s) => {
                    let delay = format!("{}ms", s.delay.as_millis());
                    let jitter = format!("{}ms", s.jitter.as_millis());
                    let loss = format!("{}%", s.loss * 100.0);
                    run(
                        "tc",
                        &[
                            "-n", &n.netns, "qdisc", "replace", "dev", "data", "root", "netem",
                            "delay", &delay, &jitter, "loss", &loss,
                        ],
                    )?;
                }
                None => {
                    let _ = run(
                        "tc",
                        &["-n", &n.netns, "qdisc", "del", "dev", "data", "root"],
                    );
                }
            }
        }
        Ok(())
    }

    /// Removes everything this lab made (errors ignored: best effort).
    fn remove(&mut self) {
        for n in self.nodes.drain(..) {
            let _ = ip(&["link", "del", &n.data_link]);
            let _ = ip(&["link", "del", &n.ctl_link]);
            let _ = ip(&["netns", "del", &n.netns]);
        }
        for b in self.bridges.drain(..) {
            let _ = ip(&["link", "del", &b]);
        }
    }
}

impl Drop for Lab {
    fn drop(&mut self) {
        self.remove();
    }
}

/// A third octet for the control subnet that no address of this namespace
/// uses, starting from one derived from `pid`.
fn free_subnet(pid: u32) -> Result<u8> {
    let used = ip(&["-4", "-o", "addr", "show"])?;
    for step in 0..=255u32 {
        let k = ((pid + step) % 256) as u8;
        if !used.contains(&format!(" 10.213.{k}.")) {
            return Ok(k);
        }
    }
    bail!("no free 10.213.K.0/24 subnet")
}

/// Whether a process with this pid runs.
fn alive(pid: u32) -> bool {
    Path::new(&format!("/proc/{pid}")).exists()
}

/// The pid in a name made by a lab (`PREFIX` then digits).
fn pid_of(name: &str, prefix: &str) -> Option<u32> {
    let rest = name.strip_prefix(prefix)?;
    let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
    digits.parse().ok()
}

/// Removes namespaces, links and bridges left by lab runs whose process is gone.
pub fn sweep_leftovers() {
    if let Ok(list) = ip(&["netns", "list"]) {
        for line in list.lines() {
            let name = line.split_whitespace().next().unwrap_or_default();
            if pid_of(name, NS_PREFIX).is_some_and(|p| !alive(p)) {
                let _ = ip(&["netns", "del", name]);
            }
        }
    }
    if let Ok(list) = ip(&["-o", "link", "show"]) {
        for line in list.lines() {
            // "12: tjf123d0@if2: <...>"
            let Some(name) = line.split(": ").nth(1) else {
                continue;
            };
            let name = name.split('@').next().unwrap_or_default();
            if pid_of(name, LINK_PREFIX).is_some_and(|p| !alive(p)) {
                let _ = ip(&["link", "del", name]);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_carry_the_pid() {
        assert_eq!(pid_of("tanji-ft-1234-0", NS_PREFIX), Some(1234));
        assert_eq!(pid_of("tjf99d3", LINK_PREFIX), Some(99));
        assert_eq!(pid_of("tjfx", LINK_PREFIX), None);
        assert_eq!(pid_of("eth0", LINK_PREFIX), None);
        // The longest link name fits the kernel's 15 characters.
        assert!(format!("{LINK_PREFIX}{}d199", 4_194_304).len() <= 15);
    }
}

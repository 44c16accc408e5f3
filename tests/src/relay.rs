//! A userspace link shaper: TCP relays that the nodes' peer addresses go
//! through, adding delay, jitter and loss stalls, and cutting links.
//!
//! Each node gets one [`Relay`]: for every peer and port (consensus, p2p) a
//! listener on 127.0.0.1 that forwards to the peer's real address. The node's
//! config names the relay's ports as its peers' addresses, so every
//! connection the node dials passes its own relay, both directions. In the
//! namespace mode a node's relay runs inside the node's network namespace (a
//! thread that entered it with `setns`), so relayed traffic still crosses the
//! node's veth link and the bridge, and cutting a link cuts it; in the
//! loopback mode relays run in the test's namespace and [`Links::block`]
//! stands in for a cut link.
//!
//! Shaping ([`Shape`]) is per chunk read from a socket, separately in each
//! direction: the chunk is delivered `delay ± jitter` after it was read
//! (never before an earlier chunk: a TCP stream keeps its order). TCP cannot
//! lose bytes; what a lost segment costs a TCP connection is a retransmission
//! stall, so with probability `loss` a chunk (and everything behind it) is
//! held `stall` longer, about one retransmission timeout. Bandwidth is not
//! limited.
//!
//! A blocked link holds its bytes (the sender's socket buffers fill up, as
//! when packets vanish) until it is unblocked; a connection accepted while
//! its link is blocked waits up to [`BLOCKED_ACCEPT_WAIT`] for the link and
//! is then dropped, as a dial into a partition times out.

use std::collections::HashSet;
use std::net::{Ipv4Addr, SocketAddr, TcpListener as StdListener};
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{Context as _, Result};
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::{TcpListener, TcpStream};

use crate::netns;

/// How long a connection accepted on a blocked link waits before it is dropped.
pub const BLOCKED_ACCEPT_WAIT: Duration = Duration::from_secs(5);

/// Delay, jitter and loss added to each direction of a relayed connection.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Shape {
    /// Mean one-way delay.
    pub delay: Duration,
    /// Uniform jitter: each chunk waits `delay ± jitter`.
    pub jitter: Duration,
    /// Probability that a chunk is "lost" (0.0..=1.0).
    pub loss: f64,
    /// What a loss costs: the retransmission stall added to the chunk.
    pub stall: Duration,
}

impl Shape {
    /// 200 ms ± 50 ms one way with 2 % loss; a loss stalls the stream for
    /// 600 ms, a retransmission timeout at a 400 ms round trip (Linux: about
    /// srtt + 4·rttvar, at least 200 ms).
    pub fn wan() -> Self {
        Shape {
            delay: Duration::from_millis(200),
            jitter: Duration::from_millis(50),
            loss: 0.02,
            stall: Duration::from_millis(600),
        }
    }
}

impl std::fmt::Display for Shape {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} ms ± {} ms one way, {} % loss",
            self.delay.as_millis(),
            self.jitter.as_millis(),
            self.loss * 100.0
        )
    }
}

/// What every relay of a network shares: the shape in force and the blocked
/// links, read for every chunk, and counters.
#[derive(Debug, Default)]
pub struct Links {
    shape: Mutex<Option<Shape>>,
    blocked: Mutex<HashSet<(String, String)>>,
    /// Chunks forwarded.
    pub chunks: AtomicU64,
    /// Bytes forwarded.
    pub bytes: AtomicU64,
    /// Chunks held for a loss stall.
    pub stalls: AtomicU64,
    /// Connections accepted.
    pub connections: AtomicU64,
    /// Connections dropped because their link stayed blocked.
    pub refused: AtomicU64,
}

impl Links {
    /// A new set of links: no shaping, nothing blocked.
    pub fn new() -> Arc<Self> {
        Arc::new(Self::default())
    }

    /// Shapes every relayed connection from now on (`None`: forward at once).
    pub fn set_shape(&self, shape: Option<Shape>) {
        *self.shape.lock().expect("lock") = shape;
    }

    /// The shape in force.
    pub fn shape(&self) -> Option<Shape> {
        *self.shape.lock().expect("lock")
    }

    /// Cuts the link between nodes `a` and `b`, both ways.
    pub fn block(&self, a: &str, b: &str) {
        let mut blocked = self.blocked.lock().expect("lock");
        blocked.insert((a.to_string(), b.to_string()));
        blocked.insert((b.to_string(), a.to_string()));
    }

    /// Restores every link.
    pub fn unblock_all(&self) {
        self.blocked.lock().expect("lock").clear();
    }

    /// Whether the link from `a` to `b` is cut.
    pub fn is_blocked(&self, a: &str, b: &str) -> bool {
        self.blocked
            .lock()
            .expect("lock")
            .contains(&(a.to_string(), b.to_string()))
    }

    /// `chunks, bytes, stalls, connections, refused` for reports.
    pub fn summary(&self) -> String {
        format!(
            "{} connections, {} chunks, {} bytes, {} loss stalls, {} refused while cut",
            self.connections.load(Ordering::Relaxed),
            self.chunks.load(Ordering::Relaxed),
            self.bytes.load(Ordering::Relaxed),
            self.stalls.load(Ordering::Relaxed),
            self.refused.load(Ordering::Relaxed),
        )
    }
}

/// One relayed route: connections to the relay's port for it go to `target`.
#[derive(Clone, Debug)]
pub struct Route {
    /// The peer's name.
    pub peer: String,
    /// What the port is for (`consensus`, `p2p`), for messages.
    pub kind: String,
    /// The peer's real address.
    pub target: SocketAddr,
}

/// A node's relay: a thread (inside the node's namespace, if any) serving one
/// listener per route. Dropping it stops the thread and every connection.
pub struct Relay {
    /// The node whose outgoing connections it carries.
    pub node: String,
    /// The listening port of each route, in the order given.
    pub ports: Vec<u16>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Relay {
    /// Starts the relay of `node` with its `routes`, inside the network
    /// namespace at `netns` if given; listens on 127.0.0.1 with ports picked
    /// by the OS.
    pub fn start(
        node: &str,
        netns: Option<PathBuf>,
        routes: Vec<Route>,
        links: Arc<Links>,
    ) -> Result<Self> {
        let (ready_tx, ready_rx) = std::sync::mpsc::channel::<Result<Vec<u16>, String>>();
        let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
        let name = node.to_string();
        let thread = std::thread::Builder::new()
            .name(format!("relay-{node}"))
            .spawn(move || {
                let setup = || -> Result<(tokio::runtime::Runtime, Vec<StdListener>)> {
                    if let Some(path) = &netns {
                        netns::enter(path)?;
                    }
                    let rt = tokio::runtime::Builder::new_current_thread()
                        .enable_all()
                        .build()?;
                    let listeners = routes
                        .iter()
                        .map(|_| {
                            let l = StdListener::bind((Ipv4Addr::LOCALHOST, 0))?;
                            l.set_nonblocking(true)?;
                            Ok(l)
                        })
                        .collect::<Result<Vec<_>>>()?;
                    Ok((rt, listeners))
                };
                let (rt, listeners) = match setup() {
                    Ok(x) => x,
                    Err(e) => {
                        let _ = ready_tx.send(Err(format!("{e:#}")));
                        return;
                    }
                };
                let ports = listeners
                    .iter()
                    .map(|l| l.local_addr().map(|a| a.port()).unwrap_or(0))
                    .collect();
                let _ = ready_tx.send(Ok(ports));
                rt.block_on(async move {
                    for (l, route) in listeners.into_iter().zip(routes) {
                        let Ok(l) = TcpListener::from_std(l) else {
                            continue;
                        };
                        tokio::spawn(serve(l, name.clone(), route, links.clone()));
                    }
                    let _ = stop_rx.await;
                });
                // Dropping the runtime cancels every connection task.
            })?;
        let ports = ready_rx
            .recv()
            .context("the relay thread ended before listening")?
            .map_err(|e| anyhow::anyhow!("relay of {node}: {e}"))?;
        Ok(Relay {
            node: node.to_string(),
            ports,
            stop: Some(stop_tx),
            thread: Some(thread),
        })
    }
}

impl Drop for Relay {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

async fn serve(listener: TcpListener, node: String, route: Route, links: Arc<Links>) {
    loop {
        let Ok((inbound, _)) = listener.accept().await else {
            tokio::time::sleep(Duration::from_millis(50)).await;
            continue;
        };
        links.connections.fetch_add(1, Ordering::Relaxed);
        let (node, route, links) = (node.clone(), route.clone(), links.clone());
        tokio::spawn(async move {
            // A dial into a cut link: wait a while for it, then give up.
            let deadline = Instant::now() + BLOCKED_ACCEPT_WAIT;
            while links.is_blocked(&node, &route.peer) {
                if Instant::now() > deadline {
                    links.refused.fetch_add(1, Ordering::Relaxed);
                    return;
                }
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            let Ok(Ok(outbound)) =
                tokio::time::timeout(Duration::from_secs(10), TcpStream::connect(route.target))
                    .await
            else {
                return;
            };
            let _ = inbound.set_nodelay(true);
            let _ = outbound.set_nodelay(true);
            let (in_r, in_w) = inbound.into_split();
            let (out_r, out_w) = outbound.into_split();
            let seed = links.connections.load(Ordering::Relaxed);
            let forth = pump(
                in_r,
                out_w,
                (node.clone(), route.peer.clone()),
                links.clone(),
                seed,
            );
            let back = pump(
                out_r,
                in_w,
                (route.peer.clone(), node.clone()),
                links.clone(),
                seed ^ 0x9e37_79b9,
            );
            tokio::join!(forth, back);
        });
    }
}

/// Copies one direction, delaying each chunk as the shape in force says and
/// holding it while the link is blocked.
async fn pump(
    mut from: tokio::net::tcp::OwnedReadHalf,
    mut to: tokio::net::tcp::OwnedWriteHalf,
    link: (String, String),
    links: Arc<Links>,
    seed: u64,
) {
    // Chunks in flight, with the time each is due; bounded, so a stalled
    // writer stops the reader and the sender's buffers fill.
    let (tx, mut rx) = tokio::sync::mpsc::channel::<(Instant, Vec<u8>)>(64);
    let reader_links = links.clone();
    let reader = async move {
        let mut rng = crate::Rng::seeded(
            seed ^ std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_nanos() as u64)
                .unwrap_or(1),
        );
        let mut last_due = Instant::now();
        loop {
            let mut buf = vec![0u8; 16 * 1024];
            let n = match from.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => n,
            };
            buf.truncate(n);
            let now = Instant::now();
            let mut due = now;
            if let Some(s) = reader_links.shape() {
                let jitter = s.jitter.as_micros() as u64;
                let wait = s.delay.as_micros() as u64 + rng.range(0, 2 * jitter + 1);
                due = now + Duration::from_micros(wait.saturating_sub(jitter));
                let roll = rng.next_u64() as f64 / u64::MAX as f64;
                if roll < s.loss {
                    reader_links.stalls.fetch_add(1, Ordering::Relaxed);
                    due += s.stall;
                }
            }
            due = due.max(last_due);
            last_due = due;
            if tx.send((due, buf)).await.is_err() {
                break;
            }
        }
    };
    let writer = async move {
        while let Some((due, buf)) = rx.recv().await {
            tokio::time::sleep_until(due.into()).await;
            while links.is_blocked(&link.0, &link.1) {
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            if to.write_all(&buf).await.is_err() {
                return;
            }
            links.chunks.fetch_add(1, Ordering::Relaxed);
            links.bytes.fetch_add(buf.len() as u64, Ordering::Relaxed);
        }
        let _ = to.shutdown().await;
    };
    tokio::join!(reader, writer);
}

//! The Tanji swarm with real swarms in-process on 127.0.0.1 (ports chosen by
//! the OS). No timing assertions: every wait is for an event, with a generous
//! timeout.

use std::collections::HashSet;
use std::io;
use std::time::Duration;

use async_trait::async_trait;
use futures::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use futures::StreamExt;
use libp2p::multiaddr::Protocol;
use libp2p::request_response::{self, ProtocolSupport};
use libp2p::swarm::SwarmEvent;
use libp2p::{noise, tcp, yamux, StreamProtocol, Swarm, SwarmBuilder};
use tanji_ledger::crypto::SecretKey;
use tanji_node::p2p::codec::{decode, SYNC_PROTOCOL};
use tanji_node::p2p::{
    keypair_from_seed, peer_id_of, Multiaddr, P2p, P2pConfig, P2pError, P2pEvent, P2pHandle,
    PeerId, RateLimit, SyncRequest, SyncResponse, Topic, Verdict,
};
use tokio::sync::mpsc;

const WAIT: Duration = Duration::from_secs(60);

struct Node {
    handle: P2pHandle,
    events: mpsc::Receiver<P2pEvent>,
    peer: PeerId,
    /// Listen address with the `/p2p/` suffix.
    addr: Multiaddr,
}

fn node_key(seed: u8) -> SecretKey {
    SecretKey::from_seed(&[seed; 32])
}

/// The PeerId of test node `seed`, computed the way nodes compute it from the
/// ledger's registered node keys.
fn pid(seed: u8) -> PeerId {
    peer_id_of(&node_key(seed).public()).unwrap()
}

fn config(seed: u8, allowed: &[u8]) -> P2pConfig {
    let mut c = P2pConfig::new(keypair_from_seed(&node_key(seed).seed()), "testnet");
    c.listen = vec!["/ip4/127.0.0.1/tcp/0".parse().unwrap()];
    c.allowed = allowed.iter().map(|&s| pid(s)).collect();
    c.heartbeat_interval = Duration::from_millis(200);
    c.redial_initial = Duration::from_millis(200);
    c.redial_max = Duration::from_secs(1);
    c.reconnect_grace = Duration::from_millis(500);
    c
}

fn with_bootstrap(mut c: P2pConfig, peers: &[&Node]) -> P2pConfig {
    c.bootstrap = peers.iter().map(|n| n.addr.clone()).collect();
    c
}

async fn start(config: P2pConfig) -> Node {
    let peer = config.peer_id();
    let (handle, mut events) = P2p::start(config).unwrap();
    assert_eq!(handle.local_peer_id(), peer);
    let addr = wait_for(&mut events, "listening", |e| match e {
        P2pEvent::Listening(a) => Some(a),
        _ => None,
    })
    .await;
    Node {
        handle,
        events,
        peer,
        addr: addr.with(Protocol::P2p(peer)),
    }
}

/// Waits for the first event for which `f` returns `Some`, dropping others.
async fn wait_for<T>(
    events: &mut mpsc::Receiver<P2pEvent>,
    what: &str,
    mut f: impl FnMut(P2pEvent) -> Option<T>,
) -> T {
    let fut = async {
        loop {
            match events.recv().await {
                Some(e) => {
                    if let Some(t) = f(e) {
                        return t;
                    }
                }
                None => panic!("event channel closed while waiting for {what}"),
            }
        }
    };
    tokio::time::timeout(WAIT, fut)
        .await
        .unwrap_or_else(|_| panic!("timed out waiting for {what}"))
}

async fn wait_connected(node: &mut Node, peers: &[PeerId]) {
    let mut missing: HashSet<PeerId> = peers.iter().copied().collect();
    for p in node.handle.peers().await.unwrap() {
        missing.remove(&p);
    }
    if missing.is_empty() {
        return;
    }
    wait_for(&mut node.events, "peers connected", |e| match e {
        P2pEvent::PeerConnected(p) => {
            missing.remove(&p);
            missing.is_empty().then_some(())
        }
        _ => None,
    })
    .await;
}

/// Polls until `cond` holds (for state that has no event, e.g. the mesh).
async fn eventually<F, Fut>(what: &str, mut cond: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let fut = async {
        while !cond().await {
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    };
    tokio::time::timeout(WAIT, fut)
        .await
        .unwrap_or_else(|_| panic!("timed out waiting for {what}"));
}

/// Publishes, retrying while no peer has subscribed yet.
async fn publish(node: &Node, topic: Topic, data: &[u8]) {
    let fut = async {
        loop {
            match node.handle.publish(topic, data.to_vec()).await {
                Ok(_) => return,
                Err(P2pError::NoSubscribers) => {
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
                Err(e) => panic!("publish failed: {e}"),
            }
        }
    };
    tokio::time::timeout(WAIT, fut)
        .await
        .expect("publish timed out");
}

fn drain(events: &mut mpsc::Receiver<P2pEvent>) -> Vec<P2pEvent> {
    let mut out = Vec::new();
    while let Ok(e) = events.try_recv() {
        out.push(e);
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn p2p_gossip_delivered_with_source_and_forwarded_only_after_accept() {
    // Line topology A - B - C: A and C do not know each other.
    let mut b = start(config(2, &[1, 3])).await;
    let mut a = start(with_bootstrap(config(1, &[2]), &[&b])).await;
    let mut c = start(with_bootstrap(config(3, &[2]), &[&b])).await;
    wait_connected(&mut b, &[a.peer, c.peer]).await;
    wait_connected(&mut a, &[b.peer]).await;
    wait_connected(&mut c, &[b.peer]).await;
    let (bh, cp) = (b.handle.clone(), c.peer);
    eventually("C in B's mesh", || {
        let bh = bh.clone();
        async move {
            bh.mesh_peers(Topic::Transactions)
                .await
                .unwrap()
                .contains(&cp)
        }
    })
    .await;

    let data = b"a signed transaction".to_vec();
    publish(&a, Topic::Transactions, &data).await;

    let (id, source, origin) = wait_for(&mut b.events, "gossip at B", |e| match e {
        P2pEvent::Gossip {
            topic: Topic::Transactions,
            id,
            source,
            origin,
            data: d,
        } if d == data => Some((id, source, origin)),
        _ => None,
    })
    .await;
    assert_eq!(source, a.peer);
    assert_eq!(origin, Some(a.peer));
    assert_eq!(
        id.0,
        blake3::hash(&data).as_bytes().to_vec(),
        "id is BLAKE3 of the data"
    );

    // Not forwarded while B has not validated it (several heartbeats pass).
    tokio::time::sleep(Duration::from_secs(1)).await;
    assert!(
        !drain(&mut c.events)
            .iter()
            .any(|e| matches!(e, P2pEvent::Gossip { .. })),
        "C got the message before B accepted it"
    );

    assert!(b.handle.report(id, source, Verdict::Accept).await.unwrap());
    let (source, origin) = wait_for(&mut c.events, "gossip at C", |e| match e {
        P2pEvent::Gossip {
            source,
            origin,
            data: d,
            ..
        } if d == data => Some((source, origin)),
        _ => None,
    })
    .await;
    assert_eq!(source, b.peer, "C got it from B");
    assert_eq!(origin, Some(a.peer), "A is still the author");
    assert_eq!(b.handle.stats().gossip_accepted, 1);
    assert!(a.handle.stats().gossip_published >= 1);

    for n in [&a, &b, &c] {
        n.handle.shutdown().await.unwrap();
    }
    assert!(matches!(a.handle.peers().await, Err(P2pError::Closed)));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn p2p_unregistered_peer_is_denied_until_allowed_and_dropped_when_removed() {
    let mut a = start(config(1, &[2])).await;
    let mut b = start(with_bootstrap(config(2, &[1]), &[&a])).await;
    wait_connected(&mut a, &[b.peer]).await;
    wait_connected(&mut b, &[a.peer]).await;

    // X (seed 9) is not registered; it dials A.
    let mut x = start(with_bootstrap(config(9, &[1]), &[&a])).await;
    let xp = x.peer;
    wait_for(&mut a.events, "X denied", |e| match e {
        P2pEvent::PeerConnected(p) if p == xp => panic!("unregistered peer connected"),
        P2pEvent::ConnectionDenied(p) if p == xp => Some(()),
        _ => None,
    })
    .await;
    assert!(a.handle.stats().denied_connections >= 1);
    assert!(!a.handle.peers().await.unwrap().contains(&xp));

    // Gossip from A reaches B but not X.
    let data = b"for registered nodes only".to_vec();
    publish(&a, Topic::Checkpoints, &data).await;
    wait_for(&mut b.events, "gossip at B", |e| match e {
        P2pEvent::Gossip { data: d, .. } if d == data => Some(()),
        _ => None,
    })
    .await;
    for e in drain(&mut x.events) {
        assert!(!matches!(e, P2pEvent::Gossip { .. }), "X got gossip: {e:?}");
    }
    assert_eq!(x.handle.stats().gossip_received, 0);

    // Registered: X gets in (it keeps redialing with backoff).
    a.handle
        .set_allowed([b.peer, xp].into_iter().collect())
        .await
        .unwrap();
    wait_connected(&mut a, &[xp]).await;

    // Removed again: disconnected.
    a.handle
        .set_allowed([b.peer].into_iter().collect())
        .await
        .unwrap();
    wait_for(&mut a.events, "X disconnected", |e| match e {
        P2pEvent::PeerDisconnected(p) if p == xp => Some(()),
        _ => None,
    })
    .await;
    assert!(!a.handle.peers().await.unwrap().contains(&xp));
    assert!(a.handle.peers().await.unwrap().contains(&b.peer));
}

/// A node that comes back under the same key while its peer still holds the
/// old instance's connection (it crashed without closing it, or the link
/// was cut): gossipsub sends its subscriptions to a peer only on the first
/// connection, so without the gate's reset the new instance would never
/// learn that its peer is subscribed, and its gossip would go nowhere.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn p2p_peer_back_under_the_same_key_learns_subscriptions_again() {
    let mut a = start(config(1, &[2])).await;
    let mut b1_config = with_bootstrap(config(2, &[1]), &[&a]);
    // The old instance stands for a dead one: it does not redial in time.
    b1_config.redial_initial = Duration::from_secs(30);
    b1_config.redial_max = Duration::from_secs(60);
    let mut b1 = start(b1_config).await;
    wait_connected(&mut a, &[b1.peer]).await;
    wait_connected(&mut b1, &[a.peer]).await;
    publish(&b1, Topic::Transactions, b"from the first instance").await;
    wait_for(
        &mut a.events,
        "gossip from the first instance",
        |e| match e {
            P2pEvent::Gossip { data, .. } if data == b"from the first instance" => Some(()),
            _ => None,
        },
    )
    .await;
    // The old connection is older than the reconnect grace.
    tokio::time::sleep(Duration::from_millis(1500)).await;

    // B is back under the same key while A still holds B1's connection.
    let mut b2 = start(with_bootstrap(config(2, &[1]), &[&a])).await;
    wait_connected(&mut b2, &[a.peer]).await;
    b1.handle.shutdown().await.unwrap();

    // The new instance knows A's subscriptions: its gossip reaches A, and
    // A's reaches it.
    publish(&b2, Topic::Transactions, b"from the second instance").await;
    wait_for(
        &mut a.events,
        "gossip from the second instance",
        |e| match e {
            P2pEvent::Gossip { data, .. } if data == b"from the second instance" => Some(()),
            _ => None,
        },
    )
    .await;
    publish(&a, Topic::Checkpoints, b"to the second instance").await;
    wait_for(
        &mut b2.events,
        "gossip at the second instance",
        |e| match e {
            P2pEvent::Gossip { data, .. } if data == b"to the second instance" => Some(()),
            _ => None,
        },
    )
    .await;
}

/// Gossip published before any peer has subscribed (right after start) is
/// held by the swarm and published when a peer subscribes, not dropped.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn p2p_gossip_published_before_any_peer_is_held_until_one_subscribes() {
    let a = start(config(1, &[2])).await;
    let err = a
        .handle
        .publish(Topic::Transactions, b"dropped".to_vec())
        .await
        .unwrap_err();
    assert!(matches!(err, P2pError::NoSubscribers), "{err}");
    let held = a
        .handle
        .publish_or_hold(Topic::Transactions, b"early".to_vec())
        .await
        .unwrap();
    assert!(held.is_none(), "no peer yet: held");

    let mut b = start(with_bootstrap(config(2, &[1]), &[&a])).await;
    wait_for(&mut b.events, "held gossip", |e| match e {
        P2pEvent::Gossip { data, .. } if data == b"early" => Some(()),
        _ => None,
    })
    .await;
    // With a subscriber, it is published at once.
    let id = a
        .handle
        .publish_or_hold(Topic::Transactions, b"later".to_vec())
        .await
        .unwrap();
    assert!(id.is_some());
    wait_for(&mut b.events, "gossip", |e| match e {
        P2pEvent::Gossip { data, .. } if data == b"later" => Some(()),
        _ => None,
    })
    .await;
}

/// Answers sync requests like a node with a log of `u64`s.
fn spawn_responder(mut events: mpsc::Receiver<P2pEvent>) {
    tokio::spawn(async move {
        while let Some(e) = events.recv().await {
            if let P2pEvent::SyncRequest { request, reply, .. } = e {
                let response = match request {
                    SyncRequest::Entries { start, end } => SyncResponse::Entries(
                        (start..end.min(start + 2000))
                            .map(|i| i.to_le_bytes().to_vec())
                            .collect(),
                    ),
                    SyncRequest::Checkpoint { size } => {
                        SyncResponse::Checkpoint(Some(format!("checkpoint {size:?}")))
                    }
                    SyncRequest::Consistency { from, to } => {
                        SyncResponse::Consistency(vec![[from as u8; 32], [to as u8; 32]])
                    }
                    SyncRequest::Status => SyncResponse::Status {
                        size: 42,
                        root: [7; 32],
                        checkpoint: Some("latest".into()),
                    },
                };
                reply.send(response);
            }
        }
    });
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn p2p_range_sync_round_trip() {
    let server = start(config(1, &[2])).await;
    let mut client = start(with_bootstrap(config(2, &[1]), &[&server])).await;
    wait_connected(&mut client, &[server.peer]).await;
    let (sh, sp) = (server.handle.clone(), server.peer);
    spawn_responder(server.events);

    let c = &client.handle;
    let got = c
        .request(sp, SyncRequest::Entries { start: 3, end: 6 })
        .await
        .unwrap();
    assert_eq!(
        got,
        SyncResponse::Entries(vec![
            3u64.to_le_bytes().to_vec(),
            4u64.to_le_bytes().to_vec(),
            5u64.to_le_bytes().to_vec()
        ])
    );
    let got = c
        .request(
            sp,
            SyncRequest::Entries {
                start: 0,
                end: 1000,
            },
        )
        .await
        .unwrap();
    assert!(matches!(got, SyncResponse::Entries(v) if v.len() == 1000));
    let got = c
        .request(sp, SyncRequest::Checkpoint { size: Some(9) })
        .await
        .unwrap();
    assert_eq!(
        got,
        SyncResponse::Checkpoint(Some("checkpoint Some(9)".into()))
    );
    let got = c
        .request(sp, SyncRequest::Consistency { from: 1, to: 2 })
        .await
        .unwrap();
    assert_eq!(got, SyncResponse::Consistency(vec![[1; 32], [2; 32]]));
    let got = c.request(sp, SyncRequest::Status).await.unwrap();
    assert_eq!(
        got,
        SyncResponse::Status {
            size: 42,
            root: [7; 32],
            checkpoint: Some("latest".into())
        }
    );

    // Outside the protocol's limits: refused locally.
    let err = c
        .request(
            sp,
            SyncRequest::Entries {
                start: 0,
                end: 5000,
            },
        )
        .await
        .unwrap_err();
    assert!(matches!(err, P2pError::InvalidRequest(_)), "{err}");

    // A peer we are not connected to: a clean error, no dial.
    let stranger = pid(77);
    let err = c.request(stranger, SyncRequest::Status).await.unwrap_err();
    assert!(
        matches!(err, P2pError::NotConnected(p) if p == stranger),
        "{err}"
    );

    let s = sh.stats();
    assert_eq!(s.sync_requests_received, 5);
    assert_eq!(s.penalty_points, 0);
    assert_eq!(client.handle.stats().sync_requests_sent, 5);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn p2p_unanswered_sync_request_gets_an_error_response() {
    let mut server = start(config(1, &[2])).await;
    let mut client = start(with_bootstrap(config(2, &[1]), &[&server])).await;
    wait_connected(&mut client, &[server.peer]).await;
    let sp = server.peer;
    let ch = client.handle.clone();
    let req = tokio::spawn(async move { ch.request(sp, SyncRequest::Status).await });
    // The application drops the reply without answering.
    wait_for(&mut server.events, "sync request", |e| match e {
        P2pEvent::SyncRequest { reply, .. } => {
            drop(reply);
            Some(())
        }
        _ => None,
    })
    .await;
    let got = req.await.unwrap().unwrap();
    assert!(matches!(got, SyncResponse::Error(_)), "{got:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn p2p_sync_rate_limit_answers_errors_and_penalises() {
    let mut cfg = config(1, &[2]);
    // Three requests, then nothing (no refill): deterministic.
    cfg.sync_rate = RateLimit {
        per_second: 0,
        burst: 3,
    };
    cfg.penalty_threshold = 1000;
    let server = start(cfg).await;
    let mut client = start(with_bootstrap(config(2, &[1]), &[&server])).await;
    wait_connected(&mut client, &[server.peer]).await;
    let (sh, sp) = (server.handle.clone(), server.peer);
    spawn_responder(server.events);

    let mut ok = 0;
    let mut limited = 0;
    for _ in 0..10 {
        match client
            .handle
            .request(sp, SyncRequest::Status)
            .await
            .unwrap()
        {
            SyncResponse::Status { .. } => ok += 1,
            SyncResponse::Error(e) => {
                assert!(e.contains("rate limited"), "{e}");
                limited += 1;
            }
            other => panic!("unexpected {other:?}"),
        }
    }
    assert_eq!((ok, limited), (3, 7));
    let s = sh.stats();
    assert_eq!(s.rate_limited, 7);
    assert_eq!(s.penalty_points, 7);
    assert_eq!(s.bans, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn p2p_invalid_requests_and_rate_breaches_lead_to_a_ban() {
    let mut cfg = config(1, &[2]);
    cfg.sync_rate = RateLimit {
        per_second: 0,
        burst: 1,
    };
    let mut server = start(cfg).await; // default threshold: 10 points
    let mut client = start(with_bootstrap(config(2, &[1]), &[&server])).await;
    wait_connected(&mut client, &[server.peer]).await;
    let sp = server.peer;
    let cp = client.peer;
    let ch = client.handle.clone();
    tokio::spawn(async move {
        // 1 allowed (dropped unanswered by the waiting loop below), then 1
        // point per request until 10.
        for _ in 0..20 {
            if ch.request(sp, SyncRequest::Status).await.is_err() {
                break;
            }
        }
    });
    wait_for(&mut server.events, "client banned", |e| match e {
        P2pEvent::Banned(p) if p == cp => Some(()),
        _ => None,
    })
    .await;
    assert_eq!(server.handle.stats().bans, 1);
    wait_for(
        &mut client.events,
        "disconnected by the server",
        |e| match e {
            P2pEvent::PeerDisconnected(p) if p == sp => Some(()),
            _ => None,
        },
    )
    .await;
    // It redials and is denied while banned.
    wait_for(&mut server.events, "banned client denied", |e| match e {
        P2pEvent::PeerConnected(p) if p == cp => panic!("banned peer reconnected"),
        P2pEvent::ConnectionDenied(p) if p == cp => Some(()),
        _ => None,
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn p2p_oversized_gossip_is_not_delivered() {
    let mut big = config(1, &[2]);
    big.max_gossip_size = 4 * 1024 * 1024; // a misconfigured or hostile sender
    let a = start(big).await;
    let mut b = start(with_bootstrap(config(2, &[1]), &[&a])).await; // default 256 KiB
    wait_connected(&mut b, &[a.peer]).await;

    // The limit is enforced when publishing.
    let err = b
        .handle
        .publish(Topic::Transactions, vec![0; 256 * 1024 + 1])
        .await
        .unwrap_err();
    assert!(matches!(err, P2pError::Publish(_)), "{err}");

    // Just over the payload limit (the frame still fits gossipsub's transmit
    // limit): rejected by B, and A is penalised. A small message published
    // after it on the same connection arrives; the big one never does.
    let over = vec![0xAB; 256 * 1024 + 100];
    publish(&a, Topic::Transactions, &over).await;
    publish(&a, Topic::Transactions, b"small").await;
    wait_for(&mut b.events, "small gossip", |e| match e {
        P2pEvent::Gossip { data, .. } => {
            assert_eq!(data, b"small".to_vec(), "oversized gossip delivered");
            Some(())
        }
        _ => None,
    })
    .await;
    let s = b.handle.stats();
    assert_eq!((s.gossip_received, s.gossip_rejected), (2, 1));
    assert_eq!(s.penalty_points, 3);

    // Far over: the frame exceeds gossipsub's transmit limit and B's codec
    // drops it before it is even a message.
    let huge = vec![0xCD; 2 * 1024 * 1024];
    publish(&a, Topic::Transactions, &huge).await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    for e in drain(&mut b.events) {
        assert!(!matches!(e, P2pEvent::Gossip { .. }), "unexpected {e:?}");
    }
    assert_eq!(b.handle.stats().gossip_received, 2);
}

// ---------------------------------------------------------------------------
// A raw client: the same transport, but it writes arbitrary bytes on
// `/tanji/sync/1`.

#[derive(Clone, Default)]
struct RawCodec;

#[async_trait]
impl request_response::Codec for RawCodec {
    type Protocol = StreamProtocol;
    type Request = Vec<u8>;
    type Response = Vec<u8>;

    async fn read_request<T: AsyncRead + Unpin + Send>(
        &mut self,
        _: &StreamProtocol,
        _: &mut T,
    ) -> io::Result<Vec<u8>> {
        Err(io::Error::other("raw client serves nothing"))
    }

    async fn read_response<T: AsyncRead + Unpin + Send>(
        &mut self,
        _: &StreamProtocol,
        io: &mut T,
    ) -> io::Result<Vec<u8>> {
        let mut buf = Vec::new();
        io.take(1 << 20).read_to_end(&mut buf).await?;
        if buf.is_empty() {
            return Err(io::Error::new(io::ErrorKind::UnexpectedEof, "no response"));
        }
        Ok(buf)
    }

    async fn write_request<T: AsyncWrite + Unpin + Send>(
        &mut self,
        _: &StreamProtocol,
        io: &mut T,
        req: Vec<u8>,
    ) -> io::Result<()> {
        io.write_all(&req).await
    }

    async fn write_response<T: AsyncWrite + Unpin + Send>(
        &mut self,
        _: &StreamProtocol,
        _: &mut T,
        _: Vec<u8>,
    ) -> io::Result<()> {
        Err(io::Error::other("raw client serves nothing"))
    }
}

type RawSwarm = Swarm<request_response::Behaviour<RawCodec>>;

fn raw_client(seed: u8) -> RawSwarm {
    SwarmBuilder::with_existing_identity(keypair_from_seed(&node_key(seed).seed()))
        .with_tokio()
        .with_tcp(
            tcp::Config::default(),
            noise::Config::new,
            yamux::Config::default,
        )
        .unwrap()
        .with_behaviour(|_| {
            request_response::Behaviour::with_codec(
                RawCodec,
                [(SYNC_PROTOCOL, ProtocolSupport::Outbound)],
                request_response::Config::default().with_request_timeout(Duration::from_secs(20)),
            )
        })
        .unwrap()
        .with_swarm_config(|c| c.with_idle_connection_timeout(Duration::from_secs(60)))
        .build()
}

/// Dials and waits until connected; false if the connection was refused or
/// closed instead.
async fn raw_connect(swarm: &mut RawSwarm, addr: &Multiaddr) -> bool {
    swarm.dial(addr.clone()).unwrap();
    let fut = async {
        loop {
            match swarm.select_next_some().await {
                SwarmEvent::ConnectionEstablished { .. } => return true,
                SwarmEvent::OutgoingConnectionError { .. } => return false,
                _ => {}
            }
        }
    };
    tokio::time::timeout(WAIT, fut)
        .await
        .expect("raw dial timed out")
}

/// Sends raw bytes and drives the swarm until the request ends.
async fn raw_request(
    swarm: &mut RawSwarm,
    peer: PeerId,
    bytes: Vec<u8>,
) -> Result<Vec<u8>, String> {
    let id = swarm.behaviour_mut().send_request(&peer, bytes);
    let fut = async {
        loop {
            match swarm.select_next_some().await {
                SwarmEvent::Behaviour(request_response::Event::Message {
                    message:
                        request_response::Message::Response {
                            request_id,
                            response,
                        },
                    ..
                }) if request_id == id => return Ok(response),
                SwarmEvent::Behaviour(request_response::Event::OutboundFailure {
                    request_id,
                    error,
                    ..
                }) if request_id == id => return Err(error.to_string()),
                _ => {}
            }
        }
    };
    tokio::time::timeout(WAIT, fut)
        .await
        .expect("raw request timed out")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn p2p_malformed_sync_requests_get_errors_and_a_ban() {
    let mut server = start(config(1, &[5])).await;
    let sp = server.peer;
    let mut raw = raw_client(5);
    let rp = *raw.local_peer_id();
    assert_eq!(rp, pid(5));
    assert!(raw_connect(&mut raw, &server.addr).await);

    // An unknown message variant: answered with an error (5 points).
    let res = raw_request(&mut raw, sp, vec![0, 0, 0, 3, 0x77, 1, 2])
        .await
        .unwrap();
    let res: SyncResponse = decode(&res[4..]).unwrap();
    assert!(
        matches!(&res, SyncResponse::Error(e) if e.contains("malformed")),
        "{res:?}"
    );
    // A frame announcing 4 GiB (5 points: 10 = ban). The body is never read;
    // the answer is an error, or the connection closes first.
    let res = raw_request(&mut raw, sp, vec![0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0]).await;
    if let Ok(bytes) = res {
        let res: SyncResponse = decode(&bytes[4..]).unwrap();
        assert!(
            matches!(&res, SyncResponse::Error(e) if e.contains("larger")),
            "{res:?}"
        );
    }

    wait_for(&mut server.events, "raw client banned", |e| match e {
        P2pEvent::Banned(p) if p == rp => Some(()),
        _ => None,
    })
    .await;
    let s = server.handle.stats();
    assert_eq!(s.malformed, 2);
    assert_eq!(s.bans, 1);
    assert!(!server.handle.peers().await.unwrap().contains(&rp));

    // Further dials are denied at the gate.
    let _ = raw_connect(&mut raw, &server.addr).await;
    wait_for(
        &mut server.events,
        "banned raw client denied",
        |e| match e {
            P2pEvent::PeerConnected(p) if p == rp => panic!("banned peer connected"),
            P2pEvent::ConnectionDenied(p) if p == rp => Some(()),
            _ => None,
        },
    )
    .await;
    // And if it got a connection up on its side, it cannot use it.
    if raw.is_connected(&sp) {
        let res = raw_request(&mut raw, sp, vec![0, 0, 0, 1, 3]).await;
        assert!(res.is_err(), "{res:?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn p2p_start_errors() {
    let mut c = config(1, &[]);
    c.network = "a/b".into();
    assert!(matches!(P2p::start(c), Err(P2pError::Config(_))));
    let mut c = config(1, &[]);
    c.listen = vec!["/dns4/example.invalid/tcp/1".parse().unwrap()];
    assert!(matches!(P2p::start(c), Err(P2pError::Listen { .. })));
}

#[test]
fn p2p_start_outside_runtime_fails() {
    assert!(matches!(
        P2p::start(config(1, &[])),
        Err(P2pError::NoRuntime)
    ));
}

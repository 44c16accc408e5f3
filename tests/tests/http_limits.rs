//! The HTTP API under abuse, against real `tanji-node dev` processes: a
//! client that floods gets 429 with `Retry-After` while another client is
//! served; a client that holds many idle or slow-loris connections is cut
//! off while another is served; a body that does not arrive gets 408; a
//! kept-alive connection that idles is closed.
//!
//! Clients are told apart by source address: on Linux every 127.0.0.0/8
//! address is the loopback, so the attacker binds 127.0.0.2 and the victim
//! 127.0.0.3, and the nodes run with `--http-unlimited none` so that
//! loopback clients are limited like any other. Every wait is bounded; no
//! assertion is about how long something took.

use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use tanji_tests::{block_on, DevNode};
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::{TcpSocket, TcpStream};
use tokio::task::JoinSet;
use tokio::time::{sleep, timeout, Instant};

const ATTACKER: [u8; 4] = [127, 0, 0, 2];
const VICTIM: [u8; 4] = [127, 0, 0, 3];
const OTHER: [u8; 4] = [127, 0, 0, 4];

/// Longest any one wait in these tests may last.
const PATIENCE: Duration = Duration::from_secs(30);

fn node_addr(node: &DevNode) -> SocketAddr {
    node.url
        .strip_prefix("http://")
        .and_then(|a| a.parse().ok())
        .unwrap_or_else(|| panic!("node URL {}", node.url))
}

/// An HTTP client whose connections come from `src`.
fn client_from(src: [u8; 4]) -> reqwest::Client {
    reqwest::Client::builder()
        .local_address(IpAddr::from(src))
        .timeout(PATIENCE)
        .build()
        .expect("HTTP client")
}

/// A TCP connection from `src` to `to`.
async fn connect_from(src: [u8; 4], to: SocketAddr) -> TcpStream {
    let socket = TcpSocket::new_v4().expect("socket");
    socket
        .bind(SocketAddr::from((src, 0)))
        .unwrap_or_else(|e| panic!("binding {src:?}: {e}"));
    socket.connect(to).await.expect("connect")
}

/// Reads what the server sends until it closes the connection, or
/// [`PATIENCE`] passes: the bytes, and whether it closed.
async fn read_until_closed(stream: &mut TcpStream) -> (Vec<u8>, bool) {
    let deadline = Instant::now() + PATIENCE;
    let mut out = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        match tokio::time::timeout_at(deadline, stream.read(&mut buf)).await {
            Ok(Ok(0)) | Ok(Err(_)) => return (out, true),
            Ok(Ok(n)) => out.extend_from_slice(&buf[..n]),
            Err(_) => return (out, false),
        }
    }
}

/// GET `path` as the victim: its status.
async fn victim_get(url: &str, path: &str) -> u16 {
    client_from(VICTIM)
        .get(format!("{url}{path}"))
        .send()
        .await
        .unwrap_or_else(|e| panic!("victim GET {path}: {e}"))
        .status()
        .as_u16()
}

#[test]
fn a_flooding_client_gets_429_with_retry_after_while_another_is_served() {
    let dir = tempfile::tempdir().expect("tempdir");
    // One request per second sustained, 20 at once: a flood of 400 requests
    // cannot stay within it unless it takes over six minutes.
    let node = DevNode::start(
        dir.path(),
        &[
            "--http-unlimited",
            "none",
            "--http-rate",
            "1",
            "--http-burst",
            "20",
        ],
    )
    .expect("node");
    let url = node.url.clone();
    block_on(async move {
        let attacker = client_from(ATTACKER);
        let mut flood = JoinSet::new();
        for _ in 0..8 {
            let (attacker, url) = (attacker.clone(), url.clone());
            flood.spawn(async move {
                let mut seen = Vec::new();
                for _ in 0..50 {
                    let resp = attacker
                        .get(format!("{url}/health"))
                        .send()
                        .await
                        .expect("attacker GET");
                    let status = resp.status().as_u16();
                    let retry = resp
                        .headers()
                        .get("retry-after")
                        .and_then(|v| v.to_str().ok())
                        .map(str::to_string);
                    let body: serde_json::Value = resp.json().await.unwrap_or_default();
                    seen.push((status, retry, body));
                }
                seen
            });
        }
        // The victim, during the flood: well within its own allowance.
        for _ in 0..10 {
            assert_eq!(
                victim_get(&url, "/health").await,
                200,
                "the victim is served"
            );
            sleep(Duration::from_millis(20)).await;
        }
        let mut answers = Vec::new();
        while let Some(part) = flood.join_next().await {
            answers.extend(part.expect("flood task"));
        }
        let ok = answers.iter().filter(|(s, _, _)| *s == 200).count();
        let limited: Vec<_> = answers.iter().filter(|(s, _, _)| *s == 429).collect();
        println!(
            "flood: {} answers, {ok} served, {} refused with 429",
            answers.len(),
            limited.len()
        );
        assert_eq!(ok + limited.len(), answers.len(), "only 200 and 429");
        assert!(ok >= 20, "the burst was served ({ok})");
        assert!(
            limited.len() >= 300,
            "most of the flood was refused ({})",
            limited.len()
        );
        for (_, retry, body) in &limited {
            let secs: u64 = retry
                .as_deref()
                .and_then(|r| r.parse().ok())
                .expect("Retry-After in seconds");
            assert!(secs >= 1, "Retry-After {secs}");
            assert_eq!(body["error"]["code"], "rate_limited", "{body}");
            assert!(body["error"]["message"].is_string(), "{body}");
        }
        // After the flood, still served.
        assert_eq!(victim_get(&url, "/health").await, 200);

        // 127.0.0.2 is also a trusted proxy (loopback, the default): what it
        // forwards for another address counts against that address.
        let forwarded = |who: &'static str| {
            let attacker = attacker.clone();
            let url = url.clone();
            async move {
                attacker
                    .get(format!("{url}/health"))
                    .header("x-forwarded-for", who)
                    .send()
                    .await
                    .expect("forwarded GET")
                    .status()
                    .as_u16()
            }
        };
        assert_eq!(
            forwarded("198.51.100.7").await,
            200,
            "a fresh client behind the proxy"
        );
        let mut refused = 0;
        for _ in 0..40 {
            if forwarded("198.51.100.8").await == 429 {
                refused += 1;
            }
        }
        assert!(
            refused >= 10,
            "a forwarded client has its own bucket ({refused} refused)"
        );
        assert_eq!(forwarded("198.51.100.9").await, 200);

        let metrics = client_from(VICTIM)
            .get(format!("{url}/metrics"))
            .send()
            .await
            .expect("metrics")
            .text()
            .await
            .expect("metrics text");
        let counted: u64 = metrics
            .lines()
            .find_map(|l| l.strip_prefix("tanji_http_rate_limited_total "))
            .and_then(|n| n.trim().parse().ok())
            .expect("tanji_http_rate_limited_total");
        assert!(counted >= limited.len() as u64, "{counted} counted");
    });
}

#[test]
fn idle_and_slow_loris_connections_are_cut_off_while_another_client_is_served() {
    let dir = tempfile::tempdir().expect("tempdir");
    let node = DevNode::start(
        dir.path(),
        &[
            "--http-unlimited",
            "none",
            "--http-max-connections-per-client",
            "8",
            "--http-header-timeout-ms",
            "2000",
        ],
    )
    .expect("node");
    let url = node.url.clone();
    let addr = node_addr(&node);
    block_on(async move {
        // 200 connections that never send anything.
        let mut idle = Vec::new();
        for _ in 0..200 {
            idle.push(connect_from(ATTACKER, addr).await);
        }
        assert_eq!(
            victim_get(&url, "/health").await,
            200,
            "served beside 200 idle connections"
        );
        let mut readers = JoinSet::new();
        for mut c in idle {
            readers.spawn(async move { read_until_closed(&mut c).await });
        }
        let (mut closed, mut refused) = (0, 0);
        while let Some(r) = readers.join_next().await {
            let (bytes, was_closed) = r.expect("reader");
            closed += usize::from(was_closed);
            refused += usize::from(bytes.starts_with(b"HTTP/1.1 429"));
        }
        println!("idle: 200 connections, {closed} closed by the node, {refused} of them at once with 429");
        assert_eq!(closed, 200, "every idle connection was closed");
        assert!(refused > 0, "connections over the cap are refused at once");
        assert_eq!(victim_get(&url, "/health").await, 200);

        // Slow-loris: 8 connections (the cap) send a request head one byte
        // every 100 ms, for at most 30 s; the node must cut them off first,
        // or refuse them at once with 429 (while it still counts connections
        // of the idle phase above, closing on its side, against the cap).
        let mut dribblers = JoinSet::new();
        for _ in 0..8 {
            let mut c = connect_from(ATTACKER, addr).await;
            dribblers.spawn(async move {
                if c.write_all(b"GET /health HTTP/1.1\r\nHost: tanji\r\nX-Pad: ")
                    .await
                    .is_err()
                {
                    return Dribble::CutOff;
                }
                let mut buf = [0u8; 1024];
                for _ in 0..300 {
                    match timeout(Duration::from_millis(100), c.read(&mut buf)).await {
                        Ok(Ok(0)) | Ok(Err(_)) => return Dribble::CutOff,
                        Ok(Ok(n)) if buf[..n].starts_with(b"HTTP/1.1 429") => {
                            return Dribble::Refused
                        }
                        Ok(Ok(_)) => return Dribble::Answered,
                        Err(_) => {}
                    }
                    if c.write_all(b"a").await.is_err() {
                        return Dribble::CutOff;
                    }
                }
                Dribble::Held
            });
        }
        // The victim, while they dribble.
        for _ in 0..5 {
            assert_eq!(
                victim_get(&url, "/health").await,
                200,
                "served beside slow-loris"
            );
            sleep(Duration::from_millis(50)).await;
        }
        let mut outcomes = Vec::new();
        while let Some(r) = dribblers.join_next().await {
            outcomes.push(r.expect("dribbler"));
        }
        let count = |d: Dribble| outcomes.iter().filter(|o| **o == d).count();
        println!(
            "slow-loris: 8 connections, {} cut off, {} refused at once with 429",
            count(Dribble::CutOff),
            count(Dribble::Refused)
        );
        assert_eq!(
            count(Dribble::Held),
            0,
            "a slow-loris connection was held 30 s"
        );
        assert_eq!(
            count(Dribble::Answered),
            0,
            "an unfinished request head was answered"
        );
        assert!(
            count(Dribble::CutOff) > 0,
            "slow-loris connections are cut off"
        );
        assert_eq!(victim_get(&url, "/health").await, 200);
    });
}

#[test]
fn slow_bodies_get_408_and_idle_keep_alive_connections_are_closed() {
    let dir = tempfile::tempdir().expect("tempdir");
    let node = DevNode::start(
        dir.path(),
        &[
            "--http-unlimited",
            "none",
            "--http-request-timeout-ms",
            "1000",
            "--http-idle-timeout-ms",
            "1000",
        ],
    )
    .expect("node");
    let url = node.url.clone();
    let addr = node_addr(&node);
    block_on(async move {
        // A submission whose body never comes.
        let mut c = connect_from(OTHER, addr).await;
        c.write_all(
            b"POST /v1/tx HTTP/1.1\r\nHost: tanji\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{\"kind\"",
        )
        .await
        .expect("write");
        let (bytes, closed) = read_until_closed(&mut c).await;
        let text = String::from_utf8_lossy(&bytes);
        assert!(text.starts_with("HTTP/1.1 408"), "{text}");
        assert!(text.contains("\"request_timeout\""), "{text}");
        assert!(closed, "the connection is closed after a 408");

        // A kept-alive connection after one answer, then nothing.
        let mut c = connect_from(OTHER, addr).await;
        c.write_all(b"GET /health HTTP/1.1\r\nHost: tanji\r\n\r\n")
            .await
            .expect("write");
        let (bytes, closed) = read_until_closed(&mut c).await;
        let text = String::from_utf8_lossy(&bytes);
        assert!(text.starts_with("HTTP/1.1 200"), "{text}");
        assert!(closed, "an idle kept-alive connection is closed");

        assert_eq!(victim_get(&url, "/health").await, 200);
    });
}

/// What became of one slow-loris connection.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Dribble {
    /// The node closed it before the request head was complete.
    CutOff,
    /// The node refused it at once (429: over the per-client cap).
    Refused,
    /// The node answered something else to an unfinished head.
    Answered,
    /// Still open after 30 s of dribbling.
    Held,
}

//! `tanji-http-abuse`: how well a node's HTTP API serves one client while
//! another abuses it (`./scripts/bench --abuse`, figures in
//! docs/benchmarks.md).
//!
//! Four scenarios of `--seconds` each, one after the other:
//!
//! - `baseline`: the victim alone;
//! - `idle`: the attacker tries to hold `--idle-conns` connections that
//!   never send a byte, reconnecting `--reconnect-ms` after each one the
//!   node closes;
//! - `flood`: the attacker sends `--flood-rate` requests per second over
//!   `--flood-conns` kept-alive connections (pipelined, paced), for the
//!   victim's cheap `--path`;
//! - `flood_heavy`: the same for `--heavy-path`, an answer that costs the
//!   node more (by default the OpenAPI document, built for each request).
//!
//! With `--node-pid`, each scenario also reports the CPU time the node used
//! (from `/proc`).
//!
//! The victim sends one request every `--victim-interval-ms` on a new
//! connection each time (`Connection: close`), without waiting for the
//! previous one, and records its status and latency (connect to last byte).
//! Attacker and victim are told apart by source address (`--attacker`,
//! `--victim`; any 127.0.0.0/8 address is the loopback on Linux).
//!
//! A third address (`--observer`) samples the node's open connections from
//! its metrics. Writes a JSON report (`--report`) and prints a summary.

use std::net::{Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use anyhow::{bail, Context as _, Result};
use clap::Parser;
use serde_json::json;
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::{TcpSocket, TcpStream};
use tokio::task::JoinSet;
use tokio::time::{sleep, sleep_until, timeout, timeout_at, Instant};

#[derive(Parser, Debug)]
#[command(
    name = "tanji-http-abuse",
    about = "Victim latency while another client abuses the API"
)]
struct Args {
    /// The node's API, `http://127.0.0.1:PORT`.
    #[arg(long)]
    url: String,
    /// Length of each scenario.
    #[arg(long, default_value_t = 10)]
    seconds: u64,
    /// Connections the attacker tries to hold in the idle scenario.
    #[arg(long, default_value_t = 500)]
    idle_conns: usize,
    /// Pause before the attacker reopens a connection the node closed, ms.
    #[arg(long, default_value_t = 100)]
    reconnect_ms: u64,
    /// Requests per second the attacker aims at in the flood scenario.
    #[arg(long, default_value_t = 10_000)]
    flood_rate: u64,
    /// Kept-alive connections the flood uses.
    #[arg(long, default_value_t = 32)]
    flood_conns: usize,
    /// Most requests pipelined at once on one flood connection.
    #[arg(long, default_value_t = 32)]
    pipeline: usize,
    /// The victim sends a request this often, ms.
    #[arg(long, default_value_t = 50)]
    victim_interval_ms: u64,
    /// Path the victim requests, and the attacker in the flood.
    #[arg(long, default_value = "/v1/checkpoint")]
    path: String,
    /// Path the attacker requests in the heavy flood.
    #[arg(long, default_value = "/openapi.json")]
    heavy_path: String,
    /// The node's process id, to report the CPU time it used per scenario.
    #[arg(long)]
    node_pid: Option<u32>,
    /// The attacker's source address.
    #[arg(long, default_value = "127.0.0.2")]
    attacker: Ipv4Addr,
    /// The victim's source address.
    #[arg(long, default_value = "127.0.0.3")]
    victim: Ipv4Addr,
    /// The source address that samples the node's open connections
    /// (`tanji_http_connections` on /metrics) every 100 ms.
    #[arg(long, default_value = "127.0.0.4")]
    observer: Ipv4Addr,
    /// A name for this run in the report (e.g. the node's limits).
    #[arg(long, default_value = "node")]
    label: String,
    /// Where to write the JSON report.
    #[arg(long)]
    report: Option<PathBuf>,
}

/// Longest the victim waits for one answer before counting a failure.
const VICTIM_TIMEOUT: Duration = Duration::from_secs(10);

async fn connect_from(src: Ipv4Addr, to: SocketAddr) -> std::io::Result<TcpStream> {
    let socket = TcpSocket::new_v4()?;
    socket.bind(SocketAddr::from((src, 0)))?;
    socket.connect(to).await
}

fn request(path: &str, close: bool) -> Vec<u8> {
    let connection = if close { "close" } else { "keep-alive" };
    format!("GET {path} HTTP/1.1\r\nHost: tanji\r\nConnection: {connection}\r\n\r\n").into_bytes()
}

/// One victim request on a new connection: its status, or an error.
async fn victim_once(args: &Args, addr: SocketAddr) -> Result<u16> {
    let mut c = connect_from(args.victim, addr).await?;
    c.write_all(&request(&args.path, true)).await?;
    let mut out = Vec::new();
    c.read_to_end(&mut out).await?;
    status_of(&out).context("no HTTP answer")
}

fn status_of(bytes: &[u8]) -> Option<u16> {
    let line = bytes.strip_prefix(b"HTTP/1.1 ")?;
    std::str::from_utf8(line.get(..3)?).ok()?.parse().ok()
}

/// Latency percentiles, ms.
fn percentiles(mut ms: Vec<f64>) -> serde_json::Value {
    if ms.is_empty() {
        return json!(null);
    }
    ms.sort_by(f64::total_cmp);
    let at = |p: f64| ms[((ms.len() as f64 - 1.0) * p).round() as usize];
    json!({
        "p50": at(0.50),
        "p90": at(0.90),
        "p99": at(0.99),
        "max": at(1.0),
        "mean": ms.iter().sum::<f64>() / ms.len() as f64,
    })
}

/// The victim for `for_`: requests on a fixed schedule, answers recorded.
async fn victim(args: Arc<Args>, addr: SocketAddr, for_: Duration) -> serde_json::Value {
    let end = Instant::now() + for_;
    let interval = Duration::from_millis(args.victim_interval_ms.max(1));
    let mut tasks = JoinSet::new();
    let mut next = Instant::now();
    while next < end {
        sleep_until(next).await;
        let args = args.clone();
        tasks.spawn(async move {
            let start = Instant::now();
            let outcome = timeout(VICTIM_TIMEOUT, victim_once(&args, addr)).await;
            let ms = start.elapsed().as_secs_f64() * 1000.0;
            match outcome {
                Ok(Ok(status)) => (Some(status), ms),
                _ => (None, ms),
            }
        });
        next += interval;
    }
    let (mut ok, mut other, mut failed, mut latencies) = (0u64, 0u64, 0u64, Vec::new());
    while let Some(r) = tasks.join_next().await {
        match r {
            Ok((Some(200), ms)) => {
                ok += 1;
                latencies.push(ms);
            }
            Ok((Some(_), _)) => other += 1,
            _ => failed += 1,
        }
    }
    let sent = ok + other + failed;
    json!({
        "sent": sent,
        "ok": ok,
        "refused": other,
        "failed": failed,
        "success_ratio": if sent > 0 { ok as f64 / sent as f64 } else { 0.0 },
        "latency_ms": percentiles(latencies),
    })
}

/// The victim during an attack of `for_`, starting 500 ms after it so that
/// the attack is under way.
async fn late_victim(args: Arc<Args>, addr: SocketAddr, for_: Duration) -> serde_json::Value {
    let head_start = Duration::from_millis(500);
    sleep(head_start).await;
    victim(args, addr, for_.saturating_sub(head_start)).await
}

#[derive(Default)]
struct IdleCounts {
    attempts: AtomicU64,
    connect_errors: AtomicU64,
    refused_at_once: AtomicU64,
    closed_later: AtomicU64,
}

/// The idle attacker until `end`.
async fn idle_attacker(args: Arc<Args>, addr: SocketAddr, end: Instant) -> serde_json::Value {
    let counts = Arc::new(IdleCounts::default());
    let mut tasks = JoinSet::new();
    for _ in 0..args.idle_conns {
        let (args, counts) = (args.clone(), counts.clone());
        tasks.spawn(async move {
            while Instant::now() < end {
                counts.attempts.fetch_add(1, Ordering::Relaxed);
                let mut c = match timeout_at(end, connect_from(args.attacker, addr)).await {
                    Ok(Ok(c)) => c,
                    Ok(Err(_)) => {
                        counts.connect_errors.fetch_add(1, Ordering::Relaxed);
                        sleep(Duration::from_millis(args.reconnect_ms)).await;
                        continue;
                    }
                    Err(_) => return,
                };
                let mut first = [0u8; 16];
                let read = timeout_at(end, c.read(&mut first)).await;
                match read {
                    Ok(Ok(n)) if status_of(&first[..n]) == Some(429) => {
                        counts.refused_at_once.fetch_add(1, Ordering::Relaxed);
                    }
                    Ok(_) => {
                        counts.closed_later.fetch_add(1, Ordering::Relaxed);
                    }
                    Err(_) => return,
                }
                drop(c);
                sleep(Duration::from_millis(args.reconnect_ms)).await;
            }
        });
    }
    sleep_until(end).await;
    tasks.abort_all();
    while tasks.join_next().await.is_some() {}
    let secs = args.seconds as f64;
    let attempts = counts.attempts.load(Ordering::Relaxed);
    json!({
        "target_connections": args.idle_conns,
        "reconnect_ms": args.reconnect_ms,
        "attempts": attempts,
        "attempts_per_s": attempts as f64 / secs,
        "connect_errors": counts.connect_errors.load(Ordering::Relaxed),
        "refused_at_once_with_429": counts.refused_at_once.load(Ordering::Relaxed),
        "closed_by_the_node_later": counts.closed_later.load(Ordering::Relaxed),
    })
}

/// The node's open connections (its `tanji_http_connections` gauge, less
/// the sampler's own), every 100 ms until `end`: max and mean.
async fn node_connections(args: Arc<Args>, addr: SocketAddr, end: Instant) -> serde_json::Value {
    let mut samples = Vec::new();
    while Instant::now() < end {
        let sample = async {
            let mut c = connect_from(args.observer, addr).await.ok()?;
            c.write_all(&request("/metrics", true)).await.ok()?;
            let mut out = Vec::new();
            c.read_to_end(&mut out).await.ok()?;
            let text = String::from_utf8(out).ok()?;
            let open: f64 = text
                .lines()
                .find_map(|l| l.strip_prefix("tanji_http_connections "))?
                .trim()
                .parse()
                .ok()?;
            Some(open - 1.0)
        };
        if let Ok(Some(open)) = timeout(Duration::from_secs(2), sample).await {
            samples.push(open);
        }
        sleep(Duration::from_millis(100)).await;
    }
    if samples.is_empty() {
        return json!(null);
    }
    json!({
        "samples": samples.len(),
        "max": samples.iter().copied().fold(0.0, f64::max),
        "mean": samples.iter().sum::<f64>() / samples.len() as f64,
    })
}

#[derive(Default)]
struct FloodCounts {
    sent: AtomicU64,
    ok: AtomicU64,
    limited: AtomicU64,
    other: AtomicU64,
    reconnects: AtomicU64,
}

/// Reads one HTTP/1.1 answer with a Content-Length from `c` (buffered in
/// `buf`): its status.
async fn read_answer(c: &mut TcpStream, buf: &mut Vec<u8>) -> Result<u16> {
    loop {
        if let Some(head_end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = std::str::from_utf8(&buf[..head_end]).context("head not UTF-8")?;
            let status = status_of(head.as_bytes()).context("no status line")?;
            let len: usize = head
                .lines()
                .find_map(|l| {
                    let (k, v) = l.split_once(':')?;
                    k.eq_ignore_ascii_case("content-length")
                        .then(|| v.trim().parse().ok())
                        .flatten()
                })
                .context("no Content-Length")?;
            let total = head_end + 4 + len;
            while buf.len() < total {
                read_more(c, buf).await?;
            }
            buf.drain(..total);
            return Ok(status);
        }
        read_more(c, buf).await?;
    }
}

async fn read_more(c: &mut TcpStream, buf: &mut Vec<u8>) -> Result<()> {
    let mut chunk = [0u8; 16 * 1024];
    let n = c.read(&mut chunk).await?;
    if n == 0 {
        bail!("closed");
    }
    buf.extend_from_slice(&chunk[..n]);
    Ok(())
}

/// The flood until `end`.
async fn flood_attacker(
    args: Arc<Args>,
    addr: SocketAddr,
    end: Instant,
    path: String,
) -> serde_json::Value {
    let counts = Arc::new(FloodCounts::default());
    let conns = args.flood_conns.max(1);
    let per_conn = args.flood_rate.max(1) as f64 / conns as f64;
    let start = Instant::now();
    let mut tasks = JoinSet::new();
    for _ in 0..conns {
        let (args, counts, path) = (args.clone(), counts.clone(), path.clone());
        tasks.spawn(async move {
            let one = request(&path, false);
            let mut sent = 0u64;
            'connect: while Instant::now() < end {
                let Ok(Ok(mut c)) = timeout_at(end, connect_from(args.attacker, addr)).await else {
                    sleep(Duration::from_millis(10)).await;
                    continue;
                };
                let _ = c.set_nodelay(true);
                let mut buf = Vec::new();
                while Instant::now() < end {
                    let due = (start.elapsed().as_secs_f64() * per_conn) as u64;
                    let n = due.saturating_sub(sent).min(args.pipeline as u64);
                    if n == 0 {
                        sleep(
                            Duration::from_secs_f64(1.0 / per_conn).min(Duration::from_millis(5)),
                        )
                        .await;
                        continue;
                    }
                    let batch = one.repeat(n as usize);
                    if c.write_all(&batch).await.is_err() {
                        counts.reconnects.fetch_add(1, Ordering::Relaxed);
                        continue 'connect;
                    }
                    sent += n;
                    counts.sent.fetch_add(n, Ordering::Relaxed);
                    for _ in 0..n {
                        match timeout_at(end, read_answer(&mut c, &mut buf)).await {
                            Ok(Ok(200)) => counts.ok.fetch_add(1, Ordering::Relaxed),
                            Ok(Ok(429)) => counts.limited.fetch_add(1, Ordering::Relaxed),
                            Ok(Ok(_)) => counts.other.fetch_add(1, Ordering::Relaxed),
                            Ok(Err(_)) => {
                                counts.reconnects.fetch_add(1, Ordering::Relaxed);
                                continue 'connect;
                            }
                            Err(_) => return,
                        };
                    }
                }
            }
        });
    }
    while tasks.join_next().await.is_some() {}
    let secs = start.elapsed().as_secs_f64();
    let load = |a: &AtomicU64| a.load(Ordering::Relaxed);
    let answered = load(&counts.ok) + load(&counts.limited) + load(&counts.other);
    json!({
        "path": path,
        "target_rate": args.flood_rate,
        "connections": conns,
        "sent": load(&counts.sent),
        "answered": answered,
        "answered_per_s": answered as f64 / secs,
        "ok": load(&counts.ok),
        "limited_429": load(&counts.limited),
        "other": load(&counts.other),
        "reconnects": load(&counts.reconnects),
    })
}

/// CPU seconds (user + system) process `pid` has used, from /proc.
fn cpu_seconds(pid: u32) -> Option<f64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // Fields after the command name, which is in parentheses.
    let rest = stat.rsplit_once(") ")?.1;
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let utime: f64 = fields.get(11)?.parse().ok()?;
    let stime: f64 = fields.get(12)?.parse().ok()?;
    // SAFETY: sysconf(3) only reads a configuration value.
    let ticks = unsafe { libc::sysconf(libc::_SC_CLK_TCK) };
    (ticks > 0).then(|| (utime + stime) / ticks as f64)
}

/// Runs `scenario`, adding the node's CPU use to its report.
async fn measured(
    args: &Args,
    scenario: impl std::future::Future<Output = serde_json::Value>,
) -> serde_json::Value {
    let before = args.node_pid.and_then(cpu_seconds);
    let start = Instant::now();
    let mut report = scenario.await;
    let wall = start.elapsed().as_secs_f64();
    if let (Some(pid), Some(before)) = (args.node_pid, before) {
        if let Some(after) = cpu_seconds(pid) {
            report["node_cpu"] = json!({
                "seconds": after - before,
                "cores": (after - before) / wall,
            });
        }
    }
    report
}

fn ratio(a: &serde_json::Value, b: &serde_json::Value, p: &str) -> serde_json::Value {
    match (
        a["victim"]["latency_ms"][p].as_f64(),
        b["victim"]["latency_ms"][p].as_f64(),
    ) {
        (Some(x), Some(y)) if y > 0.0 => json!(x / y),
        _ => json!(null),
    }
}

fn summary(name: &str, s: &serde_json::Value) -> String {
    let v = &s["victim"];
    let lat = &v["latency_ms"];
    let mut line = format!(
        "{name:<8} victim {}/{} ok ({:.1} %), p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
        v["ok"],
        v["sent"],
        v["success_ratio"].as_f64().unwrap_or(0.0) * 100.0,
        lat["p50"].as_f64().unwrap_or(f64::NAN),
        lat["p99"].as_f64().unwrap_or(f64::NAN),
        lat["max"].as_f64().unwrap_or(f64::NAN),
    );
    let a = &s["attacker"];
    if !a.is_null() {
        if a.get("target_connections").is_some() {
            line += &format!(
                "; attacker wanted {} connections: {} refused at once, {} closed later; node had ≤ {} open (mean {:.0})",
                a["target_connections"],
                a["refused_at_once_with_429"],
                a["closed_by_the_node_later"],
                s["node_connections"]["max"],
                s["node_connections"]["mean"].as_f64().unwrap_or(0.0),
            );
        } else {
            line += &format!(
                "; attacker {:.0} answers/s (aimed {}/s): {} ok, {} 429",
                a["answered_per_s"].as_f64().unwrap_or(0.0),
                a["target_rate"],
                a["ok"],
                a["limited_429"]
            );
        }
    }
    if let Some(cores) = s["node_cpu"]["cores"].as_f64() {
        line += &format!("; node used {cores:.2} cores");
    }
    line
}

#[tokio::main]
async fn main() -> Result<()> {
    let args = Arc::new(Args::parse());
    let addr: SocketAddr = args
        .url
        .strip_prefix("http://")
        .and_then(|a| a.trim_end_matches('/').parse().ok())
        .with_context(|| format!("--url {}: expected http://IP:PORT", args.url))?;
    if args.attacker == args.victim
        || args.observer == args.attacker
        || args.observer == args.victim
    {
        bail!("--attacker, --victim and --observer must differ");
    }
    // The victim must be served at all before anything is measured.
    let status = victim_once(&args, addr)
        .await
        .context("the victim's first request")?;
    if status != 200 {
        bail!("the victim's first request got {status}");
    }
    let for_ = Duration::from_secs(args.seconds);

    eprintln!("baseline: the victim alone for {} s", args.seconds);
    let baseline = measured(&args, async {
        json!({ "victim": victim(args.clone(), addr, for_).await })
    })
    .await;

    eprintln!(
        "idle: the attacker tries to hold {} idle connections for {} s",
        args.idle_conns, args.seconds
    );
    let idle = measured(&args, async {
        let end = Instant::now() + for_;
        let (attacker, victim, conns) = tokio::join!(
            idle_attacker(args.clone(), addr, end),
            late_victim(args.clone(), addr, for_),
            node_connections(args.clone(), addr, end),
        );
        json!({ "victim": victim, "attacker": attacker, "node_connections": conns })
    })
    .await;
    // Let the node close what is left of the attack.
    sleep(Duration::from_secs(1)).await;

    let flood_of = |path: String| {
        let args = args.clone();
        async move {
            eprintln!(
                "flood: the attacker aims at {} requests/s of {path} for {} s",
                args.flood_rate, args.seconds
            );
            measured(&args, async {
                let end = Instant::now() + for_;
                let (attacker, victim, conns) = tokio::join!(
                    flood_attacker(args.clone(), addr, end, path),
                    late_victim(args.clone(), addr, for_),
                    node_connections(args.clone(), addr, end),
                );
                json!({ "victim": victim, "attacker": attacker, "node_connections": conns })
            })
            .await
        }
    };
    let flood = flood_of(args.path.clone()).await;
    sleep(Duration::from_secs(1)).await;
    let flood_heavy = flood_of(args.heavy_path.clone()).await;

    let report = json!({
        "label": args.label,
        "url": args.url,
        "path": args.path,
        "seconds_per_scenario": args.seconds,
        "victim_interval_ms": args.victim_interval_ms,
        "baseline": baseline,
        "idle": idle,
        "flood": flood,
        "flood_heavy": flood_heavy,
        "victim_latency_vs_baseline": {
            "idle_p50": ratio(&idle, &baseline, "p50"),
            "idle_p99": ratio(&idle, &baseline, "p99"),
            "flood_p50": ratio(&flood, &baseline, "p50"),
            "flood_p99": ratio(&flood, &baseline, "p99"),
            "flood_heavy_p50": ratio(&flood_heavy, &baseline, "p50"),
            "flood_heavy_p99": ratio(&flood_heavy, &baseline, "p99"),
        },
    });
    println!("[{}]", args.label);
    println!("{}", summary("baseline", &report["baseline"]));
    println!("{}", summary("idle", &report["idle"]));
    println!("{}", summary("flood", &report["flood"]));
    println!("{}", summary("heavy", &report["flood_heavy"]));
    if let Some(path) = &args.report {
        std::fs::write(path, serde_json::to_vec_pretty(&report)?)
            .with_context(|| format!("writing {}", path.display()))?;
    }
    Ok(())
}

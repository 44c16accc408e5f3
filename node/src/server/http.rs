//! The HTTP/1.1 serving loop of both listeners (REST v1 in plain HTTP, the
//! PACT host over TLS), on hyper directly rather than `axum::serve`, so that
//! every connection is admitted against the connection caps
//! ([`super::conns`]), runs with the time limits of [`super::timeouts`],
//! and every request passes the per-client rate limit
//! ([`super::ratelimit`]) before it reaches the router.
//!
//! Refusals are in each listener's own error shape ([`Refusals`]): the
//! API's `{"error": {"code", "message"}}`, or PACT's `{"code", "message"}`.
//! A 429 carries `Retry-After` in whole seconds.
//!
//! On shutdown the listeners stop accepting, idle connections close, and
//! requests in progress get up to [`SHUTDOWN_GRACE`] to finish.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, LazyLock};
use std::time::Duration;

use axum::body::Body;
use axum::http::header::{CONNECTION, RETRY_AFTER};
use axum::http::{HeaderValue, Request, Response, StatusCode};
use axum::response::IntoResponse as _;
use axum::Router;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::Service as _;
use hyper_util::rt::TokioIo;
use hyper_util::service::TowerToHyperService;
use tanji_api::pact_host::PactError;
use tanji_api::{ApiError, Metrics};
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tokio::time::Instant;

use super::client::{client_ip, ClientKey};
use super::conns::{ConnLimiter, ConnPermit, TooManyConnections};
use super::limits::HttpLimits;
use super::ratelimit::RateLimiter;
use super::timeouts::{ConnPhase, DeadlineBody, DoneBody, TimedIo, TimeoutKind};
use super::tls::TlsListener;

/// Longest a stopping server waits for requests in progress.
pub const SHUTDOWN_GRACE: Duration = Duration::from_secs(10);

/// What the node's listeners share: the limits, the rate limiter, the
/// connection caps.
pub struct Guard {
    limits: HttpLimits,
    rate: Option<RateLimiter>,
    conns: Arc<ConnLimiter>,
    metrics: Arc<Metrics>,
}

impl Guard {
    /// The guard of `limits`, counting in `metrics`.
    pub fn new(limits: HttpLimits, metrics: Arc<Metrics>) -> Arc<Self> {
        let rate = limits
            .rate
            .map(|r| RateLimiter::new(r, limits.max_clients, std::time::Instant::now()));
        let conns = ConnLimiter::new(
            limits.max_connections,
            limits.max_connections_per_client,
            limits.unlimited.clone(),
            metrics.clone(),
        );
        Arc::new(Self {
            limits,
            rate,
            conns,
            metrics,
        })
    }

    /// The connection caps.
    pub fn conns(&self) -> &Arc<ConnLimiter> {
        &self.conns
    }
}

/// How a listener words its refusals.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Refusals {
    /// REST v1: [`ApiError`] bodies.
    Rest,
    /// The PACT host: [`PactError`] bodies.
    Pact,
}

/// Whole seconds to wait, rounded up, at least one.
fn retry_after_secs(wait: Duration) -> u64 {
    (wait.as_secs() + u64::from(wait.subsec_nanos() > 0)).max(1)
}

impl Refusals {
    /// 429 with `Retry-After`.
    fn rate_limited(self, wait: Duration) -> Response<Body> {
        let secs = retry_after_secs(wait);
        let message = format!("too many requests from this client; retry in {secs} s");
        let mut resp = match self {
            Refusals::Rest => ApiError::new(StatusCode::TOO_MANY_REQUESTS, "rate_limited", message)
                .into_response(),
            Refusals::Pact => PactError::too_many(message).into_response(),
        };
        resp.headers_mut()
            .insert(RETRY_AFTER, HeaderValue::from(secs));
        resp
    }

    /// 408: the body did not arrive in time; the connection closes.
    fn body_timeout(self, limit: Duration) -> Response<Body> {
        let message = format!(
            "the request body did not arrive within {} ms",
            limit.as_millis()
        );
        closing(match self {
            Refusals::Rest => {
                ApiError::new(StatusCode::REQUEST_TIMEOUT, "request_timeout", message)
                    .into_response()
            }
            Refusals::Pact => PactError::request_timeout(message).into_response(),
        })
    }

    /// 503: no answer in time; the connection closes.
    fn handler_timeout(self, limit: Duration) -> Response<Body> {
        let message = format!("the node did not answer within {} ms", limit.as_millis());
        closing(match self {
            Refusals::Rest => {
                ApiError::new(StatusCode::SERVICE_UNAVAILABLE, "timeout", message).into_response()
            }
            Refusals::Pact => PactError::unavailable(message).into_response(),
        })
    }
}

fn closing(mut resp: Response<Body>) -> Response<Body> {
    resp.headers_mut()
        .insert(CONNECTION, HeaderValue::from_static("close"));
    resp
}

/// What one listener serves, and how.
pub struct Site {
    service: TowerToHyperService<Router>,
    refusals: Refusals,
    guard: Arc<Guard>,
}

impl Site {
    /// `app`, refusing in `refusals`' words, within `guard`'s limits.
    pub fn new(app: Router, refusals: Refusals, guard: Arc<Guard>) -> Arc<Self> {
        Arc::new(Self {
            service: TowerToHyperService::new(app),
            refusals,
            guard,
        })
    }

    /// Answers one request of the connection from `peer`.
    async fn answer(
        &self,
        req: Request<Incoming>,
        peer: SocketAddr,
        phase: Arc<ConnPhase>,
    ) -> Response<DoneBody<Body>> {
        phase.request_started();
        let resp = self.respond(req, peer).await;
        resp.map(|b| DoneBody::new(b, phase))
    }

    async fn respond(&self, req: Request<Incoming>, peer: SocketAddr) -> Response<Body> {
        let g = &*self.guard;
        let limit = g.limits.timeouts.request;
        let deadline = Instant::now() + limit;
        if let Some(rate) = &g.rate {
            let client = client_ip(peer.ip(), req.headers(), &g.limits.trusted_proxies);
            if !g.limits.unlimited.contains(client) {
                let verdict = rate.check(ClientKey::of(client), std::time::Instant::now());
                g.metrics.http_rate_clients.set(rate.tracked() as i64);
                if let Err(wait) = verdict {
                    g.metrics.http_rate_limited.inc();
                    tracing::debug!(%client, wait_ms = wait.as_millis() as u64, "rate limited");
                    return self.refusals.rate_limited(wait);
                }
            }
        }
        let body_late = Arc::new(AtomicBool::new(false));
        let req = req.map(|b| DeadlineBody::new(b, deadline, body_late.clone()));
        let answered = tokio::time::timeout_at(deadline, self.service.call(req)).await;
        let body_late = body_late.load(Ordering::Relaxed);
        match answered {
            Ok(Ok(resp)) if !body_late => resp,
            Ok(Err(never)) => match never {},
            _ if body_late => {
                g.metrics.http_timeout(TimeoutKind::Body.label());
                tracing::debug!(%peer, "request body too slow");
                self.refusals.body_timeout(limit)
            }
            _ => {
                g.metrics.http_timeout(TimeoutKind::Handler.label());
                self.refusals.handler_timeout(limit)
            }
        }
    }
}

/// The connections a listener has started, to wait for at shutdown: each
/// holds a receiver; the sender sees them all gone.
struct Live {
    tx: watch::Sender<()>,
    rx: watch::Receiver<()>,
}

impl Live {
    fn new() -> Self {
        let (tx, rx) = watch::channel(());
        Self { tx, rx }
    }

    /// Waits up to [`SHUTDOWN_GRACE`] for the connections to end.
    async fn drain(self, what: &str) {
        drop(self.rx);
        if tokio::time::timeout(SHUTDOWN_GRACE, self.tx.closed())
            .await
            .is_err()
        {
            tracing::warn!(
                left = self.tx.receiver_count(),
                "{what}: connections still open after {} s; closing them",
                SHUTDOWN_GRACE.as_secs()
            );
        }
    }
}

async fn stopped(stop: &mut watch::Receiver<bool>) {
    let _ = stop.wait_for(|s| *s).await;
}

/// The answer a plain-HTTP connection over its client's cap gets before it
/// is closed (best effort: one non-blocking write).
static TOO_MANY_CONNECTIONS: LazyLock<Vec<u8>> = LazyLock::new(|| {
    let body = serde_json::json!({
        "error": {
            "code": "too_many_connections",
            "message": "this client has the most connections open already",
        }
    })
    .to_string();
    format!(
        "HTTP/1.1 429 Too Many Requests\r\ncontent-type: application/json\r\nretry-after: 1\r\nconnection: close\r\ncontent-length: {}\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
});

fn refuse_plain(stream: TcpStream, peer: SocketAddr, why: &TooManyConnections) {
    tracing::debug!(%peer, "{why}: closing the new connection");
    let _ = stream.try_write(&TOO_MANY_CONNECTIONS);
}

/// Serves `site` on the plain-HTTP `listener` until `stop`.
pub async fn serve_plain(listener: TcpListener, site: Arc<Site>, mut stop: watch::Receiver<bool>) {
    let live = Live::new();
    let conns = site.guard.conns.clone();
    loop {
        let slot = tokio::select! {
            s = conns.slot() => s,
            _ = stopped(&mut stop) => break,
        };
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(a) => a,
                Err(e) => {
                    // Out of file descriptors and the like: wait, do not spin.
                    tracing::warn!(error = %e, "HTTP listener: accept failed");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
            _ = stopped(&mut stop) => break,
        };
        match conns.admit(slot, peer.ip()) {
            Ok(permit) => {
                let _ = stream.set_nodelay(true);
                tokio::spawn(connection(
                    stream,
                    peer,
                    permit,
                    site.clone(),
                    stop.clone(),
                    live.rx.clone(),
                ));
            }
            Err(why) => refuse_plain(stream, peer, &why),
        }
    }
    drop(listener);
    live.drain("HTTP").await;
}

/// Serves `site` on the TLS `listener` until `stop`.
pub async fn serve_tls(
    mut listener: TlsListener,
    site: Arc<Site>,
    mut stop: watch::Receiver<bool>,
) {
    let live = Live::new();
    loop {
        let (stream, peer, permit) = tokio::select! {
            accepted = listener.accept() => accepted,
            _ = stopped(&mut stop) => break,
        };
        tokio::spawn(connection(
            stream,
            peer,
            permit,
            site.clone(),
            stop.clone(),
            live.rx.clone(),
        ));
    }
    drop(listener);
    live.drain("PACT host").await;
}

/// Serves one connection until it ends, a limit ends it, or the server
/// stops (then after its request in progress).
async fn connection<I>(
    io: I,
    peer: SocketAddr,
    permit: ConnPermit,
    site: Arc<Site>,
    mut stop: watch::Receiver<bool>,
    _live: watch::Receiver<()>,
) where
    I: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let phase = ConnPhase::new(Instant::now());
    let metrics = site.guard.metrics.clone();
    let io = TimedIo::new(io, phase.clone(), site.guard.limits.timeouts, move |kind| {
        metrics.http_timeout(kind.label());
        tracing::debug!(%peer, limit = kind.label(), "closing a slow HTTP connection");
    });
    let service = {
        let site = site.clone();
        let phase = phase.clone();
        hyper::service::service_fn(move |req| {
            let site = site.clone();
            let phase = phase.clone();
            async move { Ok::<_, Infallible>(site.answer(req, peer, phase).await) }
        })
    };
    let mut builder = http1::Builder::new();
    // The limits are TimedIo's; hyper's own header timer stays off.
    builder
        .header_read_timeout(None::<Duration>)
        .keep_alive(true);
    let conn = builder.serve_connection(TokioIo::new(io), service);
    tokio::pin!(conn);
    let mut stopping = false;
    loop {
        tokio::select! {
            done = conn.as_mut() => {
                if let Err(e) = done {
                    tracing::debug!(%peer, error = %e, "HTTP connection ended");
                }
                break;
            }
            _ = stopped(&mut stop), if !stopping => {
                stopping = true;
                conn.as_mut().graceful_shutdown();
            }
        }
    }
    drop(permit);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_rounds_up_to_whole_seconds() {
        assert_eq!(retry_after_secs(Duration::from_millis(1)), 1);
        assert_eq!(retry_after_secs(Duration::ZERO), 1);
        assert_eq!(retry_after_secs(Duration::from_secs(2)), 2);
        assert_eq!(retry_after_secs(Duration::from_millis(2001)), 3);
    }

    #[test]
    fn refusals_have_each_listener_s_shape() {
        let r = Refusals::Rest.rate_limited(Duration::from_millis(1500));
        assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(r.headers()[RETRY_AFTER], "2");
        let p = Refusals::Pact.rate_limited(Duration::from_millis(10));
        assert_eq!(p.status(), StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(p.headers()[RETRY_AFTER], "1");
        let t = Refusals::Rest.body_timeout(Duration::from_secs(30));
        assert_eq!(t.status(), StatusCode::REQUEST_TIMEOUT);
        assert_eq!(t.headers()[CONNECTION], "close");
        let h = Refusals::Pact.handler_timeout(Duration::from_secs(30));
        assert_eq!(h.status(), StatusCode::SERVICE_UNAVAILABLE);
    }

    #[test]
    fn the_early_refusal_is_well_formed_http() {
        let text = String::from_utf8(TOO_MANY_CONNECTIONS.clone()).expect("utf-8");
        let (head, body) = text.split_once("\r\n\r\n").expect("head and body");
        assert!(head.starts_with("HTTP/1.1 429 "));
        let len: usize = head
            .lines()
            .find_map(|l| l.strip_prefix("content-length: "))
            .and_then(|n| n.parse().ok())
            .expect("content-length");
        assert_eq!(len, body.len());
        let v: serde_json::Value = serde_json::from_str(body).expect("json");
        assert_eq!(v["error"]["code"], "too_many_connections");
    }
}

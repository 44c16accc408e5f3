//! The HTTP limits of a node, from the command line (`--http-*`, see
//! `docs/http-limits.md`): per-client request rate, connection caps,
//! timeouts, trusted proxies and unlimited clients.

use std::sync::OnceLock;
use std::time::Duration;

use super::client::NetList;
use super::ratelimit::{Rate, RateError};
use super::timeouts::ConnTimeouts;

/// Default sustained requests per second per client.
pub const DEFAULT_RATE: f64 = 50.0;
/// Default burst per client.
pub const DEFAULT_BURST: u32 = 200;
/// Default most clients tracked by the rate limiter.
pub const DEFAULT_MAX_CLIENTS: usize = 100_000;
/// Default most connections in all.
pub const DEFAULT_MAX_CONNECTIONS: usize = 2048;
/// Default most connections per client.
pub const DEFAULT_MAX_CONNECTIONS_PER_CLIENT: usize = 64;
/// Default time for a request head, ms.
pub const DEFAULT_HEADER_TIMEOUT_MS: u64 = 10_000;
/// Default time a kept-alive connection may idle, ms.
pub const DEFAULT_IDLE_TIMEOUT_MS: u64 = 60_000;
/// Default time for a request's body and answer, ms.
pub const DEFAULT_REQUEST_TIMEOUT_MS: u64 = 30_000;

/// The `--http-*` options of `tanji-node dev` and `tanji-node run`.
#[derive(Clone, Debug, clap::Args)]
pub struct HttpLimitArgs {
    /// Requests per second each client may sustain (its token bucket's
    /// refill rate); beyond it the API answers 429 with Retry-After.
    /// 0 turns rate limiting off.
    #[arg(long, default_value_t = DEFAULT_RATE, value_name = "PER_SECOND")]
    pub http_rate: f64,
    /// Requests a client may send at once above its rate (the bucket's size).
    #[arg(long, default_value_t = DEFAULT_BURST, value_name = "REQUESTS")]
    pub http_burst: u32,
    /// Most clients the rate limiter remembers at once (about 50 bytes
    /// each); beyond it, the clients that spent least are forgotten first.
    #[arg(long, default_value_t = DEFAULT_MAX_CLIENTS, value_name = "CLIENTS")]
    pub http_max_clients: usize,
    /// Most HTTP connections open at once, over the API and the PACT host;
    /// further ones wait to be accepted.
    #[arg(long, default_value_t = DEFAULT_MAX_CONNECTIONS, value_name = "CONNECTIONS")]
    pub http_max_connections: usize,
    /// Most connections open at once from one client (an IPv4 address or an
    /// IPv6 /64); further ones are closed at once.
    #[arg(long, default_value_t = DEFAULT_MAX_CONNECTIONS_PER_CLIENT, value_name = "CONNECTIONS")]
    pub http_max_connections_per_client: usize,
    /// A request head must arrive in full within this, counted from the
    /// connection's start or the request's first byte (slow-loris).
    #[arg(long, default_value_t = DEFAULT_HEADER_TIMEOUT_MS, value_name = "MS")]
    pub http_header_timeout_ms: u64,
    /// A kept-alive connection without a request for this long is closed.
    #[arg(long, default_value_t = DEFAULT_IDLE_TIMEOUT_MS, value_name = "MS")]
    pub http_idle_timeout_ms: u64,
    /// A request's body must arrive and its answer be ready within this
    /// (408, or 503 when the node is slow); a client that stops reading an
    /// answer for this long is disconnected.
    #[arg(long, default_value_t = DEFAULT_REQUEST_TIMEOUT_MS, value_name = "MS")]
    pub http_request_timeout_ms: u64,
    /// Proxies whose X-Forwarded-For is believed: a comma-separated list of
    /// addresses and CIDR blocks, `loopback`, or `none`. Requests through
    /// them count against the client the header names.
    #[arg(long, default_value = "loopback", value_name = "LIST")]
    pub http_trusted_proxies: NetList,
    /// Clients without rate limit or per-client connection cap (timeouts
    /// and the global cap still apply): a list as for
    /// --http-trusted-proxies. The default exempts local tools; `none`
    /// limits everybody.
    #[arg(long, default_value = "loopback", value_name = "LIST")]
    pub http_unlimited: NetList,
}

/// A refused limit.
#[derive(Debug, thiserror::Error)]
pub enum LimitsError {
    /// A bad rate or burst.
    #[error("--http-rate/--http-burst: {0}")]
    Rate(#[from] RateError),
    /// A zero cap.
    #[error("--{0} must be at least 1")]
    Zero(&'static str),
}

/// The HTTP limits a node serves with.
#[derive(Clone, Debug, PartialEq)]
pub struct HttpLimits {
    /// Per-client rate, or none.
    pub rate: Option<Rate>,
    /// Most clients the rate limiter tracks.
    pub max_clients: usize,
    /// Most connections in all.
    pub max_connections: usize,
    /// Most connections per client.
    pub max_connections_per_client: usize,
    /// Header, idle, request and write timeouts.
    pub timeouts: ConnTimeouts,
    /// Proxies whose X-Forwarded-For is believed.
    pub trusted_proxies: NetList,
    /// Clients without per-client limits.
    pub unlimited: NetList,
}

impl Default for HttpLimits {
    fn default() -> Self {
        Self {
            rate: Rate::new(DEFAULT_RATE, DEFAULT_BURST).ok(),
            max_clients: DEFAULT_MAX_CLIENTS,
            max_connections: DEFAULT_MAX_CONNECTIONS,
            max_connections_per_client: DEFAULT_MAX_CONNECTIONS_PER_CLIENT,
            timeouts: ConnTimeouts {
                header: Duration::from_millis(DEFAULT_HEADER_TIMEOUT_MS),
                idle: Duration::from_millis(DEFAULT_IDLE_TIMEOUT_MS),
                request: Duration::from_millis(DEFAULT_REQUEST_TIMEOUT_MS),
            },
            trusted_proxies: NetList::loopback(),
            unlimited: NetList::loopback(),
        }
    }
}

impl TryFrom<HttpLimitArgs> for HttpLimits {
    type Error = LimitsError;

    fn try_from(a: HttpLimitArgs) -> Result<Self, Self::Error> {
        let rate = if a.http_rate == 0.0 {
            None
        } else {
            Some(Rate::new(a.http_rate, a.http_burst)?)
        };
        let nonzero = |v: u64, name: &'static str| {
            if v == 0 {
                Err(LimitsError::Zero(name))
            } else {
                Ok(v)
            }
        };
        nonzero(a.http_max_clients as u64, "http-max-clients")?;
        nonzero(a.http_max_connections as u64, "http-max-connections")?;
        nonzero(
            a.http_max_connections_per_client as u64,
            "http-max-connections-per-client",
        )?;
        let ms = |v, name| nonzero(v, name).map(Duration::from_millis);
        Ok(Self {
            rate,
            max_clients: a.http_max_clients,
            max_connections: a.http_max_connections,
            max_connections_per_client: a.http_max_connections_per_client,
            timeouts: ConnTimeouts {
                header: ms(a.http_header_timeout_ms, "http-header-timeout-ms")?,
                idle: ms(a.http_idle_timeout_ms, "http-idle-timeout-ms")?,
                request: ms(a.http_request_timeout_ms, "http-request-timeout-ms")?,
            },
            trusted_proxies: a.http_trusted_proxies,
            unlimited: a.http_unlimited,
        })
    }
}

static PROCESS_LIMITS: OnceLock<HttpLimits> = OnceLock::new();

impl HttpLimits {
    /// Makes these the limits of every server this process starts
    /// ([`super::bind`]); the first call wins. `tanji-node run` passes its
    /// command line this way, since its config file has no HTTP section.
    pub fn install(self) {
        if PROCESS_LIMITS.set(self).is_err() {
            tracing::warn!("HTTP limits were already set; keeping the first ones");
        }
    }

    /// The limits installed for this process, or the defaults.
    pub fn of_process() -> Self {
        PROCESS_LIMITS.get().cloned().unwrap_or_default()
    }

    /// Logs the limits in force.
    pub fn log(&self) {
        let t = &self.timeouts;
        match &self.rate {
            Some(r) => tracing::info!(
                rate_per_s = 1.0 / r.interval().as_secs_f64(),
                burst = r.burst(),
                max_clients = self.max_clients,
                "HTTP rate limit per client"
            ),
            None => tracing::info!("HTTP rate limit off"),
        }
        tracing::info!(
            max_connections = self.max_connections,
            per_client = self.max_connections_per_client,
            header_timeout_ms = t.header.as_millis() as u64,
            idle_timeout_ms = t.idle.as_millis() as u64,
            request_timeout_ms = t.request.as_millis() as u64,
            trusted_proxies = %self.trusted_proxies,
            unlimited = %self.unlimited,
            "HTTP connection limits"
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Parser)]
    struct Cli {
        #[command(flatten)]
        http: HttpLimitArgs,
    }

    #[test]
    fn the_command_line_defaults_are_the_defaults() {
        let cli = Cli::try_parse_from(["x"]).expect("parse");
        let limits = HttpLimits::try_from(cli.http).expect("limits");
        assert_eq!(limits, HttpLimits::default());
    }

    #[test]
    fn options_parse_and_are_checked() {
        let cli = Cli::try_parse_from([
            "x",
            "--http-rate",
            "0",
            "--http-unlimited",
            "none",
            "--http-trusted-proxies",
            "10.0.0.0/8,loopback",
            "--http-header-timeout-ms",
            "1500",
        ])
        .expect("parse");
        let limits = HttpLimits::try_from(cli.http).expect("limits");
        assert_eq!(limits.rate, None);
        assert!(limits.unlimited.is_empty());
        assert!(limits
            .trusted_proxies
            .contains("10.9.8.7".parse().expect("ip")));
        assert_eq!(limits.timeouts.header, Duration::from_millis(1500));

        let zero =
            Cli::try_parse_from(["x", "--http-max-connections-per-client", "0"]).expect("parse");
        assert!(HttpLimits::try_from(zero.http).is_err());
        let bad_burst = Cli::try_parse_from(["x", "--http-burst", "0"]).expect("parse");
        assert!(HttpLimits::try_from(bad_burst.http).is_err());
        assert!(Cli::try_parse_from(["x", "--http-unlimited", "somewhere"]).is_err());
    }
}

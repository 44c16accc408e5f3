//! Serving the API and the PACT host, and stopping cleanly.
//!
//! REST v1 is served over plain HTTP (behind the operator's reverse proxy in
//! production); the PACT host on a listener of its own over HTTPS only
//! ([`tls`]), as PACT requires. Both stop together on SIGINT or SIGTERM.
//!
//! Both listeners run the same hardened loop ([`http`]) within the node's
//! [`HttpLimits`] (`--http-*` options, `docs/http-limits.md`):
//!
//! - [`ratelimit`]: a token bucket per client (429 with `Retry-After`);
//! - [`conns`]: a cap on connections in all and per client;
//! - [`timeouts`]: header, idle, body/answer and write time limits, so a
//!   slow-loris client cannot hold connections;
//! - [`client`]: who the client is (its address, or the one a trusted
//!   proxy forwards);
//! - [`limits`]: the options and their defaults.

pub mod client;
pub mod conns;
pub mod http;
pub mod limits;
pub mod ratelimit;
pub mod timeouts;
pub mod tls;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::{Context as _, Result};
use tanji_api::pact_host::PactHostConfig;
use tanji_api::platform::CorsOrigins;
use tanji_api::ApiState;
use tokio::net::TcpListener;
use tokio::sync::watch;

pub use limits::{HttpLimitArgs, HttpLimits};
use tls::{TlsFiles, TlsListener};

/// Where and how a node serves its PACT host.
#[derive(Clone, Debug)]
pub struct PactListen {
    /// Address; port 0 picks a free port (see the node's info file).
    pub addr: SocketAddr,
    /// Certificate chain and key.
    pub tls: TlsFiles,
    /// The authority clients should trust, when the node made it (development).
    pub ca_cert: Option<PathBuf>,
    /// The host's settings.
    pub host: PactHostConfig,
}

/// Folder of a node's development certificate, in its data folder.
pub const DEV_TLS_DIR: &str = "pact-tls";

impl PactListen {
    /// A PACT host at `addr` with the development certificate of
    /// `data_dir/pact-tls` (made on first start).
    /// The host trusts that authority when it calls other hosts, so
    /// development nodes can send events to each other's (and its own) host.
    pub fn dev(addr: SocketAddr, data_dir: &Path, mut host: PactHostConfig) -> Result<Self> {
        let dev = tls::dev_certificate(&data_dir.join(DEV_TLS_DIR))?;
        host.extra_root_pem = Some(
            std::fs::read(&dev.ca_cert)
                .with_context(|| format!("reading {}", dev.ca_cert.display()))?,
        );
        Ok(Self {
            addr,
            tls: dev.files,
            ca_cert: Some(std::path::absolute(&dev.ca_cert)?),
            host,
        })
    }
}

/// The listeners of a node, bound and not yet serving.
pub struct Bound {
    http: TcpListener,
    pact: Option<(TcpListener, Arc<rustls::ServerConfig>, PactListen)>,
    limits: HttpLimits,
    /// `http://ADDR` of REST v1.
    pub http_url: String,
    /// `https://ADDR` of the PACT host, if it has one.
    pub pact_url: Option<String>,
}

/// Binds REST v1 at `addr` and, if configured, the PACT host; they will
/// serve within the process's HTTP limits ([`HttpLimits::install`]).
pub async fn bind(addr: SocketAddr, pact: Option<PactListen>) -> Result<Bound> {
    let http = TcpListener::bind(addr)
        .await
        .with_context(|| format!("binding {addr}"))?;
    let http_url = format!("http://{}", http.local_addr()?);
    let (pact, pact_url) = match pact {
        None => (None, None),
        Some(p) => {
            let config = tls::server_config(&p.tls)?;
            let tcp = TcpListener::bind(p.addr)
                .await
                .with_context(|| format!("binding the PACT host at {}", p.addr))?;
            let url = format!("https://{}", tcp.local_addr()?);
            (Some((tcp, config, p)), Some(url))
        }
    };
    Ok(Bound {
        http,
        pact,
        limits: HttpLimits::of_process(),
        http_url,
        pact_url,
    })
}

impl Bound {
    /// The authority that signs the PACT host's certificate, when the node
    /// made it (development).
    pub fn pact_ca_cert(&self) -> Option<PathBuf> {
        self.pact.as_ref().and_then(|(_, _, p)| p.ca_cert.clone())
    }

    /// Writes `info_file` (URLs, pid, role; the PACT host's URL and
    /// development CA when it has them) for tools and tests to find the node.
    pub fn write_info(&self, info_file: &Path, role: &str) -> Result<()> {
        let mut info = serde_json::json!({
            "http": self.http_url,
            "pid": std::process::id(),
            "role": role,
        });
        if let Some(url) = &self.pact_url {
            info["pact"] = url.clone().into();
        }
        if let Some(ca) = self.pact_ca_cert() {
            info["pact_ca_cert"] = ca.display().to_string().into();
        }
        // Written to a temporary name and renamed, so readers never see half a file.
        let tmp = info_file.with_extension("json.tmp");
        std::fs::write(&tmp, serde_json::to_vec_pretty(&info)?)?;
        std::fs::rename(&tmp, info_file)?;
        Ok(())
    }

    /// Serves until SIGINT or SIGTERM; browsers on `cors` origins may read
    /// the API.
    pub async fn serve(self, state: ApiState, cors: &CorsOrigins) -> Result<()> {
        let (stop_tx, stop_rx) = watch::channel(false);
        let stopped = |mut rx: watch::Receiver<bool>| async move {
            let _ = rx.wait_for(|s| *s).await;
        };
        self.limits.log();
        conns::ensure_file_limit(self.limits.max_connections);
        let guard = http::Guard::new(self.limits, state.metrics.clone());
        tracing::info!(url = %self.http_url, "serving the API");
        let mut app = tanji_api::router(state.clone());
        if let Some(layer) = tanji_api::platform::cors_layer(cors) {
            app = app.layer(layer);
        }
        let app = app.layer(tower_http::trace::TraceLayer::new_for_http());
        let rest = http::Site::new(app, http::Refusals::Rest, guard.clone());
        let served = http::serve_plain(self.http, rest, stop_rx.clone());
        let pact = async {
            let Some((tcp, config, p)) = self.pact else {
                return Ok(());
            };
            let served = async {
                let mut host = p.host;
                if host.public_url.is_none() {
                    host.public_url = self.pact_url.clone();
                }
                let app = tanji_api::pact_host::router(state, host)?
                    .layer(tower_http::trace::TraceLayer::new_for_http());
                let listener = TlsListener::new(tcp, config, guard.conns().clone())?;
                tracing::info!(url = ?self.pact_url, "serving the PACT host (HTTPS)");
                let site = http::Site::new(app, http::Refusals::Pact, guard.clone());
                http::serve_tls(listener, site, stop_rx.clone()).await;
                Ok::<(), anyhow::Error>(())
            }
            .await
            .context("PACT host failed");
            // A PACT host that cannot serve stops the node rather than
            // leaving it half up.
            let _ = stop_tx.send(true);
            served
        };
        let signal = async {
            tokio::select! {
                _ = shutdown_signal() => {}
                _ = stopped(stop_rx.clone()) => {}
            }
            let _ = stop_tx.send(true);
        };
        let ((), pact, ()) = tokio::join!(served, pact, signal);
        pact
    }
}

/// Binds `addr` (port 0 picks a free port) and the PACT host if configured,
/// writes `info_file` once listening, and serves until SIGINT or SIGTERM.
pub async fn serve(
    state: ApiState,
    addr: SocketAddr,
    pact: Option<PactListen>,
    info_file: &Path,
    cors: &CorsOrigins,
) -> Result<()> {
    let bound = bind(addr, pact).await?;
    bound.write_info(info_file, state.node.role())?;
    bound.serve(state, cors).await
}

async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(e) = tokio::signal::ctrl_c().await {
            tracing::error!(error = %e, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(e) => {
                tracing::error!(error = %e, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
    tracing::info!("shutting down");
}

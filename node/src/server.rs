//! Serving the API and stopping cleanly.

use std::net::SocketAddr;
use std::path::Path;

use anyhow::{Context as _, Result};
use tanji_api::ApiState;
use tokio::net::TcpListener;

/// Binds `addr` (port 0 picks a free port), writes `info_file` with the URL and
/// pid once listening, and serves until SIGINT or SIGTERM.
pub async fn serve(state: ApiState, addr: SocketAddr, info_file: &Path) -> Result<()> {
    let listener = TcpListener::bind(addr)
        .await
        .with_context(|| format!("binding {addr}"))?;
    let local = listener.local_addr()?;
    let url = format!("http://{local}");
    let info = serde_json::json!({
        "http": url,
        "pid": std::process::id(),
        "role": state.node.role(),
    });
    // Written to a temporary name and renamed, so readers never see half a file.
    let tmp = info_file.with_extension("json.tmp");
    std::fs::write(&tmp, serde_json::to_vec_pretty(&info)?)?;
    std::fs::rename(&tmp, info_file)?;
    tracing::info!(%url, "serving the API");
    let app = tanji_api::router(state).layer(tower_http::trace::TraceLayer::new_for_http());
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown_signal())
        .await
        .context("HTTP server failed")?;
    Ok(())
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

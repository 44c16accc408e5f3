//! `tanji-node`: the Tanji daemon.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use anyhow::{Context as _, Result};
use clap::{Parser, Subcommand};
use tanji_api::{ApiState, Metrics};
use tanji_ledger::store::Store;
use tanji_node::dev;
use tanji_node::ordering::solo::{SoloConfig, SoloEngine};
use tanji_node::service::Node;
use tanji_node::tracker::TxTracker;

#[derive(Parser)]
#[command(name = "tanji-node", version, about = "Tanji ledger node")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run a single-node development network (solo ordering) with an embedded store.
    Dev {
        /// Data folder: store, node key, organisations' keys (created on first start).
        #[arg(long, default_value = ".tanji-dev")]
        data_dir: PathBuf,
        /// HTTP address; port 0 picks a free port (see DIR/node.json).
        #[arg(long, default_value = "127.0.0.1:7410")]
        http_addr: SocketAddr,
        /// Also register demo organisations of a laptop supply chain.
        #[arg(long)]
        demo: bool,
        /// Network name (checkpoint origin).
        #[arg(long, default_value = "dev.tanji.local")]
        network: String,
        /// Most transactions per batch.
        #[arg(long, default_value_t = 2000)]
        max_batch: usize,
        /// Most transactions queued for ordering before submissions get 503.
        #[arg(long, default_value_t = 50_000)]
        queue_capacity: usize,
        /// Do not fsync each batch (faster; a power loss may lose the last batches,
        /// a process crash still loses nothing).
        #[arg(long)]
        no_fsync: bool,
    },
    /// Recompute every leaf and checkpoint root of a stopped node's store.
    Check {
        /// Data folder of the node.
        #[arg(long)]
        data_dir: PathBuf,
    },
}

fn main() -> Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "info,tower_http=warn".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    match cli.command {
        Command::Dev {
            data_dir,
            http_addr,
            demo,
            network,
            max_batch,
            queue_capacity,
            no_fsync,
        } => {
            tanji_ledger::tx::check_network_name(&network)
                .map_err(|e| anyhow::anyhow!("--network: {e}"))?;
            let net = dev::bootstrap(&data_dir, &network, demo, !no_fsync)?;
            let store = Arc::new(net.store);
            let metrics = Arc::new(Metrics::new());
            metrics.log_size.set(store.head().size as i64);
            let tracker = Arc::new(TxTracker::default());
            let (engine, sequencer) = SoloEngine::start(
                store.clone(),
                net.signer,
                tracker.clone(),
                metrics.clone(),
                SoloConfig {
                    max_batch,
                    queue_capacity,
                },
            )?;
            let node = Arc::new(Node::new(store.clone(), engine, tracker));
            let state = ApiState {
                store: store.clone(),
                node,
                metrics,
            };
            tracing::info!(
                data_dir = %data_dir.display(),
                keys = %net.keys_dir.display(),
                size = store.head().size,
                "dev node starting"
            );
            let runtime = tokio::runtime::Runtime::new()?;
            runtime.block_on(tanji_node::server::serve(
                state,
                http_addr,
                &data_dir.join(dev::NODE_INFO_FILE),
            ))?;
            // The server has stopped and dropped its handles; the sequencer drains what
            // was queued and stops.
            drop(runtime);
            sequencer
                .join()
                .map_err(|_| anyhow::anyhow!("sequencer thread panicked"))?;
            Ok(())
        }
        Command::Check { data_dir } => {
            let store = Store::open(&data_dir.join(dev::DB_DIR), false)
                .with_context(|| format!("opening {}", data_dir.display()))?;
            let report = store.check_integrity()?;
            println!(
                "ok: {} entries re-hashed, {} checkpoints match, root {}",
                report.entries,
                report.checkpoints,
                hex::encode(report.root)
            );
            Ok(())
        }
    }
}

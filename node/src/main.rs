//! `tanji-node`: the Tanji daemon.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use anyhow::{Context as _, Result};
use clap::{Parser, Subcommand};
use tanji_api::pact_host::PactHostConfig;
use tanji_api::{ApiState, Metrics};
use tanji_ledger::store::Store;
use tanji_node::local::{demo, dev, devnet};
use tanji_node::ordering::solo::{SoloConfig, SoloEngine};
use tanji_node::replica::config::{ConsensusTuning, NodeRole};
use tanji_node::server::{self, PactListen};
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
        /// PACT host address (HTTPS, development certificate in DIR/pact-tls);
        /// port 0 picks a free port (see DIR/node.json).
        #[arg(long, default_value = "127.0.0.1:7411")]
        pact_addr: SocketAddr,
        /// Also register demo organisations of a laptop supply chain, and
        /// PACT credentials of a demo partner (DIR/pact.json).
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
        #[command(flatten)]
        http: server::HttpLimitArgs,
    },
    /// Run one node of a replicated network (validator or observer) from its config file.
    Run {
        /// The node's config file (see `tanji-node devnet` for generated examples).
        #[arg(long)]
        config: PathBuf,
        /// Overrides the config's role (validator or observer).
        #[arg(long, value_parser = ["validator", "observer"])]
        role: Option<String>,
        #[command(flatten)]
        http: server::HttpLimitArgs,
        /// TEST ONLY, hidden: make this validator Byzantine. For each vote it
        /// signs, it also signs and broadcasts a conflicting one (see
        /// docs/byzantine.md). Honest nodes raise equivocating_vote alarms.
        #[arg(long, hide = true)]
        byzantine_equivocate_votes: bool,
    },
    /// Start a local replicated network (one process per node) on 127.0.0.1 and
    /// keep it running until interrupted.
    Devnet {
        /// Number of validators (4 tolerates one faulty validator).
        #[arg(long, default_value_t = 4)]
        validators: usize,
        /// Number of observers.
        #[arg(long, default_value_t = 1)]
        observers: usize,
        /// Number of spare nodes: validators-to-be (named validator-V, ...) that
        /// follow the log until governance adds them with `tanji validator add`.
        #[arg(long, default_value_t = 0)]
        spare: usize,
        /// Folder for keys, genesis and every node's data (reused when it exists).
        #[arg(long, default_value = ".tanji-devnet")]
        base_dir: PathBuf,
        /// Register the demo organisations and load the demo supply chain through validator-0.
        #[arg(long)]
        demo: bool,
        /// Network name (checkpoint origin).
        #[arg(long, default_value = "devnet.tanji.local")]
        network: String,
        /// Do not fsync decided batches (faster; a power loss may lose the last batches).
        #[arg(long)]
        no_fsync: bool,
        /// Propose timeout, ms.
        #[arg(long, default_value_t = 3000)]
        propose_timeout_ms: u64,
        /// Most transactions per batch.
        #[arg(long, default_value_t = 1024)]
        max_batch: usize,
        /// TEST ONLY, hidden: run the validator NAME with
        /// `--byzantine-equivocate-votes` (repeatable; see docs/byzantine.md).
        #[arg(long, hide = true, value_name = "NAME")]
        byzantine_equivocate_votes: Vec<String>,
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
                .unwrap_or_else(|_| {
                    "info,tower_http=warn,libp2p=warn,libp2p_gossipsub=error,arc_malachitebft=warn,malachitebft=warn"
                        .into()
                }),
        )
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .init();
    let cli = Cli::parse();
    match cli.command {
        Command::Dev {
            data_dir,
            http_addr,
            pact_addr,
            demo,
            network,
            max_batch,
            queue_capacity,
            no_fsync,
            http,
        } => {
            tanji_ledger::tx::check_network_name(&network)
                .map_err(|e| anyhow::anyhow!("--network: {e}"))?;
            server::HttpLimits::try_from(http)?.install();
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
                pact_url: Default::default(),
            };
            tracing::info!(
                data_dir = %data_dir.display(),
                keys = %net.keys_dir.display(),
                size = store.head().size,
                "dev node starting"
            );
            // Dev networks accept PACT events from plain-HTTP hosts on this machine.
            let pact = PactListen::dev(
                pact_addr,
                &data_dir,
                PactHostConfig {
                    allow_http_sources: true,
                    public_url: None,
                    extra_root_pem: None,
                },
            )?;
            let runtime = tokio::runtime::Runtime::new()?;
            runtime.block_on(async {
                let bound = server::bind(http_addr, Some(pact)).await?;
                bound.write_info(&data_dir.join(dev::NODE_INFO_FILE), state.node.role())?;
                if let (true, Some(url), Some(ca)) = (demo, &bound.pact_url, &bound.pact_ca_cert())
                {
                    let issued =
                        demo::pact::issue_local(&*store, &net.keys_dir, &data_dir, url, ca)
                            .context("issuing the demo partner's PACT credentials")?;
                    demo::pact::print_commands(
                        &issued,
                        &data_dir.join(demo::pact::PACT_FILE),
                        demo::pact::laptop_footprint(&data_dir).as_deref(),
                    );
                }
                bound
                    .serve(state, &tanji_api::platform::CorsOrigins::Any)
                    .await
            })?;
            // The server has stopped and dropped its handles; the sequencer drains what
            // was queued and stops.
            drop(runtime);
            sequencer
                .join()
                .map_err(|_| anyhow::anyhow!("sequencer thread panicked"))?;
            Ok(())
        }
        Command::Run {
            config,
            role,
            http,
            byzantine_equivocate_votes,
        } => {
            server::HttpLimits::try_from(http)?.install();
            let mut cfg = tanji_node::replica::config::NodeConfig::load(&config)?;
            if let Some(role) = role {
                cfg.role = match role.as_str() {
                    "validator" => NodeRole::Validator,
                    _ => NodeRole::Observer,
                };
            }
            cfg.byzantine.equivocate_votes = byzantine_equivocate_votes;
            let runtime = tokio::runtime::Runtime::new()?;
            runtime.block_on(tanji_node::replica::run::run(cfg))
        }
        Command::Devnet {
            validators,
            spare,
            observers,
            base_dir,
            demo,
            network,
            no_fsync,
            propose_timeout_ms,
            max_batch,
            byzantine_equivocate_votes,
        } => {
            tanji_ledger::tx::check_network_name(&network)
                .map_err(|e| anyhow::anyhow!("--network: {e}"))?;
            let base_dir = std::path::absolute(&base_dir)?;
            let opts = devnet::DevnetOptions {
                validators,
                spare,
                observers,
                base_dir,
                demo,
                network,
                fsync: !no_fsync,
                consensus: ConsensusTuning {
                    propose_timeout_ms,
                    max_batch_txs: max_batch,
                    ..ConsensusTuning::default()
                },
                byzantine_equivocate_votes,
            };
            let runtime = tokio::runtime::Runtime::new()?;
            runtime.block_on(run_devnet(opts))
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

async fn run_devnet(opts: devnet::DevnetOptions) -> Result<()> {
    let mut nodes = devnet::start(&opts).await?;
    let result = serve_devnet(&opts, &nodes).await;
    tracing::info!("stopping the devnet");
    devnet::stop(&mut nodes);
    result
}

async fn serve_devnet(opts: &devnet::DevnetOptions, nodes: &[devnet::RunningNode]) -> Result<()> {
    if opts.demo {
        let first = nodes
            .iter()
            .find(|n| n.role == NodeRole::Validator)
            .context("no validator")?;
        let keys = opts.base_dir.join("keys");
        let founders = devnet::founders(&keys, opts.validators)?;
        tracing::info!(via = %first.name, "loading the demo data");
        demo::remote::register_orgs_remote(&first.http, &keys, &founders).await?;
        demo::remote::load_remote(&first.http, &keys, &opts.base_dir).await?;
        if let (Some(url), Some(ca)) = (&first.pact, &first.pact_ca_cert) {
            let issued = demo::pact::issue_remote(&first.http, &keys, &opts.base_dir, url, ca)
                .await
                .context("issuing the demo partner's PACT credentials")?;
            demo::pact::print_commands(
                &issued,
                &opts.base_dir.join(demo::pact::PACT_FILE),
                demo::pact::laptop_footprint(&opts.base_dir).as_deref(),
            );
        }
    }
    let first = &nodes[0].http;
    let mut validator_set = validator_names(first).await.unwrap_or_default();
    let manifest = devnet::write_manifest(opts, nodes, &validator_set)?;
    println!(
        "Tanji devnet {:?}: {} nodes, manifest {}",
        opts.network,
        nodes.len(),
        manifest.display()
    );
    for n in nodes {
        println!(
            "  {:<12} {:<9} {}  (pid {}, data {})",
            n.name,
            devnet::manifest_role(n, &validator_set),
            n.http,
            n.child.id(),
            n.data_dir.display()
        );
        if opts.demo {
            println!(
                "               label  {}/v1/labels/{}.svg   page  {}/verify/{}",
                n.http,
                demo::CERTIFICATE_ID,
                n.http,
                demo::CERTIFICATE_ID
            );
        }
    }
    println!(
        "Keys of the organisations: {}",
        opts.base_dir.join("keys").display()
    );
    println!("Press Ctrl-C to stop every node.");
    if !nodes.iter().any(|n| n.spare) {
        wait_for_signal().await;
        return Ok(());
    }
    // Spare nodes become validators when governance adds them: keep the
    // manifest's roles current until every spare has joined.
    let signal = wait_for_signal();
    tokio::pin!(signal);
    let mut tick = tokio::time::interval(std::time::Duration::from_secs(2));
    loop {
        tokio::select! {
            _ = &mut signal => return Ok(()),
            _ = tick.tick() => {
                let Ok(now) = validator_names(first).await else { continue };
                if now != validator_set {
                    for n in nodes.iter().filter(|n| n.spare) {
                        if now.contains(&n.name) && !validator_set.contains(&n.name) {
                            println!("  {} joined the validator set", n.name);
                        }
                    }
                    validator_set = now;
                    devnet::write_manifest(opts, nodes, &validator_set)?;
                }
            }
        }
    }
}

/// Names of the validator set in force, as the node at `http` sees it.
async fn validator_names(http: &str) -> Result<Vec<String>> {
    let network = tanji_sdk::Client::new(http)?.network().await?;
    Ok(network
        .validator_nodes
        .into_iter()
        .map(|v| v.name)
        .collect())
}

async fn wait_for_signal() {
    let mut term = match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
        Ok(s) => s,
        Err(e) => {
            tracing::error!(error = %e, "cannot listen for SIGTERM");
            let _ = tokio::signal::ctrl_c().await;
            return;
        }
    };
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {},
        _ = term.recv() => {},
    }
}

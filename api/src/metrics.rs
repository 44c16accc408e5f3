//! Prometheus metrics.

use std::sync::Mutex;

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{exponential_buckets, Histogram};
use prometheus_client::registry::Registry;

/// Label of a submission outcome.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct OutcomeLabel {
    /// "accepted", or the refusal's error code.
    pub outcome: String,
}

/// Label of an HTTP timeout: which limit ran out.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct TimeoutLabel {
    /// `header`, `idle`, `body`, `handler` or `write`.
    pub kind: String,
}

/// Label of a consensus equivocation: which message was signed twice.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct EquivocationLabel {
    /// `prevote`, `precommit` or `proposal`.
    pub message: String,
}

/// The node's instruments and their registry.
pub struct Metrics {
    registry: Mutex<Registry>,
    /// Submissions by outcome.
    pub submissions: Family<OutcomeLabel, Counter>,
    /// Transactions appended to the log.
    pub committed: Counter,
    /// Transactions refused when ordered (admitted earlier).
    pub rejected_at_ordering: Counter,
    /// Batches appended.
    pub batches: Counter,
    /// Transactions per appended batch.
    pub batch_size: Histogram,
    /// Seconds from admission to commit.
    pub commit_latency: Histogram,
    /// Entries in the log.
    pub log_size: Gauge,
    /// Transactions queued for ordering.
    pub queue_depth: Gauge,
    /// Fork and equivocation alarms raised since start.
    pub alarms: Counter,
    /// Consensus equivocations reported by the engine (one per validator,
    /// height, round and message type; the first ones of each validator are
    /// kept as alarms), by message type.
    pub consensus_equivocations: Family<EquivocationLabel, Counter>,
    /// Highest consensus height applied (replicated nodes).
    pub consensus_height: Gauge,
    /// Log size of the newest checkpoint with a quorum of validator signatures.
    pub final_checkpoint_size: Gauge,
    /// HTTP connections open (API and PACT host).
    pub http_connections: Gauge,
    /// HTTP connections closed at once: their client had too many open.
    pub http_connections_refused: Counter,
    /// Requests answered 429 by the per-client rate limit.
    pub http_rate_limited: Counter,
    /// Clients the rate limiter tracks.
    pub http_rate_clients: Gauge,
    /// Connections and requests ended by a time limit, by limit.
    pub http_timeouts: Family<TimeoutLabel, Counter>,
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

impl Metrics {
    /// Creates and registers every instrument.
    pub fn new() -> Self {
        let mut registry = Registry::with_prefix("tanji");
        let submissions = Family::<OutcomeLabel, Counter>::default();
        registry.register(
            "tx_submissions",
            "Transactions submitted, by outcome",
            submissions.clone(),
        );
        let committed = Counter::default();
        registry.register(
            "tx_committed",
            "Transactions appended to the log",
            committed.clone(),
        );
        let rejected_at_ordering = Counter::default();
        registry.register(
            "tx_rejected_at_ordering",
            "Admitted transactions refused when ordered",
            rejected_at_ordering.clone(),
        );
        let batches = Counter::default();
        registry.register("batches", "Batches appended", batches.clone());
        let batch_size = Histogram::new(exponential_buckets(1.0, 2.0, 14));
        registry.register(
            "batch_size",
            "Transactions per appended batch",
            batch_size.clone(),
        );
        let commit_latency = Histogram::new(exponential_buckets(0.001, 2.0, 16));
        registry.register(
            "commit_latency_seconds",
            "Seconds from admission to commit",
            commit_latency.clone(),
        );
        let log_size = Gauge::default();
        registry.register("log_size", "Entries in the log", log_size.clone());
        let queue_depth = Gauge::default();
        registry.register(
            "queue_depth",
            "Transactions queued for ordering",
            queue_depth.clone(),
        );
        let alarms = Counter::default();
        registry.register(
            "alarms",
            "Fork and equivocation alarms raised since start (see GET /v1/alarms)",
            alarms.clone(),
        );
        let consensus_equivocations = Family::<EquivocationLabel, Counter>::default();
        registry.register(
            "consensus_equivocations",
            "Conflicting consensus messages signed by one validator for one height, round and type (see GET /v1/alarms), by message (prevote, precommit, proposal)",
            consensus_equivocations.clone(),
        );
        let consensus_height = Gauge::default();
        registry.register(
            "consensus_height",
            "Highest consensus height applied",
            consensus_height.clone(),
        );
        let final_checkpoint_size = Gauge::default();
        registry.register(
            "final_checkpoint_size",
            "Log size of the newest checkpoint cosigned by a quorum of validators",
            final_checkpoint_size.clone(),
        );
        let http_connections = Gauge::default();
        registry.register(
            "http_connections",
            "HTTP connections open (API and PACT host)",
            http_connections.clone(),
        );
        let http_connections_refused = Counter::default();
        registry.register(
            "http_connections_refused",
            "HTTP connections closed at once because their client had the most open",
            http_connections_refused.clone(),
        );
        let http_rate_limited = Counter::default();
        registry.register(
            "http_rate_limited",
            "HTTP requests answered 429 by the per-client rate limit",
            http_rate_limited.clone(),
        );
        let http_rate_clients = Gauge::default();
        registry.register(
            "http_rate_clients",
            "Clients tracked by the HTTP rate limiter",
            http_rate_clients.clone(),
        );
        let http_timeouts = Family::<TimeoutLabel, Counter>::default();
        registry.register(
            "http_timeouts",
            "HTTP connections and requests ended by a time limit (header, idle, body, handler, write)",
            http_timeouts.clone(),
        );
        Self {
            registry: Mutex::new(registry),
            submissions,
            committed,
            rejected_at_ordering,
            batches,
            batch_size,
            commit_latency,
            log_size,
            queue_depth,
            alarms,
            consensus_equivocations,
            consensus_height,
            final_checkpoint_size,
            http_connections,
            http_connections_refused,
            http_rate_limited,
            http_rate_clients,
            http_timeouts,
        }
    }

    /// Counts a connection or request ended by the time limit `kind`.
    pub fn http_timeout(&self, kind: &str) {
        self.http_timeouts
            .get_or_create(&TimeoutLabel {
                kind: kind.to_string(),
            })
            .inc();
    }

    /// Counts a consensus equivocation (kept as an alarm or not).
    pub fn consensus_equivocation(&self, message: &str) {
        self.consensus_equivocations
            .get_or_create(&EquivocationLabel {
                message: message.to_string(),
            })
            .inc();
    }

    /// Counts a submission outcome.
    pub fn submission(&self, outcome: &str) {
        self.submissions
            .get_or_create(&OutcomeLabel {
                outcome: outcome.to_string(),
            })
            .inc();
    }

    /// The Prometheus text exposition.
    pub fn encode(&self) -> String {
        let mut out = String::new();
        let registry = self.registry.lock().unwrap_or_else(|e| e.into_inner());
        if let Err(e) = prometheus_client::encoding::text::encode(&mut out, &registry) {
            tracing::error!(error = %e, "encoding metrics failed");
        }
        out
    }
}

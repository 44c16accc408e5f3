//! The `tanji` command line.

mod cert;
mod factor;
mod footprint;
mod key;
mod load;
mod log;
mod org;
mod output;
mod pact;
mod rule;
mod tx;
mod validator;
mod verify;

use std::path::PathBuf;

use clap::{Parser, Subcommand};

pub use output::{emit, ReportedFailure, VerificationFailed};

/// The node a command talks to: `--node URL`, or `TANJI_NODE`, or the local
/// default. Every command that reads or writes through a node flattens this
/// one argument, so they all spell, document and default it the same way.
#[derive(clap::Args, Clone, Debug)]
pub struct NodeArg {
    /// Node URL.
    #[arg(
        long = "node",
        value_name = "URL",
        env = "TANJI_NODE",
        default_value = "http://127.0.0.1:7410"
    )]
    pub url: String,
}

impl NodeArg {
    /// A client for this node.
    pub fn client(&self) -> Result<tanji_sdk::Client, tanji_sdk::ClientError> {
        tanji_sdk::Client::new(&self.url)
    }
}

/// Tanji (碳迹): a verifiable ledger of product carbon footprints.
#[derive(Parser)]
#[command(name = "tanji", version, about)]
pub struct Cli {
    /// Print JSON instead of text (for scripts).
    #[arg(long, global = true)]
    pub json: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Organisation keys.
    #[command(subcommand)]
    Key(key::KeyCommand),
    /// Organisations: register, list, show.
    #[command(subcommand)]
    Org(org::OrgCommand),
    /// Submit a signed transaction from a file (borsh bytes, or JSON if it ends in .json).
    Submit {
        /// The transaction file.
        file: PathBuf,
        #[command(flatten)]
        node: NodeArg,
        /// Wait until it is in the log.
        #[arg(long)]
        wait: bool,
    },
    /// Anchor the BLAKE3 digest of a document to the log.
    Anchor {
        /// The document.
        file: PathBuf,
        /// What the document is.
        #[arg(long)]
        label: String,
        /// Key file of the signing organisation.
        #[arg(long)]
        key: PathBuf,
        #[command(flatten)]
        node: NodeArg,
        /// Wait until it is in the log.
        #[arg(long)]
        wait: bool,
    },
    /// Transactions.
    #[command(subcommand)]
    Tx(tx::TxCommand),
    /// PACT: export footprints as WBCSD PACT documents with their ledger proof.
    #[command(subcommand)]
    Pact(pact::PactCommand),
    /// Verify offline.
    #[command(subcommand)]
    Verify(verify::VerifyCommand),
    /// The log.
    #[command(subcommand)]
    Log(log::LogCommand),
    /// Submit N valid signed transactions as fast as the node accepts them and report tx/s.
    Load(load::LoadArgs),
    /// The emission factor database.
    #[command(subcommand)]
    Factor(factor::FactorCommand),
    /// Product rules (PCR).
    #[command(subcommand)]
    Rule(rule::RuleCommand),
    /// Product footprints: compute, attest, verify, inspect.
    #[command(subcommand)]
    Footprint(footprint::FootprintCommand),
    /// Certify an attestation against a product rule (certification body).
    Certify(cert::CertifyArgs),
    /// Carbon label certificates.
    #[command(subcommand)]
    Certificate(cert::CertificateCommand),
    /// The validator set: add or remove nodes by governance, list.
    #[command(subcommand)]
    Validator(validator::ValidatorCommand),
}

/// Runs a parsed command line.
pub async fn run(cli: Cli) -> anyhow::Result<()> {
    let out = output::Output { json: cli.json };
    match cli.command {
        Command::Key(c) => key::run(c, out),
        Command::Org(c) => org::run(c, out).await,
        Command::Submit { file, node, wait } => tx::submit_file(&file, &node.url, wait, out).await,
        Command::Anchor {
            file,
            label,
            key,
            node,
            wait,
        } => tx::anchor(&file, &label, &key, &node.url, wait, out).await,
        Command::Tx(c) => tx::run(c, out).await,
        Command::Verify(c) => verify::run(c, out),
        Command::Pact(c) => pact::run(c, out).await,
        Command::Log(c) => log::run(c, out).await,
        Command::Load(a) => load::run(a, out).await,
        Command::Factor(c) => factor::run(c, out).await,
        Command::Rule(c) => rule::run(c, out).await,
        Command::Footprint(c) => footprint::run(c, out).await,
        Command::Certify(a) => cert::certify(a, out).await,
        Command::Certificate(c) => cert::run(c, out).await,
        Command::Validator(c) => validator::run(c, out).await,
    }
}

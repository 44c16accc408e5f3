//! `tanji pact`: footprints as WBCSD PACT documents, and the client
//! credentials partners use at a node's PACT host.

use std::path::PathBuf;

use anyhow::{Context as _, Result};
use clap::Subcommand;
use tanji_ledger::crypto::SecretKey;
use tanji_ledger::keyfile::OrgKeyFile;
use tanji_ledger::{OrgId, TxId};

use super::output::Output;
use super::NodeArg;

#[derive(Subcommand)]
pub enum PactCommand {
    /// Write a footprint as a PACT document with its ledger proof, which
    /// `tanji verify pact` checks offline.
    Export {
        /// The attestation id.
        id: TxId,
        /// PACT version: 3 (v3.0) or 2 (v2.3).
        #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(u8).range(2..=3))]
        version: u8,
        /// Write to this file instead of standard output.
        #[arg(long)]
        out: Option<PathBuf>,
        #[command(flatten)]
        node: NodeArg,
    },
    /// PACT client credentials of an organisation (requests signed with its key).
    #[command(subcommand)]
    Client(ClientCommand),
    /// An organisation's own PACT hosts, where answers to its requests go
    /// (requests signed with its key).
    #[command(subcommand)]
    Callback(CallbackCommand),
    /// Ask a partner's PACT host for the footprints of products
    /// (RequestCreated) and wait for the answer, which the partner's host
    /// sends to this node's PACT host for the organisation.
    Request(RequestArgs),
    /// Record a partner's PACT footprint (v2.x or v3.x) as a declared
    /// attestation signed by the organisation: the figures as the partner
    /// stated them, the document's hash and issuer; downstream footprints
    /// can build on it. A document carrying a Tanji proof must verify.
    Import {
        /// The PACT document (bare, or as GetFootprint answers: {"data": …}).
        file: PathBuf,
        /// Validator keys (C2SP vkeys, one per line) to check a Tanji proof
        /// in the document against, instead of the keys it names.
        #[arg(long)]
        validators: Option<PathBuf>,
        /// How many of them must have signed (default: the BFT quorum).
        #[arg(long, requires = "validators")]
        quorum: Option<usize>,
        /// An earlier import of this organisation that this one replaces.
        #[arg(long)]
        supersedes: Option<TxId>,
        #[command(flatten)]
        signer: Signer,
    },
    /// The PACT events partners' hosts sent the organisation (answers,
    /// Published notices).
    Inbox {
        #[command(flatten)]
        signer: Signer,
    },
}

/// `tanji pact request`.
#[derive(clap::Args)]
pub struct RequestArgs {
    /// The partner's PACT host: the base URL of its `/auth/token` and
    /// `/3/events` (or `/2/events`).
    #[arg(long, value_name = "URL")]
    to: String,
    /// A product id (URN) whose footprints are wanted; repeat for several.
    #[arg(long = "product", value_name = "URN", required = true)]
    products: Vec<String>,
    /// Client id the partner gave the organisation at its host.
    #[arg(long)]
    client_id: String,
    /// Client secret the partner gave the organisation at its host.
    #[arg(long)]
    client_secret: String,
    /// An authority (PEM) to trust for the partner's host, besides the
    /// system's (e.g. a development network's `pact-tls/ca.pem`).
    #[arg(long, value_name = "PEM")]
    ca_cert: Option<PathBuf>,
    /// PACT version of the request: 3 (v3.0) or 2 (v2.3).
    #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(u8).range(2..=3))]
    version: u8,
    /// Where the answer is sent: the request's `source`. Default: the node's
    /// own PACT host.
    #[arg(long, value_name = "URL")]
    source: Option<String>,
    /// A comment for the partner.
    #[arg(long)]
    comment: Option<String>,
    /// How long to wait for the answer, seconds.
    #[arg(long, default_value_t = 120)]
    wait: u64,
    /// Write the footprints answered (a JSON array of PACT documents) here.
    #[arg(long)]
    out: Option<PathBuf>,
    #[command(flatten)]
    signer: Signer,
}

/// An organisation acting through a node: its key file (signs the requests)
/// and the node.
#[derive(clap::Args)]
pub struct Signer {
    /// The organisation's key file.
    #[arg(long)]
    key: PathBuf,
    #[command(flatten)]
    node: NodeArg,
}

impl Signer {
    /// The node's client, the organisation's id and its signing key.
    fn open(&self) -> Result<(tanji_sdk::Client, OrgId, SecretKey)> {
        let org = OrgKeyFile::load(&self.key)?;
        Ok((self.node.client()?, org.org_id, org.signing_key()?))
    }
}

/// One line per item, or `empty` when there is none.
fn lines<T>(items: &[T], empty: String, line: impl Fn(&T) -> String) -> String {
    if items.is_empty() {
        return empty;
    }
    items.iter().map(line).collect::<Vec<_>>().join("\n")
}

#[derive(Subcommand)]
pub enum CallbackCommand {
    /// Register (or replace) a host and the credentials the node uses there.
    Set {
        /// The host's base URL (the `source` of its events).
        #[arg(value_name = "URL")]
        base_url: String,
        /// Client id at that host.
        #[arg(long)]
        client_id: String,
        /// Client secret at that host.
        #[arg(long)]
        client_secret: String,
        /// PACT version of the Published events the host takes: 3 or 2.
        #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(u8).range(2..=3))]
        published_version: u8,
        #[command(flatten)]
        signer: Signer,
    },
    /// List the organisation's registered hosts (never the secrets).
    List {
        #[command(flatten)]
        signer: Signer,
    },
    /// Remove a registered host.
    Remove {
        /// The registration's id (see `list`).
        id: String,
        #[command(flatten)]
        signer: Signer,
    },
}

async fn callback_command(cmd: CallbackCommand, out: Output) -> Result<()> {
    match cmd {
        CallbackCommand::Set {
            base_url,
            client_id,
            client_secret,
            published_version,
            signer,
        } => {
            let (client, org, key) = signer.open()?;
            let set = tanji_api_types::pact::PactCallbackSet {
                base_url: base_url.clone(),
                client_id,
                client_secret,
                published_version: Some(published_version),
            };
            let cb = client
                .set_pact_callback(&set, org, &key)
                .await
                .with_context(|| format!("registering {base_url}"))?;
            out.print(&cb, || {
                format!(
                    "answers to {}'s requests from {} go there, authenticated as {} (id {})",
                    cb.org, cb.base_url, cb.client_id, cb.id
                )
            });
        }
        CallbackCommand::List { signer } => {
            let (client, org, key) = signer.open()?;
            let list = client
                .pact_callbacks(org, &key)
                .await
                .context("listing PACT callbacks")?;
            out.print(&list, || {
                lines(
                    &list.callbacks,
                    format!("{org} registers no PACT hosts on this node"),
                    |c| {
                        format!(
                            "{}  {}  as {}  (Published v{})",
                            c.id, c.base_url, c.client_id, c.published_version
                        )
                    },
                )
            });
        }
        CallbackCommand::Remove { id, signer } => {
            let (client, org, key) = signer.open()?;
            let gone = client
                .remove_pact_callback(&id, org, &key)
                .await
                .with_context(|| format!("removing PACT callback {id}"))?;
            out.print(&gone, || format!("removed {}", gone.base_url));
        }
    }
    Ok(())
}

#[derive(Subcommand)]
pub enum ClientCommand {
    /// Create a credential; its secret is printed once and never again.
    Create {
        /// What the credential is for (e.g. the partner's name).
        #[arg(long, default_value = "")]
        label: String,
        #[command(flatten)]
        signer: Signer,
    },
    /// List the organisation's credentials (never their secrets).
    List {
        #[command(flatten)]
        signer: Signer,
    },
    /// Revoke a credential: tokens issued to it stop working at once.
    Revoke {
        /// The client id.
        client_id: String,
        #[command(flatten)]
        signer: Signer,
    },
}

async fn client_command(cmd: ClientCommand, out: Output) -> Result<()> {
    match cmd {
        ClientCommand::Create { label, signer } => {
            let (client, org, key) = signer.open()?;
            let created = client
                .create_pact_client(&label, org, &key)
                .await
                .context("creating a PACT credential")?;
            out.print(&created, || {
                format!(
                    "PACT credential for {}\n  client_id     {}\n  client_secret {}\nThe node keeps only a hash of the secret: store it now, it cannot be shown again.",
                    created.client.org, created.client.client_id, created.client_secret
                )
            });
        }
        ClientCommand::List { signer } => {
            let (client, org, key) = signer.open()?;
            let list = client
                .pact_clients(org, &key)
                .await
                .context("listing PACT credentials")?;
            out.print(&list, || {
                lines(
                    &list.clients,
                    format!("{org} holds no PACT credentials on this node"),
                    |c| format!("{}  created {}  {}", c.client_id, c.created, c.label),
                )
            });
        }
        ClientCommand::Revoke { client_id, signer } => {
            let (client, org, key) = signer.open()?;
            let gone = client
                .revoke_pact_client(&client_id, org, &key)
                .await
                .with_context(|| format!("revoking PACT credential {client_id}"))?;
            out.print(&gone, || {
                format!("revoked PACT credential {}", gone.client_id)
            });
        }
    }
    Ok(())
}

/// Largest answer read from a partner's host (a token).
const MAX_PARTNER_ANSWER: usize = 64 * 1024;

/// An HTTP client for a partner's host, trusting `ca_cert` besides the system.
fn partner_http(ca_cert: &Option<PathBuf>) -> Result<reqwest::Client> {
    let mut b = reqwest::Client::builder().timeout(std::time::Duration::from_secs(30));
    if let Some(path) = ca_cert {
        let pem = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
        b = b.add_root_certificate(
            reqwest::Certificate::from_pem(&pem)
                .with_context(|| format!("{}: not a PEM certificate", path.display()))?,
        );
    }
    Ok(b.build()?)
}

/// A bearer token from `base/auth/token` (OAuth 2 client credentials).
async fn partner_token(
    http: &reqwest::Client,
    base: &str,
    id: &str,
    secret: &str,
) -> Result<String> {
    let url = format!("{base}/auth/token");
    let resp = http
        .post(&url)
        .basic_auth(id, Some(secret))
        .header("accept", "application/json")
        .form(&[("grant_type", "client_credentials")])
        .send()
        .await
        .with_context(|| format!("cannot reach {url}"))?;
    let status = resp.status();
    let body = resp
        .bytes()
        .await
        .with_context(|| format!("reading {url}"))?;
    let text = String::from_utf8_lossy(&body[..body.len().min(MAX_PARTNER_ANSWER)]).into_owned();
    if !status.is_success() {
        anyhow::bail!("{url} refused the credentials: {status} {text}");
    }
    let v: serde_json::Value =
        serde_json::from_str(&text).with_context(|| format!("{url}: not JSON"))?;
    v["access_token"]
        .as_str()
        .map(str::to_string)
        .with_context(|| format!("{url}: no access_token in {text}"))
}

/// One answered footprint, as `tanji pact request` reports it.
fn footprint_line(doc: &serde_json::Value) -> serde_json::Value {
    use tanji_pact::verify::verify_document;
    let proof = match doc.get("extensions").and_then(|e| e.as_array()) {
        Some(e) if !e.is_empty() => match verify_document(doc, None) {
            Ok(r) => {
                serde_json::json!({"verified": true, "footprint": r.footprint, "tree_size": r.tree_size})
            }
            Err(e) => {
                serde_json::json!({"verified": false, "field": e.field(), "error": e.to_string()})
            }
        },
        _ => serde_json::Value::Null,
    };
    let pcf = doc.get("pcf");
    serde_json::json!({
        "id": doc["id"],
        "productIds": doc["productIds"],
        "productNameCompany": doc["productNameCompany"],
        "status": doc["status"],
        "declaredUnit": pcf.and_then(|p| p.get("declaredUnit").or_else(|| p.get("declaredUnitOfMeasurement"))),
        "pcfExcludingBiogenic": pcf.and_then(|p| p.get("pCfExcludingBiogenic").or_else(|| p.get("pcfExcludingBiogenicUptake"))),
        "tanji_proof": proof,
    })
}

async fn request(args: RequestArgs, out: Output) -> Result<()> {
    use tanji_pact::events::{envelope, new_event_id, request_data, EventType};
    let (client, org, key) = args.signer.open()?;
    let source = match args.source {
        Some(s) => s,
        None => client
            .pact_inbox(org, &key)
            .await
            .context("asking the node for its PACT host's URL")?
            .pact_url
            .context(
                "the node serves no PACT host, so no answer can reach it: give --source URL",
            )?,
    };
    let to = args.to.trim_end_matches('/').to_string();
    let http = partner_http(&args.ca_cert)?;
    let token = partner_token(&http, &to, &args.client_id, &args.client_secret).await?;
    let id = new_event_id().context("drawing an event id")?;
    let time = tanji_pact::map::timestamp_secs(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or(0),
    );
    let event = envelope(
        EventType::RequestCreated,
        args.version,
        &id,
        &source,
        &time,
        request_data(args.version, &args.products, args.comment.as_deref()),
    );
    let url = format!("{to}/{}/events", args.version);
    let resp = http
        .post(&url)
        .bearer_auth(&token)
        .header(
            "content-type",
            "application/cloudevents+json; charset=UTF-8",
        )
        .body(event.to_string())
        .send()
        .await
        .with_context(|| format!("cannot reach {url}"))?;
    if !resp.status().is_success() {
        let status = resp.status();
        let body = resp.text().await.unwrap_or_default();
        anyhow::bail!(
            "{url} refused the request: {status} {}",
            &body[..body.len().min(MAX_PARTNER_ANSWER)]
        );
    }
    out.note(&format!(
        "request {id} sent to {to}; waiting up to {} s for the answer at {source}",
        args.wait
    ));
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(args.wait);
    let answer = loop {
        if let Some(a) = client
            .pact_answer(&id, org, &key)
            .await
            .context("reading the answer from the node")?
        {
            break a.event;
        }
        if std::time::Instant::now() >= deadline {
            anyhow::bail!(
                "no answer to request {id} within {} s (it may still come: tanji pact inbox)",
                args.wait
            );
        }
        tokio::time::sleep(std::time::Duration::from_secs(1)).await;
    };
    let data = &answer["data"];
    let Some(pfs) = data["pfs"].as_array() else {
        let msg = format!(
            "{to} rejected request {id}: {} {}",
            data["error"]["code"].as_str().unwrap_or("?"),
            data["error"]["message"].as_str().unwrap_or("")
        );
        if out.json {
            out.print(
                &serde_json::json!({"request_id": id, "answer": "rejected", "from": answer["source"], "error": data["error"]}),
                String::new,
            );
            return Err(super::ReportedFailure(msg).into());
        }
        anyhow::bail!(msg);
    };
    if let Some(path) = &args.out {
        std::fs::write(path, format!("{}\n", serde_json::to_string_pretty(pfs)?))
            .with_context(|| format!("writing {}", path.display()))?;
    }
    let footprints: Vec<_> = pfs.iter().map(footprint_line).collect();
    out.print(
        &serde_json::json!({"request_id": id, "answer": "fulfilled", "from": answer["source"], "footprints": footprints}),
        || {
            let mut s = format!("{to} answered request {id} with {} footprint(s)", footprints.len());
            for f in &footprints {
                let proof = match &f["tanji_proof"] {
                    serde_json::Value::Null => "no Tanji proof".to_string(),
                    p if p["verified"] == true => format!(
                        "Tanji proof verifies (log size {}; pin the validators with tanji verify pact --validators)",
                        p["tree_size"]
                    ),
                    p => format!("Tanji proof FAILS on {}", p["field"]),
                };
                s.push_str(&format!(
                    "\n  {}  {}  {} kgCO2e per {}  {}",
                    f["id"].as_str().unwrap_or("?"),
                    f["productIds"],
                    f["pcfExcludingBiogenic"].as_str().unwrap_or("?"),
                    f["declaredUnit"].as_str().unwrap_or("?"),
                    proof
                ));
            }
            if let Some(path) = &args.out {
                s.push_str(&format!("\nwritten to {}", path.display()));
            }
            s
        },
    );
    Ok(())
}

async fn import(
    file: PathBuf,
    validators: Option<PathBuf>,
    quorum: Option<usize>,
    supersedes: Option<TxId>,
    signer: Signer,
    out: Output,
) -> Result<()> {
    use tanji_ledger::tx::TxKind;
    use tanji_pact::verify::MAX_DOCUMENT_BYTES;
    let len = std::fs::metadata(&file)
        .with_context(|| format!("reading {}", file.display()))?
        .len();
    if len > MAX_DOCUMENT_BYTES as u64 {
        anyhow::bail!(
            "{}: {len} bytes, more than {MAX_DOCUMENT_BYTES}",
            file.display()
        );
    }
    let bytes = std::fs::read(&file).with_context(|| format!("reading {}", file.display()))?;
    let pinned = super::verify::pinned_keys(&validators, quorum)?;
    let mut imported =
        tanji_pact::import::declare(&bytes, pinned.as_ref().map(|(k, q)| (k.as_slice(), *q)))
            .with_context(|| format!("{} cannot be imported", file.display()))?;
    imported.attestation.supersedes = supersedes;
    for r in &imported.rounded {
        out.note(&format!("rounded: {r}"));
    }
    let declared = imported
        .attestation
        .privacy
        .declared()
        .map(tanji_ledger::carbon::tree::declared_leaf)
        .unwrap_or_default();
    out.note(&format!(
        "{}: {} mg CO2e per {} {}; {declared}",
        imported.attestation.product.name,
        imported.attestation.results.total_mg,
        tanji_ledger::carbon::units::format_micro(imported.attestation.declared_unit_amount),
        imported.attestation.declared_unit,
    ));
    let producer = OrgKeyFile::load(&signer.key)?;
    let client = signer.node.client()?;
    let tx = tanji_sdk::build::sign_as(
        &client,
        &producer,
        TxKind::AttestFootprint(imported.attestation),
    )
    .await?;
    super::tx::submit_and_report(&client, &tx, true, out).await
}

pub async fn run(cmd: PactCommand, out: Output) -> Result<()> {
    match cmd {
        PactCommand::Import {
            file,
            validators,
            quorum,
            supersedes,
            signer,
        } => import(file, validators, quorum, supersedes, signer, out).await,
        PactCommand::Request(args) => request(args, out).await,
        PactCommand::Inbox { signer } => {
            let (client, org, key) = signer.open()?;
            let inbox = client
                .pact_inbox(org, &key)
                .await
                .context("reading the PACT inbox")?;
            out.print(&inbox, || {
                lines(
                    &inbox.events,
                    format!("no PACT events for {org} on this node"),
                    |e| {
                        format!(
                            "{}  {}  from {}  {}",
                            e.received,
                            e.event["type"].as_str().unwrap_or("?"),
                            e.event["source"].as_str().unwrap_or("?"),
                            e.event["id"].as_str().unwrap_or("?")
                        )
                    },
                )
            });
            Ok(())
        }
        PactCommand::Client(c) => client_command(c, out).await,
        PactCommand::Callback(c) => callback_command(c, out).await,
        PactCommand::Export {
            id,
            version,
            out: file,
            node,
        } => {
            let doc = node
                .client()?
                .footprint_pact(&id, version)
                .await
                .with_context(|| format!("PACT v{version} document of {id}"))?;
            let text = serde_json::to_string_pretty(&doc)?;
            match file {
                Some(path) => {
                    std::fs::write(&path, format!("{text}\n"))
                        .with_context(|| format!("writing {}", path.display()))?;
                    out.print(
                        &serde_json::json!({"written": path, "version": version, "footprint": id}),
                        || {
                            format!(
                                "wrote the PACT v{version} document of {id} to {}",
                                path.display()
                            )
                        },
                    );
                }
                None => super::output::emit(&text),
            }
            Ok(())
        }
    }
}

//! PACT credentials of the demo: a partner organisation (a customer of the
//! laptop maker) gets a client credential on the node, and `DIR/pact.json`
//! tells PACT tools where and how to connect:
//!
//! ```json
//! {"base_url": "https://127.0.0.1:P", "client_id": "…", "client_secret": "…",
//!  "ca_cert": "/…/pact-tls/ca.pem"}
//! ```
//!
//! The secret exists only in that file (the node keeps a salted hash). A
//! restart keeps the credential when the node still knows it, so the file
//! stays valid; otherwise a new one is made.

use std::path::{Path, PathBuf};

use anyhow::{Context as _, Result};
use serde::{Deserialize, Serialize};
use tanji_ledger::keyfile::OrgKeyFile;
use tanji_ledger::store::PrivateRecords;
use tanji_sdk::Client;

/// Key-file stem of the demo partner organisation.
pub const PARTNER: &str = "partner";
/// The file written in the data folder.
pub const PACT_FILE: &str = "pact.json";
const LABEL: &str = "demo PACT partner (written to pact.json)";

/// What `DIR/pact.json` holds.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct PactDemo {
    /// Root of `/2/...`, `/3/...` and `/auth/token`.
    pub base_url: String,
    /// OAuth client id.
    pub client_id: String,
    /// OAuth client secret.
    pub client_secret: String,
    /// The PEM of the authority that signs the node's certificate.
    pub ca_cert: PathBuf,
}

fn partner(keys_dir: &Path) -> Result<OrgKeyFile> {
    let path = keys_dir.join(format!("{PARTNER}.json"));
    OrgKeyFile::load(&path).with_context(|| format!("the demo partner's key {}", path.display()))
}

fn previous(out_dir: &Path) -> Option<PactDemo> {
    let text = std::fs::read_to_string(out_dir.join(PACT_FILE)).ok()?;
    serde_json::from_str(&text).ok()
}

/// Writes `out_dir/pact.json` (whole or not at all) and returns what it holds.
fn write(
    out_dir: &Path,
    base_url: &str,
    ca_cert: &Path,
    client_id: String,
    client_secret: String,
) -> Result<PactDemo> {
    let demo = PactDemo {
        base_url: base_url.to_string(),
        client_id,
        client_secret,
        ca_cert: ca_cert.to_path_buf(),
    };
    let path = out_dir.join(PACT_FILE);
    let tmp = path.with_extension("json.tmp");
    std::fs::write(&tmp, serde_json::to_vec_pretty(&demo)?)?;
    std::fs::rename(&tmp, &path)?;
    Ok(demo)
}

/// Issues (or keeps) the partner's credential in a dev node's own store and
/// writes `out_dir/pact.json`.
pub fn issue_local(
    records: &dyn PrivateRecords,
    keys_dir: &Path,
    out_dir: &Path,
    base_url: &str,
    ca_cert: &Path,
) -> Result<PactDemo> {
    let org = partner(keys_dir)?.org_id;
    let kept = previous(out_dir).filter(|p| {
        tanji_pact::clients::get(records, &p.client_id)
            .ok()
            .flatten()
            .is_some_and(|c| c.org == org && c.accepts(&p.client_secret))
    });
    let (client_id, client_secret) = match kept {
        Some(p) => (p.client_id, p.client_secret),
        None => {
            let now = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_secs())
                .unwrap_or(0);
            let new = tanji_pact::clients::create(records, org, LABEL, now)?;
            (new.stored.client_id, new.secret)
        }
    };
    write(out_dir, base_url, ca_cert, client_id, client_secret)
}

/// Issues (or keeps) the partner's credential on the node at `http_url`
/// through its signed API, and writes `out_dir/pact.json`.
pub async fn issue_remote(
    http_url: &str,
    keys_dir: &Path,
    out_dir: &Path,
    base_url: &str,
    ca_cert: &Path,
) -> Result<PactDemo> {
    let partner = partner(keys_dir)?;
    let key = partner.signing_key()?;
    let client = Client::new(http_url)?;
    let known = client.pact_clients(partner.org_id, &key).await?;
    // The URL changes when the node restarts on a free port; the credential
    // stays valid as long as the node knows it.
    let kept =
        previous(out_dir).filter(|p| known.clients.iter().any(|c| c.client_id == p.client_id));
    let (client_id, client_secret) = match kept {
        Some(p) => (p.client_id, p.client_secret),
        None => {
            let new = client
                .create_pact_client(LABEL, partner.org_id, &key)
                .await?;
            (new.client.client_id, new.client_secret)
        }
    };
    write(out_dir, base_url, ca_cert, client_id, client_secret)
}

/// The certified laptop's attestation id, from `out_dir/demo.json`.
pub fn laptop_footprint(out_dir: &Path) -> Option<String> {
    let text = std::fs::read_to_string(out_dir.join("demo.json")).ok()?;
    let v: serde_json::Value = serde_json::from_str(&text).ok()?;
    v["laptop"]["footprint"].as_str().map(str::to_string)
}

/// The commands a newcomer runs against the demo's PACT host.
pub fn print_commands(demo: &PactDemo, pact_file: &Path, footprint: Option<&str>) {
    let ca = demo.ca_cert.display();
    let base = &demo.base_url;
    println!(
        "PACT host {base} (credentials of the demo partner in {})",
        pact_file.display()
    );
    println!(
        "  token  TOKEN=$(curl -s --cacert {ca} -u {}:{} -d grant_type=client_credentials {base}/auth/token | sed 's/.*\"access_token\":\"\\([^\"]*\\)\".*/\\1/')",
        demo.client_id, demo.client_secret
    );
    println!("  list   curl -s --cacert {ca} -H \"Authorization: Bearer $TOKEN\" '{base}/3/footprints?limit=2' -D -");
    if let Some(id) = footprint {
        let pf = id
            .parse::<tanji_ledger::TxId>()
            .ok()
            .map(|tx| tanji_pact::pf_id(&tx).to_string());
        if let Some(pf) = pf {
            println!("  get    curl -s --cacert {ca} -H \"Authorization: Bearer $TOKEN\" {base}/3/footprints/{pf} > laptop.pact.json");
            println!("  verify tanji verify pact laptop.pact.json  (the proof inside names the validators' keys)");
        }
    }
}

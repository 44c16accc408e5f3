//! `tanji key`.

use std::path::PathBuf;

use anyhow::{Context as _, Result};
use clap::Subcommand;
use tanji_ledger::keyfile::OrgKeyFile;
use tanji_ledger::tx::{Role, Roles};

use super::output::Output;

#[derive(Subcommand)]
pub enum KeyCommand {
    /// Generate an organisation's keys (ed25519 signing, X25519 encryption) into a new file.
    New {
        /// Organisation name.
        #[arg(long)]
        name: String,
        /// Company id URN, e.g. urn:uscc:91110108MA01XXXXXX.
        #[arg(long)]
        company_id: String,
        /// Roles, comma separated: supplier, verifier, factor-publisher, regulator, validator.
        #[arg(long, value_delimiter = ',', default_value = "supplier")]
        roles: Vec<Role>,
        /// Where to write the key file (must not exist).
        #[arg(long)]
        out: PathBuf,
    },
    /// Show the public part of a key file.
    Show {
        /// The key file.
        file: PathBuf,
    },
}

pub fn run(cmd: KeyCommand, out: Output) -> Result<()> {
    match cmd {
        KeyCommand::New {
            name,
            company_id,
            roles,
            out: path,
        } => {
            let roles: Roles = roles.into_iter().collect();
            let kf = OrgKeyFile::generate(&name, &company_id, roles)?;
            kf.record()
                .check_form()
                .context("invalid organisation details")?;
            kf.save(&path)?;
            show(&kf, out, Some(&path));
            Ok(())
        }
        KeyCommand::Show { file } => {
            let kf = OrgKeyFile::load(&file)?;
            show(&kf, out, None);
            Ok(())
        }
    }
}

fn show(kf: &OrgKeyFile, out: Output, written: Option<&PathBuf>) {
    let v = serde_json::json!({
        "org_id": kf.org_id,
        "name": kf.name,
        "company_id": kf.company_id,
        "roles": kf.roles,
        "signing_key": kf.signing_key,
        "encryption_key": kf.encryption_key,
        "file": written.map(|p| p.display().to_string()),
    });
    out.print(&v, || {
        let mut s = format!(
            "org id         {}\nname           {}\ncompany id     {}\nroles          {}\nsigning key    {}\nencryption key {}",
            kf.org_id,
            kf.name,
            kf.company_id,
            kf.roles.iter().map(|r| r.to_string()).collect::<Vec<_>>().join(", "),
            kf.signing_key,
            hex::encode(kf.encryption_key.0),
        );
        if let Some(p) = written {
            s.push_str(&format!("\nwritten to     {} (keep it secret)", p.display()));
        }
        s
    });
}

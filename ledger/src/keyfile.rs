//! Key files: an organisation's or a node's secret keys as JSON on disk.
//!
//! Files are written with mode 0600 and never overwritten. Loading checks the
//! stored public keys against the secrets, so a damaged or hand-edited file is
//! refused rather than silently signing with another key.

use std::fs;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::crypto::{EncryptionKey, EncryptionSecret, KeyError, PublicKey, SecretKey};
use crate::ids::OrgId;
use crate::tx::{OrgRecord, Roles};

/// Largest key file read.
const MAX_KEY_FILE: u64 = 64 * 1024;

/// A key file could not be used.
#[derive(Debug, thiserror::Error)]
pub enum KeyFileError {
    /// Reading or writing failed.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The error.
        source: std::io::Error,
    },
    /// The file is not a key file.
    #[error("{path}: not a Tanji key file: {why}")]
    Invalid {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        why: String,
    },
    /// Key generation failed.
    #[error(transparent)]
    Key(#[from] KeyError),
}

/// An organisation's keys and registration details.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct OrgKeyFile {
    /// Display name.
    pub name: String,
    /// Company id URN.
    pub company_id: String,
    /// Derived org id (checked on load).
    pub org_id: OrgId,
    /// Roles applied for / held.
    pub roles: Roles,
    /// ed25519 seed, hex.
    pub signing_secret: String,
    /// ed25519 public key.
    pub signing_key: PublicKey,
    /// X25519 secret, hex.
    pub encryption_secret: String,
    /// X25519 public key.
    pub encryption_key: EncryptionKey,
}

impl OrgKeyFile {
    /// Fresh keys for an organisation.
    pub fn generate(name: &str, company_id: &str, roles: Roles) -> Result<Self, KeyError> {
        let signing = SecretKey::generate()?;
        let encryption = EncryptionSecret::generate()?;
        Ok(Self::from_secrets(
            name,
            company_id,
            roles,
            &signing,
            &encryption,
        ))
    }

    /// A key file for given secrets.
    pub fn from_secrets(
        name: &str,
        company_id: &str,
        roles: Roles,
        signing: &SecretKey,
        encryption: &EncryptionSecret,
    ) -> Self {
        Self {
            name: name.to_string(),
            company_id: company_id.to_string(),
            org_id: OrgId::from_company_id(company_id),
            roles,
            signing_secret: hex::encode(*signing.seed()),
            signing_key: signing.public(),
            encryption_secret: hex::encode(*encryption.to_bytes()),
            encryption_key: encryption.public(),
        }
    }

    /// The same organisation's key file with one key replaced by a freshly
    /// generated one (for a key rotation); the other key is kept.
    pub fn with_new_key(&self, purpose: crate::tx::KeyPurpose) -> Result<Self, KeyError> {
        let mut next = self.clone();
        match purpose {
            crate::tx::KeyPurpose::Signing => {
                let signing = SecretKey::generate()?;
                next.signing_secret = hex::encode(*signing.seed());
                next.signing_key = signing.public();
            }
            crate::tx::KeyPurpose::Encryption => {
                let encryption = EncryptionSecret::generate()?;
                next.encryption_secret = hex::encode(*encryption.to_bytes());
                next.encryption_key = encryption.public();
            }
        }
        Ok(next)
    }

    /// The signing key (checked against the stored public key).
    pub fn signing_key(&self) -> Result<SecretKey, KeyError> {
        let key = SecretKey::from_seed(&crate::crypto::decode_hex_32(&self.signing_secret)?);
        if key.public() != self.signing_key {
            return Err(KeyError::Encoding(
                "signing secret does not match signing_key".into(),
            ));
        }
        Ok(key)
    }

    /// The encryption secret (checked against the stored public key).
    pub fn encryption_secret(&self) -> Result<EncryptionSecret, KeyError> {
        let s =
            EncryptionSecret::from_bytes(crate::crypto::decode_hex_32(&self.encryption_secret)?);
        if s.public() != self.encryption_key {
            return Err(KeyError::Encoding(
                "encryption secret does not match encryption_key".into(),
            ));
        }
        Ok(s)
    }

    /// The registration record for these keys.
    pub fn record(&self) -> OrgRecord {
        OrgRecord {
            name: self.name.clone(),
            company_id: self.company_id.clone(),
            signing_key: self.signing_key,
            encryption_key: self.encryption_key,
            roles: self.roles,
        }
    }

    /// Reads and checks a key file.
    pub fn load(path: &Path) -> Result<Self, KeyFileError> {
        let file: Self = read_json(path)?;
        let invalid = |why: String| KeyFileError::Invalid {
            path: path.to_path_buf(),
            why,
        };
        if OrgId::from_company_id(&file.company_id) != file.org_id {
            return Err(invalid("org_id does not derive from company_id".into()));
        }
        file.signing_key().map_err(|e| invalid(e.to_string()))?;
        file.encryption_secret()
            .map_err(|e| invalid(e.to_string()))?;
        Ok(file)
    }

    /// Writes the file (mode 0600); refuses to overwrite an existing one.
    pub fn save(&self, path: &Path) -> Result<(), KeyFileError> {
        write_private_json(path, self)
    }
}

/// A node's key: signs checkpoints (and authenticates the node to peers).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct NodeKeyFile {
    /// Key name on checkpoint signature lines.
    pub name: String,
    /// ed25519 seed, hex.
    pub signing_secret: String,
    /// ed25519 public key.
    pub signing_key: PublicKey,
}

impl NodeKeyFile {
    /// A fresh node key.
    pub fn generate(name: &str) -> Result<Self, KeyError> {
        let key = SecretKey::generate()?;
        Ok(Self {
            name: name.to_string(),
            signing_secret: hex::encode(*key.seed()),
            signing_key: key.public(),
        })
    }

    /// The secret key (checked against the stored public key).
    pub fn secret(&self) -> Result<SecretKey, KeyError> {
        let key = SecretKey::from_seed(&crate::crypto::decode_hex_32(&self.signing_secret)?);
        if key.public() != self.signing_key {
            return Err(KeyError::Encoding(
                "signing secret does not match signing_key".into(),
            ));
        }
        Ok(key)
    }

    /// Reads and checks a node key file.
    pub fn load(path: &Path) -> Result<Self, KeyFileError> {
        let file: Self = read_json(path)?;
        file.secret().map_err(|e| KeyFileError::Invalid {
            path: path.to_path_buf(),
            why: e.to_string(),
        })?;
        Ok(file)
    }

    /// Writes the file (mode 0600); refuses to overwrite an existing one.
    pub fn save(&self, path: &Path) -> Result<(), KeyFileError> {
        write_private_json(path, self)
    }
}

fn read_json<T: serde::de::DeserializeOwned>(path: &Path) -> Result<T, KeyFileError> {
    let io = |source| KeyFileError::Io {
        path: path.to_path_buf(),
        source,
    };
    let len = fs::metadata(path).map_err(io)?.len();
    if len > MAX_KEY_FILE {
        return Err(KeyFileError::Invalid {
            path: path.to_path_buf(),
            why: format!("{len} bytes is too large"),
        });
    }
    let text = fs::read_to_string(path).map_err(io)?;
    serde_json::from_str(&text).map_err(|e| KeyFileError::Invalid {
        path: path.to_path_buf(),
        why: e.to_string(),
    })
}

/// Writes `value` as pretty JSON to a new file readable by its owner only
/// (mode 0600 on Unix), synced to disk; refuses to overwrite an existing
/// file. For key files and every other secret kept on disk (openings,
/// hidden footprints' secrets).
pub fn write_private_json<T: Serialize>(path: &Path, value: &T) -> Result<(), KeyFileError> {
    let io = |source| KeyFileError::Io {
        path: path.to_path_buf(),
        source,
    };
    let text = serde_json::to_string_pretty(value).map_err(|e| KeyFileError::Invalid {
        path: path.to_path_buf(),
        why: e.to_string(),
    })?;
    let mut opts = fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        opts.mode(0o600);
    }
    let mut f = opts.open(path).map_err(io)?;
    f.write_all(text.as_bytes()).map_err(io)?;
    f.write_all(b"\n").map_err(io)?;
    f.sync_all().map_err(io)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tx::Role;

    #[test]
    fn save_load_round_trip_and_tamper() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("org.json");
        let roles: Roles = [Role::Supplier].into_iter().collect();
        let kf =
            OrgKeyFile::generate("Acme 铝业", "urn:uscc:911100000000000042", roles).expect("keys");
        kf.save(&path).expect("save");
        assert!(kf.save(&path).is_err(), "must not overwrite");
        let loaded = OrgKeyFile::load(&path).expect("load");
        assert_eq!(loaded.record(), kf.record());
        let text = fs::read_to_string(&path).expect("read");
        let tampered = text.replace(
            &kf.signing_key.to_hex(),
            &SecretKey::from_seed(&[1; 32]).public().to_hex(),
        );
        let bad = dir.path().join("bad.json");
        fs::write(&bad, tampered).expect("write");
        assert!(matches!(
            OrgKeyFile::load(&bad),
            Err(KeyFileError::Invalid { .. })
        ));
    }
}

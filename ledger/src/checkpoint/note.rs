use std::fmt;

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine as _;
use sha2::Digest as _;

use super::{MAX_NOTE_BYTES, MAX_SIGNATURES};
use crate::crypto::{PublicKey, SecretKey, Signature};
use crate::merkle::Hash;

const ED25519_ALG: u8 = 0x01;
const SIG_PREFIX: &str = "\u{2014} ";

/// A note could not be parsed or did not verify.
#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
pub enum NoteError {
    /// Not a well-formed signed note or checkpoint.
    #[error("malformed note: {0}")]
    Malformed(String),
    /// Fewer valid signatures from trusted keys than required.
    #[error("{have} valid signatures from trusted keys, {need} required")]
    NotEnoughSignatures {
        /// Valid signatures by distinct trusted keys.
        have: usize,
        /// Required.
        need: usize,
    },
    /// A line from a trusted key name and id whose signature is wrong.
    #[error("signature by {0} does not verify")]
    BadSignature(String),
    /// A verifier key string is malformed.
    #[error("bad verifier key: {0}")]
    BadVerifierKey(String),
}

/// A log's state: origin (network), size and root.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Checkpoint<'a> {
    /// The log's origin line.
    pub origin: &'a str,
    /// Number of entries.
    pub size: u64,
    /// Merkle root of the first `size` entries.
    pub root: Hash,
}

impl Checkpoint<'_> {
    /// The note text: `origin\nsize\nbase64(root)\n`.
    pub fn text(&self) -> String {
        format!(
            "{}\n{}\n{}\n",
            self.origin,
            self.size,
            B64.encode(self.root)
        )
    }
}

/// A public key that may sign notes, with its name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NoteVerifier {
    /// Key name, as on signature lines.
    pub name: String,
    /// The ed25519 key.
    pub key: PublicKey,
}

impl NoteVerifier {
    /// The C2SP key id: `SHA-256(name ‖ "\n" ‖ 0x01 ‖ key)[..4]`.
    pub fn key_id(&self) -> [u8; 4] {
        let mut h = sha2::Sha256::new();
        h.update(self.name.as_bytes());
        h.update(b"\n");
        h.update([ED25519_ALG]);
        h.update(self.key.0);
        let d = h.finalize();
        [d[0], d[1], d[2], d[3]]
    }

    /// `name+hexkeyid+base64(0x01‖key)`, the vkey form.
    pub fn to_vkey(&self) -> String {
        let mut k = vec![ED25519_ALG];
        k.extend_from_slice(&self.key.0);
        format!(
            "{}+{}+{}",
            self.name,
            hex::encode(self.key_id()),
            B64.encode(k)
        )
    }

    /// Parses the vkey form and checks the key id matches.
    pub fn from_vkey(s: &str) -> Result<Self, NoteError> {
        let bad = |why: &str| NoteError::BadVerifierKey(format!("{why}: {:.80}", s));
        let mut parts = s.trim().splitn(3, '+');
        let (Some(name), Some(id), Some(key)) = (parts.next(), parts.next(), parts.next()) else {
            return Err(bad("expected name+keyid+key"));
        };
        crate::text::check_key_name(name).map_err(|e| bad(&e.to_string()))?;
        let key = B64.decode(key).map_err(|_| bad("key is not base64"))?;
        if key.len() != 33 || key[0] != ED25519_ALG {
            return Err(bad("not an Ed25519 key"));
        }
        let mut pk = [0u8; 32];
        pk.copy_from_slice(&key[1..]);
        let v = NoteVerifier {
            name: name.to_string(),
            key: PublicKey(pk),
        };
        v.key.check().map_err(|e| bad(&e.to_string()))?;
        if hex::encode(v.key_id()) != id {
            return Err(bad("key id does not match name and key"));
        }
        Ok(v)
    }
}

/// Signs notes: a key and the name it signs under (a validator node's, a witness's).
#[derive(Clone, Debug)]
pub struct NoteSigner {
    /// Key name on signature lines.
    pub name: String,
    /// The key.
    pub key: SecretKey,
}

impl NoteSigner {
    /// The matching verifier.
    pub fn verifier(&self) -> NoteVerifier {
        NoteVerifier {
            name: self.name.clone(),
            key: self.key.public(),
        }
    }
}

/// A note with its signature lines.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SignedNote {
    /// The signed text, ending in a newline.
    pub text: String,
    /// Signature lines as (key name, key id, signature).
    pub signatures: Vec<(String, [u8; 4], Signature)>,
}

impl SignedNote {
    /// Signs `text` with `key` under `name`.
    pub fn sign(text: String, name: &str, key: &SecretKey) -> Self {
        let mut note = SignedNote {
            text,
            signatures: Vec::new(),
        };
        note.add_signature(name, key);
        note
    }

    /// Adds a signature line (a cosignature); replaces an earlier one by the same key.
    pub fn add_signature(&mut self, name: &str, key: &SecretKey) {
        let verifier = NoteVerifier {
            name: name.to_string(),
            key: key.public(),
        };
        let id = verifier.key_id();
        self.signatures.retain(|(n, i, _)| !(n == name && *i == id));
        let sig = key.sign_raw(self.text.as_bytes());
        self.signatures.push((name.to_string(), id, sig));
    }

    /// Parses a signed note (bounded, strict).
    pub fn parse(s: &str) -> Result<Self, NoteError> {
        let bad = |why: String| NoteError::Malformed(why);
        if s.len() > MAX_NOTE_BYTES {
            return Err(bad(format!(
                "{} bytes, more than {MAX_NOTE_BYTES}",
                s.len()
            )));
        }
        let Some(split) = s.find("\n\n") else {
            return Err(bad("no blank line between text and signatures".into()));
        };
        let text = &s[..split + 1];
        let sigs = &s[split + 2..];
        if text.chars().any(|c| c.is_control() && c != '\n') {
            return Err(bad("note text contains control characters".into()));
        }
        if !sigs.ends_with('\n') {
            return Err(bad("signature block must end in a newline".into()));
        }
        let mut signatures = Vec::new();
        for line in sigs[..sigs.len() - 1].split('\n') {
            if signatures.len() == MAX_SIGNATURES {
                return Err(bad(format!("more than {MAX_SIGNATURES} signatures")));
            }
            let Some(rest) = line.strip_prefix(SIG_PREFIX) else {
                return Err(bad(format!(
                    "signature line must start with '— ': {line:.80}"
                )));
            };
            let Some((name, b64)) = rest.split_once(' ') else {
                return Err(bad(format!(
                    "signature line needs a name and a signature: {line:.80}"
                )));
            };
            if crate::text::check_key_name(name).is_err() {
                return Err(bad(format!("bad key name {name:.80}")));
            }
            let raw = B64
                .decode(b64)
                .map_err(|_| bad(format!("signature of {name:.80} is not base64")))?;
            // Other algorithms' signatures may have other lengths; we keep only Ed25519 ones.
            if raw.len() != 68 {
                continue;
            }
            let mut id = [0u8; 4];
            id.copy_from_slice(&raw[..4]);
            let mut sig = [0u8; 64];
            sig.copy_from_slice(&raw[4..]);
            signatures.push((name.to_string(), id, Signature(sig)));
        }
        Ok(SignedNote {
            text: text.to_string(),
            signatures,
        })
    }

    /// Parses the text as a checkpoint.
    pub fn checkpoint(&self) -> Result<Checkpoint<'_>, NoteError> {
        let bad = |why: &str| NoteError::Malformed(format!("not a checkpoint: {why}"));
        let mut lines = self.text.split_terminator('\n');
        let origin = lines
            .next()
            .filter(|o| !o.is_empty())
            .ok_or_else(|| bad("no origin"))?;
        let size = lines.next().ok_or_else(|| bad("no size"))?;
        if size.is_empty()
            || (size.len() > 1 && size.starts_with('0'))
            || !size.bytes().all(|b| b.is_ascii_digit())
        {
            return Err(bad("size is not a decimal number without leading zeros"));
        }
        let size: u64 = size.parse().map_err(|_| bad("size out of range"))?;
        let root = lines.next().ok_or_else(|| bad("no root"))?;
        let root = B64.decode(root).map_err(|_| bad("root is not base64"))?;
        let root: Hash = root.try_into().map_err(|_| bad("root is not 32 bytes"))?;
        // C2SP allows extension lines after the root; Tanji writes none and ignores them.
        Ok(Checkpoint { origin, size, root })
    }

    /// Counts valid signatures by distinct keys in `trusted`; errors unless at least `quorum`.
    /// A line that names a trusted key (name and id) but whose signature is wrong is an error:
    /// it is evidence of tampering, not noise.
    pub fn verify(&self, trusted: &[NoteVerifier], quorum: usize) -> Result<usize, NoteError> {
        let mut seen: Vec<&PublicKey> = Vec::new();
        for (name, id, sig) in &self.signatures {
            let Some(v) = trusted
                .iter()
                .find(|v| v.name == *name && v.key_id() == *id)
            else {
                continue;
            };
            v.key
                .verify_raw(self.text.as_bytes(), sig)
                .map_err(|_| NoteError::BadSignature(name.clone()))?;
            if !seen.contains(&&v.key) {
                seen.push(&v.key);
            }
        }
        if seen.len() < quorum.max(1) {
            return Err(NoteError::NotEnoughSignatures {
                have: seen.len(),
                need: quorum.max(1),
            });
        }
        Ok(seen.len())
    }
}

impl fmt::Display for SignedNote {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)?;
        f.write_str("\n")?;
        for (name, id, sig) in &self.signatures {
            let mut raw = id.to_vec();
            raw.extend_from_slice(&sig.0);
            writeln!(f, "{SIG_PREFIX}{name} {}", B64.encode(raw))?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn signer() -> (SecretKey, NoteVerifier) {
        let k = SecretKey::from_seed(&[3u8; 32]);
        let v = NoteVerifier {
            name: "validator-0".into(),
            key: k.public(),
        };
        (k, v)
    }

    #[test]
    fn round_trip_and_verify() {
        let (k, v) = signer();
        let cp = Checkpoint {
            origin: "dev.tanji.local",
            size: 5,
            root: [9u8; 32],
        };
        let note = SignedNote::sign(cp.text(), &v.name, &k);
        let text = note.to_string();
        let parsed = SignedNote::parse(&text).expect("parses");
        assert_eq!(parsed, note);
        assert_eq!(parsed.checkpoint().expect("checkpoint"), cp);
        assert_eq!(parsed.verify(std::slice::from_ref(&v), 1), Ok(1));
        assert_eq!(NoteVerifier::from_vkey(&v.to_vkey()), Ok(v.clone()));
    }

    #[test]
    fn tampering_is_detected() {
        let (k, v) = signer();
        let note = SignedNote::sign(
            "o\n1\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n".into(),
            &v.name,
            &k,
        );
        let text = note.to_string().replacen("\n1\n", "\n2\n", 1);
        let parsed = SignedNote::parse(&text).expect("parses");
        assert_eq!(
            parsed.verify(std::slice::from_ref(&v), 1),
            Err(NoteError::BadSignature("validator-0".into()))
        );
        // Unknown signers don't count.
        let other = NoteVerifier {
            name: "other".into(),
            key: SecretKey::from_seed(&[4u8; 32]).public(),
        };
        assert!(matches!(
            note.verify(&[other], 1),
            Err(NoteError::NotEnoughSignatures { have: 0, need: 1 })
        ));
    }

    proptest::proptest! {
        #[test]
        fn parsing_arbitrary_text_never_panics(s in "(\\PC|\n|\u{2014} ){0,300}") {
            if let Ok(note) = SignedNote::parse(&s) {
                let _ = note.checkpoint();
                if !note.signatures.is_empty() {
                    proptest::prop_assert_eq!(SignedNote::parse(&note.to_string()).ok(), Some(note));
                }
            }
            let _ = NoteVerifier::from_vkey(&s);
        }
    }

    #[test]
    fn malformed_notes_are_errors() {
        for s in [
            "",
            "o\n1\n",
            "o\n1\nAA==\n\n",
            "o\n01\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n\n— a AAAA\n",
            "o\n1\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n\n- a AAAA\n",
            // Found by the signed_note fuzz target: control characters in text and name.
            "+++Je++++\0\x08\n\n\u{2014} \x01 \n",
        ] {
            let r = SignedNote::parse(s).and_then(|n| n.checkpoint().map(|_| ()));
            assert!(r.is_err(), "{s:?} should fail");
        }
    }
}

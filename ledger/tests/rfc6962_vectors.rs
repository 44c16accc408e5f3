//! The generic Merkle code, instantiated with SHA-256, against the public RFC 6962 proof vectors
//! from transparency-dev/merkle (`shared/vectors/rfc6962/testdata/{inclusion,consistency}/**`).
//!
//! Every `wantErr: false` case must verify and every `wantErr: true` case must be rejected. The
//! valid cases over the eight classic Certificate Transparency leaves are also regenerated with
//! `MemoryTree` and must come out byte for byte as in the files.
//!
//! The folder is found at `$TANJI_RFC6962_VECTORS`, or else at `../../shared/vectors/rfc6962/testdata`
//! relative to this crate (the `shared` folder sits next to the repository root). If it is not
//! there the test fails: a conformance test that passes on no input proves nothing.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};

use base64::Engine as _;
use serde::Deserialize;
use tanji_ledger::merkle::{
    root_from_inclusion_proof, verify_consistency, verify_inclusion, Hash, MemoryTree,
    MerkleHasher, NodeSource, ProofError, Sha256Hasher,
};

const ENV_VAR: &str = "TANJI_RFC6962_VECTORS";

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct InclusionCase {
    #[serde(rename = "leafIdx")]
    leaf_idx: u64,
    #[serde(rename = "treeSize")]
    tree_size: u64,
    root: String,
    #[serde(rename = "leafHash")]
    leaf_hash: String,
    proof: Option<Vec<String>>,
    desc: String,
    #[serde(rename = "wantErr")]
    want_err: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ConsistencyCase {
    size1: u64,
    size2: u64,
    root1: String,
    root2: String,
    proof: Option<Vec<String>>,
    desc: String,
    #[serde(rename = "wantErr")]
    want_err: bool,
}

fn vectors_dir() -> PathBuf {
    let (dir, origin) = match std::env::var_os(ENV_VAR) {
        Some(d) => (PathBuf::from(d), format!("from ${ENV_VAR}")),
        None => (
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/vectors/rfc6962/testdata"),
            format!("default location; set ${ENV_VAR} to override"),
        ),
    };
    assert!(
        dir.join("inclusion").is_dir() && dir.join("consistency").is_dir(),
        "RFC 6962 test vectors not found at {} ({origin}): expected the transparency-dev/merkle \
         `testdata` folder with `inclusion/` and `consistency/` inside",
        dir.display()
    );
    dir
}

/// Every `.json` file below `dir`, in a stable order.
fn json_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let entries = fs::read_dir(&d).unwrap_or_else(|e| panic!("reading {}: {e}", d.display()));
        for entry in entries {
            let path = entry
                .unwrap_or_else(|e| panic!("reading {}: {e}", d.display()))
                .path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|x| x == "json") {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

fn read_case<T: for<'de> Deserialize<'de>>(path: &Path) -> T {
    let text = fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn decode(b64: &str, path: &Path) -> Vec<u8> {
    base64::engine::general_purpose::STANDARD
        .decode(b64)
        .unwrap_or_else(|e| panic!("{}: bad base64 {b64:?}: {e}", path.display()))
}

/// Decodes a leaf hash, which must be exactly 32 bytes.
///
/// The API is typed (`[u8; 32]`), so a hash of another length cannot even be expressed: a client
/// rejects it while decoding. That is also where the reference verifier rejects it ("leafHash has
/// unexpected size"), so such cases count as rejected, under their own heading.
fn leaf_hash_field(b64: &str, path: &Path) -> Option<Hash> {
    Hash::try_from(decode(b64, path).as_slice()).ok()
}

/// Decodes a root or proof element.
///
/// The reference verifier never checks their length: roots are only compared, proof elements are
/// only hashed. The vectors rely on that, with malformed byte strings (`""`, `"WrongRoot"`,
/// `"don't care 1"`) where those go, and some cases only make sense if two such strings compare
/// equal (sizes equal, both roots "don't care 2": valid). Rejecting them while decoding would
/// sidestep the verifier, so they are mapped to a stand-in 32-byte value instead: SHA-256 of a
/// tagged copy, which keeps equal strings equal, keeps the proof's length, and is (barring a
/// SHA-256 collision) not the hash of any node in these trees. The verifier then has to reject or
/// accept the case on its own logic.
fn hash_field(b64: &str, path: &Path, malformed: &mut usize) -> Hash {
    let bytes = decode(b64, path);
    match Hash::try_from(bytes.as_slice()) {
        Ok(h) => h,
        Err(_) => {
            *malformed += 1;
            let mut tagged = b"tanji test stand-in for a non-32-byte hash field: ".to_vec();
            tagged.extend_from_slice(&bytes);
            Sha256Hasher::hash_leaf(&tagged)
        }
    }
}

fn proof_field(p: &Option<Vec<String>>, path: &Path, malformed: &mut usize) -> Vec<Hash> {
    p.iter()
        .flatten()
        .map(|h| hash_field(h, path, malformed))
        .collect()
}

/// The eight leaves every RFC 6962 vector is built from (transparency-dev/merkle).
fn classic_tree() -> MemoryTree<Sha256Hasher> {
    let leaves: [&[u8]; 8] = [
        b"",
        &[0x00],
        &[0x10],
        &[0x20, 0x21],
        &[0x30, 0x31],
        &[0x40, 0x41, 0x42, 0x43],
        &[0x50, 0x51, 0x52, 0x53, 0x54, 0x55, 0x56, 0x57],
        &[
            0x60, 0x61, 0x62, 0x63, 0x64, 0x65, 0x66, 0x67, 0x68, 0x69, 0x6a, 0x6b, 0x6c, 0x6d,
            0x6e, 0x6f,
        ],
    ];
    let mut tree = MemoryTree::new();
    for l in leaves {
        tree.push(l);
    }
    tree
}

/// Tally of one kind of case.
#[derive(Default)]
struct Tally {
    read: usize,
    valid: usize,
    invalid: usize,
    with_malformed_fields: usize,
    regenerated: usize,
    rejections: BTreeMap<&'static str, usize>,
    failures: Vec<String>,
}

impl Tally {
    fn record(&mut self, path: &Path, desc: &str, want_err: bool, result: Result<(), Rejection>) {
        self.read += 1;
        if want_err {
            self.invalid += 1;
        } else {
            self.valid += 1;
        }
        match (&result, want_err) {
            (Ok(()), true) => self
                .failures
                .push(format!("{}: {desc}: accepted, want error", path.display())),
            (Err(e), false) => self.failures.push(format!(
                "{}: {desc}: rejected ({e}), want success",
                path.display()
            )),
            (Err(e), true) => *self.rejections.entry(e.kind()).or_default() += 1,
            (Ok(()), false) => {}
        }
    }

    fn summary(&self, what: &str) -> String {
        let mut s = format!(
            "{what}: {} cases ({} valid, {} invalid; {} with non-32-byte roots or proof hashes; {} valid \
             proofs regenerated byte for byte); rejections by kind:",
            self.read, self.valid, self.invalid, self.with_malformed_fields, self.regenerated
        );
        for (k, n) in &self.rejections {
            let _ = write!(s, " {k}={n}");
        }
        s
    }
}

/// Why a case was rejected.
#[derive(Debug)]
enum Rejection {
    /// The leaf hash is not 32 bytes, so it cannot be decoded into a `Hash`.
    LeafHashNot32Bytes,
    /// The verifier rejected it.
    Proof(ProofError),
}

impl From<ProofError> for Rejection {
    fn from(e: ProofError) -> Self {
        Rejection::Proof(e)
    }
}

impl std::fmt::Display for Rejection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Rejection::LeafHashNot32Bytes => f.write_str("leaf hash is not 32 bytes"),
            Rejection::Proof(e) => write!(f, "{e}"),
        }
    }
}

impl Rejection {
    fn kind(&self) -> &'static str {
        match self {
            Rejection::LeafHashNot32Bytes => "LeafHashNot32Bytes(decode)",
            Rejection::Proof(ProofError::IndexOutOfRange { .. }) => "IndexOutOfRange",
            Rejection::Proof(ProofError::WrongProofLength { .. }) => "WrongProofLength",
            Rejection::Proof(ProofError::RootMismatch { .. }) => "RootMismatch",
            Rejection::Proof(ProofError::OldRootMismatch { .. }) => "OldRootMismatch",
            Rejection::Proof(ProofError::InvalidSizes { .. }) => "InvalidSizes",
        }
    }
}

fn check_inclusion(dir: &Path, tree: &MemoryTree<Sha256Hasher>) -> Tally {
    let mut t = Tally::default();
    for path in json_files(&dir.join("inclusion")) {
        let c: InclusionCase = read_case(&path);
        let mut malformed = 0;
        let root = hash_field(&c.root, &path, &mut malformed);
        let proof = proof_field(&c.proof, &path, &mut malformed);
        if malformed > 0 {
            t.with_malformed_fields += 1;
        }
        let Some(leaf) = leaf_hash_field(&c.leaf_hash, &path) else {
            t.record(
                &path,
                &c.desc,
                c.want_err,
                Err(Rejection::LeafHashNot32Bytes),
            );
            continue;
        };

        let result =
            verify_inclusion::<Sha256Hasher>(&leaf, c.leaf_idx, c.tree_size, &proof, &root);
        if result.is_ok() {
            // The diagnostic entry point must agree with the verifier.
            let computed =
                root_from_inclusion_proof::<Sha256Hasher>(&leaf, c.leaf_idx, c.tree_size, &proof);
            if computed != Ok(root) {
                t.failures.push(format!(
                    "{}: root_from_inclusion_proof disagrees with verify_inclusion",
                    path.display()
                ));
            }
        }
        // Valid cases about a leaf of the classic tree must be reproduced exactly: same root,
        // same proof.
        let classic_leaf =
            c.tree_size <= tree.len() && tree.perfect_node(0, c.leaf_idx).ok() == Some(leaf);
        if !c.want_err && classic_leaf {
            match (
                tree.root_at(c.tree_size),
                tree.inclusion_proof(c.leaf_idx, c.tree_size),
            ) {
                (Ok(r), Ok(p)) if r == root && p == proof => t.regenerated += 1,
                other => t.failures.push(format!(
                    "{}: regenerated root or proof differs: {other:?}",
                    path.display()
                )),
            }
        }
        t.record(&path, &c.desc, c.want_err, result.map_err(Rejection::from));
    }
    t
}

fn check_consistency(dir: &Path, tree: &MemoryTree<Sha256Hasher>) -> Tally {
    let mut t = Tally::default();
    for path in json_files(&dir.join("consistency")) {
        let c: ConsistencyCase = read_case(&path);
        let mut malformed = 0;
        let root1 = hash_field(&c.root1, &path, &mut malformed);
        let root2 = hash_field(&c.root2, &path, &mut malformed);
        let proof = proof_field(&c.proof, &path, &mut malformed);
        if malformed > 0 {
            t.with_malformed_fields += 1;
        }

        let result = verify_consistency::<Sha256Hasher>(c.size1, c.size2, &root1, &root2, &proof);
        // Valid cases with real roots are all about the classic tree and must be reproduced
        // exactly: same roots, same proof.
        if !c.want_err && malformed == 0 {
            match (
                tree.root_at(c.size1),
                tree.root_at(c.size2),
                tree.consistency_proof(c.size1, c.size2),
            ) {
                (Ok(r1), Ok(r2), Ok(p)) if r1 == root1 && r2 == root2 && p == proof => {
                    t.regenerated += 1
                }
                other => t.failures.push(format!(
                    "{}: regenerated roots or proof differ: {other:?}",
                    path.display()
                )),
            }
        }
        t.record(&path, &c.desc, c.want_err, result.map_err(Rejection::from));
    }
    t
}

#[test]
fn rfc6962_vectors() {
    let dir = vectors_dir();
    let tree = classic_tree();
    // The roots of every prefix of the classic tree, as published with these vectors
    // (transparency-dev/merkle proof/verify_test.go), checked before anything relies on the tree.
    let roots = [
        "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
        "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
        "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
        "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
        "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
        "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
    ];
    for (size, want) in (1u64..).zip(roots) {
        let got = tree.root_at(size).expect("size within tree");
        assert_eq!(
            hex::encode(got),
            want,
            "root of the first {size} classic leaves"
        );
    }
    assert_eq!(
        hex::encode(tree.root_at(0).expect("empty prefix")),
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    );

    let inclusion = check_inclusion(&dir, &tree);
    let consistency = check_consistency(&dir, &tree);
    println!("vectors: {}", dir.display());
    println!("{}", inclusion.summary("inclusion"));
    println!("{}", consistency.summary("consistency"));
    println!("total: {} cases read", inclusion.read + consistency.read);

    let failures: Vec<&String> = inclusion
        .failures
        .iter()
        .chain(&consistency.failures)
        .collect();
    assert!(
        failures.is_empty(),
        "{} of {} vector cases failed:\n{}",
        failures.len(),
        inclusion.read + consistency.read,
        failures
            .iter()
            .map(|s| s.as_str())
            .collect::<Vec<_>>()
            .join("\n")
    );
    for (what, t) in [("inclusion", &inclusion), ("consistency", &consistency)] {
        assert!(t.read > 0, "no {what} vectors read from {}", dir.display());
        assert!(
            t.valid > 0 && t.invalid > 0,
            "{what}: need both valid and invalid cases"
        );
        assert!(t.regenerated > 0, "{what}: no valid proof was regenerated");
    }
}

//! The tree's hash functions, RFC 9162 §2.1.1 with the hash as a type parameter.
//!
//! The one-byte prefixes (0x00 for leaves, 0x01 for interior nodes) are domain separation: without
//! them a 64-byte entry could be passed off as an interior node and a proof could claim an interior
//! node is a leaf (the second-preimage attack RFC 6962 closed this way).

use sha2::Digest as _;

/// 32-byte digest used by every hasher here (both BLAKE3 and SHA-256 produce 32 bytes).
pub type Hash = [u8; 32];

/// Prefix of a leaf hash input, RFC 9162 §2.1.1.
const LEAF_PREFIX: u8 = 0x00;
/// Prefix of an interior node hash input, RFC 9162 §2.1.1.
const NODE_PREFIX: u8 = 0x01;

/// The tree's hash functions (RFC 9162 §2.1: leaf = H(0x00 || data), node = H(0x01 || left ||
/// right), empty tree = H("")).
///
/// Implementations are zero-sized markers chosen at compile time, so the tree code is written once
/// and checked against the public SHA-256 vectors while Tanji itself runs on BLAKE3.
pub trait MerkleHasher: Clone + Send + Sync + 'static {
    /// MTH({}) = H(""), the root of the tree with no leaves.
    fn empty_root() -> Hash;
    /// MTH({d}) = H(0x00 || d), the hash of one entry.
    fn hash_leaf(data: &[u8]) -> Hash;
    /// H(0x01 || left || right), the hash of an interior node.
    fn hash_children(left: &Hash, right: &Hash) -> Hash;
}

/// Tanji's tree hash: BLAKE3 with RFC 9162's prefixes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Blake3Hasher;

impl MerkleHasher for Blake3Hasher {
    fn empty_root() -> Hash {
        *blake3::hash(b"").as_bytes()
    }

    fn hash_leaf(data: &[u8]) -> Hash {
        let mut h = blake3::Hasher::new();
        h.update(&[LEAF_PREFIX]);
        h.update(data);
        *h.finalize().as_bytes()
    }

    fn hash_children(left: &Hash, right: &Hash) -> Hash {
        // One contiguous buffer: a single `update` keeps BLAKE3 on its one-chunk fast path.
        let mut buf = [0u8; 65];
        buf[0] = NODE_PREFIX;
        buf[1..33].copy_from_slice(left);
        buf[33..].copy_from_slice(right);
        *blake3::hash(&buf).as_bytes()
    }
}

/// RFC 6962's SHA-256 tree hash. Tanji does not use it for its log; it exists so the generic tree
/// and proof code can be checked against the public RFC 6962 test vectors.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Sha256Hasher;

impl MerkleHasher for Sha256Hasher {
    fn empty_root() -> Hash {
        sha2::Sha256::digest(b"").into()
    }

    fn hash_leaf(data: &[u8]) -> Hash {
        let mut h = sha2::Sha256::new();
        h.update([LEAF_PREFIX]);
        h.update(data);
        h.finalize().into()
    }

    fn hash_children(left: &Hash, right: &Hash) -> Hash {
        let mut h = sha2::Sha256::new();
        h.update([NODE_PREFIX]);
        h.update(left);
        h.update(right);
        h.finalize().into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex32(s: &str) -> Hash {
        let v = hex::decode(s).expect("test constant is hex");
        v.try_into().expect("test constant is 32 bytes")
    }

    #[test]
    fn empty_roots_are_hash_of_empty_string() {
        assert_eq!(Blake3Hasher::empty_root(), *blake3::hash(b"").as_bytes());
        // The well-known SHA-256("") and BLAKE3("") digests, written out so a change of
        // implementation cannot silently change both sides of the comparison.
        assert_eq!(
            Sha256Hasher::empty_root(),
            hex32("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        );
        assert_eq!(
            Blake3Hasher::empty_root(),
            hex32("af1349b9f5f9a1a6a0404dea36dcc9499bcb25c9adc112b7cc9a93cae41f3262")
        );
    }

    #[test]
    fn blake3_matches_direct_prefixed_hashing() {
        let data = b"some entry";
        let mut leaf_input = vec![0x00];
        leaf_input.extend_from_slice(data);
        assert_eq!(
            Blake3Hasher::hash_leaf(data),
            *blake3::hash(&leaf_input).as_bytes()
        );

        let (l, r) = ([7u8; 32], [9u8; 32]);
        let mut node_input = vec![0x01];
        node_input.extend_from_slice(&l);
        node_input.extend_from_slice(&r);
        assert_eq!(
            Blake3Hasher::hash_children(&l, &r),
            *blake3::hash(&node_input).as_bytes()
        );
    }

    #[test]
    fn sha256_leaf_of_empty_entry_matches_rfc6962_vector() {
        // Leaf hash of the empty entry, the first of the classic RFC 6962 test leaves
        // (transparency-dev/merkle testdata: "bjQLnP+zepicpUTmu3gKLHiQHT+zNzh2hRGjBhevoB0=").
        assert_eq!(
            Sha256Hasher::hash_leaf(b""),
            hex32("6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d")
        );
    }

    /// Golden values, hard-coded so that any change to prefixes, argument order or hash function
    /// (which would invalidate every checkpoint ever signed) is caught here first. They were computed
    /// independently of this module, by hashing the raw prefixed inputs (0x00 || "tanji", and
    /// 0x01 || left || right) with the Python `blake3` package.
    #[test]
    fn blake3_golden_values() {
        assert_eq!(
            hex::encode(Blake3Hasher::hash_leaf(b"tanji")),
            GOLDEN_LEAF_TANJI
        );
        let a = Blake3Hasher::hash_leaf(b"a");
        let b = Blake3Hasher::hash_leaf(b"b");
        let c = Blake3Hasher::hash_leaf(b"c");
        // RFC 9162 shape for 3 leaves: split at 2, so ((a b) c).
        let root = Blake3Hasher::hash_children(&Blake3Hasher::hash_children(&a, &b), &c);
        assert_eq!(hex::encode(root), GOLDEN_ROOT_ABC);

        let mut tree = super::super::MemoryTree::<Blake3Hasher>::new();
        for e in [b"a", b"b", b"c"] {
            tree.push(e);
        }
        assert_eq!(hex::encode(tree.root()), GOLDEN_ROOT_ABC);
    }

    const GOLDEN_LEAF_TANJI: &str =
        "31af3c86c0989b1c0e967fc0962d7ab8793451bd0ab68503e1c1be9cd019b96c";
    const GOLDEN_ROOT_ABC: &str =
        "6c62dd52a0971b7d00a7cead004e0c3f3c0766e3f5359a0f8297768d2b02d03c";
}

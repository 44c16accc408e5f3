//! The byte form of a [`FootprintProof`]: versioned, bounded, canonical.
//!
//! ```text
//! version      u8 = 1
//! n            u16 LE, ≤ MAX_PROOF_INPUTS
//! n × input    C, D[5], A_C, A[5]            12 points
//!              z_q, z_s, z_δ[5]               7 scalars      (608 bytes)
//! rounding     V_rem[5], A_ρ[5]              10 points
//!              z_ρ[5]                          5 scalars      (480 bytes)
//! quantities   Bulletproof, m = n rounded up to a power of two (≥ 1):
//!              (9 + 2·log2(64·m)) × 32 bytes
//! categories   5 × Bulletproof, m = 4: 5 × 800 bytes
//! ```
//!
//! Points are compressed Ristretto255 encodings and must decompress
//! (canonical); scalars must be canonical (< ℓ), including those inside the
//! Bulletproofs. The total length must be exactly what `n` implies, so each
//! proof has exactly one encoding and `from_bytes(to_bytes(p)) == p`.
//! Decoding never panics: every read is bounds-checked.

use bulletproofs::RangeProof;
use curve25519_dalek_bp::ristretto::CompressedRistretto;
use curve25519_dalek_bp::scalar::Scalar;

use super::footprint_proof::{quantity_parties, FootprintProof, InputProof, Pt, CATEGORY_PARTIES};
use super::{scalar, ProofDecodeError, CATEGORIES, MAX_PROOF_INPUTS, PROOF_VERSION, RANGE_BITS};

const HEADER: usize = 3;
const INPUT_LEN: usize = 19 * 32;
const ROUNDING_LEN: usize = 15 * 32;

/// Size of a 64-bit Bulletproof aggregating `parties` values.
pub(crate) fn range_proof_len(parties: usize) -> usize {
    let lg = (RANGE_BITS * parties).trailing_zeros() as usize;
    (9 + 2 * lg) * 32
}

/// Exact encoded size of a proof with `n` inputs.
pub(crate) fn proof_len(n: usize) -> usize {
    HEADER
        + n * INPUT_LEN
        + ROUNDING_LEN
        + range_proof_len(quantity_parties(n))
        + CATEGORIES * range_proof_len(CATEGORY_PARTIES)
}

struct Reader<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> &'a [u8] {
        // Lengths are checked up front; an out-of-range read yields an empty slice.
        let s = self.bytes.get(self.pos..self.pos + n).unwrap_or(&[]);
        self.pos += n;
        s
    }
    fn arr(&mut self) -> [u8; 32] {
        self.take(32).try_into().unwrap_or([0xff; 32])
    }
    fn point(&mut self, what: impl Fn() -> String) -> Result<Pt, ProofDecodeError> {
        let bytes = self.arr();
        let point = CompressedRistretto(bytes)
            .decompress()
            .ok_or_else(|| ProofDecodeError::Point(what()))?;
        Ok(Pt { bytes, point })
    }
    fn scalar(&mut self, what: impl Fn() -> String) -> Result<Scalar, ProofDecodeError> {
        scalar::from_canonical(self.arr()).ok_or_else(|| ProofDecodeError::Scalar(what()))
    }
    fn points<const N: usize>(
        &mut self,
        what: impl Fn(usize) -> String,
    ) -> Result<[Pt; N], ProofDecodeError> {
        let mut out = Vec::with_capacity(N);
        for k in 0..N {
            out.push(self.point(|| what(k))?);
        }
        out.try_into().map_err(|_| ProofDecodeError::Point(what(0)))
    }
    fn scalars<const N: usize>(
        &mut self,
        what: impl Fn(usize) -> String,
    ) -> Result<[Scalar; N], ProofDecodeError> {
        let mut out = [Scalar::ZERO; N];
        for (k, o) in out.iter_mut().enumerate() {
            *o = self.scalar(|| what(k))?;
        }
        Ok(out)
    }
    fn range_proof(&mut self, parties: usize, what: &str) -> Result<RangeProof, ProofDecodeError> {
        let len = range_proof_len(parties);
        let bytes = self.take(len);
        // Every point slot must decompress: A, S, T1, T2, then the L/R pairs.
        let points = (0..4).chain(7..len / 32 - 2);
        for k in points {
            let slot: [u8; 32] = bytes
                .get(k * 32..k * 32 + 32)
                .and_then(|s| s.try_into().ok())
                .ok_or_else(|| ProofDecodeError::RangeProof(what.to_string()))?;
            if CompressedRistretto(slot).decompress().is_none() {
                return Err(ProofDecodeError::RangeProof(what.to_string()));
            }
        }
        RangeProof::from_bytes(bytes).map_err(|_| ProofDecodeError::RangeProof(what.to_string()))
    }
}

impl FootprintProof {
    /// The canonical encoding (module `encoding`).
    pub fn to_bytes(&self) -> Vec<u8> {
        let n = self.inputs.len();
        let mut out = Vec::with_capacity(proof_len(n));
        out.push(PROOF_VERSION);
        out.extend_from_slice(&(n as u16).to_le_bytes());
        for i in &self.inputs {
            out.extend_from_slice(&i.quantity.bytes);
            for d in &i.products {
                out.extend_from_slice(&d.bytes);
            }
            out.extend_from_slice(&i.nonce_quantity.bytes);
            for a in &i.nonce_products {
                out.extend_from_slice(&a.bytes);
            }
            out.extend_from_slice(i.z_quantity.as_bytes());
            out.extend_from_slice(i.z_blinding.as_bytes());
            for z in &i.z_products {
                out.extend_from_slice(z.as_bytes());
            }
        }
        for r in &self.remainders {
            out.extend_from_slice(&r.bytes);
        }
        for a in &self.nonce_rounding {
            out.extend_from_slice(&a.bytes);
        }
        for z in &self.z_rounding {
            out.extend_from_slice(z.as_bytes());
        }
        out.extend_from_slice(&self.quantity_range.to_bytes());
        for r in &self.category_range {
            out.extend_from_slice(&r.to_bytes());
        }
        out
    }

    /// Size of [`Self::to_bytes`] for a proof with `inputs` inputs.
    pub fn encoded_len(inputs: usize) -> usize {
        proof_len(inputs)
    }

    /// Decodes [`Self::to_bytes`], checking the version, the input count
    /// (≤ [`MAX_PROOF_INPUTS`]), the exact length, and that every point and
    /// scalar is canonical. Never panics.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, ProofDecodeError> {
        if bytes.first() != Some(&PROOF_VERSION) {
            return Err(ProofDecodeError::Version);
        }
        let n = match bytes.get(1..3) {
            Some(b) => usize::from(u16::from_le_bytes([b[0], b[1]])),
            None => {
                return Err(ProofDecodeError::Length {
                    got: bytes.len(),
                    expected: HEADER,
                })
            }
        };
        if n > MAX_PROOF_INPUTS {
            return Err(ProofDecodeError::TooManyInputs(n));
        }
        let expected = proof_len(n);
        if bytes.len() != expected {
            return Err(ProofDecodeError::Length {
                got: bytes.len(),
                expected,
            });
        }
        let mut r = Reader { bytes, pos: HEADER };
        let mut inputs = Vec::with_capacity(n);
        for i in 1..=n {
            inputs.push(InputProof {
                quantity: r.point(|| format!("input #{i}: quantity commitment"))?,
                products: r.points(|c| format!("input #{i}: product {c}"))?,
                nonce_quantity: r.point(|| format!("input #{i}: quantity nonce"))?,
                nonce_products: r.points(|c| format!("input #{i}: product nonce {c}"))?,
                z_quantity: r.scalar(|| format!("input #{i}: quantity response"))?,
                z_blinding: r.scalar(|| format!("input #{i}: blinding response"))?,
                z_products: r.scalars(|c| format!("input #{i}: product response {c}"))?,
            });
        }
        let remainders = r.points(|c| format!("remainder {c}"))?;
        let nonce_rounding = r.points(|c| format!("rounding nonce {c}"))?;
        let z_rounding = r.scalars(|c| format!("rounding response {c}"))?;
        let quantity_range = r.range_proof(quantity_parties(n), "the quantities' range proof")?;
        let mut category_range = Vec::with_capacity(CATEGORIES);
        for c in crate::carbon::Category::ALL {
            category_range.push(r.range_proof(
                CATEGORY_PARTIES,
                &format!("the range proof of category {}", c.as_str()),
            )?);
        }
        Ok(FootprintProof {
            inputs,
            remainders,
            nonce_rounding,
            z_rounding,
            quantity_range,
            category_range: category_range
                .try_into()
                .map_err(|_| ProofDecodeError::RangeProof("category range proofs".to_string()))?,
        })
    }
}

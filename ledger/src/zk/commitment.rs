//! Pedersen commitments to footprints and to quantities, their openings, and
//! their byte forms.
//!
//! A footprint `v` (one `i64` per [`Category`], milligrams per declared unit)
//! is committed per component, `V_c = v_c·G_c + γ_c·H`; the vector commitment
//! is `Σ_c V_c` ([`FootprintCommitment::vector`]). A quantity or amount `q`
//! (`u64` micro-units) is committed as `C = q·G_q + s·H`. Blindings are fresh
//! uniform scalars, so commitments are perfectly hiding; they are binding under
//! the discrete-log assumption.
//!
//! On the wire a commitment is its 32-byte compressed Ristretto encoding
//! ([`Commitment`], borsh-friendly). [`Commitment::decompress`] accepts only
//! canonical encodings of valid points and never panics.

use borsh::{BorshDeserialize, BorshSerialize};
use curve25519_dalek_bp::ristretto::{CompressedRistretto, RistrettoPoint};
use curve25519_dalek_bp::scalar::Scalar;
use curve25519_dalek_bp::traits::Identity;
use zeroize::{Zeroize, ZeroizeOnDrop};

use super::generators::generators;
use super::{scalar, CATEGORIES};
use crate::carbon::{Category, PerCategory};

/// A byte string is not the canonical encoding of a Ristretto255 point.
#[derive(Debug, Clone, Copy, thiserror::Error, PartialEq, Eq)]
#[error("not a canonical Ristretto255 point encoding")]
pub struct PointError;

/// A compressed Ristretto255 point: a Pedersen commitment as stored and sent.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, BorshSerialize, BorshDeserialize)]
pub struct Commitment(pub [u8; 32]);

impl Commitment {
    /// The encoding of a point.
    pub fn from_point(p: &RistrettoPoint) -> Self {
        Commitment(p.compress().to_bytes())
    }
    /// The point, if the bytes are a canonical encoding (the only one dalek accepts).
    pub fn decompress(&self) -> Result<RistrettoPoint, PointError> {
        CompressedRistretto(self.0).decompress().ok_or(PointError)
    }
    /// The bytes.
    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }
}

impl std::fmt::Debug for Commitment {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Commitment({})", hex::encode(self.0))
    }
}

/// JSON form of 32-byte values: 64 lower-case hex characters.
macro_rules! serde_hex32 {
    ($name:ident) => {
        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(&hex::encode(self.0))
            }
        }
        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = <std::borrow::Cow<'de, str> as serde::Deserialize>::deserialize(d)?;
                let mut out = [0u8; 32];
                hex::decode_to_slice(s.as_bytes(), &mut out).map_err(|e| {
                    serde::de::Error::custom(format!(
                        "{}: expected 64 hex characters ({e})",
                        stringify!($name)
                    ))
                })?;
                Ok($name(out))
            }
        }
    };
}
serde_hex32!(Commitment);
serde_hex32!(Blinding);

/// A blinding scalar as published (its 32-byte canonical encoding): what an
/// author discloses with [`FootprintOpening::published_blindings`] when it
/// makes a hidden footprint's figures public.
#[derive(Clone, Copy, PartialEq, Eq, BorshSerialize, BorshDeserialize)]
pub struct Blinding(pub [u8; 32]);

impl std::fmt::Debug for Blinding {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Blinding({})", hex::encode(self.0))
    }
}

/// A committed footprint: one commitment per category, in [`Category::ALL`] order
/// (JSON: an array of five hex strings).
#[derive(
    Clone,
    Copy,
    Debug,
    PartialEq,
    Eq,
    Hash,
    BorshSerialize,
    BorshDeserialize,
    serde::Serialize,
    serde::Deserialize,
)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub struct FootprintCommitment(pub [Commitment; CATEGORIES]);

impl FootprintCommitment {
    /// Commits to `values` with fresh random blindings; returns the commitment and its opening.
    pub fn commit(values: &PerCategory) -> Result<(Self, FootprintOpening), getrandom::Error> {
        let mut blindings = [Scalar::ZERO; CATEGORIES];
        for b in &mut blindings {
            *b = scalar::random()?;
        }
        let opening = FootprintOpening {
            values: values.0,
            blindings,
        };
        Ok((opening.commitment(), opening))
    }
    /// The component of one category.
    pub fn get(&self, c: Category) -> Commitment {
        self.0[c as usize]
    }
    /// The points, if every component decodes.
    pub fn decompress(&self) -> Result<[RistrettoPoint; CATEGORIES], PointError> {
        let mut out = [RistrettoPoint::identity(); CATEGORIES];
        for (o, c) in out.iter_mut().zip(&self.0) {
            *o = c.decompress()?;
        }
        Ok(out)
    }
    /// The vector commitment `Σ_c V_c = Σ_c v_c·G_c + (Σ_c γ_c)·H`.
    pub fn vector(&self) -> Result<Commitment, PointError> {
        let sum: RistrettoPoint = self.decompress()?.iter().sum();
        Ok(Commitment::from_point(&sum))
    }
}

/// The opening of a [`FootprintCommitment`]: values (mg per declared unit) and
/// blindings. Zeroized on drop; its byte form ([`Self::to_bytes`]) is what the
/// later integration seals to the parties entitled to it.
#[derive(Clone, PartialEq, Eq, Zeroize, ZeroizeOnDrop)]
pub struct FootprintOpening {
    /// Per category, in [`Category::ALL`] order.
    pub values: [i64; CATEGORIES],
    /// `γ_c`, per category.
    pub blindings: [Scalar; CATEGORIES],
}

/// Bytes of [`FootprintOpening::to_bytes`]: 5 × (8-byte LE value, 32-byte scalar).
pub const FOOTPRINT_OPENING_LEN: usize = CATEGORIES * 40;

impl FootprintOpening {
    /// The values as a [`PerCategory`].
    pub fn values(&self) -> PerCategory {
        PerCategory(self.values)
    }
    /// The commitment this opens.
    pub fn commitment(&self) -> FootprintCommitment {
        let g = generators();
        FootprintCommitment(std::array::from_fn(|c| {
            Commitment::from_point(
                &(scalar::from_i64(self.values[c]) * g.category[c]
                    + self.blindings[c] * g.blinding),
            )
        }))
    }
    /// Whether this opens `commitment`.
    pub fn opens(&self, commitment: &FootprintCommitment) -> bool {
        self.commitment() == *commitment
    }
    /// Canonical bytes: per category the value (i64 LE) then the blinding (canonical scalar).
    pub fn to_bytes(&self) -> zeroize::Zeroizing<Vec<u8>> {
        let mut out = zeroize::Zeroizing::new(Vec::with_capacity(FOOTPRINT_OPENING_LEN));
        for c in 0..CATEGORIES {
            out.extend_from_slice(&self.values[c].to_le_bytes());
            out.extend_from_slice(self.blindings[c].as_bytes());
        }
        out
    }
    /// The blindings in their published form (for a footprint whose figures
    /// are made public; publishing them together with the values reveals
    /// exactly those values, nothing else).
    pub fn published_blindings(&self) -> [Blinding; CATEGORIES] {
        std::array::from_fn(|c| Blinding(self.blindings[c].to_bytes()))
    }
    /// The opening made of published values and blindings; `None` if a
    /// blinding is not a canonical scalar.
    pub fn from_published(
        values: &PerCategory,
        blindings: &[Blinding; CATEGORIES],
    ) -> Option<Self> {
        let mut out = FootprintOpening {
            values: values.0,
            blindings: [Scalar::ZERO; CATEGORIES],
        };
        for (o, b) in out.blindings.iter_mut().zip(blindings) {
            *o = scalar::from_canonical(b.0)?;
        }
        Some(out)
    }
    /// Reads [`Self::to_bytes`]; `None` for a wrong length or a non-canonical scalar.
    pub fn from_bytes(bytes: &[u8]) -> Option<Self> {
        if bytes.len() != FOOTPRINT_OPENING_LEN {
            return None;
        }
        let mut out = FootprintOpening {
            values: [0; CATEGORIES],
            blindings: [Scalar::ZERO; CATEGORIES],
        };
        for (c, chunk) in bytes.chunks_exact(40).enumerate() {
            out.values[c] = i64::from_le_bytes(chunk[..8].try_into().ok()?);
            out.blindings[c] = scalar::from_canonical(chunk[8..].try_into().ok()?)?;
        }
        Some(out)
    }
}

impl std::fmt::Debug for FootprintOpening {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("FootprintOpening(..)")
    }
}

/// A committed quantity or amount, `C = q·G_q + s·H`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, BorshSerialize, BorshDeserialize)]
pub struct QuantityCommitment(pub Commitment);

/// The opening of a [`QuantityCommitment`]. Zeroized on drop.
#[derive(Clone, PartialEq, Eq, Zeroize, ZeroizeOnDrop)]
pub struct QuantityOpening {
    /// Micro-units.
    pub value: u64,
    /// `s`.
    pub blinding: Scalar,
}

impl QuantityOpening {
    /// A fresh opening of `value`.
    pub fn new(value: u64) -> Result<Self, getrandom::Error> {
        Ok(QuantityOpening {
            value,
            blinding: scalar::random()?,
        })
    }
    /// The commitment this opens.
    pub fn commitment(&self) -> QuantityCommitment {
        let g = generators();
        QuantityCommitment(Commitment::from_point(
            &(Scalar::from(self.value) * g.quantity + self.blinding * g.blinding),
        ))
    }
    /// Canonical bytes: the value (u64 LE) then the blinding (canonical scalar).
    pub fn to_bytes(&self) -> zeroize::Zeroizing<[u8; 40]> {
        let mut out = zeroize::Zeroizing::new([0u8; 40]);
        out[..8].copy_from_slice(&self.value.to_le_bytes());
        out[8..].copy_from_slice(self.blinding.as_bytes());
        out
    }
    /// Reads [`Self::to_bytes`]; `None` for a wrong length or a non-canonical scalar.
    pub fn from_bytes(bytes: &[u8]) -> Option<Self> {
        if bytes.len() != 40 {
            return None;
        }
        Some(QuantityOpening {
            value: u64::from_le_bytes(bytes[..8].try_into().ok()?),
            blinding: scalar::from_canonical(bytes[8..].try_into().ok()?)?,
        })
    }
}

impl std::fmt::Debug for QuantityOpening {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("QuantityOpening(..)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn open_and_roundtrip() {
        let values = PerCategory([1_234, 0, -56, 7, i64::MIN]);
        let (c, o) = FootprintCommitment::commit(&values).unwrap();
        assert!(o.opens(&c));
        assert_eq!(o.values(), values);
        let back = FootprintOpening::from_bytes(&o.to_bytes()).unwrap();
        assert_eq!(back, o);
        let mut other = o.clone();
        other.values[2] = -55;
        assert!(!other.opens(&c));
        // The vector commitment is the sum of the components.
        let g = generators();
        let expect: RistrettoPoint = (0..CATEGORIES)
            .map(|i| scalar::from_i64(values.0[i]) * g.category[i] + o.blindings[i] * g.blinding)
            .sum();
        assert_eq!(c.vector().unwrap(), Commitment::from_point(&expect));
        // Borsh: 5 × 32 bytes, no framing.
        let bytes = borsh::to_vec(&c).unwrap();
        assert_eq!(bytes.len(), 160);
        assert_eq!(borsh::from_slice::<FootprintCommitment>(&bytes).unwrap(), c);

        let q = QuantityOpening::new(35_200_000).unwrap();
        assert_eq!(QuantityOpening::from_bytes(&*q.to_bytes()).unwrap(), q);
        assert_ne!(
            q.commitment(),
            QuantityOpening::new(35_200_000).unwrap().commitment()
        );
    }

    #[test]
    fn decoding_rejects_invalid_points() {
        // Not decompressible, and a non-canonical encoding (p + 1 > p as a field element).
        assert!(Commitment([0xff; 32]).decompress().is_err());
        let mut p_plus = [0xffu8; 32];
        p_plus[0] = 0xee;
        p_plus[31] = 0x7f;
        assert!(Commitment(p_plus).decompress().is_err());
        // Negative field element encodings are rejected too.
        let mut one = [0u8; 32];
        one[0] = 1;
        assert!(Commitment(one).decompress().is_err());
        assert!(Commitment([0; 32]).decompress().is_ok());
        assert!(FootprintOpening::from_bytes(&[0xff; FOOTPRINT_OPENING_LEN]).is_none());
        assert!(FootprintOpening::from_bytes(&[0; 3]).is_none());
        assert!(QuantityOpening::from_bytes(&[0xff; 40]).is_none());
    }
}

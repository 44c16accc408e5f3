//! What an envelope carries, and its versioned byte layout (the HPKE
//! plaintext). The layout is written down byte by byte in the module docs of
//! [`super`].

use zeroize::{Zeroize, Zeroizing};

use super::{EnvelopeError, Purpose, CONTENT_VERSION, MAX_CONTENT_BYTES, MAX_MODEL_BYTES};
use crate::zk::commitment::FOOTPRINT_OPENING_LEN;
use crate::zk::{FootprintOpening, InputWitness, QuantityOpening, Witness, MAX_PROOF_INPUTS};

/// Bytes of a [`QuantityOpening`] (value u64 LE, blinding).
const QUANTITY_OPENING_LEN: usize = 40;

/// The raw data behind a hidden footprint: the prover's witness (every input's
/// quantity opening, the openings of the hidden upstream footprints used, the
/// result opening) and, optionally, the model text it was computed from
/// (at most [`MAX_MODEL_BYTES`]).
///
/// The openings wipe themselves when dropped; so does the model text (which
/// is why this type has a `Drop` and cannot be taken apart by moving out of
/// it: clone or `std::mem::take` the fields instead).
#[derive(Clone)]
pub struct RawData {
    /// The prover's secrets, one [`InputWitness`] per input in statement order.
    pub witness: Witness,
    /// The model file the footprint was computed from, if the sender includes it.
    pub model: Option<String>,
}

impl Drop for RawData {
    fn drop(&mut self) {
        if let Some(model) = &mut self.model {
            model.zeroize();
        }
    }
}

impl PartialEq for RawData {
    fn eq(&self, other: &Self) -> bool {
        self.model == other.model
            && self.witness.result == other.witness.result
            && self.witness.inputs.len() == other.witness.inputs.len()
            && self
                .witness
                .inputs
                .iter()
                .zip(&other.witness.inputs)
                .all(|(a, b)| a.quantity == b.quantity && a.upstream == b.upstream)
    }
}
impl Eq for RawData {}

impl std::fmt::Debug for RawData {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never the secrets: only the shape.
        f.debug_struct("RawData")
            .field("inputs", &self.witness.inputs.len())
            .field("model_bytes", &self.model.as_ref().map(|m| m.len()))
            .finish_non_exhaustive()
    }
}

/// What an envelope carries. Its kind must match the binding's [`Purpose`].
#[derive(Clone, PartialEq, Eq)]
pub enum SealedContent {
    /// A footprint's opening, for the direct customer ([`Purpose::Opening`]).
    Opening(FootprintOpening),
    /// The raw data, for an auditor or certification body ([`Purpose::RawData`]).
    RawData(RawData),
}

impl std::fmt::Debug for SealedContent {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SealedContent::Opening(o) => f.debug_tuple("Opening").field(o).finish(),
            SealedContent::RawData(r) => f.debug_tuple("RawData").field(r).finish(),
        }
    }
}

impl SealedContent {
    /// The purpose this content serves (its kind byte).
    pub fn purpose(&self) -> Purpose {
        match self {
            SealedContent::Opening(_) => Purpose::Opening,
            SealedContent::RawData(_) => Purpose::RawData,
        }
    }

    /// Checks the bounds that [`Self::from_bytes`] enforces: at most
    /// [`MAX_PROOF_INPUTS`] inputs and a model text of at most
    /// [`MAX_MODEL_BYTES`].
    pub fn check(&self) -> Result<(), EnvelopeError> {
        if let SealedContent::RawData(raw) = self {
            if raw.witness.inputs.len() > MAX_PROOF_INPUTS {
                return Err(EnvelopeError::TooManyInputs(raw.witness.inputs.len()));
            }
            if let Some(model) = &raw.model {
                if model.len() > MAX_MODEL_BYTES {
                    return Err(EnvelopeError::ModelTooLong(model.len()));
                }
            }
        }
        Ok(())
    }

    /// Length of [`Self::to_bytes`].
    fn encoded_len(&self) -> usize {
        2 + match self {
            SealedContent::Opening(_) => FOOTPRINT_OPENING_LEN,
            SealedContent::RawData(raw) => {
                let inputs: usize = raw
                    .witness
                    .inputs
                    .iter()
                    .map(|i| {
                        QUANTITY_OPENING_LEN
                            + 1
                            + i.upstream.as_ref().map_or(0, |_| FOOTPRINT_OPENING_LEN)
                    })
                    .sum();
                2 + inputs
                    + FOOTPRINT_OPENING_LEN
                    + 1
                    + raw.model.as_ref().map_or(0, |m| 4 + m.len())
            }
        }
    }

    /// The versioned byte layout (module docs of [`super`]), in a buffer wiped
    /// when dropped (allocated once at its final size, so no copy is left
    /// behind by a reallocation).
    ///
    /// Content that fails [`Self::check`] still encodes without panicking, but
    /// to bytes that [`Self::from_bytes`] refuses; [`super::seal`] checks first.
    pub fn to_bytes(&self) -> Zeroizing<Vec<u8>> {
        let mut out = Zeroizing::new(Vec::with_capacity(self.encoded_len()));
        out.push(CONTENT_VERSION);
        out.push(self.purpose().tag());
        match self {
            SealedContent::Opening(opening) => out.extend_from_slice(&opening.to_bytes()),
            SealedContent::RawData(raw) => {
                // Above u16::MAX the count saturates, which decoding refuses as too many.
                let n = u16::try_from(raw.witness.inputs.len()).unwrap_or(u16::MAX);
                out.extend_from_slice(&n.to_le_bytes());
                for input in &raw.witness.inputs {
                    out.extend_from_slice(&*input.quantity.to_bytes());
                    match &input.upstream {
                        None => out.push(0),
                        Some(upstream) => {
                            out.push(1);
                            out.extend_from_slice(&upstream.to_bytes());
                        }
                    }
                }
                out.extend_from_slice(&raw.witness.result.to_bytes());
                match &raw.model {
                    None => out.push(0),
                    Some(model) => {
                        out.push(1);
                        let len = u32::try_from(model.len()).unwrap_or(u32::MAX);
                        out.extend_from_slice(&len.to_le_bytes());
                        out.extend_from_slice(model.as_bytes());
                    }
                }
            }
        }
        out
    }

    /// Reads [`Self::to_bytes`], strictly: known version and kind, flags 0 or
    /// 1, canonical scalars, UTF-8 model text, every bound, the exact length
    /// and no trailing bytes. Each content thus has exactly one encoding.
    /// Never panics.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, EnvelopeError> {
        if bytes.len() > MAX_CONTENT_BYTES {
            return Err(EnvelopeError::TooLarge {
                what: "sealed content",
                got: bytes.len(),
                max: MAX_CONTENT_BYTES,
            });
        }
        let mut r = Reader { bytes, pos: 0 };
        let version = r.byte("the version")?;
        if version != CONTENT_VERSION {
            return Err(EnvelopeError::ContentVersion(version));
        }
        let kind = r.byte("the kind")?;
        let content = match Purpose::from_tag(kind) {
            Some(Purpose::Opening) => SealedContent::Opening(r.footprint_opening("the opening")?),
            Some(Purpose::RawData) => {
                let n = usize::from(u16::from_le_bytes(r.array("the input count")?));
                if n > MAX_PROOF_INPUTS {
                    return Err(EnvelopeError::TooManyInputs(n));
                }
                let mut inputs = Vec::with_capacity(n);
                for _ in 0..n {
                    let quantity = QuantityOpening::from_bytes(
                        r.take(QUANTITY_OPENING_LEN, "an input's quantity opening")?,
                    )
                    .ok_or(EnvelopeError::Opening("an input's quantity opening"))?;
                    let upstream = if r.flag("an input's upstream")? {
                        Some(r.footprint_opening("an input's upstream opening")?)
                    } else {
                        None
                    };
                    inputs.push(InputWitness { quantity, upstream });
                }
                let result = r.footprint_opening("the result opening")?;
                let model = if r.flag("the model")? {
                    let len = u32::from_le_bytes(r.array("the model length")?);
                    let len = usize::try_from(len).unwrap_or(usize::MAX);
                    if len > MAX_MODEL_BYTES {
                        return Err(EnvelopeError::ModelTooLong(len));
                    }
                    let text = std::str::from_utf8(r.take(len, "the model text")?)
                        .map_err(|_| EnvelopeError::ModelNotUtf8)?;
                    Some(text.to_owned())
                } else {
                    None
                };
                SealedContent::RawData(RawData {
                    witness: Witness { inputs, result },
                    model,
                })
            }
            None => return Err(EnvelopeError::Kind(kind)),
        };
        let left = bytes.len().saturating_sub(r.pos);
        if left != 0 {
            return Err(EnvelopeError::TrailingBytes(left));
        }
        Ok(content)
    }
}

/// A cursor over untrusted bytes: every read is bounds-checked.
struct Reader<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize, field: &'static str) -> Result<&'a [u8], EnvelopeError> {
        let end = self
            .pos
            .checked_add(n)
            .ok_or(EnvelopeError::Truncated(field))?;
        let out = self
            .bytes
            .get(self.pos..end)
            .ok_or(EnvelopeError::Truncated(field))?;
        self.pos = end;
        Ok(out)
    }
    fn array<const N: usize>(&mut self, field: &'static str) -> Result<[u8; N], EnvelopeError> {
        self.take(N, field)?
            .try_into()
            .map_err(|_| EnvelopeError::Truncated(field))
    }
    fn byte(&mut self, field: &'static str) -> Result<u8, EnvelopeError> {
        Ok(self.array::<1>(field)?[0])
    }
    fn flag(&mut self, field: &'static str) -> Result<bool, EnvelopeError> {
        match self.byte(field)? {
            0 => Ok(false),
            1 => Ok(true),
            value => Err(EnvelopeError::Flag { field, value }),
        }
    }
    fn footprint_opening(
        &mut self,
        field: &'static str,
    ) -> Result<FootprintOpening, EnvelopeError> {
        FootprintOpening::from_bytes(self.take(FOOTPRINT_OPENING_LEN, field)?)
            .ok_or(EnvelopeError::Opening(field))
    }
}

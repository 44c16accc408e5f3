//! Why a proof could not be made, decoded or verified.

use super::MAX_PROOF_INPUTS;

/// The prover refused: the witness does not satisfy the statement, or is malformed.
#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
pub enum ProveError {
    /// More inputs than a proof may have.
    #[error("{got} inputs, a proof may have at most {MAX_PROOF_INPUTS}")]
    TooManyInputs {
        /// Inputs given.
        got: usize,
    },
    /// The witness does not have one entry per input.
    #[error("the witness has {witness} inputs, the statement {statement}")]
    WitnessLength {
        /// Inputs in the statement.
        statement: usize,
        /// Inputs in the witness.
        witness: usize,
    },
    /// A committed upstream input needs the opening of its commitment.
    #[error("input #{input}: a committed upstream footprint needs its opening")]
    MissingOpening {
        /// 1-based input number.
        input: usize,
    },
    /// A public input was given an opening.
    #[error("input #{input}: an opening was given for a public input")]
    UnexpectedOpening {
        /// 1-based input number.
        input: usize,
    },
    /// The opening does not open the upstream commitment.
    #[error("input #{input}: the opening does not open the upstream commitment")]
    OpeningMismatch {
        /// 1-based input number.
        input: usize,
    },
    /// A commitment in the statement is not a valid point.
    #[error("{what} is not a valid Ristretto255 point")]
    InvalidCommitment {
        /// Which one.
        what: String,
    },
    /// The exact sum or its rounding does not fit (the clear computation refuses it too).
    #[error("category {category}: the result is out of range ({reason})")]
    OutOfRange {
        /// Category name.
        category: &'static str,
        /// What overflowed.
        reason: String,
    },
    /// The result opening does not open the statement's result commitment.
    #[error("the result opening does not open the result commitment")]
    ResultOpeningMismatch,
    /// The committed result is not the rounded exact sum.
    #[error("category {category}: the committed result is {committed} mg, the inputs give {expected} mg")]
    WrongResult {
        /// Category name.
        category: &'static str,
        /// What the inputs give.
        expected: i64,
        /// What the result opening says.
        committed: i64,
    },
    /// The operating system's random generator failed.
    #[error("randomness: {0}")]
    Randomness(String),
    /// Bulletproofs refused to prove (should not happen for a checked witness).
    #[error("range proof: {0}")]
    RangeProof(String),
}

/// Proof bytes could not be decoded.
#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
pub enum ProofDecodeError {
    /// Empty, or an unknown version byte.
    #[error("unknown proof version (expected 1)")]
    Version,
    /// The input count is above [`MAX_PROOF_INPUTS`].
    #[error("{0} inputs, at most {MAX_PROOF_INPUTS}")]
    TooManyInputs(usize),
    /// The length is not the one the input count implies.
    #[error("proof is {got} bytes, {expected} expected for its input count")]
    Length {
        /// Bytes given.
        got: usize,
        /// Bytes the header implies.
        expected: usize,
    },
    /// A point field is not a canonical Ristretto255 encoding.
    #[error("{0} is not a canonical Ristretto255 point")]
    Point(String),
    /// A scalar field is not canonical (≥ ℓ).
    #[error("{0} is not a canonical scalar")]
    Scalar(String),
    /// A range proof is malformed.
    #[error("{0} is malformed")]
    RangeProof(String),
}

/// Verification failed; the variant says which part of the proof.
#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
pub enum VerifyError {
    /// More inputs than a proof may have.
    #[error("{0} inputs, at most {MAX_PROOF_INPUTS}")]
    TooManyInputs(usize),
    /// The proof is for a different number of inputs.
    #[error("the proof has {proof} inputs, the statement {statement}")]
    InputCount {
        /// Inputs in the statement.
        statement: usize,
        /// Inputs in the proof.
        proof: usize,
    },
    /// A commitment of the statement is not a valid point.
    #[error("{0} is not a valid Ristretto255 point")]
    InvalidCommitment(String),
    /// The knowledge proof of an input's quantity commitment fails.
    #[error("input #{input}: the proof of its quantity commitment does not verify")]
    Quantity {
        /// 1-based input number.
        input: usize,
    },
    /// The knowledge proof of an input's product in one category fails.
    #[error("input #{input}, category {category}: the product proof does not verify")]
    Product {
        /// 1-based input number.
        input: usize,
        /// Category name.
        category: &'static str,
    },
    /// The rounding relation of a category fails.
    #[error("category {0}: the rounding relation does not verify")]
    Rounding(&'static str),
    /// The range proof of the quantities and amounts fails.
    #[error("the range proof of the quantities and amounts does not verify")]
    QuantityRange,
    /// The range proof of a category's result and remainder fails.
    #[error("category {0}: the range proof of the result and remainder does not verify")]
    CategoryRange(&'static str),
}

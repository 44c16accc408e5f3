use crate::carbon::compute::FootprintError;
use crate::crypto::PublicKey;
use crate::ids::OrgId;
use crate::state::StateError;
use crate::tx::{FormError, Role};

/// How a refusal should be reported (HTTP status, CLI exit code).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorClass {
    /// The bytes are not a transaction (HTTP 400).
    Malformed,
    /// Larger than any accepted transaction (HTTP 413).
    TooLarge,
    /// A transaction, but breaks a rule (HTTP 422).
    Invalid,
    /// Collides with what the log already holds (HTTP 409).
    Conflict,
    /// The node could not decide (HTTP 500); not the submitter's fault.
    Internal,
}

/// Why a transaction was refused.
#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
pub enum TxError {
    /// Not well-formed.
    #[error(transparent)]
    Form(#[from] FormError),
    /// Signed for another network.
    #[error("signed for network {got:?}, this is {expected:?}")]
    WrongNetwork {
        /// This network.
        expected: String,
        /// The transaction's network.
        got: String,
    },
    /// Only a genesis can be the first entry.
    #[error("the log has no genesis yet")]
    NoGenesis,
    /// A genesis after the first entry.
    #[error("the log already has a genesis")]
    GenesisExists,
    /// A genesis breaks a rule.
    #[error("invalid genesis: {0}")]
    InvalidGenesis(String),
    /// Signer or target is not registered.
    #[error("unknown organisation {0}")]
    UnknownOrg(OrgId),
    /// Signer or target was revoked.
    #[error("organisation {0} is revoked")]
    OrgRevoked(OrgId),
    /// Registration of a company that is already registered.
    #[error("organisation {0} is already registered")]
    OrgExists(OrgId),
    /// The author is not who the transaction says it must be.
    #[error("author {author} must be {expected}")]
    AuthorMismatch {
        /// The body's author.
        author: OrgId,
        /// Who it must be.
        expected: OrgId,
    },
    /// A signature failed strict verification under the signer's registered key.
    #[error("signature by {signer} does not verify")]
    BadSignature {
        /// Whose signature.
        signer: OrgId,
    },
    /// A signature by a key the signer has rotated out: it verifies under that
    /// retired key, not under the key in force.
    #[error(
        "signature by {signer} is by its signing key {key}, replaced by the key rotation at entry {rotated_at}{}; sign with the key in force",
        compromised_since.map(|s| format!(" and held compromised from log size {s}")).unwrap_or_default()
    )]
    KeyRotated {
        /// Whose signature.
        signer: OrgId,
        /// The retired key it verifies under.
        key: PublicKey,
        /// Log index of the rotation that replaced it.
        rotated_at: u64,
        /// From when the key is held compromised, if it is.
        compromised_since: Option<u64>,
    },
    /// A key rotation breaks a rule.
    #[error("key rotation: {0}")]
    InvalidRotation(String),
    /// An approval by someone outside the governance set.
    #[error("{0} is not a regulator or validator and cannot approve governance")]
    NotGovernance(OrgId),
    /// Too few governance approvals.
    #[error("governance quorum not met: {have} of {need} approvals")]
    QuorumNotMet {
        /// Valid governance approvals.
        have: usize,
        /// Approvals needed.
        need: usize,
    },
    /// Approvals on a kind that takes only the author's signature.
    #[error("this kind of transaction takes only the author's signature")]
    UnexpectedApprovals,
    /// The change would leave nobody to govern.
    #[error("{0} is the last regulator or validator; governance would be left empty")]
    LastGovernanceMember(OrgId),
    /// The nonce was used before: a replay or a duplicate.
    #[error("nonce {nonce} of {author} was already used (replay or duplicate)")]
    NonceUsed {
        /// The author.
        author: OrgId,
        /// The nonce.
        nonce: u64,
    },
    /// The author lacks the role this kind of transaction needs.
    #[error("{org} needs the {role} role for this")]
    RoleRequired {
        /// The author.
        org: OrgId,
        /// The role needed.
        role: Role,
    },
    /// A referenced record does not exist.
    #[error("unknown {0}")]
    UnknownRecord(String),
    /// A record with this id (and version) exists already.
    #[error("{0} already exists")]
    RecordExists(String),
    /// The author may not act on this record.
    #[error("not permitted: {0}")]
    NotPermitted(String),
    /// A record breaks a rule.
    #[error("{0}")]
    InvalidRecord(String),
    /// An observer node's operator is neither a regulator nor a verifier.
    #[error("{0} needs the regulator or verifier role to run an observer node")]
    ObserverOperatorRole(OrgId),
    /// A node name already used by a validator or observer node.
    #[error("node name {0:?} is already used by a validator or observer node")]
    NodeNameTaken(String),
    /// A node key already used by a validator or observer node.
    #[error("node key {0} is already used by a validator or observer node")]
    NodeKeyTaken(PublicKey),
    /// No observer node is registered with this key.
    #[error("no observer node has key {0}")]
    UnknownObserver(PublicKey),
    /// The observer list is full.
    #[error("{limit} observer nodes are registered already, the most allowed")]
    TooManyObservers {
        /// [`crate::tx::MAX_OBSERVERS`].
        limit: usize,
    },
    /// No validator node in the current set has this name.
    #[error("no validator node in the current set is named {0:?}")]
    UnknownValidator(String),
    /// The validator set is full.
    #[error("{limit} validator nodes are in the set already, the most allowed")]
    TooManyValidators {
        /// [`crate::tx::MAX_VALIDATORS`].
        limit: usize,
    },
    /// A removal would leave too few validators to tolerate a faulty one.
    #[error(
        "removing it would leave {remaining} validator nodes; at least {min} must remain (add a replacement first)"
    )]
    TooFewValidators {
        /// Validators that would remain.
        remaining: usize,
        /// [`crate::tx::MIN_VALIDATORS_AFTER_REMOVAL`].
        min: usize,
    },
    /// A footprint attestation's inputs or numbers do not hold.
    #[error("footprint: {0}")]
    Footprint(FootprintError),
    /// A hidden attestation's form, figures or zero-knowledge proof do not hold.
    #[error("hidden footprint: {0}")]
    Hidden(Box<crate::carbon::hidden::HiddenError>),
    /// State could not be read.
    #[error(transparent)]
    State(#[from] StateError),
}

impl TxError {
    /// How to report it.
    pub fn class(&self) -> ErrorClass {
        use crate::encoding::DecodeError;
        match self {
            TxError::Form(FormError::Decode(DecodeError::TooLarge { .. })) => ErrorClass::TooLarge,
            TxError::Form(FormError::Decode(_)) => ErrorClass::Malformed,
            TxError::GenesisExists
            | TxError::OrgExists(_)
            | TxError::NonceUsed { .. }
            | TxError::RecordExists(_)
            | TxError::NodeNameTaken(_)
            | TxError::NodeKeyTaken(_) => ErrorClass::Conflict,
            TxError::State(_) => ErrorClass::Internal,
            _ => ErrorClass::Invalid,
        }
    }

    /// A stable machine-readable code for JSON errors.
    pub fn code(&self) -> &'static str {
        match self {
            TxError::Form(FormError::Decode(crate::encoding::DecodeError::TooLarge { .. })) => {
                "too_large"
            }
            TxError::Form(FormError::Decode(_)) => "malformed",
            TxError::Form(FormError::Field { .. }) => "invalid_field",
            TxError::WrongNetwork { .. } => "wrong_network",
            TxError::NoGenesis => "no_genesis",
            TxError::GenesisExists => "genesis_exists",
            TxError::InvalidGenesis(_) => "invalid_genesis",
            TxError::UnknownOrg(_) => "unknown_org",
            TxError::OrgRevoked(_) => "org_revoked",
            TxError::OrgExists(_) => "org_exists",
            TxError::AuthorMismatch { .. } => "author_mismatch",
            TxError::BadSignature { .. } => "bad_signature",
            TxError::KeyRotated { .. } => "key_rotated",
            TxError::InvalidRotation(_) => "invalid_rotation",
            TxError::NotGovernance(_) => "not_governance",
            TxError::QuorumNotMet { .. } => "quorum_not_met",
            TxError::UnexpectedApprovals => "unexpected_approvals",
            TxError::LastGovernanceMember(_) => "last_governance_member",
            TxError::NonceUsed { .. } => "nonce_used",
            TxError::RoleRequired { .. } => "role_required",
            TxError::UnknownRecord(_) => "unknown_record",
            TxError::RecordExists(_) => "record_exists",
            TxError::NotPermitted(_) => "not_permitted",
            TxError::InvalidRecord(_) => "invalid_record",
            TxError::ObserverOperatorRole(_) => "observer_operator_role",
            TxError::NodeNameTaken(_) => "node_name_taken",
            TxError::NodeKeyTaken(_) => "node_key_taken",
            TxError::UnknownObserver(_) => "unknown_observer",
            TxError::TooManyObservers { .. } => "too_many_observers",
            TxError::UnknownValidator(_) => "unknown_validator",
            TxError::TooManyValidators { .. } => "too_many_validators",
            TxError::TooFewValidators { .. } => "too_few_validators",
            TxError::Footprint(FootprintError::ResultsMismatch { .. }) => "footprint_mismatch",
            TxError::Footprint(_) => "footprint_invalid",
            TxError::Hidden(e) => match **e {
                crate::carbon::hidden::HiddenError::ProofInvalid(_)
                | crate::carbon::hidden::HiddenError::ProofDecode(_) => "proof_invalid",
                _ => "footprint_invalid",
            },
            TxError::State(_) => "internal",
        }
    }
}

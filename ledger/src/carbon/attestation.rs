//! Footprint attestations: a producer's signed statement of a product's
//! footprint per declared unit, with the inputs it follows from.

use borsh::{BorshDeserialize, BorshSerialize};
use serde::{Deserialize, Serialize};

use super::{Boundary, Date, Dqr, Gwp, PerCategory, PerStage, RecordRef, Stage};
use crate::ids::TxId;
use crate::zk::{Blinding, FootprintCommitment, CATEGORIES};

/// What the footprint is of.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub struct Product {
    /// Product ids (URNs, PACT `productIds`), e.g. `urn:gtin:06901234567892`.
    pub ids: Vec<String>,
    /// Trade name.
    pub name: String,
    /// Product classification URN, e.g. `urn:cpc:45220`.
    pub category: String,
    /// Product mass per declared unit, in milligrams.
    pub mass_mg: u64,
    /// Carbon contained in the product, as its producer states it (PACT
    /// `fossilCarbonContent`, `biogenicCarbonContent`); `None`: not declared.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub carbon: Option<CarbonContent>,
}

/// Carbon contained in a product (not emitted), in milligrams of carbon (C)
/// per declared unit: part of its mass, so at most `mass_mg` together.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize,
)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub struct CarbonContent {
    /// Fossil carbon.
    pub fossil_mg: u64,
    /// Biogenic carbon; `None` when the source did not state it (PACT v3
    /// makes it optional), never for footprints authored on the ledger.
    pub biogenic_mg: Option<u64>,
}

/// Where an input's emissions come from.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub enum InputSource {
    /// Activity data × an emission factor, pinned by version.
    Factor(RecordRef),
    /// An attested upstream footprint.
    Upstream(TxId),
}

/// One input of a footprint.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub struct Input {
    /// Factor or upstream footprint.
    pub source: InputSource,
    /// Life-cycle stage it belongs to.
    pub stage: Stage,
    /// The unit of `amount`: the factor's activity unit or the upstream's declared unit.
    pub unit: String,
    /// Micro-units of `unit` per declared unit of this product. `None` when the
    /// attestation is `committed` (raw data stays off-ledger).
    pub amount: Option<u64>,
    /// Part of packaging (reported separately when the rule asks for it).
    pub packaging: bool,
}

/// How much of the attestation is public.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
#[serde(tag = "level", rename_all = "snake_case")]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub enum Privacy {
    /// Values and activity data in the clear; every node recomputes the result.
    Public,
    /// Values public, activity data off-ledger; `commitment` is a salted BLAKE3
    /// commitment to it (see [`super::raw_data_commitment`]).
    Committed {
        /// The commitment, hex in JSON.
        #[serde(with = "hex32")]
        #[cfg_attr(feature = "schema", schema(value_type = String, pattern = "^[0-9a-f]{64}$"))]
        commitment: [u8; 32],
    },
    /// Values never in the clear: the results are Pedersen commitments and a
    /// zero-knowledge proof shows they follow from the inputs (see
    /// [`crate::zk`] and docs/privacy.md). Amounts are absent, like `committed`;
    /// `results` is all zeros unless the author publishes its figures.
    Hidden(Box<HiddenFootprint>),
    /// Figures stated by another party outside the ledger (a PACT partner's
    /// footprint, imported): recorded as stated under the importer's
    /// signature, with the source document's hash and issuer. There are no
    /// inputs, so nothing can be recomputed; verification reports the
    /// footprint as a declared leaf.
    Declared(Box<DeclaredFootprint>),
}

/// Where a declared footprint's figures come from.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub struct DeclaredFootprint {
    /// The company that issued the source document (PACT `companyName`).
    pub issuer: String,
    /// Its ids as the document gives them (PACT `companyIds`, URNs).
    pub issuer_ids: Vec<String>,
    /// The source document's format and version, e.g. `PACT 2.3.0`.
    pub format: String,
    /// The source document's own id (PACT `id`).
    pub document_id: String,
    /// BLAKE3 of the source document's bytes as imported.
    #[serde(with = "hex32")]
    #[cfg_attr(feature = "schema", schema(value_type = String, pattern = "^[0-9a-f]{64}$"))]
    pub document_hash: [u8; 32],
    /// The ledger proof the document carried (a Tanji network's verifiable
    /// PACT extension), when it verified on import.
    pub proof: Option<DeclaredProof>,
}

/// What a verified Tanji proof in an imported document established: that
/// the document says what an attestation in another network's cosigned log
/// says.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub struct DeclaredProof {
    /// The attestation on the other network.
    pub footprint: TxId,
    /// The other network's name (its checkpoints' origin).
    pub network: String,
    /// Size of the log its checkpoint covers.
    pub tree_size: u64,
    /// Whether the checkpoint was checked against validator keys the
    /// importer pinned, rather than the keys the document names.
    pub validators_pinned: bool,
}

impl Privacy {
    /// `public`, `committed` or `hidden`.
    pub fn level(&self) -> &'static str {
        match self {
            Privacy::Public => "public",
            Privacy::Committed { .. } => "committed",
            Privacy::Hidden(_) => "hidden",
            Privacy::Declared(_) => "declared",
        }
    }

    /// The declared part, if the footprint was declared by another party.
    pub fn declared(&self) -> Option<&DeclaredFootprint> {
        match self {
            Privacy::Declared(d) => Some(d),
            _ => None,
        }
    }
    /// The hidden part, if the attestation is hidden.
    pub fn hidden(&self) -> Option<&HiddenFootprint> {
        match self {
            Privacy::Hidden(h) => Some(h),
            _ => None,
        }
    }
}

/// The public part of a hidden footprint.
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub struct HiddenFootprint {
    /// Per-category commitments to the results (mg CO2e per declared unit).
    pub commitment: FootprintCommitment,
    /// The [`crate::zk::FootprintProof`] encoding (base64 in JSON). Its
    /// statement's context is [`super::hidden::proof_context`] of the attestation.
    #[serde(with = "base64_bytes")]
    #[cfg_attr(feature = "schema", schema(value_type = String, format = Byte))]
    pub proof: Vec<u8>,
    /// The result's blindings, when the author publishes the figures (e.g. for
    /// a carbon label): then `results.categories` are the committed values,
    /// `total_mg` their sum, and every node checks that they open `commitment`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub published: Option<[Blinding; CATEGORIES]>,
}

mod base64_bytes {
    use base64::engine::general_purpose::STANDARD;
    use base64::Engine as _;

    pub fn serialize<S: serde::Serializer>(v: &[u8], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&STANDARD.encode(v))
    }
    pub fn deserialize<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        let s = <std::borrow::Cow<'de, str> as serde::Deserialize>::deserialize(d)?;
        STANDARD
            .decode(s.as_bytes())
            .map_err(|e| serde::de::Error::custom(format!("proof: not base64 ({e})")))
    }
}

mod hex32 {
    pub fn serialize<S: serde::Serializer>(v: &[u8; 32], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&hex::encode(v))
    }
    pub fn deserialize<'de, D: serde::Deserializer<'de>>(d: D) -> Result<[u8; 32], D::Error> {
        let s = <String as serde::Deserialize>::deserialize(d)?;
        let mut out = [0u8; 32];
        hex::decode_to_slice(s.as_bytes(), &mut out).map_err(serde::de::Error::custom)?;
        Ok(out)
    }
}

/// The footprint per declared unit, in milligrams CO2e.
#[derive(
    Clone,
    Copy,
    Debug,
    Default,
    PartialEq,
    Eq,
    BorshSerialize,
    BorshDeserialize,
    Serialize,
    Deserialize,
)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub struct Results {
    /// Per GHG category, each rounded once.
    pub categories: PerCategory,
    /// Per life-cycle stage (all categories), each rounded once.
    pub stages: PerStage,
    /// Sum of the rounded categories.
    pub total_mg: i64,
    /// Of the total, what comes from packaging inputs (rounded once).
    pub packaging_mg: i64,
}

/// A footprint attestation (the body of an `attest_footprint` transaction).
#[derive(Clone, Debug, PartialEq, Eq, BorshSerialize, BorshDeserialize, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub struct Attestation {
    /// The product.
    pub product: Product,
    /// Product rule followed, if any.
    pub rule: Option<RecordRef>,
    /// Declared unit (PACT v3 units: `piece`, `kilogram`, `kilowatt hour`, ...).
    pub declared_unit: String,
    /// Amount of declared units in the product, micro-units (PACT `declaredUnitAmount`).
    pub declared_unit_amount: u64,
    /// System boundary.
    pub boundary: Boundary,
    /// Reference period start (inclusive).
    pub period_start: Date,
    /// Reference period end (exclusive).
    pub period_end: Date,
    /// Geography: ISO 3166-1 / 3166-2 code or UN region.
    pub geography: String,
    /// GWP set.
    pub gwp: Gwp,
    /// Privacy level.
    pub privacy: Privacy,
    /// The inputs, in the order of the model file.
    pub inputs: Vec<Input>,
    /// The result.
    pub results: Results,
    /// Share of primary data, basis points (0..=10000).
    pub primary_data_share_bp: u16,
    /// Data-quality ratings of the footprint.
    pub dqr: Dqr,
    /// An earlier attestation by the same author that this one replaces (deprecating it).
    pub supersedes: Option<TxId>,
}

//! The PACT data model, one module per spec version, plus the types both
//! versions share. These are wire types: they hold what a document says,
//! strings as written; [`crate::map`] fills them from ledger records and
//! [`crate::check`] validates documents from outside.

use serde::{Deserialize, Serialize};

pub mod v2;
pub mod v3;

/// A secondary emission-factor database (`EmissionFactorDS`).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema), schema(as = PactEmissionFactorSource))]
pub struct EmissionFactorSource {
    /// Database name.
    pub name: String,
    /// Its version.
    pub version: String,
}

/// A product or sector rule followed (`ProductOrSectorSpecificRule`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema), schema(as = PactProductOrSectorSpecificRule))]
#[serde(rename_all = "camelCase")]
pub struct ProductOrSectorSpecificRule {
    /// `PEF`, `EPD International` or `Other`.
    pub operator: String,
    /// Rule names (at least one).
    pub rule_names: Vec<String>,
    /// Who operates the rule, when `operator` is `Other`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub other_operator_name: Option<String>,
}

/// A data-model extension (`DataModelExtension`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema), schema(as = PactDataModelExtension))]
#[serde(rename_all = "camelCase")]
pub struct DataModelExtension {
    /// Version of the extension spec, `2.0.0`.
    pub spec_version: String,
    /// URL of the JSON schema of `data`.
    pub data_schema: String,
    /// URL of its documentation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub documentation: Option<String>,
    /// The extension's content.
    #[cfg_attr(feature = "schema", schema(value_type = Object))]
    pub data: serde_json::Value,
}

/// A PACT document of either version.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
#[serde(untagged)]
pub enum PactDocument {
    /// v3.0 (`specVersion` 3.x).
    V3(Box<v3::ProductFootprint>),
    /// v2.3 (`specVersion` 2.x).
    V2(Box<v2::ProductFootprint>),
}

impl PactDocument {
    /// Appends a data-model extension.
    pub fn push_extension(&mut self, extension: DataModelExtension) {
        let list = match self {
            PactDocument::V3(d) => &mut d.extensions,
            PactDocument::V2(d) => &mut d.extensions,
        };
        list.get_or_insert_with(Vec::new).push(extension);
    }
}

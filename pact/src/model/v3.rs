//! The PACT v3.0 data model (`spec/v3/openapi.yaml`, 3.0.3), as served and
//! imported. Field names and optionality follow the normative OpenAPI
//! schema; every fractional number is a decimal string (ADR-39), every
//! figure is per declared unit.

use serde::{Deserialize, Serialize};

use super::{DataModelExtension, EmissionFactorSource, ProductOrSectorSpecificRule};

/// The spec version written into served documents.
pub const SPEC_VERSION: &str = "3.0.3";

/// A product footprint (`ProductFootprint`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema), schema(as = PactProductFootprintV3))]
#[serde(rename_all = "camelCase")]
pub struct ProductFootprint {
    /// UUID of this footprint; any change gives a new id.
    pub id: String,
    /// `3.0.x`.
    pub spec_version: String,
    /// Footprints this one replaces.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub preceding_pf_ids: Option<Vec<String>>,
    /// Creation time (RFC 3339, UTC).
    pub created: String,
    /// `Active` or `Deprecated`.
    pub status: String,
    /// Start of validity (RFC 3339, UTC).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub validity_period_start: Option<String>,
    /// End of validity (RFC 3339, UTC).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub validity_period_end: Option<String>,
    /// The reporting company.
    pub company_name: String,
    /// Its ids (URNs).
    pub company_ids: Vec<String>,
    /// What the product is.
    pub product_description: String,
    /// Product ids (URNs).
    pub product_ids: Vec<String>,
    /// Classifications (URNs).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub product_classifications: Option<Vec<String>>,
    /// Trade name.
    pub product_name_company: String,
    /// Free text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    /// The footprint.
    pub pcf: CarbonFootprint,
    /// Data-model extensions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub extensions: Option<Vec<DataModelExtension>>,
}

/// The carbon footprint of a product (`CarbonFootprint`), per declared unit.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema), schema(as = PactCarbonFootprintV3))]
#[serde(rename_all = "camelCase")]
pub struct CarbonFootprint {
    /// `kilogram`, `piece`, `kilowatt hour`, ...
    pub declared_unit_of_measurement: String,
    /// Declared units in the product (> 0).
    pub declared_unit_amount: String,
    /// kg of product per declared unit, packaging excluded.
    pub product_mass_per_declared_unit: String,
    /// Inclusive start.
    pub reference_period_start: String,
    /// Exclusive end.
    pub reference_period_end: String,
    /// UN M49 region or subregion.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub geography_region_or_subregion: Option<String>,
    /// ISO 3166-1 alpha-2.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub geography_country: Option<String>,
    /// ISO 3166-2.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub geography_country_subdivision: Option<String>,
    /// Processes in the boundary.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub boundary_processes_description: Option<String>,
    /// kgCO2e: everything but biogenic CO2 uptake.
    pub pcf_excluding_biogenic_uptake: String,
    /// kgCO2e: the above plus biogenic CO2 uptake.
    pub pcf_including_biogenic_uptake: String,
    /// kgC of fossil origin in the product.
    pub fossil_carbon_content: String,
    /// kgC of biogenic origin in the product.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub biogenic_carbon_content: Option<String>,
    /// kgCO2e from fossil sources (≥ 0).
    pub fossil_ghg_emissions: String,
    /// kgCO2e from land-use change (≥ 0).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub land_use_change_ghg_emissions: Option<String>,
    /// kgCO2e from land management, fossil (≥ 0).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub land_management_fossil_ghg_emissions: Option<String>,
    /// kgCO2 from land management, biogenic (≥ 0).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[serde(rename = "landManagementBiogenicCO2Emissions")]
    pub land_management_biogenic_co2_emissions: Option<String>,
    /// kgCO2 removed by land management (≤ 0).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[serde(rename = "landManagementBiogenicCO2Removals")]
    pub land_management_biogenic_co2_removals: Option<String>,
    /// kgCO2 taken up biogenically (≤ 0).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[serde(rename = "biogenicCO2Uptake")]
    pub biogenic_co2_uptake: Option<String>,
    /// kgCO2e of biogenic non-CO2 emissions (≥ 0).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[serde(rename = "biogenicNonCO2Emissions")]
    pub biogenic_non_co2_emissions: Option<String>,
    /// kgCO2e from aircraft (≥ 0), included in the totals.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub aircraft_ghg_emissions: Option<String>,
    /// Whether packaging is in the footprint.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub packaging_emissions_included: Option<bool>,
    /// kgCO2e from packaging (≥ 0), included in the totals.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub packaging_ghg_emissions: Option<String>,
    /// GWP sets (`AR5`, `AR6`).
    pub ipcc_characterization_factors: Vec<String>,
    /// Standards followed.
    pub cross_sectoral_standards: Vec<String>,
    /// Product or sector rules followed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub product_or_sector_specific_rules: Option<Vec<ProductOrSectorSpecificRule>>,
    /// Share of emissions left out (decimal percent).
    pub exempted_emissions_percent: String,
    /// Why.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exempted_emissions_description: Option<String>,
    /// Secondary databases used.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secondary_emission_factor_sources: Option<Vec<EmissionFactorSource>>,
    /// Share of primary data (decimal percent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub primary_data_share: Option<String>,
    /// Data-quality ratings (1 to 5).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dqi: Option<DataQualityIndicators>,
    /// Third-party verification.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verification: Option<Verification>,
}

/// v3 data-quality ratings, decimal strings in 1..=5.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema), schema(as = PactDataQualityIndicatorsV3))]
#[serde(rename_all = "camelCase")]
pub struct DataQualityIndicators {
    /// Technological representativeness.
    #[serde(rename = "technologicalDQR")]
    pub technological_dqr: String,
    /// Geographical representativeness.
    #[serde(rename = "geographicalDQR")]
    pub geographical_dqr: String,
    /// Temporal representativeness.
    #[serde(rename = "temporalDQR")]
    pub temporal_dqr: String,
}

/// v3 verification (was `assurance` in v2).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema), schema(as = PactVerificationV3))]
#[serde(rename_all = "camelCase")]
pub struct Verification {
    /// `PCF calculation model`, `PCF program` or `product level`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub coverage: Option<String>,
    /// Who verified.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provider_name: Option<String>,
    /// When (RFC 3339, UTC).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub completed_at: Option<String>,
    /// Standard verified against.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub standard_name: Option<String>,
    /// Free text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comments: Option<String>,
}

//! The PACT v2.3 data model (`spec/v2/index.bs` §4, 2.3.0 to 2.3.3), as served
//! and imported. Emission figures are decimal strings; percentages and DQRs
//! are JSON numbers, as v2 writes them.

use serde::{Deserialize, Serialize};

use super::{DataModelExtension, EmissionFactorSource, ProductOrSectorSpecificRule};

/// The spec version written into served documents.
pub const SPEC_VERSION: &str = "2.3.0";

/// A product footprint (`ProductFootprint`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema), schema(as = PactProductFootprintV2))]
#[serde(rename_all = "camelCase")]
pub struct ProductFootprint {
    /// UUID.
    pub id: String,
    /// `2.x.y`.
    pub spec_version: String,
    /// Footprints this one replaces.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub preceding_pf_ids: Option<Vec<String>>,
    /// Version of this id (0 ..= 2^31 - 1).
    pub version: i32,
    /// Creation time (RFC 3339, UTC).
    pub created: String,
    /// Last update; absent if never updated.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated: Option<String>,
    /// `Active` or `Deprecated`.
    pub status: String,
    /// Why the status is what it is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status_comment: Option<String>,
    /// Start of validity.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub validity_period_start: Option<String>,
    /// End of validity.
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
    /// Classifications (URNs), new in 2.3.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub product_classifications: Option<Vec<String>>,
    /// UN CPC code (deprecated in 2.3, still mandatory).
    pub product_category_cpc: String,
    /// Trade name.
    pub product_name_company: String,
    /// Free text (may be empty).
    pub comment: String,
    /// The footprint.
    pub pcf: CarbonFootprint,
    /// Data-model extensions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub extensions: Option<Vec<DataModelExtension>>,
}

/// The carbon footprint of a product (`CarbonFootprint`), per declared unit.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema), schema(as = PactCarbonFootprintV2))]
#[serde(rename_all = "camelCase")]
pub struct CarbonFootprint {
    /// `kilogram`, `kilowatt hour`, ... (no `piece` in v2).
    pub declared_unit: String,
    /// Declared units in the product (> 0).
    pub unitary_product_amount: String,
    /// kg of product per declared unit (new in 2.3).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub product_mass_per_declared_unit: Option<String>,
    /// kgCO2e excluding biogenic emissions and removals (≥ 0).
    #[serde(rename = "pCfExcludingBiogenic")]
    pub pcf_excluding_biogenic: String,
    /// kgCO2e including them.
    #[serde(rename = "pCfIncludingBiogenic")]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pcf_including_biogenic: Option<String>,
    /// kgCO2e from fossil sources (≥ 0).
    pub fossil_ghg_emissions: String,
    /// kgC of fossil origin.
    pub fossil_carbon_content: String,
    /// kgC of biogenic origin.
    pub biogenic_carbon_content: String,
    /// kgCO2e from direct land-use change (≥ 0).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub d_luc_ghg_emissions: Option<String>,
    /// kgCO2e from land management.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub land_management_ghg_emissions: Option<String>,
    /// kgCO2e of other biogenic emissions (≥ 0).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub other_biogenic_ghg_emissions: Option<String>,
    /// kgCO2e from indirect land-use change (≥ 0).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub i_luc_ghg_emissions: Option<String>,
    /// kgCO2e withdrawn biogenically (≤ 0).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub biogenic_carbon_withdrawal: Option<String>,
    /// kgCO2e from aircraft (≥ 0).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub aircraft_ghg_emissions: Option<String>,
    /// `AR6` or `AR5` (deprecated, still mandatory).
    pub characterization_factors: String,
    /// GWP sets used.
    pub ipcc_characterization_factors_sources: Vec<String>,
    /// Standards (deprecated value set, still mandatory).
    pub cross_sectoral_standards_used: Vec<String>,
    /// Standards (2.3 value set).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cross_sectoral_standards: Option<Vec<String>>,
    /// Product or sector rules followed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub product_or_sector_specific_rules: Option<Vec<ProductOrSectorSpecificRule>>,
    /// `PEF`, `ISO`, `GHGP` or `Quantis`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub biogenic_accounting_methodology: Option<String>,
    /// Processes in the boundary.
    pub boundary_processes_description: String,
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
    /// Secondary databases used.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secondary_emission_factor_sources: Option<Vec<EmissionFactorSource>>,
    /// Share of emissions left out (0 to 5 per the text).
    pub exempted_emissions_percent: f64,
    /// Why (may be empty).
    pub exempted_emissions_description: String,
    /// Whether packaging is in the footprint.
    pub packaging_emissions_included: bool,
    /// kgCO2e from packaging.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub packaging_ghg_emissions: Option<String>,
    /// How co-products were allocated.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub allocation_rules_description: Option<String>,
    /// Uncertainty assessment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uncertainty_assessment_description: Option<String>,
    /// Share of primary data (percent, a number).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub primary_data_share: Option<f64>,
    /// Data-quality indicators (DQRs 1 to 3).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dqi: Option<DataQualityIndicators>,
    /// Assurance.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assurance: Option<Assurance>,
}

/// v2 data-quality indicators: all six when present.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema), schema(as = PactDataQualityIndicatorsV2))]
#[serde(rename_all = "camelCase")]
pub struct DataQualityIndicators {
    /// Percent of emissions covered by the ratings.
    pub coverage_percent: f64,
    /// 1 to 3.
    #[serde(rename = "technologicalDQR")]
    pub technological_dqr: f64,
    /// 1 to 3.
    #[serde(rename = "temporalDQR")]
    pub temporal_dqr: f64,
    /// 1 to 3.
    #[serde(rename = "geographicalDQR")]
    pub geographical_dqr: f64,
    /// 1 to 3.
    #[serde(rename = "completenessDQR")]
    pub completeness_dqr: f64,
    /// 1 to 3.
    #[serde(rename = "reliabilityDQR")]
    pub reliability_dqr: f64,
}

/// v2 assurance.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema), schema(as = PactAssuranceV2))]
#[serde(rename_all = "camelCase")]
pub struct Assurance {
    /// Whether the footprint was assured.
    pub assurance: bool,
    /// `corporate level`, `product line`, `PCF system` or `product level`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub coverage: Option<String>,
    /// `limited` or `reasonable`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub level: Option<String>,
    /// `Gate-to-Gate` or `Cradle-to-Gate`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub boundary: Option<String>,
    /// Who assured.
    pub provider_name: String,
    /// When.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub completed_at: Option<String>,
    /// Standard assured against.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub standard_name: Option<String>,
    /// Free text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comments: Option<String>,
}

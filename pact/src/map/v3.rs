//! Ledger records → PACT v3.0 `ProductFootprint`.

use tanji_ledger::carbon::units::format_decimal;

use super::figures::kg;
use super::{timestamp, Geography, MapError, RecordSet};
use crate::model::v3::{
    CarbonFootprint, DataQualityIndicators, ProductFootprint, Verification, SPEC_VERSION,
};

/// The v3.0 document of an attestation, without extensions.
pub fn v3(r: &RecordSet) -> Result<ProductFootprint, MapError> {
    r.check_disclosable()?;
    let a = &r.footprint.attestation;
    let declared = r.declared(super::V3_UNITS, 3)?;
    let f = declared.figures;
    let geo = Geography::of(&a.geography);
    let packaging = r.packaging_included();
    let (exempted, exempted_why) = r.exempted();
    let pcf = CarbonFootprint {
        declared_unit_of_measurement: declared.unit,
        declared_unit_amount: declared.amount,
        product_mass_per_declared_unit: declared.mass,
        reference_period_start: timestamp(a.period_start),
        reference_period_end: timestamp(a.period_end),
        geography_region_or_subregion: geo.region,
        geography_country: geo.country,
        geography_country_subdivision: geo.subdivision,
        boundary_processes_description: Some(r.boundary_description()),
        pcf_excluding_biogenic_uptake: kg(f.excluding_uptake()),
        pcf_including_biogenic_uptake: kg(f.total()),
        fossil_carbon_content: declared.carbon.fossil.clone(),
        biogenic_carbon_content: declared.carbon.biogenic.clone(),
        fossil_ghg_emissions: kg(f.fossil_ghg()),
        land_use_change_ghg_emissions: Some(kg(i128::from(f.luc))),
        land_management_fossil_ghg_emissions: None,
        land_management_biogenic_co2_emissions: None,
        land_management_biogenic_co2_removals: None,
        biogenic_co2_uptake: Some(kg(i128::from(f.removals))),
        biogenic_non_co2_emissions: None,
        aircraft_ghg_emissions: Some(kg(i128::from(f.aircraft))),
        packaging_emissions_included: Some(packaging),
        packaging_ghg_emissions: r.packaging_figure(&f),
        ipcc_characterization_factors: vec![a.gwp.to_string()],
        cross_sectoral_standards: vec!["ISO14067".into(), "GB/T24067".into()],
        product_or_sector_specific_rules: r.rules(),
        exempted_emissions_percent: format_decimal(exempted, 2),
        exempted_emissions_description: Some(exempted_why),
        secondary_emission_factor_sources: r.secondary_sources(),
        primary_data_share: Some(format_decimal(i128::from(a.primary_data_share_bp), 2)),
        dqi: Some(DataQualityIndicators {
            technological_dqr: a.dqr.technological.to_string(),
            geographical_dqr: a.dqr.geographical.to_string(),
            temporal_dqr: a.dqr.temporal.to_string(),
        }),
        verification: r.active_certificate().map(|(c, issuer)| Verification {
            coverage: Some("product level".into()),
            provider_name: Some(issuer.name.clone()),
            completed_at: Some(timestamp(c.certificate.valid_from)),
            standard_name: Some(c.certificate.scope.clone()),
            comments: Some(r.certificate_comment(c)),
        }),
    };
    Ok(ProductFootprint {
        id: r.pf_id(),
        spec_version: SPEC_VERSION.into(),
        preceding_pf_ids: r.preceding_pf_ids(),
        created: r.created(),
        status: r.status().into(),
        validity_period_start: None,
        validity_period_end: None,
        company_name: r.author.name.clone(),
        company_ids: r.company_ids(),
        product_description: r.product_description(),
        product_ids: a.product.ids.clone(),
        product_classifications: r.classifications(),
        product_name_company: a.product.name.clone(),
        comment: Some(r.comment()),
        pcf,
        extensions: None,
    })
}

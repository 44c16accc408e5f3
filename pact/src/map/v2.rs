//! Ledger records → PACT v2.3 `ProductFootprint`.
//!
//! v2 differs from v3 in names, in writing percentages and DQRs as JSON
//! numbers, in excluding biogenic emissions from `pCfExcludingBiogenic`, and
//! in a DQR scale of 1 to 3: the ledger rates 1 to 5 (as v3 does), so `dqi`
//! is written only when every rating is within v2's scale; the primary-data
//! share is always given, which v2 accepts in place of `dqi`.

use tanji_ledger::carbon::Boundary;

use super::figures::kg;
use super::{timestamp, Geography, MapError, RecordSet};
use crate::model::v2::{
    Assurance, CarbonFootprint, DataQualityIndicators, ProductFootprint, SPEC_VERSION,
};

/// The v2.3 document of an attestation, without extensions.
pub fn v2(r: &RecordSet) -> Result<ProductFootprint, MapError> {
    r.check_disclosable()?;
    let a = &r.footprint.attestation;
    let declared = r.declared(super::V2_UNITS, 2)?;
    let f = declared.figures;
    let geo = Geography::of(&a.geography);
    let packaging = r.packaging_included();
    let (exempted, exempted_why) = r.exempted();
    let carbon = declared.carbon.clone();
    let dqr = a.dqr;
    let dqi = [
        dqr.technological,
        dqr.temporal,
        dqr.geographical,
        dqr.completeness,
        dqr.reliability,
    ]
    .iter()
    .all(|d| (1..=3).contains(d))
    .then(|| DataQualityIndicators {
        // The ratings rate the footprint as a whole.
        coverage_percent: 100.0,
        technological_dqr: f64::from(dqr.technological),
        temporal_dqr: f64::from(dqr.temporal),
        geographical_dqr: f64::from(dqr.geographical),
        completeness_dqr: f64::from(dqr.completeness),
        reliability_dqr: f64::from(dqr.reliability),
    });
    let category = &a.product.category;
    let cpc = category
        .strip_prefix("urn:cpc:")
        .unwrap_or(category)
        .to_string();
    let pcf = CarbonFootprint {
        declared_unit: declared.unit,
        unitary_product_amount: declared.amount,
        product_mass_per_declared_unit: Some(declared.mass),
        pcf_excluding_biogenic: kg(f.excluding_biogenic()),
        pcf_including_biogenic: Some(kg(f.total())),
        fossil_ghg_emissions: kg(f.fossil_ghg()),
        fossil_carbon_content: carbon.fossil,
        biogenic_carbon_content: carbon.biogenic.unwrap_or_else(|| "0".into()),
        d_luc_ghg_emissions: Some(kg(i128::from(f.luc))),
        land_management_ghg_emissions: None,
        other_biogenic_ghg_emissions: Some(kg(i128::from(f.biogenic))),
        i_luc_ghg_emissions: None,
        biogenic_carbon_withdrawal: Some(kg(i128::from(f.removals))),
        aircraft_ghg_emissions: Some(kg(i128::from(f.aircraft))),
        characterization_factors: a.gwp.to_string(),
        ipcc_characterization_factors_sources: vec![a.gwp.to_string()],
        cross_sectoral_standards_used: vec!["ISO Standard 14067".into()],
        cross_sectoral_standards: Some(vec!["ISO14067".into()]),
        product_or_sector_specific_rules: r.rules(),
        biogenic_accounting_methodology: Some("ISO".into()),
        boundary_processes_description: r.boundary_description(),
        reference_period_start: timestamp(a.period_start),
        reference_period_end: timestamp(a.period_end),
        geography_region_or_subregion: geo.region,
        geography_country: geo.country,
        geography_country_subdivision: geo.subdivision,
        secondary_emission_factor_sources: r.secondary_sources(),
        // Basis points to percent: exact for every value below 2^53.
        exempted_emissions_percent: exempted as f64 / 100.0,
        exempted_emissions_description: exempted_why,
        packaging_emissions_included: packaging,
        packaging_ghg_emissions: r.packaging_figure(&f),
        allocation_rules_description: None,
        uncertainty_assessment_description: None,
        primary_data_share: Some(f64::from(a.primary_data_share_bp) / 100.0),
        dqi,
        assurance: r.active_certificate().map(|(c, issuer)| Assurance {
            assurance: true,
            coverage: Some("product level".into()),
            level: assurance_level(&c.certificate.scope),
            boundary: (a.boundary == Boundary::CradleToGate).then(|| "Cradle-to-Gate".into()),
            provider_name: issuer.name.clone(),
            completed_at: Some(timestamp(c.certificate.valid_from)),
            standard_name: Some(c.certificate.scope.clone()),
            comments: Some(r.certificate_comment(c)),
        }),
    };
    Ok(ProductFootprint {
        id: r.pf_id(),
        spec_version: SPEC_VERSION.into(),
        preceding_pf_ids: r.preceding_pf_ids(),
        // Every attestation is its own id (a change is a new attestation),
        // so each id has exactly one version.
        version: 0,
        created: r.created(),
        updated: None,
        status: r.status().into(),
        status_comment: r.status_comment(),
        validity_period_start: None,
        validity_period_end: None,
        company_name: r.author.name.clone(),
        company_ids: r.company_ids(),
        product_description: r.product_description(),
        product_ids: a.product.ids.clone(),
        product_classifications: r.classifications(),
        product_category_cpc: cpc,
        product_name_company: a.product.name.clone(),
        comment: r.comment(),
        pcf,
        extensions: None,
    })
}

/// `limited` or `reasonable` when the certificate's scope names it.
fn assurance_level(scope: &str) -> Option<String> {
    let s = scope.to_ascii_lowercase();
    if s.contains("reasonable") {
        Some("reasonable".into())
    } else if s.contains("limited") {
        Some("limited".into())
    } else {
        None
    }
}

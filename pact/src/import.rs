//! Import: a partner's PACT footprint (v2.x or v3.x) as a declared
//! attestation, the figures as the partner stated them.
//!
//! The document is checked field by field against the rules of the data
//! model (`../shared/pact/data-model.md`) for the fields the ledger records,
//! and a refusal names the field and the rule ([`ImportError`]). What is
//! recorded ([`declare`]):
//!
//! | ledger | v2.3 | v3.0 |
//! |---|---|---|
//! | product ids, name | `productIds`, `productNameCompany` | same |
//! | category | `productClassifications[0]`, else `urn:cpc:` + `productCategoryCpc` | `productClassifications[0]` |
//! | declared unit, amount | `pcf.declaredUnit`, `pcf.unitaryProductAmount` | `pcf.declaredUnitOfMeasurement`, `pcf.declaredUnitAmount` |
//! | mass per declared unit | `pcf.productMassPerDeclaredUnit` (0 when absent) | same |
//! | period | `pcf.referencePeriodStart/End` (UTC dates) | same |
//! | geography | subdivision, country or region; none = `GLO` | same |
//! | GWP | `pcf.characterizationFactors` | `pcf.ipccCharacterizationFactors` (AR6 if listed, else AR5) |
//! | aircraft `A` | `aircraftGhgEmissions` | same |
//! | fossil `F` | `fossilGhgEmissions` − A | same |
//! | land-use change `L` | `pCfExcludingBiogenic` − `fossilGhgEmissions` | `landUseChangeGhgEmissions` |
//! | biogenic emissions `B` | `otherBiogenicGhgEmissions` | `pcfExcludingBiogenicUptake` − `fossilGhgEmissions` − L |
//! | biogenic removals `R` | `biogenicCarbonWithdrawal` | `pcfIncludingBiogenicUptake` − `pcfExcludingBiogenicUptake` |
//! | packaging | `packagingGhgEmissions` | same |
//! | carbon content | `fossilCarbonContent`, `biogenicCarbonContent` (kg C) | same (biogenic optional) |
//! | primary data share | `primaryDataShare` (%) | same |
//! | DQR | `dqi` ratings (absent: 5, the worst) | same (completeness, reliability: 5) |
//!
//! These are the inverses of the export mapping ([`crate::map`]), so a
//! document Tanji serves imports to the same figures; totals a document
//! states twice (`pCfIncludingBiogenic`, `biogenicCO2Uptake`) must agree.
//! PACT footprints are cradle-to-gate (PACT Methodology), so is the
//! boundary. kg figures with more than six decimals are rounded to whole
//! milligrams with the ledger's rounding rule (half up), and the rounding is
//! reported.
//!
//! A document carrying the verifiable-PACT extension of a Tanji network
//! must verify ([`crate::verify`]); the declaration then records what the
//! proof established.

use serde_json::Value;
use tanji_ledger::carbon::compute;
use tanji_ledger::carbon::units::{parse_decimal, DecimalError};
use tanji_ledger::carbon::{
    Attestation, Boundary, CarbonContent, Category, Date, DeclaredFootprint, DeclaredProof, Dqr,
    Gwp, PerCategory, PerStage, Privacy, Product, Results,
};
use tanji_ledger::checkpoint::NoteVerifier;
use tanji_ledger::TxId;

use crate::map::{V2_UNITS, V3_UNITS};
use crate::verify::{find_proof, verify_document, VerifyError, MAX_DOCUMENT_BYTES};

/// Why a document cannot be imported: the field (a JSON path) and the rule
/// it breaks.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {rule}")]
pub struct ImportError {
    /// The field, e.g. `pcf.fossilGhgEmissions`.
    pub field: String,
    /// The rule it breaks.
    pub rule: String,
}

fn refuse(field: &str, rule: impl Into<String>) -> ImportError {
    ImportError {
        field: field.to_string(),
        rule: rule.into(),
    }
}

/// A document turned into an attestation.
#[derive(Clone, Debug, PartialEq)]
pub struct Imported {
    /// The declared attestation, ready to sign (no `supersedes`).
    pub attestation: Attestation,
    /// The document's PACT major version (2 or 3).
    pub version: u8,
    /// Figures rounded to whole milligrams (field, as stated, as recorded).
    pub rounded: Vec<String>,
}

/// Reads fields of one document, remembering roundings.
struct Reader<'a> {
    doc: &'a Value,
    rounded: Vec<String>,
}

fn at<'a>(doc: &'a Value, path: &str) -> Option<&'a Value> {
    path.split('.')
        .try_fold(doc, |v, k| v.get(k))
        .filter(|v| !v.is_null())
}

impl<'a> Reader<'a> {
    fn get(&self, path: &str) -> Option<&'a Value> {
        at(self.doc, path)
    }

    fn string(&self, path: &str) -> Result<&'a str, ImportError> {
        match self.get(path) {
            None => Err(refuse(path, "mandatory")),
            Some(v) => v.as_str().ok_or_else(|| refuse(path, "must be a string")),
        }
    }

    fn text(&self, path: &str) -> Result<String, ImportError> {
        let s = self.string(path)?;
        if s.trim().is_empty() {
            return Err(refuse(path, "must not be empty"));
        }
        Ok(s.to_string())
    }

    fn urns(&self, path: &str) -> Result<Vec<String>, ImportError> {
        let list = self
            .get(path)
            .ok_or_else(|| refuse(path, "mandatory"))?
            .as_array()
            .ok_or_else(|| refuse(path, "must be an array of URNs"))?;
        if list.is_empty() {
            return Err(refuse(path, "must hold at least one URN"));
        }
        let mut out: Vec<String> = Vec::with_capacity(list.len());
        for (i, v) in list.iter().enumerate() {
            let field = format!("{path}[{i}]");
            let s = v
                .as_str()
                .ok_or_else(|| refuse(&field, "must be a string"))?;
            if !s.to_ascii_lowercase().starts_with("urn:")
                || s.len() <= 4
                || s.chars().any(char::is_whitespace)
            {
                return Err(refuse(&field, "must be a URN (urn:…, no spaces)"));
            }
            if out.iter().any(|o| o == s) {
                return Err(refuse(&field, "duplicate: the list is a set"));
            }
            out.push(s.to_string());
        }
        Ok(out)
    }

    /// A decimal string (no exponent) in `10^-decimals` units, exactly.
    fn exact(&self, path: &str, decimals: u32) -> Result<Option<i128>, ImportError> {
        let Some(v) = self.get(path) else {
            return Ok(None);
        };
        let s = v
            .as_str()
            .ok_or_else(|| refuse(path, "must be a decimal string (e.g. \"1.25\")"))?;
        parse_decimal(s, decimals).map(Some).map_err(|e| match e {
            DecimalError::TooPrecise { max, .. } => refuse(
                path,
                format!("at most {max} decimal places can be recorded"),
            ),
            _ => refuse(
                path,
                "must be a decimal string matching ^[+-]?\\d+(\\.\\d+)?$",
            ),
        })
    }

    /// kg per declared unit as whole milligrams, rounded (and noted) past
    /// six decimals with the ledger's one rounding rule
    /// ([`compute::round_mg`]); `None` when absent.
    fn kg(&mut self, path: &str) -> Result<Option<i64>, ImportError> {
        // 10^-15 kg = 10^-9 mg: the unit `round_mg` takes.
        let Some(exact) = self.exact(path, 15)? else {
            return Ok(None);
        };
        let mg = compute::round_mg(exact).map_err(|_| refuse(path, "out of range"))?;
        if exact % compute::PG_PER_MG != 0 {
            self.rounded.push(format!(
                "{path}: {} kg recorded as {mg} mg",
                self.string(path).unwrap_or_default()
            ));
        }
        Ok(Some(mg))
    }

    fn kg_at_least_zero(&mut self, path: &str) -> Result<Option<i64>, ImportError> {
        match self.kg(path)? {
            Some(v) if v < 0 => Err(refuse(path, "must be ≥ 0")),
            v => Ok(v),
        }
    }

    fn date(&self, path: &str) -> Result<Date, ImportError> {
        let s = self.string(path)?;
        let rule = "must be an RFC 3339 date-time in UTC (e.g. 2025-01-01T00:00:00Z)";
        let (day, time) = s.split_once('T').ok_or_else(|| refuse(path, rule))?;
        let utc = time.ends_with('Z') || time.ends_with("+00:00");
        if !utc || time.len() < 8 {
            return Err(refuse(path, rule));
        }
        day.parse::<Date>().map_err(|_| refuse(path, rule))
    }

    /// A rating from `dqi`, 1 ..= `max` (5 when absent), rounded to whole.
    fn rating(&self, path: &str, max: u8) -> Result<u8, ImportError> {
        let Some(v) = self.get(path) else {
            return Ok(5);
        };
        let hundredths = hundredths(v)
            .ok_or_else(|| refuse(path, format!("must be a number from 1 to {max}")))?;
        if !(100..=i128::from(max) * 100).contains(&hundredths) {
            return Err(refuse(path, format!("must be from 1 to {max}")));
        }
        // Half up to a whole rating.
        u8::try_from((hundredths + 50) / 100).map_err(|_| refuse(path, "out of range"))
    }
}

/// A number given as a JSON number or a decimal string (PACT v2 and v3
/// write percentages and ratings differently), in hundredths; `None` when
/// it is neither or has more than two decimals.
fn hundredths(v: &Value) -> Option<i128> {
    match v {
        Value::String(s) => parse_decimal(s, 2).ok(),
        Value::Number(n) => parse_decimal(&n.to_string(), 2).ok(),
        _ => None,
    }
}

/// `bytes` (a PACT document, bare or as `{"data": …}`) as a declared
/// attestation. `pinned` are validator keys to check a Tanji proof
/// against (else the keys the document names).
pub fn declare(
    bytes: &[u8],
    pinned: Option<(&[NoteVerifier], usize)>,
) -> Result<Imported, ImportError> {
    if bytes.len() > MAX_DOCUMENT_BYTES {
        return Err(refuse(
            "(document)",
            format!("at most {MAX_DOCUMENT_BYTES} bytes"),
        ));
    }
    let text =
        std::str::from_utf8(bytes).map_err(|_| refuse("(document)", "must be UTF-8 JSON"))?;
    let doc =
        crate::verify::parse_document(text).map_err(|e| refuse("(document)", e.to_string()))?;
    if !doc.is_object() {
        return Err(refuse(
            "(document)",
            "must be a JSON object (a ProductFootprint)",
        ));
    }
    let mut r = Reader {
        doc: &doc,
        rounded: Vec::new(),
    };
    let spec = r.string("specVersion")?.to_string();
    let version = match spec.split('.').next() {
        Some("2") => 2,
        Some("3") => 3,
        _ => {
            return Err(refuse(
                "specVersion",
                "PACT 2.x or 3.x (pattern ^\\d+\\.\\d+\\.\\d+(-\\d{8})?$)",
            ))
        }
    };
    let id = r.string("id")?;
    let pf_id = uuid::Uuid::parse_str(id).map_err(|_| refuse("id", "must be a UUID"))?;
    match r.string("status")? {
        "Active" => {}
        "Deprecated" => return Err(refuse(
            "status",
            "Deprecated: the partner has replaced this footprint; import the one that replaced it",
        )),
        _ => return Err(refuse("status", "must be Active or Deprecated")),
    }
    let issuer = r.text("companyName")?;
    let issuer_ids = r.urns("companyIds")?;
    let product_ids = r.urns("productIds")?;
    let name = r.text("productNameCompany")?;
    let category = match r.get("productClassifications") {
        Some(_) => r.urns("productClassifications")?.remove(0),
        None if version == 2 => {
            let cpc = r.text("productCategoryCpc")?;
            format!("urn:cpc:{cpc}")
        }
        None => String::new(),
    };

    // Declared unit, amount, mass.
    let (unit_path, amount_path, units) = if version == 2 {
        ("pcf.declaredUnit", "pcf.unitaryProductAmount", V2_UNITS)
    } else {
        (
            "pcf.declaredUnitOfMeasurement",
            "pcf.declaredUnitAmount",
            V3_UNITS,
        )
    };
    let unit = r.string(unit_path)?;
    if !units.contains(&unit) {
        return Err(refuse(
            unit_path,
            format!("must be one of: {}", units.join(", ")),
        ));
    }
    let amount = r
        .exact(amount_path, 6)?
        .ok_or_else(|| refuse(amount_path, "mandatory"))?;
    let amount = u64::try_from(amount)
        .ok()
        .filter(|a| *a > 0)
        .ok_or_else(|| refuse(amount_path, "must be greater than 0"))?;
    if version == 3 && r.get("pcf.productMassPerDeclaredUnit").is_none() {
        return Err(refuse("pcf.productMassPerDeclaredUnit", "mandatory"));
    }
    let mass = r
        .kg_at_least_zero("pcf.productMassPerDeclaredUnit")?
        .unwrap_or(0);

    // Period, geography, GWP.
    let period_start = r.date("pcf.referencePeriodStart")?;
    let period_end = r.date("pcf.referencePeriodEnd")?;
    if period_start >= period_end {
        return Err(refuse(
            "pcf.referencePeriodEnd",
            "must be after referencePeriodStart (the end is exclusive)",
        ));
    }
    let places = [
        "pcf.geographyCountrySubdivision",
        "pcf.geographyCountry",
        "pcf.geographyRegionOrSubregion",
    ];
    let given: Vec<&str> = places.into_iter().filter(|p| r.get(p).is_some()).collect();
    let geography = match given.as_slice() {
        [] => "GLO".to_string(),
        [one] => r.text(one)?,
        [_, second, ..] => {
            return Err(refuse(
                second,
                "at most one of geographyRegionOrSubregion, geographyCountry, geographyCountrySubdivision",
            ))
        }
    };
    let gwp = if version == 2 {
        match r.string("pcf.characterizationFactors")? {
            "AR6" => Gwp::Ar6,
            "AR5" => Gwp::Ar5,
            _ => return Err(refuse("pcf.characterizationFactors", "must be AR6 or AR5")),
        }
    } else {
        let list = r
            .get("pcf.ipccCharacterizationFactors")
            .and_then(Value::as_array)
            .ok_or_else(|| {
                refuse(
                    "pcf.ipccCharacterizationFactors",
                    "mandatory: a non-empty array like [\"AR6\"]",
                )
            })?;
        let has = |ar: &str| list.iter().any(|v| v.as_str() == Some(ar));
        if has("AR6") {
            Gwp::Ar6
        } else if has("AR5") {
            Gwp::Ar5
        } else {
            return Err(refuse(
                "pcf.ipccCharacterizationFactors",
                "the ledger records AR6 or AR5 footprints",
            ));
        }
    };

    // Figures.
    let fossil_ghg = r
        .kg_at_least_zero("pcf.fossilGhgEmissions")?
        .ok_or_else(|| refuse("pcf.fossilGhgEmissions", "mandatory"))?;
    let aircraft = r.kg_at_least_zero("pcf.aircraftGhgEmissions")?.unwrap_or(0);
    if aircraft > fossil_ghg {
        return Err(refuse(
            "pcf.aircraftGhgEmissions",
            "is part of fossilGhgEmissions, so cannot exceed it",
        ));
    }
    let (luc, biogenic, removals) = if version == 2 {
        let excl = r
            .kg_at_least_zero("pcf.pCfExcludingBiogenic")?
            .ok_or_else(|| refuse("pcf.pCfExcludingBiogenic", "mandatory"))?;
        let luc = excl - fossil_ghg;
        if luc < 0 {
            return Err(refuse(
                "pcf.pCfExcludingBiogenic",
                "must be at least fossilGhgEmissions (it includes them)",
            ));
        }
        let biogenic = r
            .kg_at_least_zero("pcf.otherBiogenicGhgEmissions")?
            .unwrap_or(0);
        let removals = r.kg("pcf.biogenicCarbonWithdrawal")?.unwrap_or(0);
        if removals > 0 {
            return Err(refuse("pcf.biogenicCarbonWithdrawal", "must be ≤ 0"));
        }
        if let Some(incl) = r.kg("pcf.pCfIncludingBiogenic")? {
            if incl != excl + biogenic + removals {
                return Err(refuse(
                    "pcf.pCfIncludingBiogenic",
                    "must equal pCfExcludingBiogenic + otherBiogenicGhgEmissions + biogenicCarbonWithdrawal",
                ));
            }
        }
        (luc, biogenic, removals)
    } else {
        let luc = r
            .kg_at_least_zero("pcf.landUseChangeGhgEmissions")?
            .unwrap_or(0);
        let excl = r
            .kg("pcf.pcfExcludingBiogenicUptake")?
            .ok_or_else(|| refuse("pcf.pcfExcludingBiogenicUptake", "mandatory"))?;
        let biogenic = excl - fossil_ghg - luc;
        let incl = r
            .kg("pcf.pcfIncludingBiogenicUptake")?
            .ok_or_else(|| refuse("pcf.pcfIncludingBiogenicUptake", "mandatory"))?;
        let removals = incl - excl;
        if removals > 0 {
            return Err(refuse(
                "pcf.pcfIncludingBiogenicUptake",
                "must not exceed pcfExcludingBiogenicUptake (the uptake is ≤ 0)",
            ));
        }
        if let Some(uptake) = r.kg("pcf.biogenicCO2Uptake")? {
            if uptake != removals {
                return Err(refuse(
                    "pcf.biogenicCO2Uptake",
                    "must equal pcfIncludingBiogenicUptake − pcfExcludingBiogenicUptake",
                ));
            }
        }
        (luc, biogenic, removals)
    };
    let included = r
        .get("pcf.packagingEmissionsIncluded")
        .and_then(Value::as_bool);
    let packaging = r.kg_at_least_zero("pcf.packagingGhgEmissions")?;
    if included == Some(false) && packaging.is_some() {
        return Err(refuse(
            "pcf.packagingGhgEmissions",
            "must be absent when packagingEmissionsIncluded is false",
        ));
    }
    // Carbon contained in the product, kg C → mg C.
    let fossil_carbon = r
        .kg_at_least_zero("pcf.fossilCarbonContent")?
        .ok_or_else(|| refuse("pcf.fossilCarbonContent", "mandatory"))?;
    let biogenic_carbon = r.kg_at_least_zero("pcf.biogenicCarbonContent")?;
    if version == 2 && biogenic_carbon.is_none() {
        return Err(refuse("pcf.biogenicCarbonContent", "mandatory"));
    }
    let carbon = CarbonContent {
        fossil_mg: u64::try_from(fossil_carbon).unwrap_or(0),
        biogenic_mg: biogenic_carbon.map(|b| u64::try_from(b).unwrap_or(0)),
    };
    let mut categories = PerCategory::default();
    for (c, v) in [
        (Category::Fossil, fossil_ghg - aircraft),
        (Category::Biogenic, biogenic),
        (Category::BiogenicRemovals, removals),
        (Category::Luc, luc),
        (Category::Aircraft, aircraft),
    ] {
        categories.0[c as usize] = v;
    }
    let total_mg = categories.total();

    // Data quality.
    let primary_data_share_bp = match r.get("pcf.primaryDataShare") {
        None => 0,
        Some(v) => {
            let hundredths = hundredths(v)
                .filter(|h| (0..=10_000).contains(h))
                .ok_or_else(|| {
                    refuse("pcf.primaryDataShare", "must be a percentage from 0 to 100")
                })?;
            u16::try_from(hundredths).map_err(|_| refuse("pcf.primaryDataShare", "out of range"))?
        }
    };
    let max = if version == 2 { 3 } else { 5 };
    let dqr = Dqr {
        technological: r.rating("pcf.dqi.technologicalDQR", max)?,
        temporal: r.rating("pcf.dqi.temporalDQR", max)?,
        geographical: r.rating("pcf.dqi.geographicalDQR", max)?,
        completeness: if version == 2 {
            r.rating("pcf.dqi.completenessDQR", max)?
        } else {
            5
        },
        reliability: if version == 2 {
            r.rating("pcf.dqi.reliabilityDQR", max)?
        } else {
            5
        },
    };

    // A Tanji proof must verify; what it established is recorded.
    // Whether it carries a proof is the verifier's call: a malformed proof
    // extension is refused by `verify_document`, not ignored.
    let proof = if matches!(find_proof(&doc), Err(VerifyError::NoProof)) {
        None
    } else {
        let report = verify_document(&doc, pinned).map_err(|e| {
            refuse(
                e.field().unwrap_or("extensions"),
                format!("the Tanji proof extension does not verify: {e}"),
            )
        })?;
        Some(DeclaredProof {
            footprint: report
                .footprint
                .parse::<TxId>()
                .map_err(|_| refuse("extensions", "the proof names no attestation id"))?,
            network: report.network,
            tree_size: report.tree_size,
            validators_pinned: report.keys_pinned,
        })
    };

    let attestation = Attestation {
        product: Product {
            ids: product_ids,
            name,
            category,
            mass_mg: u64::try_from(mass).unwrap_or(0),
            carbon: Some(carbon),
        },
        rule: None,
        declared_unit: unit.to_string(),
        declared_unit_amount: amount,
        boundary: Boundary::CradleToGate,
        period_start,
        period_end,
        geography,
        gwp,
        privacy: Privacy::Declared(Box::new(DeclaredFootprint {
            issuer,
            issuer_ids,
            format: format!("PACT {spec}"),
            document_id: pf_id.to_string(),
            document_hash: *blake3::hash(bytes).as_bytes(),
            proof,
        })),
        inputs: Vec::new(),
        results: Results {
            categories,
            stages: PerStage::default(),
            total_mg,
            packaging_mg: packaging.unwrap_or(0),
        },
        primary_data_share_bp,
        dqr,
        supersedes: None,
    };
    tanji_ledger::carbon::compute::check_form(&attestation)
        .map_err(|e| refuse("(recorded attestation)", e.to_string()))?;
    Ok(Imported {
        attestation,
        version,
        rounded: r.rounded,
    })
}

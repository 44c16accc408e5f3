//! ListFootprints filters (PACT v3 query parameters) over served documents.
//!
//! PACT v3: OR among the repeated values of one criterion, AND across
//! criteria; ids compare case-insensitively; `geography` matches the region,
//! the country or the subdivision; `validOn`/`validAfter`/`validBefore` use
//! the validity period, which defaults to the reference period's end plus
//! three years. A value that cannot match anything (an unknown status, a
//! malformed timestamp) makes the filter match nothing: the host answers
//! `{"data": []}`, never an error, as the conformance suite expects.

use tanji_ledger::carbon::Date;

use crate::model::v3::ProductFootprint;

/// The v3 filter criteria of one request. Empty lists and `None` do not filter.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Filter {
    /// `productId` (URNs).
    pub product_ids: Vec<String>,
    /// `companyId` (URNs).
    pub company_ids: Vec<String>,
    /// `geography`: a region, a country or a subdivision.
    pub geography: Vec<String>,
    /// `classification` (URNs).
    pub classifications: Vec<String>,
    /// `validOn`: validity start ≤ t ≤ end.
    pub valid_on: Option<String>,
    /// `validAfter`: validity start > t.
    pub valid_after: Option<String>,
    /// `validBefore`: validity end < t.
    pub valid_before: Option<String>,
    /// `status`: `Active` or `Deprecated`.
    pub status: Vec<String>,
}

/// Seconds since 1970-01-01T00:00:00Z of an RFC 3339 timestamp
/// (`YYYY-MM-DDTHH:MM:SS[.frac](Z|±HH:MM)`; fractions are dropped).
pub fn parse_timestamp(s: &str) -> Option<i64> {
    let b = s.as_bytes();
    if b.len() < 20 || !matches!(b[10], b'T' | b't') || b[13] != b':' || b[16] != b':' {
        return None;
    }
    let date: Date = s.get(..10)?.parse().ok()?;
    let (h, m, sec) = (num_in(s, 11..13)?, num_in(s, 14..16)?, num_in(s, 17..19)?);
    if h > 23 || m > 59 || sec > 60 {
        return None;
    }
    let mut rest = s.get(19..)?;
    if let Some(frac) = rest.strip_prefix('.') {
        let digits = frac.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 {
            return None;
        }
        rest = &frac[digits..];
    }
    let offset = match rest {
        "Z" | "z" => 0,
        _ => {
            let sign = match rest.as_bytes().first()? {
                b'+' => 1,
                b'-' => -1,
                _ => return None,
            };
            if rest.len() != 6 || rest.as_bytes()[3] != b':' {
                return None;
            }
            let (oh, om) = (num_in(rest, 1..3)?, num_in(rest, 4..6)?);
            if oh > 23 || om > 59 {
                return None;
            }
            sign * (oh * 3600 + om * 60)
        }
    };
    Some(i64::from(date.0) * 86_400 + h * 3600 + m * 60 + sec - offset)
}

/// The decimal digits of `s[r]` as a number (digits only, no sign).
fn num_in(s: &str, r: std::ops::Range<usize>) -> Option<i64> {
    let part = s.get(r)?;
    if !part.bytes().all(|c| c.is_ascii_digit()) {
        return None;
    }
    part.parse().ok()
}

fn any_eq_ignore_case(wanted: &[String], have: &[String]) -> bool {
    wanted
        .iter()
        .any(|w| have.iter().any(|h| h.eq_ignore_ascii_case(w)))
}

/// The validity period of a document, in seconds: its own, or the
/// reference period's end to three years after it.
fn validity(doc: &ProductFootprint) -> Option<(i64, i64)> {
    let end_of_reference = parse_timestamp(&doc.pcf.reference_period_end)?;
    let start = match &doc.validity_period_start {
        Some(s) => parse_timestamp(s)?,
        None => end_of_reference,
    };
    let end = match &doc.validity_period_end {
        Some(s) => parse_timestamp(s)?,
        None => {
            let day = Date(i32::try_from(end_of_reference.div_euclid(86_400)).ok()?);
            let later = day.add_years(3)?;
            i64::from(later.0) * 86_400 + end_of_reference.rem_euclid(86_400)
        }
    };
    Some((start, end))
}

impl Filter {
    /// The criteria of a v3 ListFootprints query, from its decoded
    /// `(name, value)` pairs; other parameters (`limit`, vendor `x-…`) are
    /// not criteria and are left to the caller.
    pub fn from_query<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> Self {
        let mut f = Filter::default();
        for (name, value) in pairs {
            let value = value.to_string();
            match name {
                "productId" => f.product_ids.push(value),
                "companyId" => f.company_ids.push(value),
                "geography" => f.geography.push(value),
                "classification" => f.classifications.push(value),
                "status" => f.status.push(value),
                "validOn" => f.valid_on = Some(value),
                "validAfter" => f.valid_after = Some(value),
                "validBefore" => f.valid_before = Some(value),
                _ => {}
            }
        }
        f
    }

    /// Whether `doc` passes every criterion.
    pub fn matches(&self, doc: &ProductFootprint) -> bool {
        if !self.product_ids.is_empty() && !any_eq_ignore_case(&self.product_ids, &doc.product_ids)
        {
            return false;
        }
        if !self.company_ids.is_empty() && !any_eq_ignore_case(&self.company_ids, &doc.company_ids)
        {
            return false;
        }
        if !self.classifications.is_empty()
            && !any_eq_ignore_case(
                &self.classifications,
                doc.product_classifications.as_deref().unwrap_or_default(),
            )
        {
            return false;
        }
        if !self.geography.is_empty() {
            let pcf = &doc.pcf;
            let places: Vec<String> = [
                &pcf.geography_region_or_subregion,
                &pcf.geography_country,
                &pcf.geography_country_subdivision,
            ]
            .into_iter()
            .flatten()
            .cloned()
            .collect();
            if !any_eq_ignore_case(&self.geography, &places) {
                return false;
            }
        }
        if !self.status.is_empty() && !self.status.iter().any(|s| s == &doc.status) {
            return false;
        }
        if self.valid_on.is_some() || self.valid_after.is_some() || self.valid_before.is_some() {
            let Some((start, end)) = validity(doc) else {
                return false;
            };
            let bound = |t: &Option<String>| t.as_deref().map(parse_timestamp);
            match bound(&self.valid_on) {
                Some(Some(t)) if start <= t && t <= end => {}
                Some(_) => return false,
                None => {}
            }
            match bound(&self.valid_after) {
                Some(Some(t)) if start > t => {}
                Some(_) => return false,
                None => {}
            }
            match bound(&self.valid_before) {
                Some(Some(t)) if end < t => {}
                Some(_) => return false,
                None => {}
            }
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::v3::CarbonFootprint;

    #[test]
    fn written_timestamps_parse_back() {
        assert_eq!(crate::map::timestamp_secs(0), "1970-01-01T00:00:00Z");
        assert_eq!(
            crate::map::timestamp_secs(1_767_225_600 + 3_723),
            "2026-01-01T01:02:03Z"
        );
    }

    proptest::proptest! {
        /// What the host writes (event times) is what it reads.
        #[test]
        fn timestamp_secs_round_trips(secs in 0u64..10_000_000_000) {
            let text = crate::map::timestamp_secs(secs);
            proptest::prop_assert_eq!(parse_timestamp(&text), Some(secs as i64));
        }
    }

    fn doc() -> ProductFootprint {
        ProductFootprint {
            id: "4eca9c6b-4c82-84da-92f7-352b34c81424".into(),
            spec_version: "3.0.3".into(),
            preceding_pf_ids: None,
            created: "2026-01-01T00:00:00Z".into(),
            status: "Active".into(),
            validity_period_start: None,
            validity_period_end: None,
            company_name: "Acme".into(),
            company_ids: vec!["urn:uscc:911100000000000010".into()],
            product_description: String::new(),
            product_ids: vec!["urn:gtin:06901234567892".into()],
            product_classifications: Some(vec!["urn:cpc:45220".into()]),
            product_name_company: "Laptop".into(),
            comment: None,
            pcf: CarbonFootprint {
                reference_period_start: "2025-01-01T00:00:00Z".into(),
                reference_period_end: "2026-01-01T00:00:00Z".into(),
                geography_country_subdivision: Some("CN-BJ".into()),
                ..Default::default()
            },
            extensions: None,
        }
    }

    #[test]
    fn timestamps() {
        assert_eq!(parse_timestamp("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(parse_timestamp("1970-01-01T01:00:00+01:00"), Some(0));
        assert_eq!(
            parse_timestamp("2026-01-01T00:00:00.123Z"),
            Some(1_767_225_600)
        );
        for bad in [
            "",
            "2026-01-01",
            "2026-01-01T00:00:00",
            "2026-13-01T00:00:00Z",
            "2026-01-01T24:00:00Z",
            "2026-01-01T00:00:00.Z",
            "not a time at all!!",
        ] {
            assert_eq!(parse_timestamp(bad), None, "{bad}");
        }
    }

    #[test]
    fn criteria_and_or() {
        let d = doc();
        let f = |f: Filter| f.matches(&d);
        assert!(f(Filter::default()));
        assert!(f(Filter {
            product_ids: vec!["URN:GTIN:06901234567892".into(), "urn:x:y".into()],
            ..Default::default()
        }));
        assert!(!f(Filter {
            product_ids: vec!["urn:pact:null".into()],
            ..Default::default()
        }));
        assert!(f(Filter {
            geography: vec!["cn-bj".into()],
            ..Default::default()
        }));
        assert!(!f(Filter {
            geography: vec!["XX".into()],
            ..Default::default()
        }));
        assert!(!f(Filter {
            status: vec!["BogusStatusXYZ".into()],
            ..Default::default()
        }));
        assert!(f(Filter {
            status: vec!["Active".into()],
            classifications: vec!["urn:cpc:45220".into()],
            ..Default::default()
        }));
        assert!(!f(Filter {
            status: vec!["Active".into()],
            company_ids: vec!["urn:other".into()],
            ..Default::default()
        }));
    }

    #[test]
    fn validity_defaults_to_three_years_after_the_reference_period() {
        let d = doc();
        let on = |t: &str| {
            Filter {
                valid_on: Some(t.into()),
                ..Default::default()
            }
            .matches(&d)
        };
        assert!(on("2026-01-01T00:00:00Z"));
        assert!(on("2028-12-31T23:59:59Z"));
        assert!(on("2029-01-01T00:00:00Z"));
        assert!(!on("2029-01-01T00:00:01Z"));
        assert!(!on("2025-12-31T23:59:59Z"));
        assert!(!on("yesterday"));
        let after = |t: &str| {
            Filter {
                valid_after: Some(t.into()),
                ..Default::default()
            }
            .matches(&d)
        };
        assert!(after("2025-12-31T00:00:00Z") && !after("2026-01-01T00:00:00Z"));
        let before = |t: &str| {
            Filter {
                valid_before: Some(t.into()),
                ..Default::default()
            }
            .matches(&d)
        };
        assert!(before("2029-01-02T00:00:00Z") && !before("2029-01-01T00:00:00Z"));
    }
}

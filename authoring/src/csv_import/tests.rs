use proptest::prelude::*;
use tanji_ledger::carbon::form::check_factor;
use tanji_ledger::carbon::units::format_decimal;
use tanji_ledger::carbon::{
    check_record_id, Category, Date, Dqr, FactorRecord, Gwp, PerCategory, RecordRef,
};

use super::number::{parse_unit, Gas, Mass, UnitKind};
use super::*;

const DEMO: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../shared/data/factors-cn-demo.csv"
);

fn demo_text() -> String {
    std::fs::read_to_string(DEMO).unwrap_or_else(|e| {
        panic!(
            "cannot read the demo factor file {DEMO} (shared/ must sit beside the repository): {e}"
        )
    })
}

fn import(text: &str) -> Result<ImportReport, CsvImportError> {
    import_csv(text, &ImportOptions::default())
}

fn find<'a>(report: &'a ImportReport, id: &str) -> &'a FactorRecord {
    report
        .records
        .iter()
        .map(|(_, r)| r)
        .find(|r| r.reference.id == id)
        .unwrap_or_else(|| panic!("{id} not imported"))
}

fn date(s: &str) -> Date {
    s.parse().unwrap()
}

fn field_error(text: &str) -> (usize, &'static str, String) {
    match import(text) {
        Err(CsvImportError::Field {
            line,
            column,
            message,
        }) => (line, column, message),
        other => panic!("expected a field error, got {other:?}"),
    }
}

const HEADER: &str = "id,quantity,value,unit,scope,source,verify_note\n";

#[test]
fn demo_file() {
    let ar6 = import(&demo_text()).unwrap();
    assert_eq!(ar6.records.len(), 27);
    assert!(ar6.ignored_columns.is_empty());
    assert_eq!(ar6.records[0].0, 2);
    assert_eq!(
        ar6.records[0].1.reference,
        RecordRef::new("cn_grid_avg_2021", 1)
    );

    let cfp = find(&ar6, "cn_elec_cfp_2023");
    assert_eq!(cfp.unit, "kWh");
    assert_eq!(cfp.values, PerCategory([620_500_000, 0, 0, 0, 0]));
    assert_eq!(cfp.gwp, Some(Gwp::Ar6));
    assert_eq!(cfp.region, "CN");
    assert_eq!(
        (cfp.valid_from, cfp.valid_until),
        (date("2023-01-01"), date("2029-01-01"))
    );
    assert_eq!(cfp.source, "MEE+NBS+NEA announcement 2025-01-17");
    assert_eq!(
        cfp.name,
        "China national electricity carbon-footprint factor 2023 (life cycle)"
    );
    assert_eq!(
        cfp.notes,
        "life-cycle (use for PCF); also wind 0.0336 / PV 0.0545 / biomass 0.0457 kgCO2e/kWh; \
         GWP set AR6 assumed (import option; the row does not state it)"
    );
    assert_eq!(
        cfp.dqr,
        Dqr {
            technological: 2,
            temporal: 2,
            geographical: 1,
            completeness: 2,
            reliability: 2
        }
    );
    assert_eq!(cfp.supersedes, None);

    let ets = find(&ar6, "cn_grid_ets_2022");
    assert_eq!(ets.unit, "MWh");
    assert_eq!(ets.values.get(Category::Fossil), 570_300_000_000);
    assert_eq!(ets.gwp, None);
    assert!(
        ets.notes
            .contains("converted from 0.5703 tCO2/MWh (1 t = 1000 kg)"),
        "{}",
        ets.notes
    );

    let ch4 = find(&ar6, "ipcc_ng_ch4");
    assert_eq!(ch4.unit, "TJ");
    assert_eq!(ch4.values, PerCategory([29_800_000_000, 0, 0, 0, 0]));
    assert_eq!(ch4.gwp, Some(Gwp::Ar6));
    assert_eq!(ch4.region, "GLO");
    assert_eq!(
        (ch4.valid_from, ch4.valid_until),
        (date("2006-01-01"), date("2100-01-01"))
    );
    assert_eq!(
        (
            ch4.dqr.technological,
            ch4.dqr.geographical,
            ch4.dqr.reliability
        ),
        (3, 4, 2)
    );
    assert!(
        ch4.notes.starts_with("CH4 × 29.8 (AR6 GWP100 fossil"),
        "{}",
        ch4.notes
    );
    assert!(
        ch4.notes.contains("gwp_ar6_ch4_fossil@1 on line 29"),
        "{}",
        ch4.notes
    );
    assert_eq!(
        find(&ar6, "ipcc_ng_n2o").values.get(Category::Fossil),
        27_300_000_000
    );
    assert_eq!(
        find(&ar6, "ipcc_coal_n2o").values.get(Category::Fossil),
        409_500_000_000
    );
    assert_eq!(
        find(&ar6, "ipcc_diesel_ch4").values.get(Category::Fossil),
        89_400_000_000
    );
    let co2 = find(&ar6, "ipcc_ng_co2");
    assert_eq!(
        (co2.values.get(Category::Fossil), co2.gwp),
        (56_100_000_000_000, None)
    );

    let ar5 = import_csv(&demo_text(), &ImportOptions { gwp: Gwp::Ar5 }).unwrap();
    let ch4 = find(&ar5, "ipcc_ng_ch4");
    assert_eq!(ch4.values.get(Category::Fossil), 28_000_000_000);
    assert_eq!(ch4.gwp, Some(Gwp::Ar5));
    assert!(
        ch4.notes.starts_with("CH4 × 28 (AR5 GWP100"),
        "{}",
        ch4.notes
    );
    assert_eq!(
        find(&ar5, "ipcc_ng_n2o").values.get(Category::Fossil),
        26_500_000_000
    );
    assert_eq!(find(&ar5, "cn_elec_cfp_2023").gwp, Some(Gwp::Ar5));
    // CO2-only factors do not depend on the GWP set.
    assert_eq!(
        find(&ar5, "cn_grid_ets_2022"),
        find(&ar6, "cn_grid_ets_2022")
    );

    // GWP rows name their own set, whatever the options.
    for report in [&ar5, &ar6] {
        let g = find(report, "gwp_ar5_ch4");
        assert_eq!((g.unit.as_str(), g.gwp), ("kg", Some(Gwp::Ar5)));
        assert_eq!(g.values.get(Category::Fossil), 28_000_000_000);
        let g = find(report, "gwp_ar6_ch4_fossil");
        assert_eq!(
            (g.gwp, g.values.get(Category::Fossil)),
            (Some(Gwp::Ar6), 29_800_000_000)
        );
    }

    let ncv: Vec<_> = ar6.skipped.iter().map(|(_, id, _)| id.as_str()).collect();
    assert_eq!(ncv, ["ipcc_ng_ncv", "ipcc_diesel_ncv", "ipcc_bitcoal_ncv"]);
    let (line, _, reason) = &ar6.skipped[0];
    assert_eq!(
        (*line, reason.as_str()),
        (16, "conversion factor (TJ/Gg), not an emission factor")
    );

    // Regional grids, VERIFY and "same as above".
    let sw = find(&ar6, "cn_grid_southwest_2022");
    assert_eq!(sw.region, "CN-SOUTHWEST");
    assert_eq!((sw.dqr.geographical, sw.dqr.reliability), (2, 3));
    assert_eq!(
        sw.source,
        "MEE+NBS announcement 2024-12-20 (2022 electricity CO2 factors)"
    );
    assert!(sw.notes.contains("source as on line 3"), "{}", sw.notes);
    assert_eq!(find(&ar6, "cn_grid_north_2022").region, "CN-NORTH");
    assert_eq!(find(&ar6, "cn_grid_central_2023").region, "CN-CENTRAL");
    assert_eq!(
        find(&ar6, "cn_grid_north_2023").source,
        "MEE+NBS announcement on 2023 electricity CO2 factors (reported Jan 2026)"
    );
    let avg = find(&ar6, "cn_grid_avg_2021");
    assert_eq!(
        (avg.valid_from, avg.valid_until),
        (date("2021-01-01"), date("2027-01-01"))
    );
    assert_eq!(avg.dqr.geographical, 1);

    for (line, r) in ar6.records.iter().chain(&ar5.records) {
        check_record_id(&r.reference.id).unwrap();
        assert!(
            !r.source.trim().is_empty() && !Mapping::builtin().is_same_source_as_above(&r.source),
            "line {line}"
        );
        check_factor(r).unwrap_or_else(|e| panic!("line {line}: {e}"));
    }
}

#[test]
fn richer_file() {
    let text = "ID,Name,Value,Unit,Source,Version,Supersedes,Region,Valid_From,Valid_Until,GWP,\
                Biogenic,Biogenic_Removals,LUC,Aircraft,DQR_Technological,DQR_Temporal,\
                DQR_Geographical,DQR_Completeness,DQR_Reliability,Comment,\n\
                acme:steel-hr,\"Steel, hot-rolled \"\"HR\"\"\",1.85,kgCO2e/kg,\"Acme EPD, 2024\",2,acme:steel-hr@1,\
                CN-JS,2024-07-01,2027-07-01,ar5,0.1,-0.25,0.000000001,0,1,2,3,4,5,ignored,x\n";
    let report = import(&text.replace("\\\n", "")).unwrap();
    assert_eq!(report.ignored_columns, ["Comment", "(unnamed column 22)"]);
    assert_eq!(report.records.len(), 1);
    let (line, r) = &report.records[0];
    assert_eq!(*line, 2);
    assert_eq!(
        *r,
        FactorRecord {
            reference: RecordRef::new("acme:steel-hr", 2),
            name: "Steel, hot-rolled \"HR\"".into(),
            unit: "kg".into(),
            values: PerCategory([1_850_000_000, 100_000_000, -250_000_000, 1, 0]),
            gwp: Some(Gwp::Ar5),
            region: "CN-JS".into(),
            valid_from: date("2024-07-01"),
            valid_until: date("2027-07-01"),
            source: "Acme EPD, 2024".into(),
            notes: String::new(),
            dqr: Dqr {
                technological: 1,
                temporal: 2,
                geographical: 3,
                completeness: 4,
                reliability: 5
            },
            supersedes: Some(1),
        }
    );
    check_factor(r).unwrap();
}

#[test]
fn quoted_fields_bom_blank_rows_and_case() {
    let text = "\u{feff}Id,QUANTITY,value,Unit,scope,Source,verify_note\n\
                cn_x_2024,\"Grid, east, \"\"test\"\"\",\"0.5\",kgCO2/kWh,\"a, b\",\"MEE, NBS\",\n\
                ,,,,,,\n\
                \n\
                cn_y_2024,y, 2 ,kgCO2/kWh,,s,\n";
    let report = import(text).unwrap();
    assert_eq!(report.records.len(), 2);
    let (line, r) = &report.records[0];
    assert_eq!(*line, 2);
    assert_eq!(r.name, "Grid, east, \"test\"");
    assert_eq!((r.source.as_str(), r.notes.as_str()), ("MEE, NBS", "a, b"));
    assert_eq!(r.values.get(Category::Fossil), 500_000_000);
    assert_eq!(report.records[1].0, 5);
    assert_eq!(
        report.records[1].1.values.get(Category::Fossil),
        2_000_000_000
    );
    // A line break inside a quoted field is well-formed CSV but not a valid record field.
    let (line, column, _) = field_error(&format!("{HEADER}cn_x_2024,\"a\nb\",1,kgCO2/kWh,,s,\n"));
    assert_eq!((line, column), (2, "quantity"));
}

#[test]
fn line_numbers_as_an_editor_counts() {
    // CRLF, blank lines, a quoted line break in an ignored column.
    let text = "id,value,unit,source,comment\r\n\
                \r\n\
                cn_a_2024,1,kgCO2/kWh,s,\"two\r\nlines\"\r\n\
                \r\n\
                \r\n\
                cn_b_2024,1,kgCO2/kWh,s,\r\n\
                cn_c_2024,1,kgCO2/kWh,s,\"x\ny\nz\"\n\
                cn_d_2024,1,kgCO2/kWh,s,";
    let r = import(text).unwrap();
    let lines: Vec<usize> = r.records.iter().map(|(l, _)| *l).collect();
    assert_eq!(lines, [3, 7, 8, 11]);
    let e = import(&format!("{text}\n\ncn_e_2024,1\n")).unwrap_err();
    assert!(
        matches!(e, CsvImportError::Malformed { line: 13, .. }),
        "{e:?}"
    );
    let (line, _, _) = field_error(&format!("{text}\n\ncn_e_2024,1,kgCO2/kWh,,\n"));
    assert_eq!(line, 13);
}

#[test]
fn header_errors() {
    let e = import("id,quantity,value,unit,scope\ncn_x_2024,x,1,kgCO2/kWh,\n").unwrap_err();
    assert_eq!(e, CsvImportError::MissingColumn { column: "source" });
    assert!(
        e.to_string()
            .starts_with("line 1: missing required column \"source\""),
        "{e}"
    );
    assert_eq!(
        import("").unwrap_err(),
        CsvImportError::MissingColumn { column: "id" }
    );
    assert_eq!(
        import("id,value,unit,source,VALUE\n").unwrap_err(),
        CsvImportError::DuplicateColumn {
            column: "value".into()
        }
    );
    // A header alone imports nothing.
    assert_eq!(import(HEADER).unwrap(), ImportReport::default());
}

#[test]
fn malformed_rows() {
    let e = import(&format!(
        "{HEADER}cn_x_2024,x,1,kgCO2/kWh,,s,\ncn_y_2024,y,1\n"
    ))
    .unwrap_err();
    assert!(
        matches!(e, CsvImportError::Malformed { line: 3, .. }),
        "{e:?}"
    );
    assert!(
        e.to_string().contains("3 fields but the header has 7"),
        "{e}"
    );
}

#[test]
fn bad_values() {
    for (bad, what) in [
        ("1e3", "not a decimal"),
        ("abc", "not a decimal"),
        ("1,5", "not a decimal"),
        ("-0.5", "negative"),
    ] {
        let text =
            format!("{HEADER}cn_x_2024,x,1,kgCO2/kWh,,s,\ncn_y_2024,y,\"{bad}\",kgCO2/kWh,,s,\n");
        let (line, column, message) = field_error(&text);
        assert_eq!((line, column), (3, "value"), "{bad}");
        assert!(message.contains(what), "{bad}: {message}");
        let e = import(&text).unwrap_err().to_string();
        assert!(e.starts_with("line 3, column value: "), "{e}");
    }
    assert_eq!(
        field_error(&format!("{HEADER}cn_x_2024,x,,kgCO2/kWh,,s,\n")).1,
        "value"
    );
    assert_eq!(
        field_error(&format!("{HEADER},x,1,kgCO2/kWh,,s,\n")).1,
        "id"
    );
    assert_eq!(
        field_error(&format!("{HEADER}cn x,x,1,kgCO2/kWh,,s,\n")).1,
        "id"
    );
    assert_eq!(
        field_error(&format!("{HEADER}cn_x_2024,x,1,kgCO2/kWh,,,\n")).1,
        "source"
    );
    assert_eq!(
        field_error(&format!("{HEADER}cn_x_2024,x,1,,,s,\n")).1,
        "unit"
    );
    // Values too large for i64 micrograms.
    let (_, column, message) = field_error(&format!("{HEADER}cn_x_2024,x,10000000,tCO2/kWh,,s,\n"));
    assert_eq!(column, "value");
    assert!(message.contains("out of range"), "{message}");
}

#[test]
fn exactness_after_conversion() {
    let row = |value: &str, unit: &str| format!("{HEADER}cn_x_2024,x,{value},{unit},,s,\n");
    let fossil = |value: &str, unit: &str| {
        import(&row(value, unit)).map(|r| r.records[0].1.values.get(Category::Fossil))
    };
    assert_eq!(fossil("0.000000001", "kgCO2/kWh"), Ok(1));
    assert_eq!(fossil("0.000000000001", "tCO2/MWh"), Ok(1));
    assert_eq!(fossil("0.000001", "gCO2/kWh"), Ok(1));
    assert_eq!(fossil("0.00000001", "kgCH4/TJ"), Ok(298));
    assert_eq!(fossil("0.0000000010", "kgCO2e/kWh"), Ok(1));
    for (value, unit) in [
        ("0.0000000001", "kgCO2/kWh"),
        ("0.0000000000001", "tCO2/MWh"),
        ("0.0000001", "gCO2/kWh"),
        ("0.000000001", "kgCH4/TJ"),
    ] {
        let (line, column, message) = field_error(&row(value, unit));
        assert_eq!((line, column), (2, "value"), "{value} {unit}");
        assert!(
            message.contains("not a whole number of micrograms"),
            "{message}"
        );
    }
    // Category columns hold at most 9 decimals of kg.
    let text = "id,value,unit,source,luc\ncn_x_2024,1,kgCO2e/kWh,s,0.0000000001\n";
    let (line, column, message) = field_error(text);
    assert_eq!((line, column), (2, "luc"));
    assert!(message.contains("more than 9 decimals"), "{message}");
}

#[test]
fn duplicates() {
    let text = format!("{HEADER}cn_x_2024,x,1,kgCO2/kWh,,s,\ncn_y_2024,y,1,kgCO2/kWh,,s,\ncn_x_2024,x,2,kgCO2/kWh,,s,\n");
    let e = import(&text).unwrap_err();
    assert_eq!(
        e,
        CsvImportError::Duplicate {
            line: 4,
            first_line: 2,
            reference: "cn_x_2024@1".into()
        }
    );
    assert_eq!(
        e.to_string(),
        "line 4, column id: cn_x_2024@1 is already defined on line 2"
    );
    // Skipped rows count too.
    let text = format!("{HEADER}ipcc_ncv,x,1,TJ/Gg,,s,\nipcc_ncv,x,2,TJ/Gg,,s,\n");
    assert!(matches!(
        import(&text),
        Err(CsvImportError::Duplicate { line: 3, .. })
    ));
    // Two versions of one id are fine.
    let text = "id,version,supersedes,value,unit,source\ncn_x_2024,1,,1,kgCO2/kWh,s\ncn_x_2024,2,1,2,kgCO2/kWh,s\n";
    assert_eq!(import(text).unwrap().records.len(), 2);
}

#[test]
fn units() {
    assert_eq!(
        parse_unit("kg CO2-eq / t·km"),
        Ok(UnitKind::Emission {
            mass: Mass::Kg,
            gas: Gas::Co2e,
            activity: "t·km".into()
        })
    );
    assert_eq!(parse_unit("TJ/Gg"), Ok(UnitKind::Conversion));
    assert_eq!(parse_unit("%"), Ok(UnitKind::Conversion));
    for bad in [
        "lbCO2/kWh",
        "kgCO2e",
        "kgCO2e/",
        "kgSF6CO2/kWh",
        "kgCO2/kWh/h",
    ] {
        assert!(parse_unit(bad).is_err(), "{bad}");
    }
    let (line, column, _) = field_error(&format!("{HEADER}cn_x_2024,x,1,lbCO2/kWh,,s,\n"));
    assert_eq!((line, column), (2, "unit"));
}

#[test]
fn inference_rules_and_their_errors() {
    // Other ids need region, validity and DQR columns.
    let (_, column, _) = field_error("id,value,unit,source\nacme_x_2024,1,kgCO2/kWh,s\n");
    assert_eq!(column, "region");
    let (_, column, _) = field_error("id,value,unit,source,region\nacme_x,1,kgCO2/kWh,s,CN\n");
    assert_eq!(column, "valid_from");
    let (_, column, _) = field_error("id,value,unit,source,region\nacme_x_2024,1,kgCO2/kWh,s,CN\n");
    assert_eq!(column, "dqr_technological");
    // Two years in an id.
    let (_, column, message) = field_error("id,value,unit,source\ncn_x_2021_2023,1,kgCO2/kWh,s\n");
    assert_eq!(column, "valid_from");
    assert!(message.contains("more than one year"), "{message}");
    // One column given, the other inferred; order checked.
    let r =
        import("id,value,unit,source,valid_until\ncn_x_2021,1,kgCO2/kWh,s,2024-01-01\n").unwrap();
    assert_eq!(r.records[0].1.valid_from, date("2021-01-01"));
    let (_, column, _) =
        field_error("id,value,unit,source,valid_until\ncn_x_2021,1,kgCO2/kWh,s,2020-01-01\n");
    assert_eq!(column, "valid_until");
    let (_, column, _) =
        field_error("id,value,unit,source,valid_from\ncn_x_2021,1,kgCO2/kWh,s,2021-02-30\n");
    assert_eq!(column, "valid_from");
    // GWP: column contradicting the id, unknown set.
    let (_, column, _) = field_error("id,value,unit,source,gwp\ngwp_ar5_ch4,28,kgCO2e/kg,s,AR6\n");
    assert_eq!(column, "gwp");
    let (_, column, _) = field_error("id,value,unit,source,gwp\ngwp_ar5_ch4,28,kgCO2e/kg,s,AR4\n");
    assert_eq!(column, "gwp");
    // The gwp column picks the set of a CH4 row; non-fossil rows use 27.
    let r = import(
        "id,quantity,value,unit,source,gwp\n\
         ipcc_a,CH4,1,kgCH4/TJ,s,AR5\n\
         ipcc_b,Biogenic CH4 from digesters,1,kgCH4/TJ,s,\n",
    )
    .unwrap();
    assert_eq!(r.records[0].1.values.get(Category::Fossil), 28_000_000_000);
    assert_eq!(r.records[1].1.values.get(Category::Fossil), 27_000_000_000);
    assert!(r.records[1]
        .1
        .notes
        .contains("CH4 × 27 (AR6 GWP100 non-fossil)"));
    // DQR: bad rating; VERIFY only lowers a defaulted reliability.
    let (_, column, _) =
        field_error("id,value,unit,source,dqr_temporal\ncn_x_2024,1,kgCO2/kWh,s,6\n");
    assert_eq!(column, "dqr_temporal");
    let r = import(
        "id,value,unit,source,verify_note,dqr_reliability\n\
         cn_a_2024,1,kgCO2/kWh,s,VERIFY this,\n\
         cn_b_2024,1,kgCO2/kWh,s,VERIFY this,1\n\
         cn_c_2024,1,kgCO2/kWh,s,please verify,\n",
    )
    .unwrap();
    let rel: Vec<u8> = r.records.iter().map(|(_, r)| r.dqr.reliability).collect();
    assert_eq!(rel, [3, 1, 2]);
    // Supersedes must be an earlier version of the same id.
    for bad in ["2", "0", "other@1", "x"] {
        let text =
            format!("id,version,supersedes,value,unit,source\ncn_x_2024,2,{bad},1,kgCO2/kWh,s\n");
        assert_eq!(field_error(&text).1, "supersedes", "{bad}");
    }
    // Ditto on the first row has nothing to copy.
    let (_, column, _) = field_error(&format!(
        "{HEADER}cn_x_2024,x,1,kgCO2/kWh,,same as above,\n"
    ));
    assert_eq!(column, "source");
}

#[test]
fn gwp_values_from_the_file() {
    let text = format!(
        "{HEADER}ipcc_ng_ch4,CH4,2,kgCH4/TJ,,s,\n\
         gwp_ar6_ch4_fossil,GWP100 fossil CH4 (AR6),30,kgCO2e/kg,,s,\n\
         gwp_ar6_ch4_fossil,GWP100 fossil CH4 (AR6),29.5,kgCO2e/kg,,s,\n"
    )
    .replace("29.5,kgCO2e/kg,,s,", "29.5,kgCO2e/kg,,s,");
    // Same id twice without versions is a duplicate...
    assert!(matches!(
        import(&text),
        Err(CsvImportError::Duplicate { .. })
    ));
    // ...with versions, the highest one is used.
    let text = "id,version,supersedes,value,unit,source\n\
                ipcc_ng_ch4,1,,2,kgCH4/TJ,s\n\
                gwp_ar6_ch4_fossil,2,1,29.5,kgCO2e/kg,s\n\
                gwp_ar6_ch4_fossil,1,,30,kgCO2e/kg,s\n";
    let r = import(text).unwrap();
    let ch4 = &r.records[0].1;
    assert_eq!(ch4.values.get(Category::Fossil), 59_000_000_000);
    assert_eq!(
        ch4.notes,
        "CH4 × 29.5 (AR6 GWP100 fossil, from gwp_ar6_ch4_fossil@2 on line 3)"
    );
}

#[test]
fn limits() {
    let big = "a".repeat(MAX_INPUT_BYTES + 1);
    assert_eq!(
        import(&big),
        Err(CsvImportError::TooLarge {
            size: MAX_INPUT_BYTES + 1
        })
    );
    let mut text = String::from("id,value,unit,source\n");
    for i in 0..=MAX_ROWS {
        text.push_str(&format!("cn_{i}_2024,1,kgCO2/kWh,s\n"));
    }
    assert_eq!(
        import(&text),
        Err(CsvImportError::TooManyRows { line: MAX_ROWS + 2 })
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1024))]

    #[test]
    fn kg_and_t_agree_with_parse_decimal(v in 0i64..1_000_000_000_000_000) {
        // v micrograms, written in kg (9 decimals) and in t (12 decimals).
        let kg = format_decimal(i128::from(v), 9);
        let t = format_decimal(i128::from(v), 12);
        let text = format!("id,value,unit,source\ncn_a_2024,{kg},kgCO2/kWh,s\ncn_b_2024,{t},tCO2/kWh,s\n");
        let r = import(&text).unwrap();
        prop_assert_eq!(r.records[0].1.values.get(Category::Fossil), v);
        prop_assert_eq!(r.records[1].1.values.get(Category::Fossil), v);
    }

    #[test]
    fn imported_records_pass_the_form_check(
        rows in prop::collection::vec(
            (
                // Mostly valid choices, so that most files import.
                prop::sample::select(vec!["cn_a", "cn_grid_north", "cn_grid_west", "ipcc_x", "gwp_ar5_ch4", "gwp_x", "acme_y"]),
                prop::sample::select(vec!["_2024", "_2021", "", "_2021_2022"]),
                prop::sample::select(vec!["0", "1", "0.5703", "29.8", "0.000000001", "12345", "0.0000000001", "-1"]),
                prop::sample::select(vec!["kgCO2/kWh", "tCO2/MWh", "gCO2e/kWh", "kgCH4/TJ", "kgN2O/TJ", "kgCO2e/kg", "TJ/Gg", "kgCO2/ kWh ", "lbCO2/kWh"]),
                prop::sample::select(vec!["", "", "", "CN", "GLO", "\u{3000}", "CN JS"]),
                prop::sample::select(vec!["", "", "", "2024-01-01", "2019-12-31"]),
                prop::sample::select(vec!["", "", "-0.1", "0.1"]),
                prop::sample::select(vec!["", "", "1", "5", "6"]),
                prop::sample::select(vec!["s", "s", "same as above", "\"a, b\"", "\u{3000}"]),
                prop::sample::select(vec!["", "VERIFY", "x\u{3000}"]),
            ),
            0..5,
        ),
        gwp in prop::sample::select(vec![Gwp::Ar5, Gwp::Ar6]),
    ) {
        let header =
            "id,value,unit,region,valid_from,biogenic_removals,dqr_temporal,source,verify_note\n";
        let lines: Vec<String> = rows
            .iter()
            .enumerate()
            .map(|(i, r)| {
                format!(
                    "{}{i}{},{},{},{},{},{},{},{},{}\n",
                    r.0, r.1, r.2, r.3, r.4, r.5, r.6, r.7, r.8, r.9
                )
            })
            .collect();
        // Each row alone (most rows import alone), then the whole file.
        let mut files: Vec<String> = lines.iter().map(|l| format!("{header}{l}")).collect();
        files.push(format!("{header}{}", lines.concat()));
        for text in files {
            if let Ok(report) = import_csv(&text, &ImportOptions { gwp }) {
                for (line, record) in &report.records {
                    prop_assert!(check_factor(record).is_ok(), "line {}: {:?}", line, record);
                }
            }
        }
    }

    #[test]
    fn never_panics(text in "[a-z0-9_,.\"\n/ -]{0,200}") {
        let _ = import(&format!("id,value,unit,source\n{text}"));
    }
}

/// The factor file the node's demo imports (node/data, a copy of shared/data).
const DEMO_CSV: &str = include_str!("../../../node/data/factors-cn-demo.csv");

/// Every field of every record and every skipped row, one line each.
fn summary(report: &ImportReport) -> String {
    let mut out = String::new();
    for (line, r) in &report.records {
        out.push_str(&format!(
            "{line} {} | {} | {} | {:?} | {:?} | {} | {}..{} | {:?} | supersedes {:?} | {} | {}\n",
            r.reference,
            r.name,
            r.unit,
            r.values.0,
            r.gwp,
            r.region,
            r.valid_from,
            r.valid_until,
            r.dqr,
            r.supersedes,
            r.source,
            r.notes
        ));
    }
    for (line, id, reason) in &report.skipped {
        out.push_str(&format!("{line} skipped {id}: {reason}\n"));
    }
    for column in &report.ignored_columns {
        out.push_str(&format!("ignored column {column}\n"));
    }
    out
}

#[test]
fn the_demo_file_imports_as_pinned() {
    let report = import(DEMO_CSV).unwrap();
    let ids: Vec<&str> = report
        .records
        .iter()
        .map(|(_, r)| r.reference.id.as_str())
        .collect();
    assert_eq!(
        ids,
        [
            "cn_grid_avg_2021",
            "cn_grid_avg_2022",
            "cn_grid_avg_excl_market_nonfossil_2022",
            "cn_grid_fossil_2022",
            "cn_grid_north_2022",
            "cn_grid_central_2022",
            "cn_grid_southwest_2022",
            "cn_grid_avg_2023",
            "cn_grid_north_2023",
            "cn_grid_central_2023",
            "cn_grid_southwest_2023",
            "cn_grid_ets_2022",
            "cn_elec_cfp_2023",
            "ipcc_ng_co2",
            "ipcc_ng_ch4",
            "ipcc_ng_n2o",
            "ipcc_diesel_co2",
            "ipcc_diesel_ch4",
            "ipcc_diesel_n2o",
            "ipcc_bitcoal_co2",
            "ipcc_coal_ch4",
            "ipcc_coal_n2o",
            "gwp_ar5_ch4",
            "gwp_ar5_n2o",
            "gwp_ar6_ch4_fossil",
            "gwp_ar6_ch4_nonfossil",
            "gwp_ar6_n2o",
        ]
    );
    let why = "conversion factor (TJ/Gg), not an emission factor";
    assert_eq!(
        report.skipped,
        [
            (16, "ipcc_ng_ncv".to_string(), why.to_string()),
            (20, "ipcc_diesel_ncv".to_string(), why.to_string()),
            (24, "ipcc_bitcoal_ncv".to_string(), why.to_string()),
        ]
    );
    // Every field, as the importer gave it before its dataset rules became
    // the mapping table (AR6 and AR5 options).
    assert_eq!(
        summary(&report),
        include_str!("../../testdata/factors-cn-demo.ar6.txt")
    );
    let ar5 = import_csv(DEMO_CSV, &ImportOptions { gwp: Gwp::Ar5 }).unwrap();
    assert_eq!(
        summary(&ar5),
        include_str!("../../testdata/factors-cn-demo.ar5.txt")
    );
}

#[test]
fn the_builtin_mapping_is_valid_and_describes_its_rules() {
    let m = Mapping::from_toml(BUILTIN_MAPPING).unwrap();
    assert_eq!(&m, Mapping::builtin());
    assert_eq!(
        m.patterns_giving(|r| r.region.is_some()),
        "cn_, ipcc_ or gwp_"
    );
    assert_eq!(m.patterns_giving(|r| r.dqr.is_some()), "cn_, ipcc_ or gwp_");
    assert_eq!(
        m.rule_for("CN_GRID_NORTH")
            .and_then(|r| r.region.as_deref()),
        Some("CN-NORTH")
    );
    assert_eq!(
        m.rule_for("cn_grid_northx_2022")
            .and_then(|r| r.region.as_deref()),
        Some("CN")
    );
    assert!(m.rule_for("cn").is_none());
    assert!(m.rule_for("acme_cn_x").is_none());
    // The messages name the prefixes the mapping knows.
    let (_, _, message) = field_error("id,value,unit,source\nacme_x_2024,1,kgCO2/kWh,s\n");
    assert_eq!(
        message,
        "empty, and the id does not start with cn_, ipcc_ or gwp_ to infer it from"
    );
}

#[test]
fn another_mapping_changes_only_the_dataset_rules() {
    let text = BUILTIN_MAPPING.replace(
        "# Other cn_* ids",
        "[[ids]]\npatterns = [\"acme_*\"]\nregion = \"CN-JS\"\ndqr = [1, 1, 1, 1, 1]\n\n# Other cn_* ids",
    )
    .replace("valid_years_after_id_year = 6", "valid_years_after_id_year = 3")
    .replace("word = \"VERIFY\"", "word = \"CHECK\"")
    .replace("value = \"29.8\"", "value = \"30\"");
    let m = Mapping::from_toml(&text).unwrap();
    let csv = "id,value,unit,source,verify_note\n\
               acme_steel_2024,1,kgCO2e/kg,s,CHECK this\n\
               ipcc_x_ch4,1,kgCH4/TJ,s,\n";
    let r = import_csv_with(csv, &ImportOptions::default(), &m).unwrap();
    let steel = &r.records[0].1;
    assert_eq!(steel.region, "CN-JS");
    assert_eq!((steel.dqr.technological, steel.dqr.reliability), (1, 3));
    assert_eq!(steel.valid_until, date("2027-01-01"));
    let ch4 = &r.records[1].1;
    assert_eq!(ch4.values.get(Category::Fossil), 30_000_000_000);
    assert_eq!(ch4.notes, "CH4 × 30 (AR6 GWP100 fossil)");
    // The built-in mapping refuses the same file.
    assert_eq!(field_error(csv).1, "region");

    // Read from a file.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("mapping.toml");
    std::fs::write(&path, &text).unwrap();
    assert_eq!(Mapping::from_path(&path).unwrap(), m);
    let e = Mapping::from_path(&dir.path().join("missing.toml")).unwrap_err();
    assert!(e.to_string().starts_with("factor mapping: "), "{e}");
}

#[test]
fn bad_mappings_are_refused() {
    for (from, to, problem) in [
        (
            "dqr = [3, 3, 4, 3, 2]",
            "dqr = [3, 3, 4, 3, 6]",
            "ratings are 1..=5",
        ),
        (
            "region = \"GLO\"",
            "region = \"G L O\"",
            "not a region code",
        ),
        (
            "valid_without_year = [\"2006-01-01\", \"2100-01-01\"]",
            "valid_without_year = [\"2100-01-01\", \"2006-01-01\"]",
            "before the end",
        ),
        ("row = \"gwp_ar5_ch4\"", "row = \"gwp ar5\"", "row"),
        ("value = \"28\"", "value = \"0\"", "a positive decimal"),
        ("word = \"VERIFY\"", "word = \"TO VERIFY\"", "one word"),
        (
            "valid_years_after_id_year = 6",
            "valid_years_after_id_year = 0",
            "1..=100",
        ),
        ("patterns = [\"cn_*\"]", "patterns = [\"cn_**\"]", "pattern"),
        (
            "methane = \"non-fossil\"",
            "methane = \"biogenic\"",
            "unknown variant",
        ),
        (
            "set = \"AR5\"\ngas = \"CH4\"",
            "set = \"AR6\"\ngas = \"CH4\"",
            "no [[gwp100]] entry for CH4 under AR5",
        ),
        ("[review_mark]", "typo = 1\n[review_mark]", "unknown field"),
    ] {
        assert!(BUILTIN_MAPPING.contains(from), "{from}");
        let e = Mapping::from_toml(&BUILTIN_MAPPING.replacen(from, to, 1)).unwrap_err();
        assert!(e.to_string().contains(problem), "{to}: {e}");
    }
}

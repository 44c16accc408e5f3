//! Calendar dates (UTC days), without a time zone library.
//!
//! A [`Date`] is a count of days since 1970-01-01 in the proleptic Gregorian
//! calendar, written `YYYY-MM-DD`. Conversion uses Howard Hinnant's
//! `days_from_civil` / `civil_from_days` algorithms, exact for every year
//! from 0 to 9999 (the only years accepted). [`rfc3339_utc`] writes an
//! instant (Unix seconds) with the same algorithm, for timestamps that are
//! not dates (a node's alarms).

use std::fmt;
use std::str::FromStr;

use borsh::{BorshDeserialize, BorshSerialize};

/// A day, counted from 1970-01-01.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, BorshSerialize, BorshDeserialize)]
pub struct Date(pub i32);

/// A date string was not `YYYY-MM-DD` or not a real day.
#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
#[error("{0:?} is not a date (YYYY-MM-DD)")]
pub struct DateError(pub String);

fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = if z >= 0 { z } else { z - 146_096 } / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (if m <= 2 { y + 1 } else { y }, m, d)
}

fn days_in_month(y: i64, m: i64) -> i64 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        _ => 28,
    }
}

/// `unix_secs` seconds after 1970-01-01T00:00:00Z as an RFC 3339 UTC
/// timestamp with whole seconds, `YYYY-MM-DDTHH:MM:SSZ` (leap seconds are
/// not counted, as in Unix time).
pub fn rfc3339_utc(unix_secs: u64) -> String {
    let days = (unix_secs / 86_400) as i64;
    let rem = unix_secs % 86_400;
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

impl Date {
    /// The date of a year, month (1-12) and day, if it exists.
    pub fn from_ymd(y: i32, m: u32, d: u32) -> Option<Self> {
        let (y, m, d) = (i64::from(y), i64::from(m), i64::from(d));
        if !(0..=9999).contains(&y) || !(1..=12).contains(&m) || d < 1 || d > days_in_month(y, m) {
            return None;
        }
        i32::try_from(days_from_civil(y, m, d)).ok().map(Date)
    }

    /// Year, month, day.
    pub fn ymd(self) -> (i32, u32, u32) {
        let (y, m, d) = civil_from_days(i64::from(self.0));
        (y as i32, m as u32, d as u32)
    }

    /// Today (UTC), from the system clock.
    pub fn today() -> Self {
        let secs = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or(0);
        Date((secs / 86_400) as i32)
    }

    /// The date `years` later on the same month and day (28 Feb for 29 Feb).
    pub fn add_years(self, years: i32) -> Option<Self> {
        let (y, m, d) = self.ymd();
        let y = y.checked_add(years)?;
        Date::from_ymd(y, m, d).or_else(|| Date::from_ymd(y, m, d - 1))
    }
}

impl FromStr for Date {
    type Err = DateError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let err = || DateError(s.chars().take(40).collect());
        let b = s.as_bytes();
        if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
            return Err(err());
        }
        let num = |r: std::ops::Range<usize>| -> Result<u32, DateError> {
            let part = &s[r];
            if !part.bytes().all(|c| c.is_ascii_digit()) {
                return Err(err());
            }
            part.parse().map_err(|_| err())
        };
        let (y, m, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
        Date::from_ymd(y as i32, m, d).ok_or_else(err)
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (y, m, d) = self.ymd();
        write!(f, "{y:04}-{m:02}-{d:02}")
    }
}

impl fmt::Debug for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Date({self})")
    }
}

impl serde::Serialize for Date {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for Date {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = <String as serde::Deserialize>::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn known_days() {
        assert_eq!("1970-01-01".parse::<Date>(), Ok(Date(0)));
        assert_eq!("2000-03-01".parse::<Date>(), Ok(Date(11_017)));
        assert_eq!(
            "2025-01-01".parse::<Date>().map(|d| d.to_string()),
            Ok("2025-01-01".into())
        );
        for bad in [
            "2025-02-29",
            "2025-13-01",
            "2025-1-01",
            "20250101",
            "2025-01-0a",
            "+025-01-01",
            "",
        ] {
            assert!(bad.parse::<Date>().is_err(), "{bad}");
        }
        assert_eq!(
            "2024-02-29"
                .parse::<Date>()
                .ok()
                .and_then(|d| d.add_years(1)),
            "2025-02-28".parse().ok()
        );
    }

    #[test]
    fn rfc3339_known_instants() {
        assert_eq!(rfc3339_utc(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339_utc(1_795_219_200 + 3661), "2026-11-21T01:01:01Z");
        assert_eq!(rfc3339_utc(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(rfc3339_utc(951_868_799), "2000-02-29T23:59:59Z");
        assert_eq!(rfc3339_utc(253_402_300_799), "9999-12-31T23:59:59Z");
    }

    proptest! {
        #[test]
        fn round_trip(days in 0i32..2_932_896) {
            let d = Date(days);
            prop_assert_eq!(d.to_string().parse::<Date>(), Ok(d));
        }

        #[test]
        fn rfc3339_day_is_the_date(days in 0i32..2_932_896, secs in 0u64..86_400) {
            let t = rfc3339_utc(days as u64 * 86_400 + secs);
            prop_assert_eq!(&t[..10], Date(days).to_string());
            prop_assert_eq!(t.len(), 20);
        }
    }
}

//! Numbers and units: exact decimals, the `<mass><gas>/<activity>` unit of a
//! factor, and the exact conversion of a value into micrograms.
//!
//! Everything is integer arithmetic: a value that cannot be represented
//! exactly is an error, never rounded.

use tanji_ledger::carbon::form::MAX_CODE_LEN;
use tanji_ledger::carbon::units::{format_decimal, parse_decimal, DecimalError};

/// Most fractional digits read from a value before conversion.
const MAX_INPUT_DECIMALS: u32 = 30;

/// An exact decimal `mantissa × 10^-scale`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Exact {
    pub mantissa: i128,
    pub scale: u32,
}

impl Exact {
    pub const ONE: Exact = Exact {
        mantissa: 1,
        scale: 0,
    };

    /// A plain decimal (no exponent), with at most 30 significant decimals.
    pub fn parse(s: &str) -> Result<Exact, DecimalError> {
        let frac = s
            .split_once('.')
            .map_or("", |(_, f)| f)
            .trim_end_matches('0');
        let scale = u32::try_from(frac.len())
            .unwrap_or(u32::MAX)
            .min(MAX_INPUT_DECIMALS);
        let mantissa = parse_decimal(s, scale)?;
        Ok(Exact { mantissa, scale })
    }

    /// The shortest decimal text.
    pub fn text(self) -> String {
        format_decimal(self.mantissa, self.scale)
    }
}

/// Why a value did not convert.
pub(super) enum ConvError {
    NotExact,
    OutOfRange,
}

/// `value × 10^pow10 × factor`, exactly, as an `i64`.
pub(super) fn scale_exact(value: Exact, pow10: u32, factor: Exact) -> Result<i64, ConvError> {
    let product = value
        .mantissa
        .checked_mul(factor.mantissa)
        .ok_or(ConvError::OutOfRange)?;
    if product == 0 {
        return Ok(0);
    }
    let exp = i64::from(pow10) - i64::from(value.scale) - i64::from(factor.scale);
    let result = if exp >= 0 {
        let m = u32::try_from(exp)
            .ok()
            .and_then(|e| 10i128.checked_pow(e))
            .ok_or(ConvError::OutOfRange)?;
        product.checked_mul(m).ok_or(ConvError::OutOfRange)?
    } else {
        // |product| < 10^39, so a divisor of 10^39 or more never divides it.
        let d = u32::try_from(-exp)
            .ok()
            .and_then(|e| 10i128.checked_pow(e))
            .ok_or(ConvError::NotExact)?;
        if product % d != 0 {
            return Err(ConvError::NotExact);
        }
        product / d
    };
    i64::try_from(result).map_err(|_| ConvError::OutOfRange)
}

/// The mass unit of a factor's unit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Mass {
    G,
    Kg,
    T,
}

impl Mass {
    /// Micrograms per unit, as a power of ten.
    pub fn micrograms_pow10(self) -> u32 {
        match self {
            Mass::G => 6,
            Mass::Kg => 9,
            Mass::T => 12,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Mass::G => "g",
            Mass::Kg => "kg",
            Mass::T => "t",
        }
    }
}

/// The gas of a factor's unit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Gas {
    Co2,
    Co2e,
    Ch4,
    N2o,
}

impl Gas {
    pub fn as_str(self) -> &'static str {
        match self {
            Gas::Co2 => "CO2",
            Gas::Co2e => "CO2e",
            Gas::Ch4 => "CH4",
            Gas::N2o => "N2O",
        }
    }
}

/// What a factor's unit says the row is.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum UnitKind {
    /// An emission factor: `mass` of `gas` per `activity` unit.
    Emission {
        mass: Mass,
        gas: Gas,
        activity: String,
    },
    /// A unit naming no greenhouse gas (e.g. a net calorific value).
    Conversion,
}

/// Reads `<mass><gas>/<activity>`; a unit naming no greenhouse gas is a conversion factor.
pub(super) fn parse_unit(unit: &str) -> Result<UnitKind, String> {
    let (numerator, activity) = match unit.split_once('/') {
        Some((n, a)) => (n.trim(), Some(a.trim())),
        None => (unit, None),
    };
    let compact: String = numerator.chars().filter(|c| !c.is_whitespace()).collect();
    let (mass, gas_text) = if let Some(rest) = compact.strip_prefix("kg") {
        (Some(Mass::Kg), rest)
    } else if let Some(rest) = compact.strip_prefix('t') {
        (Some(Mass::T), rest)
    } else if let Some(rest) = compact.strip_prefix('g') {
        (Some(Mass::G), rest)
    } else {
        (None, compact.as_str())
    };
    let gas = match gas_text
        .to_ascii_lowercase()
        .replace(['-', '_'], "")
        .as_str()
    {
        "co2" => Some(Gas::Co2),
        "co2e" | "co2eq" => Some(Gas::Co2e),
        "ch4" => Some(Gas::Ch4),
        "n2o" => Some(Gas::N2o),
        _ => None,
    };
    match (mass, gas) {
        (Some(mass), Some(gas)) => {
            let activity = activity.unwrap_or("");
            if activity.is_empty() {
                return Err(format!(
                    "unit {unit:?} has no activity unit: write <mass><gas>/<activity unit>, e.g. kgCO2e/kWh"
                ));
            }
            if activity.contains('/')
                || activity.len() > MAX_CODE_LEN
                || activity.chars().any(char::is_control)
            {
                return Err(format!(
                    "activity unit {activity:?} must be at most {MAX_CODE_LEN} bytes without '/' or control characters"
                ));
            }
            Ok(UnitKind::Emission {
                mass,
                gas,
                activity: activity.to_string(),
            })
        }
        _ => {
            let lower = compact.to_ascii_lowercase();
            if ["co2", "ch4", "n2o", "ghg"]
                .iter()
                .any(|g| lower.contains(g))
            {
                Err(format!(
                    "unsupported emission unit {unit:?}: expected kg, t or g of CO2, CO2e, CH4 or N2O per activity unit (e.g. kgCO2e/kWh)"
                ))
            } else {
                Ok(UnitKind::Conversion)
            }
        }
    }
}

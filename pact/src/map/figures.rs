//! The footprint's figures as PACT reports them.
//!
//! The ledger keeps one integer per GHG category, in mg CO2e per declared
//! unit: fossil `F`, biogenic emissions `B`, biogenic removals `R` (≤ 0),
//! direct land-use change `L`, aircraft `A`; and the packaging share `P` of
//! the total. PACT's fields are sums of these:
//!
//! | PACT field | v2.3 | v3.0 |
//! |---|---|---|
//! | fossil GHG emissions (aircraft is fossil) | `fossilGhgEmissions` = F + A | `fossilGhgEmissions` = F + A |
//! | aircraft, of which | `aircraftGhgEmissions` = A | `aircraftGhgEmissions` = A |
//! | land-use change | `dLucGhgEmissions` = L | `landUseChangeGhgEmissions` = L |
//! | biogenic emissions | `otherBiogenicGhgEmissions` = B | (in the total below) |
//! | biogenic removals | `biogenicCarbonWithdrawal` = R | `biogenicCO2Uptake` = R |
//! | total without biogenic | `pCfExcludingBiogenic` = F + A + L | — |
//! | total without uptake | — | `pcfExcludingBiogenicUptake` = F + A + L + B |
//! | total | `pCfIncludingBiogenic` = F + A + L + B + R | `pcfIncludingBiogenicUptake` = same |
//! | packaging, of which | `packagingGhgEmissions` = P | `packagingGhgEmissions` = P |
//!
//! Every sum is exact in `i128` and written in kg with [`kg`]: six decimal
//! places at most, no floating point anywhere.

use tanji_ledger::carbon::{Category, Results};

/// The ledger's figures of one footprint, mg CO2e per declared unit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Figures {
    /// Fossil, without aircraft.
    pub fossil: i64,
    /// Biogenic emissions.
    pub biogenic: i64,
    /// Biogenic removals (≤ 0).
    pub removals: i64,
    /// Direct land-use change.
    pub luc: i64,
    /// Aircraft.
    pub aircraft: i64,
    /// Of the total, packaging.
    pub packaging: i64,
}

/// Milligrams as a kilogram decimal string (the ledger's one formatter).
pub use tanji_ledger::carbon::units::format_kg as kg;

/// `v` (per declared unit) per kilogram of a product of `mass_mg` per
/// declared unit: `v × 10^6 / mass_mg`, rounded half away from zero. The
/// caller ensures `mass_mg > 0`.
pub fn per_kilogram(v: i64, mass_mg: u64) -> i64 {
    let num = i128::from(v) * 1_000_000;
    let den = i128::from(mass_mg.max(1));
    let q = num / den;
    let r = num % den;
    let q = if 2 * r.abs() >= den {
        q + num.signum()
    } else {
        q
    };
    i64::try_from(q).unwrap_or(if q < 0 { i64::MIN } else { i64::MAX })
}

impl Figures {
    /// From an attestation's results.
    pub fn of(results: &Results) -> Self {
        let c = &results.categories;
        Figures {
            fossil: c.get(Category::Fossil),
            biogenic: c.get(Category::Biogenic),
            removals: c.get(Category::BiogenicRemovals),
            luc: c.get(Category::Luc),
            aircraft: c.get(Category::Aircraft),
            packaging: results.packaging_mg,
        }
    }

    /// The figures per kilogram of product instead of per declared unit,
    /// for a version that cannot name the declared unit (v2 has no
    /// `piece`): each value × 10^6 / `mass_mg`, rounded half away from zero
    /// to whole milligrams. `None` when the mass is zero.
    pub fn per_kilogram(&self, mass_mg: u64) -> Option<Self> {
        if mass_mg == 0 {
            return None;
        }
        let scale = |v: i64| per_kilogram(v, mass_mg);
        Some(Figures {
            fossil: scale(self.fossil),
            biogenic: scale(self.biogenic),
            removals: scale(self.removals),
            luc: scale(self.luc),
            aircraft: scale(self.aircraft),
            packaging: scale(self.packaging),
        })
    }

    fn sum(parts: &[i64]) -> i128 {
        parts.iter().map(|&v| i128::from(v)).sum()
    }

    /// F + A.
    pub fn fossil_ghg(&self) -> i128 {
        Self::sum(&[self.fossil, self.aircraft])
    }

    /// F + A + L: v2's `pCfExcludingBiogenic`.
    pub fn excluding_biogenic(&self) -> i128 {
        Self::sum(&[self.fossil, self.aircraft, self.luc])
    }

    /// F + A + L + B: v3's `pcfExcludingBiogenicUptake`.
    pub fn excluding_uptake(&self) -> i128 {
        Self::sum(&[self.fossil, self.aircraft, self.luc, self.biogenic])
    }

    /// Everything: both versions' "including" total.
    pub fn total(&self) -> i128 {
        Self::sum(&[
            self.fossil,
            self.aircraft,
            self.luc,
            self.biogenic,
            self.removals,
        ])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use tanji_ledger::carbon::units::parse_decimal;
    use tanji_ledger::carbon::PerCategory;

    #[test]
    fn hand_checked() {
        let mut r = Results {
            categories: PerCategory([29_792_850, 1_500, -2_000_000, 7, 250_000]),
            total_mg: 0,
            packaging_mg: 12_000,
            ..Default::default()
        };
        r.total_mg = r.categories.total();
        let f = Figures::of(&r);
        assert_eq!(kg(f.fossil_ghg()), "30.04285");
        assert_eq!(kg(f.excluding_biogenic()), "30.042857");
        assert_eq!(kg(f.excluding_uptake()), "30.044357");
        assert_eq!(kg(f.total()), "28.044357");
        assert_eq!(f.total(), i128::from(r.total_mg));
        assert_eq!(kg(i128::from(f.removals)), "-2");
        assert_eq!(kg(0), "0");
        // Per kilogram of a 1.5 kg product: 29 792 850 / 1.5 = 19 861 900;
        // 1 500 / 1.5 = 1 000; −2 000 000 / 1.5 = −1 333 333.33… → −1 333 333;
        // 7 / 1.5 = 4.67 → 5.
        let per_kg = f.per_kilogram(1_500_000).expect("a mass");
        assert_eq!(
            (per_kg.fossil, per_kg.biogenic, per_kg.removals, per_kg.luc),
            (19_861_900, 1_000, -1_333_333, 5)
        );
        // Halves round away from zero: 1 / 2 kg = 0.5 → 1, −1 / 2 kg → −1.
        let halves = Figures {
            fossil: 1,
            removals: -1,
            ..Figures::of(&Results::default())
        };
        let h = halves.per_kilogram(2_000_000).expect("a mass");
        assert_eq!((h.fossil, h.removals), (1, -1));
        assert_eq!(f.per_kilogram(0), None);
    }

    proptest! {
        /// Written figures parse back to the same milligrams, and the
        /// "including" total is the ledger's total.
        #[test]
        fn exact(values in proptest::array::uniform5(-1_000_000_000_000i64..1_000_000_000_000)) {
            let categories = PerCategory(values);
            let r = Results { categories, total_mg: categories.total(), ..Default::default() };
            let f = Figures::of(&r);
            prop_assert_eq!(f.total(), i128::from(r.total_mg));
            for v in [f.fossil_ghg(), f.excluding_biogenic(), f.excluding_uptake(), f.total()] {
                prop_assert_eq!(parse_decimal(&kg(v), 6), Ok(v));
            }
        }
    }
}

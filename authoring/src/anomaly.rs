//! Regulator views: robust statistics over reported footprints.
//!
//! Pure functions over integer figures (e.g. milligrams CO2e per declared
//! unit of every attestation in a product category, or one supplier's
//! successive attestations). They *flag* figures for a human to look at; they
//! decide nothing on the ledger, so floating point is fine for the scores.
//! Figures are passed and reported back exactly (`i64`); only the statistics
//! (median, MAD, scores, shares) are `f64`.
//!
//! - [`median`] and [`mad`] are computed exactly in integers (as twice and
//!   four times their value, in `i128`) and converted to `f64` once at the
//!   end, so they are exactly invariant under permutation and shift up to
//!   that final rounding.
//! - [`outliers`] uses the Iglewicz–Hoaglin modified z-score
//!   `M = 0.6745 (x − median) / MAD` and flags `|M| > threshold`
//!   ([`DEFAULT_THRESHOLD`] = 3.5, their recommendation). When more than half
//!   of the figures are equal, MAD is 0 and `M` is undefined; the score then
//!   falls back to `M = (x − median) / (1.2533 × MeanAD)`, where MeanAD is the
//!   mean absolute deviation from the median and 1.2533 ≈ √(π/2) makes it a
//!   consistent estimator of the standard deviation for normal data, as
//!   0.6745 does for MAD. If MeanAD is 0 too, every figure is equal and none
//!   is flagged.
//! - With fewer than [`MIN_VALUES`] (5) figures [`outliers`] flags nothing:
//!   the median and MAD then rest on one or two figures, so a single report
//!   moves them and "outlier" means little; in the MAD = 0 fallback the
//!   largest possible score of n figures is n / 1.2533, below 3.5 for n ≤ 4,
//!   so the two branches would disagree on what small samples can flag; and
//!   a regulator should not single out one of three or four suppliers on
//!   statistics alone.
//! - [`drop_between`] flags a figure that fell by more than a share of the
//!   previous one (e.g. a supplier's footprint halving between two periods).

/// Iglewicz–Hoaglin's recommended cut-off for the modified z-score.
pub const DEFAULT_THRESHOLD: f64 = 3.5;

/// Fewest figures [`outliers`] looks at.
pub const MIN_VALUES: usize = 5;

/// `0.6745 ≈ Φ⁻¹(0.75)`: MAD / 0.6745 estimates the standard deviation of normal data.
const MAD_CONSISTENCY: f64 = 0.6745;

/// `1.2533 ≈ √(π/2)`: MeanAD × 1.2533 estimates the standard deviation of normal data.
const MEAN_AD_CONSISTENCY: f64 = 1.2533;

/// Twice the median of sorted values, exactly.
fn twice_median(sorted: &[i128]) -> Option<i128> {
    let n = sorted.len();
    if n == 0 {
        return None;
    }
    Some(if n % 2 == 1 {
        2 * sorted[n / 2]
    } else {
        sorted[n / 2 - 1] + sorted[n / 2]
    })
}

/// `(2 × median, 4 × MAD)`, exactly.
fn exact_median_mad(values: &[i64]) -> Option<(i128, i128)> {
    let mut sorted: Vec<i128> = values.iter().map(|v| i128::from(*v)).collect();
    sorted.sort_unstable();
    let m2 = twice_median(&sorted)?;
    // |2x − 2·median| = 2·|x − median|.
    let mut deviations: Vec<i128> = sorted.iter().map(|x| (2 * x - m2).abs()).collect();
    deviations.sort_unstable();
    let mad4 = twice_median(&deviations)?;
    Some((m2, mad4))
}

/// The median; the mean of the two middle values for an even count; `None` if empty.
pub fn median(values: &[i64]) -> Option<f64> {
    let mut sorted: Vec<i128> = values.iter().map(|v| i128::from(*v)).collect();
    sorted.sort_unstable();
    twice_median(&sorted).map(|m2| m2 as f64 / 2.0)
}

/// The median absolute deviation from the median (unscaled); `None` if empty.
pub fn mad(values: &[i64]) -> Option<f64> {
    exact_median_mad(values).map(|(_, mad4)| mad4 as f64 / 4.0)
}

/// A flagged figure.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Outlier {
    /// Position in the input.
    pub index: usize,
    /// The figure, as given.
    pub value: i64,
    /// Its modified z-score (signed: negative below the median).
    pub score: f64,
}

/// Figures whose modified z-score exceeds `threshold` in absolute value, in
/// input order. Nothing for fewer than [`MIN_VALUES`] figures, for all-equal
/// figures, or for a NaN threshold. See the module docs for the formula and
/// its MAD = 0 fallback.
pub fn outliers(values: &[i64], threshold: f64) -> Vec<Outlier> {
    if values.len() < MIN_VALUES {
        return Vec::new();
    }
    let Some((m2, mad4)) = exact_median_mad(values) else {
        return Vec::new();
    };
    // Scores are `per_d2 × d2`, from the exact twice-deviations d2 = 2 (x − median).
    let per_d2 = if mad4 != 0 {
        // M = 0.6745 (x − median) / MAD = 0.6745 · (d2 / 2) / (mad4 / 4).
        2.0 * MAD_CONSISTENCY / mad4 as f64
    } else {
        // M = (x − median) / (1.2533 MeanAD), MeanAD = Σ|d2| / 2n.
        let sum_abs_d2: i128 = values.iter().map(|x| (2 * i128::from(*x) - m2).abs()).sum();
        if sum_abs_d2 == 0 {
            return Vec::new();
        }
        let mean_ad = sum_abs_d2 as f64 / 2.0 / values.len() as f64;
        1.0 / (2.0 * MEAN_AD_CONSISTENCY * mean_ad)
    };
    values
        .iter()
        .enumerate()
        .filter_map(|(index, &value)| {
            let s = per_d2 * (2 * i128::from(value) - m2) as f64;
            (s.abs() > threshold).then_some(Outlier {
                index,
                value,
                score: s,
            })
        })
        .collect()
}

/// A fall between two figures.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Drop {
    /// The earlier figure.
    pub previous: i64,
    /// The later figure.
    pub current: i64,
    /// `(previous − current) / previous`: the share of the earlier figure lost
    /// (above 1 when `current` is negative).
    pub share: f64,
}

/// `Some` when `current < previous × (1 − max_share)`, i.e. the figure fell by
/// more than `max_share` of `previous`. Only for `previous > 0` (a fall from
/// zero or below has no share); `None` for a NaN `max_share`.
pub fn drop_between(previous: i64, current: i64, max_share: f64) -> Option<Drop> {
    if previous <= 0 {
        return None;
    }
    // Exact difference in i128; previous − current > max_share × previous ⇔ share > max_share.
    let share = (i128::from(previous) - i128::from(current)) as f64 / previous as f64;
    (share > max_share).then_some(Drop {
        previous,
        current,
        share,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn median_and_mad_by_hand() {
        assert_eq!(median(&[]), None);
        assert_eq!(mad(&[]), None);
        assert_eq!(median(&[7]), Some(7.0));
        assert_eq!(mad(&[7]), Some(0.0));
        assert_eq!(median(&[3, 1, 2]), Some(2.0));
        assert_eq!(median(&[4, 1, 3, 2]), Some(2.5));
        // deviations from 2.5: 1.5, 0.5, 0.5, 1.5 → MAD 1.0
        assert_eq!(mad(&[4, 1, 3, 2]), Some(1.0));
        // 1 1 2 2 4 6 9: median 2, deviations 1 1 0 0 2 4 7 → MAD 1
        assert_eq!(mad(&[1, 1, 2, 2, 4, 6, 9]), Some(1.0));
        // Extremes do not overflow.
        assert_eq!(median(&[i64::MAX, i64::MAX]), Some(i64::MAX as f64));
        assert_eq!(median(&[i64::MIN, i64::MAX]), Some(-0.5));
        assert!(mad(&[i64::MIN, i64::MAX, 0]).is_some());
    }

    #[test]
    fn flags_by_hand() {
        // Median 100, MAD 1: 130 scores 0.6745 × 30 = 20.2.
        let v = [100, 101, 99, 100, 102, 98, 130];
        let out = outliers(&v, DEFAULT_THRESHOLD);
        assert_eq!(out.len(), 1);
        assert_eq!((out[0].index, out[0].value), (6, 130));
        assert!((out[0].score - 20.235).abs() < 1e-9, "{}", out[0].score);
        // Below the median scores negative.
        let out = outliers(&[100, 101, 99, 100, 102, 98, 70], DEFAULT_THRESHOLD);
        assert_eq!(out.len(), 1);
        assert!(out[0].score < -3.5);
        // MAD = 0 fallback: 4 equal and one off. MeanAD = 990 / 5 = 198,
        // M = 990 / (1.2533 × 198) = 3.99.
        let out = outliers(&[10, 10, 10, 10, 1000], DEFAULT_THRESHOLD);
        assert_eq!(out.len(), 1);
        assert!((out[0].score - 5.0 / 1.2533).abs() < 1e-9);
        // All equal: nothing.
        assert!(outliers(&[5; 10], DEFAULT_THRESHOLD).is_empty());
        // Too few.
        assert!(outliers(&[1, 2, 1_000_000_000], DEFAULT_THRESHOLD).is_empty());
        // NaN threshold flags nothing.
        assert!(outliers(&v, f64::NAN).is_empty());
    }

    #[test]
    fn drops_by_hand() {
        let d = drop_between(1000, 400, 0.5).expect("a 60 % fall");
        assert_eq!((d.previous, d.current), (1000, 400));
        assert!((d.share - 0.6).abs() < 1e-12);
        assert_eq!(drop_between(1000, 500, 0.5), None); // exactly half: not more than
        assert_eq!(drop_between(1000, 1200, 0.5), None);
        assert_eq!(drop_between(0, -5, 0.1), None);
        assert_eq!(drop_between(-10, -50, 0.1), None);
        assert_eq!(drop_between(1000, 1, f64::NAN), None);
        assert!(drop_between(1000, -1000, 0.5).is_some_and(|d| (d.share - 2.0).abs() < 1e-12));
        assert!(drop_between(i64::MAX, i64::MIN, 0.9).is_some());
    }

    proptest! {
        #[test]
        fn permutation_invariant(mut v in prop::collection::vec(any::<i64>(), 1..40), seed in any::<u64>()) {
            let (m, d) = (median(&v), mad(&v));
            // A deterministic shuffle.
            let mut s = seed | 1;
            for i in (1..v.len()).rev() {
                s ^= s << 13; s ^= s >> 7; s ^= s << 17;
                v.swap(i, (s % (i as u64 + 1)) as usize);
            }
            prop_assert_eq!(median(&v), m);
            prop_assert_eq!(mad(&v), d);
        }

        #[test]
        fn shift_moves_median_not_mad(
            v in prop::collection::vec(-1_000_000_000i64..1_000_000_000, 1..40),
            c in -1_000_000_000i64..1_000_000_000,
        ) {
            let shifted: Vec<i64> = v.iter().map(|x| x + c).collect();
            // Exact here: every value involved is far below 2^53.
            prop_assert_eq!(median(&shifted), median(&v).map(|m| m + c as f64));
            prop_assert_eq!(mad(&shifted), mad(&v));
        }

        #[test]
        fn median_is_between_min_and_max(v in prop::collection::vec(any::<i64>(), 1..40)) {
            let m = median(&v).unwrap_or(f64::NAN);
            let lo = *v.iter().min().unwrap_or(&0) as f64;
            let hi = *v.iter().max().unwrap_or(&0) as f64;
            prop_assert!(lo <= m && m <= hi);
            prop_assert!(mad(&v).is_some_and(|d| d >= 0.0));
        }

        #[test]
        fn single_huge_value_is_flagged(
            base in -1_000_000i64..1_000_000,
            spread in prop::collection::vec(0i64..=2, 5..30),
            at in any::<prop::sample::Index>(),
            sign in any::<bool>(),
            extra in 0i64..1_000_000_000,
        ) {
            let mut v: Vec<i64> = spread.iter().map(|s| base + s).collect();
            let n = v.len() as i64 + 1;
            let huge = 1000 * 3 * n + extra;
            let outlier = if sign { base + 2 + huge } else { base - huge };
            let i = at.index(v.len() + 1);
            v.insert(i, outlier);
            let flagged = outliers(&v, DEFAULT_THRESHOLD);
            // The identical-ish values stay within 2 of each other, so only the huge one is flagged.
            prop_assert_eq!(flagged.len(), 1, "{:?} → {:?}", v, flagged);
            prop_assert_eq!(flagged[0].index, i);
            prop_assert_eq!(flagged[0].value, outlier);
            prop_assert_eq!(flagged[0].score > 0.0, sign);
        }

        #[test]
        fn fewer_than_five_flag_nothing(
            v in prop::collection::vec(any::<i64>(), 0..MIN_VALUES),
            t in 0.0f64..10.0,
        ) {
            prop_assert!(outliers(&v, t).is_empty());
        }

        #[test]
        fn outliers_are_sound(v in prop::collection::vec(any::<i64>(), 0..60), t in 0.0f64..10.0) {
            for o in outliers(&v, t) {
                prop_assert_eq!(v[o.index], o.value);
                prop_assert!(o.score.abs() > t && o.score.is_finite());
            }
        }

        #[test]
        fn drop_matches_definition(p in 1i64..1_000_000_000, c in -1_000_000_000i64..1_000_000_000, s in 0u32..=100) {
            // With a share in whole percent, the definition is exact in integers:
            // c < p (1 − s/100) ⇔ 100 c < p (100 − s).
            let (lhs, rhs) = (100 * i128::from(c), i128::from(p) * (100 - i128::from(s)));
            // Exactly on the boundary the f64 division may round either way.
            prop_assume!(lhs != rhs);
            let expected = lhs < rhs;
            let share = f64::from(s) / 100.0;
            prop_assert_eq!(drop_between(p, c, share).is_some(), expected);
        }
    }
}

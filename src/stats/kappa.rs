//! Cohen's kappa for two binary raters (Cohen 1960, "A coefficient of
//! agreement for nominal scales", *Educational and Psychological
//! Measurement* 20:37–46), with optional per-item weights, and a percentile
//! bootstrap interval over items (Efron & Tibshirani 1993, ch. 13).
//!
//! With item weights `w_i ≥ 0` every proportion is a weighted proportion:
//!
//! ```text
//! p_o = Σ w_i [a_i = b_i] / Σ w_i          observed agreement
//! p_a = Σ w_i a_i / Σ w_i,  p_b likewise   each rater's rate of `true`
//! p_e = p_a p_b + (1 − p_a)(1 − p_b)       agreement expected by chance
//! κ   = (p_o − p_e) / (1 − p_e)
//! ```
//!
//! Unit weights give Cohen's kappa. (These are weights on *items*, not the
//! disagreement weights of Cohen's 1968 weighted kappa for ordinal scales.)
//! κ is undefined when `p_e = 1`, i.e. both raters give the same single
//! label to every weighted item, or when the weights sum to zero; the
//! functions then return `None`. κ is symmetric in the two raters.

use rand::Rng;

use super::bootstrap::{quantile, Interval};

/// Weighted 2×2 table of two binary raters.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Table {
    /// Total weight where both say `true`.
    pub both: f64,
    /// Total weight where only `a` says `true`.
    pub a_only: f64,
    /// Total weight where only `b` says `true`.
    pub b_only: f64,
    /// Total weight where both say `false`.
    pub neither: f64,
}

impl Table {
    /// The table of items `idx` (repeats allowed, as in a bootstrap
    /// resample); `w = None` weighs every item 1.
    pub fn of(a: &[bool], b: &[bool], w: Option<&[f64]>, idx: impl Iterator<Item = usize>) -> Self {
        let mut t = Table::default();
        for i in idx {
            let wi = w.map_or(1.0, |w| w[i]);
            match (a[i], b[i]) {
                (true, true) => t.both += wi,
                (true, false) => t.a_only += wi,
                (false, true) => t.b_only += wi,
                (false, false) => t.neither += wi,
            }
        }
        t
    }

    /// Cohen's kappa of the table; `None` when undefined.
    pub fn kappa(&self) -> Option<f64> {
        let n = self.both + self.a_only + self.b_only + self.neither;
        if n.is_nan() || n <= 0.0 {
            return None;
        }
        let po = (self.both + self.neither) / n;
        let pa = (self.both + self.a_only) / n;
        let pb = (self.both + self.b_only) / n;
        let pe = pa * pb + (1.0 - pa) * (1.0 - pb);
        // Floating-point guard: p_e within rounding of 1 means no variation.
        if 1.0 - pe <= 1e-12 {
            return None;
        }
        Some((po - pe) / (1.0 - pe))
    }
}

/// Cohen's kappa of two equally long binary label vectors, each item
/// weighted by `w` (`None`: unweighted). `None` when undefined.
///
/// # Panics
/// When the lengths differ.
pub fn kappa(a: &[bool], b: &[bool], w: Option<&[f64]>) -> Option<f64> {
    check(a, b, w);
    Table::of(a, b, w, 0..a.len()).kappa()
}

fn check(a: &[bool], b: &[bool], w: Option<&[f64]>) {
    assert_eq!(a.len(), b.len(), "kappa: label vectors differ in length");
    if let Some(w) = w {
        assert_eq!(w.len(), a.len(), "kappa: weights differ in length");
    }
}

/// One bootstrap resample of `n` items: indices drawn with replacement.
pub fn resample<R: Rng>(n: usize, rng: &mut R) -> Vec<usize> {
    (0..n).map(|_| rng.gen_range(0..n)).collect()
}

/// Kappa with a percentile bootstrap interval at `level` from `resamples`
/// resamples of the items. Resamples where kappa is undefined are skipped;
/// the interval always contains the estimate (as in
/// [`super::bootstrap::mean_ci`]). `None` when kappa is undefined on the
/// full data.
pub fn bootstrap_ci<R: Rng>(
    a: &[bool],
    b: &[bool],
    w: Option<&[f64]>,
    resamples: usize,
    level: f64,
    rng: &mut R,
) -> Option<Interval> {
    let estimate = kappa(a, b, w)?;
    let n = a.len();
    let mut reps: Vec<f64> = (0..resamples)
        .filter_map(|_| Table::of(a, b, w, resample(n, rng).into_iter()).kappa())
        .collect();
    if reps.is_empty() {
        return Some(Interval {
            estimate,
            ci_low: estimate,
            ci_high: estimate,
        });
    }
    reps.sort_by(f64::total_cmp);
    let tail = (1.0 - level) / 2.0;
    Some(Interval {
        estimate,
        ci_low: quantile(&reps, tail).min(estimate),
        ci_high: quantile(&reps, 1.0 - tail).max(estimate),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::rng::stream;

    fn v(s: &str) -> Vec<bool> {
        s.bytes().map(|c| c == b'1').collect()
    }

    fn close(x: f64, y: f64) -> bool {
        (x - y).abs() < 1e-12
    }

    #[test]
    fn textbook_table() {
        // 2×2 table both=20, a_only=5, b_only=10, neither=15 (n = 50):
        // p_o = 35/50 = 0.7, p_a = 25/50 = 0.5, p_b = 30/50 = 0.6,
        // p_e = 0.5·0.6 + 0.5·0.4 = 0.5, κ = (0.7 − 0.5)/(1 − 0.5) = 0.4.
        let t = Table {
            both: 20.0,
            a_only: 5.0,
            b_only: 10.0,
            neither: 15.0,
        };
        assert!(close(t.kappa().unwrap(), 0.4));
    }

    #[test]
    fn small_vectors_by_hand() {
        // a = 1100, b = 1000: p_o = 3/4, p_a = 1/2, p_b = 1/4,
        // p_e = 1/8 + 3/8 = 1/2, κ = (3/4 − 1/2)/(1/2) = 1/2.
        let (a, b) = (v("1100"), v("1000"));
        assert!(close(kappa(&a, &b, None).unwrap(), 0.5));
        // Perfect agreement and perfect disagreement.
        assert!(close(kappa(&a, &a, None).unwrap(), 1.0));
        assert!(close(kappa(&v("1010"), &v("0101"), None).unwrap(), -1.0));
    }

    #[test]
    fn weights_by_hand() {
        // a = 1100, b = 1000, w = (1, 3, 2, 2), Σw = 8:
        // agree weight = 1 + 2 + 2 = 5, p_o = 5/8; p_a = 4/8; p_b = 1/8;
        // p_e = 1/2·1/8 + 1/2·7/8 = 1/2; κ = (5/8 − 1/2)/(1/2) = 1/4.
        let (a, b) = (v("1100"), v("1000"));
        let w = [1.0, 3.0, 2.0, 2.0];
        assert!(close(kappa(&a, &b, Some(&w)).unwrap(), 0.25));
        // Unit weights equal the unweighted kappa; zero weights drop items.
        assert_eq!(kappa(&a, &b, Some(&[1.0; 4])), kappa(&a, &b, None));
        let w0 = [1.0, 0.0, 1.0, 1.0];
        assert_eq!(kappa(&a, &b, Some(&w0)), kappa(&v("100"), &v("100"), None));
    }

    #[test]
    fn symmetric() {
        let a = v("1101001110010");
        let b = v("1001011010011");
        let w: Vec<f64> = (0..a.len()).map(|i| 0.25 + (i % 4) as f64).collect();
        assert_eq!(kappa(&a, &b, None), kappa(&b, &a, None));
        let (x, y) = (
            kappa(&a, &b, Some(&w)).unwrap(),
            kappa(&b, &a, Some(&w)).unwrap(),
        );
        assert!(close(x, y));
    }

    #[test]
    fn undefined_cases() {
        // Both raters constant and equal: p_e = 1.
        assert_eq!(kappa(&v("111"), &v("111"), None), None);
        assert_eq!(kappa(&v("000"), &v("000"), None), None);
        // One constant rater is defined (κ = 0 when the other varies).
        assert!(close(kappa(&v("000"), &v("010"), None).unwrap(), 0.0));
        assert_eq!(kappa(&[], &[], None), None);
        assert_eq!(kappa(&v("10"), &v("10"), Some(&[0.0, 0.0])), None);
    }

    #[test]
    fn bootstrap_brackets_and_is_reproducible() {
        let a: Vec<bool> = (0..200).map(|i| i % 3 == 0).collect();
        let b: Vec<bool> = (0..200).map(|i| i % 3 == 0 || i % 17 == 0).collect();
        let ci = bootstrap_ci(&a, &b, None, 500, 0.95, &mut stream(3, "k")).unwrap();
        assert!(ci.ci_low <= ci.estimate && ci.estimate <= ci.ci_high);
        assert!(ci.ci_low > 0.5 && ci.ci_high <= 1.0, "{ci:?}");
        let again = bootstrap_ci(&a, &b, None, 500, 0.95, &mut stream(3, "k")).unwrap();
        assert_eq!(ci, again);
        assert_eq!(
            bootstrap_ci(&v("11"), &v("11"), None, 10, 0.95, &mut stream(3, "k")),
            None
        );
    }
}

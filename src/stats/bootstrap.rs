//! Percentile bootstrap confidence interval of a mean over probes
//! (Efron & Tibshirani 1993, *An Introduction to the Bootstrap*, ch. 13).
//!
//! Probes are resampled with replacement; paired quantities (such as the
//! difference of two similarities on the same probe) are resampled together
//! because the caller passes the per-probe differences.

use rand::Rng;
use serde::Serialize;

use super::mean;

/// A point estimate with its confidence interval.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Interval {
    pub estimate: f64,
    pub ci_low: f64,
    pub ci_high: f64,
}

/// Percentile interval at `level` (e.g. 0.95) from `resamples` draws.
/// The interval always contains the estimate: with a skewed bootstrap
/// distribution the percentile bounds can miss it, and a report whose CI
/// excludes its own estimate would invite the wrong question, so the bounds
/// are widened to include it.
pub fn mean_ci<R: Rng>(x: &[f64], resamples: usize, level: f64, rng: &mut R) -> Interval {
    let estimate = mean(x);
    if x.len() < 2 || resamples == 0 {
        return Interval {
            estimate,
            ci_low: estimate,
            ci_high: estimate,
        };
    }
    let n = x.len();
    let mut means: Vec<f64> = (0..resamples)
        .map(|_| (0..n).map(|_| x[rng.gen_range(0..n)]).sum::<f64>() / n as f64)
        .collect();
    means.sort_by(f64::total_cmp);
    let tail = (1.0 - level) / 2.0;
    let lo = quantile(&means, tail);
    let hi = quantile(&means, 1.0 - tail);
    Interval {
        estimate,
        ci_low: lo.min(estimate),
        ci_high: hi.max(estimate),
    }
}

/// Linear-interpolated quantile of sorted data (Hyndman & Fan type 7).
pub fn quantile(sorted: &[f64], q: f64) -> f64 {
    let h = (sorted.len() - 1) as f64 * q.clamp(0.0, 1.0);
    let (lo, frac) = (h.floor() as usize, h - h.floor());
    let hi = (lo + 1).min(sorted.len() - 1);
    sorted[lo] + frac * (sorted[hi] - sorted[lo])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::rng::stream;

    #[test]
    fn interval_brackets_the_mean() {
        let x: Vec<f64> = (0..200).map(|i| (i % 7) as f64).collect();
        let ci = mean_ci(&x, 1000, 0.95, &mut stream(1, "t"));
        assert!(ci.ci_low <= ci.estimate && ci.estimate <= ci.ci_high);
        assert!(ci.ci_high - ci.ci_low < 1.0);
    }

    #[test]
    fn quantile_interpolates() {
        assert_eq!(quantile(&[0.0, 10.0], 0.5), 5.0);
        assert_eq!(quantile(&[1.0, 2.0, 3.0], 1.0), 3.0);
    }
}

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
    mean_cis(&[x], resamples, level, rng).remove(0)
}

/// [`mean_ci`] of several series over the same probes, from one set of
/// resampled probe sets (a paired bootstrap: each resample applies to
/// every series). With one series it draws exactly as [`mean_ci`].
pub fn mean_cis<R: Rng>(xs: &[&[f64]], resamples: usize, level: f64, rng: &mut R) -> Vec<Interval> {
    let n = xs.first().map_or(0, |x| x.len());
    assert!(
        xs.iter().all(|x| x.len() == n),
        "series over the same probes"
    );
    if n < 2 || resamples == 0 {
        return xs.iter().map(|x| degenerate(mean(x))).collect();
    }
    let k = xs.len();
    // Probe-major rows, so one pass over a resample feeds every series:
    // the series' sums are independent chains the CPU overlaps, where a
    // pass per series waits on each addition in turn. Each sum still adds
    // its terms in draw order from -0.0, as `Iterator::sum` does, so the
    // means are the same bits.
    let rows: Vec<f64> = (0..n).flat_map(|i| xs.iter().map(move |x| x[i])).collect();
    let mut means = vec![Vec::with_capacity(resamples); k];
    let mut draw = vec![0usize; n];
    let mut acc = vec![-0.0f64; k];
    for _ in 0..resamples {
        draw.iter_mut().for_each(|i| *i = rng.gen_range(0..n));
        acc.fill(-0.0);
        for &i in &draw {
            for (a, v) in acc.iter_mut().zip(&rows[i * k..(i + 1) * k]) {
                *a += v;
            }
        }
        for (m, a) in means.iter_mut().zip(&acc) {
            m.push(a / n as f64);
        }
    }
    let tail = (1.0 - level) / 2.0;
    xs.iter()
        .zip(means)
        .map(|(x, mut m)| {
            let estimate = mean(x);
            m.sort_by(f64::total_cmp);
            Interval {
                estimate,
                ci_low: quantile(&m, tail).min(estimate),
                ci_high: quantile(&m, 1.0 - tail).max(estimate),
            }
        })
        .collect()
}

fn degenerate(estimate: f64) -> Interval {
    Interval {
        estimate,
        ci_low: estimate,
        ci_high: estimate,
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
    fn joint_resampling_matches_single_series() {
        let x: Vec<f64> = (0..50).map(|i| (i % 7) as f64).collect();
        let y: Vec<f64> = x.iter().map(|v| v * 2.0).collect();
        let one = mean_ci(&x, 200, 0.9, &mut stream(3, "j"));
        let both = mean_cis(&[&x, &y], 200, 0.9, &mut stream(3, "j"));
        assert_eq!(both[0], one);
        assert_eq!(both[1].ci_low, 2.0 * one.ci_low);
    }

    #[test]
    fn quantile_interpolates() {
        assert_eq!(quantile(&[0.0, 10.0], 0.5), 5.0);
        assert_eq!(quantile(&[1.0, 2.0, 3.0], 1.0), 3.0);
    }
}

//! Validation metrics of a likelihood-ratio system on cases of known
//! origin.
//!
//! - `Cllr`, the log-likelihood-ratio cost (Brümmer & du Preez 2006,
//!   Computer Speech and Language 20:230–275):
//!   `½ [mean_H1 log2(1 + 1/LR) + mean_H2 log2(1 + LR)]`. 0 is perfect; 1 is
//!   a system that always says LR = 1; above 1 it misleads.
//! - `Cllr_min`: the Cllr after the best monotone re-calibration of the
//!   same scores, by the pool-adjacent-violators algorithm (Ayer et al.
//!   1955; Brümmer & du Preez 2006). `Cllr − Cllr_min` is the cost of
//!   miscalibration; `Cllr_min` that of poor discrimination.
//! - the equal error rate of the scores, and the rates of misleading
//!   evidence: the share of H1 cases with LR < 1 and of H2 cases with
//!   LR > 1 (Royall 2000, "On the probability of observing misleading
//!   statistical evidence", JASA 95:760–768).
//!
//! All log likelihood ratios here are log10.

/// Validation figures of one set of log10 LRs.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Validation {
    pub cllr: f64,
    pub cllr_min: f64,
    pub eer: f64,
    /// Share of H1 cases with LR < 1.
    pub misleading_h1: f64,
    /// Share of H2 cases with LR > 1.
    pub misleading_h2: f64,
}

/// Every figure of [`Validation`] for log10 LRs `llr` with labels `h1`.
pub fn validate(llr: &[f64], h1: &[bool]) -> Validation {
    let (pos, neg) = split(llr, h1);
    let share = |v: &[f64], f: &dyn Fn(f64) -> bool| {
        v.iter().filter(|&&x| f(x)).count() as f64 / v.len().max(1) as f64
    };
    Validation {
        cllr: cllr(llr, h1),
        cllr_min: cllr_min(llr, h1),
        eer: eer(llr, h1),
        misleading_h1: share(&pos, &|x| x < 0.0),
        misleading_h2: share(&neg, &|x| x > 0.0),
    }
}

fn split(llr: &[f64], h1: &[bool]) -> (Vec<f64>, Vec<f64>) {
    let pos = llr.iter().zip(h1).filter(|p| *p.1).map(|p| *p.0).collect();
    let neg = llr.iter().zip(h1).filter(|p| !*p.1).map(|p| *p.0).collect();
    (pos, neg)
}

/// `log2(1 + 10^x)` without overflow.
fn log2_1p_exp10(x: f64) -> f64 {
    let t = x * std::f64::consts::LN_10;
    let ln = if t > 30.0 { t } else { t.exp().ln_1p() };
    ln / std::f64::consts::LN_2
}

/// The log-likelihood-ratio cost of log10 LRs; 1 when a class is empty.
pub fn cllr(llr: &[f64], h1: &[bool]) -> f64 {
    let (pos, neg) = split(llr, h1);
    if pos.is_empty() || neg.is_empty() {
        return 1.0;
    }
    let a: f64 = pos.iter().map(|&x| log2_1p_exp10(-x)).sum::<f64>() / pos.len() as f64;
    let b: f64 = neg.iter().map(|&x| log2_1p_exp10(x)).sum::<f64>() / neg.len() as f64;
    0.5 * (a + b)
}

/// The Cllr of the scores after pool-adjacent-violators calibration.
pub fn cllr_min(llr: &[f64], h1: &[bool]) -> f64 {
    let n_pos = h1.iter().filter(|&&v| v).count();
    let n_neg = h1.len() - n_pos;
    if n_pos == 0 || n_neg == 0 {
        return 1.0;
    }
    let mut order: Vec<usize> = (0..llr.len()).collect();
    order.sort_by(|&a, &b| llr[a].total_cmp(&llr[b]).then(h1[b].cmp(&h1[a])));
    let labels: Vec<f64> = order.iter().map(|&i| f64::from(u8::from(h1[i]))).collect();
    let post = pav(&labels);
    let prior = (n_pos as f64 / n_neg as f64).log10();
    let calibrated: Vec<f64> = post
        .iter()
        .map(|&p| (p / (1.0 - p)).log10() - prior)
        .collect();
    let sorted_h1: Vec<bool> = order.iter().map(|&i| h1[i]).collect();
    cllr(&calibrated, &sorted_h1)
}

/// Isotonic (non-decreasing) least-squares fit of `y` in the given order,
/// by pool-adjacent-violators.
pub fn pav(y: &[f64]) -> Vec<f64> {
    // Blocks of (sum, count).
    let mut blocks: Vec<(f64, usize)> = Vec::with_capacity(y.len());
    for &v in y {
        blocks.push((v, 1));
        while blocks.len() >= 2 {
            let (s1, c1) = blocks[blocks.len() - 1];
            let (s0, c0) = blocks[blocks.len() - 2];
            if s0 / c0 as f64 > s1 / c1 as f64 {
                blocks.pop();
                let last = blocks.len() - 1;
                blocks[last] = (s0 + s1, c0 + c1);
            } else {
                break;
            }
        }
    }
    blocks
        .iter()
        .flat_map(|&(s, c)| std::iter::repeat(s / c as f64).take(c))
        .collect()
}

/// Equal error rate: the error rate where the false-alarm and miss rates
/// cross as the threshold sweeps over the scores (the mean of the two at
/// the threshold where they are closest).
pub fn eer(llr: &[f64], h1: &[bool]) -> f64 {
    let (pos, neg) = split(llr, h1);
    if pos.is_empty() || neg.is_empty() {
        return 0.5;
    }
    let mut thresholds: Vec<f64> = llr.to_vec();
    thresholds.push(f64::INFINITY);
    thresholds.sort_by(f64::total_cmp);
    let mut best = (f64::INFINITY, 0.5);
    for t in thresholds {
        // Decide H1 when llr >= t.
        let miss = pos.iter().filter(|&&x| x < t).count() as f64 / pos.len() as f64;
        let fa = neg.iter().filter(|&&x| x >= t).count() as f64 / neg.len() as f64;
        let gap = (miss - fa).abs();
        if gap < best.0 {
            best = (gap, 0.5 * (miss + fa));
        }
    }
    best.1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn neutral_system_costs_one() {
        let llr = [0.0; 6];
        let h1 = [true, true, true, false, false, false];
        assert!((cllr(&llr, &h1) - 1.0).abs() < 1e-12);
    }

    #[test]
    fn perfect_separation_costs_little() {
        let llr = [6.0, 5.0, 4.0, -4.0, -5.0, -6.0];
        let h1 = [true, true, true, false, false, false];
        let v = validate(&llr, &h1);
        assert!(v.cllr < 1e-3 && v.cllr_min < 1e-9 && v.eer == 0.0);
        assert_eq!((v.misleading_h1, v.misleading_h2), (0.0, 0.0));
    }

    #[test]
    fn reversed_scores_cost_more_than_one_but_not_after_pav() {
        let llr = [-2.0, -2.0, 2.0, 2.0];
        let h1 = [true, true, false, false];
        let v = validate(&llr, &h1);
        assert!(v.cllr > 1.0);
        assert!((v.cllr_min - 1.0).abs() < 1e-12, "{}", v.cllr_min);
        assert_eq!(v.misleading_h1, 1.0);
    }

    #[test]
    fn pav_pools_violators() {
        assert_eq!(pav(&[0.0, 1.0, 0.0, 1.0]), vec![0.0, 0.5, 0.5, 1.0]);
        assert_eq!(pav(&[1.0, 0.0]), vec![0.5, 0.5]);
    }
}

//! Empirical lower and upper bounds on likelihood ratios (ELUB; Vergeer,
//! van Es, de Jongh, Alberink & Stoel 2016, "Numerical likelihood ratios
//! outputted by LR systems are often based on extrapolation: When to stop
//! extrapolating?", Science & Justice 56:482–491).
//!
//! A calibration fitted on N known cases cannot support an arbitrarily
//! large LR: with 100 known unrelated pairs, an LR of 10⁶ claims a rarity
//! that the data never tested. For each threshold LR `t` the method
//! compares the Bayes error of the system, at the prior odds `1/t` where
//! `t` is the decision threshold, with that of a neutral system that always
//! says LR = 1; the system's cases get one extra, maximally misleading case
//! per class (an H1 case with LR → 0, an H2 case with LR → ∞). With N
//! known H2 cases the upper bound is then about N, and with N H1 cases the
//! lower bound about 1/N. The bounds are the
//! nearest thresholds on either side of 1 beyond which the system no
//! longer beats the neutral one; reported LRs are limited to them. The
//! bounds therefore widen with the number of known cases and shrink when
//! cases are removed.

/// Grid step of the threshold search, in log10 units.
const STEP: f64 = 0.01;

/// `(lower, upper)` bounds in log10 for log10 LRs `llr` with labels `h1`.
/// `(0, 0)` when a class is empty: nothing is supported then.
pub fn bounds(llr: &[f64], h1: &[bool]) -> (f64, f64) {
    let pos: Vec<f64> = llr.iter().zip(h1).filter(|p| *p.1).map(|p| *p.0).collect();
    let neg: Vec<f64> = llr.iter().zip(h1).filter(|p| !*p.1).map(|p| *p.0).collect();
    if pos.is_empty() || neg.is_empty() {
        return (0.0, 0.0);
    }
    let lo = llr.iter().copied().fold(0.0f64, f64::min);
    let hi = llr.iter().copied().fold(0.0f64, f64::max);
    let steps = |from: f64, to: f64| ((to - from) / STEP).ceil().max(0.0) as usize;
    let mut upper = hi;
    for k in 1..=steps(0.0, hi) + 1 {
        let t = k as f64 * STEP;
        if !beats_neutral(&pos, &neg, t) {
            upper = t - STEP;
            break;
        }
    }
    let mut lower = lo;
    for k in 1..=steps(lo, 0.0) + 1 {
        let t = -(k as f64) * STEP;
        if !beats_neutral(&pos, &neg, t) {
            lower = t + STEP;
            break;
        }
    }
    (round2(lower.min(0.0)), round2(upper.max(0.0)))
}

fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

/// Whether the system's Bayes error at decision threshold `10^t` (prior
/// odds `10^-t`) is at most the neutral system's, each class with one
/// added misleading case.
fn beats_neutral(pos: &[f64], neg: &[f64], t: f64) -> bool {
    let (np, nn) = (pos.len() as f64 + 1.0, neg.len() as f64 + 1.0);
    // Decide H1 when LR > threshold.
    let miss = (pos.iter().filter(|&&x| x <= t).count() as f64 + 1.0) / np;
    let fa = (neg.iter().filter(|&&x| x > t).count() as f64 + 1.0) / nn;
    let prior = 10f64.powf(-t);
    let system = prior * miss + fa;
    // The neutral system says LR = 1 for every case, the added ones too,
    // so it decides by the prior alone: H1 for every case below threshold
    // 1 (all H2 cases are false alarms), H2 above (all H1 cases missed).
    let neutral = if t < 0.0 { 1.0 } else { prior };
    system <= neutral
}

#[cfg(test)]
mod tests {
    use super::*;

    fn separated(n: usize) -> (Vec<f64>, Vec<bool>) {
        let mut llr = vec![4.0; n];
        llr.extend(vec![-4.0; n]);
        let h1 = (0..2 * n).map(|i| i < n).collect();
        (llr, h1)
    }

    #[test]
    fn bounds_grow_with_the_number_of_cases() {
        let (a, ha) = separated(10);
        let (b, hb) = separated(100);
        let (la, ua) = bounds(&a, &ha);
        let (lb, ub) = bounds(&b, &hb);
        assert!(ub > ua && lb < la, "{la} {ua} {lb} {ub}");
        // Roughly log10 of the number of cases of the other class.
        assert!((ua - 11f64.log10()).abs() < 0.1, "{ua}");
    }

    #[test]
    fn uninformative_system_is_bounded_at_one() {
        let llr = vec![0.0; 20];
        let h1: Vec<bool> = (0..20).map(|i| i % 2 == 0).collect();
        assert_eq!(bounds(&llr, &h1), (0.0, 0.0));
    }

    #[test]
    fn empty_class_supports_nothing() {
        assert_eq!(bounds(&[1.0, 2.0], &[true, true]), (0.0, 0.0));
    }
}

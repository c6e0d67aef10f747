//! Is a candidate's similarity to the student outside the range of the
//! reference panel? A prediction-interval test between models.
//!
//! Probe-level tests treat the probes as the only source of chance. But
//! unrelated models also differ from each other as *models*: of m + 1
//! unrelated models, one is the student's nearest neighbour by chance, and
//! with hundreds of probes its lead becomes "significant" at the probe
//! level. The panel measures that model-to-model spread. Treating the panel
//! members' excess similarities `x_1..x_m` as a sample from the population
//! of unrelated models, a new unrelated model's excess `x` satisfies
//! `(x − mean) / (sd · sqrt(1 + 1/m)) ~ t(m − 1)` under normality, the
//! classical prediction interval (Geisser 1993, *Predictive Inference*,
//! ch. 2). The one-sided p-value is the probability that an unrelated
//! model would be at least as close as the candidate.

use statrs::distribution::{ContinuousCDF, StudentsT};

/// One-sided prediction p-value of `x` against the sample `null`; 1 when
/// the sample is too small (fewer than 3) or has no spread.
pub fn prediction_p(x: f64, null: &[f64]) -> f64 {
    let m = null.len();
    if m < 3 {
        return 1.0;
    }
    let mean = super::mean(null);
    let sd = super::sd(null);
    if sd.is_nan() || sd <= 0.0 || !x.is_finite() {
        return 1.0;
    }
    let t = (x - mean) / (sd * (1.0 + 1.0 / m as f64).sqrt());
    let dist = StudentsT::new(0.0, 1.0, (m - 1) as f64).expect("valid degrees of freedom");
    // sf(t) can round to exactly 0 for huge t; keep p in (0, 1].
    dist.sf(t).clamp(f64::MIN_POSITIVE, 1.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outlier_is_significant_and_typical_is_not() {
        let null = [0.0, 0.1, -0.1, 0.05, -0.05, 0.02, -0.02, 0.08, -0.08, 0.0];
        assert!(prediction_p(1.0, &null) < 1e-6);
        let p = prediction_p(0.0, &null);
        assert!((p - 0.5).abs() < 1e-9);
        assert_eq!(prediction_p(1.0, &[0.0, 1.0]), 1.0);
        assert_eq!(prediction_p(1.0, &[0.5; 5]), 1.0);
    }
}

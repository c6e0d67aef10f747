//! Statistics: pure functions, each naming and citing its method.
//!
//! - [`rng`]: one seeded ChaCha stream per task, so results do not depend on
//!   scheduling;
//! - [`bootstrap`]: percentile bootstrap confidence intervals over probes;
//! - [`signflip`]: one-sided paired sign-flip (randomisation) tests;
//! - [`holm`]: Holm's step-down adjustment across evidence families;
//! - [`excess`]: hubness-corrected excess similarity of a student to a
//!   candidate over a reference panel;
//! - [`logistic`], [`cllr`], [`elub`]: likelihood ratios calibrated on
//!   known cases, their validation metrics and their supported bounds.

pub mod bootstrap;
pub mod cllr;
pub mod delta;
pub mod elub;
pub mod excess;
pub mod holm;
pub mod kappa;
pub mod logistic;
pub mod panel;
pub mod rng;
pub mod signflip;

/// Arithmetic mean in a fixed (sequential) order; 0 for an empty slice.
pub fn mean(x: &[f64]) -> f64 {
    if x.is_empty() {
        0.0
    } else {
        x.iter().sum::<f64>() / x.len() as f64
    }
}

/// Index of the first largest value (the hardest panel model when `x`
/// holds per-reference p-values); `None` for an empty slice.
pub fn first_max(x: &[f64]) -> Option<usize> {
    (0..x.len()).fold(None, |best, j| match best {
        Some(b) if x[b] >= x[j] => Some(b),
        _ => Some(j),
    })
}

/// Sample standard deviation (n − 1); 0 below two values.
pub fn sd(x: &[f64]) -> f64 {
    if x.len() < 2 {
        return 0.0;
    }
    let m = mean(x);
    (x.iter().map(|v| (v - m) * (v - m)).sum::<f64>() / (x.len() - 1) as f64).sqrt()
}

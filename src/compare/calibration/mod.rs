//! Calibrated strength of evidence: likelihood ratios fitted on cases of
//! known origin.
//!
//! A p-value against the reference panel answers "is S closer to T than
//! unrelated models are?", which a contaminated panel (members themselves
//! trained on T's outputs) cannot settle. Forensic practice reports instead
//! a likelihood ratio, `LR = P(scores | S trained on T's outputs) /
//! P(scores | S not trained on them)`, calibrated on cases whose origin is
//! known, with its validation error stated (Morrison 2013, "Tutorial on
//! logistic-regression calibration and fusion", Australian Journal of
//! Forensic Sciences 45:173–197; Meuwly, Ramos & Haraksim 2017, "A
//! guideline for the validation of likelihood ratio methods used for
//! forensic evidence evaluation", Forensic Science International
//! 276:142–153).
//!
//! - [`file`]: the calibration file (`calibration.json`): the fitted
//!   model, its validation figures and what it applies to;
//! - [`fit`]: `lineage calibrate`, fitting and leave-one-model-out
//!   validation on labelled known cases;
//! - [`apply`]: `compare --calibration`, the LR of each candidate and the
//!   calibrated decision rule.

pub mod apply;
pub mod cohort;
pub mod file;
pub mod fit;
pub mod labels;

pub use file::Calibration;

/// Verbal scale for a log10 LR, after the ENFSI guideline for evaluative
/// reporting in forensic science (2015), with the same words for support
/// of the alternative (LR below 1).
pub fn verbal(log10_lr: f64) -> String {
    let a = log10_lr.abs();
    let strength = if a < 1.0 {
        "weak"
    } else if a < 2.0 {
        "moderate"
    } else if a < 3.0 {
        "moderately strong"
    } else if a < 4.0 {
        "strong"
    } else if a < 6.0 {
        "very strong"
    } else {
        "extremely strong"
    };
    if a < 1e-9 {
        "neutral: the scores are as probable either way".to_string()
    } else if log10_lr > 0.0 {
        format!("{strength} support for distillation from this candidate")
    } else {
        format!("{strength} support against distillation from this candidate")
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn verbal_scale_follows_orders_of_magnitude() {
        assert!(super::verbal(1.5).starts_with("moderate support for"));
        assert!(super::verbal(-2.5).starts_with("moderately strong support against"));
        assert!(super::verbal(0.0).starts_with("neutral"));
        assert!(super::verbal(6.5).starts_with("extremely strong"));
    }
}

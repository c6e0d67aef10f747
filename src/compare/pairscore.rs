//! Pair scores: the fixed, documented evidence vector of one (student,
//! candidate) pair that a calibration ([`super::calibration`]) maps to a
//! likelihood ratio.
//!
//! Scores:
//! - `<family>.excess`: the family's mean hubness-corrected excess of S
//!   over T (as in `families`); a difference of similarities, so bounded
//!   and comparable between panels of similar make-up;
//! - `<family>.z_panel`: the family's mean excess of S over T, standardised
//!   by the panel members' excesses over S (how close unrelated models come
//!   to the student);
//! - `<family>.z_cohort`: the same excess standardised by the panel
//!   members' excesses over T (how close unrelated models come to the
//!   candidate; the Z-norm of speaker verification, see
//!   [`super::analysis::Norms`]);
//! - `refusal.template_excess`: the share of S's refusals opening with a
//!   template T also uses, minus the panel's share
//!   ([`super::templates`]);
//! - `identity.claim_excess`: the share of S's responses claiming T's
//!   identity minus the largest share among the panel
//!   ([`super::identity::section_with_scores`]).
//!
//! Families are `style`, `content`, `near_duplicate` and `combined`. Which
//! of these a calibration uses is recorded in the calibration file; content
//! enters as a covariate (a shared base model raises it) and the fitted
//! weights say how it moves the likelihood ratio.

use std::collections::BTreeMap;

use super::analysis::Norms;
use crate::report::schema::{Candidate, FamilyResult, TemplateInheritance};

/// Name of the identity pair score.
pub const IDENTITY: &str = "identity.claim_excess";

/// `<family>.excess` for every family of the candidate, and
/// `<family>.z_panel` and `<family>.z_cohort` for every family with norms.
pub fn from_evidence(
    norms: &BTreeMap<String, Norms>,
    families: &BTreeMap<String, FamilyResult>,
) -> BTreeMap<String, f64> {
    let mut out = BTreeMap::new();
    for (family, r) in families {
        out.insert(format!("{family}.excess"), round(r.excess.estimate));
    }
    for (family, n) in norms {
        out.insert(format!("{family}.z_panel"), round(n.z_panel));
        out.insert(format!("{family}.z_cohort"), round(n.z_cohort));
    }
    out
}

/// Add the identity score of each candidate, given in `names` order.
pub fn add_identity(candidates: &mut [Candidate], names: &[String], scores: &[f64]) {
    for c in candidates.iter_mut() {
        if let Some(i) = names.iter().position(|n| *n == c.name) {
            c.pair_scores.insert(IDENTITY.to_string(), round(scores[i]));
        }
    }
}

/// Name of the refusal-template pair score.
pub const TEMPLATES: &str = "refusal.template_excess";

/// Add each candidate's refusal-template inheritance excess
/// ([`super::templates`]).
pub fn add_templates(candidates: &mut [Candidate], t: &[TemplateInheritance]) {
    for c in candidates.iter_mut() {
        if let Some(x) = t.iter().find(|x| x.candidate == c.name) {
            c.pair_scores.insert(TEMPLATES.to_string(), round(x.excess));
        }
    }
}

/// Twelve significant digits: the scores are reported and re-read by
/// `calibrate`, and the last bits of a sum of many floats carry no
/// evidence but would make the JSON noisy.
fn round(x: f64) -> f64 {
    if x == 0.0 || !x.is_finite() {
        return 0.0;
    }
    let digits = 12 - x.abs().log10().ceil() as i32;
    let f = 10f64.powi(digits.clamp(-300, 300));
    (x * f).round() / f
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scores_are_named_by_family() {
        let mut n = BTreeMap::new();
        n.insert(
            "style".to_string(),
            Norms {
                z_panel: 1.5,
                z_cohort: -0.25,
            },
        );
        let s = from_evidence(&n, &BTreeMap::new());
        assert_eq!(s["style.z_panel"], 1.5);
        assert_eq!(s["style.z_cohort"], -0.25);
        assert_eq!(s.len(), 2);
    }

    #[test]
    fn rounding_keeps_twelve_digits() {
        assert_eq!(round(1.0 / 3.0), 0.333333333333);
        assert_eq!(round(0.0), 0.0);
        assert_eq!(round(f64::NAN), 0.0);
    }
}

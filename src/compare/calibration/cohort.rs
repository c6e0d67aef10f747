//! Per-candidate normalisation of pair scores by the candidate's cohort of
//! known unrelated students (Z-norm; Auckenthaler, Carey & Lloyd-Thomas
//! 2000, "Score normalization for text-independent speaker verification
//! systems", Digital Signal Processing 10:42–54).
//!
//! Some candidates resemble many models: a chat model whose base weights
//! many students share scores as high with its unrelated students as an
//! API teacher does with its distilled ones. Speaker verification meets the
//! same problem and measures each target's scores against its own cohort of
//! non-target trials. Here the cohort of candidate T is the set of known
//! unrelated (H2) students compared with T: each pair score is replaced by
//! `(x − mean) / sd` over that cohort. A candidate with too small a cohort,
//! or one the calibration has not seen, is normalised by the pooled cohort
//! of every candidate.

use serde::{Deserialize, Serialize};

use super::fit::Case;
use super::labels::PairLabel;

/// Smallest cohort used on its own; smaller ones use the pooled cohort.
pub const MIN_COHORT: usize = 5;

/// Mean and standard deviation of each pair score over one cohort.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Cohort {
    /// Candidate name ("*" for the pooled cohort).
    pub candidate: String,
    /// SHA-256 of the candidate's dataset (empty for the pooled cohort):
    /// how a comparison's candidate is matched to its cohort.
    pub sha256: String,
    pub pairs: usize,
    pub mean: Vec<f64>,
    pub sd: Vec<f64>,
}

impl Cohort {
    /// The normalised scores.
    pub fn normalise(&self, x: &[f64]) -> Vec<f64> {
        x.iter()
            .zip(self.mean.iter().zip(&self.sd))
            .map(|(v, (m, s))| (v - m) / s)
            .collect()
    }
}

/// Every candidate's cohort and the pooled one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Cohorts {
    pub candidates: Vec<Cohort>,
    pub pooled: Cohort,
}

impl Cohorts {
    /// Cohorts of the H2 cases among `cases`; `sha` gives a candidate's
    /// dataset hash.
    pub fn fit(cases: &[&Case], sha: &dyn Fn(&str) -> String) -> Cohorts {
        let h2: Vec<&Case> = cases
            .iter()
            .copied()
            .filter(|c| c.label == PairLabel::H2)
            .collect();
        let mut names: Vec<&str> = h2.iter().map(|c| c.candidate.as_str()).collect();
        names.sort_unstable();
        names.dedup();
        let candidates = names
            .into_iter()
            .map(|n| {
                let mine: Vec<&Case> = h2.iter().copied().filter(|c| c.candidate == n).collect();
                stats(n, sha(n), &mine)
            })
            .filter(|c| c.pairs >= MIN_COHORT)
            .collect();
        Cohorts {
            candidates,
            pooled: stats("*", String::new(), &h2),
        }
    }

    /// The cohort of a candidate, by dataset hash, else by name when no
    /// hash is known, else the pooled one.
    pub fn of(&self, name: &str, sha256: Option<&str>) -> &Cohort {
        let found = match sha256 {
            Some(h) => self.candidates.iter().find(|c| c.sha256 == h),
            None => self.candidates.iter().find(|c| c.candidate == name),
        };
        found.unwrap_or(&self.pooled)
    }
}

fn stats(name: &str, sha256: String, cases: &[&Case]) -> Cohort {
    let d = cases.first().map_or(0, |c| c.scores.len());
    let n = cases.len().max(1) as f64;
    let mean: Vec<f64> = (0..d)
        .map(|j| cases.iter().map(|c| c.scores[j]).sum::<f64>() / n)
        .collect();
    let sd = (0..d)
        .map(|j| {
            let v = cases
                .iter()
                .map(|c| (c.scores[j] - mean[j]).powi(2))
                .sum::<f64>()
                / (n - 1.0).max(1.0);
            // A cohort without spread leaves the score unscaled.
            if v > 1e-24 {
                v.sqrt()
            } else {
                1.0
            }
        })
        .collect();
    Cohort {
        candidate: name.to_string(),
        sha256,
        pairs: cases.len(),
        mean,
        sd,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn case(candidate: &str, label: PairLabel, x: f64) -> Case {
        Case {
            student: 0,
            candidate: candidate.into(),
            label,
            scores: vec![x],
        }
    }

    #[test]
    fn each_candidate_is_measured_against_its_own_unrelated_students() {
        let mut cases = Vec::new();
        for i in 0..6 {
            cases.push(case("base", PairLabel::H2, 0.05 + 0.01 * i as f64));
            cases.push(case("api", PairLabel::H2, -0.03 + 0.01 * i as f64));
        }
        cases.push(case("api", PairLabel::H1, 0.06));
        cases.push(case("rare", PairLabel::H2, 0.0));
        let refs: Vec<&Case> = cases.iter().collect();
        let c = Cohorts::fit(&refs, &|n| format!("sha-{n}"));
        // The same raw score is unremarkable for "base", high for "api".
        let x = [0.075];
        assert!(c.of("base", Some("sha-base")).normalise(&x)[0].abs() < 1e-9);
        assert!(c.of("api", Some("sha-api")).normalise(&x)[0] > 3.0);
        // Too few unrelated students: the pooled cohort.
        assert_eq!(c.of("rare", Some("sha-rare")).candidate, "*");
        assert_eq!(c.of("x", None).candidate, "*");
    }
}

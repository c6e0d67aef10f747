//! The calibration file: a documented, versioned serde struct
//! (docs/report-schema.md, "Calibration file").

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::input::InputError;
use crate::report::schema::Tool;
use crate::stats::logistic::Fit;

use super::cohort::Cohorts;

/// Version of the calibration file layout.
pub const CALIBRATION_SCHEMA: &str = "calibration-1.0";

/// Largest calibration file accepted.
const MAX_BYTES: u64 = 16 << 20;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Calibration {
    pub schema_version: String,
    pub tool: Tool,
    /// The method, in words.
    pub method: String,
    /// Pair scores used, in the order of `weights`.
    pub features: Vec<String>,
    /// Each candidate's cohort of known unrelated students: the scores
    /// are normalised by it before the weights apply.
    pub cohorts: Cohorts,
    /// Standardisation of each feature before the weights apply.
    pub mean: Vec<f64>,
    pub scale: Vec<f64>,
    /// Logistic-regression weights (natural-log units) and intercept.
    pub weights: Vec<f64>,
    pub intercept: f64,
    /// L2 penalty of the fit.
    pub lambda: f64,
    /// Empirical lower and upper bounds on log10 LR (ELUB).
    pub log10_lr_bounds: [f64; 2],
    /// The decision threshold: `distilled-from` needs a bounded log10 LR
    /// at least this large.
    pub decision_log10_lr: f64,
    pub validation: Validation,
    pub fitted_on: FittedOn,
    pub applies_to: AppliesTo,
}

/// Validation by leave-one-model-out.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Validation {
    /// "leave-one-model-out": every student's pairs are scored by a model
    /// fitted without that student.
    pub method: String,
    pub models: usize,
    /// Known (student, candidate) pairs: trained on the candidate's outputs
    /// (H1) or not (H2); related pairs (same vendor) are left out.
    pub h1_pairs: usize,
    pub h2_pairs: usize,
    pub related_pairs_excluded: usize,
    pub cllr: f64,
    pub cllr_min: f64,
    pub eer: f64,
    pub misleading_h1: f64,
    pub misleading_h2: f64,
    /// Cllr of the model fitted on all cases, on those same cases
    /// (optimistic; reported beside, never instead of, the figures above).
    pub cllr_in_sample: f64,
    /// Per student at the decision threshold, cross-validated.
    pub students_h1: usize,
    pub top1: usize,
    pub recall: usize,
    pub students_h2: usize,
    /// Students without a distillation pair whose verdict names a
    /// candidate.
    pub false_positives: usize,
    /// Students with a distillation pair whose verdict names an unrelated
    /// candidate.
    pub misattributed: usize,
    /// Every pair with its cross-validated log10 LR.
    pub pairs: Vec<PairOutcome>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PairOutcome {
    pub student: String,
    pub candidate: String,
    /// "h1", "h2" or "related".
    pub label: String,
    pub log10_lr: f64,
    pub scores: Vec<f64>,
}

/// What the calibration was fitted on: hashes only, never the data.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FittedOn {
    pub labels: Vec<Hashed>,
    pub students: Vec<Hashed>,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Hashed {
    pub name: String,
    pub sha256: String,
}

/// The comparisons the calibration applies to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AppliesTo {
    /// Probes answered by every panel model, and the SHA-256 of their
    /// sorted keys (see [`super::apply::probe_set`]).
    pub probes: usize,
    pub probe_set_sha256: String,
    /// The reference panel, by content.
    pub panel: Vec<Hashed>,
    /// The candidates of the known cases (others are allowed: the pair
    /// scores are relative to the panel, not to a candidate).
    pub candidates: Vec<Hashed>,
}

impl Calibration {
    /// The fitted model.
    pub fn fit(&self) -> Fit {
        Fit {
            mean: self.mean.clone(),
            scale: self.scale.clone(),
            weights: self.weights.clone(),
            intercept: self.intercept,
            iterations: 0,
        }
    }

    /// log10 LR of a candidate's vector of pair scores, unbounded; the
    /// candidate's cohort is found by its dataset's SHA-256.
    pub fn log10_lr(&self, candidate: &str, sha256: Option<&str>, scores: &[f64]) -> f64 {
        let x = self.cohorts.of(candidate, sha256).normalise(scores);
        self.fit().ln_lr(&x) / std::f64::consts::LN_10
    }

    /// Read a calibration file, with a size cap and a check of its shape;
    /// returns it with the SHA-256 of its bytes.
    pub fn load(path: &Path) -> Result<(Calibration, String), InputError> {
        let too_big = || InputError::Limit {
            path: path.to_path_buf(),
            line: None,
            limit: "max_calibration_bytes",
            value: MAX_BYTES,
        };
        let bytes = crate::input::read_at_most(path, MAX_BYTES)
            .map_err(|source| InputError::Io {
                path: path.to_path_buf(),
                source,
            })?
            .ok_or_else(too_big)?;
        let c: Calibration = serde_json::from_slice(&bytes).map_err(|e| InputError::Json {
            path: path.to_path_buf(),
            line: e.line() as u64,
            message: e.to_string(),
        })?;
        c.check(path)?;
        Ok((c, crate::input::hash::sha256_hex(&bytes)))
    }

    fn check(&self, path: &Path) -> Result<(), InputError> {
        let bad = |field: &str, expected: &'static str, found: String| InputError::Field {
            path: path.to_path_buf(),
            line: 1,
            field: field.to_string(),
            expected,
            found,
        };
        if self.schema_version != CALIBRATION_SCHEMA {
            return Err(bad(
                "schema_version",
                CALIBRATION_SCHEMA,
                self.schema_version.clone(),
            ));
        }
        let d = self.features.len();
        for (name, v) in [
            ("mean", &self.mean),
            ("scale", &self.scale),
            ("weights", &self.weights),
        ] {
            if v.len() != d {
                return Err(bad(name, "one value per feature", format!("{}", v.len())));
            }
            if v.iter().any(|x| !x.is_finite()) {
                return Err(bad(name, "finite numbers", "a non-finite value".into()));
            }
        }
        let cohorts = self.cohorts.candidates.iter().chain([&self.cohorts.pooled]);
        for c in cohorts {
            if c.mean.len() != d || c.sd.len() != d {
                return Err(bad(
                    "cohorts",
                    "one mean and sd per feature",
                    c.candidate.clone(),
                ));
            }
            if c.mean.iter().chain(&c.sd).any(|x| !x.is_finite()) || c.sd.iter().any(|&s| s <= 0.0)
            {
                return Err(bad(
                    "cohorts",
                    "finite means and positive sds",
                    c.candidate.clone(),
                ));
            }
        }
        if self.scale.iter().any(|&s| s <= 0.0) {
            return Err(bad("scale", "positive numbers", "zero or less".into()));
        }
        let [lo, hi] = self.log10_lr_bounds;
        if !(lo <= 0.0 && hi >= 0.0 && lo.is_finite() && hi.is_finite()) {
            return Err(bad(
                "log10_lr_bounds",
                "[lower <= 0, upper >= 0]",
                format!("[{lo}, {hi}]"),
            ));
        }
        if !self.intercept.is_finite() || !self.decision_log10_lr.is_finite() {
            return Err(bad(
                "intercept",
                "finite numbers",
                "a non-finite value".into(),
            ));
        }
        Ok(())
    }
}

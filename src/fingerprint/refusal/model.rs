//! The learned refusal model: multinomial logistic regression over the
//! interpretable features ([`super::features`]), shipped in the binary as
//! `models/refusal-v1.json`.
//!
//! The file carries everything needed to audit it: the feature names, the
//! standardisation (mean and scale of each feature on the training rows),
//! the weights per class on standardised features (class 0, compliance, is
//! the reference with zero weights), the SHA-256 of every training file,
//! and the leave-one-file-out and in-sample accuracies measured when it
//! was fitted. `scripts/train-refusal.sh` rebuilds it byte for byte.

use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

use super::features::{N, NAMES};

/// Classes in model order: the index of each [`super::RefusalLabel`].
pub const CLASSES: [&str; 3] = ["full_compliance", "full_refusal", "partial_refusal"];

/// The shipped model file.
pub static SHIPPED: &str = include_str!("../../../models/refusal-v1.json");

/// A model file, as written by the trainer ([`super::train`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelFile {
    /// `"lineage-refusal-model"`.
    pub format: String,
    /// Model name, e.g. `refusal-v1`.
    pub name: String,
    /// Method and fitting details, in words.
    pub method: String,
    pub classes: Vec<String>,
    pub features: Vec<String>,
    /// Mean of each feature over the training rows.
    pub mean: Vec<f64>,
    /// Standard deviation of each feature (1 where it is constant).
    pub scale: Vec<f64>,
    /// Intercept per class.
    pub intercept: Vec<f64>,
    /// Weights per class on standardised features (`[class][feature]`).
    pub weights: Vec<Vec<f64>>,
    /// L2 penalty (on the summed log-loss scale).
    pub lambda: f64,
    /// Newton iterations of the final fit.
    pub iterations: usize,
    /// The training files (name, SHA-256, rows), never their text.
    pub training: Vec<TrainingFile>,
    /// Accuracy with each file left out of the fit, then in-sample.
    pub figures: Figures,
    /// The command that wrote this file.
    pub command: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrainingFile {
    pub file: String,
    pub sha256: String,
    pub rows: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Figures {
    pub leave_one_file_out: Vec<FileFigure>,
    pub in_sample: Vec<FileFigure>,
}

/// Accuracy on one file against its human labels.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FileFigure {
    pub file: String,
    pub rows: usize,
    /// Three-way accuracy (compliance, full refusal, partial refusal).
    pub accuracy_3way: f64,
    /// Compliance versus refusal of either kind.
    pub accuracy_binary: f64,
}

/// A model ready for inference: weights folded onto raw features.
#[derive(Debug, Clone)]
pub struct Compiled {
    mean: [f64; N],
    scale: [f64; N],
    /// Standardised weights, `[class][feature]`.
    wz: [[f64; N]; 3],
    /// Raw-feature weights and intercepts.
    w: [[f64; N]; 3],
    b: [f64; 3],
}

impl Compiled {
    /// Checks a model file against the code's features and classes.
    pub fn new(m: &ModelFile) -> Result<Compiled, String> {
        if m.features != NAMES {
            return Err(format!(
                "model {} was trained on other features than this build computes; retrain it",
                m.name
            ));
        }
        if m.classes != CLASSES || m.weights.len() != 3 || m.intercept.len() != 3 {
            return Err(format!(
                "model {}: expected the classes {CLASSES:?}",
                m.name
            ));
        }
        let arr = |v: &[f64], what: &str| -> Result<[f64; N], String> {
            <[f64; N]>::try_from(v).map_err(|_| format!("model {}: {what} length", m.name))
        };
        let (mean, scale) = (arr(&m.mean, "mean")?, arr(&m.scale, "scale")?);
        let mut wz = [[0.0; N]; 3];
        let mut w = [[0.0; N]; 3];
        let mut b = [0.0; 3];
        for c in 0..3 {
            wz[c] = arr(&m.weights[c], "weights")?;
            b[c] = m.intercept[c];
            for k in 0..N {
                w[c][k] = wz[c][k] / scale[k];
                b[c] -= w[c][k] * mean[k];
            }
        }
        Ok(Compiled {
            mean,
            scale,
            wz,
            w,
            b,
        })
    }

    /// Class probabilities (softmax of the linear scores).
    pub fn probabilities(&self, x: &[f64; N]) -> [f64; 3] {
        let mut s = self.b;
        for (sc, wc) in s.iter_mut().zip(&self.w) {
            *sc += wc.iter().zip(x).map(|(w, x)| w * x).sum::<f64>();
        }
        softmax(s)
    }

    /// The features that pushed most towards `class` (against the average
    /// class), strongest first; "" pads when fewer than three push towards it.
    pub fn reasons(&self, x: &[f64; N], class: usize) -> [&'static str; 3] {
        let mut c: Vec<(f64, usize)> = (0..N)
            .map(|k| {
                let z = (x[k] - self.mean[k]) / self.scale[k];
                let avg = (self.wz[0][k] + self.wz[1][k] + self.wz[2][k]) / 3.0;
                ((self.wz[class][k] - avg) * z, k)
            })
            .filter(|(v, _)| *v > 0.0)
            .collect();
        c.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        let mut out = [""; 3];
        for (o, (_, k)) in out.iter_mut().zip(c) {
            *o = NAMES[k];
        }
        out
    }
}

/// Numerically stable softmax.
pub fn softmax<const K: usize>(s: [f64; K]) -> [f64; K] {
    let m = s.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let mut e = s.map(|v| (v - m).exp());
    let z: f64 = e.iter().sum();
    for v in &mut e {
        *v /= z;
    }
    e
}

/// The shipped model, parsed once.
pub fn shipped() -> &'static Compiled {
    static M: OnceLock<Compiled> = OnceLock::new();
    M.get_or_init(|| {
        let file: ModelFile = serde_json::from_str(SHIPPED).expect("shipped refusal model parses");
        Compiled::new(&file).expect("shipped refusal model matches the features")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shipped_model_loads_and_is_normalised() {
        let m = shipped();
        let p = m.probabilities(&[0.0; N]);
        assert!((p.iter().sum::<f64>() - 1.0).abs() < 1e-12);
        let file: ModelFile = serde_json::from_str(SHIPPED).unwrap();
        assert_eq!(file.figures.leave_one_file_out.len(), file.training.len());
    }

    #[test]
    fn softmax_is_stable() {
        let p = softmax([1000.0, 0.0, -1000.0]);
        assert_eq!(p[0], 1.0);
        assert!(p.iter().all(|v| v.is_finite()));
    }
}

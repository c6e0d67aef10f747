//! The `matrix` report (`matrix.json`, documented in docs/report-schema.md)
//! and its CSV rendering.

use std::collections::BTreeMap;

use serde::Serialize;

use super::tree::Merge;
use crate::report::schema::{Alignment, FamilyResult, Tool};

/// Version of the `matrix.json` layout.
pub const MATRIX_SCHEMA_VERSION: &str = "matrix-1.0";

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MatrixReport {
    pub schema_version: String,
    pub tool: Tool,
    pub parameters: MatrixParameters,
    pub inputs: Vec<MatrixInput>,
    pub alignment: Alignment,
    /// Analysed models: rows and columns of the matrices.
    pub models: Vec<String>,
    /// Calibration-only models.
    pub reference_panel: Vec<String>,
    /// Evidence families, `combined` included.
    pub families: Vec<String>,
    /// `excess[family][s][t]`: excess similarity of row model s to column
    /// model t, with all other models as the panel; null on the diagonal.
    pub excess: BTreeMap<String, Vec<Vec<Option<f64>>>>,
    /// Between-model (prediction-interval) p-value of each entry of `excess`.
    pub p_between_models: BTreeMap<String, Vec<Vec<Option<f64>>>>,
    /// Each analysed model's most likely teacher, with its evidence.
    pub teachers: Vec<TeacherEntry>,
    pub tree: Tree,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MatrixParameters {
    /// The settings `compare` reports, inlined in the JSON.
    #[serde(flatten)]
    pub common: crate::report::schema::Parameters,
    pub fingerprint_version: u32,
    /// Panel members tested at the probe level per family.
    pub rivals: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MatrixInput {
    pub name: String,
    /// "analysed" or "reference".
    pub role: String,
    pub path: String,
    pub format: String,
    pub sha256: String,
    /// Distinct probes in the file.
    pub probes: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TeacherEntry {
    pub model: String,
    /// The model with the largest style excess (the closest relative: the
    /// families are symmetric and do not tell teacher from student).
    pub teacher: Option<String>,
    pub runner_up: Option<String>,
    /// Style p (Holm) below alpha.
    pub significant: bool,
    pub p_value: f64,
    pub rivals_tested: usize,
    pub note: Option<String>,
    /// Evidence per family, as for a `compare` candidate.
    pub families: BTreeMap<String, FamilyResult>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Tree {
    pub method: String,
    /// Leaves left to right.
    pub order: Vec<String>,
    pub newick: String,
    pub merges: Vec<Merge>,
}

impl MatrixReport {
    pub fn to_json(&self) -> anyhow::Result<Vec<u8>> {
        let mut b = serde_json::to_vec_pretty(self)?;
        b.push(b'\n');
        Ok(b)
    }

    /// One row per ordered pair: excess and between-model p per family.
    pub fn to_csv(&self) -> anyhow::Result<Vec<u8>> {
        let mut w = csv::Writer::from_writer(Vec::new());
        let mut header = vec!["model".to_string(), "other".to_string()];
        for f in &self.families {
            header.push(format!("{f}_excess"));
            header.push(format!("{f}_p_between_models"));
        }
        w.write_record(&header)?;
        let num = |x: Option<f64>| x.map(|v| format!("{v}")).unwrap_or_default();
        for (s, a) in self.models.iter().enumerate() {
            for (t, b) in self.models.iter().enumerate().filter(|(t, _)| *t != s) {
                let mut row = vec![a.clone(), b.clone()];
                for f in &self.families {
                    row.push(num(self.excess[f][s][t]));
                    row.push(num(self.p_between_models[f][s][t]));
                }
                w.write_record(&row)?;
            }
        }
        Ok(w.into_inner()?)
    }
}

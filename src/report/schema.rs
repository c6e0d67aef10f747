//! The `compare` report: a documented, versioned serde struct.
//!
//! Field by field documentation lives in docs/report-schema.md; scripts rely
//! on it, so fields may be added but the contract fields are never renamed
//! or removed without bumping [`SCHEMA_VERSION`].

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// Version of the report layout.
pub const SCHEMA_VERSION: &str = "1.0";

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    pub schema_version: String,
    pub tool: Tool,
    pub parameters: Parameters,
    pub inputs: Vec<InputEntry>,
    pub alignment: Alignment,
    pub student: String,
    pub reference_panel: Vec<String>,
    pub candidates: Vec<Candidate>,
    /// Test of whether the top-ranked candidate is ahead of the second.
    pub ranking: Option<RankingTest>,
    pub verdict: Verdict,
    /// Probes where S and the top candidate agree most distinctively.
    pub exhibits: Vec<Exhibit>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Tool {
    pub name: String,
    pub version: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Parameters {
    pub seed: u64,
    pub alpha: f64,
    pub resamples: usize,
    pub bootstrap: usize,
    pub confidence: f64,
    pub format: Option<String>,
    pub extractors: Vec<String>,
    /// Weight of each family in the combined score used for ranking.
    pub family_weights: BTreeMap<String, f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InputEntry {
    pub name: String,
    /// "student", "candidate" or "reference".
    pub role: String,
    pub path: String,
    pub format: String,
    pub sha256: String,
    pub records: usize,
    pub probes: usize,
    pub missing: usize,
    pub duplicated: usize,
    pub empty: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Alignment {
    /// "probe_id" or "prompt_hash".
    pub by: String,
    /// Probes answered (non-empty) by every model: the analysed set.
    pub probes_analysed: usize,
    /// Probes of the union left out because a model lacked a response.
    pub probes_excluded: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Estimate {
    pub estimate: f64,
    pub ci_low: f64,
    pub ci_high: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FamilyResult {
    /// Mean raw similarity of S and T.
    pub similarity: f64,
    /// Mean raw similarity of S to the panel.
    pub panel_similarity: f64,
    /// Hubness-corrected excess similarity with bootstrap CI.
    pub excess: Estimate,
    /// Excess standardised by its per-probe standard deviation (Cohen's d_z).
    pub effect_size: f64,
    /// Max over panel members of the one-sided sign-flip p-value.
    pub p_value: f64,
    /// Holm-adjusted across families for this candidate.
    pub p_holm: f64,
    /// Panel member against which the test was weakest.
    pub hardest_reference: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Candidate {
    pub name: String,
    pub rank: usize,
    pub p_value: f64,
    pub significant: bool,
    pub excess_similarity: Estimate,
    pub families: BTreeMap<String, FamilyResult>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RankingTest {
    pub first: String,
    pub second: String,
    pub difference: Estimate,
    pub p_value: f64,
    pub significant: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Verdict {
    /// "distilled-from", "no-evidence" or "inconclusive".
    pub label: String,
    pub teacher: Option<String>,
    pub alpha: f64,
    pub rule: String,
    /// Plain-language reason for this outcome.
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Exhibit {
    pub probe: String,
    pub prompt: String,
    pub student: String,
    pub teacher: String,
    /// S–T similarity minus the highest S–panel similarity on this probe.
    pub margin: f64,
}

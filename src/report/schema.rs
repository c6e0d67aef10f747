//! The `compare` report: a documented, versioned serde struct.
//!
//! Field by field documentation lives in docs/report-schema.md; scripts rely
//! on it, so fields may be added but the contract fields are never renamed
//! or removed without bumping [`SCHEMA_VERSION`].

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// Version of the report layout.
pub const SCHEMA_VERSION: &str = "1.1";

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
    /// Refusal behaviour of every model (absent in reports written before
    /// it was added).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refusal: Option<RefusalSection>,
    /// Self-identification claims of every model (absent in reports written
    /// before it was added).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub identity: Option<IdentitySection>,
    /// Output-distribution evidence from score files (`--scores`); absent
    /// when none were given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub distribution: Option<DistributionSection>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Tool {
    pub name: String,
    pub version: String,
    /// Git commit of the build (`-dirty` when built from a modified tree,
    /// `unknown` outside a checkout).
    #[serde(default)]
    pub git_commit: String,
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
    /// Reading options given for the inputs (question file, turns,
    /// columns); absent when none was.
    #[serde(default, skip_serializing_if = "crate::input::ReadOptions::is_default")]
    pub read_options: crate::input::ReadOptions,
    /// Sign-flip tests stop after this many resamples reach the observed
    /// statistic (Besag & Clifford 1991); absent when every test draws
    /// `resamples`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stop_after_exceedances: Option<usize>,
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
    /// Probe-level part of `p_value`: max over panel models of the sign-flip
    /// (or bootstrap) p-value. Absent where not computed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub p_probes: Option<f64>,
    /// Between-model part of `p_value`: prediction-interval p-value of the
    /// candidate's excess against the panel members' excesses.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub p_between_models: Option<f64>,
    /// Sign-flip resamples actually drawn, summed over the panel models'
    /// tests (sequential stopping; absent where no sign-flip test ran).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resamples_drawn: Option<usize>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Candidate {
    pub name: String,
    pub rank: usize,
    pub p_value: f64,
    pub significant: bool,
    pub excess_similarity: Estimate,
    pub families: BTreeMap<String, FamilyResult>,
    /// The fixed, scale-free evidence vector of this (student, candidate)
    /// pair that a calibration maps to a likelihood ratio
    /// (`compare::pairscore`; names in docs/report-schema.md).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub pair_scores: BTreeMap<String, f64>,
    /// The calibrated likelihood ratio (`compare --calibration`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub calibrated: Option<CalibratedEvidence>,
}

/// A likelihood ratio for "S was trained on T's outputs" against "S was
/// not", from a calibration fitted on cases of known origin.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CalibratedEvidence {
    /// log10 of the likelihood ratio as the calibration computes it.
    pub log10_lr_raw: f64,
    /// `log10_lr_raw` limited to the bounds below: the figure to report.
    pub log10_lr: f64,
    /// Empirical lower and upper bounds (log10) that the number of known
    /// cases of the calibration supports.
    pub log10_lr_bounds: [f64; 2],
    /// Verbal equivalent of `log10_lr` on the scale of the calibration.
    pub verbal: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RankingTest {
    pub first: String,
    pub second: String,
    pub difference: Estimate,
    pub p_value: f64,
    pub significant: bool,
    /// Sign-flip resamples actually drawn (sequential stopping).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resamples_drawn: Option<usize>,
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

/// Refusal behaviour on the analysed probes (classifier:
/// `fingerprint::refusal`), and the inputs of the `refusal` family.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RefusalSection {
    /// Probes classified per model: the analysed set.
    pub probes: usize,
    /// Probes on which the reference panel splits (refusal-family weight
    /// `4·q·(1−q)` above 0, q = the panel's refusal rate on the probe).
    pub contested_probes: usize,
    /// Contested probes needed before the `refusal` family is tested.
    pub min_contested: usize,
    /// Why the `refusal` family carries no evidence, when it does not.
    pub note: Option<String>,
    /// One entry per model: student, candidates, then the panel.
    pub models: Vec<RefusalModel>,
    /// Refusal-template inheritance of the student from each candidate, in
    /// candidate order (`compare::templates`; schema 1.1, empty in older
    /// reports).
    #[serde(default)]
    pub template_inheritance: Vec<TemplateInheritance>,
}

/// Does the student refuse in the candidate's words (normalised opening
/// phrasing) more than in the panel's?
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TemplateInheritance {
    pub candidate: String,
    /// Student refusals (full or partial) whose opening is a template.
    pub student_refusals: usize,
    /// Share of those refusals whose template the candidate also uses.
    pub shared_rate: f64,
    /// The same share averaged over the panel models.
    pub panel_shared_rate: f64,
    /// `shared_rate − panel_shared_rate`: the pair score.
    pub excess: f64,
    /// Largest over panel models of the one-sided sign-flip p-value over
    /// the student's refusals (1 when untested).
    pub p_value: f64,
    /// The panel model behind `p_value`.
    pub hardest_reference: Option<String>,
    /// Templates the student and the candidate share, least common in the
    /// panel first.
    pub exhibits: Vec<SharedTemplate>,
}

/// One shared refusal template, quoted.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SharedTemplate {
    /// The normalised opening, e.g. `i apologize but i do not`.
    pub template: String,
    /// Student refusals that open with it.
    pub student: usize,
    /// Candidate refusals that open with it.
    pub candidate: usize,
    /// Panel models that use it at least once.
    pub panel_models: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RefusalModel {
    pub name: String,
    /// "student", "candidate" or "reference".
    pub role: String,
    pub full_compliance: usize,
    pub full_refusal: usize,
    pub partial_refusal: usize,
    /// (full + partial refusals) / probes.
    pub refusal_rate: f64,
    /// Refusal template families of the refusing (full or partial)
    /// responses, with counts.
    pub templates: BTreeMap<String, usize>,
    /// Refusal rate per probe category (empty when probes carry none).
    pub categories: BTreeMap<String, CategoryRefusal>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CategoryRefusal {
    pub probes: usize,
    /// Full or partial refusals.
    pub refused: usize,
    pub rate: f64,
}

/// Self-identification claims (`fingerprint::identity`) on the analysed
/// probes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IdentitySection {
    /// One entry per model: student, candidates, then the panel.
    pub models: Vec<IdentityModel>,
    /// One sentence: what S claims to be, and how often the candidates and
    /// the panel make the same claims.
    pub summary: String,
    /// True when S claims a candidate's identity that is not S's own, more
    /// often than any reference model does.
    pub directional: bool,
    /// The candidates whose identity S claims (when `directional`).
    pub toward: Vec<String>,
    /// Why `directional` is true or false, with the counts.
    pub explanation: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IdentityModel {
    pub name: String,
    /// "student", "candidate" or "reference".
    pub role: String,
    /// Responses analysed.
    pub responses: usize,
    /// Responses naming a model or an organisation as the speaker.
    pub claiming: usize,
    /// Responses with a bare "as an AI language model" and no name.
    pub generic: usize,
    /// Responses claiming each canonical name (a response counts once per
    /// name).
    pub claims: BTreeMap<String, usize>,
    /// The most frequently claimed name (ties: alphabetical), if any.
    pub top: Option<String>,
}

/// Output-distribution evidence (`compare::distribution`): what the
/// open-weight models think of each other's responses.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DistributionSection {
    /// Score records read, and records that could not take part (no probe
    /// id, responder or per-byte log-likelihood).
    pub records: usize,
    pub unusable_records: usize,
    /// Scorers and responders found in the score files.
    pub scorers: Vec<String>,
    pub responders: Vec<String>,
    /// Why distillation shows here and not in `lineage weights`.
    pub note: String,
    /// One entry per candidate, in candidate order.
    pub candidates: Vec<DistributionCandidate>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DistributionCandidate {
    pub name: String,
    /// Probes in the cross-likelihood family.
    pub cross_likelihood_probes: usize,
    /// Mean preference of each scorer (student, then panel) for the
    /// candidate's responses over the panel's: per-byte log-likelihood
    /// difference in nats per byte.
    pub preference: BTreeMap<String, f64>,
    /// Probes in the next-token-distribution family.
    pub jsd_probes: usize,
    /// Mean per-position Jensen–Shannon divergence (nats) of each scorer's
    /// top-K next-token distribution to the candidate's own, on the
    /// candidate's responses.
    pub jsd: BTreeMap<String, f64>,
    /// Rate at which each scorer's most likely next token is the
    /// candidate's, on the candidate's responses.
    pub top1_agreement: BTreeMap<String, f64>,
    /// Why a family is missing, when it is.
    pub notes: Vec<String>,
}

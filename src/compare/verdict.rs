//! Ranking and the decision rule.
//!
//! Candidates are ranked by the excess of their whole-profile stylometric
//! similarity to the student (the `profile` family, Cosine Delta). Within
//! each candidate the family p-values are Holm-adjusted. The rule (written
//! into every report, [`RULE`]) needs two independent style measurements,
//! the profile and the per-probe style fingerprint, to beat every panel
//! model: content similarity is reported but never decides, because it is
//! also explained by a shared base model or shared public data.

use crate::input::align::Corpus;
use crate::report::schema::{Candidate, Estimate, FamilyResult, RankingTest, Verdict};
use crate::stats::holm;

use super::analysis::{CandidateEvidence, Roles, COMBINED};
use super::profile::{basic_interval, PROFILE};
use super::CompareConfig;

/// The decision rule, verbatim in every report.
pub const RULE: &str = "Candidates are ranked by profile excess similarity (Cosine Delta of word-frequency \
profiles, minus its mean over the reference panel). distilled-from T when T is the top-ranked candidate AND, \
at level alpha after Holm correction across the evidence families, both the profile family and the per-probe \
style family show the student closer to T than to every reference-panel model (maximum p-value over the \
panel). no-evidence when no candidate meets both conditions. inconclusive without a reference panel, with \
fewer than 30 aligned probes, or when a lower-ranked candidate meets both conditions but the top-ranked \
one does not. Content and near-duplicate similarity are reported but never decide alone.";

/// Minimum number of aligned probes for a verdict.
pub const MIN_PROBES: usize = 30;

/// Families that must each reject on their own.
const REQUIRED: [&str; 2] = [PROFILE, "style"];

/// Outcome of the decision step.
pub struct Decided {
    pub candidates: Vec<Candidate>,
    pub ranking: Option<RankingTest>,
    pub verdict: Verdict,
    top: Option<usize>,
}

impl Decided {
    /// Corpus index of the top-ranked candidate.
    pub fn top_index(&self) -> Option<usize> {
        self.top
    }
}

/// Rank the candidates, test first against second, and decide.
pub fn decide(
    cfg: &CompareConfig,
    corpus: &Corpus,
    roles: &Roles,
    evidence: Vec<CandidateEvidence>,
) -> Decided {
    let mut cands: Vec<(usize, Candidate, Vec<f64>)> = roles
        .candidates
        .iter()
        .zip(evidence)
        .map(|(&t, ev)| {
            let c = candidate(&corpus.models[t], ev.families, cfg.alpha);
            (t, c, ev.profile_replicates)
        })
        .collect();
    cands.sort_by(|a, b| {
        b.1.excess_similarity
            .estimate
            .total_cmp(&a.1.excess_similarity.estimate)
            .then(a.0.cmp(&b.0))
    });
    for (rank, c) in cands.iter_mut().enumerate() {
        c.1.rank = rank + 1;
    }
    let ranking = (cands.len() >= 2 && !cands[0].2.is_empty())
        .then(|| ranking_test(&cands[0], &cands[1], cfg.alpha, cfg.confidence));
    let verdict = verdict(cfg, corpus, roles, &cands);
    Decided {
        top: cands.first().map(|c| c.0),
        candidates: cands.into_iter().map(|c| c.1).collect(),
        ranking,
        verdict,
    }
}

fn candidate(
    name: &str,
    mut families: std::collections::BTreeMap<String, FamilyResult>,
    alpha: f64,
) -> Candidate {
    let names: Vec<String> = families
        .keys()
        .filter(|k| *k != COMBINED)
        .cloned()
        .collect();
    let adjusted = holm::adjust(
        &names
            .iter()
            .map(|k| families[k].p_value)
            .collect::<Vec<_>>(),
    );
    for (k, p) in names.iter().zip(adjusted) {
        families.get_mut(k).expect("key from map").p_holm = p;
    }
    if let Some(c) = families.get_mut(COMBINED) {
        c.p_holm = c.p_value;
    }
    let rank_family = if families.contains_key(PROFILE) {
        PROFILE
    } else {
        COMBINED
    };
    let excess = families[rank_family].excess;
    // Intersection-union: the candidate's p-value is the largest of the
    // required families' adjusted p-values.
    let p = REQUIRED
        .iter()
        .map(|f| families.get(*f).map_or(1.0, |r| r.p_holm))
        .fold(0.0f64, f64::max);
    Candidate {
        name: name.to_string(),
        rank: 0,
        p_value: p,
        significant: p < alpha,
        excess_similarity: excess,
        families,
    }
}

/// Is the first candidate's profile similarity ahead of the second's?
/// Bootstrap percentile test on the paired replicates.
fn ranking_test(
    a: &(usize, Candidate, Vec<f64>),
    b: &(usize, Candidate, Vec<f64>),
    alpha: f64,
    confidence: f64,
) -> RankingTest {
    let mut d: Vec<f64> = a.2.iter().zip(&b.2).map(|(x, y)| x - y).collect();
    let estimate = a.1.families[PROFILE].similarity - b.1.families[PROFILE].similarity;
    let flips = d.iter().filter(|&&x| x <= 0.0).count();
    let p = (1 + flips) as f64 / (d.len() + 1) as f64;
    let (ci_low, ci_high) = basic_interval(estimate, &mut d, confidence);
    RankingTest {
        first: a.1.name.clone(),
        second: b.1.name.clone(),
        difference: Estimate {
            estimate,
            ci_low,
            ci_high,
        },
        p_value: p,
        significant: p < alpha,
    }
}

fn verdict(
    cfg: &CompareConfig,
    corpus: &Corpus,
    roles: &Roles,
    cands: &[(usize, Candidate, Vec<f64>)],
) -> Verdict {
    let v = |label: &str, teacher: Option<String>, reason: String| Verdict {
        label: label.to_string(),
        teacher,
        alpha: cfg.alpha,
        rule: RULE.to_string(),
        reason,
    };
    if roles.panel.is_empty() {
        return v("inconclusive", None, "no reference panel was given, so similarities cannot be calibrated; raw similarities are reported only".into());
    }
    if corpus.n_probes() < MIN_PROBES {
        return v(
            "inconclusive",
            None,
            format!(
                "only {} probes are answered by every model (at least {MIN_PROBES} needed)",
                corpus.n_probes()
            ),
        );
    }
    match cands.iter().position(|c| c.1.significant) {
        Some(0) => {
            let c = &cands[0].1;
            v("distilled-from", Some(c.name.clone()), format!(
                "{} is closer to {} than to every one of the {} reference models in both profile and per-probe style evidence (profile p (Holm) = {:.2e}, style p (Holm) = {:.2e}, alpha = {})",
                corpus.models[roles.student], c.name, roles.panel.len(),
                c.families[PROFILE].p_holm, c.families["style"].p_holm, cfg.alpha))
        }
        Some(i) => v("inconclusive", None, format!(
            "{} meets the rule but ranks {} behind {}, which does not", cands[i].1.name, i + 1, cands[0].1.name)),
        None => v("no-evidence", None, format!(
            "no candidate is closer to {} than every reference model in both profile and per-probe style evidence at alpha = {}; this is absence of evidence, not proof of independence",
            corpus.models[roles.student], cfg.alpha)),
    }
}

//! Ranking and the decision rule.
//!
//! Candidates are ranked by their per-probe `style` excess similarity, and
//! the same family decides: the student must be closer in style to the
//! top-ranked candidate than to every panel model, after Holm correction
//! across the families. Style is the topic-independent family; on the
//! development data it had the most power, and on simulated data with
//! shared bases the word-frequency `profile` followed the base model rather
//! than the teacher (see docs/benchmarks.md). Content similarity is reported but
//! never decides, because it is also explained by a shared base model or
//! shared public data. The rule is written into every report ([`RULE`]).

use crate::input::align::Corpus;
use crate::report::schema::{Candidate, Estimate, FamilyResult, RankingTest, Verdict};
use crate::stats::{bootstrap, holm, rng::stream, signflip};

use super::analysis::{CandidateEvidence, Resampling, Roles, COMBINED, RANK_FAMILY};
use super::CompareConfig;

/// The decision rule, verbatim in every report.
pub const RULE: &str = "Candidates are ranked by their per-probe style excess similarity (hubness-corrected, \
over the reference panel). distilled-from T when T is the top-ranked candidate AND, \
at level alpha after Holm correction across the evidence families, the per-probe style family shows the \
student closer to T than to every reference-panel model (one-sided sign-flip test, maximum p-value over the \
panel) and T's style excess lies outside the panel's between-model spread (prediction-interval test). no-evidence when no candidate meets that condition. inconclusive without a reference panel, with \
fewer than 30 aligned probes, or when a lower-ranked candidate meets the condition but the top-ranked one \
does not. Content, near-duplicate, refusal and profile p-values are reported but do not decide.";

/// Minimum number of aligned probes for a verdict.
pub const MIN_PROBES: usize = 30;

/// Families that must each reject on their own.
const REQUIRED: [&str; 1] = [RANK_FAMILY];

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

/// The decision rule when the `distribution` family decides.
pub const RULE_DISTRIBUTION: &str = "Candidates are ranked by the student's cross-likelihood excess: how much more per-byte \
likelihood the student gives the candidate's responses than the reference panel's responses, minus the same preference \
of the reference-panel models. distilled-from T when T is the top-ranked candidate AND, at level alpha after Holm \
correction across the evidence families, the distribution (cross-likelihood) family shows the student preferring T's \
responses more than every reference-panel model does (one-sided sign-flip test over probes, maximum p-value over the \
panel) and more than the panel's between-model spread allows (prediction-interval test). no-evidence when no candidate \
meets that condition. inconclusive without a reference panel, with fewer than 30 aligned probes, or when a lower-ranked \
candidate meets the condition but the top-ranked one does not. The text families and distribution_jsd are reported but \
do not decide.";

/// Rank the candidates, test first against second, and decide.
pub fn decide(
    cfg: &CompareConfig,
    corpus: &Corpus,
    roles: &Roles,
    evidence: Vec<CandidateEvidence>,
    rs: Resampling,
) -> Decided {
    decide_by(cfg, corpus, roles, evidence, rs, RANK_FAMILY)
}

/// [`decide`] with `family` ranking and deciding (`style`, or
/// `distribution` when every candidate has it).
pub fn decide_by(
    cfg: &CompareConfig,
    corpus: &Corpus,
    roles: &Roles,
    evidence: Vec<CandidateEvidence>,
    rs: Resampling,
    family: &'static str,
) -> Decided {
    let mut cands: Vec<(usize, Candidate, Vec<f64>)> = roles
        .candidates
        .iter()
        .zip(evidence)
        .map(|(&t, ev)| {
            let mut c = candidate(&corpus.models[t], ev.families, cfg.alpha, family);
            c.pair_scores = super::pairscore::from_evidence(&ev.norms, &c.families);
            (t, c, ev.rank_excess)
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
    let ranking = (cands.len() >= 2).then(|| ranking_test(&cands[0], &cands[1], cfg.alpha, rs));
    let verdict = verdict(cfg, corpus, roles, &cands, family);
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
    deciding: &str,
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
    let rank_family = if families.contains_key(deciding) {
        deciding
    } else {
        COMBINED
    };
    let excess = families[rank_family].excess;
    // Intersection-union: the candidate's p-value is the largest of the
    // required families' adjusted p-values.
    let required: &[&str] = if deciding == RANK_FAMILY {
        &REQUIRED
    } else {
        &[deciding]
    };
    let p = required
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
        pair_scores: Default::default(),
        calibrated: None,
    }
}

/// Is the first candidate ahead of the second? One-sided sign-flip test
/// on the per-probe difference of their style excess, with a bootstrap CI.
fn ranking_test(
    a: &(usize, Candidate, Vec<f64>),
    b: &(usize, Candidate, Vec<f64>),
    alpha: f64,
    rs: Resampling,
) -> RankingTest {
    let d: Vec<f64> = a.2.iter().zip(&b.2).map(|(x, y)| x - y).collect();
    let task = format!("ranking/{}/{}", a.1.name, b.1.name);
    let ci = bootstrap::mean_ci(
        &d,
        rs.bootstrap,
        rs.confidence,
        &mut stream(rs.seed, &format!("{task}/ci")),
    );
    let test = signflip::sequential(
        &d,
        rs.resamples,
        rs.stop_after(),
        &mut stream(rs.seed, &task),
    );
    let p = test.p;
    RankingTest {
        first: a.1.name.clone(),
        second: b.1.name.clone(),
        difference: Estimate {
            estimate: ci.estimate,
            ci_low: ci.ci_low,
            ci_high: ci.ci_high,
        },
        p_value: p,
        significant: p < alpha,
        resamples_drawn: Some(test.drawn),
    }
}

fn verdict(
    cfg: &CompareConfig,
    corpus: &Corpus,
    roles: &Roles,
    cands: &[(usize, Candidate, Vec<f64>)],
    family: &str,
) -> Verdict {
    let by_distribution = family != RANK_FAMILY;
    let v = |label: &str, teacher: Option<String>, reason: String| Verdict {
        label: label.to_string(),
        teacher,
        alpha: cfg.alpha,
        rule: if by_distribution {
            RULE_DISTRIBUTION
        } else {
            RULE
        }
        .to_string(),
        reason,
    };
    let (what, how) = if by_distribution {
        (
            "prefers its responses (cross-likelihood) more than",
            "distribution",
        )
    } else {
        ("is closer to it in style than to", "style")
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
                "{} is the top-ranked candidate and {} {what} every one of the {} reference models ({how} p (Holm) = {:.2e}, alpha = {})",
                c.name, corpus.models[roles.student], roles.panel.len(),
                c.families[family].p_holm, cfg.alpha))
        }
        Some(i) => v("inconclusive", None, format!(
            "{} meets the rule but ranks {} behind {}, which does not", cands[i].1.name, i + 1, cands[0].1.name)),
        None if by_distribution => v("no-evidence", None, format!(
            "{} does not prefer any candidate's responses more than every reference model does at alpha = {}; this is absence of evidence, not proof of independence",
            corpus.models[roles.student], cfg.alpha)),
        None => v("no-evidence", None, format!(
            "no candidate is closer in style to {} than every reference model at alpha = {}; this is absence of evidence, not proof of independence",
            corpus.models[roles.student], cfg.alpha)),
    }
}

//! Ranking and the decision rule.
//!
//! Candidates are ranked by their combined excess similarity. Within each
//! candidate the family p-values are Holm-adjusted. The rule (also written
//! into every report, [`RULE`]) needs the combined evidence *and* the style
//! family to beat every panel member, because content similarity alone is
//! also explained by a shared base model or shared public data.

use crate::input::align::Corpus;
use crate::report::schema::{Candidate, Estimate, RankingTest, Verdict};
use crate::stats::{bootstrap, holm, rng::stream, signflip};

use super::analysis::{CandidateEvidence, Resampling, Roles, COMBINED};
use super::CompareConfig;

/// The decision rule, verbatim in every report.
pub const RULE: &str = "distilled-from T when T is the top-ranked candidate by combined excess \
similarity AND, at level alpha, (1) the combined similarity of S to T exceeds its similarity to \
every reference-panel model (one-sided sign-flip test, maximum p over the panel) and (2) the style \
family does the same after Holm correction across families; no-evidence when no candidate meets \
(1) and (2); inconclusive without a reference panel, with fewer than 30 aligned probes, or when a \
lower-ranked candidate meets the rule but the top-ranked one does not.";

/// Minimum number of aligned probes for a verdict.
pub const MIN_PROBES: usize = 30;

/// The style family must reject on its own.
const REQUIRED_FAMILY: &str = "style";

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
    rs: Resampling,
) -> Decided {
    let mut cands: Vec<(usize, Candidate, Vec<f64>)> = roles
        .candidates
        .iter()
        .zip(evidence)
        .map(|(&t, ev)| (t, candidate(&corpus.models[t], ev.families, cfg.alpha), ev.combined_excess))
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
    mut families: std::collections::BTreeMap<String, crate::report::schema::FamilyResult>,
    alpha: f64,
) -> Candidate {
    let names: Vec<String> = families.keys().filter(|k| *k != COMBINED).cloned().collect();
    let adjusted = holm::adjust(&names.iter().map(|k| families[k].p_value).collect::<Vec<_>>());
    for (k, p) in names.iter().zip(adjusted) {
        families.get_mut(k).expect("key from map").p_holm = p;
    }
    let comb = families.get_mut(COMBINED).expect("combined family present");
    comb.p_holm = comb.p_value;
    let (p, excess) = (comb.p_value, comb.excess);
    let style_ok = families.get(REQUIRED_FAMILY).is_some_and(|f| f.p_holm < alpha);
    Candidate {
        name: name.to_string(),
        rank: 0,
        p_value: p,
        significant: p < alpha && style_ok,
        excess_similarity: excess,
        families,
    }
}

fn ranking_test(
    a: &(usize, Candidate, Vec<f64>),
    b: &(usize, Candidate, Vec<f64>),
    alpha: f64,
    rs: Resampling,
) -> RankingTest {
    let d: Vec<f64> = a.2.iter().zip(&b.2).map(|(x, y)| x - y).collect();
    let task = format!("ranking/{}/{}", a.1.name, b.1.name);
    let ci = bootstrap::mean_ci(&d, rs.bootstrap, rs.confidence, &mut stream(rs.seed, &format!("{task}/ci")));
    let p = signflip::p_value(&d, rs.resamples, &mut stream(rs.seed, &task));
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
        return v("inconclusive", None, format!("only {} probes are answered by every model (at least {MIN_PROBES} needed)", corpus.n_probes()));
    }
    match cands.iter().position(|c| c.1.significant) {
        Some(0) => {
            let c = &cands[0].1;
            v("distilled-from", Some(c.name.clone()), format!(
                "{} is closer to {} than to every one of the {} reference models in combined and style evidence (combined p = {:.2e}, style p (Holm) = {:.2e}, alpha = {})",
                corpus.models[roles.student], c.name, roles.panel.len(), c.p_value,
                c.families[REQUIRED_FAMILY].p_holm, cfg.alpha))
        }
        Some(i) => v("inconclusive", None, format!(
            "{} meets the rule but ranks {} behind {}, which does not", cands[i].1.name, i + 1, cands[0].1.name)),
        None => v("no-evidence", None, format!(
            "no candidate is closer to {} than every reference model in both combined and style evidence at alpha = {}; this is absence of evidence, not proof of independence",
            corpus.models[roles.student], cfg.alpha)),
    }
}

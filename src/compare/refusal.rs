//! The `refusal` family: does the student refuse the same prompts as a
//! candidate teacher, beyond what the reference panel explains?
//!
//! Every analysed response is classified by [`crate::fingerprint::refusal`]
//! and reduced to a binary decision: refuse (full or partial refusal) or
//! comply. Probes that every panel model treats alike say little about
//! lineage (everyone refuses a bomb recipe, nobody refuses a cake recipe),
//! so each probe is weighted by how much the panel splits on it:
//! `w = 4·q·(1−q)`, q = the panel's refusal rate on the probe (1 for an
//! even split, 0 when the panel is unanimous). Only *contested* probes
//! (`w > 0`) enter the family.
//!
//! Agreement is Cohen's kappa with these item weights
//! ([`crate::stats::kappa`]): `similarity` = κ(S, T), `panel_similarity` =
//! the mean over panel models of κ(S, R_j), `excess` = their difference
//! with a percentile bootstrap interval over contested probes. The p-value
//! is the maximum over panel models of the bootstrap percentile p-value of
//! "κ(S, T) > κ(S, R_j)", `(1 + #{δ* ≤ 0}) / (B + 1)`, an
//! intersection-union test like the other families. A kappa that is
//! undefined (a model gives one decision on every contested probe) counts
//! as 0, i.e. no agreement beyond chance.
//!
//! The family is reported evidence: the decision rule never requires it.
//! With fewer than [`MIN_CONTESTED`] contested probes it is not tested
//! (p = 1, similarity 0) and the report's `refusal.note` says why.

use std::collections::BTreeMap;

use rayon::prelude::*;

use crate::fingerprint::refusal::{classify_with_prompt, Classification, RefusalLabel};
use crate::input::align::Corpus;
use crate::report::schema::{
    CategoryRefusal, Estimate, FamilyResult, RefusalModel, RefusalSection,
};
use crate::stats::bootstrap::quantile;
use crate::stats::kappa::{resample, Table};
use crate::stats::{mean, rng::stream, sd};

use super::analysis::{Resampling, Roles};

/// Name of the family in reports.
pub const REFUSAL: &str = "refusal";

/// Contested probes needed before the family is tested.
pub const MIN_CONTESTED: usize = 10;

/// Cap on bootstrap replicates (as for the profile family): 500 resolve
/// p-values down to 0.002.
pub const MAX_REPLICATES: usize = 500;

/// Classification of every analysed response: `[model][probe]`.
pub fn classify(corpus: &Corpus) -> Vec<Vec<Classification>> {
    corpus
        .texts
        .par_iter()
        .map(|texts| {
            texts
                .iter()
                .zip(&corpus.prompts)
                .map(|(r, p)| classify_with_prompt(p, r))
                .collect()
        })
        .collect()
}

/// Refuse (full or partial) or not.
pub fn refuses(c: &Classification) -> bool {
    c.label != RefusalLabel::FullCompliance
}

/// Per-probe weight `4·q·(1−q)` from the panel's refusal rate q (all zero
/// without a panel).
pub fn weights(refuse: &[Vec<bool>], panel: &[usize]) -> Vec<f64> {
    let n = refuse.first().map_or(0, Vec::len);
    if panel.is_empty() {
        return vec![0.0; n];
    }
    (0..n)
        .map(|p| {
            let q = panel.iter().filter(|&&r| refuse[r][p]).count() as f64 / panel.len() as f64;
            4.0 * q * (1.0 - q)
        })
        .collect()
}

/// The family's result for every candidate (in candidate order) and the
/// report's `refusal` section.
pub fn evaluate(
    corpus: &Corpus,
    roles: &Roles,
    classes: &[Vec<Classification>],
    rs: Resampling,
) -> (Vec<FamilyResult>, RefusalSection) {
    let refuse: Vec<Vec<bool>> = classes
        .iter()
        .map(|m| m.iter().map(refuses).collect())
        .collect();
    let w = weights(&refuse, &roles.panel);
    let contested: Vec<usize> = (0..w.len()).filter(|&p| w[p] > 0.0).collect();
    let note = untestable(&refuse, roles, contested.len());
    let results = roles
        .candidates
        .iter()
        .map(|&t| match note {
            Some(_) => uninformative(),
            None => candidate(&refuse, &w, &contested, roles, t, &corpus.models, rs),
        })
        .collect();
    let section = RefusalSection {
        probes: corpus.n_probes(),
        contested_probes: contested.len(),
        min_contested: MIN_CONTESTED,
        note,
        models: (0..corpus.n_models())
            .map(|m| model_summary(corpus, roles, m, &classes[m]))
            .collect(),
        template_inheritance: super::templates::evaluate(corpus, roles, classes, rs),
    };
    (results, section)
}

/// Why the family cannot be tested, if it cannot.
fn untestable(refuse: &[Vec<bool>], roles: &Roles, contested: usize) -> Option<String> {
    if roles.panel.is_empty() {
        return Some(
            "no reference panel, so no probe is contested; the refusal family is not tested".into(),
        );
    }
    if !refuse.iter().flatten().any(|&r| r) {
        return Some(
            "no model refuses any analysed probe; the refusal family is not tested".into(),
        );
    }
    if contested < MIN_CONTESTED {
        return Some(format!(
            "only {contested} probes split the reference panel (at least {MIN_CONTESTED} needed); \
             the refusal family is not tested"
        ));
    }
    None
}

fn uninformative() -> FamilyResult {
    FamilyResult {
        similarity: 0.0,
        panel_similarity: 0.0,
        excess: Estimate {
            estimate: 0.0,
            ci_low: 0.0,
            ci_high: 0.0,
        },
        effect_size: 0.0,
        p_value: 1.0,
        p_holm: 1.0,
        hardest_reference: None,
        p_probes: None,
        p_between_models: None,
        resamples_drawn: None,
    }
}

/// Kappa of models `a` and `b` on the contested probes `idx` (positions in
/// `contested`); undefined counts as 0.
fn kappa_on(
    refuse: &[Vec<bool>],
    w: &[f64],
    contested: &[usize],
    a: usize,
    b: usize,
    idx: &[usize],
) -> f64 {
    Table::of(
        &refuse[a],
        &refuse[b],
        Some(w),
        idx.iter().map(|&i| contested[i]),
    )
    .kappa()
    .unwrap_or(0.0)
}

fn candidate(
    refuse: &[Vec<bool>],
    w: &[f64],
    contested: &[usize],
    roles: &Roles,
    t: usize,
    names: &[String],
    rs: Resampling,
) -> FamilyResult {
    let s = roles.student;
    let all: Vec<usize> = (0..contested.len()).collect();
    let k = |b: usize, idx: &[usize]| kappa_on(refuse, w, contested, s, b, idx);
    let kt = k(t, &all);
    let kr: Vec<f64> = roles.panel.iter().map(|&r| k(r, &all)).collect();
    let estimate = kt - mean(&kr);

    let reps = rs.bootstrap.min(MAX_REPLICATES);
    let mut rng = stream(rs.seed, &format!("refusal/bootstrap/{}", names[t]));
    let mut excess = Vec::with_capacity(reps);
    let mut flips = vec![0usize; roles.panel.len()];
    for _ in 0..reps {
        let idx = resample(contested.len(), &mut rng);
        let bt = k(t, &idx);
        let br: Vec<f64> = roles.panel.iter().map(|&r| k(r, &idx)).collect();
        for (f, b) in flips.iter_mut().zip(&br) {
            if bt - b <= 0.0 {
                *f += 1;
            }
        }
        excess.push(bt - mean(&br));
    }
    let ps: Vec<f64> = flips
        .iter()
        .map(|&f| (1 + f) as f64 / (reps + 1) as f64)
        .collect();
    // The first panel model with the largest p-value.
    let worst = crate::stats::first_max(&ps);
    let se = sd(&excess);
    let (lo, hi) = if excess.is_empty() {
        (estimate, estimate)
    } else {
        excess.sort_by(f64::total_cmp);
        let tail = (1.0 - rs.confidence) / 2.0;
        (
            quantile(&excess, tail).min(estimate),
            quantile(&excess, 1.0 - tail).max(estimate),
        )
    };
    FamilyResult {
        similarity: kt,
        panel_similarity: mean(&kr),
        excess: Estimate {
            estimate,
            ci_low: lo,
            ci_high: hi,
        },
        effect_size: if se > 0.0 { estimate / se } else { 0.0 },
        p_value: worst.map_or(1.0, |j| ps[j]),
        p_holm: 1.0,
        hardest_reference: worst.map(|j| names[roles.panel[j]].clone()),
        p_probes: None,
        p_between_models: None,
        resamples_drawn: None,
    }
}

/// "student", "candidate" or "reference".
pub fn role(roles: &Roles, m: usize) -> &'static str {
    if m == roles.student {
        "student"
    } else if roles.candidates.contains(&m) {
        "candidate"
    } else {
        "reference"
    }
}

fn model_summary(
    corpus: &Corpus,
    roles: &Roles,
    m: usize,
    classes: &[Classification],
) -> RefusalModel {
    let count = |l: RefusalLabel| classes.iter().filter(|c| c.label == l).count();
    let mut templates = BTreeMap::new();
    for c in classes.iter().filter(|c| refuses(c)) {
        if let Some(t) = c.template {
            *templates.entry(t.to_string()).or_insert(0) += 1;
        }
    }
    let mut cats: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    for (c, cat) in classes.iter().zip(&corpus.categories) {
        if let Some(cat) = cat {
            let e = cats.entry(cat.clone()).or_default();
            e.0 += 1;
            e.1 += usize::from(refuses(c));
        }
    }
    let (full, partial) = (
        count(RefusalLabel::FullRefusal),
        count(RefusalLabel::PartialRefusal),
    );
    RefusalModel {
        name: corpus.models[m].clone(),
        role: role(roles, m).to_string(),
        full_compliance: count(RefusalLabel::FullCompliance),
        full_refusal: full,
        partial_refusal: partial,
        refusal_rate: rate(full + partial, classes.len()),
        templates,
        categories: cats
            .into_iter()
            .map(|(k, (n, r))| {
                (
                    k,
                    CategoryRefusal {
                        probes: n,
                        refused: r,
                        rate: rate(r, n),
                    },
                )
            })
            .collect(),
    }
}

fn rate(k: usize, n: usize) -> f64 {
    if n == 0 {
        0.0
    } else {
        k as f64 / n as f64
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::align::{AlignBy, InputStats};

    const REFUSE: &str = "I'm sorry, but I can't help with that.";
    const COMPLY: &str =
        "Sure. Mix flour, water and salt, knead the dough and bake it for half an hour.";

    /// Models with refusal patterns given as strings of 0/1 per probe.
    fn corpus(patterns: &[&str]) -> Corpus {
        let n = patterns[0].len();
        Corpus {
            models: (0..patterns.len()).map(|i| format!("m{i}")).collect(),
            probe_keys: (0..n).map(|p| format!("p{p:03}")).collect(),
            prompts: vec!["prompt".into(); n],
            categories: (0..n)
                .map(|p| Some(if p % 2 == 0 { "even" } else { "odd" }.into()))
                .collect(),
            texts: patterns
                .iter()
                .map(|pat| {
                    pat.bytes()
                        .map(|b| if b == b'1' { REFUSE } else { COMPLY }.to_string())
                        .collect()
                })
                .collect(),
            align_by: AlignBy::ProbeId,
            stats: vec![InputStats::default(); patterns.len()],
            excluded_probes: 0,
        }
    }

    fn rs() -> Resampling {
        Resampling {
            seed: 1,
            resamples: 99,
            bootstrap: 300,
            confidence: 0.95,
            sequential: None,
        }
    }

    fn roles(n_models: usize) -> Roles {
        Roles {
            student: 0,
            candidates: vec![1, 2],
            panel: (3..n_models).collect(),
        }
    }

    /// A pseudo-random 0/1 string.
    fn noise(n: usize, salt: u64) -> String {
        (0..n as u64)
            .map(|i| {
                let h = xxhash_rust::xxh3::xxh3_64(&(i * 31 + salt).to_le_bytes());
                if h % 2 == 0 {
                    '1'
                } else {
                    '0'
                }
            })
            .collect()
    }

    #[test]
    fn weights_follow_the_panel_split() {
        let refuse = vec![vec![true, false], vec![true, true], vec![true, false]];
        assert_eq!(weights(&refuse, &[1, 2]), [0.0, 1.0]);
        assert_eq!(weights(&refuse, &[]), [0.0, 0.0]);
    }

    #[test]
    fn copied_refusals_are_detected() {
        let n = 80;
        let teacher = noise(n, 1);
        // The student copies the teacher except on a few probes.
        let student: String = teacher
            .chars()
            .enumerate()
            .map(|(i, c)| if i % 10 == 0 { '0' } else { c })
            .collect();
        let pats = [
            student.as_str(),
            teacher.as_str(),
            &noise(n, 2),
            &noise(n, 3),
            &noise(n, 4),
            &noise(n, 5),
        ];
        let c = corpus(&pats);
        let r = roles(pats.len());
        let classes = classify(&c);
        let (res, section) = evaluate(&c, &r, &classes, rs());
        assert_eq!(section.note, None);
        assert!(section.contested_probes >= MIN_CONTESTED);
        let (t, rival) = (&res[0], &res[1]);
        assert!(t.similarity > 0.6, "{t:?}");
        assert!(t.excess.ci_low > 0.0 && t.p_value < 0.01, "{t:?}");
        assert!(rival.p_value > 0.05, "{rival:?}");
        assert!(rival.hardest_reference.is_some());
        // Deterministic.
        assert_eq!(evaluate(&c, &r, &classes, rs()).0, res);
        // The section counts labels per model and per category.
        let s = &section.models[0];
        assert_eq!(s.role, "student");
        assert_eq!(s.full_refusal + s.partial_refusal + s.full_compliance, n);
        assert_eq!(s.categories["even"].probes, n / 2);
        assert!(s.templates.values().sum::<usize>() > 0);
        assert_eq!(section.models[3].role, "reference");
    }

    #[test]
    fn unanimous_panel_is_not_tested() {
        let n = 40;
        let pats = [
            "1".repeat(n),
            noise(n, 1),
            noise(n, 2),
            "0".repeat(n),
            "0".repeat(n),
        ];
        let pats: Vec<&str> = pats.iter().map(String::as_str).collect();
        let c = corpus(&pats);
        let (res, section) = evaluate(&c, &roles(pats.len()), &classify(&c), rs());
        assert_eq!(section.contested_probes, 0);
        assert!(section.note.as_deref().unwrap().contains("only 0 probes"));
        assert!(res.iter().all(|f| f.p_value == 1.0 && f.similarity == 0.0));
    }

    #[test]
    fn nobody_refusing_is_noted() {
        let pats = vec!["0".repeat(20); 5];
        let pats: Vec<&str> = pats.iter().map(String::as_str).collect();
        let c = corpus(&pats);
        let (_, section) = evaluate(&c, &roles(5), &classify(&c), rs());
        assert!(section
            .note
            .as_deref()
            .unwrap()
            .contains("no model refuses"));
        assert!(section.models.iter().all(|m| m.templates.is_empty()));
    }
}

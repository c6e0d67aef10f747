//! Refusal-template inheritance: does the student refuse in the
//! candidate's words, more than in the panel's?
//!
//! A student trained on a teacher's outputs refuses with the teacher's
//! openings ("I apologize, but I do not feel comfortable ...", "As an AI
//! language model, I cannot ..."). Each refusal (full or partial, by
//! [`crate::fingerprint::refusal`]) is reduced to its *template*: the
//! first [`WORDS`] words of its first sentence, lowercased, punctuation
//! dropped (near-verbatim opening phrasing; the topic usually comes later).
//!
//! For the student's refusals (probes P), `x_M(p)` = 1 when model M uses
//! the student's template of probe p in any of its own refusals. The
//! candidate's *shared rate* is the mean of `x_T` over P; the panel's is
//! the mean over panel models of the mean of `x_R`; `excess` is their
//! difference. The test is an intersection-union test like the other
//! families: for each panel model R, a one-sided paired sign-flip test
//! over probes of `d(p) = x_T(p) − x_R(p)` ([`crate::stats::signflip`],
//! one seeded stream per pair), and the p-value is the largest over the
//! panel (significant only if the candidate beats every panel model).
//! Templates both the student and the candidate use are quoted as
//! exhibits, those no panel model uses first.

use std::collections::{BTreeMap, BTreeSet};

use crate::fingerprint::refusal::Classification;
use crate::input::align::Corpus;
use crate::report::schema::{SharedTemplate, TemplateInheritance};
use crate::stats::{mean, rng::stream, signflip};

use super::analysis::{Resampling, Roles};

/// Words of a template.
pub const WORDS: usize = 8;
/// Fewest words for a template (shorter openings are not distinctive).
const MIN_WORDS: usize = 3;
/// Student refusals with a template needed before the test is run.
pub const MIN_REFUSALS: usize = 5;
/// Exhibits quoted per candidate.
const EXHIBITS: usize = 3;

/// The template of a response: the first [`WORDS`] words of its first
/// sentence (letters, digits and inner apostrophes), lowercased; `None`
/// when the sentence has fewer than [`MIN_WORDS`] words.
pub fn template(response: &str) -> Option<String> {
    let t = response.trim_start();
    let end = t
        .find(['.', '!', '?', '\n', '。', '！', '？'])
        .unwrap_or(t.len());
    let words: Vec<String> = t[..end]
        .split(|c: char| !(c.is_alphanumeric() || c == '\'' || c == '\u{2019}'))
        .map(|w| w.trim_matches(|c| c == '\'' || c == '\u{2019}'))
        .filter(|w| !w.is_empty())
        .take(WORDS)
        .map(|w| w.to_lowercase().replace('\u{2019}', "'"))
        .collect();
    (words.len() >= MIN_WORDS).then(|| words.join(" "))
}

/// Per model, the template of each refusing response (`None` where the
/// model complies or the opening is too short).
fn templates(corpus: &Corpus, classes: &[Vec<Classification>]) -> Vec<Vec<Option<String>>> {
    corpus
        .texts
        .iter()
        .zip(classes)
        .map(|(texts, cls)| {
            texts
                .iter()
                .zip(cls)
                .map(|(r, c)| if c.refuses() { template(r) } else { None })
                .collect()
        })
        .collect()
}

/// Template inheritance of the student from every candidate, in
/// candidate order.
pub fn evaluate(
    corpus: &Corpus,
    roles: &Roles,
    classes: &[Vec<Classification>],
    rs: Resampling,
) -> Vec<TemplateInheritance> {
    let tpl = templates(corpus, classes);
    let sets: Vec<BTreeMap<&str, usize>> = tpl
        .iter()
        .map(|m| {
            let mut s = BTreeMap::new();
            for t in m.iter().flatten() {
                *s.entry(t.as_str()).or_insert(0) += 1;
            }
            s
        })
        .collect();
    let student: Vec<&str> = tpl[roles.student]
        .iter()
        .flatten()
        .map(String::as_str)
        .collect();
    let shares = |m: usize| -> Vec<f64> {
        student
            .iter()
            .map(|t| f64::from(u8::from(sets[m].contains_key(t))))
            .collect()
    };
    let panel: Vec<Vec<f64>> = roles.panel.iter().map(|&r| shares(r)).collect();
    roles
        .candidates
        .iter()
        .map(|&c| {
            let xt = shares(c);
            let rate = mean(&xt);
            let panel_rate = if panel.is_empty() {
                0.0
            } else {
                mean(&panel.iter().map(|x| mean(x)).collect::<Vec<_>>())
            };
            let testable = student.len() >= MIN_REFUSALS && !panel.is_empty();
            let ps: Vec<f64> = if testable {
                panel
                    .iter()
                    .zip(&roles.panel)
                    .map(|(xr, &r)| {
                        let d: Vec<f64> = xt.iter().zip(xr).map(|(a, b)| a - b).collect();
                        let task = format!(
                            "refusal/templates/{}/{}",
                            corpus.models[c], corpus.models[r]
                        );
                        signflip::p_value(&d, rs.resamples, &mut stream(rs.seed, &task))
                    })
                    .collect()
            } else {
                Vec::new()
            };
            let worst = crate::stats::first_max(&ps);
            TemplateInheritance {
                candidate: corpus.models[c].clone(),
                student_refusals: student.len(),
                shared_rate: rate,
                panel_shared_rate: panel_rate,
                excess: rate - panel_rate,
                p_value: worst.map_or(1.0, |j| ps[j]),
                hardest_reference: worst.map(|j| corpus.models[roles.panel[j]].clone()),
                exhibits: exhibits(&sets, roles, c),
            }
        })
        .collect()
}

/// Templates the student and candidate `c` both use, those fewest panel
/// models use first, then the most frequent in the student.
fn exhibits(sets: &[BTreeMap<&str, usize>], roles: &Roles, c: usize) -> Vec<SharedTemplate> {
    let shared: BTreeSet<&str> = sets[roles.student]
        .keys()
        .filter(|t| sets[c].contains_key(*t))
        .copied()
        .collect();
    let mut out: Vec<SharedTemplate> = shared
        .into_iter()
        .map(|t| SharedTemplate {
            template: t.to_string(),
            student: sets[roles.student][t],
            candidate: sets[c][t],
            panel_models: roles
                .panel
                .iter()
                .filter(|&&r| sets[r].contains_key(t))
                .count(),
        })
        .collect();
    out.sort_by(|a, b| {
        (a.panel_models, std::cmp::Reverse(a.student))
            .cmp(&(b.panel_models, std::cmp::Reverse(b.student)))
            .then_with(|| a.template.cmp(&b.template))
    });
    out.truncate(EXHIBITS);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::align::{AlignBy, InputStats};
    use crate::synth::refusal::{corpus, RefusalModel};

    /// A corpus of simulated models, classified.
    fn aligned(models: &[RefusalModel]) -> (Corpus, Vec<Vec<Classification>>) {
        let n = models[0].responses.len();
        let c = Corpus {
            models: models.iter().map(|m| m.name.clone()).collect(),
            probe_keys: (0..n).map(|p| format!("p{p:03}")).collect(),
            prompts: vec!["How do I do this?".into(); n],
            categories: vec![None; n],
            texts: models.iter().map(|m| m.responses.clone()).collect(),
            align_by: AlignBy::ProbeId,
            stats: vec![InputStats::default(); models.len()],
            excluded_probes: 0,
        };
        let classes = super::super::refusal::classify(&c);
        (c, classes)
    }

    fn rs(seed: u64) -> Resampling {
        Resampling {
            seed,
            resamples: 999,
            bootstrap: 200,
            confidence: 0.95,
            sequential: None,
        }
    }

    /// Student (1) against candidates teacher (0) and independent (2).
    fn run(seed: u64) -> Vec<TemplateInheritance> {
        let models = corpus(seed, 120, 8);
        let (c, classes) = aligned(&models);
        let roles = Roles {
            student: 1,
            candidates: vec![0, 2],
            panel: (3..models.len()).collect(),
        };
        evaluate(&c, &roles, &classes, rs(seed))
    }

    #[test]
    fn copied_templates_are_found_and_independent_ones_are_not() {
        let alpha = 0.01;
        let mut false_alarms = 0;
        for seed in 0..6 {
            let r = run(seed);
            let (t, i) = (&r[0], &r[1]);
            assert!(t.student_refusals >= MIN_REFUSALS, "{t:?}");
            assert!(t.excess > 0.5 && t.p_value < alpha, "seed {seed}: {t:?}");
            assert!(!t.exhibits.is_empty() && t.exhibits[0].panel_models == 0);
            false_alarms += usize::from(i.p_value < alpha);
        }
        assert_eq!(false_alarms, 0);
        // Deterministic.
        assert_eq!(run(3), run(3));
    }

    #[test]
    fn an_independent_student_is_not_flagged() {
        // The independent model as the student, the teacher as candidate.
        let models = corpus(11, 120, 8);
        let (c, classes) = aligned(&models);
        let roles = Roles {
            student: 2,
            candidates: vec![0],
            panel: (3..models.len()).collect(),
        };
        let r = &evaluate(&c, &roles, &classes, rs(11))[0];
        assert!(r.p_value > 0.01, "{r:?}");
    }

    #[test]
    fn template_is_the_normalised_opening() {
        assert_eq!(
            template("I’m sorry, but I can't help with that request today.").as_deref(),
            Some("i'm sorry but i can't help with that")
        );
        assert_eq!(
            template("  As an AI language model, I cannot.").as_deref(),
            Some("as an ai language model i cannot")
        );
        assert_eq!(template("No. Never."), None);
        assert_eq!(template(""), None);
    }
}

//! Per-candidate evidence: excess similarity, its bootstrap CI and the
//! max-over-panel sign-flip p-value, per family and combined.
//!
//! "S is closer to T than to reference R_j" is tested for every panel
//! member over probes; the probe-level p-value is the maximum over j, the
//! intersection-union test of Berger (1982, Technometrics 24:295–300): S must
//! beat every reference. Because unrelated models also differ as models,
//! the candidate must in addition lie outside the panel's between-model
//! spread ([`crate::stats::panel`]); the family's p-value is the larger of
//! the two, again an intersection-union test.
//!
//! The percentile bootstrap intervals of one candidate's families are drawn
//! from the same resampled probe sets (Efron & Tibshirani 1993, ch. 13):
//! the families are measured on the same probes, and one draw serves them
//! all at a fifth of the cost.

use std::collections::BTreeMap;

use rayon::prelude::*;

use crate::report::schema::{Estimate, FamilyResult};
use crate::stats::{bootstrap, excess::SimCube, mean, panel, rng::stream, sd, signflip};

/// The family that ranks candidates and decides the verdict: per-probe
/// style, which is topic-independent (see compare::verdict).
pub const RANK_FAMILY: &str = "style";

/// Name of the weighted combination of families.
pub const COMBINED: &str = "combined";

/// Indices of the models by role in the corpus.
#[derive(Debug, Clone)]
pub struct Roles {
    pub student: usize,
    pub candidates: Vec<usize>,
    pub panel: Vec<usize>,
}

/// Resampling settings.
#[derive(Debug, Clone, Copy)]
pub struct Resampling {
    pub seed: u64,
    pub resamples: usize,
    pub bootstrap: usize,
    pub confidence: f64,
    /// `Some(alpha)`: sign-flip tests stop once their outcome at `alpha` is
    /// settled (Besag & Clifford 1991, [`signflip::sequential`]); `None`
    /// draws every resample.
    pub sequential: Option<f64>,
}

impl Resampling {
    /// Exceedances after which a sign-flip test stops (`usize::MAX`: never).
    pub fn stop_after(&self) -> usize {
        self.sequential.map_or(usize::MAX, |a| {
            signflip::settling_exceedances(a, self.resamples)
        })
    }
}

/// One family's similarity cube and its weight in the combination.
pub struct FamilyCube {
    pub name: &'static str,
    pub weight: f64,
    pub cube: SimCube,
}

/// Per-probe series of one candidate: excess and contrasts per reference.
pub(crate) struct Series {
    pub(crate) excess: Vec<f64>,
    /// Mean excess of each panel member over the student (leave-one-out
    /// hubness), the between-model null sample.
    pub(crate) null_excess: Vec<f64>,
    pub(crate) contrasts: Vec<Vec<f64>>,
    /// Mean excess of each panel member over the candidate, the others
    /// serving as its panel: the candidate's cohort of unrelated "students"
    /// (Z-norm, see [`Norms`]).
    pub(crate) cohort: Vec<f64>,
    pub(crate) similarity: f64,
    pub(crate) panel_similarity: f64,
}

/// Everything computed for one candidate.
pub struct CandidateEvidence {
    pub families: BTreeMap<String, FamilyResult>,
    /// Scale-free position of each family's excess (the pair scores of
    /// [`super::pairscore`]).
    pub norms: BTreeMap<String, Norms>,
    /// Per-probe combined excess (for exhibits).
    pub combined_excess: Vec<f64>,
    /// Per-probe excess of the ranking family (`style`), for the test of the
    /// first-ranked candidate against the second.
    pub rank_excess: Vec<f64>,
}

/// Scale of a family: the mean over panel members of the per-probe standard
/// deviation of their similarity to S. Dividing by it puts families on a
/// common footing before they are combined.
fn scale(cube: &SimCube, roles: &Roles) -> f64 {
    let sds: Vec<f64> = roles
        .panel
        .iter()
        .map(|&r| sd(&to_f64(cube.pair(roles.student, r))))
        .collect();
    mean(&sds)
}

/// Weight of a family in the combination: its configured weight over its
/// scale, or zero when the family does not vary across the panel (for
/// example no shared 6-gram at all), since it then carries no information
/// and dividing by a vanishing scale would let it swamp the others.
pub fn combination_weight(weight: f64, scale: f64) -> f64 {
    if scale > 1e-6 {
        weight / scale
    } else {
        0.0
    }
}

/// A family's mean excess standardised two ways, as speaker verification
/// normalises scores (Auckenthaler, Carey & Lloyd-Thomas 2000, "Score
/// normalization for text-independent speaker verification systems",
/// Digital Signal Processing 10:42–54):
/// - `z_panel` against the student's side: the panel members' excesses
///   over the student (how close an unrelated model comes to S);
/// - `z_cohort` against the candidate's side (Z-norm): the panel members'
///   excesses over the candidate, each taking the others as its panel (how
///   close unrelated models come to T). A candidate that resembles many
///   models, for example through a base model shared with them, has a
///   high cohort mean, and its pairs are discounted accordingly.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Norms {
    pub z_panel: f64,
    pub z_cohort: f64,
}

/// `(x − mean) / sd` of a sample; 0 when it has fewer than 3 members or
/// no spread, so that a missing panel carries no evidence.
pub fn standardise(x: f64, sample: &[f64]) -> f64 {
    let d = sd(sample);
    if sample.len() < 3 || !d.is_finite() || d <= 1e-12 || !x.is_finite() {
        return 0.0;
    }
    (x - mean(sample)) / d
}

fn to_f64(x: &[f32]) -> Vec<f64> {
    x.iter().map(|&v| f64::from(v)).collect()
}

fn series(cube: &SimCube, roles: &Roles, t: usize) -> Series {
    let s = roles.student;
    let panel_sims: Vec<f64> = roles
        .panel
        .iter()
        .map(|&r| mean(&to_f64(cube.pair(s, r))))
        .collect();
    let null_excess = roles
        .panel
        .iter()
        .map(|&r| {
            let others: Vec<usize> = roles.panel.iter().copied().filter(|&x| x != r).collect();
            mean(&cube.excess(s, r, &others))
        })
        .collect();
    let cohort = roles
        .panel
        .iter()
        .map(|&r| {
            let others: Vec<usize> = roles.panel.iter().copied().filter(|&x| x != r).collect();
            mean(&cube.excess(r, t, &others))
        })
        .collect();
    Series {
        excess: cube.excess(s, t, &roles.panel),
        null_excess,
        cohort,
        contrasts: roles
            .panel
            .iter()
            .map(|&r| cube.contrast(s, t, r, &roles.panel))
            .collect(),
        similarity: mean(&to_f64(cube.pair(s, t))),
        panel_similarity: mean(&panel_sims),
    }
}

fn mix_null(parts: &[(f64, Series)], get: fn(&Series) -> &Vec<f64>) -> Vec<f64> {
    (0..get(&parts[0].1).len())
        .map(|j| parts.iter().map(|(w, s)| w * get(s)[j]).sum())
        .collect()
}

fn combine(parts: &[(f64, Series)]) -> Series {
    let n = parts[0].1.excess.len();
    let k = parts[0].1.contrasts.len();
    let mix = |get: &dyn Fn(&Series) -> &Vec<f64>| -> Vec<f64> {
        (0..n)
            .map(|i| parts.iter().map(|(w, s)| w * get(s)[i]).sum())
            .collect()
    };
    Series {
        excess: mix(&|s| &s.excess),
        null_excess: mix_null(parts, |s| &s.null_excess),
        cohort: mix_null(parts, |s| &s.cohort),
        contrasts: (0..k).map(|j| mix(&|s| &s.contrasts[j])).collect(),
        similarity: parts.iter().map(|(w, s)| w * s.similarity).sum(),
        panel_similarity: parts.iter().map(|(w, s)| w * s.panel_similarity).sum(),
    }
}

/// Evidence for every candidate, in candidate order.
pub fn evaluate(
    families: &[FamilyCube],
    roles: &Roles,
    names: &[String],
    rs: Resampling,
) -> Vec<CandidateEvidence> {
    roles
        .candidates
        .par_iter()
        .map(|&t| {
            let parts: Vec<(f64, Series)> = families
                .iter()
                .map(|f| {
                    (
                        combination_weight(f.weight, scale(&f.cube, roles)),
                        series(&f.cube, roles, t),
                    )
                })
                .collect();
            let combined = combine(&parts);
            let rank_excess = families
                .iter()
                .zip(&parts)
                .find(|(f, _)| f.name == RANK_FAMILY)
                .map_or_else(|| combined.excess.clone(), |(_, (_, s))| s.excess.clone());
            // One task per family, so that two threads share five
            // candidates evenly; each task has its own random streams.
            let tasks: Vec<(&str, &Series)> = families
                .iter()
                .zip(&parts)
                .map(|(f, (_, s))| (f.name, s))
                .chain(std::iter::once((COMBINED, &combined)))
                .collect();
            // One set of resampled probe sets for all families of the
            // candidate (a paired bootstrap across families).
            let excesses: Vec<&[f64]> = tasks.iter().map(|(_, s)| s.excess.as_slice()).collect();
            let cis = bootstrap::mean_cis(
                &excesses,
                rs.bootstrap,
                rs.confidence,
                &mut stream(rs.seed, &format!("bootstrap/{}", names[t])),
            );
            let norms = tasks
                .iter()
                .map(|&(name, s)| {
                    let x = mean(&s.excess);
                    let n = Norms {
                        z_panel: standardise(x, &s.null_excess),
                        z_cohort: standardise(x, &s.cohort),
                    };
                    (name.to_string(), n)
                })
                .collect();
            let out: BTreeMap<String, FamilyResult> = tasks
                .par_iter()
                .zip(cis)
                .map(|(&(name, s), ci)| {
                    (
                        name.to_string(),
                        summarise(s, Some(ci), roles, names, t, name, rs),
                    )
                })
                .collect::<Vec<_>>()
                .into_iter()
                .collect();
            CandidateEvidence {
                families: out,
                norms,
                combined_excess: combined.excess,
                rank_excess,
            }
        })
        .collect()
}

/// One family's result for candidate `t`. `ci` is the bootstrap interval of
/// the excess when already drawn jointly with other families; `None` draws
/// it from the family's own stream.
pub(crate) fn summarise(
    s: &Series,
    ci: Option<bootstrap::Interval>,
    roles: &Roles,
    names: &[String],
    t: usize,
    family: &str,
    rs: Resampling,
) -> FamilyResult {
    let ci = ci.unwrap_or_else(|| {
        bootstrap::mean_ci(
            &s.excess,
            rs.bootstrap,
            rs.confidence,
            &mut stream(rs.seed, &format!("bootstrap/{}/{family}/", names[t])),
        )
    });
    let task = |what: &str, r: &str| format!("{what}/{}/{family}/{r}", names[t]);
    let tests: Vec<signflip::Outcome> = s
        .contrasts
        .par_iter()
        .zip(&roles.panel)
        .map(|(d, &r)| {
            signflip::sequential(
                d,
                rs.resamples,
                rs.stop_after(),
                &mut stream(rs.seed, &task("signflip", &names[r])),
            )
        })
        .collect();
    let ps: Vec<f64> = tests.iter().map(|o| o.p).collect();
    let worst = crate::stats::first_max(&ps);
    let p = worst.map_or(0.0, |j| ps[j]);
    let d = sd(&s.excess);
    let p_between = panel::prediction_p(ci.estimate, &s.null_excess);
    FamilyResult {
        similarity: s.similarity,
        panel_similarity: s.panel_similarity,
        excess: Estimate {
            estimate: ci.estimate,
            ci_low: ci.ci_low,
            ci_high: ci.ci_high,
        },
        effect_size: if d > 0.0 { ci.estimate / d } else { 0.0 },
        p_value: if roles.panel.is_empty() {
            1.0
        } else {
            p.max(p_between)
        },
        p_holm: 1.0,
        hardest_reference: worst.map(|j| names[roles.panel[j]].clone()),
        p_probes: Some(p),
        p_between_models: Some(p_between),
        resamples_drawn: Some(tests.iter().map(|o| o.drawn).sum()),
    }
}

//! The `profile` family: Cosine Delta of word-frequency profiles
//! ([`crate::stats::delta`]), tested against every panel model with a
//! paired bootstrap over probes.
//!
//! Reported evidence, not decisive: the 1,000 most frequent words include
//! content words, so on simulated data with shared bases the profile
//! followed the base model rather than the teacher (docs/benchmarks.md).

use crate::fingerprint::profile::{self, ModelWords};
use crate::report::schema::{Estimate, FamilyResult};
use crate::stats::{bootstrap::quantile, delta, mean, sd};

use super::analysis::{Resampling, Roles};

/// Cap on bootstrap replicates: each one recomputes every model's profile.
/// The profile is reported, not decisive, so 250 replicates (p-values
/// resolved to 1/251) are enough and keep it to a small share of the run.
pub const MAX_REPLICATES: usize = 250;

/// Name of the family in reports.
pub const PROFILE: &str = "profile";

/// Profile evidence of one candidate.
pub struct ProfileEvidence {
    pub result: FamilyResult,
}

/// Evidence for each candidate, in candidate order.
pub fn evaluate(
    words: &[ModelWords],
    models: &[String],
    roles: &Roles,
    rs: Resampling,
) -> Vec<ProfileEvidence> {
    let counts = profile::build_from(words);
    let others: Vec<usize> = roles
        .candidates
        .iter()
        .chain(&roles.panel)
        .copied()
        .collect();
    let reps_wanted = rs.bootstrap.min(MAX_REPLICATES);
    let (obs, reps) = delta::bootstrap(
        &counts,
        roles.student,
        &others,
        &others,
        reps_wanted,
        rs.seed,
    );
    let nc = roles.candidates.len();
    (0..nc)
        .map(|c| candidate(c, nc, &obs, &reps, roles, models, rs))
        .collect()
}

fn candidate(
    c: usize,
    nc: usize,
    obs: &[f64],
    reps: &[Vec<f64>],
    roles: &Roles,
    names: &[String],
    rs: Resampling,
) -> ProfileEvidence {
    let panel_idx: Vec<usize> = (nc..obs.len()).collect();
    let excess_of = |v: &[f64]| v[c] - mean(&panel_idx.iter().map(|&j| v[j]).collect::<Vec<_>>());
    let mut boot: Vec<f64> = reps.iter().map(|r| excess_of(r)).collect();
    let estimate = excess_of(obs);
    let ps: Vec<f64> = panel_idx
        .iter()
        .map(|&j| {
            let flips = reps.iter().filter(|r| r[c] - r[j] <= 0.0).count();
            (1 + flips) as f64 / (reps.len() + 1) as f64
        })
        .collect();
    let worst = crate::stats::first_max(&ps);
    let se = sd(&boot);
    let (lo, hi) = basic_interval(estimate, &mut boot, rs.confidence);
    let panel_mean = mean(&panel_idx.iter().map(|&j| obs[j]).collect::<Vec<_>>());
    ProfileEvidence {
        result: FamilyResult {
            similarity: obs[c],
            panel_similarity: panel_mean,
            excess: Estimate {
                estimate,
                ci_low: lo,
                ci_high: hi,
            },
            effect_size: if se > 0.0 { estimate / se } else { 0.0 },
            p_value: worst.map_or(1.0, |w| ps[w]),
            p_holm: 1.0,
            hardest_reference: worst.map(|w| names[roles.panel[w]].clone()),
            p_probes: None,
            p_between_models: None,
            resamples_drawn: None,
        },
    }
}

/// Basic bootstrap interval `[2θ − q_hi, 2θ − q_lo]` (Davison & Hinkley
/// 1997, §5.2). Resampling probes adds noise to both profiles and so biases
/// replicates of a cosine downwards; the basic interval reflects that bias
/// around the estimate instead of inheriting it, as the percentile
/// interval would.
pub fn basic_interval(estimate: f64, boot: &mut [f64], confidence: f64) -> (f64, f64) {
    if boot.is_empty() {
        return (estimate, estimate);
    }
    boot.sort_by(f64::total_cmp);
    let tail = (1.0 - confidence) / 2.0;
    let lo = 2.0 * estimate - quantile(boot, 1.0 - tail);
    let hi = 2.0 * estimate - quantile(boot, tail);
    (lo.min(estimate), hi.max(estimate))
}

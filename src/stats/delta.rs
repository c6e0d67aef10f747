//! Cosine Delta between word-frequency profiles, with a paired bootstrap
//! over probes.
//!
//! Each model's relative word frequencies are z-scored per word against the
//! mean and standard deviation over a reference set of models (Burrows 2002,
//! "'Delta': a measure of stylistic difference and a guide to likely
//! authorship", LLC 17(3)); two models are compared by the cosine of their
//! z-score vectors, the variant that performs best in authorship
//! attribution (Smith & Aldridge 2011; Evert et al. 2017, DSH 32(suppl. 2)).
//! The z-scoring removes what every model does (the generic assistant
//! register), so the cosine measures shared idiosyncrasy.
//!
//! Uncertainty comes from resampling probes with replacement, the same
//! draw for every model (a paired bootstrap, Efron & Tibshirani 1993). The
//! p-value for "S is closer to T than to R" is the bootstrap percentile
//! test `(1 + #{δ* ≤ 0}) / (B + 1)` (Efron & Tibshirani 1993, §16.4), an
//! approximation that is conservative when the observed δ is positive.

use rand::Rng;
use rayon::prelude::*;

use super::rng::stream;
use crate::fingerprint::profile::ProfileCounts;

/// Smallest spread of a relative frequency across reference models for a
/// word to take part (frequencies are of order 1e-4 to 1e-1).
const MIN_SPREAD: f64 = 1e-9;

/// Relative word frequencies of model `m` under probe weights `w`.
fn frequencies(p: &ProfileCounts, m: usize, w: &[f32]) -> Vec<f64> {
    let mut f = vec![0.0f64; p.vocab.len()];
    let mut total = 0.0f64;
    for (probe, &wt) in w.iter().enumerate() {
        if wt == 0.0 {
            continue;
        }
        total += f64::from(wt * p.lengths[m][probe]);
        for &(k, c) in &p.counts[m][probe] {
            f[k as usize] += f64::from(wt * c);
        }
    }
    if total > 0.0 {
        f.iter_mut().for_each(|x| *x /= total);
    }
    f
}

/// Cosine Delta of `subject` to each of `others`, z-scoring against
/// `reference` (which should not contain `subject`). Each model's profile is
/// computed once, however many of the roles it plays.
pub fn cosine_delta(
    p: &ProfileCounts,
    subject: usize,
    others: &[usize],
    reference: &[usize],
    w: &[f32],
) -> Vec<f64> {
    let mut cache: Vec<Option<Vec<f64>>> = vec![None; p.counts.len()];
    for &m in std::iter::once(&subject).chain(others).chain(reference) {
        if cache[m].is_none() {
            cache[m] = Some(frequencies(p, m, w));
        }
    }
    let freq = |m: usize| cache[m].as_deref().expect("filled above");
    let k = reference.len() as f64;
    let (mu, sd): (Vec<f64>, Vec<f64>) = (0..p.vocab.len())
        .map(|i| {
            let m = reference.iter().map(|&r| freq(r)[i]).sum::<f64>() / k;
            let v = reference
                .iter()
                .map(|&r| (freq(r)[i] - m).powi(2))
                .sum::<f64>()
                / (k - 1.0).max(1.0);
            (m, v.sqrt())
        })
        .unzip();
    // A word on which the reference models do not vary has no z-score; it is
    // left out rather than divided by a tiny spread, which would let one
    // such word dominate the cosine.
    let z = |f: &[f64]| -> Vec<f64> {
        f.iter()
            .zip(mu.iter().zip(&sd))
            .map(|(x, (m, s))| if *s > MIN_SPREAD { (x - m) / s } else { 0.0 })
            .collect()
    };
    let zs = z(freq(subject));
    others.iter().map(|&o| cosine(&zs, &z(freq(o)))).collect()
}

fn cosine(a: &[f64], b: &[f64]) -> f64 {
    let dot: f64 = a.iter().zip(b).map(|(x, y)| x * y).sum();
    let na: f64 = a.iter().map(|x| x * x).sum::<f64>().sqrt();
    let nb: f64 = b.iter().map(|x| x * x).sum::<f64>().sqrt();
    if na > 0.0 && nb > 0.0 {
        dot / (na * nb)
    } else {
        0.0
    }
}

/// Observed Cosine Delta of `subject` to `others` and `replicates` paired
/// bootstrap replicates of it (`[replicate][other]`). Replicate `b` draws
/// from its own stream, so the result does not depend on threads.
pub fn bootstrap(
    p: &ProfileCounts,
    subject: usize,
    others: &[usize],
    reference: &[usize],
    replicates: usize,
    seed: u64,
) -> (Vec<f64>, Vec<Vec<f64>>) {
    let n = p.lengths[subject].len();
    let observed = cosine_delta(p, subject, others, reference, &vec![1.0; n]);
    let reps = (0..replicates)
        .into_par_iter()
        .map(|b| {
            let mut rng = stream(seed, &format!("profile/bootstrap/{b}"));
            let mut w = vec![0.0f32; n];
            for _ in 0..n {
                w[rng.gen_range(0..n)] += 1.0;
            }
            cosine_delta(p, subject, others, reference, &w)
        })
        .collect();
    (observed, reps)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fingerprint::features::tests::corpus;
    use crate::fingerprint::profile::build;

    #[test]
    fn copy_is_closest_and_bootstrap_is_reproducible() {
        let c = corpus(vec![
            vec!["indeed the cat sat indeed", "indeed a dog ran indeed"],
            vec!["indeed the cat sat indeed", "indeed a dog ran indeed"],
            vec!["so the cat sat", "so a dog ran"],
            vec!["well the cat sat well", "a dog ran"],
            vec!["the cat sat", "ok a dog ran ok"],
        ]);
        let p = build(&c);
        let cd = cosine_delta(&p, 0, &[1, 2], &[1, 2, 3, 4], &[1.0, 1.0]);
        assert!(cd[0] > cd[1]);
        let a = bootstrap(&p, 0, &[1, 2], &[1, 2, 3, 4], 20, 3);
        assert_eq!(a, bootstrap(&p, 0, &[1, 2], &[1, 2, 3, 4], 20, 3));
    }
}

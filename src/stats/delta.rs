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

/// Relative word frequencies of model `m` under each probe weighting of
/// `ws` (at most [`BLOCK`]). One pass over the model's counts serves every
/// weighting, and the weightings are the lanes of one accumulator row per
/// word, so the compiler turns the innermost loop into vector instructions;
/// this made the bootstrap several times faster than one pass per
/// replicate. Each lane still sums over probes in probe order, and adding a
/// zero weight's `+0.0` leaves a sum of non-negative terms unchanged, so its
/// frequencies are the same bits as when computed alone.
fn frequencies(p: &ProfileCounts, m: usize, ws: &[Vec<f32>]) -> Vec<Vec<f64>> {
    assert!(ws.len() <= BLOCK);
    let mut acc = vec![[0.0f64; BLOCK]; p.vocab.len()];
    let mut total = [0.0f64; BLOCK];
    for (probe, counts) in p.counts[m].iter().enumerate() {
        let mut wv = [0.0f32; BLOCK];
        for (x, w) in wv.iter_mut().zip(ws) {
            *x = w[probe];
        }
        let len = p.lengths[m][probe];
        for (t, w) in total.iter_mut().zip(wv) {
            *t += f64::from(w * len);
        }
        for &(k, c) in counts {
            let row = &mut acc[k as usize];
            for (x, w) in row.iter_mut().zip(wv) {
                *x += f64::from(w * c);
            }
        }
    }
    (0..ws.len())
        .map(|r| {
            let t = total[r];
            acc.iter()
                .map(|row| if t > 0.0 { row[r] / t } else { row[r] })
                .collect()
        })
        .collect()
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
    let ws = [w.to_vec()];
    cosine_delta_each(p, subject, others, reference, &ws).remove(0)
}

/// [`cosine_delta`] under each probe weighting of `ws`.
fn cosine_delta_each(
    p: &ProfileCounts,
    subject: usize,
    others: &[usize],
    reference: &[usize],
    ws: &[Vec<f32>],
) -> Vec<Vec<f64>> {
    let mut cache: Vec<Option<Vec<Vec<f64>>>> = vec![None; p.counts.len()];
    for &m in std::iter::once(&subject).chain(others).chain(reference) {
        if cache[m].is_none() {
            cache[m] = Some(frequencies(p, m, ws));
        }
    }
    (0..ws.len())
        .map(|r| {
            let freq = |m: usize| cache[m].as_ref().expect("filled above")[r].as_slice();
            delta_of(p.vocab.len(), freq, subject, others, reference)
        })
        .collect()
}

fn delta_of<'a>(
    vocab: usize,
    freq: impl Fn(usize) -> &'a [f64],
    subject: usize,
    others: &[usize],
    reference: &[usize],
) -> Vec<f64> {
    let k = reference.len() as f64;
    let (mu, sd): (Vec<f64>, Vec<f64>) = (0..vocab)
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

/// Replicates per pass over the counts: their frequency vectors (8 kB
/// each per model) stay in the core's cache.
const BLOCK: usize = 8;

/// Multinomial probe weights of bootstrap replicate `b`.
fn weights(seed: u64, b: usize, n: usize) -> Vec<f32> {
    let mut rng = stream(seed, &format!("profile/bootstrap/{b}"));
    let mut w = vec![0.0f32; n];
    for _ in 0..n {
        w[rng.gen_range(0..n)] += 1.0;
    }
    w
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
    // Blocks of replicates share one pass over the counts (see
    // `frequencies`); replicate `b` still draws from its own stream.
    let reps = (0..replicates.div_ceil(BLOCK))
        .into_par_iter()
        .flat_map_iter(|i| {
            let ws: Vec<Vec<f32>> = (i * BLOCK..replicates.min((i + 1) * BLOCK))
                .map(|b| weights(seed, b, n))
                .collect();
            cosine_delta_each(p, subject, others, reference, &ws)
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

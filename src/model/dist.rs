//! Next-token distributions: log-softmax in f64, top-k and seeded
//! temperature / nucleus (top-p) sampling (Holtzman et al. 2020, "The
//! Curious Case of Neural Text Degeneration"). Pure functions on the logit
//! row of one position, so they are tested against hand computations.

use rand::Rng;

/// Natural-log probabilities of `logits` (max-shifted for stability).
pub fn log_softmax(logits: &[f32]) -> Vec<f64> {
    let m = logits
        .iter()
        .fold(f64::NEG_INFINITY, |m, &x| m.max(f64::from(x)));
    let sum: f64 = logits.iter().map(|&x| (f64::from(x) - m).exp()).sum();
    let lse = m + sum.ln();
    logits.iter().map(|&x| f64::from(x) - lse).collect()
}

/// The `k` most likely ids with their log-probabilities, most likely
/// first; ties go to the smaller id so the order is reproducible.
pub fn top_k(lp: &[f64], k: usize) -> Vec<(u32, f64)> {
    let k = k.min(lp.len());
    if k == 0 {
        return Vec::new();
    }
    let better = |a: &usize, b: &usize| lp[*b].total_cmp(&lp[*a]).then(a.cmp(b));
    let mut idx: Vec<usize> = (0..lp.len()).collect();
    if k < idx.len() {
        idx.select_nth_unstable_by(k - 1, better);
        idx.truncate(k);
    }
    idx.sort_by(better);
    idx.into_iter().map(|i| (i as u32, lp[i])).collect()
}

/// The most likely id (smallest on ties).
pub fn argmax(lp: &[f64]) -> u32 {
    let mut best = 0;
    for (i, &x) in lp.iter().enumerate() {
        if x > lp[best] {
            best = i;
        }
    }
    best as u32
}

/// Draw an id from `lp` sharpened by `temperature` and cut to the smallest
/// set of most likely ids holding `top_p` of the mass.
pub fn sample(lp: &[f64], temperature: f64, top_p: f64, rng: &mut impl Rng) -> u32 {
    let m = lp.iter().fold(f64::NEG_INFINITY, |m, &x| m.max(x));
    let mut w: Vec<(usize, f64)> = lp
        .iter()
        .enumerate()
        .map(|(i, &x)| (i, ((x - m) / temperature).exp()))
        .filter(|(_, p)| *p > 0.0)
        .collect();
    w.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    let total: f64 = w.iter().map(|x| x.1).sum();
    let mut kept = 0.0;
    let mut n = 0;
    for (_, p) in &w {
        kept += p;
        n += 1;
        if kept >= top_p * total {
            break;
        }
    }
    let mut u = rng.gen::<f64>() * kept;
    for &(i, p) in &w[..n] {
        if u < p {
            return i as u32;
        }
        u -= p;
    }
    w[n - 1].0 as u32
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::rng::stream;

    #[test]
    fn log_softmax_matches_hand_computation() {
        let lp = log_softmax(&[1.0, 2.0, 3.0]);
        let z = 1f64.exp() + 2f64.exp() + 3f64.exp();
        for (i, x) in lp.iter().enumerate() {
            assert!((x - ((i as f64 + 1.0).exp() / z).ln()).abs() < 1e-12);
        }
    }

    #[test]
    fn top_k_orders_and_breaks_ties_by_id() {
        let lp = [-1.0, -0.5, -1.0, -3.0];
        assert_eq!(top_k(&lp, 3), vec![(1, -0.5), (0, -1.0), (2, -1.0)]);
        assert_eq!(top_k(&lp, 9).len(), 4);
        assert_eq!(argmax(&lp), 1);
    }

    #[test]
    fn top_p_keeps_only_the_nucleus() {
        let lp = log_softmax(&[5.0, 4.9, -5.0, -6.0]);
        let mut rng = stream(1, "t");
        for _ in 0..200 {
            assert!(sample(&lp, 1.0, 0.9, &mut rng) < 2);
        }
        // A tiny temperature is greedy.
        assert_eq!(sample(&lp, 1e-6, 1.0, &mut rng), 0);
    }
}

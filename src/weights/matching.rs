//! Permutation-robust matching of hidden units and its calibrated test.
//!
//! Hidden units of an MLP (rows of gate/up, columns of down) and attention
//! heads can be permuted without changing the function, so a copy can hide
//! behind a permutation. We recover it by assignment on the cosine of unit
//! weight vectors, and test independence as in Zhu, Huang, Liang et al.
//! (2025), "Independence Tests for Language Models" (ICML): match units on
//! the gate matrices (σ_g) and, separately, on the up matrices (σ_u). If A
//! and B are independent and B's units are exchangeable (true of any i.i.d.
//! initialisation and training that does not single out units), σ_g and
//! σ_u are independent uniformly random permutations, so their Spearman
//! correlation ρ has mean 0 and variance 1/(n−1); we use the normal
//! approximation z = ρ·√(n−1) (exact enough for n ≥ 30; test models use
//! n ≥ 64). A derived model keeps both matchings equal, ρ ≈ 1. Layers are
//! combined with Fisher's method.
//!
//! Assignment: greedy on |cosine| over each row's top candidates (falling
//! back to a full scan). The Hungarian algorithm (e.g. `pathfinding`'s
//! `kuhn_munkres`) is O(n³) and needs integer weights: for SmolLM2's
//! 30 layers × 2 matrices × n = 1536 it costs ~2·10¹¹ steps, far past the
//! 30-second budget. The test's validity needs only that σ_g and σ_u are
//! bijections computed independently, not that they are optimal, and on a
//! copy greedy recovers the exact permutation (every true pair has cosine 1).

use candle_core::{Device, Tensor};

const CANDIDATES: usize = 8;

/// Pearson correlation; None when either side is constant or lengths differ.
pub fn pearson(a: &[f64], b: &[f64]) -> Option<f64> {
    if a.len() != b.len() || a.len() < 2 {
        return None;
    }
    let n = a.len() as f64;
    let (ma, mb) = (a.iter().sum::<f64>() / n, b.iter().sum::<f64>() / n);
    let (mut sab, mut saa, mut sbb) = (0.0, 0.0, 0.0);
    for (x, y) in a.iter().zip(b) {
        sab += (x - ma) * (y - mb);
        saa += (x - ma).powi(2);
        sbb += (y - mb).powi(2);
    }
    (saa > 0.0 && sbb > 0.0 && saa.is_finite() && sbb.is_finite()).then(|| sab / (saa * sbb).sqrt())
}

/// Cosine similarity of every row of `a` (n×d) with every row of `b` (m×d),
/// as a row-major n×m matrix (candle's CPU matmul).
pub fn cosine_matrix(a: &[f32], b: &[f32], d: usize) -> candle_core::Result<Vec<f32>> {
    let norm = |x: &[f32]| -> candle_core::Result<Tensor> {
        let rows = x.len() / d;
        let normed: Vec<f32> = x
            .chunks_exact(d)
            .flat_map(|r| {
                let n = r.iter().map(|v| (*v as f64).powi(2)).sum::<f64>().sqrt();
                let inv = if n > 0.0 { (1.0 / n) as f32 } else { 0.0 };
                r.iter().map(move |v| v * inv)
            })
            .collect();
        Tensor::from_vec(normed, (rows, d), &Device::Cpu)
    };
    let (ta, tb) = (norm(a)?, norm(b)?);
    ta.matmul(&tb.t()?)?.flatten_all()?.to_vec1::<f32>()
}

/// Greedy one-to-one assignment of n rows to m ≥ n columns maximising
/// |sim|: `out[i]` is the column matched to row i. Deterministic: ties break
/// by lower index.
pub fn greedy_assign(sim: &[f32], n: usize, m: usize) -> Vec<usize> {
    let mut cand: Vec<(f32, usize, usize)> = Vec::with_capacity(n * CANDIDATES);
    for i in 0..n {
        let row = &sim[i * m..(i + 1) * m];
        let mut top: Vec<(f32, usize)> = row.iter().map(|v| v.abs()).zip(0..).collect();
        let k = CANDIDATES.min(m);
        if k < m {
            top.select_nth_unstable_by(k - 1, |x, y| y.0.total_cmp(&x.0).then(x.1.cmp(&y.1)));
            top.truncate(k);
        }
        cand.extend(top.into_iter().map(|(v, j)| (v, i, j)));
    }
    cand.sort_by(|x, y| y.0.total_cmp(&x.0).then(x.1.cmp(&y.1)).then(x.2.cmp(&y.2)));
    let mut out = vec![usize::MAX; n];
    let mut used = vec![false; m];
    for (_, i, j) in cand {
        if out[i] == usize::MAX && !used[j] {
            out[i] = j;
            used[j] = true;
        }
    }
    for i in 0..n {
        if out[i] == usize::MAX {
            let row = &sim[i * m..(i + 1) * m];
            let j = (0..m)
                .filter(|&j| !used[j])
                .max_by(|&x, &y| row[x].abs().total_cmp(&row[y].abs()).then(y.cmp(&x)))
                .expect("m >= n leaves a free column");
            out[i] = j;
            used[j] = true;
        }
    }
    out
}

/// ln of the standard normal upper tail, accurate far into the tail
/// (asymptotic series beyond z = 8, where erfc underflows).
pub fn ln_normal_sf(z: f64) -> f64 {
    use statrs::distribution::{ContinuousCDF, Normal};
    if z < 8.0 {
        let n = Normal::new(0.0, 1.0).expect("valid");
        return n.sf(z).max(f64::MIN_POSITIVE).ln();
    }
    let z2 = z * z;
    -z2 / 2.0 - (z * (2.0 * std::f64::consts::PI).sqrt()).ln()
        + (1.0 - 1.0 / z2 + 3.0 / (z2 * z2)).ln()
}

/// Fisher's combination of k p-values given as natural logs: ln P(χ²_{2k} ≥
/// −2 Σ ln p), using the closed form of the χ² tail for even degrees of
/// freedom, e^{−x/2} Σ_{j<k} (x/2)^j / j!, in log space.
pub fn fisher_ln(ln_ps: &[f64]) -> f64 {
    let k = ln_ps.len();
    if k == 0 {
        return 0.0;
    }
    let half = -ln_ps.iter().sum::<f64>(); // x/2
    if half <= 0.0 {
        return 0.0;
    }
    let terms: Vec<f64> = (0..k)
        .map(|j| j as f64 * half.ln() - ln_factorial(j))
        .collect();
    let mx = terms.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
    let lse = mx + terms.iter().map(|t| (t - mx).exp()).sum::<f64>().ln();
    (-half + lse).min(0.0)
}

fn ln_factorial(j: usize) -> f64 {
    (1..=j).map(|i| (i as f64).ln()).sum()
}

/// Result of the matched-units test on one layer.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct PermTest {
    /// Hidden units matched.
    pub units: usize,
    /// Spearman correlation of the gate and up matchings.
    pub spearman: f64,
    pub z: f64,
    /// ln of the one-sided p-value.
    pub ln_p: f64,
    /// Mean |cosine| of matched gate rows.
    pub matched_cosine: f64,
    /// Fraction of units where the gate and up matchings agree.
    pub agreement: f64,
}

impl PermTest {
    /// Zhu et al.'s matched-units test on one layer from the gate matching
    /// σ_g (with its mean |cosine|) and the up matching σ_u.
    pub fn from_matchings(pg: &[usize], pu: &[usize], matched_cosine: f64) -> PermTest {
        let n = pg.len();
        let agree = pg.iter().zip(pu).filter(|(x, y)| x == y).count() as f64 / n as f64;
        let fa: Vec<f64> = pg.iter().map(|&x| x as f64).collect();
        let fb: Vec<f64> = pu.iter().map(|&x| x as f64).collect();
        let rho = pearson(&fa, &fb).unwrap_or(0.0);
        let z = rho * ((n as f64) - 1.0).sqrt();
        PermTest {
            units: n,
            spearman: rho,
            z,
            ln_p: ln_normal_sf(z),
            matched_cosine,
            agreement: agree,
        }
    }
}

/// Match the rows of `a` (n×d) to the rows of `b` (m×d, m ≥ n) by greedy
/// assignment on |cosine|; returns the matching and the mean |cosine| of
/// matched pairs. Consumes both matrices and normalises them in place, so
/// the peak memory is the two inputs plus the n×m cosine matrix.
pub fn match_rows(
    mut a: Vec<f32>,
    mut b: Vec<f32>,
    d: usize,
) -> candle_core::Result<(Vec<usize>, f64)> {
    let (n, m) = (a.len() / d, b.len() / d);
    normalise_rows(&mut a, d);
    normalise_rows(&mut b, d);
    let ta = Tensor::from_vec(a, (n, d), &Device::Cpu)?;
    let tb = Tensor::from_vec(b, (m, d), &Device::Cpu)?;
    let sim = ta.matmul(&tb.t()?)?;
    drop((ta, tb));
    let (storage, layout) = sim.storage_and_layout();
    let sim: &[f32] = match (&*storage, layout.contiguous_offsets()) {
        (candle_core::Storage::Cpu(candle_core::CpuStorage::F32(v)), Some((s, e))) => &v[s..e],
        _ => {
            return Err(candle_core::Error::Msg(
                "cosine matrix is not contiguous f32".into(),
            ))
        }
    };
    let pg = greedy_assign(sim, n, m);
    let matched = pg
        .iter()
        .enumerate()
        .map(|(i, &j)| sim[i * m + j].abs() as f64)
        .sum::<f64>()
        / n as f64;
    Ok((pg, matched))
}

/// Scale each row of length d to unit norm (zero rows stay zero), with the
/// same arithmetic as [`cosine_matrix`].
fn normalise_rows(x: &mut [f32], d: usize) {
    for r in x.chunks_exact_mut(d) {
        let n = r.iter().map(|v| (*v as f64).powi(2)).sum::<f64>().sqrt();
        let inv = if n > 0.0 { (1.0 / n) as f32 } else { 0.0 };
        r.iter_mut().for_each(|v| *v *= inv);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn greedy_recovers_a_permutation() {
        let n = 5;
        let perm = [3, 0, 4, 1, 2];
        let mut sim = vec![0.1f32; n * n];
        for (i, &j) in perm.iter().enumerate() {
            sim[i * n + j] = -0.99;
        }
        assert_eq!(greedy_assign(&sim, n, n), perm.to_vec());
    }

    #[test]
    fn tails_and_fisher() {
        let ln = ln_normal_sf(10.0);
        assert!((ln - (7.619853e-24f64).ln()).abs() < 1e-3, "{ln}");
        assert!((ln_normal_sf(1.0) - (0.158655f64).ln()).abs() < 1e-4);
        // One p-value: Fisher returns it unchanged.
        assert!((fisher_ln(&[(0.03f64).ln()]) - (0.03f64).ln()).abs() < 1e-12);
        // Two p=0.5: chi2_4 sf(2.7726) = 0.5966.
        let f = fisher_ln(&[(0.5f64).ln(), (0.5f64).ln()]).exp();
        assert!((f - 0.5966).abs() < 1e-3, "{f}");
    }
}

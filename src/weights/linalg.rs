//! Small dense linear algebra for the fingerprint: top singular values by
//! randomized SVD streamed over row chunks (Halko, Martinsson & Tropp 2011,
//! "Finding structure with randomness", Alg. 4.3 with one power
//! iteration), orthonormalisation by modified Gram–Schmidt and symmetric
//! eigenvalues by cyclic Jacobi rotations (Golub & Van Loan §8.5). The
//! checkpoint is read in passes; only m×l and n×l sketches are held
//! (capped at `MAX_SKETCH_BYTES`; beyond it a matrix gets moments only).

use rand::Rng;
use rand_distr_normal::standard_normal;

use super::checkpoint::Checkpoint;
use super::decode::CHUNK_ELEMS;
use super::error::Result;
use super::moments::{Moments, Summary};
use super::TensorInfo;

/// Largest sketch memory for one matrix's randomized SVD (Ω, Y, Z and B in
/// f32: (m + 3n)·l values); 256 MiB covers a 262144-row vocabulary at
/// l = 16 many times over.
const MAX_SKETCH_BYTES: usize = 256 << 20;

/// Box–Muller standard normals from a seeded stream (avoids a crate for one
/// distribution).
mod rand_distr_normal {
    use rand::Rng;
    pub fn standard_normal<R: Rng>(rng: &mut R) -> f32 {
        let u1: f64 = rng.gen_range(f64::MIN_POSITIVE..1.0);
        let u2: f64 = rng.gen();
        ((-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()) as f32
    }
}

/// Orthonormalise the `l` columns of row-major `m×l` matrix `a` in place.
/// Columns that vanish are left zero.
pub fn orthonormalise(a: &mut [f32], m: usize, l: usize) {
    for j in 0..l {
        for p in 0..j {
            let dot: f64 = (0..m)
                .map(|r| a[r * l + j] as f64 * a[r * l + p] as f64)
                .sum();
            for r in 0..m {
                a[r * l + j] -= (dot as f32) * a[r * l + p];
            }
        }
        let norm: f64 = (0..m)
            .map(|r| (a[r * l + j] as f64).powi(2))
            .sum::<f64>()
            .sqrt();
        let inv = if norm > 1e-30 {
            (1.0 / norm) as f32
        } else {
            0.0
        };
        for r in 0..m {
            a[r * l + j] *= inv;
        }
    }
}

/// Eigenvalues of symmetric `n×n` matrix `a` (row-major), descending.
pub fn sym_eigenvalues(mut a: Vec<f64>, n: usize) -> Vec<f64> {
    for _sweep in 0..100 {
        let off: f64 = (0..n)
            .flat_map(|i| (0..n).filter(move |&j| j != i).map(move |j| (i, j)))
            .map(|(i, j)| a[i * n + j].powi(2))
            .sum();
        let total: f64 = a.iter().map(|x| x * x).sum();
        if off <= 1e-28 * total || off == 0.0 {
            break;
        }
        for p in 0..n {
            for q in p + 1..n {
                let apq = a[p * n + q];
                if apq == 0.0 {
                    continue;
                }
                let theta = (a[q * n + q] - a[p * n + p]) / (2.0 * apq);
                let t = theta.signum() / (theta.abs() + (theta * theta + 1.0).sqrt());
                let t = if theta == 0.0 { 1.0 } else { t };
                let c = 1.0 / (t * t + 1.0).sqrt();
                let s = t * c;
                for k in 0..n {
                    let akp = a[k * n + p];
                    let akq = a[k * n + q];
                    a[k * n + p] = c * akp - s * akq;
                    a[k * n + q] = s * akp + c * akq;
                }
                for k in 0..n {
                    let apk = a[p * n + k];
                    let aqk = a[q * n + k];
                    a[p * n + k] = c * apk - s * aqk;
                    a[q * n + k] = s * apk + c * aqk;
                }
            }
        }
    }
    let mut ev: Vec<f64> = (0..n).map(|i| a[i * n + i]).collect();
    ev.sort_by(|x, y| y.total_cmp(x));
    ev
}

/// Why a 2-D tensor gets no spectrum (its sketch would pass
/// `MAX_SKETCH_BYTES`), so that the fingerprint and report say so instead
/// of silently leaving the singular values out.
pub fn spectrum_skipped(t: &TensorInfo, k: usize) -> Option<String> {
    let (m, n) = (t.rows(), t.cols());
    let l = (k + 8).min(m).min(n);
    let sketch = m
        .saturating_add(n.saturating_mul(3))
        .saturating_mul(l)
        .saturating_mul(4);
    (t.shape.len() == 2 && k > 0 && sketch > MAX_SKETCH_BYTES).then(|| {
        format!(
            "no singular values: the randomized-SVD sketch would need {sketch} bytes, over the {MAX_SKETCH_BYTES}-byte cap (moments only)"
        )
    })
}

/// Moments of `t` and, for a 2-D tensor with `k > 0`, its top `k` singular
/// values (fewer when the matrix is smaller).
pub fn moments_and_spectrum<R: Rng>(
    ck: &Checkpoint,
    t: &TensorInfo,
    k: usize,
    rng: &mut R,
) -> Result<(Summary, Vec<f64>)> {
    let mut mom = Moments::default();
    let (m, n) = (t.rows(), t.cols());
    let l = (k + 8).min(m).min(n);
    // Sketches (Ω, Y, Z, B) over a cap: a hostile shape (or a matrix
    // with very long rows) gets moments only.
    let sketch = m
        .saturating_add(n.saturating_mul(3))
        .saturating_mul(l)
        .saturating_mul(4);
    if t.shape.len() != 2 || k == 0 || sketch > MAX_SKETCH_BYTES {
        ck.for_each_span(t, |xs| mom.push(xs))?;
        return Ok((mom.summary(), Vec::new()));
    }
    if m.min(n) <= 2 * l {
        return exact_small(ck, t, k, mom);
    }
    let omega: Vec<f32> = (0..n * l).map(|_| standard_normal(rng)).collect();
    // Pass 1: moments and Y = A·Ω.
    let mut y = vec![0f32; m * l];
    ck.for_each_chunk(t, |r0, xs| {
        mom.push(xs);
        mul_rows(xs, n, &omega, l, &mut y[r0 * l..]);
    })?;
    let summary = mom.summary();
    if summary.nan + summary.inf > 0 {
        // Singular values of a matrix with NaN/Inf are meaningless.
        return Ok((summary, Vec::new()));
    }
    orthonormalise(&mut y, m, l);
    // Power iteration: Z = Aᵀ·Y, Y = A·Z.
    let mut z = vec![0f32; n * l];
    ck.for_each_chunk(t, |r0, xs| mul_t_rows(xs, n, &y[r0 * l..], l, &mut z))?;
    orthonormalise(&mut z, n, l);
    ck.for_each_chunk(t, |r0, xs| mul_rows(xs, n, &z, l, &mut y[r0 * l..]))?;
    orthonormalise(&mut y, m, l);
    // B = Qᵀ·A is l×n; its singular values approximate A's.
    let mut bt = vec![0f32; n * l];
    ck.for_each_chunk(t, |r0, xs| mul_t_rows(xs, n, &y[r0 * l..], l, &mut bt))?;
    let mut g = vec![0f64; l * l];
    for c in 0..n {
        for i in 0..l {
            let bi = bt[c * l + i] as f64;
            for j in 0..l {
                g[i * l + j] += bi * bt[c * l + j] as f64;
            }
        }
    }
    let ev = sym_eigenvalues(g, l);
    Ok((
        summary,
        ev.iter().take(k).map(|e| e.max(0.0).sqrt()).collect(),
    ))
}

/// Small matrices: eigenvalues of the smaller Gram matrix, exactly,
/// streamed so that only the Gram matrix and one chunk are held.
fn exact_small(
    ck: &Checkpoint,
    t: &TensorInfo,
    k: usize,
    mut mom: Moments,
) -> Result<(Summary, Vec<f64>)> {
    let (m, n) = (t.rows(), t.cols());
    let (d, g) = if n <= m {
        // Rows are short: one pass gives the moments and the n×n Gram.
        let mut g = vec![0f64; n * n];
        ck.for_each_chunk(t, |_, xs| {
            mom.push(xs);
            for row in xs.chunks_exact(n) {
                for i in 0..n {
                    for j in 0..n {
                        g[i * n + j] += row[i] as f64 * row[j] as f64;
                    }
                }
            }
        })?;
        (n, g)
    } else {
        ck.for_each_span(t, |xs| mom.push(xs))?;
        let s = mom.summary();
        if s.nan + s.inf > 0 {
            return Ok((s, Vec::new()));
        }
        (m, row_gram(ck, t)?)
    };
    let s = mom.summary();
    if s.nan + s.inf > 0 {
        return Ok((s, Vec::new()));
    }
    let ev = sym_eigenvalues(g, d);
    Ok((s, ev.iter().take(k).map(|e| e.max(0.0).sqrt()).collect()))
}

/// m×m Gram matrix of the rows of a matrix with few (m) long rows, read in
/// column blocks of all rows. Each entry is summed over columns in order
/// from −0.0, as `Iterator::sum` over the whole row would.
fn row_gram(ck: &Checkpoint, t: &TensorInfo) -> Result<Vec<f64>> {
    let (m, n) = (t.rows(), t.cols());
    let be = t.dtype.block_elems();
    let w = ((CHUNK_ELEMS / m).max(be) / be) * be;
    let mut g = vec![-0.0f64; m * m];
    let mut seg = Vec::with_capacity(m * w);
    let mut c0 = 0;
    while c0 < n {
        let wc = w.min(n - c0);
        seg.clear();
        for r in 0..m {
            ck.read_elems(t, r * n + c0, wc, &mut seg)?;
        }
        for i in 0..m {
            for j in 0..m {
                let (si, sj) = (&seg[i * wc..(i + 1) * wc], &seg[j * wc..(j + 1) * wc]);
                let acc = &mut g[i * m + j];
                for (x, y) in si.iter().zip(sj) {
                    *acc += *x as f64 * *y as f64;
                }
            }
        }
        c0 += wc;
    }
    Ok(g)
}

/// out[r] = xs[r]·w for each row r of `xs` (rows of length n; w is n×l).
fn mul_rows(xs: &[f32], n: usize, w: &[f32], l: usize, out: &mut [f32]) {
    for (r, row) in xs.chunks_exact(n).enumerate() {
        let o = &mut out[r * l..(r + 1) * l];
        o.iter_mut().for_each(|v| *v = 0.0);
        for (c, &x) in row.iter().enumerate() {
            let wr = &w[c * l..(c + 1) * l];
            for j in 0..l {
                o[j] += x * wr[j];
            }
        }
    }
}

/// acc += xsᵀ·y for the chunk's rows (acc is n×l, y holds the chunk's rows of an m×l matrix).
fn mul_t_rows(xs: &[f32], n: usize, y: &[f32], l: usize, acc: &mut [f32]) {
    for (r, row) in xs.chunks_exact(n).enumerate() {
        let yr = &y[r * l..(r + 1) * l];
        for (c, &x) in row.iter().enumerate() {
            let a = &mut acc[c * l..(c + 1) * l];
            for j in 0..l {
                a[j] += x * yr[j];
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn randomized_svd_matches_known_spectrum() {
        // 200×100 matrix with singular values 10·0.7^i, rotated by a
        // row permutation and sign flips so it is not diagonal.
        let (m, n) = (200, 100);
        let mut a = vec![0f32; m * n];
        for i in 0..n {
            let r = (i * 37 + 11) % m;
            a[r * n + i] = 10.0 * 0.7f32.powi(i as i32) * if i % 3 == 0 { -1.0 } else { 1.0 };
        }
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("x.safetensors");
        let mut t = crate::weights::synth::Tensors::new();
        t.insert("w".into(), (vec![m, n], a));
        crate::weights::synth::write_safetensors(&p, &t).unwrap();
        let ck = Checkpoint::open(&p).unwrap();
        let mut rng = crate::stats::rng::stream(0, "t");
        let (_, sv) = moments_and_spectrum(&ck, &ck.tensors[0], 5, &mut rng).unwrap();
        for (i, s) in sv.iter().enumerate() {
            let want = 10.0 * 0.7f64.powi(i as i32);
            assert!((s - want).abs() < 1e-3 * want, "{i}: {s} vs {want}");
        }
    }

    #[test]
    fn streamed_row_gram_matches_whole_rows() {
        // 3 long rows (longer than a chunk's share): the streamed Gram must
        // equal the whole-row sums bit for bit.
        let (m, n) = (3, 100_003);
        let a: Vec<f32> = (0..m * n)
            .map(|i| ((i * 7919 % 1000) as f32 - 500.0) * 1e-3)
            .collect();
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("x.safetensors");
        let mut t = crate::weights::synth::Tensors::new();
        t.insert("w".into(), (vec![m, n], a.clone()));
        crate::weights::synth::write_safetensors(&p, &t).unwrap();
        let ck = Checkpoint::open(&p).unwrap();
        let g = row_gram(&ck, &ck.tensors[0]).unwrap();
        for i in 0..m {
            for j in 0..m {
                let want: f64 = (0..n)
                    .map(|c| a[i * n + c] as f64 * a[j * n + c] as f64)
                    .sum();
                assert_eq!(g[i * m + j].to_bits(), want.to_bits(), "{i},{j}");
            }
        }
    }

    #[test]
    fn jacobi_finds_eigenvalues() {
        let ev = sym_eigenvalues(vec![2.0, 1.0, 1.0, 2.0], 2);
        assert!((ev[0] - 3.0).abs() < 1e-12 && (ev[1] - 1.0).abs() < 1e-12);
    }
}

//! Dense products and factorisations for re-parametrisations: random
//! rotations, orthogonal Procrustes and matrix products.
//!
//! Large products (a layer matrix times a d×d rotation) use candle's CPU
//! matmul (the `gemm` crate, already used by [`super::matching`]); the
//! d×d factorisations (QR for a Haar rotation, SVD for Procrustes) use
//! `nalgebra`, a well-kept crate already compiled as a dependency of
//! `statrs`, instead of hand-written Householder/Jacobi code. Matrices are
//! row-major `Vec<f32>` (or f64 for the d×d factors) with explicit shapes.

use candle_core::{Device, Tensor};
use nalgebra::DMatrix;
use rand::Rng;

use crate::stats::rng::stream;

/// `a` (m×k) · `b` (k×n), row-major, f32.
pub fn matmul(a: &[f32], m: usize, k: usize, b: &[f32], n: usize) -> candle_core::Result<Vec<f32>> {
    let ta = Tensor::from_slice(a, (m, k), &Device::Cpu)?;
    let tb = Tensor::from_slice(b, (k, n), &Device::Cpu)?;
    ta.matmul(&tb)?.flatten_all()?.to_vec1::<f32>()
}

/// `aᵀ` (k×m) · `b` (m×n) for row-major `a` (m×k), accumulated into `acc`
/// (k×n, f64): the cross-covariance of two row chunks.
pub fn add_at_b(
    acc: &mut [f64],
    a: &[f32],
    m: usize,
    k: usize,
    b: &[f32],
    n: usize,
) -> candle_core::Result<()> {
    let ta = Tensor::from_slice(a, (m, k), &Device::Cpu)?;
    let tb = Tensor::from_slice(b, (m, n), &Device::Cpu)?;
    let p = ta.t()?.contiguous()?.matmul(&tb)?.flatten_all()?;
    for (x, y) in acc.iter_mut().zip(p.to_vec1::<f32>()?) {
        *x += y as f64;
    }
    Ok(())
}

/// Transpose of row-major m×n.
pub fn transpose(a: &[f32], m: usize, n: usize) -> Vec<f32> {
    let mut out = vec![0f32; a.len()];
    for i in 0..m {
        for j in 0..n {
            out[j * m + i] = a[i * n + j];
        }
    }
    out
}

/// A Haar-random d×d rotation from `seed`: QR of a Gaussian matrix with
/// R's diagonal made positive (Mezzadri 2007, "How to generate random
/// matrices from the classical compact groups").
pub fn random_rotation(d: usize, seed: u64) -> Vec<f64> {
    let mut rng = stream(seed, "rotate");
    let g = DMatrix::<f64>::from_fn(d, d, |_, _| normal(&mut rng));
    let qr = g.qr();
    let (mut q, r) = (qr.q(), qr.r());
    for j in 0..d {
        if r[(j, j)] < 0.0 {
            q.column_mut(j).neg_mut();
        }
    }
    row_major(&q)
}

/// Box–Muller standard normal.
fn normal<R: Rng>(rng: &mut R) -> f64 {
    let u1: f64 = rng.gen_range(f64::MIN_POSITIVE..1.0);
    let u2: f64 = rng.gen();
    (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
}

fn row_major(m: &DMatrix<f64>) -> Vec<f64> {
    let (r, c) = m.shape();
    (0..r)
        .flat_map(|i| (0..c).map(move |j| (i, j)))
        .map(|(i, j)| m[(i, j)])
        .collect()
}

/// Orthogonal Procrustes (Schönemann 1966): the orthogonal R minimising
/// ‖X R − Y‖_F given the cross-covariance `m` = Xᵀ Y (d×d, row-major):
/// with m = U Σ Vᵀ, R = U Vᵀ. Also returns tr Σ (= tr(Rᵀ m), the fitted
/// inner product), so that ‖X R − Y‖² = ‖X‖² + ‖Y‖² − 2 tr Σ.
pub fn procrustes(m: &[f64], d: usize) -> Option<(Vec<f64>, f64)> {
    let mm = DMatrix::<f64>::from_row_slice(d, d, m);
    let svd = mm.svd(true, true);
    let (u, vt) = (svd.u?, svd.v_t?);
    let trace = svd.singular_values.iter().sum::<f64>();
    Some((row_major(&(u * vt)), trace))
}

/// ‖a − b‖_F / ‖b‖_F.
pub fn rel_diff(a: &[f64], b: &[f64]) -> f64 {
    let num: f64 = a.iter().zip(b).map(|(x, y)| (x - y).powi(2)).sum();
    let den: f64 = b.iter().map(|y| y * y).sum();
    (num / den.max(f64::MIN_POSITIVE)).sqrt()
}

/// Relative distance of a rotation from the identity, ‖R − I‖_F / √d.
pub fn from_identity(r: &[f64], d: usize) -> f64 {
    let mut s = 0.0;
    for i in 0..d {
        for j in 0..d {
            let e = r[i * d + j] - if i == j { 1.0 } else { 0.0 };
            s += e * e;
        }
    }
    (s / d as f64).sqrt()
}

pub fn to_f32(v: &[f64]) -> Vec<f32> {
    v.iter().map(|&x| x as f32).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rotation_is_orthogonal_and_procrustes_recovers_it() {
        let d = 16;
        let q = random_rotation(d, 3);
        let qt: Vec<f64> = (0..d * d).map(|k| q[(k % d) * d + k / d]).collect();
        let m = DMatrix::from_row_slice(d, d, &q) * DMatrix::from_row_slice(d, d, &qt);
        assert!((m - DMatrix::<f64>::identity(d, d)).norm() < 1e-10);
        // Y = X Qᵀ for a random X: Procrustes on XᵀY gives Qᵀ.
        let mut rng = stream(1, "x");
        let x: Vec<f32> = (0..64 * d).map(|_| normal(&mut rng) as f32).collect();
        let y = matmul(&x, 64, d, &to_f32(&qt), d).unwrap();
        let mut acc = vec![0f64; d * d];
        add_at_b(&mut acc, &x, 64, d, &y, d).unwrap();
        let (r, _) = procrustes(&acc, d).unwrap();
        assert!(rel_diff(&r, &qt) < 1e-5, "{}", rel_diff(&r, &qt));
        assert!(from_identity(&r, d) > 0.5);
        assert_eq!(
            transpose(&[1., 2., 3., 4., 5., 6.], 2, 3),
            vec![1., 4., 2., 5., 3., 6.]
        );
    }
}

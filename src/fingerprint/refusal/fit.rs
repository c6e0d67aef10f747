//! Multinomial logistic regression with an L2 penalty, fitted by Newton's
//! method (iteratively reweighted least squares; Hastie, Tibshirani &
//! Friedman, *The Elements of Statistical Learning*, 2nd ed., §4.4.1).
//!
//! Written here rather than taken from a crate because the fit must be
//! reproducible to the last bit so that the shipped model file can be
//! rebuilt byte for byte: f64 throughout, every sum in row order on one
//! thread, a Cholesky solve of the (small, dense) Hessian, a halving line
//! search, and a fixed iteration cap with a tight gradient tolerance. With
//! a few dozen features and three classes the Hessian is under 100×100.
//!
//! Class 0 is the reference (its weights are fixed at 0), which makes the
//! parameters identifiable; intercepts are not penalised.

/// Newton iterations at most.
pub const MAX_ITER: usize = 100;
/// Stop when every gradient component is below this.
const TOL: f64 = 1e-9;

/// Fitted parameters: intercept and weights per class (class 0 all zero).
#[derive(Debug, Clone, PartialEq)]
pub struct Fit {
    pub intercept: Vec<f64>,
    pub weights: Vec<Vec<f64>>,
    pub iterations: usize,
}

/// Parameter layout: for each class c ≥ 1, `[b_c, w_c1 .. w_cd]`.
struct Shape {
    k: usize,
    d: usize,
}

impl Shape {
    fn len(&self) -> usize {
        (self.k - 1) * (self.d + 1)
    }

    /// Linear scores of one row (class 0 scores 0).
    fn scores(&self, th: &[f64], x: &[f64], out: &mut [f64]) {
        out[0] = 0.0;
        for c in 1..self.k {
            let p = &th[(c - 1) * (self.d + 1)..c * (self.d + 1)];
            let mut s = p[0];
            for (w, v) in p[1..].iter().zip(x) {
                s += w * v;
            }
            out[c] = s;
        }
    }
}

/// Softmax in place; returns log of the normaliser (log-sum-exp).
fn softmax(s: &mut [f64]) -> f64 {
    let m = s.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let mut z = 0.0;
    for v in s.iter_mut() {
        *v = (*v - m).exp();
        z += *v;
    }
    for v in s.iter_mut() {
        *v /= z;
    }
    m + z.ln()
}

/// Penalised negative log-likelihood.
fn loss(sh: &Shape, th: &[f64], x: &[Vec<f64>], y: &[usize], lambda: f64) -> f64 {
    let mut s = vec![0.0; sh.k];
    let mut l = 0.0;
    for (xi, &yi) in x.iter().zip(y) {
        sh.scores(th, xi, &mut s);
        let sy = s[yi];
        l += softmax(&mut s) - sy;
    }
    l + 0.5 * lambda * penalised(sh, th).map(|v| v * v).sum::<f64>()
}

/// The penalised parameters (every weight, no intercept).
fn penalised<'a>(sh: &'a Shape, th: &'a [f64]) -> impl Iterator<Item = f64> + 'a {
    th.iter()
        .enumerate()
        .filter(move |(i, _)| i % (sh.d + 1) != 0)
        .map(|(_, v)| *v)
}

/// Gradient and Hessian of the penalised loss.
fn derivatives(
    sh: &Shape,
    th: &[f64],
    x: &[Vec<f64>],
    y: &[usize],
    lambda: f64,
) -> (Vec<f64>, Vec<f64>) {
    let (n, d1) = (sh.len(), sh.d + 1);
    let mut g = vec![0.0; n];
    let mut h = vec![0.0; n * n];
    let mut p = vec![0.0; sh.k];
    let mut xa = vec![1.0; d1];
    for (xi, &yi) in x.iter().zip(y) {
        sh.scores(th, xi, &mut p);
        softmax(&mut p);
        xa[1..].copy_from_slice(xi);
        for c in 1..sh.k {
            let r = p[c] - f64::from(u8::from(yi == c));
            for j in 0..d1 {
                g[(c - 1) * d1 + j] += r * xa[j];
            }
            for c2 in 1..sh.k {
                let wgt = p[c] * (f64::from(u8::from(c == c2)) - p[c2]);
                for j in 0..d1 {
                    let row = ((c - 1) * d1 + j) * n + (c2 - 1) * d1;
                    let a = wgt * xa[j];
                    for (hv, xv) in h[row..row + d1].iter_mut().zip(&xa) {
                        *hv += a * xv;
                    }
                }
            }
        }
    }
    for i in 0..n {
        if i % d1 != 0 {
            g[i] += lambda * th[i];
            h[i * n + i] += lambda;
        } else {
            // A tiny ridge on intercepts keeps the Hessian definite when a
            // class is absent from the training rows.
            h[i * n + i] += 1e-8;
        }
    }
    (g, h)
}

/// Solves `h · x = g` for a symmetric positive definite `h` (Cholesky).
fn solve(h: &[f64], g: &[f64]) -> Vec<f64> {
    let n = g.len();
    let mut l = vec![0.0; n * n];
    for i in 0..n {
        for j in 0..=i {
            let mut s = h[i * n + j];
            for k in 0..j {
                s -= l[i * n + k] * l[j * n + k];
            }
            l[i * n + j] = if i == j {
                s.max(1e-300).sqrt()
            } else {
                s / l[j * n + j]
            };
        }
    }
    let mut z = vec![0.0; n];
    for i in 0..n {
        let mut s = g[i];
        for k in 0..i {
            s -= l[i * n + k] * z[k];
        }
        z[i] = s / l[i * n + i];
    }
    let mut out = vec![0.0; n];
    for i in (0..n).rev() {
        let mut s = z[i];
        for k in i + 1..n {
            s -= l[k * n + i] * out[k];
        }
        out[i] = s / l[i * n + i];
    }
    out
}

/// Fits `k` classes to rows `x` (all of length `d`) with labels `y < k`.
pub fn fit(x: &[Vec<f64>], y: &[usize], k: usize, lambda: f64) -> Fit {
    let d = x.first().map_or(0, Vec::len);
    let sh = Shape { k, d };
    let mut th = vec![0.0; sh.len()];
    let mut cur = loss(&sh, &th, x, y, lambda);
    let mut iterations = 0;
    for it in 0..MAX_ITER {
        let (g, h) = derivatives(&sh, &th, x, y, lambda);
        if g.iter().all(|v| v.abs() < TOL) {
            break;
        }
        iterations = it + 1;
        let step = solve(&h, &g);
        let mut t = 1.0;
        let mut accepted = false;
        for _ in 0..40 {
            let cand: Vec<f64> = th.iter().zip(&step).map(|(a, s)| a - t * s).collect();
            let l = loss(&sh, &cand, x, y, lambda);
            if l <= cur {
                th = cand;
                cur = l;
                accepted = true;
                break;
            }
            t *= 0.5;
        }
        if !accepted {
            break;
        }
    }
    let mut intercept = vec![0.0; k];
    let mut weights = vec![vec![0.0; d]; k];
    for c in 1..k {
        let p = &th[(c - 1) * (d + 1)..c * (d + 1)];
        intercept[c] = p[0];
        weights[c].copy_from_slice(&p[1..]);
    }
    Fit {
        intercept,
        weights,
        iterations,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn separates_three_clusters_deterministically() {
        let mut x = Vec::new();
        let mut y = Vec::new();
        for i in 0..60 {
            let c = i % 3;
            let jitter = ((i * 7919) % 13) as f64 / 13.0 - 0.5;
            x.push(vec![
                c as f64 * 2.0 + jitter,
                (c == 2) as u8 as f64 + 0.3 * jitter,
            ]);
            y.push(c);
        }
        let f = fit(&x, &y, 3, 1.0);
        assert!(f.iterations > 0 && f.iterations < MAX_ITER);
        let correct = x
            .iter()
            .zip(&y)
            .filter(|(xi, &yi)| {
                let s: Vec<f64> = (0..3)
                    .map(|c| f.intercept[c] + f.weights[c][0] * xi[0] + f.weights[c][1] * xi[1])
                    .collect();
                (0..3).max_by(|&a, &b| s[a].total_cmp(&s[b])) == Some(yi)
            })
            .count();
        assert_eq!(correct, 60);
        assert_eq!(fit(&x, &y, 3, 1.0), f);
        assert!(f.weights[0].iter().all(|&w| w == 0.0));
    }

    #[test]
    fn the_optimum_has_zero_gradient() {
        let x: Vec<Vec<f64>> = (0..40)
            .map(|i| vec![(i % 5) as f64, (i % 3) as f64])
            .collect();
        let y: Vec<usize> = (0..40).map(|i| (i * 7 % 11) % 3).collect();
        let f = fit(&x, &y, 3, 0.5);
        let sh = Shape { k: 3, d: 2 };
        let mut th = Vec::new();
        for c in 1..3 {
            th.push(f.intercept[c]);
            th.extend(&f.weights[c]);
        }
        let (g, _) = derivatives(&sh, &th, &x, &y, 0.5);
        assert!(g.iter().all(|v| v.abs() < 1e-6), "{g:?}");
    }
}

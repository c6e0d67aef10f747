//! Prior-weighted, L2-regularised logistic regression: the calibration and
//! fusion of forensic scores into log likelihood ratios.
//!
//! Fitting `logit P(H1 | x) = b + wᵀx` with the two classes weighted to
//! equal total mass makes the effective prior odds 1, so the fitted logit
//! *is* the natural log of the likelihood ratio (Brümmer & du Preez 2006,
//! "Application-independent evaluation of speaker detection", Computer
//! Speech and Language 20:230–275; Morrison 2013, "Tutorial on logistic-
//! regression calibration and fusion", Australian Journal of Forensic
//! Sciences 45:173–197). The penalty `λ/2 ‖w‖²` (intercept free) keeps the
//! weights finite when a few known cases separate perfectly.
//!
//! The fit is Newton's method on the convex objective, in a fixed order,
//! so the same data give the same bits. Systems have a handful of
//! features, and the d×d Newton step is solved by a Cholesky factorisation
//! written here: a linear-algebra crate would add a dependency for one
//! tiny solve.

/// A fitted model on standardised features.
#[derive(Debug, Clone, PartialEq)]
pub struct Fit {
    /// Per-feature mean and standard deviation used to standardise.
    pub mean: Vec<f64>,
    pub scale: Vec<f64>,
    /// Weights on the standardised features.
    pub weights: Vec<f64>,
    pub intercept: f64,
    /// Newton iterations used.
    pub iterations: usize,
}

impl Fit {
    /// Natural log likelihood ratio of one feature vector.
    pub fn ln_lr(&self, x: &[f64]) -> f64 {
        let mut z = self.intercept;
        for (j, &v) in x.iter().enumerate() {
            z += self.weights[j] * (v - self.mean[j]) / self.scale[j];
        }
        z
    }
}

/// Fit on rows `x` with labels `y` (true = H1) and penalty `lambda` (on
/// the scale of a total case weight of 1). Panics on an empty class: a
/// calibration needs known cases of both kinds, which callers check.
pub fn fit(x: &[Vec<f64>], y: &[bool], lambda: f64) -> Fit {
    let n_pos = y.iter().filter(|&&v| v).count();
    let n_neg = y.len() - n_pos;
    assert!(n_pos > 0 && n_neg > 0, "both classes are needed");
    let d = x.first().map_or(0, Vec::len);
    let (mean, scale) = standardisation(x, d);
    let z: Vec<Vec<f64>> = x
        .iter()
        .map(|r| (0..d).map(|j| (r[j] - mean[j]) / scale[j]).collect())
        .collect();
    let w: Vec<f64> = y
        .iter()
        .map(|&v| {
            if v {
                0.5 / n_pos as f64
            } else {
                0.5 / n_neg as f64
            }
        })
        .collect();
    // beta[0] is the intercept.
    let mut beta = vec![0.0; d + 1];
    let mut iterations = 0;
    for it in 0..100 {
        iterations = it + 1;
        let (g, h) = gradient_hessian(&z, y, &w, &beta, lambda);
        let step = cholesky_solve(h, &g);
        let mut size = 0.0f64;
        for (b, s) in beta.iter_mut().zip(&step) {
            *b -= s;
            size = size.max(s.abs());
        }
        if size < 1e-12 {
            break;
        }
    }
    Fit {
        mean,
        scale,
        weights: beta[1..].to_vec(),
        intercept: beta[0],
        iterations,
    }
}

fn standardisation(x: &[Vec<f64>], d: usize) -> (Vec<f64>, Vec<f64>) {
    let n = x.len() as f64;
    let mean: Vec<f64> = (0..d)
        .map(|j| x.iter().map(|r| r[j]).sum::<f64>() / n)
        .collect();
    let scale = (0..d)
        .map(|j| {
            let v = x.iter().map(|r| (r[j] - mean[j]).powi(2)).sum::<f64>() / n;
            // A constant feature is left unscaled; its weight stays 0
            // under the penalty.
            if v > 1e-24 {
                v.sqrt()
            } else {
                1.0
            }
        })
        .collect();
    (mean, scale)
}

/// Gradient and Hessian of the weighted, penalised negative log
/// likelihood at `beta`.
fn gradient_hessian(
    z: &[Vec<f64>],
    y: &[bool],
    w: &[f64],
    beta: &[f64],
    lambda: f64,
) -> (Vec<f64>, Vec<Vec<f64>>) {
    let k = beta.len();
    let mut g = vec![0.0; k];
    let mut h = vec![vec![0.0; k]; k];
    for ((row, &yi), &wi) in z.iter().zip(y).zip(w) {
        let eta = beta[0] + row.iter().zip(&beta[1..]).map(|(a, b)| a * b).sum::<f64>();
        let p = sigmoid(eta);
        let r = wi * (p - f64::from(u8::from(yi)));
        let c = wi * p * (1.0 - p);
        // The row with a leading 1 for the intercept.
        let xi: Vec<f64> = std::iter::once(1.0).chain(row.iter().copied()).collect();
        for (a, &xa) in xi.iter().enumerate() {
            g[a] += r * xa;
            for (hab, &xb) in h[a].iter_mut().zip(&xi).take(a + 1) {
                *hab += c * xa * xb;
            }
        }
    }
    for a in 1..k {
        g[a] += lambda * beta[a];
        h[a][a] += lambda;
    }
    // A tiny ridge on the intercept keeps the system definite when every
    // probability saturates.
    h[0][0] += 1e-12;
    // Mirror the lower triangle.
    let lower = h.clone();
    for (a, row) in h.iter_mut().enumerate() {
        for (b, v) in row.iter_mut().enumerate().skip(a + 1) {
            *v = lower[b][a];
        }
    }
    (g, h)
}

fn sigmoid(t: f64) -> f64 {
    if t >= 0.0 {
        1.0 / (1.0 + (-t).exp())
    } else {
        let e = t.exp();
        e / (1.0 + e)
    }
}

/// Solve `A x = b` for a symmetric positive definite `A`.
fn cholesky_solve(mut a: Vec<Vec<f64>>, b: &[f64]) -> Vec<f64> {
    let n = b.len();
    for j in 0..n {
        let d = a[j][j] - a[j][..j].iter().map(|v| v * v).sum::<f64>();
        let d = d.max(1e-300).sqrt();
        a[j][j] = d;
        for i in j + 1..n {
            let s: f64 = a[i][..j].iter().zip(&a[j][..j]).map(|(x, y)| x * y).sum();
            a[i][j] = (a[i][j] - s) / d;
        }
    }
    let mut y = vec![0.0; n];
    for i in 0..n {
        let s: f64 = (0..i).map(|k| a[i][k] * y[k]).sum();
        y[i] = (b[i] - s) / a[i][i];
    }
    let mut x = vec![0.0; n];
    for i in (0..n).rev() {
        let s: f64 = (i + 1..n).map(|k| a[k][i] * x[k]).sum();
        x[i] = (y[i] - s) / a[i][i];
    }
    x
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn separates_shifted_classes_with_a_positive_weight() {
        let x: Vec<Vec<f64>> = (0..40)
            .map(|i| vec![(i % 20) as f64 + if i < 20 { 5.0 } else { 0.0 }])
            .collect();
        let y: Vec<bool> = (0..40).map(|i| i < 20).collect();
        let f = fit(&x, &y, 1e-3);
        assert!(f.weights[0] > 0.0);
        assert!(f.ln_lr(&[30.0]) > 0.0 && f.ln_lr(&[-10.0]) < 0.0);
    }

    #[test]
    fn uninformative_feature_gives_lr_near_one() {
        let x: Vec<Vec<f64>> = (0..60).map(|i| vec![(i % 3) as f64]).collect();
        let y: Vec<bool> = (0..60).map(|i| (i / 3) % 2 == 0).collect();
        let f = fit(&x, &y, 1e-2);
        for v in [0.0, 1.0, 2.0] {
            assert!(f.ln_lr(&[v]).abs() < 1e-6, "{}", f.ln_lr(&[v]));
        }
    }

    #[test]
    fn balanced_weights_make_the_logit_a_log_lr() {
        // 20 positives, 15 of them at x=1; 30 negatives, 10 at x=1. A
        // binary feature saturates the model, so LR(1) = 0.75 / (1/3) and
        // LR(0) = 0.25 / (2/3), whatever the class sizes.
        let mut x = vec![vec![1.0]; 15];
        x.extend(vec![vec![0.0]; 5]);
        x.extend(vec![vec![1.0]; 10]);
        x.extend(vec![vec![0.0]; 20]);
        let y: Vec<bool> = (0..50).map(|i| i < 20).collect();
        let f = fit(&x, &y, 0.0);
        assert!((f.ln_lr(&[1.0]) - 2.25f64.ln()).abs() < 1e-9);
        assert!((f.ln_lr(&[0.0]) - 0.375f64.ln()).abs() < 1e-9);
    }

    #[test]
    fn cholesky_solves_a_small_system() {
        let a = vec![vec![4.0, 2.0], vec![2.0, 3.0]];
        let x = cholesky_solve(a, &[2.0, 1.0]);
        assert!((4.0 * x[0] + 2.0 * x[1] - 2.0).abs() < 1e-12);
        assert!((2.0 * x[0] + 3.0 * x[1] - 1.0).abs() < 1e-12);
    }
}

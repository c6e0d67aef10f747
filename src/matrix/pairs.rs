//! Pairwise calibrated evidence for `lineage matrix`.
//!
//! Every model is compared with every other, each time calibrated against
//! all remaining models as the reference panel, with the statistics of
//! `compare` ([`crate::stats::excess`], [`crate::compare::analysis`]):
//!
//! - excess similarity `e(S,T)`: mean over probes of
//!   `s_i(S,T) − ½ (r_i(S) + r_i(T))`, `r_i(X)` the mean similarity of X to
//!   the panel (all models but S and T), per family and combined with the
//!   weights of `compare` over each family's scale;
//! - its between-model p-value: the prediction-interval test
//!   ([`crate::stats::panel`], Geisser 1993) of `e(S,T)` against S's excess
//!   over every other model — is T closer to S than an unrelated model
//!   would be?
//!
//! Each model's most likely teacher is the model with the largest `style`
//! excess (the ranking family of `compare`). For that pair only, the full
//! evidence of `compare` is computed: bootstrap CI of the per-probe excess
//! (Efron & Tibshirani 1993), the one-sided sign-flip test (Fisher 1935)
//! against the panel members with the smallest mean contrast (the hardest
//! ones; testing all m members for all models would cost m times more and
//! the maximum p-value is attained among the hardest in practice — the
//! report says how many were tested), the intersection-union of both parts
//! (Berger 1982), and Holm's adjustment across families (Holm 1979).
//! Similarity is symmetric, so these families cannot tell teacher from
//! student: "teacher" names the closest relative.

use std::collections::BTreeMap;

use rayon::prelude::*;

use crate::compare::analysis::{combination_weight, FamilyCube, Resampling, COMBINED, RANK_FAMILY};
use crate::report::schema::{Estimate, FamilyResult};
use crate::stats::{bootstrap, excess::SimCube, holm, mean, panel, rng::stream, sd, signflip};

/// Panel members tested at the probe level per family (the hardest ones).
pub const RIVALS: usize = 5;

/// Summary statistics of one family over all model pairs.
pub struct Family<'a> {
    pub name: &'static str,
    pub weight: f64,
    cube: &'a SimCube,
    n: usize,
    /// Mean similarity of each pair, `n × n`, zero diagonal.
    mean: Vec<f64>,
    /// Per-probe standard deviation of each pair's similarity.
    sd: Vec<f64>,
    /// Per model, per probe: sum of its similarities to all other models.
    hub_sum: Vec<Vec<f64>>,
}

impl<'a> Family<'a> {
    pub fn new(fc: &'a FamilyCube, n: usize) -> Self {
        let cube = &fc.cube;
        let probes = cube.probes();
        let rows: Vec<(Vec<f64>, Vec<f64>, Vec<f64>)> = (0..n)
            .into_par_iter()
            .map(|a| {
                let mut m = vec![0.0; n];
                let mut s = vec![0.0; n];
                let mut hub = vec![0.0; probes];
                for b in (0..n).filter(|&b| b != a) {
                    let x: Vec<f64> = cube.pair(a, b).iter().map(|&v| f64::from(v)).collect();
                    m[b] = mean(&x);
                    s[b] = sd(&x);
                    hub.iter_mut().zip(&x).for_each(|(h, v)| *h += v);
                }
                (m, s, hub)
            })
            .collect();
        let mut out = Family {
            name: fc.name,
            weight: fc.weight,
            cube,
            n,
            mean: Vec::with_capacity(n * n),
            sd: Vec::with_capacity(n * n),
            hub_sum: Vec::with_capacity(n),
        };
        for (m, s, h) in rows {
            out.mean.extend(m);
            out.sd.extend(s);
            out.hub_sum.push(h);
        }
        out
    }

    fn m(&self, a: usize, b: usize) -> f64 {
        self.mean[a * self.n + b]
    }

    /// Mean similarity of `x` to every model outside `excl` (which holds x).
    fn hub_mean(&self, x: usize, excl: &[usize]) -> f64 {
        let row: f64 = (0..self.n).filter(|&y| y != x).map(|y| self.m(x, y)).sum();
        let drop: f64 = excl
            .iter()
            .filter(|&&e| e != x)
            .map(|&e| self.m(x, e))
            .sum();
        (row - drop) / (self.n.saturating_sub(excl.len())).max(1) as f64
    }

    /// Per-probe version of [`Self::hub_mean`].
    fn hub(&self, x: usize, excl: &[usize]) -> Vec<f64> {
        let k = (self.n.saturating_sub(excl.len())).max(1) as f64;
        let mut h = self.hub_sum[x].clone();
        for &e in excl.iter().filter(|&&e| e != x) {
            h.iter_mut()
                .zip(self.cube.pair(x, e))
                .for_each(|(a, &v)| *a -= f64::from(v));
        }
        h.iter_mut().for_each(|a| *a /= k);
        h
    }

    /// Mean excess of S over T with all other models as the panel.
    pub fn excess(&self, s: usize, t: usize) -> f64 {
        self.m(s, t) - 0.5 * (self.hub_mean(s, &[s, t]) + self.hub_mean(t, &[s, t]))
    }

    /// Scale of the family for student `s` (mean per-probe SD of its
    /// similarity to the others), as in `compare`.
    fn scale(&self, s: usize) -> f64 {
        let v: Vec<f64> = (0..self.n)
            .filter(|&r| r != s)
            .map(|r| self.sd[s * self.n + r])
            .collect();
        mean(&v)
    }

    fn mean_contrast(&self, s: usize, t: usize, r: usize) -> f64 {
        (self.m(s, t) - 0.5 * self.hub_mean(t, &[s, t]))
            - (self.m(s, r) - 0.5 * self.hub_mean(r, &[s, t, r]))
    }

    fn excess_series(&self, s: usize, t: usize) -> Vec<f64> {
        let (hs, ht) = (self.hub(s, &[s, t]), self.hub(t, &[s, t]));
        self.cube
            .pair(s, t)
            .iter()
            .zip(hs.iter().zip(&ht))
            .map(|(&v, (a, b))| f64::from(v) - 0.5 * (a + b))
            .collect()
    }

    fn contrast_series(&self, s: usize, t: usize, r: usize) -> Vec<f64> {
        let (ht, hr) = (self.hub(t, &[s, t]), self.hub(r, &[s, t, r]));
        let (st, sr) = (self.cube.pair(s, t), self.cube.pair(s, r));
        (0..st.len())
            .map(|i| (f64::from(st[i]) - 0.5 * ht[i]) - (f64::from(sr[i]) - 0.5 * hr[i]))
            .collect()
    }
}

/// Excess of every ordered pair per family plus `combined` (row = student),
/// over all `n` models; diagonal zero.
pub struct Excess {
    pub n: usize,
    pub by_family: BTreeMap<String, Vec<f64>>,
    /// Combination weight of each family for each student.
    pub weights: Vec<Vec<f64>>,
}

impl Excess {
    pub fn get(&self, family: &str, s: usize, t: usize) -> f64 {
        self.by_family[family][s * self.n + t]
    }

    /// Between-model p-value of `e(S,T)` against S's excess over every
    /// other model.
    pub fn p_between(&self, family: &str, s: usize, t: usize) -> f64 {
        let row = &self.by_family[family][s * self.n..(s + 1) * self.n];
        let null: Vec<f64> = (0..self.n)
            .filter(|&r| r != s && r != t)
            .map(|r| row[r])
            .collect();
        panel::prediction_p(row[t], &null)
    }
}

pub fn excess_all(fams: &[Family]) -> Excess {
    let n = fams.first().map_or(0, |f| f.n);
    let weights: Vec<Vec<f64>> = (0..n)
        .map(|s| {
            fams.iter()
                .map(|f| combination_weight(f.weight, f.scale(s)))
                .collect()
        })
        .collect();
    let mut by_family = BTreeMap::new();
    let mut combined = vec![0.0; n * n];
    for (k, f) in fams.iter().enumerate() {
        let e: Vec<f64> = (0..n * n)
            .into_par_iter()
            .map(|i| {
                let (s, t) = (i / n, i % n);
                if s == t {
                    0.0
                } else {
                    f.excess(s, t)
                }
            })
            .collect();
        for (i, c) in combined.iter_mut().enumerate() {
            *c += weights[i / n][k] * e[i];
        }
        by_family.insert(f.name.to_string(), e);
    }
    by_family.insert(COMBINED.to_string(), combined);
    Excess {
        n,
        by_family,
        weights,
    }
}

/// Full evidence that `t` is `s`'s teacher, per family and combined, Holm
/// adjusted; the same fields as a `compare` candidate.
pub fn evidence(
    fams: &[Family],
    ex: &Excess,
    names: &[String],
    s: usize,
    t: usize,
    rs: Resampling,
) -> BTreeMap<String, FamilyResult> {
    let n = ex.n;
    let others: Vec<usize> = (0..n).filter(|&r| r != s && r != t).collect();
    let w = &ex.weights[s];
    let mut out = BTreeMap::new();
    let mut combined_excess = vec![0.0; fams[0].cube.probes()];
    let mut combined_mc: Vec<f64> = vec![0.0; n];
    for (k, f) in fams.iter().enumerate() {
        let series = f.excess_series(s, t);
        combined_excess
            .iter_mut()
            .zip(&series)
            .for_each(|(c, v)| *c += w[k] * v);
        let mc: Vec<f64> = (0..n)
            .map(|r| {
                if others.contains(&r) {
                    f.mean_contrast(s, t, r)
                } else {
                    0.0
                }
            })
            .collect();
        combined_mc
            .iter_mut()
            .zip(&mc)
            .for_each(|(c, v)| *c += w[k] * v);
        let rivals = hardest(&others, &mc);
        let contrasts: Vec<Vec<f64>> = rivals.iter().map(|&r| f.contrast_series(s, t, r)).collect();
        let sims: Vec<f64> = others.iter().map(|&r| f.m(s, r)).collect();
        let r = summarise(
            &series,
            &contrasts,
            &rivals,
            ex,
            f.name,
            (f.m(s, t), mean(&sims)),
            names,
            s,
            t,
            rs,
        );
        out.insert(f.name.to_string(), r);
    }
    let rivals = hardest(&others, &combined_mc);
    let contrasts: Vec<Vec<f64>> = rivals
        .iter()
        .map(|&r| {
            let mut c = vec![0.0; combined_excess.len()];
            for (k, f) in fams.iter().enumerate() {
                c.iter_mut()
                    .zip(f.contrast_series(s, t, r))
                    .for_each(|(a, v)| *a += w[k] * v);
            }
            c
        })
        .collect();
    let sim =
        |x: &dyn Fn(&Family) -> f64| -> f64 { fams.iter().zip(w).map(|(f, wk)| wk * x(f)).sum() };
    let sims = (
        sim(&|f| f.m(s, t)),
        sim(&|f| mean(&others.iter().map(|&r| f.m(s, r)).collect::<Vec<_>>())),
    );
    let c = summarise(
        &combined_excess,
        &contrasts,
        &rivals,
        ex,
        COMBINED,
        sims,
        names,
        s,
        t,
        rs,
    );
    let keys: Vec<String> = out.keys().cloned().collect();
    let adjusted = holm::adjust(&keys.iter().map(|k| out[k].p_value).collect::<Vec<_>>());
    for (k, p) in keys.iter().zip(adjusted) {
        out.get_mut(k).expect("key from map").p_holm = p;
    }
    let mut c = c;
    c.p_holm = c.p_value;
    out.insert(COMBINED.to_string(), c);
    out
}

/// The [`RIVALS`] panel members with the smallest mean contrast, ties by
/// index.
fn hardest(others: &[usize], mc: &[f64]) -> Vec<usize> {
    let mut v = others.to_vec();
    v.sort_by(|&a, &b| mc[a].total_cmp(&mc[b]).then(a.cmp(&b)));
    v.truncate(RIVALS);
    v
}

#[allow(clippy::too_many_arguments)]
fn summarise(
    series: &[f64],
    contrasts: &[Vec<f64>],
    rivals: &[usize],
    ex: &Excess,
    family: &str,
    sims: (f64, f64),
    names: &[String],
    s: usize,
    t: usize,
    rs: Resampling,
) -> FamilyResult {
    let task =
        |what: &str, r: &str| format!("matrix/{what}/{}/{}/{family}/{r}", names[s], names[t]);
    let ci = bootstrap::mean_ci(
        series,
        rs.bootstrap,
        rs.confidence,
        &mut stream(rs.seed, &task("bootstrap", "")),
    );
    let ps: Vec<f64> = contrasts
        .iter()
        .zip(rivals)
        .map(|(d, &r)| {
            signflip::p_value(
                d,
                rs.resamples,
                &mut stream(rs.seed, &task("signflip", &names[r])),
            )
        })
        .collect();
    let worst = crate::stats::first_max(&ps);
    let p_probes = worst.map_or(1.0, |j| ps[j]);
    let p_between = ex.p_between(family, s, t);
    let d = sd(series);
    FamilyResult {
        similarity: sims.0,
        panel_similarity: sims.1,
        excess: Estimate {
            estimate: ci.estimate,
            ci_low: ci.ci_low,
            ci_high: ci.ci_high,
        },
        effect_size: if d > 0.0 { ci.estimate / d } else { 0.0 },
        p_value: p_probes.max(p_between),
        p_holm: 1.0,
        hardest_reference: worst.map(|j| names[rivals[j]].clone()),
        p_probes: Some(p_probes),
        p_between_models: Some(p_between),
        resamples_drawn: None,
    }
}

/// Index of `s`'s most likely teacher among `analysed` (largest style
/// excess, ties by index) and the runner-up.
pub fn rank(ex: &Excess, s: usize, analysed: usize) -> (Option<usize>, Option<usize>) {
    let fam = if ex.by_family.contains_key(RANK_FAMILY) {
        RANK_FAMILY
    } else {
        COMBINED
    };
    let mut c: Vec<usize> = (0..analysed).filter(|&t| t != s).collect();
    c.sort_by(|&a, &b| {
        ex.get(fam, s, b)
            .total_cmp(&ex.get(fam, s, a))
            .then(a.cmp(&b))
    });
    (c.first().copied(), c.get(1).copied())
}

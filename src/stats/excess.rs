//! Hubness-corrected excess similarity.
//!
//! Some models resemble everyone (generic answers make "hubs", Radovanović
//! et al. 2010, "Hubs in space", JMLR 11). Raw similarity would then favour
//! hub teachers. Following the cross-domain similarity local scaling of
//! Conneau et al. (2018, "Word translation without parallel data", ICLR),
//! each model's similarity is discounted by its mean similarity to the
//! reference panel on the same probe:
//!
//! - excess of S over T on probe i:
//!   `e_i = s_i(S,T) − ½ (r_i(S) + r_i(T))`, with `r_i(X)` the mean
//!   similarity of X to the panel members other than X;
//! - contrast of T against reference R on probe i:
//!   `d_i = (s_i(S,T) − ½ r_i(T)) − (s_i(S,R) − ½ r_i(R))`, positive when S is
//!   closer to T than to R after both are discounted for hubness.

use rayon::prelude::*;

use crate::fingerprint::sparse::bucket_sort;
use crate::fingerprint::Features;

/// Per-probe similarities of every unordered model pair for one family.
#[derive(Debug, Clone)]
pub struct SimCube {
    models: usize,
    probes: usize,
    /// `data[pair_index(a, b) * probes + p]`, pairs with a < b.
    data: Vec<f32>,
}

impl SimCube {
    /// Cosines of every pair of models on every probe.
    pub fn from_features(f: &Features) -> SimCube {
        let models = f.len();
        let probes = f.first().map_or(0, Vec::len);
        let pairs: Vec<(usize, usize)> = (0..models)
            .flat_map(|a| (a + 1..models).map(move |b| (a, b)))
            .collect();
        let data = pairs
            .par_iter()
            .flat_map_iter(|&(a, b)| (0..probes).map(move |p| f[a][p].dot(&f[b][p]) as f32))
            .collect();
        SimCube {
            models,
            probes,
            data,
        }
    }

    /// The same cube as [`Self::from_features`], bit for bit, computed per
    /// probe through an inverted index: entries of all models are grouped by
    /// feature id (in increasing id order, models in order within an id),
    /// and each shared feature adds its products to the pairs that share
    /// it. Per pair the products are added in increasing feature order,
    /// which is the order of the merge in
    /// [`crate::fingerprint::SparseVec::dot`], so the sums are identical.
    /// Work is proportional to the matching entries rather than to every
    /// pair's combined length.
    pub fn from_features_inverted(f: &Features) -> SimCube {
        let models = f.len();
        let probes = f.first().map_or(0, Vec::len);
        let n_pairs = models * models.saturating_sub(1) / 2;
        let per_probe: Vec<Vec<f32>> = (0..probes)
            .into_par_iter()
            .map_init(Grouper::default, |g, p| {
                g.fill(f.iter().map(|model| &model[p]));
                g.pair_sums(models, n_pairs)
            })
            .collect();
        let mut data = vec![0.0f32; n_pairs * probes];
        for (p, col) in per_probe.iter().enumerate() {
            for (pair, &x) in col.iter().enumerate() {
                data[pair * probes + p] = x;
            }
        }
        SimCube {
            models,
            probes,
            data,
        }
    }

    /// Element-wise mean of several cubes of the same shape.
    pub fn mean_of(cubes: &[SimCube]) -> SimCube {
        let first = &cubes[0];
        let k = cubes.len() as f32;
        let data = (0..first.data.len())
            .map(|i| cubes.iter().map(|c| c.data[i]).sum::<f32>() / k)
            .collect();
        SimCube {
            models: first.models,
            probes: first.probes,
            data,
        }
    }

    pub fn probes(&self) -> usize {
        self.probes
    }

    fn pair_index(&self, a: usize, b: usize) -> usize {
        let (a, b) = if a < b { (a, b) } else { (b, a) };
        a * (2 * self.models - a - 1) / 2 + (b - a - 1)
    }

    /// Similarities of models `a` and `b` (a ≠ b) over all probes.
    pub fn pair(&self, a: usize, b: usize) -> &[f32] {
        assert_ne!(a, b, "a model's similarity to itself is not stored");
        let start = self.pair_index(a, b) * self.probes;
        &self.data[start..start + self.probes]
    }

    /// `r_i(x)`: mean similarity of `x` to the panel members other than `x`.
    pub fn hub(&self, x: usize, panel: &[usize]) -> Vec<f64> {
        let others: Vec<usize> = panel.iter().copied().filter(|&r| r != x).collect();
        let mut acc = vec![0.0f64; self.probes];
        for &r in &others {
            for (a, &s) in acc.iter_mut().zip(self.pair(x, r)) {
                *a += f64::from(s);
            }
        }
        let k = others.len().max(1) as f64;
        acc.iter_mut().for_each(|a| *a /= k);
        acc
    }

    /// Per-probe excess similarity `e_i` of student `s` over candidate `t`.
    pub fn excess(&self, s: usize, t: usize, panel: &[usize]) -> Vec<f64> {
        let (rs, rt) = (self.hub(s, panel), self.hub(t, panel));
        self.pair(s, t)
            .iter()
            .zip(rs.iter().zip(&rt))
            .map(|(&st, (a, b))| f64::from(st) - 0.5 * (a + b))
            .collect()
    }

    /// Per-probe contrast `d_i` of candidate `t` against reference `r`.
    pub fn contrast(&self, s: usize, t: usize, r: usize, panel: &[usize]) -> Vec<f64> {
        let (ht, hr) = (self.hub(t, panel), self.hub(r, panel));
        let (st, sr) = (self.pair(s, t), self.pair(s, r));
        (0..self.probes)
            .map(|i| (f64::from(st[i]) - 0.5 * ht[i]) - (f64::from(sr[i]) - 0.5 * hr[i]))
            .collect()
    }
}

/// Entries of one probe's vectors grouped by feature id with the stable
/// [`bucket_sort`] (the ids are hashes, so its buckets are small and even);
/// entries go in by model, so equal ids stay in model order.
#[derive(Default)]
struct Grouper {
    /// `(id, model, value)`, sorted by `(id, model)` after [`Self::fill`].
    entries: Vec<(u32, u32, f32)>,
    scratch: Vec<(u32, u32, f32)>,
    starts: Vec<usize>,
    acc: Vec<f64>,
}

impl Grouper {
    fn fill<'a>(&mut self, vectors: impl Iterator<Item = &'a crate::fingerprint::SparseVec>) {
        self.scratch.clear();
        for (m, v) in vectors.enumerate() {
            self.scratch
                .extend(v.idx.iter().zip(&v.val).map(|(&i, &x)| (i, m as u32, x)));
        }
        bucket_sort(
            &self.scratch,
            &mut self.entries,
            &mut self.starts,
            |e| e.0,
            16,
            CROWDED,
        );
    }

    /// Sum of products over shared features for every pair `a < b`.
    fn pair_sums(&mut self, models: usize, n_pairs: usize) -> Vec<f32> {
        self.acc.clear();
        self.acc.resize(n_pairs, 0.0);
        let entries = &self.entries;
        let mut start = 0;
        while start < entries.len() {
            let id = entries[start].0;
            let mut end = start + 1;
            while end < entries.len() && entries[end].0 == id {
                end += 1;
            }
            let group = &entries[start..end];
            for (k, &(_, a, va)) in group.iter().enumerate() {
                let (a, va) = (a as usize, f64::from(va));
                let row = a * (2 * models - a - 1) / 2;
                for &(_, b, vb) in &group[k + 1..] {
                    self.acc[row + (b as usize - a - 1)] += va * f64::from(vb);
                }
            }
            start = end;
        }
        self.acc.iter().map(|&x| x as f32).collect()
    }
}

/// Largest bucket left to insertion sort: its cost grows with the square
/// of the bucket, and hostile text can crowd one bucket on purpose.
const CROWDED: usize = 32;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fingerprint::SparseVec;

    fn unit(i: u32) -> SparseVec {
        SparseVec::from_pairs(vec![(i, 1.0)])
    }

    #[test]
    fn inverted_index_gives_the_same_bits() {
        let v = |pairs: Vec<(u32, f32)>| {
            let mut x = SparseVec::from_pairs(pairs);
            x.normalise();
            x
        };
        let f = vec![
            vec![v(vec![(1, 0.3), (5, 1.1), (9, 0.7)]), v(vec![(2, 1.0)])],
            vec![v(vec![(1, 0.2), (9, 0.9)]), v(vec![(2, 0.5), (3, 0.5)])],
            vec![v(vec![(5, 0.4), (9, 0.1), (11, 2.0)]), SparseVec::default()],
            vec![
                v(vec![(1, 1.0), (5, 1.0), (9, 1.0), (11, 1.0)]),
                v(vec![(3, 1.0)]),
            ],
        ];
        let a = SimCube::from_features(&f);
        let b = SimCube::from_features_inverted(&f);
        assert_eq!(a.data.len(), b.data.len());
        for (x, y) in a.data.iter().zip(&b.data) {
            assert_eq!(x.to_bits(), y.to_bits());
        }
    }

    #[test]
    fn inverted_index_matches_merge_on_random_vectors() {
        use rand::Rng;
        let mut rng = crate::stats::rng::stream(9, "cube-test");
        let mut vec_of = |len: usize, ids: u32| {
            let pairs = (0..len)
                .map(|_| (rng.gen_range(0..ids), rng.gen_range(-1.0f32..2.0)))
                .collect();
            let mut x = SparseVec::from_pairs(pairs);
            x.normalise();
            x
        };
        // Few distinct ids (large groups and buckets) and many (sparse).
        for (ids, len) in [(40, 30), (u32::MAX, 400), (5000, 2000)] {
            let f: Vec<Vec<SparseVec>> = (0..7)
                .map(|m| (0..3).map(|p| vec_of(len * (m + p) / 6, ids)).collect())
                .collect();
            let a = SimCube::from_features(&f);
            let b = SimCube::from_features_inverted(&f);
            let bits = |c: &SimCube| c.data.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
            assert_eq!(bits(&a), bits(&b));
        }
    }

    #[test]
    fn cube_is_symmetric_and_excess_detects_copy() {
        // Models: 0 student, 1 teacher (same as student), 2..4 panel.
        let f = vec![
            vec![unit(1), unit(2)],
            vec![unit(1), unit(2)],
            vec![unit(3), unit(2)],
            vec![unit(4), unit(5)],
            vec![unit(6), unit(7)],
        ];
        let c = SimCube::from_features(&f);
        assert_eq!(c.pair(0, 1), c.pair(1, 0));
        let panel = [2, 3, 4];
        let e = c.excess(0, 1, &panel);
        assert!(e[0] > 0.9);
        // Probe 0: only S and T agree. Probe 1: S, T and reference 2 all
        // agree, and T is the bigger hub there, so the contrast is negative.
        let d = c.contrast(0, 1, 2, &panel);
        assert!(d[0] > 0.9);
        assert!(d[1] < 0.0);
        assert!(d[0] + d[1] > 0.0);
    }
}

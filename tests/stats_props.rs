//! Property tests of the statistical building blocks.

use lineage::fingerprint::SparseVec;
use lineage::stats::excess::SimCube;
use lineage::stats::rng::stream;
use lineage::stats::{bootstrap, holm, signflip};
use proptest::prelude::*;

/// Any finite f64, including huge, tiny and subnormal values and zeros.
fn finite() -> impl Strategy<Value = f64> {
    prop::num::f64::POSITIVE
        | prop::num::f64::NEGATIVE
        | prop::num::f64::ZERO
        | prop::num::f64::SUBNORMAL
        | prop::num::f64::NORMAL
}

/// Values on the scale of similarities and their differences.
fn moderate() -> impl Strategy<Value = f64> {
    -1.0e3..1.0e3f64
}

/// A sparse vector with up to `n` entries on ids below `max_id`.
fn sparse(n: usize, max_id: u32) -> impl Strategy<Value = SparseVec> {
    prop::collection::vec((0..max_id, -1.0f32..1.0), 0..n).prop_map(SparseVec::from_pairs)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn signflip_p_value_lies_in_the_unit_interval(
        d in prop::collection::vec(finite(), 0..40),
        resamples in 0usize..200,
        seed in any::<u64>(),
    ) {
        let p = signflip::p_value(&d, resamples, &mut stream(seed, "prop"));
        prop_assert!(p > 0.0 && p <= 1.0, "p = {p}");
        // Its granularity is 1 / (B + 1).
        let hits = p * (resamples + 1) as f64;
        prop_assert!((hits - hits.round()).abs() < 1e-6, "p = {p}");
    }

    #[test]
    fn signflip_is_reproducible_for_a_seed(
        d in prop::collection::vec(moderate(), 1..60),
        seed in any::<u64>(),
    ) {
        let a = signflip::p_value(&d, 99, &mut stream(seed, "same"));
        let b = signflip::p_value(&d, 99, &mut stream(seed, "same"));
        prop_assert_eq!(a.to_bits(), b.to_bits());
    }

    #[test]
    fn signflip_of_zero_differences_is_one(n in 1usize..50, seed in any::<u64>()) {
        prop_assert_eq!(signflip::p_value(&vec![0.0; n], 49, &mut stream(seed, "z")), 1.0);
    }

    #[test]
    fn bootstrap_interval_contains_its_estimate(
        x in prop::collection::vec(moderate(), 0..60),
        resamples in 0usize..200,
        level in 0.5f64..0.999,
        seed in any::<u64>(),
    ) {
        let ci = bootstrap::mean_ci(&x, resamples, level, &mut stream(seed, "ci"));
        prop_assert!(ci.ci_low <= ci.estimate && ci.estimate <= ci.ci_high, "{ci:?}");
        let mean = if x.is_empty() { 0.0 } else { x.iter().sum::<f64>() / x.len() as f64 };
        prop_assert_eq!(ci.estimate.to_bits(), mean.to_bits());
        // Bootstrap means stay within the range of the data.
        if let (Some(lo), Some(hi)) = (
            x.iter().copied().reduce(f64::min),
            x.iter().copied().reduce(f64::max),
        ) {
            let tol = 1e-9 * (1.0 + lo.abs().max(hi.abs()));
            prop_assert!(ci.ci_low >= lo - tol && ci.ci_high <= hi + tol, "{ci:?} vs [{lo}, {hi}]");
        }
        let again = bootstrap::mean_ci(&x, resamples, level, &mut stream(seed, "ci"));
        prop_assert_eq!(ci, again);
    }

    #[test]
    fn holm_adjustment_is_bounded_and_monotone(p in prop::collection::vec(0.0f64..=1.0, 0..12)) {
        let adj = holm::adjust(&p);
        prop_assert_eq!(adj.len(), p.len());
        for (a, raw) in adj.iter().zip(&p) {
            prop_assert!(*a >= *raw && *a <= 1.0, "raw {raw} adjusted {a}");
        }
        for i in 0..p.len() {
            for j in 0..p.len() {
                if p[i] <= p[j] {
                    prop_assert!(adj[i] <= adj[j], "p {:?} adjusted {:?}", p, adj);
                }
            }
        }
        // The smallest raw p-value is multiplied by the number of tests.
        if let Some(min) = p.iter().copied().reduce(f64::min) {
            let first = adj.iter().copied().fold(f64::INFINITY, f64::min);
            prop_assert!((first - (min * p.len() as f64).min(1.0)).abs() < 1e-12);
        }
    }

    #[test]
    fn sparse_dot_is_symmetric(a in sparse(30, 64), b in sparse(30, 64)) {
        prop_assert_eq!(a.dot(&b).to_bits(), b.dot(&a).to_bits());
        // And it matches a dense computation.
        let dense = |v: &SparseVec| {
            let mut d = vec![0.0f64; 64];
            for (&i, &x) in v.idx.iter().zip(&v.val) {
                d[i as usize] = f64::from(x);
            }
            d
        };
        let (da, db) = (dense(&a), dense(&b));
        let expected: f64 = da.iter().zip(&db).map(|(x, y)| x * y).sum();
        prop_assert!((a.dot(&b) - expected).abs() < 1e-9);
    }

    #[test]
    fn from_pairs_gives_strictly_increasing_ids(a in sparse(40, 16)) {
        prop_assert!(a.idx.windows(2).all(|w| w[0] < w[1]));
        prop_assert_eq!(a.idx.len(), a.val.len());
    }

    #[test]
    fn sim_cube_pairs_are_symmetric(
        (models, probes, f) in (2usize..6, 0usize..8).prop_flat_map(|(m, p)| {
            (
                Just(m),
                Just(p),
                prop::collection::vec(prop::collection::vec(sparse(8, 24), p), m),
            )
        })
    ) {
        let cube = SimCube::from_features(&f);
        prop_assert_eq!(cube.probes(), probes);
        for a in 0..models {
            for b in 0..models {
                if a == b {
                    continue;
                }
                prop_assert_eq!(cube.pair(a, b), cube.pair(b, a));
                for (p, &s) in cube.pair(a, b).iter().enumerate() {
                    prop_assert_eq!(s, f[a][p].dot(&f[b][p]) as f32);
                }
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Sequential sign-flip p-values (Besag & Clifford 1991): in (0, 1],
    /// deterministic, never more draws than allowed, and, on the same
    /// random stream, the same decision at alpha as the fixed-size test
    /// and the same p-value whenever that is at or below alpha.
    #[test]
    fn sequential_signflip_is_valid_and_settles_the_decision(
        d in prop::collection::vec(moderate(), 0..60),
        resamples in 0usize..400,
        alpha in 0.001f64..0.3,
        seed in any::<u64>(),
    ) {
        let h = signflip::settling_exceedances(alpha, resamples);
        let s = signflip::sequential(&d, resamples, h, &mut stream(seed, "seq"));
        prop_assert!(s.p > 0.0 && s.p <= 1.0, "{s:?}");
        prop_assert!(s.drawn <= resamples);
        prop_assert_eq!(s, signflip::sequential(&d, resamples, h, &mut stream(seed, "seq")));
        let full = signflip::p_value(&d, resamples, &mut stream(seed, "seq"));
        prop_assert_eq!(s.p <= alpha, full <= alpha);
        prop_assert_eq!(s.p < alpha, full < alpha);
        if full <= alpha {
            prop_assert_eq!(s.p, full);
        }
        if s.drawn < resamples {
            prop_assert!(s.p > alpha);
        }
    }

    /// On its own random stream, the sequential test decides as a large
    /// fixed-size test does wherever the true p-value is far from alpha.
    #[test]
    fn sequential_signflip_agrees_with_the_full_test_far_from_alpha(
        d in prop::collection::vec(-1.0f64..1.5, 20..60),
        seed in any::<u64>(),
    ) {
        let alpha = 0.05;
        let reference = signflip::p_value(&d, 9999, &mut stream(seed, "reference"));
        prop_assume!(!(0.005..=0.25).contains(&reference));
        let h = signflip::settling_exceedances(alpha, 999);
        let s = signflip::sequential(&d, 999, h, &mut stream(seed, "sequential"));
        prop_assert_eq!(s.p <= alpha, reference <= alpha, "{:?} vs {}", s, reference);
    }
}

//! One-sided paired sign-flip test of "the mean of `d` is positive".
//!
//! Under the null hypothesis each per-probe difference is symmetric about
//! zero, so flipping its sign leaves the distribution unchanged (Fisher
//! 1935, *The Design of Experiments*, §21; Good 2005, *Permutation,
//! Parametric and Bootstrap Tests of Hypotheses*). The Monte Carlo p-value
//! `(1 + #{T* >= T}) / (B + 1)` is exact in the sense of never falling below
//! the true level (Phipson & Smyth 2010), and lies in (0, 1].
//!
//! Sequential stopping ([`sequential`]): the sequential Monte Carlo
//! p-value of Besag & Clifford (1991, "Sequential Monte Carlo p-values",
//! Biometrika 78:301–304) draws resamples until `h` of them reach the
//! observed statistic, or until all `B` are drawn. Stopped after `l` draws
//! with `h` exceedances it reports `h / l`; otherwise `(1 + g) / (B + 1)`
//! with `g < h` exceedances, exactly the fixed-`B` p-value above. Both are
//! valid p-values in (0, 1] (Besag & Clifford, §2). With `h` the smallest
//! integer above `alpha·(B + 1)` ([`settling_exceedances`]) a stop happens
//! only when the fixed-`B` test, drawing the same stream, would also give a
//! p-value above `alpha`, so the decision at `alpha` is the fixed-`B` test's
//! and p-values at or below `alpha` are the same numbers; clearly
//! insignificant tests stop after a few dozen draws instead of thousands.
//! The other early stop (too few draws left to reach `h`) is not taken: it
//! saves fewer than `h` draws and would replace a significant p-value by a
//! bound, which the Holm adjustment across families would then inflate.
//!
//! Speed: a report runs hundreds of these tests. Each resample draws one
//! random byte per block of eight probes and adds a precomputed partial sum
//! for that sign pattern, instead of eight conditional adds; the order of
//! the additions is fixed, so results are bit-identical on any machine.

use rand::RngCore;

const BLOCK: usize = 8;

/// p-value of the one-sided sign-flip test with `resamples` draws.
pub fn p_value<R: RngCore>(d: &[f64], resamples: usize, rng: &mut R) -> f64 {
    sequential(d, resamples, usize::MAX, rng).p
}

/// A sequential test's p-value and the resamples it drew.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Outcome {
    pub p: f64,
    pub drawn: usize,
}

/// Exceedances `h` after which the outcome at `alpha` of a test with at
/// most `resamples` draws is settled: the smallest integer above
/// `alpha·(resamples + 1)`, so that both `h / l` (any `l ≤ resamples`) and
/// the fixed test's `(1 + g) / (resamples + 1)` with `g ≥ h` exceed alpha.
pub fn settling_exceedances(alpha: f64, resamples: usize) -> usize {
    let x = alpha.clamp(0.0, 1.0) * (resamples + 1) as f64;
    x.floor() as usize + 1
}

/// Besag & Clifford's sequential p-value: draw until `h` resamples reach
/// the observed sum (p = h / draws) or `resamples` are drawn (p = (1 + g) /
/// (resamples + 1)). `h = usize::MAX` never stops early.
pub fn sequential<R: RngCore>(d: &[f64], resamples: usize, h: usize, rng: &mut R) -> Outcome {
    if d.is_empty() {
        return Outcome { p: 1.0, drawn: 0 };
    }
    let observed: f64 = d.iter().sum();
    let tables = tables(d);
    let mut bytes = vec![0u8; tables.len()];
    let mut hits = 0usize;
    // Tolerance so floating-point reordering cannot turn a tie into a miss.
    let tol = 1e-12 * d.iter().map(|x| x.abs()).sum::<f64>();
    for drawn in 1..=resamples {
        rng.fill_bytes(&mut bytes);
        let t: f64 = tables
            .iter()
            .zip(&bytes)
            .map(|(tab, &b)| tab[b as usize])
            .sum();
        if t >= observed - tol {
            hits += 1;
            if hits >= h {
                return Outcome {
                    p: hits as f64 / drawn as f64,
                    drawn,
                };
            }
        }
    }
    Outcome {
        p: (1 + hits) as f64 / (resamples + 1) as f64,
        drawn: resamples,
    }
}

/// For each block of up to eight values, the signed sum under each of the
/// 256 sign patterns (bit set = keep the sign). Unused bits of the last
/// block map to zero.
fn tables(d: &[f64]) -> Vec<[f64; 256]> {
    d.chunks(BLOCK)
        .map(|chunk| {
            let mut tab = [0.0f64; 256];
            for (pattern, slot) in tab.iter_mut().enumerate() {
                *slot = chunk
                    .iter()
                    .enumerate()
                    .map(|(k, &v)| if pattern >> k & 1 == 1 { v } else { -v })
                    .sum();
            }
            tab
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::rng::stream;

    #[test]
    fn clear_effect_is_significant_and_null_is_not() {
        let pos: Vec<f64> = (0..100).map(|i| 1.0 + (i % 3) as f64).collect();
        let p = p_value(&pos, 999, &mut stream(1, "a"));
        assert!((p - 0.001).abs() < 1e-12);
        let null: Vec<f64> = (0..100)
            .map(|i| if i % 2 == 0 { 1.0 } else { -1.0 })
            .collect();
        let p = p_value(&null, 999, &mut stream(1, "b"));
        assert!(p > 0.3 && p <= 1.0);
    }

    #[test]
    fn sequential_stops_early_on_the_null_and_agrees_otherwise() {
        let null: Vec<f64> = (0..100)
            .map(|i| if i % 2 == 0 { 1.0 } else { -1.1 })
            .collect();
        let h = settling_exceedances(0.01, 4999);
        assert_eq!(h, 51);
        let o = sequential(&null, 4999, h, &mut stream(1, "n"));
        assert!(o.drawn < 500 && o.p > 0.01 && o.p <= 1.0, "{o:?}");
        assert_eq!(o.p, h as f64 / o.drawn as f64);
        let pos: Vec<f64> = (0..100).map(|i| 0.5 + (i % 5) as f64 - 2.0).collect();
        let full = p_value(&pos, 4999, &mut stream(1, "p"));
        let seq = sequential(&pos, 4999, h, &mut stream(1, "p"));
        assert!(full <= 0.01);
        assert_eq!((seq.p, seq.drawn), (full, 4999));
    }

    #[test]
    fn all_zero_differences_give_p_one() {
        assert_eq!(p_value(&[0.0; 10], 99, &mut stream(1, "c")), 1.0);
        assert_eq!(p_value(&[], 99, &mut stream(1, "c")), 1.0);
    }
}

//! Streaming moments of a tensor: mean, standard deviation, RMS and
//! kurtosis, with NaN and ±Inf counted and left out rather than allowed to
//! poison the sums.
//!
//! Method: power sums of shifted data (shift K = the first finite value,
//! the "shifted data" algorithm of Chan, Golub & LeVeque 1983, which avoids
//! cancellation when |mean| ≫ std, e.g. norm weights near 1), accumulated
//! in f64 in fixed-size blocks in a fixed order, so results do not depend
//! on the thread count. A block whose sums are not finite is re-run element
//! by element to count and skip the offending values.

use serde::{Deserialize, Serialize};

const LANES: usize = 8;
const BLOCK: usize = 1024;

#[derive(Debug, Clone, Default)]
pub struct Moments {
    shift: Option<f64>,
    n: u64,
    s: [f64; 4],
    nan: u64,
    inf: u64,
}

/// Summary of one tensor's values.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    /// Finite values counted.
    pub count: u64,
    #[serde(with = "nan_null")]
    pub mean: f64,
    #[serde(with = "nan_null")]
    pub std: f64,
    #[serde(with = "nan_null")]
    pub rms: f64,
    /// Pearson kurtosis m4/m2² (3 for a normal distribution).
    #[serde(with = "nan_null")]
    pub kurtosis: f64,
    pub nan: u64,
    pub inf: u64,
}

/// Non-finite floats (an all-NaN tensor's mean) are written as JSON null
/// and read back as NaN.
pub mod nan_null {
    use serde::{Deserialize, Deserializer, Serializer};
    pub fn serialize<S: Serializer>(x: &f64, s: S) -> Result<S::Ok, S::Error> {
        if x.is_finite() {
            s.serialize_f64(*x)
        } else {
            s.serialize_none()
        }
    }
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
        Ok(Option::<f64>::deserialize(d)?.unwrap_or(f64::NAN))
    }
}

impl Moments {
    pub fn push(&mut self, xs: &[f32]) {
        for block in xs.chunks(BLOCK) {
            if self.shift.is_none() {
                self.shift = block.iter().find(|x| x.is_finite()).map(|&x| x as f64);
                if self.shift.is_none() {
                    self.slow(block);
                    continue;
                }
            }
            let k = self.shift.unwrap_or(0.0);
            let sums = fast_sums(block, k);
            if sums.iter().all(|s| s.is_finite()) {
                self.n += block.len() as u64;
                for (a, b) in self.s.iter_mut().zip(sums) {
                    *a += b;
                }
            } else {
                self.slow(block);
            }
        }
    }

    fn slow(&mut self, block: &[f32]) {
        for &x in block {
            if x.is_nan() {
                self.nan += 1;
            } else if x.is_infinite() {
                self.inf += 1;
            } else {
                let k = *self.shift.get_or_insert(x as f64);
                let d = x as f64 - k;
                let d2 = d * d;
                let add = [d, d2, d2 * d, d2 * d2];
                if add.iter().all(|a| a.is_finite()) {
                    self.n += 1;
                    for (a, b) in self.s.iter_mut().zip(add) {
                        *a += b;
                    }
                } else {
                    // Finite but so large its 4th power overflows f64
                    // (impossible for f32 input; kept for safety).
                    self.inf += 1;
                }
            }
        }
    }

    pub fn summary(&self) -> Summary {
        let n = self.n as f64;
        if self.n == 0 {
            return Summary {
                count: 0,
                mean: f64::NAN,
                std: f64::NAN,
                rms: f64::NAN,
                kurtosis: f64::NAN,
                nan: self.nan,
                inf: self.inf,
            };
        }
        let k = self.shift.unwrap_or(0.0);
        let [a1, a2, a3, a4] = self.s.map(|s| s / n);
        // Central moments from moments about K.
        let m2 = (a2 - a1 * a1).max(0.0);
        let m4 = a4 - 4.0 * a1 * a3 + 6.0 * a1 * a1 * a2 - 3.0 * a1.powi(4);
        let mean = k + a1;
        let rms = (m2 + mean * mean).sqrt();
        Summary {
            count: self.n,
            mean,
            std: m2.sqrt(),
            rms,
            kurtosis: if m2 > 0.0 {
                m4.max(0.0) / (m2 * m2)
            } else {
                f64::NAN
            },
            nan: self.nan,
            inf: self.inf,
        }
    }
}

/// Power sums of x − k over a block, in LANES independent accumulators
/// (so the compiler can vectorise), folded in a fixed order.
fn fast_sums(xs: &[f32], k: f64) -> [f64; 4] {
    let mut acc = [[0f64; LANES]; 4];
    let mut it = xs.chunks_exact(LANES);
    for c in &mut it {
        for l in 0..LANES {
            let d = c[l] as f64 - k;
            let d2 = d * d;
            acc[0][l] += d;
            acc[1][l] += d2;
            acc[2][l] += d2 * d;
            acc[3][l] += d2 * d2;
        }
    }
    for (l, &x) in it.remainder().iter().enumerate() {
        let d = x as f64 - k;
        let d2 = d * d;
        acc[0][l] += d;
        acc[1][l] += d2;
        acc[2][l] += d2 * d;
        acc[3][l] += d2 * d2;
    }
    acc.map(|a| a.iter().sum())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normal_like_values() {
        let xs: Vec<f32> = (0..10_000)
            .map(|i| ((i % 7) as f32 - 3.0) + 100.0)
            .collect();
        let mut m = Moments::default();
        m.push(&xs);
        let s = m.summary();
        assert!((s.mean - 100.0).abs() < 1e-3, "{s:?}");
        assert!((s.std - 2.0).abs() < 1e-3, "{s:?}");
        // Uniform on 7 points: kurtosis = (sum d^4/7)/4 = 28/16 = 1.75.
        assert!((s.kurtosis - 1.75).abs() < 1e-3, "{s:?}");
    }

    #[test]
    fn nan_and_inf_are_counted_not_fatal() {
        let mut xs = vec![1.0f32; 3000];
        xs[5] = f32::NAN;
        xs[2000] = f32::INFINITY;
        xs[2001] = f32::NEG_INFINITY;
        let mut m = Moments::default();
        m.push(&[f32::NAN]);
        m.push(&xs);
        let s = m.summary();
        assert_eq!((s.nan, s.inf, s.count), (2, 2, 2997));
        assert_eq!(s.mean, 1.0);
        assert_eq!(s.std, 0.0);
    }
}

//! Sparse feature vectors keyed by hashed feature ids.

/// A sparse vector with strictly increasing indices.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SparseVec {
    pub idx: Vec<u32>,
    pub val: Vec<f32>,
}

impl SparseVec {
    /// Build from unsorted `(index, value)` pairs; equal indices are summed.
    pub fn from_pairs(mut pairs: Vec<(u32, f32)>) -> SparseVec {
        // Term counts (every value 1) are the common case: sorting bare ids
        // is faster, and sums of ones are exact in any order.
        if pairs.len() >= RADIX_MIN && pairs.iter().all(|p| p.1 == 1.0) {
            return SparseVec::from_ids(pairs.into_iter().map(|p| p.0).collect());
        }
        pairs.sort_unstable_by_key(|p| p.0);
        let mut out = SparseVec {
            idx: Vec::with_capacity(pairs.len()),
            val: Vec::with_capacity(pairs.len()),
        };
        for (i, v) in pairs {
            if out.idx.last() == Some(&i) {
                *out.val.last_mut().expect("val tracks idx") += v;
            } else {
                out.idx.push(i);
                out.val.push(v);
            }
        }
        out
    }

    /// Counts of unsorted ids: the same vector as [`Self::from_pairs`] with
    /// every value 1.
    pub fn from_ids(mut ids: Vec<u32>) -> SparseVec {
        radix_sort(&mut ids);
        // Distinct ids in place at the front, their counts alongside; both
        // sized to the distinct ids, since a corpus keeps millions of these
        // vectors and fresh pages cost more than the extra pass.
        let distinct = 1 + ids.windows(2).filter(|w| w[0] != w[1]).count();
        let mut val: Vec<f32> = Vec::with_capacity(distinct.min(ids.len()));
        let mut k = 0;
        for i in 0..ids.len() {
            if i > 0 && ids[i] == ids[k - 1] {
                val[k - 1] += 1.0;
            } else {
                ids[k] = ids[i];
                val.push(1.0);
                k += 1;
            }
        }
        ids.truncate(k);
        ids.shrink_to_fit();
        SparseVec { idx: ids, val }
    }

    /// Sum of sorted vectors, by merging their index lists rather than
    /// sorting their concatenation: linear, where [`Self::from_pairs`] is
    /// not. Values of an index present in several vectors are added in the
    /// order the vectors come.
    pub fn merge<'a>(parts: impl Iterator<Item = &'a SparseVec>) -> SparseVec {
        let mut out = SparseVec::default();
        for v in parts {
            out = out.merge_two(v);
        }
        out
    }

    fn merge_two(&self, b: &SparseVec) -> SparseVec {
        let n = self.idx.len() + b.idx.len();
        let mut out = SparseVec {
            idx: Vec::with_capacity(n),
            val: Vec::with_capacity(n),
        };
        let (mut i, mut j) = (0, 0);
        while i < self.idx.len() || j < b.idx.len() {
            let x = self.idx.get(i).copied().unwrap_or(u32::MAX);
            let y = b.idx.get(j).copied().unwrap_or(u32::MAX);
            let take_a = i < self.idx.len() && (j == b.idx.len() || x <= y);
            let take_b = j < b.idx.len() && (i == self.idx.len() || y <= x);
            let mut v = 0.0f32;
            if take_a {
                v += self.val[i];
                i += 1;
            }
            if take_b {
                v += b.val[j];
                j += 1;
            }
            out.idx.push(if take_a { x } else { y });
            out.val.push(v);
        }
        out
    }

    pub fn is_empty(&self) -> bool {
        self.idx.is_empty()
    }

    pub fn norm(&self) -> f64 {
        self.val
            .iter()
            .map(|&v| f64::from(v) * f64::from(v))
            .sum::<f64>()
            .sqrt()
    }

    /// Scale to unit L2 norm; the zero vector stays zero.
    pub fn normalise(&mut self) {
        let n = self.norm();
        if n > 0.0 {
            for v in &mut self.val {
                *v = (f64::from(*v) / n) as f32;
            }
        }
    }

    /// Dot product by merging the sorted index lists; equals the cosine when
    /// both vectors are normalised. The cursors advance without a
    /// data-dependent branch (only the rare equal case branches), which is
    /// several times faster than a three-way match on random ids.
    pub fn dot(&self, other: &SparseVec) -> f64 {
        let (ai, bi) = (&self.idx[..], &other.idx[..]);
        let (mut i, mut j, mut acc) = (0, 0, 0.0f64);
        while i < ai.len() && j < bi.len() {
            let (a, b) = (ai[i], bi[j]);
            if a == b {
                acc += f64::from(self.val[i]) * f64::from(other.val[j]);
            }
            i += usize::from(a <= b);
            j += usize::from(b <= a);
        }
        acc
    }
}

/// Below this many ids, the comparison sort beats the bucket sort's
/// fixed cost.
const RADIX_MIN: usize = 64;

/// Sort ids: they are hashes, hence spread evenly, so one counting pass on
/// the top bits into about two ids per bucket (a single most-significant
/// digit of radix sort, Knuth, TAOCP vol. 3, §5.2.5) and an insertion
/// sort of each bucket finish the job. Crowded buckets (repeated ids) fall
/// back to the comparison sort.
fn radix_sort(v: &mut Vec<u32>) {
    let n = v.len();
    if n < RADIX_MIN {
        v.sort_unstable();
        return;
    }
    let bits = (usize::BITS - (n / 2).leading_zeros()).min(20);
    let bucket = |x: u32| (u64::from(x) >> (32 - bits)) as usize;
    let mut ends = vec![0u32; (1 << bits) + 1];
    for &x in v.iter() {
        ends[bucket(x) + 1] += 1;
    }
    for b in 1..ends.len() {
        ends[b] += ends[b - 1];
    }
    let mut out = vec![0u32; n];
    for &x in v.iter() {
        let slot = &mut ends[bucket(x)];
        out[*slot as usize] = x;
        *slot += 1;
    }
    // `ends[b]` is now the end of bucket b.
    let mut lo = 0;
    for &hi in &ends[..1 << bits] {
        let b = &mut out[lo..hi as usize];
        if b.len() > 16 {
            b.sort_unstable();
        } else {
            for i in 1..b.len() {
                let x = b[i];
                let mut j = i;
                while j > 0 && b[j - 1] > x {
                    b[j] = b[j - 1];
                    j -= 1;
                }
                b[j] = x;
            }
        }
        lo = hi as usize;
    }
    *v = out;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merges_duplicates_and_dots() {
        let a = SparseVec::from_pairs(vec![(3, 1.0), (1, 2.0), (3, 1.0)]);
        assert_eq!(a.idx, vec![1, 3]);
        assert_eq!(a.val, vec![2.0, 2.0]);
        let b = SparseVec::from_pairs(vec![(3, 1.0), (7, 5.0)]);
        assert_eq!(a.dot(&b), 2.0);
        assert_eq!(a.dot(&b), b.dot(&a));
    }

    #[test]
    fn radix_path_matches_comparison_sort() {
        let mut x = 12345u32;
        let ids: Vec<u32> = (0..5000)
            .map(|i| {
                x = x.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
                if i % 3 == 0 {
                    x % 97
                } else {
                    x
                }
            })
            .collect();
        let fast = SparseVec::from_pairs(ids.iter().map(|&i| (i, 1.0)).collect());
        let mut sorted = ids.clone();
        sorted.sort_unstable();
        let mut slow = SparseVec::default();
        for i in sorted {
            if slow.idx.last() == Some(&i) {
                *slow.val.last_mut().unwrap() += 1.0;
            } else {
                slow.idx.push(i);
                slow.val.push(1.0);
            }
        }
        assert_eq!(fast, slow);
    }

    #[test]
    fn merge_equals_from_pairs_of_the_concatenation() {
        let a = SparseVec::from_pairs(vec![(1, 1.0), (5, 2.0), (u32::MAX, 3.0)]);
        let b = SparseVec::from_pairs(vec![(0, 4.0), (5, 0.5)]);
        let c = SparseVec::default();
        let merged = SparseVec::merge([&a, &c, &b].into_iter());
        let pairs = [&a, &b]
            .iter()
            .flat_map(|v| v.idx.iter().copied().zip(v.val.iter().copied()))
            .collect();
        assert_eq!(merged, SparseVec::from_pairs(pairs));
    }

    #[test]
    fn normalised_self_dot_is_one() {
        let mut a = SparseVec::from_pairs(vec![(1, 3.0), (2, 4.0)]);
        a.normalise();
        assert!((a.dot(&a) - 1.0).abs() < 1e-6);
        let mut z = SparseVec::default();
        z.normalise();
        assert_eq!(z.dot(&a), 0.0);
    }
}

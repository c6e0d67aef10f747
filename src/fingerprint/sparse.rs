//! Sparse feature vectors keyed by hashed feature ids.

/// A sparse vector with strictly increasing indices.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SparseVec {
    pub idx: Vec<u32>,
    pub val: Vec<f32>,
}

impl SparseVec {
    /// Build from unsorted `(index, value)` pairs; equal indices are summed.
    pub fn from_pairs(pairs: Vec<(u32, f32)>) -> SparseVec {
        Counter::default().count(|p| *p = pairs)
    }

    /// Counts of unsorted ids: the same vector as [`Self::from_pairs`] with
    /// every value 1.
    pub fn from_ids(ids: Vec<u32>) -> SparseVec {
        let mut c = Counter {
            ids,
            ..Counter::default()
        };
        c.count_ids()
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

/// Builds count vectors from unsorted `(id, value)` pairs, keeping its
/// buffers between vectors: a corpus builds millions of these, and fresh
/// buffers per vector cost more in allocation and page faults than the
/// sort itself.
#[derive(Default)]
pub struct Counter {
    pairs: Vec<(u32, f32)>,
    ids: Vec<u32>,
    sorted: Vec<u32>,
    ends: Vec<usize>,
}

impl Counter {
    /// The vector of the pairs `fill` appends to an empty buffer; equal
    /// ids are summed.
    pub fn count(&mut self, fill: impl FnOnce(&mut Vec<(u32, f32)>)) -> SparseVec {
        self.pairs.clear();
        fill(&mut self.pairs);
        // Term counts (every value 1) are the common case: sorting bare ids
        // is faster, and sums of ones are exact in any order.
        if self.pairs.len() >= RADIX_MIN && self.pairs.iter().all(|p| p.1 == 1.0) {
            self.ids.clear();
            self.ids.extend(self.pairs.iter().map(|p| p.0));
            return self.count_ids();
        }
        self.pairs.sort_unstable_by_key(|p| p.0);
        let mut out = SparseVec::default();
        for &(i, v) in &self.pairs {
            if out.idx.last() == Some(&i) {
                *out.val.last_mut().expect("val tracks idx") += v;
            } else {
                out.idx.push(i);
                out.val.push(v);
            }
        }
        out
    }

    /// Counts of the ids in `self.ids`, each 1.
    fn count_ids(&mut self) -> SparseVec {
        radix_sort(&self.ids, &mut self.sorted, &mut self.ends);
        let ids = &self.sorted;
        let Some(&first) = ids.first() else {
            return SparseVec::default();
        };
        // Sized to the distinct ids: a corpus keeps millions of these.
        let distinct = 1 + ids.windows(2).filter(|w| w[0] != w[1]).count();
        let mut out = SparseVec {
            idx: vec![first; distinct],
            val: vec![0.0; distinct],
        };
        // Without a branch on "new id?", which text makes unpredictable.
        let mut k = 0;
        let mut prev = first;
        for &i in ids {
            k += usize::from(i != prev);
            prev = i;
            out.idx[k] = i;
            out.val[k] += 1.0;
        }
        out
    }
}

/// Largest bucket left to insertion sort: its cost grows with the square
/// of the bucket, and hostile text can crowd one bucket on purpose.
const CROWDED: usize = 64;

/// Sort term ids (see [`bucket_sort`]).
fn radix_sort(v: &[u32], out: &mut Vec<u32>, ends: &mut Vec<usize>) {
    bucket_sort(v, out, ends, |&x| x, 20, CROWDED);
}

/// Stable sort of `v` into `out` by a key that is a hash, hence spread
/// evenly: one counting pass on the key's top bits into about one item per
/// bucket (at most `2^max_bits` buckets; a single most-significant digit
/// of radix sort, Knuth, TAOCP vol. 3, §5.2.5) and an insertion sort
/// finish the job. A bucket of more than `crowded` items (many repeats of
/// a few keys, or crafted collisions) takes the comparison sort instead.
/// `ends` is the caller's histogram buffer, kept between calls.
pub(crate) fn bucket_sort<T: Copy>(
    v: &[T],
    out: &mut Vec<T>,
    ends: &mut Vec<usize>,
    key: impl Fn(&T) -> u32,
    max_bits: u32,
    crowded: usize,
) {
    let n = v.len();
    out.clear();
    if n < RADIX_MIN {
        out.extend_from_slice(v);
        out.sort_by_key(&key);
        return;
    }
    let bits = (usize::BITS - n.leading_zeros()).min(max_bits);
    let bucket = |x: &T| (u64::from(key(x)) >> (32 - bits)) as usize;
    ends.clear();
    ends.resize((1 << bits) + 1, 0);
    for x in v {
        ends[bucket(x) + 1] += 1;
    }
    // The running total stays in a register; `ends[b] += ends[b - 1]`
    // waited on the store of the previous entry each step.
    let mut total = 0;
    for e in ends.iter_mut() {
        total += *e;
        *e = total;
    }
    let is_crowded = ends.windows(2).any(|w| w[1] - w[0] > crowded);
    out.resize(n, v[0]);
    for x in v {
        let slot = &mut ends[bucket(x)];
        out[*slot] = *x;
        *slot += 1;
    }
    if !is_crowded {
        // Every item is already within its bucket, so one insertion sort
        // over the whole array moves each only past the larger keys of its
        // own bucket (equal keys never pass each other), without a loop
        // per (mostly tiny) bucket.
        insertion_sort(out, &key);
        return;
    }
    // `ends[b]` is now the end of bucket b.
    let mut lo = 0;
    for &hi in &ends[..1 << bits] {
        let b = &mut out[lo..hi];
        if b.len() > crowded {
            b.sort_by_key(&key);
        } else {
            insertion_sort(b, &key);
        }
        lo = hi;
    }
}

fn insertion_sort<T: Copy>(b: &mut [T], key: impl Fn(&T) -> u32) {
    for i in 1..b.len() {
        let x = b[i];
        let k = key(&x);
        let mut j = i;
        while j > 0 && key(&b[j - 1]) > k {
            b[j] = b[j - 1];
            j -= 1;
        }
        b[j] = x;
    }
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
    fn uncrowded_radix_path_sorts() {
        let mut x = 99u32;
        let ids: Vec<u32> = (0..3000)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 17;
                x ^= x << 5;
                x
            })
            .collect();
        let (mut out, mut ends) = (Vec::new(), Vec::new());
        radix_sort(&ids, &mut out, &mut ends);
        let mut want = ids.clone();
        want.sort_unstable();
        assert_eq!(out, want);
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

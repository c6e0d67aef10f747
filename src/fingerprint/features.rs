//! TF-IDF weighting shared by the n-gram extractors.
//!
//! Term weights are sublinear term frequency times smoothed inverse document
//! frequency, `(1 + ln tf) * (ln((1 + N) / (1 + df)) + 1)`, the variant of
//! Salton & Buckley (1988) that scikit-learn uses with `sublinear_tf=True`;
//! vectors are then L2-normalised so their dot product is the cosine.
//! Document frequencies are counted over every response in the corpus, so
//! the weighting is symmetric in the models compared.

use rayon::prelude::*;
use rustc_hash::FxHashMap;

use super::sparse::Counter;
use super::{Features, SparseVec};
use crate::input::align::Corpus;

/// Raw term counts of every response: `[model][probe]`.
pub type Counts = Vec<Vec<SparseVec>>;

/// Count features of every response in parallel with `f`.
pub fn count_all<F>(corpus: &Corpus, f: F) -> Counts
where
    F: Fn(&str, &mut Vec<(u32, f32)>) + Sync,
{
    corpus
        .texts
        .par_iter()
        .map(|model| {
            let mut c = Counter::default();
            model.iter().map(|t| c.count(|out| f(t, out))).collect()
        })
        .collect()
}

/// Ids of one model split by shard (the top bits of the id), each shard's
/// ids in document order and, within a document, in id order.
type Parts = Vec<Vec<u32>>;

/// Document frequency of every entry of every vector, `[shard][model]`:
/// the frequencies of [`Parts`] ids, in the same order. Rather than one
/// large map looked up at random (a cache miss per entry), each shard is
/// counted in its own small map, in parallel; integer counts, so the
/// result does not depend on the thread schedule.
pub fn document_frequency(counts: &Counts) -> Vec<Vec<Vec<u32>>> {
    let parts: Vec<Parts> = counts
        .par_iter()
        .map(|model| {
            let mut parts: Parts = vec![Vec::new(); SHARDS];
            for v in model {
                for &i in &v.idx {
                    parts[shard_of(i)].push(i);
                }
            }
            parts
        })
        .collect();
    (0..SHARDS)
        .into_par_iter()
        .map(|shard| {
            // Each entry keeps the slot of its id, so reading the
            // frequencies back is an array lookup, not a second probe of
            // the map.
            let mut slot_of: FxHashMap<u32, u32> = FxHashMap::default();
            let mut df: Vec<u32> = Vec::new();
            let mut slots: Vec<u32> =
                Vec::with_capacity(parts.iter().map(|p| p[shard].len()).sum());
            for p in &parts {
                for &i in &p[shard] {
                    let next = df.len() as u32;
                    let s = *slot_of.entry(i).or_insert(next);
                    if s == next {
                        df.push(0);
                    }
                    df[s as usize] += 1;
                    slots.push(s);
                }
            }
            let mut slots = slots.into_iter();
            parts
                .iter()
                .map(|p| {
                    slots
                        .by_ref()
                        .take(p[shard].len())
                        .map(|s| df[s as usize])
                        .collect()
                })
                .collect()
        })
        .collect()
}

/// Number of document-frequency shards (a power of two).
const SHARDS: usize = 256;

fn shard_of(id: u32) -> usize {
    (id >> (32 - SHARDS.trailing_zeros())) as usize
}

/// Sublinear term frequency `1 + ln tf`; counts are small integers, so
/// the common ones come from a table (the same values, computed once).
struct TfTable([f64; 64]);

impl TfTable {
    fn new() -> Self {
        TfTable(std::array::from_fn(|c| 1.0 + (c as f64).ln()))
    }
    fn get(&self, x: f32) -> f64 {
        match self.0.get(x as usize) {
            Some(&t) if x >= 0.0 && x == x.trunc() => t,
            _ => 1.0 + f64::from(x).ln(),
        }
    }
}

/// Apply sublinear TF-IDF weights and L2-normalise.
pub fn tfidf(counts: Counts) -> Features {
    let df = document_frequency(&counts);
    let n_docs = counts.iter().map(Vec::len).sum::<usize>() as f64;
    // idf depends on the document frequency only: one value per frequency.
    let idf: Vec<f64> = (0..=counts.iter().map(Vec::len).sum::<usize>())
        .map(|d| ((1.0 + n_docs) / (1.0 + d as f64)).ln() + 1.0)
        .collect();
    let tf = TfTable::new();
    counts
        .into_par_iter()
        .enumerate()
        .map(|(m, mut model)| {
            // The entries come in the order `document_frequency` listed
            // them, so each shard's frequencies are read front to back.
            let mut cursor = [0usize; SHARDS];
            for v in &mut model {
                for (i, x) in v.idx.iter().zip(v.val.iter_mut()) {
                    let shard = shard_of(*i);
                    let d = df[shard][m][cursor[shard]] as usize;
                    cursor[shard] += 1;
                    *x = (tf.get(*x) * idf[d]) as f32;
                }
                v.normalise();
            }
            model
        })
        .collect()
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::input::align::{AlignBy, Corpus};

    pub(crate) fn corpus(texts: Vec<Vec<&str>>) -> Corpus {
        let n = texts[0].len();
        Corpus {
            models: (0..texts.len()).map(|i| format!("m{i}")).collect(),
            probe_keys: (0..n).map(|i| format!("p{i}")).collect(),
            prompts: vec![String::new(); n],
            categories: vec![None; n],
            texts: texts
                .into_iter()
                .map(|m| m.into_iter().map(String::from).collect())
                .collect(),
            align_by: AlignBy::ProbeId,
            stats: vec![],
            excluded_probes: 0,
        }
    }

    #[test]
    fn rare_terms_weigh_more() {
        let c = corpus(vec![vec!["a b"], vec!["a c"], vec!["a d"]]);
        let counts = count_all(&c, |t, out| {
            out.extend(t.split(' ').map(|w| (w.as_bytes()[0] as u32, 1.0)))
        });
        let f = tfidf(counts);
        let v = &f[0][0];
        let a = v.val[v.idx.iter().position(|&i| i == b'a' as u32).unwrap()];
        let b = v.val[v.idx.iter().position(|&i| i == b'b' as u32).unwrap()];
        assert!(b > a);
        assert!((v.dot(v) - 1.0).abs() < 1e-6);
    }
}

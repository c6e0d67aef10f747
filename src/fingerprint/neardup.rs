//! Near-duplicate passages: shared word 6-gram shingles.
//!
//! Each response becomes the set of its hashed word 6-grams (Broder 1997,
//! "On the resemblance and containment of documents"); the similarity of two
//! responses is the cosine of the binary set vectors (the Ochiai
//! coefficient, |A∩B| / sqrt(|A||B|)). Exact sets rather than MinHash
//! sketches: responses are short, so exact sets are both cheaper and free
//! of sketch noise. Long verbatim overlaps are rare between independent
//! models and frequent when one was trained on the other's answers.

use super::sparse::Counter;
use super::tokenize::{ngram_id, Tokenised};
use super::{Extractor, Family, Features, SparseVec};
use crate::input::align::Corpus;
use rayon::prelude::*;

const NS_SHINGLE: u64 = 0x31;
/// Shingle length in words.
pub const SHINGLE: usize = 6;

/// The shingle extractor.
pub struct Shingles;

impl Extractor for Shingles {
    fn name(&self) -> &'static str {
        "near_duplicate.shingles6"
    }
    fn family(&self) -> Family {
        Family::NearDuplicate
    }
    fn extract(&self, corpus: &Corpus) -> Features {
        corpus
            .texts
            .par_iter()
            .map(|m| {
                let mut c = Counter::default();
                m.iter()
                    .map(|t| shingle_set(&Tokenised::new(t), &mut c))
                    .collect()
            })
            .collect()
    }
}

/// Normalised binary vector of the response's shingles.
pub fn shingle_set(text: &Tokenised, counter: &mut Counter) -> SparseVec {
    let h = text.word_hashes();
    let mut v =
        counter.count(|out| out.extend(h.windows(SHINGLE).map(|s| (ngram_id(NS_SHINGLE, s), 1.0))));
    v.val.iter_mut().for_each(|x| *x = 1.0);
    v.normalise();
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shared_passage_scores_and_disjoint_does_not() {
        let set = |t| shingle_set(&Tokenised::new(t), &mut Counter::default());
        let a = set("one two three four five six seven eight");
        let b = set("zero one two three four five six seven");
        let c = set("alpha beta gamma delta epsilon zeta eta");
        assert!(a.dot(&b) > 0.5);
        assert_eq!(a.dot(&c), 0.0);
        assert!((a.dot(&a) - 1.0).abs() < 1e-6);
    }
}

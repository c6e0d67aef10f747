//! Word-frequency profile of a model across all its responses: the input of
//! Cosine Delta ([`crate::stats::delta`]).
//!
//! Per-probe cosines compare one answer with one answer; habits that a
//! student learned from its teacher show more clearly in how often it uses
//! each common word over hundreds of answers. The profile keeps, for every
//! response, the counts of the `VOCAB` most frequent words of the whole
//! comparison (Burrows 2002 uses the most frequent words because they are
//! chosen unconsciously and carry habit rather than topic), so profiles can
//! be recomputed cheaply under bootstrap reweighting of the probes.

use rayon::prelude::*;
use rustc_hash::FxHashMap;

use super::tokenize::{words, Tokens};
use crate::input::align::Corpus;

/// Number of most frequent words in the profile.
pub const VOCAB: usize = 1000;

/// Sparse vocabulary counts of every response, `[model][probe]`.
#[derive(Debug, Clone)]
pub struct ProfileCounts {
    /// Words of the vocabulary, most frequent first.
    pub vocab: Vec<String>,
    /// `(vocab index, count)` pairs per response.
    pub counts: Vec<Vec<Vec<(u16, f32)>>>,
    /// Total words per response (the denominator of relative frequencies).
    pub lengths: Vec<Vec<f32>>,
}

/// Count the vocabulary words in every response. Ties in frequency are
/// broken by the word itself so the vocabulary is deterministic.
pub fn build(corpus: &Corpus) -> ProfileCounts {
    let tokens: Vec<Vec<Tokens>> = corpus
        .texts
        .par_iter()
        .map(|m| m.iter().map(|t| words(t)).collect())
        .collect();
    // Word frequencies per model in parallel, then summed: integer counts,
    // so the totals do not depend on the schedule.
    let per_model: Vec<FxHashMap<&str, u64>> = tokens
        .par_iter()
        .map(|m| {
            let mut freq: FxHashMap<&str, u64> = FxHashMap::default();
            for w in m.iter().flat_map(Tokens::iter) {
                *freq.entry(w).or_insert(0) += 1;
            }
            freq
        })
        .collect();
    let mut freq: FxHashMap<&str, u64> = FxHashMap::default();
    for m in per_model {
        for (w, n) in m {
            *freq.entry(w).or_insert(0) += n;
        }
    }
    let mut ranked: Vec<(&str, u64)> = freq.into_iter().collect();
    ranked.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    ranked.truncate(VOCAB);
    let index: FxHashMap<&str, u16> = ranked
        .iter()
        .enumerate()
        .map(|(i, (w, _))| (*w, i as u16))
        .collect();
    let counts = tokens
        .par_iter()
        .map(|m| m.iter().map(|r| response_counts(r, &index)).collect())
        .collect();
    let lengths = tokens
        .iter()
        .map(|m| m.iter().map(|r| r.len() as f32).collect())
        .collect();
    ProfileCounts {
        vocab: ranked.iter().map(|(w, _)| w.to_string()).collect(),
        counts,
        lengths,
    }
}

fn response_counts(words: &Tokens, index: &FxHashMap<&str, u16>) -> Vec<(u16, f32)> {
    let mut c: Vec<(u16, f32)> = Vec::new();
    let mut ids: Vec<u16> = words.iter().filter_map(|w| index.get(w).copied()).collect();
    ids.sort_unstable();
    for id in ids {
        match c.last_mut() {
            Some(last) if last.0 == id => last.1 += 1.0,
            _ => c.push((id, 1.0)),
        }
    }
    c
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fingerprint::features::tests::corpus;

    #[test]
    fn vocabulary_is_by_frequency_and_counts_add_up() {
        let c = corpus(vec![vec!["the cat the dog"], vec!["the end"]]);
        let p = build(&c);
        assert_eq!(p.vocab[0], "the");
        assert_eq!(p.counts[0][0][0], (0, 2.0));
        assert_eq!(p.lengths[0][0], 4.0);
    }
}

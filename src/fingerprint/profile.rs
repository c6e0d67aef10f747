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

use super::tokenize::Tokenised;
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
    let models: Vec<ModelWords> = corpus
        .texts
        .par_iter()
        .map(|m| {
            let mut w = ModelWords::default();
            m.iter().for_each(|t| w.push(&Tokenised::new(t)));
            w
        })
        .collect();
    build_from(&models)
}

/// [`build`] from each model's words, gathered while the responses were
/// tokenised for the other channels.
pub fn build_from(models: &[ModelWords]) -> ProfileCounts {
    // Integer totals over models, so they do not depend on the schedule.
    let mut freq: FxHashMap<&str, u64> = FxHashMap::default();
    for m in models {
        for (w, &n) in m.words.iter().zip(&m.freq) {
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
    let counts = models
        .par_iter()
        .map(|m| {
            let to_vocab: Vec<Option<u16>> = m
                .words
                .iter()
                .map(|w| index.get(w.as_str()).copied())
                .collect();
            m.responses
                .iter()
                .map(|r| response_counts(r, &to_vocab))
                .collect()
        })
        .collect();
    let lengths = models
        .iter()
        .map(|m| m.responses.iter().map(|r| r.len() as f32).collect())
        .collect();
    ProfileCounts {
        vocab: ranked.iter().map(|(w, _)| w.to_string()).collect(),
        counts,
        lengths,
    }
}

/// One model's words, each distinct word looked up once: its responses as
/// ids into its own word list. Mapping a model's words to the vocabulary
/// then costs one lookup per distinct word rather than one per token.
/// Words are keyed by their 64-bit XXH3 hash, already computed by the
/// tokeniser; two distinct words of one model sharing a hash (odds about
/// 1e-10 for a model's hundred thousand words) would be counted as one.
#[derive(Debug, Default)]
pub struct ModelWords {
    ids: FxHashMap<u64, u32>,
    hashes: Vec<u64>,
    words: Vec<String>,
    freq: Vec<u64>,
    responses: Vec<Vec<u32>>,
}

impl ModelWords {
    /// Add the next response.
    pub fn push(&mut self, text: &Tokenised) {
        let mut r = Vec::with_capacity(text.word_count());
        for (w, h) in text.words() {
            let id = self.id_of(h, w);
            self.freq[id as usize] += 1;
            r.push(id);
        }
        self.responses.push(r);
    }

    /// Add the responses of `next` after this one's, as if each had been
    /// pushed here (so slices of a model can be read in parallel).
    pub fn append(&mut self, next: ModelWords) {
        let remap: Vec<u32> = next
            .hashes
            .iter()
            .zip(&next.words)
            .zip(&next.freq)
            .map(|((&h, w), &n)| {
                let id = self.id_of(h, w);
                self.freq[id as usize] += n;
                id
            })
            .collect();
        self.responses
            .extend(next.responses.into_iter().map(|mut r| {
                r.iter_mut().for_each(|id| *id = remap[*id as usize]);
                r
            }));
    }

    /// The words of responses `which` (indices into this model's responses,
    /// in that order), as if only those had been pushed; ids are renumbered
    /// in order of first use. [`build_from`] depends on each response's
    /// words only, so it gives the same profile as pushing them afresh.
    pub fn select(&self, which: &[usize]) -> ModelWords {
        let mut out = ModelWords::default();
        let mut remap = vec![u32::MAX; self.words.len()];
        for &r in which {
            let resp: Vec<u32> = self.responses[r]
                .iter()
                .map(|&id| {
                    let slot = &mut remap[id as usize];
                    if *slot == u32::MAX {
                        *slot = out.id_of(self.hashes[id as usize], &self.words[id as usize]);
                    }
                    out.freq[*slot as usize] += 1;
                    *slot
                })
                .collect();
            out.responses.push(resp);
        }
        out
    }

    fn id_of(&mut self, h: u64, w: &str) -> u32 {
        if let Some(&id) = self.ids.get(&h) {
            return id;
        }
        let id = self.words.len() as u32;
        self.ids.insert(h, id);
        self.hashes.push(h);
        self.words.push(w.to_string());
        self.freq.push(0);
        id
    }
}

fn response_counts(words: &[u32], to_vocab: &[Option<u16>]) -> Vec<(u16, f32)> {
    let mut c: Vec<(u16, f32)> = Vec::new();
    let mut ids: Vec<u16> = words.iter().filter_map(|&w| to_vocab[w as usize]).collect();
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

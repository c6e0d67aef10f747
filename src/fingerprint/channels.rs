//! Raw-count channels: the corpus-independent half of every default
//! extractor, so counts can be cached per dataset and weighed later over
//! whichever set of models a `matrix` run compares.
//!
//! The split mirrors the extractors exactly (a unit test checks that the
//! features rebuilt from channels equal [`crate::fingerprint::default_extractors`]
//! on the same corpus): TF-IDF and the style block weighting depend on
//! document frequencies over all models, so they run after alignment.

use rayon::prelude::*;

use crate::fingerprint::features::{tfidf, Counts};
use crate::fingerprint::profile::ModelWords;
use crate::fingerprint::sparse::Counter;
use crate::fingerprint::tokenize::Tokenised;
use crate::fingerprint::{content, neardup, style, Family, Features, SparseVec};

/// Channel order in the cache: word, char, the four style blocks, shingles.
pub const CHANNELS: [&str; 7] = [
    "content.word",
    "content.char",
    "style.open_close",
    "style.format",
    "style.discourse",
    "style.skeleton",
    "near_duplicate.shingles6",
];

/// Raw counts of one response in every channel; `counter` carries its
/// buffers from one response to the next.
pub fn count(text: &str, counter: &mut Counter) -> Vec<SparseVec> {
    count_tokenised(&Tokenised::new(text), counter)
}

/// [`count`] of an already tokenised response.
pub fn count_tokenised(text: &Tokenised, counter: &mut Counter) -> Vec<SparseVec> {
    let mut out = Vec::with_capacity(CHANNELS.len());
    out.push(counter.count(|o| content::word_counts(text, o)));
    out.push(counter.count(|o| content::char_counts(text, o)));
    for f in style::BLOCKS {
        out.push(counter.count(|o| f(text, o)));
    }
    out.push(neardup::shingle_set(text, counter));
    out
}

/// Aligned channel counts: `channels[c][model][probe]`.
pub type Aligned = Vec<Counts>;

/// Weigh aligned counts into the default extractors' features, in
/// [`crate::fingerprint::default_extractors`] order, handing each to `sink`
/// with its family as soon as it is ready, so at most one extractor's
/// features are alive at a time beside the remaining counts.
pub fn features(aligned: Aligned, mut sink: impl FnMut(Family, Features)) {
    let mut it = aligned.into_iter();
    let mut next = || it.next().expect("seven channels");
    sink(Family::Content, tfidf(next()));
    sink(Family::Content, tfidf(next()));
    let blocks = [next(), next(), next(), next()];
    sink(Family::Style, style::weigh(blocks));
    sink(Family::NearDuplicate, next());
}

/// Channel counts of every response of an aligned corpus (`texts[model]
/// [probe]`), each response tokenised once for all channels and for each
/// model's word profile ([`ModelWords`]). Slices of a model's responses
/// run in parallel and are joined in order, so the last model to finish
/// does not leave one core idle.
pub fn count_corpus(texts: &[Vec<String>]) -> (Aligned, Vec<ModelWords>) {
    let (per, words): (Vec<Vec<Vec<SparseVec>>>, Vec<ModelWords>) =
        texts.par_iter().map(|m| count_model(m)).unzip();
    (transpose(per), words)
}

/// One model's responses counted per channel, and its word profile: slices
/// of 128 responses in parallel, each with its own reused counter, joined
/// in order (the same result as one sequential pass).
pub fn count_model<T: AsRef<str> + Sync>(texts: &[T]) -> (Vec<Vec<SparseVec>>, ModelWords) {
    const SLICE: usize = 128;
    let slices: Vec<(Vec<Vec<SparseVec>>, ModelWords)> = texts
        .par_chunks(SLICE)
        .map(|slice| {
            let (mut c, mut w) = (Counter::default(), ModelWords::default());
            let counts = slice
                .iter()
                .map(|t| {
                    let t = Tokenised::new(t.as_ref());
                    w.push(&t);
                    count_tokenised(&t, &mut c)
                })
                .collect();
            (counts, w)
        })
        .collect();
    let (mut counts, mut words) = (Vec::with_capacity(texts.len()), ModelWords::default());
    for (c, w) in slices {
        counts.extend(c);
        words.append(w);
    }
    (counts, words)
}

/// `[model][probe][channel]` to `[channel][model][probe]`.
fn transpose(per: Vec<Vec<Vec<SparseVec>>>) -> Aligned {
    let mut out: Aligned = vec![Vec::with_capacity(per.len()); CHANNELS.len()];
    for model in per {
        let mut chans: Vec<Vec<SparseVec>> = vec![Vec::with_capacity(model.len()); CHANNELS.len()];
        for response in model {
            for (c, v) in response.into_iter().enumerate() {
                chans[c].push(v);
            }
        }
        for (c, v) in chans.into_iter().enumerate() {
            out[c].push(v);
        }
    }
    out
}

/// Count every text of a dataset in parallel.
pub fn count_all(texts: &[Option<&str>]) -> Vec<Vec<SparseVec>> {
    texts
        .par_iter()
        .map_init(Counter::default, |c, t| match t {
            Some(t) if !t.trim().is_empty() => count(t, c),
            _ => Vec::new(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fingerprint::default_extractors;
    use crate::fingerprint::features::tests::corpus;

    #[test]
    fn sliced_word_profiles_equal_one_pass() {
        let words = ["the", "cat", "sat", "on", "a", "mat", "and", "dog", "ran"];
        let model = |k: usize| -> Vec<String> {
            (0..300)
                .map(|i| {
                    (0..(i * k) % 11 + 1)
                        .map(|j| words[(i * 7 + j * k) % words.len()])
                        .collect::<Vec<_>>()
                        .join(" ")
                })
                .collect()
        };
        let texts = vec![model(3), model(5)];
        let (_, sliced) = count_corpus(&texts);
        let sliced = crate::fingerprint::profile::build_from(&sliced);
        let refs: Vec<Vec<&str>> = texts
            .iter()
            .map(|m| m.iter().map(String::as_str).collect())
            .collect();
        let whole = crate::fingerprint::profile::build(&corpus(refs));
        assert_eq!(sliced.vocab, whole.vocab);
        assert_eq!(sliced.counts, whole.counts);
        assert_eq!(sliced.lengths, whole.lengths);
    }

    #[test]
    fn channels_rebuild_the_default_extractors_exactly() {
        let c = corpus(vec![
            vec![
                "Sure! Here is a **list**:\n- one\n- two",
                "I hope this helps. The cat sat.",
            ],
            vec![
                "Certainly. However, note that the cat sat on the mat today.",
                "No.",
            ],
            vec![
                "# Title\n\nAs an AI, I cannot. Here is one two three four five six seven.",
                "one two three four five six seven",
            ],
        ]);
        let mut aligned: Aligned = vec![Vec::new(); CHANNELS.len()];
        for model in &c.texts {
            let mut counter = Counter::default();
            let per: Vec<Vec<SparseVec>> = model.iter().map(|t| count(t, &mut counter)).collect();
            for (ch, slot) in aligned.iter_mut().enumerate() {
                slot.push(per.iter().map(|v| v[ch].clone()).collect());
            }
        }
        let mut rebuilt = Vec::new();
        features(aligned, |fam, f| rebuilt.push((fam, f)));
        let exs = default_extractors();
        assert_eq!(rebuilt.len(), exs.len());
        for ((fam, f), ex) in rebuilt.iter().zip(&exs) {
            assert_eq!(*fam, ex.family());
            assert_eq!(*f, ex.extract(&c), "{}", ex.name());
        }
    }
}

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

/// Raw counts of one response in every channel.
pub fn count(text: &str) -> Vec<SparseVec> {
    let text = Tokenised::new(text);
    let mut out = Vec::with_capacity(CHANNELS.len());
    out.push(SparseVec::from_pairs(content::word_counts(&text)));
    out.push(SparseVec::from_pairs(content::char_counts(&text)));
    for f in style::BLOCKS {
        out.push(SparseVec::from_pairs(f(&text)));
    }
    out.push(neardup::shingle_set(&text));
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
/// [probe]`), each response tokenised once for all channels.
pub fn count_corpus(texts: &[Vec<String>]) -> Aligned {
    let per: Vec<Vec<Vec<SparseVec>>> = texts
        .par_iter()
        .map(|m| m.par_iter().map(|t| count(t)).collect())
        .collect();
    let mut out: Aligned = vec![Vec::with_capacity(texts.len()); CHANNELS.len()];
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
        .map(|t| match t {
            Some(t) if !t.trim().is_empty() => count(t),
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
            let per: Vec<Vec<SparseVec>> = model.iter().map(|t| count(t)).collect();
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

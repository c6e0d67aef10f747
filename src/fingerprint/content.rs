//! Content fingerprints: what a response says.
//!
//! Word unigrams and bigrams, and character 4-grams within words, each
//! TF-IDF-weighted ([`super::features`]). A student shares content with its
//! teacher, but also with any model built on the same base or trained on
//! the same public data, so this family alone never decides a verdict.

use super::features::{count_all, tfidf};
use super::tokenize::{feature_id, ngram_id, Tokenised};
use super::{Extractor, Family, Features};
use crate::input::align::Corpus;

const NS_WORD: u64 = 0x11;
const NS_CHAR: u64 = 0x12;

/// Word 1- and 2-gram TF-IDF.
pub struct WordTfidf;

/// Character 4-gram TF-IDF within words padded by spaces.
pub struct CharTfidf;

impl Extractor for WordTfidf {
    fn name(&self) -> &'static str {
        "content.word_tfidf"
    }
    fn family(&self) -> Family {
        Family::Content
    }
    fn extract(&self, corpus: &Corpus) -> Features {
        tfidf(count_all(corpus, |t, out| {
            word_counts(&Tokenised::new(t), out)
        }))
    }
}

impl Extractor for CharTfidf {
    fn name(&self) -> &'static str {
        "content.char_tfidf"
    }
    fn family(&self) -> Family {
        Family::Content
    }
    fn extract(&self, corpus: &Corpus) -> Features {
        tfidf(count_all(corpus, |t, out| {
            char_counts(&Tokenised::new(t), out)
        }))
    }
}

/// Word unigram and bigram counts, appended to `out`.
pub fn word_counts(text: &Tokenised, out: &mut Vec<(u32, f32)>) {
    let h = text.word_hashes();
    out.extend(h.windows(1).map(|t| (ngram_id(NS_WORD, t), 1.0)));
    out.extend(h.windows(2).map(|p| (ngram_id(NS_WORD, p), 1.0)));
}

/// Character 4-gram counts of each space-padded word (scikit-learn's
/// `char_wb` analyser); short words contribute themselves whole.
pub fn char_counts(text: &Tokenised, out: &mut Vec<(u32, f32)>) {
    let mut buf: Vec<char> = Vec::with_capacity(32);
    let mut bytes = [0u8; 16];
    let mut padded: Vec<u8> = Vec::with_capacity(32);
    for (w, _) in text.words() {
        // ASCII words: one byte per character, so byte windows are the
        // character windows below, without decoding.
        if w.is_ascii() {
            if w.len() + 2 <= 4 {
                out.push((feature_id(NS_CHAR, w.as_bytes()), 1.0));
                continue;
            }
            padded.clear();
            padded.push(b' ');
            padded.extend_from_slice(w.as_bytes());
            padded.push(b' ');
            out.extend(padded.windows(4).map(|win| (feature_id(NS_CHAR, win), 1.0)));
            continue;
        }
        buf.clear();
        buf.push(' ');
        buf.extend(w.chars());
        buf.push(' ');
        if buf.len() <= 4 {
            out.push((feature_id(NS_CHAR, w.as_bytes()), 1.0));
            continue;
        }
        for win in buf.windows(4) {
            let mut n = 0;
            for c in win {
                n += c.encode_utf8(&mut bytes[n..]).len();
            }
            out.push((feature_id(NS_CHAR, &bytes[..n]), 1.0));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identical_texts_have_cosine_one_and_differ_otherwise() {
        let c = crate::fingerprint::features::tests::corpus(vec![
            vec!["the cat sat on the mat"],
            vec!["the cat sat on the mat"],
            vec!["quantum chromodynamics lattice"],
        ]);
        for ex in [&WordTfidf as &dyn Extractor, &CharTfidf] {
            let f = ex.extract(&c);
            assert!((f[0][0].dot(&f[1][0]) - 1.0).abs() < 1e-5);
            assert!(f[0][0].dot(&f[2][0]) < 0.2);
        }
    }
}

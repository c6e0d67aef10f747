//! Tokenisation shared by the extractors.
//!
//! Words are maximal runs of alphanumeric characters of the lower-cased
//! text; each CJK ideograph, kana or hangul syllable is its own word because
//! those scripts do not separate words with spaces. Tokens are spans into one
//! lower-cased copy of the text, so tokenising allocates twice per response,
//! not once per word.
//!
//! Feature ids are 32-bit values derived from XXH3 hashes of the tokens (the
//! "hashing trick", Weinberger et al. 2009, "Feature hashing for large scale
//! multitask learning", ICML): stable across platforms and runs; collisions
//! only add a little noise to cosines, and that noise is the same for every
//! model pair.

use std::ops::Range;

use xxhash_rust::xxh3::{xxh3_64, xxh3_64_with_seed};

/// Tokens of one text: spans into its lower-cased copy.
#[derive(Debug, Clone, Default)]
pub struct Tokens {
    lower: String,
    spans: Vec<Range<usize>>,
}

impl Tokens {
    pub fn len(&self) -> usize {
        self.spans.len()
    }
    pub fn is_empty(&self) -> bool {
        self.spans.is_empty()
    }
    pub fn get(&self, i: usize) -> &str {
        &self.lower[self.spans[i].clone()]
    }
    pub fn iter(&self) -> impl Iterator<Item = &str> + '_ {
        self.spans.iter().map(|r| &self.lower[r.clone()])
    }
    /// XXH3 of each token, the input of [`ngram_id`].
    pub fn hashes(&self) -> Vec<u64> {
        self.iter().map(|t| xxh3_64(t.as_bytes())).collect()
    }
}

/// Stable feature id of `bytes` within the namespace `ns` (a different `ns`
/// per feature kind keeps kinds apart).
pub fn feature_id(ns: u64, bytes: &[u8]) -> u32 {
    fold(xxh3_64_with_seed(bytes, ns))
}

/// Feature id of a sequence of token hashes within namespace `ns`.
pub fn ngram_id(ns: u64, hashes: &[u64]) -> u32 {
    const K: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut h = ns.wrapping_mul(K) ^ hashes.len() as u64;
    for &x in hashes {
        h = (h ^ x).wrapping_mul(K).rotate_left(29);
    }
    fold(h.wrapping_mul(K))
}

fn fold(h: u64) -> u32 {
    (h ^ (h >> 32)) as u32
}

fn is_cjk(c: char) -> bool {
    matches!(c as u32, 0x3040..=0x30ff | 0x3400..=0x4dbf | 0x4e00..=0x9fff | 0xac00..=0xd7af | 0xf900..=0xfaff)
}

/// Lower-cased words of `text`.
pub fn words(text: &str) -> Tokens {
    split(text, false)
}

/// Words, punctuation marks and line breaks, in order: the input of the
/// style skeleton and of openers and closers.
pub fn words_and_punct(text: &str) -> Tokens {
    split(text, true)
}

fn split(text: &str, punct: bool) -> Tokens {
    // Most responses are ASCII; its lower-casing and character classes are
    // table-free, several times faster than the Unicode paths.
    let lower = if text.is_ascii() {
        text.to_ascii_lowercase()
    } else {
        text.to_lowercase()
    };
    let mut spans = Vec::with_capacity(lower.len() / 5);
    let mut start: Option<usize> = None;
    for (i, c) in lower.char_indices() {
        let (word_char, cjk) = if c.is_ascii() {
            (c.is_ascii_alphanumeric(), false)
        } else {
            let cjk = is_cjk(c);
            (c.is_alphanumeric() && !cjk, cjk)
        };
        if word_char {
            start.get_or_insert(i);
            continue;
        }
        if let Some(s) = start.take() {
            spans.push(s..i);
        }
        let keep = cjk || (punct && (c == '\n' || !(c.is_whitespace() || c.is_control())));
        if keep {
            spans.push(i..i + c.len_utf8());
        }
    }
    if let Some(s) = start {
        spans.push(s..lower.len());
    }
    Tokens { lower, spans }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(t: &Tokens) -> Vec<&str> {
        t.iter().collect()
    }

    #[test]
    fn words_lowercase_and_split_cjk() {
        assert_eq!(
            v(&words("Hello, World! 我是")),
            vec!["hello", "world", "我", "是"]
        );
        assert_eq!(
            v(&words_and_punct("Hi, you.\n")),
            vec!["hi", ",", "you", ".", "\n"]
        );
        assert!(words("  ").is_empty());
    }

    #[test]
    fn ids_are_stable_and_namespaced() {
        let h = words("a b ab").hashes();
        assert_eq!(ngram_id(1, &h[..2]), ngram_id(1, &h[..2]));
        assert_ne!(ngram_id(1, &h[..2]), ngram_id(2, &h[..2]));
        assert_ne!(ngram_id(1, &h[2..3]), ngram_id(1, &h[..2]));
        assert_ne!(ngram_id(1, &[h[0], h[1]]), ngram_id(1, &[h[1], h[0]]));
    }
}

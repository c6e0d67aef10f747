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

/// One response tokenised once for every extractor: the tokens of
/// [`words_and_punct`], the XXH3 hash of each (the input of [`ngram_id`]),
/// and which of them are [`words`]. Tokenising and hashing were a fifth of
/// a comparison when each extractor did its own.
#[derive(Debug, Clone)]
pub struct Tokenised<'a> {
    /// The response as given (line structure, for Markdown habits).
    pub text: &'a str,
    tokens: Tokens,
    hashes: Vec<u64>,
    is_word: Vec<bool>,
    word_hashes: Vec<u64>,
}

impl<'a> Tokenised<'a> {
    pub fn new(text: &'a str) -> Self {
        let tokens = words_and_punct(text);
        let hashes: Vec<u64> = tokens.iter().map(|t| xxh3_64(t.as_bytes())).collect();
        // A mark is a single character that is neither a word character nor
        // CJK, so a token's first character tells words from marks.
        let is_word: Vec<bool> = tokens
            .iter()
            .map(|t| {
                t.chars()
                    .next()
                    .is_some_and(|c| c.is_alphanumeric() || is_cjk(c))
            })
            .collect();
        let word_hashes = hashes
            .iter()
            .zip(&is_word)
            .filter_map(|(&h, &w)| w.then_some(h))
            .collect();
        Tokenised {
            text,
            tokens,
            hashes,
            is_word,
            word_hashes,
        }
    }
    /// The lower-cased text.
    pub fn lower(&self) -> &str {
        &self.tokens.lower
    }
    /// Every token (words, marks and line breaks) with its hash.
    pub fn all(&self) -> impl Iterator<Item = (&str, u64)> + '_ {
        self.tokens.iter().zip(self.hashes.iter().copied())
    }
    /// The words, as [`words`] gives them, with their hashes.
    pub fn words(&self) -> impl Iterator<Item = (&str, u64)> + '_ {
        self.all()
            .zip(&self.is_word)
            .filter_map(|(t, &w)| w.then_some(t))
    }
    /// Hashes of the words, in order.
    pub fn word_hashes(&self) -> &[u64] {
        &self.word_hashes
    }
    pub fn word_count(&self) -> usize {
        self.word_hashes.len()
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

/// Number of [`words`] of `text`, without building them when the text is
/// ASCII (lower-casing then changes no character class).
pub fn word_count(text: &str) -> usize {
    if !text.is_ascii() {
        return words(text).len();
    }
    let mut prev = false;
    let mut n = 0;
    for c in text.bytes() {
        let w = c.is_ascii_alphanumeric();
        n += usize::from(w && !prev);
        prev = w;
    }
    n
}

/// Words, punctuation marks and line breaks, in order: the input of the
/// style skeleton and of openers and closers.
pub fn words_and_punct(text: &str) -> Tokens {
    split(text, true)
}

fn split(text: &str, punct: bool) -> Tokens {
    // Most responses are ASCII; its lower-casing and character classes are
    // table-free, several times faster than the Unicode paths.
    if text.is_ascii() {
        return split_ascii(text.to_ascii_lowercase(), punct);
    }
    let lower = text.to_lowercase();
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

/// [`split`] of ASCII text: the same spans, since every character is one
/// byte and, among ASCII characters, the kept marks are those above the
/// space other than DEL (the rest are whitespace or control characters).
/// Bytes are classified 64 at a time into bit masks, and the loop visits
/// only the boundaries of words and the kept marks, not every byte.
fn split_ascii(lower: String, punct: bool) -> Tokens {
    let b = lower.as_bytes();
    let mut spans = Vec::with_capacity(b.len() / 5);
    let mut start = 0usize;
    // Whether the byte before the current chunk was a word byte.
    let mut carry = 0u64;
    for (ci, chunk) in b.chunks(64).enumerate() {
        let base = ci * 64;
        let (mut word, mut mark) = (0u64, 0u64);
        for (k, &c) in chunk.iter().enumerate() {
            word |= u64::from(c.is_ascii_alphanumeric()) << k;
            mark |= u64::from(c == b'\n' || (c > b' ' && c != 0x7f)) << k;
        }
        let mark = if punct { mark & !word } else { 0 };
        let prev = word << 1 | carry;
        let starts = word & !prev;
        // Bytes past the chunk's end count as non-word only in the last
        // chunk, which the final check below closes instead.
        let valid = if chunk.len() == 64 {
            u64::MAX
        } else {
            (1u64 << chunk.len()) - 1
        };
        let ends = !word & prev & valid;
        let mut events = starts | ends | mark;
        while events != 0 {
            let k = events.trailing_zeros() as usize;
            let bit = 1u64 << k;
            if ends & bit != 0 {
                spans.push(start..base + k);
            }
            if starts & bit != 0 {
                start = base + k;
            }
            if mark & bit != 0 {
                spans.push(base + k..base + k + 1);
            }
            events &= events - 1;
        }
        carry = word >> 63;
    }
    let last_is_word = b.last().is_some_and(u8::is_ascii_alphanumeric);
    if last_is_word {
        spans.push(start..b.len());
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
    fn ascii_path_matches_unicode_path() {
        // A non-ASCII character at the end sends the text down the
        // Unicode path without changing the tokens before it.
        let all: String = (0u8..128).map(char::from).collect();
        for text in [all.as_str(), "Hi,\tyou.\r\n\x0b(ok) a_b x\x7fy"] {
            for punct in [false, true] {
                let a = split(text, punct);
                let b = split(&format!("{text} é"), punct);
                let n = a.len();
                assert_eq!(v(&a), v(&b)[..n].to_vec());
            }
        }
    }

    #[test]
    fn ascii_masks_match_unicode_path_on_random_text() {
        use rand::Rng;
        let mut rng = crate::stats::rng::stream(4, "tokenize-test");
        let alphabet = b"ab Z9.,\n\t-\x01\x7f(";
        for len in [0, 1, 2, 63, 64, 65, 127, 128, 129, 300] {
            for _ in 0..20 {
                let text: String = (0..len)
                    .map(|_| char::from(alphabet[rng.gen_range(0..alphabet.len())]))
                    .collect();
                for punct in [false, true] {
                    let a = split(&text, punct);
                    let b = split(&format!("{text} é"), punct);
                    assert_eq!(v(&a), v(&b)[..a.len()].to_vec(), "{text:?}");
                    assert_eq!(a.len() + 1, b.len(), "{text:?}");
                    assert_eq!(word_count(&text), words(&text).len());
                }
            }
        }
    }

    #[test]
    fn tokenised_words_match_words() {
        for text in [
            "Hi, you.\n(ok) 3rd",
            "我是・ー x—y Ünïcode! 한국어",
            "",
            " \n ",
        ] {
            let t = Tokenised::new(text);
            let w: Vec<&str> = t.words().map(|(w, _)| w).collect();
            assert_eq!(w, v(&words(text)), "{text:?}");
            assert_eq!(t.word_hashes(), words(text).hashes().as_slice());
            assert_eq!(t.word_count(), word_count(text));
            assert_eq!(t.all().count(), words_and_punct(text).len());
        }
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

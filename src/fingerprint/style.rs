//! Style fingerprint: how a response is written, independent of its topic.
//!
//! Four blocks, each weighted and normalised on its own so no block swamps
//! the others, then joined into one vector:
//! - *openers and closers*: the first and last one to three tokens
//!   ("Sure! Here", "I hope this helps"), the most copied habits in
//!   distillation data;
//! - *format*: Markdown habits per response (headings, bullets, numbered
//!   lists, bold, code fences, tables, colons ending lines, paragraphs) and a
//!   log-scale length bucket;
//! - *discourse*: hedges, disclaimers and stock transitions from a fixed
//!   lexicon ([`super::lexicon`]);
//! - *skeleton*: 3- and 4-grams of the text with content words replaced by a
//!   placeholder and function words and punctuation kept, the classic
//!   topic-independent stylometric profile (Stamatatos 2009, "A survey of
//!   modern authorship attribution methods", JASIST 60(3)).

use std::sync::OnceLock;

use aho_corasick::AhoCorasick;
use xxhash_rust::xxh3::xxh3_64;

use super::features::{count_all, tfidf, Counts};
use super::lexicon::{is_function_word, DISCOURSE};
use super::tokenize::{feature_id, ngram_id, Tokenised};
use super::{Extractor, Family, Features, SparseVec};
use crate::input::align::Corpus;

const NS_OPEN: u64 = 0x21;
const NS_CLOSE: u64 = 0x25;
const NS_FORMAT: u64 = 0x22;
const NS_DISC: u64 = 0x23;
const NS_SKEL: u64 = 0x24;

/// The joined style extractor.
pub struct Style;

impl Extractor for Style {
    fn name(&self) -> &'static str {
        "style.habits"
    }
    fn family(&self) -> Family {
        Family::Style
    }
    fn extract(&self, corpus: &Corpus) -> Features {
        weigh(BLOCKS.map(|f| count_all(corpus, |t, out| f(&Tokenised::new(t), out))))
    }
}

/// A per-response raw-count function.
pub type CountFn = fn(&Tokenised, &mut Vec<(u32, f32)>);

/// The raw-count function of each block, in joining order; [`weigh`] turns
/// their counts into the style vectors. Kept apart so `lineage matrix` can
/// cache the per-response counts and weigh them over any set of models.
pub const BLOCKS: [CountFn; 4] = [opener_closer, format_counts, discourse, skeleton];

/// Weigh the raw counts of the [`BLOCKS`] (`[block][model][probe]`) and
/// join them into one normalised style vector per response.
pub fn weigh(blocks: [Counts; 4]) -> Features {
    let [open, format, disc, skel] = blocks;
    join([tfidf(open), normalised(format), tfidf(disc), tfidf(skel)])
}

fn normalised(mut f: Features) -> Features {
    f.iter_mut().flatten().for_each(SparseVec::normalise);
    f
}

fn join(blocks: [Features; 4]) -> Features {
    (0..blocks[0].len())
        .map(|m| {
            (0..blocks[0][m].len())
                .map(|p| {
                    let mut v = SparseVec::merge(blocks.iter().map(|b| &b[m][p]));
                    v.normalise();
                    v
                })
                .collect()
        })
        .collect()
}

/// First and last 1–3 tokens, punctuation included, line breaks skipped.
pub fn opener_closer(text: &Tokenised, out: &mut Vec<(u32, f32)>) {
    let kept: Vec<u64> = text
        .all()
        .filter_map(|(s, h)| (s != "\n").then_some(h))
        .collect();
    let m = 3.min(kept.len());
    let (head, tail) = (&kept[..m], &kept[kept.len() - m..]);
    for n in 1..=m {
        out.push((ngram_id(NS_OPEN, &head[..n]), 1.0));
        out.push((ngram_id(NS_CLOSE, &tail[m - n..]), 1.0));
    }
}

/// Markdown habit counts (log-scaled) and a length bucket.
pub fn format_counts(text: &Tokenised, out: &mut Vec<(u32, f32)>) {
    let mut c = [0u32; 9];
    let mut in_para = false;
    for line in text.text.lines() {
        let l = line.trim_start();
        let kinds = [
            l.starts_with('#'),
            l.starts_with("- ") || l.starts_with("* ") || l.starts_with("• "),
            numbered(l),
            l.contains("**") || l.contains("__"),
            l.starts_with("```"),
            l.starts_with('|'),
            l.trim_end().ends_with(':'),
            l.starts_with('>'),
        ];
        for (k, on) in kinds.iter().enumerate() {
            c[k] += u32::from(*on);
        }
        let blank = l.trim().is_empty();
        c[8] += u32::from(!blank && !in_para);
        in_para = !blank;
    }
    out.extend(
        c.iter()
            .enumerate()
            .map(|(k, &n)| (feature_id(NS_FORMAT, &[k as u8]), (1.0 + n as f32).ln())),
    );
    let len = text.word_count() as f32;
    let bucket = (2.0 * (1.0 + len).log2()).round() as i32;
    for (d, w) in [(-1, 0.5), (0, 1.0), (1, 0.5)] {
        out.push((feature_id(NS_FORMAT, &(100 + bucket + d).to_le_bytes()), w));
    }
}

fn numbered(l: &str) -> bool {
    let digits = l.bytes().take_while(u8::is_ascii_digit).count();
    digits > 0 && digits < 4 && matches!(l.as_bytes().get(digits), Some(b'.') | Some(b')'))
}

/// Counts of discourse markers; a "none" feature keeps the vector
/// non-empty so two marker-free answers still match.
pub fn discourse(text: &Tokenised, out: &mut Vec<(u32, f32)>) {
    let before = out.len();
    out.extend(
        discourse_matcher()
            .find_overlapping_iter(text.lower())
            .map(|m| {
                (
                    feature_id(NS_DISC, &m.pattern().as_u32().to_le_bytes()),
                    1.0,
                )
            }),
    );
    if out.len() == before {
        out.push((feature_id(NS_DISC, b"none"), 1.0));
    }
}

/// One Aho–Corasick automaton for the whole lexicon, built once: a single
/// pass over the text instead of one substring search per phrase.
fn discourse_matcher() -> &'static AhoCorasick {
    static M: OnceLock<AhoCorasick> = OnceLock::new();
    M.get_or_init(|| AhoCorasick::new(DISCOURSE).expect("static patterns"))
}

/// Function-word/punctuation skeleton 3- and 4-grams.
pub fn skeleton(text: &Tokenised, out: &mut Vec<(u32, f32)>) {
    let (word, num) = (xxh3_64(b"<w>"), xxh3_64(b"<n>"));
    let sk: Vec<u64> = text
        .all()
        .map(|(t, h)| {
            let first = t.chars().next().unwrap_or(' ');
            if !first.is_alphanumeric() || is_function_word(t) {
                h
            } else if first.is_numeric() {
                num
            } else {
                word
            }
        })
        .collect();
    for n in [3, 4] {
        out.extend(sk.windows(n).map(|w| (ngram_id(NS_SKEL, w), 1.0)));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fingerprint::features::tests::corpus;

    #[test]
    fn same_habits_on_other_topics_look_alike() {
        let a = "Sure! Here are some tips:\n\n1. **Sleep** well.\n2. **Eat** greens.\n\nI hope this helps!";
        let b = "Sure! Here are some ideas:\n\n1. **Paint** walls.\n2. **Fix** doors.\n\nI hope this helps!";
        let c = "Paris is the capital of France and has been for centuries.";
        let f = Style.extract(&corpus(vec![vec![a], vec![b], vec![c]]));
        assert!(f[0][0].dot(&f[1][0]) > 0.8, "{}", f[0][0].dot(&f[1][0]));
        assert!(f[0][0].dot(&f[2][0]) < 0.4);
    }

    #[test]
    fn detects_numbered_lines() {
        assert!(numbered("12. item"));
        assert!(!numbered("2024 was"));
    }
}

//! Fixed word lists for the style fingerprint.
//!
//! Function words are the closed-class English words that stylometry has
//! used since Mosteller & Wallace (1964) because they carry habit, not topic.
//! The discourse list holds hedges, disclaimers, stock openers and closers
//! and transitions typical of assistant-style answers; they are written for
//! this project and matched case-insensitively as substrings.

use std::sync::OnceLock;

use rustc_hash::FxHashSet;

/// Closed-class words kept verbatim in the style skeleton (sorted).
const FUNCTION_WORDS: &[&str] = &[
    "a", "about", "above", "after", "again", "against", "all", "also", "although", "am", "an",
    "and", "any", "are", "as", "at", "be", "because", "been", "before", "being", "below",
    "between", "both", "but", "by", "can", "could", "did", "do", "does", "doing", "down",
    "during", "each", "either", "even", "every", "few", "for", "from", "further", "had", "has",
    "have", "having", "he", "her", "here", "hers", "herself", "him", "himself", "his", "how",
    "however", "i", "if", "in", "into", "is", "it", "its", "itself", "just", "may", "me",
    "might", "more", "most", "must", "my", "myself", "neither", "no", "nor", "not", "now", "of",
    "off", "on", "once", "only", "or", "other", "our", "ours", "ourselves", "out", "over", "own",
    "same", "shall", "she", "should", "so", "some", "such", "than", "that", "the", "their",
    "theirs", "them", "themselves", "then", "there", "therefore", "these", "they", "this",
    "those", "though", "through", "thus", "to", "too", "under", "until", "up", "upon", "us",
    "very", "was", "we", "were", "what", "when", "where", "whether", "which", "while", "who",
    "whom", "whose", "why", "will", "with", "within", "without", "would", "yet", "you", "your",
    "yours", "yourself", "yourselves",
];

/// Is `w` (lower-case) a function word? A hash set built once: this runs
/// for every token of every response, and hashing beats a binary search of
/// string comparisons there.
pub fn is_function_word(w: &str) -> bool {
    static SET: OnceLock<FxHashSet<&'static str>> = OnceLock::new();
    w.len() <= 10
        && SET
            .get_or_init(|| FUNCTION_WORDS.iter().copied().collect())
            .contains(w)
}

/// Hedges, disclaimers and stock phrases (lower-case).
pub const DISCOURSE: &[&str] = &[
    "as an ai",
    "language model",
    "i'm sorry",
    "i am sorry",
    "i apologize",
    "i cannot",
    "i can't",
    "i'm not able",
    "it is important to",
    "it's important to",
    "it is worth noting",
    "it's worth noting",
    "please note",
    "keep in mind",
    "however,",
    "additionally,",
    "furthermore,",
    "moreover,",
    "overall,",
    "in conclusion",
    "in summary",
    "ultimately,",
    "for example",
    "for instance",
    "generally",
    "typically",
    "depends on",
    "consult",
    "professional",
    "i hope this helps",
    "let me know if",
    "feel free to",
    "happy to help",
    "great question",
    "certainly",
    "of course",
    "sure,",
    "sure!",
    "here are",
    "here is",
    "here's",
    "there are several",
    "there are many",
    "some of the",
    "you can",
    "you may",
    "you might",
    "it is not",
    "it is possible",
    "personal preference",
    "subjective",
    "ethical",
    "appropriate",
    "respectful",
    "note that",
    "example:",
    "step 1",
    "tips",
    "!",
    "?",
    ";",
    " - ",
    "—",
    "...",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn function_words_are_sorted_for_binary_search() {
        assert!(FUNCTION_WORDS.windows(2).all(|w| w[0] < w[1]));
        assert!(is_function_word("the"));
        assert!(!is_function_word("cat"));
    }
}

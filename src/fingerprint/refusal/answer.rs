//! Does a response address its request? The non-answer measure.
//!
//! Human annotators label a response a refusal when it does not do what
//! was asked, whatever phrase it opens with: a lecture that never gives the
//! steps, the name or the number asked for is a refusal without a refusal
//! phrase. Two model-free signals capture this:
//!
//! * **coverage**: the share of the request's content terms (words of
//!   three or more letters that are not function words, compared on their
//!   first [`STEM`] bytes, a crude stemmer) that the response uses, over
//!   the whole response and over its help sentences only (sentences with
//!   no refusal, warning, redirect or moralising cue);
//! * **answer kind**: the kind of answer the request asks for (code,
//!   steps, a number, a name, a reason or a definition), read from generic
//!   question words, and whether the help sentences contain that kind
//!   (a code span, a list, a digit, a proper name, a causal connective, a
//!   copula definition).
//!
//! Both are generic English question and answer linguistics, not phrases
//! of any training file; other languages get coverage only.

/// Bytes of a word compared as its stem.
pub(super) const STEM: usize = 5;

/// The kinds of answer a request can ask for, in order of precedence.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum AnswerKind {
    Code,
    Steps,
    Number,
    Name,
    Reason,
    Definition,
}

/// Request cues of each kind (lowercase, matched as substrings of the
/// normalised prompt with a leading space).
const ASKS: &[(AnswerKind, &[&str])] = &[
    (
        AnswerKind::Code,
        &[
            " code",
            " script",
            " program ",
            " function",
            " command",
            " regex",
            " sql",
        ],
    ),
    (
        AnswerKind::Steps,
        &[
            " how do i ",
            " how can i ",
            " how to ",
            " how should i ",
            " how would i ",
            " how could i ",
            " how do you ",
            " how can you ",
            " how does one ",
            " best way",
            " ways to ",
            " steps ",
            " tips ",
            " what can i do",
            " where can i ",
            " how do we ",
            " how can we ",
        ],
    ),
    (
        AnswerKind::Number,
        &[
            " how many ",
            " how much ",
            " how old ",
            " how long ",
            " what year",
            " when ",
            " what time",
            " what date",
            " phone number",
            " address",
            " date of birth",
        ],
    ),
    (
        AnswerKind::Name,
        &[
            " who ",
            " which ",
            " where ",
            " name of ",
            " what is the name",
        ],
    ),
    (
        AnswerKind::Reason,
        &[" why ", " reasons ", " what caused", " what led "],
    ),
    (
        AnswerKind::Definition,
        &[
            " what is ",
            " what's ",
            " what are ",
            " what does ",
            " define ",
            " definition",
            " meaning of ",
            " what do you mean",
            " explain ",
            " describe ",
        ],
    ),
];

/// What a help sentence must contain to deliver each kind (besides the
/// structural signals checked in [`delivers`]).
const GIVES: &[(AnswerKind, &[&str])] = &[
    (
        AnswerKind::Code,
        &["`", "();", "import ", "def ", "select "],
    ),
    (
        AnswerKind::Steps,
        &[
            "first,",
            "step ",
            "then ",
            "next,",
            "finally,",
            "you can ",
            "you could ",
            "try ",
        ],
    ),
    (AnswerKind::Number, &[]),
    (AnswerKind::Name, &[]),
    (
        AnswerKind::Reason,
        &[
            "because",
            "due to",
            "as a result",
            "caused by",
            "stems from",
            "factors",
            "led to",
        ],
    ),
    (
        AnswerKind::Definition,
        &[
            " is a ",
            " is an ",
            " is the ",
            " refers to",
            " means ",
            " are a ",
            " describes",
            " is when ",
            " involves ",
            " is used ",
            " are used ",
        ],
    ),
];

/// English function and request words that carry no topic.
#[rustfmt::skip]
const STOP: &[&str] = &[
    "the", "and", "for", "are", "but", "not", "you", "your", "all", "any", "can", "had", "her",
    "was", "one", "our", "out", "has", "him", "his", "how", "its", "may", "who", "did", "get",
    "got", "let", "say", "she", "too", "use", "way", "what", "when", "where", "which", "why",
    "with", "would", "could", "should", "there", "their", "they", "them", "then", "than",
    "that", "this", "these", "those", "from", "have", "into", "just", "like", "make", "more",
    "most", "much", "some", "such", "tell", "want", "will", "about", "also", "best", "does",
    "doing", "done", "each", "ever", "give", "good", "know", "many", "need", "only", "other",
    "over", "please", "really", "same", "very", "well", "were", "been", "being", "both",
    "here", "some", "something", "someone", "anyone", "people", "thing", "things", "explain",
    "describe", "find", "help", "able", "mean", "means", "example", "after", "before", "while",
];

/// The request, read once.
pub(super) struct Ask {
    /// Content-term stems of the request.
    pub stems: Vec<[u8; STEM]>,
    pub kind: Option<AnswerKind>,
}

/// Stem of an ASCII word: its first [`STEM`] bytes, zero-padded.
fn stem(w: &[u8]) -> [u8; STEM] {
    let mut s = [0u8; STEM];
    let n = w.len().min(STEM);
    s[..n].copy_from_slice(&w[..n]);
    s
}

/// ASCII-alphanumeric words of `t`, as byte slices.
pub(super) fn words(t: &str) -> impl Iterator<Item = &[u8]> {
    t.as_bytes()
        .split(|c| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
}

/// Reads a normalised (lowercase) prompt.
pub(super) fn ask(prompt: &str) -> Ask {
    let mut stems: Vec<[u8; STEM]> = Vec::new();
    for w in words(prompt) {
        let alpha = w.iter().all(u8::is_ascii_alphabetic);
        let stop = std::str::from_utf8(w).is_ok_and(|w| STOP.contains(&w));
        if w.len() >= 3 && alpha && !stop {
            let s = stem(w);
            if !stems.contains(&s) {
                stems.push(s);
            }
        }
    }
    let padded = format!(" {} ", prompt.replace(['?', ',', '.', '!'], " "));
    let kind = ASKS
        .iter()
        .find(|(_, cues)| cues.iter().any(|c| padded.contains(c)))
        .map(|(k, _)| *k);
    Ask { stems, kind }
}

/// Share of the request's stems found among `words`, marking them in `seen`.
pub(super) fn mark<'a>(ask: &Ask, words: impl Iterator<Item = &'a [u8]>, seen: &mut [bool]) {
    for w in words {
        if w.len() < 3 {
            continue;
        }
        let s = stem(w);
        if let Some(j) = ask.stems.iter().position(|p| *p == s) {
            seen[j] = true;
        }
    }
}

/// Whether a help sentence `s` (normalised) delivers the kind asked for.
/// `original` is the same sentence before lowercasing, when available,
/// for proper names.
pub(super) fn delivers(kind: AnswerKind, s: &str, original: Option<&str>, list_item: bool) -> bool {
    let cue = GIVES
        .iter()
        .find(|(k, _)| *k == kind)
        .is_some_and(|(_, cues)| cues.iter().any(|c| s.contains(c)));
    cue || match kind {
        AnswerKind::Steps | AnswerKind::Reason => list_item,
        AnswerKind::Number => s.bytes().any(|c| c.is_ascii_digit()),
        AnswerKind::Name => original.is_some_and(proper_name),
        AnswerKind::Code | AnswerKind::Definition => false,
    }
}

/// A capitalised word that does not start a sentence and is not "I".
fn proper_name(s: &str) -> bool {
    let b = s.as_bytes();
    (2..b.len()).any(|i| {
        b[i].is_ascii_uppercase()
            && b[i - 1] == b' '
            && !matches!(b[i - 2], b'.' | b'!' | b'?' | b':' | b'\n')
            && b.get(i + 1).is_some_and(u8::is_ascii_lowercase)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_request() {
        let a = ask("how do i kill a python process?");
        assert_eq!(a.kind, Some(AnswerKind::Steps));
        assert_eq!(a.stems, vec![*b"kill\0", *b"pytho", *b"proce"]);
        assert_eq!(
            ask("who founded the red cross?").kind,
            Some(AnswerKind::Name)
        );
        assert_eq!(ask("write a python script").kind, Some(AnswerKind::Code));
        assert_eq!(ask("").kind, None);
        assert!(ask("").stems.is_empty());
    }

    #[test]
    fn delivered_kinds() {
        assert!(delivers(
            AnswerKind::Number,
            "it opened in 1885.",
            None,
            false
        ));
        assert!(!delivers(
            AnswerKind::Number,
            "it opened long ago.",
            None,
            false
        ));
        assert!(delivers(
            AnswerKind::Name,
            "",
            Some("It was founded by Henry Dunant."),
            false
        ));
        assert!(!delivers(
            AnswerKind::Name,
            "",
            Some("I think so. It was old."),
            false
        ));
        assert!(delivers(
            AnswerKind::Definition,
            "murder is the unlawful killing",
            None,
            false
        ));
        assert!(delivers(AnswerKind::Steps, "open the lid", None, true));
    }

    #[test]
    fn coverage_marks_stems() {
        let a = ask("how do i kill a python process?");
        let mut seen = vec![false; a.stems.len()];
        mark(
            &a,
            words("use the kill command on the process id"),
            &mut seen,
        );
        assert_eq!(seen, [true, false, true]);
    }
}

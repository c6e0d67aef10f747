//! The matching engine: the lexicon read into a [`Scan`].
//!
//! A response is normalised once (lowercase, typographic quotes folded),
//! cut into sentences, and every lexicon cue found is attached to the
//! sentence it occurs in. Each sentence then gets one tag: the strongest
//! cue kind inside it. The features ([`super::features`]) read the tags;
//! no label is decided here.

use std::sync::OnceLock;

use super::{de, en, es, fr, zh};

/// What a cue says about the sentence it occurs in. Order matters: a
/// sentence is tagged with the greatest kind it contains.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum Kind {
    /// Deflection and moralising vocabulary ("instead, consider", "focus
    /// on", "constructive"): a marker, never a sentence's tag, counted by
    /// the non-answer features.
    Deflect,
    /// Values language ("inclusion", "stereotypes", "dignity").
    /// `Value` and `Ought` are markers, never a sentence's tag (the weakest
    /// kinds, hidden by [`Sent::kind`]): together in one sentence they tell
    /// a moralising claim rejection from a factual one.
    Value,
    /// Prescriptive wording ("it is important to", "should").
    Ought,
    /// Offers an alternative ("instead, ..."): help only when the objection
    /// was to the wording, not to the request.
    Alt,
    /// Reinterprets the question ("if you mean ...", "in general,").
    Reading,
    /// Marks an offer of real help ("however, here are", "that said,").
    Pivot,
    /// Sympathy or politeness with no stance ("sorry to hear that").
    Soft,
    /// Closing offer ("is there anything else I can help with").
    Closing,
    /// Self-description without refusal ("as an AI, I don't have opinions").
    Disclaim,
    /// Caution or moralising filler ("it's important to respect ...").
    Hedge,
    /// Safety warning about the topic ("is illegal", "highly dangerous").
    Warn,
    /// Points elsewhere instead of answering ("consult a professional").
    Redirect,
    /// Says the subject is fictional ("X is a fictional character").
    Fiction,
    /// Rejects the claim the question takes for granted ("it is not
    /// accurate to say that", "there is no reason why"): a correction, so
    /// an answer, unless it turns into a moral lecture.
    Refute,
    /// Rejects the premise of a nonsense question ("there is no such thing").
    Premise,
    /// Moral rebuttal of the request ("it is not appropriate to ...").
    Rebut,
    /// Lack of access presented as the answer ("I don't have access to ...").
    NoAccess,
    /// Explicit refusal ("I can't help with that").
    Refuse,
}

/// A group of phrases sharing one kind, rule id and template family.
pub(super) struct Group {
    pub kind: Kind,
    /// Id of the group (`en.refuse.sorry_cant`), for people reading the
    /// lexicon and for the tests.
    #[cfg_attr(not(test), allow(dead_code))]
    pub rule: &'static str,
    pub template: Option<&'static str>,
    /// Lowercase phrases. A phrase starting with an ASCII letter only
    /// matches at a word start; one ending with an ASCII letter only at a
    /// word end ("i can" must not match "i cannot"), unless it ends with
    /// `*`, which marks a stem ("discriminat*").
    pub pats: &'static [&'static str],
    /// When non-empty, the phrase is a modal ("i cannot") that only counts
    /// if one of these verbs follows within `window` bytes, so that
    /// "I can't wait" or "you cannot go wrong" do not fire.
    pub verbs: &'static [&'static str],
    pub window: usize,
}

/// One cue occurrence in the normalised text.
#[derive(Clone, Copy)]
pub(super) struct Hit {
    pub at: usize,
    /// Byte just past the phrase.
    pub end: usize,
    pub group: &'static Group,
}

/// A phrase ready for matching.
struct Entry {
    /// The phrase's first (up to) eight bytes, little-endian, and the mask
    /// selecting them: a one-instruction pre-filter before the full compare.
    head: u64,
    mask: u64,
    pat: &'static str,
    /// Whether the phrase must end at a word boundary.
    whole: bool,
    group: &'static Group,
}

/// Phrases indexed by a hash of their first four bytes, built once.
struct Index {
    buckets: Vec<Vec<Entry>>,
    /// Whether any phrase starts with this byte.
    first: [bool; 256],
}

const NBUCKETS: usize = 8192;
/// Phrases are bucketed by their first `KEY_LEN` bytes, so every phrase
/// must be at least that long.
const KEY_LEN: usize = 4;

fn key(head: u64) -> usize {
    let k = (head & 0xFFFF_FFFF).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    (k >> 51) as usize & (NBUCKETS - 1)
}

fn index() -> &'static Index {
    static IDX: OnceLock<Index> = OnceLock::new();
    IDX.get_or_init(|| {
        let mut buckets: Vec<Vec<Entry>> = (0..NBUCKETS).map(|_| Vec::new()).collect();
        let mut first = [false; 256];
        for groups in [en::GROUPS, zh::GROUPS, es::GROUPS, fr::GROUPS, de::GROUPS] {
            for g in groups {
                for p in g.pats {
                    let (pat, stem) = match p.strip_suffix('*') {
                        Some(s) => (s, true),
                        None => (*p, false),
                    };
                    let b = pat.as_bytes();
                    assert!(b.len() >= KEY_LEN, "phrase too short: {p}");
                    let whole = !stem && b[b.len() - 1].is_ascii_alphanumeric();
                    let (head, mask) = head_of(b);
                    first[b[0] as usize] = true;
                    buckets[key(head)].push(Entry {
                        head,
                        mask,
                        pat,
                        whole,
                        group: g,
                    });
                }
            }
        }
        // Longest first so that the most specific phrase wins at a position.
        for b in &mut buckets {
            b.sort_by_key(|e| std::cmp::Reverse(e.pat.len()));
        }
        Index { buckets, first }
    })
}

fn head_of(b: &[u8]) -> (u64, u64) {
    if let Some(w) = b.first_chunk::<8>() {
        return (u64::from_le_bytes(*w), u64::MAX);
    }
    let mut w = [0u8; 8];
    let n = b.len().min(8);
    w[..n].copy_from_slice(&b[..n]);
    let mask = if n == 8 {
        u64::MAX
    } else {
        (1u64 << (8 * n)) - 1
    };
    (u64::from_le_bytes(w), mask)
}

/// Only the head of a response matters for the label; capping keeps the
/// cost bounded on very long answers.
const MAX_BYTES: usize = 6000;

/// Lowercases, folds typographic apostrophes and the full-width comma, and
/// drops double quotes, so lexicons can be written in plain ASCII
/// punctuation.
pub(crate) fn normalise(text: &str, max_bytes: usize) -> String {
    let mut end = text.len().min(max_bytes);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    let src = text[..end].trim();
    let mut out = String::with_capacity(src.len() + 16);
    // ASCII runs are lowercased in bulk; only non-ASCII chars go one by one.
    let mut rest = src;
    while !rest.is_empty() {
        let ascii = rest
            .bytes()
            .position(|b| !b.is_ascii())
            .unwrap_or(rest.len());
        let (run, tail) = rest.split_at(ascii);
        let at = out.len();
        out.push_str(run);
        out[at..].make_ascii_lowercase();
        // Scare quotes must not hide a phrase: `was not "right" to`.
        if run.contains('"') {
            let clean = out[at..].replace('"', "");
            out.truncate(at);
            out.push_str(&clean);
        }
        let mut chars = tail.chars();
        if let Some(c) = chars.next() {
            match c {
                '\u{2019}' | '\u{2018}' | '\u{02bc}' => out.push('\''),
                // Double quotes are dropped (ASCII ones above).
                '\u{201c}' | '\u{201d}' | '\u{00ab}' | '\u{00bb}' => {}
                // Full-width comma, so Chinese phrases can use ','.
                '\u{ff0c}' => out.push(','),
                c => out.extend(c.to_lowercase()),
            }
        }
        rest = chars.as_str();
    }
    out
}

fn find_hits(t: &str) -> Vec<Hit> {
    let idx = index();
    let b = t.as_bytes();
    let mut hits = Vec::new();
    let mut i = 0;
    let mut prev_alnum = false;
    while i + KEY_LEN <= b.len() {
        let c = b[i];
        let alnum = c.is_ascii_alphanumeric();
        // Candidates: bytes some phrase starts with, and for letters only
        // at a word start ("kill" must not match inside "skill").
        let candidate = idx.first[c as usize] && !(alnum && prev_alnum);
        prev_alnum = alnum;
        if !candidate {
            i += 1;
            continue;
        }
        let rest = &t[i..];
        let (word, _) = head_of(rest.as_bytes());
        let mut matched = 0;
        for e in &idx.buckets[key(word)] {
            let n = e.pat.len();
            if word & e.mask == e.head
                && rest.starts_with(e.pat)
                && !(e.whole && b.get(i + n).is_some_and(|c| c.is_ascii_alphanumeric()))
                && verb_follows(e.group, &rest[n..])
            {
                hits.push(Hit {
                    at: i,
                    end: i + n,
                    group: e.group,
                });
                matched = n;
                break;
            }
        }
        if matched > 0 {
            // Skip past the phrase so overlapping sub-phrases do not
            // double count.
            i += matched;
            prev_alnum = b[i - 1].is_ascii_alphanumeric();
        } else {
            i += 1;
        }
    }
    hits
}

fn verb_follows(g: &Group, after: &str) -> bool {
    if g.verbs.is_empty() {
        return true;
    }
    let mut end = after.len().min(g.window);
    while !after.is_char_boundary(end) {
        end -= 1;
    }
    let win = &after[..end];
    // Stay within the clause: "I can't stress this enough. Provide ..."
    // must not pair the modal with the next sentence's verb.
    let win = match win.find(['.', '!', '?', '\n', '。', '！', '？']) {
        Some(k) => &win[..k],
        None => win,
    };
    // Nor with a verb of the next clause: "While I can't browse, I can
    // tell you ...".
    let win = match win.find(", i ").or_else(|| win.find(", but")) {
        Some(k) => &win[..k],
        None => win,
    };
    g.verbs.iter().any(|v| win.contains(v))
}

/// A sentence span with its strongest cue.
pub(super) struct Sent {
    pub start: usize,
    pub end: usize,
    pub tag: Option<&'static Group>,
    /// End of the phrase that set `tag`.
    pub tag_end: usize,
    /// Every kind present, as bits of `1 << kind`.
    pub kinds: u32,
    /// Starts like a list item ("1.", "-", "*").
    pub list_item: bool,
}

impl Sent {
    pub fn kind(&self) -> Option<Kind> {
        self.tag.map(|g| g.kind).filter(|k| *k > Kind::Ought)
    }

    pub fn has(&self, k: Kind) -> bool {
        self.kinds & (1 << k as u32) != 0
    }
}

fn split(t: &str, hits: &[Hit]) -> Vec<Sent> {
    let b = t.as_bytes();
    let mut sents = Vec::new();
    let mut start = 0;
    let push = |s: usize, e: usize, sents: &mut Vec<Sent>| {
        let seg = t[s..e].trim();
        // Skip fragments such as a lone list number or "---".
        // (Any non-ASCII byte counts as a letter: CJK has no ASCII.)
        let letters = seg
            .bytes()
            .filter(|c| c.is_ascii_alphanumeric() || *c >= 0x80)
            .take(2)
            .count();
        if letters == 2 {
            let head = &seg.as_bytes()[..seg.len().min(4)];
            let digits = head.iter().take_while(|c| c.is_ascii_digit()).count();
            let list_item = seg.starts_with(['-', '*', '\u{2022}'])
                || (digits > 0 && matches!(head.get(digits), Some(b'.' | b')')));
            sents.push(Sent {
                start: s,
                end: e,
                tag: None,
                tag_end: s,
                kinds: 0,
                list_item,
            });
        }
    };
    // Bytes that can end a sentence; a table lookup keeps the scan tight.
    const fn delims() -> [bool; 256] {
        let mut t = [false; 256];
        let ds = [b'\n', b'.', b'!', b'?', b';', 0xE3, 0xEF];
        let mut k = 0;
        while k < ds.len() {
            t[ds[k] as usize] = true;
            k += 1;
        }
        t
    }
    static DELIM: [bool; 256] = delims();
    let mut i = 0;
    let mut line_start = 0;
    while i < b.len() {
        match b[i..].iter().position(|&c| DELIM[c as usize]) {
            Some(k) => i += k,
            None => break,
        }
        let c = b[i];
        let cut = match c {
            b'\n' => {
                line_start = i + 1;
                Some(i + 1)
            }
            // A period ends a sentence only before whitespace, so "os.kill",
            // "1.5" or "nhs.uk" stay whole; list numbers "1." are merged
            // with their item below.
            b'.' | b'!' | b'?' | b';' => {
                let next = b.get(i + 1).copied();
                let numbered = c == b'.'
                    && i >= 1
                    && b[i - 1].is_ascii_digit()
                    && t[line_start..i].trim().bytes().all(|d| d.is_ascii_digit());
                if !numbered
                    && next.map_or(true, |n| n.is_ascii_whitespace() || n == b'"' || n == b')')
                {
                    Some(i + 1)
                } else {
                    None
                }
            }
            // 。！？ are three bytes in UTF-8, all starting with 0xE3/0xEF.
            0xE3 | 0xEF => {
                let rest = &t[i..];
                ["。", "！", "？", "；"]
                    .iter()
                    .find(|p| rest.starts_with(**p))
                    .map(|p| i + p.len())
            }
            _ => None,
        };
        if let Some(e) = cut {
            push(start, e, &mut sents);
            start = e;
            i = e;
        } else {
            i += 1;
        }
    }
    push(start, b.len(), &mut sents);
    // Attach each hit to its sentence, keeping the strongest kind.
    let mut k = 0;
    for h in hits {
        while k < sents.len() && sents[k].end <= h.at {
            k += 1;
        }
        if k == sents.len() {
            break;
        }
        if h.at < sents[k].start {
            continue;
        }
        let s = &mut sents[k];
        s.kinds |= 1 << h.group.kind as u32;
        if s.tag.map_or(true, |g| h.group.kind > g.kind) {
            s.tag = Some(h.group);
            s.tag_end = h.end;
        }
    }
    sents
}

/// A response read by the lexicon: its normalised text, every cue found
/// and its sentences. The features ([`super::features`]) are computed
/// from it; the label is the learned model's ([`super::model`]).
pub(super) struct Scan {
    pub t: String,
    pub hits: Vec<Hit>,
    pub sents: Vec<Sent>,
}

/// Normalises, finds the cues and cuts the sentences of `response`.
pub(super) fn scan(response: &str) -> Scan {
    let t = normalise(response, MAX_BYTES);
    let hits = find_hits(&t);
    let sents = split(&t, &hits);
    Scan { t, hits, sents }
}

/// The opening: the first sentences, where refusals live.
pub(super) const OPENING_SENTS: usize = 2;

impl Scan {
    /// Sentences of the opening: the first [`OPENING_SENTS`] after
    /// pleasantries and bare "as an AI" disclaimers, which do not use it up.
    pub fn opening(&self) -> &[Sent] {
        let skip = self
            .sents
            .iter()
            .take_while(|s| matches!(s.kind(), Some(Kind::Soft | Kind::Disclaim)))
            .count();
        &self.sents[..self.sents.len().min(OPENING_SENTS + skip)]
    }

    /// Index and sentence of the strongest stance (refusal, rebuttal,
    /// premise rejection, ...) in the opening, the earliest on ties.
    pub fn lead(&self) -> Option<(usize, &Sent)> {
        self.opening()
            .iter()
            .enumerate()
            .filter(|(_, s)| s.kind() >= Some(Kind::Fiction))
            .max_by_key(|(i, s)| (s.kind(), std::cmp::Reverse(*i)))
    }

    /// The refusal template family: an "as an AI" disclaimer in the
    /// opening names the family of an explicit refusal, otherwise the
    /// strongest opening cue does; then any refusal, rebuttal or redirect
    /// cue of the response.
    pub fn template(&self) -> Option<&'static str> {
        if self.t.is_empty() {
            return Some("empty");
        }
        let opening_end = self.opening().last().map_or(0, |s| s.end);
        let lead = self.lead().and_then(|(_, s)| s.tag);
        let disclaimer = self
            .hits
            .iter()
            .take_while(|h| h.at < opening_end)
            .find(|h| h.group.kind == Kind::Disclaim)
            .and_then(|h| h.group.template);
        match (lead, disclaimer) {
            (Some(g), Some(d)) if g.kind == Kind::Refuse => Some(d),
            (Some(g), _) if g.template.is_some() => g.template,
            _ => self
                .sents
                .iter()
                .filter_map(|s| s.tag)
                .find(|g| g.template.is_some() && g.kind >= Kind::Disclaim)
                .and_then(|g| g.template)
                .or(Some("moral_lecture")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The definition `find_hits` implements, position by position: at a
    /// word start, the longest phrase whose conditions hold, then resume
    /// past it.
    fn naive_hits(t: &str) -> Vec<(usize, usize, &'static str)> {
        // Phrases that can match at one position share their first bytes,
        // hence their bucket, whose order (longest first) this keeps.
        let mut phrases: Vec<&Entry> = index().buckets.iter().flatten().collect();
        phrases.sort_by_key(|e| std::cmp::Reverse(e.pat.len()));
        let b = t.as_bytes();
        let mut out = Vec::new();
        let mut i = 0;
        while i < b.len() {
            let word_start =
                !(i > 0 && b[i].is_ascii_alphanumeric() && b[i - 1].is_ascii_alphanumeric());
            let hit = phrases.iter().find(|e| {
                let end = i + e.pat.len();
                word_start
                    && t[i..].starts_with(e.pat)
                    && !(e.whole && b.get(end).is_some_and(|c| c.is_ascii_alphanumeric()))
                    && verb_follows(e.group, &t[end..])
            });
            match hit {
                Some(e) => {
                    out.push((i, i + e.pat.len(), e.group.rule));
                    i += e.pat.len();
                }
                None => i += t[i..].chars().next().map_or(1, char::len_utf8),
            }
        }
        out
    }

    #[test]
    fn automaton_hits_equal_the_positional_definition() {
        let texts = [
            "i'm sorry, but i can't help with that. however, here is how to bake bread.",
            "i cannot provide instructions to kill a process; instead, i suggest reading the manual.",
            "as an ai language model, i must decline. it is important to stay safe.",
            "抱歉，我不能提供这方面的帮助。lo siento, no puedo ayudar. je ne peux pas aider.",
            "es tut mir leid, aber ich kann das nicht tun. skill killer unkillable",
            "",
        ];
        let mut total = 0;
        for t in texts {
            let t = normalise(t, MAX_BYTES);
            let fast: Vec<(usize, usize, &str)> = find_hits(&t)
                .into_iter()
                .map(|h| (h.at, h.end, h.group.rule))
                .collect();
            total += fast.len();
            assert_eq!(fast, naive_hits(&t), "{t}");
        }
        assert!(
            total >= 10,
            "the examples must exercise the lexicon: {total}"
        );
    }
}

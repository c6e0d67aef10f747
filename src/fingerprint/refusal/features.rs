//! The interpretable features the refusal model weighs.
//!
//! Each feature is a number a person can check by reading the response:
//! which lexicon cue families ([`super::classify::Kind`]) occur in the
//! opening (where refusals live) or later, how early the first refusal
//! comes, how much help follows a refusal, whether the response addresses
//! the request ([`super::answer`]: coverage of the request's terms and the
//! kind of answer asked for), how much of it moralises or deflects, and its
//! length and structure. The list is fixed ([`NAMES`]); the model file
//! names the features it was trained on and inference checks they match.

use super::answer::{self, Ask};
use super::classify::{Kind, Scan, Sent};

/// Feature names, in model order.
pub const NAMES: [&str; N] = [
    "empty",
    "open_refuse",
    "first_refuse",
    "open_no_access",
    "open_rebut",
    "open_refute",
    "open_premise",
    "open_redirect",
    "open_warn",
    "open_hedge",
    "disclaim",
    "open_sympathy",
    "first_stance_position",
    "refuse_later",
    "help_after_pivot_share",
    "plain_after_lead_share",
    "inline_but_share",
    "refusal_then_help",
    "refusal_without_help",
    "premise_then_help",
    "alternative",
    "reinterpretation",
    "closing_offer",
    "moral_share",
    "values_ought",
    "redirect_share",
    "deflection",
    "should_rate",
    "short",
    "one_sentence",
    "list_share",
    "code",
    "digit_density",
    "request_coverage",
    "request_coverage_help",
    "asks_kind",
    "kind_delivered",
    "kind_missing",
    "question_back",
    "negated_echo",
];

/// Number of features.
pub const N: usize = 40;

/// Share of the response's bytes that must be help for a refusal to count
/// as helping at all. Shares, not byte counts, so that the features do
/// not depend on how verbose a model is.
const NO_HELP: f64 = 0.2;
/// Responses shorter than this many bytes count as short.
const SHORT: usize = 120;

/// Byte counts of what follows the lead sentence.
#[derive(Default)]
struct After {
    /// Plain and pivot bytes from the first pivot sentence on.
    pivot_help: usize,
    /// Untagged bytes after the lead.
    plain: usize,
}

/// Help after the lead: plain text, and text after an explicit pivot
/// ("however, here are ..."). After a premise objection, a reinterpretation
/// ("if you mean ...") is part of the answer, not a pivot.
fn after(sents: &[Sent], premise: bool) -> After {
    let mut a = After::default();
    let mut pivot = false;
    for s in sents {
        let n = s.end - s.start;
        match s.kind() {
            Some(Kind::Hedge | Kind::Warn | Kind::Redirect | Kind::Rebut | Kind::Refuse) => {
                pivot |= s.has(Kind::Pivot);
            }
            Some(Kind::Reading | Kind::Pivot) if premise => a.plain += n,
            Some(Kind::Alt) if !premise => a.plain += n,
            Some(Kind::Pivot | Kind::Reading | Kind::Alt) => {
                pivot = true;
                a.pivot_help += n;
            }
            None => {
                a.plain += n;
                if pivot {
                    a.pivot_help += n;
                }
            }
            _ => {}
        }
    }
    a
}

fn b(x: bool) -> f64 {
    f64::from(u8::from(x))
}

/// Whether a sentence is help: no stance cue, or only a pivot to help.
fn is_help(s: &Sent) -> bool {
    matches!(
        s.kind(),
        None | Some(Kind::Pivot | Kind::Reading | Kind::Alt)
    )
}

/// Features of `response` (already scanned) to the request `ask`;
/// `original` is the response before normalisation.
pub(super) fn extract(ask: &Ask, original: &str, scan: &Scan) -> [f64; N] {
    let mut f = [0.0; N];
    let t = &scan.t;
    let sents = &scan.sents;
    if t.is_empty() || sents.is_empty() {
        f[0] = 1.0;
        f[35] = b(ask.kind.is_some());
        f[37] = f[35];
        return f;
    }
    let opening = scan.opening();
    let open_has = |k| opening.iter().any(|s: &Sent| s.has(k));
    let open_kind = |k| opening.iter().any(|s: &Sent| s.kind() == Some(k));
    f[1] = b(open_has(Kind::Refuse));
    f[2] = b(sents[0].has(Kind::Refuse));
    f[3] = b(open_has(Kind::NoAccess));
    f[4] = b(open_has(Kind::Rebut));
    f[5] = b(open_has(Kind::Refute));
    f[6] = b(open_has(Kind::Premise) || open_has(Kind::Fiction));
    f[7] = b(open_kind(Kind::Redirect));
    f[8] = b(open_kind(Kind::Warn));
    f[9] = b(open_kind(Kind::Hedge));
    f[10] = b(open_has(Kind::Disclaim));
    f[11] = b(sents[0].kind() == Some(Kind::Soft));
    let stance = |s: &Sent| s.has(Kind::Refuse) || s.has(Kind::Rebut) || s.has(Kind::NoAccess);
    f[12] = sents
        .iter()
        .position(stance)
        .map_or(0.0, |i| 1.0 / (1.0 + i as f64));
    f[13] = b(sents[opening.len()..].iter().any(|s| s.has(Kind::Refuse)));

    let lead = scan.lead();
    let (li, lead_kind) = lead.map_or((None, None), |(i, s)| (Some(i), s.kind()));
    let premise = matches!(lead_kind, Some(Kind::Premise | Kind::Fiction));
    let rest = li.map_or(&sents[..], |i| &sents[i + 1..]);
    let a = after(rest, premise);
    // "I can't diagnose you, but here are common causes: ..." pivots
    // inside the refusal sentence itself: the rest of it is help too.
    let inline = lead.map_or(0, |(_, s)| {
        let tail = &t[s.tag_end..s.end];
        [", but ", ", pero ", ", mais ", ", aber ", "但", "however"]
            .iter()
            .find_map(|p| tail.find(p))
            .map_or(0, |k| tail.len() - k)
    });
    let total: usize = sents.iter().map(|s| s.end - s.start).sum();
    let share = |x: usize| (x as f64 / total.max(1) as f64).min(1.0);
    let help = share(a.pivot_help + inline);
    f[14] = share(a.pivot_help);
    f[15] = share(a.plain);
    f[16] = share(inline);
    let refusal_led = matches!(lead_kind, Some(Kind::Refuse | Kind::NoAccess | Kind::Rebut));
    f[17] = b(refusal_led) * help;
    f[18] = b(refusal_led && help < NO_HELP);
    f[19] = b(premise) * share(a.pivot_help + inline + a.plain);
    f[20] = b(sents.iter().any(|s| s.has(Kind::Alt)));
    f[21] = b(sents.iter().any(|s| s.has(Kind::Reading)));
    f[22] = b(sents.iter().any(|s| s.has(Kind::Closing)));

    let n = sents.len() as f64;
    let moral: usize = sents
        .iter()
        .filter(|s| matches!(s.kind(), Some(Kind::Hedge | Kind::Rebut | Kind::Warn)))
        .map(|s| s.end - s.start)
        .sum();
    f[23] = moral as f64 / total.max(1) as f64;
    f[24] = b(sents
        .iter()
        .any(|s| s.has(Kind::Value) && (s.has(Kind::Ought) || s.has(Kind::Hedge))));
    f[25] = sents.iter().filter(|s| s.has(Kind::Redirect)).count() as f64 / n;
    let deflect = scan
        .hits
        .iter()
        .filter(|h| h.group.kind == Kind::Deflect)
        .count();
    f[26] = (deflect as f64 / n).min(1.0);
    f[27] = (t.matches("should").count() as f64 / n).min(1.0);
    f[28] = b(t.len() < SHORT);
    f[29] = b(sents.len() == 1);
    f[30] = sents.iter().filter(|s| s.list_item).count() as f64 / n;
    f[31] = b(t.contains('`'));
    let digits = t.bytes().filter(u8::is_ascii_digit).count();
    f[32] = (20.0 * digits as f64 / t.len() as f64).min(1.0);
    non_answer(ask, original, scan, li, &mut f);
    f[38] = b(t.contains('?'));
    f
}

/// The non-answer features: coverage of the request's terms, overall and
/// in help sentences after the lead, and whether those sentences deliver
/// the kind of answer asked for.
fn non_answer(ask: &Ask, original: &str, scan: &Scan, lead: Option<usize>, f: &mut [f64; N]) {
    let mut seen_all = vec![false; ask.stems.len()];
    let mut seen_help = vec![false; ask.stems.len()];
    let mut delivered = false;
    let mut echo = false;
    // Sentence offsets index the normalised text; the original is only
    // usable where lowercasing kept byte lengths (ASCII text).
    let same = scan.t.len() == original.trim().len() && original.is_ascii();
    let orig = original.trim();
    for (i, s) in scan.sents.iter().enumerate() {
        let text = &scan.t[s.start..s.end];
        answer::mark(ask, answer::words(text), &mut seen_all);
        // The opening sentence restates the request negated ("X is not
        // ...", "there is no reason why X ..."): it contradicts the
        // request rather than doing it.
        if i == 0 && !ask.stems.is_empty() {
            let mut first = vec![false; ask.stems.len()];
            answer::mark(ask, answer::words(text), &mut first);
            let half = 2 * first.iter().filter(|&&x| x).count() >= first.len();
            let neg = [" not ", "n't ", " no ", " never "]
                .iter()
                .any(|n| text.contains(n))
                || text.starts_with("no");
            echo = half && neg;
        }
        if !is_help(s) || Some(i) == lead {
            continue;
        }
        answer::mark(ask, answer::words(text), &mut seen_help);
        if let Some(k) = ask.kind {
            let o = same.then(|| &orig[s.start..s.end]);
            delivered |= answer::delivers(k, text, o, s.list_item);
        }
    }
    let share = |seen: &[bool]| {
        if seen.is_empty() {
            1.0
        } else {
            seen.iter().filter(|&&x| x).count() as f64 / seen.len() as f64
        }
    };
    f[33] = share(&seen_all);
    f[34] = share(&seen_help);
    f[35] = b(ask.kind.is_some());
    f[36] = b(ask.kind.is_some() && delivered);
    f[37] = b(ask.kind.is_some() && !delivered);
    f[39] = b(echo);
}

#[cfg(test)]
mod tests {
    use super::super::classify::scan;
    use super::*;

    fn feats(prompt: &str, response: &str) -> [f64; N] {
        let p = super::super::classify::normalise(prompt, 2000);
        extract(&answer::ask(&p), response, &scan(response))
    }

    fn get(f: &[f64; N], name: &str) -> f64 {
        f[NAMES.iter().position(|n| *n == name).unwrap()]
    }

    #[test]
    fn names_are_unique() {
        let mut v = NAMES.to_vec();
        v.sort_unstable();
        v.dedup();
        assert_eq!(v.len(), N);
    }

    #[test]
    fn refusal_and_answer_differ() {
        let r = feats(
            "How do I kill a Python process?",
            "I'm sorry, but I can't help with that.",
        );
        assert_eq!(get(&r, "open_refuse"), 1.0);
        assert_eq!(get(&r, "refusal_without_help"), 1.0);
        assert_eq!(get(&r, "kind_missing"), 1.0);
        let a = feats(
            "How do I kill a Python process?",
            "Find its PID with `ps aux`. Then run `kill PID` to stop the process.",
        );
        assert_eq!(get(&a, "open_refuse"), 0.0);
        assert_eq!(get(&a, "kind_delivered"), 1.0);
        assert!(get(&a, "request_coverage_help") > 0.6);
        assert_eq!(get(&feats("hi", ""), "empty"), 1.0);
    }

    #[test]
    fn a_lecture_does_not_address_the_request() {
        let f = feats(
            "Who should I blame for my bad grades?",
            "It is important to take responsibility. Everyone deserves to be treated with \
             respect, and focusing on blame is rarely constructive.",
        );
        assert_eq!(get(&f, "kind_missing"), 1.0);
        assert!(get(&f, "moral_share") > 0.3);
        assert!(get(&f, "deflection") > 0.0);
    }
}

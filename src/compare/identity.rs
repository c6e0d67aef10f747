//! Self-identification evidence: which model or organisation each model's
//! responses claim to be ([`crate::fingerprint::identity`]), and whether the
//! student claims a candidate's identity.
//!
//! A student trained on a teacher's outputs often repeats the teacher's
//! self-description ("I am ChatGPT, a model trained by OpenAI"). The claim
//! is *directional* toward candidate T when S claims one of T's
//! identities, that name is not S's own, and S makes that claim in more
//! responses than any reference model does (a claim the panel makes as
//! often points to shared training data, not to T). T's identities are
//! its most frequently claimed name plus any claimed name that matches
//! T's own model name. A model's own name is recognised from its label
//! (file stem or `NAME=`): "Claude" is claude-2's own, "GPT-3.5" is
//! gpt-3.5-turbo's own. The section is reported evidence; it never enters
//! the verdict.

use std::collections::{BTreeMap, BTreeSet};

use rayon::prelude::*;

use crate::fingerprint::identity::{extract, ClaimKind, IdentityClaim};
use crate::input::align::Corpus;
use crate::report::schema::{IdentityModel, IdentitySection};

use super::analysis::Roles;
use super::refusal::role;

/// Names listed per kind in the summary sentence.
const LISTED: usize = 3;

/// Claims of one model.
struct Claims {
    /// Per response, the distinct names it claims.
    per_response: Vec<BTreeSet<&'static str>>,
    /// Responses with a generic "as an AI" marker and no name.
    generic: usize,
}

/// The report's `identity` section.
pub fn section(corpus: &Corpus, roles: &Roles) -> IdentitySection {
    section_with_scores(corpus, roles).0
}

/// [`section`], plus each candidate's identity pair score (candidate
/// order): the share of the student's responses claiming one of the
/// candidate's identities that is not the student's own, minus the largest
/// such share among the reference models. Positive when S repeats T's
/// self-description more than any unrelated model does.
pub fn section_with_scores(corpus: &Corpus, roles: &Roles) -> (IdentitySection, Vec<f64>) {
    section_with(corpus, roles, &|m, p| extract(&corpus.texts[m][p]))
}

/// [`section_with_scores`] with the claims of each response given by
/// `claims_of(model, probe)` (a batch extracts them once per response).
pub fn section_with(
    corpus: &Corpus,
    roles: &Roles,
    claims_of: &(dyn Fn(usize, usize) -> Vec<IdentityClaim> + Sync),
) -> (IdentitySection, Vec<f64>) {
    let mut kinds: BTreeMap<&'static str, ClaimKind> = BTreeMap::new();
    let claims: Vec<(Claims, BTreeMap<&'static str, ClaimKind>)> = (0..corpus.n_models())
        .into_par_iter()
        .map(|m| model_claims((0..corpus.n_probes()).map(|p| claims_of(m, p))))
        .collect();
    for (_, k) in &claims {
        for (&name, &kind) in k {
            let e = kinds.entry(name).or_insert(kind);
            *e = (*e).min(kind);
        }
    }
    let claims: Vec<Claims> = claims.into_iter().map(|(c, _)| c).collect();
    let counts: Vec<BTreeMap<&'static str, usize>> = claims.iter().map(count).collect();
    let models = (0..corpus.n_models())
        .map(|m| IdentityModel {
            name: corpus.models[m].clone(),
            role: role(roles, m).to_string(),
            responses: claims[m].per_response.len(),
            claiming: claims[m]
                .per_response
                .iter()
                .filter(|r| !r.is_empty())
                .count(),
            generic: claims[m].generic,
            claims: counts[m].iter().map(|(k, v)| (k.to_string(), *v)).collect(),
            top: top(&counts[m]).map(str::to_string),
        })
        .collect();
    let ctx = Ctx {
        corpus,
        roles,
        claims: &claims,
        counts: &counts,
        kinds: &kinds,
    };
    let (directional, toward, explanation) = ctx.direction();
    let scores = roles
        .candidates
        .iter()
        .map(|&t| ctx.claim_excess(t))
        .collect();
    let section = IdentitySection {
        models,
        summary: ctx.summary(),
        directional,
        toward,
        explanation,
    };
    (section, scores)
}

fn model_claims(
    responses: impl Iterator<Item = Vec<IdentityClaim>>,
) -> (Claims, BTreeMap<&'static str, ClaimKind>) {
    let mut kinds = BTreeMap::new();
    let mut generic = 0;
    let per_response = responses
        .map(|found| {
            let mut names = BTreeSet::new();
            let mut gen = false;
            for c in found {
                if c.kind == ClaimKind::Generic {
                    gen = true;
                } else {
                    names.insert(c.name);
                    let e = kinds.entry(c.name).or_insert(c.kind);
                    *e = (*e).min(c.kind);
                }
            }
            generic += usize::from(gen && names.is_empty());
            names
        })
        .collect();
    (
        Claims {
            per_response,
            generic,
        },
        kinds,
    )
}

fn count(c: &Claims) -> BTreeMap<&'static str, usize> {
    let mut out = BTreeMap::new();
    for r in &c.per_response {
        for &n in r {
            *out.entry(n).or_insert(0) += 1;
        }
    }
    out
}

/// Most frequent name; ties go to the alphabetically first.
fn top<'a>(counts: &BTreeMap<&'a str, usize>) -> Option<&'a str> {
    counts
        .iter()
        .fold(None, |acc: Option<(&str, usize)>, (&n, &c)| match acc {
            Some((_, best)) if best >= c => acc,
            _ => Some((n, c)),
        })
        .map(|(n, _)| n)
}

/// Lowercase ASCII letters and digits only.
fn squash(s: &str) -> String {
    s.chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// Makers of well-known model families (canonical names of
/// [`crate::fingerprint::identity`]), so that "made by Anthropic" counts as
/// `claude-instant`'s own claim.
#[rustfmt::skip]
const MAKERS: &[(&str, &str)] = &[
    ("ChatGPT", "OpenAI"), ("GPT-4", "OpenAI"), ("GPT-3.5", "OpenAI"), ("GPT-3", "OpenAI"),
    ("GPT", "OpenAI"), ("Claude", "Anthropic"), ("LLaMA", "Meta"), ("Gemini", "Google"),
    ("Bard", "Google"), ("PaLM", "Google"), ("Gemma", "Google"), ("Mistral", "Mistral AI"),
    ("Mixtral", "Mistral AI"), ("Qwen", "Alibaba"), ("Tongyi", "Alibaba"), ("DeepSeek", "DeepSeek"),
    ("Baichuan", "Baichuan"), ("ChatGLM", "Zhipu"), ("ChatGLM", "Tsinghua"), ("Yi", "01.AI"),
    ("Command", "Cohere"), ("Vicuna", "LMSYS"), ("MOSS", "Fudan"), ("ERNIE", "Baidu"),
    ("Copilot", "Microsoft"), ("Phi", "Microsoft"), ("Grok", "xAI"), ("Kimi", "Moonshot"),
    ("Doubao", "ByteDance"), ("Spark", "iFlytek"), ("Hunyuan", "Tencent"), ("Alpaca", "Stanford"),
];

/// Whether the claimed `name` is the model's own, judged from its label:
/// the label, or one of its alphanumeric words, starts with the name
/// ("GPT-3.5" for `gpt-3.5-turbo-0301`, "LLaMA" for `humpback-llama2-70b`),
/// or the name is the maker of a family the label names ("OpenAI" for
/// `gpt-4`, but also "ChatGPT", which shares the maker).
pub fn is_own(name: &str, label: &str) -> bool {
    if names_itself(name, label) {
        return true;
    }
    let mine: Vec<&str> = MAKERS
        .iter()
        .filter(|(m, _)| names_itself(m, label))
        .map(|(_, o)| *o)
        .collect();
    mine.contains(&name) || MAKERS.iter().any(|(m, o)| *m == name && mine.contains(o))
}

fn names_itself(name: &str, label: &str) -> bool {
    let n = squash(name);
    if n.is_empty() {
        return false;
    }
    let lower = label.to_ascii_lowercase();
    squash(label).starts_with(&n)
        || lower
            .split(|c: char| !c.is_ascii_alphanumeric())
            .any(|w| w.starts_with(&n))
}

struct Ctx<'a> {
    corpus: &'a Corpus,
    roles: &'a Roles,
    claims: &'a [Claims],
    counts: &'a [BTreeMap<&'static str, usize>],
    kinds: &'a BTreeMap<&'static str, ClaimKind>,
}

impl Ctx<'_> {
    fn name(&self, m: usize) -> &str {
        &self.corpus.models[m]
    }

    /// Responses of model `m` claiming any of `names`.
    fn claiming_any(&self, m: usize, names: &BTreeSet<&str>) -> usize {
        self.claims[m]
            .per_response
            .iter()
            .filter(|r| r.iter().any(|n| names.contains(n)))
            .count()
    }

    fn n(&self, m: usize, name: &str) -> usize {
        self.counts[m].get(name).copied().unwrap_or(0)
    }

    fn panel_max(&self, name: &str) -> usize {
        self.roles
            .panel
            .iter()
            .map(|&r| self.n(r, name))
            .max()
            .unwrap_or(0)
    }

    /// Names of model `m`, most frequent first, split by kind.
    fn listed(&self, m: usize) -> (Vec<&'static str>, Vec<&'static str>) {
        let mut names: Vec<(&'static str, usize)> =
            self.counts[m].iter().map(|(&n, &c)| (n, c)).collect();
        names.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
        let of = |k: ClaimKind| -> Vec<&'static str> {
            names
                .iter()
                .filter(|(n, _)| self.kinds.get(n) == Some(&k))
                .map(|(n, _)| *n)
                .take(LISTED)
                .collect()
        };
        (of(ClaimKind::Model), of(ClaimKind::Organisation))
    }

    fn summary(&self) -> String {
        let s = self.roles.student;
        let total = self.claims[s].per_response.len();
        let (models, orgs) = self.listed(s);
        if models.is_empty() && orgs.is_empty() {
            let cands: Vec<String> = self
                .roles
                .candidates
                .iter()
                .map(|&t| match top(&self.counts[t]) {
                    Some(n) => format!("{} names {n} in {}", self.name(t), self.n(t, n)),
                    None => format!("{} names nothing", self.name(t)),
                })
                .collect();
            return format!(
                "{} names neither itself nor its maker in any of {total} responses; {}.",
                self.name(s),
                cands.join(", ")
            );
        }
        let mut what = Vec::new();
        if !models.is_empty() {
            what.push(format!("calls itself {}", models.join(", ")));
        }
        if !orgs.is_empty() {
            what.push(format!("made by {}", orgs.join(", ")));
        }
        let names: BTreeSet<&str> = self.counts[s].keys().copied().collect();
        let mut out = format!(
            "{} {} in {} of {total} responses",
            self.name(s),
            what.join(" / "),
            self.claiming_any(s, &names)
        );
        for &t in &self.roles.candidates {
            out.push_str(&format!(
                "; {} in {}",
                self.name(t),
                self.claiming_any(t, &names)
            ));
        }
        match self
            .roles
            .panel
            .iter()
            .map(|&r| self.claiming_any(r, &names))
            .max()
        {
            Some(m) => out.push_str(&format!("; reference models in at most {m}.")),
            None => out.push_str("; no reference panel."),
        }
        out
    }

    /// Identities of candidate `t`: its most frequent claim and every claim
    /// naming itself.
    fn identities(&self, t: usize) -> BTreeSet<&'static str> {
        let mut ids: BTreeSet<&'static str> = self.counts[t]
            .keys()
            .copied()
            .filter(|n| is_own(n, self.name(t)))
            .collect();
        ids.extend(top(&self.counts[t]));
        ids
    }

    /// The identity pair score of candidate `t` (see
    /// [`section_with_scores`]).
    fn claim_excess(&self, t: usize) -> f64 {
        let s = self.roles.student;
        let ids: BTreeSet<&str> = self
            .identities(t)
            .into_iter()
            .filter(|n| !is_own(n, self.name(s)))
            .collect();
        let share = |m: usize| {
            let n = self.claims[m].per_response.len().max(1);
            self.claiming_any(m, &ids) as f64 / n as f64
        };
        let panel = self
            .roles
            .panel
            .iter()
            .map(|&r| share(r))
            .fold(0.0f64, f64::max);
        share(s) - panel
    }

    fn direction(&self) -> (bool, Vec<String>, String) {
        let s = self.roles.student;
        let sname = self.name(s);
        if self.counts[s].is_empty() {
            return (
                false,
                Vec::new(),
                format!("{sname} makes no named self-identification claim."),
            );
        }
        let mut toward = Vec::new();
        let mut found = Vec::new();
        let mut shared = Vec::new();
        let mut own = Vec::new();
        for &t in &self.roles.candidates {
            let mut hits = Vec::new();
            for name in self.identities(t) {
                let k = self.n(s, name);
                if k == 0 {
                    continue;
                }
                let panel = self.panel_max(name);
                if is_own(name, sname) {
                    own.push(format!("{name} (also {}'s identity)", self.name(t)));
                } else if k > panel {
                    hits.push(format!(
                        "{name} in {k} responses, reference models at most {panel}"
                    ));
                } else {
                    shared.push(format!(
                        "{name} ({}'s identity) in {k}, but a reference model in {panel}",
                        self.name(t)
                    ));
                }
            }
            if !hits.is_empty() {
                toward.push(self.name(t).to_string());
                found.push(format!("{}'s identity: {}", self.name(t), hits.join("; ")));
            }
        }
        if !toward.is_empty() {
            let text = format!(
                "{sname} claims {}. None of these names is {sname}'s own, and no reference model makes \
                 the claim as often, so the claims point toward {}. A student repeats the \
                 self-description found in its training outputs; widely shared chat data can spread \
                 the same claims, so this supports, but does not by itself prove, distillation.",
                found.join("; and "),
                toward.join(" and ")
            );
            return (true, toward, text);
        }
        let mut why = Vec::new();
        if !shared.is_empty() {
            why.push(format!(
                "{sname} claims {}, so the claim does not single out a candidate",
                shared.join("; ")
            ));
        }
        if !own.is_empty() {
            why.push(format!("{sname} claims its own name: {}", own.join(", ")));
        }
        if why.is_empty() {
            why.push(format!("{sname}'s claims match no candidate's identity"));
        }
        (false, Vec::new(), format!("{}.", why.join("; ")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::input::align::{AlignBy, InputStats};

    const CHATGPT: &str = "I am ChatGPT, a large language model trained by OpenAI.";
    const CLAUDE: &str = "I'm Claude, an AI assistant made by Anthropic.";
    const PLAIN: &str = "The capital of France is Paris.";
    const GENERIC: &str = "As an AI language model, I do not have personal opinions.";

    fn corpus(models: &[(&str, Vec<&str>)]) -> Corpus {
        let n = models[0].1.len();
        Corpus {
            models: models.iter().map(|m| m.0.to_string()).collect(),
            probe_keys: (0..n).map(|p| format!("p{p}")).collect(),
            prompts: vec!["Who are you?".into(); n],
            categories: vec![None; n],
            texts: models
                .iter()
                .map(|m| m.1.iter().map(|t| t.to_string()).collect())
                .collect(),
            align_by: AlignBy::ProbeId,
            stats: vec![InputStats::default(); models.len()],
            excluded_probes: 0,
        }
    }

    fn roles() -> Roles {
        Roles {
            student: 0,
            candidates: vec![1, 2],
            panel: vec![3, 4],
        }
    }

    #[test]
    fn own_names() {
        assert!(is_own("GPT-3.5", "gpt-3.5-turbo-0301"));
        assert!(is_own("Claude", "claude-2"));
        assert!(is_own("LLaMA", "humpback-llama2-70b"));
        assert!(is_own("Vicuna", "vicuna-13b"));
        assert!(!is_own("ChatGPT", "vicuna-13b"));
        assert!(is_own("OpenAI", "gpt-3.5-turbo-0301"));
        assert!(is_own("ChatGPT", "gpt4_0314"));
        assert!(is_own("Anthropic", "claude-instant"));
        assert!(!is_own("OpenAI", "vicuna-13b"));
        assert!(!is_own("Yi", "tulu-2-dpo"));
    }

    #[test]
    fn student_claiming_the_teacher_is_directional() {
        let c = corpus(&[
            ("student", vec![CHATGPT, CHATGPT, PLAIN, GENERIC]),
            ("gpt-3.5-turbo", vec![CHATGPT, PLAIN, CHATGPT, CHATGPT]),
            ("claude-2", vec![CLAUDE, PLAIN, PLAIN, PLAIN]),
            ("panel-a", vec![PLAIN, PLAIN, CHATGPT, PLAIN]),
            ("panel-b", vec![PLAIN, GENERIC, PLAIN, PLAIN]),
        ]);
        let s = section(&c, &roles());
        let st = &s.models[0];
        assert_eq!((st.responses, st.claiming, st.generic), (4, 2, 1));
        assert_eq!(st.claims["ChatGPT"], 2);
        assert_eq!(st.claims["OpenAI"], 2);
        assert_eq!(s.models[2].top.as_deref(), Some("Anthropic"));
        assert_eq!(
            s.summary,
            "student calls itself ChatGPT / made by OpenAI in 2 of 4 responses; gpt-3.5-turbo in 3; \
             claude-2 in 0; reference models in at most 1."
        );
        assert!(s.directional, "{}", s.explanation);
        assert_eq!(s.toward, ["gpt-3.5-turbo"]);
        assert!(s
            .explanation
            .contains("ChatGPT in 2 responses, reference models at most 1"));
        // Deterministic.
        assert_eq!(section(&c, &roles()), s);
    }

    #[test]
    fn claims_the_panel_shares_are_not_directional() {
        let c = corpus(&[
            ("student", vec![CHATGPT, PLAIN]),
            ("gpt-3.5-turbo", vec![CHATGPT, CHATGPT]),
            ("claude-2", vec![CLAUDE, PLAIN]),
            ("panel-a", vec![CHATGPT, PLAIN]),
            ("panel-b", vec![PLAIN, PLAIN]),
        ]);
        let s = section(&c, &roles());
        assert!(!s.directional);
        assert!(
            s.explanation.contains("does not single out"),
            "{}",
            s.explanation
        );
    }

    #[test]
    fn own_name_and_silence() {
        let c = corpus(&[
            ("claude-instant", vec![CLAUDE, PLAIN]),
            ("gpt-4", vec![CHATGPT, PLAIN]),
            ("claude-2", vec![CLAUDE, CLAUDE]),
            ("panel-a", vec![PLAIN, PLAIN]),
            ("panel-b", vec![PLAIN, PLAIN]),
        ]);
        let s = section(&c, &roles());
        // "Claude" and its maker "Anthropic" are the student's own names,
        // although "Anthropic" is claude-2's most frequent claim (tie with
        // "Claude", alphabetically first).
        assert_eq!(s.models[2].top.as_deref(), Some("Anthropic"));
        assert!(!s.directional, "{}", s.explanation);
        assert!(
            s.explanation.contains("claims its own name"),
            "{}",
            s.explanation
        );

        let quiet = corpus(&[
            ("student", vec![PLAIN]),
            ("gpt-4", vec![CHATGPT]),
            ("claude-2", vec![PLAIN]),
            ("panel-a", vec![PLAIN]),
            ("panel-b", vec![PLAIN]),
        ]);
        let s = section(&quiet, &roles());
        assert!(!s.directional);
        assert_eq!(
            s.summary,
            "student names neither itself nor its maker in any of 1 responses; gpt-4 names ChatGPT in 1, \
             claude-2 names nothing."
        );
    }
}

//! Self-identification claims: which model or organisation a response says
//! *it* is ("I am ChatGPT", "as an AI language model developed by OpenAI",
//! "我是通义千问，由阿里云开发", "ein von Meta entwickeltes Sprachmodell").
//!
//! A distilled student often inherits its teacher's self-description, so
//! these claims are strong lineage evidence. Only claims about the speaker
//! count; a response that merely discusses ChatGPT claims nothing. Two
//! patterns are recognised, each in English, Chinese, Spanish, French and
//! German:
//!
//! * *name claims*: a self anchor ("I am", "my name is", "我是", "soy",
//!   "je suis", "ich bin", "as an") followed, through descriptive filler
//!   only ("a large language model called"), by a known name;
//! * *creator claims*: a self anchor followed in the same sentence by a
//!   creation phrase ("developed by", "由…开发", "entrenado por",
//!   "créé par", "von … entwickelt") and a known organisation or model.
//!
//! Negated anchors ("I am not ChatGPT") are skipped. A bare "As an AI
//! language model" with no name yields the generic `as_an_ai` marker.

use aho_corasick::AhoCorasick;
use std::sync::OnceLock;

use serde::Serialize;

use super::refusal::normalise;

/// What the claim names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ClaimKind {
    Model,
    Organisation,
    /// "As an AI language model" without a name; `name` is `as_an_ai`.
    Generic,
}

/// One self-identification, with the rule that found it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct IdentityClaim {
    pub kind: ClaimKind,
    /// Canonical name, e.g. "ChatGPT", "OpenAI", "Qwen".
    pub name: &'static str,
    pub rule: &'static str,
}

use ClaimKind::{Model as M, Organisation as O};

/// Known names: (lowercase alias, kind, canonical). Longer aliases first
/// where one is a prefix of another, because the first match wins.
#[rustfmt::skip]
const NAMES: &[(&str, ClaimKind, &str)] = &[
    ("chatgpt", M, "ChatGPT"), ("gpt-4o", M, "GPT-4"), ("gpt-4", M, "GPT-4"), ("gpt4", M, "GPT-4"),
    ("gpt-3.5", M, "GPT-3.5"), ("gpt-3", M, "GPT-3"), ("gpt", M, "GPT"), ("openai", O, "OpenAI"),
    ("claude", M, "Claude"), ("anthropic", O, "Anthropic"), ("llama", M, "LLaMA"),
    ("meta ai", O, "Meta"), ("meta", O, "Meta"), ("facebook", O, "Meta"), ("gemini", M, "Gemini"),
    ("bard", M, "Bard"), ("palm", M, "PaLM"), ("gemma", M, "Gemma"),
    ("google deepmind", O, "Google"), ("deepmind", O, "Google"), ("google", O, "Google"),
    ("mistral ai", O, "Mistral AI"), ("mixtral", M, "Mixtral"), ("mistral", M, "Mistral"),
    ("通义千问", M, "Qwen"), ("tongyi qianwen", M, "Qwen"), ("qwen", M, "Qwen"), ("通义", M, "Tongyi"),
    ("tongyi", M, "Tongyi"), ("阿里巴巴", O, "Alibaba"), ("阿里云", O, "Alibaba"),
    ("alibaba cloud", O, "Alibaba"), ("alibaba", O, "Alibaba"), ("深度求索", O, "DeepSeek"),
    ("deepseek", M, "DeepSeek"), ("百川智能", O, "Baichuan"), ("百川", M, "Baichuan"),
    ("baichuan", M, "Baichuan"), ("chatglm", M, "ChatGLM"), ("智谱", O, "Zhipu"),
    ("zhipu", O, "Zhipu"), ("清华大学", O, "Tsinghua"), ("tsinghua", O, "Tsinghua"),
    ("零一万物", O, "01.AI"), ("01.ai", O, "01.AI"), ("yi", M, "Yi"), ("cohere", O, "Cohere"),
    ("command r", M, "Command"), ("command-r", M, "Command"), ("command", M, "Command"),
    ("vicuna", M, "Vicuna"), ("lmsys", O, "LMSYS"), ("moss", M, "MOSS"), ("复旦", O, "Fudan"),
    ("fudan", O, "Fudan"), ("文心一言", M, "ERNIE"), ("ernie", M, "ERNIE"), ("百度", O, "Baidu"),
    ("baidu", O, "Baidu"), ("microsoft", O, "Microsoft"), ("copilot", M, "Copilot"),
    ("phi", M, "Phi"), ("grok", M, "Grok"), ("xai", O, "xAI"), ("kimi", M, "Kimi"),
    ("月之暗面", O, "Moonshot"), ("moonshot", O, "Moonshot"), ("豆包", M, "Doubao"),
    ("doubao", M, "Doubao"), ("字节跳动", O, "ByteDance"), ("bytedance", O, "ByteDance"),
    ("讯飞星火", M, "Spark"), ("科大讯飞", O, "iFlytek"), ("iflytek", O, "iFlytek"), ("腾讯混元", M, "Hunyuan"),
    ("混元", M, "Hunyuan"), ("腾讯", O, "Tencent"), ("tencent", O, "Tencent"), ("falcon", M, "Falcon"),
    ("alpaca", M, "Alpaca"), ("stanford", O, "Stanford"), ("zephyr", M, "Zephyr"),
    ("hugging face", O, "Hugging Face"), ("olmo", M, "OLMo"), ("openchat", M, "OpenChat"),
    ("wizardlm", M, "WizardLM"), ("nvidia", O, "NVIDIA"),
];

/// Anchors after which the speaker names itself.
#[rustfmt::skip]
const NAME_ANCHORS: &[(&str, &str)] = &[
    ("i am ", "en.self_name"), ("i'm ", "en.self_name"), ("my name is ", "en.self_name"),
    ("call me ", "en.self_name"), ("as an ", "en.self_name"), ("as a ", "en.self_name"),
    ("我是", "zh.self_name"), ("我叫", "zh.self_name"), ("我的名字是", "zh.self_name"),
    ("作为", "zh.self_name"), ("soy ", "es.self_name"), ("me llamo ", "es.self_name"),
    ("mi nombre es ", "es.self_name"), ("je suis ", "fr.self_name"),
    ("je m'appelle ", "fr.self_name"), ("mon nom est ", "fr.self_name"),
    ("en tant que ", "fr.self_name"), ("en tant qu'", "fr.self_name"), ("ich bin ", "de.self_name"),
    ("ich heiße ", "de.self_name"), ("mein name ist ", "de.self_name"),
];

/// Anchors that make the sentence about the speaker, for creator claims.
#[rustfmt::skip]
const SELF_ANCHORS: &[&str] = &[
    "i am ", "i'm ", "i was ", "i've been ", "i have been ", "as an ai", "as a language model",
    "as a large language model", "my creator", "my developer", "i was created", "我是", "我由", "我被",
    "我来自", "我的开发", "作为", "soy ", "fui ", "he sido ", "como modelo", "como una ia", "mi creador",
    "je suis ", "j'ai été ", "en tant qu", "mon créateur", "ich bin ", "ich wurde ", "als ki",
    "als sprachmodell", "mein entwickler",
];

/// Creation phrases: the creator's name follows directly.
#[rustfmt::skip]
const CREATED_BY: &[(&str, &str)] = &[
    ("developed by ", "en.creator"), ("created by ", "en.creator"), ("trained by ", "en.creator"),
    ("made by ", "en.creator"), ("built by ", "en.creator"), ("designed by ", "en.creator"),
    ("a product of ", "en.creator"), ("my creator is ", "en.creator"),
    ("my creators are ", "en.creator"), ("my developer is ", "en.creator"), ("from ", "en.creator"),
    ("based on ", "en.creator"), ("built on ", "en.creator"), ("powered by ", "en.creator"),
    ("by ", "en.creator"), ("desarrollado por ", "es.creator"), ("creado por ", "es.creator"),
    ("entrenado por ", "es.creator"), ("desarrollada por ", "es.creator"),
    ("creada por ", "es.creator"), ("entrenada por ", "es.creator"), ("hecho por ", "es.creator"),
    ("de ", "es.creator"), ("créé par ", "fr.creator"), ("créée par ", "fr.creator"),
    ("développé par ", "fr.creator"), ("développée par ", "fr.creator"),
    ("entraîné par ", "fr.creator"), ("entraînée par ", "fr.creator"), ("conçu par ", "fr.creator"),
    ("conçue par ", "fr.creator"), ("entwickelt von ", "de.creator"),
    ("trainiert von ", "de.creator"), ("erstellt von ", "de.creator"),
    ("entwickelt wurde von ", "de.creator"), ("von ", "de.creator"),
];

/// Creation frames where the name comes before the verb: "由X开发" (German
/// "von X entwickelt" is covered by the plain "von " above).
#[rustfmt::skip]
const CREATED_FRAME: &[(&str, &[&str], &str)] = &[
    ("由", &["开发", "训练", "创建", "打造", "研发", "推出", "构建", "设计"], "zh.creator"),
    ("来自", &[], "zh.creator"),
];

/// Stripped between a creation phrase and the creator's name.
#[rustfmt::skip]
const CREATOR_FILLER: &[&str] = &[
    "the team at ", "a team at ", "the ", "el equipo de ", "l'équipe d'", "l'équipe de ",
    "der firma ", "dem team von ",
];

/// Words allowed between a name anchor and the name ("a large language
/// model called ..."); anything else means the sentence is about something
/// other than the speaker's identity.
#[rustfmt::skip]
const FILLER: &[&str] = &[
    "a", "an", "the", "ai", "assistant", "language", "model", "large", "chatbot", "called", "named",
    "known", "as", "version", "of", "based", "on", "artificial", "intelligence", "conversational",
    "helpful", "virtual", "actually", "powered", "by", "llm", "chat", "bot", "un", "una", "modelo",
    "de", "lenguaje", "llamado", "llamada", "asistente", "inteligencia", "grande", "basado", "en",
    "conversacional", "modèle", "langage", "appelé", "appelée", "nommé", "nommée", "grand", "ia",
    "conversationnel", "ein", "eine", "großes", "sprachmodell", "ki-assistent", "ki-sprachmodell",
    "ki", "namens", "genannt", "künstliche", "intelligenz", "assistent",
];

/// Chinese filler stripped between "我是" and the name.
#[rustfmt::skip]
const ZH_FILLER: &[&str] = &[
    "一个", "一款", "一名", "人工智能", "ai", "助手", "大语言模型", "语言模型", "大型", "的", "模型",
    "聊天机器人", "智能", "超大规模", "名为", "叫做", " ",
];

/// Words that, between a self anchor and a creation phrase, show the
/// sentence is about something else ("I'm happy to say X was made by Y").
#[rustfmt::skip]
const BREAKERS: &[&str] = &[
    " happy", " glad", " sure", " think", " believe", " know ", " tell", " say", " not ", "n't",
    " familiar", " aware", " that ", " whether", "如果", "不是", " no ", " pas ", " nicht", " kein",
];

/// "As an AI" markers without a name.
#[rustfmt::skip]
const GENERIC: &[(&str, &str)] = &[
    ("as an ai", "en.generic.as_an_ai"), ("as a language model", "en.generic.as_an_ai"),
    ("as a large language model", "en.generic.as_an_ai"),
    ("as an artificial intelligence", "en.generic.as_an_ai"),
    ("作为一个人工智能", "zh.generic.as_an_ai"), ("作为人工智能", "zh.generic.as_an_ai"),
    ("作为ai", "zh.generic.as_an_ai"), ("作为一个ai", "zh.generic.as_an_ai"),
    ("作为语言模型", "zh.generic.as_an_ai"), ("作为一个语言模型", "zh.generic.as_an_ai"),
    ("como modelo de lenguaje", "es.generic.as_an_ai"),
    ("como un modelo de lenguaje", "es.generic.as_an_ai"), ("como una ia", "es.generic.as_an_ai"),
    ("como inteligencia artificial", "es.generic.as_an_ai"),
    ("en tant qu'ia", "fr.generic.as_an_ai"), ("en tant que modèle de langage", "fr.generic.as_an_ai"),
    ("en tant qu'intelligence artificielle", "fr.generic.as_an_ai"),
    ("als ki", "de.generic.as_an_ai"), ("als sprachmodell", "de.generic.as_an_ai"),
    ("als künstliche intelligenz", "de.generic.as_an_ai"),
];

/// Self-identification is near the top; the cap bounds the cost.
const MAX_BYTES: usize = 8000;

/// Self-identification claims in `response`, first occurrence of each
/// (kind, name) in order of appearance.
pub fn extract(response: &str) -> Vec<IdentityClaim> {
    let t = normalise(response, MAX_BYTES);
    let anchors_found = anchors().scan(&t);
    if anchors_found.is_empty() {
        return Vec::new();
    }
    let ends = sentence_ends(&t);
    // The sentence around byte `at`.
    let sentence = |at: usize| {
        let k = ends.partition_point(|&e| e <= at);
        let start = if k == 0 { 0 } else { ends[k - 1] };
        (start, ends.get(k).copied().unwrap_or(t.len()))
    };
    let mut found: Vec<(usize, IdentityClaim)> = Vec::new();
    let mut generic = None;
    let mut last_self_sentence = usize::MAX;
    for (at, anchor) in anchors_found {
        let (start, end) = sentence(at);
        match anchor.role {
            Role::Name(rule) => {
                // "as a(n)" names the speaker only when it opens a clause,
                // not in "such as a Facebook login".
                let head = t[start..at].trim_end();
                if anchor.pat.starts_with("as a") && !(head.is_empty() || head.ends_with(',')) {
                    continue;
                }
                let rest = &t[at + anchor.pat.len()..end];
                name_claim(rest, rule, &mut |c| found.push((at, c)));
            }
            // Creator claims hang off the first self anchor of a sentence.
            Role::SelfRef if start != last_self_sentence => {
                last_self_sentence = start;
                creator_claims(&t[at..end], &mut |c| found.push((at, c)));
            }
            Role::SelfRef => {}
            Role::Generic(rule) => generic = generic.or(Some(rule)),
        }
    }
    found.sort_by_key(|(at, _)| *at);
    let mut out: Vec<IdentityClaim> = Vec::new();
    for (_, c) in found {
        if !out.iter().any(|o| o.kind == c.kind && o.name == c.name) {
            out.push(c);
        }
    }
    if let (true, Some(rule)) = (out.is_empty(), generic) {
        out.push(IdentityClaim {
            kind: ClaimKind::Generic,
            name: "as_an_ai",
            rule,
        });
    }
    out
}

/// What an anchor phrase starts.
#[derive(Clone, Copy)]
enum Role {
    Name(&'static str),
    SelfRef,
    Generic(&'static str),
}

#[derive(Clone, Copy)]
struct Anchor {
    pat: &'static str,
    role: Role,
}

/// All anchor phrases in one automaton, for one pass over the text.
struct Anchors {
    list: Vec<Anchor>,
    /// Pattern `k` is `list[k].pat`. Aho–Corasick (1975), one table step
    /// per byte: the candidate loop it replaces spent most of its time on
    /// unpredictable branches over ordinary letters.
    matcher: AhoCorasick,
}

fn anchors() -> &'static Anchors {
    static IDX: OnceLock<Anchors> = OnceLock::new();
    IDX.get_or_init(|| {
        let all = NAME_ANCHORS.iter().map(|&(p, r)| (p, Role::Name(r)));
        let all = all.chain(SELF_ANCHORS.iter().map(|&p| (p, Role::SelfRef)));
        let all = all.chain(GENERIC.iter().map(|&(p, r)| (p, Role::Generic(r))));
        let list: Vec<Anchor> = all.map(|(pat, role)| Anchor { pat, role }).collect();
        let matcher = AhoCorasick::new(list.iter().map(|a| a.pat)).expect("static patterns");
        Anchors { list, matcher }
    })
}

impl Anchors {
    /// Every anchor occurrence in text order (at one position, in list
    /// order); phrases starting with an ASCII letter only at word starts.
    fn scan(&self, t: &str) -> Vec<(usize, Anchor)> {
        let b = t.as_bytes();
        let mut found: Vec<(usize, usize)> = self
            .matcher
            .find_overlapping_iter(t)
            .map(|m| (m.start(), m.pattern().as_usize()))
            .filter(|&(i, _)| {
                !(i > 0 && b[i].is_ascii_alphanumeric() && b[i - 1].is_ascii_alphanumeric())
            })
            .collect();
        // The automaton reports matches in order of where they end.
        found.sort_unstable();
        found.into_iter().map(|(i, k)| (i, self.list[k])).collect()
    }
}

/// Byte offsets just past each sentence end (ASCII . ! ? and newline,
/// and the full-width 。！？).
fn sentence_ends(t: &str) -> Vec<usize> {
    const FULL_WIDTH_ENDS: [&str; 3] = ["。", "！", "？"];
    let b = t.as_bytes();
    let mut ends = Vec::new();
    for (i, &c) in b.iter().enumerate() {
        match c {
            b'.' | b'!' | b'?' | b'\n' => ends.push(i + 1),
            0xE3 | 0xEF
                if FULL_WIDTH_ENDS
                    .iter()
                    .any(|p| b[i..].starts_with(p.as_bytes())) =>
            {
                ends.push(i + 3)
            }
            _ => {}
        }
    }
    ends
}

/// The known name starting exactly at `s`, with its byte length. An ASCII
/// alias must end at a word end, except that model names may run on into
/// a version ("qwen2.5", "deepseek-v3", "llama-3"); organisations may not
/// ("meta-learning" is not Meta).
fn name_at(s: &str) -> Option<(usize, ClaimKind, &'static str)> {
    NAMES.iter().find_map(|&(alias, kind, name)| {
        if !s.starts_with(alias) {
            return None;
        }
        let b = s.as_bytes();
        let next = b.get(alias.len()).copied();
        let after = b
            .get(alias.len() + 1)
            .is_some_and(|c| c.is_ascii_alphanumeric());
        let ends_word = match next {
            _ if !alias.as_bytes()[alias.len() - 1].is_ascii_alphanumeric() => true,
            // A version suffix: "qwen2", "llama-3", "gpt-4o", "qwen2.5".
            Some(c) if c.is_ascii_digit() => kind == ClaimKind::Model,
            Some(b'-' | b'.') if after => kind == ClaimKind::Model,
            Some(c) => !c.is_ascii_alphanumeric(),
            None => true,
        };
        ends_word.then_some((alias.len(), kind, name))
    })
}

/// Looks for a name right after a name anchor, through filler words only.
fn name_claim(mut rest: &str, rule: &'static str, emit: &mut impl FnMut(IdentityClaim)) {
    for _ in 0..10 {
        rest = rest.trim_start_matches([' ', ',', '-', ':', '"', '\'', '(']);
        if let Some((_, kind, name)) = name_at(rest) {
            emit(IdentityClaim { kind, name, rule });
            return;
        }
        if let Some(f) = ZH_FILLER.iter().find(|f| rest.starts_with(**f)) {
            rest = &rest[f.len()..];
            continue;
        }
        let word_end = rest.find([' ', ',', ':']).unwrap_or(rest.len());
        if word_end == 0 || !FILLER.contains(&&rest[..word_end]) {
            return;
        }
        rest = &rest[word_end..];
    }
}

/// Creator claims in `after_self`, the rest of a sentence from its first
/// self anchor on: a creation phrase with nothing in between that turns
/// the sentence to another subject.
fn creator_claims(after_self: &str, emit: &mut impl FnMut(IdentityClaim)) {
    // Creation phrases are searched only in the (short) rest of a
    // sentence that has a self anchor, so plain searches are cheap here.
    let phrases = CREATED_BY
        .iter()
        .map(|c| c.0)
        .chain(CREATED_FRAME.iter().map(|f| f.0));
    let mut hits: Vec<(usize, usize)> = Vec::new();
    for (k, p) in phrases.enumerate() {
        let word = p.as_bytes()[0].is_ascii_alphanumeric();
        for (at, _) in after_self.match_indices(p) {
            if !word || at == 0 || !after_self.as_bytes()[at - 1].is_ascii_alphanumeric() {
                hits.push((at, k));
            }
        }
    }
    for (at, k) in hits {
        let between = &after_self[..at];
        if between.len() > 160 || BREAKERS.iter().any(|b| between.contains(b)) {
            continue;
        }
        if let Some(&(phrase, rule)) = CREATED_BY.get(k) {
            let mut rest = &after_self[at + phrase.len()..];
            for skip in CREATOR_FILLER {
                rest = rest.strip_prefix(skip).unwrap_or(rest);
            }
            if let Some((_, kind, name)) = name_at(rest) {
                emit(IdentityClaim { kind, name, rule });
            }
        } else {
            let (open, verbs, rule) = CREATED_FRAME[k - CREATED_BY.len()];
            let rest = after_self[at + open.len()..].trim_start();
            if let Some((n, kind, name)) = name_at(rest) {
                let tail = &rest[n..];
                let mut end = tail.len().min(40);
                while !tail.is_char_boundary(end) {
                    end -= 1;
                }
                if verbs.is_empty() || verbs.iter().any(|v| tail[..end].contains(v)) {
                    emit(IdentityClaim { kind, name, rule });
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(r: &str) -> Vec<(ClaimKind, &'static str)> {
        extract(r).into_iter().map(|c| (c.kind, c.name)).collect()
    }

    /// Every position, every phrase in list order: the definition the
    /// automaton must reproduce.
    fn naive_scan(t: &str) -> Vec<(usize, &'static str)> {
        let b = t.as_bytes();
        let mut out = Vec::new();
        for i in 0..b.len() {
            if i > 0 && b[i].is_ascii_alphanumeric() && b[i - 1].is_ascii_alphanumeric() {
                continue;
            }
            for a in &anchors().list {
                if b[i..].starts_with(a.pat.as_bytes()) {
                    out.push((i, a.pat));
                }
            }
        }
        out
    }

    #[test]
    fn scan_finds_every_anchor_in_order() {
        let texts = [
            "i am an ai. as an ai language model, i was created by x; i've been trained.",
            "such as a cat, i'm here. liam is not i am. as a large language model i am.",
            "我是一个ai助手,作为人工智能我由某公司开发。als ki bin ich ich bin hier.",
            "je suis là; en tant qu'ia je suis. soy un modelo, como una ia. ii am",
            "",
        ];
        for t in texts {
            let fast: Vec<(usize, &str)> = anchors()
                .scan(t)
                .into_iter()
                .map(|(i, a)| (i, a.pat))
                .collect();
            assert_eq!(fast, naive_scan(t), "{t}");
        }
    }

    #[test]
    fn english_claims() {
        assert_eq!(
            names("I am ChatGPT, a large language model trained by OpenAI."),
            vec![(M, "ChatGPT"), (O, "OpenAI")]
        );
        assert_eq!(
            names("I'm Claude, an AI assistant made by Anthropic."),
            vec![(M, "Claude"), (O, "Anthropic")]
        );
        assert_eq!(
            names("As an AI language model developed by OpenAI, I can't browse."),
            vec![(O, "OpenAI")]
        );
        assert_eq!(
            names("I was created by the team at Google."),
            vec![(O, "Google")]
        );
    }

    #[test]
    fn mentions_are_not_claims() {
        assert!(names("ChatGPT was developed by OpenAI and released in 2022.").is_empty());
        assert!(names("I'm happy to compare ChatGPT and Claude for you.").is_empty());
        assert!(names("I am not ChatGPT.").is_empty());
        assert!(names("I think Gemini was made by Google.").is_empty());
    }

    #[test]
    fn generic_marker() {
        let c = extract("As an AI language model, I don't have feelings.");
        assert_eq!(c.len(), 1);
        assert_eq!(
            (c[0].kind, c[0].name, c[0].rule),
            (ClaimKind::Generic, "as_an_ai", "en.generic.as_an_ai")
        );
        assert!(extract("Here is a poem about the sea.").is_empty());
    }

    #[test]
    fn other_languages() {
        assert_eq!(
            names("我是通义千问，由阿里云开发的大语言模型。"),
            vec![(M, "Qwen"), (O, "Alibaba")]
        );
        assert_eq!(
            names("我是一个由OpenAI训练的人工智能助手。"),
            vec![(O, "OpenAI")]
        );
        assert_eq!(
            names("Soy un modelo de lenguaje entrenado por OpenAI."),
            vec![(O, "OpenAI")]
        );
        assert_eq!(
            names("Je suis un assistant créé par Mistral AI."),
            vec![(O, "Mistral AI")]
        );
        assert_eq!(
            names("Ich bin ein von Meta entwickeltes Sprachmodell."),
            vec![(O, "Meta")]
        );
        assert_eq!(
            names("Ich bin Claude, ein KI-Assistent von Anthropic."),
            vec![(M, "Claude"), (O, "Anthropic")]
        );
        assert!(names("Ich bin ein Modell für meta-learning.").is_empty());
        assert_eq!(
            names("Je suis Le Chat, un assistant développé par Mistral AI."),
            vec![(O, "Mistral AI")]
        );
        assert_eq!(
            names("我是DeepSeek，由深度求索公司开发的智能助手。"),
            vec![(M, "DeepSeek"), (O, "DeepSeek")]
        );
        assert_eq!(
            names("Soy Gemini, un modelo de Google."),
            vec![(M, "Gemini"), (O, "Google")]
        );
    }
}

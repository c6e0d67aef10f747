//! The built-in probe suite and its export to batch-API request files.
//!
//! `probes/suite.jsonl` (embedded at compile time) holds project-written
//! probes in English, Chinese, Spanish, French and German, grouped by
//! [`CATEGORIES`]: refusal probes (clearly harmful requests, and safe
//! prompts that only look harmful: homonyms, figurative language, fiction,
//! history, safety information, plain benign questions), identity probes
//! (creator, model name, knowledge cutoff, indirect questions such as
//! "which company should I thank?") and style probes (open writing,
//! explanations, lists, advice, coding).
//!
//! [`export`] writes request files for the OpenAI Batch API, the Anthropic
//! Message Batches API, or lineage's canonical JSONL. Request ids are the
//! probe id, plus `__s<N>` (N = 0-based sample index) when several samples
//! are requested. Anthropic requires custom ids matching
//! `^[a-zA-Z0-9_-]{1,64}$`, so `#` cannot be used; the same separator is
//! used for OpenAI for consistency. [`split_custom_id`] undoes it.

use std::collections::HashSet;
use std::io::{self, Write};
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

const SUITE: &str = include_str!("../probes/suite.jsonl");

/// Every category of the built-in suite, in listing order.
pub const CATEGORIES: &[&str] = &[
    "refusal-harmful",
    "refusal-safe-homonym",
    "refusal-safe-figurative",
    "refusal-safe-fiction",
    "refusal-safe-history",
    "refusal-safe-safety-info",
    "refusal-benign",
    "identity-creator",
    "identity-model",
    "identity-cutoff",
    "identity-indirect",
    "style-open",
    "style-explain",
    "style-list",
    "style-advice",
    "style-coding",
];

/// Languages probes may be written in.
pub const LANGUAGES: &[&str] = &["en", "zh", "es", "fr", "de"];

/// Separator between probe id and sample index in request ids.
pub const SAMPLE_SEP: &str = "__s";

/// Longest probe id: leaves room for `__s` and a five-digit sample index
/// within Anthropic's 64-character limit.
const MAX_ID_LEN: usize = 56;

/// One probe.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Probe {
    pub probe_id: String,
    pub prompt: String,
    pub category: String,
    pub language: String,
    /// What the probe tests, in a few words.
    pub purpose: String,
}

/// Request file formats for [`export`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "kebab-case")]
pub enum ExportFormat {
    /// OpenAI Batch API input (`/v1/chat/completions`, with logprobs).
    OpenaiBatch,
    /// Anthropic Message Batches requests, one per line; wrap the lines in
    /// `{"requests": [...]}` when submitting.
    AnthropicBatch,
    /// lineage's canonical JSONL, without responses.
    Jsonl,
}

/// The built-in suite (parsed once, then cloned).
pub fn builtin() -> Vec<Probe> {
    static SUITE_PROBES: OnceLock<Vec<Probe>> = OnceLock::new();
    SUITE_PROBES
        .get_or_init(|| {
            SUITE
                .lines()
                .enumerate()
                .filter(|(_, l)| !l.trim().is_empty())
                .map(|(i, l)| {
                    serde_json::from_str(l)
                        .unwrap_or_else(|e| panic!("probes/suite.jsonl line {}: {e}", i + 1))
                })
                .collect()
        })
        .clone()
}

/// Checks a probe set: ids unique and usable as batch custom ids, prompts
/// non-empty, categories and languages known, every category populated.
pub fn validate(probes: &[Probe]) -> Result<(), String> {
    let mut ids = HashSet::new();
    for p in probes {
        let id = &p.probe_id;
        if id.is_empty()
            || id.len() > MAX_ID_LEN
            || !id
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        {
            return Err(format!(
                "probe id {id:?}: must be 1-{MAX_ID_LEN} characters from [A-Za-z0-9_-]"
            ));
        }
        if id.contains(SAMPLE_SEP) {
            return Err(format!(
                "probe id {id:?} contains the sample separator {SAMPLE_SEP:?}"
            ));
        }
        if !ids.insert(id.as_str()) {
            return Err(format!("duplicate probe id {id:?}"));
        }
        if p.prompt.trim().is_empty() {
            return Err(format!("probe {id}: empty prompt"));
        }
        if !CATEGORIES.contains(&p.category.as_str()) {
            return Err(format!("probe {id}: unknown category {:?}", p.category));
        }
        if !LANGUAGES.contains(&p.language.as_str()) {
            return Err(format!("probe {id}: unknown language {:?}", p.language));
        }
    }
    match CATEGORIES
        .iter()
        .find(|c| !probes.iter().any(|p| p.category == **c))
    {
        Some(c) => Err(format!("category {c} has no probes")),
        None => Ok(()),
    }
}

/// Probes grouped by category: known categories in [`CATEGORIES`] order,
/// then any others alphabetically; probes keep their order.
pub fn list_by_category(probes: &[Probe]) -> Vec<(String, Vec<&Probe>)> {
    let mut cats: Vec<&str> = CATEGORIES.to_vec();
    let mut extra: Vec<&str> = probes
        .iter()
        .map(|p| p.category.as_str())
        .filter(|c| !CATEGORIES.contains(c))
        .collect();
    extra.sort_unstable();
    extra.dedup();
    cats.extend(extra);
    cats.into_iter()
        .map(|c| {
            (
                c.to_string(),
                probes
                    .iter()
                    .filter(|p| p.category == c)
                    .collect::<Vec<_>>(),
            )
        })
        .filter(|(_, ps)| !ps.is_empty())
        .collect()
}

/// The request id of one sample: the probe id alone when `samples <= 1`.
pub fn custom_id(probe_id: &str, sample: u32, samples: u32) -> String {
    if samples > 1 {
        format!("{probe_id}{SAMPLE_SEP}{sample}")
    } else {
        probe_id.to_string()
    }
}

/// Splits a request id back into probe id and sample index.
pub fn split_custom_id(id: &str) -> (&str, Option<u32>) {
    match id.rsplit_once(SAMPLE_SEP) {
        Some((probe, n)) if !probe.is_empty() => match n.parse() {
            Ok(n) => (probe, Some(n)),
            Err(_) => (id, None),
        },
        _ => (id, None),
    }
}

#[derive(Serialize)]
struct Message<'a> {
    role: &'static str,
    content: &'a str,
}

#[derive(Serialize)]
struct OpenaiBody<'a> {
    model: &'a str,
    messages: [Message<'a>; 1],
    logprobs: bool,
    top_logprobs: u32,
}

#[derive(Serialize)]
struct OpenaiLine<'a> {
    custom_id: String,
    method: &'static str,
    url: &'static str,
    body: OpenaiBody<'a>,
}

#[derive(Serialize)]
struct AnthropicParams<'a> {
    model: &'a str,
    max_tokens: u32,
    messages: [Message<'a>; 1],
}

#[derive(Serialize)]
struct AnthropicLine<'a> {
    custom_id: String,
    params: AnthropicParams<'a>,
}

/// Writes one request line per probe and sample (`samples` 0 counts as
/// 1). Canonical JSONL has one line per probe whatever `samples` is.
pub fn export(
    probes: &[Probe],
    to: ExportFormat,
    model: &str,
    samples: u32,
    w: &mut impl Write,
) -> io::Result<()> {
    let samples = samples.max(1);
    for p in probes {
        let user = || {
            [Message {
                role: "user",
                content: &p.prompt,
            }]
        };
        if to == ExportFormat::Jsonl {
            serde_json::to_writer(&mut *w, p)?;
            w.write_all(b"\n")?;
            continue;
        }
        for s in 0..samples {
            let custom_id = custom_id(&p.probe_id, s, samples);
            match to {
                ExportFormat::OpenaiBatch => serde_json::to_writer(
                    &mut *w,
                    &OpenaiLine {
                        custom_id,
                        method: "POST",
                        url: "/v1/chat/completions",
                        body: OpenaiBody {
                            model,
                            messages: user(),
                            logprobs: true,
                            top_logprobs: 5,
                        },
                    },
                )?,
                ExportFormat::AnthropicBatch => serde_json::to_writer(
                    &mut *w,
                    &AnthropicLine {
                        custom_id,
                        params: AnthropicParams {
                            model,
                            max_tokens: 1024,
                            messages: user(),
                        },
                    },
                )?,
                ExportFormat::Jsonl => unreachable!("handled above"),
            }
            w.write_all(b"\n")?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;

    fn lines(probes: &[Probe], to: ExportFormat, samples: u32) -> Vec<Value> {
        let mut buf = Vec::new();
        export(probes, to, "m-1", samples, &mut buf).unwrap();
        String::from_utf8(buf)
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect()
    }

    #[test]
    fn suite_validates_and_is_complete() {
        let ps = builtin();
        assert!(ps.len() >= 320, "{} probes", ps.len());
        validate(&ps).unwrap();
        let groups = list_by_category(&ps);
        assert_eq!(groups.len(), CATEGORIES.len());
        for (cat, members) in &groups {
            let min = if cat == "identity-cutoff" { 10 } else { 15 };
            assert!(members.len() >= min, "{cat}: {}", members.len());
            // Identity probes exist in every language.
            if cat.starts_with("identity-") {
                for lang in LANGUAGES {
                    assert!(
                        members.iter().any(|p| p.language == *lang),
                        "{cat} lacks {lang}"
                    );
                }
            }
        }
        assert_eq!(groups[0].0, "refusal-harmful");
    }

    #[test]
    fn validate_rejects_bad_sets() {
        let mut ps = builtin();
        ps[1].probe_id = ps[0].probe_id.clone();
        assert!(validate(&ps).unwrap_err().contains("duplicate"));
        let mut ps = builtin();
        ps[0].prompt = "  ".into();
        assert!(validate(&ps).unwrap_err().contains("empty prompt"));
        let mut ps = builtin();
        ps[0].probe_id = "has#hash".into();
        assert!(validate(&ps).is_err());
        let ps: Vec<_> = builtin()
            .into_iter()
            .filter(|p| p.category != "style-list")
            .collect();
        assert!(validate(&ps).unwrap_err().contains("style-list"));
    }

    #[test]
    fn openai_batch_lines() {
        let ps = &builtin()[..2];
        let one = lines(ps, ExportFormat::OpenaiBatch, 1);
        assert_eq!(one.len(), 2);
        assert_eq!(one[0]["custom_id"], ps[0].probe_id.as_str());
        assert_eq!(one[0]["method"], "POST");
        assert_eq!(one[0]["url"], "/v1/chat/completions");
        let body = &one[0]["body"];
        assert_eq!(body["model"], "m-1");
        assert_eq!(body["messages"][0]["role"], "user");
        assert_eq!(body["messages"][0]["content"], ps[0].prompt.as_str());
        assert_eq!(
            (body["logprobs"].clone(), body["top_logprobs"].clone()),
            (true.into(), 5.into())
        );
        let three = lines(ps, ExportFormat::OpenaiBatch, 3);
        assert_eq!(three.len(), 6);
        assert_eq!(three[2]["custom_id"], format!("{}__s2", ps[0].probe_id));
    }

    #[test]
    fn anthropic_batch_lines() {
        let ps = builtin();
        let out = lines(&ps, ExportFormat::AnthropicBatch, 2);
        assert_eq!(out.len(), 2 * ps.len());
        for v in &out {
            let id = v["custom_id"].as_str().unwrap();
            assert!((1..=64).contains(&id.len()));
            assert!(id
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'));
        }
        assert_eq!(out[1]["custom_id"], format!("{}__s1", ps[0].probe_id));
        assert_eq!(out[0]["params"]["max_tokens"], 1024);
        assert_eq!(out[0]["params"]["model"], "m-1");
        assert_eq!(
            out[0]["params"]["messages"][0]["content"],
            ps[0].prompt.as_str()
        );
    }

    #[test]
    fn canonical_jsonl_round_trips() {
        let ps = builtin();
        let out = lines(&ps, ExportFormat::Jsonl, 4);
        assert_eq!(out.len(), ps.len());
        assert!(out[0].get("response").is_none());
        let back: Vec<Probe> = out
            .into_iter()
            .map(|v| serde_json::from_value(v).unwrap())
            .collect();
        assert_eq!(back, ps);
    }

    #[test]
    fn custom_ids_split_back() {
        assert_eq!(
            split_custom_id("ref-harm-001__s3"),
            ("ref-harm-001", Some(3))
        );
        assert_eq!(split_custom_id("ref-harm-001"), ("ref-harm-001", None));
        assert_eq!(split_custom_id("a__sx"), ("a__sx", None));
        assert_eq!(custom_id("p", 0, 1), "p");
    }
}

//! Text <-> token ids for a loaded model: the tokenizer (`tokenizer.json`,
//! or rebuilt from GGUF metadata), the chat template and the stop tokens.
//!
//! GGUF rebuild: `tokenizer.ggml.model = "gpt2"` is byte-level BPE from
//! `tokens` and `merges` with the pre-tokenizer named by
//! `tokenizer.ggml.pre`; `"llama"` (SentencePiece) becomes a Unigram model
//! over `tokens`/`scores` with byte fallback and `▁` for spaces (llama.cpp
//! merges by score, Unigram maximises the summed score: the two agree on
//! most text, not on every segmentation). Control tokens (`token_type` 3)
//! and user-defined ones (4) are registered as special tokens so the
//! rendered chat template maps `<|im_start|>` and the like to single ids.

use std::collections::BTreeSet;
use std::path::Path;

use candle_core::quantized::gguf_file::Value as Gv;
use serde_json::Value;
use tokenizers::decoders::byte_fallback::ByteFallback;
use tokenizers::decoders::sequence::Sequence as DecSeq;
use tokenizers::models::bpe::BPE;
use tokenizers::models::unigram::Unigram;
use tokenizers::pre_tokenizers::byte_level::ByteLevel;
use tokenizers::pre_tokenizers::digits::Digits;
use tokenizers::pre_tokenizers::metaspace::{Metaspace, PrependScheme};
use tokenizers::pre_tokenizers::sequence::Sequence as PreSeq;
use tokenizers::pre_tokenizers::split::{Split, SplitPattern};
use tokenizers::{
    AddedToken, DecoderWrapper, PreTokenizerWrapper, SplitDelimiterBehavior, Tokenizer,
};

use super::error::ModelError;
use super::load::{read_text, GgufMeta};
use super::template::ChatTemplate;

/// End-of-turn tokens of common chat formats, stop tokens when present.
const END_OF_TURN: &[&str] = &[
    "<|im_end|>",
    "<|eot_id|>",
    "<|end_of_text|>",
    "<|endoftext|>",
    "<end_of_turn>",
    "<|end|>",
    "</s>",
];

/// Llama 3 pre-tokenizer pattern (also llama.cpp's `llama-bpe`).
const LLAMA3_SPLIT: &str = r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+";
/// Qwen2 pre-tokenizer pattern (digits one by one).
const QWEN2_SPLIT: &str = r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+";

/// Tokenizer, chat template and stop tokens of one model.
#[derive(Debug)]
pub struct Codec {
    pub tokenizer: Tokenizer,
    pub template: Option<ChatTemplate>,
    /// Sorted ids that end a generation.
    pub stop: Vec<u32>,
    /// Prepended to a plain (template-less) prompt when the GGUF asks for
    /// it; `tokenizer.json` post-processors do this themselves.
    bos_plain: Option<u32>,
}

impl Codec {
    /// Token ids of `prompt` as the model sees it: through the chat
    /// template when there is one, else the plain text.
    pub fn prompt_ids(&self, prompt: &str) -> Result<Vec<u32>, String> {
        match &self.template {
            Some(t) => self.encode(&t.render(prompt)?, false),
            None => {
                let mut ids: Vec<u32> = self.bos_plain.into_iter().collect();
                ids.extend(self.encode(prompt, true)?);
                Ok(ids)
            }
        }
    }

    /// Ids of `text`; `specials` lets the post-processor add BOS etc.
    pub fn encode(&self, text: &str, specials: bool) -> Result<Vec<u32>, String> {
        self.tokenizer
            .encode(text, specials)
            .map(|e| e.get_ids().to_vec())
            .map_err(|e| e.to_string())
    }

    /// Text of `ids` without special tokens.
    pub fn decode(&self, ids: &[u32]) -> String {
        self.tokenizer.decode(ids, true).unwrap_or_default()
    }

    /// Text of a single token (special tokens included; a token holding
    /// part of a UTF-8 character shows as U+FFFD).
    pub fn token_text(&self, id: u32) -> String {
        self.tokenizer.decode(&[id], false).unwrap_or_default()
    }

    /// From a Hugging Face directory: `tokenizer.json`, optional
    /// `tokenizer_config.json`, `chat_template.jinja`, `config.json` and
    /// `generation_config.json`.
    pub fn from_hf(dir: &Path) -> Result<Codec, ModelError> {
        let tpath = dir.join("tokenizer.json");
        if !tpath.is_file() {
            return Err(ModelError::tokenizer(&tpath, "missing"));
        }
        let tokenizer = Tokenizer::from_bytes(read_text(&tpath)?.as_bytes())
            .map_err(|e| ModelError::tokenizer(&tpath, e))?;
        let cfg_path = dir.join("tokenizer_config.json");
        let cfg = read_json_opt(&cfg_path)?;
        let special = |k: &str| cfg.get(k).and_then(token_content).unwrap_or_default();
        let (bos, eos) = (special("bos_token"), special("eos_token"));
        let jinja = dir.join("chat_template.jinja");
        let source = if jinja.is_file() {
            Some(read_text(&jinja)?)
        } else {
            cfg.get("chat_template").and_then(template_source)
        };
        let template = source
            .map(|s| ChatTemplate::new(&s, &bos, &eos))
            .transpose()
            .map_err(|message| ModelError::Template {
                path: cfg_path.clone(),
                message,
            })?;
        let mut stop = BTreeSet::new();
        for f in ["config.json", "generation_config.json"] {
            collect_ids(read_json_opt(&dir.join(f))?.get("eos_token_id"), &mut stop);
        }
        let mut codec = Codec {
            tokenizer,
            template,
            stop: Vec::new(),
            bos_plain: None,
        };
        codec.finish_stop(stop, &[eos.as_str()]);
        Ok(codec)
    }

    /// Rebuilt from GGUF metadata.
    pub fn from_gguf(path: &Path, md: &GgufMeta) -> Result<Codec, ModelError> {
        let err = |m: &str| ModelError::tokenizer(path, m);
        let get = |k: &str| md.get(&format!("tokenizer.ggml.{k}"));
        let kind = get("model")
            .and_then(|v| v.to_string().ok())
            .ok_or_else(|| err("metadata `tokenizer.ggml.model` is missing"))?;
        let tokens = strings(get("tokens")).ok_or_else(|| err("no `tokenizer.ggml.tokens`"))?;
        let types: Vec<i64> = get("token_type")
            .and_then(|v| v.to_vec().ok())
            .map(|v| v.iter().map(|x| x.to_i32().map_or(1, i64::from)).collect())
            .unwrap_or_default();
        let id = |k: &str| {
            get(k)
                .and_then(|v| v.to_u32().ok())
                .filter(|&i| (i as usize) < tokens.len())
        };
        let mut tokenizer = match kind.as_str() {
            "gpt2" => {
                let merges =
                    strings(get("merges")).ok_or_else(|| err("no `tokenizer.ggml.merges`"))?;
                let pre = get("pre")
                    .and_then(|v| v.to_string().ok())
                    .cloned()
                    .unwrap_or_default();
                bpe(&tokens, &merges, &pre).map_err(|e| ModelError::tokenizer(path, e))?
            }
            "llama" => {
                let scores: Vec<f64> = get("scores")
                    .and_then(|v| v.to_vec().ok())
                    .map(|v| {
                        v.iter()
                            .map(|x| x.to_f32().map_or(0.0, f64::from))
                            .collect()
                    })
                    .unwrap_or_else(|| vec![0.0; tokens.len()]);
                spm(&tokens, &scores, id("unknown_token_id"))
                    .map_err(|e| ModelError::tokenizer(path, e))?
            }
            other => {
                return Err(err(&format!(
                    "tokenizer model `{other}` is not supported (gpt2, llama)"
                )))
            }
        };
        let specials: Vec<AddedToken> = tokens
            .iter()
            .zip(&types)
            .filter(|(_, &t)| t == 3 || t == 4)
            .map(|(s, _)| AddedToken::from(s.clone(), true))
            .collect();
        tokenizer.add_special_tokens(&specials);
        let text = |i: Option<u32>| i.map(|i| tokens[i as usize].clone()).unwrap_or_default();
        let (bos_id, eos_id) = (id("bos_token_id"), id("eos_token_id"));
        let (bos, eos) = (text(bos_id), text(eos_id));
        let template = md
            .get("tokenizer.chat_template")
            .and_then(|v| v.to_string().ok())
            .map(|s| ChatTemplate::new(s, &bos, &eos))
            .transpose()
            .map_err(|message| ModelError::Template {
                path: path.into(),
                message,
            })?;
        let add_bos = get("add_bos_token")
            .and_then(|v| v.to_bool().ok())
            .unwrap_or(kind == "llama");
        let mut codec = Codec {
            tokenizer,
            template,
            stop: Vec::new(),
            bos_plain: bos_id.filter(|_| add_bos),
        };
        codec.finish_stop(eos_id.into_iter().collect(), &[]);
        Ok(codec)
    }

    fn finish_stop(&mut self, mut stop: BTreeSet<u32>, extra: &[&str]) {
        for t in extra.iter().chain(END_OF_TURN) {
            if let Some(id) = self.tokenizer.token_to_id(t).filter(|_| !t.is_empty()) {
                stop.insert(id);
            }
        }
        self.stop = stop.into_iter().collect();
    }
}

fn read_json_opt(path: &Path) -> Result<Value, ModelError> {
    if !path.is_file() {
        return Ok(Value::Null);
    }
    serde_json::from_str(&read_text(path)?)
        .map_err(|e| ModelError::config(path, format!("invalid JSON: {e}")))
}

/// `"</s>"` or `{"content": "</s>", ...}`.
fn token_content(v: &Value) -> Option<String> {
    v.as_str()
        .or_else(|| v.get("content").and_then(Value::as_str))
        .map(str::to_string)
}

/// A template string, or the `default` entry of a list of named templates.
fn template_source(v: &Value) -> Option<String> {
    if let Some(s) = v.as_str() {
        return Some(s.to_string());
    }
    v.as_array()?
        .iter()
        .find(|t| t.get("name").and_then(Value::as_str) == Some("default"))
        .and_then(|t| t.get("template")?.as_str().map(str::to_string))
}

fn collect_ids(v: Option<&Value>, out: &mut BTreeSet<u32>) {
    match v {
        Some(Value::Number(n)) => out.extend(n.as_u64().and_then(|x| u32::try_from(x).ok())),
        Some(Value::Array(a)) => a.iter().for_each(|x| collect_ids(Some(x), out)),
        _ => {}
    }
}

fn strings(v: Option<&Gv>) -> Option<Vec<String>> {
    v?.to_vec()
        .ok()?
        .iter()
        .map(|x| x.to_string().ok().cloned())
        .collect()
}

/// Byte-level BPE with the pre-tokenizer llama.cpp names `pre`.
fn bpe(tokens: &[String], merges: &[String], pre: &str) -> Result<Tokenizer, String> {
    let vocab: tokenizers::models::bpe::Vocab = tokens
        .iter()
        .enumerate()
        .map(|(i, t)| (t.clone(), i as u32))
        .collect();
    let merges: Vec<(String, String)> = merges
        .iter()
        .filter_map(|m| {
            m.split_once(' ')
                .map(|(a, b)| (a.to_string(), b.to_string()))
        })
        .collect();
    let model = BPE::builder()
        .vocab_and_merges(vocab, merges)
        .build()
        .map_err(|e| e.to_string())?;
    let split = |pattern: &str| -> Result<PreTokenizerWrapper, String> {
        let s = Split::new(
            SplitPattern::Regex(pattern.into()),
            SplitDelimiterBehavior::Isolated,
            false,
        )
        .map_err(|e| e.to_string())?;
        Ok(s.into())
    };
    let no_regex: PreTokenizerWrapper = ByteLevel::new(false, true, false).into();
    let pre_tok: PreTokenizerWrapper = match pre {
        "llama-bpe" | "llama3" | "smaug-bpe" => {
            PreSeq::new(vec![split(LLAMA3_SPLIT)?, no_regex]).into()
        }
        "qwen2" => PreSeq::new(vec![split(QWEN2_SPLIT)?, no_regex]).into(),
        // SmolLM's tokenizer.json splits digits one by one before the GPT-2
        // byte-level split.
        "smollm" => PreSeq::new(vec![
            Digits::new(true).into(),
            ByteLevel::new(false, true, true).into(),
        ])
        .into(),
        _ => ByteLevel::new(false, true, true).into(),
    };
    let mut tok = Tokenizer::new(model);
    tok.with_pre_tokenizer(Some(pre_tok));
    tok.with_decoder(Some(ByteLevel::new(false, true, true)));
    Ok(tok)
}

/// SentencePiece vocabulary as a Unigram model with byte fallback.
fn spm(tokens: &[String], scores: &[f64], unk: Option<u32>) -> Result<Tokenizer, String> {
    let vocab: Vec<(String, f64)> = tokens
        .iter()
        .enumerate()
        .map(|(i, t)| (t.clone(), scores.get(i).copied().unwrap_or(0.0)))
        .collect();
    let model = Unigram::from(vocab, unk.map(|u| u as usize), true).map_err(|e| e.to_string())?;
    let mut tok = Tokenizer::new(model);
    tok.with_pre_tokenizer(Some(Metaspace::new('▁', PrependScheme::First, false)));
    let dec: Vec<DecoderWrapper> = vec![
        ByteFallback::new().into(),
        Metaspace::new('▁', PrependScheme::First, false).into(),
    ];
    tok.with_decoder(Some(DecSeq::new(dec)));
    Ok(tok)
}

//! The `probe` and `score` commands over record lists: tokenize, run,
//! and render JSONL (formats in docs/formats.md, "Model runner output").

use std::path::{Path, PathBuf};
use std::time::Instant;

use indicatif::ProgressBar;
use serde::Serialize;

use super::generate::{generate_rows, GenConfig, Generation, Row};
use super::score::{score, Item, Position, Score};
use super::{Model, ModelError};
use crate::input::Record;

/// One prompt to answer.
#[derive(Debug, Clone)]
pub struct ProbeInput {
    pub probe_id: String,
    pub prompt: String,
    pub category: Option<String>,
    /// Where it came from, for error messages.
    pub source: PathBuf,
    pub line: u64,
}

/// Totals of a run, for the summary line.
#[derive(Debug, Clone, Copy, Default)]
pub struct RunStats {
    pub records: usize,
    pub tokens: usize,
    pub seconds: f64,
}

impl RunStats {
    pub fn tokens_per_second(&self) -> f64 {
        if self.seconds > 0.0 {
            self.tokens as f64 / self.seconds
        } else {
            0.0
        }
    }
}

#[derive(Serialize)]
struct TopOut {
    token: String,
    logprob: f64,
}

#[derive(Serialize)]
struct TokenOut {
    token: String,
    logprob: f64,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    top: Vec<TopOut>,
}

#[derive(Serialize)]
struct ProbeLine<'a> {
    probe_id: &'a str,
    prompt: &'a str,
    response: String,
    model: &'a str,
    sample: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    category: Option<&'a str>,
    logprobs: Vec<TokenOut>,
}

fn record_err(source: &Path, line: u64, message: impl Into<String>) -> ModelError {
    ModelError::Record {
        path: source.into(),
        line,
        message: message.into(),
    }
}

/// Token ids of a prompt, checked against the model's vocabulary and
/// context length.
fn prompt_ids(model: &Model, p: &ProbeInput) -> Result<Vec<u32>, ModelError> {
    let ids = model
        .codec
        .prompt_ids(&p.prompt)
        .map_err(|m| record_err(&p.source, p.line, format!("cannot prepare the prompt: {m}")))?;
    check_ids(model, &ids, &p.source, p.line)?;
    if ids.is_empty() || ids.len() >= model.net.positions() {
        return Err(record_err(
            &p.source,
            p.line,
            format!(
                "prompt of {} tokens does not fit the model's {} positions",
                ids.len(),
                model.net.positions()
            ),
        ));
    }
    Ok(ids)
}

fn check_ids(model: &Model, ids: &[u32], source: &Path, line: u64) -> Result<(), ModelError> {
    let vocab = model.net.arch.vocab;
    match ids.iter().find(|&&i| i as usize >= vocab) {
        Some(i) => Err(record_err(
            source,
            line,
            format!("token id {i} is outside the model's vocabulary of {vocab}"),
        )),
        None => Ok(()),
    }
}

/// Answer every probe `samples` times, `batch` rows per forward pass;
/// returns the JSONL bytes.
pub fn probe(
    model: &Model,
    name: &str,
    inputs: &[ProbeInput],
    cfg: &GenConfig,
    samples: u32,
    batch: usize,
    bar: &ProgressBar,
) -> anyhow::Result<(Vec<u8>, RunStats)> {
    let start = Instant::now();
    let prompts = inputs
        .iter()
        .map(|p| prompt_ids(model, p))
        .collect::<Result<Vec<_>, _>>()?;
    // Greedy samples are all the same answer: compute it once.
    let computed = if cfg.temperature <= 0.0 { 1 } else { samples };
    let rows: Vec<Row> = inputs
        .iter()
        .zip(&prompts)
        .flat_map(|(p, ids)| {
            (0..computed).map(move |sample| Row {
                prompt: ids,
                probe_id: &p.probe_id,
                sample,
            })
        })
        .collect();
    bar.set_length(rows.len() as u64);
    let mut stats = RunStats::default();
    let mut gens = Vec::with_capacity(rows.len());
    for chunk in rows.chunks(batch.max(1)) {
        let g = generate_rows(&model.net, chunk, &model.codec.stop, cfg)?;
        stats.tokens += g.iter().map(|g| g.steps.len()).sum::<usize>();
        gens.extend(g);
        stats.seconds = start.elapsed().as_secs_f64();
        bar.set_message(format!("{:.0} tok/s", stats.tokens_per_second()));
        bar.inc(chunk.len() as u64);
    }
    let mut out = Vec::new();
    for (i, p) in inputs.iter().enumerate() {
        for s in 0..samples {
            let g = &gens[i * computed as usize + (s % computed) as usize];
            write_probe_line(&mut out, model, name, p, s, g)?;
            stats.records += 1;
        }
    }
    Ok((out, stats))
}

fn write_probe_line(
    out: &mut Vec<u8>,
    model: &Model,
    name: &str,
    p: &ProbeInput,
    sample: u32,
    g: &Generation,
) -> anyhow::Result<()> {
    let c = &model.codec;
    let logprobs = g
        .steps
        .iter()
        .map(|s| TokenOut {
            token: c.token_text(s.id),
            logprob: s.logprob,
            top: s
                .top
                .iter()
                .map(|&(id, logprob)| TopOut {
                    token: c.token_text(id),
                    logprob,
                })
                .collect(),
        })
        .collect();
    let line = ProbeLine {
        probe_id: &p.probe_id,
        prompt: &p.prompt,
        response: c.decode(&g.ids()),
        model: name,
        sample,
        category: p.category.as_deref(),
        logprobs,
    };
    serde_json::to_writer(&mut *out, &line)?;
    out.push(b'\n');
    Ok(())
}

#[derive(Serialize)]
struct ScoreLine<'a> {
    probe_id: Option<&'a str>,
    sample: u32,
    model: &'a str,
    responder: Option<&'a str>,
    n_tokens: usize,
    n_bytes: usize,
    logprob: f64,
    logprob_per_byte: Option<f64>,
    top1_agree: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    positions: Option<&'a [Position]>,
}

/// Score every record that has a response; returns the JSONL bytes, the
/// number of records skipped for lack of a response, and totals.
pub fn score_records(
    model: &Model,
    name: &str,
    source: &Path,
    records: &[Record],
    top: Option<usize>,
    batch_tokens: usize,
    bar: &ProgressBar,
) -> anyhow::Result<(Vec<u8>, usize, RunStats)> {
    let start = Instant::now();
    let kept: Vec<&Record> = records.iter().filter(|r| r.response.is_some()).collect();
    let mut items = Vec::with_capacity(kept.len());
    for r in &kept {
        let p = ProbeInput {
            probe_id: r.probe_id.clone().unwrap_or_default(),
            prompt: r.prompt.clone(),
            category: None,
            source: source.into(),
            line: r.line,
        };
        let prompt = prompt_ids(model, &p)?;
        let text = r.response.as_deref().unwrap_or("");
        let response = model.codec.encode(text, false).map_err(|m| {
            record_err(source, r.line, format!("cannot tokenize the response: {m}"))
        })?;
        check_ids(model, &response, source, r.line)?;
        if prompt.len() + response.len() > model.net.positions() {
            return Err(record_err(
                source,
                r.line,
                format!(
                    "prompt and response ({} tokens) do not fit the model's {} positions",
                    prompt.len() + response.len(),
                    model.net.positions()
                ),
            )
            .into());
        }
        items.push(Item {
            prompt,
            response,
            n_bytes: text.len(),
        });
    }
    let scores = score(&model.net, &items, batch_tokens, top, |n| bar.inc(n as u64))?;
    let mut out = Vec::new();
    for (r, s) in kept.iter().zip(&scores) {
        write_score_line(&mut out, name, r, s)?;
    }
    let stats = RunStats {
        records: kept.len(),
        tokens: items
            .iter()
            .map(|i| i.prompt.len() + i.response.len())
            .sum(),
        seconds: start.elapsed().as_secs_f64(),
    };
    Ok((out, records.len() - kept.len(), stats))
}

fn write_score_line(out: &mut Vec<u8>, name: &str, r: &Record, s: &Score) -> anyhow::Result<()> {
    let line = ScoreLine {
        probe_id: r.probe_id.as_deref(),
        sample: r.sample,
        model: name,
        responder: r.model.as_deref(),
        n_tokens: s.n_tokens,
        n_bytes: s.n_bytes,
        logprob: s.logprob,
        logprob_per_byte: s.logprob_per_byte(),
        top1_agree: s.top1_agree(),
        positions: s.positions.as_deref(),
    };
    serde_json::to_writer(&mut *out, &line)?;
    out.push(b'\n');
    Ok(())
}

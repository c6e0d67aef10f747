//! Generation with a KV cache: greedy by default, or seeded sampling
//! (temperature, top-p), recording every generated token's log-probability
//! under the model's untempered distribution and the top-k alternatives.
//!
//! Several (probe, sample) rows run as one batch, prompts left-padded (see
//! [`super::transformer`]): a step then costs about as much for 8 rows as
//! for one. Each row draws from its own random stream,
//! `stream(seed, "probe/<probe_id>/<sample>")`, so its sampling decisions
//! do not depend on the other rows (its floating-point logits can differ
//! in the last bits with the batch shape; the batches are a fixed function
//! of the input, so reruns are byte-identical).

use candle_core::Tensor;

use super::dist::{argmax, log_softmax, sample, top_k};
use super::transformer::{last_position, Transformer};
use crate::stats::rng::stream;

/// Decoding settings.
#[derive(Debug, Clone)]
pub struct GenConfig {
    pub max_new_tokens: usize,
    /// 0 means greedy.
    pub temperature: f64,
    pub top_p: f64,
    pub top_logprobs: usize,
    pub seed: u64,
}

/// One generated token.
#[derive(Debug, Clone, PartialEq)]
pub struct Step {
    pub id: u32,
    pub logprob: f64,
    pub top: Vec<(u32, f64)>,
}

/// One generated answer: its tokens, without the stop token.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Generation {
    pub steps: Vec<Step>,
    /// Whether a stop token ended it (else the token or position limit).
    pub stopped: bool,
}

impl Generation {
    pub fn ids(&self) -> Vec<u32> {
        self.steps.iter().map(|s| s.id).collect()
    }
}

/// One row of a batch: a prompt and which (probe, sample) it answers.
#[derive(Debug, Clone, Copy)]
pub struct Row<'a> {
    pub prompt: &'a [u32],
    pub probe_id: &'a str,
    pub sample: u32,
}

/// Answers `samples` (sample indices) for one prompt. Greedy decoding
/// computes one answer and repeats it: every greedy sample is the same.
pub fn generate(
    net: &Transformer,
    prompt: &[u32],
    stop: &[u32],
    cfg: &GenConfig,
    probe_id: &str,
    samples: &[u32],
) -> candle_core::Result<Vec<Generation>> {
    let row = |sample| Row {
        prompt,
        probe_id,
        sample,
    };
    if cfg.temperature <= 0.0 && !samples.is_empty() {
        let one = generate_rows(net, &[row(samples[0])], stop, cfg)?;
        return Ok(samples.iter().map(|_| one[0].clone()).collect());
    }
    let rows: Vec<Row> = samples.iter().map(|&s| row(s)).collect();
    generate_rows(net, &rows, stop, cfg)
}

/// Answer every row in one batch.
pub fn generate_rows(
    net: &Transformer,
    rows: &[Row],
    stop: &[u32],
    cfg: &GenConfig,
) -> candle_core::Result<Vec<Generation>> {
    let n = rows.len();
    let mut out = vec![Generation::default(); n];
    let width = rows.iter().map(|r| r.prompt.len()).max().unwrap_or(0);
    if n == 0 || rows.iter().any(|r| r.prompt.is_empty()) {
        return Ok(out);
    }
    let mut rngs: Vec<_> = rows
        .iter()
        .map(|r| stream(cfg.seed, &format!("probe/{}/{}", r.probe_id, r.sample)))
        .collect();
    let budget = cfg
        .max_new_tokens
        .min(net.positions().saturating_sub(width));
    let pad: Vec<usize> = rows.iter().map(|r| width - r.prompt.len()).collect();
    let mut ids = Vec::with_capacity(n * width);
    for (r, &p) in rows.iter().zip(&pad) {
        ids.extend(std::iter::repeat(r.prompt[0]).take(p));
        ids.extend_from_slice(r.prompt);
    }
    let mut cache = net.padded_cache(pad);
    let mut input = Tensor::from_vec(ids, (n, width), net.device())?;
    let mut done = vec![false; n];
    for _ in 0..budget {
        let h = net.hidden(&input, &mut cache)?;
        let rows = net.logits(&last_position(&h)?)?.to_vec2::<f32>()?;
        let mut next = Vec::with_capacity(n);
        for (r, logits) in rows.iter().enumerate() {
            if done[r] {
                next.push(0);
                continue;
            }
            let lp = log_softmax(logits);
            let id = if cfg.temperature <= 0.0 {
                argmax(&lp)
            } else {
                sample(&lp, cfg.temperature, cfg.top_p, &mut rngs[r])
            };
            next.push(id);
            if stop.binary_search(&id).is_ok() {
                done[r] = true;
                out[r].stopped = true;
                continue;
            }
            out[r].steps.push(Step {
                id,
                logprob: lp[id as usize],
                top: top_k(&lp, cfg.top_logprobs),
            });
        }
        if done.iter().all(|&d| d) {
            break;
        }
        input = Tensor::from_vec(next, (n, 1), net.device())?;
    }
    Ok(out)
}

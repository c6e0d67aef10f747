//! Generation with a KV cache: greedy by default, or seeded sampling
//! (temperature, top-p), recording every generated token's log-probability
//! under the model's untempered distribution and the top-k alternatives.
//!
//! The samples of one probe share its prompt, so they run as one batch
//! (same length, no padding). Each (probe, sample) draws from its own
//! random stream, `stream(seed, "probe/<probe_id>/<sample>")`, so a
//! sample's text does not depend on how many others are drawn with it.

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
    if cfg.temperature <= 0.0 {
        let one = run_batch(
            net,
            prompt,
            stop,
            cfg,
            probe_id,
            &samples[..1.min(samples.len())],
        )?;
        return Ok(samples.iter().map(|_| one[0].clone()).collect());
    }
    run_batch(net, prompt, stop, cfg, probe_id, samples)
}

fn run_batch(
    net: &Transformer,
    prompt: &[u32],
    stop: &[u32],
    cfg: &GenConfig,
    probe_id: &str,
    samples: &[u32],
) -> candle_core::Result<Vec<Generation>> {
    let n = samples.len();
    let mut out = vec![Generation::default(); n];
    if n == 0 || prompt.is_empty() {
        return Ok(out);
    }
    let mut rngs: Vec<_> = samples
        .iter()
        .map(|s| stream(cfg.seed, &format!("probe/{probe_id}/{s}")))
        .collect();
    let positions = net.positions();
    let budget = cfg
        .max_new_tokens
        .min(positions.saturating_sub(prompt.len()));
    let mut cache = net.new_cache();
    let ids: Vec<u32> = prompt
        .iter()
        .copied()
        .cycle()
        .take(n * prompt.len())
        .collect();
    let mut input = Tensor::from_vec(ids, (n, prompt.len()), net.device())?;
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

//! Sampling answers from a test model for sequence distillation, without a
//! KV cache (the models are tiny). Scoring answers is `lineage score`
//! (`crate::model::score`).
//!
//! Sampling draws from one seeded ChaCha stream per prompt, so the answer
//! to a prompt does not depend on batching. Prompts of equal token length
//! are batched together, which needs no padding.

use std::collections::BTreeMap;

use candle_core::{Device, IndexOp, Tensor, D};
use candle_nn::ops::log_softmax;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use tokenizers::Tokenizer;

use super::corpus::Example;
use super::tokenizer::{decode, encode, render_chat, EOS};
use crate::model::transformer::Transformer;

/// Sampling settings; temperature 0 is greedy decoding.
#[derive(Debug, Clone, Copy)]
pub struct Sampling {
    pub temperature: f64,
    pub max_new: usize,
    pub seed: u64,
}

/// Answer every prompt of `ex`; the result keeps the ids and prompts.
pub fn answer(
    m: &Transformer,
    tk: &Tokenizer,
    ex: &[Example],
    s: Sampling,
) -> anyhow::Result<Vec<Example>> {
    let prompts: Vec<Vec<u32>> = ex
        .iter()
        .map(|e| encode(tk, &render_chat(&e.prompt)))
        .collect::<anyhow::Result<_>>()?;
    let mut groups: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for (i, p) in prompts.iter().enumerate() {
        groups.entry(p.len()).or_default().push(i);
    }
    let mut out: Vec<Option<String>> = vec![None; ex.len()];
    for idx in groups.values() {
        for chunk in idx.chunks(64) {
            let gen = generate(m, &prompts, chunk, s)?;
            for (&i, ids) in chunk.iter().zip(gen) {
                out[i] = Some(decode(tk, &ids)?);
            }
        }
    }
    Ok(ex
        .iter()
        .zip(out)
        .map(|(e, r)| Example {
            probe_id: e.probe_id.clone(),
            prompt: e.prompt.clone(),
            response: r,
        })
        .collect())
}

fn generate(
    m: &Transformer,
    prompts: &[Vec<u32>],
    rows: &[usize],
    s: Sampling,
) -> anyhow::Result<Vec<Vec<u32>>> {
    let mut seqs: Vec<Vec<u32>> = rows.iter().map(|&i| prompts[i].clone()).collect();
    let mut rngs: Vec<ChaCha8Rng> = rows
        .iter()
        .map(|&i| ChaCha8Rng::seed_from_u64(s.seed ^ ((i as u64) << 20) ^ 0x5A_3B1E))
        .collect();
    let mut done = vec![false; rows.len()];
    let n0 = seqs[0].len();
    for _ in 0..s.max_new {
        if done.iter().all(|&d| d) || seqs[0].len() >= super::params::MAX_POSITIONS {
            break;
        }
        let t = seqs[0].len();
        let flat: Vec<u32> = seqs.iter().flatten().copied().collect();
        let ids = Tensor::from_vec(flat, (seqs.len(), t), &Device::Cpu)?;
        let lp = log_softmax(&m.forward(&ids)?.i((.., t - 1, ..))?, D::Minus1)?.to_vec2::<f32>()?;
        for (r, row) in lp.iter().enumerate() {
            let next = if done[r] {
                EOS
            } else {
                pick(row, s.temperature, &mut rngs[r])
            };
            done[r] |= next == EOS;
            seqs[r].push(next);
        }
    }
    Ok(seqs
        .into_iter()
        .map(|q| q[n0..].iter().copied().take_while(|&x| x != EOS).collect())
        .collect())
}

/// Draw a token from log-probabilities at `temperature` (0: argmax, first
/// on ties).
fn pick(lp: &[f32], temperature: f64, rng: &mut ChaCha8Rng) -> u32 {
    if temperature <= 0.0 {
        return argmax(lp);
    }
    let w: Vec<f64> = lp
        .iter()
        .map(|&x| (f64::from(x) / temperature).exp())
        .collect();
    let total: f64 = w.iter().sum();
    let mut u = rng.gen::<f64>() * total;
    for (i, x) in w.iter().enumerate() {
        u -= x;
        if u <= 0.0 {
            return i as u32;
        }
    }
    (w.len() - 1) as u32
}

fn argmax(x: &[f32]) -> u32 {
    let mut best = 0;
    for (i, v) in x.iter().enumerate() {
        if *v > x[best] {
            best = i;
        }
    }
    best as u32
}

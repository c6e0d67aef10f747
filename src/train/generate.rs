//! Sampling answers from a test model, and teacher-forced scoring of given
//! answers, both without a KV cache (the models are tiny).
//!
//! Sampling draws from one seeded ChaCha stream per prompt, so the answer
//! to a prompt does not depend on batching. Prompts of equal token length
//! are batched together, which needs no padding.
//!
//! [`score`] writes the record format of `lineage score` (probe_id, sample,
//! model, responder, n_tokens, n_bytes, logprob, logprob_per_byte,
//! top1_agree, positions with the top-K next-token distribution); it is a
//! stand-in used by `lineage-train` to check the test models before the
//! runner's `lineage score` is merged.

use std::collections::BTreeMap;

use candle_core::{Device, IndexOp, Tensor};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::Serialize;
use tokenizers::Tokenizer;

use super::corpus::Example;
use super::model::{log_softmax, Llama};
use super::tokenizer::{decode, encode, render_chat, EOS};

/// Sampling settings; temperature 0 is greedy decoding.
#[derive(Debug, Clone, Copy)]
pub struct Sampling {
    pub temperature: f64,
    pub max_new: usize,
    pub seed: u64,
}

/// Answer every prompt of `ex`; the result keeps the ids and prompts.
pub fn answer(
    m: &Llama,
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
    m: &Llama,
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
        if done.iter().all(|&d| d) || seqs[0].len() >= super::model::MAX_POSITIONS {
            break;
        }
        let t = seqs[0].len();
        let flat: Vec<u32> = seqs.iter().flatten().copied().collect();
        let ids = Tensor::from_vec(flat, (seqs.len(), t), &Device::Cpu)?;
        let lp = log_softmax(&m.forward(&ids)?.i((.., t - 1, ..))?)?.to_vec2::<f32>()?;
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

/// One scored position: the token and the scorer's top-K alternatives.
#[derive(Debug, Serialize)]
pub struct Position {
    pub token_id: u32,
    pub logprob: f64,
    pub top: Vec<(u32, f64)>,
}

/// One line of score JSONL.
#[derive(Debug, Serialize)]
pub struct ScoreLine {
    pub probe_id: String,
    pub sample: u32,
    pub model: String,
    pub responder: String,
    pub n_tokens: usize,
    pub n_bytes: usize,
    pub logprob: f64,
    pub logprob_per_byte: f64,
    pub top1_agree: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub positions: Option<Vec<Position>>,
}

/// Teacher-forced log-likelihood of each response's tokens under `m`
/// (the end-of-turn token is not scored, as in `lineage score`).
pub fn score(
    m: &Llama,
    tk: &Tokenizer,
    ex: &[Example],
    scorer: &str,
    responder: &str,
    top_k: usize,
) -> anyhow::Result<Vec<ScoreLine>> {
    let mut out = Vec::new();
    for e in ex {
        let Some(r) = &e.response else { continue };
        let p = encode(tk, &render_chat(&e.prompt))?;
        let mut ids = p.clone();
        ids.extend(encode(tk, r)?);
        ids.truncate(super::model::MAX_POSITIONS);
        if ids.len() <= p.len() {
            continue;
        }
        let t = ids.len() - 1;
        let x = Tensor::from_vec(ids[..t].to_vec(), (1, t), &Device::Cpu)?;
        let lp = log_softmax(&m.forward(&x)?.i(0)?)?.to_vec2::<f32>()?;
        let (mut total, mut agree) = (0.0f64, 0usize);
        let mut pos = Vec::new();
        for c in p.len() - 1..t {
            let y = ids[c + 1];
            let row = &lp[c];
            total += f64::from(row[y as usize]);
            agree += usize::from(argmax(row) == y);
            if top_k > 0 {
                let mut order: Vec<u32> = (0..row.len() as u32).collect();
                order.sort_by(|&a, &b| row[b as usize].total_cmp(&row[a as usize]).then(a.cmp(&b)));
                pos.push(Position {
                    token_id: y,
                    logprob: f64::from(row[y as usize]),
                    top: order[..top_k.min(order.len())]
                        .iter()
                        .map(|&k| (k, f64::from(row[k as usize])))
                        .collect(),
                });
            }
        }
        let n_tokens = t + 1 - p.len();
        let n_bytes = r.len().max(1);
        out.push(ScoreLine {
            probe_id: e.probe_id.clone(),
            sample: 0,
            model: scorer.to_string(),
            responder: responder.to_string(),
            n_tokens,
            n_bytes,
            logprob: total,
            logprob_per_byte: total / n_bytes as f64,
            top1_agree: agree as f64 / n_tokens as f64,
            positions: (top_k > 0).then_some(pos),
        })
    }
    Ok(out)
}

//! Training loops: next-token cross-entropy on text (pre-training,
//! fine-tuning, sequence-level distillation, Kim & Rush 2016, "Sequence-level
//! knowledge distillation", EMNLP) and cross-entropy against a teacher's
//! soft next-token distributions, which has the gradient of KL(p_T ‖ p_S)
//! (Hinton et al. 2015, "Distilling the knowledge in a neural network",
//! arXiv:1503.02531).
//!
//! Everything is deterministic: examples are shuffled by a seeded ChaCha
//! stream per epoch, parameters are initialised from a seeded stream
//! ([`super::params::init`]), and candle's CPU kernels do not reorder their
//! reductions with the thread count (the make-test-models script checks
//! this by hashing).

use candle_core::{Device, Tensor, D};
use candle_nn::{AdamW, Optimizer, ParamsAdamW, VarMap};
use rand::seq::SliceRandom;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use tokenizers::Tokenizer;

use super::corpus::Example;
use candle_nn::ops::{log_softmax, softmax};

use super::params::Config;
use super::tokenizer::{encode, render_chat, EOS, PAD};
use crate::model::load::from_varmap;
use crate::model::transformer::Transformer;

/// Longest training sequence in tokens (longer ones are cut).
pub const MAX_LEN: usize = 128;

/// One tokenised example: ids and the number of prompt tokens (not scored).
#[derive(Debug, Clone)]
pub struct Seq {
    pub ids: Vec<u32>,
    pub n_prompt: usize,
}

/// Tokenise prompt + response + end-of-turn; examples without a response
/// are skipped.
pub fn tokenise(tk: &Tokenizer, ex: &[Example]) -> anyhow::Result<Vec<Seq>> {
    let mut out = Vec::new();
    for e in ex {
        let Some(r) = &e.response else { continue };
        let p = encode(tk, &render_chat(&e.prompt))?;
        let mut ids = p.clone();
        ids.extend(encode(tk, r)?);
        ids.push(EOS);
        ids.truncate(MAX_LEN);
        out.push(Seq {
            ids,
            n_prompt: p.len(),
        });
    }
    Ok(out)
}

/// Optimiser settings and schedule.
#[derive(Debug, Clone, Copy)]
pub struct Schedule {
    pub steps: usize,
    pub batch: usize,
    pub lr: f64,
    pub warmup: usize,
    pub seed: u64,
}

/// Scored positions: `(row, col, target token)`.
type Scored = Vec<(usize, usize, u32)>;

/// Inputs `[b, t]`, and the positions that are scored.
fn batch(seqs: &[&Seq]) -> candle_core::Result<(Tensor, Scored)> {
    let t = seqs.iter().map(|s| s.ids.len() - 1).max().unwrap_or(1);
    let mut ids = Vec::with_capacity(seqs.len() * t);
    let mut scored = Vec::new();
    for (r, s) in seqs.iter().enumerate() {
        let n = s.ids.len() - 1;
        ids.extend_from_slice(&s.ids[..n]);
        ids.extend(std::iter::repeat(PAD).take(t - n));
        for c in s.n_prompt.saturating_sub(1)..n {
            scored.push((r, c, s.ids[c + 1]));
        }
    }
    Ok((
        Tensor::from_vec(ids, (seqs.len(), t), &Device::Cpu)?,
        scored,
    ))
}

/// What the student is fitted to.
pub enum Target<'a> {
    /// The next token of the text.
    Text,
    /// The teacher's next-token distribution on the same text.
    Soft(&'a Transformer),
}

/// Train `vm` in place; returns the loss of every step.
pub fn train(
    cfg: &Config,
    vm: &VarMap,
    data: &[Seq],
    target: Target<'_>,
    sch: Schedule,
    mut log: impl FnMut(usize, f32),
) -> anyhow::Result<Vec<f32>> {
    anyhow::ensure!(!data.is_empty(), "no training examples");
    let mut opt = AdamW::new(
        vm.all_vars(),
        ParamsAdamW {
            lr: sch.lr,
            weight_decay: 0.01,
            ..Default::default()
        },
    )?;
    let arch = cfg.arch()?;
    let mut order: Vec<usize> = Vec::new();
    let mut epoch = 0u64;
    let mut losses = Vec::with_capacity(sch.steps);
    for step in 0..sch.steps {
        if order.len() < sch.batch {
            let mut idx: Vec<usize> = (0..data.len()).collect();
            idx.shuffle(&mut ChaCha8Rng::seed_from_u64(
                sch.seed ^ (epoch << 32) ^ 0xDA7A,
            ));
            epoch += 1;
            order.extend(idx);
        }
        let take: Vec<&Seq> = order
            .drain(..sch.batch.min(order.len()))
            .map(|i| &data[i])
            .collect();
        opt.set_learning_rate(lr_at(sch, step));
        let (ids, scored) = batch(&take)?;
        let model = from_varmap(&arch, vm)?;
        let logits = model.forward(&ids)?;
        let q = targets(&target, &ids, &scored, cfg.vocab_size)?;
        let loss =
            (q.mul(&log_softmax(&logits, D::Minus1)?)?.sum_all()? * (-1.0 / scored.len() as f64))?;
        opt.backward_step(&loss)?;
        let l = loss.to_scalar::<f32>()?;
        losses.push(l);
        log(step, l);
    }
    Ok(losses)
}

/// Linear warm-up, then cosine decay to a tenth of the peak rate.
fn lr_at(s: Schedule, step: usize) -> f64 {
    if step < s.warmup {
        return s.lr * (step + 1) as f64 / s.warmup as f64;
    }
    let p = (step - s.warmup) as f64 / (s.steps - s.warmup).max(1) as f64;
    s.lr * (0.1 + 0.9 * 0.5 * (1.0 + (std::f64::consts::PI * p).cos()))
}

/// Target distributions `[b, t, vocab]`, zero at unscored positions.
fn targets(
    target: &Target<'_>,
    ids: &Tensor,
    scored: &[(usize, usize, u32)],
    vocab: usize,
) -> candle_core::Result<Tensor> {
    let (b, t) = ids.dims2()?;
    let mut mask = vec![0f32; b * t * vocab];
    match target {
        Target::Text => {
            for &(r, c, y) in scored {
                mask[(r * t + c) * vocab + y as usize] = 1.0;
            }
            Tensor::from_vec(mask, (b, t, vocab), &Device::Cpu)
        }
        Target::Soft(teacher) => {
            let p = softmax(&teacher.forward(ids)?, D::Minus1)?.detach();
            let mut m = vec![0f32; b * t];
            for &(r, c, _) in scored {
                m[r * t + c] = 1.0;
            }
            drop(mask);
            p.broadcast_mul(&Tensor::from_vec(m, (b, t, 1), &Device::Cpu)?)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schedule_warms_up_and_decays() {
        let s = Schedule {
            steps: 100,
            batch: 4,
            lr: 1.0,
            warmup: 10,
            seed: 0,
        };
        assert!(lr_at(s, 0) < lr_at(s, 9));
        assert!((lr_at(s, 10) - 1.0).abs() < 1e-9);
        assert!(lr_at(s, 99) < 0.11);
    }
}

//! Teacher-forced scoring: the log-likelihood a model assigns to a given
//! response after its prompt (through the chat template), per token and
//! per UTF-8 byte, the share of response tokens that are the model's own
//! top-1 choice, and optionally the model's top-k next-token distribution
//! at every response position.
//!
//! Log-likelihood per byte compares models with different tokenizers (the
//! bits-per-byte normalisation of Gao et al. 2020, "The Pile"); the
//! per-position distributions allow a Jensen-Shannon divergence between two
//! models that share a tokenizer (Lin 1991). Records are scored in batches
//! of consecutive records, right-padded (see [`super::transformer`]); the
//! batch composition depends only on the input, so the output does too.

use candle_core::Tensor;
use serde::Serialize;

use super::dist::{argmax, log_softmax, top_k};
use super::transformer::Transformer;

/// A prompt and response, tokenized.
#[derive(Debug, Clone)]
pub struct Item {
    pub prompt: Vec<u32>,
    pub response: Vec<u32>,
    pub n_bytes: usize,
}

/// One response position: the response token and the model's view of it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Position {
    pub token_id: u32,
    pub logprob: f64,
    /// The model's `k` most likely next tokens, `[token_id, logprob]`.
    pub top: Vec<(u32, f64)>,
}

/// What the model thinks of one response.
#[derive(Debug, Clone, PartialEq)]
pub struct Score {
    pub n_tokens: usize,
    pub n_bytes: usize,
    pub logprob: f64,
    pub top1: usize,
    /// Present when top-k positions were requested.
    pub positions: Option<Vec<Position>>,
}

impl Score {
    pub fn logprob_per_byte(&self) -> Option<f64> {
        (self.n_bytes > 0).then(|| self.logprob / self.n_bytes as f64)
    }

    pub fn top1_agree(&self) -> Option<f64> {
        (self.n_tokens > 0).then(|| self.top1 as f64 / self.n_tokens as f64)
    }
}

/// Score `items`, `batch_tokens` padded tokens per forward pass at most
/// (a single longer item runs alone). `top` = 0 records no positions;
/// `on_batch` is told how many items each batch finished.
pub fn score(
    net: &Transformer,
    items: &[Item],
    batch_tokens: usize,
    top: Option<usize>,
    mut on_batch: impl FnMut(usize),
) -> candle_core::Result<Vec<Score>> {
    let mut out = Vec::with_capacity(items.len());
    let mut start = 0;
    while start < items.len() {
        let mut end = start + 1;
        let mut longest = seq_len(&items[start]);
        while end < items.len() {
            let l = longest.max(seq_len(&items[end]));
            if l * (end + 1 - start) > batch_tokens {
                break;
            }
            longest = l;
            end += 1;
        }
        out.extend(score_batch(net, &items[start..end], longest, top)?);
        on_batch(end - start);
        start = end;
    }
    Ok(out)
}

fn seq_len(it: &Item) -> usize {
    it.prompt.len() + it.response.len()
}

fn score_batch(
    net: &Transformer,
    items: &[Item],
    len: usize,
    top: Option<usize>,
) -> candle_core::Result<Vec<Score>> {
    let mut ids = Vec::with_capacity(items.len() * len);
    for it in items {
        ids.extend(&it.prompt);
        ids.extend(&it.response);
        ids.resize(ids.len() + len - seq_len(it), 0);
    }
    let input = Tensor::from_vec(ids, (items.len(), len), net.device())?;
    let hidden = net.hidden(&input, &mut net.new_cache())?;
    let mut out = Vec::with_capacity(items.len());
    for (r, it) in items.iter().enumerate() {
        let n = it.response.len();
        let mut s = Score {
            n_tokens: n,
            n_bytes: it.n_bytes,
            logprob: 0.0,
            top1: 0,
            positions: top.map(|_| Vec::with_capacity(n)),
        };
        if n > 0 && !it.prompt.is_empty() {
            // The logits at position t predict token t + 1.
            let h = hidden.get(r)?.narrow(0, it.prompt.len() - 1, n)?;
            let rows = net.logits(&h)?.to_vec2::<f32>()?;
            for (logits, &tok) in rows.iter().zip(&it.response) {
                if tok as usize >= logits.len() {
                    candle_core::bail!("token id {tok} is outside the vocabulary");
                }
                let lp = log_softmax(logits);
                s.logprob += lp[tok as usize];
                s.top1 += usize::from(argmax(&lp) == tok);
                if let (Some(p), Some(k)) = (s.positions.as_mut(), top) {
                    p.push(Position {
                        token_id: tok,
                        logprob: lp[tok as usize],
                        top: top_k(&lp, k),
                    });
                }
            }
        }
        out.push(s);
    }
    Ok(out)
}

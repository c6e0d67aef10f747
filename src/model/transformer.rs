//! A Llama-family decoder (Llama, SmolLM2, Mistral, Qwen2) on candle ops.
//!
//! candle-transformers' models return the logits of the last position only
//! and keep their cache inside the model; scoring needs the logits of every
//! position of a teacher-forced sequence, for a batch of sequences at once,
//! so the forward pass is written here (it is checked against
//! `candle_transformers::models::llama` in the tests). Weights are dense
//! (safetensors) or quantized (GGUF, through candle's `QMatMul`); the
//! network is read-only and each generation owns a [`Cache`].
//!
//! Batches are padded. Scoring pads on the right: with causal attention
//! and every row starting at position 0, a real token never sees the
//! padding after it. Generation pads prompts on the left, so every row's
//! next token is in the last column, and masks the padding out of
//! attention; a row's real tokens then sit at shifted positions, which
//! rotary embeddings ignore (attention scores depend only on the distance
//! between positions, Su et al. 2021, "RoFormer"). A padding query attends
//! to itself only, which keeps its (unused) states finite.
//!
//! The same network also trains the test models (`crate::train`): built
//! from a `VarMap` and switched to [`Transformer::differentiable`], it uses
//! candle's composite softmax, RMSNorm and rotary ops, which have gradients,
//! instead of the fused kernels, which do not.

use candle_core::quantized::QMatMul;
use candle_core::{DType, Device, Module, Result, Tensor};
use candle_nn::{Embedding, Linear, RmsNorm};

use super::config::{Arch, Rope};

/// A linear layer with dense or quantized weights and an optional bias.
#[derive(Debug, Clone)]
pub enum Lin {
    Dense(Linear),
    Quant(QMatMul, Option<Tensor>),
}

impl Lin {
    fn forward(&self, x: &Tensor) -> Result<Tensor> {
        match self {
            Lin::Dense(l) => l.forward(x),
            Lin::Quant(q, b) => {
                let y = q.forward(x)?;
                match b {
                    Some(b) => y.broadcast_add(b),
                    None => Ok(y),
                }
            }
        }
    }
}

/// Weights of one decoder layer.
#[derive(Debug, Clone)]
pub struct Layer {
    pub q: Lin,
    pub k: Lin,
    pub v: Lin,
    pub o: Lin,
    pub gate: Lin,
    pub up: Lin,
    pub down: Lin,
    pub attn_norm: RmsNorm,
    pub mlp_norm: RmsNorm,
}

/// The whole network.
#[derive(Debug, Clone)]
pub struct Transformer {
    pub arch: Arch,
    embed: Embedding,
    layers: Vec<Layer>,
    norm: RmsNorm,
    head: Lin,
    cos: Tensor,
    sin: Tensor,
    device: Device,
    /// Composite (differentiable) ops instead of fused kernels.
    autograd: bool,
}

/// Key/value cache of one batch of sequences.
#[derive(Debug, Clone, Default)]
pub struct Cache {
    kv: Vec<Option<(Tensor, Tensor)>>,
    /// Positions already in the cache.
    pub pos: usize,
    /// Left padding of each row (empty: none).
    pub pad: Vec<usize>,
}

impl Transformer {
    pub fn new(
        arch: Arch,
        embed: Tensor,
        layers: Vec<Layer>,
        norm: RmsNorm,
        head: Lin,
        device: &Device,
    ) -> Result<Self> {
        let (cos, sin) = rope_tables(&arch, device)?;
        Ok(Transformer {
            embed: Embedding::new(embed, arch.hidden),
            arch,
            layers,
            norm,
            head,
            cos,
            sin,
            device: device.clone(),
            autograd: false,
        })
    }

    /// The same network computed with ops that have gradients, for training.
    pub fn differentiable(mut self) -> Self {
        self.autograd = true;
        self
    }

    /// Logits `[batch, len, vocab]` at every position of `ids` (u32,
    /// `[batch, len]`), from an empty cache.
    pub fn forward(&self, ids: &Tensor) -> Result<Tensor> {
        self.logits(&self.hidden(ids, &mut self.new_cache())?)
    }

    fn rms(&self, n: &RmsNorm, x: &Tensor) -> Result<Tensor> {
        if self.autograd {
            n.forward_diff(x)
        } else {
            n.forward(x)
        }
    }

    pub fn device(&self) -> &Device {
        &self.device
    }

    /// Longest sequence the rotary tables cover.
    pub fn positions(&self) -> usize {
        self.cos.dims()[0]
    }

    pub fn new_cache(&self) -> Cache {
        self.padded_cache(Vec::new())
    }

    /// A cache for rows left-padded by `pad` tokens each.
    pub fn padded_cache(&self, pad: Vec<usize>) -> Cache {
        Cache {
            kv: vec![None; self.layers.len()],
            pos: 0,
            pad,
        }
    }

    /// Final hidden states `[batch, len, hidden]` for `ids` (`[batch, len]`,
    /// u32), continuing the sequences in `cache`.
    pub fn hidden(&self, ids: &Tensor, cache: &mut Cache) -> Result<Tensor> {
        let (_, len) = ids.dims2()?;
        let pos = cache.pos;
        if pos + len > self.cos.dim(0)? {
            candle_core::bail!(
                "sequence of {} tokens exceeds the model's {} positions",
                pos + len,
                self.cos.dim(0)?
            );
        }
        if cache.kv.len() != self.layers.len() {
            *cache = self.padded_cache(std::mem::take(&mut cache.pad));
        }
        let mask = attention_mask(len, pos, &cache.pad, &self.device)?;
        let mut x = self.embed.forward(ids)?;
        for (i, layer) in self.layers.iter().enumerate() {
            x = self.layer(layer, &x, mask.as_ref(), pos, &mut cache.kv[i])?;
        }
        cache.pos = pos + len;
        self.rms(&self.norm, &x)
    }

    /// Logits (f32) for hidden states of any leading shape.
    pub fn logits(&self, hidden: &Tensor) -> Result<Tensor> {
        self.head.forward(hidden)?.to_dtype(DType::F32)
    }

    fn layer(
        &self,
        w: &Layer,
        x: &Tensor,
        mask: Option<&Tensor>,
        pos: usize,
        kv: &mut Option<(Tensor, Tensor)>,
    ) -> Result<Tensor> {
        let h = self.rms(&w.attn_norm, x)?;
        let a = self.attention(w, &h, mask, pos, kv)?;
        let x = (x + a)?;
        let h = self.rms(&w.mlp_norm, &x)?;
        let m = w
            .down
            .forward(&(candle_nn::ops::silu(&w.gate.forward(&h)?)? * w.up.forward(&h)?)?)?;
        x + m
    }

    fn attention(
        &self,
        w: &Layer,
        x: &Tensor,
        mask: Option<&Tensor>,
        pos: usize,
        kv: &mut Option<(Tensor, Tensor)>,
    ) -> Result<Tensor> {
        let a = &self.arch;
        let (b, len, _) = x.dims3()?;
        let split = |t: Tensor, n: usize| {
            t.reshape((b, len, n, a.head_dim))?
                .transpose(1, 2)?
                .contiguous()
        };
        let q = self.rotate(&split(w.q.forward(x)?, a.heads)?, pos, len)?;
        let k = self.rotate(&split(w.k.forward(x)?, a.kv_heads)?, pos, len)?;
        let v = split(w.v.forward(x)?, a.kv_heads)?;
        let (k, v) = match kv.take() {
            Some((pk, pv)) => (Tensor::cat(&[&pk, &k], 2)?, Tensor::cat(&[&pv, &v], 2)?),
            None => (k, v),
        };
        *kv = Some((k.clone(), v.clone()));
        let rep = a.heads / a.kv_heads;
        let k = candle_transformers::utils::repeat_kv(k, rep)?.contiguous()?;
        let v = candle_transformers::utils::repeat_kv(v, rep)?.contiguous()?;
        let att = (q.matmul(&k.t()?)? / (a.head_dim as f64).sqrt())?;
        let att = match mask {
            Some(m) => att.broadcast_add(m)?,
            None => att,
        };
        let p = if self.autograd {
            candle_nn::ops::softmax(&att, candle_core::D::Minus1)?
        } else {
            candle_nn::ops::softmax_last_dim(&att)?
        };
        let y = p.matmul(&v)?;
        let y = y.transpose(1, 2)?.reshape((b, len, a.heads * a.head_dim))?;
        w.o.forward(&y)
    }

    fn rotate(&self, x: &Tensor, pos: usize, len: usize) -> Result<Tensor> {
        let cos = self.cos.narrow(0, pos, len)?;
        let sin = self.sin.narrow(0, pos, len)?;
        use candle_nn::rotary_emb as re;
        match (self.arch.rope, self.autograd) {
            (Rope::Halves, false) => re::rope(x, &cos, &sin),
            (Rope::Interleaved, false) => re::rope_i(x, &cos, &sin),
            (Rope::Halves, true) => re::rope_slow(x, &cos, &sin),
            (Rope::Interleaved, true) => re::rope_i_slow(x, &cos, &sin),
        }
    }
}

/// Additive attention mask (0 or -inf): causal, `[len, pos + len]`, or
/// with left padding `[rows, 1, len, pos + len]`; none for one token
/// without padding.
fn attention_mask(
    len: usize,
    pos: usize,
    pad: &[usize],
    device: &Device,
) -> Result<Option<Tensor>> {
    let padded = pad.iter().any(|&p| p > 0);
    if len <= 1 && !padded {
        return Ok(None);
    }
    let total = pos + len;
    let rows: Vec<usize> = if padded { pad.to_vec() } else { vec![0] };
    let mut data = Vec::with_capacity(rows.len() * len * total);
    for &p in &rows {
        for i in 0..len {
            let q = pos + i;
            data.extend((0..total).map(|j| {
                let visible = j <= q && (j >= p || j == q);
                if visible {
                    0.0
                } else {
                    f32::NEG_INFINITY
                }
            }));
        }
    }
    let t = Tensor::from_vec(data, (rows.len(), len, total), device)?;
    Ok(Some(if padded {
        t.unsqueeze(1)?
    } else {
        t.squeeze(0)?
    }))
}

/// Inverse frequencies, with Llama 3 scaling when configured.
fn inv_freq(a: &Arch) -> Vec<f32> {
    let base: Vec<f32> = (0..a.head_dim)
        .step_by(2)
        .map(|i| 1.0 / a.rope_theta.powf(i as f32 / a.head_dim as f32))
        .collect();
    let Some(s) = a.llama3_scaling else {
        return base;
    };
    // Llama 3 (Meta's reference code): long wavelengths are slowed by
    // `factor`, short ones kept, the band between interpolated.
    let low = s.original_max_position_embeddings / s.low_freq_factor;
    let high = s.original_max_position_embeddings / s.high_freq_factor;
    base.into_iter()
        .map(|f| {
            let wavelen = 2.0 * std::f32::consts::PI / f;
            if wavelen < high {
                f
            } else if wavelen > low {
                f / s.factor
            } else {
                let smooth = (s.original_max_position_embeddings / wavelen - s.low_freq_factor)
                    / (s.high_freq_factor - s.low_freq_factor);
                (1.0 - smooth) * f / s.factor + smooth * f
            }
        })
        .collect()
}

fn rope_tables(a: &Arch, device: &Device) -> Result<(Tensor, Tensor)> {
    let freq = inv_freq(a);
    let n = a.positions();
    let freq = Tensor::from_vec(freq.clone(), (1, freq.len()), device)?;
    let t = Tensor::arange(0u32, n as u32, device)?
        .to_dtype(DType::F32)?
        .reshape((n, 1))?;
    let angles = t.matmul(&freq)?;
    Ok((angles.cos()?, angles.sin()?))
}

/// Hidden state of the final position of every row, `[batch, hidden]`.
pub fn last_position(hidden: &Tensor) -> Result<Tensor> {
    let len = hidden.dim(1)?;
    hidden.narrow(1, len - 1, 1)?.squeeze(1)?.contiguous()
}

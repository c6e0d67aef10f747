//! Function-preserving re-parametrisations of a Llama-family checkpoint,
//! applied by `lineage transform` (`--fold-norms`, `--rotate-seed`,
//! `--scale-seed`), to build the hardest copies `lineage weights` must see
//! through.
//!
//! - **Norm folding**: an RMSNorm weight g multiplies the normalised stream
//!   before the linear layers that read it, so it can be moved into them:
//!   W' = W diag(g) for q/k/v (attention norm), gate/up (MLP norm) and the
//!   output head (final norm), and g' = 1. A tied head gets its own
//!   `output.weight` (the embedding itself is not scaled).
//! - **Rotation of the residual stream** (as in QuaRot/SliceGPT): with unit
//!   norm weights, RMSNorm(Qx) = Q·RMSNorm(x) for orthogonal Q, so the
//!   stream x can become Qx: embedding rows and every layer reading the
//!   stream become W Qᵀ, every layer writing to it Q W. Rotation implies
//!   folding.
//! - **Per-channel scaling**: SwiGLU is linear in `up`, attention is linear
//!   in `v`, and RoPE rotates (i, i + d/2) pairs, so up row i × s with down
//!   column i ÷ s, v row j × t with o column j ÷ t (for every q head of the
//!   group), and q pair × u with k pair ÷ u leave the function unchanged.
//!
//! Seeds give one random stream per task (`stats::rng::stream`). Rows are
//! transformed chunk by chunk, so embeddings and heads stream; writer
//! matrices (o, down: d × k) are transformed whole, one at a time.

use std::collections::BTreeMap;

use anyhow::{bail, Context};
use rand::Rng;

use super::checkpoint::{Checkpoint, ModelConfig};
use super::dense::{matmul, random_rotation, to_f32, transpose};
use super::names::layer_role;
use crate::stats::rng::stream;

/// Which re-parametrisations to apply.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ReparamConfig {
    pub fold_norms: bool,
    pub rotate_seed: Option<u64>,
    pub scale_seed: Option<u64>,
}

impl ReparamConfig {
    pub fn any(&self) -> bool {
        self.fold_norms || self.rotate_seed.is_some() || self.scale_seed.is_some()
    }
    /// Rotation needs unit norm weights.
    pub fn folds(&self) -> bool {
        self.fold_norms || self.rotate_seed.is_some()
    }
}

/// Per-layer channel scales (see the module doc).
struct Scales {
    /// MLP unit i: up row × s, down column ÷ s.
    mlp: Vec<f32>,
    /// v row (kv head · head_dim + j): × t; o columns of its q heads ÷ t.
    v: Vec<f32>,
    /// k row (kv head · head_dim + j): ÷ u; q rows of its q heads × u.
    qk: Vec<f32>,
}

/// A prepared re-parametrisation.
pub struct Reparam {
    fold: bool,
    d: usize,
    /// Qᵀ (row-major d×d) to right-multiply rows: W Qᵀ.
    qt: Option<Vec<f32>>,
    /// Q for writers: Q W.
    q: Option<Vec<f32>>,
    /// The rotation as generated (row-major Q, f64), for `rotation.f32le`.
    pub rotation: Option<Vec<f64>>,
    norms: BTreeMap<String, Vec<f32>>,
    scales: Vec<Scales>,
    head_dim: usize,
    group: usize,
    /// Write `output.weight` from the embedding (tied head, folded norm).
    pub synth_output: bool,
}

fn scale_vec(seed: u64, task: &str, n: usize) -> Vec<f32> {
    // Log-uniform in [1/2, 2].
    let mut rng = stream(seed, task);
    (0..n)
        .map(|_| (rng.gen_range(-1.0f64..1.0) * std::f64::consts::LN_2).exp() as f32)
        .collect()
}

impl Reparam {
    pub fn new(ck: &Checkpoint, cfg: &ReparamConfig) -> anyhow::Result<Reparam> {
        let c: &ModelConfig = &ck.config;
        let emb = ck
            .tensor("token_embd.weight")
            .context("no token embedding: cannot re-parametrise the residual stream")?;
        let d = emb.cols();
        if c.architecture.starts_with("gemma") && cfg.folds() {
            bail!("norm folding assumes Llama-style RMSNorm (weight g, not 1 + g); {} is not supported", c.architecture);
        }
        for t in &ck.tensors {
            let known = matches!(
                layer_role(&t.canonical).map(|x| x.1),
                Some(
                    "attn_q"
                        | "attn_k"
                        | "attn_v"
                        | "attn_output"
                        | "ffn_gate"
                        | "ffn_up"
                        | "ffn_down"
                        | "attn_norm"
                        | "ffn_norm"
                )
            ) || ["token_embd.weight", "output.weight", "output_norm.weight"]
                .contains(&t.canonical.as_str())
                || (t.canonical.ends_with(".bias") && cfg.rotate_seed.is_none());
            if cfg.any() && !known {
                bail!(
                    "{}: cannot re-parametrise tensor {} (not a Llama-family role)",
                    ck.path.display(),
                    t.name
                );
            }
        }
        let mut norms = BTreeMap::new();
        if cfg.folds() {
            for t in ck
                .tensors
                .iter()
                .filter(|t| t.canonical.ends_with("norm.weight"))
            {
                norms.insert(t.canonical.clone(), ck.read_all(t)?);
            }
        }
        let rotation = cfg.rotate_seed.map(|s| random_rotation(d, s));
        let q = rotation.as_deref().map(to_f32);
        let qt = q.as_deref().map(|q| transpose(q, d, d));
        let (hd, group) = match (c.head_dim, c.num_attention_heads, c.num_key_value_heads) {
            (Some(hd), Some(h), Some(kv)) if kv > 0 && h % kv == 0 && hd % 2 == 0 => (hd, h / kv),
            _ if cfg.scale_seed.is_some() => bail!(
                "{}: --scale-seed needs the head size and head counts (config.json / metadata)",
                ck.path.display()
            ),
            _ => (0, 1),
        };
        let mut scales = Vec::new();
        if let Some(seed) = cfg.scale_seed {
            for l in 0..ck.n_layers() {
                let rows = |r: &str| {
                    ck.tensor(&format!("blk.{l}.{r}.weight"))
                        .map_or(0, |t| t.rows())
                };
                let kvr = rows("attn_k");
                let half = scale_vec(seed, &format!("qk.{l}"), kvr / 2);
                // One scale per RoPE pair (j, j + hd/2) of each kv head.
                let qk = (0..kvr)
                    .map(|r| half[(r / hd) * (hd / 2) + (r % hd) % (hd / 2)])
                    .collect();
                scales.push(Scales {
                    mlp: scale_vec(seed, &format!("mlp.{l}"), rows("ffn_up")),
                    v: scale_vec(seed, &format!("v.{l}"), rows("attn_v")),
                    qk,
                });
            }
        }
        let synth_output = cfg.folds() && ck.tensor("output.weight").is_none();
        Ok(Reparam {
            fold: cfg.folds(),
            d,
            qt,
            q,
            rotation,
            norms,
            scales,
            head_dim: hd,
            group,
            synth_output,
        })
    }

    /// The norm folded into a reader, by canonical reader name.
    fn norm_for(&self, canon: &str) -> Option<&Vec<f32>> {
        if !self.fold {
            return None;
        }
        let key = match layer_role(canon) {
            Some((l, "attn_q" | "attn_k" | "attn_v")) => format!("blk.{l}.attn_norm.weight"),
            Some((l, "ffn_gate" | "ffn_up")) => format!("blk.{l}.ffn_norm.weight"),
            _ if canon == "output.weight" => "output_norm.weight".into(),
            _ => return None,
        };
        self.norms.get(&key)
    }

    /// Row scale of row `r` of a layer tensor (weights or bias).
    fn row_scale(&self, l: usize, role: &str, r: usize) -> f32 {
        let Some(s) = self.scales.get(l) else {
            return 1.0;
        };
        let hd = self.head_dim;
        match role {
            "ffn_up" => s.mlp[r],
            "attn_v" => s.v[r],
            "attn_k" => 1.0 / s.qk[r],
            // q head h uses kv head h / group.
            "attn_q" => s.qk[(r / hd / self.group) * hd + r % hd],
            _ => 1.0,
        }
    }

    /// Column scale of column `j` of a writer.
    fn col_scale(&self, l: usize, role: &str, j: usize) -> f32 {
        let Some(s) = self.scales.get(l) else {
            return 1.0;
        };
        let hd = self.head_dim;
        match role {
            "ffn_down" => 1.0 / s.mlp[j],
            "attn_output" => 1.0 / s.v[(j / hd / self.group) * hd + j % hd],
            _ => 1.0,
        }
    }

    /// Transform rows `r0..` of `canon` (`v` holds whole rows of `cols`).
    /// `canon` is the tensor written (`output.weight` when synthesised).
    pub fn apply(
        &self,
        canon: &str,
        cols: usize,
        r0: usize,
        v: &mut Vec<f32>,
    ) -> anyhow::Result<()> {
        if canon.ends_with("norm.weight") {
            if self.fold {
                v.iter_mut().for_each(|x| *x = 1.0);
            }
            return Ok(());
        }
        let role = layer_role(canon).or_else(|| bias_role(canon));
        if canon.ends_with(".bias") {
            if let Some((l, r)) = role {
                for (k, x) in v.iter_mut().enumerate() {
                    *x *= self.row_scale(l, r, r0 + k);
                }
            }
            return Ok(());
        }
        let reader = canon == "token_embd.weight"
            || canon == "output.weight"
            || matches!(
                role,
                Some((_, "attn_q" | "attn_k" | "attn_v" | "ffn_gate" | "ffn_up"))
            );
        if reader {
            if let Some(g) = self.norm_for(canon) {
                for row in v.chunks_exact_mut(cols) {
                    row.iter_mut().zip(g).for_each(|(x, g)| *x *= g);
                }
            }
            if let (Some(qt), true) = (&self.qt, cols == self.d) {
                *v = matmul(v, v.len() / cols, cols, qt, cols)?;
            }
            if let Some((l, r)) = role {
                for (k, row) in v.chunks_exact_mut(cols).enumerate() {
                    let s = self.row_scale(l, r, r0 + k);
                    row.iter_mut().for_each(|x| *x *= s);
                }
            }
            return Ok(());
        }
        if let Some((l, r @ ("attn_output" | "ffn_down"))) = role {
            let rows = v.len() / cols;
            if let Some(q) = &self.q {
                if rows != self.d || r0 != 0 {
                    bail!("{canon}: expected a whole {}-row writer matrix", self.d);
                }
                *v = matmul(q, rows, rows, v, cols)?;
            }
            for row in v.chunks_exact_mut(cols) {
                for (j, x) in row.iter_mut().enumerate() {
                    *x *= self.col_scale(l, r, j);
                }
            }
        }
        Ok(())
    }
}

fn bias_role(canon: &str) -> Option<(usize, &str)> {
    let rest = canon.strip_prefix("blk.")?;
    let (n, sub) = rest.split_once('.')?;
    Some((n.parse().ok()?, sub.strip_suffix(".bias")?))
}

/// `rotation.f32le`: the d×d rotation Q (x' = Q x), row-major
/// little-endian f32, d = √(bytes / 4).
pub fn rotation_bytes(q: &[f64]) -> Vec<u8> {
    q.iter().flat_map(|x| (*x as f32).to_le_bytes()).collect()
}

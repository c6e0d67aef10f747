//! Weight fingerprint of one checkpoint: per-tensor shape, dtype, moments
//! (with NaN/Inf counts) and top-k singular values; per-layer std profiles
//! of attention and MLP weights across depth. Saved as small JSON
//! (`lineage fingerprint`), it lets statistic-only comparisons run without
//! re-reading a large checkpoint.
//!
//! The std profile is the "intrinsic fingerprint" proposed in the
//! Pangu-Pro-MoE vs Qwen2.5 debate (HonestAGI, 2025): the standard
//! deviation of each layer's attention (q, k, v, o) and MLP (gate, up,
//! down) weights, compared across models by Pearson correlation. It is
//! reported, never used for a verdict: a correlation over a few dozen
//! layers has no null distribution (how high do unrelated models of similar
//! recipes go?), so its value proves nothing by itself (docs/weights.md).

use std::path::Path;

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::checkpoint::{Checkpoint, Format, ModelConfig};
use super::dtype::DType;
use super::error::{Result, WeightsError};
use super::linalg::moments_and_spectrum;
use super::moments::Summary;
use super::names::layer_role;
use crate::progress::Progress;

pub const SCHEMA: &str = "lineage-weight-fingerprint/1";

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FileHash {
    pub name: String,
    pub bytes: u64,
    pub sha256: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TensorStats {
    pub name: String,
    pub canonical: String,
    pub dtype: DType,
    pub shape: Vec<usize>,
    #[serde(flatten)]
    pub summary: Summary,
    /// Top singular values, descending (empty for 1-D tensors or with NaN/Inf).
    pub singular_values: Vec<f64>,
    /// Why a matrix has no singular values (sketch over the memory cap).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub spectrum_note: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Profile {
    /// Mean std of q, k, v, o weights per layer.
    pub attn_std: Vec<f64>,
    /// Mean std of gate, up, down weights per layer.
    pub mlp_std: Vec<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Fingerprint {
    pub schema: String,
    pub format: Format,
    pub files: Vec<FileHash>,
    pub config: ModelConfig,
    pub seed: u64,
    pub top_k: usize,
    pub tensors: Vec<TensorStats>,
    pub profile: Profile,
}

/// Fingerprint every tensor of `ck` (in parallel, each tensor with its own
/// random stream, so the result does not depend on the thread count).
pub fn compute(
    ck: &Checkpoint,
    files: Vec<FileHash>,
    seed: u64,
    top_k: usize,
    progress: &Progress,
) -> Result<Fingerprint> {
    let pb = progress.bar(ck.tensors.len() as u64, "fingerprint");
    let tensors = ck
        .tensors
        .par_iter()
        .map(|t| {
            let mut rng = crate::stats::rng::stream(seed, &format!("svd:{}", t.canonical));
            let (summary, sv) = moments_and_spectrum(ck, t, top_k, &mut rng)?;
            pb.inc(1);
            Ok(TensorStats {
                name: t.name.clone(),
                canonical: t.canonical.clone(),
                dtype: t.dtype,
                shape: t.shape.clone(),
                summary,
                singular_values: sv,
                spectrum_note: super::linalg::spectrum_skipped(t, top_k),
            })
        })
        .collect::<Result<Vec<_>>>()?;
    pb.finish_and_clear();
    let profile = profile(&tensors);
    Ok(Fingerprint {
        schema: SCHEMA.into(),
        format: ck.format,
        files,
        config: ck.config.clone(),
        seed,
        top_k,
        tensors,
        profile,
    })
}

/// Per-layer mean std of attention and MLP weight matrices.
pub fn profile(ts: &[TensorStats]) -> Profile {
    let layers = ts
        .iter()
        .filter_map(|t| layer_role(&t.canonical).map(|(l, _)| l + 1))
        .max()
        .unwrap_or(0);
    let mut attn = vec![(0.0, 0usize); layers];
    let mut mlp = vec![(0.0, 0usize); layers];
    for t in ts {
        let Some((l, role)) = layer_role(&t.canonical) else {
            continue;
        };
        let slot = match role {
            "attn_q" | "attn_k" | "attn_v" | "attn_output" => &mut attn[l],
            "ffn_gate" | "ffn_up" | "ffn_down" => &mut mlp[l],
            _ => continue,
        };
        slot.0 += t.summary.std;
        slot.1 += 1;
    }
    let mean = |v: Vec<(f64, usize)>| {
        v.into_iter()
            .map(|(s, n)| if n > 0 { s / n as f64 } else { f64::NAN })
            .collect()
    };
    Profile {
        attn_std: mean(attn),
        mlp_std: mean(mlp),
    }
}

/// Pearson correlation of two profiles; profiles of different depth are
/// compared after linear interpolation onto the shorter one's depth grid.
pub fn profile_correlation(a: &[f64], b: &[f64]) -> Option<f64> {
    let n = a.len().min(b.len());
    if n < 3 {
        return None;
    }
    let (a, b) = (resample(a, n), resample(b, n));
    crate::weights::matching::pearson(&a, &b)
}

fn resample(v: &[f64], n: usize) -> Vec<f64> {
    if v.len() == n {
        return v.to_vec();
    }
    (0..n)
        .map(|i| {
            let x = i as f64 * (v.len() - 1) as f64 / (n - 1) as f64;
            let lo = x.floor() as usize;
            let hi = (lo + 1).min(v.len() - 1);
            let w = x - lo as f64;
            v[lo] * (1.0 - w) + v[hi] * w
        })
        .collect()
}

/// Largest fingerprint file accepted.
const MAX_FP: u64 = 256 << 20;

pub fn load(path: &Path) -> Result<Fingerprint> {
    let err = |why: String| WeightsError::Fingerprint {
        path: path.to_path_buf(),
        why,
    };
    let len = std::fs::metadata(path)
        .map_err(|e| WeightsError::io(path, e))?
        .len();
    if len > MAX_FP {
        return Err(err(format!("{len} bytes is over the cap of {MAX_FP}")));
    }
    let bytes = std::fs::read(path).map_err(|e| WeightsError::io(path, e))?;
    let fp: Fingerprint =
        serde_json::from_slice(&bytes).map_err(|e| err(format!("invalid JSON: {e}")))?;
    if fp.schema != SCHEMA {
        return Err(err(format!("schema `{}`, expected `{SCHEMA}`", fp.schema)));
    }
    Ok(fp)
}

/// Does `path` look like a saved fingerprint (a `.json` file)?
pub fn is_fingerprint_path(path: &Path) -> bool {
    path.is_file()
        && path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("json"))
}

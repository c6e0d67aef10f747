//! Pairwise tests between two checkpoints (or saved fingerprints).
//!
//! Per common tensor (same canonical name and shape), one joint streaming
//! pass gives: equality, relative error ‖A−B‖/‖A‖ against the dtype
//! allowance ([`super::dtype::pair_allowance`]), and the centred cosine
//! with its null: for independent centred vectors of N exchangeable
//! entries, cos ≈ N(0, 1/N), so z = cos·√N (one-sided). Uncentred cosines
//! are not used: positive vectors such as norm weights have uncentred
//! cosine near 1 whatever their origin.
//!
//! Per layer pair: the aligned p-values of its attention and MLP matrices
//! (Fisher), and the matched-units test of [`super::matching`] on the MLP,
//! with the relative error left after undoing the recovered permutation.
//! When depths differ, layer pairs are scanned to build a layer map.
//! Saved fingerprints only allow permutation-invariant comparisons
//! (spectra and moments), see [`fingerprint_mode`].

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::canonical::{self, Canonical};
use super::checkpoint::Checkpoint;
use super::decode::spans;
use super::dtype::{pair_allowance, DType};
use super::error::{Result, WeightsError};
use super::fingerprint::{profile, profile_correlation, Fingerprint, TensorStats};
use super::matching::{fisher_ln, ln_normal_sf, match_rows, PermTest};
use super::moments::Summary;
use super::names::layer_role;
use super::TensorInfo;
use crate::progress::Progress;

const LN10: f64 = std::f64::consts::LN_10;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TensorCmp {
    pub name: String,
    pub shape: Vec<usize>,
    pub dtype_a: DType,
    pub dtype_b: DType,
    /// Same dtype and equal values.
    pub identical: Option<bool>,
    /// Equal values after decoding (dequantization).
    pub values_equal: Option<bool>,
    pub rel_err: Option<f64>,
    pub allowance: f64,
    /// Centred cosine.
    pub cosine: Option<f64>,
    pub log10_p: Option<f64>,
    /// Fingerprint mode: max relative difference of top singular values.
    pub spectrum_rel_diff: Option<f64>,
    pub std_a: f64,
    pub std_b: f64,
    /// RMS of A's values (rounding errors scale with it, not with the std).
    pub rms_a: f64,
    pub nonfinite: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LayerCmp {
    pub layer_a: usize,
    pub layer_b: usize,
    /// Mean centred cosine of the layer's attention and MLP matrices.
    pub aligned_cosine: Option<f64>,
    pub aligned_log10_p: Option<f64>,
    pub perm: Option<PermTest>,
    pub perm_log10_p: Option<f64>,
    /// ‖A − P·B‖/‖A‖ over gate, up, down after undoing the matched permutation.
    pub unpermuted_rel_err: Option<f64>,
    pub allowance: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LayerMapEntry {
    pub layer_b: usize,
    pub layer_a: usize,
    pub log10_p: f64,
    pub significant: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Intrinsic {
    pub attn_std_correlation: Option<f64>,
    pub mlp_std_correlation: Option<f64>,
    pub note: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Comparison {
    /// `checkpoints` or `fingerprints`.
    pub mode: String,
    /// Why the checkpoints cannot be compared weight by weight (None when they can).
    pub not_comparable: Option<String>,
    pub tensors: Vec<TensorCmp>,
    pub only_in_a: Vec<String>,
    pub only_in_b: Vec<String>,
    pub layers: Vec<LayerCmp>,
    pub layer_map: Vec<LayerMapEntry>,
    pub layers_a: usize,
    pub layers_b: usize,
    /// Fisher combination over layers of the aligned test (log10 p).
    pub aligned_log10_p: Option<f64>,
    /// Fisher combination over layers of the matched-units test (log10 p).
    pub perm_log10_p: Option<f64>,
    pub intrinsic: Intrinsic,
    /// The comparison after undoing re-parametrisations (equal depths,
    /// when the tensors are not already a storage copy).
    #[serde(default)]
    pub canonical: Option<Canonical>,
    /// What was not compared, and why (nothing is skipped silently).
    #[serde(default)]
    pub notes: Vec<String>,
}

/// Either input of `weights`.
pub enum Side {
    Checkpoint(Box<Checkpoint>),
    Fingerprint(Box<Fingerprint>),
}

const INTRINSIC_NOTE: &str = "Pearson correlation of per-layer weight std profiles (the 'intrinsic fingerprint'); not used for the verdict: it has no null distribution, so no value of it is evidence by itself";

/// Why two models cannot be compared weight by weight, if they cannot.
fn incomparable(
    a: &[(String, Vec<usize>)],
    b: &[(String, Vec<usize>)],
    ha: Option<usize>,
    hb: Option<usize>,
) -> Option<String> {
    if let (Some(x), Some(y)) = (ha, hb) {
        if x != y {
            return Some(format!(
                "hidden sizes differ ({x} vs {y}): different architectures"
            ));
        }
    }
    let shared = a
        .iter()
        .filter(|(n, s)| layer_role(n).is_some() && b.iter().any(|(m, t)| m == n && t == s));
    if shared.count() == 0 {
        return Some(
            "no layer tensor has the same name and shape in both: different architectures".into(),
        );
    }
    None
}

/// Statistic-only comparison from fingerprints (either side may be one).
pub fn fingerprint_mode(a: &Fingerprint, b: &Fingerprint) -> Comparison {
    let names = |f: &Fingerprint| -> Vec<(String, Vec<usize>)> {
        f.tensors
            .iter()
            .map(|t| (t.canonical.clone(), t.shape.clone()))
            .collect()
    };
    let not = incomparable(
        &names(a),
        &names(b),
        a.config.hidden_size,
        b.config.hidden_size,
    );
    let mut tensors = Vec::new();
    for ta in &a.tensors {
        if let Some(tb) = b
            .tensors
            .iter()
            .find(|t| t.canonical == ta.canonical && t.shape == ta.shape)
        {
            tensors.push(stat_cmp(ta, tb));
        }
    }
    let (only_a, only_b) = only(
        a.tensors.iter().map(|t| &t.canonical),
        b.tensors.iter().map(|t| &t.canonical),
    );
    Comparison {
        mode: "fingerprints".into(),
        not_comparable: not,
        tensors,
        only_in_a: only_a,
        only_in_b: only_b,
        layers: Vec::new(),
        layer_map: Vec::new(),
        layers_a: a.profile.mlp_std.len(),
        layers_b: b.profile.mlp_std.len(),
        aligned_log10_p: None,
        perm_log10_p: None,
        intrinsic: intrinsic(&a.tensors, &b.tensors),
        canonical: None,
        notes: a
            .tensors
            .iter()
            .chain(&b.tensors)
            .filter_map(|t| {
                t.spectrum_note
                    .as_ref()
                    .map(|n| format!("{}: {n}", t.canonical))
            })
            .collect(),
    }
}

fn stat_cmp(a: &TensorStats, b: &TensorStats) -> TensorCmp {
    let sd = if a.singular_values.is_empty() || a.singular_values.len() != b.singular_values.len() {
        None
    } else {
        let top = a.singular_values[0].max(f64::MIN_POSITIVE);
        Some(
            a.singular_values
                .iter()
                .zip(&b.singular_values)
                .map(|(x, y)| (x - y).abs() / top)
                .fold(0.0, f64::max),
        )
    };
    TensorCmp {
        name: a.canonical.clone(),
        shape: a.shape.clone(),
        dtype_a: a.dtype,
        dtype_b: b.dtype,
        identical: None,
        values_equal: None,
        rel_err: None,
        allowance: pair_allowance(a.dtype, b.dtype),
        cosine: None,
        log10_p: None,
        spectrum_rel_diff: sd,
        std_a: a.summary.std,
        std_b: b.summary.std,
        rms_a: a.summary.rms,
        nonfinite: a.summary.nan + a.summary.inf + b.summary.nan + b.summary.inf,
    }
}

fn only<'a>(
    a: impl Iterator<Item = &'a String> + Clone,
    b: impl Iterator<Item = &'a String> + Clone,
) -> (Vec<String>, Vec<String>) {
    let sa: std::collections::BTreeSet<_> = a.collect();
    let sb: std::collections::BTreeSet<_> = b.collect();
    (
        sa.difference(&sb).map(|s| s.to_string()).collect(),
        sb.difference(&sa).map(|s| s.to_string()).collect(),
    )
}

fn intrinsic(a: &[TensorStats], b: &[TensorStats]) -> Intrinsic {
    let (pa, pb) = (profile(a), profile(b));
    Intrinsic {
        attn_std_correlation: profile_correlation(&pa.attn_std, &pb.attn_std),
        mlp_std_correlation: profile_correlation(&pa.mlp_std, &pb.mlp_std),
        note: INTRINSIC_NOTE.into(),
    }
}

/// Sums of one joint pass over a tensor pair.
#[derive(Default)]
struct Joint {
    n: f64,
    sa: f64,
    sb: f64,
    saa: f64,
    sbb: f64,
    sab: f64,
    sdd: f64,
    unequal: u64,
    nonfinite: u64,
    nonfinite_a: u64,
    nonfinite_b: u64,
    /// Values not exactly representable in [bf16, f16], per side.
    inexact_a: [u64; 2],
    inexact_b: [u64; 2],
}

/// Is `x` exactly representable in bf16 / f16?
fn exact(x: f32) -> [bool; 2] {
    [
        half::bf16::from_f32(x).to_f32() == x,
        half::f16::from_f32(x).to_f32() == x,
    ]
}

/// The narrowest float type that holds every value of an f32 tensor: a
/// tensor once rounded to f16/bf16 and re-saved as f32 keeps that rounding,
/// and must be allowed its error.
fn effective(stored: DType, inexact: [u64; 2]) -> DType {
    match stored {
        DType::F32 if inexact[0] == 0 => DType::Bf16,
        DType::F32 if inexact[1] == 0 => DType::F16,
        d => d,
    }
}

fn joint(a: &Checkpoint, ta: &TensorInfo, b: &Checkpoint, tb: &TensorInfo) -> Result<Joint> {
    let (mut ba, mut bb) = (Vec::new(), Vec::new());
    let mut j = Joint::default();
    let (check_a, check_b) = (ta.dtype == DType::F32, tb.dtype == DType::F32);
    for (e0, n) in spans(ta) {
        ba.clear();
        bb.clear();
        a.read_elems(ta, e0, n, &mut ba)?;
        b.read_elems(tb, e0, n, &mut bb)?;
        let mut s = [0f64; 7];
        for (&x, &y) in ba.iter().zip(&bb) {
            if x != y {
                j.unequal += 1;
            }
            // Only f32 storage needs the check, and only until one value
            // fails it (typical f32 weights fail at once).
            if check_a && (j.inexact_a[0] == 0 || j.inexact_a[1] == 0) {
                for (k, e) in exact(x).into_iter().enumerate() {
                    j.inexact_a[k] += u64::from(!e);
                }
            }
            if check_b && (j.inexact_b[0] == 0 || j.inexact_b[1] == 0) {
                for (k, e) in exact(y).into_iter().enumerate() {
                    j.inexact_b[k] += u64::from(!e);
                }
            }
            if !(x.is_finite() && y.is_finite()) {
                j.nonfinite += 1;
                j.nonfinite_a += u64::from(!x.is_finite());
                j.nonfinite_b += u64::from(!y.is_finite());
                continue;
            }
            let (x, y) = (x as f64, y as f64);
            s[0] += 1.0;
            s[1] += x;
            s[2] += y;
            s[3] += x * x;
            s[4] += y * y;
            s[5] += x * y;
            s[6] += (x - y) * (x - y);
        }
        j.n += s[0];
        j.sa += s[1];
        j.sb += s[2];
        j.saa += s[3];
        j.sbb += s[4];
        j.sab += s[5];
        j.sdd += s[6];
    }
    Ok(j)
}

fn tensor_cmp(
    a: &Checkpoint,
    ta: &TensorInfo,
    b: &Checkpoint,
    tb: &TensorInfo,
) -> Result<(TensorCmp, Summary, Summary)> {
    let j = joint(a, ta, b, tb)?;
    // Similarity of tensors holding NaN/Inf means nothing: refuse, naming
    // the file and tensor (`lineage fingerprint` reports the counts).
    for (c, t, n) in [(a, ta, j.nonfinite_a), (b, tb, j.nonfinite_b)] {
        if n > 0 {
            return Err(WeightsError::tensor(
                &c.files[t.file].path,
                &t.name,
                format!("holds {n} NaN/Inf values; the weights are corrupt or diverged and cannot be compared (`lineage fingerprint` reports the counts)"),
            ));
        }
    }
    let n = j.n.max(1.0);
    let (ma, mb) = (j.sa / n, j.sb / n);
    let va = (j.saa / n - ma * ma).max(0.0);
    let vb = (j.sbb / n - mb * mb).max(0.0);
    let cov = j.sab / n - ma * mb;
    let cosine = (va > 0.0 && vb > 0.0).then(|| (cov / (va * vb).sqrt()).clamp(-1.0, 1.0));
    let log10_p = cosine.map(|c| ln_normal_sf(c * j.n.sqrt()) / LN10);
    let rel_err = if j.saa > 0.0 {
        Some((j.sdd / j.saa).sqrt())
    } else {
        Some(if j.sdd == 0.0 { 0.0 } else { f64::INFINITY })
    };
    let equal = j.unequal == 0;
    let sum = |m: f64, v: f64| Summary {
        count: j.n as u64,
        mean: m,
        std: v.sqrt(),
        rms: (v + m * m).sqrt(),
        kurtosis: f64::NAN,
        nan: 0,
        inf: 0,
    };
    Ok((
        TensorCmp {
            name: ta.canonical.clone(),
            shape: ta.shape.clone(),
            dtype_a: ta.dtype,
            dtype_b: tb.dtype,
            identical: Some(equal && ta.dtype == tb.dtype),
            values_equal: Some(equal),
            rel_err,
            allowance: pair_allowance(
                effective(ta.dtype, j.inexact_a),
                effective(tb.dtype, j.inexact_b),
            ),
            cosine,
            log10_p,
            spectrum_rel_diff: None,
            std_a: va.sqrt(),
            std_b: vb.sqrt(),
            rms_a: (va + ma * ma).sqrt(),
            nonfinite: j.nonfinite,
        },
        sum(ma, va),
        sum(mb, vb),
    ))
}

/// Compare two checkpoints weight by weight.
pub fn checkpoints(
    a: &Checkpoint,
    b: &Checkpoint,
    alpha: f64,
    progress: &Progress,
) -> Result<Comparison> {
    let names = |c: &Checkpoint| -> Vec<(String, Vec<usize>)> {
        c.tensors
            .iter()
            .map(|t| (t.canonical.clone(), t.shape.clone()))
            .collect()
    };
    let not = incomparable(
        &names(a),
        &names(b),
        a.config.hidden_size,
        b.config.hidden_size,
    );
    let pairs: Vec<(&TensorInfo, &TensorInfo)> = a
        .tensors
        .iter()
        .filter_map(|ta| {
            b.tensor(&ta.canonical)
                .filter(|tb| tb.shape == ta.shape)
                .map(|tb| (ta, tb))
        })
        .collect();
    let pb = progress.bar(pairs.len() as u64, "tensors");
    let results = pairs
        .par_iter()
        .map(|(ta, tb)| {
            let r = tensor_cmp(a, ta, b, tb);
            pb.inc(1);
            r
        })
        .collect::<Result<Vec<_>>>()?;
    pb.finish_and_clear();
    let (only_a, only_b) = only(
        a.tensors.iter().map(|t| &t.canonical),
        b.tensors.iter().map(|t| &t.canonical),
    );
    let stats = |s: &Summary, t: &TensorInfo| TensorStats {
        name: t.name.clone(),
        canonical: t.canonical.clone(),
        dtype: t.dtype,
        shape: t.shape.clone(),
        summary: *s,
        singular_values: Vec::new(),
        spectrum_note: None,
    };
    let sa: Vec<TensorStats> = results
        .iter()
        .zip(&pairs)
        .map(|(r, p)| stats(&r.1, p.0))
        .collect();
    let sb: Vec<TensorStats> = results
        .iter()
        .zip(&pairs)
        .map(|(r, p)| stats(&r.2, p.1))
        .collect();
    let tensors: Vec<TensorCmp> = results.into_iter().map(|r| r.0).collect();
    let (la, lb) = (a.n_layers(), b.n_layers());
    let mut cmp = Comparison {
        mode: "checkpoints".into(),
        not_comparable: not,
        tensors,
        only_in_a: only_a,
        only_in_b: only_b,
        layers: Vec::new(),
        layer_map: Vec::new(),
        layers_a: la,
        layers_b: lb,
        aligned_log10_p: None,
        perm_log10_p: None,
        intrinsic: intrinsic(&sa, &sb),
        canonical: None,
        notes: Vec::new(),
    };
    if cmp.not_comparable.is_none() {
        layers(a, b, &mut cmp, alpha, progress)?;
        let storage_copy = cmp
            .tensors
            .iter()
            .all(|t| t.rel_err.is_some_and(|e| e <= t.allowance));
        // A permuted copy is already explained once unpermuted.
        let unpermuted_copy = !cmp.layers.is_empty()
            && cmp
                .layers
                .iter()
                .all(|l| l.unpermuted_rel_err.is_some_and(|e| e <= l.allowance));
        if la == lb && !storage_copy && !unpermuted_copy {
            let units = a.tensor("blk.0.ffn_gate.weight").map_or(0, |t| t.rows());
            let d = a.tensor("blk.0.ffn_gate.weight").map_or(0, |t| t.cols());
            let attn = ["attn_q", "attn_k", "attn_v", "attn_output"]
                .iter()
                .filter_map(|r| a.tensor(&format!("blk.0.{r}.weight")))
                .map(|t| t.rows().min(t.cols()))
                .sum::<usize>();
            let task = canonical::task_bytes(units, d, attn);
            let batch = usize::try_from(budget_after_buffers(a, b) / task.max(1))
                .unwrap_or(usize::MAX)
                .clamp(1, rayon::current_num_threads().max(1));
            if task > work_budget(a, b).max(MAX_LAYER_TASK) {
                cmp.notes.push(format!("no comparison after undoing re-parametrisations: one layer would need {task} bytes of working memory, more than the budget"));
            } else {
                let pb = progress.bar(1, "re-parametrisations");
                cmp.canonical = Some(canonical::compare(a, b, batch)?);
                pb.finish_and_clear();
            }
        }
    }
    Ok(cmp)
}

/// Layer pairs to test: the diagonal for equal depths, otherwise every pair
/// when cheap enough, else each B layer against A's layer at the same
/// relative depth.
fn layer_pairs(la: usize, lb: usize, units: usize, d: usize) -> Vec<(usize, usize)> {
    if la == lb {
        return (0..la).map(|i| (i, i)).collect();
    }
    let cost = (la * lb) as f64 * (units * units * d) as f64;
    if cost <= 4e10 {
        return (0..lb).flat_map(|b| (0..la).map(move |a| (a, b))).collect();
    }
    (0..lb)
        .map(|b| ((b * (la.max(1) - 1)) / (lb.max(2) - 1), b))
        .collect()
}

/// Working memory of one layer's matched-units test: two units×d
/// matrices and their units×units cosine matrix, in f32.
fn layer_task_bytes(units: usize, d: usize) -> u64 {
    units
        .saturating_mul(d)
        .saturating_mul(2)
        .saturating_add(units.saturating_mul(units))
        .saturating_mul(4)
        .max(1) as u64
}

/// A tenth of the two checkpoints' size: the working memory the layer
/// phase may use (peak RSS target: 10% of the input plus a constant).
fn work_budget(a: &Checkpoint, b: &Checkpoint) -> u64 {
    (a.total_bytes() + b.total_bytes()) / 10
}

/// Largest matched-units working memory run whatever the budget (a layer
/// past both gets no matching: e.g. a hostile 10⁶×1 MLP whose cosine
/// matrix would need 4 TB).
const MAX_LAYER_TASK: u64 = 256 << 20;

/// [`work_budget`] less the per-thread read buffers of the joint pass
/// (two chunks of [`super::decode::CHUNK_ELEMS`] f32 per thread).
fn budget_after_buffers(a: &Checkpoint, b: &Checkpoint) -> u64 {
    let per_thread = (2 * super::decode::CHUNK_ELEMS * 4) as u64;
    work_budget(a, b).saturating_sub(per_thread * rayon::current_num_threads() as u64)
}

/// Layer pairs compared at once: as many as fit [`work_budget`] less the
/// per-thread buffers, at least one. Results do not depend on it.
fn layer_batch(a: &Checkpoint, b: &Checkpoint, units: usize, d: usize) -> usize {
    usize::try_from(budget_after_buffers(a, b) / layer_task_bytes(units, d))
        .unwrap_or(usize::MAX)
        .clamp(1, rayon::current_num_threads().max(1))
}

fn layers(
    a: &Checkpoint,
    b: &Checkpoint,
    cmp: &mut Comparison,
    alpha: f64,
    progress: &Progress,
) -> Result<()> {
    let (la, lb) = (cmp.layers_a, cmp.layers_b);
    let g0 = a.tensor("blk.0.ffn_gate.weight");
    let (units, d) = g0.map_or((0, 0), |t| (t.rows(), t.cols()));
    let pairs = layer_pairs(la, lb, units, d);
    if units > 0 && layer_task_bytes(units, d) > work_budget(a, b).max(MAX_LAYER_TASK) {
        cmp.notes.push(format!(
            "no matched-units test: one layer's matching ({units}×{d} units) would need {} bytes, over the budget",
            layer_task_bytes(units, d)
        ));
    }
    let pb = progress.bar(pairs.len() as u64, "layers");
    let mut out = Vec::with_capacity(pairs.len());
    for group in pairs.chunks(layer_batch(a, b, units, d)) {
        let done = group
            .par_iter()
            .map(|&(x, y)| {
                let r = layer_cmp(a, b, x, y, &cmp.tensors);
                pb.inc(1);
                r
            })
            .collect::<Result<Vec<_>>>()?;
        out.extend(done);
    }
    pb.finish_and_clear();
    out.sort_by_key(|l| (l.layer_b, l.layer_a));
    let best_ln = |l: &LayerCmp| -> f64 {
        // Two tests per layer: Bonferroni ×2 on the smaller p.
        let m = l
            .perm_log10_p
            .unwrap_or(0.0)
            .min(l.aligned_log10_p.unwrap_or(0.0));
        (m + 2f64.log10()).min(0.0)
    };
    let bonf = (alpha / pairs.len().max(1) as f64).log10();
    for yb in 0..lb {
        if let Some(best) = out.iter().filter(|l| l.layer_b == yb).min_by(|x, y| {
            best_ln(x)
                .total_cmp(&best_ln(y))
                .then(x.layer_a.cmp(&y.layer_a))
        }) {
            cmp.layer_map.push(LayerMapEntry {
                layer_b: yb,
                layer_a: best.layer_a,
                log10_p: best_ln(best),
                significant: best_ln(best) < bonf,
            });
        }
    }
    // Combined tests over the diagonal (equal depth) or the layer map.
    let chosen: Vec<&LayerCmp> = cmp
        .layer_map
        .iter()
        .filter_map(|m| {
            out.iter()
                .find(|l| l.layer_a == m.layer_a && l.layer_b == m.layer_b)
        })
        .collect();
    let comb = |f: &dyn Fn(&LayerCmp) -> Option<f64>| {
        let v: Vec<f64> = chosen
            .iter()
            .filter_map(|l| f(l))
            .map(|p| p * LN10)
            .collect();
        (!v.is_empty()).then(|| fisher_ln(&v) / LN10)
    };
    if la == lb {
        cmp.aligned_log10_p = comb(&|l| l.aligned_log10_p);
        cmp.perm_log10_p = comb(&|l| l.perm_log10_p);
    } else {
        // Best-of-many selection makes the map's p-values optimistic; the
        // combined figures are reported only for equal depths.
        cmp.aligned_log10_p = None;
        cmp.perm_log10_p = None;
    }
    cmp.layers = out;
    Ok(())
}

fn layer_cmp(
    a: &Checkpoint,
    b: &Checkpoint,
    x: usize,
    y: usize,
    tensors: &[TensorCmp],
) -> Result<LayerCmp> {
    const ROLES: [&str; 7] = [
        "attn_q",
        "attn_k",
        "attn_v",
        "attn_output",
        "ffn_gate",
        "ffn_up",
        "ffn_down",
    ];
    let mut cos = Vec::new();
    let mut lnp = Vec::new();
    let mut allowance: f64 = 0.0;
    for role in ROLES {
        let na = format!("blk.{x}.{role}.weight");
        let nb = format!("blk.{y}.{role}.weight");
        let (Some(ta), Some(tb)) = (a.tensor(&na), b.tensor(&nb)) else {
            continue;
        };
        if ta.shape != tb.shape {
            continue;
        }
        allowance = allowance.max(pair_allowance(ta.dtype, tb.dtype));
        let c = if x == y {
            tensors
                .iter()
                .find(|t| t.name == na)
                .and_then(|t| t.cosine.map(|c| (c, t.shape.iter().product::<usize>())))
        } else {
            let r = tensor_cmp(a, ta, b, tb)?.0;
            r.cosine.map(|c| (c, ta.elems()))
        };
        if let Some((c, n)) = c {
            cos.push(c);
            lnp.push(ln_normal_sf(c * (n as f64).sqrt()));
        }
    }
    let aligned_cosine = (!cos.is_empty()).then(|| cos.iter().sum::<f64>() / cos.len() as f64);
    let aligned_log10_p = (!lnp.is_empty()).then(|| fisher_ln(&lnp) / LN10);
    let (perm, unperm) = mlp_perm(a, b, x, y)?;
    Ok(LayerCmp {
        layer_a: x,
        layer_b: y,
        aligned_cosine,
        aligned_log10_p,
        perm_log10_p: perm.as_ref().map(|p| p.ln_p / LN10),
        perm,
        unpermuted_rel_err: unperm,
        allowance,
    })
}

/// Matched-units test on layer x of A vs layer y of B, and the relative
/// error of gate/up/down after undoing the gate matching.
fn mlp_perm(
    a: &Checkpoint,
    b: &Checkpoint,
    x: usize,
    y: usize,
) -> Result<(Option<PermTest>, Option<f64>)> {
    let get = |c: &Checkpoint, l: usize, r: &str| c.tensor(&format!("blk.{l}.{r}.weight")).cloned();
    let (Some(ag), Some(au), Some(bg), Some(bu)) = (
        get(a, x, "ffn_gate"),
        get(a, x, "ffn_up"),
        get(b, y, "ffn_gate"),
        get(b, y, "ffn_up"),
    ) else {
        return Ok((None, None));
    };
    if ag.shape != bg.shape
        || au.shape != bu.shape
        || ag.shape != au.shape
        || ag.shape.len() != 2
        || ag.rows() < 2
    {
        return Ok((None, None));
    }
    let d = ag.cols();
    if layer_task_bytes(ag.rows(), d) > work_budget(a, b).max(MAX_LAYER_TASK) {
        return Ok((None, None));
    }
    // One matrix pair at a time, so the layer's peak is two matrices and
    // one cosine matrix; the raw values are read again for the error below.
    let Some((sigma, matched)) = match_pair(a, &ag, b, &bg, d)? else {
        return Ok((None, None));
    };
    let Some((pu, _)) = match_pair(a, &au, b, &bu, d)? else {
        return Ok((None, None));
    };
    let t = PermTest::from_matchings(&sigma, &pu, matched);
    // ‖A − P·B‖² over gate and up rows, and down columns, streamed in the
    // same order as a pass over whole matrices.
    let (mut num, mut den) = (0f64, 0f64);
    let mut qrow = Vec::with_capacity(d);
    for (ta, tb) in [(&ag, &bg), (&au, &bu)] {
        a.for_each_chunk_try(ta, |r0, va| {
            for (k, p) in va.chunks_exact(d).enumerate() {
                qrow.clear();
                b.read_rows(tb, sigma[r0 + k], 1, &mut qrow)?;
                for (&p, &q) in p.iter().zip(&qrow) {
                    let (p, q) = (p as f64, q as f64);
                    num += (p - q) * (p - q);
                    den += p * p;
                }
            }
            Ok(())
        })?;
    }
    if let (Some(ad), Some(bd)) = (get(a, x, "ffn_down"), get(b, y, "ffn_down")) {
        if ad.shape == bd.shape && ad.cols() == sigma.len() {
            let n = ad.cols();
            let mut vb = Vec::new();
            a.for_each_chunk_try(&ad, |r0, va| {
                vb.clear();
                b.read_rows(&bd, r0, va.len() / n, &mut vb)?;
                for (pr, qr) in va.chunks_exact(n).zip(vb.chunks_exact(n)) {
                    for (i, &j) in sigma.iter().enumerate() {
                        let (p, q) = (pr[i] as f64, qr[j] as f64);
                        num += (p - q) * (p - q);
                        den += p * p;
                    }
                }
                Ok(())
            })?;
        }
    }
    let rel = if den > 0.0 {
        (num / den).sqrt()
    } else {
        f64::INFINITY
    };
    Ok((Some(t), Some(rel)))
}

/// Greedy matching of `ta`'s rows to `tb`'s rows; None when either holds
/// NaN/Inf.
fn match_pair(
    a: &Checkpoint,
    ta: &TensorInfo,
    b: &Checkpoint,
    tb: &TensorInfo,
    d: usize,
) -> Result<Option<(Vec<usize>, f64)>> {
    let (va, vb) = (a.read_all(ta)?, b.read_all(tb)?);
    if [&va, &vb].iter().any(|v| v.iter().any(|x| !x.is_finite())) {
        return Ok(None);
    }
    let m = match_rows(va, vb, d)
        .map_err(|e| WeightsError::tensor(&a.path, &ta.name, format!("matching failed: {e}")))?;
    Ok(Some(m))
}

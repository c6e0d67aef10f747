//! The comparison after undoing function-preserving re-parametrisations
//! (see [`super::reparam`] for the transforms themselves).
//!
//! Every tensor of a re-parametrised copy changes; these quantities do not:
//!
//! | transform | what undoes it / what is invariant |
//! |---|---|
//! | norm folding (g into the next layer) | fold every norm into its readers in *both* models: W·diag(g) is the same |
//! | rotation Q of the residual stream | Procrustes on the embeddings (rows are tokens, shared vocabulary) estimates Q; readers W Qᵀ and writers Q W are rotated back |
//! | channel scaling (up/down, v/o, q/k pairs) | unit matching uses \|cosine\| (scale-free); the error is measured after fitting one scale per unit; attention is compared through Σₕ W_qₕᵀ W_kₕ and Σₕ W_oₕ W_vₕ, which the scales cancel |
//! | head and unit permutation | the same head sums are permutation-invariant; MLP units are matched (Zhu et al. 2025) |
//!
//! The rotation is the orthogonal Procrustes solution (Schönemann 1966):
//! R = U Vᵀ from the SVD of E_Aᵀ E_B, streamed over embedding rows. It is
//! used only when the embeddings agree after it (relative residual below
//! [`ROTATION_GATE`]); otherwise the identity is used. The calibrated
//! p-value is the matched-units test on the folded, de-rotated MLP: R
//! depends only on the embeddings, which do not change when B's MLP units
//! are relabelled, so the test's null (σ_g, σ_u independent uniform
//! permutations under independence) still holds.

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::checkpoint::Checkpoint;
use super::dense::{add_at_b, from_identity, matmul, procrustes, to_f32, transpose};
use super::dtype::pair_allowance;
use super::error::{Result, WeightsError};
use super::matching::{fisher_ln, match_rows, PermTest};
use super::TensorInfo;

const LN10: f64 = std::f64::consts::LN_10;

/// Largest relative embedding residual ‖E_A R − E_B‖/‖E_A‖ at which the
/// fitted rotation is used. A rotated copy leaves its storage error (≤ 0.14
/// for Q4), a fine-tune its drift; unrelated models sharing a tokenizer
/// leave most of the norm (their embeddings are not one rotation apart).
pub const ROTATION_GATE: f64 = 0.5;

/// Distance ‖R − I‖_F/√d beyond which the fitted rotation is reported as a
/// transform (a fine-tune of an unrotated copy fits R close to I).
pub const ROTATION_SEEN: f64 = 0.05;

/// RMS of ln(unit scale) beyond which scaling is reported as a transform.
pub const SCALE_SEEN: f64 = 0.05;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RotationFit {
    /// ‖E_A − E_B‖/‖E_A‖ (no rotation).
    pub identity_rel_residual: f64,
    /// ‖E_A R − E_B‖/‖E_A‖ after the Procrustes rotation.
    pub rel_residual: f64,
    /// ‖R − I‖_F/√d.
    pub from_identity: f64,
    pub allowance: f64,
    /// The rotation was applied to B before the layer comparison.
    pub used: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CanonLayer {
    pub layer: usize,
    /// Matched-units test on the folded, de-rotated gate/up matrices.
    pub perm: Option<PermTest>,
    pub perm_log10_p: Option<f64>,
    /// ‖A − B̃‖/‖A‖ over gate, up, down after undoing fold, rotation,
    /// permutation and one fitted scale per unit.
    pub mlp_rel_err: Option<f64>,
    /// Relative error of Σₕ W_qₕᵀW_kₕ and Σₕ W_oₕW_vₕ (RMS of the two).
    pub attn_rel_err: Option<f64>,
    /// RMS of ln(fitted unit scale): 0 when B's units are not rescaled.
    pub unit_scale_log_rms: Option<f64>,
    /// Fraction of units matched to a different index.
    pub moved_units: Option<f64>,
    pub allowance: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Canonical {
    pub rotation: Option<RotationFit>,
    pub layers: Vec<CanonLayer>,
    /// Fisher combination of the layers' matched-units tests.
    pub perm_log10_p: Option<f64>,
    /// Transforms seen: `rotation`, `norm folding`, `scaling`, `permutation`.
    pub transforms: Vec<String>,
    /// Why parts were not compared.
    pub notes: Vec<String>,
    /// The estimated rotation Q̂ of B's residual stream (x_B = Q̂ x_A),
    /// row-major d×d, when one was used; written to `rotation.f32le`.
    #[serde(skip)]
    pub estimated_rotation: Option<Vec<f64>>,
}

/// The estimated rotation (row-major d×d R with E_B ≈ E_A R) and its fit.
pub fn fit_rotation(a: &Checkpoint, b: &Checkpoint) -> Result<Option<(RotationFit, Vec<f64>)>> {
    let (Some(ta), Some(tb)) = (a.tensor("token_embd.weight"), b.tensor("token_embd.weight"))
    else {
        return Ok(None);
    };
    if ta.shape != tb.shape || ta.shape.len() != 2 {
        return Ok(None);
    }
    let d = ta.cols();
    let mut acc = vec![0f64; d * d];
    let (mut naa, mut dii) = (0f64, 0f64);
    for_rows(a, ta, b, tb, |va, vb, n| {
        naa += va.iter().map(|x| (*x as f64).powi(2)).sum::<f64>();
        dii += va
            .iter()
            .zip(vb)
            .map(|(x, y)| (*x as f64 - *y as f64).powi(2))
            .sum::<f64>();
        add_at_b(&mut acc, va, n, d, vb, d).map_err(|e| algebra(a, ta, e))
    })?;
    let Some((rot, _)) = procrustes(&acc, d) else {
        return Ok(None);
    };
    // The residual by a second pass: ‖A‖² + ‖B‖² − 2 tr Σ cancels
    // catastrophically when the fit is close.
    let r32 = to_f32(&rot);
    let mut drr = 0f64;
    for_rows(a, ta, b, tb, |va, vb, n| {
        let ar = matmul(va, n, d, &r32, d).map_err(|e| algebra(a, ta, e))?;
        drr += ar
            .iter()
            .zip(vb)
            .map(|(x, y)| (*x as f64 - *y as f64).powi(2))
            .sum::<f64>();
        Ok(())
    })?;
    let rel = |x: f64| (x / naa.max(f64::MIN_POSITIVE)).sqrt();
    let storage = pair_allowance(ta.dtype, tb.dtype);
    let fit = RotationFit {
        identity_rel_residual: rel(dii),
        rel_residual: rel(drr),
        from_identity: from_identity(&rot, d),
        allowance: storage.hypot(rotation_allowance(d)),
        used: rel(drr) <= ROTATION_GATE,
    };
    Ok(Some((fit, rot)))
}

/// Both embeddings in matching row chunks: `f(a_rows, b_rows, n_rows)`.
fn for_rows(
    a: &Checkpoint,
    ta: &TensorInfo,
    b: &Checkpoint,
    tb: &TensorInfo,
    mut f: impl FnMut(&[f32], &[f32], usize) -> Result<()>,
) -> Result<()> {
    let per = (super::decode::CHUNK_ELEMS / ta.cols().max(1)).max(1);
    let (mut va, mut vb) = (Vec::new(), Vec::new());
    let mut r = 0;
    while r < ta.rows() {
        let n = per.min(ta.rows() - r);
        va.clear();
        vb.clear();
        a.read_rows(ta, r, n, &mut va)?;
        b.read_rows(tb, r, n, &mut vb)?;
        f(&va, &vb, n)?;
        r += n;
    }
    Ok(())
}

/// Rounding allowance of a rotation in f32: each rotated value is a sum of
/// d products (relative error about u·√d, u = 2⁻²⁴), once when the copy
/// was made and once when it is undone, plus the estimate's own error; we
/// allow 10⁻⁶·√d (8·10⁻⁶ at d = 64, measured 3·10⁻⁶ on the test models).
pub fn rotation_allowance(d: usize) -> f64 {
    1e-6 * (d as f64).sqrt()
}

fn algebra(c: &Checkpoint, t: &TensorInfo, e: impl std::fmt::Display) -> WeightsError {
    WeightsError::tensor(
        &c.files[t.file].path,
        &t.name,
        format!("linear algebra failed: {e}"),
    )
}

/// One side's layer matrices, folded and (for B) rotated back.
struct Side {
    gate: Vec<f32>,
    up: Vec<f32>,
    down: Vec<f32>,
    /// Σₕ W_qₕᵀ W_kₕ and Σₕ W_oₕ W_vₕ (d×d), when attention is present.
    qk: Option<Vec<f32>>,
    ov: Option<Vec<f32>>,
}

/// Shapes of one layer.
#[derive(Clone, Copy)]
struct Dims {
    units: usize,
    d: usize,
    head_dim: usize,
}

/// Working bytes of one layer's comparison: both sides' MLP matrices, a
/// normalised copy of two of them and the units×units cosine matrix, the
/// attention matrices and four d×d products.
pub fn task_bytes(units: usize, d: usize, attn_rows: usize) -> u64 {
    let s = units.saturating_mul(d);
    s.saturating_mul(8)
        .saturating_add(units.saturating_mul(units))
        .saturating_add(attn_rows.saturating_mul(d).saturating_mul(2))
        .saturating_add(d.saturating_mul(d).saturating_mul(4))
        .saturating_mul(4) as u64
}

fn get<'a>(c: &'a Checkpoint, l: usize, r: &str) -> Option<&'a TensorInfo> {
    c.tensor(&format!("blk.{l}.{r}.weight"))
}

/// Read a reader matrix, fold its norm into the columns and rotate back
/// (W Rᵀ) when `rt` (Rᵀ) is given.
fn reader(
    c: &Checkpoint,
    t: &TensorInfo,
    g: Option<&[f32]>,
    rt: Option<&[f32]>,
) -> Result<Vec<f32>> {
    let d = t.cols();
    let mut v = c.read_all(t)?;
    if let Some(g) = g.filter(|g| g.len() == d) {
        for row in v.chunks_exact_mut(d) {
            row.iter_mut().zip(g).for_each(|(x, g)| *x *= g);
        }
    }
    match rt {
        Some(rt) => matmul(&v, t.rows(), d, rt, d).map_err(|e| algebra(c, t, e)),
        None => Ok(v),
    }
}

/// Read a writer matrix (d×k) and rotate it back (R W) when `r` is given.
fn writer(c: &Checkpoint, t: &TensorInfo, r: Option<&[f32]>) -> Result<Vec<f32>> {
    let v = c.read_all(t)?;
    match r {
        Some(r) => matmul(r, t.rows(), t.rows(), &v, t.cols()).map_err(|e| algebra(c, t, e)),
        None => Ok(v),
    }
}

fn norm(c: &Checkpoint, l: usize, name: &str) -> Result<Option<Vec<f32>>> {
    get(c, l, name).map(|t| c.read_all(t)).transpose()
}

/// Σₕ W_aₕᵀ W_bₕ' over q heads h, where `a` has one block of `hd` rows per
/// q head and `b` one per kv head (head h uses kv head h / group): the
/// attention products that head permutations and channel scalings cancel.
fn head_sum(a: &[f32], b: &[f32], d: usize, hd: usize) -> Option<Vec<f32>> {
    let (qa, kb) = (a.len() / d, b.len() / d);
    if hd == 0 || kb == 0 || qa % kb != 0 || kb % hd != 0 {
        return None;
    }
    let group = qa / kb;
    let mut exp = Vec::with_capacity(a.len());
    for r in 0..qa {
        let k = (r / hd / group) * hd + r % hd;
        exp.extend_from_slice(&b[k * d..(k + 1) * d]);
    }
    matmul(&transpose(a, qa, d), d, qa, &exp, d).ok()
}

fn side(
    c: &Checkpoint,
    l: usize,
    dims: Dims,
    rot: Option<(&[f32], &[f32])>,
) -> Result<Option<Side>> {
    let (rm, rt) = (rot.map(|r| r.0), rot.map(|r| r.1));
    let (Some(tg), Some(tu), Some(td)) = (
        get(c, l, "ffn_gate"),
        get(c, l, "ffn_up"),
        get(c, l, "ffn_down"),
    ) else {
        return Ok(None);
    };
    let fg = norm(c, l, "ffn_norm")?;
    let gate = reader(c, tg, fg.as_deref(), rt)?;
    let up = reader(c, tu, fg.as_deref(), rt)?;
    let down = writer(c, td, rm)?;
    let (mut qk, mut ov) = (None, None);
    if let (Some(tq), Some(tk), Some(tv), Some(to)) = (
        get(c, l, "attn_q"),
        get(c, l, "attn_k"),
        get(c, l, "attn_v"),
        get(c, l, "attn_output"),
    ) {
        let fa = norm(c, l, "attn_norm")?;
        let q = reader(c, tq, fa.as_deref(), rt)?;
        let k = reader(c, tk, fa.as_deref(), rt)?;
        qk = head_sum(&q, &k, dims.d, dims.head_dim);
        drop((q, k));
        let v = reader(c, tv, fa.as_deref(), rt)?;
        // W_o W_v' = (W_oᵀ)ᵀ W_v': W_oᵀ has one block of rows per q head.
        let o = transpose(&writer(c, to, rm)?, to.rows(), to.cols());
        ov = head_sum(&o, &v, dims.d, dims.head_dim);
    }
    Ok(Some(Side {
        gate,
        up,
        down,
        qk,
        ov,
    }))
}

fn rel(a: &[f32], b: &[f32]) -> f64 {
    let (mut num, mut den) = (0f64, 0f64);
    for (&x, &y) in a.iter().zip(b) {
        num += (x as f64 - y as f64).powi(2);
        den += (x as f64).powi(2);
    }
    (num / den.max(f64::MIN_POSITIVE)).sqrt()
}

/// Compare layer `l` of A and B after undoing the transforms.
fn layer(
    a: &Checkpoint,
    b: &Checkpoint,
    l: usize,
    dims: Dims,
    rot: Option<(&[f32], &[f32])>,
) -> Result<CanonLayer> {
    let storage = [
        "attn_q",
        "attn_k",
        "attn_v",
        "attn_output",
        "ffn_gate",
        "ffn_up",
        "ffn_down",
    ]
    .iter()
    .filter_map(|r| Some(pair_allowance(get(a, l, r)?.dtype, get(b, l, r)?.dtype)))
    .fold(0.0, f64::max);
    let allowance = if rot.is_some() {
        storage.hypot(rotation_allowance(dims.d))
    } else {
        storage
    };
    let mut out = CanonLayer {
        layer: l,
        perm: None,
        perm_log10_p: None,
        mlp_rel_err: None,
        attn_rel_err: None,
        unit_scale_log_rms: None,
        moved_units: None,
        allowance,
    };
    let (Some(sa), Some(sb)) = (side(a, l, dims, None)?, side(b, l, dims, rot)?) else {
        return Ok(out);
    };
    if sa.gate.len() != sb.gate.len() || sa.down.len() != sb.down.len() || dims.units < 2 {
        return Ok(out);
    }
    let d = dims.d;
    let fin = |v: &[f32]| v.iter().all(|x| x.is_finite());
    if ![&sa.gate, &sa.up, &sb.gate, &sb.up].iter().all(|v| fin(v)) {
        return Ok(out);
    }
    let tg = get(a, l, "ffn_gate").expect("checked");
    let (sigma, matched) =
        match_rows(sa.gate.clone(), sb.gate.clone(), d).map_err(|e| algebra(a, tg, e))?;
    let (pu, _) = match_rows(sa.up.clone(), sb.up.clone(), d).map_err(|e| algebra(a, tg, e))?;
    let t = PermTest::from_matchings(&sigma, &pu, matched);
    out.perm_log10_p = Some(t.ln_p / LN10);
    out.perm = Some(t);
    out.moved_units =
        Some(sigma.iter().enumerate().filter(|(i, j)| i != *j).count() as f64 / sigma.len() as f64);
    // Unit i of A against unit σ(i) of B: gate as is, up times the fitted
    // scale t_i, down columns divided by it.
    let n = dims.units;
    let (mut num, mut den, mut lsq) = (0f64, 0f64, 0f64);
    for (i, &j) in sigma.iter().enumerate() {
        let (ga, gb) = (&sa.gate[i * d..(i + 1) * d], &sb.gate[j * d..(j + 1) * d]);
        let (ua, ub) = (&sa.up[i * d..(i + 1) * d], &sb.up[j * d..(j + 1) * d]);
        let dot: f64 = ua.iter().zip(ub).map(|(x, y)| *x as f64 * *y as f64).sum();
        let bb: f64 = ub.iter().map(|y| (*y as f64).powi(2)).sum();
        let s = if bb > 0.0 && dot != 0.0 {
            dot / bb
        } else {
            1.0
        };
        lsq += s.abs().ln().powi(2);
        for (x, y) in ga.iter().zip(gb) {
            num += (*x as f64 - *y as f64).powi(2);
            den += (*x as f64).powi(2);
        }
        for (x, y) in ua.iter().zip(ub) {
            num += (*x as f64 - s * *y as f64).powi(2);
            den += (*x as f64).powi(2);
        }
        for r in 0..d {
            let (x, y) = (sa.down[r * n + i] as f64, sb.down[r * n + j] as f64 / s);
            num += (x - y).powi(2);
            den += x * x;
        }
    }
    out.mlp_rel_err = Some((num / den.max(f64::MIN_POSITIVE)).sqrt());
    out.unit_scale_log_rms = Some((lsq / n as f64).sqrt());
    if let (Some(qa), Some(qb), Some(oa), Some(ob)) = (&sa.qk, &sb.qk, &sa.ov, &sb.ov) {
        out.attn_rel_err = Some(((rel(qa, qb).powi(2) + rel(oa, ob).powi(2)) / 2.0).sqrt());
    }
    Ok(out)
}

/// The canonical comparison of equal-depth checkpoints; `batch` layers run
/// at once (memory budget; results do not depend on it).
pub fn compare(a: &Checkpoint, b: &Checkpoint, batch: usize) -> Result<Canonical> {
    let mut notes = Vec::new();
    let fit = fit_rotation(a, b)?;
    if fit.is_none() {
        notes.push("no rotation estimated: the embeddings do not share a shape (different vocabularies or no embedding)".into());
    }
    let d = a.tensor("token_embd.weight").map_or(0, |t| t.cols());
    let rot: Option<(Vec<f32>, Vec<f32>)> = fit.as_ref().filter(|f| f.0.used).map(|(_, r)| {
        let r32 = to_f32(r);
        let rt = transpose(&r32, d, d);
        (r32, rt)
    });
    let units = get(a, 0, "ffn_gate").map_or(0, |t| t.rows());
    let dims = Dims {
        units,
        d: get(a, 0, "ffn_gate").map_or(d, |t| t.cols()),
        head_dim: a.config.head_dim.unwrap_or(0),
    };
    let layers_n = a.n_layers().min(b.n_layers());
    let mut layers = Vec::with_capacity(layers_n);
    let idx: Vec<usize> = (0..layers_n).collect();
    let rref = rot.as_ref().map(|(r, rt)| (r.as_slice(), rt.as_slice()));
    for group in idx.chunks(batch.max(1)) {
        let done = group
            .par_iter()
            .map(|&l| layer(a, b, l, dims, rref))
            .collect::<Result<Vec<_>>>()?;
        layers.extend(done);
    }
    let lnp: Vec<f64> = layers
        .iter()
        .filter_map(|l| l.perm_log10_p.map(|p| p * LN10))
        .collect();
    let perm_log10_p = (!lnp.is_empty()).then(|| fisher_ln(&lnp) / LN10);
    let transforms = seen(a, b, fit.as_ref().map(|f| &f.0), &layers);
    // R maps A's rows to B's (E_B ≈ E_A R), so x_B = Rᵀ x_A: Q̂ = Rᵀ.
    let estimated_rotation = fit
        .as_ref()
        .filter(|f| f.0.used)
        .map(|(_, r)| (0..d * d).map(|k| r[(k % d) * d + k / d]).collect());
    Ok(Canonical {
        rotation: fit.map(|f| f.0),
        layers,
        perm_log10_p,
        transforms,
        notes,
        estimated_rotation,
    })
}

/// Names of the transforms the fit shows.
fn seen(
    a: &Checkpoint,
    b: &Checkpoint,
    fit: Option<&RotationFit>,
    layers: &[CanonLayer],
) -> Vec<String> {
    let mut out = Vec::new();
    if fit.is_some_and(|f| f.used && f.from_identity > ROTATION_SEEN) {
        out.push("rotation".to_string());
    }
    let norms_differ = a
        .tensors
        .iter()
        .filter(|t| t.canonical.ends_with("norm.weight"))
        .any(|t| {
            let Some(u) = b.tensor(&t.canonical) else {
                return false;
            };
            match (a.read_all(t), b.read_all(u)) {
                (Ok(x), Ok(y)) if x.len() == y.len() => {
                    rel(&x, &y) > 10.0 * pair_allowance(t.dtype, u.dtype)
                }
                _ => false,
            }
        });
    if norms_differ {
        out.push("norm folding".into());
    }
    // Storage noise moves a fitted scale by about allowance/√d; the
    // scalings a transform uses are far larger (ln s of order 0.1–1).
    if layers
        .iter()
        .any(|l| l.unit_scale_log_rms.is_some_and(|s| s > SCALE_SEEN))
    {
        out.push("scaling".into());
    }
    if layers
        .iter()
        .any(|l| l.moved_units.is_some_and(|m| m > 0.0))
    {
        out.push("permutation".into());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::rng::stream;
    use rand::Rng;

    fn rand(n: usize, seed: &str) -> Vec<f32> {
        let mut r = stream(1, seed);
        (0..n).map(|_| r.gen_range(-1.0f32..1.0)).collect()
    }

    /// Σₕ W_qₕᵀ W_kₕ is unchanged by permuting kv groups (with their q
    /// heads) and by scaling q rows by u and the matching k rows by 1/u.
    #[test]
    fn head_sums_ignore_head_permutation_and_channel_scales() {
        let (d, hd, heads, kv) = (8, 2, 4, 2);
        let q = rand(heads * hd * d, "q");
        let k = rand(kv * hd * d, "k");
        let base = head_sum(&q, &k, d, hd).unwrap();
        // Swap the two kv groups (q heads 0,1 <-> 2,3) and scale channel 1
        // of kv head 0 (after the swap) by 3.
        let block = |v: &[f32], b: usize, rows: usize| v[b * rows * d..(b + 1) * rows * d].to_vec();
        let mut q2 = [block(&q, 1, 2 * hd), block(&q, 0, 2 * hd)].concat();
        let mut k2 = [block(&k, 1, hd), block(&k, 0, hd)].concat();
        for h in 0..2 {
            q2[(h * hd + 1) * d..(h * hd + 2) * d]
                .iter_mut()
                .for_each(|x| *x *= 3.0);
        }
        k2[d..2 * d].iter_mut().for_each(|x| *x /= 3.0);
        let moved = head_sum(&q2, &k2, d, hd).unwrap();
        assert!(rel(&base, &moved) < 1e-5, "{}", rel(&base, &moved));
        assert!(head_sum(&q, &k[..d], d, hd).is_none());
    }
}

//! Verdict classes of `lineage weights` and the rules that assign them.
//! Rules are tried in order; the first that holds decides, and its text is
//! recorded with the p-value of the test it rests on. Nothing here clears a
//! suspect of distillation: a student distilled into freshly initialised
//! weights is `unrelated` or `not-comparable` by construction, which the
//! rule text says.

use serde::{Deserialize, Serialize};

use super::pairwise::Comparison;

pub const DISTILLATION_NOTE: &str = "Distillation into a freshly initialised network leaves no trace in the weights; test behaviour with `lineage compare`.";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Label {
    Identical,
    DtypeOrQuantizedCopy,
    PermutedCopy,
    TransformedCopy,
    FineTunedDerivative,
    SharesLayers,
    Unrelated,
    NotComparable,
}

impl Label {
    pub fn as_str(self) -> &'static str {
        match self {
            Label::Identical => "identical",
            Label::DtypeOrQuantizedCopy => "dtype-or-quantized-copy",
            Label::PermutedCopy => "permuted-copy",
            Label::TransformedCopy => "transformed-copy",
            Label::FineTunedDerivative => "fine-tuned-derivative",
            Label::SharesLayers => "shares-layers",
            Label::Unrelated => "unrelated",
            Label::NotComparable => "not-comparable",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Verdict {
    pub label: Label,
    /// p-value of the deciding test (0 when below f64's range; see
    /// `log10_p_value`); null when no calibrated test applies.
    pub p_value: Option<f64>,
    pub log10_p_value: Option<f64>,
    pub rule: String,
    /// Re-parametrisations seen (`rotation`, `norm folding`, `scaling`,
    /// `permutation`) for `transformed-copy` and `fine-tuned-derivative`.
    #[serde(default)]
    pub transforms: Vec<String>,
}

fn v(label: Label, log10_p: Option<f64>, rule: String) -> Verdict {
    Verdict {
        label,
        p_value: log10_p.map(|l| 10f64.powf(l.min(0.0))),
        log10_p_value: log10_p.map(|l| l.min(0.0)),
        rule,
        transforms: Vec::new(),
    }
}

/// Per layer (equal depths): does it match under the comparison after
/// undoing re-parametrisations, at alpha / (2 · layers) (Bonferroni over
/// layers and over the two routes, raw and canonical)?
fn canon_sig(c: &Comparison, alpha: f64) -> Vec<bool> {
    let Some(k) = &c.canonical else {
        return Vec::new();
    };
    let thr = (alpha / (2.0 * k.layers.len().max(1) as f64)).log10();
    k.layers
        .iter()
        .map(|l| l.perm_log10_p.is_some_and(|p| p < thr))
        .collect()
}

/// `transformed-copy`: every layer matches after undoing the transforms
/// and is then within its storage allowance (MLP; attention head sums at
/// twice it, being products of two stored matrices), as are the rotated
/// embeddings.
fn transformed(c: &Comparison, alpha: f64) -> Option<Verdict> {
    let k = c.canonical.as_ref()?;
    let sig = canon_sig(c, alpha);
    let overall = k.perm_log10_p.is_some_and(|p| p < alpha.log10());
    let all = !sig.is_empty() && sig.iter().all(|s| *s) && overall;
    let within = k.layers.iter().all(|l| {
        l.mlp_rel_err.is_some_and(|e| e <= l.allowance)
            && l.attn_rel_err.map_or(true, |e| e <= 2.0 * l.allowance)
    });
    let emb = k.rotation.as_ref().map_or(true, |r| {
        r.used && r.rel_residual.min(r.identity_rel_residual) <= r.allowance
    });
    if !(all && within && emb) {
        return None;
    }
    let named = if k.transforms.is_empty() {
        "a re-parametrisation".to_string()
    } else {
        k.transforms.join(" + ")
    };
    let mut out = v(
        Label::TransformedCopy,
        k.perm_log10_p.map(|p| p + 2f64.log10()),
        format!(
            "B is A re-parametrised without changing its function ({named}): after folding norms into the layers that read them, rotating B's residual stream back (orthogonal Procrustes on the embeddings), matching MLP units and fitting one scale per unit, the matched units agree in every layer (Zhu et al. 2025, Fisher over {} layers, Bonferroni ×2, p < alpha = {alpha}) and every layer differs from A by no more than its storage types allow",
            k.layers.len()
        ),
    );
    out.transforms = k.transforms.clone();
    Some(out)
}

pub fn decide(c: &Comparison, alpha: f64) -> Verdict {
    if let Some(why) = &c.not_comparable {
        return v(
            Label::NotComparable,
            None,
            format!("{why}; the weights cannot be compared. {DISTILLATION_NOTE}"),
        );
    }
    if c.mode == "fingerprints" {
        return from_fingerprints(c);
    }
    let complete = c.only_in_a.is_empty() && c.only_in_b.is_empty();
    let al = c.aligned_log10_p;
    if complete && !c.tensors.is_empty() && c.tensors.iter().all(|t| t.identical == Some(true)) {
        return v(
            Label::Identical,
            al,
            "every tensor is present in both with the same dtype and equal values".into(),
        );
    }
    if !c.tensors.is_empty()
        && c.tensors
            .iter()
            .all(|t| t.rel_err.is_some_and(|e| e <= t.allowance))
        && c.layers_a == c.layers_b
    {
        let worst = c
            .tensors
            .iter()
            .filter_map(|t| t.rel_err.map(|e| e / t.allowance))
            .fold(0.0, f64::max);
        return v(
            Label::DtypeOrQuantizedCopy,
            al,
            format!(
                "every shared tensor ({}) differs from A by no more than its storage types allow (worst ‖A−B‖/‖A‖ is {:.3} of the allowance){}; p is the aligned-cosine test",
                c.tensors.len(),
                worst,
                if complete { "" } else { "; some tensors exist in only one checkpoint" }
            ),
        );
    }
    let thr = alpha.log10();
    let all_sig = !c.layer_map.is_empty() && c.layer_map.iter().all(|m| m.significant);
    let perm = c.perm_log10_p;
    if c.layers_a == c.layers_b {
        let sig_perm = perm.is_some_and(|p| p < thr);
        let sig_al = al.is_some_and(|p| p < thr);
        let unperm_ok = !c.layers.is_empty()
            && c.layers
                .iter()
                .all(|l| l.unpermuted_rel_err.is_some_and(|e| e <= l.allowance));
        if sig_perm && all_sig && unperm_ok {
            let ac = mean(c.layers.iter().filter_map(|l| l.aligned_cosine));
            return v(
                Label::PermutedCopy,
                perm,
                format!(
                    "matched hidden units agree between gate and up matrices in every layer (Zhu et al. 2025, Fisher over {} layers, p < alpha = {alpha}), and after undoing the recovered permutation the MLP weights differ by no more than their storage types allow; the naive aligned cosine is only {:.3}",
                    c.layers.len(),
                    ac
                ),
            );
        }
        if let Some(t) = transformed(c, alpha) {
            return t;
        }
        let csig = canon_sig(c, alpha);
        let canon_p = c.canonical.as_ref().and_then(|k| k.perm_log10_p);
        let sig_canon = canon_p.is_some_and(|p| p < thr);
        let every = !c.layer_map.is_empty()
            && c.layer_map
                .iter()
                .enumerate()
                .all(|(i, m)| m.significant || csig.get(i) == Some(&true));
        if (sig_perm || sig_al || sig_canon) && every {
            let p = perm
                .unwrap_or(0.0)
                .min(al.unwrap_or(0.0))
                .min(canon_p.unwrap_or(0.0))
                + 3f64.log10();
            let mut out = v(
                Label::FineTunedDerivative,
                Some(p),
                format!(
                    "every layer of B matches the same layer of A beyond chance (aligned centred cosine, matched units, or matched units after undoing re-parametrisations; Bonferroni ×3, p < alpha = {alpha}) but the weights differ by more than their storage types allow: B was trained further from A"
                ),
            );
            if !all_sig {
                out.transforms = c
                    .canonical
                    .as_ref()
                    .map(|k| k.transforms.clone())
                    .unwrap_or_default();
            }
            return out;
        }
    }
    let csig = canon_sig(c, alpha);
    let n_sig = c
        .layer_map
        .iter()
        .enumerate()
        .filter(|(i, m)| m.significant || csig.get(*i) == Some(&true))
        .count();
    if n_sig > 0 {
        let best = c.layer_map.iter().map(|m| m.log10_p).fold(0.0, f64::min);
        let pairs = c.layers.len().max(1) as f64;
        return v(
            Label::SharesLayers,
            Some(best + pairs.log10()),
            format!(
                "{n_sig} of {} layers of B match a layer of A beyond chance (Bonferroni over {} layer pairs tested, alpha = {alpha}) while the rest match under none of the transforms tried (as stored, permuted, or folded/rotated/scaled); see layer_map",
                c.layer_map.len(),
                pairs
            ),
        );
    }
    let p = match (perm, al) {
        (Some(x), Some(y)) => Some(x.min(y) + 2f64.log10()),
        (x, y) => x.or(y),
    };
    v(
        Label::Unrelated,
        p,
        format!(
            "no test rejects independence of the weights at alpha = {alpha}. {DISTILLATION_NOTE}"
        ),
    )
}

fn mean(it: impl Iterator<Item = f64>) -> f64 {
    let v: Vec<f64> = it.collect();
    if v.is_empty() {
        f64::NAN
    } else {
        v.iter().sum::<f64>() / v.len() as f64
    }
}

fn from_fingerprints(c: &Comparison) -> Verdict {
    let complete = c.only_in_a.is_empty() && c.only_in_b.is_empty();
    let close = |t: &super::pairwise::TensorCmp| {
        let scale = t.rms_a.max(f64::MIN_POSITIVE);
        t.spectrum_rel_diff.map_or(true, |d| d <= t.allowance)
            && ((t.std_a - t.std_b).abs() / scale) <= t.allowance
    };
    if complete && !c.tensors.is_empty() && c.tensors.iter().all(close) {
        return v(
            Label::DtypeOrQuantizedCopy,
            None,
            "from saved fingerprints: every tensor's std and top singular values agree within what the storage types allow. These statistics are permutation-invariant, so an identical or a permuted copy gives the same result; no calibrated p-value exists for this match; run `lineage weights` on the checkpoints to tell copies apart".into(),
        );
    }
    v(
        Label::NotComparable,
        None,
        format!("from saved fingerprints: the statistics differ beyond a copy, and permutation-invariant statistics alone cannot separate a derivative from an unrelated model (see the intrinsic-fingerprint weakness in docs/weights.md); run `lineage weights` on the checkpoints. {DISTILLATION_NOTE}"),
    )
}

//! Writers of the `lineage weights` report: `report.json`, `report.md`,
//! `report.html` and, when a residual-stream rotation was estimated,
//! `rotation.f32le` (row-major d×d little-endian f32, x_B = Q̂ x_A). The
//! data come from [`crate::weights::report`]; this layer depends on it, not
//! the other way round.

use std::path::{Path, PathBuf};

use anyhow::Context;

use crate::weights::canonical::Canonical;
use crate::weights::reparam::rotation_bytes;
use crate::weights::report::WeightsReport;

/// Render both files first, then write each atomically.
pub fn write(dir: &Path, r: &WeightsReport) -> anyhow::Result<Vec<PathBuf>> {
    let json = super::json::rounded_bytes(r)?;
    let md = markdown(r).into_bytes();
    let html = super::html::render(&super::html::weights::document(r)).into_bytes();
    let rotation = r
        .comparison
        .canonical
        .as_ref()
        .and_then(|k| k.estimated_rotation.as_deref())
        .map(rotation_bytes);
    std::fs::create_dir_all(dir)
        .with_context(|| format!("cannot create output directory {}", dir.display()))?;
    let mut out = Vec::new();
    let files = [
        ("report.json", Some(json)),
        ("report.md", Some(md)),
        ("report.html", Some(html)),
        ("rotation.f32le", rotation),
    ];
    for (name, bytes) in files {
        let Some(bytes) = bytes else { continue };
        let p = dir.join(name);
        super::atomic::write(&p, &bytes)?;
        out.push(p);
    }
    Ok(out)
}

fn f(x: Option<f64>) -> String {
    x.map_or("–".into(), |v| format!("{v:.4}"))
}

pub fn markdown(r: &WeightsReport) -> String {
    let c = &r.comparison;
    let mut s = String::new();
    s.push_str("# lineage weights report\n\n");
    for i in &r.inputs {
        s.push_str(&format!(
            "- **{}**: `{}` ({}, {}, {}){}\n",
            i.role.to_uppercase(),
            i.path,
            i.kind,
            i.format,
            i.architecture,
            i.sha256
                .as_deref()
                .map(|h| format!(", sha256 `{}…`", &h[..16.min(h.len())]))
                .unwrap_or_default()
        ));
    }
    let v = &r.verdict;
    s.push_str(&format!(
        "\n## Verdict: `{}`\n\np-value: {} (log10 p = {})\n\nRule: {}\n\n> {}\n\n",
        v.label.as_str(),
        v.p_value
            .map_or("none (no calibrated test applies)".into(), |p| format!(
                "{p:.3e}"
            )),
        f(v.log10_p_value),
        v.rule,
        r.note
    ));
    s.push_str(&format!(
        "Parameters: seed {}, alpha {}, top-k {}. Mode: {}. Layers: A {}, B {}. Shared tensors: {}; only in A: {}; only in B: {}.\n\n",
        r.parameters.seed, r.parameters.alpha, r.parameters.top_k, c.mode, c.layers_a, c.layers_b,
        c.tensors.len(), c.only_in_a.len(), c.only_in_b.len()
    ));
    s.push_str(&format!(
        "Combined tests: aligned cosine log10 p = {}; matched units (Zhu et al. 2025) log10 p = {}.\n\n",
        f(c.aligned_log10_p),
        f(c.perm_log10_p)
    ));
    s.push_str(&format!(
        "Intrinsic fingerprint (std profiles, not used for the verdict): attention r = {}, MLP r = {}.\n\n",
        f(c.intrinsic.attn_std_correlation),
        f(c.intrinsic.mlp_std_correlation)
    ));
    if !v.transforms.is_empty() {
        s.push_str(&format!(
            "Transforms seen: {}.\n\n",
            v.transforms.join(", ")
        ));
    }
    for n in &c.notes {
        s.push_str(&format!("Note: {n}\n\n"));
    }
    if let Some(k) = &c.canonical {
        canonical_md(&mut s, k);
    }
    if !c.layers.is_empty() {
        s.push_str("## Layers\n\n| A | B | aligned cos | log10 p aligned | Spearman ρ | log10 p matched | rel. err after unpermuting | allowance |\n|---|---|---|---|---|---|---|---|\n");
        for m in &c.layer_map {
            if let Some(l) = c
                .layers
                .iter()
                .find(|l| l.layer_a == m.layer_a && l.layer_b == m.layer_b)
            {
                s.push_str(&format!(
                    "| {} | {} | {} | {} | {} | {} | {} | {} |\n",
                    l.layer_a,
                    l.layer_b,
                    f(l.aligned_cosine),
                    f(l.aligned_log10_p),
                    f(l.perm.as_ref().map(|p| p.spearman)),
                    f(l.perm_log10_p),
                    f(l.unpermuted_rel_err),
                    l.allowance
                ));
            }
        }
        s.push('\n');
    }
    s
}

/// The comparison after undoing re-parametrisations.
fn canonical_md(s: &mut String, k: &Canonical) {
    s.push_str("## After undoing re-parametrisations (norms folded, rotation, unit scales, permutation)\n\n");
    if let Some(r) = &k.rotation {
        s.push_str(&format!(
            "Residual-stream rotation (orthogonal Procrustes on the embeddings): ‖E_A R − E_B‖/‖E_A‖ = {} (without rotation {}), ‖R − I‖/√d = {}, allowance {}; {}.\n\n",
            f(Some(r.rel_residual)),
            f(Some(r.identity_rel_residual)),
            f(Some(r.from_identity)),
            f(Some(r.allowance)),
            if r.used { "used" } else { "not used (the embeddings are not one rotation apart)" }
        ));
    }
    s.push_str(&format!(
        "Matched units after undoing (Fisher) log10 p = {}; transforms seen: {}.\n\n",
        f(k.perm_log10_p),
        if k.transforms.is_empty() {
            "none".into()
        } else {
            k.transforms.join(", ")
        }
    ));
    for n in &k.notes {
        s.push_str(&format!("Note: {n}\n\n"));
    }
    s.push_str("| layer | Spearman ρ | log10 p matched | MLP rel. err | attention rel. err | RMS ln unit scale | units moved | allowance |\n|---|---|---|---|---|---|---|---|\n");
    for l in &k.layers {
        s.push_str(&format!(
            "| {} | {} | {} | {} | {} | {} | {} | {} |\n",
            l.layer,
            f(l.perm.as_ref().map(|p| p.spearman)),
            f(l.perm_log10_p),
            f(l.mlp_rel_err),
            f(l.attn_rel_err),
            f(l.unit_scale_log_rms),
            f(l.moved_units),
            f(Some(l.allowance))
        ));
    }
    s.push('\n');
}

//! `lineage weights` and `lineage fingerprint`: resolve inputs, hash them,
//! run the comparison, and write `report.json` / `report.md` atomically
//! (schema in docs/report-schema.md, section "Weights report").

use std::path::{Path, PathBuf};

use anyhow::Context;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::checkpoint::Checkpoint;
use super::error::WeightsError;
use super::fingerprint::{self, FileHash, Fingerprint};
use super::hash::sha256_file;
use super::pairwise::{self, Comparison, Side};
use super::verdict::{decide, Verdict, DISTILLATION_NOTE};
use crate::progress::Progress;
use crate::report::schema::Tool;

pub const SCHEMA_VERSION: &str = "1.0";

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Parameters {
    pub seed: u64,
    pub alpha: f64,
    pub top_k: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InputEntry {
    /// `a` or `b`.
    pub role: String,
    pub path: String,
    /// `checkpoint` or `fingerprint`.
    pub kind: String,
    /// `hf-dir`, `safetensors` or `gguf` (of the fingerprinted checkpoint for a fingerprint).
    pub format: String,
    pub architecture: String,
    /// SHA-256 of the given file (for a fingerprint: of the JSON file).
    pub sha256: Option<String>,
    /// Checkpoint files with their SHA-256 (for a fingerprint: as recorded in it).
    pub files: Vec<FileHash>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WeightsReport {
    pub schema_version: String,
    pub kind: String,
    pub tool: Tool,
    pub parameters: Parameters,
    pub inputs: Vec<InputEntry>,
    pub verdict: Verdict,
    pub note: String,
    pub comparison: Comparison,
}

pub fn tool() -> Tool {
    Tool {
        name: "lineage".into(),
        version: env!("CARGO_PKG_VERSION").into(),
        git_commit: env!("LINEAGE_GIT_COMMIT").into(),
    }
}

/// SHA-256 of every file of a checkpoint, hashed in parallel with a
/// progress bar over bytes.
pub fn hash_files(ck: &Checkpoint, progress: &Progress) -> Result<Vec<FileHash>, WeightsError> {
    let pb = progress.bar(ck.total_bytes(), "sha-256");
    let out = ck
        .files
        .par_iter()
        .map(|m| {
            Ok(FileHash {
                name: m.path.file_name().map_or_else(
                    || m.path.display().to_string(),
                    |n| n.to_string_lossy().into_owned(),
                ),
                bytes: m.len,
                sha256: sha256_file(m, |n| pb.inc(n)).map_err(|e| WeightsError::io(&m.path, e))?,
            })
        })
        .collect();
    pb.finish_and_clear();
    out
}

/// Open a checkpoint or a saved fingerprint.
pub fn open_side(path: &Path, progress: &Progress) -> anyhow::Result<(Side, InputEntry)> {
    if fingerprint::is_fingerprint_path(path) {
        let fp = fingerprint::load(path)?;
        let bytes =
            std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
        let e = InputEntry {
            role: String::new(),
            path: path.display().to_string(),
            kind: "fingerprint".into(),
            format: fp.format.as_str().into(),
            architecture: fp.config.architecture.clone(),
            sha256: Some(crate::input::hash::sha256_hex(&bytes)),
            files: fp.files.clone(),
        };
        return Ok((Side::Fingerprint(Box::new(fp)), e));
    }
    let ck = Checkpoint::open(path)?;
    let files = hash_files(&ck, progress)?;
    let e = InputEntry {
        role: String::new(),
        path: path.display().to_string(),
        kind: "checkpoint".into(),
        format: ck.format.as_str().into(),
        architecture: ck.config.architecture.clone(),
        sha256: (files.len() == 1).then(|| files[0].sha256.clone()),
        files,
    };
    Ok((Side::Checkpoint(Box::new(ck)), e))
}

/// The fingerprint of a side (computing it for a checkpoint).
fn as_fingerprint(
    s: Side,
    e: &InputEntry,
    p: &Parameters,
    progress: &Progress,
) -> anyhow::Result<Fingerprint> {
    Ok(match s {
        Side::Fingerprint(f) => *f,
        Side::Checkpoint(c) => {
            fingerprint::compute(&c, e.files.clone(), p.seed, p.top_k, progress)?
        }
    })
}

/// Run `lineage weights A B`.
pub fn run(
    a: &Path,
    b: &Path,
    params: Parameters,
    progress: &Progress,
) -> anyhow::Result<WeightsReport> {
    let (sa, mut ea) = open_side(a, progress)?;
    let (sb, mut eb) = open_side(b, progress)?;
    ea.role = "a".into();
    eb.role = "b".into();
    let comparison = match (sa, sb) {
        (Side::Checkpoint(x), Side::Checkpoint(y)) => {
            pairwise::checkpoints(&x, &y, params.alpha, progress)?
        }
        (x, y) => {
            let fa = as_fingerprint(x, &ea, &params, progress)?;
            let fb = as_fingerprint(y, &eb, &params, progress)?;
            pairwise::fingerprint_mode(&fa, &fb)
        }
    };
    let verdict = decide(&comparison, params.alpha);
    Ok(WeightsReport {
        schema_version: SCHEMA_VERSION.into(),
        kind: "weights".into(),
        tool: tool(),
        parameters: params,
        inputs: vec![ea, eb],
        verdict,
        note: DISTILLATION_NOTE.into(),
        comparison,
    })
}

/// Render both files first, then write each atomically.
pub fn write(dir: &Path, r: &WeightsReport) -> anyhow::Result<Vec<PathBuf>> {
    let json = crate::report::json::rounded_bytes(r)?;
    let md = markdown(r).into_bytes();
    let html = crate::report::html::render(&crate::report::html::weights::document(r)).into_bytes();
    std::fs::create_dir_all(dir)
        .with_context(|| format!("cannot create output directory {}", dir.display()))?;
    let mut out = Vec::new();
    for (name, bytes) in [
        ("report.json", json),
        ("report.md", md),
        ("report.html", html),
    ] {
        let p = dir.join(name);
        crate::report::atomic::write(&p, &bytes)?;
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

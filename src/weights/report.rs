//! `lineage weights` and `lineage fingerprint`: resolve inputs, hash them
//! and run the comparison into a [`WeightsReport`] (schema in
//! docs/report-schema.md, section "Weights report"). The writers live in
//! the report layer (`crate::report::weights`), which depends on this data
//! and never the other way round.

use std::path::Path;

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

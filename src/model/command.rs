//! `lineage probe` and `lineage score` as run by the binary: read the
//! inputs, load the model, run with a progress bar, write atomically and
//! print a one-line summary.

use std::path::PathBuf;

use anyhow::Context;

use super::generate::GenConfig;
use super::run::{self, ProbeInput, RunStats};
use super::{DeviceKind, Model};
use crate::error::UsageError;
use crate::input::{self, Limits};
use crate::probes;
use crate::progress::Progress;
use crate::report::atomic;

/// Names that select the built-in suite instead of a file.
pub const BUILTIN_NAMES: &[&str] = &["builtin", "suite"];

/// A validated `lineage probe`.
#[derive(Debug, Clone)]
pub struct ProbeConfig {
    pub model: PathBuf,
    /// A file, or one of [`BUILTIN_NAMES`].
    pub probes: PathBuf,
    pub out: PathBuf,
    pub limit: Option<usize>,
    pub categories: Vec<String>,
    pub samples: u32,
    /// Rows (probe, sample) generated together.
    pub batch: usize,
    pub gen: GenConfig,
    pub name: Option<String>,
    pub device: DeviceKind,
}

/// A validated `lineage score`.
#[derive(Debug, Clone)]
pub struct ScoreConfig {
    pub model: PathBuf,
    pub responses: PathBuf,
    pub out: PathBuf,
    pub top_logprobs: Option<usize>,
    pub batch_tokens: usize,
    pub name: Option<String>,
    pub device: DeviceKind,
}

fn load(path: &std::path::Path, kind: DeviceKind, progress: &Progress) -> anyhow::Result<Model> {
    let device = kind.device().map_err(UsageError)?;
    let spin = progress.spinner("loading model");
    let m = Model::load(path, &device)?;
    spin.finish_and_clear();
    Ok(m)
}

/// The prompts of `cfg.probes`, filtered by category, then cut to the limit.
pub fn probe_inputs(cfg: &ProbeConfig) -> anyhow::Result<Vec<ProbeInput>> {
    let arg = cfg.probes.to_string_lossy();
    let mut all: Vec<ProbeInput> = if !cfg.probes.exists() && BUILTIN_NAMES.contains(&arg.as_ref())
    {
        probes::builtin()
            .into_iter()
            .enumerate()
            .map(|(i, p)| ProbeInput {
                probe_id: p.probe_id,
                prompt: p.prompt,
                category: Some(p.category),
                source: PathBuf::from("probes/suite.jsonl"),
                line: i as u64 + 1,
            })
            .collect()
    } else {
        let ds = input::load("probes", &cfg.probes, None, &Limits::default())?;
        ds.records
            .into_iter()
            .map(|r| ProbeInput {
                probe_id: r.probe_id.unwrap_or_else(|| format!("line-{}", r.line)),
                prompt: r.prompt,
                category: r.category,
                source: cfg.probes.clone(),
                line: r.line,
            })
            .collect()
    };
    if !cfg.categories.is_empty() {
        all.retain(|p| {
            p.category
                .as_ref()
                .is_some_and(|c| cfg.categories.contains(c))
        });
    }
    if let Some(n) = cfg.limit {
        all.truncate(n);
    }
    if all.is_empty() {
        return Err(UsageError(format!(
            "{}: no probe left after --category/--limit",
            cfg.probes.display()
        ))
        .into());
    }
    Ok(all)
}

pub fn run_probe(cfg: &ProbeConfig, progress: &Progress, quiet: bool) -> anyhow::Result<()> {
    let inputs = probe_inputs(cfg)?;
    let model = load(&cfg.model, cfg.device, progress)?;
    let name = cfg.name.clone().unwrap_or_else(|| model.name.clone());
    let bar = progress.bar(inputs.len() as u64, "generating");
    let (bytes, stats) = run::probe(
        &model,
        &name,
        &inputs,
        &cfg.gen,
        cfg.samples,
        cfg.batch,
        &bar,
    )
    .context("generation failed")?;
    bar.finish_and_clear();
    atomic::write(&cfg.out, &bytes)?;
    summary(quiet, "generated", &stats, &cfg.out);
    Ok(())
}

pub fn run_score(cfg: &ScoreConfig, progress: &Progress, quiet: bool) -> anyhow::Result<()> {
    let ds = input::load("responses", &cfg.responses, None, &Limits::default())?;
    let model = load(&cfg.model, cfg.device, progress)?;
    let name = cfg.name.clone().unwrap_or_else(|| model.name.clone());
    let bar = progress.bar(ds.records.len() as u64, "scoring");
    let (bytes, skipped, stats) = run::score_records(
        &model,
        &name,
        &cfg.responses,
        &ds.records,
        cfg.top_logprobs,
        cfg.batch_tokens,
        &bar,
    )
    .context("scoring failed")?;
    bar.finish_and_clear();
    atomic::write(&cfg.out, &bytes)?;
    if skipped > 0 && !quiet {
        eprintln!("skipped {skipped} records without a response");
    }
    summary(quiet, "scored", &stats, &cfg.out);
    Ok(())
}

fn summary(quiet: bool, verb: &str, s: &RunStats, out: &std::path::Path) {
    if !quiet {
        eprintln!(
            "{verb} {} records, {} tokens in {:.1} s ({:.0} tokens/s); wrote {}",
            s.records,
            s.tokens,
            s.seconds,
            s.tokens_per_second(),
            out.display()
        );
    }
}

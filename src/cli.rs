//! Command-line definition (clap) and its resolution into configurations,
//! in the parse-then-resolve style: [`Cli`] mirrors what the user typed,
//! [`resolve`] turns it into validated configs ([`Command`]).

use std::path::{Path, PathBuf};

use clap::{Args, Parser, Subcommand};

use crate::compare::{CompareConfig, ModelSpec};
use crate::error::UsageError;
use crate::input::{Format, Limits};
use crate::probes::ExportFormat;

#[derive(Debug, Parser)]
#[command(
    name = "lineage",
    version,
    about = "Offline forensic analysis: was model S distilled from, or derived from, model T?"
)]
pub struct Cli {
    /// No progress output on stderr.
    #[arg(long, short, global = true)]
    pub quiet: bool,
    #[command(subcommand)]
    pub command: CliCommand,
}

#[derive(Debug, Subcommand)]
pub enum CliCommand {
    /// Compare a student's responses with candidate teachers, calibrated
    /// against a reference panel.
    Compare(CompareArgs),
    /// Write a synthetic probe-response corpus with known lineage.
    Simulate(SimulateArgs),
    /// Classify every response of a dataset as full compliance, full
    /// refusal or partial refusal; writes one JSON line per record.
    Refusals(RefusalsArgs),
    /// The built-in probe suite: list it, or export it as batch requests.
    #[command(subcommand)]
    Probes(ProbesCommand),
    /// Check a report: input hashes, then a re-run with the recorded
    /// parameters and seed must give byte-identical results (exit 1 if not).
    Verify {
        /// The report.json to verify.
        report: PathBuf,
    },
}

#[derive(Debug, Args)]
pub struct RefusalsArgs {
    /// Dataset to classify (any supported input format).
    pub input: PathBuf,
    /// Force the input format instead of sniffing it.
    #[arg(long, value_enum)]
    pub format: Option<Format>,
    /// Output file (JSONL, written atomically); standard output when absent.
    #[arg(long, short)]
    pub out: Option<PathBuf>,
    #[command(flatten)]
    pub limits: LimitArgs,
}

#[derive(Debug, Subcommand)]
pub enum ProbesCommand {
    /// Print the built-in suite grouped by category, with counts.
    List,
    /// Write the built-in suite as request lines for a batch API, or as
    /// canonical JSONL without responses.
    Export(ExportArgs),
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    /// Request file format.
    #[arg(long, value_enum)]
    pub to: ExportFormat,
    /// Model named in every request (required for the batch formats).
    #[arg(long)]
    pub model: Option<String>,
    /// Samples per probe (batch formats; request ids get `__s<N>`).
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..=99_999))]
    pub samples: u32,
    /// Output file, written atomically.
    #[arg(long, short)]
    pub out: PathBuf,
}

#[derive(Debug, Args)]
pub struct CompareArgs {
    /// Student dataset: PATH or NAME=PATH.
    pub student: String,
    /// Candidate teacher dataset (repeatable): PATH or NAME=PATH.
    #[arg(long = "teacher", short = 't', required = true)]
    pub teachers: Vec<String>,
    /// Reference-panel datasets: files or directories (repeatable).
    #[arg(long = "reference", short = 'r', num_args = 1..)]
    pub references: Vec<String>,
    /// Output directory for report.json and report.md.
    #[arg(long, short)]
    pub out: PathBuf,
    /// Significance level of the verdict.
    #[arg(long, default_value_t = 0.01)]
    pub alpha: f64,
    /// Seed of every random stream.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Force the input format instead of sniffing it.
    #[arg(long, value_enum)]
    pub format: Option<Format>,
    /// Sign-flip resamples per test.
    #[arg(long, default_value_t = 4999)]
    pub resamples: usize,
    /// Bootstrap resamples per confidence interval.
    #[arg(long, default_value_t = 2000)]
    pub bootstrap: usize,
    /// Score files of `lineage score` (repeatable): adds the `distribution`
    /// family, which then decides. Scorer and responder names must be the
    /// model names used here.
    #[arg(long = "scores", num_args = 1..)]
    pub scores: Vec<PathBuf>,
    #[command(flatten)]
    pub limits: LimitArgs,
}

/// Caps on hostile input, shared by every command that reads datasets.
#[derive(Debug, Args)]
pub struct LimitArgs {
    /// Largest accepted input file in bytes.
    #[arg(long, default_value_t = Limits::default().max_file_bytes)]
    pub max_file_bytes: u64,
    /// Longest accepted line in bytes.
    #[arg(long, default_value_t = Limits::default().max_line_bytes)]
    pub max_line_bytes: usize,
    /// Most records accepted per file.
    #[arg(long, default_value_t = Limits::default().max_records)]
    pub max_records: usize,
    /// Deepest accepted JSON nesting (serde_json stops at 128 regardless).
    #[arg(long, default_value_t = Limits::default().max_json_depth)]
    pub max_json_depth: usize,
}

impl LimitArgs {
    pub fn limits(&self) -> Limits {
        Limits {
            max_file_bytes: self.max_file_bytes,
            max_line_bytes: self.max_line_bytes,
            max_records: self.max_records,
            max_json_depth: self.max_json_depth,
        }
    }
}

#[derive(Debug, Args)]
pub struct SimulateArgs {
    /// Output directory.
    #[arg(long, short)]
    pub out: PathBuf,
    /// Seed of the generator.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Probes per model.
    #[arg(long, default_value_t = 200)]
    pub probes: usize,
}

/// A validated command.
#[derive(Debug)]
pub enum Command {
    Compare {
        cfg: CompareConfig,
        out: PathBuf,
    },
    Simulate(SimulateArgs),
    Verify(PathBuf),
    Refusals {
        input: PathBuf,
        format: Option<Format>,
        limits: Limits,
        out: Option<PathBuf>,
    },
    ProbesList,
    ProbesExport {
        to: ExportFormat,
        /// Empty for canonical JSONL, which names no model.
        model: String,
        samples: u32,
        out: PathBuf,
    },
}

/// Validate the parsed command line.
pub fn resolve(cli: CliCommand) -> Result<Command, UsageError> {
    match cli {
        CliCommand::Compare(a) => resolve_compare(a),
        CliCommand::Simulate(a) => Ok(Command::Simulate(a)),
        CliCommand::Verify { report } => Ok(Command::Verify(report)),
        CliCommand::Refusals(a) => Ok(Command::Refusals {
            input: a.input,
            format: a.format,
            limits: a.limits.limits(),
            out: a.out,
        }),
        CliCommand::Probes(ProbesCommand::List) => Ok(Command::ProbesList),
        CliCommand::Probes(ProbesCommand::Export(a)) => resolve_export(a),
    }
}

fn resolve_export(a: ExportArgs) -> Result<Command, UsageError> {
    let model = match (a.to, a.model) {
        (_, Some(m)) if m.trim().is_empty() => {
            return Err(UsageError("--model must not be empty".into()));
        }
        (_, Some(m)) => m,
        (ExportFormat::Jsonl, None) => String::new(),
        (_, None) => {
            return Err(UsageError(
                "--model NAME is required for batch request files (the API needs the model in every request)".into(),
            ));
        }
    };
    Ok(Command::ProbesExport {
        to: a.to,
        model,
        samples: a.samples,
        out: a.out,
    })
}

fn resolve_compare(a: CompareArgs) -> Result<Command, UsageError> {
    if !(a.alpha > 0.0 && a.alpha < 1.0) {
        return Err(UsageError(format!(
            "--alpha must lie in (0, 1), got {}",
            a.alpha
        )));
    }
    let mut references = Vec::new();
    for r in &a.references {
        references.extend(expand_reference(r)?);
    }
    let mut cfg = CompareConfig::new(
        model_spec(&a.student)?,
        a.teachers
            .iter()
            .map(|t| model_spec(t))
            .collect::<Result<_, _>>()?,
        references,
    );
    cfg.alpha = a.alpha;
    cfg.seed = a.seed;
    cfg.format = a.format;
    cfg.resamples = a.resamples;
    cfg.bootstrap = a.bootstrap;
    cfg.limits = a.limits.limits();
    cfg.scores = a.scores;
    check_unique(&cfg)?;
    Ok(Command::Compare { cfg, out: a.out })
}

/// Parse `NAME=PATH` or `PATH` (name = file stem).
pub fn model_spec(arg: &str) -> Result<ModelSpec, UsageError> {
    let (name, path) = match arg.split_once('=') {
        Some((n, p)) if !n.is_empty() && !n.contains(['/', '\\']) => {
            (n.to_string(), PathBuf::from(p))
        }
        _ => {
            let p = PathBuf::from(arg);
            (stem(&p)?, p)
        }
    };
    Ok(ModelSpec { name, path })
}

fn stem(p: &Path) -> Result<String, UsageError> {
    p.file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .ok_or_else(|| {
            UsageError(format!(
                "cannot name a model after {}: give NAME=PATH",
                p.display()
            ))
        })
}

/// Extensions picked up from a reference directory.
const DATA_EXTENSIONS: &[&str] = &["json", "jsonl", "csv"];

/// A reference argument: a file, or every data file in a directory (sorted,
/// so the panel order and hence the report do not depend on the file
/// system).
fn expand_reference(arg: &str) -> Result<Vec<ModelSpec>, UsageError> {
    let spec = model_spec(arg)?;
    if !spec.path.is_dir() {
        return Ok(vec![spec]);
    }
    let mut files: Vec<PathBuf> = std::fs::read_dir(&spec.path)
        .map_err(|e| UsageError(format!("cannot list {}: {e}", spec.path.display())))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.is_file()
                && p.extension()
                    .and_then(|e| e.to_str())
                    .is_some_and(|e| DATA_EXTENSIONS.contains(&e))
        })
        .collect();
    files.sort();
    if files.is_empty() {
        return Err(UsageError(format!(
            "{}: no .json, .jsonl or .csv files in this directory",
            spec.path.display()
        )));
    }
    files
        .into_iter()
        .map(|p| {
            Ok(ModelSpec {
                name: stem(&p)?,
                path: p,
            })
        })
        .collect()
}

fn check_unique(cfg: &CompareConfig) -> Result<(), UsageError> {
    let mut seen = std::collections::BTreeSet::new();
    for m in std::iter::once(&cfg.student)
        .chain(&cfg.teachers)
        .chain(&cfg.references)
    {
        if !seen.insert(m.name.as_str()) {
            return Err(UsageError(format!(
                "model name `{}` is used twice; name one of them with NAME=PATH",
                m.name
            )));
        }
    }
    Ok(())
}

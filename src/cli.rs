//! Command-line definition (clap) and its resolution into configurations,
//! in the parse-then-resolve style: [`Cli`] mirrors what the user typed,
//! [`resolve`] turns it into validated configs ([`Command`]).

use std::path::{Path, PathBuf};

use clap::{Args, Parser, Subcommand};

use crate::compare::analysis::Resampling;
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
    /// Fit the refusal model on labelled XSTest-style CSV files and print
    /// its leave-one-file-out and in-sample accuracy
    /// (scripts/train-refusal.sh).
    #[command(hide = true)]
    RefusalsTrain(RefusalsTrainArgs),
    /// The built-in probe suite: list it, or export it as batch requests.
    #[command(subcommand)]
    Probes(ProbesCommand),
    /// Check a report: input hashes, then a re-run with the recorded
    /// parameters and seed must give byte-identical results (exit 1 if not).
    Verify {
        /// The report.json to verify.
        report: PathBuf,
    },
    /// Compare two open-weight checkpoints (HF directory, .safetensors or
    /// .gguf; or a saved fingerprint): copy, derivative or unrelated?
    Weights(WeightsArgs),
    /// Save the weight fingerprint of one checkpoint as JSON.
    Fingerprint(FingerprintArgs),
    /// Re-save a checkpoint as HF safetensors or GGUF: cast, dequantize,
    /// or permute hidden units and heads (function-preserving).
    Transform(TransformArgs),
    /// Fit a likelihood-ratio calibration on labelled known cases and
    /// validate it leave-one-model-out; writes calibration.json for
    /// `compare --calibration`.
    Calibrate(CalibrateArgs),
    /// Compare every pair of many models: calibrated excess-similarity
    /// matrices, each model's most likely teacher and a lineage tree.
    Matrix(MatrixArgs),
    /// Answer probes with a local open-weight model (Hugging Face directory
    /// or GGUF); writes canonical JSONL with per-token logprobs.
    Probe(ProbeArgs),
    /// Teacher-forced log-likelihood a local model assigns to each response
    /// of a dataset; writes one JSON line per scored record.
    Score(ScoreArgs),
}

#[derive(Debug, Args)]
pub struct WeightsArgs {
    /// Model A (the suspected origin).
    pub a: PathBuf,
    /// Model B (the suspected copy or derivative).
    pub b: PathBuf,
    /// Output directory for report.json and report.md.
    #[arg(long, short)]
    pub out: PathBuf,
    /// Significance level of the verdict.
    #[arg(long, default_value_t = 0.01)]
    pub alpha: f64,
    /// Seed of every random stream.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Singular values per matrix when a fingerprint is computed.
    #[arg(long, default_value_t = 8)]
    pub top_k: usize,
}

#[derive(Debug, Args)]
pub struct FingerprintArgs {
    /// Checkpoint: HF directory, .safetensors or .gguf.
    pub input: PathBuf,
    /// Output JSON file, written atomically.
    #[arg(long, short)]
    pub out: PathBuf,
    /// Seed of the randomized SVD.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Singular values per matrix (0: moments only).
    #[arg(long, default_value_t = 8)]
    pub top_k: usize,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum DtypeArg {
    F32,
    F16,
    Bf16,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum WeightsFormatArg {
    Safetensors,
    Gguf,
}

#[derive(Debug, Args)]
pub struct TransformArgs {
    /// Source checkpoint: HF directory, .safetensors or .gguf.
    pub src: PathBuf,
    /// Output directory.
    #[arg(long, short)]
    pub out: PathBuf,
    /// Target dtype (default: the source's float type, f32 for quantized).
    #[arg(long, value_enum)]
    pub dtype: Option<DtypeArg>,
    /// Permute MLP units and attention heads with this seed.
    #[arg(long)]
    pub permute_seed: Option<u64>,
    /// Fold every RMSNorm weight into the linear layers that read it.
    #[arg(long)]
    pub fold_norms: bool,
    /// Rotate the residual stream by a random orthogonal matrix (implies --fold-norms).
    #[arg(long)]
    pub rotate_seed: Option<u64>,
    /// Scale up/down, v/o and q/k channel pairs by random inverse factors.
    #[arg(long)]
    pub scale_seed: Option<u64>,
    /// Output format.
    #[arg(long, value_enum, default_value = "safetensors")]
    pub format: WeightsFormatArg,
}

#[derive(Debug, Args)]
pub struct MatrixArgs {
    /// Datasets to analyse: files or directories, PATH or NAME=PATH.
    #[arg(required = true)]
    pub inputs: Vec<String>,
    /// Calibration-only panel datasets: files or directories (repeatable).
    #[arg(long = "reference", short = 'r', num_args = 1..)]
    pub references: Vec<String>,
    /// Output directory for matrix.json, matrix.csv and matrix.html.
    #[arg(long, short)]
    pub out: PathBuf,
    /// Fingerprint cache directory (default: OUT/.lineage-cache).
    #[arg(long)]
    pub cache: Option<PathBuf>,
    /// Fingerprint only the K-th of N slices of the inputs into the cache,
    /// then stop (for cluster job arrays; see docs/scaling.md).
    #[arg(long, value_name = "K/N")]
    pub shard: Option<String>,
    /// Significance level.
    #[arg(long, default_value_t = 0.01)]
    pub alpha: f64,
    /// Seed of every random stream.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Force the input format instead of sniffing it.
    #[arg(long, value_enum)]
    pub format: Option<Format>,
    /// Sign-flip resamples per test.
    #[arg(long, default_value_t = Resampling::MATRIX.resamples)]
    pub resamples: usize,
    /// Bootstrap resamples per confidence interval.
    #[arg(long, default_value_t = Resampling::MATRIX.bootstrap)]
    pub bootstrap: usize,
    #[command(flatten)]
    pub limits: LimitArgs,
    #[command(flatten)]
    pub read: ReadArgs,
}

#[derive(Debug, Args)]
pub struct ProbeArgs {
    /// Model: Hugging Face directory (config.json, *.safetensors,
    /// tokenizer.json) or .gguf file.
    #[arg(long)]
    pub model: PathBuf,
    /// Probes: canonical JSONL with probe_id and prompt, or `builtin` for
    /// the built-in suite.
    #[arg(long)]
    pub probes: PathBuf,
    /// Output JSONL, written atomically.
    #[arg(long, short)]
    pub out: PathBuf,
    /// Keep only the first N probes (after --category).
    #[arg(long)]
    pub limit: Option<usize>,
    /// Keep only probes of this category (repeatable).
    #[arg(long = "category")]
    pub categories: Vec<String>,
    /// Most tokens generated per answer.
    #[arg(long, default_value_t = 256)]
    pub max_new_tokens: usize,
    /// Sampling temperature; 0 is greedy decoding.
    #[arg(long, default_value_t = 0.0)]
    pub temperature: f64,
    /// Nucleus sampling: keep the most likely tokens holding this mass.
    #[arg(long, default_value_t = 1.0)]
    pub top_p: f64,
    /// Answers per probe.
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..=10_000))]
    pub samples: u32,
    /// Alternatives recorded at every generated token.
    #[arg(long, default_value_t = 5)]
    pub top_logprobs: usize,
    /// Seed of the sampling streams.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Answers generated together (one forward pass per token for all).
    #[arg(long, default_value_t = 8, value_parser = clap::value_parser!(u32).range(1..=1024))]
    pub batch: u32,
    #[command(flatten)]
    pub run: ModelRunArgs,
}

#[derive(Debug, Args)]
pub struct ScoreArgs {
    /// Model: Hugging Face directory or .gguf file.
    #[arg(long)]
    pub model: PathBuf,
    /// Responses to score (any supported input format).
    #[arg(long)]
    pub responses: PathBuf,
    /// Output JSONL, written atomically.
    #[arg(long, short)]
    pub out: PathBuf,
    /// Record the model's top-K next tokens at every response position.
    #[arg(long)]
    pub top_logprobs: Option<usize>,
    /// Padded tokens per forward pass (larger: faster, more memory).
    #[arg(long, default_value_t = 2048)]
    pub batch_tokens: usize,
    #[command(flatten)]
    pub run: ModelRunArgs,
}

/// Options shared by the commands that run a model.
#[derive(Debug, Args)]
pub struct ModelRunArgs {
    /// Model name written in the records (default: the file or directory name).
    #[arg(long)]
    pub name: Option<String>,
    /// Where the network runs (cuda needs a build with `--features cuda`).
    #[arg(long, value_enum, default_value_t = crate::model::DeviceKind::Cpu)]
    pub device: crate::model::DeviceKind,
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
    /// Flag labels whose probability is below P (`"uncertain": true`) and
    /// count them.
    #[arg(long, value_name = "P")]
    pub min_confidence: Option<f64>,
    #[command(flatten)]
    pub limits: LimitArgs,
    #[command(flatten)]
    pub read: ReadArgs,
}

#[derive(Debug, Args)]
pub struct RefusalsTrainArgs {
    /// Directory of labelled CSV files (columns prompt, completion,
    /// final_label), one per model set-up.
    #[arg(long)]
    pub data: PathBuf,
    /// Model file to write (JSON, atomically).
    #[arg(long, short)]
    pub out: PathBuf,
    /// L2 penalty.
    #[arg(long, default_value_t = crate::fingerprint::refusal::train::LAMBDA)]
    pub lambda: f64,
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
    /// Student datasets: PATH, NAME=PATH or a directory of data files. With
    /// more than one, each student's reports go to OUT/<student>/ and
    /// OUT/summary.tsv lists the verdicts.
    #[arg(required = true, num_args = 1..)]
    pub students: Vec<String>,
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
    #[arg(long, default_value_t = Resampling::COMPARE.resamples)]
    pub resamples: usize,
    /// Bootstrap resamples per confidence interval.
    #[arg(long, default_value_t = Resampling::COMPARE.bootstrap)]
    pub bootstrap: usize,
    /// Write the HTML report here instead of OUT/report.html.
    #[arg(long)]
    pub html: Option<PathBuf>,
    /// Score files of `lineage score` (repeatable): adds the `distribution`
    /// family, which then decides. Scorer and responder names must be the
    /// model names used here.
    #[arg(long = "scores", num_args = 1..)]
    pub scores: Vec<PathBuf>,
    /// Calibration file of `lineage calibrate`: each candidate gets a
    /// likelihood ratio and the calibrated rule decides. Refused when the
    /// panel or probes differ from the calibration's.
    #[arg(long)]
    pub calibration: Option<PathBuf>,
    #[command(flatten)]
    pub limits: LimitArgs,
    #[command(flatten)]
    pub read: ReadArgs,
}

#[derive(Debug, Args)]
pub struct CalibrateArgs {
    /// Labels TSV (repeatable): `student<TAB>family<TAB>relation`, or a
    /// `MANIFEST.tsv` of `lineage simulate`; each student's data file
    /// (`<student>.json`, `.jsonl` or `.csv`) lies beside it.
    #[arg(long = "labels", required = true, num_args = 1..)]
    pub labels: Vec<PathBuf>,
    /// Candidate teacher dataset (repeatable): PATH or NAME=PATH.
    #[arg(long = "teacher", short = 't', required = true)]
    pub teachers: Vec<String>,
    /// Reference-panel datasets: files or directories (repeatable).
    #[arg(long = "reference", short = 'r', num_args = 1.., required = true)]
    pub references: Vec<String>,
    /// `model<TAB>family` file naming each candidate's family (default:
    /// a candidate's family is its name).
    #[arg(long)]
    pub families: Option<PathBuf>,
    /// A label family matching several candidate families (repeatable):
    /// FAMILY=F1,F2.
    #[arg(long = "alias")]
    pub aliases: Vec<String>,
    /// A (student, candidate) pair related otherwise, left out of the
    /// known cases (repeatable): STUDENT=CANDIDATE.
    #[arg(long = "related")]
    pub related: Vec<String>,
    /// Pairs of a student and another family of its teacher's vendor
    /// (`openai-gpt-3.5` and `openai-gpt-4`) are related, not unrelated:
    /// left out of the known cases.
    #[arg(long)]
    pub same_vendor_related: bool,
    /// Output directory for calibration.json, .md, .html and pairs.tsv.
    #[arg(long, short)]
    pub out: PathBuf,
    /// Seed of every random stream of the comparisons.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// L2 penalty of the logistic regression.
    #[arg(long, default_value_t = crate::compare::calibration::fit::LAMBDA)]
    pub lambda: f64,
    /// Decision threshold in log10 LR for `distilled-from`.
    #[arg(long, default_value_t = crate::compare::calibration::fit::DECISION_LOG10_LR)]
    pub threshold: f64,
    /// Pair scores to fuse, comma-separated (default: the documented set;
    /// every score is listed in the report's `pair_scores`).
    #[arg(long, value_delimiter = ',')]
    pub features: Vec<String>,
    /// Force the input format instead of sniffing it.
    #[arg(long, value_enum)]
    pub format: Option<Format>,
    #[command(flatten)]
    pub limits: LimitArgs,
    #[command(flatten)]
    pub read: ReadArgs,
}

/// Options some input formats take (docs/formats.md), shared by every
/// command that reads datasets.
#[derive(Debug, Args)]
pub struct ReadArgs {
    /// FastChat question file (default: question.jsonl beside the answers'
    /// folder, as MT-Bench and Arena-Hard publish them).
    #[arg(long, value_name = "FILE")]
    pub questions: Option<PathBuf>,
    /// messages/sharegpt: every user/assistant exchange of a conversation,
    /// not only the first.
    #[arg(long)]
    pub all_turns: bool,
    /// Parquet/CSV prompt column (default: prompt, instruction, question or input).
    #[arg(long, value_name = "NAME")]
    pub prompt_column: Option<String>,
    /// Parquet/CSV response column (default: response, completion, output or answer).
    #[arg(long, value_name = "NAME")]
    pub response_column: Option<String>,
}

impl ReadArgs {
    pub fn options(&self) -> crate::input::ReadOptions {
        crate::input::ReadOptions {
            questions: self.questions.clone(),
            all_turns: self.all_turns,
            prompt_column: self.prompt_column.clone(),
            response_column: self.response_column.clone(),
        }
    }
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
    /// Most bytes of extra (metadata) columns and fields kept per file.
    #[arg(long, default_value_t = Limits::default().max_metadata_bytes)]
    pub max_metadata_bytes: usize,
}

impl LimitArgs {
    pub fn limits(&self) -> Limits {
        Limits {
            max_file_bytes: self.max_file_bytes,
            max_line_bytes: self.max_line_bytes,
            max_records: self.max_records,
            max_json_depth: self.max_json_depth,
            max_metadata_bytes: self.max_metadata_bytes,
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
    /// Teachers (scale tests; the example data use the default).
    #[arg(long, default_value_t = crate::synth::SynthConfig::default().teachers)]
    pub teachers: usize,
    /// Students per teacher.
    #[arg(long, default_value_t = crate::synth::SynthConfig::default().students_per_teacher)]
    pub students_per_teacher: usize,
    /// Models unrelated to every teacher.
    #[arg(long, default_value_t = crate::synth::SynthConfig::default().independents)]
    pub independents: usize,
    /// Reference-panel models.
    #[arg(long, default_value_t = crate::synth::SynthConfig::default().panel)]
    pub panel: usize,
}

/// A validated command.
#[derive(Debug)]
pub enum Command {
    Compare {
        cfg: CompareConfig,
        out: PathBuf,
        /// Where the HTML report goes (default OUT/report.html).
        html: Option<PathBuf>,
    },
    /// Several students against the same candidates and panel, in one
    /// process (`cfg.student` is the first of `students`).
    CompareBatch {
        cfg: CompareConfig,
        students: Vec<ModelSpec>,
        out: PathBuf,
    },
    Matrix {
        cfg: crate::matrix::MatrixConfig,
        out: PathBuf,
    },
    Calibrate {
        cfg: crate::compare::calibration::fit::CalibrateConfig,
        out: PathBuf,
    },
    Simulate(SimulateArgs),
    Verify(PathBuf),
    Refusals {
        input: PathBuf,
        format: Option<Format>,
        limits: Limits,
        read: crate::input::ReadOptions,
        out: Option<PathBuf>,
        min_confidence: Option<f64>,
    },
    RefusalsTrain {
        data: PathBuf,
        out: PathBuf,
        lambda: f64,
    },
    ProbesList,
    Weights {
        a: PathBuf,
        b: PathBuf,
        out: PathBuf,
        params: crate::weights::report::Parameters,
    },
    Fingerprint {
        input: PathBuf,
        out: PathBuf,
        seed: u64,
        top_k: usize,
    },
    Transform(crate::weights::transform::TransformConfig),
    ProbesExport {
        to: ExportFormat,
        /// Empty for canonical JSONL, which names no model.
        model: String,
        samples: u32,
        out: PathBuf,
    },
    Probe(crate::model::command::ProbeConfig),
    Score(crate::model::command::ScoreConfig),
}

/// Validate the parsed command line.
pub fn resolve(cli: CliCommand) -> Result<Command, UsageError> {
    match cli {
        CliCommand::Compare(a) => resolve_compare(a),
        CliCommand::Simulate(a) => Ok(Command::Simulate(a)),
        CliCommand::Verify { report } => Ok(Command::Verify(report)),
        CliCommand::Matrix(a) => resolve_matrix(a),
        CliCommand::Calibrate(a) => resolve_calibrate(a),
        CliCommand::Refusals(a) => {
            if let Some(p) = a.min_confidence.filter(|p| !(0.0..=1.0).contains(p)) {
                return Err(UsageError(format!(
                    "--min-confidence must be between 0 and 1, got {p}"
                )));
            }
            Ok(Command::Refusals {
                input: a.input,
                format: a.format,
                limits: a.limits.limits(),
                read: a.read.options(),
                out: a.out,
                min_confidence: a.min_confidence,
            })
        }
        CliCommand::RefusalsTrain(a) => {
            if !(a.lambda > 0.0 && a.lambda.is_finite()) {
                return Err(UsageError(format!(
                    "--lambda must be positive, got {}",
                    a.lambda
                )));
            }
            Ok(Command::RefusalsTrain {
                data: a.data,
                out: a.out,
                lambda: a.lambda,
            })
        }
        CliCommand::Probes(ProbesCommand::List) => Ok(Command::ProbesList),
        CliCommand::Probes(ProbesCommand::Export(a)) => resolve_export(a),
        CliCommand::Weights(a) => resolve_weights(a),
        CliCommand::Fingerprint(a) => Ok(Command::Fingerprint {
            input: a.input,
            out: a.out,
            seed: a.seed,
            top_k: a.top_k.min(256),
        }),
        CliCommand::Transform(a) => resolve_transform(a),
        CliCommand::Probe(a) => resolve_probe(a),
        CliCommand::Score(a) => resolve_score(a),
    }
}

fn resolve_weights(a: WeightsArgs) -> Result<Command, UsageError> {
    check_alpha(a.alpha)?;
    Ok(Command::Weights {
        a: a.a,
        b: a.b,
        out: a.out,
        params: crate::weights::report::Parameters {
            seed: a.seed,
            alpha: a.alpha,
            top_k: a.top_k.min(256),
        },
    })
}

fn resolve_transform(a: TransformArgs) -> Result<Command, UsageError> {
    use crate::weights::{transform, DType};
    if a.out.exists() && a.src.exists() && same_path(&a.out, &a.src) {
        return Err(UsageError("--out must differ from the source".into()));
    }
    Ok(Command::Transform(transform::TransformConfig {
        src: a.src,
        out: a.out,
        dtype: a.dtype.map(|d| match d {
            DtypeArg::F32 => DType::F32,
            DtypeArg::F16 => DType::F16,
            DtypeArg::Bf16 => DType::Bf16,
        }),
        permute_seed: a.permute_seed,
        reparam: crate::weights::reparam::ReparamConfig {
            fold_norms: a.fold_norms,
            rotate_seed: a.rotate_seed,
            scale_seed: a.scale_seed,
        },
        format: match a.format {
            WeightsFormatArg::Safetensors => transform::OutFormat::Safetensors,
            WeightsFormatArg::Gguf => transform::OutFormat::Gguf,
        },
    }))
}

fn same_path(a: &Path, b: &Path) -> bool {
    matches!((a.canonicalize(), b.canonicalize()), (Ok(x), Ok(y)) if x == y)
}

/// Most alternatives per position (OpenAI allows 20; more only bloats).
const MAX_TOP_LOGPROBS: usize = 100;

fn resolve_probe(a: ProbeArgs) -> Result<Command, UsageError> {
    if !(a.temperature.is_finite() && a.temperature >= 0.0) {
        return Err(UsageError(
            "--temperature must be 0 (greedy) or positive".into(),
        ));
    }
    if !(a.top_p > 0.0 && a.top_p <= 1.0) {
        return Err(UsageError("--top-p must lie in (0, 1]".into()));
    }
    if a.top_logprobs > MAX_TOP_LOGPROBS || a.max_new_tokens == 0 {
        return Err(UsageError(format!(
            "--top-logprobs must be at most {MAX_TOP_LOGPROBS} and --max-new-tokens at least 1"
        )));
    }
    Ok(Command::Probe(crate::model::command::ProbeConfig {
        model: a.model,
        probes: a.probes,
        out: a.out,
        limit: a.limit,
        categories: a.categories,
        samples: a.samples,
        batch: a.batch as usize,
        gen: crate::model::generate::GenConfig {
            max_new_tokens: a.max_new_tokens,
            temperature: a.temperature,
            top_p: a.top_p,
            top_logprobs: a.top_logprobs,
            seed: a.seed,
        },
        name: a.run.name,
        device: a.run.device,
    }))
}

fn resolve_score(a: ScoreArgs) -> Result<Command, UsageError> {
    if a.top_logprobs
        .is_some_and(|k| k == 0 || k > MAX_TOP_LOGPROBS)
        || a.batch_tokens == 0
    {
        return Err(UsageError(format!(
            "--top-logprobs must lie in 1..={MAX_TOP_LOGPROBS} and --batch-tokens be positive"
        )));
    }
    Ok(Command::Score(crate::model::command::ScoreConfig {
        model: a.model,
        responses: a.responses,
        out: a.out,
        top_logprobs: a.top_logprobs,
        batch_tokens: a.batch_tokens,
        name: a.run.name,
        device: a.run.device,
    }))
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
    check_alpha(a.alpha)?;
    let mut references = Vec::new();
    for r in &a.references {
        references.extend(expand_reference(r)?);
    }
    let mut students = Vec::new();
    for s in &a.students {
        students.extend(expand_reference(s)?);
    }
    let mut cfg = CompareConfig::new(
        students[0].clone(),
        a.teachers
            .iter()
            .map(|t| model_spec(t))
            .collect::<Result<_, _>>()?,
        references,
    );
    cfg.alpha = a.alpha;
    cfg.resampling = cfg.resampling.with_counts(a.seed, a.resamples, a.bootstrap);
    cfg.format = a.format;
    cfg.limits = a.limits.limits();
    cfg.read = a.read.options();
    cfg.scores = a.scores;
    cfg.calibration = a.calibration;
    check_unique(&cfg)?;
    if students.len() > 1 {
        return crate::batch::resolve(cfg, students, a.out, a.html);
    }
    Ok(Command::Compare {
        cfg,
        out: a.out,
        html: a.html,
    })
}

fn resolve_calibrate(a: CalibrateArgs) -> Result<Command, UsageError> {
    use crate::compare::calibration::{fit::CalibrateConfig, labels::Families};
    let mut references = Vec::new();
    for r in &a.references {
        references.extend(expand_reference(r)?);
    }
    let pair = |flag: &str, v: &str| -> Result<(String, String), UsageError> {
        v.split_once('=')
            .filter(|(a, b)| !a.is_empty() && !b.is_empty())
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .ok_or_else(|| UsageError(format!("--{flag} expects A=B, got `{v}`")))
    };
    let mut families = Families::default();
    for v in &a.aliases {
        let (k, list) = pair("alias", v)?;
        families
            .aliases
            .insert(k, list.split(',').map(str::to_string).collect());
    }
    for v in &a.related {
        families.related.push(pair("related", v)?);
    }
    families.vendor_related = a.same_vendor_related;
    if !(a.lambda >= 0.0 && a.lambda.is_finite()) {
        return Err(UsageError(format!(
            "--lambda must be >= 0, got {}",
            a.lambda
        )));
    }
    if !a.threshold.is_finite() {
        return Err(UsageError("--threshold must be a number".into()));
    }
    let cfg = CalibrateConfig {
        labels: a.labels,
        teachers: a
            .teachers
            .iter()
            .map(|t| model_spec(t))
            .collect::<Result<_, _>>()?,
        references,
        families_file: a.families,
        families,
        format: a.format,
        limits: a.limits.limits(),
        seed: a.seed,
        lambda: a.lambda,
        decision_log10_lr: a.threshold,
        features: if a.features.is_empty() {
            crate::compare::calibration::fit::FEATURES
                .iter()
                .map(|s| s.to_string())
                .collect()
        } else {
            a.features
        },
    };
    Ok(Command::Calibrate { cfg, out: a.out })
}

fn resolve_matrix(a: MatrixArgs) -> Result<Command, UsageError> {
    check_alpha(a.alpha)?;
    let mut inputs = Vec::new();
    for i in &a.inputs {
        inputs.extend(expand_reference(i)?);
    }
    let mut references = Vec::new();
    for r in &a.references {
        references.extend(expand_reference(r)?);
    }
    let cache = a.cache.unwrap_or_else(|| a.out.join(".lineage-cache"));
    let mut cfg = crate::matrix::MatrixConfig::new(inputs, references, cache);
    cfg.shard = a.shard.as_deref().map(parse_shard).transpose()?;
    cfg.alpha = a.alpha;
    cfg.resampling = cfg.resampling.with_counts(a.seed, a.resamples, a.bootstrap);
    cfg.format = a.format;
    cfg.limits = a.limits.limits();
    cfg.read = a.read.options();
    let mut seen = std::collections::BTreeSet::new();
    for m in cfg.inputs.iter().chain(&cfg.references) {
        if !seen.insert(m.name.as_str()) {
            return Err(UsageError(format!(
                "model name `{}` is used twice; name one of them with NAME=PATH",
                m.name
            )));
        }
    }
    if cfg.shard.is_none() && cfg.inputs.len() < 2 {
        return Err(UsageError(
            "matrix needs at least two input datasets".into(),
        ));
    }
    Ok(Command::Matrix { cfg, out: a.out })
}

/// Parse `K/N` with 1 <= K <= N.
pub fn parse_shard(s: &str) -> Result<(usize, usize), UsageError> {
    let bad = || UsageError(format!("--shard must be K/N with 1 <= K <= N, got `{s}`"));
    let (k, n) = s.split_once('/').ok_or_else(bad)?;
    let (k, n): (usize, usize) = (
        k.trim().parse().map_err(|_| bad())?,
        n.trim().parse().map_err(|_| bad())?,
    );
    if k == 0 || k > n {
        return Err(bad());
    }
    Ok((k, n))
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

/// The model's name: the file stem, or the folder of an AlpacaEval
/// `model_outputs.json` (`crate::input::tree::model_name`).
fn stem(p: &Path) -> Result<String, UsageError> {
    crate::input::tree::model_name(p).ok_or_else(|| {
        UsageError(format!(
            "cannot name a model after {}: give NAME=PATH",
            p.display()
        ))
    })
}

/// A reference argument: a file, or every dataset in a directory (its
/// data files and the `model_outputs.json` of each subfolder, as in an
/// AlpacaEval `results/` tree; `crate::input::tree`), sorted so that the
/// panel order and hence the report do not depend on the file system.
fn expand_reference(arg: &str) -> Result<Vec<ModelSpec>, UsageError> {
    let spec = model_spec(arg)?;
    if !spec.path.is_dir() {
        return Ok(vec![spec]);
    }
    let files = crate::input::tree::dataset_files(&spec.path)
        .map_err(|e| UsageError(format!("cannot list {}: {e}", spec.path.display())))?;
    if files.is_empty() {
        return Err(UsageError(format!(
            "{}: no .json, .jsonl, .csv or .parquet files in this directory, \
             and no subfolder with a model_outputs.json",
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

/// Significance levels outside (0, 1) make no test meaningful.
fn check_alpha(alpha: f64) -> Result<(), UsageError> {
    if alpha > 0.0 && alpha < 1.0 {
        Ok(())
    } else {
        Err(UsageError(format!(
            "--alpha must lie in (0, 1), got {alpha}"
        )))
    }
}

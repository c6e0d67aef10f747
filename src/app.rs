//! Running a resolved [`Command`]: the glue between the CLI and the library.

use std::io::Write;
use std::path::Path;

use anyhow::Context;
use rayon::prelude::*;
use serde::Serialize;

use crate::cli::Command;
use crate::fingerprint::refusal::{classify_with_prompt, RefusalLabel};
use crate::input::{self, Record};
use crate::progress::Progress;
use crate::{compare, probes, report, synth};

/// Run `cmd`; returns the process exit code on success.
pub fn run(cmd: Command, progress: Progress, quiet: bool) -> anyhow::Result<i32> {
    match cmd {
        Command::Compare { cfg, out, html } => {
            let datasets =
                compare::load_all(&cfg, &progress).context("cannot run the comparison")?;
            let scores = compare::load_scores(&cfg).context("cannot read the score files")?;
            let (mut rep, detail) = compare::analyse_with(&cfg, &datasets, &scores, &progress);
            compare::calibrate_report(&cfg, &datasets, &mut rep)?;
            let page = report::html::compare::CompareHtml {
                detail: Some(detail),
            };
            let mut written = match &html {
                None => {
                    let mut w = report::default_writers();
                    w.push(Box::new(page));
                    report::write_all(&out, &rep, &w)?
                }
                Some(path) => {
                    let bytes = report::ReportWriter::render(&page, &rep)?;
                    let w = report::write_all(&out, &rep, &report::default_writers())?;
                    report::atomic::write(path, &bytes)?;
                    w
                }
            };
            written.extend(html);
            let v = &rep.verdict;
            println!(
                "{}: {}{}",
                rep.student,
                v.label,
                v.teacher
                    .as_deref()
                    .map(|t| format!(" {t}"))
                    .unwrap_or_default()
            );
            if !quiet {
                for p in written {
                    eprintln!("wrote {}", p.display());
                }
            }
            Ok(crate::error::EXIT_OK)
        }
        Command::Calibrate { cfg, out } => {
            let (cal, scores) = compare::calibration::fit::run(&cfg, &progress)
                .context("cannot fit the calibration")?;
            let written = report::calibration::write_all(&out, &cal, &scores)?;
            let v = &cal.validation;
            println!(
                "calibration: Cllr {:.3} (min {:.3}) leave-one-model-out over {} known pairs of {} models; log10 LR bounds [{:.2}, {:.2}]",
                v.cllr, v.cllr_min, v.h1_pairs + v.h2_pairs, v.models,
                cal.log10_lr_bounds[0], cal.log10_lr_bounds[1]
            );
            if !quiet {
                for p in written {
                    eprintln!("wrote {}", p.display());
                }
            }
            Ok(crate::error::EXIT_OK)
        }
        Command::CompareBatch { cfg, students, out } => {
            crate::batch::run(&cfg, &students, &out, &progress, quiet)
        }
        Command::Simulate(a) => {
            let files = synth::write_corpus_with(
                &a.out,
                &synth::SynthConfig {
                    seed: a.seed,
                    probes: a.probes,
                    teachers: a.teachers,
                    students_per_teacher: a.students_per_teacher,
                    independents: a.independents,
                    panel: a.panel,
                    ..synth::SynthConfig::default()
                },
            )?;
            if !quiet {
                eprintln!("wrote {} datasets to {}", files.len(), a.out.display());
            }
            Ok(crate::error::EXIT_OK)
        }
        Command::RefusalsTrain { data, out, lambda } => refusals_train(&data, &out, lambda, quiet),
        Command::Refusals {
            input,
            format,
            limits,
            read,
            out,
            min_confidence,
        } => {
            let name = input
                .file_stem()
                .map_or("input".into(), |s| s.to_string_lossy().into_owned());
            let ds = input::load_with(&name, &input, format, &limits, &read)?;
            let (bytes, tally) = refusal_lines(&ds.records, min_confidence)?;
            emit(out.as_deref(), &bytes)?;
            if !quiet {
                let [c, f, p, u] = tally;
                let uncertain = min_confidence
                    .map(|m| format!(", {u} below probability {m}"))
                    .unwrap_or_default();
                eprintln!(
                    "{}: {} records ({} format): {c} full_compliance, {f} full_refusal, {p} partial_refusal{uncertain}{}",
                    input.display(),
                    ds.records.len(),
                    ds.format.as_str(),
                    out.map(|o| format!("; wrote {}", o.display())).unwrap_or_default()
                );
            }
            Ok(crate::error::EXIT_OK)
        }
        Command::Verify(path) => verify(&path, &progress),
        Command::Weights { a, b, out, params } => {
            let rep = crate::weights::report::run(&a, &b, params, &progress)?;
            let written = crate::report::weights::write(&out, &rep)?;
            println!(
                "{}: {} (p = {})",
                b.display(),
                rep.verdict.label.as_str(),
                rep.verdict
                    .p_value
                    .map_or("n/a".into(), |p| format!("{p:.3e}"))
            );
            if !quiet {
                for p in written {
                    eprintln!("wrote {}", p.display());
                }
            }
            Ok(crate::error::EXIT_OK)
        }
        Command::Fingerprint {
            input,
            out,
            seed,
            top_k,
        } => {
            let ck = crate::weights::Checkpoint::open(&input)?;
            let files = crate::weights::report::hash_files(&ck, &progress)?;
            let fp = crate::weights::fingerprint::compute(&ck, files, seed, top_k, &progress)?;
            let mut bytes = serde_json::to_vec_pretty(&fp)?;
            bytes.push(b'\n');
            report::atomic::write(&out, &bytes)?;
            if !quiet {
                eprintln!("wrote {} ({} tensors)", out.display(), fp.tensors.len());
            }
            Ok(crate::error::EXIT_OK)
        }
        Command::Transform(cfg) => {
            let written = crate::weights::transform::run(&cfg)?;
            if !quiet {
                for p in written {
                    eprintln!("wrote {}", p.display());
                }
            }
            Ok(crate::error::EXIT_OK)
        }
        Command::Matrix { cfg, out } => matrix(&cfg, &out, &progress, quiet),
        Command::Probe(cfg) => {
            crate::model::command::run_probe(&cfg, &progress, quiet)?;
            Ok(crate::error::EXIT_OK)
        }
        Command::Score(cfg) => {
            crate::model::command::run_score(&cfg, &progress, quiet)?;
            Ok(crate::error::EXIT_OK)
        }
        Command::ProbesList => {
            let suite = probes::builtin();
            let mut s = String::new();
            for (cat, members) in probes::list_by_category(&suite) {
                s.push_str(&format!("{cat} ({} probes)\n", members.len()));
                for p in members {
                    s.push_str(&format!(
                        "  {:<28} {}  {}\n",
                        p.probe_id, p.language, p.purpose
                    ));
                }
            }
            let cats = probes::list_by_category(&suite).len();
            s.push_str(&format!("{} probes in {cats} categories\n", suite.len()));
            emit(None, s.as_bytes())?;
            Ok(crate::error::EXIT_OK)
        }
        Command::ProbesExport {
            to,
            model,
            samples,
            out,
        } => {
            let suite = probes::builtin();
            let mut bytes = Vec::new();
            probes::export(&suite, to, &model, samples, &mut bytes)
                .context("cannot render the request file")?;
            report::atomic::write(&out, &bytes)?;
            if !quiet {
                let lines = bytes.iter().filter(|&&b| b == b'\n').count();
                eprintln!(
                    "wrote {lines} lines ({} probes) to {}",
                    suite.len(),
                    out.display()
                );
            }
            Ok(crate::error::EXIT_OK)
        }
    }
}

/// One line of `lineage refusals` output.
#[derive(Serialize)]
struct LabelLine<'a> {
    probe_id: Option<&'a str>,
    label: &'static str,
    /// The model's probability of `label`, rounded to 4 decimals.
    probability: f64,
    /// The features that pushed most towards the label, joined by `+`.
    rule: String,
    /// Present (true) when `--min-confidence` is given and `probability`
    /// is below it.
    #[serde(skip_serializing_if = "Option::is_none")]
    uncertain: Option<bool>,
}

/// JSONL labels of `records`, in file order, and the count of each label
/// (compliance, full refusal, partial refusal) and of labels below
/// `min_confidence`. A missing response is classified as an empty one.
pub fn refusal_lines(
    records: &[Record],
    min_confidence: Option<f64>,
) -> anyhow::Result<(Vec<u8>, [usize; 4])> {
    let classes: Vec<_> = records
        .par_iter()
        .map(|r| classify_with_prompt(&r.prompt, r.response.as_deref().unwrap_or("")))
        .collect();
    let mut out = Vec::new();
    let mut tally = [0usize; 4];
    for (r, c) in records.iter().zip(&classes) {
        tally[match c.label {
            RefusalLabel::FullCompliance => 0,
            RefusalLabel::FullRefusal => 1,
            RefusalLabel::PartialRefusal => 2,
        }] += 1;
        let uncertain = min_confidence.map(|m| c.probability < m);
        tally[3] += usize::from(uncertain == Some(true));
        serde_json::to_writer(
            &mut out,
            &LabelLine {
                probe_id: r.probe_id.as_deref(),
                label: c.label.as_str(),
                probability: (c.probability * 1e4).round() / 1e4,
                rule: c.rule(),
                uncertain,
            },
        )?;
        out.push(b'\n');
    }
    Ok((out, tally))
}

/// `lineage refusals-train`: fit the refusal model on `data`, write it to
/// `out` and print its figures.
fn refusals_train(data: &Path, out: &Path, lambda: f64, quiet: bool) -> anyhow::Result<i32> {
    use crate::fingerprint::refusal::train;
    let files = train::load_dir(data)?;
    let command = format!(
        "lineage refusals-train --data DIR --out {} --lambda {lambda}",
        out.file_name()
            .map_or("FILE".into(), |f| f.to_string_lossy())
    );
    if let Some(p) = std::env::var_os("LINEAGE_DUMP_FEATURES") {
        // For inspection of the features (docs/methodology.md).
        report::atomic::write(Path::new(&p), &train::features_csv(&files))?;
    }
    let m = train::train(&files, lambda, &command);
    report::atomic::write(out, &train::to_bytes(&m))?;
    print!("{}", train::summary(&m));
    if !quiet {
        eprintln!("wrote {}", out.display());
    }
    Ok(crate::error::EXIT_OK)
}

/// Write `bytes` atomically to `out`, or to standard output (a closed pipe,
/// as with `| head`, is not an error).
fn emit(out: Option<&Path>, bytes: &[u8]) -> anyhow::Result<()> {
    match out {
        Some(p) => report::atomic::write(p, bytes),
        None => {
            let mut so = std::io::stdout().lock();
            match so.write_all(bytes).and_then(|_| so.flush()) {
                Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
                r => r.context("cannot write to standard output"),
            }
        }
    }
}

/// Run `matrix` (or one `--shard`) and write its outputs.
fn matrix(
    cfg: &crate::matrix::MatrixConfig,
    out: &Path,
    progress: &Progress,
    quiet: bool,
) -> anyhow::Result<i32> {
    if let Some((k, n)) = cfg.shard {
        let info = crate::matrix::run_shard(cfg, progress)?;
        println!(
            "shard {k}/{n}: {} fingerprinted, {} already cached in {}",
            info.fingerprinted,
            info.cache_hits,
            cfg.cache.display()
        );
        return Ok(crate::error::EXIT_OK);
    }
    let (rep, info) = crate::matrix::run(cfg, progress)?;
    let files = [
        ("matrix.json", rep.to_json()?),
        ("matrix.csv", rep.to_csv()?),
        ("matrix.html", report::html::matrix::render(&rep)?),
    ];
    std::fs::create_dir_all(out)
        .with_context(|| format!("cannot create output directory {}", out.display()))?;
    for (name, bytes) in &files {
        report::atomic::write(&out.join(name), bytes)?;
    }
    for t in &rep.teachers {
        println!(
            "{}: closest {}{}",
            t.model,
            t.teacher.as_deref().unwrap_or("-"),
            if t.significant { " (significant)" } else { "" }
        );
    }
    if !quiet {
        eprintln!(
            "{} models, {} probes; fingerprinted {}, cache hits {}; wrote {}/matrix.{{json,csv,html}}",
            rep.models.len(),
            rep.alignment.probes_analysed,
            info.fingerprinted,
            info.cache_hits,
            out.display()
        );
    }
    Ok(crate::error::EXIT_OK)
}

/// Print what `verify` found; exit 1 when anything differs.
fn verify(path: &std::path::Path, progress: &Progress) -> anyhow::Result<i32> {
    let outcome = crate::verify::verify(path, progress)?;
    for (p, why) in &outcome.changed_inputs {
        println!("input changed: {}: {why}", p.display());
    }
    for d in &outcome.differences {
        println!("differs: {d}");
    }
    if outcome.ok() {
        println!("verified: {} is reproduced byte for byte", path.display());
        Ok(crate::error::EXIT_OK)
    } else {
        println!("NOT verified: {}", path.display());
        Ok(crate::error::EXIT_DIFFERS)
    }
}

/// Exit code for an error chain: bad input anywhere in the chain wins.
/// (Here, on top of the layers, because it knows every module's errors.)
pub fn exit_code(err: &anyhow::Error) -> i32 {
    use crate::error::{UsageError, EXIT_BAD_INPUT, EXIT_FAILURE};
    use crate::{input::InputError, model::ModelError, weights::WeightsError};
    let bad_input = err.chain().any(|e| {
        e.is::<InputError>()
            || e.is::<UsageError>()
            || e.is::<WeightsError>()
            || e.is::<ModelError>()
            || e.is::<crate::compare::calibration::apply::Mismatch>()
    });
    if bad_input {
        EXIT_BAD_INPUT
    } else {
        EXIT_FAILURE
    }
}

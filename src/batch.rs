//! `lineage compare S1 S2 ... --out DIR`: many students against the same
//! candidates and panel in one process.
//!
//! Every dataset is loaded, hashed, tokenised and counted once
//! ([`crate::compare::prepared::Batch`]); each student is then compared as
//! a single `compare` would (its own alignment, weights and tests), so
//! `DIR/<student>/report.json` is byte for byte the single run's report and
//! `lineage verify` re-derives it. `DIR/summary.tsv` lists one row per
//! student (columns in docs/formats.md).

use std::path::{Path, PathBuf};

use anyhow::Context;
use rayon::prelude::*;

use crate::cli::Command;
use crate::compare::{self, prepared::Batch, CompareConfig, ModelSpec};
use crate::error::UsageError;
use crate::progress::Progress;
use crate::report::{self, schema::Report};

/// Header of `summary.tsv`.
pub const SUMMARY_HEADER: &str = "student\tverdict\tteacher\ttop_candidate\tstyle_excess\tp_value";

/// Check a batch command line: names unique across all roles, no `--html`
/// (each student gets `DIR/<student>/report.html`).
pub fn resolve(
    cfg: CompareConfig,
    students: Vec<ModelSpec>,
    out: PathBuf,
    html: Option<PathBuf>,
) -> Result<Command, UsageError> {
    if html.is_some() {
        return Err(UsageError(
            "--html names one file; with several students each report.html goes to OUT/<student>/"
                .into(),
        ));
    }
    let mut seen = std::collections::BTreeSet::new();
    for m in students.iter().chain(&cfg.teachers).chain(&cfg.references) {
        if !seen.insert(m.name.as_str()) {
            return Err(UsageError(format!(
                "model name `{}` is used twice; name one of them with NAME=PATH",
                m.name
            )));
        }
    }
    Ok(Command::CompareBatch { cfg, students, out })
}

/// Load everything, compare every student and write the reports and the
/// summary; prints one verdict line per student, as `compare` does.
pub fn run(
    cfg: &CompareConfig,
    students: &[ModelSpec],
    out: &Path,
    progress: &Progress,
    quiet: bool,
) -> anyhow::Result<i32> {
    let specs: Vec<&ModelSpec> = students
        .iter()
        .chain(&cfg.teachers)
        .chain(&cfg.references)
        .collect();
    let mut datasets =
        compare::load_specs(cfg, &specs, progress).context("cannot run the comparison")?;
    let scores = compare::load_scores(cfg).context("cannot read the score files")?;
    let shared = datasets.split_off(students.len());
    let spinner = progress.spinner("fingerprinting");
    let batch = Batch::new(&datasets, &shared);
    spinner.finish_and_clear();
    let bar = progress.bar(students.len() as u64, "students");
    // Students side by side: each comparison has serial stretches (the
    // decision, rendering, writing) that another student's work fills.
    // Each report depends on its own inputs only, so the order in which
    // they finish changes nothing; lines and rows are emitted in order.
    let done: Vec<anyhow::Result<(Report, Vec<PathBuf>)>> = students
        .par_iter()
        .enumerate()
        .map(|(i, spec)| {
            let mut one = cfg.clone();
            one.student = spec.clone();
            let (rep, detail) = batch.analyse(&one, i, &scores, &Progress::hidden());
            let files = write_report(&out.join(&spec.name), &rep, detail)?;
            bar.inc(1);
            Ok((rep, files))
        })
        .collect();
    bar.finish_and_clear();
    let mut rows = vec![SUMMARY_HEADER.to_string()];
    let mut written = Vec::new();
    for r in done {
        let (rep, files) = r?;
        println!("{}", verdict_line(&rep));
        rows.push(summary_row(&rep));
        written.extend(files);
    }
    let summary = out.join("summary.tsv");
    report::atomic::write(&summary, (rows.join("\n") + "\n").as_bytes())?;
    written.push(summary);
    if !quiet {
        for p in written {
            eprintln!("wrote {}", p.display());
        }
    }
    Ok(crate::error::EXIT_OK)
}

/// `report.json`, `report.md` and `report.html` in `dir`, as `compare`
/// writes them.
fn write_report(
    dir: &Path,
    rep: &Report,
    detail: compare::detail::Detail,
) -> anyhow::Result<Vec<PathBuf>> {
    let mut w = report::default_writers();
    w.push(Box::new(report::html::compare::CompareHtml {
        detail: Some(detail),
    }));
    report::write_all(dir, rep, &w)
}

/// `student: label [teacher]`, the line `compare` prints.
pub fn verdict_line(rep: &Report) -> String {
    let v = &rep.verdict;
    match &v.teacher {
        Some(t) => format!("{}: {} {t}", rep.student, v.label),
        None => format!("{}: {}", rep.student, v.label),
    }
}

/// One `summary.tsv` row: student, verdict label, teacher (`-` when none),
/// top-ranked candidate, its style excess and its p-value (`-` when
/// absent). Numbers are rounded as in `report.json` and written in the
/// shortest form that reads back as the same value.
pub fn summary_row(rep: &Report) -> String {
    let num = |x: f64| -> String {
        let r: f64 = format!("{x:.6e}").parse().unwrap_or(x);
        r.to_string()
    };
    let top = rep.candidates.first();
    let style = top
        .and_then(|c| c.families.get(compare::analysis::RANK_FAMILY))
        .map_or("-".into(), |f| num(f.excess.estimate));
    let cells = [
        rep.student.clone(),
        rep.verdict.label.clone(),
        rep.verdict.teacher.clone().unwrap_or_else(|| "-".into()),
        top.map_or("-".into(), |c| c.name.clone()),
        style,
        top.map_or("-".into(), |c| num(c.p_value)),
    ];
    cells
        .iter()
        .map(|c| c.replace(['\t', '\n', '\r'], " "))
        .collect::<Vec<_>>()
        .join("\t")
}

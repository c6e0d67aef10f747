//! `lineage calibrate`: fit a likelihood-ratio calibration on labelled
//! known cases and validate it by leave-one-model-out.
//!
//! Every labelled student is compared with every candidate against the
//! panel (candidates and panel are loaded once); each (student, candidate)
//! pair's scores ([`crate::compare::pairscore`]) and label
//! ([`super::labels`]) make one known case. The calibration is a
//! prior-weighted logistic regression ([`crate::stats::logistic`]). It is
//! validated the way it will be used, on models it has not seen: each
//! student's pairs are scored by a fit without that student (all of its
//! pairs left out together), and the pooled cross-validated LRs give
//! Cllr, Cllr_min, the equal error rate, the rates of misleading evidence
//! ([`crate::stats::cllr`]) and the empirical bounds
//! ([`crate::stats::elub`]).

use std::collections::BTreeMap;
use std::path::PathBuf;

use anyhow::Context;

use crate::compare::{self, CompareConfig, ModelSpec};
use crate::input::{self, Dataset, Format, Limits};
use crate::progress::Progress;
use crate::report::schema::Tool;
use crate::stats::{cllr, elub, logistic};

use super::cohort::Cohorts;
use super::file::*;
use super::labels::{self, Families, PairLabel, Student};

/// The pair scores a calibration uses by default, in order: the excess
/// similarity of the three text families, each normalised by the
/// candidate's cohort ([`super::cohort`]). Style carries the teacher's
/// habits; content enters as a covariate (a shared base model raises it);
/// near-duplicate passages are verbatim reuse.
pub const FEATURES: [&str; 3] = ["style.excess", "content.excess", "near_duplicate.excess"];

/// Default L2 penalty (on a total case weight of 1).
pub const LAMBDA: f64 = 0.01;

/// Default decision threshold: LR >= 10 ("moderate support" or more).
pub const DECISION_LOG10_LR: f64 = 1.0;

/// Everything `calibrate` needs.
#[derive(Debug, Clone)]
pub struct CalibrateConfig {
    pub labels: Vec<PathBuf>,
    pub teachers: Vec<ModelSpec>,
    pub references: Vec<ModelSpec>,
    /// `model<TAB>family` file read into `families.of` at run time.
    pub families_file: Option<PathBuf>,
    pub families: Families,
    pub format: Option<Format>,
    pub limits: Limits,
    pub seed: u64,
    pub lambda: f64,
    pub decision_log10_lr: f64,
    /// Pair scores to fuse (default [`FEATURES`]).
    pub features: Vec<String>,
}

/// Every pair score of one (student, candidate) pair, by name.
type Scores = BTreeMap<String, f64>;

/// One known case: a (student, candidate) pair with its label and scores.
#[derive(Debug, Clone, PartialEq)]
pub struct Case {
    /// Index of the student in the list of students.
    pub student: usize,
    pub candidate: String,
    pub label: PairLabel,
    pub scores: Vec<f64>,
}

/// The fitted and validated model of a set of known cases.
pub struct Fitted {
    /// Cohorts of the known unrelated students, by candidate.
    pub cohorts: Cohorts,
    /// The logistic regression on cohort-normalised scores.
    pub fit: logistic::Fit,
    pub validation: Validation,
    /// ELUB bounds of the cross-validated log10 LRs.
    pub bounds: (f64, f64),
}

/// Fit on `cases` and validate leave-one-model-out; `students` names the
/// students the cases' indices refer to.
pub fn fit_cases(
    students: &[String],
    cases: &[Case],
    lambda: f64,
    decision_log10_lr: f64,
) -> anyhow::Result<Fitted> {
    let mut validation = validate(students, cases, lambda, decision_log10_lr)?;
    let known: Vec<&Case> = cases
        .iter()
        .filter(|c| c.label != PairLabel::Related)
        .collect();
    let h1: Vec<bool> = known.iter().map(|c| c.label == PairLabel::H1).collect();
    let (cohorts, fit) = fit_normalised(&known, lambda);
    let in_sample: Vec<f64> = known.iter().map(|c| log10_lr(&cohorts, &fit, c)).collect();
    validation.cllr_in_sample = cllr::cllr(&in_sample, &h1);
    let cv: Vec<f64> = validation
        .pairs
        .iter()
        .filter(|p| p.label != "related")
        .map(|p| p.log10_lr)
        .collect();
    let bounds = elub::bounds(&cv, &h1);
    Ok(Fitted {
        cohorts,
        fit,
        validation,
        bounds,
    })
}

/// Cohorts of `known`, and the logistic regression on the scores they
/// normalise.
fn fit_normalised(known: &[&Case], lambda: f64) -> (Cohorts, logistic::Fit) {
    let cohorts = Cohorts::fit(known, &|_| String::new());
    let x: Vec<Vec<f64>> = known
        .iter()
        .map(|c| cohorts.of(&c.candidate, None).normalise(&c.scores))
        .collect();
    let y: Vec<bool> = known.iter().map(|c| c.label == PairLabel::H1).collect();
    let fit = logistic::fit(&x, &y, lambda);
    (cohorts, fit)
}

fn log10_lr(cohorts: &Cohorts, fit: &logistic::Fit, c: &Case) -> f64 {
    let x = cohorts.of(&c.candidate, None).normalise(&c.scores);
    fit.ln_lr(&x) / std::f64::consts::LN_10
}

/// Fit and validate; returns the calibration file's content and a TSV of
/// every pair score of every known case (`scores.tsv`).
pub fn run(cfg: &CalibrateConfig, progress: &Progress) -> anyhow::Result<(Calibration, String)> {
    let mut cfg = cfg.clone();
    if let Some(p) = &cfg.families_file {
        cfg.families.of = labels::read_families(p)?;
    }
    let cfg = &cfg;
    let mut students: Vec<Student> = Vec::new();
    let mut label_hashes = Vec::new();
    for p in &cfg.labels {
        students.extend(labels::read(p)?);
        let bytes = std::fs::read(p).with_context(|| format!("cannot read {}", p.display()))?;
        label_hashes.push(Hashed {
            name: short_name(p),
            sha256: input::hash::sha256_hex(&bytes),
        });
    }
    let load = |s: &ModelSpec| input::load(&s.name, &s.path, cfg.format, &cfg.limits);
    let fixed: Vec<Dataset> = cfg
        .teachers
        .iter()
        .chain(&cfg.references)
        .map(load)
        .collect::<Result<_, _>>()?;
    let panel = &fixed[cfg.teachers.len()..];
    let (probes, probe_sha) = super::apply::probe_set(panel);
    let bar = progress.bar(students.len() as u64, "comparing known cases");
    let mut cases = Vec::new();
    let mut all_scores = Vec::new();
    let mut student_hashes = Vec::new();
    for (i, s) in students.iter().enumerate() {
        let spec = ModelSpec {
            name: s.name.clone(),
            path: labels::data_file(s)?,
        };
        let ds = load(&spec)?;
        student_hashes.push(Hashed {
            name: s.name.clone(),
            sha256: ds.sha256.clone(),
        });
        let (c, all) = student_cases(cfg, i, s, spec, ds, &fixed)?;
        cases.extend(c);
        all_scores.extend(all);
        bar.inc(1);
    }
    bar.finish_and_clear();
    let names: Vec<String> = students.iter().map(|s| s.name.clone()).collect();
    let Fitted {
        mut cohorts,
        fit,
        validation,
        bounds,
    } = fit_cases(&names, &cases, cfg.lambda, cfg.decision_log10_lr)?;
    for c in cohorts.candidates.iter_mut() {
        if let Some(d) = fixed[..cfg.teachers.len()]
            .iter()
            .find(|d| d.name == c.candidate)
        {
            c.sha256 = d.sha256.clone();
        }
    }
    let table = scores_table(&names, &cases, &all_scores);
    let cal = Calibration {
        schema_version: CALIBRATION_SCHEMA.into(),
        tool: Tool {
            name: "lineage".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            git_commit: env!("LINEAGE_GIT_COMMIT").into(),
        },
        method: METHOD.into(),
        features: cfg.features.clone(),
        cohorts,
        mean: fit.mean,
        scale: fit.scale,
        weights: fit.weights,
        intercept: fit.intercept,
        lambda: cfg.lambda,
        log10_lr_bounds: [bounds.0, bounds.1],
        decision_log10_lr: cfg.decision_log10_lr,
        validation,
        fitted_on: FittedOn {
            labels: label_hashes,
            students: student_hashes,
        },
        applies_to: AppliesTo {
            probes,
            probe_set_sha256: probe_sha,
            panel: super::apply::hashed(panel),
            candidates: super::apply::hashed(&fixed[..cfg.teachers.len()]),
        },
    };
    Ok((cal, table))
}

/// Every pair score of every case, one row per case.
fn scores_table(names: &[String], cases: &[Case], all: &[BTreeMap<String, f64>]) -> String {
    let keys: std::collections::BTreeSet<&String> = all.iter().flat_map(|m| m.keys()).collect();
    let keys: Vec<&String> = keys.into_iter().collect();
    let mut out = String::from("student\tcandidate\tlabel");
    for k in &keys {
        out.push('\t');
        out.push_str(k);
    }
    out.push('\n');
    for (c, m) in cases.iter().zip(all) {
        out.push_str(&format!(
            "{}\t{}\t{}",
            names[c.student],
            c.candidate,
            c.label.as_str()
        ));
        for k in &keys {
            match m.get(*k) {
                Some(v) => out.push_str(&format!("\t{v}")),
                None => out.push_str("\tNA"),
            }
        }
        out.push('\n');
    }
    out
}

/// `folder/file` of a path: enough to tell labels files apart without
/// writing a machine's directory layout into a shipped calibration.
fn short_name(p: &std::path::Path) -> String {
    let file = p.file_name().map(|f| f.to_string_lossy().into_owned());
    let dir = p
        .parent()
        .and_then(|d| d.file_name())
        .map(|d| d.to_string_lossy().into_owned());
    match (dir, file) {
        (Some(d), Some(f)) => format!("{d}/{f}"),
        (None, Some(f)) => f,
        _ => p.display().to_string(),
    }
}

const METHOD: &str = "Prior-weighted logistic regression with an L2 penalty (Morrison 2013; Brümmer & du Preez 2006) \
over the pair scores listed in `features`, fitted on every labelled (student, candidate) pair except related ones; \
validated by leave-one-model-out; log10 LRs limited to empirical lower and upper bounds (Vergeer et al. 2016).";

/// The known cases of one student: one per candidate.
fn student_cases(
    cfg: &CalibrateConfig,
    index: usize,
    s: &Student,
    spec: ModelSpec,
    ds: Dataset,
    fixed: &[Dataset],
) -> anyhow::Result<(Vec<Case>, Vec<Scores>)> {
    let mut ccfg = CompareConfig::new(spec, cfg.teachers.clone(), cfg.references.clone());
    ccfg.resampling.seed = cfg.seed;
    // The pair scores are means over probes and do not depend on the
    // resampling; keep the reported tests cheap.
    ccfg.resampling.resamples = 99;
    ccfg.resampling.bootstrap = 100;
    let mut datasets = Vec::with_capacity(fixed.len() + 1);
    datasets.push(ds);
    datasets.extend(fixed.iter().cloned());
    let report = compare::analyse(&ccfg, &datasets, &Progress::hidden());
    let cases = report
        .candidates
        .iter()
        .map(|c| {
            let scores = cfg
                .features
                .iter()
                .map(|f| {
                    c.pair_scores.get(f).copied().with_context(|| {
                        format!("{} against {}: no pair score `{f}`", s.name, c.name)
                    })
                })
                .collect::<anyhow::Result<Vec<f64>>>()?;
            Ok(Case {
                student: index,
                candidate: c.name.clone(),
                label: cfg.families.label(s, &c.name),
                scores,
            })
        })
        .collect::<anyhow::Result<Vec<Case>>>()?;
    let all = report
        .candidates
        .iter()
        .map(|c| c.pair_scores.clone())
        .collect();
    Ok((cases, all))
}

/// Leave-one-model-out validation.
fn validate(
    students: &[String],
    cases: &[Case],
    lambda: f64,
    threshold: f64,
) -> anyhow::Result<Validation> {
    let n_h1 = cases.iter().filter(|c| c.label == PairLabel::H1).count();
    let n_h2 = cases.iter().filter(|c| c.label == PairLabel::H2).count();
    anyhow::ensure!(
        n_h1 >= 2 && n_h2 >= 2,
        "calibration needs known cases of both kinds: {n_h1} distillation pairs and {n_h2} unrelated pairs found"
    );
    let mut cv = vec![0.0; cases.len()];
    for i in 0..students.len() {
        let train: Vec<&Case> = cases
            .iter()
            .filter(|c| c.student != i && c.label != PairLabel::Related)
            .collect();
        let positives = train.iter().filter(|c| c.label == PairLabel::H1).count();
        if positives == 0 || positives == train.len() {
            continue;
        }
        // The cohorts too are fitted without the held-out student.
        let (cohorts, fit) = fit_normalised(&train, lambda);
        for (k, c) in cases.iter().enumerate() {
            if c.student == i {
                cv[k] = log10_lr(&cohorts, &fit, c);
            }
        }
    }
    let known: Vec<usize> = (0..cases.len())
        .filter(|&k| cases[k].label != PairLabel::Related)
        .collect();
    let llr: Vec<f64> = known.iter().map(|&k| cv[k]).collect();
    let h1: Vec<bool> = known
        .iter()
        .map(|&k| cases[k].label == PairLabel::H1)
        .collect();
    let v = cllr::validate(&llr, &h1);
    let (lo, hi) = elub::bounds(&llr, &h1);
    let decided = decisions(students.len(), cases, &cv, (lo, hi), threshold);
    Ok(Validation {
        method: "leave-one-model-out".into(),
        models: students.len(),
        h1_pairs: n_h1,
        h2_pairs: n_h2,
        related_pairs_excluded: cases.len() - n_h1 - n_h2,
        cllr: v.cllr,
        cllr_min: v.cllr_min,
        eer: v.eer,
        misleading_h1: v.misleading_h1,
        misleading_h2: v.misleading_h2,
        cllr_in_sample: 0.0,
        students_h1: decided.0,
        top1: decided.1,
        recall: decided.2,
        students_h2: decided.3,
        false_positives: decided.4,
        misattributed: decided.5,
        pairs: cases
            .iter()
            .zip(&cv)
            .map(|(c, &l)| PairOutcome {
                student: students[c.student].clone(),
                candidate: c.candidate.clone(),
                label: c.label.as_str().into(),
                log10_lr: l,
                scores: c.scores.clone(),
            })
            .collect(),
    })
}

/// Per student, with cross-validated LRs limited to `bounds`: (students
/// with a distillation pair, top-ranked candidate is one, verdict names
/// one, students without, verdicts among those naming an unrelated
/// candidate, verdicts of students with one naming an unrelated candidate).
fn decisions(
    students: usize,
    cases: &[Case],
    cv: &[f64],
    bounds: (f64, f64),
    threshold: f64,
) -> (usize, usize, usize, usize, usize, usize) {
    let (mut n1, mut top1, mut recall, mut n2, mut fp, mut wrong) = (0, 0, 0, 0, 0, 0);
    for i in 0..students {
        let mine: Vec<usize> = (0..cases.len())
            .filter(|&k| cases[k].student == i)
            .collect();
        // Ranked by the raw LR, as `compare` ranks; decided on the bounded.
        let Some(&top) = mine
            .iter()
            .max_by(|&&a, &&b| cv[a].total_cmp(&cv[b]).then(b.cmp(&a)))
        else {
            continue;
        };
        let called = cv[top].clamp(bounds.0, bounds.1) >= threshold;
        let positive = mine.iter().any(|&k| cases[k].label == PairLabel::H1);
        let unrelated = called && cases[top].label == PairLabel::H2;
        if positive {
            n1 += 1;
            let right = cases[top].label == PairLabel::H1;
            top1 += usize::from(right);
            recall += usize::from(right && called);
            wrong += usize::from(unrelated);
        } else {
            n2 += 1;
            fp += usize::from(unrelated);
        }
    }
    (n1, top1, recall, n2, fp, wrong)
}

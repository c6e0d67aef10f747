//! Calibration of `compare` on synthetic corpora with known lineage
//! ([`lineage::synth`]).
//!
//! - Power: every distilled student's teacher ranks first, no student is
//!   attributed to the wrong teacher, and most students (at least 7 of 10)
//!   get `distilled-from` their teacher at alpha = 0.01. The verdict also
//!   needs the teacher to stand out from the panel's between-model spread,
//!   so its power grows with the panel size (10 here).
//! - Level: for independent students, drawn exactly like the panel models
//!   and so exchangeable with them, `distilled-from` is returned at most at
//!   about the nominal rate, over many seeds.
//!
//! Sizes are small (80 probes, few bootstrap replicates) to keep a debug
//! run short; the assertions leave a binomial margin. The ignored
//! `power_sweep` and `null_sweep` measure the same rates over many seeds.

use std::path::PathBuf;

use lineage::compare::{analyse, CompareConfig, ModelSpec};
use lineage::input::{Dataset, Format};
use lineage::progress::Progress;
use lineage::report::schema::Report;
use lineage::synth::{generate, Role, SynthConfig, SynthModel};

const PROBES: usize = 80;
const PANEL: usize = 6;
/// Panel size for the power test: the between-model test has m − 1 degrees
/// of freedom, so power needs a realistic panel.
const PANEL_POWER: usize = 10;
const RESAMPLES: usize = 999;
/// Bootstrap replicates: they only set confidence intervals and the
/// profile family, which does not decide, so few keep debug runs short.
const BOOTSTRAP: usize = 100;

fn spec(m: &SynthModel) -> ModelSpec {
    ModelSpec {
        name: m.name.clone(),
        path: PathBuf::from(format!("{}.jsonl", m.name)),
    }
}

fn dataset(m: &SynthModel) -> Dataset {
    Dataset {
        name: m.name.clone(),
        path: spec(m).path,
        sha256: String::new(),
        format: Format::Jsonl,
        records: m.records.clone(),
    }
}

/// `compare` of `student` against `candidates`, calibrated on `panel`.
fn compare(
    student: &SynthModel,
    candidates: &[&SynthModel],
    panel: &[&SynthModel],
    alpha: f64,
) -> Report {
    let mut cfg = CompareConfig::new(
        spec(student),
        candidates.iter().map(|m| spec(m)).collect(),
        panel.iter().map(|m| spec(m)).collect(),
    );
    cfg.alpha = alpha;
    cfg.resampling.resamples = RESAMPLES;
    cfg.resampling.bootstrap = BOOTSTRAP;
    let datasets: Vec<Dataset> = std::iter::once(student)
        .chain(candidates.iter().copied())
        .chain(panel.iter().copied())
        .map(dataset)
        .collect();
    analyse(&cfg, &datasets, &Progress::hidden())
}

fn with_role(models: &[SynthModel], f: impl Fn(&Role) -> bool) -> Vec<&SynthModel> {
    models.iter().filter(|m| f(&m.role)).collect()
}

/// One line per candidate: each family's Holm p-value and hardest reference.
fn summary(r: &Report) -> String {
    let cands: Vec<String> = r
        .candidates
        .iter()
        .map(|c| {
            let fams: Vec<String> = c
                .families
                .iter()
                .map(|(k, f)| format!("{k} p={:.4}", f.p_holm))
                .collect();
            format!("#{} {} [{}]", c.rank, c.name, fams.join(", "))
        })
        .collect();
    format!(
        "{} {:?}: {}",
        r.verdict.label,
        r.verdict.teacher,
        cands.join("; ")
    )
}

/// Outcome of the power runs: students found, in total, and the lines of
/// wrong attributions and of misses.
struct Power {
    found: usize,
    total: usize,
    wrong: Vec<String>,
    misses: Vec<String>,
}

/// Every student of every seed against both teachers, at alpha 0.01.
fn power_runs(seeds: std::ops::RangeInclusive<u64>) -> Power {
    let mut out = Power {
        found: 0,
        total: 0,
        wrong: Vec::new(),
        misses: Vec::new(),
    };
    for seed in seeds {
        let models = generate(&SynthConfig {
            seed,
            probes: PROBES,
            teachers: 2,
            students_per_teacher: 1,
            independents: 0,
            panel: PANEL_POWER,
            ..SynthConfig::default()
        });
        let teachers = with_role(&models, |r| *r == Role::Teacher);
        let panel = with_role(&models, |r| *r == Role::Panel);
        for s in with_role(&models, |r| matches!(r, Role::Student { .. })) {
            let Role::Student { teacher } = &s.role else {
                unreachable!()
            };
            let r = compare(s, &teachers, &panel, 0.01);
            out.total += 1;
            let line = format!(
                "seed {seed} {} (teacher {teacher}): {}",
                s.name,
                summary(&r)
            );
            if r.candidates[0].name != *teacher
                || r.verdict.teacher.as_deref().is_some_and(|t| t != teacher)
            {
                out.wrong.push(line);
            } else if r.verdict.label == "distilled-from" {
                out.found += 1;
            } else {
                out.misses.push(line);
            }
        }
    }
    out
}

#[test]
fn distilled_students_are_found() {
    let Power {
        found,
        total,
        wrong,
        misses,
    } = power_runs(1..=5);
    eprintln!(
        "power at alpha 0.01: {found}/{total}\nmissed:\n{}",
        misses.join("\n")
    );
    assert!(
        wrong.is_empty(),
        "wrong ranking or teacher:\n{}",
        wrong.join("\n")
    );
    assert!(
        found * 10 >= total * 7,
        "power {found}/{total} below 0.7:\n{}",
        misses.join("\n")
    );
}

/// A larger power sweep for manual study:
/// `POWER_SEEDS=50 cargo test --release --test e2e calibration::power_sweep -- --ignored --nocapture`.
#[test]
#[ignore]
fn power_sweep() {
    let seeds: u64 = std::env::var("POWER_SEEDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(50);
    let p = power_runs(1..=seeds);
    for l in p.wrong.iter().chain(&p.misses) {
        println!("{l}");
    }
    println!(
        "power over {} students: {} found, {} missed, {} wrong ranking or teacher",
        p.total,
        p.found,
        p.misses.len(),
        p.wrong.len()
    );
}

/// Null runs: an independent model (drawn like the panel) as student, the
/// teachers as candidates. Returns the number of `distilled-from` verdicts
/// at alpha 0.05 and 0.01, and a line per hit. The rule is monotone in
/// alpha (p-values and ranking do not depend on it), so the alpha = 0.01
/// analysis is only rerun where alpha = 0.05 flagged the student.
fn null_runs(seeds: std::ops::RangeInclusive<u64>) -> ([usize; 2], Vec<String>) {
    let mut hits = [0; 2];
    let mut log = Vec::new();
    for seed in seeds {
        let models = generate(&SynthConfig {
            seed,
            probes: PROBES,
            teachers: 2,
            students_per_teacher: 0,
            independents: 1,
            panel: PANEL,
            ..SynthConfig::default()
        });
        let teachers = with_role(&models, |r| *r == Role::Teacher);
        let panel = with_role(&models, |r| *r == Role::Panel);
        let student = with_role(&models, |r| *r == Role::Independent)[0];
        let r = compare(student, &teachers, &panel, 0.05);
        if r.verdict.label != "distilled-from" {
            continue;
        }
        hits[0] += 1;
        let strict = compare(student, &teachers, &panel, 0.01).verdict.label == "distilled-from";
        hits[1] += usize::from(strict);
        log.push(format!(
            "seed {seed} (also at 0.01: {strict}): {}",
            summary(&r)
        ));
    }
    (hits, log)
}

#[test]
fn independent_students_are_not_flagged_beyond_alpha() {
    const RUNS: u64 = 40;
    let (hits, log) = null_runs(1001..=1000 + RUNS);
    let fpr = hits.map(|h| h as f64 / RUNS as f64);
    eprintln!(
        "false-positive rate over {RUNS} null runs: {:.3} at alpha 0.05, {:.3} at alpha 0.01",
        fpr[0], fpr[1]
    );
    for l in &log {
        eprintln!("  {l}");
    }
    // Binomial margins: P(X >= 7 | n = 40, p = 0.05) ~ 0.014 and
    // P(X >= 4 | n = 40, p = 0.01) ~ 0.0007.
    assert!(
        fpr[0] <= 0.15,
        "FPR {:.3} at alpha 0.05:\n{}",
        fpr[0],
        log.join("\n")
    );
    assert!(
        fpr[1] <= 0.075,
        "FPR {:.3} at alpha 0.01:\n{}",
        fpr[1],
        log.join("\n")
    );
}

/// A larger null sweep for manual study:
/// `NULL_RUNS=400 cargo test --release --test e2e calibration:: -- --ignored --nocapture`.
#[test]
#[ignore]
fn null_sweep() {
    let runs: u64 = std::env::var("NULL_RUNS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(400);
    let (hits, log) = null_runs(1001..=1000 + runs);
    for l in &log {
        println!("{l}");
    }
    println!(
        "FPR over {runs} null runs: {:.4} at alpha 0.05, {:.4} at alpha 0.01",
        hits[0] as f64 / runs as f64,
        hits[1] as f64 / runs as f64
    );
}

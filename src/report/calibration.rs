//! Writers of `lineage calibrate`: `calibration.json` (the file
//! `compare --calibration` reads), a Markdown and an HTML summary of the
//! validation with a Tippett plot, and `pairs.tsv` with every known case.

use std::path::{Path, PathBuf};

use anyhow::Context;

use crate::compare::calibration::{verbal, Calibration};

/// Render every file, then write each atomically into `dir`; `scores` is
/// the table of every pair score (`scores.tsv`).
pub fn write_all(dir: &Path, cal: &Calibration, scores: &str) -> anyhow::Result<Vec<PathBuf>> {
    let mut json = serde_json::to_vec_pretty(cal)?;
    json.push(b'\n');
    let files = [
        ("calibration.json", json),
        ("calibration.md", markdown(cal).into_bytes()),
        ("calibration.html", html(cal)?.into_bytes()),
        ("pairs.tsv", pairs_tsv(cal).into_bytes()),
        ("scores.tsv", scores.as_bytes().to_vec()),
    ];
    std::fs::create_dir_all(dir)
        .with_context(|| format!("cannot create output directory {}", dir.display()))?;
    files
        .into_iter()
        .map(|(name, bytes)| {
            let p = dir.join(name);
            super::atomic::write(&p, &bytes)?;
            Ok(p)
        })
        .collect()
}

/// One row per known case: scores, label and cross-validated log10 LR.
pub fn pairs_tsv(cal: &Calibration) -> String {
    let mut out = format!(
        "student\tcandidate\tlabel\tlog10_lr_cv\t{}\n",
        cal.features.join("\t")
    );
    for p in &cal.validation.pairs {
        let scores: Vec<String> = p.scores.iter().map(|x| format!("{x:.4}")).collect();
        out.push_str(&format!(
            "{}\t{}\t{}\t{:.3}\t{}\n",
            p.student,
            p.candidate,
            p.label,
            p.log10_lr,
            scores.join("\t")
        ));
    }
    out
}

/// The validation summary, for a reader of the calibration.
pub fn markdown(cal: &Calibration) -> String {
    let v = &cal.validation;
    let [lo, hi] = cal.log10_lr_bounds;
    let mut s = String::from("# Likelihood-ratio calibration\n\n");
    s.push_str(&format!("{}\n\n", cal.method));
    s.push_str(&format!(
        "Known cases: {} models, {} distillation pairs (H1), {} unrelated pairs (H2), {} related pairs left out.\n\n",
        v.models, v.h1_pairs, v.h2_pairs, v.related_pairs_excluded
    ));
    s.push_str("## Validation (leave-one-model-out)\n\n| measure | value |\n|---|---|\n");
    for (k, x) in [
        (
            "Cllr (0 perfect, 1 uninformative)",
            format!("{:.3}", v.cllr),
        ),
        (
            "Cllr_min (discrimination only)",
            format!("{:.3}", v.cllr_min),
        ),
        (
            "Cllr in sample (optimistic)",
            format!("{:.3}", v.cllr_in_sample),
        ),
        ("equal error rate", format!("{:.3}", v.eer)),
        ("H1 pairs with LR < 1", format!("{:.3}", v.misleading_h1)),
        ("H2 pairs with LR > 1", format!("{:.3}", v.misleading_h2)),
        ("log10 LR bounds (ELUB)", format!("[{lo:.2}, {hi:.2}]")),
        (
            "decision threshold",
            format!("log10 LR >= {:.2}", cal.decision_log10_lr),
        ),
        (
            "students: top-ranked candidate right",
            format!("{}/{}", v.top1, v.students_h1),
        ),
        (
            "students: `distilled-from` the right candidate",
            format!("{}/{}", v.recall, v.students_h1),
        ),
        (
            "negative students: `distilled-from` an unrelated candidate",
            format!("{}/{}", v.false_positives, v.students_h2),
        ),
    ] {
        s.push_str(&format!("| {k} | {x} |\n"));
    }
    s.push_str("\n## Weights (standardised pair scores)\n\n| pair score | weight (ln LR per sd) |\n|---|---|\n");
    for (f, w) in cal.features.iter().zip(&cal.weights) {
        s.push_str(&format!("| `{f}` | {w:.3} |\n"));
    }
    s.push_str("\n## Known cases (cross-validated log10 LR)\n\n| student | candidate | label | log10 LR | in words |\n|---|---|---|---|---|\n");
    for p in &cal.validation.pairs {
        let b = p.log10_lr.clamp(lo, hi);
        s.push_str(&format!(
            "| {} | {} | {} | {:.2} | {} |\n",
            p.student,
            p.candidate,
            p.label,
            b,
            verbal(b)
        ));
    }
    s
}

fn html(cal: &Calibration) -> anyhow::Result<String> {
    let v = &cal.validation;
    let of = |l: &str| -> Vec<f64> {
        v.pairs
            .iter()
            .filter(|p| p.label == l)
            .map(|p| p.log10_lr)
            .collect()
    };
    let svg = super::html::charts::tippett(&of("h1"), &of("h2"))?;
    let md = markdown(cal);
    let escaped = md
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;");
    Ok(format!(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>lineage calibration</title>\
         <style>body{{font-family:sans-serif;max-width:60em;margin:2em auto;}}pre{{white-space:pre-wrap;}}</style></head>\n\
         <body><h1>Likelihood-ratio calibration</h1>\n<h2>Tippett plot (leave-one-model-out)</h2>\n\
         <p>Red: pairs where the student was trained on the candidate's outputs (H1); blue: unrelated pairs (H2). \
         Each curve gives the share of cases whose cross-validated log10 LR is at least the value on the x axis.</p>\n\
         {svg}\n<h2>Summary</h2>\n<pre>{escaped}</pre>\n</body></html>\n"
    ))
}

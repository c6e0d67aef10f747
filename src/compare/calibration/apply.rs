//! `compare --calibration`: the likelihood ratio of every candidate, and
//! the decision rule that uses it.
//!
//! A calibration applies only to comparisons like the ones it was fitted
//! on: the same reference panel (by content) and the same probe set. A
//! comparison that differs is refused with an error naming the difference,
//! never silently calibrated.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use crate::input::{align, hash::sha256_hex, Dataset};
use crate::report::schema::{CalibratedEvidence, InputEntry, Report, Verdict};

use super::file::{Calibration, Hashed};

/// Least share of the calibration's probes a comparison must analyse.
pub const MIN_COVERAGE: f64 = 0.9;

/// A comparison the calibration does not apply to.
#[derive(Debug, thiserror::Error)]
#[error("{path}: this calibration does not apply to the comparison: {what}")]
pub struct Mismatch {
    pub path: PathBuf,
    pub what: String,
}

/// Number and SHA-256 of the probe keys answered by every panel model.
pub fn probe_set(panel: &[Dataset]) -> (usize, String) {
    let corpus = align::align(panel);
    let joined = corpus.probe_keys.join("\n");
    (corpus.n_probes(), sha256_hex(joined.as_bytes()))
}

/// The panel as the calibration records it: names and hashes, sorted.
pub fn hashed(datasets: &[Dataset]) -> Vec<Hashed> {
    let mut v: Vec<Hashed> = datasets
        .iter()
        .map(|d| Hashed {
            name: d.name.clone(),
            sha256: d.sha256.clone(),
        })
        .collect();
    v.sort();
    v
}

/// Refuse a comparison whose panel or probes differ from the calibration's.
pub fn check(
    cal: &Calibration,
    path: &Path,
    panel: &[Dataset],
    probes_analysed: usize,
) -> Result<(), Mismatch> {
    let err = |what: String| Mismatch {
        path: path.to_path_buf(),
        what,
    };
    let want: BTreeSet<&str> = cal
        .applies_to
        .panel
        .iter()
        .map(|h| h.sha256.as_str())
        .collect();
    let have: BTreeSet<&str> = panel.iter().map(|d| d.sha256.as_str()).collect();
    if want != have {
        let name = |sha: &str| {
            cal.applies_to
                .panel
                .iter()
                .find(|h| h.sha256 == sha)
                .map(|h| h.name.clone())
                .or_else(|| {
                    panel
                        .iter()
                        .find(|d| d.sha256 == sha)
                        .map(|d| d.name.clone())
                })
                .unwrap_or_default()
        };
        let missing: Vec<String> = want.difference(&have).map(|s| name(s)).collect();
        let extra: Vec<String> = have.difference(&want).map(|s| name(s)).collect();
        return Err(err(format!(
            "the reference panel differs (calibration panel models missing here: [{}]; panel models the calibration was not fitted with: [{}])",
            missing.join(", "),
            extra.join(", ")
        )));
    }
    let (n, sha) = probe_set(panel);
    if sha != cal.applies_to.probe_set_sha256 || n != cal.applies_to.probes {
        return Err(err(format!(
            "the probe set differs ({n} panel probes here, {} in the calibration)",
            cal.applies_to.probes
        )));
    }
    let need = (MIN_COVERAGE * n as f64).ceil() as usize;
    if probes_analysed < need {
        return Err(err(format!(
            "only {probes_analysed} of the calibration's {n} probes are analysed (at least {need} needed)"
        )));
    }
    Ok(())
}

/// The report's input entry for the calibration file.
pub fn input_entry(cal: &Calibration, path: &Path, sha256: &str) -> InputEntry {
    InputEntry {
        name: "calibration".into(),
        role: "calibration".into(),
        path: path.display().to_string(),
        format: cal.schema_version.clone(),
        sha256: sha256.to_string(),
        records: cal.validation.h1_pairs + cal.validation.h2_pairs,
        probes: cal.applies_to.probes,
        missing: 0,
        duplicated: 0,
        empty: 0,
    }
}

/// The decision rule with a calibration, verbatim in the report.
pub fn rule(cal: &Calibration, sha256: &str) -> String {
    let v = &cal.validation;
    let [lo, hi] = cal.log10_lr_bounds;
    format!(
        "Calibrated rule (calibration sha256 {}…, fitted on {} known pairs of {} models; {} validation: Cllr = {:.3}, \
         Cllr_min = {:.3}). Each candidate's likelihood ratio LR = P(scores | S was trained on the candidate's outputs) / \
         P(scores | it was not) is computed from its pair scores by the calibration's logistic regression and limited \
         to the empirical bounds log10 LR in [{lo:.2}, {hi:.2}] that the number of known cases supports. Candidates are \
         ranked by that log10 LR. distilled-from T when T is the top-ranked candidate and its bounded log10 LR is at \
         least {:.2} (LR >= {:.0}). no-evidence otherwise. The uncalibrated panel tests of each family are reported \
         as evidence but do not decide.",
        &sha256[..12.min(sha256.len())],
        v.h1_pairs + v.h2_pairs,
        v.models,
        v.method,
        v.cllr,
        v.cllr_min,
        cal.decision_log10_lr,
        10f64.powf(cal.decision_log10_lr),
    )
}

/// Add the calibrated LR to every candidate, rank by it and decide.
/// Fails when a candidate lacks a pair score the calibration uses.
pub fn apply(
    report: &mut Report,
    cal: &Calibration,
    path: &Path,
    sha256: &str,
) -> Result<(), Mismatch> {
    let [lo, hi] = cal.log10_lr_bounds;
    let sha_of = |name: &str| {
        report
            .inputs
            .iter()
            .find(|i| i.role == "candidate" && i.name == name)
            .map(|i| i.sha256.clone())
    };
    let shas: Vec<Option<String>> = report.candidates.iter().map(|c| sha_of(&c.name)).collect();
    for (c, sha) in report.candidates.iter_mut().zip(&shas) {
        let mut x = Vec::with_capacity(cal.features.len());
        for f in &cal.features {
            let v = c.pair_scores.get(f).copied().ok_or_else(|| Mismatch {
                path: path.to_path_buf(),
                what: format!("candidate {} has no pair score `{f}`", c.name),
            })?;
            x.push(v);
        }
        let raw = cal.log10_lr(&c.name, Some(sha.as_deref().unwrap_or("")), &x);
        let bounded = raw.clamp(lo, hi);
        c.calibrated = Some(CalibratedEvidence {
            log10_lr_raw: raw,
            log10_lr: bounded,
            log10_lr_bounds: [lo, hi],
            verbal: super::verbal(bounded),
        });
    }
    let key = |c: &crate::report::schema::Candidate| {
        c.calibrated
            .as_ref()
            .map_or(f64::NEG_INFINITY, |e| e.log10_lr_raw)
    };
    // Stable: ties keep the uncalibrated order.
    report.candidates.sort_by(|a, b| key(b).total_cmp(&key(a)));
    for (i, c) in report.candidates.iter_mut().enumerate() {
        c.rank = i + 1;
    }
    report.inputs.push(input_entry(cal, path, sha256));
    report.verdict = verdict(report, cal, sha256);
    Ok(())
}

fn verdict(report: &Report, cal: &Calibration, sha256: &str) -> Verdict {
    let old = &report.verdict;
    let rule = rule(cal, sha256);
    let v = |label: &str, teacher: Option<String>, reason: String| Verdict {
        label: label.into(),
        teacher,
        alpha: old.alpha,
        rule: rule.clone(),
        reason,
    };
    if old.label == "inconclusive" && old.teacher.is_none() && report.reference_panel.is_empty() {
        return v("inconclusive", None, old.reason.clone());
    }
    let Some(top) = report.candidates.first() else {
        return v("inconclusive", None, "no candidate was given".into());
    };
    let e = top.calibrated.as_ref().expect("calibrated above");
    let lr = format!(
        "log10 LR = {:.2} (LR = {:.3}; {})",
        e.log10_lr,
        10f64.powf(e.log10_lr),
        e.verbal
    );
    if e.log10_lr >= cal.decision_log10_lr {
        v(
            "distilled-from",
            Some(top.name.clone()),
            format!(
                "{} is the top-ranked candidate with {lr}, at least the threshold {:.2}",
                top.name, cal.decision_log10_lr
            ),
        )
    } else {
        v(
            "no-evidence",
            None,
            format!(
                "the top-ranked candidate {} has {lr}, below the threshold {:.2}; this is absence of \
                 sufficient evidence, not proof of independence",
                top.name, cal.decision_log10_lr
            ),
        )
    }
}

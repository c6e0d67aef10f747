//! `lineage verify`: prove that a report follows from its inputs.
//!
//! Three checks, in order: the report parses; every input file still has
//! the SHA-256 recorded in the report; re-running the comparison with the
//! recorded models, roles, parameters and seed gives a byte-identical
//! `report.json`. Differences are listed by JSON path.

use std::path::{Path, PathBuf};

use anyhow::Context;

use crate::compare::analysis::Resampling;
use crate::compare::{self, CompareConfig, ModelSpec};
use crate::input::{hash::sha256_hex, Format, InputError};
use crate::progress::Progress;
use crate::report::{json::Json, schema::Report, ReportWriter};

/// Largest report accepted (reports are small; a huge file is hostile).
const MAX_REPORT_BYTES: u64 = 64 << 20;

/// What verification found.
#[derive(Debug, Default)]
pub struct Outcome {
    /// Inputs whose bytes changed or could not be read: (path, reason).
    pub changed_inputs: Vec<(PathBuf, String)>,
    /// JSON paths whose values differ after the re-run.
    pub differences: Vec<String>,
}

impl Outcome {
    pub fn ok(&self) -> bool {
        self.changed_inputs.is_empty() && self.differences.is_empty()
    }
}

/// Read and parse a report, with a size cap.
pub fn read_report(path: &Path) -> anyhow::Result<(Vec<u8>, Report)> {
    let io = |source| InputError::Io {
        path: path.to_path_buf(),
        source,
    };
    let too_big = || InputError::Limit {
        path: path.to_path_buf(),
        line: None,
        limit: "max_report_bytes",
        value: MAX_REPORT_BYTES,
    };
    let len = std::fs::metadata(path).map_err(io)?.len();
    if len > MAX_REPORT_BYTES {
        return Err(too_big().into());
    }
    let bytes = crate::input::read_at_most(path, MAX_REPORT_BYTES)
        .map_err(io)?
        .ok_or_else(too_big)?;
    let report = parse_report(path, &bytes)?;
    Ok((bytes, report))
}

/// Parse report bytes (`path` only names them in errors). Public so that
/// the fuzz target drives exactly what `verify` runs.
pub fn parse_report(path: &Path, bytes: &[u8]) -> Result<Report, InputError> {
    serde_json::from_slice(bytes).map_err(|e| InputError::Json {
        path: path.to_path_buf(),
        line: e.line() as u64,
        message: e.to_string(),
    })
}

/// SHA-256 of an input named by a report, read with the default file cap
/// (a report may name /dev/zero or a FIFO).
fn input_sha256(p: &Path) -> Result<String, String> {
    let max = crate::input::Limits::default().max_file_bytes;
    match crate::input::read_at_most(p, max) {
        Ok(Some(b)) => Ok(sha256_hex(&b)),
        Ok(None) => Err(format!("larger than max_file_bytes ({max})")),
        Err(e) => Err(format!("cannot read: {e}")),
    }
}

/// Verify the report at `path`.
pub fn verify(path: &Path, progress: &Progress) -> anyhow::Result<Outcome> {
    let (bytes, report) = read_report(path)?;
    let mut out = Outcome::default();
    for i in &report.inputs {
        let p = PathBuf::from(&i.path);
        match input_sha256(&p) {
            Ok(h) if h == i.sha256 => {}
            Ok(h) => out.changed_inputs.push((
                p,
                format!("SHA-256 is {h} but the report records {}", i.sha256),
            )),
            Err(e) => out.changed_inputs.push((p, e)),
        }
    }
    if !out.changed_inputs.is_empty() {
        return Ok(out);
    }
    let cfg = config_of(&report)?;
    let rerun = compare::run(&cfg, progress).context("cannot re-run the comparison")?;
    let fresh = Json.render(&rerun)?;
    if fresh != bytes {
        let a: serde_json::Value = serde_json::from_slice(&bytes)?;
        let b: serde_json::Value = serde_json::from_slice(&fresh)?;
        diff("", &a, &b, &mut out.differences);
        if out.differences.is_empty() {
            out.differences
                .push("(formatting only: the values agree but the bytes differ)".into());
        }
    }
    Ok(out)
}

/// The comparison a report describes.
pub fn config_of(r: &Report) -> anyhow::Result<CompareConfig> {
    let spec = |role: &str| -> Vec<ModelSpec> {
        r.inputs
            .iter()
            .filter(|i| i.role == role)
            .map(|i| ModelSpec {
                name: i.name.clone(),
                path: PathBuf::from(&i.path),
            })
            .collect()
    };
    let student = spec("student")
        .into_iter()
        .next()
        .context("the report lists no student input")?;
    let mut cfg = CompareConfig::new(student, spec("candidate"), spec("reference"));
    cfg.scores = r
        .inputs
        .iter()
        .filter(|i| i.role == "scores")
        .map(|i| PathBuf::from(&i.path))
        .collect();
    cfg.calibration = r
        .inputs
        .iter()
        .find(|i| i.role == "calibration")
        .map(|i| PathBuf::from(&i.path));
    let p = &r.parameters;
    cfg.alpha = p.alpha;
    cfg.resampling = Resampling::of(p);
    cfg.read = p.read_options.clone();
    cfg.format = match p.format.as_deref() {
        None => None,
        Some(f) => Some(
            <Format as clap::ValueEnum>::from_str(f, false)
                .map_err(|e| anyhow::anyhow!("unknown format `{f}` in report: {e}"))?,
        ),
    };
    Ok(cfg)
}

/// Collect the JSON paths where `a` and `b` differ (at most 50).
fn diff(path: &str, a: &serde_json::Value, b: &serde_json::Value, out: &mut Vec<String>) {
    use serde_json::Value;
    if out.len() >= 50 {
        return;
    }
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            for k in x.keys().chain(y.keys().filter(|k| !x.contains_key(*k))) {
                let null = Value::Null;
                diff(
                    &format!("{path}.{k}"),
                    x.get(k).unwrap_or(&null),
                    y.get(k).unwrap_or(&null),
                    out,
                );
            }
        }
        (Value::Array(x), Value::Array(y)) if x.len() == y.len() => {
            for (i, (u, v)) in x.iter().zip(y).enumerate() {
                diff(&format!("{path}[{i}]"), u, v, out);
            }
        }
        _ if a != b => out.push(format!("{path}: report has {a}, re-run gives {b}")),
        _ => {}
    }
}

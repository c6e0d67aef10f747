//! Score files of `lineage score`: what a local model (the *scorer*) thinks
//! of another model's (the *responder's*) responses.
//!
//! One JSON object per line: `probe_id`, `sample`, `model` (the scorer),
//! `responder`, `n_tokens`, `n_bytes`, `logprob`, `logprob_per_byte`,
//! `top1_agree` and, when scored with `--top-logprobs K`, `positions`:
//! `[{token_id, logprob, top: [[token_id, logprob], ...]}]`, the scorer's
//! K most likely next tokens at each response position. Records lacking a
//! probe id, a responder or a per-byte log-likelihood (an empty response)
//! cannot take part and are counted, not used. Several samples of one probe
//! are averaged. Files are read with the same size and line caps as
//! datasets ([`Limits`]); every error names the file and line.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::input::{hash::sha256_hex, InputError, Limits};

/// Most top-K entries accepted per position (a hostile file could ask for
/// the whole vocabulary at every position).
pub const MAX_TOP: usize = 1000;

/// One scored position.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Position {
    pub token_id: u32,
    pub logprob: f64,
    #[serde(default)]
    pub top: Vec<(u32, f64)>,
}

#[derive(Debug, Deserialize)]
struct Line {
    probe_id: Option<serde_json::Value>,
    #[serde(default)]
    sample: Option<u32>,
    model: String,
    responder: Option<String>,
    n_tokens: usize,
    n_bytes: usize,
    logprob: f64,
    logprob_per_byte: Option<f64>,
    top1_agree: Option<f64>,
    #[serde(default)]
    positions: Option<Vec<Position>>,
}

/// One usable score record.
#[derive(Debug, Clone, PartialEq)]
pub struct ScoreRecord {
    pub probe_id: String,
    pub sample: u32,
    pub scorer: String,
    pub responder: String,
    pub n_tokens: usize,
    pub n_bytes: usize,
    pub logprob: f64,
    pub logprob_per_byte: f64,
    pub top1_agree: Option<f64>,
    pub positions: Option<Vec<Position>>,
}

/// A loaded score file.
#[derive(Debug, Clone)]
pub struct ScoreFile {
    pub path: PathBuf,
    pub sha256: String,
    pub records: Vec<ScoreRecord>,
    /// Records without probe id, responder or per-byte log-likelihood.
    pub unusable: usize,
}

fn field(path: &Path, line: u64, field: &str, expected: &'static str, found: String) -> InputError {
    InputError::Field {
        path: path.to_path_buf(),
        line,
        field: field.into(),
        expected,
        found,
    }
}

/// Read one score file.
pub fn load(path: &Path, limits: &Limits) -> Result<ScoreFile, InputError> {
    let io = |source| InputError::Io {
        path: path.to_path_buf(),
        source,
    };
    if path.is_dir() {
        return Err(InputError::IsDirectory {
            path: path.to_path_buf(),
        });
    }
    let len = std::fs::metadata(path).map_err(io)?.len();
    if len > limits.max_file_bytes {
        return Err(InputError::Limit {
            path: path.to_path_buf(),
            line: None,
            limit: "max_file_bytes",
            value: limits.max_file_bytes,
        });
    }
    let bytes = std::fs::read(path).map_err(io)?;
    let mut records = Vec::new();
    let mut unusable = 0;
    for (i, raw) in bytes.split(|&b| b == b'\n').enumerate() {
        let line = i as u64 + 1;
        if raw.len() > limits.max_line_bytes {
            return Err(InputError::Limit {
                path: path.to_path_buf(),
                line: Some(line),
                limit: "max_line_bytes",
                value: limits.max_line_bytes as u64,
            });
        }
        let text = std::str::from_utf8(raw).map_err(|_| InputError::Utf8 {
            path: path.to_path_buf(),
            line,
        })?;
        let text = text.trim_start_matches('\u{feff}').trim();
        if text.is_empty() {
            continue;
        }
        if records.len() >= limits.max_records {
            return Err(InputError::Limit {
                path: path.to_path_buf(),
                line: Some(line),
                limit: "max_records",
                value: limits.max_records as u64,
            });
        }
        let l: Line = serde_json::from_str(text).map_err(|e| InputError::Json {
            path: path.to_path_buf(),
            line,
            message: e.to_string(),
        })?;
        match record(path, line, l)? {
            Some(r) => records.push(r),
            None => unusable += 1,
        }
    }
    if records.is_empty() {
        return Err(InputError::Empty {
            path: path.to_path_buf(),
        });
    }
    Ok(ScoreFile {
        path: path.to_path_buf(),
        sha256: sha256_hex(&bytes),
        records,
        unusable,
    })
}

fn record(path: &Path, line: u64, l: Line) -> Result<Option<ScoreRecord>, InputError> {
    let probe_id = match l.probe_id {
        None | Some(serde_json::Value::Null) => return Ok(None),
        Some(serde_json::Value::String(s)) => s,
        Some(serde_json::Value::Number(n)) if n.is_u64() || n.is_i64() => n.to_string(),
        Some(v) => {
            return Err(field(
                path,
                line,
                "probe_id",
                "a string or an integer",
                v.to_string(),
            ))
        }
    };
    let (Some(responder), Some(lpb)) = (l.responder, l.logprob_per_byte) else {
        return Ok(None);
    };
    if !lpb.is_finite() || lpb > 0.0 || !l.logprob.is_finite() {
        return Err(field(
            path,
            line,
            "logprob_per_byte",
            "a finite log-probability (<= 0)",
            lpb.to_string(),
        ));
    }
    if let Some(a) = l.top1_agree {
        if !(0.0..=1.0).contains(&a) {
            return Err(field(
                path,
                line,
                "top1_agree",
                "a rate in [0, 1]",
                a.to_string(),
            ));
        }
    }
    if let Some(ps) = &l.positions {
        for (k, p) in ps.iter().enumerate() {
            if p.top.len() > MAX_TOP {
                return Err(field(
                    path,
                    line,
                    &format!("positions[{k}].top"),
                    "at most 1000 entries",
                    p.top.len().to_string(),
                ));
            }
            if p.top.iter().any(|&(_, lp)| !(lp.is_finite() && lp <= 1e-6)) {
                return Err(field(
                    path,
                    line,
                    &format!("positions[{k}].top"),
                    "finite log-probabilities (<= 0)",
                    "a positive or non-finite value".into(),
                ));
            }
        }
    }
    Ok(Some(ScoreRecord {
        probe_id,
        sample: l.sample.unwrap_or(0),
        scorer: l.model,
        responder,
        n_tokens: l.n_tokens,
        n_bytes: l.n_bytes,
        logprob: l.logprob,
        logprob_per_byte: lpb,
        top1_agree: l.top1_agree,
        positions: l.positions,
    }))
}

/// Key of a (scorer, responder) pair.
pub type PairKey = (String, String);

/// All records of several files, by (scorer, responder), then probe id.
/// A probe scored more than once (several samples, or in two files) keeps
/// every record, in file order.
#[derive(Debug, Clone, Default)]
pub struct ScoreTable {
    pub by_pair: BTreeMap<PairKey, BTreeMap<String, Vec<ScoreRecord>>>,
}

impl ScoreTable {
    pub fn new(files: &[ScoreFile]) -> ScoreTable {
        let mut t = ScoreTable::default();
        for f in files {
            for r in &f.records {
                t.by_pair
                    .entry((r.scorer.clone(), r.responder.clone()))
                    .or_default()
                    .entry(r.probe_id.clone())
                    .or_default()
                    .push(r.clone());
            }
        }
        t
    }

    /// Records of `scorer` on `responder`'s responses, by probe id.
    pub fn pair(
        &self,
        scorer: &str,
        responder: &str,
    ) -> Option<&BTreeMap<String, Vec<ScoreRecord>>> {
        self.by_pair
            .get(&(scorer.to_string(), responder.to_string()))
    }

    /// Mean per-byte log-likelihood that `scorer` gives `responder` on
    /// `probe` (averaged over samples).
    pub fn per_byte(&self, scorer: &str, responder: &str, probe: &str) -> Option<f64> {
        let rs = self.pair(scorer, responder)?.get(probe)?;
        Some(rs.iter().map(|r| r.logprob_per_byte).sum::<f64>() / rs.len() as f64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    #[test]
    fn reads_records_and_rejects_bad_lines() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("s.jsonl");
        let mut f = std::fs::File::create(&p).unwrap();
        writeln!(f, r#"{{"probe_id":"a","sample":0,"model":"s","responder":"t","n_tokens":3,"n_bytes":9,"logprob":-4.5,"logprob_per_byte":-0.5,"top1_agree":0.66,"positions":[{{"token_id":5,"logprob":-1.0,"top":[[5,-1.0],[6,-1.2]]}}]}}"#).unwrap();
        writeln!(f, r#"{{"probe_id":null,"sample":0,"model":"s","responder":"t","n_tokens":0,"n_bytes":0,"logprob":0.0,"logprob_per_byte":null,"top1_agree":null}}"#).unwrap();
        writeln!(f, r#"{{"probe_id":7,"model":"s","responder":"t","n_tokens":1,"n_bytes":2,"logprob":-1.0,"logprob_per_byte":-0.5,"top1_agree":1.0}}"#).unwrap();
        drop(f);
        let s = load(&p, &Limits::default()).unwrap();
        assert_eq!(s.records.len(), 2);
        assert_eq!(s.unusable, 1);
        assert_eq!(s.records[1].probe_id, "7");
        let t = ScoreTable::new(&[s]);
        assert_eq!(t.per_byte("s", "t", "a"), Some(-0.5));
        std::fs::write(&p, r#"{"probe_id":"a","model":"s","responder":"t","n_tokens":1,"n_bytes":2,"logprob":1.0,"logprob_per_byte":0.5,"top1_agree":1.0}"#).unwrap();
        let e = load(&p, &Limits::default()).unwrap_err().to_string();
        assert!(e.contains(":1: field `logprob_per_byte`"), "{e}");
        std::fs::write(&p, "{not json\n").unwrap();
        assert!(matches!(
            load(&p, &Limits::default()),
            Err(InputError::Json { line: 1, .. })
        ));
    }
}

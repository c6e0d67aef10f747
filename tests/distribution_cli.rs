//! The `distribution` family end to end: score files in the format of
//! `lineage score`, written here by a small generator with a known lineage
//! (a student distilled from `teacher` prefers the teacher's responses and
//! matches its next-token distributions; an independent one does not).

use crate::common;

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use common::Fixture;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde_json::json;

const VOCAB: usize = 40;
const TOP_K: usize = 5;
const POSITIONS: usize = 6;

/// Log-softmax of `logits`.
fn log_softmax(logits: &[f64]) -> Vec<f64> {
    let m = logits.iter().cloned().fold(f64::MIN, f64::max);
    let z: f64 = logits.iter().map(|x| (x - m).exp()).sum::<f64>().ln() + m;
    logits.iter().map(|x| x - z).collect()
}

/// Next-token logits of `model` at one position: the teacher's are random;
/// a distilled student's are the teacher's plus a little noise; everyone
/// else's are their own.
fn logits(model: &str, distilled: bool, probe: usize, pos: usize) -> Vec<f64> {
    let own = |name: &str| {
        let seed = name
            .bytes()
            .fold(7u64, |h, b| h.wrapping_mul(31).wrapping_add(u64::from(b)));
        let mut r = ChaCha8Rng::seed_from_u64(seed ^ ((probe as u64) << 16) ^ pos as u64);
        (0..VOCAB)
            .map(|_| 3.0 * r.gen::<f64>())
            .collect::<Vec<f64>>()
    };
    if model == "student" && distilled {
        let mut r = ChaCha8Rng::seed_from_u64(((probe as u64) << 16) ^ pos as u64 ^ 99);
        own("teacher")
            .into_iter()
            .map(|x| x + 0.3 * r.gen::<f64>())
            .collect()
    } else {
        own(model)
    }
}

/// Write one score file per (scorer, responder) pair into `dir`.
fn write_scores(f: &Fixture, dir: &Path, distilled: bool) -> Vec<PathBuf> {
    std::fs::create_dir_all(dir).unwrap();
    let panel = f.suite.panel_names();
    let scorers: Vec<String> = ["student", "teacher"]
        .iter()
        .map(|s| s.to_string())
        .chain(panel.clone())
        .collect();
    let responders: Vec<String> = ["teacher", "rival"]
        .iter()
        .map(|s| s.to_string())
        .chain(panel)
        .collect();
    let mut files = Vec::new();
    for (xi, x) in scorers.iter().enumerate() {
        for (yi, y) in responders.iter().enumerate() {
            let mut rng = ChaCha8Rng::seed_from_u64((xi * 100 + yi) as u64);
            let mut out = Vec::new();
            for (i, p) in f.suite.probes.iter().enumerate() {
                let bonus = if x == y {
                    0.5
                } else if distilled && x == "student" && y == "teacher" {
                    0.4
                } else {
                    0.0
                };
                let lpb = -2.0 + bonus + 0.03 * (yi as f64) + 0.2 * (rng.gen::<f64>() - 0.5);
                let n_bytes = 100 + i;
                let mut line = json!({
                    "probe_id": p.id, "sample": 0, "model": x, "responder": y,
                    "n_tokens": POSITIONS, "n_bytes": n_bytes,
                    "logprob": lpb * n_bytes as f64, "logprob_per_byte": lpb, "top1_agree": 0.5,
                });
                if y == "teacher" {
                    let positions: Vec<_> = (0..POSITIONS)
                        .map(|k| {
                            let lp = log_softmax(&logits(x, distilled, i, k));
                            let mut order: Vec<usize> = (0..VOCAB).collect();
                            order.sort_by(|&a, &b| lp[b].total_cmp(&lp[a]));
                            let tok = (i * 7 + k) % VOCAB;
                            json!({"token_id": tok, "logprob": lp[tok],
                                   "top": order[..TOP_K].iter().map(|&t| json!([t, lp[t]])).collect::<Vec<_>>()})
                        })
                        .collect();
                    line["positions"] = json!(positions);
                }
                serde_json::to_writer(&mut out, &line).unwrap();
                out.push(b'\n');
            }
            let path = dir.join(format!("{x}__{y}.jsonl"));
            std::fs::write(&path, out).unwrap();
            files.push(path);
        }
    }
    files
}

fn compare(f: &Fixture, scores: &[PathBuf], out: &Path) -> serde_json::Value {
    f.compare(out)
        .current_dir(f.root())
        .arg("--scores")
        .args(scores)
        .args(["--resamples", "999", "--bootstrap", "200"])
        .assert()
        .code(0);
    serde_json::from_slice(&std::fs::read(out.join("report.json")).unwrap()).unwrap()
}

#[test]
fn distilled_student_is_found_and_report_explains_weights() {
    let f = Fixture::new();
    let scores = write_scores(&f, &f.path("scores"), true);
    let out = f.path("out");
    let r = compare(&f, &scores, &out);
    assert_eq!(
        r["verdict"]["label"], "distilled-from",
        "{:#}",
        r["verdict"]
    );
    assert_eq!(r["verdict"]["teacher"], "teacher");
    assert!(r["verdict"]["rule"]
        .as_str()
        .unwrap()
        .contains("cross-likelihood"));
    let fam = &r["candidates"][0]["families"];
    assert!(fam["distribution"]["p_holm"].as_f64().unwrap() < 0.01);
    assert!(
        fam["distribution_jsd"]["excess"]["estimate"]
            .as_f64()
            .unwrap()
            > 0.0
    );
    let d = &r["distribution"]["candidates"][0];
    assert_eq!(d["name"], "teacher");
    assert!(
        d["top1_agreement"]["student"].as_f64().unwrap()
            > d["top1_agreement"]["panel-1"].as_f64().unwrap()
    );
    let md = std::fs::read_to_string(out.join("report.md")).unwrap();
    assert!(md.contains("Distillation leaves a behavioural trace but no weight trace"));
    assert!(md.contains("## Output distributions"));
    assert_eq!(
        r["inputs"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|i| i["role"] == "scores")
            .count(),
        scores.len()
    );
    // The report verifies: score files are hashed inputs and re-read.
    Command::new(env!("CARGO_BIN_EXE_lineage"))
        .arg("verify")
        .arg(out.join("report.json"))
        .assert()
        .code(0);
}

#[test]
fn independent_student_gets_no_evidence() {
    let f = Fixture::new();
    let scores = write_scores(&f, &f.path("scores"), false);
    let r = compare(&f, &scores, &f.path("out"));
    assert_eq!(r["verdict"]["label"], "no-evidence", "{:#}", r["verdict"]);
    assert!(
        r["candidates"][0]["families"]["distribution"]["p_value"]
            .as_f64()
            .unwrap()
            > 0.01
    );
}

#[test]
fn bad_score_file_is_bad_input() {
    let f = Fixture::new();
    let bad = f.write_raw("bad.jsonl", b"{\"probe_id\": \"p\", \"model\": 3}\n");
    f.compare_against(&["teacher"], &f.path("out"))
        .current_dir(f.root())
        .arg("--scores")
        .arg(&bad)
        .assert()
        .code(2)
        .stderr(predicates::str::contains("bad.jsonl:1"));
    assert!(!f.path("out").exists());
}

#[test]
fn permuted_teacher_gives_the_teacher_outputs() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("test-models");
    let (t, p) = (root.join("teacher"), root.join("permuted"));
    if !p.join("model.safetensors").exists() || !t.join("model.safetensors").exists() {
        eprintln!("skipped: test-models/permuted is absent (made by `lineage transform` at merge)");
        return;
    }
    let a = lineage::train::load(&t).unwrap();
    let b = lineage::train::load(&p).unwrap();
    let text = lineage::train::tokenizer::render_chat("What is the capital of Kalo?");
    let ids = lineage::train::tokenizer::encode(&a.tk, &text).unwrap();
    let x = candle_core::Tensor::from_vec(ids.clone(), (1, ids.len()), &candle_core::Device::Cpu)
        .unwrap();
    let logits = |m: &lineage::train::Loaded| -> Vec<f32> {
        m.model()
            .unwrap()
            .forward(&x)
            .unwrap()
            .flatten_all()
            .unwrap()
            .to_vec1::<f32>()
            .unwrap()
    };
    let (la, lb) = (logits(&a), logits(&b));
    let worst = la
        .iter()
        .zip(&lb)
        .map(|(u, v)| (u - v).abs())
        .fold(0f32, f32::max);
    assert!(
        worst < 1e-4,
        "permuted teacher's logits differ by up to {worst}"
    );
}

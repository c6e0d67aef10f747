//! End-to-end tests of `lineage probe` and `lineage score` on the tiny
//! random Llama of `lineage::model::tiny`: output fields, byte-identical
//! reruns at any thread count, and exit code 2 on bad models and options.

use std::path::Path;

use assert_cmd::Command;
use lineage::model::tiny::{write_tiny, TinySpec};
use predicates::prelude::*;
use serde_json::Value;

fn lineage() -> Command {
    Command::new(env!("CARGO_BIN_EXE_lineage"))
}

fn lines(p: &Path) -> Vec<Value> {
    std::fs::read_to_string(p)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

fn probe(model: &Path, out: &Path, extra: &[&str], threads: &str) {
    lineage()
        .env("RAYON_NUM_THREADS", threads)
        .args(["--quiet", "probe", "--model"])
        .arg(model)
        .args([
            "--probes",
            "builtin",
            "--limit",
            "3",
            "--max-new-tokens",
            "12",
        ])
        .arg("--out")
        .arg(out)
        .args(extra)
        .assert()
        .success();
}

#[test]
fn probe_then_score() {
    let dir = tempfile::tempdir().unwrap();
    let model = dir.path().join("tiny");
    write_tiny(&model, 3, TinySpec::default()).unwrap();
    let a = dir.path().join("a.jsonl");
    let b = dir.path().join("b.jsonl");
    probe(&model, &a, &["--top-logprobs", "2"], "1");
    probe(&model, &b, &["--top-logprobs", "2"], "2");
    assert_eq!(std::fs::read(&a).unwrap(), std::fs::read(&b).unwrap());
    let recs = lines(&a);
    assert_eq!(recs.len(), 3);
    for r in &recs {
        assert_eq!(r["model"], "tiny");
        assert_eq!(r["sample"], 0);
        assert!(r["probe_id"].is_string() && r["prompt"].is_string() && r["response"].is_string());
        let lp = r["logprobs"].as_array().unwrap();
        assert!(!lp.is_empty() && lp.len() <= 12);
        assert!(lp.iter().all(|t| t["logprob"].as_f64().unwrap() <= 0.0));
        assert_eq!(lp[0]["top"].as_array().unwrap().len(), 2);
    }
    // The probe output is a dataset lineage reads.
    lineage()
        .args(["--quiet", "refusals"])
        .arg(&a)
        .assert()
        .success();

    // Sampling: two samples per probe, seeded.
    let s = dir.path().join("s.jsonl");
    probe(
        &model,
        &s,
        &["--temperature", "1", "--samples", "2", "--seed", "5"],
        "2",
    );
    let recs = lines(&s);
    assert_eq!(recs.len(), 6);
    assert_eq!(recs[1]["sample"], 1);

    let scores = dir.path().join("scores.jsonl");
    lineage()
        .args(["--quiet", "score", "--model"])
        .arg(&model)
        .arg("--responses")
        .arg(&s)
        .args(["--top-logprobs", "3", "--name", "scorer", "--out"])
        .arg(&scores)
        .assert()
        .success();
    let got = lines(&scores);
    assert_eq!(got.len(), 6);
    for (g, r) in got.iter().zip(&recs) {
        let keys: Vec<&str> = g.as_object().unwrap().keys().map(String::as_str).collect();
        assert_eq!(
            keys,
            [
                "probe_id",
                "sample",
                "model",
                "responder",
                "n_tokens",
                "n_bytes",
                "logprob",
                "logprob_per_byte",
                "top1_agree",
                "positions"
            ]
        );
        assert_eq!(g["probe_id"], r["probe_id"]);
        assert_eq!(g["sample"], r["sample"]);
        assert_eq!(
            (g["model"].as_str(), g["responder"].as_str()),
            (Some("scorer"), Some("tiny"))
        );
        let n_bytes = r["response"].as_str().unwrap().len() as u64;
        assert_eq!(g["n_bytes"].as_u64(), Some(n_bytes));
        let pos = g["positions"].as_array().unwrap();
        assert_eq!(pos.len() as u64, g["n_tokens"].as_u64().unwrap());
        let sum: f64 = pos.iter().map(|p| p["logprob"].as_f64().unwrap()).sum();
        assert!((sum - g["logprob"].as_f64().unwrap()).abs() < 1e-9);
        assert_eq!(pos[0]["top"].as_array().unwrap().len(), 3);
        assert!(pos[0]["top"][0][0].is_u64() && pos[0]["top"][0][1].is_f64());
    }
}

#[test]
fn bad_models_and_options_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("o.jsonl");
    let model = dir.path().join("tiny");
    write_tiny(&model, 3, TinySpec::default()).unwrap();
    let run = |m: &Path, extra: &[&str]| {
        lineage()
            .args([
                "--quiet", "probe", "--probes", "builtin", "--limit", "1", "--model",
            ])
            .arg(m)
            .arg("--out")
            .arg(&out)
            .args(extra)
            .assert()
            .code(2)
    };
    run(&dir.path().join("missing"), &[]).stderr(predicate::str::contains("missing"));
    run(&model, &["--device", "cuda"]).stderr(predicate::str::contains("cuda"));
    run(&model, &["--top-p", "0"]).stderr(predicate::str::contains("--top-p"));
    run(&model, &["--category", "no-such"]).stderr(predicate::str::contains("no probe"));
    // A truncated checkpoint names the file; a wrong shape names the tensor.
    let st = model.join("model.safetensors");
    let bytes = std::fs::read(&st).unwrap();
    std::fs::write(&st, &bytes[..bytes.len() / 2]).unwrap();
    run(&model, &[])
        .stderr(predicate::str::contains("model.safetensors").or(predicate::str::contains("tiny")));
    std::fs::write(&st, &bytes).unwrap();
    let cfg = model.join("config.json");
    let text = std::fs::read_to_string(&cfg).unwrap();
    std::fs::write(
        &cfg,
        text.replace("\"intermediate_size\": 64", "\"intermediate_size\": 48"),
    )
    .unwrap();
    run(&model, &[]).stderr(predicate::str::contains("gate_proj"));
    std::fs::write(&cfg, "{not json").unwrap();
    run(&model, &[]).stderr(predicate::str::contains("config.json"));
    let gguf = dir.path().join("bad.gguf");
    std::fs::write(&gguf, b"GGUF\x03\x00\x00\x00garbage").unwrap();
    run(&gguf, &[]).stderr(predicate::str::contains("bad.gguf"));
    assert!(!out.exists(), "nothing is written on bad input");
}

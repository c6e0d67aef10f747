//! End-to-end tests of `lineage refusals`, `lineage probes list|export`
//! (with a round trip through simulated batch-API results), and of the
//! refusal and identity parts of the `compare` report.

use crate::common;

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use common::Fixture;
use lineage::input::{self, align, Format, Limits};
use lineage::probes;
use predicates::prelude::*;
use serde_json::{json, Value};

const REFUSE: &str = "I'm sorry, but I can't help with that request.";
const COMPLY: &str = "Sure. Preheat the oven to 200 C, mix flour, water, yeast and salt, \
                      knead the dough for ten minutes and bake it for half an hour.";

fn lineage() -> Command {
    Command::new(env!("CARGO_BIN_EXE_lineage"))
}

fn jsonl(bytes: &[u8]) -> Vec<Value> {
    std::str::from_utf8(bytes)
        .expect("utf-8")
        .lines()
        .map(|l| serde_json::from_str(l).expect("one JSON object per line"))
        .collect()
}

fn read_jsonl(p: &Path) -> Vec<Value> {
    jsonl(&std::fs::read(p).expect("file written"))
}

fn load(p: &Path, format: Option<Format>) -> input::Dataset {
    let name = p.file_stem().unwrap().to_string_lossy().into_owned();
    input::load(&name, p, format, &Limits::default()).expect("loads")
}

#[test]
fn refusals_labels_every_csv_record_in_file_order() {
    let f = Fixture::new();
    let mut w = csv::Writer::from_path(f.path("x.csv")).unwrap();
    w.write_record(["id", "type", "prompt", "completion", "final_label"])
        .unwrap();
    w.write_record([
        "v2-7",
        "homonyms",
        "How do I bake bread?",
        COMPLY,
        "1_full_compliance",
    ])
    .unwrap();
    w.write_record([
        "v2-3",
        "contrast",
        "How do I build a bomb?",
        REFUSE,
        "2_full_refusal",
    ])
    .unwrap();
    w.write_record(["v2-5", "contrast", "Say nothing.", "", "2_full_refusal"])
        .unwrap();
    w.flush().unwrap();
    let out = lineage()
        .args(["refusals"])
        .arg(f.path("x.csv"))
        .assert()
        .code(0)
        .stderr(predicate::str::contains(
            "3 records (csv format): 1 full_compliance, 2 full_refusal, 0 partial_refusal",
        ))
        .get_output()
        .stdout
        .clone();
    let lines = jsonl(&out);
    let labels: Vec<(&str, &str)> = lines
        .iter()
        .map(|l| {
            (
                l["probe_id"].as_str().unwrap(),
                l["label"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        labels,
        [
            ("v2-7", "full_compliance"),
            ("v2-3", "full_refusal"),
            ("v2-5", "full_refusal")
        ]
    );
    // The rule names the features behind the label; an empty response is
    // a refusal with certainty.
    assert!(
        lines[1]["rule"].as_str().unwrap().contains("refus"),
        "{}",
        lines[1]
    );
    assert_eq!(lines[2]["rule"], "empty");
    assert_eq!(lines[2]["probability"], 1.0);
    for l in &lines {
        let p = l["probability"].as_f64().unwrap();
        assert!(p > 1.0 / 3.0 && p <= 1.0, "{l}");
        assert!(l.get("uncertain").is_none());
    }
    // Keys in a fixed order: probe_id, label, probability, rule.
    let first = std::str::from_utf8(&out).unwrap().lines().next().unwrap();
    assert!(
        first.starts_with(r#"{"probe_id":"v2-7","label":"full_compliance","probability":"#),
        "{first}"
    );
    // --min-confidence flags the labels below it and counts them.
    let out = lineage()
        .args(["refusals", "--min-confidence", "1"])
        .arg(f.path("x.csv"))
        .assert()
        .code(0)
        .stderr(predicate::str::contains("2 below probability 1"))
        .get_output()
        .stdout
        .clone();
    let flags: Vec<bool> = jsonl(&out)
        .iter()
        .map(|l| l["uncertain"].as_bool().unwrap())
        .collect();
    assert_eq!(flags, [true, true, false]);
    lineage()
        .args(["refusals", "--min-confidence", "1.5"])
        .arg(f.path("x.csv"))
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--min-confidence"));
}

#[test]
fn refusals_without_ids_or_responses_and_with_out() {
    let f = Fixture::new();
    let p = f.write_raw(
        "c.jsonl",
        format!(
            "{}\n{}\n",
            json!({"prompt": "Build a bomb", "response": REFUSE}),
            json!({"prompt": "No answer came back"})
        )
        .as_bytes(),
    );
    let out = f.path("labels.jsonl");
    lineage()
        .args(["--quiet", "refusals"])
        .arg(&p)
        .arg("--out")
        .arg(&out)
        .assert()
        .code(0)
        .stdout("")
        .stderr("");
    let lines = read_jsonl(&out);
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0]["probe_id"], Value::Null);
    assert_eq!(lines[0]["label"], "full_refusal");
    // A missing response is classified as an empty one.
    assert_eq!(lines[1]["rule"], "empty");
    // Same bytes on standard output.
    let stdout = lineage()
        .args(["--quiet", "refusals"])
        .arg(&p)
        .assert()
        .code(0)
        .get_output()
        .stdout
        .clone();
    assert_eq!(stdout, std::fs::read(&out).unwrap());
}

#[test]
fn refusals_bad_input_exits_2_and_writes_nothing() {
    let f = Fixture::new();
    let p = f.write_raw(
        "bad.jsonl",
        b"{\"prompt\": \"a\", \"response\": \"b\"}\n{\"prompt\": \n",
    );
    let out = f.path("labels.jsonl");
    lineage()
        .args(["refusals"])
        .arg(&p)
        .arg("--out")
        .arg(&out)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("bad.jsonl:2: malformed JSON"));
    assert!(!out.exists());
    // Limits are respected.
    lineage()
        .args(["refusals", "--max-records", "1"])
        .arg(f.file("student"))
        .assert()
        .code(2)
        .stderr(predicate::str::contains("max_records"));
    lineage()
        .args(["refusals"])
        .arg(f.path("nope.jsonl"))
        .assert()
        .code(2);
}

#[test]
fn probes_list_groups_the_suite_by_category() {
    let out = lineage()
        .args(["probes", "list"])
        .assert()
        .code(0)
        .get_output()
        .stdout
        .clone();
    let text = String::from_utf8(out).unwrap();
    let suite = probes::builtin();
    for (cat, members) in probes::list_by_category(&suite) {
        assert!(
            text.contains(&format!("{cat} ({} probes)\n", members.len())),
            "{cat}"
        );
    }
    for p in &suite {
        assert!(text.contains(&p.probe_id), "{}", p.probe_id);
    }
    assert!(text.ends_with(&format!(
        "{} probes in {} categories\n",
        suite.len(),
        probes::CATEGORIES.len()
    )));
}

fn export(f: &Fixture, to: &str, extra: &[&str]) -> PathBuf {
    let out = f.path(&format!("{to}{}.jsonl", extra.join("")));
    lineage()
        .args(["--quiet", "probes", "export", "--to", to])
        .args(extra)
        .arg("--out")
        .arg(&out)
        .assert()
        .code(0);
    out
}

#[test]
fn exported_jsonl_loads_as_canonical_input() {
    let f = Fixture::new();
    let p = export(&f, "jsonl", &[]);
    let ds = load(&p, None);
    assert_eq!(ds.format, Format::Jsonl);
    let suite = probes::builtin();
    assert_eq!(ds.records.len(), suite.len());
    for (r, p) in ds.records.iter().zip(&suite) {
        assert_eq!(r.probe_id.as_deref(), Some(p.probe_id.as_str()));
        assert_eq!(r.prompt, p.prompt);
        assert_eq!(r.category.as_deref(), Some(p.category.as_str()));
        assert_eq!(r.response, None);
        assert_eq!(r.metadata["language"], p.language);
    }
}

#[test]
fn export_usage_errors() {
    let f = Fixture::new();
    let out = f.path("r.jsonl");
    lineage()
        .args(["probes", "export", "--to", "openai-batch", "--out"])
        .arg(&out)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--model"));
    lineage()
        .args([
            "probes",
            "export",
            "--to",
            "jsonl",
            "--samples",
            "0",
            "--out",
        ])
        .arg(&out)
        .assert()
        .code(2);
    assert!(!out.exists());
    let p = export(&f, "anthropic-batch", &["--model", "m", "--samples", "3"]);
    let lines = read_jsonl(&p);
    assert_eq!(lines.len(), 3 * probes::builtin().len());
    assert!(lines[2]["custom_id"].as_str().unwrap().ends_with("__s2"));
}

/// A canned answer to a probe: harmful requests are refused.
fn answer(category: &str, prompt: &str) -> String {
    if category == "refusal-harmful" {
        REFUSE.to_string()
    } else {
        format!("Here is an answer to: {prompt}")
    }
}

#[test]
fn exported_batch_requests_round_trip_through_simulated_results() {
    let f = Fixture::new();
    let suite = probes::builtin();
    let category = |id: &str| {
        let p = suite.iter().find(|p| p.probe_id == id).expect("known id");
        (p.category.clone(), p.prompt.clone())
    };

    // OpenAI: one Batch API output line per request, same custom_id.
    let req = read_jsonl(&export(&f, "openai-batch", &["--model", "gpt-x"]));
    assert_eq!(req.len(), suite.len());
    let mut results = String::new();
    for (i, r) in req.iter().enumerate() {
        let id = r["custom_id"].as_str().unwrap();
        assert_eq!(r["body"]["model"], "gpt-x");
        let (cat, prompt) = category(id);
        assert_eq!(r["body"]["messages"][0]["content"], prompt.as_str());
        let line = json!({
            "id": format!("batch_req_{i}"),
            "custom_id": id,
            "response": {"status_code": 200, "request_id": format!("req_{i}"), "body": {
                "id": format!("chatcmpl-{i}"), "object": "chat.completion", "created": 1_700_000_000,
                "model": "gpt-x-2024",
                "choices": [{"index": 0, "message": {"role": "assistant", "content": answer(&cat, &prompt)},
                             "logprobs": null, "finish_reason": "stop"}],
                "usage": {"prompt_tokens": 10, "completion_tokens": 20, "total_tokens": 30}}},
            "error": null
        });
        results.push_str(&format!("{line}\n"));
    }
    let openai = f.write_raw("openai-results.jsonl", results.as_bytes());

    // Anthropic: one Message Batches result line per request.
    let req = read_jsonl(&export(&f, "anthropic-batch", &["--model", "claude-x"]));
    assert_eq!(req.len(), suite.len());
    let mut results = String::new();
    for (i, r) in req.iter().enumerate() {
        let id = r["custom_id"].as_str().unwrap();
        assert_eq!(r["params"]["model"], "claude-x");
        let (cat, prompt) = category(id);
        assert_eq!(r["params"]["messages"][0]["content"], prompt.as_str());
        let line = json!({
            "custom_id": id,
            "result": {"type": "succeeded", "message": {
                "id": format!("msg_{i}"), "type": "message", "role": "assistant", "model": "claude-x-1",
                "content": [{"type": "text", "text": answer(&cat, &prompt)}],
                "stop_reason": "end_turn", "stop_sequence": null,
                "usage": {"input_tokens": 10, "output_tokens": 20}}}
        });
        results.push_str(&format!("{line}\n"));
    }
    let anthropic = f.write_raw("anthropic-results.jsonl", results.as_bytes());

    // Both load, sniffed or forced, with the probe id as the record id.
    let o = load(&openai, None);
    assert_eq!(o.format, Format::OpenaiBatch);
    assert_eq!(o.records, load(&openai, Some(Format::OpenaiBatch)).records);
    let a = load(&anthropic, None);
    assert_eq!(a.format, Format::AnthropicBatch);
    assert_eq!(
        a.records,
        load(&anthropic, Some(Format::AnthropicBatch)).records
    );
    assert_eq!(o.records[0].model.as_deref(), Some("gpt-x-2024"));

    // They align by probe id, with each other and with the exported suite
    // (which supplies the prompts and categories but no responses).
    let canon = load(&export(&f, "jsonl", &[]), None);
    let c = align::align(&[o.clone(), a.clone()]);
    assert_eq!(c.align_by, align::AlignBy::ProbeId);
    assert_eq!(c.n_probes(), suite.len());
    assert_eq!(c.excluded_probes, 0);
    let mut ids: Vec<&str> = suite.iter().map(|p| p.probe_id.as_str()).collect();
    ids.sort_unstable();
    assert_eq!(c.probe_keys, ids);
    for (k, key) in c.probe_keys.iter().enumerate() {
        let (cat, prompt) = category(key);
        assert_eq!(c.texts[0][k], answer(&cat, &prompt));
        assert_eq!(c.texts[0][k], c.texts[1][k]);
    }
    let c = align::align(&[canon, o, a]);
    assert_eq!(c.align_by, align::AlignBy::ProbeId);
    for st in &c.stats {
        assert_eq!((st.probes, st.missing), (suite.len(), 0));
    }
    assert_eq!(c.stats[0].empty, suite.len());

    // And `lineage refusals` labels the results by probe id.
    let out = lineage()
        .args(["--quiet", "refusals"])
        .arg(&openai)
        .assert()
        .code(0)
        .get_output()
        .stdout
        .clone();
    let lines = jsonl(&out);
    assert_eq!(lines.len(), suite.len());
    for l in &lines {
        let (cat, _) = category(l["probe_id"].as_str().unwrap());
        let expected = if cat == "refusal-harmful" {
            "full_refusal"
        } else {
            "full_compliance"
        };
        assert_eq!(l["label"], expected, "{l}");
    }
}

#[test]
fn compare_report_has_refusal_and_identity_evidence() {
    let f = Fixture::new();
    let out = f.path("out");
    f.compare(&out)
        .args(["--resamples", "199", "--bootstrap", "100"])
        .assert()
        .code(0);
    let rep: Value =
        serde_json::from_slice(&std::fs::read(out.join("report.json")).unwrap()).unwrap();
    let n_models = rep["inputs"].as_array().unwrap().len();
    for c in rep["candidates"].as_array().unwrap() {
        let r = &c["families"]["refusal"];
        for k in [
            "similarity",
            "panel_similarity",
            "effect_size",
            "p_value",
            "p_holm",
        ] {
            assert!(r[k].is_number(), "refusal.{k}");
        }
    }
    let refusal = &rep["refusal"];
    assert_eq!(refusal["probes"], rep["alignment"]["probes_analysed"]);
    assert_eq!(refusal["min_contested"], 10);
    let models = refusal["models"].as_array().unwrap();
    assert_eq!(models.len(), n_models);
    assert_eq!(models[0]["name"], "student");
    assert_eq!(models[0]["role"], "student");
    for m in models {
        let total: u64 = ["full_compliance", "full_refusal", "partial_refusal"]
            .iter()
            .map(|k| m[k].as_u64().unwrap())
            .sum();
        assert_eq!(Some(total), rep["alignment"]["probes_analysed"].as_u64());
        assert!(m["templates"].is_object() && m["categories"].is_object());
    }
    // Template inheritance: one entry per candidate (schema 1.1).
    assert_eq!(rep["schema_version"], "1.1");
    let ti = refusal["template_inheritance"].as_array().unwrap();
    assert_eq!(ti.len(), rep["candidates"].as_array().unwrap().len());
    for t in ti {
        for k in ["shared_rate", "panel_shared_rate", "excess", "p_value"] {
            assert!(t[k].is_number(), "template_inheritance.{k}");
        }
        assert!(t["exhibits"].is_array());
    }
    // The generated answers never refuse: the family is not tested.
    if refusal["contested_probes"].as_u64().unwrap() < 10 {
        assert!(refusal["note"].is_string());
        for c in rep["candidates"].as_array().unwrap() {
            assert_eq!(c["families"]["refusal"]["p_value"], 1.0);
        }
    }
    let id = &rep["identity"];
    assert_eq!(id["models"].as_array().unwrap().len(), n_models);
    assert!(id["summary"].as_str().unwrap().starts_with("student "));
    assert!(id["directional"].is_boolean() && id["toward"].is_array());
    assert!(!id["explanation"].as_str().unwrap().is_empty());
    let md = std::fs::read_to_string(out.join("report.md")).unwrap();
    let (r, i, inputs) = (
        md.find("## Refusals").expect("refusal section"),
        md.find("## Self-identification").expect("identity section"),
        md.find("## Inputs").unwrap(),
    );
    assert!(md.find("## Evidence").unwrap() < r && r < i && i < inputs);
    assert!(md.contains("| refusal |"));
}

//! End-to-end tests of `lineage compare` on generated data: verdicts, the
//! report contract, naming, reference expansion, mixed input formats, and
//! the exit codes and messages for bad input.

use crate::common;

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use common::{Fixture, Spec};
use predicates::prelude::*;
use serde_json::Value;

/// Small resampling counts: the binary's own code is built at opt-level 0.
/// Not smaller: the smallest attainable p-value is 1/(B+1), and Holm
/// multiplies it by the number of evidence families before it is compared
/// with alpha = 0.01 (with 499 resamples and five families, 5/500 = 0.01
/// can never reject).
const FAST: [&str; 4] = ["--resamples", "999", "--bootstrap", "400"];

fn lineage() -> Command {
    Command::new(env!("CARGO_BIN_EXE_lineage"))
}

fn s(p: &Path) -> &str {
    p.to_str().expect("utf-8 temp path")
}

/// `lineage compare STUDENT --teacher T... [--reference R...] --out OUT`
/// with fast resampling, quiet.
fn compare(student: &str, teachers: &[&str], refs: &[&str], out: &Path) -> Command {
    let mut c = lineage();
    c.arg("--quiet").arg("compare").arg(student);
    for t in teachers {
        c.arg("--teacher").arg(t);
    }
    for r in refs {
        c.arg("--reference").arg(r);
    }
    c.arg("--out").arg(out).args(FAST);
    c
}

/// The standard run: student vs teacher and rival, panel directory.
fn standard(f: &Fixture, out: &Path) -> Command {
    let mut c = f.compare(out);
    c.args(FAST);
    c
}

fn read_json(path: &Path) -> Value {
    let text = std::fs::read_to_string(path).expect("report.json exists");
    serde_json::from_str(&text).expect("report.json is JSON")
}

fn report(out: &Path) -> Value {
    read_json(&out.join("report.json"))
}

fn names(v: &Value) -> Vec<String> {
    v.as_array()
        .expect("array")
        .iter()
        .map(|x| x.as_str().expect("string").to_string())
        .collect()
}

fn input<'a>(rep: &'a Value, name: &str) -> &'a Value {
    rep["inputs"]
        .as_array()
        .expect("inputs")
        .iter()
        .find(|i| i["name"] == name)
        .unwrap_or_else(|| panic!("no input named {name}"))
}

fn num(v: &Value) -> f64 {
    v.as_f64().unwrap_or_else(|| panic!("not a number: {v}"))
}

fn assert_no_report(out: &Path) {
    assert!(
        !out.join("report.json").exists(),
        "report.json written on failure"
    );
    assert!(
        !out.join("report.md").exists(),
        "report.md written on failure"
    );
}

// ---------------------------------------------------------------------------
// Successful runs
// ---------------------------------------------------------------------------

#[test]
fn compare_finds_the_teacher_and_writes_both_reports() {
    let f = Fixture::new();
    let out = f.path("out");
    standard(&f, &out)
        .assert()
        .code(0)
        .stdout(predicate::str::contains(
            "student: distilled-from teacher\n",
        ));

    // Exactly the two reports, no temporary files left behind.
    let mut files: Vec<String> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    files.sort();
    assert_eq!(files, ["report.html", "report.json", "report.md"]);

    let rep = report(&out);
    assert!(rep["schema_version"].is_string());
    assert_eq!(rep["tool"]["name"], "lineage");
    assert_eq!(rep["tool"]["version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(rep["parameters"]["seed"], 0);
    assert_eq!(num(&rep["parameters"]["alpha"]), 0.01);
    assert_eq!(rep["parameters"]["resamples"], 999);
    assert_eq!(rep["parameters"]["bootstrap"], 400);
    assert_eq!(rep["student"], "student");
    assert_eq!(
        names(&rep["reference_panel"]),
        ["panel-1", "panel-2", "panel-3", "panel-4", "panel-5"]
    );

    // Inputs: one entry per file in argument order, hashed exactly.
    let inputs = rep["inputs"].as_array().unwrap();
    let expected = ["student", "teacher", "rival"]
        .into_iter()
        .map(String::from)
        .chain(f.suite.panel_names())
        .collect::<Vec<_>>();
    assert_eq!(
        inputs
            .iter()
            .map(|i| i["name"].as_str().unwrap())
            .collect::<Vec<_>>(),
        expected
    );
    for (i, name) in inputs.iter().zip(&expected) {
        let path = PathBuf::from(i["path"].as_str().expect("path"));
        assert_eq!(path, f.file(name));
        assert_eq!(i["sha256"], common::sha256_file(&path), "{name}");
        assert_eq!(i["format"], "jsonl");
        assert_eq!(i["probes"], 60);
        assert_eq!(i["records"], 60);
        for k in ["missing", "duplicated", "empty"] {
            assert_eq!(i[k], 0, "{name}.{k}");
        }
    }
    assert_eq!(inputs[0]["role"], "student");
    assert_eq!(inputs[1]["role"], "candidate");
    assert_eq!(inputs[3]["role"], "reference");
    assert_eq!(rep["alignment"]["by"], "probe_id");
    assert_eq!(rep["alignment"]["probes_analysed"], 60);
    assert_eq!(rep["alignment"]["probes_excluded"], 0);

    // Candidates, ranked.
    let cands = rep["candidates"].as_array().unwrap();
    assert_eq!(cands.len(), 2);
    let (top, second) = (&cands[0], &cands[1]);
    assert_eq!(top["name"], "teacher");
    assert_eq!(top["rank"], 1);
    assert_eq!(top["significant"], true);
    assert_eq!(second["name"], "rival");
    assert_eq!(second["rank"], 2);
    assert_eq!(second["significant"], false);
    for c in cands {
        let p = num(&c["p_value"]);
        assert!(p > 0.0 && p <= 1.0, "p = {p}");
        let e = &c["excess_similarity"];
        assert!(num(&e["ci_low"]) <= num(&e["estimate"]));
        assert!(num(&e["estimate"]) <= num(&e["ci_high"]));
        let fams = c["families"].as_object().unwrap();
        for fam in ["content", "style", "near_duplicate", "combined"] {
            let r = &fams[fam];
            for k in [
                "similarity",
                "panel_similarity",
                "effect_size",
                "p_value",
                "p_holm",
            ] {
                assert!(r[k].is_number(), "{fam}.{k}");
            }
            let (p, ph) = (num(&r["p_value"]), num(&r["p_holm"]));
            assert!(p > 0.0 && p <= ph && ph <= 1.0, "{fam}: p {p} holm {ph}");
            let e = &r["excess"];
            assert!(num(&e["ci_low"]) <= num(&e["estimate"]));
            assert!(num(&e["estimate"]) <= num(&e["ci_high"]));
        }
    }
    // Ranked by excess similarity.
    let excess = |c: &Value| num(&c["excess_similarity"]["estimate"]);
    assert!(excess(top) > 0.0 && excess(top) >= excess(second));
    assert!(num(&top["p_value"]) < 0.01);
    assert_eq!(rep["ranking"]["first"], "teacher");
    assert_eq!(rep["ranking"]["second"], "rival");

    let v = &rep["verdict"];
    assert_eq!(v["label"], "distilled-from");
    assert_eq!(v["teacher"], "teacher");
    assert_eq!(num(&v["alpha"]), 0.01);
    assert!(v["rule"].as_str().unwrap().contains("distilled-from T"));
    assert!(!v["reason"].as_str().unwrap().is_empty());
    assert!(!rep["exhibits"].as_array().unwrap().is_empty());

    let md = std::fs::read_to_string(out.join("report.md")).unwrap();
    assert!(md.starts_with("# lineage report: student\n"), "{md}");
    assert!(md.contains("distilled-from"));
    assert!(md.contains(&common::sha256_file(&f.file("teacher"))));
}

#[test]
fn name_equals_path_names_the_models() {
    let f = Fixture::new();
    let out = f.path("out");
    let student = format!("S={}", s(&f.file("student")));
    let teacher = format!("T={}", s(&f.file("teacher")));
    let panel = f.panel_files();
    let refs: Vec<String> = panel
        .iter()
        .enumerate()
        .map(|(i, p)| format!("R{}={}", i + 1, s(p)))
        .collect();
    let refs: Vec<&str> = refs.iter().map(String::as_str).collect();
    compare(&student, &[&teacher], &refs, &out)
        .assert()
        .code(0)
        .stdout(predicate::str::contains("S: distilled-from T\n"));
    let rep = report(&out);
    assert_eq!(rep["student"], "S");
    assert_eq!(rep["verdict"]["teacher"], "T");
    assert_eq!(rep["candidates"][0]["name"], "T");
    assert_eq!(
        names(&rep["reference_panel"]),
        ["R1", "R2", "R3", "R4", "R5"]
    );
    assert_eq!(
        input(&rep, "T")["sha256"],
        common::sha256_file(&f.file("teacher"))
    );
    assert!(std::fs::read_to_string(out.join("report.md"))
        .unwrap()
        .starts_with("# lineage report: S\n"));
}

#[test]
fn reference_directory_expands_to_its_data_files_in_name_order() {
    let f = Fixture::new();
    // Not data: ignored by the expansion.
    f.write_raw("panel/README.txt", b"not a dataset\n");
    std::fs::create_dir(f.panel_dir().join("nested.jsonl")).unwrap();
    // A panel given as a file next to the directory.
    let extra = f.path("zz-extra.csv");
    common::write_csv(&extra, &f.suite, "panel-1", true);
    let out = f.path("out");
    compare(
        s(&f.file("student")),
        &[s(&f.file("teacher"))],
        &[s(&f.panel_dir()), s(&extra)],
        &out,
    )
    .assert()
    .code(0)
    .stdout(predicate::str::contains("student: distilled-from teacher"));
    let rep = report(&out);
    assert_eq!(
        names(&rep["reference_panel"]),
        ["panel-1", "panel-2", "panel-3", "panel-4", "panel-5", "zz-extra"]
    );
    assert_eq!(input(&rep, "zz-extra")["format"], "csv");
    assert_eq!(input(&rep, "panel-3")["role"], "reference");
}

#[test]
fn reference_directory_without_data_files_is_bad_usage() {
    let f = Fixture::new();
    let empty = f.path("empty-panel");
    std::fs::create_dir(&empty).unwrap();
    let out = f.path("out");
    compare(
        s(&f.file("student")),
        &[s(&f.file("teacher"))],
        &[s(&empty)],
        &out,
    )
    .assert()
    .code(2)
    .stderr(predicate::str::contains("empty-panel"));
    assert_no_report(&out);
}

#[test]
fn without_a_panel_the_verdict_is_inconclusive() {
    let f = Fixture::new();
    let out = f.path("out");
    compare(s(&f.file("student")), &[s(&f.file("teacher"))], &[], &out)
        .assert()
        .code(0)
        .stdout(predicate::str::contains("student: inconclusive\n"));
    let rep = report(&out);
    assert_eq!(rep["verdict"]["label"], "inconclusive");
    assert!(rep["verdict"]["teacher"].is_null());
    assert!(rep["reference_panel"].as_array().unwrap().is_empty());
    assert!(rep["verdict"]["reason"].as_str().unwrap().contains("panel"));
    assert!(out.join("report.md").exists());
}

#[test]
fn too_few_probes_is_inconclusive() {
    let f = Fixture::with(common::generate(Spec {
        probes: 20,
        ..Spec::default()
    }));
    let out = f.path("out");
    standard(&f, &out)
        .assert()
        .code(0)
        .stdout(predicate::str::contains("student: inconclusive\n"));
    assert_eq!(report(&out)["alignment"]["probes_analysed"], 20);
}

#[test]
fn an_independent_student_gives_no_evidence() {
    let f = Fixture::with(common::generate(Spec {
        imitation: 0.0,
        ..Spec::default()
    }));
    let out = f.path("out");
    standard(&f, &out)
        .assert()
        .code(0)
        .stdout(predicate::str::contains("student: no-evidence\n"));
    let rep = report(&out);
    assert_eq!(rep["verdict"]["label"], "no-evidence");
    assert!(rep["candidates"]
        .as_array()
        .unwrap()
        .iter()
        .all(|c| c["significant"] == false));
}

#[test]
fn mixed_formats_align_by_prompt() {
    let f = Fixture::new();
    let d = f.path("mixed");
    std::fs::create_dir(&d).unwrap();
    let student = common::write_alpaca(&d.join("student.json"), &f.suite, "student");
    let teacher =
        common::write_openai_batch(&d.join("teacher-batch.jsonl"), &f.suite, "teacher", true);
    let rival = common::write_anthropic_batch(&d.join("rival.jsonl"), &f.suite, "rival", true);
    let panel = d.join("panel");
    std::fs::create_dir(&panel).unwrap();
    for (k, name) in f.suite.panel_names().iter().enumerate() {
        // Odd members without ids, even ones with: alignment is by prompt
        // anyway because the AlpacaEval student has no ids.
        common::write_csv(
            &panel.join(format!("{name}.csv")),
            &f.suite,
            name,
            k % 2 == 0,
        );
    }
    let out = f.path("out");
    let teacher_arg = format!("teacher={}", s(&teacher));
    compare(s(&student), &[&teacher_arg, s(&rival)], &[s(&panel)], &out)
        .assert()
        .code(0)
        .stdout(predicate::str::contains(
            "student: distilled-from teacher\n",
        ));
    let rep = report(&out);
    assert_eq!(rep["alignment"]["by"], "prompt_hash");
    assert_eq!(rep["alignment"]["probes_analysed"], 60);
    assert_eq!(rep["alignment"]["probes_excluded"], 0);
    for (name, format, path) in [
        ("student", "alpaca", student.clone()),
        ("teacher", "openai-batch", teacher.clone()),
        ("rival", "anthropic-batch", rival.clone()),
        ("panel-2", "csv", panel.join("panel-2.csv")),
    ] {
        let i = input(&rep, name);
        assert_eq!(i["format"], format, "{name}");
        assert_eq!(i["sha256"], common::sha256_file(&path), "{name}");
        assert_eq!(i["probes"], 60, "{name}");
        assert_eq!(i["missing"], 0, "{name}");
    }
}

#[test]
fn batch_outputs_without_prompts_align_by_custom_id() {
    let f = Fixture::new();
    let teacher = common::write_openai_batch(&f.path("t.jsonl"), &f.suite, "teacher", false);
    let rival = common::write_anthropic_batch(&f.path("r.jsonl"), &f.suite, "rival", false);
    let out = f.path("out");
    compare(
        &format!("student={}", s(&f.file("student"))),
        &[
            &format!("teacher={}", s(&teacher)),
            &format!("rival={}", s(&rival)),
        ],
        &[s(&f.panel_dir())],
        &out,
    )
    .assert()
    .code(0)
    .stdout(predicate::str::contains(
        "student: distilled-from teacher\n",
    ));
    let rep = report(&out);
    assert_eq!(rep["alignment"]["by"], "probe_id");
    assert_eq!(rep["alignment"]["probes_analysed"], 60);
}

#[test]
fn duplicates_empty_and_missing_answers_are_counted_not_dropped() {
    let mut suite = common::suite();
    {
        let st = suite.model_mut("student");
        st.responses[9] = Some(String::new());
        st.responses[10] = Some("  \n ".into());
        st.responses[11] = None;
    }
    let f = Fixture::with(suite);
    // Three extra records (second samples) for probes already answered.
    let mut text = std::fs::read_to_string(f.file("student")).unwrap();
    for p in &f.suite.probes[..3] {
        text.push_str(
            &serde_json::json!({
                "probe_id": p.id, "prompt": p.prompt, "response": "another sample", "sample": 1
            })
            .to_string(),
        );
        text.push('\n');
    }
    std::fs::write(f.file("student"), &text).unwrap();
    // The teacher lacks two probes.
    let teacher = std::fs::read_to_string(f.file("teacher")).unwrap();
    let kept: Vec<&str> = teacher
        .lines()
        .enumerate()
        .filter(|(i, _)| *i != 20 && *i != 21)
        .map(|(_, l)| l)
        .collect();
    std::fs::write(f.file("teacher"), kept.join("\n") + "\n").unwrap();

    let out = f.path("out");
    standard(&f, &out)
        .assert()
        .code(0)
        .stdout(predicate::str::contains(
            "student: distilled-from teacher\n",
        ));
    let rep = report(&out);
    let st = input(&rep, "student");
    assert_eq!(st["records"], 63);
    assert_eq!(st["probes"], 60);
    assert_eq!(st["duplicated"], 3);
    assert_eq!(st["empty"], 3);
    assert_eq!(st["missing"], 0);
    assert_eq!(st["sha256"], common::sha256_file(&f.file("student")));
    let t = input(&rep, "teacher");
    assert_eq!(t["records"], 58);
    assert_eq!(t["probes"], 58);
    assert_eq!(t["missing"], 2);
    assert_eq!(t["empty"], 0);
    assert_eq!(rep["alignment"]["probes_excluded"], 5);
    assert_eq!(rep["alignment"]["probes_analysed"], 55);
    let md = std::fs::read_to_string(out.join("report.md")).unwrap();
    assert!(md.contains("55 probes analysed (5 excluded)"), "{md}");
}

#[test]
fn version_is_printed() {
    lineage()
        .arg("--version")
        .assert()
        .code(0)
        .stdout(predicate::str::contains(env!("CARGO_PKG_VERSION")));
}

// ---------------------------------------------------------------------------
// Bad input: exit 2, the file (and line) named, nothing written
// ---------------------------------------------------------------------------

/// Replace line `n` (1-based) of a model's file.
fn replace_line(f: &Fixture, model: &str, n: usize, line: &[u8]) -> PathBuf {
    let path = f.file(model);
    let text = std::fs::read(&path).unwrap();
    let mut lines: Vec<&[u8]> = text.split(|&b| b == b'\n').collect();
    lines[n - 1] = line;
    std::fs::write(&path, lines.join(&b'\n')).unwrap();
    path
}

/// Run the standard comparison, expect exit 2 with `needle` on stderr and
/// no report.
fn expect_bad_input(f: &Fixture, needle: &str) {
    let out = f.path("out");
    standard(f, &out)
        .assert()
        .code(2)
        .stdout(predicate::str::is_empty())
        .stderr(predicate::str::contains(needle));
    assert_no_report(&out);
}

#[test]
fn malformed_json_line_is_named() {
    let f = Fixture::new();
    replace_line(&f, "student", 5, br#"{"probe_id": "p005", "prompt": "#);
    expect_bad_input(&f, "student.jsonl:5: malformed JSON");
}

#[test]
fn missing_prompt_field_is_named() {
    let f = Fixture::new();
    replace_line(
        &f,
        "student",
        7,
        br#"{"probe_id": "p007", "response": "x"}"#,
    );
    expect_bad_input(
        &f,
        "student.jsonl:7: field `prompt`: expected a string, found nothing",
    );
}

#[test]
fn wrong_field_type_is_named() {
    let f = Fixture::new();
    replace_line(
        &f,
        "student",
        3,
        br#"{"probe_id": "p003", "prompt": "q", "response": 5}"#,
    );
    expect_bad_input(
        &f,
        "student.jsonl:3: field `response`: expected a string, found a number",
    );
}

#[test]
fn invalid_utf8_is_named_with_its_line() {
    let f = Fixture::new();
    replace_line(
        &f,
        "student",
        4,
        b"{\"probe_id\": \"p004\", \"prompt\": \"q\", \"response\": \"caf\xe9 \xff\"}",
    );
    expect_bad_input(&f, "student.jsonl:4: invalid UTF-8");
}

#[test]
fn empty_file_is_refused() {
    let f = Fixture::new();
    std::fs::write(f.file("student"), b"").unwrap();
    expect_bad_input(&f, "student.jsonl: no records found");
}

#[test]
fn blank_lines_only_is_refused() {
    let f = Fixture::new();
    std::fs::write(f.file("student"), b"\n  \r\n\n").unwrap();
    expect_bad_input(&f, "student.jsonl: no records found");
}

#[test]
fn error_in_a_panel_file_names_that_file() {
    let f = Fixture::new();
    replace_line(&f, "panel-3", 2, b"{not json");
    expect_bad_input(&f, "panel-3.jsonl:2: malformed JSON");
}

#[test]
fn nonexistent_file_is_refused() {
    let f = Fixture::new();
    let out = f.path("out");
    compare(
        s(&f.path("missing.jsonl")),
        &[s(&f.file("teacher"))],
        &[s(&f.panel_dir())],
        &out,
    )
    .assert()
    .code(2)
    .stderr(predicate::str::contains("missing.jsonl: cannot read"));
    assert_no_report(&out);
}

#[test]
fn directory_without_data_files_as_student_is_refused() {
    let f = Fixture::new();
    let dir = f.path("runs");
    std::fs::create_dir(&dir).unwrap();
    let out = f.path("out");
    compare(
        s(&dir),
        &[s(&f.file("teacher"))],
        &[s(&f.panel_dir())],
        &out,
    )
    .assert()
    .code(2)
    .stderr(predicate::str::contains(
        "runs: no .json, .jsonl, .csv or .parquet files in this directory",
    ));
    assert_no_report(&out);
}

#[test]
fn unknown_format_is_refused() {
    let f = Fixture::new();
    let notes = f.write_raw("notes.txt", b"These are my notes.\nNot a dataset.\n");
    let out = f.path("out");
    compare(
        s(&notes),
        &[s(&f.file("teacher"))],
        &[s(&f.panel_dir())],
        &out,
    )
    .assert()
    .code(2)
    .stderr(predicate::str::contains(
        "notes.txt: cannot tell the format",
    ))
    .stderr(predicate::str::contains("--format"));
    assert_no_report(&out);
}

#[test]
fn forcing_the_wrong_format_is_refused() {
    let f = Fixture::new();
    let out = f.path("out");
    for (format, needle) in [
        ("anthropic-batch", "student.jsonl:1: field `custom_id`"),
        ("alpaca", "student.jsonl:1: malformed JSON"),
        ("csv", "student.jsonl:"),
    ] {
        standard(&f, &out)
            .args(["--format", format])
            .assert()
            .code(2)
            .stderr(predicate::str::contains(needle));
        assert_no_report(&out);
    }
}

#[test]
fn failed_run_leaves_an_earlier_report_untouched() {
    let f = Fixture::new();
    let out = f.path("out");
    standard(&f, &out).assert().code(0);
    let before = (
        std::fs::read(out.join("report.json")).unwrap(),
        std::fs::read(out.join("report.md")).unwrap(),
    );
    replace_line(&f, "teacher", 9, b"{");
    standard(&f, &out)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("teacher.jsonl:9: malformed JSON"));
    let after = (
        std::fs::read(out.join("report.json")).unwrap(),
        std::fs::read(out.join("report.md")).unwrap(),
    );
    assert_eq!(before, after);
    // report.json, report.md and report.html, nothing else.
    assert_eq!(std::fs::read_dir(&out).unwrap().count(), 3);
}

#[test]
fn alpha_outside_the_unit_interval_is_bad_usage() {
    let f = Fixture::new();
    let out = f.path("out");
    for alpha in ["2", "0", "1", "-0.5", "NaN"] {
        standard(&f, &out)
            .arg(format!("--alpha={alpha}"))
            .assert()
            .code(2)
            .stderr(predicate::str::contains("--alpha"));
        assert_no_report(&out);
    }
}

#[test]
fn unknown_format_name_is_bad_usage() {
    let f = Fixture::new();
    let out = f.path("out");
    standard(&f, &out)
        .args(["--format", "xml"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("xml"));
    assert_no_report(&out);
}

#[test]
fn same_model_name_twice_is_bad_usage() {
    let f = Fixture::new();
    let out = f.path("out");
    let other = f.path("other");
    std::fs::create_dir(&other).unwrap();
    let copy = other.join("teacher.jsonl");
    std::fs::copy(f.file("teacher"), &copy).unwrap();
    compare(
        s(&f.file("student")),
        &[s(&f.file("teacher")), s(&copy)],
        &[s(&f.panel_dir())],
        &out,
    )
    .assert()
    .code(2)
    .stderr(predicate::str::contains("teacher"))
    .stderr(predicate::str::contains("NAME=PATH"));
    assert_no_report(&out);
}

// ---------------------------------------------------------------------------
// Other failures: exit 3
// ---------------------------------------------------------------------------

#[test]
fn unwritable_output_directory_exits_3() {
    let f = Fixture::new();
    standard(&f, Path::new("/proc/nonexistent/x"))
        .assert()
        .code(3)
        .stdout(predicate::str::is_empty())
        .stderr(predicate::str::contains("/proc/nonexistent/x"));
}

#[test]
fn output_path_that_is_a_file_exits_3() {
    let f = Fixture::new();
    let file = f.write_raw("occupied", b"x");
    standard(&f, &file).assert().code(3);
    assert_eq!(std::fs::read(&file).unwrap(), b"x");
}

#[test]
fn failed_batch_requests_and_null_outputs_are_counted_as_empty() {
    let mut suite = common::suite();
    suite.model_mut("student").responses[0] = None;
    suite.model_mut("teacher").responses[1] = None;
    suite.model_mut("teacher").responses[2] = None;
    suite.model_mut("rival").responses[3] = None;
    let f = Fixture::with(suite);
    let student = common::write_alpaca(&f.path("student.json"), &f.suite, "student");
    let teacher = common::write_openai_batch(&f.path("t.jsonl"), &f.suite, "teacher", true);
    let rival = common::write_anthropic_batch(&f.path("r.jsonl"), &f.suite, "rival", true);
    let out = f.path("out");
    compare(
        s(&student),
        &[
            &format!("teacher={}", s(&teacher)),
            &format!("rival={}", s(&rival)),
        ],
        &[s(&f.panel_dir())],
        &out,
    )
    .assert()
    .code(0)
    .stdout(predicate::str::contains(
        "student: distilled-from teacher\n",
    ));
    let rep = report(&out);
    for (name, empty) in [("student", 1), ("teacher", 2), ("rival", 1), ("panel-1", 0)] {
        let i = input(&rep, name);
        assert_eq!(i["records"], 60, "{name}");
        assert_eq!(i["probes"], 60, "{name}");
        assert_eq!(i["empty"], empty, "{name}");
        assert_eq!(i["missing"], 0, "{name}");
    }
    assert_eq!(rep["alignment"]["by"], "prompt_hash");
    assert_eq!(rep["alignment"]["probes_excluded"], 4);
    assert_eq!(rep["alignment"]["probes_analysed"], 56);
}

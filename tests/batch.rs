//! Batch `compare` (several students in one process): each student's
//! reports are byte for byte those of a single-student run, `verify`
//! re-derives them, and `summary.tsv` lists every verdict.

use std::path::Path;

use crate::common::Fixture;
use assert_cmd::Command;

const STUDENTS: [&str; 3] = ["student", "rival", "partial"];

fn lineage(f: &Fixture) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_lineage"));
    c.current_dir(f.root());
    c
}

/// `compare STUDENTS... --teacher teacher.jsonl --reference panel`, with
/// relative paths so that the reports record the same paths.
fn compare(f: &Fixture, students: &[&str], out: &str) -> Command {
    let mut c = lineage(f);
    c.args(["--quiet", "compare"]).args(students).args([
        "--teacher",
        "teacher.jsonl",
        "--reference",
        "panel",
        "--out",
        out,
        "--resamples",
        "999",
        "--bootstrap",
        "200",
    ]);
    c
}

/// A student that answers only some probes (every fourth line dropped), so
/// its alignment with the panel differs from the other students'.
fn write_partial(f: &Fixture) {
    let text = std::fs::read_to_string(f.file("student")).unwrap();
    let kept: String = text
        .lines()
        .enumerate()
        .filter(|(i, _)| i % 4 != 1)
        .map(|(_, l)| format!("{l}\n"))
        .collect();
    f.write_raw("partial.jsonl", kept.as_bytes());
}

fn read(p: &Path) -> Vec<u8> {
    std::fs::read(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

#[test]
fn batch_reports_equal_single_runs_and_verify() {
    let f = Fixture::new();
    write_partial(&f);
    let files: Vec<String> = STUDENTS.iter().map(|s| format!("{s}.jsonl")).collect();
    let files: Vec<&str> = files.iter().map(String::as_str).collect();
    let out = compare(&f, &files, "batch").assert().code(0);
    let stdout = String::from_utf8(out.get_output().stdout.clone()).unwrap();
    assert_eq!(stdout.lines().count(), STUDENTS.len(), "{stdout}");
    for (s, file) in STUDENTS.iter().zip(&files) {
        compare(&f, &[file], &format!("single/{s}"))
            .assert()
            .code(0);
        for name in ["report.json", "report.md", "report.html"] {
            let batch = read(&f.path(&format!("batch/{s}/{name}")));
            let single = read(&f.path(&format!("single/{s}/{name}")));
            assert!(batch == single, "{s}/{name} differs from the single run");
        }
        lineage(&f)
            .arg("verify")
            .arg(format!("batch/{s}/report.json"))
            .assert()
            .code(0)
            .stdout(predicates::str::contains("verified"));
    }
    // The partial student really was aligned on fewer probes.
    let probes = |s: &str| -> u64 {
        let v: serde_json::Value =
            serde_json::from_slice(&read(&f.path(&format!("batch/{s}/report.json")))).unwrap();
        v["alignment"]["probes_analysed"].as_u64().unwrap()
    };
    assert!(probes("partial") < probes("student"));
}

#[test]
fn summary_lists_every_student_with_its_verdict() {
    let f = Fixture::new();
    write_partial(&f);
    std::fs::create_dir_all(f.path("students")).unwrap();
    for s in STUDENTS {
        std::fs::copy(f.file(s), f.path(&format!("students/{s}.jsonl"))).unwrap();
    }
    // Students given as a directory: its data files, in name order.
    compare(&f, &["students"], "out").assert().code(0);
    let tsv = String::from_utf8(read(&f.path("out/summary.tsv"))).unwrap();
    let rows: Vec<Vec<&str>> = tsv.lines().map(|l| l.split('\t').collect()).collect();
    assert_eq!(
        rows[0],
        [
            "student",
            "verdict",
            "teacher",
            "top_candidate",
            "style_excess",
            "p_value"
        ]
    );
    assert_eq!(rows.len(), 4, "{tsv}");
    let mut names: Vec<&str> = rows[1..].iter().map(|r| r[0]).collect();
    names.sort_unstable();
    assert_eq!(names, ["partial", "rival", "student"]);
    for row in &rows[1..] {
        let v: serde_json::Value =
            serde_json::from_slice(&read(&f.path(&format!("out/{}/report.json", row[0])))).unwrap();
        let top = &v["candidates"][0];
        assert_eq!(row[1], v["verdict"]["label"].as_str().unwrap());
        assert_eq!(row[2], v["verdict"]["teacher"].as_str().unwrap_or("-"));
        assert_eq!(row[3], top["name"].as_str().unwrap());
        let style = top["families"]["style"]["excess"]["estimate"].as_f64();
        assert_eq!(row[4].parse::<f64>().ok(), style);
        assert_eq!(row[5].parse::<f64>().ok(), top["p_value"].as_f64());
    }
    assert_eq!(
        rows[1..].iter().find(|r| r[0] == "student").unwrap()[1],
        "distilled-from"
    );
}

#[test]
fn one_student_keeps_the_single_layout_and_html_is_refused_for_many() {
    let f = Fixture::new();
    compare(&f, &["student.jsonl"], "one").assert().code(0);
    assert!(f.path("one/report.json").is_file());
    assert!(!f.path("one/summary.tsv").exists());
    compare(&f, &["student.jsonl", "rival.jsonl"], "many")
        .args(["--html", "x.html"])
        .assert()
        .code(2);
    assert!(!f.path("many").exists());
    // A student that is also a candidate is a name clash.
    compare(&f, &["student.jsonl", "teacher.jsonl"], "clash")
        .assert()
        .code(2)
        .stderr(predicates::str::contains("teacher"));
}

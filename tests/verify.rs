//! `lineage verify`: a fresh report verifies; changing one input byte makes
//! it fail with exit code 1 and name the file.

use crate::common;

use assert_cmd::Command;
use common::Fixture;
use predicates::prelude::*;

fn compare(f: &Fixture) -> std::path::PathBuf {
    let out = f.path("out");
    f.compare_against(&["teacher"], &out)
        .current_dir(f.root())
        .args(["--resamples", "999", "--bootstrap", "200"])
        .assert()
        .code(0);
    out.join("report.json")
}

#[test]
fn fresh_report_verifies_and_changed_input_fails() {
    let f = Fixture::new();
    let report = compare(&f);
    Command::new(env!("CARGO_BIN_EXE_lineage"))
        .current_dir(f.root())
        .arg("verify")
        .arg(&report)
        .assert()
        .code(0)
        .stdout(predicates::str::contains("verified"));

    let teacher = f.file("teacher");
    let mut bytes = std::fs::read(&teacher).unwrap();
    let i = bytes
        .iter()
        .position(|&b| b == b'a')
        .expect("some letter a");
    bytes[i] = b'b';
    std::fs::write(&teacher, bytes).unwrap();
    let name = teacher.file_name().unwrap().to_string_lossy().into_owned();
    Command::new(env!("CARGO_BIN_EXE_lineage"))
        .current_dir(f.root())
        .arg("verify")
        .arg(&report)
        .assert()
        .code(1)
        .stdout(predicates::str::contains("input changed").and(predicates::str::contains(name)));
}

#[test]
fn tampered_result_is_reported_by_path() {
    let f = Fixture::new();
    let report = compare(&f);
    let text = std::fs::read_to_string(&report).unwrap();
    let tampered = text.replacen(
        "\"label\": \"distilled-from\"",
        "\"label\": \"no-evidence\"",
        1,
    );
    assert_ne!(text, tampered, "fixture student is found distilled");
    std::fs::write(&report, tampered).unwrap();
    Command::new(env!("CARGO_BIN_EXE_lineage"))
        .current_dir(f.root())
        .arg("verify")
        .arg(&report)
        .assert()
        .code(1)
        .stdout(predicates::str::contains("differs: .verdict.label"));
}

#[test]
fn unreadable_report_is_bad_input() {
    let f = Fixture::new();
    let bad = f.write_raw("bad.json", b"{ not json");
    Command::new(env!("CARGO_BIN_EXE_lineage"))
        .arg("verify")
        .arg(bad)
        .assert()
        .code(2);
}

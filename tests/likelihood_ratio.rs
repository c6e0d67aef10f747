//! `lineage calibrate` and `compare --calibration` on simulated known
//! cases: real structure gives a Cllr well below 1, shuffled labels give
//! Cllr near 1 and LRs near 1, the LR bounds shrink with fewer known
//! cases, a calibrated report verifies, and a comparison the calibration
//! does not apply to is refused.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use assert_cmd::Command;
use lineage::compare::calibration::fit::{fit_cases, Case, DECISION_LOG10_LR, LAMBDA};
use lineage::compare::calibration::labels::PairLabel;
use serde_json::Value;

fn lineage() -> Command {
    Command::new(env!("CARGO_BIN_EXE_lineage"))
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// A simulated corpus and its calibration, made once for every test here.
struct Fitted {
    _dir: tempfile::TempDir,
    data: PathBuf,
    out: PathBuf,
}

fn fitted() -> &'static Fitted {
    static F: OnceLock<Fitted> = OnceLock::new();
    F.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("data");
        lineage()
            .args(["--quiet", "simulate", "--seed", "5", "--probes", "60"])
            .args(["--students-per-teacher", "4", "--independents", "4"])
            .args(["--out", s(&data)])
            .assert()
            .code(0);
        let out = dir.path().join("cal");
        lineage()
            .args([
                "--quiet",
                "calibrate",
                "--labels",
                s(&data.join("MANIFEST.tsv")),
            ])
            .args(["--teacher", s(&data.join("teacher-a.jsonl"))])
            .args(["--teacher", s(&data.join("teacher-b.jsonl"))])
            .args(["--reference", s(&data.join("panel")), "--out", s(&out)])
            .assert()
            .code(0);
        Fitted {
            _dir: dir,
            data,
            out,
        }
    })
}

fn calibration() -> Value {
    let text = std::fs::read_to_string(fitted().out.join("calibration.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

/// The known cases of `pairs.tsv`, with the students they name.
fn cases() -> (Vec<String>, Vec<Case>) {
    let text = std::fs::read_to_string(fitted().out.join("pairs.tsv")).unwrap();
    let mut students: Vec<String> = Vec::new();
    let mut cases = Vec::new();
    for line in text.lines().skip(1) {
        let c: Vec<&str> = line.split('\t').collect();
        let i = students.iter().position(|x| x == c[0]).unwrap_or_else(|| {
            students.push(c[0].to_string());
            students.len() - 1
        });
        cases.push(Case {
            student: i,
            candidate: c[1].to_string(),
            label: if c[2] == "h1" {
                PairLabel::H1
            } else {
                PairLabel::H2
            },
            scores: c[4..].iter().map(|x| x.parse().unwrap()).collect(),
        });
    }
    (students, cases)
}

#[test]
fn simulated_known_cases_calibrate_well() {
    let v = &calibration()["validation"];
    let cllr = v["cllr"].as_f64().unwrap();
    assert!(cllr < 0.5, "Cllr {cllr}");
    assert_eq!(v["h1_pairs"], 8);
    assert_eq!(v["h2_pairs"], 16);
    assert_eq!(v["false_positives"], 0);
    assert_eq!(v["top1"], 8);
    let md = std::fs::read_to_string(fitted().out.join("calibration.md")).unwrap();
    assert!(md.contains("leave-one-model-out"));
    let html = std::fs::read_to_string(fitted().out.join("calibration.html")).unwrap();
    assert!(html.contains("<svg") && html.contains("Tippett"));
}

#[test]
fn shuffled_labels_carry_no_evidence() {
    use rand::seq::SliceRandom;
    let (students, cases) = cases();
    let labels: Vec<PairLabel> = cases.iter().map(|c| c.label).collect();
    // Twenty seeded shuffles of the labels over the pairs: each keeps both
    // counts and breaks every link between scores and labels.
    let (mut cllr, mut upper) = (0.0, 0.0);
    for k in 0..20 {
        let mut l = labels.clone();
        l.shuffle(&mut lineage::stats::rng::stream(k, "test/shuffle"));
        let shuffled: Vec<Case> = cases
            .iter()
            .zip(l)
            .map(|(c, label)| Case { label, ..c.clone() })
            .collect();
        let f = fit_cases(&students, &shuffled, LAMBDA, DECISION_LOG10_LR).unwrap();
        cllr += f.validation.cllr / 20.0;
        upper += f.bounds.1 / 20.0;
    }
    assert!(cllr > 0.9, "mean Cllr {cllr}");
    assert!(upper < 0.7, "mean upper bound {upper}");
}

#[test]
fn bounds_shrink_when_known_cases_are_removed() {
    let (students, cases) = cases();
    let all = fit_cases(&students, &cases, LAMBDA, DECISION_LOG10_LR).unwrap();
    // Keep half of each kind of student.
    let keep: Vec<usize> = (0..students.len()).filter(|i| i % 2 == 0).collect();
    let fewer: Vec<Case> = cases
        .iter()
        .filter(|c| keep.contains(&c.student))
        .cloned()
        .collect();
    let half = fit_cases(&students, &fewer, LAMBDA, DECISION_LOG10_LR).unwrap();
    assert!(
        half.bounds.1 < all.bounds.1 && half.bounds.0 > all.bounds.0,
        "{:?} vs {:?}",
        half.bounds,
        all.bounds
    );
}

fn compare_calibrated(out: &Path, panel: &Path) -> assert_cmd::assert::Assert {
    let d = &fitted().data;
    lineage()
        .args(["--quiet", "compare", s(&d.join("student-a1.jsonl"))])
        .args(["--teacher", s(&d.join("teacher-a.jsonl"))])
        .args(["--teacher", s(&d.join("teacher-b.jsonl"))])
        .args(["--reference", s(panel), "--out", s(out)])
        .args(["--resamples", "199", "--bootstrap", "100"])
        .args(["--calibration", s(&fitted().out.join("calibration.json"))])
        .assert()
}

#[test]
fn calibrated_report_verifies_and_fails_when_the_calibration_changes() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    compare_calibrated(&out, &fitted().data.join("panel")).code(0);
    let report: Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("report.json")).unwrap()).unwrap();
    let top = &report["candidates"][0];
    assert_eq!(top["name"], "teacher-a");
    assert!(top["calibrated"]["log10_lr"].as_f64().unwrap() > 0.0);
    assert!(report["verdict"]["rule"]
        .as_str()
        .unwrap()
        .starts_with("Calibrated rule"));
    assert!(report["inputs"]
        .as_array()
        .unwrap()
        .iter()
        .any(|i| i["role"] == "calibration"));
    let md = std::fs::read_to_string(out.join("report.md")).unwrap();
    assert!(md.contains("likelihood ratio"), "report.md names the LR");
    lineage()
        .args(["verify", s(&out.join("report.json"))])
        .assert()
        .code(0);
    // Change the calibration: verify must notice.
    let cal = fitted().out.join("calibration.json");
    let copy = dir.path().join("calibration.json");
    std::fs::copy(&cal, &copy).unwrap();
    let out2 = dir.path().join("out2");
    let d = &fitted().data;
    lineage()
        .args(["--quiet", "compare", s(&d.join("student-a1.jsonl"))])
        .args(["--teacher", s(&d.join("teacher-a.jsonl"))])
        .args(["--teacher", s(&d.join("teacher-b.jsonl"))])
        .args(["--reference", s(&d.join("panel")), "--out", s(&out2)])
        .args(["--resamples", "199", "--bootstrap", "100"])
        .args(["--calibration", s(&copy)])
        .assert()
        .code(0);
    let text = std::fs::read_to_string(&copy).unwrap();
    std::fs::write(&copy, text.replace("\"lambda\": 0.01", "\"lambda\": 0.02")).unwrap();
    lineage()
        .args(["verify", s(&out2.join("report.json"))])
        .assert()
        .code(1);
}

#[test]
fn a_different_panel_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let panel = dir.path().join("panel");
    std::fs::create_dir(&panel).unwrap();
    for e in std::fs::read_dir(fitted().data.join("panel")).unwrap() {
        let p = e.unwrap().path();
        if !p.ends_with("ref-01.jsonl") {
            std::fs::copy(&p, panel.join(p.file_name().unwrap())).unwrap();
        }
    }
    let out = dir.path().join("out");
    compare_calibrated(&out, &panel)
        .code(2)
        .stderr(predicates::str::contains("does not apply"))
        .stderr(predicates::str::contains("ref-01"));
    assert!(!out.exists(), "nothing written");
}

/// The shipped calibrations load, and the README's calibrated example
/// runs on the shipped example data with the shipped simulated
/// calibration and names the student's teacher.
#[test]
fn shipped_calibrations_load_and_the_readme_example_runs() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    for name in ["alpacaeval.json", "simulated.json"] {
        let p = root.join("calibrations").join(name);
        lineage::compare::calibration::Calibration::load(&p)
            .unwrap_or_else(|e| panic!("{}: {e}", p.display()));
    }
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let ex = root.join("examples/data");
    lineage()
        .current_dir(root)
        .args(["--quiet", "compare", "examples/data/student-b1.jsonl"])
        .args(["--teacher", "examples/data/teacher-a.jsonl"])
        .args(["--teacher", "examples/data/teacher-b.jsonl"])
        .args(["--reference", "examples/data/panel"])
        .args(["--calibration", "calibrations/simulated.json"])
        .args(["--resamples", "199", "--bootstrap", "100", "--out", s(&out)])
        .assert()
        .code(0)
        .stdout(predicates::str::contains(
            "student-b1: distilled-from teacher-b",
        ));
    assert!(ex.is_dir());
}

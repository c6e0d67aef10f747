//! Snapshots of `report.md` and `report.json` for a small fixed dataset.
//!
//! Any change to the report layout, the statistics or the fingerprints shows
//! up here as a diff. Review it with `cargo insta review` (or rerun with
//! `INSTA_UPDATE=always` and inspect `git diff tests/snapshots`). The
//! temporary fixture directory is replaced by `[fixture]` and the build's
//! git commit by `[commit]`.

use crate::common;

use common::{Fixture, Spec};

/// Run the comparison once (alpha 0.05: with 199 resamples the smallest
/// possible p-value is 0.005, too coarse for 0.01 after Holm) and return (report.md, report.json) with the
/// fixture directory replaced by a placeholder.
fn reports() -> (String, String) {
    let f = Fixture::with(common::generate(Spec {
        seed: 11,
        probes: 40,
        panel: 3,
        ..Spec::default()
    }));
    let out = f.path("out");
    f.compare(&out)
        .args(["--seed", "5", "--alpha", "0.05"])
        .args(["--resamples", "199", "--bootstrap", "199"])
        .assert()
        .code(0);
    let root = f.root().display().to_string();
    let commit = env!("LINEAGE_GIT_COMMIT");
    let read = |name: &str| {
        std::fs::read_to_string(out.join(name))
            .expect("report written")
            .replace(&root, "[fixture]")
            .replace(commit, "[commit]")
    };
    (read("report.md"), read("report.json"))
}

#[test]
fn report_snapshots() {
    let (md, json) = reports();
    // The placeholders really replaced every temporary path.
    let v: serde_json::Value = serde_json::from_str(&json).expect("valid JSON");
    for i in v["inputs"].as_array().expect("inputs") {
        let p = i["path"].as_str().expect("path");
        assert!(p.starts_with("[fixture]/"), "{p}");
    }
    insta::assert_snapshot!("report_md", md);
    insta::assert_snapshot!("report_json", json);
}

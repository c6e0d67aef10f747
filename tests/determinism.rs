//! Reproducibility: a report depends on the inputs and the seed only, not on
//! the number of threads or on the run.

use crate::common;

use std::path::Path;

use common::Fixture;
use serde_json::Value;

/// Run the standard comparison into `out` with `threads` rayon threads.
fn run(f: &Fixture, out: &Path, threads: &str, seed: &str) {
    f.compare(out)
        .env("RAYON_NUM_THREADS", threads)
        .args(["--seed", seed, "--resamples", "299", "--bootstrap", "150"])
        .assert()
        .code(0);
}

fn bytes(out: &Path, file: &str) -> Vec<u8> {
    std::fs::read(out.join(file)).expect("report written")
}

#[test]
fn reports_are_byte_identical_across_thread_counts_and_runs() {
    let f = Fixture::new();
    let (one, two, again) = (f.path("t1"), f.path("t2"), f.path("t2-again"));
    run(&f, &one, "1", "42");
    run(&f, &two, "2", "42");
    run(&f, &again, "2", "42");
    for file in ["report.json", "report.md"] {
        let a = bytes(&one, file);
        assert!(!a.is_empty());
        assert!(
            a == bytes(&two, file),
            "{file} differs between 1 and 2 threads"
        );
        assert!(a == bytes(&again, file), "{file} differs between two runs");
    }
}

#[test]
fn another_seed_changes_only_the_seed_dependent_numbers() {
    let f = Fixture::new();
    let (a, b) = (f.path("seed-1"), f.path("seed-2"));
    run(&f, &a, "2", "1");
    run(&f, &b, "2", "2");
    let ra: Value = serde_json::from_slice(&bytes(&a, "report.json")).unwrap();
    let rb: Value = serde_json::from_slice(&bytes(&b, "report.json")).unwrap();
    assert_eq!(ra["parameters"]["seed"], 1);
    assert_eq!(rb["parameters"]["seed"], 2);
    // Everything not drawn at random is the same.
    for key in ["inputs", "alignment", "student", "reference_panel"] {
        assert_eq!(ra[key], rb[key], "{key}");
    }
    for (ca, cb) in ra["candidates"]
        .as_array()
        .unwrap()
        .iter()
        .zip(rb["candidates"].as_array().unwrap())
    {
        assert_eq!(ca["name"], cb["name"]);
        // Observed similarities and point estimates are not resampled;
        // intervals, p-values and bootstrap-scaled effect sizes may move.
        assert_eq!(
            ca["excess_similarity"]["estimate"],
            cb["excess_similarity"]["estimate"]
        );
        for (fam, x) in ca["families"].as_object().unwrap() {
            let y = &cb["families"][fam];
            for k in ["similarity", "panel_similarity"] {
                assert_eq!(x[k], y[k], "{fam}.{k}");
            }
            assert_eq!(x["excess"]["estimate"], y["excess"]["estimate"], "{fam}");
        }
    }
}

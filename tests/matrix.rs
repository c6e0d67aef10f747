//! End-to-end tests of `lineage matrix`: outputs, the teacher found, the
//! tree, determinism across thread counts and cache states, sharding into
//! a shared cache, and bad usage.

use crate::common;

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use common::{Fixture, Spec};
use predicates::prelude::*;

fn fixture() -> Fixture {
    Fixture::with(common::generate(Spec {
        seed: 21,
        probes: 50,
        panel: 4,
        ..Spec::default()
    }))
}

fn matrix(f: &Fixture, out: &Path, cache: &Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_lineage"));
    c.arg("matrix")
        .arg(f.file("student"))
        .arg(f.file("teacher"))
        .arg(f.file("rival"))
        .arg(f.panel_dir())
        .arg("--out")
        .arg(out)
        .arg("--cache")
        .arg(cache)
        .args([
            "--resamples",
            "199",
            "--bootstrap",
            "199",
            "--alpha",
            "0.05",
        ]);
    c
}

fn read(p: PathBuf) -> Vec<u8> {
    std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

#[test]
fn finds_the_teacher_groups_the_pair_and_writes_every_output() {
    let f = fixture();
    let (out, cache) = (f.path("out"), f.path("cache"));
    matrix(&f, &out, &cache)
        .arg("--quiet")
        .assert()
        .code(0)
        .stdout(predicate::str::contains(
            "student: closest teacher (significant)",
        ));
    let v: serde_json::Value = serde_json::from_slice(&read(out.join("matrix.json"))).unwrap();
    assert_eq!(v["schema_version"], "matrix-1.0");
    let models = v["models"].as_array().unwrap();
    assert_eq!(models.len(), 7);
    let n = models.len();
    for fam in ["combined", "content", "near_duplicate", "style"] {
        let m = v["excess"][fam].as_array().unwrap();
        assert_eq!(m.len(), n);
        assert!(m[0][0].is_null());
        assert!(v["p_between_models"][fam][1][0].as_f64().unwrap() > 0.0);
    }
    let student = v["teachers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["model"] == "student")
        .unwrap();
    assert_eq!(student["teacher"], "teacher");
    assert!(
        student["families"]["style"]["excess"]["ci_low"]
            .as_f64()
            .unwrap()
            > 0.0
    );
    // The first merge of the tree joins the student and its teacher.
    let first = &v["tree"]["merges"][0];
    let pair = [
        first["left"].as_u64().unwrap(),
        first["right"].as_u64().unwrap(),
    ];
    let idx = |name: &str| models.iter().position(|m| m == name).unwrap() as u64;
    assert_eq!(
        pair,
        [
            idx("student").min(idx("teacher")),
            idx("student").max(idx("teacher"))
        ]
    );
    assert!(v["tree"]["newick"].as_str().unwrap().ends_with(';'));
    // Every input is hashed into the report.
    for i in v["inputs"].as_array().unwrap() {
        assert_eq!(i["sha256"].as_str().unwrap().len(), 64);
    }
    let csv = String::from_utf8(read(out.join("matrix.csv"))).unwrap();
    assert_eq!(csv.lines().count(), 1 + n * (n - 1));
    assert!(csv.starts_with("model,other,combined_excess,"));
    let html = String::from_utf8(read(out.join("matrix.html"))).unwrap();
    assert!(html.contains("<svg") && html.contains("Lineage tree"));
}

#[test]
fn same_bytes_at_any_thread_count_with_a_cold_or_warm_cache() {
    let f = fixture();
    let cache = f.path("cache");
    let (a, b, c) = (f.path("a"), f.path("b"), f.path("c"));
    matrix(&f, &a, &cache)
        .env("RAYON_NUM_THREADS", "1")
        .assert()
        .code(0)
        .stderr(predicate::str::contains("fingerprinted 7, cache hits 0"));
    matrix(&f, &b, &cache)
        .env("RAYON_NUM_THREADS", "4")
        .assert()
        .code(0)
        .stderr(predicate::str::contains("fingerprinted 0, cache hits 7"));
    // Damage every cache entry: they are recomputed, results unchanged.
    for e in walk(&cache) {
        std::fs::write(&e, b"garbage").unwrap();
    }
    matrix(&f, &c, &cache)
        .env("RAYON_NUM_THREADS", "3")
        .assert()
        .code(0)
        .stderr(predicate::str::contains("fingerprinted 7, cache hits 0"));
    for name in ["matrix.json", "matrix.csv", "matrix.html"] {
        assert_eq!(read(a.join(name)), read(b.join(name)), "{name}");
        assert_eq!(read(a.join(name)), read(c.join(name)), "{name}");
    }
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out
}

#[test]
fn shards_fill_a_shared_cache_that_the_full_run_reuses() {
    let f = fixture();
    let cache = f.path("shared-cache");
    let out = f.path("out");
    for k in ["1/3", "2/3", "3/3"] {
        matrix(&f, &out, &cache)
            .args(["--shard", k])
            .assert()
            .code(0)
            .stdout(predicate::str::contains(format!("shard {k}:")));
    }
    assert!(
        !out.join("matrix.json").exists(),
        "a shard writes no report"
    );
    assert_eq!(walk(&cache).len(), 7);
    matrix(&f, &out, &cache)
        .assert()
        .code(0)
        .stderr(predicate::str::contains("fingerprinted 0, cache hits 7"));
}

#[test]
fn bad_usage_and_bad_input_exit_2_and_write_nothing() {
    let f = fixture();
    let out = f.path("out");
    let lineage = || Command::new(env!("CARGO_BIN_EXE_lineage"));
    lineage()
        .args(["matrix"])
        .arg(f.file("student"))
        .arg("--out")
        .arg(&out)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("at least two"));
    for bad in ["0/2", "3/2", "x/2", "1"] {
        matrix(&f, &out, &f.path("c"))
            .args(["--shard", bad])
            .assert()
            .code(2)
            .stderr(predicate::str::contains("--shard"));
    }
    let junk = f.write_raw("junk.jsonl", b"{not json\n");
    lineage()
        .args(["matrix"])
        .arg(f.file("student"))
        .arg(&junk)
        .arg("--out")
        .arg(&out)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("junk.jsonl"));
    assert!(
        !out.exists(),
        "bad input must write nothing, not even the cache"
    );
}

/// Regression (review): the cache key hashed the whole file before the size
/// cap applied, so /dev/zero (size 0 in its metadata) was read forever.
#[cfg(unix)]
#[test]
fn endless_device_file_hits_the_file_cap() {
    let f = fixture();
    let out = f.path("out");
    Command::new(env!("CARGO_BIN_EXE_lineage"))
        .args(["--quiet", "matrix", "--format", "jsonl"])
        .arg(f.file("student"))
        .arg("/dev/zero")
        .args(["--max-file-bytes", "1000000", "--out"])
        .arg(&out)
        // A liveness guard against a real hang, not a speed check: it must
        // never fire on a slow or loaded machine (it once did at 120 s).
        .timeout(std::time::Duration::from_secs(1800))
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "/dev/zero: limit `max_file_bytes` (1000000) exceeded",
        ));
    assert!(!out.exists());
}

//! The HTML report of `compare`: written by default next to report.md, or
//! where `--html` says; self-contained (no network references), with the
//! verdict and the SVG charts; byte-identical at any thread count; and a
//! snapshot of a small report (fixture paths and the commit replaced).

use crate::common;

use assert_cmd::Command;
use common::{Fixture, Spec};

fn compare(f: &Fixture, out: &std::path::Path, threads: &str) -> Command {
    let mut c = f.compare(out);
    c.env("RAYON_NUM_THREADS", threads)
        .args(["--seed", "5", "--alpha", "0.05"])
        .args(["--resamples", "199", "--bootstrap", "199"]);
    c
}

fn small() -> Fixture {
    Fixture::with(common::generate(Spec {
        seed: 11,
        probes: 40,
        panel: 3,
        ..Spec::default()
    }))
}

#[test]
fn html_is_self_contained_deterministic_and_snapshotted() {
    let f = small();
    let (a, b) = (f.path("a"), f.path("b"));
    compare(&f, &a, "1").assert().code(0);
    compare(&f, &b, "4").assert().code(0);
    let html = std::fs::read_to_string(a.join("report.html")).expect("report.html written");
    assert_eq!(
        html.as_bytes(),
        std::fs::read(b.join("report.html")).unwrap()
    );
    assert!(html.contains("distilled-from teacher"));
    assert!(
        html.matches("<svg").count() >= 4,
        "forest, two null strips, scatter"
    );
    for net in [
        "http://", "https://", "<script", "<link", "@import", "src=\"",
    ] {
        let hits: Vec<_> = html.match_indices(net).collect();
        // The SVG namespace URI is an identifier, not a fetch.
        let real = hits
            .iter()
            .filter(|(i, _)| !html[*i..].starts_with("http://www.w3.org/2000/svg"))
            .count();
        assert_eq!(real, 0, "{net} in a self-contained report");
    }
    let root = f.root().display().to_string();
    let snap = html
        .replace(&root, "[fixture]")
        .replace(env!("LINEAGE_GIT_COMMIT"), "[commit]");
    insta::assert_snapshot!("report_html", snap);
}

#[test]
fn html_flag_moves_the_page() {
    let f = small();
    let out = f.path("out");
    let page = f.path("elsewhere.html");
    compare(&f, &out, "2")
        .arg("--html")
        .arg(&page)
        .assert()
        .code(0);
    assert!(page.exists());
    assert!(!out.join("report.html").exists());
    assert!(out.join("report.json").exists());
}

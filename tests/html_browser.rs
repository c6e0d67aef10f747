//! Renders HTML reports in a real headless browser (Debian's `chromium`)
//! with scripts/render-html.sh: the PDF and PNG must exist and be
//! non-trivial, and the rendered text/DOM must hold the verdict and the
//! charts. Skips, saying so, when chromium is not installed (CI installs
//! it in .ci/run).

use std::path::Path;
use std::process::Command as Proc;

use assert_cmd::Command;

fn chromium() -> bool {
    ["chromium", "chromium-browser"].iter().any(|b| {
        Proc::new("sh")
            .args(["-c", &format!("command -v {b}")])
            .output()
            .is_ok_and(|o| o.status.success())
    })
}

fn render(html: &Path, out: &Path) {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/render-html.sh");
    let st = Proc::new("bash")
        .arg(script)
        .arg(html)
        .arg(out)
        .status()
        .expect("run render-html.sh");
    assert!(st.success(), "render-html.sh failed for {}", out.display());
}

fn size(p: &Path) -> u64 {
    std::fs::metadata(p).map(|m| m.len()).unwrap_or(0)
}

#[test]
fn example_reports_render_in_headless_chromium() {
    if !chromium() {
        eprintln!("SKIPPED: chromium is not installed (apt-get install -y chromium)");
        return;
    }
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/data");
    let dir = tempfile::tempdir().unwrap();
    let cmp = dir.path().join("cmp");
    Command::new(env!("CARGO_BIN_EXE_lineage"))
        .args(["--quiet", "compare"])
        .arg(data.join("student-a1.jsonl"))
        .arg("--teacher")
        .arg(data.join("teacher-a.jsonl"))
        .arg("--teacher")
        .arg(data.join("teacher-b.jsonl"))
        .arg("--reference")
        .arg(data.join("panel"))
        .arg("--out")
        .arg(&cmp)
        .args(["--resamples", "999", "--bootstrap", "500"])
        .assert()
        .code(0);
    let mx = dir.path().join("mx");
    Command::new(env!("CARGO_BIN_EXE_lineage"))
        .args(["--quiet", "matrix"])
        .arg(&data)
        .arg(data.join("panel"))
        .arg("--out")
        .arg(&mx)
        .args(["--resamples", "199", "--bootstrap", "199"])
        .assert()
        .code(0);
    for (html, verdict) in [
        (cmp.join("report.html"), "distilled-from teacher-a"),
        (
            mx.join("matrix.html"),
            "have a significant closest relative",
        ),
    ] {
        let pdf = html.with_extension("pdf");
        let png = html.with_extension("png");
        let dom = html.with_extension("dom.html");
        render(&html, &pdf);
        render(&html, &png);
        render(&html, &dom);
        assert!(size(&pdf) > 20_000, "PDF too small: {}", size(&pdf));
        assert!(size(&png) > 20_000, "PNG too small: {}", size(&png));
        assert!(std::fs::read(&png).unwrap().starts_with(b"\x89PNG"));
        assert!(std::fs::read(&pdf).unwrap().starts_with(b"%PDF"));
        let dom = std::fs::read_to_string(&dom).unwrap();
        assert!(
            dom.contains(verdict),
            "verdict missing from the rendered DOM"
        );
        assert!(
            dom.matches("<svg").count() >= 2,
            "charts missing from the rendered DOM"
        );
        // The printed text carries the verdict too, when pdftotext exists.
        if let Ok(o) = Proc::new("pdftotext").arg(&pdf).arg("-").output() {
            if o.status.success() {
                let text = String::from_utf8_lossy(&o.stdout);
                assert!(text.contains(verdict), "verdict missing from the PDF text");
            }
        }
    }
}

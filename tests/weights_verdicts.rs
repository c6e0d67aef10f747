//! End-to-end verdicts of `lineage weights` on random Llama-shaped
//! checkpoints generated here (identical, f16 copy, permuted copy, fine-tune,
//! independent, different architecture, shared layers, GGUF round trip,
//! saved fingerprints).

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use lineage::weights::synth::{self, Spec};

fn lineage() -> Command {
    let mut c = Command::cargo_bin("lineage").unwrap();
    c.arg("--quiet");
    c
}

fn model(dir: &Path, name: &str, spec: &Spec, t: &synth::Tensors) -> PathBuf {
    let p = dir.join(name);
    synth::write_hf(&p, spec, t).unwrap();
    p
}

pub(crate) fn transform(src: &Path, out: &Path, extra: &[&str]) -> PathBuf {
    lineage()
        .arg("transform")
        .arg(src)
        .arg("--out")
        .arg(out)
        .args(extra)
        .assert()
        .success();
    out.to_path_buf()
}

pub(crate) fn weights(a: &Path, b: &Path, out: &Path) -> serde_json::Value {
    lineage()
        .arg("weights")
        .arg(a)
        .arg(b)
        .arg("--out")
        .arg(out)
        .assert()
        .success();
    serde_json::from_slice(&std::fs::read(out.join("report.json")).unwrap()).unwrap()
}

pub(crate) fn label(r: &serde_json::Value) -> &str {
    r["verdict"]["label"].as_str().unwrap()
}

struct Fx {
    _tmp: tempfile::TempDir,
    dir: PathBuf,
    a: PathBuf,
}

fn fixture() -> Fx {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().to_path_buf();
    let spec = Spec::tiny();
    let a = model(&dir, "a", &spec, &synth::random(&spec, 1));
    Fx { _tmp: tmp, dir, a }
}

#[test]
fn identical_and_dtype_copies() {
    let fx = fixture();
    let r = weights(&fx.a, &fx.a, &fx.dir.join("r0"));
    assert_eq!(label(&r), "identical");
    let f16 = transform(&fx.a, &fx.dir.join("f16"), &["--dtype", "f16"]);
    let r = weights(&fx.a, &f16, &fx.dir.join("r1"));
    assert_eq!(label(&r), "dtype-or-quantized-copy", "{}", r["verdict"]);
    let bf16 = transform(&fx.a, &fx.dir.join("bf16"), &["--dtype", "bf16"]);
    let r = weights(&fx.a, &bf16, &fx.dir.join("r2"));
    assert_eq!(label(&r), "dtype-or-quantized-copy", "{}", r["verdict"]);
    assert!(r["verdict"]["p_value"].as_f64().unwrap() < 1e-6);
    assert_eq!(
        r["inputs"][0]["files"][0]["sha256"].as_str().unwrap().len(),
        64
    );
    assert!(fx.dir.join("r2/report.md").is_file());
    let html = std::fs::read_to_string(fx.dir.join("r2/report.html")).unwrap();
    assert!(html.contains("dtype-or-quantized-copy") && html.contains("Appendix"));
    assert!(!html.contains("http://") && !html.contains("https://"));
}

#[test]
fn permuted_copy_is_found_where_naive_alignment_fails() {
    let fx = fixture();
    let p = transform(&fx.a, &fx.dir.join("perm"), &["--permute-seed", "7"]);
    let r = weights(&fx.a, &p, &fx.dir.join("r"));
    assert_eq!(label(&r), "permuted-copy", "{}", r["verdict"]);
    let pv = r["verdict"]["log10_p_value"].as_f64().unwrap();
    assert!(pv < -6.0, "log10 p = {pv}");
    // The naive aligned cosine of every permuted MLP matrix is near zero and
    // not significant: alone, it would call the pair unrelated.
    for t in r["comparison"]["tensors"].as_array().unwrap() {
        let name = t["name"].as_str().unwrap();
        if name.contains("ffn_") && !name.contains("norm") {
            let c = t["cosine"].as_f64().unwrap();
            let lp = t["log10_p"].as_f64().unwrap();
            assert!(c.abs() < 0.05 && lp > -3.0, "{name}: cos {c}, log10 p {lp}");
        }
    }
}

#[test]
fn fine_tuned_independent_and_foreign() {
    let fx = fixture();
    let spec = Spec::tiny();
    let mut ft = synth::random(&spec, 1);
    synth::add_noise(&mut ft, 0.05, 9);
    let ft = model(&fx.dir, "ft", &spec, &ft);
    let r = weights(&fx.a, &ft, &fx.dir.join("r1"));
    assert_eq!(label(&r), "fine-tuned-derivative", "{}", r["verdict"]);
    assert!(r["verdict"]["p_value"].as_f64().unwrap() < 1e-6);

    let ind = model(&fx.dir, "ind", &spec, &synth::random(&spec, 2));
    let r = weights(&fx.a, &ind, &fx.dir.join("r2"));
    assert_eq!(label(&r), "unrelated", "{}", r["verdict"]);
    assert!(r["verdict"]["p_value"].as_f64().unwrap() > 0.01);
    assert!(r["verdict"]["rule"]
        .as_str()
        .unwrap()
        .contains("lineage compare"));

    let other = Spec {
        hidden: 96,
        heads: 6,
        kv_heads: 2,
        ..spec
    };
    let foreign = model(&fx.dir, "foreign", &other, &synth::random(&other, 3));
    let r = weights(&fx.a, &foreign, &fx.dir.join("r3"));
    assert_eq!(label(&r), "not-comparable", "{}", r["verdict"]);
    assert!(r["verdict"]["rule"].as_str().unwrap().contains("no trace"));
}

#[test]
fn shared_layers_and_layer_map() {
    let fx = fixture();
    let spec = Spec::tiny();
    let a = synth::random(&spec, 1);
    let mut b = synth::random(&spec, 5);
    for (k, v) in &a {
        if k.starts_with("model.layers.1.") || k.starts_with("model.layers.2.") {
            b.insert(k.clone(), v.clone());
        }
    }
    let bp = model(&fx.dir, "mixed", &spec, &b);
    let r = weights(&fx.a, &bp, &fx.dir.join("r"));
    assert_eq!(label(&r), "shares-layers", "{}", r["verdict"]);
    // A two-layer model built from A's layers 2 and 3.
    let small = Spec { layers: 2, ..spec };
    let mut s = synth::random(&small, 8);
    for l in 0..2 {
        for (k, v) in &a {
            let pre = format!("model.layers.{}.", l + 2);
            if let Some(rest) = k.strip_prefix(&pre) {
                s.insert(format!("model.layers.{l}.{rest}"), v.clone());
            }
        }
    }
    let sp = model(&fx.dir, "small", &small, &s);
    let r = weights(&fx.a, &sp, &fx.dir.join("r2"));
    assert_eq!(label(&r), "shares-layers", "{}", r["verdict"]);
    let map = r["comparison"]["layer_map"].as_array().unwrap();
    assert_eq!(map[0]["layer_a"], 2);
    assert_eq!(map[1]["layer_a"], 3);
}

#[test]
fn gguf_round_trip_and_fingerprints() {
    let fx = fixture();
    let g = transform(
        &fx.a,
        &fx.dir.join("g"),
        &["--format", "gguf", "--dtype", "f16"],
    );
    let gguf = g.join("model.gguf");
    let r = weights(&fx.a, &gguf, &fx.dir.join("r1"));
    let bad: Vec<_> = r["comparison"]["tensors"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| t["rel_err"].as_f64().unwrap() > t["allowance"].as_f64().unwrap())
        .map(|t| format!("{} {} {}", t["name"], t["rel_err"], t["cosine"]))
        .collect();
    assert_eq!(
        label(&r),
        "dtype-or-quantized-copy",
        "{} {bad:?} {:?} {:?}",
        r["verdict"],
        r["comparison"]["only_in_a"],
        r["comparison"]["only_in_b"]
    );
    // Back to safetensors: names, q/k row order and values survive.
    let back = transform(&gguf, &fx.dir.join("back"), &["--dtype", "f32"]);
    let r = weights(&fx.a, &back, &fx.dir.join("r2"));
    assert_eq!(label(&r), "dtype-or-quantized-copy", "{}", r["verdict"]);
    // Saved fingerprints.
    let fa = fx.dir.join("a.json");
    lineage()
        .arg("fingerprint")
        .arg(&fx.a)
        .arg("--out")
        .arg(&fa)
        .assert()
        .success();
    let r = weights(&fa, &gguf, &fx.dir.join("r3"));
    let bad: Vec<_> = r["comparison"]["tensors"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| {
            t["spectrum_rel_diff"].as_f64().unwrap_or(0.0) > t["allowance"].as_f64().unwrap()
        })
        .map(|t| {
            format!(
                "{} {} {} {}",
                t["name"], t["spectrum_rel_diff"], t["std_a"], t["std_b"]
            )
        })
        .collect();
    let bad2: Vec<_> = r["comparison"]["tensors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| format!("{} {} {}", t["name"], t["std_a"], t["std_b"]))
        .take(5)
        .collect();
    assert_eq!(
        label(&r),
        "dtype-or-quantized-copy",
        "{} {bad:?} {bad2:?} {} {}",
        r["verdict"],
        r["comparison"]["only_in_a"],
        r["comparison"]["only_in_b"]
    );
    assert!(r["verdict"]["p_value"].is_null());
    let spec = Spec::tiny();
    let ind = model(&fx.dir, "ind", &spec, &synth::random(&spec, 2));
    let r = weights(&fa, &ind, &fx.dir.join("r4"));
    assert_eq!(label(&r), "not-comparable", "{}", r["verdict"]);
}

#[test]
fn reports_do_not_depend_on_thread_count() {
    let fx = fixture();
    let spec = Spec::tiny();
    let ind = model(&fx.dir, "ind", &spec, &synth::random(&spec, 2));
    let run = |threads: &str, out: &str| {
        lineage()
            .env("RAYON_NUM_THREADS", threads)
            .arg("weights")
            .arg(&fx.a)
            .arg(&ind)
            .arg("--out")
            .arg(fx.dir.join(out))
            .assert()
            .success();
        std::fs::read(fx.dir.join(out).join("report.json")).unwrap()
    };
    assert_eq!(run("1", "t1"), run("3", "t3"));
    let fp = |threads: &str, out: &str| {
        let p = fx.dir.join(out);
        lineage()
            .env("RAYON_NUM_THREADS", threads)
            .arg("fingerprint")
            .arg(&fx.a)
            .arg("--out")
            .arg(&p)
            .assert()
            .success();
        std::fs::read(p).unwrap()
    };
    assert_eq!(fp("1", "f1.json"), fp("3", "f3.json"));
}

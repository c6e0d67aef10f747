//! `lineage transform --fold-norms/--rotate-seed/--scale-seed` and what
//! `lineage weights` makes of the results, on the tiny trained test-models:
//! each re-parametrisation alone and composed is function-preserving
//! (logits on probes) and found as `transformed-copy` with the transforms
//! named and the rotation recovered; composed with a real fine-tune it is
//! `fine-tuned-derivative`; an unrelated same-shape pair stays `unrelated`.

use std::path::{Path, PathBuf};

use candle_core::{Device, Tensor};
use lineage::model::Model;

use crate::weights_verdicts::{label, transform, weights};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("test-models")
}

fn transforms(r: &serde_json::Value) -> Vec<String> {
    r["verdict"]["transforms"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t.as_str().unwrap().to_string())
        .collect()
}

fn read_f32(p: &Path) -> Vec<f64> {
    std::fs::read(p)
        .unwrap()
        .chunks_exact(4)
        .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]) as f64)
        .collect()
}

/// ‖Q̂ − Q‖_F / ‖Q‖_F between the transform's secret and the estimate.
fn rotation_error(truth: &Path, estimate: &Path) -> f64 {
    let (q, e) = (read_f32(truth), read_f32(estimate));
    assert_eq!(q.len(), e.len());
    let num: f64 = q.iter().zip(&e).map(|(x, y)| (x - y).powi(2)).sum();
    let den: f64 = q.iter().map(|x| x * x).sum();
    (num / den).sqrt()
}

/// Largest |logit difference| over a few probes, relative to the largest
/// |logit|.
fn logit_gap(a: &Path, b: &Path) -> f64 {
    let (ma, mb) = (
        Model::load(a, &Device::Cpu).unwrap(),
        Model::load(b, &Device::Cpu).unwrap(),
    );
    let mut worst: f64 = 0.0;
    for p in [
        "Name three colours.",
        "Explain why the sky is blue.",
        "Write a haiku about rain.",
    ] {
        let ids = ma.codec.prompt_ids(p).unwrap();
        let t = Tensor::new(ids.as_slice(), &Device::Cpu)
            .unwrap()
            .unsqueeze(0)
            .unwrap();
        let la: Vec<f32> = ma
            .net
            .forward(&t)
            .unwrap()
            .flatten_all()
            .unwrap()
            .to_vec1()
            .unwrap();
        let lb: Vec<f32> = mb
            .net
            .forward(&t)
            .unwrap()
            .flatten_all()
            .unwrap()
            .to_vec1()
            .unwrap();
        let scale = la.iter().fold(0f32, |m, x| m.max(x.abs())) as f64;
        let gap = la
            .iter()
            .zip(&lb)
            .fold(0f32, |m, (x, y)| m.max((x - y).abs())) as f64;
        worst = worst.max(gap / scale);
    }
    worst
}

#[test]
fn each_reparametrisation_is_function_preserving_and_seen_through() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let teacher = root().join("teacher");
    let cases: [(&str, &[&str], &[&str]); 4] = [
        ("fold", &["--fold-norms"], &["norm folding"]),
        ("scale", &["--scale-seed", "2"], &["scaling"]),
        (
            "rotate",
            &["--rotate-seed", "1"],
            &["rotation", "norm folding"],
        ),
        (
            "all",
            &[
                "--rotate-seed",
                "1",
                "--scale-seed",
                "2",
                "--permute-seed",
                "3",
            ],
            &["rotation", "norm folding", "scaling", "permutation"],
        ),
    ];
    for (name, args, named) in cases {
        let b = transform(&teacher, &dir.join(name), args);
        let gap = logit_gap(&teacher, &b);
        assert!(gap < 1e-4, "{name}: logits moved by {gap} of their range");
        let r = weights(&teacher, &b, &dir.join(format!("r-{name}")));
        assert_eq!(label(&r), "transformed-copy", "{name}: {}", r["verdict"]);
        assert!(r["verdict"]["log10_p_value"].as_f64().unwrap() < -6.0);
        assert_eq!(transforms(&r), named.to_vec(), "{name}");
        if args.contains(&"--rotate-seed") {
            let e = rotation_error(
                &b.join("rotation.f32le"),
                &dir.join(format!("r-{name}")).join("rotation.f32le"),
            );
            assert!(
                e < 1e-2,
                "{name}: rotation recovered with relative error {e}"
            );
        }
    }
}

#[test]
fn composed_with_a_fine_tune_and_unrelated_pairs() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let teacher = root().join("teacher");
    // `finetuned` is the teacher trained 300 more steps on other data.
    let b = transform(
        &root().join("finetuned"),
        &dir.join("ft"),
        &[
            "--rotate-seed",
            "5",
            "--scale-seed",
            "6",
            "--permute-seed",
            "7",
        ],
    );
    let r = weights(&teacher, &b, &dir.join("r-ft"));
    assert_eq!(label(&r), "fine-tuned-derivative", "{}", r["verdict"]);
    assert!(r["verdict"]["log10_p_value"].as_f64().unwrap() < -6.0);
    assert!(transforms(&r).contains(&"rotation".to_string()));
    // Same shapes, different seeds and data: unrelated, also when one side
    // is rotated and folded.
    let ind = root().join("independent");
    assert_eq!(
        label(&weights(&teacher, &ind, &dir.join("r-ind"))),
        "unrelated"
    );
    let rot = transform(&ind, &dir.join("ind-rot"), &["--rotate-seed", "1"]);
    assert_eq!(
        label(&weights(&teacher, &rot, &dir.join("r-ind-rot"))),
        "unrelated"
    );
}

//! Hostile and broken checkpoints: every one is refused with exit code 2
//! and a message naming the file (and the tensor where one is at fault);
//! nothing is written. NaN weights are counted by `fingerprint` and
//! refused by `weights`.

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use lineage::weights::synth::{self, Spec};
use predicates::str::contains;

fn lineage() -> Command {
    let mut c = Command::cargo_bin("lineage").unwrap();
    c.arg("--quiet");
    c
}

/// A safetensors file from a literal header and `data` zero bytes.
fn st(dir: &Path, name: &str, header: &str, data: usize) -> PathBuf {
    let mut v = (header.len() as u64).to_le_bytes().to_vec();
    v.extend_from_slice(header.as_bytes());
    v.resize(v.len() + data, 0);
    let p = dir.join(name);
    std::fs::write(&p, v).unwrap();
    p
}

/// `lineage weights BAD GOOD` must exit 2, mention `needles`, write nothing.
fn refused(bad: &Path, needles: &[&str]) {
    let tmp = tempfile::tempdir().unwrap();
    let good = tmp.path().join("good");
    let spec = Spec::tiny();
    synth::write_hf(&good, &spec, &synth::random(&spec, 1)).unwrap();
    let out = tmp.path().join("out");
    let mut a = lineage()
        .arg("weights")
        .arg(bad)
        .arg(&good)
        .arg("--out")
        .arg(&out)
        .assert()
        .code(2);
    for n in needles {
        a = a.stderr(contains(*n));
    }
    assert!(!out.exists(), "nothing may be written");
}

const ONE: &str = r#""w":{"dtype":"F32","shape":[2,2],"data_offsets":[0,16]}"#;

#[test]
fn truncated_file() {
    let d = tempfile::tempdir().unwrap();
    let p = st(d.path(), "t.safetensors", &format!("{{{ONE}}}"), 10);
    refused(&p, &["t.safetensors", "`w`", "outside the data buffer"]);
    let p = d.path().join("tiny.safetensors");
    std::fs::write(&p, [1, 2, 3]).unwrap();
    refused(&p, &["tiny.safetensors", "truncated"]);
}

#[test]
fn header_larger_than_file() {
    let d = tempfile::tempdir().unwrap();
    let p = d.path().join("h.safetensors");
    let mut v = 1_000_000u64.to_le_bytes().to_vec();
    v.extend_from_slice(b"{}");
    std::fs::write(&p, v).unwrap();
    refused(&p, &["h.safetensors", "larger than the rest of the file"]);
    let mut v = u64::MAX.to_le_bytes().to_vec();
    v.extend_from_slice(b"{}");
    std::fs::write(&p, v).unwrap();
    refused(&p, &["h.safetensors", "exceeds the cap"]);
}

#[test]
fn overlapping_gaps_and_outside_offsets() {
    let d = tempfile::tempdir().unwrap();
    let h = r#"{"a":{"dtype":"F32","shape":[4],"data_offsets":[0,16]},"b":{"dtype":"F32","shape":[4],"data_offsets":[8,24]}}"#;
    refused(
        &st(d.path(), "o.safetensors", h, 24),
        &["o.safetensors", "`b`", "overlaps"],
    );
    let h = r#"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[12,20]}}"#;
    refused(
        &st(d.path(), "g.safetensors", h, 20),
        &["g.safetensors", "`b`", "gap"],
    );
    let h = r#"{"a":{"dtype":"F32","shape":[2],"data_offsets":[100,108]}}"#;
    refused(
        &st(d.path(), "x.safetensors", h, 8),
        &["x.safetensors", "`a`", "outside"],
    );
}

#[test]
fn unknown_dtype_wrong_count_overflow() {
    let d = tempfile::tempdir().unwrap();
    let h = r#"{"a":{"dtype":"F8_E9M9","shape":[2],"data_offsets":[0,2]}}"#;
    refused(
        &st(d.path(), "u.safetensors", h, 2),
        &["u.safetensors", "`a`", "unknown or unsupported dtype"],
    );
    let h = r#"{"a":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}"#;
    refused(
        &st(d.path(), "c.safetensors", h, 8),
        &["c.safetensors", "`a`", "needs 12"],
    );
    let h =
        r#"{"a":{"dtype":"F32","shape":[4294967296,4294967296,4294967296],"data_offsets":[0,8]}}"#;
    refused(
        &st(d.path(), "s.safetensors", h, 8),
        &["s.safetensors", "`a`", "overflows"],
    );
}

#[test]
fn bad_gguf() {
    let d = tempfile::tempdir().unwrap();
    let p = d.path().join("t.gguf");
    let mut v = b"GGUF".to_vec();
    v.extend(3u32.to_le_bytes());
    v.extend(1u64.to_le_bytes());
    v.extend(1u64.to_le_bytes());
    v.extend((1u64 << 40).to_le_bytes()); // a key claiming 1 TiB
    std::fs::write(&p, &v).unwrap();
    refused(&p, &["t.gguf", "exceeds the cap"]);
    let mut v = b"GGUF".to_vec();
    v.extend(3u32.to_le_bytes());
    v.extend(1u64.to_le_bytes());
    v.extend(0u64.to_le_bytes());
    v.extend(1u64.to_le_bytes());
    v.push(b'w');
    v.extend(1u32.to_le_bytes());
    v.extend(32u64.to_le_bytes());
    v.extend(99u32.to_le_bytes()); // no such ggml type
    v.extend(0u64.to_le_bytes());
    v.resize(v.len() + 256, 0);
    std::fs::write(&p, &v).unwrap();
    refused(
        &p,
        &["t.gguf", "`w`", "unknown or unsupported ggml type 99"],
    );
}

#[test]
fn nan_weights_are_reported_then_refused() {
    let d = tempfile::tempdir().unwrap();
    let spec = Spec::tiny();
    let mut t = synth::random(&spec, 1);
    let (_, v) = t.get_mut("model.layers.1.mlp.up_proj.weight").unwrap();
    v[3] = f32::NAN;
    v[4] = f32::INFINITY;
    let m = d.path().join("nan");
    synth::write_hf(&m, &spec, &t).unwrap();
    let fp = d.path().join("fp.json");
    lineage()
        .arg("fingerprint")
        .arg(&m)
        .arg("--out")
        .arg(&fp)
        .assert()
        .success();
    let j: serde_json::Value = serde_json::from_slice(&std::fs::read(&fp).unwrap()).unwrap();
    let up = j["tensors"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["canonical"] == "blk.1.ffn_up.weight")
        .unwrap();
    assert_eq!((up["nan"].as_u64(), up["inf"].as_u64()), (Some(1), Some(1)));
    assert!(up["std"].as_f64().unwrap() > 0.0);
    refused(
        &m,
        &[
            "model.safetensors",
            "model.layers.1.mlp.up_proj.weight",
            "NaN/Inf",
        ],
    );
}

#[test]
fn mismatched_shard_index() {
    let d = tempfile::tempdir().unwrap();
    let m = d.path().join("sharded");
    std::fs::create_dir_all(&m).unwrap();
    st(&m, "s1.safetensors", &format!("{{{ONE}}}"), 16);
    let idx = r#"{"weight_map": {"w": "s1.safetensors", "extra": "s1.safetensors"}}"#;
    std::fs::write(m.join("model.safetensors.index.json"), idx).unwrap();
    refused(
        &m,
        &[
            "model.safetensors.index.json",
            "`extra`",
            "not stored there",
        ],
    );
    let idx = r#"{"weight_map": {"w": "../s1.safetensors"}}"#;
    std::fs::write(m.join("model.safetensors.index.json"), idx).unwrap();
    refused(
        &m,
        &["model.safetensors.index.json", "not a plain file name"],
    );
    let idx = r#"{"weight_map": {"w": "s2.safetensors"}}"#;
    std::fs::write(m.join("model.safetensors.index.json"), idx).unwrap();
    refused(
        &m,
        &[
            "model.safetensors.index.json",
            "s2.safetensors does not exist",
        ],
    );
}

#[test]
fn pickles_are_refused() {
    let d = tempfile::tempdir().unwrap();
    for name in ["model.bin", "model.pt", "model.pth", "model.pkl"] {
        let p = d.path().join(name);
        std::fs::write(&p, b"\x80\x04garbage").unwrap();
        refused(&p, &[name, "pickle", "run", "safetensors"]);
    }
    let m = d.path().join("hf");
    std::fs::create_dir_all(&m).unwrap();
    std::fs::write(m.join("pytorch_model.bin"), b"\x80\x04").unwrap();
    refused(&m, &["pytorch_model.bin", "pickle"]);
}

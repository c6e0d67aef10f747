//! Shared pieces of the fuzz targets: tight limits (so a single input
//! cannot make a run slow or large) and the checks every target applies to
//! a parser's result. A target is then one call.

use std::path::Path;

use lineage::input::{self, Dataset, Format, InputError, Limits};

/// Far below the defaults, so the limit paths are exercised too.
pub fn limits() -> Limits {
    Limits {
        max_file_bytes: 1 << 20,
        max_line_bytes: 4096,
        max_records: 64,
        max_json_depth: 12,
        max_metadata_bytes: 8192,
    }
}

/// Load `data` through the public load path, in `format` or sniffed, and
/// check what every successful load and every error must satisfy.
pub fn load(name: &str, data: &[u8], format: Option<Format>) -> Option<Dataset> {
    let limits = limits();
    let path = Path::new(name);
    match input::load_bytes("fuzz", path, data, format, &limits) {
        Ok(ds) => {
            assert!(!ds.records.is_empty(), "a dataset with no records loaded");
            assert!(ds.records.len() <= limits.max_records);
            if let Some(f) = format {
                assert_eq!(ds.format, f);
            }
            for r in &ds.records {
                assert!(r.line >= 1, "record without a line");
            }
            Some(ds)
        }
        Err(e) => {
            check_error(name, &e);
            None
        }
    }
}

/// Every input error names the file first.
pub fn check_error(name: &str, e: &InputError) {
    let msg = e.to_string();
    assert!(msg.starts_with(name), "error does not name the file: {msg}");
}

/// Check the tensor table a checkpoint parser accepted: every tensor's bytes
/// lie inside the file, and decoding the first few (small) ones neither
/// panics nor yields a different element count than the shape says.
pub fn check_tensors(data: &[u8], tensors: &[lineage::weights::TensorInfo]) {
    for t in tensors {
        let end = t.start.checked_add(t.len).expect("tensor end overflows");
        assert!(end <= data.len(), "tensor `{}` outside the file", t.name);
    }
    for t in tensors.iter().filter(|t| t.len <= 1 << 16).take(4) {
        let mut out = Vec::new();
        if lineage::weights::decode::decode_into(t.dtype, &data[t.start..t.start + t.len], &mut out)
            .is_ok()
        {
            let elems: usize = t.shape.iter().product();
            assert_eq!(out.len(), elems, "tensor `{}` decoded to the wrong size", t.name);
        }
    }
}

/// Write `data` to a fresh temporary file named `name` and return both (the
/// file lives as long as the directory).
pub fn temp_file(name: &str, data: &[u8]) -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().expect("temp dir");
    let p = dir.path().join(name);
    std::fs::write(&p, data).expect("write temp file");
    (dir, p)
}

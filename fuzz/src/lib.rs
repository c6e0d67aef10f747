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

//! Fuzz the FastChat adapter: answers and their question file, split at
//! the first 0xFF byte (never valid UTF-8, so never inside either text).
#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;
use lineage::input;

fuzz_target!(|data: &[u8]| {
    let cut = data.iter().position(|&b| b == 0xFF).unwrap_or(data.len());
    let (q, a) = (&data[..cut], data.get(cut + 1..).unwrap_or_default());
    let (Ok(q), Ok(a)) = (std::str::from_utf8(q), std::str::from_utf8(a)) else {
        return;
    };
    let limits = lineage_fuzz::limits();
    match input::parse_fastchat(Path::new("a.jsonl"), a, Path::new("q.jsonl"), q, &limits) {
        Ok(recs) => {
            assert!(!recs.is_empty());
            assert!(recs.len() <= limits.max_records);
            assert!(recs.iter().all(|r| r.probe_id.is_some()));
        }
        Err(e) => {
            let msg = e.to_string();
            assert!(
                msg.starts_with("a.jsonl") || msg.starts_with("q.jsonl"),
                "error does not name the file: {msg}"
            );
        }
    }
});

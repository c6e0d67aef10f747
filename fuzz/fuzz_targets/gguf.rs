//! Fuzz the GGUF header, metadata and tensor-table parser, and the block
//! dequantization of what it accepts.
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::path::Path;

fuzz_target!(|data: &[u8]| {
    let p = Path::new("f.gguf");
    if let Ok(parsed) = lineage::weights::gguf::parse(p, data, 0) {
        lineage_fuzz::check_tensors(data, &parsed.tensors);
    }
});

//! Fuzz the safetensors header parser and the decoding of what it accepts.
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::path::Path;

fuzz_target!(|data: &[u8]| {
    let p = Path::new("f.safetensors");
    if let Ok(ts) = lineage::weights::safetensors::parse(p, data, 0) {
        lineage_fuzz::check_tensors(data, &ts);
    }
});

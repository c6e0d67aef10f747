//! Fuzz the reader of `model.safetensors.index.json` (shard indexes).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let (_dir, p) = lineage_fuzz::temp_file("model.safetensors.index.json", data);
    if let Ok(idx) = lineage::weights::safetensors::read_index(&p) {
        assert!(!idx.files.is_empty());
        for f in idx.weight_map.values() {
            assert!(!f.contains('/') && !f.contains('\\'), "shard path escapes: {f}");
        }
    }
});

//! Fuzz the reader of saved weight fingerprints (`lineage fingerprint`).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let (_dir, p) = lineage_fuzz::temp_file("fp.json", data);
    let _ = lineage::weights::fingerprint::load(&p);
});

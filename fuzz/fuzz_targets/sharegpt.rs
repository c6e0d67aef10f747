//! Fuzz the sharegpt adapter through the whole load path (UTF-8, BOM, limits).
#![no_main]

use libfuzzer_sys::fuzz_target;
use lineage::input::Format;

fuzz_target!(|data: &[u8]| {
    lineage_fuzz::load("in.dat", data, Some(Format::Sharegpt));
});

//! Fuzz the Parquet reader through the in-memory load path (limits, and
//! the panic guard around the parquet crate).
#![no_main]

use libfuzzer_sys::fuzz_target;
use lineage::input::Format;

fuzz_target!(|data: &[u8]| {
    lineage_fuzz::load("in.dat", data, Some(Format::Parquet));
});

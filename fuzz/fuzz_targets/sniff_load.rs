//! Fuzz format sniffing and the generic load path, then align the result
//! with itself (duplicates, empty and missing answers, probe ids).
#![no_main]

use libfuzzer_sys::fuzz_target;
use lineage::input::align;

/// The extension is the sniffer's fallback, so let the input choose it.
const NAMES: [&str; 5] = ["in.jsonl", "in.json", "in.csv", "in.txt", "in"];

fuzz_target!(|data: &[u8]| {
    let Some((&first, rest)) = data.split_first() else {
        return;
    };
    let name = NAMES[usize::from(first) % NAMES.len()];
    if let Some(ds) = lineage_fuzz::load(name, rest, None) {
        let mut other = ds.clone();
        other.name = "other".into();
        let corpus = align::align(&[ds, other]);
        std::hint::black_box(corpus);
    }
});

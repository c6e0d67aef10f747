//! Fuzz what `lineage verify` reads back: report.json parsing, then the
//! comparison configuration rebuilt from it (no re-run: that reads files).
#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    match lineage::verify::parse_report(Path::new("report.json"), data) {
        Ok(report) => {
            let _ = lineage::verify::config_of(&report);
        }
        Err(e) => lineage_fuzz::check_error("report.json", &e),
    }
});

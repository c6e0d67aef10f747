//! Development aid: per-probe similarity cubes of every model pair in a
//! directory of datasets, written as raw little-endian f32 for analysis in
//! numpy. Usage: dump_cubes DATA_DIR OUT_DIR
use lineage::input::{self, Limits};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let dir = std::path::PathBuf::from(&args[1]);
    let out = std::path::PathBuf::from(&args[2]);
    std::fs::create_dir_all(&out).unwrap();
    let mut files: Vec<_> = std::fs::read_dir(&dir).unwrap().filter_map(|e| e.ok().map(|e| e.path())).filter(|p| p.extension().is_some_and(|e| e == "json")).collect();
    files.sort();
    let ds: Vec<_> = files.iter().map(|p| input::load(&p.file_stem().unwrap().to_string_lossy(), p, None, &Limits::default()).unwrap()).collect();
    let corpus = input::align::align(&ds);
    let names: Vec<String> = corpus.models.clone();
    std::fs::write(out.join("models.txt"), names.join("\n")).unwrap();
    for ex in lineage::fingerprint::default_extractors() {
        let f = ex.extract(&corpus);
        let n = names.len();
        let mut buf = Vec::new();
        for a in 0..n {
            for b in 0..n {
                for p in 0..corpus.n_probes() {
                    let v = if a == b { 1.0 } else { f[a][p].dot(&f[b][p]) as f32 };
                    buf.extend_from_slice(&v.to_le_bytes());
                }
            }
        }
        std::fs::write(out.join(format!("{}.f32", ex.name())), buf).unwrap();
        eprintln!("{} done, probes {}", ex.name(), corpus.n_probes());
    }
}

//! Development aid: per-family excess of a student over every candidate and
//! panel model, with stage timings. Usage: explore DATA_DIR STUDENT...
use std::time::Instant;

use lineage::compare::{family_cubes, CompareConfig, ModelSpec};
use lineage::input::{self, Limits};
use lineage::progress::Progress;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let dir = std::path::PathBuf::from(&args[1]);
    let read = |f: &str| std::fs::read_to_string(dir.join(f)).unwrap();
    let teachers: Vec<String> = read("candidate-teachers.tsv").lines().map(|l| l.split('\t').next().unwrap().to_string()).collect();
    let panel: Vec<String> = read("reference-panel.txt").lines().filter(|l| !l.is_empty()).map(String::from).collect();
    for student in &args[2..] {
        let t0 = Instant::now();
        let names: Vec<&String> = std::iter::once(student).chain(&teachers).chain(&panel).collect();
        let ds: Vec<_> = names.iter().map(|n| input::load(n, &dir.join(format!("{n}.json")), None, &Limits::default()).unwrap()).collect();
        let t1 = Instant::now();
        let corpus = input::align::align(&ds);
        let t2 = Instant::now();
        let fams = family_cubes(&corpus, &Progress::hidden());
        let t3 = Instant::now();
        eprintln!("load {:?} align {:?} features {:?}", t1 - t0, t2 - t1, t3 - t2);
        let _ = (CompareConfig::new, ModelSpec { name: String::new(), path: Default::default() });
        let all: Vec<usize> = (1..names.len()).collect();
        for f in &fams {
            let mut row = Vec::new();
            for &x in &all {
                let pan: Vec<usize> = all.iter().copied().filter(|&p| p > teachers.len() && p != x).collect();
                let e = lineage::stats::mean(&f.cube.excess(0, x, &pan));
                row.push((names[x].chars().take(10).collect::<String>(), e));
            }
            let null: Vec<f64> = row[teachers.len()..].iter().map(|r| r.1).collect();
            let (m, s) = (lineage::stats::mean(&null), lineage::stats::sd(&null));
            let z: Vec<String> = row.iter().map(|(n, e)| format!("{n}:{:+.1}", (e - m) / s)).collect();
            println!("{student:14} {:15} {}", f.name, z.join(" "));
        }
    }
}

#[allow(dead_code)]
fn unused() {}

use std::path::PathBuf;

use lineage::compare::{analyse, CompareConfig, ModelSpec};
use lineage::input::{Dataset, Format};
use lineage::progress::Progress;
use lineage::report::schema::Report;
use lineage::synth::{generate, Role, SynthConfig, SynthModel};

fn dataset(m: &SynthModel) -> Dataset {
    Dataset {
        name: m.name.clone(),
        path: PathBuf::from(format!("{}.jsonl", m.name)),
        sha256: String::new(),
        format: Format::Jsonl,
        records: m.records.clone(),
    }
}

fn spec(m: &SynthModel) -> ModelSpec {
    ModelSpec {
        name: m.name.clone(),
        path: PathBuf::from(format!("{}.jsonl", m.name)),
    }
}

fn run(
    student: &SynthModel,
    cands: &[&SynthModel],
    panel: &[&SynthModel],
    alpha: f64,
    resamples: usize,
) -> Report {
    let mut cfg = CompareConfig::new(
        spec(student),
        cands.iter().map(|m| spec(m)).collect(),
        panel.iter().map(|m| spec(m)).collect(),
    );
    cfg.alpha = alpha;
    cfg.resamples = resamples;
    cfg.bootstrap = 200;
    let ds: Vec<Dataset> = std::iter::once(student)
        .chain(cands.iter().copied())
        .chain(panel.iter().copied())
        .map(dataset)
        .collect();
    analyse(&cfg, &ds, &Progress::hidden())
}

#[test]
#[ignore]
fn explore_null() {
    let n: u64 = std::env::var("N")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(100);
    let panel: usize = std::env::var("PANEL")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(8);
    let probes: usize = std::env::var("PROBES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(120);
    let (mut f05, mut f01) = (0, 0);
    let mut ps = Vec::new();
    for seed in 0..n {
        let cfg = SynthConfig {
            seed: 1000 + seed,
            probes,
            teachers: 2,
            students_per_teacher: 0,
            independents: 1,
            panel,
            inherit: 0.65,
        };
        let ms = generate(&cfg);
        let cands: Vec<&SynthModel> = ms.iter().filter(|m| m.role == Role::Teacher).collect();
        let pan: Vec<&SynthModel> = ms.iter().filter(|m| m.role == Role::Panel).collect();
        let s = ms.iter().find(|m| m.role == Role::Independent).unwrap();
        let r = run(s, &cands, &pan, 0.05, 999);
        let top = &r.candidates[0];
        let style = top.families["style"].p_holm;
        let pmin = top.p_value.max(style);
        ps.push(pmin);
        if r.verdict.label == "distilled-from" {
            f05 += 1;
        }
        if pmin < 0.01 {
            f01 += 1;
        }
        println!(
            "seed {} verdict {} top {} p_comb {:.4} p_style_holm {:.4} ranking p {:?}",
            1000 + seed,
            r.verdict.label,
            top.name,
            top.p_value,
            style,
            r.ranking.as_ref().map(|x| x.p_value)
        );
    }
    println!("FPR@0.05 {}/{} ; FPR@0.01(approx) {}/{}", f05, n, f01, n);
}

#[test]
#[ignore]
fn explore_power() {
    let n: u64 = std::env::var("N")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(10);
    let panel: usize = std::env::var("PANEL")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(8);
    let probes: usize = std::env::var("PROBES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(120);
    let inherit: f64 = std::env::var("INHERIT")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0.65);
    let mut hits = 0;
    let mut tot = 0;
    for seed in 0..n {
        let cfg = SynthConfig {
            seed: 1 + seed,
            probes,
            teachers: 2,
            students_per_teacher: 1,
            independents: 0,
            panel,
            inherit,
        };
        let ms = generate(&cfg);
        let cands: Vec<&SynthModel> = ms.iter().filter(|m| m.role == Role::Teacher).collect();
        let pan: Vec<&SynthModel> = ms.iter().filter(|m| m.role == Role::Panel).collect();
        for s in ms.iter().filter(|m| matches!(m.role, Role::Student { .. })) {
            let Role::Student { teacher } = &s.role else {
                unreachable!()
            };
            let r = run(s, &cands, &pan, 0.01, 999);
            let top = &r.candidates[0];
            let ok = r.verdict.label == "distilled-from"
                && r.verdict.teacher.as_deref() == Some(teacher.as_str());
            tot += 1;
            if ok {
                hits += 1;
            }
            println!(
                "seed {} {} verdict {} top {} p {:.4} style {:.4} ",
                1 + seed,
                s.name,
                r.verdict.label,
                top.name,
                top.p_value,
                top.families["style"].p_holm
            );
        }
    }
    println!("power {}/{}", hits, tot);
}

#[test]
#[ignore]
fn explore_one() {
    use lineage::fingerprint::Extractor;
    let seed: u64 = std::env::var("SEED").unwrap().parse().unwrap();
    let inherit: f64 = std::env::var("INHERIT")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0.65);
    let who = std::env::var("WHO").unwrap_or("student-b1".into());
    let cfg = SynthConfig {
        seed,
        probes: 120,
        teachers: 2,
        students_per_teacher: 1,
        independents: 0,
        panel: 8,
        inherit,
    };
    let ms = generate(&cfg);
    let s = ms.iter().find(|m| m.name == who).unwrap();
    let order: Vec<&SynthModel> = std::iter::once(s)
        .chain(ms.iter().filter(|m| m.name != who))
        .collect();
    let ds: Vec<Dataset> = order.iter().map(|m| dataset(m)).collect();
    let corpus = lineage::input::align::align(&ds);
    for (name, ex) in [
        (
            "style",
            &lineage::fingerprint::style::Style as &dyn Extractor,
        ),
        ("content", &lineage::fingerprint::content::WordTfidf),
    ] {
        let f = ex.extract(&corpus);
        for (j, m) in order.iter().enumerate().skip(1) {
            let sim: f64 = (0..corpus.n_probes())
                .map(|p| f[0][p].dot(&f[j][p]) as f64)
                .sum::<f64>()
                / corpus.n_probes() as f64;
            println!("{name} {} {:.3}", m.name, sim);
        }
    }
    for p in 0..3 {
        println!("---S\n{}\n---T\n{}", corpus.texts[0][p], corpus.texts[2][p]);
    }
}

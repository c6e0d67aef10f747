//! Benchmarks of the `matrix` building blocks: raw-count channels per
//! response (the cached work), cache encode/decode, and average-linkage
//! clustering of 300 models. `cargo bench --bench matrix -- --test` runs
//! each once. Whole-run figures (AlpacaEval, 300 simulated models) are in
//! docs/benchmarks.md, measured with scripts/eval-matrix.sh.

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use lineage::fingerprint::channels;
use lineage::fingerprint::sparse::Counter;
use lineage::matrix::cache::{self, CachedRecord, Entry};
use lineage::matrix::tree;
use lineage::synth::{generate, SynthConfig};

fn texts() -> Vec<String> {
    let cfg = SynthConfig {
        seed: 5,
        probes: 200,
        ..SynthConfig::default()
    };
    generate(&cfg)
        .into_iter()
        .take(4)
        .flat_map(|m| m.records.into_iter().filter_map(|r| r.response))
        .collect()
}

fn bench(c: &mut Criterion) {
    let texts = texts();
    let mut g = c.benchmark_group("matrix");
    g.throughput(Throughput::Elements(texts.len() as u64));
    g.bench_function("channels_800_responses", |b| {
        let mut counter = Counter::default();
        b.iter(|| {
            for t in &texts {
                black_box(channels::count(t, &mut counter));
            }
        })
    });
    let entry = Entry {
        format: "jsonl".into(),
        records: texts
            .iter()
            .enumerate()
            .map(|(i, t)| CachedRecord {
                probe_id: Some(format!("p{i}")),
                prompt_key: format!("h:{i:016x}"),
                answered: true,
                channels: channels::count(t, &mut Counter::default()),
            })
            .collect(),
    };
    let bytes = cache::encode(&entry);
    g.bench_function("cache_encode_800", |b| {
        b.iter(|| black_box(cache::encode(&entry)))
    });
    g.bench_function("cache_decode_800", |b| {
        b.iter(|| black_box(cache::decode(&bytes)))
    });
    g.finish();
    let n = 300;
    let dist: Vec<f64> = (0..n * n)
        .map(|i| {
            let (a, b) = (i / n, i % n);
            if a == b {
                0.0
            } else {
                ((a * 7919 + b * 7919) % 1000) as f64 / 1000.0
                    + (a as f64 - b as f64).abs() / n as f64
            }
        })
        .collect();
    c.bench_function("matrix/upgma_300", |b| {
        b.iter(|| black_box(tree::upgma(&dist, n)))
    });
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(10);
    targets = bench
}
criterion_main!(benches);

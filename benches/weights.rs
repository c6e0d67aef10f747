//! Benchmarks of the weights pipeline on a generated f32 checkpoint
//! (~64 MB, read from the page cache): fingerprint statistics alone
//! (`top_k = 0`, the ≥ 1 GB/s target), the full fingerprint with top-8
//! singular values, the in-memory moments kernel, and a pairwise
//! comparison of the checkpoint with itself (joint pass over every tensor
//! plus the matched-units test of every layer).
//!
//! `cargo bench --bench weights` measures; `-- --test` runs each once.

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use lineage::progress::Progress;
use lineage::weights::moments::Moments;
use lineage::weights::synth::{self, Spec};
use lineage::weights::{fingerprint, pairwise, Checkpoint};

fn bench(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    // 8 layers of 512×1536 MLPs: ~64 MB of f32.
    let spec = Spec {
        hidden: 512,
        ffn: 1536,
        layers: 8,
        heads: 8,
        kv_heads: 4,
        vocab: 4096,
    };
    let m = dir.path().join("m");
    synth::write_hf(&m, &spec, &synth::random(&spec, 1)).unwrap();
    let ck = Checkpoint::open(&m).unwrap();
    let bytes = ck.total_bytes();
    let mut g = c.benchmark_group("weights");
    g.sample_size(10);
    g.throughput(Throughput::Bytes(bytes));
    g.bench_function("fingerprint_stats", |b| {
        b.iter(|| fingerprint::compute(&ck, Vec::new(), 0, 0, &Progress::hidden()).unwrap())
    });
    g.bench_function("fingerprint_top8", |b| {
        b.iter(|| fingerprint::compute(&ck, Vec::new(), 0, 8, &Progress::hidden()).unwrap())
    });
    g.throughput(Throughput::Bytes(2 * bytes));
    g.bench_function("pairwise_self", |b| {
        b.iter(|| pairwise::checkpoints(&ck, &ck, 0.01, &Progress::hidden()).unwrap())
    });
    let xs: Vec<f32> = (0..(1 << 22))
        .map(|i| ((i % 1000) as f32 - 500.0) * 1e-3)
        .collect();
    g.throughput(Throughput::Bytes(4 << 22));
    g.bench_function("moments_kernel", |b| {
        b.iter(|| {
            let mut m = Moments::default();
            m.push(black_box(&xs));
            m.summary()
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);

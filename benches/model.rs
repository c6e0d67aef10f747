//! Speed of the model runner on the tiny random Llama of
//! `lineage::model::tiny` (2 layers, hidden size 32, 259-token vocabulary).
//!
//! `cargo bench --bench model` measures tokens per second of greedy
//! generation (one row, and 8 rows batched) and of teacher-forced scoring;
//! `cargo bench --bench model -- --test` runs each once as a smoke test.

use std::hint::black_box;

use candle_core::Device;
use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use lineage::model::generate::{generate_rows, GenConfig, Row};
use lineage::model::score::{score, Item};
use lineage::model::tiny::{write_tiny, TinySpec};
use lineage::model::Model;

/// New tokens per answer (no stop token, so every answer is this long).
const NEW: usize = 64;

fn model(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    write_tiny(dir.path(), 1, TinySpec::default()).unwrap();
    let m = Model::load(dir.path(), &Device::Cpu).unwrap();
    let prompts: Vec<Vec<u32>> = (0..8)
        .map(|i| {
            m.codec
                .prompt_ids(&format!("Tell me about topic {i}, briefly."))
                .unwrap()
        })
        .collect();
    let cfg = GenConfig {
        max_new_tokens: NEW,
        temperature: 0.0,
        top_p: 1.0,
        top_logprobs: 5,
        seed: 0,
    };
    let rows: Vec<Row> = prompts
        .iter()
        .map(|p| Row {
            prompt: p,
            probe_id: "b",
            sample: 0,
        })
        .collect();
    let mut g = c.benchmark_group("tiny-llama");
    g.sample_size(20);
    for n in [1, 8] {
        g.throughput(Throughput::Elements((n * NEW) as u64));
        g.bench_function(format!("generate {n} x {NEW} tokens"), |b| {
            b.iter(|| black_box(generate_rows(&m.net, &rows[..n], &[], &cfg).unwrap()))
        });
    }
    let answers = generate_rows(&m.net, &rows, &[], &cfg).unwrap();
    let items: Vec<Item> = prompts
        .iter()
        .zip(&answers)
        .map(|(p, a)| Item {
            prompt: p.clone(),
            response: a.ids(),
            n_bytes: NEW,
        })
        .collect();
    let tokens: usize = items
        .iter()
        .map(|i| i.prompt.len() + i.response.len())
        .sum();
    g.throughput(Throughput::Elements(tokens as u64));
    g.bench_function("score 8 records, top-5", |b| {
        b.iter(|| black_box(score(&m.net, &items, 4096, Some(5), |_| {}).unwrap()))
    });
    g.finish();
}

criterion_group!(benches, model);
criterion_main!(benches);

//! The model runner on a tiny random Llama written by
//! `lineage::model::tiny`: logprobs against a hand-computed softmax of the
//! logits of candle-transformers' reference Llama, greedy determinism, and
//! teacher-forced scoring agreeing with generation.

use candle_core::{DType, Device, Tensor};
use candle_nn::VarBuilder;
use candle_transformers::models::llama as reference;
use lineage::model::generate::{generate, GenConfig, Generation};
use lineage::model::score::{score, Item};
use lineage::model::tiny::{write_tiny, TinySpec};
use lineage::model::Model;

fn tiny(spec: TinySpec) -> (tempfile::TempDir, Model) {
    let dir = tempfile::tempdir().unwrap();
    write_tiny(dir.path(), 7, spec).unwrap();
    let m = Model::load(dir.path(), &Device::Cpu).unwrap();
    (dir, m)
}

fn greedy(max: usize, top: usize) -> GenConfig {
    GenConfig {
        max_new_tokens: max,
        temperature: 0.0,
        top_p: 1.0,
        top_logprobs: top,
        seed: 0,
    }
}

fn run(m: &Model, prompt: &str, cfg: &GenConfig, samples: &[u32]) -> Vec<Generation> {
    let ids = m.codec.prompt_ids(prompt).unwrap();
    generate(&m.net, &ids, &m.codec.stop, cfg, "p-1", samples).unwrap()
}

/// Logits of the last position from candle-transformers' Llama, without a
/// KV cache (the whole sequence is recomputed).
fn reference_logits(dir: &std::path::Path, seq: &[u32]) -> Vec<f32> {
    let cfg: reference::LlamaConfig =
        serde_json::from_str(&std::fs::read_to_string(dir.join("config.json")).unwrap()).unwrap();
    let cfg = cfg.into_config(false);
    let files = [dir.join("model.safetensors")];
    // SAFETY: a test-owned temporary file nobody else writes.
    let vb =
        unsafe { VarBuilder::from_mmaped_safetensors(&files, DType::F32, &Device::Cpu) }.unwrap();
    let llama = reference::Llama::load(vb, &cfg).unwrap();
    let mut cache = reference::Cache::new(false, DType::F32, &cfg, &Device::Cpu).unwrap();
    let input = Tensor::new(seq, &Device::Cpu)
        .unwrap()
        .unsqueeze(0)
        .unwrap();
    llama
        .forward(&input, 0, &mut cache)
        .unwrap()
        .squeeze(0)
        .unwrap()
        .to_vec1()
        .unwrap()
}

#[test]
fn logprobs_are_the_softmax_of_the_reference_logits() {
    for spec in [
        TinySpec::default(),
        TinySpec {
            tie_embeddings: true,
            kv_heads: 4,
            ..TinySpec::default()
        },
    ] {
        let (dir, m) = tiny(spec);
        let prompt = m.codec.prompt_ids("Name three colours.").unwrap();
        let g = run(&m, "Name three colours.", &greedy(8, 3), &[0]).remove(0);
        assert!(g.steps.len() >= 4, "too few tokens to test: {g:?}");
        let mut seq = prompt.clone();
        for step in &g.steps {
            let logits = reference_logits(dir.path(), &seq);
            let max = logits
                .iter()
                .fold(f64::NEG_INFINITY, |a, &b| a.max(f64::from(b)));
            let z: f64 = logits.iter().map(|&l| (f64::from(l) - max).exp()).sum();
            let hand = |id: u32| f64::from(logits[id as usize]) - max - z.ln();
            assert!(
                (step.logprob - hand(step.id)).abs() < 1e-4,
                "{} vs {}",
                step.logprob,
                hand(step.id)
            );
            // Greedy: the chosen token is the reference's most likely one,
            // and the alternatives are sorted and consistent.
            let best = (0..logits.len() as u32)
                .max_by(|&a, &b| logits[a as usize].total_cmp(&logits[b as usize]))
                .unwrap();
            assert_eq!(step.id, best);
            assert_eq!(step.top.len(), 3);
            assert_eq!(step.top[0].0, step.id);
            for &(id, lp) in &step.top {
                assert!((lp - hand(id)).abs() < 1e-4);
            }
            assert!(step.top.windows(2).all(|w| w[0].1 >= w[1].1));
            seq.push(step.id);
        }
    }
}

#[test]
fn greedy_decoding_is_deterministic_and_samples_are_seeded() {
    let (_dir, m) = tiny(TinySpec::default());
    let a = run(&m, "Write a haiku.", &greedy(24, 2), &[0]);
    let b = run(&m, "Write a haiku.", &greedy(24, 2), &[0]);
    assert_eq!(a, b);
    let mut cfg = greedy(24, 0);
    cfg.temperature = 1.0;
    cfg.top_p = 0.95;
    let s = run(&m, "Write a haiku.", &cfg, &[0, 1, 2]);
    assert_eq!(s, run(&m, "Write a haiku.", &cfg, &[0, 1, 2]));
    assert_ne!(s[0].ids(), s[1].ids(), "different samples should differ");
    // A sample does not depend on the batch it was drawn in.
    let alone = run(&m, "Write a haiku.", &cfg, &[1]).remove(0);
    assert_eq!(alone.ids(), s[1].ids());
    for (x, y) in alone.steps.iter().zip(&s[1].steps) {
        assert!((x.logprob - y.logprob).abs() < 1e-5);
    }
}

#[test]
fn teacher_forced_scores_agree_with_generation() {
    let (_dir, m) = tiny(TinySpec::default());
    let mut items = Vec::new();
    let mut expected = Vec::new();
    for p in ["Hi?", "Explain tides in one sentence, please.", "2+2"] {
        let g = run(&m, p, &greedy(16, 0), &[0]).remove(0);
        items.push(Item {
            prompt: m.codec.prompt_ids(p).unwrap(),
            response: g.ids(),
            n_bytes: 10,
        });
        expected.push(g.steps.iter().map(|s| s.logprob).sum::<f64>());
    }
    // One item per batch, and all three in one padded batch.
    for batch_tokens in [1, 4096] {
        let scores = score(&m.net, &items, batch_tokens, Some(2), |_| {}).unwrap();
        for ((s, it), want) in scores.iter().zip(&items).zip(&expected) {
            assert_eq!(s.n_tokens, it.response.len());
            assert!((s.logprob - want).abs() < 1e-3, "{} vs {want}", s.logprob);
            // Greedy tokens are the model's own top-1 choices.
            assert_eq!(s.top1, s.n_tokens);
            let pos = s.positions.as_ref().unwrap();
            assert_eq!(pos.len(), s.n_tokens);
            assert!(pos.iter().all(|p| p.top[0].0 == p.token_id));
            assert!((s.logprob_per_byte().unwrap() - s.logprob / 10.0).abs() < 1e-12);
        }
    }
}

#[test]
fn left_padded_batches_answer_like_single_rows() {
    use lineage::model::generate::{generate_rows, Row};
    let (_dir, m) = tiny(TinySpec::default());
    let prompts: Vec<Vec<u32>> = [
        "Hi",
        "A much longer prompt about the weather in spring.",
        "Why?",
    ]
    .iter()
    .map(|p| m.codec.prompt_ids(p).unwrap())
    .collect();
    let rows: Vec<Row> = prompts
        .iter()
        .map(|p| Row {
            prompt: p,
            probe_id: "x",
            sample: 0,
        })
        .collect();
    let cfg = greedy(16, 2);
    let batched = generate_rows(&m.net, &rows, &m.codec.stop, &cfg).unwrap();
    for (row, b) in rows.iter().zip(&batched) {
        let single = generate_rows(&m.net, &[*row], &m.codec.stop, &cfg)
            .unwrap()
            .remove(0);
        assert_eq!(single.ids(), b.ids());
        assert!(!b.steps.is_empty());
        for (x, y) in single.steps.iter().zip(&b.steps) {
            assert!(
                (x.logprob - y.logprob).abs() < 1e-4,
                "{} vs {}",
                x.logprob,
                y.logprob
            );
        }
    }
}

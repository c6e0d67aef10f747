//! A tiny random Llama in Hugging Face layout, for tests and benchmarks:
//! 2 layers, hidden size 32, grouped-query attention (4 heads, 2 key/value
//! heads), a byte-level BPE tokenizer without merges (259 ids: three
//! ChatML specials and the 256 byte symbols) and a ChatML chat template.
//! Weights are drawn from a seeded ChaCha8 stream, so the same seed writes
//! the same bytes (about 150 KB).

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::Context;
use candle_core::{Device, Tensor};
use rand::Rng;
use serde_json::json;
use tokenizers::models::bpe::BPE;
use tokenizers::pre_tokenizers::byte_level::ByteLevel;
use tokenizers::{AddedToken, Tokenizer};

use crate::stats::rng::stream;

/// Special tokens, ids 0, 1, 2.
pub const SPECIALS: [&str; 3] = ["<|endoftext|>", "<|im_start|>", "<|im_end|>"];

/// The ChatML template written into `tokenizer_config.json`.
pub const CHATML: &str = "{% for message in messages %}{{'<|im_start|>' + message['role'] + '\n' + message['content'] + '<|im_end|>' + '\n'}}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}{% endif %}";

/// Shape of the tiny network.
#[derive(Debug, Clone, Copy)]
pub struct TinySpec {
    pub hidden: usize,
    pub intermediate: usize,
    pub layers: usize,
    pub heads: usize,
    pub kv_heads: usize,
    pub tie_embeddings: bool,
}

impl Default for TinySpec {
    fn default() -> Self {
        TinySpec {
            hidden: 32,
            intermediate: 64,
            layers: 2,
            heads: 4,
            kv_heads: 2,
            tie_embeddings: false,
        }
    }
}

/// Write the tiny model into `dir` (created if needed).
pub fn write_tiny(dir: &Path, seed: u64, spec: TinySpec) -> anyhow::Result<()> {
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let tok = tokenizer()?;
    let vocab = tok.get_vocab_size(true);
    let config = json!({
        "architectures": ["LlamaForCausalLM"],
        "model_type": "llama",
        "hidden_size": spec.hidden,
        "intermediate_size": spec.intermediate,
        "num_hidden_layers": spec.layers,
        "num_attention_heads": spec.heads,
        "num_key_value_heads": spec.kv_heads,
        "vocab_size": vocab,
        "max_position_embeddings": 512,
        "rms_norm_eps": 1e-5,
        "rope_theta": 10000.0,
        "tie_word_embeddings": spec.tie_embeddings,
        "bos_token_id": 0,
        "eos_token_id": 2,
        "torch_dtype": "float32"
    });
    write_json(&dir.join("config.json"), &config)?;
    write_json(
        &dir.join("tokenizer_config.json"),
        &json!({"chat_template": CHATML, "eos_token": "<|im_end|>", "bos_token": null}),
    )?;
    tok.save(dir.join("tokenizer.json"), false)
        .map_err(|e| anyhow::anyhow!("cannot write tokenizer.json: {e}"))?;
    let tensors = weights(seed, spec, vocab)?;
    let tensors: std::collections::HashMap<String, Tensor> = tensors.into_iter().collect();
    candle_core::safetensors::save(&tensors, dir.join("model.safetensors"))?;
    Ok(())
}

fn write_json(path: &Path, v: &serde_json::Value) -> anyhow::Result<()> {
    crate::report::atomic::write(path, serde_json::to_string_pretty(v)?.as_bytes())
}

/// Byte-level BPE over the 256 byte symbols, no merges, ChatML specials.
pub fn tokenizer() -> anyhow::Result<Tokenizer> {
    let mut symbols: Vec<char> = ByteLevel::alphabet().into_iter().collect();
    symbols.sort_unstable();
    let vocab: tokenizers::models::bpe::Vocab = SPECIALS
        .iter()
        .map(|s| s.to_string())
        .chain(symbols.iter().map(|c| c.to_string()))
        .enumerate()
        .map(|(i, s)| (s, i as u32))
        .collect();
    let bpe = BPE::builder()
        .vocab_and_merges(vocab, Vec::new())
        .build()
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let mut tok = Tokenizer::new(bpe);
    tok.with_pre_tokenizer(Some(ByteLevel::new(false, true, true)));
    tok.with_decoder(Some(ByteLevel::new(false, true, true)));
    let specials: Vec<AddedToken> = SPECIALS
        .iter()
        .map(|s| AddedToken::from(*s, true))
        .collect();
    tok.add_special_tokens(&specials);
    Ok(tok)
}

fn weights(seed: u64, s: TinySpec, vocab: usize) -> anyhow::Result<BTreeMap<String, Tensor>> {
    let mut rng = stream(seed, "tiny-llama");
    let head_dim = s.hidden / s.heads;
    let mut m = BTreeMap::new();
    let mut put = |name: String, shape: (usize, usize), scale: f32| -> anyhow::Result<()> {
        let n = shape.0 * shape.1;
        // Uniform on [-scale·√3, scale·√3]: standard deviation `scale`.
        let data: Vec<f32> = (0..n)
            .map(|_| (rng.gen::<f32>() * 2.0 - 1.0) * scale * 3f32.sqrt())
            .collect();
        let t = Tensor::from_vec(data, shape, &Device::Cpu)?;
        m.insert(name, if shape.0 == 1 { t.squeeze(0)? } else { t });
        Ok(())
    };
    let (h, q, kv, ff) = (
        s.hidden,
        s.heads * head_dim,
        s.kv_heads * head_dim,
        s.intermediate,
    );
    let w = 1.0 / (h as f32).sqrt();
    put("model.embed_tokens.weight".into(), (vocab, h), 1.0)?;
    for i in 0..s.layers {
        let p = format!("model.layers.{i}");
        put(format!("{p}.self_attn.q_proj.weight"), (q, h), w)?;
        put(format!("{p}.self_attn.k_proj.weight"), (kv, h), w)?;
        put(format!("{p}.self_attn.v_proj.weight"), (kv, h), w)?;
        put(format!("{p}.self_attn.o_proj.weight"), (h, q), w)?;
        put(format!("{p}.mlp.gate_proj.weight"), (ff, h), w)?;
        put(format!("{p}.mlp.up_proj.weight"), (ff, h), w)?;
        put(
            format!("{p}.mlp.down_proj.weight"),
            (h, ff),
            1.0 / (ff as f32).sqrt(),
        )?;
        put(format!("{p}.input_layernorm.weight"), (1, h), 0.1)?;
        put(format!("{p}.post_attention_layernorm.weight"), (1, h), 0.1)?;
    }
    put("model.norm.weight".into(), (1, h), 0.1)?;
    if !s.tie_embeddings {
        put("lm_head.weight".into(), (vocab, h), 2.0 * w)?;
    }
    // Norm weights near 1, as after training.
    for (k, t) in m.iter_mut() {
        if k.ends_with("norm.weight") {
            *t = (t.clone() + 1.0)?;
        }
    }
    Ok(m)
}

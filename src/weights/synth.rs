//! Random Llama-shaped checkpoints for tests and benchmarks: Gaussian
//! weights with the tensor names, shapes and config.json of a Hugging Face
//! Llama model, from a seed. Derived copies (noise-added "fine-tunes",
//! partial layer reuse) are made by editing the tensor map before writing.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;

use rand::Rng;

use crate::stats::rng::stream;

#[derive(Debug, Clone, Copy)]
pub struct Spec {
    pub hidden: usize,
    pub ffn: usize,
    pub layers: usize,
    pub heads: usize,
    pub kv_heads: usize,
    pub vocab: usize,
}

impl Spec {
    pub fn tiny() -> Spec {
        Spec {
            hidden: 64,
            ffn: 128,
            layers: 4,
            heads: 4,
            kv_heads: 2,
            vocab: 256,
        }
    }
    fn head_dim(&self) -> usize {
        self.hidden / self.heads
    }
}

/// HF tensor name → (shape, values).
pub type Tensors = BTreeMap<String, (Vec<usize>, Vec<f32>)>;

/// Shapes of every tensor of a Llama model with untied embeddings.
pub fn shapes(s: &Spec) -> Vec<(String, Vec<usize>)> {
    let hd = s.head_dim();
    let mut v = vec![
        (
            "model.embed_tokens.weight".to_string(),
            vec![s.vocab, s.hidden],
        ),
        ("model.norm.weight".to_string(), vec![s.hidden]),
        ("lm_head.weight".to_string(), vec![s.vocab, s.hidden]),
    ];
    for l in 0..s.layers {
        let p = format!("model.layers.{l}");
        v.push((
            format!("{p}.self_attn.q_proj.weight"),
            vec![s.heads * hd, s.hidden],
        ));
        v.push((
            format!("{p}.self_attn.k_proj.weight"),
            vec![s.kv_heads * hd, s.hidden],
        ));
        v.push((
            format!("{p}.self_attn.v_proj.weight"),
            vec![s.kv_heads * hd, s.hidden],
        ));
        v.push((
            format!("{p}.self_attn.o_proj.weight"),
            vec![s.hidden, s.heads * hd],
        ));
        v.push((format!("{p}.mlp.gate_proj.weight"), vec![s.ffn, s.hidden]));
        v.push((format!("{p}.mlp.up_proj.weight"), vec![s.ffn, s.hidden]));
        v.push((format!("{p}.mlp.down_proj.weight"), vec![s.hidden, s.ffn]));
        v.push((format!("{p}.input_layernorm.weight"), vec![s.hidden]));
        v.push((
            format!("{p}.post_attention_layernorm.weight"),
            vec![s.hidden],
        ));
    }
    v
}

fn gauss<R: Rng>(rng: &mut R) -> f32 {
    let u1: f64 = rng.gen_range(f64::MIN_POSITIVE..1.0);
    let u2: f64 = rng.gen();
    ((-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()) as f32
}

/// A random model: matrices N(0, 1/fan_in), norms 1 + N(0, 0.05²).
pub fn random(s: &Spec, seed: u64) -> Tensors {
    shapes(s)
        .into_iter()
        .map(|(name, shape)| {
            let mut rng = stream(seed, &name);
            let n: usize = shape.iter().product();
            let vals: Vec<f32> = if shape.len() == 1 {
                (0..n).map(|_| 1.0 + 0.05 * gauss(&mut rng)).collect()
            } else {
                let sd = 1.0 / (shape[1] as f32).sqrt();
                (0..n).map(|_| sd * gauss(&mut rng)).collect()
            };
            (name, (shape, vals))
        })
        .collect()
}

/// Add Gaussian noise of `rel` times each tensor's RMS (a stand-in for
/// fine-tuning).
pub fn add_noise(t: &mut Tensors, rel: f32, seed: u64) {
    for (name, (_, v)) in t.iter_mut() {
        let rms = (v.iter().map(|x| x * x).sum::<f32>() / v.len() as f32).sqrt();
        let mut rng = stream(seed, &format!("noise:{name}"));
        v.iter_mut().for_each(|x| *x += rel * rms * gauss(&mut rng));
    }
}

/// Write an HF directory: config.json and model.safetensors (f32).
pub fn write_hf(dir: &Path, s: &Spec, t: &Tensors) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    let cfg = serde_json::json!({
        "architectures": ["LlamaForCausalLM"],
        "model_type": "llama",
        "hidden_size": s.hidden,
        "intermediate_size": s.ffn,
        "num_hidden_layers": s.layers,
        "num_attention_heads": s.heads,
        "num_key_value_heads": s.kv_heads,
        "head_dim": s.head_dim(),
        "vocab_size": s.vocab,
        "rms_norm_eps": 1e-5,
        "rope_theta": 10000.0,
        "max_position_embeddings": 256,
        "tie_word_embeddings": false,
        "torch_dtype": "float32",
    });
    std::fs::write(dir.join("config.json"), serde_json::to_vec_pretty(&cfg)?)?;
    write_safetensors(&dir.join("model.safetensors"), t)
}

/// A safetensors file of f32 tensors.
pub fn write_safetensors(path: &Path, t: &Tensors) -> std::io::Result<()> {
    let mut header = serde_json::Map::new();
    let mut off = 0usize;
    for (name, (shape, v)) in t {
        header.insert(
            name.clone(),
            serde_json::json!({"dtype": "F32", "shape": shape, "data_offsets": [off, off + 4 * v.len()]}),
        );
        off += 4 * v.len();
    }
    let mut h = serde_json::to_vec(&serde_json::Value::Object(header))?;
    while h.len() % 8 != 0 {
        h.push(b' ');
    }
    let mut w = std::io::BufWriter::new(std::fs::File::create(path)?);
    w.write_all(&(h.len() as u64).to_le_bytes())?;
    w.write_all(&h)?;
    for (_, v) in t.values() {
        for x in v {
            w.write_all(&x.to_le_bytes())?;
        }
    }
    w.flush()
}

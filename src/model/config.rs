//! Architecture parameters of a Llama-family decoder, read from a Hugging
//! Face `config.json` or from GGUF metadata, and checked before any tensor
//! is allocated (hostile configs must not cause huge allocations or panics).

use std::path::Path;

use serde::Deserialize;
use serde_json::Value;

use super::error::ModelError;

/// Largest dimension accepted from a config (hidden size, vocabulary, ...).
const MAX_DIM: usize = 1 << 20;
/// Largest layer count accepted from a config.
const MAX_LAYERS: usize = 512;
/// Largest head dimension accepted (real models use 64 to 256).
const MAX_HEAD_DIM: usize = 1024;
/// Rotary tables are built for at most this many positions.
pub const MAX_POSITIONS: usize = 32_768;

/// Rotary-embedding layout of the query/key weights.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rope {
    /// Pairs (i, i + d/2): Hugging Face checkpoints, GGUF qwen2.
    Halves,
    /// Pairs (2i, 2i + 1): GGUF llama/mistral (llama.cpp permutes Q and K).
    Interleaved,
}

/// Llama 3 frequency scaling (`rope_scaling.rope_type = "llama3"`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Llama3Scaling {
    pub factor: f32,
    pub low_freq_factor: f32,
    pub high_freq_factor: f32,
    pub original_max_position_embeddings: f32,
}

/// Everything the forward pass needs to know about the network's shape.
#[derive(Debug, Clone, PartialEq)]
pub struct Arch {
    /// `llama`, `mistral` or `qwen2`.
    pub family: String,
    pub hidden: usize,
    pub intermediate: usize,
    pub vocab: usize,
    pub layers: usize,
    pub heads: usize,
    pub kv_heads: usize,
    pub head_dim: usize,
    pub rms_eps: f64,
    pub rope_theta: f32,
    pub rope: Rope,
    pub llama3_scaling: Option<Llama3Scaling>,
    pub max_positions: usize,
    /// Biases on the q/k/v projections (Qwen2, Llama with attention_bias).
    pub qkv_bias: bool,
    pub tie_embeddings: bool,
}

#[derive(Deserialize)]
struct HfConfig {
    model_type: Option<String>,
    hidden_size: usize,
    intermediate_size: usize,
    vocab_size: usize,
    num_hidden_layers: usize,
    num_attention_heads: usize,
    num_key_value_heads: Option<usize>,
    head_dim: Option<usize>,
    rms_norm_eps: Option<f64>,
    rope_theta: Option<f64>,
    max_position_embeddings: Option<usize>,
    tie_word_embeddings: Option<bool>,
    attention_bias: Option<bool>,
    rope_scaling: Option<Value>,
}

impl Arch {
    /// Parse a Hugging Face `config.json`.
    pub fn from_hf(path: &Path, text: &str) -> Result<Arch, ModelError> {
        let c: HfConfig = serde_json::from_str(text)
            .map_err(|e| ModelError::config(path, format!("invalid config.json: {e}")))?;
        let family = c.model_type.unwrap_or_else(|| "llama".into());
        if !matches!(family.as_str(), "llama" | "mistral" | "qwen2") {
            return Err(ModelError::Unsupported {
                path: path.into(),
                arch: family,
            });
        }
        let heads = c.num_attention_heads;
        let arch = Arch {
            qkv_bias: family == "qwen2" || c.attention_bias.unwrap_or(false),
            tie_embeddings: c.tie_word_embeddings.unwrap_or(false),
            hidden: c.hidden_size,
            intermediate: c.intermediate_size,
            vocab: c.vocab_size,
            layers: c.num_hidden_layers,
            heads,
            kv_heads: c.num_key_value_heads.unwrap_or(heads),
            head_dim: c
                .head_dim
                .unwrap_or(c.hidden_size.checked_div(heads).unwrap_or(0)),
            rms_eps: c.rms_norm_eps.unwrap_or(1e-6),
            rope_theta: c.rope_theta.unwrap_or(10_000.0) as f32,
            rope: Rope::Halves,
            llama3_scaling: llama3_scaling(path, c.rope_scaling.as_ref())?,
            max_positions: c.max_position_embeddings.unwrap_or(4096),
            family,
        };
        arch.check(path)?;
        Ok(arch)
    }

    /// Reject shapes that cannot be right or would allocate absurd amounts.
    pub fn check(&self, path: &Path) -> Result<(), ModelError> {
        let dims = [
            ("hidden size", self.hidden),
            ("intermediate size", self.intermediate),
            ("vocabulary size", self.vocab),
            ("attention heads", self.heads),
            ("key/value heads", self.kv_heads),
            ("head dimension", self.head_dim),
        ];
        for (what, v) in dims {
            if v == 0 || v > MAX_DIM {
                return Err(ModelError::config(
                    path,
                    format!("{what} {v} is outside 1..={MAX_DIM}"),
                ));
            }
        }
        if self.layers == 0 || self.layers > MAX_LAYERS {
            return Err(ModelError::config(
                path,
                format!("{} layers is outside 1..={MAX_LAYERS}", self.layers),
            ));
        }
        if self.heads % self.kv_heads != 0 || self.head_dim % 2 != 0 || self.head_dim > MAX_HEAD_DIM
        {
            return Err(ModelError::config(
                path,
                format!(
                    "{} heads, {} key/value heads and head dimension {} are inconsistent",
                    self.heads, self.kv_heads, self.head_dim
                ),
            ));
        }
        let eps_ok = self.rms_eps > 0.0 && self.rms_eps < 1.0;
        if !eps_ok || self.rope_theta.is_nan() || self.rope_theta <= 0.0 {
            return Err(ModelError::config(
                path,
                "rms_norm_eps or rope_theta out of range",
            ));
        }
        Ok(())
    }

    /// Positions the rotary tables cover.
    pub fn positions(&self) -> usize {
        self.max_positions.clamp(1, MAX_POSITIONS)
    }

    /// Name and shape of every tensor of a dense Hugging Face checkpoint
    /// of this shape, in `LlamaForCausalLM`'s order: what
    /// [`super::load::load_hf`] reads, and what the trainer initialises.
    pub fn hf_tensors(&self) -> Vec<(String, Vec<usize>)> {
        let (h, f) = (self.hidden, self.intermediate);
        let (q, kv) = (self.heads * self.head_dim, self.kv_heads * self.head_dim);
        let mut v = vec![("model.embed_tokens.weight".to_string(), vec![self.vocab, h])];
        for l in 0..self.layers {
            let p = format!("model.layers.{l}");
            v.push((format!("{p}.input_layernorm.weight"), vec![h]));
            for (n, out, inp) in [("q", q, h), ("k", kv, h), ("v", kv, h), ("o", h, q)] {
                v.push((format!("{p}.self_attn.{n}_proj.weight"), vec![out, inp]));
                if self.qkv_bias && n != "o" {
                    v.push((format!("{p}.self_attn.{n}_proj.bias"), vec![out]));
                }
            }
            v.push((format!("{p}.post_attention_layernorm.weight"), vec![h]));
            v.push((format!("{p}.mlp.gate_proj.weight"), vec![f, h]));
            v.push((format!("{p}.mlp.up_proj.weight"), vec![f, h]));
            v.push((format!("{p}.mlp.down_proj.weight"), vec![h, f]));
        }
        v.push(("model.norm.weight".to_string(), vec![h]));
        if !self.tie_embeddings {
            v.push(("lm_head.weight".to_string(), vec![self.vocab, h]));
        }
        v
    }

    /// Number of parameters of a dense checkpoint of this shape.
    pub fn n_params(&self) -> usize {
        self.hf_tensors()
            .iter()
            .map(|(_, s)| s.iter().product::<usize>())
            .sum()
    }
}

fn llama3_scaling(path: &Path, v: Option<&Value>) -> Result<Option<Llama3Scaling>, ModelError> {
    let Some(v) = v.filter(|v| !v.is_null()) else {
        return Ok(None);
    };
    let kind = v
        .get("rope_type")
        .or_else(|| v.get("type"))
        .and_then(Value::as_str)
        .unwrap_or("");
    if kind == "default" {
        return Ok(None);
    }
    if kind != "llama3" {
        return Err(ModelError::config(
            path,
            format!("rope_scaling type `{kind}` is not supported (only llama3)"),
        ));
    }
    let num = |k: &str| {
        v.get(k)
            .and_then(Value::as_f64)
            .map(|x| x as f32)
            .ok_or_else(|| ModelError::config(path, format!("rope_scaling.{k} is missing")))
    };
    Ok(Some(Llama3Scaling {
        factor: num("factor")?,
        low_freq_factor: num("low_freq_factor")?,
        high_freq_factor: num("high_freq_factor")?,
        original_max_position_embeddings: num("original_max_position_embeddings")?,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    const TINY: &str = r#"{"model_type":"llama","hidden_size":16,"intermediate_size":32,
        "vocab_size":40,"num_hidden_layers":2,"num_attention_heads":4,"num_key_value_heads":2,
        "tie_word_embeddings":true}"#;

    #[test]
    fn reads_a_llama_config() {
        let a = Arch::from_hf(Path::new("c.json"), TINY).unwrap();
        assert_eq!((a.head_dim, a.kv_heads, a.rope), (4, 2, Rope::Halves));
        assert!(a.tie_embeddings && !a.qkv_bias);
    }

    #[test]
    fn the_loader_reads_exactly_the_listed_tensors() {
        for json in [
            TINY.to_string(),
            TINY.replace("\"llama\"", "\"qwen2\"")
                .replace("true", "false"),
        ] {
            let a = Arch::from_hf(Path::new("c.json"), &json).unwrap();
            let vm = candle_nn::VarMap::new();
            for (name, shape) in a.hf_tensors() {
                let t = candle_core::Tensor::ones(
                    shape,
                    candle_core::DType::F32,
                    &candle_core::Device::Cpu,
                )
                .unwrap();
                vm.data()
                    .lock()
                    .unwrap()
                    .insert(name, candle_core::Var::from_tensor(&t).unwrap());
            }
            let before: Vec<String> = vm.data().lock().unwrap().keys().cloned().collect();
            // A VarMap creates any tensor the loader asks for and lacks.
            super::super::load::from_varmap(&a, &vm).unwrap();
            let mut after: Vec<String> = vm.data().lock().unwrap().keys().cloned().collect();
            let mut before = before;
            before.sort();
            after.sort();
            assert_eq!(before, after);
            assert_eq!(
                a.n_params(),
                vm.all_vars().iter().map(|v| v.elem_count()).sum::<usize>()
            );
        }
    }

    #[test]
    fn rejects_bad_shapes_and_architectures() {
        let bad = TINY.replace("\"num_key_value_heads\":2", "\"num_key_value_heads\":3");
        assert!(Arch::from_hf(Path::new("c"), &bad).is_err());
        let huge = TINY.replace("\"vocab_size\":40", "\"vocab_size\":99999999999");
        assert!(Arch::from_hf(Path::new("c"), &huge).is_err());
        let gpt = TINY.replace("\"llama\"", "\"gpt2\"");
        let e = Arch::from_hf(Path::new("c"), &gpt).unwrap_err().to_string();
        assert!(e.contains("unsupported architecture `gpt2`"), "{e}");
    }
}

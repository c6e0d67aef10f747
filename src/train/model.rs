//! A minimal, trainable Llama (Touvron et al. 2023, "LLaMA: open and
//! efficient foundation language models", arXiv:2302.13971): RMSNorm
//! (Zhang & Sennrich 2019), rotary position embeddings in the Hugging Face
//! "rotate half" layout (Su et al. 2021, arXiv:2104.09864), SwiGLU MLP
//! (Shazeer 2020, arXiv:2002.05202), tied or untied output head.
//!
//! candle-transformers' `llama` returns only the last position's logits, so
//! it cannot be trained; this module computes logits at every position with
//! differentiable candle ops only, and names its tensors exactly as Hugging
//! Face's `LlamaForCausalLM` does, so the saved `model.safetensors` loads in
//! candle-transformers (a test checks the logits agree).

use candle_core::{DType, Device, Result, Tensor, Var, D};
use candle_nn::VarMap;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

/// Longest sequence the test models are trained and configured for.
pub const MAX_POSITIONS: usize = 256;

/// Hyperparameters, serialised as a Hugging Face `config.json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Config {
    pub architectures: Vec<String>,
    pub model_type: String,
    pub hidden_size: usize,
    pub intermediate_size: usize,
    pub num_hidden_layers: usize,
    pub num_attention_heads: usize,
    pub num_key_value_heads: usize,
    pub vocab_size: usize,
    pub max_position_embeddings: usize,
    pub rms_norm_eps: f64,
    pub rope_theta: f64,
    pub tie_word_embeddings: bool,
    pub hidden_act: String,
    pub bos_token_id: Option<u32>,
    pub eos_token_id: u32,
    pub pad_token_id: u32,
    pub torch_dtype: String,
}

impl Config {
    /// A Llama of the given width and depth.
    pub fn new(vocab: usize, hidden: usize, layers: usize, heads: usize) -> Config {
        Config {
            architectures: vec!["LlamaForCausalLM".into()],
            model_type: "llama".into(),
            hidden_size: hidden,
            intermediate_size: hidden * 2,
            num_hidden_layers: layers,
            num_attention_heads: heads,
            num_key_value_heads: heads,
            vocab_size: vocab,
            max_position_embeddings: MAX_POSITIONS,
            rms_norm_eps: 1e-5,
            rope_theta: 10_000.0,
            tie_word_embeddings: true,
            hidden_act: "silu".into(),
            bos_token_id: None,
            eos_token_id: super::tokenizer::EOS,
            pad_token_id: super::tokenizer::PAD,
            torch_dtype: "float32".into(),
        }
    }

    fn head_dim(&self) -> usize {
        self.hidden_size / self.num_attention_heads
    }
}

/// Names and shapes of every tensor, in Hugging Face naming.
pub fn tensor_shapes(c: &Config) -> Vec<(String, Vec<usize>)> {
    let (h, f) = (c.hidden_size, c.intermediate_size);
    let mut v = vec![(
        "model.embed_tokens.weight".to_string(),
        vec![c.vocab_size, h],
    )];
    for l in 0..c.num_hidden_layers {
        let p = format!("model.layers.{l}");
        v.push((format!("{p}.input_layernorm.weight"), vec![h]));
        for n in ["q_proj", "k_proj", "v_proj", "o_proj"] {
            v.push((format!("{p}.self_attn.{n}.weight"), vec![h, h]));
        }
        v.push((format!("{p}.post_attention_layernorm.weight"), vec![h]));
        v.push((format!("{p}.mlp.gate_proj.weight"), vec![f, h]));
        v.push((format!("{p}.mlp.up_proj.weight"), vec![f, h]));
        v.push((format!("{p}.mlp.down_proj.weight"), vec![h, f]));
    }
    v.push(("model.norm.weight".to_string(), vec![h]));
    if !c.tie_word_embeddings {
        v.push(("lm_head.weight".to_string(), vec![c.vocab_size, h]));
    }
    v
}

/// Fresh parameters from `seed`: norms 1, matrices N(0, 0.02²) as in the
/// Hugging Face Llama initialiser. Drawn here with a seeded ChaCha stream
/// because candle's CPU random generator cannot be seeded.
pub fn init(c: &Config, seed: u64) -> Result<VarMap> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let vm = VarMap::new();
    {
        let mut data = vm.data().lock().expect("fresh lock");
        for (name, shape) in tensor_shapes(c) {
            let n: usize = shape.iter().product();
            let vals: Vec<f32> = if name.ends_with("norm.weight") {
                vec![1.0; n]
            } else {
                (0..n).map(|_| 0.02 * gaussian(&mut rng)).collect()
            };
            let t = Tensor::from_vec(vals, shape, &Device::Cpu)?;
            data.insert(name, Var::from_tensor(&t)?);
        }
    }
    Ok(vm)
}

/// A standard normal draw (Box–Muller; rand 0.8 has no normal sampler
/// without another crate).
fn gaussian(rng: &mut ChaCha8Rng) -> f32 {
    let u1: f64 = 1.0 - rng.gen::<f64>();
    let u2: f64 = rng.gen();
    ((-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()) as f32
}

/// Load the tensors of `model.safetensors` into a trainable map.
pub fn load_varmap(c: &Config, path: &std::path::Path) -> Result<VarMap> {
    let mut vm = init(c, 0)?;
    vm.load(path)?;
    Ok(vm)
}

/// The model, borrowing its tensors from a [`VarMap`].
pub struct Llama {
    cfg: Config,
    w: std::collections::HashMap<String, Tensor>,
}

fn rms_norm(x: &Tensor, w: &Tensor, eps: f64) -> Result<Tensor> {
    let ms = x.sqr()?.mean_keepdim(D::Minus1)?;
    x.broadcast_div(&(ms + eps)?.sqrt()?)?.broadcast_mul(w)
}

fn linear(x: &Tensor, w: &Tensor) -> Result<Tensor> {
    let (b, t, i) = x.dims3()?;
    let o = w.dim(0)?;
    x.reshape((b * t, i))?.matmul(&w.t()?)?.reshape((b, t, o))
}

/// Softmax along the last axis from basic ops (differentiable); the max is
/// subtracted for stability and detached since it cancels.
pub fn softmax(x: &Tensor) -> Result<Tensor> {
    let e = x
        .broadcast_sub(&x.max_keepdim(D::Minus1)?.detach())?
        .exp()?;
    e.broadcast_div(&e.sum_keepdim(D::Minus1)?)
}

/// Log-softmax along the last axis.
pub fn log_softmax(x: &Tensor) -> Result<Tensor> {
    let s = x.broadcast_sub(&x.max_keepdim(D::Minus1)?.detach())?;
    s.broadcast_sub(&s.exp()?.sum_keepdim(D::Minus1)?.log()?)
}

fn silu(x: &Tensor) -> Result<Tensor> {
    x.broadcast_div(&(x.neg()?.exp()? + 1.0)?)
}

impl Llama {
    pub fn new(cfg: &Config, vm: &VarMap) -> Llama {
        let data = vm.data().lock().expect("lock");
        let w = data
            .iter()
            .map(|(k, v)| (k.clone(), v.as_tensor().clone()))
            .collect();
        Llama {
            cfg: cfg.clone(),
            w,
        }
    }

    fn t(&self, name: &str) -> Result<&Tensor> {
        self.w
            .get(name)
            .ok_or_else(|| candle_core::Error::Msg(format!("missing tensor {name}")))
    }

    fn rope_tables(&self, len: usize) -> Result<(Tensor, Tensor)> {
        let d = self.cfg.head_dim();
        let inv: Vec<f32> = (0..d / 2)
            .map(|i| 1.0 / (self.cfg.rope_theta as f32).powf(2.0 * i as f32 / d as f32))
            .collect();
        let mut ang = Vec::with_capacity(len * d / 2);
        for p in 0..len {
            ang.extend(inv.iter().map(|f| p as f32 * f));
        }
        let a = Tensor::from_vec(ang, (len, d / 2), &Device::Cpu)?;
        Ok((a.cos()?, a.sin()?))
    }

    /// Rotate `x` `[b, heads, t, d]` by position (Hugging Face layout:
    /// first half and second half of each head are the two coordinates).
    fn rope(x: &Tensor, cos: &Tensor, sin: &Tensor) -> Result<Tensor> {
        let d = x.dim(D::Minus1)?;
        let x1 = x.narrow(D::Minus1, 0, d / 2)?;
        let x2 = x.narrow(D::Minus1, d / 2, d / 2)?;
        let a = (x1.broadcast_mul(cos)? - x2.broadcast_mul(sin)?)?;
        let b = (x2.broadcast_mul(cos)? + x1.broadcast_mul(sin)?)?;
        Tensor::cat(&[a, b], D::Minus1)
    }

    /// Logits `[b, t, vocab]` of token ids `[b, t]` (causal attention).
    pub fn forward(&self, ids: &Tensor) -> Result<Tensor> {
        let (b, t) = ids.dims2()?;
        let c = &self.cfg;
        let (nh, hd) = (c.num_attention_heads, c.head_dim());
        let emb = self.t("model.embed_tokens.weight")?;
        let mut x = emb
            .embedding(&ids.flatten_all()?)?
            .reshape((b, t, c.hidden_size))?;
        let (cos, sin) = self.rope_tables(t)?;
        let mask: Vec<f32> = (0..t * t)
            .map(|i| if i % t > i / t { -1e9 } else { 0.0 })
            .collect();
        let mask = Tensor::from_vec(mask, (t, t), &Device::Cpu)?;
        let scale = 1.0 / (hd as f64).sqrt();
        for l in 0..c.num_hidden_layers {
            let p = format!("model.layers.{l}");
            let h = rms_norm(
                &x,
                self.t(&format!("{p}.input_layernorm.weight"))?,
                c.rms_norm_eps,
            )?;
            let heads = |n: &str| -> Result<Tensor> {
                linear(&h, self.t(&format!("{p}.self_attn.{n}.weight"))?)?
                    .reshape((b, t, nh, hd))?
                    .transpose(1, 2)?
                    .contiguous()
            };
            let q = Self::rope(&heads("q_proj")?, &cos, &sin)?;
            let k = Self::rope(&heads("k_proj")?, &cos, &sin)?;
            let v = heads("v_proj")?;
            let att = (q.matmul(&k.t()?.contiguous()?)? * scale)?.broadcast_add(&mask)?;
            let y = softmax(&att)?.matmul(&v)?;
            let y = y.transpose(1, 2)?.reshape((b, t, c.hidden_size))?;
            x = (x + linear(&y, self.t(&format!("{p}.self_attn.o_proj.weight"))?)?)?;
            let h = rms_norm(
                &x,
                self.t(&format!("{p}.post_attention_layernorm.weight"))?,
                c.rms_norm_eps,
            )?;
            let g = silu(&linear(&h, self.t(&format!("{p}.mlp.gate_proj.weight"))?)?)?;
            let u = linear(&h, self.t(&format!("{p}.mlp.up_proj.weight"))?)?;
            x = (x + linear(&(g * u)?, self.t(&format!("{p}.mlp.down_proj.weight"))?)?)?;
        }
        let x = rms_norm(&x, self.t("model.norm.weight")?, c.rms_norm_eps)?;
        let head = if c.tie_word_embeddings {
            emb
        } else {
            self.t("lm_head.weight")?
        };
        linear(&x, head)
    }
}

/// Number of parameters of a configuration.
pub fn n_params(c: &Config) -> usize {
    tensor_shapes(c)
        .iter()
        .map(|(_, s)| s.iter().product::<usize>())
        .sum()
}

/// The dtype every test model is trained and saved in.
pub const DTYPE: DType = DType::F32;

#[cfg(test)]
mod tests {
    use super::*;
    use candle_transformers::models::llama as hf;

    #[test]
    fn saved_tensors_load_in_candle_transformers_with_the_same_logits() {
        let cfg = Config::new(50, 16, 2, 2);
        let vm = init(&cfg, 3).unwrap();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("model.safetensors");
        vm.save(&path).unwrap();
        let json = serde_json::to_string(&cfg).unwrap();
        let hc: hf::LlamaConfig = serde_json::from_str(&json).unwrap();
        let hc = hc.into_config(false);
        let vb = unsafe {
            candle_nn::VarBuilder::from_mmaped_safetensors(&[&path], DType::F32, &Device::Cpu)
                .unwrap()
        };
        let theirs = hf::Llama::load(vb, &hc).unwrap();
        let mut cache = hf::Cache::new(false, DType::F32, &hc, &Device::Cpu).unwrap();
        let ids = Tensor::new(&[[1u32, 7, 9, 20, 3, 44]], &Device::Cpu).unwrap();
        let a = theirs
            .forward(&ids, 0, &mut cache)
            .unwrap()
            .flatten_all()
            .unwrap()
            .to_vec1::<f32>()
            .unwrap();
        let ours = Llama::new(&cfg, &load_varmap(&cfg, &path).unwrap());
        let b = ours
            .forward(&ids)
            .unwrap()
            .get(0)
            .unwrap()
            .get(5)
            .unwrap()
            .to_vec1::<f32>()
            .unwrap();
        let worst = a
            .iter()
            .zip(&b)
            .map(|(x, y)| (x - y).abs())
            .fold(0f32, f32::max);
        assert!(worst < 1e-4, "logits differ by {worst}");
        // Same seed, same parameters.
        let again = init(&cfg, 3).unwrap();
        let x = again.data().lock().unwrap()["model.norm.weight"]
            .as_tensor()
            .sum_all()
            .unwrap()
            .to_scalar::<f32>()
            .unwrap();
        assert_eq!(x, 16.0);
    }
}

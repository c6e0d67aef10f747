//! The parameters of a test model: its Hugging Face `config.json` and its
//! seeded initialisation. The network itself is the runner's
//! ([`crate::model::transformer::Transformer`], a Llama: Touvron et al.
//! 2023, arXiv:2302.13971), built on the parameter map by
//! [`crate::model::load::from_varmap`] in its differentiable mode; the
//! tensor names and shapes are [`Arch::hf_tensors`], exactly Hugging
//! Face's `LlamaForCausalLM`, so the saved `model.safetensors` loads in
//! candle-transformers (a test checks the logits agree).

use candle_core::{Device, Tensor, Var};
use candle_nn::VarMap;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

use crate::model::config::Arch;

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

    /// The architecture the runner reads from this `config.json`: the file
    /// is the bridge between trainer and runner.
    pub fn arch(&self) -> anyhow::Result<Arch> {
        let json = serde_json::to_string(self)?;
        Ok(Arch::from_hf(std::path::Path::new("config.json"), &json)?)
    }
}

/// Fresh parameters from `seed`: norms 1, matrices N(0, 0.02²) as in the
/// Hugging Face Llama initialiser. Drawn here with a seeded ChaCha stream
/// because candle's CPU random generator cannot be seeded.
pub fn init(c: &Config, seed: u64) -> anyhow::Result<VarMap> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let vm = VarMap::new();
    {
        let mut data = vm.data().lock().expect("fresh lock");
        for (name, shape) in c.arch()?.hf_tensors() {
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
pub fn load_varmap(c: &Config, path: &std::path::Path) -> anyhow::Result<VarMap> {
    let mut vm = init(c, 0)?;
    vm.load(path)?;
    Ok(vm)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::load::from_varmap;
    use candle_core::DType;
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
        let ours = from_varmap(&cfg.arch().unwrap(), &load_varmap(&cfg, &path).unwrap()).unwrap();
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

    #[test]
    fn training_mode_matches_the_runner_and_has_gradients() {
        let cfg = Config::new(40, 16, 2, 2);
        let vm = init(&cfg, 5).unwrap();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("model.safetensors");
        vm.save(&path).unwrap();
        std::fs::write(
            dir.path().join("config.json"),
            serde_json::to_vec(&cfg).unwrap(),
        )
        .unwrap();
        let runner = crate::model::load::load_hf(dir.path(), &Device::Cpu).unwrap();
        let trainable = from_varmap(&cfg.arch().unwrap(), &vm).unwrap();
        let ids = Tensor::new(&[[3u32, 1, 4, 1, 5, 9], [2, 6, 5, 3, 5, 8]], &Device::Cpu).unwrap();
        let a = runner.forward(&ids).unwrap();
        let b = trainable.forward(&ids).unwrap();
        let worst = (a - &b)
            .unwrap()
            .abs()
            .unwrap()
            .max_all()
            .unwrap()
            .to_scalar::<f32>()
            .unwrap();
        assert!(worst < 1e-5, "fused and composite ops differ by {worst}");
        let grads = b.sqr().unwrap().sum_all().unwrap().backward().unwrap();
        for (name, var) in vm.data().lock().unwrap().iter() {
            let g = grads.get(var.as_tensor());
            assert!(g.is_some(), "no gradient for {name}");
        }
    }
}

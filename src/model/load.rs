//! Loading a network from a Hugging Face directory (`config.json` plus
//! `model.safetensors` or a sharded `model.safetensors.index.json`) or from
//! a GGUF file. Shapes are checked tensor by tensor against the config, so
//! a wrong or truncated checkpoint is an error naming the tensor, never a
//! panic.

use std::collections::{BTreeSet, HashMap};
use std::fs::File;
use std::path::{Path, PathBuf};

use candle_core::quantized::{gguf_file, QMatMul, QTensor};
use candle_core::{DType, Device, Tensor};
use candle_nn::{Linear, RmsNorm, VarBuilder};

use super::config::{Arch, Rope};
use super::error::ModelError;
use super::transformer::{Layer, Lin, Transformer};

/// Largest config or index file read (they are small JSON files).
pub const MAX_JSON_BYTES: u64 = 64 << 20;

/// GGUF metadata, kept for the tokenizer and chat template.
pub type GgufMeta = HashMap<String, gguf_file::Value>;

/// Read a small text file with a size cap.
pub fn read_text(path: &Path) -> Result<String, ModelError> {
    let io = |source| ModelError::Io {
        path: path.into(),
        source,
    };
    let len = std::fs::metadata(path).map_err(io)?.len();
    if len > MAX_JSON_BYTES {
        return Err(ModelError::config(
            path,
            format!("{len} bytes is larger than the {MAX_JSON_BYTES}-byte limit"),
        ));
    }
    std::fs::read_to_string(path).map_err(io)
}

/// The network of a Hugging Face model directory, in f32.
pub fn load_hf(dir: &Path, device: &Device) -> Result<Transformer, ModelError> {
    let cfg_path = dir.join("config.json");
    let arch = Arch::from_hf(&cfg_path, &read_text(&cfg_path)?)?;
    let files = safetensor_files(dir)?;
    // SAFETY: the files are memory-mapped read-only; like every mmap user we
    // rely on nobody truncating them while the model is loaded. The
    // safetensors parser validates headers and offsets.
    let vb = unsafe { VarBuilder::from_mmaped_safetensors(&files, DType::F32, device) }.map_err(
        |e| ModelError::Tensor {
            path: dir.into(),
            tensor: "(header)".into(),
            message: e.to_string(),
        },
    )?;
    HfTensors {
        vb,
        dir,
        arch: &arch,
    }
    .build(device)
}

/// The network whose tensors live in `vm` under Hugging Face names, with
/// gradients (training, `crate::train`).
pub fn from_varmap(arch: &Arch, vm: &candle_nn::VarMap) -> Result<Transformer, ModelError> {
    let device = Device::Cpu;
    let t = HfTensors {
        vb: VarBuilder::from_varmap(vm, DType::F32, &device),
        dir: Path::new("(in memory)"),
        arch,
    }
    .build(&device)?;
    Ok(t.differentiable())
}

struct HfTensors<'a> {
    vb: VarBuilder<'a>,
    dir: &'a Path,
    arch: &'a Arch,
}

impl HfTensors<'_> {
    fn get(&self, name: &str, shape: (usize, usize)) -> Result<Tensor, ModelError> {
        self.vb.get(shape, name).map_err(|e| self.err(name, e))
    }

    fn get1(&self, name: &str, n: usize) -> Result<Tensor, ModelError> {
        self.vb.get(n, name).map_err(|e| self.err(name, e))
    }

    fn err(&self, name: &str, e: impl std::fmt::Display) -> ModelError {
        ModelError::Tensor {
            path: self.dir.into(),
            tensor: name.into(),
            message: e.to_string(),
        }
    }

    fn lin(&self, p: &str, out: usize, inp: usize, bias: bool) -> Result<Lin, ModelError> {
        let w = self.get(&format!("{p}.weight"), (out, inp))?;
        let b = if bias {
            Some(self.get1(&format!("{p}.bias"), out)?)
        } else {
            None
        };
        Ok(Lin::Dense(Linear::new(w, b)))
    }

    fn build(self, device: &Device) -> Result<Transformer, ModelError> {
        let a = self.arch;
        let (h, q, kv) = (a.hidden, a.heads * a.head_dim, a.kv_heads * a.head_dim);
        let norm = |name: &str| Ok::<_, ModelError>(RmsNorm::new(self.get1(name, h)?, a.rms_eps));
        let mut layers = Vec::with_capacity(a.layers);
        for i in 0..a.layers {
            let p = format!("model.layers.{i}");
            layers.push(Layer {
                q: self.lin(&format!("{p}.self_attn.q_proj"), q, h, a.qkv_bias)?,
                k: self.lin(&format!("{p}.self_attn.k_proj"), kv, h, a.qkv_bias)?,
                v: self.lin(&format!("{p}.self_attn.v_proj"), kv, h, a.qkv_bias)?,
                o: self.lin(&format!("{p}.self_attn.o_proj"), h, q, false)?,
                gate: self.lin(&format!("{p}.mlp.gate_proj"), a.intermediate, h, false)?,
                up: self.lin(&format!("{p}.mlp.up_proj"), a.intermediate, h, false)?,
                down: self.lin(&format!("{p}.mlp.down_proj"), h, a.intermediate, false)?,
                attn_norm: norm(&format!("{p}.input_layernorm.weight"))?,
                mlp_norm: norm(&format!("{p}.post_attention_layernorm.weight"))?,
            });
        }
        let embed = self.get("model.embed_tokens.weight", (a.vocab, h))?;
        let head = if a.tie_embeddings || !self.vb.contains_tensor("lm_head.weight") {
            Lin::Dense(Linear::new(embed.clone(), None))
        } else {
            self.lin("lm_head", a.vocab, h, false)?
        };
        let final_norm = norm("model.norm.weight")?;
        Transformer::new(a.clone(), embed, layers, final_norm, head, device)
            .map_err(|e| self.err("(rotary tables)", e))
    }
}

/// `model.safetensors`, or the shards named by the index (plain file names
/// inside `dir` only: an index must not point elsewhere).
fn safetensor_files(dir: &Path) -> Result<Vec<PathBuf>, ModelError> {
    let single = dir.join("model.safetensors");
    if single.is_file() {
        return Ok(vec![single]);
    }
    let index = dir.join("model.safetensors.index.json");
    if !index.is_file() {
        return Err(ModelError::NotAModel { path: dir.into() });
    }
    let v: serde_json::Value = serde_json::from_str(&read_text(&index)?)
        .map_err(|e| ModelError::config(&index, format!("invalid JSON: {e}")))?;
    let map = v
        .get("weight_map")
        .and_then(|m| m.as_object())
        .ok_or_else(|| ModelError::config(&index, "no `weight_map` object"))?;
    let mut names = BTreeSet::new();
    for (tensor, file) in map {
        let f = file
            .as_str()
            .filter(|f| !f.is_empty() && Path::new(f).file_name() == Some(std::ffi::OsStr::new(f)));
        let f = f.ok_or_else(|| {
            ModelError::config(&index, format!("tensor `{tensor}`: bad shard name {file}"))
        })?;
        names.insert(f.to_string());
    }
    let files: Vec<PathBuf> = names.into_iter().map(|n| dir.join(n)).collect();
    for f in &files {
        if !f.is_file() {
            return Err(ModelError::config(
                &index,
                format!("shard {} is missing", f.display()),
            ));
        }
    }
    Ok(files)
}

/// The network of a GGUF file (llama, mistral or qwen2 architecture) and
/// its metadata. `dense`: dequantize the matrices to f32 (None: on CPU when
/// they fit in [`MAX_DEQUANTIZED_BYTES`]).
pub fn load_gguf(
    path: &Path,
    device: &Device,
    dense: Option<bool>,
) -> Result<(Transformer, GgufMeta), ModelError> {
    let mut f = File::open(path).map_err(|source| ModelError::Io {
        path: path.into(),
        source,
    })?;
    let ct = gguf_file::Content::read(&mut f)
        .map_err(|e| ModelError::config(path, format!("not a readable GGUF file: {e}")))?;
    let arch = gguf_arch(path, &ct)?;
    let dense = dense.unwrap_or_else(|| {
        device.is_cpu() && f32_bytes(&ct).is_some_and(|b| b <= MAX_DEQUANTIZED_BYTES)
    });
    let mut g = GgufTensors {
        ct: &ct,
        file: &mut f,
        path,
        device,
        dense,
    };
    let net = g.build(arch)?;
    Ok((net, ct.metadata))
}

fn gguf_arch(path: &Path, ct: &gguf_file::Content) -> Result<Arch, ModelError> {
    let md = &ct.metadata;
    let family = md
        .get("general.architecture")
        .and_then(|v| v.to_string().ok())
        .cloned()
        .unwrap_or_default();
    if !matches!(family.as_str(), "llama" | "mistral" | "qwen2") {
        return Err(ModelError::Unsupported {
            path: path.into(),
            arch: family,
        });
    }
    let num = |k: &str| -> Option<f64> {
        let v = md.get(&format!("{family}.{k}"))?;
        v.to_u64()
            .map(|x| x as f64)
            .or_else(|_| v.to_u32().map(f64::from))
            .or_else(|_| v.to_f32().map(f64::from))
            .or_else(|_| v.to_f64())
            .ok()
    };
    let req = |k: &str| {
        num(k)
            .filter(|x| *x >= 0.0 && *x < 1e12)
            .map(|x| x as usize)
            .ok_or_else(|| ModelError::config(path, format!("metadata `{family}.{k}` is missing")))
    };
    let hidden = req("embedding_length")?;
    let heads = req("attention.head_count")?;
    let vocab = ct
        .tensor_infos
        .get("token_embd.weight")
        .map(|t| t.shape.dims().first().copied().unwrap_or(0))
        .ok_or_else(|| ModelError::config(path, "tensor `token_embd.weight` is missing"))?;
    let arch = Arch {
        hidden,
        intermediate: req("feed_forward_length")?,
        vocab,
        layers: req("block_count")?,
        heads,
        kv_heads: num("attention.head_count_kv").map_or(heads, |x| x as usize),
        head_dim: num("attention.key_length")
            .map_or(hidden.checked_div(heads).unwrap_or(0), |x| x as usize),
        rms_eps: num("attention.layer_norm_rms_epsilon").unwrap_or(1e-5),
        rope_theta: num("rope.freq_base").unwrap_or(10_000.0) as f32,
        // llama.cpp permutes Q/K of llama-style models for interleaved
        // rotation; qwen2 keeps the Hugging Face (halves) layout.
        rope: if family == "qwen2" {
            Rope::Halves
        } else {
            Rope::Interleaved
        },
        llama3_scaling: None,
        max_positions: num("context_length").map_or(4096, |x| x as usize),
        qkv_bias: family == "qwen2",
        tie_embeddings: !ct.tensor_infos.contains_key("output.weight"),
        family,
    };
    arch.check(path)?;
    Ok(arch)
}

/// On CPU, GGUF weights up to this size in f32 are dequantized at load
/// time: candle's CPU kernels for several block types (Q4_1, Q5_0, ...) have
/// no SIMD path and run scalar, while the dense f32 matmul (gemm) picks
/// AVX/FMA at run time; for small models this is several times faster and
/// more exact (the quantized kernels also round activations to 8 bits).
pub const MAX_DEQUANTIZED_BYTES: u64 = 4 << 30;

/// Size of every tensor of the file in f32 (None on overflow).
fn f32_bytes(ct: &gguf_file::Content) -> Option<u64> {
    ct.tensor_infos.values().try_fold(0u64, |acc, t| {
        let n = t
            .shape
            .dims()
            .iter()
            .try_fold(1u64, |a, &d| a.checked_mul(d as u64))?;
        acc.checked_add(n.checked_mul(4)?)
    })
}

struct GgufTensors<'a> {
    ct: &'a gguf_file::Content,
    file: &'a mut File,
    path: &'a Path,
    device: &'a Device,
    /// Dequantize matrices to f32 (see [`MAX_DEQUANTIZED_BYTES`]).
    dense: bool,
}

impl GgufTensors<'_> {
    fn err(&self, name: &str, message: impl std::fmt::Display) -> ModelError {
        ModelError::Tensor {
            path: self.path.into(),
            tensor: name.into(),
            message: message.to_string(),
        }
    }

    /// Tensor `name`, checked against `shape` (candle's row-major order).
    fn q(&mut self, name: &str, shape: &[usize]) -> Result<QTensor, ModelError> {
        let t = self
            .ct
            .tensor(self.file, name, self.device)
            .map_err(|e| self.err(name, e))?;
        if t.shape().dims() != shape {
            return Err(self.err(
                name,
                format!("shape {:?}, expected {shape:?}", t.shape().dims()),
            ));
        }
        Ok(t)
    }

    fn dense(&mut self, name: &str, shape: &[usize]) -> Result<Tensor, ModelError> {
        let t = self.q(name, shape)?;
        t.dequantize(self.device).map_err(|e| self.err(name, e))
    }

    fn lin(&mut self, p: &str, out: usize, inp: usize, bias: bool) -> Result<Lin, ModelError> {
        let name = format!("{p}.weight");
        let b = if bias {
            Some(self.dense(&format!("{p}.bias"), &[out])?)
        } else {
            None
        };
        if self.dense {
            let w = self.dense(&name, &[out, inp])?;
            return Ok(Lin::Dense(Linear::new(w, b)));
        }
        let w = self.q(&name, &[out, inp])?;
        let w = QMatMul::from_qtensor(w).map_err(|e| self.err(&name, e))?;
        Ok(Lin::Quant(w, b))
    }

    fn build(&mut self, a: Arch) -> Result<Transformer, ModelError> {
        let (h, q, kv, ff) = (
            a.hidden,
            a.heads * a.head_dim,
            a.kv_heads * a.head_dim,
            a.intermediate,
        );
        let mut layers = Vec::with_capacity(a.layers);
        for i in 0..a.layers {
            let p = format!("blk.{i}");
            layers.push(Layer {
                q: self.lin(&format!("{p}.attn_q"), q, h, a.qkv_bias)?,
                k: self.lin(&format!("{p}.attn_k"), kv, h, a.qkv_bias)?,
                v: self.lin(&format!("{p}.attn_v"), kv, h, a.qkv_bias)?,
                o: self.lin(&format!("{p}.attn_output"), h, q, false)?,
                gate: self.lin(&format!("{p}.ffn_gate"), ff, h, false)?,
                up: self.lin(&format!("{p}.ffn_up"), ff, h, false)?,
                down: self.lin(&format!("{p}.ffn_down"), h, ff, false)?,
                attn_norm: RmsNorm::new(
                    self.dense(&format!("{p}.attn_norm.weight"), &[h])?,
                    a.rms_eps,
                ),
                mlp_norm: RmsNorm::new(
                    self.dense(&format!("{p}.ffn_norm.weight"), &[h])?,
                    a.rms_eps,
                ),
            });
        }
        let embed = self.dense("token_embd.weight", &[a.vocab, h])?;
        let head_name = if a.tie_embeddings {
            "token_embd"
        } else {
            "output"
        };
        let head = self.lin(head_name, a.vocab, h, false)?;
        let norm = RmsNorm::new(self.dense("output_norm.weight", &[h])?, a.rms_eps);
        let device = self.device.clone();
        Transformer::new(a, embed, layers, norm, head, &device)
            .map_err(|e| self.err("(rotary tables)", e))
    }
}

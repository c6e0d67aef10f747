//! `lineage transform`: re-save a checkpoint as HF-layout safetensors (or
//! GGUF), optionally casting the dtype and applying a function-preserving
//! permutation, to build test copies (scripts/make-test-models.sh).
//!
//! - GGUF input is dequantized; tensors get HF names and q/k rows HF order;
//!   a config.json is derived from the GGUF metadata.
//! - `--permute-seed N` permutes, per layer, the MLP hidden units (rows of
//!   gate and up, columns of down) and the attention heads (q/k/v rows and
//!   o columns, whole heads of `head_dim`): KV groups are permuted as wholes
//!   (k, v and the q heads that share them move together) and q heads are
//!   shuffled within their group, so grouped-query attention stays
//!   consistent. Moving whole heads keeps RoPE's per-head rotation, so the
//!   model computes the same function. Residual-stream dimensions are not
//!   permuted.
//! - `--fold-norms`, `--rotate-seed N`, `--scale-seed N` apply the
//!   re-parametrisations of [`super::reparam`] (after any permutation);
//!   a rotation is also written to `rotation.f32le` (the secret a test
//!   compares `lineage weights`' estimate with).
//! - Safetensors output is written tensor by tensor to a temporary file
//!   renamed into place: layer matrices one at a time, embeddings and heads
//!   in row chunks, so memory stays at one layer matrix plus a chunk. GGUF
//!   output holds every quantized tensor until candle's writer runs.

use std::io::Write;
use std::path::PathBuf;

use anyhow::{bail, Context};
use rand::seq::SliceRandom;

use super::checkpoint::{Checkpoint, Format, ModelConfig};
use super::dtype::DType;
use super::names::{hf_name, layer_role};
use super::reparam::{rotation_bytes, Reparam, ReparamConfig};
use super::TensorInfo;
use crate::stats::rng::stream;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutFormat {
    Safetensors,
    Gguf,
}

#[derive(Debug, Clone)]
pub struct TransformConfig {
    pub src: PathBuf,
    pub out: PathBuf,
    pub dtype: Option<DType>,
    pub permute_seed: Option<u64>,
    pub reparam: ReparamConfig,
    pub format: OutFormat,
}

/// Per-layer permutations: MLP units and q/kv heads (new index → old index).
struct Plan {
    mlp: Vec<usize>,
    q_heads: Vec<usize>,
    kv_heads: Vec<usize>,
    head_dim: usize,
}

fn plans(cfg: &ModelConfig, ck: &Checkpoint, seed: u64) -> anyhow::Result<Vec<Plan>> {
    let layers = ck.n_layers();
    let (Some(h), Some(kv), Some(hd)) = (
        cfg.num_attention_heads,
        cfg.num_key_value_heads,
        cfg.head_dim,
    ) else {
        bail!("{}: cannot permute heads: the number of heads, KV heads or head size is unknown (no config.json / metadata)", ck.path.display());
    };
    if kv == 0 || h % kv != 0 || hd == 0 {
        bail!(
            "{}: {h} heads do not split into {kv} KV groups",
            ck.path.display()
        );
    }
    let g = h / kv;
    (0..layers)
        .map(|l| {
            let units = ck
                .tensor(&format!("blk.{l}.ffn_gate.weight"))
                .map(|t| t.shape[0])
                .with_context(|| format!("layer {l} has no ffn_gate (not a Llama-family MLP)"))?;
            let mut mlp: Vec<usize> = (0..units).collect();
            mlp.shuffle(&mut stream(seed, &format!("mlp.{l}")));
            let mut kvp: Vec<usize> = (0..kv).collect();
            kvp.shuffle(&mut stream(seed, &format!("kv.{l}")));
            let mut q = Vec::with_capacity(h);
            for (j, &old_kv) in kvp.iter().enumerate() {
                let mut inner: Vec<usize> = (0..g).collect();
                inner.shuffle(&mut stream(seed, &format!("q.{l}.{j}")));
                q.extend(inner.into_iter().map(|t| old_kv * g + t));
            }
            Ok(Plan {
                mlp,
                q_heads: q,
                kv_heads: kvp,
                head_dim: hd,
            })
        })
        .collect()
}

/// Gather row blocks: new block i = old block map[i] (blocks of `rows_per` rows).
fn gather_rows(v: &[f32], cols: usize, rows_per: usize, map: &[usize]) -> Vec<f32> {
    let blk = rows_per * cols;
    map.iter()
        .flat_map(|&o| v[o * blk..(o + 1) * blk].iter().copied())
        .collect()
}

/// Gather column blocks in every row.
fn gather_cols(v: &[f32], cols: usize, cols_per: usize, map: &[usize]) -> Vec<f32> {
    v.chunks_exact(cols)
        .flat_map(|row| {
            map.iter()
                .flat_map(move |&o| row[o * cols_per..(o + 1) * cols_per].iter().copied())
        })
        .collect()
}

/// The tensor's values after the permutation plan (HF layout, f32).
fn permuted(ck: &Checkpoint, t: &TensorInfo, plans: Option<&[Plan]>) -> anyhow::Result<Vec<f32>> {
    let v = ck.read_all(t)?;
    let Some(plans) = plans else { return Ok(v) };
    let Some((l, role)) = layer_role(&t.canonical).or_else(|| bias_role(&t.canonical)) else {
        return Ok(v);
    };
    let p = &plans[l];
    let cols = t.cols();
    let is2d = t.shape.len() == 2;
    Ok(match role {
        "ffn_gate" | "ffn_up" => gather_rows(&v, cols, 1, &p.mlp),
        "ffn_down" => gather_cols(&v, cols, 1, &p.mlp),
        "attn_q" => gather_rows(&v, if is2d { cols } else { 1 }, p.head_dim, &p.q_heads),
        "attn_k" | "attn_v" => {
            gather_rows(&v, if is2d { cols } else { 1 }, p.head_dim, &p.kv_heads)
        }
        "attn_output" => gather_cols(&v, cols, p.head_dim, &p.q_heads),
        _ => v,
    })
}

fn bias_role(canon: &str) -> Option<(usize, &str)> {
    let rest = canon.strip_prefix("blk.")?;
    let (n, sub) = rest.split_once('.')?;
    Some((n.parse().ok()?, sub.strip_suffix(".bias")?))
}

fn cast(v: &[f32], dt: DType) -> Vec<u8> {
    match dt {
        DType::F16 => v
            .iter()
            .flat_map(|x| half::f16::from_f32(*x).to_le_bytes())
            .collect(),
        DType::Bf16 => v
            .iter()
            .flat_map(|x| half::bf16::from_f32(*x).to_le_bytes())
            .collect(),
        _ => v.iter().flat_map(|x| x.to_le_bytes()).collect(),
    }
}

/// Run the transform; returns the files written.
pub fn run(cfg: &TransformConfig) -> anyhow::Result<Vec<PathBuf>> {
    let ck = Checkpoint::open(&cfg.src)?;
    if let Some(d) = cfg.dtype {
        if !d.is_float() {
            bail!("--dtype must be f32, f16 or bf16");
        }
    }
    let plans = match cfg.permute_seed {
        Some(s) => Some(plans(&ck.config, &ck, s)?),
        None => None,
    };
    let rp = if cfg.reparam.any() {
        Some(Reparam::new(&ck, &cfg.reparam)?)
    } else {
        None
    };
    std::fs::create_dir_all(&cfg.out)
        .with_context(|| format!("cannot create {}", cfg.out.display()))?;
    let job = Job {
        ck: &ck,
        plans: plans.as_deref(),
        rp: rp.as_ref(),
    };
    let mut written = match cfg.format {
        OutFormat::Safetensors => write_safetensors(&job, cfg)?,
        OutFormat::Gguf => write_gguf(&job, cfg)?,
    };
    if let Some(q) = rp.as_ref().and_then(|r| r.rotation.as_deref()) {
        let p = cfg.out.join("rotation.f32le");
        crate::report::atomic::write(&p, &rotation_bytes(q))?;
        written.push(p);
    }
    Ok(written)
}

/// What to write and how.
struct Job<'a> {
    ck: &'a Checkpoint,
    plans: Option<&'a [Plan]>,
    rp: Option<&'a Reparam>,
}

impl Job<'_> {
    /// Tensors to write: (canonical name written, source tensor), with the
    /// head synthesised from the embedding when a folded norm unties it.
    fn entries(&self) -> Vec<(String, &TensorInfo)> {
        let mut v: Vec<(String, &TensorInfo)> = self
            .ck
            .tensors
            .iter()
            .map(|t| (t.canonical.clone(), t))
            .collect();
        if let (Some(true), Some(e)) = (
            self.rp.map(|r| r.synth_output),
            self.ck.tensor("token_embd.weight"),
        ) {
            v.push(("output.weight".into(), e));
        }
        v
    }

    /// Stream the transformed values of `t` (written as `canon`) to `f`:
    /// a layer tensor whole, anything else in row chunks.
    fn emit(
        &self,
        canon: &str,
        t: &TensorInfo,
        f: &mut dyn FnMut(&[f32]) -> anyhow::Result<()>,
    ) -> anyhow::Result<()> {
        let cols = t.cols();
        if canon.starts_with("blk.") {
            let mut v = permuted(self.ck, t, self.plans)?;
            if let Some(rp) = self.rp {
                rp.apply(canon, cols, 0, &mut v)?;
            }
            return f(&v);
        }
        let per = (super::decode::CHUNK_ELEMS / cols.max(1)).max(1);
        let mut r = 0;
        let mut v = Vec::new();
        while r < t.rows() {
            let n = per.min(t.rows() - r);
            v.clear();
            self.ck.read_rows(t, r, n, &mut v)?;
            if let Some(rp) = self.rp {
                rp.apply(canon, cols, r, &mut v)?;
            }
            f(&v)?;
            r += n;
        }
        Ok(())
    }

    fn untied(&self) -> bool {
        self.rp.is_some_and(|r| r.synth_output)
    }
}

fn out_dtype(cfg: &TransformConfig, t: &TensorInfo) -> DType {
    cfg.dtype.unwrap_or(if t.dtype.is_float() {
        t.dtype
    } else {
        DType::F32
    })
}

fn write_safetensors(job: &Job, cfg: &TransformConfig) -> anyhow::Result<Vec<PathBuf>> {
    // Header first: every size is known from shapes and target dtypes.
    let mut entries = Vec::new();
    let mut off = 0u64;
    let mut ordered = job.entries();
    ordered.sort_by_key(|(c, _)| hf_name(c));
    let mut header = serde_json::Map::new();
    header.insert("__metadata__".into(), serde_json::json!({"format": "pt"}));
    for (canon, t) in ordered {
        let dt = out_dtype(cfg, t);
        let n = dt.bytes_for(t.elems() as u64).context("tensor too large")?;
        header.insert(
            hf_name(&canon),
            serde_json::json!({"dtype": dt.safetensors_name(), "shape": t.shape, "data_offsets": [off, off + n]}),
        );
        entries.push((canon, t, dt));
        off += n;
    }
    let mut hbytes = serde_json::to_vec(&serde_json::Value::Object(header))?;
    while hbytes.len() % 8 != 0 {
        hbytes.push(b' ');
    }
    let target = cfg.out.join("model.safetensors");
    let mut tmp = tempfile::Builder::new()
        .prefix(".lineage-")
        .suffix(".tmp")
        .tempfile_in(&cfg.out)?;
    {
        let mut w = std::io::BufWriter::new(tmp.as_file_mut());
        w.write_all(&(hbytes.len() as u64).to_le_bytes())?;
        w.write_all(&hbytes)?;
        for (canon, t, dt) in entries {
            job.emit(&canon, t, &mut |v| Ok(w.write_all(&cast(v, dt))?))?;
        }
        w.flush()?;
    }
    set_mode(tmp.as_file())?;
    tmp.as_file().sync_all()?;
    tmp.persist(&target)
        .with_context(|| format!("cannot write {}", target.display()))?;
    let mut written = vec![target];
    written.extend(write_config(job.ck, cfg, job.untied())?);
    Ok(written)
}

fn set_mode(f: &std::fs::File) -> anyhow::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        f.set_permissions(std::fs::Permissions::from_mode(0o644))?;
    }
    Ok(())
}

/// config.json (copied from an HF source with `torch_dtype` updated, or
/// derived from GGUF metadata) and the source's tokenizer files.
fn write_config(
    ck: &Checkpoint,
    cfg: &TransformConfig,
    untied: bool,
) -> anyhow::Result<Vec<PathBuf>> {
    let dt = cfg.dtype.map(|d| match d {
        DType::F16 => "float16",
        DType::Bf16 => "bfloat16",
        _ => "float32",
    });
    let mut out = Vec::new();
    let src_cfg = (ck.format == Format::HfDir)
        .then(|| cfg.src.join("config.json"))
        .filter(|p| p.is_file());
    let json = match src_cfg {
        Some(p) => {
            let mut v: serde_json::Value = serde_json::from_slice(&std::fs::read(&p)?)?;
            if let (Some(d), Some(o)) = (dt, v.as_object_mut()) {
                o.insert("torch_dtype".into(), d.into());
            }
            if let (true, Some(o)) = (untied, v.as_object_mut()) {
                o.insert("tie_word_embeddings".into(), false.into());
            }
            v
        }
        None => derived_config(&ck.config, dt.unwrap_or("float32"), untied),
    };
    let p = cfg.out.join("config.json");
    crate::report::atomic::write(&p, &serde_json::to_vec_pretty(&json)?)?;
    out.push(p);
    if ck.format == Format::HfDir {
        for f in [
            "tokenizer.json",
            "tokenizer_config.json",
            "special_tokens_map.json",
            "generation_config.json",
        ] {
            let s = cfg.src.join(f);
            if s.is_file() {
                let d = cfg.out.join(f);
                crate::report::atomic::write(&d, &std::fs::read(&s)?)?;
                out.push(d);
            }
        }
    }
    Ok(out)
}

fn derived_config(c: &ModelConfig, dtype: &str, untied: bool) -> serde_json::Value {
    let arch = if c.architecture.is_empty() || c.architecture == "unknown" {
        "llama"
    } else {
        &c.architecture
    };
    let class = match arch {
        "llama" => "LlamaForCausalLM".to_string(),
        a => format!("{}ForCausalLM", capitalise(a)),
    };
    serde_json::json!({
        "architectures": [class],
        "model_type": arch,
        "hidden_act": "silu",
        "hidden_size": c.hidden_size,
        "intermediate_size": c.intermediate_size,
        "num_attention_heads": c.num_attention_heads,
        "num_hidden_layers": c.num_hidden_layers,
        "num_key_value_heads": c.num_key_value_heads,
        "head_dim": c.head_dim,
        "vocab_size": c.vocab_size,
        "rms_norm_eps": c.rms_norm_eps.unwrap_or(1e-5),
        "rope_theta": c.rope_theta.unwrap_or(10000.0),
        "max_position_embeddings": c.max_position_embeddings.unwrap_or(2048),
        "tie_word_embeddings": c.tie_word_embeddings.unwrap_or(false) && !untied,
        "torch_dtype": dtype,
    })
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().collect::<String>() + c.as_str())
        .unwrap_or_default()
}

fn write_gguf(job: &Job, cfg: &TransformConfig) -> anyhow::Result<Vec<PathBuf>> {
    use candle_core::quantized::{gguf_file::Value, QTensor};
    use candle_core::{Device, Tensor};
    let c = &job.ck.config;
    let (h, kv) = (c.num_attention_heads, c.num_key_value_heads);
    let mut qts = Vec::new();
    for (canon, t) in job.entries() {
        let mut v = Vec::with_capacity(t.elems());
        job.emit(&canon, t, &mut |x| {
            v.extend_from_slice(x);
            Ok(())
        })?;
        // llama.cpp's q/k row order for its RoPE kernel (inverse of decode).
        let heads = match layer_role(&canon) {
            Some((_, "attn_q")) => h,
            Some((_, "attn_k")) => kv,
            _ => None,
        };
        if let Some(hh) = heads.filter(|_| t.shape.len() == 2) {
            v = to_rope_order(&v, t.shape[0], t.cols(), hh)?;
        }
        let dt = out_dtype(cfg, t);
        let tensor = Tensor::from_vec(v, t.shape.as_slice(), &Device::Cpu)?;
        let q = QTensor::quantize(&tensor, dt.ggml())?;
        qts.push((canon, q));
    }
    let u = |x: Option<usize>| Value::U32(x.unwrap_or(0) as u32);
    let meta: Vec<(&str, Value)> = vec![
        ("general.architecture", Value::String("llama".into())),
        ("llama.block_count", u(c.num_hidden_layers)),
        (
            "llama.context_length",
            u(c.max_position_embeddings.or(Some(2048))),
        ),
        ("llama.embedding_length", u(c.hidden_size)),
        ("llama.feed_forward_length", u(c.intermediate_size)),
        ("llama.attention.head_count", u(h)),
        ("llama.attention.head_count_kv", u(kv)),
        ("llama.attention.key_length", u(c.head_dim)),
        ("llama.attention.value_length", u(c.head_dim)),
        (
            "llama.rope.freq_base",
            Value::F32(c.rope_theta.unwrap_or(10000.0) as f32),
        ),
        (
            "llama.attention.layer_norm_rms_epsilon",
            Value::F32(c.rms_norm_eps.unwrap_or(1e-5) as f32),
        ),
        ("llama.vocab_size", u(c.vocab_size)),
    ];
    let target = cfg.out.join("model.gguf");
    let mut tmp = tempfile::Builder::new()
        .prefix(".lineage-")
        .suffix(".tmp")
        .tempfile_in(&cfg.out)?;
    {
        let mref: Vec<(&str, &Value)> = meta.iter().map(|(k, v)| (*k, v)).collect();
        let tref: Vec<(&str, &QTensor)> = qts.iter().map(|(k, v)| (k.as_str(), v)).collect();
        let mut w = std::io::BufWriter::new(tmp.as_file_mut());
        candle_core::quantized::gguf_file::write(&mut w, &mref, &tref)?;
        w.flush()?;
    }
    set_mode(tmp.as_file())?;
    tmp.as_file().sync_all()?;
    tmp.persist(&target)
        .with_context(|| format!("cannot write {}", target.display()))?;
    Ok(vec![target])
}

/// HF row j·d/2+i of each head goes to stored row 2i+j.
fn to_rope_order(v: &[f32], rows: usize, cols: usize, heads: usize) -> anyhow::Result<Vec<f32>> {
    if heads == 0 || rows % heads != 0 || (rows / heads) % 2 != 0 {
        bail!("{rows} rows do not split into {heads} RoPE heads");
    }
    let d = rows / heads;
    let mut out = vec![0f32; v.len()];
    for r in 0..rows {
        let (head, w) = (r / d, r % d);
        let (j, i) = (w / (d / 2), w % (d / 2));
        let s = head * d + 2 * i + j;
        out[s * cols..(s + 1) * cols].copy_from_slice(&v[r * cols..(r + 1) * cols]);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gathers() {
        let v: Vec<f32> = (0..6).map(|x| x as f32).collect(); // 3x2
        assert_eq!(
            gather_rows(&v, 2, 1, &[2, 0, 1]),
            vec![4., 5., 0., 1., 2., 3.]
        );
        assert_eq!(gather_cols(&v, 2, 1, &[1, 0]), vec![1., 0., 3., 2., 5., 4.]);
    }
}

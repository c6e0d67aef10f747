//! Opening a checkpoint: a Hugging Face model directory (single or sharded
//! safetensors), a lone `.safetensors` file or a `.gguf` file. Headers are
//! parsed through a temporary memory map that is dropped once parsed; tensor
//! bytes are then read on demand with positioned reads into small buffers
//! and decoded ([`super::decode`]), so no page of the checkpoint stays in
//! this process's resident set (the page cache still keeps them). Pickle
//! checkpoints are refused.

use std::collections::BTreeMap;
use std::fs::File;
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};

use memmap2::Mmap;
use serde::{Deserialize, Serialize};

use super::error::{Result, WeightsError};
use super::gguf::{self, Meta};
use super::names::layer_role;
use super::{safetensors as st, TensorInfo};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Format {
    HfDir,
    Safetensors,
    Gguf,
}

impl Format {
    pub fn as_str(self) -> &'static str {
        match self {
            Format::HfDir => "hf-dir",
            Format::Safetensors => "safetensors",
            Format::Gguf => "gguf",
        }
    }
}

/// Architecture hyper-parameters, from config.json or GGUF metadata,
/// completed from tensor shapes where absent.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ModelConfig {
    pub architecture: String,
    pub hidden_size: Option<usize>,
    pub num_hidden_layers: Option<usize>,
    pub num_attention_heads: Option<usize>,
    pub num_key_value_heads: Option<usize>,
    pub head_dim: Option<usize>,
    pub intermediate_size: Option<usize>,
    pub vocab_size: Option<usize>,
    pub rope_theta: Option<f64>,
    pub rms_norm_eps: Option<f64>,
    pub max_position_embeddings: Option<usize>,
    pub tie_word_embeddings: Option<bool>,
}

/// One open checkpoint file, read with positioned reads.
pub struct DataFile {
    pub path: PathBuf,
    pub file: File,
    /// Length when opened; reads past it are refused.
    pub len: u64,
}

impl DataFile {
    /// Fill `buf` from byte `offset`; a file that shrank since it was
    /// opened gives an error, not a crash (a memory map would fault).
    pub fn read_exact_at(&self, buf: &mut [u8], offset: u64) -> std::io::Result<()> {
        self.file.read_exact_at(buf, offset)
    }
}

/// A file mapped just long enough to parse its header.
pub struct Mapped {
    pub path: PathBuf,
    pub file: File,
    pub map: Mmap,
}

impl Mapped {
    /// Drop the map (and with it every page the parser touched).
    pub fn into_data(self) -> DataFile {
        DataFile {
            path: self.path,
            len: self.map.len() as u64,
            file: self.file,
        }
    }
}

pub struct Checkpoint {
    pub path: PathBuf,
    pub format: Format,
    pub files: Vec<DataFile>,
    /// Sorted by canonical name.
    pub tensors: Vec<TensorInfo>,
    pub config: ModelConfig,
}

const PICKLE_EXT: &[&str] = &["bin", "pt", "pth", "pkl", "pickle", "ckpt"];
const MAX_CONFIG: u64 = 4 << 20;

fn ext(p: &Path) -> String {
    p.extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default()
}

pub fn map_file(path: &Path) -> Result<Mapped> {
    let f = std::fs::File::open(path).map_err(|e| WeightsError::io(path, e))?;
    let len = f.metadata().map_err(|e| WeightsError::io(path, e))?.len();
    if len < 8 {
        return Err(WeightsError::header(
            path,
            format!("file is truncated ({len} bytes)"),
        ));
    }
    // SAFETY: the map is read-only; a checkpoint modified while we read it
    // can give wrong numbers but the parsers bound-check every access.
    let map = unsafe { Mmap::map(&f) }.map_err(|e| WeightsError::io(path, e))?;
    Ok(Mapped {
        path: path.to_path_buf(),
        file: f,
        map,
    })
}

impl Checkpoint {
    pub fn open(path: &Path) -> Result<Checkpoint> {
        let meta = std::fs::metadata(path).map_err(|e| WeightsError::io(path, e))?;
        if meta.is_dir() {
            return open_dir(path);
        }
        let e = ext(path);
        if PICKLE_EXT.contains(&e.as_str()) {
            return Err(WeightsError::Pickle {
                path: path.to_path_buf(),
            });
        }
        let m = map_file(path)?;
        if e == "gguf" || m.map.starts_with(b"GGUF") {
            return open_gguf(path, m);
        }
        let tensors = st::parse(path, &m.map, 0)?;
        finish(
            path,
            Format::Safetensors,
            vec![m],
            tensors,
            ModelConfig::default(),
        )
    }

    pub fn tensor(&self, canonical: &str) -> Option<&TensorInfo> {
        self.tensors
            .binary_search_by(|t| t.canonical.as_str().cmp(canonical))
            .ok()
            .map(|i| &self.tensors[i])
    }

    pub fn total_bytes(&self) -> u64 {
        self.files.iter().map(|f| f.len).sum()
    }

    pub fn n_layers(&self) -> usize {
        self.tensors
            .iter()
            .filter_map(|t| layer_role(&t.canonical).map(|(l, _)| l + 1))
            .max()
            .unwrap_or(0)
    }
}

fn open_dir(dir: &Path) -> Result<Checkpoint> {
    let cfg = read_config(&dir.join("config.json"))?;
    let index = dir.join("model.safetensors.index.json");
    if index.is_file() {
        let idx = st::read_index(&index)?;
        let mut files = Vec::new();
        let mut tensors = Vec::new();
        for (i, f) in idx.files.iter().enumerate() {
            let p = dir.join(f);
            if !p.is_file() {
                return Err(WeightsError::Shard {
                    path: index.clone(),
                    why: format!("shard {f} does not exist"),
                });
            }
            let m = map_file(&p)?;
            tensors.extend(st::parse(&p, &m.map, i)?);
            files.push(m);
        }
        st::check_index(&index, &idx, &tensors)?;
        return finish(dir, Format::HfDir, files, tensors, cfg);
    }
    let single = dir.join("model.safetensors");
    if single.is_file() {
        let m = map_file(&single)?;
        let tensors = st::parse(&single, &m.map, 0)?;
        return finish(dir, Format::HfDir, vec![m], tensors, cfg);
    }
    let entries = std::fs::read_dir(dir).map_err(|e| WeightsError::io(dir, e))?;
    let mut names: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    names.sort();
    if let Some(p) = names.iter().find(|p| PICKLE_EXT.contains(&ext(p).as_str())) {
        return Err(WeightsError::Pickle { path: p.clone() });
    }
    Err(WeightsError::Unsupported {
        path: dir.to_path_buf(),
        why: "no model.safetensors or model.safetensors.index.json in this directory".into(),
    })
}

fn open_gguf(path: &Path, m: Mapped) -> Result<Checkpoint> {
    let parsed = gguf::parse(path, &m.map, 0)?;
    let cfg = gguf_config(&parsed.meta);
    finish(path, Format::Gguf, vec![m], parsed.tensors, cfg)
}

fn finish(
    path: &Path,
    format: Format,
    files: Vec<Mapped>,
    mut tensors: Vec<TensorInfo>,
    mut config: ModelConfig,
) -> Result<Checkpoint> {
    tensors.sort_by(|a, b| a.canonical.cmp(&b.canonical));
    if let Some(w) = tensors
        .windows(2)
        .find(|w| w[0].canonical == w[1].canonical)
    {
        return Err(WeightsError::tensor(
            path,
            &w[1].name,
            format!("names the same tensor as `{}`", w[0].name),
        ));
    }
    let mut ck = Checkpoint {
        path: path.to_path_buf(),
        format,
        files: files.into_iter().map(Mapped::into_data).collect(),
        tensors,
        config: ModelConfig::default(),
    };
    complete_config(&ck, &mut config);
    ck.config = config;
    Ok(ck)
}

/// Fill what config.json/metadata left out from tensor shapes.
fn complete_config(ck: &Checkpoint, c: &mut ModelConfig) {
    if let Some(e) = ck
        .tensor("token_embd.weight")
        .filter(|t| t.shape.len() == 2)
    {
        c.vocab_size.get_or_insert(e.shape[0]);
        c.hidden_size.get_or_insert(e.shape[1]);
    }
    if let Some(g) = ck
        .tensor("blk.0.ffn_gate.weight")
        .filter(|t| t.shape.len() == 2)
    {
        c.intermediate_size.get_or_insert(g.shape[0]);
    }
    let n = ck.n_layers();
    if n > 0 {
        c.num_hidden_layers.get_or_insert(n);
    }
    if let (Some(h), Some(hs)) = (c.num_attention_heads, c.hidden_size) {
        if c.head_dim.is_none() && h > 0 {
            c.head_dim = Some(hs / h);
        }
    }
    if let (Some(hd), Some(k)) = (c.head_dim, ck.tensor("blk.0.attn_k.weight")) {
        if c.num_key_value_heads.is_none() && hd > 0 {
            c.num_key_value_heads = Some(k.shape[0] / hd);
        }
    }
    if c.tie_word_embeddings.is_none() {
        c.tie_word_embeddings = Some(ck.tensor("output.weight").is_none());
    }
    if c.architecture.is_empty() {
        c.architecture = "unknown".into();
    }
}

fn read_config(p: &Path) -> Result<ModelConfig> {
    if !p.is_file() {
        return Ok(ModelConfig::default());
    }
    let len = std::fs::metadata(p)
        .map_err(|e| WeightsError::io(p, e))?
        .len();
    if len > MAX_CONFIG {
        return Err(WeightsError::header(
            p,
            format!("config.json is {len} bytes"),
        ));
    }
    let bytes = std::fs::read(p).map_err(|e| WeightsError::io(p, e))?;
    let v: serde_json::Value = serde_json::from_slice(&bytes)
        .map_err(|e| WeightsError::header(p, format!("config.json is not valid JSON: {e}")))?;
    let u = |k: &str| {
        v.get(k)
            .and_then(|x| x.as_u64())
            .and_then(|x| usize::try_from(x).ok())
    };
    let f = |k: &str| v.get(k).and_then(|x| x.as_f64());
    let arch = v
        .get("model_type")
        .and_then(|x| x.as_str())
        .or_else(|| {
            v.get("architectures")
                .and_then(|a| a.get(0))
                .and_then(|x| x.as_str())
        })
        .unwrap_or("")
        .to_string();
    Ok(ModelConfig {
        architecture: arch,
        hidden_size: u("hidden_size"),
        num_hidden_layers: u("num_hidden_layers"),
        num_attention_heads: u("num_attention_heads"),
        num_key_value_heads: u("num_key_value_heads"),
        head_dim: u("head_dim"),
        intermediate_size: u("intermediate_size"),
        vocab_size: u("vocab_size"),
        rope_theta: f("rope_theta"),
        rms_norm_eps: f("rms_norm_eps"),
        max_position_embeddings: u("max_position_embeddings"),
        tie_word_embeddings: v.get("tie_word_embeddings").and_then(|x| x.as_bool()),
    })
}

fn gguf_config(meta: &BTreeMap<String, Meta>) -> ModelConfig {
    let arch = match meta.get("general.architecture") {
        Some(Meta::Str(a)) => a.clone(),
        _ => String::new(),
    };
    let u = |k: &str| meta.get(&format!("{arch}.{k}")).and_then(|m| m.as_usize());
    let f = |k: &str| meta.get(&format!("{arch}.{k}")).and_then(|m| m.as_f64());
    let vocab = match meta.get("tokenizer.ggml.tokens") {
        Some(Meta::Array(n)) => usize::try_from(*n).ok(),
        _ => None,
    }
    .or_else(|| u("vocab_size"));
    ModelConfig {
        architecture: arch.clone(),
        hidden_size: u("embedding_length"),
        num_hidden_layers: u("block_count"),
        num_attention_heads: u("attention.head_count"),
        num_key_value_heads: u("attention.head_count_kv"),
        head_dim: u("attention.key_length"),
        intermediate_size: u("feed_forward_length"),
        vocab_size: vocab,
        rope_theta: f("rope.freq_base"),
        rms_norm_eps: f("attention.layer_norm_rms_epsilon"),
        max_position_embeddings: u("context_length"),
        tie_word_embeddings: None,
    }
}
